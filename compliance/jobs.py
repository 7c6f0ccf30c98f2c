"""Queueing Celery work from a web request without ever failing the request.

A user action commits first; the task is queued after the commit. If the broker
is down at that moment the action has still happened, so the error is logged and
swallowed: the beat sweepers (outbox, stale job leases) pick the work up from
the database once the broker is back. Nothing may depend on the first
``.delay()`` succeeding.
"""

from __future__ import annotations

import logging

from django.db import transaction

logger = logging.getLogger(__name__)


def enqueue(task, *args, **kwargs) -> bool:
    """Queue a task now; log and return False when the broker cannot be reached."""
    try:
        task.apply_async(args=args, kwargs=kwargs)
    except Exception:
        # Run in-process (quick start, tests), the error is the task's own: let it show.
        if task.app.conf.task_always_eager:
            raise
        # Otherwise the broker failed: the database row stays the source of truth.
        logger.exception("Could not queue %s; a sweeper will pick the work up later", getattr(task, "name", task))
        return False
    return True


def enqueue_on_commit(task, *args, **kwargs) -> None:
    """Queue a task once the current transaction commits, never raising into the caller."""
    transaction.on_commit(lambda: enqueue(task, *args, **kwargs))
