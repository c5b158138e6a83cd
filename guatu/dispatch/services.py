"""Writes for three-tier dispatch. Each service checks the actor through the gateway, writes in one
transaction, records its audit event and sends its notifications after the commit.

Lifecycle of a problem: raised → assigned (交办) → in hand (feedback) → verified → closed (销号); a verified
or closed problem can be reopened with a reason. An open problem past its deadline escalates one tier
(1 → 2 → 3) with a new deadline; at tier 3 it stays and is reported overdue.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from guatu import clock
from guatu.access import gateway
from guatu.audit import events
from guatu.audit.services import changes, snapshot
from guatu.audit.workflow import Step, Workflow, check_version
from guatu.dispatch.dates import deadline_error, meeting_date_error
from guatu.dispatch.models import (
    OPEN_STATUSES,
    Escalation,
    Meeting,
    MeetingDecision,
    Problem,
    ProblemFeedback,
    ProblemStatus,
    Satisfaction,
    SupervisionOrder,
    SupervisionStatus,
    Tier,
)
from guatu.dispatch.queries import meeting_agenda, reviewers_of, tier_people, unit_users
from guatu.notifications.models import NotificationKind
from guatu.notifications.services import notify
from guatu.orgs.models import Leader, OrgUnit

# Days a problem gets at its new tier after an escalation (*practice*: leaders need time to convene).
ESCALATION_GRACE_DAYS = {Tier.LEADER: 10, Tier.PRINCIPAL: 15}
DUE_SOON_DAYS = 3
PROBLEM_FIELDS = [
    "project",
    "chain",
    "report",
    "meeting",
    "description",
    "category",
    "tier",
    "status",
    "assigned_unit",
    "deadline",
    "required_outcome",
    "enterprise",
    "satisfaction",
]

# The lifecycle of a problem, in one table. Assigning keeps the state of a problem already assigned or in hand
# (a reassignment or a new deadline) and turns a raised one into an assigned one; an escalation keeps the state.
WORKFLOW = Workflow(
    audited_fields=PROBLEM_FIELDS,
    steps=[
        Step("problem.assign", OPEN_STATUSES, None, gettext_noop("assigned")),
        Step(
            "problem.feedback",
            (ProblemStatus.ASSIGNED, ProblemStatus.IN_HAND),
            ProblemStatus.IN_HAND,
            gettext_noop("given feedback"),
        ),
        Step("problem.verify", (ProblemStatus.IN_HAND,), ProblemStatus.VERIFIED, gettext_noop("verified")),
        Step("problem.close", (ProblemStatus.VERIFIED,), ProblemStatus.CLOSED, gettext_noop("closed off")),
        Step(
            "problem.reopen",
            (ProblemStatus.VERIFIED, ProblemStatus.CLOSED),
            ProblemStatus.IN_HAND,
            gettext_noop("reopened"),
            needs_reason=True,
        ),
        Step("problem.escalate", OPEN_STATUSES, None, gettext_noop("escalated")),
    ],
)


def _problem_url(problem: Problem) -> str:
    return reverse("dispatch:problem", args=[problem.pk])


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise PermissionDenied(message)


def _locked(problem: Problem) -> Problem:
    return (
        # of=self: PostgreSQL cannot lock the nullable side of the outer joins select_related makes.
        Problem.objects.select_for_update(of=("self",))
        .select_related(
            "project__responsible_leader", "chain__chief", "assigned_unit", "enterprise__chain__chief"
        )
        .get(pk=problem.pk)
    )


def _step(
    problem: Problem,
    *,
    action: str,
    by,
    expected_version: int | None,
    reason: str = "",
    at=None,
    on_step=None,
):
    return WORKFLOW.run(
        problem,
        action=action,
        by=by,
        expected_version=expected_version,
        reason=reason,
        at=at,
        project=problem.project,
        on_step=on_step,
    )


def _validate_new(*, description: str, tier: int, has_subject: bool) -> None:
    errors = {}
    if not (description or "").strip():
        errors["description"] = _("Describe the problem.")
    if not has_subject:
        errors["project"] = _(
            "A problem belongs to a project, an industry chain, an enterprise or a meeting."
        )
    if tier not in Tier.values:
        errors["tier"] = _("Tier is 1, 2 or 3.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def problem_raise(
    *,
    description: str,
    category: str,
    by,
    project=None,
    chain=None,
    report=None,
    meeting=None,
    enterprise=None,
    at: datetime | None = None,
    tier: int = Tier.UNIT,
) -> Problem:
    """Raise a problem on a project (possibly from its monthly report), an industry chain, an enterprise's
    behalf (a request, through enterprises.services.request_raise) or at a meeting; the jurisdiction's
    reviewers are told, to assign it."""
    problem = _problem_create(
        description=description,
        category=category,
        by=by,
        project=project,
        chain=chain,
        report=report,
        meeting=meeting,
        enterprise=enterprise,
        at=at,
        tier=tier,
    )
    _tell_reviewers(problem, by=by)
    return problem


def _tell_reviewers(problem: Problem, *, by) -> None:
    """The reviewers of the problem's jurisdiction (its project's, else the raiser's), but not the raiser."""
    if problem.project_id:
        unit = problem.project.location_unit
    elif problem.enterprise_id:
        unit = problem.enterprise.unit
    else:
        unit = getattr(by, "org_unit", None)
    notify(
        users=[user for user in reviewers_of(unit) if user.pk != getattr(by, "pk", None)],
        kind=NotificationKind.RAISED,
        title=_("Problem raised: %(text)s") % {"text": problem.description[:30]},
        body=_("Raised by %(who)s; waiting to be assigned.")
        % {"who": getattr(by, "display_name", "") or "—"},
        url=_problem_url(problem),
        dedupe_key=f"problem:{problem.pk}:raised",
    )


