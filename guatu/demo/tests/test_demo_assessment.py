"""The demo's performance assessment: the library, both 2022 schemes using every method, 1-3月 values entered
and approved through the review, snapshots that reproduce and score the same from files, the checklist, peer
values and the headline panel."""

import csv
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from guatu.accounts.models import User
from guatu.assessment.files import inputs_csv
from guatu.assessment.models import (
    Appeal,
    AppealStatus,
    Category,
    ChecklistRow,
    HeadlineIndicator,
    HeadlineValue,
    Indicator,
    IndicatorValue,
    PeerValue,
    ResultSnapshot,
    Scheme,
    SnapshotStatus,
    Source,
    ValueStatus,
)
from guatu.assessment.queries import benchmarks, headline_panel, score_card
from guatu.assessment.services import VALUE_FIELDS, scheme_export_yaml, snapshot_reproduces, value_errors
from guatu.audit.models import AuditEvent
from guatu.audit.queries import history_of, replay
from guatu.audit.services import snapshot
from guatu.demo import assessment_data as ad
from guatu.demo import data
from guatu.demo.assessment import _import_values
from guatu.lib.periods import Period
from guatu.lib.scoring import scheme_from_dict
from guatu.orgs.models import OrgUnit

pytestmark = pytest.mark.django_db
Q1 = Period(2022, 3)
BLOCKS = {Category.ECONOMY, Category.PARTY, Category.SAFETY}
SIX = {Category.PER_CAPITA, Category.URBAN, Category.BUSINESS, Category.ENVIRONMENT, Category.INNOVATION}
SIX |= {Category.LIVELIHOOD}


def _spec(code: str):
    return scheme_from_dict(Scheme.objects.get(code=code).definition)


@pytest.mark.parametrize("code", ["township-2022", "department-2022"])
def test_each_scheme_has_15_indicators_across_the_categories_and_every_method(root, code):
    spec = _spec(code)
    assert len(spec.indicators) >= 15
    library = {i.code: i for i in Indicator.objects.filter(code__in=[i.code for i in spec.indicators])}
    assert {library[i.code].category for i in spec.indicators} == SIX | BLOCKS
    assert {i.method for i in spec.indicators} == {"completion_rate", "efficacy", "rank", "threshold"}
    assert any(library[i.code].source == Source.COMPUTED for i in spec.indicators)
    assert any(i.process for i in spec.indicators)  # quarterly process weighting
    assert any(i.groups for i in spec.indicators)
    assert any(i.method == "efficacy" and i.worst is not None for i in spec.indicators)  # fixed bounds
    assert any(i.method == "efficacy" and i.worst is None for i in spec.indicators)  # the group's
    lower = [i for i in spec.indicators if i.method == "completion_rate" and not i.higher_is_better]
    assert lower and any(i.cap > 1 for i in lower)
    assert spec.bonus_cap is not None and spec.penalty_cap is not None
    assert any(g.quota for g in spec.grades)
    for group in spec.groups:  # every group is scored out of 100
        assert sum(i.weight for i in spec.indicators if not i.groups or group.code in i.groups) == 100


def test_both_veto_effects_not_applicable_and_per_unit_targets(root):
    township, department = _spec("township-2022"), _spec("department-2022")
    assert {township.veto_effect, department.veto_effect} == {"not_top", "lowest"}
    assert any(i.not_applicable for i in township.indicators)
    assert any(i.targets for i in township.indicators)


def test_values_entered_by_the_lead_units_and_approved_by_the_office(root):
    values = IndicatorValue.objects.filter(year=2022, month=3).select_related(
        "indicator", "entered_by", "reviewed_by"
    )
    assert values.count() >= 200
    assert set(values.values_list("status", flat=True)) == {ValueStatus.APPROVED}
    for value in values:
        assert value.entered_by.org_unit_id == value.indicator.lead_unit_id
        assert value.entered_by.role == "reporter" and value.reviewed_by.username == "demo_kaohe"
    assert values.filter(target__isnull=False).exists()  # the quarter's task, entered with the value
    returned = AuditEvent.objects.get(action="value.return")
    assert [
        e.action
        for e in AuditEvent.objects.filter(object_type="indicatorvalue", object_id=returned.object_id)
    ] == [
        "value.create",
        "value.submit",
        "value.return",
        "value.update",
        "value.submit",
        "value.approve",
    ]


