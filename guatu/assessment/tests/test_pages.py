"""What a county official reads on the assessment pages: the way between results, cards, earlier versions and
appeals, and the score card's note on an indicator left out. (Access is checked in test_views_access.)"""

import re

import pytest
from django.urls import reverse

from guatu.assessment.models import IndicatorValue, ResultSnapshot
from guatu.assessment.services import (
    appeal_answer,
    appeal_raise,
    scheme_save,
    snapshot_compute,
    snapshot_publish,
    snapshot_republish,
)
from guatu.assessment.tests.test_appeals import _correct
from guatu.assessment.tests.test_services import Q1, full_inputs
from guatu.testing import make_assessment_office

pytestmark = pytest.mark.django_db
PERIOD = "2022-03"


@pytest.fixture
def office(world):
    return make_assessment_office(world)


@pytest.fixture
def corrected(world, office):
    """Version 1 published, 禾青镇's PM2.5 appeal upheld and corrected in version 2; a later appeal against
    version 1 still open."""
    w = world
    full_inputs(w)
    v1 = snapshot_publish(snapshot=snapshot_compute(scheme=office, period=Q1, by=w.reviewer), by=w.reviewer)
    appeal = appeal_raise(snapshot=v1, indicator_code="pm25", reason="监测站点位变更", by=w.reporter)
    appeal_answer(appeal=appeal, outcome="upheld", answer="属实，予以更正", by=w.reviewer)
    appeal_raise(snapshot=v1, indicator_code="tax", reason="税收口径", by=w.reporter)
    _correct(w, w.town_a, "pm25", "35")
    v2 = snapshot_republish(snapshot=v1, by=w.reviewer)
    v1.refresh_from_db()
    return v1, v2, appeal


