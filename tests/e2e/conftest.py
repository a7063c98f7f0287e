"""Browser-test harness: Playwright's sync API driving Debian's Chromium against live_server.

Use the ``page`` fixture (a fresh browser context per test, pointed at the live server) and
mark the test ``@pytest.mark.browser``. A failing test leaves a full-page screenshot in
test-artifacts/; ``screenshot(page, "name")`` takes one on purpose.
"""

import os
import re
from pathlib import Path

import pytest

# Playwright's sync API runs an asyncio loop in this thread; Django would then refuse every
# ORM call from the test as "async unsafe", although the calls are plain synchronous ones.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path(os.environ.get("TRAINO_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
DEFAULT_TIMEOUT_MS = 10_000
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def screenshot(page, name: str, *, full_page: bool = True) -> Path:
    """Save a PNG of the page as test-artifacts/<name>.png and return its path."""
    ARTIFACTS.mkdir(exist_ok=True)
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_") or "page"
    path = ARTIFACTS / f"{safe}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the item, so the page fixture knows the test failed."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium package to run this.")
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    except Exception as exc:
        playwright.stop()
        pytest.skip(f"Chromium at {CHROMIUM} did not start: {exc}")
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture
def browser_context(browser, live_server, transactional_db):
    """A fresh profile per test (no cookies carried over), English, desktop-sized."""
    context = browser.new_context(base_url=live_server.url, locale="en-GB", viewport=DESKTOP)
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    yield context
    context.close()


@pytest.fixture
def page(browser_context, request):
    page = browser_context.new_page()
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        path = screenshot(page, f"FAILED-{request.node.nodeid}")
        print(f"\nScreenshot of the failure: {path}")
    page.close()
