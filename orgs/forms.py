from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.core.validators import MaxValueValidator, MinValueValidator
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.choices import Action, Role
from core.services import is_admin
from core.text import listing
from orgs import rules
from orgs.choices import BRANCH_KINDS, OrgKind, Status
from orgs.models import Member, Organization, Position, RoleGrant, Transfer
from orgs.rules import id_number_error, normalize_id_number

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def limit_choices(form: forms.BaseForm, name: str, queryset: Any) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField)
    field.queryset = queryset
    if name == "org" and not form.is_bound and form.initial.get(name) is None \
            and getattr(getattr(form, "instance", None), "org_id", None) is None:
        # Someone who may act for one organization only need not choose it.
        only = list(queryset.order_by()[:2])
        if len(only) == 1:
            form.initial[name] = only[0].pk


def org_choices(user: Any, action: str = Action.CHANGE, **filters: Any) -> Any:
    return Organization.objects.restrict(user, action).filter(**filters).only("pk", "name", "code", "path")


class ScopedModelForm(forms.ModelForm):  # type: ignore[type-arg]
    """A ModelForm that knows the acting user, so organization choices show only what they may use."""

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)
        self.apply_limits()

    def apply_limits(self) -> None:
        """A number field takes its model field's own limits (a time limit of at least one minute, a deadline
        of at most 500 working days), not the column type's: checked by the field before the form's ``clean``
        uses the number, and with one message for a wrong number, not one and then another."""
        for name, field in self.fields.items():
            if isinstance(field, forms.DecimalField) and field.decimal_places is not None:
                # One message for every way a number can be too long ("1.23456" is about its decimals, not
                # Django's "no more than 5 digits in total").
                too_long = _("最多%(places)s位小数，共不超过%(digits)s位数字") % {
                    "places": field.decimal_places, "digits": field.max_digits}
                for code in ("max_digits", "max_decimal_places", "max_whole_digits"):
                    field.error_messages[code] = too_long
            if not isinstance(field, forms.IntegerField):
                continue
            try:
                model_field = self._meta.model._meta.get_field(name)
            except FieldDoesNotExist:
                continue
            lows = [v for v in model_field.validators if isinstance(v, MinValueValidator)]
            if lows:
                low = max(lows, key=lambda v: v.limit_value)
                if field.min_value is None or low.limit_value > field.min_value:
                    # The model's own validator, with its own message ("学时至少为0.5").
                    field.min_value = low.limit_value
                    field.validators = [v for v in field.validators if not isinstance(v, MinValueValidator)] + [low]
                    field.widget.attrs["min"] = field.min_value
            highs = [v for v in model_field.validators if isinstance(v, MaxValueValidator)]
            if highs:
                high = min(highs, key=lambda v: v.limit_value)
                if field.max_value is None or high.limit_value < field.max_value:
                    field.max_value = high.limit_value
                    field.validators = [v for v in field.validators if not isinstance(v, MaxValueValidator)] + [high]
                    field.widget.attrs["max"] = field.max_value


def members_named(user: Any, text: str, *, kept: dict[str, Member] | None = None,
                  queryset: Any = None) -> list[Member]:
    """The members named in ``text`` by ID number, one a line (anything after the number, such as a name, is
    ignored), among those ``user`` may see (or ``queryset``); ``kept`` maps values already shown masked to
    their members. Lines that are not ID numbers, or name no member the user may see, are refused together."""
    typed = [line.split()[0] for line in text.splitlines() if line.strip()]
    lines = [normalize_id_number(t) for t in typed]
    candidates = queryset if queryset is not None else Member.objects.restrict(user, Action.VIEW)
    found = {m.id_number: m for m in candidates.filter(id_number__in=lines)} | (kept or {})
    # What is not an ID number at all is said so, as typed; the rest are not members the user may name.
    malformed = [t for t, line in zip(typed, lines, strict=True)
                 if line not in found and id_number_error(line) is not None]
    unknown = [line for line in lines if line not in found and id_number_error(line) is None]
    problems = []
    if malformed:
        problems.append(_("这些不是有效的身份证号：%(ids)s") % {"ids": listing(malformed[:10])})
    if unknown:
        problems.append(_("这些身份证号不在您的管理范围内：%(ids)s") % {"ids": listing(unknown[:10])})
    if problems:
        raise forms.ValidationError(problems)
    return [found[line] for line in lines]


