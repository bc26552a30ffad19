"""Django's Redis cache with one client per server and a one-round-trip window counter.

Django builds a new redis.Redis object on every cache call (a third of a millisecond, more
than the call itself on a local Redis); the object is thread-safe and holds no connection of
its own (the pool does), so one per server is kept. The rate limiter's counter needs three
commands per request; `count_in_window` sends them as one pipeline.
"""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class _Client(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _Client

    def count_in_window(self, key: str, previous_key: str, timeout: int) -> tuple[int, int]:
        """Adds one to `key` (created expiring after `timeout` s) and reads `previous_key`."""
        key = self.make_and_validate_key(key)
        previous_key = self.make_and_validate_key(previous_key)
        pipe = self._cache.get_client(key, write=True).pipeline(transaction=False)
        pipe.set(key, 0, ex=timeout, nx=True)
        pipe.incr(key)
        pipe.get(previous_key)
        _, current, previous = pipe.execute()
        return int(current), int(previous or 0)
