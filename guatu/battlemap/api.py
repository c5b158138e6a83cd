"""GET /api/v1/battlemap: the battle map's figures for one unit and month, each with the link to the list
behind it. Money as exact 万元 strings and percentages as strings, as the summary API gives them.

The page (views.py) embeds the same payload (`payload()`), so the page and the endpoint cannot disagree.
"""

from __future__ import annotations

import json
from decimal import Decimal
from functools import lru_cache

from django.conf import settings
from django.http import HttpResponse
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.http import urlencode
from ninja import Field, Query, Router, Schema
from ninja.decorators import decorate_view
from ninja.errors import HttpError

from guatu.access import gateway
from guatu.attraction.models import LeadStatus
from guatu.battlemap.queries import Attraction, BattleMap, Requests, band, battlemap_data
from guatu.chains.queries import counted_metric
from guatu.dispatch.models import OPEN_STATUSES, ProblemStatus, Tier
from guatu.dispatch.queries import OPEN
from guatu.lib.dbrouter import replica_reads
from guatu.lib.money import percent, round_half_up, strip_zeros
from guatu.lib.periods import Period, PeriodError
from guatu.lib.progress import Progress
from guatu.lib.response_cache import cached_response
from guatu.lights.services import default_period
from guatu.orgs.models import OrgUnit, OrgUnitKind
from guatu.web.paging import MAX_ID, responses

router = Router(tags=["battlemap"])

PERIOD_ERROR = "period 参数格式应为 YYYY-MM，例如 2022-03"
NO_UNIT = "没有可查看的单位"


class BattlemapParams(Schema):
    unit: int | None = Field(None, ge=1, le=MAX_ID, description="Org unit id; default the reader's own scope")
    period: str | None = Field(
        None,
        max_length=7,
        description="YYYY-MM; default the month the unit's pages open on (lights.services.default_period)",
    )


class Figures(Schema):
    """A set of projects' year to date (guatu.lib.progress.Progress), as the summary API writes it."""

    ytd_completed: str = Field(description="Approved, January to the month, 万元 (exact)")
    annual_plan: str = Field(description="Sum of the annual plans, 万元 (exact)")
    planned_to_date: str = Field(
        description="The plan to date: phased months plus the unphased rest pro rata, 万元"
    )
    completion_rate_percent: str | None = Field(
        description="ytd_completed ÷ annual_plan, in % (half-up, 2 places)"
    )
    time_progress_percent: str = Field(description="时序进度: months elapsed ÷ 12, in %")
    planned_progress_percent: str = Field(description="计划进度: planned_to_date ÷ annual_plan, in %")
    deviation_points: str | None = Field(description="Completion rate − planned progress, percentage points")
    band: str = Field(
        description="Completion rate against time progress: ahead, behind (by no more than the warning rules' "
        "yellow threshold), far_behind, no_plan"
    )


class BattlemapTagOut(Schema):
    tag: str = Field(description="Level tag code")
    name: str
    projects: int = Field(description="Counted projects carrying the tag with a plan for the year")
    figures: Figures
    url: str = Field(description="The project list with the same filters")


class CurvePointOut(Schema):
    month: int
    completed: str | None = Field(description="Completed January to this month, 万元; null after the period")
    planned_to_date: str = Field(description="The phased plan to the end of this month, 万元")
    completion_rate_percent: str | None
    planned_progress_percent: str


class CurveOut(Schema):
    tag: str
    name: str
    points: list[CurvePointOut] = Field(description="Months 1..12 of the period's year")


class BattlemapTagLightsOut(Schema):
    tag: str
    name: str
    projects: int
    green: int
    yellow: int
    red: int
    unlit: int = Field(description="Projects on the list with no light computed for the month")
    url: str = Field(description="The red and yellow list (lights board) of the unit and month")


class UnitLightsOut(Schema):
    unit_id: int
    name: str
    red: int
    yellow: int
    url: str


class BattlemapLightsOut(Schema):
    red: int
    yellow: int
    url: str
    by_tag: list[BattlemapTagLightsOut]
    by_unit: list[UnitLightsOut] = Field(
        description="Per unit directly below: projects located in or led by it"
    )


