"""Writes for performance assessment: schemes, entered values and their review, bonus/penalty/veto items,
result snapshots (compute, publish) and appeals. Each write is audited by the service that makes it."""

from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal

import yaml
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from guatu import clock
from guatu.access import gateway
from guatu.assessment.computed import COMPUTED
from guatu.assessment.files import result_dict
from guatu.assessment.models import (
    CORRECTING_OUTCOMES,
    Appeal,
    AppealOutcome,
    AppealStatus,
    AssessmentItem,
    Evidence,
    Indicator,
    IndicatorValue,
    ItemKind,
    ResultSnapshot,
    Scheme,
    SnapshotStatus,
    Source,
    ValueStatus,
)
from guatu.assessment.queries import gather_inputs, values_of, what_if_table
from guatu.audit import events
from guatu.audit.services import changes, snapshot
from guatu.audit.workflow import Step, Workflow, check_version
from guatu.lib import safe_yaml
from guatu.lib.periods import Period
from guatu.lib.scoring import SchemeError, scheme_from_dict, score_scheme
from guatu.lib.scoring.engine import ScoringError
from guatu.lib.scoring.scheme import Scheme as SchemeSpec
from guatu.notifications.models import NotificationKind
from guatu.notifications.services import notify
from guatu.orgs.models import OrgUnit

VALUE_FIELDS = [
    "unit",
    "indicator",
    "year",
    "month",
    "value",
    "not_applicable",
    "target",
    "note",
    "status",
    "return_reason",
]
NOTE_MAX_LENGTH = 500  # the note column is text; the grid takes this much


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise PermissionDenied(message)


# --- schemes --------------------------------------------------------------------------------------------------


def _units_by_name(jurisdiction: OrgUnit) -> dict[str, OrgUnit]:
    names: dict[str, OrgUnit] = {}
    for unit in OrgUnit.objects.subtree(jurisdiction):
        for name in (unit.name, unit.short_name, *(unit.aliases or [])):
            if name:
                names.setdefault(name, unit)
    return names


def scheme_check(definition: dict, jurisdiction: OrgUnit) -> tuple[SchemeSpec, dict]:
    """Validate a definition against the library and the org tree; unit names come back in full form."""
    try:
        spec = scheme_from_dict(definition)
    except SchemeError as exc:
        raise ValidationError(
            {"definition": _("The scheme is not valid: %(error)s") % {"error": exc}}
        ) from None
    errors = []
    library = set(
        Indicator.objects.filter(code__in=[i.code for i in spec.indicators]).values_list("code", flat=True)
    )
    for ind in spec.indicators:
        if ind.code not in library:
            errors.append(_("indicator %(code)s is not in the indicator library") % {"code": ind.code})
    units = _units_by_name(jurisdiction)
    canonical = json.loads(json.dumps(definition.get("scheme", definition), ensure_ascii=False))
    for group in canonical["groups"]:
        full = []
        for name in group.get("units") or []:
            unit = units.get(str(name))
            if unit is None:
                errors.append(
                    _("unit %(name)s (group %(group)s) is not an org unit here")
                    % {"name": name, "group": group["code"]}
                )
            else:
                full.append(unit.name)
        group["units"] = full
    if errors:
        raise ValidationError({"definition": errors})
    return scheme_from_dict(canonical), canonical


@transaction.atomic
def scheme_save(
    *,
    jurisdiction: OrgUnit,
    definition: dict,
    kind: str,
    by,
    scheme: Scheme | None = None,
    expected_version: int | None = None,
) -> Scheme:
    _require(gateway.can_manage_assessment(by), _("Only the assessment office edits schemes."))
    spec, canonical = scheme_check(definition, jurisdiction)
    now = clock.now()
    if scheme is None:
        scheme = Scheme.objects.filter(code=spec.code).select_for_update().first()
        if scheme is not None and scheme.jurisdiction_id != jurisdiction.pk:
            raise ValidationError(
                {"definition": _("The scheme code %(code)s belongs to another jurisdiction.") % {"code": spec.code}}
            )
    if scheme is None:
        scheme = Scheme.objects.create(
            code=spec.code,
            name=spec.name,
            year=spec.year,
            kind=kind,
            jurisdiction=jurisdiction,
            definition=canonical,
            updated_at=now,
            updated_by=by,
        )
        events.scheme_created(scheme, after={"version": 1, "definition": canonical}, by=by)
        return scheme
    scheme = Scheme.objects.select_for_update().get(pk=scheme.pk)
    if expected_version is not None and expected_version != scheme.version:
        raise ValidationError(
            {"version": _("The scheme was changed by someone else after you opened it. Nothing was saved.")}
        )
    if canonical == scheme.definition and spec.name == scheme.name:
        return scheme
    before = {"version": scheme.version, "definition": scheme.definition}
    scheme.name, scheme.year, scheme.kind, scheme.definition = spec.name, spec.year, kind, canonical
    scheme.version += 1
    scheme.updated_at, scheme.updated_by = now, by
    scheme.save(update_fields=["name", "year", "kind", "definition", "version", "updated_at", "updated_by"])
    events.scheme_changed(scheme, before=before, after={"version": scheme.version, "definition": canonical}, by=by)
    return scheme


