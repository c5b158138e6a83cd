"""Writes to the project library. Each service validates, writes and records its audit event."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from guatu import clock
from guatu.access import gateway
from guatu.audit import events
from guatu.audit.services import changes, snapshot
from guatu.audit.workflow import Step, Workflow, check_version
from guatu.lib.money import CENT
from guatu.orgs.models import Leader, OrgUnit
from guatu.projects.models import (
    AnnualPlan,
    Category,
    ChainKind,
    IndustryChain,
    LevelTag,
    Milestone,
    PlanMonth,
    Project,
    ProjectSupportUnit,
    Stage,
    TaskForceMember,
    Tier,
)
from guatu.projects.phasing import refresh_phasing

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


# The parts of a national investment-project code (投资项目统一代码), YYYY-AAAAAA-II-TT-NNNNNN.
CODE_PARTS = [
    (4, gettext_noop("year of issue")),
    (6, gettext_noop("administrative division code")),
    (2, gettext_noop("industry code")),
    (2, gettext_noop("project type code")),
    (6, gettext_noop("serial number")),
]
YEARS = (2000, 2100)  # plausible years of a project, and of a code's issue
MAX_AMOUNT = Decimal("999999999999.99")  # MONEY: 14 digits, 2 of them decimals
SCOPE_MAX_LENGTH = 2000
TASK_FORCE_LIMITS = {"name": 50, "duty": 100, "phone": 30}
ACTIVE_STAGES = tuple(stage for stage in Stage.values if stage != Stage.CANCELLED)


def project_code_error(code: str) -> str | None:
    """What is wrong with a national investment-project code, in words that say which part; None if nothing."""
    example = "2022-431381-44-01-000001"
    parts = code.split("-")
    if len(parts) != len(CODE_PARTS):
        return _(
            "Project code %(value)s must have five parts separated by hyphens, like %(example)s."
        ) % {"value": code, "example": example}
    for part, (width, label) in zip(parts, CODE_PARTS, strict=True):
        if len(part) != width or not (part.isascii() and part.isdigit()):
            return _(
                "In project code %(value)s the %(part)s must be %(width)s digits, not “%(got)s” (like %(example)s)."
            ) % {"value": code, "part": _(label), "width": width, "got": part, "example": example}
    year = int(parts[0])
    if not YEARS[0] <= year <= YEARS[1]:
        return _(
            "In project code %(value)s the year of issue %(year)s is not plausible (%(first)s-%(last)s)."
        ) % {"value": code, "year": year, "first": YEARS[0], "last": YEARS[1]}
    return None


def _normalized(data: ProjectInput) -> ProjectInput:
    """Text without surrounding blanks; an empty code is no code."""
    text = {
        name: (getattr(data, name) or "").strip()
        for name in ("name", "owner", "scope", "contact_name", "contact_phone")
    }
    task_force = [
        replace(m, name=m.name.strip(), duty=m.duty.strip(), phone=m.phone.strip()) for m in data.task_force
    ]
    money = {
        name: getattr(data, name).quantize(CENT)
        for name in ("total_investment", "prior_completed")
        if _amount_error("", getattr(data, name)) is None  # as stored, so an unchanged amount compares equal
    }
    return replace(data, code=(data.code or "").strip() or None, task_force=task_force, **text, **money)


def _amount_error(label, value) -> str | None:
    if not isinstance(value, Decimal) or not value.is_finite() or value.as_tuple().exponent < -2:
        return _("%(field)s must be an amount with at most 2 decimals.") % {"field": label}
    if value < 0 or value > MAX_AMOUNT:
        return _("%(field)s must be between 0 and %(max)s.") % {"field": label, "max": MAX_AMOUNT}
    return None


def _validate_project(data: ProjectInput) -> None:
    """Every rule a project's data must meet, each error under its field (the form shows it there)."""
    errors = {}

    def label(name):
        return Project._meta.get_field(name).verbose_name

    if data.code:
        if len(data.code) > Project._meta.get_field("code").max_length:
            errors["code"] = _("The project code is too long.")
        else:
            error = project_code_error(data.code)
            if error:
                errors["code"] = error
    for name in ("name", "owner"):
        if not getattr(data, name):
            errors[name] = _("%(field)s is required.") % {"field": label(name)}
    for name in ("name", "owner", "contact_name", "contact_phone"):
        limit = Project._meta.get_field(name).max_length
        if len(getattr(data, name)) > limit:
            errors[name] = _("%(field)s must be at most %(limit)s characters.") % {"field": label(name), "limit": limit}
    if len(data.scope) > SCOPE_MAX_LENGTH:
        errors["scope"] = _("%(field)s must be at most %(limit)s characters.") % {
            "field": label("scope"),
            "limit": SCOPE_MAX_LENGTH,
        }
    for name, choices in (("category", Category), ("tier", Tier), ("stage", Stage)):
        if getattr(data, name) not in choices.values:
            errors[name] = _("Choose a %(field)s from the list.") % {"field": label(name)}
    for name in ("start_year", "end_year"):
        if not isinstance(getattr(data, name), int) or not YEARS[0] <= getattr(data, name) <= YEARS[1]:
            errors[name] = _("%(field)s must be a year from %(first)s to %(last)s.") % {
                "field": label(name),
                "first": YEARS[0],
                "last": YEARS[1],
            }
    if not errors.keys() & {"start_year", "end_year"} and data.end_year < data.start_year:
        errors["end_year"] = _("End year %(end)s is before start year %(start)s.") % {
            "end": data.end_year,
            "start": data.start_year,
        }
    for name in ("total_investment", "prior_completed"):
        error = _amount_error(label(name), getattr(data, name))
        if error:
            errors[name] = error
    if len(set(data.support_units)) != len(data.support_units):
        errors["support_units"] = _("A support unit is listed twice.")
    elif data.lead_unit in data.support_units:
        errors["support_units"] = _("The lead unit %(unit)s is not also a support unit.") % {
            "unit": data.lead_unit.display_name
        }
    member_errors = []
    for i, member in enumerate(data.task_force, 1):
        if not member.name:
            member_errors.append(_("Task force row %(row)s: the name is required.") % {"row": i})
        for name, limit in TASK_FORCE_LIMITS.items():
            if len(getattr(member, name)) > limit:
                member_errors.append(
                    _("Task force row %(row)s: %(field)s must be at most %(limit)s characters.")
                    % {"row": i, "field": TaskForceMember._meta.get_field(name).verbose_name, "limit": limit}
                )
    if member_errors:
        errors["task_force"] = member_errors
    if errors:
        raise ValidationError(errors)


