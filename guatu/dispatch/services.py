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
from guatu.accounts.models import Role, User
from guatu.audit.services import audit_record, changes, snapshot
from guatu.dispatch.models import (
    OPEN_STATUSES,
    Escalation,
    Meeting,
    Problem,
    ProblemFeedback,
    ProblemStatus,
    SupervisionOrder,
    SupervisionStatus,
    Tier,
)
from guatu.notifications.models import NotificationKind
from guatu.notifications.services import notify
from guatu.orgs.models import Leader, OrgUnit

# Days a problem gets at its new tier after an escalation (*practice*: leaders need time to convene).
ESCALATION_GRACE_DAYS = {Tier.LEADER: 10, Tier.PRINCIPAL: 15}
DUE_SOON_DAYS = 3
# What a review step is called in "a problem that is … cannot be …" (marked for translation here).
STEP_WORDS = {
    "problem.verify": gettext_noop("verify"),
    "problem.close": gettext_noop("close"),
    "problem.reopen": gettext_noop("reopen"),
}
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
]


def _problem_url(problem: Problem) -> str:
    return reverse("dispatch:problem", args=[problem.pk])


def unit_users(unit: OrgUnit | None) -> list[User]:
    """The people who act for a unit: its reporters (and, for a department, nobody else)."""
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


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise PermissionDenied(message)


def _check_state(problem: Problem, allowed: tuple[str, ...], action: str) -> None:
    if problem.status not in allowed:
        raise ValidationError(
            {
                "status": _("A problem that is %(status)s cannot be %(action)s.")
                % {"status": problem.get_status_display(), "action": action}
            }
        )


def _check_version(problem: Problem, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != problem.version:
        raise ValidationError(
            {
                "version": _(
                    "This problem was changed by someone else after you opened it. Nothing was saved: reload it."
                )
            }
        )


def _save(
    problem: Problem,
    before: dict,
    *,
    by,
    action: str,
    reason: str = "",
    fields: list[str],
    at: datetime | None = None,
) -> Problem:
    problem.version += 1
    problem.save(update_fields=[*fields, "version"])
    old, new = changes(before, snapshot(problem, PROBLEM_FIELDS))
    audit_record(
        actor=by,
        action=action,
        obj=problem,
        project=problem.project,
        before=old,
        after=new,
        reason=reason,
        at=at,
    )
    return problem


def _locked(problem: Problem) -> Problem:
    return (
        # of=self: PostgreSQL cannot lock the nullable side of the outer joins select_related makes.
        Problem.objects.select_for_update(of=("self",))
        .select_related("project__responsible_leader", "chain__chief", "assigned_unit")
        .get(pk=problem.pk)
    )


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
    at: datetime | None = None,
    tier: int = Tier.UNIT,
) -> Problem:
    """Raise a problem on a project (possibly from its monthly report), an industry chain, or at a meeting."""
    if report is not None:
        project = report.project
    if project is not None:
        _require(
            gateway.can_fill_reports(by, project) or gateway.can_review(by, project),
            _("You may not raise problems on this project."),
        )
    else:
        _require(gateway.is_reviewer(by), _("Only reviewers raise problems on chains and at meetings."))
    errors = {}
    if not (description or "").strip():
        errors["description"] = _("Describe the problem.")
    if project is None and chain is None and meeting is None:
        errors["project"] = _("A problem belongs to a project, an industry chain or a meeting.")
    if tier not in Tier.values:
        errors["tier"] = _("Tier is 1, 2 or 3.")
    if errors:
        raise ValidationError(errors)
    problem = Problem.objects.create(
        project=project,
        chain=chain,
        report=report,
        meeting=meeting,
        description=description.strip(),
        category=category,
        tier=tier,
        raised_by=by,
        raised_at=at or clock.now(),
    )
    audit_record(
        actor=by,
        action="problem.raise",
        obj=problem,
        project=project,
        after=snapshot(problem, PROBLEM_FIELDS),
    )
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
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Problem:
    """交办: give the problem to a unit with a deadline (reviewers); reassigning an open problem is allowed.
    `at` is the moment of assignment (default now): the deadline may not lie before it."""
    problem = _locked(problem)
    _require(gateway.can_manage_problem(by, problem), _("You may not assign this problem."))
    _check_state(problem, OPEN_STATUSES, _("assigned"))
    _check_version(problem, expected_version)
    if deadline < timezone.localtime(at or clock.now()).date():
        raise ValidationError({"deadline": _("The deadline %(date)s is already past.") % {"date": deadline}})
    before = snapshot(problem, PROBLEM_FIELDS)
    problem.assigned_unit = unit
    problem.deadline = deadline
    problem.required_outcome = required_outcome
    if tier is not None:
        problem.tier = tier
    if problem.status == ProblemStatus.RAISED:
        problem.status = ProblemStatus.ASSIGNED
    _save(
        problem,
        before,
        by=by,
        action="problem.assign",
        fields=["assigned_unit", "deadline", "required_outcome", "tier", "status"],
    )
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
def problem_feedback(
    *, problem: Problem, text: str, by, attachment=None, at: datetime | None = None
) -> ProblemFeedback:
    """The assigned unit reports what it has done; the problem is then in hand."""
    problem = _locked(problem)
    _require(
        gateway.can_act_for_problem(by, problem), _("Only the assigned unit gives feedback on this problem.")
    )
    _check_state(problem, (ProblemStatus.ASSIGNED, ProblemStatus.IN_HAND), _("given feedback"))
    if not (text or "").strip():
        raise ValidationError({"text": _("Write what has been done.")})
    entry = ProblemFeedback.objects.create(
        problem=problem, text=text.strip(), attachment=attachment or "", by=by, at=at or clock.now()
    )
    before = snapshot(problem, PROBLEM_FIELDS)
    problem.status = ProblemStatus.IN_HAND
    _save(problem, before, by=by, action="problem.feedback", reason=text.strip(), fields=["status"])
    return entry


