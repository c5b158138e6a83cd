"""Results of a scheme's month: compute, publish, and each unit's score card."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guatu.access import gateway
from guatu.assessment import services
from guatu.assessment.exports import visible_groups
from guatu.assessment.forms import (
    AppealForm,
)
from guatu.assessment.models import (
    Appeal,
    AppealStatus,
    Indicator,
    ResultSnapshot,
    Scheme,
    SnapshotStatus,
)
from guatu.assessment.queries import period_versions, score_card, snapshot_of_revision
from guatu.assessment.views.common import (
    card_url,
    error_texts,
    num,
    period_or_404,
    require_office,
    snapshot_of,
)
from guatu.lib.periods import Period
from guatu.lib.scoring.whatif import needed_improvement


@login_required
def results(request, pk: int, period: str, revision: int | None = None):
    scheme = gateway.get_visible_scheme(request.user, pk)
    return _render_results(request, scheme, period_or_404(period), revision=revision)


def _version_of(scheme: Scheme, period: Period, revision: int | None) -> ResultSnapshot | None:
    """The period's current version, or the one asked for (earlier versions stay readable)."""
    if revision is None:
        return snapshot_of(scheme, period)
    snap = snapshot_of_revision(scheme, period, revision)
    if snap is None:
        raise Http404("no such version")
    return snap


def _render_results(request, scheme: Scheme, period: Period, *, compute_errors=(), revision=None):
    user = request.user
    is_office = gateway.can_manage_assessment(user, scheme)
    snap = _version_of(scheme, period, revision)
    if snap is None and not is_office:
        raise Http404("no results")
    groups, reproduces, appeals, awaiting, versions = [], None, 0, 0, []
    if snap is not None:
        groups = visible_groups(user, scheme, snap)
        if not groups:
            raise Http404("no results for this user")
        reproduces = services.snapshot_reproduces(snap)
        if is_office:
            appeals = snap.appeals.filter(status=AppealStatus.OPEN).count()
            awaiting = snap.appeals.awaiting_correction().count()
        versions = period_versions(scheme, period)
    return render(
        request,
        "assessment/results.html",
        {
            "scheme": scheme,
            "period": period,
            "snapshot": snap,
            "groups": groups,
            "reproduces": reproduces,
            "is_office": is_office,
            "compute_errors": compute_errors,
            "open_appeals": appeals,
            "awaiting_correction": awaiting,
            "versions": versions,
            "tab": "schemes",
        },
        status=400 if compute_errors else 200,
    )


@login_required
@require_POST
def results_compute(request, pk: int, period: str):
    user = request.user
    scheme = gateway.get_visible_scheme(user, pk)
    period = period_or_404(period)
    require_office(user, scheme)
    try:
        snap = services.snapshot_compute(scheme=scheme, period=period, by=user)
    except ValidationError as error:
        return _render_results(request, scheme, period, compute_errors=error_texts(error))
    if snap.status == SnapshotStatus.PUBLISHED:
        messages.success(
            request, _("The published results reproduce exactly from their inputs; nothing changed.")
        )
    else:
        messages.success(request, _("Results computed for %(period)s.") % {"period": period})
    return redirect("assessment:results", pk=scheme.pk, period=str(period))


def _office_result(user, pk: int, period: str):
    """The scheme, month and current result the assessment office acts on (404 without a result)."""
    scheme = gateway.get_visible_scheme(user, pk)
    period = period_or_404(period)
    require_office(user, scheme)
    snap = snapshot_of(scheme, period)
    if snap is None:
        raise Http404("no results")
    return scheme, period, snap


@login_required
@require_POST
def results_publish(request, pk: int, period: str):
    user = request.user
    scheme, period, snap = _office_result(user, pk, period)
    try:
        services.snapshot_publish(snapshot=snap, by=user)
    except ValidationError as error:
        for message in error_texts(error):
            messages.error(request, message)
    else:
        messages.success(request, _("Results published (公示): every unit can now see them."))
    return redirect("assessment:results", pk=scheme.pk, period=str(period))


# --------------------------------------------------------------------------------------- score card

# A result's frozen figures (JSON), left out where only a version's number and state are shown.
FIGURES = ("definition", "inputs", "results", "what_if")


def _card_version(scheme: Scheme, period: Period, revision: int | None) -> ResultSnapshot | None:
    """The version a card shows (the current one, or the one asked for), with the versions before and after
    it but not their figures. Its own inputs are read only if the card computes the what-if (a result not
    yet published), when they are first used."""
    versions = ResultSnapshot.objects.filter(scheme=scheme, year=period.year, month=period.month)
    if revision is not None:
        versions = versions.filter(revision=revision)
    snap = (
        versions.select_related("replaces", "superseded_by")
        .defer("inputs", *(f"{other}__{name}" for other in ("replaces", "superseded_by") for name in FIGURES))
        .first()
    )
    if snap is None and revision is not None:
        raise Http404("no such version")
    return snap


