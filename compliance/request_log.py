"""A request id on every request, in the logs and the access log; link tokens never in either.

A questionnaire link carries its token in the path only until the first visit
exchanges it for a session (suppliers.views_questionnaire); that one request,
or a 404 for a dead link, must not leave the token in a log line.
"""

from __future__ import annotations

import contextvars
import logging
import re
import uuid

_current = contextvars.ContextVar("request_id", default="-")
_TOKEN_IN_PATH = re.compile(r"(/suppliers/(?:q|portal)/)[^/?\s\"']+")
# An id a proxy already gave the request is kept, so its logs and ours line up.
_INCOMING = re.compile(r"^[A-Za-z0-9-]{8,64}$")


def redact(text: str) -> str:
    """The text with any questionnaire link token replaced."""
    return _TOKEN_IN_PATH.sub(r"\1[token]", text)


def current_request_id() -> str:
    return _current.get()


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        request.request_id = incoming if _INCOMING.match(incoming) else uuid.uuid4().hex
        # Not reset on the way out: Django logs a 4xx/5xx after the middleware returns, and that line needs it.
        _current.set(request.request_id)
        response = self.get_response(request)
        response["X-Request-ID"] = request.request_id
        return response


class RequestLogFilter(logging.Filter):
    """Adds the request id to every record and takes link tokens out of its message."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id()
        message = record.getMessage()
        if "/suppliers/q/" in message or "/suppliers/portal/" in message:
            record.msg, record.args = redact(message), None
        return True
