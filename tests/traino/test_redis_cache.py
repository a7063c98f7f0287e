"""traino.redis_cache: Django's Redis cache, one client per pool and incr in one round trip,
with Django's behaviour (needs Redis: REDIS_URL)."""

import os
import threading
import uuid

import pytest

from traino.redis_cache import RedisCache

pytestmark = pytest.mark.skipif(
    not os.environ.get("REDIS_URL"), reason="REDIS_URL is not set: no Redis to talk to"
)


@pytest.fixture
def cache():
    backend = RedisCache(os.environ["REDIS_URL"], {"KEY_PREFIX": f"test-{uuid.uuid4().hex}"})
    yield backend
    backend.delete_many(["n", "missing", "window", "a", "hits"])  # not clear(): FLUSHDB


def test_incr_raises_the_stored_number(cache):
    cache.set("n", 5)

    assert cache.incr("n") == 6
    assert cache.incr("n", 10) == 16
    assert cache.get("n") == 16


def test_incr_of_a_missing_key_raises_and_creates_nothing(cache):
    with pytest.raises(ValueError, match="not found"):
        cache.incr("missing")

    assert cache.get("missing") is None


def test_incr_keeps_the_keys_expiry(cache):
    cache.set("window", 1, timeout=60)

    cache.incr("window")

    ttl = cache._cache.get_client().ttl(cache.make_and_validate_key("window"))
    assert 0 < ttl <= 60


def test_one_client_serves_every_command(cache):
    first = cache._cache.get_client()
    cache.set("a", 1)
    cache.incr("a")

    assert cache._cache.get_client(write=True) is first


def test_concurrent_increments_are_all_counted(cache):
    cache.set("hits", 0)

    def hit():
        for _ in range(50):
            cache.incr("hits")

    threads = [threading.Thread(target=hit) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert cache.get("hits") == 400
