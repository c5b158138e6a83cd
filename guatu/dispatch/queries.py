"""Named reads for dispatch: agendas, a unit's and a leader's work, overdue supervision orders."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import BooleanField, Case, Count, ExpressionWrapper, F, IntegerField, Q, Value, When
from django.utils import timezone

from guatu.access import gateway
from guatu.accounts.models import Role, User
from guatu.audit.models import AuditEvent
from guatu.audit.queries import replay
from guatu.dispatch.models import (
    OPEN_STATUSES,
    Problem,
    SupervisionStatus,
    Tier,
    of_jurisdiction,
    requests_at_leader,
)
from guatu.lights.models import SEVERITY, LightColor, ProjectLight
from guatu.lights.queries import describe_reason
from guatu.orgs.models import Leader, OrgUnit
from guatu.projects.models import Project

RED_FIRST = {LightColor.RED: 0, LightColor.YELLOW: 1, LightColor.GREEN: 2}
OPEN = "open"  # the problem list's status filter for "not closed" (raised, assigned or in hand)


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
    mine = Q(tier=Tier.LEADER) & (
        Q(project__responsible_leader=leader)
        | Q(chain__chief=leader)
        | (Q(enterprise__isnull=False) & requests_at_leader(leader.pk, leader.org_unit_id))
    )
    if leader.is_principal:
        # tier 3 of the leader's own jurisdiction: the problems whose principal leaders (tier_people) they are
        office = gateway.jurisdiction(leader.org_unit)
        mine |= Q(tier=Tier.PRINCIPAL) & of_jurisdiction(office.path, jurisdictions_below(office))
    return Problem.objects.open().filter(mine).for_list().order_by("deadline", "pk")


def overdue_orders(orders, today: date):
    """Supervision orders past their deadline without a response: the supervision bulletin's list."""
    return orders.overdue(today).select_related("project", "addressee").order_by("deadline", "pk")


def unit_users(unit: OrgUnit | None) -> list[User]:
    """The people who act for a unit: its active reporters (whom its notifications reach)."""
    if unit is None:
        return []
    return list(User.objects.filter(org_unit=unit, role=Role.REPORTER, is_active=True))


def reviewers_of(unit: OrgUnit | None) -> list[User]:
    """The active reviewers and city administrators of `unit`'s jurisdiction (the county office that reviews
    its projects), not those of a jurisdiction below it."""
    if unit is None:
        return []
    office = gateway.jurisdiction(unit)
    people = User.objects.filter(
        org_unit__path__startswith=office.path, role__in=gateway.REVIEW_ROLES, is_active=True
    )
    below = OrgUnit.objects.filter(path__startswith=office.path, kind__in=gateway.JURISDICTION_KINDS).exclude(
        pk=office.pk
    )
    for path in below.values_list("path", flat=True):
        people = people.exclude(org_unit__path__startswith=path)
    return list(people)


def leader_users(leaders) -> list[User]:
    return list(User.objects.filter(leader__in=leaders, is_active=True))


def problem_jurisdiction(problem: Problem) -> OrgUnit | None:
    """The jurisdiction a problem belongs to: its project's, its enterprise's, its chain's, its meeting's, else
    the raiser's."""
    if problem.project_id:
        return gateway.jurisdiction(problem.project.location_unit)
    if problem.enterprise_id:
        return problem.enterprise.jurisdiction
    if problem.chain_id:
        return problem.chain.jurisdiction
    if problem.meeting_id:
        return gateway.meeting_jurisdiction(problem.meeting)
    unit = problem.raised_by.org_unit
    return gateway.jurisdiction(unit) if unit is not None else None


def principal_leaders_of(office: OrgUnit | None):
    """The principal leaders (书记, 市长) of a jurisdiction, not those of a jurisdiction below it."""
    if office is None:
        return Leader.objects.none()
    leaders = Leader.objects.active().filter(is_principal=True, org_unit__path__startswith=office.path)
    for path in jurisdictions_below(office):
        leaders = leaders.exclude(org_unit__path__startswith=path)
    return leaders


def jurisdictions_below(office: OrgUnit) -> list[str]:
    """The paths of the jurisdictions (counties, prefectures) under `office`: theirs are not its own."""
    below = OrgUnit.objects.filter(path__startswith=office.path, kind__in=gateway.JURISDICTION_KINDS)
    return list(below.exclude(pk=office.pk).values_list("path", flat=True))


