"""What a new user tripped over (issue 8): a reporter's list of reports due, the reviewer's "已审核 n / N" for the
month, and bulk approval on the review queue (each report still checked and audited one by one)."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import translation

from guatu.accounts.models import Role
from guatu.audit.models import AuditEvent
from guatu.lights.services import rules_set
from guatu.orgs.models import OrgUnitKind
from guatu.reports.models import MonthlyReport, ReportStatus
from guatu.reports.services import report_return, report_submit
from guatu.testing import make_project, make_report, make_unit, make_user

pytestmark = pytest.mark.django_db

DUE = reverse("reports:due")
QUEUE = reverse("reports:review_queue")
BULK = reverse("reports:bulk_approve")


@pytest.fixture(autouse=True)
def chinese():
    with translation.override("zh-hans"):
        yield


@pytest.fixture
def april_3rd(settings):
    settings.GUATU_TODAY = date(2022, 4, 3)


# ------------------------------------------------------------------------------------------- reports due


def test_reporter_sees_the_units_projects_without_a_report_in_and_the_deadline(client, world, april_3rd):
    w = world
    drafted = make_project(location=w.town_a, name="已起草项目")
    submitted = make_project(location=w.town_a, name="已报送项目")
    approved = make_project(location=w.town_a, name="已审核项目")
    finished = make_project(
        location=w.town_a, name="2021年已完工项目", start_year=2020, end_year=2021, plan=None
    )
    make_report(drafted, "2022-03", "1", reporter=w.reporter, status=ReportStatus.DRAFT)
    make_report(submitted, "2022-03", "1", reporter=w.reporter, status=ReportStatus.SUBMITTED)
    make_report(approved, "2022-03", "1", reporter=w.reporter, reviewer=w.reviewer)
    make_report(approved, "2022-02", "1", reporter=w.reporter, reviewer=w.reviewer)
    client.force_login(w.reporter)
    response = client.get(DUE)
    assert response.status_code == 200
    due = response.context["due"]
    assert str(due.period) == "2022-03" and due.deadline == date(2022, 4, 5)
    assert sorted(row.project.name for row in due.rows) == sorted([w.project_a.name, drafted.name])
    assert (
        finished.name not in response.content.decode() and w.project_b.name not in response.content.decode()
    )
    page = response.content.decode()
    assert "2022年4月5日" in page and "草稿" in page and "未填报" in page
    assert reverse("reports:edit", args=[drafted.pk, "2022-03"]) in page
    assert reverse("reports:workbook", args=[w.town_a.pk, "2022-03"]) in page


def test_the_deadline_is_the_jurisdictions_warning_rule(client, world, settings):
    w = world
    settings.GUATU_TODAY = date(2022, 4, 12)
    rules_set(unit=w.city, rules={"report_deadline_day": 10}, by=w.city_admin)
    client.force_login(w.reporter)
    response = client.get(DUE)
    assert response.context["due"].deadline == date(2022, 4, 10)
    assert response.context["overdue"] and "已过报送期限" in response.content.decode()


def test_the_due_list_takes_a_fixed_number_of_queries(
    client, world, april_3rd, django_assert_max_num_queries
):
    w = world
    client.force_login(w.reporter)
    client.get(DUE)
    with django_assert_max_num_queries(8):
        assert len(client.get(DUE).context["due"].rows) == 1
    for n in range(12):
        project = make_project(location=w.town_a, name=f"项目{n}")
        if n % 2:
            make_report(project, "2022-03", "1", reporter=w.reporter, status=ReportStatus.DRAFT)
    with django_assert_max_num_queries(8):
        assert len(client.get(DUE).context["due"].rows) == 13


@pytest.mark.parametrize("persona", ["reviewer", "city_admin", "leader", "viewer"])
def test_the_due_list_is_a_reporters_page(client, world, persona, april_3rd):
    client.force_login(world.personas[persona])
    assert client.get(DUE).status_code == 403


def test_the_due_list_shows_only_the_reporters_unit_and_anonymous_goes_to_login(client, world, april_3rd):
    client.force_login(world.outsider)
    names = [row.project.name for row in client.get(DUE).context["due"].rows]
    assert names == [world.project_b.name]
    client.logout()
    response = client.get(DUE)
    assert response.status_code == 302 and "/login/" in response["Location"]


# ---------------------------------------------------------------------------------------- review progress


def test_the_queue_shows_approved_n_of_n_for_the_month(client, world, april_3rd):
    w = world
    make_report(w.project_a, "2022-03", "1", reporter=w.reporter, reviewer=w.reviewer)
    make_report(w.project_b, "2022-03", "1", reporter=w.outsider, status=ReportStatus.SUBMITTED)
    make_project(location=w.town_b, name="未报项目")
    client.force_login(w.reviewer)
    page = client.get(QUEUE).content.decode()  # the month whose reports fall due now: March
    assert "3/2022：已审核 1 / 3" in page or "2022年3月：已审核 1 / 3" in page or "已审核 1 / 3" in page
    filtered = client.get(QUEUE, {"period": "2022-03", "unit": w.town_b.pk}).context["progress"]
    assert (filtered.approved, filtered.expected) == (0, 2)
    february = client.get(QUEUE, {"period": "2022-02"}).context["progress"]
    assert (february.approved, february.expected) == (0, 3)


# ------------------------------------------------------------------------------------------ bulk approval


def _submitted(world, count):
    return [
        make_report(
            make_project(location=world.town_a), "2022-03", "10", reporter=world.reporter, status="submitted"
        )
        for _ in range(count)
    ]


def test_bulk_approval_approves_each_at_its_version_and_reports_a_stale_one(client, world):
    w = world
    first, stale, third = _submitted(w, 3)
    seen_version = stale.version
    # meanwhile another reviewer returned it and the reporter sent it again: the queue's version is old
    stale = report_return(report=stale, reason="补充", expected_version=stale.version, by=w.city_admin)
    report_submit(report=stale, expected_version=stale.version, by=w.reporter)
    client.force_login(w.reviewer)
    response = client.post(
        BULK,
        {
            "selected": [
                f"{first.pk}:{first.version}",
                f"{stale.pk}:{seen_version}",
                f"{third.pk}:{third.version}",
            ],
            "next": QUEUE,
        },
        follow=True,
    )
    statuses = dict(MonthlyReport.objects.values_list("pk", "status"))
    assert [statuses[first.pk], statuses[stale.pk], statuses[third.pk]] == [
        "approved",
        "submitted",
        "approved",
    ]
    approvals = AuditEvent.objects.filter(action="report.approve")
    assert sorted(approvals.values_list("object_id", flat=True)) == sorted([first.pk, third.pk])
    shown = [str(m) for m in response.context["messages"]]
    assert any("已审核通过 2 份月报" in m for m in shown), shown
    assert any(stale.project.name in m and "未审核通过" in m for m in shown), shown


def test_bulk_approval_of_reports_not_visible_or_without_a_selection_approves_nothing(client, world):
    w = world
    (mine,) = _submitted(w, 1)
    county = make_unit("新化县", OrgUnitKind.COUNTY)
    stranger = make_user("xinhua", make_unit("新化县发改局", OrgUnitKind.DEPARTMENT, county), Role.REVIEWER)
    client.force_login(stranger)
    response = client.post(BULK, {"selected": [f"{mine.pk}:{mine.version}"]}, follow=True)
    assert any("未找到" in str(m) for m in response.context["messages"])
    client.force_login(w.reviewer)
    response = client.post(BULK, {"selected": ["1:x"]}, follow=True)
    assert any("刷新" in str(m) for m in response.context["messages"])
    response = client.post(BULK, {}, follow=True)
    assert any("请先勾选" in str(m) for m in response.context["messages"])
    assert MonthlyReport.objects.get().status == ReportStatus.SUBMITTED
    assert not AuditEvent.objects.filter(action="report.approve").exists()


def test_bulk_approval_is_for_reviewers_and_the_queue_offers_it(client, world):
    w = world
    (mine,) = _submitted(w, 1)
    client.force_login(w.reporter)
    assert client.post(BULK, {"selected": [f"{mine.pk}:{mine.version}"]}).status_code == 403
    client.logout()
    response = client.post(BULK, {"selected": [f"{mine.pk}:{mine.version}"]})
    assert response.status_code == 302 and "/login/" in response["Location"]
    client.force_login(w.reviewer)
    assert client.get(BULK).status_code == 405
    page = client.get(QUEUE).content.decode()
    assert f'value="{mine.pk}:{mine.version}"' in page and "批量审核通过" in page
    assert MonthlyReport.objects.get().status == ReportStatus.SUBMITTED


def test_the_menu_leads_reporters_to_their_due_list(client, world, april_3rd):
    client.force_login(world.reporter)
    assert f'href="{DUE}"' in client.get(reverse("projects:list")).content.decode()
    client.force_login(world.reviewer)
    assert f'href="{DUE}"' not in client.get(reverse("projects:list")).content.decode()
