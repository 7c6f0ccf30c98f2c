"""gunicorn.conf.py keeps worker memory bounded (issue 17, point 4)."""

import importlib.util
import logging
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def conf():
    spec = importlib.util.spec_from_file_location("gunicorn_conf_under_test", ROOT / "gunicorn.conf.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class _Worker:
    pid = 4242
    alive = True
    log = logging.getLogger("gunicorn.error")


class _Request:
    path = "/suppliers/q/secret-token/"


def test_workers_are_recycled_with_jitter_and_stuck_ones_killed(conf):
    assert conf.max_requests > 0
    assert 0 < conf.max_requests_jitter < conf.max_requests
    # The slowest legitimate request measured by `manage.py bench` (a streamed export) fits.
    assert 30 <= conf.timeout <= 120
    assert conf.WORKER_MAX_RSS_MB == 300


def test_a_worker_left_above_the_memory_ceiling_is_replaced_after_its_request(conf, caplog):
    resident = conf.resident_mb()
    assert resident > 10  # this very process, read from /proc
    # The ceilings sit either side of this process's own size: after a long test run pytest
    # itself can be above the production 300 MB.
    conf.WORKER_MAX_RSS_MB = int(resident) + 200
    worker = _Worker()
    conf.post_request(worker, _Request(), {}, None)
    assert worker.alive, "a worker under the ceiling keeps serving"

    conf.WORKER_MAX_RSS_MB = 1
    with caplog.at_level(logging.WARNING, logger="gunicorn.error"):
        conf.post_request(worker, _Request(), {}, None)
    assert worker.alive is False
    assert "replacing it" in caplog.text
