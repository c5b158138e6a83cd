"""The demo's pipeline: ≥ 40 leads in every state, Q1 funds in place, late starts flagged, conversions; and
`delete_demo` removes them with the county."""

import pytest

from guatu.attraction.models import FundsInPlace, Lead, LeadStatus
from guatu.attraction.queries import late_start_lights
from guatu.demo import data
from guatu.demo.loader import delete_demo

pytestmark = pytest.mark.django_db


def test_the_demo_pipeline(root, settings):
    settings.GUATU_TODAY = data.DEMO_DAY
    leads = list(Lead.objects.for_list())
    assert len(leads) >= 40
    assert {lead.status for lead in leads} == set(LeadStatus.values)
    assert len({lead.responsible_unit_id for lead in leads}) >= 4 and len({lead.chain_id for lead in leads}) >= 4
    assert FundsInPlace.objects.filter(year=2022, month__in=[1, 2, 3]).count() >= 20
    assert FundsInPlace.objects.filter(month__gt=3).count() == 0
    assert late_start_lights(leads)  # some signed leads are past their promised start
    assert Lead.objects.exclude(project=None).count() == 3
    delete_demo()
    assert not Lead.objects.exists()
