"""Search as you type, across apps: the forms that use the API's searches, and their parity with the pages.

The forms render only the stored choice (never the whole table), refuse an id outside the user's
scope, and without JavaScript take a typed name through the search box below the select; a person
search answers exactly the roles that get the page with its field. The searches themselves are
tested in compliance/tests/test_people_search.py and suppliers/tests/test_supplier_search.py.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from compliance import roles
from compliance.models import PersonPick
from compliance.tests.factories import UserFactory
from safeguarding.forms import TriageForm
from safeguarding.models import Status
from safeguarding.tests.factories import ConcernFactory
from suppliers.forms import AuditForm, CorrectiveActionForm, SupplierForm
from suppliers.models import Supplier
from suppliers.tests.factories import SupplierFactory

pytestmark = pytest.mark.django_db

PEOPLE = "/api/v1/people/autocomplete/"
SUPPLIERS = "/api/v1/suppliers/autocomplete/"
COUNTRIES = "/api/v1/countries/autocomplete/"


def _options(html: str, name: str) -> list[str]:
    """The values of the <option>s of the select called ``name``."""
    select = re.search(rf'<select name="{re.escape(name)}".*?</select>', html, re.S)
    assert select, f"no select {name}"
    return re.findall(r'<option value="([^"]*)"', select.group(0))


@pytest.mark.parametrize("url", [PEOPLE + "?field=contract_owner", SUPPLIERS, COUNTRIES])
def test_searches_need_a_signed_in_user(client, url):
    assert client.get(url).status_code in {401, 403}


def test_a_new_cases_page_does_not_carry_the_register(client, lead):
    suppliers = [SupplierFactory() for _ in range(40)]
    concern = ConcernFactory(status=Status.NEW, linked_supplier=suppliers[3])
    client.force_login(lead)
    html = client.get(reverse("safeguarding:case_detail", args=[concern.reference])).content.decode()
    # Only the stored link (and "None") is in the page; the combobox asks the API for the rest.
    assert _options(html, "triage-linked_supplier") == ["", str(suppliers[3].pk)]
    assert 'data-search-url="/api/v1/suppliers/autocomplete/?"' in html
    assert 'name="triage-linked_supplier__search"' in html
    assert "Search for the supplier in the register by name" in html


def test_triage_refuses_a_supplier_outside_the_users_scope(make_user):
    supplier = SupplierFactory()
    data = {"triage-risk_level": "high", "triage-linked_supplier": str(supplier.pk)}
    assert TriageForm(data, prefix="triage", user=make_user(roles.MODERN_SLAVERY_LEAD)).is_valid()
    # The Safeguarding team does not read the register: the same id is not a choice for them,
    # nor for a form made without a user.
    for user in (make_user(roles.SAFEGUARDING_TEAM), None):
        form = TriageForm(data, prefix="triage", user=user)
        assert not form.is_valid()
        assert "linked_supplier" in form.errors


def test_triage_without_javascript_finds_the_supplier_by_name(client, lead):
    wanted = SupplierFactory(name="Harbour Laundry Services")
    SupplierFactory(name="Harbour Catering")
    SupplierFactory(name="Inland Transport")
    concern = ConcernFactory(status=Status.NEW)
    client.force_login(lead)
    url = reverse("safeguarding:case_action", args=[concern.reference, "triage"])
    data = {"triage-risk_level": "high", "triage-note": "Kept as typed", "triage-linked_supplier": ""}

    response = client.post(url, {**data, "triage-linked_supplier__search": "harbour"})
    assert response.status_code == 400
    html = response.content.decode()
    # Two match: both are offered in the list, nothing else, and what was typed is kept.
    assert "2 match “harbour” (Harbour Catering, Harbour Laundry Services)" in html
    assert sorted(_options(html, "triage-linked_supplier")[1:]) == sorted(
        str(pk) for pk in Supplier.objects.filter(name__startswith="Harbour").values_list("pk", flat=True)
    )
    assert "Kept as typed" in html
    concern.refresh_from_db()
    assert concern.status == Status.NEW

    response = client.post(url, {**data, "triage-linked_supplier__search": "nowhere"})
    assert "Nothing matches “nowhere”" in response.content.decode()

    response = client.post(url, {**data, "triage-linked_supplier__search": "laundry"})
    assert response.status_code == 302
    concern.refresh_from_db()
    assert concern.status == Status.TRIAGED and concern.linked_supplier == wanted


def test_edit_forms_render_only_the_stored_person(procurement):
    people = [UserFactory(full_name=f"Person {n}") for n in range(20)]
    gone = UserFactory(full_name="Former Owner", is_active=False)
    supplier = SupplierFactory(contract_owner=gone)
    form = SupplierForm(instance=supplier)
    html = str(form["contract_owner"])
    # The stored owner (who has left) round-trips; nobody else is in the page.
    assert _options(html, "contract_owner") == ["", str(gone.pk)]
    assert 'data-search-url="/api/v1/people/autocomplete/?field=contract_owner"' in html
    assert AuditForm()["auditor"].field.widget.source == "api-people-search"
    assert _options(str(CorrectiveActionForm(initial={"owner": people[4].pk})["owner"]), "owner") == [
        "",
        str(people[4].pk),
    ]
    # The countries stay all in the page (250 options), searchable by the combobox.
    countries = str(form["countries"])
    assert 'data-search-select="local"' in countries
    assert countries.count("<option") > 240


def test_a_person_form_refuses_an_inactive_line_manager_it_does_not_hold(admin_user):
    from compliance.forms import PersonForm

    gone = UserFactory(is_active=False)
    person = UserFactory()
    form = PersonForm(instance=person, data={"email": person.email, "full_name": "X", "line_manager": str(gone.pk)})
    form.is_valid()
    assert "line_manager" in form.errors


def _pages_with_person_fields():
    """PersonPick -> [(page, field name on it)]: every page that has a person field, from stored rows."""
    from suppliers.tests.factories import FindingFactory

    supplier = SupplierFactory()
    finding = FindingFactory(audit__supplier=supplier)
    concern = ConcernFactory(status=Status.NEW)
    return {
        PersonPick.CONTRACT_OWNER: [
            ("/suppliers/new/", "contract_owner"),
            (f"/suppliers/{supplier.pk}/edit/", "contract_owner"),
        ],
        PersonPick.AUDITOR: [(f"/suppliers/{supplier.pk}/audits/new/", "auditor")],
        PersonPick.ACTION_OWNER: [(f"/suppliers/findings/{finding.pk}/actions/new/", "owner")],
        PersonPick.LINE_MANAGER: [("/organisation/people/new/", "line_manager")],
        PersonPick.CASE_ASSIGNEE: [(f"/cases/{concern.reference}/", "triage-assignee")],
        PersonPick.RISK_OWNER: [("/reporting/risks/new/", "owner"), ("/reporting/actions/new/", "owner")],
        PersonPick.TRAINEE: [("/training/admin/records/assign/", "user")],
        PersonPick.DATA_SUBJECT: [("/cases/subject-access/", "person")],
    }


@pytest.mark.parametrize("role", roles.ALL_ROLES)
def test_people_search_for_a_field_answers_exactly_whoever_gets_the_page_with_it(client, make_user, role):
    pages = _pages_with_person_fields()
    assert set(pages) == set(PersonPick), "a PersonPick without its page here"
    client.force_login(make_user(role))
    for pick, places in pages.items():
        searchable = bool(client.get(PEOPLE, {"field": pick}).json()["results"])
        for url, field in places:
            response = client.get(url)
            has_field = response.status_code == 200 and f'name="{field}"' in response.content.decode()
            assert has_field == searchable, f"{role}: {url} {'has' if has_field else 'lacks'} {field}, search {pick}"


def _risk_settings_post(page, **changes) -> dict:
    """The risk settings form as the page shows it (each row's stored country), with ``changes``."""
    data = {f"w-{w.key}": w.value for w in page.context["weight_form"].weights}
    for prefix, formset in (("countries", page.context["countries"]), ("categories", page.context["categories"])):
        data[f"{prefix}-TOTAL_FORMS"] = formset.total_form_count()
        data[f"{prefix}-INITIAL_FORMS"] = formset.initial_form_count()
        for i, form in enumerate(formset.forms):
            for name, field in form.fields.items():
                value = form.initial.get(name, field.initial)
                if value is not None and name != "DELETE":
                    data[f"{prefix}-{i}-{name}"] = getattr(value, "code", getattr(value, "pk", value))
    return {**data, **changes}


def test_risk_settings_render_only_each_rows_country(client, procurement):
    from suppliers.models import CountryRisk

    for code in ("BR", "CN", "IN", "MY", "PL", "TH"):
        CountryRisk.objects.get_or_create(country=code, defaults={"band": "medium", "points": 5})
    stored = list(CountryRisk.objects.order_by("country"))
    client.force_login(procurement)
    html = client.get(reverse("suppliers:risk_settings")).content.decode()
    # Each row's select holds its own country only (not the 250): the combobox asks the API.
    for i, row in enumerate(stored):
        assert _options(html, f"countries-{i}-country") == ["", row.country.code]
    assert _options(html, f"countries-{len(stored)}-country") == [""]
    assert f'data-search-url="{COUNTRIES}?"' in html
    assert f'name="countries-{len(stored)}-country__search"' in html
    assert "Search for the country by name" in html


def test_risk_settings_without_javascript_take_a_typed_country(client, procurement):
    from suppliers.models import CountryRisk

    client.force_login(procurement)
    url = reverse("suppliers:risk_settings")
    CountryRisk.objects.filter(country__in=["NE", "NG", "FI", "IS"]).delete()
    extra = CountryRisk.objects.count()
    row = {f"countries-{extra}-band": "high", f"countries-{extra}-points": "7", f"countries-{extra}-source": "Typed"}

    # Several countries contain "land": nothing is saved, the matches are offered, the typing kept.
    page = client.get(url)
    response = client.post(url, _risk_settings_post(page, **row, **{f"countries-{extra}-country__search": "land"}))
    assert response.status_code == 200
    html = response.content.decode()
    assert "match “land”" in html
    options = _options(html, f"countries-{extra}-country")
    assert {"FI", "IS"} <= set(options) and len(options) <= 21
    assert 'value="Typed"' in html
    assert not CountryRisk.objects.filter(source="Typed").exists()

    # "Niger" is a country of its own, though "Nigeria" contains it: the exact name wins.
    response = client.post(url, _risk_settings_post(page, **row, **{f"countries-{extra}-country__search": "niger"}))
    assert response.status_code == 302, [f.errors for f in response.context["countries"]]
    assert CountryRisk.objects.get(source="Typed").country.code == "NE"


def test_subject_access_renders_no_list_of_people_and_finds_a_leaver(client, lead):
    leaver = UserFactory(full_name="Marta Leaver", is_active=False)
    for _ in range(30):
        UserFactory()
    client.force_login(lead)
    html = client.get(reverse("safeguarding:subject_access")).content.decode()
    # Only the empty choice: the combobox asks the people search for the rest.
    assert _options(html, "person") == [""]
    assert f'data-search-url="{PEOPLE}?field=data_subject"' in html
    # A subject access request may come after someone has left: the search offers leavers too.
    found = client.get(PEOPLE, {"field": "data_subject", "q": "marta"}).json()["results"]
    assert [row["id"] for row in found] == [str(leaver.pk)]
