"""The org tree pages: a city administrator works in their own jurisdiction; other roles are refused (403),
another county's units and leaders are not found (404), anonymous users are sent to log in."""

import pytest
from django.urls import reverse

from guatu.audit.models import AuditEvent
from guatu.orgs.models import Leader, OrgUnit, OrgUnitKind
from guatu.testing import make_other_county, make_unit

pytestmark = pytest.mark.django_db


def html(response) -> str:
    return response.content.decode()


def test_the_tree_shows_the_jurisdiction_to_its_administrator_in_chinese(client, world):
    other = make_other_county()
    client.force_login(world.city_admin)
    response = client.get(reverse("orgs:tree"))
    assert response.status_code == 200
    page = html(response)
    for name in ("冷水江市", "禾青镇", "市发改局", "李建国", "乡镇", "组织机构"):
        assert name in page
    assert other.town.name not in page and other.leader.name not in page
    assert 'id="nav-orgs"' in page and 'id="nav-users"' in page


@pytest.mark.parametrize("persona", ["reviewer", "reporter", "dept_reporter", "leader", "viewer"])
def test_other_roles_are_refused_and_see_no_menu_item(client, world, persona):
    user = world.personas[persona]
    client.force_login(user)
    for url in (
        reverse("orgs:tree"),
        reverse("orgs:unit_new"),
        reverse("orgs:unit", args=[world.town_a.pk]),
        reverse("orgs:leader", args=[world.leader.pk]),
    ):
        assert client.get(url).status_code == 403, url
    response = client.post(reverse("orgs:unit_close", args=[world.town_a.pk]), {"version": 1})
    assert response.status_code == 403
    home = html(client.get(reverse("investment:summary")))
    assert 'id="nav-orgs"' not in home and 'id="nav-password"' in home


def test_anonymous_is_sent_to_log_in(client, world):
    for url in (reverse("orgs:tree"), reverse("orgs:unit", args=[world.town_a.pk]), reverse("orgs:leader_new")):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login")), url


def test_another_countys_unit_and_leader_are_not_found(client, world):
    other = make_other_county()
    client.force_login(world.city_admin)
    assert client.get(reverse("orgs:unit", args=[other.town.pk])).status_code == 404
    assert client.get(reverse("orgs:leader", args=[other.leader.pk])).status_code == 404
    response = client.post(reverse("orgs:unit_move", args=[other.town.pk]), {"parent": world.town_a.pk, "version": 1})
    assert response.status_code == 404
    assert client.post(reverse("orgs:leader_end", args=[other.leader.pk]), {"version": 1}).status_code == 404
    # Nor can a unit of this county be moved under theirs: their unit is not in the list to pick from.
    response = client.post(reverse("orgs:unit_move", args=[world.town_a.pk]), {"parent": other.town.pk, "version": 1})
    assert response.status_code == 400
    world.town_a.refresh_from_db()
    assert world.town_a.parent == world.city


def test_adding_a_unit_then_its_page_shows_the_history_in_chinese(client, world):
    client.force_login(world.city_admin)
    response = client.post(
        reverse("orgs:unit_new"),
        {
            "name": "冷水江市铎山镇",
            "short_name": "铎山镇",
            "aliases": "铎山\n铎山镇人民政府",
            "kind": OrgUnitKind.TOWNSHIP,
            "division_code": "431381104",
            "parent": world.city.pk,
            "sort_order": "5",
        },
    )
    unit = OrgUnit.objects.get(name="冷水江市铎山镇")
    assert response.status_code == 302 and response["Location"] == reverse("orgs:unit", args=[unit.pk])
    assert unit.parent == world.city and unit.aliases == ["铎山", "铎山镇人民政府"]
    page = html(client.get(reverse("orgs:unit", args=[unit.pk])))
    assert "单位已创建" in page or "新增单位" in page
    assert "上级单位" in page and "冷水江市" in page and "乡镇" in page
    assert "parent" not in page.split('id="unit-history"')[1] and "township" not in page.split('id="unit-history"')[1]


