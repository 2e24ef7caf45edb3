from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.choices import Action
from core.fields import TreePathField, path_index
from core.models import OrgOwnedModel, ScopedModel
from core.rules import rule_value
from core.scoping import can
from orgs import rules
from orgs.choices import ETHNICITY_CHOICES, Category, Education, Gender, OrgKind, Status, TransferStatus


class Member(OrgOwnedModel):
    """A party member or someone on the way to membership, kept by the branch that holds their 组织关系."""

    org = models.ForeignKey(
        "orgs.Organization", verbose_name=_("所在党支部"), on_delete=models.PROTECT, related_name="members"
    )
    group = models.ForeignKey(
        "orgs.Organization", verbose_name=_("所在党小组"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="group_members",
    )
    name = models.CharField(_("姓名"), max_length=50)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices)
    ethnicity = models.CharField(_("民族"), max_length=10, choices=ETHNICITY_CHOICES, default="汉族")
    birth_date = models.DateField(_("出生日期"))
    id_number = models.CharField(_("身份证号"), max_length=18, unique=True, null=True, blank=True)
    phone = models.CharField(_("手机号码"), max_length=20, blank=True)
    education = models.CharField(_("学历"), max_length=20, choices=Education.choices, blank=True)
    workplace = models.CharField(_("工作单位"), max_length=200, blank=True)
    job = models.CharField(_("职务/岗位"), max_length=100, blank=True)
    category = models.CharField(_("人员类别"), max_length=20, choices=Category.choices, default=Category.EMPLOYED)
    status = models.CharField(_("党籍状态"), max_length=20, choices=Status.choices)
    application_date = models.DateField(_("申请入党日期"), null=True, blank=True)
    activist_date = models.DateField(_("确定积极分子日期"), null=True, blank=True)
    candidate_date = models.DateField(_("确定发展对象日期"), null=True, blank=True)
    admission_date = models.DateField(_("入党时间"), null=True, blank=True)
    conversion_date = models.DateField(_("转正时间"), null=True, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("登录账号"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="member",
    )
    note = models.TextField(_("备注"), blank=True, max_length=2000)

    class Meta:
        verbose_name = _("党员")
        verbose_name_plural = pgettext_lazy("plural", "党员")
        # Tree order: a page of a subtree is then a walk along the org_path index, never a sort of the
        # whole subtree (on a million members: under 1 ms instead of about 330 ms on SQLite).
        ordering = ["org_path", "pk"]
        indexes = [path_index("org_path", "status", name="member_scope_status")]

    # The log is read by people who may not see the full values; it keeps them masked.
    changelog_masks: ClassVar[dict[str, Any]] = rules.MASKED_FIELDS

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("orgs:member_detail", args=[self.pk])

    @classmethod
    def self_scope_q(cls, user: Any) -> Q | None:
        return Q(user=user)

    @property
    def id_number_masked(self) -> str:
        return rules.mask_id_number(self.id_number)

    @property
    def phone_masked(self) -> str:
        return rules.mask_phone(self.phone)

    def birth_date_for(self, user: Any) -> Any:
        """The birth date in full for those who may reveal this member's ID number, else year and month."""
        return self.birth_date if can(user, Action.REVEAL, self) else rules.mask_birth_date(self.birth_date)

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        if self.id_number:
            self.id_number = rules.normalize_id_number(self.id_number)
            problem = rules.id_number_error(self.id_number)
            if problem:
                errors.setdefault("id_number", []).append(problem)
        if self.phone and not rules.PHONE_RE.match(self.phone):
            errors.setdefault("phone", []).append(str(_("手机号码应为11位数字，或带区号的固定电话")))
        today = timezone.localdate()
        for field, message in rules.member_record_errors(
            birth_date=self.birth_date, id_number=self.id_number, gender=self.gender, status=self.status,
            dates={name: getattr(self, name) for name in rules.MILESTONES}, today=today,
            min_age=rule_value("orgs.application.min_age", today), id_valid="id_number" not in errors,
        ):
            errors.setdefault(field, []).append(message)
        if self.group_id and self.org_id and self.group is not None and (
            self.group.kind != OrgKind.GROUP or self.group.parent_id != self.org_id
        ):
            errors.setdefault("group", []).append(str(_("党小组必须是所在党支部下的党小组")))
        if errors:
            raise ValidationError(errors)


class StatusChange(OrgOwnedModel):
    """One step in a member's status history (申请人 → 积极分子 → … → 正式党员, or a leaving state)."""

    member = models.ForeignKey(Member, verbose_name=_("党员"), on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(_("原状态"), max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=20, choices=Status.choices)
    date = models.DateField(_("日期"))
    reason = models.CharField(_("原因"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("状态变化")
        verbose_name_plural = _("状态历史")
        ordering = ["member", "-date", "-pk"]

    def __str__(self) -> str:
        return f"{self.member} {self.get_from_status_display()} → {self.get_to_status_display()}"


class Transfer(ScopedModel):
    """A transfer of 组织关系: the sending side starts it, the receiving side confirms, the record follows.

    Both sides see it, so the scope is matched against either organization's path.
    """

    scope_path_field: ClassVar[str] = "from_org_path"
    scope_path_fields: ClassVar[tuple[str, ...]] = ("from_org_path", "to_org_path")

    member = models.ForeignKey(Member, verbose_name=_("党员"), on_delete=models.PROTECT, related_name="transfers")
    from_org = models.ForeignKey(
        "orgs.Organization", verbose_name=_("转出组织"), on_delete=models.PROTECT, related_name="transfers_out"
    )
    from_org_path = TreePathField()
    to_org = models.ForeignKey(
        "orgs.Organization", verbose_name=_("转入组织"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="transfers_in",
    )
    to_org_path = TreePathField(blank=True)
    to_outside = models.CharField(
        _("系统外接收组织"), max_length=200, blank=True, help_text=_("转往本系统以外的组织时填写")
    )
    status = models.CharField(_("状态"), max_length=20, choices=TransferStatus.choices, default=TransferStatus.PENDING)
    date = models.DateField(_("转出日期"))
    confirmed_date = models.DateField(_("接收日期"), null=True, blank=True)
    reason = models.CharField(_("转接原因"), max_length=300, blank=True)
    reply = models.CharField(_("接收方意见"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("组织关系转接")
        verbose_name_plural = _("组织关系转接")
        ordering = ["-date", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(to_org__isnull=False) | ~Q(to_outside=""),
                name="transfer_has_destination",
                violation_error_message=_("请选择转入组织或填写系统外接收组织。"),
            ),
            models.UniqueConstraint(
                fields=["member"], condition=Q(status=TransferStatus.PENDING), name="transfer_one_pending",
                violation_error_message=_("该党员已有一条等待接收的转接。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.from_org} → {self.to_org or self.to_outside}"

    def get_absolute_url(self) -> str:
        return reverse("orgs:transfer_detail", args=[self.pk])

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.from_org_path = self.from_org.path
        self.to_org_path = self.to_org.path if self.to_org_id and self.to_org else ""
        super().save(*args, **kwargs)

    def changelog_parent(self) -> models.Model | None:
        return self.member

