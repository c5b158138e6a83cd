"""Writes to a project's schedule: its milestones (推进计划, the 两个前期 approvals among them), its annual plans
with their monthly phasing, and the list of level tags (项目级别).

Each service checks the actor through the gateway, refuses a save that does not carry the version it was read
at, validates its input within the columns' bounds, writes in one transaction and records its audit event
with the fields as `audit.services.snapshot`/`changes` give them, so the project's history reads them with
their Chinese labels.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import PurePath

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from guatu import clock
from guatu.access import gateway
from guatu.audit import events
from guatu.audit.services import changes, snapshot
from guatu.audit.workflow import check_version, require_reason
from guatu.projects.models import MONEY, AnnualPlan, LevelTag, Milestone, MilestoneKind, Project
from guatu.projects.services import TAG_FIELDS, annual_plan_set, level_tag_create
from guatu.web.uploads import DOCUMENT_EXTENSIONS, check_upload, name_room

EARLIEST = date(2000, 1, 1)  # a plausible date for a project step: this century, and not past 2100
LATEST = date(2100, 12, 31)
MAX_ATTACHMENT_MB = 20
MILESTONE_FIELDS = ["kind", "name", "planned_date", "actual_date", "document_no"]
MAX_AMOUNT = Decimal(10) ** (MONEY["max_digits"] - MONEY["decimal_places"])  # the column holds less than this


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied(_("You may not change this project's schedule."))


def _milestone_state(milestone: Milestone) -> dict:
    """The audited fields, the attachment by its file's own name (not the folder it is filed under)."""
    state = snapshot(milestone, MILESTONE_FIELDS)
    state["attachment"] = PurePath(milestone.attachment.name).name if milestone.attachment else ""
    return state


def _check_date(errors: dict, name: str, value: date | None) -> None:
    if value is not None and not EARLIEST <= value <= LATEST:
        errors[name] = _("%(field)s must be a date between 2000 and 2100.") % {
            "field": Milestone._meta.get_field(name).verbose_name
        }


def _check_text(errors: dict, name: str, value: str) -> None:
    limit = Milestone._meta.get_field(name).max_length
    if len(value) > limit:
        errors[name] = _("%(field)s is too long: at most %(limit)s characters.") % {
            "field": Milestone._meta.get_field(name).verbose_name,
            "limit": limit,
        }


def _validate_milestone(
    *, kind: str, name: str, planned_date, actual_date, document_no: str, attachment
) -> None:
    errors: dict = {}
    if kind not in MilestoneKind.values:
        errors["kind"] = _("Pick the kind of step from the list.")
    if not name.strip():
        errors["name"] = _("Give the step a name.")
    _check_text(errors, "name", name)
    _check_text(errors, "document_no", document_no)
    if planned_date is None:
        errors["planned_date"] = _("Give the planned date.")
    _check_date(errors, "planned_date", planned_date)
    _check_date(errors, "actual_date", actual_date)
    if actual_date is not None and "actual_date" not in errors and actual_date > clock.today():
        errors["actual_date"] = _(
            "The actual date %(date)s is in the future: record a step once it is done."
        ) % {"date": actual_date.isoformat()}
    if attachment:
        try:
            check_upload(
                attachment,
                allowed=DOCUMENT_EXTENSIONS,
                max_mb=MAX_ATTACHMENT_MB,
                max_name_length=name_room(Milestone._meta.get_field("attachment")),
            )
        except ValidationError as error:
            errors["attachment"] = error.messages
    if errors:
        raise ValidationError(errors)


def _locked(milestone: Milestone) -> Milestone:
    return Milestone.objects.select_for_update().select_related("project").get(pk=milestone.pk)


# --- milestones ---------------------------------------------------------------------------------------------


@transaction.atomic
def milestone_add(
    *,
    project: Project,
    kind: str,
    name: str,
    planned_date: date,
    actual_date: date | None = None,
    document_no: str = "",
    attachment=None,
    by,
) -> Milestone:
    """A new step at the end of the project's promotion plan."""
    _require(gateway.can_maintain_library(by, project))
    _validate_milestone(
        kind=kind,
        name=name,
        planned_date=planned_date,
        actual_date=actual_date,
        document_no=document_no,
        attachment=attachment,
    )
    last = project.milestones.aggregate(last=Max("position"))["last"] or 0
    milestone = Milestone(
        project=project,
        kind=kind,
        name=name.strip(),
        planned_date=planned_date,
        actual_date=actual_date,
        document_no=document_no.strip(),
        position=last + 1,
    )
    if attachment:
        milestone.attachment = attachment
    milestone.save()
    events.milestone_added(milestone, after=_milestone_state(milestone), by=by)
    return milestone


