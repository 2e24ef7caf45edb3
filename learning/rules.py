"""Study-hour regulations (rules.md §3) as pure functions and rule-table defaults."""

from __future__ import annotations

import calendar
import datetime
import re
import unicodedata
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from core.choices import Severity
from core.rules import DefaultRule, register_defaults
from learning.choices import Standing

PLAN_2019 = "《2019—2023年全国党员教育培训工作规划》（中办，2019）"
PLAN_2019_URL = "https://wodeyuanxiao.com/Educationandtraining/vxwvowpkge.html"
CONVERSION_SOURCE = "学时折算惯例：脱产培训1天折算8学时，半天4学时，其余按实际小时计；学时按自然年度计算"
CONVERSION_URL = "http://www.pulmonologynews.net/2018/1019/c2418a121914/page.html"
LOCAL = "本单位设定（全国规定未明确，可由管理员调整）"
START = datetime.date(2019, 11, 1)
# The 2019–2023 plan has expired. Its successor, 《全国党员教育培训工作规划（2024—2028年）》, is in force; its
# national figures were not found in a public text, so its versions keep the 2019 figures and say so.
PLAN_2024 = "《全国党员教育培训工作规划（2024—2028年）》（中办）"
PLAN_2024_URL = "https://www.12371.cn/special/dyjygh20242028/"
PLAN_2024_START = datetime.date(2024, 1, 1)
PLAN_2024_NOTE = "新规划的全国学时标准未查到公开原文，沿用2019—2023年规划的标准；如本地另有规定，请管理员调整"


def _rule(key: str, name: str, value: object, unit: str, source: str, url: str = "",
          severity: str = Severity.WARNING, note: str = "") -> DefaultRule:
    return DefaultRule(key=key, name=name, value=value, unit=unit, severity=severity, effective_from=START,
                       source=source, source_url=url, note=note)


PLAN_RULES = (
    ("learning.hours.member_annual", "党员每年学习培训学时", 32, "学时",
     "党员每年集中学习培训时间一般不少于32学时"),
    ("learning.hours.leader_annual", "基层党组织书记和班子成员每年学习培训学时", 56, "学时",
     "基层党组织书记和班子成员每年集中学习培训时间不少于56学时"),
    ("learning.training.leader_min", "书记和班子成员每年至少参加集中培训次数", 1, "次",
     "基层党组织书记和班子成员每年至少参加1次集中培训"),
    ("learning.training.new_secretary_months", "新任书记应接受培训的期限", 6, "月",
     "新任基层党组织书记6个月内完成任职培训"),
    ("learning.training.converted_within_days", "转正不满此天数的党员应参加集中培训", 365, "天",
     "预备党员和转正不满1年的党员参加1次上级党组织举办的集中培训"),
)

register_defaults(*(
    DefaultRule(key=key, name=name, value=value, unit=unit, severity=Severity.WARNING,
                effective_from=PLAN_2024_START, source=f"{PLAN_2024}（沿用{PLAN_2019}：{text}）",
                source_url=PLAN_2024_URL, note=PLAN_2024_NOTE)
    for key, name, value, unit, text in PLAN_RULES
))

