"""GET /api/v1/projects/ and /api/v1/projects/{id}: access, filters, exact amounts, query counts."""

from datetime import date
from decimal import Decimal

import pytest

from guatu.projects.services import MilestoneInput, TaskForceInput, annual_plan_set
from guatu.reports.models import ReportStatus
from guatu.testing import make_project, make_report

pytestmark = pytest.mark.django_db

LIST = "/api/v1/projects/"


def _get(client, user, url, **params):
    client.force_login(user)
    return client.get(url, params)


def _ids(response):
    return {item["id"] for item in response.json()["items"]}


def test_anonymous_gets_401(client, world):
    assert client.get(LIST).status_code == 401
    assert client.get(f"{LIST}{world.project_a.pk}").status_code == 401


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("city_admin", {"project_a", "project_b"}),
        ("reviewer", {"project_a", "project_b"}),
        ("reporter", {"project_a"}),
        ("dept_reporter", {"project_a"}),
        ("leader", {"project_a"}),
        ("viewer", {"project_a"}),
        ("outsider", {"project_b"}),
    ],
)
def test_list_returns_only_visible_projects(client, world, persona, expected):
    response = _get(client, world.personas[persona], LIST)
    assert response.status_code == 200
    assert _ids(response) == {getattr(world, name).pk for name in expected}
    assert response.json()["count"] == len(expected)


def test_list_amounts_are_exact_strings(client, world, settings):
    w = world
    settings.GUATU_TODAY = date(2022, 3, 24)  # the default month: February, whose reports were due on 5 March
    annual_plan_set(project=w.project_a, year=2022, amount=Decimal("1234.56"))
    make_report(w.project_a, "2022-01", "100.10", reporter=w.dept_reporter, reviewer=w.reviewer)
    make_report(w.project_a, "2022-02", "0.20", reporter=w.dept_reporter, reviewer=w.reviewer)
    make_report(w.project_a, "2022-03", "500", reporter=w.dept_reporter, status=ReportStatus.SUBMITTED)

    body = _get(client, w.reporter, LIST).json()
    assert body["period"] == "2022-02"
    (item,) = body["items"]
    assert item["annual_plan"] == "1234.56"
    assert item["ytd_completed"] == "100.30"
    assert item["completion_rate_percent"] == "8.12"  # 100.30 / 1234.56 = 8.1243…%
    assert [tag["code"] for tag in item["tags"]] == ["prefecture", "county"]
    assert item["lead_unit"] == {"id": w.dept.pk, "name": w.dept.name}
    assert item["responsible_leader"] == {"id": w.leader.pk, "name": "李建国"}

    january = _get(client, w.reporter, LIST, period="2022-01").json()["items"][0]
    assert january["ytd_completed"] == "100.10"
    later_year = _get(client, w.reporter, LIST, period="2024-01").json()["items"][0]
    assert (
        later_year["annual_plan"],
        later_year["ytd_completed"],
        later_year["completion_rate_percent"],
    ) == (
        None,
        "0.00",
        None,
    )


def test_list_filters_like_the_page(client, world):
    w = world
    other = make_project(
        location=w.town_a, lead=w.drc, name="禾青镇污水处理厂", owner="冷水江市城投公司", stage="new"
    )
    admin = w.city_admin
    assert _ids(_get(client, admin, LIST, tag="prefecture")) == {w.project_a.pk}
    assert _ids(_get(client, admin, LIST, stage="new")) == {other.pk}
    assert _ids(_get(client, admin, LIST, location=w.town_a.pk)) == {w.project_a.pk, other.pk}
    assert _ids(_get(client, admin, LIST, lead=w.drc.pk)) == {other.pk}
    assert _ids(_get(client, admin, LIST, leader=w.other_leader.pk)) == {w.project_b.pk}
    assert _ids(_get(client, admin, LIST, q="城投")) == {other.pk}