def test_an_alias_of_another_unit_is_refused_with_the_input_kept(client, world):
    client.force_login(world.city_admin)
    response = client.post(
        reverse("orgs:unit", args=[world.town_a.pk]),
        {"name": "禾青镇", "aliases": "禾青\n市住建局", "kind": OrgUnitKind.TOWNSHIP, "sort_order": "0", "version": "1"},
    )
    assert response.status_code == 400
    page = html(response)
    assert "冷水江市住房和城乡建设局" in page and "禾青\n市住建局" in page
    world.town_a.refresh_from_db()
    assert world.town_a.aliases == [] and not AuditEvent.objects.filter(action="orgunit.update").exists()


@pytest.mark.parametrize("version", ["", "7"])
def test_a_stale_or_missing_version_is_refused_with_a_message(client, world, version):
    client.force_login(world.city_admin)
    data = {"name": "禾青镇新名", "kind": OrgUnitKind.TOWNSHIP, "sort_order": "0"}
    if version:
        data["version"] = version
    response = client.post(reverse("orgs:unit", args=[world.town_a.pk]), data)
    assert response.status_code == 400
    assert "重新" in html(response) and "禾青镇新名" in html(response)
    world.town_a.refresh_from_db()
    assert world.town_a.name == "禾青镇"


def test_moving_and_closing_through_the_pages(client, world):
    office = make_unit("禾青镇项目办", OrgUnitKind.DEPARTMENT, world.town_a)
    client.force_login(world.city_admin)
    response = client.post(reverse("orgs:unit_move", args=[office.pk]), {"parent": world.town_b.pk, "version": 1})
    assert response.status_code == 302
    office.refresh_from_db()
    assert office.path == f"{world.town_b.path}{office.pk}/"
    response = client.post(reverse("orgs:unit_move", args=[world.town_a.pk]), {"parent": world.town_a.pk, "version": 1})
    assert response.status_code == 400
    response = client.post(reverse("orgs:unit_close", args=[office.pk]), {"version": office.version, "reason": "撤并"})
    assert response.status_code == 302
    office.refresh_from_db()
    assert office.is_closed
    # No longer offered as a parent for new units.
    page = html(client.get(reverse("orgs:unit_new")))
    assert "禾青镇项目办（" not in page and "禾青镇（" in page
    response = client.post(reverse("orgs:unit_reopen", args=[office.pk]), {"version": office.version})
    office.refresh_from_db()
    assert response.status_code == 302 and not office.is_closed


def test_leaders_are_added_edited_and_their_post_ended(client, world):
    client.force_login(world.city_admin)
    response = client.post(
        reverse("orgs:leader_new"),
        {"name": "陈立", "post": "副市长", "org_unit": world.city.pk, "sort_order": "3"},
    )
    leader = Leader.objects.get(name="陈立")
    assert response.status_code == 302
    response = client.post(
        reverse("orgs:leader", args=[leader.pk]),
        {"name": "陈立", "post": "常务副市长", "org_unit": world.city.pk, "sort_order": "3", "version": "1"},
    )
    assert response.status_code == 302
    response = client.post(reverse("orgs:leader_end", args=[leader.pk]), {"version": "2"})
    leader.refresh_from_db()
    assert (leader.post, leader.is_active, leader.version) == ("常务副市长", False, 3)
    page = html(client.get(reverse("orgs:leader", args=[leader.pk])))
    assert "职务" in page and "常务副市长" in page


def test_the_tree_takes_the_same_queries_for_few_or_many_units(client, world, django_assert_max_num_queries):
    client.force_login(world.city_admin)
    client.get(reverse("orgs:tree"))
    with django_assert_max_num_queries(8) as few:
        client.get(reverse("orgs:tree"))
    for n in range(30):
        make_unit(f"单位{n}", OrgUnitKind.DEPARTMENT, world.city)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("orgs:tree"))
    assert "单位29" in html(response)
