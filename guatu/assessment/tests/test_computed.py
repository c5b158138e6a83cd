"""Indicators Guatu computes from its own data (guatu.assessment.computed)."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from guatu.access.gateway import jurisdiction
from guatu.assessment.computed import COMPUTED, computed_values, reports_on_time
from guatu.assessment.models import ChecklistRow, Indicator
from guatu.dispatch.models import Escalation, Problem, ProblemStatus
from guatu.dispatch.services import (
    escalate_overdue_problems,
    problem_close,
    problem_feedback,
    problem_raise_and_assign,
    problem_verify,
)
from guatu.investment.queries import investment_summary
from guatu.lib.lights import report_deadline
from guatu.lib.money import percent, round_half_up
from guatu.lib.periods import Period
from guatu.lib.progress import completion_rate
from guatu.lights.services import rules_for, rules_set
from guatu.orgs.models import OrgUnitKind
from guatu.projects.models import AnnualPlan, Project
from guatu.reports.models import MonthlyReport, ReportStatus
from guatu.reports.services import report_approve
from guatu.testing import make_other_county, make_project, make_report, make_unit

pytestmark = pytest.mark.django_db
FEB = Period(2022, 2)


def _report(w, period: str, submitted: str, *, approved: str | None = None, status=ReportStatus.APPROVED):
    """A report of township A's project submitted at `submitted` (local time) and approved at `approved`."""
    with time_machine.travel(f"{submitted} +0800", tick=False):
        report = make_report(w.project_a, period, "10", reporter=w.reporter, status=ReportStatus.SUBMITTED)
    if status == ReportStatus.APPROVED:
        with time_machine.travel(f"{approved or submitted} +0800", tick=False):
            report = report_approve(report=report, expected_version=report.version, by=w.reviewer)
    return report


def test_reports_on_time_counts_only_reports_submitted_by_the_deadline(world):
    w = world
    # January's report is due by 5 February, February's by 5 March (DOMAIN §2: around the 5th).
    _report(w, "2022-01", "2022-02-04 16:00", approved="2022-02-10 09:00")  # on time, approved later
    _report(w, "2022-02", "2022-03-07 09:00")  # two days late, although approved
    assert reports_on_time(w.town_a, FEB) == Decimal("50.00")


def test_a_report_submitted_late_on_the_deadline_day_is_on_time(world):
    w = world
    _report(w, "2022-01", "2022-02-05 23:30")
    _report(w, "2022-02", "2022-03-06 00:10")  # ten minutes into the next day
    assert reports_on_time(w.town_a, FEB) == Decimal("50.00")


def test_an_on_time_report_counts_only_once_approved(world):
    w = world
    _report(w, "2022-01", "2022-02-01 09:00", status=ReportStatus.SUBMITTED)
    _report(w, "2022-02", "2022-03-01 09:00")
    assert reports_on_time(w.town_a, FEB) == Decimal("50.00")


def test_the_deadline_day_is_the_jurisdictions_warning_rule(world):
    """One deadline: the day the lights' "no report by the deadline" rule uses, set per jurisdiction."""
    w = world
    _report(w, "2022-01", "2022-02-04 16:00")
    _report(w, "2022-02", "2022-03-07 09:00")
    rules_set(unit=w.city, rules={"report_deadline_day": 8}, by=w.city_admin)
    assert reports_on_time(w.town_a, FEB) == Decimal("100.00")
    rules_set(unit=w.city, rules={"report_deadline_day": 3}, by=w.city_admin)
    assert reports_on_time(w.town_a, FEB) == Decimal("0.00")


def test_no_report_due_gives_no_value(world):
    w = world
    assert reports_on_time(w.dept, Period(2023, 2)) is None


# --- a scheme reads each figure for all its units at once: the same figures as unit by unit ------------------
# The former single-unit reads, kept as the reference (one summary or a few queries per unit).


def _former_project_investment_rate(unit, period):
    summary = investment_summary(Project.objects.in_unit(unit), period)
    plan = sum((r.annual_plan for r in summary.rows if r.tag.code == "county"), Decimal(0))
    done = sum((r.ytd_completed for r in summary.rows if r.tag.code == "county"), Decimal(0))
    return percent(completion_rate(done, plan))


def _former_reports_on_time(unit, period):
    projects = Project.objects.in_unit(unit).counted()
    due = AnnualPlan.objects.filter(year=period.year, project__in=projects.values("pk")).count() * period.month
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
            project__in=projects.values("pk"), year=period.year, month__lte=period.month, status="approved"
        )
        .filter(by_deadline)
        .count()
    )
    return round_half_up(Decimal(on_time) / Decimal(due) * 100, 2)


def _former_problems_closed_on_time(unit, period):
    problems = Problem.objects.filter(assigned_unit=unit, raised_at__year=period.year).annotate(
        escalated=Exists(Escalation.objects.filter(problem=OuterRef("pk")))
    )
    counts = problems.aggregate(
        total=Count("pk"), good=Count("pk", filter=Q(status=ProblemStatus.CLOSED, escalated=False))
    )
    if not counts["total"]:
        return None
    return round_half_up(Decimal(counts["good"]) / Decimal(counts["total"]) * 100, 2)


