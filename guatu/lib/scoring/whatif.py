"""What-if for a unit's score card: how much each indicator is worth per unit of improvement, and how much
improvement alone would move the unit up one place in its group (others held fixed).

Both come from scoring the scheme again with the unit's value moved, so they hold for every method: for
the linear method (线性扣减/加分) one unit of improvement is worth `deduct / per` below the target and
`add / per` above it (0 at the floor or the ceiling), and in whole steps the improvement needed is the way to
the next step's edge.

Only what a move can change is scored again (`_Probe`): the one indicator, without its "how" text, for the
unit alone, or for its group where the points depend on the peers (efficacy against the group's worst and best,
rank); every other figure is the baseline's, a peer whose points did not move keeps its total and place, and
groups never affect each other. The result is the same as re-scoring the whole scheme: a total is the
baseline's base moved by the difference of the indicator's points, which is exact because every point is
rounded to the scheme's places, then rescaled and settled as the engine's `settle_total` does (`_Group.settled`,
which falls back to `settle_total` itself where an indicator stops or starts applying), and places compare the
engine's `rank_key`s. The baseline is scored once per unit, or once for all units when the caller passes it.

The improvement needed is the least whole cent that is enough (the card shows it to the cent). Improving one
value never worsens the unit's place under any method (each method's points rise with a better value, a
peer's never do), so a binary search over cents finds it."""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import NamedTuple

from guatu.lib.scoring.engine import (
    IndicatorScore,
    SchemeResult,
    UnitResult,
    rank_key,
    rescale,
    score_indicator,
    score_scheme,
    settle_total,
)
from guatu.lib.scoring.scheme import Indicator, Scheme
from guatu.lib.scoring.values import Value, Values

ZERO = Decimal(0)
CENT = Decimal("0.01")
WIDENINGS = 12  # the improvement tried grows ×4 from the current value this many times before giving up
# A search bracket this wide once needed more than a cent's precision from the former 40-step bisection: kept
# for such (absurdly large) brackets so that the figure stays the one the cards have always shown.
SEARCH_STEPS = 40
BISECTION_BELOW = Decimal(2**SEARCH_STEPS) * Decimal("0.005")


# Measures of countable things: the improvement needed is a whole number of them, rounded up (30.01 more
# households means 31: thirty are not enough).
COUNTED_MEASURES = frozenset(
    {
        "户",
        "个",
        "家",
        "起",
        "件",
        "人",
        "人次",
        "项",
        "次",
        "座",
        "所",
        "台",
        "辆",
        "套",
        "间",
        "名",
        "宗",
        "处",
        "条",
        "份",
        "例",
        "批",
        "株",
        "头",
    }
)


def needed_improvement(amount: Decimal, measure: str) -> Decimal:
    """The improvement to show for a measure: whole things, rounded up, for a count; the amount otherwise."""
    if (measure or "").strip() in COUNTED_MEASURES:
        return amount.to_integral_value(rounding=ROUND_CEILING)
    return amount


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


class _Moved:
    """The values as read by the engine, with the unit's value of one indicator improved by `delta` (up for
    higher-is-better, down for lower; every process time point, or just `period`), without a copy."""

    __slots__ = ("items", "unit", "code", "period", "process", "shift")

    def __init__(self, values: Values, unit: str, ind: Indicator, period: str, delta: Decimal):
        self.items, self.unit, self.code, self.period = values.items, unit, ind.code, period
        self.process = bool(ind.process)
        self.shift = (1 if ind.higher_is_better else -1) * delta

    def get(self, unit: str, indicator: str, period: str) -> Value | None:
        item = self.items.get((unit, indicator, period))
        if (
            item is None
            or item.value is None
            or unit != self.unit
            or indicator != self.code
            or not (self.process or period == self.period)
        ):
            return item
        return Value(item.value + self.shift, item.target)


class _Group:
    """What every trial in one unit's group reads from the baseline, worked out once: the group's results, each
    unit's rank key and the weight it is scored on, the tie-break order and where each code sits in a key."""

    def __init__(self, scheme: Scheme, values: Values, result: SchemeResult, group_code: str):
        self.scheme, self.values = scheme, values
        self.group = next(g for g in result.groups if g.code == group_code)
        self.baseline = {u.unit: u for u in self.group.units}
        self.order = scheme.tie_break_order()
        self.keys = {u.unit: rank_key(u, self.order) for u in self.group.units}
        self.weights = {i.code: i.weight for i in scheme.indicators}
        self.full_weight = sum(self.weights.values(), ZERO)
        self.applied_weight = {
            u.unit: sum((self.weights[s.code] for s in u.scores.values() if s.points is not None), ZERO)
            for u in self.group.units
        }
        self.tie_positions: dict[str, list[int]] = {}
        for index, code in enumerate(self.order):  # rank_key: (−total, vetoed, *tie-break points)
            self.tie_positions.setdefault(code, []).append(2 + index)

    def settled(self, was: UnitResult, code: str, score: IndicatorScore) -> tuple[Decimal, tuple]:
        """The total and rank key of `was` with its score of `code` replaced, as settle_total and rank_key give
        them. Where the indicator stays applied the base moves by the difference of the points: every point is
        rounded to the scheme's places, so the sum is exact in any order and has the same digits."""
        before = was.scores[code].points
        if before is None or score.points is None:
            now = replace(was, scores={**was.scores, code: score})
            settle_total(now, self.scheme, self.values, self.full_weight, self.weights)
            return now.total, rank_key(now, self.order)
        base = was.base - before + score.points
        total = rescale(base, self.full_weight, self.applied_weight[was.unit], self.scheme.decimals)
        total = total + was.bonus - was.penalty
        key = list(self.keys[was.unit])
        key[0] = -total
        for index in self.tie_positions.get(code, ()):
            key[index] = -score.points
        return total, tuple(key)


