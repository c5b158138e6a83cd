"""The battle map's figures added up in the database are, figure for figure and in form, what each project's own
figures add up to: the ranking of the units below and the chains against combined(progress_by_project) of
their projects, the summary and the curves against the same per tag and month, the lights per unit below
against the red and yellow list. Random data: projects located in and led by units at several depths (and one
led from outside), phased and unphased plans, projects without a plan, a cancelled one, reports of every
status, and amounts large enough for SQLite's floating-point sums to need rounding back to the cent."""

import random
from collections import defaultdict

import pytest

from guatu.battlemap import queries as battlemap
from guatu.battlemap.queries import band, unit_rankings_and_chains
from guatu.investment.queries import investment_summary
from guatu.lib.periods import Period
from guatu.lib.progress import combined
from guatu.lights.queries import warned_list
from guatu.lights.services import lights_compute_year, rules_for
from guatu.orgs.models import OrgUnitKind
from guatu.projects.models import AnnualPlan, IndustryChain, LevelTag, Project
from guatu.projects.queries import progress_by_project
from guatu.testing import bulk_random_figures, make_other_county, make_project, make_tag, make_unit

pytestmark = pytest.mark.django_db

FIELDS = ("ytd_completed", "annual_plan", "phased_to_date", "phased_whole")


def _random_county(w, rng: random.Random) -> Period:
    """Some 30 projects of the world's county (and one of another county led by its department)."""
    zone = make_unit("禾青工业园", OrgUnitKind.ZONE, w.town_a)
    office = make_unit("禾青镇经济办", OrgUnitKind.DEPARTMENT, w.town_a)
    other = make_other_county()
    chains = [
        IndustryChain.objects.create(name="锑产业链", jurisdiction=w.city),
        IndustryChain.objects.create(name="新材料产业链", jurisdiction=w.city),
    ]
    major = make_tag("major", "重大项目", order=4)
    tag_sets = [[], [w.county_tag], [w.county_tag, w.pref_tag], [w.pref_tag, major], [major]]
    places = [w.town_a, w.town_b, zone, w.town_a]
    leads = [None, w.dept, w.drc, office, w.town_b]
    projects = [
        make_project(
            location=places[i % len(places)],
            lead=leads[i % len(leads)],
            tags=tag_sets[i % len(tag_sets)],
            chain=[None, *chains][i % 3],
            plan=None if i % 7 == 3 else f"{rng.randrange(0, 5_000_000)}.{rng.randrange(100):02d}",
            stage="cancelled" if i == 5 else "continuing",
        )
        for i in range(28)
    ]
    projects.append(make_project(location=other.town, lead=w.dept, tags=[w.county_tag], chain=chains[0]))
    bulk_random_figures(
        rng,
        plans=AnnualPlan.objects.filter(project__in=projects, year=2022)[::3],
        projects=projects[1:],
        years=(2021, 2022),
        reporter=w.reporter,
    )
    return Period(2022, rng.randrange(1, 13))


def _assert_same(actual, expected):
    """The same Progress, and each amount in the same form (two places, as the pages print them)."""
    assert actual == expected
    for name in FIELDS:
        assert str(getattr(actual, name)) == str(getattr(expected, name)), name


