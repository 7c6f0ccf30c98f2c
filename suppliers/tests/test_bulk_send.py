"""Bulk send from the register: one outbox message per supplier, skips named, once a day, managers only."""

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from compliance import roles
from compliance.models import OutboxMessage
from suppliers.models import (
    CodeOfConduct,
    QuestionnaireRequest,
    QuestionnaireTemplate,
    Supplier,
    SupplierEvent,
    SupplierPortalLink,
)
from suppliers.tests.factories import SupplierFactory

pytestmark = pytest.mark.django_db

URL = "/suppliers/bulk/"


@pytest.fixture
def code(lead):
    return CodeOfConduct.objects.create(
        version="3",
        clauses="No worker pays a recruitment fee.",
        effective_from=timezone.localdate(),
        published_at=timezone.now(),
        published_by=lead,
    )


def _messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_questionnaire_to_ticked_suppliers_one_message_each_and_skips_named(client, login, procurement):
    template = QuestionnaireTemplate.objects.filter(is_active=True).first()
    ok = SupplierFactory.create_batch(2, category="cleaning")
    no_email = SupplierFactory(name="Quiet Ltd", contact_email="")
    gone = SupplierFactory(name="Gone Ltd", status=Supplier.Status.TERMINATED)
    login(procurement)
    chosen = [s.pk for s in [*ok, no_email, gone]]
    response = client.post(
        URL, {"kind": "questionnaire", "template": template.pk, "scope": "selected", "supplier": chosen}
    )
    assert response.status_code == 302
    outbox = OutboxMessage.objects.filter(kind=OutboxMessage.Kind.QUESTIONNAIRE)
    assert sorted(outbox.values_list("to", flat=True)) == sorted(s.contact_email for s in ok)
    assert QuestionnaireRequest.objects.filter(supplier__in=ok, template=template).count() == 2
    assert not QuestionnaireRequest.objects.filter(supplier__in=[no_email, gone]).exists()
    assert SupplierEvent.objects.filter(supplier__in=ok, kind=SupplierEvent.Kind.QUESTIONNAIRE).count() == 2
    (summary,) = _messages(response)
    assert summary == "Sent to 2; skipped 2: no contact email — Quiet Ltd; terminated — Gone Ltd."
    # Each email carries that supplier's own working link.
    for supplier in ok:
        body = outbox.get(to=supplier.contact_email).body_text
        assert supplier.name in body and "/suppliers/q/" in body


def test_a_second_press_the_same_day_sends_nothing(client, login, procurement, code):
    suppliers = SupplierFactory.create_batch(3)
    login(procurement)
    form = {"kind": "code_of_conduct", "scope": "selected", "supplier": [s.pk for s in suppliers]}
    client.post(URL, form)
    response = client.post(URL, form)
    assert OutboxMessage.objects.filter(kind=OutboxMessage.Kind.CODE_OF_CONDUCT).count() == 3
    assert _messages(response)[-1].startswith("Sent to 0; skipped 3: already sent today")
    # A questionnaire is another action: it still goes today.
    template = QuestionnaireTemplate.objects.filter(is_active=True).first()
    client.post(URL, {**form, "kind": "questionnaire", "template": template.pk})
    assert OutboxMessage.objects.filter(kind=OutboxMessage.Kind.QUESTIONNAIRE).count() == 3


def test_all_matching_the_filter_sends_to_the_filtered_suppliers_only(client, login, procurement, code):
    cleaners = SupplierFactory.create_batch(3, category="cleaning")
    SupplierFactory.create_batch(2, category="catering")
    login(procurement)
    response = client.post(URL, {"kind": "code_of_conduct", "scope": "filter", "category": "cleaning"})
    assert response.status_code == 302 and response["Location"] == "/suppliers/?category=cleaning"
    sent = OutboxMessage.objects.filter(kind=OutboxMessage.Kind.CODE_OF_CONDUCT)
    assert sorted(sent.values_list("to", flat=True)) == sorted(s.contact_email for s in cleaners)
    assert all("v3" in m.subject for m in sent)
    # Each contact accepts in the supplier portal with a link of their own.
    links = SupplierPortalLink.objects.filter(supplier__in=cleaners)
    assert links.count() == 3 and {link.contact_email for link in links} == {s.contact_email for s in cleaners}
    assert all("/suppliers/portal/" in m.body_text for m in sent)
    assert len({m.body_text for m in sent}) == 3


