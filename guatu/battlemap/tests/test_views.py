"""The battle map's pages: per persona, the embedded figures are the endpoint's, the maps, the wall screen, the
print layout and the menu item."""

import json
from datetime import date

import pytest
import time_machine
from django.contrib.staticfiles import finders
from django.urls import reverse

from guatu.accounts.models import Role
from guatu.orgs.models import OrgUnitKind
from guatu.reports.models import ReportStatus
from guatu.testing import make_other_county, make_project, make_report, make_unit, make_user

pytestmark = pytest.mark.django_db

PAGE = reverse("battlemap:page")
WALL = reverse("battlemap:wall")
API = "/api/v1/battlemap"


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(date(2022, 4, 24), tick=False):
        yield


def _embedded(response) -> dict:
    html = response.content.decode()
    start = html.index('<script id="battlemap-data" type="application/json">') + len(
        '<script id="battlemap-data" type="application/json">'
    )
    return json.loads(html[start : html.index("</script>", start)])


def test_anonymous_is_sent_to_login(client, world):
    for url in (PAGE, WALL):
        response = client.get(url)
        assert response.status_code == 302
        assert reverse("login") in response["Location"]


@pytest.mark.parametrize(
    "persona", ["city_admin", "reviewer", "reporter", "dept_reporter", "leader", "viewer", "outsider"]
)
def test_page_embeds_the_endpoints_figures(client, world, persona):
    w = world
    make_report(w.project_a, "2022-01", "100", reporter=w.dept_reporter, reviewer=w.reviewer)
    make_report(w.project_b, "2022-02", "20.05", reporter=w.outsider, reviewer=w.reviewer)
    user = w.personas[persona]
    client.force_login(user)
    response = client.get(PAGE, {"period": "2022-03"})
    assert response.status_code == 200
    assert _embedded(response) == client.get(API, {"period": "2022-03"}).json()
    html = response.content.decode()
    assert 'id="nav-battlemap"' in html and "挂图作战" in html
    assert 'value="2022-03"' in html  # the month picker shows the month shown
    assert "1-3月" in html


def test_another_countys_unit_is_404(client, world):
    other = make_other_county()
    client.force_login(world.city_admin)
    assert client.get(PAGE, {"unit": other.county.pk}).status_code == 404
    assert client.get(WALL, {"unit": other.county.pk}).status_code == 404
    client.force_login(world.reporter)
    assert client.get(PAGE, {"unit": world.town_b.pk}).status_code == 404


def test_a_unit_below_is_shown_with_its_figures(client, world):
    w = world
    make_report(w.project_a, "2022-01", "100", reporter=w.dept_reporter, reviewer=w.reviewer)
    client.force_login(w.city_admin)
    response = client.get(PAGE, {"unit": w.town_a.pk, "period": "2022-03"})
    data = _embedded(response)
    assert data["unit_id"] == w.town_a.pk
    assert data == client.get(API, {"unit": w.town_a.pk, "period": "2022-03"}).json()
    county = {row["tag"]: row for row in data["tags"]}["county"]
    assert county["url"] == reverse("projects:list") + f"?tag=county&period=2022-03&location={w.town_a.pk}"


def test_bad_month_is_said_in_chinese_and_the_default_month_shown(client, world):
    client.force_login(world.city_admin)
    response = client.get(PAGE, {"period": "2022-3x"})
    assert response.status_code == 200
    assert "月份应写作 YYYY-MM" in response.content.decode() or "YYYY-MM" in response.content.decode()
    assert _embedded(response)["period"] == "2022-03"  # the default month (report deadline passed)


def test_county_page_has_a_tile_map_with_a_legend(client, world):
    w = world
    make_report(w.project_a, "2022-01", "300", reporter=w.dept_reporter, reviewer=w.reviewer)
    client.force_login(w.city_admin)
    html = client.get(PAGE, {"period": "2022-03"}).content.decode()
    assert 'id="tile-map"' in html and 'id="county-map"' not in html
    assert f'data-unit="{w.town_a.pk}"' in html and "band-ahead" in html  # 30% against 25%
    assert "band-far_behind" in html  # township B: nothing done
    assert "按时序进度或超前" in html


def test_prefecture_page_has_the_county_map_element(client, world):
    w = world
    prefecture = make_unit("娄底市", OrgUnitKind.PREFECTURE, division_code="431300")
    county = make_unit("双峰县", OrgUnitKind.COUNTY, prefecture, division_code="431321")
    town = make_unit("永丰镇", OrgUnitKind.TOWNSHIP, county)
    make_project(location=town, tags=[w.county_tag])
    admin = make_user("loudi_admin", prefecture, Role.CITY_ADMIN)
    client.force_login(admin)
    response = client.get(PAGE, {"period": "2022-03"})
    html = response.content.decode()
    assert 'id="county-map"' in html
    children = _embedded(response)["children"]
    assert [(c["name"], c["division_code"], c["projects"], c["band"]) for c in children] == [
        ("双峰县", "431321", 1, "far_behind")
    ]


def test_wall_screen_cycles_and_refreshes(client, world):
    client.force_login(world.city_admin)
    for response in (
        client.get(WALL, {"period": "2022-03"}),
        client.get(PAGE, {"period": "2022-03", "wall": 1}),
    ):
        html = response.content.decode()
        assert 'data-wall="1"' in html and "data-cycle-seconds=" in html and "data-refresh-seconds=" in html
        assert 'class="mainnav"' not in html  # full screen: no menu
        assert _embedded(response)["period"] == "2022-03"


def test_print_layout_is_a3_landscape():
    css = open(finders.find("battlemap/battlemap.css"), encoding="utf-8").read()
    assert "@page { size: A3 landscape" in css
    assert "@media print" in css and ".topbar" in css.split("@media print", 1)[1]


def test_menu_item_hidden_without_a_unit(client, db):
    user = make_user("nobody", None, Role.VIEWER)
    client.force_login(user)
    html = client.get(reverse("home")).content.decode()
    assert 'id="nav-battlemap"' not in html
    assert client.get(PAGE).status_code == 404


def test_submitted_figures_do_not_count(client, world):
    w = world
    make_report(w.project_a, "2022-01", "999", reporter=w.dept_reporter, status=ReportStatus.SUBMITTED)
    client.force_login(w.city_admin)
    data = _embedded(client.get(PAGE, {"period": "2022-03"}))
    assert {row["tag"]: row for row in data["tags"]}["county"]["figures"]["ytd_completed"] == "0.00"