def _former_checklist_points(unit, period):
    rows = ChecklistRow.objects.approved().filter(
        jurisdiction=jurisdiction(unit), year=period.year, lead_unit=unit, expected_points__isnull=False
    )
    weights = sum((r.prefecture_weight for r in rows), Decimal(0))
    if not weights:
        return None
    return round_half_up(sum((r.expected_points for r in rows), Decimal(0)) / weights * 100, 2)


FORMER = {
    "project_investment_rate": _former_project_investment_rate,
    "reports_on_time": _former_reports_on_time,
    "problems_closed_on_time": _former_problems_closed_on_time,
    "checklist_points": _former_checklist_points,
}


def _problem(w, unit, *, close: bool, escalate: bool, reporter=None):
    with time_machine.travel("2022-03-01 09:00 +0800", tick=False):
        problem = problem_raise_and_assign(
            project=w.project_a,
            description="征地拆迁未完成",
            category="land",
            unit=unit,
            deadline=date(2022, 3, 10),
            by=w.reviewer,
        )
    if escalate:
        escalate_overdue_problems(at=datetime(2022, 3, 12, 9, tzinfo=timezone.get_current_timezone()))
    if close:
        with time_machine.travel("2022-03-20 09:00 +0800", tick=False):
            problem.refresh_from_db()
            problem_feedback(problem=problem, expected_version=problem.version, text="已办结", by=reporter)
            problem.refresh_from_db()
            problem = problem_verify(problem=problem, expected_version=problem.version, by=w.reviewer)
            problem = problem_close(problem=problem, expected_version=problem.version, by=w.reviewer)
    return problem


@pytest.fixture
def county(world):
    """Projects at several levels (one in a zone inside township A, one cancelled, one without a plan, one
    without the county tag), reports on time, late and not approved, problems closed, open and escalated,
    checklist rows of this county and of another one, and a deadline day of the county's own."""
    w = world
    zone = make_unit("禾青工业园", OrgUnitKind.ZONE, w.town_a)
    in_zone = make_project(location=zone, lead=w.drc, tags=[w.county_tag], plan="500")
    make_project(location=w.town_b, lead=w.dept, tags=[w.county_tag], plan="300", stage="cancelled")
    make_project(location=w.town_a, tags=[w.county_tag], plan=None)
    make_project(location=w.town_b, lead=w.drc, tags=[w.pref_tag], plan="800")
    _report(w, "2022-01", "2022-02-04 16:00", approved="2022-02-10 09:00")
    _report(w, "2022-02", "2022-03-07 09:00")
    _report(w, "2022-03", "2022-04-02 09:00", status=ReportStatus.SUBMITTED)
    with time_machine.travel("2022-02-03 10:00 +0800", tick=False):
        make_report(w.project_b, "2022-01", "40", reporter=w.outsider, reviewer=w.reviewer)
        make_report(in_zone, "2022-01", "120", reporter=w.reporter, reviewer=w.reviewer)
    rules_set(unit=w.city, rules={"report_deadline_day": 6}, by=w.city_admin)
    _problem(w, w.town_a, close=True, escalate=False, reporter=w.reporter)
    _problem(w, w.town_a, close=False, escalate=False)
    _problem(w, w.dept, close=True, escalate=True, reporter=w.dept_reporter)
    other = make_other_county()
    for county, lead, weight, points in (
        (w.city, w.drc, 4, 3),
        (w.city, w.drc, 6, 6),
        (w.city, w.town_a, 5, "2.5"),
        (other.county, w.drc, 6, 0),  # another county's row naming one of ours: not ours
    ):
        ChecklistRow.objects.create(
            status="approved",
            jurisdiction=county,
            year=2022,
            indicator=Indicator.objects.create(code=f"c{ChecklistRow.objects.count()}", name="x", category="business"),
            prefecture_weight=weight,
            expected_points=Decimal(points),
            lead_unit=lead,
        )
    return [w.city, w.town_a, w.town_b, w.dept, w.drc, zone, other.town]


def _text(figures: dict) -> dict:
    return {pk: None if value is None else str(value) for pk, value in figures.items()}


@pytest.mark.parametrize("key", sorted(FORMER))
def test_each_batch_read_gives_the_former_figures_unit_by_unit(world, county, key):
    former = FORMER[key]
    for month in (1, 2, 3, 12):
        period = Period(2022, month)
        expected = {unit.pk: former(unit, period) for unit in county}
        assert _text(computed_values(key, county, period)) == _text(expected), (key, period)
        assert _text(computed_values(key, county[1:3], period)) == _text(
            {unit.pk: expected[unit.pk] for unit in county[1:3]}
        )
        assert _text({unit.pk: COMPUTED[key][1](unit, period) for unit in county}) == _text(expected)
    assert any(value is not None for value in expected.values())
