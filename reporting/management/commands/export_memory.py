"""Peak memory of the exports at 10,000 and 100,000 rows (a script, not a test): it must not grow with the rows.

    DJANGO_DEBUG=true DATABASE_URL=postgres://... python manage.py export_memory [--rows 10000 100000]

Makes its own scratch database (`export_memory`, dropped first) on the server of
DATABASE_URL, fills it by bulk inserts with N cases, N access-log entries and N
suppliers for each N in turn, and downloads each export (cases, access log,
supplier register; CSV and XLSX) as its role in a fresh process, through the
views (Django's test client, so no web server's buffers are counted). Each
process first asks for the same export filtered to nothing, so imports and
caches are in place; then it measures the download: the Python heap's peak
during it (tracemalloc; slow, so off unless --tracemalloc) and how far the
process's peak RSS rose above its RSS before it (getrusage: everything,
psycopg's and openpyxl's C buffers included). It prints a table with the ratio
of the largest to the smallest size; constant memory is a ratio near 1 while
the rows grow tenfold.
"""

from __future__ import annotations

import datetime
import json
import os
import random
import resource
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from compliance import roles

# export -> (who downloads it, the CSV url, the XLSX url, a filter that matches no row)
EXPORTS = {
    "cases": ("lead@export-memory.example", "/cases/export.csv", "/cases/export.xlsx", "q=NOTHING"),
    "access-log": (
        "admin@export-memory.example",
        "/access-log/?format=csv",
        "/access-log/?format=xlsx",
        "record=NOTHING",
    ),
    "suppliers": (
        "procurement@export-memory.example",
        "/suppliers/export/",
        "/suppliers/export/?format=xlsx",
        "q=NOTHING",
    ),
}
PEOPLE = {
    "lead@export-memory.example": (roles.STAFF, roles.MODERN_SLAVERY_LEAD),
    "admin@export-memory.example": (roles.STAFF, roles.COMPLIANCE_ADMIN),
    "procurement@export-memory.example": (roles.STAFF, roles.PROCUREMENT),
}
MODELS = {"cases": "safeguarding.Concern", "access-log": "compliance.AccessLog", "suppliers": "suppliers.Supplier"}
BATCH = 5_000
MIB = 1024 * 1024


