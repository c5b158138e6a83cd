"""Users: each belongs to one org unit and has one role."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    # The three separated administrators (三员): the city administrator is the system administrator (users, org
    # units, tags, settings); the security administrator grants the administrator roles and clears lockouts and
    # two-factor devices; the audit administrator reads the audit log. The last two see no business data.
    CITY_ADMIN = "city_admin", _("City administrator")
    SECURITY_ADMIN = "security_admin", _("Security administrator")
    AUDIT_ADMIN = "audit_admin", _("Audit administrator")
    REVIEWER = "reviewer", _("Reviewer")
    REPORTER = "reporter", _("Unit reporter")
    LEADER = "leader", _("Leader")
    VIEWER = "viewer", _("Viewer")


# Roles only the security administrator grants or takes away (and nobody gives themselves).
ADMINISTRATOR_ROLES = frozenset({Role.CITY_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})
# Roles that oversee the system and see none of its business data (projects, reports, scores...).
OVERSIGHT_ROLES = frozenset({Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})


class User(AbstractUser):
    org_unit = models.ForeignKey(
        "orgs.OrgUnit",
        verbose_name=_("org unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
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
    # When the user last chose their password (None: never through Guatu, and then the account's age counts):
    # what the password's maximum age (settings.GUATU_PASSWORD_MAX_AGE_DAYS) is measured from.
    password_changed_at = models.DateTimeField(_("password changed"), null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username


class LoginFailure(models.Model):
    """A failed sign-in, kept while it can count toward locking its user name or throttling its client address
    (guatu.accounts.signin). The audit log keeps the lasting record; these rows are removed once they no longer
    count. The user name is kept as typed (bounded), whether or not such a user exists, so that an unknown name
    is locked like a known one and the answer does not tell which names exist."""

    username = models.CharField(max_length=150)
    ip = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["username", "at"], name="loginfailure_user_idx"),
            models.Index(fields=["ip", "at"], name="loginfailure_ip_idx"),
            models.Index(fields=["at"], name="loginfailure_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.username} {self.ip} {self.at:%Y-%m-%d %H:%M:%S}"


class LoginLock(models.Model):
    """A user name locked against signing in until `until`, after too many failures in a row."""

    username = models.CharField(max_length=150, unique=True)
    until = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.username} until {self.until:%Y-%m-%d %H:%M}"
