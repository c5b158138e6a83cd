"""Year-end projection of investment completed: warns earlier than comparing with time progress.

The year-to-date figure is divided by the share of a year's investment that is usually done by this month:
1. earlier years' monthly curves, where at least one full earlier year exists (their average cumulative share
   at this month, each year weighted equally);
2. otherwise the phased plan (planned to date ÷ annual plan);
3. otherwise months elapsed ÷ 12 (a straight line).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from guatu.lib.money import round_half_up


@dataclass(frozen=True)
class Projection:
    year_end: Decimal | None  # 万元, to the cent; None when nothing can be said (no share yet)
    basis: str  # "history", "phased_plan" or "linear"
    share_to_date: Decimal | None
    below_plan: bool  # projects below the annual plan


def cumulative_share(monthly: Sequence[Decimal], month: int) -> Decimal | None:
    """Share of a full year's total done by the end of `month`; None for a year with no investment."""
    total = sum(monthly, Decimal(0))
    if not total or len(monthly) < 12:
        return None
    return sum(monthly[:month], Decimal(0)) / total


def project_year_end(
    *,
    ytd: Decimal,
    month: int,
    annual_plan: Decimal | None,
    history: Mapping[int, Sequence[Decimal]] | None = None,
    planned_to_date: Decimal | None = None,
) -> Projection:
    """history: {year: 12 monthly amounts} of earlier full years; planned_to_date: phased plan to `month`."""
    shares = [s for s in (cumulative_share(m, month) for m in (history or {}).values()) if s is not None]
    if shares:
        basis, share = "history", sum(shares, Decimal(0)) / len(shares)
    elif planned_to_date is not None and annual_plan:
        basis, share = "phased_plan", Decimal(planned_to_date) / Decimal(annual_plan)
    else:
        basis, share = "linear", Decimal(month) / Decimal(12)
    if not share:
        return Projection(year_end=None, basis=basis, share_to_date=share, below_plan=False)
    year_end = round_half_up(Decimal(ytd) / share, 2)
    below = bool(annual_plan) and year_end < annual_plan
    return Projection(year_end=year_end, basis=basis, share_to_date=share, below_plan=below)
