"""crispy-bootstrap5's field (``bootstrap5/field.html``) and checkbox or radio list
(``bootstrap5/layout/radio_checkbox_select.html``) written in Python.

The templates render each field through a dozen template tags and each option through an include:
the statement editor's 51 fields cost half its page at the size of a large trust (35 ms of 70).
This writes the same markup, byte for byte, whitespace included (the project's overrides of those
two templates call it); a field in any layout other than ``{{ form|crispy }}``'s plain one (a
checkbox, a file, a hidden input, labels hidden, horizontal forms, table cells) goes to the
original template. ``compliance/tests/test_fast_crispy.py`` holds the outputs equal to the
original templates', with errors, help text, groups, inline lists and every layout.
"""

from __future__ import annotations

import functools
from pathlib import Path

import crispy_bootstrap5
from crispy_forms.templatetags.crispy_forms_field import (
    is_checkbox,
    is_checkboxselectmultiple,
    is_file,
    is_radioselect,
    is_select,
)
from crispy_forms.templatetags.crispy_forms_filters import optgroups
from crispy_forms.templatetags.crispy_forms_utils import remove_spaces
from django import template
from django.conf import settings
from django.templatetags.l10n import unlocalize
from django.utils.safestring import mark_safe

from compliance.form_renderer import template_attrs, template_value

register = template.Library()


def _errors(field, auto_id: str, indent: str) -> str:
    """The ``<p>`` per error of field_errors_block.html (``indent`` "    ") and of the inline block ("        ")."""
    return "".join(
        f'\n{indent}    <p id="error_{counter}_{auto_id}"><strong>{template_value(error)}</strong></p>\n{indent}'
        for counter, error in enumerate(field.errors, start=1)
    )


def _help_text(field, help_text_inline) -> str:
    """help_text.html and the new line after its include."""
    if not field.help_text:
        return "\n"
    auto_id = template_value(field.auto_id)
    if help_text_inline:
        inner = f'\n        <span id="{auto_id}_helptext" class="form-text">{field.help_text}</span>\n    '
    else:
        id_attr = f'id="{auto_id}_helptext" ' if field.auto_id else ""
        inner = f'\n        <div {id_attr}class="form-text">{field.help_text}</div>\n    '
    return f"\n    {inner}\n\n"


@register.simple_tag(takes_context=True)
def radio_checkbox_select(context) -> str:
    """What the original template renders for ``field`` in this context, less its last new line (the override's own)."""
    field = context["field"]
    field_class, flat_attrs = context.get("field_class"), context.get("flat_attrs")
    inline_class, form_show_errors = context.get("inline_class"), context.get("form_show_errors")
    errors = field.errors
    auto_id = template_value(field.auto_id)
    name = template_value(field.html_name)
    check_class = "form-check form-check-inline" if inline_class else "form-check"
    input_class = "form-check-input is-invalid" if errors else "form-check-input"
    out = ["\n\n\n<div "]
    if field_class:
        out.append(f'class="{template_value(field_class)}"')
    if flat_attrs:
        out.append(f" {template_value(flat_attrs)}")
    out.append(">\n\n    ")
    groups = list(optgroups(field))
    for group_number, (group, options, _index) in enumerate(groups, start=1):
        out.append(f"\n    <strong>{template_value(group)}</strong>\n    " if group else "\n    \n    ")
        for option_number, option in enumerate(options, start=1):
            out.append(
                f'\n      <div class="{check_class}">\n'
                f'        <input type="{template_value(option["type"])}" class="{input_class}"  name="{name}"'
                f' value="{template_value(unlocalize(option["value"]))}" {template_attrs(option["attrs"])}>\n'
                f'        <label for="{template_value(option["attrs"].get("id", ""))}" class="form-check-label">\n'
                f"            {template_value(unlocalize(option['label']))}\n"
                "        </label>\n        "
            )
            if errors and option_number == len(options) and not inline_class and group_number == len(groups):
                block = ""
                if form_show_errors:
                    field_id = template_value(getattr(errors, "field_id", ""))
                    block = (
                        f'\n    <div id="{field_id}_error" class="invalid-feedback">\n    '
                        f"{_errors(field, auto_id, '    ')}\n    </div>\n"
                    )
                out.append(f"\n            {block}\n\n        ")
            out.append("\n     </div>\n    ")
        out.append("\n    ")
    out.append("\n\n</div>\n")
    if errors and inline_class:
        field_id = template_value(getattr(errors, "field_id", ""))
        out.append(
            f'\n    <div id="{field_id}_error" class="invalid-feedback">\n        '
            f"{_errors(field, auto_id, '        ')}\n    </div>\n"
        )
    out.append("\n")
    out.append(_help_text(field, context.get("help_text_inline")))
    return mark_safe("".join(out))  # noqa: S308  every value is escaped as the template does


# --- bootstrap5/field.html ------------------------------------------------------------------------

_FIELD_TEMPLATE = Path(crispy_bootstrap5.__file__).parent / "templates/bootstrap5/field.html"
ASTERISK = '<span class="asteriskField">*</span>'
_HELP_AND_ERRORS = "bootstrap5/layout/help_text_and_errors.html"
_CHOICE_LISTS = "bootstrap5/layout/radio_checkbox_select.html"
# The widget's classes, as the original's {% crispy_field field 'class' '...' %} adds them.
_SELECT, _CONTROL, _INVALID = "form-select", "form-control", " is-invalid"