class Command(BaseCommand):
    help = "Peak memory of the case, access-log and supplier exports (CSV and XLSX) at two sizes."

    def add_arguments(self, parser):
        parser.add_argument("--rows", nargs="+", type=int, default=[10_000, 100_000])
        parser.add_argument("--database-name", default="export_memory")
        parser.add_argument("--exports", nargs="+", choices=list(EXPORTS), default=list(EXPORTS))
        parser.add_argument("--formats", nargs="+", choices=["csv", "xlsx"], default=["csv", "xlsx"])
        parser.add_argument("--tracemalloc", action="store_true", help="also the Python heap's peak (slow)")
        # The steps each run in a child process (a clean heap and RSS for each measurement).
        parser.add_argument("--fill", type=int, help="(child step)")
        parser.add_argument("--measure", nargs=2, metavar=("EXPORT", "FORMAT"), help="(child step)")

    def handle(self, *args, **options):
        if options["fill"] is not None:
            return _fill(options["fill"])
        if options["measure"]:
            kind, fmt = options["measure"]
            return self.stdout.write(json.dumps(_measure(kind, fmt, heap=options["tracemalloc"])))
        return self._run(options)

    # --- The parent: database, children, table -------------------------------------------

    def _run(self, options):
        import psycopg
        from psycopg import sql

        if not settings.DEBUG:
            raise CommandError("Run with DJANGO_DEBUG=true: the script writes a scratch database.")
        url = os.environ.get("DATABASE_URL", "")
        parts = urlsplit(url)
        name = options["database_name"]
        if not parts.scheme.startswith("postgres"):
            raise CommandError("Set DATABASE_URL to a PostgreSQL server (the script makes its own database there).")
        if name.startswith(("test", "wt_")) or name == parts.path.lstrip("/"):
            raise CommandError(f"Refusing to use {name!r}: the script needs a scratch database of its own.")
        admin = urlunsplit(parts._replace(path="/postgres"))
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        env = {
            **os.environ,
            "DATABASE_URL": urlunsplit(parts._replace(path=f"/{name}")),
            "LOG_LEVEL": "WARNING",
            # It measures the download streamed by the view, not a background job (compliance/export_jobs.py).
            "EXPORT_BACKGROUND_FROM_ROWS": str(10**9),
        }
        manage = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py")]

        def child(*argv, capture=False):
            done = subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
                [*manage, *argv], env=env, check=False, capture_output=capture, text=True
            )
            if done.returncode:
                raise CommandError(f"{' '.join(argv)} failed:\n{done.stderr or ''}")
            return done.stdout

        child("migrate", "--noinput", "-v", "0")
        sizes = sorted(options["rows"])
        results = {}
        self.stdout.write(f"export_memory: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
        for rows in sizes:
            started = time.perf_counter()
            child("export_memory", "--fill", str(rows))
            self.stdout.write(f"{rows:,} rows of each kind inserted in {time.perf_counter() - started:.0f} s")
            for kind in options["exports"]:
                for fmt in options["formats"]:
                    extra = ["--tracemalloc"] if options["tracemalloc"] else []
                    out = child("export_memory", "--measure", kind, fmt, *extra, capture=True)
                    result = json.loads(out.strip().splitlines()[-1])
                    results[kind, fmt, rows] = result
                    self.stdout.write(f"  {kind} {fmt}: {_describe(result)}")
        self._table(results, sizes, options)
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))

    def _table(self, results, sizes, options):
        small, large = sizes[0], sizes[-1]
        heap = options["tracemalloc"]
        head = f"{'export':<12}{'format':<8}" + "".join(f"{f'{n:,} rows':>40}" for n in sizes)
        head += f"{'RSS rise ratio':>16}" + (f"{'heap peak ratio':>17}" if heap else "")
        self.stdout.write("\nPeak memory of one download (RSS rise above the process before it; heap peak)")
        self.stdout.write(head)
        for kind in options["exports"]:
            for fmt in options["formats"]:
                cells = "".join(f"{_short(results[kind, fmt, n]):>40}" for n in sizes)
                a, b = results[kind, fmt, small], results[kind, fmt, large]
                line = f"{kind:<12}{fmt:<8}{cells}{_ratio(b['rss_rise'], a['rss_rise']):>16}"
                if heap:
                    line += f"{_ratio(b['heap_peak'], a['heap_peak']):>17}"
                self.stdout.write(line)
        self.stdout.write(
            f"(rows grew {large / small:.0f}x; a ratio near 1 is constant memory; an RSS rise under a few MB "
            "is within the allocator's noise, so its ratio says little)"
        )


def _ratio(big: int, small: int) -> str:
    # Growth below 1 MiB is noise; count it as 1 MiB so the ratio is not a division by nearly nothing.
    return f"{max(big, MIB) / max(small, MIB):.2f}"


def _short(result) -> str:
    return f"{result['seconds']:.1f} s, +{result['rss_rise'] / MIB:.1f} MiB RSS" + (
        f", {result['heap_peak'] / MIB:.1f} MiB heap" if result.get("heap_peak") is not None else ""
    )


def _describe(result) -> str:
    return (
        f"{result['rows']:,} rows, {result['bytes'] / MIB:.1f} MiB in {result['chunks']:,} chunks, "
        f"{result['seconds']:.1f} s, RSS {result['rss_before'] / MIB:.0f} -> peak {result['rss_peak'] / MIB:.0f} MiB"
        + (f", heap peak {result['heap_peak'] / MIB:.1f} MiB" if result.get("heap_peak") is not None else "")
    )


# --- Child steps ----------------------------------------------------------------------------


