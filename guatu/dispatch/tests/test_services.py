from datetime import UTC, date, datetime
from io import StringIO
from pathlib import Path

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from guatu.access import gateway
from guatu.accounts.models import Role
from guatu.audit.models import AuditEvent
from guatu.dispatch import services
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


def version_of(problem) -> int:
    """The version a person who opens the problem now reads."""
    return Problem.objects.values_list("version", flat=True).get(pk=problem.pk)


@pytest.fixture
def assigned(world):
    """A land problem on project A, raised by the township, assigned to the housing department by 10 March."""
    w = world
    with time_machine.travel(datetime(2022, 3, 1, 9, tzinfo=UTC)):
        problem = problem_raise(
            project=w.project_a, description="征地拆迁未完成", category="land", by=w.reporter
        )
        problem = problem_assign(
            problem=problem,
            expected_version=version_of(problem),
            unit=w.dept,
            deadline=date(2022, 3, 10),
            by=w.reviewer,
        )
    return problem


def test_lifecycle_raise_assign_feedback_verify_close_reopen(world, assigned):
    w = world
    assert assigned.status == ProblemStatus.ASSIGNED
    assert Notification.objects.filter(user=w.dept_reporter, kind="assigned").count() == 1
    problem_feedback(
        problem=assigned, expected_version=version_of(assigned), text="已完成补偿协议签订", by=w.dept_reporter
    )
    with pytest.raises(PermissionDenied):
        problem_feedback(
            problem=assigned, expected_version=version_of(assigned), text="x", by=w.reporter
        )  # not the assigned unit
    problem = problem_verify(problem=assigned, expected_version=version_of(assigned), by=w.reviewer)
    problem = problem_close(problem=problem, expected_version=version_of(problem), by=w.reviewer)
    assert problem.status == ProblemStatus.CLOSED and problem.closed_at
    with pytest.raises(ValidationError):
        problem_reopen(problem=problem, expected_version=version_of(problem), reason=" ", by=w.reviewer)
    problem = problem_reopen(
        problem=problem, expected_version=version_of(problem), reason="群众再次反映", by=w.reviewer
    )
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
    with time_machine.travel(datetime(2022, 3, 14, 9, tzinfo=UTC)):
        meeting = meeting_create(
            tier=2, date=date(2022, 3, 15), title="李建国副市长项目调度会", convenor=w.leader, by=w.reviewer
        )
    assert [(i["kind"], i["problem_id"]) for i in meeting.agenda] == [("problem", assigned.pk)]
    item = problem_raise(
        meeting=meeting, description="3月底前完成供电接入", category="utilities", tier=2, by=w.reviewer
    )
    assert list(meeting.decided_items.all()) == [item]
    with pytest.raises(ValidationError), time_machine.travel(datetime(2022, 3, 14, 9, tzinfo=UTC)):
        meeting_create(tier=1, date=date(2022, 3, 15), title="x", by=w.reviewer)


def test_only_reviewers_assign_and_deadlines_must_be_ahead(world):
    w = world
    problem = problem_raise(project=w.project_a, description="资金缺口", category="funds", by=w.reporter)
    with pytest.raises(PermissionDenied):
        problem_assign(
            problem=problem,
            expected_version=version_of(problem),
            unit=w.dept,
            deadline=date(2099, 1, 1),
            by=w.reporter,
        )
    with pytest.raises(ValidationError):
        problem_assign(
            problem=problem,
            expected_version=version_of(problem),
            unit=w.dept,
            deadline=date(2000, 1, 1),
            by=w.reviewer,
        )
    with pytest.raises(PermissionDenied):
        problem_raise(project=w.project_b, description="x", category="other", by=w.reporter)


# --- item 16: deadlines are ahead, and an agenda reads the world as on the meeting's date ------------------


