"""Reporting a concern: signed in, on someone's behalf and anonymously; references and receipt codes."""

import re
import threading

import pytest
from django.core import mail
from django.urls import reverse

from compliance import roles
from safeguarding.models import Channel, Concern, Status, SubjectType
from safeguarding.services import receipt_code_hash, reference_next
from tests.support import page_text

pytestmark = pytest.mark.django_db

FORM = {
    "immediate_danger": "no",
    "subject_type": "agency_worker",
    "location_text": "Staff car park",
    "indicators": ["excessive_hours", "no_id"],
    "narrative": "He sleeps in the van between shifts and says the driver keeps his ID card.",
}


def test_staff_member_reports_and_sees_reference(client, login, reporter, lead, django_capture_on_commit_callbacks):
    login(reporter)
    page = client.get(reverse("safeguarding:report"))
    html = page.content.decode()
    # "Call 999" comes before any field of the form.
    assert html.index("Call 999 now") < html.index('name="subject_type"')
    assert "08000 121 700" in html
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("safeguarding:report"), FORM)
    assert response.status_code == 200
    concern = Concern.objects.get()
    assert concern.reference in response.content.decode()
    assert concern.reference.startswith("MS-20")
    assert concern.reporter == reporter
    assert concern.channel == Channel.STAFF_FORM
    assert concern.status == Status.NEW
    # The Lead is told, by email, without the narrative or the reporter's name.
    assert [m.to for m in mail.outbox] == [[lead.email]]
    assert concern.reference in mail.outbox[0].subject
    assert "van" not in mail.outbox[0].body
    assert reporter.full_name not in mail.outbox[0].body


def test_form_keeps_everything_typed_when_validation_fails(client, login, reporter):
    login(reporter)
    data = {**FORM, "narrative": "", "indicators": ["injuries", "other"], "indicators_other": ""}
    response = client.post(reverse("safeguarding:report"), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert Concern.objects.count() == 0
    assert "has not been sent yet" in html
    assert "Tell us what happened, in your own words." in html
    assert "Describe the other sign" in html
    assert 'value="Staff car park"' in html
    assert re.search(r'<input[^>]*value="injuries"[^>]*checked>', html)
    assert re.search(r'<input[^>]*value="other"[^>]*checked>', html)
    assert not re.search(r'<input[^>]*value="restricted_movement"[^>]*checked>', html)


def test_immediate_danger_is_urgent_and_critical_clock(
    client, login, reporter, lead, django_capture_on_commit_callbacks
):
    login(reporter)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("safeguarding:report"), {**FORM, "immediate_danger": "yes"})
    assert "call 999 now" in response.content.decode()
    concern = Concern.objects.get()
    assert concern.immediate_danger
    assert (concern.due_at - concern.created_at).total_seconds() == 4 * 3600
    assert mail.outbox[0].subject.startswith("URGENT")


def test_line_manager_logs_on_behalf(client, login, make_user):
    manager = make_user(roles.STAFF, roles.LINE_MANAGER)
    login(manager)
    client.post(reverse("safeguarding:report"), {**FORM, "on_behalf_of": "Jo Carer"})
    concern = Concern.objects.get()
    assert concern.channel == Channel.MANAGER_ON_BEHALF
    assert concern.on_behalf_of == "Jo Carer"
    assert concern.reporter == manager


def test_staff_without_manager_role_has_no_on_behalf_field(client, login, reporter):
    login(reporter)
    assert 'name="on_behalf_of"' not in client.get(reverse("safeguarding:report")).content.decode()


def test_anonymous_report_gives_receipt_code_once_stored_hashed(client, lead):
    page = client.get(reverse("safeguarding:report_anonymous"))
    assert page.status_code == 200
    assert "Call 999 now" in page.content.decode()
    response = client.post(reverse("safeguarding:report_anonymous"), {**FORM, "subject_type": "service_user"})
    assert response.status_code == 200
    code = response.context["receipt_code"]
    assert len(code.replace("-", "")) == 24
    concern = Concern.objects.get()
    assert concern.reporter is None
    assert concern.channel == Channel.ANONYMOUS_FORM
    assert concern.receipt_code_hash == receipt_code_hash(code)
    assert code not in str(Concern.objects.values().get())
    assert "no-store" in response["Cache-Control"]
    assert code in page_text(response)  # shown in groups of four, each in its own span


def test_receipt_codes_differ(client):
    codes = set()
    for _ in range(3):
        codes.add(client.post(reverse("safeguarding:report_anonymous"), FORM).context["receipt_code"])
    assert len(codes) == 3


