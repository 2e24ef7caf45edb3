"""Rectification in a real browser: a branch secretary on a phone reports progress with a photo and asks for
销号; the committee closes it on a desktop and the dashboard draws its charts."""

from __future__ import annotations

import pytest
from django.test import override_settings

from campaigns.models import Evidence, Problem
from campaigns.tests.helpers import PNG, new_campaign, new_problem
from core.testing.browser import login
from core.testing.personas import build_personas

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "browser-pass-123"


@pytest.fixture
def personas(db):
    return build_personas(password=PASSWORD)


@override_settings(MEDIA_ROOT="/tmp/chuxin-browser-media")
def test_progress_on_a_phone_then_close_out_on_a_desktop(phone_page, page, live_server, personas, tmp_path):
    campaign = new_campaign(personas, personas.committee)
    problem = new_problem(personas, personas.branch1, "会议记录不规范", campaign=campaign)
    photo = tmp_path / "记录本.png"
    photo.write_bytes(PNG)
    phone, desk = phone_page, page

    login(phone, live_server, "branch1", PASSWORD)
    phone.goto(f"{live_server.url}{problem.get_absolute_url()}")
    phone.fill("#id_text", "已补齐三次支委会记录")
    phone.set_input_files("#id_evidence", str(photo))
    phone.get_by_role("button", name="保存进展").click()
    phone.wait_for_url(f"**{problem.get_absolute_url()}")
    assert Evidence.objects.filter(update__problem=problem).count() == 1
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the problem page is {width}px wide on a 390px phone"
    phone.locator("#submit-close").click()
    phone.wait_for_url(f"**{problem.get_absolute_url()}")
    assert phone.locator("#problem-status").inner_text() == "待销号"
    assert phone.locator("#review-save").count() == 0  # a branch does not close its own problems
    phone.screenshot(path=str(tmp_path / "problem-phone.png"), full_page=True)

    login(desk, live_server, "committee", PASSWORD)
    desk.goto(f"{live_server.url}{problem.get_absolute_url()}")
    desk.get_by_label("同意销号").check()
    desk.locator("#review-save").click()
    desk.wait_for_url(f"**{problem.get_absolute_url()}")
    assert Problem.objects.get(pk=problem.pk).status == "closed"
    desk.goto(f"{live_server.url}/campaigns/orgs/{personas.committee.pk}/dashboard/?campaign={campaign.pk}")
    desk.wait_for_selector("#cx-chart-series svg")
    assert desk.locator("#by-child").inner_text().count("第一党支部") == 1
    desk.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)
    # The campaign page counts its figures after loading: one problem found, one closed.
    desk.goto(f"{live_server.url}{campaign.get_absolute_url()}")
    desk.wait_for_selector("#cx-campaign-figures .cx-figures")
    assert desk.locator("#cx-campaign-figures .fw-semibold").all_inner_texts()[:2] == ["1", "1"]
