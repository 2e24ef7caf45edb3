"""Test set-up shared by every app: inline background tasks, throw-away media, browser fixtures.

pytest-django loads ``chuxin.settings`` before this file is imported, so test overrides are applied to
the settings object in ``pytest_configure`` rather than through the environment.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

import pytest

from core.testing.browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    DESKTOP,
    LOCALE,
    PHONE,
    TIMEOUT_MS,
    chromium_missing_reason,
    chromium_version,
)

_media_root: str | None = None


def pytest_configure(config: pytest.Config) -> None:
    global _media_root
    os.environ["CHUXIN_TASKS"] = "sync"
    from django.conf import settings

    if not settings.configured:
        return
    # Background tasks run inline, so a test sees their effects when the request returns.
    settings.CHUXIN_TASKS = "sync"
    # Tests log in hundreds of times; PBKDF2's deliberate slowness buys nothing here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Uploads and generated files go to a temporary folder, never into var/ of a developer's demo.
    _media_root = tempfile.mkdtemp(prefix="chuxin-test-media-")
    settings.MEDIA_ROOT = _media_root


def pytest_unconfigure(config: pytest.Config) -> None:
    if _media_root:
        shutil.rmtree(_media_root, ignore_errors=True)


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Each test starts in the default language. A request in English (the language switch, an
    Accept-Language header) leaves English active in the test process afterwards, as Django's locale
    middleware activates the request's language and nothing switches it back; the next test in the same
    worker would otherwise read English messages."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _originality_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Each test gets its own originality index folder: the index follows the database, which each test
    rolls back (ids are reused), so an index kept across tests would point at other tests' essays."""
    from django.conf import settings

    previous = getattr(settings, "CHUXIN_ORIGINALITY_DIR", None)
    settings.CHUXIN_ORIGINALITY_DIR = tmp_path_factory.mktemp("originality")
    yield
    settings.CHUXIN_ORIGINALITY_DIR = previous


def pytest_report_header(config: pytest.Config) -> str:
    reason = chromium_missing_reason()
    if reason:
        return f"browser tests: will be skipped: {reason}"
    return f"browser tests: {chromium_version()} ({CHROMIUM}), headless via Playwright"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    reason = chromium_missing_reason()
    if not reason:
        return
    skip = pytest.mark.skip(reason=f"browser test skipped: {reason}")
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(skip)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[Any]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    # Kept on the item so page fixtures can take a screenshot of a failed test.
    setattr(item, f"_report_{report.when}", report)
    return report


# --- browser tests -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless Debian Chromium, one per test session (never a browser downloaded by Playwright)."""
    reason = chromium_missing_reason()
    if reason:
        pytest.skip(reason)
    # Playwright's sync API keeps an asyncio loop running in this thread, and Django refuses ORM calls
    # from a thread with a running loop; tests here are plain synchronous code, so allow them.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def _new_page(browser: Any, request: pytest.FixtureRequest, viewport: dict[str, int]) -> Iterator[Any]:
    context = browser.new_context(viewport=viewport, locale=LOCALE, timezone_id="Asia/Shanghai")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    try:
        yield page
    finally:
        report = getattr(request.node, "_report_call", None)
        if report is not None and report.failed:
            out = Path(request.config.rootpath) / "test-results"
            out.mkdir(exist_ok=True)
            name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)[-150:]
            try:
                page.screenshot(path=str(out / f"{name}.png"), full_page=True)
                print(f"\nscreenshot of the failed page: {out / name}.png ({page.url})")
            except Exception as exc:  # a screenshot must not hide the real failure
                print(f"\nno screenshot of the failed page: {exc}")
        context.close()


@pytest.fixture
def page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A desktop page (1366×768, zh-CN) in a fresh browser context (no cookies shared between tests)."""
    yield from _new_page(browser, request, DESKTOP)


@pytest.fixture
def phone_page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A phone-sized page (390×844, zh-CN) in a fresh browser context."""
    yield from _new_page(browser, request, PHONE)
