"""The battle map (挂图作战): one org unit's month on one screen, read from the queries that own each figure.

Nothing here computes a figure of its own: the per-tag rows are guatu.investment.queries.investment_summary,
the monthly curve its tag_totals for each month of the year, the per-unit and per-chain figures each
project's guatu.projects.queries.progress_by_project taken together with guatu.lib.progress.combined (the
rule the summary is held to), the lights guatu.lights.queries, the problems and orders the dispatch list
reads, the assessment its latest published snapshot and the headline panel. A fixed number of queries
whatever the number of projects (pinned in tests/test_queries.py).

Who counts where (each the rule of the list a figure drills down to):
- a township, street, zone or county below the unit: the projects located in it (project list ?location=);
- a department below the unit: the projects it leads (project list ?lead=);
- a unit's red and yellow lights: its projects located in or led by it (lights board ?unit=);
- investment leads: those the unit or a unit below it is responsible for (leads list ?unit=);
- enterprise requests: the problem list's unit filter with "requests only" (problem list ?unit=&requests=on);
- the reserve: the unit's projects (located in or led by it) per library tier (project list ?tier=).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Q

from guatu import clock
from guatu.access import gateway
from guatu.assessment.exports import visible_groups
from guatu.assessment.models import ResultSnapshot, SnapshotStatus
from guatu.assessment.queries import headline_panel
from guatu.attraction.queries import LeadFigures, lead_status_counts, lead_totals
from guatu.chains.queries import ChainFigures, chain_figures
from guatu.dispatch.models import OPEN_STATUSES, SupervisionStatus
from guatu.dispatch.queries import filter_problems, order_counts, problem_counts
from guatu.enterprises.queries import RequestFigures, in_period, request_figures
from guatu.investment.queries import InvestmentSummary, investment_summary, tag_totals
from guatu.lib.lights import RuleSet
from guatu.lib.money import percent
from guatu.lib.periods import Period
from guatu.lib.progress import Progress, combined
from guatu.lights.queries import TagLights, lights_by_tag, warned_list
from guatu.lights.services import rules_for
from guatu.orgs.models import JURISDICTION_KINDS, OrgUnit, OrgUnitKind
from guatu.projects.models import IndustryChain, LevelTag, Project
from guatu.projects.queries import progress_by_project
from guatu.reserve import rules as tier_rules
from guatu.reserve.queries import DepthRow, reserve_depth

AREA_KINDS = (
    OrgUnitKind.PROVINCE,
    OrgUnitKind.PREFECTURE,
    OrgUnitKind.COUNTY,
    OrgUnitKind.TOWNSHIP,
    OrgUnitKind.STREET,
    OrgUnitKind.ZONE,
)
MAP_OF_COUNTIES = (OrgUnitKind.PROVINCE, OrgUnitKind.PREFECTURE)  # their map shows counties' boundaries
ORDERS_DUE_DAYS = 7  # supervision orders whose deadline falls within this many days are "due"
ORDERS_SHOWN = 10


class Band:
    """How far a unit's completion rate stands from the time progress (the maps' and ranking's colours)."""

    AHEAD = "ahead"  # at or ahead of the time progress
    BEHIND = "behind"  # behind, by no more than the lights' yellow threshold
    FAR_BEHIND = "far_behind"  # behind by more than the yellow threshold
    NO_PLAN = "no_plan"


def band(progress: Progress, rules: RuleSet) -> str:
    """The colour band of completion rate − time progress, cut at the warning rules' yellow threshold."""
    rate = progress.completion_rate
    if rate is None:
        return Band.NO_PLAN
    behind = -percent(rate - progress.time_progress)
    if behind <= 0:
        return Band.AHEAD
    return Band.BEHIND if behind <= rules.yellow_behind_points else Band.FAR_BEHIND


@dataclass(frozen=True)
class UnitProgress:
    """A unit below the battle map's unit (or a chain): its counted projects with a plan, taken together."""

    unit: OrgUnit
    role: str  # "area" (projects located in it) or "department" (projects it leads)
    projects: int
    progress: Progress
    band: str


@dataclass(frozen=True)
class ChainProgress:
    chain: IndustryChain
    projects: int
    progress: Progress
    band: str
    targets: ChainFigures | None = None  # the chain's yearly targets against actuals (the battle map's)


@dataclass(frozen=True)
class CurvePoint:
    month: int
    completed: Decimal | None  # None after the battle map's month (not reported yet as of it)
    planned_to_date: Decimal
    progress: Progress


@dataclass(frozen=True)
class TagCurve:
    tag: LevelTag
    points: list[CurvePoint]


