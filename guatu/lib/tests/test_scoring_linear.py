"""The linear deduction and addition method (线性扣分/加分, DOMAIN §4), against hand-computed examples."""

from decimal import Decimal as D

import pytest

from guatu.lib.scoring import SchemeError, scheme_from_dict, score_scheme
from guatu.lib.scoring.scheme import linear_rule_text
from guatu.lib.scoring.whatif import what_if
from guatu.lib.tests.test_scoring import points, scheme, values

# "每低1个百分点扣0.5分，扣完为止；每超1个百分点加0.2分，最多加2分": weight 10, target 100 %.
RATE = {
    "code": "rate",
    "weight": 10,
    "method": "linear",
    "target": 100,
    "deduct": 0.5,
    "add": 0.2,
    "ceiling": 12,
}


def one(indicator, *rows, units=("甲", "乙", "丙")):
    s = scheme([indicator], units=units)
    return s, score_scheme(s, values([(u, indicator["code"], x) for u, x in zip(units, rows, strict=True)]), "2022-12")


def test_pro_rata_below_and_above_the_target():
    _, r = one(RATE, "96.5", 103, 100)
    assert points(r, "甲", "rate") == D("8.25")  # 10 − 0.5 × 3.5
    assert points(r, "乙", "rate") == D("10.60")  # 10 + 0.2 × 3
    assert points(r, "丙", "rate") == D("10.00")  # at the target: full marks
    assert r.unit("甲").scores["rate"].how == "10 − 0.5 × 3.5（低于目标 100 共 3.5，每 1 扣 0.5，最低 0）"
    assert r.unit("乙").scores["rate"].how == "10 + 0.2 × 3（高于目标 100 共 3，每 1 加 0.2，最高 12）"


def test_whole_steps_count_a_partial_step_as_a_whole_one():
    _, r = one({**RATE, "whole_steps": True}, "96.5", "101.5", 100)
    assert points(r, "甲", "rate") == D("8.00")  # 3.5 points short → 4 steps: 10 − 0.5 × 4
    assert points(r, "乙", "rate") == D("10.40")  # 1.5 over → 2 steps: 10 + 0.2 × 2
    assert "不足 1 按 1 计" in r.unit("甲").scores["rate"].how


def test_floor_and_ceiling():
    _, r = one(RATE, 70, 120, "80.4")
    assert points(r, "甲", "rate") == D("0.00")  # 10 − 15 → the floor 0 (扣完为止)
    assert points(r, "乙", "rate") == D("12.00")  # 10 + 4 → at most 2 added
    assert points(r, "丙", "rate") == D("0.20")  # 10 − 0.5 × 19.6 = 0.2
    _, r = one({**RATE, "floor": 4}, 70, 100, 100)
    assert points(r, "甲", "rate") == D("4.00")


def test_lower_is_better_cases_with_target_zero():
    """"每发生1起扣2分": weight 10, target 0 accidents."""
    accidents = {"code": "acc", "weight": 10, "method": "linear", "direction": "lower", "target": 0, "deduct": 2}
    _, r = one(accidents, 0, 3, 7)
    assert [points(r, u, "acc") for u in "甲乙丙"] == [D("10.00"), D("4.00"), D("0.00")]
    assert r.unit("乙").scores["acc"].how == "10 − 2 × 3（高于目标 0 共 3，每 1 扣 2，最低 0）"


def test_steps_of_a_completion_rate_in_percentage_points():
    """Target 2 亿元, 1.8 actual: 90 % complete, 10 points short of 100 %, 0.5 per point → 5."""
    funds = {"code": "funds", "weight": 10, "method": "linear", "basis": "completion_rate", "target": 2,
             "deduct": 0.5, "add": 0.2, "ceiling": 12}
    _, r = one(funds, "1.8", "2.1", "1.93")
    assert points(r, "甲", "funds") == D("5.00")  # 10 − 0.5 × 10
    assert points(r, "乙", "funds") == D("11.00")  # 105 %: 10 + 0.2 × 5
    assert points(r, "丙", "funds") == D("8.25")  # 96.5 %: 10 − 0.5 × 3.5
    assert "完成率 90%（1.8/2）" in r.unit("甲").scores["funds"].how


