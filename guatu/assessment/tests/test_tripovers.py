"""What a new user tripped over on the assessment pages: fractions of countable things in the what-if, and
internal indicator codes where people expect names."""

from decimal import Decimal

import pytest
from django.urls import reverse

from guatu.assessment.models import Indicator, ResultSnapshot
from guatu.assessment.services import snapshot_compute, snapshot_publish
from guatu.assessment.tests.test_services import Q1, full_inputs
from guatu.testing import make_assessment_office

pytestmark = pytest.mark.django_db


@pytest.fixture
def office(world):
    return make_assessment_office(world)


@pytest.mark.parametrize(
    ("amount", "measure", "shown"),
    [
        (Decimal("30.01"), "户", Decimal("31")),
        (Decimal("30.00"), "户", Decimal("30")),
        (Decimal("0.2"), "家", Decimal("1")),
        (Decimal("30.01"), "万元", Decimal("30.01")),
        (Decimal("30.01"), "%", Decimal("30.01")),
    ],
)
def test_a_count_is_needed_in_whole_things_rounded_up(amount, measure, shown):
    from guatu.lib.scoring.whatif import needed_improvement

    assert needed_improvement(amount, measure) == shown


def test_the_card_asks_for_whole_households_not_fractions(client, world, office):
    full_inputs(world)
    snap = snapshot_publish(
        snapshot=snapshot_compute(scheme=office, period=Q1, by=world.reviewer), by=world.reviewer
    )
    what_if = snap.what_if
    for row in what_if["渣渡镇"]:
        if row["indicator"] == "tax":
            row["to_next_place"] = "30.01"
    ResultSnapshot.objects.filter(pk=snap.pk).update(what_if=what_if)
    Indicator.objects.filter(code="tax").update(measure="户")
    client.force_login(world.outsider)
    page = client.get(
        reverse("assessment:card", args=[office.pk, "2022-03", world.town_b.pk])
    ).content.decode()
    assert "30.01" not in page
    assert "31 户" in page


def test_the_value_entry_list_shows_indicator_names_not_codes(client, world, office):
    client.force_login(world.dept_reporter)
    page = client.get(reverse("assessment:value_index")).content.decode()
    assert "税收收入" in page
    assert ">tax<" not in page and ">pm25<" not in page


def test_the_scheme_indicator_editor_names_the_indicator_and_keeps_the_code_muted(client, world, office):
    client.force_login(world.reviewer)
    page = client.get(reverse("assessment:scheme_indicator", args=[office.pk, "tax"])).content.decode()
    heading = page[page.find("<h1>") : page.find("</h1>")]
    assert "税收收入" in heading
    assert '<code class="muted">tax</code>' in heading
