"""Leads for tests, made through the services (so their events exist) with the system as actor."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from guatu.attraction.models import Lead, LeadStatus
from guatu.attraction.services import LeadInput, lead_advance, lead_create

ORDER = [LeadStatus.NEGOTIATING, LeadStatus.SIGNED, LeadStatus.REGISTERED, LeadStatus.STARTED, LeadStatus.PRODUCING]
ACTION = {
    LeadStatus.NEGOTIATING: "lead.negotiate",
    LeadStatus.SIGNED: "lead.sign",
    LeadStatus.REGISTERED: "lead.register",
    LeadStatus.STARTED: "lead.start",
    LeadStatus.PRODUCING: "lead.produce",
}


def make_lead(
    unit,
    *,
    name: str = "锑新材料深加工项目",
    status: str = LeadStatus.LEAD,
    chain=None,
    amount: str = "20000",
    signed_on: date = date(2022, 1, 10),
    promised_start: date = date(2022, 3, 1),
    started_on: date | None = None,
    by=None,
) -> Lead:
    """A lead of `unit`'s jurisdiction taken through the steps up to `status` (dates default to early 2022)."""
    lead = lead_create(
        data=LeadInput(
            name=name, investor="湖南某某投资有限公司", responsible_unit=unit, planned_investment=Decimal(amount), chain=chain
        ),
        by=by,
    )
    if status == LeadStatus.LEAD:
        return lead
    target = ORDER.index(status)
    for step in ORDER[: target + 1]:
        if step == LeadStatus.REGISTERED and status != LeadStatus.REGISTERED and target > ORDER.index(step):
            continue  # straight from signed to started unless asked to stop at registered
        on = {
            LeadStatus.SIGNED: signed_on,
            LeadStatus.REGISTERED: signed_on,
            LeadStatus.STARTED: started_on or promised_start,
            LeadStatus.PRODUCING: started_on or promised_start,
        }.get(step)
        lead = lead_advance(
            lead=lead,
            action=ACTION[step],
            by=by,
            expected_version=lead.version,
            on=on,
            contract_amount=Decimal(amount),
            promised_start=promised_start,
        )
    return lead