def test_supervision_order_deadline_in_the_past_or_absurdly_far_is_refused(world, assigned):
    w = world
    with time_machine.travel(datetime(2022, 3, 12, 9, tzinfo=UTC)):
        for deadline in (date(2022, 3, 11), date(2000, 1, 1), date(2099, 1, 1)):
            with pytest.raises(ValidationError) as refused:
                supervision_issue(
                    project=w.project_a,
                    addressee=w.dept,
                    requirement="说明",
                    deadline=deadline,
                    by=w.reviewer,
                )
            assert "deadline" in refused.value.message_dict
        # today itself is allowed: "answer by the end of the day"
        supervision_issue(
            project=w.project_a,
            addressee=w.dept,
            requirement="说明",
            deadline=date(2022, 3, 12),
            by=w.reviewer,
        )
    assert SupervisionOrder.objects.count() == 1
    assert AuditEvent.objects.filter(action="supervision.issue").count() == 1


def _light(project, year, month, color):
    from guatu.lights.models import ProjectLight

    return ProjectLight.objects.create(
        project=project,
        year=year,
        month=month,
        light=color,
        raw_light=color,
        reasons=[],
        computed_at=datetime(year, month, 28, tzinfo=UTC),
    )


def test_meeting_agenda_uses_only_lights_of_months_ended_by_the_meeting_date(world):
    w = world
    _light(w.project_a, 2022, 2, "yellow")  # February: ended before the meeting
    _light(w.project_a, 2022, 3, "red")  # March: the meeting's own month, not ended on 15 March
    _light(w.project_a, 2022, 5, "red")  # May: after the meeting
    with time_machine.travel(datetime(2022, 6, 1, 9, tzinfo=UTC)):
        meeting = meeting_create(
            tier=2, date=date(2022, 3, 15), title="三月调度会", convenor=w.leader, by=w.reviewer
        )
    projects = [item for item in meeting.agenda if item["kind"] == "project"]
    assert [(i["project_id"], i["light"], i["period"]) for i in projects] == [
        (w.project_a.pk, "yellow", "2022-02")
    ]


def test_meeting_agenda_lists_the_problems_open_on_the_meeting_date(world, assigned):
    w = world
    escalate_overdue_problems(at=datetime(2022, 3, 11, 9, tzinfo=UTC))  # tier 2 from 11 March
    with time_machine.travel(datetime(2022, 3, 18, 9, tzinfo=UTC)):
        problem_feedback(
            problem=assigned, expected_version=version_of(assigned), text="已签订补偿协议", by=w.dept_reporter
        )
    problem = problem_verify(problem=assigned, expected_version=version_of(assigned), by=w.reviewer)
    problem_close(
        problem=problem, expected_version=version_of(problem), by=w.reviewer
    )  # closed after the meeting: it was open on 15 March
    with time_machine.travel(datetime(2022, 3, 25, 9, tzinfo=UTC)):
        later = problem_raise(  # raised after the meeting: not on its agenda
            project=w.project_a, description="供电线路迁改", category="utilities", tier=2, by=w.reviewer
        )
    with time_machine.travel(datetime(2022, 4, 1, 9, tzinfo=UTC)):
        meeting = meeting_create(
            tier=2, date=date(2022, 3, 15), title="三月调度会", convenor=w.leader, by=w.reviewer
        )
    problems = [item["problem_id"] for item in meeting.agenda if item["kind"] == "problem"]
    assert problems == [assigned.pk]
    assert later.pk not in problems


# --- item 21: the problem lifecycle runs on the shared workflow; a person's save always carries its version ---


@pytest.mark.parametrize("action", ["assign", "feedback", "verify", "close", "reopen"])
@pytest.mark.parametrize("version", ["missing", "stale"])
def test_every_lifecycle_step_refuses_a_missing_or_stale_version(world, assigned, action, version):
    w = world
    problem = Problem.objects.get()
    if action in ("verify", "close", "reopen"):
        problem_feedback(problem=problem, expected_version=problem.version, text="已完成", by=w.dept_reporter)
        problem = Problem.objects.get()
    if action in ("close", "reopen"):
        problem = problem_verify(problem=problem, expected_version=problem.version, by=w.reviewer)
    calls = {
        "assign": lambda v: problem_assign(
            problem=problem, unit=w.town_a, deadline=date(2022, 4, 1), by=w.reviewer, expected_version=v
        ),
        "feedback": lambda v: problem_feedback(
            problem=problem, text="再次反馈", by=w.dept_reporter, expected_version=v
        ),
        "verify": lambda v: problem_verify(problem=problem, by=w.reviewer, expected_version=v),
        "close": lambda v: problem_close(problem=problem, by=w.reviewer, expected_version=v),
        "reopen": lambda v: problem_reopen(
            problem=problem, reason="群众再次反映", by=w.reviewer, expected_version=v
        ),
    }
    before = (Problem.objects.get().version, AuditEvent.objects.count())
    with time_machine.travel(datetime(2022, 3, 5, 9, tzinfo=UTC)):
        with pytest.raises(ValidationError) as refused:
            calls[action](None if version == "missing" else problem.version - 1)
    assert "version" in refused.value.message_dict
    assert (Problem.objects.get().version, AuditEvent.objects.count()) == before


