"""Writes for the assessment reference data: the responsibility checklist (责任清单), peer counties' values
(对标) and the ten headline indicators (十项指标: annual targets and quarterly actuals).

Each is entered in the app by the county's assessment office, or by the unit responsible for the row (a
checklist row's lead unit, a peer value's indicator's lead unit), and reviewed like an indicator value:
draft → submitted → approved (locked), returned with a reason, unlocked with a reason; whoever filled a row
in never approves it. Only approved rows count in the pages that read them (`Reviewed.objects.approved()`).
Every save carries the version it was read at; every write is audited with what changed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from guatu import clock
from guatu.access import gateway
from guatu.assessment.models import (
    ChecklistRow,
    HeadlineIndicator,
    HeadlineValue,
    PeerValue,
    Reviewed,
    ValueStatus,
)
from guatu.assessment.services import _check_number
from guatu.audit import events
from guatu.audit.services import changes, snapshot
from guatu.audit.workflow import Step, Workflow, check_version
from guatu.orgs.models import OrgUnit

EDITABLE = (ValueStatus.DRAFT, ValueStatus.RETURNED)
TEXT_MAX_LENGTH = 2000  # the free-text columns (scoring rule, gap analysis, measures) take this much
REVIEW_FIELDS = ["status", "return_reason"]


def _steps(submit: str, return_: str, approve: str, unlock: str) -> list[Step]:
    """The review steps of indicator values (services.VALUE_WORKFLOW), under each kind's audit actions."""
    return [
        Step(submit, EDITABLE, ValueStatus.SUBMITTED, gettext_noop("submitted")),
        Step(return_, (ValueStatus.SUBMITTED,), ValueStatus.RETURNED, gettext_noop("returned"), True, True),
        Step(
            approve,
            (ValueStatus.SUBMITTED,),
            ValueStatus.APPROVED,
            gettext_noop("approved"),
            review=True,
            four_eyes=True,
        ),
        Step(unlock, (ValueStatus.APPROVED,), ValueStatus.RETURNED, gettext_noop("unlocked"), True, True, unlock=True),
    ]


def _workflow(fields: list[str], steps: list[Step]) -> Workflow:
    return Workflow(
        steps=steps,
        audited_fields=fields + REVIEW_FIELDS,
        reviewer_fields=("reviewed_by", "reviewed_at"),
        reason_field="return_reason",
        filler_field="entered_by",
    )


@dataclass(frozen=True)
class Reference:
    """One kind of reference row: its model, the fields people enter, what makes a row unique in a county,
    the bounds of its small numbers, its review table and its audit events."""

    model: type[Reviewed]
    fields: list[str]
    unique: tuple[str, ...]
    bounds: dict[str, tuple[int, int]]
    workflow: Workflow
    entered: Callable
    changed: Callable
    county: Callable[[Reviewed], OrgUnit | None]
    responsible: Callable[
        [Reviewed], int | None
    ]  # the unit whose reporters may enter the row besides the office
    describe: Callable[[Reviewed], str]  # names the row in messages

    def action(self, short: str) -> str:
        """The workflow's action for a step named submit, return, approve or unlock."""
        return next(action for action in self.workflow.steps if action.endswith("." + short))


YEARS = (2000, 2100)


def _named(row: Reviewed, name: str) -> str:
    """A related row's name, or a dash while none is chosen."""
    return str(getattr(row, name)) if getattr(row, f"{name}_id") else "—"


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

CHECKLIST = Reference(
    model=ChecklistRow,
    fields=CHECKLIST_FIELDS,
    unique=("year", "indicator"),
    bounds={"year": YEARS},
    workflow=_workflow(
        ["jurisdiction", *CHECKLIST_FIELDS],
        _steps("checklist.submit", "checklist.return", "checklist.approve", "checklist.unlock"),
    ),
    entered=events.checklist_entered,
    changed=events.checklist_changed,
    county=lambda row: row.jurisdiction,
    responsible=lambda row: row.lead_unit_id,
    describe=lambda row: (
        _("%(year)s checklist row %(indicator)s") % {"year": row.year, "indicator": _named(row, "indicator")}
    ),
)
PEER = Reference(
    model=PeerValue,
    fields=PEER_FIELDS,
    unique=("indicator", "year", "month", "peer"),
    bounds={"year": YEARS, "month": (1, 12)},
    workflow=_workflow(
        ["jurisdiction", *PEER_FIELDS], _steps("peer.submit", "peer.return", "peer.approve", "peer.unlock")
    ),
    entered=events.peer_value_entered,
    changed=events.peer_value_changed,
    county=lambda row: row.jurisdiction,
    responsible=lambda row: row.indicator.lead_unit_id if row.indicator_id else None,
    describe=lambda row: (
        _("%(peer)s's %(indicator)s for %(year)s-%(month)s")
        % {
            "peer": row.peer,
            "indicator": _named(row, "indicator"),
            "year": row.year,
            "month": f"{row.month or 0:02d}",
        }
    ),
)
HEADLINE = Reference(
    model=HeadlineIndicator,
    fields=HEADLINE_FIELDS,
    unique=("year", "position"),
    bounds={"year": YEARS, "position": (1, 10)},
    workflow=_workflow(
        ["jurisdiction", *HEADLINE_FIELDS],
        _steps("headline.submit", "headline.return", "headline.approve", "headline.unlock"),
    ),
    entered=events.headline_entered,
    changed=events.headline_changed,
    county=lambda row: row.jurisdiction,
    responsible=lambda row: None,
    describe=lambda row: (
        _("%(year)s headline indicator %(position)s %(name)s")
        % {"year": row.year, "position": row.position, "name": row.name}
    ),
)
HEADLINE_VALUE = Reference(
    model=HeadlineValue,
    fields=HEADLINE_VALUE_FIELDS,
    unique=("indicator", "quarter"),
    bounds={"quarter": (1, 4), "peer_rank": (1, 99)},
    # The quarters share the headline indicators' audit actions: the event's object tells them apart.
    workflow=_workflow(HEADLINE_VALUE_FIELDS, list(HEADLINE.workflow.steps.values())),
    entered=events.headline_entered,
    changed=events.headline_changed,
    county=lambda row: row.indicator.jurisdiction if row.indicator_id else None,
    responsible=lambda row: None,
    describe=lambda row: (
        _("%(indicator)s, quarter %(quarter)s")
        % {"indicator": _named(row, "indicator"), "quarter": row.quarter}
    ),
)


