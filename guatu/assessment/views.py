"""Assessment pages: the indicator library, schemes, value entry and review, bonus/penalty/veto items,
results with publication, score cards with the what-if and appeals, the responsibility checklist,
benchmarking and the ten headline indicators.

Every view: rows through the access gateway → form → service → redirect with a message.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Max, Prefetch
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guatu import clock
from guatu.access import gateway
from guatu.assessment import services
from guatu.assessment.forms import (
    AnswerForm,
    AppealForm,
    EvidenceForm,
    HeadlineForm,
    IndicatorFilterForm,
    IndicatorForm,
    ItemForm,
    PeriodForm,
    QueueFilterForm,
    ReasonForm,
    SchemeImportForm,
    SchemeIndicatorForm,
    SchemeYamlForm,
    ValueRowForm,
    period_or_none,
    scheme_error_text,
)
from guatu.assessment.models import (
    STRENGTH_CATEGORIES,
    WEAKNESS_CATEGORIES,
    Appeal,
    AppealStatus,
    AssessmentItem,
    ChecklistRow,
    Evidence,
    HeadlineValue,
    Indicator,
    IndicatorValue,
    PeerValue,
    ResultSnapshot,
    Scheme,
    SnapshotStatus,
    Source,
    ValueStatus,
)
from guatu.assessment.queries import benchmarks, checklist, headline_panel, score_card
from guatu.lib.periods import Period
from guatu.lib.scoring import scheme_from_dict
from guatu.orgs.models import OrgUnit
from guatu.web.forms import add_service_errors

EDITABLE = (ValueStatus.DRAFT, ValueStatus.RETURNED)
# A card of no unit: the gateway shows it only to someone who may see every card of the snapshot.

NEW_SCHEME_TEMPLATE = """\
scheme:
  code: township-{year}
  name: {year}年乡镇(街道)及经济开发区绩效考核办法
  year: {year}
  groups:
    - code: township
      name: 乡镇
      units: []
  indicators: []
  grades:
    - {{name: 优秀, min: 90, quota: 0.3}}
    - {{name: 良好, min: 80}}
    - {{name: 一般, min: 60}}
    - {{name: 较差}}
  veto_effect: not_top
"""


# ------------------------------------------------------------------------------------------- helpers


def _period(text: str) -> Period:
    period = period_or_none(text)
    if period is None:
        raise Http404("bad period")
    return period


def _scheme(user, pk) -> Scheme:
    try:
        return gateway.visible_schemes(user).select_related("jurisdiction").get(pk=pk)
    except (Scheme.DoesNotExist, ValueError, TypeError):
        raise Http404("scheme not found") from None


def _require_office(user, scheme: Scheme | None = None) -> None:
    if not gateway.can_manage_assessment(user, scheme):
        raise PermissionDenied


def _value(user, pk) -> IndicatorValue:
    value = gateway.get_visible_value(user, pk)
    if not gateway.can_enter_indicator(user, value.indicator, value.unit):
        raise Http404("value not found")
    return value


def _units_named(scheme: Scheme, names) -> dict[str, OrgUnit]:
    return {
        u.name: u
        for u in OrgUnit.objects.filter(name__in=list(names), path__startswith=scheme.jurisdiction.path)
    }


def _scheme_units(scheme: Scheme) -> list[OrgUnit]:
    names = [u for g in scheme.definition["groups"] for u in g.get("units") or []]
    by_name = _units_named(scheme, names)
    return [by_name[n] for n in names if n in by_name]


def _safe_next(request, url: str | None) -> str | None:
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return None


def _is_htmx(request) -> bool:
    return bool(request.headers.get("HX-Request"))


def _errors(error: ValidationError) -> list[str]:
    if hasattr(error, "message_dict"):
        return [scheme_error_text(str(m)) for ms in error.message_dict.values() for m in ms]
    return [scheme_error_text(str(m)) for m in error.messages]


def _add_service_errors(form, error: ValidationError) -> None:
    add_service_errors(form, error, translate=scheme_error_text)


def _latest_value_period() -> Period:
    latest = IndicatorValue.objects.aggregate(year=Max("year"))["year"]
    if latest:
        month = IndicatorValue.objects.filter(year=latest).aggregate(month=Max("month"))["month"]
        return Period(latest, month)
    return Period.of(clock.today())


def _num(value) -> str:
    """Decimal text as people read it: trailing zeros of a fraction dropped, never an exponent."""
    if value is None or value == "":
        return "—"
    text = format(Decimal(str(value)), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


# -------------------------------------------------------------------------------------- the library


@login_required
def home(request):
    return redirect("assessment:scheme_list")


@login_required
def indicator_list(request):
    form = IndicatorFilterForm(request.GET or None)
    indicators = Indicator.objects.select_related("lead_unit").order_by("category", "code")
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
    _require_office(user)
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
            _add_service_errors(form, error)
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
    _require_office(request.user)
    return _indicator_form(request, get_object_or_404(Indicator, pk=pk))


# ------------------------------------------------------------------------------------------- schemes


@login_required
def scheme_list(request):
    user = request.user
    schemes = list(
        gateway.visible_schemes(user)
        .select_related("jurisdiction", "updated_by")
        .prefetch_related(
            Prefetch(
                "snapshots",
                queryset=ResultSnapshot.objects.only("id", "scheme_id", "year", "month", "status").order_by(
                    "-year", "-month"
                ),
            )
        )
        .order_by("-year", "kind", "code")
    )
    is_office = gateway.can_manage_assessment(user)
    for scheme in schemes:
        scheme.indicator_count = len(scheme.definition.get("indicators", []))
        scheme.unit_count = sum(len(g.get("units") or []) for g in scheme.definition.get("groups", []))
        scheme.shown_snapshots = [
            s for s in scheme.snapshots.all() if is_office or s.status == SnapshotStatus.PUBLISHED
        ]
    return render(
        request,
        "assessment/scheme_list.html",
        {
            "schemes": schemes,
            "is_office": is_office,
            "import_form": SchemeImportForm() if is_office else None,
            "tab": "schemes",
        },
    )


def _code_taken(definition: dict, scheme: Scheme | None) -> bool:
    """Whether the definition's code belongs to another scheme (codes are unique across the install)."""
    code = str(definition.get("scheme", definition).get("code", ""))
    return Scheme.objects.filter(code=code).exclude(pk=getattr(scheme, "pk", None)).exists()


