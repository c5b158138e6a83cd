"""Writes of background jobs: start one, run it (the worker's task), clean up old ones.

A job is asked for in a request (`job_start`), which only writes a row and, once that row is committed,
puts a task on the queue (django-tasks' database backend). The worker (`guatu db_worker`) takes the task and
runs `job_run`: it marks the job running, calls the kind's builder with a `progress` callback whose every call
is its own short write (the progress page reads it while the job runs), keeps the file under
GUATU_DATA_DIR/jobs/ and marks the job done; on any exception the job is marked failed with a message for its
requester and the traceback goes to the log. A job whose worker died (killed, machine restarted) is failed by
`jobs_clean`, so no page waits forever.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task

from guatu import clock
from guatu.access import gateway
from guatu.jobs import registry
from guatu.jobs.models import Job, JobStatus
from guatu.orgs.models import OrgUnit

logger = logging.getLogger(__name__)

MAX_PARAMS_BYTES = 4096  # a job's parameters are a few filters and a month, never data
MAX_UNFINISHED_PER_USER = 5  # so one user cannot fill the queue
MAX_OUTPUT_BYTES = 200 * 1024 * 1024
STALE_AFTER = timedelta(hours=6)  # no job takes that long; one still unfinished lost its worker

_UNSAFE_IN_NAME = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]')


def _language() -> str:
    language = translation.get_language() or settings.LANGUAGE_CODE
    known = {code for code, _name in settings.LANGUAGES}
    return language if language in known else settings.LANGUAGE_CODE


def _check_params(params) -> None:
    if not isinstance(params, dict):
        raise ValidationError(_("The job's parameters must be a set of named values."), code="params")
    try:
        encoded = json.dumps(params, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError):
        raise ValidationError(
            _("The job's parameters must be plain values (text, numbers, yes/no, lists)."), code="params"
        ) from None
    size = len(encoded.encode())
    if size > MAX_PARAMS_BYTES:
        raise ValidationError(
            _("The job's parameters are too long: %(size)s bytes, at most %(max)s.")
            % {"size": size, "max": MAX_PARAMS_BYTES},
            code="params_size",
        )


@transaction.atomic
def job_start(*, kind: str, params: dict, unit: OrgUnit, by) -> Job:
    """Ask for a file to be made in the background; the job, queued once this transaction commits."""
    job_kind = registry.get_kind(kind)
    if job_kind is None:
        raise ValidationError(_("Unknown kind of file: %(kind)s.") % {"kind": str(kind)[:40]}, code="kind")
    _check_params(params)
    if not gateway.may_start_job(by, unit, whole_unit=job_kind.whole_unit):
        raise PermissionDenied(_("You may not ask for files about %(unit)s.") % {"unit": unit.display_name})
    # Lock the requester's row so that two clicks at once cannot both pass the count below.
    by._meta.model.objects.select_for_update().filter(pk=by.pk).first()
    if Job.objects.unfinished().filter(requested_by=by).count() >= MAX_UNFINISHED_PER_USER:
        raise ValidationError(
            _("You already have %(count)s files being made; please wait until one of them is finished.")
            % {"count": MAX_UNFINISHED_PER_USER},
            code="too_many",
        )
    job = Job.objects.create(
        kind=kind, params=params, unit=unit, requested_by=by, language=_language(), created_at=clock.now()
    )
    transaction.on_commit(partial(_enqueue, job.pk))
    return job


def _enqueue(job_id: int) -> None:
    try:
        result = run_job.enqueue(job_id)
    except Exception:
        logger.exception("job %s could not be queued", job_id)
        _fail(job_id, _("The job could not be queued. Please try again later."))
        return
    Job.objects.filter(pk=job_id).update(task_id=str(result.id))


@task()
def run_job(job_id: int) -> str:
    """The worker's task: run job `job_id` once; its final status."""
    return job_run(job_id)


