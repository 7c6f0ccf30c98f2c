"""compliance.form_memo: a form's or a filter field's remembered markup is what rendering it writes.

The case page's action forms come from the memo from the second visit on; these tests hold the
remembered markup equal to a fresh rendering, and show that every way two forms can differ (an
initial value, an option's label, a field's label, a bound form's values) makes another key.
"""

import re

import pytest
from django import forms
from django.utils.translation import gettext_lazy

from compliance import form_memo
from compliance.form_memo import remembered_crispy_form, unbound_form_key
from safeguarding.models import RiskLevel, Status, SubjectType
from safeguarding.tests.factories import ConcernFactory, FirstResponderFactory, ReferralFactory

pytestmark = pytest.mark.django_db

_CARDS = re.compile(r'<details class="card mb-3".*?</details>', re.S)
_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


@pytest.fixture(autouse=True)
def empty_memo():
    form_memo.rendered_forms.clear()
    form_memo.rendered_fields.clear()
    yield
    form_memo.rendered_forms.clear()
    form_memo.rendered_fields.clear()


def _action_forms(client, concern) -> list[str]:
    response = client.get(concern.get_absolute_url())
    assert response.status_code == 200
    return [_CSRF.sub("csrf", card) for card in _CARDS.findall(response.content.decode())]


def test_remembered_case_forms_are_the_markup_a_fresh_rendering_writes(client, login, lead, team_member):
    referred = ConcernFactory(status=Status.REFERRED, subject_type=SubjectType.SERVICE_USER, assignee=team_member)
    ReferralFactory(concern=referred)
    login(lead)
    for concern in (ConcernFactory(status=Status.NEW), referred, ConcernFactory(status=Status.CLOSED)):
        form_memo.rendered_forms.clear()
        fresh = _action_forms(client, concern)
        assert form_memo.rendered_forms, "the case page's forms were not remembered"
        remembered = _action_forms(client, concern)
        assert remembered == fresh
        assert len(fresh) >= 5


def test_a_case_with_another_assignee_and_risk_gets_its_own_reassess_form(
    client, login, lead, team_member, other_team_member
):
    first = ConcernFactory(status=Status.TRIAGED, assignee=team_member, risk_level=RiskLevel.LOW)
    second = ConcernFactory(status=Status.TRIAGED, assignee=other_team_member, risk_level=RiskLevel.HIGH)
    login(lead)
    _action_forms(client, first)  # its forms are now remembered
    reassess = next(card for card in _action_forms(client, second) if 'name="reassess-assignee"' in card)
    assert f'<option value="{other_team_member.pk}" selected>' in reassess
    assert f'<option value="{team_member.pk}" selected>' not in reassess
    assert '<option value="high" selected>' in reassess


def test_a_renamed_first_responder_is_offered_by_its_new_name_at_once(client, login, lead):
    responder = FirstResponderFactory(name="Kent Police")
    concern = ConcernFactory(status=Status.TRIAGED)
    login(lead)
    assert any("Kent Police" in card for card in _action_forms(client, concern))
    responder.name = "Kent Police, Modern Slavery Unit"
    responder.save()
    referral = next(card for card in _action_forms(client, concern) if 'name="referral-responder"' in card)
    assert "Kent Police, Modern Slavery Unit" in referral


class _Example(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=20)
    kind = forms.ChoiceField(choices=[("a", gettext_lazy("First")), ("b", "Second")])


def test_two_forms_built_alike_share_a_key_and_any_difference_makes_another():
    assert unbound_form_key(_Example()) == unbound_form_key(_Example())
    assert unbound_form_key(_Example(initial={"name": "Ann"})) != unbound_form_key(_Example())
    assert unbound_form_key(_Example(prefix="other")) != unbound_form_key(_Example())
    relabelled = _Example()
    relabelled.fields["name"].label = "Full name"
    assert unbound_form_key(relabelled) != unbound_form_key(_Example())
    longer = _Example()
    longer.fields["name"].max_length = 40  # another maxlength attribute on the input
    assert unbound_form_key(longer) != unbound_form_key(_Example())
    fewer = _Example()
    fewer.fields["kind"].choices = [("a", "First")]
    assert unbound_form_key(fewer) != unbound_form_key(_Example())