def find_duplicate(
    *, code: str | None, name: str, county: OrgUnit, exclude: Project | None = None
) -> Project | None:
    """The project this one would duplicate: the one with the same code anywhere (codes are national), or the
    one with the same name in the county (jurisdiction) whose library it joins."""
    projects = Project.objects.all() if exclude is None else Project.objects.exclude(pk=exclude.pk)
    if code:
        found = projects.filter(code=code).first()
        if found is not None:
            return found
    return projects.in_unit(county).filter(name=name.strip()).order_by("id").first()


def _refuse_below_reserve_entry(data: ProjectInput) -> None:
    """A new project entering the reserve (储备库) meets its entry criteria for its category as the jurisdiction
    has them (guatu.reserve.rules): the minimum total investment and the documents, given as milestones. Projects
    taken in at a higher tier (an office's dispatch table, a converted lead) are the library as it stands."""
    if data.tier != Tier.RESERVE:
        return
    from guatu.reserve import rules as tier_rules  # the reserve app builds on this one

    rules = tier_rules.rules_of(gateway.jurisdiction(data.location_unit))
    found = tier_rules.entry_refusals(
        rules,
        tier=Tier.RESERVE,
        category=data.category,
        total_investment=data.total_investment,
        kinds={milestone.kind for milestone in data.milestones},
    )
    if found:
        raise ValidationError(found)  # the minimum next to the total investment; documents on top of a form


