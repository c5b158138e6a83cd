"""Writes of the chain chief system: the chain's own fields, its work team, targets, policies and follow-through.
Every write is checked against the gateway (`can_manage_chains`), against the version it was read at, bounded
by the model's columns (`full_clean`: Chinese messages by field), atomic and audited."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from guatu import clock
from guatu.access import gateway
from guatu.audit import events
from guatu.audit.services import changes, snapshot
from guatu.audit.workflow import check_version, require_reason
from guatu.chains.models import ChainTarget, FollowThrough, Policy, TeamMember
from guatu.orgs.models import Leader, OrgUnit
from guatu.projects.models import ChainKind, IndustryChain
from guatu.projects.services import CHAIN_FIELDS, chain_create, chain_problems

# Audited fields of each part; the chain is in its first and last events, so a chain's history finds its
# parts' events, those of deleted parts too (chains.queries.chain_history).
MEMBER_FIELDS = ["chain", "name", "unit", "duty", "position"]
TARGET_FIELDS = ["chain", "year", "metric", "target"]
POLICY_FIELDS = ["chain", "title", "document_number", "issued_on", "summary"]
PROGRESS_FIELDS = ["chain", "happened_on", "content", "done_by"]
REASON_MAX = 500  # a deletion's reason, as the form bounds it


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied(_("You may not manage this industry chain."))


def _may_manage(by, chain: IndustryChain) -> bool:
    return gateway.is_system_actor(by) or gateway.can_manage_chains(by, chain)


@transaction.atomic
def chain_add(
    *,
    jurisdiction: OrgUnit,
    name: str,
    kind: str,
    chief: Leader | None,
    lead_unit: OrgUnit | None,
    sort_order: int = 0,
    by,
) -> IndustryChain:
    """A new chain of a jurisdiction the user manages the chains of (`projects.services.chain_create` writes it)."""
    _require(gateway.is_system_actor(by) or gateway.can_manage_chains(by, IndustryChain(jurisdiction=jurisdiction)))
    return chain_create(
        jurisdiction=jurisdiction, name=name, kind=kind, chief=chief, lead_unit=lead_unit, sort_order=sort_order, by=by
    )


@transaction.atomic
def chain_update(
    *,
    chain: IndustryChain,
    name: str,
    kind: str,
    chief: Leader | None,
    lead_unit: OrgUnit | None,
    sort_order: int,
    expected_version: int | None,
    by,
) -> IndustryChain:
    """Rename a chain or change its kind, chief (a leader in post of the jurisdiction), lead department, order."""
    _require(_may_manage(by, chain))
    chain = IndustryChain.objects.select_for_update().select_related("jurisdiction").get(pk=chain.pk)
    check_version(chain, expected_version)
    name = name.strip()
    errors = chain_problems(
        jurisdiction=chain.jurisdiction, name=name, chief=chief, lead_unit=lead_unit, sort_order=sort_order
    )
    if kind not in ChainKind.values:
        errors["kind"] = _("Choose main or auxiliary chain.")
    clash = IndustryChain.objects.filter(jurisdiction=chain.jurisdiction, name=name).exclude(pk=chain.pk)
    if not errors and clash.exists():
        errors["name"] = _("An industry chain named %(name)s exists already.") % {"name": name}
    if errors:
        raise ValidationError(errors)
    before = snapshot(chain, CHAIN_FIELDS)
    chain.name, chain.kind, chain.chief, chain.lead_unit, chain.sort_order = name, kind, chief, lead_unit, sort_order
    chain.version += 1
    chain.save(update_fields=["name", "kind", "chief", "lead_unit", "sort_order", "version"])
    before, after = changes(before, snapshot(chain, CHAIN_FIELDS))
    events.chain_changed(chain, before=before, after=after, by=by)
    return chain


# --- the chain's parts: one way to add, change and remove each


def _add(part: models.Model, fields: list[str], record: Callable, by):
    _require(_may_manage(by, part.chain))
    part.full_clean()
    part.save()
    record(part, after=snapshot(part, fields), by=by)
    return part


def _change(part: models.Model, values: dict, fields: list[str], expected_version: int | None, record, by):
    _require(_may_manage(by, part.chain))
    part = type(part).objects.select_for_update().get(pk=part.pk)
    check_version(part, expected_version)
    before = snapshot(part, fields)
    for name, value in values.items():
        setattr(part, name, value)
    part.full_clean()
    part.version += 1
    part.save()
    before, after = changes(before, snapshot(part, fields))
    record(part, before=before, after=after, by=by)
    return part


def _remove(part: models.Model, fields: list[str], expected_version: int | None, reason: str, record, by) -> None:
    """Delete a part read at `expected_version`, with the reason recorded on its audit event."""
    _require(_may_manage(by, part.chain))
    reason = require_reason(reason)
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": _("Keep the reason within %(max)s characters.") % {"max": REASON_MAX}})
    part = type(part).objects.select_for_update().get(pk=part.pk)
    check_version(part, expected_version)
    record(part, before=snapshot(part, fields), reason=reason, by=by)
    part.delete()


def _check_member(chain: IndustryChain, unit: OrgUnit) -> None:
    if not unit.is_within(chain.jurisdiction):
        raise ValidationError({"unit": _("The unit must be one of %(unit)s.") % {"unit": chain.jurisdiction.name}})


@transaction.atomic
def member_add(*, chain: IndustryChain, name: str, unit: OrgUnit, duty: str = "", position: int = 0, by) -> TeamMember:
    """A member of the chain's work team (工作专班), from a unit of the chain's jurisdiction."""
    _check_member(chain, unit)
    member = TeamMember(chain=chain, name=name.strip(), unit=unit, duty=duty.strip(), position=position)
    return _add(member, MEMBER_FIELDS, events.chain_member_added, by)


@transaction.atomic
def member_update(
    *, member: TeamMember, name: str, unit: OrgUnit, duty: str, position: int, expected_version: int | None, by
) -> TeamMember:
    _check_member(member.chain, unit)
    values = {"name": name.strip(), "unit": unit, "duty": duty.strip(), "position": position}
    return _change(member, values, MEMBER_FIELDS, expected_version, events.chain_member_changed, by)


@transaction.atomic
def member_remove(*, member: TeamMember, expected_version: int | None, reason: str, by) -> None:
    _remove(member, MEMBER_FIELDS, expected_version, reason, events.chain_member_removed, by)


@transaction.atomic
def target_add(*, chain: IndustryChain, year: int, metric: str, target: Decimal, by) -> ChainTarget:
    """A yearly target of the chain's promotion plan; one a metric a year."""
    return _add(
        ChainTarget(chain=chain, year=year, metric=metric, target=target), TARGET_FIELDS, events.chain_target_added, by
    )


