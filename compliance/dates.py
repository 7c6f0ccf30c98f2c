"""Day boundaries as aware datetimes, so every "as at a date" rule cuts the day in the same place."""

import datetime
import functools

from django.utils import timezone, translation
from django.utils.dates import MONTHS_3


def start_of_day(day: datetime.date) -> datetime.datetime:
    """The first moment of `day` in the site's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def end_of_day(day: datetime.date) -> datetime.datetime:
    """The first moment after `day`: a timestamp is on or before `day` when it is earlier than this."""
    return start_of_day(day + datetime.timedelta(days=1))


@functools.lru_cache(maxsize=64)
def _month_abbreviations(language: str | None) -> tuple[str, ...]:
    # MONTHS_3 holds lazy translations: each use translates again. Once per language is enough.
    return ("", *(str(MONTHS_3[month]).title() for month in range(1, 13)))


def day_month_year(day: datetime.date) -> str:
    """`day` as the date filter writes it with "j M Y" ("2 Dec 2026", the month in the current language).

    For pages writing many dates (list rows): the filter parses its format and looks up the
    language's formats for every date it is given, and the month's lazy name translates each time.
    """
    return f"{day.day} {_month_abbreviations(translation.get_language())[day.month]} {day.year:04d}"