def _refuse_duplicate(data: ProjectInput, *, exclude: Project | None = None) -> None:
    county = gateway.jurisdiction(data.location_unit)
    found = find_duplicate(code=data.code, name=data.name, county=county, exclude=exclude)
    if found is None:
        return
    existing = {"name": found.name, "code": found.code or _("no code")}
    if data.code and found.code == data.code:
        message = _("Project code %(code)s is already used by the project “%(name)s”.") % existing
        raise ValidationError({"code": message})
    message = _("%(county)s already has a project named “%(name)s” (project code: %(code)s).") % {
        **existing,
        "county": county.name,
    }
    raise ValidationError({"name": message})


def _require_maintainer(by, data: ProjectInput | None = None, project: Project | None = None) -> None:
    """The actor must maintain the library the project is in (and, with `data`, the one it would be in);
    the units and leader it names must be of that jurisdiction. None and a command-line loader act as the
    system."""
    if by is None or gateway.is_system_actor(by):
        return
    if project is not None and not gateway.can_maintain_library(by, project):
        raise PermissionDenied(_("You may not maintain this project."))
    if data is None:
        return
    if not gateway.can_maintain_library(by, Project(location_unit=data.location_unit, lead_unit=data.lead_unit)):
        raise PermissionDenied(_("You may not maintain the projects of %(unit)s.") % {"unit": data.location_unit.name})
    root = gateway.library_root(by)
    if root is None:  # a superuser without a unit: every jurisdiction
        return
    errors = {}
    for name, units in (
        ("location_unit", [data.location_unit]),
        ("lead_unit", [data.lead_unit]),
        ("support_units", data.support_units),
        ("task_force", [m.unit for m in data.task_force if m.unit is not None]),
    ):
        outside = [unit.name for unit in units if not unit.is_within(root)]
        if outside:
            errors[name] = _("Not a unit of %(root)s: %(units)s.") % {"root": root.name, "units": "、".join(outside)}
    if data.responsible_leader is not None and not data.responsible_leader.org_unit.is_within(root):
        errors["responsible_leader"] = _("%(leader)s is not a leader of %(root)s.") % {
            "leader": data.responsible_leader.name,
            "root": root.name,
        }
    if errors:
        raise ValidationError(errors)


def _member_text(member: TaskForceInput | TaskForceMember) -> str:
    """A task force member as the history shows them: 张三（专班长，市发改局，138…）."""
    details = [member.duty, member.unit.display_name if member.unit else "", member.phone]
    details = [d for d in details if d]
    return f"{member.name}（{'，'.join(details)}）" if details else member.name


def _audited(project: Project) -> dict:
    """The project's audited state: its fields, tags by code, support units in order by id, the task force."""
    state = snapshot(project, PROJECT_FIELDS)
    state["tags"] = sorted(project.tags.values_list("code", flat=True))
    state["support_units"] = list(project.support_links.order_by("position").values_list("unit_id", flat=True))
    state["task_force"] = [_member_text(m) for m in project.task_force.select_related("unit")]
    return state


def _audited_input(project: Project, data: ProjectInput) -> dict:
    """What `_audited` will read once `data` is written (the project's own fields already set from it)."""
    state = snapshot(project, PROJECT_FIELDS)
    state["tags"] = sorted(tag.code for tag in data.tags)
    state["support_units"] = [unit.pk for unit in data.support_units]
    state["task_force"] = [_member_text(m) for m in data.task_force]
    return state


def _write_links(project: Project, data: ProjectInput) -> None:
    """Tags, support units (in order) and task force, replacing what the project had."""
    project.tags.set(data.tags)
    project.support_links.all().delete()
    ProjectSupportUnit.objects.bulk_create(
        ProjectSupportUnit(project=project, unit=unit, position=i) for i, unit in enumerate(data.support_units, 1)
    )
    project.task_force.all().delete()
    TaskForceMember.objects.bulk_create(
        TaskForceMember(project=project, position=i, name=m.name, duty=m.duty, unit=m.unit, phone=m.phone)
        for i, m in enumerate(data.task_force, 1)
    )


