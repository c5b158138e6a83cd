"""Dispatch pages (三级调度): problems and their lifecycle, supervision orders (督办), dispatch meetings, and
each person's work (a leader's page, a unit's page).

Every view: rows through the access gateway → form → service → redirect with a message. Services check the
actor again and raise PermissionDenied (a 403 page) or ValidationError (shown on the form, nothing written).
"""

from __future__ import annotations

from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Case, Count, F, IntegerField, Q, Value, When
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from guatu import clock
from guatu.access import gateway
from guatu.accounts.models import Role
from guatu.audit.labels import action_label
from guatu.audit.queries import history_of
from guatu.dispatch import services
from guatu.dispatch.forms import (
    OPEN,
    AssignForm,
    DecidedItemForm,
    FeedbackForm,
    MeetingForm,
    MinutesForm,
    OrderFilterForm,
    OrderIssueForm,
    OrderResponseForm,
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
    SupervisionStatus,
    Tier,
)
from guatu.dispatch.queries import overdue_orders, problems_of_unit, problems_waiting_on_leader
from guatu.lights.models import LightColor, ProjectLight
from guatu.lights.queries import describe_reason
from guatu.orgs.models import Leader, OrgUnit
from guatu.projects.models import IndustryChain, Project
from guatu.web.forms import add_service_errors, top_errors

PAGE_SIZE = 50
SEVERITY = {LightColor.RED: 0, LightColor.YELLOW: 1, LightColor.GREEN: 2}


# ---------------------------------------------------------------------------------------------- helpers


def _is_partial(request) -> bool:
    """An htmx request for the table only (a history restore wants the whole page)."""
    return bool(request.headers.get("HX-Request")) and not request.headers.get("HX-History-Restore-Request")


def _units(user) -> list[OrgUnit]:
    """The units a user may pick (assign to, address, filter by), in tree order."""
    return list(gateway.visible_units(user).order_by("path"))


def _problem_subject(problem: Problem) -> str:
    if problem.project_id:
        return problem.project.name
    if problem.chain_id:
        return problem.chain.name
    return problem.meeting.title if problem.meeting_id else "—"


# --------------------------------------------------------------------------------------- problem list


def filter_problems(problems, filters: dict, today):
    status = filters.get("status")
    if status == OPEN:
        problems = problems.open()
    elif status:
        problems = problems.filter(status=status)
    if filters.get("tier"):
        problems = problems.filter(tier=filters["tier"])
    if filters.get("category"):
        problems = problems.filter(category=filters["category"])
    unit = filters.get("unit")
    if unit is not None:
        problems = problems.filter(
            Q(assigned_unit__path__startswith=unit.path)
            | Q(project__in=Project.objects.in_unit(unit).values("pk"))
        )
    if filters.get("overdue"):
        problems = problems.overdue(today)
    if filters.get("project"):
        problems = problems.filter(project_id=filters["project"])  # within what the gateway already allows
    return problems


def open_first(problems):
    """Open problems first, soonest deadline first; closed and verified ones after them."""
    return problems.annotate(
        is_done=Case(
            When(status__in=OPEN_STATUSES, then=Value(0)), default=Value(1), output_field=IntegerField()
        )
    ).order_by("is_done", F("deadline").asc(nulls_last=True), "pk")


@login_required
def problem_list(request):
    """Every problem the user may see, filtered. A fixed number of queries at any length."""
    user = request.user
    today = clock.today()
    form = ProblemFilterForm(request.GET or None, units=_units(user))
    problems = gateway.visible_problems(user).for_list().select_related("meeting")
    problems = open_first(filter_problems(problems, form.filters(), today))
    page = Paginator(problems, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page)
    for problem in rows:
        problem.overdue = (
            problem.status in OPEN_STATUSES and problem.deadline is not None and problem.deadline < today
        )
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
    template = "dispatch/_problem_table.html" if _is_partial(request) else "dispatch/problem_list.html"
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
        try:
            return {"chain": IndustryChain.objects.select_related("chief").get(pk=params["chain"])}
        except (IndustryChain.DoesNotExist, ValueError):
            raise Http404("chain not found") from None
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
            picks["chains"] = IndustryChain.objects.order_by("id")

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
HISTORY_FIELDS = {
    "description": gettext_lazy("Description"),
    "category": gettext_lazy("Category"),
    "tier": gettext_lazy("Tier"),
    "status": gettext_lazy("Status"),
    "assigned_unit": gettext_lazy("Assigned unit"),
    "deadline": gettext_lazy("Deadline"),
    "required_outcome": gettext_lazy("Required outcome"),
}


