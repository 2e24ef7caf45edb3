from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core.choices import Action
from essays.choices import Decision
from essays.models import EssayRequest, Formulation
from learning.models import Activity
from orgs.forms import DATE, AudienceMembersMixin, ScopedModelForm, limit_choices, org_choices


class EssayRequestForm(AudienceMembersMixin, ScopedModelForm):
    class Meta:
        model = EssayRequest
        fields = ["title", "org", "activity", "deadline", "min_length", "audience", "member_ids", "instructions"]
        widgets = {"deadline": DATE, "instructions": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_choices(self, "org", org_choices(self.user))
        limit_choices(self, "activity", Activity.objects.restrict(self.user, Action.VIEW).order_by("-start")
                      .only("pk", "title", "start")[:200] if not self.is_bound
                      else Activity.objects.restrict(self.user, Action.VIEW))
        self.init_members()
        self.fields["member_ids"].help_text = _("撰写对象为“指定党员”时填写：身份证号，每行一个")


class EssayForm(forms.Form):
    title = forms.CharField(label=_("标题"), max_length=200, required=False)
    text = forms.CharField(label=_("正文"), required=False, strip=False,
                           widget=forms.Textarea(attrs={"rows": 18, "class": "cx-essay-text"}))
    upload = forms.FileField(label=_("或上传文件（.docx 或 .txt）"), required=False)


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(label=_("审阅结论"), choices=Decision.choices,
                                 widget=forms.RadioSelect(attrs={"class": "form-check-input"}))
    comment = forms.CharField(label=_("审阅意见"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 3}))


class FormulationForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Formulation
        fields = ["text", "note"]
