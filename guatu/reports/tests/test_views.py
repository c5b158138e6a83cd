"""The monthly-report pages: the form, a report's page, the workflow actions and the review queue.

Each page and action is checked for: allowed, not visible (404), forbidden (403), anonymous (login).
"""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from guatu.accounts.models import Role
from guatu.audit.models import AuditEvent
from guatu.orgs.models import OrgUnitKind
from guatu.reports import services
from guatu.reports.models import MonthlyReport, ReportStatus
from guatu.testing import make_project, make_report, make_unit, make_user

pytestmark = pytest.mark.django_db


def edit_url(project, period="2022-03"):
    return reverse("reports:edit", args=[project.pk, period])


def action_url(report, action):
    return reverse(f"reports:{action}", args=[report.pk])


def form_data(**overrides):
    data = {
        "amount": "123.45",
        "statistical_amount": "100",
        "physical_progress": "主体结构完成60%",
        "problems": "用地报批进度偏慢",
        "next_month_plan": "完成二层楼板浇筑",
        "version": "",
    }
    data.update(overrides)
    return data


def page(response) -> str:
    return response.content.decode()


@pytest.fixture
def other_county_reviewer(db):
    county = make_unit("新化县", OrgUnitKind.COUNTY, division_code="431322")
    office = make_unit("新化县发展和改革局", OrgUnitKind.DEPARTMENT, county)
    return make_user("xinhua_reviewer", office, Role.REVIEWER)


# ------------------------------------------------------------------------------------------ the form


def test_reporter_opens_an_empty_form_with_the_project_figures(client, world):
    make_report(world.project_a, "2022-01", "100", reporter=world.reporter, reviewer=world.reviewer)
    make_report(world.project_a, "2022-02", "50.5", reporter=world.reporter, reviewer=world.reviewer)
    make_report(world.project_a, "2022-04", "999", reporter=world.reporter, reviewer=world.reviewer)
    client.force_login(world.reporter)

    response = client.get(edit_url(world.project_a))

    assert response.status_code == 200
    html = page(response)
    assert world.project_a.name in html
    assert "2022年3月" in html
    assert 'inputmode="decimal"' in html
    assert 'data-field="annual_plan">1000.00' in html
    assert 'data-field="ytd_before">150.50' in html  # approved January and February, not April
    assert "本月完成投资（万元）" in html
    assert "保存并报送" in html


def test_department_reporter_of_the_lead_unit_may_fill_in(client, world):
    client.force_login(world.dept_reporter)
    assert client.get(edit_url(world.project_a)).status_code == 200


@pytest.mark.parametrize("persona", ["viewer", "reviewer", "city_admin", "leader"])
def test_users_who_see_the_project_but_do_not_fill_reports_are_forbidden(client, world, persona):
    client.force_login(world.personas[persona])
    assert client.get(edit_url(world.project_a)).status_code == 403
    assert client.post(edit_url(world.project_a), form_data()).status_code == 403
    assert not MonthlyReport.objects.exists()


def test_reporter_of_another_township_gets_not_found(client, world):
    client.force_login(world.outsider)
    assert client.get(edit_url(world.project_a)).status_code == 404
    assert client.post(edit_url(world.project_a), form_data()).status_code == 404
    assert not MonthlyReport.objects.exists()


def test_anonymous_is_sent_to_log_in(client, world):
    response = client.get(edit_url(world.project_a))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("period", ["2022-13", "2022-3", "march"])
def test_a_malformed_month_is_not_found(client, world, period):
    client.force_login(world.reporter)
    assert client.get(edit_url(world.project_a, period)).status_code == 404


