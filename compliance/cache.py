"""A Redis cache that fails open: an outage is logged, never a refusal or a 500.

The cache holds only rate-limit counters (allauth's sign-in limits, the
anonymous-report flood check, wrong receipt codes). With Redis down every call
here answers as if the counter were empty, so people can still report a concern,
check a receipt code and sign in; the limits are off until Redis is back (the
log says so on every call, and /health/ shows the cache as unavailable). We chose
this over counting in the database because a report must never be refused for
an infrastructure fault, and a flood of reports is recoverable while a lost one
is not. Receipt codes are long random values, so a short window without the
wrong-code limit does not make guessing practical.

Nothing may use this cache as a lock: ``add`` answers True during an outage.
"""

from __future__ import annotations

import logging

import redis
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)
_ERRORS = (redis.RedisError, OSError)


def _outage(operation: str, exc: Exception) -> None:
    # The class name only: a redis error message can carry the connection URL.
    logger.warning("Cache unavailable (%s during %s): rate limits are not applied", type(exc).__name__, operation)


class FailOpenRedisCache(RedisCache):
    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().add(key, value, timeout, version)
        except _ERRORS as exc:
            _outage("add", exc)
            return True

    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except _ERRORS as exc:
            _outage("get", exc)
            return default

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().set(key, value, timeout, version)
        except _ERRORS as exc:
            _outage("set", exc)
            return None

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().touch(key, timeout, version)
        except _ERRORS as exc:
            _outage("touch", exc)
            return False

    def delete(self, key, version=None):
        try:
            return super().delete(key, version)
        except _ERRORS as exc:
            _outage("delete", exc)
            return False

    def get_many(self, keys, version=None):
        try:
            return super().get_many(keys, version)
        except _ERRORS as exc:
            _outage("get_many", exc)
            return {}

    def has_key(self, key, version=None):
        try:
            return super().has_key(key, version)
        except _ERRORS as exc:
            _outage("has_key", exc)
            return False

    def incr(self, key, delta=1, version=None):
        try:
            return super().incr(key, delta, version)
        except _ERRORS as exc:
            _outage("incr", exc)
            return delta

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().set_many(data, timeout, version)
        except _ERRORS as exc:
            _outage("set_many", exc)
            return list(data)

    def delete_many(self, keys, version=None):
        try:
            return super().delete_many(keys, version)
        except _ERRORS as exc:
            _outage("delete_many", exc)
            return None

    def clear(self):
        try:
            return super().clear()
        except _ERRORS as exc:
            _outage("clear", exc)
            return False
