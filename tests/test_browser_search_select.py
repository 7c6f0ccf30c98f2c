"""Real browser: the searchable selects (Tom Select) with and without JavaScript, keyboard only, axe clean."""

import pytest
from playwright.sync_api import expect

from compliance.tests.factories import UserFactory
from suppliers.models import Supplier
from suppliers.tests.factories import SupplierFactory
from tests.browser import axe_violations, format_violations, sign_in_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def stored(procurement):
    """A supplier saved with a contract owner and two countries, and people to choose from."""
    owner = UserFactory(full_name="Ann Owner", email="ann@example.org")
    UserFactory(full_name="Boris Newowner", email="boris@example.org")
    for n in range(30):
        UserFactory(full_name=f"Filler Person {n:02d}")
    return SupplierFactory(name="Stored Ltd", contract_owner=owner, countries=["GB", "RO"])


@pytest.fixture
def strict_page(browser):
    """A page that obeys the app's Content-Security-Policy (no bypass): the widget needs no inline script or style."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(30_000)
    problems = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.problems = problems
    yield page
    context.close()


def test_edit_form_searches_chooses_by_keyboard_and_saves(strict_page, live_server, procurement, stored):
    page = strict_page
    sign_in_as(page, live_server, procurement)
    page.goto(f"{live_server.url}/suppliers/{stored.pk}/edit/")
    # The stored owner is shown; the no-JavaScript search box is gone.
    owner = page.get_by_role("combobox", name="Contract owner")
    expect(page.locator(".ts-wrapper").filter(has_text="Ann Owner")).to_have_count(1)
    expect(page.locator("[data-search-fallback]")).to_have_count(0)
    owner.focus()
    page.keyboard.type("Boris")
    listbox = page.get_by_role("listbox", name="Contract owner")
    # The API answered with the one match (and its email, which tells namesakes apart).
    expect(listbox.get_by_role("option")).to_have_count(1)
    expect(listbox.get_by_role("option").first).to_contain_text("boris@example.org")
    page.keyboard.press("Enter")
    # Countries: search the 250 in the page, choose by keyboard.
    countries = page.get_by_role("combobox", name="Countries")
    countries.focus()
    # Typed a key at a time, each after the last has filtered the list: typed at once, the first
    # keys could land before the list opened and leave the first country active (a CI flake).
    for key in "Franc":
        page.keyboard.type(key, delay=50)
    expect(page.locator("#id_countries-ts-dropdown .option")).to_have_count(1)
    expect(page.locator("#id_countries-ts-dropdown .option.active")).to_have_text("France")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Stored Ltd")
    stored.refresh_from_db()
    assert stored.contract_owner.full_name == "Boris Newowner"
    assert sorted(country.code for country in stored.countries) == ["FR", "GB", "RO"]
    assert not [p for p in page.problems if "Content Security Policy" in p or "Refused" in p], page.problems


def test_edit_form_without_javascript(browser, live_server, procurement, stored):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        sign_in_as(page, live_server, procurement)
        page.goto(f"{live_server.url}/suppliers/{stored.pk}/edit/")
        # A plain select with the stored owner only (not every person), and a search box.
        owner = page.get_by_label("Contract owner", exact=True)
        expect(owner).to_have_value(str(stored.contract_owner_id))
        assert owner.locator("option").count() == 2  # the empty choice and the stored owner
        page.get_by_label("Search for the contract owner by name").fill("person 0")
        page.get_by_role("button", name="Save").click()
        # Ten fillers match: the form comes back with them to choose from, nothing saved.
        expect(page.locator("#error_1_id_contract_owner")).to_contain_text("10 match “person 0”")
        stored.refresh_from_db()
        assert stored.contract_owner.full_name == "Ann Owner"
        page.get_by_label("Contract owner", exact=True).select_option(label="Filler Person 07")
        page.get_by_role("button", name="Save").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Stored Ltd")
        stored.refresh_from_db()
        assert stored.contract_owner.full_name == "Filler Person 07"
        # One match is taken at once.
        page.goto(f"{live_server.url}/suppliers/{stored.pk}/edit/")
        page.get_by_label("Search for the contract owner by name").fill("boris@")
        page.get_by_role("button", name="Save").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Stored Ltd")
        stored.refresh_from_db()
        assert stored.contract_owner.full_name == "Boris Newowner"
        assert Supplier.objects.count() == 1
    finally:
        context.close()


def test_searchable_selects_pass_axe_open_and_closed(page, live_server, procurement, stored):
    sign_in_as(page, live_server, procurement)
    page.goto(f"{live_server.url}/suppliers/{stored.pk}/edit/")
    violations = axe_violations(page)
    assert not violations, f"closed: {format_violations(violations)}"
    page.get_by_role("combobox", name="Contract owner").focus()
    page.keyboard.type("Fill")
    expect(page.get_by_role("listbox", name="Contract owner").get_by_role("option")).to_have_count(30)
    violations = axe_violations(page)
    assert not violations, f"people open: {format_violations(violations)}"
    page.keyboard.press("Escape")
    page.get_by_role("combobox", name="Countries").focus()
    page.keyboard.type("uni")
    expect(page.get_by_role("listbox", name="Countries").get_by_role("option").first).to_be_visible()
    violations = axe_violations(page)
    assert not violations, f"countries open: {format_violations(violations)}"


def test_register_country_filter_is_searchable_by_keyboard(page, live_server, procurement):
    SupplierFactory(name="Paris Linen", countries=["FR"])
    SupplierFactory(name="Leeds Linen", countries=["GB"])
    sign_in_as(page, live_server, procurement)
    page.goto(f"{live_server.url}/suppliers/")
    page.get_by_role("combobox", name="Country of operation").focus()
    page.keyboard.type("franc")
    expect(page.locator("#id_country-ts-dropdown .option.active")).to_have_text("France")
    page.keyboard.press("Enter")
    # The htmx filter sees the chosen country like any other change.
    expect(page.get_by_role("status")).to_have_text("1 supplier.", timeout=15_000)
    expect(page.get_by_role("link", name="Leeds Linen")).to_have_count(0)
    assert "country=FR" in page.url


def test_triage_links_a_supplier_found_by_typing(page, live_server, lead):
    from safeguarding.models import Status
    from safeguarding.tests.factories import ConcernFactory

    for n in range(60):
        SupplierFactory(name=f"Filler Supplier {n:02d}")
    wanted = SupplierFactory(name="Harbour Laundry Services")
    concern = ConcernFactory(status=Status.NEW)
    sign_in_as(page, live_server, lead)
    page.goto(f"{live_server.url}/cases/{concern.reference}/")
    # Only "None" is in the page: the register is fetched as the Lead types.
    assert page.locator("select[name='triage-linked_supplier'] option").count() == 1
    violations = axe_violations(page)
    assert not violations, format_violations(violations)
    page.get_by_label("Risk level").select_option("high")
    page.get_by_role("combobox", name="Supplier in the register (optional)").focus()
    page.keyboard.type("laundry")
    listbox = page.get_by_role("listbox", name="Supplier in the register (optional)")
    # The server's answer (not the 50 names fetched on focus) is the one option, and it is active.
    expect(listbox.get_by_role("option")).to_have_count(1)
    expect(listbox.locator(".option.active")).to_contain_text("Harbour Laundry Services")
    page.keyboard.press("Enter")
    violations = axe_violations(page)
    assert not violations, format_violations(violations)
    page.get_by_role("button", name="Triage case").click()
    expect(page.get_by_text("Case triaged.")).to_be_visible()
    concern.refresh_from_db()
    assert concern.status == Status.TRIAGED and concern.linked_supplier == wanted
