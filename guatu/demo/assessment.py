"""The demo's performance assessment, written through the services where they exist.

The assessment office (demo_kaohe) builds the indicator library and saves the two 2022 schemes from their
YAML files; the lead units' reporters enter the 1-3月 values, the office approves them (one is sent back
first), adds the bonus, penalty and veto items, computes both schemes for 2022-03 and publishes the township
one; 三尖镇 appeals an indicator and the office answers. The responsibility checklist, peer values and headline
indicators have no services (they are imported from the prefecture's and the statistics bureau's tables):
they are written directly, each row with one audit event (checklist.import, peer.import, headline.import).
"""

from __future__ import annotations

from dataclasses import dataclass

import yaml

from guatu.accounts.models import User
from guatu.assessment.models import (
    AppealOutcome,
    ChecklistRow,
    HeadlineIndicator,
    HeadlineValue,
    Indicator,
    PeerValue,
    ResultSnapshot,
    Scheme,
    SchemeKind,
    Source,
)
from guatu.assessment.services import (
    appeal_answer,
    appeal_raise,
    indicator_save,
    item_add,
    scheme_save,
    snapshot_compute,
    snapshot_publish,
    value_approve,
    value_return,
    value_save,
    value_submit,
)
from guatu.audit import events
from guatu.audit.services import snapshot
from guatu.demo import assessment_data as ad
from guatu.demo import data
from guatu.lib.periods import Period
from guatu.orgs.models import Leader, OrgUnit

PERIOD = Period(*ad.PERIOD)
CHECKLIST_FIELDS = [
    "year",
    "indicator",
    "prefecture_weight",
    "target",
    "prefecture_rule",
    "lead_unit",
    "responsible_leader",
    "expected_points",
    "gap_analysis",
    "measures",
]
PEER_FIELDS = ["indicator", "year", "month", "peer", "is_self", "value"]
HEADLINE_FIELDS = ["year", "position", "name", "measure", "direction", "target"]
HEADLINE_VALUE_FIELDS = [
    "indicator",
    "quarter",
    "actual",
    "growth",
    "prefecture_average",
    "peer_rank",
    "quarter_target",
]


@dataclass(frozen=True)
class AssessmentCounts:
    indicators: int
    schemes: int
    values: int
    snapshots: int


def load_assessment(
    *,
    root: OrgUnit,
    units: dict[str, OrgUnit],
    leaders: dict[str, Leader],
    staff: dict[str, User],
    loader: User,
) -> AssessmentCounts:
    office = staff["demo_kaohe"]
    library = {
        spec.code: indicator_save(
            data={
                "code": spec.code,
                "name": spec.name,
                "category": spec.category,
                "measure": spec.measure,
                "direction": spec.direction,
                "frequency": spec.frequency,
                "data_source": spec.data_source,
                "lead_unit": units[spec.lead],
                "source": Source.COMPUTED if spec.computed_key else Source.ENTERED,
                "computed_key": spec.computed_key,
            },
            by=office,
        )
        for spec in ad.LIBRARY
    }
    _checklist(library, units, leaders, loader)
    _headlines(loader)

    schemes = {}
    for kind, path in ad.SCHEME_FILES.items():
        definition = yaml.safe_load(path.read_text(encoding="utf-8"))
        schemes[kind] = scheme_save(jurisdiction=root, definition=definition, kind=kind, by=office)
    reporters = {user.org_unit_id: user for user in staff.values() if user.role == "reporter"}
    values = 0
    for kind, rows, items in (
        (SchemeKind.TOWNSHIP, _township_values(schemes[SchemeKind.TOWNSHIP]), ad.TOWNSHIP_ITEMS),
        (SchemeKind.DEPARTMENT, _department_values(schemes[SchemeKind.DEPARTMENT]), ad.DEPARTMENT_ITEMS),
    ):
        for row in rows:
            indicator = library[row.indicator]
            _enter(row, indicator, units[row.unit], reporters[indicator.lead_unit_id], office)
        values += len(rows)
        for item in items:
            item_add(
                scheme=schemes[kind],
                unit=units[item.unit],
                period=PERIOD,
                kind=item.kind,
                points=item.points,
                reason=item.reason,
                by=office,
            )
    township = snapshot_compute(scheme=schemes[SchemeKind.TOWNSHIP], period=PERIOD, by=office)
    snapshot_compute(scheme=schemes[SchemeKind.DEPARTMENT], period=PERIOD, by=office)
    township = snapshot_publish(snapshot=township, by=office)
    appeal = appeal_raise(
        snapshot=township,
        indicator_code=ad.APPEAL["indicator"],
        reason=ad.APPEAL["reason"],
        by=staff[ad.APPEAL["reporter"]],
    )
    # The answer keeps the result (属地管理责任不能免除): the appeal is rejected.
    appeal_answer(appeal=appeal, outcome=AppealOutcome.REJECTED, answer=ad.APPEAL["answer"], by=office)
    return AssessmentCounts(
        indicators=len(library),
        schemes=len(schemes),
        values=values,
        snapshots=ResultSnapshot.objects.filter(scheme__in=schemes.values()).count(),
    )


