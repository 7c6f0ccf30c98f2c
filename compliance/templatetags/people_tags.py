"""`{% person_row person %}`: one row of the people list (compliance/people.html), written in Python.

As template variables and filters (a link, four defaults, a join, a date) the page's 50 rows cost
2.7 ms; the row is the same markup, byte for byte (compliance/tests/test_people.py holds it equal
to the template cells it replaced).
"""

from __future__ import annotations

import html

from django import template
from django.utils.formats import date_format
from django.utils.safestring import mark_safe

from compliance.templatetags.links import pk_url_parts

register = template.Library()


def _text(value) -> str:
    """``{{ value|default:"" }}``: nothing for a missing value, else its text escaped."""
    return html.escape(str(value)) if value else ""


@register.simple_tag
def person_row(person) -> str:
    """The row's cells; `person.role_names` comes from selectors.people_with_role_names."""
    head, tail = (html.escape(part) for part in pk_url_parts("person_edit"))
    if person.is_active:
        status = "Active"
    else:
        status = f"Left {html.escape(date_format(person.left_on, 'j M Y')) if person.left_on else ''}"
    return mark_safe(  # noqa: S308 - every value in it is escaped here (html.escape, as Django's escape)
        "<tr>\n"
        f'    <td><a href="{head}{int(person.pk)}{tail}">{html.escape(person.full_name or person.email)}</a></td>\n'
        f"    <td>{html.escape(person.email)}</td>\n"
        f"    <td>{_text(person.department)}</td>\n"
        f"    <td>{_text(person.site)}</td>\n"
        f"    <td>{_text(person.line_manager)}</td>\n"
        f"    <td>{', '.join(html.escape(name) for name in person.role_names)}</td>\n"
        f"    <td>{status}</td>\n"
        "  </tr>"
    )
