from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.choices import Role
from core.fields import TreePathField
from core.models import ScopedModel


class RoleGrant(ScopedModel):
    """Role R on the organization subtree S. Administrators hold a grant without an organization."""

    scope_path_field: ClassVar[str] = "org_path"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("账号"), on_delete=models.CASCADE, related_name="role_grants"
    )
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    org = models.ForeignKey(
        "orgs.Organization", verbose_name=_("组织范围"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="role_grants",
    )
    org_path = TreePathField(blank=True)

    class Meta:
        verbose_name = _("角色授权")
        verbose_name_plural = _("角色授权")
        ordering = ["user__username", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "org"], name="rolegrant_unique",
                violation_error_message=_("该账号已拥有此授权。"),
            ),
            models.UniqueConstraint(
                fields=["user"], condition=Q(role=Role.ADMIN), name="rolegrant_one_admin",
                violation_error_message=_("该账号已是管理员。"),
            ),
            models.CheckConstraint(
                condition=Q(role=Role.ADMIN, org__isnull=True) | (~Q(role=Role.ADMIN) & Q(org__isnull=False)),
                name="rolegrant_org_matches_role",
                violation_error_message=_("管理员授权不指定组织；其他角色必须指定组织范围。"),
            ),
        ]

    def __str__(self) -> str:
        where = self.org.name if self.org_id and self.org else _("全部组织")
        return f"{self.user} · {self.get_role_display()} · {where}"

    def get_absolute_url(self) -> str:
        return reverse("orgs:grant_list")

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.org_path = self.org.path if self.org_id and self.org else ""
        super().save(*args, **kwargs)

    @classmethod
    def self_scope_q(cls, user: Any) -> Q | None:
        return Q(user=user)

    def changelog_parent(self) -> models.Model | None:
        return self.org
