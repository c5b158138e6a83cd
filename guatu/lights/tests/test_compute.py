import json
from datetime import UTC, date, datetime
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from guatu.lib.periods import Period
from guatu.lights import services
from guatu.lights.models import ProjectLight
from guatu.lights.queries import lights_by_tag
from guatu.lights.services import lights_compute, lights_compute_year, rules_from_yaml, rules_set
from guatu.projects.models import Milestone, Project
from guatu.projects.services import annual_plan_set
from guatu.reports.models import ReportStatus
from guatu.testing import make_report

pytestmark = pytest.mark.django_db

LATE = datetime(2023, 1, 1, tzinfo=UTC)  # every 2022 deadline has passed


def _light(project, period):
    return ProjectLight.objects.get(project=project, year=period.year, month=period.month)


def test_missing_report_turns_red_only_after_the_deadline(world):
    w = world
    annual_plan_set(project=w.project_a, year=2022, amount=Decimal("1200"))
    make_report(w.project_a, "2022-01", "100", reporter=w.reporter, reviewer=w.reviewer)
    make_report(w.project_a, "2022-02", "0", reporter=w.reporter, reviewer=w.reviewer)
    march = Period(2022, 3)
    # 3 April: March's report is not due until 5 April; 100/1200 = 8.33% vs 25% → 16.67 pp behind → yellow.
    lights_compute(unit=w.city, period=march, at=datetime(2022, 4, 3, 12, tzinfo=UTC))
    light = _light(w.project_a, march)
    assert light.light == "yellow"
    assert [r["rule"] for r in light.reasons] == ["schedule"]
    assert light.reasons[0]["behind_points"] == "16.67"
    # 6 April: still no report → red, both reasons kept.
    lights_compute(unit=w.city, period=march, at=datetime(2022, 4, 6, 12, tzinfo=UTC))
    light = _light(w.project_a, march)
    assert light.light == "red"
    assert {r["rule"] for r in light.reasons} == {"schedule", "report_missing"}
    # A submitted (not yet approved) report is not missing.
    make_report(w.project_a, "2022-03", "0", reporter=w.reporter, status=ReportStatus.SUBMITTED)
    lights_compute(unit=w.city, period=march, at=datetime(2022, 4, 6, 12, tzinfo=UTC))
    assert {r["rule"] for r in _light(w.project_a, march).reasons} == {"schedule"}


def test_memory_red_then_yellow_then_green_after_two_periods(world):
    w = world
    rules_set(unit=w.city, rules={"recovery_periods": 2}, by=w.city_admin)
    annual_plan_set(project=w.project_b, year=2022, amount=Decimal("1200"))
    amounts = {1: "0", 2: "0", 3: "0", 4: "0", 5: "500", 6: "100", 7: "100"}
    for month, amount in amounts.items():
        make_report(w.project_b, f"2022-{month:02d}", amount, reporter=w.outsider, reviewer=w.reviewer)
    lights_compute_year(unit=w.city, period=Period(2022, 7), at=LATE)
    seen = [_light(w.project_b, Period(2022, m)).light for m in range(1, 8)]
    # Jan 8.33 pp behind → green; Feb 16.67 and Mar 25 pp behind → yellow; Apr 33.33 pp behind → red;
    # May catches up (500/1200 = 5/12) → yellow (recovering, 1 of 2); June on schedule again → green.
    assert seen == ["green", "yellow", "yellow", "red", "yellow", "green", "green"]
    may = _light(w.project_b, Period(2022, 5))
    assert (may.raw_light, may.green_streak, may.reasons[0]["rule"]) == ("green", 1, "recovering")


def test_milestone_and_start_rules_use_the_period_end(world):
    w = world
    w.project_a.stage = "preliminary"
    w.project_a.save(update_fields=["stage"])
    Milestone.objects.create(project=w.project_a, kind="start", name="开工", planned_date=date(2022, 1, 10))
    Milestone.objects.create(
        project=w.project_a,
        kind="land",
        name="用地预审",
        planned_date=date(2022, 3, 10),
        actual_date=date(2022, 4, 2),
    )
    for month in (1, 2, 3):
        make_report(w.project_a, f"2022-{month:02d}", "100", reporter=w.reporter, reviewer=w.reviewer)
    lights_compute_year(unit=w.city, period=Period(2022, 3), at=LATE)
    march = _light(w.project_a, Period(2022, 3))
    rules = {r["rule"]: r for r in march.reasons}
    assert rules["start_missed"]["light"] == "yellow" and rules["start_missed"]["months_late"] == "2"
    assert rules["milestone_overdue"]["milestone"] == "用地预审"  # done only in April
    lights_compute_year(unit=w.city, period=Period(2022, 4), at=LATE)
    april = _light(w.project_a, Period(2022, 4))
    assert {r["rule"]: r["light"] for r in april.reasons}.get("start_missed") == "red"  # 3 months late
    assert "milestone_overdue" not in {r["rule"] for r in april.reasons}


def test_recompute_is_idempotent(world):
    w = world
    period = Period(2022, 3)
    lights_compute(unit=w.city, period=period, at=LATE)
    first = list(ProjectLight.objects.values_list("project_id", "light", "reasons"))
    lights_compute(unit=w.city, period=period, at=LATE)
    assert list(ProjectLight.objects.values_list("project_id", "light", "reasons")) == first
    assert ProjectLight.objects.count() == 2


