"""``chuxin export members|orgs FILE [--org CODE] [--user USERNAME]``: export in the import template's columns."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.choices import Action
from core.context import reset_request, set_request
from core.imports.cli import ProgressPrinter, acting_user, command_request
from core.imports.engine import get_resource, resources
from core.imports.files import FORMATS
from core.management.base import TranslatedCommand
from core.text import listing


class Command(TranslatedCommand):
    help = gettext_lazy("把党员或组织导出为 xlsx 或 csv（格式按扩展名），导出的文件可以直接再导入")  # type: ignore[assignment]

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("resource", choices=sorted(resources()), help=_("导出什么：%(what)s") % {
            "what": listing(f"{slug}（{r.title}）" for slug, r in sorted(resources().items()))})
        parser.add_argument("file", help=_("输出文件，.xlsx 或 .csv"))
        parser.add_argument("--org", help=_("只导出这个组织（按组织编码）及其下级"))
        parser.add_argument("--user", help=_("以哪个账号导出（只导出其可见范围）；默认第一个超级管理员"))

    def handle(self, *args: Any, resource: str, file: str, org: str | None, user: str | None, **options: Any) -> None:
        path = Path(file)
        fmt = path.suffix.lower().lstrip(".")
        if fmt not in FORMATS:
            raise CommandError(_("输出文件的扩展名应为 .xlsx 或 .csv"))
        account = acting_user(user)
        instance = get_resource(resource)(account)
        queryset = instance.export_queryset()
        if org:
            org_model = instance.model._meta.get_field(instance.scope_column).related_model
            place = org_model._default_manager.restrict(account, Action.VIEW).filter(code=org).first()  # type: ignore[union-attr]
            if place is None:
                raise CommandError(_("组织编码 %(code)s 不存在或不在您的管理范围内") % {"code": org})
            queryset = queryset.in_subtree(place.path)  # type: ignore[attr-defined]
        token = set_request(command_request(f"chuxin export {resource} {path.name}"))
        try:
            count = instance.export(fmt, path, queryset, progress=ProgressPrinter(self.stderr))
        finally:
            reset_request(token)
        self.stdout.write(_("已导出 %(n)s 条到 %(file)s") % {"n": count, "file": path})
