"""Bad bodies are 400 (or 413), never 500 and never Django's debug page; an unknown /api/
path is 404 for every method.

Every operation with a JSON body in the schema is sent a deeply nested document, so an
endpoint added later is covered as soon as it is routed.
"""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from bookings import booking_services, recurrence
from marketplace import services
from payments.gateway.webhooks import sign
from tests.factories import OfferingFactory, TrainerProfileFactory, UserFactory, coming_schedule
from traino.parsers import MAX_JSON_DEPTH

pytestmark = pytest.mark.django_db

# Past the interpreter's recursion limit (json raises RecursionError), and just past ours.
RECURSION = "[" * 100_000 + "]" * 100_000
TOO_DEEP = json.dumps({"a": json.loads("[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH)})
NESTED_BODIES = {"recursion": RECURSION, "too-deep": TOO_DEEP}


def _error(response, status: int) -> dict:
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"] == "application/json"
    return response.json()["error"]


@pytest.fixture
def world(db):
    """A trainer with a schedule and a booking of a trainee; staff; a token for each."""
    trainer = TrainerProfileFactory()
    offering = OfferingFactory(trainer=trainer)
    schedule = coming_schedule(offering)
    trainee = UserFactory()
    start = recurrence.first_start(schedule)
    booking = booking_services.book_slot(
        trainee=trainee, schedule_id=schedule.pk, start=start, now=timezone.now()
    )
    staff = UserFactory(is_staff=True)
    tokens = {
        name: services.api_token_issue(user=user)[1]
        for name, user in {"trainee": trainee, "trainer": trainer.user, "staff": staff}.items()
    }
    ids = {"bookings": booking.pk, "schedules": schedule.pk, "trainers": trainer.pk}
    return {"tokens": tokens, "ids": ids}


def _json_operations():
    schema = Client().get("/api/schema/", HTTP_ACCEPT="application/json").json()
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                yield path, method


def _url(path: str, ids: dict) -> str:
    collection = path.split("/")[2]
    return path.replace("{id}", str(ids.get(collection, 1)))


@pytest.mark.parametrize("body", list(NESTED_BODIES), ids=list(NESTED_BODIES))
def test_deeply_nested_json_is_malformed_on_every_json_endpoint(world, body):
    """Each operation is asked by each person: some refuse before reading the body (401,
    403, 404), but none answers 500, and each reads it as MALFORMED_REQUEST for someone."""
    operations = list(_json_operations())
    assert len(operations) >= 10  # the schema was read
    unread = []
    for path, method in operations:
        if path == "/api/stripe/webhook":
            continue  # signed bodies only: the next test
        statuses = set()
        for token in world["tokens"].values():
            client = APIClient()
            response = getattr(client, method)(
                _url(path, world["ids"]),
                NESTED_BODIES[body],
                content_type="application/json",
                HTTP_AUTHORIZATION=f"Bearer {token}",
            )
            assert response.status_code < 500, (method, path, response.content[:300])
            if response.status_code == 400:
                assert response.json()["error"]["code"] == "MALFORMED_REQUEST", (method, path)
            statuses.add(response.status_code)
        if 400 not in statuses:
            unread.append((method, path, statuses))

    assert unread == []


@pytest.mark.parametrize("body", list(NESTED_BODIES), ids=list(NESTED_BODIES))
def test_the_token_endpoint_refuses_nested_json(api_client, body):
    response = api_client.post(
        "/api/auth/token", NESTED_BODIES[body], content_type="application/json"
    )

    assert _error(response, 400)["code"] == "MALFORMED_REQUEST"


@pytest.mark.parametrize("body", list(NESTED_BODIES), ids=list(NESTED_BODIES))
def test_a_signed_nested_webhook_body_is_not_an_event(client, body):
    payload = NESTED_BODIES[body].encode()

    response = client.post(
        "/api/stripe/webhook",
        payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=sign(payload),
    )

    assert _error(response, 400)["code"] == "INVALID_EVENT"


@pytest.mark.parametrize("body", list(NESTED_BODIES), ids=list(NESTED_BODIES))
def test_a_nested_base64_upload_is_malformed(api_client, user, body):
    api_client.force_authenticate(user)

    response = api_client.post("/api/uploads", NESTED_BODIES[body], content_type="application/json")

    assert _error(response, 400)["code"] == "MALFORMED_REQUEST"


# --- too large, too many fields: JSON with DEBUG on -------------------------------------------


@pytest.fixture
def debug_client(settings):
    settings.DEBUG = True
    return Client(raise_request_exception=False)


def test_a_json_body_over_the_memory_limit_is_413_in_json_with_debug(debug_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000
    body = json.dumps({"email": "a@example.se", "password": "x" * 2_000})

    response = debug_client.post("/api/auth/token", body, content_type="application/json")

    assert _error(response, 413)["code"] == "REQUEST_TOO_LARGE"
    assert b"<html" not in response.content.lower()


def test_a_raw_body_over_the_memory_limit_is_413_in_json_with_debug(debug_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000
    payload = json.dumps({"id": "evt_1", "data": "x" * 2_000}).encode()

    response = debug_client.post(
        "/api/stripe/webhook",
        payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=sign(payload),
    )

    assert _error(response, 413)["code"] == "REQUEST_TOO_LARGE"


def test_too_many_form_fields_are_400_in_json_with_debug(debug_client, settings, user):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    debug_client.force_login(user)
    fields = {f"field{n}": "x" for n in range(20)}

    response = debug_client.post("/api/uploads", {"folder": "profile", **fields})

    assert _error(response, 400)["code"] == "TOO_MANY_FIELDS"
    assert b"<html" not in response.content.lower()


def test_a_form_body_is_415_where_the_api_reads_json(debug_client):
    response = debug_client.post("/api/auth/token", {"email": "a@example.se"})

    assert _error(response, 415)["code"] == "UNSUPPORTED_MEDIA_TYPE"


# --- unknown paths ----------------------------------------------------------------------------

METHODS = ["get", "post", "put", "patch", "delete", "options", "head"]


@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize("method", METHODS)
def test_an_unknown_api_path_is_404_for_every_method(settings, user, method, debug):
    """Also for a browser session that sends no CSRF token: not 403 CSRF_FAILED."""
    settings.DEBUG = debug
    browser = APIClient(enforce_csrf_checks=True)
    browser.force_login(user)

    response = getattr(browser, method)("/api/no-such-endpoint", content_type="application/json")

    assert response.status_code == 404
    if method != "head":
        assert response.json()["error"]["code"] == "NOT_FOUND"


@pytest.mark.parametrize("method", METHODS)
def test_an_unknown_api_path_is_404_anonymously(client, method):
    response = getattr(client, method)("/api/bookings/1/no-such-action")

    assert response.status_code == 404


def test_too_many_query_parameters_are_400_in_json_with_debug(debug_client, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    query = "&".join(f"x{n}=1" for n in range(20))

    response = debug_client.get(f"/api/trainers?bbox=17.9,59.2,18.2,59.4&{query}")

    assert _error(response, 400)["code"] == "TOO_MANY_FIELDS"
