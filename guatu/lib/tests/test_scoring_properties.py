"""Properties of the scoring engine that must hold for any values."""

from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from guatu.lib.scoring import Values, scheme_from_dict, score_scheme

INDICATORS = [
    {"code": "rate", "weight": 30, "method": "completion_rate", "cap": 1.2, "target": 100},
    {"code": "low", "weight": 10, "method": "completion_rate", "direction": "lower", "target": 50},
    {"code": "eff", "weight": 20, "method": "efficacy"},
    {"code": "effl", "weight": 10, "method": "efficacy", "direction": "lower"},
    {"code": "rank", "weight": 15, "method": "rank", "step": 3, "floor": 3},
    {
        "code": "band",
        "weight": 15,
        "method": "threshold",
        "bands": [{"min": 150, "points": 15}, {"min": 80, "points": 9}, {"points": 2}],
    },
]
CODES = [i["code"] for i in INDICATORS]
GRADES = [
    {"name": "优秀", "min": 90, "quota": 0.3},
    {"name": "良好", "min": 80},
    {"name": "一般", "min": 60},
    {"name": "较差"},
]

amount = st.decimals(min_value=0, max_value=200, places=2, allow_nan=False, allow_infinity=False)
unit_values = st.fixed_dictionaries({code: amount for code in CODES})
world = st.lists(unit_values, min_size=2, max_size=6)


def build(units):
    return scheme_from_dict(
        {
            "code": "p",
            "name": "p",
            "year": 2022,
            "groups": [{"code": "g", "name": "g", "units": units}],
            "indicators": INDICATORS,
            "grades": GRADES,
        }
    )


def fill(rows, names, order):
    v = Values()
    for i in order:
        for code in CODES:
            v.set(names[i], code, "2022-12", rows[i][code])
    return v


def summary(result):
    return {
        u.unit: (u.total, u.rank, u.grade, tuple(sorted((c, s.points) for c, s in u.scores.items())))
        for g in result.groups
        for u in g.units
    }


@settings(max_examples=60, deadline=None)
@given(world, st.randoms(use_true_random=False))
def test_results_do_not_depend_on_the_order_of_units_or_rows(rows, rnd):
    names = [f"单位{i}" for i in range(len(rows))]
    base = score_scheme(build(names), fill(rows, names, range(len(rows))), "2022-12")
    shuffled_names = names[:]
    rnd.shuffle(shuffled_names)
    order = list(range(len(rows)))
    rnd.shuffle(order)
    again = score_scheme(build(shuffled_names), fill(rows, names, order), "2022-12")
    assert summary(base) == summary(again)


@settings(max_examples=60, deadline=None)
@given(world)
def test_points_stay_within_their_weights(rows):
    names = [f"单位{i}" for i in range(len(rows))]
    scheme = build(names)
    result = score_scheme(scheme, fill(rows, names, range(len(rows))), "2022-12")
    for group in result.groups:
        for unit in group.units:
            for code, score in unit.scores.items():
                assert D(0) <= score.points <= scheme.indicator(code).max_points
            assert unit.total <= sum(i.max_points for i in scheme.indicators)


@settings(max_examples=80, deadline=None)
@given(world, st.data())
def test_improving_a_higher_is_better_value_never_lowers_the_points(rows, data):
    names = [f"单位{i}" for i in range(len(rows))]
    scheme = build(names)
    who = data.draw(st.integers(min_value=0, max_value=len(rows) - 1))
    code = data.draw(st.sampled_from([c for c in CODES if scheme.indicator(c).higher_is_better]))
    step = data.draw(st.decimals(min_value="0.01", max_value=100, places=2))
    before = score_scheme(scheme, fill(rows, names, range(len(rows))), "2022-12")
    better = [dict(r) for r in rows]
    better[who][code] = better[who][code] + step
    after = score_scheme(scheme, fill(better, names, range(len(rows))), "2022-12")
    assert after.unit(names[who]).scores[code].points >= before.unit(names[who]).scores[code].points
