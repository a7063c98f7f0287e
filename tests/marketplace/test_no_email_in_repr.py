"""Admin history (django_admin_log) stores str(obj) in clear: it must never carry an email."""

import pytest
from django.contrib.admin.models import LogEntry

from marketplace.models import Role
from marketplace.services import api_token_issue
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(role=Role.STAFF, is_superuser=True))
    return client


def test_a_nameless_user_is_shown_by_a_short_uid_not_the_email():
    user = UserFactory(name="", email="secret.person@example.se")

    assert str(user) == f"user {str(user.uid)[:8]}"


def test_a_named_user_is_shown_by_name():
    user = UserFactory(name="Anna Lindqvist", email="anna@example.se")

    assert str(user) == "Anna Lindqvist"


def test_an_api_token_of_a_nameless_user_does_not_show_the_email():
    user = UserFactory(name="", email="secret.person@example.se")
    token, raw = api_token_issue(user=user)

    assert str(token) == f"{raw[:12]}… (user {str(user.uid)[:8]})"


def test_an_admin_change_of_a_nameless_user_logs_no_email(staff_client):
    user = UserFactory(name="", email="secret.person@example.se")

    response = staff_client.post(
        f"/admin/marketplace/user/{user.pk}/change/",
        {
            "email": "secret.person@example.se",
            "name": "",
            "role": Role.TRAINEE,
            "is_active": "on",
            "password": user.password,
            "phone": "0701234567",
            "personnummer": "",
            "api_tokens-TOTAL_FORMS": "0",
            "api_tokens-INITIAL_FORMS": "0",
            "api_tokens-MIN_NUM_FORMS": "0",
            "api_tokens-MAX_NUM_FORMS": "1000",
        },
    )

    assert response.status_code == 302
    entry = LogEntry.objects.get(object_id=str(user.pk))
    assert entry.object_repr == f"user {str(user.uid)[:8]}"
    assert "secret" not in entry.object_repr
    assert "secret" not in entry.change_message
