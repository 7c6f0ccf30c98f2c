"""Figures that are dear to compute (completion over 200,000 training records), kept in the
cache until anything they count changes.

Invalidation, not a guess at a lifetime: each namespace has a version token in the cache,
and every write that can change its figures calls `figures_changed(namespace)` (signal
receivers in the owning app, and the bulk imports by hand). A figure is stored under the
version read *before* it was computed, so a write that lands mid-computation leaves that
figure under a dead version and the next request computes it afresh: what a page shows is
never older than the last committed write. The version is changed at once (so the writing
request, and a test, sees its own change) and again after commit (so a request that read
the database between the two cannot keep an old figure under the new version).

`timeout` is only a backstop (and bounds memory); the cache fails open
(compliance.cache.FailOpenRedisCache), so with Redis down every figure is computed live.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import transaction
from django.db.models.signals import post_delete, post_save

T = TypeVar("T")

_MISSING = object()


def _version_key(namespace: str) -> str:
    return f"figures:{namespace}:version"


def _version(namespace: str) -> str:
    version = cache.get(_version_key(namespace))
    if version is None:
        # First use (or evicted): start a new version, so nothing stored under an old one is read.
        cache.add(_version_key(namespace), uuid.uuid4().hex, None)
        version = cache.get(_version_key(namespace)) or "uncached"
    return version


def _shared() -> bool:
    # A per-process cache (locmem, the quick start's default) would keep a figure in one gunicorn
    # worker after another worker retired it: only a shared cache (Redis, as CACHE_URL in
    # production) is used, unless the settings say there is one process (the test suite).
    backend = settings.CACHES["default"]["BACKEND"]
    shared = "locmem" not in backend.lower() and "dummy" not in backend.lower()
    return shared or settings.FIGURE_CACHE_IN_PROCESS


def _figure_key(namespace: str, key: tuple) -> str | None:
    """The cache key of `key` under the namespace's current version; None where nothing is kept."""
    if not _shared():
        return None
    version = _version(namespace)
    if version == "uncached":
        return None
    digest = hashlib.sha256(repr(key).encode()).hexdigest()[:32]
    return f"figures:{namespace}:{version}:{digest}"


def cached_figures(namespace: str, key: tuple, compute: Callable[[], T], *, timeout: int = 3600) -> T:
    """`compute()`'s answer for `key`, from the cache while nothing in `namespace` has changed."""
    full_key = _figure_key(namespace, key)
    if full_key is None:
        return compute()
    value = cache.get(full_key, _MISSING)
    if value is not _MISSING:
        return value
    value = compute()
    cache.set(full_key, value, timeout)
    return value


def carried_figure(namespace: str, key: tuple, advance: Callable[[T | None], T], *, timeout: int = 3600) -> T:
    """`advance(kept)`'s answer, stored for the next call: `kept` is the answer kept for `key`, or None.

    For a figure carried forward rather than computed afresh (a count of an append-only table:
    the rows kept counted, plus those added since). None, and so a full computation, when nothing
    is kept, the namespace was retired or the cache is down or per process.
    """
    full_key = _figure_key(namespace, key)
    if full_key is None:
        return advance(None)
    value = advance(cache.get(full_key))
    cache.set(full_key, value, timeout)
    return value


def cached_count(namespace: str, queryset) -> int:
    """How many rows `queryset` has, from the cache while nothing in `namespace` has changed.

    For a list's total, paid on every page for a figure that changes only on a write. Keyed on
    the query's SQL, so each list, scope and filter has its own; a query whose SQL carries the
    time (an "overdue" filter) gets a new key each time, so call `queryset.count()` for it instead.
    """
    try:
        sql = str(queryset.query)
    except EmptyResultSet:  # none(), or a filter that can match nothing: no SQL to key on, nothing to count
        return 0
    return cached_figures(namespace, ("count", sql), queryset.count)


def figures_changed(namespace: str) -> None:
    """Retire every cached figure of `namespace`: now, and once more when the transaction commits."""

    def retire():
        cache.set(_version_key(namespace), uuid.uuid4().hex, None)

    retire()
    transaction.on_commit(retire)


def figures_retired_on_write(namespace: str, models) -> None:
    """Retire `namespace` whenever a row of one of `models` is saved or deleted (call from ready()).

    Writes that send no signal (a queryset .update(), bulk inserts) still call
    figures_changed(namespace) themselves.
    """

    def retire(sender, **kwargs):
        figures_changed(namespace)

    for model in models:
        name = f"{namespace}_{model._meta.label_lower}"
        post_save.connect(retire, sender=model, weak=False, dispatch_uid=f"figures_on_save_{name}")
        post_delete.connect(retire, sender=model, weak=False, dispatch_uid=f"figures_on_delete_{name}")
