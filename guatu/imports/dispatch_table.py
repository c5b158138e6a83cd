"""Reading an office's dispatch table (调度表) as offices write it, not as one template of ours.

A sheet has title rows and a 填报单位/单位：万元/填报时间 line above the header; the header may take two rows,
with merged cells over sub-columns (完成投资 over 本月 | 1-3月累计); section rows ("一、产业发展类（9个）") give
the category of the rows below; totals rows (合计, 小计, 总计) and percentage columns (完成率, often formulas
with no cached value) are skipped; notes and signatures (填表人, 审核人, 备注, 说明) end the table.

Columns are recognised by their header text and its usual synonyms. This module knows nothing of the
database: it turns a worksheet into rows of typed cells and a list of problems by row and column; matching
units, leaders and projects is `guatu.imports.services`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from guatu.lib.money import CENT, WAN_PER_YI, parse_money
from guatu.lib.periods import Period

HEADER_SEARCH_ROWS = 20  # the header is within the first rows; titles and the unit line come before it
MAX_AMOUNT = Decimal("999999999999.99")  # what a money column holds (14 digits, 2 places)
MAX_TEXT = 2000
MAX_ROWS = 10000  # a county's table has hundreds of rows; more is not a dispatch table
MAX_COLUMNS = 100

# field → (words one of which the header must contain, words it must not contain)
COLUMNS: list[tuple[str, tuple[str, ...], tuple[str, ...]]] = [
    ("seq", ("序号",), ()),
    ("rate", ("完成率", "占比", "比例", "%", "进度(%)"), ()),
    ("code", ("项目代码", "统一代码", "项目编码", "代码"), ()),
    ("name", ("项目名称", "名称"), ()),
    ("category", ("项目类别", "类别", "项目类型"), ()),
    ("nature", ("建设性质", "性质"), ()),
    ("location", ("建设地点", "地点", "所在乡镇", "属地"), ()),
    ("scope", ("建设规模", "建设内容", "主要内容"), ()),
    ("years", ("起止年限", "建设年限", "起止年份", "建设期限", "起止时间"), ()),
    ("support_units", ("配合单位", "协助单位", "协办单位"), ()),
    ("lead_unit", ("责任单位", "牵头单位", "责任部门", "主管单位"), ()),
    ("owner", ("业主单位", "业主", "建设单位", "实施主体"), ()),
    (
        "leader",
        ("联系领导", "联系市领导", "联系(市)领导", "责任领导", "包保领导", "市级领导", "联系县领导"),
        (),
    ),
    ("progress", ("形象进度", "进展情况", "工程进度", "项目进度"), ()),
    ("problems", ("存在问题", "问题"), ()),
    ("total", ("总投资",), ("完成",)),
    ("plan", ("计划",), ("完成", "下月", "月", "累计")),
    ("since_start", ("开工以来", "自开工", "开工累计"), ()),
    ("ytd", ("累计",), ()),
    ("month", ("本月", "当月"), ()),
]
AMOUNT_FIELDS = ("total", "plan", "month", "ytd")
NUMERAL = re.compile(r"[一二三四五六七八九十]+")
SECTION = re.compile(r"^([一二三四五六七八九十]+\s*[、.．]|\([一二三四五六七八九十]+\))")
CATEGORY_WORDS = {
    "产业": "industry",
    "基础设施": "infrastructure",
    "民生": "livelihood",
    "生态": "ecology",
    "环保": "ecology",
}
TOTAL_WORDS = ("合计", "小计", "总计")
FOOTER_WORDS = ("填表人", "审核人", "备注", "说明", "制表人", "填报人", "负责人", "注：", "注:")
EMPTY_MARKS = ("", "-", "—", "－", "/", "／", "无")
STAGES = [
    ("竣工", "completed"),
    ("投产", "completed"),
    ("续建", "continuing"),
    ("新开工", "new"),
    ("新建", "new"),
    ("扩建", "new"),
    ("改建", "new"),
    ("技改", "new"),
    ("前期", "preliminary"),
    ("预备", "preliminary"),
    ("谋划", "planning"),
    ("储备", "planning"),
]
YEAR = re.compile(r"(19\d\d|20\d\d)")
MONTH_RANGE = re.compile(r"1\s*[-—–~～至到]\s*(\d{1,2})\s*月")
YEAR_MONTH = re.compile(r"(\d{4})\s*年\s*(?:1\s*[-—–~～至到]\s*)?(\d{1,2})\s*月")
UP_TO_MONTH = re.compile(r"截[至止]\s*(\d{1,2})\s*月")
FILLED_ON = re.compile(r"填报(?:时间|日期)\s*[:：]?\s*(\d{4})\s*[年.\-/]\s*(\d{1,2})")
FILLED_ON_TEXT = re.compile(r"填报(?:时间|日期)\s*[:：]?\s*\S*")
UNIT_LINE = re.compile(r"单位:(万元|亿元)")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the file: where (sheet, row as Excel numbers it, column header) and what."""

    sheet: str
    row: int | None
    column: str
    message: str


