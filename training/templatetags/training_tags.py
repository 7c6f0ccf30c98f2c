import functools
import html
from collections import Counter

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from compliance.dates import day_month_year
from compliance.models import User
from compliance.templatetags.links import pk_url_parts
from training.models import RecruitmentCheck, TrainingRecord

register = template.Library()

# Colour backs up the word on the badge; it is never the only signal.
STATUS_CLASSES = {
    "complete": "risk-low",
    "not_yet_due": "text-bg-light border",
    "due_soon": "risk-medium",
    "awaiting_confirmation": "risk-medium",
    "overdue": "risk-high",
    "expired": "risk-high",
}


@register.filter
def status_class(status: str) -> str:
    return STATUS_CLASSES.get(str(status), "text-bg-light border")


@register.filter
def status_badge(status: str) -> str:
    """A training status as its badge (every page showing one uses this: an include per row cost more than the row)."""
    label = TrainingRecord.Status(status).label
    return format_html('<span class="badge {}">{}</span>', status_class(status), label)


@register.filter
def percent(value) -> str:
    return "–" if value is None else f"{value:g}%"


# Each status's badge, as status_badge writes it (the labels are fixed strings), made once.
_BADGES = {status.value: status_badge(status.value) for status in TrainingRecord.Status}


@functools.lru_cache(maxsize=256)
def _escaped_title(title: str) -> str:
    return html.escape(title)


@register.simple_tag
def attention_list(statuses) -> str:
    """The team page's "Needs attention" cell: per course, a link to the record and its status badge.

    Built here rather than by a {% for %} in the template: a page of 50 people has about 500 of
    these, and the template's lookups for each (record.pk, course.title, the badge filter and the
    label) and format_html's per-value checks were half the page's time. The HTML is the same:
    html.escape is what Django's escape does, applied to every value that is not a fixed string;
    the badges and the page's 20-odd course titles are escaped once, not once per person.
    """
    head, tail = (html.escape(part) for part in pk_url_parts("training:record_detail"))
    return mark_safe(_attention_cell(statuses, head, tail))  # noqa: S308 - every value in it is escaped


def _attention_cell(statuses, head: str, tail: str) -> str:
    if not statuses:
        return "<span>Nothing</span>"
    return "\n".join(
        f'<div><a href="{head}{int(item.record.pk)}{tail}">{_escaped_title(item.course.title)}</a>'
        f" {_BADGES[item.status]}</div>"
        for item in statuses
    )


def _day(day) -> str:
    """A date as the date filter writes it with "j M Y" ("2 Dec 2026")."""
    return day_month_year(day)


def _label(choices, value) -> str:
    """get_FOO_display() for `choices` without rebuilding the field's choices for each row."""
    try:
        return str(choices(value).label)
    except ValueError:
        return value


@register.simple_tag
def record_row(record) -> str:
    """One row of HR's records list (training/admin/record_list.html), as its eight cells in the template wrote it.

    As template variables and filters (three dates, a badge, two links, get_source_display) the
    50 rows were most of the page's time.
    """
    person_head, person_tail = (html.escape(part) for part in pk_url_parts("training:person"))
    record_head, record_tail = (html.escape(part) for part in pk_url_parts("training:record_detail"))
    department = record.user.department
    return mark_safe(  # noqa: S308 - every value in it is escaped here (html.escape, as Django's escape)
        "<tr>\n"
        f'    <th scope="row"><a href="{person_head}{int(record.user_id)}{person_tail}">'
        f"{html.escape(str(record.user))}</a></th>\n"
        f"    <td>{'–' if department is None else html.escape(str(department))}</td>\n"
        f'    <td><a href="{record_head}{int(record.pk)}{record_tail}">{html.escape(record.course.title)}</a></td>\n'
        f"    <td>{status_badge(record.status)}</td>\n"
        f"    <td>{_day(record.due_on)}</td>\n"
        f"    <td>{'–' if record.completed_on is None else _day(record.completed_on)}</td>\n"
        f"    <td>{'–' if record.expires_on is None else _day(record.expires_on)}</td>\n"
        f"    <td>{html.escape(_label(TrainingRecord.Source, record.source))}</td>\n"
        "  </tr>"
    )


