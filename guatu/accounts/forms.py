"""Forms of the user pages: an administrator's user (add, change), a temporary password, one's own password
change, and a two-factor code."""

from __future__ import annotations

import re

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from guatu.accounts import signin
from guatu.accounts.models import Role
from guatu.orgs.forms import UnitChoiceField, VersionForm
from guatu.orgs.models import Leader

MAX_PASSWORD = 128


class LeaderChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, leader: Leader) -> str:
        return str(leader)


class UserForm(VersionForm):
    name = forms.CharField(label=pgettext_lazy("people", "Name"), max_length=150, required=False)
    org_unit = UnitChoiceField(label=pgettext_lazy("people", "Unit"), queryset=None)
    role = forms.ChoiceField(label=pgettext_lazy("people", "Role"), choices=Role.choices)
    leader = LeaderChoiceField(
        label=pgettext_lazy("people", "Leader"),
        queryset=None,
        required=False,
        help_text=_("For the leader role: whose projects this user reads"),
    )
    phone = forms.CharField(label=pgettext_lazy("people", "Phone"), max_length=30, required=False)
    email = forms.EmailField(label=pgettext_lazy("people", "Email"), max_length=254, required=False)

    def __init__(self, *args, units, leaders, roles=Role.values, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(value, label) for value, label in Role.choices if value in roles]
        self.fields["org_unit"].queryset = units
        self.fields["org_unit"].error_messages["invalid_choice"] = gettext("Pick a unit from the list.")
        self.fields["leader"].queryset = leaders
        self.fields["leader"].error_messages["invalid_choice"] = gettext("Pick a leader from the list.")

    @classmethod
    def initial_from(cls, user) -> dict:
        return {
            "name": user.get_full_name(),
            "org_unit": user.org_unit_id,
            "role": user.role,
            "leader": user.leader_id,
            "phone": user.phone,
            "email": user.email,
            "version": user.version,
        }


class UserCreateForm(UserForm):
    username = forms.CharField(
        label=pgettext_lazy("people", "Username"),
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text=_("Letters, digits and @/./+/-/_ only."),
    )
    password = forms.CharField(
        label=_("Initial password"),
        max_length=MAX_PASSWORD,
        strip=False,
        widget=forms.PasswordInput(render_value=True),
        help_text=_("Give it to the user: they must choose their own at first login."),
    )
    field_order = ["username", "name", "org_unit", "role", "leader", "phone", "email", "password"]


class PasswordResetForm(VersionForm):
    password = forms.CharField(
        label=_("Temporary password"),
        max_length=MAX_PASSWORD,
        strip=False,
        widget=forms.PasswordInput,
        help_text=_("The user must choose their own at next login."),
    )


class OwnPasswordForm(forms.Form):
    old_password = forms.CharField(
        label=_("Current password"), max_length=MAX_PASSWORD, strip=False, widget=forms.PasswordInput
    )
    new_password = forms.CharField(
        label=_("New password"), max_length=MAX_PASSWORD, strip=False, widget=forms.PasswordInput
    )
    new_password2 = forms.CharField(
        label=_("New password again"), max_length=MAX_PASSWORD, strip=False, widget=forms.PasswordInput
    )

    def clean(self):
        data = super().clean()
        if (
            data.get("new_password")
            and data.get("new_password2")
            and data["new_password"] != data["new_password2"]
        ):
            self.add_error("new_password2", gettext("The two new passwords differ."))
        return data


class SignInForm(AuthenticationForm):
    """Django's login form; an attempt refused for a locked name or a throttled address says so (the same words
    whether or not the name exists)."""

    def get_invalid_login_error(self):
        refused = getattr(self.request, "guatu_login_refused", None)
        if refused:
            return ValidationError(signin.refusal_message(refused), code="login_refused")
        return super().get_invalid_login_error()


class CodeForm(forms.Form):
    """A six-digit code from an authenticator app (spaces allowed, as some apps show "123 456")."""

    code = forms.CharField(
        label=pgettext_lazy("two-factor", "Code"),
        max_length=12,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True, "size": 8}
        ),
    )

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split())
        if not re.fullmatch(r"[0-9]{6}", code):
            raise ValidationError(gettext("Enter the six digits your authenticator app shows."))
        return code


class RoleForm(VersionForm):
    """The security administrator's change of a user's role, with the reason."""

    role = forms.ChoiceField(label=pgettext_lazy("people", "Role"), choices=Role.choices)
    leader = LeaderChoiceField(
        label=pgettext_lazy("people", "Leader"),
        queryset=None,
        required=False,
        help_text=_("For the leader role: whose projects this user reads"),
    )
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, leaders, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leader"].queryset = leaders
        self.fields["leader"].error_messages["invalid_choice"] = gettext("Pick a leader from the list.")
