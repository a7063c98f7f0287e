"""Django's Redis cache with one client per connection pool and a one-round-trip ``incr``.

Django's RedisCacheClient builds a new ``redis.Redis`` for every command (its constructor
fills a table of about two hundred response callbacks), and its ``incr`` asks EXISTS, then
INCRBY: two round trips. Counters are what the API's hot path uses the cache for (the rate
limits' windows, the availability versions of bookings/cache.py), so here a client is made
once per pool (``redis.Redis`` is thread-safe: each command borrows a connection from the
pool) and ``incr`` is one Lua script, which Redis runs atomically. The behaviour is
Django's: ``incr`` of a missing key raises ValueError and creates nothing.
"""

from __future__ import annotations

from django.core.cache.backends import redis as django_redis

# KEYS[1]: the key; ARGV[1]: the delta. nil when the key does not exist.
_INCR_IF_EXISTS = """
if redis.call('EXISTS', KEYS[1]) == 1 then
  return redis.call('INCRBY', KEYS[1], ARGV[1])
end
return nil
"""


class RedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}  # pool index -> (redis.Redis, its incr script)

    def _client_and_script(self, write: bool):
        index = self._get_connection_pool_index(write)
        pair = self._clients.get(index)
        if pair is None:
            client = self._client(connection_pool=self._get_connection_pool(write))
            pair = self._clients.setdefault(
                index, (client, client.register_script(_INCR_IF_EXISTS))
            )
        return pair

    def get_client(self, key=None, *, write=False):
        return self._client_and_script(write)[0]

    def incr(self, key, delta):
        _client, script = self._client_and_script(write=True)
        value = script(keys=[key], args=[delta])
        if value is None:
            raise ValueError(f"Key '{key}' not found.")
        return value


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