class UnitRankOut(Schema):
    rank: int
    unit_id: int
    name: str
    kind: str
    division_code: str
    projects: int
    figures: Figures
    url: str = Field(description="The project list: ?location= for an area, ?lead= for a department")


class ChainTargetOut(Schema):
    """One metric of a chain's yearly plan (guatu.chains.queries.TargetLine), as the chain page shows it."""

    metric: str
    label: str
    unit: str = Field(description="万元, or 家/个 for the metrics that count firms or leads")
    target: str | None = Field(description="The year's target; null when the plan sets none")
    actual: str = Field(description="January to the month")
    rate_percent: str | None = Field(description="actual ÷ target in % (half-up, 2 places)")


class ChainOut(Schema):
    chain_id: int
    name: str
    kind: str
    chief: str | None
    projects: int
    figures: Figures = Field(description="The chain's projects' investment against their plans")
    url: str = Field(description="The project list narrowed to the chain")
    page_url: str = Field(description="The chain's page (targets, firms, leads, problems)")
    output_target: str | None = Field(description="The year's output value target, 万元")
    output_actual: str = Field(description="The chain's firms' output value, January to the month, 万元")
    output_rate_percent: str | None
    targets: list[ChainTargetOut]


class LeadStatusOut(Schema):
    status: str
    label: str
    count: int
    url: str = Field(description="The leads list narrowed to the unit and the state")


class AttractionOut(Schema):
    """The investment leads the unit (or a unit below it) is responsible for (guatu.attraction.queries)."""

    leads: int
    signed: int = Field(description="Signed January to the month")
    signed_amount: str = Field(description="Their contract amounts, 万元")
    started: int = Field(description="Started January to the month")
    due: int = Field(description="Promised start January to the month (the performance rate's denominator)")
    performed: int = Field(description="Of them, started by the month's end")
    performance_rate_percent: str | None = Field(description="履约率: performed ÷ due, in %")
    funds_domestic: str = Field(description="实际到位资金 from outside the province, January to the month, 万元")
    funds_foreign: str = Field(description="Foreign funds in place, January to the month, 万元")
    funds_total: str
    late: int = Field(description="Signed or registered leads past their promised start (flagged)")
    by_status: list[LeadStatusOut]
    url: str
    late_url: str
    performance_url: str


class RequestsOut(Schema):
    """Enterprise requests (企业诉求) of the unit: the problem list narrowed to requests."""

    requests: int = Field(description="Raised January to the month")
    closed: int
    solved_on_time: int = Field(description="Closed by their deadline without escalating")
    on_time_rate_percent: str | None
    rated: int = Field(description="Closed with the firm's satisfaction recorded")
    satisfied: int = Field(description="Of them, satisfied or basically satisfied")
    satisfaction_rate_percent: str | None
    open: int = Field(description="Open today (any month raised)")
    overdue: int = Field(description="Open and past their deadline today")
    url: str
    open_url: str
    overdue_url: str


class ReserveTierOut(Schema):
    """One library tier of the unit's projects (the reserve depth page's totals)."""

    tier: str
    label: str
    projects: int
    investment: str = Field(description="Total investment, 万元")
    ready_projects: int | None = Field(description="Meeting the next tier's gate; null for the top tier")
    ready_investment: str | None
    url: str = Field(description="The project list narrowed to the unit and the tier")


class BattlemapProblemCellOut(Schema):
    tier: int
    tier_label: str
    status: str
    status_label: str
    count: int
    overdue: int
    url: str
    overdue_url: str | None


class ProblemsOut(Schema):
    open: int
    overdue: int
    url: str = Field(description="The problem list of the unit, open ones")
    overdue_url: str
    cells: list[BattlemapProblemCellOut] = Field(description="Per tier and status")


class BattlemapOrderOut(Schema):
    id: int
    project: str
    addressee: str
    deadline: str
    overdue: bool
    url: str


