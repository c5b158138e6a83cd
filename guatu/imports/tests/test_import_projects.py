"""Acceptance 2: a dispatch table as offices write it, imported into the library; the month's summary then
equals the sheet's own totals to the cent, and importing it again changes nothing."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from guatu.audit.models import AuditEvent
from guatu.imports.models import ProjectImport
from guatu.imports.services import projects_import
from guatu.imports.tests.sheets import SECTIONS, dispatch_workbook, sheet_totals, to_bytes
from guatu.investment.queries import investment_summary
from guatu.lib.periods import Period
from guatu.projects.models import AnnualPlan, Project
from guatu.reports.models import MonthlyReport, ReportSource, ReportStatus
from guatu.testing import make_report, make_tag

MARCH = Period(2022, 3)


def _import(world, data, *, dry_run=False, tags=None, **kw):
    tag = tags if tags is not None else [make_tag("key2022", "2022年调度项目", order=9)]
    return projects_import(
        data=data, file_name="调度表.xlsx", by=world.reviewer, tags=tag, dry_run=dry_run, **kw
    )


def _counts():
    return (
        Project.objects.count(),
        AnnualPlan.objects.count(),
        MonthlyReport.objects.count(),
        AuditEvent.objects.count(),
        ProjectImport.objects.count(),
    )


@pytest.mark.django_db
def test_dispatch_table_imports_and_the_summary_equals_its_totals(client, world):
    data = to_bytes(dispatch_workbook())

    before = _counts()
    dry = _import(world, data, dry_run=True)
    assert dry.problems == []
    assert dry.period == MARCH
    assert [r.action for r in dry.rows] == ["created", "created", "created"]
    assert _counts() == before

    result = _import(world, data)
    assert result.problems == [] and result.counts == {"created": 3, "updated": 0, "unchanged": 0}
    summary = investment_summary(Project.objects.all(), MARCH).row("key2022")
    totals = sheet_totals()
    assert summary.project_count == 3
    assert summary.annual_plan == totals["plan"] == Decimal("25000")
    assert summary.ytd_completed == totals["ytd"] == Decimal("6000.35")
    client.force_login(world.reviewer)
    api = client.get("/api/v1/investment/summary", {"period": "2022-03"}).json()
    row = next(r for r in api["rows"] if r["tag"] == "key2022")
    assert (row["projects"], row["annual_plan"], row["ytd_completed"]) == (3, "25000.00", "6000.35")

    plant = Project.objects.get(code="2021-431381-32-03-000101")
    assert (plant.lead_unit, [link.unit for link in plant.support_links.all()]) == (world.dept, [world.drc])
    assert (plant.location_unit, plant.responsible_leader, plant.category) == (
        world.town_a,
        world.leader,
        "industry",
    )
    assert (plant.start_year, plant.end_year, plant.stage, plant.owner) == (
        2021,
        2023,
        "continuing",
        "湘锑实业有限公司",
    )
    road = Project.objects.get(name="城区道路提质改造工程")
    assert (road.category, road.code, road.start_year, road.end_year, road.location_unit) == (
        "infrastructure",
        None,
        2022,
        2024,
        world.city,
    )
    opening = MonthlyReport.objects.get(project=plant, year=2022, month=3)
    assert (opening.amount, opening.status, opening.source, opening.physical_progress) == (
        Decimal("3200.25"),
        ReportStatus.APPROVED,
        ReportSource.OPENING,
        "主体完工",
    )
    record = ProjectImport.objects.get()
    event = AuditEvent.objects.get(action="import.projects")
    assert event.after["sha256"] == result.sha256 == record.sha256
    assert (event.after["year"], event.after["month"], event.after["created"], event.actor) == (
        2022, 3, 3, world.reviewer
    )
    assert AuditEvent.objects.filter(action="report.opening", project=plant).count() == 1

    after_first = _counts()
    again = _import(world, data)
    assert again.problems == [] and again.counts == {"created": 0, "updated": 0, "unchanged": 3}
    assert _counts() == after_first  # nothing written, not even an import record


@pytest.mark.django_db
def test_opening_figure_is_the_cumulative_less_the_months_already_approved(world):
    """A project already in the library with January and February approved: March's opening figure is the
    sheet's 1-3月 cumulative less those two months, so the summary still equals the sheet."""
    project = world.project_a  # 禾青镇锑品深加工项目, plan 1000 for 2022
    row = list(SECTIONS[0][1][0])
    row[0], row[1] = project.name, ""  # found by name in the county
    row[6], row[7], row[8], row[9] = 50000, 1000, 300, Decimal("700.5")  # total, plan, 本月, 1-3月累计
    sheet = [("一、产业发展类（1个）", [tuple(row)])]
    make_report(project, "2022-01", "100", reporter=world.dept_reporter, reviewer=world.reviewer)
    make_report(project, "2022-02", "200.25", reporter=world.dept_reporter, reviewer=world.reviewer)

    result = _import(world, to_bytes(dispatch_workbook(sections=sheet)), tags=[])

    assert result.problems == []
    assert [r.action for r in result.rows] == ["updated"]
    assert result.rows[0].changed == ["业主单位", "建设规模及内容", "配合单位", "2022-03 期初完成数"]
    march = MonthlyReport.objects.get(project=project, year=2022, month=3)
    assert march.amount == Decimal("400.25") and march.source == ReportSource.OPENING
    summary = investment_summary(Project.objects.filter(pk=project.pk), MARCH).row("county")
    assert summary.ytd_completed == Decimal("700.50")


