"""Small text helpers for messages."""

from __future__ import annotations

_NESTED = str.maketrans({"“": "‘", "”": "’"})


def nested(text: str) -> str:
    """``text`` made fit to stand inside “…”: its own double quotation marks become single ones, as Chinese
    typography nests them (“‘三会一课’记录不规范”, not ““三会一课”记录不规范”)."""
    return text.translate(_NESTED)
