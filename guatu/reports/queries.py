"""Reads about monthly reports: which are due, and how far a month's review has come."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Prefetch, Q

from guatu.lib.lights import report_deadline
from guatu.lib.periods import Period
from guatu.lights.services import rules_for
from guatu.orgs.models import OrgUnit
from guatu.projects.models import Project
from guatu.reports.models import MonthlyReport, ReportStatus

# A report is in once it is submitted or approved: the warning lights' "no report by the deadline" reads the same.
IN = (ReportStatus.SUBMITTED, ReportStatus.APPROVED)


def fillable_projects(unit: OrgUnit):
    """The projects a unit's reporters fill in (located in or led by it or a unit below it: the rule behind
    `gateway.can_fill_reports`), not cancelled."""
    return Project.objects.in_unit(unit).counted()


def reporting_month(today: date) -> Period:
    """The month whose reports fall due this month: last month (March's are due in early April)."""
    return Period.of(today).previous()


@dataclass(frozen=True)
class DueReport:
    project: Project
    report: MonthlyReport | None  # a draft or returned report already started, else None


@dataclass(frozen=True)
class ReportsDue:
    period: Period
    deadline: date  # the jurisdiction's `report_deadline_day` of the next month (the lights' rule)
    rows: list[DueReport]

    def overdue(self, today: date) -> bool:
        return today > self.deadline


def in_construction(period: Period):
    return Q(start_year__lte=period.year, end_year__gte=period.year)


def reports_due(unit: OrgUnit, period: Period) -> ReportsDue:
    """The unit's projects in construction in the period's year with no submitted or approved report for the
    month, and the deadline. Three queries whatever the number."""
    month = MonthlyReport.objects.filter(year=period.year, month=period.month)
    due = (
        fillable_projects(unit)
        .filter(in_construction(period))
        .exclude(reports__in=month.filter(status__in=IN))
        .select_related("lead_unit", "location_unit")
        .prefetch_related(Prefetch("reports", queryset=month, to_attr="month_reports"))
        .order_by("name", "pk")
    )
    rows = [DueReport(project, (project.month_reports or [None])[0]) for project in due]
    return ReportsDue(
        period=period, deadline=report_deadline(period.year, period.month, rules_for(unit)), rows=rows
    )


@dataclass(frozen=True)
class ReviewProgress:
    period: Period
    approved: int
    expected: int


def review_progress(projects, period: Period) -> ReviewProgress:
    """已审核 n / N: of the projects (counted, in construction that year) expected to report for the month, how
    many have an approved report. One query."""
    expected = projects.counted().filter(in_construction(period))
    counts = expected.aggregate(
        expected=Count("pk", distinct=True),
        approved=Count(
            "reports",
            filter=Q(
                reports__year=period.year, reports__month=period.month, reports__status=ReportStatus.APPROVED
            ),
            distinct=True,
        ),
    )
    return ReviewProgress(period=period, approved=counts["approved"], expected=counts["expected"])
