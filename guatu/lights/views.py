"""Lights pages: the red and yellow list (红黄榜) with counts per level tag and year-end projections, the
reviewers' recompute button, and the city administrator's warning rules (form fields or a YAML file).
A project's light history for its page is guatu.lights.queries.project_lights (lights/_project_lights.html).
"""

from __future__ import annotations

from dataclasses import fields as dataclass_fields

import yaml
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guatu.access import gateway
from guatu.audit.history import history_rows
from guatu.audit.queries import history_of
from guatu.lib.dbrouter import replica_reads
from guatu.lib.lights import RuleSet
from guatu.lights.forms import BoardForm, ComputeForm, DefaultPeriodForm, RulesFileForm, RulesForm
from guatu.lights.models import LightColor, RuleSetting
from guatu.lights.queries import lights_by_tag, warned_rows
from guatu.lights.services import (
    default_period,
    default_period_set,
    lights_compute_year,
    rules_for,
    rules_set,
)
from guatu.web.tables import row_url

SEVERITY = {LightColor.RED: 0, LightColor.YELLOW: 1, LightColor.GREEN: 2}

# The rules' audited keys are the form's fields: a light setting's value reads as its colour's name.
RULE_CHOICES = {
    name: field.choices
    for name, field in RulesForm.base_fields.items()
    if isinstance(field, forms.ChoiceField)
}


# ------------------------------------------------------------------------------------ red and yellow list


def board_scope(request):
    """The board's filter form, the unit chosen (or None), the projects it covers and its month (page and export)."""
    user = request.user
    form = BoardForm(request.GET or None, user=user)
    filters = form.filters()
    unit = filters.get("unit")
    projects = gateway.visible_projects(user)
    if unit is not None:
        projects = projects.in_unit(unit)
    period = filters.get("period") or default_period(unit or gateway.default_unit(user))
    return form, unit, projects, period


@login_required
@replica_reads
def board(request):
    """The red and yellow list of a month for the projects the user sees, optionally narrowed to a unit."""
    user = request.user
    form, unit, projects, period = board_scope(request)
    warned = warned_rows(projects, period)
    detail = row_url("projects:detail")
    for light in warned:
        light["url"] = detail(light["project_id"])
    warned.sort(key=lambda light: SEVERITY[light["light"]])  # red first, then yellow; stable within each
    per_unit: dict[int, dict] = {}
    for light in warned:
        location = light["location"]
        row = per_unit.setdefault(location["pk"], {"unit": location, "red": 0, "yellow": 0})
        row[light["light"]] += 1
    # only a reviewer computes: nobody else pays for the unit (a leader's default unit is a query each time)
    compute_unit = (unit or gateway.default_unit(user)) if gateway.is_reviewer(user) else None
    return render(
        request,
        "lights/board.html",
        {
            "form": form,
            "period": period,
            "unit": unit,
            "tags": lights_by_tag(projects, period),
            "red": [light for light in warned if light["light"] == LightColor.RED],
            "yellow": [light for light in warned if light["light"] == LightColor.YELLOW],
            "per_unit": sorted(
                per_unit.values(), key=lambda row: (-row["red"], -row["yellow"], row["unit"]["path"])
            ),
            "can_compute": compute_unit is not None,
            "compute_unit": compute_unit,
            "can_edit_rules": gateway.rules_unit(user) is not None,
        },
    )


@login_required
@require_POST
def compute(request):
    """Reviewers (re)compute a month's lights, January first so that each month remembers the one before."""
    user = request.user
    if not gateway.is_reviewer(user):
        raise PermissionDenied
    form = ComputeForm(request.POST, user=user)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("lights:board")
    period, unit = form.cleaned_data["period"], form.cleaned_data["unit"] or gateway.default_unit(user)
    if unit is None:
        raise PermissionDenied
    count = lights_compute_year(unit=unit, period=period)
    messages.success(
        request,
        _("Lights computed for %(count)s projects of %(unit)s, January to %(period)s.")
        % {"count": count, "unit": unit.display_name, "period": period},
    )
    query = {"period": str(period)}
    if form.cleaned_data["unit"]:
        query["unit"] = unit.pk
    return redirect(reverse("lights:board") + "?" + urlencode(query))


