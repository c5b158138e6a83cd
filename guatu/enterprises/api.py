"""The enterprise list over JSON (GET /api/v1/enterprises): the list page's rows and filters, from the gateway's
visible_enterprises. A unit or chain the reader may not see is a 404, the same as one that does not exist."""

from __future__ import annotations

from django.urls import reverse
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from guatu.access import gateway
from guatu.dispatch.api import Ref
from guatu.enterprises.forms import EnterpriseFilterForm
from guatu.enterprises.queries import enterprises_for_list
from guatu.web.paging import MAX_ID, Paging, check_paging, responses

router = Router(tags=["enterprises"])


class EnterpriseParams(Paging):
    unit: int | None = Field(
        None, ge=1, le=MAX_ID, description="Org unit id: firms it (or a unit below it) looks after"
    )
    chain: int | None = Field(None, ge=1, le=MAX_ID, description="Industry chain id")
    above_scale: bool | None = Field(
        None, description="Only firms above (true) or below (false) designated size"
    )
    chain_master: bool | None = Field(
        None, description="Only chain-master firms (true) or the others (false)"
    )


class EnterpriseOut(Schema):
    id: int
    name: str
    uscc: str = Field(description="Unified social credit code (统一社会信用代码)")
    unit: Ref
    chain: Ref | None
    above_scale: bool
    is_chain_master: bool
    industry: str
    requests: int
    open_requests: int
    url: str


class EnterprisePageOut(Schema):
    count: int
    offset: int
    limit: int
    items: list[EnterpriseOut]


def _yes_no(value: bool | None) -> str:
    return "" if value is None else ("1" if value else "0")


@router.get("", response=responses(EnterprisePageOut, not_found=True), summary="Enterprises the reader may see, filtered")
def enterprise_list(request, params: Query[EnterpriseParams]):
    check_paging(params)
    user = request.user
    data = {
        "unit": "" if params.unit is None else str(params.unit),
        "chain": "" if params.chain is None else str(params.chain),
        "above_scale": _yes_no(params.above_scale),
        "is_chain_master": _yes_no(params.chain_master),
    }
    form = EnterpriseFilterForm(
        data, units=list(gateway.visible_units(user).order_by("path")), chains=gateway.visible_chains(user)
    )
    if form.errors:
        raise HttpError(404, "没有可查看的单位或产业链")
    enterprises = enterprises_for_list(gateway.visible_enterprises(user), form.filters())
    count = enterprises.count()
    rows = list(enterprises[params.offset : params.offset + params.limit])
    return {
        "count": count,
        "offset": params.offset,
        "limit": params.limit,
        "items": [
            {
                "id": firm.pk,
                "name": firm.name,
                "uscc": firm.uscc,
                "unit": {"id": firm.unit_id, "name": firm.unit.display_name},
                "chain": {"id": firm.chain_id, "name": firm.chain.name} if firm.chain_id else None,
                "above_scale": firm.above_scale,
                "is_chain_master": firm.is_chain_master,
                "industry": firm.industry,
                "requests": firm.request_count,
                "open_requests": firm.open_requests,
                "url": reverse("enterprises:detail", args=[firm.pk]),
            }
            for firm in rows
        ],
    }