@login_required
def scheme_create(request):
    user = request.user
    _require_office(user)
    form = SchemeYamlForm(
        request.POST or None,
        initial={"text": NEW_SCHEME_TEMPLATE.format(year=clock.today().year), "kind": "township"},
    )
    if request.method == "POST" and form.is_valid():
        if _code_taken(form.definition, None):
            form.add_error("text", _("A scheme with this code exists already: open it and edit it there."))
        else:
            try:
                scheme = services.scheme_save(
                    jurisdiction=gateway.default_unit(user),
                    definition=form.definition,
                    kind=form.cleaned_data["kind"],
                    by=user,
                )
            except ValidationError as error:
                _add_service_errors(form, error)
            else:
                messages.success(request, _("Scheme %(name)s created.") % {"name": scheme.name})
                return redirect("assessment:scheme_detail", pk=scheme.pk)
    return render(request, "assessment/scheme_yaml.html", {"form": form, "scheme": None, "tab": "schemes"})


@login_required
@require_POST
def scheme_import(request):
    user = request.user
    _require_office(user)
    form = SchemeImportForm(request.POST, request.FILES)
    if form.is_valid():
        code = str(form.definition.get("scheme", form.definition).get("code", ""))
        existing = Scheme.objects.filter(code=code).select_related("jurisdiction").first()
        if existing is not None and not (
            gateway.visible_schemes(user).filter(pk=existing.pk).exists()
            and gateway.can_manage_assessment(user, existing)
        ):
            form.add_error(
                "file", _("The code %(code)s belongs to another jurisdiction's scheme.") % {"code": code}
            )
        else:
            try:
                scheme = services.scheme_import_yaml(
                    text=form.text,
                    jurisdiction=existing.jurisdiction if existing else gateway.default_unit(user),
                    kind=form.cleaned_data["kind"],
                    by=user,
                )
            except ValidationError as error:
                _add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Scheme %(name)s imported (version %(version)s).")
                    % {
                        "name": scheme.name,
                        "version": scheme.version,
                    },
                )
                return redirect("assessment:scheme_detail", pk=scheme.pk)
    for error in [e for errors in form.errors.values() for e in errors]:
        messages.error(request, error)
    return redirect("assessment:scheme_list")


