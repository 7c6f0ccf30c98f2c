"""The SLA settings fail loudly on a value that does not parse."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from compliance import settings as project_settings


@pytest.mark.parametrize(("raw", "parsed"), [("4h", (4, "h")), ("3wd", (3, "wd")), (" 20WD ", (20, "wd"))])
def test_sla_values_parse(monkeypatch, raw, parsed):
    monkeypatch.setitem(project_settings.env.ENVIRON, "CASE_SLA_TEST", raw)
    assert project_settings.sla_from_env("CASE_SLA_TEST", "1h") == parsed


@pytest.mark.parametrize("raw", ["4", "three days", "0h", "-2wd", "4 hours"])
def test_bad_sla_value_stops_start_up(monkeypatch, raw):
    monkeypatch.setitem(project_settings.env.ENVIRON, "CASE_SLA_TEST", raw)
    with pytest.raises(ImproperlyConfigured, match="CASE_SLA_TEST"):
        project_settings.sla_from_env("CASE_SLA_TEST", "1h")
