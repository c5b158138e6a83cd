"""Every scoring method against hand-computed examples, with the arithmetic written out."""

from decimal import Decimal as D

import pytest

from guatu.lib.scoring import SchemeError, Values, scheme_from_dict, score_scheme
from guatu.lib.scoring.engine import ScoringError, competition_ranks

GRADES = [
    {"name": "优秀", "min": 90},
    {"name": "良好", "min": 80},
    {"name": "一般", "min": 60},
    {"name": "较差"},
]


def scheme(indicators, units=("甲", "乙", "丙", "丁"), **extra):
    return scheme_from_dict(
        {
            "code": "t",
            "name": "测试方案",
            "year": 2022,
            "groups": [{"code": "g", "name": "乡镇", "units": list(units)}],
            "indicators": indicators,
            "grades": extra.pop("grades", GRADES),
            **extra,
        }
    )


def values(rows, period="2022-12"):
    v = Values()
    for unit, code, value, *target in rows:
        v.set(
            unit,
            code,
            period,
            None if value is None else D(str(value)),
            D(str(target[0])) if target else None,
        )
    return v


def points(result, unit, code):
    return result.unit(unit).scores[code].points


def test_completion_rate_higher_is_better_with_cap():
    s = scheme(
        [{"code": "inv", "weight": 20, "method": "completion_rate", "cap": 1.2, "target": 100}],
        units=("甲", "乙", "丙"),
    )
    r = score_scheme(s, values([("甲", "inv", 90), ("乙", "inv", 130), ("丙", "inv", "95.555")]), "2022-12")
    assert points(r, "甲", "inv") == D("18.00")  # 20 × 90/100
    assert points(r, "乙", "inv") == D("24.00")  # 20 × min(1.3, 1.2)
    assert points(r, "丙", "inv") == D("19.11")  # 20 × 0.95555 = 19.111 → 19.11


def test_completion_rate_lower_is_better_and_targets_per_unit():
    s = scheme(
        [
            {
                "code": "pm25",
                "weight": 10,
                "method": "completion_rate",
                "direction": "lower",
                "target": 35,
                "targets": {"丙": 40},
            }
        ],
        units=("甲", "乙", "丙"),
    )
    r = score_scheme(s, values([("甲", "pm25", 40), ("乙", "pm25", 30), ("丙", "pm25", 50)]), "2022-12")
    assert points(r, "甲", "pm25") == D("8.75")  # 10 × 35/40
    assert points(r, "乙", "pm25") == D("10.00")  # 10 × min(35/30, 1)
    assert points(r, "丙", "pm25") == D("8.00")  # its own target: 10 × 40/50
    # A target in the values file wins over the scheme's.
    r = score_scheme(s, values([("甲", "pm25", 40, 20), ("乙", "pm25", 30), ("丙", "pm25", 50)]), "2022-12")
    assert points(r, "甲", "pm25") == D("5.00")  # 10 × 20/40


def test_efficacy_coefficient_against_the_group():
    s = scheme([{"code": "tax", "weight": 10, "method": "efficacy"}], units=("甲", "乙", "丙"))
    r = score_scheme(s, values([("甲", "tax", 50), ("乙", "tax", 80), ("丙", "tax", 100)]), "2022-12")
    assert points(r, "甲", "tax") == D("6.00")  # 10 × (0.6 + 0.4 × 0/50)
    assert points(r, "乙", "tax") == D("8.40")  # 10 × (0.6 + 0.4 × 30/50)
    assert points(r, "丙", "tax") == D("10.00")


def test_efficacy_lower_is_better_fixed_bounds_and_all_equal():
    s = scheme(
        [{"code": "energy", "weight": 10, "method": "efficacy", "direction": "lower"}],
        units=("甲", "乙", "丙"),
    )
    r = score_scheme(
        s, values([("甲", "energy", 50), ("乙", "energy", 80), ("丙", "energy", 100)]), "2022-12"
    )
    assert [points(r, u, "energy") for u in "甲乙丙"] == [
        D("10.00"),
        D("7.60"),
        D("6.00"),
    ]  # 乙: 0.6 + 0.4 × 20/50
    fixed = scheme(
        [{"code": "e", "weight": 10, "method": "efficacy", "worst": 60, "best": 100}],
        units=("甲", "乙", "丙"),
    )
    r = score_scheme(fixed, values([("甲", "e", 40), ("乙", "e", 90), ("丙", "e", 120)]), "2022-12")
    assert [points(r, u, "e") for u in "甲乙丙"] == [D("6.00"), D("9.00"), D("10.00")]  # clamped at both ends
    r = score_scheme(s, values([("甲", "energy", 7), ("乙", "energy", 7), ("丙", "energy", 7)]), "2022-12")
    assert {points(r, u, "energy") for u in "甲乙丙"} == {D("10.00")}


