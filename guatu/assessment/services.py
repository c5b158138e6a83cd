"""Writes for performance assessment: schemes, entered values and their review, bonus/penalty/veto items,
result snapshots (compute, publish) and appeals. Each write is audited by the service that makes it."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal

import yaml
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guatu import clock
from guatu.access import gateway
from guatu.assessment.computed import COMPUTED
from guatu.assessment.files import result_dict
from guatu.assessment.models import (
    Appeal,
    AppealStatus,
    AssessmentItem,
    Evidence,
    Indicator,
    IndicatorValue,
    ResultSnapshot,
    Scheme,
    SnapshotStatus,
    Source,
    ValueStatus,
)
from guatu.assessment.queries import gather_inputs, values_of
from guatu.audit.services import audit_record, changes, snapshot
from guatu.lib.periods import Period
from guatu.lib.scoring import SchemeError, scheme_from_dict, score_scheme
from guatu.lib.scoring.engine import ScoringError
from guatu.lib.scoring.scheme import Scheme as SchemeSpec
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
MAX_PLACES = 4


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
        audit_record(
            actor=by, action="scheme.create", obj=scheme, after={"version": 1, "definition": canonical}
        )
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
    audit_record(
        actor=by,
        action="scheme.update",
        obj=scheme,
        before=before,
        after={"version": scheme.version, "definition": canonical},
    )
    return scheme


def scheme_import_yaml(*, text: str, jurisdiction: OrgUnit, kind: str, by) -> Scheme:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
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
    """A published snapshot whose frozen inputs include this unit's value of this indicator for the period."""
    for snap in ResultSnapshot.objects.filter(
        status=SnapshotStatus.PUBLISHED, year=period.year, month__gte=period.month
    ):
        for row in snap.inputs["values"]:
            if (
                row["unit"] == unit.name
                and row["indicator"] == indicator.code
                and row["period"] == str(period)
            ):
                return snap
    return None