@dataclass(frozen=True)
class UnitLights:
    unit: OrgUnit
    red: int
    yellow: int


@dataclass(frozen=True)
class ProblemCell:
    tier: int
    status: str
    count: int
    overdue: int


@dataclass(frozen=True)
class Orders:
    issued: int
    responded: int
    closed: int
    overdue: int
    due_soon: int  # waiting for a response, deadline within ORDERS_DUE_DAYS days, not yet past
    due: list  # the open ones, soonest deadline first (at most ORDERS_SHOWN), each with .overdue


@dataclass(frozen=True)
class Ranking:
    snapshot: ResultSnapshot
    groups: list[dict]  # guatu.assessment.exports.visible_groups


@dataclass(frozen=True)
class Attraction:
    """The investment leads the unit (or a unit below it) is responsible for, as the reader sees them."""

    figures: LeadFigures  # January to the month: signed, started, performance rate, funds in place
    by_status: dict[str, int]  # how many leads are in each state today
    late: int  # signed or registered, promised start passed without a start (the late-start flag)


@dataclass(frozen=True)
class Requests:
    """Enterprise requests (企业诉求) of the unit, as the problem list narrowed to requests shows them."""

    figures: RequestFigures  # raised January to the month: solved on time, satisfaction
    open: int  # open today
    overdue: int  # open and past their deadline today


@dataclass(frozen=True)
class BattleMap:
    unit: OrgUnit
    period: Period
    today: date
    rules: RuleSet
    summary: InvestmentSummary
    curves: list[TagCurve]
    tag_lights: list[TagLights]
    unit_lights: list[UnitLights]
    red: int
    yellow: int
    areas: list[UnitProgress]  # townships/streets/zones (a county) or counties (a prefecture), ranked
    departments: list[UnitProgress]  # ranked
    map_kind: str  # "counties" (a boundary map) or "tiles" (a schematic tile map) or "" (no map)
    problems: list[ProblemCell]
    orders: Orders
    rankings: list[Ranking]
    headline_quarter: tuple[int, int] | None  # (year, quarter) of the headline panel
    headlines: list = field(default_factory=list)  # guatu.assessment.queries.headline_panel rows
    chains: list[ChainProgress] = field(default_factory=list)
    attraction: Attraction | None = None
    requests: Requests | None = None
    reserve: list[DepthRow] = field(default_factory=list)  # one row per tier: count, investment, ready


def battlemap_data(user, unit: OrgUnit, period: Period) -> BattleMap:
    """The battle map of `unit` (one the user may see: gateway.get_visible_unit) for `period`."""
    today = clock.today()
    rules = rules_for(unit)
    projects = gateway.visible_projects(user).in_unit(unit)
    scope = projects.counted().values("pk")
    summary = investment_summary(projects, period)
    areas, departments, chains = unit_rankings_and_chains(unit, scope, period, rules)
    chains = _with_targets(user, unit, chains, period, rules)
    unit_lights, red, yellow = _lights_by_unit(unit, projects, period)
    headline_quarter = _headline_quarter(period)
    return BattleMap(
        unit=unit,
        period=period,
        today=today,
        rules=rules,
        summary=summary,
        curves=_curves(summary, scope, period),
        tag_lights=lights_by_tag(projects, period),
        unit_lights=unit_lights,
        red=red,
        yellow=yellow,
        areas=areas,
        departments=departments,
        map_kind="counties" if unit.kind in MAP_OF_COUNTIES else ("tiles" if areas else ""),
        problems=_problems(user, unit, today),
        orders=_orders(user, unit, today),
        rankings=_rankings(user, unit, period),
        headline_quarter=headline_quarter,
        headlines=_headlines(unit, headline_quarter) if headline_quarter else [],
        chains=chains,
        attraction=_attraction(user, unit, period, today),
        requests=_requests(user, unit, period, today),
        reserve=_reserve(unit, projects),
    )


def _curves(summary: InvestmentSummary, scope, period: Period) -> list[TagCurve]:
    """Per tag, months 1..12 of the period's year: the completed year to date (to the period's month) and
    the planned to date (the phased plan's curve). tag_totals of each month: twelve queries."""
    by_month = {month: tag_totals(scope, Period(period.year, month)) for month in range(1, 13)}
    curves = []
    for row in summary.rows:
        points = []
        for month in range(1, 13):
            progress = by_month[month].get(row.tag.pk, (0, combined(month, [])))[1]
            points.append(
                CurvePoint(
                    month=month,
                    completed=progress.ytd_completed if month <= period.month else None,
                    planned_to_date=progress.planned_to_date or Decimal(0),
                    progress=progress,
                )
            )
        curves.append(TagCurve(tag=row.tag, points=points))
    return curves