def scheme_import_yaml(*, text: str, jurisdiction: OrgUnit, kind: str, by) -> Scheme:
    try:
        data = safe_yaml.load(text)
    except yaml.YAMLError as exc:  # safe_yaml's refusals too (anchors, aliases, size), with the line
        raise ValidationError(
            {"definition": _("The file is not valid YAML: %(error)s") % {"error": exc}}
        ) from None
    if not isinstance(data, dict):
        raise ValidationError({"definition": _("The file must hold a scheme mapping.")})
    return scheme_save(jurisdiction=jurisdiction, definition=data, kind=kind, by=by)


def scheme_export_yaml(scheme: Scheme) -> str:
    """The scheme as the documented YAML file, names and categories filled in from the library."""
    definition = json.loads(json.dumps(scheme.definition, ensure_ascii=False))
    library = {
        i.code: i for i in Indicator.objects.filter(code__in=[d["code"] for d in definition["indicators"]])
    }
    for item in definition["indicators"]:
        ind = library.get(item["code"])
        if ind:
            item.setdefault("name", ind.name)
            item.setdefault("category", ind.get_category_display())
            item.setdefault("unit", ind.measure)
    return yaml.safe_dump({"scheme": definition}, allow_unicode=True, sort_keys=False)


def spec_of(scheme: Scheme) -> SchemeSpec:
    return scheme_from_dict(scheme.definition)


# --- entered values -------------------------------------------------------------------------------------------


def _published_for(unit: OrgUnit, indicator: Indicator, period: Period) -> ResultSnapshot | None:
    """A published snapshot whose frozen inputs include this unit's value of this indicator for the period,
    unless an upheld appeal against that snapshot opened exactly this unit's indicator to correction."""
    for snap in ResultSnapshot.objects.filter(
        status=SnapshotStatus.PUBLISHED, year=period.year, month__gte=period.month
    ):
        uses = any(
            row["unit"] == unit.name and row["indicator"] == indicator.code and row["period"] == str(period)
            for row in snap.inputs["values"]
        )
        if uses and not _open_to_correction(snap, unit, indicator.code):
            return snap
    return None


def _open_to_correction(snap: ResultSnapshot, unit: OrgUnit, indicator_code: str) -> bool:
    return snap.appeals.awaiting_correction().filter(unit=unit, indicator_code=indicator_code).exists()


def _refuse_if_published(value_unit, indicator, period, by, attempted: dict) -> None:
    snap = _published_for(value_unit, indicator, period)
    if snap is None:
        return
    # The refusal itself is recorded: callers check before opening their transaction, so this commits.
    events.published_input_refused(
        snap,
        attempted=attempted,
        reason=_("published result %(scheme)s %(period)s") % {"scheme": snap.scheme.code, "period": snap.period},
        by=by,
    )
    raise ValidationError(
        {
            "value": _(
                "%(period)s results of %(scheme)s are published; their inputs cannot change. Raise an appeal "
                "instead."
            )
            % {"period": snap.period, "scheme": snap.scheme.name}
        }
    )


def _check_number(model, name: str, value: Decimal | None, errors: dict, *, where: str = "") -> None:
    """A number must fit its column: at most `decimal_places` places and `max_digits` digits in all (a longer
    one would be stored as a float on SQLite and break every page that reads it)."""
    if value is None:
        return
    column = model._meta.get_field(name)
    label = f"{where}{column.verbose_name}"
    whole_digits = column.max_digits - column.decimal_places
    if not value.is_finite():
        errors[name] = _("%(field)s must be a number.") % {"field": label}
    elif value.as_tuple().exponent < -column.decimal_places:
        errors[name] = _("%(field)s has at most %(n)s decimal places (you entered %(value)s).") % {
            "field": label,
            "n": column.decimal_places,
            "value": value,
        }
    elif abs(value) >= Decimal(10) ** whole_digits:
        errors[name] = _("%(field)s is too large: at most %(n)s digits before the decimal point.") % {
            "field": label,
            "n": whole_digits,
        }


