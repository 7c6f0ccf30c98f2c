"""What a browser would submit for a rendered form, without a browser.

Follows the HTML rules that make forms lossy (https://html.spec.whatwg.org/#value-sanitization-algorithm,
https://html.spec.whatwg.org/#constructing-the-form-data-set): a date or number input whose value is
not a valid date/number string is emptied; unchecked boxes and disabled or file inputs send nothing;
a single select with nothing selected sends its first option; one newline right after <textarea> is
dropped by the parser and every line ending is sent as CRLF.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from django.http import QueryDict

_VALID = {
    "date": re.compile(r"^\d{4,}-\d{2}-\d{2}$"),
    "datetime-local": re.compile(r"^\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?$"),
    "time": re.compile(r"^\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?$"),
    "month": re.compile(r"^\d{4,}-\d{2}$"),
    "number": re.compile(r"^-?(\d+(\.\d+)?|\.\d+)([eE][-+]?\d+)?$"),
}


class _FormParser(HTMLParser):
    def __init__(self, action: str | None):
        super().__init__(convert_charrefs=True)
        self.pairs: list[tuple[str, str]] = []
        self._want = action  # only the form with this action ("" = no action attribute); None = everything
        self._inside = action is None
        self._done = False  # the first matching form only
        self._select = None  # (name, multiple, options[(value, selected)])
        self._option = None  # [value or None, text, selected]
        self._textarea = None  # [name, text]

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and self._want is not None:
            self._inside = not self._done and (a.get("action") or "") == self._want
        if "disabled" in a or not self._inside:
            return
        if tag == "input":
            self._input(a)
        elif tag == "select" and a.get("name"):
            self._select = (a["name"], "multiple" in a, [])
        elif tag == "option" and self._select is not None:
            self._option = [a.get("value"), "", "selected" in a]
        elif tag == "textarea" and a.get("name"):
            self._textarea = [a["name"], ""]

    def _input(self, a):
        name, kind, value = a.get("name"), (a.get("type") or "text").lower(), a.get("value", "")
        if not name or kind in {"file", "submit", "button", "reset", "image"}:
            return
        if kind in {"checkbox", "radio"}:
            if "checked" in a:
                self.pairs.append((name, a.get("value", "on")))
            return
        value = value.replace("\r", "").replace("\n", "") if kind not in {"hidden"} else value
        if kind in _VALID and value and not _VALID[kind].match(value):
            value = ""
        self.pairs.append((name, value))

    def handle_data(self, data):
        if self._option is not None:
            self._option[1] += data
        elif self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form" and self._want is not None:
            self._done = self._done or self._inside
            self._inside = False
        elif tag == "option" and self._option is not None:
            value, text, selected = self._option
            self._select[2].append((text.strip() if value is None else value, selected))
            self._option = None
        elif tag == "select" and self._select is not None:
            name, multiple, options = self._select
            chosen = [v for v, selected in options if selected]
            if not multiple and not chosen and options:
                chosen = [options[0][0]]
            self.pairs.extend((name, v) for v in (chosen if multiple else chosen[-1:]))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            name, text = self._textarea
            text = text.removeprefix("\r\n") if text.startswith("\r\n") else text.removeprefix("\n")
            text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\r\n")
            self.pairs.append((name, text))
            self._textarea = None


def browser_form_data(html: str, *, action: str | None = None) -> QueryDict:
    """The data a browser would POST if the user submitted this HTML unchanged.

    ``action`` picks the first <form> on a page with that action attribute ("" for a form without one).
    """
    parser = _FormParser(action)
    parser.feed(html)
    parser.close()
    data = QueryDict(mutable=True)
    for name, value in parser.pairs:
        data.appendlist(name, value)
    return data
