"""Self-inspection (检视剖析): a checklist of questions, assigned to persons or organizations, answered item
by item; a "no" or "partly" proposes a problem for the problem list."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from campaigns.choices import Answer
from core.models import OrgOwnedModel, TimestampedModel


class Checklist(OrgOwnedModel):
    """A list of self-inspection questions (the "18 是否" template, or one an organization writes)."""

    org = models.ForeignKey("orgs.Organization", verbose_name=_("制定单位"), on_delete=models.PROTECT,
                            related_name="checklists")
    campaign = models.ForeignKey("campaigns.Campaign", verbose_name=_("主题教育"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="checklists")
    title = models.CharField(_("名称"), max_length=200)
    instructions = models.TextField(_("填写说明"), blank=True)

    class Meta:
        verbose_name = pgettext_lazy("singular", "检视清单")
        verbose_name_plural = _("检视清单")
        ordering = ["-pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("campaigns:checklist_detail", args=[self.pk])

    @classmethod
    def self_scope_q(cls, user: Any) -> Q | None:
        return Q(pk__in=Assignment.objects.filter(member__user=user).values("checklist_id"))

    @classmethod
    def reaching_q(cls, path: str) -> Q | None:
        """A subtree's managers and inspectors see the checklists given above it to their organizations or
        members (the tasks themselves they see by their own place)."""
        return Q(pk__in=Assignment.objects.filter(org_path__subtree=path).values("checklist_id"))


class ChecklistItem(TimestampedModel):
    checklist = models.ForeignKey(Checklist, verbose_name=_("检视清单"), on_delete=models.CASCADE,
                                  related_name="items")
    number = models.PositiveSmallIntegerField(_("序号"))
    section = models.CharField(_("对照内容"), max_length=100, blank=True)
    text = models.CharField(_("检视事项"), max_length=500)

    class Meta:
        verbose_name = _("检视事项")
        verbose_name_plural = _("检视事项")
        ordering = ["checklist", "number"]
        constraints = [models.UniqueConstraint(fields=["checklist", "number"], name="checklistitem_number")]

    def __str__(self) -> str:
        return f"{self.number}. {self.text}"


class Assignment(OrgOwnedModel):
    """A checklist given to one person (a leading cadre) or one organization to answer. ``org`` is where
    the answer is kept: the person's branch, or the organization itself."""

    checklist = models.ForeignKey(Checklist, verbose_name=_("检视清单"), on_delete=models.CASCADE,
                                  related_name="assignments")
    member = models.ForeignKey("orgs.Member", verbose_name=_("检视对象（个人）"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    org = models.ForeignKey("orgs.Organization", verbose_name=_("检视对象所在组织"), on_delete=models.PROTECT,
                            related_name="+")
    for_org = models.BooleanField(_("以组织名义检视"), default=False)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)

    class Meta:
        verbose_name = pgettext_lazy("singular", "检视任务")
        verbose_name_plural = _("检视任务")
        ordering = ["checklist", "org_path", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["checklist", "member"], condition=Q(member__isnull=False),
                                    name="assignment_once_per_member"),
            models.UniqueConstraint(fields=["checklist", "org"], condition=Q(for_org=True),
                                    name="assignment_once_per_org"),
            models.CheckConstraint(condition=Q(for_org=True, member__isnull=True)
                                   | Q(for_org=False, member__isnull=False),
                                   name="assignment_person_or_org"),
        ]

    def __str__(self) -> str:
        who = self.member.name if self.member_id and self.member else self.org.name
        return f"{self.checklist} · {who}"

    def get_absolute_url(self) -> str:
        return reverse("campaigns:assignment_detail", args=[self.pk])

    @classmethod
    def self_scope_q(cls, user: Any) -> Q | None:
        return Q(member__user=user)


class AnswerRow(TimestampedModel):
    assignment = models.ForeignKey(Assignment, verbose_name=_("检视任务"), on_delete=models.CASCADE,
                                   related_name="answers")
    item = models.ForeignKey(ChecklistItem, verbose_name=_("检视事项"), on_delete=models.CASCADE, related_name="+")
    answer = models.CharField(_("对照结果"), max_length=10, choices=Answer.choices)
    note = models.TextField(_("具体情况"), blank=True)

    class Meta:
        verbose_name = pgettext_lazy("singular", "检视结果")
        verbose_name_plural = _("检视结果")
        ordering = ["assignment", "item__number"]
        constraints = [models.UniqueConstraint(fields=["assignment", "item"], name="answer_once_per_item")]

    def __str__(self) -> str:
        return f"{self.item.number}: {self.get_answer_display()}"
