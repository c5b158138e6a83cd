"""Audit events as rows a person reads: when, who, what, each changed field from → to, and why.

Every page that shows a history (a project, a report, a problem, a supervision order, the warning rules) turns
its events into rows here and renders them with `audit/_history.html`. Field labels are the verbose names of
the event's model; values read as the page would show them (a unit by its name, a choice by its label, an
amount with its decimals, 是/否, a formatted date), never as an id or a code.

The names an event points at are fetched in one query per related model, however many events there are; what
an event is about (its subject) is read from the events themselves, so a deleted object's history still says
which report or plan it was.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from guatu.audit.labels import action_label
from guatu.audit.models import AuditEvent
from guatu.lib.money import round_half_up

EMPTY = "—"

# Audited names that are not fields of the event's model: what they are called, and the model their ids
# point at (None: the value is read as it is).
EXTRA_FIELDS: dict[tuple[str, str], tuple[Any, str | None]] = {
    ("project", "support_units"): (_("support units"), "orgs.OrgUnit"),
    ("project", "task_force"): (_("task force"), None),
    ("project", "lead"): (_("investment lead"), "attraction.Lead"),
    ("annualplan", "months"): (_("monthly phasing"), None),
    # a unit's monthly report workbook taken in (reports.workbook): the file and what it did
    ("orgunit", "file"): (_("file"), None),
    ("orgunit", "sha256"): (_("file SHA-256"), None),
    ("orgunit", "period"): (_("month"), None),
    ("orgunit", "created"): (_("reports created"), None),
    ("orgunit", "updated"): (_("reports changed"), None),
    ("orgunit", "unchanged"): (_("reports unchanged"), None),
    ("orgunit", "submitted"): (_("reports submitted"), None),
}

# The fields that name an object in its subject ("月报 2022-03"): shown there, not repeated as changes.
IDENTITY = {"monthlyreport": ("year", "month"), "annualplan": ("year",)}


@dataclass(frozen=True)
class Change:
    label: str
    before: str | None  # None for a new object: only the value it was given
    after: str


@dataclass(frozen=True)
class HistoryRow:
    at: datetime
    actor: str
    action: str
    subject: str
    changes: list[Change]
    reason: str


@cache
def _models_by_name() -> dict[str, type[models.Model]]:
    """AuditEvent.object_type is the model's `model_name`, which is unique across Guatu's apps."""
    return {model._meta.model_name: model for model in apps.get_models()}


def _field(object_type: str, name: str) -> models.Field | None:
    model = _models_by_name().get(object_type)
    if model is None:
        return None
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:  # an audited name that is not (or no longer) a field
        return None
    return field if hasattr(field, "verbose_name") else None  # a reverse relation has no label of its own


def _target(object_type: str, name: str) -> type[models.Model] | None:
    """The model a related value points at, for a foreign key, a many-to-many or a known list of ids."""
    field = _field(object_type, name)
    if field is not None:
        return field.related_model if field.is_relation else None
    extra = EXTRA_FIELDS.get((object_type, name))
    return apps.get_model(extra[1]) if extra and extra[1] else None


def _label(object_type: str, name: str, field_labels: Mapping[str, Any]) -> str:
    if name in field_labels:
        return str(field_labels[name])
    field = _field(object_type, name)
    if field is not None:
        return capfirst(str(field.verbose_name))
    if (object_type, name) in EXTRA_FIELDS:
        return capfirst(str(EXTRA_FIELDS[(object_type, name)][0]))
    return name


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _related_keys(value: Any) -> list:
    return [v for v in (value if isinstance(value, list) else [value]) if isinstance(v, int | str)]


def _lookup_field(model: type[models.Model], keys: Iterable) -> str:
    """Audits record related rows by primary key; level tags are recorded by their unique code."""
    if any(isinstance(key, str) for key in keys):
        try:
            if model._meta.get_field("code").unique:
                return "code"
        except FieldDoesNotExist:
            pass
    return "pk"


def _name_of(obj: models.Model) -> str:
    return obj.display_name if isinstance(obj, get_user_model()) else str(obj)


class _Names:
    """The names of every row the events point at: one query per related model."""

    def __init__(self, events: list[AuditEvent], hide: Collection[str]) -> None:
        wanted: dict[type[models.Model], set] = defaultdict(set)
        for event in events:
            for values in (event.before, event.after):
                for name, value in values.items():
                    model = None if name in hide else _target(event.object_type, name)
                    if model is not None and not _is_empty(value):
                        wanted[model].update(_related_keys(value))
        self.names: dict[type[models.Model], dict[str, str]] = {}
        for model, keys in wanted.items():
            by = _lookup_field(model, keys)
            rows = model._default_manager.filter(**{f"{by}__in": keys})
            self.names[model] = {str(getattr(obj, by)): _name_of(obj) for obj in rows}

    def of(self, model: type[models.Model], key: Any) -> str:
        return self.names.get(model, {}).get(str(key)) or gettext("(deleted)")


def _decimal_text(value: Any, places: int | None) -> str:
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    return format(round_half_up(number, places) if places is not None else number, "f")


def _date_text(value: Any, *, with_time: bool) -> str:
    try:
        if with_time:
            moment = datetime.fromisoformat(str(value))
            if timezone.is_aware(moment):
                moment = timezone.localtime(moment)
            return date_format(moment, "DATETIME_FORMAT")
        return date_format(date.fromisoformat(str(value)), "DATE_FORMAT")
    except ValueError:
        return str(value)


def _plain(value: Any) -> str:
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, list):
        return "、".join(_plain(v) for v in value)
    if isinstance(value, dict):
        return "；".join(f"{key}：{_plain(v)}" for key, v in value.items())
    return str(value)


def _value(object_type: str, name: str, value: Any, names: _Names, choices: Mapping[str, Iterable]) -> str:
    if _is_empty(value):
        return EMPTY
    if name in choices:
        return str(dict(choices[name]).get(value, value))
    model = _target(object_type, name)
    if model is not None:
        return "、".join(names.of(model, key) for key in _related_keys(value))
    if (object_type, name) == ("annualplan", "months") and isinstance(value, dict):
        return "；".join(
            gettext("month %(month)s: %(amount)s") % {"month": month, "amount": _decimal_text(amount, 2)}
            for month, amount in value.items()
        )
    field = _field(object_type, name)
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.DecimalField):
        return _decimal_text(value, field.decimal_places)
    if isinstance(field, models.DateTimeField):
        return _date_text(value, with_time=True)
    if isinstance(field, models.DateField):
        return _date_text(value, with_time=False)
    return _plain(value)


def _subjects(events: list[AuditEvent]) -> dict[tuple[str, int], str]:
    """What each event is about, from the object's own events (its state as the trail tells it)."""
    states: dict[tuple[str, int], dict] = defaultdict(dict)
    for event in events:
        state = states[(event.object_type, event.object_id)]
        state.update(event.before)
        state.update(event.after)
    subjects = {}
    for (object_type, object_id), state in states.items():
        model = _models_by_name().get(object_type)
        what = capfirst(str(model._meta.verbose_name)) if model else object_type
        if object_type == "monthlyreport" and state.get("year") and state.get("month"):
            name = f"{int(state['year']):04d}-{int(state['month']):02d}"
        elif object_type == "annualplan" and state.get("year"):
            name = str(state["year"])
        else:
            name = str(state.get("name") or state.get("title") or state.get("number") or "")
        subjects[(object_type, object_id)] = f"{what} {name}".strip()
    return subjects


