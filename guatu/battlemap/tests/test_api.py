"""GET /api/v1/battlemap: access per persona, errors, the schema, the figures against the other APIs and
pages (summary API, projects API, lights board, problem and order lists), and the query count pinned."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from guatu.dispatch.services import problem_raise_and_assign, supervision_issue
from guatu.lib.periods import Period
from guatu.lights.services import lights_compute_year
from guatu.projects.models import IndustryChain
from guatu.reports.models import ReportStatus
from guatu.testing import make_other_county, make_project, make_report

pytestmark = pytest.mark.django_db

URL = "/api/v1/battlemap"
TODAY = date(2022, 4, 24)
EARLIER = datetime(2022, 4, 1, 9, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(TODAY, tick=False):
        yield


def _get(client, user, **params):
    client.force_login(user)
    return client.get(URL, params)


def _data(w):
    """Reports for both projects, lights computed, a problem and an order: every panel has figures."""
    make_report(w.project_a, "2022-01", "100", reporter=w.dept_reporter, reviewer=w.reviewer)
    make_report(w.project_a, "2022-02", "50.50", reporter=w.dept_reporter, reviewer=w.reviewer)
    make_report(w.project_a, "2022-03", "999", reporter=w.dept_reporter, status=ReportStatus.SUBMITTED)
    make_report(w.project_b, "2022-01", "10.10", reporter=w.outsider, reviewer=w.reviewer)
    chain = IndustryChain.objects.create(name="锑产业链", jurisdiction=w.city)
    w.project_a.chain = chain
    w.project_a.save(update_fields=["chain"])
    lights_compute_year(unit=w.city, period=Period(2022, 3))
    problem_raise_and_assign(
        project=w.project_b,
        description="用地报批滞后",
        category="land",
        unit=w.town_b,
        deadline=date(2022, 4, 20),
        by=w.reviewer,
        at=EARLIER,
    )
    supervision_issue(
        project=w.project_b,
        addressee=w.town_b,
        requirement="限期完成用地报批",
        deadline=date(2022, 4, 20),
        by=w.reviewer,
        at=EARLIER,
    )
    return chain


def test_anonymous_gets_401(client, world):
    assert client.get(URL, {"period": "2022-03"}).status_code == 401


@pytest.mark.parametrize(
    "persona", ["city_admin", "reviewer", "reporter", "dept_reporter", "leader", "viewer", "outsider"]
)
def test_every_persona_gets_their_own_scope(client, world, persona):
    response = _get(client, world.personas[persona], period="2022-03")
    assert response.status_code == 200, response.content
    assert response.json()["period"] == "2022-03"


def test_another_countys_unit_is_404(client, world):
    other = make_other_county()
    assert _get(client, world.city_admin, unit=other.county.pk, period="2022-03").status_code == 404
    assert _get(client, world.reporter, unit=world.town_b.pk, period="2022-03").status_code == 404
    assert _get(client, world.city_admin, unit=99999999, period="2022-03").status_code == 404


@pytest.mark.parametrize("period", ["2022-13", "march", "2022-3", "20220-03"])
def test_bad_period_is_refused_in_chinese(client, world, period):
    response = _get(client, world.city_admin, period=period)
    assert response.status_code == 422
    assert "YYYY-MM" in response.content.decode() or "period" in response.content.decode()


def test_bad_unit_is_refused_not_500(client, world):
    assert _get(client, world.city_admin, unit="x").status_code == 422
    assert _get(client, world.city_admin, unit=2**40).status_code == 422


def test_month_error_message_is_chinese(client, world):
    body = _get(client, world.city_admin, period="2022-13").json()
    assert body["detail"] == "period 参数格式应为 YYYY-MM，例如 2022-03"


def test_schema_documents_every_field(client, world):
    client.force_login(world.city_admin)
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/battlemap" in schema["paths"]
    out = schema["components"]["schemas"]["BattlemapOut"]
    for name in (
        "tags",
        "curves",
        "lights",
        "areas",
        "departments",
        "children",
        "problems",
        "orders",
        "rankings",
        "headlines",
        "chains",
    ):
        assert name in out["properties"], name
    figures = schema["components"]["schemas"]["Figures"]["properties"]
    assert figures["completion_rate_percent"]["description"]
    assert set(figures) >= {"ytd_completed", "annual_plan", "time_progress_percent", "band"}


def test_tags_equal_the_summary_api(client, world):
    w = world
    _data(w)
    client.force_login(w.city_admin)
    for unit in (None, w.town_a.pk, w.dept.pk):
        params = {"period": "2022-03", **({"unit": unit} if unit else {})}
        summary = {row["tag"]: row for row in client.get("/api/v1/investment/summary", params).json()["rows"]}
        battle = {row["tag"]: row for row in client.get(URL, params).json()["tags"]}
        assert summary.keys() == battle.keys()
        for tag, row in summary.items():
            figures = battle[tag]["figures"]
            assert battle[tag]["projects"] == row["projects"]
            for name in (
                "ytd_completed",
                "annual_plan",
                "completion_rate_percent",
                "time_progress_percent",
                "planned_progress_percent",
                "deviation_points",
            ):
                assert figures[name] == row[name], (unit, tag, name)
    county = {row["tag"]: row for row in client.get(URL, {"period": "2022-03"}).json()["tags"]}["county"]
    assert county["figures"]["ytd_completed"] == "160.60"
    assert county["url"] == reverse("projects:list") + "?tag=county&period=2022-03"


def test_curve_ends_at_the_summary_and_follows_the_plan(client, world):
    w = world
    _data(w)
    body = _get(client, w.city_admin, period="2022-03").json()
    curve = {c["tag"]: c for c in body["curves"]}["county"]["points"]
    assert [p["month"] for p in curve] == list(range(1, 13))
    assert [p["completed"] for p in curve[:3]] == ["110.10", "160.60", "160.60"]
    assert all(p["completed"] is None for p in curve[3:])
    assert curve[11]["planned_to_date"] == "2000.00"  # two plans of 1000, pro rata to December
    tag = {row["tag"]: row for row in body["tags"]}["county"]
    assert curve[2]["completion_rate_percent"] == tag["figures"]["completion_rate_percent"]


def test_ranking_equals_the_projects_api(client, world):
    """Each township's figure is its located projects' (the project list ?location=), each department's its
    led projects' (?lead=): the projects API's rows for the same filter add up to it."""
    w = world
    _data(w)
    client.force_login(w.city_admin)
    body = client.get(URL, {"period": "2022-03"}).json()
    rows = {row["unit_id"]: row for row in body["areas"] + body["departments"]}
    for unit, key in ((w.town_a, "location"), (w.town_b, "location"), (w.dept, "lead")):
        items = client.get("/api/v1/projects/", {key: unit.pk, "period": "2022-03"}).json()["items"]
        planned = [item for item in items if item["annual_plan"] is not None]
        row = rows[unit.pk]
        assert row["projects"] == len(planned)
        assert sum(float(i["ytd_completed"]) for i in planned) == pytest.approx(
            float(row["figures"]["ytd_completed"])
        )
        assert row["url"] == reverse("projects:list") + f"?period=2022-03&{key}={unit.pk}"
    assert [row["name"] for row in body["areas"]] == ["禾青镇", "渣渡镇"]  # 15.05% before 1.01%
    assert body["areas"][0]["figures"]["completion_rate_percent"] == "15.05"
    assert body["areas"][0]["figures"]["band"] == "behind"  # 9.95 points behind the 25% time progress
    assert body["areas"][1]["figures"]["band"] == "far_behind"
    assert body["map"] == "tiles"
    assert [c["name"] for c in body["children"]] == ["禾青镇", "渣渡镇"]


def test_lights_equal_the_board(client, world):
    w = world
    _data(w)
    client.force_login(w.city_admin)
    body = client.get(URL, {"period": "2022-03"}).json()
    board = client.get(reverse("lights:board"), {"period": "2022-03"}).context
    assert body["lights"]["red"] == len(board["red"])
    assert body["lights"]["yellow"] == len(board["yellow"])
    by_tag = {row["tag"]: row for row in body["lights"]["by_tag"]}
    for tag in board["tags"]:
        row = by_tag[tag.tag.code]
        assert (row["red"], row["yellow"], row["green"], row["unlit"]) == (
            tag.red,
            tag.yellow,
            tag.green,
            tag.unlit,
        )
    assert body["lights"]["red"] + body["lights"]["yellow"] > 0
    for row in body["lights"]["by_unit"]:
        page = client.get(row["url"]).context
        assert (row["red"], row["yellow"]) == (len(page["red"]), len(page["yellow"])), row["name"]


def test_lights_equal_the_lights_api(client, world):
    w = world
    _data(w)
    client.force_login(w.city_admin)
    body = client.get(URL, {"period": "2022-03"}).json()["lights"]
    api = client.get("/api/v1/lights", {"period": "2022-03"}).json()
    assert (body["red"], body["yellow"]) == (api["counts"]["red"], api["counts"]["yellow"])
    assert [
        (r["tag"], r["projects"], r["red"], r["yellow"], r["green"], r["unlit"]) for r in body["by_tag"]
    ] == [(r["tag"], r["projects"], r["red"], r["yellow"], r["green"], r["unlit"]) for r in api["by_tag"]]
    assert body["by_unit"]
    for row in body["by_unit"]:
        counts = client.get("/api/v1/lights", {"period": "2022-03", "unit": row["unit_id"]}).json()["counts"]
        assert (row["red"], row["yellow"]) == (counts["red"], counts["yellow"]), row["name"]


def test_problems_and_orders_equal_their_lists(client, world):
    w = world
    _data(w)
    client.force_login(w.city_admin)
    body = client.get(URL, {"period": "2022-03"}).json()
    problems = body["problems"]
    assert (problems["open"], problems["overdue"]) == (1, 1)
    assert client.get(problems["overdue_url"]).context["page"].paginator.count == 1
    for cell in problems["cells"]:
        assert client.get(cell["url"]).context["page"].paginator.count == cell["count"]
    orders = body["orders"]
    assert (orders["issued"], orders["overdue"]) == (1, 1)
    assert client.get(orders["overdue_url"]).context["page"].paginator.count == orders["overdue"]
    assert client.get(orders["url"]).context["page"].paginator.count == orders["issued"]
    assert orders["due"][0]["overdue"] is True


def test_problems_and_orders_equal_the_dispatch_api(client, world):
    w = world
    _data(w)
    client.force_login(w.city_admin)
    for unit in (w.city, w.town_a, w.town_b):
        body = client.get(URL, {"period": "2022-03", "unit": unit.pk}).json()
        problems = "/api/v1/dispatch/problems"
        api = client.get(problems, {"unit": unit.pk}).json()
        assert [(c["tier"], c["status"], c["count"], c["overdue"]) for c in body["problems"]["cells"]] == [
            (c["tier"], c["state"], c["count"], c["overdue"]) for c in api["by_tier_and_state"]
        ]
        assert body["problems"]["overdue"] == api["overdue"]
        assert (
            body["problems"]["open"]
            == client.get(problems, {"unit": unit.pk, "state": "open"}).json()["count"]
        )
        assert (
            body["problems"]["overdue"]
            == client.get(problems, {"unit": unit.pk, "overdue": True}).json()["count"]
        )
    body = client.get(URL, {"period": "2022-03"}).json()
    assert (body["problems"]["open"], body["problems"]["overdue"]) == (1, 1)
    orders = client.get("/api/v1/dispatch/orders").json()["counts"]
    assert (
        {key: body["orders"][key] for key in orders}
        == orders
        == {
            "issued": 1,
            "responded": 0,
            "closed": 0,
            "overdue": 1,
        }
    )
    issued = client.get("/api/v1/dispatch/orders", {"status": "issued"}).json()
    assert issued["count"] == body["orders"]["issued"]
    assert [row["id"] for row in issued["items"]][:10] == [row["id"] for row in body["orders"]["due"]]
    overdue = client.get("/api/v1/dispatch/orders", {"status": "issued", "overdue": True}).json()
    assert overdue["count"] == body["orders"]["overdue"]


def test_chains(client, world):
    w = world
    chain = _data(w)
    body = _get(client, w.city_admin, period="2022-03").json()
    assert [(c["chain_id"], c["projects"], c["figures"]["ytd_completed"]) for c in body["chains"]] == [
        (chain.pk, 1, "150.50")
    ]


def test_a_township_reporter_sees_only_their_township(client, world):
    w = world
    _data(w)
    body = _get(client, w.reporter, period="2022-03").json()
    assert body["unit_id"] == w.town_a.pk
    assert {row["tag"]: row["projects"] for row in body["tags"]}["county"] == 1
    assert body["problems"]["open"] == 0  # the problem is township B's


def _many_projects(w, n):
    for i in range(n):
        project = make_project(location=w.town_a if i % 2 else w.town_b, lead=w.dept, tags=[w.county_tag])
        make_report(project, "2022-01", "10", reporter=w.dept_reporter, reviewer=w.reviewer)


def _count(client, user):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(URL, {"period": "2022-03"})
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_query_count_does_not_grow_with_projects(client, world):
    w = world
    _data(w)
    client.force_login(w.city_admin)
    few = _count(client, w.city_admin)
    _many_projects(w, 12)
    lights_compute_year(unit=w.city, period=Period(2022, 3))
    many = _count(client, w.city_admin)
    assert many == few
    assert few <= 53  # 45, and 8 for the chains' targets, the leads, the requests and the reserve tiers
