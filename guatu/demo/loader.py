"""Writes the demo into the database: through the services where they exist, audited either way.

Everything is written by an inactive account, `demo_loader` (演示数据导入), that cannot log in: a report must
have a `filled_by`, and the audit trail should say truthfully that the data was imported. Reports are
bulk-inserted with one `report.import` audit event each, carrying the full audited snapshot, so that
replaying a report's history gives its current state.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.db import models, transaction
from django.db.models import ProtectedError, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from guatu.accounts.models import Role, User
from guatu.audit.models import AuditEvent
from guatu.audit.services import audit_record, snapshot
from guatu.demo import data
from guatu.demo.generate import ProjectSpec, build_projects
from guatu.orgs.models import Leader, OrgUnit, OrgUnitKind
from guatu.orgs.services import leader_create, orgunit_create
from guatu.projects.models import IndustryChain, LevelTag, Project
from guatu.projects.services import (
    MilestoneInput,
    ProjectInput,
    TaskForceInput,
    annual_plan_set,
    project_create,
)
from guatu.reports.models import MonthlyReport, ReportStatus
from guatu.reports.services import AUDITED_FIELDS

TAG_FIELDS = ["code", "name", "bulletin_label", "sort_order", "in_bulletin"]
CHAIN_FIELDS = ["name", "chief", "lead_unit", "master_firms"]
USER_FIELDS = ["username", "first_name", "org_unit", "role", "leader", "is_active"]
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
    return User.objects.filter(username__in=[u.username for u in data.USERS])


def _loader_user() -> User:
    user, created = User.objects.get_or_create(
        username=data.LOADER_USERNAME,
        defaults={"first_name": data.LOADER_FULL_NAME, "is_active": False, "role": Role.VIEWER},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
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
def load_demo() -> LoadCounts | None:
    """Load the demo county; None (and nothing written) when it is already there."""
    if loaded_root() is not None:
        return None
    loader = _loader_user()
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
    reports = _import_reports(list(zip(projects, specs, strict=True)), loader)
    units_count = OrgUnit.objects.subtree(root).count()
    return LoadCounts(units=units_count, leaders=len(leaders), projects=len(projects), reports=reports)


def _tags(loader: User) -> dict[str, LevelTag]:
    """The four lists; an existing tag with the same code is kept as it is."""
    tags = {}
    for code, name, label, order, in_bulletin in data.TAGS:
        tag, created = LevelTag.objects.get_or_create(
            code=code,
            defaults={"name": name, "bulletin_label": label, "sort_order": order, "in_bulletin": in_bulletin},
        )
        if created:
            audit_record(actor=loader, action="leveltag.create", obj=tag, after=snapshot(tag, TAG_FIELDS))
        tags[code] = tag
    return tags


def _chains(loader: User, units: dict[str, OrgUnit], leaders: dict[str, Leader]) -> dict[str, IndustryChain]:
    chains = {}
    for chain in data.CHAINS:
        row = IndustryChain.objects.create(
            name=chain.name,
            chief=leaders[chain.chief],
            lead_unit=units[chain.lead],
            master_firms=chain.master_firms,
        )
        audit_record(actor=loader, action="industrychain.create", obj=row, after=snapshot(row, CHAIN_FIELDS))
        chains[chain.key] = row
    return chains


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
    """All reports in one insert, then one audit event each with the full snapshot (action report.import)."""
    reports = []
    for project, spec in pairs:
        for r in spec.reports:
            submitted, reviewed = _at(r.submitted_on), _at(r.reviewed_on)
            drafted = _at(date(data.YEAR, r.month + 1, 2))
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
    now = timezone.now()
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                at=now,
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
    password = make_password(data.DEMO_PASSWORD)  # hashed once: hashing is slow on purpose
    for spec in missing:
        user = User(
            username=spec.username,
            first_name=spec.full_name,
            org_unit=units[spec.unit],
            role=spec.role,
            leader=leaders[leader_names[spec.leader]] if spec.leader else None,
            password=password,
        )
        user.save()
        audit_record(actor=loader, action="user.create", obj=user, after=snapshot(user, USER_FIELDS))
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
# deletion (a problem raised on a demo project, a meeting convened by a demo leader) are demo data too.
OWN_MODELS = (MonthlyReport, AuditEvent, Project, IndustryChain, User, Leader, LevelTag, OrgUnit)
BLOCKING = (models.PROTECT, models.RESTRICT)


def _dependents(targets: dict[type[models.Model], list[int]]) -> list[tuple[type[models.Model], set[int]]]:
    """Rows of other models that protect `targets` from deletion, directly or through each other, deepest last."""
    found: list[tuple[type[models.Model], set[int]]] = []
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


@transaction.atomic
def delete_demo() -> DeleteCounts:
    """Delete everything the demo loaded: reports, plans, projects, users, leaders, units, tags, chains, events.

    Rows of other apps that hang on demo rows (problems, supervision orders, meetings) go with them. Refuses
    (DemoError, nothing deleted) when 冷水江市 was not created by the demo, or when users who are not demo users
    belong to demo units.
    """
    root = loaded_root()
    loader = User.objects.filter(username=data.LOADER_USERNAME).first()
    user_ids = list(demo_users().values_list("pk", flat=True)) + ([loader.pk] if loader else [])
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
            IndustryChain.objects.filter(Q(lead_unit__in=unit_ids) | Q(chief__in=leader_ids)).values_list(
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

    def events_of(model, ids) -> Q:
        return Q(object_type=model._meta.model_name, object_id__in=ids)

    try:
        for model, ids in reversed(
            _dependents(
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
                }
            )
        ):
            model.objects.filter(pk__in=ids).delete()
        reports = MonthlyReport.objects.filter(project__in=project_ids).delete()[0]
        events = AuditEvent.objects.filter(
            Q(project__in=project_ids)
            | Q(actor__in=user_ids)
            | events_of(OrgUnit, unit_ids)
            | events_of(Leader, leader_ids)
            | events_of(IndustryChain, chain_ids)
            | events_of(LevelTag, tag_ids)
            | events_of(User, user_ids)
        ).delete()[0]
        Project.objects.filter(pk__in=project_ids).delete()
        IndustryChain.objects.filter(pk__in=chain_ids).delete()
        users = User.objects.filter(pk__in=user_ids).delete()[1].get(User._meta.label, 0)
        Leader.objects.filter(pk__in=leader_ids).delete()
        LevelTag.objects.filter(pk__in=tag_ids).delete()
        # Children before parents: the tree protects a parent from deletion.
        for unit in OrgUnit.objects.filter(pk__in=unit_ids).order_by("-path"):
            unit.delete()
    except ProtectedError as exc:
        blocking = sorted({f"{obj._meta.verbose_name}: {obj}" for obj in exc.protected_objects})[:5]
        raise DemoError(
            _("Other data depends on the demo data, so nothing was deleted: %(objects)s")
            % {"objects": "; ".join(blocking)}
        ) from None
    return DeleteCounts(
        projects=len(project_ids), reports=reports, units=len(unit_ids), users=users, audit_events=events
    )
