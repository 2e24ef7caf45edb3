"""Serializer bases and the serializers of core's own endpoints (import jobs, change log, gaps).

``ScopedModelSerializer`` is what every app's serializers build on. It does three things a plain
``ModelSerializer`` does not: it accepts a ``changelog_message`` that the viewset hands to the service;
it limits every writable relation to the objects the user may see, so that naming an object outside
the scope fails exactly like naming one that does not exist; and it builds, rather than saves, the
instance, because saving is the service's job (which also runs ``full_clean`` and writes the log).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, TypeVar, cast

from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.relations import ManyRelatedField, RelatedField

from core.choices import ChangeAction, Severity, TaskStatus
from core.filtersets import MAX_INTEGER
from core.models import ObjectChange, Task
from core.tasks import live_progress

T = TypeVar("T")


def per_page(serializer: serializers.BaseSerializer[Any], key: str, compute: Callable[[list[Any], Any], T]) -> T:
    """``compute(objects, user)`` once for all the objects a serializer shows (the whole page of a list, else
    its one instance), cached in its context under ``key``: which linked records of a page the user may see
    is then one query, not one per row."""
    cached = serializer.context.get(key)
    if cached is not None:
        return cast(T, cached)
    parent = serializer.parent
    shown = parent.instance if isinstance(parent, serializers.ListSerializer) else [serializer.instance]
    user = getattr(serializer.context.get("request"), "user", None)
    value = compute(list(shown or []), user)
    serializer.context[key] = value
    return value


class ScopedModelSerializer(serializers.ModelSerializer):
    """Base for the serializers of scoped models.

    Every writable relation offers, and accepts, only what the user may see: a scoped model's rows through
    ``restrict``; a record without a place in the tree of its own through the record it belongs to, named in
    ``Meta.scoped_through`` (``{"category": "campaign"}``: the categories of the campaigns the user sees).
    ``Meta.unscoped_fields`` names relations that may point outside the user's scope on purpose (the
    receiving branch of a transfer). A writable relation that is none of these is a mistake in the
    serializer and refused at once, rather than offering every row of the installation.
    """

    changelog_message = serializers.CharField(
        write_only=True, required=False, allow_blank=True, max_length=500,
        help_text=_("写入变更记录的说明（可选）"),
    )

    non_model_fields: ClassVar[tuple[str, ...]] = ("changelog_message",)

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        request = self.context.get("request")
        if request is None:
            return fields
        unscoped = getattr(self.Meta, "unscoped_fields", ())
        through: dict[str, str] = getattr(self.Meta, "scoped_through", {})
        for name, field in fields.items():
            if name in unscoped or field.read_only:
                continue
            target = field.child_relation if isinstance(field, ManyRelatedField) else field
            if not isinstance(target, RelatedField):
                continue
            target.queryset = scoped_choices(target.queryset, request.user, through.get(name),
                                             where=f"{type(self).__name__}.{name}")
        return fields

    def build_instance(self, data: dict[str, Any]) -> models.Model:
        """An unsaved instance from validated data; the create service saves it."""
        model: type[models.Model] = self.Meta.model
        return model(**data)


def scoped_choices(queryset: Any, user: Any, through: str | None, *, where: str) -> Any:
    """``queryset`` cut to what ``user`` may see: by its own place in the tree, or by the record ``through``
    names (a relation of its model to a scoped model)."""
    if through is not None:
        parent = queryset.model._meta.get_field(through).related_model
        return queryset.filter(**{f"{through}__in": parent._default_manager.restrict(user, "view").values("pk")})
    if hasattr(queryset, "restrict"):
        return queryset.restrict(user, "view")
    raise ImproperlyConfigured(
        f"{where} offers {queryset.model.__name__} records, which have no scope of their own: name the scoped "
        "record they belong to in Meta.scoped_through, or the field in Meta.unscoped_fields")


class ChangelogMessageSerializer(serializers.Serializer):
    """The body of an action that only takes an optional change-log message."""

    changelog_message = serializers.CharField(required=False, allow_blank=True, max_length=500)


#
# Import jobs (background tasks)
#


class TaskProgressSerializer(serializers.Serializer):
    """How far a running job has got."""

    done = serializers.IntegerField(source="progress_done")
    total = serializers.IntegerField(source="progress_total")
    message = serializers.CharField(source="progress_message")


class TaskSerializer(serializers.ModelSerializer):
    """A background job (an import, a report) with its status, progress and outcome."""

    url = serializers.HyperlinkedIdentityField(view_name="import-job-detail")
    status = serializers.ChoiceField(choices=TaskStatus.choices, read_only=True)
    percent = serializers.IntegerField(read_only=True)
    progress = TaskProgressSerializer(source="*", read_only=True)
    error = serializers.SerializerMethodField()

    class Meta:
        model = Task
        fields = ["id", "url", "kind", "title", "status", "percent", "progress", "result", "error", "created",
                  "started", "finished"]
        read_only_fields = fields

    def to_representation(self, instance: Task) -> dict[str, Any]:
        return super().to_representation(live_progress(instance))

    def get_error(self, task: Task) -> str:
        """The error message without the traceback (which is in the server log)."""
        return task.error.split("\n\n", 1)[0]


#
# Change log
#


class ObjectChangeSerializer(serializers.ModelSerializer):
    """One create, update, delete or reveal, with who, when, before and after."""

    action = serializers.ChoiceField(choices=ChangeAction.choices, read_only=True)
    object_type = serializers.SerializerMethodField()
    related_object_type = serializers.SerializerMethodField()

    class Meta:
        model = ObjectChange
        fields = ["id", "time", "user", "user_name", "request_id", "action", "object_type", "object_id",
                  "object_repr", "related_object_type", "related_object_id", "prechange_data", "postchange_data",
                  "message"]
        read_only_fields = fields

    def get_object_type(self, change: ObjectChange) -> str:
        ct = change.content_type
        return f"{ct.app_label}.{ct.model}"

    def get_related_object_type(self, change: ObjectChange) -> str | None:
        ct = change.related_content_type
        return f"{ct.app_label}.{ct.model}" if ct else None


#
# Gaps
#


class GapSerializer(serializers.Serializer):
    """One gap (差距): what falls short of which rule, where, and the rule's source."""

    rule = serializers.CharField(help_text=_("规则键"))
    severity = serializers.ChoiceField(choices=Severity.choices)
    title = serializers.CharField()
    detail = serializers.CharField()
    org = serializers.IntegerField(source="org_id")
    org_code = serializers.CharField()
    org_name = serializers.CharField()
    source = serializers.CharField(help_text=_("依据"))  # type: ignore[assignment]  # a field named like Field.source
    member = serializers.IntegerField(source="member_id", allow_null=True)
    extra = serializers.DictField()
    check = serializers.CharField(help_text=_("发现这项差距的检查（填写问题的差距规则时使用）"))
    ref = serializers.CharField(
        source="reference", help_text=_("同一检查对同一组织、党员的多项差距之间的区分标识（填写问题的差距标识时使用）"))
    followup = serializers.SerializerMethodField(
        help_text=_("已在跟进的整改：说明、链接，以及是否已办结而差距仍在（closed）；没有则为空"))

    def get_followup(self, gap: Any) -> dict[str, str | bool | None] | None:
        found = self.context.get("followups", {}).get(gap.key)
        if found is None:
            return None
        return {"label": str(found.label), "url": found.url or None, "closed": found.closed}


class IdField(serializers.IntegerField):
    """The key of a record named in a request body or query (``{"member": 16}``): a positive whole number the
    database can bind, so that an impossible one is a 400 like any other bad value."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_INTEGER)
        super().__init__(**kwargs)


class GapQuerySerializer(serializers.Serializer):
    """Query parameters of the gap list."""

    org = IdField(required=False, help_text=_("组织（含下级）；不填则为您管理范围内的全部组织"))
    date = serializers.DateField(required=False, help_text=_("日期 YYYY-MM-DD，默认今天"))
    rule = serializers.ListField(child=serializers.CharField(), required=False, help_text=_("只看这些规则"))
    severity = serializers.ChoiceField(choices=Severity.choices, required=False)
