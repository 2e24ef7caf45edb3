"""Choice sets of the campaigns app, named after the conventions of the 2019 theme education's lists."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CategoryKind(models.TextChoices):
    GOAL = "goal", _("目标任务")
    SPECIAL = "special", _("专项整治")


class RequirementKind(models.TextChoices):
    STUDY = "study", _("集中学习")
    ESSAY = "essay", _("心得体会")
    MEETING = "meeting", _("专题组织生活会/民主生活会")


class Answer(models.TextChoices):
    YES = "yes", _("是")
    PARTLY = "partly", _("部分")
    NO = "no", _("否")


class ProblemSource(models.TextChoices):
    SELF = "self", _("自己找")
    MASSES = "masses", _("群众提")
    SUPERIOR = "superior", _("上级点")
    MUTUAL = "mutual", _("互相帮")
    GAP = "gap", _("差距清单")
    ESSAY = "essay", _("心得体会审阅")


class ProblemSeverity(models.TextChoices):
    GENERAL = "general", _("一般")
    SERIOUS = "serious", _("较重")
    GRAVE = "grave", _("严重")


class RectificationKind(models.TextChoices):
    IMMEDIATE = "immediate", _("立行立改")
    DEADLINE = "deadline", _("限期整改")
    LONG_TERM = "long_term", _("长期坚持")


class ProblemStatus(models.TextChoices):
    OPEN = "open", _("待整改")
    IN_PROGRESS = "in_progress", _("整改中")
    SUBMITTED = "submitted", _("待销号")
    RETURNED = "returned", _("已退回")
    CLOSED = "closed", _("已销号")


OPEN_STATUSES = (ProblemStatus.OPEN, ProblemStatus.IN_PROGRESS, ProblemStatus.SUBMITTED, ProblemStatus.RETURNED)


class ReviewDecision(models.TextChoices):
    CLOSE = "close", _("同意销号")
    RETURN = "return", _("退回整改")
    REOPEN = "reopen", _("回头看重新整改")


class ProjectStatus(models.TextChoices):
    PLANNED = "planned", _("未开始")
    IN_PROGRESS = "in_progress", _("推进中")
    DONE = "done", _("已办结")


class EvidencePhase(models.TextChoices):
    PROGRESS = "progress", _("整改进展")
    BEFORE = "before", _("办理前")
    AFTER = "after", _("办理后")


class ExemplarKind(models.TextChoices):
    PERSON = "person", _("先进个人")
    ORG = "org", _("先进集体")
