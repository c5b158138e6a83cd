"""What the progress bulletin (通报) says, gathered from the queries that own each figure; docx.py and
xlsx.py lay the same content out.

Nothing is computed here that another module owns: the sentence is guatu.investment.briefing's (DOMAIN §1),
the per-tag figures guatu.investment.queries.investment_summary, the units' ranking the battle map's
(guatu.battlemap.queries: projects located in a township, led by a department), the red and yellow list
guatu.lights.queries.warned_list with its reasons in words (describe_reason), overdue problems the problem
list's filter (guatu.dispatch.queries.filter_problems) and overdue orders the supervision bulletin's list
(overdue_orders, mark_overdue), each project's year to date guatu.projects.queries.progress_by_project.

The bulletin covers every counted project of the unit's subtree (no reader filter, as the investment
briefing): it is the office's document, and who may ask for it is the gateway's question (bulletin_units).

A quarterly bulletin is the quarter's last month, worded as the year to date is read out at the meeting:
一季度 (1-3月), 上半年 (1-6月), 前三季度 (1-9月), 全年 (1-12月).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from guatu import clock
from guatu.battlemap.queries import unit_rankings_and_chains
from guatu.dispatch.models import Problem, SupervisionOrder
from guatu.dispatch.queries import OPEN, filter_problems, mark_overdue, overdue_orders
from guatu.investment.briefing import briefing_for
from guatu.investment.queries import investment_summary
from guatu.lib.money import percent, strip_zeros
from guatu.lib.periods import Period
from guatu.lib.progress import time_progress
from guatu.lights.queries import describe_reason, warned_list
from guatu.lights.services import rules_for
from guatu.orgs.models import OrgUnit
from guatu.projects.models import Project
from guatu.projects.queries import progress_by_project
from guatu.web.xlsx_export import Column, Kind

NUMERALS = "一二三四五六七八九十"
QUARTER_WORDS = {3: "一季度", 6: "上半年", 9: "前三季度", 12: "全年"}
QUARTER_NAMES = {3: "第一季度", 6: "第二季度", 9: "第三季度", 12: "第四季度"}
RANKED_SHOWN = 3  # the first and last three units named in the ranking's paragraph
COLOUR_WORDS = {"red": "红灯", "yellow": "黄灯"}


@dataclass(frozen=True)
class Table:
    """One table, its cells typed for Excel (amounts in 万元 as Decimal, rates in percentage points)."""

    title: str
    columns: list[Column]
    rows: list[list]
    amounts: bool = True


@dataclass(frozen=True)
class Section:
    heading: str  # 一、总体进展情况
    paragraphs: list[str]
    tables: list[Table] = field(default_factory=list)


@dataclass(frozen=True)
class Bulletin:
    unit: OrgUnit
    period: Period
    quarterly: bool
    title: str
    issuer: str
    issued_on: date
    window: str  # 1-3月 or 一季度: how the text names the period
    sentence: str  # DOMAIN §1's sentence
    sections: list[Section]
    appendix: list[Table]

    @property
    def period_text(self) -> str:
        """2022年3月, or 2022年第一季度."""
        if self.quarterly:
            return f"{self.period.year}年{QUARTER_NAMES[self.period.month]}"
        return f"{self.period.year}年{self.period.month}月"

    def tables(self) -> list[Table]:
        return [table for section in self.sections for table in section.tables] + self.appendix


def quarter_end(period: Period) -> Period:
    """The last month of the period's quarter (2022-02 → 2022-03)."""
    return Period(period.year, (period.month + 2) // 3 * 3)


def numbered(index: int) -> str:
    """一、 to 十、 (a bulletin has fewer than ten sections)."""
    return f"{NUMERALS[index]}、"


def rate_text(points: Decimal | None) -> str:
    return "—" if points is None else f"{strip_zeros(points)}%"


def gap_text(completion_points: Decimal | None, time_points: Decimal, gap: Decimal | None) -> str:
    """高于/低于/持平 the time progress, in percentage points."""
    if completion_points is None or gap is None:
        return "无年度计划"
    if gap > 0:
        return f"超过时序进度{strip_zeros(gap)}个百分点"
    if gap < 0:
        return f"低于时序进度{strip_zeros(-gap)}个百分点"
    return "与时序进度持平"


def bulletin_content(
    unit: OrgUnit, period: Period, *, quarterly: bool = False, issuer: str = "", progress=None
) -> Bulletin:
    """The bulletin of `unit` for `period` (quarterly: the quarter of its month). `progress(percent, step)`
    is told as each section is gathered (the background job's progress bar)."""
    report = progress or (lambda percent, step: None)
    if quarterly:
        period = quarter_end(period)
    window = QUARTER_WORDS[period.month] if quarterly else period.label_zh()
    today = clock.today()
    projects = Project.objects.in_unit(unit)

    report(10, "总体进展")
    sentence = briefing_for(unit, period)["sentence"]
    if quarterly and sentence:
        sentence = window + sentence.removeprefix(period.label_zh())
    summary = investment_summary(projects, period)
    overall = _overall(sentence, summary, period)

    report(30, "排名")
    areas, departments, _chains = unit_rankings_and_chains(
        unit, projects.counted().values("pk"), period, rules_for(unit)
    )
    ranking = _ranking(areas, departments, period)

    report(50, "红黄榜")
    lights = _lights(list(warned_list(projects, period)), period)

    report(65, "逾期问题和督办")
    dispatch = _dispatch(unit, today)

    report(80, "附表")
    appendix = _appendix(projects, summary, period)

    sections = [overall[0], overall[1], ranking, lights, dispatch]
    sections = [
        Section(
            heading=f"{numbered(index)}{section.heading}",
            paragraphs=section.paragraphs,
            tables=section.tables,
        )
        for index, section in enumerate(sections)
    ]
    title_period = f"{period.year}年{window}" if quarterly else f"{period.year}年{period.label_zh()}"
    return Bulletin(
        unit=unit,
        period=period,
        quarterly=quarterly,
        title=f"关于{title_period}重点项目建设进展情况的通报",
        issuer=issuer or f"{unit.name}重点项目建设办公室",
        issued_on=today,
        window=window,
        sentence=sentence,
        sections=sections,
        appendix=appendix,
    )


# ------------------------------------------------------------------------------------------ sections


def _overall(sentence: str, summary, period: Period) -> tuple[Section, Section]:
    rows = [row for row in summary.rows if row.tag.in_bulletin and row.project_count]
    time_points = percent(time_progress(period.month))
    table = Table(
        title="分类项目投资完成情况",
        columns=[
            Column("项目类别"),
            Column("项目数（个）", Kind.INTEGER),
            Column("年度计划（万元）", Kind.MONEY),
            Column("累计完成（万元）", Kind.MONEY),
            Column("完成率", Kind.PERCENT),
            Column("时序进度", Kind.PERCENT),
            Column("与时序进度差（百分点）", Kind.DECIMAL),
        ],
        rows=[
            [
                row.tag.bulletin_label,
                row.project_count,
                row.annual_plan,
                row.ytd_completed,
                percent(row.completion_rate),
                time_points,
                _gap(row.progress),
            ]
            for row in rows
        ],
    )
    overall = Section(
        heading="总体进展情况",
        paragraphs=[sentence or f"{period.label_zh()}，本地区没有纳入通报的重点项目。"],
        tables=[table],
    )
    comparisons = [
        f"{row.tag.bulletin_label}完成率{rate_text(percent(row.completion_rate))}，"
        f"{gap_text(percent(row.completion_rate), time_points, _gap(row.progress))}"
        for row in rows
    ]
    compared = Section(
        heading="与时序进度对比情况",
        paragraphs=[
            f"截至{period.month}月底，时序进度为{strip_zeros(time_points)}%。"
            + ("；".join(comparisons) + "。" if comparisons else "")
        ],
    )
    return overall, compared


def _gap(progress) -> Decimal | None:
    """Completion rate − time progress in percentage points (half-up), as the battle map's bands cut it."""
    rate = progress.completion_rate
    return None if rate is None else percent(rate - progress.time_progress)


def _ranking(areas, departments, period: Period) -> Section:
    paragraphs, tables = [], []
    for role, units in (("乡镇（街道）", areas), ("市直部门", departments)):
        ranked = [row for row in units if row.progress.completion_rate is not None]
        if not ranked:
            continue
        first = "、".join(
            f"{row.unit.name}（{rate_text(percent(row.progress.completion_rate))}）"
            for row in ranked[:RANKED_SHOWN]
        )
        text = f"{role}按投资完成率排名，前{min(RANKED_SHOWN, len(ranked))}位为{first}"
        if len(ranked) > RANKED_SHOWN:
            last = "、".join(
                f"{row.unit.name}（{rate_text(percent(row.progress.completion_rate))}）"
                for row in ranked[-RANKED_SHOWN:]
            )
            text += f"；后{min(RANKED_SHOWN, len(ranked) - RANKED_SHOWN)}位为{last}"
        paragraphs.append(text + "。")
        tables.append(
            Table(
                title=f"{role}投资完成率排名",
                columns=[
                    Column("名次", Kind.INTEGER),
                    Column("单位"),
                    Column("项目数（个）", Kind.INTEGER),
                    Column("年度计划（万元）", Kind.MONEY),
                    Column("累计完成（万元）", Kind.MONEY),
                    Column("完成率", Kind.PERCENT),
                    Column("与时序进度差（百分点）", Kind.DECIMAL),
                ],
                rows=[
                    [
                        place,
                        row.unit.name,
                        row.projects,
                        row.progress.annual_plan,
                        row.progress.ytd_completed,
                        percent(row.progress.completion_rate),
                        _gap(row.progress),
                    ]
                    for place, row in enumerate(ranked, start=1)
                ],
            )
        )
    if not paragraphs:
        paragraphs = ["本期没有可排名的乡镇（街道）和部门。"]
    return Section(heading="乡镇（街道）和部门排名情况", paragraphs=paragraphs, tables=tables)


def _lights(lights: list, period: Period) -> Section:
    red = sum(light.light == "red" for light in lights)
    yellow = sum(light.light == "yellow" for light in lights)
    if not lights:
        return Section(heading="红黄榜", paragraphs=[f"{period.month}月没有亮红灯、黄灯的项目。"])
    table = Table(
        title="红黄榜项目",
        columns=[Column("灯色"), Column("项目名称"), Column("所在地"), Column("牵头单位"), Column("原因")],
        rows=[
            [
                COLOUR_WORDS.get(light.light, light.light),
                light.project.name,
                light.project.location_unit.name if light.project.location_unit_id else "",
                light.project.lead_unit.name if light.project.lead_unit_id else "",
                "；".join(describe_reason(reason) for reason in light.reasons),
            ]
            for light in lights
        ],
        amounts=False,
    )
    return Section(
        heading="红黄榜",
        paragraphs=[f"{period.month}月，亮红灯项目{red}个，亮黄灯项目{yellow}个，名单及原因见下表。"],
        tables=[table],
    )


def _dispatch(unit: OrgUnit, today: date) -> Section:
    problems = list(
        filter_problems(Problem.objects.all(), {"status": OPEN, "unit": unit, "overdue": True}, today)
        .for_list()
        .order_by("deadline", "pk")
    )
    in_unit = Project.objects.in_unit(unit).values("pk")
    orders = mark_overdue(
        overdue_orders(
            SupervisionOrder.objects.filter(project__in=in_unit)
            | SupervisionOrder.objects.filter(addressee__path__startswith=unit.path),
            today,
        ),
        today,
    )
    as_of = f"截至{today.year}年{today.month}月{today.day}日"
    paragraphs = [
        f"{as_of}，逾期未解决的问题{len(problems)}个，逾期未回复的督办事项{len(orders)}件。"
        + ("请相关责任单位抓紧办理，按期反馈。" if problems or orders else "")
    ]
    tables = []
    if problems:
        tables.append(
            Table(
                title="逾期未解决问题",
                columns=[
                    Column("问题"),
                    Column("项目"),
                    Column("责任单位"),
                    Column("调度层级"),
                    Column("办结期限", Kind.DATE),
                    Column("逾期天数", Kind.INTEGER),
                ],
                rows=[
                    [
                        problem.description,
                        problem.project.name
                        if problem.project_id
                        else (problem.chain.name if problem.chain_id else ""),
                        problem.assigned_unit.name if problem.assigned_unit_id else "",
                        problem.get_tier_display(),
                        problem.deadline,
                        (today - problem.deadline).days,
                    ]
                    for problem in problems
                ],
                amounts=False,
            )
        )
    if orders:
        tables.append(
            Table(
                title="逾期未回复督办事项",
                columns=[
                    Column("督办编号"),
                    Column("督办事项"),
                    Column("项目"),
                    Column("督办对象"),
                    Column("回复期限", Kind.DATE),
                    Column("逾期天数", Kind.INTEGER),
                ],
                rows=[
                    [
                        order.number,
                        order.requirement,
                        order.project.name if order.project_id else "",
                        order.addressee.name,
                        order.deadline,
                        order.days_overdue,
                    ]
                    for order in orders
                ],
                amounts=False,
            )
        )
    return Section(heading="逾期问题和督办事项", paragraphs=paragraphs, tables=tables)


def _appendix(projects, summary, period: Period) -> list[Table]:
    """附表: per level tag in the bulletin, its projects with plan, year to date and rate (project order)."""
    tags = [row.tag for row in summary.rows if row.tag.in_bulletin and row.project_count]
    progress = progress_by_project(projects.counted().values("pk"), period)
    listed = (
        Project.tags.through.objects.filter(
            leveltag__in=tags,
            project_id__in=[pid for pid, p in progress.items() if p.annual_plan is not None],
        )
        .values_list("leveltag_id", "project_id", "project__name", "project__lead_unit__name")
        .order_by("leveltag_id", "project__name", "project_id")
    )
    by_tag: dict[int, list] = {}
    for tag_id, pk, name, lead in listed:
        by_tag.setdefault(tag_id, []).append((pk, name, lead or ""))
    tables = []
    for number, tag in enumerate(tags, start=1):
        rows = []
        for index, (pk, name, lead) in enumerate(by_tag.get(tag.pk, []), start=1):
            p = progress[pk]
            rows.append([index, name, lead, p.annual_plan, p.ytd_completed, percent(p.completion_rate)])
        tables.append(
            Table(
                title=f"附表{number}：{tag.bulletin_label}投资完成情况",
                columns=[
                    Column("序号", Kind.INTEGER),
                    Column("项目名称", width=40),
                    Column("牵头单位"),
                    Column("年度计划（万元）", Kind.MONEY),
                    Column("累计完成（万元）", Kind.MONEY),
                    Column("完成率", Kind.PERCENT),
                ],
                rows=rows,
            )
        )
    return tables
