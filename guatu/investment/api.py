from ninja import Field, Query, Router, Schema
from ninja.decorators import decorate_view
from ninja.errors import HttpError

from guatu.access import gateway
from guatu.investment.queries import investment_summary
from guatu.lib.dbrouter import replica_reads
from guatu.lib.money import percent, round_half_up
from guatu.lib.periods import Period, PeriodError
from guatu.lib.response_cache import cached_response
from guatu.lights.services import default_period
from guatu.web.paging import responses

router = Router(tags=["investment"])


class SummaryParams(Schema):
    period: str | None = Field(
        None, description="YYYY-MM; default the month the unit's pages open on: the latest month whose reporting deadline has passed, or the month its city administrator set"
    )
    unit: int | None = Field(None, description="Org unit id; default the reader's own scope")


class TagSummaryOut(Schema):
    tag: str
    name: str
    projects: int
    ytd_completed: str  # 万元, exact
    annual_plan: str  # 万元, exact
    completion_rate_percent: str | None
    time_progress_percent: str = Field(description="时序进度: months elapsed ÷ 12, in %")
    planned_progress_percent: str = Field(
        description="计划进度: the phased plan to date ÷ the annual plan, in % (the time progress where no plan is phased)"
    )
    deviation_points: str | None = Field(
        description="Completion rate − planned progress, in percentage points (half-up)"
    )


class SummaryOut(Schema):
    period: str
    unit_id: int
    unit_name: str
    rows: list[TagSummaryOut]


def _text(value):
    return None if value is None else format(value, "f")


def _money(value):
    """万元 to the cent: SQLite sums in floating point and hands back 15 significant digits."""
    return format(round_half_up(value, 2), "f")


@router.get("/summary", response=responses(SummaryOut, not_found=True), summary="Investment summary per level tag")
@decorate_view(cached_response, replica_reads)
def summary(request, params: Query[SummaryParams]):
    """January to `period` for the projects of `unit` the reader may see. Amounts are exact 万元 strings."""
    period = None
    if params.period:
        try:
            period = Period.parse(params.period)
        except PeriodError:
            raise HttpError(422, "period 参数格式应为 YYYY-MM，例如 2022-03") from None
    unit = (
        gateway.get_visible_unit(request.user, params.unit)
        if params.unit
        else gateway.default_unit(request.user)
    )
    if unit is None:
        raise HttpError(404, "没有可查看的单位")
    projects = gateway.visible_projects_in(request.user, unit)
    if period is None:
        period = default_period(unit)
    result = investment_summary(projects, period)
    return {
        "period": str(period),
        "unit_id": unit.pk,
        "unit_name": unit.name,
        "rows": [
            {
                "tag": row.tag.code,
                "name": row.tag.name,
                "projects": row.project_count,
                "ytd_completed": _money(row.ytd_completed),
                "annual_plan": _money(row.annual_plan),
                "completion_rate_percent": _text(percent(row.completion_rate)),
                "time_progress_percent": _text(percent(row.time_progress)),
                "planned_progress_percent": _text(percent(row.planned_progress)),
                "deviation_points": _text(row.deviation_points),
            }
            for row in result.rows
        ],
    }
