from datetime import UTC, date, datetime
from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from guatu.access import gateway
from guatu.accounts.models import Role
from guatu.audit.models import AuditEvent
from guatu.dispatch.models import Escalation, Problem, ProblemStatus, SupervisionOrder
from guatu.dispatch.queries import overdue_orders, problems_of_unit, problems_waiting_on_leader
from guatu.dispatch.services import (
    escalate_overdue_problems,
    meeting_create,
    notify_due_soon,
    problem_assign,
    problem_close,
    problem_feedback,
    problem_raise,
    problem_reopen,
    problem_verify,
    supervision_issue,
    supervision_respond,
)
from guatu.notifications.models import Notification
from guatu.orgs.services import leader_create
from guatu.testing import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def assigned(world):
    """A land problem on project A, raised by the township, assigned to the housing department by 10 March."""
    w = world
    with time_machine.travel(datetime(2022, 3, 1, 9, tzinfo=UTC)):
        problem = problem_raise(
            project=w.project_a, description="征地拆迁未完成", category="land", by=w.reporter
        )
        problem = problem_assign(problem=problem, unit=w.dept, deadline=date(2022, 3, 10), by=w.reviewer)
    return problem


def test_lifecycle_raise_assign_feedback_verify_close_reopen(world, assigned):
    w = world
    assert assigned.status == ProblemStatus.ASSIGNED
    assert Notification.objects.filter(user=w.dept_reporter, kind="assigned").count() == 1
    problem_feedback(problem=assigned, text="已完成补偿协议签订", by=w.dept_reporter)
    with pytest.raises(PermissionDenied):
        problem_feedback(problem=assigned, text="x", by=w.reporter)  # not the assigned unit
    problem = problem_verify(problem=assigned, by=w.reviewer)
    problem = problem_close(problem=problem, by=w.reviewer)
    assert problem.status == ProblemStatus.CLOSED and problem.closed_at
    with pytest.raises(ValidationError):
        problem_reopen(problem=problem, reason=" ", by=w.reviewer)
    problem = problem_reopen(problem=problem, reason="群众再次反映", by=w.reviewer)
    assert problem.status == ProblemStatus.IN_HAND and problem.closed_at is None
    actions = list(AuditEvent.objects.filter(object_type="problem").values_list("action", flat=True))
    assert actions == [
        "problem.raise",
        "problem.assign",
        "problem.feedback",
        "problem.verify",
        "problem.close",
        "problem.reopen",
    ]


def test_escalation_one_tier_per_missed_deadline_and_idempotent(world, assigned):
    w = world
    # 11 March: the 10 March deadline is missed → tier 2, new deadline 21 March, the leader is told.
    at = datetime(2022, 3, 11, 9, tzinfo=UTC)
    first = escalate_overdue_problems(at=at)
    assert [(e.from_tier, e.to_tier, e.deadline_missed) for e in first] == [(1, 2, date(2022, 3, 10))]
    problem = Problem.objects.get()
    assert (problem.tier, problem.deadline) == (2, date(2022, 3, 21))
    assert Notification.objects.filter(user=w.leader_user, kind="escalated").count() == 1
    assert Notification.objects.filter(user=w.dept_reporter, kind="overdue").count() == 1
    event = AuditEvent.objects.get(action="problem.escalate")
    assert event.before == {"tier": 1, "deadline": "2022-03-10"} and event.after == {
        "tier": 2,
        "deadline": "2022-03-21",
    }
    assert "2022-03-10" in event.reason

    # The same run again changes nothing: no escalation, no audit, no notification.
    counts = (Escalation.objects.count(), AuditEvent.objects.count(), Notification.objects.count())
    assert escalate_overdue_problems(at=at) == []
    assert (Escalation.objects.count(), AuditEvent.objects.count(), Notification.objects.count()) == counts

    # Even far later, one run moves one tier only (the new deadline counts from the run).
    later = datetime(2022, 6, 1, 9, tzinfo=UTC)
    assert [(e.from_tier, e.to_tier) for e in escalate_overdue_problems(at=later)] == [(2, 3)]
    assert Problem.objects.get().tier == 3
    assert escalate_overdue_problems(at=later) == []
    # Past the tier-3 deadline there is nowhere higher: the principal leaders hear it is overdue, once.
    secretary = leader_create(name="周书记", post="市委书记", org_unit=w.city, is_principal=True)
    secretary_user = make_user("secretary", w.city, Role.LEADER, leader=secretary)
    much_later = datetime(2022, 7, 1, 9, tzinfo=UTC)
    assert escalate_overdue_problems(at=much_later) == []
    escalate_overdue_problems(at=much_later)
    assert Notification.objects.filter(user=secretary_user, kind="overdue").count() == 1
    assert problem in problems_waiting_on_leader(secretary)


