"""The reporting journey in the reporter's language: choice, switch, lang/dir."""

import re

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db


def html_lang_dir(response) -> tuple[str, str]:
    match = re.search(r'<html lang="([^"]+)" dir="(ltr|rtl)">', response.content.decode())
    assert match, "the page has no <html lang dir>"
    return match.group(1), match.group(2)


def test_the_browsers_language_sets_lang_and_dir(client):
    assert html_lang_dir(client.get(reverse("safeguarding:report_anonymous"), HTTP_ACCEPT_LANGUAGE="pl")) == (
        "pl",
        "ltr",
    )
    response = client.get(reverse("safeguarding:report_anonymous"), HTTP_ACCEPT_LANGUAGE="ar")
    assert html_lang_dir(response) == ("ar", "rtl")
    assert "bootstrap.rtl.min.css" in response.content.decode()


def test_an_unsupported_language_falls_back_to_english(client):
    response = client.get(reverse("safeguarding:report_anonymous"), HTTP_ACCEPT_LANGUAGE="fr")
    assert html_lang_dir(response) == ("en-gb", "ltr")
    assert "bootstrap.min.css" in response.content.decode()


def test_the_switch_lists_every_language_in_its_own_name_and_remembers_the_choice(client):
    page = client.get(reverse("safeguarding:report_anonymous")).content.decode()
    for code, name in settings.LANGUAGES:
        assert f'value="{code}" lang="{code}"' in page
        assert f">{name}</button>" in page
    response = client.post(reverse("set_language"), {"language": "ur", "next": reverse("safeguarding:report_status")})
    assert response.status_code == 302 and response["Location"] == reverse("safeguarding:report_status")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ur"
    # The cookie beats the browser's own preference from then on.
    again = client.get(reverse("safeguarding:report_status"), HTTP_ACCEPT_LANGUAGE="pl")
    assert html_lang_dir(again) == ("ur", "rtl")


def test_the_thank_you_page_has_no_switch_that_would_lose_the_receipt_code(client):
    from django.template.loader import render_to_string

    from safeguarding.tests.factories import ConcernFactory

    html = render_to_string(
        "safeguarding/report_done.html", {"concern": ConcernFactory(), "receipt_code": "ABCD"}, request=None
    )
    assert "set_language" not in html and 'name="language"' not in html


def test_an_anonymous_report_records_its_language_and_the_lead_sees_it(client, login, lead):
    from safeguarding.models import Concern, SubjectType

    client.post(
        reverse("safeguarding:report_anonymous"),
        {"immediate_danger": "no", "subject_type": SubjectType.STAFF, "narrative": "Pracuje 80 godzin."},
        HTTP_ACCEPT_LANGUAGE="pl",
    )
    concern = Concern.objects.get()
    assert concern.language == "pl"
    login(lead)
    page = client.get(reverse("safeguarding:case_detail", args=[concern.reference])).content.decode()
    assert re.search(r"Reported in</dt>\s*<dd[^>]*><span lang=\"pl\">Polski</span>", page)


def test_emails_to_the_reporter_use_the_language_they_reported_in(
    submit, lead, reporter, django_capture_on_commit_callbacks, mailoutbox
):
    from safeguarding import services

    with django_capture_on_commit_callbacks(execute=True):
        concern = submit(language="uk")
    mailoutbox.clear()
    from django.utils.translation import get_language

    before = get_language()
    with django_capture_on_commit_callbacks(execute=True):
        services.concern_message_reporter(concern=concern, actor=lead, body="Could you tell us the agency's name?")
    (email,) = [m for m in mailoutbox if m.to == [reporter.email]]
    assert email.subject == f"Новини щодо вашого повідомлення {concern.reference}"
    assert "Команда із захисту надіслала вам лист" in email.body and "Номер:" in email.body
    # The Lead's own request carries on in its language.
    assert get_language() == before


def test_a_report_in_an_unknown_language_records_none(submit):
    assert submit(language="xx").language == ""


def test_an_empty_receipt_code_is_refused_in_the_reporters_language_even_where_django_has_no_catalogue(client):
    page = client.post(reverse("safeguarding:report_status"), {"code": ""}, HTTP_ACCEPT_LANGUAGE="sn").content.decode()
    assert "Isai kodhi yenyu yerisiti kuti muone mushumo wenyu." in page
    assert "This field is required." not in page
