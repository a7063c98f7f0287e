"""The site's Content-Security-Policy in a real browser: the harness catches violations, and
the pages built on third-party code (Django admin, Swagger UI) work under the policy."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import assert_no_csp_violations
from tests.factories import (
    DEFAULT_PASSWORD,
    CategoryFactory,
    TrainerProfileFactory,
    UserFactory,
)

INJECTED = (
    '<script>document.title = "inline script ran";</script>'
    '<button id="injected" onclick="document.title = \'handler ran\'">injected</button>'
    '<p id="styled" style="color: rgb(255, 0, 0)">styled</p>'
)


@pytest.mark.browser
def test_the_page_fixture_fails_a_test_that_meets_a_violation(page, live_server):
    # given the log-in page as the site serves it (its real CSP header), with an inline
    # script, an inline event handler and a style attribute slipped into its body
    def inject(route):
        response = route.fetch()
        body = response.text().replace("</main>", f"{INJECTED}</main>")
        route.fulfill(response=response, body=body)

    page.route("**/accounts/login/", inject)

    # when the browser shows it and the injected button is clicked
    page.goto("/accounts/login/")
    page.locator("#injected").click()

    # then none of the three ran or applied
    assert page.title() != "inline script ran"
    assert page.title() != "handler ran"
    color = page.locator("#styled").evaluate("element => getComputedStyle(element).color")
    assert color != "rgb(255, 0, 0)"

    # and the fixture's check fails, naming each directive that was violated
    with pytest.raises(pytest.fail.Exception) as failure:
        assert_no_csp_violations(page)
    message = str(failure.value)
    assert "script-src-elem blocked inline" in message
    assert "script-src-attr blocked inline" in message
    assert "style-src-attr blocked inline" in message
    assert "console: " in message  # Chromium's own "Refused to ..." line is caught as well

    # (cleared, so that this test itself passes the check at teardown)
    page.csp_violations.clear()


@pytest.mark.browser
def test_the_admin_works_under_the_policy(page, live_server):
    # given a staff member and a few categories
    staff = UserFactory(is_staff=True, is_superuser=True)
    for slug, name in (("boxing", "Boxing"), ("yoga", "Yoga")):
        CategoryFactory(slug=slug, name_en=name, name_sv=name)

    # when they log in to the admin through its form
    page.goto("/admin/")
    page.get_by_label("Email").fill(staff.email)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()

    # and use the change list's script: "select all" ticks every row and counts them
    page.goto("/admin/marketplace/category/")
    page.locator("#action-toggle").check()
    expect(page.locator(".action-counter")).to_contain_text("2 of 2 selected")

    # and type a name on the add form, whose script fills in the slug from it
    page.goto("/admin/marketplace/category/add/")
    page.locator("#id_name_en").press_sequentially("Kettlebell Flow")
    expect(page.locator("#id_slug")).to_have_value("kettlebell-flow")

    # then the admin's scripts ran and the page met no violation (the fixture checks too)
    assert page.csp_violations == []


@pytest.mark.browser
def test_swagger_ui_works_under_the_policy(page, live_server):
    # when anyone opens the API documentation
    page.goto("/api/docs/")

    # then Swagger UI renders the schema: the start-up script ran and fetched it
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Traino API")
    operation = page.locator(".opblock-summary", has_text="/api/trainers").first
    expect(operation).to_be_visible()

    # and an operation opens when clicked
    operation.click()
    expect(page.locator(".opblock-body").first).to_be_visible()
    assert page.csp_violations == []


@pytest.mark.browser
def test_a_public_trainer_page_with_map_and_calendar_meets_no_violation(page, live_server):
    # given a published trainer with a location (map) and a calendar
    profile = TrainerProfileFactory(display_name="Anna Lindqvist", slug="anna-lindqvist")
    page.route("https://tile.openstreetmap.org/**", lambda route: route.abort())

    # when a visitor opens their page
    page.goto(f"/trainers/{profile.slug}/")

    # then the map and the calendar drew themselves (their scripts and styles were allowed)
    expect(page.locator(".leaflet-container")).to_be_visible()
    expect(page.locator(".fc")).to_be_visible()
    assert page.csp_violations == []
