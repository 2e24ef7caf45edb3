from __future__ import annotations

import datetime
from functools import partial
from typing import Any

from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaigns import catalogue, services
from campaigns.choices import CategoryKind, EvidencePhase, ExemplarKind, ReviewDecision
from campaigns.models import Campaign, Category, Checklist, Exemplar, Milestone, Problem, Project, Requirement
from core.choices import Action
from core.text import colon, labelled, sentences
from essays.models import EssayRequest
from learning.models import Activity
from orgs.forms import DATE, ScopedModelForm, limit_choices, members_named, org_choices
from orgs.models import Member, Organization

LINES = forms.Textarea(attrs={"rows": 4})


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".jpg,.jpeg,.png,.pdf,.docx,.xlsx"}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        if not data:
            return []
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


def form_errors(form: forms.BaseForm) -> str:
    """A refused form's errors as one message, each named by its field (the form is shown as a message on
    the page it was sent from, not beside its fields)."""
    fields = form.fields
    return sentences(labelled(fields[name].label, message) if name in fields and fields[name].label else message
                     for name, errors in form.errors.items() for message in errors)


def visible_members(user: Any) -> Any:
    return Member.objects.restrict(user, Action.VIEW).only("pk", "name").order_by("name")


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class CampaignForm(ScopedModelForm):
    goals = forms.CharField(label=_("目标任务"), required=False, widget=LINES,
                            help_text=_("每行一项；问题可按目标归类"))
    specials = forms.CharField(label=_("专项整治"), required=False, widget=LINES, help_text=_("每行一项"))
    batch_text = forms.CharField(label=_("批次"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                                 help_text=_("每行一批：名称，开始日期，结束日期（如：第一批，2026-03-01，2026-06-30）"))

    class Meta:
        model = Campaign
        fields = ["name", "org", "requirement", "aim", "measures", "start", "end", "requires_evidence"]
        widgets = {"start": DATE, "end": DATE, "aim": forms.Textarea(attrs={"rows": 2}), "measures": LINES}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_choices(self, "org", org_choices(self.user).exclude(kind__in=("group",)))
        if self.instance.pk:
            cats = list(self.instance.categories.all())
            self.initial["goals"] = "\n".join(c.name for c in cats if c.kind == CategoryKind.GOAL)
            self.initial["specials"] = "\n".join(c.name for c in cats if c.kind == CategoryKind.SPECIAL)
            self.initial["batch_text"] = services.batch_lines(self.instance.batches)

    def clean_batch_text(self) -> list[dict[str, str]]:
        start, end = self.cleaned_data.get("start"), self.cleaned_data.get("end")
        try:
            return services.parse_batches(self.cleaned_data["batch_text"],
                                          within=(start, end) if start and end and start <= end else None)
        except forms.ValidationError as exc:
            raise forms.ValidationError(exc.message_dict.get("batches", exc.messages)) from None

    def clean_goals(self) -> list[str]:
        return _lines(self.cleaned_data["goals"])

    def clean_specials(self) -> list[str]:
        return _lines(self.cleaned_data["specials"])


class LaunchForm(forms.Form):
    template = forms.ChoiceField(label=_("模板"), choices=[(t.key, t.name) for t in catalogue.TEMPLATES.values()])
    org = forms.ModelChoiceField(label=_("组织单位"), queryset=Organization.objects.none())
    start = forms.DateField(label=_("开始日期"), widget=DATE)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = org_choices(user).exclude(kind="group")  # type: ignore[attr-defined]


class RequirementForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Requirement
        fields = ["kind", "title", "hours", "due", "activity", "essay_request"]
        widgets = {"due": DATE}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # What the campaign's organization holds or asks itself, each named with its date and organization:
        # a subtree's activities are hundreds, many with the same title.
        campaign = self.instance.campaign if self.instance.campaign_id else None
        activities = Activity.objects.restrict(user, Action.VIEW).select_related("org").order_by("-start")
        requests = EssayRequest.objects.restrict(user, Action.VIEW).select_related("org").order_by("-deadline")
        if campaign is not None:
            activities = activities.filter(org_path=campaign.org_path)
            requests = requests.filter(org_path=campaign.org_path)
        limit_choices(self, "activity", activities)
        limit_choices(self, "essay_request", requests)
        for name, when in (("activity", "start"), ("essay_request", "deadline")):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.label_from_instance = partial(_dated_label, when=when)  # type: ignore[method-assign]


def _dated_label(obj: Any, *, when: str) -> str:
    moment = getattr(obj, when)
    day = timezone.localtime(moment).date() if isinstance(moment, datetime.datetime) else moment
    return f"{obj} · {day:%Y-%m-%d} · {obj.org.name}"


OWNER_CHOICES = 500


def owner_choices(user: Any, org: Organization | None) -> Any:
    """Who may be a problem's responsible person: the members of its organization's subtree the user sees
    (of everything the user sees while no organization is chosen), by name."""
    owners = Member.objects.restrict(user, Action.VIEW)
    if org is not None:
        owners = owners.filter(org_path__startswith=org.path)
    return owners.only("pk", "name").order_by("name", "pk")


class ProblemForm(ScopedModelForm):
    class Meta:
        model = Problem
        fields = ["title", "description", "org", "campaign", "category", "source", "severity", "found_on", "leader",
                  "owner", "kind", "standard", "measures", "deadline", "deadline_workdays"]
        widgets = {"found_on": DATE, "deadline": DATE, "description": forms.Textarea(attrs={"rows": 3}),
                   "standard": forms.Textarea(attrs={"rows": 2}), "measures": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_choices(self, "org", org_choices(self.user))
        campaigns = Campaign.objects.restrict(self.user, Action.VIEW).order_by("-start")
        limit_choices(self, "campaign", campaigns)
        categories = Category.objects.filter(campaign__in=campaigns).select_related("campaign")
        if self.instance.campaign_id and not self.instance.pk and not self.is_bound:
            # A new problem opened from a campaign's page (``?campaign=``): that campaign's categories.
            categories = categories.filter(campaign_id=self.instance.campaign_id)
        limit_choices(self, "category", categories.order_by("-campaign__start", "campaign_id", "pk"))
        if len({c.campaign_id for c in categories}) > 1:
            # Each campaign has its own categories, often under the same names: say whose each one is.
            field = self.fields["category"]
            assert isinstance(field, forms.ModelChoiceField)
            field.label_from_instance = lambda c: f"{c.campaign.name}{colon()}{c}"  # type: ignore[method-assign,assignment]
        org = self.instance.org if self.instance.org_id else None
        owners = owner_choices(self.user, org)
        limit_choices(self, "owner", owners[:OWNER_CHOICES] if not self.is_bound else owners)
        # Choosing the responsible organization offers its own members as the responsible person.
        self.fields["org"].widget.attrs.update({
            "hx-get": reverse("campaigns:problem_owner_options"), "hx-trigger": "change", "hx-target": "#id_owner",
            "hx-swap": "innerHTML"})
        self.fields["deadline"].required = False
        self.fields["deadline"].help_text = _("或填写“办结时限（工作日）”，由系统按节假日安排计算")
        if self.instance.pk and not services.may_set_deadline(self.user, self.instance):
            for name in ("deadline", "deadline_workdays"):
                self.fields[name].disabled = True
            self.fields["deadline"].help_text = _("办结时限由上级党组织确定；需要延期的，请向上级党组织说明情况")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("deadline_workdays") is not None and data.get("found_on"):
            # Counted in working days: the date follows from the calendar, before the model's checks see it.
            from campaigns.rules import deadline_from

            data["deadline"] = deadline_from(data["found_on"], workdays_count=data["deadline_workdays"])
        elif not data.get("deadline"):
            self.add_error("deadline", _("请填写办结时限（日期或工作日数）"))
        return data


class ProgressForm(forms.Form):
    text = forms.CharField(label=_("整改进展"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)
    evidence = MultipleFileField(label=_("佐证材料"), help_text=_("照片、扫描件或文档：jpg、png、pdf、docx、xlsx"))
    milestone = forms.ModelChoiceField(label=_("完成时间节点"), required=False, queryset=Milestone.objects.none())

    def __init__(self, *args: Any, problem: Problem, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["milestone"].queryset = problem.milestones.filter(done_on__isnull=True)  # type: ignore[attr-defined]


class MilestoneForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Milestone
        fields = ["title", "due"]
        widgets = {"due": DATE, "title": forms.TextInput(attrs={"placeholder": _("节点"), "aria-label": _("节点")})}


class SubmitForm(forms.Form):
    """A close-out request (申请销号): an optional note to the reviewers."""

    note = forms.CharField(label=_("申请说明"), required=False, max_length=500,
                           widget=forms.Textarea(attrs={"rows": 2}))


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(label=_("审核结论"), error_messages={"required": _("请选择审核结论")},
                                 choices=[(ReviewDecision.CLOSE, ReviewDecision.CLOSE.label),
                                          (ReviewDecision.RETURN, ReviewDecision.RETURN.label)],
                                 widget=forms.RadioSelect(attrs={"class": "form-check-input"}))
    comment = forms.CharField(label=_("审核意见"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 2}))


class ReopenForm(forms.Form):
    comment = forms.CharField(label=_("回头看发现的情况"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    deadline = forms.DateField(label=_("新的办结时限"), required=False, widget=DATE)


class ChecklistForm(ScopedModelForm):
    items = forms.CharField(label=_("检视事项"), widget=forms.Textarea(attrs={"rows": 8}),
                            help_text=_("每行一项；可写成“对照内容｜检视事项”"))

    class Meta:
        model = Checklist
        fields = ["title", "org", "campaign", "instructions"]
        widgets = {"instructions": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_choices(self, "org", org_choices(self.user))
        limit_choices(self, "campaign", Campaign.objects.restrict(self.user, Action.VIEW))
        if self.instance.pk:
            self.initial["items"] = "\n".join(f"{i.section}｜{i.text}" if i.section else i.text
                                              for i in self.instance.items.all())

    def clean_items(self) -> list[tuple[str, str]]:
        items = []
        for line in _lines(self.cleaned_data["items"]):
            section, _sep, text = line.rpartition("｜") if "｜" in line else line.rpartition("|")
            items.append((section.strip(), text.strip()))
        if not items:
            raise forms.ValidationError(_("至少要有一项检视事项"))
        return items


class AssignForm(forms.Form):
    members = forms.ModelMultipleChoiceField(label=_("检视对象（个人）"), required=False,
                                             queryset=Member.objects.none())
    orgs = forms.ModelMultipleChoiceField(label=_("检视对象（组织）"), required=False,
                                          queryset=Organization.objects.none())
    member_ids = forms.CharField(label=_("按身份证号指定"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                                 help_text=_("人多时可直接填写身份证号，每行一个"))

    def __init__(self, *args: Any, user: Any, checklist: Checklist, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        members = Member.objects.restrict(user, Action.VIEW).filter(org_path__startswith=checklist.org_path)
        self.member_choices = members.select_related("org")
        field = self.fields["members"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = members.select_related("org").only("pk", "name", "org__name").order_by("name", "org_path")
        # Namesakes are told apart by their branch.
        field.label_from_instance = lambda m: f"{m.name}（{m.org.name}）"  # type: ignore[method-assign,assignment]
        field.widget.attrs["size"] = 8
        self.fields["orgs"].queryset = org_choices(user).filter(path__startswith=checklist.org_path)  # type: ignore[attr-defined]

    def clean_members(self) -> list[Member]:
        # The options carry only the name (2,000 of them are drawn); the chosen ones are read whole, at once.
        chosen = [m.pk for m in self.cleaned_data["members"]]
        return list(self.member_choices.filter(pk__in=chosen)) if chosen else []

    def clean_member_ids(self) -> list[Member]:
        return members_named(self.user, self.cleaned_data["member_ids"], queryset=self.member_choices)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "members" in data and "member_ids" in data:
            data["members"] = [*data["members"], *data.pop("member_ids")]
        if not self.errors and not data.get("members") and not data.get("orgs"):
            raise forms.ValidationError(_("请选择检视对象（个人或组织）"))
        return data


class ProjectForm(ScopedModelForm):
    class Meta:
        model = Project
        fields = ["title", "org", "campaign", "description", "beneficiaries", "owner", "budget", "start", "deadline",
                  "status", "result", "feedback_open"]
        widgets = {"start": DATE, "deadline": DATE, "description": forms.Textarea(attrs={"rows": 3}),
                   "result": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_choices(self, "org", org_choices(self.user))
        limit_choices(self, "campaign", Campaign.objects.restrict(self.user, Action.VIEW))
        limit_choices(self, "owner", visible_members(self.user))


class ProjectFilesForm(forms.Form):
    phase = forms.ChoiceField(label=_("阶段"), choices=[(EvidencePhase.BEFORE, EvidencePhase.BEFORE.label),
                                                      (EvidencePhase.AFTER, EvidencePhase.AFTER.label)])
    evidence = MultipleFileField(label=_("照片或材料"))


class FeedbackForm(forms.Form):
    rating = forms.TypedChoiceField(label=_("满意度"), coerce=int,
                                    widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
                                    choices=[(5, _("非常满意")), (4, _("满意")), (3, _("基本满意")), (2, _("不太满意")),
                                             (1, _("不满意"))])
    comment = forms.CharField(label=_("意见建议"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    name = forms.CharField(label=_("称呼（可不填）"), required=False)
    website = forms.CharField(required=False, widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}))
    stamp = forms.CharField(widget=forms.HiddenInput)


class ExemplarForm(ScopedModelForm):
    class Meta:
        model = Exemplar
        fields = ["kind", "org", "member", "subject", "name", "year", "honours", "story"]
        widgets = {"honours": forms.Textarea(attrs={"rows": 3}), "story": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_choices(self, "org", org_choices(self.user))
        limit_choices(self, "subject", org_choices(self.user, Action.VIEW))
        limit_choices(self, "member", visible_members(self.user))
        self.fields["name"].required = False
        self.fields["name"].help_text = _("不填则用党员姓名或组织名称")
        self.fields["kind"].initial = ExemplarKind.PERSON
