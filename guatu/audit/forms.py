"""The audit log's filters (the audit administrator's page)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from guatu.audit.labels import ACTION_LABELS, action_label


def _action_choices():
    return [("", _("all actions"))] + sorted(
        ((action, action_label(action)) for action in ACTION_LABELS), key=lambda choice: choice[1]
    )


class AuditFilterForm(forms.Form):
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    user = forms.CharField(label=_("User"), max_length=150, required=False)
    action = forms.ChoiceField(label=_("Action"), choices=_action_choices, required=False)
    ip = forms.GenericIPAddressField(label=_("IP address"), required=False)

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            raise forms.ValidationError(_("The start date is after the end date."))
        return data

    def filters(self) -> dict[str, str]:
        """The filters given, as text: what the audit log records of this read."""
        return {name: str(value) for name, value in self.cleaned_data.items() if value not in (None, "")}
