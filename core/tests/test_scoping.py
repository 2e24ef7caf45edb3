"""The one scoping mechanism: subtree prefix conditions, grants, the member role, and moving subtrees."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.choices import Role
from core.models import ObjectChange
from core.scoping import can, get_scope
from core.services import OutOfScope
from orgs import services
from orgs.models import Member, Organization, RoleGrant

User = get_user_model()


def org(code, parent, admin, kind="branch"):
    return services.create_organization(Organization(code=code, name=code, kind=kind, parent=parent), acting_user=admin)


def member(name, branch, admin):
    return services.create_member(
        Member(org=branch, name=name, gender="M", birth_date=datetime.date(1980, 1, 1), status="full",
               admission_date=datetime.date(2005, 1, 1), conversion_date=datetime.date(2006, 1, 1)),
        acting_user=admin,
    )


def grant(username, role, target, admin):
    user = User.objects.create_user(username)
    services.grant_role(RoleGrant(user=user, role=role, org=target), acting_user=admin)
    return User.objects.get(pk=user.pk)


@pytest.fixture
def tree(db):
    admin = User.objects.create_superuser("root")
    top = org("T", None, admin, kind="committee")
    mid = org("T1", top, admin, kind="committee")
    other = org("T2", top, admin, kind="committee")
    b1, b2, b3 = org("B1", mid, admin), org("B2", mid, admin), org("B3", other, admin)
    people = {name: member(name, branch, admin) for name, branch in (("m1", b1), ("m2", b2), ("m3", b3))}
    return admin, top, mid, other, (b1, b2, b3), people


def test_a_branch_manager_sees_only_their_branch(tree):
    admin, top, mid, other, (b1, b2, b3), people = tree
    user = grant("b1", Role.MANAGER, b1, admin)
    assert list(Member.objects.restrict(user)) == [people["m1"]]
    assert not can(user, "view", people["m2"])


def test_a_committee_manager_sees_the_whole_subtree_and_nothing_beside_it(tree):
    admin, top, mid, other, (b1, b2, b3), people = tree
    user = grant("mid", Role.MANAGER, mid, admin)
    assert set(Member.objects.restrict(user)) == {people["m1"], people["m2"]}
    assert set(Organization.objects.restrict(user)) == {mid, b1, b2}


def test_a_path_that_only_shares_a_string_prefix_is_not_in_the_subtree(tree):
    admin, top, *_ = tree
    parent = Organization.objects.get(code="T1")
    # Siblings whose paths read like the subtree's path plus digits ("1.2." vs "1.20.", "1.21." …),
    # placed with explicit keys so the case exists whatever the database's sequences are at.
    extra = [
        Organization(pk=int(f"{parent.pk}{d}"), code=f"X{d}", name=f"X{d}", kind="branch", parent=top,
                     path=f"{top.path}{parent.pk}{d}.", depth=1)
        for d in range(10)
    ]
    Organization.objects.bulk_create(extra)
    assert all(o.path.startswith(parent.path[:-1]) for o in extra)
    user = grant("mid", Role.MANAGER, parent, admin)
    visible = set(Organization.objects.restrict(user).values_list("pk", flat=True))
    assert not visible & {o.pk for o in extra}
    assert all(o.path.startswith(parent.path) for o in Organization.objects.restrict(user))


def test_grants_add_up(tree):
    admin, top, mid, other, (b1, b2, b3), people = tree
    user = grant("two", Role.MANAGER, b1, admin)
    services.grant_role(RoleGrant(user=user, role=Role.INSPECTOR, org=b3), acting_user=admin)
    user = User.objects.get(pk=user.pk)
    assert set(Member.objects.restrict(user, "view")) == {people["m1"], people["m3"]}
    assert set(Member.objects.restrict(user, "change")) == {people["m1"]}


def test_an_inspector_reads_but_does_not_write_or_reveal(tree):
    admin, top, mid, other, (b1, b2, b3), people = tree
    user = grant("insp", Role.INSPECTOR, mid, admin)
    assert Member.objects.restrict(user).count() == 2
    assert Member.objects.restrict(user, "change").count() == 0
    with pytest.raises(OutOfScope):
        services.update_member(people["m1"], acting_user=user, changes={"job": "x"})
    with pytest.raises(OutOfScope):
        services.reveal(people["m1"], "phone", acting_user=user)


def test_the_member_role_sees_only_the_own_record(tree):
    admin, top, mid, other, (b1, b2, b3), people = tree
    user = grant("self", Role.MEMBER, b1, admin)
    people["m1"].user = user
    people["m1"].save()
    assert list(Member.objects.restrict(user)) == [people["m1"]]
    assert Member.objects.restrict(user, "change").count() == 0


def test_no_grant_and_anonymous_see_nothing(tree):
    from django.contrib.auth.models import AnonymousUser

    assert Member.objects.restrict(User.objects.create_user("nobody")).count() == 0
    assert Member.objects.restrict(AnonymousUser()).count() == 0
    assert get_scope(None, "view").empty


def test_restrict_is_one_query_with_a_prefix_condition(tree):
    admin, top, mid, other, (b1, b2, b3), people = tree
    user = grant("mid", Role.MANAGER, mid, admin)
    get_scope(user, "view")  # grants are read once per user object
    with CaptureQueriesContext(connection) as ctx:
        list(Member.objects.restrict(user))
    assert len(ctx.captured_queries) == 1
    sql = ctx.captured_queries[0]["sql"]
    assert "org_path" in sql and ("LIKE" in sql or ">=" in sql)


def test_a_manager_cannot_move_a_record_out_of_their_subtree(tree):
    admin, top, mid, other, (b1, b2, b3), people = tree
    user = grant("b1", Role.MANAGER, b1, admin)
    with pytest.raises(OutOfScope):
        services.update_member(people["m1"], acting_user=user, changes={"org": b3})
    people["m1"].refresh_from_db()
    assert people["m1"].org == b1
    assert not ObjectChange.objects.filter(object_id=people["m1"].pk, action="update").exists()


def test_moving_an_organization_moves_the_paths_of_everything_below_it(tree):
    admin, top, mid, other, (b1, b2, b3), people = tree
    services.update_organization(b1, acting_user=admin, changes={"parent": other})
    b1.refresh_from_db()
    assert b1.path == f"{other.path}{b1.pk}."
    people["m1"].refresh_from_db()
    assert people["m1"].org_path == b1.path
    user = grant("other", Role.MANAGER, other, admin)
    assert set(Member.objects.restrict(user)) == {people["m1"], people["m3"]}
    assert RoleGrant.objects.get(user__username="other").org_path == other.path


def test_an_organization_cannot_move_below_itself(tree):
    admin, top, mid, *_ = tree
    with pytest.raises(ValidationError):
        services.update_organization(mid, acting_user=admin, changes={"parent": Organization.objects.get(code="B1")})