@dataclass(frozen=True)
class Column:
    field: str
    index: int  # 1-based
    header: str
    scale: Decimal  # 1 for 万元, 10000 for 亿元


@dataclass
class Row:
    """A project row: the sheet's values by field, already typed (amounts in 万元, years as ints)."""

    sheet: str
    number: int
    category: str | None
    values: dict[str, object] = field(default_factory=dict)

    def get(self, name: str, default=None):
        return self.values.get(name, default)


@dataclass
class Sheet:
    name: str
    columns: dict[str, Column] = field(default_factory=dict)
    period: Period | None = None
    rows: list[Row] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def header_of(self, name: str) -> str:
        column = self.columns.get(name)
        return column.header if column else ""


def norm(value) -> str:
    """Header and label text without spaces or line breaks, with ASCII brackets and colons."""
    text = "" if value is None else str(value)
    text = text.translate(str.maketrans({"（": "(", "）": ")", "：": ":", "\u3000": ""}))
    return re.sub(r"\s+", "", text)


def field_of(header: str) -> str | None:
    for name, words, excluded in COLUMNS:
        if any(word in header for word in words) and not any(word in header for word in excluded):
            return name
    return None


def scale_of(text: str, default: Decimal) -> Decimal:
    if "亿元" in text:
        return WAN_PER_YI
    if "万元" in text:
        return Decimal(1)
    return default


def _cell_text(value) -> str:
    return "" if value is None else str(value).strip()


def _merged_value(ws, row: int, col: int):
    """The value shown at (row, col): a merged range shows its top-left cell's value everywhere."""
    for merged in ws.merged_cells.ranges:
        if merged.min_row <= row <= merged.max_row and merged.min_col <= col <= merged.max_col:
            return ws.cell(merged.min_row, merged.min_col).value, merged
    return ws.cell(row, col).value, None


def _find_header(ws) -> int | None:
    for row in range(1, min(ws.max_row, HEADER_SEARCH_ROWS) + 1):
        for col in range(1, min(ws.max_column, MAX_COLUMNS) + 1):
            if field_of(norm(ws.cell(row, col).value)) == "name":
                return row
    return None


def _header_rows(ws, top: int) -> int:
    """2 when the header has a second row of sub-columns (merged cells across or down the first row)."""
    for merged in ws.merged_cells.ranges:
        if merged.min_row == top and (merged.max_col > merged.min_col or merged.max_row > merged.min_row):
            return 2
    return 1


def _headers(ws, top: int, rows: int) -> list[tuple[int, str]]:
    headers = []
    for col in range(1, ws.max_column + 1):
        upper, merged = _merged_value(ws, top, col)
        text = norm(upper)
        if rows == 2 and not (merged and merged.max_row > top and merged.min_col == merged.max_col):
            lower = norm(ws.cell(top + 1, col).value)
            if lower and lower != text:
                text = f"{text}/{lower}" if text else lower
        headers.append((col, text))
    return headers


