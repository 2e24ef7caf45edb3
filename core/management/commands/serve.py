"""``chuxin serve``: run Chuxin with a production-capable WSGI server.

One process (the default) is waitress, pure Python, the same on every platform. Python runs one thread
at a time per process, so a busy installation gives each core a process: ``--workers N`` (or
``CHUXIN_WORKERS``) runs gunicorn with N worker processes of ``--threads`` threads each. Static files are
served by WhiteNoise straight from the apps' static folders (``WHITENOISE_USE_FINDERS``), so no
``collectstatic`` step is needed.
"""

from __future__ import annotations

import os
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
        parser.add_argument("--threads", type=int, default=8, help=_("每个进程的工作线程数（默认 8）"))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("CHUXIN_WORKERS", "1") or 1),
                            help=_("工作进程数（默认 1，或环境变量 CHUXIN_WORKERS）；大于 1 时用 gunicorn，"
                                   "一般设为 CPU 核数"))

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
        if options["workers"] > 1:
            _gunicorn(application, host, port, options["workers"], options["threads"])
            return
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


def _gunicorn(application: Any, host: str, port: int, workers: int, threads: int) -> None:
    """Serve with gunicorn's threaded workers (each process its own connections and task threads)."""
    from gunicorn.app.base import BaseApplication

    class Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for key, value in {"bind": f"{host}:{port}", "workers": workers, "threads": threads,
                               "worker_class": "gthread", "timeout": 120, "accesslog": None}.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            return application

    Server().run()
