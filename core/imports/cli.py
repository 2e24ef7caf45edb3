"""What the ``import`` and ``export`` commands share: the acting account and progress lines."""

from __future__ import annotations

import time
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from core.context import RequestInfo


def acting_user(username: str | None) -> Any:
    """The named account, or the first active superuser: commands act as someone, and are logged as them."""
    User = get_user_model()
    if username:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(_("没有用户名为“%(username)s”的账号") % {"username": username})
        if not user.is_active:
            raise CommandError(_("账号“%(username)s”已停用") % {"username": username})
        return user
    user = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
    if user is None:
        raise CommandError(_("没有可用的超级管理员账号，请用 --user 指定执行导入导出的账号"))
    return user


def command_request(description: str) -> RequestInfo:
    """The change log's "request" of a command run, so that its changes are grouped and named."""
    return RequestInfo(description=description[:300])


class ProgressPrinter:
    """Prints a progress line when the phase changes, and at most every ``every`` seconds within it."""

    def __init__(self, out: Any, every: float = 2.0) -> None:
        self.out = out
        self.every = every
        self.last = 0.0
        self.message = ""

    def __call__(self, done: int, total: int, message: str) -> None:
        now = time.monotonic()
        if message == self.message and now - self.last < self.every:
            return
        self.message, self.last = message, now
        suffix = f" {done}/{total}" if total else ""
        self.out.write(f"{message}{suffix}\n")
        self.out.flush()
