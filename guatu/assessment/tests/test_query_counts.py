"""Query counts pinned: scoring a scheme and showing a score card cost the same number of queries for a scheme
of two units and three entered indicators as for one of eight units and nine, appeals included.

Both schemes use the four indicators Guatu computes with a batch read (computed.FOR_UNITS) and the same
periods, so only the numbers of units, indicators, values and appeals differ between them."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from guatu import clock
from guatu.assessment.models import Indicator, IndicatorValue, ValueStatus
from guatu.assessment.queries import gather_inputs
from guatu.assessment.services import (
    appeal_answer,
    appeal_raise,
    scheme_save,
    snapshot_compute,
    snapshot_publish,
)
from guatu.lib.periods import Period
from guatu.orgs.models import OrgUnitKind
from guatu.testing import make_report, make_unit

pytestmark = pytest.mark.django_db
Q1 = Period(2022, 3)

COMPUTED = {  # code → computed key; each scored as a completion rate against 100
    "q_invest": "project_investment_rate",
    "q_reports": "reports_on_time",
    "q_problems": "problems_closed_on_time",
    "q_checklist": "checklist_points",
}
# Entered indicators, one of each method, the first weighted by quarter (January and March values).
ENTERED = [
    {"method": "completion_rate", "target": 100, "cap": 1.2, "process": {1: 0.4, 3: 0.6}},
    {"method": "efficacy"},
    {"method": "rank", "step": 1, "floor": 1},
    {"method": "threshold", "bands": [{"min": 90, "points": 5}, {"min": 50, "points": 2}, {"points": 0}]},
    {"method": "linear", "target": 80, "deduct": 0.5, "add": 0.2, "ceiling": 6},
    {"method": "efficacy", "worst": 0, "best": 200, "direction": "lower"},
    {"method": "completion_rate", "target": 60},
    {"method": "rank", "step": 0.5, "floor": 0, "direction": "lower"},
    {"method": "linear", "target": 50, "deduct": 1, "whole_steps": True},
]


def _scheme(w, code: str, units: list, entered: int):
    """A scheme over `units` (two groups when there are departments) with the four computed indicators and
    `entered` entered ones, every entered value approved."""
    indicators = []
    for ind_code, key in COMPUTED.items():
        Indicator.objects.get_or_create(
            code=ind_code,
            defaults={"name": ind_code, "category": "economy", "source": "computed", "computed_key": key},
        )
        indicators.append({"code": ind_code, "weight": 5, "method": "completion_rate", "target": 100})
    library = [
        Indicator.objects.create(
            code=f"{code}-{n}", name=f"指标{n}", category="economy", measure="万元", lead_unit=w.dept
        )
        for n in range(entered)
    ]
    for ind, spec in zip(library, ENTERED, strict=False):
        indicators.append({"code": ind.code, "weight": 5, **spec})
    townships = [u.name for u in units if u.kind == OrgUnitKind.TOWNSHIP]
    departments = [u.name for u in units if u.kind == OrgUnitKind.DEPARTMENT]
    groups = [{"code": "township", "name": "乡镇", "units": townships}]
    if departments:
        groups.append({"code": "department", "name": "部门", "units": departments})
    scheme = scheme_save(
        jurisdiction=w.city,
        kind="township",
        by=w.reviewer,
        definition={
            "code": code,
            "name": code,
            "year": 2022,
            "groups": groups,
            "indicators": indicators,
            "grades": [{"name": "优秀", "min": 90, "quota": 0.3}, {"name": "良好", "min": 60}, {"name": "一般"}],
        },
    )
    now = clock.now()
    IndicatorValue.objects.bulk_create(
        IndicatorValue(
            unit=unit,
            indicator=library[n],
            year=2022,
            month=month,
            value=Decimal(40 + 7 * i + 3 * n),
            status=ValueStatus.APPROVED,
            entered_by=w.dept_reporter,
            reviewed_by=w.reviewer,
            reviewed_at=now,
            updated_at=now,
        )
        for i, unit in enumerate(units)
        for n in range(entered)
        for month in ((1, 3) if n == 0 else (3,))
    )
    return scheme


@pytest.fixture
def schemes(world):
    """A small scheme (two townships, three entered indicators) and a larger one (six townships and two
    departments, nine entered indicators), over the same county's projects and reports."""
    w = world
    make_report(w.project_a, "2022-01", "200", reporter=w.reporter, reviewer=w.reviewer)
    more_towns = [make_unit(f"第{n}镇", OrgUnitKind.TOWNSHIP, w.city) for n in range(4)]
    small = _scheme(w, "q-small", [w.town_a, w.town_b], 3)
    large = _scheme(w, "q-large", [w.town_a, w.town_b, *more_towns, w.dept, w.drc], len(ENTERED))
    return small, large


def _queries(action) -> int:
    with CaptureQueriesContext(connection) as queries:
        action()
    return len(queries)


def test_scoring_a_scheme_costs_the_same_queries_whatever_its_size(world, schemes):
    small, large = schemes
    assert _queries(lambda: gather_inputs(small, Q1)) == _queries(lambda: gather_inputs(large, Q1))
    few = _queries(lambda: snapshot_compute(scheme=small, period=Q1, by=world.reviewer))
    many = _queries(lambda: snapshot_compute(scheme=large, period=Q1, by=world.reviewer))
    assert few == many
    # Recomputing a result not yet published (the snapshot is replaced and audited again) too.
    again_few = _queries(lambda: snapshot_compute(scheme=small, period=Q1, by=world.reviewer))
    again_many = _queries(lambda: snapshot_compute(scheme=large, period=Q1, by=world.reviewer))
    assert again_few == again_many


def _card(scheme, unit) -> str:
    return reverse("assessment:card", args=[scheme.pk, "2022-03", unit.pk])


def test_a_score_card_costs_the_same_queries_whatever_the_schemes_size(client, world, schemes):
    w = world
    small, large = schemes
    small_snap = snapshot_compute(scheme=small, period=Q1, by=w.reviewer)
    large_snap = snapshot_compute(scheme=large, period=Q1, by=w.reviewer)

    # A result not yet published: the office's card computes the what-if.
    client.force_login(w.reviewer)
    client.get(_card(small, w.town_b))  # warm-up: session and user
    assert _queries(lambda: client.get(_card(small, w.town_b))) == _queries(
        lambda: client.get(_card(large, w.town_b))
    )

    # Published: the unit's card reads the stored what-if, with one appeal against the small result and three,
    # one of them answered, against the large one.
    small_snap = snapshot_publish(snapshot=small_snap, by=w.reviewer)
    large_snap = snapshot_publish(snapshot=large_snap, by=w.reviewer)
    appeal_raise(snapshot=small_snap, indicator_code="q-small-1", reason="数据有误", by=w.outsider)
    for code in ("q-large-1", "q-large-2", "q-large-4"):
        appeal = appeal_raise(snapshot=large_snap, indicator_code=code, reason="数据有误", by=w.outsider)
    appeal_answer(appeal=appeal, outcome="rejected", answer="经核实无误", by=w.reviewer)
    client.force_login(w.outsider)
    client.get(_card(small, w.town_b))
    small_card = client.get(_card(small, w.town_b))
    large_card = client.get(_card(large, w.town_b))
    assert small_card.status_code == large_card.status_code == 200
    assert large_card.content.decode().count('class="appeal"') == 3
    assert _queries(lambda: client.get(_card(small, w.town_b))) == _queries(
        lambda: client.get(_card(large, w.town_b))
    )
