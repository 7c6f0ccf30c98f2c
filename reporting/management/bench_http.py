"""The client side of `manage.py bench`: sign in, find the pages, time them, load them.

Everything here talks HTTP to a running gunicorn, as a browser or an API client would. The
page list comes from the URL configuration and from the links on the pages themselves: every
route without arguments is opened by the first role that may see it, and every route with
arguments by following a link to it from a page already opened, so a new page is measured
(or named as not reached) the day it is added. Lists get their variants from their own
filter form (a filtered page, each sort order) and pager (the last page).
"""

from __future__ import annotations

import math
import random
import re
import statistics
import threading
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

import requests

# Demo personas (compliance.demo), in the order tried for a page: the first that may open it.
PERSONAS = ("lead", "admin", "procurement", "hr", "director", "board", "safeguarding", "manager", "staff")
# Who opens a section first: the persona that sees most of it.
SECTION_PERSONA = {
    "/cases/": "lead",
    "/suppliers/": "procurement",
    "/reporting/": "lead",
    "/organisation/": "admin",
    "/access-log/": "admin",
    "/training/admin/": "hr",
    "/training/policies/": "admin",
    "/training/": "hr",
    "/api/v1/suppliers/": "procurement",
    "/api/v1/training/": "hr",
}
# Pages whose content depends on who asks, measured for each of these personas as well.
ROLE_VARIANTS = {
    "home": PERSONAS,
    "training:team": ("hr", "manager"),  # a manager with 400 reports
    "training:index": ("staff", "manager", "hr"),
    "safeguarding:index": ("lead", "safeguarding"),  # the case list
}
# Not pages: sign-in and set-up steps, the language switch, the anonymous journey's steps,
# the schema and docs, the admin. Downloads are measured in their own section.
SKIP_PREFIXES = ("/admin/", "/accounts/", "/i18n/", "/static/", "/media/", "/api/schema/", "/api/docs/", "/health/")
DOWNLOAD_WORDS = ("export", "csv", "xlsx", "pdf", "download", "summary", "document", "evidence")
POST_ONLY_WORDS = ("read_all", "read", "resend", "remove", "abandon", "confirm", "logout")
SORT_FIELDS = ("sort", "ordering", "order")
FLAG_RATIO = 3.0


