"""Reads of the lights: counts per level tag, the red and yellow lists, projections per tag."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guatu.lib.lights import ProjectFacts, RuleSet, report_deadline
from guatu.lib.money import round_half_up
from guatu.lib.periods import Period
from guatu.lib.progress import Progress
from guatu.lib.projection import project_year_end
from guatu.lights.models import SEVERITY, LightColor, ProjectLight
from guatu.projects.models import (
    AnnualPlan,
    LevelTag,
    Milestone,
    MilestoneKind,
    Project,
    ProjectQuerySet,
    Stage,
)
from guatu.projects.queries import progress_by_project
from guatu.reports.models import MonthlyReport, ReportStatus

ZERO = Decimal(0)
NO_CENTS = Decimal("0.00")
STARTED_STAGES = (Stage.NEW, Stage.CONTINUING)
HISTORY_YEARS = 3  # earlier years whose monthly curves shape the projection

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


def lights_by_tag(
    projects: ProjectQuerySet, period: Period, *, lists: dict[LevelTag, tuple[int, Decimal]] | None = None
) -> list[TagLights]:
    """Each light's count per level tag; counts add up to the tag's projects (those with a plan that year).

    `lists`: every tag in order with its list's projects and their annual plan, when the caller has them
    already (the investment summary's rows: the same lists); else two queries more.
    """
    scope = projects.counted().values("pk")
    if lists is None:
        listed = {
            tag_id: (n, round_half_up(plan, 2))
            for tag_id, n, plan in AnnualPlan.objects.filter(
                year=period.year, project__in=scope, project__tags__isnull=False
            )
            .values("project__tags")
            .annotate(n=Count("project", distinct=True), plan=Sum("amount"))
            .values_list("project__tags", "n", "plan")
        }
        lists = {
            tag: listed.get(tag.pk, (0, NO_CENTS)) for tag in LevelTag.objects.order_by("sort_order", "id")
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
    for tag, (n, plan) in lists.items():
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


def warned_counts(projects: ProjectQuerySet, period: Period, **by) -> list[tuple]:
    """warned_list's projects counted per light and per the values of `by`, expressions on the light's row
    (the battle map passes the unit below its own that the project is located in, and the one leading it):
    rows of (light, *values, count). One query, a row per group however many projects are warned."""
    return list(
        ProjectLight.objects.for_period(period.year, period.month)
        .warned()
        .filter(project__in=projects.counted().values("pk"))
        .order_by()
        .annotate(**by)
        .values("light", *by)
        .annotate(n=Count("pk"))
        .values_list("light", *by, "n")
    )


def warned_rows(projects: ProjectQuerySet, period: Period) -> list[dict]:
    """warned_list() as plain rows for the board's tables, in one query: read as values, not as a light, its
    project and three units and a leader per row (100 lights were 500 model instances, the page's main cost).

    Each row: project_id, light, name, location ({pk, display_name, path}), lead, leader (names), reasons (the
    sentences), projected_year_end, projected_below_plan, short_history_note."""
    rows = []
    for row in warned_list(projects, period).values(
        "project_id",
        "light",
        "reasons",
        "projected_year_end",
        "projected_below_plan",
        "projection_short_history",
        "facts",
        "project__name",
        "project__location_unit_id",
        "project__location_unit__name",
        "project__location_unit__short_name",
        "project__location_unit__path",
        "project__lead_unit__name",
        "project__lead_unit__short_name",
        "project__responsible_leader__name",
    ):
        rows.append(
            {
                "project_id": row["project_id"],
                "light": row["light"],
                "name": row["project__name"],
                "location": {
                    "pk": row["project__location_unit_id"],
                    "display_name": row["project__location_unit__short_name"] or row["project__location_unit__name"],
                    "path": row["project__location_unit__path"],
                },
                "lead": row["project__lead_unit__short_name"] or row["project__lead_unit__name"],
                "leader": row["project__responsible_leader__name"],
                "reasons": [describe_reason(reason) for reason in row["reasons"]],
                "projected_year_end": row["projected_year_end"],
                "projected_below_plan": row["projected_below_plan"],
                "short_history_note": _short_history_text(row["projection_short_history"], row["facts"]),
            }
        )
    return rows


def light_counts(projects: ProjectQuerySet, period: Period) -> dict[str, int]:
    """How many of the projects (those warned_list and the board count) have each light in the month. One query."""
    counts = dict.fromkeys(LightColor.values, 0)
    for light, n in (
        ProjectLight.objects.for_period(period.year, period.month)
        .filter(project__in=projects.counted().values("pk"))
        .values("light")
        .annotate(n=Count("pk"))
        .values_list("light", "n")
    ):
        counts[light] = n
    return counts


def warned_months(project_ids: list[int], period: Period) -> dict[int, dict[str, int]]:
    """Per project, the months of the period's year up to its month with a red and with a yellow light
    ({"red": n, "yellow": n}): how long a project on the red and yellow list has been on it. One query."""
    months: dict[int, dict[str, int]] = {
        pid: {LightColor.RED: 0, LightColor.YELLOW: 0} for pid in project_ids
    }
    for pid, light, n in (
        ProjectLight.objects.warned()
        .filter(project_id__in=project_ids, year=period.year, month__lte=period.month)
        .values("project_id", "light")
        .annotate(n=Count("pk"))
        .values_list("project_id", "light", "n")
    ):
        months[pid][light] = n
    return months


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
    return _short_history_text(light.projection_short_history, light.facts)


def _short_history_text(short_history: bool, facts: dict | None) -> str:
    if not short_history:
        return ""
    years = (facts or {}).get("projection", {}).get("partial_years") or []
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


def _began_by(period_end: date, stage: str | None, actual_start: date | None) -> bool:
    """Had construction begun by the period's end? The recorded actual start decides; a project with none
    recorded counts as begun when its stage says so (there is no date to go by)."""
    if actual_start is not None:
        return actual_start < period_end
    return stage in STARTED_STAGES


def gather_facts(project_ids: list[int], period: Period, rules: RuleSet, at: datetime) -> dict[int, dict]:
    """Everything the rules and the projection need, per project, in nine queries.

    Facts are as at the period's end where the data carries dates (the start, milestones); the year to date
    is guatu.projects.queries.progress_by_project, the same read as the investment summary's."""
    year, month = period.year, period.month
    period_end = date(year + (month == 12), month % 12 + 1, 1)
    progress = progress_by_project(project_ids, period)
    stages = dict(Project.objects.filter(pk__in=project_ids).values_list("pk", "stage"))
    monthly: dict[int, dict[int, Decimal]] = defaultdict(dict)
    history: dict[int, dict[int, list[Decimal | None]]] = defaultdict(
        lambda: defaultdict(lambda: [None] * 12)
    )
    for pid, y, m, amount in (
        MonthlyReport.objects.approved()
        .filter(project_id__in=project_ids, year__gte=year - HISTORY_YEARS, year__lte=year)
        .values_list("project_id", "year", "month", "amount")
    ):
        if y == year:
            monthly[pid][m] = amount
        else:
            history[pid][y][m - 1] = amount
    starts = {
        pid: (planned, actual)
        for pid, planned, actual in Milestone.objects.filter(
            project_id__in=project_ids, kind=MilestoneKind.START
        )
        .order_by("planned_date")
        .values_list("project_id", "planned_date", "actual_date")
    }
    overdue: dict[int, list[tuple[str, object]]] = defaultdict(list)
    for pid, name, planned in (
        Milestone.objects.filter(project_id__in=project_ids, planned_date__lt=period_end)
        .exclude(kind=MilestoneKind.START)
        .filter(Q(actual_date__isnull=True) | Q(actual_date__gte=period_end))
        .values_list("project_id", "name", "planned_date")
    ):
        overdue[pid].append((name, planned))
    reported = set(
        MonthlyReport.objects.filter(
            project_id__in=project_ids,
            year=year,
            month=month,
            status__in=[ReportStatus.SUBMITTED, ReportStatus.APPROVED],
        ).values_list("project_id", flat=True)
    )
    deadline_passed = timezone.localtime(at).date() > report_deadline(year, month, rules)

    facts = {}
    for pid in project_ids:
        done = progress.get(pid) or Progress(month=month)
        planned_start, actual_start = starts.get(pid, (None, None))
        began = _began_by(period_end, stages.get(pid), actual_start)
        window = range(max(1, month - rules.no_progress_months + 1), month + 1)
        facts[pid] = {
            "facts": ProjectFacts(
                year=year,
                month=month,
                progress=done,
                planned_start=None if began else planned_start,
                actual_start=actual_start if actual_start is not None and actual_start < period_end else None,
                overdue_milestones=tuple(overdue.get(pid, ())),
                report_due_missing=deadline_passed and pid not in reported,
                monthly_amounts=tuple(monthly[pid].get(m, ZERO) for m in window),
                started=began,
            ),
            "projection": project_year_end(
                ytd=done.ytd_completed,
                month=month,
                annual_plan=done.annual_plan,
                history=dict(history[pid]),
                planned_to_date=done.planned_to_date if done.phased else None,
            ),
        }
    return facts
