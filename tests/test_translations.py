"""The reporting journey's catalogues: complete, faithful to the markup, compiled, and used."""

import gettext
import html as html_lib

import pytest
from django.urls import reverse

from compliance.i18n import (
    catalogue_path,
    catalogue_read,
    journey_msgids,
    markup_and_placeholders,
    translated_languages,
)
from tests.i18n_support import english_left, html_text_nodes

LANGUAGES = [code for code, _name in translated_languages()]


def test_fifteen_languages_one_catalogue_each():
    assert len(LANGUAGES) == 14  # and English, the source
    for code in LANGUAGES:
        assert catalogue_path(code).exists(), code
        assert catalogue_path(code).with_suffix(".mo").exists(), f"{code}: run compilemessages (README)"


@pytest.mark.parametrize("code", LANGUAGES)
def test_every_journey_string_is_translated_keeping_its_markup_and_placeholders(code):
    entries = catalogue_read(catalogue_path(code))
    assert [e["msgid"] for e in entries] == list(journey_msgids()), "run makemessages --all --keep-pot (README)"
    for entry in entries:
        msgid, msgstr = entry["msgid"], entry["msgstr"]
        assert msgstr.strip(), f"{code}: not translated: {msgid!r}"
        assert "fuzzy" not in entry["flags"], f"{code}: unreviewed (fuzzy): {msgid!r}"
        assert markup_and_placeholders(msgstr) == markup_and_placeholders(msgid), (code, msgid)


@pytest.mark.parametrize("code", LANGUAGES)
def test_the_compiled_catalogue_matches_its_source(code):
    """The .mo files are committed (no gettext needed to run the app): they must say what the .po says."""
    with catalogue_path(code).with_suffix(".mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for entry in catalogue_read(catalogue_path(code)):
        assert compiled.gettext(entry["msgid"]) == entry["msgstr"], f"{code}: recompile: {entry['msgid']!r}"


JOURNEY_PAGES = [
    reverse("safeguarding:report_anonymous"),
    reverse("safeguarding:report_easy"),
    reverse("safeguarding:report_status"),
    "/no-such-page/",
]


@pytest.mark.django_db
@pytest.mark.parametrize("code", LANGUAGES)
def test_the_journey_pages_show_no_english_left(client, code):
    for url in JOURNEY_PAGES:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=code)
        nodes = [html_lib.unescape(t) for t in html_text_nodes(response.content.decode())]
        assert english_left(code, nodes) == [], f"{code} {url}"


@pytest.mark.django_db
def test_the_check_finds_english_when_a_translation_is_missing(client):
    """The detector itself: an English page is full of the catalogue's strings."""
    response = client.get(reverse("safeguarding:report_anonymous"), HTTP_ACCEPT_LANGUAGE="en")
    found = english_left("pl", html_text_nodes(response.content.decode()))
    assert "Send report" in found and "Is anyone in immediate danger?" in found