def test_saving_creates_a_draft(client, world):
    client.force_login(world.reporter)

    response = client.post(edit_url(world.project_a), form_data(save="1"), follow=True)

    report = MonthlyReport.objects.get()
    assert response.redirect_chain[-1][0] == reverse("reports:detail", args=[report.pk])
    assert (report.status, report.amount, report.statistical_amount) == (
        "draft",
        Decimal("123.45"),
        Decimal("100"),
    )
    assert (report.year, report.month, report.filled_by) == (2022, 3, world.reporter)
    assert report.physical_progress == "主体结构完成60%"
    assert "已保存为草稿" in page(response)


def test_save_and_submit_submits(client, world):
    client.force_login(world.reporter)

    response = client.post(edit_url(world.project_a), form_data(submit="1"))

    report = MonthlyReport.objects.get()
    assert response.status_code == 302
    assert report.status == ReportStatus.SUBMITTED
    assert report.submitted_at is not None


def test_editing_a_draft_updates_it_at_the_version_read(client, world):
    report = make_report(world.project_a, "2022-03", "10", reporter=world.reporter, status=ReportStatus.DRAFT)
    client.force_login(world.reporter)

    html = page(client.get(edit_url(world.project_a)))
    assert 'name="version" value="1"' in html
    assert 'value="10.00"' in html
    response = client.post(edit_url(world.project_a), form_data(amount="20", version="1"))

    report.refresh_from_db()
    assert response.status_code == 302
    assert (report.amount, report.version, report.status) == (Decimal("20"), 2, ReportStatus.DRAFT)


def test_full_width_digits_from_a_phone_keyboard_are_accepted(client, world):
    client.force_login(world.reporter)
    client.post(edit_url(world.project_a), form_data(amount="１２３．５", statistical_amount=""))
    report = MonthlyReport.objects.get()
    assert (report.amount, report.statistical_amount) == (Decimal("123.5"), None)


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        ("amount", "", "请填写本月完成投资（万元）。"),
        ("amount", "abc", "本月完成投资（万元）须为以万元计的数字，如 125.5。"),
        ("amount", "1e5", "本月完成投资（万元）须为以万元计的数字，如 125.5。"),
        ("amount", "-5", "本月完成投资（万元）不能为负数。"),
        ("amount", "1.234", "本月完成投资（万元）最多保留2位小数（万元精确到分）。"),
        ("amount", "1234567890123", "本月完成投资（万元）数额过大：整数部分最多12位。"),
        ("statistical_amount", "-1", "本月纳统投资（万元）不能为负数。"),
        ("statistical_amount", "十万", "本月纳统投资（万元）须为以万元计的数字，如 125.5。"),
    ],
)
def test_bad_amounts_show_the_message_by_the_field_and_keep_the_input(client, world, field, typed, message):
    client.force_login(world.reporter)

    response = client.post(edit_url(world.project_a), form_data(**{field: typed}))

    assert response.status_code == 200
    html = page(response)
    assert f'<p class="field-error" id="id_{field}_error">{message}</p>' in html
    assert "主体结构完成60%" in html  # everything typed is still there
    if typed:
        assert f'value="{typed}"' in html
    assert not MonthlyReport.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="report.").exists()


def test_a_month_outside_the_construction_years_is_refused_at_the_top(client, world):
    client.force_login(world.reporter)

    response = client.post(edit_url(world.project_a, "2019-03"), form_data())

    assert response.status_code == 200
    html = page(response)
    assert "月份 2019-03 不在项目建设年限 2021-2023 内。" in html
    assert 'value="123.45"' in html
    assert not MonthlyReport.objects.exists()


def test_a_stale_version_is_refused_and_the_typed_input_kept(client, world):
    report = make_report(world.project_a, "2022-03", "10", reporter=world.reporter, status=ReportStatus.DRAFT)
    services.report_update(
        report=report,
        data=services.ReportInput(amount=Decimal("11")),
        expected_version=1,
        by=world.dept_reporter,
    )
    client.force_login(world.reporter)

    response = client.post(edit_url(world.project_a), form_data(amount="20", version="1"))

    assert response.status_code == 200
    html = page(response)
    assert "在您打开后已被他人修改" in html
    assert 'value="20"' in html
    report.refresh_from_db()
    assert (report.amount, report.version) == (Decimal("11"), 2)


