"""The list of level tags (项目级别: 省重点, 娄底市重点, 市本级重点 …), kept by the city administrator."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guatu.access import gateway
from guatu.projects import schedule
from guatu.projects.models import LevelTag
from guatu.projects.schedule_forms import LevelTagForm, VersionedForm
from guatu.web.forms import add_service_errors, top_errors


def _require_tag_manager(user) -> None:
    if not gateway.can_manage_tags(user):
        raise PermissionDenied


def _render_form(request, form, tag=None):
    return render(
        request,
        "projects/tag_form.html",
        {"form": form, "tag": tag, "form_errors": top_errors(form)},
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
def tag_list(request):
    """Every tag with the number of projects on it, and which of them this administrator may change (two
    queries)."""
    _require_tag_manager(request.user)
    tags = LevelTag.objects.annotate(project_count=Count("projects")).order_by("sort_order", "id")
    mine = set(gateway.manageable_tags(request.user).values_list("pk", flat=True))
    return render(request, "projects/tag_list.html", {"tags": tags, "mine": mine})


@login_required
def tag_add(request):
    _require_tag_manager(request.user)
    form = LevelTagForm(request.POST or None, new=True)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            tag = schedule.level_tag_add(
                code=data["code"],
                name=data["name"],
                bulletin_label=data["bulletin_label"],
                sort_order=data["sort_order"],
                in_bulletin=data["in_bulletin"],
                by=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Level tag %(name)s added.") % {"name": tag.name})
            return redirect("projects:tag_list")
    return _render_form(request, form)


@login_required
def tag_edit(request, pk):
    _require_tag_manager(request.user)
    tag = gateway.get_manageable_tag(request.user, pk)
    initial = {
        name: getattr(tag, name)
        for name in ("name", "bulletin_label", "sort_order", "in_bulletin", "version")
    }
    form = LevelTagForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            schedule.level_tag_update(
                tag=tag,
                name=data["name"],
                bulletin_label=data["bulletin_label"],
                sort_order=data["sort_order"],
                in_bulletin=data["in_bulletin"],
                expected_version=data["version"],
                by=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Level tag %(name)s saved.") % {"name": data["name"]})
            return redirect("projects:tag_list")
    return _render_form(request, form, tag)


@login_required
@require_POST
def tag_delete(request, pk):
    """Only a tag no project carries can go; the list page offers the button only for those."""
    _require_tag_manager(request.user)
    tag = gateway.get_manageable_tag(request.user, pk)
    form = VersionedForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form.errors["version"])
        schedule.level_tag_delete(tag=tag, expected_version=form.cleaned_data["version"], by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Level tag %(name)s deleted.") % {"name": tag.name})
    return redirect("projects:tag_list")
