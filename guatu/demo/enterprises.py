"""The demo's service to enterprises (当好店小二): 32 firms of the county, the chains' chain-master firms (链主)
among them, with their 2021 output and tax, and 32 requests (诉求) raised on their behalf in March and April
2022 that follow the three-tier dispatch through the services, each step on its day (dates.as_on), with the
nightly escalation run replayed in between: on the demo's day (24 April) there are requests at every tier and in
every state (raised, assigned, in hand, verified, closed with the firm's satisfaction), some escalated once,
some twice, one overdue at the top tier.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from guatu.demo import data
from guatu.demo.dates import as_on, d, moment
from guatu.dispatch.models import Problem
from guatu.dispatch.services import (
    escalate_overdue_problems,
    problem_assign,
    problem_close,
    problem_feedback,
    problem_verify,
)
from guatu.enterprises.services import (
    EnterpriseInput,
    enterprise_create,
    enterprise_figures_set,
    request_raise,
)
from guatu.lib.uscc import with_check_characters

FIRMS_DAY = d(1, 12)  # the office enters the county's firms
FIGURES_DAY = d(2, 15)  # and their 2021 output and tax, from the statistics bureau's annual figures
NIGHTLY_FROM = d(3, 2)


@dataclass(frozen=True)
class Firm:
    name: str
    unit: str  # area or department name as in data.AREAS / DEPARTMENTS
    chain: str = ""  # chain key (data.CHAINS)
    above_scale: bool = False
    master: bool = False
    industry: str = ""
    category: str = (
        "91"  # the code's registering authority and category: 91 a firm, 93 a farmers' co-operative
    )


# The chains' chain-master firms first (the chain pages list them from these rows), then the other firms.
FIRMS = [
    Firm("湖南锑晶新材料有限公司", "锡矿山街道", "antimony", True, True, "有色金属冶炼"),
    Firm("冷水江市锑华化工有限公司", "锡矿山街道", "antimony", True, True, "基础化学原料制造"),
    Firm("湖南资江特钢有限公司", "沙塘湾街道", "steel", True, True, "黑色金属冶炼和压延加工"),
    Firm("冷水江市钢宇新材料有限公司", "沙塘湾街道", "steel", True, True, "金属制品"),
    Firm("湖南固联紧固件科技有限公司", "冷水江经济开发区", "fasteners", True, True, "紧固件制造"),
    Firm("湖南锐固精密锻造有限公司", "冷水江经济开发区", "fasteners", True, True, "锻件制造"),
    Firm("湖南耐邦耐火材料有限公司", "铎山镇", "refractories", True, True, "耐火材料制品"),
    Firm("冷水江市铎峰耐材有限公司", "铎山镇", "refractories", True, True, "耐火材料制品"),
    Firm("湖南冷江绿能新能源开发有限公司", "三尖镇", "new_energy", True, True, "风力和太阳能发电"),
    Firm("冷水江市资江储能科技有限公司", "冷水江经济开发区", "new_energy", True, True, "电池制造"),
    Firm("湖南晶显光电科技有限公司", "冷水江经济开发区", "opto", True, True, "光电子器件制造"),
    Firm("湖南康源中药饮片有限公司", "渣渡镇", "bio", True, True, "中药饮片加工"),
    Firm("冷水江市安护医疗用品有限公司", "冷水江街道", "bio", True, True, "卫生材料及医药用品制造"),
    Firm("冷水江市闪星锑品加工有限公司", "锡矿山街道", "antimony", True, False, "有色金属压延加工"),
    Firm("冷水江市金竹山锑业有限公司", "金竹山镇", "antimony", False, False, "有色金属冶炼"),
    Firm("冷水江市沙塘湾钢材加工有限公司", "沙塘湾街道", "steel", True, False, "金属制品"),
    Firm("湖南冷钢物流有限公司", "沙塘湾街道", "steel", False, False, "道路货物运输"),
    Firm("冷水江市恒固标准件有限公司", "冷水江经济开发区", "fasteners", True, False, "紧固件制造"),
    Firm("冷水江市紧固热处理有限公司", "冷水江经济开发区", "fasteners", False, False, "金属表面处理"),
    Firm("冷水江市三尖耐火砖厂有限公司", "三尖镇", "refractories", False, False, "耐火材料制品"),
    Firm("湖南铎山高温材料有限公司", "铎山镇", "refractories", True, False, "耐火材料制品"),
    Firm("冷水江市渣渡光伏发电有限公司", "渣渡镇", "new_energy", False, False, "太阳能发电"),
    Firm("冷水江市禾青风电运维有限公司", "禾青镇", "new_energy", False, False, "电力设备运维"),
    Firm("湖南冷江光电显示模组有限公司", "冷水江经济开发区", "opto", True, False, "显示器件制造"),
    Firm("冷水江市晶联电子材料有限公司", "冷水江经济开发区", "opto", False, False, "电子专用材料制造"),
    Firm("冷水江市中连乡中药材种植专业合作社", "中连乡", "bio", False, False, "中药材种植", "93"),
    Firm("湖南渣渡生物制药有限公司", "渣渡镇", "bio", True, False, "化学药品制剂制造"),
    Firm("冷水江市安泰医用敷料有限公司", "冷水江街道", "bio", False, False, "卫生材料及医药用品制造"),
    Firm("冷水江市布溪新型建材有限公司", "布溪街道", "", True, False, "新型建筑材料制造"),
    Firm("冷水江市三尖农产品加工有限公司", "三尖镇", "", False, False, "农副食品加工"),
    Firm("冷水江市江城商贸有限公司", "冷水江街道", "", False, False, "批发和零售"),
    Firm("冷水江市禾青农机制造有限公司", "禾青镇", "", True, False, "农业机械制造"),
]


@dataclass(frozen=True)
class Request:
    """One request's life in 2022; units by area or department short name. Assigned (交办) by the office on
    `assigned` at tier `tier` with its `deadline`; the unit reports on `feedback`; the office verifies and
    closes with the firm's `satisfaction`. The nightly run escalates it when a deadline passes while it is open."""

    firm: int  # index in FIRMS
    description: str
    category: str
    raised: date
    unit: str = ""
    assigned: date | None = None
    deadline: date | None = None
    tier: int = 1
    feedback: date | None = None
    verified: date | None = None
    closed: date | None = None
    satisfaction: str = ""


