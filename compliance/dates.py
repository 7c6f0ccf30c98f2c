"""Day boundaries as aware datetimes, so every "as at a date" rule cuts the day in the same place."""

import datetime

from django.utils import timezone


def start_of_day(day: datetime.date) -> datetime.datetime:
    """The first moment of `day` in the site's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def end_of_day(day: datetime.date) -> datetime.datetime:
    """The first moment after `day`: a timestamp is on or before `day` when it is earlier than this."""
    return start_of_day(day + datetime.timedelta(days=1))
