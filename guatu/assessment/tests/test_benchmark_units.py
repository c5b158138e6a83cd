"""Unit against unit within the county: each unit against its group's average per indicator category, with
its strengths and weaknesses (锻长板、补弱项)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from guatu.accounts.models import Role
from guatu.assessment.queries import unit_benchmarks
from guatu.assessment.services import snapshot_compute, snapshot_publish
from guatu.assessment.tests.test_services import Q1, full_inputs
from guatu.orgs.models import OrgUnitKind
from guatu.testing import make_assessment_office, make_unit, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def office(world):
    return make_assessment_office(world)


@pytest.fixture
def other_county_reviewer(db):
    county = make_unit("新化县", OrgUnitKind.COUNTY, division_code="431322")
    return make_user("xinhua_reviewer", make_unit("新化县发展和改革局", OrgUnitKind.DEPARTMENT, county), Role.REVIEWER)


@pytest.fixture
def computed(world, office):
    full_inputs(world)
    return snapshot_compute(scheme=office, period=Q1, by=world.reviewer)


def test_each_unit_against_the_group_average_per_category_hand_computed(computed, django_assert_num_queries):
    # 禾青镇: tax 40/40 and invest 32/40 (economy), PM2.5 17.50/20 (environment)
    # 渣渡镇: tax 24/40 and invest 0/40 (economy), PM2.5 20/20 (environment)
    with django_assert_num_queries(1):
        rows = {r.unit: r for r in unit_benchmarks(computed)}
    a, b = rows["禾青镇"], rows["渣渡镇"]
    economy = {s.code: s for s in a.categories}["economy"]
    assert (economy.share, economy.average, economy.gap, economy.rank) == (
        Decimal("90.00"),
        Decimal("60.00"),
        Decimal("30.00"),
        1,
    )
    environment = {s.code: s for s in b.categories}["environment"]
    assert (environment.share, environment.average, environment.gap) == (
        Decimal("100.00"),
        Decimal("93.75"),
        Decimal("6.25"),
    )
    assert [c.code for c in a.categories] == ["economy", "environment"]  # furthest above first
    assert {c.name for c in a.categories} == {"经济发展", "环保类"}
    # Strengths: invest 80% against 40% (+40), tax 100% against 80% (+20); weakness: PM2.5 87.5 against 93.75.
    assert [(s.code, s.gap) for s in a.strengths] == [("invest", Decimal("40.00")), ("tax", Decimal("20.00"))]
    assert [(s.code, s.gap) for s in a.weaknesses] == [("pm25", Decimal("-6.25"))]
    assert [s.code for s in b.weaknesses] == ["invest", "tax"]
    assert unit_benchmarks(computed, {"渣渡镇"})[0].unit == "渣渡镇"


def test_the_query_count_does_not_grow_with_units(computed, django_assert_num_queries):
    computed.results["groups"][0]["units"] *= 20  # many more units
    with django_assert_num_queries(1):
        assert len(unit_benchmarks(computed)) == 40


def _page(office) -> str:
    return reverse("assessment:unit_benchmarks", args=[office.pk, "2022-03"])


def test_page_office_sees_all_a_township_itself_others_nothing(
    client, world, office, computed, other_county_reviewer
):
    w = world
    client.force_login(w.reporter)
    assert client.get(_page(office)).status_code == 404  # not yet published
    client.force_login(w.reviewer)
    response = client.get(_page(office))
    assert response.status_code == 200 and [r.unit for r in response.context["rows"]] == ["禾青镇", "渣渡镇"]
    snapshot_publish(snapshot=computed, by=w.reviewer)
    client.force_login(w.reporter)  # township A
    response = client.get(_page(office))
    assert [r.unit for r in response.context["rows"]] == ["禾青镇"]
    assert "锻长板" in response.content.decode() and "60" in response.content.decode()
    client.force_login(w.dept_reporter)  # not assessed in this township scheme
    assert client.get(_page(office)).status_code == 404
    client.force_login(other_county_reviewer)
    assert client.get(_page(office)).status_code == 404
    client.logout()
    assert client.get(_page(office)).status_code == 302


def test_reachable_from_the_benchmarking_page(client, world, office, computed):
    w = world
    snapshot_publish(snapshot=computed, by=w.reviewer)
    client.force_login(w.outsider)
    latest = reverse("assessment:unit_benchmarks_latest")
    assert latest in client.get(reverse("assessment:benchmarks")).content.decode()
    response = client.get(latest)
    assert response.status_code == 302 and response.url == _page(office)
    assert [r.unit for r in client.get(response.url).context["rows"]] == ["渣渡镇"]
