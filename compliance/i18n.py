"""The reporting journey's translations: its catalogues in locale/ and the organisation's corrections.

The English catalogue is locale/django.pot (its msgids are the journey's English strings);
each language has locale/<code>/LC_MESSAGES/django.po, compiled to django.mo beside it.
"""

from __future__ import annotations

import gettext as gettext_module
import re
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from django.conf import settings
from django.core.cache import cache as django_cache
from django.utils import translation
from django.utils.translation import trans_real

# What a translation or the organisation's wording must keep exactly as the English has it.
PLACEHOLDER = re.compile(r"%\(\w+\)s|\{\w+\}")
TAG = re.compile(r"<[^>]+>")

_LINE = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?) "(.*)"$')
_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), text)


def catalogue_read(path: Path) -> list[dict]:
    """Every entry of a .po/.pot file: msgid, msgstr, flags (e.g. fuzzy); the header entry left out."""
    entries, entry, key = [], None, None
    for raw in Path(path).read_text(encoding="utf-8").splitlines() + [""]:
        line = raw.strip()
        if not line:
            if entry is not None and entry.get("msgid"):
                entries.append(entry)
            entry, key = None, None
            continue
        entry = entry if entry is not None else {"msgid": "", "msgstr": "", "flags": set()}
        if line.startswith("#,"):
            entry["flags"].update(f.strip() for f in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif match := _LINE.match(line):
            key = "msgstr" if match.group(1).startswith("msgstr") else match.group(1)
            entry[key] = _unescape(match.group(2))
        elif line.startswith('"') and key:
            entry[key] += _unescape(line[1:-1])
    return entries


def markup_and_placeholders(text: str) -> tuple[list[str], list[str]]:
    """The tags and placeholders in a string, in a comparable form."""
    return sorted(TAG.findall(text)), sorted(PLACEHOLDER.findall(text))


def locale_dir() -> Path:
    return Path(settings.LOCALE_PATHS[0])


@cache
def journey_msgids() -> tuple[str, ...]:
    """The reporting journey's English strings, in catalogue order."""
    return tuple(e["msgid"] for e in catalogue_read(locale_dir() / "django.pot"))


def translated_languages() -> list[tuple[str, str]]:
    """The languages other than English: (code, name in itself)."""
    return [(code, name) for code, name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


def catalogue_path(code: str) -> Path:
    return locale_dir() / code / "LC_MESSAGES" / "django.po"


# --- the organisation's wording -------------------------------------------------------

WORDING_CACHE_SECONDS = 3600


def _wording_cache_key(language: str) -> str:
    return f"journey-wording:{language}"


def journey_wording_for(language: str) -> dict[str, str]:
    """msgid -> the organisation's wording in this language; from the cache after the first read."""
    from compliance.wording_models import JourneyWording

    key = _wording_cache_key(language)
    wording = django_cache.get(key)
    if wording is None:
        wording = dict(JourneyWording.objects.filter(language=language).values_list("msgid", "text"))
        django_cache.set(key, wording, WORDING_CACHE_SECONDS)
    return wording


def journey_wording_forget(language: str) -> None:
    django_cache.delete(_wording_cache_key(language))


class _WordingTranslation(gettext_module.NullTranslations):
    """The active catalogue, answering first with the organisation's wording for its strings."""

    def __init__(self, catalogue, wording: dict[str, str]):
        super().__init__()
        self.add_fallback(catalogue)
        self.wording = wording

    def gettext(self, message):
        return self.wording.get(message) or self._fallback.gettext(message)

    def ngettext(self, singular, plural, number):
        return self._fallback.ngettext(singular, plural, number)

    def language(self):
        return self._fallback.language()

    def to_language(self):
        return self._fallback.to_language()

    def __getattr__(self, name):
        return getattr(self._fallback, name)


def journey_wording_activate() -> None:
    """Put the organisation's wording in front of the active language's catalogue (this thread)."""
    # Django has no public hook between a language's catalogue and gettext(); the active
    # translation object is the one place every template, form and message reads through.
    active = getattr(trans_real._active, "value", None)
    if active is None or isinstance(active, _WordingTranslation):
        return
    wording = journey_wording_for(translation.get_language())
    if wording:
        trans_real._active.value = _WordingTranslation(active, wording)


@contextmanager
def reporter_language(code: str):
    """Speak the reporter's language (with the organisation's wording) inside the block, e.g. for an email."""
    with translation.override(code or settings.LANGUAGE_CODE):
        journey_wording_activate()
        yield
    # override() put back the bare catalogue: the rest of this request keeps the organisation's wording.
    journey_wording_activate()


def journey_page(view):
    """Mark a view as a page of the reporting journey: the organisation's wording applies to it."""
    view.journey_page = True
    return view


class JourneyWordingMiddleware:
    """After LocaleMiddleware: a journey page is worded the organisation's way in the chosen language.

    Only pages marked @journey_page look the wording up, so no other page pays for it (nor
    does its query count change between a cold and a warm cache).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if getattr(view_func, "journey_page", False):
            journey_wording_activate()
