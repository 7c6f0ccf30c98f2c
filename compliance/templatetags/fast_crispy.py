"""crispy-bootstrap5's checkbox and radio list (``bootstrap5/layout/radio_checkbox_select.html``) written in Python.

The template renders each option through the template engine (an include per option for its
attributes): the statement editor's fourteen lists of checkboxes cost 15 ms a page at the size of
a large trust. This writes the same markup, byte for byte, whitespace included (the project's
override of that template calls it); ``compliance/tests/test_fast_crispy.py`` holds the two
outputs equal against the original template, with errors, help text, groups and inline lists.
"""

from __future__ import annotations

from django import template
from django.templatetags.l10n import unlocalize
from django.utils.safestring import mark_safe

from compliance.form_renderer import _attrs, _shown

register = template.Library()


def _errors(field, auto_id: str, indent: str) -> str:
    """The ``<p>`` per error of field_errors_block.html (``indent`` "    ") and of the inline block ("        ")."""
    return "".join(
        f'\n{indent}    <p id="error_{counter}_{auto_id}"><strong>{_shown(error)}</strong></p>\n{indent}'
        for counter, error in enumerate(field.errors, start=1)
    )


def _help_text(field, help_text_inline) -> str:
    """help_text.html and the new line after its include."""
    if not field.help_text:
        return "\n"
    auto_id = _shown(field.auto_id)
    if help_text_inline:
        inner = f'\n        <span id="{auto_id}_helptext" class="form-text">{field.help_text}</span>\n    '
    else:
        id_attr = f'id="{auto_id}_helptext" ' if field.auto_id else ""
        inner = f'\n        <div {id_attr}class="form-text">{field.help_text}</div>\n    '
    return f"\n    {inner}\n\n"


@register.simple_tag(takes_context=True)
def radio_checkbox_select(context) -> str:
    """What the original template renders for ``field`` in this context, less its last new line (the override's own)."""
    from crispy_forms.templatetags.crispy_forms_filters import optgroups

    field = context["field"]
    field_class, flat_attrs = context.get("field_class"), context.get("flat_attrs")
    inline_class, form_show_errors = context.get("inline_class"), context.get("form_show_errors")
    errors = field.errors
    auto_id = _shown(field.auto_id)
    name = _shown(field.html_name)
    check_class = "form-check form-check-inline" if inline_class else "form-check"
    input_class = "form-check-input is-invalid" if errors else "form-check-input"
    out = ["\n\n\n<div "]
    if field_class:
        out.append(f'class="{_shown(field_class)}"')
    if flat_attrs:
        out.append(f" {_shown(flat_attrs)}")
    out.append(">\n\n    ")
    groups = list(optgroups(field))
    for group_number, (group, options, _index) in enumerate(groups, start=1):
        out.append(f"\n    <strong>{_shown(group)}</strong>\n    " if group else "\n    \n    ")
        for option_number, option in enumerate(options, start=1):
            out.append(
                f'\n      <div class="{check_class}">\n'
                f'        <input type="{_shown(option["type"])}" class="{input_class}"  name="{name}"'
                f' value="{_shown(unlocalize(option["value"]))}" {_attrs(option["attrs"])}>\n'
                f'        <label for="{_shown(option["attrs"].get("id", ""))}" class="form-check-label">\n'
                f"            {_shown(unlocalize(option['label']))}\n"
                "        </label>\n        "
            )
            if errors and option_number == len(options) and not inline_class and group_number == len(groups):
                block = ""
                if form_show_errors:
                    field_id = _shown(getattr(errors, "field_id", ""))
                    block = (
                        f'\n    <div id="{field_id}_error" class="invalid-feedback">\n    '
                        f"{_errors(field, auto_id, '    ')}\n    </div>\n"
                    )
                out.append(f"\n            {block}\n\n        ")
            out.append("\n     </div>\n    ")
        out.append("\n    ")
    out.append("\n\n</div>\n")
    if errors and inline_class:
        field_id = _shown(getattr(errors, "field_id", ""))
        out.append(
            f'\n    <div id="{field_id}_error" class="invalid-feedback">\n        '
            f"{_errors(field, auto_id, '        ')}\n    </div>\n"
        )
    out.append("\n")
    out.append(_help_text(field, context.get("help_text_inline")))
    return mark_safe("".join(out))  # noqa: S308  every value is escaped as the template does
