"""``chuxin token USERNAME``: print the user's API token, creating it on first use."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework.authtoken.models import Token

from core.management.base import TranslatedCommand


class Command(TranslatedCommand):
    help = gettext_lazy("打印账号的接口令牌（没有则创建），用于请求头 Authorization: Token …")  # type: ignore[assignment]

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--reset", action="store_true", help=_("作废旧令牌并生成新令牌"))

    def handle(self, *args: Any, username: str, reset: bool, **options: Any) -> None:
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(_("没有用户名为“%(username)s”的账号") % {"username": username})
        if not user.is_active:
            raise CommandError(_("账号“%(username)s”已停用") % {"username": username})
        if reset:
            Token.objects.filter(user=user).delete()
        token, _created = Token.objects.get_or_create(user=user)
        self.stdout.write(token.key)