@transaction.atomic
def milestone_update(
    *,
    milestone: Milestone,
    kind: str,
    name: str,
    planned_date: date,
    actual_date: date | None,
    document_no: str,
    attachment=None,
    expected_version: int | None,
    by,
) -> Milestone:
    """Edit a step; `attachment` replaces the stored file when given and keeps it when None."""
    milestone = _locked(milestone)
    _require(gateway.can_maintain_library(by, milestone.project))
    check_version(milestone, expected_version)
    _validate_milestone(
        kind=kind,
        name=name,
        planned_date=planned_date,
        actual_date=actual_date,
        document_no=document_no,
        attachment=attachment,
    )
    before = _milestone_state(milestone)
    milestone.kind, milestone.name, milestone.planned_date = kind, name.strip(), planned_date
    milestone.actual_date, milestone.document_no = actual_date, document_no.strip()
    if attachment:
        milestone.attachment = attachment
    milestone.version += 1
    milestone.save()
    before, after = changes(before, _milestone_state(milestone))
    events.milestone_changed(milestone, before=before, after=after, by=by)
    return milestone


@transaction.atomic
def milestone_complete(
    *,
    milestone: Milestone,
    actual_date: date,
    document_no: str,
    attachment=None,
    expected_version: int | None,
    by,
) -> Milestone:
    """Mark a step done (办结): the actual date and the document that records it (批复文号); a scan optional."""
    milestone = _locked(milestone)
    _require(gateway.can_maintain_library(by, milestone.project))
    check_version(milestone, expected_version)
    if milestone.actual_date is not None:
        raise ValidationError(
            _("This step was already marked done on %(date)s; edit it to correct the date.")
            % {"date": milestone.actual_date.isoformat()}
        )
    errors = {}
    if actual_date is None:
        errors["actual_date"] = _("Give the date the step was done.")
    if not (document_no or "").strip():
        errors["document_no"] = _("Give the document number that records the step (批复文号).")
    if errors:
        raise ValidationError(errors)
    _validate_milestone(
        kind=milestone.kind,
        name=milestone.name,
        planned_date=milestone.planned_date,
        actual_date=actual_date,
        document_no=document_no,
        attachment=attachment,
    )
    before = _milestone_state(milestone)
    milestone.actual_date, milestone.document_no = actual_date, document_no.strip()
    if attachment:
        milestone.attachment = attachment
    milestone.version += 1
    milestone.save()
    before, after = changes(before, _milestone_state(milestone))
    events.milestone_completed(milestone, before=before, after=after, by=by)
    return milestone


@transaction.atomic
def milestone_delete(*, milestone: Milestone, reason: str, expected_version: int | None, by) -> None:
    """Remove a step that is not done yet, with the reason; a done step is part of the record and stays."""
    milestone = _locked(milestone)
    _require(gateway.can_maintain_library(by, milestone.project))
    check_version(milestone, expected_version)
    reason = require_reason(reason)
    if milestone.actual_date is not None:
        raise ValidationError(_("A step that is done cannot be deleted: it is part of the project's record."))
    events.milestone_deleted(milestone, before=_milestone_state(milestone), reason=reason, by=by)
    milestone.delete()


# --- annual plans -------------------------------------------------------------------------------------------


def _check_amount(errors: dict, name: str, value: Decimal, label: str) -> None:
    if not value.is_finite() or value < 0 or value >= MAX_AMOUNT or value.as_tuple().exponent < -2:
        errors[name] = _("%(field)s must be an amount from 0 to 999999999999.99 with at most 2 decimals.") % {
            "field": label
        }


