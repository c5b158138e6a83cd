"""The filter bars' search-as-you-type pickers (guatu.web.lookups) in a real browser, used from the keyboard and
with the mouse: the county reviewer filters the project library by a township typed in part and picked with
the arrow keys; a township reporter picks their own township on the red and yellow list with a click."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _settle(page) -> None:
    """No htmx request left in flight when the test ends (the live server shares the test's database)."""
    page.wait_for_timeout(300)
    page.wait_for_function("() => !document.querySelector('.htmx-request')")


def test_the_reviewer_filters_the_library_from_the_keyboard(live_server, world, browser_as):
    w = world
    page = browser_as(w.reviewer)
    page.goto(live_server.url + reverse("projects:list"))
    expect(page.locator("#project-rows")).to_contain_text(w.project_a.name)

    box = page.locator("#id_location")
    expect(box).to_have_attribute("role", "combobox")
    box.focus()
    page.keyboard.type("渣渡")
    options = page.locator("#id_location_options [role=option]")
    expect(options).to_have_count(1)
    expect(page.locator("#id_location_options")).to_be_visible()
    expect(box).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("ArrowDown")
    expect(box).to_have_attribute("aria-activedescendant", f"id_location_options-{w.town_b.pk}")
    expect(options.first).to_have_attribute("aria-selected", "true")
    page.keyboard.press("Enter")  # picks; the filter bar follows the change with htmx

    expect(box).to_have_value("渣渡镇")
    expect(page.locator("#id_location_value")).to_have_value(str(w.town_b.pk))
    expect(page.locator("#id_location_options")).to_be_hidden()
    expect(page.locator("#project-rows")).to_contain_text(w.project_b.name)
    expect(page.locator("#project-rows")).not_to_contain_text(w.project_a.name)
    assert f"location={w.town_b.pk}" in page.url

    # Escape closes the list without picking; a name typed and sent with Enter is read by the server.
    box.fill("")
    page.keyboard.type("禾青")
    expect(page.locator("#id_location_options [role=option]")).to_have_count(1)
    page.keyboard.press("Escape")
    expect(page.locator("#id_location_options")).to_be_hidden()
    expect(page.locator("#id_location_value")).to_have_value("")  # typing let go of the picked id
    page.keyboard.press("Enter")
    expect(page.locator("#project-rows")).to_contain_text(w.project_a.name)
    expect(page.locator("#project-rows")).not_to_contain_text(w.project_b.name)
    _settle(page)


def test_a_township_reporter_picks_their_unit_with_the_mouse(live_server, world, browser_as):
    w = world
    page = browser_as(w.reporter, phone=True)
    page.goto(live_server.url + reverse("lights:board"))
    page.locator("#id_unit").click()  # opens the list of what they may pick: their own township
    option = page.locator("#id_unit_options [role=option]")
    expect(option).to_have_count(1)
    expect(option).to_contain_text("禾青镇")
    option.click()
    expect(page.locator("#id_unit")).to_have_value("禾青镇")
    page.locator("#board-filters button[type=submit]").click()  # 查询
    expect(page.locator("h1")).to_contain_text("禾青镇")
    expect(page.locator("#id_unit")).to_have_value("禾青镇")
    _settle(page)
