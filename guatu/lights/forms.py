"""Forms of the lights pages: the red/yellow list's filters, and the warning rules (fields or a YAML file)."""

from __future__ import annotations

from dataclasses import fields as dataclass_fields
from decimal import Decimal

import yaml
from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from guatu.lib import safe_yaml
from guatu.lib.lights import Light, RuleSet
from guatu.lib.text_files import TextFileError, decode_text
from guatu.web.forms import MonthField
from guatu.web.lookups import LookupField, LookupForm

MAX_RULES_FILE_KB = 64


class BoardForm(LookupForm):
    """Which month and which unit the red and yellow list is for; an invalid value is reported and ignored.
    The unit is picked by name from the units the reader sees (guatu.web.lookups)."""

    period = MonthField(
        label=_("Month"),
        required=False,
    )
    unit = LookupField("units", label=_("Unit"), placeholder=_("All units I see"))

    def filters(self) -> dict:
        if not self.is_bound:
            return {}
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value}


class DefaultPeriodForm(forms.Form):
    """The month the jurisdiction's pages open on; empty for the latest month whose deadline has passed."""

    default_period = MonthField(
        label=_("Month pages open on"),
        required=False,
        max_length=7,
        help_text=_(
            "Leave empty to open on the latest month whose reporting deadline has passed (recommended)."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["default_period"].error_messages["max_length"] = gettext(
            "The month must be written as YYYY-MM, for example 2022-03."
        )


class ComputeForm(BoardForm):
    """Recompute the lights of a month (and the months before it in that year)."""

    def __init__(self, data, *, user):
        super().__init__(data, user=user)
        self.fields["period"].required = True
        self.fields["period"].error_messages["required"] = gettext("Give the month to compute, e.g. 2022-03.")


LIGHT_CHOICES = [(Light.YELLOW.code, _("Yellow")), (Light.RED.code, _("Red"))]


class RulesForm(forms.Form):
    """Every warning-rule setting (guatu.lib.lights.RuleSet) as a field; see docs/lights.md."""

    yellow_behind_points = forms.DecimalField(
        label=_("Yellow when behind schedule by more than (percentage points)"),
        min_value=0,
        max_value=100,
        decimal_places=2,
    )
    red_behind_points = forms.DecimalField(
        label=_("Red when behind schedule by more than (percentage points)"),
        min_value=0,
        max_value=100,
        decimal_places=2,
    )
    start_missed_red_after_months = forms.IntegerField(
        label=_("Planned start missed: yellow, and red after (months)"), min_value=1, max_value=36
    )
    milestone_overdue_red_after_months = forms.IntegerField(
        label=_("Milestone overdue: yellow, and red after (months)"), min_value=1, max_value=36
    )
    report_deadline_day = forms.IntegerField(
        label=_("A month's report is due by this day of the next month"), min_value=1, max_value=28
    )
    missing_report_light = forms.ChoiceField(
        label=_("Light for a report missing after the deadline"), choices=LIGHT_CHOICES
    )
    no_progress_months = forms.IntegerField(
        label=_("No progress: months in a row without investment"), min_value=1, max_value=24
    )
    no_progress_light = forms.ChoiceField(label=_("Light for no progress"), choices=LIGHT_CHOICES)
    recovery_periods = forms.IntegerField(
        label=_("Months on schedule before a yellow or red project turns green"),
        min_value=1,
        max_value=12,
        help_text=_("Lights have memory: until then a project that has caught up stays yellow."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            name = {"field": field.label}
            messages = {
                "required": gettext("Enter “%(field)s”.") % name,
                "invalid": gettext("“%(field)s” must be a number.") % name,
                "invalid_choice": gettext("“%(field)s”: pick yellow or red.") % name,
                "max_decimal_places": gettext("“%(field)s” has at most 2 decimal places.") % name,
                "max_digits": gettext("“%(field)s” is too large.") % name,
                "max_whole_digits": gettext("“%(field)s” is too large.") % name,
            }
            if getattr(field, "min_value", None) is not None:
                messages["min_value"] = gettext("“%(field)s” must be at least %(limit)s.") % {
                    **name,
                    "limit": field.min_value,
                }
                messages["max_value"] = gettext("“%(field)s” must be at most %(limit)s.") % {
                    **name,
                    "limit": field.max_value,
                }
            field.error_messages.update(messages)

    def clean(self):
        data = super().clean()
        yellow, red = data.get("yellow_behind_points"), data.get("red_behind_points")
        if yellow is not None and red is not None and yellow > red:
            self.add_error(
                "red_behind_points",
                gettext("The red threshold (%(red)s) must not be below the yellow threshold (%(yellow)s).")
                % {"red": red, "yellow": yellow},
            )
        return data

    def rules(self) -> dict:
        """The settings as the stored (and YAML) mapping: plain numbers and light names."""
        out = {}
        for name, value in self.cleaned_data.items():
            if isinstance(value, Decimal):
                value = int(value) if value == value.to_integral_value() else format(value.normalize(), "f")
            out[name] = value
        return out

    @staticmethod
    def initial_from(rules: RuleSet) -> dict:
        return {
            f.name: (value.code if isinstance(value := getattr(rules, f.name), Light) else value)
            for f in dataclass_fields(RuleSet)
        }


class RulesFileForm(forms.Form):
    """A rules file as documented in docs/lights.md; settings it leaves out take their default values."""

    file = forms.FileField(label=_("Rules file (YAML)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].error_messages["required"] = gettext("Choose a rules file to upload.")
        self.fields["file"].error_messages["empty"] = gettext("The file is empty.")

    def clean_file(self) -> str:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_RULES_FILE_KB * 1024:
            raise forms.ValidationError(
                gettext("The file is too large for a rules file (at most %(kb)s KB).")
                % {"kb": MAX_RULES_FILE_KB}
            )
        try:
            return decode_text(upload.read())
        except TextFileError as exc:
            raise forms.ValidationError(str(exc)) from None

    def rules(self) -> dict:
        """The `rules:` mapping of the file, checked field by field with the page's own messages."""
        text = self.cleaned_data["file"]
        try:
            data = safe_yaml.load(text, max_bytes=MAX_RULES_FILE_KB * 1024) or {}
        except safe_yaml.SafeYamlError as exc:  # anchors, aliases, size, depth: says what and where
            raise forms.ValidationError(str(exc)) from None
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = gettext(" (line %(line)s)") % {"line": mark.line + 1} if mark else ""
            raise forms.ValidationError(
                gettext("The file is not valid YAML%(where)s.") % {"where": where}
            ) from None
        rules = data.get("rules", data) if isinstance(data, dict) else None
        if not isinstance(rules, dict):
            raise forms.ValidationError(
                gettext("The file must hold a mapping of rule settings under `rules:`.")
            )
        known = {f.name for f in dataclass_fields(RuleSet)}
        unknown = sorted(str(key) for key in rules if key not in known)
        if unknown:
            raise forms.ValidationError(
                gettext("Unknown settings in the file: %(names)s. See docs/lights.md for the names.")
                % {"names": ", ".join(unknown)}
            )
        defaults = RulesForm.initial_from(RuleSet())
        check = RulesForm(data={**defaults, **{key: "" if v is None else str(v) for key, v in rules.items()}})
        if not check.is_valid():
            raise forms.ValidationError([error for errors in check.errors.values() for error in errors])
        return rules
