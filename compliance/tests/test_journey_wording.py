"""The Compliance admin words any reporting-journey string per language, without a deploy."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from compliance import roles
from compliance.i18n import journey_wording_for
from compliance.wording_models import JourneyWording
from compliance.wording_services import journey_wording_delete, journey_wording_save

pytestmark = pytest.mark.django_db
REPORT = reverse("safeguarding:report_anonymous")
CATALOGUE_PL = "Wyślij zgłoszenie"  # the Polish catalogue's "Send report"


def test_the_form_shows_the_admins_polish_wording_and_english_is_untouched(
    client, login, make_user, django_capture_on_commit_callbacks
):
    admin = make_user(roles.COMPLIANCE_ADMIN)
    assert CATALOGUE_PL in client.get(REPORT, HTTP_ACCEPT_LANGUAGE="pl").content.decode()
    login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("journey_wording"), {"language": "pl", "msgid": "Send report", "text": "Wyślij zgłoszenie teraz"}
        )
    assert response.status_code == 302
    client.logout()
    polish = client.get(REPORT, HTTP_ACCEPT_LANGUAGE="pl").content.decode()
    assert "Wyślij zgłoszenie teraz" in polish
    assert "Send report" in client.get(REPORT, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Wyślij zgłoszenie teraz" not in client.get(REPORT, HTTP_ACCEPT_LANGUAGE="ro").content.decode()


def test_removing_the_wording_brings_back_the_catalogue(client, make_user, django_capture_on_commit_callbacks):
    admin = make_user(roles.COMPLIANCE_ADMIN)
    with django_capture_on_commit_callbacks(execute=True):
        wording = journey_wording_save(actor=admin, language="pl", msgid="Send report", text="Wyślij teraz")
    assert "Wyślij teraz" in client.get(REPORT, HTTP_ACCEPT_LANGUAGE="pl").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        journey_wording_delete(actor=admin, wording=wording)
    page = client.get(REPORT, HTTP_ACCEPT_LANGUAGE="pl").content.decode()
    assert "Wyślij teraz" not in page and CATALOGUE_PL in page


def test_the_wording_is_read_from_the_cache_after_the_first_page(make_user, django_assert_num_queries):
    JourneyWording.objects.create(language="pl", msgid="Send report", text="Wyślij teraz")
    with django_assert_num_queries(1):  # the language's wording, once
        assert journey_wording_for("pl") == {"Send report": "Wyślij teraz"}
    with django_assert_num_queries(0):
        assert journey_wording_for("pl") == {"Send report": "Wyślij teraz"}


@pytest.mark.parametrize(
    "msgid, text",
    [
        ("Your report %(reference)s", "Twoje zgłoszenie"),  # drops the reference
        ("Send report", "<script>alert(1)</script>Wyślij"),  # adds markup
        ('Staff can also <a href="%(url)s">sign in and report</a>.', "Pracownicy mogą się zalogować."),
        ("Not a journey string", "Cokolwiek"),
    ],
)
def test_wording_must_keep_the_strings_values_and_markup_and_be_a_journey_string(make_user, msgid, text):
    with pytest.raises(ValidationError):
        journey_wording_save(actor=make_user(roles.COMPLIANCE_ADMIN), language="pl", msgid=msgid, text=text)


def test_only_a_compliance_admin_changes_the_wording(client, login, make_user):
    lead = make_user(roles.MODERN_SLAVERY_LEAD)
    with pytest.raises(PermissionDenied):
        journey_wording_save(actor=lead, language="pl", msgid="Send report", text="x")
    login(lead)
    assert client.get(reverse("journey_wording")).status_code == 404
    login(make_user(roles.COMPLIANCE_ADMIN))
    assert client.get(reverse("journey_wording") + "?language=ar").status_code == 200


def test_pages_outside_the_journey_never_look_the_wording_up(client, login, make_user):
    from django.core.cache import cache

    login(make_user(roles.STAFF, roles.MODERN_SLAVERY_LEAD))
    client.get(reverse("safeguarding:index"), HTTP_ACCEPT_LANGUAGE="pl")
    assert cache.get("journey-wording:pl") is None
    client.get(reverse("safeguarding:my_reports"), HTTP_ACCEPT_LANGUAGE="pl")
    assert cache.get("journey-wording:pl") == {}
