"""Forms of the org tree pages: a unit (add, change), its move, its closing; a leader and their post."""

from __future__ import annotations

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from guatu.orgs.models import JURISDICTION_KINDS, OrgUnit, OrgUnitKind

MAX_ORDER = 32767
MAX_ALIASES_TEXT = 2000


class UnitChoiceField(forms.ModelChoiceField):
    """Units indented by their depth in the tree, with their kind."""

    def label_from_instance(self, unit: OrgUnit) -> str:
        return "\u3000" * max(unit.depth - 1, 0) + f"{unit.name}（{unit.get_kind_display()}）"


class VersionForm(forms.Form):
    """The version of the row the page was read at (refused by the service when stale or missing)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0, max_value=2**31 - 1)

    def clean_version(self):
        return self.cleaned_data["version"]


def kind_choices(by) -> list[tuple[str, str]]:
    """Counties, prefectures and provinces own a project library: only a superuser adds one."""
    return [(value, label) for value, label in OrgUnitKind.choices if by.is_superuser or value not in JURISDICTION_KINDS]


class UnitForm(VersionForm):
    name = forms.CharField(label=_("Full name"), max_length=100)
    short_name = forms.CharField(label=_("Short name"), max_length=50, required=False)
    aliases = forms.CharField(
        label=_("Aliases"),
        required=False,
        max_length=MAX_ALIASES_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Other names offices write in spreadsheets (e.g. 市发改局), one per line or separated by commas."),
    )
    kind = forms.ChoiceField(label=pgettext_lazy("people", "Kind"))
    division_code = forms.CharField(
        label=_("Administrative division code"),
        max_length=12,
        required=False,
        validators=[RegexValidator(r"^\d{6,12}$", _("The division code is 6 to 12 digits, e.g. 431381."))],
    )
    parent = UnitChoiceField(label=_("Parent unit"), queryset=OrgUnit.objects.none())
    sort_order = forms.IntegerField(label=pgettext_lazy("people", "Order"), min_value=0, max_value=MAX_ORDER, initial=0)

    def __init__(self, *args, by, parents=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = kind_choices(by)
        if parents is None:  # changing a unit: its place changes by moving it
            del self.fields["parent"]
        else:
            self.fields["parent"].queryset = parents

    def clean_aliases(self) -> list[str]:
        from guatu.orgs.services import clean_aliases

        return clean_aliases(self.cleaned_data["aliases"])

    @classmethod
    def initial_from(cls, unit: OrgUnit) -> dict:
        return {
            "name": unit.name,
            "short_name": unit.short_name,
            "aliases": "\n".join(unit.aliases or []),
            "kind": unit.kind,
            "division_code": unit.division_code,
            "sort_order": unit.sort_order,
            "version": unit.version,
        }


class MoveForm(VersionForm):
    parent = UnitChoiceField(label=_("New parent unit"), queryset=OrgUnit.objects.none())

    def __init__(self, *args, parents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = parents


class CloseForm(VersionForm):
    reason = forms.CharField(label=pgettext_lazy("people", "Reason"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class LeaderForm(VersionForm):
    name = forms.CharField(label=pgettext_lazy("people", "Name"), max_length=50)
    post = forms.CharField(label=pgettext_lazy("people", "Post"), max_length=100, help_text=_("e.g. 副市长, 市委常委"))
    org_unit = UnitChoiceField(label=pgettext_lazy("people", "Unit"), queryset=OrgUnit.objects.none())
    is_principal = forms.BooleanField(
        label=_("Principal leader"), required=False, help_text=_("Party secretary or mayor: convenes tier-3 dispatch")
    )
    sort_order = forms.IntegerField(label=pgettext_lazy("people", "Order"), min_value=0, max_value=MAX_ORDER, initial=0)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].queryset = units
        self.fields["org_unit"].error_messages["invalid_choice"] = gettext("Pick a unit from the list.")

    @classmethod
    def initial_from(cls, leader) -> dict:
        return {
            "name": leader.name,
            "post": leader.post,
            "org_unit": leader.org_unit_id,
            "is_principal": leader.is_principal,
            "sort_order": leader.sort_order,
            "version": leader.version,
        }
