"""The access gateway: the one place that decides what a user may see and change.

Views and API endpoints never fetch a project, report or unit by id except through these functions.
Rules, by role (see docs/architecture.md):

- city administrator, reviewer: every project of their jurisdiction (the county, prefecture or province
  their unit belongs to); reviewers and administrators review, return, approve and unlock reports.
- unit reporter: projects located in or led by their unit (or a unit below it); fills in their reports.
- leader: the projects they are the responsible leader of; read only.
- viewer: projects located in or led by their unit; read only.
- security administrator, audit administrator (三员, with the city administrator as the system administrator):
  no business data at all; the accounts of their jurisdiction (roles, lockouts, two-factor devices) and its
  audit log respectively (`security_root`, `audit_root`).
A superuser without an org unit sees everything. Anyone else sees nothing.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from guatu.accounts.models import OVERSIGHT_ROLES, Role, User
from guatu.dispatch.models import (
    Meeting,
    MeetingDecision,
    Problem,
    SupervisionOrder,
    of_jurisdiction,
    requests_at_leader,
)
from guatu.orgs.models import JURISDICTION_KINDS, OrgUnit
from guatu.projects.models import IndustryChain, LevelTag, Project, ProjectQuerySet
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
    """The subtree a user works in: their jurisdiction for city-wide roles, else their own unit; None for the
    oversight roles, who see no business data."""
    if (
        not user.is_authenticated
        or not user.is_active
        or user.org_unit_id is None
        or user.role in OVERSIGHT_ROLES
    ):
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


def visible_projects_in(user: User, unit: OrgUnit) -> ProjectQuerySet:
    """visible_projects(user).in_unit(unit), for a unit the user may see (get_visible_unit, default_unit).

    Within the reader's own subtree the unit's filter implies the scope's (a project located in or led by a
    unit below `unit` is below the scope too), so the scope's is left out: a province reader's summary does
    not test every project against the province twice."""
    scope = scope_unit(user)
    if scope is not None and user.role != Role.LEADER and not _is_unrestricted(user) and unit.is_within(scope):
        return Project.objects.in_unit(unit)
    return visible_projects(user).in_unit(unit)


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


def _top_visible_unit(user: User) -> OrgUnit | None:
    """The unit whose subtree a restricted user may pick from (visible_units); None when they may pick none."""
    unit = user.org_unit
    if unit is None or user.role in OVERSIGHT_ROLES:
        return None
    if user.role == Role.LEADER:
        return jurisdiction(unit)
    return scope_unit(user)


def visible_units(user: User):
    """Units a user may pick as a filter or a summary scope."""
    if not user.is_authenticated or not user.is_active:
        return OrgUnit.objects.none()
    if _is_unrestricted(user):
        return OrgUnit.objects.all()
    top = _top_visible_unit(user)
    return OrgUnit.objects.none() if top is None else OrgUnit.objects.subtree(top)


def get_visible_unit(user: User, pk) -> OrgUnit:
    """The unit `pk` if the user may see it, else 404. The top of the user's own subtree (the unit most pages
    and API calls ask for) is already loaded to decide that, so it is returned without another query."""
    if user.is_authenticated and user.is_active and not _is_unrestricted(user):
        top = _top_visible_unit(user)
        if top is not None and str(top.pk) == str(pk):
            return top
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


def sees_whole_unit(user: User, unit: OrgUnit) -> bool:
    """Whether everything of `unit` is visible to the user, so unit-wide figures (the bulletin sentence,
    which counts every project of the unit) tell them nothing they may not see. Leaders see a selection."""
    if _is_unrestricted(user):
        return True
    if not user.is_authenticated or not user.is_active or user.role == Role.LEADER:
        return False
    scope = scope_unit(user)
    return scope is not None and unit.is_within(scope)


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


def can_appeal(user: User, unit: OrgUnit) -> bool:
    """申诉: a unit's reporter contests its own published result; read-only roles and other units do not."""
    return user.is_authenticated and user.is_active and user.role == Role.REPORTER and user.org_unit_id == unit.pk


def can_unlock(user: User) -> bool:
    """Approved reports, values and reference rows are locked; a role above the reviewer who approves them
    reopens one (with a reason, guatu.audit.workflow): the city administrator, or a superuser. Which records
    the user may act on at all is the caller's check (can_review and the like)."""
    if is_system_actor(user):
        return True
    return user.is_authenticated and user.is_active and (user.is_superuser or user.role == Role.CITY_ADMIN)


def is_reviewer(user: User) -> bool:
    return user.is_authenticated and user.is_active and (_is_unrestricted(user) or user.role in REVIEW_ROLES)


# --- dispatch: problems, supervision orders, meetings -------------------------------------------------------


