"""Entry and review of the assessment reference data: the responsibility checklist, peer counties' values
and the ten headline indicators with their quarters. One list, one row page and one step per kind."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from guatu.access import gateway
from guatu.accounts.models import Role
from guatu.assessment import reference
from guatu.assessment.forms import (
    ChecklistEntryForm,
    HeadlineEntryForm,
    HeadlineQuarterEntryForm,
    PeerEntryForm,
    ReasonForm,
    ReferenceForm,
)
from guatu.assessment.models import ValueStatus
from guatu.assessment.views.common import add_form_errors, error_texts, num
from guatu.audit.history import history_rows
from guatu.audit.queries import history_of

STEPS = ("submit", "return", "approve", "unlock")


@dataclass(frozen=True)
class Entry:
    """A kind of reference row as its pages show it."""

    ref: reference.Reference
    form: type[ReferenceForm]
    rows: Callable  # gateway.visible_*: the rows a user may open
    get: Callable  # gateway.get_visible_*
    title: str
    related: tuple[str, ...]
    order: tuple[str, ...]
    figure: Callable  # the row's main figure as the list shows it
    reporters_enter: bool  # the unit responsible for a row may enter it, not only the office
    read_page: str  # where the approved figures are read


KINDS = {
    "checklist": Entry(
        reference.CHECKLIST,
        ChecklistEntryForm,
        gateway.visible_checklist_rows,
        gateway.get_visible_checklist_row,
        gettext_lazy("Responsibility checklist rows"),
        ("indicator", "lead_unit", "entered_by"),
        ("-year", "indicator__category", "id"),
        lambda row: f"{num(row.prefecture_weight)} · {row.lead_unit.display_name}",
        True,
        "assessment:checklist",
    ),
    "peers": Entry(
        reference.PEER,
        PeerEntryForm,
        gateway.visible_peer_values,
        gateway.get_visible_peer_value,
        gettext_lazy("Peer counties' values"),
        ("indicator", "entered_by"),
        ("-year", "-month", "indicator__category", "indicator__code", "peer"),
        lambda row: f"{num(row.value)} {row.indicator.measure}".strip(),
        True,
        "assessment:benchmarks",
    ),
    "headlines": Entry(
        reference.HEADLINE,
        HeadlineEntryForm,
        gateway.visible_headlines,
        gateway.get_visible_headline,
        gettext_lazy("Headline indicators: annual targets"),
        ("entered_by",),
        ("-year", "position"),
        lambda row: f"{num(row.target)} {row.measure}".strip(),
        False,
        "assessment:headline",
    ),
    "headline-quarters": Entry(
        reference.HEADLINE_VALUE,
        HeadlineQuarterEntryForm,
        gateway.visible_headline_values,
        gateway.get_visible_headline_value,
        gettext_lazy("Headline indicators: quarterly actuals"),
        ("indicator", "entered_by"),
        ("-indicator__year", "-quarter", "indicator__position"),
        lambda row: f"{num(row.actual)} {row.indicator.measure}".strip(),
        False,
        "assessment:headline",
    ),
}


def _entry(kind: str) -> Entry:
    try:
        return KINDS[kind]
    except KeyError:
        raise Http404("no such reference data") from None


def _may_enter_new(user, entry: Entry) -> bool:
    county = gateway.reference_county(user)
    unit = user.org_unit_id if entry.reporters_enter else None
    return gateway.can_enter_reference(user, county, unit)


def _require_some_access(user, entry: Entry) -> None:
    """The office, and for the kinds a unit is responsible for its reporters; everyone else reads the
    approved figures on the read pages."""
    if not (gateway.is_reviewer(user) or (entry.reporters_enter and user.role == Role.REPORTER)):
        raise PermissionDenied


@login_required
def reference_list(request, kind: str):
    entry = _entry(kind)
    user = request.user
    _require_some_access(user, entry)
    rows = list(entry.rows(user).select_related(*entry.related).order_by(*entry.order))
    for row in rows:
        row.described, row.figure = entry.ref.describe(row), entry.figure(row)
    return render(
        request,
        "assessment/reference_list.html",
        {
            "kind": kind,
            "entry": entry,
            "kinds": [(key, e.title) for key, e in KINDS.items()],
            "rows": rows,
            "may_enter": _may_enter_new(user, entry),
            "submitted": sum(1 for row in rows if row.status == ValueStatus.SUBMITTED),
            "tab": "reference",
        },
    )


@login_required
def reference_new(request, kind: str):
    entry = _entry(kind)
    user = request.user
    if not _may_enter_new(user, entry):
        raise PermissionDenied
    county = gateway.reference_county(user)
    form = entry.form(request.POST or None, county=county, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            row = reference.reference_save(kind=entry.ref, by=user, **_posted(entry, form))
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            messages.success(request, _("%(row)s saved as a draft.") % {"row": entry.ref.describe(row)})
            return redirect("assessment:reference_detail", kind=kind, pk=row.pk)
    return _render_row(request, kind, entry, None, form=form, status=400 if form.is_bound else 200)


def _posted(entry: Entry, form: ReferenceForm) -> dict:
    data = {name: form.cleaned_data.get(name) for name in entry.ref.fields}
    posted = {"data": data, "expected_version": form.cleaned_data.get("version")}
    if "support_units" in form.cleaned_data:
        posted["support_units"] = list(form.cleaned_data["support_units"])
    return posted


@login_required
def reference_detail(request, kind: str, pk: int):
    entry = _entry(kind)
    user = request.user
    row = entry.get(user, pk)
    county = entry.ref.county(row)
    editable = row.status in reference.EDITABLE and gateway.can_enter_reference(
        user, county, entry.ref.responsible(row)
    )
    form = None
    if editable:
        initial = {"version": row.version}
        form = entry.form(request.POST or None, instance=row, initial=initial, county=county, user=user)
        if request.method == "POST" and form.is_valid():
            try:
                reference.reference_save(kind=entry.ref, row=row, by=user, **_posted(entry, form))
            except ValidationError as error:
                add_form_errors(form, error)
            else:
                messages.success(request, _("%(row)s saved.") % {"row": entry.ref.describe(row)})
                return redirect("assessment:reference_detail", kind=kind, pk=row.pk)
            row = entry.get(user, pk)  # the form changed the instance it was given; show the stored row
    elif request.method == "POST":
        raise PermissionDenied
    return _render_row(request, kind, entry, row, form=form, status=400 if request.method == "POST" else 200)


@require_POST
@login_required
def reference_step(request, kind: str, pk: int, step: str):
    entry = _entry(kind)
    if step not in STEPS:
        raise Http404("no such step")
    user = request.user
    row = entry.get(user, pk)
    if step == "unlock" and not gateway.can_unlock(user):
        raise PermissionDenied(
            _("Only a role above the reviewer's (the city administrator) unlocks an approved value.")
        )
    reason_form = ReasonForm(request.POST, what=_("this step"))
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = None  # refused by the workflow like a stale version
    try:
        reference.reference_step(
            kind=entry.ref,
            row=row,
            step=step,
            by=user,
            expected_version=version,
            reason=request.POST.get("reason", "")[: reference.TEXT_MAX_LENGTH + 1],
        )
    except ValidationError as error:
        return _render_row(
            request, kind, entry, row, errors=error_texts(error), reason_form=reason_form, status=400
        )
    messages.success(request, _("%(row)s: done.") % {"row": entry.ref.describe(row)})
    return redirect("assessment:reference_detail", kind=kind, pk=row.pk)


def _render_row(request, kind, entry: Entry, row, *, form=None, errors=(), reason_form=None, status=200):
    user = request.user
    county = entry.ref.county(row) if row is not None else None
    may_review = row is not None and gateway.can_review_reference(user, county)
    may_enter = row is not None and gateway.can_enter_reference(user, county, entry.ref.responsible(row))
    facts = []
    if row is not None:
        for name in entry.ref.fields:
            field = entry.ref.model._meta.get_field(name)
            value = getattr(row, name)
            if field.choices:
                value = getattr(row, f"get_{name}_display")()
            elif hasattr(value, "quantize"):
                value = num(value)
            facts.append((field.verbose_name, "—" if value in (None, "") else value))
        if entry.ref is reference.CHECKLIST:
            units = "、".join(u.display_name for u in row.support_units.all())
            facts.append((row._meta.get_field("support_units").verbose_name, units or "—"))
    return render(
        request,
        "assessment/reference_detail.html",
        {
            "kind": kind,
            "entry": entry,
            "row": row,
            "described": entry.ref.describe(row) if row is not None else None,
            "facts": facts,
            "form": form,
            "can_submit": may_enter and row.status in reference.EDITABLE,
            "can_review": may_review and row.status == ValueStatus.SUBMITTED,
            "can_approve": may_review
            and row.status == ValueStatus.SUBMITTED
            and row.entered_by_id != user.pk,
            "can_unlock": may_review
            and row.status == ValueStatus.APPROVED
            and gateway.can_unlock(request.user),
            "reason_form": reason_form,
            "action_errors": list(errors),
            "history": history_rows(history_of(row)) if row is not None else [],
            "tab": "reference",
        },
        status=status,
    )
