"""Background jobs (后台任务): a long document or export asked for by a user, run by the worker, kept for them."""

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils.translation import gettext_lazy as _

from guatu.orgs.models import OrgUnit


def job_files() -> FileSystemStorage:
    """Where finished files are kept: GUATU_DATA_DIR/jobs/, a folder nothing serves. Files leave it only
    through the download view, after the gateway has checked the reader again."""
    return FileSystemStorage(location=settings.DATA_DIR / "jobs", base_url=None, file_permissions_mode=0o600)


def job_file_name(job: "Job", filename: str) -> str:
    # The name on disk is the job's number; the (Chinese) name the user sees is Job.filename.
    return f"{job.created_at:%Y/%m}/job-{job.pk}{job.suffix}"


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


FINISHED = (JobStatus.DONE, JobStatus.FAILED)


class JobQuerySet(models.QuerySet):
    def finished(self) -> "JobQuerySet":
        return self.filter(status__in=FINISHED)

    def unfinished(self) -> "JobQuerySet":
        return self.exclude(status__in=FINISHED)


class Job(models.Model):
    kind = models.CharField(_("kind"), max_length=40)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    unit = models.ForeignKey(OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    # The language of the page the job was asked from: steps and messages are written in it.
    language = models.CharField(_("language"), max_length=10)
    status = models.CharField(_("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    step = models.CharField(_("step"), max_length=200, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)
    file = models.FileField(_("file"), storage=job_files, upload_to=job_file_name, max_length=200, blank=True)
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"), null=True, blank=True)
    task_id = models.CharField(_("task id"), max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"))
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["requested_by", "-created_at"], name="job_requester_recent")]
        constraints = [
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="job_progress_at_most_100"),
            models.CheckConstraint(
                condition=models.Q(status__in=[choice.value for choice in JobStatus]), name="job_status_known"
            ),
            models.CheckConstraint(
                condition=~models.Q(status=JobStatus.DONE) | ~models.Q(file=""), name="job_done_has_file"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"

    @property
    def kind_label(self) -> str:
        """The kind's name in the reader's language (进度通报, 项目库导出)."""
        from guatu.jobs.registry import kind_label

        return kind_label(self.kind)

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED

    @property
    def suffix(self) -> str:
        """The file's extension, from the name the user sees (.docx, .xlsx, .pdf), for the name on disk."""
        dot = self.filename.rfind(".")
        suffix = self.filename[dot:].lower() if dot > 0 else ""
        return suffix if suffix[1:].isalnum() and len(suffix) <= 6 else ""
