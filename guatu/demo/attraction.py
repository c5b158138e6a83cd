"""The demo's investment-attraction pipeline (招商引资): 42 leads, six in every state, spread over the zone,
townships and the investment-promotion centre and over the demo's chains, written through the services on
their days (dates.as_on): signed from January to April 2022, funds in place for January-March, some signed
leads past their promised start (so the late-start lights show on the demo's day), and three started leads
converted into projects of the library.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from guatu.attraction.models import InvestorOrigin, LeadSource, LeadStatus
from guatu.attraction.services import (
    LeadInput,
    follow_up_add,
    funds_set,
    lead_advance,
    lead_convert,
    lead_create,
    lead_drop,
)
from guatu.demo.dates import as_on, d
from guatu.lib.periods import Period

UNITS = ["冷水江经济开发区", "市招商中心", "禾青镇", "渣渡镇", "铎山镇", "三尖镇"]
SOURCES = list(LeadSource.values)
ORIGINS = [InvestorOrigin.OTHER_PROVINCE, InvestorOrigin.OTHER_PROVINCE, InvestorOrigin.IN_PROVINCE, InvestorOrigin.ABROAD]
PRODUCTS = ["锑基新材料", "高强度紧固件", "耐火材料", "光伏组件", "光电显示模组", "生物医药中间体", "特种钢材深加工"]
INVESTORS = ["广东", "浙江", "江苏", "深圳", "香港", "长沙", "上海"]
# Per state: how many leads reach it, in the order of the pipeline
STATES = [
    LeadStatus.LEAD,
    LeadStatus.NEGOTIATING,
    LeadStatus.SIGNED,
    LeadStatus.REGISTERED,
    LeadStatus.STARTED,
    LeadStatus.PRODUCING,
    LeadStatus.DROPPED,
]
PER_STATE = 6
CONVERTED = 3  # started leads that became projects


def _amount(i: int) -> Decimal:
    # Contracts from 0.5亿 to 12亿 so that the 1亿 and 10亿 counts both have members.
    return Decimal([5000, 12000, 30000, 8000, 120000, 20000, 15000][i % 7])


def load_attraction(*, root, units, leaders, staff, chains) -> int:
    """Load the pipeline; returns the number of leads made."""
    office = staff["demo_office"]  # reviewer of 市发改局: the county's leads pipeline
    chain_list = list(chains.values())
    unit_list = [units[name] for name in UNITS if name in units] or [root]
    made = 0
    converted = 0
    for s, state in enumerate(STATES):
        for k in range(PER_STATE):
            i = s * PER_STATE + k
            unit = unit_list[i % len(unit_list)]
            product = PRODUCTS[i % len(PRODUCTS)]
            signed_on = d(1 + i % 3, 5 + (i * 3) % 20)  # January to March
            # Signed or registered leads: every other one promised for a day already past (late), the rest in May-June.
            promised = d(2 + k % 2, 10 + k) if k % 2 == 0 else d(5 + k % 2, 15)
            with as_on(d(1, 4)):
                lead = lead_create(
                    data=LeadInput(
                        name=f"{INVESTORS[i % len(INVESTORS)]}{product}项目（{i + 1:02d}）",
                        investor=f"{INVESTORS[i % len(INVESTORS)]}某{product}有限公司",
                        investor_origin=ORIGINS[i % len(ORIGINS)],
                        source=SOURCES[i % len(SOURCES)],
                        responsible_unit=unit,
                        chain=chain_list[i % len(chain_list)] if chain_list and i % 5 else None,
                        planned_investment=_amount(i) + Decimal(2000),
                    ),
                    by=office,
                )
            made += 1
            if state == LeadStatus.LEAD:
                continue
            with as_on(d(1, 10)):
                lead = lead_advance(lead=lead, action="lead.negotiate", by=office, expected_version=lead.version)
                follow_up_add(lead=lead, on=d(1, 10), text="与投资方首次洽谈，介绍园区用地和产业政策", by=office)
            if state == LeadStatus.NEGOTIATING:
                continue
            if state == LeadStatus.DROPPED:
                with as_on(d(3, 20)):
                    lead_drop(lead=lead, reason="投资方调整投资计划，项目暂缓", by=office, expected_version=lead.version)
                continue
            if state in (LeadStatus.STARTED, LeadStatus.PRODUCING):
                promised = d(2 + k % 2, 10 + k)  # started leads were promised for February-March
            with as_on(signed_on):
                lead = lead_advance(
                    lead=lead,
                    action="lead.sign",
                    by=office,
                    expected_version=lead.version,
                    on=signed_on,
                    contract_amount=_amount(i),
                    promised_start=max(promised, signed_on),
                )
            if state == LeadStatus.REGISTERED:
                with as_on(d(3, 28)):
                    lead = lead_advance(lead=lead, action="lead.register", by=office, expected_version=lead.version, on=d(3, 28))
            if state in (LeadStatus.STARTED, LeadStatus.PRODUCING):
                started = min(max(lead.promised_start, signed_on) if k % 3 else d(4, 8), d(4, 8))
                with as_on(started):
                    lead = lead_advance(lead=lead, action="lead.start", by=office, expected_version=lead.version, on=started)
            if state == LeadStatus.PRODUCING:
                with as_on(d(4, 20)):
                    lead = lead_advance(lead=lead, action="lead.produce", by=office, expected_version=lead.version, on=d(4, 20))
            for month in range(signed_on.month, 4):
                with as_on(date(2022, month + 1, 5)):
                    funds_set(
                        lead=lead,
                        period=Period(2022, month),
                        domestic=(_amount(i) * Decimal("0.05") * month).quantize(Decimal("0.01")),
                        foreign=Decimal("120.50") if lead.investor_origin == InvestorOrigin.ABROAD else Decimal("0"),
                        expected_version=None,
                        by=office,
                    )
            if state == LeadStatus.STARTED and converted < CONVERTED:
                with as_on(d(4, 22)):
                    lead_convert(lead=lead, by=office, expected_version=lead.version)
                converted += 1
    return made
