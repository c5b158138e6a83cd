"""Writes to the investment-attraction pipeline: every change goes through here, in a transaction, with its
audit event.

Steps (WORKFLOW): lead → negotiating → signed (contract amount, signing date, promised start) → registered
(date) → started (date) → producing (date); a lead not yet started may be dropped with a reason. Whoever
manages the lead (reviewers and city administrators of its jurisdiction, gateway.can_manage_lead) takes the
steps; the reporters of its responsible unit also log follow-ups and enter funds in place
(gateway.can_follow_lead). A started lead becomes a project of the library with `lead_convert`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from guatu import clock
from guatu.access import gateway
from guatu.attraction.models import (
    AWAITING_START,
    STARTED_OR_LATER,
    FundsInPlace,
    InvestorOrigin,
    Lead,
    LeadFollowUp,
    LeadSource,
    LeadStatus,
)
from guatu.audit import events
from guatu.audit.services import changes, snapshot
from guatu.audit.workflow import Step, Workflow, check_version
from guatu.lib.money import CENT
from guatu.lib.periods import Period
from guatu.orgs.models import OrgUnit
from guatu.projects.models import Category, IndustryChain, Stage, Tier
from guatu.projects.services import ProjectInput, project_create

INPUT_FIELDS = [
    "name",
    "investor",
    "investor_origin",
    "source",
    "responsible_unit",
    "chain",
    "category",
    "planned_investment",
]
STEP_FIELDS = ["contract_amount", "signed_on", "promised_start", "registered_on", "started_on", "producing_on"]
AUDITED_FIELDS = ["jurisdiction", *INPUT_FIELDS, "status", *STEP_FIELDS, "drop_reason", "project"]
FUNDS_FIELDS = ["lead", "year", "month", "domestic", "foreign"]
MAX_AMOUNT = Decimal("999999999999.99")  # MONEY: 14 digits, 2 of them decimals
FOLLOW_UP_MAX = LeadFollowUp._meta.get_field("text").max_length
DROP_REASON_MAX = Lead._meta.get_field("drop_reason").max_length


@dataclass(frozen=True)
class LeadInput:
    name: str
    investor: str
    responsible_unit: OrgUnit
    planned_investment: Decimal
    investor_origin: str = InvestorOrigin.OTHER_PROVINCE
    source: str = LeadSource.OTHER
    chain: IndustryChain | None = None
    category: str = Category.INDUSTRY


def _label(model, name: str) -> str:
    return str(model._meta.get_field(name).verbose_name)


def amount_error(label: str, value: Decimal | None, *, required: bool = True) -> str | None:
    """What is wrong with an amount in 万元 for a MONEY column, in words naming the field; None if nothing."""
    if value is None:
        return _("%(field)s is required.") % {"field": label} if required else None
    if not isinstance(value, Decimal) or not value.is_finite():
        return _("%(field)s must be a number.") % {"field": label}
    if value < 0:
        return _("%(field)s cannot be negative (you entered %(value)s).") % {"field": label, "value": value}
    if value.as_tuple().exponent < -2:
        return _("%(field)s has at most 2 decimal places, in 10k yuan (you entered %(value)s).") % {
            "field": label,
            "value": value,
        }
    if value > MAX_AMOUNT:
        return _("%(field)s is too large (you entered %(value)s).") % {"field": label, "value": value}
    return None


def _require_manager(by, lead: Lead) -> None:
    if by is not None and not gateway.is_system_actor(by) and not gateway.can_manage_lead(by, lead):
        raise PermissionDenied(_("You may not manage this investment lead."))


def _require_follower(by, lead: Lead) -> None:
    if by is not None and not gateway.is_system_actor(by) and not gateway.can_follow_lead(by, lead):
        raise PermissionDenied(_("You may not record follow-ups or funds for this investment lead."))


def _validate(data: LeadInput, by) -> None:
    errors: dict[str, str] = {}
    for name in ("name", "investor"):
        value = getattr(data, name)
        limit = Lead._meta.get_field(name).max_length
        if not value.strip():
            errors[name] = _("%(field)s is required.") % {"field": _label(Lead, name)}
        elif len(value) > limit:
            errors[name] = _("%(field)s must be at most %(limit)s characters.") % {
                "field": _label(Lead, name),
                "limit": limit,
            }
    for name, choices in (("investor_origin", InvestorOrigin), ("source", LeadSource), ("category", Category)):
        if getattr(data, name) not in choices.values:
            errors[name] = _("Choose a %(field)s from the list.") % {"field": _label(Lead, name)}
    error = amount_error(_label(Lead, "planned_investment"), data.planned_investment)
    if error:
        errors["planned_investment"] = error
    if by is not None and not gateway.is_system_actor(by):
        if not gateway.lead_units(by).filter(pk=data.responsible_unit.pk).exists():
            errors["responsible_unit"] = _("%(unit)s is not an open unit of your jurisdiction.") % {
                "unit": data.responsible_unit.name
            }
        if data.chain is not None and not gateway.library_chains(by).filter(pk=data.chain.pk).exists():
            errors["chain"] = _("%(chain)s is not an industry chain of your jurisdiction.") % {"chain": data.chain.name}
    if errors:
        raise ValidationError(errors)


def _normalized(data: LeadInput) -> dict:
    values = {name: getattr(data, name) for name in INPUT_FIELDS}
    values["name"] = data.name.strip()
    values["investor"] = data.investor.strip()
    values["planned_investment"] = data.planned_investment.quantize(CENT)
    return values


def lead_create(*, data: LeadInput, by) -> Lead:
    """A new lead of the jurisdiction its responsible unit belongs to, at the first step (线索)."""
    if by is not None and not gateway.is_system_actor(by) and not gateway.may_create_leads(by):
        raise PermissionDenied(_("You may not manage investment leads."))
    _validate(data, by)
    now = clock.now()
    with transaction.atomic():
        lead = Lead(
            **_normalized(data),
            jurisdiction=gateway.jurisdiction(data.responsible_unit),
            created_by=by if by is not None and by.is_authenticated else None,
            created_at=now,
            updated_at=now,
        )
        _require_manager(by, lead)
        lead.save()
        events.lead_created(lead, after=snapshot(lead, AUDITED_FIELDS), by=by)
    return lead


def _locked(lead: Lead) -> Lead:
    return Lead.objects.select_for_update(of=("self",)).select_related("jurisdiction", "responsible_unit").get(pk=lead.pk)


def lead_update(*, lead: Lead, data: LeadInput, expected_version: int | None, by) -> Lead:
    """Change a lead's description (name, investor, source, unit, chain, amount), at the version it was read at.
    Its responsible unit stays in its jurisdiction; nothing is written when nothing changed."""
    with transaction.atomic():
        lead = _locked(lead)
        _require_manager(by, lead)
        check_version(lead, expected_version, changed_at=lead.updated_at)
        _validate(data, by)
        if not data.responsible_unit.is_within(lead.jurisdiction):
            raise ValidationError(
                {"responsible_unit": _("%(unit)s is not a unit of %(root)s.") % {
                    "unit": data.responsible_unit.name,
                    "root": lead.jurisdiction.name,
                }}
            )
        before = snapshot(lead, AUDITED_FIELDS)
        for name, value in _normalized(data).items():
            setattr(lead, name, value)
        old, new = changes(before, snapshot(lead, AUDITED_FIELDS))
        if not new:
            return lead
        lead.version += 1
        lead.updated_at = clock.now()
        lead.save(update_fields=[*INPUT_FIELDS, "version", "updated_at"])
        events.lead_changed(lead, before=old, after=new, by=by)
    return lead


# --- the steps --------------------------------------------------------------------------------------------------

WORKFLOW = Workflow(
    audited_fields=AUDITED_FIELDS,
    reason_field="drop_reason",
    steps=[
        Step("lead.negotiate", (LeadStatus.LEAD,), LeadStatus.NEGOTIATING, gettext_noop("taken into negotiation")),
        Step("lead.sign", (LeadStatus.LEAD, LeadStatus.NEGOTIATING), LeadStatus.SIGNED, gettext_noop("signed")),
        Step("lead.register", (LeadStatus.SIGNED,), LeadStatus.REGISTERED, gettext_noop("registered")),
        Step("lead.start", AWAITING_START, LeadStatus.STARTED, gettext_noop("started")),
        Step("lead.produce", (LeadStatus.STARTED,), LeadStatus.PRODUCING, gettext_noop("put into production")),
        Step(
            "lead.drop",
            (LeadStatus.LEAD, LeadStatus.NEGOTIATING, *AWAITING_START),
            LeadStatus.DROPPED,
            gettext_noop("dropped"),
            needs_reason=True,
        ),
    ],
)

# The date each step records (the sign step also records the contract amount and the promised start).
STEP_DATE = {
    "lead.sign": "signed_on",
    "lead.register": "registered_on",
    "lead.start": "started_on",
    "lead.produce": "producing_on",
}
# The date a step's date may not precede: a lead starts on or after it was signed, produces after it started.
EARLIEST = {"registered_on": "signed_on", "started_on": "signed_on", "producing_on": "started_on"}


def next_steps(lead: Lead) -> list[str]:
    """The steps the lead's state allows, in the order of the pipeline."""
    return [action for action in WORKFLOW.steps if WORKFLOW.allows(lead, action)]


