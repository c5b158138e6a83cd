"""Investment attraction (招商引资): the leads pipeline, its follow-up log and the funds actually in place.

A lead moves lead → negotiating (洽谈) → signed (签约) → registered (注册) → started (开工) → producing (投产),
or is dropped with a reason before it starts; the steps are the table in `guatu.attraction.services`.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from guatu import clock
from guatu.orgs.models import OrgUnit
from guatu.projects.models import MONEY, Category


class InvestorOrigin(models.TextChoices):
    IN_PROVINCE = "in_province", _("Inside the province")  # 省内
    OTHER_PROVINCE = "other_province", _("Other provinces of China")  # 省外境内
    ABROAD = "abroad", _("Abroad (incl. Hong Kong, Macao, Taiwan)")  # 境外（含港澳台）


class LeadSource(models.TextChoices):
    VIA_BUSINESS = "via_business", _("Through businesses")  # 以商招商
    RESIDENT = "resident", _("Resident agents")  # 驻点招商
    EXPO = "expo", _("Trade fairs")  # 展会招商
    AGENCY = "agency", _("Commissioned agents")  # 委托招商
    ONLINE = "online", _("Online")  # 网络招商
    VISIT = "visit", _("Visits and talks")  # 上门洽谈
    OTHER = "other", _("Other")  # 其他


class LeadStatus(models.TextChoices):
    LEAD = "lead", _("Lead")  # 线索
    NEGOTIATING = "negotiating", _("Negotiating")  # 洽谈
    SIGNED = "signed", _("Signed")  # 签约
    REGISTERED = "registered", _("Registered")  # 注册
    STARTED = "started", _("Started")  # 开工
    PRODUCING = "producing", _("In production")  # 投产
    DROPPED = "dropped", _("Dropped")  # 终止


SIGNED_OR_LATER = (LeadStatus.SIGNED, LeadStatus.REGISTERED, LeadStatus.STARTED, LeadStatus.PRODUCING)
STARTED_OR_LATER = (LeadStatus.STARTED, LeadStatus.PRODUCING)
AWAITING_START = (LeadStatus.SIGNED, LeadStatus.REGISTERED)  # signed, not started: the start can be missed


class LeadQuerySet(models.QuerySet):
    def in_unit(self, unit: OrgUnit) -> "LeadQuerySet":
        """Leads whose responsible unit is `unit` or a unit below it."""
        return self.filter(responsible_unit__path__startswith=unit.path)

    def in_jurisdiction(self, unit: OrgUnit) -> "LeadQuerySet":
        return self.filter(jurisdiction__path__startswith=unit.path)

    def signed_or_later(self) -> "LeadQuerySet":
        return self.filter(status__in=SIGNED_OR_LATER)

    def start_overdue(self, today) -> "LeadQuerySet":
        """Signed (or registered) leads whose promised start has passed without a start."""
        return self.filter(status__in=AWAITING_START, promised_start__lt=today)

    def for_list(self) -> "LeadQuerySet":
        return self.select_related("jurisdiction", "responsible_unit", "chain", "project")


class Lead(models.Model):
    """An investment lead (招商线索/项目) of a jurisdiction, followed by its responsible unit."""

    jurisdiction = models.ForeignKey(
        OrgUnit, verbose_name=_("jurisdiction"), on_delete=models.PROTECT, related_name="attraction_leads"
    )
    name = models.CharField(_("name"), max_length=200)
    investor = models.CharField(_("investor"), max_length=200)
    investor_origin = models.CharField(
        _("investor origin"), max_length=20, choices=InvestorOrigin.choices, default=InvestorOrigin.OTHER_PROVINCE
    )
    source = models.CharField(_("attraction method"), max_length=20, choices=LeadSource.choices, default=LeadSource.OTHER)
    responsible_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit in charge"), on_delete=models.PROTECT, related_name="responsible_leads"
    )
    chain = models.ForeignKey(
        "projects.IndustryChain",
        verbose_name=_("industry chain"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="leads",
    )
    category = models.CharField(_("category"), max_length=20, choices=Category.choices, default=Category.INDUSTRY)
    planned_investment = models.DecimalField(_("planned investment (10k yuan)"), **MONEY)
    status = models.CharField(_("status"), max_length=20, choices=LeadStatus.choices, default=LeadStatus.LEAD)
    contract_amount = models.DecimalField(_("contract amount (10k yuan)"), null=True, blank=True, **MONEY)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    promised_start = models.DateField(_("promised start"), null=True, blank=True)
    registered_on = models.DateField(_("registered on"), null=True, blank=True)
    started_on = models.DateField(_("started on"), null=True, blank=True)
    producing_on = models.DateField(_("in production on"), null=True, blank=True)
    drop_reason = models.CharField(_("reason dropped"), max_length=500, blank=True)
    project = models.OneToOneField(
        "projects.Project",
        verbose_name=_("project"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lead",
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(_("created"), default=clock.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated"), default=clock.now)

    objects = LeadQuerySet.as_manager()

    class Meta:
        verbose_name = _("investment lead")
        verbose_name_plural = _("investment leads")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(planned_investment__gte=0), name="lead_planned_nonnegative"),
            models.CheckConstraint(
                condition=Q(contract_amount__isnull=True) | Q(contract_amount__gte=0), name="lead_contract_nonnegative"
            ),
            models.CheckConstraint(
                condition=~Q(status__in=SIGNED_OR_LATER)
                | Q(contract_amount__isnull=False, signed_on__isnull=False, promised_start__isnull=False),
                name="lead_signed_has_contract",
            ),
            models.CheckConstraint(
                condition=~Q(status=LeadStatus.REGISTERED) | Q(registered_on__isnull=False),
                name="lead_registered_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=STARTED_OR_LATER) | Q(started_on__isnull=False),
                name="lead_started_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(status=LeadStatus.PRODUCING) | Q(producing_on__isnull=False),
                name="lead_producing_has_date",
            ),
            models.CheckConstraint(
                condition=Q(project__isnull=True) | Q(status__in=STARTED_OR_LATER),
                name="lead_project_only_when_started",
            ),
            models.CheckConstraint(
                condition=~Q(status=LeadStatus.DROPPED) | ~Q(drop_reason=""), name="lead_dropped_has_reason"
            ),
            models.CheckConstraint(
                condition=Q(signed_on__isnull=True)
                | Q(promised_start__isnull=True)
                | Q(promised_start__gte=models.F("signed_on")),
                name="lead_promised_start_after_signing",
            ),
        ]
        indexes = [models.Index(fields=["status"], name="lead_status_idx")]

    def __str__(self) -> str:
        return self.name

    @property
    def awaiting_start(self) -> bool:
        return self.status in AWAITING_START


class LeadFollowUp(models.Model):
    """One entry of a lead's follow-up log (跟进记录): what was done on which day."""

    lead = models.ForeignKey(Lead, verbose_name=_("investment lead"), on_delete=models.CASCADE, related_name="follow_ups")
    date = models.DateField(_("date"))
    text = models.CharField(_("follow-up"), max_length=1000)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("recorded at"), default=clock.now)

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self.lead} {self.date}"


