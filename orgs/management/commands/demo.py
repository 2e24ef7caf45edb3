"""``chuxin demo``: replace the organization data by a demo organization, print the accounts, serve."""

from __future__ import annotations

import secrets
import sys
import unicodedata
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from orgs.demo import MIN_MEMBERS, holds_real_data, load_demo


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


class Command(BaseCommand):
    help = _(
        "删除现有的全部组织数据（组织、党员、班子、转接、授权、变更记录及非超级用户账号），"
        "生成一个演示用的市委组织体系，打印演示账号，并启动服务。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--members", type=int, default=2000, help=_("党员人数（默认 2000）"))
        parser.add_argument("--password", help=_("演示账号的密码（默认随机生成）"))
        parser.add_argument("--seed", type=int, help=_("随机种子：相同的种子生成相同的数据"))
        parser.add_argument("--no-serve", action="store_true", help=_("生成后不启动服务"))
        parser.add_argument("--replace", action="store_true",
                            help=_("数据库中已有不是由演示生成的组织数据时，仍然全部替换"))
        parser.add_argument("--host", default="127.0.0.1", help=_("服务监听地址（默认 127.0.0.1）"))
        parser.add_argument("--port", type=int, default=8000, help=_("服务端口（默认 8000）"))

    def handle(self, *args: Any, **options: Any) -> None:
        members = options["members"]
        if members < MIN_MEMBERS:
            raise CommandError(_("演示组织至少需要%(n)s名党员") % {"n": MIN_MEMBERS})
        password = options["password"] or secrets.token_urlsafe(9)
        try:
            validate_password(password)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        verbosity = options["verbosity"]
        self.stdout.write(_("正在更新数据库结构……"))
        call_command("migrate", interactive=False, verbosity=0)
        if not options["replace"] and holds_real_data():
            raise CommandError(_("数据库中已有不是由演示生成的组织数据，演示会将其全部删除。确需替换请加 --replace。"))
        self.stdout.write(_("正在生成演示组织（%(n)s名党员）……") % {"n": f"{members:,}"})
        progress = sys.stderr if verbosity > 0 and members >= 20000 else None
        result = load_demo(members=members, password=password, seed=options["seed"], progress=progress)
        host, port = options["host"], options["port"]
        url = f"http://{host}:{port}/"
        self.stdout.write(self.style.SUCCESS(
            _("已生成：%(orgs)s个组织，%(members)s名党员，用时%(seconds).1f秒（随机种子 %(seed)s）")
            % {"orgs": f"{result.organizations:,}", "members": f"{result.members:,}", "seconds": result.seconds,
               "seed": result.seed}
        ))
        header = [_("用户名"), _("角色"), _("管理范围"), _("密码")]
        rows = [[a.username, a.role, a.scope, password] for a in result.accounts]
        widths = [max(_width(r[i]) for r in [header, *rows]) for i in range(len(header))]
        line = "+".join("-" * (w + 2) for w in widths)
        self.stdout.write("")
        self.stdout.write(_("演示账号（登录地址 %(url)s）：") % {"url": url})
        self.stdout.write(line)
        for row in [header, None, *rows]:
            if row is None:
                self.stdout.write(line)
                continue
            self.stdout.write(" " + " | ".join(_pad(cell, w) for cell, w in zip(row, widths, strict=True)))
        self.stdout.write(line)
        self.stdout.write("")
        if not options["no_serve"]:
            call_command("serve", host=host, port=port)
