"""The one way to write an audit event. Services call it inside their own transaction."""

from __future__ import annotations

import functools
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import models

from guatu import clock
from guatu.audit import chain
from guatu.audit.context import current_ip
from guatu.audit.models import AuditEvent
from guatu.lib import bulk


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, models.Model):
        return value.pk
    return value


def snapshot(obj: models.Model, fields: list[str]) -> dict[str, Any]:
    """The named fields of obj as JSON-ready values (foreign keys by id, Decimals as exact text)."""
    return {name: _jsonable(getattr(obj, attname)) for name, attname in _attnames(type(obj), tuple(fields))}


@functools.cache
def _attnames(model: type[models.Model], fields: tuple[str, ...]) -> list[tuple[str, str]]:
    """Each field's name with the attribute its value is read from (a foreign key's id), once per model and list
    (a workbook's import snapshots thousands of rows)."""
    return [(name, model._meta.get_field(name).attname) for name in fields]


def changes(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only what differs, as (before, after) dicts."""
    keys = [key for key in after if before.get(key) != after[key]]
    return {key: before.get(key) for key in keys}, {key: after[key] for key in keys}


def audit_record(**fields) -> AuditEvent:
    """Write one event (`audit_event`'s fields) and queue it for its seal."""
    event = audit_event(**fields)
    event.save(force_insert=True)
    chain.mark_pending(event)
    return event


def audit_records(events: list[AuditEvent]) -> list[AuditEvent]:
    """Several events made with `audit_event`, written in one statement (a bulk import's rows), in order."""
    bulk.insert(events)
    chain.mark_pending(*events)
    return events


def audit_event(
    *,
    actor,
    action: str,
    obj: models.Model | None,
    project=None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
    at=None,
    object_type: str = "",
    object_id: int = 0,
) -> AuditEvent:
    """An audit event, not yet saved (audit_record writes one, audit_records several). `at` is when it happened,
    for a scheduled run acting as of a given moment (default: now). An event about no stored object (a sign-in
    under a name that matches no user) gives `object_type` and `object_id` instead of `obj`. The client's
    address comes from the request being served, if any."""
    return AuditEvent(
        at=at or clock.now(),
        actor_id=actor.pk if actor is not None and actor.is_authenticated else None,
        action=action,
        object_type=obj._meta.model_name if obj is not None else object_type,
        object_id=obj.pk if obj is not None else object_id,
        project_id=project.pk if project is not None else None,
        before=before or {},
        after=after or {},
        reason=reason,
        ip=current_ip(),
    )
