"""Writes for service to enterprises: the firms, their yearly figures, and their requests (企业诉求), which are
dispatch problems with `enterprise` set and follow the same three-tier dispatch (guatu.dispatch.services)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from guatu import clock
from guatu.access import gateway
from guatu.audit import events
from guatu.audit.services import changes, snapshot
from guatu.audit.workflow import check_version
from guatu.dispatch.models import Problem, ProblemCategory
from guatu.dispatch.services import problem_raise
from guatu.enterprises.models import Enterprise, EnterpriseFigure
from guatu.lib.uscc import normalise, uscc_error

ENTERPRISE_FIELDS = [
    "name",
    "uscc",
    "unit",
    "chain",
    "above_scale",
    "is_chain_master",
    "industry",
    "notes",
    "contact_name",
    "contact_phone",
]
AUDITED_FIELDS = ["jurisdiction", *ENTERPRISE_FIELDS]
FIGURE_FIELDS = ["enterprise", "year", "output", "tax"]
MAX_AMOUNT = Decimal("999999999999.99")  # the columns' 14 digits, 2 places
YEARS = (2000, 2100)
MAX_DESCRIPTION = 2000


@dataclass(frozen=True)
class EnterpriseInput:
    name: str
    uscc: str
    unit: object  # OrgUnit
    chain: object | None = None  # IndustryChain
    above_scale: bool = False
    is_chain_master: bool = False
    industry: str = ""
    notes: str = ""
    contact_name: str = ""
    contact_phone: str = ""


def _label(model, name: str) -> str:
    return str(model._meta.get_field(name).verbose_name)


def _normalised(data: EnterpriseInput) -> EnterpriseInput:
    values = {f.name: getattr(data, f.name) for f in fields(data)}
    for name in ("name", "industry", "notes", "contact_name", "contact_phone"):
        values[name] = (values[name] or "").strip()
    values["uscc"] = normalise(values["uscc"])
    return EnterpriseInput(**values)


def _validate(data: EnterpriseInput, *, jurisdiction, by, instance: Enterprise | None) -> None:
    errors: dict[str, str] = {}
    if not data.name:
        errors["name"] = _("Give the enterprise's name.")
    for name in ("name", "industry", "notes", "contact_name", "contact_phone"):
        limit = Enterprise._meta.get_field(name).max_length
        if len(getattr(data, name)) > limit:
            errors[name] = _("%(field)s is at most %(max)s characters (you entered %(n)s).") % {
                "field": _label(Enterprise, name),
                "max": limit,
                "n": len(getattr(data, name)),
            }
    if error := uscc_error(data.uscc):
        errors["uscc"] = error
    elif Enterprise.objects.filter(uscc=data.uscc).exclude(pk=getattr(instance, "pk", None)).exists():
        errors["uscc"] = _("Another enterprise already has the unified social credit code %(code)s.") % {
            "code": data.uscc
        }
    if data.unit is None or not gateway.enterprise_units(by).filter(pk=data.unit.pk).exists():
        errors["unit"] = _("Choose a unit of your jurisdiction to look after the enterprise.")
    elif gateway.jurisdiction(data.unit).pk != jurisdiction.pk:
        errors["unit"] = _("The unit looking after the enterprise belongs to its jurisdiction.")
    if data.chain is not None and data.chain.jurisdiction_id != jurisdiction.pk:
        errors["chain"] = _("Choose an industry chain of the enterprise's jurisdiction.")
    if data.name and "name" not in errors:
        same = Enterprise.objects.filter(jurisdiction=jurisdiction, name=data.name)
        if same.exclude(pk=getattr(instance, "pk", None)).exists():
            errors["name"] = _("There is already an enterprise named %(name)s.") % {"name": data.name}
    if errors:
        raise ValidationError(errors)


def _saved(enterprise: Enterprise) -> None:
    try:
        with transaction.atomic():
            enterprise.save()
    except IntegrityError:  # a concurrent save took the name or the code between the check and the write
        raise ValidationError(
            {"uscc": _("Another enterprise has just been saved with this name or code; reload and check.")}
        ) from None


@transaction.atomic
def enterprise_create(*, data: EnterpriseInput, by) -> Enterprise:
    """Add a firm to the jurisdiction of the unit that looks after it."""
    if not gateway.can_manage_enterprise(by):
        raise PermissionDenied(_("You may not add enterprises."))
    data = _normalised(data)
    jurisdiction = gateway.jurisdiction(data.unit) if data.unit is not None else None
    _validate(data, jurisdiction=jurisdiction, by=by, instance=None)
    enterprise = Enterprise(jurisdiction=jurisdiction, created_at=clock.now(), **vars(data))
    _saved(enterprise)
    events.enterprise_created(enterprise, after=snapshot(enterprise, AUDITED_FIELDS), by=by)
    return enterprise


@transaction.atomic
def enterprise_update(
    *, enterprise: Enterprise, data: EnterpriseInput, expected_version: int | None, by
) -> Enterprise:
    """Change a firm's details, if nobody changed them since they were read. It stays in its jurisdiction."""
    enterprise = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
    if not gateway.can_manage_enterprise(by, enterprise):
        raise PermissionDenied(_("You may not change this enterprise."))
    check_version(enterprise, expected_version)
    data = _normalised(data)
    _validate(data, jurisdiction=enterprise.jurisdiction, by=by, instance=enterprise)
    before = snapshot(enterprise, AUDITED_FIELDS)
    for name, value in vars(data).items():
        setattr(enterprise, name, value)
    old, new = changes(before, snapshot(enterprise, AUDITED_FIELDS))
    if not new:
        return enterprise
    enterprise.version += 1
    _saved(enterprise)
    events.enterprise_changed(enterprise, before=old, after=new, by=by)
    return enterprise


