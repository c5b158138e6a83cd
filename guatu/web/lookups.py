"""Search-as-you-type pickers for the lists that grow with the data: org units, responsible leaders, industry
chains. A filter bar that rendered every unit of a province as an <option> cost more than the page's own rows;
a picker costs one bounded query whatever the size of the tree.

Each picker is a text box with a hidden id beside it (`LookupField`, `LookupInput`, web/widgets/lookup.html).
As the reader types, htmx asks `lookup_options` for at most `LIMIT` matches, drawn from what the access gateway
lets the reader see; site.js moves through them with the arrow keys and puts the picked one's id in the hidden
input. The form sends both, `unit=17&unit_name=禾青镇`; what the field makes of them (`resolve`):

- no `_name` (a link from another page, `?location=17`): the id, fetched through the gateway;
- an empty name: nothing picked (the box was cleared);
- a name that is the label of the id sent: that one (picked from the list, or left as it was);
- another name (typed without picking, or without JavaScript): the one whose name it is, or the only one
  whose name contains it; none or several is an error next to the field, and the filter is left out.

Every way costs at most three queries, none of them growing with the data.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib.auth.decorators import login_required
from django.db.models import Model, Q, QuerySet
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from guatu.access import gateway
from guatu.orgs.models import Leader, OrgUnit
from guatu.projects.models import IndustryChain
from guatu.web.paging import MAX_ID

LIMIT = 20  # options one answer offers; more matches ask the reader to type more
MAX_TEXT = 100
NAMES_IN_ERROR = 5  # matches named in the "several match" message


@dataclass(frozen=True)
class Lookup:
    """What one kind of picker offers: the reader's rows (through the gateway), how typed text narrows them,
    their order, and how an option reads."""

    scope: Callable[[object], QuerySet]
    searched: tuple[str, ...]  # fields a typed text is looked for in (contains) and matched exactly
    order: tuple[str, ...]
    label: Callable[[Model], str]
    hint: Callable[[Model], str]  # said after the label, to tell apart two of the same name
    related: tuple[str, ...]
    invalid: str  # an id the reader may not pick
    none_match: str  # %(text)s
    several_match: str  # %(text)s, %(names)s

    def rows(self, user) -> QuerySet:
        return self.scope(user).select_related(*self.related).order_by(*self.order)

    def search(self, rows: QuerySet, text: str) -> QuerySet:
        if not text:
            return rows
        condition = Q()
        for name in self.searched:
            condition |= Q(**{f"{name}__icontains": text})
        return rows.filter(condition)

    def exact(self, rows: QuerySet, text: str) -> QuerySet:
        condition = Q()
        for name in self.searched:
            condition |= Q(**{name: text})
        return rows.filter(condition)


def _library_units(user) -> QuerySet:
    """The units the reader sees, and those their projects are located in or led by (a township's project led
    by a county department: the reader filters by that department too)."""
    projects = gateway.visible_projects(user)
    return gateway.visible_units(user) | OrgUnit.objects.filter(
        Q(pk__in=projects.values("location_unit")) | Q(pk__in=projects.values("lead_unit"))
    )


def _unit_hint(unit: OrgUnit) -> str:
    return unit.parent.display_name if unit.parent_id else ""


_UNITS = {
    "searched": ("name", "short_name"),
    "order": ("path",),
    "label": lambda unit: unit.display_name,
    "hint": _unit_hint,
    "related": ("parent",),
    "invalid": gettext_lazy("Pick a unit from the list."),
    "none_match": gettext_lazy("No unit you may pick is called “%(text)s”: pick one from the list."),
    "several_match": gettext_lazy("Several units match “%(text)s” (%(names)s): pick one from the list."),
}

LOOKUPS: dict[str, Lookup] = {
    # the units a reader may choose as a scope or filter (summary, lights, review queue, problems)
    "units": Lookup(scope=gateway.visible_units, **_UNITS),
    # the project library's location and lead unit filters
    "library-units": Lookup(scope=_library_units, **_UNITS),
    # the responsible leaders of the reader's projects
    "leaders": Lookup(
        scope=lambda user: Leader.objects.filter(
            pk__in=gateway.visible_projects(user).values("responsible_leader")
        ),
        searched=("name",),
        order=("sort_order", "id"),
        label=lambda leader: leader.name,
        hint=lambda leader: leader.post,
        related=(),
        invalid=gettext_lazy("Pick a leader from the list."),
        none_match=gettext_lazy("No leader you may pick is called “%(text)s”: pick one from the list."),
        several_match=gettext_lazy("Several leaders match “%(text)s” (%(names)s): pick one from the list."),
    ),
    # the industry chains of the reader's projects
    "chains": Lookup(
        scope=lambda user: IndustryChain.objects.filter(
            pk__in=gateway.visible_projects(user).values("chain")
        ),
        searched=("name",),
        order=("sort_order", "id"),
        label=lambda chain: chain.name,
        hint=lambda chain: chain.jurisdiction.display_name,
        related=("jurisdiction",),
        invalid=gettext_lazy("Pick an industry chain from the list."),
        none_match=gettext_lazy(
            "No industry chain you may pick is called “%(text)s”: pick one from the list."
        ),
        several_match=gettext_lazy(
            "Several industry chains match “%(text)s” (%(names)s): pick one from the list."
        ),
    ),
}


def _pk(value) -> int | None:
    text = str(value or "").strip()
    if not text.isdigit() or not text.isascii():
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


def _typed(text: str) -> str:
    """What was typed, bounded, without control characters (no name holds one; PostgreSQL refuses NUL)."""
    return "".join(ch for ch in text[: MAX_TEXT * 4] if ch.isprintable()).strip()[:MAX_TEXT]


def resolve(kind: str, user, pk, text: str | None):
    """The object the reader picked (or None for no filter), from the id and the text the form sent; raises
    ValidationError, in Chinese, when the id is not one they may pick or the text names none or several."""
    lookup = LOOKUPS[kind]
    text = None if text is None else _typed(text)
    if text == "" or (text is None and not str(pk or "").strip()):
        return None
    rows = lookup.rows(user)
    number = _pk(pk)
    if number is not None:
        found = rows.filter(pk=number).first()
        if found is not None and (text is None or text == lookup.label(found)):
            return found
    if text is None:  # an id alone, and not one the reader may pick
        raise forms.ValidationError(lookup.invalid, code="invalid_choice")
    exact = list(lookup.exact(rows, text)[:2])
    if len(exact) == 1:
        return exact[0]
    found = exact or list(lookup.search(rows, text)[: NAMES_IN_ERROR + 1])
    if len(found) == 1:
        return found[0]
    if not found:
        raise forms.ValidationError(lookup.none_match % {"text": text}, code="no_match")
    names = "、".join(_option(lookup, row)["text"] for row in found[:NAMES_IN_ERROR])
    if len(found) > NAMES_IN_ERROR:
        names += "……"
    raise forms.ValidationError(lookup.several_match % {"text": text, "names": names}, code="several")


def _option(lookup: Lookup, row) -> dict:
    label, hint = lookup.label(row), lookup.hint(row)
    return {"pk": row.pk, "label": label, "hint": hint, "text": f"{label}（{hint}）" if hint else label}


_LIST_ID = re.compile(r"[A-Za-z][\w-]{0,59}")


@login_required
@require_GET
def lookup_options(request, kind: str):
    """The options of a picker: at most LIMIT of the reader's rows whose name contains `q`, as
    <span role="option"> for the listbox `list` (the options' ids start with it). One query."""
    lookup = LOOKUPS.get(kind)
    if lookup is None:
        raise Http404("no such lookup")
    text = _typed(request.GET.get("q", ""))
    list_id = request.GET.get("list", "")
    if not _LIST_ID.fullmatch(list_id):
        list_id = "lookup"
    rows = list(lookup.search(lookup.rows(request.user), text)[: LIMIT + 1])
    return render(
        request,
        "web/_lookup_options.html",
        {
            "options": [_option(lookup, row) for row in rows[:LIMIT]],
            "more": len(rows) > LIMIT,
            "list_id": list_id,
            "text": text,
        },
    )


# --- the form field and its widget ---------------------------------------------------------------------------


class LookupInput(forms.Widget):
    """A text box for the name, with the picked id in a hidden input beside it, and a listbox that htmx fills
    (web/widgets/lookup.html). The label's `for` points at the text box."""

    template_name = "web/widgets/lookup.html"

    def __init__(self, kind: str, attrs=None):
        super().__init__(attrs)
        self.kind = kind
        self.list_label = ""  # the listbox's name: the field's label

    def value_from_datadict(self, data, files, name):
        return (data.get(name, ""), data.get(f"{name}_name"))

    def value_omitted_from_data(self, data, files, name):
        return name not in data and f"{name}_name" not in data

    def format_value(self, value):
        return value

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        pk, text = value if isinstance(value, tuple) else ("", "")
        context["widget"].update(
            {
                "pk": "" if pk is None else pk,
                "text": text or "",
                "text_name": f"{name}_name",
                "url": reverse("lookup", args=[self.kind]),
                "list_label": self.list_label,
            }
        )
        return context


class LookupField(forms.Field):
    """A unit, leader or chain picked with a LookupInput; cleans to the object (None: no filter). The form sets
    `user` (the reader) before it is cleaned: `LookupForm` does."""

    def __init__(self, kind: str, *, placeholder: str = "", **kwargs):
        kwargs.setdefault("required", False)
        attrs = {"placeholder": placeholder} if placeholder else None
        super().__init__(widget=LookupInput(kind, attrs=attrs), **kwargs)
        self.widget.list_label = self.label or ""
        self.kind = kind
        self.user = None
        self.picked = None

    def clean(self, value):
        pk, text = value if isinstance(value, tuple) else (value, None)
        self.picked = resolve(self.kind, self.user, pk, text)
        return self.picked

    def prepare_value(self, value):
        """What the box shows: the picked one's name (a link's id, or a name typed in part, reads as the whole
        name), else the text sent."""
        if self.picked is not None:
            return (str(self.picked.pk), LOOKUPS[self.kind].label(self.picked))
        text = value[1] if isinstance(value, tuple) else None
        return ("", text or "")  # nothing picked, or an error beside the box: no id kept


class LookupForm(forms.Form):
    """A filter form with pickers: hands them the reader."""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, LookupField):
                field.user = user
