"""The layout parser on its own: headers, units, periods, sections, totals and footers as offices write them."""

from decimal import Decimal

import pytest
from django.utils import translation
from openpyxl import Workbook

from guatu.imports.dispatch_table import (
    parse_amount,
    parse_years,
    person_name,
    read_sheet,
    split_units,
    stage_of,
)
from guatu.imports.tests.sheets import dispatch_workbook
from guatu.lib.periods import Period


def test_the_acceptance_layout_is_read():
    sheet = read_sheet(dispatch_workbook().active)
    assert sheet.problems == []
    assert sheet.period == Period(2022, 3)
    assert sheet.columns["month"].header == "完成投资/本月"
    assert sheet.columns["ytd"].header == "完成投资/1-3月累计"
    assert "rate" not in sheet.columns  # 完成率 is ignored
    assert [(r.number, r.category, r.get("name")) for r in sheet.rows] == [
        (7, "industry", "锑品深加工扩能项目"),
        (8, "industry", "新材料产业园标准厂房"),
        (11, "infrastructure", "城区道路提质改造工程"),
    ]  # the 合计 and 小计 rows, the section rows and the signature footer are not projects


@pytest.mark.parametrize(
    ("title", "filled", "months", "period"),
    [
        ("冷水江市2022年1-3月重点项目调度表", "", "本年", Period(2022, 3)),
        ("冷水江市2022年重点项目调度表（截至5月底）", "", "本年", Period(2022, 5)),
        ("冷水江市重点项目调度表", "2022年7月5日", "1-6月", Period(2022, 6)),
        ("冷水江市重点项目调度表", "2022年7月5日", "本年", Period(2022, 6)),
        ("冷水江市重点项目调度表", "", "本年", None),
    ],
)
def test_the_period_comes_from_the_title_the_cumulative_header_or_the_filing_date(
    title, filled, months, period
):
    assert read_sheet(dispatch_workbook(title=title, filled=filled, months=months).active).period == period


def test_units_from_the_unit_line_or_the_header():
    assert read_sheet(dispatch_workbook(unit="亿元").active).columns["total"].scale == Decimal(10000)
    wb = dispatch_workbook()
    wb.active.cell(3, 8, "总投资（亿元）")
    sheet = read_sheet(wb.active)
    assert sheet.columns["total"].scale == Decimal(10000) and sheet.columns["plan"].scale == Decimal(1)


def test_section_split_over_cells_and_a_one_row_header():
    wb = Workbook()
    ws = wb.active
    ws.append(["序号", "项目名称", "责任单位", "总投资(万元)", "年度计划投资", "1-2月累计完成", "备注"])
    ws.append(["一", "生态环保类", None, None])
    ws.append([1, "资江治理", "市水利局", "1,200.5", 300, "—", ""])
    ws.append(["", "合计", "", 1200.5, 300, None])
    ws.append(["说明：本表数据截至2月底"])
    ws.append([2, "说明之后的行不读", "市水利局", 1, 1, 1])
    sheet = read_sheet(ws)
    assert [(r.category, r.values) for r in sheet.rows] == [
        (
            "ecology",
            {
                "name": "资江治理",
                "lead_unit": "市水利局",
                "total": Decimal("1200.50"),
                "plan": Decimal("300.00"),
            },
        )
    ]


def test_no_header_and_empty_sheets():
    wb = Workbook()
    assert read_sheet(wb.active).problems == []  # an empty sheet is nothing to import
    wb.active["B2"] = "各单位请于每月5日前报送"
    assert [p.row for p in read_sheet(wb.active).problems] == [None]


def test_amounts_years_natures_and_units():
    assert parse_amount(1.005, Decimal(1)) == Decimal("1.01")  # half up, on the written decimal
    assert parse_amount("0.123456", Decimal(10000)) == Decimal("1234.56")
    assert parse_amount("－", Decimal(1)) is None and parse_amount(None, Decimal(1)) is None
    for bad in ("约5亿", "1e5", "NaN", True):
        with pytest.raises(ValueError):
            parse_amount(bad, Decimal(1))
    assert parse_years("2021-2023") == (2021, 2023)
    assert parse_years("2021—2023年") == (2021, 2023)
    assert parse_years("2022.3-2024.12") == (2022, 2024)
    assert parse_years(2022) == (2022, 2022) and parse_years("长期") is None
    assert [stage_of(n) for n in ("新建", "续建", "竣工投产", "前期", "改扩建", "其他")] == [
        "new",
        "continuing",
        "completed",
        "preliminary",
        "new",
        None,
    ]
    assert split_units("市住建局、市发改局，市自然资源局,渣渡镇") == [
        "市住建局",
        "市发改局",
        "市自然资源局",
        "渣渡镇",
    ]


def test_bracketed_sections_leaders_with_posts_and_a_size_bound():
    wb = Workbook()
    ws = wb.active
    ws.append(["项目名称", "联系领导"])
    ws.append(["（二）基础设施类"])
    ws.append(["环城路", "李建国（副市长）、王志强"])
    sheet = read_sheet(ws)
    assert [(r.category, person_name(r.get("leader"))) for r in sheet.rows] == [("infrastructure", "李建国")]
    ws.cell(10001, 1, "x")
    with translation.override("en"):
        assert "at most 10000 rows" in read_sheet(ws).problems[0].message
