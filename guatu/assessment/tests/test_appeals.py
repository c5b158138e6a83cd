"""Appeals can change a result: an outcome with the answer; an upheld appeal opens the appealed value to
correction and the corrected result is published as a new version, the earlier one kept and superseded."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from guatu.assessment.models import Appeal, Indicator, IndicatorValue, ResultSnapshot, SnapshotStatus
from guatu.assessment.services import (
    appeal_answer,
    appeal_raise,
    snapshot_compute,
    snapshot_publish,
    snapshot_reproduces,
    snapshot_republish,
    value_approve,
    value_save,
    value_submit,
    value_unlock,
)
from guatu.assessment.tests.test_services import Q1, full_inputs
from guatu.audit.models import AuditEvent
from guatu.notifications.models import Notification
from guatu.testing import make_assessment_office

pytestmark = pytest.mark.django_db


@pytest.fixture
def office(world):
    return make_assessment_office(world)


@pytest.fixture
def published(world, office):
    full_inputs(world)
    snap = snapshot_compute(scheme=office, period=Q1, by=world.reviewer)
    return snapshot_publish(snapshot=snap, by=world.reviewer)


def _value(unit, code) -> IndicatorValue:
    return IndicatorValue.objects.get(unit=unit, indicator__code=code, year=2022, month=3)


def _totals(snap) -> dict[str, str]:
    return {u["unit"]: u["total"] for g in snap.results["groups"] for u in g["units"]}


def _correct(w, unit, code, value):
    """The office unlocks, the lead unit corrects and submits, the office approves."""
    item = value_unlock(
        value=_value(unit, code),
        expected_version=_value(unit, code).version,
        reason="申诉成立，更正数据",
        by=w.city_admin,
    )
    item = value_save(
        unit=unit,
        indicator=Indicator.objects.get(code=code),
        period=Q1,
        value=Decimal(value),
        by=w.dept_reporter,
        expected_version=item.version,
    )
    return value_approve(
        value=(s := value_submit(value=item, expected_version=item.version, by=w.dept_reporter)),
        expected_version=s.version,
        by=w.reviewer,
    )


def test_an_answer_needs_an_outcome_and_notifies_the_unit(world, published):
    w = world
    appeal = appeal_raise(snapshot=published, indicator_code="pm25", reason="监测站点位变更", by=w.reporter)
    with pytest.raises(ValidationError, match="outcome|结论"):
        appeal_answer(appeal=appeal, outcome="", answer="维持", by=w.reviewer)
    appeal = appeal_answer(appeal=appeal, outcome="rejected", answer="经核实维持原结果", by=w.reviewer)
    assert (appeal.status, appeal.outcome) == ("answered", "rejected")
    event = AuditEvent.objects.get(action="appeal.answer")
    assert event.after["outcome"] == "rejected"
    notified = Notification.objects.filter(kind="assessment")
    assert {n.user for n in notified} == {w.reporter, w.viewer}  # the users of township A
    assert all(f"/card/{w.town_a.pk}/" in n.url for n in notified)


def test_a_rejected_appeal_changes_nothing(world, published):
    w = world
    appeal = appeal_raise(snapshot=published, indicator_code="pm25", reason="监测站点位变更", by=w.reporter)
    appeal_answer(appeal=appeal, outcome="rejected", answer="经核实维持原结果", by=w.reviewer)
    with pytest.raises(ValidationError, match="公示|published"):
        value_unlock(
            value=_value(w.town_a, "pm25"),
            expected_version=_value(w.town_a, "pm25").version,
            reason="更正",
            by=w.city_admin,
        )
    with pytest.raises(ValidationError):
        snapshot_republish(snapshot=published, by=w.reviewer)
    assert ResultSnapshot.objects.count() == 1
    published.refresh_from_db()
    assert published.status == SnapshotStatus.PUBLISHED


@pytest.mark.parametrize("outcome", ["upheld", "partly_upheld"])
def test_an_upheld_appeal_is_corrected_and_published_as_a_new_version(world, office, published, outcome):
    w = world
    assert _totals(published)["禾青镇"] == "89.50"  # PM2.5 40 against 35: 17.50 of 20
    appeal = appeal_raise(snapshot=published, indicator_code="pm25", reason="监测站点位变更", by=w.reporter)
    appeal_answer(appeal=appeal, outcome=outcome, answer="站点位变更属实，按35更正", by=w.reviewer)

    # Only the appealed unit's appealed indicator opens: its other values and other units stay locked.
    with pytest.raises(ValidationError):
        value_unlock(
            value=_value(w.town_a, "tax"),
            expected_version=_value(w.town_a, "tax").version,
            reason="顺便改",
            by=w.city_admin,
        )
    with pytest.raises(ValidationError):
        value_unlock(
            value=_value(w.town_b, "pm25"),
            expected_version=_value(w.town_b, "pm25").version,
            reason="顺便改",
            by=w.city_admin,
        )
    # Nothing corrected yet: no new version.
    with pytest.raises(ValidationError, match="更正|correct"):
        snapshot_republish(snapshot=published, by=w.reviewer)
    _correct(w, w.town_a, "pm25", "35")

    v2 = snapshot_republish(snapshot=published, by=w.reviewer)
    v1 = ResultSnapshot.objects.get(pk=published.pk)
    assert (v2.revision, v2.status, v2.replaces) == (2, SnapshotStatus.PUBLISHED, v1)
    assert (v1.status, v1.successor) == (SnapshotStatus.SUPERSEDED, v2)
    # The earlier version stays readable with its own figures; the new one has the corrected value.
    assert _totals(v1)["禾青镇"] == "89.50" and snapshot_reproduces(v1)
    assert _totals(v2) == {"禾青镇": "92.00", "渣渡镇": _totals(v1)["渣渡镇"]} and snapshot_reproduces(v2)
    assert ResultSnapshot.objects.current().get() == v2
    appeal.refresh_from_db()
    assert appeal.corrected_in == v2
    # Corrected and republished: the value is locked again.
    with pytest.raises(ValidationError):
        value_unlock(
            value=_value(w.town_a, "pm25"),
            expected_version=_value(w.town_a, "pm25").version,
            reason="再改",
            by=w.city_admin,
        )
    # Recomputing the period gives the current version back.
    assert snapshot_compute(scheme=office, period=Q1, by=w.reviewer) == v2
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"appeal.answer", "value.unlock", "snapshot.supersede", "snapshot.republish"} <= actions
    event = AuditEvent.objects.get(action="snapshot.republish")
    assert event.after["corrected"] == ["禾青镇 pm25"] and event.before["revision"] == 1
    # Township A (appealed, total changed) is told of the new version; township B's figures did not change.
    new_version = Notification.objects.filter(dedupe_key__startswith=f"snapshot-{v2.pk}-")
    assert {n.user for n in new_version} == {w.reporter, w.viewer}
    assert all(f"/card/{w.town_a.pk}/" in n.url for n in new_version)


def test_an_appeal_against_a_superseded_version_can_only_be_rejected(world, published):
    w = world
    first = appeal_raise(snapshot=published, indicator_code="pm25", reason="点位变更", by=w.reporter)
    late = appeal_raise(snapshot=published, indicator_code="tax", reason="税收口径", by=w.outsider)
    appeal_answer(appeal=first, outcome="upheld", answer="属实", by=w.reviewer)
    _correct(w, w.town_a, "pm25", "35")
    snapshot_republish(snapshot=published, by=w.reviewer)
    with pytest.raises(ValidationError, match="版本|version"):
        appeal_answer(appeal=late, outcome="upheld", answer="属实", by=w.reviewer)
    assert appeal_answer(appeal=late, outcome="rejected", answer="请对现行版本申诉", by=w.reviewer).outcome
    assert Appeal.objects.awaiting_correction().count() == 0


def test_only_the_office_republishes(world, published):
    w = world
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        snapshot_republish(snapshot=published, by=w.reporter)


# --- pages ----------------------------------------------------------------------------------------------------


def _html(response) -> str:
    return response.content.decode()


def test_pages_answer_with_an_outcome_republish_and_show_earlier_versions(client, world, office, published):
    w = world
    appeal = appeal_raise(snapshot=published, indicator_code="pm25", reason="监测站点位变更", by=w.reporter)
    client.force_login(w.reviewer)
    answer = reverse("assessment:appeal_answer", args=[appeal.pk])
    response = client.post(answer, {"answer": "属实"}, follow=True)
    assert "请选择申诉结论" in _html(response)
    client.post(answer, {"answer": "属实，予以更正", "outcome": "upheld"})
    appeal.refresh_from_db()
    assert appeal.outcome == "upheld"
    results = reverse("assessment:results", args=[office.pk, "2022-03"])
    page = _html(client.get(results))
    assert "申诉成立" in page and reverse("assessment:republish", args=[office.pk, "2022-03"]) in page
    _correct(w, w.town_a, "pm25", "35")
    response = client.post(reverse("assessment:republish", args=[office.pk, "2022-03"]), follow=True)
    assert response.status_code == 200 and "第2版" in _html(response)
    earlier = reverse("assessment:results_version", args=[office.pk, "2022-03", 1])
    assert earlier in _html(response)

    # Any unit of the county reads the current version and, by the link, the earlier one.
    client.force_login(w.outsider)
    page = _html(client.get(results))
    assert "92" in page and earlier in page
    old = client.get(earlier)
    assert old.status_code == 200
    assert "已被替代" in _html(old) and "89.5" in _html(old)
    old_card = client.get(reverse("assessment:card_version", args=[office.pk, "2022-03", 1, w.town_a.pk]))
    assert old_card.status_code == 200 and "89.5" in _html(old_card)
    # A township may not republish.
    assert client.post(reverse("assessment:republish", args=[office.pk, "2022-03"])).status_code == 403