def _check_amount(name: str, value, errors: dict) -> None:
    label = _label(EnterpriseFigure, name)
    if value is None:
        errors[name] = _("%(field)s is required.") % {"field": label}
    elif not isinstance(value, Decimal) or not value.is_finite():
        errors[name] = _("%(field)s must be a number.") % {"field": label}
    elif value < 0 or value > MAX_AMOUNT or value.as_tuple().exponent < -2:
        errors[name] = _(
            "%(field)s is between 0 and %(max)s with at most two decimals (you entered %(value)s)."
        ) % {
            "field": label,
            "max": MAX_AMOUNT,
            "value": value,
        }


@transaction.atomic
def enterprise_figures_set(
    *,
    enterprise: Enterprise,
    year: int,
    output: Decimal,
    tax: Decimal,
    expected_version: int | None,
    by,
) -> EnterpriseFigure:
    """A firm's output value and tax paid of one year (万元): entered the first time (expected_version None),
    changed afterwards against the version read."""
    if not gateway.can_manage_enterprise(by, enterprise):
        raise PermissionDenied(_("You may not enter this enterprise's figures."))
    errors: dict[str, str] = {}
    if not isinstance(year, int) or not YEARS[0] <= year <= YEARS[1]:
        errors["year"] = _("The year is between %(first)s and %(last)s.") % {
            "first": YEARS[0],
            "last": YEARS[1],
        }
    _check_amount("output", output, errors)
    _check_amount("tax", tax, errors)
    if errors:
        raise ValidationError(errors)
    figure = EnterpriseFigure.objects.select_for_update().filter(enterprise=enterprise, year=year).first()
    if figure is None:
        if expected_version is not None:
            check_version(EnterpriseFigure(version=0), expected_version)  # it was deleted or never there
        figure = EnterpriseFigure(enterprise=enterprise, year=year, output=output, tax=tax)
        figure.save()
        events.enterprise_figures_set(figure, before={}, after=snapshot(figure, FIGURE_FIELDS), by=by)
        return figure
    check_version(figure, expected_version)
    before = snapshot(figure, FIGURE_FIELDS)
    figure.output, figure.tax = output, tax
    old, new = changes(before, snapshot(figure, FIGURE_FIELDS))
    if new:
        figure.version += 1
        figure.save(update_fields=["output", "tax", "version"])
        events.enterprise_figures_set(figure, before=old, after=new, by=by)
    return figure


@transaction.atomic
def request_raise(
    *, enterprise: Enterprise, description: str, category: str, by, at: datetime | None = None
) -> Problem:
    """Raise a firm's request (诉求) on its behalf: by a reporter of the unit that looks after it (or of a unit
    above it), by a reporter of its chain's lead department, or by a reviewer of its jurisdiction. It is then a
    dispatch problem like any other: assigned with a deadline, escalated, answered, verified, closed."""
    if not gateway.may_raise_request(by, enterprise):
        raise PermissionDenied(_("You may not raise requests for this enterprise."))
    errors = {}
    if category not in ProblemCategory.values:
        errors["category"] = _("Choose a category.")
    if len(description or "") > MAX_DESCRIPTION:
        errors["description"] = _("The description is at most %(max)s characters (you entered %(n)s).") % {
            "max": MAX_DESCRIPTION,
            "n": len(description),
        }
    if errors:
        raise ValidationError(errors)
    return problem_raise(description=description, category=category, enterprise=enterprise, by=by, at=at)