def test_values_imported_as_approved_with_one_audit_event_each(root):
    """All but the returned value are imported in one go: one value.import event each, which replays to the
    value as it stands, dated when it was approved (before the demo's day)."""
    values = IndicatorValue.objects.filter(year=2022, month=3)
    imports = AuditEvent.objects.filter(action="value.import")
    assert imports.count() == values.count() - 1
    assert set(imports.values_list("object_id", flat=True)) == set(
        values.exclude(pk=AuditEvent.objects.get(action="value.return").object_id).values_list(
            "pk", flat=True
        )
    )
    for value in values.filter(pk__in=imports.values("object_id")).order_by("pk")[
        :: max(1, values.count() // 5)
    ]:
        events = list(history_of(value))
        assert [e.action for e in events] == ["value.import"]
        assert events[0].actor.username == data.LOADER_USERNAME and events[0].at == value.reviewed_at
        assert replay(events) == snapshot(value, VALUE_FIELDS)
        assert (value.status, value.version) == (ValueStatus.APPROVED, 3)


@pytest.mark.parametrize(
    "indicator, value, refused",
    [
        ("tax_revenue", Decimal("1e20"), "value"),  # longer than the column
        ("tax_revenue", Decimal("1.123456789"), "value"),  # more places than the column
        ("project_investment", Decimal("12"), "indicator"),  # computed by Guatu, never entered
    ],
)
def test_the_import_refuses_what_the_value_service_refuses(root, indicator, value, refused):
    indicator = Indicator.objects.get(code=indicator)
    unit = OrgUnit.objects.get(name="渣渡镇")
    reporter = User.objects.get(role="reporter", org_unit=indicator.lead_unit, username__startswith="demo_")
    office = User.objects.get(username="demo_kaohe")
    before = (IndicatorValue.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationError) as refusal:
        _import_values(
            [(ad.ValueData(unit="渣渡镇", indicator=indicator.code, value=value), indicator, unit, reporter)],
            office=office,
            loader=office,
        )
    service = value_errors(indicator=indicator, value=value, not_applicable=False, target=None, note="")
    assert refused in service and service[refused] in refusal.value.messages
    assert (IndicatorValue.objects.count(), AuditEvent.objects.count()) == before


def test_snapshots_reproduce_and_the_township_one_is_published_and_appealed(root):
    snaps = {s.scheme.code: s for s in ResultSnapshot.objects.select_related("scheme")}
    assert set(snaps) == {"township-2022", "department-2022"}
    assert all(snapshot_reproduces(s) for s in snaps.values())
    assert snaps["township-2022"].status == SnapshotStatus.PUBLISHED
    assert snaps["department-2022"].status == SnapshotStatus.COMPUTED
    appeal = Appeal.objects.get()
    assert appeal.status == AppealStatus.ANSWERED and appeal.answer and appeal.unit.name == "三尖镇"
    assert appeal.snapshot == snaps["township-2022"]


def test_the_story_of_the_results(root):
    """Caps, veto effects, quota, rescaling: the township group shows them all."""
    units = {
        u["unit"]: u for s in ResultSnapshot.objects.all() for g in s.results["groups"] for u in g["units"]
    }
    zone = units["冷水江经济开发区"]
    assert zone["bonus"] == "3"  # 2 + 1.5, capped at 3
    assert units["冷水江市发展和改革局"]["bonus"] == "2"  # 1.5 + 1, capped at 2
    vetoed = units["金竹山镇"]
    assert vetoed["vetoed"] and Decimal(vetoed["total"]) >= 90 and vetoed["grade"] == "良好"  # not_top
    assert (
        units["冷水江市市场监督管理局"]["vetoed"] and units["冷水江市市场监督管理局"]["grade"] == "较差"
    )  # lowest
    assert units["渣渡镇"]["rank"] == 1 and units["渣渡镇"]["grade"] == "优秀"
    third = units["铎山镇"]
    assert Decimal(third["total"]) >= 90 and third["grade"] == "良好"  # the quota (one of six) is taken
    assert units["中连乡"]["indicators"]["park_output"]["points"] is None
    assert units["中连乡"]["rescaled"] != units["中连乡"]["base"]
    card = score_card(ResultSnapshot.objects.get(scheme__code="township-2022"), "三尖镇")
    assert card.rank and card.indicators and card.indicators[0]["lost"] is not None


@pytest.mark.parametrize("code", ["township-2022", "department-2022"])
def test_exported_scheme_scored_from_files_gives_the_app_totals(root, code, tmp_path):
    snap = ResultSnapshot.objects.get(scheme__code=code)
    scheme_file, values_file = tmp_path / "scheme.yaml", tmp_path / "values.csv"
    scheme_file.write_text(scheme_export_yaml(snap.scheme), encoding="utf-8")
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
    assert from_files == in_app and len(in_app) >= 11


def test_checklist_rows_and_peer_values_with_one_audit_event_each(root):
    rows = ChecklistRow.objects.filter(year=2022).select_related(
        "indicator", "lead_unit", "responsible_leader"
    )
    assert rows.count() == len(ad.CHECKLIST) >= 12
    assert {r.indicator.category for r in rows} == SIX
    for row in rows:
        assert row.lead_unit and row.responsible_leader and row.target is not None and row.prefecture_rule
        assert row.expected_points is not None and row.gap_analysis and row.measures
        assert 0 < row.expected_points <= row.prefecture_weight and row.support_units.exists()
        peers = PeerValue.objects.filter(indicator=row.indicator, year=2022, month=3)
        assert sorted(peers.values_list("peer", flat=True)) == sorted(ad.PEERS)
        assert peers.get(is_self=True).peer == "冷水江市"
    assert AuditEvent.objects.filter(action="checklist.import").count() == rows.count()
    assert (
        AuditEvent.objects.filter(action="peer.import").count()
        == PeerValue.objects.count()
        == 5 * rows.count()
    )
    marks = {b.indicator.code: b for b in benchmarks(OrgUnit.objects.get(name="冷水江市"), Q1)}
    assert len(marks) == rows.count()
    assert marks["ld_pm25"].rank == 5 and marks["ld_pm25"].strength is False  # 补弱项
    assert marks["ld_domestic_investment"].rank == 1 and marks["ld_domestic_investment"].strength  # 锻长板


def test_the_checklist_feeds_the_lead_units_department_scores(root):
    snap = ResultSnapshot.objects.get(scheme__code="department-2022")
    row = next(
        r
        for r in snap.inputs["values"]
        if r["unit"] == "冷水江市发展和改革局" and r["indicator"] == "dept_checklist_points"
    )
    expected = ChecklistRow.objects.get(indicator__code="ld_gdp_per_capita_growth").expected_points
    assert Decimal(row["value"]) == expected / 3 * 100  # its one row: 3 of Loudi's 3 points


def test_headline_panel_ten_rows_most_but_not_all_met(root):
    panel = headline_panel(OrgUnit.objects.get(name="冷水江市"), 2022, 1)
    assert len(panel) == 10 and all(value is not None for _ind, value in panel)
    met = [value.met for _ind, value in panel]
    assert 6 <= sum(met) < 10
    assert AuditEvent.objects.filter(action="headline.import").count() == (
        HeadlineIndicator.objects.count() + HeadlineValue.objects.count()
    )
