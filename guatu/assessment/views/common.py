"""Helpers the assessment pages share: rows through the access gateway, periods from the URL, numbers
as people read them."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Max
from django.http import Http404
from django.urls import reverse

from guatu import clock
from guatu.access import gateway
from guatu.assessment.forms import (
    period_or_none,
    scheme_error_text,
)
from guatu.assessment.models import (
    IndicatorValue,
    ResultSnapshot,
    Scheme,
    SnapshotStatus,
    ValueStatus,
)
from guatu.lib.periods import Period
from guatu.orgs.models import OrgUnit
from guatu.web.forms import add_service_errors

EDITABLE = (ValueStatus.DRAFT, ValueStatus.RETURNED)


def period_or_404(text: str) -> Period:
    period = period_or_none(text)
    if period is None:
        raise Http404("bad period")
    return period


def require_office(user, scheme: Scheme | None = None) -> None:
    if not gateway.can_manage_assessment(user, scheme):
        raise PermissionDenied


def visible_value(user, pk) -> IndicatorValue:
    value = gateway.get_visible_value(user, pk)
    if not gateway.can_enter_indicator(user, value.indicator, value.unit):
        raise Http404("value not found")
    return value


def units_named(scheme: Scheme, names) -> dict[str, OrgUnit]:
    return {
        u.name: u
        for u in OrgUnit.objects.filter(name__in=list(names), path__startswith=scheme.jurisdiction.path)
    }


def scheme_units(scheme: Scheme) -> list[OrgUnit]:
    names = [u for g in scheme.definition["groups"] for u in g.get("units") or []]
    by_name = units_named(scheme, names)
    return [by_name[n] for n in names if n in by_name]


def is_htmx(request) -> bool:
    return bool(request.headers.get("HX-Request"))


def error_texts(error: ValidationError) -> list[str]:
    if hasattr(error, "message_dict"):
        return [scheme_error_text(str(m)) for ms in error.message_dict.values() for m in ms]
    return [scheme_error_text(str(m)) for m in error.messages]


def add_form_errors(form, error: ValidationError) -> None:
    add_service_errors(form, error, translate=scheme_error_text)


def latest_value_period() -> Period:
    latest = IndicatorValue.objects.aggregate(year=Max("year"))["year"]
    if latest:
        month = IndicatorValue.objects.filter(year=latest).aggregate(month=Max("month"))["month"]
        return Period(latest, month)
    return Period.of(clock.today())


def num(value) -> str:
    """Decimal text as people read it: trailing zeros of a fraction dropped, never an exponent."""
    if value is None or value == "":
        return "—"
    text = format(Decimal(str(value)), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def snapshot_of(scheme: Scheme, period: Period) -> ResultSnapshot | None:
    return (
        ResultSnapshot.objects.filter(scheme=scheme, year=period.year, month=period.month)
        .select_related("computed_by", "published_by")
        .first()
    )


def results_url(snap: ResultSnapshot) -> str:
    """A version's results: the period's page for the current one, the version's own page once superseded."""
    if snap.status == SnapshotStatus.SUPERSEDED:
        return reverse("assessment:results_version", args=[snap.scheme_id, snap.period, snap.revision])
    return reverse("assessment:results", args=[snap.scheme_id, snap.period])


def card_url(snap: ResultSnapshot, unit_pk: int) -> str:
    """A unit's card in a version, as `results_url`."""
    if snap.status == SnapshotStatus.SUPERSEDED:
        return reverse("assessment:card_version", args=[snap.scheme_id, snap.period, snap.revision, unit_pk])
    return reverse("assessment:card", args=[snap.scheme_id, snap.period, unit_pk])


def year_param(request, default: int) -> int:
    try:
        year = int(request.GET.get("year", default))
    except ValueError:
        return default
    return year if 1900 <= year <= 2999 else default
