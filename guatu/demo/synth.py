"""A synthetic province in bulk (`guatu synth`): the load the benchmark and capacity tests read.

One province (合成省) → prefectures → counties, each county with ten townships, streets and a development
zone, twenty departments and its leaders; projects per county with plans for every year of the range (one in
ten phased by month), support units and 1-3 level tags; a monthly report for every project and month of the
range; problems on some projects; per county an indicator library, an assessment scheme over its thirty units
and the approved values that scheme needs; reporters, reviewers and five persona users sharing one password.

Everything is written in one transaction without the services and without audit events (it is there to
measure reads, not the write services): with bulk_create, and the largest tables (reports, plans, indicator
values) with plain INSERTs of tuples (`_Inserter`). The same seed gives the same province (names, figures, statuses);
only primary keys and the dates stamped "now" differ. It refuses to write into a database that has org units.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guatu import clock
from guatu.accounts.models import Role, User
from guatu.assessment.models import Indicator, IndicatorValue, Scheme, SchemeKind, Source, ValueStatus
from guatu.assessment.services import scheme_check
from guatu.demo.generate import MONTH_CURVE, PEOPLE_GIVEN, PEOPLE_SURNAMES, split_exact
from guatu.demo.loader import VERSION_BY_STATUS
from guatu.dispatch.models import Problem, ProblemCategory, ProblemStatus
from guatu.lib.periods import Period
from guatu.lights.services import lights_compute
from guatu.orgs.models import Leader, OrgUnit, OrgUnitKind
from guatu.projects.models import (
    AnnualPlan,
    Category,
    LevelTag,
    PlanMonth,
    Project,
    ProjectSupportUnit,
    Stage,
    Tier,
)
from guatu.projects.phasing import refresh_phasing
from guatu.reports.models import MonthlyReport, ReportStatus
from guatu.reports.rollups import rebuild_rollups

# Every synthetic user signs in with this password (the benchmark signs in with it); hashed once per run.
SYNTH_PASSWORD = "Synth-guatu-2026"
PROVINCE_NAME = "合成省"
PROVINCE_CODE = "480000"  # 48: a province prefix no real province uses (GB/T 2260)
PREFECTURES = 14
TOWNSHIPS_PER_COUNTY = 10  # 3 streets, 6 townships, 1 development zone
DEPARTMENTS_PER_COUNTY = 20
BATCH = 5000
LIMITS = {"counties": (1, 500), "projects_per_county": (1, 5000), "years": (1, 10)}

# The persona users (SynthResult names them): the province's, one prefecture's, one county's.
PROVINCE_REVIEWER = "synth_province"
PREFECTURE_REVIEWER = "synth_prefecture"
COUNTY_REVIEWER = "synth_county"
COUNTY_LEADER = "synth_leader"
TOWNSHIP_REPORTER = "synth_township"

CENT = Decimal("0.01")


class SynthError(Exception):
    """The synthetic province cannot be built here (a database that has data, arguments out of range)."""


@dataclass(frozen=True)
class SynthResult:
    """What was built: the units the personas belong to, their usernames (password SYNTH_PASSWORD), counts."""

    province_pk: int
    prefecture_pk: int  # the first prefecture: county_pk is one of its counties
    county_pk: int
    township_pk: int  # a township of county_pk
    province_reviewer: str
    prefecture_reviewer: str
    county_reviewer: str
    county_leader: str  # linked to a leader of county_pk who is responsible for some of its projects
    township_reporter: str
    first_period: str  # YYYY-MM, the first month reported
    last_period: str  # YYYY-MM, the last month reported
    units: int
    leaders: int
    users: int
    projects: int
    plans: int
    reports: int
    problems: int
    indicators: int
    schemes: int
    values: int
    lights: int  # projects with a light for the last month whose reports are all approved
    seconds: float

    @property
    def usernames(self) -> list[str]:
        return [
            self.province_reviewer,
            self.prefecture_reviewer,
            self.county_reviewer,
            self.county_leader,
            self.township_reporter,
        ]


# ---- names ---------------------------------------------------------------------------------------------------

PLACE_FIRST = (
    "青石白金云龙凤桃杨柳梅竹松桂兰花丰安宁永长新太平东西南北上下黄红紫碧清阳华双高江河湖溪泉山岭峰岩洞"
    "沙滩塘坪坝桥湾洲田"
)
PLACE_SECOND = "山江河湖溪源峰岭岗坪塘湾洲桥田冲口滩岩坡林园庄铺溪阳华泉水川台城港坝"
DEPARTMENTS = [
    # (full name after the county's, short name after 县/区/市, the categories it leads projects of)
    ("发展和改革局", "发改局", ("industry", "infrastructure")),
    ("科学技术和工业信息化局", "科工信局", ("industry",)),
    ("财政局", "财政局", ()),
    ("自然资源局", "自然资源局", ("ecology",)),
    ("住房和城乡建设局", "住建局", ("infrastructure", "livelihood")),
    ("交通运输局", "交通局", ("infrastructure",)),
    ("水利局", "水利局", ("infrastructure", "ecology")),
    ("农业农村局", "农业农村局", ("industry", "ecology")),
    ("商务局", "商务局", ("industry",)),
    ("教育局", "教育局", ("livelihood",)),
    ("卫生健康局", "卫健局", ("livelihood",)),
    ("人力资源和社会保障局", "人社局", ("livelihood",)),
    ("应急管理局", "应急局", ()),
    ("市场监督管理局", "市场监管局", ()),
    ("统计局", "统计局", ()),
    ("生态环境分局", "生态环境分局", ("ecology",)),
    ("政务服务中心", "政务中心", ()),
    ("招商服务中心", "招商中心", ("industry",)),
    ("文化旅游广电体育局", "文旅广体局", ("livelihood",)),
    ("城市管理和综合执法局", "城管局", ("infrastructure", "ecology")),
]
LEADER_POSTS = [  # (post, principal); 县 becomes 区 or 市 with the county's kind
    ("县委书记", True),
    ("县委副书记、县长", True),
    ("县委副书记", False),
    ("县委常委、常务副县长", False),
    ("县委常委、副县长", False),
    ("副县长", False),
    ("副县长", False),
    ("副县长", False),
]
RESPONSIBLE_POSTS = range(2, len(LEADER_POSTS))  # the deputies answer for projects
PRODUCTS = (
    "锂电池正极材料 高性能锑合金 新型耐火材料 特种钢丝 绿色建材 精细化工中间体 农产品精深加工 预制菜 光伏组件 "
    "电子元器件 新能源汽车零部件 智能装备 生物医药中间体 竹木制品 茶叶深加工"
).split()
ROADS = "滨江大道 工业大道 东环路 西环路 北二环 迎宾大道 站前路 园区一号路 沿河路 学府路".split()
RIVERS = "资江 涟水 渠江 沅水 澧水 湘江支流".split()
BUILDINGS = "门急诊综合楼 住院大楼 医技楼 公共卫生服务中心".split()
NUMERALS = "一二三四五六七八九"
COMPANY_WORDS = "华新 宏远 金鼎 瑞丰 恒通 鑫源 中联 天成 永盛 博达 嘉禾 正和".split()
COMPANY_KINDS = "新材料 科技 实业 能源 食品 装备制造 化工 建材".split()
PROGRESS = "主体工程施工中 基础施工已完成，主体结构施工中 设备安装调试中 场地平整完成 附属工程施工中".split()
PROBLEMS = [
    ("land", "项目用地报批进度滞后，影响二期开工"),
    ("demolition", "红线内仍有3户未完成征拆，影响主体施工"),
    ("approvals", "施工许可办理资料需补正，手续办理滞后"),
    ("funds", "专项债资金到位滞后，施工单位垫资压力大"),
    ("utilities", "施工用电线路未接入，临时供电不足"),
    ("other", "施工便道与村道交叉，群众出行安全需协调"),
]
RETURN_REASONS = [
    "本月完成投资与形象进度不符，请核实后重报",
    "未附施工现场照片，请补充",
    "统计口径有误，请按财务支出数填报",
]

# Categories with their national industry code (for project codes) and a share of the county's projects.
CATEGORIES = [
    (Category.INDUSTRY, "35", 40),
    (Category.INFRASTRUCTURE, "48", 30),
    (Category.LIVELIHOOD, "84", 18),
    (Category.ECOLOGY, "77", 12),
]
TAGS = [  # (code, name, bulletin label, sort order, in the bulletin sentence): reused by code when present
    ("province", "省重点", "省重点项目", 1, True),
    ("prefecture", "市州重点", "市州重点项目", 2, True),
    ("county", "县市区重点", "县市区重点项目", 3, True),
    ("major", "重大项目", "重大项目", 4, False),
]
MAJOR_THRESHOLD = 50000_00  # cents of 万元: 5亿元 and more is also on the major-project list


def _project_name(rng: random.Random, category: str, county: str, town: str, other_town: str) -> str:
    n = rng.randint(1, 9)
    numeral, phase = NUMERALS[n - 1], NUMERALS[rng.randrange(3)]
    if category == Category.INDUSTRY:
        return rng.choice(
            [
                f"{town}年产{rng.choice([2, 3, 5, 10, 20, 30])}万吨{rng.choice(PRODUCTS)}项目",
                f"{rng.choice(COMPANY_WORDS)}{rng.choice(PRODUCTS)}生产线技术改造项目",
                f"{county[:-1]}经开区{rng.choice(PRODUCTS)}产业园（{phase}期）",
                f"{town}标准化厂房建设项目（{phase}期）",
                f"{county}{rng.choice(PRODUCTS)}产业化基地建设项目",
            ]
        )
    if category == Category.INFRASTRUCTURE:
        return rng.choice(
            [
                f"{town}至{other_town}公路提质改造工程",
                f"{county}{rng.choice(ROADS)}新建工程",
                f"{county}城区{n}座桥梁改造工程",
                f"{town}农村供水保障工程",
                f"{county}城区燃气管网更新改造工程（{phase}期）",
                f"{county}{rng.choice(ROADS)}片区路网建设项目",
            ]
        )
    if category == Category.LIVELIHOOD:
        return rng.choice(
            [
                f"{county}人民医院{rng.choice(BUILDINGS)}建设项目",
                f"{county}第{numeral}中学新建工程",
                f"{town}中心小学扩建工程",
                f"{town}老旧小区改造项目（{n + 2}个小区）",
                f"{county}养老服务中心建设项目",
                f"{town}保障性租赁住房项目（{phase}期）",
            ]
        )
    return rng.choice(
        [
            f"{town}{rng.choice(RIVERS)}流域综合治理工程",
            f"{town}历史遗留矿山生态修复项目",
            f"{county}城乡污水处理厂提标改造工程",
            f"{town}农村人居环境整治项目",
            f"{county}生活垃圾焚烧发电项目",
        ]
    )


class _Names:
    """Place and person names, never the same place twice in one province."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        pairs = [a + b for a in PLACE_FIRST for b in PLACE_SECOND if a != b]
        rng.shuffle(pairs)
        self.places = pairs
        self.used: set[str] = set()

    def place(self) -> str:
        while self.places:
            name = self.places.pop()
            if name not in self.used:
                self.used.add(name)
                return name
        while True:  # two characters exhausted (a very large province): three
            name = "".join(self.rng.choice(PLACE_FIRST + PLACE_SECOND) for _ in range(3))
            if name not in self.used:
                self.used.add(name)
                return name

    def person(self) -> str:
        return self.rng.choice(PEOPLE_SURNAMES) + self.rng.choice(PEOPLE_GIVEN)


