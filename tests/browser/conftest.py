"""Chromium through Playwright against pytest-django's live server, for every browser test."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.db import connections

from tests.services import require_chromium

# Playwright's sync API runs an event loop in this thread; Django's ORM calls made
# by the test itself are still synchronous and safe here.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

ROOT = Path(__file__).resolve().parents[2]
# Where screenshots go: test-artifacts/ normally; `make screenshots` points this at
# docs/screenshots/ to refresh the README's pictures.
SCREENSHOTS = Path(os.environ.get("FOLLOWUP_SCREENSHOTS_DIR", ROOT / "test-artifacts/screenshots"))
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.path).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot under SCREENSHOTS and return its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture
def browser_context(live_server, transactional_db, settings):
    from playwright.sync_api import sync_playwright

    # The live server speaks plain HTTP: cookies must not require TLS here.
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    executable = require_chromium()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1200, "height": 1000})
        context.set_default_timeout(15_000)
        try:
            yield context
        finally:
            context.close()
            browser.close()
            # Inside Playwright's event loop Django keeps a separate connection for this
            # thread; close it, or it blocks dropping the PostgreSQL test database.
            connections.close_all()


@pytest.fixture
def page(browser_context):
    return browser_context.new_page()