def _find_period(lines: list[str], headers: list[str]) -> Period | None:
    """From the title ("2022年1-3月"), else the cumulative column's months ("1-3月累计", "截至3月底") with a
    year from the title or the 填报时间, else the month before the 填报时间 (tables are filled in after it)."""
    text = " ".join(lines)
    filled = FILLED_ON.search(text)
    title = FILLED_ON_TEXT.sub(" ", text)
    year_month = YEAR_MONTH.search(title)
    if year_month:
        return _period(int(year_month.group(1)), int(year_month.group(2)))
    years = YEAR.findall(title) or ([filled.group(1)] if filled else [])
    if years:
        for candidate in [title, *headers]:
            month = MONTH_RANGE.search(candidate) or UP_TO_MONTH.search(candidate)
            if month:
                return _period(int(years[0]), int(month.group(1)))
    if filled:
        period = _period(int(filled.group(1)), int(filled.group(2)))
        return period.previous() if period else None
    return None


def _period(year: int, month: int) -> Period | None:
    try:
        return Period(year, month)
    except ValueError:
        return None


def _is_blank(values: list) -> bool:
    return all(_cell_text(v) == "" for v in values)


def parse_amount(value, scale: Decimal) -> Decimal | None:
    """A money cell in 万元 to the cent (half up); None when empty. ValueError for text or out-of-range."""
    if value is None or isinstance(value, bool):
        if value is None:
            return None
        raise ValueError("not a number")
    if isinstance(value, int | float):
        amount = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    else:
        text = str(value).strip().replace("，", ",")
        if text in EMPTY_MARKS:
            return None
        amount = parse_money(text)  # ValueError for anything but a plain number
    if not amount.is_finite():
        raise ValueError("not a number")
    return (amount * scale).quantize(CENT, rounding=ROUND_HALF_UP)


def parse_years(value) -> tuple[int, int] | None:
    """建设起止年限: "2021-2023", "2021—2023年", "2022.3-2024.12", 2022. None when no year is written."""
    if isinstance(value, datetime | date):
        return value.year, value.year
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(int(value))
    years = [int(y) for y in YEAR.findall(_cell_text(value))]
    if not years:
        return None
    return years[0], years[-1]


def stage_of(nature: str) -> str | None:
    for word, stage in STAGES:
        if word in nature:
            return stage
    return None


def category_of(text: str) -> str | None:
    for word, category in CATEGORY_WORDS.items():
        if word in text:
            return category
    return None


def person_name(text: str) -> str:
    """A leader as tables write them: 李建国（副市长） → 李建国; the first of several."""
    first = split_units(text)[0] if split_units(text) else ""
    return re.sub(r"\(.*?\)|（.*?）", "", first).strip()


def split_units(text: str) -> list[str]:
    """责任单位 as offices write it: the lead unit first, then the support units, separated by 、，, ; or a new line."""
    return [part.strip() for part in re.split(r"[、，,；;\n/]+", text) if part.strip()]


