from decimal import Decimal

import pytest

from guatu.assessment.computed import checklist_points
from guatu.assessment.models import ChecklistRow, HeadlineIndicator, HeadlineValue, Indicator, PeerValue
from guatu.assessment.queries import benchmarks, headline_panel, score_card
from guatu.assessment.services import snapshot_compute
from guatu.assessment.tests.test_services import Q1, full_inputs, office  # noqa: F401 - fixture
from guatu.lib.periods import Period

pytestmark = pytest.mark.django_db


def test_benchmark_against_peers(world):
    gdp = Indicator.objects.create(code="gdp_pc", name="人均GDP", category="per_capita", measure="元")
    pm = Indicator.objects.create(code="pm25", name="PM2.5", category="environment", direction="lower")
    ChecklistRow.objects.create(status="approved", jurisdiction=world.city,
        year=2022, indicator=gdp, prefecture_weight=5, target=70000, lead_unit=world.drc
    )
    for peer, g, p, me in (
        ("冷水江市", 68000, 38, True),
        ("娄星区", 72000, 36, False),
        ("涟源市", 50000, 40, False),
        ("双峰县", 52000, 34, False),
        ("新化县", 40000, 39, False),
    ):
        PeerValue.objects.create(status="approved", jurisdiction=world.city, indicator=gdp, year=2022, month=3, peer=peer, is_self=me, value=g)
        PeerValue.objects.create(status="approved", jurisdiction=world.city, indicator=pm, year=2022, month=3, peer=peer, is_self=me, value=p)
    rows = {b.indicator.code: b for b in benchmarks(world.city, Period(2022, 3))}
    g = rows["gdp_pc"]
    # Peers' average (72000 + 50000 + 52000 + 40000) / 4 = 53500; second of five; 4000 behind 娄星区.
    assert (g.value, g.target, g.peer_average, g.best_peer, g.rank) == (
        68000,
        70000,
        Decimal("53500"),
        "娄星区",
        2,
    )
    assert (g.strength, g.to_next_rank, g.next_peer, g.kind) == (True, 4000, "娄星区", "lengthen")
    p = rows["pm25"]
    # Lower is better: 34, 36 better than 38 → third; average (36 + 40 + 34 + 39) / 4 = 37.25 → a weakness.
    assert (p.rank, p.strength, p.best_peer, p.to_next_rank, p.kind) == (3, False, "双峰县", 2, "fix")


def test_headline_panel_met_or_not(world):
    ind = HeadlineIndicator.objects.create(status="approved", jurisdiction=world.city,
        year=2022, position=1, name="GDP增速", measure="%", target=Decimal("7.5")
    )
    other = HeadlineIndicator.objects.create(status="approved", jurisdiction=world.city,
        year=2022, position=2, name="固定资产投资增速", measure="%", target=10
    )
    HeadlineValue.objects.create(status="approved", indicator=ind, quarter=1, actual=Decimal("7.8"), peer_rank=2)
    panel = headline_panel(world.city, 2022, 1)
    assert [(i.name, v.met if v else None) for i, v in panel] == [
        ("GDP增速", True),
        ("固定资产投资增速", None),
    ]
    assert other.values.count() == 0


def test_checklist_feeds_the_lead_units_score(world):
    ind = Indicator.objects.create(code="x", name="x", category="business")
    ind2 = Indicator.objects.create(code="y", name="y", category="business")
    ChecklistRow.objects.create(status="approved", jurisdiction=world.city,
        year=2022, indicator=ind, prefecture_weight=4, expected_points=3, lead_unit=world.drc
    )
    ChecklistRow.objects.create(status="approved", jurisdiction=world.city,
        year=2022, indicator=ind2, prefecture_weight=6, expected_points=6, lead_unit=world.drc
    )
    assert checklist_points(world.drc, Period(2022, 3)) == Decimal("90.00")  # 9 of 10
    assert checklist_points(world.dept, Period(2022, 3)) is None


def test_score_card_orders_losses_and_gives_the_what_if(world, office):  # noqa: F811
    full_inputs(world)
    snap = snapshot_compute(scheme=office, period=Q1, by=world.reviewer)
    card = score_card(snap, "渣渡镇")
    assert (card.rank, card.group_size, card.total, card.next_place_unit) == (2, 2, "44.00", "禾青镇")
    assert [i["code"] for i in card.indicators][0] == "invest"  # loses all 40 points there
    assert card.indicators[0]["gain_per_unit"] == Decimal("1.60")  # 40/25 per point of completion rate
    assert score_card(snap, "无此镇") is None
