"""Computing a scheme for one period: points per indicator, rescaling, bonus/penalty, rank, grade.

Rounding (ROUND_HALF_UP, `scheme.decimals` places, 2 by default) happens at exactly these points:
1. each indicator's points, after process weighting;
2. the rescaled base score when some indicators are left out (not applicable to the unit, or limited to
   other groups): every unit is scored on the scheme's full weight, base × full weight / applied weight;
bonus and penalty are summed exactly and capped; total = base + bonus − penalty needs no rounding.

Ranking within a group: higher total first; on equal totals a vetoed unit comes after one that is not; then
the points of the tie-break indicators (the scheme's `tie_break`, else by descending weight) compared in
order; units still equal share a place (1, 2, 2, 4). Grades: the best grade whose minimum the total reaches;
a veto caps the grade (`not_top`: not the first grade; `lowest`: the last); then quotas are filled in rank
order: a grade with quota q holds at most ⌊q × group size⌋ units, units sharing a place at the quota's edge
are admitted together only if all fit, and those left out drop to the next grade with room. A grade refused
to a unit for lack of room is closed to every unit ranked below it, so grades never improve down the ranking
(vetoed units aside, whose grade the veto caps).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_DOWN, ROUND_HALF_UP, Decimal

from guatu.lib.scoring.scheme import Indicator, Scheme
from guatu.lib.scoring.values import Values

ZERO = Decimal(0)
ONE = Decimal(1)

# Why an indicator was left out of a unit's score (and the rest rescaled to the scheme's full weight).
NOT_APPLICABLE = "not_applicable"  # marked not applicable for the unit (scheme or values file)
NOT_FOR_GROUP = "not_for_group"  # the indicator is limited to other groups
_LEFT_OUT_HOW = {
    NOT_APPLICABLE: "本单位不适用此指标",
    NOT_FOR_GROUP: "本组不考核此指标",
}


class ScoringError(ValueError):
    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass
class IndicatorScore:
    code: str
    points: Decimal | None  # None: not applicable
    value: Decimal | None
    how: str  # the arithmetic, for the score card
    max_points: Decimal


@dataclass
class UnitResult:
    unit: str
    group: str
    scores: dict[str, IndicatorScore] = field(default_factory=dict)
    base: Decimal = ZERO  # sum of indicator points
    rescaled: Decimal = ZERO  # base scaled to the scheme's full weight when indicators are left out
    rescaled_for: dict[str, str] = field(default_factory=dict)  # indicator code → NOT_APPLICABLE / NOT_FOR_GROUP
    bonus: Decimal = ZERO
    penalty: Decimal = ZERO
    total: Decimal = ZERO
    vetoed: bool = False
    rank: int = 0
    grade: str = ""


@dataclass
class GroupResult:
    code: str
    name: str
    units: list[UnitResult]


@dataclass
class SchemeResult:
    scheme: str
    period: str
    groups: list[GroupResult]

    def unit(self, name: str) -> UnitResult:
        for group in self.groups:
            for result in group.units:
                if result.unit == name:
                    return result
        raise KeyError(name)


_QUANTA = {places: Decimal(1).scaleb(-places) for places in range(9)}  # 0 → 1, 2 → 0.01, built once


def _q(value: Decimal, places: int) -> Decimal:
    quantum = _QUANTA.get(places)
    return value.quantize(Decimal(1).scaleb(-places) if quantum is None else quantum, rounding=ROUND_HALF_UP)


def _fmt(value: Decimal) -> str:
    """A figure as a person writes it: no exponent and no trailing zeros (88.4000 → 88.4, 1E+2 → 100)."""
    return format(value.normalize(), "f")


# --- the methods: each gives unrounded points for one unit at one period ----------------------------------------
# With `how=False` a method leaves out the arithmetic's text (the what-if's trials read only the points).


def _completion(
    ind: Indicator, unit: str, x: Decimal, target: Decimal | None, how: bool = True
) -> tuple[Decimal, str]:
    if target is None or target <= 0:
        raise ScoringError([f"{unit} / {ind.code}: 完成率法需要大于 0 的目标值"])
    if ind.higher_is_better:
        ratio = max(x, ZERO) / target
        text = f"{_fmt(ind.weight)} × min({_fmt(x)}/{_fmt(target)}, {_fmt(ind.cap)})" if how else ""
    else:
        ratio = ind.cap if x <= 0 else target / x
        text = f"{_fmt(ind.weight)} × min({_fmt(target)}/{_fmt(x)}, {_fmt(ind.cap)})" if how else ""
    return ind.weight * min(ratio, ind.cap), text


def _efficacy(ind: Indicator, x: Decimal, peers: list[Decimal], how: bool = True) -> tuple[Decimal, str]:
    if ind.worst is not None and ind.best is not None:
        worst, best = ind.worst, ind.best
    elif ind.higher_is_better:
        worst, best = min(peers), max(peers)
    else:
        worst, best = max(peers), min(peers)
    if worst == best:
        return ind.weight, f"{_fmt(ind.weight)}（组内各单位相同，得满分）" if how else ""
    share = min(max((x - worst) / (best - worst), ZERO), ONE)
    text = (
        f"{_fmt(ind.weight)} × (0.6 + 0.4 × ({_fmt(x)} − {_fmt(worst)})/({_fmt(best)} − {_fmt(worst)}))"
        if how
        else ""
    )
    return ind.weight * (Decimal("0.6") + Decimal("0.4") * share), text


def competition_ranks(values: dict[str, Decimal], higher_is_better: bool) -> dict[str, int]:
    """1, 2, 2, 4: equal values share the better place (1 + how many are strictly better)."""
    ordered = sorted(values.values())
    if higher_is_better:
        above = len(ordered)
        return {unit: above - bisect_right(ordered, x) + 1 for unit, x in values.items()}
    return {unit: bisect_left(ordered, x) + 1 for unit, x in values.items()}


def _rank_points(ind: Indicator, place: int, how: bool = True) -> tuple[Decimal, str]:
    points = max(ind.weight - (place - 1) * ind.step, ind.floor)
    if not how:
        return points, ""
    return (
        points,
        f"第{place}名：{_fmt(ind.weight)} − ({place} − 1) × {_fmt(ind.step)}，不低于 {_fmt(ind.floor)}",
    )


def _short(value: Decimal) -> str:
    """A figure in a "how" text: at most 4 places (half up), no trailing zeros."""
    text = format(_q(value, 4), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _linear(
    ind: Indicator, unit: str, x: Decimal, target: Decimal | None, how: bool = True
) -> tuple[Decimal, str]:
    """Full marks at the target; `deduct` per step worse, `add` per step better; within floor and ceiling."""
    if target is None:
        raise ScoringError([f"{unit} / {ind.code}: 线性扣分法需要目标值"])
    if ind.basis == "completion_rate":
        if target <= 0:
            raise ScoringError([f"{unit} / {ind.code}: 按完成率计分需要大于 0 的目标值"])
        measured, aim = 100 * x / target, Decimal(100)
    else:
        measured, aim = x, target
    better = measured - aim if ind.higher_is_better else aim - measured
    return _linear_points(ind, better), _linear_how(ind, x, target, measured, better) if how else ""


def _linear_points(ind: Indicator, better: Decimal) -> Decimal:
    """How far the value is on the better side of the target (negative: worse) → points."""
    if better == 0:
        return ind.weight
    steps = abs(better) / ind.per
    if ind.whole_steps:
        steps = steps.to_integral_value(rounding=ROUND_CEILING)
    if better < 0:
        return max(ind.weight - ind.deduct * steps, ind.floor)
    if ind.add:
        return min(ind.weight + ind.add * steps, ind.top)
    return ind.weight


def _linear_how(ind: Indicator, x: Decimal, target: Decimal, measured: Decimal, better: Decimal) -> str:
    """_linear_points written out, with the gap and the steps it counts."""
    if ind.basis == "completion_rate":
        prefix, aim_text, gap_unit = f"完成率 {_short(measured)}%（{_fmt(x)}/{_fmt(target)}），", "100%", " 个百分点"
    else:
        prefix, aim_text, gap_unit = "", _fmt(target), ""
    if better == 0:
        return f"{prefix}达到目标 {aim_text}：{_fmt(ind.weight)}"
    worse_word, better_word = ("低于", "高于") if ind.higher_is_better else ("高于", "低于")
    gap = abs(better)
    steps = gap / ind.per
    whole = ""
    if ind.whole_steps:
        steps = steps.to_integral_value(rounding=ROUND_CEILING)
        whole = f"，不足 {_fmt(ind.per)} 按 {_fmt(ind.per)} 计"
    per = f"每 {_fmt(ind.per)}"
    if better < 0:
        how = (
            f"{_fmt(ind.weight)} − {_fmt(ind.deduct)} × {_short(steps)}（{worse_word}目标 {aim_text} 共 "
            f"{_short(gap)}{gap_unit}{whole}，{per} 扣 {_fmt(ind.deduct)}，最低 {_fmt(ind.floor)}）"
        )
    elif ind.add:
        how = (
            f"{_fmt(ind.weight)} + {_fmt(ind.add)} × {_short(steps)}（{better_word}目标 {aim_text} 共 "
            f"{_short(gap)}{gap_unit}{whole}，{per} 加 {_fmt(ind.add)}，最高 {_fmt(ind.top)}）"
        )
    else:
        how = f"{_fmt(ind.weight)}（{better_word}目标 {aim_text}，不加分）"
    return prefix + how


def _threshold(ind: Indicator, x: Decimal, how: bool = True) -> tuple[Decimal, str]:
    for band in ind.bands:
        if band.matches(x):
            if not how:
                return band.points, ""
            edges = [f"≥{_fmt(band.min)}"] if band.min is not None else []
            edges += [f"≤{_fmt(band.max)}"] if band.max is not None else []
            where = f" {'、'.join(edges)} 档" if edges else "其余情形"
            return band.points, f"{_fmt(x)} 落在{where}：{_fmt(band.points)} 分"
    return ZERO, f"{_fmt(x)} 不在任何档：0 分" if how else ""


# --- one indicator over a group ---------------------------------------------------------------------------------


def _periods_for(ind: Indicator, period: str) -> list[tuple[str, Decimal]]:
    """(period, share) pairs: the process months up to `period`, or just `period` itself."""
    if not ind.process:
        return [(period, ONE)]
    year, month = period[:4], int(period[5:7]) if len(period) == 7 else 12
    return [(f"{year}-{m:02d}", share) for m, share in ind.process if m <= month]


def score_indicator(
    ind: Indicator,
    group: str,
    units: list[str],
    values: Values,
    period: str,
    places: int,
    errors: list[str],
    *,
    how: bool = True,
) -> dict[str, IndicatorScore]:
    """The indicator's points for each of the units (`how=False`: without the arithmetic's text)."""
    steps = _periods_for(ind, period)
    if not steps:
        errors.append(f"{ind.code}: {period} 之前没有过程考核时点")
        return {}
    totals: dict[str, Decimal] = {}
    hows: dict[str, list[str]] = {}
    last_value: dict[str, Decimal | None] = {}
    applicable: set[str] = {u for u in units if ind.applies_to(group, u)}
    shares: dict[str, Decimal] = {}
    for step_period, share in steps:
        xs: dict[str, Decimal] = {}
        targets: dict[str, Decimal | None] = {}
        for unit in (u for u in units if u in applicable):
            item = values.get(unit, ind.code, step_period)
            if item is None:
                errors.append(f"缺少数据：{unit} / {ind.code}（{ind.name}）/ {step_period}")
                continue
            if item.value is None:
                continue  # not applicable this period
            xs[unit] = item.value
            targets[unit] = item.target if item.target is not None else ind.targets.get(unit, ind.target)
        if not xs:
            continue
        ranks = competition_ranks(xs, ind.higher_is_better) if ind.method == "rank" else {}
        peers = list(xs.values())
        label = f"{step_period}×{_fmt(share)}：" if ind.process and how else ""
        for unit, x in xs.items():
            try:
                if ind.method == "completion_rate":
                    points, text = _completion(ind, unit, x, targets[unit], how)
                elif ind.method == "efficacy":
                    points, text = _efficacy(ind, x, peers, how)
                elif ind.method == "rank":
                    points, text = _rank_points(ind, ranks[unit], how)
                elif ind.method == "linear":
                    points, text = _linear(ind, unit, x, targets[unit], how)
                else:
                    points, text = _threshold(ind, x, how)
            except ScoringError as exc:
                errors.extend(exc.errors)
                continue
            totals[unit] = totals.get(unit, ZERO) + share * points
            shares[unit] = shares.get(unit, ZERO) + share
            if how:
                hows.setdefault(unit, []).append(label + text)
            last_value[unit] = x
    out = {}
    max_points = ind.max_points
    for unit in units:
        if unit not in totals:
            out[unit] = IndicatorScore(ind.code, None, None, _LEFT_OUT_HOW[NOT_APPLICABLE], max_points)
            continue
        # Process weighting over the time points reached so far, renormalised to their shares.
        points = _q(totals[unit] / shares[unit], places)
        text = "；".join(hows.get(unit, ()))
        out[unit] = IndicatorScore(ind.code, points, last_value[unit], text, max_points)
    return out


# --- the whole scheme -------------------------------------------------------------------------------------------


def _capped(items: Iterable[Decimal], cap: Decimal | None) -> Decimal:
    total = sum(items, ZERO)
    return total if cap is None else min(total, cap)


def rank_key(r: UnitResult, order: list[str]) -> tuple:
    """What ranks a unit in its group, smallest first: a unit's place is 1 + the number of its group's
    units with a smaller key."""
    tie = tuple(-(r.scores[c].points or ZERO) if c in r.scores else ZERO for c in order)
    return (-r.total, r.vetoed, *tie)


def _rank_group(results: list[UnitResult], order: list[str]) -> None:
    def key(r: UnitResult):
        return rank_key(r, order)

    ordered = sorted(results, key=lambda r: (key(r), r.unit))
    for index, result in enumerate(ordered):
        if index and key(result) == key(ordered[index - 1]):
            result.rank = ordered[index - 1].rank
        else:
            result.rank = index + 1
    results.sort(key=lambda r: (r.rank, r.unit))


def _grade_group(results: list[UnitResult], scheme: Scheme) -> None:
    grades = scheme.grades
    last = len(grades) - 1
    room: list[int | None] = [
        None if g.quota is None else int((g.quota * len(results)).to_integral_value(rounding=ROUND_DOWN))
        for g in grades
    ]
    # A grade once refused to a unit for lack of room is refused to every unit ranked below it too, so
    # that a seat left unused by units tied at a quota's edge never goes to a unit ranked lower.
    refused: set[int] = set()
    places: dict[int, list[UnitResult]] = {}
    for r in results:
        places.setdefault(r.rank, []).append(r)
    for rank in sorted(places):
        # Units sharing a place, by the grade their score (and any veto) earns them.
        earned: dict[int, list[UnitResult]] = {}
        for r in places[rank]:
            index = next(i for i, g in enumerate(grades) if g.min is None or r.total >= g.min)
            if r.vetoed:
                index = last if scheme.veto_effect == "lowest" else max(index, min(1, last))
            earned.setdefault(index, []).append(r)
        for index, members in sorted(earned.items()):
            while index < last and (
                index in refused or (room[index] is not None and room[index] < len(members))
            ):
                refused.add(index)  # no room for all of them: they and everyone below drop a grade
                index += 1
            for r in members:
                r.grade = grades[index].name
            if room[index] is not None:
                room[index] = max(room[index] - len(members), 0)


def settle_total(
    r: UnitResult, scheme: Scheme, values: Values, full_weight: Decimal, weights: dict[str, Decimal]
) -> None:
    """A unit's base, rescaled base, bonus, penalty, veto and total, from its indicator scores (`weights`:
    indicator code → weight; `full_weight`: their sum)."""
    applied = [s for s in r.scores.values() if s.points is not None]
    r.base = sum((s.points for s in applied), ZERO)
    applicable_weight = sum((weights[s.code] for s in applied), ZERO)
    r.rescaled = rescale(r.base, full_weight, applicable_weight, scheme.decimals)
    r.bonus = _capped(values.bonus.get(r.unit, []), scheme.bonus_cap)
    r.penalty = _capped(values.penalty.get(r.unit, []), scheme.penalty_cap)
    r.vetoed = any(v > 0 for v in values.veto.get(r.unit, []))
    r.total = r.rescaled + r.bonus - r.penalty


def rescale(base: Decimal, full_weight: Decimal, applicable_weight: Decimal, places: int) -> Decimal:
    """The base score scaled to the scheme's full weight when indicators were left out (rounding point 2)."""
    if applicable_weight and applicable_weight != full_weight:
        return _q(base * full_weight / applicable_weight, places)
    return base