def test_a_form_read_before_the_report_existed_does_not_overwrite_it(client, world):
    make_report(world.project_a, "2022-03", "10", reporter=world.dept_reporter, status=ReportStatus.DRAFT)
    client.force_login(world.reporter)

    response = client.post(edit_url(world.project_a), form_data(version=""))

    assert response.status_code == 200
    assert "已有 2022-03 的月报" in page(response)
    assert MonthlyReport.objects.get().amount == Decimal("10")


def test_save_and_submit_writes_nothing_when_the_submit_fails(client, world, monkeypatch):
    report = make_report(world.project_a, "2022-03", "10", reporter=world.reporter, status=ReportStatus.DRAFT)

    def refuse(**kwargs):
        raise ValidationError({"status": "报送失败"})

    monkeypatch.setattr(services, "report_submit", refuse)
    client.force_login(world.reporter)

    response = client.post(edit_url(world.project_a), form_data(amount="20", version="1", submit="1"))

    assert response.status_code == 200
    assert "报送失败" in page(response)
    report.refresh_from_db()
    assert (report.amount, report.version, report.status) == (Decimal("10"), 1, ReportStatus.DRAFT)


def test_an_approved_report_opens_read_only_with_the_reason(client, world):
    make_report(world.project_a, "2022-03", "10", reporter=world.reporter, reviewer=world.reviewer)
    client.force_login(world.reporter)

    html = page(client.get(edit_url(world.project_a)))

    assert 'class="card report-form"' not in html
    assert "已审核通过" in html and "锁定" in html
    assert 'name="amount"' not in html


def test_saving_over_an_approved_report_is_refused(client, world):
    report = make_report(world.project_a, "2022-03", "10", reporter=world.reporter, reviewer=world.reviewer)
    client.force_login(world.reporter)

    response = client.post(edit_url(world.project_a), form_data(amount="20", version=str(report.version)))

    assert response.status_code == 200
    assert "已锁定" in page(response)
    report.refresh_from_db()
    assert report.amount == Decimal("10")


def test_a_submitted_report_opens_read_only(client, world):
    make_report(world.project_a, "2022-03", "10", reporter=world.reporter, status=ReportStatus.SUBMITTED)
    client.force_login(world.reporter)
    html = page(client.get(edit_url(world.project_a)))
    assert 'name="amount"' not in html
    assert "等待审核" in html


def test_a_returned_report_shows_the_reason_on_the_form(client, world):
    make_report(
        world.project_a, "2022-03", "10", reporter=world.reporter, reviewer=world.reviewer, status="returned"
    )
    client.force_login(world.reporter)
    html = page(client.get(edit_url(world.project_a)))
    assert "请补充形象进度" in html
    assert 'name="amount"' in html


# ---------------------------------------------------------------------------------------- the detail


def test_detail_shows_figures_people_history_and_the_reporters_actions(client, world):
    report = make_report(
        world.project_a, "2022-03", "88.8", reporter=world.reporter, status=ReportStatus.DRAFT
    )
    report = services.report_submit(report=report, expected_version=report.version, by=world.reporter)
    report = services.report_return(
        report=report, expected_version=report.version, reason="纳统数据缺失", by=world.reviewer
    )
    client.force_login(world.reporter)

    response = client.get(reverse("reports:detail", args=[report.pk]))

    assert response.status_code == 200
    html = page(response)
    assert 'data-field="amount">88.80' in html
    assert 'data-status="returned"' in html
    assert "纳统数据缺失" in html
    for label in ("新建", "报送", "退回"):
        assert f'<td data-label="操作">{label}</td>' in html
    assert world.reviewer.display_name in html
    assert reverse("reports:edit", args=[world.project_a.pk, "2022-03"]) in html
    assert action_url(report, "submit") in html
    assert action_url(report, "approve") not in html


