"""report_save_many, the workbook's bulk write: the same reports and audit events as saving each row through
report_save, and all rows or none when one was changed or created by someone else since it was read."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from guatu.audit.models import AuditEvent
from guatu.lib.periods import Period
from guatu.reports.models import MonthlyReport, ReportSource, ReportStatus
from guatu.reports.services import ReportInput, RowSave, report_save, report_save_many, report_update
from guatu.testing import make_project, make_report

pytestmark = pytest.mark.django_db

MARCH = Period(2022, 3)
FIELDS = ["amount", "statistical_amount", "physical_progress", "status", "version", "source", "filled_by_id"]


def _projects(w, n):
    return [make_project(location=w.town_a) for _ in range(n)]


def _state(projects):
    reports = {
        r.project_id: r for r in MonthlyReport.objects.filter(project__in=projects, year=2022, month=3)
    }
    return {
        p.pk: (
            [getattr(reports[p.pk], f) for f in FIELDS] if p.pk in reports else None,
            [
                (action, before, {k: v for k, v in after.items() if k != "project"})  # the project's own id
                for action, before, after in AuditEvent.objects.filter(
                    object_type="monthlyreport", object_id=reports[p.pk].pk
                )
                .order_by("pk")
                .values_list("action", "before", "after")
            ]
            if p.pk in reports
            else [],
        )
        for p in projects
    }


@pytest.mark.parametrize("submit", [False, True])
def test_the_bulk_save_writes_what_saving_row_by_row_writes(world, submit):
    w = world
    one_by_one, in_bulk = _projects(w, 3), _projects(w, 3)
    for projects in (one_by_one, in_bulk):  # the third project has a draft already
        make_report(projects[2], "2022-03", "5", reporter=w.reporter, status=ReportStatus.DRAFT)
    inputs = [
        ReportInput(amount=Decimal("10")),
        ReportInput(amount=Decimal("0.5"), physical_progress="开工"),
        ReportInput(amount=Decimal("7.25")),
    ]
    for project, data in zip(one_by_one, inputs, strict=True):
        existing = MonthlyReport.objects.filter(project=project, year=2022, month=3).first()
        report_save(
            project=project,
            period=MARCH,
            data=data,
            expected_version=existing.version if existing else None,
            by=w.reporter,
            submit=submit,
            source=ReportSource.WORKBOOK,
        )
    versions = {r.project_id: r.version for r in MonthlyReport.objects.filter(project__in=in_bulk)}
    written = report_save_many(
        unit=w.town_a,
        period=MARCH,
        rows=[RowSave(p, d, versions.get(p.pk)) for p, d in zip(in_bulk, inputs, strict=True)],
        by=w.reporter,
        submit=submit,
        source=ReportSource.WORKBOOK,
    )
    assert written == 3
    assert list(_state(in_bulk).values()) == list(_state(one_by_one).values())
    assert [state[1][-1][0] for state in _state(in_bulk).values()] == [
        "report.submit" if submit else a for a in ("report.create", "report.create", "report.update")
    ]


def test_a_row_changed_since_it_was_read_refuses_every_row(world):
    w = world
    projects = _projects(w, 3)
    draft = make_report(projects[1], "2022-03", "5", reporter=w.reporter, status=ReportStatus.DRAFT)
    read_at = draft.version
    report_update(
        report=draft, data=ReportInput(amount=Decimal("6")), expected_version=read_at, by=w.reporter
    )
    before = _state(projects), AuditEvent.objects.count()
    rows = [
        RowSave(projects[0], ReportInput(amount=Decimal("1")), None),
        RowSave(projects[1], ReportInput(amount=Decimal("2")), read_at),
    ]
    with pytest.raises(ValidationError, match=projects[1].name):
        report_save_many(
            unit=w.town_a, period=MARCH, rows=rows, by=w.reporter, submit=True, source=ReportSource.WORKBOOK
        )
    assert (_state(projects), AuditEvent.objects.count()) == before


@pytest.mark.parametrize("meanwhile", ["changed", "deleted and made again"])
def test_a_report_the_row_brings_as_read_is_not_trusted_once_it_changed(world, meanwhile):
    """A row may bring its report as it was read (the workbook import does); the save then reads only the stored
    id and version, and refuses the row when either moved on: the report it brings is never written over a
    newer one."""
    w = world
    projects = _projects(w, 2)
    draft = make_report(projects[1], "2022-03", "5", reporter=w.reporter, status=ReportStatus.DRAFT)
    read = MonthlyReport.objects.get(pk=draft.pk)
    if meanwhile == "changed":
        report_update(
            report=draft, data=ReportInput(amount=Decimal("6")), expected_version=draft.version, by=w.reporter
        )
    else:
        MonthlyReport.objects.filter(pk=draft.pk).delete()
        make_report(projects[1], "2022-03", "7", reporter=w.reporter, status=ReportStatus.DRAFT)
    before = _state(projects), AuditEvent.objects.count()
    rows = [
        RowSave(projects[0], ReportInput(amount=Decimal("1")), None),
        RowSave(projects[1], ReportInput(amount=Decimal("2")), read.version, read),
    ]
    with pytest.raises(ValidationError, match=projects[1].name):
        report_save_many(
            unit=w.town_a, period=MARCH, rows=rows, by=w.reporter, submit=False, source=ReportSource.WORKBOOK
        )
    assert (_state(projects), AuditEvent.objects.count()) == before


@pytest.mark.parametrize("brought, queries", [(True, 7), (False, 8)])
def test_a_row_that_brings_its_report_as_read_saves_it_without_reading_it_again(
    world, django_assert_num_queries, brought, queries
):
    w = world
    projects = _projects(w, 3)
    drafts = [
        make_report(p, "2022-03", "5", reporter=w.reporter, status=ReportStatus.DRAFT) for p in projects
    ]
    read = list(MonthlyReport.objects.filter(pk__in=[d.pk for d in drafts]).order_by("project_id"))
    rows = [
        RowSave(r.project, ReportInput(amount=Decimal("8")), r.version, r if brought else None) for r in read
    ]
    with django_assert_num_queries(queries):  # brought: the reports are not read again, whole
        report_save_many(
            unit=w.town_a, period=MARCH, rows=rows, by=w.reporter, submit=False, source=ReportSource.WORKBOOK
        )
    stored = MonthlyReport.objects.filter(pk__in=[d.pk for d in drafts])
    assert {(r.amount, r.version, r.status) for r in stored} == {(Decimal("8.00"), 2, ReportStatus.DRAFT)}


def test_a_report_created_since_the_file_was_read_is_not_overwritten(world):
    w = world
    projects = _projects(w, 2)
    make_report(projects[1], "2022-03", "5", reporter=w.reporter, status=ReportStatus.DRAFT)  # meanwhile
    before = _state(projects)
    rows = [RowSave(p, ReportInput(amount=Decimal("9")), None) for p in projects]
    with pytest.raises(ValidationError, match="already has a report|已有"):
        report_save_many(
            unit=w.town_a, period=MARCH, rows=rows, by=w.reporter, submit=False, source=ReportSource.WORKBOOK
        )
    assert _state(projects) == before


def test_another_units_project_or_reporter_is_refused(world):
    w = world
    mine = _projects(w, 1)
    rows = [
        RowSave(mine[0], ReportInput(amount=Decimal("1")), None),
        RowSave(w.project_b, ReportInput(amount=Decimal("1")), None),
    ]
    with pytest.raises(Exception, match="may not|无权|不能"):
        report_save_many(
            unit=w.town_a, period=MARCH, rows=rows, by=w.reporter, submit=False, source=ReportSource.WORKBOOK
        )
    with pytest.raises(Exception, match="may not|无权|不能"):
        report_save_many(
            unit=w.town_a,
            period=MARCH,
            rows=rows[:1],
            by=w.outsider,
            submit=False,
            source=ReportSource.WORKBOOK,
        )
    assert not MonthlyReport.objects.filter(project__in=[mine[0], w.project_b]).exists()
