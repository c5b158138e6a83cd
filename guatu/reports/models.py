"""Monthly progress reports (月报): one per project per month, reviewed and locked."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from guatu.projects.models import MONEY, Project


class ReportSource(models.TextChoices):
    FILLED = "filled", _("Filled in")
    # The year-to-date figure of an office's dispatch table (调度表), taken in as the project's approved
    # opening figure for that month: its amount is the sheet's cumulative less the months already approved.
    OPENING = "opening", _("Opening figure imported")
    WORKBOOK = "workbook", _("Uploaded workbook")


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned")
    APPROVED = "approved", _("Approved")


# Which statuses the reporter may still edit; approved reports are locked until a reviewer unlocks them.
EDITABLE_STATUSES = (ReportStatus.DRAFT, ReportStatus.RETURNED)


class MonthlyReportQuerySet(models.QuerySet):
    def approved(self) -> "MonthlyReportQuerySet":
        """Only approved figures count anywhere."""
        return self.filter(status=ReportStatus.APPROVED)

    def year_to_date(self, year: int, month: int) -> "MonthlyReportQuerySet":
        return self.filter(year=year, month__lte=month)

    def awaiting_review(self) -> "MonthlyReportQuerySet":
        return self.filter(status=ReportStatus.SUBMITTED)


class MonthlyReport(models.Model):
    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.PROTECT, related_name="reports"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(_("month"))
    amount = models.DecimalField(_("completed this month (10k yuan)"), **MONEY)
    statistical_amount = models.DecimalField(
        _("statistical investment this month (10k yuan)"), null=True, blank=True, **MONEY
    )
    physical_progress = models.TextField(_("physical progress"), blank=True)
    problems = models.TextField(pgettext_lazy("report", "problems"), blank=True)
    next_month_plan = models.TextField(_("next month's plan"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    return_reason = models.TextField(_("reason returned"), blank=True)
    source = models.CharField(
        pgettext_lazy("report", "source"),
        max_length=20,
        choices=ReportSource.choices,
        default=ReportSource.FILLED,
    )
    # Incremented by every save: a form carries the version it was read at, so a stale save is refused.
    version = models.PositiveIntegerField(default=1)
    filled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("filled in by"), on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"))

    objects = MonthlyReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("monthly report")
        verbose_name_plural = _("monthly reports")
        ordering = ["project", "year", "month"]
        constraints = [
            models.UniqueConstraint(fields=["project", "year", "month"], name="report_once_a_month"),
            models.CheckConstraint(condition=Q(month__gte=1, month__lte=12), name="report_month_in_year"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="report_amount_nonnegative"),
            models.CheckConstraint(
                condition=Q(statistical_amount__isnull=True) | Q(statistical_amount__gte=0),
                name="report_statistical_nonnegative",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "year", "month"], name="report_status_period_idx"),
            models.Index(fields=["year", "month", "status", "project"], name="report_period_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.project} {self.period}"

    @property
    def period(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES


MONTHS = range(1, 13)
# Sums of up to twelve months of one project: two digits more than a report's amount.
TOTAL = {"max_digits": MONEY["max_digits"] + 2, "decimal_places": MONEY["decimal_places"]}


def ytd_field(month: int) -> str:
    """The column of ApprovedTotal that holds the year to date through `month` (1-12)."""
    return f"ytd_{month:02d}"


class ApprovedTotal(models.Model):
    """One project's approved amounts of one year, added up through each month (a roll-up of MonthlyReport).

    Every year-to-date read (guatu.projects.queries.ytd_completed_by_project) reads one row per project here
    instead of adding up to twelve reports. guatu.reports.rollups keeps it exact: the services that approve,
    unlock or take in an approved figure recompute the project's year from its reports in the same transaction;
    bulk loads rebuild it; `guatu rollups --verify` compares it with a recomputation. A month column is null
    while no report of the year is approved by that month (as no row was, before)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="approved_totals")
    year = models.PositiveSmallIntegerField()
    ytd_01 = models.DecimalField(null=True, **TOTAL)
    ytd_02 = models.DecimalField(null=True, **TOTAL)
    ytd_03 = models.DecimalField(null=True, **TOTAL)
    ytd_04 = models.DecimalField(null=True, **TOTAL)
    ytd_05 = models.DecimalField(null=True, **TOTAL)
    ytd_06 = models.DecimalField(null=True, **TOTAL)
    ytd_07 = models.DecimalField(null=True, **TOTAL)
    ytd_08 = models.DecimalField(null=True, **TOTAL)
    ytd_09 = models.DecimalField(null=True, **TOTAL)
    ytd_10 = models.DecimalField(null=True, **TOTAL)
    ytd_11 = models.DecimalField(null=True, **TOTAL)
    ytd_12 = models.DecimalField(null=True, **TOTAL)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["project", "year"], name="approved_total_once_a_year")]
        indexes = [models.Index(fields=["year", "project"], name="approved_total_year_idx")]

    def __str__(self) -> str:
        return f"{self.project_id} {self.year}"
