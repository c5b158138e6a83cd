"""Forms of the dispatch pages: they parse what people type; the services decide what is allowed.

Choices (units, projects, leaders) are what the reader may see, so an id from elsewhere is refused as an
invalid choice before any service runs.
"""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from guatu import clock
from guatu.dispatch.dates import deadline_error, meeting_date_error
from guatu.dispatch.models import (
    MeetingDecision,
    ProblemCategory,
    ProblemFeedback,
    ProblemStatus,
    Satisfaction,
    Tier,
)
from guatu.dispatch.queries import OPEN
from guatu.web.forms import BoundedModelMultipleChoiceField
from guatu.web.lookups import LookupField, LookupForm
from guatu.web.uploads import DOCUMENT_EXTENSIONS, check_upload, name_room

ALL = _("All")
MAX_ATTACHMENT_MB = 20
MAX_ID = 2**63 - 1  # the largest id a database column holds (a larger one fails in the database, not here)
# Office documents, scans and photos, each checked by its content (guatu.web.uploads).
ATTACHMENT_EXTENSIONS = DOCUMENT_EXTENSIONS


def _with_all(choices):
    return [("", ALL), *choices]


def unit_choice_label(units):
    """Units indented by depth under the shallowest one, so a tree reads as one."""
    top = min((unit.depth for unit in units), default=0)
    return {unit.pk: "\u3000" * (unit.depth - top) + unit.display_name for unit in units}


class UnitChoiceField(forms.ChoiceField):
    """A unit picked from rows the page has already fetched: no query to validate the choice."""

    def __init__(self, *args, empty_label=ALL, **kwargs):
        super().__init__(*args, **kwargs)
        self.empty_label = empty_label
        self._units = {}
        self.error_messages["invalid_choice"] = gettext("Pick a unit from the list.")

    def set_units(self, units: list) -> None:
        labels = unit_choice_label(units)
        self._units = {str(unit.pk): unit for unit in units}
        empty = [("", self.empty_label)] if self.empty_label is not None else []
        self.choices = empty + [(str(unit.pk), labels[unit.pk]) for unit in units]

    def clean(self, value):
        value = super().clean(value)
        return self._units.get(str(value)) if value not in self.empty_values else None


class UnitMultipleChoiceField(forms.MultipleChoiceField):
    """Several units picked from rows the page has already fetched."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._units = {}
        self.error_messages["invalid_choice"] = gettext("Pick a unit from the list.")

    def set_units(self, units: list) -> None:
        labels = unit_choice_label(units)
        self._units = {str(unit.pk): unit for unit in units}
        self.choices = [(str(unit.pk), labels[unit.pk]) for unit in units]

    def clean(self, value):
        return [self._units[str(pk)] for pk in super().clean(value)]


def _date_widget():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _checked_deadline(deadline: date | None) -> date | None:
    """The same rule as the services (guatu/dispatch/dates.py), so the form says it next to the field."""
    if deadline is not None and (error := deadline_error(deadline, today=clock.today())):
        raise forms.ValidationError(error)
    return deadline


def _required(field: forms.Field, message: str) -> forms.Field:
    field.error_messages["required"] = message
    return field


class VersionedForm(forms.Form):
    """An action on a problem read at a version: a stale action is refused by the service."""

    version = forms.IntegerField(label=_("Version"), min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].error_messages["required"] = gettext(
            "The form is missing the problem's version; reload the page and try again."
        )


# --- problems --------------------------------------------------------------------------------------------


class CloseForm(VersionedForm):
    """Close a problem; an enterprise's request with the firm's satisfaction (the service requires it)."""

    satisfaction = forms.ChoiceField(
        label=_("Enterprise's satisfaction"), required=False, choices=[("", "—"), *Satisfaction.choices]
    )


class ProblemFilterForm(LookupForm):
    """Filters of the problem list; an invalid value is reported next to its field and ignored. The unit is
    picked by name from the units the reader sees (guatu.web.lookups)."""

    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", ALL), (OPEN, _("Open (not closed)")), *ProblemStatus.choices],
    )
    tier = forms.TypedChoiceField(
        label=_("Tier"), required=False, coerce=int, empty_value=None, choices=_with_all(Tier.choices)
    )
    category = forms.ChoiceField(
        label=_("Category"), required=False, choices=_with_all(ProblemCategory.choices)
    )
    unit = LookupField("units", label=_("Unit"), placeholder=ALL)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    requests = forms.BooleanField(label=_("Enterprise requests only"), required=False)
    project = forms.IntegerField(
        label=_("Project"), required=False, widget=forms.HiddenInput, min_value=1, max_value=MAX_ID
    )

    def filters(self) -> dict:
        """The valid filters only."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value not in (None, "", False)}


