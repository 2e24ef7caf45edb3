"""Small text helpers for messages."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import translation

_NESTED = str.maketrans({"“": "‘", "”": "’"})


def nested(text: str) -> str:
    """``text`` made fit to stand inside “…”: its own double quotation marks become single ones, as Chinese
    typography nests them (“‘三会一课’记录不规范”, not ““三会一课”记录不规范”)."""
    return text.translate(_NESTED)


def is_chinese() -> bool:
    """Whether the active language is Chinese (full-width punctuation, no spaces around it)."""
    return (translation.get_language() or "").startswith("zh")


def colon() -> str:
    return "：" if is_chinese() else ": "


def parentheses() -> tuple[str, str]:
    return ("（", "）") if is_chinese() else (" (", ")")


def listing(items: Iterable[object]) -> str:
    """Items of a message one after another, as the active language lists them: "甲、乙、丙" in Chinese,
    "a, b, c" otherwise."""
    return ("、" if is_chinese() else ", ").join(str(item) for item in items)


def sentences(items: Iterable[object]) -> str:
    """Messages one after another in one line: "甲；乙" in Chinese, "a; b" otherwise."""
    return ("；" if is_chinese() else "; ").join(str(item) for item in items)


def labelled(label: object, message: object) -> str:
    """A message about one field, named first: "整改进展：该字段是必填项。" ("Progress: This field is required.")."""
    return f"{label}{colon()}{message}"