class OrdersOut(Schema):
    issued: int = Field(description="Waiting for a response")
    responded: int
    closed: int
    overdue: int = Field(description="Waiting for a response past the deadline")
    due_soon: int = Field(description="Waiting for a response, deadline within a week")
    url: str
    overdue_url: str
    due: list[BattlemapOrderOut] = Field(description="Waiting for a response, soonest deadline first (at most 10)")


class RankedUnitOut(Schema):
    rank: int
    unit: str
    total: str
    grade: str
    url: str | None


class RankingGroupOut(Schema):
    name: str
    units: list[RankedUnitOut]


class RankingOut(Schema):
    scheme: str
    period: str
    revision: int
    url: str = Field(description="The results page")
    groups: list[RankingGroupOut]


class HeadlineOut(Schema):
    position: int
    name: str
    measure: str
    target: str
    quarter_target: str | None
    actual: str | None
    growth_percent: str | None
    peer_rank: int | None
    met: bool | None = Field(description="null: not entered for the quarter")


class HeadlinesOut(Schema):
    year: int
    quarter: int
    url: str
    rows: list[HeadlineOut]


class ChildOut(Schema):
    """A unit on the map (a county on a prefecture's map, a township tile on a county's)."""

    unit_id: int
    name: str
    kind: str
    division_code: str
    projects: int
    completion_rate_percent: str | None
    time_progress_percent: str
    band: str
    url: str


class BattlemapOut(Schema):
    period: str
    unit_id: int
    unit_name: str
    unit_kind: str
    today: str
    time_progress_percent: str
    yellow_behind_points: str = Field(description="The warning rules' yellow threshold the bands are cut at")
    map: str = Field(description="counties (boundary map), tiles (schematic map of townships) or empty")
    tags: list[BattlemapTagOut]
    curves: list[CurveOut]
    lights: BattlemapLightsOut
    areas: list[UnitRankOut] = Field(
        description="Townships, streets, zones (or counties), ranked by completion"
    )
    departments: list[UnitRankOut] = Field(
        description="Departments, ranked by completion of the projects they lead"
    )
    children: list[ChildOut] = Field(
        description="The map's units: counties or townships, with their colour band"
    )
    problems: ProblemsOut
    orders: OrdersOut
    rankings: list[RankingOut] = Field(description="Latest published assessment result of each scheme")
    headlines: HeadlinesOut
    chains: list[ChainOut] = Field(
        description="The chains of the unit's projects and, for a county or above, every chain it has"
    )
    attraction: AttractionOut
    requests: RequestsOut
    reserve: list[ReserveTierOut] = Field(description="The unit's projects per library tier")
    reserve_url: str = Field(description="The reserve depth page")


# --- building the payload -----------------------------------------------------------------------------------


def _money(value) -> str:
    """万元 to the cent, exact."""
    return format(round_half_up(value, 2), "f")


def _text(value) -> str | None:
    return None if value is None else format(value, "f")


def _plain(value) -> str | None:
    """An indicator's value as the headline page shows it: exact, trailing zeros of the fraction dropped."""
    return None if value is None else strip_zeros(value)


def _figures(progress: Progress, band: str) -> dict:
    return {
        "ytd_completed": _money(progress.ytd_completed),
        "annual_plan": _money(progress.annual_plan or Decimal(0)),
        "planned_to_date": _money(progress.planned_to_date or Decimal(0)),
        "completion_rate_percent": _text(percent(progress.completion_rate)),
        "time_progress_percent": _text(percent(progress.time_progress)),
        "planned_progress_percent": _text(percent(progress.planned_progress)),
        "deviation_points": _text(progress.deviation_points),
        "band": band,
    }


def _url(name: str, args=(), **query) -> str:
    query = {key: value for key, value in query.items() if value not in (None, "")}
    path = _path(name, tuple(args), get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)
    return path + ("?" + urlencode(query) if query else "")


@lru_cache(maxsize=1024)
def _path(name: str, args: tuple, prefix: str, urlconf: str) -> str:
    """reverse(), kept per process and per script prefix and URLconf (part of the key, as reverse() reads
    them): a payload links to the same few lists about a hundred times, and reverse() is most of building it."""
    return reverse(name, args=args, urlconf=urlconf)


