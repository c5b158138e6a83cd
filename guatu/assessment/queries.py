"""Named reads for assessment: score cards, benchmarking (对标对表), the headline panel, the checklist."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Max, Prefetch, Q

from guatu.assessment.computed import computed_values
from guatu.assessment.models import (
    STRENGTH_CATEGORIES,
    AssessmentItem,
    Category,
    ChecklistRow,
    Direction,
    HeadlineIndicator,
    HeadlineValue,
    Indicator,
    IndicatorValue,
    PeerValue,
    ResultSnapshot,
    Scheme,
    Source,
    ValueStatus,
)
from guatu.lib.money import round_half_up
from guatu.lib.periods import Period
from guatu.lib.scoring import SchemeResult, Values, scheme_from_dict, score_scheme
from guatu.lib.scoring.engine import competition_ranks
from guatu.lib.scoring.scheme import Scheme as SchemeSpec
from guatu.lib.scoring.whatif import what_if
from guatu.orgs.models import OrgUnit


@dataclass(frozen=True)
class Card:
    unit: str
    group: str
    rank: int
    group_size: int
    grade: str
    total: str
    base: str
    rescaled: str
    bonus: str
    penalty: str
    vetoed: bool
    indicators: list[dict]  # code, name, weight, points, value, how, lost, gain_per_unit, to_next_place
    next_place_unit: str | None


def score_card(snapshot: ResultSnapshot, unit_name: str) -> Card | None:
    """A unit's card from a frozen snapshot: its points and how, where it loses most, and the what-if."""
    for group in snapshot.results["groups"]:
        for u in group["units"]:
            if u["unit"] != unit_name:
                continue
            spec = scheme_from_dict(snapshot.definition)
            rows = card_what_if(snapshot, unit_name, spec)
            by_code = {r["indicator"]: r for r in rows}
            indicators = []
            for ind in spec.indicators:
                scored = u["indicators"].get(ind.code)
                if scored is None:
                    continue
                w = by_code.get(ind.code)
                indicators.append(
                    {
                        "code": ind.code,
                        "name": ind.name,
                        "category": ind.category,
                        "weight": ind.weight,
                        "max_points": ind.max_points,
                        "points": scored["points"],
                        "value": scored["value"],
                        "how": scored["how"],
                        "lost": None if w is None else _decimal(w["lost"]),
                        "gain_per_unit": None if w is None else _decimal(w["gain_per_unit"]),
                        "to_next_place": None if w is None else _decimal(w["to_next_place"]),
                    }
                )
            indicators.sort(key=lambda i: (i["lost"] is None, -(i["lost"] or 0)))
            return Card(
                unit=unit_name,
                group=group["name"],
                rank=u["rank"],
                group_size=len(group["units"]),
                grade=u["grade"],
                total=u["total"],
                base=u["base"],
                rescaled=u["rescaled"],
                bonus=u["bonus"],
                penalty=u["penalty"],
                vetoed=u["vetoed"],
                indicators=indicators,
                next_place_unit=rows[0]["next_place_unit"] if rows else None,
            )
    return None


@dataclass(frozen=True)
class Benchmark:
    indicator: Indicator
    value: Decimal | None  # this county's
    target: Decimal | None
    peer_average: Decimal | None  # of the other counties
    best_peer: str | None
    best_value: Decimal | None
    rank: int | None  # among all counties, this one included
    counties: int
    strength: bool | None  # better than the peer average
    to_next_rank: Decimal | None  # improvement needed to pass the next county above
    next_peer: str | None

    @property
    def kind(self) -> str:
        """锻长板 for the per-capita, urban and business categories, 补弱项 for the others."""
        return "lengthen" if self.indicator.category in STRENGTH_CATEGORIES else "fix"


def _of_county(model, county: OrgUnit | None, field: str = "jurisdiction"):
    """A county's approved reference rows (the checklist, peer values, headline indicators and quarters): never
    another county's, and none without a county (a row without one belongs to nobody)."""
    rows = model.objects.approved()
    return rows.filter(**{f"{field}_id": county.pk}) if county is not None else rows.none()