def _method_text(row: dict) -> str:
    method = row.get("method")
    if method == "completion_rate":
        text = _("Completion rate, target %(target)s, cap %(cap)s") % {
            "target": _num(row.get("target")),
            "cap": _num(row.get("cap", 1)),
        }
        if row.get("targets"):
            text += _("; own targets for %(units)s") % {"units": "、".join(row["targets"])}
        return text
    if method == "efficacy":
        if row.get("worst") is not None:
            return _("Efficacy coefficient, worst %(worst)s, best %(best)s") % {
                "worst": _num(row.get("worst")),
                "best": _num(row.get("best")),
            }
        return _("Efficacy coefficient against the group's worst and best")
    if method == "rank":
        return _("Rank: first gets full marks, %(step)s fewer per place, at least %(floor)s") % {
            "step": _num(row.get("step")),
            "floor": _num(row.get("floor", 0)),
        }
    bands = []
    for band in row.get("bands") or []:
        low = "" if band.get("min") is None else "≥" + _num(band["min"])
        high = "" if band.get("max") is None else "≤" + _num(band["max"])
        edge = " ".join(p for p in (low, high) if p) or _("otherwise")
        bands.append(_("%(edge)s: %(points)s") % {"edge": edge, "points": _num(band["points"])})
    return _("Threshold table: %(bands)s") % {"bands": "；".join(bands)}


def _scheme_rows(scheme: Scheme) -> list[dict]:
    definition = scheme.definition
    library = {
        i.code: i for i in Indicator.objects.filter(code__in=[r["code"] for r in definition["indicators"]])
    }
    group_names = {g["code"]: g.get("name", g["code"]) for g in definition["groups"]}
    rows = []
    for row in definition["indicators"]:
        ind = library.get(row["code"])
        process = row.get("process") or {}
        rows.append(
            {
                "code": row["code"],
                "name": row.get("name") or (ind.name if ind else row["code"]),
                "category": ind.get_category_display() if ind else row.get("category", ""),
                "measure": ind.measure if ind else row.get("unit", ""),
                "weight": _num(row["weight"]),
                "direction": row.get("direction", "higher"),
                "method": _method_text(row),
                "process": "、".join(
                    _("month %(m)s: %(share)s%%") % {"m": m, "share": _num(Decimal(str(s)) * 100)}
                    for m, s in sorted(process.items(), key=lambda kv: int(kv[0]))
                ),
                "groups": "、".join(group_names.get(g, g) for g in row.get("groups") or []),
                "not_applicable": "、".join(row.get("not_applicable") or []),
                "source": ind.get_source_display() if ind else "",
                "lead_unit": ind.lead_unit.display_name if ind and ind.lead_unit else "",
            }
        )
    return rows


@login_required
def scheme_detail(request, pk: int):
    user = request.user
    scheme = _scheme(user, pk)
    is_office = gateway.can_manage_assessment(user, scheme)
    snapshots = scheme.snapshots.order_by("-year", "-month")
    if not is_office:
        snapshots = snapshots.filter(status=SnapshotStatus.PUBLISHED)
    definition = scheme.definition
    total_weight = sum((Decimal(str(r["weight"])) for r in definition["indicators"]), Decimal(0))
    return render(
        request,
        "assessment/scheme_detail.html",
        {
            "scheme": scheme,
            "groups": definition["groups"],
            "rows": _scheme_rows(scheme),
            "grades": [
                {
                    "name": g["name"],
                    "min": _num(g.get("min")) if g.get("min") is not None else None,
                    "quota": _num(Decimal(str(g["quota"])) * 100) if g.get("quota") is not None else None,
                }
                for g in definition["grades"]
            ],
            "total_weight": _num(total_weight),
            "bonus_cap": _num(definition.get("bonus_cap"))
            if definition.get("bonus_cap") is not None
            else None,
            "penalty_cap": _num(definition.get("penalty_cap"))
            if definition.get("penalty_cap") is not None
            else None,
            "veto_lowest": definition.get("veto_effect") == "lowest",
            "snapshots": list(snapshots),
            "is_office": is_office,
            "period_form": PeriodForm(initial={"period": str(_latest_value_period())}),
            "tab": "schemes",
        },
    )


@login_required
def scheme_edit(request, pk: int):
    user = request.user
    scheme = _scheme(user, pk)
    _require_office(user, scheme)
    form = SchemeYamlForm(
        request.POST or None,
        initial={"text": services.scheme_export_yaml(scheme), "kind": scheme.kind, "version": scheme.version},
    )
    if request.method == "POST" and form.is_valid() and form.cleaned_data["version"] is None:
        form.add_error(None, _("The form is missing the scheme's version; reload the page and try again."))
    if request.method == "POST" and form.is_valid():
        if _code_taken(form.definition, scheme):
            form.add_error(
                "text", _("Another scheme has this code; keep the code %(code)s.") % {"code": scheme.code}
            )
        else:
            try:
                saved = services.scheme_save(
                    jurisdiction=scheme.jurisdiction,
                    definition=form.definition,
                    kind=form.cleaned_data["kind"],
                    by=user,
                    scheme=scheme,
                    expected_version=form.cleaned_data["version"],
                )
            except ValidationError as error:
                _add_service_errors(form, error)
            else:
                messages.success(
                    request, _("Scheme saved (version %(version)s).") % {"version": saved.version}
                )
                return redirect("assessment:scheme_detail", pk=saved.pk)
    return render(request, "assessment/scheme_yaml.html", {"form": form, "scheme": scheme, "tab": "schemes"})


