"""The bulletin as a background job (guatu.jobs): `job.params` = {"period": "2022-03", "quarterly": false,
"format": "docx"}, for `job.unit`, asked for by `job.requested_by`."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guatu.access import gateway
from guatu.bulletins.build import FORMATS, build_bulletin
from guatu.bulletins.pdf import ConversionError
from guatu.jobs.registry import JobError, JobOutput, job_kind
from guatu.lib.periods import Period, PeriodError


def bulletin_params(*, period: Period, quarterly: bool, fmt: str) -> dict:
    return {"period": str(period), "quarterly": bool(quarterly), "format": fmt}


@job_kind("bulletin", label=gettext_lazy("Progress bulletin"), whole_unit=True)
def build(job, progress) -> JobOutput:
    params = job.params or {}
    try:
        period = Period.parse(str(params.get("period", "")))
    except PeriodError:
        raise JobError(_("The bulletin's month is not a month (YYYY-MM).")) from None
    fmt = params.get("format")
    if fmt not in FORMATS:
        raise JobError(_("The bulletin's format must be .docx, .xlsx or .pdf."))
    if not gateway.may_issue_bulletins(job.requested_by):
        raise JobError(_("Only the review office (city administrators and reviewers) writes bulletins."))
    try:
        built = build_bulletin(
            job.unit, period, fmt=fmt, quarterly=bool(params.get("quarterly")), progress=progress
        )
    except ConversionError as exc:
        raise JobError(str(exc)) from None
    return JobOutput(filename=built.filename, content=built.content, content_type=built.content_type)
