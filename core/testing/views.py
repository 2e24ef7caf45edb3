"""Generic page test suites: a model's view tests supply data and inherit the behaviour to check.

Each suite runs with the personas of ``core.testing.personas``: ``obj1`` lies in branch1's subtree and
``obj2`` in the sibling branch2's. Every page is checked anonymous (sent to log in), with an account
without grants and with the sibling branch's manager (404, exactly like a missing object; absent from
lists and exports), with the read-only inspector of branch1 (reads work, writes 403) and with branch1's
manager (everything works; each write leaves an ``ObjectChange`` carrying the form's change message).
"""

from __future__ import annotations

import io
from typing import Any, ClassVar

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.test import TestCase
from django.urls import NoReverseMatch, reverse
from python_calamine import CalamineWorkbook

from core.models import ObjectChange
from core.testing.personas import Personas, build_personas

CHANGELOG_MESSAGE = "页面测试变更说明"


class PersonaTestCase(TestCase):
    """A test class with the shared personas built once (``self.p``)."""

    p: ClassVar[Personas]

    @classmethod
    def setUpTestData(cls) -> None:
        cls.p = build_personas()


class ViewTestCases:
    """Holder, so that the runner does not collect the generic suites themselves."""

    class Base(TestCase):
        model: ClassVar[type[models.Model]]
        url_prefix: ClassVar[str]  # e.g. "orgs:member" → orgs:member_list, orgs:member_detail …
        p: ClassVar[Personas]
        obj1: ClassVar[Any]
        obj2: ClassVar[Any]

        @classmethod
        def setUpTestData(cls) -> None:
            cls.p = build_personas()
            cls.obj1 = cls.make_object(cls.p, cls.p.branch1, 1)
            cls.obj2 = cls.make_object(cls.p, cls.p.branch2, 2)

        @classmethod
        def make_object(cls, p: Personas, org: Any, n: int) -> Any:
            raise NotImplementedError

        def url(self, action: str, obj: Any = None, **query: Any) -> str:
            url = reverse(f"{self.url_prefix}_{action}", args=[obj.pk] if obj is not None else [])
            if query:
                url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
            return url

        def as_user(self, user: Any) -> None:
            self.client.logout()
            if user is not None:
                self.client.force_login(user)

        def changes_of(self, obj: Any, action: str) -> models.QuerySet[ObjectChange]:
            ct = ContentType.objects.get_for_model(self.model)
            return ObjectChange.objects.filter(content_type=ct, object_id=obj.pk, action=action)

    class DetailViewTestCase(Base):
        def test_anonymous_is_sent_to_log_in(self) -> None:
            response = self.client.get(self.url("detail", self.obj1))
            self.assertEqual(response.status_code, 302)
            self.assertIn(reverse("login"), response["Location"])

        def test_account_without_grant_gets_404(self) -> None:
            self.as_user(self.p.outsider)
            self.assertEqual(self.client.get(self.url("detail", self.obj1)).status_code, 404)

        def test_sibling_branch_manager_gets_404_like_a_missing_object(self) -> None:
            self.as_user(self.p.branch2_manager)
            self.assertEqual(self.client.get(self.url("detail", self.obj1)).status_code, 404)
            self.assertEqual(self.client.get(reverse(f"{self.url_prefix}_detail", args=[10**9])).status_code, 404)

        def test_inspector_and_manager_see_the_object(self) -> None:
            for user in (self.p.inspector, self.p.branch1_manager, self.p.committee_manager, self.p.admin):
                self.as_user(user)
                self.assertEqual(self.client.get(self.url("detail", self.obj1)).status_code, 200, user)

    class ListViewTestCase(Base):
        list_queries: ClassVar[int | None] = None

        def test_list_is_scoped_to_the_users_subtree(self) -> None:
            self.as_user(self.p.branch1_manager)
            response = self.client.get(self.url("list"))
            self.assertEqual(response.status_code, 200)
            self.assertContains(response, self.obj1.get_absolute_url())
            self.assertNotContains(response, self.obj2.get_absolute_url())

        def test_account_without_grant_gets_an_empty_list(self) -> None:
            self.as_user(self.p.outsider)
            response = self.client.get(self.url("list"))
            self.assertEqual(response.status_code, 200)
            self.assertNotContains(response, self.obj1.get_absolute_url())

        def test_filtering_by_a_sibling_organization_is_refused(self) -> None:
            self.as_user(self.p.branch1_manager)
            response = self.client.get(self.url("list", org=self.p.branch2.pk))
            self.assertIn("org", response.context["filterset"].errors)
            self.assertEqual(list(response.context["page"].object_list), [])
            self.assertNotContains(response, self.obj2.get_absolute_url())

        def test_export_holds_exactly_the_visible_rows(self) -> None:
            self.as_user(self.p.branch1_manager)
            for fmt in ("csv", "xlsx"):
                response = self.client.get(self.url("list", export=fmt))
                self.assertEqual(response.status_code, 200, fmt)
                content = b"".join(response.streaming_content) if response.streaming else response.content  # type: ignore[attr-defined]
                if fmt == "csv":
                    text = content.decode("utf-8-sig")
                else:
                    sheet = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0)
                    text = "\n".join(",".join(str(cell) for cell in row) for row in sheet.to_python())
                self.assertIn(self.export_marker(self.obj1), text, fmt)
                self.assertNotIn(self.export_marker(self.obj2), text, fmt)

        def export_marker(self, obj: Any) -> str:
            return str(obj)

        def test_list_query_count_is_pinned(self) -> None:
            if self.list_queries is None:
                self.skipTest("no pinned query count for this list")
            self.as_user(self.p.committee_manager)
            self.client.get(self.url("list"))  # warm caches (content types, sessions)
            with self.assertNumQueries(self.list_queries):
                self.client.get(self.url("list"))

    class EditViewTestCase(Base):
        def update_data(self) -> dict[str, Any]:
            raise NotImplementedError

        def form_data(self, obj: Any) -> dict[str, Any]:
            """The object's current values as the edit form posts them, with ``update_data`` applied."""
            response = self.client.get(self.url("edit", obj))
            form = response.context["form"]
            data = {}
            for name, field in form.fields.items():
                value = form.initial.get(name, field.initial)
                if value is None:
                    continue
                data[name] = value.pk if hasattr(value, "pk") else value
            data.update(self.update_data())
            return {k: v for k, v in data.items() if v is not False}

        def test_sibling_branch_manager_cannot_open_or_post_the_form(self) -> None:
            self.as_user(self.p.branch2_manager)
            self.assertEqual(self.client.get(self.url("edit", self.obj1)).status_code, 404)
            self.assertEqual(self.client.post(self.url("edit", self.obj1), {}).status_code, 404)

        def test_the_add_page_is_for_those_who_may_change_somewhere(self) -> None:
            try:
                url = self.url("add")
            except NoReverseMatch:
                self.skipTest(f"{self.url_prefix} has no add page")
            for user in (self.p.inspector, self.p.member_user, self.p.outsider):
                self.as_user(user)
                self.assertEqual(self.client.get(url).status_code, 403, user.username)
                self.assertEqual(self.client.post(url, {}).status_code, 403, user.username)
            self.as_user(self.p.branch1_manager)
            self.assertEqual(self.client.get(url).status_code, 200)

        def test_inspector_gets_403_on_edit(self) -> None:
            self.as_user(self.p.inspector)
            self.assertEqual(self.client.get(self.url("edit", self.obj1)).status_code, 403)
            self.assertEqual(self.client.post(self.url("edit", self.obj1), {}).status_code, 403)

        def test_manager_edits_and_the_change_is_logged_with_its_message(self) -> None:
            self.as_user(self.p.branch1_manager)
            data = self.form_data(self.obj1) | {"changelog_message": CHANGELOG_MESSAGE}
            response = self.client.post(self.url("edit", self.obj1), data)
            self.assertEqual(response.status_code, 302, getattr(response, "context", None) and
                             response.context["form"].errors)
            self.obj1.refresh_from_db()
            for name, value in self.update_data().items():
                self.assertEqual(str(getattr(self.obj1, name)), str(value))
            change = self.changes_of(self.obj1, "update").get()
            self.assertEqual(change.message, CHANGELOG_MESSAGE)
            self.assertEqual(change.user, self.p.branch1_manager)

    class DeleteViewTestCase(Base):
        def test_delete_is_404_for_the_sibling_and_403_for_the_inspector(self) -> None:
            self.as_user(self.p.branch2_manager)
            self.assertEqual(self.client.post(self.url("delete", self.obj1)).status_code, 404)
            self.as_user(self.p.inspector)
            self.assertEqual(self.client.get(self.url("delete", self.obj1)).status_code, 403)
            self.assertEqual(self.client.post(self.url("delete", self.obj1)).status_code, 403)
            self.assertTrue(self.model._default_manager.filter(pk=self.obj1.pk).exists())

        def test_manager_deletes_and_the_deletion_is_logged(self) -> None:
            victim = self.make_object(self.p, self.p.branch1, 3)
            self.as_user(self.p.branch1_manager)
            response = self.client.post(self.url("delete", victim), {"changelog_message": CHANGELOG_MESSAGE})
            self.assertEqual(response.status_code, 302)
            self.assertFalse(self.model._default_manager.filter(pk=victim.pk).exists())
            self.assertEqual(self.changes_of(victim, "delete").get().message, CHANGELOG_MESSAGE)

    class HistoryViewTestCase(Base):
        def test_history_is_404_for_the_sibling_and_shows_changes_to_the_manager(self) -> None:
            self.as_user(self.p.branch2_manager)
            self.assertEqual(self.client.get(self.url("history", self.obj1)).status_code, 404)
            self.as_user(self.p.branch1_manager)
            response = self.client.get(self.url("history", self.obj1))
            self.assertEqual(response.status_code, 200)
            shown = list(response.context["page"].object_list)
            created = self.changes_of(self.obj1, "create").get()
            self.assertIn(created, shown)
            self.assertFalse([c for c in shown if c.org_path and not c.org_path.startswith(self.p.branch1.path)])

    class PrimaryObjectViewTestCase(
        DetailViewTestCase, ListViewTestCase, EditViewTestCase, DeleteViewTestCase, HistoryViewTestCase
    ):
        pass
