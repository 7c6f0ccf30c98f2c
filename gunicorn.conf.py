"""gunicorn settings for the web container (gunicorn reads ./gunicorn.conf.py on start).

* No `Server:` banner: gunicorn always writes `Server: gunicorn`, telling a
  prober what to attack; the header line is dropped from every response.
* The access log never holds a questionnaire link's token: the one request
  that carries it (it is exchanged for a session at once) is logged with the
  token replaced.
* Worker memory stays bounded (issue 17: no request may push a worker above
  300 MB at the size of a large trust): a worker is replaced after
  `max_requests` (jittered, so the workers do not all restart together), and
  at once after any request that left it above `WORKER_MAX_RSS_MB`, so one
  heavy request cannot leave a bloated worker behind. `manage.py bench`
  prints each page's and each export's peak worker memory.
* Timeouts fit the slowest legitimate request measured by `manage.py bench`:
  the export of all 100,000 cases of a large trust, which passed 60 s on two
  busy cores (the worker was killed mid-download). Anything slower belongs in
  a background job; a sync worker stuck longer than `timeout` is killed and
  replaced.
"""

import os
import re

from gunicorn.glogging import Logger
from gunicorn.http import wsgi

bind = "0.0.0.0:8000"
workers = 3
accesslog = "-"
max_requests = 1000
max_requests_jitter = 200
timeout = 120
graceful_timeout = 30
keepalive = 5
# Above this a worker finishes its request and is replaced (checked after every request).
WORKER_MAX_RSS_MB = 300

_default_headers = wsgi.Response.default_headers


def _headers_without_server(self):
    return [line for line in _default_headers(self) if not line.lower().startswith("server:")]


wsgi.Response.default_headers = _headers_without_server

_TOKEN_IN_PATH = re.compile(r"(/suppliers/(?:q|portal)/)[^/?\s\"']+")


def redact(text: str) -> str:
    """A request line or path with any questionnaire token replaced."""
    return _TOKEN_IN_PATH.sub(r"\1[token]", text)


class RedactingLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for key in ("r", "U", "f"):
            if isinstance(atoms.get(key), str):
                atoms[key] = redact(atoms[key])
        return atoms


logger_class = RedactingLogger


def resident_mb() -> float:
    """This process's resident memory now (Linux /proc; 0 where it cannot be read)."""
    try:
        with open("/proc/self/statm") as statm:
            pages = int(statm.read().split()[1])
    except (OSError, ValueError, IndexError):
        return 0.0
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def post_request(worker, req, environ, resp):
    # The same switch max_requests uses: the worker leaves its loop after this request and the
    # arbiter starts a fresh one, so memory a heavy request left behind is handed back.
    rss = resident_mb()
    if rss > WORKER_MAX_RSS_MB:
        worker.log.warning("Worker %s at %.0f MB after %s: replacing it", worker.pid, rss, redact(req.path))
        worker.alive = False
