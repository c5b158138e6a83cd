"""Writes to the project library. Each service validates, writes and records its audit event."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from guatu.audit import events
from guatu.audit.services import snapshot
from guatu.orgs.models import Leader, OrgUnit
from guatu.projects.models import (
    AnnualPlan,
    IndustryChain,
    LevelTag,
    Milestone,
    PlanMonth,
    Project,
    ProjectSupportUnit,
    TaskForceMember,
)

PROJECT_CODE = re.compile(r"^\d{4}-\d{6}-\d{2}-\d{2}-\d{6}$")
PROJECT_FIELDS = [
    "code",
    "name",
    "stage",
    "tier",
    "category",
    "chain",
    "location_unit",
    "owner",
    "scope",
    "start_year",
    "end_year",
    "total_investment",
    "prior_completed",
    "responsible_leader",
    "lead_unit",
    "contact_name",
    "contact_phone",
]


@dataclass
class MilestoneInput:
    kind: str
    name: str
    planned_date: date
    actual_date: date | None = None
    document_no: str = ""


@dataclass
class TaskForceInput:
    name: str
    duty: str = ""
    unit: OrgUnit | None = None
    phone: str = ""


@dataclass
class ProjectInput:
    name: str
    category: str
    location_unit: OrgUnit
    lead_unit: OrgUnit
    owner: str
    start_year: int
    end_year: int
    total_investment: Decimal
    code: str | None = None
    stage: str = "planning"
    tier: str = "reserve"
    chain: IndustryChain | None = None
    scope: str = ""
    prior_completed: Decimal = Decimal("0")
    responsible_leader: Leader | None = None
    contact_name: str = ""
    contact_phone: str = ""
    tags: list[LevelTag] = field(default_factory=list)
    support_units: list[OrgUnit] = field(default_factory=list)
    task_force: list[TaskForceInput] = field(default_factory=list)
    milestones: list[MilestoneInput] = field(default_factory=list)


def _validate_project(data: ProjectInput) -> None:
    errors = {}
    if data.code and not PROJECT_CODE.match(data.code):
        errors["code"] = _(
            "Project code must look like 2022-431381-44-01-000001 (you entered %(value)s)."
        ) % {"value": data.code}
    if data.end_year < data.start_year:
        errors["end_year"] = _("End year %(end)s is before start year %(start)s.") % {
            "end": data.end_year,
            "start": data.start_year,
        }
    for name in ("total_investment", "prior_completed"):
        value = getattr(data, name)
        if value < 0 or value.as_tuple().exponent < -2:
            errors[name] = _("%(field)s must be a non-negative amount with at most 2 decimals.") % {
                "field": Project._meta.get_field(name).verbose_name
            }
    if len(set(data.support_units)) != len(data.support_units):
        errors["support_units"] = _("A support unit is listed twice.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def project_create(*, data: ProjectInput, by=None) -> Project:
    _validate_project(data)
    project = Project.objects.create(**{name: getattr(data, name) for name in PROJECT_FIELDS})
    project.tags.set(data.tags)
    ProjectSupportUnit.objects.bulk_create(
        ProjectSupportUnit(project=project, unit=unit, position=i)
        for i, unit in enumerate(data.support_units, 1)
    )
    TaskForceMember.objects.bulk_create(
        TaskForceMember(project=project, position=i, name=m.name, duty=m.duty, unit=m.unit, phone=m.phone)
        for i, m in enumerate(data.task_force, 1)
    )
    Milestone.objects.bulk_create(
        Milestone(
            project=project,
            position=i,
            kind=m.kind,
            name=m.name,
            planned_date=m.planned_date,
            actual_date=m.actual_date,
            document_no=m.document_no,
        )
        for i, m in enumerate(data.milestones, 1)
    )
    after = snapshot(project, PROJECT_FIELDS)
    after["tags"] = sorted(tag.code for tag in data.tags)
    after["support_units"] = [unit.pk for unit in data.support_units]
    events.project_created(project, after=after, by=by)
    return project


@transaction.atomic
def annual_plan_set(
    *, project: Project, year: int, amount: Decimal, months: dict[int, Decimal] | None = None, by=None
) -> AnnualPlan:
    """Set a project's plan for a year, optionally phased by month; the months must add up to the plan."""
    errors = {}
    if amount < 0 or amount.as_tuple().exponent < -2:
        errors["amount"] = _("Annual plan must be a non-negative amount with at most 2 decimals.")
    if not project.start_year <= year <= project.end_year:
        errors["year"] = _("Year %(year)s is outside the project's construction years %(start)s-%(end)s.") % {
            "year": year,
            "start": project.start_year,
            "end": project.end_year,
        }
    if months:
        if any(not 1 <= m <= 12 for m in months):
            errors["months"] = _("Months are numbered 1 to 12.")
        elif sum(months.values(), Decimal(0)) != amount:
            errors["months"] = _(
                "The monthly phasing adds up to %(sum)s, not the annual plan %(amount)s."
            ) % {
                "sum": sum(months.values(), Decimal(0)),
                "amount": amount,
            }
    if errors:
        raise ValidationError(errors)
    plan, created = AnnualPlan.objects.select_for_update().get_or_create(
        project=project, year=year, defaults={"amount": amount}
    )
    before = {} if created else {"amount": format(plan.amount, "f"), "months": _months_of(plan)}
    if not created:
        plan.amount = amount
        plan.version += 1  # a form read at the previous version (schedule.annual_plan_save) is now stale
        plan.save(update_fields=["amount", "version"])
    plan.months.all().delete()
    if months:
        PlanMonth.objects.bulk_create(
            PlanMonth(plan=plan, month=m, amount=v) for m, v in sorted(months.items())
        )
    after = {
        "year": year,
        "amount": format(amount, "f"),
        "months": {str(m): format(v, "f") for m, v in sorted((months or {}).items())},
    }
    events.plan_set(plan, before=before, after=after, by=by)
    return plan


def _months_of(plan: AnnualPlan) -> dict[str, str]:
    return {str(pm.month): format(pm.amount, "f") for pm in plan.months.all()}


TAG_FIELDS = ["code", "name", "bulletin_label", "sort_order", "in_bulletin"]
CHAIN_FIELDS = ["name", "chief", "lead_unit", "master_firms"]


@transaction.atomic
def level_tag_create(
    *, code: str, name: str, bulletin_label: str, sort_order: int = 0, in_bulletin: bool = True, by=None
) -> LevelTag:
    """A key-project list (level tag); the list of tags is configuration, not code."""
    if LevelTag.objects.filter(code=code).exists():
        raise ValidationError({"code": _("A level tag with code %(code)s exists already.") % {"code": code}})
    tag = LevelTag.objects.create(
        code=code, name=name, bulletin_label=bulletin_label, sort_order=sort_order, in_bulletin=in_bulletin
    )
    events.level_tag_created(tag, after=snapshot(tag, TAG_FIELDS), by=by)
    return tag


@transaction.atomic
def chain_create(
    *,
    name: str,
    chief: Leader | None = None,
    lead_unit: OrgUnit | None = None,
    master_firms: str = "",
    by=None,
) -> IndustryChain:
    if IndustryChain.objects.filter(name=name).exists():
        raise ValidationError(
            {"name": _("An industry chain named %(name)s exists already.") % {"name": name}}
        )
    chain = IndustryChain.objects.create(
        name=name, chief=chief, lead_unit=lead_unit, master_firms=master_firms
    )
    events.chain_created(chain, after=snapshot(chain, CHAIN_FIELDS), by=by)
    return chain
