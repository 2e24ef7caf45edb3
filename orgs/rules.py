"""Regulations about organizations and member records, as pure functions and rule-table defaults."""

from __future__ import annotations

import datetime
import operator
import re
from typing import Any

from django.utils.translation import gettext as _

from core.choices import Severity
from core.rules import DefaultRule, register_defaults

BRANCH_REGULATION = "《中国共产党支部工作条例（试行）》（2018）"
BRANCH_REGULATION_URL = "http://m.sp522.com/detail/19979"

register_defaults(
    DefaultRule(
        key="orgs.branch.min_full_members", name="成立党支部的最少正式党员数", value=3, unit="人",
        severity=Severity.WARNING, effective_from=datetime.date(2018, 10, 28),
        source=BRANCH_REGULATION + " 第五条：正式党员3人以上的，应当成立党支部；不足3人的可成立联合党支部",
        source_url=BRANCH_REGULATION_URL,
    ),
    DefaultRule(
        key="orgs.branch.committee_min_full_members", name="应设立支部委员会的正式党员数", value=7, unit="人",
        severity=Severity.WARNING, effective_from=datetime.date(2018, 10, 28),
        source=BRANCH_REGULATION + " 第八条：正式党员7人以上的党支部，设立党支部委员会",
        source_url=BRANCH_REGULATION_URL,
    ),
    DefaultRule(
        key="orgs.branch.max_members", name="党支部党员人数上限（一般）", value=50, unit="人",
        severity=Severity.WARNING, effective_from=datetime.date(2018, 10, 28),
        source=BRANCH_REGULATION + " 第五条：党支部党员人数一般不超过50人",
        source_url=BRANCH_REGULATION_URL,
    ),
    DefaultRule(
        key="orgs.committee.term_overdue_grace_days", name="届满后视为逾期换届的天数", value=0, unit="天",
        severity=Severity.WARNING, effective_from=datetime.date(2020, 7, 1),
        source="《中国共产党基层组织选举工作条例》（2020）第三条：任期届满应当按期换届，延期或提前换届一般不超过1年，须经上级批准",
        source_url="http://www.wjn117.com/dang_jj_view.php?cid=66&id=410",
    ),
    DefaultRule(
        key="orgs.grants.holder_left", name="已转出或离开党组织仍保留原组织管理、检查授权的人数", value=0, unit="人",
        severity=Severity.WARNING, effective_from=datetime.date(2021, 11, 1),
        source="《中华人民共和国个人信息保护法》第五十一条：个人信息处理者应当合理确定个人信息处理的操作权限；"
               "组织关系转出或离开党组织的人员，不应再保留原组织的管理、检查授权",
        source_url="http://www.npc.gov.cn/npc/c30834/202108/a8c4e3672c74491a80b53a172bb753fe.shtml",
    ),
    DefaultRule(
        key="orgs.application.min_age", name="递交入党申请的最低年龄", value=18, unit="岁",
        severity=Severity.HARD, effective_from=datetime.date(2014, 5, 28),
        source="《中国共产党章程》第一条；《中国共产党发展党员工作细则》第五条：年满十八岁",
        source_url="https://honder.com/zzrsc/news/info546.html",
    ),
)

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"
ID_RE = re.compile(r"^\d{17}[\dX]$")
PHONE_RE = re.compile(r"^(1\d{10}|0\d{2,3}-?\d{7,8})$")


# The ASCII code of a digit is the digit plus 48: the weighted sum of the codes is off by 48 × the weights.
_ID_CODE_OFFSET = 48 * sum(ID_WEIGHTS)


def id_check_char(first17: str) -> str:
    if first17.isascii() and first17.isdigit():
        # An import checks 100,000 of these: summing the byte codes saves an ``int()`` call per digit.
        return ID_CHECK_CHARS[(sum(map(operator.mul, first17.encode(), ID_WEIGHTS)) - _ID_CODE_OFFSET) % 11]
    return ID_CHECK_CHARS[sum(map(operator.mul, map(int, first17), ID_WEIGHTS)) % 11]


def normalize_id_number(value: str) -> str:
    return value.strip().upper().replace(" ", "")


def id_number_error(value: str) -> str | None:
    """Why ``value`` is not a valid resident ID number under GB 11643-1999, or ``None`` when it is."""
    if not ID_RE.match(value):
        return _("身份证号应为18位，前17位为数字，最后一位为数字或X")
    if id_check_char(value[:17]) != value[17]:
        return _("身份证号校验码错误（GB 11643）")
    if id_birth_date(value) is None:
        return _("身份证号中的出生日期无效")
    return None


def id_birth_date(value: str) -> datetime.date | None:
    digits = value[6:14]
    try:
        if len(digits) == 8 and digits.isascii() and digits.isdigit():
            return datetime.date.fromisoformat(digits)  # YYYYMMDD in one C call
        return datetime.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return None


def id_gender(value: str) -> str:
    """``M`` or ``F`` from the sequence digit (odd for men)."""
    return "M" if int(value[16]) % 2 else "F"


def mask_id_number(value: str | None) -> str:
    if not value:
        return ""
    return value[:6] + "*" * (len(value) - 10) + value[-4:] if len(value) > 10 else "*" * len(value)


