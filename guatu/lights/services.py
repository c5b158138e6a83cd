"""Computing the lights: gather each project's facts for a period in a fixed number of queries, evaluate the
rules (guatu.lib.lights) with the previous period's light as memory, and store the result."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import yaml
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guatu import clock
from guatu.access import gateway
from guatu.access.gateway import jurisdiction
from guatu.audit import events
from guatu.lib import safe_yaml
from guatu.lib.lights import (
    Light,
    LightState,
    ProjectFacts,
    Reason,
    RuleError,
    RuleSet,
    closing_day,
    evaluate,
    latest_month_due,
)
from guatu.lib.periods import Period
from guatu.lib.projection import Projection
from guatu.lights.models import ProjectLight, RuleSetting
from guatu.lights.queries import gather_facts
from guatu.orgs.models import OrgUnit
from guatu.projects.models import AnnualPlan, Project


def rules_for(unit: OrgUnit) -> RuleSet:
    setting = RuleSetting.objects.filter(unit=jurisdiction(unit)).first()
    return RuleSet.from_dict(setting.rules) if setting else RuleSet()


def default_period(unit: OrgUnit | None) -> Period:
    """The month every page, list, export and API opens on when none is chosen, for `unit`'s jurisdiction:
    the month its city administrator set, else the latest month whose reporting deadline has passed
    (lib.lights.latest_month_due, the deadline the lights and the assessment's reports_on_time use).
    Never the month of the latest approved report: one early approval would show a month still being
    reported as if it were complete. One or two queries."""
    setting = RuleSetting.objects.filter(unit=jurisdiction(unit)).first() if unit is not None else None
    if setting and setting.default_period:
        return Period.parse(setting.default_period)
    rules = RuleSet.from_dict(setting.rules) if setting else RuleSet()
    return latest_month_due(clock.today(), rules)


def _check_rules_unit(unit: OrgUnit, by) -> None:
    allowed = gateway.rules_unit(by) if by is not None else None
    if by is not None and (allowed is None or not jurisdiction(unit).is_within(allowed)):
        raise PermissionDenied(_("Only the city administrator sets the warning rules."))


@transaction.atomic
def default_period_set(*, unit: OrgUnit, period: Period | None, by) -> RuleSetting:
    """Set the month `unit`'s jurisdiction opens on (None: back to the latest month whose deadline has
    passed). A month after the current one is refused: it has no reports yet."""
    _check_rules_unit(unit, by)
    if period is not None and period > Period.of(clock.today()):
        raise ValidationError(
            {
                "default_period": _("The month pages open on cannot be after this month (%(month)s).")
                % {"month": Period.of(clock.today())}
            }
        )
    unit = jurisdiction(unit)
    text = str(period) if period else ""
    setting, created = RuleSetting.objects.select_for_update().get_or_create(
        unit=unit, defaults={"default_period": text, "updated_at": clock.now(), "updated_by": by}
    )
    before = {} if created else {"default_period": setting.default_period}
    if not created:
        if setting.default_period == text:
            return setting
        setting.default_period = text
        setting.updated_at = clock.now()
        setting.updated_by = by
        setting.save(update_fields=["default_period", "updated_at", "updated_by"])
    events.default_period_set(setting, before=before, after={"default_period": text}, by=by)
    return setting


@transaction.atomic
def rules_set(*, unit: OrgUnit, rules: dict, by) -> RuleSetting:
    """Replace a jurisdiction's warning rules; refused with the reason if any setting is invalid."""
    _check_rules_unit(unit, by)
    try:
        RuleSet.from_dict(rules)
    except RuleError as exc:
        raise ValidationError({"rules": _("Invalid warning rules: %(error)s") % {"error": exc}}) from None
    unit = jurisdiction(unit)
    setting, created = RuleSetting.objects.select_for_update().get_or_create(
        unit=unit, defaults={"rules": rules, "updated_at": clock.now(), "updated_by": by}
    )
    before = {} if created else dict(setting.rules)
    if not created:
        setting.rules = rules
        setting.updated_at = clock.now()
        setting.updated_by = by
        setting.save(update_fields=["rules", "updated_at", "updated_by"])
    events.rules_set(setting, before=before, after=rules, by=by)
    return setting


def rules_from_yaml(text: str) -> dict:
    """The `rules:` mapping of a rules file (docs/lights.md), checked."""
    try:
        data = safe_yaml.load(text) or {}
    except yaml.YAMLError as exc:  # safe_yaml's refusals too (anchors, aliases, size), with the line
        raise ValidationError(
            {"rules": _("The file is not valid YAML: %(error)s") % {"error": exc}}
        ) from None
    rules = data.get("rules", data) if isinstance(data, dict) else None
    if not isinstance(rules, dict):
        raise ValidationError({"rules": _("The file must hold a mapping of rule settings under `rules:`.")})
    try:
        RuleSet.from_dict(rules)
    except RuleError as exc:
        raise ValidationError({"rules": _("Invalid warning rules: %(error)s") % {"error": exc}}) from None
    return rules


