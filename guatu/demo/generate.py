"""The demo's projects as plain values, drawn from a seeded random generator (no database here).

Amounts are uneven per project, to the cent, and each list's totals hit the seed figures exactly:
`split_exact` shares a total out by weights in whole cents (largest remainders), so nothing is lost to
rounding. Everything is deterministic for a given seed.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from guatu.demo import data

CENT = Decimal("0.01")
AS_OF = data.DEMO_DAY  # milestones done by the demo's day have their actual date
MAJOR_THRESHOLD = Decimal(50000)  # 5亿元: a project this large is also on the major-project list (重大项目)
MONTH_CURVE = [3, 5, 8, 8, 9, 9, 9, 9, 9, 10, 10, 11]  # how county plans are usually phased over a year


def split_exact(
    total: Decimal, weights: Sequence[float], unit: Decimal = CENT, minimum: Decimal = Decimal(0)
) -> list[Decimal]:
    """Share `total` out in proportion to `weights`, in whole `unit`s, each at least `minimum`; sums to total."""
    count = len(weights)
    whole = total / unit
    if whole != whole.to_integral_value():
        raise ValueError(f"{total} is not a whole number of {unit}")
    floor_units = int(minimum / unit)
    free = int(whole) - floor_units * count
    if free < 0:
        raise ValueError(f"{total} cannot give {count} shares of at least {minimum}")
    weight_sum = math.fsum(weights)
    if weight_sum <= 0:
        if free:
            raise ValueError("all weights are zero")
        return [minimum.quantize(unit)] * count
    raw = [free * w / weight_sum for w in weights]
    shares = [math.floor(r) for r in raw]
    leftover = free - sum(shares)
    by_remainder = sorted(range(count), key=lambda i: (shares[i] - raw[i], i))
    for i in by_remainder[:leftover]:
        shares[i] += 1
    return [((s + floor_units) * unit).quantize(unit) for s in shares]


@dataclass
class MilestoneSpec:
    kind: str
    name: str
    planned: date
    actual: date | None = None
    document_no: str = ""


@dataclass
class ReportSpec:
    month: int
    amount: Decimal
    status: str  # draft / submitted / returned / approved
    statistical_amount: Decimal | None = None
    physical_progress: str = ""
    problems: str = ""
    next_month_plan: str = ""
    return_reason: str = ""
    submitted_on: date | None = None
    reviewed_on: date | None = None
    drafted_on: date | None = None  # when a report never submitted was last saved


@dataclass
class TaskForceSpec:
    name: str
    duty: str
    unit: str  # unit key (area name, department short name or the root's name)


@dataclass
class ProjectSpec:
    name: str
    location: str
    category: str
    chain: str
    lead: str
    owner: str
    leader: str
    group: str  # province / prefecture / county / cancelled / reserve
    tags: list[str] = field(default_factory=list)
    stage: str = "continuing"
    tier: str = "implementation"
    start_year: int = data.YEAR
    end_year: int = data.YEAR
    total_investment: Decimal = Decimal(0)
    prior_completed: Decimal = Decimal(0)
    plan: Decimal | None = None
    plan_months: list[Decimal] | None = None
    ytd: Decimal = Decimal(0)
    code: str | None = None
    scope: str = ""
    contact_name: str = ""
    support: list[str] = field(default_factory=list)
    task_force: list[TaskForceSpec] = field(default_factory=list)
    milestones: list[MilestoneSpec] = field(default_factory=list)
    reports: list[ReportSpec] = field(default_factory=list)
    weight: float = 1.0  # relative size, for sharing out the plans


def _rows(text: str) -> list[list[str]]:
    return [line.split("|") for line in text.strip().splitlines()]


def _spec(row: list[str], group: str) -> ProjectSpec:
    name, location, category, chain, lead, owner = row[:6]
    if chain:
        leader = next(c.responsible for c in data.CHAINS if c.key == chain)
    else:
        leader = data.LEADER_BY_LEAD.get(lead, "deputy_secretary" if lead in data.TOWNSHIPS else "urban")
    return ProjectSpec(
        name=name,
        location=location,
        category=category,
        chain=chain,
        lead=lead,
        owner=owner,
        leader=leader,
        group=group,
    )


def _area_specs() -> list[ProjectSpec]:
    specs = []
    for areas, patterns in ((data.TOWNSHIPS, data.TOWNSHIP_PATTERNS), (data.STREETS, data.STREET_PATTERNS)):
        for area in areas:
            for pattern, category, lead in patterns:
                lead = lead.format(area=area)
                owner = f"冷水江市{area}人民政府" if area in data.TOWNSHIPS else f"冷水江市{area}办事处"
                if lead.startswith("市"):
                    owner = next(full for full, short, _ in data.DEPARTMENTS if short == lead)
                specs.append(_spec([pattern.format(area=area), area, category, "", lead, owner], "county"))
                specs[-1].weight = 0.35  # routine local works are small
    return specs


PEOPLE_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方邹熊秦邱江尹段雷侯龙陶黎贺顾毛龚邵万严戴莫向汤伍颜"
PEOPLE_GIVEN = (
    "建华 志强 晓敏 海燕 国庆 文军 丽娟 卫东 红梅 小平 新民 桂英 伟 勇 敏 静 军 磊 洋 艳 俊 杰 涛 明 超 "
    "秀兰 春华 立新 建军 德明 思远 雅婷 佳 宏伟 振华 金凤 红霞 永红 建平 玉兰 志明 少华 光辉 湘军 资平 锦涛"
).split()


class _People:
    """Fictional names, never the same twice in one demo."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used = {leader.name for leader in data.LEADERS} | {user.full_name for user in data.USERS}

    def name(self) -> str:
        while True:
            candidate = self.rng.choice(PEOPLE_SURNAMES) + self.rng.choice(PEOPLE_GIVEN)
            if candidate not in self.used:
                self.used.add(candidate)
                return candidate


