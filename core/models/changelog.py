from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.choices import ChangeAction
from core.fields import TreePathField
from core.scoping import ScopedQuerySet


class ObjectChange(models.Model):
    """One create, update, delete (or reveal of personal data) of one object, with who, when and how.

    ``related_*`` points at the parent whose history also shows this change (a member's organization);
    ``org_path`` places the record in the tree so that the log itself is scoped like the data it describes.
    """

    scope_path_field: ClassVar[str] = "org_path"
    scope_path_fields: ClassVar[tuple[str, ...]] = ("org_path", "related_org_path")

    time = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    # Indexes are few on purpose: an import writes one row per record, and each index costs on every row.
    # Objects are found through the two composite indexes below, scopes through the two paths.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", db_index=False,
    )
    user_name = models.CharField(_("操作人"), max_length=150, blank=True)
    request_id = models.UUIDField(_("请求编号"), null=True, blank=True)
    request_repr = models.CharField(_("请求"), max_length=300, blank=True)
    action = models.CharField(_("动作"), max_length=10, choices=ChangeAction.choices)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+", db_index=False)
    object_id = models.PositiveBigIntegerField()
    object_repr = models.CharField(_("对象"), max_length=200)
    related_content_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    related_object_id = models.PositiveBigIntegerField(null=True, blank=True)
    org_path = TreePathField(blank=True)
    # A second place that sees this change, such as the receiving side of a transfer.
    related_org_path = TreePathField(blank=True)
    prechange_data = models.JSONField(_("修改前"), null=True, blank=True)
    postchange_data = models.JSONField(_("修改后"), null=True, blank=True)
    message = models.CharField(_("说明"), max_length=500, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("变更记录")
        verbose_name_plural = _("变更记录")
        ordering = ["-time", "-pk"]
        indexes = [
            models.Index(fields=["content_type", "object_id", "-time"], name="objectchange_object"),
            models.Index(fields=["related_content_type", "related_object_id", "-time"], name="objectchange_related"),
        ]

    def __str__(self) -> str:
        when = timezone.localtime(self.time)
        return f"{when:%Y-%m-%d %H:%M} {self.user_name} {self.get_action_display()} {self.object_repr}"

    @classmethod
    def self_scope_q(cls, user: Any) -> Q | None:
        return None

    def diff(self) -> list[tuple[str, Any, Any]]:
        """The fields whose values differ between before and after, as (field, before, after)."""
        before = self.prechange_data or {}
        after = self.postchange_data or {}
        keys = [k for k in {**before, **after} if before.get(k) != after.get(k)]
        return [(k, before.get(k), after.get(k)) for k in keys]