@transaction.atomic
def project_create(*, data: ProjectInput, by=None) -> Project:
    """A new project of the library with its "five ones" and milestones; refused when it duplicates one.
    `by=None` (tests, the demo loader) acts as the system; a person must maintain the library it joins."""
    data = _normalized(data)
    _require_maintainer(by, data)
    _validate_project(data)
    _refuse_duplicate(data)
    _refuse_below_reserve_entry(data)
    now = clock.now()
    project = Project.objects.create(
        **{name: getattr(data, name) for name in PROJECT_FIELDS}, created_at=now, updated_at=now
    )
    _write_links(project, data)
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
    events.project_created(project, after=_audited_input(project, data), by=by)
    return project


# The stage moves by its own steps (below), the tier only by guatu.reserve.services.project_change_tier.
UPDATED_FIELDS = [name for name in PROJECT_FIELDS if name not in ("stage", "tier")]


def project_input(project: Project) -> ProjectInput:
    """The project as it is, as input to `project_update` (change what differs: `dataclasses.replace`)."""
    return ProjectInput(
        **{name: getattr(project, name) for name in PROJECT_FIELDS},
        tags=list(project.tags.all()),
        support_units=[link.unit for link in project.support_links.select_related("unit").order_by("position")],
        task_force=[
            TaskForceInput(name=m.name, duty=m.duty, unit=m.unit, phone=m.phone)
            for m in project.task_force.select_related("unit")
        ],
    )


def project_update(*, project: Project, data: ProjectInput, expected_version: int | None, by) -> Project:
    """Replace the project's fields, tags, support units (in order) and task force with `data`.

    The stage is not changed here (`project_change_stage`, `project_cancel` and `project_restore` do it, with a
    reason), nor the milestones (guatu.projects.schedule). Refused without the version the data was read at,
    or over a newer one; nothing is written, and no event recorded, when nothing changed."""
    data = _normalized(data)
    with transaction.atomic():
        project = Project.objects.select_for_update().select_related("location_unit", "lead_unit").get(pk=project.pk)
        _require_maintainer(by, data, project)
        check_version(project, expected_version, changed_at=project.updated_at)
        _validate_project(replace(data, stage=project.stage))
        _refuse_duplicate(data, exclude=project)
        before = _audited(project)
        for name in UPDATED_FIELDS:
            setattr(project, name, getattr(data, name))
        after = _audited_input(project, data)
        old, new = changes(before, after)
        if not new:
            project.refresh_from_db()
            return project
        project.version += 1
        project.updated_at = clock.now()
        project.save(update_fields=[*UPDATED_FIELDS, "version", "updated_at"])
        _write_links(project, data)
        events.project_updated(project, before=old, after=new, by=by)
    return project


# --- the project's stage: cancel, restore, change with a reason ------------------------------------------------

STAGE_WORKFLOW = Workflow(
    status_field="stage",
    audited_fields=["stage", "stage_before_cancel"],
    steps=[
        Step("project.cancel", ACTIVE_STAGES, Stage.CANCELLED, gettext_noop("cancelled"), needs_reason=True),
        Step("project.restore", (Stage.CANCELLED,), None, gettext_noop("restored"), needs_reason=True),
        Step("project.stage", ACTIVE_STAGES, None, gettext_noop("moved to another stage"), needs_reason=True),
    ],
)


def _stage_step(project: Project, *, action: str, by, expected_version: int | None, reason: str, on_step) -> Project:
    with transaction.atomic():
        project = Project.objects.select_for_update().select_related("location_unit", "lead_unit").get(pk=project.pk)
        _require_maintainer(by, project=project)
        return STAGE_WORKFLOW.run(
            project,
            action=action,
            by=by,
            expected_version=expected_version,
            reason=reason,
            project=project,
            on_step=on_step(project.stage),
        )


def project_cancel(*, project: Project, reason: str, expected_version: int | None, by) -> Project:
    """Cancel a project (撤销): it leaves every total; the stage it had is kept for a restore."""

    def keep(previous):
        def on_step(obj, step, now, reason):
            obj.stage_before_cancel = previous
            return ["stage_before_cancel"]

        return on_step

    return _stage_step(project, action="project.cancel", by=by, expected_version=expected_version, reason=reason, on_step=keep)


