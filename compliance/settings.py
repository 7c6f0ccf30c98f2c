"""Settings for the modern slavery compliance application.

Every value that differs between a laptop and production comes from the
environment (or a `.env` file) through django-environ, here and nowhere else.
The defaults are safe for production; the quick start (`make run`) switches on
DEBUG, eager tasks and SQLite explicitly.
"""

import base64
import datetime
import hashlib
from pathlib import Path

import environ
from celery.schedules import crontab
from cryptography.fernet import Fernet
from csp.constants import NONCE
from django.core.exceptions import ImproperlyConfigured

from compliance.object_storage import s3_storage

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A local .env is optional; the environment always wins over it.
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _env(name, cast, default):
    """Read one variable strictly: a value that does not parse stops start-up."""
    if cast == env.bool and name in env.ENVIRON:
        # django-environ reads any unknown word as False; a typo must not
        # quietly switch a safety setting off.
        raw = env.ENVIRON[name].strip().lower()
        if raw not in _TRUE | _FALSE:
            raise ImproperlyConfigured(f"{name} must be true or false, not {env.ENVIRON[name]!r}")
    try:
        return cast(name, default=default)
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(f"{name} has an invalid value: {exc}") from exc


# --- Core -------------------------------------------------------------------
DEBUG = _env("DJANGO_DEBUG", env.bool, False)
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Production refuses to start without it; "
            "set DJANGO_DEBUG=true for a local quick start."
        )
    SECRET_KEY = "insecure-quick-start-key-not-for-production-use-only-for-debug"

ALLOWED_HOSTS = _env("DJANGO_ALLOWED_HOSTS", env.list, ["localhost", "127.0.0.1"])
CSRF_TRUSTED_ORIGINS = _env("DJANGO_CSRF_TRUSTED_ORIGINS", env.list, [])
# How many reverse proxies in front of gunicorn append to X-Forwarded-For (0: none, trust REMOTE_ADDR).
TRUSTED_PROXY_COUNT = _env("TRUSTED_PROXY_COUNT", env.int, 0)
SITE_URL = _env("SITE_URL", env.str, "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # third party
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "rules.apps.AutodiscoverRulesConfig",
    "auditlog",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "django_countries",
    "django_filters",
    "rest_framework",
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "csp",
    # ours
    "compliance.apps.ComplianceConfig",
    "safeguarding",
    "suppliers",
    "training",
    "reporting",
]

MIDDLEWARE = [
    "compliance.request_log.RequestIdMiddleware",
    "compliance.middleware.RefuseTraceMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before anything reads the body: limits on files per submission (compliance/uploads.py).
    "compliance.uploads.UploadLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Accept-Language, or the language cookie set by the switch in base.html.
    "django.middleware.locale.LocaleMiddleware",
    # The Compliance admin's own wording for journey strings, in front of the catalogue.
    "compliance.i18n.JourneyWordingMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    "compliance.middleware.RequireMFAMiddleware",
]

ROOT_URLCONF = "compliance.urls"
WSGI_APPLICATION = "compliance.wsgi.application"
ASGI_APPLICATION = "compliance.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "compliance.context_processors.platform",
            ],
        },
    },
]