def value_errors(
    *, indicator: Indicator, value: Decimal | None, not_applicable: bool, target: Decimal | None, note: str
) -> dict[str, str]:
    """What is wrong with a value as entered (field -> message), empty when nothing is: the rules every way a
    value comes in follows (the form, the grid, the demo's import)."""
    errors: dict[str, str] = {}
    if indicator.source != Source.ENTERED:
        errors["indicator"] = _("%(name)s is computed by Guatu, not entered.") % {"name": indicator.name}
    if value is None and not not_applicable:
        errors["value"] = _("Enter a value, or mark the indicator not applicable.")
    _check_number(IndicatorValue, "value", value, errors)
    _check_number(IndicatorValue, "target", target, errors)
    if len(note or "") > NOTE_MAX_LENGTH:
        errors["note"] = _("The note is at most %(n)s characters.") % {"n": NOTE_MAX_LENGTH}
    return errors


KEEP = object()  # value_save: an argument left out keeps what the value has


def value_save(
    *,
    unit: OrgUnit,
    indicator: Indicator,
    period: Period,
    value: Decimal | None,
    expected_version: int | None,
    by,
    not_applicable: bool = False,
    target: Decimal | None | object = KEEP,
    note: str | object = KEEP,
) -> IndicatorValue:
    """Create or update a draft/returned value; refused for a period whose results are published.

    `expected_version` is the version the form was read at, None when it showed no value yet: a value that
    exists by the time the save arrives (someone else entered it meanwhile) is then refused, never overwritten.
    `target` and `note` left out (KEEP) keep what the value has: a caller that does not mention them never
    clears them; pass None or "" to clear.
    """
    _require(gateway.can_enter_indicator(by, indicator, unit), _("You may not enter values for this indicator."))
    errors = value_errors(
        indicator=indicator,
        value=value,
        not_applicable=not_applicable,
        target=None if target is KEEP else target,
        note="" if note is KEEP else (note or ""),
    )
    if errors:
        raise ValidationError(errors)
    attempted = {
        "unit": unit.pk,
        "indicator": indicator.code,
        "period": str(period),
        "value": None if value is None else format(value, "f"),
        "not_applicable": not_applicable,
    }
    _refuse_if_published(unit, indicator, period, by, attempted)
    with transaction.atomic():
        existing = (
            IndicatorValue.objects.select_for_update()
            .filter(unit=unit, indicator=indicator, year=period.year, month=period.month)
            .first()
        )
        now = clock.now()
        if existing is None:
            item = IndicatorValue.objects.create(
                unit=unit,
                indicator=indicator,
                year=period.year,
                month=period.month,
                value=None if not_applicable else value,
                not_applicable=not_applicable,
                target=None if target is KEEP else target,
                note="" if note is KEEP else (note or ""),
                entered_by=by,
                updated_at=now,
            )
            events.value_entered(item, after=snapshot(item, VALUE_FIELDS), by=by)
            return item
        if expected_version is None:
            raise ValidationError(
                {
                    "version": _(
                        "Someone else (%(who)s) has already entered %(unit)s's value of %(indicator)s for "
                        "%(period)s since you opened the page. Nothing was saved: reload the page to see it."
                    )
                    % {
                        "who": existing.entered_by.get_full_name() or existing.entered_by.get_username(),
                        "unit": unit.name,
                        "indicator": indicator.name,
                        "period": period,
                    }
                }
            )
        if existing.status not in EDITABLE:
            raise ValidationError(
                {"status": _("This value is %(status)s and locked.") % {"status": existing.get_status_display()}}
            )
        check_version(existing, expected_version, changed_at=existing.updated_at)
        before = snapshot(existing, VALUE_FIELDS)
        existing.value = None if not_applicable else value
        existing.not_applicable = not_applicable
        if target is not KEEP:
            existing.target = target
        if note is not KEEP:
            existing.note = note or ""
        existing.entered_by = by  # whoever last filled it in may not approve it
        existing.version += 1
        existing.updated_at = now
        existing.save(
            update_fields=["value", "not_applicable", "target", "note", "entered_by", "version", "updated_at"]
        )
        old, new = changes(before, snapshot(existing, VALUE_FIELDS))
        events.value_changed(existing, before=old, after=new, by=by)
        return existing


EDITABLE = (ValueStatus.DRAFT, ValueStatus.RETURNED)
VALUE_WORKFLOW = Workflow(
    steps=[
        Step("value.submit", EDITABLE, ValueStatus.SUBMITTED, gettext_noop("submitted")),
        Step("value.return", (ValueStatus.SUBMITTED,), ValueStatus.RETURNED, gettext_noop("returned"), True, True),
        Step(
            "value.approve",
            (ValueStatus.SUBMITTED,),
            ValueStatus.APPROVED,
            gettext_noop("approved"),
            review=True,
            four_eyes=True,
        ),
        Step(
            "value.unlock",
            (ValueStatus.APPROVED,),
            ValueStatus.RETURNED,
            gettext_noop("unlocked"),
            True,
            True,
            unlock=True,
        ),
    ],
    audited_fields=VALUE_FIELDS,
    reviewer_fields=("reviewed_by", "reviewed_at"),
    reason_field="return_reason",
    filler_field="entered_by",
)


