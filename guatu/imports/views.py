"""The import page: upload a dispatch table, see what the dry run finds, confirm to import that very file."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guatu.access import gateway
from guatu.imports import pending
from guatu.imports.forms import ProjectsConfirmForm, ProjectsUploadForm
from guatu.imports.models import ProjectImport
from guatu.imports.services import import_jurisdiction, projects_import


def _importer(request):
    if not gateway.can_maintain_library(request.user):
        raise PermissionDenied(_("Only reviewers and city administrators import into the project library."))
    return request.user


def _render(request, *, form, result=None, confirm=None, status=200):
    root = gateway.library_root(request.user)
    imports = ProjectImport.objects.all() if root is None else ProjectImport.objects.filter(jurisdiction=root)
    recent = imports.select_related("by")[:10]
    return render(
        request,
        "imports/projects.html",
        {"form": form, "result": result, "confirm": confirm, "recent": recent},
        status=status,
    )


def _run(request, form, data: bytes, file_name: str, *, dry_run: bool):
    """The import's result, or None with the refusal put on the form."""
    try:
        return projects_import(
            data=data,
            file_name=file_name,
            by=request.user,
            jurisdiction=import_jurisdiction(request.user),
            period=form.cleaned_data["period"],
            tags=list(form.cleaned_data["tags"]),
            dry_run=dry_run,
        )
    except ValidationError as error:
        form.add_error(None, error.messages)
        return None


@login_required
def projects_upload(request):
    _importer(request)
    if request.method != "POST":
        return _render(request, form=ProjectsUploadForm())
    form = ProjectsUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render(request, form=form, status=400)
    upload = form.cleaned_data["file"]
    data = upload.read()
    result = _run(request, form, data, upload.name, dry_run=True)
    if result is None:
        return _render(request, form=form, status=400)
    confirm = None
    if result.ok and (result.count("created") or result.count("updated")):
        sha256 = pending.keep(request.user, data, upload.name)
        confirm = ProjectsConfirmForm(
            initial={
                "sha256": sha256,
                "period": str(result.period),
                "tags": [tag.pk for tag in form.cleaned_data["tags"]],
            }
        )
    return _render(request, form=ProjectsUploadForm(), result=result, confirm=confirm)


@login_required
@require_POST
def projects_confirm(request):
    _importer(request)
    form = ProjectsConfirmForm(request.POST)
    kept = pending.take(request.user, form.data.get("sha256", "")) if form.is_valid() else None
    if kept is None:
        messages.error(request, _("The checked file is no longer here: upload it again."))
        return redirect("imports:projects")
    data, file_name = kept
    result = _run(request, form, data, file_name, dry_run=False)
    if result is None or not result.ok:
        return _render(request, form=ProjectsUploadForm(), result=result, status=400)
    pending.drop(request.user, form.cleaned_data["sha256"])
    counts = result.counts
    messages.success(
        request,
        _(
            "%(file)s imported for %(period)s: %(created)d created, %(updated)d updated, %(unchanged)d unchanged."
        )
        % {"file": file_name, "period": result.period, **counts},
    )
    return redirect("imports:projects")
