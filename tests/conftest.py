import pytest
from django.core.cache import cache
from django.db import connection
from rest_framework.test import APIClient

from tests.factories import UserFactory
from tests.stripe_double.fixtures import stripe_double, stripe_double_server  # noqa: F401


def pytest_collection_modifyitems(config, items):
    """``@pytest.mark.postgres`` tests skip, with the reason printed, on any other database.

    ``@pytest.mark.postgres(reason="...")`` says what PostgreSQL does that the other does not.
    """
    if connection.vendor == "postgresql":
        return
    for item in items:
        marker = item.get_closest_marker("postgres")
        if marker is not None:
            why = marker.kwargs.get("reason", "set DATABASE_URL to a PostgreSQL database")
            reason = f"needs PostgreSQL ({why}); this run uses {connection.vendor}"
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache (Redis db 15 in CI, local memory elsewhere)."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def user(db):
    return UserFactory()
