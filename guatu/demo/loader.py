"""Writes the demo into the database: through the services where they exist, audited either way.

The county, its lists and projects are written by an inactive account, `demo_loader` (演示数据导入), that
cannot log in: a report must have a `filled_by`, and the audit trail should say truthfully that the data was
imported. Reports are bulk-inserted with one `report.import` audit event each, carrying the full audited
snapshot, so that replaying a report's history gives its current state.

What people do with the data (raise and handle problems, enter and approve assessment values) is done by
demo staff (data.STAFF): active accounts without a usable password, acting through the services with the
permissions of their role (dispatch.py, assessment.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from django.apps import apps
from django.db import connection, models, transaction
from django.db.models import ProtectedError, Q, RestrictedError
from django.utils import timezone
from django.utils.translation import gettext as _

from guatu.accounts.models import Role, User
from guatu.accounts.services import user_create
from guatu.assessment.models import HeadlineIndicator, Indicator
from guatu.audit import chain, guards
from guatu.audit.models import AuditEvent
from guatu.audit.services import snapshot
from guatu.demo import data
from guatu.demo.assessment import load_assessment
from guatu.demo.attraction import load_attraction
from guatu.demo.chains import load_chains
from guatu.demo.dates import as_on
from guatu.demo.dispatch import load_dispatch, load_lights
from guatu.demo.enterprises import load_enterprises
from guatu.demo.generate import ProjectSpec, build_projects
from guatu.demo.reserve import load_reserve
from guatu.orgs.models import Leader, OrgUnit, OrgUnitKind
from guatu.orgs.services import leader_create, orgunit_create
from guatu.projects.models import ChainKind, IndustryChain, LevelTag, Project
from guatu.projects.services import (
    MilestoneInput,
    ProjectInput,
    TaskForceInput,
    annual_plan_set,
    chain_create,
    level_tag_create,
    project_create,
)
from guatu.reports.models import MonthlyReport, ReportStatus
from guatu.reports.rollups import rebuild_rollups
from guatu.reports.services import AUDITED_FIELDS

# How many workflow steps a report in each status has been through (create, submit, approve/return).
VERSION_BY_STATUS = {
    ReportStatus.DRAFT: 1,
    ReportStatus.SUBMITTED: 2,
    ReportStatus.APPROVED: 3,
    ReportStatus.RETURNED: 3,
}


class DemoError(Exception):
    """The demo cannot be loaded or deleted without touching data it does not own."""


@dataclass(frozen=True)
class LoadCounts:
    units: int
    leaders: int
    projects: int
    reports: int
    lights: int = 0
    problems: int = 0
    orders: int = 0
    meetings: int = 0
    indicators: int = 0
    schemes: int = 0
    values: int = 0
    users: list[str] | None = None  # demo logins created with the data


@dataclass(frozen=True)
class DeleteCounts:
    projects: int
    reports: int
    units: int
    users: int
    audit_events: int


# ---- finding the demo


def demo_root() -> OrgUnit | None:
    return OrgUnit.objects.filter(
        parent=None, name=data.ROOT["name"], division_code=data.DIVISION_CODE
    ).first()


def is_demo_root(root: OrgUnit) -> bool:
    """True when the demo loader created this unit: the mark that the subtree is demo data, not real data."""
    return AuditEvent.objects.filter(
        object_type=OrgUnit._meta.model_name,
        object_id=root.pk,
        action="orgunit.create",
        actor__username=data.LOADER_USERNAME,
    ).exists()


def loaded_root() -> OrgUnit | None:
    """The demo's root unit if the demo is loaded; DemoError if a 冷水江市 exists that the demo did not create."""
    root = demo_root()
    if root is not None and not is_demo_root(root):
        raise DemoError(
            _(
                "%(unit)s (%(code)s) already exists and was not created by the demo: the demo will not mix its "
                "data with it, nor delete it. Use an empty database for the demo."
            )
            % {"unit": root.name, "code": root.division_code}
        )
    return root


def demo_users():
    """The demo logins (one per role, one shared password)."""
    return User.objects.filter(username__in=[u.username for u in data.USERS])


def demo_staff():
    """The demo's actors without a usable password."""
    return User.objects.filter(username__in=[u.username for u in data.STAFF])


def _loader_user() -> User:
    user = User.objects.filter(username=data.LOADER_USERNAME).first()
    if user is None:
        user = user_create(
            username=data.LOADER_USERNAME,
            password=None,
            org_unit=None,
            role=Role.VIEWER,
            first_name=data.LOADER_FULL_NAME,
            is_active=False,
        )
    return user