class _Standing(NamedTuple):
    total: Decimal
    rank: int


class _Probe:
    """The unit's total and place with its value of one indicator moved, re-scoring only what can change."""

    def __init__(self, scheme: Scheme, values: Values, period: str, group: _Group, unit: str, ind: Indicator):
        self.scheme, self.values, self.period, self.unit, self.ind = scheme, values, period, unit, ind
        self.base = group
        peers_count = ind.method == "rank" or (ind.method == "efficacy" and ind.worst is None)
        self.rescored = [u.unit for u in group.group.units] if peers_count else [unit]

    def standing(self, delta: Decimal) -> _Standing | None:
        """The unit's total and rank after the move; None where the moved scheme cannot be scored."""
        errors: list[str] = []
        moved = _Moved(self.values, self.unit, self.ind, self.period, delta)
        base, code = self.base, self.ind.code
        scheme, ind = self.scheme, self.ind
        scores = score_indicator(
            ind, base.group.code, self.rescored, moved, self.period, scheme.decimals, errors, how=False
        )
        if errors:
            return None
        changed: dict[str, tuple] = {}
        for name, score in scores.items():
            was = base.baseline[name]
            before = was.scores[code].points
            if name != self.unit and (before is None) == (score.points is None) and before == score.points:
                continue  # a peer whose points did not move keeps its total and its key
            total, changed[name] = base.settled(was, code, score)
            if name == self.unit:
                mine = total
        mine_key = changed[self.unit]
        rank = 1 + sum(1 for name, key in base.keys.items() if changed.get(name, key) < mine_key)
        return _Standing(mine, rank)


def what_if(
    scheme: Scheme, values: Values, period: str, unit: str, result: SchemeResult | None = None
) -> list[WhatIf]:
    """One row per indicator the unit is scored on, the biggest loss first. `result`: the scheme already
    scored on these values for this period (score_scheme), when the caller has it (every unit's what-if)."""
    result = result or score_scheme(scheme, values, period)
    mine = result.unit(unit)
    group = _Group(scheme, values, result, mine.group)
    above = [u for u in group.group.units if u.rank < mine.rank]
    target_unit = max(above, key=lambda u: u.rank, default=None)  # the nearest unit ranked above
    rows = []
    for code, score in mine.scores.items():
        ind = scheme.indicator(code)
        if score.points is None:
            continue
        probe = _Probe(scheme, values, period, group, unit, ind)
        one_up = probe.standing(Decimal(1))
        current = values.get(unit, code, period)
        rows.append(
            WhatIf(
                indicator=code,
                name=ind.name,
                points=score.points,
                max_points=score.max_points,
                lost=score.max_points - score.points,
                gain_per_unit=None if one_up is None else one_up.total - mine.total,
                to_next_place=_improvement_to_pass(probe, current, mine.rank) if target_unit else None,
                next_place_unit=target_unit.unit if target_unit else None,
            )
        )
    rows.sort(key=lambda r: (-r.lost, r.indicator))
    return rows


def _improvement_to_pass(probe: _Probe, current: Value | None, rank: int) -> Decimal | None:
    def better(delta: Decimal) -> bool:
        moved = probe.standing(delta)
        return moved is not None and moved.rank < rank

    scale = max(abs(current.value) if current and current.value is not None else ZERO, Decimal(1))
    not_enough, high = ZERO, scale
    for _ in range(WIDENINGS):  # widen until improving this indicator alone is enough, or give up
        if better(high):
            break
        not_enough, high = high, high * 4
    else:
        return None
    if high >= BISECTION_BELOW:
        return _bisected(better, high)
    # The least whole cent that is enough: above `not_enough`, at most `high` rounded up to the cent.
    low = int((not_enough / CENT).to_integral_value(rounding=ROUND_FLOOR))  # this many cents are not enough
    top = int((high / CENT).to_integral_value(rounding=ROUND_CEILING))  # this many are
    while top - low > 1:
        mid = (low + top) // 2
        if better(Decimal(mid).scaleb(-2)):
            top = mid
        else:
            low = mid
    return Decimal(top).scaleb(-2)


def _bisected(better, high: Decimal) -> Decimal:
    """The former search, for brackets too wide for it to reach a cent: bisection, then the cent."""
    low = ZERO
    for _ in range(SEARCH_STEPS):
        mid = (low + high) / 2
        if better(mid):
            high = mid
        else:
            low = mid
    cent = high.quantize(CENT, rounding="ROUND_DOWN")
    return cent if cent > 0 and better(cent) else high.quantize(CENT, rounding="ROUND_UP")
