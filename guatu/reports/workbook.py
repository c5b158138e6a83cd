"""The monthly report workbook (月报填报模板): a unit's month as an .xlsx to fill in offline, and its upload.

The template lists the projects the unit's reporters fill in (`Project.objects.in_unit`, the rule behind
`gateway.can_fill_reports`), with their identity and figures locked by sheet protection, and five input
columns unlocked and held to the report's own bounds by Excel's data validation. A hidden sheet names the unit
and the month it was made for.

An upload is read by `guatu.web.workbooks.read_cells` (content-checked, no macros, no bombs), every row is
checked before anything is written, and then one transaction writes the reports through the report services
(`report_save`, with source "workbook") and one audit event with the file's SHA-256 and the counts. The same
file uploaded again finds every row unchanged and writes nothing.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from guatu import clock
from guatu.access import gateway
from guatu.audit import events
from guatu.lib.money import CENT, parse_money
from guatu.lib.periods import Period, PeriodError
from guatu.orgs.models import OrgUnit
from guatu.projects.models import Project
from guatu.projects.queries import progress_by_project
from guatu.reports.models import EDITABLE_STATUSES, MonthlyReport, ReportSource
from guatu.reports.queries import fillable_projects
from guatu.reports.services import (
    INPUT_FIELDS,
    MAX_AMOUNT,
    MAX_TEXT,
    ReportInput,
    RowSave,
    report_input_errors,
    report_save_many,
)
from guatu.web.workbooks import Cells, read_cells

SHEET = "月报"
INSTRUCTIONS_SHEET = "填报说明"
META_SHEET = "模板信息"
MARKER = "guatu-monthly-report-template"
TITLE_ROW, UNIT_ROW, HEADER_ROW = 1, 2, 3
FIRST_ROW = HEADER_ROW + 1

# (key, header) in column order. The headers are how an upload finds its columns, so they stay Chinese
# whatever the interface language; the id column is hidden and identifies the project of each row.
IDENTITY = [
    ("project_id", "项目ID"),
    ("code", "项目代码"),
    ("name", "项目名称"),
    ("lead_unit", "牵头单位"),
    ("annual_plan", "年度计划投资（万元）"),
    ("ytd_before", "截至上月累计完成（万元）"),
]
INPUTS = [
    ("amount", "本月完成投资（万元）"),
    ("statistical_amount", "本月统计口径投资（万元）"),
    ("physical_progress", "形象进度"),
    ("problems", "存在问题"),
    ("next_month_plan", "下月计划"),
]
COLUMNS = IDENTITY + INPUTS
HEADERS = dict(COLUMNS)
AMOUNTS = ("amount", "statistical_amount")
WIDTHS = {"project_id": 8, "code": 26, "name": 36, "lead_unit": 20, "physical_progress": 40, "problems": 30}
MAX_ROWS = 5000  # a township's month has tens of projects; a province's unit a few thousand at most


INPUT_KEYS = [key for key, _header in INPUTS]


def _column(key: str) -> int:
    return [k for k, _header in COLUMNS].index(key) + 1


def _letter(key: str) -> str:
    return get_column_letter(_column(key))


# ------------------------------------------------------------------------------------------------ template


def _listed(unit: OrgUnit):
    return fillable_projects(unit).select_related("lead_unit").order_by("code", "name", "pk")


def template_filename(unit: OrgUnit, period: Period) -> str:
    return f"{unit.display_name}-{period}-月报填报模板.xlsx"


def build_template(unit: OrgUnit, period: Period) -> bytes:
    """The unit's month as a workbook to fill in; drafts and reports already there fill their rows."""
    projects = list(_listed(unit))
    ids = [project.pk for project in projects]
    progress = progress_by_project(ids, period, leave_out_month=True)
    reports = {
        report.project_id: report
        for report in MonthlyReport.objects.filter(project_id__in=ids, year=period.year, month=period.month)
    }
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET
    _write_rows(sheet, unit, period, projects, progress, reports)
    _write_instructions(book.create_sheet(INSTRUCTIONS_SHEET), unit, period)
    meta = book.create_sheet(META_SHEET)
    for row in (("template", MARKER), ("unit_id", unit.pk), ("unit", unit.name), ("period", str(period))):
        meta.append(row)
    meta.sheet_state = "hidden"
    meta.protection.sheet = True
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def _write_rows(sheet, unit, period, projects, progress, reports) -> None:
    last = _letter(COLUMNS[-1][0])
    sheet.merge_cells(f"A{TITLE_ROW}:{last}{TITLE_ROW}")
    sheet.cell(TITLE_ROW, 1, f"{unit.display_name}重点项目{period.year}年{period.month}月月报")
    sheet.cell(TITLE_ROW, 1).font = Font(bold=True, size=14)
    sheet.cell(TITLE_ROW, 1).alignment = Alignment(horizontal="center")
    sheet.merge_cells(f"A{UNIT_ROW}:{last}{UNIT_ROW}")
    sheet.cell(UNIT_ROW, 1, f"填报单位：{unit.name}　　填报月份：{period}　　单位：万元")
    input_fill = PatternFill("solid", fgColor="FFF7D6")
    for column, (key, header) in enumerate(COLUMNS, start=1):
        cell = sheet.cell(HEADER_ROW, column, header)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        sheet.column_dimensions[_letter(key)].width = WIDTHS.get(key, 16)
    sheet.column_dimensions[_letter("project_id")].hidden = True
    for row, project in enumerate(projects, start=FIRST_ROW):
        done = progress.get(project.pk)
        report = reports.get(project.pk)
        values = {
            "project_id": project.pk,
            "code": project.code,
            "name": project.name,
            "lead_unit": project.lead_unit.display_name,
            "annual_plan": done.annual_plan if done else None,
            "ytd_before": done.ytd_completed if done else Decimal("0"),
        }
        if report is not None:
            values.update({name: getattr(report, name) for name in INPUT_FIELDS})
        for column, (key, _header) in enumerate(COLUMNS, start=1):
            value = values.get(key)
            cell = sheet.cell(row, column, value)
            if key in ("annual_plan", "ytd_before", *AMOUNTS):
                cell.number_format = "0.00"
            if key in INPUT_KEYS:
                cell.protection = Protection(locked=False)
                cell.fill = input_fill
                cell.alignment = Alignment(wrap_text=key not in AMOUNTS, vertical="top")
    last_row = max(FIRST_ROW, FIRST_ROW + len(projects) - 1)
    _validations(sheet, last_row)
    sheet.freeze_panes = sheet.cell(FIRST_ROW, _column("amount"))
    sheet.protection.sheet = True
    sheet.protection.formatColumns = False  # widen a column to read a long text
    sheet.protection.formatRows = False


