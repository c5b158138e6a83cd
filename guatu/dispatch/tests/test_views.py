"""The dispatch pages: problems and their lifecycle, supervision orders, meetings, and each person's work.

Every page and action is checked for: allowed, not visible (404), forbidden (403), anonymous (login); bad
input shows a Chinese message and writes nothing; list pages run a fixed number of queries.
"""

import io
import zipfile
from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from guatu.accounts.models import Role
from guatu.audit.models import AuditEvent
from guatu.audit.queries import business_events
from guatu.dispatch.models import (
    Escalation,
    Meeting,
    Problem,
    ProblemFeedback,
    ProblemStatus,
    SupervisionOrder,
)
from guatu.dispatch.services import (
    escalate_overdue_problems,
    meeting_create,
    problem_assign,
    problem_feedback,
    problem_raise,
    problem_verify,
    supervision_issue,
    supervision_respond,
)
from guatu.notifications.models import Notification
from guatu.orgs.models import OrgUnitKind
from guatu.projects.models import IndustryChain
from guatu.testing import make_project, make_report, make_unit, make_user

pytestmark = pytest.mark.django_db


def version_of(problem) -> int:
    """The version a person who opens the problem now reads."""
    return Problem.objects.values_list("version", flat=True).get(pk=problem.pk)


SEES_PROBLEM_A = ["city_admin", "reviewer", "reporter", "dept_reporter", "leader", "viewer"]


def today():
    return timezone.localdate()


def page(response) -> str:
    return response.content.decode()


def url(name, *args):
    return reverse(f"dispatch:{name}", args=args)


def assert_login_redirect(response):
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.fixture
def raised(world):
    return problem_raise(
        project=world.project_a, description="征地拆迁未完成", category="land", by=world.reporter
    )


@pytest.fixture
def assigned(world, raised):
    return problem_assign(
        problem=raised,
        expected_version=version_of(raised),
        unit=world.dept,
        deadline=today() + timedelta(days=7),
        required_outcome="完成征地",
        by=world.reviewer,
    )


@pytest.fixture
def other_county_reviewer(db):
    county = make_unit("新化县", OrgUnitKind.COUNTY, division_code="431322")
    office = make_unit("新化县发展和改革局", OrgUnitKind.DEPARTMENT, county)
    return make_user("xinhua_reviewer", office, Role.REVIEWER)


def snapshot_counts():
    return (
        Problem.objects.count(),
        ProblemFeedback.objects.count(),
        SupervisionOrder.objects.count(),
        Meeting.objects.count(),
        business_events().count(),  # the personas' sign-ins between the counts are not what is checked
    )


# ------------------------------------------------------------------------------------------ problem list


@pytest.mark.parametrize("persona", SEES_PROBLEM_A)
def test_problem_list_shows_visible_problems(client, world, assigned, persona):
    client.force_login(world.personas[persona])
    response = client.get(url("problem_list"))
    assert response.status_code == 200
    html = page(response)
    assert f'data-problem="{assigned.pk}"' in html
    assert "征地拆迁未完成" in html and "市住建局" in html and "已交办" in html


def test_problem_list_hides_other_units_problems(client, world, assigned):
    client.force_login(world.outsider)
    response = client.get(url("problem_list"))
    assert response.status_code == 200
    assert "征地拆迁未完成" not in page(response)
    assert "共 0 个问题" in page(response)


def test_problem_list_anonymous_goes_to_login(client, world):
    assert_login_redirect(client.get(url("problem_list")))


def test_problem_list_filters(client, world, assigned):
    w = world
    other = problem_raise(
        project=w.project_b, description="资金缺口较大", category="funds", tier=2, by=w.outsider
    )
    client.force_login(w.reviewer)

    def shown(**params):
        html = page(client.get(url("problem_list"), params))
        return {pk for pk in (assigned.pk, other.pk) if f'data-problem="{pk}"' in html}

    assert shown() == {assigned.pk, other.pk}
    assert shown(status="assigned") == {assigned.pk}
    assert shown(status="open") == {assigned.pk, other.pk}
    assert shown(tier="2") == {other.pk}
    assert shown(category="land") == {assigned.pk}
    assert shown(unit=w.town_b.pk) == {other.pk}
    assert shown(unit=w.dept.pk) == {assigned.pk}
    assert shown(overdue="on") == set()
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        client.force_login(w.reviewer)  # a week later: the session has ended, the reviewer signs in again
        assert shown(overdue="on") == {assigned.pk}


def test_problem_list_bad_filter_is_explained_in_chinese(client, world, assigned, other_county_reviewer):
    client.force_login(world.reviewer)
    foreign_unit = other_county_reviewer.org_unit
    html = page(client.get(url("problem_list"), {"unit": foreign_unit.pk, "tier": "9"}))
    assert "请从列表中选择单位" in html
    assert f'data-problem="{assigned.pk}"' in html  # the bad filters are ignored, not applied
    for project in ("99999999999999999999", "-1", "x"):  # beyond any id the database holds: ignored, no 500
        response = client.get(url("problem_list"), {"project": project})
        assert response.status_code == 200 and f'data-problem="{assigned.pk}"' in page(response)


