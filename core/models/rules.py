from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.choices import Severity
from core.models.base import TimestampedModel


class Rule(TimestampedModel):
    """One versioned regulation figure: a value that holds from a date, with its severity and source.

    Defaults ship as data beside the code that uses them and are inserted when missing; an administrator
    edits a figure by adding a version with a later ``effective_from`` (history is kept, never overwritten).
    ``shipped`` marks the versions installed from those defaults and left as they came; a rule with any
    other version is the administrator's, and later shipped versions are not added on top of it.
    """

    key = models.CharField(_("规则键"), max_length=100)
    name = models.CharField(_("名称"), max_length=200)
    value = models.JSONField(_("取值"))
    unit = models.CharField(_("单位"), max_length=30, blank=True)
    severity = models.CharField(_("性质"), max_length=10, choices=Severity.choices, default=Severity.WARNING)
    effective_from = models.DateField(_("生效日期"))
    effective_to = models.DateField(_("失效日期"), null=True, blank=True)
    source = models.CharField(_("依据"), max_length=300)
    source_url = models.URLField(_("出处链接"), max_length=500, blank=True)
    note = models.TextField(_("备注"), blank=True)
    shipped = models.BooleanField(
        _("随版本提供"), default=False, editable=False,
        help_text=_("系统安装时写入且未经修改的版本；管理员新增或修改取值、性质、日期后即为本地版本。"),
    )

    class Meta:
        verbose_name = _("规则")
        verbose_name_plural = _("规则表")
        ordering = ["key", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["key", "effective_from"], name="rule_key_version",
                violation_error_message=_("同一规则在同一生效日期只能有一个版本。"),
            ),
            models.CheckConstraint(
                condition=models.Q(effective_to__isnull=True) | models.Q(effective_to__gt=models.F("effective_from")),
                name="rule_effective_range",
                violation_error_message=_("失效日期必须晚于生效日期。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key} = {self.value}{self.unit} ({self.effective_from:%Y-%m-%d})"