class AudienceMembersMixin(forms.Form):
    """A form field naming members by ID number, one a line, for an ``audience_members`` relation; only
    members the user may see are accepted, and members already chosen are shown (and kept) masked."""

    member_ids = forms.CharField(
        label=_("指定党员"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("参加对象为“指定党员”时填写：身份证号，每行一个"))
    user: Any
    instance: Any

    def init_members(self) -> None:
        if self.instance.pk:
            # Masked, like everywhere a full value has not been revealed; a masked line means "keep this member".
            self.initial["member_ids"] = "\n".join(
                f"{m.id_number_masked} {m.name}" for m in self.instance.audience_members.all() if m.id_number)

    def clean_member_ids(self) -> list[Member]:
        kept = {m.id_number_masked: m for m in self.instance.audience_members.all()} if self.instance.pk else {}
        return members_named(self.user, self.cleaned_data["member_ids"], kept=kept)

    def has_changed_members(self) -> bool:
        return "member_ids" in self.changed_data


class OrganizationForm(ScopedModelForm):
    class Meta:
        model = Organization
        fields = ["code", "name", "kind", "parent", "unit_name", "is_village", "has_committee", "established",
                  "term_start", "term_end", "note"]
        widgets = {"established": DATE, "term_start": DATE, "term_end": DATE, "note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        parents = org_choices(self.user).exclude(kind=OrgKind.GROUP)
        if self.instance.pk:
            parents = parents.exclude(path__subtree=self.instance.path)
        limit_choices(self, "parent", parents)


class MemberForm(ScopedModelForm):
    class Meta:
        model = Member
        fields = ["name", "gender", "ethnicity", "birth_date", "id_number", "phone", "education", "workplace", "job",
                  "category", "status", "org", "group", "application_date", "activist_date", "candidate_date",
                  "admission_date", "conversion_date", "note"]
        widgets = {name: DATE for name in ("birth_date", "application_date", "activist_date", "candidate_date",
                                           "admission_date", "conversion_date")} | {
            "note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_choices(self, "org", org_choices(self.user, kind__in=BRANCH_KINDS))
        limit_choices(self, "group", org_choices(self.user, kind=OrgKind.GROUP))
        if self.instance.pk:
            # The 组织关系 moves by transfer, and the status by a status change with its date.
            del self.fields["org"]
            del self.fields["status"]
            # Full personal numbers are shown only through the logged reveal; the form shows them masked
            # and takes a masked value back as "unchanged".
            for name in rules.MASKED_FIELDS:
                self.initial[name] = rules.MASKED_FIELDS[name](getattr(self.instance, name))
                self.fields[name].help_text = _("显示为脱敏值；不修改则保持原值")

    def _keep_if_masked(self, name: str) -> Any:
        current = getattr(self.instance, name) if self.instance.pk else None
        return rules.unmasked(name, self.cleaned_data.get(name), current)

    def clean_id_number(self) -> Any:
        return self._keep_if_masked("id_number")

    def clean_phone(self) -> Any:
        return self._keep_if_masked("phone")


class StatusChangeForm(forms.Form):
    # 转出 happens through a transfer, with its receiving organization and date.
    status = forms.ChoiceField(label=_("新状态"), choices=[c for c in Status.choices if c[0] != Status.TRANSFERRED_OUT])
    date = forms.DateField(label=_("日期"), widget=DATE, initial=timezone.localdate)
    reason = forms.CharField(label=_("原因/依据"), max_length=300)


class TransferForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Transfer
        fields = ["to_org", "to_outside", "date", "reason"]
        widgets = {"date": DATE}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Any branch in Chuxin can receive; the sender need not manage it.
        limit_choices(self, "to_org", Organization.objects.filter(kind__in=BRANCH_KINDS).only("pk", "name"))
        self.fields["to_org"].required = False
        self.fields["to_org"].widget = forms.TextInput(attrs={
            "placeholder": _("接收党支部的组织编码"), "autocomplete": "off",
            # The branch's name appears beside the code as it is typed (orgs:branch_lookup).
            "hx-get": reverse("orgs:branch_lookup"), "hx-trigger": "input changed delay:400ms, change",
            "hx-target": "#to-org-name",
            "hx-vals": json.dumps({"current": self.instance.from_org.code if self.instance.from_org_id else ""})})
        to_org = self.fields["to_org"]
        assert isinstance(to_org, forms.ModelChoiceField)
        to_org.to_field_name = "code"
        to_org.help_text = _("转入本系统内的党支部时填写其组织编码（可向接收方索取）；转出本系统时留空，填写转往单位")
        to_org.error_messages["invalid_choice"] = _("找不到组织编码为“%(value)s”的党支部，请向接收方核实编码")
        if self.initial.get("date") is None:  # the new transfer's own (empty) date would hide the field's initial
            self.initial["date"] = timezone.localdate()


class TransferReplyForm(forms.Form):
    reply = forms.CharField(label=_("意见"), max_length=300, required=False)


class PositionForm(ScopedModelForm):
    class Meta:
        model = Position
        fields = ["title", "member", "term_start", "term_end"]
        widgets = {"term_start": DATE, "term_end": DATE}

    def __init__(self, *args: Any, org: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        members = Member.objects.restrict(self.user).filter(org_path__subtree=org.path, status=Status.FULL)
        limit_choices(self, "member", members.only("pk", "name"))


class AccountForm(forms.Form):
    username = forms.RegexField(label=_("用户名"), regex=r"^[\w.@+-]+$", max_length=150)
    password = forms.CharField(label=_("初始密码"), min_length=8, widget=forms.PasswordInput)
    role = forms.ChoiceField(label=_("附加角色"), choices=[(Role.MEMBER, _("仅本人（党员）")),
                                                        (Role.MANAGER, Role.MANAGER.label),
                                                        (Role.INSPECTOR, Role.INSPECTOR.label)])


class GrantForm(ScopedModelForm):
    username = forms.CharField(label=_("用户名"), max_length=150)

    class Meta:
        model = RoleGrant
        fields = ["role", "org"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_choices(self, "org", org_choices(self.user))
        self.order_fields(["username", "role", "org"])
        if not is_admin(self.user):  # only an administrator grants the role
            role = self.fields["role"]
            assert isinstance(role, forms.ChoiceField)
            role.choices = [(v, label) for v, label in Role.choices if v != Role.ADMIN]

    def clean_username(self) -> Any:
        try:
            return get_user_model().objects.get(username=self.cleaned_data["username"])
        except get_user_model().DoesNotExist:
            raise forms.ValidationError(_("没有这个用户名")) from None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("username"):
            self.instance.user = data["username"]
        return data
