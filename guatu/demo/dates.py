"""The demo's calendar: moments of its story, and the app's clock set to the day a step of the story happens.

The services take the moment they act at (`at=`) where a scheduled run or a replay needs it; the others read
`guatu.clock`, which follows `settings.GUATU_TODAY`. The demo sets that setting to the day of each step while
it loads (`as_on`), so that every row it writes is dated on or before its day (data.DEMO_DAY), whatever the
real date: the demo is the same every time, and it reads as on its day when the app runs with
GUATU_TODAY=2022-04-24 (`make run`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time

from django.test.utils import override_settings
from django.utils import timezone

from guatu.demo import data


def d(month: int, day: int) -> date:
    """A day of the demo's year."""
    return date(data.YEAR, month, day)


def moment(day: date, hour: int = 9, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


@contextmanager
def as_on(day: date) -> Iterator[None]:
    """The app's clock on `day` (with the real time of day) inside the block."""
    if day > data.DEMO_DAY:
        raise ValueError(f"{day} is after the demo's day {data.DEMO_DAY}")
    with override_settings(GUATU_TODAY=day):
        yield