def test_problem_list_htmx_returns_the_table_only(client, world, assigned):
    client.force_login(world.reviewer)
    response = client.get(url("problem_list"), {"status": "open"}, headers={"HX-Request": "true"})
    html = page(response)
    assert "<html" not in html and f'data-problem="{assigned.pk}"' in html


def test_problem_list_query_count_does_not_grow_with_rows(client, world, django_assert_num_queries):
    w = world
    chain = IndustryChain.objects.create(name="锑品产业链", jurisdiction=w.city, chief=w.leader, lead_unit=w.dept)
    problem_raise(chain=chain, description="链上问题", category="other", by=w.reviewer)

    def add(n):
        for i in range(n):
            project = make_project(location=w.town_a, lead=w.dept, leader=w.leader)
            problem = problem_raise(project=project, description=f"问题{i}", category="funds", by=w.reporter)
            problem_assign(
                problem=problem,
                expected_version=version_of(problem),
                unit=w.dept,
                deadline=today() + timedelta(days=i + 1),
                by=w.reviewer,
            )

    add(3)
    client.force_login(w.reviewer)
    client.get(url("problem_list"))  # warm the session
    # session, user, the user's unit and jurisdiction, count, rows, unread count (the unit picker reads
    # nothing until it is used)
    with django_assert_num_queries(7) as few:
        assert client.get(url("problem_list")).status_code == 200
    add(6)
    with django_assert_num_queries(len(few.captured_queries)):
        assert client.get(url("problem_list")).status_code == 200


# ------------------------------------------------------------------------------------------ raise a problem


def test_reporter_raises_a_problem_from_a_report(client, world):
    w = world
    report = make_report(
        w.project_a, "2022-03", "100", reporter=w.reporter, reviewer=w.reviewer, problems="用地指标未落实"
    )
    client.force_login(w.reporter)
    raise_url = url("problem_raise") + f"?report={report.pk}"

    response = client.get(raise_url)
    assert response.status_code == 200
    assert "用地指标未落实" in page(response)  # the report's problems are copied in
    assert w.project_a.name in page(response)

    response = client.post(raise_url, {"description": "用地指标未落实", "category": "land", "tier": "1"})
    problem = Problem.objects.get()
    assert response.status_code == 302 and response.url == url("problem", problem.pk)
    assert (problem.report, problem.project, problem.raised_by, problem.status) == (
        report,
        w.project_a,
        w.reporter,
        ProblemStatus.RAISED,
    )
    assert AuditEvent.objects.filter(action="problem.raise", object_id=problem.pk).exists()


def test_raise_from_a_report_not_visible_is_not_found(client, world):
    w = world
    report = make_report(w.project_b, "2022-03", "100", reporter=w.outsider, reviewer=w.reviewer)
    client.force_login(w.reporter)
    raise_url = url("problem_raise") + f"?report={report.pk}"
    assert client.get(raise_url).status_code == 404
    assert client.post(raise_url, {"description": "x", "category": "land", "tier": "1"}).status_code == 404
    assert client.get(url("problem_raise") + "?report=abc").status_code == 404
    assert not Problem.objects.exists()


@pytest.mark.parametrize("persona", ["viewer", "leader"])
def test_read_only_users_may_not_raise(client, world, persona):
    client.force_login(world.personas[persona])
    project_url = url("problem_raise") + f"?project={world.project_a.pk}"
    assert client.get(project_url).status_code == 403
    assert client.post(project_url, {"description": "x", "category": "land", "tier": "1"}).status_code == 403
    assert client.get(url("problem_raise")).status_code == 403
    assert not Problem.objects.exists()


def test_raise_anonymous_goes_to_login(client, world):
    assert_login_redirect(client.get(url("problem_raise") + f"?project={world.project_a.pk}"))
    assert_login_redirect(client.post(url("problem_raise"), {"description": "x"}))
    assert not Problem.objects.exists()


def test_raise_on_another_townships_project_is_not_found(client, world):
    client.force_login(world.outsider)
    assert client.get(url("problem_raise") + f"?project={world.project_a.pk}").status_code == 404


def test_raise_with_a_picked_project_and_bad_input(client, world):
    w = world
    client.force_login(w.reporter)
    response = client.get(url("problem_raise"))
    html = page(response)
    assert w.project_a.name in html and w.project_b.name not in html  # only projects the reporter sees
    assert 'name="chain"' not in html  # chains are for reviewers

    response = client.post(url("problem_raise"), {"description": "  ", "category": "land", "tier": "1"})
    assert response.status_code == 200
    assert "请描述问题" in page(response)
    assert "请选择问题所属的项目" in page(response)
    response = client.post(
        url("problem_raise"), {"project": w.project_b.pk, "description": "x", "category": "land", "tier": "1"}
    )
    assert "请从列表中选择" in page(response)
    response = client.post(
        url("problem_raise"),
        {"project": w.project_a.pk, "description": "x", "category": "nonsense", "tier": "7"},
    )
    assert "选择一个有效的选项。 nonsense 不在可用的选项中" in page(response)
    assert not Problem.objects.exists()

    client.post(
        url("problem_raise"),
        {"project": w.project_a.pk, "description": "电力增容", "category": "utilities", "tier": "2"},
    )
    assert Problem.objects.get().tier == 2


