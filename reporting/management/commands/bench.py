"""`make bench` (a script, not a test): every page at the size of a large NHS trust, over HTTP.

    DJANGO_DEBUG=true .venv/bin/python manage.py bench [--rebuild] [--output FILE]

1. A scale database of its own (the database `bench` on the server of DATABASE_URL; never
   the test databases), built once by bulk inserts (reporting/management/bench_data.py) and
   kept between runs; --rebuild drops and rebuilds it (also done when the data's version
   below changes).
2. gunicorn with production settings (DEBUG off, gunicorn.conf.py, WhiteNoise, Redis cache);
   every persona signs in through the real sign-in pages, TOTP included (seeded secrets).
3. Every list, detail, dashboard and API list page (found from the URL configuration and
   the pages' own links, bench_http.py), each list's first page, a filtered page, each
   sort and the last page: median and p95, and the ratio to the cheapest signed-in page of
   the same run; above 3x is flagged.
4. A mixed load of those pages at concurrency 8 and 16 beside the cheapest page alone.
5. Exports (CSV and XLSX) and PDFs: time and the gunicorn worker's peak resident memory;
   the Board report rendered as the worker renders it.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import json
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from reporting.management import bench_data, bench_http

# Bump when bench_data changes what it makes: a cached database of another version is rebuilt.
DATA_VERSION = 1
AIM_RATIO = bench_http.FLAG_RATIO
AIM_RSS_MB = 300
SECRET = "bench-not-a-real-secret-key-0123456789abcdefghijklmnop"  # noqa: S105 - scratch server only
FERNET = base64.urlsafe_b64encode(hashlib.sha256(b"bench-mfa-key").digest()).decode()
DATA_FERNET = base64.urlsafe_b64encode(hashlib.sha256(b"bench-data-key").digest()).decode()


class Command(BaseCommand):
    help = "Benchmark every page, the mixed load, exports and PDFs at scale against gunicorn (scratch database)."

    def add_arguments(self, parser):
        parser.add_argument("--database-name", default="bench", help="Scratch database on the DATABASE_URL server")
        parser.add_argument("--rebuild", action="store_true", help="Drop and rebuild the scale database")
        parser.add_argument(
            "--repeat", type=int, default=15, help="Timed requests per page (rounds, after one warm-up)"
        )
        parser.add_argument("--load-seconds", type=float, default=15.0)
        parser.add_argument("--concurrency", type=int, nargs="+", default=[8, 16])
        parser.add_argument("--workers", type=int, default=0, help="gunicorn workers (default: gunicorn.conf.py)")
        parser.add_argument("--only", default="", help="Measure only pages whose path contains this text")
        parser.add_argument("--skip", nargs="*", default=[], choices=["pages", "load", "exports"])
        parser.add_argument("--timeout", type=float, default=120.0, help="Client timeout per request (s)")
        parser.add_argument("--output", action="append", default=[], help="Also write the report to this file")
        parser.add_argument("--build-only", action="store_true", help="Build (or keep) the scale database and stop")
        parser.add_argument("--populate", action="store_true", help="(internal) fill the migrated scratch database")
        for name, size in bench_data.SIZES.items():
            parser.add_argument(f"--{name.replace('_', '-')}", type=int, default=size)

    def handle(self, *args, **options):
        sizes = {name: options[name] for name in bench_data.SIZES}
        if options["populate"]:
            bench_data.populate(sizes=sizes, stdout=self.stdout)
            return
        if not settings.DEBUG:
            raise CommandError("Run with DJANGO_DEBUG=true (as `make bench` does): it writes a scratch database.")
        self.lines: list[str] = []
        self.outputs = [Path(settings.BASE_DIR) / "var" / "bench-latest.txt", *map(Path, options["output"])]
        self.workdir = Path(settings.BASE_DIR) / "var" / "bench"
        self.workdir.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        self.env = self._environment(options["database_name"])
        self.say(
            f"bench: {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC, "
            f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}, database {options['database_name']}"
        )
        self._database(options, sizes)
        # What Celery beat keeps stored in production (hourly): the KPI figures of ended periods.
        self._run("kpi_figures_refresh", debug=True)
        if options["build_only"]:
            self._write()
            return
        self._collectstatic()
        server = Server(self.env, self.workdir, options["workers"])
        try:
            server.start()
            self.say(f"gunicorn: {server.workers} sync workers (gunicorn.conf.py), DEBUG off, at {server.base}")
            self._measure(server, options)
        finally:
            server.stop()
            self.say(f"\nTotal {time.perf_counter() - started:.0f} s")
            self._write()

    # --- Output --------------------------------------------------------------------------------

    def say(self, text: str = "") -> None:
        self.lines.append(text)
        self.stdout.write(text)
        self.stdout.flush()

    def _write(self) -> None:
        for path in self.outputs:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text("\n".join(self.lines) + "\n")
            except OSError as exc:
                self.stderr.write(f"could not write {path}: {exc}")
        self.stdout.write(f"Written to {', '.join(str(p) for p in self.outputs)}")

    # --- Database ------------------------------------------------------------------------------

    def _environment(self, name: str) -> dict[str, str]:
        url = os.environ.get("DATABASE_URL", "")
        parts = urlsplit(url)
        if not parts.scheme.startswith("postgres"):
            raise CommandError("Set DATABASE_URL to a PostgreSQL server (the bench makes its own database there).")
        if name.startswith(("test", "wt_")) or name == parts.path.lstrip("/"):
            raise CommandError(f"Refusing to use {name!r}: the bench needs a scratch database of its own.")
        self.server_url = url
        redis = urlsplit(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
        return {
            **os.environ,
            "DATABASE_URL": urlunsplit(parts._replace(path=f"/{name}")),
            "DJANGO_SECRET_KEY": SECRET,
            "MFA_ENCRYPTION_KEYS": FERNET,
            "DATA_ENCRYPTION_KEYS": DATA_FERNET,
            "MEDIA_ROOT": str(self.workdir / "media"),
            "STATIC_ROOT": str(self.workdir / "static"),
            "CACHE_URL": os.environ.get("CACHE_URL") or urlunsplit(redis._replace(scheme="rediscache")),
            "LOG_LEVEL": "WARNING",
            "CELERY_TASK_ALWAYS_EAGER": "false",
        }

    def _database(self, options, sizes) -> None:
        import psycopg
        from psycopg import sql

        name = options["database_name"]
        admin = urlunsplit(urlsplit(self.server_url)._replace(path="/postgres"))
        with psycopg.connect(admin, autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            stamp = None
            if exists and not options["rebuild"]:
                with psycopg.connect(self.env["DATABASE_URL"]) as scratch:
                    row = scratch.execute("SELECT to_regclass('bench_scale')").fetchone()
                    if row[0]:
                        stamp = scratch.execute("SELECT version, sizes FROM bench_scale").fetchone()
            wanted = {"version": DATA_VERSION, **sizes}
            if stamp and {"version": stamp[0], **stamp[1]} == wanted:
                self.say(
                    f"Scale database {name}: kept from an earlier run ({_sizes(sizes)}); --rebuild to make it again"
                )
                self._run("migrate", "--noinput", "-v", "0", debug=True)
                return
            if exists:
                conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        self.say(f"Scale database {name}: building ({_sizes(sizes)})")
        started = time.perf_counter()
        self._run("migrate", "--noinput", "-v", "0", debug=True)
        self._run("bench", "--populate", *[f"--{k.replace('_', '-')}={v}" for k, v in sizes.items()], debug=True)
        with psycopg.connect(self.env["DATABASE_URL"], autocommit=True) as scratch:
            scratch.execute("CREATE TABLE bench_scale (version integer, sizes jsonb, built_at timestamptz)")
            scratch.execute("INSERT INTO bench_scale VALUES (%s, %s, now())", [DATA_VERSION, json.dumps(sizes)])
        self.say(f"  built in {time.perf_counter() - started:.0f} s")

    def _run(self, *argv, debug: bool, capture: bool = False) -> str:
        env = {**self.env, "DJANGO_DEBUG": "true" if debug else "false"}
        result = subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
            [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), *argv],
            env=env,
            check=True,
            capture_output=capture,
            text=True,
        )
        return result.stdout or ""

    def _collectstatic(self) -> None:
        self._run("collectstatic", "--noinput", "-v", "0", debug=False)

    # --- Measuring -----------------------------------------------------------------------------

    def _measure(self, server: Server, options) -> None:
        from allauth.mfa.totp.internal.auth import hotp_value, yield_hotp_counters_from_time
        from django.urls import Resolver404, resolve

        from compliance.demo import DEMO_DOMAIN, DEMO_PASSWORD

        client = bench_http.Client(server.base, options["timeout"])
        self.say("")
        for persona in bench_http.PERSONAS:
            secret = bench_data.TOTP_SECRETS.get(persona)

            def code(secret=secret):
                return f"{hotp_value(secret, next(yield_hotp_counters_from_time())):06d}"

            seconds = client.sign_in(persona, f"{persona}@{DEMO_DOMAIN}", DEMO_PASSWORD, code)
            self.say(f"Signed in as {persona:<13} {'password + TOTP' if secret else 'password':<16} {seconds:5.2f} s")

        def name_of(path: str) -> str | None:
            try:
                match = resolve(path)
            except Resolver404:
                return None
            return match.view_name

        schema = {}
        answer = client.get("lead", "/api/schema/?format=json")
        if answer.status_code == 200:
            schema = answer.json()
        discovery = bench_http.Discovery(client, list(_routes()), name_of, schema)
        discovery.run()
        pages = self._pages(client, discovery, schema, options)
        watch = bench_http.RssWatch(server.pid).start()
        try:
            if "pages" not in options["skip"]:
                self._page_table(client, pages, discovery, options, watch)
            if "load" not in options["skip"]:
                self._load(client, pages, options)
            if "exports" not in options["skip"]:
                self._exports(client, discovery, watch)
            self.say(f"\nPeak resident memory of any gunicorn worker during the run: {watch.peak_ever:.0f} MB")
            verdict = "within" if watch.peak_ever <= AIM_RSS_MB else "ABOVE"
            self.say(f"  aim: no worker above {AIM_RSS_MB} MB: {verdict} the aim")
        finally:
            watch.stop()

    def _pages(self, client, discovery, schema, options) -> list[bench_http.Page]:
        pages = []
        for found in [*discovery.pages.values(), *discovery.variants]:
            variants = bench_http.list_variants(found)
            if found.path.startswith("/api/") and "{" not in found.route:

                def answers(url, persona=found.persona):
                    return client.get(persona, url).status_code == 200

                variants += bench_http.api_list_extras(schema, found.path, answers)
            for label, url in variants:
                if options["only"] and options["only"] not in url:
                    continue
                pages.append(
                    bench_http.Page(
                        label=f"{found.name}{(' ' + label) if label else ''}"
                        if label or len(variants) == 1
                        else f"{found.name} first page",
                        persona=found.persona,
                        url=url,
                        kind="api" if url.startswith("/api/") else "page",
                    )
                )
        return pages

    def _page_table(self, client, pages, discovery, options, watch) -> None:
        repeat = options["repeat"]
        self.say(
            f"\nPages: {len(pages)} (URL configuration and the pages' links), a warm-up each, then {repeat} rounds "
            "of one timed request each, in a shuffled order, one at a time"
        )

        def progress(number):
            # Progress on stderr only: the report keeps the sorted table.
            self.stderr.write(f"  round {number}/{repeat} done")

        bench_http.measure(client, pages, repeat, watch, progress)
        timed = [p for p in pages if p.samples]
        if not timed:
            self.say("No page answered 200.")
            return
        # The floor is the cheapest signed-in HTML page, as issue 17 measured it (the API token page
        # then): what every page pays for the session, the middleware and the layout. A JSON answer
        # of a few rows (the country search) has no layout to render; it is shown beside it.
        html = [p for p in timed if not p.url.startswith("/api/")] or timed
        floor = min(html, key=lambda p: p.median)
        self.floor = floor
        self.say(
            f"Floor (cheapest signed-in HTML page this run): {floor.url} as {floor.persona}, "
            f"{floor.median * 1000:.0f} ms"
        )
        cheapest = min(timed, key=lambda p: p.median)
        if cheapest is not floor:
            self.say(
                f"Cheapest answer of all: {cheapest.url} as {cheapest.persona}, {cheapest.median * 1000:.0f} ms "
                f"(the floor is {floor.median / cheapest.median:.1f}x it)"
            )
        self.say("")
        head = f"{'page':<62} {'as':<12} {'median':>7} {'p95':>7} {'ratio':>6} {'KB':>7} {'RSS MB':>6}"
        self.say(head)
        self.say("-" * len(head))
        over = 0
        for page in sorted(pages, key=lambda p: (p.kind, p.url)):
            if not page.samples:
                self.say(
                    f"{_cut(page.label, 62):<62} {page.persona:<12} errors: {', '.join(page.errors[:3])}  {page.url}"
                )
                continue
            ratio = page.median / floor.median
            flag = " !" if ratio > AIM_RATIO else ""
            over += bool(flag)
            self.say(
                f"{_cut(page.label, 62):<62} {page.persona:<12} {page.median * 1000:>5.0f}ms {page.p95 * 1000:>5.0f}ms "
                f"{ratio:>5.1f}x {max(page.sizes) / 1024:>7.0f} {page.peak_rss_mb:>6.0f}{flag}"
            )
        self.say("")
        self.say(
            f"{len(timed) - over} of {len(timed)} pages within {AIM_RATIO:.0f}x of the floor; "
            f"{over} above (marked !); {len(pages) - len(timed)} answered with errors"
        )
        slowest = max(timed, key=lambda p: p.p95)
        self.say(f"Slowest: {slowest.url} as {slowest.persona}, p95 {slowest.p95:.2f} s")
        if discovery.refused:
            self.say("\nRoutes not measured as pages (why):")
            for name, why in sorted(discovery.refused.items()):
                self.say(f"  {name}: {why}")

    def _load(self, client, pages, options) -> None:
        mix = [p for p in pages if p.samples and p.label.split(" ", 1)[-1] in (p.label, "first page")]
        mix = mix or [p for p in pages if p.samples]
        floor = getattr(self, "floor", None) or min((p for p in pages if p.samples), key=lambda p: p.median)
        seconds = options["load_seconds"]
        self.say(f"\nMixed load: {len(mix)} pages (each page's first view), {seconds:.0f} s per run")
        head = f"{'run':<36} {'conc':>4} {'req/s':>7} {'p50':>7} {'p95':>7} {'p99':>7} {'errors':>6}"
        self.say(head)
        self.say("-" * len(head))
        for label, population in (("cheapest page alone", [floor]), ("mixed pages", mix)):
            for concurrency in options["concurrency"]:
                result = bench_http.load(client, population, concurrency=concurrency, seconds=seconds)
                self.say(
                    f"{label:<36} {concurrency:>4} {result['rps']:>7.1f} {result['p50'] * 1000:>5.0f}ms "
                    f"{result['p95'] * 1000:>5.0f}ms {result['p99'] * 1000:>5.0f}ms {result['errors']:>6}"
                )
                for sample in result["error_sample"]:
                    self.say(f"    error: {sample}")

    def _background_export(self, path: str, persona: str, request: dict, job_id: int) -> None:
        self.say(
            f"{_cut(path, 52):<52} {persona:<12} {request['status']:>6} {'queued as a job':<22} "
            f"{request['seconds']:>6.2f}s {0:>6.1f} {request['peak_rss_mb']:>6.0f} no (background export)"
        )
        out = self._run("shell", "-c", BACKGROUND_EXPORT.format(job_id=job_id), debug=True, capture=True)
        job = json.loads(out.strip().splitlines()[-1])
        rows = f"{job['rows'] or 0:,} rows"
        self.say(
            f"{'  its job, written as a worker writes it':<52} {'':<12} {job['status']:>6} "
            f"{rows:<22} {job['seconds']:>6.2f}s {job['bytes'] / 2**20:>6.1f} "
            f"{job['peak_mb']:>6.0f} (the job's own process)"
        )

    def _exports(self, client, discovery, watch) -> None:
        self.say("\nExports and PDFs (to the last byte; peak RSS of the busiest gunicorn worker while it ran)")
        head = f"{'download':<52} {'as':<12} {'status':>6} {'type':<22} {'time':>7} {'MB':>6} {'RSS MB':>6} streamed"
        self.say(head)
        self.say("-" * len(head))
        tried = set()
        for name, (persona, path) in sorted(discovery.downloads.items()):
            paths = [path]
            if any(word in f"{name} {path}" for word in ("export", "csv", "xlsx")) and "xlsx" not in path:
                paths.append(bench_http.as_xlsx(path))
            for one in paths:
                if one in tried:
                    continue
                tried.add(one)
                order = [persona] if persona else bench_http.persona_order(urlsplit(one).path)
                for who in order:
                    result = bench_http.download(client, who, one, watch)
                    job = re.search(r"/exports/(\d+)/", result["location"]) if result["status"] == 302 else None
                    if job:
                        # A large export is a background job (compliance.export_jobs): the request only
                        # queues it; the job is then written here as a worker writes it, and timed.
                        self._background_export(one, who, result, int(job.group(1)))
                        break
                    if result["status"] in (200, "cut") or who == order[-1]:
                        flag = " !" if result["peak_rss_mb"] > AIM_RSS_MB else ""
                        if "xlsx" in one and "spreadsheet" not in result["type"]:
                            flag += " (no XLSX here)"
                        self.say(
                            f"{_cut(one, 52):<52} {who:<12} {result['status']:>6} {_cut(result['type'], 22):<22} "
                            f"{result['seconds']:>6.2f}s {result['bytes'] / 2**20:>6.1f} {result['peak_rss_mb']:>6.0f} "
                            f"{'yes' if result['streamed'] else 'no'}{flag}"
                        )
                        break
        report = json.loads(
            self._run("benchmark_board_report", "--step=render", debug=True, capture=True).strip().splitlines()[-1]
        )
        self.say(
            f"Board report PDF (rendered as the worker does, own process): {report['seconds']:.2f} s, "
            f"peak {report['peak_mb']:.0f} MB, {report['bytes']:,} bytes, {report['status']} (aim: 5 s, 300 MB)"
        )


BACKGROUND_EXPORT = """
import json, resource, time
from compliance.export_jobs import export_job_write
started = time.perf_counter()
job = export_job_write(job_id={job_id})
print(json.dumps({{"seconds": time.perf_counter() - started, "status": job.status, "rows": job.row_count,
    "bytes": job.size_bytes or 0, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""


class Server:
    """gunicorn with production settings on a free local port."""

    def __init__(self, env: dict, workdir: Path, workers: int):
        self.env = {
            **env,
            "DJANGO_DEBUG": "false",
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "DJANGO_SECURE_COOKIES": "false",  # plain HTTP on 127.0.0.1: the cookies must still be sent
            "DJANGO_HSTS_SECONDS": "0",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        }
        self.workdir = workdir
        self.workers_override = workers
        self.process = None

    def start(self) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self.base = f"http://127.0.0.1:{port}"
        argv = [
            str(Path(sys.executable).with_name("gunicorn")),
            "--config",
            "gunicorn.conf.py",
            "--bind",
            f"127.0.0.1:{port}",
        ]
        if self.workers_override:
            argv += ["--workers", str(self.workers_override)]
        self.log = open(self.workdir / "gunicorn.log", "w")  # noqa: SIM115 - kept open while the server runs
        self.process = subprocess.Popen(  # noqa: S603 - our own gunicorn with fixed arguments
            [*argv, "compliance.wsgi:application"],
            env=self.env,
            cwd=settings.BASE_DIR,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        import requests

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise CommandError(f"gunicorn exited; see {self.workdir / 'gunicorn.log'}")
            try:
                if requests.get(f"{self.base}/health/", timeout=2).status_code in (200, 503):
                    break
            except requests.RequestException:
                time.sleep(0.5)
        else:
            raise CommandError("gunicorn did not answer within 60 s")
        import psutil

        time.sleep(1)
        self.workers = len(psutil.Process(self.process.pid).children())

    @property
    def pid(self) -> int:
        return self.process.pid

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
        if self.process:
            self.log.close()


def _routes(resolver=None, prefix=""):
    """(URL name with namespace, route) for every named route."""
    from django.urls import URLPattern, URLResolver, get_resolver

    for entry in (resolver or get_resolver()).url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _routes_in(entry, route, entry.namespace)
        elif isinstance(entry, URLPattern) and entry.name:
            yield entry.name, route


def _routes_in(resolver, prefix, namespace):
    from django.urls import URLPattern, URLResolver

    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = f"{namespace}:{entry.namespace}" if namespace and entry.namespace else entry.namespace or namespace
            yield from _routes_in(entry, route, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield (f"{namespace}:{entry.name}" if namespace else entry.name), route


def _sizes(sizes: dict) -> str:
    return ", ".join(f"{v:,} {k.replace('_', ' ')}" for k, v in sizes.items())


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
