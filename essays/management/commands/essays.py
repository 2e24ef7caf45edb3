"""``chuxin essays check FILE [--json]``, ``chuxin essays reindex``, ``chuxin essays index``,
``chuxin essays recheck [--stale-minutes N]``."""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError, CommandParser
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.management.base import TranslatedCommand
from essays import corpus
from essays.store import store


class Command(TranslatedCommand):
    help = gettext_lazy(  # type: ignore[assignment]
        "心得体会：check 检查一个文本文件的原创度（不保存任何内容）；reindex 重建比对索引；index 显示索引状况；"
        "recheck 重新检查检查失败或中断的提交稿")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["check", "reindex", "index", "recheck"])
        parser.add_argument("file", nargs="?", help=_("要检查的 .txt 文件"))
        parser.add_argument("--json", action="store_true", help=_("以 JSON 输出"))
        parser.add_argument("--stale-minutes", type=int, default=30,
                            help=_("recheck：仍在“检查中”超过这么多分钟的提交稿视为中断（默认30）"))

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "reindex":
            def progress(done: int, total: int) -> None:
                self.stderr.write(f"\r{done:,}/{total:,}", ending="")

            manifest = store().rebuild(progress)
            self.stdout.write(_("比对索引已重建：%(e)s篇心得体会，%(r)s篇参考文献")
                              % {"e": manifest["essays"], "r": manifest["references"]})
            return
        if action == "index":
            self.stdout.write(json.dumps(store().describe(), ensure_ascii=False, indent=2))
            return
        if action == "recheck":
            self.recheck(options["stale_minutes"])
            return
        if not options["file"]:
            raise CommandError(_("请给出要检查的文件"))
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("找不到文件：%(path)s") % {"path": path})
        if path.stat().st_size > corpus.MAX_BYTES:
            raise CommandError(_("文件超过5 MB"))
        try:
            text = corpus.decode(path.read_bytes())
            result = corpus.check(text)
        except corpus.CorpusError as exc:
            raise CommandError(str(exc)) from exc
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        report = corpus.describe(text, result)
        if options["json"]:
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
            return
        passages = report["passages"]
        self.stdout.write(_("原创度 %(p)s%%（%(n)s处雷同）") % {"p": report["originality"], "n": len(passages)})
        for p in passages:
            source = p["source"]
            name = source.get("title") or source.get("label", "")
            self.stdout.write(f"  [{p['start']}–{p['end']}] {p['text'][:60]}")
            self.stdout.write(f"      ← {name} {source.get('url', '')} [{p['source_start']}–{p['source_end']}]")

    def recheck(self, stale_minutes: int) -> None:
        """Check again the versions whose check failed, or is still pending long after submission (the server
        stopped while the background task ran)."""
        from essays.choices import CheckStatus
        from essays.models import EssayVersion
        from essays.services import run_check

        if stale_minutes < 0:
            raise CommandError(_("--stale-minutes 不能为负数"))
        stale = timezone.now() - datetime.timedelta(minutes=stale_minutes)
        versions = EssayVersion.objects.filter(
            Q(check_status=CheckStatus.FAILED) | Q(check_status=CheckStatus.PENDING, submitted_at__lt=stale),
        ).order_by("pk")
        done = failed = 0
        for version in versions:
            try:
                run_check(version)
            except Exception as exc:  # noqa: BLE001  (reported, and the next version is checked)
                failed += 1
                self.stderr.write(_("第%(n)s稿（%(title)s）检查失败：%(error)s")
                                  % {"n": version.number, "title": version.title, "error": exc})
            else:
                done += 1
        self.stdout.write(_("已重新检查%(done)s稿，失败%(failed)s稿") % {"done": done, "failed": failed})
        if failed:
            raise CommandError(_("有%(n)s稿检查失败") % {"n": failed})
