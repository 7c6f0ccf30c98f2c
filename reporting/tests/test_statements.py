"""The s.54 statement: builder, workflow, permissions, versions, carry-forward, public page, registry CSV."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from compliance import roles
from compliance.models import AccessLog, Notification
from reporting import services
from reporting.models import ActionPlanItem, Statement
from reporting.tests.factories import GovernanceMeetingFactory, StatementFactory
from tests.support import download_text

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("organisation")]

TODAY = datetime.date(2025, 7, 1)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2025, 7, 1, 10, 0, tzinfo=datetime.UTC), tick=False):
        yield


def _meeting(day=TODAY, **kwargs):
    """A meeting of the approving body (the Board) on `day`."""
    return GovernanceMeetingFactory(held_on=day, **kwargs)


def _published(lead, board, director, **kwargs):
    statement = StatementFactory(created_by=lead, **kwargs)
    services.statement_approve(statement=statement, actor=board, meeting=_meeting(), minute="B/25/14")
    services.statement_sign(statement=statement, actor=director, signatory_title="Chief executive", signed_on=TODAY)
    return services.statement_publish(statement=statement, actor=lead, published_on=TODAY)


# --- Builder -----------------------------------------------------------------------------------


def test_lead_starts_a_draft_prefilled_with_live_figures(client, login, lead):
    login(lead)
    response = client.post(reverse("reporting:statement_start"), {"financial_year": 2025, "mode": "new"})
    statement = Statement.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("reporting:statement_detail", args=[statement.pk])
    assert statement.status == Statement.Status.DRAFT
    assert (statement.period_start, statement.period_end) == (datetime.date(2024, 4, 1), datetime.date(2025, 3, 31))
    assert statement.title == "Test Care Ltd: slavery and human trafficking statement 2024/25"
    # Every s.54(5) area is pre-filled, with figures (zeros: nothing recorded yet) and its evidence.
    assert "We received 0 concerns and resolved 0" in statement.effectiveness
    assert "0.0% of assigned modern slavery training" in statement.training
    assert all(section["text"] and section["evidence"] for section in statement.sections())
    html = client.get(response.url).content.decode()
    assert "Due diligence processes" in html
    assert "Risk register and its reviews" in html


def test_second_statement_for_the_same_year_is_refused_with_a_message(client, login, lead):
    login(lead)
    StatementFactory(financial_year=2025)
    response = client.post(reverse("reporting:statement_start"), {"financial_year": 2025, "mode": "new"})
    assert response.status_code == 400
    assert "already a statement for that financial year" in response.content.decode()
    assert Statement.objects.count() == 1


@pytest.mark.parametrize("role", [roles.BOARD_MEMBER, roles.COMPLIANCE_ADMIN])
def test_readers_cannot_start_a_statement(client, make_user, login, role):
    login(make_user(role))
    response = client.post(reverse("reporting:statement_start"), {"financial_year": 2025, "mode": "new"})
    assert response.status_code == 403
    assert not Statement.objects.exists()


@pytest.mark.parametrize("role", [roles.STAFF, roles.PROCUREMENT, roles.HR, roles.SAFEGUARDING_TEAM])
def test_roles_outside_reporting_get_404(client, make_user, login, role):
    statement = StatementFactory()
    login(make_user(role))
    for url in (
        reverse("reporting:statement_list"),
        reverse("reporting:statement_detail", args=[statement.pk]),
        reverse("reporting:statement_pdf", args=[statement.pk]),
        reverse("reporting:registry_csv"),
    ):
        assert client.get(url).status_code == 404, url


# --- Workflow ---------------------------------------------------------------------------------


def test_full_workflow_through_the_pages(client, login, lead, board, director):
    statement = StatementFactory(created_by=lead)
    meeting = GovernanceMeetingFactory(held_on=datetime.date(2025, 6, 20))
    login(board)
    response = client.post(
        reverse("reporting:statement_approve", args=[statement.pk]),
        {"approved_on": "2025-06-20", "meeting": meeting.pk},
    )
    assert response.status_code == 302
    statement.refresh_from_db()
    assert statement.status == Statement.Status.APPROVED
    assert (statement.approved_on, statement.approved_meeting) == (datetime.date(2025, 6, 20), meeting)
    # The Director is told it is ready to sign.
    assert Notification.objects.filter(recipient=director, subject__contains="ready for a Director to sign").exists()

    login(director)
    client.post(
        reverse("reporting:statement_sign", args=[statement.pk]),
        {"signatory_title": "Chief executive", "signed_on": "2025-06-25"},
    )
    statement.refresh_from_db()
    assert statement.status == Statement.Status.SIGNED
    assert (statement.signed_by, statement.signatory_name, statement.signatory_title) == (
        director,
        "Dana Director",
        "Chief executive",
    )

    login(lead)
    client.post(reverse("reporting:statement_publish", args=[statement.pk]), {"published_on": "2025-06-30", "url": ""})
    statement.refresh_from_db()
    assert statement.status == Statement.Status.PUBLISHED
    assert statement.published_url.endswith(reverse("reporting:public_statement", args=[2025]))
    html = client.get(reverse("reporting:statement_detail", args=[statement.pk])).content.decode()
    for action in ("Approved", "Signed", "Published"):
        assert action in html
    assert [e.action for e in statement.events.all()] == ["approved", "signed", "published"]


def test_only_a_director_can_sign(client, login, lead, board):
    statement = StatementFactory(created_by=lead)
    services.statement_approve(statement=statement, actor=board, meeting=_meeting(), minute="B/25/14")
    for user in (lead, board):
        login(user)
        response = client.post(
            reverse("reporting:statement_sign", args=[statement.pk]),
            {"signatory_title": "Chair", "signed_on": "2025-07-01"},
        )
        assert response.status_code == 403
        with pytest.raises(PermissionDenied):
            services.statement_sign(statement=statement, actor=user, signatory_title="Chair", signed_on=TODAY)
    statement.refresh_from_db()
    assert statement.status == Statement.Status.APPROVED
    assert statement.signed_by is None


def test_lead_cannot_approve_and_board_cannot_publish(client, login, lead, board, director):
    statement = StatementFactory(created_by=lead)
    login(lead)
    assert client.post(reverse("reporting:statement_approve", args=[statement.pk]), {}).status_code == 403
    services.statement_approve(statement=statement, actor=board, meeting=_meeting(), minute="B/25/14")
    services.statement_sign(statement=statement, actor=director, signatory_title="CEO", signed_on=TODAY)
    login(board)
    assert client.post(reverse("reporting:statement_publish", args=[statement.pk]), {}).status_code == 403


@pytest.mark.parametrize(
    ("status", "transition"),
    [
        ("draft", "sign"),
        ("draft", "publish"),
        ("approved", "approve"),
        ("approved", "publish"),
        ("signed", "approve"),
        ("signed", "sign"),
        ("published", "approve"),
        ("published", "sign"),
        ("published", "publish"),
    ],
)
def test_transitions_from_the_wrong_status_are_refused(lead, board, director, status, transition):
    statement = StatementFactory(created_by=lead, status=status)
    calls = {
        "approve": lambda: services.statement_approve(statement=statement, actor=board, meeting=_meeting(), minute="x"),
        "sign": lambda: services.statement_sign(
            statement=statement, actor=director, signatory_title="CEO", signed_on=TODAY
        ),
        "publish": lambda: services.statement_publish(statement=statement, actor=lead, published_on=TODAY),
    }
    with pytest.raises(ValidationError, match="cannot be"):
        calls[transition]()
    statement.refresh_from_db()
    assert statement.status == status


def test_approved_text_is_frozen(client, login, lead, board):
    statement = StatementFactory(created_by=lead)
    services.statement_approve(statement=statement, actor=board, meeting=_meeting(), minute="B/25/14")
    login(lead)
    response = client.get(reverse("reporting:statement_edit", args=[statement.pk]), follow=True)
    assert "text is frozen" in response.content.decode()
    data = {"title": "Changed", "structure": "Changed", "years_producing": 1}
    client.post(reverse("reporting:statement_edit", args=[statement.pk]), data)
    with pytest.raises(ValidationError, match="frozen"):
        services.statement_update(statement=statement, actor=lead, data={"structure": "Changed"})
    statement.refresh_from_db()
    assert statement.structure == "We run care homes in Leeds."


def test_lead_edits_a_draft_and_bad_input_is_kept(client, login, lead):
    statement = StatementFactory(created_by=lead)
    login(lead)
    url = reverse("reporting:statement_edit", args=[statement.pk])
    response = client.post(url, {"title": "", "structure": "Our new structure text", "years_producing": "1"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Our new structure text" in html
    assert "This field is required" in html
    response = client.post(
        url,
        {
            "title": "Statement 2024/25",
            "structure": "Our new structure text",
            "years_producing": "2",
            "policy_areas": ["recruitment_fees", "child_labour"],
        },
    )
    assert response.status_code == 302
    statement.refresh_from_db()
    assert statement.structure == "Our new structure text"
    assert statement.policy_areas == ["recruitment_fees", "child_labour"]
    assert statement.events.get().detail.startswith("Changed:")


def test_edit_page_reads_no_history_it_does_not_show(client, login, lead):
    # The editor shows the text and the live figures: the timeline and the actions are the detail page's.
    statement = StatementFactory(created_by=lead)
    statement.events.create(actor=lead, action="note", detail="x")
    login(lead)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("reporting:statement_edit", args=[statement.pk])).status_code == 200
    # (The live figures count done actions across the year: not this statement's own, prefetched by it.)
    sql = " ".join(query["sql"] for query in captured.captured_queries)
    assert "reporting_statementevent" not in sql
    assert '"reporting_actionplanitem"."statement_id" IN' not in sql


def test_new_version_after_publication_and_diff(client, login, lead, board, director):
    v1 = _published(lead, board, director)
    login(lead)
    response = client.post(reverse("reporting:statement_new_version", args=[v1.pk]))
    v2 = Statement.objects.get(version=2)
    assert response.url == reverse("reporting:statement_edit", args=[v2.pk])
    assert (v2.status, v2.previous_version, v2.structure) == (Statement.Status.DRAFT, v1, v1.structure)
    services.statement_update(
        statement=v2, actor=lead, data={"structure": "We run care homes in Leeds.\nAnd a home care service."}
    )
    html = client.get(reverse("reporting:statement_diff", args=[v2.pk])).content.decode()
    assert "Added: </span>And a home care service." in html
    assert "Organisation structure, business and supply chains" in html
    assert "Due diligence processes" not in html  # unchanged sections are not listed
    # A second draft for the year is refused.
    with pytest.raises(ValidationError, match="already a draft"):
        services.statement_new_version(statement=v1, actor=lead)
    # The public page keeps version 1 until version 2 is published, then version 1 is superseded.
    assert (
        "And a home care service" not in client.get(reverse("reporting:public_statement", args=[2025])).content.decode()
    )
    services.statement_approve(statement=v2, actor=board, meeting=_meeting(), minute="B/25/20")
    services.statement_sign(statement=v2, actor=director, signatory_title="Chief executive", signed_on=TODAY)
    services.statement_publish(statement=v2, actor=lead, published_on=TODAY)
    v1.refresh_from_db()
    assert v1.status == Statement.Status.SUPERSEDED
    assert "And a home care service" in client.get(reverse("reporting:public_statement", args=[2025])).content.decode()


def test_carry_forward_no_change_from_last_year(client, login, lead, board, director):
    last_year = _published(lead, board, director, financial_year=2024, policy_areas=["child_labour"])
    login(lead)
    response = client.post(reverse("reporting:statement_start"), {"financial_year": 2025, "mode": "carry"})
    statement = Statement.objects.get(financial_year=2025)
    assert response.status_code == 302
    assert statement.carried_forward and statement.carried_from == last_year
    assert statement.structure == last_year.structure
    assert statement.policy_areas == ["child_labour"]
    assert statement.status == Statement.Status.DRAFT
    assert statement.years_producing == last_year.years_producing + 1
    assert "No change from last year" in client.get(response.url).content.decode()


def test_carry_forward_without_last_year_is_refused(lead):
    with pytest.raises(ValidationError, match="no approved statement for the previous"):
        services.statement_carry_forward(actor=lead, financial_year=2025)


def test_next_steps_become_action_plan_items_once(client, login, lead):
    statement = StatementFactory(created_by=lead)
    login(lead)
    url = reverse("reporting:statement_actions", args=[statement.pk])
    client.post(url, {"owner": lead.pk, "due_on": "2026-03-31"})
    client.post(url, {"owner": lead.pk, "due_on": "2026-03-31"})
    items = ActionPlanItem.objects.order_by("title")
    assert [i.title for i in items] == ["Map tier 2 suppliers", "Train procurement staff"]
    assert {i.financial_year for i in items} == {2026}


# --- Public page, PDF, registry CSV -----------------------------------------------------------


@pytest.mark.parametrize("status", ["draft", "approved", "signed"])
def test_public_page_is_404_until_published(client, status):
    StatementFactory(status=status)
    assert client.get(reverse("reporting:public_statement", args=[2025])).status_code == 404
    assert client.get(reverse("reporting:public_statement_pdf", args=[2025])).status_code == 404


def test_public_page_shows_the_published_statement_without_login_or_internal_data(client, lead, board, director):
    _published(lead, board, director, structure_evidence="Internal supplier register export 2025")
    response = client.get(reverse("reporting:public_statement", args=[2025]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "We run care homes in Leeds." in html
    assert "Dana Director" in html and "Chief executive" in html
    assert "Internal supplier register export" not in html
    assert "Timeline" not in html
    pdf = client.get(reverse("reporting:public_statement_pdf", args=[2025]))
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    index = client.get(reverse("reporting:public_statement_index")).content.decode()
    assert reverse("reporting:public_statement", args=[2025]) in index


def test_internal_pdf_of_a_draft_is_logged(client, login, board):
    statement = StatementFactory()
    login(board)
    response = client.get(reverse("reporting:statement_pdf", args=[statement.pk]))
    assert response.content.startswith(b"%PDF")
    assert AccessLog.objects.filter(user=board, action=AccessLog.Action.DOWNLOAD, object_id=str(statement.pk)).exists()


def test_registry_csv_is_404_for_a_board_member(client, login, board):
    login(board)
    assert client.get(reverse("reporting:registry_csv")).status_code == 404


def test_draft_only_statements_are_not_in_the_registry_export(client, login, lead):
    StatementFactory(created_by=lead)
    login(lead)
    lines = download_text(client.get(reverse("reporting:registry_csv"))).strip().splitlines()
    assert len(lines) == 1  # the header


def test_publication_tells_the_board(lead, board, director):
    _published(lead, board, director)
    assert (
        any("published" in m.subject for m in mail.outbox)
        or Notification.objects.filter(recipient=board, subject__contains="published").exists()
    )


# --- Query counts ------------------------------------------------------------------------------


def test_statement_pages_keep_constant_queries(client, login, lead, board, director, django_assert_max_num_queries):
    login(lead)
    statement = _published(lead, board, director)
    detail = reverse("reporting:statement_detail", args=[statement.pk])
    listing = reverse("reporting:statement_list")
    # Session, user, groups (role checks), statement, events, action items, versions,
    # meetings for the approval form: a fixed set whatever the history length.
    with django_assert_max_num_queries(20) as one_detail:
        client.get(detail)
    with django_assert_max_num_queries(20) as one_list:
        client.get(listing)
    for year in range(2010, 2024):
        _published(lead, board, director, financial_year=year)
    for _ in range(10):
        statement.events.create(actor=lead, action="note", detail="x")
    with django_assert_max_num_queries(len(one_detail.captured_queries)):
        client.get(detail)
    with django_assert_max_num_queries(len(one_list.captured_queries)):
        assert client.get(listing).status_code == 200


def test_carried_forward_statement_says_so_on_the_public_page(client, lead, board, director):
    _published(lead, board, director, financial_year=2024)
    statement = services.statement_carry_forward(actor=lead, financial_year=2025)
    services.statement_approve(statement=statement, actor=board, meeting=_meeting(), minute="B/25/30")
    services.statement_sign(statement=statement, actor=director, signatory_title="Chief executive", signed_on=TODAY)
    services.statement_publish(statement=statement, actor=lead, published_on=TODAY)
    html = client.get(reverse("reporting:public_statement", args=[2025])).content.decode()
    assert "there has been no change to our 2023/24 statement in 2024/25" in html
    assert "We run care homes in Leeds." in html


def test_edit_page_shows_the_years_live_figures_and_detail_shows_the_deadline(client, login, lead):
    from safeguarding.tests.factories import ConcernFactory

    ConcernFactory(created_at=datetime.datetime(2024, 9, 1, 12, tzinfo=datetime.UTC))
    statement = StatementFactory(created_by=lead)
    login(lead)
    html = client.get(reverse("reporting:statement_edit", args=[statement.pk])).content.decode()
    assert "Live figures for 1 Apr 2024 to 31 Mar 2025" in html
    assert '<th scope="row" class="fw-normal">Concerns received</th><td class="text-end">1</td>' in html
    html = client.get(reverse("reporting:statement_detail", args=[statement.pk])).content.decode()
    assert "<strong>30 September 2025</strong>" in html
    assert "overdue" not in html


def test_admin_cannot_change_approved_text_either(lead, board):
    from django.contrib.admin.sites import site

    statement = StatementFactory(created_by=lead)
    services.statement_approve(statement=statement, actor=board, meeting=_meeting(), minute="B/25/14")
    model_admin = site._registry[Statement]
    readonly = model_admin.get_readonly_fields(None, Statement.objects.get(pk=statement.pk))
    assert "structure" in readonly and "title" in readonly
    assert "structure" not in model_admin.get_readonly_fields(None, StatementFactory(financial_year=2030))


def test_the_statement_page_reads_the_organisation_once(
    client, login, lead, organisation, django_assert_max_num_queries
):
    # The view's read (deadline, approving body) serves the page's header too.
    statement = StatementFactory()
    login(lead)
    with django_assert_max_num_queries(25) as captured:
        assert client.get(reverse("reporting:statement_detail", args=[statement.pk])).status_code == 200
    organisation_reads = [q for q in captured.captured_queries if 'FROM "compliance_organisation"' in q["sql"]]
    assert len(organisation_reads) == 1, organisation_reads


def test_the_statement_page_reads_only_the_labels_of_the_versions_it_names(client, login, lead):
    # The version it follows and the one it was carried from are named by year and number: their
    # whole text (sixty columns each) was read with the page's statement, and every action's owner.
    from reporting.models import StatementEvent
    from reporting.tests.factories import ActionPlanItemFactory

    last_year = StatementFactory(financial_year=2024)
    first = StatementFactory(financial_year=2025, version=1)
    second = StatementFactory(
        financial_year=2025,
        version=2,
        previous_version=first,
        carried_from=last_year,
        carried_forward=True,
        carried_figures=["structure"],
    )
    StatementEvent.objects.create(
        statement=second, actor=lead, action=StatementEvent.Action.EDITED, detail="Edited & <saved>"
    )
    ActionPlanItemFactory(source_statement=second, title="Map <tier 2>")
    login(lead)
    with CaptureQueriesContext(connection) as captured:
        html = client.get(reverse("reporting:statement_detail", args=[second.pk])).content.decode()
    assert "Changes from version 1</a>" in html
    assert f"carried forward from the {last_year.year_label} statement" in html
    assert f"by {lead}: Edited &amp; &lt;saved&gt;</li>" in html and "Map &lt;tier 2&gt;</a>" in html
    (page_statement,) = [q["sql"] for q in captured if '"reporting_statement"."previous_version_id" = ' in q["sql"]]
    assert page_statement.count('."introduction"') == 1, page_statement
    assert not [q for q in captured if 'FROM "reporting_actionplanitem"' in q["sql"] and "compliance_user" in q["sql"]]


def test_the_dashboard_lists_this_and_last_years_statements_by_their_labels_only(client, login, lead):
    # Each is shown by year, number and status: their whole text and three joined rows were read.
    from django.utils import timezone

    from compliance.services import organisation_get
    from reporting import periods

    year = periods.financial_year_containing(organisation_get(), timezone.localdate())
    statement = StatementFactory(financial_year=year, version=2)
    login(lead)
    with CaptureQueriesContext(connection) as captured:
        html = client.get(reverse("reporting:index")).content.decode()
    assert f"{statement.year_label} version 2</a>" in html
    (listed,) = [q["sql"] for q in captured if '"reporting_statement"."financial_year" IN' in q["sql"]]
    assert '"introduction"' not in listed and "JOIN" not in listed, listed