def _child_of(unit: OrgUnit, path: str | None) -> int | None:
    """The id of the unit directly below `unit` on the way to `path` (None: not below it)."""
    if not path or not path.startswith(unit.path) or path == unit.path:
        return None
    return int(path[len(unit.path) :].split("/", 1)[0])


def unit_rankings_and_chains(unit: OrgUnit, scope, period: Period, rules: RuleSet):
    """Units directly below `unit`, ranked by completion rate, and the industry chains. Six queries. The one
    ranking of townships and departments: the battle map and the bulletin both read it."""
    progress = progress_by_project(scope, period)
    planned = {pid: p for pid, p in progress.items() if p.annual_plan is not None}
    rows = Project.objects.filter(pk__in=list(planned)).values_list(
        "pk", "location_unit__path", "lead_unit__path", "chain_id"
    )
    children = {
        child.pk: child for child in OrgUnit.objects.filter(parent=unit).order_by("sort_order", "path")
    }
    located: dict[int, list[Progress]] = defaultdict(list)
    led: dict[int, list[Progress]] = defaultdict(list)
    by_chain: dict[int, list[Progress]] = defaultdict(list)
    for pid, location_path, lead_path, chain_id in rows:
        where = _child_of(unit, location_path)
        if where is not None:
            located[where].append(planned[pid])
        who = _child_of(unit, lead_path)
        if who is not None:
            led[who].append(planned[pid])
        if chain_id:
            by_chain[chain_id].append(planned[pid])

    def ranked(items):
        return sorted(
            items,
            key=lambda row: (
                row.progress.completion_rate is None,
                -(row.progress.completion_rate or 0),
                row.unit.path,
            ),
        )

    areas, departments = [], []
    for child in children.values():
        if child.kind in AREA_KINDS:
            parts, role, out = located.get(child.pk, []), "area", areas
        elif child.kind == OrgUnitKind.DEPARTMENT:
            parts, role, out = led.get(child.pk, []), "department", departments
        else:
            continue
        total = combined(period.month, parts)
        out.append(
            UnitProgress(unit=child, role=role, projects=len(parts), progress=total, band=band(total, rules))
        )
    chains = []
    for chain in IndustryChain.objects.filter(pk__in=list(by_chain)).select_related("chief").order_by("id"):
        total = combined(period.month, by_chain[chain.pk])
        chains.append(
            ChainProgress(
                chain=chain, projects=len(by_chain[chain.pk]), progress=total, band=band(total, rules)
            )
        )
    return ranked(areas), ranked(departments), chains


def _lights_by_unit(unit: OrgUnit, projects, period: Period) -> tuple[list[UnitLights], int, int]:
    """Red and yellow lights of the month per unit directly below `unit` (a project located in one unit and
    led by another counts in both, as the lights board narrowed to either shows it). One query."""
    counts: dict[int, dict[str, int]] = defaultdict(lambda: {"red": 0, "yellow": 0})
    red = yellow = 0
    for light in warned_list(projects, period):
        red += light.light == "red"
        yellow += light.light == "yellow"
        below = {
            _child_of(unit, light.project.location_unit.path),
            _child_of(unit, light.project.lead_unit.path),
        } - {None}
        for child_id in below:
            counts[child_id][light.light] += 1
    children = OrgUnit.objects.filter(pk__in=list(counts)).order_by("path")
    rows = [UnitLights(unit=child, **counts[child.pk]) for child in children]
    rows.sort(key=lambda row: (-row.red, -row.yellow, row.unit.path))
    return rows, red, yellow


def _problems(user, unit: OrgUnit, today: date) -> list[ProblemCell]:
    """Problems of the unit by tier and status, with how many are overdue: the problem list's filters and the
    dispatch API's counts (dispatch.queries.problem_counts). One query."""
    problems = filter_problems(gateway.visible_problems(user), {"unit": unit}, today)
    return [ProblemCell(**row) for row in problem_counts(problems, today)]


def _unit_orders(user, unit: OrgUnit):
    """The supervision orders the user sees about the unit's projects or addressed to a unit in it."""
    return gateway.visible_orders(user).filter(
        Q(project__in=Project.objects.in_unit(unit).values("pk")) | Q(addressee__path__startswith=unit.path)
    )


