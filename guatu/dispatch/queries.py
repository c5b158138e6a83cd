"""Named reads for dispatch: agendas, a unit's and a leader's work, overdue supervision orders."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import Q
from django.utils import timezone

from guatu.access import gateway
from guatu.accounts.models import Role, User
from guatu.audit.models import AuditEvent
from guatu.audit.queries import replay
from guatu.dispatch.models import OPEN_STATUSES, Problem, SupervisionOrder, Tier
from guatu.lights.models import SEVERITY, ProjectLight
from guatu.lights.queries import describe_reason
from guatu.orgs.models import Leader, OrgUnit
from guatu.projects.models import Project


def responsibility(*, tier: int, convenor: Leader | None, convenor_unit: OrgUnit | None, user) -> Q:
    """Which projects a convenor answers for: a unit's led projects, a leader's, or (tier 3) all in view."""
    if tier == Tier.UNIT:
        return Q(lead_unit=convenor_unit)
    if tier == Tier.LEADER:
        return Q(responsible_leader=convenor)
    return Q(pk__in=gateway.visible_projects(user).values("pk"))


def _periods_ended_by(on: date) -> Q:
    """Months that had ended by a meeting's date: those before its month (a month under way has no reports)."""
    return Q(year__lt=on.year) | Q(year=on.year, month__lt=on.month)


def _day_after(on: date) -> datetime:
    return timezone.make_aware(datetime.combine(on + timedelta(days=1), time.min))


def problems_as_of(problems, on: date) -> list[Problem]:
    """The problems raised by the end of `on`, each with its status, tier, unit and deadline as they were then.

    A problem unchanged since is read as it is; one changed after `on` is rebuilt from its audit events up to
    that day (the trail records every field the lifecycle changes). Three queries at most.
    """
    cutoff = _day_after(on)
    rows = list(problems.filter(raised_at__lt=cutoff))
    events = AuditEvent.objects.filter(object_type="problem", object_id__in=[p.pk for p in rows])
    changed = set(events.filter(at__gte=cutoff).values_list("object_id", flat=True))
    if changed:
        trail: dict[int, list] = {}
        for event in events.filter(object_id__in=changed, at__lt=cutoff).order_by("at", "id"):
            trail.setdefault(event.object_id, []).append(event)
        for problem in rows:
            if problem.pk in changed:
                then = replay(trail.get(problem.pk, []))
                problem.status = then.get("status", problem.status)
                problem.tier = then.get("tier", problem.tier)
                problem.assigned_unit_id = then.get("assigned_unit")
                deadline = then.get("deadline")
                problem.deadline = date.fromisoformat(deadline) if deadline else None
    return rows


def meeting_agenda(*, tier: int, convenor, convenor_unit, on: date, user) -> list[dict]:
    """Agenda items as the world stood on the meeting's date `on`: the red and yellow projects of the latest
    month that had ended by then, then the problems open then at the meeting's tier (docs/lights.md)."""
    projects = Project.objects.counted().filter(
        responsibility(tier=tier, convenor=convenor, convenor_unit=convenor_unit, user=user)
    )
    latest = (
        ProjectLight.objects.filter(_periods_ended_by(on), project__in=projects.values("pk"))
        .order_by("-year", "-month")
        .values_list("year", "month")
        .first()
    )
    items = []
    if latest:
        for light in (
            ProjectLight.objects.for_period(*latest)
            .warned()
            .filter(project__in=projects.values("pk"))
            .select_related("project")
            .order_by(SEVERITY.desc(), "project_id")
        ):
            items.append(
                {
                    "kind": "project",
                    "project_id": light.project_id,
                    "title": light.project.name,
                    "light": light.light,
                    "period": f"{latest[0]:04d}-{latest[1]:02d}",
                    "reasons": [describe_reason(r) for r in light.reasons],
                }
            )
    candidates = gateway.visible_problems(user).filter(
        Q(project__in=projects.values("pk")) | Q(project__isnull=True)
    )
    if tier == Tier.LEADER:
        candidates = candidates.filter(Q(project__responsible_leader=convenor) | Q(chain__chief=convenor))
    then = [
        problem
        for problem in problems_as_of(candidates.select_related("project"), on)
        if problem.status in OPEN_STATUSES
        and problem.tier == tier
        and (
            tier != Tier.UNIT
            or problem.assigned_unit_id == convenor_unit.pk
            or (problem.project_id is not None and problem.project.lead_unit_id == convenor_unit.pk)
        )
    ]
    then.sort(key=lambda problem: (problem.deadline is None, problem.deadline or on, problem.pk))
    for problem in then:
        items.append(
            {
                "kind": "problem",
                "problem_id": problem.pk,
                "title": problem.description,
                "project": problem.project.name if problem.project_id else "",
                "deadline": problem.deadline.isoformat() if problem.deadline else None,
            }
        )
    return items


def problems_of_unit(unit: OrgUnit):
    """A unit's assigned open problems, soonest deadline first."""
    return Problem.objects.open().filter(assigned_unit=unit).for_list().order_by("deadline", "pk")


def problems_waiting_on_leader(leader: Leader):
    """Open problems at tier 2 or 3 that a leader owns: their projects and chains, or tier 3 if principal."""
    mine = Q(tier=Tier.LEADER) & (Q(project__responsible_leader=leader) | Q(chain__chief=leader))
    if leader.is_principal:
        mine |= Q(tier=Tier.PRINCIPAL)
    return Problem.objects.open().filter(mine).for_list().order_by("deadline", "pk")


def overdue_orders(orders, today: date):
    """Supervision orders past their deadline without a response: the supervision bulletin's list."""
    return orders.overdue(today).select_related("project", "addressee").order_by("deadline", "pk")


def all_orders():
    return SupervisionOrder.objects.all()


def unit_users(unit: OrgUnit | None) -> list[User]:
    """The people who act for a unit: its active reporters (whom its notifications reach)."""
    if unit is None:
        return []
    return list(User.objects.filter(org_unit=unit, role=Role.REPORTER, is_active=True))


def leader_users(leaders) -> list[User]:
    return list(User.objects.filter(leader__in=leaders, is_active=True))


def tier_people(problem: Problem) -> list[User]:
    """Who owns a problem at its tier: the assigned unit, the responsible leader, or the principal leaders."""
    if problem.tier == Tier.UNIT:
        return unit_users(problem.assigned_unit)
    if problem.tier == Tier.LEADER:
        leader = problem.project.responsible_leader if problem.project_id else None
        if leader is None and problem.chain_id:
            leader = problem.chain.chief
        return leader_users([leader]) if leader else []
    return leader_users(Leader.objects.filter(is_principal=True))