def job_run(job_id: int) -> str:
    """Run a queued job to the end: done with its file, or failed with a message. Never left running."""
    claimed = Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, started_at=clock.now(), progress=0
    )
    if not claimed:  # run already (a task given twice), or failed meanwhile
        logger.warning("job %s is not queued: not run again", job_id)
        return Job.objects.filter(pk=job_id).values_list("status", flat=True).first() or "missing"
    job = Job.objects.select_related("unit", "requested_by").get(pk=job_id)
    with translation.override(job.language):
        try:
            _keep(job, _build(job))
        except BaseException as error:
            if isinstance(error, registry.JobError | ValidationError):
                logger.info("job %s (%s) refused: %s", job.pk, job.kind, error)
            else:
                logger.exception("job %s (%s) failed", job.pk, job.kind)
            _fail(job.pk, _failure_message(job, error))
            if not isinstance(error, Exception):  # the worker is being stopped: let it stop
                raise
            return JobStatus.FAILED
    return JobStatus.DONE


def _build(job: Job) -> registry.JobOutput:
    kind = registry.get_kind(job.kind)
    if kind is None:
        raise registry.JobError(_("This kind of file can no longer be made (%(kind)s).") % {"kind": job.kind})
    output = kind.build(job, partial(_record_progress, job))
    if not isinstance(output, registry.JobOutput) or not isinstance(output.content, bytes):
        raise TypeError(f"job kind {job.kind!r} returned {type(output).__name__}, not JobOutput with bytes")
    if len(output.content) > MAX_OUTPUT_BYTES:
        raise registry.JobError(
            _("The file is too large to keep (%(size)s MB, at most %(max)s MB); narrow the selection.")
            % {"size": len(output.content) // (1024 * 1024), "max": MAX_OUTPUT_BYTES // (1024 * 1024)}
        )
    return output


def _record_progress(job: Job, percent: int, step: str) -> None:
    """The builder's `progress(percent, step)`: one short write of its own, seen by the page at once.
    Builders call it outside any transaction of theirs (they read; the job's row is the only thing written)."""
    percent = max(0, min(99, int(percent)))  # 100 only once the file is kept
    step = str(step)[: Job._meta.get_field("step").max_length]
    Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(progress=percent, step=step)
    job.progress, job.step = percent, step


def _safe_filename(name: str) -> str:
    name = _UNSAFE_IN_NAME.sub("_", str(name)).strip(" .") or "file"
    limit = Job._meta.get_field("filename").max_length
    if len(name) > limit:
        dot = name.rfind(".")
        suffix = name[dot:] if 0 < dot and len(name) - dot <= 8 else ""
        name = name[: limit - len(suffix)] + suffix
    return name


def _keep(job: Job, output: registry.JobOutput) -> None:
    job.filename = _safe_filename(output.filename)
    job.content_type = str(output.content_type)[:100] or "application/octet-stream"
    job.file.save("", ContentFile(output.content), save=False)  # named by job_file_name
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.DONE,
        progress=100,
        step=_("Finished"),
        file=job.file.name,
        filename=job.filename,
        content_type=job.content_type,
        size=len(output.content),
        finished_at=clock.now(),
    )


def _failure_message(job: Job, error: BaseException) -> str:
    if isinstance(error, registry.JobError):
        message = str(error)
    elif isinstance(error, ValidationError):
        message = "；".join(error.messages)
    elif not isinstance(error, Exception):
        message = _("The worker was stopped while making the file. Please ask for it again.")
    else:
        message = _(
            "The file could not be made because of an internal error (job %(number)s). It has been logged; "
            "please tell the system administrator."
        ) % {"number": job.pk}
    return message[: Job._meta.get_field("error").max_length]


def _fail(job_id: int, message: str) -> None:
    Job.objects.filter(pk=job_id).exclude(status=JobStatus.DONE).update(
        status=JobStatus.FAILED, error=message, finished_at=clock.now()
    )


def jobs_clean(*, older_than: timedelta, stale_after: timedelta = STALE_AFTER) -> int:
    """Remove jobs finished more than `older_than` ago, with their files, and fail the jobs still unfinished
    after `stale_after` (their worker was killed or the machine restarted); how many jobs were removed."""
    now = clock.now()
    Job.objects.unfinished().filter(created_at__lt=now - stale_after).update(
        status=JobStatus.FAILED,
        error=_("The job was interrupted (the background worker stopped). Please ask for the file again."),
        finished_at=now,
    )
    old = Job.objects.finished().filter(finished_at__lt=now - older_than)
    for job in old.exclude(file="").only("pk", "file"):
        job.file.delete(save=False)
    removed, _by_model = old.delete()
    return removed