def test_rank_method_ties_share_the_better_place_with_a_floor():
    assert competition_ranks({"a": D(90), "b": D(80), "c": D(80), "d": D(70)}, True) == {
        "a": 1,
        "b": 2,
        "c": 2,
        "d": 4,
    }
    s = scheme([{"code": "safety", "weight": 10, "method": "rank", "step": 2, "floor": 5}])
    r = score_scheme(
        s,
        values([("甲", "safety", 90), ("乙", "safety", 80), ("丙", "safety", 80), ("丁", "safety", 70)]),
        "2022-12",
    )
    # 1st: 10; 2nd (twice): 10 − 2 = 8; 4th: 10 − 6 = 4, raised to the floor 5.
    assert [points(r, u, "safety") for u in "甲乙丙丁"] == [D("10.00"), D("8.00"), D("8.00"), D("5.00")]


def test_threshold_table():
    s = scheme(
        [
            {
                "code": "env",
                "weight": 10,
                "method": "threshold",
                "bands": [{"min": 95, "points": 10}, {"min": 90, "points": 8}, {"points": 5}],
            }
        ],
        units=("甲", "乙", "丙"),
    )
    r = score_scheme(s, values([("甲", "env", 95), ("乙", "env", "94.99"), ("丙", "env", 10)]), "2022-12")
    assert [points(r, u, "env") for u in "甲乙丙"] == [D("10.00"), D("8.00"), D("5.00")]


def test_quarterly_process_weighting():
    s = scheme(
        [
            {
                "code": "inv",
                "weight": 10,
                "method": "completion_rate",
                "target": 100,
                "process": {3: 0.15, 6: 0.25, 9: 0.25, 12: 0.35},
            }
        ],
        units=("甲",),
    )
    v = Values()
    for period, x in (("2022-03", 100), ("2022-06", 50), ("2022-09", 80), ("2022-12", 100)):
        v.set("甲", "inv", period, D(x))
    # Year: 0.15 × 10 + 0.25 × 5 + 0.25 × 8 + 0.35 × 10 = 1.5 + 1.25 + 2 + 3.5 = 8.25
    assert points(score_scheme(s, v, "2022-12"), "甲", "inv") == D("8.25")
    # At mid-year only Q1 and H1 count, renormalised: (1.5 + 1.25) / 0.40 = 6.875 → 6.88 (half up)
    assert points(score_scheme(s, v, "2022-06"), "甲", "inv") == D("6.88")


def test_not_applicable_rescales_to_the_full_weight():
    s = scheme(
        [
            {"code": "a", "weight": 60, "method": "completion_rate", "target": 100},
            {
                "code": "park",
                "weight": 40,
                "method": "completion_rate",
                "target": 100,
                "not_applicable": ["乙"],
            },
        ],
        units=("甲", "乙", "丙"),
    )
    r = score_scheme(
        s,
        values(
            [
                ("甲", "a", 75),
                ("甲", "park", 100),
                ("乙", "a", "74.0666"),
                ("丙", "a", 75),
                ("丙", "park", None),
            ]
        ),
        "2022-12",
    )
    assert r.unit("甲").total == D("85.00")  # 45 + 40, nothing to rescale
    # 乙: 60 × 0.740666 = 44.44 (rounded); 44.44 × 100/60 = 74.0666… → 74.07
    assert (r.unit("乙").base, r.unit("乙").rescaled) == (D("44.44"), D("74.07"))
    assert r.unit("乙").scores["park"].points is None
    # 丙 marks it NA in the values file: 45 × 100/60 = 75.00
    assert r.unit("丙").rescaled == D("75.00")


def test_bonus_and_penalty_caps():
    s = scheme(
        [{"code": "a", "weight": 100, "method": "completion_rate", "target": 100}],
        units=("甲",),
        bonus_cap=3,
        penalty_cap=5,
    )
    v = values([("甲", "a", 80)])
    for kind, amount in (("bonus", "2"), ("bonus", "2"), ("penalty", "1"), ("penalty", "1.5")):
        v.add_item(kind, "甲", D(amount))
    result = score_scheme(s, v, "2022-12").unit("甲")
    assert (result.bonus, result.penalty, result.total) == (
        D("3"),
        D("2.5"),
        D("80.50"),
    )  # 80 + min(4, 3) − 2.5