def latest_checklist_year(county: OrgUnit | None) -> int | None:
    return _of_county(ChecklistRow, county).aggregate(year=Max("year"))["year"]


def latest_peer_period(county: OrgUnit | None, year: int | None = None) -> Period | None:
    """The latest month with peer values of the county (in `year` if given)."""
    rows = _of_county(PeerValue, county)
    if year is not None:
        rows = rows.filter(year=year)
    latest = rows.order_by("-year", "-month").values("year", "month").first()
    return Period(latest["year"], latest["month"]) if latest else None


def latest_headline_quarter(county: OrgUnit | None) -> tuple[int, int] | None:
    """The year and quarter of the county's latest approved headline figures (of an approved indicator)."""
    latest = (
        _of_county(HeadlineValue, county, "indicator__jurisdiction")
        .filter(indicator__status=ValueStatus.APPROVED)
        .order_by("-indicator__year", "-quarter")
        .values("indicator__year", "quarter")
        .first()
    )
    return (latest["indicator__year"], latest["quarter"]) if latest else None


def benchmarks(county: OrgUnit | None, period: Period) -> list[Benchmark]:
    """Per indicator with the county's peer values for the period: where it stands among Loudi's counties."""
    peer_rows = (
        _of_county(PeerValue, county).filter(year=period.year, month=period.month).select_related("indicator")
    )
    targets = dict(
        _of_county(ChecklistRow, county).filter(year=period.year).values_list("indicator_id", "target")
    )
    by_indicator: dict[int, list[PeerValue]] = {}
    for row in peer_rows:
        by_indicator.setdefault(row.indicator_id, []).append(row)
    out = []
    for rows in by_indicator.values():
        ind = rows[0].indicator
        higher = ind.direction == Direction.HIGHER
        mine = next((r for r in rows if r.is_self), None)
        others = [r for r in rows if not r.is_self]
        ranks = competition_ranks({r.peer: r.value for r in rows}, higher)
        best = (max if higher else min)(others, key=lambda r: r.value, default=None)
        exact = sum((r.value for r in others), Decimal(0)) / len(others) if others else None
        to_next, next_peer = None, None
        if mine is not None:
            better = [r for r in rows if (r.value > mine.value if higher else r.value < mine.value)]
            if better:
                nearest = (min if higher else max)(better, key=lambda r: r.value)
                to_next, next_peer = abs(nearest.value - mine.value), nearest.peer
        strength = None
        if mine is not None and exact is not None:
            strength = mine.value > exact if higher else mine.value < exact
        # Shown to one place more than the most precise figure it averages (22.075 → 22.08), half up.
        places = min(4, 1 + max(max(-r.value.normalize().as_tuple().exponent, 0) for r in rows))
        average = None if exact is None else round_half_up(exact, places)
        out.append(
            Benchmark(
                indicator=ind,
                value=None if mine is None else mine.value,
                target=targets.get(ind.pk),
                peer_average=average,
                best_peer=None if best is None else best.peer,
                best_value=None if best is None else best.value,
                rank=None if mine is None else ranks[mine.peer],
                counties=len(rows),
                strength=strength,
                to_next_rank=to_next,
                next_peer=next_peer,
            )
        )
    out.sort(key=lambda b: (b.indicator.category, b.indicator.code))
    return out


def headline_panel(
    county: OrgUnit | None, year: int, quarter: int
) -> list[tuple[HeadlineIndicator, HeadlineValue | None]]:
    """The county's ten headline indicators with their value for the quarter (None where not yet entered)."""
    indicators = (
        _of_county(HeadlineIndicator, county)
        .filter(year=year)
        .prefetch_related(
            Prefetch(
                "values",
                queryset=HeadlineValue.objects.approved().filter(quarter=quarter),
                to_attr="this_quarter",
            )
        )
    )
    return [(ind, ind.this_quarter[0] if ind.this_quarter else None) for ind in indicators]


def checklist(county: OrgUnit | None, year: int):
    """The county's responsibility checklist (责任清单) of a year."""
    return (
        _of_county(ChecklistRow, county)
        .filter(year=year)
        .select_related("indicator", "lead_unit", "responsible_leader")
        .prefetch_related("support_units")
        .order_by("indicator__category", "id")
    )