def visible_problems(user: User):
    problems = Problem.objects.all()
    if not user.is_authenticated or not user.is_active:
        return problems.none()
    if _is_unrestricted(user):
        return problems
    if user.role == Role.LEADER:
        if not user.leader_id:
            return problems.none()
        mine = Q(project__responsible_leader_id=user.leader_id) | Q(chain__chief_id=user.leader_id)
        mine |= Q(enterprise__isnull=False) & requests_at_leader(user.leader_id, user.leader.org_unit_id)
        if user.leader.is_principal:
            # Tier 3 of their jurisdiction (and those below it): projects', firms', chains', meetings' and
            # the office's own problems alike.
            mine |= (
                Q(tier=3) & of_jurisdiction(jurisdiction(user.org_unit).path)
                if user.org_unit_id
                else Q(tier=3)
            )
        return problems.filter(mine)
    unit = scope_unit(user)
    if unit is None:
        return problems.none()
    from guatu.enterprises.models import Enterprise

    # Each part a subquery of ids, not a join: the list's own select_related joins eight tables already, and
    # PostgreSQL spent 15 ms planning the thirteen that joined units for these tests (0.9 ms to run them).
    units = OrgUnit.objects.subtree(unit).values("pk")
    in_scope = Q(project__in=visible_projects(user).values("pk")) | Q(assigned_unit__in=units)
    # An enterprise's request: the units that look after the firm, and its chain's lead department.
    firms = Enterprise.objects.filter(Q(unit__in=units) | Q(chain__lead_unit__in=units))
    in_scope |= Q(enterprise__in=firms.values("pk"))
    if user.role in CITY_WIDE_ROLES:
        in_scope |= Q(project__isnull=True, raised_by__in=User.objects.filter(org_unit__in=units).values("pk"))
    return problems.filter(in_scope)


def get_visible_problem(user: User, pk):
    try:
        return visible_problems(user).select_related("project", "chain", "assigned_unit").get(pk=pk)
    except (Problem.DoesNotExist, ValueError, TypeError):
        raise Http404("problem not found") from None


def can_manage_problem(user: User, problem) -> bool:
    """Reviewers assign, verify, close and reopen the problems they can see."""
    return is_reviewer(user) and visible_problems(user).filter(pk=problem.pk).exists()


def can_act_for_problem(user: User, problem) -> bool:
    """The assigned unit's reporters give feedback."""
    return (
        user.is_authenticated
        and user.is_active
        and user.role == Role.REPORTER
        and problem.assigned_unit_id is not None
        and user.org_unit_id == problem.assigned_unit_id
    )


def chains_for_problems(user: User):
    """The industry chains a reviewer may raise problems on: their jurisdiction's (`manageable_chains`)."""
    return manageable_chains(user)


def get_chain_for_problems(user: User, pk) -> IndustryChain:
    try:
        return chains_for_problems(user).select_related("chief").get(pk=pk)
    except (IndustryChain.DoesNotExist, ValueError, TypeError):
        raise Http404("chain not found") from None


def may_raise_problems(user: User) -> bool:
    """Reporters raise problems on their projects; reviewers on any project or chain they see."""
    return is_reviewer(user) or (user.is_authenticated and user.is_active and user.role == Role.REPORTER)


def can_respond_to_order(user: User, order) -> bool:
    """The addressed unit's people who act (not read-only viewers or leaders) write the response."""
    return (
        user.is_authenticated
        and user.is_active
        and user.org_unit_id == order.addressee_id
        and user.role in (Role.REPORTER, Role.REVIEWER, Role.CITY_ADMIN)
    )


def rules_unit(user: User) -> OrgUnit | None:
    """The jurisdiction whose warning rules the user may set: city administrators (and a superuser of the
    whole tree, for its top); None for everyone else."""
    if _is_unrestricted(user):
        return default_unit(user)
    if (
        not user.is_authenticated
        or not user.is_active
        or user.role != Role.CITY_ADMIN
        or user.org_unit_id is None
    ):
        return None
    return jurisdiction(user.org_unit)


def visible_orders(user: User):
    orders = SupervisionOrder.objects.all()
    if not user.is_authenticated or not user.is_active:
        return orders.none()
    if _is_unrestricted(user):
        return orders
    return orders.filter(
        Q(project__in=visible_projects(user).values("pk")) | Q(addressee_id=user.org_unit_id)
    )


def get_visible_order(user: User, pk):
    try:
        return visible_orders(user).select_related("project", "addressee").get(pk=pk)
    except (SupervisionOrder.DoesNotExist, ValueError, TypeError):
        raise Http404("order not found") from None


def visible_meetings(user: User):
    """Meetings are for the jurisdiction's reviewers and leaders, and the units invited or convening."""
    meetings = Meeting.objects.all()
    if not user.is_authenticated or not user.is_active:
        return meetings.none()
    if _is_unrestricted(user):
        return meetings
    if user.org_unit_id is None:
        return meetings.none()
    root = jurisdiction(user.org_unit)
    in_jurisdiction = Q(created_by__org_unit__path__startswith=root.path)
    if user.role in CITY_WIDE_ROLES:
        return meetings.filter(in_jurisdiction)
    if user.role == Role.LEADER:
        return meetings.filter(
            in_jurisdiction & (Q(convenor_id=user.leader_id) | Q(attendees__id=user.leader_id))
        ).distinct()
    return meetings.filter(
        in_jurisdiction & (Q(convenor_unit_id=user.org_unit_id) | Q(attendee_units__id=user.org_unit_id))
    ).distinct()


def get_visible_meeting(user: User, pk):
    try:
        return visible_meetings(user).get(pk=pk)
    except (Meeting.DoesNotExist, ValueError, TypeError):
        raise Http404("meeting not found") from None


# --- assessment ---------------------------------------------------------------------------------------------


