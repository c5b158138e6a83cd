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
    {"code": "lin", "weight": 10, "method": "linear", "target": 100, "deduct": 0.5, "add": 0.2, "ceiling": 12},
    {
        "code": "linw",
        "weight": 10,
        "method": "linear",
        "basis": "completion_rate",
        "target": 80,
        "per": 2,
        "deduct": 1,
        "whole_steps": True,
        "floor": 1,
    },
    {"code": "linl", "weight": 5, "method": "linear", "direction": "lower", "target": 20, "deduct": 0.3},
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


GRADE_NAMES = ["优秀", "良好", "一般", "较差"]
quota = st.one_of(st.none(), st.decimals(min_value="0.05", max_value=1, places=2))
# Few distinct totals, so that ties at a quota's edge are common.
graded_unit = st.tuples(st.sampled_from([D(x) for x in (50, 70, 85, 90, 95, 115, 120)]), st.booleans())


@settings(max_examples=400, deadline=None)
@given(
    st.lists(graded_unit, min_size=1, max_size=9),
    st.tuples(quota, quota, quota),
    st.sampled_from(["not_top", "lowest"]),
)
def test_grades_are_monotone_in_rank_among_units_not_vetoed(units, quotas, veto_effect):
    """Quotas never give a unit a better grade than a unit ranked above it (vetoed units aside)."""
    names = [f"单位{i}" for i in range(len(units))]
    grades = [
        {"name": "优秀", "min": 90},
        {"name": "良好", "min": 80},
        {"name": "一般", "min": 60},
        {"name": "较差"},
    ]
    for grade, share in zip(grades, quotas, strict=False):
        if share is not None:
            grade["quota"] = share
    s = scheme_from_dict(
        {
            "code": "q",
            "name": "q",
            "year": 2022,
            "groups": [{"code": "g", "name": "g", "units": names}],
            "indicators": [
                {"code": "a", "weight": 100, "method": "completion_rate", "target": 100, "cap": 1.2}
            ],
            "grades": grades,
            "veto_effect": veto_effect,
        }
    )
    v = Values()
    for name, (total, vetoed) in zip(names, units, strict=True):
        v.set(name, "a", "2022-12", total)
        if vetoed:
            v.add_item("veto", name, D(1))
    ranked = sorted(score_scheme(s, v, "2022-12").groups[0].units, key=lambda u: u.rank)
    clean = [GRADE_NAMES.index(u.grade) for u in ranked if not u.vetoed]
    assert clean == sorted(clean)
