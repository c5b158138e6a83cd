from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from guatu.lib.periods import Period, PeriodError
from guatu.projects.models import Stage, Tier
from guatu.projects.queries import FilterChoices, ProjectFilters

ALL = _("All")


def _with_all(choices):
    return [("", ALL), *choices]


def _unit_choices(units):
    top = min((unit.depth for unit in units), default=0)
    return [(str(unit.pk), "\u3000" * (unit.depth - top) + unit.display_name) for unit in units]


class ProjectFilterForm(forms.Form):
    """The library's filters. Choices are what the reader may see, so an id from elsewhere is refused."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    tag = forms.ChoiceField(label=_("Level tag"), required=False)
    stage = forms.ChoiceField(label=_("Stage"), required=False, choices=_with_all(Stage.choices))
    location = forms.ChoiceField(label=_("Location"), required=False)
    chain = forms.ChoiceField(label=_("Industry chain"), required=False)
    lead = forms.ChoiceField(label=_("Lead unit"), required=False)
    leader = forms.ChoiceField(label=_("Responsible leader"), required=False)
    tier = forms.ChoiceField(label=_("Library tier"), required=False, choices=_with_all(Tier.choices))
    period = forms.CharField(
        label=_("Month"),
        required=False,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM"}),
    )

    def __init__(self, data, *, choices: FilterChoices):
        super().__init__(data)
        self._units = {str(unit.pk): unit for unit in choices.units}
        self.fields["q"].widget.attrs.update(
            {"type": "search", "placeholder": gettext("Name, code or owner"), "autocomplete": "off"}
        )
        self.fields["tag"].choices = _with_all([(tag.code, tag.name) for tag in choices.tags])
        unit_choices = _with_all(_unit_choices(choices.units))
        self.fields["location"].choices = unit_choices
        self.fields["lead"].choices = unit_choices
        self.fields["chain"].choices = _with_all([(str(chain.pk), chain.name) for chain in choices.chains])
        self.fields["leader"].choices = _with_all(
            [(str(leader.pk), leader.name) for leader in choices.leaders]
        )

    def clean_period(self) -> Period | None:
        text = self.cleaned_data["period"].strip()
        if not text:
            return None
        try:
            return Period.parse(text)
        except PeriodError:
            raise forms.ValidationError(
                gettext("The month must be written as YYYY-MM, for example 2022-03 (you entered %(value)s).")
                % {"value": text}
            ) from None

    def filters(self) -> ProjectFilters:
        """The valid filters; an invalid one is left out (its error is shown next to it)."""
        self.is_valid()
        data = self.cleaned_data

        def get(name):
            return data.get(name) or ""

        return ProjectFilters(
            tag=get("tag"),
            stage=get("stage"),
            tier=get("tier"),
            location=self._units.get(get("location")),
            lead=self._units.get(get("lead")),
            chain_id=int(get("chain")) if get("chain") else None,
            leader_id=int(get("leader")) if get("leader") else None,
            q=get("q"),
        )

    def selected_period(self) -> Period | None:
        self.is_valid()
        return self.cleaned_data.get("period")