def can_enter_indicator(user: User, indicator, unit: OrgUnit | None = None) -> bool:
    """An indicator's values are entered by its lead unit's reporters, or by the assessment office; for a
    given unit, only a unit of the user's jurisdiction."""
    if not user.is_authenticated or not user.is_active:
        return False
    if unit is not None and not _is_unrestricted(user):
        if user.org_unit_id is None or not unit.is_within(jurisdiction(user.org_unit)):
            return False
    if is_reviewer(user):
        return True
    return (
        user.role == Role.REPORTER
        and indicator.lead_unit_id is not None
        and user.org_unit_id == indicator.lead_unit_id
    )


def visible_values(user: User):
    """Entered indicator values a user may see: for units of their jurisdiction, all of them for the
    assessment office, those of the indicators their unit leads for a reporter, none for anyone else."""
    from guatu.assessment.models import IndicatorValue

    values = IndicatorValue.objects.all()
    if not user.is_authenticated or not user.is_active:
        return values.none()
    if not _is_unrestricted(user):
        if user.org_unit_id is None:
            return values.none()
        values = values.filter(unit__path__startswith=jurisdiction(user.org_unit).path)
    if is_reviewer(user):
        return values
    if user.role != Role.REPORTER:
        return values.none()
    return values.filter(indicator__lead_unit_id=user.org_unit_id)


def get_visible_value(user: User, pk):
    from guatu.assessment.models import IndicatorValue

    try:
        return (
            visible_values(user)
            .select_related("indicator", "unit", "entered_by", "reviewed_by")
            .prefetch_related("evidence")
            .get(pk=pk)
        )
    except (IndicatorValue.DoesNotExist, ValueError, TypeError):
        raise Http404("value not found") from None


def can_manage_assessment(user: User, scheme=None) -> bool:
    """The assessment office: reviewers and administrators of the scheme's jurisdiction."""
    if not is_reviewer(user):
        return False
    if scheme is None or _is_unrestricted(user):
        return True
    return scheme.jurisdiction.is_within(scope_unit(user)) or scope_unit(user).is_within(scheme.jurisdiction)


def visible_schemes(user: User):
    from guatu.assessment.models import Scheme

    if not user.is_authenticated or not user.is_active:
        return Scheme.objects.none()
    if _is_unrestricted(user):
        return Scheme.objects.all()
    if user.org_unit_id is None:
        return Scheme.objects.none()
    root = jurisdiction(user.org_unit)
    return Scheme.objects.filter(jurisdiction__path__startswith=root.path)


def sees_all_cards(user: User, snapshot) -> bool:
    """The office always, everyone of the jurisdiction once the results are published (公示)."""
    if not visible_schemes(user).filter(pk=snapshot.scheme_id).exists():
        return False
    # A superseded version was published too: it stays readable by the same people.
    return can_manage_assessment(user, snapshot.scheme) or snapshot.status in ("published", "superseded")


def can_see_card(user: User, snapshot, unit: OrgUnit) -> bool:
    """Before publication a unit sees only its own card; after (公示) every unit of the jurisdiction sees all."""
    if sees_all_cards(user, snapshot):
        return True
    return visible_schemes(user).filter(pk=snapshot.scheme_id).exists() and user.org_unit_id == unit.pk


def get_card_unit(user: User, snapshot, pk) -> OrgUnit:
    """The unit of a score card the user may see (a unit of the scheme's jurisdiction; `can_see_card`)."""
    unit = _get_or_404(OrgUnit.objects.filter(path__startswith=snapshot.scheme.jurisdiction.path), pk, "unit")
    if not can_see_card(user, snapshot, unit):
        raise Http404("card not visible")
    return unit


def _get_or_404(queryset, pk, what: str):
    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404(f"{what} not found") from None


def get_visible_scheme(user: User, pk):
    return _get_or_404(visible_schemes(user).select_related("jurisdiction"), pk, "scheme")


def visible_indicators(user: User):
    """Indicators of the library a user may see: those led by a unit of their jurisdiction, and those
    without a lead unit unless only other jurisdictions' schemes use them. Another county's indicator is
    neither shown nor editable here."""
    from guatu.assessment.models import Indicator, Scheme

    indicators = Indicator.objects.all()
    if not user.is_authenticated or not user.is_active:
        return indicators.none()
    if _is_unrestricted(user):
        return indicators
    if user.org_unit_id is None:
        return indicators.none()
    root = jurisdiction(user.org_unit)
    own, foreign = set(), set()
    for path, definition in Scheme.objects.values_list("jurisdiction__path", "definition"):
        codes = own if path.startswith(root.path) else foreign
        codes.update(str(row.get("code")) for row in (definition or {}).get("indicators") or [])
    return indicators.filter(
        Q(lead_unit__path__startswith=root.path) | Q(lead_unit__isnull=True) & ~Q(code__in=foreign - own)
    )


def get_visible_indicator(user: User, pk):
    return _get_or_404(visible_indicators(user).select_related("lead_unit"), pk, "indicator")


def get_visible_evidence(user: User, pk):
    """Evidence of a value the user may see and enter (the value page's rule)."""
    from guatu.assessment.models import Evidence

    evidence = _get_or_404(
        Evidence.objects.filter(value__in=visible_values(user)).select_related(
            "value__indicator", "value__unit"
        ),
        pk,
        "evidence",
    )
    if not can_enter_indicator(user, evidence.value.indicator, evidence.value.unit):
        raise Http404("evidence not found")
    return evidence