def _orders(user, unit: OrgUnit, today: date) -> Orders:
    """Supervision orders by status, overdue and due within a week (three queries)."""
    orders = _unit_orders(user, unit)
    soon = today + timedelta(days=ORDERS_DUE_DAYS)
    issued = Q(status=SupervisionStatus.ISSUED)
    counts = order_counts(orders, today)  # the dispatch API's counts
    counts["due_soon"] = orders.filter(issued, deadline__gte=today, deadline__lte=soon).count()
    due = list(
        orders.filter(issued).select_related("project", "addressee").order_by("deadline", "pk")[:ORDERS_SHOWN]
    )
    for order in due:
        order.overdue = order.deadline < today
    return Orders(due=due, **counts)


def _rankings(user, unit: OrgUnit, period: Period) -> list[Ranking]:
    """Each scheme's latest published result up to the period, for the unit's jurisdiction, as the results
    page shows it to the user (visible_groups)."""
    office = gateway.jurisdiction(unit)
    snapshots = (
        gateway.visible_snapshots(user)
        .filter(status=SnapshotStatus.PUBLISHED, scheme__jurisdiction=office)
        .filter(Q(year__lt=period.year) | Q(year=period.year, month__lte=period.month))
        .select_related("scheme__jurisdiction")
        .order_by("scheme_id", "-year", "-month", "-revision")
    )
    latest: dict[int, ResultSnapshot] = {}
    for snap in snapshots.defer("inputs", "definition", "what_if"):
        latest.setdefault(snap.scheme_id, snap)
    rankings = []
    for snap in sorted(latest.values(), key=lambda s: (s.scheme.kind, s.scheme.pk)):
        groups = visible_groups(user, snap.scheme, snap)
        if groups:
            rankings.append(Ranking(snapshot=snap, groups=groups))
    return rankings


def _headline_quarter(period: Period) -> tuple[int, int] | None:
    """The latest quarter ended by the period's month (2022-03 → 2022 Q1; 2022-02 → 2021 Q4)."""
    quarter = period.month // 3
    return (period.year, quarter) if quarter else (period.year - 1, 4)


def _headlines(unit: OrgUnit, quarter: tuple[int, int]) -> list:
    """The ten headline indicators of the unit's jurisdiction for the quarter: the headline page's panel
    (approved rows; every signed-in user of the county reads that page)."""
    return headline_panel(gateway.jurisdiction(unit), *quarter)


def _with_targets(user, unit: OrgUnit, chains: list[ChainProgress], period: Period, rules: RuleSet):
    """The chains of the unit's projects and, when the unit owns chains (a county, prefecture or province),
    every chain of it the reader sees, projects or not, each with its year's targets against actuals
    (guatu.chains.queries.chain_figures, the chain page's figures). A fixed number of queries."""
    rows = {row.chain.pk: row for row in chains}
    if unit.kind in JURISDICTION_KINDS:
        others = (
            gateway.visible_chains(user)
            .filter(jurisdiction__path__startswith=unit.path)
            .exclude(pk__in=list(rows))
            .select_related("chief")
        )
        nothing = combined(period.month, [])
        for chain in others:
            rows[chain.pk] = ChainProgress(chain=chain, projects=0, progress=nothing, band=band(nothing, rules))
    figures = chain_figures([row.chain for row in rows.values()], period)
    return sorted(
        (replace(row, targets=figures[pk]) for pk, row in rows.items()),
        key=lambda row: (row.chain.sort_order, row.chain.pk),
    )


def _attraction(user, unit: OrgUnit, period: Period, today: date) -> Attraction:
    """The leads the unit or a unit below it is responsible for (the leads list's ?unit= filter). Four
    queries."""
    leads = gateway.visible_leads(user).in_unit(unit)
    return Attraction(
        figures=lead_totals(leads, period),
        by_status=lead_status_counts(leads),
        late=leads.start_overdue(today).count(),
    )


def _requests(user, unit: OrgUnit, period: Period, today: date) -> Requests:
    """The unit's enterprise requests: the problem list's filters with "requests only". Two queries."""
    requests = filter_problems(gateway.visible_problems(user), {"unit": unit, "requests": True}, today)
    cells = problem_counts(requests, today)
    return Requests(
        figures=request_figures(in_period(requests, period)),
        open=sum(cell["count"] for cell in cells if cell["status"] in OPEN_STATUSES),
        overdue=sum(cell["overdue"] for cell in cells),
    )


def _reserve(unit: OrgUnit, projects) -> list[DepthRow]:
    """The unit's projects per library tier (储备库, 滚动库, 实施库): how many, their total investment and the
    part ready for the next tier's gate under the jurisdiction's rules (the reserve depth page's totals).
    Five queries."""
    rules = tier_rules.rules_of(gateway.jurisdiction(unit))
    return reserve_depth(projects, by="category", rules=rules).totals
