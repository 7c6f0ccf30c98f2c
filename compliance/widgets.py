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

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
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