register_defaults(
    # The 2019 plan's versions of the same rules (from 2019; the 2024 ones above take over from 2024).
    *(_rule(key, name, value, unit, f"{PLAN_2019}：{text}", PLAN_2019_URL)
      for key, name, value, unit, text in PLAN_RULES),
    _rule("learning.online.cap_hours", "网络学习和个人自学每年计入学时上限", 16, "学时", LOCAL,
          note="各地常把学习强国、共产党员网等网络课程按上限折算，未找到全国统一上限"),
    _rule("learning.hours.full_day", "全天折算学时", 8, "学时", CONVERSION_SOURCE, CONVERSION_URL),
    _rule("learning.hours.half_day", "半天折算学时", 4, "学时", CONVERSION_SOURCE, CONVERSION_URL),
    _rule("learning.hours.full_day_min", "当天学习满此小时数按全天计", 6, "小时", CONVERSION_SOURCE, CONVERSION_URL),
    _rule("learning.hours.half_day_min", "当天学习满此小时数按半天计", 3, "小时", CONVERSION_SOURCE, CONVERSION_URL),
    _rule("learning.pace.tolerance_hours", "季度末落后于应完成进度的学时数（超过即提醒）", 8, "学时", LOCAL),
    _rule("learning.pace.max_hours_per_week", "每周最多可安排的学习学时（判断全年能否完成）", 8, "学时", LOCAL),
    _rule("learning.training.leader_check_month", "从每年此月起提醒尚未参加集中培训的书记和班子成员", 7, "月", LOCAL),
    _rule("learning.training.probationary_due_months", "入党满此月数仍未参加集中培训的予以提醒", 12, "月", LOCAL),
    _rule("learning.makeup.window_days", "缺席后可补学的天数", 30, "天", LOCAL),
    _rule("learning.sign_in.opens_minutes", "活动开始前可提前签到的分钟数", 30, "分钟", LOCAL),
    _rule("learning.sign_in.max_wrong_codes", "同一活动签到码输错的次数上限（达到后不能再自助签到）", 5, "次", LOCAL,
          severity=Severity.HARD,
          note="签到码通常只有4位，不限次数时不在现场的党员可以逐个尝试；达到上限后由活动组织者登记出勤"),
    _rule("learning.points.attend", "参加学习活动得分", 5, "分", LOCAL),
    _rule("learning.points.attend.daily_cap", "参加学习活动每日得分上限", 10, "分", LOCAL),
    _rule("learning.points.makeup", "完成补学得分", 3, "分", LOCAL),
    _rule("learning.points.makeup.daily_cap", "完成补学每日得分上限", 6, "分", LOCAL),
    _rule("learning.points.exam_correct", "考试答对一题得分", 1, "分", LOCAL),
    _rule("learning.points.exam_correct.daily_cap", "考试答题每日得分上限", 5, "分", LOCAL),
    _rule("learning.points.exam_pass", "考试及格得分", 2, "分", LOCAL),
    _rule("learning.points.exam_pass.daily_cap", "考试及格每日得分上限", 2, "分", LOCAL),
    _rule("learning.points.daily_cap", "每日学习积分总上限", 20, "分", LOCAL),
    _rule("learning.points.branch_ranking", "在党支部内显示积分排名（1=显示，0=不显示）", 0, "", LOCAL,
          note="默认不公开个人排名"),
    _rule("learning.exam.min_seconds_per_question", "每题至少的阅读时间（更快交卷视为异常）", 3, "秒", LOCAL),
)

HALF = Decimal("0.5")
MAX_HOURS_PER_DAY = 24


def round_half(value: Decimal | float) -> Decimal:
    """Hours are kept to half an hour."""
    return (Decimal(str(value)) / HALF).quantize(Decimal(1), rounding=ROUND_HALF_UP) * HALF


@dataclass(frozen=True)
class Conversion:
    full_day: Decimal
    half_day: Decimal
    full_day_min: Decimal
    half_day_min: Decimal


def day_hours(actual: Decimal, conv: Conversion) -> Decimal:
    """One day's credited hours: a full day, half a day, or the actual hours (to half an hour)."""
    if actual >= conv.full_day_min:
        return conv.full_day
    if actual >= conv.half_day_min:
        return max(conv.half_day, round_half(actual))
    return round_half(actual)


def credited_hours(start: datetime.datetime, end: datetime.datetime, conv: Conversion) -> Decimal:
    """The hours an activity from ``start`` to ``end`` credits, day by day (a three-day course is 3 × 8)."""
    if end <= start:
        return Decimal(0)
    total = Decimal(0)
    day = start.date()
    while day <= end.date():
        begin = max(start, datetime.datetime.combine(day, datetime.time.min, tzinfo=start.tzinfo))
        finish = min(end, datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min,
                                                    tzinfo=start.tzinfo))
        seconds = Decimal((finish - begin).total_seconds())
        if seconds > 0:
            total += day_hours(seconds / 3600, conv)
        day += datetime.timedelta(days=1)
    return total


def max_hours(start: datetime.datetime, end: datetime.datetime) -> Decimal:
    """No activity credits more than 24 hours for any day it spans."""
    days = (end.date() - start.date()).days + 1
    return Decimal(MAX_HOURS_PER_DAY * max(days, 1))


def counted_hours(total: Decimal, capped: Decimal, cap: Decimal) -> Decimal:
    """All hours, with online and self-study hours counted up to ``cap``."""
    return total - max(Decimal(0), capped - cap)


def year_fraction(on: datetime.date) -> Decimal:
    """The share of ``on``'s year elapsed at the end of that day."""
    days = 366 if calendar.isleap(on.year) else 365
    return Decimal(on.timetuple().tm_yday) / Decimal(days)