@transaction.atomic
def annual_plan_save(
    *,
    project: Project,
    year: int,
    amount: Decimal,
    months: dict[int, Decimal] | None = None,
    expected_version: int | None,
    by,
) -> AnnualPlan:
    """Set the year's plan, phased by month or not (`annual_plan_set` checks the months add up to the year).

    `expected_version` is the plan's version as read, or 0 for a year that had no plan when the form opened:
    a plan someone else created or changed since is not overwritten."""
    _require(gateway.can_maintain_library(by, project))
    errors: dict = {}
    _check_amount(errors, "amount", amount, _("Annual plan"))
    for month, value in (months or {}).items():
        _check_amount(errors, f"month_{month}", value, _("Month %(month)s") % {"month": month})
    if errors:
        raise ValidationError(errors)
    plan = AnnualPlan.objects.select_for_update().filter(project=project, year=year).first()
    if plan is not None:
        check_version(plan, expected_version)
    elif expected_version != 0:
        raise ValidationError(
            {
                "version": _("The plan for %(year)s was removed after you opened it. Reload the page.")
                % {"year": year}
            }
            if expected_version
            else {
                "version": _(
                    "This save did not say which version of the plan it was made on. Reload the page."
                )
            }
        )
    return annual_plan_set(project=project, year=year, amount=amount, months=months or None, by=by)


# --- level tags ---------------------------------------------------------------------------------------------


def _validate_tag(*, name: str, bulletin_label: str, sort_order: int) -> None:
    errors = {}
    for field, value in (("name", name), ("bulletin_label", bulletin_label)):
        limit = LevelTag._meta.get_field(field).max_length
        if not value.strip():
            errors[field] = _("%(field)s is required.") % {
                "field": LevelTag._meta.get_field(field).verbose_name
            }
        elif len(value) > limit:
            errors[field] = _("%(field)s is too long: at most %(limit)s characters.") % {
                "field": LevelTag._meta.get_field(field).verbose_name,
                "limit": limit,
            }
    if not 0 <= sort_order <= 32767:
        errors["sort_order"] = _("The sort order is a number from 0 to 32767.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def level_tag_add(
    *, code: str, name: str, bulletin_label: str, sort_order: int = 0, in_bulletin: bool = True, by
) -> LevelTag:
    """A new key-project list, by the city administrator (`services.level_tag_create` writes it)."""
    _require(gateway.can_manage_tags(by))
    _validate_tag(name=name, bulletin_label=bulletin_label, sort_order=sort_order)
    return level_tag_create(
        code=code,
        name=name.strip(),
        bulletin_label=bulletin_label.strip(),
        sort_order=sort_order,
        in_bulletin=in_bulletin,
        by=by,
    )


@transaction.atomic
def level_tag_update(
    *,
    tag: LevelTag,
    name: str,
    bulletin_label: str,
    sort_order: int,
    in_bulletin: bool,
    expected_version: int | None,
    by,
) -> LevelTag:
    """Rename a list, change how bulletins name it, its order, or whether the bulletin sentence includes it.
    The code stays: imports and the command line name lists by it."""
    _require(gateway.can_manage_tags(by))
    tag = LevelTag.objects.select_for_update().get(pk=tag.pk)
    check_version(tag, expected_version)
    _validate_tag(name=name, bulletin_label=bulletin_label, sort_order=sort_order)
    before = snapshot(tag, TAG_FIELDS)
    tag.name, tag.bulletin_label = name.strip(), bulletin_label.strip()
    tag.sort_order, tag.in_bulletin = sort_order, in_bulletin
    tag.version += 1
    tag.save(update_fields=["name", "bulletin_label", "sort_order", "in_bulletin", "version"])
    before, after = changes(before, snapshot(tag, TAG_FIELDS))
    events.level_tag_changed(tag, before=before, after=after, by=by)
    return tag


@transaction.atomic
def level_tag_delete(*, tag: LevelTag, expected_version: int | None, by) -> None:
    """Remove a list no project carries; a list in use stays (its projects' summaries and bulletins name it)."""
    _require(gateway.can_manage_tags(by))
    tag = LevelTag.objects.select_for_update().get(pk=tag.pk)
    check_version(tag, expected_version)
    in_use = tag.projects.count()
    if in_use:
        raise ValidationError(
            _("%(name)s is on %(count)s projects and cannot be deleted; take it off them first.")
            % {"name": tag.name, "count": in_use}
        )
    events.level_tag_deleted(tag, before=snapshot(tag, TAG_FIELDS), by=by)
    tag.delete()
