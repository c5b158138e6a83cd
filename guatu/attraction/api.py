"""The investment leads over JSON (GET /api/v1/attraction/leads): the list page's rows, as the gateway lets
the reader see them (session authentication; 401 for anonymous)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.urls import reverse
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from guatu.access import gateway
from guatu.attraction.models import LeadStatus
from guatu.attraction.queries import late_start_lights, lead_list
from guatu.web.paging import Paging, check_paging, responses

router = Router(tags=["attraction"])

class LeadParams(Paging):
    status: str = Field("", max_length=20, description="One status: " + ", ".join(LeadStatus.values))
    late: bool = Field(False, description="Only signed or registered leads past their promised start")


class Ref(Schema):
    id: int
    name: str


class LeadOut(Schema):
    id: int
    name: str
    investor: str
    source: str
    source_label: str
    status: str
    status_label: str
    responsible_unit: Ref
    chain: Ref | None
    planned_investment: Decimal = Field(description="万元")
    contract_amount: Decimal | None = Field(description="万元")
    signed_on: date | None
    promised_start: date | None
    started_on: date | None
    late_start_light: str | None = Field(description="yellow or red: signed and not started by the promised date")
    project: Ref | None = Field(description="The library project it became")
    url: str


class LeadPageOut(Schema):
    count: int
    offset: int
    limit: int
    items: list[LeadOut]


def _ref(obj) -> dict | None:
    return None if obj is None else {"id": obj.pk, "name": getattr(obj, "display_name", None) or obj.name}


@router.get("/leads", response=responses(LeadPageOut), summary="Investment leads the reader may see")
def leads(request, params: Query[LeadParams]):
    check_paging(params)
    if params.status and params.status not in LeadStatus.values:
        raise HttpError(422, "status 参数（状态）应为：" + "、".join(LeadStatus.values))
    found = lead_list(gateway.visible_leads(request.user), status=params.status, late=params.late)
    rows = list(found[params.offset : params.offset + params.limit])
    lights = late_start_lights(rows)
    return {
        "count": found.count(),
        "offset": params.offset,
        "limit": params.limit,
        "items": [
            {
                "id": lead.pk,
                "name": lead.name,
                "investor": lead.investor,
                "source": lead.source,
                "source_label": lead.get_source_display(),
                "status": lead.status,
                "status_label": lead.get_status_display(),
                "responsible_unit": _ref(lead.responsible_unit),
                "chain": _ref(lead.chain),
                "planned_investment": lead.planned_investment,
                "contract_amount": lead.contract_amount,
                "signed_on": lead.signed_on,
                "promised_start": lead.promised_start,
                "started_on": lead.started_on,
                "late_start_light": lights[lead.pk].code if lead.pk in lights else None,
                "project": _ref(lead.project),
                "url": reverse("attraction:detail", args=[lead.pk]),
            }
            for lead in rows
        ],
    }
