"""Accessibility checks in the browser tests: axe-core run on the page as it is shown.

``assert_accessible(page)`` fails the test on any WCAG 2.1 A/AA violation axe finds on the
page (rules tagged wcag2a, wcag2aa, wcag21a, wcag21aa), listing each rule with the elements
it failed on. A page joins the check with one line after it has settled:

    page.goto("/bookings/")
    expect(page.get_by_test_id("booking-list")).to_be_visible()
    assert_accessible(page)

axe-core is pinned in package.json (devDependencies) and vendored by scripts/vendor-static
into tests/e2e/vendor/axe-core/<version>/ with its licence, so CI needs neither npm nor the
network. It is handed to the page through Playwright's ``evaluate`` (DevTools), which the
page's Content-Security-Policy does not govern: nothing is added to the document and the
``page`` fixture's check for CSP violations keeps running on the very same page.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest

AXE_VERSION = json.loads(
    (Path(__file__).resolve().parents[2] / "package.json").read_text(encoding="utf-8")
)["devDependencies"]["axe-core"]
AXE_SCRIPT = Path(__file__).parent / "vendor" / "axe-core" / AXE_VERSION / "axe.min.js"

WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@cache
def axe_source() -> str:
    if not AXE_SCRIPT.exists():
        pytest.fail(f"{AXE_SCRIPT} is missing: run `npm ci && scripts/vendor-static`.")
    return AXE_SCRIPT.read_text(encoding="utf-8")


_RUN_AXE = """
async (tags) => {
  const results = await window.axe.run(document, {
    runOnly: { type: "tag", values: tags },
    resultTypes: ["violations"],
  });
  return results.violations.map((rule) => ({
    id: rule.id,
    impact: rule.impact,
    help: rule.help,
    nodes: rule.nodes.map((node) => ({
      target: node.target.join(" "),
      summary: (node.failureSummary || "").replace(/\\s+/g, " ").trim(),
    })),
  }));
}
"""


def axe_violations(page, *, tags: list[str] = WCAG_21_AA) -> list[dict]:
    """The page's violations of the rules with these tags, as plain dicts."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(axe_source())
    return page.evaluate(_RUN_AXE, tags)


def describe_violations(violations: list[dict]) -> str:
    lines = []
    for rule in violations:
        lines.append(f"{rule['id']} ({rule['impact']}): {rule['help']}")
        for node in rule["nodes"][:8]:
            lines.append(f"    {node['target']}: {node['summary'][:300]}")
        if len(rule["nodes"]) > 8:
            lines.append(f"    ... and {len(rule['nodes']) - 8} more")
    return "\n".join(lines)


def accessibility_report(page, *, label: str | None = None) -> str:
    """What axe found on the page as it is now, in words; "" when nothing."""
    violations = axe_violations(page)
    if not violations:
        return ""
    return f"{label or page.url}:\n{describe_violations(violations)}"


def assert_accessible(page, *, label: str | None = None) -> None:
    """Fail on any WCAG 2.1 AA violation axe finds on the page as it is now."""
    report = accessibility_report(page, label=label)
    if report:
        pytest.fail(
            f"axe-core {AXE_VERSION} found WCAG 2.1 AA violations on {report}", pytrace=False
        )