# ---- the assessment: a library and a scheme per county --------------------------------------------------------

SCOPE_ALL, SCOPE_AREAS, SCOPE_DEPARTMENTS = "all", "areas", "departments"
CATEGORY_LABELS = {
    "economy": "经济发展",
    "business": "营商类",
    "per_capita": "人均类",
    "urban": "城镇类",
    "environment": "环保类",
    "innovation": "创新类",
    "livelihood": "民生类",
    "party": "党的建设",
    "safety": "平安建设",
}


@dataclass(frozen=True)
class _IndicatorTemplate:
    key: str
    name: str
    category: str
    measure: str
    department: int  # index into DEPARTMENTS: the lead unit
    scope: str
    weight: int
    method: dict  # the scheme keys beyond code, name, category, unit, weight
    low: float  # values drawn uniformly in [low, high], `places` decimals
    high: float
    places: int = 1
    direction: str = "higher"
    computed_key: str = ""
    process: bool = False  # quarterly process weighting: needs the values of every quarter so far


QUARTERS = {3: 0.15, 6: 0.25, 9: 0.25, 12: 0.35}
_T = _IndicatorTemplate
# The county's library and scheme: two indicators Guatu computes, then the entered ones, for all thirty units,
# for the townships, streets and zone only, or for the departments only. Values are drawn in [low, high].
# fmt: off
INDICATORS = [
    # key, name, category, measure, lead department (index into DEPARTMENTS), scope, weight, scheme keys, low, high, ...
    _T("project_investment", "重点项目投资完成率", "economy", "%", 0, SCOPE_ALL, 6, {"method": "completion_rate", "target": 100, "cap": 1.2}, 0, 0, computed_key="project_investment_rate"),  # noqa: E501
    _T("reports_on_time", "重点项目月报按时报送率", "economy", "%", 0, SCOPE_ALL, 3, {"method": "completion_rate", "target": 100}, 0, 0, computed_key="reports_on_time"),  # noqa: E501
    _T("tax_revenue", "税收收入", "economy", "万元", 2, SCOPE_ALL, 4, {"method": "efficacy"}, 800, 9000, 0, process=True),
    _T("fixed_asset_growth", "固定资产投资增速", "economy", "%", 14, SCOPE_ALL, 3, {"method": "linear", "target": 8, "deduct": 0.5, "add": 0.2, "ceiling": 4}, 2, 14, process=True),  # noqa: E501
    _T("key_tasks", "重点工作任务推进率", "economy", "%", 0, SCOPE_ALL, 3, {"method": "completion_rate", "target": 100}, 78, 100),
    _T("upper_funds", "争取上级资金", "economy", "万元", 2, SCOPE_ALL, 2, {"method": "rank", "step": 0.1, "floor": 1}, 200, 6000, 0),
    _T("attracted_funds", "招商引资实际到位资金", "business", "亿元", 17, SCOPE_ALL, 3, {"method": "completion_rate", "target": 1.5, "cap": 1.2}, 0.3, 2.5, 2, process=True),  # noqa: E501
    _T("new_entities", "新增市场主体", "business", "户", 13, SCOPE_ALL, 2, {"method": "rank", "step": 0.1, "floor": 1}, 40, 520, 0),
    _T("business_env", "营商环境评价得分", "business", "分", 0, SCOPE_ALL, 3, {"method": "efficacy", "worst": 60, "best": 95}, 68, 96),
    _T("online_service", "政务服务好评率", "business", "%", 16, SCOPE_ALL, 2, {"method": "linear", "target": 99, "deduct": 0.5, "per": 0.5}, 96, 100, 2),  # noqa: E501
    _T("hotline", "12345热线工单办结满意率", "livelihood", "%", 16, SCOPE_ALL, 2, {"method": "efficacy"}, 80, 99),
    _T("income_growth", "居民人均可支配收入增速", "per_capita", "%", 14, SCOPE_ALL, 3, {"method": "linear", "target": 6.5, "deduct": 0.5, "whole_steps": True}, 4.5, 9.5, process=True),  # noqa: E501
    _T("employment", "城镇新增就业人数", "per_capita", "人", 11, SCOPE_ALL, 2, {"method": "completion_rate", "target": 300}, 150, 420, 0),
    _T("garbage_treatment", "生活垃圾无害化处理率", "urban", "%", 19, SCOPE_ALL, 2, {"method": "threshold", "bands": [{"min": 99, "points": 2}, {"min": 95, "points": 1.5}, {"min": 90, "points": 1}, {"points": 0}]}, 88, 100),  # noqa: E501
    _T("civilized_city", "文明城市创建测评", "urban", "分", 19, SCOPE_ALL, 2, {"method": "efficacy"}, 80, 98),
    _T("pm25", "PM2.5平均浓度", "environment", "微克/立方米", 15, SCOPE_ALL, 3, {"method": "completion_rate", "target": 35}, 28, 48, direction="lower", process=True),  # noqa: E501
    _T("air_quality_days", "空气质量优良天数比例", "environment", "%", 15, SCOPE_ALL, 3, {"method": "efficacy", "worst": 80, "best": 95}, 78, 97),  # noqa: E501
    _T("env_rectification", "生态环境问题整改销号率", "environment", "%", 15, SCOPE_ALL, 2, {"method": "linear", "target": 100, "deduct": 0.2}, 85, 100),  # noqa: E501
    _T("energy", "单位能耗下降率", "environment", "%", 0, SCOPE_ALL, 2, {"method": "completion_rate", "target": 3}, 1, 4.5, 2),
    _T("high_tech_firms", "高新技术企业净增数", "innovation", "家", 1, SCOPE_ALL, 2, {"method": "rank", "step": 0.2, "floor": 0.5}, 0, 6, 0),  # noqa: E501
    _T("reform", "改革创新成果", "innovation", "项", 0, SCOPE_ALL, 2, {"method": "threshold", "bands": [{"min": 3, "points": 2}, {"min": 1, "points": 1}, {"points": 0}]}, 0, 4, 0),  # noqa: E501
    _T("safety_accidents", "生产安全事故起数", "livelihood", "起", 12, SCOPE_ALL, 3, {"method": "linear", "target": 0, "deduct": 1}, 0, 3, 0, direction="lower", process=True),  # noqa: E501
    _T("livelihood_projects", "重点民生实事推进率", "livelihood", "%", 0, SCOPE_ALL, 2, {"method": "completion_rate", "target": 100}, 75, 100),  # noqa: E501
    _T("party_building", "基层党建工作考评", "party", "分", 0, SCOPE_ALL, 3, {"method": "efficacy"}, 84, 98),
    _T("clean_government", "党风廉政建设考评", "party", "分", 0, SCOPE_ALL, 2, {"method": "efficacy"}, 85, 99),
    _T("safe_city", "平安建设考评", "safety", "分", 12, SCOPE_ALL, 3, {"method": "efficacy"}, 78, 99, process=True),
    _T("petitions", "信访积案化解率", "safety", "%", 12, SCOPE_ALL, 2, {"method": "linear", "target": 95, "deduct": 0.2}, 80, 100),
    _T("rural_income_growth", "农村居民人均可支配收入增速", "per_capita", "%", 7, SCOPE_AREAS, 3, {"method": "linear", "target": 7, "deduct": 0.5, "add": 0.2, "ceiling": 4}, 5, 10, process=True),  # noqa: E501
    _T("park_output", "园区规模工业增加值增速", "innovation", "%", 1, SCOPE_AREAS, 3, {"method": "threshold", "bands": [{"min": 10, "points": 3}, {"min": 7, "points": 2}, {"min": 5, "points": 1}, {"points": 0.5}]}, 2, 16),  # noqa: E501
    _T("new_above_scale", "新增规模以上工业企业", "economy", "户", 14, SCOPE_AREAS, 2, {"method": "rank", "step": 0.2, "floor": 0.5}, 0, 5, 0),  # noqa: E501
    _T("land_collection", "土地征收任务完成率", "economy", "%", 3, SCOPE_AREAS, 2, {"method": "completion_rate", "target": 100}, 60, 110),  # noqa: E501
    _T("forest_fire", "森林防火工作考评", "safety", "分", 12, SCOPE_AREAS, 2, {"method": "efficacy"}, 80, 99),
    _T("rural_toilets", "农村改厕任务完成率", "urban", "%", 7, SCOPE_AREAS, 2, {"method": "completion_rate", "target": 100}, 70, 105),  # noqa: E501
    _T("dept_key_tasks", "牵头重点工作推进率", "economy", "%", 0, SCOPE_DEPARTMENTS, 3, {"method": "completion_rate", "target": 100}, 80, 100),  # noqa: E501
    _T("dept_budget", "预算执行进度", "economy", "%", 2, SCOPE_DEPARTMENTS, 2, {"method": "linear", "target": 90, "deduct": 0.2}, 70, 100),  # noqa: E501
    _T("dept_service", "服务对象满意度", "business", "%", 16, SCOPE_DEPARTMENTS, 2, {"method": "efficacy"}, 85, 99),
    _T("dept_supervision", "督查事项办结率", "economy", "%", 0, SCOPE_DEPARTMENTS, 2, {"method": "linear", "target": 100, "deduct": 0.2}, 88, 100),  # noqa: E501
    _T("dept_energy", "公共机构人均综合能耗", "environment", "千克标准煤/人", 0, SCOPE_DEPARTMENTS, 2, {"method": "completion_rate", "target": 120}, 96, 140, direction="lower"),  # noqa: E501
    _T("dept_party_building", "机关党建考评", "party", "分", 0, SCOPE_DEPARTMENTS, 2, {"method": "efficacy"}, 85, 98),
]
# fmt: on


