"""battlemap_data reads a fixed number of queries whatever the data: few projects or many, in more units,
chains, lights, reserve tiers, problems and orders, for a county and for a township."""

from datetime import UTC, date, datetime

import pytest
import time_machine

from guatu.battlemap.queries import battlemap_data
from guatu.dispatch.services import problem_raise_and_assign, supervision_issue
from guatu.lib.periods import Period
from guatu.lights.services import lights_compute_year
from guatu.orgs.models import OrgUnitKind
from guatu.projects.models import IndustryChain, Milestone, MilestoneKind, PlanMonth, Tier
from guatu.projects.phasing import refresh_phasing
from guatu.reports.models import MonthlyReport, ReportStatus
from guatu.reports.rollups import rebuild_rollups
from guatu.testing import make_project, make_unit

pytestmark = pytest.mark.django_db

PERIOD = Period(2022, 3)
EARLIER = datetime(2022, 4, 1, 9, tzinfo=UTC)
# The lights' rules (1); summary and curves: the tags' totals through the year and the tags (2); the units below
# and chains: the plans added up, the units, the chains (3); the county's other chains (1) and every chain's
# targets (chains.queries.chain_figures, 7); lights per unit below and per tag (2); problems and requests by
# status (1); orders: the counts and the first due (2); assessment rankings and headlines (2); leads (4); the
# requests' figures (1); reserve tiers: the rules and the depth (3). A township owns no chains (one query fewer)
# and looks up its county (one more).
QUERIES = 29


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(datetime(2022, 4, 24, 9, tzinfo=UTC), tick=False):
        yield


def _projects(w, n: int, chain: IndustryChain):
    """n projects across the townships, a zone and the departments, with reports (some waiting), phased plans,
    chains, tiers and gate milestones done, a problem and an order each."""
    zone = make_unit(f"园区{n}", OrgUnitKind.ZONE, w.town_a)
    places = [w.town_a, w.town_b, zone]
    leads = [w.dept, w.drc, None]
    for i in range(n):
        project = make_project(
            location=places[i % 3],
            lead=leads[i % 3],
            tags=[w.county_tag] if i % 2 else [w.county_tag, w.pref_tag],
            chain=chain if i % 4 else None,
            tier=[Tier.RESERVE, Tier.ROLLING, Tier.IMPLEMENTATION][i % 3],
        )
        PlanMonth.objects.create(plan=project.plans.get(), month=3, amount="100")
        refresh_phasing(project.plans.all())  # a month written past the service
        for month, amount, status in (
            (1, f"{i + 1}.05", ReportStatus.APPROVED),
            (2, "7", ReportStatus.SUBMITTED),
        ):
            MonthlyReport.objects.create(
                project=project,
                year=2022,
                month=month,
                amount=amount,
                status=status,
                filled_by=w.reporter,
                updated_at=EARLIER,
            )
        rebuild_rollups([project.pk])
        Milestone.objects.create(
            project=project,
            kind=MilestoneKind.APPROVAL,
            name="备案",
            planned_date=date(2021, 1, 1),
            actual_date=date(2021, 2, 1),
        )
        problem_raise_and_assign(
            project=project,
            description=f"用地报批滞后{i}",
            category="land",
            unit=places[i % 2],
            deadline=date(2022, 4, 20),
            by=w.reviewer,
            at=EARLIER,
        )
        supervision_issue(
            project=project,
            addressee=places[i % 2],
            requirement="限期完成",
            deadline=date(2022, 4, 20 + i % 5),
            by=w.reviewer,
            at=EARLIER,
        )


def _count(django_assert_num_queries, user, unit):
    with django_assert_num_queries(QUERIES) as context:
        data = battlemap_data(user, unit, PERIOD)
    return context, data


def test_the_query_count_does_not_grow_with_the_data(world, django_assert_num_queries):
    w = world
    chain = IndustryChain.objects.create(name="锑产业链", jurisdiction=w.city)
    _projects(w, 3, chain)
    lights_compute_year(unit=w.city, period=PERIOD)
    few = {unit: _count(django_assert_num_queries, w.city_admin, unit)[1] for unit in (w.city, w.town_a)}
    assert few[w.city].red + few[w.city].yellow > 0 and few[w.city].chains and few[w.city].unit_lights

    _projects(w, 12, IndustryChain.objects.create(name="新材料产业链", jurisdiction=w.city))
    lights_compute_year(unit=w.city, period=PERIOD)

    for unit in (w.city, w.town_a):
        _context, many = _count(django_assert_num_queries, w.city_admin, unit)
        assert sum(row.projects for row in many.areas) > sum(row.projects for row in few[unit].areas)
        assert len(many.chains) > len(few[unit].chains) or unit != w.city