def _validations(sheet, last_row: int) -> None:
    amount = DataValidation(
        type="decimal",
        operator="between",
        formula1="0",
        formula2=str(MAX_AMOUNT),
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="金额有误",
        error="请填写不小于0的数字，单位万元，最多两位小数。",
        showInputMessage=True,
        promptTitle="金额（万元）",
        prompt="不小于0的数字，最多两位小数。",
    )
    text = DataValidation(
        type="textLength",
        operator="lessThanOrEqual",
        formula1=str(MAX_TEXT),
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="内容过长",
        error=f"每格最多{MAX_TEXT}个字。",
    )
    for validation, keys in ((amount, AMOUNTS), (text, ("physical_progress", "problems", "next_month_plan"))):
        sheet.add_data_validation(validation)
        for key in keys:
            validation.add(f"{_letter(key)}{FIRST_ROW}:{_letter(key)}{last_row}")


def _write_instructions(sheet, unit: OrgUnit, period: Period) -> None:
    lines = [
        f"{unit.display_name} {period.year}年{period.month}月重点项目月报填报说明",
        "",
        f"1. 本模板由系统为“{unit.name}”生成，只用于{period.year}年{period.month}月的月报，请勿用于其他单位或月份。",
        "2. 只填写黄色单元格：本月完成投资、本月统计口径投资（单位万元，不小于0，最多两位小数）、形象进度、存在问题、下月计划。",
        "3. 项目代码、项目名称、牵头单位、年度计划和截至上月累计完成为系统数据，已锁定，请勿修改，也不要增删行、调整行序。",
        f"4. 本月完成投资为必填项；整行不填的项目本次不导入。文字每格最多{MAX_TEXT}个字。",
        "5. 已报送待审核或已审核通过的月报不能通过本表修改；如需更正，请联系审核人员退回或解锁。",
        "6. 填好后保存为 .xlsx 文件（不要另存为带宏的 .xlsm 或旧版 .xls，不要设置打开密码），在系统“月报导入”页面上传。",
        "7. 上传时系统先检查全部行，有错误时列出所在工作表、行和列，全部正确后才一次写入；同一文件重复上传不会重复写入。",
    ]
    for line in lines:
        sheet.append([line])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.column_dimensions["A"].width = 120