def _card_context(request, scheme: Scheme, period: Period, unit_pk: int, revision: int | None = None):
    user = request.user
    snap = _card_version(scheme, period, revision)
    if snap is None:
        raise Http404("no results")
    unit = gateway.get_card_unit(user, snap, unit_pk)
    card = score_card(snap, unit.name)
    if card is None:
        raise Http404("unit not assessed")
    return snap, unit, card


@login_required
def card(request, pk: int, period: str, unit_pk: int, revision: int | None = None):
    scheme = gateway.get_visible_scheme(request.user, pk)
    period = period_or_404(period)
    snap, unit, card_ = _card_context(request, scheme, period, unit_pk, revision)
    return _render_card(request, scheme, period, snap, unit, card_)


def _render_card(request, scheme, period, snap, unit, card_, *, appeal_form=None):
    user = request.user
    codes = [i["code"] for i in card_.indicators]
    library = {i.code: i for i in Indicator.objects.filter(code__in=codes)}
    spec_units = {r["code"]: r.get("unit", "") for r in snap.definition["indicators"]}
    rows = []
    for item in card_.indicators:
        ind = library.get(item["code"])
        measure = (ind.measure if ind else "") or spec_units.get(item["code"], "")
        rows.append(
            {
                **item,
                "name": ind.name if ind and item["name"] == item["code"] else item["name"],
                "measure": measure,
                "measure_text": f" {measure}" if measure else "",
                "lower": ind is not None and ind.direction == "lower",
                "points_text": num(item["points"]),
                "max_text": num(item["max_points"]),
                "lost_text": num(item["lost"]),
                "value_text": num(item["value"]),
                "gain_text": num(item["gain_per_unit"]) if item["gain_per_unit"] is not None else None,
                "to_next_text": num(needed_improvement(item["to_next_place"], measure))
                if item["to_next_place"] is not None
                else None,
                "not_applicable": item["points"] is None,
            }
        )
    losing = [r for r in rows if r["lost"] and r["lost"] > 0][:3]
    can_appeal = gateway.can_appeal(user, unit) and snap.status == SnapshotStatus.PUBLISHED
    if can_appeal and appeal_form is None:
        appeal_form = AppealForm(indicators=[(r["code"], r["name"]) for r in rows])
    names = {r["code"]: r["name"] for r in rows}
    # This version's appeals, and those of an earlier version that this one corrects.
    appeals = list(
        Appeal.objects.filter(Q(snapshot=snap) | Q(corrected_in=snap), unit=unit)
        .select_related("answered_by", "snapshot", "corrected_in")
        .defer(*(f"{version}__{name}" for version in ("snapshot", "corrected_in") for name in FIGURES))
        .order_by("raised_at")
    )
    for appeal in appeals:
        appeal.indicator_name = names.get(appeal.indicator_code, appeal.indicator_code)
        appeal.earlier_version = appeal.snapshot.revision if appeal.snapshot_id != snap.pk else None
        appeal.version_url = card_url(appeal.snapshot, unit.pk)
        appeal.corrected_url = card_url(appeal.corrected_in, unit.pk) if appeal.corrected_in else None
    full = sum((r["weight"] for r in rows), Decimal(0))
    applicable = sum((r["weight"] for r in rows if not r["not_applicable"]), Decimal(0))
    rescaling = {
        "full": num(full),
        "applicable": num(applicable),
        "left_out": "、".join(f"{r['name']}（{r['how']}）" for r in rows if r["not_applicable"]),
    }
    chart = {
        "names": [r["name"] for r in rows if not r["not_applicable"]],
        "points": [r["points"] for r in rows if not r["not_applicable"]],
        "lost": [format(r["lost"], "f") for r in rows if not r["not_applicable"]],
        "labels": {"points": _("Points"), "lost": _("Points lost")},
    }
    return render(
        request,
        "assessment/card.html",
        {
            "scheme": scheme,
            "period": period,
            "snapshot": snap,
            "unit": unit,
            "card": card_,
            "rows": rows,
            "losing": losing,
            "appeals": appeals,
            "can_appeal": can_appeal,
            "appeal_form": appeal_form,
            "chart": chart,
            "rescaling": rescaling,
            "is_office": gateway.can_manage_assessment(user, scheme),
            "current_card": card_url(snap.successor, unit.pk) if snap.status == SnapshotStatus.SUPERSEDED else None,
            "tab": "schemes",
        },
        status=400 if appeal_form is not None and appeal_form.is_bound else 200,
    )


@login_required
@require_POST
def results_republish(request, pk: int, period: str):
    """Publish a corrected version after upheld appeals (申诉更正后重新公示)."""
    user = request.user
    scheme, period, snap = _office_result(user, pk, period)
    try:
        new = services.snapshot_republish(snapshot=snap, by=user)
    except ValidationError as error:
        for message in error_texts(error):
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("Version %(revision)s published; version %(earlier)s is kept, marked superseded.")
            % {"revision": new.revision, "earlier": snap.revision},
        )
    return redirect("assessment:results", pk=scheme.pk, period=str(period))
