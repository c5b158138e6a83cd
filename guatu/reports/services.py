"""Writes to monthly reports: every change goes through here, in a transaction, with its audit event.

Workflow: draft → submitted → approved (locked), or submitted → returned (with a reason) → submitted again.
The city administrator (a role above the reviewer's) may unlock an approved report with a reason, which returns it
to the reporter.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from guatu import clock
from guatu.access import gateway
from guatu.audit import events
from guatu.audit.services import audit_event, audit_records, changes, snapshot
from guatu.audit.workflow import Step, Workflow, check_version
from guatu.lib import bulk
from guatu.lib.money import CENT
from guatu.lib.periods import Period
from guatu.notifications.models import NotificationKind
from guatu.notifications.services import notify
from guatu.projects.models import Project
from guatu.reports import rollups
from guatu.reports.models import MonthlyReport, ReportSource, ReportStatus
from guatu.reports.queries import fillable_projects

# The figures and texts a reporter types in; everything else about a report is workflow.
INPUT_FIELDS = ["amount", "statistical_amount", "physical_progress", "problems", "next_month_plan"]
AUDITED_FIELDS = ["project", "year", "month", *INPUT_FIELDS, "status", "return_reason"]
MAX_AMOUNT = Decimal("999999999999.99")  # 14 digits, 2 decimals: what the column holds
TEXT_FIELDS = ["physical_progress", "problems", "next_month_plan"]
MAX_TEXT = 2000  # characters in each text of a report: a long paragraph, never a pasted document


@dataclass(frozen=True)
class ReportInput:
    amount: Decimal
    statistical_amount: Decimal | None = None
    physical_progress: str = ""
    problems: str = ""
    next_month_plan: str = ""


def _field_label(name: str) -> str:
    return str(MonthlyReport._meta.get_field(name).verbose_name)


def _check_amount(name: str, value: Decimal | None, errors: dict) -> None:
    if value is None:
        if name == "amount":
            errors[name] = _("%(field)s is required.") % {"field": _field_label(name)}
        return
    if not isinstance(value, Decimal) or not value.is_finite():
        errors[name] = _("%(field)s must be a number.") % {"field": _field_label(name)}
    elif value < 0:
        errors[name] = _("%(field)s cannot be negative (you entered %(value)s).") % {
            "field": _field_label(name),
            "value": value,
        }
    elif value.as_tuple().exponent < -2:
        errors[name] = _("%(field)s has at most 2 decimal places, in 10k yuan (you entered %(value)s).") % {
            "field": _field_label(name),
            "value": value,
        }
    elif value > MAX_AMOUNT:
        errors[name] = _("%(field)s is too large (you entered %(value)s).") % {
            "field": _field_label(name),
            "value": value,
        }


def _validate(project: Project, period: Period, data: ReportInput, *, current: Period | None = None) -> None:
    """Refuse figures out of bounds, or a month outside the project's years or not begun yet (`current`: this
    month, when the caller has it already; a workbook checks thousands of rows)."""
    errors: dict[str, str] = {}
    _check_amount("amount", data.amount, errors)
    _check_amount("statistical_amount", data.statistical_amount, errors)
    for name in TEXT_FIELDS:
        if len(getattr(data, name)) > MAX_TEXT:
            errors[name] = _("%(field)s is at most %(limit)s characters long (you entered %(length)s).") % {
                "field": _field_label(name),
                "limit": MAX_TEXT,
                "length": len(getattr(data, name)),
            }
    if not project.start_year <= period.year <= project.end_year:
        errors["period"] = _(
            "Month %(period)s is outside the project's construction years %(start)s-%(end)s."
        ) % {"period": period, "start": project.start_year, "end": project.end_year}
    elif period > (current or Period.of(clock.today())):
        errors["period"] = _("Month %(period)s has not come yet; a report covers a month that has begun.") % {
            "period": period
        }
    if errors:
        raise ValidationError(errors)


def report_input_errors(
    project: Project, period: Period, data: ReportInput, *, current: Period | None = None
) -> dict[str, list[str]]:
    """What is wrong with figures for a project and month, by field, as the services would refuse them; for an
    import that checks every row before it writes any (`current` as for _validate)."""
    try:
        _validate(project, period, data, current=current)
    except ValidationError as error:
        return error.message_dict
    return {}


def _normalized(data: ReportInput) -> ReportInput:
    """Amounts to exactly two places (10 → 10.00), as the column stores them and the audit trail records them."""
    return replace(
        data,
        amount=data.amount.quantize(CENT),
        statistical_amount=None
        if data.statistical_amount is None
        else data.statistical_amount.quantize(CENT),
    )


EDITABLE = (ReportStatus.DRAFT, ReportStatus.RETURNED)


def _locked_report(pk: int) -> MonthlyReport:
    return MonthlyReport.objects.select_for_update().select_related("project").get(pk=pk)


def _require_reporter(by, project: Project) -> None:
    if not gateway.can_fill_reports(by, project):
        raise PermissionDenied(_("You may not fill in reports for this project."))


def _require_reviewer(by, project: Project) -> None:
    if not gateway.can_review(by, project):
        raise PermissionDenied(_("You may not review reports for this project."))


def report_create(
    *, project: Project, period: Period, data: ReportInput, by, source: str = ReportSource.FILLED
) -> MonthlyReport:
    """A new draft report for a project and month; refused if that month already has one. `source` says how
    the figures came in (typed in the form, or an uploaded workbook)."""
    _require_reporter(by, project)
    _validate(project, period, data)
    data = _normalized(data)
    try:
        with transaction.atomic():
            if MonthlyReport.objects.filter(project=project, year=period.year, month=period.month).exists():
                raise IntegrityError("report_once_a_month")
            report = MonthlyReport.objects.create(
                project=project,
                year=period.year,
                month=period.month,
                amount=data.amount,
                statistical_amount=data.statistical_amount,
                physical_progress=data.physical_progress,
                problems=data.problems,
                next_month_plan=data.next_month_plan,
                source=source,
                status=ReportStatus.DRAFT,
                filled_by=by,
                updated_at=clock.now(),
            )
            events.report_created(report, after=snapshot(report, AUDITED_FIELDS), by=by)
    except IntegrityError:
        raise ValidationError(
            {
                "period": _(
                    "%(project)s already has a report for %(period)s. Open that report to change it; "
                    "a month has only one."
                )
                % {"project": project.name, "period": period}
            }
        ) from None
    return report


def report_update(
    *,
    report: MonthlyReport,
    data: ReportInput,
    expected_version: int | None,
    by,
    source: str = ReportSource.FILLED,
) -> MonthlyReport:
    """Save the reporter's figures over a draft or returned report, if nobody saved it since it was read."""
    with transaction.atomic():
        report = _locked_report(report.pk)
        _require_reporter(by, report.project)
        if not report.is_editable:
            raise ValidationError(
                {
                    "status": _(
                        "This report is %(status)s and locked; only a draft or returned report can be changed."
                    )
                    % {"status": report.get_status_display()}
                }
            )
        check_version(report, expected_version, changed_at=report.updated_at)
        _validate(report.project, Period(report.year, report.month), data)
        data = _normalized(data)
        before = snapshot(report, AUDITED_FIELDS)
        for name in INPUT_FIELDS:
            setattr(report, name, getattr(data, name))
        after = snapshot(report, AUDITED_FIELDS)
        old, new = changes(before, after)
        if not new:
            return report
        report.version += 1
        report.updated_at = clock.now()
        report.source = source
        report.save(update_fields=[*INPUT_FIELDS, "source", "version", "updated_at"])
        events.report_changed(report, before=old, after=new, by=by)
    return report