def _problem_create(
    *,
    description: str,
    category: str,
    by,
    project=None,
    chain=None,
    report=None,
    meeting=None,
    enterprise=None,
    at: datetime | None = None,
    tier: int = Tier.UNIT,
) -> Problem:
    if report is not None:
        project = report.project
    if project is not None:
        _require(
            gateway.can_fill_reports(by, project) or gateway.can_review(by, project),
            _("You may not raise problems on this project."),
        )
    elif enterprise is not None:
        _require(
            gateway.may_raise_request(by, enterprise), _("You may not raise requests for this enterprise.")
        )
    else:
        _require(gateway.is_reviewer(by), _("Only reviewers raise problems on chains and at meetings."))
    if chain is not None:
        _require(
            gateway.chains_for_problems(by).filter(pk=chain.pk).exists(),
            _("You may not raise problems on this industry chain."),
        )
    _validate_new(
        description=description,
        tier=tier,
        has_subject=not (project is None and chain is None and meeting is None and enterprise is None),
    )
    problem = Problem.objects.create(
        project=project,
        chain=chain,
        report=report,
        meeting=meeting,
        enterprise=enterprise,
        description=description.strip(),
        category=category,
        tier=tier,
        raised_by=by,
        raised_at=at or clock.now(),
    )
    events.problem_raised(problem, after=snapshot(problem, PROBLEM_FIELDS), by=by, at=at)
    return problem


@transaction.atomic
def problem_assign(
    *,
    problem: Problem,
    unit: OrgUnit,
    deadline: date,
    required_outcome: str = "",
    tier: int | None = None,
    by,
    expected_version: int | None,
    at: datetime | None = None,
) -> Problem:
    """交办: give the problem to a unit with a deadline (reviewers); reassigning an open problem is allowed.
    `at` is the moment of assignment (default now): the deadline may not lie before it."""
    problem = _locked(problem)
    _require(gateway.can_manage_problem(by, problem), _("You may not assign this problem."))
    if error := deadline_error(deadline, today=timezone.localtime(at or clock.now()).date()):
        raise ValidationError({"deadline": error})
    if tier is not None and tier not in Tier.values:
        raise ValidationError({"tier": _("Tier is 1, 2 or 3.")})

    def assigned(problem: Problem, step: Step, now, reason: str) -> list[str]:
        problem.assigned_unit, problem.deadline, problem.required_outcome = unit, deadline, required_outcome
        if tier is not None:
            problem.tier = tier
        if problem.status == ProblemStatus.RAISED:
            problem.status = ProblemStatus.ASSIGNED
        return ["assigned_unit", "deadline", "required_outcome", "tier"]

    _step(problem, action="problem.assign", by=by, expected_version=expected_version, at=at, on_step=assigned)
    notify(
        users=unit_users(unit),
        kind=NotificationKind.ASSIGNED,
        title=_("Problem assigned to %(unit)s: %(text)s")
        % {"unit": unit.display_name, "text": problem.description[:30]},
        body=_("Deadline %(date)s. %(outcome)s") % {"date": deadline, "outcome": required_outcome},
        url=_problem_url(problem),
        dedupe_key=f"problem:{problem.pk}:assigned:{unit.pk}:{deadline}",
    )
    return problem


