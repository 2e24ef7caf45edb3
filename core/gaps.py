"""The gap-engine registry: apps register rules that, for a subtree and a date, yield the gaps (差距).

A gap is computed from the records, never typed in, and names the rule and its source. Each rule
function receives an organization (the root of the subtree to examine) and a date, and must read data
only inside that subtree (``in_subtree``); the caller has already checked that the user may see it.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from django.utils import timezone

from core.rules import UnknownRule


@dataclass(frozen=True)
class Gap:
    rule: str
    severity: str
    title: str
    detail: str
    org_id: int
    org_name: str
    org_code: str
    source: str
    member_id: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    check: str = ""  # the registered rule that found it (``rule`` is the rule-table key it cites)
    # What tells this gap from the others a rule finds for the same organization and member (the essay
    # request, the grant …), in words that do not depend on the language; the rule-table key by default.
    ref: str = ""

    @property
    def key(self) -> tuple[Any, ...]:
        """What tells this gap from every other on the same day, in any language: the check, the organization,
        the member and the reference (``ref``, else the rule-table key)."""
        return (self.check, self.org_id, self.member_id, self.reference)

    @property
    def reference(self) -> str:
        return self.ref or self.rule

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule, "severity": self.severity, "title": self.title, "detail": self.detail,
            "org": self.org_id, "org_name": self.org_name, "org_code": self.org_code, "source": self.source,
            "member": self.member_id, "check": self.check, "ref": self.reference,
            **({"extra": self.extra} if self.extra else {}),
        }


def member_gap(key: str, on: datetime.date, member: Any, title: str, detail: str, ref: str = "") -> Gap:
    """A gap about one member (``member.org`` loaded), with the severity and source of rule ``key`` on ``on``;
    ``ref`` tells apart several gaps of one rule about the same member (see ``Gap.ref``)."""
    from core.rules import rule_version

    version = rule_version(key, on)
    org = member.org
    return Gap(rule=key, severity=version.severity, title=title, detail=detail, org_id=org.pk, org_name=org.name,
               org_code=org.code, source=version.source, member_id=member.pk, ref=ref)


GapFunc = Callable[[Any, datetime.date], Iterable[Gap]]
CountFunc = Callable[[Any, datetime.date], int]


@dataclass(frozen=True)
class GapRule:
    key: str
    label: Any
    func: GapFunc
    count: CountFunc | None = None

    def how_many(self, org: Any, on: datetime.date) -> int:
        """The number of gaps the rule finds in ``org``'s subtree: counted by the database where the rule says
        how (a province has hundreds of thousands of overdue rectifications), else by listing them."""
        try:
            if self.count is not None:
                return self.count(org, on)
            return sum(1 for _gap in self.func(org, on))
        except UnknownRule:  # a date before the regulation the check rests on took effect
            return 0


_registry: dict[str, GapRule] = {}


def register_gap(key: str, label: Any, count: CountFunc | None = None) -> Callable[[GapFunc], GapFunc]:
    """Register a rule; ``count(org, on)``, when given, must count what ``func`` would list."""
    def decorate(func: GapFunc) -> GapFunc:
        _registry[key] = GapRule(key, label, func, count)
        return func

    return decorate


@dataclass(frozen=True)
class FollowUp:
    """What is already being done about a gap (a rectification under way): shown instead of a new one.
    A ``closed`` follow-up was finished while the gap stayed: shown beside the button for a new one."""

    label: str
    url: str
    closed: bool = False


# An app that acts on gaps says, for a user and a page of gaps, which of them it already follows up,
# by ``Gap.key``; the gap list shows that in place of the button that would start a second follow-up.
FollowUpFunc = Callable[[Any, list[Gap]], dict[tuple[Any, ...], FollowUp]]
_followups: list[FollowUpFunc] = []


def register_followups(func: FollowUpFunc) -> FollowUpFunc:
    _followups.append(func)
    return func


def followups(user: Any, gaps: list[Gap]) -> dict[tuple[Any, ...], FollowUp]:
    found: dict[tuple[Any, ...], FollowUp] = {}
    for func in _followups:
        found.update(func(user, gaps))
    return found


def gap_rules() -> list[GapRule]:
    return list(_registry.values())


def gaps_for(
    org: Any, on: datetime.date | None = None, rules: Iterable[str] | None = None,
    not_in_force: list[GapRule] | None = None,
) -> list[Gap]:
    """Every gap in ``org``'s subtree on ``on``, hard ones first, then by organization code."""
    return gaps_in([org], on, rules, not_in_force)


def gaps_in(
    orgs: Iterable[Any], on: datetime.date | None = None, rules: Iterable[str] | None = None,
    not_in_force: list[GapRule] | None = None,
) -> list[Gap]:
    """The gaps of several disjoint subtrees (a user's top organizations), in one ordered list.

    A check whose regulation was not yet in force on ``on`` finds nothing; it is added to ``not_in_force``
    (when given) so that a page can say so.
    """
    on = on or timezone.localdate()
    wanted = set(rules) if rules else None
    found: list[Gap] = []
    for org in orgs:
        for rule in _registry.values():
            if wanted is None or rule.key in wanted:
                try:
                    gaps = [g if g.check == rule.key else replace(g, check=rule.key) for g in rule.func(org, on)]
                except UnknownRule:
                    if not_in_force is not None and rule not in not_in_force:
                        not_in_force.append(rule)
                    continue
                found.extend(gaps)
    return sorted(found, key=lambda g: (g.severity != "hard", g.org_code, g.rule))