def _step(
    report: MonthlyReport, *, action: str, by, expected_version: int | None, reason: str = ""
) -> MonthlyReport:
    """Lock the report, check the actor through the gateway, then take one step of WORKFLOW."""

    def submitted(report: MonthlyReport, step: Step, now, reason: str) -> list[str]:
        if step.target != ReportStatus.SUBMITTED:
            return []
        report.submitted_at = now
        return ["submitted_at"]

    with transaction.atomic():
        report = _locked_report(report.pk)
        if WORKFLOW.steps[action].review:
            _require_reviewer(by, report.project)
        else:
            _require_reporter(by, report.project)
        report = WORKFLOW.run(
            report,
            action=action,
            by=by,
            expected_version=expected_version,
            reason=reason,
            project=report.project,
            on_step=submitted,
        )
        step = WORKFLOW.steps[action]
        if ReportStatus.APPROVED in (step.target, *step.sources):  # a figure starts or stops counting
            rollups.refresh(report.project_id, report.year)
        return report


WORKFLOW = Workflow(
    audited_fields=AUDITED_FIELDS,
    reviewer_fields=("reviewed_by", "reviewed_at"),
    reason_field="return_reason",
    filler_field="filled_by",
    steps=[
        Step("report.submit", EDITABLE, ReportStatus.SUBMITTED, gettext_noop("submitted")),
        Step(
            "report.return",
            (ReportStatus.SUBMITTED,),
            ReportStatus.RETURNED,
            gettext_noop("returned"),
            True,
            True,
        ),
        Step(
            "report.approve",
            (ReportStatus.SUBMITTED,),
            ReportStatus.APPROVED,
            gettext_noop("approved"),
            review=True,
            four_eyes=True,
        ),
        Step(
            "report.unlock",
            (ReportStatus.APPROVED,),
            ReportStatus.RETURNED,
            gettext_noop("unlocked"),
            True,
            True,
            unlock=True,
        ),
    ],
)