def unit_index(root: OrgUnit) -> dict[str, OrgUnit]:
    """Units by every name the demo data uses: full name, short name (市住建局) and the root's name."""
    index = {}
    for unit in OrgUnit.objects.subtree(root):
        index[unit.name] = unit
        if unit.short_name:
            index.setdefault(unit.short_name, unit)
    return index


# ---- loading


@transaction.atomic
def load_demo(*, with_users: bool = False) -> LoadCounts | None:
    """Load the demo county; None (and nothing written) when it is already there.

    Each step is dated on its day (dates.as_on), whatever the real date: the county, its lists, projects and
    accounts on data.SETUP_DAY; each report as it stood after its last step; the dispatch story and the
    assessment on their days, none after data.DEMO_DAY.

    With `with_users` the demo logins are created before the dispatch story, so that they receive its
    notifications (a problem assigned to their unit, an escalation to their leader)."""
    if loaded_root() is not None:
        return None
    with as_on(data.SETUP_DAY):
        loader = _loader_user()
        root = _county(loader)
        units = unit_index(root)
        leaders = {
            leader.key: leader_create(
                name=leader.name,
                post=leader.post,
                org_unit=root,
                is_principal=leader.is_principal,
                sort_order=order,
                by=loader,
            )
            for order, leader in enumerate(data.LEADERS, 1)
        }
        tags = _tags(loader)
        chains = _chains(loader, units, leaders)
        specs = build_projects()
        projects = [_project(spec, units, leaders, tags, chains, loader) for spec in specs]
        logins = ensure_demo_users(root) if with_users else []
        staff = _staff(units, leaders, loader)
    reports = _import_reports(list(zip(projects, specs, strict=True)), loader)
    refresh_planner_statistics()
    lights = load_lights(root=root, by=staff["demo_guanli"])
    dispatch = load_dispatch(root=root, units=units, leaders=leaders, staff=staff)
    refresh_planner_statistics()
    assessment = load_assessment(root=root, units=units, leaders=leaders, staff=staff, loader=loader)
    load_enterprises(root=root, units=units, leaders=leaders, staff=staff, chains=chains)
    load_chains(root=root, units=units, leaders=leaders, staff=staff, chains=chains)
    load_attraction(root=root, units=units, leaders=leaders, staff=staff, chains=chains)
    load_reserve(root=root, units=units, leaders=leaders, staff=staff, chains=chains)
    return LoadCounts(
        units=OrgUnit.objects.subtree(root).count(),
        leaders=len(leaders),
        projects=len(projects),
        reports=reports,
        lights=lights,
        problems=dispatch.problems,
        orders=dispatch.orders,
        meetings=dispatch.meetings,
        indicators=assessment.indicators,
        schemes=assessment.schemes,
        values=assessment.values,
        users=logins,
    )


def _county(loader: User) -> OrgUnit:
    """The county, its streets, townships and zone, and its departments."""
    root = orgunit_create(
        name=data.ROOT["name"],
        kind=OrgUnitKind.COUNTY,
        short_name=data.ROOT["short_name"],
        aliases=data.ROOT["aliases"],
        division_code=data.DIVISION_CODE,
        by=loader,
    )
    for order, (name, kind, short_name, aliases) in enumerate(data.AREAS, 1):
        orgunit_create(
            name=name,
            kind=kind,
            parent=root,
            short_name=short_name,
            aliases=aliases,
            sort_order=order,
            by=loader,
        )
    for order, (name, short_name, aliases) in enumerate(data.DEPARTMENTS, 100):
        orgunit_create(
            name=name,
            kind=OrgUnitKind.DEPARTMENT,
            parent=root,
            short_name=short_name,
            aliases=aliases,
            sort_order=order,
            by=loader,
        )
    return root


