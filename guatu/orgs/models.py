"""Org units (the tree of government bodies) and leaders (people holding posts)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrgUnitKind(models.TextChoices):
    PROVINCE = "province", _("Province")
    PREFECTURE = "prefecture", _("Prefecture")
    COUNTY = "county", _("County-level city")
    TOWNSHIP = "township", _("Township")
    STREET = "street", _("Street")
    ZONE = "zone", _("Development zone")
    DEPARTMENT = "department", _("Department")


# Kinds that own a project library and its review office: a user of one of these sees its whole subtree.
JURISDICTION_KINDS = (OrgUnitKind.PROVINCE, OrgUnitKind.PREFECTURE, OrgUnitKind.COUNTY)


class OrgUnitQuerySet(models.QuerySet):
    def subtree(self, unit: "OrgUnit") -> "OrgUnitQuerySet":
        return self.filter(path__startswith=unit.path)

    def in_tree_order(self) -> "OrgUnitQuerySet":
        return self.order_by("path")

    def open(self) -> "OrgUnitQuerySet":
        """Units still working: the ones to offer in pickers for new work (a closed unit keeps its history)."""
        return self.filter(closed_at__isnull=True)


class OrgUnit(models.Model):
    """A body in the administrative tree (单位): city, township, street, zone, department."""

    name = models.CharField(_("name"), max_length=100)
    short_name = models.CharField(_("short name"), max_length=50, blank=True)
    aliases = models.JSONField(_("aliases"), default=list, blank=True, help_text=_("Other names used in spreadsheets"))
    kind = models.CharField(_("kind"), max_length=20, choices=OrgUnitKind.choices)
    division_code = models.CharField(_("administrative division code"), max_length=12, blank=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # Materialised path of primary keys ("1/4/17/"): a subtree is one indexed prefix match.
    path = models.CharField(max_length=255, unique=True, editable=False)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = OrgUnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("org unit")
        verbose_name_plural = _("org units")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        return self.short_name or self.name

    @property
    def depth(self) -> int:
        return self.path.count("/") - 1

    def is_within(self, other: "OrgUnit") -> bool:
        return self.path.startswith(other.path)

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


class LeaderQuerySet(models.QuerySet):
    def active(self) -> "LeaderQuerySet":
        """Leaders still holding their post: the ones to offer in pickers for new work."""
        return self.filter(is_active=True)


class Leader(models.Model):
    """A person with a post (领导): responsible leader of projects, chain chief, convenor of dispatch."""

    name = models.CharField(_("name"), max_length=50)
    post = models.CharField(_("post"), max_length=100)
    org_unit = models.ForeignKey(OrgUnit, verbose_name=_("org unit"), on_delete=models.PROTECT, related_name="leaders")
    is_principal = models.BooleanField(
        _("principal leader"), default=False, help_text=_("Party secretary or mayor: convenes tier-3 dispatch")
    )
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)
    is_active = models.BooleanField(_("in post"), default=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = LeaderQuerySet.as_manager()

    class Meta:
        verbose_name = _("leader")
        verbose_name_plural = _("leaders")
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return f"{self.name}（{self.post}）"
