from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core.choices import Action
from learning.choices import CREDITED_ATTENDANCE, AttendanceStatus
from learning.models import Activity, ActivityMaterial, ActivitySeries, StudyRecord
from orgs.forms import DATE, ScopedModelForm, limit_choices, org_choices
from orgs.models import Member
from orgs.rules import normalize_id_number

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class ActivityForm(ScopedModelForm):
    link = forms.URLField(label=_("在线链接"), required=False, assume_scheme="https")
    member_ids = forms.CharField(
        label=_("指定党员"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("参加对象为“指定党员”时填写：身份证号，每行一个"))

    class Meta:
        model = Activity
        fields = ["title", "form", "kind", "org", "start", "end", "place", "link", "hours", "audience",
                  "audience_orgs", "member_ids", "sign_in_code", "makeup_until", "materials"]
        widgets = {"start": DATETIME, "end": DATETIME, "makeup_until": DATE,
                   "materials": forms.Textarea(attrs={"rows": 4}),
                   "audience_orgs": forms.SelectMultiple(attrs={"size": 6})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_choices(self, "org", org_choices(self.user))
        limit_choices(self, "audience_orgs", org_choices(self.user, Action.VIEW))
        self.fields["kind"].required = False
        self.fields["hours"].required = False
        for name in ("start", "end"):
            field = self.fields[name]
            assert isinstance(field, forms.DateTimeField)
            field.input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
        if self.instance.pk:
            self.initial["member_ids"] = "\n".join(
                m.id_number or "" for m in self.instance.audience_members.all())

    def clean_member_ids(self) -> list[Member]:
        lines = [normalize_id_number(line) for line in self.cleaned_data["member_ids"].splitlines() if line.strip()]
        found = {m.id_number: m for m in Member.objects.restrict(self.user, Action.VIEW).filter(id_number__in=lines)}
        unknown = [line for line in lines if line not in found]
        if unknown:
            raise forms.ValidationError(_("这些身份证号不在您的管理范围内：%(ids)s") % {"ids": "、".join(unknown[:10])})
        return [found[line] for line in lines]

    def has_changed_members(self) -> bool:
        return "member_ids" in self.changed_data


class SeriesForm(ScopedModelForm):
    class Meta:
        model = ActivitySeries
        fields = ["title", "form", "org", "frequency", "day", "first_date", "last_date", "start_time", "end_time",
                  "place", "audience"]
        widgets = {"first_date": DATE, "last_date": DATE, "start_time": TIME, "end_time": TIME}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_choices(self, "org", org_choices(self.user))


class MaterialForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = ActivityMaterial
        fields = ["title", "file"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["title"].required = False

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("file")
        if upload is not None and upload.size > 20 * 1024 * 1024:
            self.add_error("file", _("文件不能超过20 MB"))
        if upload is not None and not data.get("title"):
            data["title"] = upload.name[:200]
        return data


class StudyRecordForm(ScopedModelForm):
    id_number = forms.CharField(label=_("党员身份证号"), max_length=18)

    class Meta:
        model = StudyRecord
        fields = ["id_number", "date", "hours", "kind", "title", "provider", "reference"]
        widgets = {"date": DATE}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["id_number"]

    def clean_id_number(self) -> str:
        value = normalize_id_number(self.cleaned_data["id_number"])
        member = Member.objects.restrict(self.user, Action.CHANGE).filter(id_number=value).first()
        if member is None:
            raise forms.ValidationError(_("该身份证号的党员不存在或不在您的管理范围内"))
        self.instance.member = member
        self.instance.org = member.org
        return value


class SignInForm(forms.Form):
    code = forms.CharField(label=_("签到码"), max_length=8, required=False,
                           widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))


class MakeupForm(forms.Form):
    date = forms.DateField(label=_("补学日期"), widget=DATE)


RECORDABLE = [(s.value, s.label) for s in AttendanceStatus if s not in (AttendanceStatus.MAKEUP,)]
CREDITED = CREDITED_ATTENDANCE