@transaction.atomic
def target_update(
    *, target: ChainTarget, year: int, metric: str, value: Decimal, expected_version: int | None, by
) -> ChainTarget:
    values = {"year": year, "metric": metric, "target": value}
    return _change(target, values, TARGET_FIELDS, expected_version, events.chain_target_changed, by)


@transaction.atomic
def target_remove(*, target: ChainTarget, expected_version: int | None, reason: str, by) -> None:
    _remove(target, TARGET_FIELDS, expected_version, reason, events.chain_target_removed, by)


@transaction.atomic
def policy_add(
    *, chain: IndustryChain, title: str, document_number: str = "", issued_on: date | None = None, summary: str = "", by
) -> Policy:
    policy = Policy(
        chain=chain, title=title.strip(), document_number=document_number.strip(), issued_on=issued_on, summary=summary
    )
    return _add(policy, POLICY_FIELDS, events.chain_policy_added, by)


@transaction.atomic
def policy_update(
    *,
    policy: Policy,
    title: str,
    document_number: str,
    issued_on: date | None,
    summary: str,
    expected_version: int | None,
    by,
) -> Policy:
    values = {
        "title": title.strip(),
        "document_number": document_number.strip(),
        "issued_on": issued_on,
        "summary": summary,
    }
    return _change(policy, values, POLICY_FIELDS, expected_version, events.chain_policy_changed, by)


@transaction.atomic
def policy_remove(*, policy: Policy, expected_version: int | None, reason: str, by) -> None:
    _remove(policy, POLICY_FIELDS, expected_version, reason, events.chain_policy_removed, by)


def _check_day(happened_on: date) -> None:
    if happened_on > clock.today():
        raise ValidationError({"happened_on": _("The date cannot be later than today.")})


@transaction.atomic
def progress_add(*, chain: IndustryChain, happened_on: date, content: str, done_by: str, by) -> FollowThrough:
    """An entry of the chain's follow-through (推进记录): what was done, on which day (not a later one), by whom."""
    _check_day(happened_on)
    entry = FollowThrough(
        chain=chain,
        happened_on=happened_on,
        content=content.strip(),
        done_by=done_by.strip(),
        recorded_by=by if by is not None and by.pk else None,
    )
    return _add(entry, PROGRESS_FIELDS, events.chain_progress_added, by)


@transaction.atomic
def progress_update(
    *, entry: FollowThrough, happened_on: date, content: str, done_by: str, expected_version: int | None, by
) -> FollowThrough:
    _check_day(happened_on)
    values = {"happened_on": happened_on, "content": content.strip(), "done_by": done_by.strip()}
    return _change(entry, values, PROGRESS_FIELDS, expected_version, events.chain_progress_changed, by)


@transaction.atomic
def progress_remove(*, entry: FollowThrough, expected_version: int | None, reason: str, by) -> None:
    _remove(entry, PROGRESS_FIELDS, expected_version, reason, events.chain_progress_removed, by)
