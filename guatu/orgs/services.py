"""Writes to the org tree: units (add, change, move, close, reopen) and leaders (add, change, end a post).

Every write is atomic and audited. An administrator acting (`by`) is checked through the gateway: a city
administrator manages the units of their own jurisdiction only. `by=None`, or a command-line loader's account
(`gateway.is_system_actor`: the demo's), is a system load and is not checked; any other account, a disabled
one included, is.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext as _

from guatu import clock
from guatu.audit import events
from guatu.audit.services import changes, snapshot
from guatu.audit.workflow import check_version
from guatu.orgs.models import JURISDICTION_KINDS, Leader, OrgUnit

UNIT_FIELDS = ["name", "short_name", "aliases", "kind", "division_code", "parent", "sort_order"]
LEADER_FIELDS = ["name", "post", "org_unit", "is_principal", "sort_order", "is_active"]


def is_acting(by) -> bool:
    """Whether `by` is a person acting (checked), rather than a system load."""
    from guatu.access import gateway

    return by is not None and not gateway.is_system_actor(by)


def check_manages(by, *units: OrgUnit | None) -> None:
    """The actor manages every one of these units (a city administrator: the units of their jurisdiction)."""
    from guatu.access import gateway

    if not is_acting(by):
        return
    if not gateway.can_manage_people(by):
        raise PermissionDenied(_("Only a city administrator manages the org tree and its people."))
    if gateway.people_root(by) is None:  # a superuser of the whole tree
        return
    allowed = gateway.manageable_units(by)
    for unit in units:
        if unit is None or not allowed.filter(pk=unit.pk).exists():
            raise PermissionDenied(_("This unit is outside your jurisdiction."))


def _check_kind(by, kind: str) -> None:
    """Counties, prefectures and provinces are added by a superuser: they own a project library."""
    if is_acting(by) and kind in JURISDICTION_KINDS and not by.is_superuser:
        raise ValidationError({"kind": _("Only a superuser adds or changes a county, prefecture or province.")})


def _names_in_use(unit: OrgUnit | None, parent: OrgUnit | None) -> dict[str, OrgUnit]:
    """Every name, short name and alias of the other units of the jurisdiction `unit` belongs to (under
    `parent`), to the unit it names: imports resolve names through find_unit_by_name within it."""
    from guatu.access.gateway import jurisdiction

    if parent is None:  # a top of the tree: among the other tops
        units = OrgUnit.objects.filter(parent__isnull=True)
    else:
        units = OrgUnit.objects.subtree(jurisdiction(parent))
    if unit is not None and unit.pk is not None:
        units = units.exclude(pk=unit.pk)
    used: dict[str, OrgUnit] = {}
    for other in units.only("pk", "name", "short_name", "aliases", "path"):
        for name in (other.name, other.short_name, *(other.aliases or [])):
            if name:
                used.setdefault(name, other)
    return used


def clean_aliases(aliases) -> list[str]:
    """Aliases as typed: one per line or separated by commas (，、 too), stripped, without repeats."""
    if isinstance(aliases, str):
        for separator in ("，", "、", ","):
            aliases = aliases.replace(separator, "\n")
        aliases = aliases.splitlines()
    out: list[str] = []
    for alias in aliases or []:
        alias = str(alias).strip()
        if alias and alias not in out:
            out.append(alias)
    return out


def _check_names(unit: OrgUnit | None, *, parent, name: str, short_name: str, aliases: list[str]) -> None:
    """A short name or alias that already names another unit of the jurisdiction is refused, naming it."""
    errors: dict[str, list[str]] = {}
    for alias in aliases:
        if len(alias) > 100:
            errors.setdefault("aliases", []).append(
                _("The alias %(alias)s is longer than 100 characters.") % {"alias": alias[:20] + "…"}
            )
    used = _names_in_use(unit, parent)
    for field, names in (("name", [name]), ("short_name", [short_name]), ("aliases", aliases)):
        for one in names:
            other = used.get(one)
            if one and other is not None:
                errors.setdefault(field, []).append(
                    _("%(name)s already names %(unit)s in this jurisdiction.") % {"name": one, "unit": other.name}
                )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def orgunit_create(
    *,
    name: str,
    kind: str,
    parent: OrgUnit | None = None,
    short_name: str = "",
    aliases: list[str] | None = None,
    division_code: str = "",
    sort_order: int = 0,
    by=None,
) -> OrgUnit:
    name, short_name, aliases = name.strip(), short_name.strip(), clean_aliases(aliases)
    check_manages(by, parent)
    _check_kind(by, kind)
    if parent is not None and parent.is_closed:
        raise ValidationError({"parent": _("%(unit)s is closed: reopen it first.") % {"unit": parent.name}})
    _check_names(None, parent=parent, name=name, short_name=short_name, aliases=aliases)
    unit = OrgUnit(
        name=name,
        kind=kind,
        parent=parent,
        short_name=short_name,
        aliases=aliases,
        division_code=division_code,
        sort_order=sort_order,
        path=f"tmp-{name}",
    )
    unit.save()
    # The path needs the new primary key, so it is written in a second step of the same transaction.
    unit.path = f"{parent.path if parent else ''}{unit.pk}/"
    unit.save(update_fields=["path"])
    events.unit_created(unit, after=snapshot(unit, UNIT_FIELDS), by=by)
    return unit


def _locked(unit: OrgUnit) -> OrgUnit:
    return OrgUnit.objects.select_for_update().get(pk=unit.pk)


@transaction.atomic
def orgunit_update(
    *,
    unit: OrgUnit,
    expected_version,
    name: str,
    short_name: str = "",
    aliases: list[str] | None = None,
    kind: str | None = None,
    division_code: str = "",
    sort_order: int = 0,
    by,
) -> OrgUnit:
    """Rename a unit, or change its short name, aliases, kind, division code or order (not its place: move)."""
    unit = _locked(unit)
    check_manages(by, unit)
    check_version(unit, expected_version)
    kind = kind or unit.kind
    if kind != unit.kind:
        _check_kind(by, kind)
        _check_kind(by, unit.kind)
    name, short_name, aliases = name.strip(), short_name.strip(), clean_aliases(aliases)
    _check_names(unit, parent=unit.parent, name=name, short_name=short_name, aliases=aliases)
    stored = snapshot(unit, UNIT_FIELDS)
    unit.name, unit.short_name, unit.aliases = name, short_name, aliases
    unit.kind, unit.division_code, unit.sort_order = kind, division_code, sort_order
    before, after = changes(stored, snapshot(unit, UNIT_FIELDS))
    if not after:
        return unit
    unit.version = F("version") + 1
    unit.save(update_fields=[*UNIT_FIELDS, "version"])
    unit.refresh_from_db(fields=["version"])
    events.unit_changed(unit, before=before, after=after, by=by)
    return unit


@transaction.atomic
def orgunit_move(*, unit: OrgUnit, parent: OrgUnit, expected_version, by) -> OrgUnit:
    """Put a unit (with its whole subtree) under another parent of the same jurisdiction. The materialised
    paths of the unit and of every unit below it are rewritten in one statement of this transaction."""
    unit = _locked(unit)
    parent = _locked(parent)
    check_manages(by, unit, parent)
    check_version(unit, expected_version)
    if parent.pk == unit.pk or parent.is_within(unit):
        raise ValidationError({"parent": _("A unit cannot be moved under itself or a unit below it.")})
    if parent.is_closed:
        raise ValidationError({"parent": _("%(unit)s is closed: reopen it first.") % {"unit": parent.name}})
    if unit.parent_id == parent.pk:
        return unit
    from guatu.access.gateway import jurisdiction

    if unit.parent is None or jurisdiction(unit.parent).pk != jurisdiction(parent).pk:
        raise ValidationError({"parent": _("A unit moves only within its own jurisdiction.")})
    before = {"parent": unit.parent_id}
    old_path, new_path = unit.path, f"{parent.path}{unit.pk}/"
    OrgUnit.objects.filter(path__startswith=old_path).update(
        path=Concat(Value(new_path), Substr("path", len(old_path) + 1))
    )
    OrgUnit.objects.filter(pk=unit.pk).update(parent=parent, version=F("version") + 1)
    unit.refresh_from_db()
    events.unit_moved(unit, before=before, after={"parent": parent.pk}, by=by)
    return unit


def open_work(unit: OrgUnit) -> dict[str, int]:
    """What still works in or under a unit: open units below it, active users, projects it hosts or leads
    that are not cancelled."""
    from guatu.accounts.models import User
    from guatu.projects.models import Project

    below = OrgUnit.objects.subtree(unit).exclude(pk=unit.pk)
    return {
        "units": below.open().count(),
        "users": User.objects.filter(org_unit__path__startswith=unit.path, is_active=True).count(),
        "projects": Project.objects.counted()
        .filter(Q(location_unit__path__startswith=unit.path) | Q(lead_unit__path__startswith=unit.path))
        .count(),
    }


@transaction.atomic
def orgunit_close(*, unit: OrgUnit, expected_version, reason: str = "", by) -> OrgUnit:
    """Close a unit: it keeps its history and projects but is no longer offered for new work. Refused while
    units below it are open or people of it can still log in (move or disable them first)."""
    unit = _locked(unit)
    check_manages(by, unit)
    check_version(unit, expected_version)
    if unit.is_closed:
        raise ValidationError(_("%(unit)s is already closed.") % {"unit": unit.name})
    if unit.kind in JURISDICTION_KINDS and is_acting(by) and not by.is_superuser:
        raise ValidationError(_("Only a superuser closes a county, prefecture or province."))
    work = open_work(unit)
    if work["units"] or work["users"]:
        raise ValidationError(
            _(
                "%(unit)s still has %(units)s open units below it and %(users)s active users: close or move "
                "the units and disable or move the users first."
            )
            % {"unit": unit.name, "units": work["units"], "users": work["users"]}
        )
    unit.closed_at = clock.now()
    unit.version += 1
    unit.save(update_fields=["closed_at", "version"])
    events.unit_closed(unit, before={"closed_at": None}, after=snapshot(unit, ["closed_at"]), by=by, reason=reason)
    return unit


@transaction.atomic
def orgunit_reopen(*, unit: OrgUnit, expected_version, by) -> OrgUnit:
    unit = _locked(unit)
    check_manages(by, unit)
    check_version(unit, expected_version)
    if not unit.is_closed:
        raise ValidationError(_("%(unit)s is open.") % {"unit": unit.name})
    if unit.parent is not None and unit.parent.is_closed:
        raise ValidationError(_("%(unit)s is closed: reopen it first.") % {"unit": unit.parent.name})
    before = snapshot(unit, ["closed_at"])
    unit.closed_at = None
    unit.version += 1
    unit.save(update_fields=["closed_at", "version"])
    events.unit_reopened(unit, before=before, after={"closed_at": None}, by=by)
    return unit


# --- leaders


def _check_leader_unit(org_unit: OrgUnit) -> None:
    if org_unit.is_closed:
        raise ValidationError({"org_unit": _("%(unit)s is closed: reopen it first.") % {"unit": org_unit.name}})


@transaction.atomic
def leader_create(
    *, name: str, post: str, org_unit: OrgUnit, is_principal: bool = False, sort_order: int = 0, by=None
) -> Leader:
    check_manages(by, org_unit)
    _check_leader_unit(org_unit)
    leader = Leader.objects.create(
        name=name.strip(), post=post.strip(), org_unit=org_unit, is_principal=is_principal, sort_order=sort_order
    )
    events.leader_created(leader, after=snapshot(leader, ["name", "post", "org_unit", "is_principal"]), by=by)
    return leader


@transaction.atomic
def leader_update(
    *,
    leader: Leader,
    expected_version,
    name: str,
    post: str,
    org_unit: OrgUnit,
    is_principal: bool,
    sort_order: int,
    by,
) -> Leader:
    leader = Leader.objects.select_for_update().get(pk=leader.pk)
    check_manages(by, leader.org_unit, org_unit)
    check_version(leader, expected_version)
    if org_unit.pk != leader.org_unit_id:
        _check_leader_unit(org_unit)
    stored = snapshot(leader, LEADER_FIELDS)
    leader.name, leader.post, leader.org_unit = name.strip(), post.strip(), org_unit
    leader.is_principal, leader.sort_order = is_principal, sort_order
    before, after = changes(stored, snapshot(leader, LEADER_FIELDS))
    if not after:
        return leader
    leader.version += 1
    leader.save(update_fields=[*LEADER_FIELDS, "version"])
    events.leader_changed(leader, before=before, after=after, by=by)
    return leader


@transaction.atomic
def leader_end(*, leader: Leader, expected_version, by) -> Leader:
    """The leader no longer holds the post: kept on the projects and history, no longer offered for new work."""
    leader = Leader.objects.select_for_update().get(pk=leader.pk)
    check_manages(by, leader.org_unit)
    check_version(leader, expected_version)
    if not leader.is_active:
        raise ValidationError(_("%(leader)s no longer holds this post.") % {"leader": leader})
    leader.is_active = False
    leader.version += 1
    leader.save(update_fields=["is_active", "version"])
    events.leader_post_ended(leader, before={"is_active": True}, after={"is_active": False}, by=by)
    return leader


def find_unit_by_name(name: str, within: OrgUnit | None = None) -> OrgUnit | None:
    """Match a unit by full name, short name or alias (spreadsheets say 市发改局 for 冷水江市发展和改革局)."""
    name = name.strip()
    units = OrgUnit.objects.all() if within is None else OrgUnit.objects.subtree(within)
    for unit in units.only("pk", "name", "short_name", "aliases", "path"):
        if name in (unit.name, unit.short_name) or name in (unit.aliases or []):
            return unit
    return None