def _step_values(lead: Lead, action: str, *, on, contract_amount, promised_start) -> dict:
    """The fields the step sets, checked: a date (not in the future, not before the step it follows), and for
    signing the contract amount and the promised start (on or after signing)."""
    field = STEP_DATE[action]
    errors: dict[str, str] = {}
    label = _label(Lead, field)
    if not isinstance(on, date):
        errors[field] = _("%(field)s is required.") % {"field": label}
    elif on > clock.today():
        errors[field] = _("%(field)s %(date)s has not come yet.") % {"field": label, "date": on.isoformat()}
    elif field in EARLIEST and getattr(lead, EARLIEST[field]) and on < getattr(lead, EARLIEST[field]):
        errors[field] = _("%(field)s %(date)s is before %(earlier)s %(earlier_date)s.") % {
            "field": label,
            "date": on.isoformat(),
            "earlier": _label(Lead, EARLIEST[field]),
            "earlier_date": getattr(lead, EARLIEST[field]).isoformat(),
        }
    values = {field: on}
    if action == "lead.sign":
        error = amount_error(_label(Lead, "contract_amount"), contract_amount)
        if error:
            errors["contract_amount"] = error
        if not isinstance(promised_start, date):
            errors["promised_start"] = _("%(field)s is required.") % {"field": _label(Lead, "promised_start")}
        elif isinstance(on, date) and promised_start < on:
            errors["promised_start"] = _("The promised start %(start)s is before the signing date %(signed)s.") % {
                "start": promised_start.isoformat(),
                "signed": on.isoformat(),
            }
        if not errors:
            values |= {"contract_amount": contract_amount.quantize(CENT), "promised_start": promised_start}
    if errors:
        raise ValidationError(errors)
    return values


