"""The daily reminder: one digest per responsible person of their due-soon and overdue items, and, after
a configurable number of overdue days, one to the managers of the level above.

Who is responsible for an item: its responsible person (责任人) when they have an account, otherwise the
managers of the responsible organization. Everything is read in a few set-wise queries and the digests
are written in bulk; a digest is one notification per person and day, so running twice sends nothing new.
Nobody gets an empty digest.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from campaigns.choices import OPEN_STATUSES, ProjectStatus
from campaigns.models import Problem, Project
from core.choices import Role
from core.models import Notification
from core.rules import rule_value
from orgs.models import RoleGrant

KIND = "campaigns.digest"
SHOWN_ITEMS = 30


@dataclass
class Digest:
    user_id: int
    due_soon: list[dict[str, Any]] = field(default_factory=list)
    overdue: list[dict[str, Any]] = field(default_factory=list)
    escalated: list[dict[str, Any]] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.due_soon) + len(self.overdue) + len(self.escalated)


def _managers() -> dict[int, list[int]]:
    found: dict[int, list[int]] = defaultdict(list)
    grants = RoleGrant.objects.filter(role=Role.MANAGER, user__is_active=True)
    for org_id, user_id in grants.values_list("org_id", "user_id"):
        found[org_id].append(user_id)
    return found


def compute(on: datetime.date) -> dict[int, Digest]:
    soon = on + datetime.timedelta(days=int(rule_value("campaigns.due_soon.days", on)))
    escalate = on - datetime.timedelta(days=int(rule_value("campaigns.escalate_after_days", on)))
    managers = _managers()
    digests: dict[int, Digest] = {}

    def digest(user_id: int) -> Digest:
        found = digests.get(user_id)
        if found is None:
            found = digests[user_id] = Digest(user_id)
        return found

    problems = (Problem.objects.filter(deadline__lte=soon, status__in=OPEN_STATUSES).order_by("deadline", "pk")
                .values_list("pk", "title", "deadline", "org_id", "org__parent_id", "owner__user_id",
                             "owner__user__is_active")
                .iterator(chunk_size=10000))
    for pk, title, deadline, org_id, parent_id, owner_user, active in problems:
        item = {"kind": "problem", "id": pk, "no": f"WT{pk:07d}", "title": title, "deadline": deadline.isoformat()}
        responsible = [owner_user] if owner_user and active else managers.get(org_id, [])
        bucket = "overdue" if deadline < on else "due_soon"
        for user_id in responsible:
            getattr(digest(user_id), bucket).append(item)
        if deadline < escalate and parent_id:
            for user_id in managers.get(parent_id, []):
                digest(user_id).escalated.append({**item, "days": (on - deadline).days})
    projects = (Project.objects.filter(deadline__lte=soon).exclude(status=ProjectStatus.DONE).order_by("deadline", "pk")
                .values_list("pk", "title", "deadline", "org_id", "owner__user_id", "owner__user__is_active"))
    for pk, title, deadline, org_id, owner_user, active in projects:
        item = {"kind": "project", "id": pk, "no": "", "title": title, "deadline": deadline.isoformat()}
        for user_id in [owner_user] if owner_user and active else managers.get(org_id, []):
            getattr(digest(user_id), "overdue" if deadline < on else "due_soon").append(item)
    return {k: d for k, d in digests.items() if d.count}


def _url(item: dict[str, Any]) -> str:
    name = "campaigns:problem_detail" if item["kind"] == "problem" else "campaigns:project_detail"
    return reverse(name, args=[item["id"]])


def render(d: Digest, on: datetime.date) -> tuple[str, str]:
    title = _("%(date)s 整改提醒：逾期%(o)s项，即将到期%(s)s项") % {
        "date": f"{on:%Y-%m-%d}", "o": len(d.overdue), "s": len(d.due_soon)}
    if d.escalated:
        title += _("，下级逾期%(n)s项") % {"n": len(d.escalated)}
    lines = []
    for heading, items in ((_("已逾期"), d.overdue), (_("即将到期"), d.due_soon),
                           (_("下级单位逾期（请督促）"), d.escalated)):
        if not items:
            continue
        lines.append(f"【{heading}】")
        for item in items[:SHOWN_ITEMS]:
            extra = _("，已逾期%(n)s天") % {"n": item["days"]} if "days" in item else ""
            lines.append(f"· {item['no']} {item['title']}（{_('时限')} {item['deadline']}{extra}）")
        if len(items) > SHOWN_ITEMS:
            lines.append(_("……另有%(n)s项") % {"n": len(items) - SHOWN_ITEMS})
    return title[:200], "\n".join(lines)


def send(on: datetime.date, *, dry_run: bool = False) -> dict[str, int]:
    """Write today's digests (skipping people who already have today's) and e-mail them when mail is
    configured (``CHUXIN_DIGEST_EMAIL``) and the person has an address."""
    with translation.override(settings.LANGUAGE_CODE):
        digests = compute(on)
        already = set(Notification.objects.filter(kind=KIND, day=on).values_list("user_id", flat=True))
        fresh = [d for d in digests.values() if d.user_id not in already]
        stats = {"people": len(digests), "new": len(fresh), "items": sum(d.count for d in digests.values()),
                 "escalated": sum(1 for d in digests.values() if d.escalated), "emailed": 0}
        if dry_run:
            return stats
        rows = []
        for d in fresh:
            title, body = render(d, on)
            items = [{**i, "url": _url(i)} for i in (d.overdue + d.due_soon + d.escalated)[:200]]
            rows.append(Notification(user_id=d.user_id, kind=KIND, day=on, title=title, body=body, items=items))
        with transaction.atomic():
            Notification.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
        if getattr(settings, "CHUXIN_DIGEST_EMAIL", False) and rows:
            stats["emailed"] = _email(rows)
    return stats


def _email(rows: list[Notification]) -> int:
    addresses = dict(get_user_model().objects.filter(pk__in=[r.user_id for r in rows]).exclude(email="")
                     .values_list("pk", "email"))
    messages = [mail.EmailMessage(r.title, r.body, to=[addresses[r.user_id]]) for r in rows if r.user_id in addresses]
    if not messages:
        return 0
    with mail.get_connection() as connection:
        sent = connection.send_messages(messages) or 0
    Notification.objects.filter(kind=KIND, day=rows[0].day, user_id__in=list(addresses)).update(emailed=True)
    return sent
