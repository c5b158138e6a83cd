from django import forms
from django.utils.translation import gettext_lazy as _

from guatu.access import gateway
from guatu.chains.models import ChainTarget, FollowThrough, Policy, TeamMember
from guatu.projects.models import IndustryChain

VERSION_MAX = 2**31 - 1


class _PartForm(forms.ModelForm):
    """A chain's part; bounds come from the model's columns (max length, digits and places, years). Editing a
    part (an instance given) also carries the version it was read at."""

    def __init__(self, *args, chain: IndustryChain, **kwargs):
        super().__init__(*args, **kwargs)
        self.chain = chain
        if self.instance.pk:
            self.fields["expected_version"] = forms.IntegerField(
                widget=forms.HiddenInput, min_value=0, max_value=VERSION_MAX, label=_("version")
            )
            if not self.is_bound:
                self.initial["expected_version"] = self.instance.version

    def values(self) -> dict:
        """The part's fields as typed (without the version)."""
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class DeleteForm(forms.Form):
    """Deleting a part: why, and the version it was read at."""

    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))
    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=VERSION_MAX)

    def __init__(self, *args, part, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["expected_version"].label = _("version")
        if not self.is_bound:
            self.initial["expected_version"] = part.version


class TargetForm(_PartForm):
    class Meta:
        model = ChainTarget
        fields = ["year", "metric", "target"]


class PolicyForm(_PartForm):
    class Meta:
        model = Policy
        fields = ["title", "document_number", "issued_on", "summary"]
        widgets = {"issued_on": forms.DateInput(attrs={"type": "date"})}


class ProgressForm(_PartForm):
    class Meta:
        model = FollowThrough
        fields = ["happened_on", "content", "done_by"]
        widgets = {"happened_on": forms.DateInput(attrs={"type": "date"})}


class MemberForm(_PartForm):
    class Meta:
        model = TeamMember
        fields = ["name", "unit", "duty", "position"]

    def __init__(self, *args, chain: IndustryChain, **kwargs):
        super().__init__(*args, chain=chain, **kwargs)
        self.fields["unit"].queryset = chain.jurisdiction.__class__.objects.open().subtree(chain.jurisdiction)


class ChainForm(forms.ModelForm):
    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=VERSION_MAX)

    class Meta:
        model = IndustryChain
        fields = ["name", "kind", "chief", "lead_unit", "sort_order"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["chief"].queryset = gateway.chain_chiefs(user)
        self.fields["lead_unit"].queryset = gateway.library_units(user)
        self.fields["sort_order"].max_value = 32767
        self.fields["expected_version"].label = _("version")
        if not self.is_bound:
            self.initial["expected_version"] = self.instance.version

    def _post_clean(self):
        """The service writes the chain; the form only reads and bounds the input."""

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields} | {
            "expected_version": self.cleaned_data["expected_version"]
        }
