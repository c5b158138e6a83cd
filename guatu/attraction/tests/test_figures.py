"""Contract performance (履约率), signed projects and funds in place per unit and chain, computed exactly, and
available to assessment schemes as computed indicators (scored end to end)."""

from datetime import date
from decimal import Decimal

import pytest

from guatu.assessment.computed import COMPUTED
from guatu.assessment.models import Indicator
from guatu.assessment.services import scheme_save, snapshot_compute
from guatu.attraction.models import LeadStatus
from guatu.attraction.queries import chain_lead_figures, performance_rate, unit_lead_figures
from guatu.attraction.services import funds_set
from guatu.attraction.tests.helpers import make_lead
from guatu.lib.periods import Period
from guatu.projects.models import IndustryChain

pytestmark = pytest.mark.django_db
Q1 = Period(2022, 3)


@pytest.fixture(autouse=True)
def _today(settings):
    settings.GUATU_TODAY = date(2022, 4, 24)


@pytest.fixture
def pipeline(world):
    """Five leads; for 1-3月 2022 township A has three promised starts due (one kept), township B one (kept)."""
    w = world
    chain = IndustryChain.objects.create(jurisdiction=w.city, name="新能源产业链")
    l1 = make_lead(w.town_a, name="L1", chain=chain, status=LeadStatus.STARTED, amount="120000",
                   signed_on=date(2022, 1, 10), promised_start=date(2022, 2, 1), started_on=date(2022, 2, 15))
    l2 = make_lead(w.town_a, name="L2", chain=chain, status=LeadStatus.SIGNED, amount="20000",
                   signed_on=date(2022, 1, 20), promised_start=date(2022, 3, 1))
    make_lead(w.town_a, name="L3", status=LeadStatus.SIGNED, amount="5000",
              signed_on=date(2022, 2, 1), promised_start=date(2022, 6, 1))  # not due yet
    make_lead(w.town_a, name="L4", status=LeadStatus.STARTED, amount="30000",
              signed_on=date(2021, 12, 1), promised_start=date(2022, 1, 15), started_on=date(2022, 4, 10))  # late
    make_lead(w.town_b, name="L5", status=LeadStatus.STARTED, amount="10000",
              signed_on=date(2022, 2, 10), promised_start=date(2022, 3, 31), started_on=date(2022, 3, 31))
    make_lead(w.town_b, name="L6")  # a mere lead counts nowhere but in the number of leads
    for lead, month, domestic, foreign in [
        (l1, 1, "100.10", "0"), (l1, 2, "200", "50.25"), (l1, 3, "10", "0"), (l1, 4, "999", "999"), (l2, 3, "5.55", "0"),
    ]:
        funds_set(lead=lead, period=Period(2022, month), domestic=Decimal(domestic), foreign=Decimal(foreign),
                  expected_version=None, by=None)
    return chain


def test_per_unit_figures(world, pipeline, django_assert_num_queries):
    w = world
    with django_assert_num_queries(2):
        figures = unit_lead_figures([w.town_a, w.town_b, w.dept], Q1)
    a, b, dept = figures[w.town_a.pk], figures[w.town_b.pk], figures[w.dept.pk]
    assert (a.leads, a.signed, a.signed_amount, a.signed_over_1yi, a.signed_over_10yi) == (4, 3, Decimal("145000.00"), 2, 1)
    assert (a.due, a.performed, a.performance_rate) == (3, 1, Decimal("33.33"))
    assert (a.funds_domestic, a.funds_foreign, a.funds_total) == (Decimal("315.65"), Decimal("50.25"), Decimal("365.90"))
    assert (b.leads, b.due, b.performed, b.performance_rate, b.signed_over_1yi) == (2, 1, 1, Decimal("100.00"), 1)
    assert (dept.leads, dept.performance_rate, dept.funds_total) == (0, None, Decimal("0.00"))


def test_per_chain_figures(pipeline, django_assert_num_queries):
    with django_assert_num_queries(2):
        figures = chain_lead_figures([pipeline.pk], Q1)[pipeline.pk]
    assert (figures.leads, figures.signed, figures.signed_amount, figures.started) == (2, 2, Decimal("140000.00"), 1)
    assert (figures.performance_rate, figures.funds_domestic, figures.funds_foreign) == (
        Decimal("50.00"), Decimal("315.65"), Decimal("50.25")
    )


def test_the_rate_is_half_up_and_undefined_for_nothing_due():
    assert performance_rate(1, 32) == Decimal("3.13")  # 3.125: half-up, not to even
    assert performance_rate(2, 3) == Decimal("66.67")
    assert performance_rate(0, 0) is None


def test_computed_indicators_of_a_unit(world, pipeline):
    w = world
    assert COMPUTED["attraction_funds_in_place"][1](w.city, Q1) == Decimal("365.90")
    assert COMPUTED["attraction_signed_over_1yi"][1](w.city, Q1) == 3
    assert COMPUTED["attraction_signed_over_10yi"][1](w.city, Q1) == 1
    assert COMPUTED["attraction_performance_rate"][1](w.city, Q1) == Decimal("50.00")  # 2 of 4
    assert COMPUTED["attraction_performance_rate"][1](w.town_a, Period(2022, 1)) == Decimal("0.00")  # L4 late
    assert COMPUTED["attraction_performance_rate"][1](w.town_b, Period(2022, 1)) is None  # nothing due in January


def test_a_scheme_scores_units_with_the_exact_figures(world, pipeline):
    w = world
    Indicator.objects.create(code="funds", name="实际到位资金", category="economy", measure="万元",
                             source="computed", computed_key="attraction_funds_in_place")
    Indicator.objects.create(code="perform", name="招商项目履约率", category="business",
                             source="computed", computed_key="attraction_performance_rate")
    scheme = scheme_save(
        jurisdiction=w.city,
        kind="township",
        by=w.reviewer,
        definition={
            "code": "zs2022",
            "name": "2022年招商引资考核",
            "year": 2022,
            "groups": [{"code": "township", "name": "乡镇", "units": ["禾青镇", "渣渡镇"]}],
            "indicators": [
                {"code": "funds", "weight": 50, "method": "efficacy"},
                {"code": "perform", "weight": 50, "method": "completion_rate", "target": 100},
            ],
            "grades": [{"name": "优秀", "min": 90}, {"name": "一般"}],
        },
    )
    snap = snapshot_compute(scheme=scheme, period=Q1, by=w.reviewer)
    inputs = {(row["unit"], row["indicator"]): row["value"] for row in snap.inputs["values"]}
    assert inputs == {
        ("禾青镇", "funds"): "365.90",
        ("渣渡镇", "funds"): "0.00",
        ("禾青镇", "perform"): "33.33",
        ("渣渡镇", "perform"): "100.00",
    }
    units = {u["unit"]: u for u in snap.results["groups"][0]["units"]}
    # 禾青镇: funds best → 50; performance 50 × 33.33/100 = 16.665 → 16.67 (half-up); total 66.67
    # 渣渡镇: funds worst → 50 × 0.6 = 30; performance 100% → 50; total 80.00
    assert units["禾青镇"]["indicators"]["perform"]["points"] == "16.67"
    assert (units["禾青镇"]["total"], units["渣渡镇"]["total"]) == ("66.67", "80.00")
