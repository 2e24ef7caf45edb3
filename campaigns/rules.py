"""Rule-table defaults of the campaigns app and the pure functions that apply them (no ORM here)."""

from __future__ import annotations

import datetime

from core import workdays
from core.choices import Severity
from core.rules import DefaultRule, register_defaults

LOCAL = "本单位设定（全国规定未明确，可由管理员调整）"
LISTS = "主题教育问题清单、整改清单、责任清单及“五个明确”、销号的通行做法（全国统一格式未明确）"
LISTS_URL = "https://gyct.com.cn/info/1271/21122.htm"
START = datetime.date(2019, 6, 1)
# A deadline counted in working days spans at most about two years; a longer one is a typing mistake (and
# counting millions of days through the calendar would hold a worker for minutes).
MAX_DEADLINE_WORKDAYS = 500

register_defaults(
    DefaultRule(key="campaigns.due_soon.days", name="整改事项到期提醒（办结时限前多少天起提醒）",
                value=7, unit="天", severity=Severity.WARNING, effective_from=START, source=LISTS,
                source_url=LISTS_URL),
    DefaultRule(key="campaigns.overdue", name="整改事项逾期未销号",
                value=0, unit="天", severity=Severity.HARD, effective_from=START, source=LISTS,
                source_url=LISTS_URL, note="办结时限已过仍未销号即为差距"),
    DefaultRule(key="campaigns.escalate_after_days", name="逾期多少天后向上一级组织提醒",
                value=7, unit="天", severity=Severity.WARNING, effective_from=START, source=LOCAL),
    DefaultRule(key="campaigns.evidence_max_mb", name="单个佐证材料的大小上限",
                value=20, unit="MB", severity=Severity.HARD, effective_from=START, source=LOCAL),
    DefaultRule(key="campaigns.project_overdue", name="办实事项目逾期未办结",
                value=0, unit="天", severity=Severity.WARNING, effective_from=START, source=LOCAL),
    DefaultRule(key="campaigns.feedback_per_hour", name="同一来源每小时可提交的群众评价条数",
                value=5, unit="条", severity=Severity.HARD, effective_from=START, source=LOCAL),
    DefaultRule(key="campaigns.feedback_per_day", name="每个办实事项目每天可接收的群众评价条数",
                value=500, unit="条", severity=Severity.HARD, effective_from=START, source=LOCAL),
)

# Evidence: the file types a scan, a photo or a document comes in, with the bytes each must start with
# (a renamed file is refused).
EVIDENCE_TYPES: dict[str, tuple[str, tuple[bytes, ...]]] = {
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (b"PK\x03\x04",)),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (b"PK\x03\x04",)),
}


def deadline_from(found_on: datetime.date, *, workdays_count: int | None = None,
                  days: int | None = None) -> datetime.date:
    """A deadline counted from the day a problem was found, in working days (holidays and 调休 known to
    the calendar) or in calendar days."""
    if workdays_count is not None:
        return workdays.add_workdays(found_on, workdays_count)
    return found_on + datetime.timedelta(days=days or 0)


def percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None