# --- Database ----------------------------------------------------------------
# SQLite only for the zero-setup quick start; PostgreSQL in production and CI.
DATABASES = {"default": _env("DATABASE_URL", env.db_url, f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", _env("DB_CONN_MAX_AGE", env.int, 60))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache -------------------------------------------------------------------
# Rate limits (login, receipt codes) live in the cache, so production must use
# a shared one (Redis) for them to hold across gunicorn workers.
CACHES = {"default": _env("CACHE_URL", env.cache_url, "locmemcache://")}
# Reporting must never depend on the cache: with Redis down, rate limits fail
# open (logged) rather than refusing a report or a sign-in with a 500, and a
# Redis that stops answering costs at most CACHE_TIMEOUT_SECONDS per call.
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    CACHES["default"]["BACKEND"] = "compliance.cache.FailOpenRedisCache"
    _cache_timeout = _env("CACHE_TIMEOUT_SECONDS", env.float, 1.0)
    CACHES["default"].setdefault("OPTIONS", {}).update(
        socket_connect_timeout=_cache_timeout, socket_timeout=_cache_timeout
    )

# --- Auth --------------------------------------------------------------------
AUTH_USER_MODEL = "compliance.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "account_login"

ACCOUNT_ADAPTER = "compliance.adapters.AccountAdapter"
MFA_ADAPTER = "compliance.adapters.MFAAdapter"
# allauth reads the client address for its rate limits itself: behind the proxy
# every client would otherwise share the proxy's address (and one attacker's
# failures would lock everybody out).
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_PREVENT_ENUMERATION = True
# Five wrong passwords for one account *from one address* within five minutes
# lock that account at that address for the rest of the window (the adapter puts
# the address into allauth's "key"), so a stranger cannot lock the owner out from
# elsewhere; ten failures a minute from one address stop that address. A password
# reset clears the lock. See README "Sign-in lockout" for the trade-off.
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/5m/key"}
# Failed sign-ins for one account (from any address) within an hour after which
# its holder is told by email, at most once an hour.
LOGIN_FAILURE_NOTIFY_AFTER = _env("LOGIN_FAILURE_NOTIFY_AFTER", env.int, 5)
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = _env("MFA_TOTP_ISSUER", env.str, "Modern Slavery Compliance")


def _fernet_keys(name: str, purpose: str) -> list[str]:
    """Fernet keys from the environment variable `name`, newest first (older keys still decrypt).

    Production refuses to start without one or with one that is not a Fernet key; the quick
    start (DEBUG) derives one from its insecure secret key, a different one per purpose.
    """
    keys = _env(name, env.list, [])
    if not keys:
        if not DEBUG:
            raise ImproperlyConfigured(
                f"{name} is not set. Production refuses to start without it; generate one with "
                "python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'"
            )
        keys = [base64.urlsafe_b64encode(hashlib.sha256(f"{purpose}:{SECRET_KEY}".encode()).digest()).decode()]
    for key in keys:
        try:
            Fernet(key)
        except ValueError as exc:
            raise ImproperlyConfigured(f"{name} holds a key that is not a Fernet key: {exc}") from exc
    return keys


# TOTP secrets and recovery-code seeds are encrypted at rest (Fernet: AES-128-CBC
# + HMAC-SHA256) with these keys, newest first; older keys still decrypt, so a
# key can be rotated without locking anyone out (README "Secrets at rest").
MFA_ENCRYPTION_KEYS = _fernet_keys("MFA_ENCRYPTION_KEYS", "mfa")

# Case data is encrypted at rest (narratives, notes, messages, reporter and caller
# contact details, referral free text, attachment files: compliance/encryption.py)
# with these Fernet keys, newest first; older keys still decrypt, so a key rotates by
# putting a new one first and running `manage.py encrypt_case_data` (README "Secrets
# at rest"). Separate from the MFA keys so either can rotate alone.
DATA_ENCRYPTION_KEYS = _fernet_keys("DATA_ENCRYPTION_KEYS", "data")

# Idle timeout: the cookie lives 30 minutes and is renewed on every request.
SESSION_COOKIE_AGE = _env("SESSION_IDLE_TIMEOUT_SECONDS", env.int, 30 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# --- Security ----------------------------------------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = _env("DJANGO_SECURE_SSL_REDIRECT", env.bool, not DEBUG)
SESSION_COOKIE_SECURE = _env("DJANGO_SECURE_COOKIES", env.bool, not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = _env("DJANGO_HSTS_SECONDS", env.int, 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Explicit paths that must stay plain HTTP for load balancer probes.
SECURE_REDIRECT_EXEMPT = [r"^health/$"]

# Scripts and styles come only from our own origin; no inline script without
# a nonce, no CDN.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# --- I18N --------------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
# The reporting journey's languages, each named in itself (the switch lists them so,
# and the Lead reads "Reported in: Polski"). Arabic and Urdu are right-to-left
# (Django's LANGUAGES_BIDI). Translations live in locale/ (see README).
LANGUAGES = [
    ("en-gb", "English"),
    ("cy", "Cymraeg"),
    ("pl", "Polski"),
    ("ro", "Română"),
    ("pt", "Português"),
    ("es", "Español"),
    ("bg", "Български"),
    ("uk", "Українська"),
    ("tl", "Tagalog"),
    ("ml", "മലയാളം"),
    ("hi", "हिन्दी"),
    ("ne", "नेपाली"),
    ("sn", "chiShona"),
    ("ar", "العربية"),
    ("ur", "اردو"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# A year: a reporter who chose a language once should not have to find the switch again.
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SAMESITE = "Lax"
USE_TZ = True

# --- Static and uploaded files -------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = _env("STATIC_ROOT", env.path, BASE_DIR / "var" / "static")
NODE_MODULES = BASE_DIR / "node_modules"
# Front-end libraries come from npm (package.json + lock file) and are served
# from their dist folders; nothing is copied into the repository by hand.
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    # Searchable selects (compliance.widgets.SearchSelect, static/js/search-select.js).
    ("vendor/tom-select", NODE_MODULES / "tom-select" / "dist"),
]
# Uploads (case attachments, evidence, PDFs) live outside the web root and are
# never served by URL: only permission-checked views stream them.
MEDIA_ROOT = _env("MEDIA_ROOT", env.path, BASE_DIR / "var" / "uploads")
# No URL pattern serves this prefix (there is deliberately no static() for media).
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Object storage for uploads and PDFs when S3_BUCKET is set (any S3-compatible service),
# so that web replicas share nothing but PostgreSQL, Redis and the bucket. Objects are
# private and never addressed by URL: the same permission-checked views stream them.
S3_BUCKET = _env("S3_BUCKET", env.str, "")
if S3_BUCKET:
    STORAGES["default"] = s3_storage(
        bucket=S3_BUCKET,
        endpoint_url=_env("S3_ENDPOINT_URL", env.str, ""),
        region=_env("S3_REGION", env.str, ""),
        access_key=_env("S3_ACCESS_KEY_ID", env.str, ""),
        secret_key=_env("S3_SECRET_ACCESS_KEY", env.str, ""),
        prefix=_env("S3_PREFIX", env.str, "uploads"),
    )
FILE_UPLOAD_PERMISSIONS = 0o640
ATTACHMENT_MAX_BYTES = _env("ATTACHMENT_MAX_BYTES", env.int, 10 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Per form submission (compliance/uploads.py): files beyond these are not read, and the form says why.
UPLOAD_MAX_FILES = _env("UPLOAD_MAX_FILES", env.int, 5)
UPLOAD_MAX_TOTAL_BYTES = _env("UPLOAD_MAX_TOTAL_BYTES", env.int, 20 * 1024 * 1024)
# Room for a form's text fields on top of its files when judging a request by its Content-Length.
UPLOAD_FORM_TEXT_ALLOWANCE = 512 * 1024

# --- Email -------------------------------------------------------------------
EMAIL_CONFIG = _env("EMAIL_URL", env.email_url, "consolemail://")
vars().update(EMAIL_CONFIG)
# Every email goes through the outbox and is sent by a worker; a hanging SMTP
# server holds that worker for at most this long per message.
EMAIL_TIMEOUT = _env("EMAIL_TIMEOUT", env.int, 10)
# A message that cannot be sent is retried with backoff for this long, then marked failed.
EMAIL_RETRY_HOURS = _env("EMAIL_RETRY_HOURS", env.int, 24)
DEFAULT_FROM_EMAIL = _env("DEFAULT_FROM_EMAIL", env.str, "compliance@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Celery ------------------------------------------------------------------
REDIS_URL = _env("REDIS_URL", env.str, "redis://127.0.0.1:6379/0")
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = _env("CELERY_TASK_ALWAYS_EAGER", env.bool, False)
CELERY_TASK_EAGER_PROPAGATES = True
# A task is acknowledged only when it has finished, and put back if the worker
# dies mid-way; every task is written to be safe to run twice.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 10 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 9 * 60
# Redis keeps an unacknowledged message invisible for this long, then hands it to
# another worker. It must outlast the longest task (the hard time limit above),
# or a task still running would be started a second time; the default (one hour)
# left the work of a dead worker waiting an hour. Jobs with a lease (Board report,
# imports) do not wait even this long: the sweeper re-queues them once their
# heartbeat is JOB_LEASE_STALE_SECONDS old. No task may use a countdown/ETA longer
# than this (retries with long backoff are scheduled from the database instead).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": _env("CELERY_VISIBILITY_TIMEOUT_SECONDS", env.int, CELERY_TASK_TIME_LIMIT + 5 * 60)
}
# Job leases (compliance/leases.py): a worker beats every JOB_HEARTBEAT_SECONDS;
# a lease without a beat for JOB_LEASE_STALE_SECONDS belongs to a dead worker and
# the job is queued again, at most JOB_MAX_ATTEMPTS starts in all.
JOB_HEARTBEAT_SECONDS = _env("JOB_HEARTBEAT_SECONDS", env.int, 10)
JOB_LEASE_STALE_SECONDS = _env("JOB_LEASE_STALE_SECONDS", env.int, 90)
JOB_MAX_ATTEMPTS = _env("JOB_MAX_ATTEMPTS", env.int, 3)
# An import file checked but neither confirmed nor abandoned is abandoned (and deleted) after this.
IMPORT_KEEP_DAYS = _env("IMPORT_KEEP_DAYS", env.int, 30)
# An XLSX export of more rows than this is written by a worker and offered as a download link
# (compliance/export_jobs.py): built in the request it outlasts gunicorn's timeout at scale. A CSV
# streams from its first row, so it always downloads at once.
EXPORT_BACKGROUND_FROM_ROWS = _env("EXPORT_BACKGROUND_FROM_ROWS", env.int, 20000)
# A background export's file is kept this long for its requester, then deleted (it holds personal data).
EXPORT_KEEP_HOURS = _env("EXPORT_KEEP_HOURS", env.int, 24)
if EXPORT_BACKGROUND_FROM_ROWS < 1 or EXPORT_KEEP_HOURS < 1:
    raise ImproperlyConfigured("EXPORT_BACKGROUND_FROM_ROWS and EXPORT_KEEP_HOURS must be positive numbers")
# Test-only hook: makes each Board report render this slow (while beating), so a
# test can kill a real worker mid-render. Always 0 in production.
BOARD_REPORT_RENDER_DELAY_SECONDS = _env("BOARD_REPORT_RENDER_DELAY_SECONDS", env.float, 0.0)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Queueing from a web request must fail fast when Redis is down: the database
# row (outbox message, job) is the source of truth and a beat sweeper picks it
# up, so one quick retry is enough and a request is never held for long.
CELERY_BROKER_CONNECTION_TIMEOUT = _env("CELERY_BROKER_CONNECTION_TIMEOUT", env.float, 2.0)
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
CELERY_BROKER_TRANSPORT_OPTIONS["socket_connect_timeout"] = CELERY_BROKER_CONNECTION_TIMEOUT
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# The schedule is declared here, in code; django-celery-beat copies it into the
# database where the Compliance admin can see when each task last ran.
# compliance/figure_cache.py uses only a shared cache (Redis); True lets one process use locmem.
FIGURE_CACHE_IN_PROCESS = _env("FIGURE_CACHE_IN_PROCESS", env.bool, False)
# KPIs of the period under way are cached this long (reporting/kpi_figures.py); 0 turns it off.
KPI_OPEN_PERIOD_CACHE_SECONDS = _env("KPI_OPEN_PERIOD_CACHE_SECONDS", env.int, 60)
CELERY_BEAT_SCHEDULE = {
    # Stored KPI figures of ended periods, recomputed so a late edit reaches them within the hour.
    "kpi-figures-refresh": {"task": "reporting.tasks.kpi_figures_refresh", "schedule": crontab(minute=20)},
    "outbox-sweep": {"task": "compliance.tasks.outbox_sweep", "schedule": crontab()},
    "training-reminders": {"task": "training.tasks.training_reminders", "schedule": crontab(hour=7, minute=0)},
    "training-manager-digest": {
        "task": "training.tasks.manager_digest",
        "schedule": crontab(hour=7, minute=30, day_of_week="mon"),
    },
    "training-policy-review-due": {"task": "training.tasks.policy_review_due", "schedule": crontab(hour=7, minute=10)},
    "training-right-to-work-expiry": {
        "task": "training.tasks.right_to_work_expiry",
        "schedule": crontab(hour=7, minute=20),
    },
    "notifications-purge-read": {
        "task": "compliance.tasks.notifications_purge_read",
        "schedule": crontab(hour=3, minute=15),
    },
    "suppliers-risk-review-due": {
        "task": "suppliers.tasks.supplier_risk_review_due",
        "schedule": crontab(hour=6, minute=30),
    },
    "suppliers-corrective-action-escalation": {
        "task": "suppliers.tasks.corrective_action_escalation",
        "schedule": crontab(hour=6, minute=40),
    },
    "suppliers-questionnaire-chasers": {
        "task": "suppliers.tasks.questionnaire_chasers",
        "schedule": crontab(hour=6, minute=50),
    },
    "suppliers-certificate-expiry": {
        "task": "suppliers.tasks.certificate_expiry",
        "schedule": crontab(hour=6, minute=55),
    },
    "suppliers-lsas-expiry-reminders": {
        "task": "suppliers.tasks.lsas_expiry_reminders",
        "schedule": crontab(hour=6, minute=55),
    },
    "suppliers-registry-check-reminders": {
        "task": "suppliers.tasks.registry_check_reminders",
        "schedule": crontab(hour=7, minute=0),
    },
    "suppliers-agency-checks-due": {
        "task": "suppliers.tasks.agency_checks_due",
        "schedule": crontab(hour=6, minute=58),
    },
    "safeguarding-case-retention": {
        "task": "safeguarding.tasks.case_retention",
        "schedule": crontab(hour=2, minute=30),
    },
    "compliance-access-log-retention": {
        "task": "compliance.tasks.access_log_retention",
        "schedule": crontab(hour=2, minute=45),
    },
    "safeguarding-case-sla-escalation": {
        "task": "safeguarding.tasks.case_sla_escalation",
        "schedule": crontab(minute=5),
    },
    "safeguarding-reporter-care-reminders": {
        # Acknowledgement and feedback deadlines owed to reporters (safeguarding.services.care).
        "task": "safeguarding.tasks.reporter_care_reminders",
        "schedule": crontab(minute=35),
    },
    "safeguarding-referral-outcome-chase": {
        "task": "safeguarding.tasks.referral_outcome_chase",
        "schedule": crontab(hour=7, minute=40),
    },
    "safeguarding-cqc-notification-reminders": {
        "task": "safeguarding.tasks.cqc_notification_reminders",
        "schedule": crontab(hour=7, minute=45),
    },
    "reporting-kpi-snapshot": {
        "task": "reporting.tasks.kpi_snapshot",
        "schedule": crontab(day_of_month=1, hour=2, minute=0),
    },
    "reporting-statement-deadline-reminders": {
        "task": "reporting.tasks.statement_deadline_reminders",
        "schedule": crontab(hour=8, minute=0),
    },
    "reporting-stale-jobs-requeue": {
        # Board reports, imports and exports whose worker died, or whose message never reached one.
        "task": "reporting.tasks.stale_jobs_requeue",
        "schedule": crontab(minute="*"),
    },
    "compliance-export-jobs-expire": {
        # Background exports past EXPORT_KEEP_HOURS: the file deleted, the job marked expired.
        "task": "compliance.tasks.export_jobs_expire",
        "schedule": crontab(hour=2, minute=50),
    },
    "reporting-risk-register-reviews-due": {
        "task": "reporting.tasks.risk_register_reviews_due",
        "schedule": crontab(hour=8, minute=10),
    },
}

# --- Suppliers ---------------------------------------------------------------
# An accepted questionnaire's gap answer at or above this severity (low, medium, high,
# critical) becomes a finding with a proposed corrective action; below it, the gap only
# moves the risk score.
SUPPLIER_QUESTIONNAIRE_FINDING_FROM = _env("SUPPLIER_QUESTIONNAIRE_FINDING_FROM", env.str, "medium").strip().lower()
if SUPPLIER_QUESTIONNAIRE_FINDING_FROM not in ("low", "medium", "high", "critical"):
    raise ImproperlyConfigured(
        "SUPPLIER_QUESTIONNAIRE_FINDING_FROM must be low, medium, high or critical, "
        f"not {SUPPLIER_QUESTIONNAIRE_FINDING_FROM!r}"
    )

# --- API ---------------------------------------------------------------------
REST_FRAMEWORK = {
    # Token first: DRF takes the WWW-Authenticate challenge (and so 401 rather
    # than 403 for a missing or bad credential) from the first class.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "compliance.api_auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "compliance.api_permissions.MFAEnrolledForPrivilegedRoles",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "compliance.pagination.PageOrCursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "compliance.api_schema.AutoSchema",
    "EXCEPTION_HANDLER": "compliance.api_exceptions.exception_handler",
}
# API tokens (django-rest-knox): only a SHA-512 digest is stored; the token is
# shown once when it is created and stops working after API_TOKEN_TTL_DAYS.
REST_KNOX = {
    "TOKEN_TTL": datetime.timedelta(days=_env("API_TOKEN_TTL_DAYS", env.int, 90)),
    "AUTO_REFRESH": False,
    "AUTH_HEADER_PREFIX": "Token",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Modern Slavery Compliance API",
    "DESCRIPTION": "Concerns, cases, suppliers, training and reporting, under the same permissions as the web pages.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # The schema and the docs page are for signed-in users unless API_DOCS_PUBLIC=true.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"]
    if _env("API_DOCS_PUBLIC", env.bool, False)
    else ["rest_framework.permissions.IsAuthenticated", "compliance.api_permissions.MFAEnrolledForPrivilegedRoles"],
}

# --- Forms -------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
# Django's widget templates, with plain inputs, selects and textareas written in Python (same markup).
FORM_RENDERER = "compliance.form_renderer.WidgetRenderer"

# --- Audit -------------------------------------------------------------------
AUDITLOG_INCLUDE_ALL_MODELS = False

# --- Domain defaults ---------------------------------------------------------
MODERN_SLAVERY_HELPLINE = "08000 121 700"

# --- Logging -----------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Every line carries the request id; questionnaire link tokens are taken out (compliance/request_log.py).
    "filters": {"request": {"()": "compliance.request_log.RequestLogFilter"}},
    "formatters": {"default": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["request"], "formatter": "default"}},
    "root": {"handlers": ["console"], "level": _env("LOG_LEVEL", env.str, "INFO")},
}


# --- Safeguarding ------------------------------------------------------------
def sla_from_env(name, default):
    """An SLA as "<n>h" (clock hours) or "<n>wd" (working days, Monday to Friday)."""
    raw = _env(name, env.str, default).strip().lower()
    for unit in ("wd", "h"):
        if raw.endswith(unit) and raw[: -len(unit)].isdigit() and int(raw[: -len(unit)]) > 0:
            return (int(raw[: -len(unit)]), unit)
    raise ImproperlyConfigured(f"{name} must look like 4h or 3wd, not {raw!r}")


# Triage starts when a concern arrives (risk is provisional: critical if
# someone is in immediate danger); investigation starts at triage.
CASE_SLA = {
    "triage": {
        "critical": sla_from_env("CASE_SLA_TRIAGE_CRITICAL", "4h"),
        "high": sla_from_env("CASE_SLA_TRIAGE_HIGH", "24h"),
        "medium": sla_from_env("CASE_SLA_TRIAGE_MEDIUM", "3wd"),
        "low": sla_from_env("CASE_SLA_TRIAGE_LOW", "3wd"),
    },
    "investigation": {
        "critical": sla_from_env("CASE_SLA_INVESTIGATION_CRITICAL", "2wd"),
        "high": sla_from_env("CASE_SLA_INVESTIGATION_HIGH", "5wd"),
        "medium": sla_from_env("CASE_SLA_INVESTIGATION_MEDIUM", "20wd"),
        "low": sla_from_env("CASE_SLA_INVESTIGATION_LOW", "20wd"),
    },
}
# An overdue case tells the Lead; still overdue this many hours later, the
# Compliance admin (the Lead's deputy) is told as well.
CASE_SLA_DEPUTY_AFTER_HOURS = _env("CASE_SLA_DEPUTY_AFTER_HOURS", env.int, 24)
# Retention of closed cases (README "Retention"): months after closure before the
# narrative, identities, contact details, messages, notes and files are removed, when
# no RetentionRule for the case's outcome/channel says otherwise. Six years: the
# Limitation Act 1980 s.2/s.5 period for most civil claims, the usual floor in the
# NHS Records Management Code of Practice 2021 (Appendix II) for corporate and
# incident records; storage limitation, UK GDPR Art. 5(1)(e), is why there is an end.
CASE_RETENTION_MONTHS = _env("CASE_RETENTION_MONTHS", env.int, 72)
# The Lead is told this many days before a case's content is removed (once per case).
CASE_RETENTION_WARNING_DAYS = _env("CASE_RETENTION_WARNING_DAYS", env.int, 30)
# Access-log rows (who read which record) are deleted after this many months.
ACCESS_LOG_RETENTION_MONTHS = _env("ACCESS_LOG_RETENTION_MONTHS", env.int, 72)
# A referral waits on the first responder: the assignee (the Lead when nobody is assigned) is
# reminded to chase its outcome this many days after it was made, and again every as many days,
# until an outcome is recorded (a positive reasonable grounds decision starts a new wait).
REFERRAL_OUTCOME_CHASE_DAYS = _env("REFERRAL_OUTCOME_CHASE_DAYS", env.int, 14)
# A substantiated case about a service user must be notified to CQC "without delay" (Care Quality
# Commission (Registration) Regulations 2009 reg. 18): the Lead is reminded every this many days until
# the notification is recorded on the case.
CQC_NOTIFICATION_REMINDER_DAYS = _env("CQC_NOTIFICATION_REMINDER_DAYS", env.int, 1)
for _name in ("REFERRAL_OUTCOME_CHASE_DAYS", "CQC_NOTIFICATION_REMINDER_DAYS"):
    if globals()[_name] < 1:
        raise ImproperlyConfigured(f"{_name} must be a whole number of days, 1 or more")
# Wrong receipt codes from one address before it must wait, and for how long.
RECEIPT_CODE_MAX_ATTEMPTS = _env("RECEIPT_CODE_MAX_ATTEMPTS", env.int, 5)
RECEIPT_CODE_LOCKOUT_SECONDS = _env("RECEIPT_CODE_LOCKOUT_SECONDS", env.int, 15 * 60)
# Wrong codes that start with the same characters, from any address, before that
# prefix must wait as well (against many connections guessing around one code).
RECEIPT_CODE_PREFIX_LENGTH = _env("RECEIPT_CODE_PREFIX_LENGTH", env.int, 4)
RECEIPT_CODE_PREFIX_MAX_ATTEMPTS = _env("RECEIPT_CODE_PREFIX_MAX_ATTEMPTS", env.int, 10)
# A receipt code opens the report in that browser only until it has been idle this long.
RECEIPT_SESSION_IDLE_SECONDS = _env("RECEIPT_SESSION_IDLE_SECONDS", env.int, 10 * 60)
# Anonymous reports accepted from one address per hour (a flood must not bury real reports).
ANONYMOUS_REPORTS_PER_HOUR = _env("ANONYMOUS_REPORTS_PER_HOUR", env.int, 10)
# Supplier portal (suppliers/services/portal.py): a contact's link works this many days;
# link openings accepted from one address per hour (against guessing tokens);
# certificate expiry reminders go this many days before a certificate expires.
SUPPLIER_PORTAL_LINK_DAYS = _env("SUPPLIER_PORTAL_LINK_DAYS", env.int, 90)
SUPPLIER_PORTAL_OPENS_PER_HOUR = _env("SUPPLIER_PORTAL_OPENS_PER_HOUR", env.int, 30)
SUPPLIER_CERTIFICATE_REMINDER_DAYS = _env("SUPPLIER_CERTIFICATE_REMINDER_DAYS", env.int, 30)
for _name in ("SUPPLIER_PORTAL_LINK_DAYS", "SUPPLIER_PORTAL_OPENS_PER_HOUR", "SUPPLIER_CERTIFICATE_REMINDER_DAYS"):
    if globals()[_name] < 1:
        raise ImproperlyConfigured(f"{_name} must be a whole number, 1 or more")
# Other apps have a "status" too: give the case workflow's its own schema name.
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"] = {
    **SPECTACULAR_SETTINGS.get("ENUM_NAME_OVERRIDES", {}),
    "CaseStatusEnum": "safeguarding.models.Status",
    "ReferralKindEnum": "safeguarding.models.Referral.Kind",
    "ReferralOutcomeEnum": "safeguarding.models.ReferralOutcome",
    "OutcomeEnum": "safeguarding.models.Outcome",
    "FirstResponderCategoryEnum": "safeguarding.models.FirstResponder.Category",
    "AnswerEnum": "safeguarding.models.Answer",
    "ChannelEnum": "safeguarding.models.Channel",
    # A phone call, a visit or a letter written down by the Lead or the team (the intake API).
    "IntakeChannelEnum": "safeguarding.models.INTAKE_CHANNEL_CHOICES",
}
