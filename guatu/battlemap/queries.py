"""The battle map (挂图作战): one org unit's month on one screen, read from the queries that own each figure.

Nothing here computes a figure of its own: the per-tag rows and the monthly curves are
guatu.investment.queries.tag_totals_by_month (the summary's figures), the per-unit and per-chain figures each
project's guatu.projects.queries.progress_by_project taken together with guatu.lib.progress.combined (the
rule the summary is held to; a province has 24,000 projects, so the database adds them up per unit below and
chain, in whole cents, and tests/test_rollups.py holds that to the per-project figures), the lights
guatu.lights.queries, the problems and orders the dispatch list reads, the assessment its latest published
snapshot and the headline panel, the reserve guatu.reserve.queries.reserve_depth. A fixed number of queries
whatever the number of projects (pinned in tests/test_query_counts.py).

Who counts where (each the rule of the list a figure drills down to):
- a township, street, zone or county below the unit: the projects located in it (project list ?location=);
- a department below the unit: the projects it leads (project list ?lead=);
- a unit's red and yellow lights: its projects located in or led by it (lights board ?unit=);
- investment leads: those the unit or a unit below it is responsible for (leads list ?unit=);
- enterprise requests: the problem list's unit filter with "requests only" (problem list ?unit=&requests=on);
- the reserve: the unit's projects (located in or led by it) per library tier (project list ?tier=).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    FilteredRelation,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, StrIndex, Substr

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
from guatu.investment.queries import InvestmentSummary, TagSummary, tag_totals_by_month
from guatu.lib import parallel
from guatu.lib.cents import InCents, from_cents
from guatu.lib.lights import RuleSet
from guatu.lib.money import percent
from guatu.lib.periods import Period
from guatu.lib.progress import Progress, combined
from guatu.lights.queries import TagLights, lights_by_tag, warned_counts
from guatu.lights.services import rules_for
from guatu.orgs.models import JURISDICTION_KINDS, OrgUnit, OrgUnitKind
from guatu.projects.models import AnnualPlan, IndustryChain, LevelTag, phased_field
from guatu.reports.models import ytd_field
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
NO_CENTS = Decimal("0.00")


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
    """The battle map of `unit` (one the user may see: gateway.get_visible_unit) for `period`. Its three groups
    of reads do not depend on one another and run side by side (guatu.lib.parallel): the level tags (summary,
    curves, lights by tag), the units below (rankings, chains, lights by unit) and the rest (problems, orders,
    rankings of the jurisdiction, headlines, attraction, reserve)."""
    today = clock.today()
    office = gateway.jurisdiction(unit)  # its rules, rankings, headlines and reserve rules (read once)
    rules = rules_for(office)
    projects = gateway.visible_projects_in(user, unit)

    def by_tag():
        summary, curves = _summary_and_curves(projects.counted().values("pk"), period)
        tag_lights = lights_by_tag(projects.all(), period, lists=_lists(summary))
        return summary, curves, tag_lights, _attraction(user, unit, period, today), _reserve(office, projects.all())

    def by_unit_below():
        scope = projects.counted().values("pk")
        areas, departments, chains = unit_rankings_and_chains(unit, scope, period, rules)
        chains = _with_targets(user, unit, chains, period, rules)
        below = {row.unit.pk: row.unit for row in areas + departments}
        return areas, departments, chains, *_lights_by_unit(unit, below, projects.all(), period)

    def the_rest():
        headline_quarter = _headline_quarter(period)
        return (
            *_problems_and_requests(user, unit, period, today),
            _orders(user, unit, today),
            _rankings(user, office, period),
            headline_quarter,
            headline_panel(office, *headline_quarter) if headline_quarter else [],
        )

    by_tag_and_more, below, rest = parallel.together(by_tag, by_unit_below, the_rest)
    summary, curves, tag_lights, attraction, reserve = by_tag_and_more
    areas, departments, chains, unit_lights, red, yellow = below
    problems, requests, orders, rankings, headline_quarter, headlines = rest
    return BattleMap(
        unit=unit,
        period=period,
        today=today,
        rules=rules,
        summary=summary,
        curves=curves,
        tag_lights=tag_lights,
        unit_lights=unit_lights,
        red=red,
        yellow=yellow,
        areas=areas,
        departments=departments,
        map_kind="counties" if unit.kind in MAP_OF_COUNTIES else ("tiles" if areas else ""),
        problems=problems,
        orders=orders,
        rankings=rankings,
        headline_quarter=headline_quarter,
        headlines=headlines,
        chains=chains,
        attraction=attraction,
        requests=requests,
        reserve=reserve,
    )


def _summary_and_curves(scope, period: Period) -> tuple[InvestmentSummary, list[TagCurve]]:
    """The investment summary and, per tag, months 1..12 of the period's year: the completed year to date (to
    the period's month) and the planned to date (the phased plan's curve). One tag_totals_by_month of the
    twelve months (one query); the summary is its month of the period, the figures investment_summary
    gives (read once rather than twice)."""
    by_month = tag_totals_by_month(scope, period.year, range(1, 13))

    def at(month: int, tag: LevelTag) -> tuple[int, Progress]:
        return by_month[month].get(tag.pk, (0, combined(month, [])))

    tags = list(LevelTag.objects.order_by("sort_order", "id"))
    summary = InvestmentSummary(
        period=period,
        rows=[TagSummary(tag, *at(period.month, tag)) for tag in tags],
    )
    curves = []
    for tag in tags:
        points = []
        for month in range(1, 13):
            progress = at(month, tag)[1]
            points.append(
                CurvePoint(
                    month=month,
                    completed=progress.ytd_completed if month <= period.month else None,
                    planned_to_date=progress.planned_to_date or Decimal(0),
                    progress=progress,
                )
            )
        curves.append(TagCurve(tag=tag, points=points))
    return summary, curves


def _lists(summary: InvestmentSummary) -> dict[LevelTag, tuple[int, Decimal]]:
    """Every tag with its list's projects and their annual plan (what the lights count against): the summary's."""
    return {
        row.tag: (row.project_count, row.annual_plan if row.project_count else NO_CENTS)
        for row in summary.rows
    }


def _child_of(unit: OrgUnit, path: str | None) -> int | None:
    """The id of the unit directly below `unit` on the way to `path` (None: not below it)."""
    if not path or not path.startswith(unit.path) or path == unit.path:
        return None
    return int(path[len(unit.path) :].split("/", 1)[0])


def _unit_below(unit: OrgUnit, path: str):
    """_child_of in SQL, for the unit path at the field path `path`: the id (as text) of the unit directly
    below `unit` on the way to it, NULL when it is not below `unit`. Adding up per unit below in the database
    returns a row per unit below, not per unit of the subtree."""
    rest = Substr(path, len(unit.path) + 1)
    below = Q(**{f"{path}__startswith": unit.path}) & ~Q(**{path: unit.path})
    return Case(When(below, then=Substr(rest, 1, StrIndex(rest, Value("/")) - 1)), output_field=CharField())


def _unit_id(text: str | None) -> int | None:
    return None if text is None else int(text)


@dataclass(frozen=True)
class PlannedTotals:
    """Projects with a plan for the year taken together (combined() of their progress_by_project), held in
    whole cents and added as integers: exact however many there are. progress() gives combined()'s figures."""

    projects: int = 0
    ytd: int = 0
    plan: int = 0
    to_date: int = 0  # phased months 1..month
    whole: int = 0  # every phased month
    phased: bool = False

    def __add__(self, other: PlannedTotals) -> PlannedTotals:
        return PlannedTotals(
            projects=self.projects + other.projects,
            ytd=self.ytd + other.ytd,
            plan=self.plan + other.plan,
            to_date=self.to_date + other.to_date,
            whole=self.whole + other.whole,
            phased=self.phased or other.phased,
        )

    def progress(self, month: int) -> Progress:
        if not self.projects:
            return combined(month, [])
        return Progress(
            month=month,
            ytd_completed=from_cents(self.ytd),
            annual_plan=from_cents(self.plan),
            phased_to_date=from_cents(self.to_date),
            phased_whole=from_cents(self.whole),
            phased=self.phased,
        )


