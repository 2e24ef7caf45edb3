from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Notification(models.Model):
    """A message in a user's notification centre. A daily digest is one notification per person and day
    (``kind`` + ``day`` unique), so a digest run twice never sends twice."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("类型"), max_length=40)
    day = models.DateField(_("日期"), null=True, blank=True)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"))
    items = models.JSONField(_("事项"), default=list, blank=True)
    created = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    emailed = models.BooleanField(_("已发邮件"), default=False)

    class Meta:
        verbose_name = pgettext_lazy("singular", "通知")
        verbose_name_plural = _("通知")
        ordering = ["-created", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_user_unread")]
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "day"], condition=Q(day__isnull=False),
                                    name="notification_once_a_day"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def single_event(self) -> bool:
        """One thing that happened (given a checklist, a transfer to receive), shown as a link in its title;
        a list of items, or an item with a deadline, is shown as a list."""
        items = self.items
        return isinstance(items, list) and len(items) == 1 and not items[0].get("deadline")
