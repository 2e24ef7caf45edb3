from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.fields import path_index
from core.models import OrgOwnedModel
from learning.choices import PointAction, RecordSource, StudyKind


class StudyRecord(OrgOwnedModel):
    """One line of a member's hours ledger (学时台账): an attended activity, a make-up, hours done elsewhere."""

    org = models.ForeignKey("orgs.Organization", verbose_name=_("所在党支部"), on_delete=models.PROTECT,
                            related_name="+")
    member = models.ForeignKey("orgs.Member", verbose_name=_("党员"), on_delete=models.PROTECT,
                               related_name="study_records")
    date = models.DateField(_("学习日期"))
    year = models.PositiveSmallIntegerField(_("年度"), editable=False)
    hours = models.DecimalField(_("学时"), max_digits=5, decimal_places=1, validators=[
        MinValueValidator(Decimal("0.5"), _("学时至少为0.5")), MaxValueValidator(24, _("一天不超过24学时"))])
    kind = models.CharField(_("学时类别"), max_length=20, choices=StudyKind.choices)
    source = models.CharField(_("来源"), max_length=20, choices=RecordSource.choices)
    title = models.CharField(_("学习内容"), max_length=200)
    provider = models.CharField(_("举办单位或平台"), max_length=200, blank=True)
    reference = models.CharField(_("证书或记录编号"), max_length=64, blank=True)
    attendance = models.OneToOneField("learning.Attendance", verbose_name=_("出勤记录"), null=True, blank=True,
                                      on_delete=models.CASCADE, related_name="record")

    class Meta:
        verbose_name = _("学时记录")
        verbose_name_plural = _("学时台账")
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["member", "year"], name="studyrecord_member_year")]
        constraints = [
            models.CheckConstraint(condition=Q(hours__gt=0) & Q(hours__lte=24), name="studyrecord_hours_range",
                                   violation_error_message=_("学时应大于0且一天不超过24学时。")),
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.date:%Y-%m-%d} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("learning:record_detail", args=[self.pk])

    @classmethod
    def self_scope_q(cls, user: Any) -> Q | None:
        return Q(member__user=user)

    def clean(self) -> None:
        # Here as well as in the service, so that a form reports it together with the other fields' errors.
        from learning.ledger import year_error

        if self.date and self.date > timezone.localdate():
            raise ValidationError({"date": _("学习日期不能晚于今天")})
        problem = year_error(self.date)
        if problem:
            raise ValidationError({"date": problem})

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.year = self.date.year
        super().save(*args, **kwargs)

    def changelog_parent(self) -> models.Model | None:
        return self.member


class MemberYear(OrgOwnedModel):
    """A member's totals for one year, kept current by the services in the same transaction as every
    ledger change, so that compliance pages aggregate one row per member and never scan the records."""

    org = models.ForeignKey("orgs.Organization", verbose_name=_("所在党支部"), on_delete=models.PROTECT,
                            related_name="+")
    member = models.ForeignKey("orgs.Member", verbose_name=_("党员"), on_delete=models.CASCADE,
                               related_name="study_years")
    year = models.PositiveSmallIntegerField(_("年度"))
    hours = models.DecimalField(_("全部学时"), max_digits=5, decimal_places=1, default=0)
    capped_hours = models.DecimalField(_("网络和自学学时"), max_digits=5, decimal_places=1, default=0)
    counted = models.DecimalField(_("计入学时"), max_digits=5, decimal_places=1, default=0)
    trainings = models.PositiveSmallIntegerField(_("集中培训次数"), default=0)
    required = models.DecimalField(_("应完成学时"), max_digits=5, decimal_places=1, default=0)
    trainings_required = models.PositiveSmallIntegerField(_("应参加集中培训次数"), default=0)
    leader = models.BooleanField(_("书记或班子成员"), default=False)

    class Meta:
        verbose_name = _("年度学时")
        verbose_name_plural = _("年度学时")
        ordering = ["year", "org_path", "member"]
        # Covering: a subtree's compliance figures are an index-only range scan, one entry per member.
        indexes = [path_index("year", "org_path", "required", "counted", "trainings", "trainings_required",
                              name="memberyear_compliance")]
        constraints = [models.UniqueConstraint(fields=["member", "year"], name="memberyear_once")]

    def __str__(self) -> str:
        return f"{self.member} {self.year}"

    @classmethod
    def self_scope_q(cls, user: Any) -> Q | None:
        return Q(member__user=user)


class PointEntry(OrgOwnedModel):
    """Study points (积分) a member earned for one action, after the per-action and daily caps."""

    org = models.ForeignKey("orgs.Organization", verbose_name=_("所在党支部"), on_delete=models.PROTECT,
                            related_name="+")
    member = models.ForeignKey("orgs.Member", verbose_name=_("党员"), on_delete=models.CASCADE,
                               related_name="points")
    date = models.DateField(_("日期"))
    action = models.CharField(_("事项"), max_length=20, choices=PointAction.choices)
    points = models.PositiveSmallIntegerField(_("积分"))
    ref = models.CharField(_("来源"), max_length=64, help_text=_("如 attendance-12、attempt-5"))

    class Meta:
        verbose_name = _("学习积分")
        verbose_name_plural = _("学习积分")
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["member", "date"], name="points_member_date"),
                   path_index("org_path", "date", name="points_scope_date")]
        constraints = [models.UniqueConstraint(fields=["member", "action", "ref"], name="points_once_per_ref")]

    def __str__(self) -> str:
        return f"{self.member} {self.get_action_display()} {self.points}"

    @classmethod
    def self_scope_q(cls, user: Any) -> Q | None:
        return Q(member__user=user)
