"""The anonymous reporter's follow-up session: which report this browser may show, and for how long.

A receipt code opens one report in the browser's session. On a shared computer
the next person must not inherit it, so it lasts only RECEIPT_SESSION_IDLE_SECONDS
after the last follow-up page (the rest of the session is not shortened), and it
is dropped whenever anybody signs in or out on that browser.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver

SESSION_KEY = "safeguarding_receipt_concern"


def receipt_session_open(*, request, concern_pk: int) -> None:
    """Let this browser show one anonymous report, until it idles out."""
    # A new session key: a session id seen before the code was entered is worthless after.
    request.session.cycle_key()
    request.session[SESSION_KEY] = {"concern": concern_pk, "until": time.time() + settings.RECEIPT_SESSION_IDLE_SECONDS}


def receipt_session_concern_pk(*, request) -> int | None:
    """The report this browser may show, or None once it has idled out (each visit extends it)."""
    entry = request.session.get(SESSION_KEY)
    if not isinstance(entry, dict) or entry.get("until", 0) < time.time():
        request.session.pop(SESSION_KEY, None)
        return None
    entry["until"] = time.time() + settings.RECEIPT_SESSION_IDLE_SECONDS
    request.session[SESSION_KEY] = entry
    return entry["concern"]


def receipt_session_clear(*, session) -> None:
    """Forget the anonymous report this browser was following."""
    session.pop(SESSION_KEY, None)


@receiver(user_logged_in, dispatch_uid="safeguarding.receipt_session.logged_in")
@receiver(user_logged_out, dispatch_uid="safeguarding.receipt_session.logged_out")
def _clear_on_sign_in_or_out(sender, request, **kwargs):
    # Django keeps session data across login() (whichever page signs in),
    # so this is what stops the next person on a shared computer from reading the report.
    if request is not None and hasattr(request, "session"):
        receipt_session_clear(session=request.session)
