"""The platform's moving parts: database, broker, worker, health, deploy checks, compose."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core import mail
from django.db import connection
from django.urls import reverse

from compliance import roles
from compliance.models import Notification
from compliance.tests.factories import NotificationFactory, UserFactory
from tests.support import IN_CI, api_token, require_service

ROOT = Path(__file__).resolve().parent.parent


def _redis_answers() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


def test_ci_runs_on_postgresql():
    if not IN_CI:
        pytest.skip("runs on PostgreSQL in CI; locally the quick start uses SQLite")
    assert connection.vendor == "postgresql"


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_real_celery_worker_executes_a_task_through_redis(settings):
    """A task queued on Redis is picked up by a real worker and changes the database."""
    from celery.contrib.testing.worker import start_worker

    from compliance.celery import app
    from compliance.services import notification_send
    from compliance.tasks import outbox_deliver

    require_service("Redis", _redis_answers(), settings.REDIS_URL)
    app.conf.task_always_eager = False
    try:
        notification = notification_send(recipients=[UserFactory()], subject="Hello")[0]
        with start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING", shutdown_timeout=20):
            outbox_deliver.apply_async(args=[[notification.outbox_messages.get().pk]])
            for _ in range(200):
                notification.refresh_from_db()
                if notification.emailed_at:
                    break
                import time

                time.sleep(0.05)  # waiting on another thread, not on the clock under test
    finally:
        app.conf.task_always_eager = True
    assert notification.emailed_at is not None
    assert [m.to for m in mail.outbox] == [[notification.recipient.email]]


@pytest.mark.django_db
def test_health_reports_database_cache_and_broker(client, settings):
    response = client.get(reverse("health"))
    assert response.status_code == 200
    assert set(response.json()["checks"]) == {"database", "cache", "broker"}
    assert response.json()["outbox"] == {"failed": 0, "overdue": 0}


@pytest.mark.django_db
def test_health_answers_503_when_the_broker_is_down(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    from compliance.celery import app

    old = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    try:
        response = client.get(reverse("health"))
    finally:
        app.conf.broker_url = old
    assert response.status_code == 503
    assert response.json()["checks"]["broker"].startswith("unavailable")


@pytest.mark.django_db
def test_health_with_real_broker(client, settings):
    require_service("Redis", _redis_answers(), settings.REDIS_URL)
    settings.CELERY_TASK_ALWAYS_EAGER = False
    response = client.get(reverse("health"))
    assert response.status_code == 200, response.json()


def _manage(*args, **env):
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_is_clean_in_production_mode():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SETTINGS_MODULE="compliance.settings",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="x" * 20 + "a-long-random-production-secret-0123456789",
        MFA_ENCRYPTION_KEYS="cHJvZHVjdGlvbi1saWtlLWtleS1mb3ItdGhlLWNoayE=",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_without_secret_key_explains_itself():
    result = _manage("check", DJANGO_SETTINGS_MODULE="compliance.settings", DJANGO_DEBUG="false")
    assert result.returncode == 2
    assert "DJANGO_SECRET_KEY is not set" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_setting_value_names_the_variable():
    result = _manage(
        "check", DJANGO_SETTINGS_MODULE="compliance.settings", DJANGO_DEBUG="maybe-not", DJANGO_SECRET_KEY="x" * 50
    )
    assert result.returncode == 2
    assert "DJANGO_DEBUG" in result.stderr
    assert "Traceback" not in result.stderr


def test_openapi_schema_validates_without_warnings(tmp_path):
    result = _manage(
        "spectacular",
        "--validate",
        "--fail-on-warn",
        "--file",
        str(tmp_path / "schema.yml"),
        DJANGO_SETTINGS_MODULE="compliance.settings_test",
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.django_db
def test_api_me_with_token_and_session(client, make_user):
    user = make_user(roles.STAFF, roles.HR)
    response = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {api_token(user)}")
    assert response.status_code == 200
    assert response.json()["roles"] == ["HR", "Staff"]
    assert client.get("/api/v1/me/").status_code in (401, 403)


@pytest.mark.django_db
def test_api_docs_are_served_without_a_cdn(client, make_user, login):
    login(make_user(roles.STAFF))
    html = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in html
    assert "cdn" not in html.lower()


def test_docker_compose_declares_the_services_and_their_commands():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert set(services) >= {"postgres", "redis", "web", "worker", "beat"}
    assert "healthcheck" in services["postgres"] and "healthcheck" in services["redis"]
    assert "gunicorn --config gunicorn.conf.py compliance.wsgi:application" in services["web"]["command"]
    assert (ROOT / "gunicorn.conf.py").exists()
    assert "migrate" in services["web"]["command"]
    assert services["worker"]["command"][:4] == ["celery", "-A", "compliance", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "compliance", "beat"]
    assert any("uploads" in v for v in services["web"]["volumes"])
    assert "pgdata" in compose["volumes"]
    # The commands name things that exist in this repository.
    assert (ROOT / "compliance" / "wsgi.py").exists() and (ROOT / "compliance" / "celery.py").exists()
    assert (ROOT / "Dockerfile").exists()


def test_beat_schedule_names_only_registered_tasks():
    from compliance.celery import app

    app.loader.import_default_modules()
    registered = set(app.tasks)
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        assert entry["task"] in registered, f"schedule {name!r} names unknown task {entry['task']!r}"
    # Jobs of a dead worker are re-queued only if the sweeper is scheduled (every minute).
    sweepers = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "reporting.tasks.stale_jobs_requeue"]
    assert len(sweepers) == 1 and sweepers[0]["schedule"].minute == set(range(60))


def test_celery_is_configured_for_safe_redelivery():
    from compliance.celery import app

    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.broker_url == settings.REDIS_URL
    # Unacknowledged work comes back after the longest task could have run, not after Redis's default hour.
    visibility = app.conf.broker_transport_options["visibility_timeout"]
    assert app.conf.task_time_limit < visibility <= 30 * 60


@pytest.mark.django_db
def test_auditlog_records_role_changes(make_user):
    from auditlog.models import LogEntry
    from django.contrib.auth.models import Group

    user = make_user(roles.STAFF)
    user.groups.add(Group.objects.get(name=roles.HR))
    assert LogEntry.objects.get_for_object(user).exists()


@pytest.mark.django_db
def test_notification_purge_keeps_unread(make_user):
    from django.utils import timezone

    from compliance.services import notifications_purge_read

    user = make_user(roles.STAFF)
    old = timezone.now() - timezone.timedelta(days=400)
    NotificationFactory(recipient=user, read_at=old)
    NotificationFactory(recipient=user)
    assert notifications_purge_read() == 1
    assert Notification.objects.filter(recipient=user).count() == 1


def test_models_and_migrations_agree():
    result = _manage("makemigrations", "--check", "--dry-run", DJANGO_SETTINGS_MODULE="compliance.settings_test")
    assert result.returncode == 0, result.stdout + result.stderr
