"""Writes to the org tree."""

from django.db import transaction

from guatu.audit import events
from guatu.audit.services import snapshot
from guatu.orgs.models import Leader, OrgUnit

UNIT_FIELDS = ["name", "short_name", "aliases", "kind", "division_code", "parent", "sort_order"]


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
    unit = OrgUnit(
        name=name,
        kind=kind,
        parent=parent,
        short_name=short_name,
        aliases=aliases or [],
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


@transaction.atomic
def leader_create(*, name: str, post: str, org_unit: OrgUnit, is_principal: bool = False, sort_order: int = 0, by=None) -> Leader:
    leader = Leader.objects.create(
        name=name, post=post, org_unit=org_unit, is_principal=is_principal, sort_order=sort_order
    )
    events.leader_created(leader, after=snapshot(leader, ["name", "post", "org_unit", "is_principal"]), by=by)
    return leader


def find_unit_by_name(name: str, within: OrgUnit | None = None) -> OrgUnit | None:
    """Match a unit by full name, short name or alias (spreadsheets say 市发改局 for 冷水江市发展和改革局)."""
    name = name.strip()
    units = OrgUnit.objects.all() if within is None else OrgUnit.objects.subtree(within)
    for unit in units.only("pk", "name", "short_name", "aliases", "path"):
        if name in (unit.name, unit.short_name) or name in (unit.aliases or []):
            return unit
    return None