def _value_step(
    value: IndicatorValue, *, action: str, by, expected_version: int | None, reason: str = ""
) -> IndicatorValue:
    reviewer = VALUE_WORKFLOW.steps[action].review
    if value.status == ValueStatus.APPROVED and gateway.can_manage_assessment(by):
        # Checked before the transaction, so that the refusal's audit event stays on the record.
        _refuse_if_published(value.unit, value.indicator, Period(value.year, value.month), by, {"action": action})
    with transaction.atomic():
        item = (
            IndicatorValue.objects.select_for_update()
            .select_related("indicator", "unit", "entered_by")
            .get(pk=value.pk)
        )
        if reviewer:
            _require(gateway.can_manage_assessment(by), _("Only the assessment office reviews values."))
        else:
            _require(gateway.can_enter_indicator(by, item.indicator, item.unit), _("You may not submit this value."))
        return VALUE_WORKFLOW.run(item, action=action, by=by, expected_version=expected_version, reason=reason)


def value_submit(*, value: IndicatorValue, expected_version: int | None, by) -> IndicatorValue:
    return _value_step(value, action="value.submit", by=by, expected_version=expected_version)


def value_return(*, value: IndicatorValue, reason: str, expected_version: int | None, by) -> IndicatorValue:
    return _value_step(value, action="value.return", by=by, expected_version=expected_version, reason=reason)


def value_approve(*, value: IndicatorValue, expected_version: int | None, by) -> IndicatorValue:
    return _value_step(value, action="value.approve", by=by, expected_version=expected_version)


def value_unlock(*, value: IndicatorValue, reason: str, expected_version: int | None, by) -> IndicatorValue:
    return _value_step(value, action="value.unlock", by=by, expected_version=expected_version, reason=reason)


@dataclass(frozen=True)
class GridRow:
    """One unit's row of the value grid as typed; `expected_version` is None when the row showed no value."""

    unit: OrgUnit
    value: Decimal | None
    not_applicable: bool
    target: Decimal | None
    note: str
    expected_version: int | None
    evidence: object | None = None


class GridRefused(Exception):
    """Rows of the grid were refused and nothing was saved; `errors` maps a unit's pk to its row's error."""

    def __init__(self, errors: dict[int, ValidationError]):
        super().__init__(errors)
        self.errors = errors


def values_save_grid(
    *, indicator: Indicator, period: Period, rows: list[GridRow], by, submit: bool
) -> tuple[int, int]:
    """The lead unit's grid of one indicator and month: save the rows that changed, add their evidence, and
    submit them if asked. Every row or none: one refused row refuses the grid, with each bad row's errors.
    Returns (saved, submitted)."""
    errors: dict[int, ValidationError] = {}
    for row in rows:  # outside the transaction, so that a refusal's audit event stays on the record
        try:
            _refuse_if_published(row.unit, indicator, period, by, {"unit": row.unit.pk, "indicator": indicator.code})
        except ValidationError as error:
            errors[row.unit.pk] = error
    if errors:
        raise GridRefused(errors)
    saved = submitted = 0
    with transaction.atomic():
        for row in rows:
            try:
                with transaction.atomic():  # a savepoint: one bad row does not hide the next one's errors
                    row_saved, row_submitted = _grid_row(indicator, period, row, by=by, submit=submit)
            except ValidationError as error:
                errors[row.unit.pk] = error
            else:
                saved, submitted = saved + row_saved, submitted + row_submitted
        if errors:
            transaction.set_rollback(True)
    if errors:
        raise GridRefused(errors)
    return saved, submitted


def _grid_row(indicator: Indicator, period: Period, row: GridRow, *, by, submit: bool) -> tuple[int, int]:
    value = IndicatorValue.objects.filter(
        unit=row.unit, indicator=indicator, year=period.year, month=period.month
    ).first()
    typed = (None if row.not_applicable else row.value, row.not_applicable, row.target, row.note or "")
    saved = value is None or typed != (value.value, value.not_applicable, value.target, value.note)
    if saved:
        value = value_save(
            unit=row.unit,
            indicator=indicator,
            period=period,
            value=row.value,
            not_applicable=row.not_applicable,
            target=row.target,
            note=row.note,
            expected_version=row.expected_version,
            by=by,
        )
    else:
        check_version(value, row.expected_version, changed_at=value.updated_at)
    if row.evidence:
        evidence_add(value=value, file=row.evidence, by=by)
    if submit and value.status in EDITABLE:
        value_submit(value=value, expected_version=value.version, by=by)
        return int(saved), 1
    return int(saved), 0