@pytest.mark.django_db
def test_amounts_in_yi_yuan_are_converted_exactly(world):
    sheet = [
        (
            "一、产业发展类（1个）",
            [SECTIONS[0][1][0][:6] + (5, 1.23456, 0.01, 0.123456) + SECTIONS[0][1][0][10:]],
        )
    ]
    result = _import(world, to_bytes(dispatch_workbook(sections=sheet, unit="亿元")))
    assert result.problems == []
    project = Project.objects.get(code="2021-431381-32-03-000101")
    assert project.total_investment == Decimal("50000.00")
    assert project.plans.get(year=2022).amount == Decimal("12345.60")
    assert MonthlyReport.objects.get(project=project).amount == Decimal("1234.56")


@pytest.mark.django_db
def test_the_project_history_shows_the_import_in_chinese(client, world):
    _import(world, to_bytes(dispatch_workbook()))
    plant = Project.objects.get(code="2021-431381-32-03-000101")
    client.force_login(world.reviewer)
    page = client.get(reverse("projects:detail", args=[plant.pk])).content.decode()
    assert "导入期初完成数" in page and "创建项目" in page
    assert "3200.25" in page and "source" not in page and "ytd_completed" not in page
    assert "调度表：1月至2022-03累计完成 3200.25，减去此前各月已审核通过的 0.00。" in page


@pytest.mark.django_db
def test_an_existing_project_is_updated_with_what_changed_only(world):
    """Project B (渣渡镇农贸市场改造项目) found by name: the sheet says it is completed, adds it to a list and
    changes its total; the dry run names those changes and writes nothing, the import makes them."""
    project = world.project_b
    tag = make_tag("key2022", "2022年调度项目", order=9)
    row = (project.name, "", "竣工投产", "", "", "", 60000, 1000, None, None, "", "", "渣渡镇", "王志强", "")
    data = to_bytes(dispatch_workbook(sections=[("三、社会民生类", [row])], months="本年"))
    version = project.version

    dry = _import(world, data, dry_run=True, tags=[tag])
    assert dry.problems == []
    assert [(r.action, r.changed) for r in dry.rows] == [("updated", ["项目类别", "总投资（万元）", "项目级别", "建设阶段"])]
    project.refresh_from_db()
    assert (project.version, project.stage, project.total_investment) == (version, "continuing", Decimal("50000"))

    _import(world, data, tags=[tag])
    project.refresh_from_db()
    assert (project.stage, project.category, project.total_investment) == ("completed", "livelihood", Decimal("60000"))
    assert set(project.tags.values_list("code", flat=True)) == {"county", "key2022"}
    stage_event = AuditEvent.objects.filter(action="project.stage", project=project).get()
    assert stage_event.reason == "调度表 调度表.xlsx"


@pytest.mark.django_db
def test_report_set_opening_rules(world):
    from django.core.exceptions import PermissionDenied, ValidationError

    from guatu.reports.services import report_set_opening

    project = world.project_a
    with pytest.raises(PermissionDenied):
        report_set_opening(project=project, period=MARCH, ytd_completed=Decimal("10"), by=world.dept_reporter)
    make_report(project, "2022-01", "100", reporter=world.dept_reporter, reviewer=world.reviewer)
    with translation.override("en"), pytest.raises(ValidationError, match="less than the 100.00 already approved"):
        report_set_opening(project=project, period=MARCH, ytd_completed=Decimal("99.99"), by=world.reviewer)
    make_report(project, "2022-02", "1", reporter=world.dept_reporter, status=ReportStatus.DRAFT)
    with translation.override("en"), pytest.raises(ValidationError, match="that is Draft: finish or delete it"):
        report_set_opening(project=project, period=Period(2022, 2), ytd_completed=Decimal("150"), by=world.reviewer)

    opening = report_set_opening(project=project, period=MARCH, ytd_completed=Decimal("150.5"), by=world.reviewer)
    assert (opening.amount, opening.status, opening.source) == (Decimal("50.50"), "approved", "opening")
    events = AuditEvent.objects.count()
    again = report_set_opening(project=project, period=MARCH, ytd_completed=Decimal("150.50"), by=world.reviewer)
    assert again.pk == opening.pk and AuditEvent.objects.count() == events