def mask_phone(value: str | None) -> str:
    if not value:
        return ""
    return value[:3] + "*" * (len(value) - 7) + value[-4:] if len(value) > 7 else "*" * len(value)


def mask_birth_date(value: datetime.date | None) -> str:
    """Year and month only: with the region code and last digits a masked ID number shows, the full birth
    date would give the whole ID number away."""
    return f"{value:%Y-%m}" if value else ""


MASKED_FIELDS = {"id_number": mask_id_number, "phone": mask_phone}


def unmasked(name: str, value: Any, current: Any) -> Any:
    """A masked value sent back (what a form or the API showed) means "unchanged": the current value."""
    if value and current and value == MASKED_FIELDS[name](current):
        return current
    return value


def org_parent_error(kind: str, parent_kind: str | None) -> str | None:
    """Why an organization of ``kind`` cannot sit under one of ``parent_kind`` (None: at the root)."""
    from orgs.choices import ALLOWED_PARENTS, OrgKind

    if parent_kind in ALLOWED_PARENTS.get(kind, ()):
        return None
    if parent_kind is None:
        return _("%(kind)s必须有上级组织") % {"kind": OrgKind(kind).label}
    return _("%(kind)s不能设在%(parent)s之下") % {"kind": OrgKind(kind).label, "parent": OrgKind(parent_kind).label}


def age_on(birth: datetime.date, day: datetime.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


MILESTONES = ("application_date", "activist_date", "candidate_date", "admission_date", "conversion_date")
# The milestone date each status of the development line is reached on.
STATUS_MILESTONE = {"applicant": "application_date", "activist": "activist_date", "candidate": "candidate_date",
                    "probationary": "admission_date", "full": "conversion_date"}


def member_record_errors(
    *,
    birth_date: datetime.date | None,
    id_number: str | None,
    gender: str | None,
    status: str | None,
    dates: dict[str, datetime.date | None],
    today: datetime.date,
    min_age: int,
    id_valid: bool | None = None,
) -> list[tuple[str, str]]:
    """(field, message) for every inconsistency among a member's identity, status and milestone dates.

    The one statement of these rules, shared by ``Member.clean`` (forms, API) and the importer. Callers
    that already checked the ID number pass ``id_valid``; messages are translated only when there is one.
    """
    errors: list[tuple[str, str]] = []
    if id_number and (id_valid if id_valid is not None else id_number_error(id_number) is None):
        if birth_date and id_birth_date(id_number) != birth_date:
            errors.append(("birth_date", _("出生日期与身份证号中的出生日期不一致")))
        if gender and id_gender(id_number) != gender:
            errors.append(("gender", _("性别与身份证号不一致")))
    if birth_date and birth_date > today:
        errors.append(("birth_date", _("出生日期不能晚于今天")))
    previous: str | None = None
    previous_date: datetime.date | None = None
    for name in MILESTONES:
        value = dates.get(name)
        if value is None:
            continue
        if value > today:
            errors.append((name, _("%(field)s不能晚于今天") % {"field": milestone_labels()[name]}))
        if birth_date and value < birth_date:
            errors.append((name, _("%(field)s不能早于出生日期") % {"field": milestone_labels()[name]}))
        if previous_date and value < previous_date:
            labels = milestone_labels()
            message = _("%(field)s不能早于%(prev)s") % {"field": labels[name], "prev": labels[previous or ""]}
            errors.append((name, message))
        previous, previous_date = name, value
    application = dates.get("application_date")
    if birth_date and application and age_on(birth_date, application) < min_age:
        errors.append(("application_date", _("递交入党申请时应年满%(age)s岁") % {"age": min_age}))
    for name in REQUIRED_DATES.get(status or "", ()):
        if dates.get(name) is None:
            errors.append((name, _("状态为“%(status)s”时必须填写%(field)s")
                           % {"status": status_label(status), "field": milestone_labels()[name]}))
    if status == "probationary" and dates.get("conversion_date"):
        errors.append(("conversion_date", _("预备党员不应有转正时间")))
    # Someone still on the way to membership has no dates of the steps ahead (a full member is not set back
    # to applicant by a change of status while keeping their admission).
    if status in ("applicant", "activist", "candidate"):
        for name in MILESTONES[MILESTONES.index(STATUS_MILESTONE[status]) + 1:]:
            if dates.get(name) is not None:
                errors.append((name, _("状态为“%(status)s”时不应有%(field)s")
                               % {"status": status_label(status), "field": milestone_labels()[name]}))
    return errors


def status_label(status: str | None) -> str:
    from orgs.choices import Status

    return str(Status(status).label) if status in Status.values else str(status)


def milestone_labels() -> dict[str, str]:
    return {
        "application_date": _("申请入党日期"),
        "activist_date": _("确定积极分子日期"),
        "candidate_date": _("确定发展对象日期"),
        "admission_date": _("入党时间"),
        "conversion_date": _("转正时间"),
    }


# Which milestone dates a status requires: a full member has been admitted and converted, and so on.
REQUIRED_DATES = {
    "activist": ("application_date", "activist_date"),
    "candidate": ("application_date", "activist_date", "candidate_date"),
    "probationary": ("admission_date",),
    "full": ("admission_date", "conversion_date"),
}
