"""The demo's warning lights and three-tier dispatch: lights that add up, problems at every tier and in every
state, escalations, the supervision order, one meeting per tier, the notifications that follow."""

import json
from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from guatu.audit.models import AuditEvent
from guatu.demo import data
from guatu.demo.dates import d, moment
from guatu.demo.dispatch import MEETINGS, TODAY
from guatu.dispatch.models import (
    Escalation,
    Meeting,
    Problem,
    ProblemStatus,
    SupervisionOrder,
    SupervisionStatus,
)
from guatu.dispatch.queries import overdue_orders, problems_of_unit, problems_waiting_on_leader
from guatu.dispatch.services import escalate_overdue_problems
from guatu.lights.models import ProjectLight, RuleSetting
from guatu.notifications.models import Notification
from guatu.projects.models import Project

pytestmark = pytest.mark.django_db


def _lights_json() -> dict:
    out = StringIO()
    call_command("lights", "--period", "2022-03", "--format", "json", stdout=out)
    return json.loads(out.getvalue())


# ---- warning lights


def test_lights_add_up_per_tag_and_give_reasons(root):
    result = _lights_json()
    assert result["unit"]["name"] == "冷水江市"
    tags = {t["tag"]: t for t in result["tags"]}
    for code, target in data.TARGETS.items():
        assert tags[code]["projects"] == target["projects"]
    for t in result["tags"]:
        listed = Project.objects.counted().filter(tags__code=t["tag"], plans__year=2022).count()
        assert t["green"] + t["yellow"] + t["red"] == t["projects"] == listed, t
    county = tags["county"]
    assert county["red"] >= 10 and county["yellow"] >= 30 and county["green"] >= 30
    assert county[
        "projected_below_plan"
    ]  # 15.1% by March: the projection warns before the time progress does
    warned = result["warned"]
    assert len(warned) == county["red"] + county["yellow"]
    assert all(item["reasons"] and all(r["text"] for r in item["reasons"]) for item in warned)
    rules = Counter(r["rule"] for item in warned for r in item["reasons"])
    assert {"schedule", "milestone_overdue", "recovering"} <= set(rules)  # recovering: the lights' memory


def test_rules_are_the_demo_file_and_lights_are_stored_for_each_month(root):
    setting = RuleSetting.objects.get(unit=root)
    assert setting.rules["red_behind_points"] == 20 and setting.updated_by.role == "city_admin"
    months = ProjectLight.objects.filter(year=2022).values("month").annotate(n=Count("id"))
    assert {row["month"]: row["n"] for row in months} == {1: 177, 2: 177, 3: 177}


# ---- problems


def test_problems_at_every_tier_and_in_every_state(root):
    problems = Problem.objects.all()
    assert set(problems.values_list("tier", flat=True)) == {1, 2, 3}
    assert set(problems.values_list("status", flat=True)) == set(ProblemStatus.values)
    reopened = AuditEvent.objects.filter(action="problem.reopen")
    assert reopened.count() == 1
    again = Problem.objects.get(pk=reopened.get().object_id)
    assert again.status == ProblemStatus.IN_HAND and again.deadline > TODAY
    assert Problem.objects.filter(report__isnull=False).count() >= 5  # raised from March reports
    assert Problem.objects.filter(chain__isnull=False, tier=3).exists()
    assert Problem.objects.filter(status=ProblemStatus.CLOSED, closed_at__isnull=False).exists()
    assert all(p.feedback.exists() for p in problems.filter(status__in=["in_hand", "verified", "closed"]))
    # The story happens in March and April 2022, up to the demo's day.
    assert all(d(3, 1) <= timezone.localtime(p.raised_at).date() <= TODAY for p in problems)


def test_overdue_problems_escalated_once_per_deadline_audited_and_notified(root):
    steps = set(Escalation.objects.values_list("from_tier", "to_tier"))
    assert steps == {(1, 2), (2, 3)}
    for escalation in Escalation.objects.select_related("problem"):
        assert escalation.deadline_missed < timezone.localtime(escalation.at).date() <= TODAY
        assert AuditEvent.objects.filter(
            action="problem.escalate", object_id=escalation.problem_id, actor=None
        ).exists()
    assert Problem.objects.overdue(TODAY).filter(tier=3).exists()
    # The principal leaders' accounts were told (escalated to tier 3, then overdue there).
    kinds = set(Notification.objects.filter(user__username="demo_shizhang").values_list("kind", flat=True))
    assert {"escalated", "overdue"} <= kinds
    # Running the scheduled task again on the demo's today changes nothing.
    before = Escalation.objects.count()
    assert escalate_overdue_problems(at=moment(TODAY, 11)) == []
    assert Escalation.objects.count() == before


def test_leader_and_unit_see_their_work(root):
    from guatu.orgs.models import Leader, OrgUnit

    urban = Leader.objects.get(name="黄志刚")
    assert problems_waiting_on_leader(urban).filter(tier=2).exists()
    mayor = Leader.objects.get(name="陈立新")
    assert problems_waiting_on_leader(mayor).filter(tier=3).count() >= 2
    resources = OrgUnit.objects.get(short_name="市自然资源局")
    assert problems_of_unit(resources).count() >= 2


def test_supervision_order_is_pending_and_overdue(root):
    order = SupervisionOrder.objects.get()
    assert order.number == "督〔2022〕1号" and order.status == SupervisionStatus.ISSUED and not order.response
    assert order.problem.tier == 3 and order.addressee.short_name == "市自然资源局"
    assert list(overdue_orders(SupervisionOrder.objects.all(), TODAY)) == [order]
    assert Notification.objects.filter(kind="supervision", user__username="demo_ziyuan").exists()


def test_one_meeting_per_tier_with_minutes_agenda_and_a_decided_item(root):
    meetings = Meeting.objects.order_by("tier")
    assert [m.tier for m in meetings] == [1, 2, 3]
    for meeting, story in zip(meetings, MEETINGS, strict=True):
        assert meeting.title == story.title and meeting.minutes and meeting.agenda
        decided = meeting.decided_items.get()
        assert decided.tier == meeting.tier and decided.assigned_unit and decided.deadline
    top = meetings.get(tier=3)
    kinds = {item["kind"] for item in top.agenda}
    assert kinds == {"project", "problem"}  # red and yellow projects, then the open tier-3 problems
    assert top.attendees.count() == 7


def test_notifications_follow_from_the_story(root):
    kinds = Counter(Notification.objects.values_list("kind", flat=True))
    assert {"assigned", "due_soon", "overdue", "escalated", "supervision"} <= set(kinds)
    # Every assignment reached the assigned unit's reporters.
    for problem in Problem.objects.filter(assigned_unit__users__role="reporter").distinct():
        url = reverse("dispatch:problem", args=[problem.pk])
        assert Notification.objects.filter(
            kind="assigned", url=url, user__org_unit=problem.assigned_unit
        ).exists()
