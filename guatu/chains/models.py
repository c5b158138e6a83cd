"""The chain chief system (链长制): an industry chain's work team, its yearly targets, its policies and its
follow-through. The chain itself (name, kind, chief, lead department) is `projects.IndustryChain`; its
chain-master firms are the enterprises app's `Enterprise.is_chain_master` rows."""

from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from guatu.orgs.models import OrgUnit
from guatu.projects.models import MONEY, IndustryChain

YEARS = [MinValueValidator(2000), MaxValueValidator(2100)]


class TeamMember(models.Model):
    """A member of the chain's work team (工作专班)."""

    chain = models.ForeignKey(IndustryChain, verbose_name=_("industry chain"), on_delete=models.CASCADE, related_name="team")
    name = models.CharField(_("name"), max_length=50)
    unit = models.ForeignKey(OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    duty = models.CharField(_("duty in the team"), max_length=100, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0, validators=[MaxValueValidator(999)])
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("work team member")
        verbose_name_plural = _("work team")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


class Metric(models.TextChoices):
    """What a chain's yearly target measures; amounts in 万元, counts in firms or projects."""

    OUTPUT = "output", _("Output value")  # 产值
    TAX = "tax", _("Tax revenue")  # 税收
    INVESTMENT = "investment", _("Investment completed by the chain's projects")  # 项目完成投资
    SIGNED = "signed", _("Contract amount signed")  # 签约金额
    FUNDS = "funds", _("Funds in place")  # 实际到位资金
    ABOVE_SCALE = "above_scale", _("Above-scale enterprises")  # 规上企业
    STARTED = "started", _("Investment projects started")  # 招商项目开工


COUNTED = frozenset({Metric.ABOVE_SCALE, Metric.STARTED})


def metric_unit(metric: str) -> str:
    """The unit a metric's figures are in: 万元 for amounts, 家 for firms, 个 for leads started."""
    if metric == Metric.ABOVE_SCALE:
        return str(_("firms"))
    if metric == Metric.STARTED:
        return pgettext("measure word: a count of investment leads started", "leads")
    return str(_("10k yuan"))


class ChainTarget(models.Model):
    """One line of the chain's promotion plan (推进方案): a yearly target for a metric."""

    chain = models.ForeignKey(
        IndustryChain, verbose_name=_("industry chain"), on_delete=models.CASCADE, related_name="targets"
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=YEARS)
    metric = models.CharField(_("metric"), max_length=20, choices=Metric.choices)
    target = models.DecimalField(_("target"), validators=[MinValueValidator(0)], **MONEY)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("chain target")
        verbose_name_plural = _("chain targets")
        ordering = ["year", "metric"]
        constraints = [
            models.UniqueConstraint(fields=["chain", "year", "metric"], name="chain_target_once_a_year"),
            models.CheckConstraint(condition=Q(target__gte=0), name="chain_target_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.get_metric_display()}"


class Policy(models.Model):
    """A policy of the chain's list (政策清单)."""

    chain = models.ForeignKey(
        IndustryChain, verbose_name=_("industry chain"), on_delete=models.CASCADE, related_name="policies"
    )
    title = models.CharField(_("title"), max_length=200)
    document_number = models.CharField(_("document number"), max_length=100, blank=True)  # 文号
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    summary = models.TextField(_("summary"), max_length=2000, blank=True, validators=[MaxLengthValidator(2000)])
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("chain policy")
        verbose_name_plural = _("chain policies")
        ordering = ["-issued_on", "id"]

    def __str__(self) -> str:
        return self.title


class FollowThrough(models.Model):
    """An entry of the chain's follow-through (推进记录): what was done, when, by whom."""

    chain = models.ForeignKey(
        IndustryChain, verbose_name=_("industry chain"), on_delete=models.CASCADE, related_name="follow_through"
    )
    happened_on = models.DateField(_("date"))
    content = models.TextField(_("what was done"), max_length=1000, validators=[MaxLengthValidator(1000)])
    done_by = models.CharField(_("done by"), max_length=100)
    recorded_by = models.ForeignKey(
        "accounts.User", verbose_name=_("recorded by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("follow-through entry")
        verbose_name_plural = _("follow-through")
        ordering = ["-happened_on", "-id"]

    def __str__(self) -> str:
        return f"{self.happened_on} {self.done_by}"
