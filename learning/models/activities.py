from __future__ import annotations

from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.fields import TreePathField, path_index
from core.models import OrgOwnedModel, ScopedModel
from core.tree import ancestor_paths
from learning import rules
from learning.choices import (
    ActivityForm,
    AttendanceMethod,
    AttendanceStatus,
    Audience,
    Frequency,
    StudyKind,
)


def _own_member(user: Any) -> Any:
    from orgs.models import Member

    return Member.objects.filter(user=user).only("pk", "org_path").first() if user.is_authenticated else None


class ActivitySeries(OrgOwnedModel):
    """A recurring activity (the monthly 主题党日 …): the rule its activities were created from."""

    title = models.CharField(_("名称"), max_length=200)
    form = models.CharField(_("学习形式"), max_length=20, choices=ActivityForm.choices)
    frequency = models.CharField(_("周期"), max_length=10, choices=Frequency.choices, default=Frequency.MONTHLY)
    day = models.PositiveSmallIntegerField(
        _("日期"), help_text=_("每月的第几天（1–28），或每周的星期几（1=星期一 … 7=星期日）"))
    first_date = models.DateField(_("首次日期不早于"))
    last_date = models.DateField(_("末次日期不晚于"))
    start_time = models.TimeField(_("开始时间"))
    end_time = models.TimeField(_("结束时间"))
    place = models.CharField(_("地点"), max_length=200, blank=True)
    audience = models.CharField(_("参加对象"), max_length=20, choices=Audience.choices, default=Audience.SUBTREE)

    class Meta:
        verbose_name = _("周期性活动")
        verbose_name_plural = _("周期性活动")
        ordering = ["-first_date", "pk"]

    def __str__(self) -> str:
        return self.title


class Activity(OrgOwnedModel):
    """A study activity organized by one organization for an audience of members, crediting hours."""

    org = models.ForeignKey(
        "orgs.Organization", verbose_name=_("组织单位"), on_delete=models.PROTECT, related_name="activities"
    )
    title = models.CharField(_("名称"), max_length=200)
    form = models.CharField(_("学习形式"), max_length=20, choices=ActivityForm.choices)
    kind = models.CharField(_("学时类别"), max_length=20, choices=StudyKind.choices,
                            help_text=_("集中培训计入书记和班子成员的培训要求；网络学习和个人自学计入学时有上限"))
    start = models.DateTimeField(_("开始时间"))
    end = models.DateTimeField(_("结束时间"))
    place = models.CharField(_("地点"), max_length=200, blank=True)
    link = models.URLField(_("在线链接"), blank=True)
    materials = models.TextField(_("学习材料"), blank=True)
    hours = models.DecimalField(_("认定学时"), max_digits=5, decimal_places=1,
                                help_text=_("留空时按折算规则计算：全天8学时，半天4学时，其余按实际小时"))
    audience = models.CharField(_("参加对象"), max_length=20, choices=Audience.choices, default=Audience.SUBTREE)
    audience_orgs = models.ManyToManyField(
        "orgs.Organization", verbose_name=_("指定组织"), blank=True, related_name="+")
    audience_members = models.ManyToManyField(
        "orgs.Member", verbose_name=_("指定党员"), blank=True, related_name="+")
    sign_in_code = models.CharField(_("签到码"), max_length=8, blank=True,
                                    help_text=_("可选；填写后，党员签到时须输入现场公布的签到码"))
    makeup_until = models.DateField(_("补学截止日期"), null=True, blank=True)
    series = models.ForeignKey(ActivitySeries, verbose_name=_("所属周期性活动"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="activities")

    class Meta:
        verbose_name = _("学习活动")
        verbose_name_plural = _("学习活动")
        ordering = ["-start", "-pk"]
        indexes = [path_index("org_path", "start", name="activity_scope_start")]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="activity_end_after_start",
                                   violation_error_message=_("结束时间必须晚于开始时间。")),
            models.CheckConstraint(condition=Q(hours__gte=0), name="activity_hours_not_negative",
                                   violation_error_message=_("学时不能为负数。")),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("learning:activity_detail", args=[self.pk])

    @classmethod
    def self_scope_q(cls, user: Any) -> Q | None:
        """A member sees the activities they are asked to attend or attended."""
        member = _own_member(user)
        if member is None:
            return None
        above = ancestor_paths(member.org_path)
        audiences = [Audience.SUBTREE]
        if member.positions.filter(term_end__isnull=True).exists():
            audiences += [Audience.LEADERS, Audience.SECRETARIES]
        # Subqueries rather than joins, so that an activity is never listed twice.
        chosen_orgs = cls.audience_orgs.through.objects.filter(organization__path__in=above)
        chosen_members = cls.audience_members.through.objects.filter(member=member)
        return (
            Q(audience__in=audiences, org_path__in=above)
            | Q(audience=Audience.ORGS, pk__in=chosen_orgs.values("activity_id"))
            | Q(audience=Audience.MEMBERS, pk__in=chosen_members.values("activity_id"))
            | Q(pk__in=Attendance.objects.filter(member=member).values("activity_id"))
        )

    @classmethod
    def reaching_q(cls, path: str) -> Q | None:
        """Managers and inspectors of a subtree also see the activities held above it for their members:
        for the whole subtree of an ancestor, or naming an organization of theirs."""
        above = ancestor_paths(path)[:-1]
        chosen = cls.audience_orgs.through.objects.filter(organization__path__subtree=path)
        named = cls.audience_members.through.objects.filter(member__org_path__subtree=path)
        return (Q(audience__in=(Audience.SUBTREE, Audience.LEADERS, Audience.SECRETARIES), org_path__in=above)
                | Q(audience=Audience.ORGS, pk__in=chosen.values("activity_id"))
                | Q(audience=Audience.MEMBERS, pk__in=named.values("activity_id")))

    def changelog_data(self) -> dict[str, Any]:
        data = super().changelog_data()
        if data.get("sign_in_code"):
            data["sign_in_code"] = "****"  # read by inspectors and members' managers; the code is for the site
        return data

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.start and self.end:
            if self.end <= self.start:
                errors["end"] = str(_("结束时间必须晚于开始时间"))
            elif self.hours is not None and self.hours > rules.max_hours(self.start, self.end):
                errors["hours"] = str(_("学时不能超过每天24学时"))
            elif self.hours is not None and self.hours > rules.MAX_HOURS_PER_DAY:
                # Each attendance credits one line of the hours ledger, and a line holds one day's hours.
                errors["hours"] = str(_("一次活动最多计%(n)s学时；更长的培训请按天分别建立活动（可用“周期性活动”）")
                                      % {"n": rules.MAX_HOURS_PER_DAY})
        if self.hours is not None and self.hours < 0:
            errors["hours"] = str(_("学时不能为负数"))
        if self.makeup_until and self.end and self.makeup_until < timezone.localtime(self.end).date():
            errors["makeup_until"] = str(_("补学截止日期不能早于活动结束的日期"))
        if self.start:
            from learning.ledger import year_error

            problem = year_error(timezone.localtime(self.start).date())
            if problem:
                errors["start"] = problem
        if errors:
            raise ValidationError(errors)


