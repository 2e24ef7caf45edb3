"""Study on a phone in a real browser: a member signs in at an activity and sits an exam."""

from __future__ import annotations

from typing import Any

import pytest

from core.testing.browser import login
from core.testing.personas import build_personas
from learning.models import Attempt, Attendance
from learning.tests.helpers import new_activity, new_exam, new_question, open_now

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "browser-pass-123"


@pytest.fixture
def personas(db):
    return build_personas(password=PASSWORD)


def test_a_member_signs_in_and_sits_an_exam_on_a_phone(phone_page, live_server, personas, tmp_path):
    activity = open_now(new_activity(personas, personas.branch1, 1, sign_in_code="2468"))
    for n in range(4):
        new_question(personas, personas.committee, n)
    exam = new_exam(personas, personas.branch1)
    page = phone_page
    login(page, live_server, "member", PASSWORD)

    page.goto(f"{live_server.url}{activity.get_absolute_url()}")
    page.get_by_role("link", name="签到").click()
    page.fill("#id_code", "1111")
    page.get_by_role("button", name="确认签到").click()
    assert "签到码不正确" in page.locator(".alert-danger").inner_text()
    page.fill("#id_code", "2468")
    page.get_by_role("button", name="确认签到").click()
    page.wait_for_url(f"**{activity.get_absolute_url()}")
    assert "我的出勤" in page.locator(".alert-info").inner_text()
    assert Attendance.objects.filter(activity=activity, member=personas.member).exists()

    page.goto(f"{live_server.url}{exam.get_absolute_url()}")
    page.get_by_role("button", name="开始答题").click()
    page.wait_for_url("**/take/")
    attempt = Attempt.objects.get(member=personas.member)
    assert page.locator("fieldset").count() == len(attempt.questions)
    page.locator("fieldset").first.locator("input").first.check()
    page.screenshot(path=str(tmp_path / "paper.png"), full_page=True)
    asked: list[str] = []

    def answer(dialog: Any) -> None:
        asked.append(dialog.message)
        dialog.dismiss() if len(asked) == 1 else dialog.accept()

    page.on("dialog", answer)
    page.get_by_role("button", name="交卷").click()  # declined: the paper stays open
    assert asked == [f"还有 {len(attempt.questions) - 1} 题未作答。交卷后不能再修改，确定交卷吗？"]
    assert page.url.endswith("/take/")
    page.get_by_role("button", name="交卷").click()
    page.wait_for_url(f"**{attempt.get_absolute_url()}")
    attempt.refresh_from_db()
    assert page.locator("#score").inner_text() == str(attempt.score)  # a score of 0 shows as 0.0, not a dash
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"page is {width}px wide on a 390px phone"
