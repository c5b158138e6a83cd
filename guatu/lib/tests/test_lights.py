from datetime import date
from decimal import Decimal

import pytest

from guatu.lib.lights import (
    Light,
    LightState,
    ProjectFacts,
    RuleError,
    RuleSet,
    closing_day,
    evaluate,
    report_deadline,
)
from guatu.lib.progress import Progress

RULES = RuleSet()  # yellow > 10 pp behind, red > 30 pp, recovery after 2 green periods


def facts(rate="0.25", month=3, **kw):
    return ProjectFacts(
        year=2022,
        month=month,
        # A plan of 1 makes the year to date the completion rate itself.
        progress=Progress(
            month=month, ytd_completed=Decimal(rate or 0), annual_plan=None if rate is None else Decimal(1)
        ),
        **kw,
    )


def light_of(f, previous=None, rules=RULES):
    return evaluate(f, rules, previous)


@pytest.mark.parametrize(
    ("rate", "expected"),
    [
        ("0.25", Light.GREEN),  # on schedule
        ("0.15", Light.GREEN),  # exactly 10 pp behind is not "more than 10"
        ("0.1499", Light.YELLOW),
        ("0.0", Light.YELLOW),  # 25 pp behind at March
        (None, Light.GREEN),  # no plan, no schedule rule
    ],
)
def test_schedule_deviation_against_time_progress(rate, expected):
    assert light_of(facts(rate)).light is expected


def test_red_when_more_than_thirty_points_behind():
    state = light_of(facts("0.10", month=6))  # 50% elapsed, 10% done: 40 pp behind
    assert state.light is Light.RED
    assert state.reasons[0].rule == "schedule" and state.reasons[0].detail["behind_points"] == "40.00"


def test_phased_plan_time_progress_is_used_as_given():
    plan = Progress(
        month=3,
        ytd_completed=Decimal("0.05"),
        annual_plan=Decimal(1),
        phased_to_date=Decimal("0.10"),
        phased_whole=Decimal(1),
        phased=True,
    )
    f = ProjectFacts(year=2022, month=3, progress=plan)
    assert light_of(f).light is Light.GREEN  # 5 pp behind the plan curve, though 20 behind months/12


def test_planned_start_missed_yellow_then_red_after_three_months():
    # Not due yet within the period: planned for February, judged at the end of January.
    assert light_of(facts(planned_start=date(2022, 2, 1), month=1)).light is Light.GREEN
    # Planned 15 January, not started by the end of January: yellow.
    assert light_of(facts(planned_start=date(2022, 1, 15), month=1)).light is Light.YELLOW
    assert light_of(facts(planned_start=date(2022, 3, 1), month=3)).light is Light.YELLOW
    assert light_of(facts(planned_start=date(2022, 1, 1), month=3)).light is Light.RED  # 3 months to 1 April
    assert light_of(facts(planned_start=date(2022, 1, 2), month=3)).light is Light.YELLOW  # 2 months 30 days
    started = facts(planned_start=date(2022, 1, 1), actual_start=date(2022, 2, 1), month=3)
    assert light_of(started).light is Light.GREEN


def test_milestone_overdue():
    state = light_of(
        facts(overdue_milestones=(("施工许可", date(2022, 3, 10)), ("环评批复", date(2022, 2, 20))))
    )
    assert state.light is Light.YELLOW  # oldest is 1 month 9 days late at 1 April
    assert state.reasons[0].detail == {"milestone": "环评批复", "planned_date": "2022-02-20", "count": "2"}
    assert light_of(facts(overdue_milestones=(("用地", date(2022, 1, 31)),))).light is Light.RED


def test_missing_report_is_red_by_default_and_configurable():
    assert light_of(facts(report_due_missing=True)).light is Light.RED
    lenient = RuleSet(missing_report_light=Light.YELLOW)
    assert light_of(facts(report_due_missing=True), rules=lenient).light is Light.YELLOW


def test_no_progress_for_n_months():
    zero = Decimal(0)
    assert light_of(facts(monthly_amounts=(zero, zero, zero))).light is Light.YELLOW
    assert light_of(facts(monthly_amounts=(zero, zero))).light is Light.GREEN  # not enough months known
    assert light_of(facts(monthly_amounts=(Decimal(1), zero, zero))).light is Light.GREEN
    assert light_of(facts(monthly_amounts=(zero,) * 3, started=False)).light is Light.GREEN


