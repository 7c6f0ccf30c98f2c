"""Each edit page, opened and saved unchanged through its view and service, changes nothing.

The page's own HTML is turned into what a browser would send (tests/formdata.py), so this catches
what the ModelForm test cannot: a view that pre-fills differently, or a service that rewrites.
The Playwright test (tests/test_browser_forms.py) does the same in Chromium for the forms with dates.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from compliance import roles
from tests.formdata import browser_form_data
from tests.test_form_round_trip import STORED, stored_row

pytestmark = pytest.mark.django_db

PAGES = {
    # model: (url name, argument taken from the record, role that edits it)
    "User": ("person_edit", "pk", roles.COMPLIANCE_ADMIN),
    "Supplier": ("suppliers:edit", "pk", roles.PROCUREMENT),
    # A second page for the same model: "<model>:<page>".
    "Supplier:procurement": ("suppliers:procurement", "pk", roles.PROCUREMENT),
    "Statement": ("reporting:statement_edit", "pk", roles.MODERN_SLAVERY_LEAD),
    "RiskRegisterEntry": ("reporting:risk_edit", "pk", roles.MODERN_SLAVERY_LEAD),
    "GovernanceMeeting": ("reporting:meeting_edit", "pk", roles.MODERN_SLAVERY_LEAD),
    "ActionPlanItem": ("reporting:action_edit", "pk", roles.MODERN_SLAVERY_LEAD),
    "Course": ("training:course_edit", "pk", roles.HR),
    "AssignmentRule": ("training:rule_edit", "pk", roles.HR),
    "RecruitmentCheck": ("training:recruitment_edit", "worker_id", roles.HR),
}


@pytest.mark.parametrize("model", sorted(PAGES))
def test_edit_page_saved_unchanged_changes_nothing(client, login, make_user, model):
    url_name, arg, role = PAGES[model]
    editor = make_user(roles.STAFF, role)
    obj = STORED[model.split(":")[0]]()
    before = stored_row(obj)
    events_before = list(obj.events.values_list("action", "detail")) if model == "Statement" else None
    login(editor)
    url = reverse(url_name, args=[getattr(obj, arg)])

    page = client.get(url)
    assert page.status_code == 200
    response = client.post(url, dict(browser_form_data(page.content.decode(), action="").lists()))

    assert response.status_code == 302, response.content.decode()[:3000]
    assert stored_row(obj) == before
    if events_before is not None:
        # Statement history must not list every field as changed because the browser sent CRLF.
        assert list(obj.events.values_list("action", "detail")) == events_before


def test_organisation_page_saved_unchanged_changes_nothing(client, login, make_user):
    from compliance.models import Department, LegalEntity, Site

    organisation = STORED["LegalEntity"]().organisation
    department, site = STORED["Department"](), STORED["Site"]()
    rows = [organisation, LegalEntity.objects.get(), department, site]
    login(make_user(roles.STAFF, roles.COMPLIANCE_ADMIN))
    before = [stored_row(obj) for obj in rows]
    counts = (LegalEntity.objects.count(), Department.objects.count(), Site.objects.count())

    page = client.get(reverse("organisation"))
    response = client.post(reverse("organisation"), dict(browser_form_data(page.content.decode(), action="").lists()))

    assert response.status_code == 302, response.content.decode()[:3000]
    assert [stored_row(obj) for obj in rows] == before
    assert (LegalEntity.objects.count(), Department.objects.count(), Site.objects.count()) == counts
