"""``chuxin digests [--date YYYY-MM-DD] [--dry-run]``: the daily reminders of due-soon and overdue items."""

from __future__ import annotations

import datetime
import time
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaigns import digests
from core.management.base import TranslatedCommand


class Command(TranslatedCommand):
    help = gettext_lazy("发送每日整改提醒：每位责任人一份（到期和逾期事项），逾期较久的同时提醒上一级组织")  # type: ignore[assignment]

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help=_("按哪一天计算（默认今天），YYYY-MM-DD"))
        parser.add_argument("--dry-run", action="store_true", help=_("只统计，不写入也不发送"))

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            on = datetime.date.fromisoformat(options["date"]) if options["date"] else timezone.localdate()
        except ValueError:
            raise CommandError(_("日期应写成 YYYY-MM-DD")) from None
        started = time.monotonic()
        stats = digests.send(on, dry_run=options["dry_run"])
        self.stdout.write(_("%(date)s：%(people)s人有提醒（新发%(new)s份，其中%(esc)s人收到下级逾期提醒），共%(items)s项，"
                            "邮件%(mail)s封，用时%(s).1f秒")
                          % {"date": f"{on:%Y-%m-%d}", "people": stats["people"], "new": stats["new"],
                             "esc": stats["escalated"], "items": stats["items"], "mail": stats["emailed"],
                             "s": time.monotonic() - started})
