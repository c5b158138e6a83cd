"""Monthly-report pages: the reporter's form, a report's page with its workflow actions, the review queue.

Every view: rows through the access gateway → form → service → redirect with a message.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import OuterRef, Subquery
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from guatu import clock
from guatu.access import gateway
from guatu.audit.history import history_rows
from guatu.audit.models import AuditEvent
from guatu.audit.queries import history_of
from guatu.lib.money import percent_text
from guatu.lib.periods import Period, PeriodError
from guatu.lib.progress import Progress
from guatu.projects.models import Project
from guatu.projects.queries import progress_by_project
from guatu.reports import queries, services
from guatu.reports.forms import ActionForm, BulkApproveForm, QueueFilterForm, ReasonForm, ReportForm
from guatu.reports.models import MonthlyReport, ReportStatus
from guatu.web.forms import add_service_errors, safe_next, top_errors
from guatu.web.tables import row_url

ZERO = Decimal("0")
QUEUE_PAGE_SIZE = 50  # a province's queue holds thousands of reports

# On the report's own page the action needs no object ("报送", not "报送月报").
EVENT_LABELS = {
    "report.create": pgettext_lazy("report history", "Created"),
    "report.update": pgettext_lazy("report history", "Changed"),
    "report.submit": pgettext_lazy("report history", "Submitted"),
    "report.return": pgettext_lazy("report history", "Returned"),
    "report.approve": pgettext_lazy("report history", "Approved"),
    "report.unlock": pgettext_lazy("report history", "Unlocked"),
}
# The report's page names the report once: its history needs neither the project nor which report it is.
_HISTORY_HIDES = {"project"}


# ---------------------------------------------------------------------------------------------- reads


def _figures(project: Project, period: Period, amount: Decimal | None) -> dict:
    """The annual plan, what approved reports add up to before this month, and the YTD with `amount`
    (guatu.projects.queries.progress_by_project: the same year to date as the summary and the lights)."""
    before = progress_by_project([project.pk], period, leave_out_month=True).get(project.pk)
    before = before or Progress(month=period.month)
    after = before.with_amount(amount or ZERO)
    return {
        "annual_plan": before.annual_plan,
        "ytd_before": before.ytd_completed,
        "ytd_after": after.ytd_completed,
        "rate_after": percent_text(after.completion_rate) if before.annual_plan else None,
    }


def _last_actor(events, action: str):
    matching = [event for event in events if event.action == action]
    return matching[-1].actor if matching else None


def _lock_reason(report: MonthlyReport) -> str:
    if report.status == ReportStatus.APPROVED:
        return _(
            "Approved by %(reviewer)s on %(time)s: its figures are locked and count in the totals. "
            "To correct it, ask a reviewer to unlock it with a reason."
        ) % {
            "reviewer": report.reviewed_by.display_name if report.reviewed_by else "—",
            "time": _when(report.reviewed_at),
        }
    return _(
        "Submitted on %(time)s and waiting for review: it can be changed again only if the reviewer returns it."
    ) % {"time": _when(report.submitted_at)}


def month_label(period: Period) -> str:
    return _("%(month)s/%(year)s") % {"year": period.year, "month": period.month}


def _when(moment) -> str:
    return date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT") if moment else "—"


# ------------------------------------------------------------------------------------------- helpers


# ---------------------------------------------------------------------------------------- report form


@login_required
def report_edit(request, project_pk: int, period: str):
    """Create the report for a project and month, or edit the existing one; approved reports are read-only."""
    try:
        period = Period.parse(period)
    except PeriodError:
        raise Http404("bad period") from None
    project = gateway.get_visible_project(request.user, project_pk)
    if not gateway.can_fill_reports(request.user, project):
        raise PermissionDenied
    report = _report_of_month(request.user, project, period)

    if request.method == "POST":
        form = ReportForm(request.POST)
        if form.is_valid():
            try:
                saved = services.report_save(
                    project=project,
                    period=period,
                    data=form.report_input(),
                    expected_version=form.cleaned_data["version"],
                    by=request.user,
                    submit="submit" in request.POST,
                )
            except ValidationError as error:
                add_service_errors(form, error)
                report = _report_of_month(request.user, project, period)
            else:
                if saved.status == ReportStatus.SUBMITTED:
                    messages.success(request, _("Report saved and submitted for review."))
                else:
                    messages.success(request, _("Report saved as a draft. Submit it when it is complete."))
                return redirect("reports:detail", pk=saved.pk)
    else:
        form = ReportForm(initial=_initial(report))

    read_only = report is not None and not report.is_editable and not form.is_bound
    amount = form.cleaned_data.get("amount") if form.is_bound else (report.amount if report else None)
    return render(
        request,
        "reports/report_form.html",
        {
            "project": project,
            "period": period,
            "month_label": month_label(period),
            "report": report,
            "form": form,
            "form_errors": top_errors(form),
            "read_only": read_only,
            "lock_reason": _lock_reason(report) if read_only else "",
            **_figures(project, period, amount),
        },
    )


def _report_of_month(user, project: Project, period: Period) -> MonthlyReport | None:
    return (
        gateway.visible_reports(user)
        .filter(project=project, year=period.year, month=period.month)
        .select_related("filled_by", "reviewed_by")
        .first()
    )


def _initial(report: MonthlyReport | None) -> dict:
    if report is None:
        return {}
    return {name: getattr(report, name) for name in services.INPUT_FIELDS} | {"version": report.version}


# -------------------------------------------------------------------------------------- report detail


@login_required
def report_detail(request, pk: int):
    report = gateway.get_visible_report(request.user, pk)
    return _render_detail(request, report)


def _render_detail(request, report: MonthlyReport, *, failed: str = "", failed_form=None):
    user = request.user
    project = report.project
    period = Period(report.year, report.month)
    events = list(history_of(report))
    can_fill = gateway.can_fill_reports(user, project)
    can_review = gateway.can_review(user, project)

    def form_for(action: str, form_class, **kwargs):
        if failed == action:
            return failed_form
        return form_class(initial={"version": report.version}, **kwargs)

    status = report.status
    return render(
        request,
        "reports/report_detail.html",
        {
            "report": report,
            "project": project,
            "period": period,
            "month_label": month_label(period),
            "history": history_rows(events, hide=_HISTORY_HIDES, action_labels=EVENT_LABELS),
            "submitted_by": _last_actor(events, "report.submit"),
            "can_edit": can_fill and report.is_editable,
            "can_submit": can_fill and report.is_editable,
            "can_return": can_review and status == ReportStatus.SUBMITTED,
            "can_approve": can_review and status == ReportStatus.SUBMITTED,
            "can_unlock": can_review and status == ReportStatus.APPROVED and gateway.can_unlock(request.user),
            "can_raise_problem": (can_fill or can_review) and gateway.may_raise_problems(user),
            "submit_form": form_for("submit", ActionForm),
            "approve_form": form_for("approve", ActionForm),
            "return_form": form_for("return", ReasonForm),
            "unlock_form": form_for("unlock", ReasonForm),
            "action_errors": top_errors(failed_form),
            **_figures(project, period, report.amount),
        },
    )


# ------------------------------------------------------------------------------------ workflow actions


def _act(request, pk: int, *, action: str, reviewer: bool, reason_for: str = ""):
    report = gateway.get_visible_report(request.user, pk)
    allowed = gateway.can_review if reviewer else gateway.can_fill_reports
    if not allowed(request.user, report.project) or (
        action == "unlock" and not gateway.can_unlock(request.user)
    ):
        raise PermissionDenied
    form = ReasonForm(request.POST, what=reason_for) if reason_for else ActionForm(request.POST)
    if form.is_valid():
        service, success = ACTIONS[action]
        extra = {"reason": form.cleaned_data["reason"]} if reason_for else {}
        try:
            service(report=report, by=request.user, expected_version=form.cleaned_data["version"], **extra)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, success)
            next_url = safe_next(request, form.cleaned_data["next"])
            return redirect(next_url or reverse("reports:detail", args=[report.pk]))
    report = gateway.get_visible_report(request.user, pk)
    return _render_detail(request, report, failed=action, failed_form=form)


ACTIONS = {
    "submit": (services.report_submit, gettext_lazy("Report submitted for review.")),
    "return": (services.report_return, gettext_lazy("Report returned to the reporter with your reason.")),
    "approve": (
        services.report_approve,
        gettext_lazy("Report approved: its figures are locked and now count."),
    ),
    "unlock": (
        services.report_unlock,
        gettext_lazy("Report unlocked and returned to the reporter for correction."),
    ),
}


@login_required
@require_POST
def report_submit_view(request, pk: int):
    return _act(request, pk, action="submit", reviewer=False)


@login_required
@require_POST
def report_return_view(request, pk: int):
    return _act(request, pk, action="return", reviewer=True, reason_for=_("returning the report"))


@login_required
@require_POST
def report_approve_view(request, pk: int):
    return _act(request, pk, action="approve", reviewer=True)


@login_required
@require_POST
def report_unlock_view(request, pk: int):
    return _act(request, pk, action="unlock", reviewer=True, reason_for=_("unlocking the report"))


# --------------------------------------------------------------------------------------- review queue


@login_required
def review_queue(request):
    """Submitted reports in the reviewer's scope, oldest first. A fixed number of queries at any length."""
    user = request.user
    if not gateway.is_reviewer(user):
        raise PermissionDenied
    form = QueueFilterForm(request.GET or None, user=user)
    reports, projects, period, unit = queue_reports(user, form)
    progress = queries.review_progress(projects, period or queries.reporting_month(clock.today()))
    page = Paginator(reports, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    reports = with_submitters(list(page))
    detail, approve = row_url("reports:detail"), row_url("reports:approve")
    for report in reports:
        report.url, report.approve_url = detail(report.pk), approve(report.pk)
    return render(
        request,
        "reports/review_queue.html",
        {
            "form": form,
            "reports": reports,
            "page": page,
            "here": request.get_full_path(),
            "progress": progress,
            "progress_month": month_label(progress.period),
            "bulk_max": BulkApproveForm.MAX,
        },
    )


def queue_reports(user, form: QueueFilterForm):
    """The queue's reports (oldest first, each with the id of whoever last submitted it), the projects the
    month's figure covers, and the month and unit chosen (page and export)."""
    last_submitter = (
        AuditEvent.objects.filter(
            object_type="monthlyreport", object_id=OuterRef("pk"), action="report.submit"
        )
        .order_by("-at", "-id")
        .values("actor")[:1]
    )
    reports = (
        gateway.visible_reports(user)
        .awaiting_review()
        .select_related("project__location_unit", "project__lead_unit", "filled_by")
        .annotate(submitted_by_id=Subquery(last_submitter))
        .order_by("submitted_at", "pk")
    )
    projects = gateway.visible_projects(user)
    period = unit = None
    if form.is_bound and form.is_valid():
        period, unit = form.cleaned_data["period"], form.cleaned_data["unit"]
        if period:
            reports = reports.filter(year=period.year, month=period.month)
        if unit:
            reports = reports.filter(project__in=Project.objects.in_unit(unit).values("pk"))
            projects = projects.in_unit(unit)
    return reports, projects, period, unit


def with_submitters(reports: list) -> list:
    """Each report with `submitted_by`, in one query for the lot."""
    submitters = get_user_model().objects.in_bulk({r.submitted_by_id for r in reports if r.submitted_by_id})
    for report in reports:
        # an imported report has no submit event: whoever filled it in sent it
        report.submitted_by = submitters.get(report.submitted_by_id) or report.filled_by
    return reports


@login_required
@require_POST
def review_queue_approve(request):
    """Approve the reports ticked on the queue, each one by one at the version shown (report_approve_many)."""
    if not gateway.is_reviewer(request.user):
        raise PermissionDenied
    form = BulkApproveForm(request.POST)
    next_url = safe_next(request, request.POST.get("next", "")) or reverse("reports:review_queue")
    if not form.is_valid():
        for error in form.non_field_errors():
            messages.error(request, error)
        return redirect(next_url)
    versions = form.cleaned_data["selected"]
    visible = gateway.visible_reports(request.user).select_related("project").in_bulk(versions)
    outcomes = services.report_approve_many(
        selected=[(visible[pk], versions[pk]) for pk in versions if pk in visible], by=request.user
    )
    approved = [outcome for outcome in outcomes if outcome.approved]
    if approved:
        messages.success(request, _("%(count)s reports approved.") % {"count": len(approved)})
    for outcome in outcomes:
        if not outcome.approved:
            messages.error(
                request,
                _("%(project)s %(period)s was not approved: %(reason)s")
                % {
                    "project": outcome.report.project.name,
                    "period": outcome.report.period,
                    "reason": outcome.message,
                },
            )
    missing = len(versions) - len(visible)
    if missing:
        messages.error(request, _("%(count)s of the selected reports were not found.") % {"count": missing})
    return redirect(next_url)


# ------------------------------------------------------------------------------------------ reports due


@login_required
def reports_due(request):
    """The reporter's list: their unit's projects without a submitted or approved report for the month whose
    reports fall due now, with the deadline. A fixed number of queries at any length."""
    user = request.user
    unit = gateway.scope_unit(user)
    if unit is None or not gateway.can_fill_unit_reports(user, unit):
        raise PermissionDenied
    today = clock.today()
    due = queries.reports_due(unit, queries.reporting_month(today))
    return render(
        request,
        "reports/due.html",
        {
            "unit": unit,
            "due": due,
            "month_label": month_label(due.period),
            "overdue": due.overdue(today),
        },
    )
