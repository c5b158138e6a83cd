"""Forms of the reserve pages: a tier change with its reason, the tiers' rules, funding applications, filters."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from guatu.projects.models import Category, MilestoneKind, Tier
from guatu.projects.services import MAX_AMOUNT, YEARS
from guatu.reserve.models import FundingKind, FundingStatus
from guatu.reserve.queries import DIMENSIONS

VERSION = {"widget": forms.HiddenInput, "required": False, "min_value": 0, "max_value": 2**31 - 1}
MONEY = {"min_value": 0, "max_value": MAX_AMOUNT, "max_digits": 14, "decimal_places": 2}


def _date_widget():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _with_all(choices):
    return [("", _("All")), *choices]


class TierForm(forms.Form):
    """Move a project to another tier, with a reason."""

    tier = forms.ChoiceField(label=_("New tier"), choices=Tier.choices)
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    version = forms.IntegerField(**VERSION)


class EntryRuleForm(forms.Form):
    min_investment = forms.DecimalField(label=_("Minimum total investment (10k yuan)"), **MONEY)
    required_kinds = forms.MultipleChoiceField(
        label=_("Documents required"),
        required=False,
        choices=MilestoneKind.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Milestones of these kinds must be on the project (planned or done)."),
    )
    version = forms.IntegerField(**VERSION)


class GateForm(forms.Form):
    gate_kinds = forms.MultipleChoiceField(
        label=_("Milestones to be done"),
        required=False,
        choices=MilestoneKind.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Each must have an actual date before a project moves up into this tier."),
    )
    version = forms.IntegerField(**VERSION)


class DepthFilterForm(forms.Form):
    by = forms.ChoiceField(
        label=_("Group by"),
        required=False,
        choices=[("year", _("Start year")), ("chain", _("Industry chain")), ("category", _("Category"))],
    )
    category = forms.ChoiceField(label=_("Category"), required=False, choices=_with_all(Category.choices))
    start_year = forms.IntegerField(label=_("Start year"), required=False, min_value=YEARS[0], max_value=YEARS[1])
    chain = forms.ChoiceField(label=_("Industry chain"), required=False)

    def __init__(self, data, *, chains):
        super().__init__(data)
        self.fields["chain"].choices = _with_all([(str(c.pk), c.name) for c in chains])

    def filters(self) -> dict:
        if not self.is_bound or not self.is_valid():
            return {"by": "year"}
        data = {name: value for name, value in self.cleaned_data.items() if value not in (None, "")}
        data["by"] = data.get("by") if data.get("by") in DIMENSIONS else "year"
        return data


class ApplicationFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Funding kind"), required=False, choices=_with_all(FundingKind.choices))
    status = forms.ChoiceField(label=_("Status"), required=False, choices=_with_all(FundingStatus.choices))
    year = forms.IntegerField(label=_("Year"), required=False, min_value=YEARS[0], max_value=YEARS[1])
    tier = forms.ChoiceField(label=_("Library tier"), required=False, choices=_with_all(Tier.choices))

    def filters(self) -> dict:
        if not self.is_bound or not self.is_valid():
            return {}
        return {name: value for name, value in self.cleaned_data.items() if value not in (None, "")}


class ApplicationForm(forms.Form):
    kind = forms.ChoiceField(label=_("Funding kind"), choices=FundingKind.choices)
    year = forms.IntegerField(label=_("Year"), min_value=YEARS[0], max_value=YEARS[1])
    amount_requested = forms.DecimalField(label=_("Amount requested (10k yuan)"), **MONEY)
    note = forms.CharField(label=_("Note"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(**VERSION)


class ApplicationStepForm(forms.Form):
    """One step of an application; the fields it shows depend on the step (`for_step`)."""

    on = forms.DateField(label=_("Date"), widget=_date_widget())
    amount_approved = forms.DecimalField(label=_("Amount approved (10k yuan)"), required=False, **MONEY)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(**VERSION)

    def __init__(self, data=None, *, step: str, **kwargs):
        super().__init__(data, **kwargs)
        self.step = step
        if step != "approve":
            del self.fields["amount_approved"]
        else:
            self.fields["amount_approved"].required = True
        if step != "reject":
            del self.fields["reason"]
        else:
            self.fields["reason"].required = True

    def clean_amount_approved(self):
        value = self.cleaned_data.get("amount_approved")
        return value if value is None else Decimal(value)
