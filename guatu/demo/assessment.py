"""The demo's performance assessment, written through the services where they exist.

The assessment office (demo_kaohe) builds the indicator library and saves the two 2022 schemes from their
YAML files in January. In April the lead units' reporters enter the 1-3月 values and the office approves them:
the demo imports them as approved (value.import), checked by the rules the value service applies, in one go;
one value goes through the review step by step (entered, sent back, corrected, approved). The office adds the
bonus, penalty and veto items, computes both schemes for 2022-03 and publishes the township one; 三尖镇 appeals
an indicator and the office answers, all before the demo's day (data.DEMO_DAY). The responsibility checklist,
peer values and headline indicators have no services (they are imported from the prefecture's and the
statistics bureau's tables): they are written directly, each row with one audit event (checklist.import,
peer.import, headline.import).

Each step runs as on its day (dates.as_on), since these services date their rows by the app's clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import yaml
from django.core.exceptions import PermissionDenied, ValidationError

from guatu import clock
from guatu.access import gateway
from guatu.accounts.models import User
from guatu.assessment.models import (
    AppealOutcome,
    ChecklistRow,
    HeadlineIndicator,
    HeadlineValue,
    Indicator,
    IndicatorValue,
    PeerValue,
    ResultSnapshot,
    Scheme,
    SchemeKind,
    Source,
    ValueStatus,
)
from guatu.assessment.reference import CHECKLIST_FIELDS, HEADLINE_FIELDS, HEADLINE_VALUE_FIELDS, PEER_FIELDS
from guatu.assessment.services import (
    VALUE_FIELDS,
    appeal_answer,
    appeal_raise,
    indicator_save,
    item_add,
    scheme_save,
    snapshot_compute,
    snapshot_publish,
    value_approve,
    value_errors,
    value_return,
    value_save,
    value_submit,
)
from guatu.audit import chain, events
from guatu.audit.models import AuditEvent
from guatu.audit.services import snapshot
from guatu.demo import assessment_data as ad
from guatu.demo import data
from guatu.demo.dates import as_on, d, moment
from guatu.lib.periods import Period
from guatu.orgs.models import Leader, OrgUnit

PERIOD = Period(*ad.PERIOD)
# The first quarter's assessment in April 2022, before the demo's day.
LIBRARY_DAY = data.SETUP_DAY  # the library, the schemes, the checklist and the peer values
HEADLINES_DAY = d(4, 20)  # the statistics bureau's first-quarter figures
APPROVED_DAYS = (d(4, 12), d(4, 13))  # the office approves the lead units' columns of the value grid
RETURNED_DAYS = {"entered": d(4, 7), "returned": d(4, 11), "corrected": d(4, 12), "approved": d(4, 13)}
ITEMS_DAY = d(4, 14)  # bonus, penalty and veto items
COMPUTED_DAY = d(4, 18)
PUBLISHED_DAY = d(4, 19)
APPEALED_DAY, ANSWERED_DAY = d(4, 20), d(4, 22)
# Steps a value imported as approved has been through (entered, submitted, approved): its version.
IMPORTED_VERSION = 3


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
    with as_on(LIBRARY_DAY):
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
        _checklist(library, units, leaders, loader, root)
        schemes = {}
        for kind, path in ad.SCHEME_FILES.items():
            definition = yaml.safe_load(path.read_text(encoding="utf-8"))
            schemes[kind] = scheme_save(jurisdiction=root, definition=definition, kind=kind, by=office)
    with as_on(HEADLINES_DAY):
        _headlines(loader, root)

    reporters = {user.org_unit_id: user for user in staff.values() if user.role == "reporter"}
    rows = [
        (row, library[row.indicator], units[row.unit])
        for row in _township_values(schemes[SchemeKind.TOWNSHIP])
        + _department_values(schemes[SchemeKind.DEPARTMENT])
    ]
    returned = next(
        r for r in rows if (r[0].unit, r[0].indicator) == (ad.RETURNED["unit"], ad.RETURNED["indicator"])
    )
    imported = [r for r in rows if r is not returned]
    _import_values(
        [(row, indicator, unit, reporters[indicator.lead_unit_id]) for row, indicator, unit in imported],
        office=office,
        loader=loader,
    )
    row, indicator, unit = returned
    _returned_and_corrected(row, indicator, unit, reporters[indicator.lead_unit_id], office)
    with as_on(ITEMS_DAY):
        for kind, items in (
            (SchemeKind.TOWNSHIP, ad.TOWNSHIP_ITEMS),
            (SchemeKind.DEPARTMENT, ad.DEPARTMENT_ITEMS),
        ):
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
    with as_on(COMPUTED_DAY):
        township = snapshot_compute(scheme=schemes[SchemeKind.TOWNSHIP], period=PERIOD, by=office)
        snapshot_compute(scheme=schemes[SchemeKind.DEPARTMENT], period=PERIOD, by=office)
    with as_on(PUBLISHED_DAY):
        township = snapshot_publish(snapshot=township, by=office)
    with as_on(APPEALED_DAY):
        appeal = appeal_raise(
            snapshot=township,
            indicator_code=ad.APPEAL["indicator"],
            reason=ad.APPEAL["reason"],
            by=staff[ad.APPEAL["reporter"]],
        )
    with as_on(ANSWERED_DAY):
        # The answer keeps the result (属地管理责任不能免除): the appeal is rejected.
        appeal_answer(appeal=appeal, outcome=AppealOutcome.REJECTED, answer=ad.APPEAL["answer"], by=office)
    return AssessmentCounts(
        indicators=len(library),
        schemes=len(schemes),
        values=len(rows),
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


def _import_values(
    rows: list[tuple[ad.ValueData, Indicator, OrgUnit, User]], *, office: User, loader: User
) -> None:
    """The 1-3月 values as the lead units entered them and the office approved them, in one insert, then one
    value.import audit event each with the full snapshot. Each row meets the rules the value service applies
    (services.value_errors, the reporter's right to enter it, the office's to approve it, four eyes), or
    nothing is loaded. Each indicator's column is dated as approved on one of APPROVED_DAYS."""
    if not gateway.can_manage_assessment(office):
        raise PermissionDenied(f"{office} does not manage the assessment")
    columns = {
        code: k for k, code in enumerate(dict.fromkeys(indicator.code for _r, indicator, _u, _e in rows))
    }
    values = []
    for row, indicator, unit, reporter in rows:
        where = f"{unit.name} {indicator.code}"
        if not gateway.can_enter_indicator(reporter, indicator, unit) or reporter == office:
            raise PermissionDenied(f"{where}: {reporter} may not enter it, or would approve their own value")
        errors = value_errors(
            indicator=indicator, value=row.value, not_applicable=False, target=row.target, note=""
        )
        if errors:
            raise ValidationError({where: list(errors.values())})
        column = columns[indicator.code]
        values.append(
            IndicatorValue(
                unit=unit,
                indicator=indicator,
                year=PERIOD.year,
                month=PERIOD.month,
                value=row.value,
                target=row.target,
                status=ValueStatus.APPROVED,
                version=IMPORTED_VERSION,
                entered_by=reporter,
                reviewed_by=office,
                reviewed_at=moment(_day(APPROVED_DAYS, column), 15, column % 60),
                updated_at=moment(_day(APPROVED_DAYS, column), 15, column % 60),
            )
        )
    IndicatorValue.objects.bulk_create(values, batch_size=500)
    # Read back as stored (1485 is held as 1485.0000), so that the audit trail replays to the stored value.
    values = IndicatorValue.objects.filter(pk__in=[value.pk for value in values]).order_by("pk")
    imported = AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                at=value.updated_at,  # imported as it stood once approved
                actor=loader,
                action="value.import",
                object_type=IndicatorValue._meta.model_name,
                object_id=value.pk,
                after=snapshot(value, VALUE_FIELDS),
                reason="演示数据",
            )
            for value in values
        ],
        batch_size=500,
    )
    chain.mark_pending(*imported)  # sealed into the audit chain once the load commits


