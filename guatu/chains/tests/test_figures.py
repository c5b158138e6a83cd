"""A chain's targets against its actuals computed exactly (to the cent, rates half-up) from where each figure is
kept: the firms' yearly figures, the leads signed, started and their funds in place per month, the chain's
projects' approved reports; and the lead department's completion of its chains' targets as computed
indicators an assessment scheme scores (end to end)."""

from datetime import date
from decimal import Decimal

import pytest

from guatu.assessment.computed import COMPUTED
from guatu.assessment.models import Indicator
from guatu.assessment.services import scheme_save, snapshot_compute
from guatu.attraction.models import LeadStatus
from guatu.attraction.services import funds_set
from guatu.attraction.tests.helpers import make_lead
from guatu.chains import services
from guatu.chains.models import Metric
from guatu.chains.queries import chain_figures
from guatu.enterprises.services import enterprise_figures_set
from guatu.lib.periods import Period
from guatu.projects.models import ChainKind
from guatu.projects.services import chain_create
from guatu.reports.models import ReportStatus
from guatu.testing import make_enterprise, make_project, make_report

pytestmark = pytest.mark.django_db
MARCH = Period(2022, 3)


@pytest.fixture(autouse=True)
def _today(settings):
    settings.GUATU_TODAY = date(2022, 4, 24)


def _figures(world, firm, year, output, tax):
    enterprise_figures_set(
        enterprise=firm, year=year, output=Decimal(output), tax=Decimal(tax), expected_version=None, by=world.city_admin
    )


def _funds(lead, month, domestic, foreign="0"):
    funds_set(lead=lead, period=Period(2022, month), domestic=Decimal(domestic), foreign=Decimal(foreign),
              expected_version=None, by=None)


@pytest.fixture
def chains(world, chain):
    """The antimony chain (led by the development office) with firms, leads and projects, and a steel chain
    (led by the housing department) whose figures must never be counted on the antimony chain."""
    w = world
    steel = chain_create(jurisdiction=w.city, name="钢铁产业链", kind=ChainKind.MAIN, chief=w.leader, lead_unit=w.dept)
    for target_chain, targets in (
        (chain, {Metric.OUTPUT: "20000", Metric.TAX: "1000", Metric.ABOVE_SCALE: "3", Metric.INVESTMENT: "1000",
                 Metric.SIGNED: "400000", Metric.FUNDS: "1000", Metric.STARTED: "3"}),
        (steel, {Metric.OUTPUT: "10000", Metric.STARTED: "2"}),
    ):
        for metric, value in targets.items():
            services.target_add(chain=target_chain, year=2022, metric=metric, target=Decimal(value), by=w.reviewer)
    services.target_add(chain=chain, year=2021, metric=Metric.OUTPUT, target=Decimal("1"), by=w.reviewer)

    a = make_enterprise(w.town_a, "湖南锑晶新材料有限公司", chain=chain, above_scale=True, is_chain_master=True)
    b = make_enterprise(w.town_a, "冷水江市锑华化工有限公司", chain=chain, above_scale=True)
    c = make_enterprise(w.town_b, "冷水江市锑都小微企业", chain=chain)
    s = make_enterprise(w.town_b, "湖南资江特钢有限公司", chain=steel, above_scale=True)
    for firm, year, output, tax in (
        (a, 2022, "1234.56", "111.11"), (b, 2022, "1234.44", "222.22"), (c, 2022, "0", "0"),
        (a, 2021, "9999.99", "999.99"), (s, 2022, "5000", "500"),
    ):
        _figures(w, firm, year, output, tax)

    l1 = make_lead(w.town_a, name="L1", chain=chain, status=LeadStatus.STARTED, amount="120000",
                   signed_on=date(2022, 1, 10), promised_start=date(2022, 2, 1), started_on=date(2022, 2, 15))
    l2 = make_lead(w.town_a, name="L2", chain=chain, status=LeadStatus.SIGNED, amount="20000.50",
                   signed_on=date(2022, 3, 5), promised_start=date(2022, 6, 1))
    make_lead(w.town_b, name="L3", chain=chain, status=LeadStatus.STARTED, amount="30000",  # signed last year
              signed_on=date(2021, 12, 1), promised_start=date(2022, 1, 15), started_on=date(2022, 1, 20))
    make_lead(w.town_b, name="L4", chain=chain, status=LeadStatus.STARTED, amount="50000",  # after March
              signed_on=date(2022, 4, 2), promised_start=date(2022, 4, 10), started_on=date(2022, 4, 12))
    make_lead(w.town_b, name="L5", chain=steel, status=LeadStatus.STARTED, amount="8000",
              signed_on=date(2022, 1, 5), promised_start=date(2022, 2, 1), started_on=date(2022, 2, 1))
    _funds(l1, 1, "100.10")
    _funds(l1, 2, "0", "50.25")
    _funds(l1, 4, "999", "999")  # April: not in January-March
    _funds(l2, 3, "5.55")

    p1 = make_project(location=w.town_a, lead=w.town_a, chain=chain)
    p2 = make_project(location=w.town_a, lead=w.town_a, chain=steel)
    for project, period, amount, status in (
        (p1, "2022-01", "100.50", ReportStatus.APPROVED),
        (p1, "2022-02", "200.25", ReportStatus.APPROVED),
        (p1, "2022-03", "999", ReportStatus.SUBMITTED),  # not approved: not counted
        (p2, "2022-01", "777", ReportStatus.APPROVED),
    ):
        make_report(project, period, amount, reporter=w.reporter, reviewer=w.reviewer, status=status)
    return chain, steel


