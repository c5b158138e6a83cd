"""A scheme (考核办法) as data: groups of units, weighted indicators with scoring methods, bonus/penalty caps,
veto effect and grades. Built from the YAML mapping documented in docs/assessment.md, and back."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

METHODS = ("completion_rate", "efficacy", "rank", "threshold", "linear")
DIRECTIONS = ("higher", "lower")
BASES = ("value", "completion_rate")  # linear: steps of the value itself, or of its completion rate in %
VETO_EFFECTS = ("not_top", "lowest")


class SchemeError(ValueError):
    """A scheme that cannot be used; the message says where (indicator code and key)."""


# Bounds on what a scheme may hold: strings at most the length of the column they are stored in or shown
# beside (guatu/assessment/models.py: Scheme.code 50, Scheme.name 200, Indicator.name 100, Indicator.measure
# 30, OrgUnit.name 100), numbers at most IndicatorValue's digits (18, of which 4 decimal places).
MAX_CODE = 50
MAX_SCHEME_NAME = 200
MAX_NAME = 100  # indicator, group and unit names
MAX_CATEGORY = 50
MAX_MEASURE = 30
MAX_GRADE_NAME = 20
MAX_PLACES = 4
MAX_INTEGER_DIGITS = 14
MAX_WEIGHT = Decimal(1000)
MAX_CAP = Decimal(10)


@dataclass(frozen=True)
class Band:
    """A threshold-table row: a value in [min, max] (either end open when None) earns `points`."""

    points: Decimal
    min: Decimal | None = None
    max: Decimal | None = None

    def matches(self, value: Decimal) -> bool:
        return (self.min is None or value >= self.min) and (self.max is None or value <= self.max)


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    weight: Decimal
    method: str
    category: str = ""
    direction: str = "higher"
    unit: str = ""  # of measure
    cap: Decimal = Decimal(1)  # completion rate: the ratio is capped here (1.0-1.2)
    target: Decimal | None = None
    targets: dict[str, Decimal] = field(default_factory=dict)  # per unit
    worst: Decimal | None = None  # efficacy: 不允许值; None → the group's worst
    best: Decimal | None = None  # efficacy: 满意值; None → the group's best
    step: Decimal | None = None  # rank: points lost per place
    floor: Decimal = Decimal(0)  # rank and linear: never fewer points than this
    deduct: Decimal | None = None  # linear: points lost per step worse than the target
    add: Decimal = Decimal(0)  # linear: points gained per step better than the target
    per: Decimal = Decimal(1)  # linear: the size of a step (1 percentage point, 1 case, 5 firms...)
    ceiling: Decimal | None = None  # linear: never more points than this; None → the weight
    whole_steps: bool = False  # linear: a partial step counts as a whole one (不足1个百分点按1个百分点计)
    basis: str = "value"  # linear: "value" (x − target) or "completion_rate" (100 × x / target − 100)
    bands: tuple[Band, ...] = ()
    process: tuple[tuple[int, Decimal], ...] = ()  # (month, share): quarterly process weighting
    groups: frozenset[str] = frozenset()  # empty: every group
    not_applicable: frozenset[str] = frozenset()  # units for which it does not count

    @property
    def higher_is_better(self) -> bool:
        return self.direction == "higher"

    @property
    def max_points(self) -> Decimal:
        if self.method == "completion_rate":
            return self.weight * max(self.cap, Decimal(1))
        if self.method == "linear":
            return self.top
        return self.weight

    @property
    def top(self) -> Decimal:
        """Linear: the most points, the weight unless additions above the target may go beyond it."""
        return self.weight if self.ceiling is None else self.ceiling

    def applies_to(self, group: str, unit: str) -> bool:
        return (not self.groups or group in self.groups) and unit not in self.not_applicable


@dataclass(frozen=True)
class Group:
    code: str
    name: str
    units: tuple[str, ...]


@dataclass(frozen=True)
class Grade:
    name: str
    min: Decimal | None = None  # None: the catch-all last grade
    quota: Decimal | None = None  # at most this share of a group (rounded down), by rank


@dataclass(frozen=True)
class Scheme:
    code: str
    name: str
    year: int
    groups: tuple[Group, ...]
    indicators: tuple[Indicator, ...]
    grades: tuple[Grade, ...]
    bonus_cap: Decimal | None = None
    penalty_cap: Decimal | None = None
    veto_effect: str = "not_top"
    decimals: int = 2
    tie_break: tuple[str, ...] = ()  # indicator codes compared, in order, when totals are equal

    def indicator(self, code: str) -> Indicator:
        for indicator in self.indicators:
            if indicator.code == code:
                return indicator
        raise KeyError(code)

    def group_of(self, unit: str) -> Group | None:
        return next((g for g in self.groups if unit in g.units), None)

    @property
    def units(self) -> list[str]:
        return [u for g in self.groups for u in g.units]

    def tie_break_order(self) -> list[str]:
        """The scheme's tie_break list, else the indicators by descending weight (then scheme order)."""
        if self.tie_break:
            return list(self.tie_break)
        order = sorted(enumerate(self.indicators), key=lambda item: (-item[1].weight, item[0]))
        return [ind.code for _, ind in order]


