"""A theme-education campaign launched by a committee for its subtree, its goals and special items (the
categories problems are filed under) and the activities it requires."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from campaigns.choices import CategoryKind, RequirementKind
from core.fields import path_index
from core.models import OrgOwnedModel, TimestampedModel
from core.tree import ancestor_paths


class Campaign(OrgOwnedModel):
    """A campaign such as 「不忘初心、牢记使命」主题教育: what it asks and when, for the launching
    organization's whole subtree. ``batches`` is a list of ``{"name", "start", "end"}``."""

    org = models.ForeignKey("orgs.Organization", verbose_name=_("组织单位"), on_delete=models.PROTECT,
                            related_name="campaigns")
    name = models.CharField(_("名称"), max_length=200)
    template = models.CharField(_("模板"), max_length=30, blank=True, editable=False)
    requirement = models.CharField(_("总要求"), max_length=200, blank=True)
    aim = models.TextField(_("目标"), blank=True)
    measures = models.TextField(_("重点措施"), blank=True, help_text=_("每行一项"))
    batches = models.JSONField(_("批次"), default=list, blank=True)
    start = models.DateField(_("开始日期"))
    end = models.DateField(_("结束日期"))
    requires_evidence = models.BooleanField(_("销号须有佐证材料"), default=True)

    class Meta:
        verbose_name = _("主题教育")
        verbose_name_plural = _("主题教育")
        ordering = ["-start", "-pk"]
        indexes = [path_index("org_path", "start", name="campaign_scope_start")]
        constraints = [
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="campaign_dates",
                                   violation_error_message=_("结束日期不能早于开始日期。")),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("campaigns:campaign_detail", args=[self.pk])

    @classmethod
    def self_scope_q(cls, user: Any) -> Q | None:
        """A member sees the campaigns their organization and those above it run."""
        from orgs.models import Member

        member = Member.objects.filter(user=user).only("org_path").first() if user.is_authenticated else None
        return Q(org_path__in=ancestor_paths(member.org_path)) if member else None

    @classmethod
    def reaching_q(cls, path: str) -> Q | None:
        """A subtree's managers see the campaigns launched above it, which cover them too."""
        return Q(org_path__in=ancestor_paths(path)[:-1])

    def measure_lines(self) -> list[str]:
        return [line.strip() for line in self.measures.splitlines() if line.strip()]


class Category(TimestampedModel):
    """A goal or special rectification item (专项整治) of a campaign; problems are filed under one."""

    campaign = models.ForeignKey(Campaign, verbose_name=_("主题教育"), on_delete=models.CASCADE,
                                 related_name="categories")
    kind = models.CharField(_("类别"), max_length=10, choices=CategoryKind.choices)
    number = models.PositiveSmallIntegerField(_("序号"))
    name = models.CharField(_("名称"), max_length=300)

    class Meta:
        verbose_name = _("问题类别")
        verbose_name_plural = _("问题类别")
        ordering = ["campaign", "kind", "number"]
        constraints = [models.UniqueConstraint(fields=["campaign", "kind", "number"], name="category_number")]

    def __str__(self) -> str:
        return self.name if len(self.name) <= 40 else self.name[:39] + "…"


class Requirement(TimestampedModel):
    """A required activity of the campaign, met by the learning and essays apps' own records: a study
    activity with its hours, an essay request, a closing 组织生活会 / 民主生活会."""

    campaign = models.ForeignKey(Campaign, verbose_name=_("主题教育"), on_delete=models.CASCADE,
                                 related_name="requirements")
    kind = models.CharField(_("类型"), max_length=10, choices=RequirementKind.choices)
    title = models.CharField(_("名称"), max_length=200)
    hours = models.DecimalField(_("学时"), max_digits=5, decimal_places=1, null=True, blank=True,
                                validators=[MinValueValidator(Decimal("0.5"))])
    due = models.DateField(_("完成时限"), null=True, blank=True)
    activity = models.ForeignKey("learning.Activity", verbose_name=_("学习活动"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    essay_request = models.ForeignKey("essays.EssayRequest", verbose_name=_("心得体会布置"), null=True,
                                      blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = pgettext_lazy("singular", "规定动作")
        verbose_name_plural = _("规定动作")
        ordering = ["campaign", "due", "pk"]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        """A required activity is done within its campaign."""
        campaign = self.campaign if self.campaign_id else None
        if campaign is not None and self.due is not None and not campaign.start <= self.due <= campaign.end:
            raise ValidationError({"due": _("完成时限应在主题教育期间（%(start)s至%(end)s）")
                                   % {"start": f"{campaign.start:%Y-%m-%d}", "end": f"{campaign.end:%Y-%m-%d}"}})