@pytest.mark.parametrize(("effect", "grade"), [("not_top", "良好"), ("lowest", "较差")])
def test_veto(effect, grade):
    s = scheme(
        [{"code": "a", "weight": 100, "method": "completion_rate", "target": 100}],
        units=("甲", "乙"),
        veto_effect=effect,
    )
    v = values([("甲", "a", 95), ("乙", "a", 95)])
    v.add_item("veto", "甲", D(1))
    r = score_scheme(s, v, "2022-12")
    assert (r.unit("甲").grade, r.unit("乙").grade) == (grade, "优秀")
    # Equal totals: the vetoed unit ranks after the other.
    assert (r.unit("乙").rank, r.unit("甲").rank) == (1, 2)


def test_overall_ties_broken_by_the_heaviest_indicator_then_shared():
    s = scheme(
        [
            {"code": "big", "weight": 60, "method": "completion_rate", "target": 100},
            {"code": "small", "weight": 40, "method": "completion_rate", "target": 100},
        ]
    )
    r = score_scheme(
        s,
        values(
            [
                ("甲", "big", 50),
                ("甲", "small", 100),  # 30 + 40 = 70
                ("乙", "big", 100),
                ("乙", "small", 25),  # 60 + 10 = 70: more on the heavier indicator
                ("丙", "big", 50),
                ("丙", "small", 100),  # exactly like 甲
                ("丁", "big", 100),
                ("丁", "small", 100),
            ]
        ),
        "2022-12",
    )
    assert [(u.unit, u.rank) for u in r.groups[0].units] == [("丁", 1), ("乙", 2), ("丙", 3), ("甲", 3)]


def test_quota_limits_the_top_grade_by_rank():
    grades = [
        {"name": "优秀", "min": 90, "quota": 0.3},
        {"name": "良好", "min": 80},
        {"name": "一般", "min": 60},
        {"name": "较差"},
    ]
    s = scheme([{"code": "a", "weight": 100, "method": "completion_rate", "target": 100}], grades=grades)
    # Four units: ⌊0.3 × 4⌋ = 1 place for 优秀.
    r = score_scheme(
        s, values([("甲", "a", 99), ("乙", "a", 95), ("丙", "a", 85), ("丁", "a", 50)]), "2022-12"
    )
    assert [u.grade for u in r.groups[0].units] == ["优秀", "良好", "良好", "较差"]
    # Two units share first place and only one 优秀 is allowed: both drop to 良好.
    r = score_scheme(
        s, values([("甲", "a", 99), ("乙", "a", 99), ("丙", "a", 85), ("丁", "a", 50)]), "2022-12"
    )
    assert [u.grade for u in r.groups[0].units] == ["良好", "良好", "良好", "较差"]


def test_missing_values_are_reported_together():
    s = scheme([{"code": "a", "weight": 100, "method": "completion_rate", "target": 100}], units=("甲", "乙"))
    with pytest.raises(ScoringError) as caught:
        score_scheme(s, Values(), "2022-12")
    assert len(caught.value.errors) == 2 and "甲" in caught.value.errors[0]


@pytest.mark.parametrize(
    ("indicator", "message"),
    [
        ({"code": "a", "weight": 10, "method": "magic"}, "method"),
        ({"code": "a", "weight": 0, "method": "efficacy"}, "weight"),
        ({"code": "a", "weight": 10, "method": "rank"}, "step"),
        (
            {
                "code": "a",
                "weight": 10,
                "method": "threshold",
                "bands": [{"min": 90, "points": 5}, {"points": 8}],
            },
            "fewer points",
        ),
        ({"code": "a", "weight": 10, "method": "threshold", "bands": [{"points": 11}]}, "between 0"),
        ({"code": "a", "weight": 10, "method": "efficacy", "worst": 3}, "both"),
        ({"code": "a", "weight": 10, "method": "completion_rate", "process": {3: 0.5, 6: 0.4}}, "add up"),
        ({"code": "bonus", "weight": 10, "method": "efficacy"}, "reserved"),
        ({"code": "a", "weight": 10, "method": "efficacy", "colour": 1}, "unknown"),
    ],
)
def test_bad_schemes_are_refused_saying_where(indicator, message):
    with pytest.raises(SchemeError, match=message):
        scheme([indicator])