@transaction.atomic
def problem_raise_and_assign(
    *,
    description: str,
    category: str,
    by,
    unit: OrgUnit | None,
    deadline: date | None,
    required_outcome: str = "",
    project=None,
    chain=None,
    report=None,
    meeting=None,
    tier: int = Tier.UNIT,
    at: datetime | None = None,
) -> Problem:
    """Raise a problem and, when a unit is given, assign it at once (a meeting's decided item): both or neither.
    Assigned at once, the unit is told (problem_assign) and the reviewers are not asked to assign it."""
    if (unit is None) != (deadline is None):
        raise ValidationError(_("To assign the item now, give both the unit and the deadline (or neither)."))
    problem = (problem_raise if unit is None else _problem_create)(
        description=description,
        category=category,
        by=by,
        project=project,
        chain=chain,
        report=report,
        meeting=meeting,
        tier=tier,
        at=at,
    )
    if unit is None:
        return problem
    # The version is the one this transaction has just created: nobody else can have changed it.
    return problem_assign(
        problem=problem,
        unit=unit,
        deadline=deadline,
        required_outcome=required_outcome,
        by=by,
        expected_version=problem.version,
        at=at,
    )


@transaction.atomic
def problem_feedback(
    *,
    problem: Problem,
    text: str,
    by,
    expected_version: int | None,
    attachment=None,
    at: datetime | None = None,
) -> ProblemFeedback:
    """The assigned unit reports what it has done; the problem is then in hand."""
    problem = _locked(problem)
    _require(
        gateway.can_act_for_problem(by, problem), _("Only the assigned unit gives feedback on this problem.")
    )
    if not (text or "").strip():
        raise ValidationError({"text": _("Write what has been done.")})
    _step(problem, action="problem.feedback", by=by, expected_version=expected_version, reason=text, at=at)
    return ProblemFeedback.objects.create(
        problem=problem, text=text.strip(), attachment=attachment or "", by=by, at=at or clock.now()
    )


def _review(
    problem: Problem,
    *,
    action: str,
    by,
    expected_version: int | None,
    reason: str = "",
    at=None,
    on_step=None,
):
    problem = _locked(problem)
    _require(gateway.can_manage_problem(by, problem), _("You may not change this problem."))
    return _step(
        problem,
        action=action,
        by=by,
        expected_version=expected_version,
        reason=reason,
        at=at,
        on_step=on_step,
    )


@transaction.atomic
def problem_verify(
    *, problem: Problem, by, expected_version: int | None, at: datetime | None = None
) -> Problem:
    return _review(problem, action="problem.verify", by=by, expected_version=expected_version, at=at)


@transaction.atomic
def problem_close(
    *,
    problem: Problem,
    by,
    expected_version: int | None,
    satisfaction: str = "",
    at: datetime | None = None,
) -> Problem:
    """销号: a verified problem is closed; an enterprise's request with the firm's satisfaction (满意度)."""
    is_request = Problem.objects.filter(pk=problem.pk, enterprise__isnull=False).exists()
    if is_request and satisfaction not in Satisfaction.values:
        raise ValidationError(
            {"satisfaction": _("Record the enterprise's satisfaction to close its request.")}
        )
    if not is_request and satisfaction:
        raise ValidationError({"satisfaction": _("Only an enterprise's request records a satisfaction.")})

    def closed(problem: Problem, step: Step, now, reason: str) -> list[str]:
        problem.closed_at, problem.satisfaction = now, satisfaction
        return ["closed_at", "satisfaction"]

    return _review(
        problem, action="problem.close", by=by, expected_version=expected_version, at=at, on_step=closed
    )


