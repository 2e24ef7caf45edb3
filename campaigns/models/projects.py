"""办实事: practical matters an organization does for the people, and the beneficiaries' feedback, which
arrives through a public link (no login) per project."""

from __future__ import annotations

import secrets
from typing import Any

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from campaigns.choices import ExemplarKind, ProjectStatus
from core.fields import TreePathField, path_index
from core.models import OrgOwnedModel, ScopedModel


def new_token() -> str:
    return secrets.token_urlsafe(16)


class Project(OrgOwnedModel):
    org = models.ForeignKey("orgs.Organization", verbose_name=_("承办单位"), on_delete=models.PROTECT,
                            related_name="projects")
    campaign = models.ForeignKey("campaigns.Campaign", verbose_name=_("主题教育"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="projects")
    title = models.CharField(_("实事名称"), max_length=200)
    description = models.TextField(_("具体内容"))
    beneficiaries = models.CharField(_("服务对象"), max_length=200)
    owner = models.ForeignKey("orgs.Member", verbose_name=_("责任人"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    budget = models.DecimalField(_("预算（元）"), max_digits=12, decimal_places=2, null=True, blank=True,
                                 validators=[MinValueValidator(0)])
    start = models.DateField(_("开始日期"))
    deadline = models.DateField(_("完成时限"))
    status = models.CharField(_("状态"), max_length=12, choices=ProjectStatus.choices, default=ProjectStatus.PLANNED)
    done_on = models.DateField(_("办结日期"), null=True, blank=True)
    result = models.TextField(_("办理结果"), blank=True)
    public_token = models.CharField(_("评价链接码"), max_length=40, unique=True, default=new_token, editable=False)
    feedback_open = models.BooleanField(_("接受群众评价"), default=True)

    class Meta:
        verbose_name = pgettext_lazy("singular", "办实事项目")
        verbose_name_plural = _("办实事项目")
        ordering = ["-start", "-pk"]
        indexes = [path_index("org_path", "status", "deadline", name="project_scope_status")]
        constraints = [
            models.CheckConstraint(condition=Q(deadline__gte=models.F("start")), name="project_dates",
                                   violation_error_message=_("完成时限不能早于开始日期。")),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("campaigns:project_detail", args=[self.pk])

    def public_url(self) -> str:
        return reverse("campaigns:feedback", args=[self.public_token])

    @classmethod
    def self_scope_q(cls, user: Any) -> Q | None:
        return Q(owner__user=user)


class Feedback(ScopedModel):
    """A beneficiary's rating (1–5) and comment, sent without logging in. ``client`` is a keyed digest of
    the sender's address, kept only to limit the rate; the address itself is not stored."""

    project = models.ForeignKey(Project, verbose_name=_("办实事项目"), on_delete=models.CASCADE,
                                related_name="feedback")
    org_path = TreePathField()
    rating = models.PositiveSmallIntegerField(_("满意度"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    comment = models.TextField(_("意见建议"), blank=True, max_length=500)
    name = models.CharField(_("称呼"), max_length=30, blank=True)
    client = models.CharField(max_length=32, db_index=True, editable=False)
    nonce = models.CharField(max_length=32, unique=True, null=True, editable=False,
                             help_text="the form it came from: each served form is taken once")

    class Meta:
        verbose_name = _("群众评价")
        verbose_name_plural = _("群众评价")
        ordering = ["-created", "-pk"]
        indexes = [models.Index(fields=["project", "created"], name="feedback_project_created")]

    def __str__(self) -> str:
        return f"{self.project} · {self.rating}"


class Exemplar(OrgOwnedModel):
    """An exemplary person or organization (先进典型) registered by an organization, with honours and story."""

    org = models.ForeignKey("orgs.Organization", verbose_name=_("推荐单位"), on_delete=models.PROTECT,
                            related_name="+")
    kind = models.CharField(_("类型"), max_length=10, choices=ExemplarKind.choices)
    member = models.ForeignKey("orgs.Member", verbose_name=_("先进个人"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    subject = models.ForeignKey("orgs.Organization", verbose_name=_("先进集体"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("名称"), max_length=200)
    honours = models.TextField(_("荣誉"), help_text=_("每行一项，如：2023年 全市优秀共产党员"))
    story = models.TextField(_("先进事迹"), blank=True)
    year = models.PositiveSmallIntegerField(_("年度"), validators=[MinValueValidator(1921), MaxValueValidator(2100)])

    class Meta:
        verbose_name = pgettext_lazy("singular", "先进典型")
        verbose_name_plural = _("先进典型")
        ordering = ["-year", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(kind=ExemplarKind.PERSON, member__isnull=False, subject__isnull=True)
                                   | Q(kind=ExemplarKind.ORG, member__isnull=True, subject__isnull=False),
                                   name="exemplar_person_or_org",
                                   violation_error_message=_("先进个人须选择党员，先进集体须选择组织。")),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("campaigns:exemplar_detail", args=[self.pk])

    @classmethod
    def reaching_q(cls, path: str) -> Q | None:
        """Exemplars registered above are there to be learned from: the subtrees below see them."""
        from core.tree import ancestor_paths

        return Q(org_path__in=ancestor_paths(path)[:-1])

    @classmethod
    def self_scope_q(cls, user: Any) -> Q | None:
        from core.tree import ancestor_paths
        from orgs.models import Member

        member = Member.objects.filter(user=user).only("org_path").first() if user.is_authenticated else None
        return Q(org_path__in=ancestor_paths(member.org_path)) if member else None

    def honour_lines(self) -> list[str]:
        return [line.strip() for line in self.honours.splitlines() if line.strip()]

    def compared_org_id(self) -> int | None:
        """The organization whose indicators stand for this exemplar: the collective, or the person's branch."""
        if self.kind == ExemplarKind.ORG:
            return self.subject_id
        return self.member.org_id if self.member_id and self.member else None