@dataclass
class Page:
    label: str  # what the table shows: URL name and variant
    persona: str
    url: str
    kind: str  # page or api
    samples: list[float] = field(default_factory=list)
    sizes: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    peak_rss_mb: float = 0.0

    @property
    def median(self) -> float:
        return statistics.median(self.samples) if self.samples else math.nan

    @property
    def p95(self) -> float:
        return percentile(self.samples, 95)


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile (a small sample's p95 is its slowest but one or its slowest)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


class _Links(HTMLParser):
    """Links, and the GET forms with their selects and text inputs, of one page."""

    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.forms: list[dict] = []
        self._form = None
        self._select = None
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        elif tag == "form":
            self._form = {"method": (attrs.get("method") or "get").lower(), "action": attrs.get("action") or ""}
            self._form.update(selects={}, inputs={})
            self.forms.append(self._form)
        elif self._form is not None and tag == "select" and attrs.get("name"):
            self._select = self._form["selects"].setdefault(attrs["name"], [])
        elif self._select is not None and tag == "option":
            self._select.append(attrs.get("value") or "")
        elif self._form is not None and tag == "button" and attrs.get("name") and attrs.get("value"):
            self._form.setdefault("buttons", []).append((attrs["name"], attrs["value"]))
        elif self._form is not None and tag == "input" and attrs.get("name"):
            self._form["inputs"][attrs["name"]] = (attrs.get("type") or "text", attrs.get("value") or "")

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "form":
            self._form = None

    def handle_data(self, data):
        if "Page " in data:
            self.text.append(data)


def parse(html: str) -> _Links:
    parser = _Links()
    parser.feed(html)
    return parser


class Client:
    """Signed-in sessions for each persona against one base URL."""

    def __init__(self, base: str, timeout: float):
        self.base = base.rstrip("/")
        self.timeout = timeout
        self.sessions: dict[str, requests.Session] = {}

    def sign_in(self, persona: str, email: str, password: str, totp_code) -> float:
        """Sign in through the real pages (password, then the authenticator code); seconds taken."""
        session = requests.Session()
        started = time.perf_counter()
        page = session.get(f"{self.base}/accounts/login/", timeout=self.timeout)
        token = _csrf(page.text)
        answer = session.post(
            f"{self.base}/accounts/login/",
            data={"csrfmiddlewaretoken": token, "login": email, "password": password},
            headers={"Referer": f"{self.base}/accounts/login/"},
            timeout=self.timeout,
        )
        if "/accounts/2fa/authenticate/" in answer.url:
            for attempt in range(2):
                answer = session.post(
                    answer.url,
                    data={"csrfmiddlewaretoken": _csrf(answer.text), "code": totp_code()},
                    headers={"Referer": answer.url},
                    timeout=self.timeout,
                )
                if "/accounts/2fa/authenticate/" not in answer.url:
                    break
                # A code is accepted once: wait for the next 30-second window and try again.
                time.sleep(31 if attempt == 0 else 0)
        seconds = time.perf_counter() - started
        if "/accounts/" in urlsplit(answer.url).path or answer.status_code != 200:
            raise RuntimeError(f"sign-in as {persona} ended at {answer.url} ({answer.status_code})")
        self.sessions[persona] = session
        return seconds

    def get(self, persona: str, path: str, *, stream: bool = False) -> requests.Response:
        return self.sessions[persona].get(
            urljoin(self.base + "/", path.lstrip("/")), timeout=self.timeout, allow_redirects=False, stream=stream
        )


def _csrf(html: str) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    if not found:
        raise RuntimeError("no CSRF token on the page")
    return found.group(1)


def persona_order(path: str) -> list[str]:
    first = next((p for prefix, p in SECTION_PERSONA.items() if path.startswith(prefix)), None)
    return [first, *[p for p in PERSONAS if p != first]] if first else list(PERSONAS)


def _is_download(name: str, path: str) -> bool:
    text = f"{name} {path}".lower()
    return any(word in text for word in DOWNLOAD_WORDS) or "format=" in path


def _is_post_only(name: str) -> bool:
    last = name.rsplit(":", 1)[-1]
    return any(last == w or last.endswith(f"_{w}") for w in POST_ONLY_WORDS)


@dataclass
class Found:
    name: str
    route: str
    persona: str
    path: str
    html: str


class Discovery:
    """Every route reached: (URL name) -> the persona and path that opened it, plus downloads."""

    def __init__(self, client: Client, routes: list[tuple[str, str]], resolve, schema: dict):
        self.client = client
        self.schema = schema
        self.routes = routes
        self.resolve = resolve  # path -> URL name or None
        self.pages: dict[str, Found] = {}
        self.variants: list[Found] = []
        self.downloads: dict[str, tuple[str, str]] = {}  # URL name or path -> (persona, path)
        self.refused: dict[str, str] = {}

    def run(self) -> None:
        with_args = [(n, r) for n, r in self.routes if "<" in r]
        plain = [(n, r) for n, r in self.routes if "<" not in r]
        for name, route in plain:
            path = "/" + route
            if path.startswith((*SKIP_PREFIXES, "/api/")) or _is_post_only(name):
                continue
            if _is_download(name, path):
                self.downloads.setdefault(name, (None, path))
                continue
            self._open(name, route, path, persona_order(path))
        # Routes with arguments: follow links from the pages already opened, breadth first.
        wanted = {n for n, r in with_args if not _is_post_only(n) and not f"/{r}".startswith((*SKIP_PREFIXES, "/api/"))}
        queue = list(self.pages.values())
        while queue and wanted:
            found = queue.pop(0)
            doc = parse(found.html)
            for form in doc.forms:
                # A download offered as a submit button of the page's filter form (format=csv).
                for name, value in form.get("buttons", []):
                    if form["method"] == "get" and _is_download(name, f"{name}={value}"):
                        path = urlsplit(urljoin(found.path, form["action"] or found.path)).path
                        self.downloads.setdefault(
                            f"{found.name} {name}={value}", (found.persona, f"{path}?{name}={value}")
                        )
            for href in doc.links:
                path = urlsplit(urljoin(found.path, href))
                if path.netloc or not path.path.startswith("/") or path.path.startswith(SKIP_PREFIXES):
                    continue
                name = self.resolve(path.path)
                full = path.path + (f"?{path.query}" if path.query else "")
                if name and _is_download(name, full):
                    self.downloads.setdefault(name, (found.persona, full))
                    continue
                if name in wanted:
                    route = dict(with_args)[name]
                    order = [found.persona, *[p for p in persona_order(path.path) if p != found.persona]]
                    opened = self._open(name, route, full, order)
                    wanted.discard(name)
                    if opened:
                        queue.append(opened)
        for name in sorted(wanted):
            self.refused.setdefault(name, "no link to it found on the pages reached")
        self._api()
        for name, personas in ROLE_VARIANTS.items():
            base = self.pages.get(name)
            if not base:
                continue
            for persona in personas:
                if persona != base.persona and persona in self.client.sessions:
                    answer = self.client.get(persona, base.path)
                    if answer.status_code == 200:
                        self.variants.append(Found(name, base.route, persona, base.path, answer.text))

    def _api(self) -> None:
        """API lists from the OpenAPI schema; each detail operation with the first row of its list."""
        import json

        paths = {p: ops for p, ops in self.schema.get("paths", {}).items() if "get" in ops}
        lists = {}
        for path in sorted(p for p in paths if "{" not in p):
            # A required choice (the people search's `field`) gets its first value.
            required = {
                parameter["name"]: parameter["schema"]["enum"][0]
                for parameter in paths[path]["get"].get("parameters", [])
                if parameter.get("required") and parameter.get("schema", {}).get("enum")
            }
            url = f"{path}?{urlencode(required)}" if required else path
            found = self._open(f"API {path}", path, url, persona_order(path))
            if found:
                lists[path] = found
        for path in sorted(p for p in paths if p.count("{") == 1 and p.endswith("}/")):
            parent = path[: path.index("{")]
            key = path[path.index("{") + 1 : path.index("}")]
            found = lists.get(parent)
            try:
                rows = json.loads(found.html).get("results") if found else None
            except ValueError:
                rows = None
            if not rows:
                self.refused[f"API {path}"] = "its list is not reached or empty"
                continue
            row = rows[0]
            value = row.get(key, row.get("id", row.get("pk", row.get("reference"))))
            self._open(f"API {path}", path, path.replace("{" + key + "}", str(value)), [found.persona])

    def _open(self, name, route, path, order) -> Found | None:
        statuses = []
        for persona in order:
            if persona not in self.client.sessions:
                continue
            answer = self.client.get(persona, path)
            statuses.append(f"{persona} {answer.status_code}")
            if answer.status_code == 200 and "html" in answer.headers.get("Content-Type", ""):
                found = Found(name, route, persona, path, answer.text)
                self.pages[name] = found
                return found
            if answer.status_code == 200 and "json" in answer.headers.get("Content-Type", ""):
                found = Found(name, route, persona, path, answer.text)
                self.pages[name] = found
                return found
            if answer.status_code == 405 or (
                answer.status_code == 200 and "html" not in answer.headers.get("Content-Type", "")
            ):
                self.refused[name] = f"not a page ({answer.status_code} {answer.headers.get('Content-Type', '')})"
                return None
        self.refused[name] = "no persona gets a page: " + ", ".join(statuses)
        return None


def list_variants(found: Found) -> list[tuple[str, str]]:
    """(label, path) for a list page: first page, a filtered page, each sort order, the last page."""
    variants = [("", found.path)]
    if found.path.startswith("/api/"):
        return variants + _api_variants(found)
    doc = parse(found.html)
    base = urlsplit(found.path).path
    for form in doc.forms:
        if form["method"] != "get" or (form["action"] and urlsplit(form["action"]).path not in ("", base)):
            continue
        if "language" in form["selects"] or "next" in form["inputs"]:
            continue
        for name, options in form["selects"].items():
            values = [v for v in options if v]
            if name in SORT_FIELDS:
                variants += [(f"sort={v}", f"{base}?{urlencode({name: v})}") for v in values]
        filters = [(n, [v for v in o if v]) for n, o in form["selects"].items() if n not in SORT_FIELDS]
        filters = [(n, v) for n, v in filters if v]
        if filters:
            name, values = filters[0]
            variants.append((f"filter {name}={values[0]}", f"{base}?{urlencode({name: values[0]})}"))
        elif any(n in form["inputs"] for n in ("q", "search")):
            name = "q" if "q" in form["inputs"] else "search"
            variants.append((f"search {name}=an", f"{base}?{urlencode({name: 'an'})}"))
    pages = [int(m.replace(",", "")) for t in doc.text for m in re.findall(r"Page \d[\d,]* of (\d[\d,]*)", t)]
    if pages and max(pages) > 1:
        variants.append((f"last page ({max(pages):,})", f"{base}?page={max(pages)}"))
    return variants


def _api_variants(found: Found) -> list[tuple[str, str]]:
    import json

    try:
        body = json.loads(found.html)
    except ValueError:
        return []
    base = urlsplit(found.path).path
    variants = []
    if isinstance(body, dict) and isinstance(body.get("results"), list):
        count, size = body.get("count"), len(body["results"]) or 1
        if count and count > size:
            last = math.ceil(count / size)
            query = {**dict(parse_qsl(urlsplit(found.path).query)), "page": last}
            variants.append((f"last page ({last:,})", f"{base}?{urlencode(query)}"))
        elif body.get("next"):
            variants.append(("next page (cursor)", body["next"]))
    return variants


def api_list_extras(schema: dict, path: str, answers) -> list[tuple[str, str]]:
    """From the OpenAPI schema: each ordering of an API list and one filter that answers 200."""
    operation = schema.get("paths", {}).get(path, {}).get("get", {})
    variants = []
    for parameter in operation.get("parameters", []):
        name = parameter.get("name")
        options = parameter.get("schema", {}).get("enum") or parameter.get("schema", {}).get("items", {}).get("enum")
        if name in SORT_FIELDS and options:
            variants += [(f"{name}={v}", f"{path}?{urlencode({name: v})}") for v in options]
    for parameter in operation.get("parameters", []):
        name = parameter.get("name")
        options = parameter.get("schema", {}).get("enum")
        if name in (*SORT_FIELDS, "page", "page_size", "cursor", "format") or not options:
            continue
        good = next((v for v in options if answers(f"{path}?{urlencode({name: v})}")), None)
        if good is not None:
            variants.append((f"filter {name}={good}", f"{path}?{urlencode({name: good})}"))
            break
    return variants


def as_xlsx(path: str) -> str:
    """The same download asked for as XLSX: csv swapped for xlsx in its query, or format=xlsx added."""
    parts = urlsplit(path)
    if parts.path.endswith(".csv"):  # a route per format: export.csv beside export.xlsx
        return parts.path[: -len(".csv")] + ".xlsx" + (f"?{parts.query}" if parts.query else "")
    query = dict(parse_qsl(parts.query))
    swapped = {k: ("xlsx" if v == "csv" else v) for k, v in query.items()}
    if swapped == query:
        swapped["format"] = "xlsx"
    return f"{parts.path}?{urlencode(swapped)}"


class RssWatch:
    """Samples the resident memory of every gunicorn worker every few milliseconds."""

    def __init__(self, master_pid: int, interval: float = 0.02):
        import psutil

        self.master = psutil.Process(master_pid)
        self.interval = interval
        self.peak = 0.0
        self.peak_ever = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self._stop.set()
        self._thread.join()

    def reset(self) -> None:
        self.peak = self.now()

    def now(self) -> float:
        import psutil

        total = 0.0
        for child in self.master.children():
            try:
                total = max(total, child.memory_info().rss / 2**20)
            except psutil.Error:
                continue
        return total

    def _run(self):
        while not self._stop.is_set():
            current = self.now()
            self.peak = max(self.peak, current)
            self.peak_ever = max(self.peak_ever, current)
            time.sleep(self.interval)


def _request(client: Client, page: Page, *, timed: bool) -> None:
    """One request of `page`, its whole body read; a sample (time and size) if `timed` and it answered 200."""
    started = time.perf_counter()
    try:
        answer = client.get(page.persona, page.url)
        body = answer.content
    except requests.RequestException as exc:
        page.errors.append(type(exc).__name__)
        return
    seconds = time.perf_counter() - started
    if answer.status_code != 200:
        page.errors.append(str(answer.status_code))
        return
    if timed:
        page.samples.append(seconds)
        page.sizes.append(len(body))


def measure(client: Client, pages: list[Page], repeat: int, watch: RssWatch, progress=None, seed: int = 17) -> None:
    """A warm-up request of each page in turn (its workers' peak memory), then `repeat` timed rounds.

    Each round requests every page once, one at a time, in a new shuffled order. On a shared
    machine whose speed drifts over minutes (two cores, other tenants), measuring one page's
    samples back to back let a page timed in a slow minute look worse than the floor timed in a
    quick one; spread over the whole run, every page, the floor included, meets the same drift.
    """
    for page in pages:
        watch.reset()
        _request(client, page, timed=False)
        page.peak_rss_mb = watch.peak
    rng = random.Random(seed)  # noqa: S311 - an order of requests, not security
    for number in range(1, repeat + 1):
        order = list(pages)
        rng.shuffle(order)
        for page in order:
            _request(client, page, timed=True)
        if progress is not None:
            progress(number)


def load(client: Client, pages: list[Page], *, concurrency: int, seconds: float, seed: int = 8) -> dict:
    """`concurrency` clients each requesting a random page of `pages` for `seconds`."""
    times: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def worker(n: int):
        rng = random.Random(seed + n)  # noqa: S311 - a load mix, not security
        sessions = {}
        while time.perf_counter() < stop_at:
            page = rng.choice(pages)
            session = sessions.get(page.persona)
            if session is None:
                session = sessions[page.persona] = requests.Session()
                session.cookies.update(client.sessions[page.persona].cookies)
            started = time.perf_counter()
            try:
                answer = session.get(client.base + page.url, timeout=client.timeout, allow_redirects=False)
                ok = answer.status_code == 200
            except requests.RequestException as exc:
                ok, answer = False, exc
            elapsed = time.perf_counter() - started
            with lock:
                if ok:
                    times.append(elapsed)
                else:
                    errors.append(f"{page.url} {getattr(answer, 'status_code', answer)}")

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(n,)) for n in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    return {
        "requests": len(times) + len(errors),
        "rps": (len(times) + len(errors)) / wall,
        "p50": percentile(times, 50),
        "p95": percentile(times, 95),
        "p99": percentile(times, 99),
        "errors": len(errors),
        "error_sample": errors[:3],
    }


def download(client: Client, persona: str, path: str, watch: RssWatch) -> dict:
    """Time one download to its last byte and the workers' peak memory while it ran."""
    watch.reset()
    started = time.perf_counter()
    first = None
    size = 0
    status, kind, streamed, location = "failed", "", False, ""
    try:
        answer = client.get(persona, path, stream=True)
        status, kind = answer.status_code, answer.headers.get("Content-Type", "").split(";")[0]
        location = answer.headers.get("Location", "")
        streamed = "Content-Length" not in answer.headers
        for chunk in answer.iter_content(64 * 1024):
            first = first or time.perf_counter() - started
            size += len(chunk)
    except requests.RequestException as exc:
        # Cut off mid-way (a worker killed by gunicorn's timeout): report it with the memory it reached.
        status, kind = "cut", type(exc).__name__
    seconds = time.perf_counter() - started
    time.sleep(0.05)  # one more memory sample after the last byte
    return {
        "status": status,
        "type": kind,
        "streamed": streamed,
        "seconds": seconds,
        "first_byte": first or seconds,
        "bytes": size,
        "peak_rss_mb": watch.peak,
        "location": location,
    }
