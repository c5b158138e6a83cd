"""Value entry and review: the lead unit's grid, a value's page with its review steps, evidence,
the review queue."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guatu.access import gateway
from guatu.assessment import services
from guatu.assessment.forms import (
    EvidenceForm,
    PeriodForm,
    QueueFilterForm,
    ReasonForm,
    ValueRowForm,
)
from guatu.assessment.models import (
    Indicator,
    IndicatorValue,
    Source,
    ValueStatus,
)
from guatu.assessment.views.common import (
    EDITABLE,
    add_form_errors,
    error_texts,
    is_htmx,
    latest_value_period,
    num,
    period_or_404,
    require_office,
    visible_value,
)
from guatu.lib.periods import Period
from guatu.orgs.models import OrgUnit
from guatu.web.forms import safe_next, show_month


@login_required
def value_index(request):
    """The indicators the user enters, with how far the month's values have come."""
    user = request.user
    form = PeriodForm(request.GET or None)
    period = (form.cleaned_data["period"] if form.is_valid() else None) or latest_value_period()
    show_month(form, period)
    indicators = [
        ind
        for ind in gateway.visible_indicators(user)
        .filter(source=Source.ENTERED)
        .select_related("lead_unit")
        .order_by("category", "code")
        if gateway.can_enter_indicator(user, ind)
    ]
    counts = {
        (row["indicator_id"], row["status"]): row["n"]
        for row in gateway.visible_values(user)
        .filter(year=period.year, month=period.month, indicator__in=[i.pk for i in indicators])
        .values("indicator_id", "status")
        .annotate(n=Count("pk"))
    }
    for ind in indicators:
        ind.counts = [
            (label, counts.get((ind.pk, status), 0), status) for status, label in ValueStatus.choices
        ]
    return render(
        request,
        "assessment/value_index.html",
        {"form": form, "period": period, "indicators": indicators, "tab": "values"},
    )


def _entry_units(user, indicator: Indicator, year: int) -> list[dict]:
    """The units the indicator scores in the user's visible schemes of the year, in scheme order."""
    seen: dict[str, dict] = {}
    schemes = list(
        gateway.visible_schemes(user)
        .filter(year=year)
        .select_related("jurisdiction")
        .order_by("kind", "code")
    )
    for scheme in schemes:
        rows = [r for r in scheme.definition["indicators"] if r["code"] == indicator.code]
        if not rows:
            continue
        row = rows[0]
        for group in scheme.definition["groups"]:
            if row.get("groups") and group["code"] not in row["groups"]:
                continue
            for name in group.get("units") or []:
                if name in (row.get("not_applicable") or []) or name in seen:
                    continue
                target = (row.get("targets") or {}).get(name, row.get("target"))
                seen[name] = {"scheme": scheme, "group": group.get("name", group["code"]), "target": target}
    if not seen:
        return []
    units = OrgUnit.objects.filter(name__in=list(seen))
    by_name = {}
    for unit in units:
        scheme = seen[unit.name]["scheme"]
        if unit.is_within(scheme.jurisdiction):
            by_name[unit.name] = unit
    return [
        {
            "unit": by_name[name],
            "group": info["group"],
            "scheme_target": num(info["target"]) if info["target"] is not None else "",
        }
        for name, info in seen.items()
        if name in by_name
    ]