def _indicator_code(county_code: str, key: str) -> str:
    return f"s{county_code}-{key}"


def _scheme_definition(county: OrgUnit, year: int, areas: list[OrgUnit], departments: list[OrgUnit]) -> dict:
    """The county's scheme in the documented format (docs/assessment.md): three ranking groups of its units."""
    code = county.division_code
    indicators = []
    for t in INDICATORS:
        row = {
            "code": _indicator_code(code, t.key),
            "name": t.name,
            "category": CATEGORY_LABELS[t.category],
            "unit": t.measure,
            "weight": t.weight,
            **t.method,
        }
        if t.direction != "higher":
            row["direction"] = t.direction
        if t.process:
            row["process"] = dict(QUARTERS)
        if t.scope == SCOPE_AREAS:
            row["groups"] = ["township", "street"]
        elif t.scope == SCOPE_DEPARTMENTS:
            row["groups"] = ["department"]
        indicators.append(row)
    full = sum(t.weight for t in INDICATORS)
    return {
        "code": f"synth-{code}-{year}",
        "name": f"{year}年{county.name}乡镇（街道）、园区及县直单位绩效考核办法",
        "year": year,
        "groups": [
            {
                "code": "township",
                "name": "乡镇",
                "units": [u.name for u in areas if u.kind == OrgUnitKind.TOWNSHIP],
            },
            {
                "code": "street",
                "name": "街道和园区",
                "units": [u.name for u in areas if u.kind != OrgUnitKind.TOWNSHIP],
            },
            {"code": "department", "name": "县直部门", "units": [u.name for u in departments]},
        ],
        "indicators": indicators,
        "bonus_cap": 3,
        "penalty_cap": 5,
        "veto_effect": "not_top",
        "tie_break": [_indicator_code(code, "project_investment"), _indicator_code(code, "tax_revenue")],
        "grades": [
            {"name": "优秀", "min": round(full * 0.9), "quota": 0.3},
            {"name": "良好", "min": round(full * 0.8)},
            {"name": "一般", "min": round(full * 0.6)},
            {"name": "较差"},
        ],
    }


