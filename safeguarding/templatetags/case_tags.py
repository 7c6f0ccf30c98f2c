"""A case's row, status and risk badges, as tags rather than template markup per cell.

The case list rendered two included templates for each of its 50 rows; as tags the same
markup costs a fraction of that (suppliers' register badges did the same). The whole row is
one tag too: its eight cells as template variables and filters were most of the list's time.
"""

import functools
import re

from django import forms, template
from django.template.defaulttags import CsrfTokenNode
from django.template.loader import render_to_string
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import translation
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.timezone import template_localtime

from compliance.dates import day_month_year
from compliance.form_memo import remembered_crispy_form
from compliance.form_renderer import escaped
from compliance.model_choices import offer_rows
from compliance.templatetags.formset_tags import remembered
from safeguarding.models import RiskLevel, Status, SubjectType

register = template.Library()


# A reference of letters, digits and dashes (every reference: MS-2026-00042) is its own URL path segment.
_PLAIN_REFERENCE = re.compile(r"[A-Za-z0-9-]+")


@functools.lru_cache(maxsize=64)
def _case_url_parts(urlconf, prefix) -> tuple[str, str]:
    url = reverse("safeguarding:case_detail", args=["MS-0000-0"], urlconf=urlconf)
    head, _, tail = url.partition("MS-0000-0")
    return head, tail


def _case_url(concern) -> str:
    """concern.get_absolute_url() without a walk of the URL resolver for each of the 50 rows."""
    if not _PLAIN_REFERENCE.fullmatch(concern.reference):
        return concern.get_absolute_url()
    head, tail = _case_url_parts(get_urlconf(), get_script_prefix())
    return f"{head}{concern.reference}{tail}"


def _label(choices, value):
    """The choice's label, as get_FOO_display() gives it, without rebuilding the field's choices for each row."""
    try:
        return choices(value).label
    except ValueError:
        return value


def _day(moment) -> str:
    """`moment` as the date filter writes it with "j M Y" ("2 Dec 2026"), in the current time zone and language.

    The filter parses its format string and looks up the language's formats for every date: for
    the list's 100 dates that was a fifth of the page.
    """
    return day_month_year(template_localtime(moment))


def _day_and_time(moment) -> str:
    """`moment` as the date filter writes it with "j M Y H:i" ("2 Dec 2026 09:05")."""
    moment = template_localtime(moment)
    return f"{day_month_year(moment)} {moment.hour:02d}:{moment.minute:02d}"


def _status_badge(concern) -> str:
    badge = (
        f'<span class="badge text-bg-secondary status-{escaped(concern.status)}">'
        f"{escaped(_label(Status, concern.status))}</span>"
    )
    return f'{badge} <span class="badge text-bg-danger">Overdue</span>' if concern.is_overdue else badge


def _risk_badge(concern) -> str:
    if not concern.risk_level:
        return '<span class="badge text-bg-light border">Risk: not assessed</span>'
    return f'<span class="badge risk-{escaped(concern.risk_level)}">Risk: {escaped(_label(RiskLevel, concern.risk_level))}</span>'


@register.simple_tag
def case_status_badge(concern) -> str:
    """The case's status, and "Overdue" beside it when its next step is late."""
    return mark_safe(_status_badge(concern))  # noqa: S308 - every value escaped


@register.simple_tag
def case_risk_badge(concern) -> str:
    """The assessed risk level, or that it has not been assessed yet."""
    return mark_safe(_risk_badge(concern))  # noqa: S308 - every value escaped


_DANGER = ' <span class="badge text-bg-danger">Immediate danger</span>'


