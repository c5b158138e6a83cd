"""Dispatch meeting pages: the list, scheduling a meeting (its agenda is generated), minutes, decided items."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import F
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guatu import clock
from guatu.access import gateway
from guatu.dispatch import papers, queries, services
from guatu.dispatch.forms import (
    DecidedItemForm,
    DecisionForm,
    DecisionRemoveForm,
    MeetingForm,
    MinutesForm,
)
from guatu.dispatch.models import OPEN_STATUSES, Tier
from guatu.dispatch.views.common import PAGE_SIZE, units_for
from guatu.web.forms import add_service_errors, top_errors


@login_required
def meeting_list(request):
    user = request.user
    meetings = queries.meetings_for_list(gateway.visible_meetings(user))
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
    units = units_for(user)
    leaders = queries.leaders_of(units)
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


def _decision_form(request, meeting, data=None, **kwargs) -> DecisionForm:
    user = request.user
    return DecisionForm(
        data,
        units=queries.decision_units(meeting),
        projects=gateway.visible_projects(user).counted().order_by("name"),
        problems=queries.decision_problems(meeting, gateway.visible_problems(user)),
        **kwargs,
    )


def _render_meeting(request, meeting, *, minutes_form=None, item_form=None, decision_form=None, status=200):
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
    agenda_projects, agenda_problems = queries.agenda_sections(meeting)
    can_record = gateway.can_record_decisions(user, meeting)
    context = {
        "meeting": meeting,
        "attendees": list(meeting.attendees.all()),
        "attendee_units": list(meeting.attendee_units.all()),
        "agenda_projects": agenda_projects,
        "agenda_problems": agenda_problems,
        "decisions": queries.meeting_decisions(meeting),
        "can_record": can_record,
        "held": meeting.date <= today,
        "items": items,
        "can_edit": is_reviewer,
    }
    if can_record and meeting.date <= today:
        context["decision_form"] = decision_form or _decision_form(request, meeting)
        context["decision_errors"] = top_errors(decision_form)
    if is_reviewer:
        units = units_for(user)
        context["minutes_form"] = minutes_form or MinutesForm(initial={"minutes": meeting.minutes})
        context["item_form"] = item_form or DecidedItemForm(
            projects=gateway.visible_projects(user).counted().order_by("name"),
            units=units,
        )
        context["item_errors"] = top_errors(item_form)
    return render(request, "dispatch/meeting_detail.html", context, status=status)


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
        request.POST,
        projects=gateway.visible_projects(user).counted().order_by("name"),
        units=units_for(user),
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.problem_raise_and_assign(
                description=data["description"],
                category=data["category"],
                tier=meeting.tier,
                project=data["project"],
                meeting=meeting,
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


# --- decided items (会议议定事项) and the meeting's papers ---------------------------------------------------


def _decision_args(data: dict) -> dict:
    return {
        "text": data["text"],
        "responsible_unit": data["responsible_unit"],
        "support_units": data["support_units"],
        "deadline": data["deadline"],
        "project": data["project"],
        "problem": data["problem"],
    }


def _recording_meeting(request, pk):
    meeting = gateway.get_visible_meeting(request.user, pk)
    if not gateway.can_record_decisions(request.user, meeting):
        raise PermissionDenied
    return meeting


@login_required
@require_POST
def meeting_decision_add(request, pk):
    meeting = _recording_meeting(request, pk)
    form = _decision_form(request, meeting, request.POST)
    if form.is_valid():
        try:
            services.decision_add(meeting=meeting, **_decision_args(form.cleaned_data), by=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Decided item recorded."))
            return redirect(reverse("dispatch:meeting", args=[meeting.pk]) + "#decisions")
    return _render_meeting(request, meeting, decision_form=form, status=400)


@login_required
def meeting_decision_edit(request, pk, decision_pk):
    meeting = _recording_meeting(request, pk)
    decision = gateway.get_visible_decision(request.user, meeting, decision_pk)
    if request.method == "POST":
        form = _decision_form(request, meeting, request.POST)
        if form.is_valid():
            try:
                services.decision_update(
                    decision=decision,
                    **_decision_args(form.cleaned_data),
                    expected_version=form.cleaned_data["version"],
                    by=request.user,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Decided item saved."))
                return redirect(reverse("dispatch:meeting", args=[meeting.pk]) + "#decisions")
        status = 400
    else:
        form = _decision_form(
            request,
            meeting,
            initial={
                "text": decision.text,
                "responsible_unit": decision.responsible_unit_id,
                "support_units": [unit.pk for unit in decision.support_units.all()],
                "deadline": decision.deadline,
                "project": decision.project_id,
                "problem": decision.problem_id,
                "version": decision.version,
            },
        )
        status = 200
    return render(
        request,
        "dispatch/meeting_decision_form.html",
        {"meeting": meeting, "decision": decision, "form": form, "form_errors": top_errors(form)},
        status=status,
    )


@login_required
@require_POST
def meeting_decision_remove(request, pk, decision_pk):
    meeting = _recording_meeting(request, pk)
    decision = gateway.get_visible_decision(request.user, meeting, decision_pk)
    form = DecisionRemoveForm(request.POST)
    version = form.cleaned_data["version"] if form.is_valid() else None
    try:
        services.decision_remove(decision=decision, expected_version=version, by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Decided item removed."))
    return redirect(reverse("dispatch:meeting", args=[meeting.pk]) + "#decisions")


def _docx(filename: str, content: bytes) -> HttpResponse:
    response = HttpResponse(content, content_type=papers.DOCX_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


@login_required
def meeting_agenda_docx(request, pk):
    """The agenda (会议议程) as a .docx: whoever sees the meeting may download it."""
    meeting = gateway.get_visible_meeting(request.user, pk)
    return _docx(*papers.agenda_docx(meeting))


@login_required
def meeting_minutes_docx(request, pk):
    """The minutes (会议纪要) with the decided items as a .docx: whoever sees the meeting may download it."""
    meeting = gateway.get_visible_meeting(request.user, pk)
    return _docx(*papers.minutes_docx(meeting))
