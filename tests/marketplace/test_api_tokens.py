from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from marketplace import services
from marketplace.models import ApiToken, hash_token
from marketplace.tasks import delete_expired_api_tokens
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def _issue(api_client, user, password=DEFAULT_PASSWORD):
    return api_client.post(
        "/api/auth/token", {"email": user.email, "password": password}, format="json"
    )


def test_token_is_issued_for_email_and_password_and_stored_only_hashed(api_client, user):
    # given a user; when they ask for a token with their email in another case
    before = timezone.now()
    response = api_client.post(
        "/api/auth/token",
        {"email": user.email.upper(), "password": DEFAULT_PASSWORD, "name": "laptop"},
        format="json",
    )

    # then a bearer token valid for API_TOKEN_TTL (30 days) comes back
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"token", "token_type", "expires_at"}
    assert body["token_type"] == "Bearer"
    raw = body["token"]
    assert raw.startswith("trn_")
    assert len(raw) > 40
    token = ApiToken.objects.get()
    assert token.user == user
    assert token.name == "laptop"
    assert token.key_hash == hash_token(raw)
    assert before + timedelta(days=30) <= token.expires_at
    assert token.expires_at <= timezone.now() + timedelta(days=30)
    assert body["expires_at"] == token.expires_at.isoformat().replace("+00:00", "Z")
    # and the raw token is in no column of the row
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {ApiToken._meta.db_table}")
        row = cursor.fetchone()
    assert not any(raw in str(value) for value in row)
    user.refresh_from_db()
    assert user.last_login is not None


def test_token_lifetime_follows_the_setting(api_client, user, settings):
    settings.API_TOKEN_TTL = timedelta(days=2)

    response = _issue(api_client, user)

    assert response.status_code == 201
    token = ApiToken.objects.get()
    assert token.expires_at - token.created_at < timedelta(days=2, seconds=5)
    assert token.expires_at - token.created_at > timedelta(days=2, seconds=-5)


def test_bearer_token_authenticates_api_requests(api_client, user):
    raw = _issue(api_client, user).json()["token"]

    response = api_client.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {raw}")

    assert response.status_code == 200
    assert response.json() == {
        "uid": str(user.uid),
        "email": user.email,
        "name": user.name,
        "role": "trainee",
    }
    assert ApiToken.objects.get().last_used_at is not None


def test_me_needs_authentication(api_client):
    response = api_client.get("/api/me")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "NOT_AUTHENTICATED"
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_wrong_password_gets_401_invalid_credentials_and_no_token(api_client, user):
    response = _issue(api_client, user, password="wrong-password")

    assert response.status_code == 401
    assert response.json() == {
        "error": {
            "code": "INVALID_CREDENTIALS",
            "message": "The email or password is wrong.",
            "fields": {},
        }
    }
    assert ApiToken.objects.count() == 0


def test_unknown_email_gets_the_same_401_as_a_wrong_password(api_client):
    response = api_client.post(
        "/api/auth/token", {"email": "nobody@example.se", "password": "x"}, format="json"
    )

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "INVALID_CREDENTIALS"


def test_inactive_user_gets_no_token(api_client):
    user = UserFactory(is_active=False)

    response = _issue(api_client, user)

    assert response.status_code == 401
    assert ApiToken.objects.count() == 0


@pytest.mark.parametrize(
    "header",
    ["Bearer trn_not-a-real-token", "Bearer " + "x" * 200, "bearer trn_unknown"],
)
def test_unknown_token_gets_401_token_invalid_with_www_authenticate(api_client, user, header):
    _issue(api_client, user)

    response = api_client.get("/api/me", HTTP_AUTHORIZATION=header)

    assert response.status_code == 401
    assert response.json() == {
        "error": {"code": "TOKEN_INVALID", "message": "This API token is not valid.", "fields": {}}
    }
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_token_of_an_inactive_user_is_invalid(api_client, user):
    raw = _issue(api_client, user).json()["token"]
    user.is_active = False
    user.save(update_fields=["is_active"])

    response = api_client.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {raw}")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "TOKEN_INVALID"


