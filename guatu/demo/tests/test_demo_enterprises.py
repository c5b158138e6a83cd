"""The demo's service to enterprises: ≥ 30 firms with valid codes and 2021 figures, the chains' chain-master
firms among them, and ≥ 30 requests at every tier and in every state, some escalated, nothing after the demo's day."""

import pytest
from django.utils import timezone

from guatu.audit.models import AuditEvent
from guatu.demo import data
from guatu.demo.enterprises import FIRMS, REQUESTS
from guatu.dispatch.models import Escalation, Problem, ProblemStatus
from guatu.enterprises.models import Enterprise, EnterpriseFigure
from guatu.enterprises.queries import chain_enterprise_figures
from guatu.lib.uscc import uscc_error
from guatu.projects.models import IndustryChain

pytestmark = pytest.mark.django_db


def test_firms_with_valid_codes_figures_and_chain_masters(root):
    firms = Enterprise.objects.filter(jurisdiction=root)
    assert firms.count() == len(FIRMS) >= 30
    assert all(uscc_error(code) is None for code in firms.values_list("uscc", flat=True))
    assert EnterpriseFigure.objects.filter(enterprise__in=firms, year=2021).count() == firms.count()
    chains = IndustryChain.objects.filter(jurisdiction=root)
    masters = set(firms.filter(is_chain_master=True).values_list("name", flat=True))
    assert {"湖南锑晶新材料有限公司", "湖南资江特钢有限公司", "湖南晶显光电科技有限公司"} <= masters
    assert all(chain.enterprises.filter(is_chain_master=True).exists() for chain in chains)
    figures = chain_enterprise_figures(list(chains.values_list("pk", flat=True)), 2021)
    assert all(f.enterprises and f.output > 0 for f in figures.values())


def test_requests_at_every_tier_and_in_every_state(root):
    requests = Problem.objects.requests().filter(enterprise__jurisdiction=root)
    assert requests.count() == len(REQUESTS) >= 30
    assert set(requests.values_list("status", flat=True)) == set(ProblemStatus.values)
    for tier in (1, 2, 3):
        states = set(requests.filter(tier=tier).values_list("status", flat=True))
        assert states >= {"assigned", "in_hand", "verified", "closed"}, tier
    closed = requests.filter(status=ProblemStatus.CLOSED)
    assert set(closed.values_list("satisfaction", flat=True)) == {"satisfied", "basically", "dissatisfied"}
    escalations = Escalation.objects.filter(problem__in=requests)
    assert {(e.from_tier, e.to_tier) for e in escalations} == {(1, 2), (2, 3)}
    overdue = requests.overdue(data.DEMO_DAY)
    assert list(overdue.values_list("tier", flat=True)) == [3]  # one left overdue at the top tier


def test_nothing_after_the_demo_day(root):
    requests = Problem.objects.requests().filter(enterprise__jurisdiction=root)
    for request in requests:
        assert timezone.localdate(request.raised_at) <= data.DEMO_DAY
        assert request.closed_at is None or timezone.localdate(request.closed_at) <= data.DEMO_DAY
    events = AuditEvent.objects.filter(object_type__in=["enterprise", "enterprisefigure"])
    assert events.exists() and all(timezone.localdate(e.at) <= data.DEMO_DAY for e in events)
