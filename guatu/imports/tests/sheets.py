"""Dispatch tables (调度表) built with openpyxl the way offices' own files look, for the import tests."""

from __future__ import annotations

import io

from openpyxl import Workbook

# (section, [(name, code, nature, location, scope, years, total, plan, month, ytd, progress, problems, units, leader, owner)])
SECTIONS = [
    (
        "一、产业发展类（2个）",
        [
            (
                "锑品深加工扩能项目",
                "2021-431381-32-03-000101",
                "续建",
                "禾青镇",
                "年产2万吨锑品",
                "2021-2023",
                50000,
                12000,
                1500.5,
                3200.25,
                "主体完工",
                "用地指标待批",
                "市住建局、市发改局",
                "李建国",
                "湘锑实业有限公司",
            ),
            (
                "新材料产业园标准厂房",
                "2022-431381-47-01-000102",
                "新建",
                "渣渡镇",
                "厂房10万平方米",
                "2022—2023年",
                30000,
                8000,
                800,
                1800.1,
                "基础施工",
                "",
                "渣渡镇",
                "王志强",
                "冷水江城投公司",
            ),
        ],
    ),
    (
        "二、基础设施类（1个）",
        [
            (
                "城区道路提质改造工程",
                "",
                "新建",
                "冷水江市",
                "道路12公里",
                "2022.3-2024.12",
                20000,
                5000,
                600,
                1000,
                "管网铺设",
                "",
                "市住建局",
                "李建国",
                "市住建局",
            ),
        ],
    ),
]
TITLE = "冷水江市2022年重点建设项目调度表"
HEADERS_TOP = [
    "序号",
    "项目名称",
    "项目代码",
    "建设性质",
    "建设地点",
    "建设规模及主要内容",
    "建设起止年限",
    "总投资",
    "2022年计划投资",
    "完成投资",
    None,
    "完成率",
    "形象进度",
    "存在问题",
    "责任单位",
    "联系市领导",
    "业主单位",
]


def dispatch_workbook(*, sections=SECTIONS, title=TITLE, unit="万元", months="1-3月", filled="2022年4月5日"):
    """A 调度表: title, unit line, two-row header (完成投资 over 本月 | 1-3月累计), section rows, a formula
    totals row with no cached values, a percentage column of formulas, and a signature footer."""
    wb = Workbook()
    ws = wb.active
    ws.title = "重点项目"
    width = len(HEADERS_TOP)
    ws.cell(1, 1, title)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.cell(2, 1, "填报单位：冷水江市重点办")
    ws.cell(2, 8, f"单位：{unit}")
    ws.cell(2, 14, f"填报时间：{filled}")
    for col, text in enumerate(HEADERS_TOP, 1):
        if text is not None:
            ws.cell(3, col, text)
    for col in range(1, width + 1):
        if col not in (10, 11):
            ws.merge_cells(start_row=3, start_column=col, end_row=4, end_column=col)
    ws.merge_cells(start_row=3, start_column=10, end_row=3, end_column=11)
    ws.cell(4, 10, "本月")
    ws.cell(4, 11, f"{months}累计")
    row = 5
    ws.cell(row, 1, "合计")
    ws.cell(row, 8, "=SUM(H6:H20)")
    ws.cell(row, 9, "=SUM(I6:I20)")
    ws.cell(row, 11, "=SUM(K6:K20)")
    total_row = row
    row += 1
    serial = 0
    for section, projects in sections:
        ws.cell(row, 1, section)
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=3)
        row += 1
        first = row
        for p in projects:
            serial += 1
            (
                name,
                code,
                nature,
                location,
                scope,
                years,
                total,
                plan,
                month,
                ytd,
                progress,
                problems,
                units,
                leader,
                owner,
            ) = p
            values = [
                serial,
                name,
                code,
                nature,
                location,
                scope,
                years,
                total,
                plan,
                month,
                ytd,
                None,
                progress,
                problems,
                units,
                leader,
                owner,
            ]
            for col, value in enumerate(values, 1):
                if value not in (None, ""):
                    ws.cell(row, col, value)
            ws.cell(row, 12, f"=IFERROR(K{row}/I{row},0)")
            row += 1
        ws.cell(row, 2, "小计")
        ws.cell(row, 11, f"=SUM(K{first}:K{row - 1})")
        row += 1
    ws.cell(total_row, 12, f"=IFERROR(K{total_row}/I{total_row},0)")
    row += 1
    ws.cell(row, 1, "填表人：张三        审核人：李四        联系电话：0738-5221234")
    return wb


def to_bytes(wb) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def sheet_totals(sections=SECTIONS):
    from decimal import Decimal

    rows = [p for _s, ps in sections for p in ps]
    return {
        "plan": sum((Decimal(str(p[7])) for p in rows), Decimal(0)),
        "ytd": sum((Decimal(str(p[9])) for p in rows), Decimal(0)),
    }
