"""An unbound form's crispy markup, rendered once per process for everything it depends on.

The case page offers the Lead up to a dozen action forms; rendered afresh on each visit they were
about a fifth of the page (the referral form alone, 25 fields with radio and checkbox lists, 2 ms).
An unbound form's markup is a function of its class, prefix and ids, each field's state (label,
help, required, widget and its attributes, choices, initial value), the language and the script
prefix: nothing of the user or the request beyond what the form itself holds. The key is made of
exactly those, read from the form on each visit, so a form built differently (another initial
assignee, a renamed first responder offered by a ShortModelChoiceField) makes a new key at once
and nothing ever has to be retired.

Where the key cannot be told from plain values (a widget holding an object, a plain
ModelChoiceField whose options would be read again while rendering) the form is rendered as it
is, as is any bound form (its values and errors are the user's).
"""

from __future__ import annotations

import datetime
import decimal
import types

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field, as_crispy_form
from django import forms
from django.urls import get_script_prefix
from django.utils import translation
from django.utils.functional import Promise

from compliance.model_choices import OneQueryChoices, offer_rows
from compliance.templatetags.formset_tags import remembered
from compliance.widgets import SearchSelect

# Distinct forms a process meets: a dozen action forms, times the initial values that vary
# between cases (assignee, risk level, legal hold) and the languages. Cleared past this.
MEMO_SIZE = 512
# Public so a test can start from an empty one.
rendered_forms: dict[tuple, str] = {}
# The lists' filter fields (remembered_crispy_field), one entry per field and value chosen.
rendered_fields: dict[tuple, str] = {}

# A field's attributes that do not change its unbound markup (or are keyed another way: choices).
_FIELD_STATE_SKIPPED = frozenset(
    {"widget", "validators", "error_messages", "_queryset", "offered_rows", "_choices", "iterator", "coerce"}
)
_WIDGET_STATE_SKIPPED = frozenset({"choices", "_choices"})
_SCALARS = (str, int, float, bool, type(None), datetime.date, datetime.time, decimal.Decimal)
_PLAIN_TYPES = frozenset({str, int, float, bool, type(None), datetime.date, datetime.datetime, decimal.Decimal})


class _Same:
    """A key part equal only to the very same object (a lazy translation).

    Comparing lazy strings by value translates them on each visit, which cost more than the
    markup saved. A form's lazy labels and choices are its class's own objects (a field's deepcopy
    keeps them), and the key holds them, so their identity cannot pass to another while it is
    remembered; the language they translate to is in the key.
    """

    __slots__ = ("obj",)

    def __init__(self, obj):
        self.obj = obj

    def __hash__(self):
        return id(self.obj)

    def __eq__(self, other):
        return isinstance(other, _Same) and other.obj is self.obj


class _Unkeyable(Exception):
    """A value whose effect on the markup cannot be told from its value."""


def _frozen(value):
    """`value` as a hashable key part; _Unkeyable for an object that is not plain data.

    Exact types first, without recursing into plain items: a page's forms hold about a thousand
    values (choices, attributes), and the key must cost a fraction of the markup it saves. A dict
    keeps its order (a field's state is set in the same order each time; another order is only a
    miss, never a wrong hit).
    """
    kind = type(value)
    if kind in _PLAIN_TYPES:
        return value
    if kind is tuple or kind is list:
        return tuple(item if type(item) in _PLAIN_TYPES else _frozen(item) for item in value)
    if kind is dict:
        return tuple((k, v if type(v) in _PLAIN_TYPES else _frozen(v)) for k, v in value.items())
    if isinstance(value, Promise):
        return _Same(value)
    if isinstance(value, _SCALARS):  # a subclass: a TextChoices member, a datetime
        return value
    if isinstance(value, set | frozenset):
        return frozenset(_frozen(item) for item in value)
    if isinstance(value, types.FunctionType | type):  # a module-level check (CheckboxInput's check_test)
        return value
    raise _Unkeyable(type(value).__name__)