def test_escalate_command_with_frozen_clock(world, assigned):
    out = StringIO()
    call_command("escalate", "--at", "2022-03-11T09:00:00+08:00", stdout=out)
    assert "1 escalated" in out.getvalue()
    out = StringIO()
    call_command("escalate", "--at", "2022-03-11T09:00:00+08:00", stdout=out)
    assert "0 escalated" in out.getvalue()


def test_due_soon_reminder_once(world, assigned):
    w = world
    at = datetime(2022, 3, 8, 9, tzinfo=UTC)
    assert notify_due_soon(at=at) == 1
    assert notify_due_soon(at=at) == 0
    assert Notification.objects.filter(user=w.dept_reporter, kind="due_soon").count() == 1


def test_unit_and_leader_see_their_work(world, assigned):
    w = world
    assert list(problems_of_unit(w.dept)) == [assigned]
    assert list(problems_waiting_on_leader(w.leader)) == []  # still tier 1
    escalate_overdue_problems(at=datetime(2022, 3, 11, 9, tzinfo=UTC))
    assert list(problems_waiting_on_leader(w.leader)) == [assigned]
    assert assigned in gateway.visible_problems(w.leader_user)
    assert assigned not in gateway.visible_problems(w.outsider)
    assert assigned in gateway.visible_problems(w.dept_reporter)


def test_supervision_order_numbered_answered_and_overdue(world, assigned):
    w = world
    with time_machine.travel(datetime(2022, 3, 12, 9, tzinfo=UTC)):
        order = supervision_issue(
            project=w.project_a,
            problem=assigned,
            addressee=w.dept,
            requirement="书面说明征地进展",
            deadline=date(2022, 3, 20),
            by=w.reviewer,
        )
        second = supervision_issue(
            project=w.project_a,
            addressee=w.town_a,
            requirement="说明",
            deadline=date(2022, 3, 25),
            by=w.reviewer,
        )
    assert (order.number, second.number) == ("督〔2022〕1号", "督〔2022〕2号")
    assert len(mail.outbox) == 0  # demo users have no email; the inbox has it
    assert Notification.objects.filter(user=w.dept_reporter, kind="supervision").exists()
    assert list(overdue_orders(SupervisionOrder.objects, date(2022, 3, 21))) == [order]
    with pytest.raises(PermissionDenied):
        supervision_respond(order=order, response="x", by=w.reporter)
    supervision_respond(order=order, response="已完成80%", by=w.dept_reporter)
    assert list(overdue_orders(SupervisionOrder.objects, date(2022, 3, 21))) == []
    with pytest.raises(PermissionDenied):
        supervision_issue(
            project=w.project_a, addressee=w.dept, requirement="x", deadline=date(2022, 4, 1), by=w.reporter
        )


def test_meeting_agenda_lists_open_problems_at_its_tier(world, assigned):
    w = world
    escalate_overdue_problems(at=datetime(2022, 3, 11, 9, tzinfo=UTC))
    meeting = meeting_create(
        tier=2, date=date(2022, 3, 15), title="李建国副市长项目调度会", convenor=w.leader, by=w.reviewer
    )
    assert [(i["kind"], i["problem_id"]) for i in meeting.agenda] == [("problem", assigned.pk)]
    item = problem_raise(
        meeting=meeting, description="3月底前完成供电接入", category="utilities", tier=2, by=w.reviewer
    )
    assert list(meeting.decided_items.all()) == [item]
    with pytest.raises(ValidationError):
        meeting_create(tier=1, date=date(2022, 3, 15), title="x", by=w.reviewer)


def test_only_reviewers_assign_and_deadlines_must_be_ahead(world):
    w = world
    problem = problem_raise(project=w.project_a, description="资金缺口", category="funds", by=w.reporter)
    with pytest.raises(PermissionDenied):
        problem_assign(problem=problem, unit=w.dept, deadline=date(2099, 1, 1), by=w.reporter)
    with pytest.raises(ValidationError):
        problem_assign(problem=problem, unit=w.dept, deadline=date(2000, 1, 1), by=w.reviewer)
    with pytest.raises(PermissionDenied):
        problem_raise(project=w.project_b, description="x", category="other", by=w.reporter)
