"""The monthly report workbook: download a unit's template, fill it in, upload it (issue 8, acceptance 3, 4, 6)."""

import io
import zipfile
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from guatu.audit.models import AuditEvent
from guatu.audit.queries import business_events
from guatu.investment.queries import investment_summary
from guatu.lib.periods import Period
from guatu.projects.models import Project
from guatu.reports import workbook
from guatu.reports.models import MonthlyReport, ReportSource, ReportStatus
from guatu.reports.services import report_approve
from guatu.testing import make_project, make_report

pytestmark = pytest.mark.django_db

MARCH = Period(2022, 3)


@pytest.fixture(autouse=True)
def chinese():
    with translation.override("zh-hans"):
        yield


@pytest.fixture
def town(world):
    """Township A with three projects of its own besides project A (one of them cancelled: not listed)."""
    w = world
    extra = [make_project(location=w.town_a, tags=[w.county_tag], name=f"禾青镇项目{n}") for n in range(2)]
    cancelled = make_project(location=w.town_a, tags=[w.county_tag], name="已取消项目")
    Project.objects.filter(pk=cancelled.pk).update(stage="cancelled")
    make_report(w.project_a, "2022-02", "40", reporter=w.reporter, reviewer=w.reviewer)
    return [w.project_a, *extra]


def template_url(unit, period="2022-03"):
    return reverse("reports:workbook_template", args=[unit.pk, period])


def upload_url(unit, period="2022-03"):
    return reverse("reports:workbook", args=[unit.pk, period])


def download(client, user, unit, period="2022-03"):
    client.force_login(user)
    response = client.get(template_url(unit, period))
    assert response.status_code == 200, response.status_code
    return load_workbook(io.BytesIO(response.content))


def rows_by_name(sheet):
    header = [cell.value for cell in sheet[workbook.HEADER_ROW]]
    names = header.index("项目名称")
    return {row[names].value: row for row in sheet.iter_rows(min_row=workbook.FIRST_ROW) if row[names].value}


def fill(book, values: dict[str, dict]) -> bytes:
    """Type `values` (project name → {header: value}) into the template's input cells."""
    sheet = book[workbook.SHEET]
    header = [cell.value for cell in sheet[workbook.HEADER_ROW]]
    rows = rows_by_name(sheet)
    for name, cells in values.items():
        for title, value in cells.items():
            rows[name][header.index(title)].value = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(client, unit, data: bytes, *, name="月报.xlsx", period="2022-03", **extra):
    file = io.BytesIO(data)
    file.name = name
    return client.post(upload_url(unit, period), {"file": file, **extra})


def state():
    """Everything a refused upload must leave untouched."""
    return (
        list(MonthlyReport.objects.order_by("pk").values_list("pk", "amount", "status", "version")),
        business_events().count(),  # signing in to download the template is not what is checked
    )


def county_total(world, period=MARCH) -> Decimal:
    return investment_summary(Project.objects.in_unit(world.city), period).row("county").ytd_completed


AMOUNT, STAT, PROGRESS = "本月完成投资（万元）", "本月统计口径投资（万元）", "形象进度"


# ------------------------------------------------------------------------------------------------ template


def test_template_lists_the_units_projects_locked_with_inputs_open_and_validated(client, world, town):
    w = world
    make_report(
        w.project_a, "2022-03", "12.5", reporter=w.reporter, status=ReportStatus.DRAFT, problems="征地"
    )
    book = download(client, w.reporter, w.town_a)
    sheet = book[workbook.SHEET]
    rows = rows_by_name(sheet)
    assert sorted(rows) == sorted(p.name for p in town)  # not the cancelled one, not township B's
    header = [cell.value for cell in sheet[workbook.HEADER_ROW]]
    row_a = rows[w.project_a.name]
    assert row_a[header.index("项目ID")].value == w.project_a.pk
    assert row_a[header.index("年度计划投资（万元）")].value == 1000
    assert row_a[header.index("截至上月累计完成（万元）")].value == 40  # February, approved
    assert row_a[header.index(AMOUNT)].value == 12.5 and row_a[header.index("存在问题")].value == "征地"
    assert sheet.protection.sheet
    assert row_a[header.index("项目名称")].protection.locked
    assert not row_a[header.index(AMOUNT)].protection.locked
    assert sheet.column_dimensions["A"].hidden
    kinds = {dv.type for dv in sheet.data_validations.dataValidation}
    assert kinds == {"decimal", "textLength"}
    decimal = next(dv for dv in sheet.data_validations.dataValidation if dv.type == "decimal")
    assert decimal.formula1 == "0" and "G4" in str(decimal.sqref)
    assert "填报说明" in book.sheetnames and "只填写黄色单元格" in str(book["填报说明"]["A4"].value)
    meta = book[workbook.META_SHEET]
    assert meta.sheet_state == "hidden"
    assert [meta["B2"].value, meta["B4"].value] == [w.town_a.pk, "2022-03"]


