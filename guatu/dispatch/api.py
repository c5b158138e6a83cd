"""The dispatch lists over JSON: problems (GET /api/v1/dispatch/problems) and supervision orders
(GET /api/v1/dispatch/orders), with their counts.

Rows and figures are the list pages' own: the same filter forms and the same reads (views.problems
.filtered_problems, views.orders.filtered_orders, which start from the gateway's visible_problems and
visible_orders). A unit the reader may not see is a 404, the same as one that does not exist.
"""

from __future__ import annotations

from datetime import date, datetime

from django.urls import reverse
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from guatu import clock
from guatu.dispatch.forms import OrderFilterForm, ProblemFilterForm
from guatu.dispatch.models import OPEN_STATUSES, ProblemCategory, ProblemStatus, SupervisionStatus, Tier
from guatu.dispatch.queries import OPEN, mark_overdue, order_counts, problem_counts
from guatu.dispatch.views.orders import filtered_orders
from guatu.dispatch.views.problems import filtered_problems
from guatu.web.paging import MAX_ID, Paging, check_paging, responses

router = Router(tags=["dispatch"])

NO_UNIT = "没有可查看的单位"


def _refuse(form, names: dict[str, str]) -> None:
    """The form's errors as one Chinese 422 naming each parameter (`names`: form field → parameter)."""
    raise HttpError(
        422,
        "；".join(
            f"{names.get(field, field)} 参数（{form.fields[field].label}）：{' '.join(errors)}"
            for field, errors in form.errors.items()
        ),
    )


class Ref(Schema):
    id: int
    name: str


# --- problems ------------------------------------------------------------------------------------------------


class ProblemParams(Paging):
    unit: int | None = Field(
        None,
        ge=1,
        le=MAX_ID,
        description="Org unit id: problems assigned to it or on its projects (its subtree)",
    )
    tier: int | None = Field(
        None, description="1 lead unit on site, 2 responsible leader, 3 principal leaders"
    )
    state: str = Field(
        "",
        max_length=20,
        description=f"{OPEN} (not closed), or one status: " + ", ".join(ProblemStatus.values),
    )
    category: str = Field("", max_length=20, description="One category: " + ", ".join(ProblemCategory.values))
    overdue: bool = Field(False, description="Only open problems past their deadline")


class ProblemCellOut(Schema):
    tier: int
    tier_label: str
    state: str
    state_label: str
    count: int
    overdue: int


class ProblemOut(Schema):
    id: int
    description: str
    category: str
    category_label: str
    tier: int
    tier_label: str
    state: str
    state_label: str
    project: Ref | None
    chain: Ref | None
    meeting: Ref | None = Field(description="The meeting it was raised at (议定事项)")
    enterprise: Ref | None = Field(None, description="The enterprise whose request it is (企业诉求)")
    satisfaction: str = Field(
        "", description="The enterprise's satisfaction at closing: satisfied, basically, dissatisfied"
    )
    assigned_unit: Ref | None
    deadline: date | None
    overdue: bool = Field(description="Open and past its deadline")
    raised_at: datetime
    url: str


class ProblemPageOut(Schema):
    count: int = Field(description="Problems matching the filters")
    overdue: int = Field(description="Of them, open and past their deadline")
    by_tier_and_state: list[ProblemCellOut]
    offset: int
    limit: int
    items: list[ProblemOut] = Field(description="Open first, soonest deadline first, as the list page")


PROBLEM_PARAMS = {"status": "state"}


def _ref(obj, name: str = "name") -> dict | None:
    return None if obj is None else {"id": obj.pk, "name": getattr(obj, name)}