def project_filter(unit: OrgUnit, is_default: bool) -> dict:
    """The project list's filter for a unit's projects: none for the reader's own scope (the list starts
    there), the lead unit for a department, the location for an area."""
    if is_default:
        return {}
    return {"lead": unit.pk} if unit.kind == OrgUnitKind.DEPARTMENT else {"location": unit.pk}


def payload(user, unit: OrgUnit, period: Period) -> dict:
    """The battle map as BattlemapOut's JSON (the endpoint's answer and the page's embedded data), built as
    JSON values directly: tests/test_api.py::test_the_payload_is_exactly_its_schemas_json holds it to the
    schema, field by field (validating its thousand fields again at every request cost as much as building
    them)."""
    return _build(user, battlemap_data(user, unit, period))


def _build(user, data: BattleMap) -> dict:
    unit, period, month = data.unit, data.period, str(data.period)
    is_default = gateway.default_unit(user) == unit
    own = project_filter(unit, is_default)
    board_unit = None if is_default else unit.pk

    def ranked(rows):
        return [
            {
                "rank": n,
                "unit_id": row.unit.pk,
                "name": row.unit.display_name,
                "kind": row.unit.kind,
                "division_code": row.unit.division_code,
                "projects": row.projects,
                "figures": _figures(row.progress, row.band),
                "url": _url("projects:list", period=month, **project_filter(row.unit, False)),
            }
            for n, row in enumerate(rows, 1)
        ]

    open_count = sum(cell.count for cell in data.problems if cell.status in OPEN_STATUSES)
    overdue = sum(cell.overdue for cell in data.problems)
    headline_year, headline_quarter = data.headline_quarter
    return {
        "period": month,
        "unit_id": unit.pk,
        "unit_name": unit.name,
        "unit_kind": unit.kind,
        "today": data.today.isoformat(),
        "time_progress_percent": _text(percent(data.summary.rows[0].time_progress))
        if data.summary.rows
        else _text(percent(Progress(month=period.month).time_progress)),
        "yellow_behind_points": _text(data.rules.yellow_behind_points),
        "map": data.map_kind,
        "tags": [
            {
                "tag": row.tag.code,
                "name": row.tag.name,
                "projects": row.project_count,
                "figures": _figures(row.progress, band(row.progress, data.rules)),
                "url": _url("projects:list", tag=row.tag.code, period=month, **own),
            }
            for row in data.summary.rows
        ],
        "curves": [
            {
                "tag": curve.tag.code,
                "name": curve.tag.name,
                "points": [
                    {
                        "month": point.month,
                        "completed": None if point.completed is None else _money(point.completed),
                        "planned_to_date": _money(point.planned_to_date),
                        "completion_rate_percent": _text(percent(point.progress.completion_rate))
                        if point.completed is not None
                        else None,
                        "planned_progress_percent": _text(percent(point.progress.planned_progress)),
                    }
                    for point in curve.points
                ],
            }
            for curve in data.curves
        ],
        "lights": {
            "red": data.red,
            "yellow": data.yellow,
            "url": _url("lights:board", period=month, unit=board_unit),
            "by_tag": [
                {
                    "tag": row.tag.code,
                    "name": row.tag.name,
                    "projects": row.projects,
                    "green": row.green,
                    "yellow": row.yellow,
                    "red": row.red,
                    "unlit": row.unlit,
                    "url": _url("lights:board", period=month, unit=board_unit),
                }
                for row in data.tag_lights
            ],
            "by_unit": [
                {
                    "unit_id": row.unit.pk,
                    "name": row.unit.display_name,
                    "red": row.red,
                    "yellow": row.yellow,
                    "url": _url("lights:board", period=month, unit=row.unit.pk),
                }
                for row in data.unit_lights
            ],
        },
        "areas": ranked(data.areas),
        "departments": ranked(data.departments),
        "children": [
            {
                "unit_id": row.unit.pk,
                "name": row.unit.display_name,
                "kind": row.unit.kind,
                "division_code": row.unit.division_code,
                "projects": row.projects,
                "completion_rate_percent": _text(percent(row.progress.completion_rate)),
                "time_progress_percent": _text(percent(row.progress.time_progress)),
                "band": row.band,
                "url": _url("projects:list", period=month, **project_filter(row.unit, False)),
            }
            for row in sorted(data.areas, key=lambda row: (row.unit.sort_order, row.unit.path))
        ]
        if data.map_kind
        else [],
        "problems": {
            "open": open_count,
            "overdue": overdue,
            "url": _url("dispatch:problem_list", unit=unit.pk, status=OPEN),
            "overdue_url": _url("dispatch:problem_list", unit=unit.pk, overdue="on"),
            "cells": [
                {
                    "tier": cell.tier,
                    "tier_label": str(Tier(cell.tier).label),
                    "status": cell.status,
                    "status_label": str(ProblemStatus(cell.status).label),
                    "count": cell.count,
                    "overdue": cell.overdue,
                    "url": _url("dispatch:problem_list", unit=unit.pk, tier=cell.tier, status=cell.status),
                    "overdue_url": _url(
                        "dispatch:problem_list",
                        unit=unit.pk,
                        tier=cell.tier,
                        status=cell.status,
                        overdue="on",
                    )
                    if cell.overdue
                    else None,
                }
                for cell in data.problems
            ],
        },
        "orders": {
            "issued": data.orders.issued,
            "responded": data.orders.responded,
            "closed": data.orders.closed,
            "overdue": data.orders.overdue,
            "due_soon": data.orders.due_soon,
            "url": _url("dispatch:order_list", status="issued"),
            "overdue_url": _url("dispatch:order_list", status="issued", overdue="on"),
            "due": [
                {
                    "id": order.pk,
                    "project": order.project.name if order.project_id else "",
                    "addressee": order.addressee.display_name,
                    "deadline": order.deadline.isoformat(),
                    "overdue": order.overdue,
                    "url": _url("dispatch:order", args=[order.pk]),
                }
                for order in data.orders.due
            ],
        },
        "rankings": [
            {
                "scheme": ranking.snapshot.scheme.name,
                "period": ranking.snapshot.period,
                "revision": ranking.snapshot.revision,
                "url": _url("assessment:results", args=[ranking.snapshot.scheme_id, ranking.snapshot.period]),
                "groups": [
                    {
                        "name": group["name"],
                        "units": [
                            {
                                "rank": row["rank"],
                                "unit": row["unit"],
                                "total": str(row["total"]),
                                "grade": str(row.get("grade") or ""),
                                "url": _url(
                                    "assessment:card",
                                    args=[ranking.snapshot.scheme_id, ranking.snapshot.period, row["org"].pk],
                                )
                                if row.get("org")
                                else None,
                            }
                            for row in group["units"]
                        ],
                    }
                    for group in ranking.groups
                ],
            }
            for ranking in data.rankings
        ],
        "headlines": {
            "year": headline_year,
            "quarter": headline_quarter,
            "url": _url("assessment:headline", year=headline_year, quarter=headline_quarter),
            "rows": [
                {
                    "position": ind.position,
                    "name": ind.name,
                    "measure": ind.measure,
                    "target": _plain(ind.target),
                    "quarter_target": None if value is None else _plain(value.quarter_target),
                    "actual": None if value is None else _plain(value.actual),
                    "growth_percent": None if value is None else _plain(value.growth),
                    "peer_rank": None if value is None else value.peer_rank,
                    "met": None if value is None else value.met,
                }
                for ind, value in data.headlines
            ],
        },
        "chains": [_chain(row, month, own) for row in data.chains],
        "attraction": _attraction(data.attraction, unit),
        "requests": _requests(data.requests, unit),
        "reserve": [
            {
                "tier": row.tier,
                "label": row.tier_label,
                "projects": row.count,
                "investment": _money(row.investment),
                "ready_projects": row.ready_count,
                "ready_investment": None if row.ready_investment is None else _money(row.ready_investment),
                "url": _url("projects:list", tier=row.tier, **own),
            }
            for row in data.reserve
        ],
        "reserve_url": _url("reserve:depth"),
    }


