"""What-if for a unit's score card: how much each indicator is worth per unit of improvement, and how much
improvement alone would move the unit up one place in its group (others held fixed).

Both come from scoring the scheme again with the unit's value moved, so they hold for every method: for
the linear method (线性扣减/加分) one unit of improvement is worth `deduct / per` below the target and
`add / per` above it (0 at the floor or the ceiling), and in whole steps the improvement needed is the way to
the next step's edge."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from guatu.lib.scoring.engine import ScoringError, score_scheme
from guatu.lib.scoring.scheme import Indicator, Scheme
from guatu.lib.scoring.values import Value, Values

ZERO = Decimal(0)
SEARCH_STEPS = 40  # bisection steps: the improvement needed is found to well under a cent of most measures


@dataclass(frozen=True)
class WhatIf:
    indicator: str
    name: str
    points: Decimal
    max_points: Decimal
    lost: Decimal  # max_points − points: where the unit loses most
    gain_per_unit: Decimal | None  # total points gained for one unit of improvement (None: not applicable)
    to_next_place: (
        Decimal | None
    )  # improvement (in the indicator's measure) to move up one place; None: cannot
    next_place_unit: str | None  # whom it would pass


def _moved(values: Values, unit: str, ind: Indicator, period: str, delta: Decimal) -> Values:
    """A copy of values with the unit's value improved by `delta` (up for higher-is-better, down for lower)."""
    copy = Values(items=dict(values.items), bonus=values.bonus, penalty=values.penalty, veto=values.veto)
    sign = 1 if ind.higher_is_better else -1
    periods = (
        [period] if not ind.process else [k[2] for k in values.items if k[0] == unit and k[1] == ind.code]
    )
    for p in periods:
        item = values.get(unit, ind.code, p)
        if item is not None and item.value is not None:
            copy.items[(unit, ind.code, p)] = Value(item.value + sign * delta, item.target)
    return copy


def _standing(scheme: Scheme, values: Values, period: str, unit: str):
    result = score_scheme(scheme, values, period)
    mine = result.unit(unit)
    group = next(g for g in result.groups if g.code == mine.group)
    return mine, group


def what_if(scheme: Scheme, values: Values, period: str, unit: str) -> list[WhatIf]:
    """One row per indicator the unit is scored on, the biggest loss first."""
    mine, group = _standing(scheme, values, period, unit)
    above = [u for u in group.units if u.rank < mine.rank]
    target_unit = max(above, key=lambda u: u.rank, default=None)  # the nearest unit ranked above
    rows = []
    for code, score in mine.scores.items():
        ind = scheme.indicator(code)
        if score.points is None:
            continue
        try:
            one_up, _ = _standing(scheme, _moved(values, unit, ind, period, Decimal(1)), period, unit)
            gain = one_up.total - mine.total
        except ScoringError:
            gain = None
        rows.append(
            WhatIf(
                indicator=code,
                name=ind.name,
                points=score.points,
                max_points=score.max_points,
                lost=score.max_points - score.points,
                gain_per_unit=gain,
                to_next_place=_improvement_to_pass(scheme, values, period, unit, ind, mine.rank)
                if target_unit
                else None,
                next_place_unit=target_unit.unit if target_unit else None,
            )
        )
    rows.sort(key=lambda r: (-r.lost, r.indicator))
    return rows


def _improvement_to_pass(scheme, values, period, unit, ind, rank) -> Decimal | None:
    def better(delta: Decimal) -> bool:
        try:
            moved, _ = _standing(scheme, _moved(values, unit, ind, period, delta), period, unit)
        except ScoringError:
            return False
        return moved.rank < rank

    current = values.get(unit, ind.code, period)
    scale = max(abs(current.value) if current and current.value is not None else ZERO, Decimal(1))
    high = scale
    for _ in range(12):  # widen until improving this indicator alone is enough, or give up
        if better(high):
            break
        high *= 4
    else:
        return None
    low = ZERO
    for _ in range(SEARCH_STEPS):
        mid = (low + high) / 2
        if better(mid):
            high = mid
        else:
            low = mid
    # Bisection ends just above the least improvement that is enough. Where that is exactly a cent (a
    # threshold band's edge, a whole step of the linear method), the cent itself is the answer.
    cent = high.quantize(Decimal("0.01"), rounding="ROUND_DOWN")
    return cent if cent > 0 and better(cent) else high.quantize(Decimal("0.01"), rounding="ROUND_UP")
