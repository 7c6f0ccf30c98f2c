"""A scratch database and child processes for the benchmark commands (scripts, not tests)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError


class ScratchRun:
    """Runs our own manage.py in fresh processes against a throwaway database and media folder.

    Each step runs in its own process so that what it measures (time, peak memory) is its own.
    """

    def __init__(self, *, prefix: str, database_url: str = ""):
        if not settings.DEBUG:
            raise CommandError("Run with DJANGO_DEBUG=true: the benchmark writes a scratch database.")
        workdir = Path(tempfile.mkdtemp(prefix=prefix))
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url or f"sqlite:///{workdir / 'bench.sqlite3'}",
            "MEDIA_ROOT": str(workdir / "media"),
            "CELERY_TASK_ALWAYS_EAGER": "true",
            "LOG_LEVEL": "WARNING",
        }
        self.manage = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py")]

    @property
    def database_url(self) -> str:
        return self.env["DATABASE_URL"]

    def run(self, *argv: str, capture: bool = False) -> str:
        """Run one manage.py command; its standard output when captured."""
        result = subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
            [*self.manage, *argv], env=self.env, check=True, capture_output=capture, text=True
        )
        return result.stdout or ""
