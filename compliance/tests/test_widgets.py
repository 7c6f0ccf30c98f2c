"""The shared widgets: ISO dates whatever the locale, one kind of line ending."""

import datetime

from django import forms
from django.utils import translation

from compliance.widgets import DateInput, Textarea


class _Form(forms.Form):
    on = forms.DateField(widget=DateInput())
    text = forms.CharField(widget=Textarea(), required=False)


def test_date_input_renders_iso_in_the_british_locale():
    with translation.override("en-gb"):
        html = str(_Form(initial={"on": datetime.date(2026, 12, 1)})["on"])
    assert 'type="date"' in html
    assert 'value="2026-12-01"' in html


def test_textarea_turns_browser_line_endings_into_newlines():
    form = _Form(
        data={"on": "2026-12-01", "text": "one\r\ntwo\rthree"},
        initial={"on": datetime.date(2026, 12, 1), "text": "one\ntwo\nthree"},
    )
    assert form.is_valid()
    assert form.cleaned_data["text"] == "one\ntwo\nthree"
    assert not form.has_changed()
