"""Study gaps (rules.md §3) for a subtree: behind pace, out of reach, and the concentrated trainings owed."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from decimal import Decimal

from django.db.models import Count, Exists, ExpressionWrapper, F, OuterRef, Q, Value
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.gaps import Gap, member_gap, register_gap
from core.rules import rule_value
from learning import rules
from learning.choices import StudyKind
from learning.compliance import HOURS_OUTPUT, done_q
from learning.ledger import LEADER_TITLES, leaders
from learning.models import MemberYear, StudyRecord
from orgs.choices import MEMBER_STATUSES, PositionTitle, Status
from orgs.models import Member, Organization, Position


def _shortfalls(org: Organization, on: datetime.date, behind_by: Decimal, fraction: Decimal
                ) -> Iterator[tuple[Member, Decimal, Decimal]]:
    """(member, counted, required) for each party member of the subtree whose counted hours fall more than
    ``behind_by`` short of ``required × fraction``; members without hours count with their plain requirement."""
    year = on.year
    rows = MemberYear.objects.filter(year=year, org_path__subtree=org.path, required__gt=0).exclude(done_q())
    rows = rows.filter(counted__lt=ExpressionWrapper(F("required") * Value(fraction) - Value(behind_by),
                                                     output_field=HOURS_OUTPUT)).select_related("member__org")
    for row in rows.order_by("org_path", "member_id"):
        if row.member.status in MEMBER_STATUSES:
            yield row.member, row.counted, row.required
    missing = (Member.objects.in_subtree(org.path).filter(status__in=MEMBER_STATUSES)
               .exclude(pk__in=MemberYear.objects.filter(year=year).values("member_id")).select_related("org"))
    member_hours = Decimal(rule_value("learning.hours.member_annual", on))
    leader_hours = Decimal(rule_value("learning.hours.leader_annual", on))
    held = leaders(missing.values("pk"), year)
    for member in missing.order_by("org_path", "pk"):
        required = leader_hours if member.pk in held else member_hours
        if required * fraction - behind_by > 0:
            yield member, Decimal(0), required


@register_gap("learning.pace", gettext_lazy("学习进度"))
def pace_gaps(org: Organization, on: datetime.date) -> Iterator[Gap]:
    """Behind the even pace by more than the tolerance at the last quarter end; or out of reach this year."""
    per_week = Decimal(rule_value("learning.pace.max_hours_per_week", on))
    weeks = rules.weeks_left(on)
    out_of_reach: set[int] = set()
    # Out of reach: even the most a member can do per week will not close the gap by year end.
    for member, counted, required in _shortfalls(org, on, weeks * per_week, Decimal(1)):
        out_of_reach.add(member.pk)
        yield member_gap("learning.pace.max_hours_per_week", on, member, _("本年度学时已无法完成"),
                   _("%(name)s本年度已计入%(counted)s学时，还差%(short)s学时，按每周最多%(per_week)s学时也无法在年底前完成")
                   % {"name": member.name, "counted": counted, "short": required - counted, "per_week": per_week})
    quarter_end = rules.last_quarter_end(on)
    if quarter_end is None:
        return
    tolerance = Decimal(rule_value("learning.pace.tolerance_hours", on))
    fraction = rules.year_fraction(quarter_end)
    for member, counted, required in _shortfalls(org, on, tolerance, fraction):
        if member.pk in out_of_reach:
            continue
        due = (required * fraction).quantize(Decimal("0.1"))
        yield member_gap("learning.pace.tolerance_hours", on, member, _("学习进度滞后"),
                   _("%(name)s截至%(date)s应完成%(due)s学时，已计入%(counted)s学时")
                   % {"name": member.name, "date": f"{quarter_end:%Y-%m-%d}", "due": due, "counted": counted})


def _trained_since(field: str) -> Exists:
    return Exists(StudyRecord.objects.filter(member=OuterRef(field), kind=StudyKind.TRAINING,
                                             date__gte=OuterRef("since")))


@register_gap("learning.training", gettext_lazy("集中培训"))
def training_gaps(org: Organization, on: datetime.date) -> Iterator[Gap]:
    """Secretaries and committee members without this year's concentrated training (from the configured
    month on); new secretaries untrained after the induction period; probationary and newly converted
    members without their concentrated training."""
    yield from _leader_gaps(org, on)
    yield from _new_secretary_gaps(org, on)
    yield from _probationary_gaps(org, on)


def _leader_gaps(org: Organization, on: datetime.date) -> Iterator[Gap]:
    if on.month < int(rule_value("learning.training.leader_check_month", on)):
        return
    minimum = int(rule_value("learning.training.leader_min", on))
    seats = Position.objects.in_subtree(org.path).filter(title__in=LEADER_TITLES, term_start__lte=on).filter(
        Q(term_end__isnull=True) | Q(term_end__gte=on))
    # One query: each seat holder with this year's count of concentrated trainings.
    members = (Member.objects.filter(pk__in=seats.values("member_id"), status__in=MEMBER_STATUSES)
               .annotate(trainings=Count("study_records", filter=Q(study_records__year=on.year,
                                                                    study_records__kind=StudyKind.TRAINING)))
               .filter(trainings__lt=minimum))
    for member in members.select_related("org").order_by("org_path", "pk"):
        yield member_gap("learning.training.leader_min", on, member, _("书记或班子成员本年度未参加集中培训"),
                   _("%(name)s本年度参加集中培训%(count)s次，应不少于%(min)s次")
                   % {"name": member.name, "count": member.trainings, "min": minimum})


def _months_ago(on: datetime.date, months: int) -> datetime.date:
    year, month = divmod(on.year * 12 + on.month - 1 - months, 12)
    day = min(on.day, 28)
    return datetime.date(year, month + 1, day)


def _new_secretary_gaps(org: Organization, on: datetime.date) -> Iterator[Gap]:
    months = int(rule_value("learning.training.new_secretary_months", on))
    due_before = _months_ago(on, months)
    # A secretary counts as new for a year after the induction period; older seats predate the records.
    seats = (Position.objects.in_subtree(org.path)
             .filter(title=PositionTitle.SECRETARY, term_start__lte=due_before,
                     term_start__gte=_months_ago(on, months + 12))
             .filter(Q(term_end__isnull=True) | Q(term_end__gte=on))
             .annotate(since=F("term_start"))
             .filter(~_trained_since("member_id"))
             .select_related("member__org", "org").order_by("org_path", "pk"))
    for seat in seats:
        yield member_gap("learning.training.new_secretary_months", on, seat.member, _("新任书记未按期参加任职培训"),
                   _("%(name)s于%(date)s任%(org)s书记，%(months)s个月内应参加任职培训，至今没有集中培训记录")
                   % {"name": seat.member.name, "date": f"{seat.term_start:%Y-%m-%d}", "org": seat.org.name,
                      "months": months}, ref=f"position:{seat.pk}")


def _probationary_gaps(org: Organization, on: datetime.date) -> Iterator[Gap]:
    months = int(rule_value("learning.training.probationary_due_months", on))
    within = int(rule_value("learning.training.converted_within_days", on))
    members = (Member.objects.in_subtree(org.path)
               .filter(Q(status=Status.PROBATIONARY)
                       | Q(status=Status.FULL, conversion_date__gte=on - datetime.timedelta(days=within)))
               .filter(admission_date__isnull=False, admission_date__lte=_months_ago(on, months))
               .annotate(since=F("admission_date"))
               .filter(~_trained_since("pk"))
               .select_related("org").order_by("org_path", "pk"))
    for member in members:
        yield member_gap("learning.training.converted_within_days", on, member, _("预备党员或新转正党员未参加集中培训"),
                   _("%(name)s于%(date)s入党，至今没有集中培训记录")
                   % {"name": member.name, "date": f"{member.admission_date:%Y-%m-%d}"})