@transaction.atomic
def evidence_add(*, value: IndicatorValue, file, by) -> Evidence:
    _require(gateway.can_enter_indicator(by, value.indicator, value.unit), _("You may not add evidence to this value."))
    if value.status not in (ValueStatus.DRAFT, ValueStatus.RETURNED):
        raise ValidationError({"file": _("Evidence can be added while the value is a draft or returned.")})
    evidence = Evidence.objects.create(
        value=value, file=file, name=getattr(file, "name", "file"), uploaded_by=by, uploaded_at=clock.now()
    )
    events.evidence_added(value, after={"evidence": evidence.name}, by=by)
    return evidence


def _refuse_items_if_published(scheme: Scheme, period: Period, by, attempted: dict) -> None:
    """Bonus, penalty and veto items of a published result are frozen with it; the attempt is recorded."""
    snap = ResultSnapshot.objects.filter(
        scheme=scheme, year=period.year, month=period.month, status=SnapshotStatus.PUBLISHED
    ).first()
    if snap is None:
        return
    events.published_item_refused(
        snap,
        attempted=attempted,
        reason=_("published result %(scheme)s %(period)s") % {"scheme": scheme.code, "period": snap.period},
        by=by,
    )
    raise ValidationError(
        {
            "kind": _(
                "%(period)s results of %(scheme)s are published: bonus, penalty and veto items of that month "
                "cannot change. Nothing was saved; raise it through an appeal instead."
            )
            % {"period": snap.period, "scheme": scheme.name}
        }
    )


def item_add(
    *, scheme: Scheme, unit: OrgUnit, period: Period, kind: str, points: Decimal, reason: str, by
) -> AssessmentItem:
    """A bonus, penalty or veto item (veto: points 1); refused once the month's result is published."""
    _require(
        gateway.can_manage_assessment(by, scheme),
        _("Only the assessment office adds bonus and penalty items."),
    )
    errors: dict[str, str] = {}
    if kind not in ItemKind.values:
        errors["kind"] = _("Choose bonus, penalty or veto.")
    if points is None or points < 0 or not (reason or "").strip():
        errors["points"] = _("Points are not negative, and the item needs a reason.")
    else:
        _check_number(AssessmentItem, "points", points, errors)
    if errors:
        raise ValidationError(errors)
    attempted = {"unit": unit.pk, "kind": kind, "points": format(points, "f"), "period": str(period)}
    _refuse_items_if_published(scheme, period, by, attempted)  # before the transaction: the refusal commits
    with transaction.atomic():
        item = AssessmentItem.objects.create(
            scheme=scheme,
            unit=unit,
            year=period.year,
            month=period.month,
            kind=kind,
            points=points,
            reason=reason.strip(),
            created_by=by,
            created_at=clock.now(),
        )
        events.item_added(item, after=attempted, reason=reason, by=by)
    return item

# --- snapshots ------------------------------------------------------------------------------------------------