def test_template_download_takes_a_fixed_number_of_queries(client, world, django_assert_max_num_queries):
    w = world
    client.force_login(w.reporter)
    # 11: two of them record the download in the audit log (the event and its place in the chain)
    with django_assert_max_num_queries(11):
        assert client.get(template_url(w.town_a)).status_code == 200
    for n in range(15):
        project = make_project(location=w.town_a, name=f"新增项目{n}")
        make_report(project, "2022-02", "1", reporter=w.reporter, reviewer=w.reviewer)
        make_report(project, "2022-03", "2", reporter=w.reporter, status=ReportStatus.DRAFT)
    with django_assert_max_num_queries(11):
        response = client.get(template_url(w.town_a))
    assert len(rows_by_name(load_workbook(io.BytesIO(response.content))[workbook.SHEET])) == 16


# ---------------------------------------------------------------------------------------------- round trip


def test_round_trip_the_summary_grows_by_exactly_the_amounts_filled_in(client, world, town):
    """Acceptance 3: download, fill in with openpyxl, upload; once approved the summary changes by the amounts
    typed in, and the same file uploaded again changes nothing."""
    w = world
    before = county_total(w)
    book = download(client, w.reporter, w.town_a)
    filled = {
        town[0].name: {AMOUNT: 123.45, STAT: 100, PROGRESS: "主体完工"},
        town[1].name: {AMOUNT: "0.55", PROGRESS: "场平"},
        town[2].name: {AMOUNT: 1000},
    }
    data = fill(book, filled)

    dry = upload(client, w.town_a, data, dry_run="1")
    assert dry.status_code == 200 and "不写入" in dry.content.decode()
    assert dry.context["result"].counts() == {"created": 3, "updated": 0, "unchanged": 0, "submitted": 0}
    assert MonthlyReport.objects.filter(year=2022, month=3).count() == 0

    response = upload(client, w.town_a, data, submit_reports="on")
    assert response.status_code == 200, response.context["problems"]
    assert response.context["result"].counts() == {"created": 3, "updated": 0, "unchanged": 0, "submitted": 3}
    march = MonthlyReport.objects.filter(year=2022, month=3)
    assert {r.source for r in march} == {ReportSource.WORKBOOK}
    assert {r.status for r in march} == {ReportStatus.SUBMITTED}
    assert march.get(project=town[0]).statistical_amount == Decimal("100.00")
    event = AuditEvent.objects.get(action="report.workbook_import")
    assert event.object_type == "orgunit" and event.object_id == w.town_a.pk and event.actor == w.reporter
    assert len(event.after["sha256"]) == 64 and event.after["created"] == 3
    assert county_total(w) == before  # only approved figures count

    for report in march:
        report_approve(report=report, by=w.reviewer, expected_version=report.version)
    # project A carries the county tag, as do the two others
    assert county_total(w) - before == Decimal("123.45") + Decimal("0.55") + Decimal("1000")

    again_before = state()
    again = upload(client, w.town_a, data, submit_reports="on")
    assert again.status_code == 200
    assert again.context["result"].counts() == {"created": 0, "updated": 0, "unchanged": 3, "submitted": 0}
    assert state() == again_before


def test_drafts_are_updated_through_the_services_and_a_same_file_again_is_unchanged(client, world, town):
    w = world
    draft = make_report(town[1], "2022-03", "5", reporter=w.reporter, status=ReportStatus.DRAFT)
    data = fill(download(client, w.reporter, w.town_a), {town[1].name: {AMOUNT: 6}})
    response = upload(client, w.town_a, data)
    assert response.context["result"].counts() == {"created": 0, "updated": 1, "unchanged": 0, "submitted": 0}
    draft.refresh_from_db()
    assert (draft.amount, draft.status, draft.version, draft.source) == (
        Decimal("6.00"),
        ReportStatus.DRAFT,
        2,
        ReportSource.WORKBOOK,
    )
    assert AuditEvent.objects.filter(action="report.update", object_id=draft.pk).count() == 1
    before = state()
    assert upload(client, w.town_a, data).context["result"].counts()["unchanged"] == 1
    assert state() == before


# ------------------------------------------------------------------------------------ hostile and broken files


def _plain_xlsx() -> bytes:
    from openpyxl import Workbook

    out = io.BytesIO()
    Workbook().save(out)
    return out.getvalue()


def _repack(data: bytes, *, add=None, replace=None) -> bytes:
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for entry in source.infolist():
            target.writestr(entry.filename, (replace or {}).get(entry.filename, source.read(entry.filename)))
        for part, body in (add or {}).items():
            target.writestr(part, body)
    return out.getvalue()


