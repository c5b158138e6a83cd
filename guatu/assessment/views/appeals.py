"""Appeals: a unit raises one from its score card; the office answers."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guatu.access import gateway
from guatu.assessment import services
from guatu.assessment.forms import (
    AnswerForm,
    AppealForm,
)
from guatu.assessment.models import (
    Indicator,
)
from guatu.assessment.queries import values_to_correct
from guatu.assessment.views.common import (
    add_form_errors,
    card_url,
    error_texts,
    period_or_404,
    require_office,
    results_url,
)
from guatu.assessment.views.results import _card_context, _render_card


@login_required
@require_POST
def appeal_raise(request, pk: int, period: str, unit_pk: int):
    user = request.user
    scheme = gateway.get_visible_scheme(user, pk)
    period = period_or_404(period)
    snap, unit, card_ = _card_context(request, scheme, period, unit_pk)
    if not gateway.can_appeal(user, unit):
        raise PermissionDenied
    form = AppealForm(request.POST, indicators=[(i["code"], i["name"]) for i in card_.indicators])
    if form.is_valid():
        try:
            services.appeal_raise(
                snapshot=snap,
                indicator_code=form.cleaned_data["indicator_code"],
                reason=form.cleaned_data["reason"],
                by=user,
            )
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            messages.success(request, _("Appeal raised; the assessment office will answer it."))
            return redirect("assessment:card", pk=scheme.pk, period=str(period), unit_pk=unit.pk)
    return _render_card(request, scheme, period, snap, unit, card_, appeal_form=form)


@login_required
def appeal_list(request):
    user = request.user
    require_office(user)
    appeals = list(
        gateway.visible_appeals(user)
        .select_related("snapshot__scheme", "unit", "raised_by", "answered_by", "corrected_in")
        .order_by("status", "-raised_at")
    )
    library = dict(
        Indicator.objects.filter(code__in={a.indicator_code for a in appeals}).values_list("code", "name")
    )
    to_correct = values_to_correct([a for a in appeals if a.awaits_correction])
    for appeal in appeals:
        named = {r["code"]: r.get("name") for r in appeal.snapshot.definition["indicators"]}
        appeal.indicator_name = named.get(appeal.indicator_code) or library.get(
            appeal.indicator_code, appeal.indicator_code
        )
        appeal.version_url = card_url(appeal.snapshot, appeal.unit_id)
        appeal.corrected_url = results_url(appeal.corrected_in) if appeal.corrected_in else None
        appeal.value_to_correct = to_correct.get(appeal.pk)
    return render(
        request,
        "assessment/appeal_list.html",
        {"appeals": appeals, "answer_form": AnswerForm(), "tab": "appeals"},
    )


@login_required
@require_POST
def appeal_answer(request, pk: int):
    user = request.user
    appeal = gateway.get_visible_appeal(user, pk)
    require_office(user, appeal.snapshot.scheme)
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            services.appeal_answer(
                appeal=appeal, outcome=form.cleaned_data["outcome"], answer=form.cleaned_data["answer"], by=user
            )
        except ValidationError as error:
            for message in error_texts(error):
                messages.error(request, message)
        else:
            messages.success(request, _("Appeal answered."))
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    return redirect(reverse("assessment:appeal_list") + f"#appeal-{appeal.pk}")