def material_path(instance: ActivityMaterial, filename: str) -> str:
    return f"learning/materials/{instance.activity_id}/{filename}"


class ActivityMaterial(ScopedModel):
    """A file handed out with an activity (slides, a speech, a regulation); whoever sees the activity may read it."""

    scope_path_field: ClassVar[str] = "org_path"

    @classmethod
    def self_scope_q(cls, user: Any) -> Q | None:
        q = Activity.self_scope_q(user)
        return None if q is None else Q(activity__in=Activity.objects.filter(q).values("pk"))

    @classmethod
    def reaching_q(cls, path: str) -> Q | None:
        return Q(activity__in=Activity.objects.filter(Activity.reaching_q(path)).values("pk"))

    activity = models.ForeignKey(Activity, verbose_name=_("学习活动"), on_delete=models.CASCADE,
                                 related_name="files")
    org_path = TreePathField()
    title = models.CharField(_("文件名"), max_length=200)
    file = models.FileField(_("文件"), upload_to=material_path, max_length=300)

    class Meta:
        verbose_name = pgettext_lazy("singular", "学习材料")
        verbose_name_plural = _("学习材料")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.title

    def changelog_parent(self) -> models.Model | None:
        return self.activity


class Attendance(ScopedModel):
    """One member's attendance at one activity; its organizer's subtree and the member's branch both see it."""

    scope_path_field: ClassVar[str] = "org_path"
    scope_path_fields: ClassVar[tuple[str, ...]] = ("org_path", "activity_org_path")

    activity = models.ForeignKey(Activity, verbose_name=_("学习活动"), on_delete=models.PROTECT,
                                 related_name="attendances")
    member = models.ForeignKey("orgs.Member", verbose_name=_("党员"), on_delete=models.PROTECT,
                               related_name="attendances")
    org = models.ForeignKey("orgs.Organization", verbose_name=_("所在党支部"), on_delete=models.PROTECT,
                            related_name="+")
    org_path = TreePathField()
    activity_org_path = TreePathField()
    status = models.CharField(_("出勤情况"), max_length=10, choices=AttendanceStatus.choices)
    method = models.CharField(_("登记方式"), max_length=10, choices=AttendanceMethod.choices)
    reason = models.CharField(_("缺席或请假原因"), max_length=300, blank=True)
    signed_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    hours = models.DecimalField(_("认定学时"), max_digits=5, decimal_places=1, default=0)

    class Meta:
        verbose_name = _("出勤记录")
        verbose_name_plural = _("出勤记录")
        ordering = ["activity", "org_path", "member"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "member"], name="attendance_once",
                                    violation_error_message=_("该党员在这次活动已有出勤记录。")),
        ]

    def __str__(self) -> str:
        return f"{self.activity} {self.member} {self.get_status_display()}"

    @classmethod
    def self_scope_q(cls, user: Any) -> Q | None:
        return Q(member__user=user)

    def changelog_parent(self) -> models.Model | None:
        return self.activity


class SignInFailure(ScopedModel):
    """One wrong sign-in code entered by a member for an activity. The count of these limits guessing
    (``learning.sign_in.max_wrong_codes``) and shows on the organizer's roll; like attendance, the
    organizer's subtree and the member's branch both see it."""

    scope_path_field: ClassVar[str] = "org_path"
    scope_path_fields: ClassVar[tuple[str, ...]] = ("org_path", "activity_org_path")

    activity = models.ForeignKey(Activity, verbose_name=_("学习活动"), on_delete=models.CASCADE,
                                 related_name="sign_in_failures")
    member = models.ForeignKey("orgs.Member", verbose_name=_("党员"), on_delete=models.CASCADE, related_name="+")
    org = models.ForeignKey("orgs.Organization", verbose_name=_("所在党支部"), on_delete=models.PROTECT,
                            related_name="+")
    org_path = TreePathField()
    activity_org_path = TreePathField()

    class Meta:
        verbose_name = pgettext_lazy("singular", "签到码错误记录")
        verbose_name_plural = _("签到码错误记录")
        ordering = ["activity", "member", "pk"]
        indexes = [models.Index(fields=["activity", "member"], name="signin_failure_member")]

    def __str__(self) -> str:
        return f"{self.activity} {self.member}"