def test_targets_against_actuals_to_the_cent(chains, django_assert_max_num_queries):
    chain, steel = chains
    with django_assert_max_num_queries(8):
        figures = chain_figures([chain, steel], MARCH)
    got = {line.metric: (line.target, line.actual, line.rate) for line in figures[chain.pk].lines}
    assert got == {
        Metric.OUTPUT: (Decimal("20000"), Decimal("2469.00"), Decimal("12.35")),  # 12.345: half-up, not to even
        Metric.TAX: (Decimal("1000"), Decimal("333.33"), Decimal("33.33")),
        Metric.ABOVE_SCALE: (Decimal("3"), Decimal("2"), Decimal("66.67")),
        Metric.INVESTMENT: (Decimal("1000"), Decimal("300.75"), Decimal("30.08")),
        Metric.SIGNED: (Decimal("400000"), Decimal("140000.50"), Decimal("35.00")),
        Metric.FUNDS: (Decimal("1000"), Decimal("155.90"), Decimal("15.59")),
        Metric.STARTED: (Decimal("3"), Decimal("2"), Decimal("66.67")),
    }
    steel_lines = {line.metric: (line.target, line.actual, line.rate) for line in figures[steel.pk].lines}
    assert steel_lines[Metric.OUTPUT] == (Decimal("10000"), Decimal("5000.00"), Decimal("50.00"))
    assert steel_lines[Metric.INVESTMENT] == (None, Decimal("777.00"), None)  # no target: no rate
    assert chain_figures([chain], Period(2022, 1))[chain.pk].line(Metric.FUNDS).actual == Decimal("100.10")


def test_the_lead_departments_completion_as_computed_indicators(world, chains):
    w = world
    assert COMPUTED["chains_output_rate"][1](w.drc, MARCH) == Decimal("12.35")
    assert COMPUTED["chains_investment_rate"][1](w.drc, MARCH) == Decimal("30.08")
    assert COMPUTED["chains_started_rate"][1](w.drc, MARCH) == Decimal("66.67")
    assert COMPUTED["chains_started_rate"][1](w.dept, MARCH) == Decimal("50.00")
    assert COMPUTED["chains_investment_rate"][1](w.dept, MARCH) is None  # its chain sets no such target
    assert COMPUTED["chains_output_rate"][1](w.town_a, MARCH) is None  # leads no chain


def test_a_second_chain_of_the_same_department_adds_to_its_sums(world, chains):
    w = world
    more = chain_create(jurisdiction=w.city, name="耐火材料产业链", chief=w.leader, lead_unit=w.drc)
    services.target_add(chain=more, year=2022, metric=Metric.STARTED, target=Decimal("1"), by=w.reviewer)
    make_lead(w.town_a, name="L6", chain=more, status=LeadStatus.STARTED, amount="1000",
              signed_on=date(2022, 1, 5), promised_start=date(2022, 3, 1), started_on=date(2022, 3, 1))
    # (2 + 1) started of (3 + 1) targeted: 75%, not the mean of 66.67% and 100%
    assert COMPUTED["chains_started_rate"][1](w.drc, MARCH) == Decimal("75.00")


def test_a_scheme_scores_the_lead_departments_with_the_exact_figures(world, chains):
    w = world
    Indicator.objects.create(code="chain_output", name="牵头产业链产值目标完成率", category="economy", measure="%",
                             source="computed", computed_key="chains_output_rate")
    Indicator.objects.create(code="chain_started", name="牵头产业链招商项目开工目标完成率", category="business",
                             measure="%", source="computed", computed_key="chains_started_rate")
    scheme = scheme_save(
        jurisdiction=w.city,
        kind="department",
        by=w.reviewer,
        definition={
            "code": "lz2022",
            "name": "2022年产业链链长制考核",
            "year": 2022,
            "groups": [{"code": "lead", "name": "牵头部门", "units": [w.drc.name, w.dept.name]}],
            "indicators": [
                {"code": "chain_output", "weight": 50, "method": "completion_rate", "target": 100},
                {"code": "chain_started", "weight": 50, "method": "completion_rate", "target": 100},
            ],
            "grades": [{"name": "优秀", "min": 90}, {"name": "一般"}],
        },
    )
    snap = snapshot_compute(scheme=scheme, period=MARCH, by=w.reviewer)
    inputs = {(row["unit"], row["indicator"]): row["value"] for row in snap.inputs["values"]}
    assert inputs == {
        (w.drc.name, "chain_output"): "12.35",
        (w.drc.name, "chain_started"): "66.67",
        (w.dept.name, "chain_output"): "50.00",
        (w.dept.name, "chain_started"): "50.00",
    }
    units = {u["unit"]: u for u in snap.results["groups"][0]["units"]}
    # development office: 50 × 12.35% = 6.175 → 6.18 and 50 × 66.67% = 33.335 → 33.34 (half-up); total 39.52
    # housing department: 25.00 + 25.00 = 50.00
    drc = units[w.drc.name]
    assert (drc["indicators"]["chain_output"]["points"], drc["indicators"]["chain_started"]["points"]) == (
        "6.18", "33.34"
    )
    assert (drc["total"], units[w.dept.name]["total"]) == ("39.52", "50.00")