def test_a_bound_form_or_one_holding_an_object_is_rendered_as_it_is():
    bound = _Example({"name": "x" * 30, "kind": "a"})
    assert unbound_form_key(bound) is None
    assert "Ensure this value has at most 20 characters" in remembered_crispy_form(bound)
    odd = _Example()
    odd.fields["name"].widget.source = object()  # state the key cannot read as a value
    assert unbound_form_key(odd) is None
    assert 'name="name"' in remembered_crispy_form(odd)
    assert not form_memo.rendered_forms


def test_the_memo_keeps_to_its_size(monkeypatch):
    monkeypatch.setattr(form_memo, "MEMO_SIZE", 3)
    for n in range(7):
        remembered_crispy_form(_Example(initial={"name": str(n)}))
        assert len(form_memo.rendered_forms) <= 3


# --- A list's filter fields (remembered_crispy_field) ---------------------------------------------


def _register_filters(params: dict):
    from django.http import QueryDict

    from suppliers.filters import SupplierFilter
    from suppliers.models import Supplier

    data = QueryDict(mutable=True)
    data.update(params)
    return SupplierFilter(data, queryset=Supplier.objects.all()).form


@pytest.mark.parametrize(
    "params",
    [{}, {"category": "cleaning", "agency": "on", "order": "-risk_score"}, {"country": "GB", "risk_band": "high"}],
)
def test_remembered_filter_fields_are_the_markup_a_fresh_rendering_writes(params):
    from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field

    form_memo.rendered_fields.clear()
    first = [form_memo.remembered_crispy_field(field) for field in _register_filters(params)]
    assert len(form_memo.rendered_fields) >= 10
    # A new FilterSet (django-filter builds a new form class each time): the same keys, from the memo.
    again = [form_memo.remembered_crispy_field(field) for field in _register_filters(params)]
    fresh = [as_crispy_field(field) for field in _register_filters(params)]
    assert first == again == fresh


def test_a_chosen_option_is_a_field_of_its_own():
    empty = {field.name: form_memo.remembered_crispy_field(field) for field in _register_filters({})}
    chosen = {
        field.name: form_memo.remembered_crispy_field(field) for field in _register_filters({"risk_band": "high"})
    }
    assert '<option value="high" selected>' in chosen["risk_band"]
    assert '<option value="high" selected>' not in empty["risk_band"]


def test_typed_text_and_a_field_with_errors_are_not_kept():
    form = _register_filters({"q": "Acme Cleaning", "category": "not-a-category"})
    assert not form.is_valid()
    assert form_memo.filter_field_key(form["q"]) is None  # what someone typed stays out of the process
    assert form_memo.filter_field_key(form["category"]) is None  # its error is shown
    assert 'value="Acme Cleaning"' in form_memo.remembered_crispy_field(form["q"])
    assert "not one of the available choices" in form_memo.remembered_crispy_field(form["category"])
    assert not form_memo.rendered_fields


def test_a_search_select_is_keyed_on_the_row_it_shows(client, login, lead):
    from suppliers.tests.factories import SupplierFactory

    supplier = SupplierFactory(name="Brightside Staffing")
    concern = ConcernFactory(status=Status.NEW, linked_supplier=supplier)
    login(lead)
    triage = next(card for card in _action_forms(client, concern) if 'name="triage-linked_supplier"' in card)
    assert "Brightside Staffing" in triage and form_memo.rendered_forms
    supplier.name = "Brightside Care Staffing"
    supplier.save()
    triage = next(card for card in _action_forms(client, concern) if 'name="triage-linked_supplier"' in card)
    assert "Brightside Care Staffing" in triage