@login_required
def value_grid(request, indicator_pk: int, period: str):
    """The lead unit enters an indicator's values for every unit it scores, with evidence, and submits."""
    user = request.user
    period = period_or_404(period)
    indicator = gateway.get_visible_indicator(user, indicator_pk)
    if not gateway.can_enter_indicator(user, indicator):
        raise PermissionDenied
    units = _entry_units(user, indicator, period.year)
    existing = {
        v.unit_id: v
        for v in IndicatorValue.objects.filter(
            indicator=indicator, year=period.year, month=period.month, unit__in=[u["unit"] for u in units]
        )
        .select_related("reviewed_by")
        .prefetch_related("evidence")
    }
    posted = request.method == "POST" and indicator.source == Source.ENTERED
    rows = []
    for info in units:
        unit = info["unit"]
        value = existing.get(unit.pk)
        initial = {}
        if value is not None:
            initial = {
                "value": num(value.value) if value.value is not None else "",
                "not_applicable": value.not_applicable,
                "target": num(value.target) if value.target is not None else "",
                "note": value.note,
                "version": value.version,
            }
        editable = value is None or value.status in EDITABLE
        form = ValueRowForm(
            request.POST if posted and editable else None,
            request.FILES if posted and editable else None,
            prefix=f"u{unit.pk}",
            initial=initial,
            unit_name=unit.name,
        )
        rows.append({**info, "value": value, "form": form, "editable": editable})

    status = 200
    if posted:
        status = 400
        if all(row["form"].is_valid() for row in rows if row["editable"]):
            try:
                saved, submitted = services.values_save_grid(
                    indicator=indicator,
                    period=period,
                    rows=[
                        _grid_row(row["unit"], row["form"].cleaned_data)
                        for row in rows
                        if row["editable"] and not (row["value"] is None and row["form"].is_blank())
                    ],
                    by=user,
                    submit="submit" in request.POST,
                )
            except services.GridRefused as refused:
                forms = {row["unit"].pk: row for row in rows}
                for unit_pk, error in refused.errors.items():
                    _add_row_errors(forms[unit_pk]["form"], forms[unit_pk]["unit"], error)
                if any("version" in getattr(e, "error_dict", {}) for e in refused.errors.values()):
                    status = 409
            else:
                if submitted:
                    messages.success(
                        request, _("%(n)s values saved and submitted for review.") % {"n": submitted}
                    )
                elif saved:
                    messages.success(
                        request, _("%(n)s values saved as drafts. Submit them when complete.") % {"n": saved}
                    )
                else:
                    messages.info(request, _("Nothing changed."))
                return redirect("assessment:value_grid", indicator_pk=indicator.pk, period=str(period))
    errors = [
        error
        for row in rows
        if row["form"].is_bound
        for field_errors in row["form"].errors.values()
        for error in field_errors
    ]
    return render(
        request,
        "assessment/value_grid.html",
        {
            "indicator": indicator,
            "period": period,
            "rows": rows,
            "errors": errors,
            "any_editable": any(row["editable"] for row in rows),
            "previous": period.previous(),
            "next": period.next(),
            "tab": "values",
        },
        status=status,
    )


def _grid_row(unit, data: dict) -> services.GridRow:
    return services.GridRow(
        unit=unit,
        value=data["value"],
        not_applicable=bool(data["not_applicable"]),
        target=data["target"],
        note=data["note"],
        expected_version=data["version"],
        evidence=data.get("evidence"),
    )


def _add_row_errors(form, unit, error: ValidationError) -> None:
    """A refused row's errors beside its fields, each naming the unit (the grid lists them all at the top)."""
    prefixed = ValidationError(
        {
            field: [_("%(unit)s: %(error)s") % {"unit": unit.name, "error": str(m)} for m in ms]
            for field, ms in error.message_dict.items()
        }
        if hasattr(error, "error_dict")
        else [_("%(unit)s: %(error)s") % {"unit": unit.name, "error": str(m)} for m in error.messages]
    )
    add_form_errors(form, prefixed)


@login_required
def value_detail(request, pk: int):
    value = visible_value(request.user, pk)
    return _render_value(request, value)


def _render_value(request, value: IndicatorValue, *, failed: str = "", failed_form=None, errors=()):
    user = request.user
    is_office = gateway.can_manage_assessment(user)
    editable = value.status in EDITABLE

    def form_for(action, form_class, **kw):
        return failed_form if failed == action else form_class(**kw)

    value.value_text, value.target_text = num(value.value), num(value.target)
    return render(
        request,
        "assessment/value_detail.html",
        {
            "value": value,
            "period": Period(value.year, value.month),
            "evidence": list(value.evidence.all()),
            "can_upload": editable,
            "can_submit": editable,
            "can_review": is_office and value.status == ValueStatus.SUBMITTED,
            # four eyes: whoever filled the value in does not approve it
            "can_approve": is_office
            and value.status == ValueStatus.SUBMITTED
            and value.entered_by_id != user.pk,
            "can_unlock": is_office
            and value.status == ValueStatus.APPROVED
            and gateway.can_unlock(request.user),
            "evidence_form": form_for("evidence", EvidenceForm),
            "return_form": form_for("return", ReasonForm),
            "unlock_form": form_for("unlock", ReasonForm),
            "failed": failed,
            "action_errors": [*errors, *(e for es in failed_form.errors.values() for e in es)]
            if failed_form
            else list(errors),
            "tab": "review" if is_office else "values",
        },
        status=400 if failed_form is not None or errors else 200,
    )


def _posted_version(request) -> int | None:
    """The version the page showed; a missing or garbled one is None, which the service refuses."""
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return None


