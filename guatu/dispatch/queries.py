"""Named reads for dispatch: agendas, a unit's and a leader's work, overdue supervision orders."""

from __future__ import annotations

from datetime import date

from django.db.models import Q

from guatu.access import gateway
from guatu.dispatch.models import Problem, SupervisionOrder, Tier
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


def meeting_agenda(*, tier: int, convenor, convenor_unit, on: date, user) -> list[dict]:
    """Agenda items: red and yellow projects of the latest computed month, then open problems at the tier."""
    projects = Project.objects.counted().filter(
        responsibility(tier=tier, convenor=convenor, convenor_unit=convenor_unit, user=user)
    )
    latest = (
        ProjectLight.objects.filter(project__in=projects.values("pk"), year__lte=on.year)
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
    problems = (
        Problem.objects.open()
        .filter(tier=tier)
        .filter(Q(project__in=projects.values("pk")) | Q(project__isnull=True))
    )
    if tier == Tier.UNIT:
        problems = problems.filter(Q(assigned_unit=convenor_unit) | Q(project__lead_unit=convenor_unit))
    elif tier == Tier.LEADER:
        problems = problems.filter(Q(project__responsible_leader=convenor) | Q(chain__chief=convenor))
    for problem in problems.select_related("project").order_by("deadline", "pk"):
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