def refresh_planner_statistics() -> None:
    """On PostgreSQL, ANALYZE the tables after a bulk load, inside the loading transaction (which sees its own
    rows). The planner estimates rows from table statistics; when autovacuum last analyzed a table while
    it held only dead rows (tests that roll back, a demo reset), it believes the table is empty, plans
    nested loops over what are now thousands of rows, and one lights query takes minutes, not milliseconds."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _tags(loader: User) -> dict[str, LevelTag]:
    """The four lists; an existing tag with the same code is kept as it is."""
    tags = {}
    for code, name, label, order, in_bulletin in data.TAGS:
        tags[code] = LevelTag.objects.filter(code=code).first() or level_tag_create(
            code=code, name=name, bulletin_label=label, sort_order=order, in_bulletin=in_bulletin, by=loader
        )
    return tags


MAIN_CHAINS = {"steel", "antimony", "fasteners", "refractories"}  # 主导产业链; the others are 配套产业链


def _chains(loader: User, units: dict[str, OrgUnit], leaders: dict[str, Leader]) -> dict[str, IndustryChain]:
    return {
        chain.key: chain_create(
            name=chain.name,
            kind=ChainKind.MAIN if chain.key in MAIN_CHAINS else ChainKind.AUXILIARY,
            chief=leaders[chain.chief],
            lead_unit=units[chain.lead],
            sort_order=order,
            by=loader,
        )
        for order, chain in enumerate(data.CHAINS, start=1)
    }


def _staff(units: dict[str, OrgUnit], leaders: dict[str, Leader], loader: User) -> dict[str, User]:
    """The demo's actors: active, so the services let them act, but without a usable password."""
    existing = {user.username: user for user in demo_staff()}
    return {
        spec.username: existing.get(spec.username)
        or user_create(
            username=spec.username,
            password=None,
            org_unit=units[spec.unit],
            role=spec.role,
            first_name=spec.full_name,
            leader=leaders[spec.leader] if spec.leader else None,
            by=loader,
        )
        for spec in data.STAFF
    }


def _project(spec: ProjectSpec, units, leaders, tags, chains, loader: User) -> Project:
    project = project_create(
        data=ProjectInput(
            name=spec.name,
            category=spec.category,
            location_unit=units[spec.location],
            lead_unit=units[spec.lead],
            owner=spec.owner,
            start_year=spec.start_year,
            end_year=spec.end_year,
            total_investment=spec.total_investment,
            code=spec.code,
            stage=spec.stage,
            tier=spec.tier,
            chain=chains.get(spec.chain),
            scope=spec.scope,
            prior_completed=spec.prior_completed,
            responsible_leader=leaders[spec.leader],
            contact_name=spec.contact_name,
            tags=[tags[code] for code in spec.tags],
            support_units=[units[key] for key in spec.support],
            task_force=[
                TaskForceInput(name=m.name, duty=m.duty, unit=units[m.unit]) for m in spec.task_force
            ],
            milestones=[
                MilestoneInput(
                    kind=m.kind,
                    name=m.name,
                    planned_date=m.planned,
                    actual_date=m.actual,
                    document_no=m.document_no,
                )
                for m in spec.milestones
            ],
        ),
        by=loader,
    )
    if spec.plan is not None:
        months = dict(enumerate(spec.plan_months, 1)) if spec.plan_months else None
        annual_plan_set(project=project, year=data.YEAR, amount=spec.plan, months=months, by=loader)
    return project


def _at(day: date | None) -> datetime | None:
    if day is None:
        return None
    return timezone.make_aware(datetime.combine(day, time(10, 0)))


def _import_reports(pairs: list[tuple[Project, ProjectSpec]], loader: User) -> int:
    """All reports in one insert, then one audit event each with the full snapshot (action report.import),
    dated when the report reached the state it is imported in."""
    reports = []
    for project, spec in pairs:
        for r in spec.reports:
            submitted, reviewed, drafted = _at(r.submitted_on), _at(r.reviewed_on), _at(r.drafted_on)
            reports.append(
                MonthlyReport(
                    project=project,
                    year=data.YEAR,
                    month=r.month,
                    amount=r.amount,
                    statistical_amount=r.statistical_amount,
                    physical_progress=r.physical_progress,
                    problems=r.problems,
                    next_month_plan=r.next_month_plan,
                    status=r.status,
                    return_reason=r.return_reason,
                    version=VERSION_BY_STATUS[r.status],
                    filled_by=loader,
                    submitted_at=submitted,
                    reviewed_by=loader if reviewed else None,
                    reviewed_at=reviewed,
                    updated_at=reviewed or submitted or drafted,
                )
            )
    MonthlyReport.objects.bulk_create(reports, batch_size=500)
    rebuild_rollups({report.project_id for report in reports})  # written without the services
    imported = AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                at=report.updated_at,  # imported as it stood after its last step
                actor=loader,
                action="report.import",
                object_type=MonthlyReport._meta.model_name,
                object_id=report.pk,
                project_id=report.project_id,
                after=snapshot(report, AUDITED_FIELDS),
                reason="演示数据",
            )
            for report in reports
        ],
        batch_size=500,
    )
    chain.mark_pending(*imported)  # sealed into the audit chain once the load commits
    return len(reports)


