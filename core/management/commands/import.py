"""``chuxin import members|orgs FILE [--dry-run] [--user USERNAME]``: import an xlsx or csv roster."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.context import reset_request, set_request
from core.imports.cli import ProgressPrinter, acting_user, command_request
from core.imports.engine import error_line, get_resource, import_file, resources
from core.management.base import TranslatedCommand
from core.text import listing


class Command(TranslatedCommand):
    help = gettext_lazy("从 xlsx 或 csv 文件导入党员或组织：先校验全部行，有错误则不写入任何数据")  # type: ignore[assignment]

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("resource", choices=sorted(resources()), help=_("导入什么：%(what)s") % {
            "what": listing(f"{slug}（{r.title}）" for slug, r in sorted(resources().items()))})
        parser.add_argument("file", help=_("xlsx 或 csv 文件"))
        parser.add_argument("--dry-run", action="store_true", help=_("只检查并报告，不写入"))
        parser.add_argument("--user", help=_("以哪个账号导入（按其管理范围检查每一行）；默认第一个超级管理员"))

    def handle(self, *args: Any, resource: str, file: str, dry_run: bool, user: str | None, **options: Any) -> None:
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("找不到文件 %(file)s") % {"file": file})
        account = acting_user(user)
        token = set_request(command_request(f"chuxin import {resource} {path.name}"))
        try:
            result = import_file(get_resource(resource)(account), path, dry_run=dry_run,
                                 progress=ProgressPrinter(self.stderr))
        finally:
            reset_request(token)
        counts = result.counts
        summary = _("%(file)s：共 %(total)s 行，新建 %(create)s，更新 %(update)s，"
                    "无变化 %(unchanged)s，有错误 %(refused)s") % {
            "file": path.name, "total": result.total, "create": counts["create"], "update": counts["update"],
            "unchanged": counts["unchanged"], "refused": counts["refused"],
        }
        self.stdout.write(summary)
        for row, column, message in result.errors:
            self.stdout.write(error_line(row, column, message))
        if result.errors:
            raise CommandError(_("发现 %(n)s 处错误，没有写入任何数据") % {"n": len(result.errors)}, returncode=1)
        if dry_run:
            self.stdout.write(_("检查通过（试运行，未写入）"))
        else:
            self.stdout.write(_("导入完成，用时 %(s).1f 秒") % {"s": result.seconds})