REQUESTS = [
    # Raised in the last days, waiting to be assigned.
    Request(
        2, "厂区至沪昆高速连接线路面破损，重载货车通行困难，申请纳入道路维修计划。", "logistics", d(4, 22)
    ),
    Request(11, "新建GMP车间需办理药品生产许可证变更，申请政务服务中心提前介入指导。", "permits", d(4, 23)),
    Request(9, "储能电站并网接入方案待供电公司审查，请求协调加快审查进度。", "power", d(4, 24)),
    Request(28, "企业申请技术改造贴息，需明确申报条件和时间节点。", "policy", d(4, 20)),
    Request(14, "环保技改完成后申请恢复产能核定，需生态环境部门现场核查。", "permits", d(4, 21)),
    # Tier 1, assigned, within their deadlines.
    Request(
        21, "光伏电站升压站用地涉及2户村民林地流转未谈妥。", "land", d(4, 14), "渣渡镇", d(4, 15), d(5, 10)
    ),
    Request(
        17,
        "新招一线工人60名，申请组织专场招聘会。",
        "labour",
        d(4, 17),
        "冷水江经济开发区",
        d(4, 18),
        d(4, 30),
    ),
    Request(
        19,
        "窑炉煤改气需接入天然气管网，申请协调燃气公司报装。",
        "utilities",
        d(4, 19),
        "三尖镇",
        d(4, 20),
        d(5, 6),
    ),
    # Tier 1, in hand.
    Request(
        15,
        "厂区周边排水沟堵塞，雨季内涝影响生产。",
        "other",
        d(4, 11),
        "沙塘湾街道",
        d(4, 12),
        d(5, 12),
        feedback=d(4, 20),
    ),
    Request(
        23,
        "申请高新技术企业认定辅导。",
        "policy",
        d(4, 7),
        "冷水江经济开发区",
        d(4, 8),
        d(4, 28),
        feedback=d(4, 19),
    ),
    Request(
        31,
        "农机生产企业申请出口资质备案。",
        "permits",
        d(4, 13),
        "市政务中心",
        d(4, 14),
        d(5, 14),
        feedback=d(4, 22),
    ),
    # Tier 1, verified.
    Request(
        26,
        "企业门前道路路灯损坏，夜班职工出行不便。",
        "other",
        d(3, 31),
        "渣渡镇",
        d(4, 1),
        d(4, 20),
        feedback=d(4, 15),
        verified=d(4, 18),
    ),
    # Tier 1, closed: on time, and two closed after their deadline.
    Request(
        4,
        "新厂房消防验收预约排期过长，申请协调提前验收。",
        "permits",
        d(3, 1),
        "冷水江经济开发区",
        d(3, 1),
        d(3, 20),
        feedback=d(3, 12),
        verified=d(3, 14),
        closed=d(3, 15),
        satisfaction="satisfied",
    ),
    Request(
        8,
        "风机运输道路需临时占用农田，申请协调青苗补偿。",
        "land",
        d(3, 4),
        "三尖镇",
        d(3, 5),
        d(3, 25),
        feedback=d(3, 20),
        verified=d(3, 22),
        closed=d(3, 23),
        satisfaction="basically",
    ),
    Request(
        3,
        "申请省制造强省专项资金，需出具地方配套资金承诺。",
        "financing",
        d(3, 9),
        "市财政局",
        d(3, 10),
        d(4, 10),
        feedback=d(3, 28),
        verified=d(3, 30),
        closed=d(4, 1),
        satisfaction="satisfied",
    ),
    Request(
        16,
        "物流车辆进出厂区受货车限行影响，申请办理通行证。",
        "logistics",
        d(3, 14),
        "沙塘湾街道",
        d(3, 15),
        d(4, 5),
        feedback=d(4, 2),
        verified=d(4, 4),
        closed=d(4, 6),
        satisfaction="dissatisfied",
    ),
    Request(
        24,
        "申请一次性吸纳就业补贴。",
        "labour",
        d(4, 1),
        "冷水江经济开发区",
        d(4, 2),
        d(4, 16),
        feedback=d(4, 12),
        verified=d(4, 13),
        closed=d(4, 14),
        satisfaction="satisfied",
    ),
    Request(
        29,
        "农产品冷库用电申请执行农业生产电价。",
        "power",
        d(3, 24),
        "三尖镇",
        d(3, 25),
        d(4, 8),
        feedback=d(4, 5),
        verified=d(4, 7),
        closed=d(4, 9),
        satisfaction="basically",
    ),
    Request(
        25,
        "合作社申请食品经营许可证，材料多次被退回。",
        "permits",
        d(3, 21),
        "市政务中心",
        d(3, 22),
        d(4, 12),
        feedback=d(4, 6),
        verified=d(4, 8),
        closed=d(4, 9),
        satisfaction="satisfied",
    ),
    # Escalated once to the chain chief (tier 2) when the first deadline passed.
    Request(
        0,
        "锑冶炼烟气治理技改项目备案需补充产能置换方案，申请协调省工信厅。",
        "approvals",
        d(3, 1),
        "市科工信局",
        d(3, 2),
        d(3, 10),
        feedback=d(3, 17),
        verified=d(3, 19),
        closed=d(3, 20),
        satisfaction="satisfied",
    ),
    Request(
        5,
        "锻造车间10千伏专线增容报装超过30天未批复。",
        "power",
        d(3, 31),
        "冷水江经济开发区",
        d(4, 1),
        d(4, 8),
        feedback=d(4, 15),
        verified=d(4, 17),
        closed=d(4, 18),
        satisfaction="basically",
    ),
    Request(
        20,
        "扩建用地需调整土地利用规划，申请纳入国土空间规划调整。",
        "land",
        d(4, 4),
        "市自然资源局",
        d(4, 5),
        d(4, 12),
        feedback=d(4, 20),
        verified=d(4, 22),
    ),
    Request(
        12,
        "医用口罩生产线二类医疗器械注册证延续办理进度慢。",
        "permits",
        d(4, 5),
        "市市场监管局",
        d(4, 6),
        d(4, 13),
        feedback=d(4, 21),
    ),
    Request(
        13, "废渣暂存库环评批复变更，申请加快审批。", "approvals", d(4, 7), "生态环境分局", d(4, 8), d(4, 15)
    ),
    # Put to the chain chief at once (tier 2).
    Request(
        6,
        "申请链长协调省内钢厂签订耐材长期供货协议。",
        "other",
        d(4, 9),
        "市科工信局",
        d(4, 10),
        d(5, 10),
        tier=2,
    ),
    Request(
        10,
        "配套玻璃基板供应商落户洽谈需政策支持。",
        "policy",
        d(3, 19),
        "市招商中心",
        d(3, 20),
        d(4, 15),
        tier=2,
        feedback=d(4, 5),
        verified=d(4, 8),
        closed=d(4, 10),
        satisfaction="satisfied",
    ),
    # Escalated twice, to the principal leaders (tier 3); the first is still overdue there.
    Request(1, "化工园区认定前企业扩建用地无法报批。", "land", d(3, 1), "市自然资源局", d(3, 1), d(3, 8)),
    Request(
        7,
        "企业流动资金贷款到期被银行抽贷，申请应急转贷资金。",
        "financing",
        d(3, 2),
        "市财政局",
        d(3, 3),
        d(3, 10),
        feedback=d(3, 30),
        verified=d(4, 2),
        closed=d(4, 3),
        satisfaction="basically",
    ),
    Request(
        22,
        "风电项目核准文件延期申请需省发改委批复。",
        "approvals",
        d(3, 19),
        "市发改局",
        d(3, 20),
        d(3, 28),
        feedback=d(4, 15),
    ),
    # Put to the principal leaders at once (tier 3).
    Request(
        2,
        "超低排放改造完成后申请执行差别化电价政策。",
        "power",
        d(4, 5),
        "市发改局",
        d(4, 6),
        d(5, 6),
        tier=3,
    ),
    Request(
        8,
        "光伏项目可再生能源补贴拖欠，企业资金链紧张。",
        "financing",
        d(3, 24),
        "市财政局",
        d(3, 25),
        d(4, 20),
        tier=3,
        feedback=d(4, 10),
        verified=d(4, 14),
    ),
    Request(
        11,
        "中药材种植基地流转土地纠纷影响原料供应。",
        "land",
        d(3, 7),
        "渣渡镇",
        d(3, 8),
        d(4, 8),
        tier=3,
        feedback=d(3, 30),
        verified=d(4, 1),
        closed=d(4, 2),
        satisfaction="dissatisfied",
    ),
]

