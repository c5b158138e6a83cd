"""The one start-missed rule (guatu.lib.lights.start_missed_light), shared by projects and leads."""

from datetime import date

from guatu.lib.lights import Light, RuleSet, start_missed_light

RULES = RuleSet(start_missed_red_after_months=3)


def test_not_missed_before_or_on_the_day_or_once_started():
    assert start_missed_light(date(2022, 4, 24), None, date(2022, 4, 24), RULES) is None
    assert start_missed_light(date(2022, 5, 1), None, date(2022, 4, 24), RULES) is None
    assert start_missed_light(date(2022, 1, 1), date(2022, 4, 1), date(2022, 4, 24), RULES) is None
    assert start_missed_light(None, None, date(2022, 4, 24), RULES) is None


def test_yellow_then_red_after_whole_months():
    assert start_missed_light(date(2022, 4, 23), None, date(2022, 4, 24), RULES) == Light.YELLOW
    assert start_missed_light(date(2022, 1, 25), None, date(2022, 4, 24), RULES) == Light.YELLOW  # 2 months 30 days
    assert start_missed_light(date(2022, 1, 24), None, date(2022, 4, 24), RULES) == Light.RED
