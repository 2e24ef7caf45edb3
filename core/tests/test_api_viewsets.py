from __future__ import annotations

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
