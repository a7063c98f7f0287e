"""Failed log-ins lock out one account from one IP (django-axes: 5 failures, 15 minutes)."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.db import connection
from django.test import Client
from django.utils import timezone

from marketplace import crypto
from marketplace.models import ApiToken
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOCKED = {
    "en": "Too many failed log-ins. Try again in 15 minutes.",
    "sv": "För många misslyckade inloggningar. Försök igen om 15 minuter.",
}


def _token(api_client, email, password, ip="10.0.0.1", lang="en"):
    return api_client.post(
        "/api/auth/token",
        {"email": email, "password": password},
        format="json",
        REMOTE_ADDR=ip,
        HTTP_ACCEPT_LANGUAGE=lang,
    )


def _fail_five_times(api_client, email, ip="10.0.0.1"):
    return [_token(api_client, email, "wrong-password", ip).status_code for _ in range(5)]


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_sixth_attempt_after_five_failures_is_429_even_with_the_right_password(
    api_client, user, lang
):
    # given five failed log-ins for one account from one IP; the fifth locks it
    statuses = _fail_five_times(api_client, user.email)
    assert statuses == [401, 401, 401, 401, 429]

    # when the right password comes next, from the same IP
    response = _token(api_client, user.email, DEFAULT_PASSWORD, lang=lang)

    # then it is refused with the lockout error, and no token exists
    assert response.status_code == 429
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "error": {"code": "TOO_MANY_ATTEMPTS", "message": LOCKED[lang], "fields": {}}
    }
    assert response["Retry-After"] == "900"
    assert ApiToken.objects.count() == 0


def test_another_ip_is_not_locked(api_client, user):
    _fail_five_times(api_client, user.email, ip="10.0.0.1")

    response = _token(api_client, user.email, DEFAULT_PASSWORD, ip="10.0.0.2")

    assert response.status_code == 201


def test_another_account_from_the_same_ip_is_not_locked(api_client, user):
    other = UserFactory()
    _fail_five_times(api_client, user.email)

    response = _token(api_client, other.email, DEFAULT_PASSWORD)

    assert response.status_code == 201


def test_changing_the_user_agent_does_not_escape_the_lockout(api_client, user):
    for n in range(5):
        api_client.post(
            "/api/auth/token",
            {"email": user.email, "password": "wrong-password"},
            format="json",
            REMOTE_ADDR="10.0.0.1",
            HTTP_USER_AGENT=f"attacker/{n}",
        )

    response = _token(api_client, user.email, DEFAULT_PASSWORD)

    assert response.status_code == 429


def test_the_email_in_another_case_is_the_same_locked_account(api_client, user):
    _fail_five_times(api_client, user.email)

    response = _token(api_client, user.email.upper(), DEFAULT_PASSWORD)

    assert response.status_code == 429


def test_after_the_cool_off_the_right_password_works_again(api_client, user):
    _fail_five_times(api_client, user.email)
    assert _token(api_client, user.email, DEFAULT_PASSWORD).status_code == 429

    # when 15 minutes and a second have passed since the last failure
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=15, seconds=1))
    response = _token(api_client, user.email, DEFAULT_PASSWORD)

    assert response.status_code == 201
    assert ApiToken.objects.filter(user=user).count() == 1


def test_still_locked_just_before_the_cool_off_ends(api_client, user):
    _fail_five_times(api_client, user.email)

    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=14, seconds=50))
    response = _token(api_client, user.email, DEFAULT_PASSWORD)

    assert response.status_code == 429


def test_a_token_issued_resets_earlier_failures(api_client, user):
    # given four failures, then a successful log-in
    for _ in range(4):
        assert _token(api_client, user.email, "wrong-password").status_code == 401
    assert _token(api_client, user.email, DEFAULT_PASSWORD).status_code == 201
    assert AccessAttempt.objects.count() == 0

    # when four more failures follow
    statuses = [_token(api_client, user.email, "wrong-password").status_code for _ in range(4)]

    # then the account is not locked: the count started again
    assert statuses == [401, 401, 401, 401]
    assert _token(api_client, user.email, DEFAULT_PASSWORD).status_code == 201


LOCKED_PAGE = {
    "en": "Too many failed log-ins",
    "sv": "För många misslyckade inloggningar",
}


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_web_log_in_form_shows_the_lockout_page_with_429(client, user, lang):
    for _ in range(4):
        page = client.post(
            "/accounts/login/", {"username": user.email, "password": "wrong-password"}
        )
        assert page.status_code == 200  # the form again, with its error

    response = client.post(
        "/accounts/login/",
        {"username": user.email, "password": "wrong-password"},
        HTTP_ACCEPT_LANGUAGE=lang,
    )

    assert response.status_code == 429
    assert response["Content-Type"].startswith("text/html")
    assert LOCKED_PAGE[lang] in response.content.decode()
    right = client.post(
        "/accounts/login/",
        {"username": user.email, "password": DEFAULT_PASSWORD},
        HTTP_ACCEPT_LANGUAGE=lang,
    )
    assert right.status_code == 429
    assert "_auth_user_id" not in client.session


def test_web_log_in_resets_the_failures(client, user):
    for _ in range(4):
        client.post("/accounts/login/", {"username": user.email, "password": "wrong-password"})

    response = client.post(
        "/accounts/login/", {"username": user.email, "password": DEFAULT_PASSWORD}
    )

    assert response.status_code == 302
    assert AccessAttempt.objects.count() == 0


def _all_axes_text() -> str:
    """Every column of every axes table, as one string."""
    text = []
    with connection.cursor() as cursor:
        for model in (AccessAttempt, AccessLog, AccessFailureLog):
            cursor.execute(f"SELECT * FROM {model._meta.db_table}")
            text.extend(str(value) for row in cursor.fetchall() for value in row)
    return "\n".join(text)


def test_axes_tables_hold_the_blind_index_never_the_email(client, api_client, user):
    # given failures through the API (JSON and form-encoded) and the web form, then a log-in
    _token(api_client, user.email, "wrong-password")
    api_client.post(
        "/api/auth/token",
        {"email": user.email, "password": "wrong-password"},
        format="json",
        REMOTE_ADDR="10.0.0.1",
    )
    client.post("/accounts/login/", {"username": user.email, "password": "wrong-password"})
    client.post("/accounts/login/", {"username": user.email, "password": DEFAULT_PASSWORD})
    client.post("/accounts/logout/")
    _token(api_client, user.email, "wrong-password", ip="10.0.0.9")

    # then axes keyed the attempts by the blind index and stored no plaintext email anywhere
    assert set(AccessAttempt.objects.values_list("username", flat=True)) == {
        crypto.blind_index(user.email)
    }
    stored = _all_axes_text()
    assert crypto.blind_index(user.email) in stored
    assert user.email.lower() not in stored.lower()
    assert user.email.split("@")[0] not in stored
    assert "wrong-password" not in stored


# --- the old password on the password-change page counts like a log-in ---------------------

NEW_PASSWORD = "plum-tractor-violin-42"


def _change_password(client, old_password, lang="en"):
    return client.post(
        "/accounts/password/",
        {
            "old_password": old_password,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
        HTTP_ACCEPT_LANGUAGE=lang,
    )


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_five_wrong_old_passwords_lock_the_password_change_page(client, user, lang):
    client.force_login(user)

    # given four wrong old passwords: the form again, with its error
    for _ in range(4):
        page = _change_password(client, "wrong-password")
        assert page.status_code == 200
        assert list(page.context["form"].errors) == ["old_password"]

    # when the fifth is wrong too, then the lockout page answers
    response = _change_password(client, "wrong-password", lang=lang)

    assert response.status_code == 429
    assert response["Content-Type"].startswith("text/html")
    assert LOCKED_PAGE[lang] in response.content.decode()
    assert response["Retry-After"] == "900"
    # and even the right old password is refused while the lockout lasts
    right = _change_password(client, DEFAULT_PASSWORD)
    assert right.status_code == 429
    user.refresh_from_db()
    assert user.check_password(DEFAULT_PASSWORD)
    assert not user.check_password(NEW_PASSWORD)


def test_wrong_old_passwords_lock_log_in_for_that_account_from_that_ip(client, api_client, user):
    client.force_login(user)
    for _ in range(5):
        _change_password(client, "wrong-password")

    # then log-in for that account from that IP is refused, by the form and by the API
    web = Client().post("/accounts/login/", {"username": user.email, "password": DEFAULT_PASSWORD})
    assert web.status_code == 429
    assert _token(api_client, user.email, DEFAULT_PASSWORD, ip="127.0.0.1").status_code == 429
    # and only there: another IP logs in
    assert _token(api_client, user.email, DEFAULT_PASSWORD, ip="10.0.0.2").status_code == 201
    assert set(AccessAttempt.objects.values_list("username", flat=True)) == {
        crypto.blind_index(user.email)
    }


def test_failed_log_ins_and_wrong_old_passwords_add_up(client, user):
    # given three failed log-ins from this IP, then a log-in elsewhere
    for _ in range(3):
        Client().post("/accounts/login/", {"username": user.email, "password": "wrong-password"})
    client.force_login(user)

    # when two wrong old passwords follow, the fifth failure locks
    assert _change_password(client, "wrong-password").status_code == 200
    assert _change_password(client, "wrong-password").status_code == 429


def test_a_right_old_password_after_a_few_wrong_ones_changes_it(client, user):
    client.force_login(user)
    for _ in range(4):
        _change_password(client, "wrong-password")

    response = _change_password(client, DEFAULT_PASSWORD)

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_axes_stores_no_password_of_the_password_change_form(client, user):
    client.force_login(user)
    _change_password(client, "wrong-old-password")

    stored = _all_axes_text()

    assert crypto.blind_index(user.email) in stored
    assert "wrong-old-password" not in stored
    assert NEW_PASSWORD not in stored
    assert user.email.split("@")[0] not in stored
