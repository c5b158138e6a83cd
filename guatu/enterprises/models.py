"""Service to enterprises (当好店小二): the firms a county looks after, their yearly figures; their requests
(诉求) are dispatch problems with `enterprise` set (guatu/dispatch)."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class EnterpriseQuerySet(models.QuerySet):
    def in_unit(self, unit):
        """Firms looked after by `unit` or a unit below it."""
        return self.filter(unit__path__startswith=unit.path)

    def for_list(self):
        return self.select_related("unit", "chain").order_by("name", "pk")


class Enterprise(models.Model):
    """A firm (企业) of a jurisdiction, looked after by one unit (a township or a department)."""

    jurisdiction = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("jurisdiction"), on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        "orgs.OrgUnit",
        verbose_name=_("unit looking after it"),
        on_delete=models.PROTECT,
        related_name="enterprises",
    )
    name = models.CharField(_("enterprise name"), max_length=200)
    uscc = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    chain = models.ForeignKey(
        "projects.IndustryChain",
        verbose_name=_("industry chain"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="enterprises",
    )
    above_scale = models.BooleanField(_("above designated size"), default=False)  # 规模以上
    is_chain_master = models.BooleanField(_("chain-master firm"), default=False)  # 链主
    industry = models.CharField(_("industry"), max_length=100, blank=True)
    notes = models.TextField(_("notes"), max_length=2000, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(_("created"))

    objects = EnterpriseQuerySet.as_manager()

    class Meta:
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["jurisdiction", "name"], name="enterprise_name_unique_per_jurisdiction"
            ),
            models.CheckConstraint(
                condition=Q(uscc__regex=r"^[0-9A-HJ-NP-RTUW-Y]{18}$"), name="enterprise_uscc_18_chars"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class EnterpriseFigure(models.Model):
    """A firm's output value (产值) and tax paid (税收) in one year, 万元."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("enterprise"), on_delete=models.CASCADE, related_name="figures"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    output = models.DecimalField(_("output value (10k yuan)"), max_digits=14, decimal_places=2)
    tax = models.DecimalField(_("tax paid (10k yuan)"), max_digits=14, decimal_places=2)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("enterprise figures")
        verbose_name_plural = _("enterprise figures")
        ordering = ["enterprise", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "year"], name="enterprise_figure_once_a_year"),
            models.CheckConstraint(
                condition=Q(output__gte=0, tax__gte=0), name="enterprise_figure_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.year}"