@router.get(
    "/problems", response=responses(ProblemPageOut, not_found=True), summary="Problems the reader may see, filtered, with counts"
)
def problem_list(request, params: Query[ProblemParams]):
    """The problem list's rows and counts for the same filters (dispatch:problem_list)."""
    check_paging(params)
    user, today = request.user, clock.today()
    data = {
        "status": params.state,
        "tier": "" if params.tier is None else str(params.tier),
        "category": params.category,
        "unit": "" if params.unit is None else str(params.unit),
        "overdue": "on" if params.overdue else "",
    }
    form = ProblemFilterForm(data, user=user)
    if "unit" in form.errors:
        raise HttpError(404, NO_UNIT)
    if form.errors:
        _refuse(form, PROBLEM_PARAMS)
    problems = filtered_problems(user, form, today)
    cells = problem_counts(problems, today)
    rows = list(problems[params.offset : params.offset + params.limit])
    return {
        "count": sum(cell["count"] for cell in cells),
        "overdue": sum(cell["overdue"] for cell in cells),
        "by_tier_and_state": [
            {
                "tier": cell["tier"],
                "tier_label": str(Tier(cell["tier"]).label),
                "state": cell["status"],
                "state_label": str(ProblemStatus(cell["status"]).label),
                "count": cell["count"],
                "overdue": cell["overdue"],
            }
            for cell in cells
        ],
        "offset": params.offset,
        "limit": params.limit,
        "items": [
            {
                "id": p.pk,
                "description": p.description,
                "category": p.category,
                "category_label": p.get_category_display(),
                "tier": p.tier,
                "tier_label": p.get_tier_display(),
                "state": p.status,
                "state_label": p.get_status_display(),
                "project": _ref(p.project),
                "chain": _ref(p.chain),
                "meeting": _ref(p.meeting, "title"),
                "enterprise": _ref(p.enterprise),
                "satisfaction": p.satisfaction,
                "assigned_unit": _ref(p.assigned_unit, "display_name"),
                "deadline": p.deadline,
                "overdue": p.status in OPEN_STATUSES and p.deadline is not None and p.deadline < today,
                "raised_at": p.raised_at,
                "url": reverse("dispatch:problem", args=[p.pk]),
            }
            for p in rows
        ],
    }


# --- supervision orders ----------------------------------------------------------------------------------------


class OrderParams(Paging):
    status: str = Field("", max_length=20, description="One status: " + ", ".join(SupervisionStatus.values))
    overdue: bool = Field(False, description="Only orders waiting for a response past their deadline")


class OrderCountsOut(Schema):
    issued: int = Field(description="Waiting for a response")
    responded: int = Field(description="Responded, waiting to be closed")
    closed: int
    overdue: int = Field(description="Waiting for a response past the deadline")


class OrderOut(Schema):
    id: int
    number: str
    project: Ref
    problem_id: int | None
    addressee: Ref
    requirement: str
    deadline: date
    status: str
    status_label: str
    overdue: bool
    days_overdue: int
    issued_at: datetime
    url: str


class OrderPageOut(Schema):
    count: int = Field(description="Orders matching the filters")
    counts: OrderCountsOut = Field(description="The matching orders by status")
    offset: int
    limit: int
    items: list[OrderOut] = Field(
        description="Waiting for a response, then waiting to be closed, then closed; soonest deadline first"
    )


@router.get(
    "/orders", response=responses(OrderPageOut), summary="Supervision orders (督办) the reader may see, with counts"
)
def order_list(request, params: Query[OrderParams]):
    """The order list's rows and counts for the same filters (dispatch:order_list)."""
    check_paging(params)
    user, today = request.user, clock.today()
    form = OrderFilterForm(
        {"status": params.status, "overdue": "on" if params.overdue else ""},
        statuses=SupervisionStatus.choices,
    )
    if form.errors:
        _refuse(form, {})
    orders = filtered_orders(user, form, today)
    counts = order_counts(orders, today)
    rows = mark_overdue(orders[params.offset : params.offset + params.limit], today)
    return {
        "count": counts["issued"] + counts["responded"] + counts["closed"],
        "counts": counts,
        "offset": params.offset,
        "limit": params.limit,
        "items": [
            {
                "id": order.pk,
                "number": order.number,
                "project": _ref(order.project),
                "problem_id": order.problem_id,
                "addressee": _ref(order.addressee, "display_name"),
                "requirement": order.requirement,
                "deadline": order.deadline,
                "status": order.status,
                "status_label": order.get_status_display(),
                "overdue": order.overdue,
                "days_overdue": order.days_overdue,
                "issued_at": order.issued_at,
                "url": reverse("dispatch:order", args=[order.pk]),
            }
            for order in rows
        ],
    }
