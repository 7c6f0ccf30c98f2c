"""The case list: one FilterSet behind the page, its CSV export and the API; one pager; scoped ids in the API."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from compliance import roles
from compliance.tests.factories import SiteFactory
from safeguarding.models import Concern, Outcome, RiskLevel, Status, SubjectType
from safeguarding.tests.factories import ConcernFactory
from suppliers.tests.factories import SupplierFactory
from tests.support import download_text

pytestmark = pytest.mark.django_db

CASES = "/api/v1/safeguarding/cases/"
CONCERNS = "/api/v1/safeguarding/concerns/"
REFERENCE = re.compile(r"MS-\d{4}-\d{5}")


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def _page_references(client, params) -> list[str]:
    html = client.get(reverse("safeguarding:index"), params).content.decode()
    # Each reference appears once in the table (its link text); dict.fromkeys keeps the order shown.
    return list(dict.fromkeys(REFERENCE.findall(html)))


def _export_references(client, params) -> list[str]:
    text = download_text(client.get(reverse("safeguarding:case_export"), params))
    return [line.split(",")[0] for line in text.splitlines()[1:]]


def _api_references(user, params) -> list[str]:
    response = _api(user).get(CASES, params)
    assert response.status_code == 200, response.content
    return [row["reference"] for row in response.json()["results"]]


@pytest.fixture
def cases(team_member, lead):
    now = timezone.now()
    site = SiteFactory()
    return [
        ConcernFactory(
            status=Status.NEW, subject_type=SubjectType.SERVICE_USER, due_at=now - datetime.timedelta(hours=1)
        ),
        ConcernFactory(status=Status.TRIAGED, risk_level=RiskLevel.HIGH, assignee=team_member, site=site),
        ConcernFactory(status=Status.INVESTIGATING, risk_level=RiskLevel.LOW, assignee=lead),
        ConcernFactory(status=Status.CLOSED, risk_level=RiskLevel.CRITICAL, due_at=now - datetime.timedelta(days=2)),
        ConcernFactory(status=Status.TRIAGED, risk_level=RiskLevel.CRITICAL, due_at=None, site=site),
    ]


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"status": Status.TRIAGED},
        {"risk_level": RiskLevel.CRITICAL},
        {"subject_type": SubjectType.SERVICE_USER},
        {"overdue": "on"},
        {"sort": "due"},
        {"sort": "risk"},
        {"q": "MS-2026-9"},
        {"status": Status.TRIAGED, "sort": "risk"},
    ],
)
def test_page_export_and_api_list_the_same_cases(client, login, lead, cases, params):
    login(lead)
    page = _page_references(client, params)
    assert page == _export_references(client, params)
    api_params = {**params, "overdue": "true"} if "overdue" in params else params
    assert page == _api_references(lead, api_params)


def test_filters_by_assignee_and_site_are_shared(client, login, lead, team_member, cases):
    login(lead)
    for params, expected in (
        ({"assignee": team_member.pk}, [cases[1]]),
        ({"site": cases[1].site_id}, [cases[4], cases[1]]),
    ):
        want = [c.reference for c in expected]
        assert _page_references(client, params) == want
        assert _api_references(lead, params) == want


def test_sorting_puts_the_highest_risk_first_and_overdue_keeps_open_cases(lead, cases):
    def refs(*indexes):
        return [cases[i].reference for i in indexes]

    # Critical first (earliest due first, none last), then the untriaged, then high, medium, low.
    assert _api_references(lead, {"sort": "risk"}) == refs(3, 4, 0, 1, 2)
    assert _api_references(lead, {"sort": "due"}) == refs(3, 0, 1, 2, 4)
    # A closed case is never overdue.
    assert _api_references(lead, {"overdue": "true"}) == refs(0)


def test_filters_never_widen_the_scope(client, login, team_member, cases):
    """The team member sees the service-user case and their own, whatever the filter asks for."""
    login(team_member)
    mine = {cases[0].reference, cases[1].reference}
    assert set(_page_references(client, {})) == mine
    assert set(_api_references(team_member, {"status": Status.CLOSED})) == set()
    assert set(_export_references(client, {"risk_level": RiskLevel.CRITICAL})) == set()


def test_bad_filter_is_400_in_the_api_and_ignored_on_the_page(client, login, lead, cases):
    assert _api(lead).get(CASES, {"status": "bogus"}).status_code == 400
    assert "assignee" in _api(lead).get(CASES, {"assignee": "nobody"}).json()
    login(lead)
    assert len(_page_references(client, {"status": "bogus"})) == len(cases)


def test_pager_keeps_the_filters(client, login, lead):
    ConcernFactory.create_batch(51, status=Status.TRIAGED)
    login(lead)
    html = client.get(reverse("safeguarding:index"), {"status": Status.TRIAGED}).content.decode()
    assert "Page 1 of 2" in html
    assert "?status=triaged&amp;page=2" in html
    # The CSV link carries the filters but not the page.
    second = client.get(reverse("safeguarding:index"), {"status": Status.TRIAGED, "page": 2}).content.decode()
    assert f"{reverse('safeguarding:case_export')}?status=triaged" in second
    assert len(set(REFERENCE.findall(second))) == 1


# --- ids in the API are limited to what the user may pick ----------------------------


def _report(user, **extra):
    body = {"subject_type": SubjectType.STAFF, "indicators": ["excessive_hours"], "narrative": "Works 80 hours."}
    return _api(user).post(CONCERNS, {**body, **extra}, format="json")


def test_reporter_cannot_link_a_register_entry_they_may_not_read(reporter):
    supplier = SupplierFactory()
    response = _report(reporter, linked_supplier=supplier.pk)
    assert response.status_code == 400
    assert "linked_supplier" in response.json()
    assert not Concern.objects.exists()


def test_the_lead_links_a_supplier_they_may_read(lead):
    supplier = SupplierFactory()
    response = _report(lead, linked_supplier=supplier.pk)
    assert response.status_code == 201, response.content
    assert Concern.objects.get().linked_supplier == supplier


def test_a_case_is_assigned_only_to_the_lead_or_the_team(lead, make_user):
    concern = ConcernFactory()
    outsider = make_user(roles.STAFF, roles.PROCUREMENT)
    url = f"{CASES}{concern.reference}/transition/"
    response = _api(lead).post(url, {"action": "triage", "risk_level": "low", "assignee": outsider.pk}, format="json")
    assert response.status_code == 400
    assert "assignee" in response.json()
    concern.refresh_from_db()
    assert concern.status == Status.NEW


@pytest.mark.parametrize("sort", ["", "due", "risk"])
def test_every_page_of_every_order_shows_each_case_once_in_order(client, login, lead, sort):
    """The case list reads a page's keys first (deep pages cheap): pages still tile the order exactly."""
    from compliance.web import PAGE_SIZE
    from safeguarding.filters import CaseFilter
    from safeguarding.selectors import concern_list

    now = timezone.now()
    levels = [RiskLevel.LOW, RiskLevel.CRITICAL, "", RiskLevel.HIGH, RiskLevel.MEDIUM]
    for n in range(PAGE_SIZE + 7):
        ConcernFactory(risk_level=levels[n % 5], due_at=now + datetime.timedelta(hours=n % 4) if n % 3 else None)
    expected = [c.reference for c in CaseFilter({"sort": sort}, queryset=concern_list(user=lead)).qs]
    login(lead)
    shown = []
    for number in (1, 2):
        shown += [
            c.reference
            for c in client.get(reverse("safeguarding:index"), {"sort": sort, "page": number}).context["page"]
        ]
    assert shown == expected and len(set(shown)) == PAGE_SIZE + 7


