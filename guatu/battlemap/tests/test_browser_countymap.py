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