def history_rows(
    events: Iterable[AuditEvent],
    *,
    hide: Collection[str] = (),
    action_labels: Mapping[str, Any] | None = None,
    field_labels: Mapping[str, Any] | None = None,
    field_choices: Mapping[str, Iterable[tuple[Any, Any]]] | None = None,
) -> list[HistoryRow]:
    """The events as rows, in the order given. Fetch them with `select_related("actor")` (the reads in
    guatu.audit.queries do); the names they point at cost one query per related model.

    `hide`: names the page shows already (the project on its own page). `action_labels`: shorter words where
    the page says what the object is ("报送" on a report's page). `field_labels` and `field_choices`: labels,
    and (value, label) choices, for audited names that are not model fields (the keys of a rules document).
    """
    choices = field_choices or {}
    events = list(events)
    names = _Names(events, hide)
    subjects = _subjects(events)
    rows = []
    for event in events:
        skip = {*hide, *IDENTITY.get(event.object_type, ())}
        changes = []
        for name in [key for key in {**event.before, **event.after} if key not in skip]:
            after = _value(event.object_type, name, event.after.get(name), names, choices)
            if not event.before:  # a new object: its empty fields say nothing
                if after != EMPTY:
                    changes.append(Change(_label(event.object_type, name, field_labels or {}), None, after))
                continue
            before = _value(event.object_type, name, event.before.get(name), names, choices)
            if before == after or (name.endswith("reason") and after == event.reason):
                continue  # written again unchanged, or the event's own reason said again
            changes.append(Change(_label(event.object_type, name, field_labels or {}), before, after))
        rows.append(
            HistoryRow(
                at=event.at,
                actor=event.actor.display_name if event.actor else gettext("system"),
                action=str((action_labels or {}).get(event.action) or action_label(event.action)),
                subject=subjects[(event.object_type, event.object_id)],
                changes=changes,
                reason=event.reason,
            )
        )
    return rows
