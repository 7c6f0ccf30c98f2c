"""gunicorn settings for the web container (gunicorn reads ./gunicorn.conf.py on start).

* No `Server:` banner: gunicorn always writes `Server: gunicorn`, telling a
  prober what to attack; the header line is dropped from every response.
* The access log never holds a questionnaire link's token: the one request
  that carries it (it is exchanged for a session at once) is logged with the
  token replaced.
"""

import re

from gunicorn.glogging import Logger
from gunicorn.http import wsgi

bind = "0.0.0.0:8000"
workers = 3
accesslog = "-"

_default_headers = wsgi.Response.default_headers


def _headers_without_server(self):
    return [line for line in _default_headers(self) if not line.lower().startswith("server:")]


wsgi.Response.default_headers = _headers_without_server

_TOKEN_IN_PATH = re.compile(r"(/suppliers/q/)[^/?\s\"']+")


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
