"""The filter bars' pickers (guatu.web.lookups): what they offer, how a name typed without picking is read,
and that they never offer or accept what the reader may not see."""

from __future__ import annotations

import re

import pytest
from django import forms
from django.urls import reverse

from guatu.projects.models import IndustryChain
from guatu.testing import make_project, make_unit
from guatu.web.lookups import LIMIT, resolve

pytestmark = pytest.mark.django_db


def _options(client, user, kind, **params) -> list[tuple[int, str]]:
    client.force_login(user)
    response = client.get(reverse("lookup", args=[kind]), params)
    assert response.status_code == 200
    return [
        (int(pk), label)
        for pk, label in re.findall(r'data-value="(\d+)" data-label="([^"]*)"', response.content.decode())
    ]


def test_units_are_those_the_reader_sees(client, world):
    w = world
    assert {pk for pk, _ in _options(client, w.reporter, "units")} == {w.town_a.pk}
    # the library's filters also offer the department leading one of the reporter's projects
    assert {pk for pk, _ in _options(client, w.reporter, "library-units")} == {w.town_a.pk, w.dept.pk}
    county = {pk for pk, _ in _options(client, w.reviewer, "units")}
    assert {w.city.pk, w.town_a.pk, w.town_b.pk, w.dept.pk, w.drc.pk} <= county


def test_typed_text_narrows_by_name_and_short_name(client, world):
    w = world
    assert _options(client, w.reviewer, "units", q="渣渡") == [(w.town_b.pk, "渣渡镇")]
    assert _options(client, w.reviewer, "units", q="住建") == [
        (w.dept.pk, "市住建局")
    ]  # the short name shown
    assert _options(client, w.reviewer, "units", q="住房和城乡") == [(w.dept.pk, "市住建局")]  # the full name
    body = client.get(reverse("lookup", args=["units"]), {"q": "火星"}).content.decode()
    assert "没有与“火星”相符的选项" in body and 'data-value="' not in body


def test_at_most_twenty_options_and_a_note_to_type_more(client, world):
    w = world
    for n in range(LIMIT + 3):
        make_unit(f"测试局{n:02d}", "department", w.city)
    assert len(_options(client, w.reviewer, "units", q="测试局")) == LIMIT
    assert "请多输入几个字" in client.get(reverse("lookup", args=["units"]), {"q": "测试局"}).content.decode()
    assert len(_options(client, w.reviewer, "units", q="测试局2")) == 3  # 20, 21, 22


def test_options_are_named_after_their_listbox(client, world):
    client.force_login(world.reviewer)
    url = reverse("lookup", args=["units"])
    body = client.get(url, {"q": "渣渡", "list": "id_location_options"}).content.decode()
    assert f'id="id_location_options-{world.town_b.pk}"' in body and 'role="option"' in body
    body = client.get(url, {"q": "渣渡", "list": '"><script>'}).content.decode()
    assert f'id="lookup-{world.town_b.pk}"' in body and "<script>" not in body


def test_leaders_and_chains_are_those_of_the_readers_projects(client, world):
    w = world
    chain = IndustryChain.objects.create(name="锑产业链", jurisdiction=w.city)
    make_project(location=w.town_b, chain=chain, leader=w.other_leader)
    assert {pk for pk, _ in _options(client, w.reporter, "leaders")} == {w.leader.pk}
    assert _options(client, w.reporter, "chains") == []
    assert {pk for pk, _ in _options(client, w.reviewer, "leaders")} == {w.leader.pk, w.other_leader.pk}
    assert _options(client, w.reviewer, "chains") == [(chain.pk, "锑产业链")]


def test_an_unknown_kind_is_not_found(client, world):
    client.force_login(world.reviewer)
    assert client.get(reverse("lookup", args=["users"])).status_code == 404


# --- reading what the form sent ------------------------------------------------------------------------------


def test_an_id_alone_is_fetched_through_the_gateway(world):
    w = world
    assert resolve("units", w.reporter, str(w.town_a.pk), None) == w.town_a
    for pk in (w.town_b.pk, "abc", "-1", "99999999999999999999", "１"):
        with pytest.raises(forms.ValidationError, match="请从列表中选择单位"):
            resolve("units", w.reporter, str(pk), None)
    assert resolve("units", w.reporter, "", None) is None


