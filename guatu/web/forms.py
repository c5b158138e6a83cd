"""Form helpers every app's views share: where a service's ValidationError is shown."""

from collections.abc import Callable

from django.core.exceptions import ValidationError


def add_service_errors(form, error: ValidationError, translate: Callable[[str], str] = str) -> None:
    """A service error keyed by a visible field goes next to that field; the rest (period, version, status,
    or an error with no field) at the top of the form. `translate` rewrites each message if needed."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, [translate(str(m)) for m in error.messages])
        return
    for field, messages in error.message_dict.items():
        shown = field in form.fields and not form.fields[field].widget.is_hidden
        form.add_error(field if shown else None, [translate(str(m)) for m in messages])


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
