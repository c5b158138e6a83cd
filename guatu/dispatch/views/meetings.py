"""Dispatch meeting pages: the list, scheduling a meeting (its agenda is generated), minutes, decided items."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import F
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guatu import clock
from guatu.access import gateway
from guatu.dispatch import queries, services
from guatu.dispatch.forms import (
    DecidedItemForm,
    MeetingForm,
    MinutesForm,
)
from guatu.dispatch.models import OPEN_STATUSES, Tier
from guatu.dispatch.views.common import PAGE_SIZE, units_for
from guatu.lights.models import LightColor
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
        key=lambda entry: (entry.get("kind") != "project", queries.RED_FIRST.get(entry.get("light"), 3)),
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
        units = units_for(user)
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