def test_a_name_typed_without_picking_is_read_sensibly(world):
    w = world
    reviewer = w.reviewer
    assert resolve("units", reviewer, "", "渣渡镇") == w.town_b  # the whole name
    assert resolve("units", reviewer, "", "市发改局") == w.drc  # a short name
    assert resolve("units", reviewer, "", " 渣渡 ") == w.town_b  # the only one whose name holds it
    assert resolve("units", reviewer, "", "") is None  # the box cleared: no filter
    assert resolve("units", reviewer, str(w.town_a.pk), "") is None
    with pytest.raises(forms.ValidationError, match="没有可选的单位名为“火星”"):
        resolve("units", reviewer, "", "火星")
    with pytest.raises(
        forms.ValidationError, match="与“镇”相符的单位有多个（禾青镇（冷水江市）、渣渡镇（冷水江市）"
    ):
        resolve("units", reviewer, "", "镇")
    # the reporter may not pick township B, by id or by name
    with pytest.raises(forms.ValidationError, match="没有可选的单位名为“渣渡镇”"):
        resolve("units", w.reporter, "", "渣渡镇")


def test_a_name_that_is_not_the_picked_ones_wins(world):
    """The box was changed after a pick (without JavaScript the old id stays in the hidden input)."""
    w = world
    assert resolve("units", w.reviewer, str(w.town_a.pk), "禾青镇") == w.town_a
    assert resolve("units", w.reviewer, str(w.town_a.pk), "渣渡镇") == w.town_b


def test_the_box_names_the_picked_unit_and_keeps_its_id(client, world):
    w = world
    client.force_login(w.reviewer)
    body = client.get(reverse("projects:list"), {"location_name": "禾青"}).content.decode()
    assert re.search(
        r'<input type="text" name="location_name" value="禾青镇" role="combobox"[^>]* id="id_location"', body
    )
    assert f'<input type="hidden" name="location" id="id_location_value" value="{w.town_a.pk}">' in body
    assert w.project_a.name in body and w.project_b.name not in body
    # a link from another page names the unit by id: the box says its name
    body = client.get(reverse("projects:list"), {"location": w.town_b.pk}).content.decode()
    assert 'name="location_name" value="渣渡镇"' in body and w.project_a.name not in body


def test_a_name_matching_nothing_is_said_beside_the_filters_and_ignored(client, world):
    w = world
    client.force_login(w.reporter)
    response = client.get(reverse("projects:list"), {"location_name": "渣渡镇"})
    assert "没有可选的单位名为“渣渡镇”" in response.content.decode()
    assert [row.pk for row in response.context["rows"]] == [w.project_a.pk]  # never widened, never narrowed


def test_pickers_work_on_every_filter_bar(client, world):
    w = world
    client.force_login(w.reviewer)
    pages = [
        (reverse("lights:board"), "unit"),
        (reverse("dispatch:problem_list"), "unit"),
        (reverse("reports:review_queue"), "unit"),
        (reverse("investment:summary"), "unit"),
    ]
    for url, name in pages:
        body = client.get(url, {f"{name}_name": "渣渡"}).content.decode()
        assert f'name="{name}_name" value="渣渡镇"' in body, url
        assert f'id="id_{name}_value" value="{w.town_b.pk}"' in body, url
        assert 'role="combobox"' in body and f'hx-get="{reverse("lookup", args=["units"])}"' in body, url


def test_control_characters_in_what_was_typed_are_left_out(client, world):
    """A NUL byte in a typed name was a 500 on PostgreSQL (found by the form fuzzer): no name holds one."""
    w = world
    assert _options(client, w.reviewer, "units", q="渣\x00渡\x07") == [(w.town_b.pk, "渣渡镇")]
    client.force_login(w.reviewer)
    response = client.get(reverse("reports:review_queue_export"), {"unit_name": "\x00"})
    assert response.status_code in (200, 400)
