"""Form helpers every app's views share: where a service's ValidationError is shown, where a form's `next`
may send the user, the month and many-ids fields."""

from collections.abc import Callable

from django import forms
from django.core.exceptions import ValidationError
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext

from guatu.lib.periods import Period, PeriodError
from guatu.web.paging import MAX_ID


def add_service_errors(form, error: ValidationError, translate: Callable[[str], str] = str) -> None:
    """A service error keyed by a visible field goes next to that field; the rest (period, version, status,
    or an error with no field) at the top of the form. `translate` rewrites each message if needed."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, [translate(str(m)) for m in error.messages])
        return
    for field, messages in error.message_dict.items():
        shown = field in form.fields and not form.fields[field].widget.is_hidden
        form.add_error(field if shown else None, [translate(str(m)) for m in messages])


def safe_next(request, url: str | None) -> str | None:
    """The page a form's `next` names, if it is a path of this site; else None. A path only: `redirect` takes
    any other text for a view name to reverse (`next=x` was a 500), and a control character cannot go in the
    Location header."""
    if (
        url
        and url.startswith("/")
        and url.isprintable()
        and url_has_allowed_host_and_scheme(
            url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return url
    return None


def top_errors(form) -> list[str]:
    """Errors for the top of a form: form-wide ones and those of hidden fields (a missing version)."""
    if form is None:
        return []
    errors = list(form.non_field_errors())
    for field in form.hidden_fields():
        errors += field.errors
    return errors


def show_month(form, period, field: str = "period") -> None:
    """Let a month picker show the month its page shows when none was chosen: a blank picker under a
    heading that names a month reads as "no month". A month typed in (even a wrong one) stays as typed."""
    if not form.is_bound:
        form.initial[field] = str(period)
    elif not str(form.data.get(field, "")).strip():
        form.data = form.data.copy()
        form.data[field] = str(period)


class BoundedModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Django's field, with an id past any the database gives (guatu.web.paging.MAX_ID) refused as the wrong
    choice it is: Django looks the ids up with `pk__in`, which SQLite cannot take past its 64-bit integers (an
    OverflowError, a 500; Django spares its single-choice field)."""

    def clean(self, value):
        for pk in value if isinstance(value, (list, tuple)) else ():
            try:
                past = abs(int(str(pk))) > MAX_ID
            except ValueError:
                past = False  # not a number: Django's own check names it
            if past:
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice", params={"value": pk}
                )
        return super().clean(value)


class MonthField(forms.CharField):
    """A month (<input type="month">) as a `Period`, or None when left empty: the one way every form reads a
    month, with the one message for a month that is not YYYY-MM, naming what was typed."""

    longest = 20  # what is read at all; a month is 7 characters

    def __init__(self, **kwargs):
        kwargs.pop("max_length", None)  # a Period has no length: the bound is `longest`, checked on the text
        kwargs.setdefault(
            "widget",
            forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM", "maxlength": self.longest}),
        )
        super().__init__(**kwargs)

    def to_python(self, value) -> Period | None:
        text = super().to_python(value).strip()
        if not text:
            return None
        try:
            if len(text) > self.longest:
                raise PeriodError(text)
            return Period.parse(text)
        except PeriodError:
            raise forms.ValidationError(
                gettext("The month must be written as YYYY-MM, for example 2022-03 (you entered %(value)s).")
                % {"value": text if len(text) <= self.longest else text[: self.longest] + "…"}
            ) from None
