"""The access gateway: the one place that decides what a user may see and change.

Views and API endpoints never fetch a project, report or unit by id except through these functions.
Rules, by role (see docs/architecture.md):

- city administrator, reviewer: every project of their jurisdiction (the county, prefecture or province
  their unit belongs to); reviewers and administrators review, return, approve and unlock reports.
- unit reporter: projects located in or led by their unit (or a unit below it); fills in their reports.
- leader: the projects they are the responsible leader of; read only.
- viewer: projects located in or led by their unit; read only.
A superuser without an org unit sees everything. Anyone else sees nothing.
"""

from __future__ import annotations

from django.http import Http404

from guatu.accounts.models import Role, User
from guatu.orgs.models import JURISDICTION_KINDS, OrgUnit
from guatu.projects.models import Project, ProjectQuerySet
from guatu.reports.models import MonthlyReport

CITY_WIDE_ROLES = (Role.CITY_ADMIN, Role.REVIEWER)
REVIEW_ROLES = (Role.CITY_ADMIN, Role.REVIEWER)


def _is_unrestricted(user: User) -> bool:
    return user.is_active and user.is_superuser and user.org_unit_id is None


def jurisdiction(unit: OrgUnit) -> OrgUnit:
    """The nearest unit at or above `unit` that owns a project library (county, prefecture, province)."""
    if unit.kind in JURISDICTION_KINDS:
        return unit
    ancestor_ids = [int(part) for part in unit.path.strip("/").split("/")]
    found = OrgUnit.objects.filter(pk__in=ancestor_ids, kind__in=JURISDICTION_KINDS).order_by("-path").first()
    return found or unit


def scope_unit(user: User) -> OrgUnit | None:
    """The subtree a user works in: their jurisdiction for city-wide roles, else their own unit."""
    if not user.is_authenticated or not user.is_active or user.org_unit_id is None:
        return None
    cached = getattr(user, "_guatu_scope_unit", None)
    if cached is None:
        unit = user.org_unit
        cached = jurisdiction(unit) if user.role in CITY_WIDE_ROLES else unit
        user._guatu_scope_unit = cached
    return cached


def visible_projects(user: User) -> ProjectQuerySet:
    projects = Project.objects.all()
    if not user.is_authenticated or not user.is_active:
        return projects.none()
    if _is_unrestricted(user):
        return projects
    if user.role == Role.LEADER:
        return projects.filter(responsible_leader_id=user.leader_id) if user.leader_id else projects.none()
    unit = scope_unit(user)
    return projects.in_unit(unit) if unit else projects.none()


def get_visible_project(user: User, pk) -> Project:
    """The project, or 404 when it does not exist or the user may not see it (the two look the same)."""
    try:
        return visible_projects(user).get(pk=pk)
    except (Project.DoesNotExist, ValueError, TypeError):
        raise Http404("project not found") from None


def visible_reports(user: User):
    return MonthlyReport.objects.filter(project__in=visible_projects(user).values("pk"))


def get_visible_report(user: User, pk) -> MonthlyReport:
    try:
        return visible_reports(user).select_related("project").get(pk=pk)
    except (MonthlyReport.DoesNotExist, ValueError, TypeError):
        raise Http404("report not found") from None


def visible_units(user: User):
    """Units a user may pick as a filter or a summary scope."""
    if not user.is_authenticated or not user.is_active:
        return OrgUnit.objects.none()
    if _is_unrestricted(user):
        return OrgUnit.objects.all()
    unit = user.org_unit
    if unit is None:
        return OrgUnit.objects.none()
    if user.role == Role.LEADER:
        return OrgUnit.objects.subtree(jurisdiction(unit))
    return OrgUnit.objects.subtree(scope_unit(user))


def get_visible_unit(user: User, pk) -> OrgUnit:
    try:
        return visible_units(user).get(pk=pk)
    except (OrgUnit.DoesNotExist, ValueError, TypeError):
        raise Http404("unit not found") from None


def default_unit(user: User) -> OrgUnit | None:
    """The unit a summary opens on: the user's scope, or the top of the tree for a superuser."""
    if _is_unrestricted(user):
        return OrgUnit.objects.filter(parent__isnull=True).order_by("path").first()
    if user.role == Role.LEADER and user.org_unit_id:
        return jurisdiction(user.org_unit)
    return scope_unit(user)


def can_fill_reports(user: User, project: Project) -> bool:
    """Unit reporters fill in the reports of the projects their unit sees."""
    if not user.is_authenticated or not user.is_active or user.role != Role.REPORTER:
        return False
    return visible_projects(user).filter(pk=project.pk).exists()


def can_review(user: User, project: Project) -> bool:
    """Reviewers and administrators review the reports of projects in their jurisdiction."""
    if not user.is_authenticated or not user.is_active:
        return False
    if _is_unrestricted(user):
        return True
    if user.role not in REVIEW_ROLES:
        return False
    return visible_projects(user).filter(pk=project.pk).exists()


def is_reviewer(user: User) -> bool:
    return user.is_authenticated and user.is_active and (_is_unrestricted(user) or user.role in REVIEW_ROLES)