def _groups(scheme: Scheme) -> list[tuple[str, list[str]]]:
    """(group code, unit full names), as the saved scheme holds them."""
    return [(g["code"], list(g["units"])) for g in scheme.definition["groups"]]


def _township_values(scheme: Scheme) -> list[ad.ValueData]:
    groups = _groups(scheme)
    rows = ad.q1_values(groups, ad.TOWNSHIP_RANGES, ad.TOWNSHIP_TASKS, ad.TOWNSHIP_FIXED, seed=ad.SEED)
    return rows + ad.township_safety_accidents(
        [u for _code, names in groups for u in names], seed=ad.SEED + 1
    )


def _department_values(scheme: Scheme) -> list[ad.ValueData]:
    return ad.q1_values(_groups(scheme), ad.DEPARTMENT_RANGES, ad.DEPARTMENT_TASKS, {}, seed=ad.SEED + 2)


def _enter(row: ad.ValueData, indicator: Indicator, unit: OrgUnit, reporter: User, office: User) -> None:
    """Entered by the lead unit's reporter, submitted, approved by the office; one is sent back first."""
    returned = (row.unit, row.indicator) == (ad.RETURNED["unit"], ad.RETURNED["indicator"])
    first = row.value + ad.RETURNED["overstated_by"] if returned else row.value
    value = value_save(
        unit=unit,
        indicator=indicator,
        period=PERIOD,
        value=first,
        target=row.target,
        expected_version=None,
        by=reporter,
    )
    value = value_submit(value=value, expected_version=value.version, by=reporter)
    if returned:
        value = value_return(
            value=value, reason=ad.RETURNED["reason"], expected_version=value.version, by=office
        )
        value = value_save(
            unit=unit,
            indicator=indicator,
            period=PERIOD,
            value=row.value,
            target=row.target,
            note="已与税务部门核对，按征管系统导出数更正。",
            expected_version=value.version,
            by=reporter,
        )
        value = value_submit(value=value, expected_version=value.version, by=reporter)
    value_approve(value=value, expected_version=value.version, by=office)


def _checklist(library: dict[str, Indicator], units, leaders, loader: User) -> None:
    for spec in ad.CHECKLIST:
        indicator = library[spec.indicator]
        higher = indicator.direction == "higher"
        row = ChecklistRow.objects.create(
            year=data.YEAR,
            indicator=indicator,
            prefecture_weight=spec.weight,
            target=spec.target,
            prefecture_rule=ad.RANK_RULE,
            lead_unit=indicator.lead_unit,
            responsible_leader=leaders[spec.leader],
            expected_points=ad.expected_points(spec, higher),
            gap_analysis=spec.gap,
            measures=spec.measures,
        )
        row.support_units.set([units[name] for name in spec.support])
        after = snapshot(row, CHECKLIST_FIELDS)
        after["support_units"] = [units[name].pk for name in spec.support]
        events.checklist_imported(row, after=after, by=loader, reason="演示数据")
        for peer, value in zip(ad.PEERS, spec.peers, strict=True):
            peer_row = PeerValue.objects.create(
                indicator=indicator,
                year=PERIOD.year,
                month=PERIOD.month,
                peer=peer,
                is_self=peer == data.ROOT["name"],
                value=value,
            )
            events.peer_value_imported(peer_row, after=snapshot(peer_row, PEER_FIELDS), by=loader, reason="演示数据")


def _headlines(loader: User) -> None:
    for position, spec in enumerate(ad.HEADLINES, 1):
        indicator = HeadlineIndicator.objects.create(
            year=data.YEAR, position=position, name=spec.name, measure=spec.measure, target=spec.target
        )
        events.headline_imported(indicator, after=snapshot(indicator, HEADLINE_FIELDS), by=loader, reason="演示数据")
        value = HeadlineValue.objects.create(
            indicator=indicator,
            quarter=1,
            actual=spec.actual,
            growth=spec.growth,
            prefecture_average=spec.prefecture_average,
            peer_rank=spec.peer_rank,
            quarter_target=spec.quarter_target,
        )
        events.headline_imported(value, after=snapshot(value, HEADLINE_VALUE_FIELDS), by=loader, reason="演示数据")
