"""The demo's figures as plain values: exact shares, the seed's totals, deterministic output (no database)."""

from collections import Counter
from datetime import date
from decimal import Decimal

import pytest

from guatu.demo import data
from guatu.demo.generate import AS_OF, build_projects, split_exact
from guatu.projects.services import PROJECT_CODE


@pytest.fixture(scope="module")
def specs():
    return build_projects()


def _on(specs, tag):
    return [s for s in specs if tag in s.tags and s.plan is not None and s.stage != "cancelled"]


def test_split_exact_adds_up_to_the_cent():
    shares = split_exact(Decimal("100.00"), [1, 1, 1])
    assert shares == [Decimal("33.34"), Decimal("33.33"), Decimal("33.33")]
    assert sum(split_exact(Decimal("70035.89"), [0.3, 2.5, 0.0, 7.1])) == Decimal("70035.89")


def test_split_exact_honours_the_unit_and_minimum():
    shares = split_exact(Decimal("1000"), [1, 50, 0], unit=Decimal(10), minimum=Decimal(100))
    assert sum(shares) == Decimal("1000")
    assert all(s >= 100 and s % 10 == 0 for s in shares)
    with pytest.raises(ValueError):
        split_exact(Decimal("250"), [1, 1, 1], minimum=Decimal(100))
    with pytest.raises(ValueError):
        split_exact(Decimal("1.005"), [1])


def test_same_seed_same_demo(specs):
    again = build_projects()
    assert [(s.name, s.code, s.plan, s.ytd, [r.amount for r in s.reports]) for s in specs] == [
        (s.name, s.code, s.plan, s.ytd, [r.amount for r in s.reports]) for s in again
    ]


@pytest.mark.parametrize("tag", ["province", "prefecture", "county"])
def test_each_list_hits_the_seed_figures_exactly(specs, tag):
    target = data.TARGETS[tag]
    listed = _on(specs, tag)
    assert len(listed) == target["projects"]
    assert sum(s.plan for s in listed) == target["plan"]
    approved = [r.amount for s in listed for r in s.reports if r.status == "approved" and r.month <= 3]
    assert sum(approved) == target["ytd"]


def test_lists_nest_and_the_provincial_project_is_on_all_of_them(specs):
    county = {s.name for s in _on(specs, "county")}
    prefecture = {s.name for s in _on(specs, "prefecture")}
    assert prefecture <= county
    assert [s.name for s in _on(specs, "province")] == ["娄底市生态治理光伏项目"]
    assert "娄底市生态治理光伏项目" in prefecture


def test_amounts_are_uneven_cents_within_each_plan(specs):
    for spec in _on(specs, "county"):
        assert spec.ytd <= spec.plan, spec.name
        assert spec.total_investment >= spec.plan + spec.prior_completed, spec.name
        for report in spec.reports:
            assert report.amount >= 0 and report.amount.as_tuple().exponent >= -2
        if spec.plan_months:
            assert len(spec.plan_months) == 12 and sum(spec.plan_months) == spec.plan, spec.name
    ytd = [s.ytd for s in _on(specs, "county")]
    assert len(set(ytd)) > 150  # realistic: hardly two alike
    assert any(a != a.to_integral_value() for a in ytd)


def test_names_and_codes(specs):
    assert len({s.name for s in specs}) == len(specs)
    codes = [s.code for s in specs if s.code]
    assert len(set(codes)) == len(codes)
    for code in codes:
        assert PROJECT_CODE.match(code) and code[5:11] == "431381", code
    assert any(s.code is None for s in specs if s.tier == "reserve")


def test_projects_that_must_not_count(specs):
    cancelled = [s for s in specs if s.stage == "cancelled"]
    assert 2 <= len(cancelled) <= 3
    for spec in cancelled:
        assert "county" in spec.tags and spec.plan is not None
        assert [r.status for r in spec.reports] == ["approved"] * 3
    reserve = [s for s in specs if s.tier in ("reserve", "rolling")]
    assert reserve and all(s.plan is None and not s.reports for s in reserve)
    assert any("county" in s.tags for s in reserve)


def test_april_as_it_stands_on_the_demo_day(specs):
    """On 24 April April's reports are not due (5 May): drafts, and one sent in early and returned; no May."""
    later = Counter(r.status for s in specs for r in s.reports if r.month > 3)
    assert set(later) == {"draft", "returned"} and later["returned"] == 1 and later["draft"] >= 20
    assert {r.month for s in specs for r in s.reports} == {1, 2, 3, 4}


def test_no_report_is_dated_after_the_demo_day(specs):
    reports = [r for s in specs for r in s.reports]
    for r in reports:
        days = [day for day in (r.drafted_on, r.submitted_on, r.reviewed_on) if day]
        assert days and max(days) <= data.DEMO_DAY, r
        assert r.submitted_on is None or r.reviewed_on is None or r.submitted_on <= r.reviewed_on
    first_quarter = [r for r in reports if r.month <= 3]
    assert max(r.reviewed_on for r in first_quarter) <= date(2022, 4, 10)  # approved by early April


def test_the_township_reporter_has_work(specs):
    heqing = [s for s in specs if s.location == "禾青镇" and s.stage != "cancelled" and s.plan]
    assert len(heqing) >= 5
    april = [next((r.status for r in s.reports if r.month == 4), None) for s in heqing]
    assert april.count("draft") >= 2 and None in april


def test_milestones_have_approvals_and_some_are_overdue(specs):
    overdue = 0
    for spec in _on(specs, "county"):
        kinds = [m.kind for m in spec.milestones]
        assert kinds[0] == "approval" and "construction" in kinds, spec.name
        for m in spec.milestones:
            assert m.actual is None or m.actual <= AS_OF
            assert bool(m.document_no) <= bool(m.actual)  # a document number only once the step is done
            overdue += m.actual is None and m.planned < AS_OF.replace(day=1)
    assert overdue >= 5
