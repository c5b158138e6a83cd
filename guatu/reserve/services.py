"""Writes of the reserve pipeline: a project's tier, the tiers' rules, funding applications. Each is atomic,
checks the actor through the gateway and the version it was read at, and records its audit event."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from guatu import clock
from guatu.access import gateway
from guatu.audit import events
from guatu.audit.services import changes, snapshot
from guatu.audit.workflow import Step, Workflow, check_version, require_reason
from guatu.orgs.models import OrgUnit
from guatu.projects.models import Category, Milestone, MilestoneKind, Project, Tier
from guatu.projects.services import MAX_AMOUNT, YEARS
from guatu.reserve import rules as tier_rules
from guatu.reserve.models import EntryRule, FundingApplication, FundingKind, FundingStatus, PromotionGate

# --- a project's tier: moved only here, with a reason ----------------------------------------------------------

TIER_WORKFLOW = Workflow(
    status_field="tier",
    audited_fields=["tier"],
    steps=[Step("project.tier", tuple(Tier.values), None, gettext_noop("moved to another tier"), needs_reason=True)],
)


def _require_library_maintainer(by, project: Project) -> None:
    if by is None or gateway.is_system_actor(by):
        return
    if not gateway.can_maintain_library(by, project):
        raise PermissionDenied(_("You may not maintain this project."))


def project_change_tier(*, project: Project, tier: str, reason: str, expected_version: int | None, by) -> Project:
    """Move a project to another tier of the library (储备库 → 滚动库 → 实施库, or down), with a reason.

    Up: refused unless the gate milestones of every tier passed are done, and the target tier's entry criteria
    for the project's category are met (minimum total investment, documents); each missing milestone is named.
    Down: allowed with a reason. The only way a project's tier changes once it is in the library."""
    if tier not in Tier.values:
        raise ValidationError({"tier": _("Choose a tier from the list.")})
    with transaction.atomic():
        project = Project.objects.select_for_update().select_related("location_unit", "lead_unit").get(pk=project.pk)
        _require_library_maintainer(by, project)
        check_version(project, expected_version, changed_at=project.updated_at)
        if tier == project.tier:
            raise ValidationError({"tier": _("The project is in this tier already.")})
        reason = require_reason(reason)
        if tier_rules.is_up(project.tier, tier):
            rules = tier_rules.rules_of(gateway.jurisdiction(project.location_unit))
            milestones = list(Milestone.objects.filter(project=project).values_list("kind", "actual_date"))
            found = tier_rules.refusals(
                rules,
                current=project.tier,
                target=tier,
                category=project.category,
                total_investment=project.total_investment,
                kinds={kind for kind, _done in milestones},
                done_kinds={kind for kind, done in milestones if done is not None},
            )
            if found:
                raise ValidationError({"tier": found})

        def move(obj, step, now, reason):
            obj.tier = tier
            return []

        return TIER_WORKFLOW.run(
            project,
            action="project.tier",
            by=by,
            expected_version=expected_version,
            reason=reason,
            project=project,
            on_step=move,
        )


# --- the tiers' rules of a jurisdiction --------------------------------------------------------------------------


def _require_rules_keeper(by, jurisdiction: OrgUnit) -> None:
    if by is None or gateway.is_system_actor(by):
        return
    if gateway.reserve_rules_unit(by) != jurisdiction:
        raise PermissionDenied(_("You may not set the reserve rules of %(unit)s.") % {"unit": jurisdiction.name})


def _kinds_error(kinds: list[str]) -> str | None:
    if any(kind not in MilestoneKind.values for kind in kinds) or len(set(kinds)) != len(kinds):
        return _("Choose milestone kinds from the list, each once.")
    return None


def _audited_rule(min_investment, kinds) -> dict:
    out = {"required_kinds": tier_rules.kinds_text(kinds)}
    if min_investment is not None:
        out["min_investment"] = format(min_investment, "f")
    return out