class FundsInPlace(models.Model):
    """Funds actually in place (实际到位资金) for a lead in one month, in 万元: domestic funds from outside the
    province (省外境内资金) and foreign funds (境外资金)."""

    lead = models.ForeignKey(Lead, verbose_name=_("investment lead"), on_delete=models.CASCADE, related_name="funds")
    year = models.PositiveSmallIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(_("month"), validators=[MinValueValidator(1), MaxValueValidator(12)])
    domestic = models.DecimalField(_("domestic funds from outside the province (10k yuan)"), **MONEY)
    foreign = models.DecimalField(_("foreign funds (10k yuan)"), **MONEY)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(_("updated"), default=clock.now)

    class Meta:
        verbose_name = _("funds in place")
        verbose_name_plural = _("funds in place")
        ordering = ["year", "month"]
        constraints = [
            models.UniqueConstraint(fields=["lead", "year", "month"], name="funds_once_a_month"),
            models.CheckConstraint(condition=Q(month__gte=1, month__lte=12), name="funds_month_valid"),
            models.CheckConstraint(condition=Q(domestic__gte=0, foreign__gte=0), name="funds_nonnegative"),
        ]

    def __str__(self) -> str:
        return f"{self.lead} {self.year}-{self.month:02d}"

    @property
    def total(self):
        return self.domestic + self.foreign
