"""The case page's action forms, written by one tag (case_tags.case_action_form), are the markup the included template wrote."""

import pytest
from django.template import Context, Template

from safeguarding.forms import AttachmentForm, NoteForm
from safeguarding.models import Status, SubjectType
from safeguarding.tests.factories import ConcernFactory, ReferralFactory

pytestmark = pytest.mark.django_db

# safeguarding/_action_form.html as it was, included once per form by case_detail.html.
ACTION_FORM = """{% load crispy_forms_tags %}
<details class="card mb-3"{% if open or form.is_bound %} open{% endif %}>
  <summary class="card-header h6 mb-0">{{ title }}</summary>
  <div class="card-body">
    <form method="post" action="{% url 'safeguarding:case_action' concern.reference action %}"{% if action == "attachment" %} enctype="multipart/form-data"{% endif %} novalidate>
      {% csrf_token %}
      {{ form|crispy }}
      <button type="submit" class="btn btn-{{ style|default:'primary' }} btn-sm">{{ button }}</button>
    </form>
  </div>
</details>
"""
OLD = Template(
    '{% include template with action=action form=form title="Record a referral\'s <outcome>" button=button'
    " open=open style=style %}"
)
NEW = Template(
    '{% load case_tags %}{% case_action_form action form "Record a referral\'s <outcome>" button open=open style=style %}'
)


def _pages(client, login, lead):
    """The forms the case page offers the Lead in four states (one with referrals, one about a service user)."""
    referred = ConcernFactory(status=Status.REFERRED, channel="phone", subject_type=SubjectType.SERVICE_USER)
    ReferralFactory(concern=referred)
    login(lead)
    for concern in (
        ConcernFactory(status=Status.NEW),
        referred,
        ConcernFactory(status=Status.CLOSED),
        ConcernFactory(),
    ):
        response = client.get(concern.get_absolute_url())
        assert response.status_code == 200
        yield concern, response.context["forms"]


def test_each_action_form_is_the_markup_the_template_wrote(client, login, lead, team_member):
    template = Template(ACTION_FORM)
    seen = set()
    for concern, forms in _pages(client, login, lead):
        bound = {"note": NoteForm({}, prefix="note"), "attachment": AttachmentForm({}, {}, prefix="attachment")}
        for form in bound.values():
            form.is_valid()  # errors shown, and a bound form is open
        for action, form in [*forms.items(), *bound.items()]:
            for extra in ({"open": True, "style": "danger"}, {"open": False, "style": ""}, {"button": "Save <it>"}):
                values = {"concern": concern, "action": action, "form": form, "button": "Save", **extra}
                # Two renderings of the same form: crispy adds its classes to the widgets the first time.
                old = OLD.render(Context({**values, "template": template, "csrf_token": "tok<en>"}))
                new = NEW.render(Context({**values, "csrf_token": "tok<en>"}))
                assert new == old, action
            seen.add(action)
    assert {"triage", "reassess", "referral", "referral_outcome", "close", "reopen", "cqc", "grant"} <= seen
    assert {"note", "attachment", "mask", "legal_hold"} <= seen