class _DocNumbers:
    """Document numbers that count up per issuer and year, as a real office's would."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.next: dict[tuple[str, int], int] = {}

    def take(self, prefix: str, year: int) -> int:
        key = (prefix, year)
        number = self.next.get(key) or self.rng.randint(3, 20)
        self.next[key] = number + self.rng.randint(1, 4)
        return number


SUPPORT_CANDIDATES = {
    "industry": ["市自然资源局", "生态环境分局", "市住建局", "市应急局", "市招商中心", "市政务中心"],
    "infrastructure": ["市自然资源局", "市财政局", "市住建局", "生态环境分局", "市城管局"],
    "livelihood": ["市财政局", "市自然资源局", "市住建局", "市发改局"],
    "ecology": ["市财政局", "市自然资源局", "市水利局", "市林业局", "市农业农村局"],
}


class DemoGenerator:
    def __init__(self, seed: int = data.SEED):
        self.rng = random.Random(seed)
        self.people = _People(self.rng)
        self.docs = _DocNumbers(self.rng)
        self.serials: set[int] = set()

    # ---- the projects, grouped by the lists they are on

    def build(self) -> list[ProjectSpec]:
        pv = self._provincial()
        prefecture = [_spec(row, "prefecture") for row in _rows(data.PREFECTURE_PROJECTS)]
        county = [_spec(row, "county") for row in _rows(data.COUNTY_PROJECTS)] + _area_specs()
        cancelled = [_spec(row, "cancelled") for row in _rows(data.CANCELLED_PROJECTS)]
        reserve = []
        for row in _rows(data.RESERVE_PROJECTS):
            spec = _spec(row, "reserve")
            spec.tier, spec.tags = row[6], [row[7]] if row[7] else []
            reserve.append(spec)
        targets = data.TARGETS
        if len(prefecture) + 1 != targets["prefecture"]["projects"]:
            raise AssertionError(f"{len(prefecture) + 1} prefecture projects")
        if len(prefecture) + len(county) + 1 != targets["county"]["projects"]:
            raise AssertionError(f"{len(prefecture) + len(county) + 1} county projects")

        for spec in prefecture:
            spec.tags = ["prefecture", "county"]
            spec.weight = 2.5
        for spec in county + cancelled:
            spec.tags = ["county"]
        for spec in prefecture + county + cancelled:
            spec.stage = self.rng.choices(
                ["continuing", "new", "preliminary", "completed"], weights=[45, 33, 10, 12]
            )[0]
        self._share_plans(prefecture, targets["prefecture"]["plan"] - targets["province"]["plan"])
        self._share_plans(county, targets["county"]["plan"] - targets["prefecture"]["plan"])
        self._share_ytd(prefecture, targets["prefecture"]["ytd"] - targets["province"]["ytd"])
        self._share_ytd(county, targets["county"]["ytd"] - targets["prefecture"]["ytd"])
        for spec in cancelled:
            spec.plan = Decimal(self.rng.randrange(800, 3000, 10))
            spec.ytd = (spec.plan * Decimal(self.rng.uniform(0.05, 0.2))).quantize(CENT)

        counted = [pv, *prefecture, *county]
        for spec in counted + cancelled:
            if spec is not pv:
                self._years_and_money(spec)
                self._phasing(spec)
            self._approved_reports(spec)
        for spec in reserve:
            self._reserve(spec)
        for spec in counted + cancelled + reserve:
            if spec is not pv:
                spec.code = self._code(spec)
                spec.scope = self._scope(spec)
            if (
                spec.total_investment >= MAJOR_THRESHOLD
                and spec.tier == "implementation"
                and spec.group != "cancelled"
            ):
                spec.tags.append("major")
            spec.support = self._support(spec)
            spec.task_force = self._task_force(spec)
            spec.milestones = self._milestones(spec)
            spec.contact_name = self.people.name()
        for spec in cancelled:
            spec.stage = "cancelled"
            spec.scope += f"（已终止：{data.CANCELLED_REASON}）"
        self._later_reports(counted)
        return counted + cancelled + reserve

    def _provincial(self) -> ProjectSpec:
        pv = data.PROVINCIAL_PROJECT
        spec = ProjectSpec(
            name=pv["name"],
            location=pv["location"],
            category=pv["category"],
            chain=pv["chain"],
            lead=pv["lead"],
            owner=pv["owner"],
            leader=pv["leader"],
            group="province",
            tags=["province", "prefecture", "county"],
            stage="continuing",
            start_year=pv["start_year"],
            end_year=pv["end_year"],
            total_investment=pv["total_investment"],
            prior_completed=pv["prior_completed"],
            plan=pv["plan"],
            plan_months=[Decimal(m) for m in pv["months"]],
            ytd=sum(pv["ytd_by_month"], Decimal(0)),
            scope=pv["scope"],
        )
        spec.code = f"2020-{data.DIVISION_CODE}-44-02-{self._serial():06d}"
        if spec.ytd != data.TARGETS["province"]["ytd"] or spec.plan != data.TARGETS["province"]["plan"]:
            raise AssertionError("the provincial project does not match the seed figures")
        return spec

    # ---- money

    def _share_plans(self, specs: list[ProjectSpec], total: Decimal) -> None:
        stage_size = {"continuing": 1.0, "new": 0.9, "preliminary": 0.2, "completed": 0.45}
        weights = [s.weight * stage_size[s.stage] * self.rng.lognormvariate(0, 0.8) for s in specs]
        for spec, amount in zip(
            specs, split_exact(total, weights, unit=Decimal(10), minimum=Decimal(100)), strict=True
        ):
            spec.plan = amount

    def _share_ytd(self, specs: list[ProjectSpec], total: Decimal) -> None:
        """1-3月 completed per project: plan × a stage-typical rate, then scaled to hit the list's total."""
        rates = {
            "continuing": (0.10, 0.28),
            "new": (0.02, 0.22),
            "preliminary": (0.0, 0.08),
            "completed": (0.3, 0.6),
        }
        weights = []
        for spec in specs:
            low, high = rates[spec.stage]
            idle = spec.stage == "preliminary" and self.rng.random() < 0.4
            weights.append(0.0 if idle else float(spec.plan) * self.rng.uniform(low, high))
        for spec, amount in zip(specs, split_exact(total, weights), strict=True):
            if amount > spec.plan:
                raise AssertionError(f"{spec.name}: 1-3月 {amount} exceeds the annual plan {spec.plan}")
            spec.ytd = amount

    def _years_and_money(self, spec: ProjectSpec) -> None:
        rng, plan = self.rng, spec.plan
        if spec.stage in ("continuing", "completed"):
            spec.start_year = rng.choice([2019, 2020, 2021, 2021])
            spec.end_year = data.YEAR if spec.stage == "completed" else rng.choice([2022, 2023, 2023, 2024])
            if spec.stage == "completed":
                spec.prior_completed = (plan * Decimal(rng.uniform(1.2, 3.5))).quantize(Decimal(10))
                spec.total_investment = spec.prior_completed + plan
            else:
                spec.total_investment = (plan * Decimal(rng.uniform(1.8, 4.5))).quantize(Decimal(10))
                done = spec.total_investment - plan
                spec.prior_completed = (done * Decimal(rng.uniform(0.3, 0.8))).quantize(Decimal(10))
        else:
            spec.start_year = data.YEAR
            if spec.stage == "preliminary":
                spec.end_year = rng.choice([2023, 2024, 2025])
                spec.total_investment = (plan * Decimal(rng.uniform(8, 25))).quantize(Decimal(10))
            else:
                spec.end_year = rng.choice([2022, 2023, 2023, 2024])
                factor = 1 if spec.end_year == data.YEAR else rng.uniform(1.4, 3.2)
                spec.total_investment = (plan * Decimal(factor)).quantize(Decimal(10))

    def _phasing(self, spec: ProjectSpec) -> None:
        """About a third of the plans are phased by month, along the usual curve with some noise."""
        if spec.group == "cancelled" or self.rng.random() > 0.35:
            return
        weights = [w * self.rng.uniform(0.7, 1.3) for w in MONTH_CURVE]
        spec.plan_months = split_exact(spec.plan, weights, unit=Decimal(1))

    def _approved_reports(self, spec: ProjectSpec) -> None:
        """January to March, approved: Spring Festival (1 February 2022) makes February light."""
        if spec.group == "province":
            amounts = list(data.PROVINCIAL_PROJECT["ytd_by_month"])
        else:
            shares = [
                self.rng.uniform(0.22, 0.34),
                self.rng.uniform(0.15, 0.28),
                self.rng.uniform(0.38, 0.55),
            ]
            if spec.stage == "new" and self.rng.random() < 0.4:
                shares[0] = 0.0  # started in February or March
            amounts = split_exact(spec.ytd, shares) if spec.ytd else [Decimal("0.00")] * 3
        for month, amount in enumerate(amounts, 1):
            submitted = date(data.YEAR, month + 1, self.rng.randint(3, 6))
            spec.reports.append(
                self._report(
                    spec,
                    month,
                    amount,
                    "approved",
                    submitted_on=submitted,
                    reviewed_on=submitted + timedelta(days=self.rng.randint(1, 4)),
                )
            )

    def _later_reports(self, counted: list[ProjectSpec]) -> None:
        """April, as it stands on the demo's day (24 April): the month is not over and its reports are not due
        until 5 May, so there are only drafts that some units have started, and one report that a unit sent in
        early with estimates, which the office returned. No May report: May has not begun."""
        rng = self.rng
        april = {spec.name: rng.choices(["draft", ""], weights=[30, 70])[0] for spec in counted}
        # The township reporter of 禾青镇 must find work: drafts to finish and a month to start from scratch.
        heqing = [s for s in counted if s.location == "禾青镇"]
        april[heqing[0].name] = ""
        for spec in heqing[1:3]:
            april[spec.name] = "draft"
        # One report the reviewer sent back, for the housing department's reporter to correct.
        housing = next(s for s in counted if s.lead == "市住建局" and s.location != "禾青镇")
        april[housing.name] = "returned"
        april[data.PROVINCIAL_PROJECT["name"]] = "draft"
        for spec in counted:
            status = april[spec.name]
            if not status:
                continue
            plan = spec.plan_months[3] if spec.plan_months else spec.plan / 12
            amount = (plan * Decimal(rng.uniform(0.6, 1.2))).quantize(CENT)
            drafted = date(data.YEAR, 4, rng.randint(18, 22))
            report = self._report(spec, 4, amount, status, drafted_on=drafted)
            if status == "returned":
                report.submitted_on, report.reviewed_on = date(data.YEAR, 4, 22), date(data.YEAR, 4, 23)
                report.return_reason = (
                    "4月尚未结束，报送的本月完成投资为预估数。请于月末后按实际完成的实物工程量填报，并与监理月报"
                    "核对，于5月5日前重新报送。"
                )
            spec.reports.append(report)

    def _report(self, spec: ProjectSpec, month: int, amount: Decimal, status: str, **dates) -> ReportSpec:
        rng = self.rng
        statistical = None
        if amount and spec.category == "industry" and rng.random() < 0.8:
            statistical = (amount * Decimal(rng.uniform(0.8, 1.0))).quantize(CENT)
        problems = ""
        if spec.stage in ("new", "preliminary") and rng.random() < 0.35:
            problems = rng.choice(PROBLEMS).format(n=rng.randint(2, 12))
        return ReportSpec(
            month=month,
            amount=amount,
            status=status,
            statistical_amount=statistical,
            physical_progress=self._progress(spec, month, amount),
            problems=problems,
            next_month_plan=rng.choice(NEXT_MONTH[spec.stage]),
            **dates,
        )

    def _progress(self, spec: ProjectSpec, month: int, amount: Decimal) -> str:
        if not amount:
            return "本月无实物工作量，主要开展前期手续办理。"
        options = PROGRESS.get(spec.stage, PROGRESS["continuing"])
        return self.rng.choice(options).format(p=self.rng.randint(20, 95), n=self.rng.randint(2, 9), m=month)

    def _reserve(self, spec: ProjectSpec) -> None:
        rng = self.rng
        spec.stage = "planning" if spec.tier == "reserve" else "preliminary"
        spec.start_year = 2023 if spec.tier == "rolling" else rng.choice([2024, 2025])
        spec.end_year = spec.start_year + rng.randint(2, 4)
        spec.total_investment = Decimal(rng.randrange(20000, 300000, 1000))

    # ---- identifiers, people and paperwork

    def _serial(self) -> int:
        while True:
            serial = self.rng.randint(1, 999999)
            if serial not in self.serials:
                self.serials.add(serial)
                return serial

    def _code(self, spec: ProjectSpec) -> str | None:
        """YYYY-431381-II-TT-NNNNNN: a reserve project has no code until it is registered on the platform."""
        if spec.tier == "reserve":
            return None
        chain = next((c for c in data.CHAINS if c.key == spec.chain), None)
        if chain:
            industry = chain.industry_code
        else:
            industry = data.INDUSTRY_CODE_BY_LEAD.get(
                spec.lead, data.INDUSTRY_CODE_BY_CATEGORY[spec.category]
            )
        kind = (
            "03" if spec.category == "industry" else "01"
        )  # 备案 for enterprise investment, 审批 for government
        year = min(spec.start_year - 1, 2022) if spec.stage != "preliminary" else 2022
        return f"{year}-{data.DIVISION_CODE}-{industry}-{kind}-{self._serial():06d}"

    def _scope(self, spec: ProjectSpec) -> str:
        rng = self.rng
        area = round(rng.uniform(0.8, 12), 1)
        if spec.category == "industry":
            return (
                f"新建生产厂房及配套用房约{area}万平方米，购置安装生产及环保设备{rng.randint(40, 260)}台（套），"
                f"建成后预计年产值{rng.randint(2, 30)}亿元、税收{rng.randint(1000, 9000)}万元。"
            )
        if spec.category == "infrastructure":
            return (
                f"建设道路、管网及配套设施约{round(rng.uniform(1.5, 18), 1)}公里，同步实施给排水、电力、照明、"
                f"绿化等附属工程。"
            )
        if spec.category == "livelihood":
            return f"总建筑面积约{area}万平方米，含主体建筑、室外工程及设备购置，建成后新增服务能力{rng.randint(200, 1500)}人（床、位）。"
        return f"实施综合治理面积约{rng.randint(30, 900)}公顷，建设截污管网{round(rng.uniform(2, 25), 1)}公里，配套监测设施。"

    def _support(self, spec: ProjectSpec) -> list[str]:
        """The responsibility chain after the lead unit: the place first, then the departments involved."""
        units = []
        if spec.location != spec.lead:
            units.append(spec.location)
        if "prefecture" in spec.tags and spec.lead != "市发改局":
            units.append("市发改局")
        candidates = [u for u in SUPPORT_CANDIDATES[spec.category] if u not in units and u != spec.lead]
        units += self.rng.sample(candidates, min(len(candidates), self.rng.randint(1, 3)))
        return units

    def _task_force(self, spec: ProjectSpec) -> list[TaskForceSpec]:
        leader = next(leader for leader in data.LEADERS if leader.key == spec.leader)
        members = [
            TaskForceSpec(leader.name, f"组长（{leader.post}）", data.ROOT["name"]),
            TaskForceSpec(self.people.name(), "副组长（牵头单位主要负责人）", spec.lead),
        ]
        for unit in spec.support[:2]:
            members.append(TaskForceSpec(self.people.name(), "成员", unit))
        members.append(TaskForceSpec(self.people.name(), "联络员", spec.lead))
        return members

    def _milestones(self, spec: ProjectSpec) -> list[MilestoneSpec]:
        """The "two preliminaries" (两个前期) and the start and end of works, as planned and as done by AS_OF."""
        rng, docs = self.rng, self.docs
        if spec.group == "reserve":
            year = spec.start_year - 1
            return [
                MilestoneSpec(
                    "approval", "项目建议书及可研编制", date(year, rng.randint(3, 9), rng.randint(1, 28))
                )
            ]
        start = spec.start_year
        government = spec.category != "industry"

        def day(year: int, low: int, high: int) -> date:
            return date(year, rng.randint(low, high), rng.randint(1, 28))

        if spec.stage in ("continuing", "completed") or spec.group == "province":
            approval, land, environment = day(start - 1, 2, 6), day(start - 1, 6, 10), day(start - 1, 5, 9)
            planning, permit = day(start, 1, 2), day(start, 2, 4)
            begin = permit + timedelta(days=rng.randint(5, 40))
        elif spec.stage == "new":
            approval, land, environment = day(2021, 3, 8), day(2021, 8, 12), day(2021, 6, 10)
            planning, permit = day(2022, 1, 2), day(2022, 1, 3)
            begin = permit + timedelta(days=rng.randint(3, 30))
        else:  # preliminary: most of the paperwork is still ahead
            approval, environment, land = day(2022, 1, 5), day(2022, 3, 7), day(2022, 4, 9)
            planning, permit = day(2022, 6, 9), day(2022, 8, 11)
            begin = permit + timedelta(days=rng.randint(10, 40))
        end = date(spec.end_year, rng.randint(9, 12), rng.randint(1, 28))
        year = approval.year
        steps = [
            (
                "approval",
                "可行性研究报告批复" if government else "项目备案",
                approval,
                f"冷发改{'审' if government else '备'}〔{year}〕{docs.take('approval' + str(government), year)}号",
            ),
            (
                "environment",
                "环境影响评价批复",
                environment,
                f"娄环冷审〔{environment.year}〕{docs.take('env', environment.year)}号",
            ),
            (
                "land",
                "用地批复（不动产权证）",
                land,
                f"湘（{land.year}）冷水江市不动产权第{docs.take('land', land.year):07d}号",
            ),
            (
                "planning",
                "建设工程规划许可证",
                planning,
                f"建字第{data.DIVISION_CODE}{planning.year}{docs.take('plan', planning.year):05d}号",
            ),
            (
                "construction",
                "施工许可证",
                permit,
                f"{data.DIVISION_CODE}{permit:%Y%m%d}{docs.take('permit', permit.year):02d}01",
            ),
            ("start", "开工建设", begin, ""),
            ("completion", "竣工验收", end, ""),
        ]
        if spec.category == "industry" and spec.chain in ("antimony", "steel", "refractories"):
            steps.insert(
                2,
                (
                    "energy",
                    "节能审查意见",
                    environment + timedelta(days=20),
                    f"冷发改能审〔{environment.year}〕{docs.take('energy', environment.year)}号",
                ),
            )
        if spec.stage == "completed":
            steps[-1] = ("completion", "竣工验收", day(2022, 1, 3), "")
        # Some new and preliminary projects are behind: a step planned before April is still not done.
        overdue_kind = None
        if spec.stage in ("new", "preliminary") and rng.random() < 0.2:
            overdue_kind = rng.choice(
                ["land", "construction", "start"] if spec.stage == "new" else ["approval", "environment"]
            )
        milestones = []
        for kind, name, planned, document in steps:
            if kind == overdue_kind:
                planned = day(2022, 2, 3)
            actual = planned + timedelta(days=rng.randint(-10, 15))
            done = (
                actual <= AS_OF
                and kind != overdue_kind
                and (kind != "completion" or spec.stage == "completed")
            )
            milestones.append(
                MilestoneSpec(kind, name, planned, actual if done else None, document if done else "")
            )
        return milestones