def report_submit(*, report: MonthlyReport, by, expected_version: int | None) -> MonthlyReport:
    return _step(report, action="report.submit", by=by, expected_version=expected_version)


def _tell_reporter(report: MonthlyReport, *, kind: str, title: str, body: str = "") -> None:
    """Whoever filled the report in hears of every review step taken on it, once per step."""
    notify(
        users=[report.filled_by],
        kind=kind,
        title=title % {"project": report.project.name, "period": report.period},
        body=body,
        url=reverse("reports:detail", args=[report.pk]),
        dedupe_key=f"report:{report.pk}:{kind}:{report.version}",
    )


def report_return(*, report: MonthlyReport, reason: str, by, expected_version: int | None) -> MonthlyReport:
    """Send a submitted report back to the reporter; the reason is required and shown to them."""
    with transaction.atomic():
        report = _step(
            report, action="report.return", by=by, expected_version=expected_version, reason=reason
        )
        _tell_reporter(
            report,
            kind=NotificationKind.REPORT_RETURNED,
            title=_("Report returned: %(project)s %(period)s"),
            body=report.return_reason,
        )
    return report


def report_approve(*, report: MonthlyReport, by, expected_version: int | None) -> MonthlyReport:
    """Approve and lock a submitted report: from now on its figures count. The reporter is told."""
    with transaction.atomic():
        report = _step(report, action="report.approve", by=by, expected_version=expected_version)
        _tell_reporter(
            report, kind=NotificationKind.REPORT_APPROVED, title=_("Report approved: %(project)s %(period)s")
        )
    return report


@dataclass(frozen=True)
class BulkOutcome:
    report: MonthlyReport
    approved: bool
    message: str = ""


def report_approve_many(*, selected: list[tuple[MonthlyReport, int]], by) -> list[BulkOutcome]:
    """Approve several submitted reports, each at the version the reviewer saw, one by one through
    `report_approve`: each is checked, locked and audited on its own, so a stale or refused one is reported and
    the others are still approved."""
    outcomes = []
    for report, version in selected:
        try:
            approved = report_approve(report=report, by=by, expected_version=version)
        except (ValidationError, PermissionDenied) as error:
            message = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
            outcomes.append(
                BulkOutcome(report, False, message or _("You may not review reports for this project."))
            )
        else:
            outcomes.append(BulkOutcome(approved, True))
    return outcomes


def report_unlock(*, report: MonthlyReport, reason: str, by, expected_version: int | None) -> MonthlyReport:
    """Reopen an approved report for correction; its figures stop counting until approved again. It goes back
    to the reporter, who is told why, as on a return."""
    with transaction.atomic():
        report = _step(
            report, action="report.unlock", by=by, expected_version=expected_version, reason=reason
        )
        _tell_reporter(
            report,
            kind=NotificationKind.REPORT_RETURNED,
            title=_("Report unlocked for correction: %(project)s %(period)s"),
            body=report.return_reason,
        )
    return report


def report_save(
    *,
    project: Project,
    period: Period,
    data: ReportInput,
    expected_version: int | None,
    by,
    submit: bool = False,
    source: str = ReportSource.FILLED,
) -> MonthlyReport:
    """The reporter's form: create the month's report, or update it at the version it was read at; then, if
    asked, submit it. Save and submit are one step: both happen, or neither.

    A form read before the report existed carries no version: creating is then refused when someone created
    the month's report meanwhile ("already has a report"), rather than overwriting it.
    """
    with transaction.atomic():
        existing = MonthlyReport.objects.filter(project=project, year=period.year, month=period.month).first()
        if existing is None or expected_version is None:
            report = report_create(project=project, period=period, data=data, by=by, source=source)
        else:
            report = report_update(
                report=existing, data=data, expected_version=expected_version, by=by, source=source
            )
        if submit:
            report = report_submit(report=report, by=by, expected_version=report.version)
    return report