def test_list_refuses_bad_filters_with_422(client, world):
    w = world
    assert _get(client, w.reporter, LIST, period="2022-3").status_code == 422
    assert _get(client, w.reporter, LIST, stage="flying").status_code == 422
    # A unit the reporter may not see is refused rather than answered with an empty list.
    assert _get(client, w.reporter, LIST, location=w.town_b.pk).status_code == 422
    assert _get(client, w.reporter, LIST, limit=0).status_code == 422
    assert _get(client, w.reporter, LIST, limit=201).status_code == 422
    assert _get(client, w.reporter, LIST, offset=-1).status_code == 422


def test_list_limit_and_offset(client, world):
    extra = [make_project(location=world.town_a, plan=None).pk for _ in range(4)]
    everything = sorted([world.project_a.pk, world.project_b.pk, *extra])
    body = _get(client, world.city_admin, LIST, limit=2, offset=3).json()
    assert (body["count"], body["limit"], body["offset"]) == (6, 2, 3)
    assert [item["id"] for item in body["items"]] == everything[3:5]


def test_list_query_count_does_not_grow_with_rows(client, world, django_assert_num_queries):
    w = world
    client.force_login(w.reporter)
    client.get(LIST)
    # the level tags (the unit, chain and leader filters read nothing until used); the default month: the
    # township's jurisdiction, its warning rules
    with django_assert_num_queries(9):
        assert client.get(LIST).json()["count"] == 1
    for n in range(5):
        project = make_project(location=w.town_a, tags=[w.county_tag], leader=w.other_leader)
        make_report(project, "2022-01", str(n), reporter=w.reporter, reviewer=w.reviewer)
    with django_assert_num_queries(9):
        assert client.get(LIST).json()["count"] == 6


def test_detail(client, world):
    w = world
    project = make_project(
        location=w.town_a,
        lead=w.dept,
        name="禾青镇标准厂房",
        tags=[w.county_tag],
        leader=w.leader,
        support_units=[w.drc, w.town_a],
        task_force=[TaskForceInput(name="赵敏", duty="组长", unit=w.dept)],
        milestones=[MilestoneInput(kind="land", name="用地预审", planned_date=date(2022, 3, 1))],
        total_investment=Decimal("12345.67"),
    )
    annual_plan_set(
        project=project, year=2022, amount=Decimal("1000"), months={3: Decimal("100"), 12: Decimal("900")}
    )
    response = _get(client, w.reporter, f"{LIST}{project.pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "禾青镇标准厂房"
    assert body["total_investment"] == "12345.67"
    assert [unit["name"] for unit in body["support_units"]] == [w.drc.name, w.town_a.name]
    assert body["task_force"] == [
        {"name": "赵敏", "duty": "组长", "unit": {"id": w.dept.pk, "name": w.dept.name}, "phone": ""}
    ]
    assert body["milestones"][0]["planned_date"] == "2022-03-01"
    assert body["milestones"][0]["overdue"] is True
    assert body["plans"] == [{"year": 2022, "amount": "1000.00", "months": {"3": "100.00", "12": "900.00"}}]


@pytest.mark.parametrize(
    ("persona", "project"), [("outsider", "project_a"), ("reporter", "project_b"), ("leader", "project_b")]
)
def test_detail_is_404_when_not_visible(client, world, persona, project):
    response = _get(client, world.personas[persona], f"{LIST}{getattr(world, project).pk}")
    assert response.status_code == 404


def test_detail_is_404_when_missing(client, world):
    assert _get(client, world.city_admin, f"{LIST}999999").status_code == 404


def test_openapi_schema_lists_the_endpoints(client, world):
    schema = _get(client, world.city_admin, "/api/v1/openapi.json").json()
    assert "/api/v1/projects/" in schema["paths"]
    assert "/api/v1/projects/{project_id}" in schema["paths"]
    params = {p["name"] for p in schema["paths"]["/api/v1/projects/"]["get"]["parameters"]}
    assert {
        "q",
        "tag",
        "stage",
        "tier",
        "location",
        "lead",
        "chain",
        "leader",
        "period",
        "limit",
        "offset",
    } <= params
    assert "ProjectDetailOut" in schema["components"]["schemas"]