def test_reviewer_raises_on_a_chain_and_a_reporter_may_not(client, world):
    w = world
    chain = IndustryChain.objects.create(name="锑品产业链", jurisdiction=w.city, chief=w.leader, lead_unit=w.dept)
    chain_url = url("problem_raise") + f"?chain={chain.pk}"
    client.force_login(w.reporter)
    assert client.get(chain_url).status_code == 403
    client.force_login(w.reviewer)
    assert client.get(url("problem_raise") + "?chain=999").status_code == 404
    response = client.get(chain_url)
    assert response.status_code == 200 and "锑品产业链" in page(response)
    client.post(chain_url, {"description": "锑价下跌，链主企业资金紧张", "category": "funds", "tier": "2"})
    problem = Problem.objects.get()
    assert (problem.chain, problem.project) == (chain, None)


def test_a_chain_of_another_county_is_not_found_nor_offered(client, world, other_county_reviewer):
    w = world
    chain = IndustryChain.objects.create(name="锑品产业链", jurisdiction=w.city, chief=w.leader, lead_unit=w.dept)
    client.force_login(other_county_reviewer)
    chain_url = url("problem_raise") + f"?chain={chain.pk}"
    assert client.get(chain_url).status_code == 404
    data = {"description": "越权提出的问题", "category": "funds", "tier": "2"}
    assert client.post(chain_url, data).status_code == 404
    assert "锑品产业链" not in page(client.get(url("problem_raise")))
    response = client.post(url("problem_raise"), {**data, "chain": chain.pk})
    assert response.status_code == 200 and "请从列表中选择" in page(response)
    assert not Problem.objects.exists()


# ------------------------------------------------------------------------------------------ problem page


@pytest.mark.parametrize("persona", SEES_PROBLEM_A)
def test_problem_page_for_those_who_see_it(client, world, assigned, persona):
    client.force_login(world.personas[persona])
    response = client.get(url("problem", assigned.pk))
    assert response.status_code == 200
    html = page(response)
    assert "征地拆迁未完成" in html and "完成征地" in html
    assert "提出" in html and "交办" in html  # the audit trail, in Chinese


def test_problem_page_not_visible_anonymous_and_missing(client, world, assigned):
    client.force_login(world.outsider)
    assert client.get(url("problem", assigned.pk)).status_code == 404
    assert client.get(url("problem", 99999)).status_code == 404
    client.logout()
    assert_login_redirect(client.get(url("problem", assigned.pk)))


def test_problem_page_offers_each_person_their_actions(client, world, assigned):
    w = world
    client.force_login(w.reviewer)
    html = page(client.get(url("problem", assigned.pk)))
    assert 'id="assign-form"' in html and 'id="feedback-form"' not in html
    assert url("order_issue") + f"?problem={assigned.pk}" in html
    client.force_login(w.dept_reporter)
    html = page(client.get(url("problem", assigned.pk)))
    assert 'id="feedback-form"' in html and 'id="assign-form"' not in html
    for persona in ("reporter", "viewer", "leader"):
        client.force_login(w.personas[persona])
        html = page(client.get(url("problem", assigned.pk)))
        assert (
            'id="feedback-form"' not in html and 'id="assign-form"' not in html and 'id="actions"' not in html
        )


# ------------------------------------------------------------------------------------------ assign


def assign_data(world, problem, **overrides):
    data = {
        "version": problem.version,
        "unit": world.dept.pk,
        "deadline": (today() + timedelta(days=10)).isoformat(),
        "required_outcome": "月底前完成",
        "tier": "1",
    }
    data.update(overrides)
    return data


def test_reviewer_assigns_and_the_unit_is_notified(client, world, raised):
    w = world
    client.force_login(w.reviewer)
    response = client.post(url("problem_assign", raised.pk), assign_data(w, raised))
    assert response.status_code == 302
    problem = Problem.objects.get()
    assert (problem.status, problem.assigned_unit, problem.deadline) == (
        ProblemStatus.ASSIGNED,
        w.dept,
        today() + timedelta(days=10),
    )
    assert Notification.objects.filter(user=w.dept_reporter, kind="assigned").exists()
    response = client.get(response.url)
    assert "已交办给市住建局" in page(response)


def test_assign_forbidden_not_visible_and_anonymous(client, world, raised):
    w = world
    before = snapshot_counts()
    for persona, status in (("reporter", 403), ("dept_reporter", 403), ("leader", 403), ("outsider", 404)):
        client.force_login(w.personas[persona])
        assert client.post(url("problem_assign", raised.pk), assign_data(w, raised)).status_code == status
    client.logout()
    assert_login_redirect(client.post(url("problem_assign", raised.pk), assign_data(w, raised)))
    assert client.get(url("problem_assign", raised.pk)).status_code in (302, 405)
    assert snapshot_counts() == before
    assert Problem.objects.get().status == ProblemStatus.RAISED


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"deadline": "2000-01-01"}, "已经过去"),
        ({"deadline": "2099-01-01"}, "年以后"),
        ({"deadline": "明天"}, "期限须为日期"),
        ({"deadline": ""}, "请填写期限"),
        ({"unit": "99999"}, "请从列表中选择单位"),
        ({"version": "99"}, "已被他人修改"),
        ({"version": ""}, "请刷新页面"),
    ],
)
def test_bad_assignment_is_explained_in_chinese_and_writes_nothing(client, world, raised, overrides, message):
    client.force_login(world.reviewer)
    before = snapshot_counts()
    response = client.post(url("problem_assign", raised.pk), assign_data(world, raised, **overrides))
    assert response.status_code == 200
    assert message in page(response)
    assert snapshot_counts() == before
    assert Problem.objects.get().status == ProblemStatus.RAISED