def _day(days: tuple[date, ...], column: int) -> date:
    return days[column % len(days)]


def _returned_and_corrected(
    row: ad.ValueData, indicator: Indicator, unit: OrgUnit, reporter: User, office: User
) -> None:
    """One value through the review step by step: entered too high, sent back, corrected, approved."""
    with as_on(RETURNED_DAYS["entered"]):
        value = value_save(
            unit=unit,
            indicator=indicator,
            period=PERIOD,
            value=row.value + ad.RETURNED["overstated_by"],
            target=row.target,
            expected_version=None,
            by=reporter,
        )
        value = value_submit(value=value, expected_version=value.version, by=reporter)
    with as_on(RETURNED_DAYS["returned"]):
        value = value_return(
            value=value, reason=ad.RETURNED["reason"], expected_version=value.version, by=office
        )
    with as_on(RETURNED_DAYS["corrected"]):
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
    with as_on(RETURNED_DAYS["approved"]):
        value_approve(value=value, expected_version=value.version, by=office)


def _checklist(library: dict[str, Indicator], units, leaders, loader: User, root: OrgUnit) -> None:
    for spec in ad.CHECKLIST:
        indicator = library[spec.indicator]
        higher = indicator.direction == "higher"
        row = ChecklistRow.objects.create(
            **_imported(loader, root),
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
                **_imported(loader, root),
                indicator=indicator,
                year=PERIOD.year,
                month=PERIOD.month,
                peer=peer,
                is_self=peer == data.ROOT["name"],
                value=value,
            )
            events.peer_value_imported(
                peer_row, after=snapshot(peer_row, PEER_FIELDS), by=loader, reason="演示数据"
            )


def _imported(loader: User, root: OrgUnit | None) -> dict:
    """The demo's reference rows are the county's approved figures (only approved ones count)."""
    fields = {"status": ValueStatus.APPROVED, "entered_by": loader, "updated_at": clock.now()}
    return fields if root is None else {**fields, "jurisdiction": root}


def _headlines(loader: User, root: OrgUnit) -> None:
    for position, spec in enumerate(ad.HEADLINES, 1):
        indicator = HeadlineIndicator.objects.create(
            **_imported(loader, root),
            year=data.YEAR, position=position, name=spec.name, measure=spec.measure, target=spec.target
        )
        events.headline_imported(
            indicator, after=snapshot(indicator, HEADLINE_FIELDS), by=loader, reason="演示数据"
        )
        value = HeadlineValue.objects.create(
            **_imported(loader, None),
            indicator=indicator,
            quarter=1,
            actual=spec.actual,
            growth=spec.growth,
            prefecture_average=spec.prefecture_average,
            peer_rank=spec.peer_rank,
            quarter_target=spec.quarter_target,
        )
        events.headline_imported(
            value, after=snapshot(value, HEADLINE_VALUE_FIELDS), by=loader, reason="演示数据"
        )
