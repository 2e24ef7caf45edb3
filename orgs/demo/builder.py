"""The demo organization behind ``chuxin demo``: a municipal committee of any size, loaded in bulk.

A million members must load in minutes, so the demo does not go through the services: it generates
rows in Python with explicit primary keys and tree paths, already consistent with the model rules
(``Member.clean``: valid ID numbers, ordered milestone dates, the dates each status requires), and
writes them with batched INSERTs (COPY on PostgreSQL) in one transaction. The tests check a sample
through ``full_clean``. One summary entry goes to the change log instead of one per row.
"""

from __future__ import annotations

import datetime
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TextIO

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.changelog import log_change
from core.choices import ChangeAction, Role
from core.models import ObjectChange
from core.tree import tree_path_columns
from orgs.choices import OrgKind, PositionTitle, Status, TransferStatus
from orgs.demo.data import (
    CITY,
    COLLEGES,
    DAYS_18_YEARS,
    DEMO_USERNAMES,
    DISTRICTS,
    ETHNIC_CODES,
    FIRM_BRANDS,
    FIRM_TRADES,
    HOSPITAL_DEPTS,
    LEAVING_REASONS,
    LOCAL_CODES,
    MID_FEMALE,
    MID_MALE,
    MIN_MEMBERS,
    MINORITIES,
    MONGOLIAN_NAMES,
    NO_COMMITTEE_RATE,
    OLD_FEMALE,
    OLD_MALE,
    ORGANS,
    OTHER_CODES,
    OUTSIDE_ORGS,
    OVERDUE_RATE,
    PHONE_PREFIXES,
    PLACE_FIRST,
    PLACE_SECOND,
    PROFILES,
    SINGLE_FEMALE,
    SINGLE_MALE,
    SIZE_CLASSES,
    SOE_DEPTS,
    SOE_NAMES,
    SURNAMES,
    TIBETAN_NAMES,
    UNIVERSITIES,
    UYGHUR_NAMES,
    YOUNG_FEMALE,
    YOUNG_MALE,
    Profile,
    Weighted,
    ordinal,
)
from orgs.models import Member, Organization, Position, RoleGrant, StatusChange, Transfer
from orgs.rules import id_check_char


@dataclass
class Org:
    pk: int
    code: str
    name: str
    kind: str
    parent: Org | None
    path: str
    unit_name: str
    is_village: bool = False
    has_committee: bool = False
    established: int | None = None
    term_start: int | None = None
    term_end: int | None = None
    children: int = 0
    leaders: list[tuple[int, int]] = field(default_factory=list)  # (member pk, age) candidates for its committee

    @property
    def depth(self) -> int:
        return self.path.count(".") - 1


@dataclass
class Account:
    username: str
    role: str
    scope: str


@dataclass
class DemoResult:
    members: int
    organizations: int
    seconds: float
    seed: int
    top: Organization
    accounts: list[Account]


class _Writer:
    """Batched INSERTs (SQLite and others) or COPY (PostgreSQL) into one table, explicit columns first.

    Columns the demo does not fill get their model default, so a field added later with a default
    does not break the demo; the two timestamps get the load time.
    """

    BATCH = 5000

    def __init__(self, model: type[models.Model], columns: Sequence[str], now: Any) -> None:
        fields = {f.attname: f for f in model._meta.concrete_fields}
        missing = [f for name, f in fields.items() if name not in columns]
        extra = []
        for f in missing:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                extra.append(now)
            elif f.has_default() or f.null:
                extra.append(f.get_db_prep_save(f.get_default(), connection))
            else:
                raise RuntimeError(f"the demo does not fill {model.__name__}.{f.name}")
        self.extra = tuple(extra)
        names = [fields[c].column for c in columns] + [f.column for f in missing]
        qn = connection.ops.quote_name
        cols = ", ".join(qn(n) for n in names)
        table = qn(model._meta.db_table)
        self.copy = connection.vendor == "postgresql"
        if self.copy:
            self.sql = f"COPY {table} ({cols}) FROM STDIN"
        else:
            self.sql = f"INSERT INTO {table} ({cols}) VALUES ({', '.join(['%s'] * len(names))})"
        self.rows: list[tuple[Any, ...]] = []
        self.count = 0

    def add(self, row: tuple[Any, ...]) -> None:
        self.rows.append(row + self.extra if self.extra else row)
        if len(self.rows) >= self.BATCH:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        with connection.cursor() as cursor:
            if self.copy:
                with cursor.cursor.copy(self.sql) as copy:
                    for row in self.rows:
                        copy.write_row(row)
            else:
                cursor.executemany(self.sql, self.rows)
        self.count += len(self.rows)
        self.rows = []


def _add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, month=3, day=1)


