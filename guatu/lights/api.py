"""GET /api/v1/lights: the red and yellow list (红黄榜) of a unit and month over JSON.

Its figures are the board's own: the same scope (views.board_scope: the board's filter form, the unit
through the gateway's visible units, the month defaulting to services.default_period) and the same reads
(queries.warned_list, lights_by_tag). Amounts are exact 万元 strings.
"""

from __future__ import annotations

from django.utils.translation import gettext
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from guatu.lib.money import round_half_up
from guatu.lights.models import LightColor
from guatu.lights.queries import describe_reason, light_counts, lights_by_tag, warned_list, warned_months
from guatu.lights.views import board_scope
from guatu.web.paging import MAX_ID, responses

router = Router(tags=["lights"])

NO_UNIT = "没有可查看的单位"


class LightsParams(Schema):
    unit: int | None = Field(
        None,
        ge=1,
        le=MAX_ID,
        description="Org unit id (its projects located in or led by it); default all the reader sees",
    )
    period: str | None = Field(
        None,
        max_length=7,
        description="YYYY-MM; default the month the unit's pages open on (lights.services.default_period)",
    )


class ColourCountsOut(Schema):
    red: int
    yellow: int
    green: int


class TagLightsOut(Schema):
    tag: str = Field(description="Level tag code")
    name: str
    projects: int = Field(description="Counted projects carrying the tag with a plan for the year")
    red: int
    yellow: int
    green: int
    unlit: int = Field(description="Projects on the list with no light computed for the month")
    annual_plan: str = Field(description="Sum of the annual plans, 万元 (exact)")
    projected_year_end: str = Field(description="Sum of the projects' year-end projections, 万元 (exact)")
    projected_below_plan: bool = Field(
        description="The projection falls short of the plan (compared only when every project has one)"
    )


class WarnedOut(Schema):
    project_id: int
    name: str
    colour: str = Field(description="red or yellow")
    colour_label: str = Field(description="The colour in Chinese")
    location: str
    lead_unit: str
    reasons: list[str] = Field(description="Why, in Chinese, as the board writes them")
    months_red: int = Field(description="Months of the year, up to this one, with a red light")
    months_yellow: int = Field(description="Months of the year, up to this one, with a yellow light")
    projected_year_end: str | None = Field(description="万元 (exact); null when not projected")


class LightsOut(Schema):
    period: str
    unit_id: int | None = Field(description="null: every unit the reader sees")
    unit_name: str
    counts: ColourCountsOut = Field(description="Projects per light in the month")
    by_tag: list[TagLightsOut] = Field(description="Per level tag; a project on several lists counts in each")
    warned: list[WarnedOut] = Field(description="The red and yellow list: red first, then yellow")


def _money(value) -> str:
    return format(round_half_up(value, 2), "f")


@router.get("", response=responses(LightsOut, not_found=True), summary="The red and yellow list (红黄榜) of a unit and month")
def lights(request, params: Query[LightsParams]):
    """The board's figures for `unit` and `period`: counts per light and per level tag, and the list."""
    form, unit, projects, period = board_scope(request)
    if "period" in form.errors:
        raise HttpError(422, "period 参数：" + " ".join(form.errors["period"]))
    if "unit" in form.errors:
        raise HttpError(404, NO_UNIT)
    warned = list(warned_list(projects, period))
    months = warned_months([light.project_id for light in warned], period)
    return {
        "period": str(period),
        "unit_id": unit.pk if unit else None,
        "unit_name": unit.display_name if unit else gettext("All units I see"),
        "counts": light_counts(projects, period),
        "by_tag": [
            {
                "tag": row.tag.code,
                "name": row.tag.name,
                "projects": row.projects,
                "red": row.red,
                "yellow": row.yellow,
                "green": row.green,
                "unlit": row.unlit,
                "annual_plan": _money(row.annual_plan),
                "projected_year_end": _money(row.projected_year_end),
                "projected_below_plan": row.projected_below_plan,
            }
            for row in lights_by_tag(projects, period)
        ],
        "warned": [
            {
                "project_id": light.project_id,
                "name": light.project.name,
                "colour": light.light,
                "colour_label": str(LightColor(light.light).label),
                "location": light.project.location_unit.display_name,
                "lead_unit": light.project.lead_unit.display_name if light.project.lead_unit_id else "",
                "reasons": [describe_reason(reason) for reason in light.reasons],
                "months_red": months[light.project_id][LightColor.RED],
                "months_yellow": months[light.project_id][LightColor.YELLOW],
                "projected_year_end": None
                if light.projected_year_end is None
                else _money(light.projected_year_end),
            }
            for light in warned
        ],
    }
