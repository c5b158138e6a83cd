"""Acceptance (issue 9, item 5): the county map renders from vendored files only.

A bare page on the live server loads the vendored ECharts, countymap.js and Hunan's boundaries, and draws
Loudi's five counties coloured by band, with no console error and no request leaving 127.0.0.1 (the
conftest guard fails any). A click on a county opens its drill-down URL.
"""

import json

import pytest
from django.templatetags.static import static
from playwright.sync_api import expect

from guatu.battlemap import geo

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

PAGE = "/countymap-test/"
SHOT_DIR = "var/screenshots"  # under the work tree, ignored by git


def loudi_children():
    bands = {
        "431302": "ahead",
        "431321": "behind",
        "431322": "far_behind",
        "431381": "ahead",
        "431382": "no_plan",
    }
    return [
        {
            "unit_id": i,
            "name": name,
            "kind": "county",
            "division_code": code + "000000",  # units may carry the 12-digit code
            "projects": 3,
            "completion_rate_percent": None if bands[code] == "no_plan" else f"{10 + i}.50",
            "time_progress_percent": "25.00",
            "band": bands[code],
            "url": f"/projects/?unit={i}",
        }
        for i, (code, name) in enumerate(geo.counties_in("431300").items(), start=1)
    ]


def html(data) -> str:
    return f"""<!doctype html><html lang="zh-Hans"><head><meta charset="utf-8"><title>县市区地图</title></head>
<body><div id="county-map" style="width:900px;height:640px"></div>
<script src="{static("vendor/echarts/echarts.min.js")}"></script>
<script src="{static("battlemap/countymap.js")}"></script>
<script>
GuatuMaps.counties(document.getElementById("county-map"), "{static(geo.static_path("431300"))}",
                   {json.dumps(data, ensure_ascii=False)});
</script></body></html>"""


def test_loudi_counties_draw_from_vendored_files(live_server, open_browser):
    page, log = open_browser()
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.route(
        live_server.url + PAGE,
        lambda route: route.fulfill(content_type="text/html", body=html(loudi_children())),
    )

    page.goto(live_server.url + PAGE)
    county_map = page.locator("#county-map")
    expect(county_map).to_have_attribute("data-ready", "1")
    expect(county_map).to_have_attribute("data-counties", "5")
    page.screenshot(path=f"{SHOT_DIR}/countymap-loudi.png")

    box = county_map.bounding_box()
    drawn = page.evaluate(
        """() => echarts.getInstanceByDom(document.getElementById('county-map'))
            .getOption().series[0].data.map(d => [d.county, d.band])"""
    )
    assert sorted(map(tuple, drawn)) == sorted(
        [
            ("娄星区", "ahead"),
            ("双峰县", "behind"),
            ("新化县", "far_behind"),
            ("冷水江市", "ahead"),
            ("涟源市", "no_plan"),
        ]
    )
    assert errors == [] and log.problems == []

    # Hovering 新化县 shows its figures; a click on it (the largest county: its region's centre lies inside it) opens its list.
    xinhua = page.evaluate(
        """() => {
        const chart = echarts.getInstanceByDom(document.getElementById('county-map'));
        const region = chart.getModel().getSeriesByIndex(0).coordinateSystem.getRegion('431322');
        return chart.convertToPixel({seriesIndex: 0}, region.getCenter());
    }"""
    )
    page.mouse.move(box["x"] + xinhua[0], box["y"] + xinhua[1])
    expect(page.locator("body")).to_contain_text("完成率：")
    expect(page.locator("body")).to_contain_text("时序进度：25.00%")
    page.route(
        live_server.url + "/projects/**", lambda route: route.fulfill(content_type="text/html", body="ok")
    )
    page.mouse.click(box["x"] + xinhua[0], box["y"] + xinhua[1])
    page.wait_for_url("**/projects/?unit=3")
    assert errors == []


@pytest.mark.django_db(transaction=True)
def test_a_prefecture_users_battle_map_shows_its_counties(live_server, browser_as):
    """On the battle map page itself: 娄底市's reviewer sees its counties drawn, 冷水江市 coloured by its report."""
    from django.urls import reverse

    from guatu.accounts.models import Role
    from guatu.orgs.models import OrgUnitKind
    from guatu.testing import make_project, make_report, make_tag, make_unit, make_user

    loudi = make_unit("娄底市", OrgUnitKind.PREFECTURE, division_code="431300")
    lsj = make_unit("冷水江市", OrgUnitKind.COUNTY, loudi, division_code="431381")
    make_unit("新化县", OrgUnitKind.COUNTY, loudi, division_code="431322")
    town = make_unit("禾青镇", OrgUnitKind.TOWNSHIP, lsj)
    reviewer = make_user("loudi_reviewer", loudi, Role.REVIEWER)
    reporter = make_user("heqing", town, Role.REPORTER)
    project = make_project(location=town, tags=[make_tag("prefecture", "娄底市重点", "娄底市重点项目", 2)])
    make_report(project, "2022-03", "400", reporter=reporter, reviewer=reviewer)

    page = browser_as(reviewer)
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(live_server.url + reverse("battlemap:page") + "?period=2022-03")
    county_map = page.locator("#county-map")
    expect(county_map).to_have_attribute("data-ready", "1")
    expect(county_map).to_have_attribute("data-counties", "2")
    county_map.scroll_into_view_if_needed()
    county_map.screenshot(path=f"{SHOT_DIR}/countymap-prefecture-page.png")
    bands = dict(
        page.evaluate(
            """() => echarts.getInstanceByDom(document.getElementById('county-map'))
                .getOption().series[0].data.map(d => [d.county, d.band])"""
        )
    )
    assert bands["新化县"] == "no_plan" and bands["冷水江市"] != "no_plan"
    assert errors == []
