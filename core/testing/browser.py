"""Helpers for browser tests: Playwright's sync API driving Debian's Chromium against ``live_server``.

The fixtures (``browser``, ``page``, ``phone_page``) live in the repository's ``conftest.py``; a browser
test is marked ``@pytest.mark.browser`` and takes ``live_server`` and one of the pages::

    pytestmark = pytest.mark.browser

    def test_secretary_sees_roster(page, live_server, secretary):
        login(page, live_server, secretary.username, PASSWORD)
        page.goto(f"{live_server.url}/orgs/…")
"""

from __future__ import annotations

import os
import shutil
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from playwright.sync_api import Page

CHROMIUM = os.environ.get("CHUXIN_CHROMIUM", "/usr/bin/chromium")
# Without the background-networking flags Chromium keeps trying to reach Google's hosts, which this
# kind of closed network refuses; --no-sandbox because tests run as root in CI.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
LOCALE = "zh-CN"
TIMEOUT_MS = 15_000


def chromium_missing_reason() -> str | None:
    """Why browser tests cannot run here, or ``None`` when they can."""
    if not os.access(CHROMIUM, os.X_OK):
        return f"{CHROMIUM} not found (install Debian's chromium and fonts-noto-cjk, or run `make test`)"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -r requirements/test.txt)"
    return None


def chromium_version() -> str:
    path = shutil.which(CHROMIUM) or CHROMIUM
    try:
        import subprocess

        out = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=20, check=False)
        return out.stdout.strip() or out.stderr.strip()
    except (OSError, subprocess.SubprocessError) as exc:
        return f"unknown ({exc})"


def login(page: Page, live_server: Any, username: str, password: str) -> None:
    """Log in through the /login/ form and wait until the browser has left the login page."""
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    form = page.locator("form", has=page.locator("#id_password"))
    with page.expect_navigation():
        form.locator("[type=submit]").click()
    if "/login/" in page.url:
        errors = page.locator(".alert-danger").all_inner_texts()
        raise AssertionError(f"login as {username!r} failed: still on {page.url}; page says {errors}")


def loaded_stylesheets(page: Page) -> list[str]:
    """URLs of the stylesheets that actually loaded (a stylesheet that failed to load has no rules)."""
    return page.evaluate(
        """() => Array.from(document.styleSheets)
                .filter(s => { try { return s.href && s.cssRules.length > 0; } catch (e) { return false; } })
                .map(s => s.href)"""
    )