def tier_two_leader(problem: Problem) -> Leader | None:
    """Who coordinates a problem at tier 2: its project's responsible leader, else its chain's chief; for an
    enterprise's request, the chief of the firm's chain (链长), else the leader posted at the unit that looks
    after the firm (the first of them; `requests_at_leader` lets every leader of that unit see it)."""
    if problem.project_id and problem.project.responsible_leader_id:
        return problem.project.responsible_leader
    if problem.chain_id and problem.chain.chief_id:
        return problem.chain.chief
    if problem.enterprise_id:
        enterprise = problem.enterprise
        if enterprise.chain_id and enterprise.chain.chief_id:
            return enterprise.chain.chief
        return (
            Leader.objects.active().filter(org_unit=enterprise.unit_id).order_by("sort_order", "pk").first()
        )
    return None


def tier_people(problem: Problem) -> list[User]:
    """Who owns a problem at its tier: the assigned unit, the tier-2 leader (`tier_two_leader`), or the principal
    leaders of the problem's jurisdiction."""
    if problem.tier == Tier.UNIT:
        return unit_users(problem.assigned_unit)
    if problem.tier == Tier.LEADER:
        leader = tier_two_leader(problem)
        return leader_users([leader]) if leader else []
    return leader_users(principal_leaders_of(problem_jurisdiction(problem)))


# --- the pages' reads: each takes a queryset the gateway has already narrowed -------------------------------


def filter_problems(problems, filters: dict, today: date):
    """The problem list's filters (status or "open", tier, category, unit, overdue, project, enterprise requests)."""
    status = filters.get("status")
    if status == OPEN:
        problems = problems.open()
    elif status:
        problems = problems.filter(status=status)
    if filters.get("tier"):
        problems = problems.filter(tier=filters["tier"])
    if filters.get("category"):
        problems = problems.filter(category=filters["category"])
    unit = filters.get("unit")
    if unit is not None:
        problems = problems.filter(
            Q(assigned_unit__path__startswith=unit.path)
            | Q(project__in=Project.objects.in_unit(unit).values("pk"))
        )
    if filters.get("overdue"):
        problems = problems.overdue(today)
    if filters.get("project"):
        problems = problems.filter(project_id=filters["project"])
    if filters.get("requests"):
        problems = problems.requests()
    return problems


def problem_counts(problems, today: date, *, by_request: bool = False) -> list[dict]:
    """Problems by tier and status, each with how many are overdue (open, past the deadline): the problem
    list's figures for whatever filters `problems` carries. With `by_request`, each cell also says whether it
    holds enterprise requests (`request`), so that one query gives the problems and their requests
    (ProblemQuerySet.requests). One query."""
    keys = ["tier", "status"]
    if by_request:
        problems = problems.annotate(request=ExpressionWrapper(Q(enterprise__isnull=False), BooleanField()))
        keys.append("request")
    rows = (
        problems.order_by()
        .values(*keys)
        .annotate(
            count=Count("pk", distinct=True),
            overdue=Count("pk", distinct=True, filter=Q(status__in=OPEN_STATUSES, deadline__lt=today)),
        )
    )
    return sorted(rows, key=lambda row: [row[key] for key in keys])


def order_counts(orders, today: date, *, due_by: date | None = None) -> dict[str, int]:
    """Supervision orders by status, and how many are overdue (issued, past the deadline, no response); with
    `due_by`, also `due_soon`: issued and due from today to that day. One query."""
    issued = Q(status=SupervisionStatus.ISSUED)
    soon = {"due_soon": Count("pk", filter=issued & Q(deadline__gte=today, deadline__lte=due_by))} if due_by else {}
    return orders.order_by().aggregate(
        issued=Count("pk", filter=issued),
        responded=Count("pk", filter=Q(status=SupervisionStatus.RESPONDED)),
        closed=Count("pk", filter=Q(status=SupervisionStatus.CLOSED)),
        overdue=Count("pk", filter=issued & Q(deadline__lt=today)),
        **soon,
    )


def open_first(problems):
    """Open problems first, soonest deadline first; closed and verified ones after them."""
    return problems.annotate(
        is_done=Case(
            When(status__in=OPEN_STATUSES, then=Value(0)), default=Value(1), output_field=IntegerField()
        )
    ).order_by("is_done", F("deadline").asc(nulls_last=True), "pk")


def orders_for_list(orders):
    return orders.select_related("project", "addressee", "problem")