def _shown_total(client, params=None) -> int:
    return client.get(reverse("safeguarding:index"), params or {}).context["page"].paginator.count


def test_the_total_is_counted_once_and_follows_every_case_saved(client, login, lead, team_member, cases):
    """The list's total is a cached figure (safeguarding.signals): no COUNT on a second look, never stale."""
    from safeguarding import services

    login(lead)
    assert _shown_total(client) == 5 and _shown_total(client, {"status": Status.TRIAGED}) == 2
    with CaptureQueriesContext(connection) as queries:
        assert _shown_total(client) == 5
    assert not [q for q in queries.captured_queries if 'COUNT(*) AS "__count" FROM "safeguarding_concern"' in q["sql"]]
    assert _api(lead).get(CASES).json()["count"] == 5

    ConcernFactory(status=Status.TRIAGED)
    assert _shown_total(client) == 6 and _shown_total(client, {"status": Status.TRIAGED}) == 3
    assert _api(lead).get(CASES).json()["count"] == 6
    services.concern_close(concern=cases[1], actor=lead, outcome=Outcome.NO_FURTHER_ACTION, summary="Checked.")
    assert _shown_total(client, {"status": Status.TRIAGED}) == 2
    assert _api(lead).get(CASES, {"status": Status.TRIAGED}).json()["count"] == 2
    cases[2].delete()
    assert _shown_total(client) == 5
    # The team's own scope has its own total; overdue is counted afresh (it changes with the clock).
    login(team_member)
    assert _shown_total(client) == Concern.objects.restrict(team_member).count() < 5
    assert _shown_total(client, {"overdue": "on"}) == 1
    cases[0].due_at = timezone.now() + datetime.timedelta(days=1)
    Concern.objects.filter(pk=cases[0].pk).update(due_at=cases[0].due_at)  # no signal: the clock's count is live
    assert _shown_total(client, {"overdue": "on"}) == 0