def score_scheme(scheme: Scheme, values: Values, period: str) -> SchemeResult:
    """Compute every group of the scheme for `period` (YYYY-MM). Raises ScoringError listing all problems."""
    errors: list[str] = []
    places = scheme.decimals
    # Every unit of the scheme is scored on the same full marks, whatever its group.
    full_weight = sum((i.weight for i in scheme.indicators), ZERO)
    weights = {i.code: i.weight for i in scheme.indicators}
    groups = []
    for group in scheme.groups:
        units = list(group.units)
        results = {u: UnitResult(unit=u, group=group.code) for u in units}
        for ind in scheme.indicators:
            if ind.groups and group.code not in ind.groups:
                for unit in units:
                    results[unit].scores[ind.code] = IndicatorScore(
                        ind.code, None, None, _LEFT_OUT_HOW[NOT_FOR_GROUP], ind.max_points
                    )
                    results[unit].rescaled_for[ind.code] = NOT_FOR_GROUP
                continue
            for unit, score in score_indicator(
                ind, group.code, units, values, period, places, errors
            ).items():
                results[unit].scores[ind.code] = score
                if score.points is None:
                    results[unit].rescaled_for[ind.code] = NOT_APPLICABLE
        for r in results.values():
            settle_total(r, scheme, values, full_weight, weights)
        ordered = list(results.values())
        _rank_group(ordered, scheme.tie_break_order())
        _grade_group(ordered, scheme)
        groups.append(GroupResult(code=group.code, name=group.name, units=ordered))
    if errors:
        raise ScoringError(errors)
    return SchemeResult(scheme=scheme.code, period=period, groups=groups)
