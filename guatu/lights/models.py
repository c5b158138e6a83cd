"""Warning lights (红黄绿灯): the rule settings of a jurisdiction and each project's light per period."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class LightColor(models.TextChoices):
    GREEN = "green", _("Green")
    YELLOW = "yellow", _("Yellow")
    RED = "red", _("Red")


# Red before yellow before green, for ordering lists (the codes do not sort that way as text).
SEVERITY = models.Case(
    models.When(light="red", then=models.Value(2)),
    models.When(light="yellow", then=models.Value(1)),
    default=models.Value(0),
    output_field=models.IntegerField(),
)


class RuleSetting(models.Model):
    """The warning rules of one jurisdiction, as the documented YAML mapping (see docs/lights.md)."""

    unit = models.OneToOneField("orgs.OrgUnit", verbose_name=_("jurisdiction"), on_delete=models.CASCADE)
    rules = models.JSONField(_("rules"), default=dict)
    default_period = models.CharField(
        _("month pages open on"),
        max_length=7,
        blank=True,
        help_text=_(
            "YYYY-MM. Empty: the latest month whose reporting deadline has passed (lights.services.default_period)."
        ),
    )
    updated_at = models.DateTimeField(_("updated"))
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)

    class Meta:
        verbose_name = _("warning rules")
        verbose_name_plural = _("warning rules")

    def __str__(self) -> str:
        return f"{self.unit}"


class ProjectLightQuerySet(models.QuerySet):
    def for_period(self, year: int, month: int) -> "ProjectLightQuerySet":
        return self.filter(year=year, month=month)

    def warned(self) -> "ProjectLightQuerySet":
        """The red and yellow list (红黄榜)."""
        return self.filter(light__in=[LightColor.RED, LightColor.YELLOW])


class ProjectLight(models.Model):
    """A project's light at the end of one month, with the reasons and the facts it was computed from; the
    history gives lights their memory. A closed light (docs/lights.md) is frozen: never computed again."""

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="lights")
    year = models.PositiveSmallIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(_("month"))
    light = models.CharField(_("light"), max_length=10, choices=LightColor.choices)
    raw_light = models.CharField(_("light before memory"), max_length=10, choices=LightColor.choices)
    green_streak = models.PositiveSmallIntegerField(_("periods on schedule"), default=0)
    reasons = models.JSONField(_("reasons"), default=list)
    projected_year_end = models.DecimalField(
        _("projected year-end (10k yuan)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    projection_basis = models.CharField(max_length=20, blank=True)
    projected_below_plan = models.BooleanField(_("projected below plan"), default=False)
    projection_short_history = models.BooleanField(
        _("projected from less history"),
        default=False,
        help_text=_("An earlier year covered only part of the year, or its curve could not be used."),
    )
    facts = models.JSONField(_("facts used"), default=dict, blank=True)
    closed = models.BooleanField(
        pgettext_lazy("month", "closed"),
        default=False,
        help_text=_("Computed after the month closed: never computed again."),
    )
    computed_at = models.DateTimeField(_("computed"))

    objects = ProjectLightQuerySet.as_manager()

    class Meta:
        verbose_name = _("project light")
        verbose_name_plural = _("project lights")
        ordering = ["project", "year", "month"]
        constraints = [
            models.UniqueConstraint(fields=["project", "year", "month"], name="light_once_a_month"),
            models.CheckConstraint(condition=Q(month__gte=1, month__lte=12), name="light_month_in_year"),
        ]
        indexes = [models.Index(fields=["year", "month", "light"], name="light_period_idx")]

    def __str__(self) -> str:
        return f"{self.project_id} {self.year}-{self.month:02d} {self.light}"
