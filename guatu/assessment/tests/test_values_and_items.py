# ruff: noqa: F811 - `office` is a fixture imported from the service tests
"""Entered values: bounded numbers, the version always checked, the shared review workflow, four eyes;
bonus, penalty and veto items refused once the result is published."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from guatu.assessment.models import AssessmentItem, Indicator, IndicatorValue
from guatu.assessment.services import (
    item_add,
    snapshot_compute,
    snapshot_publish,
    value_approve,
    value_return,
    value_save,
    value_submit,
    value_unlock,
)
from guatu.assessment.tests.test_services import Q1, full_inputs, office  # noqa: F401 - fixture
from guatu.audit.models import AuditEvent

pytestmark = pytest.mark.django_db
PERIOD = "2022-03"


def grid_url(code="tax"):
    return reverse("assessment:value_grid", args=[Indicator.objects.get(code=code).pk, PERIOD])


def row(unit, **fields):
    return {f"u{unit.pk}-{key}": value for key, value in fields.items()}


def save(w, value="1200", *, unit=None, by=None, expected_version=None, **kw):
    return value_save(
        unit=unit or w.town_a,
        indicator=Indicator.objects.get(code="tax"),
        period=Q1,
        value=Decimal(value),
        expected_version=expected_version,
        by=by or w.dept_reporter,
        **kw,
    )


# ----------------------------------------------------------------------------- the version, always


def test_two_people_saving_the_same_empty_value_the_second_is_refused(client, world, office):
    w = world
    first, second = client, client.__class__()
    first.force_login(w.dept_reporter)
    second.force_login(w.reviewer)
    # Both open the empty grid: their forms carry no version.
    assert first.get(grid_url()).status_code == 200
    assert second.get(grid_url()).status_code == 200
    first.post(grid_url(), {**row(w.town_a, value="1200", version=""), "save": "1"})
    response = second.post(grid_url(), {**row(w.town_a, value="999", version=""), "save": "1"})
    assert response.status_code == 409
    page = response.content.decode()
    assert "禾青镇" in page and "已有人" in page
    value = IndicatorValue.objects.get()
    assert (value.value, value.version, value.entered_by) == (Decimal("1200"), 1, w.dept_reporter)


def test_a_save_without_the_version_of_an_existing_value_is_refused(world, office):
    w = world
    value = save(w)
    with pytest.raises(ValidationError, match="已有人"):
        save(w, "999", by=w.reviewer)
    with pytest.raises(ValidationError, match="他人修改"):
        save(w, "999", expected_version=value.version + 1)
    saved = save(w, "1300", expected_version=value.version)
    assert (saved.value, saved.version) == (Decimal("1300"), 2)


# --------------------------------------------------------------------------------- numbers, bounded


def test_a_forty_digit_value_is_refused_with_a_message_and_the_grid_still_renders(client, world, office):
    w = world
    client.force_login(w.dept_reporter)
    huge = "1" * 40
    response = client.post(grid_url(), {**row(w.town_a, value=huge), **row(w.town_b, value="5"), "save": "1"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "禾青镇" in page and "数值" in page and "位" in page
    assert not IndicatorValue.objects.exists()
    response = client.post(grid_url(), {**row(w.town_a, value="5", target=huge), "save": "1"})
    assert response.status_code == 400 and "目标" in response.content.decode()
    assert not IndicatorValue.objects.exists()
    assert client.get(grid_url()).status_code == 200


def test_the_service_bounds_every_number_to_its_column(world, office):
    w = world
    with pytest.raises(ValidationError, match="数值"):
        save(w, "1" * 40)
    with pytest.raises(ValidationError, match="目标"):
        save(w, "1", target=Decimal("1" * 15))
    with pytest.raises(ValidationError):
        save(w, "1.00001")
    assert not IndicatorValue.objects.exists()
    assert save(w, "9" * 14 + ".9999").value == Decimal("99999999999999.9999")


# ------------------------------------------------------------------------------ the shared workflow


def test_every_review_step_needs_the_version_it_was_read_at(world, office):
    w = world
    value = save(w)
    with pytest.raises(ValidationError, match="版本"):
        value_submit(value=value, expected_version=None, by=w.dept_reporter)
    with pytest.raises(ValidationError, match="他人修改"):
        value_submit(value=value, expected_version=value.version + 1, by=w.dept_reporter)
    value = value_submit(value=value, expected_version=value.version, by=w.dept_reporter)
    assert value.status == "submitted"
    with pytest.raises(ValidationError):
        value_return(value=value, reason="", expected_version=value.version, by=w.reviewer)
    value = value_return(value=value, reason="请附证明", expected_version=value.version, by=w.reviewer)
    assert (value.status, value.return_reason, value.reviewed_by) == ("returned", "请附证明", w.reviewer)
    value = value_submit(value=value, expected_version=value.version, by=w.dept_reporter)
    value = value_approve(value=value, expected_version=value.version, by=w.reviewer)
    value = value_unlock(value=value, reason="更正", expected_version=value.version, by=w.city_admin)
    assert value.status == "returned"
    actions = list(AuditEvent.objects.filter(object_id=str(value.pk)).values_list("action", flat=True))
    assert actions[-5:] == ["value.submit", "value.return", "value.submit", "value.approve", "value.unlock"]


def test_whoever_filled_in_a_value_cannot_approve_it(world, office):
    w = world
    value = save(w, by=w.reviewer)  # the office may enter values itself
    value = value_submit(value=value, expected_version=value.version, by=w.reviewer)
    with pytest.raises(ValidationError, match="填报"):
        value_approve(value=value, expected_version=value.version, by=w.reviewer)
    value = value_approve(value=value, expected_version=value.version, by=w.city_admin)
    assert value.status == "approved"


# ------------------------------------------------------------------ items after publication


def test_items_are_refused_once_the_result_is_published_and_the_attempt_audited(client, world, office):
    w = world
    full_inputs(w)
    snapshot_publish(snapshot=snapshot_compute(scheme=office, period=Q1, by=w.reviewer), by=w.reviewer)
    with pytest.raises(ValidationError, match="已公示"):
        item_add(
            scheme=office,
            unit=w.town_a,
            period=Q1,
            kind="bonus",
            points=Decimal(2),
            reason="表彰",
            by=w.reviewer,
        )
    assert not AssessmentItem.objects.exists()
    refused = AuditEvent.objects.get(action="item.change_refused")
    assert refused.after["kind"] == "bonus"
    client.force_login(w.reviewer)
    url = reverse("assessment:items", args=[office.pk, PERIOD])
    response = client.post(url, {"unit": str(w.town_b.pk), "kind": "veto", "reason": "安全事故"})
    assert response.status_code == 400 and "已公示" in response.content.decode()
    assert not AssessmentItem.objects.exists()
    assert AuditEvent.objects.filter(action="item.change_refused").count() == 2


def test_a_save_that_leaves_out_the_target_and_note_keeps_them(world, office):
    """A caller that does not mention the target or the note never clears them (it once wiped the target,
    and the correction of an upheld appeal then failed for want of one)."""
    first = save(world, "1000", target=Decimal("1500"), note="统计局快报")
    second = save(world, "1100", expected_version=first.version)
    second.refresh_from_db()
    assert (second.value, second.target, second.note) == (Decimal("1100"), Decimal("1500"), "统计局快报")
    cleared = save(world, "1200", expected_version=second.version, target=None, note="")
    cleared.refresh_from_db()
    assert (cleared.target, cleared.note) == (None, "")
