"""The project library over JSON: the filtered list with progress figures, and one project.

Amounts are exact decimal strings in 万元. Rows come only from the access gateway; a project the reader
may not see is a 404, the same as one that does not exist.
"""

from datetime import date
from decimal import Decimal

from django.http import Http404
from ninja import Field, Path, Query, Router, Schema
from ninja.errors import HttpError

from guatu import clock
from guatu.access import gateway
from guatu.lights.services import default_period
from guatu.projects import queries
from guatu.projects.forms import ProjectFilterForm
from guatu.projects.models import LevelTag
from guatu.web.paging import MAX_ID, Paging, check_paging, responses

router = Router(tags=["projects"])

MAX_LIMIT = 200


class ListParams(Paging):
    q: str = Field("", max_length=200, description="Text in the name, project code or owner")
    tag: str = Field("", max_length=50, description="Level tag code, e.g. county")
    stage: str = Field("", max_length=20)
    tier: str = Field("", max_length=20)
    location: int | None = Field(None, ge=1, le=MAX_ID, description="Location unit id (its subtree)")
    lead: int | None = Field(None, ge=1, le=MAX_ID, description="Lead unit id (its subtree)")
    chain: int | None = Field(None, ge=1, le=MAX_ID, description="Industry chain id")
    leader: int | None = Field(None, ge=1, le=MAX_ID, description="Responsible leader id")
    period: str | None = Field(
        None,
        description="YYYY-MM; default the latest month whose reporting deadline has passed, "
        "or the month the city administrator set",
    )
    limit: int = Field(
        50, description=f"Rows to return, 1 to {MAX_LIMIT}", json_schema_extra={"minimum": 1, "maximum": MAX_LIMIT}
    )


class Ref(Schema):
    id: int
    name: str


class TagOut(Schema):
    code: str
    name: str


class ProjectRowOut(Schema):
    id: int
    code: str | None
    name: str
    tags: list[TagOut]
    stage: str
    tier: str
    category: str
    location: Ref
    lead_unit: Ref
    responsible_leader: Ref | None
    chain: Ref | None
    annual_plan: str | None = Field(description="Plan for the period's year, 万元")
    ytd_completed: str = Field(description="Approved, January to the period, 万元")
    completion_rate_percent: str | None


class ProjectPageOut(Schema):
    count: int
    limit: int
    offset: int
    period: str
    items: list[ProjectRowOut]


class TaskForceOut(Schema):
    name: str
    duty: str
    unit: Ref | None
    phone: str


class MilestoneOut(Schema):
    kind: str
    name: str
    planned_date: date
    actual_date: date | None
    document_no: str
    overdue: bool


class PlanOut(Schema):
    year: int
    amount: str
    months: dict[str, str] = Field(description="Monthly phasing, month number → 万元; empty if not phased")


class ProjectDetailOut(Schema):
    id: int
    code: str | None
    name: str
    tags: list[TagOut]
    stage: str
    tier: str
    category: str
    chain: Ref | None
    location: Ref
    owner: str
    scope: str
    start_year: int
    end_year: int
    total_investment: str
    prior_completed: str
    responsible_leader: Ref | None
    lead_unit: Ref
    support_units: list[Ref] = Field(description="In order: the responsibility chain after the lead unit")
    task_force: list[TaskForceOut]
    milestones: list[MilestoneOut]
    plans: list[PlanOut]
    contact_name: str
    contact_phone: str


def _text(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


def _ref(obj, name_attr: str = "name") -> dict | None:
    return None if obj is None else {"id": obj.pk, "name": getattr(obj, name_attr)}


def _tags(project) -> list[dict]:
    return [{"code": tag.code, "name": tag.name} for tag in project.tags.all()]


@router.get("/", response=responses(ProjectPageOut), summary="Projects the reader may see, filtered and paginated")
def project_list(request, params: Query[ListParams]):
    check_paging(params, max_limit=MAX_LIMIT)
    user = request.user
    visible = gateway.visible_projects(user)
    data = {
        name: "" if value is None else str(value)
        for name, value in params.model_dump().items()
        if name not in ("limit", "offset")
    }
    form = ProjectFilterForm(data, user=user, tags=list(LevelTag.objects.order_by("sort_order", "id")))
    if not form.is_valid():
        raise HttpError(422, "; ".join(f"{name}: {' '.join(errors)}" for name, errors in form.errors.items()))
    period = form.selected_period() or default_period(gateway.default_unit(user))
    projects = queries.with_progress(queries.filter_projects(visible, form.filters()), period).for_list()
    projects = projects.order_by("id")
    count = projects.count()
    items = [
        {
            "id": p.pk,
            "code": p.code,
            "name": p.name,
            "tags": _tags(p),
            "stage": p.stage,
            "tier": p.tier,
            "category": p.category,
            "location": _ref(p.location_unit),
            "lead_unit": _ref(p.lead_unit),
            "responsible_leader": _ref(p.responsible_leader),
            "chain": _ref(p.chain),
            "annual_plan": _text(p.annual_plan),
            "ytd_completed": _text(p.ytd_completed),
            "completion_rate_percent": _text(p.completion_percent),
        }
        for p in queries.finish_progress(list(projects[params.offset : params.offset + params.limit]))
    ]
    return {
        "count": count,
        "limit": params.limit,
        "offset": params.offset,
        "period": str(period),
        "items": items,
    }


@router.get(
    "/{project_id}", response=responses(ProjectDetailOut, not_found=True), summary="One project: identity, the five ones, plans"
)
def project_detail(request, project_id: int = Path(..., ge=1, le=MAX_ID)):
    # The id is read by django-ninja, not by Django's <int:> converter: `/projects/abc` or `/projects/-1` is then a
    # JSON 422 as the schema says, not the site's HTML "page not found".
    p = queries.project_for_detail(gateway.visible_projects(request.user), project_id)
    if p is None:
        raise Http404("project not found")
    today = clock.today()
    return {
        "id": p.pk,
        "code": p.code,
        "name": p.name,
        "tags": _tags(p),
        "stage": p.stage,
        "tier": p.tier,
        "category": p.category,
        "chain": _ref(p.chain),
        "location": _ref(p.location_unit),
        "owner": p.owner,
        "scope": p.scope,
        "start_year": p.start_year,
        "end_year": p.end_year,
        "total_investment": _text(p.total_investment),
        "prior_completed": _text(p.prior_completed),
        "responsible_leader": _ref(p.responsible_leader),
        "lead_unit": _ref(p.lead_unit),
        "support_units": [_ref(link.unit) for link in p.support_links.all()],
        "task_force": [
            {"name": m.name, "duty": m.duty, "unit": _ref(m.unit), "phone": m.phone}
            for m in p.task_force.all()
        ],
        "milestones": [
            {
                "kind": m.kind,
                "name": m.name,
                "planned_date": m.planned_date,
                "actual_date": m.actual_date,
                "document_no": m.document_no,
                "overdue": queries.milestone_overdue(m, today),
            }
            for m in p.milestones.all()
        ],
        "plans": [
            {
                "year": plan.year,
                "amount": _text(plan.amount),
                "months": {str(pm.month): _text(pm.amount) for pm in plan.months.all()},
            }
            for plan in sorted(p.plans.all(), key=lambda plan: plan.year)
        ],
        "contact_name": p.contact_name,
        "contact_phone": p.contact_phone,
    }
