"""Redis down (cache and broker on a closed port): reporting still works, and nothing is lost.

These tests commit for real (transaction=True) so that the after-commit queueing
runs against the dead broker exactly as it does in production.
"""

import re
import time

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse

from compliance import roles
from compliance.celery import app
from compliance.models import OutboxMessage
from compliance.tests.factories import PASSWORD
from safeguarding.models import Concern
from tests.support import page_text, require_service

CLOSED_PORT = "redis://127.0.0.1:1/0"
FORM = {
    "immediate_danger": "no",
    "subject_type": "agency_worker",
    "location_text": "Staff car park",
    "indicators": ["excessive_hours", "no_id"],
    "narrative": "He sleeps in the van between shifts and says the driver keeps his ID card.",
}


def _point_broker_at(url: str) -> None:
    # Celery caches its connection and producer pools: drop them so the new URL is used.
    app.conf.broker_url = url
    app._pool = None
    app.amqp._producer_pool = None


def _redis_answers(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.fixture
def redis_down(settings):
    """Cache and broker both pointed at a port where nothing listens; tasks really queued (not eager)."""
    settings.CACHES = {
        "default": {
            "BACKEND": "compliance.cache.FailOpenRedisCache",
            "LOCATION": CLOSED_PORT,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    old_url, old_eager = app.conf.broker_url, app.conf.task_always_eager
    app.conf.task_always_eager = False
    _point_broker_at(CLOSED_PORT)
    try:
        yield
    finally:
        app.conf.task_always_eager = old_eager
        _point_broker_at(old_url)


@pytest.mark.django_db(transaction=True)
def test_reporting_and_sign_in_work_with_redis_down_and_the_sweeper_delivers_once_it_is_back(
    client, make_user, redis_down, settings
):
    lead = make_user(roles.STAFF, roles.MODERN_SLAVERY_LEAD)
    reporter = make_user(roles.STAFF)

    # Anonymous report: saved, 200, reference and receipt code shown.
    started = time.monotonic()
    response = client.post(reverse("safeguarding:report_anonymous"), FORM)
    elapsed = time.monotonic() - started
    assert response.status_code == 200
    code = response.context["receipt_code"]
    anonymous = Concern.objects.get(reporter__isnull=True)
    assert anonymous.reference in page_text(response) and code in page_text(response)
    # The dead broker is given one quick retry, not the default back-off.
    assert elapsed < 5, f"anonymous report took {elapsed:.1f}s with Redis down"

    # Sign-in works (allauth's rate limit lives in the cache too).
    response = client.post(reverse("account_login"), {"login": reporter.email, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    # Staff report: saved, 200 with the reference.
    response = client.post(reverse("safeguarding:report"), FORM)
    assert response.status_code == 200
    staff = Concern.objects.get(reporter=reporter)
    assert staff.reference in response.content.decode()
    client.logout()

    # The receipt-code page: a wrong code is answered, the right one opens the report.
    assert client.get(reverse("safeguarding:report_status")).status_code == 200
    wrong = client.post(reverse("safeguarding:report_status"), {"code": "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF"})
    assert wrong.status_code == 200 and "could not find" in wrong.content.decode()
    right = client.post(reverse("safeguarding:report_status"), {"code": code})
    assert right.status_code == 302
    assert anonymous.reference in client.get(right.url).content.decode()

    # Nothing was emailed yet, nothing was lost: the Lead's two notifications wait in the outbox.
    assert mail.outbox == []
    pending = OutboxMessage.objects.filter(to=lead.email, status=OutboxMessage.Status.PENDING)
    assert pending.count() == 2

    # The broker returns: the beat sweeper (through a real worker where the database is shared) sends each once.
    _point_broker_at(settings.REDIS_URL)
    from compliance.tasks import outbox_sweep

    if connection.vendor == "sqlite":
        outbox_sweep.apply()  # SQLite in memory is not shared with a worker thread
    else:
        from celery.contrib.testing.worker import start_worker

        require_service("Redis", _redis_answers(settings.REDIS_URL), settings.REDIS_URL)
        with start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING", shutdown_timeout=20):
            outbox_sweep.apply_async()
            for _ in range(200):
                if not OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING).exists():
                    break
                time.sleep(0.05)  # polling a real worker
    outbox_sweep.apply()  # a second sweep finds nothing left to send
    assert sorted(m.subject for m in mail.outbox if m.to == [lead.email]) == sorted(
        [f"New concern {anonymous.reference}", f"New concern {staff.reference}"]
    )
    assert not OutboxMessage.objects.exclude(status=OutboxMessage.Status.SENT).exists()


@pytest.mark.django_db(transaction=True)
def test_anonymous_flood_limit_fails_open_when_the_cache_is_down(client, redis_down, settings, caplog):
    settings.ANONYMOUS_REPORTS_PER_HOUR = 1
    for _ in range(3):
        assert client.post(reverse("safeguarding:report_anonymous"), FORM).status_code == 200
    assert Concern.objects.count() == 3
    assert "rate limits are not applied" in caplog.text


@pytest.mark.django_db
def test_flood_limit_still_holds_when_the_cache_answers(client, settings):
    settings.ANONYMOUS_REPORTS_PER_HOUR = 1
    client.post(reverse("safeguarding:report_anonymous"), FORM)
    response = client.post(reverse("safeguarding:report_anonymous"), FORM)
    assert "Too many reports" in response.content.decode()
    assert Concern.objects.count() == 1


def test_production_cache_fails_open_with_short_timeouts():
    """A Redis CACHE_URL gets the fail-open backend and socket timeouts (read by settings at start)."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    env.update(
        DJANGO_SETTINGS_MODULE="compliance.settings",
        DJANGO_SECRET_KEY="x" * 50,
        CACHE_URL="rediscache://127.0.0.1:1/1",
    )
    code = "from django.conf import settings; c = settings.CACHES['default']; print(c['BACKEND'], c['OPTIONS'])"
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=Path(__file__).resolve().parent.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("compliance.cache.FailOpenRedisCache")
    assert re.search(r"'socket_connect_timeout': 1\.0", result.stdout)


@pytest.mark.django_db
def test_many_emails_with_the_broker_down_cost_one_failed_publish(
    client, make_user, login, redis_down, caplog, django_capture_on_commit_callbacks
):
    from suppliers.tests.factories import SupplierFactory

    for n in range(20):
        SupplierFactory(status="active", contact_email=f"c{n}@supplier.example")
    login(make_user(roles.PROCUREMENT))
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("suppliers:conduct"),
            {"version": "2027.1", "title": "Code", "effective_from": "2027-04-01", "clauses": "No fees."},
        )
    assert response.status_code == 302
    assert OutboxMessage.objects.filter(kind="code of conduct", status="pending").count() == 20
    assert caplog.text.count("Could not queue") == 1
    assert time.monotonic() - started < 5
