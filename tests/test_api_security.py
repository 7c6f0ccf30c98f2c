"""What a prober sees: schema and docs only for signed-in users, TRACE refused, no server banner, no token in logs."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from compliance import roles
from tests.support import api_token

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("url", ["/api/schema/", "/api/docs/"])
def test_schema_and_docs_are_for_signed_in_users(client, make_user, url):
    assert client.get(url).status_code in {401, 403}
    client.force_login(make_user(roles.STAFF))
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("url", ["/api/v1/me/", "/api/v1/safeguarding/cases/", "/api/schema/"])
def test_api_refuses_a_privileged_user_without_mfa_by_token_and_by_session(client, make_user, url):
    # The pages' MFA middleware lets /api/ through, so this permission is the API's only MFA gate:
    # a Lead whose token predates the role (or who signs in and goes straight to the API) is refused.
    lead = make_user(roles.MODERN_SLAVERY_LEAD, mfa=False)
    response = client.get(url, HTTP_AUTHORIZATION=f"Token {api_token(lead)}")
    assert response.status_code == 403
    assert b"two-factor" in response.content
    client.force_login(lead)
    assert client.get(url).status_code == 403
    # Enrolled, the same Lead gets in.
    client.force_login(make_user(roles.MODERN_SLAVERY_LEAD))
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("url", ["/", "/health/", "/api/v1/me/", "/report/", "/accounts/login/"])
def test_trace_is_refused_everywhere(client, make_user, url):
    client.force_login(make_user(roles.STAFF))
    response = client.generic("TRACE", url)
    assert response.status_code == 405
    assert "TRACE" not in response["Allow"]


def test_completion_rates_refuse_invalid_parameters(client, make_user):
    client.force_login(make_user(roles.HR))
    response = client.get("/api/v1/training/completion-rates/", {"as_of": "yesterday", "group_by": "shoe size"})
    assert response.status_code == 400
    assert set(response.json()) == {"as_of", "group_by"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def gunicorn(tmp_path):
    """The real gunicorn with the project's gunicorn.conf.py, on a free local port."""
    port = _free_port()
    log = tmp_path / "access.log"
    env = {**os.environ, "DJANGO_DEBUG": "true", "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--config",
            str(ROOT / "gunicorn.conf.py"),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--access-logfile",
            str(log),
            "compliance.wsgi:application",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:  # poll the real server until it answers
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    pytest.fail("gunicorn did not start")
                time.sleep(0.2)
        yield base, log
    finally:
        process.terminate()
        process.wait(timeout=10)


def _open(url, method="GET"):
    request = urllib.request.Request(url, method=method)
    try:
        # Generous: the worker loads Django on its first request, slowly on a busy 2-core machine.
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310  our own local server
            return response.status, response.headers
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers


def test_gunicorn_sends_no_server_banner_refuses_trace_and_logs_no_token(gunicorn):
    base, log = gunicorn
    _status, headers = _open(f"{base}/report/")
    assert "Server" not in headers, headers
    assert _open(f"{base}/report/", method="TRACE")[0] == 405
    _open(f"{base}/suppliers/q/SeCrEtToKeN123/")
    deadline = time.monotonic() + 30
    while "/suppliers/q/" not in (log.read_text() if log.exists() else "") and time.monotonic() < deadline:
        time.sleep(0.1)  # the access log is written after the response
    text = log.read_text()
    assert "/suppliers/q/[token]/" in text
    assert "SeCrEtToKeN123" not in text