def lead_advance(
    *,
    lead: Lead,
    action: str,
    by,
    expected_version: int | None,
    on: date | None = None,
    contract_amount: Decimal | None = None,
    promised_start: date | None = None,
) -> Lead:
    """Take one step of WORKFLOW other than dropping: negotiate; sign (`on` = signing date, `contract_amount`
    in 万元, `promised_start`); register, start, produce (`on` = the date it happened)."""
    if action not in WORKFLOW.steps or action == "lead.drop":
        raise ValidationError({"action": _("Unknown step.")})
    with transaction.atomic():
        lead = _locked(lead)
        _require_manager(by, lead)
        values = {}
        if action in STEP_DATE and WORKFLOW.allows(lead, action):
            values = _step_values(lead, action, on=on, contract_amount=contract_amount, promised_start=promised_start)

        def record(lead: Lead, step: Step, now, reason: str) -> list[str]:
            for name, value in values.items():
                setattr(lead, name, value)
            return list(values)

        return WORKFLOW.run(lead, action=action, by=by, expected_version=expected_version, on_step=record)


def lead_drop(*, lead: Lead, reason: str, by, expected_version: int | None) -> Lead:
    """Drop a lead that has not started (终止), with the reason, which is kept on the lead."""
    if len((reason or "").strip()) > DROP_REASON_MAX:
        raise ValidationError(
            {"reason": _("The reason is at most %(limit)s characters long.") % {"limit": DROP_REASON_MAX}}
        )
    with transaction.atomic():
        lead = _locked(lead)
        _require_manager(by, lead)
        return WORKFLOW.run(lead, action="lead.drop", by=by, expected_version=expected_version, reason=reason)


# --- the follow-up log and funds in place ------------------------------------------------------------------------


def follow_up_add(*, lead: Lead, on: date, text: str, by) -> LeadFollowUp:
    """One entry of the lead's follow-up log: what was done on a day (not in the future)."""
    text = (text or "").strip()
    errors = {}
    if not text:
        errors["text"] = _("%(field)s is required.") % {"field": _label(LeadFollowUp, "text")}
    elif len(text) > FOLLOW_UP_MAX:
        errors["text"] = _("%(field)s must be at most %(limit)s characters.") % {
            "field": _label(LeadFollowUp, "text"),
            "limit": FOLLOW_UP_MAX,
        }
    if not isinstance(on, date):
        errors["date"] = _("%(field)s is required.") % {"field": _label(LeadFollowUp, "date")}
    elif on > clock.today():
        errors["date"] = _("%(field)s %(date)s has not come yet.") % {
            "field": _label(LeadFollowUp, "date"),
            "date": on.isoformat(),
        }
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        lead = _locked(lead)
        _require_follower(by, lead)
        entry = LeadFollowUp.objects.create(
            lead=lead, date=on, text=text, by=by if by is not None and by.is_authenticated else None, at=clock.now()
        )
        events.lead_followed_up(entry, after=snapshot(entry, ["lead", "date", "text"]), by=by)
    return entry