FEEDBACK = {
    "land": "已会同相关部门现场协调，形成处理意见并落实。",
    "power": "已与供电公司对接，明确办理时限并跟踪落实。",
    "financing": "已对接银行和财政部门，资金方案已落实。",
    "labour": "已组织对接会，落实用工需求。",
    "permits": "已安排专人帮办代办，相关证照材料已受理。",
    "approvals": "已向上级部门汇报衔接，审批事项已进入办理程序。",
    "logistics": "已协调交通和交警部门落实通行保障。",
    "policy": "已逐项解读政策并指导企业申报。",
    "utilities": "已协调燃气公司完成报装受理。",
    "other": "已安排专人跟进处理。",
}


def _uscc(i: int, firm: Firm) -> str:
    return with_check_characters(f"{firm.category}{data.DIVISION_CODE}", f"MA4L{i + 1:04d}")


def _figures(i: int, firm: Firm) -> tuple[Decimal, Decimal]:
    """2021 output and tax (万元): masters largest, above-scale firms next, small firms last."""
    base = 180000 if firm.master else 26000 if firm.above_scale else 1800
    output = Decimal(base + (i * 7919) % (base // 3)) + Decimal(i % 100) / 100
    return output, (output * Decimal("0.045")).quantize(Decimal("0.01"))


class _Replay:
    """The requests' steps and the nightly escalation runs, in order of time, each on its day."""

    def __init__(self, units, staff, firms):
        self.units, self.staff, self.firms = units, staff, firms
        self.office = staff["demo_office"]
        self.reporters = {user.org_unit_id: user for user in staff.values() if user.role == "reporter"}
        self.steps: list[tuple[datetime, int, Callable[[datetime], object]]] = []
        self.problems: dict[int, int] = {}

    def at(self, when: datetime, action: Callable[[datetime], object]) -> None:
        self.steps.append((when, len(self.steps), action))

    def _version(self, key: int) -> int:
        return Problem.objects.values_list("version", flat=True).get(pk=self.problems[key])

    def _problem(self, key: int) -> Problem:
        return Problem.objects.get(pk=self.problems[key])

    def raiser(self, enterprise):
        """The firm's unit's reporter, else its chain's lead department's, else the office."""
        lead = enterprise.chain.lead_unit_id if enterprise.chain_id else None
        return self.reporters.get(enterprise.unit_id) or self.reporters.get(lead) or self.office

    def request(self, key: int, story: Request) -> None:
        enterprise = self.firms[story.firm]

        def raised(when):
            self.problems[key] = request_raise(
                enterprise=enterprise,
                description=story.description,
                category=story.category,
                by=self.raiser(enterprise),
                at=when,
            ).pk

        self.at(moment(story.raised, 9, 30), raised)
        if story.assigned is None:
            return
        unit = self.units[story.unit]

        def assigned(when):
            problem_assign(
                problem=self._problem(key),
                unit=unit,
                deadline=story.deadline,
                tier=story.tier,
                required_outcome="按期办结并向企业反馈。",
                expected_version=self._version(key),
                by=self.office,
                at=when,
            )

        self.at(moment(story.assigned, 10), assigned)
        if story.feedback:

            def feedback(when):
                problem_feedback(
                    problem=self._problem(key),
                    text=FEEDBACK[story.category],
                    expected_version=self._version(key),
                    by=self.reporters[unit.pk],
                    at=when,
                )

            self.at(moment(story.feedback, 15), feedback)
        if story.verified:

            def verified(when):
                problem_verify(
                    problem=self._problem(key), expected_version=self._version(key), by=self.office, at=when
                )

            self.at(moment(story.verified, 10, 30), verified)
        if story.closed:

            def closed(when):
                problem_close(
                    problem=self._problem(key),
                    satisfaction=story.satisfaction,
                    expected_version=self._version(key),
                    by=self.office,
                    at=when,
                )

            self.at(moment(story.closed, 16), closed)

    def nightly(self) -> None:
        day = NIGHTLY_FROM
        while day <= data.DEMO_DAY:
            self.at(moment(day, 1), lambda when: escalate_overdue_problems(at=when))
            day += timedelta(days=1)

    def run(self) -> None:
        for when, _order, action in sorted(self.steps, key=lambda step: (step[0], step[1])):
            with as_on(when.date()):
                action(when)


def load_enterprises(*, root, units, leaders, staff, chains) -> int:
    """Load the firms, their 2021 figures and their requests; returns the number of requests made."""
    office = staff["demo_office"]
    firms = []
    with as_on(FIRMS_DAY):
        for i, firm in enumerate(FIRMS):
            firms.append(
                enterprise_create(
                    data=EnterpriseInput(
                        name=firm.name,
                        uscc=_uscc(i, firm),
                        unit=units[firm.unit],
                        chain=chains.get(firm.chain),
                        above_scale=firm.above_scale,
                        is_chain_master=firm.master,
                        industry=firm.industry,
                    ),
                    by=office,
                )
            )
    with as_on(FIGURES_DAY):
        for i, (firm, enterprise) in enumerate(zip(FIRMS, firms, strict=True)):
            output, tax = _figures(i, firm)
            enterprise_figures_set(
                enterprise=enterprise, year=2021, output=output, tax=tax, expected_version=None, by=office
            )
    replay = _Replay(units, staff, firms)
    for key, story in enumerate(REQUESTS):
        replay.request(key, story)
    replay.nightly()
    replay.run()
    return len(replay.problems)