# ------------------------------------------------------------------------------------------ feedback


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def test_assigned_unit_gives_feedback_with_an_attachment_served_through_the_gateway(
    client, world, assigned, media
):
    w = world
    client.force_login(w.dept_reporter)
    upload = SimpleUploadedFile("征地协议.pdf", b"%PDF-1.4 agreement", content_type="application/pdf")
    response = client.post(
        url("problem_feedback", assigned.pk),
        {"text": "已签订补偿协议", "attachment": upload, "version": assigned.version},
    )
    assert response.status_code == 302
    entry = ProblemFeedback.objects.get()
    assert (entry.text, entry.by) == ("已签订补偿协议", w.dept_reporter)
    assert Problem.objects.get().status == ProblemStatus.IN_HAND
    assert (media / entry.attachment.name).exists()

    download = url("feedback_attachment", assigned.pk, entry.pk)
    client.force_login(w.reviewer)
    html = page(client.get(url("problem", assigned.pk)))
    assert download in html and "征地协议.pdf" in html
    response = client.get(download)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 agreement"
    assert "attachment" in response["Content-Disposition"]
    client.force_login(w.outsider)
    assert client.get(download).status_code == 404
    client.force_login(w.reviewer)
    assert client.get(url("feedback_attachment", assigned.pk, entry.pk + 1)).status_code == 404
    client.logout()
    assert_login_redirect(client.get(download))


def test_feedback_by_others_is_refused(client, world, assigned):
    w = world
    before = snapshot_counts()
    for persona, status in (
        ("reporter", 403),
        ("reviewer", 403),
        ("leader", 403),
        ("viewer", 403),
        ("outsider", 404),
    ):
        client.force_login(w.personas[persona])
        assert client.post(url("problem_feedback", assigned.pk), {"text": "已处理"}).status_code == status
    client.logout()
    assert_login_redirect(client.post(url("problem_feedback", assigned.pk), {"text": "已处理"}))
    assert snapshot_counts() == before


def test_bad_feedback_is_explained_and_writes_nothing(client, world, assigned, media):
    client.force_login(world.dept_reporter)
    before = snapshot_counts()
    version = assigned.version
    response = client.post(url("problem_feedback", assigned.pk), {"text": "  ", "version": version})
    assert "请填写已完成的工作" in page(response)
    upload = SimpleUploadedFile("run.exe", b"MZ", content_type="application/octet-stream")
    response = client.post(
        url("problem_feedback", assigned.pk), {"text": "见附件", "attachment": upload, "version": version}
    )
    assert "不能作为附件" in page(response)
    response = client.post(url("problem_feedback", assigned.pk), {"text": "已处理"})  # no version
    assert response.status_code == 200 and "请刷新页面" in page(response)
    response = client.post(url("problem_feedback", assigned.pk), {"text": "已处理", "version": version + 1})
    assert response.status_code == 200 and "已被他人修改" in page(response)
    response = client.post(url("problem_feedback", assigned.pk), {"text": "长" * 4001, "version": version})
    assert response.status_code == 200 and "4000" in page(response)
    assert snapshot_counts() == before
    assert not any(media.rglob("*")) if media.exists() else True


def test_feedback_on_a_raised_problem_is_refused_with_a_message(client, world, raised):
    w = world
    problem_assign(
        problem=raised,
        expected_version=version_of(raised),
        unit=w.dept,
        deadline=today() + timedelta(days=3),
        by=w.reviewer,
    )
    problem_feedback(problem=raised, expected_version=version_of(raised), text="处理中", by=w.dept_reporter)
    problem_verify(problem=raised, expected_version=version_of(raised), by=w.reviewer)
    client.force_login(w.dept_reporter)
    before = snapshot_counts()
    response = client.post(
        url("problem_feedback", raised.pk), {"text": "再次反馈", "version": version_of(raised)}
    )
    assert response.status_code == 200
    assert "不能反馈" in page(response)
    assert snapshot_counts() == before


# ------------------------------------------------------------------------------------------ verify, close, reopen


def test_reviewer_verifies_closes_and_reopens(client, world, assigned):
    w = world
    problem_feedback(
        problem=assigned, expected_version=version_of(assigned), text="已完成", by=w.dept_reporter
    )
    client.force_login(w.reviewer)
    version = Problem.objects.get().version
    assert client.post(url("problem_verify", assigned.pk), {"version": version}).status_code == 302
    assert Problem.objects.get().status == ProblemStatus.VERIFIED
    assert client.post(url("problem_close", assigned.pk), {"version": version + 1}).status_code == 302
    problem = Problem.objects.get()
    assert problem.status == ProblemStatus.CLOSED and problem.closed_at
    html = page(client.get(url("problem", assigned.pk)))
    assert "已销号" in html and 'id="reopen-form"' in html

    before = snapshot_counts()
    response = client.post(url("problem_reopen", assigned.pk), {"version": version + 2, "reason": " "})
    assert "请说明重新打开问题的理由" in page(response)
    assert snapshot_counts() == before
    client.post(url("problem_reopen", assigned.pk), {"version": version + 2, "reason": "群众再次反映"})
    assert Problem.objects.get().status == ProblemStatus.IN_HAND
    assert AuditEvent.objects.get(action="problem.reopen").reason == "群众再次反映"