def _refuse_if_published(value_unit, indicator, period, by, attempted: dict) -> None:
    snap = _published_for(value_unit, indicator, period)
    if snap is None:
        return
    # The refusal itself is recorded: callers check before opening their transaction, so this commits.
    audit_record(
        actor=by,
        action="value.change_refused",
        obj=snap,
        before={},
        after=attempted,
        reason=_("published result %(scheme)s %(period)s")
        % {"scheme": snap.scheme.code, "period": snap.period},
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


def _check_number(name: str, value: Decimal | None, errors: dict) -> None:
    if value is None:
        return
    if not value.is_finite():
        errors[name] = _("%(field)s must be a number.") % {
            "field": IndicatorValue._meta.get_field(name).verbose_name
        }
    elif value.as_tuple().exponent < -MAX_PLACES:
        errors[name] = _("%(field)s has at most %(n)s decimal places (you entered %(value)s).") % {
            "field": IndicatorValue._meta.get_field(name).verbose_name,
            "n": MAX_PLACES,
            "value": value,
        }


def value_save(
    *,
    unit: OrgUnit,
    indicator: Indicator,
    period: Period,
    value: Decimal | None,
    by,
    not_applicable: bool = False,
    target: Decimal | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> IndicatorValue:
    """Create or update a draft/returned value; refused for a period whose results are published."""
    _require(gateway.can_enter_indicator(by, indicator, unit), _("You may not enter values for this indicator."))
    errors: dict[str, str] = {}
    if indicator.source != Source.ENTERED:
        errors["indicator"] = _("%(name)s is computed by Guatu, not entered.") % {"name": indicator.name}
    if value is None and not not_applicable:
        errors["value"] = _("Enter a value, or mark the indicator not applicable.")
    _check_number("value", value, errors)
    _check_number("target", target, errors)
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
                target=target,
                note=note,
                entered_by=by,
                updated_at=now,
            )
            audit_record(actor=by, action="value.create", obj=item, after=snapshot(item, VALUE_FIELDS))
            return item
        if existing.status not in (ValueStatus.DRAFT, ValueStatus.RETURNED):
            raise ValidationError(
                {
                    "status": _("This value is %(status)s and locked.")
                    % {"status": existing.get_status_display()}
                }
            )
        if expected_version is not None and expected_version != existing.version:
            raise ValidationError(
                {
                    "version": _(
                        "This value was changed by someone else after you opened it. Nothing was saved."
                    )
                }
            )
        before = snapshot(existing, VALUE_FIELDS)
        existing.value = None if not_applicable else value
        existing.not_applicable, existing.target, existing.note = not_applicable, target, note
        existing.version += 1
        existing.updated_at = now
        existing.save(update_fields=["value", "not_applicable", "target", "note", "version", "updated_at"])
        old, new = changes(before, snapshot(existing, VALUE_FIELDS))
        audit_record(actor=by, action="value.update", obj=existing, before=old, after=new)
        return existing


# What each review step is called in a message (the audit action codes are not for reading).
_ACTION_WORDS = {
    "value.submit": gettext_lazy("submitted"),
    "value.return": gettext_lazy("returned"),
    "value.approve": gettext_lazy("approved"),
    "value.unlock": gettext_lazy("unlocked"),
}


def _value_step(
    item: IndicatorValue, *, by, allowed, to, action, reason="", reviewer: bool
) -> IndicatorValue:
    if item.status == ValueStatus.APPROVED and gateway.can_manage_assessment(by):
        _refuse_if_published(item.unit, item.indicator, Period(item.year, item.month), by, {"status": to})
    with transaction.atomic():
        item = IndicatorValue.objects.select_for_update().select_related("indicator", "unit").get(pk=item.pk)
        if reviewer:
            _require(gateway.can_manage_assessment(by), _("Only the assessment office reviews values."))
        else:
            _require(gateway.can_enter_indicator(by, item.indicator, item.unit), _("You may not submit this value."))
        if item.status not in allowed:
            raise ValidationError(
                {
                    "status": _("A value that is %(status)s cannot be %(action)s.")
                    % {"status": item.get_status_display(), "action": _ACTION_WORDS.get(action, action)}
                }
            )
        if to == ValueStatus.RETURNED and not reason.strip():
            raise ValidationError({"reason": _("Give a reason.")})
        before = snapshot(item, VALUE_FIELDS)
        item.status = to
        fields = ["status", "version", "updated_at"]
        if to == ValueStatus.RETURNED:
            item.return_reason = reason.strip()
            fields.append("return_reason")
        if reviewer:
            item.reviewed_by, item.reviewed_at = by, clock.now()
            fields += ["reviewed_by", "reviewed_at"]
        item.version += 1
        item.updated_at = clock.now()
        item.save(update_fields=fields)
        old, new = changes(before, snapshot(item, VALUE_FIELDS))
        audit_record(actor=by, action=action, obj=item, before=old, after=new, reason=reason)
    return item


def value_submit(*, value: IndicatorValue, by) -> IndicatorValue:
    return _value_step(
        value,
        by=by,
        allowed=(ValueStatus.DRAFT, ValueStatus.RETURNED),
        to=ValueStatus.SUBMITTED,
        action="value.submit",
        reviewer=False,
    )


def value_return(*, value: IndicatorValue, reason: str, by) -> IndicatorValue:
    return _value_step(
        value,
        by=by,
        allowed=(ValueStatus.SUBMITTED,),
        to=ValueStatus.RETURNED,
        action="value.return",
        reason=reason or "",
        reviewer=True,
    )


def value_approve(*, value: IndicatorValue, by) -> IndicatorValue:
    return _value_step(
        value,
        by=by,
        allowed=(ValueStatus.SUBMITTED,),
        to=ValueStatus.APPROVED,
        action="value.approve",
        reviewer=True,
    )


def value_unlock(*, value: IndicatorValue, reason: str, by) -> IndicatorValue:
    return _value_step(
        value,
        by=by,
        allowed=(ValueStatus.APPROVED,),
        to=ValueStatus.RETURNED,
        action="value.unlock",
        reason=reason or "",
        reviewer=True,
    )


@transaction.atomic
def evidence_add(*, value: IndicatorValue, file, by) -> Evidence:
    _require(gateway.can_enter_indicator(by, value.indicator, value.unit), _("You may not add evidence to this value."))
    if value.status not in (ValueStatus.DRAFT, ValueStatus.RETURNED):
        raise ValidationError({"file": _("Evidence can be added while the value is a draft or returned.")})
    evidence = Evidence.objects.create(
        value=value, file=file, name=getattr(file, "name", "file"), uploaded_by=by, uploaded_at=clock.now()
    )
    audit_record(actor=by, action="value.evidence", obj=value, after={"evidence": evidence.name})
    return evidence


@transaction.atomic
def item_add(
    *, scheme: Scheme, unit: OrgUnit, period: Period, kind: str, points: Decimal, reason: str, by
) -> AssessmentItem:
    """A bonus, penalty or veto item (veto: points 1)."""
    _require(
        gateway.can_manage_assessment(by, scheme),
        _("Only the assessment office adds bonus and penalty items."),
    )
    if points < 0 or not reason.strip():
        raise ValidationError({"points": _("Points are not negative, and the item needs a reason.")})
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
    audit_record(
        actor=by,
        action="item.add",
        obj=item,
        after={"unit": unit.pk, "kind": kind, "points": format(points, "f"), "period": str(period)},
        reason=reason,
    )
    return item


# --- snapshots ------------------------------------------------------------------------------------------------


def input_hash(definition: dict, inputs: dict) -> str:
    canonical = json.dumps({"definition": definition, "inputs": inputs}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def compute(definition: dict, inputs: dict, period: Period) -> dict:
    spec = scheme_from_dict(definition)
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
    inputs = gather_inputs(scheme, period)
    digest = input_hash(scheme.definition, inputs)
    published = ResultSnapshot.objects.filter(
        scheme=scheme, year=period.year, month=period.month, status=SnapshotStatus.PUBLISHED
    ).first()
    if published:
        if digest == published.input_hash:
            return published
        # Recorded outside any transaction, so the refusal stays on the record.
        audit_record(
            actor=by,
            action="snapshot.recompute_refused",
            obj=published,
            before={"input_hash": published.input_hash},
            after={"input_hash": digest},
        )
        raise ValidationError(
            {
                "inputs": _(
                    "These results are published. Their inputs or scheme have changed "
                    "since, so they are not recomputed; nothing was changed."
                )
            }
        )
    results = compute(scheme.definition, inputs, period)
    now = clock.now()
    with transaction.atomic():
        existing = (
            ResultSnapshot.objects.select_for_update()
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
            audit_record(
                actor=by,
                action="snapshot.recompute",
                obj=existing,
                before=before,
                after={"input_hash": digest, "scheme_version": scheme.version},
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
        audit_record(
            actor=by,
            action="snapshot.compute",
            obj=snap,
            after={"input_hash": digest, "scheme_version": scheme.version},
        )
    return snap


def snapshot_reproduces(snap: ResultSnapshot) -> bool:
    """Recompute from the frozen scheme and inputs: a snapshot must give exactly its stored results."""
    return (
        input_hash(snap.definition, snap.inputs) == snap.input_hash
        and compute(snap.definition, snap.inputs, Period(snap.year, snap.month)) == snap.results
    )


@transaction.atomic
def snapshot_publish(*, snapshot: ResultSnapshot, by) -> ResultSnapshot:
    """公示: the results become visible to every unit of the jurisdiction and are frozen."""
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
    snap.status, snap.published_at, snap.published_by = SnapshotStatus.PUBLISHED, clock.now(), by
    snap.save(update_fields=["status", "published_at", "published_by"])
    audit_record(
        actor=by,
        action="snapshot.publish",
        obj=snap,
        before={"status": "computed"},
        after={"status": "published"},
    )
    return snap


@transaction.atomic
def appeal_raise(*, snapshot: ResultSnapshot, indicator_code: str, reason: str, by) -> Appeal:
    """申诉: a unit contests one indicator of its published result."""
    _require(by.is_authenticated and by.org_unit_id is not None, _("Appeals are raised by a unit."))
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
    audit_record(
        actor=by,
        action="appeal.raise",
        obj=appeal,
        after={"indicator": indicator_code, "reason": appeal.reason},
    )
    return appeal


@transaction.atomic
def appeal_answer(*, appeal: Appeal, answer: str, by) -> Appeal:
    appeal = Appeal.objects.select_for_update().select_related("snapshot__scheme").get(pk=appeal.pk)
    _require(
        gateway.can_manage_assessment(by, appeal.snapshot.scheme),
        _("Only the assessment office answers appeals."),
    )
    if appeal.status != AppealStatus.OPEN:
        raise ValidationError({"status": _("This appeal has been answered.")})
    if not (answer or "").strip():
        raise ValidationError({"answer": _("Write the answer.")})
    appeal.answer, appeal.status, appeal.answered_by, appeal.answered_at = (
        answer.strip(),
        AppealStatus.ANSWERED,
        by,
        clock.now(),
    )
    appeal.save(update_fields=["answer", "status", "answered_by", "answered_at"])
    audit_record(
        actor=by,
        action="appeal.answer",
        obj=appeal,
        before={"status": "open"},
        after={"status": "answered", "answer": appeal.answer},
    )
    return appeal


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
    data = dict(data)
    if data.get("source") == Source.ENTERED:
        data["computed_key"] = ""
    elif data.get("computed_key") not in COMPUTED:
        raise ValidationError({"computed_key": _("Choose what Guatu computes this indicator from.")})
    if indicator is None:
        item = Indicator(**data)
        item.full_clean()
        item.save()
        audit_record(actor=by, action="indicator.create", obj=item, after=snapshot(item, INDICATOR_FIELDS))
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
    audit_record(actor=by, action="indicator.update", obj=item, before=old, after=new)
    return item