def visible_appeals(user: User):
    """Appeals of the schemes a user sees: all of them for the assessment office, their own unit's for
    anyone else."""
    from guatu.assessment.models import Appeal

    appeals = Appeal.objects.filter(snapshot__scheme__in=visible_schemes(user))
    if is_reviewer(user) or _is_unrestricted(user):
        return appeals
    if user.org_unit_id is None:
        return appeals.none()
    return appeals.filter(unit_id=user.org_unit_id)


def get_visible_appeal(user: User, pk):
    return _get_or_404(
        visible_appeals(user).select_related("snapshot__scheme__jurisdiction", "unit"), pk, "appeal"
    )


def visible_items(user: User):
    """Bonus, penalty and veto items of the schemes a user sees."""
    from guatu.assessment.models import AssessmentItem

    return AssessmentItem.objects.filter(scheme__in=visible_schemes(user))


def get_visible_item(user: User, pk):
    return _get_or_404(visible_items(user).select_related("scheme__jurisdiction", "unit"), pk, "item")


def visible_snapshots(user: User):
    """Result snapshots of the schemes a user sees; which cards of one a user sees is `can_see_card`'s rule."""
    from guatu.assessment.models import ResultSnapshot

    return ResultSnapshot.objects.filter(scheme__in=visible_schemes(user))


def get_visible_snapshot(user: User, pk):
    return _get_or_404(visible_snapshots(user).select_related("scheme__jurisdiction"), pk, "snapshot")


# --- org tree and people ------------------------------------------------------------------------------------


def people_root(user: User) -> OrgUnit | None:
    """The jurisdiction whose org tree, leaders and users a city administrator manages; None for other roles.
    A superuser without a unit manages the whole tree: see `can_manage_people`."""
    if (
        not user.is_authenticated
        or not user.is_active
        or user.role != Role.CITY_ADMIN
        or user.org_unit_id is None
    ):
        return None
    return jurisdiction(user.org_unit)


def can_manage_people(user: User) -> bool:
    return _is_unrestricted(user) or people_root(user) is not None


def manageable_units(user: User):
    """The units a city administrator adds, renames, moves and closes: their jurisdiction's subtree."""
    if _is_unrestricted(user):
        return OrgUnit.objects.all()
    root = people_root(user)
    return OrgUnit.objects.subtree(root) if root else OrgUnit.objects.none()


def get_manageable_unit(user: User, pk) -> OrgUnit:
    return _get_or_404(manageable_units(user).select_related("parent"), pk, "unit")


def manageable_leaders(user: User):
    from guatu.orgs.models import Leader

    return Leader.objects.filter(org_unit__in=manageable_units(user).values("pk"))


def get_manageable_leader(user: User, pk):
    return _get_or_404(manageable_leaders(user).select_related("org_unit"), pk, "leader")


def manageable_users(user: User):
    """The users of the administrator's jurisdiction (a superuser without a unit: everyone)."""
    if _is_unrestricted(user):
        return User.objects.all()
    return User.objects.filter(org_unit__in=manageable_units(user).values("pk"))


def get_manageable_user(user: User, pk) -> User:
    return _get_or_404(manageable_users(user).select_related("org_unit", "leader"), pk, "user")


# --- separated administrators (三员) ---------------------------------------------------------------------------


def is_oversight(user: User) -> bool:
    """A security or audit administrator: pages of their own office only (guatu.accounts.middleware)."""
    return user.is_authenticated and user.role in OVERSIGHT_ROLES and not user.is_superuser


def _office_root(user: User, role: str) -> OrgUnit | None:
    if not user.is_authenticated or not user.is_active or user.role != role or user.org_unit_id is None:
        return None
    return jurisdiction(user.org_unit)


def security_root(user: User) -> OrgUnit | None:
    """The jurisdiction whose accounts a security administrator looks after: roles, locks, two-factor devices."""
    return _office_root(user, Role.SECURITY_ADMIN)


def can_manage_security(user: User) -> bool:
    return _is_unrestricted(user) or security_root(user) is not None


def securable_users(user: User):
    if _is_unrestricted(user):
        return User.objects.all()
    root = security_root(user)
    return User.objects.filter(org_unit__path__startswith=root.path) if root else User.objects.none()


def get_securable_user(user: User, pk) -> User:
    return _get_or_404(securable_users(user).select_related("org_unit", "leader"), pk, "user")


def securable_leaders(user: User, target: User):
    """The leaders in post of the target's jurisdiction, whom the security administrator may link a leader-role
    user to."""
    from guatu.orgs.models import Leader

    if target.org_unit_id is None or not can_manage_security(user):
        return Leader.objects.none()
    root = jurisdiction(target.org_unit)
    return Leader.objects.filter(org_unit__path__startswith=root.path, is_active=True).select_related(
        "org_unit"
    )


def audit_root(user: User) -> OrgUnit | None:
    """The jurisdiction whose audit log an audit administrator reads."""
    return _office_root(user, Role.AUDIT_ADMIN)


def can_read_audit_log(user: User) -> bool:
    return _is_unrestricted(user) or audit_root(user) is not None


