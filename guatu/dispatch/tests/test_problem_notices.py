"""Who hears of a problem: raising it tells the jurisdiction's reviewers (not the one who raised it, not
another county's); raising and assigning at once tells the assigned unit instead; assigning tells the unit's
reporters; an escalation tells the next tier's people. Each once (dedupe keys)."""

from datetime import UTC, date, datetime

import pytest
import time_machine

from guatu.dispatch.models import Problem
from guatu.dispatch.services import (
    escalate_overdue_problems,
    problem_assign,
    problem_raise,
    problem_raise_and_assign,
)
from guatu.notifications.models import Notification
from guatu.testing import make_other_county

pytestmark = pytest.mark.django_db


def told(kind: str) -> set[str]:
    return set(Notification.objects.filter(kind=kind).values_list("user__username", flat=True))


def test_raising_a_problem_tells_the_jurisdictions_reviewers(world):
    w = world
    other = make_other_county()
    problem = problem_raise(project=w.project_a, description="征地拆迁未完成", category="land", by=w.reporter)
    assert told("raised") == {w.reviewer.username, w.city_admin.username}
    assert other.admin.username not in told("raised")
    notice = Notification.objects.get(user=w.reviewer, kind="raised")
    assert "征地拆迁未完成" in notice.title and notice.url == f"/dispatch/problems/{problem.pk}/"
    assert notice.dedupe_key == f"problem:{problem.pk}:raised"


def test_a_reviewer_who_raises_is_not_told_of_it(world):
    w = world
    problem_raise(project=w.project_a, description="审批滞后", category="approval", by=w.reviewer)
    assert told("raised") == {w.city_admin.username}


def test_raised_and_assigned_at_once_tells_the_assigned_unit_not_the_reviewers(world):
    w = world
    with time_machine.travel(datetime(2022, 3, 1, 9, tzinfo=UTC)):
        problem_raise_and_assign(
            project=w.project_a,
            description="会议议定：加快供地",
            category="land",
            by=w.reviewer,
            unit=w.dept,
            deadline=date(2022, 3, 10),
        )
    assert told("raised") == set()
    assert told("assigned") == {w.dept_reporter.username}


def test_assigning_tells_the_units_reporters_and_escalation_the_next_tier(world):
    w = world
    with time_machine.travel(datetime(2022, 3, 1, 9, tzinfo=UTC)):
        problem = problem_raise(
            project=w.project_a, description="资金未到位", category="funds", by=w.reporter
        )
        version = Problem.objects.values_list("version", flat=True).get(pk=problem.pk)
        problem_assign(
            problem=problem, expected_version=version, unit=w.dept, deadline=date(2022, 3, 10), by=w.reviewer
        )
    assert told("assigned") == {w.dept_reporter.username}
    escalate_overdue_problems(at=datetime(2022, 3, 12, 9, tzinfo=UTC))
    assert told("escalated") == {w.leader_user.username}  # project A's responsible leader