def _entity_bomb(data: bytes) -> bytes:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&lol2;</t></si></sst>'
    )
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        there = "xl/sharedStrings.xml" in package.namelist()
    part = {"xl/sharedStrings.xml": bomb}
    return _repack(data, replace=part) if there else _repack(data, add=part)


FILES = {
    "pdf renamed": (lambda template: b"%PDF-1.7\n" + b"x" * 200, "不是 Excel"),
    "empty": (lambda template: b"", "空"),
    "password": (lambda template: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "密码"),
    "macros": (lambda template: _repack(template, add={"xl/vbaProject.bin": b"\x00" * 100}), "宏"),
    "zip bomb": (lambda template: _repack(template, add={"xl/media/zeros.bin": b"\x00" * (8 << 20)}), "压缩"),
    "entity bomb": (_entity_bomb, "实体"),
    "no header": (lambda template: _plain_xlsx(), "表头"),
}


@pytest.mark.parametrize("case", FILES)
def test_a_hostile_or_broken_file_is_refused_with_a_message_and_nothing_written(client, world, town, case):
    w = world
    make_file, expected = FILES[case]
    template = fill(download(client, w.reporter, w.town_a), {town[0].name: {AMOUNT: 10}})
    if case == "no header":
        from openpyxl import Workbook

        book = Workbook()
        book.active.title = workbook.SHEET
        book.active.append(["名称", "金额"])
        out = io.BytesIO()
        book.save(out)
        data = out.getvalue()
    else:
        data = make_file(template)
    before = state()
    response = upload(client, w.town_a, data)
    assert response.status_code == 400
    problems = " ".join(response.context["problems"])
    assert expected in problems, problems
    assert "未导入" in response.content.decode()
    assert state() == before


ROWS = {
    "text amount": ({AMOUNT: "约一百万"}, "不是数字"),
    "negative": ({AMOUNT: -5}, "不能为负"),
    "three decimals": ({AMOUNT: 1.234}, "2位小数"),
    "fifteen digits": ({AMOUNT: 1234567890123.5}, "过大"),
    "text too long": ({AMOUNT: 1, PROGRESS: "进" * 2001}, "2000"),
    "no amount": ({PROGRESS: "开工"}, "本月完成投资"),
    # an error value (a formula's #DIV/0!) where an optional amount goes is named, never taken for an empty cell
    "error value": ({AMOUNT: 1, STAT: "#DIV/0!"}, "#DIV/0!"),
}


@pytest.mark.parametrize("case", ROWS)
def test_a_bad_cell_is_named_by_sheet_row_and_column_and_nothing_is_written(client, world, town, case):
    w = world
    cells, expected = ROWS[case]
    data = fill(download(client, w.reporter, w.town_a), {town[0].name: {AMOUNT: 10}, town[1].name: cells})
    before = state()
    response = upload(client, w.town_a, data)
    assert response.status_code == 400
    problems = response.context["problems"]
    assert len(problems) == 1, problems
    assert expected in problems[0] and "工作表“月报”" in problems[0] and "行" in problems[0], problems[0]
    assert state() == before


def _with_rows_changed(client, w, change) -> bytes:
    book = download(client, w.reporter, w.town_a)
    change(book[workbook.SHEET])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_row_of_a_project_not_of_the_unit_and_a_duplicate_row_are_refused(client, world, town):
    w = world

    def change(sheet):
        first = workbook.FIRST_ROW
        sheet.cell(first, 1).value = w.project_b.pk  # township B's project
        sheet.cell(first, 7).value = 5
        sheet.cell(first + 1, 7).value = 6
        sheet.cell(first + 2, 1).value = sheet.cell(first + 1, 1).value  # the same project twice
        sheet.cell(first + 2, 7).value = 7

    before = state()
    response = upload(client, w.town_a, _with_rows_changed(client, w, change))
    problems = " ".join(response.context["problems"])
    assert response.status_code == 400
    assert "不是本单位的项目" in problems and "已在第" in problems, problems
    assert state() == before


def test_a_locked_month_is_refused_when_it_differs_and_unchanged_when_it_does_not(client, world, town):
    w = world
    make_report(town[1], "2022-03", "8", reporter=w.reporter, reviewer=w.reviewer)  # approved
    make_report(town[2], "2022-03", "9", reporter=w.reporter, status=ReportStatus.SUBMITTED)
    same = fill(download(client, w.reporter, w.town_a), {town[0].name: {AMOUNT: 1}})
    response = upload(client, w.town_a, same)
    assert response.context["result"].counts() == {"created": 1, "updated": 0, "unchanged": 2, "submitted": 0}

    changed = fill(
        download(client, w.reporter, w.town_a), {town[1].name: {AMOUNT: 80}, town[2].name: {AMOUNT: 90}}
    )
    before = state()
    response = upload(client, w.town_a, changed)
    problems = response.context["problems"]
    assert len(problems) == 2 and "已审核通过" in problems[0] and "已报送" in problems[1], problems
    assert state() == before