@dataclass(frozen=True)
class RowSave:
    """One row of a bulk save: the project's figures, and the version of its month's report when the row was read
    (None: the month had no report then). `read` is that report as the caller read it, when it has it (a
    workbook's import does): under the write lock only its id and version are read again, and the whole report
    only when it changed since. The bulk save sets its fields."""

    project: Project
    data: ReportInput
    expected_version: int | None
    read: MonthlyReport | None = None


def report_save_many(*, unit, period: Period, rows: list[RowSave], by, submit: bool, source: str) -> int:
    """`report_save` for many projects of one unit's month at once (a filled-in workbook): the same checks, the
    same rows and the same audit events as saving each row through `report_save`, in a few statements whatever
    the number of rows. All rows are saved, or none: a row whose report someone created or changed since it
    was read, or locked meanwhile, refuses the whole save. Returns the number of reports written."""
    if not gateway.can_fill_unit_reports(by, unit):
        raise PermissionDenied(_("You may not fill in reports for this project."))
    projects = {row.project.pk: row.project for row in rows}
    ids = list(projects)
    if len(ids) != len(rows):
        raise ValidationError(_("A project appears twice; a project has one report a month."))
    now = clock.now()
    current = Period.of(clock.today())
    for row in rows:
        _validate(row.project, period, row.data, current=current)
    with transaction.atomic():
        fillable = set(fillable_projects(unit).filter(pk__in=ids).values_list("pk", flat=True))
        if fillable != set(ids):
            raise PermissionDenied(_("You may not fill in reports for this project."))
        existing = _locked_month(rows, period)
        created, updated, events = [], [], []
        for row in rows:
            data = _normalized(row.data)
            report = existing.get(row.project.pk)
            if report is None:
                report = MonthlyReport(
                    project=row.project,
                    year=period.year,
                    month=period.month,
                    source=source,
                    status=ReportStatus.DRAFT,
                    filled_by=by,
                    updated_at=now,
                    **{name: getattr(data, name) for name in INPUT_FIELDS},
                )
                created.append(report)
                continue
            if row.expected_version is None:
                raise ValidationError(
                    _(
                        "%(project)s already has a report for %(period)s. Open that report to change it; a month has only one."
                    )
                    % {"project": row.project.name, "period": period}
                )
            if not report.is_editable:
                raise ValidationError(
                    _("This report is %(status)s and locked; only a draft or returned report can be changed.")
                    % {"status": report.get_status_display()}
                )
            _check_row_version(report, row)
            before = snapshot(report, INPUT_FIELDS)  # of AUDITED_FIELDS, only these change here
            for name in INPUT_FIELDS:
                setattr(report, name, getattr(data, name))
            old, new = changes(before, snapshot(report, INPUT_FIELDS))
            if new:
                report.version += 1
                report.updated_at = now
                report.source = source
                events.append(
                    audit_event(
                        actor=by,
                        action="report.update",
                        obj=report,
                        project=row.project,
                        before=old,
                        after=new,
                        at=now,
                    )
                )
                updated.append(report)
            elif submit:
                updated.append(report)
        as_created = [snapshot(report, AUDITED_FIELDS) for report in created]  # the draft each one starts as
        submit_step = WORKFLOW.steps["report.submit"]
        submitted = []
        if submit:
            for report in created + updated:
                before = snapshot(report, WORKFLOW.audited_fields)
                report.status = submit_step.target
                report.submitted_at = now
                report.updated_at = now
                report.version += 1
                submitted.append((report, *changes(before, snapshot(report, WORKFLOW.audited_fields))))
        bulk.insert(created)  # with their primary keys, which the events name
        events.extend(
            audit_event(
                actor=by, action="report.create", obj=report, project=report.project, after=after, at=now
            )
            for report, after in zip(created, as_created, strict=True)
        )
        events.extend(
            audit_event(
                actor=by,
                action=submit_step.action,
                obj=report,
                project=projects[report.project_id],
                before=old,
                after=new,
                at=now,
            )
            for report, old, new in submitted
        )
        # Only the columns this save can change: a status in the SET list would rewrite both of the month's
        # indexes for every row, even where it stays a draft.
        workflow_fields = ["status", "submitted_at"] if submit else []
        bulk.update(updated, [*INPUT_FIELDS, "source", *workflow_fields, "version", "updated_at"])
        audit_records(events)
    return len(created) + len(updated)