def _save_definition(request, scheme: Scheme, definition: dict, version, form) -> Scheme | None:
    try:
        return services.scheme_save(
            jurisdiction=scheme.jurisdiction,
            definition=definition,
            kind=scheme.kind,
            by=request.user,
            scheme=scheme,
            expected_version=version,
        )
    except ValidationError as error:
        _add_service_errors(form, error)
        return None


@login_required
def scheme_indicator(request, pk: int, code: str | None = None):
    """Add an indicator row to a scheme, or change one, field by field."""
    user = request.user
    scheme = _scheme(user, pk)
    _require_office(user, scheme)
    definition = scheme.definition
    previous = next((r for r in definition["indicators"] if r["code"] == code), None)
    if code is not None and previous is None:
        raise Http404("no such indicator in the scheme")
    library = Indicator.objects.order_by("category", "code")
    form = SchemeIndicatorForm(
        request.POST or None,
        initial=SchemeIndicatorForm.initial_from(previous) if previous else {"cap": "1"},
        scheme_definition=definition,
        library=library,
        editing=code,
    )
    version = scheme.version
    if request.method == "POST":
        try:
            version = int(request.POST.get("version", ""))
        except ValueError:
            form.add_error(
                None, _("The form is missing the scheme's version; reload the page and try again.")
            )
    if request.method == "POST" and form.is_valid():
        row = form.row(previous)
        rows = [row if r["code"] == code else r for r in definition["indicators"]]
        if code is None:
            rows.append(row)
        new = {**definition, "indicators": rows}
        try:
            scheme_from_dict(new)
        except ValueError as exc:
            form.add_error(None, scheme_error_text(str(exc)))
        else:
            saved = _save_definition(request, scheme, new, version, form)
            if saved is not None:
                messages.success(
                    request,
                    _("Indicator %(code)s saved in the scheme (version %(version)s).")
                    % {"code": row["code"], "version": saved.version},
                )
                return redirect(reverse("assessment:scheme_detail", args=[saved.pk]) + f"#row-{row['code']}")
    return render(
        request,
        "assessment/scheme_indicator.html",
        {
            "scheme": scheme,
            "form": form,
            "code": code,
            "version": version,
            "other_months": form.has_other_process_months(previous),
            "tab": "schemes",
        },
    )


@login_required
@require_POST
def scheme_indicator_remove(request, pk: int, code: str):
    user = request.user
    scheme = _scheme(user, pk)
    _require_office(user, scheme)
    rows = [r for r in scheme.definition["indicators"] if r["code"] != code]
    if len(rows) == len(scheme.definition["indicators"]):
        raise Http404("no such indicator in the scheme")
    new = {**scheme.definition, "indicators": rows}
    new["tie_break"] = [c for c in new.get("tie_break") or [] if c != code]
    if not new["tie_break"]:
        new.pop("tie_break")
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = -1
    try:
        saved = services.scheme_save(
            jurisdiction=scheme.jurisdiction,
            definition=new,
            kind=scheme.kind,
            by=user,
            scheme=scheme,
            expected_version=version,
        )
    except ValidationError as error:
        for message in _errors(error):
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("Indicator %(code)s removed from the scheme (version %(version)s).")
            % {"code": code, "version": saved.version},
        )
    return redirect("assessment:scheme_detail", pk=scheme.pk)


@login_required
def scheme_go(request, pk: int):
    """The period picker of a scheme's page: on to the results or the items of the chosen month."""
    scheme = _scheme(request.user, pk)
    form = PeriodForm(request.GET)
    if not form.is_valid() or form.cleaned_data["period"] is None:
        messages.error(request, _("Month must look like 2022-03."))
        return redirect("assessment:scheme_detail", pk=scheme.pk)
    target = "assessment:items" if request.GET.get("go") == "items" else "assessment:results"
    return redirect(target, pk=scheme.pk, period=str(form.cleaned_data["period"]))