def last_quarter_end(on: datetime.date) -> datetime.date | None:
    """The last quarter end on or before ``on`` in the same year (``None`` in the first quarter)."""
    for month in (12, 9, 6, 3):
        end = datetime.date(on.year, month, calendar.monthrange(on.year, month)[1])
        if end <= on:
            return end
    return None


def due_by(required: Decimal, on: datetime.date) -> Decimal:
    """The hours due by ``on`` at an even pace through the year (unrounded: pages round for display)."""
    return required * year_fraction(on)


def standing(counted: Decimal, required: Decimal, trainings: int, trainings_required: int,
             on: datetime.date) -> str:
    """Done when the year's hours and trainings are in; on track while at or above the even pace."""
    if counted >= required and trainings >= trainings_required:
        return Standing.DONE
    return Standing.ON_TRACK if counted >= due_by(required, on) else Standing.BEHIND


def weeks_left(on: datetime.date) -> Decimal:
    end = datetime.date(on.year, 12, 31)
    return Decimal((end - on).days) / 7


def cannot_make_year(counted: Decimal, required: Decimal, on: datetime.date, per_week: Decimal) -> bool:
    """Even at the most a member can study per week, the year's requirement is out of reach."""
    return required - counted > weeks_left(on) * per_week


def months_between(start: datetime.date, end: datetime.date) -> int:
    months = (end.year - start.year) * 12 + end.month - start.month
    return months - 1 if end.day < start.day else months


# Questions and exams

BLANK = "____"
TAG_SPLIT = re.compile(r"[,，;；、\s]+")
_ANSWER_STRIP = re.compile(r"[\s　，,。.；;：:！!？?“”\"'‘’（）()《》]+")


_CHOICE_GAP = re.compile(r"[（(][\s　]*[）)]")


def statement_key(kind: str, text: str, options: Any, answer: Any) -> str:
    """The statement a question asks about, with its answer put back and punctuation left out: questions made
    from one sentence (a fill-in and a choice on it, or blanks on different words of it) share the key, and a
    paper holding two of them would answer one with the other."""
    from learning.choices import CHOICE_KINDS, QuestionKind

    filled = text or ""
    if kind == QuestionKind.BLANK and isinstance(answer, list):
        for accepted in answer:
            first = accepted[0] if isinstance(accepted, list) and accepted else ""
            filled = filled.replace(BLANK, str(first), 1)
    elif kind in CHOICE_KINDS and isinstance(answer, list) and isinstance(options, list):
        correct = "".join(str(options[i]) for i in answer if isinstance(i, int) and 0 <= i < len(options))
        filled = _CHOICE_GAP.sub(lambda _match: correct, filled, count=1)
    return _ANSWER_STRIP.sub("", filled)


def split_tags(text: str) -> list[str]:
    seen: list[str] = []
    for tag in TAG_SPLIT.split(text or ""):
        if tag and tag not in seen:
            seen.append(tag)
    return seen


def blank_count(text: str) -> int:
    return text.count(BLANK)


def question_error(kind: str, text: str, options: Any, answer: Any) -> tuple[str, str] | None:
    """(field, message) for the first thing wrong with a question, or ``None``."""
    from django.utils.translation import gettext as _

    from learning.choices import CHOICE_KINDS, QuestionKind

    if not (text or "").strip():
        return "text", _("题干不能为空")
    if kind in CHOICE_KINDS:
        if not isinstance(options, list) or not 2 <= len(options) <= 8 or not all(
                isinstance(o, str) and o.strip() for o in options):
            # How many were read says what went wrong ("甲/乙/丙" on one line is one option).
            count = len([o for o in options if isinstance(o, str) and o.strip()]) if isinstance(options, list) else 0
            return "options", _("选择题应有2–8个非空选项，每行一个（现读到%(n)s个）") % {"n": count}
        if len({o.strip() for o in options}) != len(options):
            return "options", _("选项不能重复")
        if not isinstance(answer, list) or not answer or not all(
                isinstance(i, int) and 0 <= i < len(options) for i in answer) or len(set(answer)) != len(answer):
            return "answer", _("答案应为选项的序号")
        if kind == QuestionKind.SINGLE and len(answer) != 1:
            return "answer", _("单选题只能有一个正确答案")
        if kind == QuestionKind.MULTIPLE and len(answer) < 2:
            return "answer", _("多选题至少有两个正确答案")
        return None
    if options:
        return "options", _("只有选择题有选项")
    if kind == QuestionKind.TRUE_FALSE:
        if answer not in ([True], [False]):
            return "answer", _("判断题的答案应为“对”或“错”")
        return None
    blanks = blank_count(text)
    if blanks == 0:
        return "text", _("填空题的题干中用 ____ 标出空格")
    if not isinstance(answer, list) or len(answer) != blanks or not all(
            isinstance(a, list) and a and all(isinstance(s, str) and s.strip() for s in a) for a in answer):
        return "answer", _("每个空格都应给出至少一个答案（题中有%(n)s个空格）") % {"n": blanks}
    return None