# -------------------------------------------------------------------------------------------------- upload


@dataclass
class RowPlan:
    project: Project
    data: ReportInput
    existing: MonthlyReport | None
    outcome: str  # "created", "updated", "unchanged"
    submits: bool


@dataclass
class WorkbookImport:
    """What an upload did (or, in a dry run, would do)."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    submitted: int = 0
    sha256: str = ""
    dry_run: bool = False

    def counts(self) -> dict[str, int]:
        return {
            "created": len(self.created),
            "updated": len(self.updated),
            "unchanged": len(self.unchanged),
            "submitted": self.submitted,
        }


def _where(row: int, key: str | None = None) -> str:
    if key is None:
        return _("sheet %(sheet)s, row %(row)s") % {"sheet": SHEET, "row": row}
    return _("sheet %(sheet)s, row %(row)s, column %(column)s") % {
        "sheet": SHEET,
        "row": row,
        "column": HEADERS[key],
    }


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _amount(value) -> Decimal | None:
    """A cell as an amount: a number, or text that is a plain number; None when empty. ValueError otherwise."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int | float | Decimal):
        # a float cell holds the shortest decimal that reads back as it: 123.45, never 123.4499999
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        if not number.is_finite():
            raise ValueError(value)
        return number
    return parse_money(str(value).translate(_FULL_WIDTH).replace(" ", ""))


_FULL_WIDTH = str.maketrans("０１２３４５６７８９．，－。", "0123456789.,-.")


def _check_meta(book: Cells, unit: OrgUnit, period: Period, errors: list[str]) -> None:
    if META_SHEET not in book.sheetnames:
        return  # rows copied into a fresh workbook: the header and the project ids still say what they are
    meta = {_text(row[0]): _text(row[1]) for row in book.rows(META_SHEET, max_col=2, max_row=10)}
    if meta.get("template") != MARKER:
        return
    made_for_unit = meta.get("unit_id") == str(unit.pk)
    made_for_period = meta.get("period") == str(period)
    if not (made_for_unit and made_for_period):
        errors.append(
            _(
                "This workbook is the template of %(unit)s for %(period)s, not of %(chosen_unit)s for "
                "%(chosen_period)s: download this month's template for your unit and fill that in."
            )
            % {
                "unit": meta.get("unit") or "—",
                "period": meta.get("period") or "—",
                "chosen_unit": unit.name,
                "chosen_period": period,
            }
        )


def _header_columns(book: Cells) -> tuple[int, dict[str, int]] | None:
    """The header row (among the first ten) and the column of each header it has, by text."""
    wanted = {header: key for key, header in COLUMNS}
    for number, row in enumerate(book.rows(SHEET, max_row=10), start=1):
        found = {wanted[_text(value)]: index for index, value in enumerate(row) if _text(value) in wanted}
        if "project_id" in found and "amount" in found:
            return number, found
    return None


