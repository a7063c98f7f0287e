"""Schemathesis against the live schema: every operation in /api/schema/, anonymous and with a
trainee's and a trainer's Bearer token, with all its checks on.

The operations come from the schema the app serves, so an endpoint added anywhere is checked
as soon as it is routed. Requests go through the WSGI application in this process (the
test database, no server). Rate limits are off: the run sends many writes a minute.

Positive data (requests the schema calls valid) may be refused only as the schema says a
valid request can be: 401/403/404/409/429, or 422 for a rule the schema cannot express
(a relation between two parameters, a start that is not a session, a recurrence rule the
schedule engine refuses). 400 means the request does not match the schema.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.config._checks import _BUILTIN_CHECK_CONFIGS
from schemathesis.specs.openapi.checks import positive_data_acceptance

from marketplace import services
from tests.factories import (
    CategoryFactory,
    OfferingFactory,
    TrainerProfileFactory,
    UserFactory,
    coming_schedule,
)

pytestmark = pytest.mark.django_db

MAX_EXAMPLES = 8


# Loaded from the app at collection: one test per operation and credentials.
schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
# A rule the schema cannot express (south <= north, an occurrence's start) is 422, which
# a schema-valid request may get like 404 or 409; 400 is for requests the schema refuses.
schema.config.checks.positive_data_acceptance.expected_statuses = [
    "2xx",
    "3xx",
    "401",
    "403",
    "404",
    "409",
    "422",
    "429",
]


@pytest.fixture(autouse=True)
def _connection_kept_across_requests():
    """The WSGI application closes the database connection when a request ends, which would
    end the test's transaction on PostgreSQL; Django's test client keeps it the same way."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def people(db, settings):
    """A published trainer with a bookable offering, and a trainee; tokens for both. Rate
    limits are off for the run."""
    settings.API_WRITES_PER_MINUTE = 0
    settings.UPLOADS_PER_HOUR = 0
    settings.GEOCODER_REQUESTS_PER_MINUTE = 0
    category = CategoryFactory(slug="yoga")
    trainer = TrainerProfileFactory(slug="anna")
    trainer.categories.add(category)
    offering = OfferingFactory(trainer=trainer)
    coming_schedule(offering)
    trainee = UserFactory()
    _token, trainee_token = services.api_token_issue(user=trainee)
    _token, trainer_token = services.api_token_issue(user=trainer.user)
    return {
        "anonymous": {},
        "trainee": {"Authorization": f"Bearer {trainee_token}"},
        "trainer": {"Authorization": f"Bearer {trainer_token}"},
    }


BOUNDED = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    database=None,
)


# Only Stripe can send a request the webhook accepts: its signature is an HMAC with our
# secret, which no schema can describe, and a wrong one is 400 INVALID_SIGNATURE (the webhook
# rules). Every other check still runs on it; its signed bodies have tests of their own.
SIGNED_BY_STRIPE = {"POST /api/stripe/webhook"}


def _call_and_validate(case, headers):
    """The response, once every check passed: call_and_validate raises on any finding (an
    undeclared status, a body off its schema, a server error, ...)."""
    excluded = [positive_data_acceptance] if case.operation.label in SIGNED_BY_STRIPE else []
    return case.call_and_validate(headers=headers, excluded_checks=excluded)


@schema.parametrize()
@BOUNDED
def test_api_conforms_to_its_schema_anonymously(case, people):
    response = _call_and_validate(case, people["anonymous"])

    assert response.status_code < 500, response.text


@schema.parametrize()
@BOUNDED
def test_api_conforms_to_its_schema_for_a_trainee(case, people):
    response = _call_and_validate(case, people["trainee"])

    assert response.status_code < 500, response.text


@schema.parametrize()
@BOUNDED
def test_api_conforms_to_its_schema_for_a_trainer(case, people):
    response = _call_and_validate(case, people["trainer"])

    assert response.status_code < 500, response.text


def test_every_check_is_on():
    """Among them not_a_server_error, status_code_conformance, content_type_conformance,
    response_schema_conformance, positive_data_acceptance and negative_data_rejection."""
    checks = schema.config.checks

    assert {
        name: checks.get_by_name(name=name).enabled for name in _BUILTIN_CHECK_CONFIGS
    } == dict.fromkeys(_BUILTIN_CHECK_CONFIGS, True)
    assert len(list(schema.get_all_operations())) >= 25  # the live schema was read
