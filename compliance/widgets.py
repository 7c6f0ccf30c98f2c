"""Form widgets and helpers that make every form round-trip: opened and saved unchanged, nothing changes.

Use these instead of Django's own widgets in every forms.py:

* ``DateInput`` renders ``<input type="date">`` with the value in ISO ``yyyy-mm-dd``. Django's
  ``DateInput`` formats the value with the active locale (``01/12/2026`` in en-GB), which is not
  a valid date string, so the browser discards it (HTML "value sanitization algorithm" for
  type=date) and an unchanged save stores NULL or refuses a required date.
* ``Textarea`` turns the ``\\r\\n`` every browser sends for a new line (HTML form submission
  normalises newlines to CRLF) into ``\\n`` before the form compares or cleans the value, so an
  untouched text is not "changed" and stored text keeps one kind of line ending.
* ``round_trip_formfield`` is a ``Meta.formfield_callback`` for ModelForms, so model date and
  text fields get these widgets without listing each one.
* ``keep_current_choice`` keeps the value already stored selectable when a form narrows a
  choice list (active people only, agencies only), so saving does not silently blank it.

``compliance/tests/test_form_round_trip.py`` checks every form in the project uses them.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.db.models import Q
from django.forms.models import ModelChoiceIterator
from django.urls import reverse
from django.utils.html import conditional_escape, format_html

ISO_DATE = "%Y-%m-%d"


class DateInput(forms.DateInput):
    """A native date picker whose value is always ISO, whatever the locale."""

    input_type = "date"

    def __init__(self, attrs=None, format=None):  # noqa: A002  Django's own argument name
        super().__init__(attrs=attrs, format=format or ISO_DATE)


def normalise_newlines(value):
    """``\\r\\n`` and lone ``\\r`` become ``\\n``; anything that is not a string is returned as it is."""
    if isinstance(value, str):
        return value.replace("\r\n", "\n").replace("\r", "\n")
    return value


class Textarea(forms.Textarea):
    """A textarea whose submitted value has ``\\n`` line endings, as stored text does."""

    def value_from_datadict(self, data, files, name):
        return normalise_newlines(super().value_from_datadict(data, files, name))


def round_trip_formfield(db_field: models.Field, **kwargs) -> forms.Field | None:
    """``Meta.formfield_callback``: ISO date inputs and newline-normalising textareas for model fields."""
    if isinstance(db_field, models.DateField) and not isinstance(db_field, models.DateTimeField):
        kwargs.setdefault("widget", DateInput)
    elif isinstance(db_field, models.TextField) and not db_field.choices:
        kwargs.setdefault("widget", Textarea)
    return db_field.formfield(**kwargs)


def keep_current_choice(form: forms.BaseForm, name: str, queryset: models.QuerySet) -> None:
    """Limit ``name`` to ``queryset`` but keep the instance's stored choice in it (e.g. a person who has left)."""
    current = getattr(getattr(form, "instance", None), f"{name}_id", None)
    if current is not None:
        queryset = queryset | queryset.model._default_manager.filter(pk=current)
    form.fields[name].queryset = queryset.distinct()


class RoundTripMixin:
    """Form mixin: a multiple choice left as it was keeps its stored order.

    Checkboxes come back in the order of the choices, so a list stored in another order
    (by pre-fill, an import or the API) would otherwise be rewritten and logged as an edit.
    """

    def clean(self):
        data = super().clean()
        for name, field in self.fields.items():
            if (
                isinstance(field, forms.MultipleChoiceField)
                and not isinstance(field, forms.ModelMultipleChoiceField)
                and name in data
                and name not in self.changed_data
            ):
                initial = self.get_initial_for_field(field, name)
                if initial is not None:
                    data[name] = list(initial)
        return data


def form_error_messages(form: forms.BaseForm, error: ValidationError | None = None) -> list[str]:
    """Each problem as "Label: message" linking to its field, for a banner shown after a redirect.

    ``error`` (from a service) is spread over the fields it names; the rest are form-wide.
    The same wording as partials/form_errors.html, which is used when the form is re-shown.
    """
    lines = []
    problems = dict(form.errors) if form.is_bound else {}
    if error is not None:
        named = error.message_dict if hasattr(error, "error_dict") else {NON_FIELD_ERRORS: error.messages}
        for name, messages in named.items():
            problems.setdefault(name if name in form.fields else NON_FIELD_ERRORS, []).extend(messages)
    for name, messages in problems.items():
        field = form.fields.get(name)
        for message in messages:
            if field is None or field.widget.is_hidden:
                lines.append(conditional_escape(message))
            else:
                lines.append(
                    format_html('<a class="alert-link" href="#{}">{}</a>: {}', form[name].auto_id, field.label, message)
                )
    return lines