def plan_upload(
    *, unit: OrgUnit, period: Period, data: bytes, name: str = "", submit: bool = False
) -> list[RowPlan]:
    """Open and check every row of an upload; raise ValidationError listing every problem by sheet, row and
    column (WorkbookRefused for a file that is not a workbook at all). Reads only."""
    book = read_cells(data, name=name)
    errors: list[str] = []
    _check_meta(book, unit, period, errors)
    if SHEET not in book.sheetnames:
        raise ValidationError(
            [
                _("The workbook has no sheet named %(sheet)s: upload the report template downloaded here.")
                % {"sheet": SHEET}
            ]
        )
    header = _header_columns(book)
    if header is None:
        raise ValidationError(
            [
                _(
                    "Sheet %(sheet)s has no header row this import recognises (it needs at least the columns "
                    "%(id)s and %(amount)s of the template)."
                )
                % {"sheet": SHEET, "id": HEADERS["project_id"], "amount": HEADERS["amount"]}
            ]
        )
    header_row, columns = header
    last_column = max(columns.values()) + 1
    filled: list[tuple[int, dict]] = []
    for number, row in enumerate(
        book.rows(SHEET, min_row=header_row + 1, max_col=last_column), start=header_row + 1
    ):
        if number - header_row > MAX_ROWS:  # counted as read: a streamed sheet's stated size may be missing
            raise ValidationError(
                [_("Sheet %(sheet)s has more than %(limit)s rows.") % {"sheet": SHEET, "limit": MAX_ROWS}]
            )
        cells = {key: (row[index] if index < len(row) else None) for key, index in columns.items()}
        if all(_text(cells.get(key)) == "" for key in INPUT_KEYS):
            continue  # a project left blank is not reported this time
        filled.append((number, cells))
    # Only the projects the rows name, among the unit's (a province's unit lists tens of thousands).
    named = {pk for _number, cells in filled if (pk := _project_id(cells)) is not None}
    projects = (
        {
            project.pk: project
            for project in fillable_projects(unit).filter(pk__in=named).only(*PLANNED_FIELDS)
        }
        if named
        else {}
    )
    existing = {
        report.project_id: report
        for report in MonthlyReport.objects.filter(
            project_id__in=list(projects), year=period.year, month=period.month
        ).order_by()  # by project: the model's order would join the projects to sort
    }
    plans: list[RowPlan] = []
    seen: dict[int, int] = {}
    current = Period.of(clock.today())
    for number, cells in filled:
        plan = _plan_row(number, cells, projects, existing, period, current, seen, errors, submit=submit)
        if plan is not None:
            plans.append(plan)
    if errors:
        raise ValidationError(errors)
    return plans


# What an import reads of each project it names: the row checks' construction years and the messages' name (a
# province's import reads two thousand; the whole of each would take as long again).
PLANNED_FIELDS = ("pk", "name", "start_year", "end_year")


def _project_id(cells) -> int | None:
    """The row's project id, when it is one (a database id has at most 18 digits)."""
    raw = _text(cells.get("project_id"))
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 18 else None