@login_required
def scheme_export(request, pk: int):
    scheme = _scheme(request.user, pk)
    response = HttpResponse(
        services.scheme_export_yaml(scheme), content_type="application/x-yaml; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{scheme.code}.yaml"'
    return response


# ---------------------------------------------------------------------------------------- value entry


@login_required
def value_index(request):
    """The indicators the user enters, with how far the month's values have come."""
    user = request.user
    form = PeriodForm(request.GET or None)
    period = (form.cleaned_data["period"] if form.is_valid() else None) or _latest_value_period()
    indicators = [
        ind
        for ind in Indicator.objects.filter(source=Source.ENTERED)
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
            "scheme_target": _num(info["target"]) if info["target"] is not None else "",
        }
        for name, info in seen.items()
        if name in by_name
    ]


class _RowFailed(Exception):
    pass


@login_required
def value_grid(request, indicator_pk: int, period: str):
    """The lead unit enters an indicator's values for every unit it scores, with evidence, and submits."""
    user = request.user
    period = _period(period)
    indicator = get_object_or_404(Indicator.objects.select_related("lead_unit"), pk=indicator_pk)
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
                "value": _num(value.value) if value.value is not None else "",
                "not_applicable": value.not_applicable,
                "target": _num(value.target) if value.target is not None else "",
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

    if posted:
        forms_ok = all(row["form"].is_valid() for row in rows if row["editable"])
        submit = "submit" in request.POST
        if forms_ok:
            saved_count, submitted_count = 0, 0
            try:
                with transaction.atomic():  # every row, or none
                    for row in rows:
                        if not row["editable"]:
                            continue
                        form, value = row["form"], row["value"]
                        if value is None and form.is_blank():
                            continue
                        try:
                            if form.differs_from(value):
                                data = form.cleaned_data
                                value = services.value_save(
                                    unit=row["unit"],
                                    indicator=indicator,
                                    period=period,
                                    value=data["value"],
                                    not_applicable=bool(data["not_applicable"]),
                                    target=data["target"],
                                    note=data["note"],
                                    expected_version=data["version"] if row["value"] else None,
                                    by=user,
                                )
                                saved_count += 1
                            if form.cleaned_data.get("evidence"):
                                services.evidence_add(
                                    value=value, file=form.cleaned_data["evidence"], by=user
                                )
                            if submit and value.status in EDITABLE:
                                services.value_submit(value=value, by=user)
                                submitted_count += 1
                        except ValidationError as error:
                            _add_service_errors(form, error)
                            raise _RowFailed from None
            except _RowFailed:
                pass
            else:
                if submitted_count:
                    messages.success(
                        request, _("%(n)s values saved and submitted for review.") % {"n": submitted_count}
                    )
                elif saved_count:
                    messages.success(
                        request,
                        _("%(n)s values saved as drafts. Submit them when complete.") % {"n": saved_count},
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
    )


@login_required
def value_detail(request, pk: int):
    value = _value(request.user, pk)
    return _render_value(request, value)


def _render_value(request, value: IndicatorValue, *, failed: str = "", failed_form=None, errors=()):
    user = request.user
    is_office = gateway.can_manage_assessment(user)
    editable = value.status in EDITABLE

    def form_for(action, form_class, **kw):
        return failed_form if failed == action else form_class(**kw)

    value.value_text, value.target_text = _num(value.value), _num(value.target)
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
            "can_unlock": is_office and value.status == ValueStatus.APPROVED,
            "evidence_form": form_for("evidence", EvidenceForm),
            "return_form": form_for("return", ReasonForm),
            "unlock_form": form_for("unlock", ReasonForm),
            "failed": failed,
            "action_errors": [*errors, *(e for es in failed_form.errors.values() for e in es)]
            if failed_form
            else list(errors),
            "tab": "review" if is_office else "values",
        },
    )