def test_review_actions_out_of_order_or_by_others(client, world, assigned):
    w = world
    before = snapshot_counts()
    client.force_login(w.reviewer)
    response = client.post(url("problem_verify", assigned.pk), {"version": assigned.version})
    assert response.status_code == 200 and "不能核实" in page(response)
    response = client.post(url("problem_close", assigned.pk), {"version": assigned.version})
    assert response.status_code == 200 and "不能销号" in page(response)
    for persona, status in (("dept_reporter", 403), ("leader", 403), ("outsider", 404)):
        client.force_login(w.personas[persona])
        for action in ("problem_verify", "problem_close", "problem_reopen"):
            data = {"version": assigned.version, "reason": "x"}
            assert client.post(url(action, assigned.pk), data).status_code == status
    client.logout()
    assert_login_redirect(client.post(url("problem_verify", assigned.pk), {"version": assigned.version}))
    assert snapshot_counts() == before


def test_escalation_history_shows_on_the_problem_page(client, world, assigned):
    escalate_overdue_problems(at=timezone.now() + timedelta(days=8))
    client.force_login(world.reviewer)
    html = page(client.get(url("problem", assigned.pk)))
    assert Escalation.objects.count() == 1
    assert "第1级 → 第2级" in html
    assert "升级" in html  # the audit trail's entry


# ------------------------------------------------------------------------------------------ supervision orders


@pytest.fixture
def order(world, assigned):
    return supervision_issue(
        project=world.project_a,
        problem=assigned,
        addressee=world.dept,
        requirement="书面说明征地进展",
        deadline=today() + timedelta(days=5),
        by=world.reviewer,
    )


def test_reviewer_issues_an_order_on_a_problem(client, world, assigned):
    w = world
    client.force_login(w.reviewer)
    issue_url = url("order_issue") + f"?problem={assigned.pk}"
    response = client.get(issue_url)
    assert response.status_code == 200 and "征地拆迁未完成" in page(response)
    data = {
        "addressee": w.dept.pk,
        "requirement": "书面说明",
        "deadline": (today() + timedelta(days=5)).isoformat(),
    }
    response = client.post(issue_url, data)
    order = SupervisionOrder.objects.get()
    assert response.status_code == 302 and response.url == url("order", order.pk)
    assert (order.problem, order.project, order.addressee) == (assigned, w.project_a, w.dept)
    assert order.number.startswith("督〔")


def test_issue_order_with_a_picked_project_and_bad_input(client, world):
    w = world
    client.force_login(w.reviewer)
    before = snapshot_counts()
    data = {"project": w.project_b.pk, "addressee": w.town_b.pk, "requirement": " ", "deadline": "2000-01-01"}
    response = client.post(url("order_issue"), data)
    html = page(response)
    assert "请说明书面答复须涵盖的内容" in html and "已经过去" in html
    assert snapshot_counts() == before
    data.update(requirement="说明开工计划", deadline=(today() + timedelta(days=3)).isoformat())
    assert client.post(url("order_issue"), data).status_code == 302
    assert SupervisionOrder.objects.get().project == w.project_b


def test_issue_order_access(client, world, assigned, other_county_reviewer):
    w = world
    issue_url = url("order_issue") + f"?problem={assigned.pk}"
    for persona in ("reporter", "dept_reporter", "leader", "viewer"):
        client.force_login(w.personas[persona])
        assert client.get(issue_url).status_code == 403
        assert client.get(url("order_issue")).status_code == 403
    client.force_login(other_county_reviewer)
    assert client.get(issue_url).status_code == 404
    assert client.get(url("order_issue") + f"?project={w.project_a.pk}").status_code == 404
    client.logout()
    assert_login_redirect(client.get(issue_url))
    assert not SupervisionOrder.objects.exists()


@pytest.mark.parametrize(
    "persona", ["city_admin", "reviewer", "reporter", "dept_reporter", "leader", "viewer"]
)
def test_order_pages_for_those_who_see_it(client, world, order, persona):
    client.force_login(world.personas[persona])
    assert order.number in page(client.get(url("order_list")))
    response = client.get(url("order", order.pk))
    assert response.status_code == 200 and "书面说明征地进展" in page(response)


def test_order_pages_not_visible_and_anonymous(client, world, order):
    client.force_login(world.outsider)
    assert order.number not in page(client.get(url("order_list")))
    assert client.get(url("order", order.pk)).status_code == 404
    client.logout()
    for name, args in (("order_list", ()), ("order", (order.pk,)), ("order_bulletin", ())):
        assert_login_redirect(client.get(url(name, *args)))