def _state_of(light: ProjectLight | None) -> LightState | None:
    if light is None:
        return None
    return LightState(
        light=Light.from_code(light.light),
        raw_light=Light.from_code(light.raw_light),
        green_streak=light.green_streak,
        reasons=(),
    )


def _reason_json(reason: Reason) -> dict:
    return {"rule": reason.rule, "light": reason.light.code, **reason.detail}


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def facts_json(facts: ProjectFacts, projection: Projection, rules: RuleSet, at: datetime) -> dict:
    """What a light was computed from, stored with it: a closed month's light can be read, and explained,
    exactly as it was decided (exact decimal strings, ISO dates)."""
    done = facts.progress
    return {
        "as_of": at.isoformat(),
        "ytd_completed": _text(done.ytd_completed),
        "annual_plan": _text(done.annual_plan),
        "planned_to_date": _text(done.planned_to_date),
        "time_progress": _text(done.time_progress),
        "planned_progress": _text(done.planned_progress),
        "completion_rate": _text(done.completion_rate),
        "behind_points": _text(done.behind_points),
        "planned_start": _text(facts.planned_start),
        "actual_start": _text(facts.actual_start),
        "started": facts.started,
        "overdue_milestones": [[name, _text(planned)] for name, planned in facts.overdue_milestones],
        "report_due_missing": facts.report_due_missing,
        "monthly_amounts": [_text(amount) for amount in facts.monthly_amounts],
        "projection": {
            "basis": projection.basis,
            "share_to_date": _text(projection.share_to_date),
            "years_used": list(projection.years_used),
            "partial_years": list(projection.partial_years),
        },
        "rules": {name: _text(getattr(rules, name)) for name in rules.__dataclass_fields__},
    }


def lights_compute(*, unit: OrgUnit, period: Period, at: datetime | None = None) -> int:
    """Compute and store the lights of every counted project of `unit` with a plan in the period's year;
    returns how many projects have a light for the period.

    Closed lights are frozen: a light computed after the month closed (lib.lights.closing_day) is kept with
    the facts it used and never computed again; the others are replaced. Memory comes from the stored
    previous period, so compute months in order (lights_compute_year does).
    """
    at = at or clock.now()
    rules = rules_for(unit)
    project_ids = list(
        AnnualPlan.objects.filter(
            year=period.year, project__in=Project.objects.in_unit(unit).counted().values("pk")
        )
        .values_list("project_id", flat=True)
        .distinct()
    )
    frozen = set(
        ProjectLight.objects.filter(
            project_id__in=project_ids, year=period.year, month=period.month, closed=True
        ).values_list("project_id", flat=True)
    )
    open_ids = [pid for pid in project_ids if pid not in frozen]
    facts = gather_facts(open_ids, period, rules, at)
    previous_period = period.previous()
    previous = {
        light.project_id: light
        for light in ProjectLight.objects.filter(
            project_id__in=open_ids, year=previous_period.year, month=previous_period.month
        )
    }
    closed = timezone.localtime(at).date() > closing_day(period.year, period.month, rules)
    now = clock.now()
    rows = []
    for pid in open_ids:
        state = evaluate(facts[pid]["facts"], rules, _state_of(previous.get(pid)))
        projection = facts[pid]["projection"]
        rows.append(
            ProjectLight(
                project_id=pid,
                year=period.year,
                month=period.month,
                light=state.light.code,
                raw_light=state.raw_light.code,
                green_streak=state.green_streak,
                reasons=[_reason_json(r) for r in state.reasons],
                projected_year_end=projection.year_end,
                projection_basis=projection.basis,
                projected_below_plan=projection.below_plan,
                projection_short_history=projection.short_history,
                facts=facts_json(facts[pid]["facts"], projection, rules, at),
                closed=closed,
                computed_at=now,
            )
        )
    with transaction.atomic():
        ProjectLight.objects.filter(project_id__in=open_ids, year=period.year, month=period.month).delete()
        ProjectLight.objects.bulk_create(rows, batch_size=1000)
    return len(rows) + len(frozen)


def lights_compute_year(*, unit: OrgUnit, period: Period, at: datetime | None = None) -> int:
    """January to `period`, in order, so that each month's memory is the month before. Closed months keep
    their lights; only the open ones are computed again."""
    count = 0
    for month in range(1, period.month + 1):
        count = lights_compute(unit=unit, period=Period(period.year, month), at=at)
    return count
