from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models.base import TimestampedModel


class Holiday(TimestampedModel):
    """A day whose working status an administrator set: a public holiday, or a make-up working day (调休).

    Entries here take precedence over the ``chinesecalendar`` library, which covers only the years up to
    its release; an administrator adds the State Council's notice for a later year here.
    """

    date = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(_("是否工作日"), help_text=_("调休上班日为是，法定节假日为否"))
    name = models.CharField(_("名称"), max_length=50)

    class Meta:
        verbose_name = _("节假日")
        verbose_name_plural = _("节假日与调休")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}"
