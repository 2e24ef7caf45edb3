from __future__ import annotations

from typing import Any, ClassVar

from django.urls import reverse

from core.changelog import log_change
from core.choices import ChangeAction
from core.models import ObjectChange
from core.testing.api import APITestCase, APIViewTestCases
from core.testing.personas import Personas
from orgs.models import Member, Organization


class ObjectChangeAPITest(APIViewTestCases.ReadOnlyAPIViewTestCase):
    model = ObjectChange
    basename = "change"
    list_queries = 3

    @classmethod
    def make_object(cls, p: Personas, org: Organization, n: int) -> ObjectChange:
        member = Member.objects.filter(org=org).first()
        assert member is not None
        return log_change(member, ChangeAction.UPDATE, acting_user=p.admin, message=f"变更{n}")


class ObjectChangeFilterTest(APITestCase):
    url = "/api/changes/"
    member: ClassVar[Member]
    update: ClassVar[ObjectChange]
    reveal: ClassVar[ObjectChange]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.member = cls.p.branch1_members[0]
        cls.update = log_change(cls.member, ChangeAction.UPDATE, acting_user=cls.p.branch1_manager, message="改")
        cls.reveal = log_change(cls.member, ChangeAction.REVEAL, acting_user=cls.p.branch1_manager, message="看")

    def get(self, **params: Any) -> set[int]:
        self.login(self.p.branch1_manager)
        return self.ids(self.client.get(self.url, {"page_size": 1000, **params}))

    def test_changes_of_one_object(self) -> None:
        self.assertEqual(self.get(object_type="orgs.member", object_id=self.member.pk),
                         {self.update.pk, self.reveal.pk})
        self.assertEqual(self.get(object_type="orgs.member", object_id=self.member.pk, action="reveal"),
                         {self.reveal.pk})

    def test_include_children_lists_changes_of_the_organizations_records(self) -> None:
        own = self.get(object_type="orgs.organization", object_id=self.p.branch1.pk)
        self.assertNotIn(self.update.pk, own)
        both = self.get(object_type="orgs.organization", object_id=self.p.branch1.pk, include_children="true")
        self.assertLessEqual({self.update.pk, self.reveal.pk} | own, both)
        only_reveals = self.get(object_type="orgs.organization", object_id=self.p.branch1.pk,
                                include_children="true", action="reveal")
        self.assertEqual(only_reveals, {self.reveal.pk})

    def test_output_names_the_object_type(self) -> None:
        self.login(self.p.branch1_manager)
        data = self.client.get(reverse("change-detail", args=[self.update.pk])).data
        self.assertEqual(data["object_type"], "orgs.member")
        self.assertEqual(data["related_object_type"], "orgs.organization")
        self.assertEqual(data["user_name"], self.p.branch1_manager.username)

    def test_change_log_is_read_only(self) -> None:
        self.login(self.p.admin)
        self.assertEqual(self.client.delete(reverse("change-detail", args=[self.update.pk])).status_code, 405)
        self.assertEqual(self.client.post(self.url, {}, format="json").status_code, 405)
