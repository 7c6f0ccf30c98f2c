"""Query-count guards: the case list and a case page cost the same at 1 and at 50 cases."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from safeguarding import selectors, services
from safeguarding.models import Status, SubjectType
from safeguarding.tests.factories import ConcernFactory, ReferralFactory

pytestmark = pytest.mark.django_db


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _cases(n, lead, team_member):
    return [
        ConcernFactory(
            status=Status.INVESTIGATING, risk_level="high", assignee=team_member, subject_type=SubjectType.SERVICE_USER
        )
        for _ in range(n)
    ]


# Case list as the Lead (15): session read, user, groups (role checks), MFA
# authenticator (middleware, then the API/nav check), the paginator's count,
# organisation, unread notifications, the filter form's assignee and site
# choices, the page's keys (read first, so deep pages are cheap) and then its
# cases joined with site and assignee, and the session save (savepoint, update,
# release). None of these grows with the cases.
LIST_MAX = 15


def test_case_list_constant_queries(client, login, lead, team_member, django_assert_max_num_queries):
    login(lead)
    url = reverse("safeguarding:index")
    _cases(1, lead, team_member)
    with django_assert_max_num_queries(LIST_MAX):
        one = _count(client, url)
    _cases(49, lead, team_member)
    with django_assert_max_num_queries(LIST_MAX):
        many = _count(client, url)
    assert one == many


# Case page (at most 23): session, user, groups, MFA x2, the case joined with
# site, assignee, reporter and supplier, the access-log insert, organisation,
# unread notifications, referrals (with their first responder), CQC notifications,
# attachments and timeline (each joined with its people), identity grants, the case
# workers (and suppliers) offered by the triage, reassess and identity forms, the first
# responders offered by the referral form, this case's referrals offered by the outcome
# form, the Lead's "who has seen this case" (one grouped access-log read), and the session
# save (3). None grows with notes, files, referrals or readers.
DETAIL_MAX = 23


def test_case_detail_constant_queries(client, login, lead, team_member, django_assert_max_num_queries):
    login(lead)
    concern = _cases(1, lead, team_member)[0]
    ReferralFactory(concern=concern)
    services.concern_note_add(concern=concern, actor=lead, body="First note")
    services.attachment_add(concern=concern, actor=lead, upload=SimpleUploadedFile("a.txt", b"notes"))
    url = concern.get_absolute_url()
    client.get(url)  # warm the content-type cache used by the access log
    with django_assert_max_num_queries(DETAIL_MAX):
        one = _count(client, url)
    for i in range(49):
        ReferralFactory(concern=concern)
        services.concern_note_add(concern=concern, actor=team_member if i % 2 else lead, body=f"Note {i}")
        services.attachment_add(concern=concern, actor=lead, upload=SimpleUploadedFile(f"{i}.txt", b"notes"))
    _cases(49, lead, team_member)
    with django_assert_max_num_queries(DETAIL_MAX):
        many = _count(client, url)
    assert one == many


def test_my_reports_constant_queries(client, login, reporter, django_assert_max_num_queries):
    login(reporter)
    url = reverse("safeguarding:my_reports")
    ConcernFactory(reporter=reporter)
    one = _count(client, url)
    for _ in range(49):
        ConcernFactory(reporter=reporter)
    with django_assert_max_num_queries(one):
        _count(client, url)


def test_case_retention_reads_the_rules_once(lead, django_assert_num_queries):
    # The Lead's retention panel needs the rule and the expiry date: one read of the rules serves both.
    concern = ConcernFactory(status=Status.CLOSED)
    selectors.concern_retention(user=lead, concern=concern)  # the Lead's roles are read (and kept) here
    with django_assert_num_queries(1):
        retention = selectors.concern_retention(user=lead, concern=concern)
    assert retention["expires_at"] is not None


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the array form is PostgreSQL's")
def test_case_workers_are_read_by_key_from_their_roles_few_holders(lead, team_member, make_user):
    """Joined to the roles, PostgreSQL read every person to find the case workers (2.5 ms on each case page)."""
    from compliance import roles
    from compliance.models import User

    make_user(roles.STAFF)
    left = make_user(roles.SAFEGUARDING_TEAM)
    left.is_active = False
    left.save()
    workers = selectors.case_workers()
    sql = str(workers.query)
    assert "DISTINCT" not in sql and '"compliance_user"."id" = ANY(ARRAY(SELECT' in sql
    joined = User.objects.in_role(roles.MODERN_SLAVERY_LEAD, roles.SAFEGUARDING_TEAM).order_by("full_name", "email")
    assert list(workers) == list(joined) and set(workers) == {lead, team_member}


def test_case_list_reads_only_the_columns_its_rows_show(client, login, lead, team_member):
    login(lead)
    _cases(3, lead, team_member)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("safeguarding:index")).status_code == 200
    rows = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith('SELECT "safeguarding_concern"."id", ')]
    assert len(rows) == 1, rows
    for column in ('"safeguarding_concern"."narrative"', '"safeguarding_concern"."indicators"', '"password"'):
        assert column not in rows[0]
    assert '"safeguarding_concern"."location_text"' in rows[0] and '"compliance_user"."full_name"' in rows[0]


def test_case_page_reads_its_forms_options_with_plain_queries_and_the_same_options(client, login, lead, team_member):
    """The triage, reassess, referral and identity forms' people and responders: no server-side cursor each."""
    from django import forms

    from safeguarding.forms import TriageForm

    concern = ConcernFactory(status=Status.NEW)
    login(lead)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(concern.get_absolute_url()).status_code == 200
    assert not [q["sql"] for q in ctx.captured_queries if "DECLARE" in q["sql"]]
    ours = TriageForm(prefix="triage", user=lead)
    django = TriageForm(prefix="triage", user=lead)
    django.fields["assignee"] = forms.ModelChoiceField(
        label="Assign to", queryset=selectors.case_workers(), required=False, empty_label="Nobody yet"
    )
    assert str(ours["assignee"]) == str(django["assignee"]) and team_member.full_name in str(ours["assignee"])


