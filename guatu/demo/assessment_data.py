"""The demo's performance assessment as plain data: the indicator library, the responsibility checklist,
peer values for benchmarking, the ten headline indicators, and the first-quarter values of both schemes.

The schemes themselves are the YAML files next to this module (township-scheme-2022.yaml,
department-scheme-2022.yaml), in the documented format. Figures are fictional but of a realistic size for a
county of 330,000 people; values are drawn from a seeded generator, so the demo is the same every time.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from guatu.demo import data

HERE = Path(__file__).resolve().parent
SCHEME_FILES = {
    "township": HERE / "township-scheme-2022.yaml",
    "department": HERE / "department-scheme-2022.yaml",
}
PERIOD = (data.YEAR, 3)  # 1-3月
SEED = data.SEED + 4  # the assessment's own random stream: changing it never moves the project figures


@dataclass(frozen=True)
class IndicatorData:
    code: str
    name: str
    category: str
    measure: str
    lead: str  # lead unit short name: its reporters enter the values
    data_source: str
    direction: str
    frequency: str
    computed_key: str  # set: Guatu computes it (guatu.assessment.computed.COMPUTED)


# The library (指标库): the township scheme's indicators, the department scheme's, and the prefecture's
# indicators for the county that the responsibility checklist maps to county lead units. A few are in no
# scheme this year. One a line: code | name | category | unit of measure | lead unit (its reporters enter
# the values) | data source | direction | frequency | computed from (empty: entered).
LIBRARY_TABLE = """
project_investment|重点项目投资完成率|economy|%|市发改局|冷水江市重点项目月报（已审核）|higher|monthly|project_investment_rate
tax_revenue|税收收入|economy|万元|市财政局|税务部门征管系统|higher|quarterly|
fixed_asset_growth|固定资产投资增速|economy|%|市统计局|统计联网直报平台|higher|quarterly|
new_above_scale|新增规模以上工业企业|economy|户|市统计局|统计联网直报平台|higher|quarterly|
reports_on_time|重点项目月报按时报送率|economy|%|市发改局|冷水江市重点项目月报|higher|monthly|reports_on_time
tax_per_mu|亩均税收|economy|万元/亩|市财政局|园区亩均效益评价|higher|quarterly|
attracted_funds|招商引资实际到位资金|business|亿元|市招商中心|湖南省招商引资管理系统|higher|quarterly|
new_entities|新增市场主体|business|户|市市场监管局|市场主体登记注册系统|higher|quarterly|
rural_income_growth|农村居民人均可支配收入增速|per_capita|%|市统计局|城乡住户调查|higher|quarterly|
urban_income_growth|城镇居民人均可支配收入增速|per_capita|%|市统计局|城乡住户调查|higher|quarterly|
garbage_treatment|城乡生活垃圾无害化处理率|urban|%|市城管局|城乡环卫监管平台|higher|quarterly|
city_management|城市管理考评得分|urban|分|市城管局|城市管理月度考评|higher|quarterly|
pm25|PM2.5平均浓度|environment|微克/立方米|生态环境分局|空气质量自动监测站|lower|monthly|
air_quality_days|空气质量优良天数比例|environment|%|生态环境分局|空气质量自动监测站|higher|monthly|
park_output|园区规模工业增加值增速|innovation|%|市科工信局|统计联网直报平台|higher|quarterly|
high_tech_firms|高新技术企业净增数|innovation|家|市科工信局|高新技术企业认定管理系统|higher|quarterly|
safety_accidents|生产安全事故起数|livelihood|起|市应急局|生产安全事故统计直报系统|lower|monthly|
livelihood_projects|重点民生实事推进率|livelihood|%|市政府办|重点民生实事项目调度|higher|quarterly|
party_building|基层党建工作考评|party|分|市委组织部|基层党建工作季度考评|higher|quarterly|
safe_city|平安建设考评|safety|分|市委政法委|平安建设季度考评|higher|quarterly|
dept_project_investment|牵头重点项目投资完成率|economy|%|市发改局|冷水江市重点项目月报（已审核）|higher|monthly|project_investment_rate
dept_reports_on_time|牵头项目月报按时报送率|economy|%|市发改局|冷水江市重点项目月报|higher|monthly|reports_on_time
dept_checklist_points|责任清单指标预计得分率|economy|%|市发改局|落实娄底考核指标责任清单|higher|quarterly|checklist_points
dept_problems_on_time|交办问题按期办结率|economy|%|市发改局|三级调度问题台账|higher|monthly|problems_closed_on_time
dept_key_tasks|重点工作任务推进率|economy|%|市政府办|市政府督查室重点工作调度|higher|quarterly|
dept_upper_funds|人均争取上级资金|per_capita|万元/人|市财政局|财政部门资金到位台账|higher|quarterly|
dept_attracted_funds|招商引资到位资金|business|亿元|市招商中心|湖南省招商引资管理系统|higher|quarterly|
dept_business_env|营商环境评价得分|business|分|市发改局|营商环境评价（市营商办）|higher|quarterly|
dept_online_service|政务服务“好差评”好评率|business|%|市政务中心|湖南省政务服务好差评系统|higher|quarterly|
dept_civilized_city|文明城市创建包保测评|urban|分|市城管局|文明城市创建季度测评|higher|quarterly|
dept_energy|公共机构人均综合能耗|environment|千克标准煤/人|市发改局|公共机构能耗统计|lower|quarterly|
dept_env_rectification|生态环境问题整改销号率|environment|%|生态环境分局|环保督察问题整改台账|higher|quarterly|
dept_reform|改革创新成果|innovation|项|市政府办|改革创新成果被上级推介文件|higher|quarterly|
dept_hotline|12345热线工单办结满意率|livelihood|%|市政务中心|12345政务服务便民热线系统|higher|quarterly|
dept_party_building|机关党建考评|party|分|市委组织部|机关党建工作季度考评|higher|quarterly|
dept_safe_city|平安建设（综治）考评|safety|分|市委政法委|平安建设季度考评|higher|quarterly|
dept_petitions|信访事项按期办结率|safety|%|市委政法委|湖南省信访信息系统|higher|quarterly|
ld_income_growth|全体居民人均可支配收入增速|per_capita|%|市人社局|国家统计局娄底调查队|higher|quarterly|
ld_gdp_per_capita_growth|人均地区生产总值增速|per_capita|%|市发改局|娄底市统计局|higher|quarterly|
ld_urbanisation|常住人口城镇化率|urban|%|市住建局|娄底市统计局|higher|yearly|
ld_sewage_collection|城市生活污水集中收集率|urban|%|市住建局|湖南省城镇污水处理信息系统|higher|quarterly|
ld_market_entities|市场主体净增长率|business|%|市市场监管局|市场主体登记注册系统|higher|quarterly|
ld_domestic_investment|实际到位内资增速|business|%|市招商中心|湖南省招商引资管理系统|higher|quarterly|
ld_pm25|PM2.5平均浓度|environment|微克/立方米|生态环境分局|国控空气质量监测站|lower|monthly|
ld_good_air_days|空气质量优良天数比例|environment|%|生态环境分局|国控空气质量监测站|higher|monthly|
ld_rd_intensity|全社会研发经费投入强度|innovation|%|市科工信局|娄底市统计局|higher|yearly|
ld_high_tech_value_added|高新技术产业增加值增速|innovation|%|市科工信局|娄底市统计局|higher|quarterly|
ld_livelihood_spending|民生支出占一般公共预算支出比重|livelihood|%|市财政局|财政预算执行报表|higher|quarterly|
ld_unemployment|城镇调查失业率|livelihood|%|市人社局|国家统计局娄底调查队|lower|quarterly|
ld_safety_deaths|亿元地区生产总值生产安全事故死亡率|livelihood|人/亿元|市应急局|生产安全事故统计直报系统|lower|quarterly|
"""
LIBRARY = [IndicatorData(*line.split("|")) for line in LIBRARY_TABLE.strip().splitlines()]

# ---- the responsibility checklist (落实娄底对县市区绩效考核评价指标责任清单) and benchmarking (对标对表)

PEERS = ["冷水江市", "娄星区", "涟源市", "双峰县", "新化县"]  # the first is the county itself


@dataclass(frozen=True)
class ChecklistData:
    indicator: str
    weight: Decimal  # the indicator's points in Loudi's assessment of the county
    target: Decimal
    leader: str  # leader key
    support: list[str]
    peers: list[Decimal]  # 1-3月 values in PEERS order
    gap: str
    measures: str


# Loudi scores most of these by rank among its five counties; so the expected points follow from the rank.
RANK_RULE = "在娄底市5个县市区中按排位计分：第1名得满分，每后退一位扣该项分值的10%。"
RANK_STEP = Decimal("0.1")


def _c(row: str, peers: str, gap: str, measures: str) -> ChecklistData:
    """row: indicator | Loudi weight | target | leader key | support units (comma-separated)."""
    indicator, weight, target, leader, support = row.split("|")
    return ChecklistData(
        indicator,
        Decimal(weight),
        Decimal(target),
        leader,
        support.split(","),
        [Decimal(v) for v in peers.split()],
        gap,
        measures,
    )


CHECKLIST = [
    _c(
        "ld_income_growth|3|8.5|social|市农业农村局,市乡村振兴局,市统计局",
        "8.2 7.6 8.4 8.0 8.7",
        "一季度增速8.2%，低于目标0.3个百分点，居全市第3；工资性收入受部分工业企业限产影响增长放缓。",
        "落实稳岗返还和以工代赈，推动农村劳动力转移就业；加快特色种养业和农产品加工增收项目建设。",
    ),
    _c(
        "ld_gdp_per_capita_growth|3|7.5|executive|市统计局,市科工信局",
        "7.9 6.8 7.2 7.5 7.1",
        "增速居全市第1，但主要依靠钢铁、锑品价格上涨，新增产能支撑不足。",
        "紧盯新建工业项目投产达效，推动规模以上工业增加值保持两位数增长。",
    ),
    _c(
        "ld_urbanisation|2|80.2|urban|市自然资源局,市人社局",
        "79.4 83.1 52.6 46.3 41.8",
        "城镇化率居全市第2，与娄星区相差3.7个百分点，新型城镇化项目推进偏慢。",
        "加快棚户区改造和老旧小区改造，推进县城城镇化补短板强弱项项目。",
    ),
    _c(
        "ld_sewage_collection|1.5|70|urban|市水利局,生态环境分局",
        "63.5 71.2 58.9 60.4 55.7",
        "收集率63.5%，距目标差6.5个百分点，老城区雨污合流管网占比高。",
        "实施城区污水处理厂提标扩容及配套管网工程，年内完成雨污分流改造12公里。",
    ),
    _c(
        "ld_market_entities|2|12|social|市政务中心,市商务局",
        "11.3 14.6 9.8 12.1 10.4",
        "净增长率居全市第3，个体工商户注销较多。",
        "推行“一件事一次办”和企业开办全程网办，落实小微企业和个体工商户纾困政策。",
    ),
    _c(
        "ld_domestic_investment|3|20|executive|市商务局,冷水江经济开发区",
        "26.8 21.5 24.2 19.7 22.9",
        "增速居全市第1，签约项目资金到位较快，但500强企业项目仍为空白。",
        "围绕锑、钢铁新材料、新能源产业链开展精准招商，力争引进1个500强企业项目。",
    ),
    _c(
        "ld_pm25|3|38|resources|市住建局,市交通局,市科工信局",
        "43.6 41.2 39.8 37.5 35.1",
        "PM2.5浓度43.6微克/立方米，居全市末位，冬春季工业排放和扬尘叠加影响明显。",
        "推进钢铁超低排放改造和锑冶炼烟气治理，强化建筑工地扬尘和渣土运输管控。",
    ),
    _c(
        "ld_good_air_days|2|90|resources|市住建局,市城管局",
        "84.4 86.7 88.9 90.0 92.2",
        "优良天数比例居全市末位，一季度出现5天轻度污染。",
        "建立重污染天气应急减排清单，实行重点企业错峰生产。",
    ),
    _c(
        "ld_rd_intensity|2.5|2.1|executive|市财政局,冷水江经济开发区",
        "1.62 2.05 1.38 1.21 0.97",
        "研发投入强度居全市第2，规模以上工业企业研发活动覆盖面不足四成。",
        "落实研发费用加计扣除和研发奖补，推动规模以上工业企业研发机构全覆盖。",
    ),
    _c(
        "ld_high_tech_value_added|2|12|executive|市统计局,冷水江经济开发区",
        "9.8 15.6 12.3 13.1 11.4",
        "增速9.8%，居全市末位，高新技术企业数量少、规模小。",
        "实施高新技术企业倍增计划，全年新认定高新技术企业15家以上。",
    ),
    _c(
        "ld_livelihood_spending|2|75|executive|市教育局,市卫健局,市人社局",
        "74.1 76.8 78.2 77.5 79.6",
        "民生支出占比74.1%，居全市末位，一季度债务还本付息支出占比偏高。",
        "优化支出结构，压减一般性支出，确保教育、卫生健康、社会保障支出只增不减。",
    ),
    _c(
        "ld_unemployment|2|5.5|social|市财政局,市乡村振兴局",
        "5.3 5.1 5.6 5.4 5.8",
        "失业率5.3%，控制在目标以内，居全市第2。",
        "开展“春风行动”等招聘活动，落实高校毕业生和困难群体就业帮扶。",
    ),
    _c(
        "ld_safety_deaths|2|0.02|executive|市住建局,市交通局,市市场监管局",
        "0.021 0.012 0.018 0.015 0.024",
        "一季度发生较大生产安全事故1起，死亡率0.021，超过控制目标，居全市第4。",
        "开展安全生产专项整治三年行动巩固提升，重点整治矿山、冶金、建筑施工领域。",
    ),
]


def peer_rank(values: list[Decimal], higher_is_better: bool) -> int:
    """The county's place among PEERS (1, 2, 2, 4 on ties), the county's value first in `values`."""
    mine = values[0]
    better = sum(1 for v in values if (v > mine if higher_is_better else v < mine))
    return better + 1


def expected_points(row: ChecklistData, higher_is_better: bool) -> Decimal:
    """RANK_RULE: full points for first place, 10% of the weight less for each place below."""
    place = peer_rank(row.peers, higher_is_better)
    return (row.weight * (1 - RANK_STEP * (place - 1))).quantize(Decimal("0.01"), ROUND_HALF_UP)


# ---- the ten headline economic indicators (10项主要经济指标) for 2022, and where 1-3月 stands


@dataclass(frozen=True)
class HeadlineData:
    name: str
    measure: str
    target: Decimal  # for the year
    actual: Decimal  # 1-3月
    growth: Decimal | None  # year on year, %, for the amounts
    prefecture_average: Decimal
    peer_rank: int
    quarter_target: Decimal | None = None  # the target to date, where it differs from the year's


def _h(name, measure, target, actual, growth, average, rank, quarter_target=None):
    d = Decimal
    return HeadlineData(
        name,
        measure,
        d(target),
        d(actual),
        None if growth is None else d(growth),
        d(average),
        rank,
        None if quarter_target is None else d(quarter_target),
    )


HEADLINES = [
    _h("地区生产总值增速", "%", "7.5", "7.9", None, "7.2", 1),
    _h("规模以上工业增加值增速", "%", "8.5", "9.2", None, "8.1", 2),
    _h("固定资产投资增速", "%", "10", "11.6", None, "10.3", 2),
    _h("社会消费品零售总额增速", "%", "7", "4.8", None, "5.6", 4),
    _h("地方一般公共预算收入", "亿元", "13.6", "3.92", "9.8", "3.41", 2, quarter_target="3.54"),
    _h("税收占地方一般公共预算收入比重", "%", "70", "72.6", None, "68.9", 2),
    _h("城镇居民人均可支配收入增速", "%", "7", "6.6", None, "6.8", 3),
    _h("农村居民人均可支配收入增速", "%", "8.5", "8.9", None, "8.6", 2),
    _h("进出口总额增速", "%", "15", "28.4", None, "19.2", 1),
    _h("实际到位内资", "亿元", "62", "17.2", "26.8", "14.9", 1, quarter_target="15.5"),
]

# ---- 1-3月 values of the two schemes


@dataclass(frozen=True)
class ValueData:
    unit: str  # short name or area name, as in the scheme files
    indicator: str
    value: Decimal
    target: Decimal | None = None  # the target to date, for amounts assessed against a quarterly task


# (low, high, decimal places) per indicator, by group where the groups differ.
TOWNSHIP_RANGES = {
    "tax_revenue": {"township": (800, 3500, 0), "street": (1500, 6000, 0), "zone": (9000, 14000, 0)},
    "new_above_scale": {"township": (0, 3, 0), "street": (0, 2, 0), "zone": (3, 6, 0)},
    "tax_per_mu": {"zone": (4.2, 5.6, 2)},
    "attracted_funds": {"township": (0.3, 1.6, 2), "street": (0.5, 1.8, 2), "zone": (6, 9, 2)},
    "new_entities": {"township": (60, 260, 0), "street": (180, 520, 0), "zone": (40, 120, 0)},
    "rural_income_growth": {"township": (6.5, 9.8, 1)},
    "urban_income_growth": {"street": (5.4, 8.2, 1)},
    "city_management": {"street": (78, 96, 1)},
    "pm25": {"township": (30, 42, 1), "street": (36, 48, 1), "zone": (40, 47, 1)},
    "air_quality_days": {"*": (78, 96, 1)},
    "park_output": {"township": (3, 16, 1), "zone": (9, 15, 1)},
    "party_building": {"*": (84, 98, 1)},
    "safe_city": {"*": (78, 99, 1)},
}
# Assessed against the quarter's task, entered with the value: the task is the value ÷ a share drawn here.
TOWNSHIP_TASKS = {"tax_revenue": (0.85, 1.2, 0), "attracted_funds": (0.7, 1.3, 2)}
# The story, fixed whatever the generator draws. 金竹山镇 had a serious accident: it scores above 90 but its veto
# keeps it from 优秀; 三尖镇 had one accident, which it appeals; 铎山镇 also passes 90 but the township group's
# quota (30% of 6 units: one) is taken by 渣渡镇, ranked first.
TOWNSHIP_FIXED = {
    ("金竹山镇", "safety_accidents"): Decimal(2),
    ("三尖镇", "safety_accidents"): Decimal(1),
    ("金竹山镇", "air_quality_days"): Decimal("95.2"),
    ("金竹山镇", "safe_city"): Decimal("97.4"),
    ("渣渡镇", "party_building"): Decimal("96.1"),
    ("铎山镇", "air_quality_days"): Decimal("95.0"),
    ("铎山镇", "safe_city"): Decimal("99.0"),
}

DEPARTMENT_RANGES = {
    "dept_key_tasks": {"*": (82, 100, 1)},
    "dept_business_env": {"*": (70, 94, 1)},
    "dept_energy": {"*": (96, 140, 1)},
    "dept_reform": {"*": (0, 3, 0)},
    "dept_party_building": {"*": (85, 98, 1)},
    "dept_safe_city": {"*": (80, 99, 1)},
    "dept_upper_funds": {"economic": (12, 85, 1)},
    "dept_attracted_funds": {"economic": (0.2, 1.4, 2)},
    "dept_hotline": {"social": (82, 98, 1)},
    "dept_civilized_city": {"social": (82, 98, 1)},
    "dept_online_service": {"regulatory": (97.5, 100, 2)},
    "dept_env_rectification": {"regulatory": (60, 100, 1)},
}
DEPARTMENT_TASKS = {"dept_attracted_funds": (0.6, 1.3, 2)}


def _draw(rng: random.Random, low: float, high: float, places: int) -> Decimal:
    if places == 0:
        return Decimal(rng.randint(int(low), int(high)))
    return Decimal(str(rng.uniform(low, high))).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)


def q1_values(
    groups: list[tuple[str, list[str]]], ranges: dict, tasks: dict, fixed: dict, seed: int
) -> list[ValueData]:
    """One value per unit and entered indicator, by group, in scheme order; the same every time."""
    rng = random.Random(seed)
    out = []
    for code, by_group in ranges.items():
        for group, units in groups:
            spread = by_group.get(group, by_group.get("*"))
            if spread is None:
                continue
            for unit in units:
                value = _draw(rng, *spread)  # drawn even when fixed, so fixing one value moves no other
                value = fixed.get((unit, code), value)
                target = None
                if code in tasks:
                    low, high, places = tasks[code]
                    share = Decimal(str(rng.uniform(low, high)))
                    target = max(
                        (value / share).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP),
                        Decimal(1).scaleb(-places),
                    )
                out.append(ValueData(unit, code, value, target))
    return out


def township_safety_accidents(units: list[str], seed: int) -> list[ValueData]:
    """Accidents are rare: most units have none; the story's two are fixed."""
    rng = random.Random(seed)
    out = []
    for unit in units:
        value = Decimal(rng.choices([0, 1], weights=[4, 1])[0])
        value = TOWNSHIP_FIXED.get((unit, "safety_accidents"), value)
        out.append(ValueData(unit, "safety_accidents", value))
    return out


