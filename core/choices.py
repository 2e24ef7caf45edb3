"""Choice sets shared by every app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("管理员")
    MANAGER = "manager", _("组织管理员")
    INSPECTOR = "inspector", _("检查员")
    MEMBER = "member", _("党员")


class Action(models.TextChoices):
    VIEW = "view", _("查看")
    CHANGE = "change", _("修改")
    REVEAL = "reveal", _("查看完整个人信息")


class ChangeAction(models.TextChoices):
    CREATE = "create", _("新建")
    UPDATE = "update", _("修改")
    DELETE = "delete", _("删除")
    REVEAL = "reveal", _("查看完整信息")


class Severity(models.TextChoices):
    HARD = "hard", _("强制")
    WARNING = "warning", _("提醒")


class TaskStatus(models.TextChoices):
    PENDING = "pending", _("排队中")
    RUNNING = "running", _("进行中")
    SUCCEEDED = "succeeded", _("已完成")
    FAILED = "failed", _("失败")


ROLE_ACTIONS: dict[str, frozenset[str]] = {
    Role.ADMIN: frozenset({Action.VIEW, Action.CHANGE, Action.REVEAL}),
    Role.MANAGER: frozenset({Action.VIEW, Action.CHANGE, Action.REVEAL}),
    Role.INSPECTOR: frozenset({Action.VIEW}),
    Role.MEMBER: frozenset({Action.VIEW}),
}
