"""Essay requests, essays and their submitted versions, the reference corpus and the allow-list.

An essay belongs to two places in the tree — the member's branch and the organization that requested it —
and is visible to the managers of either (``scope_path_fields``), and to its author. Each submission
freezes the text as a new ``EssayVersion``; the originality check and the review are recorded on it, so
every version, its result and its review are kept.
"""

from __future__ import annotations

import hashlib
from typing import Any, ClassVar

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.fields import TreePathField, path_index
from core.models import OrgOwnedModel, ScopedModel, TimestampedModel
from core.tree import ancestor_paths
from essays.choices import CheckStatus, Decision, EssayAudience, EssayStatus


def text_summary(text: str) -> str:
    text = text or ""
    return f"{len(text)} · {hashlib.sha256(text.encode()).hexdigest()[:10]}"


class EssayRequest(OrgOwnedModel):
    """An organization asks members for a reflection essay (on an activity, a campaign or a theme)."""

    org = models.ForeignKey("orgs.Organization", verbose_name=_("布置单位"), on_delete=models.PROTECT,
                            related_name="essay_requests")
    title = models.CharField(_("题目"), max_length=200)
    instructions = models.TextField(_("写作要求"), blank=True)
    activity = models.ForeignKey("learning.Activity", verbose_name=_("关联学习活动"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="essay_requests")
    min_length = models.PositiveIntegerField(
        _("最少字数"), default=800, validators=[MinValueValidator(50), MaxValueValidator(20000)],
        help_text=_("按汉字、字母和数字计，不计标点和空格"))
    deadline = models.DateField(_("截止日期"))
    audience = models.CharField(_("撰写对象"), max_length=20, choices=EssayAudience.choices,
                                default=EssayAudience.SUBTREE)
    audience_members = models.ManyToManyField("orgs.Member", verbose_name=_("指定党员"), blank=True,
                                              related_name="+")

    class Meta:
        verbose_name = pgettext_lazy("singular", "心得体会布置")
        verbose_name_plural = _("心得体会布置")
        ordering = ["-deadline", "-pk"]
        indexes = [path_index("org_path", "deadline", name="essayrequest_scope_deadline")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("essays:request_detail", args=[self.pk])

    @classmethod
    def self_scope_q(cls, user: Any) -> Q | None:
        """A member sees the requests addressed to them (by any audience rule) and those they wrote for."""
        from orgs.models import Member

        member = Member.objects.filter(user=user).only("pk", "org_path").first() if user.is_authenticated else None
        if member is None:
            return None
        from learning.choices import CREDITED_ATTENDANCE
        from learning.models import Attendance

        chosen = cls.audience_members.through.objects.filter(member=member)
        attended = Attendance.objects.filter(member=member, status__in=CREDITED_ATTENDANCE)
        return (Q(audience=EssayAudience.SUBTREE, org_path__in=ancestor_paths(member.org_path))
                | Q(audience=EssayAudience.MEMBERS, pk__in=chosen.values("essayrequest_id"))
                | Q(audience=EssayAudience.ATTENDEES, org_path__in=ancestor_paths(member.org_path),
                    activity__in=attended.values("activity_id"))
                | Q(pk__in=Essay.objects.filter(member=member).values("request_id")))

    @classmethod
    def reaching_q(cls, path: str) -> Q | None:
        """A subtree's managers see the requests made above it that ask their members."""
        above = ancestor_paths(path)[:-1]
        named = cls.audience_members.through.objects.filter(member__org_path__subtree=path)
        return (Q(audience__in=(EssayAudience.SUBTREE, EssayAudience.ATTENDEES), org_path__in=above)
                | Q(audience=EssayAudience.MEMBERS, pk__in=named.values("essayrequest_id")))


class Essay(ScopedModel):
    """One member's essay for one request: the current text (a draft while being written) and its state."""

    scope_path_field: ClassVar[str] = "org_path"
    scope_path_fields: ClassVar[tuple[str, ...]] = ("org_path", "request_org_path")

    request = models.ForeignKey(EssayRequest, verbose_name=_("心得体会布置"), on_delete=models.PROTECT,
                                related_name="essays")
    member = models.ForeignKey("orgs.Member", verbose_name=_("作者"), on_delete=models.PROTECT,
                               related_name="essays")
    org = models.ForeignKey("orgs.Organization", verbose_name=_("所在党支部"), on_delete=models.PROTECT,
                            related_name="+")
    org_path = TreePathField()
    request_org_path = TreePathField()
    title = models.CharField(_("标题"), max_length=200)
    text = models.TextField(_("正文"), blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=EssayStatus.choices, default=EssayStatus.DRAFT)
    submitted_at = models.DateTimeField(_("最近提交时间"), null=True, blank=True)
    versions_count = models.PositiveIntegerField(_("提交次数"), default=0)
    # Days after the request's deadline the essay was first handed in (0: on time; none: not yet).
    late_days = models.PositiveIntegerField(_("逾期天数"), null=True, blank=True)
    originality = models.DecimalField(_("原创度"), max_digits=4, decimal_places=1, null=True, blank=True,
                                      help_text=_("最近一次提交的检查结果（%）"))

    class Meta:
        verbose_name = pgettext_lazy("singular", "心得体会")
        verbose_name_plural = _("心得体会")
        ordering = ["-submitted_at", "-pk"]
        indexes = [path_index("org_path", "status", name="essay_scope_status"),
                   path_index("request_org_path", "status", name="essay_request_scope_status")]
        constraints = [
            models.UniqueConstraint(fields=["request", "member"], name="essay_once_per_request",
                                    violation_error_message=_("您已经为这项布置写过心得体会。")),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("essays:essay_detail", args=[self.pk])

    @classmethod
    def self_scope_q(cls, user: Any) -> Q | None:
        return Q(member__user=user)

    def changelog_parent(self) -> models.Model | None:
        return self.request

    def changelog_data(self) -> dict[str, Any]:
        data = super().changelog_data()
        # The text is kept in the versions; the log records its size and digest, not every draft of it.
        data["text"] = text_summary(self.text)
        return data

    @property
    def editable(self) -> bool:
        return self.status in (EssayStatus.DRAFT, EssayStatus.RETURNED, EssayStatus.SUBMITTED)


class EssayVersion(ScopedModel):
    """A submitted text, frozen: its originality check and its review."""

    scope_path_field: ClassVar[str] = "org_path"
    scope_path_fields: ClassVar[tuple[str, ...]] = ("org_path", "request_org_path")

    essay = models.ForeignKey(Essay, verbose_name=_("心得体会"), on_delete=models.CASCADE, related_name="versions")
    member = models.ForeignKey("orgs.Member", verbose_name=_("作者"), on_delete=models.PROTECT, related_name="+")
    org = models.ForeignKey("orgs.Organization", verbose_name=_("所在党支部"), on_delete=models.PROTECT,
                            related_name="+")
    org_path = TreePathField()
    request_org_path = TreePathField()
    number = models.PositiveIntegerField(_("版本"))
    title = models.CharField(_("标题"), max_length=200)
    text = models.TextField(_("正文"))
    submitted_at = models.DateTimeField(_("提交时间"))
    check_status = models.CharField(_("原创度检查"), max_length=10, choices=CheckStatus.choices,
                                    default=CheckStatus.PENDING)
    originality = models.DecimalField(_("原创度"), max_digits=4, decimal_places=1, null=True, blank=True)
    result = models.JSONField(_("检查结果"), default=dict, blank=True)
    checked_at = models.DateTimeField(_("检查时间"), null=True, blank=True)
    decision = models.CharField(_("审阅结论"), max_length=10, choices=Decision.choices, blank=True)
    comment = models.TextField(_("审阅意见"), blank=True)
    reviewer = models.ForeignKey("auth.User", verbose_name=_("审阅人"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    reviewed_at = models.DateTimeField(_("审阅时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("心得体会版本")
        verbose_name_plural = _("心得体会版本")
        ordering = ["essay", "-number"]
        constraints = [models.UniqueConstraint(fields=["essay", "number"], name="essay_version_number")]

    def __str__(self) -> str:
        return f"{self.title} v{self.number}"

    @classmethod
    def self_scope_q(cls, user: Any) -> Q | None:
        return Q(member__user=user)

    def changelog_parent(self) -> models.Model | None:
        return self.essay

    def changelog_data(self) -> dict[str, Any]:
        data = super().changelog_data()
        data["text"] = text_summary(self.text)
        data.pop("result", None)
        return data


class ReferenceDocument(TimestampedModel):
    """A published text essays are checked against: an article, a speech, a widely reprinted essay.
    The corpus belongs to the installation (an administrator loads it), not to an organization."""

    title = models.CharField(_("标题"), max_length=300)
    source_url = models.URLField(_("来源网址"), max_length=500, blank=True)
    text = models.TextField(_("正文"))
    digest = models.CharField(_("内容摘要"), max_length=64, unique=True, help_text=_("正文的 SHA-256，避免重复载入"))

    class Meta:
        verbose_name = _("参考文献")
        verbose_name_plural = _("参考文献库")
        ordering = ["-pk"]

    def __str__(self) -> str:
        return self.title

    def changelog_data(self) -> dict[str, Any]:
        from core.changelog import serialize

        data = serialize(self)
        data["text"] = text_summary(self.text)
        return data


class Formulation(TimestampedModel):
    """A phrase everybody may write (a slogan, a formula, a quotation of the regulations): never evidence
    of copying. Kept by the administrator, for the whole installation."""

    text = models.CharField(_("规范表述"), max_length=500, unique=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("规范表述（不计雷同）")
        verbose_name_plural = _("规范表述（不计雷同）")
        ordering = ["text"]

    def __str__(self) -> str:
        return self.text
