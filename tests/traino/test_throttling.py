"""API writes are limited per token, per session, or per IP without either (API_WRITES_PER_MINUTE):
past the limit 429 TOO_MANY_REQUESTS with Retry-After; reads are never limited here."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from marketplace import services
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

TOO_MANY = {
    "en": "Too many requests. Slow down.",
    "sv": "För många anrop. Vänta en stund.",
}


@pytest.fixture(autouse=True)
def three_writes_a_minute(settings):
    settings.API_WRITES_PER_MINUTE = 3


def token_client(user) -> APIClient:
    _token, raw = services.api_token_issue(user=user)
    return APIClient(HTTP_AUTHORIZATION=f"Bearer {raw}")


def write(client, lang: str = "en"):
    """An unsafe request that changes nothing: an upload to a folder that does not exist."""
    return client.post(
        "/api/uploads", {"folder": "nowhere"}, format="json", HTTP_ACCEPT_LANGUAGE=lang
    )


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_the_write_past_the_limit_is_429_with_retry_after(lang):
    client = token_client(UserFactory())

    statuses = [write(client).status_code for _ in range(3)]
    refused = write(client, lang=lang)

    assert statuses == [400, 400, 400]
    assert refused.status_code == 429
    assert refused["Content-Type"] == "application/json"
    assert refused.json() == {
        "error": {"code": "TOO_MANY_REQUESTS", "message": TOO_MANY[lang], "fields": {}}
    }
    assert 1 <= int(refused["Retry-After"]) <= 60


def test_reads_are_not_counted_nor_refused():
    client = token_client(UserFactory())
    for _ in range(3):
        write(client)

    reads = [client.get("/api/me").status_code for _ in range(5)]

    assert reads == [200] * 5
    assert write(client).status_code == 429


def test_each_token_has_its_own_count():
    user = UserFactory()
    laptop, phone = token_client(user), token_client(user)
    for _ in range(3):
        write(laptop)

    assert write(laptop).status_code == 429
    assert write(phone).status_code == 400


def test_a_browser_session_is_counted_on_its_own():
    user = UserFactory()
    browser = Client()
    browser.force_login(user)
    for _ in range(3):
        assert write(token_client(user)).status_code == 400  # three tokens, one write each

    statuses = [
        browser.post("/api/uploads", {"folder": "nowhere"}, content_type="application/json")
        for _ in range(4)
    ]

    assert [response.status_code for response in statuses] == [400, 400, 400, 429]
    assert statuses[-1].json()["error"]["code"] == "TOO_MANY_REQUESTS"


def test_anonymous_writes_are_counted_per_ip():
    user = UserFactory()
    api = APIClient()

    def issue(ip):
        return api.post(
            "/api/auth/token",
            {"email": user.email, "password": DEFAULT_PASSWORD},
            format="json",
            REMOTE_ADDR=ip,
        ).status_code

    assert [issue("10.0.0.1") for _ in range(4)] == [201, 201, 201, 429]
    assert issue("10.0.0.2") == 201


def test_zero_means_no_write_limit(settings):
    settings.API_WRITES_PER_MINUTE = 0
    client = token_client(UserFactory())

    assert {write(client).status_code for _ in range(6)} == {400}
