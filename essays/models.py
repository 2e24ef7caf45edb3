from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import TimestampedModel


class ReferenceDocument(TimestampedModel):
    """A published text essays are checked against: an article, a speech, a widely reprinted essay.
    The corpus belongs to the installation (an administrator loads it), not to an organization."""

    title = models.CharField(_("标题"), max_length=300)
    source_url = models.URLField(_("来源网址"), max_length=500, blank=True)
    text = models.TextField(_("正文"))
    digest = models.CharField(_("内容摘要"), max_length=64, unique=True, help_text=_("正文的 SHA-256，避免重复载入"))

    class Meta:
        verbose_name = _("参考文献")
        verbose_name_plural = _("参考文献库")
        ordering = ["-pk"]

    def __str__(self) -> str:
        return self.title
