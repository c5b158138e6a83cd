"""The named reads: which month is filled in next, when a milestone is overdue, the readable history."""

import random
from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from guatu.lib.periods import Period
from guatu.lib.progress import Progress
from guatu.projects import queries
from guatu.projects.models import AnnualPlan, Milestone, PlanMonth, Project
from guatu.projects.services import annual_plan_set
from guatu.reports.models import MonthlyReport, ReportStatus
from guatu.testing import bulk_random_figures, make_project


def _project(start=2021, end=2023):
    return Project(start_year=start, end_year=end)


@pytest.mark.parametrize(
    ("latest", "today", "expected"),
    [
        (None, date(2022, 4, 5), Period(2022, 3)),  # nothing yet: last month, filled in early this month
        (Period(2022, 2), date(2022, 4, 5), Period(2022, 3)),  # the month after the latest report
        (Period(2022, 3), date(2022, 4, 5), Period(2022, 4)),  # this month has begun: it may be filled in
        (Period(2022, 4), date(2022, 4, 5), None),  # next month has not begun
        (Period(2022, 12), date(2023, 1, 3), Period(2023, 1)),
        (Period(2023, 12), date(2024, 2, 1), None),  # past the project's last year
        (None, date(2020, 6, 1), None),  # before the project's first year
        (None, date(2021, 1, 10), Period(2021, 1)),  # not before January of the first year
    ],
)
def test_next_report_period(latest, today, expected):
    assert queries.next_report_period(_project(), latest, today) == expected


@pytest.mark.parametrize(
    ("planned", "actual", "overdue"),
    [
        (date(2022, 3, 1), None, True),
        (date(2022, 5, 1), None, False),
        (date(2022, 4, 10), None, False),  # due today is not yet overdue
        (date(2022, 3, 1), date(2022, 2, 20), False),
        (date(2022, 3, 1), date(2022, 3, 9), True),  # done, but late
    ],
)
def test_milestone_overdue(planned, actual, overdue):
    milestone = Milestone(planned_date=planned, actual_date=actual)
    assert queries.milestone_overdue(milestone, date(2022, 4, 10)) is overdue


@pytest.mark.django_db
def test_history_names_ids_and_hides_unchanged_values(world):
    annual_plan_set(
        project=world.project_a, year=2022, amount=Decimal("1000.00"), months={1: Decimal("1000")}
    )
    with translation.override("en"):
        entries = queries.project_history(world.project_a)
    latest, first_plan, created = entries[0], entries[1], entries[2]
    assert latest.action == "Annual plan set"
    # 1000 was written again as 1000.00: only the phasing changed.
    assert [(c.label, c.before, c.after) for c in latest.changes] == [
        ("Monthly phasing", "—", "month 1: 1000.00")
    ]
    assert [(c.label, c.after) for c in first_plan.changes] == [("Annual plan (10k yuan)", "1000.00")]
    facts = {c.label: c.after for c in created.changes}
    assert facts["Location"] == "禾青镇"
    assert facts["Lead unit"] == "冷水江市住房和城乡建设局"
    assert facts["Responsible leader"] == "李建国（副市长）"
    assert facts["Level tags"] == "市本级重点、娄底市重点"
    assert facts["Stage"] == "Continuing"
    assert "Support units" not in facts  # empty at creation: not listed


def _random_year(world, rng, year=2022):
    """Projects in both townships with random plans (some phased by month, some missing), random reports
    of every status in the year and the year before, and one cancelled project."""

    projects = []
    for i in range(14):
        plan = None if i % 5 == 4 else f"{rng.randrange(0, 5_000_000)}.{rng.randrange(100):02d}"
        projects.append(
            make_project(
                location=world.town_a if i % 2 else world.town_b,
                plan=plan,
                year=year,
                stage="cancelled" if i == 6 else "continuing",
            )
        )
    bulk_random_figures(
        rng,
        plans=AnnualPlan.objects.filter(project__in=projects, year=year)[::3],
        projects=projects[:-1],  # the last one has a plan, or not, and no report at all
        years=(year - 1, year),
        reporter=world.reporter,
    )
    return projects


def _progress_by_hand(projects, period, leave_out_month):
    """The year to date of each project added up here, exactly, one row at a time (the oracle)."""

    expected = {}
    for project in projects:
        plan = AnnualPlan.objects.filter(project=project, year=period.year).first()
        months = list(PlanMonth.objects.filter(plan=plan)) if plan else []
        reports = [
            r.amount
            for r in MonthlyReport.objects.filter(
                project=project, year=period.year, status=ReportStatus.APPROVED
            )
            if r.month <= period.month and not (leave_out_month and r.month == period.month)
        ]
        if plan is None and not reports:
            continue
        expected[project.pk] = Progress(
            month=period.month,
            ytd_completed=sum(reports, Decimal("0.00")),
            annual_plan=None if plan is None else plan.amount,
            phased_to_date=sum((m.amount for m in months if m.month <= period.month), Decimal("0.00")),
            phased_whole=sum((m.amount for m in months), Decimal("0.00")),
            phased=bool(months),
        )
    return expected


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("leave_out_month", [False, True])
def test_progress_by_project_is_the_exact_sum_of_the_rows(world, seed, leave_out_month):
    """Large amounts (SQLite sums them in floating point) come back to the cent, figure for figure and in
    the same form ("0.00", never "0"), for every kind of project."""
    projects = _random_year(world, random.Random(seed))
    period = Period(2022, random.Random(seed).randrange(1, 13))
    scope = Project.objects.filter(pk__in=[p.pk for p in projects]).values("pk")
    got = queries.progress_by_project(scope, period, leave_out_month=leave_out_month)
    expected = _progress_by_hand(projects, period, leave_out_month)
    assert got.keys() == expected.keys()
    for pid, progress in expected.items():
        assert got[pid] == progress
        assert str(got[pid].ytd_completed) == str(progress.ytd_completed)
        assert str(got[pid].phased_to_date) == str(progress.phased_to_date)
