"""``chuxin serve``: run Chuxin with a production-capable WSGI server (waitress).

Static files are served by WhiteNoise straight from the apps' static folders (``WHITENOISE_USE_FINDERS``),
so no ``collectstatic`` step is needed; waitress is pure Python and runs the same on every platform.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.utils.translation import gettext as _


class Command(BaseCommand):
    help = _("用 waitress 启动 Chuxin 服务（静态文件由应用直接提供，无需 collectstatic）。")
    requires_system_checks = "__all__"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help=_("监听地址（默认 127.0.0.1；局域网访问用 0.0.0.0）"))
        parser.add_argument("--port", type=int, default=8000, help=_("端口（默认 8000）"))
        parser.add_argument("--threads", type=int, default=8, help=_("工作线程数（默认 8）"))

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            from waitress import serve
        except ImportError as error:  # pragma: no cover - waitress is in requirements/base.txt
            raise CommandError(_("未安装 waitress：请执行 pip install -r requirements/base.txt")) from error
        from django.conf import settings
        from django.core.wsgi import get_wsgi_application

        host, port = options["host"], options["port"]
        self._warn_unapplied_migrations()
        local = host in ("127.0.0.1", "localhost")
        if not local and host not in settings.ALLOWED_HOSTS and "*" not in settings.ALLOWED_HOSTS:
            self.stderr.write(self.style.WARNING(
                _("提示：用其他地址访问时，请在环境变量 CHUXIN_ALLOWED_HOSTS 中加入该主机名或 IP。")
            ))
        # WhiteNoise serves from the finders; it only warns when the (empty) collectstatic target is missing.
        Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
        application = get_wsgi_application()
        shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
        self.stdout.write(self.style.SUCCESS(
            _("Chuxin 已启动：http://%(host)s:%(port)s/ （按 Ctrl+C 停止）") % {"host": shown, "port": port}
        ))
        self.stdout.flush()
        try:
            serve(application, host=host, port=port, threads=options["threads"], ident="chuxin", _quiet=True)
        except KeyboardInterrupt:
            self.stdout.write(_("已停止。"))

    def _warn_unapplied_migrations(self) -> None:
        connection = connections[DEFAULT_DB_ALIAS]
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if plan:
            self.stderr.write(self.style.WARNING(
                _("数据库有%(n)s个迁移尚未执行，请先运行 chuxin migrate。") % {"n": len(plan)}
            ))