def visible_audit_events(user: User):
    """The events of the audit administrator's jurisdiction: those of its users. Events with no user of a unit
    (a sign-in under an unknown name, a command run from the shell) belong to the top of the tree: the audit
    administrator of a jurisdiction without a parent reads them too."""
    from guatu.audit.models import AuditEvent

    if _is_unrestricted(user):
        return AuditEvent.objects.all()
    root = audit_root(user)
    if root is None:
        return AuditEvent.objects.none()
    mine = Q(actor__org_unit__path__startswith=root.path)
    if root.parent_id is None:
        mine |= Q(actor__isnull=True) | Q(actor__org_unit__isnull=True)
    return AuditEvent.objects.filter(mine)


# --- library maintenance ------------------------------------------------------------------------------------


def is_system_actor(user: User | None) -> bool:
    """A command-line loader (the demo, an import run from the shell): an inactive account without a unit or a
    usable password, so no one can log in as it; its events name it. Services let it act without a role."""
    return (
        user is not None
        and not user.is_active
        and user.org_unit_id is None
        and not user.has_usable_password()
    )


def library_root(user: User) -> OrgUnit | None:
    """The jurisdiction whose project library the user maintains: reviewers' and city administrators'; None
    for every other role and for a superuser without a unit (who maintains every library)."""
    if not user.is_authenticated or not user.is_active or user.role not in REVIEW_ROLES:
        return None
    return scope_unit(user)


def can_maintain_library(user: User, project: Project | None = None) -> bool:
    """Reviewers and city administrators create, edit, cancel and restore the projects of their jurisdiction
    (a project is theirs when it is located in, or led by, a unit of it); a superuser without a unit, any."""
    if _is_unrestricted(user):
        return True
    root = library_root(user)
    if root is None:
        return False
    if project is None:
        return True
    return project.location_unit.is_within(root) or project.lead_unit.is_within(root)


def get_maintainable_project(user: User, pk) -> Project:
    """The project to edit: 404 when the user may not see it, 403 when they see it but may not maintain it."""
    project = _get_or_404(visible_projects(user).select_related("location_unit", "lead_unit"), pk, "project")
    if not can_maintain_library(user, project):
        raise PermissionDenied("may not maintain this project")
    return project


def library_units(user: User):
    """The units a maintainer may choose for a project (location, lead, support, task force): open ones."""
    if _is_unrestricted(user):
        return OrgUnit.objects.open()
    root = library_root(user)
    return OrgUnit.objects.open().subtree(root) if root else OrgUnit.objects.none()


def library_leaders(user: User):
    """The leaders a maintainer may make a project's responsible leader: those of their jurisdiction."""
    from guatu.orgs.models import Leader

    if _is_unrestricted(user):
        return Leader.objects.active()
    root = library_root(user)
    return (
        Leader.objects.active().filter(org_unit__path__startswith=root.path)
        if root
        else Leader.objects.none()
    )


def library_chains(user: User):
    """The industry chains a maintainer may put a project on: their jurisdiction's (`manageable_chains`)."""
    return manageable_chains(user)


# --- project schedule: level tags ---------------------------------------------------------------------------


