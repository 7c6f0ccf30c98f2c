"""The organisation profile's tables (legal entities, departments, sites) are written once per process
for the rows they show, and follow every change at once."""

import pytest
from django.urls import reverse

from compliance.forms import DepartmentFormSet
from compliance.models import Department, Site
from compliance.templatetags import formset_tags
from tests.formdata import browser_form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def built(monkeypatch):
    """Each department row's form as it is made: none are made when the table comes from the memo."""
    monkeypatch.setattr(formset_tags, "rendered_tables", {})
    made = []
    original = DepartmentFormSet.form.__init__

    def counting(self, *args, **kwargs):
        made.append(self)
        original(self, *args, **kwargs)

    monkeypatch.setattr(DepartmentFormSet.form, "__init__", counting)
    return made


def test_the_tables_are_rendered_once_for_the_same_rows_and_follow_changes(client, login, compliance_admin, built):
    Department.objects.create(name="Care delivery")
    site = Site.objects.create(name="Oakwood", address="1 Elm Road")
    login(compliance_admin)
    first = client.get(reverse("organisation")).content.decode()
    assert built and 'value="Care delivery"' in first and 'value="1 Elm Road"' in first
    built.clear()
    second = client.get(reverse("organisation")).content.decode()
    assert built == []
    assert _tables(second) == _tables(first)

    # Any change to a row, even one that sends no signal, makes a new table at once.
    Site.objects.filter(pk=site.pk).update(address="2 Ash Lane <rear>")
    Department.objects.create(name="Night shift")
    third = client.get(reverse("organisation")).content.decode()
    assert 'value="2 Ash Lane &lt;rear&gt;"' in third and 'value="Night shift"' in third
    assert "1 Elm Road" not in third


def test_a_refused_save_shows_what_was_typed_and_its_errors(client, login, compliance_admin, built):
    Department.objects.create(name="Care delivery")
    login(compliance_admin)
    data = browser_form_data(client.get(reverse("organisation")).content.decode())
    data["departments-0-name"] = ""
    data["sites-0-name"] = "Typed but not saved"
    html = client.post(reverse("organisation"), data).content.decode()
    assert 'value="Typed but not saved"' in html
    assert "invalid-feedback" in html
    assert Department.objects.filter(name="Care delivery").exists()


def _tables(html: str) -> str:
    return html[html.index('<div class="table-responsive"') : html.rindex("</table></div>")]
