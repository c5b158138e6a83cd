"""GET /api/v1/lights: the board's figures over JSON. Equal to the board page's (counts, per tag, the list
and its reasons), access per persona, bad input refused in Chinese, the schema, the query count pinned."""

from datetime import UTC, date, datetime

import pytest
from django.urls import reverse

from guatu.lib.periods import Period
from guatu.lights.models import ProjectLight
from guatu.lights.services import lights_compute_year
from guatu.testing import make_other_county, make_project, make_report

pytestmark = pytest.mark.django_db

URL = "/api/v1/lights"
BOARD = reverse("lights:board")
LATE = datetime(2023, 1, 1, tzinfo=UTC)  # every 2022 report deadline has passed


@pytest.fixture
def lit(world):
    """Project A 40 a month (12% by March against 25%: yellow), project B never reported (red every month)."""
    w = world
    for month in (1, 2, 3):
        make_report(w.project_a, f"2022-{month:02d}", "40", reporter=w.reporter, reviewer=w.reviewer)
    lights_compute_year(unit=w.city, period=Period(2022, 3), at=LATE)
    return w


def _get(client, user, **params):
    client.force_login(user)
    return client.get(URL, params)


def _board(client, **params):
    return client.get(BOARD, params).context


def test_figures_equal_the_board(client, lit):
    w = lit
    for unit in (None, w.town_a.pk, w.town_b.pk, w.dept.pk):
        params = {"period": "2022-03", **({"unit": unit} if unit else {})}
        body = _get(client, w.reviewer, **params).json()
        board = _board(client, **params)
        assert body["period"] == "2022-03"
        assert body["unit_id"] == unit
        assert (body["counts"]["red"], body["counts"]["yellow"]) == (len(board["red"]), len(board["yellow"]))
        assert [(row["project_id"], row["colour"], row["reasons"]) for row in body["warned"]] == [
            (light["project_id"], light["light"], light["reasons"]) for light in board["red"] + board["yellow"]
        ]
        assert [
            (row["tag"], row["projects"], row["red"], row["yellow"], row["green"], row["unlit"])
            for row in body["by_tag"]
        ] == [(t.tag.code, t.projects, t.red, t.yellow, t.green, t.unlit) for t in board["tags"]]
        assert [(row["annual_plan"], row["projected_year_end"]) for row in body["by_tag"]] == [
            (f"{t.annual_plan:.2f}", f"{t.projected_year_end:.2f}") for t in board["tags"]
        ]


def test_the_list_says_why_and_how_long_in_chinese(client, lit):
    w = lit
    body = _get(client, w.reviewer, period="2022-03").json()
    assert body["counts"] == {"red": 1, "yellow": 1, "green": 0}
    red, yellow = body["warned"]
    assert (red["project_id"], red["name"], red["colour_label"]) == (w.project_b.pk, w.project_b.name, "红灯")
    assert "次月 5 日前未报送月报" in " ".join(red["reasons"])
    assert (red["months_red"], red["months_yellow"]) == (3, 0)  # red January to March
    assert (yellow["project_id"], yellow["colour"]) == (w.project_a.pk, "yellow")
    assert "完成率滞后时序进度 13.00 个百分点" in yellow["reasons"]
    assert (
        yellow["months_red"] + yellow["months_yellow"]
        == ProjectLight.objects.filter(
            project=w.project_a, year=2022, month__lte=3, light__in=["red", "yellow"]
        ).count()
    )
    assert (body["unit_id"], body["unit_name"]) == (None, "我可查看的全部单位")  # the board's "all units"


def test_green_counts_the_month_green_lights(client, lit):
    w = lit
    ProjectLight.objects.filter(project=w.project_a, year=2022, month=3).update(light="green")
    body = _get(client, w.reviewer, period="2022-03").json()
    assert body["counts"] == {"red": 1, "yellow": 0, "green": 1}
    assert [row["project_id"] for row in body["warned"]] == [w.project_b.pk]


def test_default_month_is_the_boards(client, lit, settings):
    settings.GUATU_TODAY = date(2022, 4, 24)
    body = _get(client, lit.reviewer).json()
    assert body["period"] == str(_board(client)["period"]) == "2022-03"


def test_anonymous_gets_401(client, world):
    assert client.get(URL, {"period": "2022-03"}).status_code == 401


@pytest.mark.parametrize(
    "persona, sees",
    [
        ("city_admin", {"a", "b"}),
        ("reviewer", {"a", "b"}),
        ("reporter", {"a"}),
        ("dept_reporter", {"a"}),
        ("viewer", {"a"}),
        ("leader", {"a"}),
        ("outsider", {"b"}),
    ],
)
def test_each_persona_sees_their_projects_only(client, lit, persona, sees):
    w = lit
    ids = {w.project_a.pk: "a", w.project_b.pk: "b"}
    response = _get(client, w.personas[persona], period="2022-03")
    assert response.status_code == 200
    assert {ids[row["project_id"]] for row in response.json()["warned"]} == sees


def test_a_unit_the_reader_may_not_see_is_404(client, lit):
    w = lit
    other = make_other_county()
    assert _get(client, w.city_admin, unit=other.county.pk, period="2022-03").status_code == 404
    assert _get(client, other.admin, unit=w.city.pk, period="2022-03").status_code == 404
    assert _get(client, w.reporter, unit=w.town_b.pk, period="2022-03").status_code == 404
    assert _get(client, w.city_admin, unit=99999999, period="2022-03").status_code == 404
    mine = _get(client, w.reporter, unit=w.town_a.pk, period="2022-03").json()
    assert [row["project_id"] for row in mine["warned"]] == [w.project_a.pk]


@pytest.mark.parametrize("period", ["2022-13", "march", "2022-3x", "0000-00"])
def test_bad_month_is_refused_in_chinese(client, lit, period):
    response = _get(client, lit.reviewer, period=period)
    assert response.status_code == 422
    assert "period 参数" in response.json()["detail"] and "YYYY-MM" in response.json()["detail"]


@pytest.mark.parametrize("params", [{"unit": "x"}, {"unit": 2**40}, {"unit": 0}, {"period": "2022-03-01"}])
def test_out_of_range_input_is_422_not_500(client, lit, params):
    assert _get(client, lit.reviewer, **params).status_code == 422


def test_schema_documents_the_fields(client, world):
    client.force_login(world.city_admin)
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/lights" in schema["paths"]
    warned = schema["components"]["schemas"]["WarnedOut"]["properties"]
    assert warned["reasons"]["description"] and warned["months_red"]["description"]
    assert {"counts", "by_tag", "warned"} <= set(schema["components"]["schemas"]["LightsOut"]["properties"])


def test_query_count_does_not_grow_with_projects(client, world, django_assert_num_queries):
    w = world

    def add(n):
        for _ in range(n):
            make_project(location=w.town_a, lead=w.dept, tags=[w.county_tag], leader=w.leader)
        lights_compute_year(unit=w.city, period=Period(2022, 3), at=LATE)

    add(2)
    client.force_login(w.reviewer)
    assert len(client.get(URL, {"period": "2022-03"}).json()["warned"]) == 4
    # session, user, the reader's scope (2), list, months, counts, tags (3); the unit filter reads nothing
    with django_assert_num_queries(10):
        client.get(URL, {"period": "2022-03"})
    add(8)
    assert len(client.get(URL, {"period": "2022-03"}).json()["warned"]) == 12
    with django_assert_num_queries(10):
        client.get(URL, {"period": "2022-03"})
