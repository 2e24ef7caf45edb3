"""``chuxin ledgers FILE.xlsx [--org CODE] [--campaign ID]``: 问题清单、整改清单、责任清单 as one workbook."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaigns import ledgers
from campaigns.models import Campaign, Problem
from core.management.base import TranslatedCommand
from orgs.models import Organization


class Command(TranslatedCommand):
    help = gettext_lazy("导出问题整改台账（问题清单、整改清单、责任清单三张表）")  # type: ignore[assignment]

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help=_("输出文件（.xlsx）"))
        parser.add_argument("--org", help=_("只导出这个组织（含下级）的问题，填组织编码"))
        parser.add_argument("--campaign", type=int, help=_("只导出这次主题教育的问题（编号）"))

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if path.suffix.lower() != ".xlsx":
            raise CommandError(_("输出文件应为 .xlsx"))
        problems = Problem.objects.all()
        if options["org"]:
            org = Organization.objects.filter(code=options["org"]).first()
            if org is None:
                raise CommandError(_("没有编码为%(code)s的组织") % {"code": options["org"]})
            problems = problems.filter(org_path__subtree=org.path)
        if options["campaign"]:
            if not Campaign.objects.filter(pk=options["campaign"]).exists():
                raise CommandError(_("没有编号为%(n)s的主题教育") % {"n": options["campaign"]})
            problems = problems.filter(campaign_id=options["campaign"])
        count = ledgers.write_ledgers(problems, path, on=timezone.localdate())
        self.stdout.write(_("已导出%(n)s个问题到 %(file)s") % {"n": count, "file": path})
