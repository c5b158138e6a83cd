"""Password composition: at least three of the four character classes (lower case, upper case, digits, other),
next to Django's own validators for length, common passwords, likeness to the user's name and all-digits
(settings.AUTH_PASSWORD_VALIDATORS). docs/SECURITY.md says why Guatu asks for composition although ASVS does not."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def character_classes(password: str) -> int:
    classes = (str.islower, str.isupper, str.isdigit)
    found = {i for ch in password for i, test in enumerate(classes) if test(ch)}
    if any(not (ch.islower() or ch.isupper() or ch.isdigit()) for ch in password):
        found.add(len(classes))
    return len(found)


class CharacterClassesValidator:
    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password: str, user=None) -> None:
        if character_classes(password) < self.min_classes:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self) -> str:
        return _(
            "Your password must mix at least %(count)d of: lower-case letters, capital letters, digits and "
            "other characters."
        ) % {"count": self.min_classes}
