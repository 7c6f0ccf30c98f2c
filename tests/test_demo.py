"""`manage.py seed_demo` gives one login per role and can be run again safely."""

import io

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from compliance import roles
from compliance.models import User

pytestmark = pytest.mark.django_db


def _counts():
    return {
        m._meta.label: m.objects.count()
        for m in apps.get_models()
        if m._meta.app_label in {"compliance", "safeguarding", "suppliers", "training", "reporting"}
    }


def test_seed_demo_creates_one_login_per_role_and_is_idempotent():
    out = io.StringIO()
    call_command("seed_demo", force=True, stdout=out)
    first = _counts()
    for role in roles.ALL_ROLES:
        assert User.objects.filter(groups__name=role, email__endswith="@nextsmartstep.example").exists(), role
    assert "demo-Passw0rd-2026" in out.getvalue()
    call_command("seed_demo", force=True, stdout=io.StringIO())
    second = _counts()
    # Notifications and access logs may grow when demo data triggers them; records must not duplicate.
    ignore = {"compliance.Notification", "compliance.AccessLog"}
    assert {k: v for k, v in first.items() if k not in ignore} == {k: v for k, v in second.items() if k not in ignore}


def test_seed_demo_refuses_to_run_in_production(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DJANGO_DEBUG"):
        call_command("seed_demo", stdout=io.StringIO())