# ------------------------------------------------------------------------------------------ warning rules


def _rules_unit(user):
    unit = gateway.rules_unit(user)
    if unit is None:
        raise PermissionDenied
    return unit


def _rules_rows(stored: dict, effective: RuleSet) -> list[dict]:
    defaults = RuleSet()
    form = RulesForm()
    rows = []
    for f in dataclass_fields(RuleSet):
        value, default = getattr(effective, f.name), getattr(defaults, f.name)
        rows.append(
            {
                "name": f.name,
                "label": form.fields[f.name].label,
                "value": _shown(value),
                "default": _shown(default),
                "set": f.name in stored,
            }
        )
    return rows


def _shown(value) -> str:
    code = getattr(value, "code", None)
    if code:
        return str(LightColor(code).label)
    return str(value)


@login_required
def rules(request):
    unit = _rules_unit(request.user)
    return _render_rules(request, unit)


def _render_rules(request, unit, *, form=None, file_form=None, default_form=None):
    setting = RuleSetting.objects.filter(unit=unit).select_related("updated_by").first()
    effective = rules_for(unit)
    history = history_rows(
        history_of(setting) if setting else [],
        field_labels={
            **{name: field.label for name, field in RulesForm.base_fields.items()},
            "default_period": DefaultPeriodForm.base_fields["default_period"].label,
        },
        field_choices=RULE_CHOICES,
    )
    return render(
        request,
        "lights/rules.html",
        {
            "unit": unit,
            "setting": setting,
            "rows": _rules_rows(setting.rules if setting else {}, effective),
            "form": form or RulesForm(initial=RulesForm.initial_from(effective)),
            "file_form": file_form or RulesFileForm(),
            "default_form": default_form
            or DefaultPeriodForm(initial={"default_period": setting.default_period if setting else ""}),
            "default_period": default_period(unit),
            "history": history[::-1],  # newest first
        },
    )


@login_required
@require_POST
def rules_edit(request):
    unit = _rules_unit(request.user)
    form = RulesForm(request.POST)
    if form.is_valid():
        try:
            rules_set(unit=unit, rules=form.rules(), by=request.user)
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("Warning rules saved. They apply the next time lights are computed."))
            return redirect("lights:rules")
    return _render_rules(request, unit, form=form)


@login_required
@require_POST
def default_period_edit(request):
    """The city administrator sets (or clears) the month the jurisdiction's pages open on."""
    unit = _rules_unit(request.user)
    form = DefaultPeriodForm(request.POST)
    if form.is_valid():
        try:
            default_period_set(unit=unit, period=form.cleaned_data["default_period"], by=request.user)
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(
                request, _("Saved: pages now open on %(month)s.") % {"month": default_period(unit)}
            )
            return redirect("lights:rules")
    return _render_rules(request, unit, default_form=form)


@login_required
@require_POST
def rules_upload(request):
    unit = _rules_unit(request.user)
    file_form = RulesFileForm(request.POST, request.FILES)
    if file_form.is_valid():
        try:
            new_rules = file_form.rules()
            rules_set(unit=unit, rules=new_rules, by=request.user)
        except ValidationError as error:
            file_form.add_error(None, error.messages)
        else:
            messages.success(
                request,
                _(
                    "Warning rules loaded from %(name)s. Settings the file leaves out take their default values."
                )
                % {"name": request.FILES["file"].name},
            )
            return redirect("lights:rules")
    return _render_rules(request, unit, file_form=file_form)


@login_required
def rules_yaml(request):
    """The rules in force as a file in the documented format: download, edit, upload again."""
    unit = _rules_unit(request.user)
    current = RulesForm.initial_from(rules_for(unit))
    current = {
        key: (format(value, "f") if hasattr(value, "quantize") else value) for key, value in current.items()
    }
    text = f"# {unit.name}\n" + yaml.safe_dump({"rules": current}, allow_unicode=True, sort_keys=False)
    response = HttpResponse(text, content_type="application/yaml; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="lights-rules.yaml"'
    return response
