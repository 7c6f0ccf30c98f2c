"""The database itself refuses the states the KPIs could not count: each constraint against a bad row."""

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from reporting.models import RiskRegisterEntry, Statement
from reporting.tests.factories import RiskRegisterEntryFactory, StatementFactory
from safeguarding.models import Concern
from safeguarding.tests.factories import ConcernFactory
from suppliers.models import CorrectiveAction
from suppliers.tests.factories import CorrectiveActionFactory

pytestmark = pytest.mark.django_db


def _refused(update):
    with pytest.raises(IntegrityError), transaction.atomic():
        update()


def test_a_closed_case_needs_an_outcome_and_a_closing_date():
    concern = ConcernFactory()
    rows = Concern.objects.filter(pk=concern.pk)
    _refused(lambda: rows.update(status="closed", outcome="", closed_at=timezone.now()))
    _refused(lambda: rows.update(status="closed", outcome="substantiated", closed_at=None))
    rows.update(status="closed", outcome="substantiated", closed_at=timezone.now())


def test_a_verified_corrective_action_needs_its_verification_date():
    action = CorrectiveActionFactory()
    rows = CorrectiveAction.objects.filter(pk=action.pk)
    _refused(lambda: rows.update(status="verified", verified_at=None))
    rows.update(status="verified", verified_at=timezone.now())


def test_a_closed_risk_has_its_closing_date_and_an_open_one_has_none():
    entry = RiskRegisterEntryFactory()
    rows = RiskRegisterEntry.objects.filter(pk=entry.pk)
    _refused(lambda: rows.update(status="closed"))
    _refused(lambda: rows.update(closed_at=timezone.now()))
    rows.update(status="closed", closed_at=timezone.now())


def test_one_published_statement_per_year(lead):
    StatementFactory(financial_year=2025, version=1, status="published", created_by=lead)
    second = StatementFactory(financial_year=2025, version=2, status="signed", created_by=lead)
    _refused(lambda: Statement.objects.filter(pk=second.pk).update(status="published"))
    StatementFactory(financial_year=2026, version=1, status="published", created_by=lead)  # another year is fine


def test_closing_a_risk_through_the_service_dates_it_and_reopening_clears_it(lead):
    from reporting.governance import risk_entry_save

    entry = RiskRegisterEntryFactory(owner=lead)
    entry = risk_entry_save(actor=lead, data={"status": "closed"}, entry=entry)
    assert entry.closed_at is not None
    entry = risk_entry_save(actor=lead, data={"status": "open"}, entry=entry)
    assert entry.closed_at is None