def _problem_history(problem: Problem) -> list[dict]:
    """The audit trail as the page shows it: when, who, what, each changed field from → to, why."""
    events = list(history_of(problem))
    unit_ids = {
        value
        for event in events
        for side in (event.before, event.after)
        if (value := side.get("assigned_unit")) is not None
    }
    units = OrgUnit.objects.in_bulk(unit_ids) if unit_ids else {}

    def shown(name, value):
        if value in (None, ""):
            return "—"
        if name == "status":
            return str(ProblemStatus(value).label)
        if name == "tier":
            return str(Tier(value).label)
        if name == "category":
            return str(ProblemCategory(value).label)
        if name == "assigned_unit":
            unit = units.get(value)
            return unit.display_name if unit else f"#{value}"
        return str(value)

    rows = []
    for event in events:
        changes = [
            {
                "label": label,
                "before": shown(name, event.before.get(name)) if event.before else None,
                "after": shown(name, event.after[name]),
            }
            for name, label in HISTORY_FIELDS.items()
            if name in event.after and (event.before or event.after[name] not in (None, ""))
        ]
        rows.append(
            {
                "at": event.at,
                "actor": event.actor.display_name if event.actor else _("system"),
                "action": action_label(event.action),
                "changes": changes,
                "reason": event.reason if event.action != "problem.feedback" else "",
            }
        )
    return rows


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
    units = _units(user) if can_manage and is_open else []

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
        "history": _problem_history(problem),
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
        context["feedback_form"] = form_for("feedback", FeedbackForm)
    for action in ("verify", "close"):
        if context[f"can_{action}"]:
            context[f"{action}_form"] = form_for(
                action, lambda: VersionedForm(initial={"version": problem.version})
            )
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
    form = AssignForm(request.POST, units=_units(request.user))
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
    form = ReasonForm(request.POST) if action == "reopen" else VersionedForm(request.POST)
    if form.is_valid():
        extra = {"reason": form.cleaned_data["reason"]} if action == "reopen" else {}
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


# -------------------------------------------------------------------------------- supervision orders


def _orders_for_list(user):
    return gateway.visible_orders(user).select_related("project", "addressee", "problem")


def _mark_overdue(orders, today) -> list:
    orders = list(orders)
    for order in orders:
        order.overdue = order.status == SupervisionStatus.ISSUED and order.deadline < today
        order.days_overdue = (today - order.deadline).days if order.overdue else 0
    return orders


