"""The phased plans' roll-up (AnnualPlan.phased_01..12) stays equal to the months, whatever the service does."""

import importlib
import random
from decimal import Decimal
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from guatu.projects import phasing
from guatu.projects.models import AnnualPlan, PlanMonth, phased_field
from guatu.projects.services import annual_plan_set
from guatu.testing import make_project

pytestmark = pytest.mark.django_db


def _columns(plan: AnnualPlan) -> dict:
    plan.refresh_from_db()
    return {phased_field(m): getattr(plan, phased_field(m)) for m in range(1, 13)}


def _by_hand(plan: AnnualPlan) -> dict:
    months = dict(PlanMonth.objects.filter(plan=plan).values_list("month", "amount"))
    running, out = Decimal(0), {}
    for m in range(1, 13):
        running += months.get(m, Decimal(0))
        out[phased_field(m)] = running if months else None
    return out


def test_every_plan_set_leaves_the_columns_equal_to_the_months(world):
    w = world
    rng = random.Random(12)
    projects = [w.project_a, make_project(location=w.town_a, plan=None, start_year=2022, end_year=2023)]
    for _ in range(40):
        project, year = rng.choice(projects), rng.choice([2022, 2023])
        if not project.start_year <= year <= project.end_year:
            continue
        cents = [rng.randrange(0, 500_000) for _ in range(12)]
        months = None
        if rng.random() < 0.7:
            chosen = rng.sample(range(1, 13), rng.randrange(1, 13))
            months = {m: Decimal(cents[m - 1]).scaleb(-2) for m in chosen}
            amount = sum(months.values(), Decimal(0))
        else:
            amount = Decimal(rng.randrange(0, 9_000_000)).scaleb(-2)
        plan = annual_plan_set(project=project, year=year, amount=amount, months=months, by=w.reviewer)
        assert _columns(plan) == _by_hand(plan)
        if months:
            assert _columns(plan)[phased_field(12)] == amount
        assert phasing.differences() == []


def test_a_plan_no_longer_phased_has_no_phased_columns(world):
    w = world
    plan = annual_plan_set(
        project=w.project_a, year=2022, amount=Decimal("30"), months={3: Decimal("10"), 9: Decimal("20")}
    )
    assert _columns(plan)[phased_field(2)] == Decimal("0.00")
    assert _columns(plan)[phased_field(3)] == Decimal("10.00")
    assert _columns(plan)[phased_field(12)] == Decimal("30.00")
    plan = annual_plan_set(project=w.project_a, year=2022, amount=Decimal("30"))
    assert set(_columns(plan).values()) == {None}


def test_the_rollups_command_finds_a_drifted_plan_and_rebuilds_it(world):
    w = world
    plan = annual_plan_set(project=w.project_a, year=2022, amount=Decimal("5"), months={1: Decimal("5")})
    AnnualPlan.objects.filter(pk=plan.pk).update(phased_06=Decimal("4.99"))
    with pytest.raises(CommandError, match=f"plan {plan.pk} .*phased_06 4.99 ≠ 5.00"):
        call_command("rollups", "--verify", stdout=StringIO())
    out = StringIO()
    call_command("rollups", "--rebuild", stdout=out)
    call_command("rollups", "--verify", stdout=out)
    assert "every plan its months" in out.getvalue()
    assert _columns(plan) == _by_hand(plan)


def test_the_migration_fills_the_plans_phased_before_it(world):
    w = world
    plan = annual_plan_set(
        project=w.project_a, year=2022, amount=Decimal("7.5"), months={2: Decimal("2.5"), 4: Decimal("5")}
    )
    AnnualPlan.objects.update(**{phased_field(m): None for m in range(1, 13)})
    migration = importlib.import_module("guatu.projects.migrations.0007_plan_phased_rollup")
    migration.fill(apps, None)
    assert phasing.differences() == []
    assert _columns(plan)[phased_field(3)] == Decimal("2.50")
