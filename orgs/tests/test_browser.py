"""The member workflow in a real browser: a branch secretary edits a phone number; a sibling cannot look."""

from __future__ import annotations

import pytest

from core.testing.browser import login
from core.testing.personas import build_personas

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "browser-pass-123"


@pytest.fixture
def personas(db):
    return build_personas(password=PASSWORD)


def test_branch1_finds_a_member_changes_the_phone_and_sees_it_in_the_history(page, live_server, personas, tmp_path):
    member = personas.branch1_members[1]
    login(page, live_server, "branch1", PASSWORD)
    page.goto(f"{live_server.url}/members/")
    page.fill("#id_q", member.name)
    page.get_by_role("button", name="筛选").click()
    page.get_by_role("link", name=member.name).click()
    assert page.locator("h1").inner_text().startswith(member.name)
    page.get_by_role("link", name="编辑").click()
    page.fill("#id_phone", "13698765432")
    page.fill("#id_changelog_message", "本人更换手机号")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(f"**{member.get_absolute_url()}")
    assert "136****5432" in page.locator("#phone").inner_text()

    page.get_by_role("link", name="变更记录").first.click()
    history = page.locator(".cx-history")
    assert "本人更换手机号" in history.inner_text()
    assert "136****5432" in history.inner_text()
    page.screenshot(path=str(tmp_path / "history.png"), full_page=True)


def test_branch2_gets_404_at_a_branch1_members_address(page, live_server, personas):
    member = personas.branch1_members[1]
    login(page, live_server, "branch2", PASSWORD)
    response = page.goto(f"{live_server.url}{member.get_absolute_url()}")
    assert response is not None and response.status == 404
    response = page.goto(f"{live_server.url}/members/{member.pk}/history/")
    assert response is not None and response.status == 404


def test_the_member_page_works_on_a_phone(phone_page, live_server, personas):
    login(phone_page, live_server, "branch1", PASSWORD)
    phone_page.goto(f"{live_server.url}{personas.member.get_absolute_url()}")
    phone_page.get_by_role("button", name="显示完整").first.click()
    phone_page.wait_for_function(
        "id => document.querySelector('#id-number').innerText === id", arg=personas.member.id_number
    )
    phone_page.wait_for_selector("#reveal-id-number", state="detached")  # nothing left to reveal
    assert phone_page.locator("#reveal-phone").count() == 1
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"page is {width}px wide on a 390px phone"


def test_a_form_submitted_twice_in_quick_succession_is_sent_once(page, live_server, personas):
    """A double click: the second submit comes while the first request is on its way."""
    from core.models import ObjectChange

    member = personas.branch1_members[1]
    before = ObjectChange.objects.filter(content_type__model="member", object_id=member.pk).count()
    login(page, live_server, "branch1", PASSWORD)
    edit_url = f"{live_server.url}/members/{member.pk}/edit/"
    page.goto(edit_url)
    page.fill("#id_job", "出纳")
    posts: list[str] = []
    page.on("request", lambda request: posts.append(request.url) if request.method == "POST" else None)
    with page.expect_navigation(url=f"**{member.get_absolute_url()}"):
        page.evaluate("""() => {
            const button = document.querySelector("#id_job").form.querySelector("button[type=submit]");
            button.form.requestSubmit(button);
            setTimeout(() => button.form.requestSubmit(button), 30);
        }""")
    page.wait_for_timeout(300)  # time for a second request to leave, had the page sent one
    assert posts == [edit_url]
    alerts = page.locator(".alert").all_inner_texts()
    assert any("已保存" in text for text in alerts), alerts
    assert ObjectChange.objects.filter(content_type__model="member", object_id=member.pk).count() == before + 1


