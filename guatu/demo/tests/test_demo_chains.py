"""The demo's chain chief system: every chain has its five ones (chief, lead department, work team, 2022 plan,
follow-through) and policies, written through the services on or before the demo's day, and its targets read
against the demo's actuals give rates a county would recognise."""

import pytest

from guatu.audit.models import AuditEvent
from guatu.chains.models import ChainTarget, FollowThrough, Metric, Policy, TeamMember
from guatu.chains.queries import chain_figures
from guatu.demo import data
from guatu.demo.chains import PLANS
from guatu.enterprises.models import Enterprise
from guatu.lib.periods import Period
from guatu.projects.models import IndustryChain

pytestmark = pytest.mark.django_db


def _chains(root):
    return list(IndustryChain.objects.filter(jurisdiction=root).order_by("sort_order"))


def test_every_chain_has_its_five_ones_and_policies(root):
    chains = _chains(root)
    assert [chain.name for chain in chains] == [chain.name for chain in data.CHAINS]
    for chain in chains:
        assert chain.chief_id and chain.lead_unit_id
        assert chain.team.exists() and chain.policies.exists() and chain.follow_through.exists()
        assert set(chain.targets.filter(year=data.YEAR).values_list("metric", flat=True)) == set(Metric.values)
    assert TeamMember.objects.filter(chain__in=chains).count() == sum(len(plan.team) for plan in PLANS.values())


def test_written_by_the_office_through_the_services_on_or_before_the_demo_day(root):
    chains = _chains(root)
    for entry in FollowThrough.objects.filter(chain__in=chains):
        assert entry.happened_on <= data.DEMO_DAY and entry.recorded_by.username == "demo_office"
    assert all(policy.issued_on <= data.DEMO_DAY for policy in Policy.objects.filter(chain__in=chains))
    events = AuditEvent.objects.filter(object_type__in=["teammember", "chaintarget", "policy", "followthrough"])
    assert events.count() == sum(
        len(plan.team) + len(Metric.values) + len(plan.policies) + len(plan.follow_through) for plan in PLANS.values()
    )
    assert all(event.at.date() <= data.DEMO_DAY and event.actor.username == "demo_office" for event in events)


def test_targets_against_the_demo_actuals_give_sensible_rates(root):
    """In March a quarter of the year is gone: the leads' and projects' figures stand between a tenth and the
    whole of their targets on every chain (none at zero, none far beyond)."""
    chains = _chains(root)
    figures = chain_figures(chains, Period(data.YEAR, 3))
    assert ChainTarget.objects.filter(chain__in=chains).count() == len(chains) * len(Metric.values)
    for chain in chains:
        for metric in (Metric.INVESTMENT, Metric.SIGNED, Metric.FUNDS):
            rate = figures[chain.pk].line(metric).rate
            assert rate is not None and 10 <= rate <= 100, (chain.name, metric, rate)
        for metric in (Metric.OUTPUT, Metric.TAX):  # a quarter of 2021 against 2021 grown by 6% to 30%
            rate = figures[chain.pk].line(metric).rate
            assert rate is not None and 15 <= rate <= 25, (chain.name, metric, rate)
        above_scale = figures[chain.pk].line(Metric.ABOVE_SCALE)
        assert 0 < above_scale.actual < above_scale.target, chain.name


def test_the_chain_firms_q1_figures_are_a_share_of_their_2021_year(root):
    firms = Enterprise.objects.filter(jurisdiction=root, chain__isnull=False)
    for firm in firms.prefetch_related("figures"):
        figures = {figure.year: figure for figure in firm.figures.all()}
        assert 0.2 < figures[data.YEAR].output / figures[data.YEAR - 1].output < 0.3, firm.name
