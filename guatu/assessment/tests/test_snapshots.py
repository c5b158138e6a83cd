"""A published snapshot keeps its score cards' what-if: a card renders without recomputing the scheme."""

from unittest import mock

import pytest
from django.urls import reverse

from guatu.assessment.models import ResultSnapshot
from guatu.assessment.services import snapshot_compute, snapshot_publish
from guatu.assessment.tests.test_services import Q1, full_inputs
from guatu.lib.scoring.whatif import what_if
from guatu.testing import make_assessment_office

pytestmark = pytest.mark.django_db
WHAT_IF = "guatu.assessment.queries.what_if"


@pytest.fixture
def office(world):
    return make_assessment_office(world)


@pytest.fixture
def computed(world, office):
    full_inputs(world)
    return snapshot_compute(scheme=office, period=Q1, by=world.reviewer)


def _card(office, unit) -> str:
    return reverse("assessment:card", args=[office.pk, "2022-03", unit.pk])


def _refuse(*args, **kwargs):
    raise AssertionError("the what-if was recomputed")


def test_publication_stores_every_units_what_if(world, computed):
    assert computed.what_if is None  # a draft changes with every recomputation: nothing kept
    snap = snapshot_publish(snapshot=computed, by=world.reviewer)
    snap.refresh_from_db()
    assert set(snap.what_if) == {"禾青镇", "渣渡镇"}
    rows = {r["indicator"]: r for r in snap.what_if["渣渡镇"]}
    assert rows["tax"]["lost"] == "16.00" and rows["tax"]["next_place_unit"] == "禾青镇"


def test_a_published_card_renders_without_the_what_if_computation(
    client, world, office, computed, django_assert_num_queries
):
    snapshot_publish(snapshot=computed, by=world.reviewer)
    client.force_login(world.outsider)
    with mock.patch(WHAT_IF, side_effect=_refuse):
        client.get(_card(office, world.town_b))  # warm-up: session and user
        with django_assert_num_queries(14):
            response = client.get(_card(office, world.town_b))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-field="to-next"' in page and "禾青镇" in page  # the stored what-if is shown


def test_a_card_of_a_published_result_without_a_stored_what_if_would_recompute(client, world, office, computed):
    """What rendering did before the what-if was kept (and still does for a result published before)."""
    snapshot_publish(snapshot=computed, by=world.reviewer)
    ResultSnapshot.objects.update(what_if=None)
    client.force_login(world.outsider)
    with mock.patch(WHAT_IF, side_effect=_refuse), pytest.raises(AssertionError, match="recomputed"):
        client.get(_card(office, world.town_b))


def test_a_draft_card_computes_its_what_if_on_demand(client, world, office, computed):
    client.force_login(world.reviewer)
    with mock.patch(WHAT_IF, wraps=what_if) as computed_now:
        assert client.get(_card(office, world.town_b)).status_code == 200
    assert computed_now.called