def test_what_if_points_per_unit_and_improvement_to_pass_the_next_unit():
    from guatu.lib.scoring.whatif import what_if

    s = scheme(
        [
            {"code": "inv", "weight": 60, "method": "completion_rate", "target": 100},
            {"code": "env", "weight": 40, "method": "completion_rate", "target": 50},
        ],
        units=("甲", "乙"),
    )
    v = values([("甲", "inv", 90), ("甲", "env", 50), ("乙", "inv", 80), ("乙", "env", 45)])
    # 甲: 54 + 40 = 94; 乙: 48 + 36 = 84 → 乙 is second.
    rows = {r.indicator: r for r in what_if(s, v, "2022-12", "乙")}
    assert rows["inv"].gain_per_unit == D("0.60")  # 60 × 1/100 per point of completion
    assert rows["env"].gain_per_unit == D("0.80")  # 40 × 1/50
    # To pass 甲 (94) on inv alone, 乙 needs inv points of 58 with env's 36: 60 × x/100 rounding to 58.00
    # needs x ≥ 96.6584 (57.995 rounds up), and at 94 all 乙 wins the tie on the heavier inv (58 > 54).
    # From 80 that is +16.6584 → 16.66 rounded up to the cent. (inv caps at 60, so it is reachable.)
    assert rows["inv"].to_next_place == D("16.66")
    # env is capped at 40 already at 50: 乙 can gain 4 points at most → cannot pass 甲 on env alone.
    assert rows["env"].to_next_place is None
    assert rows["inv"].next_place_unit == "甲"
    # The biggest loss comes first: inv loses 12, env 4.
    assert [r.indicator for r in what_if(s, v, "2022-12", "乙")] == ["inv", "env"]
    # The leader has nobody to pass.
    assert all(r.to_next_place is None for r in what_if(s, v, "2022-12", "甲"))


@pytest.mark.parametrize(
    "broken",
    [
        {"code": "x", "name": "x", "year": 2022, "groups": [{"name": "no code"}], "indicators": [], "grades": [{"name": "a"}]},
        {"code": "x", "name": "x", "year": "twenty", "groups": [], "indicators": [], "grades": [{"name": "a"}]},
        {"code": "x", "name": "x", "year": 2022, "groups": "g", "indicators": [], "grades": [{"name": "a"}]},
        [],
    ],
)
def test_malformed_schemes_are_scheme_errors(broken):
    with pytest.raises(SchemeError):
        scheme_from_dict(broken)


def test_a_quota_seat_refused_to_tied_units_goes_to_no_one_ranked_below_them():
    """优秀 ≥ 90 with a 30 % quota in a group of five: ⌊0.3 × 5⌋ = 1 seat."""
    grades = [
        {"name": "优秀", "min": 90, "quota": 0.3},
        {"name": "良好", "min": 80},
        {"name": "一般", "min": 60},
        {"name": "较差"},
    ]
    s = scheme(
        [{"code": "a", "weight": 100, "method": "completion_rate", "target": 100, "cap": 1.2}],
        units=("甲", "乙", "丙", "丁", "戊"),
        grades=grades,
    )
    v = values([("甲", "a", 120), ("乙", "a", 115), ("丙", "a", 115), ("丁", "a", 90), ("戊", "a", 70)])
    v.add_item("veto", "甲", D(1))
    r = score_scheme(s, v, "2022-12")
    # 甲 (120, rank 1) is vetoed: 良好 at best, and it takes no 优秀 seat.
    # 乙 and 丙 share rank 2 at 115: two units for one seat, so both are refused 优秀 and get 良好.
    # 丁 (90, rank 4) reaches 优秀's minimum, but 优秀 was refused to units ranked above it: 良好, not 优秀.
    assert {u.unit: (u.rank, u.grade) for u in r.groups[0].units} == {
        "甲": (1, "良好"),
        "乙": (2, "良好"),
        "丙": (2, "良好"),
        "丁": (4, "良好"),
        "戊": (5, "一般"),
    }