def test_references_are_sequential_per_year():
    assert reference_next(year=2026) == "MS-2026-00001"
    assert reference_next(year=2026) == "MS-2026-00002"
    assert reference_next(year=2027) == "MS-2027-00001"


@pytest.mark.django_db(transaction=True)
def test_references_unique_when_submitted_at_once(submit, reporter):
    # Several threads submit at once; every reference must be different.
    from django.db import connection

    if connection.vendor == "sqlite":
        pytest.skip("SQLite in memory is not shared between threads; CI runs this on PostgreSQL")
    errors, refs = [], []

    def worker():
        try:
            refs.append(submit().reference)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(set(refs)) == 8


def test_service_user_case_notifies_safeguarding_team(submit, lead, team_member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        submit(subject_type=SubjectType.SERVICE_USER)
    assert sorted(m.to[0] for m in mail.outbox) == sorted([lead.email, team_member.email])


def test_staff_case_does_not_notify_safeguarding_team(submit, lead, team_member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        submit(subject_type=SubjectType.STAFF)
    assert [m.to[0] for m in mail.outbox] == [lead.email]


def test_my_reports_shows_status_only(client, login, reporter, submit):
    concern = submit()
    login(reporter)
    html = client.get(reverse("safeguarding:my_reports")).content.decode()
    assert concern.reference in html
    assert "Received: waiting to be looked at" in html
    assert "passport" not in html


def test_my_reports_lists_only_own(client, login, make_user, submit):
    submit()
    login(make_user(roles.STAFF))
    html = client.get(reverse("safeguarding:my_reports")).content.decode()
    assert "MS-" not in html
    assert "You have not reported any concerns" in html


def test_critical_supplier_audit_finding_opens_a_case(make_user, lead, django_capture_on_commit_callbacks):
    # The contract the suppliers app relies on when a critical audit finding opens a case.
    from safeguarding.services import concern_submit
    from suppliers.models import Supplier

    supplier = Supplier.objects.create(name="Brightwash Laundry Ltd")
    with django_capture_on_commit_callbacks(execute=True):
        concern = concern_submit(
            reporter=make_user(roles.STAFF, roles.PROCUREMENT),
            channel="supplier_audit",
            subject_type="supplier_worker",
            indicators=["other"],
            indicators_other="Critical finding in a supplier audit",
            narrative="Critical finding at supplier Brightwash Laundry Ltd: workers' passports held in the office safe.",
            linked_supplier=supplier,
        )
    assert concern.reference.startswith("MS-")
    assert concern.linked_supplier == supplier
    assert concern.get_channel_display() == "Supplier audit finding"
    assert [m.to for m in mail.outbox] == [[lead.email]]


def test_report_forms_never_list_the_supplier_register(client, login, reporter):
    from suppliers.models import Supplier

    Supplier.objects.create(name="Confidential Cleaning Co")
    assert "Confidential Cleaning Co" not in client.get(reverse("safeguarding:report_anonymous")).content.decode()
    login(reporter)
    assert "Confidential Cleaning Co" not in client.get(reverse("safeguarding:report")).content.decode()
    client.post(reverse("safeguarding:report"), {**FORM, "supplier_named": "the blue van agency"})
    assert Concern.objects.get().supplier_named == "the blue van agency"


def test_lead_links_the_register_supplier_at_triage(client, login, lead, submit):
    from suppliers.models import Supplier

    supplier = Supplier.objects.create(name="Blue Van Staffing Ltd")
    concern = submit(supplier_named="blue van agency")
    login(lead)
    client.post(
        reverse("safeguarding:case_action", args=[concern.reference, "triage"]),
        {"triage-risk_level": "high", "triage-linked_supplier": supplier.pk},
    )
    concern.refresh_from_db()
    assert concern.linked_supplier == supplier
    html = client.get(concern.get_absolute_url()).content.decode()
    assert "Blue Van Staffing Ltd" in html and "blue van agency" in html


def test_anonymous_flood_is_limited_and_keeps_the_text(client, settings):
    settings.ANONYMOUS_REPORTS_PER_HOUR = 2
    for _ in range(2):
        assert "receipt_code" in client.post(reverse("safeguarding:report_anonymous"), FORM).context
    response = client.post(reverse("safeguarding:report_anonymous"), FORM)
    html = response.content.decode()
    assert "Too many reports have been sent from this connection" in html
    assert "sleeps in the van between shifts" in html
    assert Concern.objects.count() == 2


def test_without_a_lead_the_deputy_is_told(submit, deputy, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        submit()
    assert [m.to for m in mail.outbox] == [[deputy.email]]
    assert "no one holds the Modern Slavery Lead role" in mail.outbox[0].body
    assert "/cases/" not in mail.outbox[0].body