def progress_by_unit_below(unit: OrgUnit, scope, period: Period) -> dict[tuple, PlannedTotals]:
    """The projects of `scope` (project pks) with a plan for the period's year, taken together per (unit below
    `unit` they are located in, unit below `unit` that leads them, chain id): each None where there is none.
    One query whatever the number of projects: the plans, with their approved years to date (the roll-up
    guatu.reports.models.ApprovedTotal) and their phased months added up (the plan's own roll-up columns,
    AnnualPlan.phased_01..12: NULL unless phased).

    The figures of combined(progress_by_project) of each group's projects: each amount is taken as whole cents
    (rounded half-up in SQL: SQLite holds decimals in floating point and the inputs are whole cents, so this
    restores the exact figure) and the cents are added as integers, as guatu.investment.queries.tag_totals."""
    year, month = period.year, period.month
    done = FilteredRelation("project__approved_totals", condition=Q(project__approved_totals__year=year))
    rows = (
        AnnualPlan.objects.filter(year=year, project__in=scope)
        .order_by()
        .annotate(
            done=done,
            located=_unit_below(unit, "project__location_unit__path"),
            led=_unit_below(unit, "project__lead_unit__path"),
        )
        .values("located", "led", "project__chain")
        .annotate(
            count=Count("pk"),
            plan=Sum(InCents(F("amount"))),
            ytd=Sum(Coalesce(InCents(F(f"done__{ytd_field(month)}")), 0)),
            to_date=Sum(InCents(F(phased_field(month)))),
            whole=Sum(InCents(F(phased_field(12)))),  # NULL: none of the group's plans is phased
        )
        .values_list("located", "led", "project__chain", "count", "plan", "ytd", "to_date", "whole")
    )
    groups: dict[tuple, PlannedTotals] = defaultdict(PlannedTotals)
    for located, led, chain_id, count, plan, ytd, to_date, whole in rows:
        groups[(_unit_id(located), _unit_id(led), chain_id)] += PlannedTotals(
            projects=count,
            plan=plan,
            ytd=ytd,
            to_date=to_date or 0,
            whole=whole or 0,
            phased=whole is not None,
        )
    return groups


