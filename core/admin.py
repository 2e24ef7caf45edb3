"""Administrators edit the rule table and the holiday calendar here; the change log is read-only.

Edits go through ``core.services`` like every other write: only an administrator may make them, and each
one is in the change log with the values before and after.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models, transaction
from django.http import HttpRequest

from core import rules, services, workdays
from core.models import Holiday, ObjectChange, Rule, Task


class ServiceAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Saves and deletes through ``core.services`` (checked, logged); ``saved`` runs after each."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and _is_admin(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request, obj) and _is_admin(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_delete_permission(request, obj) and _is_admin(request)

    def changes(self, obj: Any, form: Any) -> dict[str, Any]:
        return {name: form.cleaned_data[name] for name in form.changed_data}

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        services.require_admin(request.user)
        if change:
            services.update_object(obj, acting_user=request.user, changes=self.changes(obj, form))
        else:
            services.create_object(obj, acting_user=request.user)
        self.saved()

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        services.require_admin(request.user)
        services.delete_object(obj, acting_user=request.user)
        self.saved()

    def delete_queryset(self, request: HttpRequest, queryset: models.QuerySet[Any]) -> None:
        services.require_admin(request.user)
        with transaction.atomic():
            for obj in queryset:
                services.delete_object(obj, acting_user=request.user)
        self.saved()

    def saved(self) -> None:
        """Drop what was cached from the table."""


def _is_admin(request: HttpRequest) -> bool:
    return services.is_admin(request.user)


@admin.register(Rule)
class RuleAdmin(ServiceAdmin):
    list_display = ("key", "name", "value", "unit", "severity", "effective_from", "effective_to", "shipped", "source")
    list_filter = ("shipped", "severity")
    search_fields = ("key", "name", "source")
    ordering = ("key", "-effective_from")
    readonly_fields = ("shipped",)
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    # A change to what the rule says makes a shipped version the administrator's (``core.rules``).
    LOCAL_FIELDS = frozenset({"value", "severity", "effective_from", "effective_to"})

    def changes(self, obj: Any, form: Any) -> dict[str, Any]:
        changes = super().changes(obj, form)
        if obj.shipped and self.LOCAL_FIELDS.intersection(changes):
            changes["shipped"] = False
        return changes

    def saved(self) -> None:
        rules.clear_cache()


@admin.register(Holiday)
class HolidayAdmin(ServiceAdmin):
    list_display = ("date", "name", "is_workday")
    list_filter = ("is_workday",)
    date_hierarchy = "date"

    def saved(self) -> None:
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
