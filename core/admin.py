"""Administrators edit the rule table and the holiday calendar here; the change log is read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from core import rules, workdays
from core.models import Holiday, ObjectChange, Rule, Task


@admin.register(Rule)
class RuleAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("key", "name", "value", "unit", "severity", "effective_from", "effective_to", "source")
    list_filter = ("severity",)
    search_fields = ("key", "name", "source")
    ordering = ("key", "-effective_from")

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        rules.clear_cache()


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("date", "name", "is_workday")
    list_filter = ("is_workday",)
    date_hierarchy = "date"

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        workdays.clear_cache()

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        super().delete_model(request, obj)
        workdays.clear_cache()


@admin.register(ObjectChange)
class ObjectChangeAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("time", "user_name", "action", "content_type", "object_repr", "message")
    list_filter = ("action", "content_type")
    search_fields = ("object_repr", "user_name", "message")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("title", "kind", "user", "status", "created", "finished")
    list_filter = ("status", "kind")
