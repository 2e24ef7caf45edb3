from __future__ import annotations

import json

from django.core.exceptions import ValidationError
from django.test import SimpleTestCase

from core.api.viewsets import ScopedModelViewSet, drf_validation_error
from core.testing.views import PersonaTestCase
from orgs.models import Member


class ScopedModelViewSetTest(SimpleTestCase):
    def test_a_missing_service_removes_its_verbs(self) -> None:
        class ReadAndCreate(ScopedModelViewSet):
            queryset = Member.objects.all()
            update_service = None
            delete_service = None

        self.assertNotIn("patch", ReadAndCreate.http_method_names)
        self.assertNotIn("put", ReadAndCreate.http_method_names)
        self.assertNotIn("delete", ReadAndCreate.http_method_names)
        self.assertIn("post", ReadAndCreate.http_method_names)

    def test_services_are_called_as_plain_functions(self) -> None:
        def create(obj: object, *, acting_user: object, message: str) -> object:
            return obj

        class WithService(ScopedModelViewSet):
            queryset = Member.objects.all()
            create_service = create

        self.assertIs(WithService().service("create"), create)

    def test_model_errors_become_per_field_errors(self) -> None:
        error = drf_validation_error(ValidationError({"__all__": ["整体错误"], "phone": ["号码错误"]}))
        self.assertEqual(set(error.detail), {"non_field_errors", "phone"})  # type: ignore[arg-type]
        error = drf_validation_error(ValidationError("不能删除"))
        self.assertEqual(set(error.detail), {"non_field_errors"})  # type: ignore[arg-type]


class BrowsableApiPageTest(PersonaTestCase):
    def test_the_browsable_page_fits_a_phone_and_leads_back_to_the_site(self) -> None:
        self.client.force_login(self.p.branch1_manager)
        page = self.client.get("/api/members/", headers={"accept": "text/html"})
        self.assertContains(page, '<meta name="viewport"')
        self.assertContains(page, '<a class="navbar-brand" href="/">初心</a>')
        self.assertEqual(self.client.get("/api/members/").headers["content-type"], "application/json")


class ApiErrorBodyTest(PersonaTestCase):
    def test_a_record_out_of_reach_and_a_missing_one_answer_the_same_words(self) -> None:
        self.client.force_login(self.p.branch1_manager)
        sibling = self.client.get(f"/api/members/{self.p.branch2_members[0].pk}/", HTTP_ACCEPT="application/json")
        missing = self.client.get("/api/members/999999/", HTTP_ACCEPT="application/json")
        self.assertEqual((sibling.status_code, sibling.json()), (404, {"detail": "未找到。"}))
        self.assertEqual((missing.status_code, missing.json()), (404, sibling.json()))

    def test_an_unexpected_error_under_the_api_answers_in_json(self) -> None:
        from django.test import RequestFactory

        from core.api.exceptions import server_error

        api = server_error(RequestFactory().get("/api/members/"))
        self.assertEqual((api.status_code, api["Content-Type"]), (500, "application/json"))
        self.assertIn("服务器出错", json.loads(api.content)["detail"])
        page = server_error(RequestFactory().get("/members/"))
        self.assertEqual(page.status_code, 500)
        self.assertIn("系统出错", page.content.decode())


class ScopedChoicesTest(PersonaTestCase):
    def test_every_scoped_serializer_says_how_each_relation_is_scoped(self) -> None:
        from django.test import RequestFactory
        from django.urls import reverse

        from core.api.serializers import ScopedModelSerializer

        reverse("api-root")  # every app's API module is imported with the URLs
        request = RequestFactory().get("/api/")
        request.user = self.p.branch1_manager
        pending = list(ScopedModelSerializer.__subclasses__())
        seen = []
        while pending:
            serializer = pending.pop()
            pending.extend(serializer.__subclasses__())
            seen.append(serializer.__name__)
            with self.subTest(serializer=serializer.__name__):
                serializer(context={"request": request}).fields  # noqa: B018  (raises when a relation is unscoped)
        self.assertIn("ProblemSerializer", seen)

    def test_the_problem_form_offers_only_categories_and_answers_one_may_see(self) -> None:
        from campaigns.tests.helpers import new_campaign

        mine = new_campaign(self.p, self.p.branch1, name="本支部")
        theirs = new_campaign(self.p, self.p.branch2, name="兄弟支部")
        mine.categories.create(kind="goal", number=99, name="本支部目标")
        foreign = theirs.categories.create(kind="goal", number=99, name="兄弟支部内部目标")
        self.client.force_login(self.p.branch1_manager)
        page = self.client.get("/api/campaigns/problems/", HTTP_ACCEPT="text/html").content.decode()
        self.assertIn("本支部目标", page)
        self.assertNotIn("兄弟支部内部目标", page)
        body = {"org": self.p.branch1.pk, "title": "t", "description": "d", "source": "self",
                "found_on": "2026-11-01", "standard": "s", "measures": "m", "deadline": "2026-12-31",
                "category": foreign.pk}
        refused = self.client.post("/api/campaigns/problems/", body, content_type="application/json")
        missing = self.client.post("/api/campaigns/problems/", {**body, "category": 999999},
                                   content_type="application/json")
        self.assertEqual(refused.status_code, 400)
        self.assertEqual(refused.json()["category"], [m.replace("999999", str(foreign.pk))
                                                      for m in missing.json()["category"]])
