"""The pages of background jobs: a job's progress, its file, and the user's recent files (我的文件)."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from guatu.access import gateway
from guatu.jobs.models import JobStatus

RECENT = 50


@login_required
def job_detail(request, pk):
    job = gateway.get_visible_job(request.user, pk)
    return render(request, "jobs/detail.html", {"job": job})


@login_required
@never_cache
def job_status(request, pk):
    """The progress partial that the page's htmx polls every second until the job is done or failed."""
    job = gateway.get_visible_job(request.user, pk)
    return render(request, "jobs/_progress.html", {"job": job})


@login_required
def job_download(request, pk):
    job = gateway.get_visible_job(request.user, pk)
    if job.status != JobStatus.DONE or not job.file:
        raise Http404("job has no file")
    try:
        handle = job.file.open("rb")
    except FileNotFoundError:
        raise Http404("job file removed") from None
    return FileResponse(handle, as_attachment=True, filename=job.filename, content_type=job.content_type)


@login_required
def job_list(request):
    jobs = gateway.visible_jobs(request.user).select_related("unit")[:RECENT]
    return render(request, "jobs/list.html", {"jobs": jobs, "keep_days": settings.GUATU_JOBS_KEEP_DAYS})
