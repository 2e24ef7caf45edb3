"""``chuxin gaps``: print the gaps (差距) of an organization's subtree, one line each."""

from __future__ import annotations

import datetime
import json
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.choices import Severity
from core.gaps import gap_rules, gaps_in
from core.management.base import TranslatedCommand
from core.navigation import home_orgs
from core.scoping import can_in_org


class Command(TranslatedCommand):
    help = gettext_lazy("列出组织（含下级）在某日的差距；默认为全部顶层组织")  # type: ignore[assignment]

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", metavar="CODE", help=_("组织编码；默认全部顶层组织"))
        parser.add_argument("--date", metavar="YYYY-MM-DD", help=_("日期，默认今天"))
        parser.add_argument("--user", metavar="USERNAME", help=_("只看该账号管理范围内的组织"))
        parser.add_argument("--format", choices=["table", "json"], default="table", help=_("输出格式"))
        keys = [r.key for r in gap_rules()]
        parser.add_argument("--rule", action="append", metavar="KEY", choices=keys,
                            help=_("只列出这类差距（可重复）：%(keys)s") % {"keys": ", ".join(keys)})

    def handle(self, *args: Any, **options: Any) -> None:
        from orgs.models import Organization

        on = self.parse_date(options["date"])
        user = self.get_user(options["user"])
        orgs = Organization.objects.restrict(user, "view") if user else Organization.objects.all()
        if options["org"]:
            org = orgs.filter(code=options["org"]).first()
            # A member's own branch is visible to them, but its gaps name other members.
            if org is None or (user and not can_in_org(user, "view", org.path)):
                raise CommandError(_("找不到组织编码为“%(code)s”的组织") % {"code": options["org"]})
            roots = [org]
        else:
            roots = home_orgs(user) if user else list(orgs.filter(parent__isnull=True))
            if user:
                roots = [org for org in roots if can_in_org(user, "view", org.path)]
        gaps = gaps_in(roots, on, options["rule"])
        if options["format"] == "json":
            self.stdout.write(json.dumps([g.as_dict() for g in gaps], ensure_ascii=False, indent=2))
            return
        severities = dict(Severity.choices)
        for gap in gaps:
            self.stdout.write("\t".join([
                str(severities.get(gap.severity, gap.severity)), f"{gap.org_code} {gap.org_name}", gap.title,
                gap.detail, gap.source,
            ]))
        self.stderr.write(_("%(date)s 共 %(n)s 项差距") % {"date": f"{on:%Y-%m-%d}", "n": len(gaps)})

    def parse_date(self, value: str | None) -> datetime.date:
        if not value:
            return timezone.localdate()
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            raise CommandError(_("日期格式应为 YYYY-MM-DD：%(value)s") % {"value": value}) from None

    def get_user(self, username: str | None) -> Any:
        if not username:
            return None
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(_("没有用户名为“%(username)s”的账号") % {"username": username})
        return user
