"""`{% formset_table formset caption %}`: a formset as a compact, labelled table, written in Python.

The same markup as a template loop, but a template resolves each field's label, id, widget
type and errors through its variable lookups: for the risk tables' 40 rows (and the
organisation profile's sites and departments) that loop was most of the page's time.

`{% remembered_formset_table formset caption %}` writes an unbound model formset's table once
per process for the rows it shows. Such a table is a function of its rows, its form class, the
language and the script prefix alone (no user, no CSRF token: those are outside the table), so
it is kept under a key made of exactly those, read fresh from the database on each visit: a
change to any row makes a new key, and nothing has to be retired. Only for formsets whose
forms show nothing but the rows' own values (no options read from another table). A bound
formset (a POST, with its errors) is always rendered as it is.
"""

import threading

from django import template
from django.urls import get_script_prefix
from django.utils import translation
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import mark_safe

from compliance.form_renderer import escaped

register = template.Library()


def _cell(form, field, row: int, first: bool) -> str:
    # f-strings with the values escaped directly, not format_html: for the organisation profile's
    # 180 cells format_html's lazy-string checks on each argument cost as much as the widgets.
    hidden = "".join(str(h) for h in form.hidden_fields()) if first else ""
    label = (
        f'<label class="visually-hidden" for="{escaped(field.id_for_label)}">{escaped(field.label)}, row {row}</label>'
    )
    widget = f'<div class="form-check">{field}</div>' if field.widget_type == "checkbox" else str(field)
    errors = form.errors.get(field.name)
    feedback = f'<div class="invalid-feedback d-block" role="alert">{escaped(" ".join(errors))}</div>' if errors else ""
    return f"<td>{hidden}{label}{widget}{feedback}</td>"


@register.simple_tag
def formset_table(formset, caption: str):
    """The formset's non-form errors, a table with a column per visible field, then the management form."""
    parts = []
    caption = escape(caption)  # a literal in the template arrives marked safe; the old include escaped it
    if formset.non_form_errors():
        parts.append(format_html('<div class="alert alert-danger" role="alert">{}</div>', formset.non_form_errors()))
    header = format_html_join("", '<th scope="col">{}</th>', ((f.label,) for f in formset.empty_form.visible_fields()))
    rows = []
    for row, form in enumerate(formset, start=1):
        cells = "".join(_cell(form, field, row, i == 0) for i, field in enumerate(form.visible_fields()))
        rows.append(f"<tr>{cells}</tr>")
    parts.append(
        format_html(
            '<div class="table-responsive" tabindex="0" role="region" aria-label="{}">'
            '<table class="table table-sm align-middle" aria-label="{}"><thead><tr>{}</tr></thead>'
            "<tbody>{}</tbody></table></div>",
            caption,
            caption,
            header,
            mark_safe("".join(rows)),  # noqa: S308 - each cell built with format_html
        )
    )
    # After the table: Bootstrap clears the float of a legend only for its next visible sibling.
    parts.append(str(formset.management_form))
    return mark_safe("".join(parts))  # noqa: S308 - every part escaped above


# A handful of entries at most (a few tables, a language or two); cleared rather than grown past this.
MEMO_SIZE = 16
# Public so a test can start from an empty one.
rendered_tables: dict[tuple, str] = {}
_lock = threading.Lock()


def formset_key(formset, caption: str) -> tuple:
    """Everything an unbound model formset's table depends on, its rows' stored values included."""
    rows = tuple(
        (obj.pk, *(repr(field.value_from_object(obj)) for field in obj._meta.concrete_fields))
        for obj in formset.get_queryset()
    )
    return (type(formset), formset.prefix, caption, translation.get_language(), get_script_prefix(), rows)


def remembered(key: tuple, render, *, memo: dict | None = None, size: int = MEMO_SIZE) -> str:
    """`render()`'s markup, made once per process for `key` (in `memo`, rendered_tables by default).

    A memo is cleared rather than grown past `size`: the common keys come back at once.
    """
    memo = rendered_tables if memo is None else memo
    html = memo.get(key)
    if html is None:
        html = render()
        with _lock:
            if len(memo) >= size:
                memo.clear()
            memo[key] = html
    return mark_safe(html)  # noqa: S308 - the renderer's own output, kept as it was


@register.simple_tag
def remembered_formset_table(formset, caption: str) -> str:
    """`{% formset_table %}` of an unbound model formset, rendered once per distinct set of rows."""
    if formset.is_bound:
        return formset_table(formset, caption)
    return remembered(formset_key(formset, caption), lambda: formset_table(formset, caption))