def test_addressed_unit_responds_and_the_reviewer_closes(client, world, order):
    w = world
    client.force_login(w.dept_reporter)
    assert 'id="respond-form"' in page(client.get(url("order", order.pk)))
    before = snapshot_counts()
    response = client.post(url("order_respond", order.pk), {"response": "  "})
    assert "请填写答复" in page(response)
    assert snapshot_counts() == before
    assert client.post(url("order_respond", order.pk), {"response": "征地已完成80%"}).status_code == 302
    order.refresh_from_db()
    assert (order.status, order.response) == ("responded", "征地已完成80%")
    assert (
        client.post(url("order_close", order.pk)).status_code == 403
    )  # the unit does not close its own order
    client.force_login(w.reviewer)
    assert client.post(url("order_close", order.pk)).status_code == 302
    order.refresh_from_db()
    assert order.status == "closed"
    response = client.post(url("order_close", order.pk))
    assert response.status_code == 200 and "只有已答复的督办单才能办结" in page(response)


def test_problem_and_order_history_name_each_change_in_chinese(client, world, order):
    """One history renderer (audit/_history.html): labels and names, never field names or ids."""
    w = world
    client.force_login(w.reviewer)
    history = page(client.get(url("order", order.pk))).split('id="history"')[1]
    assert "督办对象" in history and w.dept.name in history and "答复期限" in history  # labelled, by name
    assert f">{w.dept.pk}<" not in history and "addressee" not in history
    history = page(client.get(url("problem", order.problem_id))).split('id="history"')[1]
    assert "交办单位" in history and w.dept.name in history
    assert "assigned_unit" not in history and f"#{w.dept.pk}" not in history


def test_order_list_puts_orders_waiting_for_a_response_first(client, world, order):
    w = world
    closed = supervision_issue(
        project=w.project_a, addressee=w.dept, requirement="说明", deadline=today(), by=w.reviewer
    )
    supervision_respond(order=closed, response="已说明", by=w.dept_reporter)
    client.force_login(w.reviewer)
    client.post(url("order_close", closed.pk))
    html = page(client.get(url("order_list")))
    assert html.index(f'data-order="{order.pk}"') < html.index(f'data-order="{closed.pk}"')
    html = page(client.get(url("order_list"), {"status": "closed"}))
    assert f'data-order="{order.pk}"' not in html and f'data-order="{closed.pk}"' in html


def test_respond_by_others_is_refused(client, world, order):
    w = world
    for persona, status in (
        ("reporter", 403),
        ("reviewer", 403),
        ("viewer", 403),
        ("leader", 403),
        ("outsider", 404),
    ):
        client.force_login(w.personas[persona])
        assert client.post(url("order_respond", order.pk), {"response": "x"}).status_code == status
        assert 'id="respond-form"' not in page(client.get(url("order", order.pk))) if status == 403 else True
    client.logout()
    assert_login_redirect(client.post(url("order_respond", order.pk), {"response": "x"}))
    order.refresh_from_db()
    assert order.status == "issued"


def test_supervision_bulletin_lists_overdue_orders_by_unit(client, world, order):
    w = world
    answered = supervision_issue(
        project=w.project_a,
        addressee=w.town_a,
        requirement="说明",
        deadline=today() + timedelta(days=1),
        by=w.reviewer,
    )
    supervision_respond(order=answered, response="已说明", by=w.reporter)
    client.force_login(w.reviewer)
    assert "共有 0 份督办单" in page(client.get(url("order_bulletin")))
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        client.force_login(w.reviewer)  # a week later: the session has ended, the reviewer signs in again
        html = page(client.get(url("order_bulletin")))
        assert f'data-order="{order.pk}"' in html and f'data-order="{answered.pk}"' not in html
        assert "冷水江市住房和城乡建设局" in html and "逾期 3 天" in html
        html = page(client.get(url("order_list")))
        assert "逾期 3 天" in html
    client.force_login(w.outsider)
    assert f'data-order="{order.pk}"' not in page(client.get(url("order_bulletin")))


def test_order_list_query_count_does_not_grow_with_rows(client, world, django_assert_num_queries):
    w = world

    def add(n):
        for _ in range(n):
            project = make_project(location=w.town_a, lead=w.dept, leader=w.leader)
            supervision_issue(
                project=project,
                addressee=w.dept,
                requirement="说明",
                deadline=today() + timedelta(days=2),
                by=w.reviewer,
            )

    add(2)
    client.force_login(w.reviewer)
    client.get(url("order_list"))
    with django_assert_num_queries(7) as few:
        client.get(url("order_list"))
    add(5)
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(url("order_list"))
    with django_assert_num_queries(6):
        client.get(url("order_bulletin"))


# ------------------------------------------------------------------------------------------ meetings


def meeting_data(world, **overrides):
    data = {
        "tier": "2",
        "date": today().isoformat(),
        "title": "李建国副市长项目调度会",
        "convenor": world.leader.pk,
        "attendees": [world.other_leader.pk],
        "attendee_units": [world.dept.pk],
    }
    data.update(overrides)
    return data