def _review_step(problem, *, by, allowed, to, action, reason="", expected_version=None, closed=None):
    problem = _locked(problem)
    _require(gateway.can_manage_problem(by, problem), _("You may not change this problem."))
    _check_state(problem, allowed, _(STEP_WORDS[action]))
    _check_version(problem, expected_version)
    before = snapshot(problem, PROBLEM_FIELDS)
    problem.status = to
    fields = ["status"]
    if closed is not None:
        problem.closed_at = closed or None
        fields.append("closed_at")
    return _save(problem, before, by=by, action=action, reason=reason, fields=fields)


@transaction.atomic
def problem_verify(*, problem: Problem, by, expected_version: int | None = None) -> Problem:
    return _review_step(
        problem,
        by=by,
        allowed=(ProblemStatus.IN_HAND,),
        to=ProblemStatus.VERIFIED,
        action="problem.verify",
        expected_version=expected_version,
    )


@transaction.atomic
def problem_close(
    *, problem: Problem, by, expected_version: int | None = None, at: datetime | None = None
) -> Problem:
    """销号: a verified problem is closed."""
    return _review_step(
        problem,
        by=by,
        allowed=(ProblemStatus.VERIFIED,),
        to=ProblemStatus.CLOSED,
        action="problem.close",
        expected_version=expected_version,
        closed=at or clock.now(),
    )


@transaction.atomic
def problem_reopen(*, problem: Problem, reason: str, by, expected_version: int | None = None) -> Problem:
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give a reason for reopening the problem.")})
    return _review_step(
        problem,
        by=by,
        allowed=(ProblemStatus.VERIFIED, ProblemStatus.CLOSED),
        to=ProblemStatus.IN_HAND,
        action="problem.reopen",
        reason=reason.strip(),
        expected_version=expected_version,
        closed=False,
    )