def test_a_list_sorts_on_a_phone(phone_page, live_server, personas):
    login(phone_page, live_server, "branch1", PASSWORD)
    phone_page.goto(f"{live_server.url}/members/?status=full")
    sort = phone_page.locator("#cx-phone-sort select")
    assert sort.is_visible()
    sort.select_option("-name")
    with phone_page.expect_navigation():
        phone_page.locator("#cx-phone-sort button").click()
    assert "sort=-name" in phone_page.url and "status=full" in phone_page.url
    names = phone_page.locator("td[data-label='姓名'] a").all_inner_texts()
    assert names == sorted(names, reverse=True) and len(names) >= 2, names
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"page is {width}px wide on a 390px phone"


def test_the_transfer_form_names_the_receiving_branch(page, live_server, personas):
    member = personas.branch1_members[1]
    login(page, live_server, "branch1", PASSWORD)
    page.goto(f"{live_server.url}/members/{member.pk}/transfer/")
    page.fill("#id_to_org", personas.branch2.code)
    page.wait_for_function("name => document.querySelector('#to-org-name').innerText.includes(name)",
                           arg=personas.branch2.name)


def test_the_menu_fits_a_desktop_window_in_both_languages(page, live_server, personas):
    from orgs.models import Organization

    # A long branch name, as real ones are, in the menu.
    Organization.objects.filter(pk=personas.branch1.pk).update(name="江城区人力资源和社会保障局机关第一党支部")
    login(page, live_server, "branch1", PASSWORD)
    page.goto(f"{live_server.url}/campaigns/problems/")
    for _language in ("zh", "en"):
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 1366, f"page is {width}px wide in a 1366px window"
        with page.expect_navigation():
            page.locator("form[action='/i18n/setlang/'] button").click()


def test_the_tree_unfolds_a_node_once_and_then_folds_and_unfolds_it(page, live_server, personas):
    login(page, live_server, "committee", PASSWORD)
    requests: list[str] = []
    failures = [1]  # the first load answers 500: the node must stay closed and be tried again

    def answer(route):
        requests.append(route.request.url)
        if failures:
            failures.pop()
            route.fulfill(status=500, body="error")
        else:
            route.continue_()

    page.route("**/tree/", answer)
    page.goto(f"{live_server.url}{personas.committee.get_absolute_url()}")
    toggle = page.locator(".cx-tree-toggle")
    assert toggle.count() == 1  # branch1, with its group; branch2 has nothing below it
    sub = page.locator(".cx-tree .cx-sub").first
    with page.expect_response("**/tree/"):
        toggle.click()
    page.wait_for_function("() => !document.querySelector('.cx-tree-toggle').classList.contains('htmx-request')")
    assert len(requests) == 1 and toggle.get_attribute("aria-expanded") == "false"
    toggle.click()
    page.wait_for_function("() => document.querySelector('.cx-tree .cx-sub').innerText.includes('第一党小组')")
    assert toggle.get_attribute("aria-expanded") == "true"
    assert toggle.get_attribute("aria-label") == f"收起{personas.branch1.name}"
    assert "名党员" in sub.inner_text()
    toggle.click()
    assert not sub.is_visible() and toggle.get_attribute("aria-expanded") == "false"
    toggle.click()
    assert sub.is_visible() and toggle.get_attribute("aria-label") == f"收起{personas.branch1.name}"
    assert len(requests) == 2, requests  # the failed load and the one that worked; folding asks nothing


def test_the_leadership_fits_a_phone_in_english(phone_page, live_server, personas):
    import datetime

    from orgs import services
    from orgs.choices import PositionTitle
    from orgs.models import Position

    for member, title in zip(personas.branch1_members[:3], (PositionTitle.SECRETARY, PositionTitle.DEPUTY_SECRETARY,
                                                            PositionTitle.DISCIPLINE), strict=True):
        services.add_position(Position(org=personas.branch1, member=member, title=title,
                                       term_start=datetime.date(2025, 1, 8)), acting_user=personas.admin)
    login(phone_page, live_server, "branch1", PASSWORD)
    phone_page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    phone_page.goto(f"{live_server.url}{personas.branch1.get_absolute_url()}")
    assert "Discipline" in phone_page.content()
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"page is {width}px wide on a 390px phone"