def unit_rankings_and_chains(unit: OrgUnit, scope, period: Period, rules: RuleSet):
    """Units directly below `unit`, ranked by completion rate, and the industry chains. Three queries whatever
    the number of projects (progress_by_unit_below adds the projects up in the database). The one ranking of
    townships and departments: the battle map and the bulletin both read it."""
    located: dict[int, PlannedTotals] = defaultdict(PlannedTotals)
    led: dict[int, PlannedTotals] = defaultdict(PlannedTotals)
    by_chain: dict[int, PlannedTotals] = defaultdict(PlannedTotals)
    for (where, who, chain_id), totals in progress_by_unit_below(unit, scope, period).items():
        if where is not None:
            located[where] += totals
        if who is not None:
            led[who] += totals
        if chain_id:
            by_chain[chain_id] += totals
    children = OrgUnit.objects.filter(parent=unit).order_by("sort_order", "path")

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
    for child in children:
        if child.kind in AREA_KINDS:
            totals, role, out = located.get(child.pk, PlannedTotals()), "area", areas
        elif child.kind == OrgUnitKind.DEPARTMENT:
            totals, role, out = led.get(child.pk, PlannedTotals()), "department", departments
        else:
            continue
        progress = totals.progress(period.month)
        out.append(
            UnitProgress(
                unit=child, role=role, projects=totals.projects, progress=progress, band=band(progress, rules)
            )
        )
    chains = []
    for chain in IndustryChain.objects.filter(pk__in=list(by_chain)).select_related("chief").order_by("id"):
        totals = by_chain[chain.pk]
        progress = totals.progress(period.month)
        chains.append(
            ChainProgress(
                chain=chain, projects=totals.projects, progress=progress, band=band(progress, rules)
            )
        )
    return ranked(areas), ranked(departments), chains