# ---- users


@dataclass(frozen=True)
class DemoLogin:
    username: str
    full_name: str
    role: str
    unit: str


def missing_demo_users() -> list[data.UserData]:
    existing = set(demo_users().values_list("username", flat=True))
    return [u for u in data.USERS if u.username not in existing]


def ensure_demo_users(root: OrgUnit) -> list[str]:
    """Create the demo users that are missing (one per role, one shared password); returns the usernames created."""
    missing = missing_demo_users()
    if not missing:
        return []
    loader = _loader_user()
    units = unit_index(root)
    leaders = {leader.name: leader for leader in Leader.objects.filter(org_unit=root)}
    leader_names = {leader.key: leader.name for leader in data.LEADERS}
    created = []
    for spec in missing:
        created.append(
            user_create(
                username=spec.username,
                password=data.DEMO_PASSWORD,
                check_password=False,  # the published demo password is short on purpose
                org_unit=units[spec.unit],
                role=spec.role,
                first_name=spec.full_name,
                leader=leaders[leader_names[spec.leader]] if spec.leader else None,
                by=loader,
            )
        )
    return [spec.username for spec in missing]


def demo_logins() -> list[DemoLogin]:
    return [
        DemoLogin(
            username=user.username,
            full_name=user.get_full_name(),
            role=str(Role(user.role).label),
            unit=user.org_unit.name if user.org_unit else "",
        )
        for user in demo_users().select_related("org_unit").order_by("id")
    ]


# ---- deleting

# The models delete_demo empties itself, in order; rows of any other model that protect demo rows from
# deletion (a problem raised on a demo project, a meeting convened by a demo leader, a scheme of the demo
# county, a value a demo reporter entered) are demo data too, and go first.
OWN_MODELS = (MonthlyReport, AuditEvent, Project, IndustryChain, User, Leader, LevelTag, OrgUnit)
BLOCKING = (models.PROTECT, models.RESTRICT)
Rows = list[tuple[type[models.Model], set[int] | list[int]]]


def _dependents(targets: dict[type[models.Model], list[int]]) -> Rows:
    """Rows of other models that protect `targets` from deletion, directly or through each other."""
    found: Rows = []
    frontier, seen = targets, set()
    while frontier:
        layer: dict[type[models.Model], set[int]] = {}
        for model in apps.get_models():
            if model in OWN_MODELS:
                continue
            for field in model._meta.get_fields():
                if not (field.many_to_one or field.one_to_one) or not field.concrete:
                    continue
                if field.remote_field.on_delete not in BLOCKING or field.related_model not in frontier:
                    continue
                ids = model.objects.filter(
                    **{f"{field.name}__in": frontier[field.related_model]}
                ).values_list("pk", flat=True)
                new = {pk for pk in ids if (model, pk) not in seen}
                if new:
                    layer.setdefault(model, set()).update(new)
                    seen.update((model, pk) for pk in new)
        found += layer.items()
        frontier = {model: list(ids) for model, ids in layer.items()}
    return found


def _created_by(model: type[models.Model], action: str, actor_ids: list[int]) -> list[int]:
    """Rows the demo made that hang on no other demo row (a headline indicator): known by their audit event."""
    return list(
        AuditEvent.objects.filter(
            object_type=model._meta.model_name, action=action, actor__in=actor_ids
        ).values_list("object_id", flat=True)
    )


def _delete_rows(groups: Rows) -> None:
    """Delete each group; a group still protected by another (a meeting by its decided items) waits its turn."""
    pending = [(model, ids) for model, ids in groups if ids]
    while pending:
        blocked, error = [], None
        for model, ids in pending:
            try:
                with transaction.atomic():
                    model.objects.filter(pk__in=ids).delete()
            except (ProtectedError, RestrictedError) as exc:
                blocked.append((model, ids))
                error = exc
        if len(blocked) == len(pending):
            raise error
        pending = blocked