_COMPLETE = '<span class="badge risk-low">Complete</span>'
_INCOMPLETE = '<span class="badge risk-high">Incomplete</span>'
_NOT_RECORDED = "Not recorded"


@register.simple_tag
def recruitment_row(row) -> str:
    """One row of the recruitment checks list (training/admin/recruitment_list.html), as its cells in the template wrote it.

    `row` is the view's {"person", "check", "complete"}. As template conditions, lookups and date
    filters the 50 rows were most of the page's time.
    """
    person, check = row["person"], row["check"]
    head, tail = (html.escape(part) for part in pk_url_parts("training:recruitment_edit"))
    department = person.department
    about = html.escape(person.job_title or "")
    if department:
        about += f", {html.escape(str(department))}"
    about += f" · {html.escape(_label(User.EmploymentType, person.employment_type))}"
    dbs = rtw = contract = _NOT_RECORDED
    agency = "–"
    if check is not None:
        if check.dbs_outcome:
            checked = _day(check.dbs_checked_on) if check.dbs_checked_on else ""
            dbs = f"{html.escape(_label(RecruitmentCheck.DbsOutcome, check.dbs_outcome))}, {checked}"
        if check.right_to_work_verified_on:
            rtw = f"Verified {_day(check.right_to_work_verified_on)}"
            if check.right_to_work_expires_on:
                rtw += f"; ends {_day(check.right_to_work_expires_on)}"
        if check.contract_accessible_given_on:
            contract = f"Given {_day(check.contract_accessible_given_on)}"
        if check.agency_used:
            agency = html.escape(str(check.agency or check.agency_name))
    return mark_safe(  # noqa: S308 - every value in it is escaped here (html.escape, as Django's escape)
        "<tr>\n"
        f'    <th scope="row"><a href="{head}{int(person.pk)}{tail}">{html.escape(str(person))}</a><br>'
        f'<small class="text-muted">{about}</small></th>\n'
        f"    <td>{dbs}</td>\n"
        f"    <td>{rtw}</td>\n"
        f"    <td>{contract}</td>\n"
        f"    <td>{agency}</td>\n"
        f"    <td>{_COMPLETE if row['complete'] else _INCOMPLETE}</td>\n"
        "  </tr>"
    )


@register.simple_tag
def team_row(summary) -> str:
    """One row of the team page (training/team.html), as its cells in the template wrote it.

    `summary` is a selectors.PersonSummary. The template asked it for each count in turn (each a
    pass over the person's courses) and looked up the person's fields per cell.
    """
    return mark_safe(_team_row(summary, _team_links()))  # noqa: S308 - every value in it is escaped


@register.simple_tag
def team_rows(summaries) -> str:
    """Every row of the team page's table: team_row for each person, the links' parts looked up once."""
    links = _team_links()
    return mark_safe("\n  ".join(_team_row(summary, links) for summary in summaries))  # noqa: S308 - escaped


def _team_links() -> tuple[str, str, str, str]:
    person = tuple(html.escape(part) for part in pk_url_parts("training:person"))
    record = tuple(html.escape(part) for part in pk_url_parts("training:record_detail"))
    return (*person, *record)


_COMPLETE_STATUS, _OVERDUE_STATUS, _EXPIRED_STATUS = "complete", "overdue", "expired"


def _team_row(summary, links: tuple[str, str, str, str]) -> str:
    head, tail, record_head, record_tail = links
    person = summary.person
    department = person.department
    statuses = summary.statuses
    counts = Counter(status.status for status in statuses)
    # The values every person's row shows, escaped here (html.escape, as Django's escape).
    return (
        "<tr>\n"
        f'    <th scope="row"><a href="{head}{int(person.pk)}{tail}">{html.escape(str(person))}</a><br>'
        f'<small class="text-muted">{html.escape(person.job_title)}</small></th>\n'
        f"    <td>{'–' if department is None else html.escape(str(department))}</td>\n"
        f"    <td>{counts[_COMPLETE_STATUS]} of {len(statuses)}</td>\n"
        f"    <td>{counts[_OVERDUE_STATUS]}</td>\n"
        f"    <td>{counts[_EXPIRED_STATUS]}</td>\n"
        "    <td>\n"
        f"      {_attention_cell(summary.attention, record_head, record_tail)}\n"
        "    </td>\n"
        "  </tr>"
    )
