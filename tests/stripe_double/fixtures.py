"""pytest fixtures of the Stripe double; tests/conftest.py imports them."""

import pytest
from stripe import _http_client

from .server import StripeDouble, serve

TEST_SECRET_KEY = "sk_test_double_0123456789"


@pytest.fixture(scope="session")
def stripe_double_server():
    with serve(StripeDouble()) as double:
        yield double


@pytest.fixture
def stripe_double(stripe_double_server, settings, monkeypatch) -> StripeDouble:
    """An empty double, with the gateway pointed at it (a test key: livemode false).

    The SDK's own retries stay on, with their back-off shortened so a test does not sleep.
    """
    double = stripe_double_server
    double.reset()
    settings.STRIPE_SECRET_KEY = TEST_SECRET_KEY
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_double"
    settings.STRIPE_API_BASE = double.url
    monkeypatch.setattr(_http_client.HTTPClient, "INITIAL_DELAY", 0.01)
    monkeypatch.setattr(_http_client.HTTPClient, "MAX_DELAY", 0.02)
    yield double
    double.reset()
