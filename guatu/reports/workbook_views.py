"""The monthly report workbook pages: download a unit's template for a month, upload it filled in."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.encoding import escape_uri_path

from guatu.access import gateway
from guatu.lib.periods import Period, PeriodError
from guatu.reports import workbook
from guatu.reports.forms import WorkbookUploadForm
from guatu.reports.views import month_label

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _unit_and_period(request, unit_pk: int, period: str):
    try:
        period = Period.parse(period)
    except PeriodError:
        raise Http404("bad period") from None
    unit = gateway.get_visible_unit(request.user, unit_pk)
    if not gateway.can_fill_unit_reports(request.user, unit):
        raise PermissionDenied
    return unit, period


@login_required
def workbook_template(request, unit_pk: int, period: str):
    """The unit's template for the month, pre-filled with its projects and the month's reports so far."""
    unit, period = _unit_and_period(request, unit_pk, period)
    response = HttpResponse(workbook.build_template(unit, period), content_type=XLSX)
    name = escape_uri_path(workbook.template_filename(unit, period))
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{name}"
    return response


@login_required
def workbook_upload(request, unit_pk: int, period: str):
    """Check (dry run) or import a filled-in template; every problem is listed, and nothing is written unless
    every row is right."""
    unit, period = _unit_and_period(request, unit_pk, period)
    posted = request.method == "POST"
    form = WorkbookUploadForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        max_bytes=settings.GUATU_IMPORT_MAX_BYTES,
    )
    result, problems = None, []
    if posted and not form.is_valid():
        problems = [error for errors in form.errors.values() for error in errors]
    elif posted:
        upload = form.cleaned_data["file"]
        try:
            result = workbook.reports_import_workbook(
                unit=unit,
                period=period,
                data=upload.read(),
                name=upload.name,
                by=request.user,
                submit=form.cleaned_data["submit_reports"],
                dry_run="dry_run" in request.POST,
            )
        except ValidationError as error:
            problems = error.messages
    status = 400 if problems else 200
    return render(
        request,
        "reports/workbook_upload.html",
        {
            "unit": unit,
            "period": period,
            "month_label": month_label(period),
            "form": form,
            "problems": problems,
            "result": result,
        },
        status=status,
    )
