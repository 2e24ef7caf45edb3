"""The shared test personas: a small tree, one account per role, a few members in each branch.

::

    初心测试机关党委 (committee)          committee_manager: manager
    ├── 第一党支部 (branch1)              branch1_manager: manager, inspector: inspector,
    │   └── 第一党小组 (group)            member_user: member role (linked to ``member``)
    └── 第二党支部 (branch2)              branch2_manager: manager

``admin`` holds the administrator grant; ``outsider`` has an account and no grant at all.
branch1 has 3 full members and 1 probationary member (no size gap); branch2 has 2 full members and an
applicant, so it shows the "fewer than 3 full members" gap. Every member passes ``full_clean``.

Organizations and grants are made through ``orgs.services`` (so their paths, checks and change log are
the real ones); users and members are bulk-inserted, which is what keeps ``build_personas`` fast
enough for ``setUpTestData`` of every test class.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from core.choices import Role
from core.scoping import forget_scopes
from orgs import services
from orgs.choices import Category, Education, Gender, OrgKind, Status
from orgs.models import Member, Organization, RoleGrant
from orgs.rules import id_check_char


@dataclass
class Personas:
    committee: Organization
    branch1: Organization
    branch2: Organization
    group: Organization
    admin: Any
    committee_manager: Any
    branch1_manager: Any
    branch2_manager: Any
    inspector: Any
    member_user: Any
    outsider: Any
    member: Member
    branch1_members: list[Member] = field(default_factory=list)
    branch2_members: list[Member] = field(default_factory=list)
    password: str | None = None

    @property
    def users(self) -> dict[str, Any]:
        """Every persona account by its attribute name."""
        names = ("admin", "committee_manager", "branch1_manager", "branch2_manager", "inspector", "member_user",
                 "outsider")
        return {name: getattr(self, name) for name in names}


def id_number(birth: datetime.date, gender: str, seq: int, region: str = "110105") -> str:
    """A valid 18-digit resident ID number (GB 11643) for ``birth`` and ``gender``."""
    seq = seq * 2 + (1 if gender == Gender.MALE else 0)
    first17 = f"{region}{birth:%Y%m%d}{seq % 1000:03d}"
    return first17 + id_check_char(first17)


# (name, gender, birth, status, admission, conversion, application) per branch
_D = datetime.date
_BRANCH1 = [
    ("张伟", Gender.MALE, _D(1980, 3, 15), Status.FULL, _D(2005, 7, 1), _D(2006, 7, 1), None),
    ("王芳", Gender.FEMALE, _D(1985, 6, 20), Status.FULL, _D(2010, 6, 1), _D(2011, 6, 1), None),
    ("李强", Gender.MALE, _D(1975, 11, 2), Status.FULL, _D(1999, 7, 1), _D(2000, 7, 1), None),
    ("刘洋", Gender.MALE, _D(1995, 1, 10), Status.PROBATIONARY, _D(2024, 6, 30), None, None),
]
_BRANCH2 = [
    ("陈静", Gender.FEMALE, _D(1982, 9, 9), Status.FULL, _D(2008, 7, 1), _D(2009, 7, 1), None),
    ("杨磊", Gender.MALE, _D(1978, 4, 25), Status.FULL, _D(2002, 12, 1), _D(2003, 12, 1), None),
    ("赵敏", Gender.FEMALE, _D(2000, 5, 5), Status.APPLICANT, None, None, _D(2024, 3, 1)),
]


def _members(
    org: Organization, rows: list[tuple[Any, ...]], first_seq: int, group: Organization | None
) -> list[Member]:
    members = []
    for i, (name, gender, birth, status, admission, conversion, application) in enumerate(rows):
        seq = first_seq + i
        members.append(Member(
            org=org, org_path=org.path, group=group if i < 2 else None, name=name, gender=gender, birth_date=birth,
            id_number=id_number(birth, gender, seq), phone=f"1380013{seq:04d}", education=Education.BACHELOR,
            category=Category.EMPLOYED, status=status, admission_date=admission, conversion_date=conversion,
            application_date=application,
        ))
    return members


def build_personas(*, password: str | None = None) -> Personas:
    """Build the persona tree, accounts and members; ``password`` (hashed once) makes the accounts log in."""
    User = get_user_model()
    hashed = make_password(password)
    specs = [
        ("admin", "管理员"), ("committee", "机关党委组织委员"), ("branch1", "第一支部书记"),
        ("branch2", "第二支部书记"), ("inspector", "检查员"), ("member", "张伟"), ("outsider", "外单位人员"),
    ]
    User.objects.bulk_create([User(username=u, first_name=n, password=hashed) for u, n in specs])
    users = {u.username: u for u in User.objects.filter(username__in=[u for u, _n in specs])}
    admin = users["admin"]
    admin.is_staff = True
    admin.save(update_fields=["is_staff"])
    # Nobody can grant the first administrator role, so it is inserted directly.
    RoleGrant.objects.create(user=admin, role=Role.ADMIN)

    def org(code: str, name: str, kind: str, parent: Organization | None, **extra: Any) -> Organization:
        return services.create_organization(
            Organization(code=code, name=name, kind=kind, parent=parent, **extra), acting_user=admin
        )

    committee = org("T00", "初心测试机关党委", OrgKind.COMMITTEE, None, has_committee=True)
    branch1 = org("T01", "第一党支部", OrgKind.BRANCH, committee)
    branch2 = org("T02", "第二党支部", OrgKind.BRANCH, committee)
    group = org("T0101", "第一党小组", OrgKind.GROUP, branch1)

    Member.objects.bulk_create([*_members(branch1, _BRANCH1, 1, group), *_members(branch2, _BRANCH2, 11, None)])
    branch1_members = list(Member.objects.filter(org=branch1).order_by("pk"))
    branch2_members = list(Member.objects.filter(org=branch2).order_by("pk"))
    member = branch1_members[0]
    member.user = users["member"]
    member.save(update_fields=["user"])

    for username, role, where in [
        ("committee", Role.MANAGER, committee), ("branch1", Role.MANAGER, branch1),
        ("branch2", Role.MANAGER, branch2), ("inspector", Role.INSPECTOR, branch1), ("member", Role.MEMBER, branch1),
    ]:
        services.grant_role(RoleGrant(user=users[username], role=role, org=where), acting_user=admin)
    for user in users.values():
        forget_scopes(user)

    return Personas(
        committee=committee, branch1=branch1, branch2=branch2, group=group, admin=admin,
        committee_manager=users["committee"], branch1_manager=users["branch1"], branch2_manager=users["branch2"],
        inspector=users["inspector"], member_user=users["member"], outsider=users["outsider"], member=member,
        branch1_members=branch1_members, branch2_members=branch2_members, password=password,
    )


def new_member(p: Personas, org: Organization, n: int, **extra: Any) -> Member:
    """A full member of ``org`` created through the service (so its change log is the real one)."""
    birth = datetime.date(1990, 1, 1) + datetime.timedelta(days=n)
    return services.create_member(Member(
        org=org, name=f"测试党员{n}", gender=Gender.MALE, birth_date=birth,
        id_number=id_number(birth, Gender.MALE, 100 + n), phone=f"1390000{n:04d}", status=Status.FULL,
        admission_date=datetime.date(2015, 7, 1), conversion_date=datetime.date(2016, 7, 1), **extra,
    ), acting_user=p.admin)


def new_group(p: Personas, org: Organization, n: int) -> Organization:
    """A party group under ``org``, created through the service."""
    return services.create_organization(
        Organization(code=f"G{org.pk}-{n}", name=f"测试党小组{org.pk}-{n}", kind=OrgKind.GROUP, parent=org),
        acting_user=p.admin,
    )


__all__ = ["Personas", "build_personas", "id_number", "new_group", "new_member"]
