"""The reserve's depth, added up in the database, is what its projects add up to one by one: per tier and
group, how many, their total investment to the cent (in the same form), and the part that meets the next
tier's gate under the jurisdiction's rules (the defaults, and gates a jurisdiction changed)."""

import random
from datetime import date
from decimal import Decimal

import pytest

from guatu.projects.models import Category, Milestone, MilestoneKind, Project, Tier
from guatu.reserve import rules as tier_rules
from guatu.reserve.queries import DIMENSIONS, reserve_depth
from guatu.testing import make_project

pytestmark = pytest.mark.django_db

ALL = "all"  # a tier's total in _expected
KINDS = [MilestoneKind.APPROVAL, MilestoneKind.LAND, MilestoneKind.PLANNING, MilestoneKind.ENVIRONMENT]


def _random_reserve(w, rng: random.Random):
    chain = w.city.industry_chains.create(name="锑产业链")
    projects = [
        make_project(
            location=rng.choice([w.town_a, w.town_b]),
            plan=None,
            tier=rng.choice(tier_rules.TIER_ORDER),
            category=rng.choice(Category.values),
            chain=rng.choice([None, chain]),
            start_year=rng.choice([2023, 2024, 2025]),
            end_year=2027,
            total_investment=f"{rng.randrange(0, 9_999_999)}.{rng.randrange(100):02d}",
            stage="cancelled" if i == 3 else "continuing",
        )
        for i in range(30)
    ]
    Milestone.objects.bulk_create(
        Milestone(
            project=project,
            kind=kind,
            name=str(kind),
            planned_date=date(2022, 1, 1),
            actual_date=date(2022, 2, 1) if rng.random() < 0.7 else None,
        )
        for project in projects
        for kind in KINDS
        if rng.random() < 0.8
    )
    return Project.objects.in_unit(w.city)


def _expected(projects, by: str, rules: tier_rules.Rules) -> dict:
    """(tier, group) → [count, investment, ready count, ready investment], project by project; the group ALL
    for a tier's total."""
    cells: dict = {}
    for project in projects.counted().prefetch_related("milestones"):
        done = {m.kind for m in project.milestones.all() if m.actual_date is not None}
        position = tier_rules.TIER_ORDER.index(project.tier)
        top = position == len(tier_rules.TIER_ORDER) - 1
        ready = (
            None
            if top
            else not tier_rules.missing_gates(
                rules, current=project.tier, target=tier_rules.TIER_ORDER[position + 1], done_kinds=done
            )
        )
        keys = [(project.tier, ALL)]
        if by:
            keys.append((project.tier, getattr(project, DIMENSIONS[by] if by != "chain" else "chain_id")))
        for cell_key in keys:
            cell = cells.setdefault(
                cell_key, [0, Decimal(0), None if top else 0, None if top else Decimal(0)]
            )
            cell[0] += 1
            cell[1] += project.total_investment
            if ready:
                cell[2] += 1
                cell[3] += project.total_investment
    return cells


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("by", ["category", "year", "chain", None])
def test_each_cell_is_its_projects_added_up(world, seed, by):
    w = world
    projects = _random_reserve(w, random.Random(seed))
    changed = tier_rules.Rules(
        entry=tier_rules.default_rules().entry,
        gates={Tier.RESERVE: (), Tier.ROLLING: (MilestoneKind.LAND,), Tier.IMPLEMENTATION: ()},
        gate_versions=dict.fromkeys(tier_rules.TIER_ORDER, 1),
    )
    for rules in (tier_rules.default_rules(), changed):
        depth = reserve_depth(projects, by=by, rules=rules)

        expected = _expected(projects, by, rules)
        got = {(row.tier, row.key): row for row in depth.rows}
        got.update({(row.tier, ALL): row for row in depth.totals if row.count})
        assert got.keys() == expected.keys()
        for key, (count, investment, ready_count, ready_investment) in expected.items():
            row = got[key]
            assert (row.count, row.ready_count) == (count, ready_count), key
            assert str(row.investment) == str(investment), key
            assert str(row.ready_investment) == str(ready_investment), key
        assert [row.tier for row in depth.totals] == tier_rules.TIER_ORDER
        assert any(row.ready_count for row in depth.totals)
