"""Year-end projection of investment completed: warns earlier than comparing with time progress.

The year-to-date figure is divided by the share of a year's investment that is usually done by this month:
1. earlier years' monthly curves (`history`): the average cumulative share at this month of the earlier years
   that have all twelve months (each year weighted equally);
2. otherwise the phased plan (`phased_plan`): planned to date ÷ annual plan;
3. otherwise months elapsed ÷ 12 (`linear`): the months that exist, scaled to the year.

An earlier year the project only partly covers (it started in June) says nothing about the months before its
start, so it is left out; a curve that has done nothing by this month cannot divide. Either way the projection
goes on to the next basis and is flagged `short_history`, so that a figure is always given (a list's total
never silently leaves a project out) and the reader is told it rests on less history.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from guatu.lib.money import round_half_up
from guatu.lib.progress import time_progress

MonthlyAmounts = Sequence[Decimal | None]  # twelve months; None for a month without an approved amount


@dataclass(frozen=True)
class Projection:
    year_end: Decimal | None  # 万元, to the cent; None only when nothing at all can be said
    basis: str  # "history", "phased_plan" or "linear"
    share_to_date: Decimal | None
    below_plan: bool  # projects below the annual plan
    years_used: tuple[int, ...] = ()  # earlier years whose curves gave the share
    partial_years: tuple[int, ...] = ()  # earlier years with investment left out: not all twelve months

    @property
    def short_history(self) -> bool:
        """The projection rests on less history than the project has (a partial or unusable earlier year)."""
        return bool(self.partial_years)


def _full(monthly: MonthlyAmounts) -> bool:
    return len(monthly) == 12 and all(amount is not None for amount in monthly)


def cumulative_share(monthly: MonthlyAmounts, month: int) -> Decimal | None:
    """Share of a full year's total done by the end of `month`; None for a partial year or one with nothing."""
    if not _full(monthly):
        return None
    total = sum(monthly, Decimal(0))
    if not total:
        return None
    return sum(monthly[:month], Decimal(0)) / total


def project_year_end(
    *,
    ytd: Decimal,
    month: int,
    annual_plan: Decimal | None,
    history: Mapping[int, MonthlyAmounts] | None = None,
    planned_to_date: Decimal | None = None,
) -> Projection:
    """history: {year: 12 monthly amounts, None where a month has none} of earlier years; planned_to_date:
    the phased plan to `month` (None when the plan is not phased)."""
    history = history or {}
    used = {y: s for y, m in sorted(history.items()) if (s := cumulative_share(m, month)) is not None}
    left_out = [y for y, m in sorted(history.items()) if y not in used and any(a for a in m if a)]
    share = sum(used.values(), Decimal(0)) / len(used) if used else None
    basis = "history"
    if not share:  # no usable earlier year, or their curves had done nothing by this month
        left_out = sorted(set(left_out) | set(used))
        used = {}
        if planned_to_date and annual_plan:
            basis, share = "phased_plan", Decimal(planned_to_date) / Decimal(annual_plan)
        else:
            basis, share = "linear", time_progress(month)
    year_end = round_half_up(Decimal(ytd) / share, 2)
    return Projection(
        year_end=year_end,
        basis=basis,
        share_to_date=share,
        below_plan=bool(annual_plan) and year_end < annual_plan,
        years_used=tuple(used),
        partial_years=tuple(left_out),
    )