def test_most_severe_rule_wins_and_all_reasons_are_kept():
    state = light_of(facts("0.0", report_due_missing=True))
    assert state.light is Light.RED
    assert {r.rule for r in state.reasons} == {"schedule", "report_missing"}


def test_memory_red_to_yellow_to_green_only_after_n_on_schedule_periods():
    rules = RuleSet(recovery_periods=3)
    jan = evaluate(facts("0.0", month=6), rules, None)
    assert jan.light is Light.RED
    on_time = facts("0.5", month=6)
    first = evaluate(on_time, rules, jan)
    assert (first.light, first.green_streak, first.reasons[0].rule) == (Light.YELLOW, 1, "recovering")
    second = evaluate(on_time, rules, first)
    assert (second.light, second.green_streak) == (Light.YELLOW, 2)
    third = evaluate(on_time, rules, second)
    assert (third.light, third.green_streak, third.reasons) == (Light.GREEN, 3, ())
    # Falling behind again resets the count.
    relapse = evaluate(facts("0.3", month=6), rules, third)
    assert (relapse.light, relapse.green_streak) == (Light.YELLOW, 0)
    assert evaluate(on_time, rules, relapse).light is Light.YELLOW


def test_green_without_history_is_green():
    assert evaluate(facts(), RULES, None).light is Light.GREEN
    green = LightState(Light.GREEN, Light.GREEN, 5, ())
    assert evaluate(facts(), RULES, green).green_streak == 6


def test_rules_from_dict_validate():
    rules = RuleSet.from_dict(
        {"yellow_behind_points": "5", "red_behind_points": 20, "missing_report_light": "yellow"}
    )
    assert rules.yellow_behind_points == Decimal(5) and rules.missing_report_light is Light.YELLOW
    with pytest.raises(RuleError, match="unknown"):
        RuleSet.from_dict({"colour": "red"})
    with pytest.raises(RuleError):
        RuleSet.from_dict({"yellow_behind_points": 40, "red_behind_points": 30})
    with pytest.raises(RuleError):
        RuleSet.from_dict({"missing_report_light": "blue"})
    with pytest.raises(RuleError):
        RuleSet.from_dict({"report_deadline_day": 31})


def test_report_deadline_is_in_the_next_month():
    assert report_deadline(2022, 3, RULES) == date(2022, 4, 5)
    assert report_deadline(2022, 12, RULES) == date(2023, 1, 5)


def test_behind_points_are_rounded_half_up():
    # 25 − 12.655 = 12.345 points behind: 四舍五入 gives 12.35 (banker's rounding gave 12.34).
    state = light_of(facts("0.12655"))
    assert state.reasons[0].detail["behind_points"] == "12.35"


def test_thresholds_compare_the_figure_shown():
    # 10.004 points behind is shown as 10.00: not more than 10, so green (it was yellow saying "10.00").
    assert light_of(facts("0.14996")).light is Light.GREEN
    # 10.005 is shown as 10.01: yellow.
    assert light_of(facts("0.14995")).light is Light.YELLOW


def test_a_month_closes_at_the_next_months_report_deadline():
    assert closing_day(2022, 3, RULES) == date(2022, 5, 5)
    assert closing_day(2022, 12, RuleSet(report_deadline_day=10)) == date(2023, 2, 10)


def test_the_latest_month_due_is_the_last_one_whose_report_deadline_has_passed():
    from guatu.lib.lights import latest_month_due
    from guatu.lib.periods import Period

    assert latest_month_due(date(2022, 4, 24), RULES) == Period(2022, 3)
    assert latest_month_due(date(2022, 4, 5), RULES) == Period(2022, 2)  # March's reports due to the end of the 5th
    assert latest_month_due(date(2022, 4, 6), RULES) == Period(2022, 3)
    assert latest_month_due(date(2022, 4, 24), RuleSet(report_deadline_day=25)) == Period(2022, 2)
    assert latest_month_due(date(2023, 1, 3), RULES) == Period(2022, 11)
    assert latest_month_due(date(2023, 1, 6), RULES) == Period(2022, 12)
