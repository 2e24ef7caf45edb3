"""``chuxin demo`` builds a consistent organization, replaces the previous one, and ``chuxin serve`` serves it."""

from __future__ import annotations

import datetime
from collections import Counter
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db.models import F
from django.utils import timezone

from core.choices import Role
from core.gaps import gaps_for
from core.models import ObjectChange
from orgs import rules
from orgs.choices import BRANCH_KINDS, LEAVING_STATUSES, OrgKind, PositionTitle, Status
from orgs.models import Member, Organization, Position, RoleGrant, StatusChange

MEMBERS = 400
PASSWORD = "demo-pass-123"

# The milestone dates each status has (True) or must not have (False).
DATES_BY_STATUS: dict[str, tuple[bool, ...]] = {
    Status.APPLICANT: (True, False, False, False, False),
    Status.ACTIVIST: (True, True, False, False, False),
    Status.CANDIDATE: (True, True, True, False, False),
    Status.PROBATIONARY: (True, True, True, True, False),
    Status.FULL: (True, True, True, True, True),
    **{s: (True, True, True, True, True) for s in LEAVING_STATUSES},
}


def run_demo(**options: Any) -> None:
    call_command("demo", members=MEMBERS, password=PASSWORD, no_serve=True, seed=7, verbosity=0, **options)


@pytest.fixture
def demo(db: Any) -> Organization:
    run_demo()
    return Organization.objects.get(parent=None)


def test_demo_has_the_requested_number_of_members_and_a_status_change_for_each_who_left(
    demo: Organization,
) -> None:
    assert Member.objects.count() == MEMBERS
    left = Member.objects.filter(status__in=LEAVING_STATUSES)
    assert left.exists()
    assert StatusChange.objects.count() == left.count()
    assert set(StatusChange.objects.values_list("member_id", flat=True)) == set(left.values_list("pk", flat=True))
    assert not StatusChange.objects.exclude(to_status=F("member__status")).exists()


def test_demo_id_numbers_are_valid_unique_and_match_birth_date_and_gender(demo: Organization) -> None:
    rows: list[tuple[Any, ...]] = list(Member.objects.values_list("id_number", "birth_date", "gender"))
    assert len({r[0] for r in rows}) == len(rows)
    for id_number, birth_date, gender in rows:
        assert rules.id_number_error(id_number) is None, id_number
        assert id_number[17] == rules.id_check_char(id_number[:17])
        assert rules.id_birth_date(id_number) == birth_date
        assert rules.id_gender(id_number) == gender


def test_demo_milestone_dates_are_ordered_and_agree_with_status(demo: Organization) -> None:
    today = timezone.localdate()
    rows: list[tuple[Any, ...]] = list(Member.objects.values_list("status", "birth_date", *rules.MILESTONES))
    for status, birth, application, activist, candidate, admission, conversion in rows:
        dates = [application, activist, candidate, admission, conversion]
        assert tuple(d is not None for d in dates) == DATES_BY_STATUS[status], (status, dates)
        present = [d for d in dates if d is not None]
        assert present == sorted(present) and len(set(present)) == len(present), dates
        assert all(d <= today for d in present)
        assert rules.age_on(birth, application) >= 18
        assert 18 <= rules.age_on(birth, today) <= 96
        if conversion:
            assert conversion == add_year(admission)
        if status == Status.PROBATIONARY:
            assert admission > today - datetime.timedelta(days=366)
        if candidate:
            assert (candidate - activist).days >= 365
            assert (activist - application).days >= 90


def add_year(day: datetime.date) -> datetime.date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, month=3, day=1)


def test_demo_sample_of_members_passes_full_clean(demo: Organization) -> None:
    for member in Member.objects.order_by("?")[:50]:
        member.full_clean()


