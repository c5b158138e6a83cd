"""GET /api/v1/dispatch/problems and /orders: the lists' rows and counts over JSON. Equal to the list pages'
for the same filters, access per persona, bounds and bad filters refused (never a 500), the schema, the
query count pinned."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.urls import reverse

from guatu.dispatch.models import Tier
from guatu.dispatch.services import problem_raise_and_assign, supervision_issue, supervision_respond
from guatu.testing import make_other_county, make_project

pytestmark = pytest.mark.django_db

PROBLEMS = "/api/v1/dispatch/problems"
ORDERS = "/api/v1/dispatch/orders"
TODAY = date(2022, 4, 24)
EARLIER = datetime(2022, 4, 1, 9, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(TODAY, tick=False):
        yield


def _problem(w, project, unit, deadline, tier=Tier.UNIT, description="用地报批滞后"):
    return problem_raise_and_assign(
        project=project,
        description=description,
        category="land",
        unit=unit,
        deadline=deadline,
        tier=tier,
        by=w.reviewer,
        at=EARLIER,
    )


def _order(w, project, unit, deadline):
    return supervision_issue(
        project=project, addressee=unit, requirement="限期完成", deadline=deadline, by=w.reviewer, at=EARLIER
    )


@pytest.fixture
def dispatched(world):
    """Township B: one overdue problem and one overdue order; township A: one problem due later at tier 2,
    one order answered."""
    w = world
    w.overdue_problem = _problem(w, w.project_b, w.town_b, date(2022, 4, 20))
    w.later_problem = _problem(
        w, w.project_a, w.town_a, date(2022, 5, 20), tier=Tier.LEADER, description="资金缺口"
    )
    w.overdue_order = _order(w, w.project_b, w.town_b, date(2022, 4, 20))
    w.answered_order = _order(w, w.project_a, w.town_a, date(2022, 5, 20))
    supervision_respond(order=w.answered_order, response="已完成", by=w.reporter)
    return w


def _get(client, user, url, **params):
    client.force_login(user)
    return client.get(url, params)


def _page_ids(client, name, **params):
    page = client.get(reverse(name), params).context["page"]
    return [row.pk for row in page.object_list], page.paginator.count


# --------------------------------------------------------------------------------------------------- problems


@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"status": "open"},
        {"status": "assigned"},
        {"tier": 2},
        {"overdue": "on"},
        {"category": "land"},
        {"unit": "town_b"},
        {"unit": "town_a", "status": "open"},
    ],
)
def test_problems_equal_the_list_page(client, dispatched, filters):
    w = dispatched
    filters = {key: getattr(w, value).pk if key == "unit" else value for key, value in filters.items()}
    params = {("state" if key == "status" else key): value for key, value in filters.items()}
    if "overdue" in params:
        params["overdue"] = "true"
    body = _get(client, w.reviewer, PROBLEMS, **params).json()
    ids, count = _page_ids(client, "dispatch:problem_list", **filters)
    assert [row["id"] for row in body["items"]] == ids
    assert body["count"] == count == sum(cell["count"] for cell in body["by_tier_and_state"])


def test_problem_counts_by_tier_and_state(client, dispatched):
    w = dispatched
    body = _get(client, w.city_admin, PROBLEMS).json()
    assert (body["count"], body["overdue"]) == (2, 1)
    cells = [(c["tier"], c["state"], c["count"], c["overdue"]) for c in body["by_tier_and_state"]]
    assert cells == [(1, "assigned", 1, 1), (2, "assigned", 1, 0)]
    assert (
        body["by_tier_and_state"][0]["tier_label"] and body["by_tier_and_state"][0]["state_label"] == "已交办"
    )
    first = body["items"][0]
    assert (first["id"], first["overdue"], first["project"]["name"]) == (
        w.overdue_problem.pk,
        True,
        w.project_b.name,
    )
    assert first["assigned_unit"] == {"id": w.town_b.pk, "name": w.town_b.display_name}
    assert first["url"] == reverse("dispatch:problem", args=[w.overdue_problem.pk])


def test_problem_paging(client, dispatched):
    w = dispatched
    body = _get(client, w.reviewer, PROBLEMS, offset=1, limit=1).json()
    assert (body["count"], body["offset"], body["limit"]) == (2, 1, 1)
    assert [row["id"] for row in body["items"]] == [w.later_problem.pk]


def test_a_township_reporter_sees_only_theirs(client, dispatched):
    w = dispatched
    body = _get(client, w.reporter, PROBLEMS).json()
    assert [row["id"] for row in body["items"]] == [w.later_problem.pk]
    assert body["count"] == 1
    assert _get(client, w.reporter, PROBLEMS, unit=w.town_b.pk).status_code == 404
    assert _get(client, w.outsider, PROBLEMS).json()["count"] == 1


@pytest.mark.parametrize("url", [PROBLEMS, ORDERS])
def test_anonymous_gets_401(client, world, url):
    assert client.get(url).status_code == 401


def test_another_countys_unit_is_404(client, dispatched):
    w = dispatched
    other = make_other_county()
    assert _get(client, w.city_admin, PROBLEMS, unit=other.county.pk).status_code == 404
    assert _get(client, other.admin, PROBLEMS, unit=w.city.pk).status_code == 404
    assert _get(client, w.city_admin, PROBLEMS, unit=99999999).status_code == 404
    assert _get(client, other.admin, PROBLEMS).json()["count"] == 0
    assert _get(client, other.admin, ORDERS).json()["count"] == 0


@pytest.mark.parametrize("url", [PROBLEMS, ORDERS])
@pytest.mark.parametrize(
    "params, where",
    [
        ({"offset": 99999999999999999999}, "offset"),
        ({"offset": 10**6 + 1}, "offset"),
        ({"offset": -1}, "offset"),
        ({"limit": 501}, "limit"),
        ({"limit": 0}, "limit"),
    ],
)
def test_paging_out_of_bounds_is_422_in_chinese(client, world, url, params, where):
    response = _get(client, world.reviewer, url, **params)
    assert response.status_code == 422
    assert response.json()["detail"].startswith(f"{where} 参数应为")


@pytest.mark.parametrize(
    "params, where",
    [
        ({"state": "gone"}, "state 参数（状态）"),
        ({"tier": 4}, "tier 参数"),
        ({"category": "x"}, "category 参数"),
    ],
)
def test_bad_problem_filter_is_422_in_chinese(client, world, params, where):
    response = _get(client, world.reviewer, PROBLEMS, **params)
    assert response.status_code == 422
    assert where in response.json()["detail"]


@pytest.mark.parametrize("params", [{"unit": "x"}, {"unit": 2**40}, {"tier": "x"}, {"state": "x" * 21}])
def test_malformed_problem_input_is_422_not_500(client, world, params):
    assert _get(client, world.reviewer, PROBLEMS, **params).status_code == 422


# ----------------------------------------------------------------------------------------------------- orders


@pytest.mark.parametrize("filters", [{}, {"status": "issued"}, {"status": "responded"}, {"overdue": "on"}])
def test_orders_equal_the_list_page(client, dispatched, filters):
    w = dispatched
    params = {**filters, **({"overdue": "true"} if "overdue" in filters else {})}
    body = _get(client, w.reviewer, ORDERS, **params).json()
    ids, count = _page_ids(client, "dispatch:order_list", **filters)
    assert [row["id"] for row in body["items"]] == ids
    assert body["count"] == count


def test_order_counts_and_rows(client, dispatched):
    w = dispatched
    body = _get(client, w.city_admin, ORDERS).json()
    assert body["counts"] == {"issued": 1, "responded": 1, "closed": 0, "overdue": 1}
    first = body["items"][0]
    assert (first["id"], first["overdue"], first["days_overdue"], first["status_label"]) == (
        w.overdue_order.pk,
        True,
        4,
        "已下发",
    )
    assert first["addressee"] == {"id": w.town_b.pk, "name": w.town_b.display_name}
    assert _get(client, w.outsider, ORDERS).json()["counts"]["issued"] == 1
    assert [row["id"] for row in _get(client, w.reporter, ORDERS).json()["items"]] == [w.answered_order.pk]


def test_bad_order_status_is_422_in_chinese(client, world):
    response = _get(client, world.reviewer, ORDERS, status="gone")
    assert response.status_code == 422
    assert "status 参数" in response.json()["detail"]


def test_schema_documents_both_lists(client, world):
    client.force_login(world.city_admin)
    schema = client.get("/api/v1/openapi.json").json()
    assert {"/api/v1/dispatch/problems", "/api/v1/dispatch/orders"} <= set(schema["paths"])
    params = {p["name"]: p for p in schema["paths"]["/api/v1/dispatch/problems"]["get"]["parameters"]}
    assert params["limit"]["schema"]["maximum"] == 500 and params["offset"]["schema"]["maximum"] == 10**6
    assert schema["components"]["schemas"]["ProblemOut"]["properties"]["overdue"]["description"]


# ------------------------------------------------------------------------------------------------ query count


def _many(w, n):
    for i in range(n):
        project = make_project(location=w.town_a if i % 2 else w.town_b, lead=w.dept, tags=[w.county_tag])
        _problem(w, project, w.town_b, date(2022, 4, 10 + i % 5), tier=1 + i % 3)
        _order(w, project, w.town_a, date(2022, 4, 10 + i % 5))


@pytest.mark.parametrize("url, queries", [(PROBLEMS, 6), (ORDERS, 6)])
def test_query_count_does_not_grow_with_rows(client, dispatched, url, queries, django_assert_num_queries):
    w = dispatched
    client.force_login(w.reviewer)
    with django_assert_num_queries(queries):  # a fixed number, however many rows
        few = client.get(url).json()
    _many(w, 10)
    with django_assert_num_queries(queries):
        many = client.get(url).json()
    assert many["count"] == few["count"] + 10