def _expected_by_unit_below(unit, scope, period):
    """The ranking's figures project by project: progress_by_project of each, taken together (combined) per
    unit below `unit` it is located in, per unit below it that leads it, and per chain."""
    planned = {pid: p for pid, p in progress_by_project(scope, period).items() if p.annual_plan is not None}
    located, led, chains = defaultdict(list), defaultdict(list), defaultdict(list)
    for pid, location, lead, chain_id in Project.objects.filter(pk__in=list(planned)).values_list(
        "pk", "location_unit__path", "lead_unit__path", "chain_id"
    ):
        if (where := battlemap._child_of(unit, location)) is not None:
            located[where].append(planned[pid])
        if (who := battlemap._child_of(unit, lead)) is not None:
            led[who].append(planned[pid])
        if chain_id:
            chains[chain_id].append(planned[pid])
    return located, led, chains


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_units_below_and_chains_are_their_projects_taken_together(world, seed):
    w = world
    period = _random_county(w, random.Random(seed))
    for unit in (w.city, w.town_a):
        scope = Project.objects.in_unit(unit).counted().values("pk")
        rules = rules_for(unit)

        areas, departments, chains = unit_rankings_and_chains(unit, scope, period, rules)

        located, led, by_chain = _expected_by_unit_below(unit, scope, period)
        children = list(unit.children.all())
        assert {row.unit.pk for row in areas} == {c.pk for c in children if c.kind != OrgUnitKind.DEPARTMENT}
        assert {row.unit.pk for row in departments} == {
            c.pk for c in children if c.kind == OrgUnitKind.DEPARTMENT
        }
        for row in areas + departments:
            parts = (led if row.role == "department" else located)[row.unit.pk]
            expected = combined(period.month, parts)
            assert row.projects == len(parts), row.unit.name
            _assert_same(row.progress, expected)
            assert row.band == band(expected, rules)
        assert [row.chain.pk for row in chains] == sorted(by_chain)
        for row in chains:
            assert row.projects == len(by_chain[row.chain.pk])
            _assert_same(row.progress, combined(period.month, by_chain[row.chain.pk]))
    ranked = unit_rankings_and_chains(
        w.city, Project.objects.in_unit(w.city).counted().values("pk"), period, rules
    )
    assert sum(row.projects for row in ranked[0]) >= 20  # every located project of the county is in an area
    assert ranked[2], "the chains have planned projects"


@pytest.mark.parametrize("seed", [4, 5])
def test_summary_and_curves_are_the_lists_progress_month_by_month(world, seed):
    w = world
    period = _random_county(w, random.Random(seed))
    projects = Project.objects.in_unit(w.city)
    scope = projects.counted().values("pk")

    summary, curves = battlemap._summary_and_curves(scope, period)

    assert summary == investment_summary(projects, period)
    tags = list(LevelTag.objects.order_by("sort_order", "id"))
    assert [curve.tag for curve in curves] == tags
    on_lists = {tag.pk: set(scope.filter(tags=tag).values_list("pk", flat=True)) for tag in tags}
    for month in range(1, 13):
        progress = progress_by_project(scope, Period(period.year, month))
        for curve in curves:
            point = curve.points[month - 1]
            listed = [
                p
                for pid, p in progress.items()
                if pid in on_lists[curve.tag.pk] and p.annual_plan is not None
            ]
            expected = combined(month, listed)
            _assert_same(point.progress, expected)
            assert point.planned_to_date == (expected.planned_to_date or 0)
            assert point.completed == (expected.ytd_completed if month <= period.month else None)


def test_lights_per_unit_below_count_the_red_and_yellow_list(world):
    w = world
    period = _random_county(w, random.Random(6))
    lights_compute_year(unit=w.city, period=period)
    warned_in = {}
    for unit in (w.city, w.town_a):
        projects = Project.objects.in_unit(unit)

        below = {child.pk: child for child in unit.children.all()}
        rows, red, yellow = battlemap._lights_by_unit(unit, below, projects, period)

        expected: dict[int, dict[str, int]] = defaultdict(lambda: {"red": 0, "yellow": 0})
        warned = list(warned_list(projects, period))
        for light in warned:
            below = {
                battlemap._child_of(unit, light.project.location_unit.path),
                battlemap._child_of(unit, light.project.lead_unit.path),
            } - {None}
            for child in below:
                expected[child][light.light] += 1
        assert (red, yellow) == (
            sum(light.light == "red" for light in warned),
            sum(light.light == "yellow" for light in warned),
        )
        assert {row.unit.pk: {"red": row.red, "yellow": row.yellow} for row in rows} == expected
        warned_in[unit] = red + yellow
    assert warned_in[w.city] > 0
