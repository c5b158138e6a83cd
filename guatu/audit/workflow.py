"""One small state machine for every reviewed record (monthly reports, indicator values, problems).

Each service declares its table of steps once and calls `Workflow.run` with the row it has locked and the
actor it has checked through the gateway. `run` does the rest the same way for all of them: refuses a step
the current state does not allow, refuses a save that does not carry the version it was read at (a missing
version is refused like a stale one: nobody overwrites anybody silently), requires a reason where the step
needs one, bumps the version, and records the audit event with the fields that changed, before and after.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from guatu import clock
from guatu.audit.services import audit_record, changes, snapshot


@dataclass(frozen=True)
class Step:
    """One allowed transition: from any of `sources` to `target`, recorded as audit `action`."""

    action: str
    sources: tuple[str, ...]
    target: str | None  # None: the step keeps the record's state (a problem's reassignment or escalation)
    verb: str  # gettext_noop'd past participle for messages: "approved"
    needs_reason: bool = False
    review: bool = False  # a reviewer's step: stamps who reviewed and when (Workflow.reviewer_fields)
    four_eyes: bool = False  # refused to whoever filled the record in (Workflow.filler_field)
    unlock: bool = (
        False  # reopens an approved (locked) record: a role above the reviewer's (gateway.can_unlock)
    )


def check_version(
    obj: models.Model, expected_version: int | None, *, changed_at: datetime | None = None
) -> None:
    """Refuse a save made against another version than the row's, or against none at all."""
    if expected_version is not None and int(expected_version) == obj.version:
        return
    if expected_version is None:
        message = _(
            "This save did not say which version of %(what)s it was made on, so it could overwrite someone "
            "else's change. Nothing was saved: reload the page and enter your changes again."
        ) % {"what": obj._meta.verbose_name}
    elif changed_at is not None:
        message = _(
            "This %(what)s was changed by someone else at %(time)s after you opened it. "
            "Nothing was saved: reload it and enter your changes again."
        ) % {
            "what": obj._meta.verbose_name,
            "time": timezone.localtime(changed_at).strftime("%Y-%m-%d %H:%M"),
        }
    else:
        message = _(
            "This %(what)s was changed by someone else after you opened it. "
            "Nothing was saved: reload it and enter your changes again."
        ) % {"what": obj._meta.verbose_name}
    raise ValidationError({"version": message})


def require_reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give a reason.")})
    return reason


class Workflow:
    """The steps of one kind of record and the fields its audit events compare."""

    def __init__(
        self,
        *,
        steps: Iterable[Step],
        audited_fields: list[str],
        status_field: str = "status",
        reviewer_fields: tuple[str, str] | None = None,
        reason_field: str | None = None,
        filler_field: str | None = None,
    ):
        """`reviewer_fields`: (who, when) stamped by review steps; `reason_field`: where a step's required
        reason is kept on the record (a return reason shown to the reporter); `filler_field`: who filled the
        record in, refused the four-eyes steps."""
        self.steps = {step.action: step for step in steps}
        self.audited_fields = audited_fields
        self.status_field = status_field
        self.reviewer_fields = reviewer_fields
        self.reason_field = reason_field
        self.filler_field = filler_field

    def allows(self, obj: models.Model, action: str) -> bool:
        return getattr(obj, self.status_field) in self.steps[action].sources

    def run(
        self,
        obj: models.Model,
        *,
        action: str,
        by,
        expected_version: int | None,
        reason: str = "",
        at: datetime | None = None,
        project=None,
        on_step: Callable[[models.Model, Step, datetime, str], list[str]] | None = None,
    ) -> models.Model:
        """Apply `action` to `obj`, which the caller has locked in its transaction and checked `by` against.

        `on_step(obj, step, now, reason)` sets the record's own further fields for the step (when it was
        submitted, when closed...) and returns their names. `expected_version` may be the row's version only
        for callers that act for the system (scheduled escalation): they pass `obj.version` explicitly.
        """
        step = self.steps[action]
        if not self.allows(obj, action):
            status_display = getattr(obj, f"get_{self.status_field}_display")()
            raise ValidationError(
                {
                    "status": _("A %(what)s that is %(status)s cannot be %(verb)s.")
                    % {"what": obj._meta.verbose_name, "status": status_display, "verb": _(step.verb)}
                }
            )
        if step.four_eyes and by is not None and getattr(obj, f"{self.filler_field}_id") == by.pk:
            # Four eyes: whoever filled a record in never approves it, whatever their role.
            raise ValidationError(
                {
                    "status": _("You filled in this %(what)s, so someone else must %(verb)s it.")
                    % {"what": obj._meta.verbose_name, "verb": _(step.verb)}
                }
            )
        if step.unlock and by is not None:
            from guatu.access import gateway

            if not gateway.can_unlock(by):
                raise ValidationError(
                    {
                        "status": _(
                            "An approved %(what)s is locked: only a role above the reviewer's (the city "
                            "administrator) unlocks it, with a reason."
                        )
                        % {"what": obj._meta.verbose_name}
                    }
                )
        check_version(obj, expected_version, changed_at=getattr(obj, "updated_at", None))
        if step.needs_reason:
            reason = require_reason(reason)
        reason = (reason or "").strip()
        now = at or clock.now()
        before = snapshot(obj, self.audited_fields)
        if step.target is not None:
            setattr(obj, self.status_field, step.target)
        fields = [self.status_field, "version"]
        if step.review and self.reviewer_fields:
            who, when = self.reviewer_fields
            setattr(obj, who, by)
            setattr(obj, when, now)
            fields += [who, when]
        if step.needs_reason and self.reason_field:
            setattr(obj, self.reason_field, reason)
            fields.append(self.reason_field)
        if on_step is not None:
            fields += on_step(obj, step, now, reason)
        if any(f.name == "updated_at" for f in obj._meta.concrete_fields) and "updated_at" not in fields:
            obj.updated_at = now
            fields.append("updated_at")
        obj.version += 1
        obj.save(update_fields=fields)
        old, new = changes(before, snapshot(obj, self.audited_fields))
        audit_record(
            actor=by,
            action=step.action,
            obj=obj,
            project=project,
            before=old,
            after=new,
            reason=reason,
            at=at,
        )
        return obj
