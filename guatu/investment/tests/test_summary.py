import random
from decimal import Decimal

import pytest

from guatu.investment.briefing import briefing_for
from guatu.investment.queries import investment_summary
from guatu.lib.periods import Period
from guatu.lib.progress import combined
from guatu.projects.models import AnnualPlan, Project
from guatu.projects.queries import progress_by_project
from guatu.projects.services import annual_plan_set
from guatu.reports.models import ReportStatus
from guatu.testing import bulk_random_figures, make_project, make_report, make_tag

pytestmark = pytest.mark.django_db


def test_only_approved_reports_of_counted_projects_count(world):
    w = world
    make_report(w.project_a, "2022-01", "100", reporter=w.dept_reporter, reviewer=w.reviewer)
    make_report(w.project_a, "2022-02", "50.50", reporter=w.dept_reporter, reviewer=w.reviewer)
    make_report(w.project_a, "2022-03", "999", reporter=w.dept_reporter, status=ReportStatus.SUBMITTED)
    make_report(w.project_b, "2022-01", "200", reporter=w.outsider, reviewer=w.reviewer)
    cancelled = make_project(location=w.town_a, tags=[w.county_tag], plan="5000", stage="cancelled")
    make_report(cancelled, "2022-01", "700", reporter=w.reporter, reviewer=w.reviewer)

    summary = investment_summary(Project.objects.in_unit(w.city), Period(2022, 3))

    county = summary.row("county")
    assert county.project_count == 2
    assert county.ytd_completed == Decimal("350.50")
    assert county.annual_plan == Decimal("2000")
    assert county.completion_rate == Decimal("0.17525")
    assert county.time_progress == Decimal("0.25")
    assert county.deviation_points == Decimal("-7.48")  # 17.525 − 25 = −7.475 → −7.48 half-up
    pref = summary.row("prefecture")
    assert (pref.project_count, pref.ytd_completed) == (1, Decimal("150.50"))


def test_phased_plan_sets_the_time_progress(world):
    w = world
    annual_plan_set(
        project=w.project_a,
        year=2022,
        amount=Decimal("1000"),
        months={1: Decimal("0"), 2: Decimal("0"), 3: Decimal("100"), 12: Decimal("900")},
    )
    summary = investment_summary(Project.objects.filter(pk=w.project_a.pk), Period(2022, 3))
    assert summary.row("prefecture").planned_progress == Decimal("0.1")
    assert summary.row("prefecture").time_progress == Decimal("0.25")  # 时序进度 stays months/12
    # Project B has no phasing: its 1000 counts 3/12 of the way. (100 + 250) / 2000.
    both = investment_summary(Project.objects.in_unit(w.city), Period(2022, 3))
    assert both.row("county").planned_progress == Decimal("0.175")


def test_briefing_names_single_project_lists(world):
    result = briefing_for(world.city, Period(2022, 3))
    assert result["sentence"] == (
        "1-3月，娄底市重点项目（禾青镇锑品深加工项目）完成投资0.0亿元，为年度计划的0%；"
        "2个市本级重点项目完成投资0.0亿元，为年度计划的0%。"
    )


def _phase_project_a(w):
    annual_plan_set(
        project=w.project_a,
        year=2022,
        amount=Decimal("1000"),
        months={1: Decimal("0"), 2: Decimal("0"), 3: Decimal("100"), 12: Decimal("900")},
    )
    make_report(w.project_a, "2022-01", "50", reporter=w.dept_reporter, reviewer=w.reviewer)


def test_briefing_json_names_time_and_planned_progress(world):
    w = world
    _phase_project_a(w)
    result = briefing_for(w.city, Period(2022, 3))
    assert result["time_progress_percent"] == "25"
    pref = next(row for row in result["lists"] if row["tag"] == "prefecture")
    # 50 of 1000 = 5%; the phased plan puts 100 by March: 10% planned; 5 − 10 = −5 points.
    assert (pref["completion_rate_percent"], pref["time_progress_percent"]) == ("5", "25")
    assert pref["planned_progress_percent"] == "10"
    assert pref["deviation_points"] == "-5"
    county = next(row for row in result["lists"] if row["tag"] == "county")
    # Project B's 1000 is not phased (250 by March): (100 + 250) ÷ 2000 = 17.5% planned.
    assert (county["planned_progress_percent"], county["deviation_points"]) == ("17.5", "-15")


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_each_list_is_its_projects_progress_taken_together(world, seed):
    """The per-tag sums made in SQL are, figure for figure and in form, combined(progress_by_project) of
    the list's projects: with phased plans (some months zero or after the period), projects without a plan
    or without reports, a cancelled project, projects on several lists, reports of every status, and
    amounts large enough for SQLite's floating-point sums to need rounding back to the cent."""
    w = world
    rng = random.Random(seed)
    major = make_tag("major", "重大项目", order=4)
    tag_sets = [[], [w.county_tag], [w.county_tag, w.pref_tag], [w.pref_tag, major], [major]]
    projects = [
        make_project(
            location=w.town_a if i % 2 else w.town_b,
            tags=tag_sets[i % len(tag_sets)],
            plan=None if i % 7 == 3 else f"{rng.randrange(0, 5_000_000)}.{rng.randrange(100):02d}",
            stage="cancelled" if i == 5 else "continuing",
        )
        for i in range(16)
    ]
    # a list whose only plan is not phased
    projects.append(
        make_project(location=w.town_a, tags=[make_tag("province", "省重点", order=1)], plan="1234.56")
    )
    bulk_random_figures(
        rng,
        plans=AnnualPlan.objects.filter(project__in=projects[:-1], year=2022)[::3],
        projects=projects[1:],
        years=(2021, 2022),
        reporter=w.reporter,
    )
    period = Period(2022, rng.randrange(1, 13))
    scope = Project.objects.in_unit(w.city)

    summary = investment_summary(scope, period)

    progress = progress_by_project(scope.counted().values("pk"), period)
    for row in summary.rows:
        listed = [
            progress[p.pk]
            for p in scope.counted().filter(tags=row.tag)
            if p.pk in progress and progress[p.pk].annual_plan is not None
        ]
        expected = combined(period.month, listed)
        assert row.project_count == len(listed)
        assert row.progress == expected
        for field in ("ytd_completed", "annual_plan", "phased_to_date", "phased_whole"):
            assert str(getattr(row.progress, field)) == str(getattr(expected, field))
        assert row.deviation_points == expected.deviation_points
    listed = {row.tag.code for row in summary.rows if row.project_count}
    assert listed == {"county", "prefecture", "major", "province"}
    assert not summary.row("province").progress.phased
