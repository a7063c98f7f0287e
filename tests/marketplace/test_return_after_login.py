"""Log-in and sign-up return you to the page you were on (?next=), and only to this site."""

import re
from datetime import timedelta
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from bookings.models import Schedule
from marketplace.models import Role
from marketplace.queries import user_get_by_email
from tests.factories import DEFAULT_PASSWORD, OfferingFactory, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "plum-tractor-violin-42"
UNSAFE = ["https://evil.example/", "//evil.example/path", "javascript:alert(1)", "http:///evil"]


def link(body: str, test_id: str) -> str:
    found = re.search(rf'<a [^>]*href="([^"]*)"[^>]*data-testid="{test_id}"', body)
    assert found, f"no link {test_id}"
    return unescape(found.group(1))


def test_the_nav_links_carry_the_page_they_are_on(client):
    trainer = OfferingFactory().trainer

    body = client.get(f"/trainers/{trainer.slug}/?tab=x").content.decode()

    assert (
        link(body, "nav-login")
        == f"/accounts/login/?next=%2Ftrainers%2F{trainer.slug}%2F%3Ftab%3Dx"
    )
    assert (
        link(body, "nav-signup")
        == f"/accounts/signup/?next=%2Ftrainers%2F{trainer.slug}%2F%3Ftab%3Dx"
    )


def test_the_slot_page_asks_a_visitor_to_log_in_and_come_back(client):
    offering = OfferingFactory()
    schedule = Schedule.objects.create(
        trainer=offering.trainer,
        offering=offering,
        starts_on=timezone.localdate() + timedelta(days=3),
        start_time="07:00",
        time_zone="UTC",
        rrule="FREQ=DAILY;COUNT=1",
    )
    start = (timezone.localdate() + timedelta(days=3)).strftime("%Y%m%dT070000Z")
    path = f"/book/{schedule.pk}/{start}/"

    body = client.get(path).content.decode()

    assert link(body, "slot-login-link") == f"/accounts/login/?next={path.replace('/', '%2F')}"


def test_a_logged_in_visitor_is_not_asked_to_log_in_on_the_slot_page(client):
    offering = OfferingFactory()
    schedule = Schedule.objects.create(
        trainer=offering.trainer,
        offering=offering,
        starts_on=timezone.localdate() + timedelta(days=3),
        start_time="07:00",
        time_zone="UTC",
        rrule="FREQ=DAILY;COUNT=1",
    )
    client.force_login(UserFactory())
    start = (timezone.localdate() + timedelta(days=3)).strftime("%Y%m%dT070000Z")

    body = client.get(f"/book/{schedule.pk}/{start}/").content.decode()

    assert 'data-testid="slot-title"' in body
    assert 'data-testid="slot-login"' not in body


def test_links_on_the_log_in_and_sign_up_pages_pass_the_next_on(client):
    login_body = client.get("/accounts/login/?next=/trainers/anna/").content.decode()
    signup_body = client.get("/accounts/signup/?next=/trainers/anna/").content.decode()

    assert link(login_body, "login-signup") == "/accounts/signup/?next=%2Ftrainers%2Fanna%2F"
    assert link(login_body, "nav-login") == "/accounts/login/?next=%2Ftrainers%2Fanna%2F"
    assert link(signup_body, "signup-login") == "/accounts/login/?next=%2Ftrainers%2Fanna%2F"
    assert '<input type="hidden" name="next" value="/trainers/anna/">' in signup_body


@pytest.mark.parametrize("unsafe", UNSAFE)
def test_links_on_the_account_pages_drop_a_next_to_another_site(client, unsafe):
    body = client.get("/accounts/login/", {"next": unsafe}).content.decode()

    assert link(body, "login-signup") == "/accounts/signup/"
    assert 'name="next" value=""' in body


def test_log_in_returns_to_the_next_page(client):
    user = UserFactory(email="tove@example.se")

    response = client.post(
        "/accounts/login/?next=/trainers/anna/",
        {"username": "tove@example.se", "password": DEFAULT_PASSWORD, "next": "/trainers/anna/"},
    )

    assert (response.status_code, response.url) == (302, "/trainers/anna/")
    assert client.session["_auth_user_id"] == str(user.pk)


@pytest.mark.parametrize("unsafe", UNSAFE)
def test_log_in_never_leaves_the_site(client, unsafe):
    UserFactory(email="tove@example.se")

    response = client.post(
        "/accounts/login/",
        {"username": "tove@example.se", "password": DEFAULT_PASSWORD, "next": unsafe},
    )

    assert (response.status_code, response.url) == (302, reverse("home"))


def signup_data(**overrides) -> dict:
    return {
        "email": "new.person@example.se",
        "name": "Nova Persson",
        "role": Role.TRAINEE,
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        **overrides,
    }


def test_a_trainee_sign_up_returns_to_the_next_page(client):
    response = client.post("/accounts/signup/", signup_data(next="/trainers/anna/"))

    assert (response.status_code, response.url) == (302, "/trainers/anna/")
    assert user_get_by_email("new.person@example.se") is not None


def test_a_next_in_the_query_string_is_kept_through_a_refused_sign_up(client):
    response = client.post(
        "/accounts/signup/?next=/trainers/anna/", signup_data(password2="something-else-42")
    )

    assert response.status_code == 200
    assert '<input type="hidden" name="next" value="/trainers/anna/">' in response.text


@pytest.mark.parametrize("unsafe", UNSAFE)
def test_sign_up_never_leaves_the_site(client, unsafe):
    response = client.post("/accounts/signup/", signup_data(next=unsafe))

    assert (response.status_code, response.url) == (302, reverse("home"))
