"""/health/: is the database, the cache and the broker answering?

Written here rather than with django-health-check: its 4.x view answers 500
(load balancers and compose expect 503 for "not ready") and runs checks in
worker threads, which do not share the request's database connection.
"""

import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache


def _database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _cache():
    key = f"health:{uuid.uuid4().hex}"
    cache.set(key, "ok", 10)
    if cache.get(key) != "ok":
        raise RuntimeError("cache did not return the value just written")
    cache.delete(key)


def _broker():
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "not used (tasks run in-process)"
    from compliance.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
    return None


CHECKS = {"database": _database, "cache": _cache, "broker": _broker}


@never_cache
def health(request):
    results, healthy = {}, True
    for name, check in CHECKS.items():
        try:
            note = check()
            results[name] = note or "ok"
        except Exception as exc:  # noqa: BLE001 - any failure means unhealthy
            healthy = False
            # The class name only: messages can carry connection strings.
            results[name] = f"unavailable ({type(exc).__name__})"
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": results}, status=200 if healthy else 503
    )