def test_escalation_acts_on_the_locked_rows_version_and_a_stale_save_after_it_is_refused(world, assigned):
    w = world
    read_at = Problem.objects.get().version  # the reviewer opens the page on 9 March
    escalate_overdue_problems(at=datetime(2022, 3, 11, 9, tzinfo=UTC))
    problem = Problem.objects.get()
    assert (problem.tier, problem.version) == (2, read_at + 1)
    event = AuditEvent.objects.get(action="problem.escalate")
    assert event.actor is None and event.at == datetime(2022, 3, 11, 9, tzinfo=UTC)  # audited at its moment
    assert (event.before, event.after) == (
        {"tier": 1, "deadline": "2022-03-10"},
        {"tier": 2, "deadline": "2022-03-21"},
    )
    with time_machine.travel(datetime(2022, 3, 11, 10, tzinfo=UTC)), pytest.raises(ValidationError):
        problem_assign(  # saved on the page read before the escalation: refused, the escalation stands
            problem=problem,
            unit=w.dept,
            deadline=date(2022, 4, 1),
            tier=1,
            by=w.reviewer,
            expected_version=read_at,
        )
    assert Problem.objects.get().tier == 2


def test_raise_and_assign_is_one_write_or_none(world):
    from guatu.dispatch.services import problem_raise_and_assign

    w = world
    with time_machine.travel(datetime(2022, 3, 1, 9, tzinfo=UTC)):
        before = (Problem.objects.count(), AuditEvent.objects.count())
        with pytest.raises(ValidationError):  # the assignment is refused: the problem is not raised either
            problem_raise_and_assign(
                project=w.project_a,
                description="供电",
                category="utilities",
                unit=w.dept,
                deadline=date(2022, 2, 1),
                by=w.reviewer,
            )
        with pytest.raises(ValidationError):  # a unit without a deadline
            problem_raise_and_assign(
                project=w.project_a,
                description="供电",
                category="utilities",
                unit=w.dept,
                deadline=None,
                by=w.reviewer,
            )
        assert (Problem.objects.count(), AuditEvent.objects.count()) == before
        problem = problem_raise_and_assign(
            project=w.project_a,
            description="供电",
            category="utilities",
            unit=w.dept,
            deadline=date(2022, 3, 31),
            by=w.reviewer,
        )
    assert (problem.status, problem.assigned_unit, problem.version) == (ProblemStatus.ASSIGNED, w.dept, 2)
    assert list(AuditEvent.objects.filter(object_type="problem").values_list("action", flat=True)) == [
        "problem.raise",
        "problem.assign",
    ]


def test_meeting_title_and_date_are_bounded_by_the_service_too(world):
    w = world
    with time_machine.travel(datetime(2022, 3, 14, 9, tzinfo=UTC)):
        for title, day, field in (
            ("长" * 201, date(2022, 3, 15), "title"),
            ("  ", date(2022, 3, 15), "title"),
            ("调度会", date(2024, 3, 15), "date"),
            ("调度会", date(2020, 3, 15), "date"),
        ):
            with pytest.raises(ValidationError) as refused:
                meeting_create(tier=2, date=day, title=title, convenor=w.leader, by=w.reviewer)
            assert field in refused.value.message_dict
    assert not AuditEvent.objects.filter(action="meeting.create").exists()


def test_dispatch_services_record_events_through_the_typed_helpers():
    """Every dispatch event is written by a named helper of guatu.audit.events (or the problems' workflow
    table), never by spelling an action code at the call site."""
    source = Path(services.__file__).read_text(encoding="utf-8")
    assert "audit_record(" not in source
