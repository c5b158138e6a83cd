"""Indicators Guatu computes from its own data, per unit and period (January to the month)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guatu.access.gateway import jurisdiction
from guatu.attraction import queries as attraction
from guatu.chains import queries as chains
from guatu.dispatch.models import Escalation, Problem, ProblemStatus
from guatu.enterprises.queries import request_satisfaction, requests_solved_on_time
from guatu.investment.queries import investment_summary
from guatu.lib.lights import report_deadline
from guatu.lib.money import percent, round_half_up
from guatu.lib.periods import Period
from guatu.lib.progress import completion_rate
from guatu.lights.services import rules_for
from guatu.orgs.models import OrgUnit
from guatu.projects.models import AnnualPlan, Project
from guatu.reports.models import MonthlyReport, ReportStatus

HUNDRED = Decimal(100)


def project_investment_rate(unit: OrgUnit, period: Period) -> Decimal | None:
    """Key-project investment completion rate (%) of the projects located in or led by the unit."""
    summary = investment_summary(Project.objects.in_unit(unit), period)
    plan = sum((r.annual_plan for r in summary.rows if r.tag.code == "county"), Decimal(0))
    done = sum((r.ytd_completed for r in summary.rows if r.tag.code == "county"), Decimal(0))
    return percent(completion_rate(done, plan))  # the one completion-rate rule (guatu.lib.progress)


def reports_on_time(unit: OrgUnit, period: Period) -> Decimal | None:
    """Share (%) of the monthly reports due so far that were submitted by their deadline and are approved.

    The deadline is the one the warning lights use for "no report by the deadline" (the jurisdiction's
    `report_deadline_day` of the following month, DOMAIN §2: around the 5th), to the end of that day, local
    time. `submitted_at` is the last submission: a report returned and submitted again after the deadline
    is late.
    """
    projects = Project.objects.in_unit(unit).counted()
    due = (
        AnnualPlan.objects.filter(year=period.year, project__in=projects.values("pk")).count() * period.month
    )
    if not due:
        return None
    rules = rules_for(unit)
    zone = timezone.get_current_timezone()
    by_deadline = Q()
    for month in range(1, period.month + 1):
        day_after = report_deadline(period.year, month, rules) + timedelta(days=1)
        by_deadline |= Q(month=month, submitted_at__lt=datetime.combine(day_after, time.min, tzinfo=zone))
    on_time = (
        MonthlyReport.objects.filter(
            project__in=projects.values("pk"),
            year=period.year,
            month__lte=period.month,
            status=ReportStatus.APPROVED,
        )
        .filter(by_deadline)
        .count()
    )
    return round_half_up(Decimal(on_time) / Decimal(due) * HUNDRED, 2)


def problems_closed_on_time(unit: OrgUnit, period: Period) -> Decimal | None:
    """Share (%) of the problems assigned to the unit that were closed without ever escalating."""
    problems = Problem.objects.filter(assigned_unit=unit, raised_at__year=period.year).annotate(
        escalated=Exists(Escalation.objects.filter(problem=OuterRef("pk")))
    )
    counts = problems.aggregate(
        total=Count("pk"), good=Count("pk", filter=Q(status=ProblemStatus.CLOSED, escalated=False))
    )
    if not counts["total"]:
        return None
    return round_half_up(Decimal(counts["good"]) / Decimal(counts["total"]) * HUNDRED, 2)


def checklist_points(unit: OrgUnit, period: Period) -> Decimal | None:
    """Share (%) of the prefecture's points the county expects on the checklist rows this unit leads: the rows
    of the unit's own county's checklist, never another county's."""
    from guatu.assessment.models import ChecklistRow

    rows = ChecklistRow.objects.approved().filter(
        jurisdiction=jurisdiction(unit), year=period.year, lead_unit=unit, expected_points__isnull=False
    )
    weights = sum((r.prefecture_weight for r in rows), Decimal(0))
    if not weights:
        return None
    return round_half_up(sum((r.expected_points for r in rows), Decimal(0)) / weights * HUNDRED, 2)


COMPUTED: dict[str, tuple[str, Callable[[OrgUnit, Period], Decimal | None]]] = {
    "project_investment_rate": (_("Key-project investment completion rate"), project_investment_rate),
    "reports_on_time": (_("Monthly reports submitted by the deadline and approved"), reports_on_time),
    "problems_closed_on_time": (_("Problems closed without escalation"), problems_closed_on_time),
    "checklist_points": (_("Expected points on the responsibility checklist"), checklist_points),
    "requests_solved_on_time": (_("Enterprise requests solved on time"), requests_solved_on_time),
    "request_satisfaction": (_("Enterprises satisfied with how their requests were handled"), request_satisfaction),
    "attraction_funds_in_place": (_("Investment attraction: funds in place (10k yuan)"), attraction.funds_in_place),
    "attraction_signed_over_1yi": (
        _("Investment attraction: projects signed of 100 million yuan or more"),
        attraction.signed_over_1yi,
    ),
    "attraction_signed_over_10yi": (
        _("Investment attraction: projects signed of 1 billion yuan or more"),
        attraction.signed_over_10yi,
    ),
    "attraction_performance_rate": (
        _("Investment attraction: contract performance rate"),
        attraction.lead_performance_rate,
    ),
    "chains_output_rate": (_("Industry chains led: output value against the targets"), chains.lead_chains_output_rate),
    "chains_investment_rate": (
        _("Industry chains led: project investment against the targets"),
        chains.lead_chains_investment_rate,
    ),
    "chains_started_rate": (
        _("Industry chains led: investment projects started against the targets"),
        chains.lead_chains_started_rate,
    ),
}
