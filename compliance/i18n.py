"""The reporting journey's translations: its catalogues in locale/ and the organisation's corrections.

The English catalogue is locale/django.pot (its msgids are the journey's English strings);
each language has locale/<code>/LC_MESSAGES/django.po, compiled to django.mo beside it.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from django.conf import settings

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