def _choices(field, bound_field) -> tuple | None:
    if isinstance(field, forms.ModelChoiceField):
        widget = field.widget
        if isinstance(widget, SearchSelect) and widget.source:
            # A search-as-you-type select writes the blank and the selected row(s) only, never the
            # table: read them as it will (the same one query) and key on what it will show.
            value = bound_field.value()
            ids = [v for v in (value if isinstance(value, list | tuple) else [value]) if str(v).isdigit()]
            rows = list(field.queryset.filter(pk__in=ids)) if ids else []
            return (field.empty_label, tuple((row.pk, str(field.label_from_instance(row))) for row in rows))
        if _reads_options_while_rendering(field):
            raise _Unkeyable("ModelChoiceField reads its options while rendering")
        rows = getattr(field, "offered_rows", None)
        if rows is None:
            # The one query rendering would make; the field then renders from these same rows.
            rows = list(field.queryset.all())
            offer_rows(field, rows)
        return (field.empty_label, tuple((row.pk, str(field.label_from_instance(row))) for row in rows))
    if isinstance(field, forms.ChoiceField):
        choices = field.choices
        # The usual list of (value, label) pairs of plain values, 250 countries included: a tuple
        # of it as it is, without a call per option.
        if type(choices) is list and all(
            type(pair) is tuple and len(pair) == 2 and type(pair[0]) in _PLAIN_TYPES and type(pair[1]) in _PLAIN_TYPES
            for pair in choices
        ):
            return tuple(choices)
        return _frozen(list(choices))
    return None


def _field_part(field, bound_field) -> tuple:
    """One field's share of a key: its kind, options, state, widget and value (_Unkeyable if not plain)."""
    return (
        bound_field.name,
        type(field),
        type(field.widget),
        _choices(field, bound_field),
        _frozen({k: v for k, v in vars(field).items() if k not in _FIELD_STATE_SKIPPED}),
        _frozen({k: v for k, v in vars(field.widget).items() if k not in _WIDGET_STATE_SKIPPED}),
        _frozen(bound_field.value()),
    )


def _form_part(form) -> tuple:
    """What a form gives every field's markup: ids, label suffix, required attributes, language, URL prefix."""
    return (
        form.prefix,
        form.auto_id,
        _frozen(form.label_suffix),
        form.use_required_attribute,
        translation.get_language(),
        get_script_prefix(),
    )


def _reads_options_while_rendering(field) -> bool:
    """A model choice whose options rendering reads afresh (not offered rows, not a search select)."""
    if not isinstance(field, forms.ModelChoiceField):
        return False
    if isinstance(field.widget, SearchSelect) and field.widget.source:
        return False
    return not (isinstance(field.iterator, type) and issubclass(field.iterator, OneQueryChoices))


def unbound_form_key(form) -> tuple | None:
    """Everything `form`'s crispy markup depends on, or None if it is bound or cannot be keyed."""
    if form.is_bound or form.errors or any(_reads_options_while_rendering(f) for f in form.fields.values()):
        return None
    try:
        return (
            type(form),
            _form_part(form),
            tuple(_field_part(field, form[name]) for name, field in form.fields.items()),
        )
    except _Unkeyable:
        return None


def _from_memo(key: tuple | None, render, memo: dict) -> str:
    """`render()`'s markup, kept in `memo` under `key`; rendered as it is where there is no key."""
    return render() if key is None else remembered(key, render, memo=memo, size=MEMO_SIZE)


def remembered_crispy_form(form) -> str:
    """`{{ form|crispy }}` for `form`, from the memo when it is unbound and keyable."""
    return _from_memo(unbound_form_key(form), lambda: as_crispy_form(form), rendered_forms)


def filter_field_key(bound_field) -> tuple | None:
    """Everything a list's filter field's crispy markup depends on, or None where it is not to be kept.

    Not the form's class: django-filter makes a new one for each FilterSet it builds; what the
    class gives a field's markup (its CSS classes for errors and required fields) is keyed instead.
    A field with errors is rendered as it is, and so is typed text (a name searched for is not
    kept in the process): only a field left empty, set to one of its options or to a yes/no is
    remembered.
    """
    form, field = bound_field.form, bound_field.field
    if getattr(form, "helper", None) is not None or bound_field.errors:
        return None
    value = bound_field.value()
    if isinstance(value, str) and value and not isinstance(field, forms.ChoiceField):
        return None
    try:
        return (
            type(bound_field),
            _form_part(form),
            getattr(form, "error_css_class", None),
            getattr(form, "required_css_class", None),
            _field_part(field, bound_field),
        )
    except _Unkeyable:
        return None


def remembered_crispy_field(bound_field) -> str:
    """`{{ field|as_crispy_field }}` for a list's filter field, from the memo where filter_field_key allows."""
    return _from_memo(filter_field_key(bound_field), lambda: as_crispy_field(bound_field), rendered_fields)