def test_the_confirmation_page_lists_the_ticked_and_the_register_offers_checkboxes(client, login, procurement):
    supplier = SupplierFactory(name="Ticked Ltd")
    login(procurement)
    register = client.get(reverse("suppliers:index"), {"category": "professional"}).content.decode()
    assert f'name="supplier" value="{supplier.pk}"' in register
    assert f'<label class="visually-hidden" for="pick-{supplier.pk}">Select Ticked Ltd</label>' in register
    assert '<input type="hidden" name="category" value="professional">' in register
    page = client.get(URL, {"kind": "questionnaire", "supplier": [supplier.pk], "category": "professional"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Ticked Ltd" in html and '<input type="hidden" name="category" value="professional">' in html


def test_the_form_asks_for_a_template_and_a_supplier(client, login, procurement):
    login(procurement)
    response = client.post(URL, {"kind": "questionnaire", "scope": "selected"})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"template", "scope"}
    assert not OutboxMessage.objects.exists()


@pytest.mark.parametrize("role", [roles.BOARD_MEMBER, roles.STAFF, roles.HR, roles.DIRECTOR])
def test_only_supplier_managers_may_bulk_send(client, login, make_user, role, code):
    supplier = SupplierFactory()
    login(make_user(role))
    assert client.get(URL).status_code == 404
    response = client.post(URL, {"kind": "code_of_conduct", "scope": "selected", "supplier": [supplier.pk]})
    assert response.status_code == 404
    assert not OutboxMessage.objects.exists()


def test_the_post_needs_the_csrf_token(procurement, code):
    from django.test import Client

    supplier = SupplierFactory()
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(procurement)
    response = strict.post(URL, {"kind": "code_of_conduct", "scope": "selected", "supplier": [supplier.pk]})
    assert response.status_code == 403
    assert not OutboxMessage.objects.exists()


@pytest.mark.parametrize("scope", ["selected", "filter"])
@pytest.mark.parametrize("kind", ["questionnaire", "code_of_conduct"])
def test_bulk_send_costs_the_same_for_1_and_50_suppliers(client, login, procurement, code, kind, scope):
    template = QuestionnaireTemplate.objects.filter(is_active=True).first()
    login(procurement)
    counts = {}
    for rows, category in ((1, "laundry"), (50, "textiles")):
        chosen = SupplierFactory.create_batch(rows, category=category)
        form = {"kind": kind, "template": template.pk, "scope": scope, "category": category}
        if scope == "selected":
            form["supplier"] = [s.pk for s in chosen]
        with CaptureQueriesContext(connection) as queries:
            response = client.post(URL, form)
        assert response.status_code == 302
        counts[rows] = len(queries)
    assert OutboxMessage.objects.count() == 51
    assert counts[1] == counts[50], counts


def test_the_service_refuses_a_reader_too(board, code):
    from django.core.exceptions import PermissionDenied

    from suppliers.services.bulk import suppliers_bulk_send

    SupplierFactory()
    with pytest.raises(PermissionDenied):
        suppliers_bulk_send(actor=board, suppliers=Supplier.objects.all(), kind="code_of_conduct", code=code)
    # Refused before anything is looked at: not even the skip summary of a selection that sends nothing.
    gone = SupplierFactory(status=Supplier.Status.TERMINATED)
    with pytest.raises(PermissionDenied):
        suppliers_bulk_send(
            actor=board, suppliers=Supplier.objects.filter(pk=gone.pk), kind="code_of_conduct", code=code
        )
    assert not OutboxMessage.objects.exists()


def test_a_filter_value_that_is_not_valid_sends_to_nobody(client, login, procurement, code):
    SupplierFactory.create_batch(2)
    login(procurement)
    response = client.post(URL, {"kind": "code_of_conduct", "scope": "filter", "category": "no-such-category"})
    assert response.status_code == 200
    assert "scope" in response.context["form"].errors
    assert not OutboxMessage.objects.exists()
