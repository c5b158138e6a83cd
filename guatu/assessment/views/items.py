"""Bonus, penalty and veto items of a scheme's month."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from guatu.access import gateway
from guatu.assessment import services
from guatu.assessment.forms import (
    ItemForm,
)
from guatu.assessment.models import (
    AssessmentItem,
    ResultSnapshot,
    SnapshotStatus,
)
from guatu.assessment.views.common import (
    add_form_errors,
    period_or_404,
    require_office,
    scheme_units,
)


@login_required
def items(request, pk: int, period: str):
    user = request.user
    scheme = gateway.get_visible_scheme(user, pk)
    period = period_or_404(period)
    require_office(user, scheme)
    units = scheme_units(scheme)
    form = ItemForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.item_add(
                scheme=scheme,
                unit=data["unit"],
                period=period,
                kind=data["kind"],
                points=data["points"],
                reason=data["reason"],
                by=user,
            )
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            messages.success(request, _("Item added for %(unit)s.") % {"unit": data["unit"].name})
            return redirect("assessment:items", pk=scheme.pk, period=str(period))
    rows = (
        AssessmentItem.objects.filter(scheme=scheme, year=period.year, month=period.month)
        .select_related("unit", "created_by")
        .order_by("unit__path", "kind", "id")
    )
    return render(
        request,
        "assessment/items.html",
        {
            "scheme": scheme,
            "period": period,
            "form": form,
            "rows": list(rows),
            "bonus_cap": scheme.definition.get("bonus_cap"),
            "penalty_cap": scheme.definition.get("penalty_cap"),
            # Published results take no new item (the service refuses and audits a stale form's attempt).
            "published": ResultSnapshot.objects.filter(
                scheme=scheme, year=period.year, month=period.month, status=SnapshotStatus.PUBLISHED
            ).exists()
            and not form.is_bound,
            "tab": "schemes",
        },
        status=400 if form.is_bound else 200,
    )
