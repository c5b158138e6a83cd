"""The date rules of dispatch, in one place for the forms and the services.

A deadline (交办期限, 督办答复期限) lies between today and three years ahead: a date already past could only
be missed, and one decades away is a typing mistake. A meeting is dated within a year of today: scheduled
ahead, or recorded after it was held.
"""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _

MAX_DEADLINE_YEARS = 3
MEETING_WITHIN_DAYS = 366


def _years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def deadline_error(deadline: date, *, today: date) -> str | None:
    """Why a deadline cannot be given on `today`, or None when it can."""
    if deadline < today:
        return _("The deadline %(date)s is already past.") % {"date": deadline.isoformat()}
    latest = _years_after(today, MAX_DEADLINE_YEARS)
    if deadline > latest:
        return _("The deadline %(date)s is more than %(years)s years ahead: give a date by %(latest)s.") % {
            "date": deadline.isoformat(),
            "years": MAX_DEADLINE_YEARS,
            "latest": latest.isoformat(),
        }
    return None


def meeting_date_error(day: date, *, today: date) -> str | None:
    """Why a meeting cannot be dated `day` on `today`, or None when it can."""
    if abs((day - today).days) > MEETING_WITHIN_DAYS:
        return _("The meeting date %(date)s is more than a year from today (%(today)s).") % {
            "date": day.isoformat(),
            "today": today.isoformat(),
        }
    return None