# --- Searchable choices ------------------------------------------------------------------------
#
# A choice among hundreds or thousands of rows (people, suppliers) is a plain <select> that
# static/js/search-select.js turns into a Tom Select combobox (from npm, served from
# node_modules like Bootstrap). A "remote" select renders only its selected option(s): the
# combobox asks the API (same restrict() rule as the page) as the user types, so a case page does
# not carry 10,000 suppliers. Without JavaScript the select keeps its stored value and a search
# box below it narrows the list on the server: type part of a name and save; one match is
# taken, several are put in the list to choose from (the form comes back with everything typed
# kept), none says so. With JavaScript the script removes that box, so only the select is sent.


class SearchTerm(str):
    """What was typed in a remote select's no-JavaScript search box (a value that is not a choice yet)."""


class SearchSelect(forms.Select):
    """A select that searches as you type; with ``source`` (an API URL name) it fetches its options.

    ``params`` go on the URL (e.g. ``{"field": "contract_owner"}``). Use ``search_select()`` to put
    it on a form's model choice field: that also gives the field its no-JavaScript search.
    """

    search_suffix = "__search"

    def __init__(self, attrs=None, choices=(), *, source: str = "", params: dict | None = None):
        super().__init__(attrs=attrs, choices=choices)
        self.source = source
        self.params = params or {}
        self.search_label = "Search by name"
        self.matches: list = []  # what the no-JS search found, offered in the list

    def get_context(self, name, value, attrs):
        attrs = {**(attrs or {}), "data-search-select": "remote" if self.source else "local"}
        if self.source:
            attrs["data-search-url"] = f"{reverse(self.source)}?{urlencode(self.params)}"
        return super().get_context(name, value, attrs)

    def optgroups(self, name, value, attrs=None):
        if not self.source:
            return super().optgroups(name, value, attrs)
        everything = self.choices
        self.choices = self._selected_and_found(value)
        try:
            return super().optgroups(name, value, attrs)
        finally:
            # Put back as it was, not through the setter: that normalises the 250 countries again
            # in each of the risk table's 40 rows (a tenth of a second per page).
            self._choices = everything

    def _selected_and_found(self, value) -> list:
        """The empty choice, the selected row(s) and the search's matches: never the whole table."""
        iterator = self.choices
        if not isinstance(iterator, ModelChoiceIterator):
            # A plain choice list (250 countries): the blank, the selected and the matches only;
            # 40 selects of 250 options each made a 620 KB page that took seconds to render.
            wanted = {str(v) for v in value}
            chosen = [(v, label) for v, label in iterator if v in ("", None) or str(v) in wanted]
            return chosen + [(v, label) for v, label in self.matches if str(v) not in wanted]
        chosen = []
        if iterator.field.empty_label is not None:
            chosen.append(("", iterator.field.empty_label))
        ids = [v for v in value if str(v).isdigit()]
        rows = list(iterator.queryset.filter(pk__in=ids)) if ids else []
        seen = {row.pk for row in rows}
        rows += [row for row in self.matches if row.pk not in seen]
        chosen += [iterator.choice(row) for row in rows]
        return chosen

    def value_from_datadict(self, data, files, name):
        typed = (data.get(name + self.search_suffix) or "").strip() if self.source else ""
        return SearchTerm(typed) if typed else super().value_from_datadict(data, files, name)

    def value_omitted_from_data(self, data, files, name):
        return super().value_omitted_from_data(data, files, name) and name + self.search_suffix not in data

    def render(self, name, value, attrs=None, renderer=None):
        html = super().render(name, value, attrs, renderer)
        if not self.source:
            return html
        select_id = (attrs or {}).get("id") or self.attrs.get("id") or name
        search_id = select_id + self.search_suffix
        return format_html(
            '{}<div class="search-select-fallback mt-2" data-search-fallback="{}">'
            '<label class="form-label small mb-1" for="{}">{}</label>'
            '<input type="search" class="form-control form-control-sm" name="{}" id="{}" autocomplete="off" '
            'aria-describedby="{}_hint">'
            '<div class="form-text" id="{}_hint">Type part of the name and save: if more than one matches, '
            "choose from the list above and save again.</div></div>",
            html,
            select_id,
            search_id,
            self.search_label,
            name + self.search_suffix,
            search_id,
            search_id,
            search_id,
        )


