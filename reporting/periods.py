"""Financial years and reporting periods, from the organisation's year end."""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date  # inclusive
    label: str

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """The period of the same length just before this one (a year before a year, a month before a month)."""
        if self.start.day == 1 and self.end == _month_end(self.end):
            months = (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1
            start = _add_months(self.start, -months)
            end = self.start - datetime.timedelta(days=1)
            return Period(start, end, _label_months(start, end))
        end = self.start - datetime.timedelta(days=1)
        return Period(end - datetime.timedelta(days=self.days - 1), end, "custom")


def _month_end(day: datetime.date) -> datetime.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return datetime.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _label_months(start: datetime.date, end: datetime.date) -> str:
    if start.year == end.year and start.month == end.month:
        return f"{start:%B %Y}"
    return f"{start:%b %Y} to {end:%b %Y}"


def _year_end(organisation, year: int) -> datetime.date:
    month = organisation.financial_year_end_month
    day = min(organisation.financial_year_end_day, calendar.monthrange(year, month)[1])
    return datetime.date(year, month, day)


def financial_year(organisation, year: int) -> Period:
    """The financial year that ends in `year`."""
    end = _year_end(organisation, year)
    start = _year_end(organisation, year - 1) + datetime.timedelta(days=1)
    label = f"{start:%Y}/{end:%y}" if start.year != end.year else f"{end:%Y}"
    return Period(start, end, label)


def financial_year_containing(organisation, day: datetime.date) -> int:
    """The financial year (by the calendar year it ends in) that contains `day`."""
    return day.year if day <= _year_end(organisation, day.year) else day.year + 1


def statement_deadline(organisation, year: int) -> datetime.date:
    """Six months after the financial year end: when Home Office guidance expects the statement.

    s.54 of the Modern Slavery Act 2015 sets no date; the GOV.UK registry's own data page
    says "the Home Office expects statements to be published within six months of the
    organisation's financial year-end", and registry submission is voluntary for most.
    """
    return _add_months(financial_year(organisation, year).end, 6)


def month(day: datetime.date) -> Period:
    start = day.replace(day=1)
    return Period(start, _month_end(day), f"{start:%B %Y}")


def quarter(day: datetime.date) -> Period:
    first_month = 3 * ((day.month - 1) // 3) + 1
    start = datetime.date(day.year, first_month, 1)
    end = _month_end(_add_months(start, 2))
    return Period(start, end, _label_months(start, end))


def custom(start: datetime.date, end: datetime.date) -> Period:
    return Period(start, end, "custom")