@transaction.atomic
def problem_reopen(
    *, problem: Problem, reason: str, by, expected_version: int | None, at: datetime | None = None
) -> Problem:
    """A verified or closed problem goes back in hand, with the reason why."""

    def reopened(problem: Problem, step: Step, now, reason: str) -> list[str]:
        problem.closed_at, problem.satisfaction = None, ""
        return ["closed_at", "satisfaction"]

    return _review(
        problem,
        action="problem.reopen",
        by=by,
        expected_version=expected_version,
        reason=reason,
        at=at,
        on_step=reopened,
    )


def escalate_overdue_problems(*, at: datetime | None = None) -> list[Escalation]:
    """Move each open problem past its deadline up one tier, once per deadline missed. Idempotent.

    The new deadline counts from `at`, so one run escalates at most one tier; a problem already at tier 3
    is reported overdue to the principal leaders instead.
    """
    at = at or clock.now()
    today = timezone.localtime(at).date()
    escalations = (
        _escalate(pk, at=at, today=today)
        for pk in Problem.objects.overdue(today).values_list("pk", flat=True)
    )
    return [escalation for escalation in escalations if escalation is not None]


@transaction.atomic
def _escalate(pk: int, *, at: datetime, today: date) -> Escalation | None:
    """One problem's escalation, in its own transaction. The run acts for the system on the row it holds
    locked, so it passes that row's version: a person's save in between waits for the lock, then is refused
    as stale, and never overwrites the escalation (nor the escalation theirs)."""
    problem = _locked(Problem(pk=pk))
    if problem.status not in OPEN_STATUSES or problem.deadline is None or problem.deadline >= today:
        return None
    if Escalation.objects.filter(problem=problem, deadline_missed=problem.deadline).exists():
        return None
    if problem.tier >= Tier.PRINCIPAL:
        notify(
            users=tier_people(problem),
            kind=NotificationKind.OVERDUE,
            title=_("Overdue at tier 3: %(text)s") % {"text": problem.description[:30]},
            body=_("Deadline was %(date)s.") % {"date": problem.deadline},
            url=_problem_url(problem),
            dedupe_key=f"problem:{problem.pk}:overdue:{problem.deadline}",
        )
        return None
    missed = problem.deadline
    to_tier = problem.tier + 1
    new_deadline = today + timedelta(days=ESCALATION_GRACE_DAYS[Tier(to_tier)])
    reason = _("Deadline %(date)s missed at tier %(tier)s.") % {"date": missed, "tier": problem.tier}
    escalation = Escalation.objects.create(
        problem=problem,
        from_tier=problem.tier,
        to_tier=to_tier,
        deadline_missed=missed,
        new_deadline=new_deadline,
        at=at,
        reason=reason,
    )

    def escalated(problem: Problem, step: Step, now, reason: str) -> list[str]:
        problem.tier, problem.deadline = to_tier, new_deadline
        return ["tier", "deadline"]

    _step(
        problem,
        action="problem.escalate",
        by=None,
        expected_version=problem.version,
        reason=reason,
        at=at,
        on_step=escalated,
    )
    notify(
        users=tier_people(problem),
        kind=NotificationKind.ESCALATED,
        title=_("Escalated to tier %(tier)s: %(text)s") % {"tier": to_tier, "text": problem.description[:30]},
        body=reason,
        url=_problem_url(problem),
        dedupe_key=f"problem:{problem.pk}:escalated:{missed}",
    )
    notify(
        users=unit_users(problem.assigned_unit),
        kind=NotificationKind.OVERDUE,
        title=_("Overdue: %(text)s") % {"text": problem.description[:30]},
        body=reason,
        url=_problem_url(problem),
        dedupe_key=f"problem:{problem.pk}:overdue:{missed}",
    )
    return escalation