@register.simple_tag
def case_row(concern) -> str:
    """One row of the case list (safeguarding/_case_table.html), as its eight cells in the template wrote it.

    Written with f-strings and one escape per value: format_html's checks for lazy and safe
    strings on each of its 500 arguments were half the rows' time.
    """
    due = _day_and_time(concern.due_at) if concern.due_at else "—"
    return mark_safe(  # noqa: S308 - every value escaped
        "<tr>\n"
        f'      <td><a href="{escaped(_case_url(concern))}">{escaped(concern.reference)}</a>'
        f"{_DANGER if concern.immediate_danger else ''}</td>\n"
        f"      <td>{escaped(_day(concern.created_at))}</td>\n"
        f"      <td>{escaped(_label(SubjectType, concern.subject_type))}</td>\n"
        f"      <td>{escaped(concern.site or concern.location_text or '—')}</td>\n"
        f"      <td>{_status_badge(concern)}</td>\n"
        f"      <td>{_risk_badge(concern)}</td>\n"
        f"      <td>{escaped(concern.assignee or '—')}</td>\n"
        f"      <td>{escaped(due)}</td>\n"
        "    </tr>"
    )


_CSRF = CsrfTokenNode()


@register.simple_tag(takes_context=True)
def case_action_form(context, action, form, title, button, open=False, style="") -> str:  # noqa: A002  the template's name
    """One action form of the case page in its card (what safeguarding/_action_form.html was, byte for byte).

    Twelve includes of that template cost more than the forms' fields: an include, a URL tag and the
    crispy filter's context each time. The fields are still {{ form|crispy }}'s own output, kept per
    process for an unbound form (compliance.form_memo).
    """
    url = reverse("safeguarding:case_action", args=[context["concern"].reference, action])
    enctype = ' enctype="multipart/form-data"' if action == "attachment" else ""
    return mark_safe(  # noqa: S308  every value is escaped as the template escaped it
        f'\n<details class="card mb-3"{" open" if open or form.is_bound else ""}>\n'
        f'  <summary class="card-header h6 mb-0">{conditional_escape(title)}</summary>\n'
        '  <div class="card-body">\n'
        f'    <form method="post" action="{conditional_escape(url)}"'
        f"{enctype} novalidate>\n"
        f"      {_CSRF.render(context)}\n"
        f"      {remembered_crispy_form(form)}\n"
        f'      <button type="submit" class="btn btn-{conditional_escape(style or "primary")} btn-sm">'
        f"{conditional_escape(button)}</button>\n"
        "    </form>\n  </div>\n</details>\n"
    )


FILTERS_MEMO_SIZE = 64
# Public so a test can start from an empty one.
rendered_filters: dict[tuple, str] = {}


@register.simple_tag
def remembered_case_filters(form) -> str:
    """The case list's filter fields, rendered once per process for each distinct key.

    A GET form (no CSRF token, nothing of the user): its markup is a function of the submitted
    parameters, the options offered (case workers, sites), the language and the script prefix, so
    it is kept under a key of exactly those. The option rows are read on each visit (the one query
    each that rendering would make anyway) and handed to the fields, so a renamed site or a new
    case worker makes a new key at once. Eight widgets' get_context and optgroups were ~1 ms CPU of
    the page. A form with errors (aria-invalid on a widget) is rendered as it is.
    """
    if form.errors:
        return _case_filters_markup(form)
    options = []
    for name, field in form.fields.items():
        if isinstance(field, forms.ModelChoiceField):
            rows = list(field.queryset.all())
            offer_rows(field, rows)
            options.append((name, tuple((row.pk, field.label_from_instance(row)) for row in rows)))
    params = tuple((name, tuple(form.data.getlist(name))) for name in form.fields)
    # Not type(form): django_filters makes a new form class for each FilterSet it builds.
    key = ("case_filters", params, tuple(options), translation.get_language(), get_script_prefix())
    # Its own memo, not the settings pages' tables': every typed reference is a new key, and
    # would push those out.
    return remembered(key, lambda: _case_filters_markup(form), memo=rendered_filters, size=FILTERS_MEMO_SIZE)


def _case_filters_markup(form) -> str:
    html = render_to_string("safeguarding/_case_filters.html", {"filters": form})
    return mark_safe(html.removesuffix("\n"))  # noqa: S308 - the template's own output, escaped there