def _value_action(request, pk: int, *, action: str):
    user = request.user
    value = _value(user, pk)
    reviewer_action = action in ("approve", "return", "unlock")
    if reviewer_action:
        _require_office(user)
    form = None
    if action in ("return", "unlock"):
        what = _("returning the value") if action == "return" else _("unlocking the value")
        form = ReasonForm(request.POST, what=what)
        if not form.is_valid():
            return _render_value(request, value, failed=action, failed_form=form)
    try:
        if action == "submit":
            services.value_submit(value=value, by=user)
            done = _("Value submitted for review.")
        elif action == "approve":
            services.value_approve(value=value, by=user)
            done = _("Value approved: it is locked and counts in the results.")
        elif action == "return":
            services.value_return(value=value, reason=form.cleaned_data["reason"], by=user)
            done = _("Value returned to the lead unit with your reason.")
        else:
            services.value_unlock(value=value, reason=form.cleaned_data["reason"], by=user)
            done = _("Value unlocked and returned to the lead unit for correction.")
    except ValidationError as error:
        if _is_htmx(request):
            return render(request, "assessment/_queue_row.html", {"value": value, "errors": _errors(error)})
        if form is None:
            return _render_value(request, _value(user, pk), errors=_errors(error))
        form.add_error(None, _errors(error))
        return _render_value(request, _value(user, pk), failed=action, failed_form=form)
    if _is_htmx(request):  # approved from the queue: the row says so, the rest of the page stays
        return render(request, "assessment/_queue_row.html", {"value": value, "done": done})
    messages.success(request, done)
    next_url = _safe_next(request, request.POST.get("next"))
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
    value = _value(user, pk)
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.evidence_add(value=value, file=form.cleaned_data["file"], by=user)
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            messages.success(request, _("Evidence added."))
            return redirect("assessment:value_detail", pk=value.pk)
    return _render_value(request, value, failed="evidence", failed_form=form)


@login_required
def evidence_download(request, pk: int):
    """Evidence is served only through this view, to those who may see the value; never a public URL."""
    evidence = get_object_or_404(Evidence.objects.select_related("value"), pk=pk)
    _value(request.user, evidence.value_id)
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError:
        raise Http404("file missing") from None
    return FileResponse(handle, as_attachment=True, filename=evidence.name.rsplit("/", 1)[-1])


@login_required
def review_queue(request):
    """Values by review status (submitted by default, oldest first): approve or return them, or find an
    approved one to unlock."""
    user = request.user
    _require_office(user)
    form = QueueFilterForm(request.GET or None)
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
    values = list(values)
    for value in values:
        value.value_text, value.target_text = _num(value.value), _num(value.target)
    return render(
        request,
        "assessment/review_queue.html",
        {
            "form": form,
            "status": status,
            "values": values,
            "here": request.get_full_path(),
            "tab": "review",
        },
    )


# ------------------------------------------------------------------------------ bonus, penalty, veto


@login_required
def items(request, pk: int, period: str):
    user = request.user
    scheme = _scheme(user, pk)
    period = _period(period)
    _require_office(user, scheme)
    units = _scheme_units(scheme)
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
            _add_service_errors(form, error)
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
            "tab": "schemes",
        },
    )


# ------------------------------------------------------------------------------------------ results


def _snapshot(scheme: Scheme, period: Period) -> ResultSnapshot | None:
    return (
        ResultSnapshot.objects.filter(scheme=scheme, year=period.year, month=period.month)
        .select_related("computed_by", "published_by")
        .first()
    )


@login_required
def results(request, pk: int, period: str):
    return _render_results(request, _scheme(request.user, pk), _period(period))


def _render_results(request, scheme: Scheme, period: Period, *, compute_errors=()):
    user = request.user
    is_office = gateway.can_manage_assessment(user, scheme)
    snap = _snapshot(scheme, period)
    if snap is None and not is_office:
        raise Http404("no results")
    groups, reproduces, appeals = [], None, 0
    if snap is not None:
        sees_all = gateway.sees_all_cards(user, snap)
        names = [u["unit"] for g in snap.results["groups"] for u in g["units"]]
        by_name = _units_named(scheme, names)
        for group in snap.results["groups"]:
            units = [
                {**u, "org": by_name.get(u["unit"])}
                for u in group["units"]
                if sees_all or (by_name.get(u["unit"]) and by_name[u["unit"]].pk == user.org_unit_id)
            ]
            if units:
                groups.append({"name": group["name"], "units": units, "size": len(group["units"])})
        if not groups:
            raise Http404("no results for this user")
        reproduces = services.snapshot_reproduces(snap)
        if is_office:
            appeals = snap.appeals.filter(status=AppealStatus.OPEN).count()
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
            "tab": "schemes",
        },
        status=400 if compute_errors else 200,
    )


@login_required
@require_POST
def results_compute(request, pk: int, period: str):
    user = request.user
    scheme = _scheme(user, pk)
    period = _period(period)
    _require_office(user, scheme)
    try:
        snap = services.snapshot_compute(scheme=scheme, period=period, by=user)
    except ValidationError as error:
        return _render_results(request, scheme, period, compute_errors=_errors(error))
    if snap.status == SnapshotStatus.PUBLISHED:
        messages.success(
            request, _("The published results reproduce exactly from their inputs; nothing changed.")
        )
    else:
        messages.success(request, _("Results computed for %(period)s.") % {"period": period})
    return redirect("assessment:results", pk=scheme.pk, period=str(period))


