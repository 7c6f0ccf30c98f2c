"""The form renderer (settings.FORM_RENDERER): Django's templates, with the common widgets written in Python.

Django renders every widget through its template engine: an ``<input>`` is two templates
(``text.html`` including ``input.html``, which includes ``attrs.html``) and a ``<select>`` one
include per option. At the size of a large trust a page with a formset of 40 rows or a filter
form spends most of its time there (profiled: 0.5 s of 1 s for the organisation profile's 290
fields). This renderer writes the same markup, byte for byte, for the widgets whose templates
are Django's plain ones (inputs, checkboxes, selects with plain options, textareas) and hands
everything else to the templates. ``compliance/tests/test_form_renderer.py`` holds the two
outputs equal for every kind of value and attribute these templates treat differently.
"""

from __future__ import annotations

from html import escape as html_escape

from django.forms.renderers import DjangoTemplates
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, mark_safe
from django.utils.timezone import template_localtime

WIDGETS = "django/forms/widgets/"
# Templates that are only {% include "django/forms/widgets/input.html" %} in Django.
INPUTS = {
    f"{WIDGETS}{name}.html"
    for name in (
        "input",
        "text",
        "number",
        "email",
        "url",
        "password",
        "hidden",
        "date",
        "datetime",
        "time",
        "search",
        "tel",
        "color",
        "file",
        "checkbox",
    )
}
SELECT = f"{WIDGETS}select.html"
OPTION = f"{WIDGETS}select_option.html"
TEXTAREA = f"{WIDGETS}textarea.html"


def escaped(value) -> str:
    """``conditional_escape(value)``; a plain ``str`` (nearly every value a form renders) escaped directly.

    Django's ``escape`` first checks each argument for a lazy string (``keep_lazy``): for the
    organisation profile's 1,300 values that check cost more than the escaping. A plain ``str``
    is neither lazy nor safe, so ``html.escape`` is exactly what ``conditional_escape`` does to it.
    """
    return html_escape(value) if type(value) is str else conditional_escape(value)


def template_value(value) -> str:
    """``{{ value }}`` in a template: local time, localised, escaped unless already safe."""
    if type(value) is str:  # neither a time nor a number to localise
        return html_escape(value)
    value = localize(template_localtime(value))
    return conditional_escape(value if isinstance(value, str) else str(value))


def _formatted(value) -> str:
    """``{{ value|stringformat:'s' }}``: ``%s`` of the value, escaped unless it was safe."""
    text = "%s" % (value,)  # noqa: UP031  the filter's own formatting, kept exactly
    return text if isinstance(value, SafeData) else html_escape(text)


def template_attrs(attrs: dict) -> str:
    """``attrs.html``: `` name="value"`` each, a bare name for True, nothing for False."""
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        out.append(f" {escaped(name)}" if value is True else f' {escaped(name)}="{_formatted(value)}"')
    return "".join(out)


def _input(widget: dict) -> str:
    value = "" if widget["value"] is None else f' value="{_formatted(widget["value"])}"'
    return f'<input type="{template_value(widget["type"])}" name="{template_value(widget["name"])}"{value}{template_attrs(widget["attrs"])}>'


def _select(widget: dict) -> str | None:
    parts = [f'<select name="{template_value(widget["name"])}"{template_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{template_value(group_name)}">')
        for option in group_choices:
            if option["template_name"] != OPTION:
                return None
            # The included option template ends with a new line, kept in the page.
            parts.append(
                f'\n  <option value="{_formatted(option["value"])}"{template_attrs(option["attrs"])}>'
                f"{template_value(option['label'])}</option>\n"
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


def _textarea(widget: dict) -> str:
    value = template_value(widget["value"]) if widget["value"] else ""
    return f'<textarea name="{template_value(widget["name"])}"{template_attrs(widget["attrs"])}>\n{value}</textarea>'


class WidgetRenderer(DjangoTemplates):
    """Django's template renderer; plain inputs, selects and textareas are written directly."""

    def render(self, template_name, context, request=None):
        widget = context.get("widget") if isinstance(context, dict) else None
        if isinstance(widget, dict) and set(context) == {"widget"}:
            html = None
            if template_name in INPUTS:
                html = _input(widget)
            elif template_name == SELECT:
                html = _select(widget)
            elif template_name == TEXTAREA:
                html = _textarea(widget)
            if html is not None:
                return mark_safe(html.strip())  # noqa: S308  every value above is escaped as the templates do
        return super().render(template_name, context, request=request)