def notify_due_soon(*, at: datetime | None = None) -> int:
    """Remind the owners of problems due within three days (once per problem and deadline)."""
    today = timezone.localtime(at or clock.now()).date()
    sent = 0
    for problem in (
        Problem.objects.open()
        .filter(deadline__gte=today, deadline__lte=today + timedelta(days=DUE_SOON_DAYS))
        .select_related(
            "assigned_unit", "project__responsible_leader", "chain__chief", "enterprise__chain__chief"
        )
    ):
        sent += notify(
            users=tier_people(problem),
            kind=NotificationKind.DUE_SOON,
            title=_("Due %(date)s: %(text)s") % {"date": problem.deadline, "text": problem.description[:30]},
            url=_problem_url(problem),
            dedupe_key=f"problem:{problem.pk}:due_soon:{problem.deadline}",
        )
    return sent


# --- supervision orders (督办单) ---------------------------------------------------------------------------


def _next_order_number(year: int) -> str:
    prefix = f"督〔{year}〕"
    # Lock this year's orders (PostgreSQL refuses FOR UPDATE with COUNT); the unique number backs it up.
    taken = len(
        SupervisionOrder.objects.select_for_update()
        .filter(number__startswith=prefix)
        .values_list("pk", flat=True)
    )
    return f"{prefix}{taken + 1}号"


@transaction.atomic
def supervision_issue(
    *,
    project,
    addressee: OrgUnit,
    requirement: str,
    deadline: date,
    by,
    problem: Problem | None = None,
    at: datetime | None = None,
) -> SupervisionOrder:
    _require(gateway.can_review(by, project), _("Only reviewers issue supervision orders."))
    now = at or clock.now()
    errors = {}
    if not (requirement or "").strip():
        errors["requirement"] = _("State what the written response must cover.")
    if error := deadline_error(deadline, today=timezone.localtime(now).date()):
        errors["deadline"] = error
    if errors:
        raise ValidationError(errors)
    order = SupervisionOrder.objects.create(
        number=_next_order_number(timezone.localtime(now).year),
        problem=problem,
        project=project,
        addressee=addressee,
        requirement=requirement.strip(),
        deadline=deadline,
        issued_by=by,
        issued_at=now,
    )
    events.order_issued(
        order,
        after=snapshot(
            order, ["number", "problem", "project", "addressee", "requirement", "deadline", "status"]
        ),
        by=by,
    )
    notify(
        users=unit_users(addressee),
        kind=NotificationKind.SUPERVISION,
        title=_("Supervision order %(number)s") % {"number": order.number},
        body=_("Written response due %(date)s: %(text)s") % {"date": deadline, "text": order.requirement},
        url=reverse("dispatch:order", args=[order.pk]),
        dedupe_key=f"order:{order.pk}",
    )
    return order


@transaction.atomic
def supervision_respond(*, order: SupervisionOrder, response: str, by) -> SupervisionOrder:
    order = SupervisionOrder.objects.select_for_update().get(pk=order.pk)
    _require(
        by.is_authenticated and by.org_unit_id == order.addressee_id, _("Only the addressed unit responds.")
    )
    if order.status != SupervisionStatus.ISSUED:
        raise ValidationError({"status": _("This order has already been answered.")})
    if not (response or "").strip():
        raise ValidationError({"response": _("Write the response.")})
    order.response, order.responded_by, order.responded_at = response.strip(), by, clock.now()
    order.status = SupervisionStatus.RESPONDED
    order.save(update_fields=["response", "responded_by", "responded_at", "status"])
    events.order_answered(
        order,
        before={"status": SupervisionStatus.ISSUED},
        after={"status": order.status, "response": order.response},
        by=by,
    )
    return order


@transaction.atomic
def supervision_close(*, order: SupervisionOrder, by) -> SupervisionOrder:
    order = SupervisionOrder.objects.select_for_update().get(pk=order.pk)
    _require(gateway.can_review(by, order.project), _("Only reviewers close supervision orders."))
    if order.status != SupervisionStatus.RESPONDED:
        raise ValidationError({"status": _("Only an answered order can be closed.")})
    order.status = SupervisionStatus.CLOSED
    order.save(update_fields=["status"])
    events.order_closed(
        order, before={"status": SupervisionStatus.RESPONDED}, after={"status": order.status}, by=by
    )
    return order


# --- dispatch meetings ---------------------------------------------------------------------------------------


