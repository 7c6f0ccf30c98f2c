"""/health/: is the database, the cache and the broker answering?

Written here rather than with django-health-check: its 4.x view answers 500
(load balancers and compose expect 503 for "not ready") and runs checks in
worker threads, which do not share the request's database connection.
"""

import datetime
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.utils import timezone
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


def _outbox() -> dict[str, int]:
    """Failed emails (for the Compliance admin to re-send) and pending ones overdue by 15 minutes (no sweeper?)."""
    from compliance.models import OutboxMessage

    overdue = timezone.now() - datetime.timedelta(minutes=15)
    return {
        "failed": OutboxMessage.objects.filter(status=OutboxMessage.Status.FAILED).count(),
        "overdue": OutboxMessage.objects.due(overdue).count(),
    }


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
    body = {"status": "ok" if healthy else "unavailable", "checks": results}
    if results["database"] == "ok":
        # Degraded, not down: the app still serves people, so the answer stays
        # 200 (a load balancer must not take it out), but monitoring sees a count.
        outbox = _outbox()
        body["outbox"] = outbox
        if healthy and (outbox["failed"] or outbox["overdue"]):
            body["status"] = "degraded"
    return JsonResponse(body, status=200 if healthy else 503)