def funds_set(
    *, lead: Lead, period: Period, domestic: Decimal, foreign: Decimal, expected_version: int | None, by
) -> FundsInPlace:
    """The funds in place of one month (实际到位资金, 万元): created when the month has none (no version
    needed), else changed at the version it was read at. Refused for a lead not signed, for a month before
    the signing month, and for a month that has not begun."""
    errors: dict[str, str] = {}
    for name, value in (("domestic", domestic), ("foreign", foreign)):
        error = amount_error(_label(FundsInPlace, name), value)
        if error:
            errors[name] = error
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        lead = _locked(lead)
        _require_follower(by, lead)
        if lead.signed_on is None:
            raise ValidationError({"period": _("Funds in place are entered once the lead is signed.")})
        if period < Period.of(lead.signed_on):
            raise ValidationError(
                {"period": _("Month %(period)s is before the lead was signed (%(signed)s).") % {
                    "period": period,
                    "signed": lead.signed_on.isoformat(),
                }}
            )
        if period > Period.of(clock.today()):
            raise ValidationError({"period": _("Month %(period)s has not come yet.") % {"period": period}})
        now = clock.now()
        row = FundsInPlace.objects.select_for_update().filter(lead=lead, year=period.year, month=period.month).first()
        if row is None:
            if expected_version is not None:
                # The form was read when the month had a row that is gone now: refuse like a stale save.
                check_version(FundsInPlace(version=0), expected_version)
            row = FundsInPlace.objects.create(
                lead=lead,
                year=period.year,
                month=period.month,
                domestic=domestic.quantize(CENT),
                foreign=foreign.quantize(CENT),
                updated_at=now,
            )
            events.funds_entered(row, after=snapshot(row, FUNDS_FIELDS), by=by)
            return row
        check_version(row, expected_version, changed_at=row.updated_at)
        before = snapshot(row, FUNDS_FIELDS)
        row.domestic, row.foreign = domestic.quantize(CENT), foreign.quantize(CENT)
        old, new = changes(before, snapshot(row, FUNDS_FIELDS))
        if not new:
            return row
        row.version += 1
        row.updated_at = now
        row.save(update_fields=["domestic", "foreign", "version", "updated_at"])
        events.funds_changed(row, before=old, after=new, by=by)
    return row


# --- a started lead becomes a project of the library -------------------------------------------------------------


def lead_convert(*, lead: Lead, by, expected_version: int | None, end_year: int | None = None):
    """Make a started (or producing) lead a project of the library without retyping: its name, the investor as
    owner, the contract amount as total investment, the responsible unit as location and lead unit, its chain
    and category, the year it started as start year (`end_year`, when not given, the year after), at stage
    "newly started" in the implementation tier. The lead keeps the project (`lead.project`, `project.lead`);
    a lead is converted once. Recorded on the lead ("converted into a project") and on the project
    ("converted from an investment lead"), besides the project's own creation."""
    with transaction.atomic():
        lead = _locked(lead)
        _require_manager(by, lead)
        check_version(lead, expected_version, changed_at=lead.updated_at)
        if lead.project_id is not None:
            raise ValidationError({"project": _("This lead has already become the project “%(name)s”.") % {
                "name": lead.project.name
            }})
        if lead.status not in STARTED_OR_LATER:
            raise ValidationError(
                {"status": _("Only a started lead becomes a project; this one is %(status)s.") % {
                    "status": lead.get_status_display()
                }}
            )
        start_year = lead.started_on.year
        project = project_create(
            data=ProjectInput(
                name=lead.name,
                category=lead.category,
                location_unit=lead.responsible_unit,
                lead_unit=lead.responsible_unit,
                owner=lead.investor,
                start_year=start_year,
                end_year=start_year + 1 if end_year is None else end_year,
                total_investment=lead.contract_amount,
                stage=Stage.NEW,
                tier=Tier.IMPLEMENTATION,
                chain=lead.chain,
            ),
            by=by,
        )
        before = snapshot(lead, ["project"])
        lead.project = project
        lead.version += 1
        lead.updated_at = clock.now()
        lead.save(update_fields=["project", "version", "updated_at"])
        old, new = changes(before, snapshot(lead, ["project"]))
        events.lead_converted(lead, before=old, after=new, by=by)
        events.project_converted_from_lead(project, lead=lead, by=by)
    return lead
