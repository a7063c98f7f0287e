"""Health checks for load balancers and docker-compose: 200 when up, 503 naming what is down."""

import logging

import redis
from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

TIMEOUT_SECONDS = 2
logger = logging.getLogger(__name__)


def _down(name: str, exc: Exception) -> tuple[bool, str]:
    """The public answer names the kind of failure; host names and users go to the log only."""
    logger.error("health check %s failed: %s", name, exc, exc_info=exc)
    return False, type(exc).__name__


def check_db() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "down"
        return _down("db", exc)
    return True, "ok"


def check_redis() -> tuple[bool, str]:
    url = settings.REDIS_URL
    if not url:
        return True, "not configured (embedded default: no Redis in use)"
    try:
        client = redis.Redis.from_url(
            url, socket_connect_timeout=TIMEOUT_SECONDS, socket_timeout=TIMEOUT_SECONDS
        )
        client.ping()
        client.close()
    except redis.RedisError as exc:
        return _down("redis", exc)
    return True, "ok"


CHECKS = {"db": check_db, "redis": check_redis}


def _respond(names: list[str]) -> JsonResponse:
    results = {name: CHECKS[name]() for name in names}
    down = [name for name, (ok, _) in results.items() if not ok]
    body = {
        "status": "down" if down else "ok",
        "checks": {name: {"ok": ok, "detail": detail} for name, (ok, detail) in results.items()},
    }
    if down:
        body["down"] = down
    return JsonResponse(body, status=503 if down else 200)


@never_cache
@require_GET
def health(request):
    return _respond(list(CHECKS))


@never_cache
@require_GET
def health_db(request):
    return _respond(["db"])


@never_cache
@require_GET
def health_redis(request):
    return _respond(["redis"])