def test_demo_status_mix_is_realistic(demo: Organization) -> None:
    counts = Counter(Member.objects.values_list("status", flat=True))
    assert 0.70 <= counts[Status.FULL] / MEMBERS <= 0.92
    assert counts[Status.PROBATIONARY] > 0
    assert counts[Status.APPLICANT] + counts[Status.ACTIVIST] + counts[Status.CANDIDATE] > 0
    assert sum(counts[s] for s in LEAVING_STATUSES) < 0.06 * MEMBERS
    han = Member.objects.filter(ethnicity="汉族").count()
    assert 0.8 <= han / MEMBERS <= 0.98


def test_demo_tree_paths_depths_and_codes_agree_with_parents(demo: Organization) -> None:
    orgs = {o.pk: o for o in Organization.objects.all()}
    assert [o for o in orgs.values() if o.parent_id is None] == [demo]
    assert demo.kind == OrgKind.COMMITTEE and demo.path == f"{demo.pk}." and demo.depth == 0
    for org in orgs.values():
        if org.parent_id is None:
            continue
        parent = orgs[org.parent_id]
        assert org.path == f"{parent.path}{org.pk}."
        assert org.depth == parent.depth + 1 == org.path.count(".") - 1
        assert org.code.startswith(parent.code) and org.code != parent.code
        if org.term_start and org.term_end:
            assert org.term_end > org.term_start
        assert (org.term_start is None) == (org.kind == OrgKind.GROUP)
    assert len({o.code for o in orgs.values()}) == len(orgs)
    kinds = Counter(o.kind for o in orgs.values())
    assert kinds[OrgKind.BRANCH] >= 8 and kinds[OrgKind.WORK_COMMITTEE] >= 2
    districts = [o for o in orgs.values() if o.depth == 1]
    assert len(districts) >= 2 and all(o.name.endswith(("区委", "县委")) for o in districts)
    assert all(o.is_village for o in orgs.values() if o.name.endswith(("村党支部", "社区党支部")))


def test_demo_members_sit_in_branches_and_copy_their_paths(demo: Organization) -> None:
    assert not Member.objects.exclude(org__kind__in=BRANCH_KINDS).exists()
    for member in Member.objects.select_related("org", "group"):
        assert member.org_path == member.org.path
        if member.group:
            assert member.group.kind == OrgKind.GROUP and member.group.parent_id == member.org_id
            assert member.status in (Status.FULL, Status.PROBATIONARY)
    for change in StatusChange.objects.select_related("org", "member"):
        assert change.org_path == change.org.path and change.org_id == change.member.org_id
    for position in Position.objects.select_related("org", "member"):
        assert position.org_path == position.org.path
        assert position.member.status == Status.FULL
        assert position.member.org.path.startswith(position.org.path) or position.org.kind == OrgKind.GROUP


def test_every_branch_has_a_secretary_from_its_own_full_members(demo: Organization) -> None:
    for branch in Organization.objects.filter(kind__in=BRANCH_KINDS):
        secretaries = Position.objects.filter(org=branch, title=PositionTitle.SECRETARY)
        assert secretaries.count() == 1, branch
        assert secretaries.get().member.org_id == branch.pk
        if branch.has_committee:
            titles = set(Position.objects.filter(org=branch).values_list("title", flat=True))
            assert {PositionTitle.ORGANIZATION, PositionTitle.PROPAGANDA, PositionTitle.DISCIPLINE} <= titles