# --- from and to the YAML mapping ---------------------------------------------------------------------------


def _short(text: str) -> str:
    return text if len(text) <= 20 else text[:20] + "…"


def _zh(where: str) -> str:
    """`indicator tax.weight` → `指标 tax 的 weight`, `grade 优秀.min` → `等次 优秀 的 min`."""
    for prefix, word in (("indicator ", "指标"), ("grade ", "等次")):
        if where.startswith(prefix):
            name, _, key = where[len(prefix) :].partition(".")
            return f"{word} {name} 的 {key}" if key else f"{word} {name}"
    return f"考核办法的 {where}"


def _dec(value: Any, where: str) -> Decimal:
    if isinstance(value, bool) or value is None:
        raise SchemeError(f"{where}: expected a number, got {_short(repr(value))}")
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise SchemeError(f"{where}: expected a number, got {_short(repr(value))}") from None
    if not number.is_finite():
        raise SchemeError(f"{where}: expected a finite number, got {_short(repr(value))}")
    places = max(-number.as_tuple().exponent, 0)
    if places > MAX_PLACES or abs(number) >= Decimal(10) ** MAX_INTEGER_DIGITS:
        raise SchemeError(
            f"{_zh(where)}：数字最多 {MAX_INTEGER_DIGITS} 位整数、{MAX_PLACES} 位小数，"
            f"不能是 {_short(str(value))}"
        )
    return number