@login_required
@require_POST
def results_publish(request, pk: int, period: str):
    user = request.user
    scheme = _scheme(user, pk)
    period = _period(period)
    _require_office(user, scheme)
    snap = _snapshot(scheme, period)
    if snap is None:
        raise Http404("no results")
    try:
        services.snapshot_publish(snapshot=snap, by=user)
    except ValidationError as error:
        for message in _errors(error):
            messages.error(request, message)
    else:
        messages.success(request, _("Results published (公示): every unit can now see them."))
    return redirect("assessment:results", pk=scheme.pk, period=str(period))


# --------------------------------------------------------------------------------------- score card


def _card_context(request, scheme: Scheme, period: Period, unit_pk: int):
    user = request.user
    snap = _snapshot(scheme, period)
    if snap is None:
        raise Http404("no results")
    unit = OrgUnit.objects.filter(pk=unit_pk, path__startswith=scheme.jurisdiction.path).first()
    if unit is None or not gateway.can_see_card(user, snap, unit):
        raise Http404("card not visible")
    card = score_card(snap, unit.name)
    if card is None:
        raise Http404("unit not assessed")
    return snap, unit, card


@login_required
def card(request, pk: int, period: str, unit_pk: int):
    scheme = _scheme(request.user, pk)
    period = _period(period)
    snap, unit, card_ = _card_context(request, scheme, period, unit_pk)
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
                "points_text": _num(item["points"]),
                "max_text": _num(item["max_points"]),
                "lost_text": _num(item["lost"]),
                "value_text": _num(item["value"]),
                "gain_text": _num(item["gain_per_unit"]) if item["gain_per_unit"] is not None else None,
                "to_next_text": _num(item["to_next_place"]) if item["to_next_place"] is not None else None,
                "not_applicable": item["points"] is None,
            }
        )
    losing = [r for r in rows if r["lost"] and r["lost"] > 0][:3]
    own = user.org_unit_id == unit.pk
    can_appeal = own and snap.status == SnapshotStatus.PUBLISHED
    if can_appeal and appeal_form is None:
        appeal_form = AppealForm(indicators=[(r["code"], r["name"]) for r in rows])
    names = {r["code"]: r["name"] for r in rows}
    appeals = list(
        Appeal.objects.filter(snapshot=snap, unit=unit).select_related("answered_by").order_by("raised_at")
    )
    for appeal in appeals:
        appeal.indicator_name = names.get(appeal.indicator_code, appeal.indicator_code)
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
            "tab": "schemes",
        },
        status=400 if appeal_form is not None and appeal_form.is_bound else 200,
    )


@login_required
@require_POST
def appeal_raise(request, pk: int, period: str, unit_pk: int):
    user = request.user
    scheme = _scheme(user, pk)
    period = _period(period)
    snap, unit, card_ = _card_context(request, scheme, period, unit_pk)
    if user.org_unit_id != unit.pk:
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
            _add_service_errors(form, error)
        else:
            messages.success(request, _("Appeal raised; the assessment office will answer it."))
            return redirect("assessment:card", pk=scheme.pk, period=str(period), unit_pk=unit.pk)
    return _render_card(request, scheme, period, snap, unit, card_, appeal_form=form)


@login_required
def appeal_list(request):
    user = request.user
    _require_office(user)
    appeals = list(
        Appeal.objects.filter(snapshot__scheme__in=gateway.visible_schemes(user))
        .select_related("snapshot__scheme", "unit", "raised_by", "answered_by")
        .order_by("status", "-raised_at")
    )
    library = dict(
        Indicator.objects.filter(code__in={a.indicator_code for a in appeals}).values_list("code", "name")
    )
    for appeal in appeals:
        named = {r["code"]: r.get("name") for r in appeal.snapshot.definition["indicators"]}
        appeal.indicator_name = named.get(appeal.indicator_code) or library.get(
            appeal.indicator_code, appeal.indicator_code
        )
    return render(
        request,
        "assessment/appeal_list.html",
        {"appeals": appeals, "answer_form": AnswerForm(), "tab": "appeals"},
    )


@login_required
@require_POST
def appeal_answer(request, pk: int):
    user = request.user
    appeal = get_object_or_404(
        Appeal.objects.select_related("snapshot__scheme__jurisdiction"),
        pk=pk,
        snapshot__scheme__in=gateway.visible_schemes(user),
    )
    _require_office(user, appeal.snapshot.scheme)
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            services.appeal_answer(appeal=appeal, answer=form.cleaned_data["answer"], by=user)
        except ValidationError as error:
            for message in _errors(error):
                messages.error(request, message)
        else:
            messages.success(request, _("Appeal answered."))
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    return redirect(reverse("assessment:appeal_list") + f"#appeal-{appeal.pk}")