def assessment_period(last: tuple[int, int]) -> tuple[int, int]:
    """The period the schemes are scored for: the last quarter's end reached by the last month reported (the
    process weighting has a time point by then)."""
    year, month = last
    return (year, month - month % 3) if month >= 3 else (year - 1, 12)


# ---- building -------------------------------------------------------------------------------------------------


def last_month(end_year: int) -> int:
    """The last month reported in `end_year`: this month in the current year, December in a past one."""
    today = clock.today()
    return today.month if end_year == today.year else 12


def check_arguments(*, counties: int, projects_per_county: int, years: int, end_year: int) -> None:
    """SynthError (in Chinese) for an argument out of range; the database is not read."""
    for name, value in (
        ("counties", counties),
        ("projects_per_county", projects_per_county),
        ("years", years),
    ):
        low, high = LIMITS[name]
        if not low <= value <= high:
            raise SynthError(
                _("%(name)s must be between %(low)d and %(high)d, not %(value)d.")
                % {"name": "--" + name.replace("_", "-"), "low": low, "high": high, "value": value}
            )
    this_year = clock.today().year
    if not 2000 + years <= end_year <= this_year:
        raise SynthError(
            _(
                "--end-year must lie between %(low)d and this year (%(high)d), not %(value)d: no report is dated "
                "in the future."
            )
            % {"low": 2000 + years, "high": this_year, "value": end_year}
        )


def existing_units() -> int:
    """Org units already in the database: build_province writes only into a database that has none."""
    return OrgUnit.objects.count()


def build_province(
    *,
    counties: int,
    projects_per_county: int,
    years: int,
    seed: int = 1,
    end_year: int = 2026,
    progress: Callable[[str], None] | None = None,
) -> SynthResult:
    """Build the synthetic province in one transaction (see the module's docstring); SynthError, with nothing
    written, when the database already has org units or an argument is out of range."""
    check_arguments(
        counties=counties, projects_per_county=projects_per_county, years=years, end_year=end_year
    )
    started = time.perf_counter()
    with transaction.atomic():
        existing = existing_units()
        if existing:
            raise SynthError(
                _(
                    "The database already holds %(count)d org units: synthetic data is only written into an empty "
                    "database. Use a new data folder (GUATU_DATA_DIR) or an empty database."
                )
                % {"count": existing}
            )
        builder = _Builder(
            rng=random.Random(seed),
            counties=counties,
            per_county=projects_per_county,
            years=years,
            end=(end_year, last_month(end_year)),
            say=progress or (lambda message: None),
        )
        with _large_page_cache():
            result = builder.build(started)
    return result


