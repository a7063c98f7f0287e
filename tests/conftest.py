import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from tests.factories import UserFactory
from tests.stripe_double.fixtures import stripe_double, stripe_double_server  # noqa: F401


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
