"""The ledgers offices hand in, as one xlsx: 问题清单、整改清单、责任清单 as three sheets of the same rows
(one problem, one account number), in the order and wording of the usual paper forms."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from campaigns.choices import ProblemSeverity, ProblemSource, ProblemStatus, RectificationKind
from campaigns.models import Problem
from core.imports.files import write_xlsx_book

FIELDS = ("pk", "campaign__name", "category__name", "title", "description", "source", "severity", "found_on",
          "org__name", "org__code", "kind", "measures", "standard", "deadline", "status", "closed_on", "leader",
          "owner__name", "reopened")


def _rows(problems: QuerySet[Problem]) -> Iterator[dict[str, Any]]:
    yield from problems.order_by("org_path", "pk").values(*FIELDS).iterator(chunk_size=5000)


def _no(row: dict[str, Any]) -> str:
    return f"WT{row['pk']:07d}"


def _label(choices: Any, value: str) -> str:
    return str(dict(choices).get(value, value))


def write_ledgers(problems: QuerySet[Problem], out: IO[bytes] | Path, *, on: datetime.date) -> int:
    """Write the three sheets for ``problems`` (already scoped); returns the number of problems."""
    count = problems.count()
    sources, severities = ProblemSource.choices, ProblemSeverity.choices
    kinds, statuses = RectificationKind.choices, ProblemStatus.choices
    yes, no, overdue = _("是"), _("否"), _("已逾期")

    def problem_rows() -> Iterator[list[Any]]:
        for n, r in enumerate(_rows(problems), start=1):
            yield [n, _no(r), r["campaign__name"] or "", r["category__name"] or "", r["title"], r["description"],
                   _label(sources, r["source"]), _label(severities, r["severity"]), r["found_on"], r["org__name"]]

    def rectification_rows() -> Iterator[list[Any]]:
        for n, r in enumerate(_rows(problems), start=1):
            closed = r["status"] == ProblemStatus.CLOSED
            timely = (yes if r["closed_on"] and r["closed_on"] <= r["deadline"] else no) if closed else (
                overdue if r["deadline"] < on else "")
            yield [n, _no(r), r["title"], _label(kinds, r["kind"]), r["measures"], r["standard"], r["deadline"],
                   _label(statuses, r["status"]), r["closed_on"], timely, r["reopened"] or ""]

    def responsibility_rows() -> Iterator[list[Any]]:
        for n, r in enumerate(_rows(problems), start=1):
            yield [n, _no(r), r["title"], r["org__name"], r["org__code"], r["leader"], r["owner__name"] or "",
                   r["deadline"]]

    write_xlsx_book(out, [
        (_("问题清单"), [_("序号"), _("台账编号"), _("主题教育"), _("问题类别"), _("问题概述"), _("问题内容"),
                      _("问题来源"), _("严重程度"), _("发现日期"), _("责任单位")],
         problem_rows(), [6, 12, 24, 24, 30, 50, 10, 8, 12, 24]),
        (_("整改清单"), [_("序号"), _("台账编号"), _("问题概述"), _("整改类型"), _("整改措施"), _("整改标准"),
                      _("办结时限"), _("整改状态"), _("销号日期"), _("按期销号"), _("回头看重新整改次数")],
         rectification_rows(), [6, 12, 30, 10, 50, 40, 12, 10, 12, 10, 10]),
        (_("责任清单"), [_("序号"), _("台账编号"), _("问题概述"), _("责任单位"), _("组织编码"), _("责任领导"),
                      _("责任人"), _("办结时限")],
         responsibility_rows(), [6, 12, 30, 24, 14, 12, 12, 12]),
    ])
    return count