@transaction.atomic
def entry_rule_set(
    *,
    jurisdiction: OrgUnit,
    tier: str,
    category: str,
    min_investment: Decimal,
    required_kinds: list[str],
    expected_version: int | None,
    by,
) -> EntryRule:
    """Set what a project of `category` needs to enter `tier` in the jurisdiction. The default counts as version
    0: the first save writes the jurisdiction's own row."""
    _require_rules_keeper(by, jurisdiction)
    errors = {}
    if tier not in Tier.values:
        errors["tier"] = _("Choose a tier from the list.")
    if category not in Category.values:
        errors["category"] = _("Choose a category from the list.")
    if (
        not isinstance(min_investment, Decimal)
        or not min_investment.is_finite()
        or min_investment.as_tuple().exponent < -2
        or not Decimal(0) <= min_investment <= MAX_AMOUNT
    ):
        errors["min_investment"] = _("The minimum investment must be an amount from 0 to %(max)s with at most 2 decimals.") % {
            "max": MAX_AMOUNT
        }
    error = _kinds_error(required_kinds)
    if error:
        errors["required_kinds"] = error
    if errors:
        raise ValidationError(errors)
    row = EntryRule.objects.select_for_update().filter(jurisdiction=jurisdiction, tier=tier, category=category).first()
    if row is None:
        default = tier_rules.default_rules().entry[(tier, category)]
        row = EntryRule(
            jurisdiction=jurisdiction,
            tier=tier,
            category=category,
            min_investment=default.min_investment,
            required_kinds=list(default.required_kinds),
            version=0,
        )
    check_version(row, expected_version, changed_at=row.updated_at if row.pk else None)
    before = _audited_rule(row.min_investment, row.required_kinds)
    row.min_investment = min_investment.quantize(Decimal("0.01"))
    row.required_kinds = [kind for kind in MilestoneKind.values if kind in required_kinds]
    old, new = changes(before, _audited_rule(row.min_investment, row.required_kinds))
    if not new:
        return row
    row.version += 1
    row.updated_at = clock.now()
    row.save()
    events.reserve_entry_rule_set(row, before=old, after=new, by=by)
    return row


@transaction.atomic
def promotion_gate_set(
    *, jurisdiction: OrgUnit, tier: str, gate_kinds: list[str], expected_version: int | None, by
) -> PromotionGate:
    """Set the milestones to be done before a project moves up into `tier` in the jurisdiction."""
    _require_rules_keeper(by, jurisdiction)
    if tier not in tier_rules.TIER_ORDER[1:]:
        raise ValidationError({"tier": _("Only the rolling and implementation tiers have a promotion gate.")})
    error = _kinds_error(gate_kinds)
    if error:
        raise ValidationError({"gate_kinds": error})
    row = PromotionGate.objects.select_for_update().filter(jurisdiction=jurisdiction, tier=tier).first()
    if row is None:
        row = PromotionGate(
            jurisdiction=jurisdiction, tier=tier, gate_kinds=list(tier_rules.DEFAULT_GATES[tier]), version=0
        )
    check_version(row, expected_version, changed_at=row.updated_at if row.pk else None)
    before = {"gate_kinds": tier_rules.kinds_text(row.gate_kinds)}
    row.gate_kinds = [kind for kind in MilestoneKind.values if kind in gate_kinds]
    old, new = changes(before, {"gate_kinds": tier_rules.kinds_text(row.gate_kinds)})
    if not new:
        return row
    row.version += 1
    row.updated_at = clock.now()
    row.save()
    events.reserve_gate_set(row, before=old, after=new, by=by)
    return row


# --- funding applications (资金申报) -------------------------------------------------------------------------------

FUNDING_FIELDS = ["project", "kind", "year", "amount_requested", "note"]
FUNDING_AUDITED = [
    "status",
    "amount_approved",
    "submitted_on",
    "decided_on",
    "funds_arrived_on",
    "decision_reason",
]
NOTE_MAX = FundingApplication._meta.get_field("note").max_length

