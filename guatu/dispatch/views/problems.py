"""Problem pages: the list, raising a problem, its page and its lifecycle (assign, feedback, verify, close, reopen)."""

from __future__ import annotations

from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guatu import clock
from guatu.access import gateway
from guatu.audit.history import history_rows
from guatu.audit.queries import history_of
from guatu.dispatch import queries, services
from guatu.dispatch.forms import (
    AssignForm,
    CloseForm,
    FeedbackForm,
    ProblemFilterForm,
    ProblemRaiseForm,
    ReasonForm,
    VersionedForm,
)
from guatu.dispatch.models import (
    OPEN_STATUSES,
    Problem,
    ProblemCategory,
    ProblemStatus,
    Tier,
)
from guatu.dispatch.views.common import (
    PAGE_SIZE,
    is_partial,
    units_for,
)
from guatu.web.forms import add_service_errors, top_errors
from guatu.web.tables import row_url


def _problem_subject(problem: Problem) -> str:
    if problem.project_id:
        return problem.project.name
    if problem.chain_id:
        return problem.chain.name
    if problem.enterprise_id:
        return problem.enterprise.name
    return problem.meeting.title if problem.meeting_id else "—"


# --------------------------------------------------------------------------------------- problem list


_ROW_CHOICES = {"category": ProblemCategory.choices, "tier": Tier.choices, "status": ProblemStatus.choices}


def filtered_problems(user, form: ProblemFilterForm, today):
    """The problems the user sees, narrowed by the list's filters, open ones first (the list and its export)."""
    problems = gateway.visible_problems(user).for_list().select_related("meeting")
    return queries.open_first(queries.filter_problems(problems, form.filters(), today))


@login_required
def problem_list(request):
    """Every problem the user may see, filtered. A fixed number of queries at any length."""
    user = request.user
    today = clock.today()
    form = ProblemFilterForm(request.GET or None, user=user)
    problems = filtered_problems(user, form, today)
    page = Paginator(problems, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page)
    # the choices' labels read once, not by get_FOO_display() for every cell
    labels = {name: {value: str(label) for value, label in choices} for name, choices in _ROW_CHOICES.items()}
    detail = row_url("dispatch:problem")
    for problem in rows:
        problem.url = detail(problem.pk)
        problem.overdue = (
            problem.status in OPEN_STATUSES and problem.deadline is not None and problem.deadline < today
        )
        for name, by_value in labels.items():
            value = getattr(problem, name)
            setattr(problem, f"{name}_label", by_value.get(value, value))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "problems": rows,
        "today": today,
        "query": query.urlencode(),
        "can_raise": gateway.may_raise_problems(user),
    }
    template = "dispatch/_problem_table.html" if is_partial(request) else "dispatch/problem_list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


# --------------------------------------------------------------------------------------- raise a problem


def _raise_subject(request):
    """The project, report or chain named in the query string, fetched through the gateway."""
    user = request.user
    params = request.GET  # the form posts back to its own address, query string included
    if params.get("report"):
        report = gateway.get_visible_report(user, params["report"])
        return {"report": report, "project": report.project}
    if params.get("project"):
        return {"project": gateway.get_visible_project(user, params["project"])}
    if params.get("chain"):
        if not gateway.is_reviewer(user):
            raise PermissionDenied
        return {"chain": gateway.get_chain_for_problems(user, params["chain"])}
    return {}