@transaction.atomic
def delete_demo() -> DeleteCounts:
    """Delete everything the demo loaded: reports, plans, projects, users, leaders, units, tags, chains, events.

    Rows of other apps that hang on demo rows (lights, problems, supervision orders, meetings, notifications,
    the assessment library, schemes, values, results, the checklist, peer values) go with them, and so do the
    headline indicators the demo imported. Refuses (DemoError, nothing deleted) when 冷水江市 was not created by
    the demo, or when users who are not demo users belong to demo units.
    """
    root = loaded_root()
    loader = User.objects.filter(username=data.LOADER_USERNAME).first()
    user_ids = (
        list(demo_users().values_list("pk", flat=True))
        + list(demo_staff().values_list("pk", flat=True))
        + ([loader.pk] if loader else [])
    )
    unit_ids, project_ids, leader_ids, chain_ids = [], [], [], []
    if root is not None:
        unit_ids = list(OrgUnit.objects.subtree(root).values_list("pk", flat=True))
        strangers = list(
            User.objects.filter(org_unit__in=unit_ids)
            .exclude(pk__in=user_ids)
            .values_list("username", flat=True)
        )
        if strangers:
            raise DemoError(
                _(
                    "These users belong to demo units and are not demo users: %(users)s. Delete them or move them first."
                )
                % {"users": ", ".join(strangers)}
            )
        project_ids = list(Project.objects.in_unit(root).values_list("pk", flat=True))
        leader_ids = list(Leader.objects.filter(org_unit__in=unit_ids).values_list("pk", flat=True))
        chain_ids = list(
            IndustryChain.objects.filter(
                Q(jurisdiction__in=unit_ids) | Q(lead_unit__in=unit_ids) | Q(chief__in=leader_ids)
            ).values_list(
                "pk", flat=True
            )
        )
    tag_codes = [code for code, *_rest in data.TAGS]
    # Tags other data still uses are kept; everything else the demo made goes.
    tag_ids = list(
        LevelTag.objects.filter(code__in=tag_codes)
        .exclude(projects__in=Project.objects.exclude(pk__in=project_ids))
        .values_list("pk", flat=True)
    )
    imported = {
        Indicator: _created_by(Indicator, "indicator.create", user_ids),
        HeadlineIndicator: _created_by(HeadlineIndicator, "headline.import", user_ids),
    }

    def events_of(model, ids) -> Q:
        return Q(object_type=model._meta.model_name, object_id__in=ids)

    try:
        dependents = _dependents(
            {
                Project: project_ids,
                MonthlyReport: list(
                    MonthlyReport.objects.filter(project__in=project_ids).values_list("pk", flat=True)
                ),
                OrgUnit: unit_ids,
                User: user_ids,
                Leader: leader_ids,
                IndustryChain: chain_ids,
                LevelTag: tag_ids,
                **imported,
            }
        )
        _delete_rows([*reversed(dependents), *imported.items()])
        reports = MonthlyReport.objects.filter(project__in=project_ids).delete()[0]
        events = Q(project__in=project_ids) | Q(actor__in=user_ids)
        for model, ids in [
            (OrgUnit, unit_ids),
            (Leader, leader_ids),
            (IndustryChain, chain_ids),
            (LevelTag, tag_ids),
            (User, user_ids),
            *dependents,
            *imported.items(),
        ]:
            events |= events_of(model, list(ids))
        with guards.deletion_allowed():  # the demo's own trail goes with it, and the chain is built again
            events = chain.remove_and_rechain(AuditEvent.objects.filter(events))
        Project.objects.filter(pk__in=project_ids).delete()
        IndustryChain.objects.filter(pk__in=chain_ids).delete()
        users = User.objects.filter(pk__in=user_ids).delete()[1].get(User._meta.label, 0)
        Leader.objects.filter(pk__in=leader_ids).delete()
        LevelTag.objects.filter(pk__in=tag_ids).delete()
        # Children before parents: the tree protects a parent from deletion.
        for unit in OrgUnit.objects.filter(pk__in=unit_ids).order_by("-path"):
            unit.delete()
    except (ProtectedError, RestrictedError) as exc:
        objects = exc.protected_objects if isinstance(exc, ProtectedError) else exc.restricted_objects
        blocking = sorted({f"{obj._meta.verbose_name}: {obj}" for obj in objects})[:5]
        raise DemoError(
            _("Other data depends on the demo data, so nothing was deleted: %(objects)s")
            % {"objects": "; ".join(blocking)}
        ) from None
    return DeleteCounts(
        projects=len(project_ids), reports=reports, units=len(unit_ids), users=users, audit_events=events
    )
