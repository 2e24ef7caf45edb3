"""Essays in a real browser: a member writes on a phone (the draft saves itself), submits, and the branch
secretary sees the copied passage highlighted beside its source and returns the essay."""

from __future__ import annotations

import pytest

from core.testing.browser import login
from core.testing.personas import build_personas
from essays.models import Essay, EssayVersion
from essays.tests.helpers import OWN, author, essay_text, new_request, write

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "browser-pass-123"


@pytest.fixture
def personas(db):
    return build_personas(password=PASSWORD)


def test_write_on_a_phone_then_review_on_a_desktop(phone_page, page, live_server, personas, tmp_path):
    request = new_request(personas, personas.committee, min_length=100)
    source = write(request, author(personas.branch1_members[1], "colleague"), essay_text(1))
    desk, page = page, phone_page
    login(page, live_server, "member", PASSWORD)
    page.goto(f"{live_server.url}{request.get_absolute_url()}")
    page.locator("#start-essay").click()
    page.wait_for_url("**/write/")
    page.fill("#id_title", "学习党章的体会")
    page.locator("#id_text").press_sequentially(OWN[0][:30])
    page.wait_for_function("document.getElementById('autosave').textContent.includes('自动保存')", timeout=15000)
    essay = Essay.objects.get(member=personas.member)
    assert essay.text == OWN[0][:30]
    assert int(page.locator("#letters").inner_text()) > 0
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the editor is {width}px wide on a 390px phone"
    page.fill("#id_text", OWN[0] + OWN[1] + OWN[2])  # the colleague's OWN[1] copied into the middle
    page.screenshot(path=str(tmp_path / "write.png"), full_page=True)
    page.locator("#submit-essay").click()
    page.wait_for_url(f"**{essay.get_absolute_url()}")
    version = EssayVersion.objects.get(essay=essay)
    assert version.check_status == "done" and version.originality is not None and version.originality < 80
    assert page.locator("#originality").inner_text() == f"{version.originality}%"

    login(desk, live_server, "branch1", PASSWORD)
    desk.goto(f"{live_server.url}{essay.get_absolute_url()}")
    assert desk.locator("#essay-text mark").count() >= 1
    card = desk.locator("#p0")
    assert source.member.name in card.inner_text()
    assert OWN[1][10:30] in card.locator(".bg-info-subtle").inner_text()
    desk.screenshot(path=str(tmp_path / "review.png"), full_page=True)
    desk.locator("#id_decision_1").check()
    desk.fill("#id_comment", "中间一段与他人雷同，请重写")
    desk.get_by_role("button", name="提交审阅").click()
    desk.wait_for_url(f"**{essay.get_absolute_url()}")
    essay.refresh_from_db()
    assert essay.status == "returned"


def test_reading_a_file_keeps_the_title_as_typed_and_asks_before_replacing_the_text(page, live_server, personas,
                                                                                    tmp_path):
    request = new_request(personas, personas.committee, min_length=100)
    login(page, live_server, "member", PASSWORD)
    page.goto(f"{live_server.url}{request.get_absolute_url()}")
    page.locator("#start-essay").click()
    page.wait_for_url("**/write/")
    page.fill("#id_title", "我的新标题")
    page.fill("#id_text", "已经写好的一段话。")
    upload = tmp_path / "心得.txt"
    upload.write_text(OWN[0], encoding="utf-8")
    page.set_input_files("#id_upload", str(upload))
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.locator("#upload-form button").click()
    page.wait_for_timeout(300)
    assert page.input_value("#id_text") == "已经写好的一段话。"  # "no": nothing sent, nothing replaced
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.locator("#upload-form button").click()
    assert page.input_value("#id_title") == "我的新标题"
    assert page.input_value("#id_text").startswith(OWN[0][:20])
