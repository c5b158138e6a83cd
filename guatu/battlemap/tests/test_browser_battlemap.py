"""Acceptance (issue 9, item 1): the battle map of the demo's 2022-03 renders in Chromium with no console
errors, at 1366×768 and 1920×1080 and in its A3 print layout (screenshots under var/screenshots/); the page's
figures are the endpoint's; a click on a chart's bar opens the project list with that bar's filter."""

from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from guatu.accounts.models import Role
from guatu.demo import data
from guatu.demo.loader import load_demo
from guatu.testing import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[3] / "var" / "screenshots"  # ignored by git


@pytest.fixture
def demo(settings):
    settings.GUATU_TODAY = data.DEMO_DAY
    load_demo()  # a transactional test: its tables are emptied after it, the demo with them


def _rendered(page):
    page.wait_for_selector("#battlemap[data-ready='1']")
    page.wait_for_function(
        "() => ['chart-tags','chart-curve','chart-areas'].every("
        "id => echarts.getInstanceByDom(document.getElementById(id)))"
    )


def test_battle_map_of_the_demo_month(live_server, demo, browser_as):
    from guatu.demo.loader import demo_root

    root = demo_root()
    admin = make_user("bm_office", root, Role.CITY_ADMIN)
    page = browser_as(admin)
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    SHOTS.mkdir(parents=True, exist_ok=True)
    url = live_server.url + reverse("battlemap:page") + "?period=2022-03"

    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(url)
    _rendered(page)
    embedded = page.evaluate("() => JSON.parse(document.getElementById('battlemap-data').textContent)")
    api = page.evaluate("() => fetch('/api/v1/battlemap?period=2022-03').then(r => r.json())")
    assert embedded == api
    tags = {row["tag"]: row for row in api["tags"]}
    assert [
        tags[code]["figures"]["completion_rate_percent"] for code in ("province", "prefecture", "county")
    ] == [
        "20.00",
        "17.36",
        "15.10",
    ]
    for code, row in tags.items():  # the table beside the chart shows the endpoint's figures
        cells = page.locator(f"[data-panel=tags] tr[data-tag='{code}']")
        expect(cells.locator("[data-field=ytd_completed]")).to_have_text(row["figures"]["ytd_completed"])
    # A county's map is the schematic tiles of the units below it, coloured by band, from local files only.
    expect(page.locator("#tile-map")).to_be_visible()
    tiles = page.locator("#tile-map .bm-tile")
    assert tiles.count() == len(api["children"]) > 0
    assert all("band-" in (tiles.nth(i).get_attribute("class") or "") for i in range(tiles.count()))
    # The chains, attraction, requests and reserve panels (issue 10) show the endpoint's figures.
    assert len(api["chains"]) == 7 and all(chain["output_target"] for chain in api["chains"])
    expect(page.locator("#chain-targets tbody tr")).to_have_count(7)
    attraction, requests = api["attraction"], api["requests"]
    assert attraction["leads"] == 42 and attraction["late"] > 0 and requests["requests"] > 0
    expect(page.locator("[data-kpi=leads]")).to_contain_text(str(attraction["leads"]))
    expect(page.locator("[data-kpi=late]")).to_contain_text(str(attraction["late"]))
    expect(page.locator("[data-kpi=requests-open]")).to_contain_text(str(requests["open"]))
    tiers = {row["tier"]: row["projects"] for row in api["reserve"]}
    assert tiers["reserve"] + tiers["rolling"] >= 60
    expect(page.locator("[data-panel=reserve] tr[data-tier=rolling] td").nth(1)).to_have_text(str(tiers["rolling"]))
    page.wait_for_function("() => echarts.getInstanceByDom(document.getElementById('chart-reserve'))")
    page.screenshot(path=str(SHOTS / "battlemap-1366x768.png"), full_page=True)

    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(url)
    _rendered(page)
    page.screenshot(path=str(SHOTS / "battlemap-1920x1080.png"), full_page=True)

    page.emulate_media(media="print")
    page.screenshot(path=str(SHOTS / "battlemap-print.png"), full_page=True)
    page.pdf(path=str(SHOTS / "battlemap-a3.pdf"), format="A3", landscape=True, print_background=True)
    expect(page.locator(".topbar")).to_be_hidden()
    page.emulate_media(media="screen")

    wall = live_server.url + reverse("battlemap:wall") + "?period=2022-03"
    page.goto(wall)
    _rendered(page)
    expect(page.locator("[data-panel=tags]")).to_be_visible()
    expect(page.locator("[data-panel=problems]")).to_be_hidden()  # the second page of panels waits its turn
    page.screenshot(path=str(SHOTS / "battlemap-wall-1920x1080.png"))

    for name in (
        "battlemap-1366x768.png",
        "battlemap-1920x1080.png",
        "battlemap-print.png",
        "battlemap-a3.pdf",
    ):
        assert (SHOTS / name).stat().st_size > 10_000, name
    assert errors == []

    # A click on the county list's bar opens the project list filtered by that tag and month.
    page.goto(url)
    _rendered(page)
    index = [row["tag"] for row in api["tags"]].index("county")
    point = page.evaluate(
        """([index, value]) => {
            const el = document.getElementById('chart-tags');
            const [x, y] = echarts.getInstanceByDom(el).convertToPixel({seriesIndex: 0}, [index, value / 2]);
            const box = el.getBoundingClientRect();
            return [box.left + x, box.top + y];
        }""",
        [index, float(tags["county"]["figures"]["completion_rate_percent"])],
    )
    page.mouse.click(*point)
    page.wait_for_url(lambda u: "/projects/" in u)
    assert "tag=county" in page.url and "period=2022-03" in page.url
    expect(page.locator("#id_tag")).to_have_value("county")
    assert errors == []