def read_sheet(ws) -> Sheet:
    """One worksheet as typed rows and the problems found in it; a sheet with nothing in it gives no rows."""
    sheet = Sheet(name=ws.title)
    top = _find_header(ws)
    if top is None:
        if not all(_is_blank([c.value for c in row]) for row in ws.iter_rows()):
            sheet.problems.append(
                Problem(
                    ws.title,
                    None,
                    "",
                    _("No header recognised: the sheet needs a header row with a column named 项目名称."),
                )
            )
        return sheet
    if ws.max_row > MAX_ROWS or ws.max_column > MAX_COLUMNS:
        sheet.problems.append(
            Problem(
                ws.title,
                None,
                "",
                _(
                    "The sheet has %(rows)s rows and %(columns)s columns; a dispatch table has at most %(max_rows)s rows "
                    "and %(max_columns)s columns."
                )
                % {
                    "rows": ws.max_row,
                    "columns": ws.max_column,
                    "max_rows": MAX_ROWS,
                    "max_columns": MAX_COLUMNS,
                },
            )
        )
        return sheet
    depth = _header_rows(ws, top)
    lines = [" ".join(_cell_text(c.value) for c in row) for row in ws.iter_rows(min_row=1, max_row=top - 1)]
    unit_line = UNIT_LINE.search(norm(" ".join(lines)))
    unit_default = scale_of(unit_line.group(1), Decimal(1)) if unit_line else Decimal(1)
    headers = _headers(ws, top, depth)
    for col, text in headers:
        name = field_of(text)
        if name is None or name in sheet.columns or name in ("seq", "rate", "since_start"):
            continue
        upper, _merged = _merged_value(ws, top, col)
        sheet.columns[name] = Column(name, col, text, scale_of(text, scale_of(norm(upper), unit_default)))
    sheet.period = _find_period(lines, [text for _col, text in headers])
    category = None
    for number in range(top + depth, ws.max_row + 1):
        values = [ws.cell(number, col).value for col in range(1, ws.max_column + 1)]
        if _is_blank(values):
            continue
        texts = [norm(v) for v in values if _cell_text(v)]
        first = texts[0]
        if any(first.startswith(word) for word in FOOTER_WORDS):
            break
        if SECTION.match(first) or NUMERAL.fullmatch(first):
            category = category_of(" ".join(texts[:3]))
            continue
        label = " ".join(texts[:3])
        if any(word in label for word in TOTAL_WORDS) or first.startswith("其中"):
            continue
        if all(
            _cell_text(values[c.index - 1]) == "" for c in sheet.columns.values() if c.index <= len(values)
        ):
            continue  # only a serial number or a percentage: nothing of a project
        sheet.rows.append(_read_row(sheet, number, values, category))
    if not sheet.rows and not sheet.problems:
        sheet.problems.append(Problem(ws.title, None, "", _("The sheet has a header but no project rows.")))
    return sheet


def _read_row(sheet: Sheet, number: int, values: list, category: str | None) -> Row:
    row = Row(sheet=sheet.name, number=number, category=category)

    def problem(name: str, message: str) -> None:
        sheet.problems.append(Problem(sheet.name, number, sheet.header_of(name), message))

    for name, column in sheet.columns.items():
        raw = values[column.index - 1] if column.index <= len(values) else None
        if name in AMOUNT_FIELDS:
            try:
                amount = parse_amount(raw, column.scale)
            except ValueError:
                problem(name, _("“%(value)s” is not an amount.") % {"value": _cell_text(raw)[:50]})
                continue
            if amount is not None and amount < 0:
                problem(name, _("An amount cannot be negative (%(value)s).") % {"value": amount})
            elif amount is not None and amount > MAX_AMOUNT:
                problem(name, _("The amount %(value)s is too large.") % {"value": amount})
            elif amount is not None:
                row.values[name] = amount
        elif name == "years":
            years = parse_years(raw)
            if years is None and _cell_text(raw):
                problem(
                    name,
                    _("“%(value)s” is not a span of years such as 2021-2023.")
                    % {"value": _cell_text(raw)[:50]},
                )
            elif years and years[1] < years[0]:
                problem(
                    name,
                    _("The end year comes before the start year (%(value)s).") % {"value": _cell_text(raw)},
                )
            elif years:
                row.values[name] = years
        else:
            text = _cell_text(raw)
            if len(text) > MAX_TEXT:
                problem(name, _("The text is too long: at most %(limit)s characters.") % {"limit": MAX_TEXT})
            elif text and text not in EMPTY_MARKS[1:]:
                row.values[name] = text
    if not row.get("name"):
        problem("name", _("The project name is missing."))
    return row


def read_workbook(workbook) -> list[Sheet]:
    return [read_sheet(ws) for ws in workbook.worksheets]
