"""The demo county, Lengshuijiang (冷水江市), as plain data: units, leaders, lists, chains, projects, targets.

Place and unit names are real (DOMAIN §5); people and companies are fictional. The figures the bulletin must
reproduce for 1-3月 2022 (DOMAIN §1) are the TARGETS below; generate.py spreads them over the projects.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

YEAR = 2022
SEED = 20220424  # the date of the mobilisation meeting: the same demo every time
# The demo's "today": the day of the mobilisation meeting. Its story (the first quarter's reports approved,
# problems raised and handled, the first-quarter assessment published) all happens on or before this day, and
# the app reads it as on this day (`make run` sets GUATU_TODAY to it; guatu/demo/dates.py).
DEMO_DAY = date(2022, 4, 24)
# The day the year's key-project lists, plans, units and accounts were set up in Guatu, before the story.
SETUP_DAY = date(2022, 1, 10)

ROOT = {"name": "冷水江市", "short_name": "冷水江市", "aliases": ["冷水江"], "division_code": "431381"}
DIVISION_CODE = ROOT["division_code"]

# (name, kind, short name, aliases). Streets first, then townships, then the development zone.
AREAS = [
    ("冷水江街道", "street", "冷水江街道", ["冷水江街道办事处"]),
    ("锡矿山街道", "street", "锡矿山街道", ["锡矿山街道办事处", "锡矿山"]),
    ("沙塘湾街道", "street", "沙塘湾街道", ["沙塘湾街道办事处", "沙塘湾"]),
    ("布溪街道", "street", "布溪街道", ["布溪街道办事处", "布溪"]),
    ("禾青镇", "township", "禾青镇", ["禾青镇人民政府", "禾青"]),
    ("渣渡镇", "township", "渣渡镇", ["渣渡镇人民政府", "渣渡"]),
    ("铎山镇", "township", "铎山镇", ["铎山镇人民政府", "铎山"]),
    ("三尖镇", "township", "三尖镇", ["三尖镇人民政府", "三尖"]),
    ("金竹山镇", "township", "金竹山镇", ["金竹山镇人民政府", "金竹山"]),
    ("中连乡", "township", "中连乡", ["中连乡人民政府", "中连"]),
    ("冷水江经济开发区", "zone", "经开区", ["经开区管委会", "冷水江经开区", "冷水江经济开发区管理委员会"]),
]
TOWNSHIPS = ["禾青镇", "渣渡镇", "铎山镇", "三尖镇", "金竹山镇", "中连乡"]
STREETS = ["冷水江街道", "锡矿山街道", "沙塘湾街道", "布溪街道"]
ZONE = "冷水江经济开发区"

# City departments: (full name, short name, aliases). Spreadsheets use any of the three.
DEPARTMENTS = [
    ("冷水江市发展和改革局", "市发改局", ["发改局", "市重点办", "市营商办", "冷水江市发改局"]),
    ("冷水江市科学技术和工业信息化局", "市科工信局", ["科工信局", "市工信局", "市科技局"]),
    ("冷水江市财政局", "市财政局", ["财政局"]),
    ("冷水江市自然资源局", "市自然资源局", ["自然资源局", "市资规局"]),
    ("冷水江市住房和城乡建设局", "市住建局", ["住建局", "市住房城乡建设局"]),
    ("冷水江市交通运输局", "市交通局", ["交通运输局", "交通局", "市交通运输局"]),
    ("冷水江市水利局", "市水利局", ["水利局"]),
    ("冷水江市农业农村局", "市农业农村局", ["农业农村局", "市农业局"]),
    ("冷水江市商务局", "市商务局", ["商务局"]),
    ("冷水江市教育局", "市教育局", ["教育局"]),
    ("冷水江市卫生健康局", "市卫健局", ["卫健局", "市卫生健康局"]),
    ("冷水江市人力资源和社会保障局", "市人社局", ["人社局"]),
    ("冷水江市应急管理局", "市应急局", ["应急管理局", "应急局"]),
    ("冷水江市市场监督管理局", "市市场监管局", ["市场监管局"]),
    ("冷水江市统计局", "市统计局", ["统计局"]),
    ("娄底市生态环境局冷水江分局", "生态环境分局", ["市生态环境分局", "冷水江生态环境分局", "环保局"]),
    ("冷水江市政务服务中心", "市政务中心", ["政务服务中心", "市政务服务中心"]),
    ("冷水江市招商服务中心", "市招商中心", ["招商服务中心", "招商中心"]),
    ("冷水江市民政局", "市民政局", ["民政局"]),
    ("冷水江市文化旅游广电体育局", "市文旅广体局", ["文旅广体局", "市文旅局"]),
    ("冷水江市城市管理和综合执法局", "市城管局", ["城管局", "市城管执法局"]),
    ("冷水江市林业局", "市林业局", ["林业局"]),
    ("冷水江市医疗保障局", "市医保局", ["医保局"]),
    ("冷水江市乡村振兴局", "市乡村振兴局", ["乡村振兴局"]),
    # Party and government offices that lead assessment indicators (党建, 平安建设, 重点工作督查).
    ("冷水江市人民政府办公室", "市政府办", ["市政府办公室", "市政府督查室"]),
    ("中共冷水江市委组织部", "市委组织部", ["组织部", "市委组织部"]),
    ("中共冷水江市委政法委员会", "市委政法委", ["政法委", "市委政法委"]),
]


@dataclass(frozen=True)
class LeaderData:
    key: str
    name: str
    post: str
    is_principal: bool = False


# Fictional people. All hold posts at the city (冷水江市).
LEADERS = [
    LeaderData("secretary", "周正阳", "市委书记", True),
    LeaderData("mayor", "陈立新", "市委副书记、市长", True),
    LeaderData("deputy_secretary", "刘文斌", "市委副书记"),
    LeaderData("executive", "赵明华", "市委常委、常务副市长"),
    LeaderData("zone", "孙海涛", "市委常委、经开区党工委书记"),
    LeaderData("resources", "唐晓东", "市委常委、副市长"),
    LeaderData("urban", "黄志刚", "副市长"),
    LeaderData("social", "吴丽萍", "副市长"),
    LeaderData("rural", "郑国平", "副市长"),
]

# (code, name, bulletin label, sort order, in the bulletin sentence)
TAGS = [
    ("province", "省重点", "省重点项目", 1, True),
    ("prefecture", "娄底市重点", "娄底市重点项目", 2, True),
    ("county", "市本级重点", "市本级重点项目", 3, True),
    ("major", "重大项目", "重大项目", 4, False),
]


@dataclass(frozen=True)
class ChainData:
    key: str
    name: str
    chief: str  # leader key
    lead: str  # department short name or area name
    responsible: str  # leader key usually answering for the chain's projects
    industry_code: str  # 2-digit national industry code used in project codes


CHAINS = [
    ChainData(
        "antimony",
        "锑产业链",
        "secretary",
        "市科工信局",
        "executive",
        "32",
    ),
    ChainData(
        "steel",
        "钢铁新材料产业链",
        "mayor",
        "市科工信局",
        "executive",
        "31",
    ),
    ChainData(
        "fasteners",
        "紧固件产业链",
        "zone",
        "冷水江经济开发区",
        "zone",
        "33",
    ),
    ChainData(
        "refractories",
        "耐火材料产业链",
        "rural",
        "市科工信局",
        "rural",
        "30",
    ),
    ChainData(
        "new_energy",
        "新能源产业链",
        "urban",
        "市发改局",
        "urban",
        "44",
    ),
    ChainData(
        "opto",
        "光电信息产业链",
        "deputy_secretary",
        "冷水江经济开发区",
        "zone",
        "39",
    ),
    ChainData(
        "bio",
        "生物医药产业链",
        "social",
        "市科工信局",
        "social",
        "27",
    ),
]

# Which leader answers for a project without a chain, by its lead unit (DOMAIN §1 "five ones").
LEADER_BY_LEAD = {
    "市住建局": "urban",
    "市城管局": "urban",
    "市交通局": "urban",
    "市教育局": "social",
    "市卫健局": "social",
    "市民政局": "social",
    "市文旅广体局": "social",
    "市人社局": "social",
    "市医保局": "social",
    "市市场监管局": "social",
    "市政务中心": "social",
    "市水利局": "rural",
    "市农业农村局": "rural",
    "市林业局": "rural",
    "市自然资源局": "resources",
    "生态环境分局": "resources",
    "市商务局": "executive",
    "市发改局": "executive",
    "市应急局": "executive",
    "市科工信局": "executive",
    "冷水江经济开发区": "zone",
}

# National industry codes (II in YYYY-431381-II-TT-NNNNNN) for projects without a chain.
INDUSTRY_CODE_BY_LEAD = {
    "市教育局": "83",
    "市卫健局": "84",
    "市水利局": "76",
    "市交通局": "54",
    "市住建局": "48",
    "市农业农村局": "01",
    "市林业局": "02",
    "市商务局": "59",
    "市文旅广体局": "88",
    "市民政局": "85",
}
INDUSTRY_CODE_BY_CATEGORY = {"industry": "30", "infrastructure": "48", "livelihood": "78", "ecology": "77"}

# The provincial key project: on all three lists, and named in the bulletin sentence.
PROVINCIAL_PROJECT = {
    "name": "娄底市生态治理光伏项目",
    "location": "锡矿山街道",
    "category": "industry",
    "chain": "new_energy",
    "lead": "市发改局",
    "owner": "湖南冷江绿能新能源开发有限公司",
    "leader": "mayor",
    "scope": "利用锡矿山、渣渡等历史遗留矿区及采煤沉陷区开展生态治理，同步建设光伏发电站，规划装机容量600兆瓦，"
    "配套建设220千伏升压站、储能设施及送出线路。",
    "start_year": 2021,
    "end_year": 2023,
    "total_investment": Decimal("420000"),
    "prior_completed": Decimal("80000"),
    "plan": Decimal("235000"),
    # Phased plan: 1-3月 is planned at exactly what was done, 47000.
    "months": [10000, 15000, 22000, 20000, 22000, 22000, 22000, 22000, 22000, 22000, 20000, 16000],
    "ytd_by_month": [Decimal("12000.00"), Decimal("14500.00"), Decimal("20500.00")],
}

# One project a line: name | location | category | chain key | lead unit | owner.
# The other 32 projects on the prefecture list (with the provincial one: 33).
PREFECTURE_PROJECTS = """
锑品深加工及新材料产业园项目|锡矿山街道|industry|antimony|市科工信局|湖南锑晶新材料有限公司
锡矿山冶炼烟气综合治理及有价金属回收项目|锡矿山街道|industry|antimony|市科工信局|冷水江市瑞锑环保科技有限公司
年产2万吨锑系阻燃母粒生产线项目|冷水江经济开发区|industry|antimony|冷水江经济开发区|湖南锑源阻燃材料有限公司
优特钢棒线材提质升级改造项目|沙塘湾街道|industry|steel|市科工信局|湖南资江特钢有限公司
钢铁产业超低排放改造项目|沙塘湾街道|ecology|steel|生态环境分局|湖南资江特钢有限公司
高性能合金新材料生产线项目|冷水江经济开发区|industry|steel|冷水江经济开发区|冷水江市钢宇新材料有限公司
高强度紧固件智能制造产业园项目|冷水江经济开发区|industry|fasteners|冷水江经济开发区|湖南固联紧固件科技有限公司
汽车及风电紧固件精密锻造生产线项目|冷水江经济开发区|industry|fasteners|冷水江经济开发区|湖南锐固精密锻造有限公司
高端镁碳质耐火材料生产线项目|铎山镇|industry|refractories|市科工信局|湖南耐邦耐火材料有限公司
耐火材料产业园标准厂房及配套设施建设项目|铎山镇|industry|refractories|铎山镇|冷水江经济开发区开发建设投资有限公司
100MW/200MWh集中式储能电站项目|沙塘湾街道|industry|new_energy|市发改局|冷水江市资江储能科技有限公司
金竹山农光互补光伏发电项目|金竹山镇|industry|new_energy|市发改局|湖南湘中晴光新能源有限公司
废旧动力电池回收及梯次利用项目|冷水江经济开发区|industry|new_energy|冷水江经济开发区|湖南锂源循环科技有限公司
光电显示模组生产基地项目|冷水江经济开发区|industry|opto|冷水江经济开发区|湖南晶显光电科技有限公司
Mini LED背光模组生产线项目|冷水江经济开发区|industry|opto|冷水江经济开发区|冷水江市微光电子科技有限公司
生物医药产业园标准厂房建设项目|冷水江经济开发区|industry|bio|冷水江经济开发区|冷水江经济开发区开发建设投资有限公司
中药饮片及配方颗粒生产项目|三尖镇|industry|bio|市科工信局|湖南康源中药饮片有限公司
冷水江经济开发区基础设施提质工程|冷水江经济开发区|infrastructure||冷水江经济开发区|冷水江经济开发区开发建设投资有限公司
城区东环线道路建设工程|冷水江街道|infrastructure||市交通局|冷水江市锑都交通建设投资有限公司
资江冷水江段防洪治理及风光带建设工程|布溪街道|infrastructure||市水利局|冷水江市水务投资有限公司
城区燃气管网及老旧管网更新改造工程|冷水江街道|infrastructure||市住建局|冷水江市资江城市建设投资有限公司
农村公路提质改造及安全生命防护工程|渣渡镇|infrastructure||市交通局|冷水江市交通运输局
城乡供水一体化工程|布溪街道|infrastructure||市水利局|冷水江市水务投资有限公司
冷水江市人民医院外科综合大楼建设项目|冷水江街道|livelihood||市卫健局|冷水江市人民医院
冷水江市中医医院整体搬迁项目|布溪街道|livelihood||市卫健局|冷水江市中医医院
冷水江市第一中学新校区建设项目|布溪街道|livelihood||市教育局|冷水江市教育局
保障性租赁住房建设项目|沙塘湾街道|livelihood||市住建局|冷水江市资江城市建设投资有限公司
2022年城镇老旧小区改造项目|冷水江街道|livelihood||市住建局|冷水江市住房和城乡建设局
锡矿山区域重金属污染综合治理项目|锡矿山街道|ecology||生态环境分局|冷水江市锑都生态环境治理有限公司
资江流域冷水江段水环境综合治理项目|沙塘湾街道|ecology||生态环境分局|冷水江市水务投资有限公司
渣渡铎山片区历史遗留矿山生态修复项目|渣渡镇|ecology||市自然资源局|冷水江市锑都生态环境治理有限公司
城区污水处理厂提标扩容及配套管网工程|沙塘湾街道|ecology||市住建局|冷水江市水务投资有限公司
"""

# Projects only on the county list.
COUNTY_PROJECTS = """
乙二醇锑催化剂生产线建设项目|锡矿山街道|industry|antimony|市科工信局|湖南锑晶新材料有限公司
锑白粉生产线自动化改造项目|锡矿山街道|industry|antimony|市科工信局|冷水江市锑华化工有限公司
含锑危险废物资源化利用项目|锡矿山街道|ecology|antimony|生态环境分局|冷水江市瑞锑环保科技有限公司
锑冶炼废渣无害化处置中心项目|锡矿山街道|ecology|antimony|生态环境分局|冷水江市瑞锑环保科技有限公司
锑基合金材料生产线项目|冷水江经济开发区|industry|antimony|冷水江经济开发区|湖南锑源阻燃材料有限公司
锑矿选矿尾砂综合利用项目|锡矿山街道|industry|antimony|市科工信局|冷水江市锑华化工有限公司
锑产业技术研发检测中心建设项目|冷水江经济开发区|industry|antimony|市科工信局|冷水江经济开发区开发建设投资有限公司
锡矿山世界锑都工业遗址保护利用项目|锡矿山街道|livelihood||市文旅广体局|冷水江市文化旅游投资有限公司
钢渣微粉综合利用项目|沙塘湾街道|industry|steel|市科工信局|冷水江市钢宇新材料有限公司
焦炉煤气综合利用发电项目|沙塘湾街道|industry|steel|市科工信局|湖南资江特钢有限公司
冷轧薄板深加工项目|冷水江经济开发区|industry|steel|冷水江经济开发区|湖南冷江钢板加工有限公司
装配式钢结构建筑构件生产基地项目|冷水江经济开发区|industry|steel|冷水江经济开发区|湖南冷江钢构科技有限公司
废钢加工配送中心建设项目|沙塘湾街道|industry|steel|市商务局|冷水江市再生资源回收利用有限公司
高速线材生产线智能化升级项目|沙塘湾街道|industry|steel|市科工信局|湖南资江特钢有限公司
钢铁物流园及铁路专用线项目|沙塘湾街道|infrastructure|steel|市交通局|冷水江市钢铁物流有限公司
紧固件热处理及表面处理中心项目|冷水江经济开发区|industry|fasteners|冷水江经济开发区|湖南固联紧固件科技有限公司
不锈钢紧固件生产线项目|冷水江经济开发区|industry|fasteners|冷水江经济开发区|冷水江市恒紧五金制品有限公司
风电高强度螺栓生产线项目|冷水江经济开发区|industry|fasteners|冷水江经济开发区|湖南锐固精密锻造有限公司
轨道交通紧固件研发生产项目|冷水江经济开发区|industry|fasteners|冷水江经济开发区|湖南轨固科技有限公司
紧固件产业园二期标准厂房建设项目|冷水江经济开发区|industry|fasteners|冷水江经济开发区|冷水江经济开发区开发建设投资有限公司
紧固件线材拉拔及冷镦生产项目|渣渡镇|industry|fasteners|渣渡镇|冷水江市渣渡五金机械有限公司
不定形耐火材料生产线项目|铎山镇|industry|refractories|市科工信局|冷水江市铎峰耐材有限公司
耐火砖隧道窑节能改造项目|铎山镇|industry|refractories|市科工信局|冷水江市铎峰耐材有限公司
刚玉质耐火材料生产项目|铎山镇|industry|refractories|铎山镇|湖南耐邦耐火材料有限公司
硅质耐火材料生产线技改项目|渣渡镇|industry|refractories|市科工信局|冷水江市渣渡耐火材料有限公司
耐火原料精深加工项目|三尖镇|industry|refractories|三尖镇|冷水江市三尖矿产品加工有限公司
经开区屋顶分布式光伏发电项目|冷水江经济开发区|industry|new_energy|冷水江经济开发区|湖南湘中晴光新能源有限公司
三尖镇农光互补光伏电站项目|三尖镇|industry|new_energy|市发改局|湖南湘中晴光新能源有限公司
禾青镇分散式风电项目|禾青镇|industry|new_energy|市发改局|湖南冷江风电开发有限公司
城乡充电基础设施建设项目|冷水江街道|infrastructure|new_energy|市发改局|冷水江市资江新能源汽车服务有限公司
锂电池正极材料前驱体生产项目|冷水江经济开发区|industry|new_energy|冷水江经济开发区|湖南锂源循环科技有限公司
生物质成型燃料及热电联产项目|禾青镇|industry|new_energy|禾青镇|冷水江市禾丰生物质能源有限公司
城东110千伏输变电工程|布溪街道|infrastructure|new_energy|市发改局|冷水江市电力建设开发有限公司
农村电网巩固提升工程|中连乡|infrastructure|new_energy|市发改局|冷水江市电力建设开发有限公司
光学镜片精密加工项目|冷水江经济开发区|industry|opto|冷水江经济开发区|冷水江市明视光学科技有限公司
LED照明灯具生产项目|冷水江经济开发区|industry|opto|冷水江经济开发区|冷水江市辉映照明电器有限公司
电子线束及连接器生产项目|冷水江经济开发区|industry|opto|冷水江经济开发区|湖南联讯电子科技有限公司
智能终端电子元器件生产线项目|冷水江经济开发区|industry|opto|冷水江经济开发区|湖南晶显光电科技有限公司
光伏玻璃深加工项目|冷水江经济开发区|industry|opto|冷水江经济开发区|冷水江市晶透玻璃科技有限公司
5G基站及城乡信息通信网络建设项目|冷水江街道|infrastructure|opto|市科工信局|冷水江市信息网络建设有限公司
医用防护用品生产线项目|冷水江经济开发区|industry|bio|冷水江经济开发区|冷水江市安护医疗用品有限公司
中连乡中药材种植基地及初加工项目|中连乡|industry|bio|中连乡|冷水江市中连药材种植专业合作社
医疗器械生产及研发项目|冷水江经济开发区|industry|bio|冷水江经济开发区|湖南锑都康健医疗器械有限公司
功能性食品及保健品生产项目|冷水江经济开发区|industry|bio|冷水江经济开发区|湖南资江康养食品有限公司
兽用生物制品生产项目|三尖镇|industry|bio|市农业农村局|冷水江市三尖生物科技有限公司
玉竹黄精精深加工项目|金竹山镇|industry|bio|金竹山镇|冷水江市金竹山农业开发有限公司
商品混凝土搅拌站迁建项目|布溪街道|industry||市住建局|冷水江市资江建材有限公司
新型环保墙体材料生产项目|渣渡镇|industry||渣渡镇|冷水江市渣渡新型建材有限公司
农产品冷链物流中心建设项目|沙塘湾街道|industry||市商务局|冷水江市农产品冷链物流有限公司
电子商务产业园建设项目|冷水江街道|industry||市商务局|冷水江市电商产业发展有限公司
城南商贸物流园项目|布溪街道|industry||市商务局|湖南资江商贸物流有限公司
生猪标准化养殖基地项目|禾青镇|industry||市农业农村局|冷水江市禾青生态农业有限公司
中连乡高山茶叶基地及加工厂项目|中连乡|industry||中连乡|冷水江市中连茶业有限公司
油茶低产林改造及精深加工项目|三尖镇|industry||市林业局|冷水江市三尖油茶专业合作社
资江风光带文旅综合体项目|沙塘湾街道|industry||市文旅广体局|冷水江市文化旅游投资有限公司
城市综合体及商业街区建设项目|冷水江街道|industry||市商务局|湖南锑都置业有限公司
乡村振兴农业产业示范园项目|铎山镇|industry||市农业农村局|冷水江市铎山农业开发有限公司
蔬菜保供基地建设项目|沙塘湾街道|industry||市农业农村局|冷水江市绿源蔬菜专业合作社
城区主次干道提质改造工程|冷水江街道|infrastructure||市住建局|冷水江市资江城市建设投资有限公司
资江二桥维修加固工程|沙塘湾街道|infrastructure||市交通局|冷水江市锑都交通建设投资有限公司
城区公共停车场建设项目|冷水江街道|infrastructure||市城管局|冷水江市资江城市建设投资有限公司
冷水江第二水厂扩建工程|布溪街道|infrastructure||市水利局|冷水江市水务投资有限公司
小型水库除险加固工程|三尖镇|infrastructure||市水利局|冷水江市水利局
山洪灾害防治及中小河流治理工程|金竹山镇|infrastructure||市水利局|冷水江市水利局
农村公路危桥改造工程|中连乡|infrastructure||市交通局|冷水江市交通运输局
客运综合枢纽站建设项目|布溪街道|infrastructure||市交通局|冷水江市锑都交通建设投资有限公司
城市运行管理服务平台建设项目|冷水江街道|infrastructure||市城管局|冷水江市信息网络建设有限公司
城区排水防涝设施建设工程|沙塘湾街道|infrastructure||市住建局|冷水江市资江城市建设投资有限公司
城市照明节能改造工程|冷水江街道|infrastructure||市城管局|冷水江市城市管理和综合执法局
经开区标准厂房四期建设项目|冷水江经济开发区|infrastructure||冷水江经济开发区|冷水江经济开发区开发建设投资有限公司
经开区污水处理厂及配套管网工程|冷水江经济开发区|ecology||冷水江经济开发区|冷水江经济开发区开发建设投资有限公司
城区天然气储气调峰设施建设项目|布溪街道|infrastructure||市住建局|冷水江市资江燃气有限公司
冷水江市妇幼保健院新院建设项目|布溪街道|livelihood||市卫健局|冷水江市妇幼保健院
冷水江市疾病预防控制中心业务楼建设项目|冷水江街道|livelihood||市卫健局|冷水江市疾病预防控制中心
城区公办幼儿园建设项目|沙塘湾街道|livelihood||市教育局|冷水江市教育局
冷水江市职业中专产教融合实训基地建设项目|布溪街道|livelihood||市教育局|冷水江市职业中等专业学校
社会福利中心及养老服务中心建设项目|布溪街道|livelihood||市民政局|冷水江市民政局
殡仪馆迁建项目|渣渡镇|livelihood||市民政局|冷水江市民政局
全民健身中心建设项目|布溪街道|livelihood||市文旅广体局|冷水江市文化旅游广电体育局
公共图书馆及文化馆新馆建设项目|布溪街道|livelihood||市文旅广体局|冷水江市文化旅游广电体育局
棚户区改造项目（锡矿山片区）|锡矿山街道|livelihood||市住建局|冷水江市资江城市建设投资有限公司
社区嵌入式养老服务设施建设项目|冷水江街道|livelihood||市民政局|冷水江市民政局
就业创业服务中心建设项目|冷水江街道|livelihood||市人社局|冷水江市人力资源和社会保障局
应急物资储备库建设项目|沙塘湾街道|livelihood||市应急局|冷水江市应急管理局
检验检测中心建设项目|布溪街道|livelihood||市市场监管局|冷水江市市场监督管理局
政务服务中心提质改造项目|冷水江街道|livelihood||市政务中心|冷水江市政务服务中心
医疗保障信息化建设项目|冷水江街道|livelihood||市医保局|冷水江市医疗保障局
城乡生活垃圾收转运体系建设项目|沙塘湾街道|ecology||市城管局|冷水江市城市管理和综合执法局
锡矿山矿区复绿及地质灾害治理项目|锡矿山街道|ecology||市自然资源局|冷水江市锑都生态环境治理有限公司
资江支流河道综合治理工程|铎山镇|ecology||市水利局|冷水江市水利局
国土绿化及森林质量精准提升项目|中连乡|ecology||市林业局|冷水江市林业局
受污染耕地安全利用及治理修复项目|锡矿山街道|ecology||市农业农村局|冷水江市农业农村局
工业固体废物综合处置中心项目|冷水江经济开发区|ecology||生态环境分局|冷水江市瑞锑环保科技有限公司
医疗废物集中处置中心提质项目|渣渡镇|ecology||生态环境分局|冷水江市安康环保服务有限公司
城区黑臭水体整治工程|冷水江街道|ecology||市住建局|冷水江市水务投资有限公司
土地整理及耕地占补平衡项目|金竹山镇|ecology||市自然资源局|冷水江市自然资源局
"""

# Every township and street has its own routine projects on the county list: (name pattern, category, lead).
# The lead "{area}" is the township or street itself; owners are the local government or its platform.
TOWNSHIP_PATTERNS = [
    ("{area}集镇提质改造项目", "infrastructure", "{area}"),
    ("{area}农村人居环境整治提升项目", "ecology", "{area}"),
    ("{area}高标准农田建设项目", "industry", "市农业农村局"),
    ("{area}中心学校改扩建项目", "livelihood", "市教育局"),
    ("{area}卫生院提质改造项目", "livelihood", "市卫健局"),
    ("{area}农村生活污水治理项目", "ecology", "{area}"),
]
STREET_PATTERNS = [
    ("{area}背街小巷提质改造项目", "infrastructure", "{area}"),
    ("{area}社区党群服务中心建设项目", "livelihood", "{area}"),
    ("{area}农贸市场提质改造项目", "livelihood", "市商务局"),
]

# On the county list with approved 1-3月 reports, then cancelled: they must never count.
CANCELLED_PROJECTS = """
城北商业综合体项目|布溪街道|industry||市商务局|湖南锑都置业有限公司
锑矿尾砂制砖生产线项目|锡矿山街道|industry|antimony|市科工信局|冷水江市锡山新型建材有限公司
金竹山镇石材加工园项目|金竹山镇|industry||金竹山镇|冷水江市金竹山石材有限公司
"""
CANCELLED_REASON = "投资方资金链断裂，经市重大项目建设指挥部研究同意终止"

# The reserve pipeline (储备库 5-year, 滚动库 3-year): no plan for 2022, so they must not count either.
RESERVE_PROJECTS = """
锑产业链延链补链新材料项目|冷水江经济开发区|industry|antimony|冷水江经济开发区|湖南锑晶新材料有限公司|rolling|county
氢能源综合利用示范项目|沙塘湾街道|industry|new_energy|市发改局|湖南冷江绿能新能源开发有限公司|reserve|
冷水江至新化快速通道建设工程|铎山镇|infrastructure||市交通局|冷水江市锑都交通建设投资有限公司|rolling|county
资江冷水江段航运建设工程|沙塘湾街道|infrastructure||市交通局|冷水江市锑都交通建设投资有限公司|reserve|
冷水江市人民医院医养结合中心项目|冷水江街道|livelihood||市卫健局|冷水江市人民医院|rolling|
抽水蓄能电站前期研究项目|中连乡|industry|new_energy|市发改局|湖南湘中晴光新能源有限公司|reserve|
城市地下综合管廊项目|布溪街道|infrastructure||市住建局|冷水江市资江城市建设投资有限公司|rolling|county
锡矿山国家矿山公园建设项目|锡矿山街道|ecology||市自然资源局|冷水江市文化旅游投资有限公司|reserve|
"""

# The seed's 1-3月 figures (DOMAIN §1), in 万元. Lists overlap: each list's totals include the lists above it.
TARGETS = {
    "province": {"projects": 1, "ytd": Decimal("47000.00"), "plan": Decimal("235000")},
    "prefecture": {"projects": 33, "ytd": Decimal("82976.48"), "plan": Decimal("477980")},
    "county": {"projects": 177, "ytd": Decimal("153012.37"), "plan": Decimal("1013300")},
}
EXPECTED_SENTENCE = (
    "1-3月，省重点项目（娄底市生态治理光伏项目）完成投资4.7亿元，为年度计划的20%；"
    "33个娄底市重点项目完成投资8.3亿元，为年度计划的17.36%；"
    "177个市本级重点项目完成投资15.3亿元，为年度计划的15.1%。"
)


@dataclass(frozen=True)
class UserData:
    username: str
    role: str
    unit: str  # area name, department short name, or the root's name
    full_name: str
    leader: str = ""  # leader key, for the leader role


LOADER_USERNAME = "demo_loader"
LOADER_FULL_NAME = "演示数据导入"
DEMO_PASSWORD = "guatu-demo-2022"
USERS = [
    UserData("demo_admin", "city_admin", "冷水江市", "罗晓峰"),
    UserData("demo_reviewer", "reviewer", "市发改局", "彭丽君"),
    UserData("demo_heqing", "reporter", "禾青镇", "曾德胜"),
    UserData("demo_zhujian", "reporter", "市住建局", "邓雅琴"),
    UserData("demo_leader", "leader", "冷水江市", "黄志刚", leader="urban"),
    UserData("demo_viewer", "viewer", "冷水江市", "袁文静"),
    UserData("demo_anquan", "security_admin", "冷水江市", "符建平"),  # 安全管理员 (三员)
    UserData("demo_shenji", "audit_admin", "冷水江市", "刘清华"),  # 审计管理员 (三员)
]

# People the demo's story needs to act through the services (raise, assign, answer problems; enter, approve
# and appeal assessment values). Fictional, active, and without a usable password: nobody logs in as them.
STAFF = [
    UserData("demo_guanli", "city_admin", "冷水江市", "龚建新"),  # sets the warning rules
    UserData("demo_office", "reviewer", "市发改局", "谭继红"),  # 市重点办: dispatch and supervision
    UserData("demo_kaohe", "reviewer", "冷水江市", "欧阳春林"),  # 市绩效考核办公室: the assessment office
    UserData("demo_fagai", "reporter", "市发改局", "段利民"),
    UserData("demo_caizheng", "reporter", "市财政局", "贺湘宁"),
    UserData("demo_tongji", "reporter", "市统计局", "龙翠萍"),
    UserData("demo_zhaoshang", "reporter", "市招商中心", "肖楚文"),
    UserData("demo_shichang", "reporter", "市市场监管局", "廖冬梅"),
    UserData("demo_huanjing", "reporter", "生态环境分局", "戴青松"),
    UserData("demo_kegongxin", "reporter", "市科工信局", "石振宇"),
    UserData("demo_chengguan", "reporter", "市城管局", "伍彩霞"),
    UserData("demo_yingji", "reporter", "市应急局", "陶永福"),
    UserData("demo_zhengwu", "reporter", "市政务中心", "易晓霞"),
    UserData("demo_zhengfuban", "reporter", "市政府办", "邹慧琳"),
    UserData("demo_zuzhi", "reporter", "市委组织部", "颜朝晖"),
    UserData("demo_zhengfa", "reporter", "市委政法委", "莫国栋"),
    UserData("demo_ziyuan", "reporter", "市自然资源局", "聂文韬"),
    UserData("demo_jingkai", "reporter", "冷水江经济开发区", "匡志勇"),
    UserData("demo_shatangwan", "reporter", "沙塘湾街道", "谢美玲"),
    UserData("demo_zhadu", "reporter", "渣渡镇", "阳光明"),
    UserData("demo_sanjian", "reporter", "三尖镇", "符丽华"),
    # The principal leaders' accounts: tier-3 escalations and overdue notices reach them.
    UserData("demo_shuji", "leader", "冷水江市", "周正阳", leader="secretary"),
    UserData("demo_shizhang", "leader", "冷水江市", "陈立新", leader="mayor"),
]