def test_steps_of_a_given_size():
    """每少 5 户扣 1 分: target 100 firms, 88 → 12 short = 2.4 steps → 10 − 2.4; in whole steps 3 → 7."""
    firms = {"code": "firms", "weight": 10, "method": "linear", "target": 100, "per": 5, "deduct": 1}
    _, r = one(firms, 88, 100, 130)
    assert points(r, "甲", "firms") == D("7.60")
    assert points(r, "丙", "firms") == D("10.00")  # nothing added without `add`
    _, r = one({**firms, "whole_steps": True}, 88, 100, 130)
    assert points(r, "甲", "firms") == D("7.00")


def test_target_per_unit_and_from_the_values_file():
    s = scheme([{**RATE, "targets": {"乙": 90}}], units=("甲", "乙"))
    r = score_scheme(s, values([("甲", "rate", 95, 98), ("乙", "rate", 95)]), "2022-12")
    assert points(r, "甲", "rate") == D("8.50")  # the file's target 98: 10 − 0.5 × 3
    assert points(r, "乙", "rate") == D("11.00")  # its own 90: 10 + 0.2 × 5


def test_max_points_is_the_ceiling_and_rescaling_uses_the_weight():
    s, r = one(RATE, 100, 100, 100)
    assert s.indicator("rate").max_points == D(12)


def test_what_if_gain_per_unit_and_improvement_to_pass():
    s = scheme([RATE], units=("甲", "乙"))
    v = values([("甲", "rate", 99), ("乙", "rate", "96.5")])
    rows = {row.indicator: row for row in what_if(s, v, "2022-12", "乙")}
    assert rows["rate"].gain_per_unit == D("0.50")  # one more point of completion: 0.5 less deducted
    # 甲 has 10 − 0.5 × 1 = 9.5. 乙 at 96.5 + 2.49 = 98.99 has 10 − 0.5 × 1.01 = 9.495, which rounds half up
    # to 9.50: the two share first place. At + 2.48, 9.49 is not enough.
    assert rows["rate"].to_next_place == D("2.49")
    # In whole steps 乙 (3.5 short → 4 steps, 8.0) needs to be at most 1 short: +2.5 as well, but 98.9 is not
    # enough (2 steps, 9.0) while 99 is.
    whole = scheme([{**RATE, "whole_steps": True}], units=("甲", "乙"))
    rows = {row.indicator: row for row in what_if(whole, v, "2022-12", "乙")}
    assert (rows["rate"].gain_per_unit, rows["rate"].to_next_place) == (D("0.50"), D("2.50"))
    above = what_if(s, values([("甲", "rate", 104), ("乙", "rate", 101)]), "2022-12", "乙")
    assert above[0].gain_per_unit == D("0.20")  # above the target: 0.2 per point


def test_the_rule_in_words_for_the_scheme_page():
    assert linear_rule_text({**RATE, "whole_steps": True}) == (
        "以目标值为满分 10 分，每低 1 扣 0.5 分，最低 0 分；每高 1 加 0.2 分，最高 12 分；不足 1 按 1 计"
    )
    accidents = {"weight": 10, "method": "linear", "direction": "lower", "target": 0, "deduct": 2}
    assert linear_rule_text(accidents) == "以目标值为满分 10 分，每高 1 扣 2 分，最低 0 分"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"deduct": None}, "指标 rate 的 deduct"),
        ({"deduct": -1}, "指标 rate 的 deduct"),
        ({"add": -0.2}, "指标 rate 的 add"),
        ({"per": 0}, "指标 rate 的 per"),
        ({"ceiling": 9}, "指标 rate 的 ceiling"),
        ({"ceiling": 2000}, "指标 rate 的 ceiling"),
        ({"floor": 11}, "指标 rate 的 floor"),
        ({"basis": "ratio"}, "指标 rate 的 basis"),
        ({"whole_steps": "yes"}, "指标 rate 的 whole_steps"),
        ({"basis": "completion_rate", "target": 0}, "指标 rate 的 target"),
    ],
)
def test_bad_linear_indicators_are_refused_saying_where(changes, message):
    indicator = {**RATE, **changes}
    indicator = {k: v for k, v in indicator.items() if v is not None}
    with pytest.raises(SchemeError, match=message):
        scheme_from_dict(
            {
                "code": "t",
                "name": "t",
                "year": 2022,
                "groups": [{"code": "g", "units": ["甲"]}],
                "indicators": [indicator],
                "grades": [{"name": "合格"}],
            }
        )
