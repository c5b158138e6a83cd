"""Warning lights (红黄绿灯): rules as data, evaluated per project and period, with memory.

Pure logic: the caller gathers a project's facts for a period (ProjectFacts) and its light of the previous
period, and gets the new light with the reasons that set it. Severity is green < yellow < red; a project's
raw light is the most severe any rule gives. Memory: a project that was yellow or red and whose raw light is
now green turns yellow ("recovering"), and green only after `recovery_periods` consecutive green periods.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import IntEnum
from typing import Any

from guatu.lib.periods import Period
from guatu.lib.progress import Progress


class Light(IntEnum):
    GREEN = 0
    YELLOW = 1
    RED = 2

    @property
    def code(self) -> str:
        return self.name.lower()

    @classmethod
    def from_code(cls, code: str) -> Light:
        try:
            return cls[code.upper()]
        except KeyError:
            raise RuleError(f"unknown light {code!r}: use green, yellow or red") from None


class RuleError(ValueError):
    pass


@dataclass(frozen=True)
class RuleSet:
    """Thresholds of every rule. Percentage points are positive numbers of points behind schedule."""

    yellow_behind_points: Decimal = Decimal(10)  # behind by more than this → yellow
    red_behind_points: Decimal = Decimal(30)  # behind by more than this → red
    start_missed_red_after_months: int = 3  # planned start missed → yellow, red after this many months
    milestone_overdue_red_after_months: int = 2  # milestone overdue → yellow, red after this many months
    report_deadline_day: int = 5  # a month's report is due by this day of the next month
    missing_report_light: Light = Light.RED
    no_progress_months: int = 3  # this many consecutive months at zero → the no-progress light
    no_progress_light: Light = Light.YELLOW
    recovery_periods: int = 2  # on-schedule periods needed before a yellow/red project turns green

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RuleSet:
        """Build from the documented YAML mapping; unknown keys and bad values are errors, not ignored."""
        known = {f.name: f for f in cls.__dataclass_fields__.values()}
        unknown = set(data) - set(known)
        if unknown:
            raise RuleError(f"unknown rule settings: {', '.join(sorted(unknown))}")
        values: dict[str, Any] = {}
        for key, raw in data.items():
            default = getattr(cls(), key)
            try:
                if isinstance(default, Light):
                    values[key] = Light.from_code(str(raw))
                elif isinstance(default, Decimal):
                    values[key] = Decimal(str(raw))
                else:
                    values[key] = int(raw)
            except (ValueError, ArithmeticError):
                raise RuleError(f"{key}: not a valid value: {raw!r}") from None
        rules = cls(**values)
        rules.validate()
        return rules

    def validate(self) -> None:
        if not Decimal(0) <= self.yellow_behind_points <= self.red_behind_points:
            raise RuleError("need 0 ≤ yellow_behind_points ≤ red_behind_points")
        if not 1 <= self.report_deadline_day <= 28:
            raise RuleError("report_deadline_day must be 1-28")
        for name in (
            "start_missed_red_after_months",
            "milestone_overdue_red_after_months",
            "no_progress_months",
        ):
            if getattr(self, name) < 1:
                raise RuleError(f"{name} must be at least 1")
        if self.recovery_periods < 1:
            raise RuleError("recovery_periods must be at least 1")


@dataclass(frozen=True)
class ProjectFacts:
    """What the rules need to know of one project at the end of one period (January to `month`)."""

    year: int
    month: int
    progress: Progress  # year to date against the plan (guatu.lib.progress)
    planned_start: date | None = None
    actual_start: date | None = None
    overdue_milestones: tuple[tuple[str, date], ...] = ()  # (name, planned date) not done by period end
    report_due_missing: bool = False  # the period's report is past its deadline and not submitted
    monthly_amounts: tuple[Decimal, ...] = ()  # approved amounts of the latest months, oldest first
    started: bool = True  # construction has begun (no-progress rule applies only then)

    @property
    def period_end(self) -> date:
        return date(self.year + (self.month == 12), self.month % 12 + 1, 1)


@dataclass(frozen=True)
class Reason:
    rule: str
    light: Light
    detail: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class LightState:
    light: Light
    raw_light: Light  # what the rules say before memory
    green_streak: int  # consecutive periods the raw light has been green
    reasons: tuple[Reason, ...]


def _months_between(earlier: date, later: date) -> int:
    """Whole months from `earlier` to `later` (a date overdue by 1-30 days is 0 months overdue)."""
    months = (later.year - earlier.year) * 12 + later.month - earlier.month
    if later.day < earlier.day:
        months -= 1
    return max(months, 0)


def _schedule(facts: ProjectFacts, rules: RuleSet) -> Reason | None:
    # The figure shown (half-up to 2 decimals) is the figure compared: "10.00 behind" is never yellow.
    behind = facts.progress.behind_points
    if behind is None:
        return None
    if behind > rules.red_behind_points:
        light = Light.RED
    elif behind > rules.yellow_behind_points:
        light = Light.YELLOW
    else:
        return None
    return Reason("schedule", light, {"behind_points": format(behind, "f")})


def start_missed_light(planned_start: date | None, actual_start: date | None, as_of: date, rules: RuleSet) -> Light | None:
    """The start-missed rule, for a project's planned start and an investment lead's promised start alike: a
    start planned before `as_of` (the first day not yet covered: the day after a period, or today) that has not
    happened is yellow, red once it is `start_missed_red_after_months` whole months late; None otherwise."""
    if planned_start is None or actual_start is not None or planned_start >= as_of:
        return None
    late = _months_between(planned_start, as_of)
    return Light.RED if late >= rules.start_missed_red_after_months else Light.YELLOW


def _start_missed(facts: ProjectFacts, rules: RuleSet) -> Reason | None:
    last_day = facts.period_end
    light = start_missed_light(facts.planned_start, facts.actual_start, last_day, rules)
    if light is None:
        return None
    late = _months_between(facts.planned_start, last_day)
    return Reason(
        "start_missed", light, {"planned_start": facts.planned_start.isoformat(), "months_late": str(late)}
    )


def _milestones(facts: ProjectFacts, rules: RuleSet) -> Reason | None:
    if not facts.overdue_milestones:
        return None
    name, planned = min(facts.overdue_milestones, key=lambda item: item[1])
    late = _months_between(planned, facts.period_end)
    light = Light.RED if late >= rules.milestone_overdue_red_after_months else Light.YELLOW
    return Reason(
        "milestone_overdue",
        light,
        {"milestone": name, "planned_date": planned.isoformat(), "count": str(len(facts.overdue_milestones))},
    )


def _missing_report(facts: ProjectFacts, rules: RuleSet) -> Reason | None:
    if not facts.report_due_missing:
        return None
    return Reason(
        "report_missing", rules.missing_report_light, {"deadline_day": str(rules.report_deadline_day)}
    )


def _no_progress(facts: ProjectFacts, rules: RuleSet) -> Reason | None:
    recent = facts.monthly_amounts[-rules.no_progress_months :]
    if not facts.started or len(recent) < rules.no_progress_months or any(amount > 0 for amount in recent):
        return None
    return Reason("no_progress", rules.no_progress_light, {"months": str(rules.no_progress_months)})


RULES = (_schedule, _start_missed, _milestones, _missing_report, _no_progress)


def evaluate(facts: ProjectFacts, rules: RuleSet, previous: LightState | None) -> LightState:
    reasons = tuple(reason for rule in RULES if (reason := rule(facts, rules)) is not None)
    raw = max((reason.light for reason in reasons), default=Light.GREEN)
    if raw is not Light.GREEN:
        return LightState(light=raw, raw_light=raw, green_streak=0, reasons=reasons)
    streak = (previous.green_streak if previous else 0) + 1
    was_warned = previous is not None and previous.light is not Light.GREEN
    if was_warned and streak < rules.recovery_periods:
        recovering = Reason(
            "recovering", Light.YELLOW, {"green_periods": str(streak), "needed": str(rules.recovery_periods)}
        )
        return LightState(light=Light.YELLOW, raw_light=raw, green_streak=streak, reasons=(recovering,))
    return LightState(light=Light.GREEN, raw_light=raw, green_streak=streak, reasons=())


def report_deadline(year: int, month: int, rules: RuleSet) -> date:
    """The day a month's report is due: `report_deadline_day` of the following month."""
    return date(year + (month == 12), month % 12 + 1, rules.report_deadline_day)


def closing_day(year: int, month: int, rules: RuleSet) -> date:
    """The day a month's lights close: the next month's report deadline. By then the month's own reports
    have been due for a month and reviewed, so lights computed after it are final and never recomputed."""
    following = date(year + (month == 12), month % 12 + 1, 1)
    return report_deadline(following.year, following.month, rules)


def latest_month_due(today: date, rules: RuleSet) -> Period:
    """The latest month whose reports were due by `today` (its `report_deadline` has passed: reports are on
    time to the end of that day). Pages open on it when no month is chosen, so their figures are a month's
    complete reports, never the first approvals of a month still being reported."""
    last_month = Period.of(today).previous()
    if today > report_deadline(last_month.year, last_month.month, rules):
        return last_month
    return last_month.previous()
