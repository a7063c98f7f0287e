"""API tokens in the Django admin: staff see and revoke them, nobody makes one there."""

import pytest

from marketplace import services
from marketplace.models import ApiToken, Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(role=Role.STAFF, is_superuser=True))
    return client


def test_staff_cannot_add_a_token_in_the_admin(staff_client):
    page = staff_client.get("/admin/marketplace/apitoken/add/")
    posted = staff_client.post("/admin/marketplace/apitoken/add/", {"name": "x"})

    assert page.status_code == 403
    assert posted.status_code == 403
    assert ApiToken.objects.count() == 0


def test_the_revoke_action_stops_the_selected_tokens(staff_client, api_client):
    owner = UserFactory()
    token, raw = services.api_token_issue(user=owner, name="laptop")
    kept, kept_raw = services.api_token_issue(user=owner, name="phone")

    response = staff_client.post(
        "/admin/marketplace/apitoken/",
        {"action": "revoke", "_selected_action": [token.pk]},
    )

    assert response.status_code == 302
    token.refresh_from_db()
    kept.refresh_from_db()
    assert token.revoked_at is not None
    assert kept.revoked_at is None
    revoked = api_client.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {raw}")
    still = api_client.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {kept_raw}")
    assert revoked.status_code == 401
    assert still.status_code == 200


def test_a_token_page_shows_no_hash_and_saves_nothing(staff_client):
    token, _raw = services.api_token_issue(user=UserFactory(), name="laptop")

    page = staff_client.get(f"/admin/marketplace/apitoken/{token.pk}/change/")

    assert page.status_code == 200
    assert token.key_hash not in page.content.decode()
