from __future__ import annotations

import datetime
from typing import Any

from django import forms, template
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext as _

from core import text
from core.filtersets import visible_record

register = template.Library()


@register.simple_tag
def cx_field(field: forms.BoundField) -> Any:
    """Render a form field with the Bootstrap class its widget needs."""
    widget = field.field.widget
    if isinstance(widget, forms.CheckboxInput):
        css = "form-check-input"
    elif isinstance(widget, forms.Select | forms.SelectMultiple):
        css = "form-select"
    else:
        css = "form-control"
    if field.errors:
        css += " is-invalid"
    attrs: dict[str, str | bool] = {"class": css}
    if isinstance(widget, forms.SelectMultiple):
        attrs["size"] = "3"
    return field.as_widget(attrs=attrs)


@register.filter
def cx_verbose_name(model: Any) -> str:
    return str(model._meta.verbose_name) if model is not None else ""


@register.filter
def cx_field_label(change: Any, field: str) -> Any:
    model = change.content_type.model_class()
    try:
        return model._meta.get_field(field).verbose_name
    except Exception:
        return field


@register.simple_tag
def cx_badge(text: Any, tone: str = "secondary") -> Any:
    return format_html('<span class="badge text-bg-{}">{}</span>', tone, text)


@register.simple_tag(takes_context=True)
def cx_logged_value(context: Any, change: Any, field: str, value: Any) -> Any:
    """A value as the change log recorded it, shown as a person reads it: the label of a choice, the name
    of a related object the viewer may see (else its number), 是/否 for booleans."""
    if value is None or value == "":
        return ""
    model = change.content_type.model_class()
    try:
        model_field = model._meta.get_field(field)
    except Exception:
        return value
    if getattr(model_field, "choices", None):
        return dict(model_field.flatchoices).get(value, value)
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(model_field, models.DateTimeField) and isinstance(value, str):
        # Stored as ISO text in UTC (``core.changelog.jsonable``); shown like the entry's own time.
        try:
            moment = datetime.datetime.fromisoformat(value)
        except ValueError:
            return value
        if timezone.is_aware(moment):
            moment = timezone.localtime(moment)
        return date_format(moment, "Y-m-d H:i:s")
    related = getattr(model_field, "related_model", None)
    if related is not None and hasattr(related, "scope_path_field"):
        obj = visible_record(related, value, context.get("user"))
        if obj is not None:
            return str(obj)
        # A record outside the viewer's scope (the branch a member came from) keeps its name to itself, and
        # is told apart from a deleted one no more than its address is (both answer 404).
        return _("#%(pk)s（已删除或不在您的查看范围内）") % {"pk": value}
    return value


@register.simple_tag
def colon() -> str:
    """The colon after a label in the page's language: ``：`` in Chinese, ``: `` in English."""
    return text.colon()


@register.simple_tag
def lparen() -> str:
    """An opening parenthesis in the page's language (full width in Chinese)."""
    return text.parentheses()[0]


@register.simple_tag
def rparen() -> str:
    return text.parentheses()[1]
