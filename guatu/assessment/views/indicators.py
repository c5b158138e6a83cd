"""The indicator library: list, create, edit."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from guatu.access import gateway
from guatu.assessment import services
from guatu.assessment.forms import (
    IndicatorFilterForm,
    IndicatorForm,
)
from guatu.assessment.models import (
    Indicator,
)
from guatu.assessment.views.common import (
    add_form_errors,
    require_office,
)


@login_required
def home(request):
    return redirect("assessment:scheme_list")


@login_required
def indicator_list(request):
    form = IndicatorFilterForm(request.GET or None)
    indicators = (
        gateway.visible_indicators(request.user).select_related("lead_unit").order_by("category", "code")
    )
    if form.is_valid() and form.cleaned_data["category"]:
        indicators = indicators.filter(category=form.cleaned_data["category"])
    return render(
        request,
        "assessment/indicator_list.html",
        {
            "form": form,
            "indicators": list(indicators),
            "can_edit": gateway.can_manage_assessment(request.user),
            "tab": "indicators",
        },
    )


def _indicator_form(request, indicator: Indicator | None):
    user = request.user
    require_office(user)
    units = gateway.visible_units(user).in_tree_order()
    initial = {}
    if indicator is not None:
        initial = {
            name: getattr(indicator, name) for name in services.INDICATOR_FIELDS if name != "lead_unit"
        }
        initial["lead_unit"] = indicator.lead_unit_id
    form = IndicatorForm(request.POST or None, initial=initial, units=units, editing=indicator is not None)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if not (indicator and k == "code")}
        data["computed_key"] = data.get("computed_key") or ""
        try:
            saved = services.indicator_save(data=data, indicator=indicator, by=user)
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            messages.success(request, _("Indicator %(name)s saved.") % {"name": saved.name})
            return redirect(reverse("assessment:indicator_list") + f"#ind-{saved.code}")
    return render(
        request,
        "assessment/indicator_form.html",
        {"form": form, "indicator": indicator, "tab": "indicators"},
    )


@login_required
def indicator_create(request):
    return _indicator_form(request, None)


@login_required
def indicator_edit(request, pk: int):
    require_office(request.user)
    return _indicator_form(request, gateway.get_visible_indicator(request.user, pk))
