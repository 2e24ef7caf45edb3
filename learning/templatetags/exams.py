"""Template filters of the exam pages."""

from __future__ import annotations

from django import template

from learning.rules import LETTERS

register = template.Library()


@register.filter
def option_letter(index: int) -> str:
    """The letter of the option at ``index`` (0 → A): each question's options start again at A."""
    return LETTERS[index] if 0 <= index < len(LETTERS) else str(index + 1)