@transaction.atomic
def meeting_create(
    *,
    tier: int,
    date: date,
    title: str,
    by,
    convenor: Leader | None = None,
    convenor_unit: OrgUnit | None = None,
    attendees=(),
    attendee_units=(),
    at: datetime | None = None,
) -> Meeting:
    """A meeting with its agenda generated from the lagging projects and open problems it is responsible for,
    as they stood on the meeting's date (`at` is the moment it is scheduled or recorded, default now)."""
    _require(gateway.is_reviewer(by), _("Only reviewers schedule dispatch meetings."))
    errors = {}
    title = (title or "").strip()
    limit = Meeting._meta.get_field("title").max_length
    if not title:
        errors["title"] = _("Give the meeting a title.")
    elif len(title) > limit:
        errors["title"] = _("The title is too long: at most %(limit)s characters.") % {"limit": limit}
    if error := meeting_date_error(date, today=timezone.localtime(at or clock.now()).date()):
        errors["date"] = error
    if errors:
        raise ValidationError(errors)
    if tier == Tier.UNIT and convenor_unit is None:
        raise ValidationError({"convenor_unit": _("A tier-1 meeting is convened by a unit.")})
    if tier != Tier.UNIT and convenor is None:
        raise ValidationError({"convenor": _("A tier-2 or tier-3 meeting is convened by a leader.")})
    meeting = Meeting.objects.create(
        tier=tier,
        date=date,
        title=title,
        convenor=convenor,
        convenor_unit=convenor_unit,
        created_by=by,
        agenda=meeting_agenda(tier=tier, convenor=convenor, convenor_unit=convenor_unit, on=date, user=by),
    )
    meeting.attendees.set(attendees)
    meeting.attendee_units.set(attendee_units)
    events.meeting_scheduled(
        meeting, after=snapshot(meeting, ["tier", "date", "title", "convenor", "convenor_unit"]), by=by
    )
    return meeting


@transaction.atomic
def meeting_record_minutes(*, meeting: Meeting, minutes: str, by) -> Meeting:
    _require(gateway.is_reviewer(by), _("Only reviewers record minutes."))
    before = {"minutes": meeting.minutes}
    meeting.minutes = minutes
    meeting.save(update_fields=["minutes"])
    events.minutes_recorded(meeting, before=before, after={"minutes": minutes}, by=by)
    return meeting


# --- decided items (会议议定事项) -----------------------------------------------------------------------------

DECISION_FIELDS = [
    "meeting",
    "position",
    "text",
    "responsible_unit",
    "support_units",
    "deadline",
    "problem",
    "project",
]
MAX_SUPPORT_UNITS = 30


def _decision_state(decision: MeetingDecision, support_units: list[OrgUnit]) -> dict:
    state = snapshot(decision, [name for name in DECISION_FIELDS if name != "support_units"])
    state["support_units"] = sorted(unit.pk for unit in support_units)
    return state


def _validate_decision(
    *,
    meeting: Meeting,
    text: str,
    responsible_unit: OrgUnit | None,
    support_units: list[OrgUnit],
    deadline: date | None,
    problem: Problem | None,
    project,
    by,
    today: date,
) -> str:
    """The decided item's text, stripped, or a ValidationError naming each bad field."""
    errors = {}
    text = (text or "").strip()
    limit = MeetingDecision._meta.get_field("text").max_length
    if not text:
        errors["text"] = _("Write the decided item.")
    elif len(text) > limit:
        errors["text"] = _("The decided item is too long: at most %(limit)s characters.") % {"limit": limit}
    office = gateway.meeting_jurisdiction(meeting)
    if responsible_unit is None:
        errors["responsible_unit"] = _("Pick the unit responsible for the item.")
    elif office is not None and not responsible_unit.is_within(office):
        errors["responsible_unit"] = _("The responsible unit must belong to %(office)s.") % {
            "office": office.name
        }
    if len(support_units) > MAX_SUPPORT_UNITS:
        errors["support_units"] = _("At most %(n)s support units.") % {"n": MAX_SUPPORT_UNITS}
    elif responsible_unit is not None and any(unit.pk == responsible_unit.pk for unit in support_units):
        errors["support_units"] = _("The responsible unit is not also a support unit.")
    elif office is not None and any(not unit.is_within(office) for unit in support_units):
        errors["support_units"] = _("The support units must belong to %(office)s.") % {"office": office.name}
    if deadline is None:
        errors["deadline"] = _("Give the deadline of the item.")
    elif error := deadline_error(deadline, today=today):
        errors["deadline"] = error
    if problem is not None and not gateway.visible_problems(by).filter(pk=problem.pk).exists():
        errors["problem"] = _("Pick a problem you can see.")
    if project is not None and not gateway.visible_projects(by).filter(pk=project.pk).exists():
        errors["project"] = _("Pick a project you can see.")
    if errors:
        raise ValidationError(errors)
    return text