# --- the facts a computation uses -------------------------------------------------------------------------


def _needed_periods(spec: SchemeSpec, period: Period) -> dict[str, list[str]]:
    out = {}
    for ind in spec.indicators:
        if ind.process:
            out[ind.code] = [f"{period.year:04d}-{m:02d}" for m, _share in ind.process if m <= period.month]
        else:
            out[ind.code] = [str(period)]
    return out


def gather_inputs(scheme: Scheme, period: Period, spec: SchemeSpec | None = None) -> dict:
    """The inputs a computation uses, as canonical JSON-ready rows (what a snapshot freezes).

    A fixed number of queries whatever the number of units and indicators: the units, the library, the
    approved values and the items, and one batch read per computed indicator and period
    (computed.computed_values; a figure of another app without a batch read costs a few per unit). `spec`:
    the scheme's definition already read (scheme_from_dict), if the caller has it."""
    spec = spec or scheme_from_dict(scheme.definition)
    units = {
        u.name: u
        for u in OrgUnit.objects.filter(name__in=spec.units).filter(path__startswith=scheme.jurisdiction.path)
    }
    library = {i.code: i for i in Indicator.objects.filter(code__in=[i.code for i in spec.indicators])}
    needed = _needed_periods(spec, period)
    entered_codes = [c for c, ind in library.items() if ind.source == Source.ENTERED]
    months = sorted({int(p[5:7]) for ps in needed.values() for p in ps})
    approved = {
        (unit, code, f"{period.year:04d}-{month:02d}"): (value, not_applicable, target)
        for unit, code, month, value, not_applicable, target in IndicatorValue.objects.approved()
        .filter(
            indicator__code__in=entered_codes, unit__in=units.values(), year=period.year, month__in=months
        )
        .order_by()
        .values_list("unit__name", "indicator__code", "month", "value", "not_applicable", "target")
    }
    group_of = {name: (spec.group_of(name) or spec.groups[0]).code for name in units}
    applying = {
        ind.code: [name for name in units if ind.applies_to(group_of[name], name)] for ind in spec.indicators
    }
    # Each computed figure is read once per period for every unit that needs it, whichever indicators use it.
    wanted: dict[tuple[str, str], set[str]] = {}
    for ind in spec.indicators:
        lib = library[ind.code]
        if lib.source == Source.COMPUTED:
            for p in needed[ind.code]:
                wanted.setdefault((lib.computed_key, p), set()).update(applying[ind.code])
    computed = {
        (key, p): computed_values(key, [units[name] for name in units if name in names], Period.parse(p))
        for (key, p), names in wanted.items()
    }
    rows = []
    for ind in spec.indicators:
        lib = library[ind.code]
        for p in needed[ind.code]:
            for name in applying[ind.code]:
                if lib.source == Source.COMPUTED:
                    x = computed[(lib.computed_key, p)][units[name].pk]
                    rows.append(
                        {
                            "unit": name,
                            "indicator": ind.code,
                            "period": p,
                            "value": None if x is None else format(x, "f"),
                            "target": None,
                        }
                    )
                    continue
                v = approved.get((name, ind.code, p))
                if v is None:
                    continue  # missing: the computation lists it
                value, not_applicable, target = v
                rows.append(
                    {
                        "unit": name,
                        "indicator": ind.code,
                        "period": p,
                        "value": None if not_applicable else format(value, "f"),
                        "target": None if target is None else format(target, "f"),
                    }
                )
    items = [
        {"unit": unit, "kind": kind, "points": format(points, "f")}
        for unit, kind, points in AssessmentItem.objects.filter(
            scheme=scheme, year=period.year, month=period.month
        )
        .order_by()
        .values_list("unit__name", "kind", "points")
    ]
    rows.sort(key=lambda r: (r["unit"], r["indicator"], r["period"]))
    items.sort(key=lambda r: (r["unit"], r["kind"], r["points"]))
    return {"values": rows, "items": items}