def test_reviewer_schedules_a_meeting_with_a_generated_agenda(client, world, assigned):
    w = world
    escalate_overdue_problems(at=timezone.now() + timedelta(days=8))  # at tier 2 (the leader's) in 8 days
    client.force_login(w.reviewer)
    assert client.get(url("meeting_create")).status_code == 200
    # The agenda is as on the meeting's date: in 8 days the problem is the leader's.
    response = client.post(
        url("meeting_create"), meeting_data(w, date=(today() + timedelta(days=8)).isoformat())
    )
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response.url == url("meeting", meeting.pk)
    assert meeting.convenor == w.leader and list(meeting.attendee_units.all()) == [w.dept]
    html = page(client.get(url("meeting", meeting.pk)))
    assert f'data-agenda-problem="{assigned.pk}"' in html
    assert "李建国副市长项目调度会" in page(client.get(url("meeting_list")))


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"convenor": ""}, "二级、三级调度会由领导召集"),
        ({"tier": "1", "convenor_unit": ""}, "一级调度会由单位召集"),
        ({"title": ""}, "请填写会议名称"),
        ({"date": "下周"}, "日期格式"),
        ({"date": "2099-01-01"}, "相差超过一年"),
        ({"title": "长" * 201}, "200"),
        ({"convenor": "99999"}, "请从列表中选择"),
    ],
)
def test_bad_meeting_is_explained_and_writes_nothing(client, world, overrides, message):
    client.force_login(world.reviewer)
    before = snapshot_counts()
    response = client.post(url("meeting_create"), meeting_data(world, **overrides))
    assert response.status_code == 200
    assert message in page(response)
    assert snapshot_counts() == before


@pytest.fixture
def meeting(world):
    return meeting_create(
        tier=1,
        date=today(),
        title="市住建局现场调度会",
        convenor_unit=world.dept,
        attendee_units=[world.town_a],
        attendees=[world.leader],
        by=world.reviewer,
    )


def test_meeting_access(client, world, meeting):
    w = world
    for persona in ("city_admin", "reviewer", "dept_reporter", "reporter", "viewer", "leader"):
        client.force_login(w.personas[persona])
        assert meeting.title in page(client.get(url("meeting_list"))), persona
        assert client.get(url("meeting", meeting.pk)).status_code == 200
    for persona in ("reporter", "dept_reporter", "leader", "viewer"):
        client.force_login(w.personas[persona])
        assert client.get(url("meeting_create")).status_code == 403
        assert client.post(url("meeting_create"), meeting_data(w)).status_code == 403
        assert client.post(url("meeting_minutes", meeting.pk), {"minutes": "x"}).status_code == 403
        assert client.post(url("meeting_add_item", meeting.pk), {"description": "x"}).status_code == 403
    client.force_login(w.outsider)
    assert meeting.title not in page(client.get(url("meeting_list")))
    assert client.get(url("meeting", meeting.pk)).status_code == 404
    assert client.post(url("meeting_minutes", meeting.pk), {"minutes": "x"}).status_code == 404
    client.logout()
    for target in (url("meeting_list"), url("meeting", meeting.pk), url("meeting_create")):
        assert_login_redirect(client.get(target))
    assert Meeting.objects.count() == 1 and Meeting.objects.get().minutes == ""


def test_reviewer_records_minutes_and_adds_decided_items(client, world, meeting):
    w = world
    client.force_login(w.reviewer)
    assert client.post(url("meeting_minutes", meeting.pk), {"minutes": "会议议定三项事项"}).status_code == 302
    assert Meeting.objects.get().minutes == "会议议定三项事项"

    before = snapshot_counts()
    half = {"description": "完成供电接入", "category": "utilities", "unit": w.dept.pk, "deadline": ""}
    response = client.post(url("meeting_add_item", meeting.pk), half)
    assert "同时填写单位和期限" in page(response)
    assert snapshot_counts() == before

    past = dict(half, deadline="2000-01-01")
    response = client.post(url("meeting_add_item", meeting.pk), past)
    assert "期限 2000-01-01 已经过去" in page(response)
    assert snapshot_counts() == before  # raised and assigned together, or neither

    item = dict(
        half,
        project=w.project_a.pk,
        deadline=(today() + timedelta(days=14)).isoformat(),
        required_outcome="通电",
    )
    assert client.post(url("meeting_add_item", meeting.pk), item).status_code == 302
    problem = Problem.objects.get()
    assert (problem.meeting, problem.project, problem.assigned_unit, problem.status, problem.tier) == (
        meeting,
        w.project_a,
        w.dept,
        ProblemStatus.ASSIGNED,
        1,
    )
    client.post(url("meeting_add_item", meeting.pk), {"description": "研究融资方案", "category": "funds"})
    assert Problem.objects.filter(meeting=meeting).count() == 2
    html = page(client.get(url("meeting", meeting.pk)))
    assert "完成供电接入" in html and "研究融资方案" in html
    client.force_login(w.dept_reporter)  # an attending unit sees the items that concern it
    html = page(client.get(url("meeting", meeting.pk)))
    assert "完成供电接入" in html and 'id="item-form"' not in html


def test_meeting_list_query_count_does_not_grow(client, world, django_assert_num_queries):
    w = world

    def add(n):
        for i in range(n):
            m = meeting_create(tier=2, date=today(), title=f"调度会{i}", convenor=w.leader, by=w.reviewer)
            problem_raise(meeting=m, description="议定事项", category="other", tier=2, by=w.reviewer)

    add(2)
    client.force_login(w.reviewer)
    client.get(url("meeting_list"))
    with django_assert_num_queries(7) as few:
        client.get(url("meeting_list"))
    add(4)
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(url("meeting_list"))


# ------------------------------------------------------------------------------------------ my work