def _widget(field, classes: str) -> str:
    """crispy's CrispyFieldNode: the widget's class names merged into its attrs (kept, as crispy keeps them), then the field.

    The node resolves a template Variable for each name and value on every field; this does the same merge directly.
    """
    widget = field.field.widget
    converters = getattr(settings, "CRISPY_CLASS_CONVERTERS", {})
    for inner in getattr(widget, "widgets", [getattr(widget, "widget", widget)]):
        class_name = inner.__class__.__name__.lower()
        class_name = converters.get(class_name, class_name)
        css_class = inner.attrs.get("class", "")
        if css_class:
            if css_class.find(class_name) == -1:
                css_class += f" {class_name}"
        else:
            css_class = class_name
        for name in classes.split():
            if name not in css_class.split():
                css_class += f" {name}"
        inner.attrs["class"] = css_class
    return str(field)


def _help_text_and_errors(context, field, engine) -> str:
    """help_text_and_errors.html: the error block, then the help text (a third of the field's time as a template).

    Written here for help and errors below the field, as ``{{ form|crispy }}`` has them; inline help
    or errors go to the template.
    """
    if context.get("help_text_inline") or context.get("error_text_inline"):
        return engine.get_template(_HELP_AND_ERRORS).render(context)
    errors = ""
    if context.get("form_show_errors") and field.errors:
        field_id = template_value(getattr(field.errors, "field_id", ""))
        errors = (
            f'\n    <div id="{field_id}_error" class="invalid-feedback">\n    '
            f"{_errors(field, template_value(field.auto_id), '    ')}\n    </div>\n"
        )
    return f"\n\n\n    {errors}\n\n\n\n\n    {_help_text(field, False)}\n\n"


@functools.cache
def _original_field_template(engine):
    return engine.from_string(_FIELD_TEMPLATE.read_text())


def _plain(context, field) -> bool:
    """A field in the layout ``{{ form|crispy }}`` gives it: the only one written here (any other goes to the template)."""
    return bool(
        not field.is_hidden
        and not is_checkbox(field)
        and not is_file(field)
        and not context.get("tag")
        and not context.get("label_class")
        and not context.get("field_class")
        and not context.get("wrapper_class")
        and "form-horizontal" not in (context.get("form_class") or "")
        and context.get("form_show_labels")
    )


@register.simple_tag(takes_context=True)
def crispy_field_fast(context) -> str:
    """What crispy-bootstrap5's field.html renders for ``field``, less its last new line (the override's own)."""
    field = context["field"]
    engine = context.template.engine
    if not _plain(context, field):
        return mark_safe(_original_field_template(engine).render(context)[:-1])  # noqa: S308  the template's own output
    required = field.field.required
    css_classes = field.css_classes()
    out = ["\n\n\n    \n    ", f'<div id="div_{template_value(field.auto_id)}" class="mb-3']
    if css_classes:
        out.append(f" {template_value(css_classes)}")
    out.append('">\n        ')
    use_fieldset = field.use_fieldset
    if field.label:
        out.append("\n            ")
        if use_fieldset:
            described = field.aria_describedby
            out.append(f'<fieldset aria-describedby="{template_value(described)}">' if described else "<fieldset>")
        tag = "legend" if use_fieldset else "label"
        label_for = f'for="{template_value(field.id_for_label)}"' if field.id_for_label else ""
        out.append(
            f'\n            <{tag}\n                {label_for} class="form-label'
            f'{" requiredField" if required else ""}{" fs-6" if use_fieldset else ""}">\n'
            f"                {template_value(field.label)}{ASTERISK if required else ''}\n"
            f"            </{tag}>\n        "
        )
    out.append("\n\n        ")
    if is_checkboxselectmultiple(field) or is_radioselect(field):
        out.append(f"\n            {engine.get_template(_CHOICE_LISTS).render(context)}\n        \n\n        ")
    else:
        invalid = _INVALID if field.errors else ""
        if is_select(field):
            widget = f"\n                            {_widget(field, _SELECT + invalid)}\n                        "
        else:
            widget = _widget(field, _CONTROL + invalid)
        help_and_errors = _help_text_and_errors(context, field, engine)
        out.append(
            "\n\n        \n            \n                \n                    \n                        "
            f"{widget}\n                    \n                    \n                        {help_and_errors}"
            "\n                    \n                \n            \n        "
        )
    out.append("\n        ")
    if use_fieldset and field.label:
        out.append("</fieldset>")
    out.append("\n    </div>\n    \n")
    return mark_safe("".join(out))  # noqa: S308  every value is escaped as the template does


# --- bootstrap5/uni_form.html ---------------------------------------------------------------------

_UNI_FORM_TEMPLATE = Path(crispy_bootstrap5.__file__).parent / "templates/bootstrap5/uni_form.html"
_FIELD = "bootstrap5/field.html"


@functools.cache
def _original_uni_form_template(engine):
    return engine.from_string(_UNI_FORM_TEMPLATE.read_text())


@register.simple_tag(takes_context=True)
def uni_form_fast(context) -> str:
    """What crispy-bootstrap5's uni_form.html renders for ``form``, less its last new line (the override's own).

    The template includes the field template once per field (an include and a loop frame each); with
    the plain field template this calls crispy_field_fast for each field directly. Media or another
    field template go to the original.
    """
    engine = context.template.engine
    if context.get("include_media") or context.get("field_template") != _FIELD:
        return mark_safe(_original_uni_form_template(engine).render(context)[:-1])  # noqa: S308  the template's own output
    out = ["\n    \n    "]
    if context.get("form_show_errors"):
        out.append(f"\n        {engine.get_template('bootstrap5/errors.html').render(context)}\n    ")
    out.append("\n    ")
    for field in context["form"]:
        with context.push(field=field):
            out.append(f"\n        {crispy_field_fast(context)}\n\n    ")
    out.append("\n")
    return mark_safe(f"\n\n{remove_spaces(''.join(out).strip())}")  # noqa: S308  the fields' own escaped output
