"""What was imported, when and by whom: one row per import that changed something."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from guatu.orgs.models import OrgUnit


class ProjectImport(models.Model):
    """A dispatch table (调度表) taken into a jurisdiction's project library."""

    jurisdiction = models.ForeignKey(
        OrgUnit, verbose_name=_("jurisdiction"), on_delete=models.PROTECT, related_name="+"
    )
    file_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    year = models.PositiveSmallIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(_("month"))
    created = models.PositiveIntegerField(_("projects created"))
    updated = models.PositiveIntegerField(_("projects updated"))
    unchanged = models.PositiveIntegerField(_("projects unchanged"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("time"))

    class Meta:
        verbose_name = _("project import")
        verbose_name_plural = _("project imports")
        ordering = ["-at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(month__gte=1, month__lte=12), name="project_import_month"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.file_name} {self.year:04d}-{self.month:02d}"

    @property
    def period(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"