def values_of(inputs: dict) -> Values:
    values = Values()
    for row in inputs["values"]:
        values.set(
            row["unit"],
            row["indicator"],
            row["period"],
            None if row["value"] is None else Decimal(row["value"]),
            None if row.get("target") is None else Decimal(row["target"]),
        )
    for item in inputs["items"]:
        values.add_item(item["kind"], item["unit"], Decimal(item["points"]))
    return values


# --- the score card's what-if, kept per published snapshot ----------------------------------------------------


def _decimal(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


def _what_if_rows(
    spec: SchemeSpec, values: Values, period: str, unit_name: str, result: SchemeResult | None = None
) -> list[dict]:
    def text(value):
        return None if value is None else format(value, "f")

    return [
        {
            "indicator": r.indicator,
            "lost": text(r.lost),
            "gain_per_unit": text(r.gain_per_unit),
            "to_next_place": text(r.to_next_place),
            "next_place_unit": r.next_place_unit,
        }
        for r in what_if(spec, values, period, unit_name, result)
    ]


def what_if_table(snapshot: ResultSnapshot) -> dict[str, list[dict]]:
    """Every assessed unit's what-if rows (JSON-ready), computed from the snapshot's frozen inputs: what
    publication stores on the snapshot."""
    spec = scheme_from_dict(snapshot.definition)
    values = values_of(snapshot.inputs)
    result = score_scheme(spec, values, snapshot.period)  # scored once for all the units
    return {
        u["unit"]: _what_if_rows(spec, values, snapshot.period, u["unit"], result)
        for group in snapshot.results["groups"]
        for u in group["units"]
    }


def card_what_if(snapshot: ResultSnapshot, unit_name: str, spec: SchemeSpec | None = None) -> list[dict]:
    """A unit's what-if rows: those stored at publication, or computed now for a result not yet published
    (a draft changes with every recomputation, so it is not kept)."""
    if snapshot.what_if is not None and unit_name in snapshot.what_if:
        return snapshot.what_if[unit_name]
    spec = spec or scheme_from_dict(snapshot.definition)
    return _what_if_rows(spec, values_of(snapshot.inputs), snapshot.period, unit_name)


def values_to_correct(appeals) -> dict[int, IndicatorValue]:
    """The entered value each upheld appeal opens to correction (appeal pk → value), in one query."""
    if not appeals:
        return {}
    wanted = Q()
    for a in appeals:
        wanted |= Q(
            unit_id=a.unit_id, indicator__code=a.indicator_code, year=a.snapshot.year, month=a.snapshot.month
        )
    found = {
        (v.unit_id, v.indicator.code, v.year, v.month): v
        for v in IndicatorValue.objects.filter(wanted).select_related("indicator")
    }
    return {
        a.pk: found[key]
        for a in appeals
        if (key := (a.unit_id, a.indicator_code, a.snapshot.year, a.snapshot.month)) in found
    }


# --- versions of a period's result ----------------------------------------------------------------------------


def period_versions(scheme: Scheme, period: Period) -> list[ResultSnapshot]:
    """Every version of a period's result, the latest first (one query; the heavy JSON left out)."""
    return list(
        ResultSnapshot.objects.filter(scheme=scheme, year=period.year, month=period.month)
        .only("id", "scheme_id", "year", "month", "revision", "status", "published_at")
        .order_by("-revision")
    )


def snapshot_of_revision(scheme: Scheme, period: Period, revision: int) -> ResultSnapshot | None:
    return (
        ResultSnapshot.objects.filter(scheme=scheme, year=period.year, month=period.month, revision=revision)
        .select_related("computed_by", "published_by")
        .first()
    )


# --- unit against unit within the county (乡镇对标) --------------------------------------------------------

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Standing:
    """A unit's share of the full points of a category or an indicator, against its group's average."""

    code: str  # category or indicator code
    name: str
    share: Decimal  # points ÷ full points, in %
    average: Decimal  # the group's average share, in %
    gap: Decimal  # share − average, percentage points
    rank: int  # within the group, by share (1, 2, 2, 4)
    ranked: int  # units of the group scored on it

    @property
    def distance(self) -> Decimal:
        """How far from the average, above or below (the gap without its sign)."""
        return abs(self.gap)


@dataclass(frozen=True)
class UnitBenchmark:
    unit: str
    group: str
    total: str
    rank: int
    group_size: int
    categories: list[Standing]
    strengths: list[Standing]  # 锻长板: the indicators furthest above the group average
    weaknesses: list[Standing]  # 补弱项: the indicators furthest below it


def _standings(
    shares: dict[str, dict[str, Decimal]], names: dict[str, str]
) -> dict[str, dict[str, Standing]]:
    """shares[code][unit] → per unit, per code, its standing in the group."""
    out: dict[str, dict[str, Standing]] = {}
    for code, by_unit in shares.items():
        average = sum(by_unit.values(), Decimal(0)) / len(by_unit)
        ranks = competition_ranks(by_unit, True)
        for unit, share in by_unit.items():
            out.setdefault(unit, {})[code] = Standing(
                code=code,
                name=names.get(code, code),
                share=round_half_up(share, 2),
                average=round_half_up(average, 2),
                gap=round_half_up(share - average, 2),
                rank=ranks[unit],
                ranked=len(by_unit),
            )
    return out


def unit_benchmarks(
    snapshot: ResultSnapshot, units: set[str] | None = None, top: int = 3
) -> list[UnitBenchmark]:
    """Each unit of a result against the other units of its ranking group and the group's average, per
    indicator category (锻长板、补弱项). Shares of the full points (the weight; a capped completion rate may
    pass 100 %) make indicators in different measures comparable; a not-applicable indicator is left out of
    the unit's figures and of the average.

    `units`: the units to return (None: all); averages and ranks always take the whole group. One query.
    """
    spec = scheme_from_dict(snapshot.definition)
    library = {
        code: (category, name)
        for code, category, name in Indicator.objects.filter(
            code__in=[i.code for i in spec.indicators]
        ).values_list("code", "category", "name")
    }
    category_names = dict(Category.choices)
    out = []
    for group in snapshot.results["groups"]:
        by_indicator: dict[str, dict[str, Decimal]] = {}
        by_category: dict[str, dict[str, Decimal]] = {}
        full_by_category: dict[str, dict[str, Decimal]] = {}
        for u in group["units"]:
            for ind in spec.indicators:
                scored = u["indicators"].get(ind.code)
                if not scored or scored["points"] is None or not ind.weight:
                    continue
                points = Decimal(scored["points"])
                by_indicator.setdefault(ind.code, {})[u["unit"]] = points / ind.weight * HUNDRED
                category = library.get(ind.code, (Category.OTHER, ""))[0]
                by_category.setdefault(category, {}).setdefault(u["unit"], Decimal(0))
                by_category[category][u["unit"]] += points
                full_by_category.setdefault(category, {}).setdefault(u["unit"], Decimal(0))
                full_by_category[category][u["unit"]] += ind.weight
        category_shares = {
            c: {unit: points / full_by_category[c][unit] * HUNDRED for unit, points in by_unit.items()}
            for c, by_unit in by_category.items()
        }
        per_category = _standings(category_shares, {str(k): str(v) for k, v in category_names.items()})
        # A scheme row without a name is named by its code: the library's name reads better.
        names = {
            i.code: library[i.code][1] if i.name == i.code and i.code in library else i.name
            for i in spec.indicators
        }
        per_indicator = _standings(by_indicator, names)
        for u in group["units"]:
            if units is not None and u["unit"] not in units:
                continue
            indicators = list(per_indicator.get(u["unit"], {}).values())
            out.append(
                UnitBenchmark(
                    unit=u["unit"],
                    group=group["name"],
                    total=u["total"],
                    rank=u["rank"],
                    group_size=len(group["units"]),
                    categories=sorted(
                        per_category.get(u["unit"], {}).values(), key=lambda s: (-s.gap, s.code)
                    ),
                    strengths=sorted((s for s in indicators if s.gap > 0), key=lambda s: (-s.gap, s.code))[
                        :top
                    ],
                    weaknesses=sorted((s for s in indicators if s.gap < 0), key=lambda s: (s.gap, s.code))[
                        :top
                    ],
                )
            )
    return out
