"""The gateway's rules, one persona at a time (see the module docstring of guatu.access.gateway)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from guatu.access import gateway
from guatu.accounts.models import Role
from guatu.orgs.models import OrgUnitKind
from guatu.reports.models import ReportStatus
from guatu.testing import make_project, make_report, make_unit, make_user

pytestmark = pytest.mark.django_db


def _names(qs):
    return set(qs.values_list("name", flat=True))


def test_city_wide_roles_see_the_whole_jurisdiction(world):
    w = world
    everything = {w.project_a.name, w.project_b.name}
    assert _names(gateway.visible_projects(w.city_admin)) == everything
    # The reviewer sits in a department, but reviews for the whole county.
    assert _names(gateway.visible_projects(w.reviewer)) == everything


def test_reporter_sees_projects_located_in_or_led_by_their_unit(world):
    w = world
    assert _names(gateway.visible_projects(w.reporter)) == {w.project_a.name}  # located in township A
    assert _names(gateway.visible_projects(w.dept_reporter)) == {w.project_a.name}  # led by the department
    assert _names(gateway.visible_projects(w.outsider)) == {w.project_b.name}


def test_leader_sees_the_projects_they_are_responsible_for(world):
    w = world
    assert _names(gateway.visible_projects(w.leader_user)) == {w.project_a.name}
    w.leader_user.leader = None
    w.leader_user.save()
    assert not gateway.visible_projects(w.leader_user).exists()


def test_anonymous_inactive_and_unplaced_users_see_nothing(world):
    w = world
    assert not gateway.visible_projects(AnonymousUser()).exists()
    w.reporter.is_active = False
    assert not gateway.visible_projects(w.reporter).exists()
    loose = make_user("loose", None, Role.REVIEWER)
    assert not gateway.visible_projects(loose).exists()
    assert not gateway.visible_units(loose).exists()


def test_another_county_is_invisible_even_to_its_neighbours_reviewer(world):
    w = world
    other_county = make_unit("涟源市", OrgUnitKind.COUNTY)
    other_town = make_unit("杨市镇", OrgUnitKind.TOWNSHIP, other_county)
    foreign = make_project(location=other_town, name="涟源项目")
    assert foreign not in gateway.visible_projects(w.reviewer)
    with pytest.raises(Http404):
        gateway.get_visible_project(w.reviewer, foreign.pk)
    assert other_town not in gateway.visible_units(w.reviewer)


def test_province_reviewer_sees_all_counties_below():
    province = make_unit("湖南省", OrgUnitKind.PROVINCE)
    prefecture = make_unit("娄底市", OrgUnitKind.PREFECTURE, province)
    county = make_unit("冷水江市", OrgUnitKind.COUNTY, prefecture)
    town = make_unit("禾青镇", OrgUnitKind.TOWNSHIP, county)
    office = make_unit("湖南省发展和改革委员会", OrgUnitKind.DEPARTMENT, province)
    project = make_project(location=town)
    reviewer = make_user("hn", office, Role.REVIEWER)
    assert gateway.jurisdiction(office) == province
    assert gateway.jurisdiction(town) == county
    assert project in gateway.visible_projects(reviewer)


def test_get_visible_project_looks_the_same_for_missing_and_forbidden(world):
    w = world
    for pk in (w.project_b.pk, 999999, "abc"):
        with pytest.raises(Http404):
            gateway.get_visible_project(w.reporter, pk)
    assert gateway.get_visible_project(w.reporter, w.project_a.pk) == w.project_a


def test_reports_follow_their_projects(world):
    w = world
    mine = make_report(w.project_a, "2022-01", "10", reporter=w.reporter, status=ReportStatus.DRAFT)
    theirs = make_report(w.project_b, "2022-01", "10", reporter=w.outsider, status=ReportStatus.DRAFT)
    assert set(gateway.visible_reports(w.reporter)) == {mine}
    with pytest.raises(Http404):
        gateway.get_visible_report(w.reporter, theirs.pk)
    assert set(gateway.visible_reports(w.reviewer)) == {mine, theirs}


def test_who_fills_in_and_who_reviews(world):
    w = world
    assert gateway.can_fill_reports(w.reporter, w.project_a)
    assert gateway.can_fill_reports(w.dept_reporter, w.project_a)
    assert not gateway.can_fill_reports(w.outsider, w.project_a)
    assert not gateway.can_fill_reports(w.viewer, w.project_a)  # sees it, may not write
    assert not gateway.can_fill_reports(w.reviewer, w.project_a)
    assert gateway.can_review(w.reviewer, w.project_a)
    assert gateway.can_review(w.city_admin, w.project_b)
    for user in (w.reporter, w.viewer, w.leader_user, w.outsider):
        assert not gateway.can_review(user, w.project_a)


def test_units_offered_follow_the_scope(world):
    w = world
    assert set(gateway.visible_units(w.reporter)) == {w.town_a}
    assert w.town_b in gateway.visible_units(w.reviewer)
    assert gateway.default_unit(w.reviewer) == w.city
    assert gateway.default_unit(w.reporter) == w.town_a
    assert gateway.default_unit(w.leader_user) == w.city


def test_gateway_queries_do_not_grow_with_projects(world, django_assert_max_num_queries):
    w = world
    for _ in range(20):
        make_project(location=w.town_a)
    with django_assert_max_num_queries(2):
        list(gateway.visible_projects(w.reviewer))


def test_the_projects_of_a_unit_are_the_visible_ones_within_it_for_every_persona(world):
    """visible_projects_in leaves out the scope's filter where the unit's implies it: the same projects."""
    w = world
    other = make_unit("新化县", OrgUnitKind.COUNTY)
    make_project(location=make_unit("琅塘镇", OrgUnitKind.TOWNSHIP, other))
    make_project(location=w.town_b, lead=w.dept)
    for user in (w.city_admin, w.reviewer, w.reporter, w.dept_reporter, w.leader_user, w.viewer, w.outsider):
        for unit in gateway.visible_units(user):
            expected = set(gateway.visible_projects(user).in_unit(unit).values_list("pk", flat=True))
            assert set(gateway.visible_projects_in(user, unit).values_list("pk", flat=True)) == expected, (user, unit)
