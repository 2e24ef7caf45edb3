from __future__ import annotations

from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.fields import TreePathField
from core.models import OrgOwnedModel, ScopedModel
from orgs import rules
from orgs.choices import ALLOWED_PARENTS, BRANCH_KINDS, OrgKind, PositionTitle


class Organization(ScopedModel):
    """A party organization: a committee, general branch, branch or party group, placed in one tree.

    ``path`` is the chain of primary keys from the root (``"1.7.42."``); services keep it, and the
    ``org_path`` of every record owned by the subtree, in step when an organization moves.
    """

    scope_path_field: ClassVar[str] = "path"

    code = models.CharField(_("组织编码"), max_length=32, unique=True)
    name = models.CharField(_("组织名称"), max_length=200)
    kind = models.CharField(_("组织类别"), max_length=20, choices=OrgKind.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级组织"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = TreePathField(unique=True)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    unit_name = models.CharField(_("所在单位"), max_length=200, blank=True)
    is_village = models.BooleanField(_("村（社区）组织"), default=False)
    has_committee = models.BooleanField(_("设立委员会"), default=False)
    established = models.DateField(_("成立日期"), null=True, blank=True)
    term_start = models.DateField(_("本届任期开始"), null=True, blank=True)
    term_end = models.DateField(_("本届任期届满"), null=True, blank=True)
    note = models.TextField(_("备注"), blank=True)

    class Meta:
        verbose_name = _("党组织")
        verbose_name_plural = _("党组织")
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(term_end__isnull=True) | Q(term_start__isnull=True) | Q(term_end__gt=models.F("term_start"))
                ),
                name="organization_term_order",
                violation_error_message=_("任期届满日期必须晚于任期开始日期。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("orgs:organization_detail", args=[self.pk])

    @classmethod
    def self_scope_q(cls, user: Any) -> Q | None:
        from orgs.models import Member

        return Q(pk__in=Member.objects.filter(user=user).values("org_id"))

    @property
    def is_branch(self) -> bool:
        return self.kind in BRANCH_KINDS

    def clean(self) -> None:
        """The tree's shape: committees above general branches above branches above party groups."""
        parent_kind = self.parent.kind if self.parent_id and self.parent else None
        problem = rules.org_parent_error(self.kind, parent_kind)
        if problem:
            raise ValidationError({"parent": problem})
        if not self.pk:
            return
        if self.kind not in BRANCH_KINDS and self.members.exists():
            raise ValidationError({"kind": _("该组织下有党员，只能是党支部或联合党支部")})
        child_kinds = set(self.children.values_list("kind", flat=True))
        if any(self.kind not in ALLOWED_PARENTS[kind] for kind in child_kinds):
            raise ValidationError({"kind": _("下级组织的类别与此类别不相容")})

    def changelog_parent(self) -> models.Model | None:
        return self.parent


class Position(OrgOwnedModel):
    """A seat in an organization's leadership (书记, 副书记, 委员 …) held for a term."""

    org = models.ForeignKey(
        Organization, verbose_name=_("所在组织"), on_delete=models.PROTECT, related_name="positions"
    )
    title = models.CharField(_("职务"), max_length=20, choices=PositionTitle.choices)
    member = models.ForeignKey(
        "orgs.Member", verbose_name=_("任职党员"), on_delete=models.PROTECT, related_name="positions"
    )
    term_start = models.DateField(_("任职开始"))
    term_end = models.DateField(_("任职结束"), null=True, blank=True)

    class Meta:
        verbose_name = _("班子成员")
        verbose_name_plural = _("班子成员")
        ordering = ["org", "title", "term_start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(term_end__isnull=True) | Q(term_end__gt=models.F("term_start")),
                name="position_term_order",
                violation_error_message=_("任职结束日期必须晚于开始日期。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.org} {self.get_title_display()} {self.member}"