def _amount(metric: str, value) -> str | None:
    if value is None:
        return None
    return str(int(value)) if counted_metric(metric) else _money(value)


def _chain(row, month: str, own: dict) -> dict:
    lines = row.targets.lines if row.targets else []
    output = row.targets.headline if row.targets else None
    return {
        "chain_id": row.chain.pk,
        "name": row.chain.name,
        "kind": row.chain.kind,
        "chief": row.chain.chief.name if row.chain.chief_id else None,
        "projects": row.projects,
        "figures": _figures(row.progress, row.band),
        "url": _url("projects:list", chain=row.chain.pk, period=month, **own),
        "page_url": _url("chains:detail", args=[row.chain.pk], period=month),
        "output_target": _amount(output.metric, output.target) if output else None,
        "output_actual": _amount(output.metric, output.actual) if output else "0.00",
        "output_rate_percent": _text(output.rate) if output else None,
        "targets": [
            {
                "metric": line.metric,
                "label": line.label,
                "unit": str(line.unit),
                "target": _amount(line.metric, line.target),
                "actual": _amount(line.metric, line.actual),
                "rate_percent": _text(line.rate),
            }
            for line in lines
        ],
    }


def _attraction(data: Attraction, unit: OrgUnit) -> dict:
    figures = data.figures
    return {
        "leads": sum(data.by_status.values()),
        "signed": figures.signed,
        "signed_amount": _money(figures.signed_amount),
        "started": figures.started,
        "due": figures.due,
        "performed": figures.performed,
        "performance_rate_percent": _text(figures.performance_rate),
        "funds_domestic": _money(figures.funds_domestic),
        "funds_foreign": _money(figures.funds_foreign),
        "funds_total": _money(figures.funds_total),
        "late": data.late,
        "by_status": [
            {
                "status": status,
                "label": str(LeadStatus(status).label),
                "count": count,
                "url": _url("attraction:list", unit=unit.pk, status=status),
            }
            for status, count in data.by_status.items()
        ],
        "url": _url("attraction:list", unit=unit.pk),
        "late_url": _url("attraction:list", unit=unit.pk, late="on"),
        "performance_url": _url("attraction:performance"),
    }


