"""The demo's chain chief system (链长制): for each of Lengshuijiang's seven chains (`data.CHAINS`, made by the
loader with their chief and lead department) its work team (工作专班), its 2022 promotion plan (yearly targets),
its policies (政策清单) and a few follow-through entries (推进记录), written through the chains services by the
county's key-project office on their days (dates.as_on), none after the demo's day.

The targets are the county's plan for the year; the demo's firms, investment leads and projects give the
actuals the chain pages set against them (a third of the year gone by the demo's day, most rates between a
fifth and a half of the target).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from guatu.chains.models import Metric
from guatu.chains.services import member_add, policy_add, progress_add, target_add
from guatu.demo import data
from guatu.demo.dates import as_on, d


@dataclass(frozen=True)
class ChainPlan:
    team: list[tuple[str, str, str]]  # (name, unit, duty in the team)
    targets: dict[str, str]  # metric → 2022 target (万元, or firms / projects for the counted metrics)
    policies: list[tuple[str, str, tuple[int, int], str]]  # (title, document number, (month, day), summary)
    follow_through: list[tuple[tuple[int, int], str, str]]  # ((month, day), done by, what was done)


def _targets(output, tax, investment, signed, funds, above_scale, started) -> dict[str, str]:
    return {
        Metric.OUTPUT: output,
        Metric.TAX: tax,
        Metric.INVESTMENT: investment,
        Metric.SIGNED: signed,
        Metric.FUNDS: funds,
        Metric.ABOVE_SCALE: above_scale,
        Metric.STARTED: started,
    }


PLANS: dict[str, ChainPlan] = {
    "antimony": ChainPlan(
        team=[
            ("石振宇", "市科工信局", "专班组长"),
            ("段利民", "市发改局", "项目调度"),
            ("肖楚文", "市招商中心", "延链招商"),
            ("聂文韬", "市自然资源局", "用地保障"),
        ],
        targets=_targets("850000", "42000", "25000", "80000", "15000", "18", "4"),
        policies=[
            (
                "冷水江市支持锑产业高质量发展的若干措施",
                "冷政发〔2022〕3号",
                (2, 18),
                "对锑精深加工项目按设备投资给予补助，支持锑基新材料研发平台建设。",
            ),
            (
                "冷水江市锑产业链链长制工作方案",
                "冷办发〔2022〕5号",
                (1, 20),
                "明确链长、牵头部门、工作专班和年度目标。",
            ),
        ],
        follow_through=[
            ((1, 26), "周正阳", "链长主持召开锑产业链推进会，部署2022年延链补链任务。"),
            ((3, 9), "锑产业链工作专班", "走访湖南锑晶新材料有限公司，协调解决扩产用电增容问题。"),
            ((4, 15), "市科工信局", "调度一季度锑产业链产值和项目进度，形成专报。"),
        ],
    ),
    "steel": ChainPlan(
        team=[
            ("石振宇", "市科工信局", "专班组长"),
            ("贺湘宁", "市财政局", "资金保障"),
            ("戴青松", "生态环境分局", "环保服务"),
        ],
        targets=_targets("1800000", "68000", "30000", "100000", "20000", "22", "4"),
        policies=[
            (
                "冷水江市钢铁新材料产业转型升级实施方案",
                "冷政办发〔2022〕8号",
                (3, 2),
                "支持特钢深加工和精品钢材项目，推动超低排放改造。",
            ),
        ],
        follow_through=[
            ((2, 17), "陈立新", "链长带队走访湖南资江特钢有限公司，研究精品钢材深加工项目落地。"),
            ((4, 8), "钢铁新材料产业链工作专班", "召开银企对接会，为链上企业协调贷款。"),
        ],
    ),
    "fasteners": ChainPlan(
        team=[
            ("匡志勇", "冷水江经济开发区", "专班组长"),
            ("肖楚文", "市招商中心", "以商招商"),
            ("廖冬梅", "市市场监管局", "质量品牌"),
        ],
        targets=_targets("260000", "9000", "25000", "150000", "40000", "12", "3"),
        policies=[
            (
                "冷水江经济开发区紧固件产业园入园企业扶持办法",
                "冷经开发〔2022〕2号",
                (1, 28),
                "标准厂房租金减免，新增规上企业给予奖励。",
            ),
        ],
        follow_through=[
            ((3, 3), "孙海涛", "链长主持紧固件产业园建设调度会，明确标准厂房交付时间。"),
            ((4, 20), "冷水江经济开发区", "赴广东开展紧固件产业链精准招商，洽谈项目三个。"),
        ],
    ),
    "refractories": ChainPlan(
        team=[
            ("石振宇", "市科工信局", "专班组长"),
            ("陶永福", "市应急局", "安全生产"),
        ],
        targets=_targets("320000", "11000", "20000", "60000", "20000", "10", "5"),
        policies=[
            (
                "冷水江市耐火材料行业整合提升工作方案",
                "冷政办发〔2022〕11号",
                (3, 25),
                "引导耐材企业兼并重组、入园发展。",
            ),
        ],
        follow_through=[
            ((2, 24), "郑国平", "链长调研铎山镇耐火材料企业，部署整合提升工作。"),
            ((4, 12), "耐火材料产业链工作专班", "督查耐材企业安全生产和环保整改。"),
        ],
    ),
    "new_energy": ChainPlan(
        team=[
            ("段利民", "市发改局", "专班组长"),
            ("聂文韬", "市自然资源局", "用地保障"),
        ],
        targets=_targets("120000", "5000", "200000", "500000", "150000", "5", "4"),
        policies=[
            (
                "冷水江市新能源产业发展规划（2022—2025年）",
                "冷政发〔2022〕6号",
                (3, 15),
                "布局光伏、储能和风电项目。",
            ),
        ],
        follow_through=[
            ((3, 18), "黄志刚", "链长主持新能源项目调度会，协调光伏项目用地报批。"),
        ],
    ),
    "opto": ChainPlan(
        team=[
            ("匡志勇", "冷水江经济开发区", "专班组长"),
            ("肖楚文", "市招商中心", "精准招商"),
        ],
        targets=_targets("90000", "3000", "15000", "200000", "60000", "4", "5"),
        policies=[
            (
                "冷水江市支持光电信息产业发展若干政策",
                "冷政办发〔2022〕9号",
                (3, 10),
                "对新落户光电企业给予设备和研发补助。",
            ),
        ],
        follow_through=[
            ((4, 6), "刘文斌", "链长带队赴深圳对接光电显示模组项目。"),
        ],
    ),
    "bio": ChainPlan(
        team=[
            ("石振宇", "市科工信局", "专班组长"),
            ("易晓霞", "市政务中心", "审批服务"),
        ],
        targets=_targets("60000", "2500", "25000", "120000", "40000", "3", "4"),
        policies=[
            (
                "冷水江市中医药产业发展扶持办法",
                "冷政办发〔2022〕10号",
                (3, 22),
                "支持中药材种植基地和饮片加工。",
            ),
        ],
        follow_through=[
            ((4, 18), "吴丽萍", "链长调研湖南康源中药饮片有限公司，协调药品生产许可证办理。"),
        ],
    ),
}


def load_chains(*, root, units, leaders, staff, chains) -> int:
    """Load every demo chain's team, 2022 targets, policies and follow-through; returns the rows made."""
    office = staff["demo_office"]  # reviewer of 市发改局 (市重点办): keeps the county's chains
    made = 0
    for key, chain in chains.items():
        plan = PLANS[key]
        with as_on(d(1, 10)):
            for position, (name, unit, duty) in enumerate(plan.team, start=1):
                member_add(chain=chain, name=name, unit=units[unit], duty=duty, position=position, by=office)
                made += 1
            for metric, target in plan.targets.items():
                target_add(chain=chain, year=data.YEAR, metric=metric, target=Decimal(target), by=office)
                made += 1
        for title, number, (month, day), summary in plan.policies:
            with as_on(d(month, day)):
                policy_add(
                    chain=chain,
                    title=title,
                    document_number=number,
                    issued_on=d(month, day),
                    summary=summary,
                    by=office,
                )
            made += 1
        for (month, day), done_by, content in plan.follow_through:
            with as_on(d(month, day)):
                progress_add(
                    chain=chain, happened_on=d(month, day), content=content, done_by=done_by, by=office
                )
            made += 1
    return made