def test_leader_sees_escalated_problems_and_their_lights(client, world, assigned):
    from guatu.lib.periods import Period
    from guatu.lights.services import lights_compute

    w = world
    client.force_login(w.leader_user)
    html = page(client.get(url("my_work")))
    assert f'data-problem="{assigned.pk}"' not in html  # tier 1: the unit's, not yet the leader's
    escalate_overdue_problems(at=timezone.now() + timedelta(days=8))
    lights_compute(unit=w.city, period=Period(2022, 3))
    html = page(client.get(url("my_work")))
    assert f'data-problem="{assigned.pk}"' in html
    assert "未在期限" in html or "逾期" in html
    assert f'data-project="{w.project_a.pk}"' in html and f'data-project="{w.project_b.pk}"' not in html
    assert "2022-03" in html


def test_unit_page_lists_assigned_problems_and_orders(client, world, order):
    w = world
    client.force_login(w.dept_reporter)
    html = page(client.get(url("my_work")))
    assert f'data-problem="{order.problem_id}"' in html and f'data-order="{order.pk}"' in html
    client.force_login(w.outsider)
    html = page(client.get(url("my_work")))
    assert f'data-problem="{order.problem_id}"' not in html and f'data-order="{order.pk}"' not in html
    client.logout()
    assert_login_redirect(client.get(url("my_work")))


def test_my_work_query_count_does_not_grow(client, world, django_assert_num_queries):
    w = world

    def add(n):
        for _ in range(n):
            project = make_project(location=w.town_a, lead=w.dept, leader=w.leader)
            problem = problem_raise(project=project, description="问题", category="funds", by=w.reporter)
            problem_assign(
                problem=problem,
                expected_version=version_of(problem),
                unit=w.dept,
                deadline=today() + timedelta(days=1),
                by=w.reviewer,
            )
            supervision_issue(
                project=project, addressee=w.dept, requirement="说明", deadline=today(), by=w.reviewer
            )

    add(2)
    for user in (w.dept_reporter, w.leader_user):
        client.force_login(user)
        client.get(url("my_work"))
    escalate_overdue_problems(at=timezone.now() + timedelta(days=3))
    counts = {}
    for user in (w.dept_reporter, w.leader_user):
        client.force_login(user)
        with CaptureQueriesContext(connection) as captured:
            client.get(url("my_work"))
        counts[user.pk] = len(captured.captured_queries)
    add(3)
    escalate_overdue_problems(at=timezone.now() + timedelta(days=3))
    for user in (w.dept_reporter, w.leader_user):
        client.force_login(user)
        with django_assert_num_queries(counts[user.pk]):
            client.get(url("my_work"))


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("征地协议.pdf", b"MZ\x90\x00 a program renamed", "不是真正的 .pdf 文件"),
        ("现场照片.png", b"<svg onload='alert(1)'/>", "不是真正的 .png 文件"),
        ("说明.txt", b"<!DOCTYPE html><script>alert(1)</script>", "不是真正的 .txt 文件"),
        ("页面.html", b"<html></html>", "不能作为附件"),
        ("图.svg", b"<svg/>", "不能作为附件"),
        ("长" * 296 + ".pdf", b"%PDF-1.4 agreement", "文件名过长：最多 83 个字符"),
    ],
)
def test_feedback_attachments_are_checked_by_content_and_name_length(
    client, world, assigned, media, name, content, message
):
    client.force_login(world.dept_reporter)
    before = snapshot_counts()
    response = client.post(
        url("problem_feedback", assigned.pk),
        {"text": "见附件", "attachment": SimpleUploadedFile(name, content), "version": assigned.version},
    )
    assert response.status_code == 200 and message in page(response)
    assert snapshot_counts() == before
    assert not any(media.rglob("*")) if media.exists() else True


def test_a_real_office_document_is_attached(client, world, assigned, media):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for member in ("[Content_Types].xml", "_rels/.rels", "word/document.xml"):
            archive.writestr(member, "<x/>")
    client.force_login(world.dept_reporter)
    response = client.post(
        url("problem_feedback", assigned.pk),
        {
            "text": "见附件",
            "attachment": SimpleUploadedFile("整改报告.docx", buffer.getvalue()),
            "version": assigned.version,
        },
    )
    assert response.status_code == 302
    assert ProblemFeedback.objects.get().attachment.name.endswith("整改报告.docx")


# ------------------------------------------------------------------------- what a county official reads


def test_problem_list_filters_show_no_english_label_for_the_hidden_project(client, world, assigned):
    client.force_login(world.reviewer)
    html = page(client.get(url("problem_list") + f"?project={world.project_a.pk}"))
    form = html[
        html.index('id="problem-filters"') : html.index("</form>", html.index('id="problem-filters"'))
    ]
    assert "Project" not in form
    assert f'type="hidden" name="project" value="{world.project_a.pk}"' in form


def test_histories_name_a_problems_category_and_an_orders_response_deadline(client, world, order):
    """A problem's category is 类别 (项目类别 is the project's own); an order's deadline is for its written
    response (答复期限), as on the order's page."""
    client.force_login(world.reviewer)
    html = page(client.get(reverse("projects:detail", args=[world.project_a.pk])))
    assert "问题类别：用地" in html and "项目类别：用地" not in html
    html = page(client.get(url("order", order.pk)))
    assert "答复期限：" in html and "办结期限：" not in html
