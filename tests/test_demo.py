"""`manage.py seed_demo`: one login per role, a realistic picture in every app, safe to run again.

The whole demo is seeded once for this module (it takes seconds: 150 staff, 30 suppliers, a
dozen cases, two statements) inside a transaction rolled back at the end, and every test reads
it inside its own savepoint. It used to be seeded once per app's test, seven times per run.
The module is marked slow: `-m "not slow"` leaves it out of a quick loop; CI runs it.
"""

import datetime
import io
import re

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.apps import apps
from django.contrib import admin
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import RequestFactory, override_settings
from django.urls import reverse
from knox.models import AuthToken
from pypdf import PdfReader

from compliance import mfa_secrets, roles
from compliance.models import User
from compliance.policy_models import Acknowledgement, PolicyVersion
from reporting.board_reports import board_report_context
from reporting.models import ActionPlanItem, GovernanceMeeting, KpiSnapshot, RiskRegisterEntry, Statement
from reporting.pdf import render_pdf
from reporting.services import kpi_snapshot_take
from safeguarding import demo as safeguarding_demo
from safeguarding.models import Concern, Status
from suppliers import demo as suppliers_demo
from suppliers.models import Audit, CorrectiveAction, QuestionnaireRequest, Supplier
from tests.support import api_token, enrol_totp
from training.models import Course, RecruitmentCheck, TrainingRecord
from training.selectors import completion_rates

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

# A month end, so last month's KPI snapshot (taken the next day) is as at the same date as the
# "to date" figures; the clock stays there for the whole module so the seed and the reads agree.
SEEDED_AT = datetime.datetime(2026, 11, 30, 12, 0, tzinfo=datetime.UTC)
# Notifications and access logs may grow when demo data triggers them; records must not duplicate.
GROWS_ON_RESEED = {"compliance.Notification", "compliance.AccessLog"}


def _counts():
    return {
        m._meta.label: m.objects.count()
        for m in apps.get_models()
        if m._meta.app_label in {"compliance", "safeguarding", "suppliers", "training", "reporting"}
    }


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo seeded once; yields the command's output. Rolled back after the module."""
    clock = time_machine.travel(SEEDED_AT, tick=False)
    clock.start()
    media = override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("demo-uploads"))
    media.enable()
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            out = io.StringIO()
            call_command("seed_demo", force=True, stdout=out)
            yield out.getvalue()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            media.disable()
            clock.stop()


def test_one_login_per_role_and_the_password_is_printed(seeded):
    for role in roles.ALL_ROLES:
        assert User.objects.filter(groups__name=role, email__endswith="@nextsmartstep.example").exists(), role
    assert "demo-Passw0rd-2026" in seeded


def test_running_it_again_duplicates_nothing_and_links_the_agency(seeded):
    first = _counts()
    call_command("seed_demo", force=True, stdout=io.StringIO())
    second = _counts()
    assert {k: v for k, v in first.items() if k not in GROWS_ON_RESEED} == {
        k: v for k, v in second.items() if k not in GROWS_ON_RESEED
    }
    # training seeds before suppliers, so recruitment checks name the agency from the second run on.
    assert RecruitmentCheck.objects.filter(agency__name="CareForce Staffing Ltd").exists()