class Builder:
    """Generates the tree and its members in one pass and streams the rows to the writers."""

    def __init__(self, members: int, seed: int, today: datetime.date, progress: TextIO | None) -> None:
        self.total = members
        self.rng = random.Random(seed)
        self.t = today.toordinal()
        self.progress = progress
        self.now = connection.ops.adapt_datetimefield_value(timezone.now())
        self.pg = connection.vendor == "postgresql"
        self._dates: dict[int, Any] = {}
        self._ymd: dict[int, str] = {}
        self.orgs: list[Org] = []
        self.org_pk = 0
        self.member_pk = 0
        self.position_pk = 0
        self.seen_ids: set[str] = set()
        self.used: set[str] = set()
        self.branches = 0
        self.overdue = 0
        self.remaining = 0
        self.done = 0
        self.shown = -1
        self.district_code = LOCAL_CODES[0]
        self.designated: list[tuple[Org, list[int]]] = []  # the two sibling branches of the demo secretaries
        self.holders: set[int] = set()  # members who hold a position in the designated branches
        self.members = _Writer(Member, [
            "id", "created", "updated", "org_id", "org_path", "group_id", "name", "gender", "ethnicity", "birth_date",
            "id_number", "phone", "education", "workplace", "job", "category", "status", "application_date",
            "activist_date", "candidate_date", "admission_date", "conversion_date", "user_id", "note",
        ], self.now)
        self.changes = _Writer(StatusChange, [
            "id", "created", "updated", "org_id", "org_path", "member_id", "from_status", "to_status", "date", "reason",
            "created_by_id",
        ], self.now)
        self.positions = _Writer(Position, [
            "id", "created", "updated", "org_id", "org_path", "title", "member_id", "term_start", "term_end",
        ], self.now)
        self.transfers = _Writer(Transfer, [
            "id", "created", "updated", "member_id", "from_org_id", "from_org_path", "to_org_id", "to_org_path",
            "to_outside", "status", "date", "confirmed_date", "reason", "reply",
        ], self.now)
        self.transfer_pk = 0

    # -- dates ------------------------------------------------------------------------------------

    def d(self, ordinal: int | None) -> Any:
        """A day number as the database driver wants it (ISO text for SQLite, a date for PostgreSQL)."""
        if ordinal is None:
            return None
        value = self._dates.get(ordinal)
        if value is None:
            day = datetime.date.fromordinal(ordinal)
            value = day if self.pg else day.isoformat()
            self._dates[ordinal] = value
        return value

    def ymd(self, ordinal: int) -> str:
        value = self._ymd.get(ordinal)
        if value is None:
            value = self._ymd[ordinal] = datetime.date.fromordinal(ordinal).strftime("%Y%m%d")
        return value

    def plus_years(self, ordinal: int, years: int) -> int:
        return _add_years(datetime.date.fromordinal(ordinal), years).toordinal()

    def term(self, years: int, overdue_rate: float = OVERDUE_RATE) -> tuple[int, int, int]:
        """(established, term start, term end) of a committee or branch; some terms have run out."""
        rng = self.rng
        if rng.random() < overdue_rate:
            self.overdue += 1
            start = self.plus_years(self.t - rng.randint(30, 400), -years)
        else:
            start = self.t - rng.randint(0, years * 365 - 40)
        established = start - rng.randint(0, 45 * 365)
        return established, start, self.plus_years(start, years)

    # -- organizations ----------------------------------------------------------------------------

    def org(self, parent: Org | None, kind: str, name: str, unit: str, *, village: bool = False,
            term_years: int | None = 3, overdue_rate: float = OVERDUE_RATE) -> Org:
        self.org_pk += 1
        pk = self.org_pk
        if parent is None:
            code, path = "1", f"{pk}."
        else:
            parent.children += 1
            code, path = f"{parent.code}{parent.children:04d}", f"{parent.path}{pk}."
        org = Org(pk, code, name, kind, parent, path, unit, is_village=village,
                  has_committee=kind not in (OrgKind.BRANCH, OrgKind.JOINT_BRANCH, OrgKind.GROUP))
        if kind in (OrgKind.BRANCH, OrgKind.JOINT_BRANCH):
            self.branches += 1
            if self.branches == 3 and not self.overdue:
                overdue_rate = 1.0  # even the smallest demo shows a term that has run out
        if term_years:
            org.established, org.term_start, org.term_end = self.term(term_years, overdue_rate)
        self.orgs.append(org)
        return org

    def fresh(self, make: Callable[[], str]) -> str:
        """A unit name not used yet in the city (after a few tries, a repeat is accepted)."""
        for _i in range(30):
            name = make()
            if name not in self.used:
                break
        self.used.add(name)
        return name

    def places(self, count: int) -> list[str]:
        rng = self.rng
        pairs = ((rng.choice(PLACE_FIRST), rng.choice(PLACE_SECOND)) for _i in range(count * 2))
        names = {a + b for a, b in pairs if a != b}
        return rng.sample(sorted(names), min(count, len(names)))

    def build(self) -> Org:
        rng = self.rng
        top = self.org(None, OrgKind.COMMITTEE, f"中共{CITY}委", CITY, term_years=5, overdue_rate=0)
        count = min(len(DISTRICTS), max(2, round(self.total / 70000) + 2))
        weights = [1.0] + [rng.uniform(0.6, 1.4) for _i in range(count - 1)]
        quotas = [int(self.total * w / sum(weights)) for w in weights]
        quotas[0] += self.total - sum(quotas)
        for i, (name, quota) in enumerate(zip(DISTRICTS, quotas, strict=False)):
            district = self.org(top, OrgKind.COMMITTEE, f"中共{name}委", name, term_years=5, overdue_rate=0)
            self.district_code = LOCAL_CODES[i % len(LOCAL_CODES)]
            self.remaining = quota
            self.build_district(district, name, rural=name.endswith("县"), first=i == 0)
        self.flush()
        return top

    def build_district(self, district: Org, name: str, *, rural: bool, first: bool) -> None:
        rng = self.rng
        self.organs(district, name, designate=first)
        builders: list[tuple[Callable[[Org, str], None], float]] = [
            (self.street, 5 if rural else 20), (self.town, 35 if rural else 5), (self.school, 12),
            (self.hospital, 7), (self.soe, 4 if rural else 10), (self.private, 4 if rural else 7),
            (self.university, 0.5 if rural else 2),
        ]
        pick = Weighted(builders)
        while self.remaining > 0:
            pick.pick(rng.random())(district, name)

    def branch(self, parent: Org, name: str, profile: str, workplaces: Sequence[str], *,
               kind: str = OrgKind.BRANCH, village: bool = False, size: int | None = None,
               retired_job: str = "", designate: bool = False) -> Org | None:
        """A branch with its members, groups and leaders; ``None`` once the district's quota is used."""
        if self.remaining <= 0:
            return None
        rng = self.rng
        size_class = "given"
        if size is None:
            size_class, low, high = SIZE_CLASSES.pick(rng.random())
            if profile == "retired" and size_class == "medium" and rng.random() < 0.1:
                size_class, low, high = "large", 60, 95
            size = rng.randint(low, high)
        size = min(size, self.remaining)
        self.remaining -= size
        unit = workplaces[0] if len(workplaces) == 1 else "、".join(workplaces[:2]) + f"等{len(workplaces)}家单位"
        org = self.org(parent, kind, name, unit, village=village, term_years=5 if village else 3)
        self.fill(org, size, PROFILES[profile], workplaces, tiny=size_class == "tiny", retired_job=retired_job,
                  designate=designate)
        return org

    def organs(self, district: Org, name: str, *, designate: bool) -> None:
        """The district's organs (区直机关工委): the designated sibling branches live here."""
        if self.remaining <= 0:
            return
        rng = self.rng
        wc = self.org(district, OrgKind.WORK_COMMITTEE, f"{name}直机关工委", f"{name}直属机关", term_years=5)
        organs = [f"{name}{o[1:]}" if o.startswith("区") else f"共青团{name}委" for o in ORGANS]
        count = max(3, min(len(organs), self.remaining // 250))
        for i, organ in enumerate(rng.sample(organs, count)):
            size = max(8, min(rng.randint(14, 30), self.remaining // 3)) if designate and i < 2 else None
            branch = f"{organ}党支部" if organ.endswith("机关") else f"{organ}机关党支部"
            if self.branch(wc, branch, "organ", [organ], size=size, designate=designate and i < 2) is None:
                return
        self.branch(wc, f"{name}直机关离退休干部党支部", "retired", [f"{name}直属机关"], retired_job="退休干部")

    def street(self, district: Org, name: str) -> None:
        street = self.fresh(lambda: self.places(1)[0] + "街道")
        wc = self.org(district, OrgKind.WORK_COMMITTEE, f"{street}党工委", f"{name}{street}", term_years=5)
        for community in self.places(self.rng.randint(5, 14)):
            unit = f"{street}{community}社区"
            if self.branch(wc, f"{community}社区党支部", "community", [unit], village=True) is None:
                return
        self.branch(wc, f"{street}机关党支部", "organ", [f"{street}办事处"])

    def town(self, district: Org, name: str) -> None:
        town = self.fresh(lambda: self.places(1)[0] + "镇")
        committee = self.org(district, OrgKind.COMMITTEE, f"{town}党委", f"{name}{town}", term_years=5)
        for village in self.places(self.rng.randint(6, 22)):
            if self.branch(committee, f"{village}村党支部", "village", [f"{town}{village}村"], village=True) is None:
                return
        self.branch(committee, f"{town}机关党支部", "organ", [f"{town}人民政府"])
        if self.rng.random() < 0.5:
            self.branch(committee, f"{town}中心学校党支部", "school", [f"{town}中心学校"])
        if self.rng.random() < 0.4:
            self.branch(committee, f"{town}卫生院党支部", "hospital", [f"{town}卫生院"])

    def school(self, district: Org, name: str) -> None:
        rng = self.rng
        school = self.fresh(lambda: rng.choice([
            f"{CITY}第{ordinal(rng.randint(1, 10))}中学", f"{name}实验小学",
            f"{name}第{ordinal(rng.randint(1, 9))}小学",
            f"{name}实验中学", f"{CITY}第{ordinal(rng.randint(1, 5))}职业中学", f"{name}{self.places(1)[0]}小学",
            f"{name}{self.places(1)[0]}中学",
        ]))
        gb = self.org(district, OrgKind.GENERAL_BRANCH, f"{school}党总支", school)
        for i in range(1, rng.randint(2, 4) + 1):
            if self.branch(gb, f"{school}教师第{ordinal(i)}党支部", "school", [school]) is None:
                return
        if rng.random() < 0.6:
            self.branch(gb, f"{school}退休教师党支部", "retired", [school], retired_job="退休教师")

    def hospital(self, district: Org, name: str) -> None:
        rng = self.rng
        hospital = self.fresh(lambda: rng.choice([
            f"{name}人民医院", f"{name}中医院", f"{CITY}第{ordinal(rng.randint(1, 6))}人民医院", f"{name}妇幼保健院",
            f"{CITY}中心医院", f"{CITY}中医院", f"{name}第{ordinal(rng.randint(1, 4))}人民医院",
            f"{CITY}{self.places(1)[0]}医院",
        ]))
        committee = self.org(district, OrgKind.COMMITTEE, f"{hospital}党委", hospital, term_years=5)
        for dept in rng.sample(HOSPITAL_DEPTS, rng.randint(4, 10)):
            if self.branch(committee, f"{hospital}{dept}党支部", "hospital", [hospital]) is None:
                return
        self.branch(committee, f"{hospital}离退休党支部", "retired", [hospital], retired_job="退休医务人员")

    def soe(self, district: Org, name: str) -> None:
        rng = self.rng
        company = self.fresh(lambda: f"{rng.choice([CITY[:-1], name[:-1]])}{rng.choice(SOE_NAMES)}集团有限公司")
        committee = self.org(district, OrgKind.COMMITTEE, f"{company}党委", company, term_years=5)
        for i in range(1, rng.randint(0, 3) + 1):
            sub = f"{company}第{ordinal(i)}分公司"
            gb = self.org(committee, OrgKind.GENERAL_BRANCH, f"{sub}党总支", sub)
            for dept in rng.sample(SOE_DEPTS, rng.randint(3, 6)):
                if self.branch(gb, f"{sub}{dept}党支部", "enterprise", [sub]) is None:
                    return
        for dept in rng.sample(SOE_DEPTS, rng.randint(2, 5)):
            if self.branch(committee, f"{company}{dept}党支部", "enterprise", [company]) is None:
                return
        self.branch(committee, f"{company}离退休职工党支部", "retired", [company], retired_job="退休职工")

    def private(self, district: Org, name: str) -> None:
        """非公有制经济组织综合党委: a branch per larger firm, joint branches for small ones."""
        rng = self.rng
        unit = f"{name}非公有制经济组织"
        committee = self.org(district, OrgKind.COMMITTEE, f"{unit}综合党委", unit, term_years=5)
        for _i in range(rng.randint(5, 16)):
            if rng.random() < 0.3:
                firms = [self.fresh(self.firm) for _j in range(rng.randint(2, 5))]
                short = "、".join(f[2:4] for f in firms[:3])
                made = self.branch(committee, f"{short}等企业联合党支部", "enterprise", firms,
                                   kind=OrgKind.JOINT_BRANCH, size=rng.randint(5, 22))
            else:
                firm = self.fresh(self.firm)
                made = self.branch(committee, f"{firm}党支部", "enterprise", [firm])
            if made is None:
                return

    def firm(self) -> str:
        rng = self.rng
        return f"{CITY[:-1]}{rng.choice(FIRM_BRANDS)[0]}{rng.choice(FIRM_BRANDS)[1]}{rng.choice(FIRM_TRADES)}"

    def university(self, district: Org, name: str) -> None:
        rng = self.rng
        unused = [u for u in UNIVERSITIES if u not in self.used]
        if not unused:
            self.school(district, name)
            return
        uni = self.fresh(lambda: rng.choice(unused))
        committee = self.org(district, OrgKind.COMMITTEE, f"{uni}党委", uni, term_years=5)
        for college in rng.sample(COLLEGES, rng.randint(3, 8)):
            gb = self.org(committee, OrgKind.GENERAL_BRANCH, f"{uni}{college}党总支", f"{uni}{college}")
            if self.branch(gb, f"{college}教工党支部", "university", [uni]) is None:
                return
            for i in range(1, rng.randint(2, 4) + 1):
                size = rng.randint(15, 45)
                if self.branch(gb, f"{college}学生第{ordinal(i)}党支部", "student", [uni], size=size) is None:
                    return
        for i in range(1, rng.randint(2, 4) + 1):
            if self.branch(committee, f"{uni}机关第{ordinal(i)}党支部", "organ", [uni]) is None:
                return
        self.branch(committee, f"{uni}离退休教职工党支部", "retired", [uni], retired_job="退休教职工")

    # -- members ----------------------------------------------------------------------------------

    def fill(self, org: Org, size: int, profile: Profile, workplaces: Sequence[str], *, tiny: bool,
             retired_job: str, designate: bool) -> None:
        """Generate the members of one branch, then its groups, committee and the ancestors' candidates."""
        rng = self.rng
        full: list[tuple[int, int]] = []  # (pk, age)
        party: list[int] = []  # full and probationary members, who sit in party groups
        rows: list[list[Any]] = []
        for i in range(size):
            if i == 0 or (designate and i < 6):
                forced = Status.FULL  # the secretary, and enough full members around a demo secretary
            elif tiny and len(full) >= 2:
                forced = Status.PROBATIONARY if rng.random() < 0.5 else Status.ACTIVIST
            else:
                forced = None
            leader_profile = PROFILES["organ"] if profile.key == "student" and i == 0 else profile
            row, age = self.person(org, leader_profile, workplaces, forced, leader=i == 0, retired_job=retired_job)
            if profile.key == "student" and i == 0:
                row[14] = "辅导员"  # a counsellor leads a student branch
            rows.append(row)
            status = row[16]
            if status == Status.FULL:
                full.append((row[0], age))
            if status in (Status.FULL, Status.PROBATIONARY):
                party.append(len(rows) - 1)
        full_count = len(full)
        org.has_committee = full_count >= 7 and rng.random() >= NO_COMMITTEE_RATE
        self.groups(org, rows, party, full)
        titles = [PositionTitle.SECRETARY]
        if org.has_committee:
            titles += [PositionTitle.ORGANIZATION, PositionTitle.PROPAGANDA, PositionTitle.DISCIPLINE]
            if full_count >= 10 and rng.random() < 0.4:
                titles.append(PositionTitle.DEPUTY_SECRETARY)
        seats = [full[0][0]] + [pk for pk, _age in rng.sample(full[1:], min(len(titles) - 1, full_count - 1))]
        for title, pk in zip(titles, seats, strict=False):
            self.position(org, title, pk)
        if designate:
            self.designated.append((org, [pk for pk, _age in full]))
            self.holders.update(seats)
        for row in rows:
            self.status_change(org, row)
            self.members.add(tuple(row))
        self.done += size
        self.show_progress()
        if profile.key in ("retired", "student") or designate:
            return
        # Offer senior full members to the committees above: one person per committee from each branch.
        candidates = [(pk, age) for pk, age in full[1:] if 35 <= age <= 58]
        parent = org.parent
        while parent is not None and candidates:
            if len(parent.leaders) < 5:
                parent.leaders.append(candidates.pop())
            parent = parent.parent

    def groups(self, org: Org, rows: list[list[Any]], party: list[int], full: list[tuple[int, int]]) -> None:
        """Larger branches split their party members into groups (党小组), each with a leader."""
        rng = self.rng
        if len(party) < 38 or rng.random() < 0.7:
            return
        count = 2 + (len(party) >= 50) + (len(party) >= 65)
        groups = [self.org(org, OrgKind.GROUP, f"{org.name}第{ordinal(i)}党小组", org.unit_name, village=org.is_village,
                           term_years=None) for i in range(1, count + 1)]
        full_pks = {pk for pk, _age in full}
        leaders: dict[int, int] = {}
        for n, index in enumerate(party):
            group = groups[n % count]
            row = rows[index]
            row[5] = group.pk
            if group.pk not in leaders and row[0] in full_pks and row[0] != full[0][0]:
                leaders[group.pk] = row[0]
        for group in groups:
            if group.pk in leaders:
                self.position(group, PositionTitle.GROUP_LEADER, leaders[group.pk], term_start=org.term_start)

    def position(self, org: Org, title: str, member_pk: int, term_start: int | None = None) -> None:
        self.position_pk += 1
        start = term_start or org.term_start or self.t
        self.positions.add(
            (self.position_pk, self.now, self.now, org.pk, org.path, title, member_pk, self.d(start), None)
        )

    def status_change(self, org: Org, row: list[Any]) -> None:
        """Record how a member who left did so; an active member's past is in the milestone dates."""
        status = row[16]
        date = row[24]
        del row[24:]
        if status not in LEAVING_REASONS:
            return
        self.changes.add((row[0], self.now, self.now, org.pk, org.path, row[0], Status.FULL, status, self.d(date),
                          LEAVING_REASONS[status], None))
        if status == Status.TRANSFERRED_OUT:
            self.transfer_pk += 1
            outside = self.rng.choice(OUTSIDE_ORGS)
            self.transfers.add((self.transfer_pk, self.now, self.now, row[0], org.pk, org.path, None, "", outside,
                                TransferStatus.CONFIRMED, self.d(date), self.d(date), "工作调动", ""))

    def person(self, org: Org, p: Profile, workplaces: Sequence[str], forced: str | None, *, leader: bool,
               retired_job: str) -> tuple[list[Any], int]:
        """One member row (with the status date appended at index 24) and the member's age."""
        rng = self.rng
        r = rng.random
        t = self.t
        low, high, mode = p.ages
        if leader and p.key != "retired":
            low, high, mode = 30, min(high, 58), min(max(mode, 36), 50)
        elif leader:
            low, high, mode = 60, 80, 66
        elif forced == Status.FULL:
            low, high, mode = max(low, 30), max(high, 30), max(mode, 30)
        age = int(rng.triangular(low, high + 1, mode))
        birth = min(t - int((age + r()) * 365.2425), t - DAYS_18_YEARS - 1)
        earliest = birth + DAYS_18_YEARS
        status = forced or p.statuses.pick(r())
        while True:
            app = act = cand = adm = conv = None
            span = t - earliest  # days on which an application could have been made
            if status in (Status.FULL, Status.TRANSFERRED_OUT, Status.DECEASED, Status.SUSPENDED, Status.REMOVED,
                          Status.EXPELLED):
                ga, gc, gd = 92 + int(r() * 270), 365 + int(r() * 500), 30 + int(r() * 240)
                room = span - ga - gc - gd - 367
                if room < 0:
                    status = Status.PROBATIONARY
                    continue
                app = earliest + int(r() ** 1.8 * min(room, 25 * 365))
                act, cand = app + ga, app + ga + gc
                adm = cand + gd
                conv = self.plus_years(adm, 1)
                when = conv
                if status == Status.DECEASED and age < 60:
                    status = Status.TRANSFERRED_OUT
                if status != Status.FULL:
                    when = conv + 1 + int(r() * (t - conv - 1)) if t - conv > 1 else t
                break
            if status == Status.PROBATIONARY:
                ga, gc, gd = 92 + int(r() * 200), 365 + int(r() * 300), 30 + int(r() * 150)
                adm = t - int(r() * 360)
                app = adm - gd - gc - ga
                if app < earliest:
                    app = earliest
                    adm = app + ga + gc + gd
                    if adm > t:
                        status = Status.CANDIDATE
                        continue
                act, cand, when = app + ga, app + ga + gc, adm
                break
            if status == Status.CANDIDATE:
                ga, gc = 92 + int(r() * 200), 365 + int(r() * 300)
                cand = t - int(r() * 300)
                app = cand - gc - ga
                if app < earliest:
                    app = earliest
                    cand = app + ga + gc
                    if cand > t:
                        status = Status.ACTIVIST
                        continue
                act, when = app + ga, cand
                break
            if status == Status.ACTIVIST:
                ga = 92 + int(r() * 270)
                act = t - int(r() * 500)
                app = act - ga
                if app < earliest:
                    app = earliest
                    act = app + ga
                    if act > t:
                        status = Status.APPLICANT
                        continue
                when = act
                break
            app = when = max(earliest, t - int(r() * 400))  # applicant
            break
        gender = "M" if r() < (0.72 if p.key in ("organ", "enterprise", "village") else 0.6) else "F"
        if p.key in ("school", "hospital") and r() < 0.35:
            gender = "F"
        ethnicity = "汉族" if r() < 0.91 else MINORITIES.pick(r())
        name = self.name(gender, birth, ethnicity)
        birth_year = datetime.date.fromordinal(birth).year
        if p.key == "student":
            education = "high_school" if age < 22 else ("bachelor" if age < 25 else "master")
            job = "本科生" if age < 22 else ("硕士研究生" if age < 25 else "博士研究生")
        else:
            education = p.education[0 if birth_year < 1960 else (1 if birth_year < 1980 else 2)].pick(r())
            job = rng.choice(p.junior_jobs if age < 35 else p.senior_jobs)
        category = self.category(p.key, age)
        if category == "retired":
            job = retired_job or ("退休干部" if p.key == "organ" else "退休人员")
        elif category == "unemployed":
            job = "待业"
        codes = ETHNIC_CODES.get(ethnicity)
        region = rng.choice(codes) if codes else (self.district_code if r() < 0.75 else rng.choice(OTHER_CODES))
        id_number = self.id_number(region, birth, gender)
        phone = "" if age > 85 and r() < 0.4 else f"{rng.choice(PHONE_PREFIXES)}{int(r() * 100000000):08d}"
        workplace = workplaces[0] if len(workplaces) == 1 else rng.choice(workplaces)
        self.member_pk += 1
        d = self.d
        row = [self.member_pk, self.now, self.now, org.pk, org.path, None, name, gender, ethnicity, d(birth),
               id_number, phone, education, workplace, job, category, status, d(app), d(act), d(cand), d(adm),
               d(conv), None, "", when]
        return row, age

    def category(self, profile: str, age: int) -> str:
        r = self.rng.random()
        if profile == "student":
            return "student"
        if profile == "retired":
            return "retired"
        if profile == "village":
            return "farmer" if r < 0.88 else "other"
        if age > 60:
            return "retired" if r < 0.88 else "other"
        if profile == "community":
            return "employed" if r < 0.6 else ("unemployed" if r < 0.72 else "other")
        return "employed" if r < 0.975 else ("unemployed" if r < 0.985 else "other")

    def name(self, gender: str, birth: int, ethnicity: str) -> str:
        rng = self.rng
        r = rng.random
        if ethnicity == "维吾尔族":
            return rng.choice(UYGHUR_NAMES)
        if ethnicity == "藏族":
            return rng.choice(TIBETAN_NAMES)
        if ethnicity == "蒙古族" and r() < 0.6:
            return rng.choice(MONGOLIAN_NAMES)
        surname = SURNAMES.pick(r())
        year = datetime.date.fromordinal(birth).year
        male = gender == "M"
        if year < 1965:
            single, whole = (0.3, OLD_MALE if male else OLD_FEMALE)
        elif year < 1985:
            single, whole = (0.35, MID_MALE if male else MID_FEMALE)
        else:
            first, second = YOUNG_MALE if male else YOUNG_FEMALE
            if r() < 0.12:
                return surname + rng.choice(SINGLE_MALE if male else SINGLE_FEMALE)
            return surname + rng.choice(first) + rng.choice(second)
        if r() < single:
            return surname + rng.choice(SINGLE_MALE if male else SINGLE_FEMALE)
        return surname + rng.choice(whole)

    def id_number(self, region: str, birth: int, gender: str) -> str:
        """An 18-digit ID number (GB 11643): region, birth date, sequence (odd for men), check character."""
        rng = self.rng
        head = region + self.ymd(birth)
        odd = gender == "M"
        seq = rng.randrange(0, 500) * 2 + 1 if odd else rng.randrange(1, 500) * 2
        first17 = f"{head}{seq:03d}"
        while first17 in self.seen_ids:
            seq = seq + 2 if seq + 2 <= 999 else (1 if odd else 2)
            first17 = f"{head}{seq:03d}"
        self.seen_ids.add(first17)
        return first17 + id_check_char(first17)

    def show_progress(self) -> None:
        if self.progress is None:
            return
        percent = self.done * 100 // self.total
        if percent != self.shown:
            self.shown = percent
            label = _("生成党员")  # outside the f-string, where makemessages finds it
            self.progress.write(f"\r  {label} {percent:3d}%  ({self.done}/{self.total})")
            self.progress.flush()
            if percent == 100:
                self.progress.write("\n")

    # -- the rest ---------------------------------------------------------------------------------

    def committees(self) -> None:
        """Leaders of committees and general branches, drawn from full members of their subtree."""
        titles = [PositionTitle.SECRETARY, PositionTitle.DEPUTY_SECRETARY, PositionTitle.ORGANIZATION,
                  PositionTitle.PROPAGANDA, PositionTitle.DISCIPLINE]
        for org in self.orgs:
            if org.kind in (OrgKind.BRANCH, OrgKind.JOINT_BRANCH, OrgKind.GROUP):
                continue
            seats = sorted(org.leaders, key=lambda c: -c[1])  # the most senior first
            for title, (pk, _age) in zip(titles, seats, strict=False):
                self.position(org, title, pk)

    def write_orgs(self) -> None:
        writer = _Writer(Organization, [
            "id", "created", "updated", "code", "name", "kind", "parent_id", "path", "depth", "unit_name", "is_village",
            "has_committee", "established", "term_start", "term_end", "note",
        ], self.now)
        d = self.d
        for o in self.orgs:
            writer.add((o.pk, self.now, self.now, o.code, o.name[:200], o.kind, o.parent.pk if o.parent else None,
                        o.path, o.depth, o.unit_name[:200], o.is_village, o.has_committee, d(o.established),
                        d(o.term_start), d(o.term_end), ""))
        writer.flush()

    def flush(self) -> None:
        self.committees()
        self.write_orgs()
        for writer in (self.members, self.changes, self.positions, self.transfers):
            writer.flush()


#
# Wiping the previous organization data
#


def _on_delete(f: Any) -> Any:
    return getattr(f.remote_field, "on_delete", None)


def organization_models() -> list[type[models.Model]]:
    """Every model holding organization data: those with a tree-path column, and what must go with them."""
    found = {model for model, _name in tree_path_columns()}
    grew = True
    while grew:
        grew = False
        for model in apps.get_models(include_auto_created=True):
            if model in found or model._meta.proxy or not model._meta.managed:
                continue
            for f in model._meta.concrete_fields:
                if f.is_relation and f.related_model in found and _on_delete(f) not in (
                    models.SET_NULL, models.SET_DEFAULT, models.DO_NOTHING,
                ):
                    found.add(model)
                    grew = True
                    break
    return sorted(found, key=lambda m: m._meta.db_table)


DEMO_MARK = "chuxin-demo"


def holds_real_data() -> bool:
    """Whether the database has organizations that ``chuxin demo`` did not make (which it would delete)."""
    if not Organization.objects.exists():
        return False
    return not ObjectChange.objects.filter(action=ChangeAction.CREATE, postchange_data__source=DEMO_MARK).exists()


def wipe() -> None:
    """Remove all organization data and the organization's accounts (every non-superuser and the demo ones)."""
    User = get_user_model()
    doomed = organization_models()
    qn = connection.ops.quote_name
    outside_refs = []
    for model in apps.get_models(include_auto_created=True):
        if model in doomed or model._meta.proxy or not model._meta.managed:
            continue
        for f in model._meta.concrete_fields:
            if f.is_relation and f.related_model in doomed and _on_delete(f) is not models.DO_NOTHING:
                outside_refs.append((model, f))
    with connection.cursor() as cursor:
        for model, f in outside_refs:
            cursor.execute(f"UPDATE {qn(model._meta.db_table)} SET {qn(f.column)} = NULL "
                           f"WHERE {qn(f.column)} IS NOT NULL")
        tables = ", ".join(qn(m._meta.db_table) for m in doomed)
        if connection.vendor == "postgresql" and not outside_refs:
            # TRUNCATE refuses tables with pending deferred checks (rows written earlier in this
            # transaction); running the checks now clears them. The load itself relies on deferral.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"TRUNCATE {tables}")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        else:
            for model in doomed:
                cursor.execute(f"DELETE FROM {qn(model._meta.db_table)}")
    User.objects.filter(models.Q(is_superuser=False) | models.Q(username__in=DEMO_USERNAMES)).delete()


#
# The whole load
#


DemoStep = Callable[[random.Random, datetime.date, Any], None]
_steps: list[DemoStep] = []


def register_demo_step(step: DemoStep) -> None:
    """Another app's demo data, made after the organization in the same transaction: ``step(rng, today, now)``
    writes its rows in bulk (``_Writer``) for the organization and members just loaded."""
    if step not in _steps:
        _steps.append(step)


def load_demo(*, members: int = 2000, password: str, seed: int | None = None,
              progress: TextIO | None = None) -> DemoResult:
    """Replace all organization data by a demo organization of ``members`` people and create the demo accounts."""
    if members < MIN_MEMBERS:
        raise ValueError(_("演示组织至少需要%(n)s名党员") % {"n": MIN_MEMBERS})
    seed = random.SystemRandom().randrange(10**9) if seed is None else seed
    started = time.monotonic()
    today = timezone.localdate()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size = -262144")  # 256 MB: the unique index on ID numbers stays in memory
    with transaction.atomic():
        wipe()
        builder = Builder(members, seed, today, progress)
        builder.build()
        top = Organization.objects.get(pk=1)
        accounts = _accounts(builder, password)
        for step in _steps:
            step(random.Random(seed + 1), today, builder.now)
        admin = get_user_model().objects.get(username="admin")
        log_change(top, ChangeAction.CREATE, acting_user=admin,
                   after={"source": DEMO_MARK, "members": members, "organizations": len(builder.orgs), "seed": seed},
                   message=_("载入演示数据：%(orgs)s个组织，%(members)s名党员")
                   % {"orgs": len(builder.orgs), "members": members})
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(
                no_style(), [Organization, Member, StatusChange, Position, Transfer]
            ):
                cursor.execute(sql)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA analysis_limit = 1000")
            cursor.execute("ANALYZE")
    elif connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in (Organization, Member, StatusChange, Position, Transfer):
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    return DemoResult(members=members, organizations=len(builder.orgs), seconds=time.monotonic() - started, seed=seed,
                      top=top, accounts=accounts)


def _accounts(builder: Builder, password: str) -> list[Account]:
    """The five demo accounts; one password hash shared by all (hashing is deliberately slow)."""
    if len(builder.designated) < 2:
        raise RuntimeError("the demo needs two designated sibling branches")
    User = get_user_model()
    encoded = make_password(password)
    top = Organization.objects.get(pk=1)
    (org1, full1), (org2, full2) = builder.designated[:2]
    branch1, branch2 = Organization.objects.get(pk=org1.pk), Organization.objects.get(pk=org2.pk)

    def user(username: str, member_pk: int | None = None, **extra: Any) -> Any:
        if member_pk:
            extra["first_name"] = Member.objects.get(pk=member_pk).name
        account = User.objects.create(username=username, password=encoded, **extra)
        if member_pk:
            Member.objects.filter(pk=member_pk).update(user=account)
        return account

    admin = user("admin", is_staff=True, is_superuser=True, first_name=_("系统管理员"))
    committee = user("committee")
    secretary1 = user("branch1", full1[0])
    secretary2 = user("branch2", full2[0])
    ordinary = next(pk for pk in full1 if pk not in builder.holders)
    member = user("member1", ordinary)
    for account, role, org in (
        (admin, Role.ADMIN, None), (committee, Role.MANAGER, top),
        (secretary1, Role.MANAGER, branch1), (secretary1, Role.MEMBER, branch1),
        (secretary2, Role.MANAGER, branch2), (secretary2, Role.MEMBER, branch2),
        (member, Role.MEMBER, branch1),
    ):
        RoleGrant.objects.create(user=account, role=role, org=org)
    return [
        Account("admin", str(Role.ADMIN.label), _("全部组织")),
        Account("committee", str(Role.MANAGER.label), top.name),
        Account("branch1", _("%(role)s（支部书记）") % {"role": Role.MANAGER.label}, branch1.name),
        Account("branch2", _("%(role)s（支部书记）") % {"role": Role.MANAGER.label}, branch2.name),
        Account("member1", str(Role.MEMBER.label), branch1.name),
    ]

