"""The demo's project reserve (项目等钱): 60 projects waiting for money, in the reserve (储备库) and rolling
(滚动库) tiers beside the 188 tracked ones of the implementation tier, and funding applications in every status.

Written through the services on their days (dates.as_on), none after the demo's day: the county's review office
enters the projects in January with their pre-construction steps (立项、用地、规划、环评) as milestones, done or
planned; in March it moves 24 of them up to the rolling tier with a reason (each has its approval done, the
rolling tier's gate); from February to April it prepares, files and follows applications for special bonds,
central budget funds, ultra-long treasury bonds and policy-based instruments. The new projects have no annual
plan, so no summary, light or bulletin of 2022 counts them: the tracked projects' figures do not change.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from guatu.demo.dates import as_on, d
from guatu.projects.models import Category, MilestoneKind
from guatu.projects.services import MilestoneInput, ProjectInput, project_create
from guatu.reserve.models import FundingKind
from guatu.reserve.services import (
    funding_application_approve,
    funding_application_create,
    funding_application_funds_arrived,
    funding_application_reject,
    funding_application_submit,
    project_change_tier,
)

UNITS = ["冷水江经济开发区", "禾青镇", "渣渡镇", "铎山镇", "三尖镇", "沙塘湾街道", "锡矿山街道", "中连乡"]
SUBJECTS = {
    Category.INDUSTRY: ["锑精深加工", "高端紧固件", "新型耐火材料", "光伏组件配套", "光电材料", "生物医药中间体", "特钢深加工"],
    Category.INFRASTRUCTURE: ["城区道路提质", "农村供水保障", "标准化厂房", "物流园配套", "片区路网"],
    Category.LIVELIHOOD: ["学校扩容", "乡镇卫生院提质", "老旧小区改造", "养老服务中心"],
    Category.ECOLOGY: ["矿区生态修复", "污水管网完善", "资江沿岸治理", "固废综合利用"],
}
PROJECTS = 60
PROMOTED = 24  # moved up to the rolling tier in March


def _category(i: int) -> str:
    return [Category.INDUSTRY, Category.INDUSTRY, Category.INFRASTRUCTURE, Category.LIVELIHOOD, Category.ECOLOGY][i % 5]


def _milestones(i: int) -> list[MilestoneInput]:
    """The first PROMOTED projects have their approval done (the rolling tier's gate); some of them land and
    planning too, so that part of the rolling tier is ready for the implementation tier's gate; the rest have
    their approval planned only."""
    approval_done = i < PROMOTED or i % 4 == 0
    steps = [
        MilestoneInput(
            kind=MilestoneKind.APPROVAL,
            name="项目立项（备案）",
            planned_date=d(1, 5),
            actual_date=date(2021, 11 + i % 2, 10 + i % 15) if approval_done else None,
            document_no=f"冷发改备〔2021〕{100 + i}号" if approval_done else "",
        ),
        MilestoneInput(
            kind=MilestoneKind.LAND, name="用地预审", planned_date=d(6, 30), actual_date=d(1, 6) if i % 3 == 0 else None
        ),
        MilestoneInput(
            kind=MilestoneKind.PLANNING, name="规划选址", planned_date=d(7, 31), actual_date=d(1, 7) if i % 3 == 0 else None
        ),
        MilestoneInput(
            kind=MilestoneKind.ENVIRONMENT, name="环境影响评价", planned_date=d(9, 30),
            actual_date=d(1, 8) if i % 6 == 0 else None,
        ),
    ]
    return steps


def _investment(i: int, category: str) -> Decimal:
    base = {Category.INDUSTRY: 30000, Category.INFRASTRUCTURE: 12000, Category.LIVELIHOOD: 5000, Category.ECOLOGY: 8000}
    return Decimal(base[category] + (i * 1370) % 9000)


def load_reserve(*, root, units, leaders, staff, chains) -> int:
    """Load the reserve; returns the number of projects and applications made."""
    office = staff["demo_office"]  # reviewer of 市发改局: the county's library and its funding applications
    places = [units[name] for name in UNITS if name in units] or [root]
    chain_list = list(chains.values())
    leader_list = list(leaders.values())
    projects = []
    with as_on(d(1, 10)):
        for i in range(PROJECTS):
            category = _category(i)
            subjects = SUBJECTS[category]
            place = places[i % len(places)]
            start = 2023 + i % 4
            projects.append(
                project_create(
                    data=ProjectInput(
                        name=f"{place.short_name or place.name}{subjects[i % len(subjects)]}项目（储备{i + 1:02d}）",
                        category=category,
                        location_unit=place,
                        lead_unit=place,
                        owner=f"{place.name}项目建设单位",
                        start_year=start,
                        end_year=start + 2 + i % 3,
                        total_investment=_investment(i, category),
                        stage="planning",
                        tier="reserve",
                        chain=chain_list[i % len(chain_list)] if chain_list and category == Category.INDUSTRY else None,
                        responsible_leader=leader_list[i % len(leader_list)] if leader_list else None,
                        milestones=_milestones(i),
                    ),
                    by=office,
                )
            )
    with as_on(d(3, 15)):
        for project in projects[:PROMOTED]:
            project = project_change_tier(
                project=project,
                tier="rolling",
                reason="立项备案已完成，纳入三年滚动计划",
                expected_version=project.version,
                by=office,
            )
    made = len(projects)
    # Applications: two in every status, on rolling-tier projects.
    kinds = list(FundingKind.values)
    for n in range(10):
        project = projects[n * 2]
        with as_on(d(2, 10 + n)):
            application = funding_application_create(
                project=project,
                kind=kinds[n % len(kinds)],
                year=2022,
                amount_requested=(project.total_investment * Decimal("0.3")).quantize(Decimal("1")),
                note="2022年第二批申报" if n % 2 else "",
                by=office,
            )
        made += 1
        if n < 2:
            continue  # preparing
        with as_on(d(3, 1 + n)):
            application = funding_application_submit(
                application=application, submitted_on=d(3, 1 + n), expected_version=application.version, by=office
            )
        if n < 4:
            continue  # submitted
        if n < 6:
            with as_on(d(4, 1 + n)):
                funding_application_reject(
                    application=application,
                    decided_on=d(4, 1 + n),
                    reason="项目前期要件不齐，下批次再申报",
                    expected_version=application.version,
                    by=office,
                )
            continue
        with as_on(d(4, 1 + n)):
            application = funding_application_approve(
                application=application,
                amount_approved=(application.amount_requested * Decimal("0.8")).quantize(Decimal("0.01")),
                decided_on=d(4, 1 + n),
                expected_version=application.version,
                by=office,
            )
        if n < 8:
            continue  # approved
        with as_on(d(4, 12 + n)):
            funding_application_funds_arrived(
                application=application, arrived_on=d(4, 12 + n), expected_version=application.version, by=office
            )
    return made
