"""The project reserve pipeline (项目等钱): the rules of the three tiers per jurisdiction, and funding
applications (资金申报) of the library's projects.

A jurisdiction's rules are rows it keeps; where it has none the documented defaults apply (guatu.reserve.rules),
so no rule is written in the check itself."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from guatu import clock
from guatu.projects.models import MONEY, Category, Project, Tier


class EntryRule(models.Model):
    """What a project of one category needs to enter one tier of a jurisdiction's library (入库条件): a minimum
    total investment and the documents (milestones of these kinds) it must have."""

    jurisdiction = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("jurisdiction"), on_delete=models.PROTECT, related_name="+"
    )
    tier = models.CharField(_("library tier"), max_length=20, choices=Tier.choices)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    min_investment = models.DecimalField(_("minimum total investment (10k yuan)"), **MONEY)
    required_kinds = models.JSONField(_("documents required"), default=list, blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(_("updated"), default=clock.now)

    class Meta:
        verbose_name = _("entry rule")
        verbose_name_plural = _("entry rules")
        ordering = ["jurisdiction", "tier", "category"]
        constraints = [
            models.UniqueConstraint(fields=["jurisdiction", "tier", "category"], name="entry_rule_once"),
            models.CheckConstraint(condition=Q(min_investment__gte=0), name="entry_rule_min_nonnegative"),
        ]

    def __str__(self) -> str:
        return f"{self.get_tier_display()} · {self.get_category_display()}"


class PromotionGate(models.Model):
    """The milestones that must be done (have an actual date) before a project moves up into a tier (晋级条件)."""

    jurisdiction = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("jurisdiction"), on_delete=models.PROTECT, related_name="+"
    )
    tier = models.CharField(_("library tier"), max_length=20, choices=Tier.choices)
    gate_kinds = models.JSONField(_("milestones to be done"), default=list, blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(_("updated"), default=clock.now)

    class Meta:
        verbose_name = _("promotion gate")
        verbose_name_plural = _("promotion gates")
        ordering = ["jurisdiction", "tier"]
        constraints = [models.UniqueConstraint(fields=["jurisdiction", "tier"], name="promotion_gate_once")]

    def __str__(self) -> str:
        return str(self.get_tier_display())


class FundingKind(models.TextChoices):
    SPECIAL_BONDS = "special_bonds", _("Local government special bonds")  # 地方政府专项债券
    CENTRAL_BUDGET = "central_budget", _("Central budget investment")  # 中央预算内投资
    ULTRA_LONG_BONDS = "ultra_long_bonds", _("Ultra-long special treasury bonds")  # 超长期特别国债
    POLICY_FINANCE = "policy_finance", _("Policy-based financial instruments")  # 政策性开发性金融工具
    OTHER = "other", _("Other funding")


class FundingStatus(models.TextChoices):
    PREPARING = "preparing", _("Preparing the application")  # 申报准备
    SUBMITTED = "submitted", _("Applied")  # 已申报
    APPROVED = "approved", _("Approved")  # 已批复
    REJECTED = "rejected", _("Not approved")  # 未通过
    FUNDS_ARRIVED = "funds_arrived", _("Funds arrived")  # 资金到位


class FundingApplicationQuerySet(models.QuerySet):
    def for_list(self) -> "FundingApplicationQuerySet":
        return self.select_related("project", "project__location_unit")


class FundingApplication(models.Model):
    """An application for funds (资金申报) for a library project, of any tier."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.PROTECT, related_name="funding_applications"
    )
    kind = models.CharField(_("funding kind"), max_length=20, choices=FundingKind.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    amount_requested = models.DecimalField(_("amount requested (10k yuan)"), **MONEY)
    amount_approved = models.DecimalField(_("amount approved (10k yuan)"), null=True, blank=True, **MONEY)
    status = models.CharField(
        _("status"), max_length=20, choices=FundingStatus.choices, default=FundingStatus.PREPARING
    )
    submitted_on = models.DateField(_("applied on"), null=True, blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    funds_arrived_on = models.DateField(_("funds arrived on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    decision_reason = models.CharField(_("reason"), max_length=2000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(_("created"), default=clock.now)
    updated_at = models.DateTimeField(_("updated"), default=clock.now)

    objects = FundingApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("funding application")
        verbose_name_plural = _("funding applications")
        ordering = ["-year", "project", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_requested__gte=0), name="funding_requested_nonnegative"),
            models.CheckConstraint(
                condition=Q(amount_approved__isnull=True) | Q(amount_approved__gte=0),
                name="funding_approved_nonnegative",
            ),
        ]
        indexes = [models.Index(fields=["status", "year"], name="funding_status_year_idx")]

    def __str__(self) -> str:
        return f"{self.project} · {self.get_kind_display()} {self.year}"