# ---- bonus, penalty and veto items (加分、扣分、一票否决), the appeal, and a value sent back once


@dataclass(frozen=True)
class ItemData:
    unit: str
    kind: str  # bonus / penalty / veto
    points: Decimal
    reason: str


def _items(table: str) -> list[ItemData]:
    """unit | kind | points | reason, one a line."""
    rows = [line.split("|") for line in table.strip().splitlines()]
    return [ItemData(unit, kind, Decimal(points), reason) for unit, kind, points, reason in rows]


# The zone's two bonuses add up to 3.5, over the cap of 3; 市发改局's to 2.5, over the cap of 2.
TOWNSHIP_ITEMS = _items("""
冷水江经济开发区|bonus|2|获评湖南省先进制造业高质量发展园区，经验做法被省发展改革委推介。
冷水江经济开发区|bonus|1.5|引进“三类500强”企业投资项目1个。
锡矿山街道|bonus|1|锑产业链“链长制”工作经验在娄底市推介。
渣渡镇|penalty|1|重点项目督办事项逾期未办结，被市委督查室通报。
三尖镇|penalty|2|秸秆露天焚烧问题被娄底市通报批评。
金竹山镇|veto|1|3月辖区内发生较大生产安全事故1起（死亡3人），安全生产一票否决。
""")
DEPARTMENT_ITEMS = _items("""
市发改局|bonus|1.5|争取地方政府专项债券额度居娄底市第一，获省发展改革委通报表扬。
市发改局|bonus|1|重大项目前期工作经验被省发展改革委推介。
市城管局|penalty|1|市委督查室督办事项逾期未书面回复，被通报。
市住建局|penalty|0.5|重点项目问题交办逾期，升级至责任领导调度。
市市场监管局|veto|1|辖区发生较大食品安全事故1起，一票否决。
""")

APPEAL = {
    "unit": "三尖镇",
    "reporter": "demo_sanjian",
    "indicator": "safety_accidents",
    "reason": "我镇一季度计入的1起生产安全事故，系省属企业在辖区内外包工程发生的事故，按考核办法应由行业主管部门"
    "承担责任，不应计入我镇事故起数，申请复核。",
    "answer": "经市应急局核查，该事故发生在你镇行政区域内，属地管理责任不能免除；事故已按规定计入行业主管部门考核，"
    "对你镇维持原评分。",
}

RETURNED = {
    "unit": "禾青镇",
    "indicator": "tax_revenue",
    "overstated_by": Decimal(126),  # the first entry is this much too high
    "reason": "税收数据与税务部门征管系统导出数不一致（差额126万元），请核对后重新报送，并附税务部门盖章的数据表。",
}