def _plan_row(
    number, cells, projects, existing, period, current, seen, errors, *, submit: bool
) -> RowPlan | None:
    raw_id = _text(cells.get("project_id"))
    project = projects.get(_project_id(cells))
    if project is None:
        errors.append(
            _("%(where)s: project %(project)s is not one of this unit's projects (or the row was changed).")
            % {"where": _where(number, "project_id"), "project": _text(cells.get("name")) or raw_id or "—"}
        )
        return None
    if project.pk in seen:
        errors.append(
            _("%(where)s: %(project)s is already on row %(row)s; a project has one report a month.")
            % {"where": _where(number), "project": project.name, "row": seen[project.pk]}
        )
        return None
    seen[project.pk] = number
    amounts, row_errors = {}, []
    for key in AMOUNTS:
        try:
            amounts[key] = _amount(cells.get(key))
        except (ValueError, ArithmeticError):
            row_errors.append(
                _("%(where)s: %(value)s is not a number; enter the amount in 10k yuan, such as 125.5.")
                % {"where": _where(number, key), "value": _text(cells.get(key))[:50]}
            )
    if "amount" in amounts and amounts["amount"] is None:
        row_errors.append(
            _("%(where)s: enter the amount completed this month (0 if nothing was done).")
            % {"where": _where(number, "amount")}
        )
    if row_errors:
        errors.extend(row_errors)
        return None
    data = ReportInput(
        amount=amounts["amount"],
        statistical_amount=amounts["statistical_amount"],
        physical_progress=_text(cells.get("physical_progress")),
        problems=_text(cells.get("problems")),
        next_month_plan=_text(cells.get("next_month_plan")),
    )
    for key, messages in report_input_errors(project, period, data, current=current).items():
        column = key if key in HEADERS else None
        errors.extend(
            _("%(where)s: %(message)s") % {"where": _where(number, column), "message": message}
            for message in messages
        )
    report = existing.get(project.pk)
    if report is None:
        return RowPlan(project, data, None, "created", submit)
    same = _same(report, data)
    if report.status not in EDITABLE_STATUSES:
        if not same:
            errors.append(
                _(
                    "%(where)s: the report of %(project)s for this month is %(status)s and locked; ask a reviewer "
                    "to return or unlock it before changing it."
                )
                % {"where": _where(number), "project": project.name, "status": report.get_status_display()}
            )
        return RowPlan(project, data, report, "unchanged", False)
    if same and not submit:
        return RowPlan(project, data, report, "unchanged", False)
    return RowPlan(project, data, report, "updated", submit)


def _same(report: MonthlyReport, data: ReportInput) -> bool:
    def rounded(value):
        return None if value is None else value.quantize(CENT)

    return (
        report.amount == rounded(data.amount)
        and report.statistical_amount == rounded(data.statistical_amount)
        and report.physical_progress == data.physical_progress
        and report.problems == data.problems
        and report.next_month_plan == data.next_month_plan
    )


def reports_import_workbook(
    *,
    unit: OrgUnit,
    period: Period,
    data: bytes,
    name: str = "",
    by,
    submit: bool = False,
    dry_run: bool = False,
) -> WorkbookImport:
    """Take in a filled-in template: every row checked first (ValidationError listing each problem), then all
    of them written in one transaction through `report_save`, with one audit event for the file. A dry run, or
    a file that changes nothing, writes nothing."""
    if not gateway.can_fill_unit_reports(by, unit):
        raise PermissionDenied(
            _("%(user)s does not fill in the reports of %(unit)s.") % {"user": by.username, "unit": unit.name}
        )
    plans = plan_upload(unit=unit, period=period, data=data, name=name, submit=submit)
    result = WorkbookImport(sha256=hashlib.sha256(data).hexdigest(), dry_run=dry_run)
    for plan in plans:
        getattr(result, plan.outcome).append(plan.project.name)
        result.submitted += plan.submits
    if dry_run or not (result.created or result.updated):
        return result
    with transaction.atomic():
        report_save_many(
            unit=unit,
            period=period,
            rows=[
                RowSave(
                    plan.project, plan.data, plan.existing.version if plan.existing else None, plan.existing
                )
                for plan in plans
                if plan.outcome != "unchanged"
            ],
            by=by,
            submit=submit,
            source=ReportSource.WORKBOOK,
        )
        events.report_workbook_imported(
            unit,
            after={"file": name, "sha256": result.sha256, "period": str(period), **result.counts()},
            by=by,
        )
    return result


def parse_period(text: str) -> Period:
    try:
        return Period.parse(text)
    except PeriodError:
        raise ValidationError(
            _("Month must look like 2022-03 (you entered %(value)s).") % {"value": text}
        ) from None