def test_demo_accounts_hold_exactly_their_grants(demo: Organization) -> None:
    User = get_user_model()
    users = {u.username: u for u in User.objects.all()}
    assert set(users) == {"admin", "committee", "branch1", "branch2", "member1"}
    for user in users.values():
        assert user.check_password(PASSWORD)
    assert users["admin"].is_superuser and not any(u.is_superuser for n, u in users.items() if n != "admin")
    b1 = Member.objects.get(user=users["branch1"])
    b2 = Member.objects.get(user=users["branch2"])
    member1 = Member.objects.get(user=users["member1"])
    grants = {(g.user.username, g.role, g.org_id) for g in RoleGrant.objects.select_related("user")}
    assert grants == {
        ("admin", Role.ADMIN, None), ("committee", Role.MANAGER, demo.pk),
        ("branch1", Role.MANAGER, b1.org_id), ("branch1", Role.MEMBER, b1.org_id),
        ("branch2", Role.MANAGER, b2.org_id), ("branch2", Role.MEMBER, b2.org_id),
        ("member1", Role.MEMBER, b1.org_id),
    }
    assert b1.org_id != b2.org_id and b1.org.parent_id == b2.org.parent_id
    assert b1.org.kind in BRANCH_KINDS and b2.org.kind in BRANCH_KINDS
    assert b1.org.members.count() >= 8 and b2.org.members.count() >= 8
    assert Position.objects.filter(org=b1.org, title=PositionTitle.SECRETARY, member=b1).exists()
    assert Position.objects.filter(org=b2.org, title=PositionTitle.SECRETARY, member=b2).exists()
    assert member1.org_id == b1.org_id and member1.status == Status.FULL and member1.pk != b1.pk
    assert not Position.objects.filter(member=member1).exclude(org__kind=OrgKind.GROUP).exists()


def test_demo_has_structure_gaps(demo: Organization) -> None:
    gaps = gaps_for(demo, rules=["orgs.structure"])
    assert gaps
    branches = Organization.objects.filter(kind__in=BRANCH_KINDS).count()
    assert len({g.org_id for g in gaps}) < branches


def test_demo_replaces_previous_data_and_logs_one_change(db: Any) -> None:
    User = get_user_model()
    User.objects.create_user("someone", password="x" * 12)
    User.objects.create_superuser("root", password="x" * 12)
    run_demo()
    first = list(Member.objects.order_by("pk").values_list("name", "id_number"))
    run_demo()
    assert Member.objects.count() == MEMBERS
    assert list(Member.objects.order_by("pk").values_list("name", "id_number")) == first  # same seed, same data
    assert set(User.objects.values_list("username", flat=True)) == {
        "root", "admin", "committee", "branch1", "branch2", "member1",
    }
    change = ObjectChange.objects.get()
    assert change.object_id == Organization.objects.get(parent=None).pk and change.user_name == "admin"


def test_demo_refuses_too_few_members_and_weak_passwords(db: Any) -> None:
    with pytest.raises(CommandError):
        call_command("demo", members=10, password=PASSWORD, no_serve=True, verbosity=0)
    with pytest.raises(CommandError):
        call_command("demo", members=MEMBERS, password="short", no_serve=True, verbosity=0)


def test_demo_serves_unless_told_not_to(db: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    served: dict[str, Any] = {}

    def fake_serve(app: Any, **kwargs: Any) -> None:
        served.update(kwargs, app=app)

    monkeypatch.setattr("waitress.serve", fake_serve)
    call_command("demo", members=MEMBERS, password=PASSWORD, seed=1, port=8123, verbosity=0)
    assert served["host"] == "127.0.0.1" and served["port"] == 8123 and served["threads"] == 8
    assert callable(served["app"])


def test_serve_prints_the_url_and_runs_waitress(monkeypatch: pytest.MonkeyPatch, capsys: Any, db: Any) -> None:
    served: dict[str, Any] = {}
    monkeypatch.setattr("waitress.serve", lambda app, **kw: served.update(kw))
    call_command("serve", port=8765)
    assert served == {"host": "127.0.0.1", "port": 8765, "threads": 8, "ident": "chuxin", "_quiet": True}
    assert "http://127.0.0.1:8765/" in capsys.readouterr().out


def test_demo_refuses_to_replace_data_it_did_not_make_unless_told(db: Any) -> None:
    from core.testing.personas import build_personas

    build_personas()
    with pytest.raises(CommandError, match="--replace"):
        call_command("demo", members=100, password="demo-pass-123", no_serve=True, verbosity=0)
    assert Organization.objects.filter(code="T00").exists()
    call_command("demo", members=100, password="demo-pass-123", no_serve=True, replace=True, verbosity=0)
    assert not Organization.objects.filter(code="T00").exists()
    # A demo database may be rebuilt freely.
    call_command("demo", members=100, password="demo-pass-123", no_serve=True, verbosity=0)
