"""Rule-table defaults of the essays app (deadlines are each request's own; these are the tolerances)."""

from __future__ import annotations

import datetime

from core.choices import Severity
from core.rules import DefaultRule, register_defaults

LOCAL = "本单位设定（全国规定未明确，可由管理员调整）"
START = datetime.date(2019, 11, 1)

register_defaults(
    DefaultRule(key="essays.overdue.lookback_days", name="逾期未交心得体会的提醒期限（截止日期后多少天内提醒）",
                value=90, unit="天", severity=Severity.WARNING, effective_from=START, source=LOCAL),
    DefaultRule(key="essays.returned.revise_days", name="退回修改的心得体会应在多少天内重新提交",
                value=7, unit="天", severity=Severity.WARNING, effective_from=START, source=LOCAL),
)