@login_required
def problem_raise(request):
    """Raise a problem: from a project (?project=), a monthly report (?report=), a chain (?chain=, reviewers),
    or with the project picked on the form."""
    user = request.user
    subject = _raise_subject(request)
    project = subject.get("project")
    if project is not None:
        if not (gateway.can_fill_reports(user, project) or gateway.can_review(user, project)):
            raise PermissionDenied
    elif not gateway.may_raise_problems(user):
        raise PermissionDenied
    picks = {}
    if not subject:
        picks["projects"] = gateway.visible_projects(user).counted().order_by("name")
        if gateway.is_reviewer(user):
            picks["chains"] = gateway.chains_for_problems(user).order_by("id")

    if request.method == "POST":
        form = ProblemRaiseForm(request.POST, **picks)
        if form.is_valid():
            data = form.cleaned_data
            try:
                problem = services.problem_raise(
                    description=data["description"],
                    category=data["category"],
                    tier=data["tier"],
                    project=data.get("project") or project,
                    chain=data.get("chain") or subject.get("chain"),
                    report=subject.get("report"),
                    by=user,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Problem raised. A reviewer will assign it to a unit."))
                return redirect("dispatch:problem", pk=problem.pk)
    else:
        report = subject.get("report")
        form = ProblemRaiseForm(initial={"description": report.problems if report else ""}, **picks)
    return render(
        request,
        "dispatch/problem_raise.html",
        {"form": form, "form_errors": top_errors(form), **subject},
    )


# ------------------------------------------------------------------------------------------ problem page

# The problem's subject (project, chain, report, meeting) is shown once at the top of the page.
HISTORY_HIDES = {"project", "chain", "report", "meeting", "enterprise"}


@login_required
def problem_detail(request, pk):
    problem = gateway.get_visible_problem(request.user, pk)
    return _render_problem(request, problem)


def _render_problem(request, problem: Problem, *, failed: str = "", failed_form=None):
    user = request.user
    today = clock.today()
    can_manage = gateway.can_manage_problem(user, problem)
    can_act = gateway.can_act_for_problem(user, problem)
    status = problem.status
    is_open = status in OPEN_STATUSES
    units = units_for(user) if can_manage and is_open else []

    def form_for(action: str, make):
        return failed_form if failed == action else make()

    feedback = list(problem.feedback.select_related("by"))
    for entry in feedback:
        entry.filename = Path(entry.attachment.name).name if entry.attachment else ""

    context = {
        "problem": problem,
        "subject": _problem_subject(problem),
        "overdue": is_open and problem.deadline is not None and problem.deadline < today,
        "feedback": feedback,
        "escalations": list(problem.escalations.all()),
        "orders": list(gateway.visible_orders(user).filter(problem=problem).select_related("addressee")),
        "history": history_rows(history_of(problem), hide=HISTORY_HIDES),
        "can_assign": can_manage and is_open,
        "can_feedback": can_act and status in (ProblemStatus.ASSIGNED, ProblemStatus.IN_HAND),
        "can_verify": can_manage and status == ProblemStatus.IN_HAND,
        "can_close": can_manage and status == ProblemStatus.VERIFIED,
        "can_reopen": can_manage and status in (ProblemStatus.VERIFIED, ProblemStatus.CLOSED),
        "can_issue_order": can_manage and is_open and problem.project_id is not None,
        "action_errors": top_errors(failed_form),
    }
    if context["can_assign"]:
        context["assign_form"] = form_for(
            "assign",
            lambda: AssignForm(
                units=units,
                initial={
                    "version": problem.version,
                    "unit": problem.assigned_unit_id
                    or (problem.project.lead_unit_id if problem.project_id else None),
                    "deadline": problem.deadline,
                    "required_outcome": problem.required_outcome,
                    "tier": problem.tier,
                },
            ),
        )
    if context["can_feedback"]:
        context["feedback_form"] = form_for(
            "feedback", lambda: FeedbackForm(initial={"version": problem.version})
        )
    if context["can_verify"]:
        context["verify_form"] = form_for(
            "verify", lambda: VersionedForm(initial={"version": problem.version})
        )
    if context["can_close"]:
        context["close_form"] = form_for("close", lambda: CloseForm(initial={"version": problem.version}))
    if context["can_reopen"]:
        context["reopen_form"] = form_for("reopen", lambda: ReasonForm(initial={"version": problem.version}))
    return render(request, "dispatch/problem_detail.html", context)


def _managed_problem(request, pk) -> Problem:
    problem = gateway.get_visible_problem(request.user, pk)
    if not gateway.can_manage_problem(request.user, problem):
        raise PermissionDenied
    return problem


@login_required
@require_POST
def problem_assign(request, pk):
    problem = _managed_problem(request, pk)
    form = AssignForm(request.POST, units=units_for(request.user))
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.problem_assign(
                problem=problem,
                unit=data["unit"],
                deadline=data["deadline"],
                required_outcome=data["required_outcome"].strip(),
                tier=data["tier"],
                by=request.user,
                expected_version=data["version"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Assigned to %(unit)s, deadline %(date)s. The unit has been notified.")
                % {"unit": data["unit"].display_name, "date": data["deadline"].isoformat()},
            )
            return redirect("dispatch:problem", pk=problem.pk)
    return _render_problem(
        request, gateway.get_visible_problem(request.user, pk), failed="assign", failed_form=form
    )


@login_required
@require_POST
def problem_feedback(request, pk):
    problem = gateway.get_visible_problem(request.user, pk)
    if not gateway.can_act_for_problem(request.user, problem):
        raise PermissionDenied
    form = FeedbackForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.problem_feedback(
                problem=problem,
                text=form.cleaned_data["text"],
                attachment=form.cleaned_data["attachment"],
                by=request.user,
                expected_version=form.cleaned_data["version"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Feedback recorded. The reviewer will verify it."))
            return redirect("dispatch:problem", pk=problem.pk)
    return _render_problem(
        request, gateway.get_visible_problem(request.user, pk), failed="feedback", failed_form=form
    )


def _review_action(request, pk, *, action: str, service, success: str):
    problem = _managed_problem(request, pk)
    form = {"reopen": ReasonForm, "close": CloseForm}.get(action, VersionedForm)(request.POST)
    if form.is_valid():
        extra = {
            name: form.cleaned_data[name] for name in ("reason", "satisfaction") if name in form.cleaned_data
        }
        try:
            service(problem=problem, by=request.user, expected_version=form.cleaned_data["version"], **extra)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, success)
            return redirect("dispatch:problem", pk=problem.pk)
    return _render_problem(
        request, gateway.get_visible_problem(request.user, pk), failed=action, failed_form=form
    )


@login_required
@require_POST
def problem_verify(request, pk):
    return _review_action(
        request, pk, action="verify", service=services.problem_verify, success=_("Problem verified.")
    )


@login_required
@require_POST
def problem_close(request, pk):
    return _review_action(
        request, pk, action="close", service=services.problem_close, success=_("Problem closed (销号).")
    )


@login_required
@require_POST
def problem_reopen(request, pk):
    return _review_action(
        request,
        pk,
        action="reopen",
        service=services.problem_reopen,
        success=_("Problem reopened: it is in hand again."),
    )


@login_required
def feedback_attachment(request, pk, feedback_pk):
    """An attachment, to whoever may see the problem; files are never served from a public media URL."""
    problem = gateway.get_visible_problem(request.user, pk)
    entry = problem.feedback.filter(pk=feedback_pk).first()
    if entry is None or not entry.attachment:
        raise Http404("attachment not found")
    try:
        handle = entry.attachment.open("rb")
    except FileNotFoundError:
        raise Http404("attachment file missing") from None
    return FileResponse(handle, as_attachment=True, filename=Path(entry.attachment.name).name)
