"""Assessment in the app: values entered and reviewed, results frozen, published, appealed."""

import csv
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from guatu.access import gateway
from guatu.assessment.files import inputs_csv
from guatu.assessment.models import Indicator, ResultSnapshot
from guatu.assessment.services import (
    appeal_answer,
    appeal_raise,
    item_add,
    scheme_export_yaml,
    scheme_save,
    snapshot_compute,
    snapshot_publish,
    snapshot_reproduces,
    value_approve,
    value_return,
    value_save,
    value_submit,
    value_unlock,
)
from guatu.audit.models import AuditEvent
from guatu.lib.periods import Period
from guatu.testing import make_assessment_office, make_report

pytestmark = pytest.mark.django_db
Q1 = Period(2022, 3)


@pytest.fixture
def office(world):
    return make_assessment_office(world)


def enter(w, unit, code, value):
    item = value_save(
        unit=unit,
        indicator=Indicator.objects.get(code=code),
        period=Q1,
        value=Decimal(value),
        by=w.dept_reporter,
        expected_version=None,
    )
    item = value_submit(value=item, expected_version=item.version, by=w.dept_reporter)
    return value_approve(value=item, expected_version=item.version, by=w.reviewer)


def full_inputs(w):
    for unit, tax, pm in ((w.town_a, "1200", "40"), (w.town_b, "800", "30")):
        enter(w, unit, "tax", tax)
        enter(w, unit, "pm25", pm)
    # Project A (township A, plan 1000) completed 200 by March: 20% against a 25% target.
    make_report(w.project_a, "2022-01", "200", reporter=w.reporter, reviewer=w.reviewer)


def test_scheme_checks_library_and_units(world, office):
    w = world
    with pytest.raises(ValidationError) as caught:
        scheme_save(
            jurisdiction=w.city,
            kind="township",
            by=w.reviewer,
            definition={
                **office.definition,
                "code": "x",
                "indicators": [{"code": "nope", "weight": 1, "method": "efficacy"}],
            },
        )
    assert "nope" in str(caught.value)
    with pytest.raises(ValidationError, match="无此镇|无此镇"):
        scheme_save(
            jurisdiction=w.city,
            kind="township",
            by=w.reviewer,
            definition={**office.definition, "code": "y", "groups": [{"code": "g", "units": ["无此镇"]}]},
        )
    with pytest.raises(PermissionDenied):
        scheme_save(jurisdiction=w.city, kind="township", by=w.reporter, definition=office.definition)


def test_value_review_cycle_and_who_may_enter(world, office):
    w = world
    tax = Indicator.objects.get(code="tax")
    with pytest.raises(PermissionDenied):
        value_save(
            unit=w.town_a, indicator=tax, period=Q1, value=Decimal(1), by=w.reporter, expected_version=None
        )  # not the lead unit
    item = value_save(
        unit=w.town_a,
        indicator=tax,
        period=Q1,
        value=Decimal("1200.5"),
        by=w.dept_reporter,
        expected_version=None,
    )
    item = value_submit(value=item, expected_version=item.version, by=w.dept_reporter)
    with pytest.raises(ValidationError):
        value_return(value=item, expected_version=item.version, reason=" ", by=w.reviewer)
    item = value_return(value=item, expected_version=item.version, reason="请附完税证明", by=w.reviewer)
    item = value_save(
        unit=w.town_a,
        indicator=tax,
        period=Q1,
        value=Decimal("1210"),
        by=w.dept_reporter,
        expected_version=item.version,
    )
    item = value_approve(
        value=(s := value_submit(value=item, expected_version=item.version, by=w.dept_reporter)),
        expected_version=s.version,
        by=w.reviewer,
    )
    with pytest.raises(ValidationError):
        value_save(
            unit=w.town_a,
            indicator=tax,
            period=Q1,
            value=Decimal(1),
            by=w.dept_reporter,
            expected_version=item.version,
        )  # locked
    with pytest.raises(ValidationError):
        value_save(
            unit=w.town_a,
            indicator=tax,
            period=Q1,
            value=Decimal("1.00001"),
            by=w.reviewer,
            expected_version=None,
        )
    invest = Indicator.objects.get(code="invest")
    with pytest.raises(ValidationError):
        value_save(
            unit=w.town_a, indicator=invest, period=Q1, value=Decimal(1), by=w.reviewer, expected_version=None
        )  # computed