def test_an_indicator_for_other_groups_rescales_like_not_applicable():
    s = scheme_from_dict(
        {
            "code": "t",
            "name": "测试方案",
            "year": 2022,
            "groups": [
                {"code": "town", "name": "乡镇", "units": ["甲", "乙"]},
                {"code": "street", "name": "街道", "units": ["丙"]},
            ],
            "indicators": [
                {"code": "a", "weight": 90, "method": "completion_rate", "target": 100},
                {
                    "code": "park",
                    "weight": 10,
                    "method": "completion_rate",
                    "target": 100,
                    "groups": ["town"],
                    "not_applicable": ["乙"],
                },
            ],
            "grades": GRADES,
        }
    )
    r = score_scheme(
        s, values([("甲", "a", 90), ("甲", "park", 100), ("乙", "a", 90), ("丙", "a", 90)]), "2022-12"
    )
    # Every unit on the same 100: 甲 81 + 10 = 91, nothing to rescale.
    assert (r.unit("甲").rescaled, r.unit("甲").rescaled_for) == (D("91.00"), {})
    # 乙 (park not applicable) and 丙 (a street: park is for townships only) both: 81 × 100/90 = 90.00.
    assert (r.unit("乙").base, r.unit("乙").rescaled) == (D("81.00"), D("90.00"))
    assert (r.unit("丙").base, r.unit("丙").rescaled) == (D("81.00"), D("90.00"))
    assert r.unit("乙").rescaled_for == {"park": "not_applicable"}
    assert r.unit("丙").rescaled_for == {"park": "not_for_group"}
    # Both reach 优秀's 90 alike; the card shows why the indicator was left out.
    assert r.unit("乙").grade == r.unit("丙").grade == "优秀"
    assert r.unit("丙").scores["park"].points is None and "本组" in r.unit("丙").scores["park"].how
    assert "不适用" in r.unit("乙").scores["park"].how


def test_a_scheme_name_of_millions_of_characters_is_refused():
    with pytest.raises(SchemeError, match="考核办法名称 name：最多 200 个字符"):
        scheme([{"code": "a", "weight": 10, "method": "efficacy"}], name="考" * 3_800_000)


@pytest.mark.parametrize(
    ("indicator", "message"),
    [
        ({"code": "a", "name": "长" * 101, "weight": 10, "method": "efficacy"}, "指标 a 的 name：最多 100 个字符"),
        ({"code": "a" * 51, "weight": 10, "method": "efficacy"}, "指标 aaaaaaaaaaaaaaaaaaaa… 的 code：最多 50 个字符"),
        ({"code": "a", "unit": "亿" * 31, "weight": 10, "method": "efficacy"}, "指标 a 的 unit：最多 30 个字符"),
        ({"code": "a", "name": ["x", "y"], "weight": 10, "method": "efficacy"}, "指标 a 的 name：应为文字"),
        ({"code": "a", "weight": "1e400", "method": "efficacy"}, "指标 a 的 weight：数字"),
        ({"code": "a", "weight": "10.123456", "method": "efficacy"}, "指标 a 的 weight：数字"),
        (
            {"code": "a", "weight": 10, "method": "completion_rate", "target": "1234567890123456"},
            "指标 a 的 target：数字",
        ),
        ({"code": "a", "weight": 100000, "method": "efficacy"}, "指标 a 的 weight：最大 1000"),
    ],
)
def test_scheme_strings_and_numbers_are_bounded_naming_indicator_and_field(indicator, message):
    with pytest.raises(SchemeError, match=message):
        scheme([indicator])


def test_group_unit_and_grade_names_are_bounded():
    with pytest.raises(SchemeError, match="分组 g 的 units：最多 100 个字符"):
        scheme([{"code": "a", "weight": 10, "method": "efficacy"}], units=("甲" * 101,))
    with pytest.raises(SchemeError, match="等次 .* 的 name：最多 20 个字符"):
        scheme(
            [{"code": "a", "weight": 10, "method": "efficacy"}],
            grades=[{"name": "优" * 21, "min": 90}, {"name": "较差"}],
        )


def test_the_how_text_reads_as_a_person_writes_figures():
    """No trailing zeros from the database's four places, and a catch-all band named as such, not "[ ]"."""
    s = scheme(
        [
            {
                "code": "env",
                "weight": 10,
                "method": "threshold",
                "bands": [{"min": 85, "points": 10}, {"points": 5}],
            }
        ],
        units=("甲", "乙"),
    )
    r = score_scheme(s, values([("甲", "env", "88.4000"), ("乙", "env", "77.78")]), "2022-12")
    assert r.unit("甲").scores["env"].how == "88.4 落在 ≥85 档：10 分"
    assert r.unit("乙").scores["env"].how == "77.78 落在其余情形：5 分"