def test_report_form_reads_its_sites_with_one_plain_query_and_the_same_options(client):
    from django import forms

    from compliance.tests.factories import SiteFactory
    from safeguarding.forms import AnonymousConcernForm

    SiteFactory(name="Riverside <House>")
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("safeguarding:report_anonymous")).status_code == 200
    assert not [q["sql"] for q in ctx.captured_queries if "DECLARE" in q["sql"]]
    ours, django = AnonymousConcernForm(), AnonymousConcernForm()
    field = ours.fields["site"]
    django.fields["site"] = forms.ModelChoiceField(
        label=field.label, queryset=field.queryset, required=False, empty_label=field.empty_label
    )
    assert str(ours["site"]) == str(django["site"]) and "Riverside &lt;House&gt;" in str(ours["site"])


def test_case_page_reads_the_case_workers_once_and_offers_the_referrals_it_listed(client, login, lead, team_member):
    """The reassess and identity forms share one read of the people; the outcome form offers the listed referrals."""
    from safeguarding.forms import ReferralOutcomeForm

    concern = ConcernFactory(status=Status.REFERRED, channel="phone")
    ReferralFactory(concern=concern)
    ReferralFactory(concern=concern)
    login(lead)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(concern.get_absolute_url())
    assert response.status_code == 200
    forms = response.context["forms"]
    assert {"reassess", "grant", "referral_outcome"} <= set(forms)
    people = [q["sql"] for q in ctx.captured_queries if '"compliance_user"."id" = ANY(ARRAY(SELECT' in q["sql"]]
    assert len(people) == 1, people
    referral_reads = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith('SELECT "safeguarding_referral"')]
    assert len(referral_reads) == 1, referral_reads
    assert not [q["sql"] for q in ctx.captured_queries if "DECLARE" in q["sql"]]
    # The same options as the form reading its own rows.
    fresh = ReferralOutcomeForm(prefix="referral_outcome")
    fresh.bind_concern(concern)

    def options(field):
        return [(str(value), label) for value, label in field.choices]

    shown = options(forms["referral_outcome"].fields["referral"])
    assert shown == options(fresh.fields["referral"]) and len(shown) == 3
    assert team_member.full_name in str(forms["grant"]["user"]) and team_member.full_name in str(
        forms["reassess"]["assignee"]
    )


def test_case_page_files_are_read_without_the_case_again(client, login, lead):
    """Each file's download link needs its case: the page's own, not a join that reads (and decrypts) it per file."""
    concern = ConcernFactory(status=Status.INVESTIGATING)
    for name in ("a.txt", "b.txt"):
        services.attachment_add(concern=concern, actor=lead, upload=SimpleUploadedFile(name, b"notes"))
    login(lead)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(concern.get_absolute_url())
    assert response.status_code == 200
    files = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith('SELECT "safeguarding_attachment"')]
    assert len(files) == 1 and '"safeguarding_concern"' not in files[0], files
    for attachment in response.context["attachments"]:
        assert attachment.concern is response.context["concern"]
        assert f'href="{attachment.get_absolute_url()}"' in response.content.decode()


def test_case_page_builds_the_case_workers_query_once(client, login, lead, team_member, monkeypatch):
    """The reassess and identity forms offer the same people: one queryset built, not one per form and one to read."""
    concern = ConcernFactory(status=Status.INVESTIGATING, channel="phone")
    built = []
    real = selectors.case_workers
    monkeypatch.setattr(selectors, "case_workers", lambda: built.append(1) or real())
    login(lead)
    response = client.get(concern.get_absolute_url())
    assert response.status_code == 200 and {"reassess", "grant"} <= set(response.context["forms"])
    assert len(built) == 1
    assert team_member.full_name in str(response.context["forms"]["grant"]["user"])


CASE_PAGE_LISTS = (
    "safeguarding_referral",
    "safeguarding_cqcnotification",
    "safeguarding_attachment",
    "safeguarding_identitygrant",
)


def _list_reads(queries):
    """The page's own reads of each list (FROM the table), not the case query's EXISTS on it."""
    return {
        t for q in queries.captured_queries for t in CASE_PAGE_LISTS if f'FROM "{t}"' in q["sql"].split("EXISTS")[0]
    }


def test_a_case_page_reads_only_the_lists_that_have_rows(client, login, lead, team_member):
    from safeguarding.models import Attachment, CqcNotification, IdentityGrant

    bare = ConcernFactory()
    login(lead)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("safeguarding:case_detail", args=[bare.reference])).status_code == 200
    assert _list_reads(queries) == set()

    busy = ConcernFactory()
    ReferralFactory(concern=busy, external_reference="NRM-778")
    CqcNotification.objects.create(concern=busy, notified_on=busy.created_at.date(), cqc_reference="CQC-991")
    Attachment.objects.create(
        concern=busy, file="x", original_name="rota.pdf", content_type="application/pdf", size=1, sha256="0"
    )
    IdentityGrant.objects.create(concern=busy, user=team_member, granted_by=lead, reason="Police referral")
    with CaptureQueriesContext(connection) as queries:
        html = client.get(reverse("safeguarding:case_detail", args=[busy.reference])).content.decode()
    assert _list_reads(queries) == set(CASE_PAGE_LISTS)
    for shown in ("NRM-778", "CQC-991", "rota.pdf", "Police referral"):
        assert shown in html, shown
