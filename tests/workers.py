"""Real Celery worker processes for tests about dying workers and background jobs.

The worker runs in its own process group against the test database (PostgreSQL:
committed rows are visible to it) and the test's Redis, so a test can SIGKILL it
exactly as an out-of-memory killer or a lost machine would.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from tests.support import require_service

ROOT = Path(__file__).resolve().parent.parent


def require_postgres_and_redis() -> None:
    import redis

    require_service("PostgreSQL", connection.vendor == "postgresql", "a worker process needs a shared database")
    try:
        ok = bool(redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        ok = False
    require_service("Redis", ok, settings.REDIS_URL)


def _database_url() -> str:
    d = connection.settings_dict
    return f"postgres://{d['USER']}:{d['PASSWORD'] or ''}@{d['HOST'] or '127.0.0.1'}:{d['PORT'] or 5432}/{d['NAME']}"


class WorkerProcess:
    """`celery -A compliance worker` with production settings, started and killed by the test."""

    def __init__(self, log_dir: Path, name: str, **env: str):
        self.log = log_dir / f"worker-{name}.log"
        full_env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST", "CELERY_"))}
        full_env.update(
            DJANGO_SETTINGS_MODULE="compliance.settings",
            DJANGO_SECRET_KEY="worker-test-secret-key-0123456789-0123456789-0123456789",
            DJANGO_DEBUG="false",
            DATABASE_URL=_database_url(),
            DB_CONN_MAX_AGE="0",
            REDIS_URL=settings.REDIS_URL,
            MEDIA_ROOT=str(settings.MEDIA_ROOT),
            CELERY_TASK_ALWAYS_EAGER="false",
            JOB_HEARTBEAT_SECONDS="1",
        )
        full_env.update(env)
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "compliance",
                "worker",
                "--pool=solo",
                "--loglevel=INFO",
                f"--hostname={name}@%h",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],  # fmt: skip
            cwd=ROOT,
            env=full_env,
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: SIGKILL reaches every process of it
        )

    def kill(self) -> None:
        """SIGKILL the whole worker, as the kernel's OOM killer would: no clean-up runs."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]


def wait_for(condition, *, timeout: float, worker: WorkerProcess | None = None, what: str = "condition"):
    """Poll the database until a real worker has done something (the only sleep the house rules allow)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        if worker is not None and worker.process.poll() is not None:
            raise AssertionError(f"the worker exited while waiting for {what}:\n{worker.output()}")
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}" + (f":\n{worker.output()}" if worker else ""))


@pytest.fixture
def real_broker():
    """Queue to Redis for real during the test (the test settings run tasks in-process)."""
    from compliance.celery import app

    require_postgres_and_redis()
    app.conf.task_always_eager = False
    app.control.purge()
    try:
        yield
    finally:
        app.control.purge()
        app.conf.task_always_eager = True