def test_bearer_without_a_token_is_malformed(api_client):
    response = api_client.get("/api/me", HTTP_AUTHORIZATION="Bearer")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "TOKEN_MALFORMED"


def test_expired_token_gets_401_token_expired(api_client, user):
    _token, raw = services.api_token_issue(user=user, now=timezone.now() - timedelta(days=31))

    response = api_client.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {raw}")

    assert response.status_code == 401
    assert response.json() == {
        "error": {
            "code": "TOKEN_EXPIRED",
            "message": "This API token has expired. Ask for a new one.",
            "fields": {},
        }
    }
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_delete_revokes_the_token_sent_and_it_then_gets_401(api_client, user):
    raw = _issue(api_client, user).json()["token"]
    other_raw = _issue(api_client, user).json()["token"]

    response = api_client.delete("/api/auth/token", HTTP_AUTHORIZATION=f"Bearer {raw}")

    assert response.status_code == 204
    assert response.content == b""
    revoked = ApiToken.objects.get(key_hash=hash_token(raw))
    assert revoked.revoked_at is not None
    assert ApiToken.objects.get(key_hash=hash_token(other_raw)).revoked_at is None
    again = api_client.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert again.status_code == 401
    assert again.json()["error"]["code"] == "TOKEN_INVALID"
    assert (
        api_client.delete("/api/auth/token", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401
    )
    other = api_client.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {other_raw}")
    assert other.status_code == 200


def test_delete_without_a_token_is_401(api_client):
    response = api_client.delete("/api/auth/token")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "NOT_AUTHENTICATED"


def test_a_stale_token_does_not_stop_issuing_a_new_one(api_client, user):
    response = api_client.post(
        "/api/auth/token",
        {"email": user.email, "password": DEFAULT_PASSWORD},
        format="json",
        HTTP_AUTHORIZATION="Bearer trn_stale",
    )

    assert response.status_code == 201


def test_beat_task_deletes_expired_and_revoked_tokens_and_keeps_live_ones(user):
    now = timezone.now()
    _live, _raw = services.api_token_issue(user=user, name="live")
    _expired, _raw = services.api_token_issue(
        user=user, name="expired", now=now - timedelta(days=31)
    )
    revoked, _raw = services.api_token_issue(user=user, name="revoked")
    services.api_token_revoke(token=revoked)

    deleted = delete_expired_api_tokens.apply().get()

    assert deleted == 2
    assert list(ApiToken.objects.values_list("name", flat=True)) == ["live"]


def test_beat_schedule_runs_the_token_cleanup(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["delete-expired-api-tokens"]

    assert entry["task"] == "marketplace.tasks.delete_expired_api_tokens"
    assert delete_expired_api_tokens.name == entry["task"]


@pytest.mark.parametrize(
    ("revoked", "active", "expires_in", "reason"),
    [
        (False, True, timedelta(minutes=1), None),
        (True, True, timedelta(minutes=1), "revoked"),
        (False, False, timedelta(minutes=1), "user_inactive"),
        (False, True, timedelta(0), "expired"),
        (True, True, -timedelta(days=1), "revoked"),
    ],
)
def test_the_token_says_why_it_cannot_authenticate(revoked, active, expires_in, reason):
    now = timezone.now()
    token, _raw = services.api_token_issue(user=UserFactory(is_active=active), now=now)
    token.expires_at = now + expires_in
    token.revoked_at = now if revoked else None

    assert token.unusable_reason(now=now) == reason


def test_a_revoked_token_gets_401_token_invalid_even_after_its_expiry(api_client, user):
    token, raw = services.api_token_issue(user=user)
    ApiToken.objects.filter(pk=token.pk).update(
        revoked_at=timezone.now(), expires_at=timezone.now() - timedelta(days=1)
    )

    response = api_client.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {raw}")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "TOKEN_INVALID"
