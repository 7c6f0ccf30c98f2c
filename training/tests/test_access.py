"""Who sees what: own records, direct reports, everyone for HR; recruitment checks for HR and admin only."""

import datetime

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from compliance import roles
from compliance.models import AccessLog, Notification
from training.models import RecruitmentCheck, TrainingRecord
from training.tests.factories import CourseFactory, RecruitmentCheckFactory, TrainingRecordFactory

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 3, 2)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"


@pytest.fixture
def team(make_user):
    manager = make_user(roles.STAFF, roles.LINE_MANAGER, full_name="Morgan Manager")
    report = make_user(roles.STAFF, full_name="Ann Carer", line_manager=manager)
    outsider = make_user(roles.STAFF, full_name="Olly Outsider")
    course = CourseFactory(title="Modern slavery induction")
    return {
        "manager": manager,
        "report": report,
        "outsider": outsider,
        "report_record": TrainingRecordFactory(user=report, course=course, due_on=datetime.date(2026, 3, 20)),
        "outsider_record": TrainingRecordFactory(user=outsider, course=course, due_on=datetime.date(2026, 2, 1)),
    }


def _status(client, record):
    return client.get(reverse("training:record_detail", args=[record.pk])).status_code


def test_staff_see_their_own_record_and_404_for_anyone_elses(client, login, team):
    login(team["report"])
    assert _status(client, team["report_record"]) == 200
    assert _status(client, team["outsider_record"]) == 404


def test_line_manager_sees_direct_reports_only(client, login, team):
    login(team["manager"])
    assert _status(client, team["report_record"]) == 200
    assert _status(client, team["outsider_record"]) == 404
    html = client.get(reverse("training:team")).content.decode()
    assert "Ann Carer" in html
    assert "Olly Outsider" not in html


def test_hr_sees_everyone(client, login, team, hr_user):
    login(hr_user)
    assert _status(client, team["report_record"]) == 200
    assert _status(client, team["outsider_record"]) == 200
    html = client.get(reverse("training:team")).content.decode()
    assert "Ann Carer" in html and "Olly Outsider" in html


@pytest.mark.parametrize("role", [roles.STAFF])
def test_team_and_admin_pages_are_404_for_staff(client, login, make_user, role):
    login(make_user(role))
    assert client.get(reverse("training:team")).status_code == 404
    assert client.get(reverse("training:admin")).status_code == 404


@time_machine.travel(TODAY, tick=False)
def test_my_training_shows_own_courses_with_status_words(client, login, team):
    login(team["outsider"])
    html = client.get(reverse("training:index")).content.decode()
    assert "Modern slavery induction" in html
    assert "Overdue" in html


