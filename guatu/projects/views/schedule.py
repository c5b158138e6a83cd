"""A project's schedule pages: add, edit, mark done and delete its milestones; set its annual plans.

Reviewers and city administrators of the project's jurisdiction (gateway.get_maintainable_project: 404 when
the project is not visible, 403 when it is but may not be changed). A milestone's attachment is served to
whoever may see the project, never from a public media URL."""

from __future__ import annotations

from pathlib import PurePath

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from guatu.access import gateway
from guatu.projects import schedule
from guatu.projects.models import Milestone, Project
from guatu.projects.schedule_forms import (
    MONTHS,
    AnnualPlanForm,
    MilestoneCompleteForm,
    MilestoneDeleteForm,
    MilestoneForm,
)
from guatu.web.forms import add_service_errors, top_errors


def _milestone_of(project: Project, milestone_pk) -> Milestone:
    milestone = project.milestones.filter(pk=milestone_pk).first()
    if milestone is None:
        raise Http404("milestone not found")
    return milestone


def _back(project: Project, anchor: str) -> str:
    return reverse("projects:detail", args=[project.pk]) + f"#{anchor}"


def _render(request, template: str, project: Project, form, **context):
    return render(
        request,
        template,
        {"project": project, "form": form, "form_errors": top_errors(form), **context},
        status=400 if form.is_bound and form.errors else 200,
    )


def _save(request, form, call, success: str, project: Project, anchor: str):
    """Run the service with the form's data; on success redirect to the project, else keep the input."""
    if form.is_valid():
        try:
            call(form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, success)
            return redirect(_back(project, anchor))
    return None


@login_required
def milestone_add(request, pk):
    project = gateway.get_maintainable_project(request.user, pk)
    form = MilestoneForm(request.POST or None, request.FILES or None, new=True)
    if request.method == "POST":
        done = _save(
            request,
            form,
            lambda data: schedule.milestone_add(
                project=project,
                kind=data["kind"],
                name=data["name"],
                planned_date=data["planned_date"],
                actual_date=data["actual_date"],
                document_no=data["document_no"],
                attachment=data["attachment"],
                by=request.user,
            ),
            _("Milestone added to the promotion plan."),
            project,
            "promotion-plan",
        )
        if done:
            return done
    return _render(request, "projects/milestone_form.html", project, form, milestone=None)


@login_required
def milestone_edit(request, pk, milestone_pk):
    project = gateway.get_maintainable_project(request.user, pk)
    milestone = _milestone_of(project, milestone_pk)
    initial = {
        name: getattr(milestone, name)
        for name in ("kind", "name", "planned_date", "actual_date", "document_no", "version")
    }
    form = MilestoneForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST":
        done = _save(
            request,
            form,
            lambda data: schedule.milestone_update(
                milestone=milestone,
                kind=data["kind"],
                name=data["name"],
                planned_date=data["planned_date"],
                actual_date=data["actual_date"],
                document_no=data["document_no"],
                attachment=data["attachment"],
                expected_version=data["version"],
                by=request.user,
            ),
            _("Milestone saved."),
            project,
            "promotion-plan",
        )
        if done:
            return done
    return _render(
        request,
        "projects/milestone_form.html",
        project,
        form,
        milestone=milestone,
        attachment_name=PurePath(milestone.attachment.name).name if milestone.attachment else "",
    )


@login_required
def milestone_complete(request, pk, milestone_pk):
    project = gateway.get_maintainable_project(request.user, pk)
    milestone = _milestone_of(project, milestone_pk)
    form = MilestoneCompleteForm(
        request.POST or None,
        request.FILES or None,
        initial={"version": milestone.version, "document_no": milestone.document_no},
    )
    if request.method == "POST":
        done = _save(
            request,
            form,
            lambda data: schedule.milestone_complete(
                milestone=milestone,
                actual_date=data["actual_date"],
                document_no=data["document_no"],
                attachment=data["attachment"],
                expected_version=data["version"],
                by=request.user,
            ),
            _("Milestone marked done. Its warning clears when the lights are next computed."),
            project,
            "promotion-plan",
        )
        if done:
            return done
    return _render(request, "projects/milestone_complete.html", project, form, milestone=milestone)


@login_required
def milestone_delete(request, pk, milestone_pk):
    project = gateway.get_maintainable_project(request.user, pk)
    milestone = _milestone_of(project, milestone_pk)
    form = MilestoneDeleteForm(request.POST or None, initial={"version": milestone.version})
    if request.method == "POST":
        done = _save(
            request,
            form,
            lambda data: schedule.milestone_delete(
                milestone=milestone, reason=data["reason"], expected_version=data["version"], by=request.user
            ),
            _("Milestone deleted; the reason is kept in the project's history."),
            project,
            "promotion-plan",
        )
        if done:
            return done
    return _render(request, "projects/milestone_delete.html", project, form, milestone=milestone)


@login_required
def milestone_attachment(request, pk, milestone_pk):
    """A milestone's document, to whoever may see the project; files are never served from a public URL."""
    project = gateway.get_visible_project(request.user, pk)
    milestone = _milestone_of(project, milestone_pk)
    if not milestone.attachment:
        raise Http404("no attachment")
    try:
        handle = milestone.attachment.open("rb")
    except FileNotFoundError:
        raise Http404("attachment file missing") from None
    return FileResponse(handle, as_attachment=True, filename=PurePath(milestone.attachment.name).name)


@login_required
def plan_edit(request, pk, year):
    """The plan for one of the project's years: its amount and, optionally, its twelve months."""
    project = gateway.get_maintainable_project(request.user, pk)
    if not project.start_year <= year <= project.end_year:
        raise Http404("year outside the project's years")
    plan = project.plans.filter(year=year).prefetch_related("months").first()
    initial = {"amount": None, "version": 0}
    if plan is not None:
        initial = {"amount": plan.amount, "version": plan.version}
        initial.update({f"month_{pm.month}": pm.amount for pm in plan.months.all()})
    form = AnnualPlanForm(request.POST or None, initial=initial)
    if request.method == "POST":
        done = _save(
            request,
            form,
            lambda data: schedule.annual_plan_save(
                project=project,
                year=year,
                amount=data["amount"],
                months=form.months(),
                expected_version=data["version"],
                by=request.user,
            ),
            _("Annual plan for %(year)s saved.") % {"year": year},
            project,
            "annual-plans",
        )
        if done:
            return done
    return _render(
        request,
        "projects/plan_form.html",
        project,
        form,
        year=year,
        plan=plan,
        months=MONTHS,
        years=range(project.start_year, project.end_year + 1),
    )
