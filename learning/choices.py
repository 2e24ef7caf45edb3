"""Choice sets of study activities and the hours ledger, named as in rules.md §3."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ActivityForm(models.TextChoices):
    CONCENTRATED = "concentrated", _("集中学习")
    LECTURE = "lecture", _("专题党课")
    THEME_DAY = "theme_day", _("主题党日")
    SEMINAR = "seminar", _("研讨交流")
    FIELD = "field", _("现场教学")
    ONLINE = "online", _("网络培训")
    PARTY_SCHOOL = "party_school", _("党校培训")
    SELF_STUDY = "self_study", _("个人自学")


class StudyKind(models.TextChoices):
    """How the hours count toward the annual requirement."""

    TRAINING = "training", _("集中培训")
    COLLECTIVE = "collective", _("集体学习")
    ONLINE = "online", _("网络学习")
    SELF = "self", _("个人自学")


# The kind an activity of each form credits unless the organizer says otherwise.
FORM_KIND = {
    ActivityForm.CONCENTRATED: StudyKind.COLLECTIVE,
    ActivityForm.LECTURE: StudyKind.COLLECTIVE,
    ActivityForm.THEME_DAY: StudyKind.COLLECTIVE,
    ActivityForm.SEMINAR: StudyKind.COLLECTIVE,
    ActivityForm.FIELD: StudyKind.COLLECTIVE,
    ActivityForm.ONLINE: StudyKind.ONLINE,
    ActivityForm.PARTY_SCHOOL: StudyKind.TRAINING,
    ActivityForm.SELF_STUDY: StudyKind.SELF,
}

# Hours of these kinds are capped by the rule ``learning.online.cap_hours``.
CAPPED_KINDS = (StudyKind.ONLINE, StudyKind.SELF)


class Audience(models.TextChoices):
    SUBTREE = "subtree", _("本组织及下级全体党员")
    ORGS = "orgs", _("指定组织")
    MEMBERS = "members", _("指定党员")
    LEADERS = "leaders", _("下级组织书记和委员")
    SECRETARIES = "secretaries", _("下级组织书记")


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("出席")
    ABSENT = "absent", _("缺席")
    EXCUSED = "excused", _("请假")
    MAKEUP = "makeup", _("已补学")


CREDITED_ATTENDANCE = (AttendanceStatus.PRESENT, AttendanceStatus.MAKEUP)


class AttendanceMethod(models.TextChoices):
    SIGN_IN = "sign_in", _("本人签到")
    RECORDED = "recorded", _("组织登记")
    MAKEUP = "makeup", _("补学")


class RecordSource(models.TextChoices):
    ACTIVITY = "activity", _("学习活动")
    MAKEUP = "makeup", _("补学")
    EXTERNAL = "external", _("外部学时")
    EXAM = "exam", _("考试")


class Standing(models.TextChoices):
    DONE = "done", _("已完成")
    ON_TRACK = "on_track", _("进度正常")
    BEHIND = "behind", _("进度滞后")


class Frequency(models.TextChoices):
    WEEKLY = "weekly", _("每周")
    MONTHLY = "monthly", _("每月")


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("单选题")
    MULTIPLE = "multiple", _("多选题")
    TRUE_FALSE = "true_false", _("判断题")
    BLANK = "blank", _("填空题")


CHOICE_KINDS = (QuestionKind.SINGLE, QuestionKind.MULTIPLE)


class AttemptStatus(models.TextChoices):
    OPEN = "open", _("答题中")
    SUBMITTED = "submitted", _("已交卷")
    EXPIRED = "expired", _("已超时")


class PointAction(models.TextChoices):
    """What earns study points (积分); points and caps per action are rule-table entries."""

    ATTEND = "attend", _("参加学习活动")
    MAKEUP = "makeup", _("完成补学")
    EXAM_CORRECT = "exam_correct", _("考试答对一题")
    EXAM_PASS = "exam_pass", _("考试及格")