@login_required
def order_list(request):
    user = request.user
    today = clock.today()
    form = OrderFilterForm(request.GET or None, statuses=SupervisionStatus.choices)
    filters = form.filters()
    orders = _orders_for_list(user)
    if filters.get("status"):
        orders = orders.filter(status=filters["status"])
    if filters.get("overdue"):
        orders = orders.overdue(today)
    in_order = orders.annotate(
        stage=Case(
            When(status=SupervisionStatus.ISSUED, then=Value(0)),
            When(status=SupervisionStatus.RESPONDED, then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        )
    ).order_by("stage", "deadline", "pk")  # waiting for a response, then waiting to be closed, then closed
    page = Paginator(in_order, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "dispatch/order_list.html",
        {
            "form": form,
            "page": page,
            "orders": _mark_overdue(page, today),
            "query": query.urlencode(),
            "can_issue": gateway.is_reviewer(user),
        },
    )


@login_required
def order_bulletin(request):
    """督查通报: the supervision orders past their deadline without a written response, by unit."""
    today = clock.today()
    orders = _mark_overdue(overdue_orders(gateway.visible_orders(request.user), today), today)
    by_unit: dict[int, dict] = {}
    for order in orders:
        row = by_unit.setdefault(order.addressee_id, {"unit": order.addressee, "count": 0, "days": 0})
        row["count"] += 1
        row["days"] = max(row["days"], order.days_overdue)
    units = sorted(by_unit.values(), key=lambda row: (-row["count"], -row["days"], row["unit"].path))
    return render(request, "dispatch/order_bulletin.html", {"orders": orders, "units": units, "today": today})


@login_required
def order_issue(request):
    """督办: reviewers issue an order on a project, or on a problem (?problem=)."""
    user = request.user
    if not gateway.is_reviewer(user):
        raise PermissionDenied
    params = request.GET  # the form posts back to its own address, query string included
    problem = gateway.get_visible_problem(user, params["problem"]) if params.get("problem") else None
    project = problem.project if problem else None
    if problem is not None and project is None:
        raise Http404("a supervision order concerns a project")
    if project is None and params.get("project"):
        project = gateway.get_visible_project(user, params["project"])
    if project is not None and not gateway.can_review(user, project):
        raise PermissionDenied
    projects = None if project else gateway.visible_projects(user).counted().order_by("name")
    units = _units(user)
    if request.method == "POST":
        form = OrderIssueForm(request.POST, projects=projects, units=units)
        if form.is_valid():
            data = form.cleaned_data
            try:
                order = services.supervision_issue(
                    project=project or data["project"],
                    problem=problem,
                    addressee=data["addressee"],
                    requirement=data["requirement"],
                    deadline=data["deadline"],
                    by=user,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Supervision order %(number)s issued; the unit has been notified.")
                    % {"number": order.number},
                )
                return redirect("dispatch:order", pk=order.pk)
    else:
        addressee = (problem.assigned_unit_id if problem else None) or (
            project.lead_unit_id if project else None
        )
        form = OrderIssueForm(projects=projects, units=units, initial={"addressee": addressee})
    return render(
        request,
        "dispatch/order_issue.html",
        {"form": form, "form_errors": top_errors(form), "problem": problem, "project": project},
    )


@login_required
def order_detail(request, pk):
    order = gateway.get_visible_order(request.user, pk)
    return _render_order(request, order)


def _render_order(request, order, *, response_form=None, close_errors=()):
    user = request.user
    today = clock.today()
    can_respond = order.status == SupervisionStatus.ISSUED and gateway.can_respond_to_order(user, order)
    return render(
        request,
        "dispatch/order_detail.html",
        {
            "order": order,
            "overdue": order.status == SupervisionStatus.ISSUED and order.deadline < today,
            "can_respond": can_respond,
            "can_close": order.status == SupervisionStatus.RESPONDED
            and gateway.can_review(user, order.project),
            "response_form": response_form or (OrderResponseForm() if can_respond else None),
            "action_errors": [*top_errors(response_form), *close_errors],
            "history": _order_history(order),
        },
    )


def _order_history(order) -> list[dict]:
    return [
        {
            "at": event.at,
            "actor": event.actor.display_name if event.actor else _("system"),
            "action": action_label(event.action),
        }
        for event in history_of(order)
    ]


@login_required
@require_POST
def order_respond(request, pk):
    order = gateway.get_visible_order(request.user, pk)
    if not (order.status == SupervisionStatus.ISSUED and gateway.can_respond_to_order(request.user, order)):
        raise PermissionDenied
    form = OrderResponseForm(request.POST)
    if form.is_valid():
        try:
            services.supervision_respond(order=order, response=form.cleaned_data["response"], by=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Written response submitted."))
            return redirect("dispatch:order", pk=order.pk)
    return _render_order(request, gateway.get_visible_order(request.user, pk), response_form=form)


@login_required
@require_POST
def order_close(request, pk):
    order = gateway.get_visible_order(request.user, pk)
    if not gateway.can_review(request.user, order.project):
        raise PermissionDenied
    try:
        services.supervision_close(order=order, by=request.user)
    except ValidationError as error:
        return _render_order(
            request, gateway.get_visible_order(request.user, pk), close_errors=error.messages
        )
    messages.success(request, _("Supervision order closed."))
    return redirect("dispatch:order", pk=order.pk)


# ---------------------------------------------------------------------------------------- meetings


def _leaders(units: list[OrgUnit]):
    return Leader.objects.filter(org_unit__in=[unit.pk for unit in units]).order_by("sort_order", "id")


@login_required
def meeting_list(request):
    user = request.user
    meetings = (
        gateway.visible_meetings(user)
        .select_related("convenor", "convenor_unit")
        .annotate(
            items=Count("decided_items", distinct=True),
            open_items=Count(
                "decided_items", filter=Q(decided_items__status__in=OPEN_STATUSES), distinct=True
            ),
        )
        .order_by("-date", "-pk")
    )
    page = Paginator(meetings, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "dispatch/meeting_list.html",
        {"page": page, "meetings": list(page), "can_create": gateway.is_reviewer(user)},
    )


@login_required
def meeting_create(request):
    user = request.user
    if not gateway.is_reviewer(user):
        raise PermissionDenied
    units = _units(user)
    leaders = _leaders(units)
    if request.method == "POST":
        form = MeetingForm(request.POST, leaders=leaders, units=units)
        if form.is_valid():
            data = form.cleaned_data
            tier = data["tier"]
            try:
                meeting = services.meeting_create(
                    tier=tier,
                    date=data["date"],
                    title=data["title"],
                    # The convenor that does not fit the tier is dropped, not stored.
                    convenor=data["convenor"] if tier != Tier.UNIT else None,
                    convenor_unit=data["convenor_unit"] if tier == Tier.UNIT else None,
                    attendees=data["attendees"],
                    attendee_units=data["attendee_units"],
                    by=user,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Meeting scheduled; its agenda lists %(n)s items.") % {"n": len(meeting.agenda)},
                )
                return redirect("dispatch:meeting", pk=meeting.pk)
    else:
        form = MeetingForm(leaders=leaders, units=units, initial={"date": clock.today()})
    return render(request, "dispatch/meeting_form.html", {"form": form, "form_errors": top_errors(form)})


@login_required
def meeting_detail(request, pk):
    meeting = gateway.get_visible_meeting(request.user, pk)
    return _render_meeting(request, meeting)


def _render_meeting(request, meeting, *, minutes_form=None, item_form=None):
    user = request.user
    today = clock.today()
    is_reviewer = gateway.is_reviewer(user)
    items = list(
        gateway.visible_problems(user)
        .filter(meeting=meeting)
        .for_list()
        .order_by(F("deadline").asc(nulls_last=True), "pk")
    )
    for item in items:
        item.overdue = item.status in OPEN_STATUSES and item.deadline is not None and item.deadline < today
    agenda = sorted(
        meeting.agenda,
        key=lambda entry: (entry.get("kind") != "project", SEVERITY.get(entry.get("light"), 3)),
    )
    context = {
        "meeting": meeting,
        "attendees": list(meeting.attendees.all()),
        "attendee_units": list(meeting.attendee_units.all()),
        "agenda_projects": [
            {**entry, "light_label": LightColor(entry["light"]).label}
            for entry in agenda
            if entry.get("kind") == "project"
        ],
        "agenda_problems": [entry for entry in agenda if entry.get("kind") == "problem"],
        "items": items,
        "can_edit": is_reviewer,
    }
    if is_reviewer:
        units = _units(user)
        context["minutes_form"] = minutes_form or MinutesForm(initial={"minutes": meeting.minutes})
        context["item_form"] = item_form or DecidedItemForm(
            projects=gateway.visible_projects(user).counted().order_by("name"),
            units=units,
        )
        context["item_errors"] = top_errors(item_form)
    return render(request, "dispatch/meeting_detail.html", context)


@login_required
@require_POST
def meeting_minutes(request, pk):
    meeting = gateway.get_visible_meeting(request.user, pk)
    if not gateway.is_reviewer(request.user):
        raise PermissionDenied
    form = MinutesForm(request.POST)
    if form.is_valid():
        services.meeting_record_minutes(
            meeting=meeting, minutes=form.cleaned_data["minutes"].strip(), by=request.user
        )
        messages.success(request, _("Minutes saved."))
        return redirect("dispatch:meeting", pk=meeting.pk)
    return _render_meeting(request, meeting, minutes_form=form)


@login_required
@require_POST
def meeting_add_item(request, pk):
    """Add a decided item (议定事项): a problem raised at the meeting, assigned at once if a unit is given."""
    user = request.user
    meeting = gateway.get_visible_meeting(user, pk)
    if not gateway.is_reviewer(user):
        raise PermissionDenied
    form = DecidedItemForm(
        request.POST, projects=gateway.visible_projects(user).counted().order_by("name"), units=_units(user)
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():  # raised and assigned together, or not at all
                problem = services.problem_raise(
                    description=data["description"],
                    category=data["category"],
                    tier=meeting.tier,
                    project=data["project"],
                    meeting=meeting,
                    by=user,
                )
                if data["unit"]:
                    services.problem_assign(
                        problem=problem,
                        unit=data["unit"],
                        deadline=data["deadline"],
                        required_outcome=data["required_outcome"].strip(),
                        by=user,
                    )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Decided item added; it is tracked like a problem."))
            return redirect(reverse("dispatch:meeting", args=[meeting.pk]) + "#decided-items")
    return _render_meeting(request, meeting, item_form=form)


# ---------------------------------------------------------------------------------------------- my work


def leader_lights(user) -> tuple[list[ProjectLight], tuple[int, int] | None]:
    """The lights of the projects a user sees, for the latest month computed; red first."""
    projects = gateway.visible_projects(user).counted().values("pk")
    latest = (
        ProjectLight.objects.filter(project__in=projects)
        .order_by("-year", "-month")
        .values_list("year", "month")
        .first()
    )
    if latest is None:
        return [], None
    lights = list(
        ProjectLight.objects.for_period(*latest)
        .filter(project__in=projects)
        .select_related("project__location_unit", "project__lead_unit")
    )
    for light in lights:
        light.reason_texts = [describe_reason(reason) for reason in light.reasons]
    lights.sort(key=lambda light: (SEVERITY[light.light], light.project.name))
    return lights, latest


@login_required
def my_work(request):
    """A leader's page (their projects' lights, the problems waiting on them) or a unit's page (its assigned
    problems by deadline and the supervision orders addressed to it)."""
    user = request.user
    today = clock.today()
    visible = gateway.visible_problems(user)
    context = {"today": today, "is_leader": user.role == Role.LEADER}
    if user.role == Role.LEADER:
        lights, latest = leader_lights(user)
        waiting = (
            list(
                problems_waiting_on_leader(user.leader)
                .filter(pk__in=visible.values("pk"))
                .select_related("meeting")
                .prefetch_related("escalations")
            )
            if user.leader_id
            else []
        )
        context.update(
            {
                "leader": user.leader,
                "lights": lights,
                "light_counts": [
                    {
                        "light": color,
                        "label": color.label,
                        "count": sum(1 for light in lights if light.light == color),
                    }
                    for color in (LightColor.RED, LightColor.YELLOW, LightColor.GREEN)
                ],
                "period": f"{latest[0]:04d}-{latest[1]:02d}" if latest else None,
                "problems": waiting,
            }
        )
    elif user.org_unit_id is None:
        context.update({"unit": None, "problems": [], "orders": []})
    else:
        problems = list(
            problems_of_unit(user.org_unit)
            .filter(pk__in=visible.values("pk"))
            .select_related("meeting")
            .prefetch_related("escalations")
        )
        orders = _mark_overdue(
            _orders_for_list(user)
            .filter(addressee_id=user.org_unit_id)
            .exclude(status=SupervisionStatus.CLOSED)
            .order_by("deadline", "pk"),
            today,
        )
        context.update({"unit": user.org_unit, "problems": problems, "orders": orders})
    for problem in context["problems"]:
        problem.overdue = problem.deadline is not None and problem.deadline < today
        problem.last_escalation = max(problem.escalations.all(), key=lambda e: e.at, default=None)
    return render(request, "dispatch/my_work.html", context)
