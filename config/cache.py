"""Django's Redis cache, for which an unreachable Redis is a miss, never a server error.

The cache only spares work: every reader page and feed can be rendered from the database. So
when Redis is down, slow (each call waits at most REDIS_TIMEOUT_SECONDS) or restarting, reads
answer "not cached" and writes are dropped; the outage is logged once per process, and so is
its end. After a failure Redis is left alone for RETRY_SECONDS, so that during an outage only
one request a second per process pays the wait, then used again as soon as it answers.
"""

import logging
import time
from urllib.parse import urlsplit

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

from digest.outage import Outage

logger = logging.getLogger(__name__)

RETRY_SECONDS = 1.0


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        # Named by host and port only: the URL may hold a password.
        where = ", ".join(urlsplit(url).netloc.rpartition("@")[2] for url in self._servers)
        self.outage = Outage(logger, f"The Redis cache at {where}")
        self._resting_until = 0.0

    def _or(self, fallback, method, *args, **kwargs):
        if time.monotonic() < self._resting_until:
            return fallback
        try:
            result = method(*args, **kwargs)
        except RedisError as error:
            self._resting_until = time.monotonic() + RETRY_SECONDS
            self.outage.failed(error, "pages and feeds are rendered from the database meanwhile")
            return fallback
        self.outage.succeeded()
        return result

    def get(self, key, default=None, version=None):
        return self._or(default, super().get, key, default, version)

    def get_many(self, keys, version=None):
        return self._or({}, super().get_many, keys, version)

    def has_key(self, key, version=None):
        return self._or(False, super().has_key, key, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._or(False, super().add, key, value, timeout, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._or(None, super().set, key, value, timeout, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._or(list(data), super().set_many, data, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._or(False, super().touch, key, timeout, version)

    def delete(self, key, version=None):
        return self._or(False, super().delete, key, version)

    def delete_many(self, keys, version=None):
        return self._or(None, super().delete_many, keys, version)
