"""Acceptance 4 for the project import: each hostile or broken file gets its message, and nothing is written
(row counts and the audit trail unchanged)."""

import io
import zipfile

import pytest
from django.test import override_settings
from django.utils import translation
from openpyxl import Workbook

from guatu.audit.models import AuditEvent
from guatu.imports.models import ProjectImport
from guatu.imports.services import projects_import
from guatu.imports.tests.sheets import SECTIONS, dispatch_workbook, to_bytes
from guatu.projects.models import AnnualPlan, Project
from guatu.reports.models import MonthlyReport
from guatu.testing import make_report
from guatu.web.workbooks import WorkbookRefused


def _counts():
    return (
        Project.objects.count(),
        AnnualPlan.objects.count(),
        MonthlyReport.objects.count(),
        AuditEvent.objects.count(),
        ProjectImport.objects.count(),
    )


def _rezip(data: bytes, *, add: dict[str, bytes] = None, replace: dict[str, bytes] = None) -> bytes:
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            target.writestr(item, (replace or {}).get(item.filename, source.read(item.filename)))
        for name, content in (add or {}).items():
            target.writestr(name, content)
    return out.getvalue()


GOOD = None


def _good() -> bytes:
    global GOOD
    GOOD = GOOD or to_bytes(dispatch_workbook())
    return GOOD


def _entity_bomb() -> bytes:
    with zipfile.ZipFile(io.BytesIO(_good())) as package:
        sheet = package.read("xl/worksheets/sheet1.xml")
    dtd = b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
    return _rezip(_good(), replace={"xl/worksheets/sheet1.xml": dtd + sheet.split(b"?>", 1)[-1]})


HOSTILE = {
    "not_xlsx": (lambda: "项目名称,总投资\n锑品,100\n".encode(), "it is not an Excel .xlsx workbook"),
    "empty": (lambda: b"", "the file is empty"),
    "password": (lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 4000, "encrypted workbook"),
    "macros": (lambda: _rezip(_good(), add={"xl/vbaProject.bin": b"\0" * 100}), "contains macros"),
    "zip_entries": (
        lambda: _rezip(_good(), add={f"xl/media/x{i}.bin": b"x" for i in range(60)}),
        "parts, more than",
    ),
    "zip_ratio": (
        lambda: _rezip(_good(), add={"xl/media/zeros.bin": b"\0" * (3 * 1024 * 1024)}),
        "compressed more than",
    ),
    "entity_bomb": (_entity_bomb, "declares XML entities"),
}


@pytest.mark.django_db
@pytest.mark.parametrize("kind", sorted(HOSTILE))
@override_settings(GUATU_IMPORT_MAX_ENTRIES=50)
def test_hostile_file_is_refused_with_its_message_and_nothing_written(world, kind):
    build, reason = HOSTILE[kind]
    before = _counts()
    with translation.override("en"), pytest.raises(WorkbookRefused) as refused:
        projects_import(data=build(), file_name="调度表.xlsx", by=world.reviewer)
    assert "调度表.xlsx cannot be imported" in refused.value.messages[0]
    assert reason in refused.value.messages[0]
    assert _counts() == before


def _row(**changes):
    names = [
        "name",
        "code",
        "nature",
        "location",
        "scope",
        "years",
        "total",
        "plan",
        "month",
        "ytd",
        "progress",
        "problems",
        "units",
        "leader",
        "owner",
    ]
    row = dict(zip(names, SECTIONS[0][1][0], strict=True))
    row.update(changes)
    return tuple(row[n] for n in names)


def _problems(world, rows, **kw):
    data = to_bytes(dispatch_workbook(sections=[("一、产业发展类", rows)], **kw))
    before = _counts()
    with translation.override("en"):
        result = projects_import(data=data, file_name="调度表.xlsx", by=world.reviewer)
    assert _counts() == before
    assert result.rows == [] and result.record is None
    return [(p.sheet, p.row, p.column, p.message) for p in result.problems]


@pytest.mark.django_db
def test_every_row_problem_is_listed_by_sheet_row_and_column_and_nothing_written(world):
    problems = _problems(
        world,
        [
            _row(total="约5亿"),
            _row(name="二号项目", code="2022-431381-47-01-000102", plan=-5),
            _row(name="三号项目", code="2022-4313-47-01-000103", units="市交通局、市发改局"),
            _row(name="四号项目", code="2022-431381-47-01-000104", leader="赵无名"),
            _row(name="五号项目", code="2022-431381-47-01-000102"),
            _row(name="五号项目", code=""),
        ],
    )
    assert ("重点项目", 7, "总投资", "“约5亿” is not an amount.") in problems
    assert ("重点项目", 8, "2022年计划投资", "An amount cannot be negative (-5.00).") in problems
    code_problem = [p for p in problems if p[1] == 9 and p[2] == "项目代码"]
    assert code_problem, problems
    assert "administrative division code" in code_problem[0][3]
    assert ("重点项目", 9, "责任单位", "Unknown unit “市交通局” in 冷水江市.") in problems
    assert ("重点项目", 10, "联系市领导", "Unknown leader “赵无名” in 冷水江市.") in problems
    assert (
        "重点项目",
        11,
        "项目代码",
        "This project is already in 重点项目 row 8: one row per project.",
    ) in problems
    assert (
        "重点项目",
        12,
        "项目名称",
        "This project is already in 重点项目 row 11: one row per project.",
    ) in problems


@pytest.mark.django_db
def test_a_locked_month_is_a_row_problem(world):
    """March of project A is approved at 500; the sheet says 1-3月 700.5 with nothing approved before March."""
    make_report(world.project_a, "2022-03", "500", reporter=world.dept_reporter, reviewer=world.reviewer)
    problems = _problems(world, [_row(name=world.project_a.name, code="", ytd="700.5")])
    assert len(problems) == 1
    sheet, row, column, message = problems[0]
    assert (sheet, row, column) == ("重点项目", 7, "完成投资/1-3月累计")
    assert message.startswith("2022-03 is locked: its approved report says 500.00, the sheet gives 700.50")


@pytest.mark.django_db
def test_a_sheet_with_no_header_recognised(world):
    wb = Workbook()
    wb.active.title = "说明"
    wb.active["A1"] = "本表由各单位于每月5日前报送"
    wb.create_sheet("空白")
    before = _counts()
    with translation.override("en"):
        result = projects_import(data=to_bytes(wb), file_name="说明.xlsx", by=world.reviewer)
    assert [(p.sheet, p.row, p.message[:22]) for p in result.problems] == [
        ("说明", None, "No header recognised: ")
    ]
    assert _counts() == before


@pytest.mark.django_db
def test_a_code_of_another_countys_project_and_a_month_to_come(world):
    from guatu.orgs.models import OrgUnitKind
    from guatu.testing import make_project, make_unit

    other = make_unit("新化县", OrgUnitKind.COUNTY)
    make_project(location=other, name="新化项目", code="2021-431322-32-03-000009")
    problems = _problems(world, [_row(code="2021-431322-32-03-000009")])
    assert problems == [
        (
            "重点项目",
            7,
            "项目代码",
            "Project code 2021-431322-32-03-000009 belongs to a project of another county.",
        )
    ]
    problems = _problems(world, [_row()], title="冷水江市2099年1-3月重点项目调度表")
    assert problems == [("", None, "", "Month 2099-03 has not come yet.")]
