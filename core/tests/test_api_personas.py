from __future__ import annotations

from typing import ClassVar

from django.test import TestCase

from core.gaps import gaps_for
from core.scoping import get_scope
from core.testing.personas import Personas, build_personas
from orgs.models import Member


class PersonasTest(TestCase):
    p: ClassVar[Personas]

    @classmethod
    def setUpTestData(cls) -> None:
        cls.p = build_personas(password="persona-pass-1")

    def test_members_are_valid_records(self) -> None:
        for member in Member.objects.all():
            member.full_clean()

    def test_grants_give_the_described_scopes(self) -> None:
        p = self.p
        self.assertTrue(get_scope(p.admin, "change").everything)
        self.assertEqual(get_scope(p.committee_manager, "change").paths, (p.committee.path,))
        self.assertEqual(get_scope(p.branch1_manager, "change").paths, (p.branch1.path,))
        self.assertEqual(get_scope(p.inspector, "view").paths, (p.branch1.path,))
        self.assertTrue(get_scope(p.inspector, "change").empty)
        self.assertTrue(get_scope(p.member_user, "view").own)
        self.assertTrue(get_scope(p.outsider, "view").empty)
        self.assertEqual(p.member.user, p.member_user)

    def test_only_branch2_is_short_of_full_members(self) -> None:
        gaps = [g for g in gaps_for(self.p.committee) if g.rule == "orgs.branch.min_full_members"]
        self.assertEqual([g.org_id for g in gaps], [self.p.branch2.pk])

    def test_password_logs_in(self) -> None:
        self.assertTrue(self.client.login(username="branch1", password="persona-pass-1"))