def test_the_filter_forms_people_and_sites_are_read_in_one_query_each_with_the_same_options(
    client, login, lead, team_member, cases
):
    """Not through a server-side cursor (DECLARE, FETCH, CLOSE) as a select's options are by default."""
    import django_filters

    from safeguarding import selectors
    from safeguarding.filters import CaseFilter

    class DjangosOwnOptions(CaseFilter):
        assignee = django_filters.ModelChoiceFilter(
            label="Assignee", queryset=lambda request: selectors.case_workers(), empty_label="Anyone"
        )
        site = django_filters.ModelChoiceFilter(
            label="Site", queryset=SiteFactory._meta.model.objects.all(), empty_label="Any site"
        )

    params = {"assignee": team_member.pk, "site": cases[1].site_id}
    ours, django = (
        kind(params, queryset=selectors.concern_list(user=lead)).form for kind in (CaseFilter, DjangosOwnOptions)
    )
    for name in ("assignee", "site"):
        assert str(ours[name]) == str(django[name]) and team_member.full_name in str(ours["assignee"])
    login(lead)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("safeguarding:index")).status_code == 200
    assert not [q["sql"] for q in queries.captured_queries if "DECLARE" in q["sql"]]


def test_the_api_list_reads_only_the_columns_it_writes_and_writes_what_a_full_row_gives(lead, cases):
    from safeguarding.api import CaseListSerializer

    with CaptureQueriesContext(connection) as queries:
        rows = _api(lead).get(CASES).json()["results"]
    assert len(rows) == len(cases)
    for row in rows:
        assert row == CaseListSerializer(Concern.objects.get(reference=row["reference"])).data
    read = [q["sql"] for q in queries.captured_queries if q["sql"].startswith('SELECT "safeguarding_concern"."id", ')]
    assert read and not [sql for sql in read if '"narrative"' in sql or '"password"' in sql]


def test_a_list_that_can_match_nothing_counts_none_rather_than_failing_on_its_missing_sql():
    from safeguarding import selectors

    assert selectors.case_list_count(Concern.objects.none()) == 0
    assert selectors.case_list_count(Concern.objects.filter(pk__in=[])) == 0


def test_the_filter_form_is_written_once_per_process_and_follows_its_options(
    client, login, lead, team_member, cases, monkeypatch
):
    """A second visit with the same parameters builds no widget; a renamed site shows at once; same markup."""
    from django.forms import widgets
    from django.template.loader import render_to_string

    from safeguarding.filters import CaseFilter
    from safeguarding.selectors import concern_list
    from safeguarding.templatetags import case_tags

    monkeypatch.setattr(case_tags, "rendered_filters", {})
    login(lead)
    params = {"status": Status.TRIAGED, "sort": "risk", "overdue": "on"}
    first = client.get(reverse("safeguarding:index"), params).content.decode()
    built = []
    original = widgets.Select.optgroups
    monkeypatch.setattr(widgets.Select, "optgroups", lambda self, *a: built.append(self) or original(self, *a))
    again = client.get(reverse("safeguarding:index"), params).content.decode()
    assert not built
    # The markup the template's own loop writes, the selected options included.
    form = CaseFilter(params, queryset=concern_list(user=lead)).form
    fields = render_to_string("safeguarding/_case_filters.html", {"filters": form}).removesuffix("\n")
    assert fields in first and fields in again and 'value="triaged" selected' in again
    site = cases[1].site
    SiteFactory._meta.model.objects.filter(pk=site.pk).update(name="Renamed without a signal")
    assert "Renamed without a signal" in client.get(reverse("safeguarding:index"), params).content.decode()