# ---------------------------------------------------------------- checklist, benchmarks, headline panel


def _year_param(request, default: int) -> int:
    try:
        year = int(request.GET.get("year", default))
    except ValueError:
        return default
    return year if 1900 <= year <= 2999 else default


@login_required
def checklist_page(request):
    latest = ChecklistRow.objects.aggregate(year=Max("year"))["year"] or clock.today().year
    year = _year_param(request, latest)
    rows = list(checklist(year))
    peer_month = PeerValue.objects.filter(year=year).aggregate(month=Max("month"))["month"]
    standing = {b.indicator.pk: b for b in benchmarks(Period(year, peer_month))} if peer_month else {}
    for row in rows:
        row.benchmark = standing.get(row.indicator_id)
        row.target_text = _num(row.target)
        row.current_text = _num(row.benchmark.value) if row.benchmark else "—"
    total_weight = sum((r.prefecture_weight for r in rows), Decimal(0))
    expected = sum((r.expected_points or Decimal(0) for r in rows), Decimal(0))
    return render(
        request,
        "assessment/checklist.html",
        {
            "year": year,
            "rows": rows,
            "peer_period": Period(year, peer_month) if peer_month else None,
            "total_weight": total_weight,
            "expected": expected,
            "tab": "checklist",
        },
    )


@login_required
def benchmark_page(request):
    form = PeriodForm(request.GET or None)
    period = form.cleaned_data["period"] if form.is_valid() else None
    if period is None:
        latest = PeerValue.objects.order_by("-year", "-month").values("year", "month").first()
        period = Period(latest["year"], latest["month"]) if latest else Period.of(clock.today())
    rows = benchmarks(period)
    sections = []
    for key, title, categories in (
        ("lengthen", _("Lengthen the strengths (锻长板)"), STRENGTH_CATEGORIES),
        ("fix", _("Fix the weaknesses (补弱项)"), WEAKNESS_CATEGORIES),
        ("other", _("Other indicators"), None),
    ):
        chosen = [
            b
            for b in rows
            if (
                b.indicator.category in categories
                if categories
                else b.indicator.category not in STRENGTH_CATEGORIES + WEAKNESS_CATEGORIES
            )
        ]
        if not chosen and key == "other":
            continue
        by_category: dict[str, list] = {}
        for b in chosen:
            by_category.setdefault(b.indicator.get_category_display(), []).append(
                {
                    "b": b,
                    "value": _num(b.value),
                    "target": _num(b.target),
                    "average": _num(b.peer_average),
                    "best": _num(b.best_value),
                    "to_next": _num(b.to_next_rank),
                }
            )
        sections.append(
            {
                "key": key,
                "title": title,
                "categories": by_category,
                "ahead": sum(1 for b in chosen if b.strength),
                "behind": sum(1 for b in chosen if b.strength is False),
            }
        )
    counts = Counter(b.strength for b in rows)
    return render(
        request,
        "assessment/benchmarks.html",
        {
            "form": form,
            "period": period,
            "sections": sections,
            "ahead": counts[True],
            "behind": counts[False],
            "tab": "benchmarks",
        },
    )


@login_required
def headline_page(request):
    latest = (
        HeadlineValue.objects.order_by("-indicator__year", "-quarter")
        .values("indicator__year", "quarter")
        .first()
    )
    default = (
        {"year": latest["indicator__year"], "quarter": latest["quarter"]}
        if latest
        else {"year": clock.today().year, "quarter": 1}
    )
    form = HeadlineForm(request.GET or None, initial=default)
    chosen = form.cleaned_data if form.is_bound and form.is_valid() else default
    panel = headline_panel(chosen["year"], chosen["quarter"])
    for ind, value in panel:
        ind.target_text = _num(ind.target)
        if value is not None:
            value.texts = {
                name: _num(getattr(value, name))
                for name in ("quarter_target", "actual", "growth", "prefecture_average")
            }
    met = sum(1 for _ind, value in panel if value is not None and value.met)
    reported = sum(1 for _ind, value in panel if value is not None)
    return render(
        request,
        "assessment/headline.html",
        {
            "form": form,
            "year": chosen["year"],
            "quarter": chosen["quarter"],
            "panel": panel,
            "met": met,
            "reported": reported,
            "tab": "headline",
        },
    )
