"""Year-to-date progress (年度进度): the one place its arithmetic is written. Pure Decimal, no Django.

The investment summary (per level tag), the lights (per project), the project list and the report pages
all build a `Progress` from the same inputs (guatu.projects.queries.progress_by_project reads them) and
read its figures, so that no two of them can disagree.

- time progress (时序进度) = months elapsed ÷ 12 (March → 25%);
- planned to date = the phased months to date + the unphased rest of the plan × time progress; a plan not
  phased by month is pro rata: plan × months ÷ 12;
- planned progress (计划进度) = planned to date ÷ annual plan; the same as time progress for a plan not
  phased by month;
- completion rate = completed year to date ÷ annual plan (None without a plan);
- deviation = completion rate − planned progress, in percentage points, rounded half-up to 2 decimals.
  Behind schedule is the same figure with the sign turned (ROUND_HALF_UP is symmetric around zero).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from guatu.lib.money import percent, ratio

ZERO = Decimal(0)
MONTHS_IN_YEAR = Decimal(12)


def time_progress(month: int) -> Decimal:
    """Share of the year elapsed at the end of `month`: 3 → 0.25."""
    return Decimal(month) / MONTHS_IN_YEAR


def completion_rate(ytd_completed: Decimal, annual_plan: Decimal | None) -> Decimal | None:
    """Completed year to date ÷ annual plan; None without a plan (a rate of nothing is undefined, not 0)."""
    return ratio(ytd_completed, annual_plan or ZERO)


@dataclass(frozen=True)
class Progress:
    """One project's (or one list's) year to date at the end of `month`. Amounts in 万元."""

    month: int
    ytd_completed: Decimal = ZERO  # approved reports, January to `month`
    annual_plan: Decimal | None = None  # None: no plan for the year
    phased_to_date: Decimal = ZERO  # phased plan months 1..month
    phased_whole: Decimal = ZERO  # every phased month of the year
    phased: bool = False  # the plan is phased by month (even if some phased months are zero)

    @property
    def time_progress(self) -> Decimal:
        return time_progress(self.month)

    @property
    def planned_to_date(self) -> Decimal | None:
        if self.annual_plan is None:
            return None
        return self.phased_to_date + (self.annual_plan - self.phased_whole) * self.time_progress

    @property
    def planned_progress(self) -> Decimal:
        """Planned to date ÷ annual plan; time progress where there is no plan to divide by."""
        share = ratio(self.planned_to_date or ZERO, self.annual_plan or ZERO)
        return self.time_progress if share is None else share

    @property
    def completion_rate(self) -> Decimal | None:
        return completion_rate(self.ytd_completed, self.annual_plan)

    @property
    def deviation_points(self) -> Decimal | None:
        """Completion rate − planned progress in percentage points (half-up, 2 decimals); None without a plan."""
        rate = self.completion_rate
        return None if rate is None else percent(rate - self.planned_progress)

    @property
    def behind_points(self) -> Decimal | None:
        """Points behind the planned progress (negative when ahead), as shown and compared by the lights."""
        deviation = self.deviation_points
        return None if deviation is None else -deviation

    def with_amount(self, amount: Decimal) -> Progress:
        """The same year to date with one more amount (a report not yet approved, to show what it would do)."""
        return Progress(
            month=self.month,
            ytd_completed=self.ytd_completed + amount,
            annual_plan=self.annual_plan,
            phased_to_date=self.phased_to_date,
            phased_whole=self.phased_whole,
            phased=self.phased,
        )


def combined(month: int, parts: Iterable[Progress]) -> Progress:
    """Several projects' progress as one (a level tag's list): amounts added, the plan curve weighted by plan."""
    ytd = plan = to_date = whole = ZERO
    phased = False
    for part in parts:
        ytd += part.ytd_completed
        plan += part.annual_plan or ZERO
        to_date += part.phased_to_date
        whole += part.phased_whole
        phased = phased or part.phased
    return Progress(
        month=month,
        ytd_completed=ytd,
        annual_plan=plan,
        phased_to_date=to_date,
        phased_whole=whole,
        phased=phased,
    )
