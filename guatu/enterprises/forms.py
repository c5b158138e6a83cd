"""Forms of the enterprise pages: every field bounded to its column, messages in Chinese."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from guatu.dispatch.forms import ALL, UnitChoiceField
from guatu.dispatch.models import ProblemCategory
from guatu.enterprises.models import Enterprise
from guatu.enterprises.services import MAX_DESCRIPTION, YEARS, EnterpriseInput

YES_NO = [("", ALL), ("1", _("Yes")), ("0", _("No"))]


class ChainChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class EnterpriseFilterForm(forms.Form):
    """Filters of the enterprise list; an invalid value is reported next to its field and ignored."""

    unit = UnitChoiceField(label=_("Unit looking after it"), required=False, empty_label=ALL)
    chain = ChainChoiceField(label=_("Industry chain"), queryset=None, required=False, empty_label=ALL)
    above_scale = forms.ChoiceField(label=_("Above designated size"), choices=YES_NO, required=False)
    is_chain_master = forms.ChoiceField(label=_("Chain-master firm"), choices=YES_NO, required=False)

    def __init__(self, data, *, units, chains):
        super().__init__(data)
        self.fields["unit"].set_units(units)
        self.fields["chain"].queryset = chains

    def filters(self) -> dict:
        if not self.is_bound:
            return {}
        self.is_valid()
        data = {name: value for name, value in self.cleaned_data.items() if value not in (None, "")}
        for name in ("above_scale", "is_chain_master"):
            if name in data:
                data[name] = data[name] == "1"
        return data


def _model_field(name: str, **kw) -> forms.Field:
    return Enterprise._meta.get_field(name).formfield(**kw)


class EnterpriseForm(forms.Form):
    name = _model_field("name")
    uscc = forms.CharField(
        label=_("Unified social credit code"),
        max_length=30,  # 18 characters, spaces allowed while typing
        help_text=_("18 characters: digits and capital letters except I, O, Z, S, V."),
    )
    unit = UnitChoiceField(label=_("Unit looking after it"), empty_label=None)
    chain = ChainChoiceField(label=_("Industry chain"), queryset=None, required=False)
    above_scale = _model_field("above_scale")
    is_chain_master = _model_field("is_chain_master")
    industry = _model_field("industry")
    contact_name = _model_field("contact_name")
    contact_phone = _model_field("contact_phone")
    notes = _model_field("notes", widget=forms.Textarea(attrs={"rows": 3}))
    version = forms.IntegerField(min_value=1, required=False, widget=forms.HiddenInput)

    def __init__(self, *args, units, chains, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].set_units(units)
        self.fields["chain"].queryset = chains

    def to_input(self) -> EnterpriseInput:
        data = self.cleaned_data
        return EnterpriseInput(
            name=data["name"],
            uscc=data["uscc"],
            unit=data["unit"],
            chain=data["chain"],
            above_scale=data["above_scale"],
            is_chain_master=data["is_chain_master"],
            industry=data["industry"],
            notes=data["notes"],
            contact_name=data["contact_name"],
            contact_phone=data["contact_phone"],
        )

    @staticmethod
    def initial_for(enterprise: Enterprise) -> dict:
        fields = ["name", "uscc", "above_scale", "is_chain_master", "industry", "notes", "contact_name"]
        return {
            **{name: getattr(enterprise, name) for name in [*fields, "contact_phone"]},
            "unit": enterprise.unit_id,
            "chain": enterprise.chain_id,
            "version": enterprise.version,
        }


class FigureForm(forms.Form):
    """A year's output value and tax paid (万元); the version of the year's row when it exists."""

    year = forms.IntegerField(label=_("Year"), min_value=YEARS[0], max_value=YEARS[1])
    output = forms.DecimalField(
        label=_("Output value (10k yuan)"), max_digits=14, decimal_places=2, min_value=0
    )
    tax = forms.DecimalField(label=_("Tax paid (10k yuan)"), max_digits=14, decimal_places=2, min_value=0)
    version = forms.IntegerField(min_value=1, required=False, widget=forms.HiddenInput)


class RequestForm(forms.Form):
    """A firm's request (诉求), raised on its behalf."""

    description = forms.CharField(
        label=_("What the enterprise asks for"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=MAX_DESCRIPTION,
    )
    category = forms.ChoiceField(label=_("Category"), choices=ProblemCategory.choices)