def test_a_template_of_another_month_or_unit_is_refused(client, world, town):
    w = world
    april = fill(download(client, w.reporter, w.town_a, "2022-04"), {town[0].name: {AMOUNT: 1}})
    before = state()
    response = upload(client, w.town_a, april, period="2022-03")
    assert response.status_code == 400
    assert "2022-04" in " ".join(response.context["problems"])
    assert state() == before


# -------------------------------------------------------------------------------------------------- access


@pytest.mark.parametrize("persona", ["reviewer", "city_admin", "leader", "viewer"])
def test_only_the_units_reporters_use_the_workbook(client, world, persona):
    w = world
    client.force_login(w.personas[persona])
    assert client.get(template_url(w.town_a)).status_code in (403, 404)
    assert client.get(upload_url(w.town_a)).status_code in (403, 404)


def test_another_units_workbook_is_not_found_and_anonymous_goes_to_login(client, world):
    w = world
    client.force_login(w.outsider)  # township B's reporter
    assert client.get(template_url(w.town_a)).status_code == 404
    assert client.post(upload_url(w.town_a), {}).status_code == 404
    assert client.get(template_url(w.town_b)).status_code == 200
    assert client.get(upload_url(w.town_b, "2022-13")).status_code == 404
    client.logout()
    for url in (template_url(w.town_a), upload_url(w.town_a)):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_upload_page_offers_the_template_and_a_missing_file_is_a_400(client, world):
    w = world
    client.force_login(w.reporter)
    page = client.get(upload_url(w.town_a))
    assert page.status_code == 200 and template_url(w.town_a) in page.content.decode()
    assert client.post(upload_url(w.town_a), {}).status_code == 400


# ------------------------------------------------------------------------------------------ command line


def _command(*args):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("import", "reports", *args, stdout=out)
    return out.getvalue()


def test_guatu_import_reports_dry_runs_imports_and_submits_then_changes_nothing(
    client, world, town, tmp_path
):
    import json

    w = world
    path = tmp_path / "禾青镇月报.xlsx"
    path.write_bytes(
        fill(download(client, w.reporter, w.town_a), {town[0].name: {AMOUNT: 3}, town[1].name: {AMOUNT: 4}})
    )
    common = [str(path), "--unit", "禾青镇", "--period", "2022-03", "--user", "town_a", "--format", "json"]
    dry = json.loads(_command(*common, "--dry-run"))
    assert (dry["created"], dry["dry_run"]) == (2, True)
    assert not MonthlyReport.objects.filter(month=3).exists()
    done = json.loads(_command(*common, "--submit"))
    assert (done["created"], done["submitted"]) == (2, 2)
    assert set(MonthlyReport.objects.filter(month=3).values_list("status", flat=True)) == {"submitted"}
    before = state()
    assert json.loads(_command(*common, "--submit"))["unchanged"] == 2
    assert state() == before


def test_guatu_import_reports_refuses_a_bad_file_or_someone_else_writing_nothing(
    client, world, town, tmp_path
):
    from django.core.management.base import CommandError

    w = world
    bad = tmp_path / "月报.xlsx"
    bad.write_bytes(fill(download(client, w.reporter, w.town_a), {town[0].name: {AMOUNT: -1}}))
    before = state()
    with pytest.raises(CommandError, match="未导入"):
        _command(str(bad), "--unit", "禾青镇", "--period", "2022-03", "--user", "town_a")
    with pytest.raises(CommandError, match="town_b"):
        _command(str(bad), "--unit", "禾青镇", "--period", "2022-03", "--user", "town_b")
    assert state() == before


def test_the_units_history_shows_the_import_with_chinese_labels(client, world, town):
    w = world
    upload_as = download(client, w.reporter, w.town_a)
    assert upload(client, w.town_a, fill(upload_as, {town[0].name: {AMOUNT: 2}})).status_code == 200
    client.force_login(w.city_admin)
    page = client.get(reverse("orgs:unit", args=[w.town_a.pk])).content.decode()
    assert "导入月报填报表" in page
    for label in ("文件", "SHA-256", "月份", "新增月报", "修改月报", "未变化", "报送审核"):
        assert label in page, label
    for raw in ("sha256", "unchanged", "created", "submitted"):
        assert f">{raw}<" not in page and f"{raw}:" not in page, raw