def _html(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def _card(office, unit, revision=None):
    if revision is None:
        return reverse("assessment:card", args=[office.pk, PERIOD, unit.pk])
    return reverse("assessment:card_version", args=[office.pk, PERIOD, revision, unit.pk])


def test_a_superseded_version_offers_no_recomputation(client, world, office, corrected):
    client.force_login(world.reviewer)
    page = _html(client.get(reverse("assessment:results_version", args=[office.pk, PERIOD, 1])))
    assert reverse("assessment:compute", args=[office.pk, PERIOD]) not in page
    page = _html(client.get(reverse("assessment:results", args=[office.pk, PERIOD])))
    assert reverse("assessment:compute", args=[office.pk, PERIOD]) in page


def test_a_corrected_card_links_to_the_version_it_replaces_and_shows_the_appeal_it_corrects(
    client, world, office, corrected
):
    client.force_login(world.reporter)
    page = _html(client.get(_card(office, world.town_a)))
    assert _card(office, world.town_a, 1) in page  # the card as first published
    assert "监测站点位变更" in page and "已在第2版成绩中更正" in page
    results = _html(client.get(reverse("assessment:results", args=[office.pk, PERIOD])))
    assert reverse("assessment:results_version", args=[office.pk, PERIOD, 1]) in results


def test_a_superseded_card_sends_appeals_to_the_current_version(client, world, office, corrected):
    client.force_login(world.reporter)
    page = _html(client.get(_card(office, world.town_a, 1)))
    assert "成绩公示后可提出申诉" not in page
    assert "请对现行版本提出申诉" in page and _card(office, world.town_a) in page
    assert "已在第2版成绩中更正" in page  # its upheld appeal, and where it was corrected


def test_the_appeal_list_links_each_appeal_to_its_version_and_its_correction(client, world, office, corrected):
    v1, v2, appeal = corrected
    client.force_login(world.reviewer)
    page = _html(client.get(reverse("assessment:appeal_list")))
    assert _card(office, world.town_a, 1) in page  # both appeals were raised against version 1
    assert reverse("assessment:results", args=[office.pk, PERIOD]) in page  # corrected in the current one
    assert "已在第2版成绩中更正" in page


def test_an_upheld_appeal_awaiting_correction_links_to_the_value(client, world, office):
    w = world
    full_inputs(w)
    v1 = snapshot_publish(snapshot=snapshot_compute(scheme=office, period=Q1, by=w.reviewer), by=w.reviewer)
    appeal = appeal_raise(snapshot=v1, indicator_code="pm25", reason="监测站点位变更", by=w.reporter)
    appeal_answer(appeal=appeal, outcome="upheld", answer="属实", by=w.reviewer)
    client.force_login(w.reviewer)
    page = _html(client.get(reverse("assessment:appeal_list")))
    value = IndicatorValue.objects.get(unit=w.town_a, indicator__code="pm25", year=2022, month=3)
    assert reverse("assessment:value_detail", args=[value.pk]) in page


def test_the_card_explains_the_rescaling_of_indicators_left_out(client, world, office):
    w = world
    rows = [
        {**r, "not_applicable": ["禾青镇"]} if r["code"] == "pm25" else r for r in office.definition["indicators"]
    ]
    office = scheme_save(
        jurisdiction=office.jurisdiction,
        definition={**office.definition, "indicators": rows},
        kind=office.kind,
        by=w.reviewer,
        scheme=office,
        expected_version=office.version,
    )
    full_inputs(w)
    snap = snapshot_compute(scheme=office, period=Q1, by=w.reviewer)
    unit = next(u for g in snap.results["groups"] for u in g["units"] if u["unit"] == "禾青镇")
    client.force_login(w.reviewer)
    page = _html(client.get(_card(office, w.town_a)))
    note = re.search(r'data-field="rescaled-note">(.*?)</div>', page, re.S).group(1)
    # 80 of the 100 full points apply: base × 100 ÷ 80, and the indicator left out named with the reason.
    assert f"{unit['base']} × 100 ÷ 80 = {unit['rescaled']}" in note
    assert "PM2.5（" in note
    assert ResultSnapshot.objects.count() == 1


@pytest.fixture
def published(world, office):
    full_inputs(world)
    return snapshot_publish(snapshot=snapshot_compute(scheme=office, period=Q1, by=world.reviewer), by=world.reviewer)


def _unit_benchmarks(office):
    return reverse("assessment:unit_benchmarks", args=[office.pk, PERIOD])


def test_a_county_leader_compares_every_unit(client, world, office, published):
    client.force_login(world.leader_user)  # the county's leader: no assessed unit of their own
    response = client.get(_unit_benchmarks(office))
    assert response.status_code == 200 and [r.unit for r in response.context["rows"]] == ["禾青镇", "渣渡镇"]
    client.force_login(world.dept_reporter)  # a department, not assessed in the township scheme
    assert client.get(_unit_benchmarks(office)).status_code == 404


def test_unit_benchmarks_link_units_to_their_cards_and_say_below_without_a_minus(client, world, office, published):
    client.force_login(world.reviewer)
    response = client.get(_unit_benchmarks(office))
    page = _html(response)
    assert _card(office, world.town_a) in page and _card(office, world.town_b) in page
    weak = [s for r in response.context["rows"] for s in r.weaknesses]
    assert weak, "the example has a unit below its group's average"
    text = re.search(r'data-list="weaknesses">(.*?)</div>', page, re.S).group(1)
    assert "比本组平均" in text and "低 -" not in text and f"低 {-weak[0].gap} 个百分点" in text
    assert "PM2.5:" in text and "pm25:" not in text  # the library's name when the scheme gives none
    # And back: the card and the results lead to the comparison.
    assert _unit_benchmarks(office) in _html(client.get(_card(office, world.town_a)))
    assert _unit_benchmarks(office) in _html(client.get(reverse("assessment:results", args=[office.pk, PERIOD])))


def test_scheme_pages_list_each_month_once_with_its_current_version(client, world, office, corrected):
    client.force_login(world.reviewer)
    for url in (reverse("assessment:scheme_list"), reverse("assessment:scheme_detail", args=[office.pk])):
        page = _html(client.get(url))
        assert page.count(reverse("assessment:results", args=[office.pk, PERIOD]) + '"') == 1, url
        assert "已被替代" not in page and "第2版" in page, url


def test_a_completion_rate_without_a_scheme_target_says_where_the_targets_come_from(client, world, office):
    rows = [{k: v for k, v in r.items() if k != "target"} if r["code"] == "invest" else r
            for r in office.definition["indicators"]]
    office = scheme_save(
        jurisdiction=office.jurisdiction,
        definition={**office.definition, "indicators": rows},
        kind=office.kind,
        by=world.reviewer,
        scheme=office,
        expected_version=office.version,
    )
    client.force_login(world.reviewer)
    page = _html(client.get(reverse("assessment:scheme_detail", args=[office.pk])))
    assert "目标值 —" not in page and "目标值随数值填报" in page


def test_a_published_month_offers_no_item_form_and_says_why(client, world, office, published):
    client.force_login(world.reviewer)
    url = reverse("assessment:items", args=[office.pk, PERIOD])
    page = _html(client.get(url))
    assert 'name="points"' not in page and "已公示" in page and "申诉" in page
    page = _html(client.get(reverse("assessment:items", args=[office.pk, "2022-04"])))
    assert 'name="points"' in page  # a month not yet published takes items


def test_the_peer_average_is_shown_to_one_place_more_than_the_figures_it_averages(client, world, office):
    from decimal import Decimal

    from guatu.assessment.models import Indicator, PeerValue

    indicator = Indicator.objects.create(code="inv", name="实际到位内资增速", category="business", measure="%")
    for peer, value, mine in (("冷水江市", "26.8", True), ("涟源市", "24.2", False), ("双峰县", "22.1", False),
                              ("娄星区", "21.1", False), ("新化县", "20.9", False)):
        PeerValue.objects.create(status="approved", jurisdiction=world.city, indicator=indicator, year=2022, month=3, peer=peer, is_self=mine, value=Decimal(value))
    client.force_login(world.reviewer)
    response = client.get(reverse("assessment:benchmarks") + "?period=2022-03")
    page = _html(response)
    # (24.2 + 22.1 + 21.1 + 20.9) / 4 = 22.075 → 22.08 (half up), not 22.075.
    assert "22.08" in page and "22.075" not in page
