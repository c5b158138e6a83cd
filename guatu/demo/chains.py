"""The demo's chain chief system (链长制): for each of Lengshuijiang's seven chains (`data.CHAINS`, made by the
loader with their chief and lead department) its work team (工作专班), its 2022 promotion plan (yearly targets),
its policies (政策清单) and a few follow-through entries (推进记录), written through the chains services by the
county's key-project office on their days (dates.as_on), none after the demo's day.

The targets are the county's plan for the year: output and tax grow the firms' 2021 figures (enterprises demo)
by the chain's rate, above-scale firms add the chain's new ones to those there are, the investment targets are
set so that the demo's projects and leads stand between a tenth and the whole of them in March. The chain firms'
output and tax of January-March 2022 are entered here too (a quarter of their 2021 year, give or take), so that
output and tax read about a fifth of the year's target on the demo's day.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch

from guatu.chains.models import Metric
from guatu.chains.services import member_add, policy_add, progress_add, target_add
from guatu.demo import data
from guatu.demo.dates import as_on, d
from guatu.enterprises.models import Enterprise, EnterpriseFigure
from guatu.enterprises.services import enterprise_figures_set
from guatu.lib.money import round_half_up

ZERO = Decimal(0)


@dataclass(frozen=True)
class ChainPlan:
    team: list[tuple[str, str, str]]  # (name, unit, duty in the team)
    targets: dict[str, str]  # metric → 2022 target (万元, or projects started) of the investment metrics
    growth: str  # the firms' output and tax planned over 2021 (0.12: +12%)
    new_above_scale: int  # firms of the chain to bring above the designated size this year
    policies: list[tuple[str, str, tuple[int, int], str]]  # (title, document number, (month, day), summary)
    follow_through: list[tuple[tuple[int, int], str, str]]  # ((month, day), done by, what was done)


def _targets(investment, signed, funds, started) -> dict[str, str]:
    return {Metric.INVESTMENT: investment, Metric.SIGNED: signed, Metric.FUNDS: funds, Metric.STARTED: started}


PLANS: dict[str, ChainPlan] = {
    "antimony": ChainPlan(
        team=[
            ("石振宇", "市科工信局", "专班组长"),
            ("段利民", "市发改局", "项目调度"),
            ("肖楚文", "市招商中心", "延链招商"),
            ("聂文韬", "市自然资源局", "用地保障"),
        ],
        targets=_targets("25000", "80000", "15000", "4"),
        growth="0.12",
        new_above_scale=2,
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
        targets=_targets("30000", "100000", "20000", "4"),
        growth="0.08",
        new_above_scale=1,
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
        targets=_targets("25000", "150000", "40000", "3"),
        growth="0.20",
        new_above_scale=2,
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
        targets=_targets("20000", "60000", "20000", "5"),
        growth="0.06",
        new_above_scale=1,
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
        targets=_targets("200000", "500000", "150000", "4"),
        growth="0.30",
        new_above_scale=1,
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
        targets=_targets("15000", "200000", "60000", "5"),
        growth="0.25",
        new_above_scale=1,
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
        targets=_targets("25000", "120000", "40000", "4"),
        growth="0.15",
        new_above_scale=1,
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


# The firms' output and tax of January-March 2022 (the statistics bureau's quarterly figures), as a share of
# their 2021 year: between 22% and 26%, firm by firm.
Q1_SHARES = [Decimal("0.22"), Decimal("0.24"), Decimal("0.26"), Decimal("0.23"), Decimal("0.25")]
Q1_FIGURES_DAY = (4, 15)
PLAN_DAY = d(2, 25)  # the promotion plans' targets, set once the firms' 2021 figures are in (15 February)


def _year_to_date_figures(chains, office) -> dict[int, dict[str, Decimal]]:
    """Enter each chain firm's January-March 2022 output and tax (a share of its 2021 figures, through the
    enterprises service); per chain id, its firms' 2021 output and tax and its above-scale firms, the base of
    its 2022 plan."""
    firms = (
        Enterprise.objects.filter(chain__in=list(chains.values()))
        .prefetch_related(Prefetch("figures", EnterpriseFigure.objects.filter(year=data.YEAR - 1), to_attr="last"))
        .order_by("id")
    )
    base: dict[int, dict[str, Decimal]] = {
        chain.pk: {Metric.OUTPUT: ZERO, Metric.TAX: ZERO, Metric.ABOVE_SCALE: ZERO} for chain in chains.values()
    }
    with as_on(d(*Q1_FIGURES_DAY)):
        for i, firm in enumerate(firms):
            base[firm.chain_id][Metric.ABOVE_SCALE] += 1 if firm.above_scale else 0
            if not firm.last:
                continue
            last, share = firm.last[0], Q1_SHARES[i % len(Q1_SHARES)]
            base[firm.chain_id][Metric.OUTPUT] += last.output
            base[firm.chain_id][Metric.TAX] += last.tax
            enterprise_figures_set(
                enterprise=firm,
                year=data.YEAR,
                output=round_half_up(last.output * share, 2),
                tax=round_half_up(last.tax * share, 2),
                expected_version=None,
                by=office,
            )
    return base


def _firm_targets(plan: ChainPlan, base: dict[str, Decimal]) -> dict[str, Decimal]:
    """Output and tax: the 2021 figures grown by the plan's rate, in whole 万元; above-scale firms: those there
    are and the plan's new ones."""
    grow = 1 + Decimal(plan.growth)
    return {
        Metric.OUTPUT: round_half_up(base[Metric.OUTPUT] * grow, 0),
        Metric.TAX: round_half_up(base[Metric.TAX] * grow, 0),
        Metric.ABOVE_SCALE: base[Metric.ABOVE_SCALE] + plan.new_above_scale,
    }


def load_chains(*, root, units, leaders, staff, chains) -> int:
    """Load every demo chain's team, 2022 targets, policies and follow-through, and the chain firms' figures of
    January-March 2022; returns the chain rows made."""
    office = staff["demo_office"]  # reviewer of 市发改局 (市重点办): keeps the county's chains
    base = _year_to_date_figures(chains, office)
    made = 0
    for key, chain in chains.items():
        plan = PLANS[key]
        targets = {metric: Decimal(value) for metric, value in plan.targets.items()} | _firm_targets(plan, base[chain.pk])
        with as_on(d(1, 10)):
            for position, (name, unit, duty) in enumerate(plan.team, start=1):
                member_add(chain=chain, name=name, unit=units[unit], duty=duty, position=position, by=office)
                made += 1
        with as_on(PLAN_DAY):  # after the firms' 2021 figures came in
            for metric, target in targets.items():
                target_add(chain=chain, year=data.YEAR, metric=metric, target=target, by=office)
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
