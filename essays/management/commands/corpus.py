"""``chuxin corpus add PATH…``: load published texts (files, folders or .zip of .txt) into the reference corpus."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.context import reset_request, set_request
from core.imports.cli import acting_user, command_request
from core.management.base import TranslatedCommand
from core.text import listing
from essays import corpus
from essays.store import store


class Command(TranslatedCommand):
    help = gettext_lazy("管理参考文献库：add 载入文章、讲话、转载较多的心得（.txt 文件、文件夹或 .zip）")  # type: ignore[assignment]

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["add"])
        parser.add_argument("paths", nargs="+", help=_("文件、文件夹或 .zip；每篇第一行为标题，前几行可写“来源：网址”"))
        parser.add_argument("--url", default="", help=_("这些文献的来源网址（文中未写时）"))
        parser.add_argument("--user", help=_("以哪个管理员账号载入（记入变更记录）；默认第一个超级管理员"))

    def handle(self, *args: Any, **options: Any) -> None:
        paths = [Path(p) for p in options["paths"]]
        missing = [str(p) for p in paths if not p.exists()]
        if missing:
            raise CommandError(_("找不到：%(paths)s") % {"paths": listing(missing)})
        # Like ``import``: the command acts as an account, which the service checks and the change log names.
        account = acting_user(options.get("user"))
        token = set_request(command_request(f"chuxin corpus add {' '.join(p.name for p in paths)}"))
        try:
            loaded = corpus.add(paths, acting_user=account, source_url=options["url"])
        except (corpus.CorpusError, PermissionDenied) as exc:
            raise CommandError(str(exc)) from exc
        finally:
            reset_request(token)
        for line in loaded.refused:
            self.stderr.write(line)
        self.stdout.write(_("载入%(added)s篇，已有%(skipped)s篇，未载入%(refused)s篇")
                          % {"added": loaded.added, "skipped": loaded.skipped, "refused": len(loaded.refused)})
        if loaded.added:
            # This command's writes are committed: index them now rather than in every server process's tail.
            merged = store().merge(force=True, settle=datetime.timedelta(0))
            self.stdout.write(_("已写入比对索引：%(n)s篇") % {"n": merged})