def orders_waiting_first(orders):
    """Waiting for a response, then waiting to be closed, then closed; soonest deadline first in each."""
    return orders.annotate(
        stage=Case(
            When(status=SupervisionStatus.ISSUED, then=Value(0)),
            When(status=SupervisionStatus.RESPONDED, then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        )
    ).order_by("stage", "deadline", "pk")


def orders_to_unit(orders, unit: OrgUnit):
    """The supervision orders addressed to a unit that are not closed yet, soonest deadline first."""
    return (
        orders_for_list(orders)
        .filter(addressee=unit)
        .exclude(status=SupervisionStatus.CLOSED)
        .order_by("deadline", "pk")
    )


def mark_overdue(orders, today: date) -> list:
    orders = list(orders)
    for order in orders:
        order.overdue = order.status == SupervisionStatus.ISSUED and order.deadline < today
        order.days_overdue = (today - order.deadline).days if order.overdue else 0
    return orders


def overdue_by_unit(orders: list) -> list[dict]:
    """The supervision bulletin's summary: per addressed unit, how many orders are overdue and the longest delay."""
    by_unit: dict[int, dict] = {}
    for order in orders:
        row = by_unit.setdefault(order.addressee_id, {"unit": order.addressee, "count": 0, "days": 0})
        row["count"] += 1
        row["days"] = max(row["days"], order.days_overdue)
    return sorted(by_unit.values(), key=lambda row: (-row["count"], -row["days"], row["unit"].path))


def meetings_for_list(meetings):
    """Meetings, latest first, with their decided items (议定事项) and the problems raised at them, how many and
    how many still open."""
    return (
        meetings.select_related("convenor", "convenor_unit")
        .annotate(
            decisions_count=Count("decisions", distinct=True),
            items=Count("decided_items", distinct=True),
            open_items=Count(
                "decided_items", filter=Q(decided_items__status__in=OPEN_STATUSES), distinct=True
            ),
        )
        .order_by("-date", "-pk")
    )


def leaders_of(units: list[OrgUnit]):
    """The leaders of the given units: who may convene or attend a meeting."""
    return Leader.objects.filter(org_unit__in=[unit.pk for unit in units]).order_by("sort_order", "id")


def latest_lights(projects) -> tuple[list[ProjectLight], tuple[int, int] | None]:
    """The lights of the latest month computed for these projects, red first, each with its reasons' texts."""
    latest = (
        ProjectLight.objects.filter(project__in=projects.values("pk"))
        .order_by("-year", "-month")
        .values_list("year", "month")
        .first()
    )
    if latest is None:
        return [], None
    lights = list(
        ProjectLight.objects.for_period(*latest)
        .filter(project__in=projects.values("pk"))
        .select_related("project__location_unit", "project__lead_unit")
    )
    for light in lights:
        light.reason_texts = [describe_reason(reason) for reason in light.reasons]
    lights.sort(key=lambda light: (RED_FIRST[light.light], light.project.name))
    return lights, latest


# --- meeting papers ----------------------------------------------------------------------------------------


def agenda_sections(meeting) -> tuple[list[dict], list[dict]]:
    """The meeting's agenda as its page and its .docx show it: the red and yellow projects (red first), then
    the open problems at its tier, both as `meeting_agenda` saw them on the meeting's date (the snapshot taken
    when it was scheduled, so nothing after that day enters it)."""
    agenda = sorted(
        meeting.agenda,
        key=lambda entry: (entry.get("kind") != "project", RED_FIRST.get(entry.get("light"), 3)),
    )
    projects = [
        {**entry, "light_label": LightColor(entry["light"]).label}
        for entry in agenda
        if entry.get("kind") == "project"
    ]
    problems = [entry for entry in agenda if entry.get("kind") == "problem"]
    return projects, problems


def meeting_decisions(meeting) -> list:
    """A meeting's decided items in order, with their units, project and problem: two queries."""
    return list(meeting.decisions.for_list())


def decision_units(meeting) -> list[OrgUnit]:
    """The units a decided item may name: the open units of the meeting's jurisdiction, in tree order."""
    office = gateway.meeting_jurisdiction(meeting)
    units = OrgUnit.objects.open()
    return list((units.subtree(office) if office is not None else units).order_by("path"))


def decision_problems(meeting, problems):
    """The problems a decided item may concern: those raised at the meeting or on its agenda (`problems` is
    what the reader may see)."""
    on_agenda = [entry["problem_id"] for entry in meeting.agenda if entry.get("kind") == "problem"]
    return problems.filter(Q(meeting=meeting) | Q(pk__in=on_agenda)).order_by("pk")
