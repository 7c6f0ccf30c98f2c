"""Carry-forward: last year's words, this year's period, and every carried figure marked until refreshed."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from reporting import services
from reporting.models import STATEMENT_TEXT_FIELDS, Statement
from reporting.tests.factories import GovernanceMeetingFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("organisation")]

TODAY = datetime.date(2025, 7, 1)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2025, 7, 1, 10, 0, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def last_year(lead, board, director):
    """The 2023/24 statement, written by the builder (so it quotes 2023/24 and its figures), then published."""
    statement = services.statement_create(actor=lead, financial_year=2024)
    services.statement_update(
        statement=statement,
        actor=lead,
        data={"structure": "In 2023/24 we ran two homes; this covers 1 April 2023 to 31 March 2024."},
    )
    services.statement_approve(statement=statement, actor=board, meeting=GovernanceMeetingFactory(held_on=TODAY))
    services.statement_sign(statement=statement, actor=director, signatory_title="CEO", signed_on=TODAY)
    return services.statement_publish(statement=statement, actor=lead, published_on=TODAY)


def test_period_specific_text_is_written_for_the_new_year(lead, last_year):
    assert "during the financial year 2023/24" in last_year.introduction
    statement = services.statement_carry_forward(actor=lead, financial_year=2025)
    assert "during the financial year 2024/25" in statement.introduction
    assert statement.title.endswith("statement 2024/25")
    assert statement.structure == "In 2024/25 we ran two homes; this covers 1 April 2024 to 31 March 2025."
    for field in STATEMENT_TEXT_FIELDS:
        value = getattr(statement, field)
        if isinstance(value, str):
            assert "2023/24" not in value and "31 March 2024" not in value, field


def test_every_carried_figure_is_marked_until_refreshed(client, login, lead, board, last_year):
    statement = services.statement_carry_forward(actor=lead, financial_year=2025)
    # Each pre-filled area quoting a figure is marked; the structure (no figures) is not.
    assert statement.carried_figures == ["policies", "due_diligence", "risk_assessment", "effectiveness", "training"]
    login(lead)
    html = client.get(reverse("reporting:statement_detail", args=[statement.pk])).content.decode()
    assert html.count("last year's figures</span>") == 5
    assert "Figures carried from last year" in html
    edit = client.get(reverse("reporting:statement_edit", args=[statement.pk])).content.decode()
    assert "Figures carried from last year</strong> in: Policies in relation to slavery" in edit
    # Approving with figures still carried is allowed, with a warning.
    warnings = services.statement_timing_warnings(statement=statement, on=TODAY, action="approved")
    assert warnings == ["5 section(s) still quote last year's figures: refresh them first."]

    # Rewriting a section by hand clears its mark; the rest stay marked.
    services.statement_update(
        statement=statement, actor=lead, data={"training": "92% of staff completed training in 2024/25."}
    )
    statement.refresh_from_db()
    assert "training" not in statement.carried_figures and len(statement.carried_figures) == 4

    # Refreshing rewrites the rest from this year's records.
    response = client.post(reverse("reporting:statement_refresh_figures", args=[statement.pk]))
    assert response.status_code == 302
    statement.refresh_from_db()
    assert statement.carried_figures == []
    assert statement.training == "92% of staff completed training in 2024/25."
    assert "We completed 0 supplier audits in the year" in statement.due_diligence
    assert statement.events.filter(action="figures refreshed").exists()
    html = client.get(reverse("reporting:statement_detail", args=[statement.pk])).content.decode()
    assert "last year's figures</span>" not in html


def test_refresh_is_refused_once_approved(lead, board, last_year):
    from django.core.exceptions import ValidationError

    statement = services.statement_carry_forward(actor=lead, financial_year=2025)
    services.statement_approve(statement=statement, actor=board, meeting=GovernanceMeetingFactory(held_on=TODAY))
    with pytest.raises(ValidationError, match="frozen"):
        services.statement_refresh_figures(statement=statement, actor=lead)
    assert Statement.objects.get(pk=statement.pk).carried_figures


def test_carry_forward_rereads_registry_answers_for_the_new_year(lead, last_year):
    statement = services.statement_carry_forward(actor=lead, financial_year=2025)
    # Nothing recorded in 2024/25: the record-based answers say so rather than repeat last year's.
    assert statement.social_audits == ["none"]
    assert statement.ilo_indicators == ["none"]
