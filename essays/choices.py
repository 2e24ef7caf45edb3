from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class EssayAudience(models.TextChoices):
    SUBTREE = "subtree", _("本组织及下级全体党员")
    ATTENDEES = "attendees", _("学习活动的参加人员")
    MEMBERS = "members", _("指定党员")


class EssayStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待审阅")
    RETURNED = "returned", _("已退回")
    APPROVED = "approved", _("已通过")


class CheckStatus(models.TextChoices):
    PENDING = "pending", _("检查中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("检查失败")


class Decision(models.TextChoices):
    APPROVED = "approved", _("通过")
    RETURNED = "returned", _("退回修改")
