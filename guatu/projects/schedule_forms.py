"""Forms of a project's schedule pages (milestones, annual plans) and of the level-tag list.

Each field is bounded by its column (text to its max_length, amounts to 14 digits with 2 places, not negative);
the services check the same and more (dates 2000–2100, an attachment's content, the months adding up)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from guatu.projects.models import MONEY, LevelTag, Milestone, MilestoneKind
from guatu.projects.schedule import MAX_ATTACHMENT_MB

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MONTHS = range(1, 13)


def _max_length(model, name: str) -> int:
    return model._meta.get_field(name).max_length


def _amount(label, *, required: bool) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        min_value=Decimal(0),
        max_digits=MONEY["max_digits"],
        decimal_places=MONEY["decimal_places"],
        widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 12}),
    )


class VersionedForm(forms.Form):
    """Carries the version the row was read at: a save over a newer one, or without any, is refused."""

    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].error_messages["required"] = gettext(
            "The form is missing the version it was read at; reload the page and enter your changes again."
        )


def _attachment() -> forms.FileField:
    return forms.FileField(
        label=_("Attachment"),
        required=False,
        help_text=_(
            "Optional: the approval document, a scan or a photo (PDF, image, Word, Excel…), at most %(mb)s MB."
        )
        % {"mb": MAX_ATTACHMENT_MB},
    )


class MilestoneForm(VersionedForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=MilestoneKind.choices)
    name = forms.CharField(label=_("Step"), max_length=_max_length(Milestone, "name"))
    planned_date = forms.DateField(label=_("Planned date"), widget=DATE_INPUT)
    actual_date = forms.DateField(label=_("Actual completion date"), required=False, widget=DATE_INPUT)
    document_no = forms.CharField(
        label=_("Document no."), max_length=_max_length(Milestone, "document_no"), required=False
    )
    attachment = _attachment()

    def __init__(self, *args, new: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if new:  # a new step has no version yet
            del self.fields["version"]


class MilestoneCompleteForm(VersionedForm):
    actual_date = forms.DateField(label=_("Actual completion date"), widget=DATE_INPUT)
    document_no = forms.CharField(label=_("Document no."), max_length=_max_length(Milestone, "document_no"))
    attachment = _attachment()


class MilestoneDeleteForm(VersionedForm):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class AnnualPlanForm(VersionedForm):
    """The year's amount and, optionally, its twelve months (all empty: not phased)."""

    amount = _amount(_("Annual plan (10k yuan)"), required=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for month in MONTHS:
            self.fields[f"month_{month}"] = _amount(
                gettext("Month %(month)s") % {"month": month}, required=False
            )

    def month_fields(self):
        return [self[f"month_{month}"] for month in MONTHS]

    def months(self) -> dict[int, Decimal] | None:
        """The phased months that were filled in, or None when none was (the plan is not phased)."""
        filled = {
            month: self.cleaned_data[f"month_{month}"]
            for month in MONTHS
            if self.cleaned_data.get(f"month_{month}") is not None
        }
        return filled or None


class LevelTagForm(VersionedForm):
    code = forms.SlugField(
        label=_("Code"),
        max_length=_max_length(LevelTag, "code"),
        help_text=_(
            "Letters, digits, - and _; imports and the command line name the list by it. It cannot change."
        ),
    )
    name = forms.CharField(label=_("Name"), max_length=_max_length(LevelTag, "name"))
    bulletin_label = forms.CharField(
        label=_("Bulletin label"),
        max_length=_max_length(LevelTag, "bulletin_label"),
        help_text=_("How bulletins name the list, e.g. 省重点项目"),
    )
    sort_order = forms.IntegerField(label=_("Sort order"), min_value=0, max_value=32767, initial=0)
    in_bulletin = forms.BooleanField(label=_("In the bulletin sentence"), required=False, initial=True)

    def __init__(self, *args, new: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if new:
            del self.fields["version"]
        else:
            del self.fields["code"]