def _requests(data: Requests, unit: OrgUnit) -> dict:
    figures = data.figures
    return {
        "requests": figures.requests,
        "closed": figures.closed,
        "solved_on_time": figures.solved_on_time,
        "on_time_rate_percent": _text(figures.on_time_rate),
        "rated": figures.rated,
        "satisfied": figures.satisfied,
        "satisfaction_rate_percent": _text(figures.satisfaction_rate),
        "open": data.open,
        "overdue": data.overdue,
        "url": _url("dispatch:problem_list", unit=unit.pk, requests="on"),
        "open_url": _url("dispatch:problem_list", unit=unit.pk, requests="on", status=OPEN),
        "overdue_url": _url("dispatch:problem_list", unit=unit.pk, requests="on", overdue="on"),
    }


def resolve(user, unit_id: int | None, period_text: str | None) -> tuple[OrgUnit, Period]:
    """The unit (through the gateway: 404 when not visible) and the month (422 when malformed)."""
    period = None
    if period_text:
        try:
            period = Period.parse(period_text)
        except PeriodError:
            raise HttpError(422, PERIOD_ERROR) from None
    unit = gateway.get_visible_unit(user, unit_id) if unit_id is not None else gateway.default_unit(user)
    if unit is None:
        raise HttpError(404, NO_UNIT)
    return unit, period or default_period(unit)


@router.get("", response=responses(BattlemapOut, not_found=True), summary="The battle map (挂图作战) of a unit and month")
@decorate_view(cached_response, replica_reads)
def battlemap(request, params: Query[BattlemapParams]):
    """Every panel's figures for `unit` and `period`, each with the URL of the list behind it."""
    unit, period = resolve(request.user, params.unit, params.period)
    # payload() is BattlemapOut's JSON already (see there): the same JSON as ninja's renderer writes.
    return HttpResponse(json.dumps(payload(request.user, unit, period)), content_type="application/json; charset=utf-8")
