"""Named reads of the project library: the filtered list with its progress figures, a project's reports
and history. Every function takes a queryset the access gateway has already narrowed to what the reader
may see; none of them widens it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db.models import DecimalField, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from guatu.audit.labels import action_label
from guatu.audit.queries import history_of_project
from guatu.lib.money import percent, round_half_up
from guatu.lib.periods import Period
from guatu.lib.progress import Progress, completion_rate
from guatu.orgs.models import Leader, OrgUnit
from guatu.projects.models import (
    AnnualPlan,
    Category,
    IndustryChain,
    LevelTag,
    Milestone,
    PlanMonth,
    Project,
    ProjectQuerySet,
    Stage,
    Tier,
)
from guatu.reports.models import MonthlyReport, ReportStatus

ZERO = Decimal("0")
_AMOUNT = DecimalField(max_digits=14, decimal_places=2)


# --- the library list -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProjectFilters:
    """What the library list is narrowed by; units come resolved (the reader may see them)."""

    tag: str = ""  # LevelTag.code
    stage: str = ""
    tier: str = ""
    location: OrgUnit | None = None
    lead: OrgUnit | None = None
    chain_id: int | None = None
    leader_id: int | None = None
    q: str = ""


def filter_projects(projects: ProjectQuerySet, filters: ProjectFilters) -> ProjectQuerySet:
    if filters.tag:
        projects = projects.filter(pk__in=Project.objects.filter(tags__code=filters.tag).values("pk"))
    if filters.stage:
        projects = projects.filter(stage=filters.stage)
    if filters.tier:
        projects = projects.filter(tier=filters.tier)
    if filters.location is not None:
        projects = projects.filter(location_unit__path__startswith=filters.location.path)
    if filters.lead is not None:
        projects = projects.filter(lead_unit__path__startswith=filters.lead.path)
    if filters.chain_id:
        projects = projects.filter(chain_id=filters.chain_id)
    if filters.leader_id:
        projects = projects.filter(responsible_leader_id=filters.leader_id)
    q = filters.q.strip()
    if q:
        projects = projects.filter(Q(name__icontains=q) | Q(code__icontains=q) | Q(owner__icontains=q))
    return projects


def ytd_completed_by_project(period: Period):
    """THE year-to-date read: approved amounts of the period's year, January to its month, summed per
    project (rows of `project`, `total`). Everything that shows a year to date starts from it."""
    return (
        MonthlyReport.objects.approved()
        .year_to_date(period.year, period.month)
        .values("project")
        .annotate(total=Sum("amount"))
    )


def progress_by_project(scope, period: Period, *, leave_out_month: bool = False) -> dict[int, Progress]:
    """Each project's year to date against its plan (guatu.lib.progress), for the projects of `scope` (a
    queryset of project pks, or ids) that have a plan for the year or an approved amount in it. Three
    queries: plans, approved reports, phased months. `leave_out_month`: without the period's own month (a
    report page shows the year to date before the month being filled in)."""
    plans = dict(
        AnnualPlan.objects.filter(year=period.year, project__in=scope).values_list("project_id", "amount")
    )
    done = ytd_completed_by_project(period).filter(project__in=scope)
    if leave_out_month:
        done = done.exclude(month=period.month)
    completed = {row["project"]: row["total"] for row in done}
    phased = {
        row["plan__project_id"]: row
        for row in PlanMonth.objects.filter(plan__year=period.year, plan__project__in=scope)
        .values("plan__project_id")
        .annotate(to_date=Sum("amount", filter=Q(month__lte=period.month)), whole=Sum("amount"))
    }
    progress = {}
    for pid in plans.keys() | completed.keys():
        phase = phased.get(pid, {})
        plan = plans.get(pid)
        # SQLite sums in floating point ("350.500000000000"): the inputs are whole cents, so rounding to
        # the cent restores the exact figure.
        progress[pid] = Progress(
            month=period.month,
            ytd_completed=round_half_up(completed.get(pid) or ZERO, 2),
            annual_plan=None if plan is None else round_half_up(plan, 2),
            phased_to_date=round_half_up(phase.get("to_date") or ZERO, 2),
            phased_whole=round_half_up(phase.get("whole") or ZERO, 2),
            phased=bool(phase),
        )
    return progress


def with_progress(projects: ProjectQuerySet, period: Period) -> ProjectQuerySet:
    """Annotate each project with its plan for the period's year and approved completion from January.

    Both are correlated subqueries, so the list stays one query however many rows it has.
    """
    plan = AnnualPlan.objects.filter(project=OuterRef("pk"), year=period.year).values("amount")[:1]
    ytd = ytd_completed_by_project(period).filter(project=OuterRef("pk")).values("total")
    return projects.annotate(
        annual_plan=Subquery(plan, output_field=_AMOUNT),
        ytd_completed=Coalesce(Subquery(ytd, output_field=_AMOUNT), ZERO, output_field=_AMOUNT),
    )


def finish_progress(projects: list[Project]) -> list[Project]:
    """For rows of with_progress(): amounts to the cent (SQLite sums in floating point and hands back
    15 significant digits) and `completion_percent`, YTD ÷ plan as a percentage (None without a plan)."""
    for project in projects:
        if project.annual_plan is not None:
            project.annual_plan = round_half_up(project.annual_plan, 2)
        project.ytd_completed = round_half_up(project.ytd_completed, 2)
        project.completion_percent = percent(completion_rate(project.ytd_completed, project.annual_plan))
    return projects


def latest_approved_period(projects: ProjectQuerySet) -> Period | None:
    """The latest month in which any of the projects has an approved report (one query)."""
    row = (
        MonthlyReport.objects.approved()
        .filter(project__in=projects.values("pk"))
        .order_by("-year", "-month")
        .values_list("year", "month")
        .first()
    )
    return Period(*row) if row else None


@dataclass(frozen=True)
class FilterChoices:
    """Choices the filter form offers: only what the reader may see."""

    tags: list[LevelTag]
    units: list[OrgUnit]
    chains: list[IndustryChain]
    leaders: list[Leader]


def filter_choices(projects: ProjectQuerySet, units) -> FilterChoices:
    """Tags, units (the reader's visible units plus those their projects sit in or are led by), the chains
    and the responsible leaders of the reader's projects. Four queries."""
    unit_rows = units | OrgUnit.objects.filter(
        Q(pk__in=projects.values("location_unit")) | Q(pk__in=projects.values("lead_unit"))
    )
    return FilterChoices(
        tags=list(LevelTag.objects.order_by("sort_order", "id")),
        units=list(unit_rows.distinct().order_by("path")),
        chains=list(IndustryChain.objects.filter(pk__in=projects.values("chain")).order_by("id")),
        leaders=list(
            Leader.objects.filter(pk__in=projects.values("responsible_leader")).order_by("sort_order", "id")
        ),
    )


# --- one project ------------------------------------------------------------------------------------------


def project_for_detail(projects: ProjectQuerySet, pk: int) -> Project | None:
    """The project with everything its page shows, in a fixed number of queries; None if not in `projects`."""
    return projects.for_detail().prefetch_related("task_force__unit").filter(pk=pk).first()


def milestone_overdue(milestone: Milestone, today: date) -> bool:
    """Planned date passed and not done, or done after the planned date."""
    if milestone.actual_date is None:
        return milestone.planned_date < today
    return milestone.actual_date > milestone.planned_date


@dataclass(frozen=True)
class ReportRow:
    report: MonthlyReport
    counted: bool  # approved: its amount counts
    ytd: Decimal  # approved amounts of the year to this month
    since_start: Decimal  # prior_completed + approved amounts up to this month


@dataclass(frozen=True)
class ProjectReports:
    year: int
    rows: list[ReportRow]
    ytd: Decimal  # approved amounts of the year
    since_start: Decimal  # prior_completed + every approved amount, all years
    next_period: Period | None  # the month the reporter would fill in next, if any


def project_reports(project: Project, year: int | None, today: date) -> ProjectReports:
    """One year's monthly reports with running totals, and the next month without a report. One query:
    a project has a few dozen reports at most, so they are all read and added up here, exactly.

    `year` None means the year of the latest report, else this year (within the project's years)."""
    reports = list(project.reports.order_by("year", "month"))
    latest = Period(reports[-1].year, reports[-1].month) if reports else None
    if year is None:
        year = latest.year if latest else min(max(today.year, project.start_year), project.end_year)
    approved = [r for r in reports if r.status == ReportStatus.APPROVED]
    base = project.prior_completed + sum((r.amount for r in approved if r.year < year), ZERO)
    running_ytd = ZERO
    rows = []
    for report in (r for r in reports if r.year == year):
        counted = report.status == ReportStatus.APPROVED
        if counted:
            running_ytd += report.amount
        rows.append(
            ReportRow(report=report, counted=counted, ytd=running_ytd, since_start=base + running_ytd)
        )
    return ProjectReports(
        year=year,
        rows=rows,
        ytd=running_ytd,
        since_start=project.prior_completed + sum((r.amount for r in approved), ZERO),
        next_period=next_report_period(project, latest, today),
    )


def next_report_period(project: Project, latest: Period | None, today: date) -> Period | None:
    """The month after the latest report; with no report yet, last month (reports are filled in early in
    the following month) but not before the project's first year. None when that month has not begun or
    lies after the project's last year."""
    current = Period.of(today)
    if latest is not None:
        candidate = latest.next()
    else:
        candidate = max(current.previous(), Period(project.start_year, 1))
    if candidate > current or candidate.year > project.end_year:
        return None
    return candidate


# --- history ----------------------------------------------------------------------------------------------

FIELD_LABELS = {
    "months": _("monthly phasing"),
    "tags": _("level tags"),
    "support_units": _("support units"),
    "task_force": _("task force"),
    "milestones": _("promotion plan"),
}
_CHOICE_FIELDS = {"stage": Stage, "tier": Tier, "category": Category, "status": ReportStatus}
_UNIT_FIELDS = {"location_unit", "lead_unit", "unit"}
_HIDDEN_FIELDS = {"project"}  # the page is the project's own
_MONEY_FIELDS = {"amount", "statistical_amount", "total_investment", "prior_completed"}


def _money_text(value: Any) -> str:
    """Audited amounts are exact decimal text, written with or without the cents: show them alike."""
    try:
        return format(round_half_up(Decimal(str(value)), 2), "f")
    except (ArithmeticError, ValueError):
        return str(value)


@dataclass(frozen=True)
class Change:
    label: str
    before: str
    after: str
    created: bool  # no before value: a new object, show only the after value


@dataclass
class HistoryEntry:
    at: datetime
    actor: str
    action: str
    subject: str
    reason: str
    changes: list[Change] = field(default_factory=list)


def _field_label(object_type: str, name: str) -> str:
    if name in FIELD_LABELS:
        return str(FIELD_LABELS[name])
    model = {"project": Project, "monthlyreport": MonthlyReport, "annualplan": AnnualPlan}.get(object_type)
    if model is not None:
        try:
            return str(model._meta.get_field(name).verbose_name)
        except FieldDoesNotExist:  # an audited name that is no longer a field
            pass
    return name


class _Names:
    """Names for the ids an audit trail records, fetched in one query per kind."""

    def __init__(self, events) -> None:
        unit_ids, leader_ids, chain_ids, report_ids = set(), set(), set(), set()
        for event in events:
            if event.object_type == "monthlyreport":
                report_ids.add(event.object_id)
            for values in (event.before, event.after):
                for key, value in values.items():
                    if key in _UNIT_FIELDS and isinstance(value, int):
                        unit_ids.add(value)
                    elif key == "support_units" and isinstance(value, list):
                        unit_ids.update(v for v in value if isinstance(v, int))
                    elif key == "responsible_leader" and isinstance(value, int):
                        leader_ids.add(value)
                    elif key == "chain" and isinstance(value, int):
                        chain_ids.add(value)
        self.units = (
            dict(OrgUnit.objects.filter(pk__in=unit_ids).values_list("pk", "name")) if unit_ids else {}
        )
        self.leaders = (
            {leader.pk: str(leader) for leader in Leader.objects.filter(pk__in=leader_ids)}
            if leader_ids
            else {}
        )
        self.chains = (
            dict(IndustryChain.objects.filter(pk__in=chain_ids).values_list("pk", "name"))
            if chain_ids
            else {}
        )
        self.reports = (
            {
                pk: Period(y, m)
                for pk, y, m in MonthlyReport.objects.filter(pk__in=report_ids).values_list(
                    "pk", "year", "month"
                )
            }
            if report_ids
            else {}
        )
        self.tags = (
            dict(LevelTag.objects.values_list("code", "name"))
            if any("tags" in e.before or "tags" in e.after for e in events)
            else {}
        )

    def value(self, name: str, value: Any) -> str:
        if value is None or value == "" or value == [] or value == {}:
            return "—"
        if name in _UNIT_FIELDS:
            return self.units.get(value, f"#{value}")
        if name == "support_units":
            return " → ".join(self.units.get(v, f"#{v}") for v in value)
        if name == "responsible_leader":
            return self.leaders.get(value, f"#{value}")
        if name == "chain":
            return self.chains.get(value, f"#{value}")
        if name == "tags":
            return "、".join(self.tags.get(v, str(v)) for v in value)
        if name == "months" and isinstance(value, dict):
            return "；".join(
                gettext("month %(month)s: %(amount)s") % {"month": month, "amount": _money_text(amount)}
                for month, amount in value.items()
            )
        if name in _MONEY_FIELDS:
            return _money_text(value)
        if name in _CHOICE_FIELDS:
            choices = _CHOICE_FIELDS[name]
            return str(choices(value).label) if value in choices.values else str(value)
        if isinstance(value, bool):
            return gettext("yes") if value else gettext("no")
        if isinstance(value, list):
            return "、".join(str(v) for v in value)
        return str(value)


def _subject(event, names: _Names) -> str:
    if event.object_type == "monthlyreport":
        period = names.reports.get(event.object_id)
        return (
            gettext("Monthly report %(period)s") % {"period": period} if period else gettext("Monthly report")
        )
    if event.object_type == "annualplan":
        year = event.after.get("year") or event.before.get("year")
        return gettext("Annual plan %(year)s") % {"year": year} if year else gettext("Annual plan")
    if event.object_type == "project":
        return gettext("Project")
    return event.object_type


def project_history(project: Project) -> list[HistoryEntry]:
    """The project's audit trail as readable entries, newest first."""
    events = list(history_of_project(project))
    names = _Names(events)
    entries = []
    for event in reversed(events):
        keys = [k for k in {**event.before, **event.after} if k not in _HIDDEN_FIELDS]
        if event.action == "plan.set":
            keys = [k for k in keys if k != "year"]
        if event.object_type == "monthlyreport" and not event.before:
            keys = [k for k in keys if k not in ("year", "month")]
        if not event.before:  # a new object: its empty fields say nothing
            keys = [k for k in keys if event.after.get(k) not in (None, "", [], {})]
        changes = []
        for key in keys:
            before, after = names.value(key, event.before.get(key)), names.value(key, event.after.get(key))
            if key in event.before and before == after:
                continue  # written again unchanged (a plan set anew with the same amount)
            label = _field_label(event.object_type, key)
            changes.append(Change(label=label, before=before, after=after, created=before == "—"))
        entries.append(
            HistoryEntry(
                at=event.at,
                actor=event.actor.display_name if event.actor else gettext("system"),
                action=action_label(event.action),
                subject=_subject(event, names),
                reason=event.reason,
                changes=changes,
            )
        )
    return entries
