"""The demo's reserve: 60 projects waiting for money across the tiers, promotions audited with their reason,
funding applications in every status, nothing dated after the demo's day, and no 2022 figure changed."""

import pytest

from guatu.audit.models import AuditEvent
from guatu.demo import data
from guatu.demo.reserve import PROJECTS, PROMOTED
from guatu.projects.models import Project
from guatu.reserve.models import FundingApplication, FundingStatus

pytestmark = pytest.mark.django_db


def _reserve_projects():
    return Project.objects.filter(name__contains="（储备")


def test_the_reserve_spans_the_three_tiers(root):
    assert _reserve_projects().count() == PROJECTS >= 60
    tiers = {tier: Project.objects.in_unit(root).filter(tier=tier).count() for tier in ("reserve", "rolling", "implementation")}
    assert all(tiers.values()) and sum(tiers.values()) >= 60
    assert _reserve_projects().filter(tier="rolling").count() == PROMOTED
    promotions = AuditEvent.objects.filter(action="project.tier", project__in=_reserve_projects())
    assert promotions.count() == PROMOTED and all(event.reason for event in promotions)


def test_reserve_projects_do_not_count_in_2022(root):
    assert not _reserve_projects().filter(plans__year=data.YEAR).exists()


def test_funding_applications_in_every_status_dated_on_or_before_the_demo_day(root):
    statuses = set(FundingApplication.objects.values_list("status", flat=True))
    assert statuses == set(FundingStatus.values)
    for application in FundingApplication.objects.all():
        for day in (application.submitted_on, application.decided_on, application.funds_arrived_on):
            assert day is None or day <= data.DEMO_DAY
        assert application.created_at.date() <= data.DEMO_DAY
    assert AuditEvent.objects.filter(action="funding.arrive").count() == 2