def _locked_month(rows: list[RowSave], period: Period) -> dict[int, MonthlyReport]:
    """The month's reports of the rows' projects, by project, locked for the write: the one a row brings as it read
    it when that is still the stored report at the same version (every save raises the version), and read
    afresh otherwise."""
    stored = {
        project_id: (pk, version)
        for project_id, pk, version in MonthlyReport.objects.select_for_update()
        .filter(project_id__in=[row.project.pk for row in rows], year=period.year, month=period.month)
        .order_by()  # the model's order joins the projects, which FOR UPDATE would lock too
        .values_list("project_id", "pk", "version")
    }
    existing = {
        row.project.pk: row.read
        for row in rows
        if row.read is not None and stored.get(row.project.pk) == (row.read.pk, row.read.version)
    }
    unread = [pk for project_id, (pk, _version) in stored.items() if project_id not in existing]
    if unread:
        existing.update(
            (report.project_id, report) for report in MonthlyReport.objects.filter(pk__in=unread).order_by()
        )
    return existing


def _check_row_version(report: MonthlyReport, row: RowSave) -> None:
    # A report deleted and made again since the row read it starts again at version 1: another report.
    expected = row.expected_version if row.read is None or row.read.pk == report.pk else -1
    try:
        check_version(report, expected, changed_at=report.updated_at)
    except ValidationError as error:
        raise ValidationError(
            [
                _("%(project)s: %(message)s") % {"project": row.project.name, "message": message}
                for message in error.messages
            ]
        ) from None


# --- opening figures from an office's dispatch table (调度表): guatu.imports


def opening_check(
    *, project: Project, period: Period, ytd_completed: Decimal
) -> tuple[Decimal, MonthlyReport | None]:
    """What the opening figure for `period` would be: the year-to-date completed investment less the months of
    that year already approved, and the month's report where it has one (approved with that amount already).
    A ValidationError in Chinese when it cannot be taken in: the approved months exceed the year to date, the
    month has an approved report of another amount (it is locked), or a report of it is in progress."""
    _validate(project, period, ReportInput(amount=ytd_completed))
    ytd_completed = ytd_completed.quantize(CENT)
    approved = MonthlyReport.objects.approved().filter(
        project=project, year=period.year, month__lt=period.month
    )
    earlier = sum((r.amount for r in approved.only("amount")), Decimal(0))
    amount = ytd_completed - earlier
    if amount < 0:
        raise ValidationError(
            _(
                "The year-to-date figure %(ytd)s is less than the %(earlier)s already approved for the months "
                "before %(period)s."
            )
            % {"ytd": ytd_completed, "earlier": earlier, "period": period}
        )
    existing = MonthlyReport.objects.filter(project=project, year=period.year, month=period.month).first()
    if existing is not None and existing.status != ReportStatus.APPROVED:
        raise ValidationError(
            _("%(project)s has a report for %(period)s that is %(status)s: finish or delete it first.")
            % {"project": project.name, "period": period, "status": existing.get_status_display()}
        )
    if existing is not None and existing.amount != amount:
        raise ValidationError(
            _(
                "%(period)s is locked: its approved report says %(approved)s, the sheet gives %(amount)s for the "
                "month. Unlock the report first if the sheet is right."
            )
            % {"period": period, "approved": existing.amount, "amount": amount}
        )
    return amount, existing


def report_set_opening(
    *,
    project: Project,
    period: Period,
    ytd_completed: Decimal,
    by,
    physical_progress: str = "",
    problems: str = "",
) -> MonthlyReport:
    """Take a dispatch table's year-to-date completed investment as the project's approved opening figure for
    the month (source: imported opening figure), audited. The month's approved report of the same amount is
    left as it is; anything else `opening_check` refuses."""
    _require_reviewer(by, project)
    with transaction.atomic():
        Project.objects.select_for_update().filter(pk=project.pk).first()
        amount, existing = opening_check(project=project, period=period, ytd_completed=ytd_completed)
        if existing is not None:
            return existing
        now = clock.now()
        report = MonthlyReport.objects.create(
            project=project,
            year=period.year,
            month=period.month,
            amount=amount,
            physical_progress=physical_progress,
            problems=problems,
            status=ReportStatus.APPROVED,
            source=ReportSource.OPENING,
            filled_by=by,
            submitted_at=now,
            reviewed_by=by,
            reviewed_at=now,
            updated_at=now,
        )
        reason = _(
            "Dispatch table: %(ytd)s completed from January to %(period)s, less %(earlier)s already approved "
            "for the months before."
        ) % {
            "ytd": ytd_completed.quantize(CENT),
            "period": period,
            "earlier": ytd_completed.quantize(CENT) - amount,
        }
        events.report_opening_set(
            report, after=snapshot(report, [*AUDITED_FIELDS, "source"]), by=by, reason=reason
        )
        rollups.refresh(project.pk, period.year)
    return report