def draw_error(draw: Any) -> str | None:
    from django.utils.translation import gettext as _

    from learning.choices import QuestionKind

    if not isinstance(draw, list) or not draw:
        return _("至少需要一条抽题规则")
    for rule in draw:
        if not isinstance(rule, dict) or rule.get("kind") not in QuestionKind.values:
            return _("抽题规则的题型无效")
        count = rule.get("count")
        if not isinstance(count, int) or not 1 <= count <= 200:
            return _("每条规则抽1–200题")
        if not isinstance(rule.get("tag", ""), str):
            return _("标签应为文字")
    return None


def normalize_answer(text: str) -> str:
    return _ANSWER_STRIP.sub("", unicodedata.normalize("NFKC", text or "")).lower()


def is_correct(kind: str, answer: Any, given: Any) -> bool:
    """Whether ``given`` (what a member submitted for one question) is right."""
    from learning.choices import CHOICE_KINDS, QuestionKind

    if kind in CHOICE_KINDS:
        return isinstance(given, list) and sorted(given) == sorted(answer)
    if kind == QuestionKind.TRUE_FALSE:
        return isinstance(given, bool) and [given] == answer
    if not isinstance(given, list) or len(given) != len(answer):
        return False
    return all(isinstance(g, str) and normalize_answer(g) in {normalize_answer(a) for a in accepted}
               for g, accepted in zip(given, answer, strict=True))


def percent(correct: int, total: int) -> Decimal:
    return (Decimal(100) * correct / total).quantize(Decimal("0.1")) if total else Decimal(0)


LETTERS = "ABCDEFGH"
TRUE_WORDS = {"对", "正确", "是", "√", "✓", "t", "true", "y", "yes"}
FALSE_WORDS = {"错", "错误", "否", "×", "✗", "f", "false", "n", "no"}
_OPTION_PREFIX = re.compile(r"^\s*[A-Ha-h][\.．、:：)）]\s*")


def parse_options(text: str) -> list[str]:
    """Options typed one per line (or separated by ``|``), with or without ``A.`` in front."""
    parts = re.split(r"\n|\|", (text or "").strip())
    return [_OPTION_PREFIX.sub("", p).strip() for p in parts if p.strip()]


def parse_answer(kind: str, text: str, options: list[str]) -> Any:
    """The stored answer from what people type: ``B``, ``ACD``, ``对``/``错``, or the blanks' answers one
    per line (alternatives separated by ``/``); raises ``ValueError`` with the reason."""
    from django.utils.translation import gettext as _

    from learning.choices import CHOICE_KINDS, QuestionKind

    raw = (text or "").strip()
    if kind in CHOICE_KINDS:
        letters = re.sub(r"[\s,，、]", "", raw).upper()
        if not letters or any(c not in LETTERS[: len(options)] for c in letters):
            raise ValueError(_("答案应为选项字母，如 B 或 ACD"))
        return sorted({LETTERS.index(c) for c in letters})
    if kind == QuestionKind.TRUE_FALSE:
        word = raw.lower()
        if word in TRUE_WORDS:
            return [True]
        if word in FALSE_WORDS:
            return [False]
        raise ValueError(_("判断题的答案应为“对”或“错”"))
    lines = [line for line in re.split(r"\n|；|;", raw) if line.strip()]
    if not lines:
        raise ValueError(_("请填写每个空格的答案，每行一个"))
    return [[alt.strip() for alt in re.split(r"[/|]", line) if alt.strip()] for line in lines]


def format_answer(kind: str, answer: Any) -> str:
    from learning.choices import CHOICE_KINDS, QuestionKind

    if kind in CHOICE_KINDS:
        return "".join(LETTERS[i] for i in answer or [])
    if kind == QuestionKind.TRUE_FALSE:
        return "对" if answer == [True] else "错"
    return "\n".join("/".join(alts) for alts in answer or [])