@contextmanager
def _large_page_cache(kib: int = 2_000_000):
    """On SQLite, a page cache of up to `kib` KiB for this connection while building, put back after. The load
    is one transaction: with the default 2 MB cache its pages spill into the write-ahead log and are read back
    from there (the default province then spent 43 s in system calls, 3 s with this cache; measured)."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (before,) = cursor.fetchone()
        cursor.execute(f"PRAGMA cache_size = -{int(kib)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(before)}")


class _Builder:
    def __init__(self, *, rng, counties, per_county, years, end, say):
        self.rng = rng
        self.names = _Names(rng)
        self.county_count = counties
        self.per_county = per_county
        self.end = end
        self.first_year = end[0] - years + 1
        self.years = list(range(self.first_year, end[0] + 1))
        self.periods = [(y, m) for y in self.years for m in range(1, 13) if (y, m) <= end]
        self.say = say
        self.now = clock.now()
        self.zone = timezone.get_current_timezone()
        self.counts: dict[str, int] = {}

    def _step(self, message: str, started: float) -> None:
        self.say(
            _("%(step)s (%(seconds).1f s)") % {"step": message, "seconds": time.perf_counter() - started}
        )

    def build(self, started: float) -> SynthResult:
        t = time.perf_counter()
        self._tree()
        self._leaders()
        self._step(
            _("Org tree: %(units)d units (%(counties)d counties), %(leaders)d leaders")
            % {
                "units": self.counts["units"],
                "counties": len(self.counties),
                "leaders": self.counts["leaders"],
            },
            t,
        )
        t = time.perf_counter()
        self._tags()
        self._projects()
        self._step(
            _("Projects: %(projects)d, with %(plans)d annual plans (%(months)d phased months)")
            % {
                "projects": self.counts["projects"],
                "plans": self.counts["plans"],
                "months": self.counts["months"],
            },
            t,
        )
        t = time.perf_counter()
        self._users()
        self._step(_("Users: %(users)d") % {"users": self.counts["users"]}, t)
        t = time.perf_counter()
        self._reports()
        self._step(
            _("Monthly reports: %(reports)d, %(first)s to %(last)s")
            % {
                "reports": self.counts["reports"],
                "first": _period(self.periods[0]),
                "last": _period(self.end),
            },
            t,
        )
        t = time.perf_counter()
        self._problems()
        self._assessment()
        self._step(
            _(
                "Problems: %(problems)d; assessment: %(indicators)d indicators, %(schemes)d schemes, %(values)d "
                "values"
            )
            % {
                "problems": self.counts["problems"],
                "indicators": self.counts["indicators"],
                "schemes": self.counts["schemes"],
                "values": self.counts["values"],
            },
            t,
        )
        t = time.perf_counter()
        rows = rebuild_rollups()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # the planner's statistics, for the reads that follow a bulk load
        self._step(_("Approved totals rebuilt: %(rows)d rows") % {"rows": rows}, t)
        t = time.perf_counter()
        lit = self._lights()
        if lit is not None:
            self._step(_("Lights of %(period)s: %(lights)d projects") % {"period": lit[0], "lights": lit[1]}, t)
        county = self.counties[0]
        return SynthResult(
            province_pk=self.province.pk,
            prefecture_pk=self.prefectures[0].pk,
            county_pk=county.pk,
            township_pk=self.areas[county.pk][0].pk,
            province_reviewer=PROVINCE_REVIEWER,
            prefecture_reviewer=PREFECTURE_REVIEWER,
            county_reviewer=COUNTY_REVIEWER,
            county_leader=COUNTY_LEADER,
            township_reporter=TOWNSHIP_REPORTER,
            first_period=_period(self.periods[0]),
            last_period=_period(self.end),
            units=self.counts["units"],
            leaders=self.counts["leaders"],
            users=self.counts["users"],
            projects=self.counts["projects"],
            plans=self.counts["plans"],
            reports=self.counts["reports"],
            problems=self.counts["problems"],
            indicators=self.counts["indicators"],
            schemes=self.counts["schemes"],
            values=self.counts["values"],
            lights=lit[1] if lit else 0,
            seconds=time.perf_counter() - started,
        )

    def _lights(self) -> tuple[str, int] | None:
        """The lights of the last month whose reports are all approved (the last two are left under review),
        computed by the lights service for the whole province, as a county's office does each month: the
        battle map and the lights board read them."""
        if len(self.periods) < 3:
            return None
        year, month = self.periods[-3]
        return _period((year, month)), lights_compute(unit=self.province, period=Period(year, month))

    # -- the org tree

    def _units(self, rows: list[tuple[OrgUnit | None, dict]]) -> list[OrgUnit]:
        """Units (parent, fields) in one insert, with materialised paths as guatu.orgs.services writes them."""
        units = OrgUnit.objects.bulk_create(
            [OrgUnit(parent=parent, path=f"tmp-{i}", **fields) for i, (parent, fields) in enumerate(rows)],
            batch_size=BATCH,
        )
        for unit in units:
            unit.path = f"{unit.parent.path if unit.parent else ''}{unit.pk}/"
        OrgUnit.objects.bulk_update(units, ["path"], batch_size=500)
        self.counts["units"] = self.counts.get("units", 0) + len(units)
        return units

    def _tree(self) -> None:
        place = self.names.place

        def unit(parent, name, kind, code="", order=0, short=""):
            fields = {
                "name": name,
                "kind": kind,
                "division_code": code,
                "sort_order": order,
                "short_name": short,
            }
            return parent, fields

        self.province = self._units(
            [unit(None, PROVINCE_NAME, OrgUnitKind.PROVINCE, PROVINCE_CODE, 0, "合成")]
        )[0]
        n_prefectures = min(PREFECTURES, self.county_count)
        self.prefectures = self._units(
            [
                unit(self.province, f"{place()}市", OrgUnitKind.PREFECTURE, f"48{p:02d}00", p)
                for p in range(1, n_prefectures + 1)
            ]
        )
        # Counties in contiguous runs per prefecture, as even as can be: the first of each run a district (区),
        # the last of a run of three or more a county-level city (市), the others counties (县).
        rows = []
        base, extra = divmod(self.county_count, n_prefectures)
        for p, prefecture in enumerate(self.prefectures):
            size = base + (1 if p < extra else 0)
            for j in range(size):
                if j == 0:
                    suffix, code = "区", "02"
                elif j == size - 1 and size >= 3:
                    suffix, code = "市", "81"
                else:
                    suffix, code = "县", f"{20 + j:02d}"
                code = prefecture.division_code[:4] + code
                rows.append(unit(prefecture, f"{place()}{suffix}", OrgUnitKind.COUNTY, code, j + 1))
        self.counties = self._units(rows)
        rows = []
        for county in self.counties:
            word, code = county.name[-1], county.division_code  # 区, 县 or 市: what its bodies are called
            # Six townships first (the persona's township is the county's first area), three streets, one zone.
            for t in range(1, 7):
                name = place()
                kind_name = "乡" if t % 3 == 2 else "镇"
                rows.append(unit(county, name + kind_name, OrgUnitKind.TOWNSHIP, f"{code}{100 + t}", t, name))
            for s in range(1, 4):
                name = place()
                rows.append(unit(county, f"{name}街道", OrgUnitKind.STREET, f"{code}{s:03d}", 6 + s, name))
            zone_short = f"{county.name[:-1]}经开区"
            rows.append(
                unit(county, f"{county.name}经济开发区", OrgUnitKind.ZONE, f"{code}400", 10, zone_short)
            )
            for order, (full, short, _categories) in enumerate(DEPARTMENTS, 100):
                rows.append(unit(county, county.name + full, OrgUnitKind.DEPARTMENT, "", order, word + short))
        units = self._units(rows)
        per = TOWNSHIPS_PER_COUNTY + DEPARTMENTS_PER_COUNTY
        self.areas: dict[int, list[OrgUnit]] = {}
        self.departments: dict[int, list[OrgUnit]] = {}
        for i, county in enumerate(self.counties):
            block = units[i * per : (i + 1) * per]
            self.areas[county.pk] = block[:TOWNSHIPS_PER_COUNTY]
            self.departments[county.pk] = block[TOWNSHIPS_PER_COUNTY:]

    def _leaders(self) -> None:
        leaders = []
        for county in self.counties:
            word = county.name[-1]
            for order, (post, principal) in enumerate(LEADER_POSTS, 1):
                leaders.append(
                    Leader(
                        name=self.names.person(),
                        post=post.replace("县", word),
                        org_unit=county,
                        is_principal=principal,
                        sort_order=order,
                    )
                )
        Leader.objects.bulk_create(leaders, batch_size=BATCH)
        n = len(LEADER_POSTS)
        self.leaders = {c.pk: leaders[i * n : (i + 1) * n] for i, c in enumerate(self.counties)}
        self.counts["leaders"] = len(leaders)

    # -- users

    def _users(self) -> None:
        """Persona users, and the people behind the data: a reviewer per county, a reporter per township and
        department. One password for all, hashed once."""
        password = make_password(SYNTH_PASSWORD)
        now = timezone.now()
        county = self.counties[0]
        persona_leader = self.projects[0].responsible_leader  # the county's first project is theirs
        users: list[User] = []

        def user(username: str, unit: OrgUnit, role: str, **fields) -> User:
            users.append(
                User(
                    username=username,
                    password=password,
                    org_unit=unit,
                    role=role,
                    date_joined=now,
                    password_changed_at=now,
                    first_name=fields.pop("first_name", None) or self.names.person(),
                    **fields,
                )
            )
            return users[-1]

        user(PROVINCE_REVIEWER, self.province, Role.REVIEWER)
        user(PREFECTURE_REVIEWER, self.prefectures[0], Role.REVIEWER)
        user(
            COUNTY_LEADER,
            county,
            Role.LEADER,
            leader=persona_leader,
            first_name=persona_leader.name,
        )
        self.reviewer_of: dict[int, User] = {}
        self.reporter_of: dict[int, User] = {}
        for c in self.counties:
            name = COUNTY_REVIEWER if c is county else f"synth_{c.division_code}_review"
            self.reviewer_of[c.pk] = user(name, c, Role.REVIEWER)
            for i, area in enumerate(self.areas[c.pk]):
                name = TOWNSHIP_REPORTER if (c is county and i == 0) else f"synth_{area.division_code}"
                self.reporter_of[area.pk] = user(name, area, Role.REPORTER)
            for i, department in enumerate(self.departments[c.pk], 1):
                self.reporter_of[department.pk] = user(
                    f"synth_{c.division_code}_d{i:02d}", department, Role.REPORTER
                )
        User.objects.bulk_create(users, batch_size=1000)
        self.counts["users"] = len(users)

    # -- projects, plans, tags, support units

    def _tags(self) -> None:
        existing = {tag.code: tag for tag in LevelTag.objects.filter(code__in=[t[0] for t in TAGS])}
        missing = [
            LevelTag(code=code, name=name, bulletin_label=label, sort_order=order, in_bulletin=in_bulletin)
            for code, name, label, order, in_bulletin in TAGS
            if code not in existing
        ]
        for tag in LevelTag.objects.bulk_create(missing):
            existing[tag.code] = tag
        self.tags = existing

    def _projects(self) -> None:
        rng = self.rng
        categories = [c for c, _code, _w in CATEGORIES]
        industry_code = {c: code for c, code, _w in CATEGORIES}
        weights = [w for _c, _code, w in CATEGORIES]
        first, last = self.first_year, self.end[0]
        projects: list[Project] = []
        self.plans_of: list[
            list[tuple[int, int, list[int] | None]]
        ] = []  # per project: (year, cents, phased)
        support_of: list[list[OrgUnit]] = []
        tags_of: list[list[LevelTag]] = []
        serial = 0
        for county in self.counties:
            areas, departments = self.areas[county.pk], self.departments[county.pk]
            leads = {
                c: [d for d, (_f, _s, cats) in zip(departments, DEPARTMENTS, strict=True) if c in cats]
                for c in categories
            }
            responsible = [self.leaders[county.pk][i] for i in RESPONSIBLE_POSTS]
            for i in range(self.per_county):
                serial += 1
                town = areas[i % len(areas)]
                other = areas[(i + 1 + rng.randrange(len(areas) - 1)) % len(areas)]
                category = rng.choices(categories, weights)[0]
                lead = town if rng.random() < 0.2 else rng.choice(leads[category])
                start = first - rng.choice([0, 0, 1, 1, 2, 3])
                end = last + rng.choice([0, 0, 1, 2, 3])
                if rng.random() < 0.02:
                    stage = Stage.CANCELLED
                elif start == last:
                    stage = Stage.NEW
                elif end == last and rng.random() < 0.3:
                    stage = Stage.COMPLETED
                else:
                    stage = Stage.CONTINUING
                # A project's yearly size in cents of 万元, from 300 万元 to 3亿元, most of them small.
                scale = int(300_00 * 100 ** (rng.random() ** 2))
                plans = []
                for year in self.years:
                    cents = max(100_00, scale * rng.randint(60, 130) // 10000 * 100)  # whole 万元
                    phased = _phase(rng, cents) if rng.random() < 0.1 else None
                    plans.append((year, cents, phased))
                before = sum(scale * rng.randint(50, 100) // 100 for _ in range(first - start))
                after = sum(scale * rng.randint(40, 110) // 100 for _ in range(end - last))
                total = before + sum(cents for _y, cents, _p in plans) + after
                other_departments = [d for d in departments if d is not lead]
                support = rng.sample(other_departments, rng.choice([1, 1, 2]))
                tags = [self.tags["county"]]
                if rng.random() < 0.1:
                    tags.append(self.tags["prefecture"])
                    if rng.random() < 0.2:
                        tags.append(self.tags["province"])
                if total >= MAJOR_THRESHOLD and len(tags) < 3:
                    tags.append(self.tags["major"])
                projects.append(
                    Project(
                        code=f"{start}-{county.division_code}-{industry_code[category]}-"
                        f"{rng.choice(['01', '02', '03'])}-{serial:06d}",
                        name=_project_name(rng, category, county.name, town.name, other.name),
                        stage=stage,
                        stage_before_cancel=Stage.CONTINUING if stage == Stage.CANCELLED else "",
                        tier=Tier.IMPLEMENTATION,
                        category=category,
                        location_unit=town,
                        lead_unit=lead,
                        owner=self._owner(rng, category, county, town, lead),
                        start_year=start,
                        end_year=end,
                        total_investment=_money(total),
                        prior_completed=_money(before),
                        responsible_leader=rng.choice(responsible),
                        contact_name=self.names.person(),
                        contact_phone=f"1{rng.choice('3589')}{rng.randrange(10**9):09d}",
                        created_at=self.now,
                        updated_at=self.now,
                    )
                )
                self.plans_of.append(plans)
                support_of.append(support)
                tags_of.append(tags)
        Project.objects.bulk_create(projects, batch_size=BATCH)
        self.projects = projects

        Through = Project.tags.through
        Through.objects.bulk_create(
            [
                Through(project_id=p.pk, leveltag_id=tag.pk)
                for p, tags in zip(projects, tags_of, strict=True)
                for tag in tags
            ],
            batch_size=BATCH,
        )
        ProjectSupportUnit.objects.bulk_create(
            [
                ProjectSupportUnit(project_id=p.pk, unit=unit, position=n)
                for p, units in zip(projects, support_of, strict=True)
                for n, unit in enumerate(units, 1)
            ],
            batch_size=BATCH,
        )
        plans = [
            (project.pk, year, _money(cents))
            for project, rows in zip(projects, self.plans_of, strict=True)
            for year, cents, _phased in rows
        ]
        _Inserter(AnnualPlan, ["project_id", "year", "amount"])(plans)
        ours = AnnualPlan.objects.filter(project_id__gte=projects[0].pk)  # keys grow: these projects' plans
        plan_ids = {
            (project_id, year): pk for project_id, year, pk in ours.values_list("project_id", "year", "pk")
        }
        months = [
            (plan_ids[project.pk, year], month, _money(c))
            for project, rows in zip(projects, self.plans_of, strict=True)
            for year, _cents, phased in rows
            if phased
            for month, c in enumerate(phased, 1)
        ]
        _Inserter(PlanMonth, ["plan_id", "month", "amount"])(months)
        refresh_phasing(ours)  # their phased columns, from the months just written
        self.counts.update(projects=len(projects), plans=len(plans), months=len(months))

    def _owner(self, rng, category, county: OrgUnit, town: OrgUnit, lead: OrgUnit) -> str:
        if category == Category.INDUSTRY:
            return f"{county.name[:-1]}{rng.choice(COMPANY_WORDS)}{rng.choice(COMPANY_KINDS)}有限公司"
        if lead.kind == OrgUnitKind.DEPARTMENT:
            return lead.name
        if town.kind == OrgUnitKind.TOWNSHIP:
            return f"{county.name}{town.name}人民政府"
        return f"{county.name[:-1]}城市建设投资开发有限公司"

    # -- monthly reports

    def _reports(self) -> None:
        """A report for every project and month of the range: approved up to the last two months, which are a
        mix of submitted, returned and draft. Written county by county with `_Inserter`: bulk_create prepares
        each of the twenty fields of each row in Python, and took seven times as long (measured)."""
        rng = self.rng
        insert = _Inserter(
            MonthlyReport,
            ["project_id", "year", "month", "amount", "physical_progress", "status", "return_reason", "version",
             "filled_by_id", "submitted_at", "reviewed_by_id", "reviewed_at", "updated_at"],
        )  # fmt: skip
        db_time = insert.field("submitted_at")
        stamps = {period: tuple(db_time(at) for at in self._stamps(period)) for period in self.periods}
        mixed = set(self.periods[-2:])
        approved = ReportStatus.APPROVED
        draft, returned = ReportStatus.DRAFT, ReportStatus.RETURNED
        statuses = [ReportStatus.SUBMITTED] * 5 + [draft] * 3 + [returned] * 2
        progress = [PROGRESS[month % len(PROGRESS)] for month in range(13)]
        total, per_county = 0, self.per_county
        every = max(1, len(self.counties) // 10)
        started = time.perf_counter()
        for c, county in enumerate(self.counties):
            reviewer_id = self.reviewer_of[county.pk].pk
            rows = []
            for index in range(c * per_county, (c + 1) * per_county):
                project = self.projects[index]
                project_id = project.pk
                filler_id = self.reporter_of[project.lead_unit_id].pk
                for year, cents, phased in self.plans_of[index]:
                    for month in range(1, 13):
                        period = (year, month)
                        if period > self.end:
                            break
                        planned = phased[month - 1] if phased else cents // 12
                        amount = Decimal(planned * rng.randint(40, 130) // 100).scaleb(-2)
                        submitted_at, reviewed_at, drafted_at = stamps[period]
                        if period not in mixed:
                            rows.append(
                                (project_id, year, month, amount, progress[month], approved, "", 3, filler_id,
                                 submitted_at, reviewer_id, reviewed_at, reviewed_at)
                            )  # fmt: skip
                            continue
                        status = rng.choice(statuses)
                        if status == draft:
                            row = ("", None, None, None, drafted_at)
                        elif status == returned:
                            row = (
                                rng.choice(RETURN_REASONS),
                                submitted_at,
                                reviewer_id,
                                reviewed_at,
                                reviewed_at,
                            )
                        else:
                            row = ("", submitted_at, None, None, submitted_at)
                        reason, submitted, reviewed_id, reviewed, updated = row
                        rows.append(
                            (project_id, year, month, amount, progress[month], status, reason,
                             VERSION_BY_STATUS[status], filler_id, submitted, reviewed_id, reviewed, updated)
                        )  # fmt: skip
            insert(rows)
            total += len(rows)
            if (c + 1) % every == 0 or c + 1 == len(self.counties):
                seconds = time.perf_counter() - started
                self.say(
                    _("  … %(counties)d of %(of)d counties, %(reports)d reports (%(rate).0f a second)")
                    % {
                        "counties": c + 1,
                        "of": len(self.counties),
                        "reports": total,
                        "rate": total / seconds if seconds else 0,
                    }
                )
        self.counts["reports"] = total

    def _stamps(self, period: tuple[int, int]) -> tuple[datetime, datetime, datetime]:
        """When a month's report was submitted, reviewed and (a draft) last saved: early the next month, never
        after now."""
        year, month = period
        following = date(year + month // 12, month % 12 + 1, 1)
        at = datetime(following.year, following.month, following.day, 10, 0, tzinfo=self.zone)

        def capped(moment: datetime) -> datetime:
            return min(moment, self.now)

        return capped(at + timedelta(days=2)), capped(at + timedelta(days=5)), capped(at)

    # -- problems

    def _problems(self) -> None:
        """About one project in twelve has a problem on it (a county's first project always), at the tier and in
        the state such problems are."""
        rng = self.rng
        until = self._stamps(self.end)[2]  # raised in the 300 days before the last month's reports
        problems = []
        statuses = [
            ProblemStatus.RAISED,
            ProblemStatus.ASSIGNED,
            ProblemStatus.IN_HAND,
            ProblemStatus.IN_HAND,
            ProblemStatus.VERIFIED,
            ProblemStatus.CLOSED,
            ProblemStatus.CLOSED,
            ProblemStatus.CLOSED,
        ]
        for index, project in enumerate(self.projects):
            if rng.random() >= 1 / 12 and index % self.per_county:
                continue
            county = self.counties[index // self.per_county]
            category, description = rng.choice(PROBLEMS)
            raised = until - timedelta(days=rng.randint(5, 300))
            status = rng.choice(statuses)
            problems.append(
                Problem(
                    project=project,
                    description=f"{project.name}：{description}",
                    category=ProblemCategory(category),
                    tier=rng.choices([1, 2, 3], [70, 22, 8])[0],
                    status=status,
                    assigned_unit_id=None if status == ProblemStatus.RAISED else project.lead_unit_id,
                    deadline=raised.date() + timedelta(days=rng.choice([15, 30, 45, 60])),
                    required_outcome="按期解决并反馈办理结果",
                    raised_by=self.reviewer_of[county.pk],
                    raised_at=raised,
                    closed_at=min(raised + timedelta(days=rng.randint(3, 40)), until)
                    if status == ProblemStatus.CLOSED
                    else None,
                )
            )
        Problem.objects.bulk_create(problems, batch_size=BATCH)
        self.counts["problems"] = len(problems)

    # -- assessment

    def _assessment(self) -> None:
        """Per county: the indicator library (led by its departments), a scheme over its thirty units checked as
        the scheme service checks it, and the approved values that scoring the scheme reads."""
        rng = self.rng
        year, month = assessment_period(self.end)
        updated = self.now
        approved = ValueStatus.APPROVED
        at = IndicatorValue._meta.get_field("updated_at").get_db_prep_save(updated, connection)
        indicators, schemes, values = [], [], []
        for county in self.counties:
            departments = self.departments[county.pk]
            library = [
                Indicator(
                    code=_indicator_code(county.division_code, t.key),
                    name=t.name,
                    category=t.category,
                    measure=t.measure,
                    direction=t.direction,
                    frequency="quarterly" if t.process else "monthly",
                    data_source="合成数据",
                    lead_unit=departments[t.department],
                    source=Source.COMPUTED if t.computed_key else Source.ENTERED,
                    computed_key=t.computed_key,
                )
                for t in INDICATORS
            ]
            indicators += library
        Indicator.objects.bulk_create(indicators, batch_size=BATCH)
        n = len(INDICATORS)
        for c, county in enumerate(self.counties):
            areas, departments = self.areas[county.pk], self.departments[county.pk]
            definition = _scheme_definition(county, year, areas, departments)
            _spec, canonical = scheme_check(definition, county)
            schemes.append(
                Scheme(
                    code=canonical["code"],
                    name=canonical["name"],
                    year=year,
                    kind=SchemeKind.TOWNSHIP,
                    jurisdiction=county,
                    definition=canonical,
                    updated_at=updated,
                )
            )
            reviewer = self.reviewer_of[county.pk].pk
            for t, indicator in zip(INDICATORS, indicators[c * n : (c + 1) * n], strict=True):
                if t.computed_key:
                    continue
                units = (areas if t.scope != SCOPE_DEPARTMENTS else []) + (
                    departments if t.scope != SCOPE_AREAS else []
                )
                months = [m for m in QUARTERS if m <= month] if t.process else [month]
                entered_by = self.reporter_of[indicator.lead_unit_id].pk
                for unit in units:
                    for m in months:
                        value = Decimal(str(round(rng.uniform(t.low, t.high), t.places)))
                        values.append(
                            (unit.pk, indicator.pk, year, m, value, approved, 3, entered_by, reviewer, at, at)
                        )
        Scheme.objects.bulk_create(schemes, batch_size=500)
        _Inserter(
            IndicatorValue,
            ["unit_id", "indicator_id", "year", "month", "value", "status", "version", "entered_by_id",
             "reviewed_by_id", "reviewed_at", "updated_at"],
        )(values)  # fmt: skip
        self.counts.update(indicators=len(indicators), schemes=len(schemes), values=len(values))


class _Inserter:
    """INSERTs of one model's rows as plain tuples, BATCH rows an executemany, for the tables large enough for
    bulk_create's per-field work to matter (reports, plans, values). A row holds the `given` fields (attnames)
    in that order, each value as the database driver takes it (`field()` adapts one as the model field would);
    every other column gets its field's default. Like bulk_create: no signals, no save(); the database checks
    the constraints."""

    def __init__(self, model, given: list[str]):
        fields = {f.attname: f for f in model._meta.concrete_fields if not f.primary_key}
        self.fields = fields
        rest = [f for name, f in fields.items() if name not in given]
        self.defaults = tuple(f.get_db_prep_save(f.get_default(), connection) for f in rest)
        columns = [fields[name].column for name in given] + [f.column for f in rest]
        quote = connection.ops.quote_name
        table, names = quote(model._meta.db_table), ", ".join(quote(c) for c in columns)
        marks = ", ".join(["%s"] * len(columns))
        self.sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # nosec B608: names from the model, values as parameters

    def field(self, name: str) -> Callable:
        field = self.fields[name]
        return lambda value: field.get_db_prep_save(value, connection)

    def __call__(self, rows: list[tuple]) -> None:
        defaults = self.defaults
        with connection.cursor() as cursor:
            for start in range(0, len(rows), BATCH):
                cursor.executemany(self.sql, [row + defaults for row in rows[start : start + BATCH]])


def _phase(rng: random.Random, cents: int) -> list[int]:
    """A plan phased over the months the way county plans usually are, in whole cents adding up to the plan."""
    weights = [w * rng.uniform(0.8, 1.2) for w in MONTH_CURVE]
    return [int(share / CENT) for share in split_exact(_money(cents), weights)]


def _money(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2)


def _period(period: tuple[int, int]) -> str:
    return f"{period[0]:04d}-{period[1]:02d}"
