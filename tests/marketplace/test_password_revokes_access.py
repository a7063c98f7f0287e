"""A new password ends everything the old one opened: every API token of the user is revoked
and every other browser session is logged out, whichever way the password changed (account
page, reset link, staff in the admin)."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from marketplace import services
from marketplace.models import ApiToken
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "plum-tractor-violin-42"


def token_for(user) -> str:
    _token, raw = services.api_token_issue(user=user, name="phone")
    return raw


def api_me_status(raw_token: str) -> int:
    return APIClient().get("/api/me", HTTP_AUTHORIZATION=f"Bearer {raw_token}").status_code


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    assert client.get(reverse("account")).status_code == 200
    return client


def is_logged_out(client: Client) -> bool:
    response = client.get(reverse("account"))
    return response.status_code == 302 and response.url.startswith(reverse("login"))


@pytest.fixture
def user_with_access():
    """A user with two API tokens and a browser session elsewhere (another device)."""
    user = UserFactory()
    tokens = [token_for(user), token_for(user)]
    assert [api_me_status(raw) for raw in tokens] == [200, 200]
    return user, tokens, logged_in(user)


def test_changing_the_password_on_the_account_page_revokes_tokens_and_other_sessions(
    user_with_access,
):
    user, tokens, other_device = user_with_access
    this_device = logged_in(user)

    # when the user changes their password on the account page
    response = this_device.post(
        reverse("password_change"),
        {
            "old_password": DEFAULT_PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )

    # then it is changed, and this browser stays logged in
    assert response.status_code == 302
    assert response.url == reverse("password_change_done")
    assert this_device.get(reverse("account")).status_code == 200
    # and every token is refused and marked revoked, and the other device is logged out
    assert [api_me_status(raw) for raw in tokens] == [401, 401]
    assert ApiToken.objects.filter(user=user, revoked_at__isnull=True).count() == 0
    assert is_logged_out(other_device)


def test_a_wrong_old_password_changes_nothing(user_with_access):
    user, tokens, other_device = user_with_access
    this_device = logged_in(user)

    response = this_device.post(
        reverse("password_change"),
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 200
    assert [api_me_status(raw) for raw in tokens] == [200, 200]
    assert not is_logged_out(other_device)


def test_resetting_the_password_by_the_emailed_link_revokes_tokens_and_sessions(
    user_with_access,
):
    user, tokens, other_device = user_with_access
    browser = Client()

    # when someone asks for a reset link and sets a new password with it
    browser.post(reverse("password_reset"), {"email": user.email})
    (message,) = mail.outbox
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/\S+/\S+/)", message.body)
    form_url = browser.get(link.group(1)).url
    response = browser.post(
        form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )

    # then the password is the new one, every token is refused, every session is logged out
    assert response.status_code == 302
    assert response.url == reverse("password_reset_complete")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert [api_me_status(raw) for raw in tokens] == [401, 401]
    assert is_logged_out(other_device)


@pytest.mark.parametrize(
    ("form", "usable_afterwards"),
    [
        ({"usable_password": "true", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}, True),
        ({"usable_password": "false", "unset-password": "1"}, False),
    ],
    ids=["new-password", "password-switched-off"],
)
def test_staff_setting_a_password_in_the_admin_revokes_tokens_and_sessions(
    user_with_access, form, usable_afterwards
):
    user, tokens, other_device = user_with_access
    staff = logged_in(UserFactory(is_staff=True, is_superuser=True))

    # when staff set a new password for the user (or switch password log-in off)
    response = staff.post(reverse("admin:auth_user_password_change", args=[user.pk]), form)

    # then it is done, the user's tokens are refused and their session is logged out
    assert response.status_code == 302
    assert response.url == reverse("admin:marketplace_user_change", args=[user.pk])
    user.refresh_from_db()
    assert user.has_usable_password() is usable_afterwards
    assert user.check_password(NEW_PASSWORD) is usable_afterwards
    assert [api_me_status(raw) for raw in tokens] == [401, 401]
    assert is_logged_out(other_device)
    # and staff's own session goes on
    assert staff.get(reverse("admin:index")).status_code == 200


def test_the_service_revokes_only_that_users_tokens():
    user, someone_else = UserFactory(), UserFactory()
    mine, theirs = token_for(user), token_for(someone_else)

    services.user_password_set(user=user, password=NEW_PASSWORD)

    assert api_me_status(mine) == 401
    assert api_me_status(theirs) == 200
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_a_token_issued_after_the_change_works(user_with_access):
    user, _tokens, _other_device = user_with_access
    services.user_password_set(user=user, password=NEW_PASSWORD)

    response = APIClient().post(
        "/api/auth/token", {"email": user.email, "password": NEW_PASSWORD}, format="json"
    )

    assert response.status_code == 201
    assert api_me_status(response.json()["token"]) == 200
