"""Browser-test harness: Playwright's sync API driving Debian's Chromium against live_server.

Use the ``page`` fixture (a fresh browser context per test, pointed at the live server) and
mark the test ``@pytest.mark.browser``. A failing test leaves a full-page screenshot in
test-artifacts/; ``screenshot(page, "name")`` takes one on purpose.

Every browser test also enforces the site's Content-Security-Policy: the ``page`` fixture
records each violation the browser reports (the ``securitypolicyviolation`` event and the
console's "Refused to ..." lines) in ``page.csp_violations`` and fails the test at teardown
when any was seen.
"""

import contextlib
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


# Runs in every document before its own scripts (Playwright injects it through DevTools, so
# the page's policy does not block it) and hands each violation to Python.
_REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__trainoCspViolation(
    `${event.effectiveDirective} blocked ${event.blockedURI || "(no URI)"}` +
    ` in ${event.sourceFile || event.documentURI}:${event.lineNumber}` +
    (event.sample ? ` (${event.sample})` : "")
  );
});
"""


def watch_csp_violations(context) -> list[str]:
    """Record every CSP violation reported by any page of the context (popups included)."""
    violations: list[str] = []
    context.expose_function("__trainoCspViolation", lambda text: violations.append(text))
    context.add_init_script(_REPORT_CSP_VIOLATIONS)

    def console(message):
        if "Content Security Policy" in message.text:
            violations.append(f"console: {message.text[:300]}")

    context.on("console", console)
    return violations


def assert_no_csp_violations(page) -> None:
    """Fail when the page reported a CSP violation; first let events already queued arrive."""
    from playwright.sync_api import Error as PlaywrightError

    if not page.is_closed():
        # A page that is navigating away has nothing queued.
        with contextlib.suppress(PlaywrightError):
            page.evaluate("() => new Promise((resolve) => setTimeout(resolve, 0))")
    if page.csp_violations:
        listing = "\n  ".join(page.csp_violations)
        pytest.fail(f"Content-Security-Policy violations:\n  {listing}", pytrace=False)


@pytest.fixture
def page(browser_context, request):
    violations = watch_csp_violations(browser_context)
    page = browser_context.new_page()
    page.csp_violations = violations
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        path = screenshot(page, f"FAILED-{request.node.nodeid}")
        print(f"\nScreenshot of the failure: {path}")
    try:
        assert_no_csp_violations(page)
    finally:
        page.close()
