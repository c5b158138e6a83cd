"""The project library pages: who sees what, the filters, the figures, and the query counts."""

import re
from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from guatu.projects.models import IndustryChain
from guatu.projects.services import MilestoneInput, TaskForceInput, annual_plan_set
from guatu.reports.models import ReportStatus
from guatu.testing import make_project, make_report

pytestmark = pytest.mark.django_db

LIST = reverse("projects:list")
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _get(client, user, url, **extra):
    client.force_login(user)
    return client.get(url, **extra)


def _row_ids(response):
    return [project.pk for project in response.context["rows"]]


# --- the list --------------------------------------------------------------------------------------------


def test_list_asks_anonymous_users_to_log_in(client):
    response = client.get(LIST)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    ("persona", "sees_a", "sees_b"),
    [
        ("city_admin", True, True),
        ("reviewer", True, True),
        ("reporter", True, False),
        ("dept_reporter", True, False),
        ("leader", True, False),
        ("viewer", True, False),
        ("outsider", False, True),
    ],
)
def test_list_shows_only_visible_projects(client, world, persona, sees_a, sees_b):
    response = _get(client, world.personas[persona], LIST)
    assert response.status_code == 200
    body = response.content.decode()
    assert (world.project_a.name in body) is sees_a
    assert (world.project_b.name in body) is sees_b


def test_list_filters(client, world):
    w = world
    chain = IndustryChain.objects.create(name="锑产业链", jurisdiction=w.city)
    chained = make_project(
        location=w.town_b,
        lead=w.drc,
        name="锑品新材料项目",
        chain=chain,
        tier="rolling",
        owner="锡矿山闪星锑业",
        code="2022-431381-32-01-000777",
        stage="new",
    )
    admin = w.city_admin

    def ids(**params):
        return set(_row_ids(_get(client, admin, LIST, data=params)))

    a, b, c = w.project_a.pk, w.project_b.pk, chained.pk
    assert ids() == {a, b, c}
    assert ids(tag="prefecture") == {a}
    assert ids(tag="county") == {a, b}
    assert ids(stage="new") == {c}
    assert ids(tier="rolling") == {c}
    assert ids(location=w.town_a.pk) == {a}
    assert ids(location=w.city.pk) == {a, b, c}  # a unit means its subtree
    assert ids(lead=w.dept.pk) == {a}
    assert ids(lead=w.drc.pk) == {c}
    assert ids(chain=chain.pk) == {c}
    assert ids(leader=w.leader.pk) == {a}
    assert ids(q="闪星") == {c}  # owner
    assert ids(q="000777") == {c}  # code
    assert ids(q="农贸") == {b}  # name
    assert ids(q="农贸", location=w.town_a.pk) == set()


def _picker_options(client, user, kind):
    """The ids the filter bar's picker (guatu.web.lookups) offers the user before they type anything."""
    body = _get(client, user, reverse("lookup", args=[kind])).content.decode()
    return {int(pk) for pk in re.findall(r'data-value="(\d+)"', body)}


def test_filter_choices_are_what_the_user_may_see(client, world):
    w = world
    # Their own township, and the department leading one of their projects; not township B nor the county.
    assert _picker_options(client, w.reporter, "library-units") == {w.town_a.pk, w.dept.pk}
    assert _picker_options(client, w.reporter, "leaders") == {w.leader.pk}

    # A unit the user may not pick is refused, not used: the list is not narrowed and the error is shown.
    response = _get(client, w.reporter, LIST, data={"location": w.town_b.pk})
    assert response.status_code == 200
    assert _row_ids(response) == [w.project_a.pk]
    assert response.context["form"].errors["location"]


