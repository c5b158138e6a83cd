"""Maintaining the library: create and edit a project with its "five ones"; cancel, restore and change its stage
with a reason.

Reviewers and city administrators of the project's jurisdiction (gateway.can_maintain_library and
get_maintainable_project: 404 when the project is not visible, 403 when it is but may not be changed). A save
carries the version the page was read at; a stale one is refused and the page keeps what was typed."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from guatu.access import gateway
from guatu.projects import services
from guatu.projects.forms import EditChoices, ProjectForm, ReasonForm, StageForm
from guatu.projects.models import Project, Stage
from guatu.web.forms import add_service_errors, top_errors


def _detail(project: Project) -> str:
    return reverse("projects:detail", args=[project.pk])


def _run(request, form, call, success: str):
    """Call the service with the valid form; its errors go next to their fields (or on top). The project, or
    None when the form has to be shown again."""
    if not form.is_valid():
        return None
    try:
        project = call()
    except ValidationError as error:
        add_service_errors(form, error)
        return None
    messages.success(request, success)
    return project


def _form_page(request, form, project: Project | None):
    errors = top_errors(form) + list(form.task_force.non_form_errors())
    return render(
        request,
        "projects/project_form.html",
        {"form": form, "project": project, "form_errors": errors},
        status=400 if form.is_bound else 200,  # a posted form shown again is one that was refused
    )


@login_required
def project_new(request):
    if not gateway.can_maintain_library(request.user):
        raise PermissionDenied("may not maintain the library")
    form = ProjectForm(request.POST or None, choices=EditChoices.for_user(request.user))
    if request.method == "POST":
        project = _run(
            request,
            form,
            lambda: services.project_create(data=form.to_input(), by=request.user),
            _("Project created."),
        )
        if project is not None:
            return redirect(_detail(project))
    return _form_page(request, form, None)


@login_required
def project_edit(request, pk):
    project = gateway.get_maintainable_project(request.user, pk)
    form = ProjectForm(
        request.POST or None,
        choices=EditChoices.for_user(request.user, project),
        project=project,
        initial=ProjectForm.initial_of(project),
    )
    if request.method == "POST":
        saved = _run(
            request,
            form,
            lambda: services.project_update(
                project=project,
                data=form.to_input(),
                expected_version=form.cleaned_data["version"],
                by=request.user,
            ),
            _("Project saved."),
        )
        if saved is not None:
            return redirect(_detail(saved))
    return _form_page(request, form, project)


def _step_page(request, project: Project, form, *, step: str, title: str, call, success: str):
    if request.method == "POST":
        saved = _run(request, form, lambda: call(form.cleaned_data), success)
        if saved is not None:
            return redirect(_detail(saved) + "#history")
    return render(
        request,
        "projects/project_step.html",
        {"project": project, "form": form, "form_errors": top_errors(form), "step": step, "title": title},
        status=400 if form.is_bound else 200,
    )


@login_required
def project_cancel(request, pk):
    project = gateway.get_maintainable_project(request.user, pk)
    form = ReasonForm(request.POST or None, initial={"version": project.version})
    return _step_page(
        request,
        project,
        form,
        step="cancel",
        title=_("Cancel project"),
        call=lambda data: services.project_cancel(
            project=project, reason=data["reason"], expected_version=data["version"], by=request.user
        ),
        success=_("Project cancelled: it no longer counts in any total."),
    )


@login_required
def project_restore(request, pk):
    project = gateway.get_maintainable_project(request.user, pk)
    form = ReasonForm(request.POST or None, initial={"version": project.version})
    return _step_page(
        request,
        project,
        form,
        step="restore",
        title=_("Restore project"),
        call=lambda data: services.project_restore(
            project=project, reason=data["reason"], expected_version=data["version"], by=request.user
        ),
        success=_("Project restored to the stage it had."),
    )


@login_required
def project_stage(request, pk):
    project = gateway.get_maintainable_project(request.user, pk)
    if project.stage == Stage.CANCELLED:
        messages.error(request, _("A cancelled project is restored first."))
        return redirect(reverse("projects:restore", args=[project.pk]))
    form = StageForm(request.POST or None, initial={"version": project.version, "stage": project.stage})
    return _step_page(
        request,
        project,
        form,
        step="stage",
        title=_("Change stage"),
        call=lambda data: services.project_change_stage(
            project=project,
            stage=data["stage"],
            reason=data["reason"],
            expected_version=data["version"],
            by=request.user,
        ),
        success=_("Stage changed."),
    )