@time_machine.travel(TODAY, tick=False)
def test_self_declared_completion_counts_once_the_manager_confirms(client, login, team):
    record = team["report_record"]
    login(team["report"])
    response = client.post(
        reverse("training:record_detail", args=[record.pk]),
        {
            "action": "declare",
            "completed_on": "2026-03-01",
            "evidence": SimpleUploadedFile("certificate.pdf", PDF, content_type="application/pdf"),
        },
        follow=True,
    )
    assert "Awaiting manager confirmation" in response.content.decode()
    record.refresh_from_db()
    assert record.completed_on is None
    assert Notification.objects.filter(recipient=team["manager"], subject__startswith="Please confirm").exists()

    login(team["manager"])
    html = client.get(reverse("training:record_detail", args=[record.pk])).content.decode()
    assert "Confirm Ann Carer completed this on 1 March 2026" in html
    client.post(reverse("training:record_detail", args=[record.pk]), {"action": "confirm"})
    record.refresh_from_db()
    assert record.completed_on == datetime.date(2026, 3, 1)
    assert record.confirmed_by == team["manager"]
    assert record.source == TrainingRecord.Source.SELF_DECLARED
    assert record.expires_on == datetime.date(2027, 3, 1)

    # The manager downloads the certificate; the download is in the access log.
    response = client.get(reverse("training:record_evidence", args=[record.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert AccessLog.objects.filter(user=team["manager"], action=AccessLog.Action.DOWNLOAD).exists()


@time_machine.travel(TODAY, tick=False)
def test_staff_cannot_confirm_their_own_declaration(client, login, team):
    record = team["report_record"]
    login(team["report"])
    client.post(
        reverse("training:record_detail", args=[record.pk]), {"action": "declare", "completed_on": "2026-03-01"}
    )
    response = client.post(reverse("training:record_detail", args=[record.pk]), {"action": "confirm"})
    assert response.status_code == 403
    record.refresh_from_db()
    assert record.completed_on is None


@time_machine.travel(TODAY, tick=False)
def test_bad_declaration_keeps_input_and_says_what_is_wrong(client, login, team):
    record = team["report_record"]
    login(team["report"])
    response = client.post(
        reverse("training:record_detail", args=[record.pk]),
        {
            "action": "declare",
            "completed_on": "2026-04-01",
            "evidence": SimpleUploadedFile("certificate.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf"),
        },
    )
    html = response.content.decode()
    assert "The completion date cannot be in the future." in html
    assert "Upload a PDF, PNG or JPEG file." in html
    assert 'value="2026-04-01"' in html


@pytest.mark.parametrize(
    "role", [roles.STAFF, roles.LINE_MANAGER, roles.MODERN_SLAVERY_LEAD, roles.PROCUREMENT, roles.BOARD_MEMBER]
)
def test_recruitment_checks_are_invisible_to_everyone_but_hr_and_admin(client, login, make_user, role):
    worker = make_user(roles.STAFF)
    RecruitmentCheckFactory(worker=worker, dbs_checked_on=datetime.date(2026, 1, 5), dbs_outcome="clear")
    login(make_user(role))
    assert client.get(reverse("training:recruitment_list")).status_code == 404
    assert client.get(reverse("training:recruitment_edit", args=[worker.pk])).status_code == 404


@pytest.mark.parametrize("role", [roles.HR, roles.COMPLIANCE_ADMIN])
@time_machine.travel(TODAY, tick=False)
def test_hr_and_admin_record_recruitment_checks_and_see_the_rate(client, login, make_user, role):
    worker = make_user(roles.STAFF, full_name="Iva Nurse")
    login(make_user(role))
    url = reverse("training:recruitment_edit", args=[worker.pk])
    response = client.post(
        url,
        {
            "dbs_checked_on": "2026-01-05",
            "dbs_outcome": "",
            "right_to_work_verified_on": "2026-01-04",
            "right_to_work_document": "share_code",
            "right_to_work_expires_on": "2027-01-04",
            "contract_accessible_given_on": "2026-01-10",
            "contract_format": "Plain English, Romanian translation",
            "agency_used": "on",
            "agency_name": "",
        },
    )
    html = response.content.decode()
    assert "Record whether the DBS check was clear." in html
    assert "Choose the agency or type its name." in html
    assert not RecruitmentCheck.objects.exists()

    response = client.post(
        url,
        {
            "dbs_checked_on": "2026-01-05",
            "dbs_outcome": "clear",
            "right_to_work_verified_on": "2026-01-04",
            "right_to_work_document": "share_code",
            "right_to_work_expires_on": "2027-01-04",
            "contract_accessible_given_on": "2026-01-10",
            "contract_format": "Plain English, Romanian translation",
            "agency_used": "on",
            "agency_name": "Northern Care Staffing",
        },
    )
    assert response.status_code == 302
    check = RecruitmentCheck.objects.get(worker=worker)
    assert check.is_complete
    html = client.get(reverse("training:recruitment_list")).content.decode()
    assert "Iva Nurse" in html
    assert "Complete" in html
    assert AccessLog.objects.filter(action=AccessLog.Action.VIEW, object_repr="Recruitment checks list").exists()


@time_machine.travel(TODAY, tick=False)
def test_manager_can_decline_a_declaration_with_a_reason(client, login, team):
    record = team["report_record"]
    login(team["report"])
    client.post(
        reverse("training:record_detail", args=[record.pk]), {"action": "declare", "completed_on": "2026-03-01"}
    )
    login(team["manager"])
    response = client.post(
        reverse("training:record_detail", args=[record.pk]), {"action": "reject", "reason": ""}, follow=True
    )
    assert "Say why" in response.content.decode()
    client.post(
        reverse("training:record_detail", args=[record.pk]),
        {"action": "reject", "reason": "No certificate on the LMS for that date."},
    )
    record.refresh_from_db()
    assert record.declared_on is None and record.completed_on is None
    note = Notification.objects.get(recipient=team["report"], subject__startswith="Training not confirmed")
    assert "No certificate on the LMS for that date." in note.body


@time_machine.travel(TODAY, tick=False)
def test_hr_cannot_confirm_their_own_declaration(client, login, hr_user):
    record = TrainingRecordFactory(user=hr_user, due_on=datetime.date(2026, 3, 20))
    login(hr_user)
    client.post(
        reverse("training:record_detail", args=[record.pk]), {"action": "declare", "completed_on": "2026-03-01"}
    )
    assert client.post(reverse("training:record_detail", args=[record.pk]), {"action": "confirm"}).status_code == 403
    record.refresh_from_db()
    assert record.completed_on is None


def test_a_worker_from_a_prohibited_agency_alerts_the_modern_slavery_lead(client, login, make_user, hr_user):
    from suppliers.models import AgencyIdDocuments, Supplier

    lead = make_user(roles.STAFF, roles.MODERN_SLAVERY_LEAD)
    agency = Supplier.objects.create(
        name="QuickShift Recruitment Ltd",
        category=Supplier.Category.AGENCY_STAFFING,
        is_recruitment_agency=True,
        agency_ids_outcome=AgencyIdDocuments.RETAINED,
    )
    worker = make_user(roles.STAFF, full_name="Iva Nurse", employment_type="agency")
    login(hr_user)
    response = client.post(
        reverse("training:recruitment_edit", args=[worker.pk]),
        {"agency_used": "on", "agency": agency.pk},
        follow=True,
    )
    assert "QuickShift Recruitment Ltd is a prohibited agency under policy 4.3" in response.content.decode()
    alert = Notification.objects.get(recipient=lead)
    assert alert.subject == "A worker was supplied by a prohibited agency: QuickShift Recruitment Ltd"
    assert alert.url == reverse("suppliers:detail", args=[agency.pk])


def test_person_page_for_manager_and_hr_404_for_others(client, login, team, hr_user):
    url = reverse("training:person", args=[team["report"].pk])
    login(team["manager"])
    html = client.get(url).content.decode()
    assert "Training: Ann Carer" in html and "Modern slavery induction" in html
    assert "Assign a course" not in html
    assert client.get(reverse("training:person", args=[team["outsider"].pk])).status_code == 404
    login(team["outsider"])
    assert client.get(url).status_code == 404
    login(hr_user)
    assert "Assign a course" in client.get(url).content.decode()


def test_recruitment_list_holds_workers_not_board_members(client, login, make_user):
    # The list and the completion rate count the same people: Board members without the
    # Staff role are not workers; a future starter is listed so HR can check them before day one.
    worker = make_user(roles.STAFF, full_name="Iva Nurse")
    starter = make_user(
        roles.STAFF, full_name="Ola Starter", start_date=datetime.date.today() + datetime.timedelta(days=30)
    )
    board = make_user(roles.BOARD_MEMBER, full_name="Bea Trustee")
    login(make_user(roles.HR, full_name="Hana HR"))
    html = client.get(reverse("training:recruitment_list")).content.decode()
    assert worker.full_name in html and starter.full_name in html
    assert board.full_name not in html
    assert client.get(reverse("training:recruitment_edit", args=[board.pk])).status_code == 404


def test_only_hr_is_offered_the_completion_form_on_someone_elses_open_record(client, login, team, make_user):
    """The owner declares, the line manager confirms a declaration; recording a completion is HR's."""
    complete = 'name="action" value="complete"'
    hr = make_user(roles.STAFF, roles.HR)
    pages = {}
    for who in (team["report"], team["manager"], hr):
        login(who)
        response = client.get(reverse("training:record_detail", args=[team["report_record"].pk]))
        assert response.status_code == 200
        pages[who] = response.content.decode()
    assert complete in pages[hr]
    assert complete not in pages[team["report"]]
    assert complete not in pages[team["manager"]]
    # HR's own record: not offered to them either (no one records their own completion).
    own = TrainingRecordFactory(user=hr, course=team["report_record"].course)
    login(hr)
    assert complete not in client.get(reverse("training:record_detail", args=[own.pk])).content.decode()


def test_a_records_status_badge_is_the_same_on_every_page_that_shows_it(client, login, team, hr_user):
    """My training, the person's page, the record's page and HR's list draw one badge (training_tags.status_badge)."""
    record = team["report_record"]
    badge = '<span class="badge risk-high">Overdue</span>'
    with time_machine.travel(datetime.datetime(2026, 4, 1, 12, tzinfo=datetime.UTC)):
        login(team["report"])
        pages = [reverse("training:index"), reverse("training:record_detail", args=[record.pk])]
        shown = {url: badge in client.get(url).content.decode() for url in pages}
        login(hr_user)
        for url in (reverse("training:person", args=[team["report"].pk]), reverse("training:record_list")):
            shown[url] = badge in client.get(url).content.decode()
    assert all(shown.values()), shown