def _may_record(meeting: Meeting, *, by, today: date) -> None:
    _require(gateway.can_record_decisions(by, meeting), _("You may not record this meeting's decided items."))
    if meeting.date > today:
        raise ValidationError(
            _("The meeting is on %(date)s: its decided items are recorded once it has been held.")
            % {"date": meeting.date.isoformat()}
        )


@transaction.atomic
def decision_add(
    *,
    meeting: Meeting,
    text: str,
    responsible_unit: OrgUnit | None,
    deadline: date | None,
    support_units=(),
    problem: Problem | None = None,
    project=None,
    by,
) -> MeetingDecision:
    """Record a decided item after the meeting; it takes the next number of the meeting's items."""
    meeting = (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("created_by__org_unit")
        .get(pk=meeting.pk)
    )
    today = clock.today()
    _may_record(meeting, by=by, today=today)
    support_units = list(support_units)
    text = _validate_decision(
        meeting=meeting,
        text=text,
        responsible_unit=responsible_unit,
        support_units=support_units,
        deadline=deadline,
        problem=problem,
        project=project,
        by=by,
        today=today,
    )
    last = meeting.decisions.order_by("-position").values_list("position", flat=True).first() or 0
    decision = MeetingDecision.objects.create(
        meeting=meeting,
        position=last + 1,
        text=text,
        responsible_unit=responsible_unit,
        deadline=deadline,
        problem=problem,
        project=project,
    )
    decision.support_units.set(support_units)
    events.decision_added(decision, after=_decision_state(decision, support_units), by=by)
    return decision


def _locked_decision(decision: MeetingDecision) -> MeetingDecision:
    return (
        MeetingDecision.objects.select_for_update(of=("self",))
        .select_related("meeting__created_by__org_unit")
        .get(pk=decision.pk)
    )


@transaction.atomic
def decision_update(
    *,
    decision: MeetingDecision,
    text: str,
    responsible_unit: OrgUnit | None,
    deadline: date | None,
    support_units=(),
    problem: Problem | None = None,
    project=None,
    expected_version: int | None,
    by,
) -> MeetingDecision:
    """Change a decided item, against the version it was read at; nothing is written when nothing changed."""
    decision = _locked_decision(decision)
    today = clock.today()
    _may_record(decision.meeting, by=by, today=today)
    check_version(decision, expected_version)
    support_units = list(support_units)
    text = _validate_decision(
        meeting=decision.meeting,
        text=text,
        responsible_unit=responsible_unit,
        support_units=support_units,
        deadline=deadline,
        problem=problem,
        project=project,
        by=by,
        today=today,
    )
    before_state = _decision_state(decision, list(decision.support_units.all()))
    decision.text, decision.responsible_unit, decision.deadline = text, responsible_unit, deadline
    decision.problem, decision.project = problem, project
    before, after = changes(before_state, _decision_state(decision, support_units))
    if not after:
        return decision
    decision.version += 1
    decision.save(update_fields=["text", "responsible_unit", "deadline", "problem", "project", "version"])
    decision.support_units.set(support_units)
    events.decision_changed(decision, before=before, after=after, by=by)
    return decision


@transaction.atomic
def decision_remove(*, decision: MeetingDecision, expected_version: int | None, by) -> None:
    """Remove a decided item recorded by mistake; its last state stays in the audit trail. The items after
    it keep their numbers until the minutes are generated, which number them in order."""
    decision = _locked_decision(decision)
    _may_record(decision.meeting, by=by, today=clock.today())
    check_version(decision, expected_version)
    events.decision_removed(
        decision, before=_decision_state(decision, list(decision.support_units.all())), by=by
    )
    decision.support_units.clear()
    decision.delete()
