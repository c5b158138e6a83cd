"""The application's clock: every "now" and "today" in Guatu comes from here.

In production `settings.GUATU_TODAY` is unset and these are Django's `timezone.now()` and
`timezone.localdate()`. When it is set (the demo sets the seed's day, 2022-04-24), the calendar date is that
day and the time of day is the real one, so that events keep their order while the demo's 2022 story reads
as on the day it happened: deadlines are not "1672 days overdue" and 2022 deadlines are not "in the past".
"""

from __future__ import annotations

from datetime import date, datetime

from django.conf import settings
from django.utils import timezone


def fixed_today() -> date | None:
    return getattr(settings, "GUATU_TODAY", None)


def now() -> datetime:
    """The current moment (aware), on the fixed day when one is set."""
    real = timezone.now()
    day = fixed_today()
    if day is None:
        return real
    local = timezone.localtime(real)
    return local.replace(year=day.year, month=day.month, day=day.day)


def today() -> date:
    """The current date in the site's time zone (TIME_ZONE), or the fixed day."""
    return fixed_today() or timezone.localdate()