def escalate_overdue_problems(*, at: datetime | None = None) -> list[Escalation]:
    """Move each open problem past its deadline up one tier, once per deadline missed. Idempotent.

    The new deadline counts from `at`, so one run escalates at most one tier; a problem already at tier 3
    is reported overdue to the principal leaders instead.
    """
    at = at or clock.now()
    today = timezone.localtime(at).date()
    done = []
    for pk in Problem.objects.overdue(today).values_list("pk", flat=True):
        with transaction.atomic():
            problem = _locked(Problem(pk=pk))
            if problem.status not in OPEN_STATUSES or problem.deadline is None or problem.deadline >= today:
                continue
            if Escalation.objects.filter(problem=problem, deadline_missed=problem.deadline).exists():
                continue
            if problem.tier >= Tier.PRINCIPAL:
                notify(
                    users=tier_people(problem),
                    kind=NotificationKind.OVERDUE,
                    title=_("Overdue at tier 3: %(text)s") % {"text": problem.description[:30]},
                    body=_("Deadline was %(date)s.") % {"date": problem.deadline},
                    url=_problem_url(problem),
                    dedupe_key=f"problem:{problem.pk}:overdue:{problem.deadline}",
                )
                continue
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
            before = snapshot(problem, PROBLEM_FIELDS)
            problem.tier = to_tier
            problem.deadline = new_deadline
            _save(
                problem,
                before,
                by=None,
                action="problem.escalate",
                reason=reason,
                fields=["tier", "deadline"],
            )
            notify(
                users=tier_people(problem),
                kind=NotificationKind.ESCALATED,
                title=_("Escalated to tier %(tier)s: %(text)s")
                % {"tier": to_tier, "text": problem.description[:30]},
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
            done.append(escalation)
    return done


def notify_due_soon(*, at: datetime | None = None) -> int:
    """Remind the owners of problems due within three days (once per problem and deadline)."""
    today = timezone.localtime(at or clock.now()).date()
    sent = 0
    for problem in (
        Problem.objects.open()
        .filter(deadline__gte=today, deadline__lte=today + timedelta(days=DUE_SOON_DAYS))
        .select_related("assigned_unit", "project__responsible_leader", "chain__chief")
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
    if not (requirement or "").strip():
        raise ValidationError({"requirement": _("State what the written response must cover.")})
    now = at or clock.now()
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
    audit_record(
        actor=by,
        action="supervision.issue",
        obj=order,
        project=project,
        after=snapshot(
            order, ["number", "problem", "project", "addressee", "requirement", "deadline", "status"]
        ),
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
    audit_record(
        actor=by,
        action="supervision.respond",
        obj=order,
        project=order.project,
        before={"status": SupervisionStatus.ISSUED},
        after={"status": order.status, "response": order.response},
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
    audit_record(
        actor=by,
        action="supervision.close",
        obj=order,
        project=order.project,
        before={"status": SupervisionStatus.RESPONDED},
        after={"status": order.status},
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
) -> Meeting:
    """A meeting with its agenda generated from the lagging projects and open problems it is responsible for."""
    from guatu.dispatch.queries import meeting_agenda

    _require(gateway.is_reviewer(by), _("Only reviewers schedule dispatch meetings."))
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
    audit_record(
        actor=by,
        action="meeting.create",
        obj=meeting,
        after=snapshot(meeting, ["tier", "date", "title", "convenor", "convenor_unit"]),
    )
    return meeting


@transaction.atomic
def meeting_record_minutes(*, meeting: Meeting, minutes: str, by) -> Meeting:
    _require(gateway.is_reviewer(by), _("Only reviewers record minutes."))
    before = {"minutes": meeting.minutes}
    meeting.minutes = minutes
    meeting.save(update_fields=["minutes"])
    audit_record(actor=by, action="meeting.minutes", obj=meeting, before=before, after={"minutes": minutes})
    return meeting