class SearchSelectMultiple(forms.SelectMultiple):
    """A multiple select (e.g. 250 countries) that the combobox makes searchable; all options stay in the page."""

    def get_context(self, name, value, attrs):
        return super().get_context(name, value, {**(attrs or {}), "data-search-select": "local"})


class SearchModelChoiceField(forms.ModelChoiceField):
    """A model choice that also takes the no-JavaScript search box's text (see ``SearchSelect``)."""

    def __init__(self, *args, search: tuple[str, ...] = ("name",), **kwargs):
        super().__init__(*args, **kwargs)
        self.search = search

    def to_python(self, value):
        if not isinstance(value, SearchTerm):
            return super().to_python(value)
        found = Q()
        for name in self.search:
            found |= Q(**{f"{name}__icontains": value})
        matches = list(self.queryset.filter(found)[:21])
        if len(matches) == 1:
            return matches[0]
        self.widget.matches = matches[:20]
        raise search_miss(value, matches)

    def has_changed(self, initial, data):
        return isinstance(data, SearchTerm) or super().has_changed(initial, data)


def search_miss(value: str, matches: list) -> ValidationError:
    """The error for a no-JavaScript search that found none or several (up to 21 ``matches``)."""
    if not matches:
        return ValidationError(f"Nothing matches “{value}”: check the spelling or type less of the name.")
    more = "More than 20" if len(matches) > 20 else str(len(matches))
    # The first names are in the message too, for a page that redirects rather than re-showing the form.
    shown = [match[1] if isinstance(match, tuple) else match for match in matches[:5]]
    names = ", ".join(str(name) for name in shown) + (", …" if len(matches) > 5 else "")
    return ValidationError(
        f"{more} match “{value}” ({names}): choose one from the list, or type more of it, and save again."
    )


class SearchChoiceField(forms.TypedChoiceField):
    """A plain choice (e.g. a country) that also takes the no-JavaScript search box's text.

    The typed text matches a choice's label or, exactly, its value (a country code); a label
    equal to it wins over labels that contain it ("Niger" is not also "Nigeria").
    """

    def to_python(self, value):
        if not isinstance(value, SearchTerm):
            return super().to_python(value)
        text = value.casefold()
        matches = [
            (v, label)
            for v, label in self.choices
            if v not in self.empty_values and (text in str(label).casefold() or text == str(v).casefold())
        ]
        exact = [(v, label) for v, label in matches if text in (str(label).casefold(), str(v).casefold())]
        if len(exact) == 1 or len(matches) == 1:
            return (exact or matches)[0][0]
        self.widget.matches = matches[:20]
        raise search_miss(value, matches[:21])

    def has_changed(self, initial, data):
        return isinstance(data, SearchTerm) or super().has_changed(initial, data)

    def share_choices(self, choices: list[tuple[str, str]]) -> None:
        """Use ``choices`` (a list of (value, label) made once) as it is, neither copied nor normalised.

        For a formset with a row per item: normalising 250 countries again in each of 40 rows
        cost more than rendering the page.
        """
        self._choices = self.widget._choices = choices


def search_select(form: forms.BaseForm, name: str, *, source: str, search: tuple[str, ...], **params) -> None:
    """Make the model choice ``name`` search as you type through the API ``source`` (after keep_current_choice).

    The field keeps its queryset, so the form still refuses an id outside it whatever is posted.
    """
    old = form.fields[name]
    widget = SearchSelect(attrs=old.widget.attrs, source=source, params=params)
    # "Auditor (one of us)" -> "Search for the auditor by name": the bracket is for the select.
    what = str(old.label or name.replace("_", " ")).split(" (")[0].lower()
    widget.search_label = f"Search for the {what} by name"
    field = SearchModelChoiceField(
        queryset=old.queryset,
        search=search,
        required=old.required,
        label=old.label,
        help_text=old.help_text,
        initial=old.initial,
        widget=widget,
        limit_choices_to=old.limit_choices_to,
        to_field_name=old.to_field_name,
    )
    field.empty_label = old.empty_label
    field.error_messages = old.error_messages
    form.fields[name] = field


def pick_person(form: forms.BaseForm, name: str, pick: str) -> None:
    """Make the person choice ``name`` search the API's people for ``pick`` (a compliance.models.PersonPick)."""
    search_select(form, name, source="api-people-search", search=("full_name", "email"), field=pick)