def input_hash(definition: dict, inputs: dict) -> str:
    canonical = json.dumps({"definition": definition, "inputs": inputs}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def compute(definition: dict, inputs: dict, period: Period, spec: SchemeSpec | None = None) -> dict:
    """The results of `definition` on `inputs` (`spec`: the definition already read, if the caller has it)."""
    spec = spec or scheme_from_dict(definition)
    try:
        result = score_scheme(spec, values_of(inputs), str(period))
    except ScoringError as exc:
        raise ValidationError({"inputs": exc.errors}) from None
    return result_dict(spec, result)


def snapshot_compute(*, scheme: Scheme, period: Period, by) -> ResultSnapshot:
    """Compute the scheme for a period and freeze scheme, inputs and results together.

    An unpublished snapshot is replaced. A published one is only recomputed to show it reproduces: if the
    inputs or the scheme have changed since, the recomputation is refused and the attempt audited.
    """
    _require(gateway.can_manage_assessment(by, scheme), _("Only the assessment office computes results."))
    spec = scheme_from_dict(scheme.definition)
    inputs = gather_inputs(scheme, period, spec)
    digest = input_hash(scheme.definition, inputs)
    published = ResultSnapshot.objects.filter(
        scheme=scheme, year=period.year, month=period.month, status=SnapshotStatus.PUBLISHED
    ).first()
    if published:
        if digest == published.input_hash:
            return published
        # Recorded outside any transaction, so the refusal stays on the record.
        events.recompute_refused(
            published, before={"input_hash": published.input_hash}, after={"input_hash": digest}, by=by
        )
        raise ValidationError(
            {
                "inputs": _(
                    "These results are published. Their inputs or scheme have changed "
                    "since, so they are not recomputed; nothing was changed."
                )
            }
        )
    results = compute(scheme.definition, inputs, period, spec)
    now = clock.now()
    with transaction.atomic():
        existing = (
            ResultSnapshot.objects.current()
            .defer("definition", "inputs", "results", "what_if")  # replaced below, or kept as they are
            .select_for_update()
            .filter(scheme=scheme, year=period.year, month=period.month)
            .first()
        )
        if existing and existing.status == SnapshotStatus.PUBLISHED:
            raise ValidationError(
                {"status": _("These results were published meanwhile; nothing was changed.")}
            )
        if existing:
            before = {"input_hash": existing.input_hash, "scheme_version": existing.scheme_version}
            existing.scheme_version, existing.definition, existing.inputs = (
                scheme.version,
                scheme.definition,
                inputs,
            )
            existing.input_hash, existing.results, existing.computed_at, existing.computed_by = (
                digest,
                results,
                now,
                by,
            )
            existing.save()
            events.results_recomputed(
                existing, before=before, after={"input_hash": digest, "scheme_version": scheme.version}, by=by
            )
            return existing
        snap = ResultSnapshot.objects.create(
            scheme=scheme,
            year=period.year,
            month=period.month,
            scheme_version=scheme.version,
            definition=scheme.definition,
            inputs=inputs,
            input_hash=digest,
            results=results,
            computed_at=now,
            computed_by=by,
        )
        events.results_computed(snap, after={"input_hash": digest, "scheme_version": scheme.version}, by=by)
    return snap


def snapshot_reproduces(snap: ResultSnapshot) -> bool:
    """Recompute from the frozen scheme and inputs: a snapshot must give exactly its stored results."""
    return (
        input_hash(snap.definition, snap.inputs) == snap.input_hash
        and compute(snap.definition, snap.inputs, Period(snap.year, snap.month)) == snap.results
    )


@transaction.atomic
def snapshot_publish(*, snapshot: ResultSnapshot, by) -> ResultSnapshot:
    """公示: the results become visible to every unit of the jurisdiction and are frozen.

    Each unit's what-if is computed here, once: a published result never changes, so its score cards
    read it instead of recomputing the scheme for every indicator.
    """
    snap = ResultSnapshot.objects.select_for_update().get(pk=snapshot.pk)
    _require(
        gateway.can_manage_assessment(by, snap.scheme), _("Only the assessment office publishes results.")
    )
    if snap.status == SnapshotStatus.PUBLISHED:
        raise ValidationError({"status": _("These results are already published.")})
    if not snapshot_reproduces(snap):
        raise ValidationError(
            {"status": _("The stored results do not reproduce from their inputs; recompute first.")}
        )
    snap.what_if = what_if_table(snap)
    snap.status, snap.published_at, snap.published_by = SnapshotStatus.PUBLISHED, clock.now(), by
    snap.save(update_fields=["status", "published_at", "published_by", "what_if"])
    events.results_published(snap, before={"status": "computed"}, after={"status": "published"}, by=by)
    return snap


@transaction.atomic
def appeal_raise(*, snapshot: ResultSnapshot, indicator_code: str, reason: str, by) -> Appeal:
    """申诉: a unit contests one indicator of its published result."""
    _require(by.is_authenticated and by.org_unit_id is not None, _("Appeals are raised by a unit."))
    _require(gateway.can_appeal(by, by.org_unit), _("Appeals are raised by the unit's reporter."))
    if snapshot.status != SnapshotStatus.PUBLISHED:
        raise ValidationError({"snapshot": _("Only published results can be appealed.")})
    unit = by.org_unit
    in_result = any(u["unit"] == unit.name for g in snapshot.results["groups"] for u in g["units"])
    _require(in_result, _("Your unit is not assessed in these results."))
    if indicator_code not in {i["code"] for i in snapshot.definition["indicators"]}:
        raise ValidationError({"indicator_code": _("No such indicator in this scheme.")})
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give the reason for the appeal.")})
    appeal = Appeal.objects.create(
        snapshot=snapshot,
        unit=unit,
        indicator_code=indicator_code,
        reason=reason.strip(),
        raised_by=by,
        raised_at=clock.now(),
    )
    events.appeal_raised(appeal, after={"indicator": indicator_code, "reason": appeal.reason}, by=by)
    return appeal


def _unit_users(units):
    from guatu.accounts.models import User

    return User.objects.filter(org_unit__in=units, is_active=True)


@transaction.atomic
def appeal_answer(*, appeal: Appeal, outcome: str, answer: str, by) -> Appeal:
    """The office's answer and outcome (成立 / 部分成立 / 不成立); the appealing unit is notified.

    An upheld or partly upheld appeal opens that unit's value of that indicator to correction; the
    corrected result is then published as a new version (`snapshot_republish`). A rejected one changes
    nothing.
    """
    appeal = (
        Appeal.objects.select_for_update().select_related("snapshot__scheme", "unit").get(pk=appeal.pk)
    )
    snap = appeal.snapshot
    _require(
        gateway.can_manage_assessment(by, snap.scheme),
        _("Only the assessment office answers appeals."),
    )
    if appeal.status != AppealStatus.OPEN:
        raise ValidationError({"status": _("This appeal has been answered.")})
    if outcome not in AppealOutcome.values:
        raise ValidationError({"outcome": _("Choose the outcome: upheld, partly upheld or rejected.")})
    if not (answer or "").strip():
        raise ValidationError({"answer": _("Write the answer.")})
    if outcome in CORRECTING_OUTCOMES and snap.status != SnapshotStatus.PUBLISHED:
        raise ValidationError(
            {
                "outcome": _(
                    "Version %(revision)s of these results has been superseded; an appeal against it can "
                    "only be rejected. The unit may appeal against the current version."
                )
                % {"revision": snap.revision}
            }
        )
    appeal.answer, appeal.outcome, appeal.status, appeal.answered_by, appeal.answered_at = (
        answer.strip(),
        outcome,
        AppealStatus.ANSWERED,
        by,
        clock.now(),
    )
    appeal.save(update_fields=["answer", "outcome", "status", "answered_by", "answered_at"])
    events.appeal_answered(
        appeal,
        before={"status": "open"},
        after={"status": "answered", "outcome": outcome, "answer": appeal.answer},
        by=by,
    )
    notify(
        users=_unit_users([appeal.unit]),
        kind=NotificationKind.ASSESSMENT,
        title=_("Your appeal on %(scheme)s %(period)s was answered: %(outcome)s")
        % {"scheme": snap.scheme.name, "period": snap.period, "outcome": appeal.get_outcome_display()},
        body=appeal.answer,
        url=_card_url(snap, appeal.unit),
        dedupe_key=f"appeal-answer-{appeal.pk}",
    )
    return appeal


def _card_url(snap: ResultSnapshot, unit: OrgUnit) -> str:
    from django.urls import reverse

    return reverse("assessment:card", args=[snap.scheme_id, snap.period, unit.pk])


def snapshot_republish(*, snapshot: ResultSnapshot, by) -> ResultSnapshot:
    """Publish a corrected version of a published result after upheld appeals (申诉更正后重新公示).

    The new version keeps the earlier one's scheme and every frozen input except the values of the units
    and indicators of its upheld appeals, which are read again (approved values only). The earlier version
    stays readable, marked superseded, with a link to its successor; the appealing units and every unit
    whose total, rank or grade changed are notified.
    """
    scheme = snapshot.scheme
    _require(gateway.can_manage_assessment(by, scheme), _("Only the assessment office publishes results."))
    period = Period(snapshot.year, snapshot.month)
    with transaction.atomic():
        old = ResultSnapshot.objects.select_for_update().get(pk=snapshot.pk)
        if old.status != SnapshotStatus.PUBLISHED:
            raise ValidationError(
                {"status": _("Only the current published version of a result can be corrected.")}
            )
        appeals = list(old.appeals.awaiting_correction().select_related("unit").order_by("pk"))
        if not appeals:
            raise ValidationError(
                {"status": _("No upheld appeal awaits a correction; a published result does not change.")}
            )
        inputs = _corrected_inputs(old, scheme, period, {(a.unit.name, a.indicator_code) for a in appeals})
        if inputs == old.inputs:
            raise ValidationError(
                {
                    "inputs": _(
                        "The appealed values are unchanged: correct them and approve the corrections first."
                    )
                }
            )
        results = compute(old.definition, inputs, period)
        now = clock.now()
        old.status = SnapshotStatus.SUPERSEDED
        old.save(update_fields=["status"])
        new = ResultSnapshot(
            scheme=scheme,
            year=old.year,
            month=old.month,
            revision=old.revision + 1,
            replaces=old,
            scheme_version=old.scheme_version,
            definition=old.definition,
            inputs=inputs,
            input_hash=input_hash(old.definition, inputs),
            results=results,
            status=SnapshotStatus.PUBLISHED,
            computed_at=now,
            computed_by=by,
            published_at=now,
            published_by=by,
        )
        new.what_if = what_if_table(new)
        new.save()
        Appeal.objects.filter(pk__in=[a.pk for a in appeals]).update(corrected_in=new)
        corrected = sorted({f"{a.unit.name} {a.indicator_code}" for a in appeals})
        events.results_superseded(
            old, before={"status": "published"}, after={"status": "superseded", "superseded_by": new.pk}, by=by
        )
        events.corrected_results_published(
            new,
            before={"revision": old.revision, "input_hash": old.input_hash},
            after={
                "revision": new.revision,
                "input_hash": new.input_hash,
                "appeals": [a.pk for a in appeals],
                "corrected": corrected,
            },
            by=by,
        )
        _notify_new_version(old, new, {a.unit for a in appeals})
    return new


def _corrected_inputs(old: ResultSnapshot, scheme: Scheme, period: Period, corrected: set) -> dict:
    """The earlier version's inputs with only the corrected (unit, indicator) rows read again."""
    frozen = copy.copy(scheme)
    frozen.definition = old.definition  # the version's own scheme, whatever the scheme became since
    fresh = gather_inputs(frozen, period)
    keep = [r for r in old.inputs["values"] if (r["unit"], r["indicator"]) not in corrected]
    taken = [r for r in fresh["values"] if (r["unit"], r["indicator"]) in corrected]
    missing = {(r["unit"], r["indicator"], r["period"]) for r in old.inputs["values"]} - {
        (r["unit"], r["indicator"], r["period"]) for r in keep + taken
    }
    if missing:
        raise ValidationError(
            {
                "inputs": [
                    _("%(unit)s: %(indicator)s of %(period)s has no approved value; approve the correction first.")
                    % {"unit": unit, "indicator": code, "period": p}
                    for unit, code, p in sorted(missing)
                ]
            }
        )
    rows = sorted(keep + taken, key=lambda r: (r["unit"], r["indicator"], r["period"]))
    return {"values": rows, "items": old.inputs["items"]}


def _notify_new_version(old: ResultSnapshot, new: ResultSnapshot, appellants: set) -> None:
    def standing(snap):
        return {
            u["unit"]: (u["total"], u["rank"], u["grade"]) for g in snap.results["groups"] for u in g["units"]
        }

    before, after = standing(old), standing(new)
    changed = {name for name in after if before.get(name) != after[name]}
    units = set(appellants) | set(
        OrgUnit.objects.filter(name__in=changed, path__startswith=new.scheme.jurisdiction.path)
    )
    for unit in units:
        notify(
            users=_unit_users([unit]),
            kind=NotificationKind.ASSESSMENT,
            title=_("A corrected version %(revision)s of %(scheme)s %(period)s is published")
            % {"revision": new.revision, "scheme": new.scheme.name, "period": new.period},
            body=_("It replaces version %(revision)s after upheld appeals.") % {"revision": old.revision},
            url=_card_url(new, unit),
            dedupe_key=f"snapshot-{new.pk}-unit-{unit.pk}",
        )


# --- the indicator library ------------------------------------------------------------------------------------

INDICATOR_FIELDS = [
    "code",
    "name",
    "category",
    "measure",
    "direction",
    "frequency",
    "data_source",
    "lead_unit",
    "source",
    "computed_key",
]


@transaction.atomic
def indicator_save(*, data: dict, by, indicator: Indicator | None = None) -> Indicator:
    """Create an indicator of the library, or change one; its code never changes once schemes use it."""
    _require(gateway.can_manage_assessment(by), _("Only the assessment office edits the indicator library."))
    if indicator is not None:
        _require(
            gateway.visible_indicators(by).filter(pk=indicator.pk).exists(),
            _("This indicator belongs to another jurisdiction's library."),
        )
    data = dict(data)
    if data.get("source") == Source.ENTERED:
        data["computed_key"] = ""
    elif data.get("computed_key") not in COMPUTED:
        raise ValidationError({"computed_key": _("Choose what Guatu computes this indicator from.")})
    if indicator is None:
        item = Indicator(**data)
        item.full_clean()
        item.save()
        events.indicator_created(item, after=snapshot(item, INDICATOR_FIELDS), by=by)
        return item
    item = Indicator.objects.select_for_update().get(pk=indicator.pk)
    if "code" in data and data["code"] != item.code:
        raise ValidationError({"code": _("The code of an indicator cannot change.")})
    before = snapshot(item, INDICATOR_FIELDS)
    for name, value in data.items():
        setattr(item, name, value)
    item.full_clean()
    old, new = changes(before, snapshot(item, INDICATOR_FIELDS))
    if not new:
        return item
    item.save(update_fields=[name for name in INDICATOR_FIELDS if name in new])
    events.indicator_changed(item, before=old, after=new, by=by)
    return item
