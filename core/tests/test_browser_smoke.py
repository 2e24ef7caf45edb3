"""Smoke tests of the browser set-up: Chromium starts, the live server serves pages and static files,
the UI speaks Chinese, and a user can log in through the form."""

from __future__ import annotations

import pytest

from core.testing.browser import loaded_stylesheets, login

pytestmark = pytest.mark.browser

PASSWORD = "correct-horse-battery-9"


def test_login_page_is_chinese_and_styled_by_local_bootstrap(page, live_server):
    page.goto(f"{live_server.url}/login/")

    assert "登录" in page.title()
    form = page.locator("form", has=page.locator("#id_password"))
    assert form.locator("[type=submit]").inner_text().strip() == "登录"
    assert any(
        href.startswith(live_server.url) and href.endswith("bootstrap.min.css") for href in loaded_stylesheets(page)
    )
    # Bootstrap's .form-control rule applied: the input fills its column.
    assert page.locator("#id_username").evaluate("el => getComputedStyle(el).width") != "auto"
    assert page.locator("#id_username").evaluate("el => getComputedStyle(el).display") == "block"


def test_superuser_logs_in_through_the_form(page, live_server, django_user_model, tmp_path):
    django_user_model.objects.create_superuser("admin", "admin@example.org", PASSWORD)

    login(page, live_server, "admin", PASSWORD)

    assert page.url.startswith(live_server.url)
    assert "/login/" not in page.url
    assert page.locator("nav").get_by_text("admin").count() >= 1
    shot = tmp_path / "after-login.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 1000


def test_wrong_password_stays_on_login_page(page, live_server, django_user_model):
    django_user_model.objects.create_user("member", password=PASSWORD)

    with pytest.raises(AssertionError, match="login as 'member' failed"):
        login(page, live_server, "member", "wrong-password")

    assert "/login/" in page.url


def test_login_form_fits_a_phone(phone_page, live_server):
    phone_page.goto(f"{live_server.url}/login/")

    for field in ("#id_username", "#id_password"):
        box = phone_page.locator(field).bounding_box()
        assert box is not None
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= 390


def test_login_page_does_not_scroll_sideways_on_a_phone(phone_page, live_server):
    phone_page.goto(f"{live_server.url}/login/")

    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