def _lights_by_unit(
    unit: OrgUnit, below: dict[int, OrgUnit], projects, period: Period
) -> tuple[list[UnitLights], int, int]:
    """Red and yellow lights of the month per unit directly below `unit` (`below`: those units by id; a project
    located in one unit and led by another counts in both, as the lights board narrowed to either shows it).
    One query: the lights counted in the database per unit below they are located in and leading them."""
    counts: dict[int, dict[str, int]] = defaultdict(lambda: {"red": 0, "yellow": 0})
    red = yellow = 0
    by = {
        "located": _unit_below(unit, "project__location_unit__path"),
        "led": _unit_below(unit, "project__lead_unit__path"),
    }
    for light, located, led, n in warned_counts(projects, period, **by):
        red += n if light == "red" else 0
        yellow += n if light == "yellow" else 0
        for child_id in {_unit_id(located), _unit_id(led)} - {None}:
            counts[child_id][light] += n
    rows = [UnitLights(unit=below[child_id], **lights) for child_id, lights in counts.items()]
    rows.sort(key=lambda row: (-row.red, -row.yellow, row.unit.path))
    return rows, red, yellow


def _problems_and_requests(user, unit: OrgUnit, period: Period, today: date) -> tuple[list[ProblemCell], Requests]:
    """Problems of the unit by tier and status, with how many are overdue (the problem list's filters and the
    dispatch API's counts, dispatch.queries.problem_counts), and its enterprise requests, the same list narrowed
    to "requests only": the cells of both from one query, split by whether they hold requests. Two queries."""
    problems = filter_problems(gateway.visible_problems(user), {"unit": unit}, today)
    rows = problem_counts(problems, today, by_request=True)  # sorted by tier and status
    count, overdue = Counter(), Counter()
    for row in rows:
        count[row["tier"], row["status"]] += row["count"]
        overdue[row["tier"], row["status"]] += row["overdue"]
    requests = [row for row in rows if row["request"]]
    return [ProblemCell(tier, status, count[tier, status], overdue[tier, status]) for tier, status in count], Requests(
        figures=request_figures(in_period(problems.requests(), period)),
        open=sum(row["count"] for row in requests if row["status"] in OPEN_STATUSES),
        overdue=sum(row["overdue"] for row in requests),
    )


def _unit_orders(user, unit: OrgUnit):
    """The supervision orders the user sees about the unit's projects (located in or led by a unit in it, as
    ProjectQuerySet.in_unit) or addressed to a unit in it: found through each order's own project and addressee,
    not through the list of the unit's project ids (a province's 24,000)."""
    return gateway.visible_orders(user).filter(
        Q(project__location_unit__path__startswith=unit.path)
        | Q(project__lead_unit__path__startswith=unit.path)
        | Q(addressee__path__startswith=unit.path)
    )


def _orders(user, unit: OrgUnit, today: date) -> Orders:
    """Supervision orders by status, overdue and due within a week, and the first ones waiting (two queries)."""
    orders = _unit_orders(user, unit)
    # the dispatch API's counts, and those due within the week
    counts = order_counts(orders, today, due_by=today + timedelta(days=ORDERS_DUE_DAYS))
    due = list(
        orders.filter(status=SupervisionStatus.ISSUED)
        .select_related("project", "addressee")
        .order_by("deadline", "pk")[:ORDERS_SHOWN]
    )
    for order in due:
        order.overdue = order.deadline < today
    return Orders(due=due, **counts)


def _rankings(user, office: OrgUnit, period: Period) -> list[Ranking]:
    """Each scheme's latest published result up to the period, for the unit's jurisdiction `office`, as the
    results page shows it to the user (visible_groups)."""
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


def _reserve(office: OrgUnit, projects) -> list[DepthRow]:
    """The unit's projects per library tier (储备库, 滚动库, 实施库): how many, their total investment and the
    part ready for the next tier's gate under the rules of the unit's jurisdiction `office` (the reserve
    depth page's totals). Three queries."""
    rules = tier_rules.rules_of(office)
    return reserve_depth(projects, by=None, rules=rules).totals