def test_compute_publish_reproduce_and_refuse_changes(world, office):
    w = world
    full_inputs(w)
    item_add(
        scheme=office,
        unit=w.town_b,
        period=Q1,
        kind="bonus",
        points=Decimal(5),
        reason="省级表彰",
        by=w.reviewer,
    )
    snap = snapshot_compute(scheme=office, period=Q1, by=w.reviewer)
    units = {u["unit"]: u for u in snap.results["groups"][0]["units"]}
    # 禾青镇: tax best → 40; pm25 35/40 × 20 = 17.50; invest 20/25 × 40 = 32 → 89.50
    # 渣渡镇: tax worst → 0.6 × 40 = 24; pm25 min(35/30, 1) × 20 = 20; invest: project B has no report → 0;
    #   44 + bonus 5 capped at 3 → 47.00
    assert units["禾青镇"]["total"] == "89.50"
    assert (units["渣渡镇"]["base"], units["渣渡镇"]["bonus"], units["渣渡镇"]["total"]) == (
        "44.00",
        "3",
        "47.00",
    )
    assert units["禾青镇"]["rank"] == 1 and units["禾青镇"]["grade"] == "良好"
    assert snapshot_reproduces(snap)

    snapshot_publish(snapshot=snap, by=w.reviewer)
    snap.refresh_from_db()
    # Recomputing a published snapshot with unchanged inputs gives it back untouched.
    assert snapshot_compute(scheme=office, period=Q1, by=w.reviewer).results == snap.results
    # Changing an input of the published period is refused, and the attempt is on the record.
    value = Indicator.objects.get(code="tax").values.get(unit=w.town_a)
    with pytest.raises(ValidationError, match="公示|published"):
        value_unlock(value=value, expected_version=value.version, reason="更正", by=w.city_admin)
    assert AuditEvent.objects.filter(action="value.change_refused").count() == 1
    # A changed scheme makes the published results refuse to recompute, also audited.
    definition = dict(office.definition, bonus_cap=10)
    office = scheme_save(
        jurisdiction=w.city, kind="township", by=w.reviewer, scheme=office, definition=definition
    )
    with pytest.raises(ValidationError):
        snapshot_compute(scheme=office, period=Q1, by=w.reviewer)
    assert AuditEvent.objects.filter(action="snapshot.recompute_refused").count() == 1
    snap.refresh_from_db()
    assert snap.status == "published" and snapshot_reproduces(snap)


def test_cards_visible_to_own_unit_until_publication_then_appeals(world, office):
    w = world
    full_inputs(w)
    snap = snapshot_compute(scheme=office, period=Q1, by=w.reviewer)
    assert gateway.can_see_card(w.reporter, snap, w.town_a)
    assert not gateway.can_see_card(w.reporter, snap, w.town_b)
    with pytest.raises(ValidationError):
        appeal_raise(
            snapshot=snap, indicator_code="tax", reason="数据有误", by=w.reporter
        )  # not yet published
    snap = snapshot_publish(snapshot=snap, by=w.reviewer)
    assert gateway.can_see_card(w.reporter, snap, w.town_b)
    appeal = appeal_raise(snapshot=snap, indicator_code="pm25", reason="监测站点位变更", by=w.reporter)
    with pytest.raises(PermissionDenied):
        appeal_answer(appeal=appeal, outcome="rejected", answer="x", by=w.reporter)
    appeal = appeal_answer(appeal=appeal, outcome="rejected", answer="经核实维持原结果", by=w.reviewer)
    assert appeal.status == "answered"


def test_exported_scheme_scored_from_files_gives_the_app_totals(world, office, tmp_path):
    w = world
    full_inputs(w)
    snap = snapshot_compute(scheme=office, period=Q1, by=w.reviewer)
    scheme_file = tmp_path / "scheme.yaml"
    values_file = tmp_path / "values.csv"
    scheme_file.write_text(scheme_export_yaml(office), encoding="utf-8")
    values_file.write_text(inputs_csv(snap.inputs), encoding="utf-8")
    out = io.StringIO()
    call_command("assess", "score", "--scheme", str(scheme_file), "--values", str(values_file), stdout=out)
    from_files = {
        r["unit"]: (r["total"], r["rank"], r["grade"]) for r in csv.DictReader(io.StringIO(out.getvalue()))
    }
    in_app = {
        u["unit"]: (u["total"], str(u["rank"]), u["grade"])
        for g in snap.results["groups"]
        for u in g["units"]
    }
    assert from_files == in_app
    assert ResultSnapshot.objects.count() == 1
