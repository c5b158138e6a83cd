"""Writes to the org tree: paths rewritten on a move, aliases unique in a jurisdiction, closing, leaders,
each audited with before and after; a city administrator acts only within their own jurisdiction."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from guatu.audit.models import AuditEvent
from guatu.orgs.models import Leader, OrgUnit, OrgUnitKind
from guatu.orgs.services import (
    find_unit_by_name,
    leader_end,
    leader_update,
    orgunit_close,
    orgunit_create,
    orgunit_move,
    orgunit_reopen,
    orgunit_update,
)
from guatu.testing import make_other_county, make_unit

pytestmark = pytest.mark.django_db


def test_moving_a_unit_rewrites_the_paths_of_its_whole_subtree_and_is_audited(world):
    w = world
    office = make_unit("禾青镇项目办", OrgUnitKind.DEPARTMENT, w.town_a)
    team = make_unit("禾青镇项目办一组", OrgUnitKind.DEPARTMENT, office)
    outside = make_unit("渣渡镇某单位", OrgUnitKind.DEPARTMENT, w.town_b)

    moved = orgunit_move(unit=office, parent=w.town_b, expected_version=office.version, by=w.city_admin)

    office.refresh_from_db()
    team.refresh_from_db()
    outside.refresh_from_db()
    assert office.path == f"{w.town_b.path}{office.pk}/"
    assert team.path == f"{w.town_b.path}{office.pk}/{team.pk}/"
    assert outside.path == f"{w.town_b.path}{outside.pk}/"
    assert (office.parent, moved.version) == (w.town_b, 2)
    assert set(OrgUnit.objects.subtree(w.town_b)) == {w.town_b, office, team, outside}
    assert not OrgUnit.objects.subtree(w.town_a).filter(pk__in=[office.pk, team.pk]).exists()
    event = AuditEvent.objects.get(action="orgunit.move", object_id=office.pk)
    assert (event.before, event.after, event.actor) == ({"parent": w.town_a.pk}, {"parent": w.town_b.pk}, w.city_admin)


def test_a_unit_cannot_move_under_itself_or_out_of_its_jurisdiction(world):
    w = world
    office = make_unit("禾青镇项目办", OrgUnitKind.DEPARTMENT, w.town_a)
    team = make_unit("一组", OrgUnitKind.DEPARTMENT, office)
    for parent in (office, team):
        with pytest.raises(ValidationError, match="自身或其下级单位"):
            orgunit_move(unit=office, parent=parent, expected_version=office.version, by=w.city_admin)
    other = make_other_county()
    with pytest.raises(PermissionDenied):
        orgunit_move(unit=office, parent=other.town, expected_version=office.version, by=w.city_admin)
    # A superuser of the whole tree may act anywhere, but a unit still moves only within its jurisdiction.
    from guatu.testing import make_user

    root = make_user("root", None, "city_admin", is_superuser=True)
    with pytest.raises(ValidationError, match="本辖区"):
        orgunit_move(unit=office, parent=other.town, expected_version=office.version, by=root)
    office.refresh_from_db()
    assert office.parent == w.town_a and not AuditEvent.objects.filter(action="orgunit.move").exists()


def test_a_stale_or_missing_version_is_refused(world):
    w = world
    for version in (None, w.town_a.version + 1):
        with pytest.raises(ValidationError) as caught:
            orgunit_update(unit=w.town_a, expected_version=version, name="禾青镇新名", by=w.city_admin)
        assert "version" in caught.value.message_dict
    w.town_a.refresh_from_db()
    assert w.town_a.name == "禾青镇"


def test_aliases_are_unique_within_the_jurisdiction_naming_the_unit_that_has_them(world):
    w = world
    with pytest.raises(ValidationError) as caught:
        orgunit_update(
            unit=w.town_a,
            expected_version=w.town_a.version,
            name="禾青镇",
            aliases=["禾青", "市发改局"],
            by=w.city_admin,
        )
    assert caught.value.message_dict["aliases"] == ["“市发改局”在本辖区内已是 冷水江市发展和改革局 的名称。"]
    with pytest.raises(ValidationError, match="冷水江市住房和城乡建设局"):
        orgunit_create(name="新单位", kind=OrgUnitKind.DEPARTMENT, parent=w.city, aliases="住建,市住建局", by=w.city_admin)
    # Another county may use the same short names: imports resolve names within a jurisdiction.
    other = make_other_county()
    unit = orgunit_create(
        name="新化县发展和改革局", kind=OrgUnitKind.DEPARTMENT, parent=other.county, short_name="市发改局", by=other.admin
    )
    assert find_unit_by_name("市发改局", within=other.county) == unit
    assert find_unit_by_name("市发改局", within=w.city) == w.drc


def test_renaming_keeps_what_changed_in_the_audit_and_the_alias_resolves(world):
    w = world
    unit = orgunit_update(
        unit=w.town_a,
        expected_version=w.town_a.version,
        name="禾青镇",
        short_name="禾青",
        aliases="禾青镇人民政府，禾青镇政府",
        division_code="431381101",
        sort_order=3,
        by=w.city_admin,
    )
    assert (unit.version, unit.aliases) == (2, ["禾青镇人民政府", "禾青镇政府"])
    event = AuditEvent.objects.get(action="orgunit.update")
    assert event.before == {"short_name": "", "aliases": [], "division_code": "", "sort_order": 0}
    assert event.after["aliases"] == ["禾青镇人民政府", "禾青镇政府"]
    assert find_unit_by_name("禾青镇政府", within=w.city) == w.town_a


def test_a_city_administrator_does_not_add_counties_or_act_for_another_county(world):
    w = world
    with pytest.raises(ValidationError) as caught:
        orgunit_create(name="某县", kind=OrgUnitKind.COUNTY, parent=w.city, by=w.city_admin)
    assert "kind" in caught.value.message_dict
    other = make_other_county()
    with pytest.raises(PermissionDenied):
        orgunit_create(name="新镇", kind=OrgUnitKind.TOWNSHIP, parent=other.county, by=w.city_admin)
    with pytest.raises(PermissionDenied):
        orgunit_create(name="新镇", kind=OrgUnitKind.TOWNSHIP, parent=w.city, by=w.reviewer)


def test_closing_a_unit_is_refused_while_people_work_there_then_audited_and_reversible(world):
    w = world
    with pytest.raises(ValidationError, match="1 个启用的用户"):
        orgunit_close(unit=w.town_b, expected_version=w.town_b.version, by=w.city_admin)
    w.outsider.is_active = False
    w.outsider.save(update_fields=["is_active"])
    unit = orgunit_close(unit=w.town_b, expected_version=w.town_b.version, reason="乡镇合并", by=w.city_admin)
    assert unit.is_closed and w.project_b in type(w.project_b).objects.filter(location_unit=unit)
    assert unit not in OrgUnit.objects.open() and unit in OrgUnit.objects.all()
    event = AuditEvent.objects.get(action="orgunit.close")
    assert event.reason == "乡镇合并" and event.before == {"closed_at": None} and event.after["closed_at"]
    with pytest.raises(ValidationError, match="已撤销"):
        orgunit_create(name="新单位", kind=OrgUnitKind.DEPARTMENT, parent=unit, by=w.city_admin)
    orgunit_reopen(unit=unit, expected_version=unit.version, by=w.city_admin)
    unit.refresh_from_db()
    assert not unit.is_closed and AuditEvent.objects.filter(action="orgunit.reopen").count() == 1


def test_leaders_are_changed_and_their_posts_ended_with_version_and_audit(world):
    w = world
    leader = leader_update(
        leader=w.leader,
        expected_version=w.leader.version,
        name="李建国",
        post="市委副书记",
        org_unit=w.city,
        is_principal=True,
        sort_order=1,
        by=w.city_admin,
    )
    event = AuditEvent.objects.get(action="leader.update")
    assert event.before == {"post": "副市长", "is_principal": False, "sort_order": 0}
    with pytest.raises(ValidationError):
        leader_end(leader=leader, expected_version=1, by=w.city_admin)
    leader_end(leader=leader, expected_version=leader.version, by=w.city_admin)
    assert leader not in Leader.objects.active()
    assert AuditEvent.objects.get(action="leader.end").after == {"is_active": False}
    other = make_other_county()
    with pytest.raises(PermissionDenied):
        leader_end(leader=other.leader, expected_version=other.leader.version, by=w.city_admin)