def test_detail_shows_review_actions_to_a_reviewer(client, world):
    report = make_report(
        world.project_a, "2022-03", "10", reporter=world.reporter, status=ReportStatus.SUBMITTED
    )
    client.force_login(world.reviewer)
    html = page(client.get(reverse("reports:detail", args=[report.pk])))
    assert action_url(report, "approve") in html
    assert action_url(report, "return") in html
    assert action_url(report, "submit") not in html
    assert action_url(report, "unlock") not in html


def test_detail_offers_unlock_on_an_approved_report_to_a_role_above_the_reviewer(client, world):
    report = make_report(world.project_a, "2022-03", "10", reporter=world.reporter, reviewer=world.reviewer)
    client.force_login(world.reviewer)
    assert action_url(report, "unlock") not in page(client.get(reverse("reports:detail", args=[report.pk])))
    client.force_login(world.city_admin)
    html = page(client.get(reverse("reports:detail", args=[report.pk])))
    assert action_url(report, "unlock") in html
    assert action_url(report, "approve") not in html


def test_detail_is_read_only_for_a_viewer_and_hidden_from_others(client, world, other_county_reviewer):
    report = make_report(
        world.project_a, "2022-03", "10", reporter=world.reporter, status=ReportStatus.SUBMITTED
    )
    url = reverse("reports:detail", args=[report.pk])

    client.force_login(world.viewer)
    html = page(client.get(url))
    assert all(action_url(report, a) not in html for a in ("submit", "return", "approve", "unlock"))

    for user in (world.outsider, other_county_reviewer):
        client.force_login(user)
        assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


# ----------------------------------------------------------------------------------------- the actions


def test_reporter_submits_a_draft(client, world):
    report = make_report(world.project_a, "2022-03", "10", reporter=world.reporter, status=ReportStatus.DRAFT)
    client.force_login(world.reporter)

    response = client.post(action_url(report, "submit"), {"version": report.version}, follow=True)

    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    assert response.redirect_chain[-1][0] == reverse("reports:detail", args=[report.pk])
    assert "已报送" in page(response)


def test_reviewer_returns_with_a_reason(client, world):
    report = make_report(
        world.project_a, "2022-03", "10", reporter=world.reporter, status=ReportStatus.SUBMITTED
    )
    client.force_login(world.reviewer)

    response = client.post(
        action_url(report, "return"), {"version": report.version, "reason": " 请补充问题说明 "}
    )

    report.refresh_from_db()
    assert response.status_code == 302
    assert (report.status, report.return_reason, report.reviewed_by) == (
        "returned",
        "请补充问题说明",
        world.reviewer,
    )


def test_returning_without_a_reason_is_refused(client, world):
    report = make_report(
        world.project_a, "2022-03", "10", reporter=world.reporter, status=ReportStatus.SUBMITTED
    )
    client.force_login(world.reviewer)

    response = client.post(action_url(report, "return"), {"version": report.version, "reason": "  "})

    assert response.status_code == 200
    assert "请说明退回月报的理由。" in page(response)
    report.refresh_from_db()
    assert (report.status, report.version) == (ReportStatus.SUBMITTED, 2)


def test_reviewer_approves_and_may_go_back_to_the_queue(client, world):
    report = make_report(
        world.project_a, "2022-03", "10", reporter=world.reporter, status=ReportStatus.SUBMITTED
    )
    client.force_login(world.reviewer)
    queue = reverse("reports:review_queue") + "?period=2022-03"

    response = client.post(action_url(report, "approve"), {"version": report.version, "next": queue})

    assert response.url == queue
    report.refresh_from_db()
    assert report.status == ReportStatus.APPROVED


def test_an_outside_next_address_is_ignored(client, world):
    report = make_report(
        world.project_a, "2022-03", "10", reporter=world.reporter, status=ReportStatus.SUBMITTED
    )
    client.force_login(world.reviewer)
    response = client.post(action_url(report, "approve"), {"version": 2, "next": "https://example.com/"})
    assert response.url == reverse("reports:detail", args=[report.pk])


