"""Each county reads only its own reference data: the checklist, the peer counties' values and the ten headline
indicators of another county are never shown, never chosen as the default year or month, and never change the
county's own figures (benchmarks, the checklist's expected points)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from guatu.assessment.computed import checklist_points
from guatu.assessment.models import ChecklistRow, HeadlineIndicator, HeadlineValue, Indicator, PeerValue
from guatu.assessment.queries import benchmarks, checklist, headline_panel
from guatu.lib.periods import Period
from guatu.testing import make_other_county

pytestmark = pytest.mark.django_db

APPROVED = {"status": "approved"}


@pytest.fixture
def two_counties(world):
    """冷水江市 (the world) and 新化县, each with its checklist, peers and headlines for one indicator both use;
    新化县's run a year later too, so a default taken from every county would land on its year."""
    other = make_other_county()
    gdp = Indicator.objects.create(code="gdp_pc", name="人均GDP", category="per_capita", measure="元")
    ChecklistRow.objects.create(
        **APPROVED,
        jurisdiction=world.city,
        year=2022,
        indicator=gdp,
        prefecture_weight=4,
        target=70000,
        expected_points=3,
        lead_unit=world.drc,
        gap_analysis="冷水江的差距",
    )
    for year in (2022, 2023):
        ChecklistRow.objects.create(
            **APPROVED,
            jurisdiction=other.county,
            year=year,
            indicator=gdp,
            prefecture_weight=9,
            target=45000,
            expected_points=1,
            lead_unit=other.town,
            gap_analysis="新化的差距",
        )
    for peer, mine, value in (("冷水江市", True, 68000), ("娄星区", False, 72000)):
        PeerValue.objects.create(
            **APPROVED, jurisdiction=world.city, indicator=gdp, year=2022, month=3, peer=peer, is_self=mine,
            value=value,
        )
    for year, month in ((2022, 3), (2023, 6)):
        for peer, mine, value in (("新化县", True, 40000), ("隆回县", False, 99000), ("邵东市", False, 98000)):
            PeerValue.objects.create(
                **APPROVED, jurisdiction=other.county, indicator=gdp, year=year, month=month, peer=peer,
                is_self=mine, value=value,
            )
    mine = HeadlineIndicator.objects.create(
        **APPROVED, jurisdiction=world.city, year=2022, position=1, name="冷水江生产总值", measure="%", target=7
    )
    HeadlineValue.objects.create(**APPROVED, indicator=mine, quarter=1, actual=Decimal("7.8"))
    for year, quarter in ((2022, 1), (2023, 2)):
        theirs = HeadlineIndicator.objects.create(
            **APPROVED, jurisdiction=other.county, year=year, position=1, name=f"新化生产总值{year}", measure="%",
            target=9,
        )
        HeadlineValue.objects.create(**APPROVED, indicator=theirs, quarter=quarter, actual=Decimal("5.5"))
    return other


def _page(client, name, **params) -> str:
    response = client.get(reverse(f"assessment:{name}"), params)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("persona", ["leader_user", "viewer", "reporter", "reviewer", "city_admin"])
def test_a_reader_sees_only_their_countys_checklist_peers_and_headlines(client, world, two_counties, persona):
    client.force_login(getattr(world, persona))
    page = _page(client, "checklist")
    assert "冷水江的差距" in page and "新化的差距" not in page
    assert "2 / 2" in page  # second of the two counties this county compares itself with
    assert "新化的差距" not in _page(client, "checklist", year="2023")
    page = _page(client, "benchmarks")
    assert "娄星区" in page and "隆回县" not in page and "邵东市" not in page
    assert "隆回县" not in _page(client, "benchmarks", period="2023-06")
    page = _page(client, "headline")
    assert "冷水江生产总值" in page and "新化生产总值" not in page
    assert "新化生产总值" not in _page(client, "headline", year="2023", quarter="2")


def test_the_other_countys_reader_sees_only_theirs_and_its_own_latest_year(client, world, two_counties):
    client.force_login(two_counties.admin)
    response = client.get(reverse("assessment:checklist"))
    page = response.content.decode()
    assert response.context["year"] == 2023 and "新化的差距" in page and "冷水江的差距" not in page
    assert "冷水江的差距" not in _page(client, "checklist", year="2022")
    page = _page(client, "benchmarks")
    assert "隆回县" in page and "娄星区" not in page
    assert "娄星区" not in _page(client, "benchmarks", period="2022-03")
    response = client.get(reverse("assessment:headline"))
    assert (response.context["year"], response.context["quarter"]) == (2023, 2)
    assert "新化生产总值2023" in response.content.decode()
    assert "冷水江生产总值" not in _page(client, "headline", year="2022", quarter="1")


def test_the_default_year_and_month_are_the_readers_countys_latest(client, world, two_counties):
    client.force_login(world.leader_user)
    assert client.get(reverse("assessment:checklist")).context["year"] == 2022
    assert client.get(reverse("assessment:benchmarks")).context["period"] == Period(2022, 3)
    response = client.get(reverse("assessment:headline"))
    assert (response.context["year"], response.context["quarter"]) == (2022, 1)


def test_a_countys_figures_do_not_move_with_another_countys_rows(world, two_counties):
    other = two_counties
    (mine,) = benchmarks(world.city, Period(2022, 3))
    # 68000 against 娄星区's 72000 only: second of two, 4000 behind, the target is this county's 70000
    assert (mine.counties, mine.rank, mine.target, mine.peer_average, mine.to_next_rank) == (
        2,
        2,
        70000,
        Decimal("72000"),
        4000,
    )
    (theirs,) = benchmarks(other.county, Period(2022, 3))
    assert (theirs.counties, theirs.rank, theirs.target) == (3, 3, 45000)
    assert [r.gap_analysis for r in checklist(world.city, 2022)] == ["冷水江的差距"]
    assert [i.name for i, _v in headline_panel(world.city, 2022, 1)] == ["冷水江生产总值"]
    assert [i.name for i, _v in headline_panel(other.county, 2022, 1)] == ["新化生产总值2022"]


def test_the_checklist_points_of_a_unit_count_only_its_countys_rows(world, two_counties):
    other = two_counties
    before = checklist_points(world.drc, Period(2022, 3))
    assert before == Decimal("75.00")  # 3 of 4
    # a row of 新化县's checklist naming a unit of 冷水江市 (entered there by mistake) is 新化县's, not ours
    ChecklistRow.objects.create(
        **APPROVED,
        jurisdiction=other.county,
        year=2022,
        indicator=Indicator.objects.create(code="tax", name="税收", category="business"),
        prefecture_weight=6,
        expected_points=0,
        lead_unit=world.drc,
    )
    assert checklist_points(world.drc, Period(2022, 3)) == before


def test_no_unit_no_reference_data(client, world, two_counties):
    from guatu.testing import make_user

    client.force_login(make_user("root", None, "viewer", is_superuser=True, is_staff=True))
    page = _page(client, "checklist", year="2022")
    assert "冷水江的差距" not in page and "新化的差距" not in page
    assert "娄星区" not in _page(client, "benchmarks", period="2022-03")
    assert "生产总值" not in _page(client, "headline", year="2022", quarter="1")
