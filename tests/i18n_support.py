"""Finding English left on a translated page, by the English catalogue's own strings."""

import re
from functools import cache

from compliance.i18n import PLACEHOLDER, TAG, catalogue_path, catalogue_read

SPACES = re.compile(r"\s+")


def normalise(text: str) -> str:
    return SPACES.sub(" ", text).strip()


@cache
def english_segments(language: str) -> tuple[tuple[str, str], ...]:
    """(msgid, literal piece) for every string this language translates differently from English.

    A msgid with markup or placeholders is cut into its literal pieces; a string the language
    rightly keeps as it is (a name, "Status" in Polish) is not evidence of a missing translation.
    """
    pieces = []
    for entry in catalogue_read(catalogue_path(language)):
        if entry["msgstr"] == entry["msgid"]:
            continue
        for piece in PLACEHOLDER.split(TAG.sub("\n", entry["msgid"])):
            for part in piece.split("\n"):
                part = normalise(part).strip(" .,:;()")
                if len(part) >= 2:
                    pieces.append((entry["msgid"], part))
    return tuple(pieces)


def english_left(language: str, text_nodes: list[str]) -> list[str]:
    """The English msgids whose text shows among the page's text nodes (or as part of its text)."""
    nodes = {normalise(t).strip(" .,:;()") for t in text_nodes if normalise(t)}
    page = " ".join(sorted(nodes))
    found = []
    for msgid, piece in english_segments(language):
        # Several words are looked for anywhere; one word only as a whole text node ("Send", "Back").
        hit = (piece in page) if " " in piece and len(piece) >= 8 else (piece in nodes)
        if hit and msgid not in found:
            found.append(msgid)
    return found


def html_text_nodes(html: str) -> list[str]:
    """Visible text nodes and the labels a screen reader reads, from server-rendered HTML."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S | re.I)
    labels = re.findall(r'\s(?:aria-label|placeholder|title|alt)="([^"]*)"', html)
    body = html.split("<body", 1)[-1]
    head_title = re.findall(r"<title>(.*?)</title>", html, flags=re.S)
    return [t for t in re.split(r"<[^>]+>", body) if t.strip()] + labels + head_title
