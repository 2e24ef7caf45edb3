from __future__ import annotations

from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.fields import TreePathField, path_index
from core.models import OrgOwnedModel, ScopedModel
from learning import rules
from learning.choices import CHOICE_KINDS, AttemptStatus, QuestionKind
from learning.models.activities import ancestor_paths


class Question(OrgOwnedModel):
    """A question of an organization's bank; its answer never leaves the server before submission.

    ``options`` holds the choices of single- and multiple-choice questions; ``answer`` the correct option
    indices (choice questions), ``[true]`` or ``[false]`` (true/false) or, per blank, the accepted answers
    (fill in the blank, blanks written as ``____`` in the text).
    """

    org = models.ForeignKey("orgs.Organization", verbose_name=_("题库所属组织"), on_delete=models.PROTECT,
                            related_name="questions")
    kind = models.CharField(_("题型"), max_length=12, choices=QuestionKind.choices)
    text = models.TextField(_("题干"))
    options = models.JSONField(_("选项"), default=list, blank=True)
    answer = models.JSONField(_("答案"))
    explanation = models.TextField(_("解析"), blank=True)
    tags = models.CharField(_("标签"), max_length=200, blank=True, help_text=_("多个标签用逗号分隔"))
    source = models.CharField(_("出处"), max_length=200, blank=True)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("试题")
        verbose_name_plural = _("题库")
        ordering = ["org_path", "-pk"]
        indexes = [path_index("org_path", "kind", name="question_scope_kind")]

    def __str__(self) -> str:
        return self.text[:60]

    def get_absolute_url(self) -> str:
        return reverse("learning:question_detail", args=[self.pk])

    @property
    def tag_list(self) -> list[str]:
        return rules.split_tags(self.tags)

    def clean(self) -> None:
        problem = rules.question_error(self.kind, self.text, self.options, self.answer)
        if problem:
            raise ValidationError({problem[0]: problem[1]})
        self.tags = ",".join(rules.split_tags(self.tags))

    @property
    def is_choice(self) -> bool:
        return self.kind in CHOICE_KINDS


class Exam(OrgOwnedModel):
    """An exam drawn at random from an organization's bank (and the banks above it) by tag and type counts."""

    org = models.ForeignKey("orgs.Organization", verbose_name=_("组织单位"), on_delete=models.PROTECT,
                            related_name="exams")
    title = models.CharField(_("名称"), max_length=200)
    description = models.TextField(_("说明"), blank=True)
    opens = models.DateTimeField(_("开放时间"))
    closes = models.DateTimeField(_("截止时间"))
    time_limit = models.PositiveSmallIntegerField(_("答题时限（分钟）"), validators=[MinValueValidator(1),
                                                                                  MaxValueValidator(600)])
    attempts_allowed = models.PositiveSmallIntegerField(_("可作答次数"), default=1, validators=[
        MinValueValidator(1), MaxValueValidator(20)])
    pass_mark = models.PositiveSmallIntegerField(_("及格分（百分制）"), default=60, validators=[MaxValueValidator(100)])
    draw = models.JSONField(_("抽题规则"), default=list, help_text=_(
        "每条规则：题型、标签（可空）、题数，如 [{\"kind\": \"single\", \"tag\": \"党章\", \"count\": 10}]"))
    hours_on_pass = models.DecimalField(_("及格计入学时"), max_digits=4, decimal_places=1, default=0,
                                        validators=[MinValueValidator(0), MaxValueValidator(24)])

    class Meta:
        verbose_name = _("考试")
        verbose_name_plural = _("考试")
        ordering = ["-opens", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(closes__gt=models.F("opens")), name="exam_closes_after_opens",
                                   violation_error_message=_("截止时间必须晚于开放时间。")),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("learning:exam_detail", args=[self.pk])

    @classmethod
    def self_scope_q(cls, user: Any) -> Q | None:
        """A member sees the exams of their branch and of the organizations above it."""
        from learning.models.activities import _own_member

        member = _own_member(user)
        return None if member is None else Q(org_path__in=ancestor_paths(member.org_path))

    @classmethod
    def reaching_q(cls, path: str) -> Q | None:
        return Q(org_path__in=ancestor_paths(path)[:-1])

    @property
    def question_count(self) -> int:
        return sum(int(rule.get("count", 0)) for rule in self.draw or [])

    def clean(self) -> None:
        if getattr(self, "draw_unread", False):  # the form reported the rule text it could not read
            return
        problem = rules.draw_error(self.draw)
        if problem:
            raise ValidationError({"draw": problem})


class Attempt(ScopedModel):
    """One member's sitting of an exam: the questions drawn for it, the answers given, the score."""

    scope_path_field: ClassVar[str] = "org_path"
    scope_path_fields: ClassVar[tuple[str, ...]] = ("org_path", "exam_org_path")

    exam = models.ForeignKey(Exam, verbose_name=_("考试"), on_delete=models.PROTECT, related_name="attempts")
    member = models.ForeignKey("orgs.Member", verbose_name=_("党员"), on_delete=models.PROTECT,
                               related_name="attempts")
    org = models.ForeignKey("orgs.Organization", verbose_name=_("所在党支部"), on_delete=models.PROTECT,
                            related_name="+")
    org_path = TreePathField()
    exam_org_path = TreePathField()
    number = models.PositiveSmallIntegerField(_("第几次作答"), default=1)
    status = models.CharField(_("状态"), max_length=10, choices=AttemptStatus.choices, default=AttemptStatus.OPEN)
    started = models.DateTimeField(_("开始时间"))
    deadline = models.DateTimeField(_("交卷期限"))
    submitted = models.DateTimeField(_("交卷时间"), null=True, blank=True)
    questions = models.JSONField(_("试题"), default=list, help_text=_("抽中的试题编号，按答卷中的顺序"))
    # The same questions as rows, so that a question's use is one indexed lookup (and never a shared row
    # that concurrent starts would all update).
    drawn = models.ManyToManyField(Question, verbose_name=_("抽中的试题"), related_name="attempts", editable=False)
    answers = models.JSONField(_("作答"), default=dict, blank=True)
    results = models.JSONField(_("判分"), default=dict, blank=True)
    score = models.DecimalField(_("得分（百分制）"), max_digits=4, decimal_places=1, null=True, blank=True)
    passed = models.BooleanField(_("及格"), default=False)

    class Meta:
        verbose_name = _("答卷")
        verbose_name_plural = _("答卷")
        ordering = ["-started", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["exam", "member", "number"], name="attempt_number_once"),
            models.UniqueConstraint(fields=["exam", "member"], condition=Q(status=AttemptStatus.OPEN),
                                    name="attempt_one_open", violation_error_message=_("已有一份正在作答的答卷。")),
        ]
        indexes = [path_index("exam", "org_path", name="attempt_exam_scope")]

    def __str__(self) -> str:
        return f"{self.exam} {self.member} #{self.number}"

    def get_absolute_url(self) -> str:
        return reverse("learning:attempt_detail", args=[self.pk])

    @classmethod
    def self_scope_q(cls, user: Any) -> Q | None:
        return Q(member__user=user)

    def changelog_parent(self) -> models.Model | None:
        return self.exam


