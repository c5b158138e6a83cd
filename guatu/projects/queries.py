"""Named reads of the project library: the filtered list with its progress figures, a project's reports
and history. Every function takes a queryset the access gateway has already narrowed to what the reader
may see; none of them widens it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import DecimalField, Exists, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce

from guatu.audit.history import HistoryRow, history_rows
from guatu.audit.queries import history_of_project
from guatu.lib.money import CENT, percent, round_half_up
from guatu.lib.periods import Period
from guatu.lib.progress import Progress, completion_rate
from guatu.orgs.models import OrgUnit
from guatu.projects.models import (
    AnnualPlan,
    Milestone,
    PlanMonth,
    Project,
    ProjectQuerySet,
)
from guatu.reports.models import ApprovedTotal, MonthlyReport, ReportStatus, ytd_field

ZERO = Decimal("0")
NO_CENTS = Decimal("0.00")  # a missing amount, as a sum rounded to the cent would show it
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
        # EXISTS on the tag links, by the project's own id: at a province's 21,000 tagged projects, half the count's
        # time of the former `pk IN (the tagged projects)`, which built a list of them all first.
        tagged = Project.tags.through.objects.filter(project_id=OuterRef("pk"), leveltag__code=filters.tag)
        projects = projects.filter(Exists(tagged))
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


def ytd_completed_by_project(period: Period, *, through: int | None = None):
    """THE year-to-date read: approved amounts of the period's year, January to its month (or to `through`),
    summed per project (rows of `project`, `total`). Everything that shows a year to date starts from it.

    It reads the roll-up guatu.reports.models.ApprovedTotal, one row per project and year that the report
    services keep exact (guatu.reports.rollups), rather than adding up each project's reports: a province's
    summary reads 24,000 rows instead of 250,000. Projects with nothing approved by then have no row."""
    month = period.month if through is None else through
    column = ytd_field(max(month, 1))
    rows = (
        ApprovedTotal.objects.filter(year=period.year, **{f"{column}__isnull": False})
        .order_by()
        .annotate(total=F(column))
        .values("project", "total")
    )
    return rows if month >= 1 else rows.none()  # through no month: nothing


def progress_by_project(scope, period: Period, *, leave_out_month: bool = False) -> dict[int, Progress]:
    """Each project's year to date against its plan (guatu.lib.progress), for the projects of `scope` (a
    queryset of project pks, or ids) that have a plan for the year or an approved amount in it. Three
    queries: plans, approved reports, phased months. `leave_out_month`: without the period's own month (a
    report page shows the year to date before the month being filled in).

    A province reads some 30,000 projects here, so the rows come as tuples (values_list, no ordering: an
    ordering on the project would join its table) and only the amounts that are there are rounded."""
    plans = dict(
        AnnualPlan.objects.filter(year=period.year, project__in=scope)
        .order_by()
        .values_list("project_id", "amount")
    )
    through = period.month - 1 if leave_out_month else period.month
    done = ytd_completed_by_project(period, through=through).filter(project__in=scope)
    completed = dict(done.order_by().values_list("project", "total"))
    phased = {
        pid: (to_date, whole)
        for pid, to_date, whole in PlanMonth.objects.filter(plan__year=period.year, plan__project__in=scope)
        .order_by()
        .values("plan__project_id")
        .annotate(to_date=Sum("amount", filter=Q(month__lte=period.month)), whole=Sum("amount"))
        .values_list("plan__project_id", "to_date", "whole")
    }
    month = period.month
    progress = {}
    for pid in plans.keys() | completed.keys():
        # SQLite sums in floating point ("350.500000000000"): the inputs are whole cents, so rounding a sum
        # to the cent restores the exact figure. A plan is read as stored, to the cent on every database.
        ytd = completed.get(pid)
        phase = phased.get(pid)
        if phase is None:
            to_date = whole = NO_CENTS
        else:
            to_date = NO_CENTS if phase[0] is None else _to_cent(phase[0])
            whole = NO_CENTS if phase[1] is None else _to_cent(phase[1])
        progress[pid] = Progress(
            month=month,
            ytd_completed=NO_CENTS if ytd is None else _to_cent(ytd),
            annual_plan=plans.get(pid),
            phased_to_date=to_date,
            phased_whole=whole,
            phased=phase is not None,
        )
    return progress


def _to_cent(amount: Decimal) -> Decimal:
    """round_half_up(amount, 2) without building the quantum each time (called some 60,000 times)."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


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


def project_history(project: Project) -> list[HistoryRow]:
    """The project's audit trail (the project, its plans, its reports) as readable rows, newest first."""
    return history_rows(history_of_project(project), hide={"project"})[::-1]
