"""Acceptance (issue 3, item 4): a problem goes from a township's monthly report up the tiers and back to 销号.

A township reporter raises a problem on their March report (on a phone); the reviewer assigns it to the
project's lead unit with a deadline; the clock moves past the deadline and the scheduled escalation runs;
the escalation reaches the responsible leader's page and inbox; the lead unit's reporter gives feedback with
an attachment; the reviewer verifies and closes it.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from guatu.audit.models import AuditEvent
from guatu.dispatch.models import Problem, ProblemStatus
from guatu.dispatch.services import escalate_overdue_problems
from guatu.testing import make_report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PROBLEM = "G207改线段征地拆迁滞后，影响二期厂房开工"


def test_a_problem_from_a_report_escalates_to_the_leader_and_is_closed(
    live_server, world, browser_as, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    w = world
    report = make_report(
        w.project_a, "2022-03", "80", reporter=w.reporter, reviewer=w.reviewer, problems=PROBLEM
    )

    # The township reporter raises the problem from the report, on a phone. (The report page does not link
    # here yet: the raise page is opened with ?report= as the link will.)
    reporter = browser_as(w.reporter, phone=True)
    reporter.goto(live_server.url + reverse("dispatch:problem_raise") + f"?report={report.pk}")
    expect(reporter.locator("#raise-subject")).to_contain_text(w.project_a.name)
    expect(reporter.locator("#id_description")).to_have_value(PROBLEM)
    reporter.select_option("#id_category", label="用地")
    reporter.get_by_role("button", name="提交问题").click()
    expect(reporter.locator(".messages")).to_contain_text("问题已提出")
    expect(reporter.locator("h1 [data-status]")).to_have_attribute("data-status", "raised")
    problem = Problem.objects.get()
    assert (problem.report, problem.raised_by) == (report, w.reporter)

    # The reviewer assigns it to the lead unit (the housing department) with a deadline in three days.
    deadline = timezone.localdate() + timedelta(days=3)
    reviewer = browser_as(w.reviewer)
    reviewer.goto(live_server.url + reverse("dispatch:problem", args=[problem.pk]))
    expect(reviewer.locator("#id_unit")).to_have_value(str(w.dept.pk))  # the lead unit is proposed
    reviewer.fill("#id_deadline", deadline.isoformat())
    reviewer.fill("#id_required_outcome", "4月底前完成征地补偿协议签订")
    reviewer.get_by_role("button", name="交办", exact=True).click()
    expect(reviewer.locator(".messages")).to_contain_text("已交办给市住建局")
    expect(reviewer.locator("#assigned-unit")).to_have_text("市住建局")
    expect(reviewer.locator("h1 [data-status]")).to_have_attribute("data-status", "assigned")

    # The deadline passes; the hourly `guatu escalate` runs: tier 1 → tier 2, the responsible leader's.
    escalations = escalate_overdue_problems(at=timezone.now() + timedelta(days=5))
    assert [(e.problem_id, e.from_tier, e.to_tier) for e in escalations] == [(problem.pk, 1, 2)]

    leader = browser_as(w.leader_user)
    leader.goto(live_server.url + reverse("dispatch:my_work"))
    expect(leader.locator("#nav-unread")).to_have_text("1")
    row = leader.locator(f"#waiting tr[data-problem='{problem.pk}']")
    expect(row).to_contain_text("二级：责任领导协调调度")
    expect(row.locator(".escalation")).to_contain_text(f"第1级未在期限 {deadline.isoformat()} 前办结")
    row.get_by_role("link").click()
    expect(leader.locator("#escalations")).to_contain_text("第1级 → 第2级")
    expect(leader.locator("#actions")).to_have_count(0)  # the leader reads; the unit and reviewer act

    # The lead unit's reporter finds it on the unit page and reports what was done, with the agreement.
    unit = browser_as(w.dept_reporter)
    unit.goto(live_server.url + reverse("dispatch:my_work"))
    unit.locator(f"#unit-problems tr[data-problem='{problem.pk}']").get_by_role("link").click()
    unit.fill("#id_text", "已与12户签订征地补偿协议，剩余3户4月15日前签订")
    unit.set_input_files(
        "#id_attachment",
        files=[{"name": "补偿协议.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 signed"}],
    )
    unit.get_by_role("button", name="提交反馈").click()
    expect(unit.locator(".messages")).to_contain_text("反馈已提交")
    expect(unit.locator("h1 [data-status]")).to_have_attribute("data-status", "in_hand")

    # The reviewer reads the feedback, opens the attachment, verifies and closes (销号).
    reviewer.reload()
    feedback = reviewer.locator("#feedback")
    expect(feedback).to_contain_text("剩余3户")
    with reviewer.expect_download() as download:
        feedback.get_by_role("link", name="附件：补偿协议.pdf").click()
    assert download.value.suggested_filename == "补偿协议.pdf"
    reviewer.get_by_role("button", name="核实办理情况").click()
    expect(reviewer.locator("h1 [data-status]")).to_have_attribute("data-status", "verified")
    reviewer.get_by_role("button", name="销号").click()
    expect(reviewer.locator(".messages")).to_contain_text("问题已销号")
    expect(reviewer.locator("h1 [data-status]")).to_have_attribute("data-status", "closed")
    expect(reviewer.locator("#history")).to_contain_text("升级")

    problem.refresh_from_db()
    assert (problem.status, problem.tier, problem.assigned_unit) == (ProblemStatus.CLOSED, 2, w.dept)
    # In the order written: the escalation is audited at the moment it ran as of (5 days ahead here).
    assert list(
        AuditEvent.objects.filter(object_type="problem", object_id=problem.pk)
        .order_by("id")
        .values_list("action", flat=True)
    ) == [
        "problem.raise",
        "problem.assign",
        "problem.escalate",
        "problem.feedback",
        "problem.verify",
        "problem.close",
    ]