def test_refuses_to_run_in_production(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DJANGO_DEBUG"):
        call_command("seed_demo", stdout=io.StringIO())


def test_training_picture_is_realistic(seeded):
    assert User.objects.filter(email__startswith="staff").count() >= 150
    assert set(Course.objects.values_list("kind", flat=True)) == {"induction", "refresher", "specialised"}
    hr = User.objects.get(email="hr@nextsmartstep.example")
    total = completion_rates(user=hr)["total"]
    assert total.overdue > 5 and total.expired > 5 and total.complete > 100
    assert 50 < total.rate < 95
    version = PolicyVersion.objects.get(policy__title="Modern Slavery Policy")
    assert version.number == 1
    assert "4.3 Ethical Recruitment Practices" in version.text
    assert 50 < Acknowledgement.objects.filter(version=version).count() < 150
    assert RecruitmentCheck.objects.filter(right_to_work_expires_on__isnull=False).exists()
    manager = User.objects.get(email="manager@nextsmartstep.example")
    assert manager.direct_reports.count() > 5
    # The demo logins show the flows: an overdue course for staff, a declaration for the manager.
    assert TrainingRecord.objects.filter(
        user__email="staff@nextsmartstep.example", due_on__lt=datetime.date.today(), completed_on__isnull=True
    ).exists()
    assert TrainingRecord.objects.filter(
        user__line_manager=manager, declared_on__isnull=False, completed_on__isnull=True
    ).exists()


def test_supplier_register_covers_bands_audits_and_actions(seeded):
    assert Supplier.objects.count() >= 30
    assert {"low", "medium", "high"} <= set(Supplier.objects.values_list("risk_band", flat=True))
    assert Audit.objects.exists()
    assert CorrectiveAction.objects.filter(status="open", escalation_level__gt=0).exists()
    assert CorrectiveAction.objects.filter(status="open", escalation_level=0).exists()
    # An accepted questionnaire's medium gap became a finding with a proposed corrective action.
    assert CorrectiveAction.objects.filter(finding__source="questionnaire", finding__question__isnull=False).exists()
    assert QuestionnaireRequest.objects.filter(status="returned").exists()
    prohibited = [s for s in Supplier.objects.all() if s.is_prohibited_agency]
    assert len(prohibited) == 1 and prohibited[0].status != "active"
    assert Supplier.objects.filter(termination_recommended_at__isnull=False).exists()


def test_a_supplier_missing_from_the_register_is_seeded_alone(seeded):
    count, audits, requests = Supplier.objects.count(), Audit.objects.count(), QuestionnaireRequest.objects.count()
    # Even when one supplier is new (e.g. the list grew), nothing else is seeded twice.
    Supplier.objects.filter(name="Clearview Window Cleaning").delete()
    suppliers_demo.seed()
    assert Supplier.objects.count() == count
    assert Audit.objects.count() == audits
    assert QuestionnaireRequest.objects.count() == requests


def test_cases_in_every_state(seeded):
    assert Concern.objects.count() == len(safeguarding_demo.CASES) >= 12
    assert safeguarding_demo.seed() == 0
    assert set(Concern.objects.values_list("status", flat=True)) == set(Status.values)
    assert Concern.objects.filter(receipt_code_hash__gt="").count() == 2
    assert all(c.timeline.exists() for c in Concern.objects.all())


def test_a_published_statement_a_draft_and_governance(seeded, client):
    published = Statement.objects.get(status=Statement.Status.PUBLISHED)
    draft = Statement.objects.get(status=Statement.Status.DRAFT)
    assert draft.financial_year == published.financial_year + 1
    assert [e.action for e in published.events.all()][-5:] == [
        "approved",
        "signed",
        "published",
        "registry",
        "actions created",
    ]
    # Approved by the Board at a Board meeting, on its date, after the year ended; three registry risks.
    assert published.approved_meeting.body == GovernanceMeeting.Body.BOARD
    assert published.approved_on == published.approved_meeting.held_on > published.period_end
    assert "before the financial year ended" not in published.events.get(action="approved").detail
    assert len(published.risks) == 3 and published.registry_submitted_on
    assert RiskRegisterEntry.objects.count() == 5
    assert GovernanceMeeting.objects.count() == 3
    assert ActionPlanItem.objects.filter(source_statement=published).count() == 3
    assert KpiSnapshot.objects.count() == 12
    page = client.get(reverse("reporting:public_statement", args=[published.financial_year]))
    assert page.status_code == 200 and "Dana Director" in page.content.decode()


def test_training_completion_agrees_on_dashboard_snapshot_training_page_and_board_pdf(seeded, client):
    snapshot = kpi_snapshot_take(today=datetime.date(2026, 12, 1))
    client.force_login(User.objects.get(email="board@nextsmartstep.example"))
    dashboard = client.get(reverse("reporting:index")).context["figures"]
    month = client.get(reverse("reporting:index"), {"period": "month", "on": "2026-11-30"}).context["figures"]
    client.force_login(User.objects.get(email="hr@nextsmartstep.example"))
    page = client.get(reverse("training:rates")).context["total"].rate
    pdf = render_pdf("reporting/pdf/board_report.html", board_report_context(financial_year=2027))
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf)).pages)
    in_pdf = float(re.search(r"Training completion (\d+(?:\.\d+)?)%", text).group(1))
    assert dashboard["to_date"] and dashboard["as_of"] == "2026-11-30"
    assert 50 < page < 100
    assert dashboard["training_completion_pct"] == page
    assert month["training_completion_pct"] == page
    assert snapshot.figures["training_completion_pct"] == page
    assert in_pdf == page


def _admin_urls():
    """Every registered model's changelist, and the change page of its first row."""
    for model, model_admin in admin.site._registry.items():
        meta = model._meta
        yield reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        obj = model_admin.get_queryset(RequestFactory().get("/")).order_by("pk").first()
        if obj is not None:
            yield reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])


def test_no_secret_or_token_key_appears_in_any_admin_page(seeded, client, make_user, login):
    # Walks the seeded demo (a row in nearly every table) instead of seeding it a second time.
    from safeguarding.models import Channel, Indicator, SubjectType
    from safeguarding.services import concern_submit

    lead = make_user(roles.STAFF, roles.MODERN_SLAVERY_LEAD, mfa=False)
    totp_secret = enrol_totp(lead)
    recovery = RecoveryCodes.activate(lead)
    token = api_token(lead)
    stored_token = AuthToken.objects.get(user=lead)
    concern = concern_submit(
        reporter=None,
        channel=Channel.ANONYMOUS_FORM,
        subject_type=SubjectType.STAFF,
        indicators=[Indicator.NO_ID],
        narrative="Passports kept by the supervisor.",
    )
    secrets = {
        "TOTP secret": totp_secret,
        "recovery seed": mfa_secrets.decrypt(recovery.instance.data["seed"]),
        "API token": token,
        "API token lookup key": stored_token.token_key,
        "API token digest": stored_token.digest,
        "receipt code": concern.receipt_code,
        "receipt code (plain)": concern.receipt_code.replace("-", ""),
        "password hash": lead.password.split("$")[-1],
    }
    secrets |= {f"recovery code {i}": code for i, code in enumerate(recovery.get_unused_codes())}
    for authenticator in Authenticator.objects.filter(user=lead):
        for name, value in authenticator.data.items():
            if isinstance(value, str) and len(value) > 8:
                secrets[f"stored {authenticator.type} {name}"] = value
    superuser = make_user(roles.STAFF, mfa=False, is_staff=True, is_superuser=True, email="root@example.org")
    enrol_totp(superuser)
    login(superuser)

    visited = 0
    for url in _admin_urls():
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        for name, value in secrets.items():
            assert value not in html, f"{name} shown on {url}"
        visited += 1
    assert visited > 2 * len(admin.site._registry) * 0.8  # change pages too, not just the lists
    # The models that hold secrets are still walked (their secret-free admin pages).
    assert AuthToken not in admin.site._registry
    assert Authenticator in admin.site._registry
