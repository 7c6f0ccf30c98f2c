"""Error summaries name the field each problem belongs to and link to it."""

import datetime

import pytest
from django.urls import reverse

from compliance import roles
from reporting import services
from reporting.tests.factories import GovernanceMeetingFactory, StatementFactory

pytestmark = pytest.mark.django_db


def test_the_summary_names_and_links_the_field(client, login, make_user):
    login(make_user(roles.STAFF, roles.COMPLIANCE_ADMIN))
    person = make_user(roles.STAFF, full_name="Sam Carer")

    response = client.post(reverse("person_edit", args=[person.pk]), {"email": "", "full_name": "Sam Carer"})

    html = response.content.decode()
    assert response.status_code == 200
    assert '<a class="alert-link" href="#id_email">Email</a>: This field is required.' in html


def test_radio_buttons_are_linked_by_their_block():
    from django import forms
    from django.template import Context, Template

    class DecideForm(forms.Form):
        decision = forms.ChoiceField(label="Decision", choices=[("a", "A")], widget=forms.RadioSelect)

    html = Template("{% load crispy_forms_tags %}{{ form|crispy }}").render(Context({"form": DecideForm(data={})}))
    # A choice shown as radio buttons has no single input to link to: link to its block instead.
    assert '<a class="alert-link" href="#div_id_decision">Decision</a>: This field is required.' in html
    assert 'id="div_id_decision"' in html


def test_a_form_wide_problem_is_listed_without_a_field(client, login, make_user):
    login(make_user(roles.STAFF, roles.PROCUREMENT))
    from suppliers.tests.factories import SupplierFactory

    supplier = SupplierFactory()
    response = client.post(reverse("suppliers:enhanced_checks", args=[supplier.pk]), {"summary": "Looked at the books"})
    html = response.content.decode()
    assert 'data-testid="form-errors"' in html
    assert "<li>Tick at least one check that was done, or record the supply chain.</li>" in html


def test_a_director_who_leaves_the_date_blank_is_told_which_field(client, login, make_user):
    lead, board, director = (
        make_user(roles.STAFF, roles.MODERN_SLAVERY_LEAD),
        make_user(roles.STAFF, roles.BOARD_MEMBER),
        make_user(roles.STAFF, roles.DIRECTOR),
    )
    statement = StatementFactory(created_by=lead)
    meeting = GovernanceMeetingFactory(held_on=datetime.date.today())
    services.statement_approve(statement=statement, actor=board, meeting=meeting, minute="B/1")
    login(director)

    response = client.post(
        reverse("reporting:statement_sign", args=[statement.pk]),
        {"signatory_title": "CEO", "signed_on": ""},
        follow=True,
    )

    html = response.content.decode()
    # The banner after the redirect names the field and links to it on the page that shows the form.
    assert '<a class="alert-link" href="#id_signed_on">Date signed</a>: This field is required.' in html
    assert 'id="id_signed_on"' in html

    # A refusal from the service names its field the same way.
    tomorrow = (datetime.date.today() + datetime.timedelta(days=1)).isoformat()
    response = client.post(
        reverse("reporting:statement_sign", args=[statement.pk]),
        {"signatory_title": "CEO", "signed_on": tomorrow},
        follow=True,
    )
    assert (
        '<a class="alert-link" href="#id_signed_on">Date signed</a>: The signature date cannot be in the future.'
        in response.content.decode()
    )