FUNDING_WORKFLOW = Workflow(
    audited_fields=FUNDING_AUDITED,
    reason_field="decision_reason",
    steps=[
        Step("funding.submit", (FundingStatus.PREPARING,), FundingStatus.SUBMITTED, gettext_noop("applied")),
        Step("funding.approve", (FundingStatus.SUBMITTED,), FundingStatus.APPROVED, gettext_noop("approved")),
        Step(
            "funding.reject",
            (FundingStatus.SUBMITTED,),
            FundingStatus.REJECTED,
            gettext_noop("marked as not approved"),
            needs_reason=True,
        ),
        Step(
            "funding.arrive",
            (FundingStatus.APPROVED,),
            FundingStatus.FUNDS_ARRIVED,
            gettext_noop("marked as funds arrived"),
        ),
    ],
)


def _require_funding_actor(by, project: Project) -> None:
    if by is None or gateway.is_system_actor(by):
        return
    if not gateway.can_manage_funding(by, project):
        raise PermissionDenied(_("You may not keep the funding applications of this project."))


def _amount_error(value, label) -> str | None:
    if (
        not isinstance(value, Decimal)
        or not value.is_finite()
        or value.as_tuple().exponent < -2
        or not Decimal(0) <= value <= MAX_AMOUNT
    ):
        return _("%(field)s must be an amount from 0 to %(max)s with at most 2 decimals.") % {
            "field": label,
            "max": MAX_AMOUNT,
        }
    return None


def _validate_funding(*, kind: str, year: int, amount_requested: Decimal, note: str) -> dict:
    errors = {}
    if kind not in FundingKind.values:
        errors["kind"] = _("Choose a funding kind from the list.")
    if not isinstance(year, int) or not YEARS[0] <= year <= YEARS[1]:
        errors["year"] = _("The year must be from %(first)s to %(last)s.") % {"first": YEARS[0], "last": YEARS[1]}
    error = _amount_error(amount_requested, _("The amount requested"))
    if error:
        errors["amount_requested"] = error
    if len(note) > NOTE_MAX:
        errors["note"] = _("The note must be at most %(limit)s characters.") % {"limit": NOTE_MAX}
    return errors


@transaction.atomic
def funding_application_create(
    *, project: Project, kind: str, year: int, amount_requested: Decimal, note: str = "", by
) -> FundingApplication:
    """A funding application being prepared (申报准备) for a project of the library, of any tier."""
    _require_funding_actor(by, project)
    note = (note or "").strip()
    errors = _validate_funding(kind=kind, year=year, amount_requested=amount_requested, note=note)
    if errors:
        raise ValidationError(errors)
    now = clock.now()
    application = FundingApplication.objects.create(
        project=project,
        kind=kind,
        year=year,
        amount_requested=amount_requested,
        note=note,
        created_by=by if by is not None and by.pk else None,
        created_at=now,
        updated_at=now,
    )
    events.funding_application_created(
        application, after=snapshot(application, [*FUNDING_FIELDS, "status"]), by=by
    )
    return application


def _locked(application: FundingApplication) -> FundingApplication:
    return FundingApplication.objects.select_for_update().select_related(
        "project__location_unit", "project__lead_unit"
    ).get(pk=application.pk)


def funding_application_update(
    *,
    application: FundingApplication,
    kind: str,
    year: int,
    amount_requested: Decimal,
    note: str = "",
    expected_version: int | None,
    by,
) -> FundingApplication:
    """Change an application while it is being prepared; once applied for, its figures are the decision's."""
    note = (note or "").strip()
    with transaction.atomic():
        application = _locked(application)
        _require_funding_actor(by, application.project)
        check_version(application, expected_version, changed_at=application.updated_at)
        if application.status != FundingStatus.PREPARING:
            raise ValidationError(
                {"status": _("Only an application being prepared can be changed; this one is %(status)s.")
                 % {"status": application.get_status_display()}}
            )
        errors = _validate_funding(kind=kind, year=year, amount_requested=amount_requested, note=note)
        if errors:
            raise ValidationError(errors)
        before = snapshot(application, FUNDING_FIELDS)
        application.kind, application.year, application.note = kind, year, note
        application.amount_requested = amount_requested.quantize(Decimal("0.01"))
        old, new = changes(before, snapshot(application, FUNDING_FIELDS))
        if not new:
            return application
        application.version += 1
        application.updated_at = clock.now()
        application.save(update_fields=["kind", "year", "amount_requested", "note", "version", "updated_at"])
        events.funding_application_changed(application, before=old, after=new, by=by)
    return application


