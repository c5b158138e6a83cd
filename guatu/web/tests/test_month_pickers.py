"""A month picker shows the month its page shows when none was chosen (a blank picker under a heading that
names a month reads as "no month"); a month chosen stays chosen."""

import re
from datetime import date

import pytest
from django.urls import reverse

from guatu.lib.periods import Period
from guatu.testing import make_assessment_office

pytestmark = pytest.mark.django_db

PAGES = [
    ("investment:summary", "city_admin"),
    ("projects:list", "city_admin"),
    ("lights:board", "reviewer"),
    ("assessment:value_index", "dept_reporter"),
    ("assessment:benchmarks", "city_admin"),
]


def picker_value(html: str) -> str | None:
    tag = re.search(
        r'<input[^>]*type="month"[^>]*name="period"[^>]*>|<input[^>]*name="period"[^>]*type="month"[^>]*>',
        html,
    )
    assert tag, "no month picker"
    value = re.search(r'value="([^"]*)"', tag.group(0))
    return value.group(1) if value else None


@pytest.mark.parametrize("name, persona", PAGES)
def test_the_picker_shows_the_month_shown(client, world, settings, name, persona):
    settings.GUATU_TODAY = date(2022, 4, 24)
    make_assessment_office(world)
    client.force_login(world.personas[persona])
    response = client.get(reverse(name))
    assert response.status_code == 200
    shown = response.context["period"]
    assert isinstance(shown, Period)
    assert picker_value(response.content.decode()) == str(shown)
    chosen = client.get(reverse(name), {"period": "2022-01"})
    assert picker_value(chosen.content.decode()) == "2022-01"
