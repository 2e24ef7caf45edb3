"""Error pages are the site's own, in the user's language, and never need the failed request to render."""

from __future__ import annotations

from django.test import RequestFactory
from django.views.defaults import server_error

from core.testing.views import PersonaTestCase


class ErrorPageTest(PersonaTestCase):
    def test_a_missing_page_is_a_404_page_with_the_navigation(self) -> None:
        self.client.force_login(self.p.branch1_manager)
        response = self.client.get("/no-such-page/")
        self.assertContains(response, "找不到页面", status_code=404)
        self.assertContains(response, "cx-navbar", status_code=404)
        english = self.client.get("/no-such-page/", headers={"accept-language": "en"})
        self.assertContains(english, "Page not found", status_code=404)

    def test_a_denied_action_says_why(self) -> None:
        self.client.force_login(self.p.inspector)
        response = self.client.get(f"/members/{self.p.member.pk}/edit/")
        self.assertContains(response, "没有权限", status_code=403)
        self.assertContains(response, "您只有查看权限", status_code=403)

    def test_the_server_error_page_renders_without_the_request(self) -> None:
        response = server_error(RequestFactory().get("/"))
        self.assertEqual(response.status_code, 500)
        self.assertIn("系统出错", response.content.decode())


class MenuTest(PersonaTestCase):
    def test_a_plain_member_is_not_offered_the_managers_pages(self) -> None:
        manager_pages = ["/members/", "/grants/", "/learning/questions/", "/essays/requests/", "/transfers/"]
        self.client.force_login(self.p.branch1_manager)
        page = self.client.get("/essays/mine/").content.decode()
        self.assertTrue(all(f'href="{url}"' in page for url in manager_pages))
        self.client.force_login(self.p.member_user)
        page = self.client.get("/essays/mine/").content.decode()
        self.assertEqual([url for url in manager_pages if f'href="{url}"' in page], [])
        self.assertIn('href="/essays/mine/"', page)
        self.assertIn('href="/learning/exams/"', page)