def _text(value: Any, where: str, max_length: int) -> str:
    """A name or code: text (or a plain number, such as a year used as a code) of at most max_length."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise SchemeError(f"{where}：应为文字，不能是 {_short(repr(value))}")
    text = str(value)
    if len(text) > max_length:
        raise SchemeError(f"{where}：最多 {max_length} 个字符，现有 {len(text)} 个")
    return text


def _texts(values: Any, where: str, max_length: int) -> list[str]:
    if not isinstance(values, list | tuple):
        raise SchemeError(f"{where}：应为列表，如 [甲, 乙]")
    return [_text(v, where, max_length) for v in values]


def _opt_dec(value: Any, where: str) -> Decimal | None:
    return None if value is None else _dec(value, where)


def _keys(data: dict, allowed: set[str], where: str) -> None:
    unknown = set(data) - allowed
    if unknown:
        raise SchemeError(f"{where}: unknown keys {', '.join(sorted(map(str, unknown)))}")


_INDICATOR_KEYS = {
    "code",
    "name",
    "weight",
    "method",
    "category",
    "direction",
    "unit",
    "cap",
    "target",
    "targets",
    "worst",
    "best",
    "step",
    "floor",
    "deduct",
    "add",
    "per",
    "ceiling",
    "whole_steps",
    "basis",
    "bands",
    "process",
    "groups",
    "not_applicable",
}


def _indicator(raw: dict, group_codes: set[str]) -> Indicator:
    if not isinstance(raw, dict) or "code" not in raw:
        raise SchemeError(f"indicators: each indicator needs a code: {raw!r}")
    code = _text(raw["code"], f"指标 {_short(str(raw['code']))} 的 code", MAX_CODE)
    where = f"indicator {code}"
    zh = f"指标 {code} 的"
    _keys(raw, _INDICATOR_KEYS, where)
    if code in ("bonus", "penalty", "veto"):
        raise SchemeError(f"{where}: the codes bonus, penalty and veto are reserved")
    method = raw.get("method")
    if method not in METHODS:
        raise SchemeError(f"{where}: method must be one of {', '.join(METHODS)}, not {method!r}")
    direction = raw.get("direction", "higher")
    if direction not in DIRECTIONS:
        raise SchemeError(f"{where}: direction must be higher or lower, not {direction!r}")
    weight = _dec(raw.get("weight"), f"{where}.weight")
    if weight <= 0:
        raise SchemeError(f"{where}.weight must be positive")
    if weight > MAX_WEIGHT:
        raise SchemeError(f"{zh} weight：最大 {MAX_WEIGHT} 分")
    cap = _dec(raw.get("cap", 1), f"{where}.cap")
    if cap <= 0:
        raise SchemeError(f"{where}.cap must be positive")
    if cap > MAX_CAP:
        raise SchemeError(f"{zh} cap：最大 {MAX_CAP}")
    bands = tuple(
        Band(
            points=_dec(b.get("points"), f"{where}.bands[{i}].points"),
            min=_opt_dec(b.get("min"), f"{where}.bands[{i}].min"),
            max=_opt_dec(b.get("max"), f"{where}.bands[{i}].max"),
        )
        for i, b in enumerate(raw.get("bands") or [])
    )
    process_raw = raw.get("process") or {}
    if not isinstance(process_raw, dict):
        raise SchemeError(f"{where}.process: a mapping of month → share, e.g. {{3: 0.15, 6: 0.25}}")
    process = tuple(sorted((int(m), _dec(s, f"{where}.process[{m}]")) for m, s in process_raw.items()))
    indicator = Indicator(
        code=code,
        name=_text(raw.get("name", code), f"{zh} name", MAX_NAME),
        weight=weight,
        method=method,
        category=_text(raw.get("category", ""), f"{zh} category", MAX_CATEGORY),
        direction=direction,
        unit=_text(raw.get("unit", ""), f"{zh} unit", MAX_MEASURE),
        cap=cap,
        target=_opt_dec(raw.get("target"), f"{where}.target"),
        targets={
            _text(u, f"{zh} targets", MAX_NAME): _dec(t, f"{where}.targets[{_short(str(u))}]")
            for u, t in (raw.get("targets") or {}).items()
        },
        worst=_opt_dec(raw.get("worst"), f"{where}.worst"),
        best=_opt_dec(raw.get("best"), f"{where}.best"),
        step=_opt_dec(raw.get("step"), f"{where}.step"),
        floor=_dec(raw.get("floor", 0), f"{where}.floor"),
        deduct=_opt_dec(raw.get("deduct"), f"{where}.deduct"),
        add=_dec(raw.get("add", 0), f"{where}.add"),
        per=_dec(raw.get("per", 1), f"{where}.per"),
        ceiling=_opt_dec(raw.get("ceiling"), f"{where}.ceiling"),
        whole_steps=raw.get("whole_steps", False),
        basis=raw.get("basis", "value"),
        bands=bands,
        process=process,
        groups=frozenset(_texts(raw.get("groups") or [], f"{zh} groups", MAX_CODE)),
        not_applicable=frozenset(_texts(raw.get("not_applicable") or [], f"{zh} not_applicable", MAX_NAME)),
    )
    _check_indicator(indicator, group_codes)
    return indicator


def _check_indicator(ind: Indicator, group_codes: set[str]) -> None:
    where = f"indicator {ind.code}"
    if ind.method == "rank" and (ind.step is None or ind.step < 0):
        raise SchemeError(f"{where}: the rank method needs a step ≥ 0 (points lost per place)")
    if ind.method == "rank" and not Decimal(0) <= ind.floor <= ind.weight:
        raise SchemeError(f"{where}: floor must lie between 0 and the weight")
    if ind.method == "linear":
        _check_linear(ind)
    if ind.method == "threshold":
        if not ind.bands:
            raise SchemeError(f"{where}: the threshold method needs bands")
        for band in ind.bands:
            if not Decimal(0) <= band.points <= ind.weight:
                raise SchemeError(f"{where}: band points must lie between 0 and the weight {ind.weight}")
        _check_bands_monotone(ind)
    if ind.method == "efficacy" and (ind.worst is None) != (ind.best is None):
        raise SchemeError(f"{where}: give both worst and best, or neither (then the group's are used)")
    if ind.method == "efficacy" and ind.worst is not None and ind.worst == ind.best:
        raise SchemeError(f"{where}: worst and best must differ")
    if ind.process:
        months = [m for m, _ in ind.process]
        if any(not 1 <= m <= 12 for m in months):
            raise SchemeError(f"{where}.process: months are 1-12")
        if sum((s for _, s in ind.process), Decimal(0)) != 1:
            raise SchemeError(f"{where}.process: the shares must add up to 1")
    unknown = ind.groups - group_codes
    if unknown:
        raise SchemeError(f"{where}.groups: no such group {', '.join(sorted(unknown))}")


def _check_linear(ind: Indicator) -> None:
    zh = f"指标 {ind.code} 的"
    if ind.deduct is None or ind.deduct < 0:
        raise SchemeError(f"{zh} deduct：线性扣分法需要每步扣分（0 或以上），如 deduct: 0.5")
    if ind.add < 0:
        raise SchemeError(f"{zh} add：每步加分应为 0 或以上")
    if ind.per <= 0:
        raise SchemeError(f"{zh} per：每步的大小应大于 0（如 1 个百分点、1 起）")
    if not Decimal(0) <= ind.floor <= ind.weight:
        raise SchemeError(f"{zh} floor：最低分应在 0 与权重 {ind.weight} 之间")
    if not ind.weight <= ind.top <= 2 * ind.weight:
        raise SchemeError(f"{zh} ceiling：最高分应在权重 {ind.weight} 与其两倍之间")
    if ind.basis not in BASES:
        raise SchemeError(f"{zh} basis：应为 value（按数值）或 completion_rate（按完成率），不能是 {ind.basis!r}")
    if not isinstance(ind.whole_steps, bool):
        raise SchemeError(f"{zh} whole_steps：应为 true 或 false")
    if ind.basis == "completion_rate":
        targets = [ind.target, *ind.targets.values()]
        if any(t is not None and t <= 0 for t in targets):
            raise SchemeError(f"{zh} target：按完成率计分时目标值应大于 0")


def linear_rule_text(raw: dict) -> str:
    """A checked linear indicator's rule in words, for the scheme page:
    以目标值为满分 10 分，每低 1 扣 0.5 分，最低 0 分；每高 1 加 0.2 分，最高 12 分；不足 1 按 1 计."""

    def fmt(value) -> str:
        text = format(Decimal(str(value)), "f")
        return text.rstrip("0").rstrip(".") if "." in text else text

    higher = raw.get("direction", "higher") == "higher"
    worse, better = ("低", "高") if higher else ("高", "低")
    step = fmt(raw.get("per", 1)) + ("个百分点" if raw.get("basis") == "completion_rate" else "")
    text = (
        f"以目标值为满分 {fmt(raw['weight'])} 分，每{worse} {step} 扣 {fmt(raw['deduct'])} 分，"
        f"最低 {fmt(raw.get('floor', 0))} 分"
    )
    if raw.get("add"):
        text += f"；每{better} {step} 加 {fmt(raw['add'])} 分，最高 {fmt(raw.get('ceiling', raw['weight']))} 分"
    if raw.get("whole_steps"):
        text += f"；不足 {step} 按 {step} 计"
    return text


def _check_bands_monotone(ind: Indicator) -> None:
    """A better value never earns fewer points: checked on a grid of the band edges."""
    edges = sorted({e for b in ind.bands for e in (b.min, b.max) if e is not None})
    probes = edges + [e + Decimal("0.000001") for e in edges] + [e - Decimal("0.000001") for e in edges]
    points = []
    for value in sorted(probes):
        match = next((b.points for b in ind.bands if b.matches(value)), Decimal(0))
        points.append(match)
    ordered = points if ind.higher_is_better else list(reversed(points))
    if any(later < earlier for earlier, later in zip(ordered, ordered[1:], strict=False)):
        raise SchemeError(f"indicator {ind.code}: bands give fewer points for a better value")


_SCHEME_KEYS = {
    "code",
    "name",
    "year",
    "groups",
    "indicators",
    "grades",
    "bonus_cap",
    "penalty_cap",
    "veto_effect",
    "decimals",
    "tie_break",
}


def _group(raw: dict) -> Group:
    code = _text(raw["code"], f"分组 {_short(str(raw['code']))} 的 code", MAX_CODE)
    return Group(
        code=code,
        name=_text(raw.get("name", code), f"分组 {code} 的 name", MAX_NAME),
        units=tuple(_texts(raw.get("units") or [], f"分组 {code} 的 units", MAX_NAME)),
    )


def scheme_from_dict(data: dict) -> Scheme:
    """Build and check a scheme; anything malformed is a SchemeError saying where."""
    try:
        return _scheme_from_dict(data)
    except SchemeError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise SchemeError(f"malformed scheme: {type(exc).__name__}: {exc}") from None


def _scheme_from_dict(data: dict) -> Scheme:
    if not isinstance(data, dict):
        raise SchemeError("a scheme is a mapping")
    data = data.get("scheme", data)
    _keys(data, _SCHEME_KEYS, "scheme")
    for key in ("code", "name", "year", "groups", "indicators", "grades"):
        if key not in data:
            raise SchemeError(f"scheme: {key} is required")
    groups = tuple(_group(g) for g in data["groups"])
    seen_units: set[str] = set()
    for group in groups:
        for unit in group.units:
            if unit in seen_units:
                raise SchemeError(f"groups: unit {unit} is in two groups")
            seen_units.add(unit)
    group_codes = {g.code for g in groups}
    if len(group_codes) != len(groups):
        raise SchemeError("groups: group codes must be unique")
    indicators = tuple(_indicator(raw, group_codes) for raw in data["indicators"])
    codes = [i.code for i in indicators]
    if len(set(codes)) != len(codes):
        raise SchemeError("indicators: codes must be unique")
    grades = tuple(
        Grade(
            name=_text(g["name"], f"等次 {_short(str(g['name']))} 的 name", MAX_GRADE_NAME),
            min=_opt_dec(g.get("min"), f"grade {g.get('name')}.min"),
            quota=_opt_dec(g.get("quota"), f"grade {g.get('name')}.quota"),
        )
        for g in data["grades"]
    )
    if not grades or grades[-1].min is not None:
        raise SchemeError("grades: list them best first; the last one has no min (it catches the rest)")
    mins = [g.min for g in grades[:-1]]
    if any(m is None for m in mins) or mins != sorted(mins, reverse=True):
        raise SchemeError("grades: every grade but the last needs a min, in falling order")
    for g in grades:
        if g.quota is not None and not Decimal(0) < g.quota <= 1:
            raise SchemeError(f"grade {g.name}: quota is a share between 0 and 1")
    veto = data.get("veto_effect", "not_top")
    if veto not in VETO_EFFECTS:
        raise SchemeError(f"veto_effect must be not_top or lowest, not {veto!r}")
    tie_break = tuple(_texts(data.get("tie_break") or [], "考核办法的 tie_break", MAX_CODE))
    for code in tie_break:
        if code not in codes:
            raise SchemeError(f"tie_break: no indicator {code}")
    year = int(data["year"])
    if not 2000 <= year <= 2100:
        raise SchemeError(f"考核办法的 year：应为 2000 至 2100 之间的年份，不能是 {year}")
    decimals = int(data.get("decimals", 2))
    if not 0 <= decimals <= MAX_PLACES:
        raise SchemeError(f"考核办法的 decimals：保留小数位数应为 0 至 {MAX_PLACES}，不能是 {decimals}")
    return Scheme(
        code=_text(data["code"], "考核办法代码 code", MAX_CODE),
        name=_text(data["name"], "考核办法名称 name", MAX_SCHEME_NAME),
        year=year,
        groups=groups,
        indicators=indicators,
        grades=grades,
        bonus_cap=_opt_dec(data.get("bonus_cap"), "bonus_cap"),
        penalty_cap=_opt_dec(data.get("penalty_cap"), "penalty_cap"),
        veto_effect=veto,
        decimals=decimals,
        tie_break=tie_break,
    )


def _num(value: Decimal | None) -> Any:
    """Decimals out as YAML numbers: int when whole, else float (read back through str, so exact)."""
    if value is None:
        return None
    # float() is exact enough here: str(float) of a value typed with under 15 digits gives the same text back.
    return int(value) if value == value.to_integral_value() else float(value)


def scheme_to_dict(scheme: Scheme) -> dict:
    def indicator(ind: Indicator) -> dict:
        out: dict[str, Any] = {
            "code": ind.code,
            "name": ind.name,
            "category": ind.category,
            "weight": _num(ind.weight),
            "method": ind.method,
            "direction": ind.direction,
        }
        if ind.unit:
            out["unit"] = ind.unit
        if ind.cap != 1:
            out["cap"] = _num(ind.cap)
        for key in ("target", "worst", "best", "step"):
            if getattr(ind, key) is not None:
                out[key] = _num(getattr(ind, key))
        if ind.floor:
            out["floor"] = _num(ind.floor)
        if ind.method == "linear":
            out["deduct"] = _num(ind.deduct)
            if ind.add:
                out["add"] = _num(ind.add)
            if ind.per != 1:
                out["per"] = _num(ind.per)
            if ind.ceiling is not None:
                out["ceiling"] = _num(ind.ceiling)
            if ind.whole_steps:
                out["whole_steps"] = True
            if ind.basis != "value":
                out["basis"] = ind.basis
        if ind.targets:
            out["targets"] = {u: _num(t) for u, t in ind.targets.items()}
        if ind.bands:
            out["bands"] = [
                {
                    k: _num(v)
                    for k, v in (("min", b.min), ("max", b.max), ("points", b.points))
                    if v is not None
                }
                for b in ind.bands
            ]
        if ind.process:
            out["process"] = {m: _num(s) for m, s in ind.process}
        if ind.groups:
            out["groups"] = sorted(ind.groups)
        if ind.not_applicable:
            out["not_applicable"] = sorted(ind.not_applicable)
        return out

    out: dict[str, Any] = {
        "code": scheme.code,
        "name": scheme.name,
        "year": scheme.year,
        "groups": [{"code": g.code, "name": g.name, "units": list(g.units)} for g in scheme.groups],
        "indicators": [indicator(i) for i in scheme.indicators],
        "grades": [
            {
                k: v
                for k, v in (("name", g.name), ("min", _num(g.min)), ("quota", _num(g.quota)))
                if v is not None
            }
            for g in scheme.grades
        ],
        "veto_effect": scheme.veto_effect,
        "decimals": scheme.decimals,
    }
    if scheme.bonus_cap is not None:
        out["bonus_cap"] = _num(scheme.bonus_cap)
    if scheme.penalty_cap is not None:
        out["penalty_cap"] = _num(scheme.penalty_cap)
    if scheme.tie_break:
        out["tie_break"] = list(scheme.tie_break)
    return {"scheme": out}