def test_htmx_request_gets_the_table_only(client, world):
    response = _get(client, world.city_admin, LIST, data={"tag": "prefecture"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "<html" not in body
    assert 'id="project-rows"' in body
    assert world.project_a.name in body and world.project_b.name not in body
    assert "HX-Request" in response["Vary"]
    full = _get(
        client, world.city_admin, LIST, HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true"
    )
    assert "<html" in full.content.decode()


def test_page_works_without_javascript(client, world):
    body = _get(client, world.city_admin, LIST).content.decode()
    assert '<form method="get" action="/projects/"' in body
    assert (
        'hx-get="/projects/"' in body
        and 'hx-target="#project-table"' in body
        and 'hx-push-url="true"' in body
    )
    assert 'class="responsive"' in body


def test_list_paginates_by_fifty(client, world):
    for n in range(53):
        make_project(location=world.town_a, name=f"批量项目{n:02d}", plan=None)
    first = _get(client, world.city_admin, LIST)
    assert len(first.context["rows"]) == 50
    assert first.context["page"].paginator.count == 55
    second = _get(client, world.city_admin, LIST, data={"page": 2, "location": world.town_a.pk})
    assert len(second.context["rows"]) == 4  # 53 + project A in township A
    assert 'rel="prev"' in second.content.decode()


def test_list_figures_use_approved_reports_of_the_period(client, world, settings):
    w = world
    settings.GUATU_TODAY = date(2022, 3, 24)  # February's reports were due on 5 March: its figures are shown
    make_report(w.project_a, "2022-01", "100", reporter=w.dept_reporter, reviewer=w.reviewer)
    make_report(w.project_a, "2022-02", "50.50", reporter=w.dept_reporter, reviewer=w.reviewer)
    make_report(w.project_a, "2022-03", "999", reporter=w.dept_reporter, status=ReportStatus.SUBMITTED)

    response = _get(client, w.city_admin, LIST)
    assert str(response.context["period"]) == "2022-02"  # the latest month whose reports were due
    row = next(p for p in response.context["rows"] if p.pk == w.project_a.pk)
    assert (row.annual_plan, row.ytd_completed, row.completion_percent) == (
        Decimal("1000.00"),
        Decimal("150.50"),
        Decimal("15.05"),
    )
    body = response.content.decode()
    assert '<td class="num" data-label="2022年度计划" data-field="annual_plan">1000.00</td>' in body
    assert "15.05%" in body

    january = _get(client, w.city_admin, LIST, data={"period": "2022-01"})
    row = next(p for p in january.context["rows"] if p.pk == w.project_a.pk)
    assert (row.ytd_completed, row.completion_percent) == (Decimal("100.00"), Decimal("10.00"))


@time_machine.travel(date(2023, 5, 10))
def test_list_period_defaults_to_the_latest_month_whose_reports_were_due(client, world):
    assert str(_get(client, world.city_admin, LIST).context["period"]) == "2023-04"  # due on 5 May


def test_bad_period_is_explained_in_chinese(client, world):
    response = _get(client, world.city_admin, LIST, data={"period": "2022-13"})
    assert response.status_code == 200
    assert "月份应写作 YYYY-MM" in response.content.decode()


def test_list_query_count_does_not_grow_with_rows(client, world, django_assert_num_queries):
    w = world
    client.force_login(w.reporter)

    def run():
        return client.get(LIST, data={"tag": "county"})

    run()  # warm up: session, content types
    # session, user, the user's unit; the level tags (the other filters are pickers: nothing read until one is
    # used); default period (the township's jurisdiction, its warning rules); count; rows; their tags' names;
    # the page frame's unread-inbox badge.
    with django_assert_num_queries(10):
        assert len(run().context["rows"]) == 1
    chain = IndustryChain.objects.create(name="光电产业链", jurisdiction=w.city)
    for n in range(6):
        project = make_project(
            location=w.town_a, tags=[w.county_tag, w.pref_tag], leader=w.other_leader, chain=chain
        )
        make_report(project, "2022-01", str(n), reporter=w.reporter, reviewer=w.reviewer)
    with django_assert_num_queries(10):
        assert len(run().context["rows"]) == 7


# --- one project -----------------------------------------------------------------------------------------


def _detail(project):
    return reverse("projects:detail", args=[project.pk])


def test_detail_asks_anonymous_users_to_log_in(client, world):
    response = client.get(_detail(world.project_a))
    assert response.status_code == 302


@pytest.mark.parametrize(
    "persona", ["city_admin", "reviewer", "reporter", "dept_reporter", "leader", "viewer"]
)
def test_detail_for_users_who_may_see_it(client, world, persona):
    response = _get(client, world.personas[persona], _detail(world.project_a))
    assert response.status_code == 200
    assert world.project_a.name in response.content.decode()


@pytest.mark.parametrize(
    ("persona", "project"),
    [
        ("outsider", "project_a"),
        ("leader", "project_b"),
        ("reporter", "project_b"),
        ("viewer", "project_b"),
        ("dept_reporter", "project_b"),
    ],
)
def test_detail_is_404_for_a_project_the_user_may_not_see(client, world, persona, project):
    assert _get(client, world.personas[persona], _detail(getattr(world, project))).status_code == 404


def test_detail_is_404_for_a_missing_project(client, world):
    assert _get(client, world.city_admin, reverse("projects:detail", args=[999999])).status_code == 404


def _full_project(w, name="冷水江经开区标准厂房项目"):
    return make_project(
        location=w.town_a,
        lead=w.dept,
        name=name,
        tags=[w.county_tag],
        leader=w.leader,
        support_units=[w.drc, w.town_a],
        task_force=[TaskForceInput(name="赵敏", duty="专班组长", unit=w.dept, phone="13800000000")],
        milestones=[
            MilestoneInput(
                kind="approval",
                name="立项备案",
                planned_date=date(2022, 1, 20),
                actual_date=date(2022, 1, 18),
                document_no="冷发改备〔2022〕3号",
            ),
            MilestoneInput(kind="land", name="用地预审", planned_date=date(2022, 3, 1)),
            MilestoneInput(kind="start", name="开工建设", planned_date=date(2022, 6, 30)),
        ],
        prior_completed=Decimal("300"),
    )


@time_machine.travel(date(2022, 4, 10))
def test_detail_shows_the_five_ones(client, world):
    w = world
    project = _full_project(w)
    body = _get(client, w.city_admin, _detail(project), **EN).content.decode()
    assert "李建国（副市长）" in body
    chain = body[body.index('id="responsibility-chain"') :]
    assert chain.index("市住建局") < chain.index("Support unit 1") < chain.index("市发改局")
    assert chain.index("市发改局") < chain.index("Support unit 2") < chain.index("禾青镇")
    assert "赵敏" in body and "专班组长" in body
    assert "冷发改备〔2022〕3号" in body
    milestones = body[body.index('id="promotion-plan"') : body.index('id="annual-plans"')]
    assert milestones.count('class="overdue"') == 1  # 用地预审: planned 1 March, not done by 10 April
    assert "Overdue" in milestones


def test_detail_shows_phased_plans(client, world):
    w = world
    annual_plan_set(
        project=w.project_a, year=2022, amount=Decimal("1000"), months={3: Decimal("100"), 12: Decimal("900")}
    )
    body = _get(client, w.city_admin, _detail(w.project_a), **EN).content.decode()
    plans = body[body.index('id="annual-plans"') : body.index('id="monthly-reports"')]
    assert "M3 100.00" in plans and "M12 900.00" in plans and "M1 —" in plans


@time_machine.travel(date(2022, 4, 10))
def test_detail_reports_with_running_totals(client, world):
    w = world
    project = _full_project(w)
    make_report(project, "2021-12", "33.33", reporter=w.reporter, reviewer=w.reviewer)
    make_report(
        project, "2022-01", "100", reporter=w.reporter, reviewer=w.reviewer, statistical_amount=Decimal("90")
    )
    make_report(
        project, "2022-02", "50.50", reporter=w.reporter, status=ReportStatus.RETURNED, reviewer=w.reviewer
    )
    make_report(project, "2022-03", "20", reporter=w.reporter, reviewer=w.reviewer)

    response = _get(client, w.reporter, _detail(project))
    reports = response.context["reports"]
    assert [(r.report.month, r.ytd, r.since_start) for r in reports.rows] == [
        (1, Decimal("100.00"), Decimal("433.33")),  # 300 before tracking + 33.33 in 2021 + 100
        (2, Decimal("100.00"), Decimal("433.33")),  # returned: does not count
        (3, Decimal("120.00"), Decimal("453.33")),
    ]
    assert reports.since_start == Decimal("453.33")
    body = response.content.decode()
    assert ">453.33<" in body and ">90.00<" in body
    for row in reports.rows:
        assert reverse("reports:detail", args=[row.report.pk]) in body
    assert f'href="{reverse("reports:edit", args=[project.pk, "2022-04"])}"' in body


@time_machine.travel(date(2022, 4, 10))
def test_fill_in_link_only_for_those_who_fill_in_reports(client, world):
    w = world
    edit = reverse("reports:edit", args=[w.project_a.pk, "2022-03"])  # no report yet: last month
    for persona, shown in [
        ("dept_reporter", True),
        ("reporter", True),
        ("viewer", False),
        ("city_admin", False),
        ("leader", False),
    ]:
        body = _get(client, w.personas[persona], _detail(w.project_a)).content.decode()
        assert (edit in body) is shown, persona


@time_machine.travel(date(2022, 4, 10))
def test_detail_history_is_readable(client, world):
    w = world
    make_report(
        w.project_a,
        "2022-03",
        "80",
        reporter=w.dept_reporter,
        status=ReportStatus.RETURNED,
        reviewer=w.reviewer,
    )
    body = _get(client, w.city_admin, _detail(w.project_a), **EN).content.decode()
    history = body[body.index('id="history"') :]
    assert "Report returned" in history and "Monthly report 2022-03" in history
    assert "请补充形象进度" in history  # the reason
    assert "reviewer" in history and "housing" in history  # who
    assert "Project created" in history and "禾青镇" in history  # a unit id shown by name
    assert "Annual plan set" in history and "Annual plan 2022" in history


def test_detail_history_newest_first(client, world):
    body = _get(client, world.city_admin, _detail(world.project_a), **EN).content.decode()
    history = body[body.index('id="history"') :]
    # The world creates the project, then sets its plan.
    assert history.index("Annual plan set") < history.index("Project created")


def test_detail_history_in_chinese_by_default(client, world):
    body = _get(client, world.city_admin, _detail(world.project_a)).content.decode()
    assert "创建项目" in body and "责任领导" in body


def test_detail_query_count_is_fixed(client, world, django_assert_num_queries):
    w = world
    small = _full_project(w)
    make_report(small, "2022-01", "10", reporter=w.reporter, reviewer=w.reviewer)
    big = _full_project(w, name="冷水江经开区标准厂房二期项目")  # a second project of one name is refused
    big.support_links.create(unit=w.town_b, position=3)
    big.task_force.create(name="钱进", unit=w.town_a, position=2)
    big.milestones.create(kind="other", name="竣工验收", planned_date=date(2023, 6, 30), position=4)
    for month in ("2022-01", "2022-02", "2022-03", "2022-04"):
        make_report(big, month, "10", reporter=w.reporter, reviewer=w.reviewer)
    make_report(big, "2022-05", "10", reporter=w.reporter, status=ReportStatus.RETURNED, reviewer=w.reviewer)
    annual_plan_set(
        project=big, year=2022, amount=Decimal("1000"), months={3: Decimal("100"), 12: Decimal("900")}
    )
    annual_plan_set(project=big, year=2023, amount=Decimal("500"))

    client.force_login(w.city_admin)
    client.get(_detail(small))
    for project in (small, big):
        # session, user, unit; the project and 8 prefetches; its reports; the history and 3 name lookups
        # (units, leaders, level tags: which report or plan an event is about is read from the events);
        # the light history; whether the reader reviews it (to raise problems); the unread-inbox badge; the
        # reserve funding applications (reserve/_project_funding); the investment lead it came from
        # (attraction/_project_lead.html).
        with django_assert_num_queries(22):
            response = client.get(_detail(project), data={"year": 2022})
        assert response.status_code == 200