def test_a_stale_approval_is_refused(client, world):
    report = make_report(
        world.project_a, "2022-03", "10", reporter=world.reporter, status=ReportStatus.SUBMITTED
    )
    client.force_login(world.reviewer)

    response = client.post(action_url(report, "approve"), {"version": report.version - 1})

    assert response.status_code == 200
    assert "在您打开后已被他人修改" in page(response)
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED


def test_an_action_without_a_version_is_refused(client, world):
    report = make_report(
        world.project_a, "2022-03", "10", reporter=world.reporter, status=ReportStatus.SUBMITTED
    )
    client.force_login(world.reviewer)
    response = client.post(action_url(report, "approve"), {})
    assert response.status_code == 200
    assert "请刷新页面后重试" in page(response)
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED


def test_approving_twice_shows_the_status_message(client, world):
    report = make_report(world.project_a, "2022-03", "10", reporter=world.reporter, reviewer=world.reviewer)
    client.force_login(world.reviewer)
    response = client.post(action_url(report, "approve"), {"version": report.version})
    assert response.status_code == 200
    assert "状态为“已审核通过”的月报不能审核通过。" in page(response)


def test_the_city_administrator_unlocks_an_approved_report_with_a_reason(client, world):
    report = make_report(world.project_a, "2022-03", "10", reporter=world.reporter, reviewer=world.reviewer)
    client.force_login(world.city_admin)

    refused = client.post(action_url(report, "unlock"), {"version": report.version, "reason": ""})
    assert refused.status_code == 200
    assert "请说明解锁月报的理由。" in page(refused)
    response = client.post(
        action_url(report, "unlock"), {"version": report.version, "reason": "统计口径更正"}
    )

    report.refresh_from_db()
    assert response.status_code == 302
    assert (report.status, report.return_reason) == (ReportStatus.RETURNED, "统计口径更正")
    assert AuditEvent.objects.filter(action="report.unlock", reason="统计口径更正").count() == 1


ACTION_CASES = [
    # action, status the report is in, extra data, who may act
    ("submit", ReportStatus.DRAFT, {}, "reporter"),
    ("return", ReportStatus.SUBMITTED, {"reason": "原因"}, "reviewer"),
    ("approve", ReportStatus.SUBMITTED, {}, "reviewer"),
    ("unlock", ReportStatus.APPROVED, {"reason": "原因"}, "city_admin"),  # a role above the reviewer's
]


@pytest.mark.parametrize(("action", "status", "extra", "allowed"), ACTION_CASES)
def test_actions_check_who_acts(client, world, other_county_reviewer, action, status, extra, allowed):
    report = make_report(
        world.project_a, "2022-03", "10", reporter=world.reporter, reviewer=world.reviewer, status=status
    )
    data = {"version": report.version, **extra}
    url = action_url(report, action)
    forbidden = [p for p in ("reporter", "reviewer", "viewer", "leader") if p != allowed]

    assert client.post(url, data).status_code == 302  # anonymous: to the login page
    for persona in forbidden:
        client.force_login(world.personas[persona])
        assert client.post(url, data).status_code == 403, persona
    for user in (world.outsider, other_county_reviewer):
        client.force_login(user)
        assert client.post(url, data).status_code == 404
    client.force_login(world.personas[allowed])
    assert client.get(url).status_code == 405
    report.refresh_from_db()
    assert report.status == status  # nothing happened so far
    assert client.post(url, data).status_code == 302
    report.refresh_from_db()
    assert report.status != status


# ------------------------------------------------------------------------------------- the review queue


def _submitted(world, count, *, period="2022-03", in_b=False):
    location, reporter = (world.town_b, world.outsider) if in_b else (world.town_a, world.reporter)
    reports = []
    for _ in range(count):
        project = make_project(location=location, tags=[world.county_tag])
        reports.append(make_report(project, period, "10", reporter=reporter, status=ReportStatus.SUBMITTED))
    return reports


