"""Helpers for tests: real TOTP codes, and services that must exist in CI."""

import contextlib
import os
import re

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret, hotp_value, yield_hotp_counters_from_time

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require_service(name: str, available: bool, why: str = "") -> None:
    """Skip a test locally when a service is missing; in CI a missing service fails."""
    if available:
        return
    message = f"{name} is not available{': ' + why if why else ''}"
    if IN_CI:
        pytest.fail(f"{message} (CI=true: every service must be running)")
    pytest.skip(message)


def enrol_totp(user) -> str:
    """Give the user a TOTP authenticator and return its secret."""
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def current_totp_code(secret: str) -> str:
    counter = next(yield_hotp_counters_from_time())
    return f"{hotp_value(secret, counter):06d}"


def download_text(response) -> str:
    """The text of a download, streamed or not, without the BOM that CSV exports start with for Excel."""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return body.decode("utf-8-sig")


def api_token(user) -> str:
    """A fresh API token for the user (the clear text exists only here: only its digest is stored)."""
    from compliance.account_services import api_token_create

    return api_token_create(user=user)[1]


def assert_restrict_matches(*, queryset, predicate, users, action: str = "view") -> int:
    """`restrict(user, action)` and the object predicate agree for every user × every row.

    `queryset` is the unrestricted population (every object state the test made);
    `predicate` is the rules predicate called as predicate.test(user, obj).
    Returns how many (user, object) pairs were compared, so a test can assert it
    compared something.
    """
    mismatches = []
    compared = 0
    objects = list(queryset)
    for user in users:
        visible = set(queryset.restrict(user, action).values_list("pk", flat=True))
        for obj in objects:
            compared += 1
            allowed = bool(predicate.test(user, obj))
            if allowed != (obj.pk in visible):
                mismatches.append((getattr(user, "email", user), obj.pk, allowed, obj.pk in visible))
    assert not mismatches, f"restrict() and the predicate disagree (user, pk, predicate, restrict): {mismatches[:20]}"
    assert compared, "the parity test compared nothing"
    return compared


def page_text(response) -> str:
    """What a person reads on an HTML page: the markup without its tags (e.g. a receipt code
    shown in groups of four, each in its own span)."""
    return re.sub(r"<[^>]+>", "", response.content.decode())


def roles_granted(predicate, make_user, *obj) -> set[str]:
    """The roles whose holder (alone, active) `predicate` lets in, on `obj` for an object rule."""
    from compliance import roles

    return {role for role in roles.ALL_ROLES if predicate.test(make_user(role, mfa=False), *obj)}


def assert_outsiders_refused(predicate, make_user, *obj) -> None:
    """Nobody outside gets in: not a visitor, and not a switched-off account holding every role."""
    from django.contrib.auth.models import AnonymousUser

    from compliance import roles

    assert not predicate.test(AnonymousUser(), *obj)
    assert not predicate.test(make_user(*roles.ALL_ROLES, mfa=False, is_active=False), *obj)


@contextlib.contextmanager
def instances_built(model):
    """The `model` instances the ORM builds inside the block (a list that fills as they are made)."""
    from django.db.models.signals import post_init

    built = []

    def count(sender, **kwargs):
        built.append(sender)

    post_init.connect(count, sender=model, weak=False)
    try:
        yield built
    finally:
        post_init.disconnect(count, sender=model)