PROGRESS = {
    "continuing": [
        "主体结构施工至第{n}层，完成年度计划工程量的{p}%。",
        "完成钢结构厂房主体吊装，正在进行屋面及墙面围护施工。",
        "生产设备安装完成{p}%，配套管网同步施工。",
        "完成管网铺设{n}.{m}公里，路基施工有序推进。",
        "二期工程基础施工完成，累计完成形象进度{p}%。",
    ],
    "new": [
        "完成场地平整及土石方开挖约{n}万立方米。",
        "桩基施工完成{p}%，临时设施搭建完毕。",
        "施工单位已进场，完成三通一平。",
        "基础工程施工中，完成形象进度{p}%。",
    ],
    "completed": [
        "主体工程已完工，正在进行竣工验收资料整理。",
        "生产线已投产试运行，产能达设计能力的{p}%。",
        "完成室外配套及绿化工程，进入设备调试阶段。",
    ],
    "preliminary": [
        "完成可研报告编制，正在办理用地预审。",
        "完成初步设计及概算评审，施工图设计进行中。",
        "完成地勘及测绘，正在开展环评公示。",
    ],
    "cancelled": ["按计划推进。"],
}
PROBLEMS = [
    "征地拆迁尚有{n}户未签约，影响施工进场。",
    "用地报批手续尚未完成，需协调市自然资源局加快办理。",
    "施工用电尚未接入，需协调供电部门解决。",
    "项目资金到位不足，需协调金融机构加快放贷。",
    "环评批复尚未下达，需协调生态环境分局加快审批。",
]
NEXT_MONTH = {
    "continuing": ["继续推进主体工程施工，确保完成月度投资计划。", "加快设备安装调试，力争按期投产。"],
    "new": ["加快基础施工，确保主体工程按期开工。", "完成桩基工程，启动主体结构施工。"],
    "completed": ["完成竣工验收及结算审计。", "组织生产线满负荷试运行。"],
    "preliminary": ["加快办理用地和规划手续，力争早日开工。", "完成施工图审查及施工招标。"],
    "cancelled": ["按计划推进。"],
}


def build_projects(seed: int = data.SEED) -> list[ProjectSpec]:
    return DemoGenerator(seed).build()