def _audited(kind: Reference, row: Reviewed) -> dict:
    after = snapshot(row, kind.workflow.audited_fields)
    if kind is CHECKLIST:
        after["support_units"] = sorted(row.support_units.values_list("pk", flat=True))
    return after


def entry_errors(kind: Reference, row: Reviewed) -> dict[str, str]:
    """What is wrong with a row as entered (field -> message naming the row and the field)."""
    where = _("%(row)s: ") % {"row": kind.describe(row)}
    errors: dict[str, str] = {}
    for name in kind.fields:
        field = kind.model._meta.get_field(name)
        value = getattr(row, field.attname)
        label = f"{where}{field.verbose_name}"
        if value is None or value == "":
            if not (field.null or field.blank):
                errors[name] = _("%(field)s: enter it.") % {"field": label}
            continue
        if isinstance(field, models.DecimalField):
            _check_number(kind.model, name, value, errors, where=where)
        elif isinstance(field, (models.CharField, models.TextField)):
            limit = field.max_length or TEXT_MAX_LENGTH
            if len(value) > limit:
                errors[name] = _("%(field)s is at most %(n)s characters (you entered %(count)s).") % {
                    "field": label,
                    "n": limit,
                    "count": len(value),
                }
            elif field.choices and value not in dict(field.flatchoices):
                errors[name] = _("%(field)s: choose one of the list.") % {"field": label}
        elif name in kind.bounds:
            low, high = kind.bounds[name]
            if not low <= value <= high:
                errors[name] = _("%(field)s is between %(low)s and %(high)s.") % {
                    "field": label,
                    "low": low,
                    "high": high,
                }
    return errors


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise PermissionDenied(message)


def _refuse_duplicate(kind: Reference, row: Reviewed, county: OrgUnit | None) -> None:
    others = kind.model.objects.filter(**{name: getattr(row, name) for name in kind.unique})
    if hasattr(kind.model, "jurisdiction"):
        others = others.filter(jurisdiction=county)
    if row.pk:
        others = others.exclude(pk=row.pk)
    existing = others.first()
    if existing is not None:
        raise ValidationError(
            {
                kind.unique[-1]: _(
                    "%(row)s is already entered (%(status)s). Nothing was saved: open it instead."
                )
                % {"row": kind.describe(existing), "status": existing.get_status_display()}
            }
        )


def reference_save(
    *,
    kind: Reference,
    data: dict,
    by,
    row: Reviewed | None = None,
    expected_version: int | None = None,
    county: OrgUnit | None = None,
    support_units=None,
) -> Reviewed:
    """Enter a new row (`row` None) of `county` (the entering user's, by default), or change a draft or
    returned one read at `expected_version`. Refused as a whole, nothing written, with every bad field."""
    with transaction.atomic():
        if row is None:
            if hasattr(kind.model, "jurisdiction"):
                county = county or gateway.reference_county(by)
                item = kind.model(jurisdiction=county)
            else:
                item = kind.model()
            before = None
        else:
            item = kind.model.objects.select_for_update().get(pk=row.pk)
            before = _audited(kind, item)
        for name in kind.fields:
            if name in data:
                setattr(item, name, data[name])
        county = kind.county(item)
        _require(
            gateway.can_enter_reference(by, county, kind.responsible(item)),
            _("You may not enter %(what)s for this unit.") % {"what": kind.model._meta.verbose_name},
        )
        errors = entry_errors(kind, item)
        if errors:
            raise ValidationError(errors)
        if before is not None:
            if item.status not in EDITABLE:
                raise ValidationError(
                    {
                        "status": _("%(row)s is %(status)s and locked.")
                        % {"row": kind.describe(item), "status": item.get_status_display()}
                    }
                )
            check_version(item, expected_version, changed_at=item.updated_at)
        _refuse_duplicate(kind, item, county)
        item.entered_by = by  # whoever last filled it in may not approve it
        item.updated_at = clock.now()
        if before is not None:
            item.version += 1
        item.save()
        if kind is CHECKLIST and support_units is not None:
            item.support_units.set(support_units)
        after = _audited(kind, item)
        if before is None:
            kind.entered(item, after=after, by=by)
        else:
            old, new = changes(before, after)
            if new:
                kind.changed(item, before=old, after=new, by=by)
        return item


def reference_step(
    *, kind: Reference, row: Reviewed, step: str, by, expected_version: int | None, reason: str = ""
) -> Reviewed:
    """Submit, return, approve or unlock a row: the office reviews; the one who may enter it submits."""
    action = kind.action(step)
    with transaction.atomic():
        item = kind.model.objects.select_for_update().get(pk=row.pk)
        county = kind.county(item)
        if kind.workflow.steps[action].review:
            _require(gateway.can_review_reference(by, county), _("Only the assessment office reviews this."))
        else:
            _require(
                gateway.can_enter_reference(by, county, kind.responsible(item)), _("You may not submit this.")
            )
        return kind.workflow.run(item, action=action, by=by, expected_version=expected_version, reason=reason)
