"""Test settings: the real settings, made fast and self-contained.

DATABASE_URL and REDIS_URL still come from the environment, so the same suite
runs on SQLite locally and on PostgreSQL + Redis in CI.
"""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "test-secret-key-only-for-the-test-suite-0123456789")
os.environ.setdefault("DJANGO_DEBUG", "false")
# A fixed Fernet key for the suite only (production reads its own from the environment).
os.environ.setdefault("MFA_ENCRYPTION_KEYS", "dGVzdC1vbmx5LW1mYS1rZXktZm9yLXRoZS1zdWl0ZSE=")
os.environ.setdefault("DATA_ENCRYPTION_KEYS", "dGVzdC1vbmx5LWNhc2UtZGF0YS1rZXktZm9yLWl0ISE=")

from compliance.settings import *  # noqa: E402,F403
from compliance.settings import STORAGES  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
ALLOWED_HOSTS = ["*"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# The suite runs in one process, so cached figures may live in locmem (compliance/figure_cache.py).
FIGURE_CACHE_IN_PROCESS = True
LANGUAGE_COOKIE_SECURE = False

# pytest-xdist workers ("gw0", "gw1", ...) each get their own test database from pytest-django;
# give each its own Redis database too, so a real Celery worker started by one test never takes
# the tasks another worker's test queued against a different database.
_xdist_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if _xdist_worker.startswith("gw"):
    _base, _, _db = REDIS_URL.rpartition("/")
    REDIS_URL = f"{_base}/{(int(_db) if _db.isdigit() else 0) + int(_xdist_worker[2:])}"
    CELERY_BROKER_URL = REDIS_URL
