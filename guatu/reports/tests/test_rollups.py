"""The approved-totals roll-up stays exact: after every step of the report workflow it equals a recomputation
from the reports, and the year to date everyone reads (ytd_completed_by_project) is the reports' own sum."""

import random
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from guatu.lib.periods import Period
from guatu.projects.models import Project
from guatu.projects.queries import progress_by_project, ytd_completed_by_project
from guatu.reports import rollups
from guatu.reports.models import ApprovedTotal, MonthlyReport, ReportStatus
from guatu.reports.services import (
    ReportInput,
    report_approve,
    report_return,
    report_set_opening,
    report_submit,
    report_unlock,
    report_update,
)
from guatu.testing import make_project, make_report

pytestmark = pytest.mark.django_db


def _by_hand(project_ids, period: Period, through: int) -> dict[int, Decimal]:
    """Each project's approved amounts of the year through `through`, added up here one report at a time."""
    totals: dict[int, Decimal] = {}
    for report in MonthlyReport.objects.filter(
        project_id__in=project_ids, year=period.year, month__lte=through
    ):
        if report.status == ReportStatus.APPROVED:
            totals[report.project_id] = totals.get(report.project_id, Decimal(0)) + report.amount
    return totals


def _check(project_ids) -> None:
    assert rollups.differences(project_ids) == []
    for year in (2021, 2022):
        for month in range(0, 13):
            period = Period(year, max(month, 1))
            read = {
                row["project"]: row["total"]
                for row in ytd_completed_by_project(period, through=month).filter(project__in=project_ids)
            }
            assert read == _by_hand(project_ids, period, month)


def test_every_workflow_step_keeps_the_roll_up_equal_to_the_reports(world):
    w = world
    rng = random.Random(20221)
    projects = [w.project_a, make_project(location=w.town_a, plan="5000", year=2021)]
    ids = [p.pk for p in projects]
    steps = {"created": 0, "changed": 0, "approved": 0, "returned": 0, "unlocked": 0}
    for _ in range(60):
        project, year, month = rng.choice(projects), rng.choice((2021, 2022)), rng.randrange(1, 13)
        report = MonthlyReport.objects.filter(project=project, year=year, month=month).first()
        amount = Decimal(rng.randrange(0, 99_999_999)) / 100
        if report is None:
            status = rng.choice([ReportStatus.DRAFT, ReportStatus.SUBMITTED, ReportStatus.APPROVED])
            make_report(
                project,
                f"{year}-{month:02d}",
                amount,
                reporter=w.reporter,
                reviewer=w.reviewer,
                status=status,
            )
            steps["created"] += 1
        elif report.is_editable:
            report = report_update(
                report=report, data=ReportInput(amount=amount), expected_version=report.version, by=w.reporter
            )
            report_submit(report=report, expected_version=report.version, by=w.reporter)
            steps["changed"] += 1
        elif report.status == ReportStatus.SUBMITTED and rng.random() < 0.7:
            report_approve(report=report, expected_version=report.version, by=w.reviewer)
            steps["approved"] += 1
        elif report.status == ReportStatus.SUBMITTED:
            report_return(report=report, expected_version=report.version, reason="请核实", by=w.reviewer)
            steps["returned"] += 1
        else:
            report_unlock(
                report=report, expected_version=report.version, reason="统计局核减", by=w.city_admin
            )
            steps["unlocked"] += 1
        _check(ids)
    assert all(steps.values()), steps  # every kind of step was taken


def test_an_opening_figure_taken_in_counts_at_once(world):
    w = world
    make_report(w.project_a, "2022-01", "100.10", reporter=w.reporter, reviewer=w.reviewer)
    report_set_opening(
        project=w.project_a, period=Period(2022, 3), ytd_completed=Decimal("350.25"), by=w.reviewer
    )
    _check([w.project_a.pk])
    assert ApprovedTotal.objects.get(project=w.project_a, year=2022).ytd_03 == Decimal("350.25")


def test_a_figure_approved_then_unlocked_shows_in_the_summary_and_then_leaves_it(client, world):
    w = world
    client.force_login(w.city_admin)
    url = "/api/v1/investment/summary?period=2022-03"

    def county_key_ytd():
        rows = client.get(url).json()["rows"]
        return next(row["ytd_completed"] for row in rows if row["tag"] == w.county_tag.code)

    before = Decimal(county_key_ytd())
    report = make_report(w.project_a, "2022-02", "123.45", reporter=w.reporter, reviewer=w.reviewer)
    assert Decimal(county_key_ytd()) == before + Decimal("123.45")
    report_unlock(report=report, expected_version=report.version, reason="统计局核减", by=w.city_admin)
    assert Decimal(county_key_ytd()) == before


def test_reports_removed_in_bulk_leave_no_roll_up_after_a_rebuild_and_a_project_takes_its_rows_along(world):
    w = world
    project = make_project(location=w.town_a)
    make_report(project, "2022-01", "10", reporter=w.reporter, reviewer=w.reviewer)
    make_report(w.project_a, "2022-01", "20", reporter=w.reporter, reviewer=w.reviewer)
    MonthlyReport.objects.filter(project=project).delete()  # as the demo's reset does
    assert rollups.rebuild_rollups([project.pk]) == 0
    _check([project.pk, w.project_a.pk])
    ApprovedTotal.objects.create(project=project, year=2022, ytd_01=Decimal(1))
    Project.objects.filter(pk=project.pk).delete()
    assert not ApprovedTotal.objects.filter(project_id=project.pk).exists()
    assert rollups.differences() == []


def test_the_rollups_command_finds_a_drifted_row_and_rebuilds_it(world):
    w = world
    make_report(w.project_a, "2022-01", "10", reporter=w.reporter, reviewer=w.reviewer)
    ApprovedTotal.objects.filter(project=w.project_a, year=2022).update(ytd_05=Decimal("9.99"))
    with pytest.raises(CommandError, match=f"project {w.project_a.pk} year 2022"):
        call_command("rollups", "--verify", stdout=StringIO())
    out = StringIO()
    call_command("rollups", "--rebuild", stdout=out)
    call_command("rollups", "--verify", stdout=out)
    assert rollups.differences() == []
    assert progress_by_project([w.project_a.pk], Period(2022, 5))[w.project_a.pk].ytd_completed == Decimal(
        "10.00"
    )
