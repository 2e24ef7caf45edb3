"""The problem ledger: one problem, one account (一个问题一个账号).

A ``Problem`` is one line of the 问题清单 together with its rectification (整改) — the five clarities
(问题内容、责任主体、整改标准、整改措施、办结时限), its type and state — so that the three lists offices hand
in (问题清单、整改清单、责任清单) are three views of the same rows. Progress updates carry evidence; each
decision of the level above (销号, return, reopening at a later check) is a ``Review``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from campaigns import rules
from campaigns.choices import (
    EvidencePhase,
    ProblemSeverity,
    ProblemSource,
    ProblemStatus,
    RectificationKind,
    ReviewDecision,
)
from core.fields import TreePathField, path_index
from core.models import OrgOwnedModel, ScopedModel, TimestampedModel


class Problem(OrgOwnedModel):
    org = models.ForeignKey("orgs.Organization", verbose_name=_("责任单位"), on_delete=models.PROTECT,
                            related_name="problems")
    campaign = models.ForeignKey("campaigns.Campaign", verbose_name=_("主题教育"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="problems")
    category = models.ForeignKey("campaigns.Category", verbose_name=_("问题类别"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="problems")
    title = models.CharField(_("问题概述"), max_length=200)
    description = models.TextField(_("问题内容"))
    source = models.CharField(_("问题来源"), max_length=10, choices=ProblemSource.choices)
    severity = models.CharField(_("严重程度"), max_length=10, choices=ProblemSeverity.choices,
                                default=ProblemSeverity.GENERAL)
    found_on = models.DateField(_("发现日期"))
    owner = models.ForeignKey("orgs.Member", verbose_name=_("责任人"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="problems")
    leader = models.CharField(_("责任领导"), max_length=50, blank=True)
    # The rectification: standard, measures, type and deadline.
    kind = models.CharField(_("整改类型"), max_length=10, choices=RectificationKind.choices,
                            default=RectificationKind.DEADLINE)
    standard = models.TextField(_("整改标准"))
    measures = models.TextField(_("整改措施"))
    deadline = models.DateField(_("办结时限"))
    deadline_workdays = models.PositiveSmallIntegerField(
        _("办结时限（工作日）"), null=True, blank=True, validators=[MaxValueValidator(rules.MAX_DEADLINE_WORKDAYS)],
        help_text=_("填写后办结时限按发现日期起算的工作日计算（跳过法定节假日，含调休上班日）"))
    status = models.CharField(_("整改状态"), max_length=12, choices=ProblemStatus.choices,
                              default=ProblemStatus.OPEN)
    submitted_at = models.DateTimeField(_("申请销号时间"), null=True, blank=True)
    # Who asked, so that someone else reviews (the level above may ask for a branch with nobody who can).
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("申请人"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+", db_index=False)
    closed_on = models.DateField(_("销号日期"), null=True, blank=True)
    reopened = models.PositiveSmallIntegerField(_("回头看重新整改次数"), default=0)
    # Where the problem came from, when not typed in: a gap, an essay, a self-inspection answer.
    gap_rule = models.CharField(_("差距规则"), max_length=60, blank=True)
    gap_org = models.ForeignKey("orgs.Organization", verbose_name=_("差距所在组织"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    gap_member = models.ForeignKey("orgs.Member", verbose_name=_("差距涉及党员"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    gap_title = models.CharField(_("差距"), max_length=200, blank=True)
    # Which of the rule's gaps for that organization and member (``core.gaps.Gap.ref``), in any language.
    gap_ref = models.CharField(_("差距标识"), max_length=60, blank=True)
    essay = models.ForeignKey("essays.Essay", verbose_name=_("心得体会"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    answer = models.ForeignKey("campaigns.AnswerRow", verbose_name=_("检视结果"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="problems")

    class Meta:
        verbose_name = _("问题整改台账")
        verbose_name_plural = _("问题整改台账")
        ordering = ["-found_on", "-pk"]
        indexes = [
            # The dashboards (campaigns.dashboard): each holds every column its query reads.
            path_index("org_path", "campaign", "status", "deadline", "closed_on", name="problem_scope_figures"),
            path_index("category", "org_path", "status", "deadline", "closed_on", "campaign",
                       name="problem_category_figures"),
            path_index("found_on", "org_path", "campaign", name="problem_found_series"),
            path_index("closed_on", "org_path", "campaign", name="problem_closed_series"),
            # The daily digests: open items by deadline.
            models.Index(fields=["deadline", "status"], name="problem_deadline_status"),
            # The home page's to-dos and the lists they link to: the few problems waiting for a review or
            # returned, in a subtree. Partial, so that no other query (the gap page's follow-ups walk the
            # ledger by rule) is tempted by a (status, org_path) index; holding ``status`` lets the
            # database count them from the index alone when the status is a bound parameter.
            path_index("org_path", "status", name="problem_submitted_scope",
                       condition=Q(status=ProblemStatus.SUBMITTED)),
            path_index("org_path", "status", name="problem_returned_scope",
                       condition=Q(status=ProblemStatus.RETURNED)),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(deadline__gte=models.F("found_on")), name="problem_deadline_after_found",
                                   violation_error_message=_("办结时限不能早于发现日期。")),
        ]

    def __str__(self) -> str:
        return f"{self.ledger_no} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("campaigns:problem_detail", args=[self.pk])

    @property
    def ledger_no(self) -> str:
        """The account number of the problem in the ledger."""
        return self.ledger_no_of(self.pk)

    @staticmethod
    def ledger_no_of(pk: int | None) -> str:
        return f"WT{pk:07d}" if pk else ""

    @property
    def gap_key(self) -> tuple[Any, ...]:
        """The ``core.gaps.Gap.key`` of the gap the problem was filed for."""
        return (self.gap_rule, self.gap_org_id, self.gap_member_id, self.gap_ref)

    @classmethod
    def self_scope_q(cls, user: Any) -> Q | None:
        return Q(owner__user=user)

    @property
    def is_open(self) -> bool:
        return self.status != ProblemStatus.CLOSED


class Milestone(TimestampedModel):
    """A step of a rectification or of a 办实事 project, with its date and when it was reached."""

    problem = models.ForeignKey(Problem, verbose_name=_("问题"), null=True, blank=True, on_delete=models.CASCADE,
                                related_name="milestones")
    project = models.ForeignKey("campaigns.Project", verbose_name=_("办实事项目"), null=True, blank=True,
                                on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("节点"), max_length=200)
    due = models.DateField(_("计划完成"))
    done_on = models.DateField(_("实际完成"), null=True, blank=True)

    class Meta:
        verbose_name = pgettext_lazy("singular", "时间节点")
        verbose_name_plural = _("时间节点")
        ordering = ["due", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(problem__isnull=False, project__isnull=True)
                                   | Q(problem__isnull=True, project__isnull=False), name="milestone_one_owner"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def added_today(self) -> bool:
        """Whether the step was added today: only then may it be deleted as a mistake."""
        return self.created is not None and timezone.localdate(self.created) == timezone.localdate()

    def clean(self) -> None:
        """A step falls within what it is a step of: from the problem's finding (the project's start) to its
        deadline."""
        owner: Any = self.problem or self.project
        if owner is None or self.due is None:
            return
        first = owner.found_on if self.problem is not None else owner.start
        last = owner.deadline
        if first and self.due < first:
            raise ValidationError({"due": _("计划完成日期不能早于%(label)s（%(d)s）")
                                   % {"label": _("发现日期") if self.problem is not None else _("开始日期"),
                                      "d": f"{first:%Y-%m-%d}"}})
        if last and self.due > last:
            raise ValidationError({"due": _("计划完成日期不能晚于%(label)s（%(d)s）")
                                   % {"label": _("办结时限") if self.problem is not None else _("完成时限"),
                                      "d": f"{last:%Y-%m-%d}"}})


class ProgressUpdate(ScopedModel):
    """A note of progress on a rectification, with its evidence files."""

    problem = models.ForeignKey(Problem, verbose_name=_("问题"), on_delete=models.CASCADE, related_name="updates")
    org_path = TreePathField()
    text = models.TextField(_("整改进展"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("填报人"), null=True,
                               on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("整改进展")
        verbose_name_plural = _("整改进展")
        ordering = ["-created", "-pk"]

    def __str__(self) -> str:
        return self.text[:40]

    @classmethod
    def self_scope_q(cls, user: Any) -> Q | None:
        return Q(problem__owner__user=user)

    def changelog_parent(self) -> models.Model | None:
        return self.problem


class Evidence(ScopedModel):
    """A file that shows the work: a photo, a scanned record, a document. Served only through a scoped view."""

    update = models.ForeignKey(ProgressUpdate, verbose_name=_("整改进展"), null=True, blank=True,
                               on_delete=models.CASCADE, related_name="files")
    project = models.ForeignKey("campaigns.Project", verbose_name=_("办实事项目"), null=True, blank=True,
                                on_delete=models.CASCADE, related_name="files")
    phase = models.CharField(_("阶段"), max_length=10, choices=EvidencePhase.choices, default=EvidencePhase.PROGRESS)
    org_path = TreePathField()
    file = models.FileField(_("文件"), upload_to="evidence/%Y/%m/")
    name = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveIntegerField(_("大小（字节）"))
    content_type = models.CharField(_("类型"), max_length=100)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("上传人"), null=True,
                                    on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=Q(update__isnull=False, project__isnull=True)
                                   | Q(update__isnull=True, project__isnull=False), name="evidence_one_owner"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("campaigns:evidence_file", args=[self.pk])

    @classmethod
    def self_scope_q(cls, user: Any) -> Q | None:
        return Q(update__problem__owner__user=user) | Q(project__owner__user=user)


class Review(ScopedModel):
    """A decision of the level above on a problem: 销号, return with reasons, or reopening (回头看)."""

    problem = models.ForeignKey(Problem, verbose_name=_("问题"), on_delete=models.CASCADE, related_name="reviews")
    org_path = TreePathField()
    decision = models.CharField(_("审核结论"), max_length=10, choices=ReviewDecision.choices)
    comment = models.TextField(_("审核意见"), blank=True)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("审核人"), null=True,
                                 on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("销号审核")
        verbose_name_plural = _("销号审核")
        ordering = ["-created", "-pk"]
        indexes = [path_index("org_path", "created", name="review_scope_created")]

    def __str__(self) -> str:
        return f"{self.problem.ledger_no} {self.get_decision_display()}"

    @classmethod
    def self_scope_q(cls, user: Any) -> Q | None:
        return Q(problem__owner__user=user)

    def changelog_parent(self) -> models.Model | None:
        return self.problem
