"""Users: each belongs to one org unit and has one role."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CITY_ADMIN = "city_admin", _("City administrator")
    REVIEWER = "reviewer", _("Reviewer")
    REPORTER = "reporter", _("Unit reporter")
    LEADER = "leader", _("Leader")
    VIEWER = "viewer", _("Viewer")


class User(AbstractUser):
    org_unit = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("org unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.VIEWER)
    leader = models.OneToOneField(
        "orgs.Leader",
        verbose_name=_("leader"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="user",
        help_text=_("For the leader role: whose projects this user reads"),
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    must_change_password = models.BooleanField(
        _("must change password"),
        default=False,
        help_text=_("Set when an administrator gives a password: the user chooses their own at next login"),
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username
