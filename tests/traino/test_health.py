import os

import pytest
from django.db import OperationalError

pytestmark = pytest.mark.django_db

UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1


def test_health_is_200_with_every_check_when_all_is_up(client, settings):
    settings.REDIS_URL = ""

    response = client.get("/health")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"db", "redis"}
    assert body["checks"]["db"] == {"ok": True, "detail": "ok"}
    assert "down" not in body


def test_health_db_is_200_when_the_database_answers(client):
    response = client.get("/health/db")

    assert response.status_code == 200
    assert response.json()["checks"] == {"db": {"ok": True, "detail": "ok"}}


def test_health_db_is_503_naming_the_database_when_it_fails(client, monkeypatch, caplog):
    def broken_cursor(*args, **kwargs):
        raise OperationalError('connection to "db.internal" refused for user "traino"')

    monkeypatch.setattr("traino.health.connection.cursor", broken_cursor)

    response = client.get("/health/db")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "down"
    assert body["down"] == ["db"]
    # The kind of failure is public; the host and user name are only in the log.
    assert body["checks"]["db"]["detail"] == "OperationalError"
    assert "db.internal" not in response.content.decode()
    assert "db.internal" in caplog.text


def test_health_redis_is_503_when_redis_is_unreachable(client, settings):
    settings.REDIS_URL = UNREACHABLE_REDIS

    response = client.get("/health/redis")

    assert response.status_code == 503
    body = response.json()
    assert body["down"] == ["redis"]
    assert body["checks"]["redis"]["ok"] is False
    assert body["checks"]["redis"]["detail"] == "ConnectionError"
    assert "127.0.0.1" not in response.content.decode()


def test_health_is_503_and_names_redis_when_only_redis_is_down(client, settings):
    settings.REDIS_URL = UNREACHABLE_REDIS

    response = client.get("/health")

    assert response.status_code == 503
    body = response.json()
    assert body["down"] == ["redis"]
    assert body["checks"]["db"]["ok"] is True


@pytest.mark.skipif(
    not os.environ.get("REDIS_URL"), reason="REDIS_URL is not set: no Redis to find up"
)
def test_health_redis_is_200_when_redis_answers(client, settings):
    settings.REDIS_URL = os.environ["REDIS_URL"]

    response = client.get("/health/redis")

    assert response.status_code == 200
    assert response.json()["checks"]["redis"] == {"ok": True, "detail": "ok"}


def test_health_redis_says_not_configured_on_the_embedded_default(client, settings):
    settings.REDIS_URL = ""

    response = client.get("/health/redis")

    assert response.status_code == 200
    assert response.json()["checks"]["redis"]["detail"].startswith("not configured")


def test_health_answers_only_get(client):
    response = client.post("/health")

    assert response.status_code == 405