class ProblemRaiseForm(forms.Form):
    """Raise a problem. The subject (project or chain) is either fixed by the page or picked here."""

    project = forms.ModelChoiceField(label=_("Project"), queryset=None, required=False)
    chain = forms.ModelChoiceField(label=_("Industry chain"), queryset=None, required=False)
    description = forms.CharField(
        label=_("Problem"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000
    )
    category = forms.ChoiceField(label=_("Category"), choices=ProblemCategory.choices)
    tier = forms.TypedChoiceField(
        label=_("Dispatch tier"),
        coerce=int,
        choices=Tier.choices,
        initial=Tier.UNIT,
        help_text=_(
            "Who should handle it: the lead unit on site, the responsible leader, or the principal leaders."
        ),
    )

    def __init__(self, *args, projects=None, chains=None, **kwargs):
        super().__init__(*args, **kwargs)
        _required(self.fields["description"], gettext("Describe the problem."))
        _required(self.fields["category"], gettext("Pick the category of the problem."))
        self.fields["description"].error_messages["max_length"] = gettext(
            "The description is too long: at most %(limit_value)d characters."
        )
        for name, queryset in (("project", projects), ("chain", chains)):
            if queryset is None:
                del self.fields[name]
            else:
                self.fields[name].queryset = queryset
                self.fields[name].empty_label = "—"
                self.fields[name].error_messages["invalid_choice"] = gettext("Pick one from the list.")
        if projects is not None and chains is None:  # a project is the only subject this person may pick
            self.fields["project"].required = True
            self.fields["project"].error_messages["required"] = gettext(
                "Pick the project (or industry chain) the problem is about."
            )

    @property
    def picks_subject(self) -> bool:
        return "project" in self.fields or "chain" in self.fields

    def clean(self):
        data = super().clean()
        if self.picks_subject:
            project, chain = data.get("project"), data.get("chain")
            if project and chain:
                raise forms.ValidationError(gettext("Pick a project or an industry chain, not both."))
            if not project and not chain and not ({"project", "chain"} & set(self.errors)):
                raise forms.ValidationError(
                    gettext("Pick the project (or industry chain) the problem is about.")
                )
        return data


class AssignForm(VersionedForm):
    """交办: the unit, the deadline, what must be achieved, and the tier that handles it."""

    unit = UnitChoiceField(label=_("Assigned unit"), empty_label=None)
    deadline = forms.DateField(label=_("Deadline"), widget=_date_widget())
    required_outcome = forms.CharField(
        label=_("Required outcome"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
    tier = forms.TypedChoiceField(label=_("Dispatch tier"), coerce=int, choices=Tier.choices)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].set_units(units)
        _required(self.fields["unit"], gettext("Pick the unit the problem is assigned to."))
        _required(self.fields["deadline"], gettext("Give a deadline."))
        self.fields["deadline"].error_messages["invalid"] = gettext(
            "The deadline must be a date such as 2022-03-31."
        )

    def clean_deadline(self) -> date:
        return _checked_deadline(self.cleaned_data["deadline"])


class FeedbackForm(VersionedForm):
    text = forms.CharField(
        label=_("What has been done"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000
    )
    attachment = forms.FileField(
        label=_("Attachment"),
        required=False,
        help_text=_("Optional: a document, scan or photo, at most %(mb)s MB.") % {"mb": MAX_ATTACHMENT_MB},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _required(self.fields["text"], gettext("Write what has been done."))

    def clean_attachment(self):
        upload = self.cleaned_data.get("attachment")
        if not upload:
            return None
        return check_upload(
            upload,
            allowed=ATTACHMENT_EXTENSIONS,
            max_mb=MAX_ATTACHMENT_MB,
            max_name_length=name_room(ProblemFeedback._meta.get_field("attachment")),
        )


class ReasonForm(VersionedForm):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _required(self.fields["reason"], gettext("Give a reason for reopening the problem."))


# --- supervision orders ----------------------------------------------------------------------------------


class OrderFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(self, data, *, statuses):
        super().__init__(data)
        self.fields["status"].choices = _with_all(statuses)

    def filters(self) -> dict:
        if not self.is_bound:
            return {}
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value not in (None, "", False)}


class OrderIssueForm(forms.Form):
    """督办单: to whom, what the written response must cover, by when."""

    project = forms.ModelChoiceField(label=_("Project"), queryset=None)
    addressee = UnitChoiceField(label=_("Addressed to"), empty_label=None)
    requirement = forms.CharField(
        label=_("Required written response"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000
    )
    deadline = forms.DateField(label=_("Response deadline"), widget=_date_widget())

    def __init__(self, *args, projects=None, units, **kwargs):
        super().__init__(*args, **kwargs)
        if projects is None:
            del self.fields["project"]
        else:
            self.fields["project"].queryset = projects
            _required(self.fields["project"], gettext("Pick the project the order is about."))
            self.fields["project"].error_messages["invalid_choice"] = gettext("Pick one from the list.")
        self.fields["addressee"].set_units(units)
        _required(self.fields["addressee"], gettext("Pick the unit the order is addressed to."))
        _required(self.fields["requirement"], gettext("State what the written response must cover."))
        _required(self.fields["deadline"], gettext("Give a deadline."))
        self.fields["deadline"].error_messages["invalid"] = gettext(
            "The deadline must be a date such as 2022-03-31."
        )

    def clean_deadline(self) -> date:
        return _checked_deadline(self.cleaned_data["deadline"])


class OrderResponseForm(forms.Form):
    response = forms.CharField(
        label=_("Written response"), widget=forms.Textarea(attrs={"rows": 6}), max_length=8000
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _required(self.fields["response"], gettext("Write the response."))


# --- dispatch meetings -----------------------------------------------------------------------------------


class MeetingForm(forms.Form):
    tier = forms.TypedChoiceField(label=_("Dispatch tier"), coerce=int, choices=Tier.choices)
    date = forms.DateField(label=_("Date"), widget=_date_widget())
    title = forms.CharField(label=_("Title"), max_length=200)
    convenor = forms.ModelChoiceField(
        label=_("Convening leader"),
        queryset=None,
        required=False,
        help_text=_("Tier 2 and 3 meetings are convened by a leader."),
    )
    convenor_unit = UnitChoiceField(
        label=_("Convening unit"),
        required=False,
        empty_label="—",
        help_text=_("A tier 1 meeting is convened by a unit (the lead unit on site)."),
    )
    attendees = BoundedModelMultipleChoiceField(
        label=_("Attending leaders"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    attendee_units = UnitMultipleChoiceField(
        label=_("Attending units"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, leaders, units, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("convenor", "attendees"):
            self.fields[name].queryset = leaders
        self.fields["convenor"].empty_label = "—"
        self.fields["convenor_unit"].set_units(units)
        self.fields["attendee_units"].set_units(units)
        _required(self.fields["date"], gettext("Give the date of the meeting."))
        self.fields["date"].error_messages["invalid"] = gettext("The date must look like 2022-03-31.")
        _required(self.fields["title"], gettext("Give the meeting a title."))
        for name in ("convenor", "attendees"):
            self.fields[name].error_messages["invalid_choice"] = gettext("Pick one from the list.")
            self.fields[name].error_messages["invalid_pk_value"] = gettext("Pick one from the list.")

    def clean_date(self) -> date:
        day = self.cleaned_data["date"]
        if error := meeting_date_error(day, today=clock.today()):
            raise forms.ValidationError(error)
        return day


class MinutesForm(forms.Form):
    minutes = forms.CharField(
        label=_("Minutes"), required=False, widget=forms.Textarea(attrs={"rows": 8}), max_length=20000
    )


class DecidedItemForm(forms.Form):
    """A decided item (议定事项): a problem raised at the meeting, optionally assigned at once (the service
    refuses a unit without a deadline or a deadline without a unit)."""

    description = forms.CharField(
        label=_("Decided item"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )
    category = forms.ChoiceField(label=_("Category"), choices=ProblemCategory.choices)
    project = forms.ModelChoiceField(label=_("Project"), queryset=None, required=False, empty_label="—")
    unit = UnitChoiceField(label=_("Assigned unit"), required=False, empty_label="—")
    deadline = forms.DateField(label=_("Deadline"), required=False, widget=_date_widget())
    required_outcome = forms.CharField(
        label=_("Required outcome"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )

    def __init__(self, *args, projects, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = projects
        self.fields["project"].error_messages["invalid_choice"] = gettext("Pick one from the list.")
        self.fields["unit"].set_units(units)
        _required(self.fields["description"], gettext("Write the decided item."))
        _required(self.fields["category"], gettext("Pick the category of the problem."))
        self.fields["deadline"].error_messages["invalid"] = gettext(
            "The deadline must be a date such as 2022-03-31."
        )

    def clean_deadline(self) -> date | None:
        return _checked_deadline(self.cleaned_data["deadline"])


class DecisionForm(forms.Form):
    """A meeting's decided item (会议议定事项): what was decided, who leads it, who supports, by when; optionally
    the project or the problem it concerns. Editing carries the version the item was read at."""

    text = forms.CharField(
        label=_("Decided item"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=MeetingDecision._meta.get_field("text").max_length,
    )
    responsible_unit = UnitChoiceField(label=_("Responsible unit"), empty_label="—")
    support_units = UnitMultipleChoiceField(
        label=_("Support units"), required=False, widget=forms.SelectMultiple(attrs={"size": 6})
    )
    deadline = forms.DateField(label=_("Deadline"), widget=_date_widget())
    project = forms.ModelChoiceField(label=_("Project"), queryset=None, required=False, empty_label="—")
    problem = forms.ModelChoiceField(label=_("Problem"), queryset=None, required=False, empty_label="—")
    # Not required here: the service refuses a change without the version it was read at, in its own words.
    version = forms.IntegerField(
        label=_("Version"), required=False, min_value=1, max_value=2**31 - 1, widget=forms.HiddenInput
    )

    def __init__(self, *args, units, projects, problems, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible_unit"].set_units(units)
        self.fields["support_units"].set_units(units)
        self.fields["project"].queryset = projects
        self.fields["problem"].queryset = problems
        for name in ("project", "problem"):
            self.fields[name].error_messages["invalid_choice"] = gettext("Pick one from the list.")
        _required(self.fields["text"], gettext("Write the decided item."))
        _required(self.fields["responsible_unit"], gettext("Pick the unit responsible for the item."))
        _required(self.fields["deadline"], gettext("Give the deadline of the item."))
        self.fields["deadline"].error_messages["invalid"] = gettext(
            "The deadline must be a date such as 2022-03-31."
        )

    def clean_deadline(self) -> date | None:
        return _checked_deadline(self.cleaned_data["deadline"])


class DecisionRemoveForm(forms.Form):
    version = forms.IntegerField(
        label=_("Version"), required=False, min_value=1, max_value=2**31 - 1, widget=forms.HiddenInput
    )
