"""Reads of the lights: counts per level tag, the red and yellow lists, projections per tag."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guatu.lib.money import round_half_up
from guatu.lib.periods import Period
from guatu.lights.models import SEVERITY, LightColor, ProjectLight
from guatu.projects.models import AnnualPlan, LevelTag, ProjectQuerySet

ZERO = Decimal(0)

_RULE_TEXT = {
    "schedule": lambda d: (
        _("completion %(behind)s points behind schedule") % {"behind": d.get("behind_points")}
    ),
    "start_missed": lambda d: (
        _("planned start %(date)s missed (%(months)s months)")
        % {"date": d.get("planned_start"), "months": d.get("months_late")}
        if str(d.get("months_late")) not in ("0", "None")
        else _("planned start %(date)s missed (less than a month)") % {"date": d.get("planned_start")}
    ),
    "milestone_overdue": lambda d: (
        _("milestone %(name)s overdue since %(date)s (%(count)s overdue)")
        % {"name": d.get("milestone"), "date": d.get("planned_date"), "count": d.get("count")}
    ),
    "report_missing": lambda d: (
        _("monthly report not submitted by day %(day)s of the next month") % {"day": d.get("deadline_day")}
    ),
    "no_progress": lambda d: _("no investment for %(months)s months") % {"months": d.get("months")},
    "recovering": lambda d: (
        _("back on schedule for %(n)s of the %(needed)s periods needed to turn green")
        % {"n": d.get("green_periods"), "needed": d.get("needed")}
    ),
}


def describe_reason(reason: dict) -> str:
    text = _RULE_TEXT.get(reason.get("rule"))
    return text(reason) if text else str(reason.get("rule"))


@dataclass(frozen=True)
class TagLights:
    tag: LevelTag
    projects: int
    green: int
    yellow: int
    red: int
    unlit: int  # projects on the list with no light computed for the period
    annual_plan: Decimal
    projected_year_end: Decimal  # the sum of the projects' projections (those that have a light)
    projected_below_plan: bool  # compared only when every project of the list has a projection
    unprojected: int  # projects on the list without a projection for the period (not computed)
    short_history: int  # projections that rest on less history (a partial earlier year)


def lights_by_tag(projects: ProjectQuerySet, period: Period) -> list[TagLights]:
    """Each light's count per level tag; counts add up to the tag's projects (those with a plan that year)."""
    scope = projects.counted().values("pk")
    listed = {
        row["project__tags"]: row
        for row in AnnualPlan.objects.filter(year=period.year, project__in=scope, project__tags__isnull=False)
        .values("project__tags")
        .annotate(n=Count("project", distinct=True), plan=Sum("amount"))
    }
    lit = {
        row["project__tags"]: row
        for row in ProjectLight.objects.for_period(period.year, period.month)
        .filter(project__in=scope, project__plans__year=period.year, project__tags__isnull=False)
        .values("project__tags")
        .annotate(
            green=Count("pk", filter=Q(light=LightColor.GREEN)),
            yellow=Count("pk", filter=Q(light=LightColor.YELLOW)),
            red=Count("pk", filter=Q(light=LightColor.RED)),
            projected=Sum("projected_year_end"),
            projected_n=Count("projected_year_end"),
            short=Count("pk", filter=Q(projection_short_history=True)),
        )
    }
    out = []
    for tag in LevelTag.objects.order_by("sort_order", "id"):
        n = listed.get(tag.pk, {}).get("n", 0)
        plan = round_half_up(listed.get(tag.pk, {}).get("plan") or ZERO, 2)
        row = lit.get(tag.pk, {})
        green, yellow, red = row.get("green", 0), row.get("yellow", 0), row.get("red", 0)
        projected = round_half_up(row.get("projected") or ZERO, 2)
        unprojected = n - row.get("projected_n", 0)
        out.append(
            TagLights(
                tag=tag,
                projects=n,
                green=green,
                yellow=yellow,
                red=red,
                unlit=n - green - yellow - red,
                annual_plan=plan,
                projected_year_end=projected,
                projected_below_plan=not unprojected and bool(plan) and projected < plan,
                unprojected=unprojected,
                short_history=row.get("short", 0),
            )
        )
    return out


def warned_list(projects: ProjectQuerySet, period: Period):
    """The red and yellow list (红黄榜): red first, then yellow, each by project."""
    return (
        ProjectLight.objects.for_period(period.year, period.month)
        .warned()
        .filter(project__in=projects.counted().values("pk"))
        .select_related("project__location_unit", "project__lead_unit", "project__responsible_leader")
        .order_by(SEVERITY.desc(), "project__location_unit__path", "project_id")
    )


def light_history(project):
    return ProjectLight.objects.filter(project=project).order_by("year", "month")


PROJECTION_BASIS = {
    "history": gettext_lazy("from earlier years' monthly curves"),
    "phased_plan": gettext_lazy("from the phased plan"),
    "linear": gettext_lazy("straight line (months elapsed)"),
}
HISTORY_SHOWN = 12  # months of a project's light history on its page


def short_history_note(light: ProjectLight) -> str:
    """Said beside a projection that rests on less history than the project has ("" when it does not)."""
    if not light.projection_short_history:
        return ""
    years = (light.facts or {}).get("projection", {}).get("partial_years") or []
    return _(
        "Projected from less history: %(years)s could not be used (only part of the year reported, "
        "or nothing done by this month)."
    ) % {"years": "、".join(str(year) for year in years) or "—"}


def project_lights(project) -> dict:
    """Context for lights/_project_lights.html: one query (two if the project's plans are not prefetched).

    project_lights: the latest months first, each {period, light, label, reasons, projected_year_end,
        projected_below_plan, basis, short_history (the note, or "")}; project_light_latest: the newest of them or None;
    project_light_plan: the annual plan (万元) of the newest month's year, or None.
    """
    lights = list(light_history(project))[-HISTORY_SHOWN:]
    rows = [
        {
            "period": f"{light.year:04d}-{light.month:02d}",
            "year": light.year,
            "light": light.light,
            "label": light.get_light_display(),
            "reasons": [describe_reason(reason) for reason in light.reasons],
            "projected_year_end": light.projected_year_end,
            "projected_below_plan": light.projected_below_plan,
            "basis": PROJECTION_BASIS.get(light.projection_basis, light.projection_basis),
            "short_history": short_history_note(light),
        }
        for light in reversed(lights)
    ]
    latest = rows[0] if rows else None
    plan = None
    if latest:
        plan = next((p.amount for p in project.plans.all() if p.year == latest["year"]), None)
    return {"project_lights": rows, "project_light_latest": latest, "project_light_plan": plan}
