from __future__ import annotations

from collections import Counter
from typing import Any

from django import forms
from django.db.models import Count
from django.utils import translation
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from core.choices import Action
from core.text import listing, parentheses, sentences
from core.views.generic import query_id
from learning import rules
from learning.choices import CHOICE_KINDS, CREDITED_ATTENDANCE, AttendanceStatus, Audience, QuestionKind
from learning.models import Activity, ActivityMaterial, ActivitySeries, Exam, Question, StudyRecord
from orgs.forms import DATE, AudienceMembersMixin, ScopedModelForm, limit_choices, org_choices
from orgs.models import Member, Organization
from orgs.rules import normalize_id_number

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class ActivityForm(AudienceMembersMixin, ScopedModelForm):
    link = forms.URLField(label=_("在线链接"), required=False, assume_scheme="https")

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
        self.init_members()


class SeriesForm(ScopedModelForm):
    class Meta:
        model = ActivitySeries
        fields = ["title", "form", "org", "frequency", "day", "first_date", "last_date", "start_time", "end_time",
                  "place", "audience"]
        widgets = {"first_date": DATE, "last_date": DATE, "start_time": TIME, "end_time": TIME}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_choices(self, "org", org_choices(self.user))
        # A series has no place to name organizations or members: those audiences are set per activity.
        audience = self.fields["audience"]
        assert isinstance(audience, forms.ChoiceField)
        audience.choices = [(v, label) for v, label in Audience.choices if v not in (Audience.ORGS, Audience.MEMBERS)]


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


class TypedAsTextForm(ScopedModelForm):
    """A form that types some model fields as text (``text_fields``: model field → form field); the model's
    own validation errors on those fields are shown on the text fields."""

    text_fields: dict[str, str] = {}

    def _update_errors(self, errors: Any) -> None:
        if hasattr(errors, "error_dict"):
            errors.error_dict = {self.text_fields.get(k, k): v for k, v in errors.error_dict.items()}
        super()._update_errors(errors)  # type: ignore[misc]


class QuestionForm(TypedAsTextForm):
    """A question as people type it: options one per line, the answer as letters, 对/错 or one line per blank."""

    options_text = forms.CharField(label=_("选项"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
                                   help_text=_("选择题填写，每行一个（可带 A. 前缀）"))
    answer_text = forms.CharField(label=_("答案"), widget=forms.Textarea(attrs={"rows": 2}), help_text=_(
        "选择题填字母，如 B 或 ACD；判断题填“对”或“错”；填空题每空一行，可接受的多个答案用 / 分隔"))

    text_fields = {"options": "options_text", "answer": "answer_text"}

    class Meta:
        model = Question
        fields = ["org", "kind", "text", "options_text", "answer_text", "explanation", "tags", "source", "active"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3}), "explanation": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_choices(self, "org", org_choices(self.user))
        if self.instance.pk:
            self.initial["options_text"] = "\n".join(self.instance.options or [])
            self.initial["answer_text"] = rules.format_answer(self.instance.kind, self.instance.answer)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("kind")
        options = rules.parse_options(data.get("options_text", "")) if kind in CHOICE_KINDS else []
        try:
            answer = rules.parse_answer(kind or "", data.get("answer_text", ""), options)
        except ValueError as exc:
            self.add_error("answer_text", str(exc))
            return data
        problem = rules.question_error(kind or "", data.get("text", ""), options, answer)
        if problem:
            field = {"options": "options_text", "answer": "answer_text"}.get(problem[0], problem[0])
            self.add_error(field, problem[1])
        self.instance.options, self.instance.answer = options, answer
        data["options"], data["answer"] = options, answer
        return data


def kind_names() -> dict[str, str]:
    """Question types by their Chinese and English labels and by their codes."""
    names = {value: value for value in QuestionKind.values}
    for language in ("zh-hans", "en"):
        with translation.override(language):
            names |= {str(label): value for value, label in QuestionKind.choices}
    return names


