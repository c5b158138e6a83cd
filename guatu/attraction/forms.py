"""Forms of the investment-attraction pages: bounded fields with Chinese labels (from the models)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from guatu.attraction.models import FundsInPlace, Lead, LeadFollowUp, LeadStatus
from guatu.projects.models import MONEY
from guatu.web.forms import MonthField

MAX_AMOUNT = Decimal("999999999999.99")


def _amount(label, *, required: bool = True) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        min_value=Decimal(0),
        max_value=MAX_AMOUNT,
        max_digits=MONEY["max_digits"],
        decimal_places=MONEY["decimal_places"],
    )


def _label(model, name: str):
    return model._meta.get_field(name).verbose_name


class VersionedForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1, max_value=2**31 - 1)


class LeadForm(VersionedForm):
    name = forms.CharField(label=_label(Lead, "name"), max_length=200)
    investor = forms.CharField(label=_label(Lead, "investor"), max_length=200)
    investor_origin = forms.ChoiceField(label=_label(Lead, "investor_origin"), choices=Lead._meta.get_field("investor_origin").choices)
    source = forms.ChoiceField(label=_label(Lead, "source"), choices=Lead._meta.get_field("source").choices)
    responsible_unit = forms.ModelChoiceField(label=_label(Lead, "responsible_unit"), queryset=None)
    chain = forms.ModelChoiceField(label=_label(Lead, "chain"), queryset=None, required=False)
    category = forms.ChoiceField(label=_label(Lead, "category"), choices=Lead._meta.get_field("category").choices)
    planned_investment = _amount(_label(Lead, "planned_investment"))

    def __init__(self, *args, units, chains, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible_unit"].queryset = units
        self.fields["chain"].queryset = chains


class FilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("All"))] + LeadStatus.choices)
    unit = forms.ModelChoiceField(label=_("Unit in charge"), queryset=None, required=False)
    chain = forms.ModelChoiceField(label=_("Industry chain"), queryset=None, required=False)
    late = forms.BooleanField(label=_("Start overdue only"), required=False)

    def __init__(self, *args, units, chains, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["chain"].queryset = chains

    def filters(self) -> dict:
        if not self.is_bound or not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "status": data.get("status") or "",
            "unit": data.get("unit"),
            "chain_id": data["chain"].pk if data.get("chain") else None,
            "late": bool(data.get("late")),
        }


def step_auto_id(action: str) -> str:
    """The ids of a form of the lead page, one set per form (id_lead_sign_on …), so that no two fields of the
    page share an id and every label points at its own field."""
    return "id_" + action.replace(".", "_") + "_%s"


class StepForm(VersionedForm):
    """The data a step needs: a date, labelled with what it is (签约日期, 开工日期 …); for signing also the
    contract amount and the promised start."""

    on = forms.DateField(label=_("Date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    contract_amount = _amount(_label(Lead, "contract_amount"), required=False)
    promised_start = forms.DateField(
        label=_label(Lead, "promised_start"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, action: str = "", date_field: str = "", **kwargs):
        super().__init__(*args, auto_id=step_auto_id(action) if action else "id_%s", **kwargs)
        if date_field:
            self.fields["on"].label = _label(Lead, date_field)


class DropForm(VersionedForm):
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, action: str = "", date_field: str = "", **kwargs):
        super().__init__(*args, auto_id=step_auto_id(action) if action else "id_%s", **kwargs)


class FollowUpForm(forms.Form):
    date = forms.DateField(label=_label(LeadFollowUp, "date"), widget=forms.DateInput(attrs={"type": "date"}))
    text = forms.CharField(label=_label(LeadFollowUp, "text"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class FundsForm(VersionedForm):
    period = MonthField(label=_("Month"))
    domestic = _amount(_label(FundsInPlace, "domestic"))
    foreign = _amount(_label(FundsInPlace, "foreign"))


class ConvertForm(VersionedForm):
    end_year = forms.IntegerField(label=_("End year"), required=False, min_value=2000, max_value=2100)


class PerformanceForm(forms.Form):
    period = MonthField(label=_("Month"), required=False)