def can_manage_tags(user: User) -> bool:
    """The list of level tags (项目级别) is the city administrator's (or a superuser's) to keep."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or user.role == Role.CITY_ADMIN


def manageable_tags(user: User):
    """The level tags a user may rename or delete. Tags are one list for the whole tree (a province's 省重点 is
    every county's), so a city administrator changes only those no project outside their jurisdiction carries:
    one county never renames or deletes another's list. A superuser without a unit: every tag."""
    if not can_manage_tags(user):
        return LevelTag.objects.none()
    if _is_unrestricted(user):
        return LevelTag.objects.all()
    if user.org_unit_id is None:
        return LevelTag.objects.none()
    ours = Project.objects.in_unit(jurisdiction(user.org_unit)).values("pk")
    elsewhere = Project.tags.through.objects.exclude(project__in=ours).values("leveltag_id")
    return LevelTag.objects.exclude(pk__in=elsewhere)


def get_manageable_tag(user: User, pk) -> LevelTag:
    return _get_or_404(manageable_tags(user), pk, "level tag")


# --- assessment reference data: the checklist, peer counties' values, the ten headline indicators -----------


def reference_county(user: User) -> OrgUnit | None:
    """The county (jurisdiction) whose reference data a user enters and reads (the checklist, benchmark and
    headline pages show only its approved rows): their own; None without a unit."""
    if not user.is_authenticated or not user.is_active or user.org_unit_id is None:
        return None
    return jurisdiction(user.org_unit)


def _reference_rows(user: User, queryset, county: str, unit_field: str | None):
    """Rows of the user's county: all of them for the assessment office; for a reporter, those their unit is
    responsible for (`unit_field`); none for anyone else."""
    if not user.is_authenticated or not user.is_active:
        return queryset.none()
    if not _is_unrestricted(user):
        if user.org_unit_id is None:
            return queryset.none()
        queryset = queryset.filter(**{f"{county}__path__startswith": jurisdiction(user.org_unit).path})
    if is_reviewer(user):
        return queryset
    if user.role == Role.REPORTER and unit_field:
        return queryset.filter(**{unit_field: user.org_unit_id})
    return queryset.none()


def visible_checklist_rows(user: User):
    from guatu.assessment.models import ChecklistRow

    return _reference_rows(user, ChecklistRow.objects.all(), "jurisdiction", "lead_unit_id")


def get_visible_checklist_row(user: User, pk):
    rows = visible_checklist_rows(user).select_related("jurisdiction", "indicator", "lead_unit", "entered_by")
    return _get_or_404(rows, pk, "checklist row")


def visible_peer_values(user: User):
    from guatu.assessment.models import PeerValue

    return _reference_rows(user, PeerValue.objects.all(), "jurisdiction", "indicator__lead_unit_id")


def get_visible_peer_value(user: User, pk):
    rows = visible_peer_values(user).select_related("jurisdiction", "indicator", "entered_by")
    return _get_or_404(rows, pk, "peer value")


def visible_headlines(user: User):
    from guatu.assessment.models import HeadlineIndicator

    return _reference_rows(user, HeadlineIndicator.objects.all(), "jurisdiction", None)


def get_visible_headline(user: User, pk):
    return _get_or_404(visible_headlines(user).select_related("jurisdiction", "entered_by"), pk, "headline")


def visible_headline_values(user: User):
    from guatu.assessment.models import HeadlineValue

    return _reference_rows(user, HeadlineValue.objects.all(), "indicator__jurisdiction", None)


def get_visible_headline_value(user: User, pk):
    rows = visible_headline_values(user).select_related("indicator__jurisdiction", "entered_by")
    return _get_or_404(rows, pk, "headline value")


def can_enter_reference(user: User, county: OrgUnit | None, unit_id: int | None = None) -> bool:
    """Reference data of a county is entered by its assessment office, or by the reporters of the unit
    responsible for the row (`unit_id`: a checklist row's lead unit, a peer value's indicator's lead unit)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if not _is_unrestricted(user):
        if county is None or user.org_unit_id is None or not county.is_within(jurisdiction(user.org_unit)):
            return False
    if is_reviewer(user):
        return True
    return user.role == Role.REPORTER and unit_id is not None and unit_id == user.org_unit_id


def can_review_reference(user: User, county: OrgUnit | None) -> bool:
    """The assessment office of the county (reviewers and city administrators) reviews its reference data."""
    if not is_reviewer(user):
        return False
    if _is_unrestricted(user):
        return True
    return (
        county is not None and user.org_unit_id is not None and county.is_within(jurisdiction(user.org_unit))
    )


# --- monthly reports: the unit's workbook and the reports due -----------------------------------------------


def can_fill_unit_reports(user: User, unit: OrgUnit) -> bool:
    """A unit reporter fills in the month for their own unit or a unit below it: the projects of
    `Project.objects.in_unit(unit)` are then all theirs by `can_fill_reports`."""
    if not user.is_authenticated or not user.is_active or user.role != Role.REPORTER:
        return False
    scope = scope_unit(user)
    return scope is not None and unit.is_within(scope)


# --- meeting papers: decided items (议定事项), the agenda and the minutes -----------------------------------


def meeting_jurisdiction(meeting: Meeting) -> OrgUnit | None:
    """The jurisdiction a meeting belongs to: its scheduler's (None for a superuser without a unit)."""
    unit = meeting.created_by.org_unit
    return jurisdiction(unit) if unit is not None else None


def can_record_decisions(user: User, meeting: Meeting) -> bool:
    """The reviewers and city administrators who see the meeting, and the convening unit's people who act
    (its office: reporters, reviewers, administrators), record its decided items."""
    if not visible_meetings(user).filter(pk=meeting.pk).exists():
        return False
    if is_reviewer(user):
        return True
    return (
        meeting.convenor_unit_id is not None
        and user.org_unit_id == meeting.convenor_unit_id
        and user.role in (Role.REPORTER, Role.REVIEWER, Role.CITY_ADMIN)
    )


def get_visible_decision(user: User, meeting: Meeting, pk) -> MeetingDecision:
    """A decided item of a meeting the user sees (404 for another meeting's item or one that does not exist)."""
    try:
        return MeetingDecision.objects.get(meeting=get_visible_meeting(user, meeting.pk), pk=pk)
    except (MeetingDecision.DoesNotExist, ValueError, TypeError):
        raise Http404("decided item not found") from None


# --- background jobs: long documents and exports, kept for whoever asked -------------------------------------


def may_start_job(user: User, unit: OrgUnit, *, whole_unit: bool = False) -> bool:
    """A job about `unit` may be asked for by whoever sees the unit (and, for unit-wide figures such as a
    bulletin's, every project of it)."""
    if not visible_units(user).filter(pk=unit.pk).exists():
        return False
    return sees_whole_unit(user, unit) if whole_unit else True


def visible_jobs(user: User):
    """The user's own jobs, about units they still see. Nobody sees another user's files, whatever their role."""
    from guatu.jobs.models import Job

    if not user.is_authenticated or not user.is_active:
        return Job.objects.none()
    return Job.objects.filter(requested_by=user, unit__in=visible_units(user).values("pk"))


def get_visible_job(user: User, pk):
    """The user's job, or 404: another user's job, or one about a unit the requester no longer sees (moved
    to another unit, another role), looks like one that does not exist."""
    from guatu.jobs.models import Job
    from guatu.jobs.registry import get_kind

    try:
        job = visible_jobs(user).select_related("unit").get(pk=pk)
    except (Job.DoesNotExist, ValueError, TypeError):
        raise Http404("job not found") from None
    kind = get_kind(job.kind)
    if kind is not None and kind.whole_unit and not sees_whole_unit(user, job.unit):
        raise Http404("job not found")
    return job


# --- bulletins: the progress bulletin (通报) of a unit, the office's document -----------------------------------


def may_issue_bulletins(user: User) -> bool:
    """The review office writes the bulletin: city administrators and reviewers (and a superuser). A bulletin
    counts every project of its unit, so leaders (who see their own projects) and unit reporters do not."""
    if _is_unrestricted(user):
        return True
    return (
        user.is_authenticated
        and user.is_active
        and user.role in REVIEW_ROLES
        and user.org_unit_id is not None
    )


def bulletin_units(user: User):
    """The units whose bulletin the user may ask for: every unit of their jurisdiction."""
    if not may_issue_bulletins(user):
        return OrgUnit.objects.none()
    return visible_units(user)


def get_bulletin_unit(user: User, pk) -> OrgUnit:
    """The unit for a bulletin, or 404 when the user may not have it (another county's looks like none)."""
    return _get_or_404(bulletin_units(user), pk, "unit")


# --- industrial chains (链长制) ------------------------------------------------------------------------------


def visible_chains(user: User):
    """Everyone active in a jurisdiction sees its industry chains (and those of the jurisdictions below it);
    a superuser without a unit sees all."""
    chains = IndustryChain.objects.all()
    if not user.is_authenticated or not user.is_active:
        return chains.none()
    if _is_unrestricted(user):
        return chains
    if user.org_unit_id is None:
        return chains.none()
    return chains.filter(jurisdiction__path__startswith=jurisdiction(user.org_unit).path)


def get_visible_chain(user: User, pk) -> IndustryChain:
    return _get_or_404(visible_chains(user).select_related("jurisdiction", "chief", "lead_unit"), pk, "chain")


def manageable_chains(user: User):
    """The chains whose five ones, targets, policies and follow-through a user keeps, the chains a project may
    be put on and problems raised on: the jurisdiction's, for its city administrators and reviewers."""
    if _is_unrestricted(user):
        return IndustryChain.objects.all()
    root = library_root(user)
    if root is None:
        return IndustryChain.objects.none()
    return IndustryChain.objects.filter(jurisdiction__path__startswith=root.path)


def can_manage_chains(user: User, chain: IndustryChain | None = None) -> bool:
    """City administrators and reviewers manage their jurisdiction's chains (a given one: when it is theirs)."""
    if _is_unrestricted(user):
        return True
    root = library_root(user)
    if root is None:
        return False
    return chain is None or chain.jurisdiction.is_within(root)


def get_manageable_chain(user: User, pk) -> IndustryChain:
    """The chain to change: 404 when the user may not see it, 403 when they see it but may not manage it."""
    chain = get_visible_chain(user, pk)
    if not can_manage_chains(user, chain):
        raise PermissionDenied("may not manage this chain")
    return chain


def chain_chiefs(user: User):
    """The leaders a chain manager may make a chain's chief: those in post of their jurisdiction."""
    return library_leaders(user)


def get_visible_chief(user: User, pk):
    """A leader whose chains page the user may open: a leader of a jurisdiction the user sees the chains of."""
    from guatu.orgs.models import Leader

    leaders = Leader.objects.select_related("org_unit")
    if not user.is_authenticated or not user.is_active:
        leaders = leaders.none()
    elif not _is_unrestricted(user):
        if user.org_unit_id is None:
            leaders = leaders.none()
        else:
            leaders = leaders.filter(org_unit__path__startswith=jurisdiction(user.org_unit).path)
    return _get_or_404(leaders, pk, "leader")


def get_manageable_chain_part(user: User, chain_pk, model, pk):
    """A work-team member, target, policy or follow-through entry (`model`) of a chain, to change or delete:
    404 when the chain is not visible or the part is not on it, 403 when the user may not manage the chain."""
    chain = get_manageable_chain(user, chain_pk)
    part = _get_or_404(model.objects.filter(chain=chain), pk, "chain part")
    part.chain = chain
    return part


# --- investment attraction: leads, their follow-ups and funds in place ---------------------------------------


def visible_leads(user: User):
    """Investment leads: reviewers and city administrators see their jurisdiction's, unit reporters and viewers
    those their unit (or a unit below it) is responsible for, leaders those on the chains they are chief of."""
    from guatu.attraction.models import Lead

    leads = Lead.objects.all()
    if not user.is_authenticated or not user.is_active:
        return leads.none()
    if _is_unrestricted(user):
        return leads
    if user.role == Role.LEADER:
        return leads.filter(chain__chief_id=user.leader_id) if user.leader_id else leads.none()
    unit = scope_unit(user)
    if unit is None:
        return leads.none()
    if user.role in CITY_WIDE_ROLES:
        return leads.in_jurisdiction(unit)
    return leads.in_unit(unit)


def get_visible_lead(user: User, pk):
    """The lead, or 404 when it does not exist or the user may not see it (the two look the same)."""
    return _get_or_404(visible_leads(user).for_list(), pk, "lead")


def may_create_leads(user: User) -> bool:
    """Reviewers and city administrators keep their jurisdiction's leads pipeline."""
    return _is_unrestricted(user) or library_root(user) is not None


def can_manage_lead(user: User, lead) -> bool:
    """Change a lead and take its steps (sign, start, convert, drop...): the reviewers and city administrators
    of the lead's jurisdiction."""
    if _is_unrestricted(user):
        return True
    root = library_root(user)
    return root is not None and lead.jurisdiction.is_within(root)


def can_follow_lead(user: User, lead) -> bool:
    """Log follow-ups and enter funds in place: whoever manages the lead, and the reporters of its responsible
    unit (or of a unit above it) for their own leads."""
    if can_manage_lead(user, lead):
        return True
    if (
        not user.is_authenticated
        or not user.is_active
        or user.role != Role.REPORTER
        or user.org_unit_id is None
    ):
        return False
    return lead.responsible_unit.is_within(user.org_unit)


def lead_units(user: User):
    """The units a lead manager may make responsible for a lead: the open units of their jurisdiction."""
    return library_units(user)


# --- reserve pipeline: the tiers' rules and funding applications (guatu.reserve) --------------------------------


def reserve_rules_unit(user: User) -> OrgUnit | None:
    """The jurisdiction whose tier rules (entry criteria, promotion gates) the user keeps: reviewers' and city
    administrators' own; a superuser without a unit, the top of the tree; None for everyone else."""
    if _is_unrestricted(user):
        unit = default_unit(user)
        return jurisdiction(unit) if unit else None
    return library_root(user)


def can_manage_funding(user: User, project: Project | None = None) -> bool:
    """Reviewers and city administrators of the project's jurisdiction keep its funding applications."""
    return can_maintain_library(user, project)


def visible_applications(user: User):
    """Funding applications of the projects the user sees: whoever sees a project sees its applications."""
    from guatu.reserve.models import FundingApplication

    return FundingApplication.objects.filter(project__in=visible_projects(user).values("pk"))


def get_visible_application(user: User, pk):
    return _get_or_404(
        visible_applications(user).select_related("project__location_unit", "project__lead_unit"),
        pk,
        "application",
    )


# --- enterprises: the firms served (当好店小二) and their requests --------------------------------------------


def visible_enterprises(user: User):
    """City administrators and reviewers: the firms of their jurisdiction; a unit's reporters and viewers: the
    firms their unit (or a unit below it) looks after, and those of the chains their unit leads; a leader: the
    firms of the chains they are chief of and those their unit looks after."""
    from guatu.enterprises.models import Enterprise

    enterprises = Enterprise.objects.all()
    if not user.is_authenticated or not user.is_active:
        return enterprises.none()
    if _is_unrestricted(user):
        return enterprises
    if user.role == Role.LEADER:
        if not user.leader_id:
            return enterprises.none()
        return enterprises.filter(Q(chain__chief_id=user.leader_id) | Q(unit_id=user.leader.org_unit_id))
    unit = scope_unit(user)
    if unit is None:
        return enterprises.none()
    return enterprises.filter(
        Q(unit__path__startswith=unit.path) | Q(chain__lead_unit__path__startswith=unit.path)
    )


def get_visible_enterprise(user: User, pk):
    from guatu.enterprises.models import Enterprise

    try:
        return visible_enterprises(user).select_related("unit", "chain__chief", "jurisdiction").get(pk=pk)
    except (Enterprise.DoesNotExist, ValueError, TypeError):
        raise Http404("enterprise not found") from None


def enterprise_units(user: User):
    """The units a user may have look after a firm: their jurisdiction's (reviewers, administrators) or their
    own unit and those below it (reporters); open ones."""
    if _is_unrestricted(user):
        return OrgUnit.objects.open()
    if not user.is_authenticated or not user.is_active or user.role not in (*REVIEW_ROLES, Role.REPORTER):
        return OrgUnit.objects.none()
    unit = scope_unit(user)
    return OrgUnit.objects.open().subtree(unit) if unit else OrgUnit.objects.none()


def can_manage_enterprise(user: User, enterprise=None) -> bool:
    """Reviewers and administrators keep the firms of their jurisdiction; a unit's reporters those their unit
    (or a unit below it) looks after: add them, change them, enter their yearly figures."""
    if _is_unrestricted(user):
        return True
    if not user.is_authenticated or not user.is_active or user.role not in (*REVIEW_ROLES, Role.REPORTER):
        return False
    unit = scope_unit(user)
    if unit is None:
        return False
    return enterprise is None or enterprise.unit.is_within(unit)


def may_raise_request(user: User, enterprise) -> bool:
    """A firm's request (诉求) is raised on its behalf by a reporter of the unit that looks after it (or of a unit
    above it), by a reporter of its chain's lead department, or by a reviewer of its jurisdiction."""
    if _is_unrestricted(user):
        return True
    if not user.is_authenticated or not user.is_active or user.org_unit_id is None:
        return False
    if user.role in REVIEW_ROLES:
        return enterprise.unit.is_within(scope_unit(user))
    if user.role != Role.REPORTER:
        return False
    lead_unit_id = enterprise.chain.lead_unit_id if enterprise.chain_id else None
    return enterprise.unit.is_within(user.org_unit) or user.org_unit_id == lead_unit_id
