"""The reporting demo: last year's statement published, this year's draft, governance records."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from reporting.models import ActionPlanItem, GovernanceMeeting, KpiSnapshot, RiskRegisterEntry, Statement

pytestmark = pytest.mark.django_db


def test_demo_has_a_published_statement_a_draft_and_governance(client):
    call_command("seed_demo", force=True, stdout=io.StringIO())
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