def project_restore(*, project: Project, reason: str, expected_version: int | None, by) -> Project:
    """Restore a cancelled project to the stage it had (planning, if that is unknown)."""

    def back(previous):
        def on_step(obj, step, now, reason):
            obj.stage = obj.stage_before_cancel or Stage.PLANNING
            obj.stage_before_cancel = ""
            return ["stage_before_cancel"]

        return on_step

    return _stage_step(project, action="project.restore", by=by, expected_version=expected_version, reason=reason, on_step=back)


def project_change_stage(*, project: Project, stage: str, reason: str, expected_version: int | None, by) -> Project:
    """Move a project to another stage (谋划 → 前期 → 新开工 → 续建 → 竣工投产), with a reason. Cancelling and
    restoring are their own steps."""
    if stage == Stage.CANCELLED:
        raise ValidationError({"stage": _("To cancel a project, use “Cancel project”, which keeps its stage.")})
    if stage not in ACTIVE_STAGES:
        raise ValidationError({"stage": _("Choose a stage from the list.")})
    if stage == project.stage:
        raise ValidationError({"stage": _("The project is at this stage already.")})

    def move(previous):
        def on_step(obj, step, now, reason):
            obj.stage = stage
            return []

        return on_step

    return _stage_step(project, action="project.stage", by=by, expected_version=expected_version, reason=reason, on_step=move)


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
    refresh_phasing(AnnualPlan.objects.filter(pk=plan.pk))  # its phased columns, in this transaction
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
CHAIN_FIELDS = ["jurisdiction", "name", "kind", "chief", "lead_unit", "sort_order"]


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


def chain_problems(
    *, jurisdiction: OrgUnit, name: str, chief: Leader | None, lead_unit: OrgUnit | None, sort_order: int
) -> dict[str, str]:
    """What is wrong with a chain's fields, by field, in Chinese: the name within its column and unique in the
    jurisdiction, the chief a leader in post of the jurisdiction, the lead department one of its units."""
    errors = {}
    name_field = IndustryChain._meta.get_field("name")
    if not name:
        errors["name"] = _("Enter the chain's name.")
    elif len(name) > name_field.max_length:
        errors["name"] = _("%(field)s is too long: at most %(limit)s characters.") % {
            "field": name_field.verbose_name,
            "limit": name_field.max_length,
        }
    if chief is not None and not (chief.is_active and chief.org_unit.is_within(jurisdiction)):
        errors["chief"] = _("The chain chief must be a leader in post of %(unit)s.") % {"unit": jurisdiction.name}
    if lead_unit is not None and not lead_unit.is_within(jurisdiction):
        errors["lead_unit"] = _("The lead department must be a unit of %(unit)s.") % {"unit": jurisdiction.name}
    if not 0 <= sort_order <= 32767:
        errors["sort_order"] = _("The sort order is a number from 0 to 32767.")
    return errors


@transaction.atomic
def chain_create(
    *,
    name: str,
    jurisdiction: OrgUnit | None = None,
    kind: str = ChainKind.MAIN,
    chief: Leader | None = None,
    lead_unit: OrgUnit | None = None,
    sort_order: int = 0,
    by=None,
) -> IndustryChain:
    """A new industry chain of a jurisdiction (by default its lead unit's). The chains app's pages call this
    after checking the user may manage the jurisdiction's chains."""
    if jurisdiction is None:
        if lead_unit is None:
            raise ValidationError({"jurisdiction": _("Choose the jurisdiction the chain belongs to.")})
        jurisdiction = gateway.jurisdiction(lead_unit)
    name = name.strip()
    errors = chain_problems(
        jurisdiction=jurisdiction, name=name, chief=chief, lead_unit=lead_unit, sort_order=sort_order
    )
    if kind not in ChainKind.values:
        errors["kind"] = _("Choose main or auxiliary chain.")
    if not errors and IndustryChain.objects.filter(jurisdiction=jurisdiction, name=name).exists():
        errors["name"] = _("An industry chain named %(name)s exists already.") % {"name": name}
    if errors:
        raise ValidationError(errors)
    chain = IndustryChain.objects.create(
        jurisdiction=jurisdiction, name=name, kind=kind, chief=chief, lead_unit=lead_unit, sort_order=sort_order
    )
    events.chain_created(chain, after=snapshot(chain, CHAIN_FIELDS), by=by)
    return chain
