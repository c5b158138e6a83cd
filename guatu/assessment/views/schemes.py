"""Schemes: list, create, import, detail, edit as YAML or row by row, export."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guatu import clock
from guatu.access import gateway
from guatu.assessment import services
from guatu.assessment.forms import (
    PeriodForm,
    SchemeImportForm,
    SchemeIndicatorForm,
    SchemeYamlForm,
)
from guatu.assessment.models import (
    Indicator,
    ResultSnapshot,
    Scheme,
    SnapshotStatus,
)
from guatu.assessment.views.common import (
    add_form_errors,
    error_texts,
    latest_value_period,
    num,
    require_office,
)
from guatu.lib.scoring import scheme_from_dict
from guatu.lib.scoring.scheme import linear_rule_text

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


@login_required
def scheme_list(request):
    user = request.user
    schemes = list(
        gateway.visible_schemes(user)
        .select_related("jurisdiction", "updated_by")
        .prefetch_related(
            Prefetch(
                "snapshots",
                queryset=ResultSnapshot.objects.current()
                .only("id", "scheme_id", "year", "month", "revision", "status")
                .order_by("-year", "-month"),
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
    require_office(user)
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
                add_form_errors(form, error)
            else:
                messages.success(request, _("Scheme %(name)s created.") % {"name": scheme.name})
                return redirect("assessment:scheme_detail", pk=scheme.pk)
    return render(request, "assessment/scheme_yaml.html", {"form": form, "scheme": None, "tab": "schemes"})


@login_required
@require_POST
def scheme_import(request):
    user = request.user
    require_office(user)
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
                add_form_errors(form, error)
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
        if row.get("target") is None:
            text = _("Completion rate, targets entered with the values, cap %(cap)s") % {"cap": num(row.get("cap", 1))}
        else:
            text = _("Completion rate, target %(target)s, cap %(cap)s") % {
                "target": num(row.get("target")),
                "cap": num(row.get("cap", 1)),
            }
        if row.get("targets"):
            text += _("; own targets for %(units)s") % {"units": "、".join(row["targets"])}
        return text
    if method == "efficacy":
        if row.get("worst") is not None:
            return _("Efficacy coefficient, worst %(worst)s, best %(best)s") % {
                "worst": num(row.get("worst")),
                "best": num(row.get("best")),
            }
        return _("Efficacy coefficient against the group's worst and best")
    if method == "linear":
        return linear_rule_text(row)
    if method == "rank":
        return _("Rank: first gets full marks, %(step)s fewer per place, at least %(floor)s") % {
            "step": num(row.get("step")),
            "floor": num(row.get("floor", 0)),
        }
    bands = []
    for band in row.get("bands") or []:
        low = "" if band.get("min") is None else "≥" + num(band["min"])
        high = "" if band.get("max") is None else "≤" + num(band["max"])
        edge = " ".join(p for p in (low, high) if p) or _("otherwise")
        bands.append(_("%(edge)s: %(points)s") % {"edge": edge, "points": num(band["points"])})
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
                "weight": num(row["weight"]),
                "direction": row.get("direction", "higher"),
                "method": _method_text(row),
                "process": "、".join(
                    _("month %(m)s: %(share)s%%") % {"m": m, "share": num(Decimal(str(s)) * 100)}
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
    scheme = gateway.get_visible_scheme(user, pk)
    is_office = gateway.can_manage_assessment(user, scheme)
    snapshots = scheme.snapshots.current().order_by("-year", "-month")  # each month's current version
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
                    "min": num(g.get("min")) if g.get("min") is not None else None,
                    "quota": num(Decimal(str(g["quota"])) * 100) if g.get("quota") is not None else None,
                }
                for g in definition["grades"]
            ],
            "total_weight": num(total_weight),
            "bonus_cap": num(definition.get("bonus_cap"))
            if definition.get("bonus_cap") is not None
            else None,
            "penalty_cap": num(definition.get("penalty_cap"))
            if definition.get("penalty_cap") is not None
            else None,
            "veto_lowest": definition.get("veto_effect") == "lowest",
            "snapshots": list(snapshots),
            "is_office": is_office,
            "period_form": PeriodForm(initial={"period": str(latest_value_period())}),
            "tab": "schemes",
        },
    )


@login_required
def scheme_edit(request, pk: int):
    user = request.user
    scheme = gateway.get_visible_scheme(user, pk)
    require_office(user, scheme)
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
                add_form_errors(form, error)
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
        add_form_errors(form, error)
        return None


def _indicator_name(row: dict | None, code: str | None) -> str:
    """An indicator of a scheme as people know it: the scheme's name for it, else the library's; the code only
    when neither has one."""
    if code is None:
        return ""
    named = (row or {}).get("name")
    if named and named != code:
        return named
    indicator = Indicator.objects.filter(code=code).only("name").first()
    return indicator.name if indicator else code


@login_required
def scheme_indicator(request, pk: int, code: str | None = None):
    """Add an indicator row to a scheme, or change one, field by field."""
    user = request.user
    scheme = gateway.get_visible_scheme(user, pk)
    require_office(user, scheme)
    definition = scheme.definition
    previous = next((r for r in definition["indicators"] if r["code"] == code), None)
    if code is not None and previous is None:
        raise Http404("no such indicator in the scheme")
    library = gateway.visible_indicators(user).order_by("category", "code")
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
            form.add_scheme_error(str(exc))
        else:
            saved = _save_definition(request, scheme, new, version, form)
            if saved is not None:
                messages.success(
                    request,
                    _("Indicator %(name)s saved in the scheme (version %(version)s).")
                    % {"name": _indicator_name(row, row["code"]), "version": saved.version},
                )
                return redirect(reverse("assessment:scheme_detail", args=[saved.pk]) + f"#row-{row['code']}")
    return render(
        request,
        "assessment/scheme_indicator.html",
        {
            "scheme": scheme,
            "form": form,
            "code": code,
            "name": _indicator_name(previous, code),
            "version": version,
            "other_months": form.has_other_process_months(previous),
            "tab": "schemes",
        },
    )


@login_required
@require_POST
def scheme_indicator_remove(request, pk: int, code: str):
    user = request.user
    scheme = gateway.get_visible_scheme(user, pk)
    require_office(user, scheme)
    rows = [r for r in scheme.definition["indicators"] if r["code"] != code]
    removed = next((r for r in scheme.definition["indicators"] if r["code"] == code), None)
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
        for message in error_texts(error):
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("Indicator %(name)s removed from the scheme (version %(version)s).")
            % {"name": _indicator_name(removed, code), "version": saved.version},
        )
    return redirect("assessment:scheme_detail", pk=scheme.pk)


@login_required
def scheme_go(request, pk: int):
    """The period picker of a scheme's page: on to the results or the items of the chosen month."""
    scheme = gateway.get_visible_scheme(request.user, pk)
    form = PeriodForm(request.GET)
    if not form.is_valid() or form.cleaned_data["period"] is None:
        messages.error(request, _("Month must look like 2022-03."))
        return redirect("assessment:scheme_detail", pk=scheme.pk)
    target = "assessment:items" if request.GET.get("go") == "items" else "assessment:results"
    return redirect(target, pk=scheme.pk, period=str(form.cleaned_data["period"]))


@login_required
def scheme_export(request, pk: int):
    scheme = gateway.get_visible_scheme(request.user, pk)
    response = HttpResponse(
        services.scheme_export_yaml(scheme), content_type="application/x-yaml; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{scheme.code}.yaml"'
    return response