def _date_error(on, *, after: date | None, label) -> str | None:
    if not isinstance(on, date):
        return _("Give the date %(what)s.") % {"what": label}
    if on > clock.today():
        return _("The date %(what)s cannot be after today.") % {"what": label}
    if after is not None and on < after:
        return _("The date %(what)s cannot be before %(date)s.") % {"what": label, "date": after.isoformat()}
    return None


def _funding_step(application, *, action: str, expected_version, by, reason: str = "", values) -> FundingApplication:
    """Take the step: `values(obj)` gives (errors, the fields the step sets), checked before anything is written."""
    with transaction.atomic():
        application = _locked(application)
        _require_funding_actor(by, application.project)
        check_version(application, expected_version, changed_at=application.updated_at)
        if not FUNDING_WORKFLOW.allows(application, action):
            step = FUNDING_WORKFLOW.steps[action]
            raise ValidationError(
                {"status": _("A %(what)s that is %(status)s cannot be %(verb)s.")
                 % {"what": application._meta.verbose_name, "status": application.get_status_display(), "verb": _(step.verb)}}
            )
        errors, fields = values(application)
        if errors:
            raise ValidationError(errors)

        def on_step(obj, step, now, reason):
            for name, value in fields.items():
                setattr(obj, name, value)
            return list(fields)

        return FUNDING_WORKFLOW.run(
            application,
            action=action,
            by=by,
            expected_version=expected_version,
            reason=reason,
            project=application.project,
            on_step=on_step,
        )


def funding_application_submit(
    *, application: FundingApplication, submitted_on: date, expected_version: int | None, by
) -> FundingApplication:
    """Applied for (已申报) on `submitted_on`."""

    def values(obj):
        error = _date_error(submitted_on, after=None, label=_("applied on"))
        return ({"submitted_on": error}, {}) if error else ({}, {"submitted_on": submitted_on})

    return _funding_step(application, action="funding.submit", expected_version=expected_version, by=by, values=values)


def funding_application_approve(
    *,
    application: FundingApplication,
    amount_approved: Decimal,
    decided_on: date,
    expected_version: int | None,
    by,
) -> FundingApplication:
    """Approved (已批复) on `decided_on` for `amount_approved` (万元)."""

    def values(obj):
        errors = {}
        error = _amount_error(amount_approved, _("The amount approved"))
        if error:
            errors["amount_approved"] = error
        error = _date_error(decided_on, after=obj.submitted_on, label=_("decided on"))
        if error:
            errors["decided_on"] = error
        if errors:
            return errors, {}
        return {}, {"amount_approved": amount_approved.quantize(Decimal("0.01")), "decided_on": decided_on}

    return _funding_step(application, action="funding.approve", expected_version=expected_version, by=by, values=values)


def funding_application_reject(
    *, application: FundingApplication, decided_on: date, reason: str, expected_version: int | None, by
) -> FundingApplication:
    """Not approved (未通过) on `decided_on`, with the reason given."""

    def values(obj):
        error = _date_error(decided_on, after=obj.submitted_on, label=_("decided on"))
        return ({"decided_on": error}, {}) if error else ({}, {"decided_on": decided_on})

    return _funding_step(
        application, action="funding.reject", expected_version=expected_version, by=by, reason=reason, values=values
    )


def funding_application_funds_arrived(
    *, application: FundingApplication, arrived_on: date, expected_version: int | None, by
) -> FundingApplication:
    """The approved funds arrived (资金到位) on `arrived_on`."""

    def values(obj):
        error = _date_error(arrived_on, after=obj.decided_on, label=_("funds arrived on"))
        return ({"funds_arrived_on": error}, {}) if error else ({}, {"funds_arrived_on": arrived_on})

    return _funding_step(application, action="funding.arrive", expected_version=expected_version, by=by, values=values)