def test_rules_are_validated_and_audited(world):
    w = world
    with pytest.raises(ValidationError):
        rules_set(unit=w.city, rules={"red_behind_points": "x"}, by=w.city_admin)
    with pytest.raises(ValidationError):
        rules_from_yaml("rules: [1, 2]")
    rules = rules_from_yaml("rules:\n  yellow_behind_points: 5\n  recovery_periods: 3\n")
    setting = rules_set(unit=w.town_a, rules=rules, by=w.city_admin)
    assert setting.unit == w.city  # rules belong to the jurisdiction
    assert setting.rules == {"yellow_behind_points": 5, "recovery_periods": 3}


def test_lights_command_counts_add_up(world):
    w = world
    make_report(w.project_a, "2022-01", "10", reporter=w.reporter, reviewer=w.reviewer)
    out = StringIO()
    call_command(
        "lights", "--period", "2022-03", "--format", "json", "--at", "2023-01-01T00:00:00+08:00", stdout=out
    )
    result = json.loads(out.getvalue())
    for tag in result["tags"]:
        assert tag["green"] + tag["yellow"] + tag["red"] == tag["projects"]
    county = next(t for t in result["tags"] if t["tag"] == "county")
    assert county["projects"] == 2 and county["red"] == 2  # no March reports by 2023
    assert all(item["reasons"] and item["reasons"][0]["text"] for item in result["warned"])


# --- year-end projection with a partial earlier year (a project that started in June) ------------------


def test_a_partial_earlier_year_still_projects_and_counts_in_the_tag_total(world):
    w = world
    for month in range(6, 13):  # started in June 2021: no report for January-May
        make_report(w.project_a, f"2021-{month:02d}", "100", reporter=w.reporter, reviewer=w.reviewer)
    for month in (1, 2, 3):
        make_report(w.project_a, f"2022-{month:02d}", "100", reporter=w.reporter, reviewer=w.reviewer)
    lights_compute(unit=w.city, period=Period(2022, 3), at=LATE)
    light = _light(w.project_a, Period(2022, 3))
    # 2021 says nothing about March: the straight line, 300 ÷ 3/12 = 1200 against a plan of 1000, flagged.
    assert (light.projected_year_end, light.projection_basis) == (Decimal("1200.00"), "linear")
    assert light.projection_short_history and light.facts["projection"]["partial_years"] == [2021]
    pref = next(
        t for t in lights_by_tag(Project.objects.all(), Period(2022, 3)) if t.tag.code == "prefecture"
    )
    assert (pref.projected_year_end, pref.projected_below_plan, pref.short_history) == (
        Decimal("1200.00"),
        False,
        1,
    )


# --- history: closed months are frozen with their facts; the start rule is as at each period's end -------


def test_a_closed_month_is_frozen_with_the_facts_it_used(world):
    w = world
    make_report(w.project_a, "2022-01", "100", reporter=w.reporter, reviewer=w.reviewer)
    january = Period(2022, 1)
    # 6 March: January closed on 5 March (February's report deadline): this computation is final.
    lights_compute(unit=w.city, period=january, at=datetime(2022, 3, 6, 12, tzinfo=UTC))
    frozen = _light(w.project_a, january)
    assert frozen.closed
    assert frozen.facts["ytd_completed"] == "100.00" and frozen.facts["annual_plan"] == "1000.00"
    assert frozen.facts["time_progress"] == format(Decimal(1) / Decimal(12), "f")
    assert frozen.facts["rules"]["yellow_behind_points"] == "10"
    # Today's data changes (a start date recorded, the rules tightened); computing again keeps January.
    rules_set(unit=w.city, rules={"yellow_behind_points": 0}, by=w.city_admin)
    lights_compute_year(unit=w.city, period=Period(2022, 2), at=LATE)
    again = _light(w.project_a, january)
    assert (again.pk, again.light, again.reasons, again.facts, again.computed_at) == (
        frozen.pk,
        frozen.light,
        frozen.reasons,
        frozen.facts,
        frozen.computed_at,
    )
    assert _light(w.project_a, Period(2022, 2)).facts["rules"]["yellow_behind_points"] == "0"


def test_an_open_month_is_computed_again(world):
    w = world
    april_6 = datetime(2022, 4, 6, 12, tzinfo=UTC)  # March is open until 5 May
    lights_compute(unit=w.city, period=Period(2022, 3), at=april_6)
    assert not _light(w.project_a, Period(2022, 3)).closed
    make_report(w.project_a, "2022-03", "300", reporter=w.reporter, reviewer=w.reviewer)
    lights_compute(unit=w.city, period=Period(2022, 3), at=april_6)
    assert _light(w.project_a, Period(2022, 3)).facts["ytd_completed"] == "300.00"


def test_the_start_rule_looks_at_the_start_before_each_periods_end(world):
    w = world
    # Newly started today (stage "new"), but only on 15 March: January and February had missed the start.
    w.project_a.stage = "new"
    w.project_a.save(update_fields=["stage"])
    Milestone.objects.create(
        project=w.project_a,
        kind="start",
        name="开工",
        planned_date=date(2022, 1, 10),
        actual_date=date(2022, 3, 15),
    )
    for month in (1, 2, 3):
        make_report(w.project_a, f"2022-{month:02d}", "100", reporter=w.reporter, reviewer=w.reviewer)
    lights_compute_year(unit=w.city, period=Period(2022, 3), at=LATE)
    rules = [{r["rule"] for r in _light(w.project_a, Period(2022, m)).reasons} for m in (1, 2, 3)]
    assert ["start_missed" in r for r in rules] == [True, True, False]
    assert _light(w.project_a, Period(2022, 1)).facts["actual_start"] is None  # not known at January's end
    assert _light(w.project_a, Period(2022, 3)).facts["actual_start"] == "2022-03-15"


def test_rules_changes_are_recorded_through_the_typed_helper():
    source = Path(services.__file__).read_text(encoding="utf-8")
    assert "audit_record(" not in source