def _value_action(request, pk: int, *, action: str):
    user = request.user
    value = visible_value(user, pk)
    reviewer_action = action in ("approve", "return", "unlock")
    if reviewer_action:
        require_office(user)
    if action == "unlock" and not gateway.can_unlock(user):
        raise PermissionDenied(
            _("Only a role above the reviewer's (the city administrator) unlocks an approved value.")
        )
    form = None
    if action in ("return", "unlock"):
        what = _("returning the value") if action == "return" else _("unlocking the value")
        form = ReasonForm(request.POST, what=what)
        if not form.is_valid():
            return _render_value(request, value, failed=action, failed_form=form)
    version = _posted_version(request)
    try:
        if action == "submit":
            services.value_submit(value=value, expected_version=version, by=user)
            done = _("Value submitted for review.")
        elif action == "approve":
            services.value_approve(value=value, expected_version=version, by=user)
            done = _("Value approved: it is locked and counts in the results.")
        elif action == "return":
            services.value_return(
                value=value, reason=form.cleaned_data["reason"], expected_version=version, by=user
            )
            done = _("Value returned to the lead unit with your reason.")
        else:
            services.value_unlock(
                value=value, reason=form.cleaned_data["reason"], expected_version=version, by=user
            )
            done = _("Value unlocked and returned to the lead unit for correction.")
    except ValidationError as error:
        if is_htmx(request):
            return render(
                request, "assessment/_queue_row.html", {"value": value, "errors": error_texts(error)}
            )
        if form is None:
            return _render_value(request, visible_value(user, pk), errors=error_texts(error))
        form.add_error(None, error_texts(error))
        return _render_value(request, visible_value(user, pk), failed=action, failed_form=form)
    if is_htmx(request):  # approved from the queue: the row says so, the rest of the page stays
        return render(request, "assessment/_queue_row.html", {"value": value, "done": done})
    messages.success(request, done)
    next_url = safe_next(request, request.POST.get("next"))
    return redirect(next_url or reverse("assessment:value_detail", args=[value.pk]))


@login_required
@require_POST
def value_submit(request, pk: int):
    return _value_action(request, pk, action="submit")


@login_required
@require_POST
def value_approve(request, pk: int):
    return _value_action(request, pk, action="approve")


@login_required
@require_POST
def value_return(request, pk: int):
    return _value_action(request, pk, action="return")


@login_required
@require_POST
def value_unlock(request, pk: int):
    return _value_action(request, pk, action="unlock")


@login_required
@require_POST
def evidence_upload(request, pk: int):
    user = request.user
    value = visible_value(user, pk)
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.evidence_add(value=value, file=form.cleaned_data["file"], by=user)
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            messages.success(request, _("Evidence added."))
            return redirect("assessment:value_detail", pk=value.pk)
    return _render_value(request, value, failed="evidence", failed_form=form)


@login_required
def evidence_download(request, pk: int):
    """Evidence is served only through this view, to those who may see the value; never a public URL."""
    evidence = gateway.get_visible_evidence(request.user, pk)
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError:
        raise Http404("file missing") from None
    return FileResponse(handle, as_attachment=True, filename=evidence.name.rsplit("/", 1)[-1])


def queue_values(user, form: QueueFilterForm):
    """The review queue's status (submitted unless chosen), month and values, oldest first (page and export)."""
    status, period = ValueStatus.SUBMITTED, None
    if form.is_valid():
        status = form.cleaned_data["status"] or ValueStatus.SUBMITTED
        period = form.cleaned_data["period"]
    values = (
        gateway.visible_values(user)
        .filter(status=status)
        .select_related("indicator", "unit", "entered_by")
        .prefetch_related("evidence")
        .order_by("updated_at", "pk")
    )
    if period:
        values = values.filter(year=period.year, month=period.month)
    return status, period, values


@login_required
def review_queue(request):
    """Values by review status (submitted by default, oldest first): approve or return them, or find an
    approved one to unlock."""
    user = request.user
    require_office(user)
    form = QueueFilterForm(request.GET or None)
    status, period, values = queue_values(user, form)
    values = list(values)
    for value in values:
        value.value_text, value.target_text = num(value.value), num(value.target)
    return render(
        request,
        "assessment/review_queue.html",
        {
            "form": form,
            "status": status,
            "values": values,
            "here": request.get_full_path(),
            "tab": "review",
            "may_unlock": gateway.can_unlock(user),
        },
    )
