"""The versioned rule table: read a regulation figure with ``rule_value(key, on=date)``.

Apps declare their defaults with ``register_defaults`` (in their ``rules.py``); ``install_default_rules``
inserts those that are missing after every migrate, never overwriting an administrator's version.
"""

from __future__ import annotations

import datetime
import threading
import time
from dataclasses import dataclass
from typing import Any

from django.utils import timezone


@dataclass(frozen=True)
class DefaultRule:
    key: str
    name: str
    value: Any
    unit: str
    severity: str
    effective_from: datetime.date
    source: str
    source_url: str = ""
    note: str = ""


@dataclass(frozen=True)
class RuleVersion:
    value: Any
    severity: str
    source: str
    effective_from: datetime.date
    effective_to: datetime.date | None


_defaults: dict[tuple[str, datetime.date], DefaultRule] = {}
_cache: dict[str, list[RuleVersion]] = {}
_cache_time = 0.0
_lock = threading.Lock()
CACHE_SECONDS = 30.0


def register_defaults(*rules: DefaultRule) -> None:
    for rule in rules:
        _defaults[(rule.key, rule.effective_from)] = rule


def default_rules() -> list[DefaultRule]:
    return sorted(_defaults.values(), key=lambda r: (r.key, r.effective_from))


def install_default_rules(**kwargs: Any) -> None:
    """Add the shipped versions an installation lacks (after every ``migrate``).

    A rule an administrator has adjusted — any stored version not marked ``shipped``: one they added, or a
    shipped one whose figure, severity or dates they changed — is theirs: a newer shipped version is not
    added on top of it, since the newest version wins and would silently undo the adjustment from its date on.
    """
    from core.models import Rule

    stored = list(Rule.objects.values_list("key", "effective_from", "shipped"))
    existing = {(key, start) for key, start, _shipped in stored}
    adjusted = {key for key, _start, shipped in stored if not shipped}
    Rule.objects.bulk_create(
        [
            Rule(
                key=r.key, name=r.name, value=r.value, unit=r.unit, severity=r.severity,
                effective_from=r.effective_from, source=r.source, source_url=r.source_url, note=r.note,
                shipped=True,
            )
            for r in default_rules()
            if (r.key, r.effective_from) not in existing and r.key not in adjusted
        ]
    )
    clear_cache()


def mark_shipped(rule_model: Any) -> None:
    """Mark the stored versions that are exactly as shipped (the data step of the migration adding the mark);
    any other version counts as the administrator's from then on."""
    shipped = {(r.key, r.effective_from): (r.value, r.severity) for r in default_rules()}
    ids = [pk for pk, key, start, value, severity in
           rule_model.objects.values_list("pk", "key", "effective_from", "value", "severity")
           if shipped.get((key, start)) == (value, severity)]
    rule_model.objects.filter(pk__in=ids).update(shipped=True)


def clear_cache() -> None:
    global _cache_time
    with _lock:
        _cache.clear()
        _cache_time = 0.0


def _versions(key: str) -> list[RuleVersion]:
    global _cache_time
    from core.models import Rule

    with _lock:
        if time.monotonic() - _cache_time > CACHE_SECONDS:
            _cache.clear()
            _cache_time = time.monotonic()
        if key not in _cache:
            _cache[key] = [
                RuleVersion(value, severity, source, start, end)
                for start, end, value, severity, source in Rule.objects.filter(key=key)
                .order_by("-effective_from")
                .values_list("effective_from", "effective_to", "value", "severity", "source")
            ]
        return _cache[key]


class UnknownRule(LookupError):
    pass


def rule_version(key: str, on: datetime.date | None = None) -> RuleVersion:
    """The version of rule ``key`` in force on ``on`` (today by default)."""
    on = on or timezone.localdate()
    for version in _versions(key):
        if version.effective_from <= on and (version.effective_to is None or on < version.effective_to):
            return version
    raise UnknownRule(f"no version of rule {key!r} is in force on {on:%Y-%m-%d}")


def first_effective(key: str) -> datetime.date | None:
    """The day the earliest stored version of rule ``key`` takes effect (``None`` if it has none)."""
    versions = _versions(key)
    return min((v.effective_from for v in versions), default=None)


def rule(key: str, on: datetime.date | None = None) -> tuple[Any, str]:
    """The value and severity of rule ``key`` in force on ``on``."""
    version = rule_version(key, on)
    return version.value, version.severity


def rule_value(key: str, on: datetime.date | None = None) -> Any:
    return rule(key, on)[0]
