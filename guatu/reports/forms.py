"""Forms for the monthly-report pages: they parse what people type; the services decide what is allowed."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from guatu.lib.money import parse_money
from guatu.reports.services import ReportInput
from guatu.web.forms import MonthField
from guatu.web.lookups import LookupField, LookupForm

# Phones with a Chinese input method often type full-width digits and punctuation: １２３．５
_FULL_WIDTH = str.maketrans("０１２３４５６７８９．，－。", "0123456789.,-.")


class AmountField(forms.DecimalField):
    """An amount in 万元: plain digits (full-width accepted), at most 2 decimals, never negative."""

    widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "class": "amount"})

    def __init__(self, **kwargs):
        super().__init__(max_digits=14, decimal_places=2, min_value=Decimal("0"), **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        text = str(value).translate(_FULL_WIDTH).replace(" ", "")
        if text in self.empty_values:
            return None
        try:
            number = parse_money(text)
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
        return abs(number) if number == 0 else number  # no "-0"

    def name_in_messages(self, label: str) -> None:
        """Every message names the field, so it reads right when shown at the top of the page too."""
        field = {"field": label}
        self.error_messages.update(
            {
                "required": gettext("Enter %(field)s.") % field,
                "invalid": gettext("%(field)s must be a number in 10k yuan, such as 125.5.") % field,
                "min_value": gettext("%(field)s cannot be negative.") % field,
                "max_digits": gettext("%(field)s is too large: at most 12 digits before the decimal point.")
                % field,
                "max_whole_digits": gettext(
                    "%(field)s is too large: at most 12 digits before the decimal point."
                )
                % field,
                "max_decimal_places": gettext(
                    "%(field)s has at most 2 decimal places (10k yuan to the cent)."
                )
                % field,
            }
        )


class ReportForm(forms.Form):
    amount = AmountField(label=_("Completed this month (10k yuan)"))
    statistical_amount = AmountField(
        label=_("Statistical investment this month (10k yuan)"),
        required=False,
        help_text=_("Investment counted by the statistics bureau (纳统); leave empty if not known yet."),
    )
    physical_progress = forms.CharField(
        label=_("Physical progress"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What was built this month, e.g. main structure of building 2 topped out."),
    )
    problems = forms.CharField(label=_("Problems"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    next_month_plan = forms.CharField(
        label=_("Next month's plan"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    # The version the form was read at; empty for a new report. A stale save is refused by the service.
    version = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("amount", "statistical_amount"):
            field = self.fields[name]
            field.name_in_messages(str(field.label))

    def report_input(self) -> ReportInput:
        data = self.cleaned_data
        return ReportInput(
            amount=data["amount"],
            statistical_amount=data["statistical_amount"],
            physical_progress=data["physical_progress"],
            problems=data["problems"],
            next_month_plan=data["next_month_plan"],
        )


class ActionForm(forms.Form):
    """A workflow action on one report: the version it was read at, and where to go afterwards."""

    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].error_messages["required"] = gettext(
            "The form is missing the report's version; reload the page and try again."
        )


class ReasonForm(ActionForm):
    """Returning or unlocking a report needs a reason: the reporter reads it."""

    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), strip=True)

    def __init__(self, *args, what: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].error_messages["required"] = gettext("Give a reason for %(what)s.") % {
            "what": what
        }


class QueueFilterForm(LookupForm):
    """Filters of the review queue; an invalid value is reported and ignored. The unit is picked by name from
    the units the reviewer sees (guatu.web.lookups)."""

    period = MonthField(
        label=_("Month"),
        required=False,
    )
    unit = LookupField("units", label=_("Unit"), placeholder=_("All units"))


class WorkbookUploadForm(forms.Form):
    """A filled-in monthly report template; its content is checked by guatu.web.workbooks, not its name."""

    file = forms.FileField(label=_("Filled-in template (.xlsx)"))
    submit_reports = forms.BooleanField(
        label=_("Submit the reports for review once imported"),
        required=False,
        help_text=_("Leave unticked to keep them as drafts to check and submit one by one."),
    )

    def __init__(self, *args, max_bytes: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_bytes = max_bytes
        self.fields["file"].error_messages["required"] = gettext("Choose the filled-in template to upload.")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.max_bytes:
            raise forms.ValidationError(
                gettext("%(name)s is larger than the %(limit)s MB allowed.")
                % {"name": upload.name, "limit": self.max_bytes // (1024 * 1024)}
            )
        return upload


class BulkApproveForm(forms.Form):
    """The reports ticked on the review queue, each as `pk:version` (the version the reviewer saw)."""

    MAX = 200  # a page of the queue holds 50; a longer list is a crafted request

    def clean(self):
        raw = self.data.getlist("selected") if hasattr(self.data, "getlist") else []
        if not raw:
            raise forms.ValidationError(gettext("Tick the reports to approve first."))
        if len(raw) > self.MAX:
            raise forms.ValidationError(
                gettext("Approve at most %(limit)s reports at a time.") % {"limit": self.MAX}
            )
        selected = {}
        for item in raw:
            pk, _sep, version = str(item).partition(":")
            if not (pk.isdigit() and version.isdigit() and len(pk) < 12 and len(version) < 10):
                raise forms.ValidationError(
                    gettext("The selection is damaged; reload the page and try again.")
                )
            selected[int(pk)] = int(version)
        return {"selected": selected}