def test_queue_lists_submitted_reports_oldest_first(client, world, time_machine):
    time_machine.move_to("2022-04-03 09:00 +0800")
    first = make_report(
        world.project_b, "2022-03", "7", reporter=world.outsider, status=ReportStatus.SUBMITTED
    )
    time_machine.move_to("2022-04-05 09:00 +0800")
    second = make_report(
        world.project_a, "2022-03", "8", reporter=world.reporter, status=ReportStatus.SUBMITTED
    )
    make_report(world.project_a, "2022-02", "9", reporter=world.reporter, status=ReportStatus.DRAFT)
    make_report(world.project_b, "2022-02", "9", reporter=world.outsider, reviewer=world.reviewer)
    client.force_login(world.reviewer)

    response = client.get(reverse("reports:review_queue"))

    assert response.status_code == 200
    assert [r.pk for r in response.context["reports"]] == [first.pk, second.pk]
    html = page(response)
    assert "渣渡镇农贸市场改造项目" in html and "禾青镇 / 市住建局" in html
    assert world.outsider.display_name in html
    assert action_url(first, "approve") in html


def test_queue_filters_by_month_and_unit(client, world):
    in_a = _submitted(world, 1)[0]
    in_b = _submitted(world, 1, in_b=True)[0]
    february = _submitted(world, 1, period="2022-02")[0]
    client.force_login(world.city_admin)
    url = reverse("reports:review_queue")

    def listed(**params):
        return {r.pk for r in client.get(url, params).context["reports"]}

    assert listed() == {in_a.pk, in_b.pk, february.pk}
    assert listed(period="2022-03") == {in_a.pk, in_b.pk}
    assert listed(period="2022-03", unit=world.town_b.pk) == {in_b.pk}
    assert listed(unit=world.dept.pk) == set()
    bad = client.get(url, {"period": "3月"})
    assert "月份应写作 YYYY-MM" in page(bad)
    assert len(bad.context["reports"]) == 3


def test_queue_is_for_reviewers_only(client, world, other_county_reviewer):
    _submitted(world, 1)
    url = reverse("reports:review_queue")
    for persona in ("reporter", "dept_reporter", "viewer", "leader", "outsider"):
        client.force_login(world.personas[persona])
        assert client.get(url).status_code == 403, persona
    client.force_login(other_county_reviewer)
    assert list(client.get(url).context["reports"]) == []
    client.force_login(world.city_admin)
    assert len(client.get(url).context["reports"]) == 1
    client.logout()
    assert client.get(url).status_code == 302


def test_queue_query_count_does_not_grow_with_rows(client, world, django_assert_num_queries):
    client.force_login(world.reviewer)
    url = reverse("reports:review_queue")
    _submitted(world, 3)
    client.get(url)  # warm the session
    with CaptureQueriesContext(connection) as few:
        client.get(url, {"period": "2022-03", "unit": world.town_a.pk})
    assert len(few.captured_queries) <= 11  # with the month's "approved n / N"
    _submitted(world, 4)
    _submitted(world, 2, in_b=True)
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(url, {"period": "2022-03", "unit": world.town_a.pk})
    assert len(response.context["reports"]) == 7


def test_queue_is_paginated(client, world, monkeypatch):
    from guatu.reports import views

    monkeypatch.setattr(views, "QUEUE_PAGE_SIZE", 3)
    _submitted(world, 4)
    client.force_login(world.reviewer)
    first = client.get(reverse("reports:review_queue"))
    assert len(first.context["reports"]) == 3 and first.context["page"].paginator.count == 4
    assert 'data-count="4"' in first.content.decode()
    second = client.get(reverse("reports:review_queue"), {"page": 2})
    assert len(second.context["reports"]) == 1