class ExamForm(TypedAsTextForm):
    draw_text = forms.CharField(label=_("抽题规则"), widget=forms.Textarea(attrs={"rows": 3}), help_text=_(
        "每行一条：题型 题数 标签（标签可省略），如“单选题 10 党章”“判断题 5”"))

    text_fields = {"draw": "draw_text"}

    class Meta:
        model = Exam
        fields = ["title", "org", "description", "opens", "closes", "time_limit", "attempts_allowed", "pass_mark",
                  "draw_text", "hours_on_pass"]
        widgets = {"opens": DATETIME, "closes": DATETIME, "description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_choices(self, "org", org_choices(self.user))
        for name in ("opens", "closes"):
            field = self.fields[name]
            assert isinstance(field, forms.DateTimeField)
            field.input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
        if self.instance.pk:
            labels = dict(QuestionKind.choices)
            self.initial["draw_text"] = "\n".join(
                f"{labels.get(r['kind'], r['kind'])} {r['count']} {r.get('tag', '')}".strip()
                for r in self.instance.draw or [])
        # What the bank holds, for the exam's organization or, for a new exam, the first the user may hold
        # one for; for a form sent back, the organization chosen in it (the usual refusal is a rule asking for
        # more questions than there are, and the counts are what it needs to be put right).
        if self.is_bound:
            chosen = query_id(self.data.get(self.add_prefix("org")))
            org = org_choices(self.user).filter(pk=chosen).first() if chosen else None
        else:
            org = self.instance.org if self.instance.org_id else org_choices(self.user).order_by("path").first()
        if org is not None:
            available = bank_summary(Exam(org=org))
            field = self.fields["draw_text"]
            field.help_text = format_lazy("{help} {available}", help=field.help_text, available=available)

    def clean_draw_text(self) -> list[dict[str, Any]]:
        kinds = kind_names()
        draw = []
        for n, line in enumerate(self.cleaned_data["draw_text"].splitlines(), start=1):
            line = line.strip()
            if not line:
                continue
            # The type may be written in either language (labels may contain spaces) or as its code.
            name = next((k for k in sorted(kinds, key=len, reverse=True) if line.lower().startswith(k.lower())), None)
            rest = line[len(name):].split() if name else []
            if name is None or not rest or not rest[0].isdigit():
                raise forms.ValidationError(_("第%(n)s行应写成“题型 题数 标签”，如“单选题 10 党章”") % {"n": n})
            draw.append({"kind": kinds[name], "count": int(rest[0]), "tag": " ".join(rest[1:])})
        return draw

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "draw_text" in data:
            data["draw"] = data["draw_text"]
            self.instance.draw = data["draw_text"]
        elif "draw_text" in self.errors:
            # A line that did not read has been reported; the model need not add that there is no rule.
            self.instance.draw_unread = True
        return data


class GenerateForm(forms.Form):
    org = forms.ModelChoiceField(label=_("放入哪个组织的题库"), queryset=Organization.objects.none())
    text = forms.CharField(label=_("文本"), required=False, widget=forms.Textarea(attrs={"rows": 10}),
                           help_text=_("粘贴讲话、法规等文本；也可以上传 .txt 文件"))
    upload = forms.FileField(label=_("或上传 .txt 文件"), required=False)
    source = forms.CharField(label=_("出处"), max_length=200, required=False)
    tags = forms.CharField(label=_("标签"), max_length=200, required=False)
    limit = forms.IntegerField(label=_("最多生成题数"), min_value=1, max_value=60, initial=20)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["org"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = org_choices(user)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("upload")
        if upload is not None:
            if upload.size > 2 * 1024 * 1024:
                self.add_error("upload", _("文件不能超过2 MB"))
                return data
            raw = upload.read()
            for encoding in ("utf-8-sig", "gb18030"):
                try:
                    data["text"] = raw.decode(encoding)
                    break
                except UnicodeDecodeError:
                    continue
            else:
                self.add_error("upload", _("无法识别文件编码，请另存为 UTF-8 文本"))
        if not (data.get("text") or "").strip() and not self.errors:
            self.add_error("text", _("请粘贴文本或上传文件"))
        if len(data.get("text") or "") > 200_000:
            self.add_error("text", _("文本太长（最多20万字）"))
        return data


def bank_summary(exam: Any) -> str:
    """What the exam's organization may draw from (its bank and those above it), by type and tag: a branch
    draws from questions its committee keeps, which it cannot open, so it is told what there is."""
    from learning.services.exams import bank

    labels = dict(QuestionKind.choices)
    by_kind: dict[str, Counter[str]] = {}
    # Counted by the database per (type, tags); only the distinct tag strings reach Python.
    grouped = bank(exam).order_by().values_list("kind", "tags").annotate(n=Count("pk"))
    for kind, tags, n in grouped:
        counter = by_kind.setdefault(kind, Counter())
        counter[""] += n
        for tag in {t.strip() for t in (tags or "").split(",") if t.strip()}:
            counter[tag] += n
    if not by_kind:
        return str(_("%(org)s的题库及上级题库中还没有可抽的试题。")) % {"org": exam.org.name}
    opening, closing = parentheses()
    parts = []
    for kind in (k for k in labels if k in by_kind):
        counter = by_kind[kind]
        tags = listing(f"{tag} {n}" for tag, n in counter.most_common(8) if tag)
        parts.append(f"{labels[kind]} {counter['']}" + (f"{opening}{tags}{closing}" if tags else ""))
    return str(_("%(org)s可抽试题：%(list)s。")) % {"org": exam.org.name, "list": sentences(parts)}