def _rss() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _measure(kind: str, fmt: str, *, heap: bool) -> dict:
    """Download one export as its role and measure the process while it does (one child process)."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    email, csv_url, xlsx_url, nothing = EXPORTS[kind]
    url = csv_url if fmt == "csv" else xlsx_url
    client = Client(HTTP_HOST="localhost")
    client.force_login(get_user_model().objects.get(email=email))
    # The same export filtered to no row: code imported, caches and the connection warm.
    warm = client.get(url + ("&" if "?" in url else "?") + nothing)
    if not warm.streaming:
        raise CommandError(f"{url}: {warm.status_code} for {email}")
    b"".join(warm.streaming_content)
    rss_before = _rss()
    if heap:
        tracemalloc.start()
    started = time.perf_counter()
    response = client.get(url)
    if response.status_code != 200 or not response.streaming:
        raise CommandError(f"{url}: {response.status_code}, streaming={response.streaming}")
    size = chunks = lines = 0
    for chunk in response.streaming_content:
        size += len(chunk)
        chunks += 1
        lines += chunk.count(b"\n") if fmt == "csv" else 0
    response.close()
    seconds = time.perf_counter() - started
    heap_peak = tracemalloc.get_traced_memory()[1] if heap else None
    if heap:
        tracemalloc.stop()
    rss_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    rows = _count(MODELS[kind])
    # The download's own access-log entry is in the file too.
    if fmt == "csv" and lines - 1 < rows - (1 if kind == "access-log" else 0):
        raise CommandError(f"{url}: {lines - 1} lines for {rows} rows: the stream stopped early")
    return {
        "rows": rows,
        "bytes": size,
        "chunks": chunks,
        "seconds": seconds,
        "rss_before": rss_before,
        "rss_peak": rss_peak,
        "rss_rise": max(0, rss_peak - rss_before),
        "heap_peak": heap_peak,
    }


def _count(label: str) -> int:
    from django.apps import apps

    return apps.get_model(label).objects.count()


def _fill(total: int) -> None:
    """Bring the scratch database up to `total` cases, access-log entries and suppliers (one child process)."""
    from django.contrib.auth.models import Group
    from django.db import transaction
    from django.utils import timezone

    from compliance.models import AccessLog, Site, User
    from safeguarding.models import Channel, Concern, Outcome, RiskLevel, Status, SubjectType
    from suppliers.models import RiskBand, Supplier

    rng = random.Random(total)  # noqa: S311 - repeatable test data, not security
    now = timezone.now()
    with transaction.atomic():
        sites = list(Site.objects.all()) or [Site.objects.create(name=f"Site {i}") for i in range(30)]
        people = []
        for email, role_names in PEOPLE.items():
            person, made = User.objects.get_or_create(email=email, defaults={"full_name": email.split("@")[0].title()})
            if made:
                person.groups.set([Group.objects.get_or_create(name=n)[0] for n in role_names])
                _enrol_totp(person)
            people.append(person)
        have = Concern.objects.count()
        concerns = []
        for i in range(have, total):
            created = now - datetime.timedelta(seconds=rng.randrange(3 * 365 * 86400))
            closed = rng.random() < 0.8
            concerns.append(
                Concern(
                    reference=f"MS-{created.year}-{i:06d}",
                    channel=rng.choice([Channel.STAFF_FORM, Channel.ANONYMOUS_FORM, Channel.PHONE]),
                    subject_type=rng.choice(list(SubjectType)),
                    site=rng.choice(sites) if rng.random() < 0.9 else None,
                    location_text="" if rng.random() < 0.9 else "Back door of the laundry",
                    indicators=["excessive_hours"],
                    narrative="A worker said their passport was kept by the agency.",
                    status=Status.CLOSED if closed else rng.choice([Status.NEW, Status.TRIAGED, Status.INVESTIGATING]),
                    outcome=Outcome.NO_FURTHER_ACTION if closed else "",
                    closing_summary="Closed after investigation." if closed else "",
                    risk_level=rng.choice(list(RiskLevel)),
                    assignee=people[0],
                    created_at=created,
                    closed_at=created + datetime.timedelta(days=20) if closed else None,
                    due_at=created + datetime.timedelta(days=30),
                )
            )
        Concern.objects.bulk_create(concerns, batch_size=BATCH)
        have = AccessLog.objects.count()
        AccessLog.objects.bulk_create(
            (
                AccessLog(
                    user=rng.choice(people),
                    action=rng.choice(list(AccessLog.Action)),
                    object_repr=f"Case MS-2026-{i:06d}",
                    detail="read",
                    path=f"/cases/MS-2026-{i:06d}/",
                    ip_address="10.0.0.1",
                    at=now - datetime.timedelta(seconds=i),
                )
                for i in range(have, total)
            ),
            batch_size=BATCH,
        )
        have = Supplier.objects.count()
        Supplier.objects.bulk_create(
            (
                Supplier(
                    name=f"Supplier {i:06d} Ltd",
                    registration_number=f"{10_000_000 + i}",
                    category=Supplier.Category.OTHER,
                    countries=["GB", "PL"] if i % 3 else ["GB"],
                    annual_spend=rng.randrange(1_000, 1_000_000),
                    contract_owner=people[2],
                    status=Supplier.Status.ACTIVE,
                    contact_name="Chris Contact",
                    contact_email=f"contact{i}@supplier.example",
                    risk_score=rng.randrange(0, 25),
                    risk_band=rng.choice(list(RiskBand)),
                )
                for i in range(have, total)
            ),
            batch_size=BATCH,
        )
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _enrol_totp(user) -> None:
    # Privileged roles must have MFA set up before any page opens; the secret is never used here.
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    TOTP.activate(user, generate_totp_secret())
