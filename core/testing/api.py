"""Generic API test suites: a model's endpoint tests supply data, and inherit the behaviour to check.

Modelled on NetBox's ``APIViewTestCases``. The suites live inside a holder class so that the test
runner does not collect them; a concrete test picks the ones its endpoint supports::

    class MemberAPITest(APIViewTestCases.APIViewTestCase):
        model = Member
        basename = "member"
        list_queries = 3

        @classmethod
        def make_object(cls, p, org, n):
            return Member.objects.create(org=org, ...)

        def create_data(self):
            return {"org": self.p.branch1.pk, ...}

        def update_data(self):
            return {"job": "教师"}

Every suite runs with the personas of ``core.testing.personas``: ``obj1`` is made in branch1's subtree
and ``obj2`` in the sibling branch2's. Each endpoint is checked anonymous (401), with an account
without grants (nothing visible), with a manager of the sibling branch (404, absent from lists), with
the read-only inspector of branch1 (reads work, writes 403) and with branch1's manager (everything
works and each write leaves an ``ObjectChange`` carrying the ``changelog_message``). List pages have
their query count pinned (``list_queries``), so an N+1 in a serializer fails the suite.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.test import TestCase
from django.urls import reverse
from rest_framework.test import APIClient

from core.models import ObjectChange
from core.scoping import forget_scopes
from core.testing.personas import Personas, build_personas

CHANGELOG_MESSAGE = "接口测试变更说明"


class APITestCase(TestCase):
    """Personas built once per class, an ``APIClient``, and helpers to act as one persona."""

    p: ClassVar[Personas]
    client: APIClient

    @classmethod
    def setUpTestData(cls) -> None:
        cls.p = build_personas()

    def setUp(self) -> None:
        self.client = APIClient()

    def login(self, user: Any | None) -> None:
        """Send the following requests as ``user`` (``None``: anonymous), with freshly computed scopes."""
        if user is not None:
            forget_scopes(user)
        self.client.force_authenticate(user=user)

    def results(self, response: Any) -> list[dict[str, Any]]:
        self.assertEqual(response.status_code, 200, getattr(response, "data", response))
        return response.data["results"]

    def ids(self, response: Any) -> set[Any]:
        return {row["id"] for row in self.results(response)}


class APIViewTestCases:
    """Holder of the generic suites (not collected itself)."""

    class Base(APITestCase):
        model: ClassVar[type[models.Model]]
        basename: ClassVar[str]
        list_queries: ClassVar[int]
        obj1: ClassVar[models.Model]
        obj2: ClassVar[models.Model]

        @classmethod
        def make_object(cls, p: Personas, org: Any, n: int) -> models.Model:
            """A new object placed in ``org``'s subtree; ``n`` makes unique values unique."""
            raise NotImplementedError

        def create_data(self) -> dict[str, Any]:
            """A valid body creating an object in branch1's subtree (``self.p`` holds the personas)."""
            raise NotImplementedError

        def update_data(self) -> dict[str, Any]:
            """A valid partial body changing ``obj1``."""
            raise NotImplementedError

        @classmethod
        def setUpTestData(cls) -> None:
            super().setUpTestData()
            cls.obj1 = cls.make_object(cls.p, cls.p.branch1, 1)
            cls.obj2 = cls.make_object(cls.p, cls.p.branch2, 2)

        def list_url(self) -> str:
            return reverse(f"{self.basename}-list")

        def detail_url(self, obj: models.Model) -> str:
            return reverse(f"{self.basename}-detail", args=[obj.pk])

        def assert_logged(self, pk: Any, action: str) -> None:
            ct = ContentType.objects.get_for_model(self.model)
            self.assertTrue(
                ObjectChange.objects.filter(content_type=ct, object_id=pk, action=action,
                                            message=CHANGELOG_MESSAGE).exists(),
                f"no {action} change logged with the changelog message",
            )

    class GetObjectViewTestCase(Base):
        def test_get_object_anonymous_is_unauthorized(self) -> None:
            self.assertIn(self.client.get(self.detail_url(self.obj1)).status_code, (401, 403))

        def test_get_object_without_grant_is_not_found(self) -> None:
            self.login(self.p.outsider)
            self.assertEqual(self.client.get(self.detail_url(self.obj1)).status_code, 404)

        def test_get_object_of_sibling_subtree_is_not_found(self) -> None:
            self.login(self.p.branch2_manager)
            self.assertEqual(self.client.get(self.detail_url(self.obj1)).status_code, 404)
            self.assertEqual(self.client.get(self.detail_url(self.obj2)).status_code, 200)

        def test_get_object_with_read_only_grant(self) -> None:
            self.login(self.p.inspector)
            response = self.client.get(self.detail_url(self.obj1))
            self.assertEqual(response.status_code, 200)
            self.assertEqual(response.data["id"], self.obj1.pk)

        def test_get_object_with_manager_grant(self) -> None:
            self.login(self.p.branch1_manager)
            self.assertEqual(self.client.get(self.detail_url(self.obj1)).status_code, 200)

    class ListObjectsViewTestCase(Base):
        def test_list_objects_anonymous_is_unauthorized(self) -> None:
            self.assertIn(self.client.get(self.list_url()).status_code, (401, 403))

        def test_list_objects_without_grant_is_empty(self) -> None:
            self.login(self.p.outsider)
            self.assertEqual(self.ids(self.client.get(self.list_url())), set())

        def test_list_objects_leaves_out_sibling_subtree(self) -> None:
            self.login(self.p.branch2_manager)
            ids = self.ids(self.client.get(self.list_url(), {"page_size": 1000}))
            self.assertNotIn(self.obj1.pk, ids)
            self.assertIn(self.obj2.pk, ids)

        def test_list_objects_with_read_only_grant(self) -> None:
            self.login(self.p.inspector)
            ids = self.ids(self.client.get(self.list_url(), {"page_size": 1000}))
            self.assertIn(self.obj1.pk, ids)
            self.assertNotIn(self.obj2.pk, ids)

        def test_list_objects_of_parent_committee_covers_both_branches(self) -> None:
            self.login(self.p.committee_manager)
            ids = self.ids(self.client.get(self.list_url(), {"page_size": 1000}))
            self.assertLessEqual({self.obj1.pk, self.obj2.pk}, ids)

        def test_list_objects_query_count_is_pinned(self) -> None:
            for n in range(10, 20):
                self.make_object(self.p, self.p.branch1, n)
            self.login(self.p.branch1_manager)
            with self.assertNumQueries(self.list_queries):
                rows = self.results(self.client.get(self.list_url(), {"page_size": 1000}))
            self.assertGreaterEqual(len(rows), 11)

    class CreateObjectViewTestCase(Base):
        def test_create_object_anonymous_is_unauthorized(self) -> None:
            response = self.client.post(self.list_url(), self.create_data(), format="json")
            self.assertIn(response.status_code, (401, 403))

        def test_create_object_outside_scope_is_refused(self) -> None:
            count = self.model._default_manager.count()
            for user in (self.p.outsider, self.p.branch2_manager):
                self.login(user)
                response = self.client.post(self.list_url(), self.create_data(), format="json")
                self.assertIn(response.status_code, (400, 403), response.data)
            self.assertEqual(self.model._default_manager.count(), count)

        def test_create_object_with_read_only_grant_is_forbidden(self) -> None:
            count = self.model._default_manager.count()
            self.login(self.p.inspector)
            response = self.client.post(self.list_url(), self.create_data(), format="json")
            self.assertEqual(response.status_code, 403, response.data)
            self.assertEqual(self.model._default_manager.count(), count)

        def test_create_object_with_manager_grant(self) -> None:
            self.login(self.p.branch1_manager)
            data = {**self.create_data(), "changelog_message": CHANGELOG_MESSAGE}
            response = self.client.post(self.list_url(), data, format="json")
            self.assertEqual(response.status_code, 201, response.data)
            self.assertTrue(self.model._default_manager.filter(pk=response.data["id"]).exists())
            self.assert_logged(response.data["id"], "create")

    class UpdateObjectViewTestCase(Base):
        def test_update_object_anonymous_is_unauthorized(self) -> None:
            response = self.client.patch(self.detail_url(self.obj1), self.update_data(), format="json")
            self.assertIn(response.status_code, (401, 403))

        def test_update_object_of_sibling_subtree_is_not_found(self) -> None:
            self.login(self.p.branch2_manager)
            response = self.client.patch(self.detail_url(self.obj1), self.update_data(), format="json")
            self.assertEqual(response.status_code, 404)

        def test_update_object_with_read_only_grant_is_forbidden(self) -> None:
            self.login(self.p.inspector)
            response = self.client.patch(self.detail_url(self.obj1), self.update_data(), format="json")
            self.assertEqual(response.status_code, 403)

        def test_update_object_with_manager_grant(self) -> None:
            self.login(self.p.branch1_manager)
            data = {**self.update_data(), "changelog_message": CHANGELOG_MESSAGE}
            response = self.client.patch(self.detail_url(self.obj1), data, format="json")
            self.assertEqual(response.status_code, 200, response.data)
            obj = self.model._default_manager.get(pk=self.obj1.pk)
            for name, value in self.update_data().items():
                attname = getattr(obj._meta.get_field(name), "attname", name)
                self.assertEqual(str(getattr(obj, attname)), str(value), name)
            self.assert_logged(self.obj1.pk, "update")

    class DeleteObjectViewTestCase(Base):
        def test_delete_object_anonymous_is_unauthorized(self) -> None:
            self.assertIn(self.client.delete(self.detail_url(self.obj1)).status_code, (401, 403))

        def test_delete_object_of_sibling_subtree_is_not_found(self) -> None:
            self.login(self.p.branch2_manager)
            self.assertEqual(self.client.delete(self.detail_url(self.obj1)).status_code, 404)
            self.assertTrue(self.model._default_manager.filter(pk=self.obj1.pk).exists())

        def test_delete_object_with_read_only_grant_is_forbidden(self) -> None:
            self.login(self.p.inspector)
            self.assertEqual(self.client.delete(self.detail_url(self.obj1)).status_code, 403)
            self.assertTrue(self.model._default_manager.filter(pk=self.obj1.pk).exists())

        def test_delete_object_with_manager_grant(self) -> None:
            self.login(self.p.branch1_manager)
            response = self.client.delete(
                self.detail_url(self.obj1), {"changelog_message": CHANGELOG_MESSAGE}, format="json"
            )
            self.assertEqual(response.status_code, 204, getattr(response, "data", None))
            self.assertFalse(self.model._default_manager.filter(pk=self.obj1.pk).exists())
            self.assert_logged(self.obj1.pk, "delete")

    class ReadOnlyAPIViewTestCase(GetObjectViewTestCase, ListObjectsViewTestCase):
        """List and detail only (the change log)."""

    class APIViewTestCase(
        GetObjectViewTestCase, ListObjectsViewTestCase, CreateObjectViewTestCase, UpdateObjectViewTestCase,
        DeleteObjectViewTestCase,
    ):
        """Every verb of a full endpoint."""


__all__ = ["CHANGELOG_MESSAGE", "APITestCase", "APIViewTestCases"]
