"""Performance assessment in the database: the indicator library, yearly schemes, entered values with
review, frozen result snapshots with appeals, the responsibility checklist, peer values and the ten
headline indicators. The arithmetic lives in guatu.lib.scoring."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

VALUE = {"max_digits": 18, "decimal_places": 4}


class Category(models.TextChoices):
    PER_CAPITA = "per_capita", _("Per capita")  # 人均类
    URBAN = "urban", _("Urbanisation")  # 城镇类
    BUSINESS = "business", _("Business environment")  # 营商类
    ENVIRONMENT = "environment", _("Environment")  # 环保类
    INNOVATION = "innovation", _("Innovation")  # 创新类
    LIVELIHOOD = "livelihood", _("Livelihood")  # 民生类
    ECONOMY = "economy", _("Economic development")  # 经济发展
    PARTY = "party", _("Party building")  # 党的建设
    SAFETY = "safety", _("Safety and stability")  # 平安建设
    OTHER = "other", _("Other")


# The six high-quality-development categories: the first three to lengthen (锻长板), the last three to fix.
STRENGTH_CATEGORIES = (Category.PER_CAPITA, Category.URBAN, Category.BUSINESS)
WEAKNESS_CATEGORIES = (Category.ENVIRONMENT, Category.INNOVATION, Category.LIVELIHOOD)


class Direction(models.TextChoices):
    HIGHER = "higher", _("Higher is better")
    LOWER = "lower", _("Lower is better")


class Frequency(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    YEARLY = "yearly", _("Yearly")


class Source(models.TextChoices):
    ENTERED = "entered", _("Entered by the lead unit")
    COMPUTED = "computed", _("Computed by Guatu")


class Indicator(models.Model):
    """An indicator of the library (指标库); schemes weight and score them."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100)
    category = models.CharField(pgettext_lazy("indicator", "category"), max_length=20, choices=Category.choices)
    measure = models.CharField(_("unit of measure"), max_length=30, blank=True)
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction.choices, default=Direction.HIGHER
    )
    frequency = models.CharField(
        _("frequency"), max_length=10, choices=Frequency.choices, default=Frequency.QUARTERLY
    )
    data_source = models.CharField(_("data source"), max_length=100, blank=True)
    lead_unit = models.ForeignKey(
        "orgs.OrgUnit",
        verbose_name=_("lead unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    source = models.CharField(
        pgettext_lazy("indicator value", "source"), max_length=10, choices=Source.choices, default=Source.ENTERED
    )
    computed_key = models.CharField(_("computed from"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["category", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(source="entered") | ~Q(computed_key=""), name="computed_indicator_has_key"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class SchemeKind(models.TextChoices):
    TOWNSHIP = "township", _("Townships, streets and the development zone")
    DEPARTMENT = "department", _("City departments")


class Scheme(models.Model):
    """A year's assessment scheme; `definition` is the documented scheme mapping (docs/assessment.md)."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200)
    year = models.PositiveSmallIntegerField(_("year"))
    kind = models.CharField(_("kind"), max_length=20, choices=SchemeKind.choices)
    jurisdiction = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+")
    definition = models.JSONField(_("definition"))
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(_("updated"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("assessment scheme")
        verbose_name_plural = _("assessment schemes")
        ordering = ["-year", "kind"]

    def __str__(self) -> str:
        return self.name


class ValueStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned")
    APPROVED = "approved", _("Approved")


class IndicatorValueQuerySet(models.QuerySet):
    def approved(self):
        return self.filter(status=ValueStatus.APPROVED)


class IndicatorValue(models.Model):
    """An entered value of an indicator for a unit and period (January to `month`), reviewed like a report."""

    unit = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="values"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(_("month"))
    value = models.DecimalField(_("value"), null=True, blank=True, **VALUE)
    not_applicable = models.BooleanField(_("not applicable"), default=False)
    target = models.DecimalField(_("target"), null=True, blank=True, **VALUE)
    note = models.TextField(_("note"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ValueStatus.choices, default=ValueStatus.DRAFT
    )
    return_reason = models.TextField(_("reason returned"), blank=True)
    version = models.PositiveIntegerField(default=1)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"))

    objects = IndicatorValueQuerySet.as_manager()

    class Meta:
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        ordering = ["indicator", "unit", "year", "month"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "indicator", "year", "month"], name="indicator_value_once"
            ),
            models.CheckConstraint(condition=Q(month__gte=1, month__lte=12), name="indicator_value_month"),
            models.CheckConstraint(
                condition=Q(not_applicable=True) | Q(value__isnull=False), name="indicator_value_present"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.indicator} {self.year}-{self.month:02d}"

    @property
    def period(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


class Evidence(models.Model):
    """A file backing an entered value (佐证材料)."""

    value = models.ForeignKey(IndicatorValue, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(_("file"), upload_to="evidence/%Y/%m/")
    name = models.CharField(_("name"), max_length=200)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded"))

    class Meta:
        ordering = ["value", "uploaded_at"]

    def __str__(self) -> str:
        return self.name


class ItemKind(models.TextChoices):
    BONUS = "bonus", _("Bonus")
    PENALTY = "penalty", _("Penalty")
    VETO = "veto", _("One-vote veto")


class AssessmentItem(models.Model):
    """A bonus, penalty or veto item for a unit in a scheme's period (加分、扣分、一票否决)."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="items")
    unit = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(_("month"))
    kind = models.CharField(_("kind"), max_length=10, choices=ItemKind.choices)
    points = models.DecimalField(_("points"), max_digits=8, decimal_places=2)
    reason = models.TextField(_("reason"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"))

    class Meta:
        ordering = ["scheme", "unit", "kind", "id"]
        constraints = [models.CheckConstraint(condition=Q(points__gte=0), name="assessment_item_nonnegative")]

    def __str__(self) -> str:
        return f"{self.unit} {self.kind} {self.points}"


class SnapshotStatus(models.TextChoices):
    COMPUTED = "computed", _("Computed")
    PUBLISHED = "published", _("Published")
    SUPERSEDED = "superseded", _("Superseded")  # a later version replaced it after an upheld appeal


class ResultSnapshotQuerySet(models.QuerySet):
    def current(self):
        """The version of each period that counts: every earlier version is superseded."""
        return self.exclude(status=SnapshotStatus.SUPERSEDED)


class ResultSnapshot(models.Model):
    """A scheme computed for a period: the scheme version, the inputs and the results frozen together.

    A published result changes only through an upheld appeal: the corrected result is a new version
    (`revision` + 1, `replaces` the earlier one), and the earlier version stays, marked superseded.
    """

    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="snapshots")
    year = models.PositiveSmallIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(_("month"))
    revision = models.PositiveSmallIntegerField(_("version"), default=1)
    replaces = models.OneToOneField(
        "self",
        verbose_name=_("replaces"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
    )
    scheme_version = models.PositiveIntegerField()
    definition = models.JSONField()
    inputs = models.JSONField()
    input_hash = models.CharField(max_length=64)
    results = models.JSONField()
    # Per unit, the score card's what-if rows, computed once at publication (a published result is frozen).
    what_if = models.JSONField(null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=SnapshotStatus.choices, default=SnapshotStatus.COMPUTED
    )
    computed_at = models.DateTimeField(_("computed"))
    computed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = ResultSnapshotQuerySet.as_manager()

    class Meta:
        verbose_name = _("result snapshot")
        verbose_name_plural = _("result snapshots")
        # The latest version first: `.first()` of a period's snapshots is its current version.
        ordering = ["scheme", "-year", "-month", "-revision"]
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "year", "month", "revision"], name="snapshot_revision_once"
            ),
            models.UniqueConstraint(
                fields=["scheme", "year", "month"],
                condition=~Q(status="superseded"),
                name="snapshot_one_current_a_period",
            ),
            models.CheckConstraint(
                condition=Q(revision=1, replaces__isnull=True) | Q(revision__gt=1, replaces__isnull=False),
                name="snapshot_later_version_replaces",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scheme} {self.year}-{self.month:02d}"

    @property
    def period(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def successor(self) -> "ResultSnapshot | None":
        """The version that replaced this one, if any."""
        try:
            return self.superseded_by
        except ResultSnapshot.DoesNotExist:
            return None


class AppealStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("appeal", "Open")
    ANSWERED = "answered", _("Answered")


class AppealOutcome(models.TextChoices):
    UPHELD = "upheld", _("Upheld")  # 申诉成立
    PARTLY_UPHELD = "partly_upheld", _("Partly upheld")  # 部分成立
    REJECTED = "rejected", _("Rejected")  # 不成立


# An appeal with one of these outcomes opens its unit's value of its indicator to correction.
CORRECTING_OUTCOMES = (AppealOutcome.UPHELD, AppealOutcome.PARTLY_UPHELD)


class AppealQuerySet(models.QuerySet):
    def awaiting_correction(self):
        """Upheld (or partly upheld) appeals whose correction no later version has taken yet."""
        return self.filter(outcome__in=CORRECTING_OUTCOMES, corrected_in__isnull=True)


class Appeal(models.Model):
    """A unit's appeal (申诉) against one indicator of a published result, and the office's answer.

    An upheld or partly upheld appeal lets the office correct that unit's value of that indicator and
    publish a new version of the result (`corrected_in`); a rejected one changes nothing.
    """

    snapshot = models.ForeignKey(ResultSnapshot, on_delete=models.PROTECT, related_name="appeals")
    unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+")
    indicator_code = models.CharField(_("indicator"), max_length=50)
    reason = models.TextField(_("reason"))
    status = models.CharField(
        _("status"), max_length=10, choices=AppealStatus.choices, default=AppealStatus.OPEN
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=AppealOutcome.choices, blank=True)
    answer = models.TextField(_("answer"), blank=True)
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField(_("raised"))
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    corrected_in = models.ForeignKey(
        ResultSnapshot,
        verbose_name=_("corrected in"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrections",
    )

    objects = AppealQuerySet.as_manager()

    class Meta:
        ordering = ["snapshot", "raised_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="open") | Q(outcome="", corrected_in__isnull=True),
                name="appeal_open_has_no_outcome",
            ),
            models.CheckConstraint(
                condition=Q(corrected_in__isnull=True) | Q(outcome__in=["upheld", "partly_upheld"]),
                name="appeal_corrected_only_if_upheld",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.indicator_code}"

    @property
    def awaits_correction(self) -> bool:
        """As `AppealQuerySet.awaiting_correction`, for one appeal at hand."""
        return self.outcome in CORRECTING_OUTCOMES and self.corrected_in_id is None


class ReviewedQuerySet(models.QuerySet):
    def approved(self):
        """Only approved figures count in the pages that read them."""
        return self.filter(status=ValueStatus.APPROVED)


class Reviewed(models.Model):
    """Reference data entered in the app and reviewed like indicator values: draft → submitted → approved
    (locked), returned with a reason, unlocked with a reason (assessment.reference)."""

    status = models.CharField(
        _("status"), max_length=20, choices=ValueStatus.choices, default=ValueStatus.DRAFT
    )
    return_reason = models.TextField(_("reason returned"), blank=True)
    version = models.PositiveIntegerField(default=1)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), null=True, blank=True)

    objects = ReviewedQuerySet.as_manager()

    class Meta:
        abstract = True


class ChecklistRow(Reviewed):
    """A row of the responsibility checklist (责任清单): a prefecture indicator for the county, mapped to a
    county lead unit and leader, with the prefecture's scoring and where the county stands."""

    jurisdiction = models.ForeignKey(
        "orgs.OrgUnit",
        verbose_name=_("county"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="checklist_rows"
    )
    prefecture_weight = models.DecimalField(_("Loudi weight"), max_digits=8, decimal_places=2)
    target = models.DecimalField(_("target"), null=True, blank=True, **VALUE)
    prefecture_rule = models.TextField(_("Loudi scoring rule"), blank=True)
    lead_unit = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("county lead unit"), on_delete=models.PROTECT, related_name="+"
    )
    responsible_leader = models.ForeignKey(
        "orgs.Leader",
        verbose_name=_("responsible leader"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    support_units = models.ManyToManyField(
        "orgs.OrgUnit", verbose_name=_("support units"), blank=True, related_name="+"
    )
    expected_points = models.DecimalField(
        _("expected points"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    gap_analysis = models.TextField(_("gap analysis"), blank=True)
    measures = models.TextField(_("measures"), blank=True)

    class Meta:
        verbose_name = _("responsibility checklist row")
        verbose_name_plural = _("responsibility checklist")
        ordering = ["year", "indicator__category", "id"]
        constraints = [
            models.UniqueConstraint(fields=["jurisdiction", "year", "indicator"], name="checklist_once_a_year")
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.indicator}"


class PeerValue(Reviewed):
    """An indicator's value for the county or one of its peers (对标: 娄星区, 涟源市, 双峰县, 新化县)."""

    jurisdiction = models.ForeignKey(
        "orgs.OrgUnit",
        verbose_name=_("county"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.CASCADE, related_name="peer_values"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(_("month"))
    peer = models.CharField(_("peer county"), max_length=50)
    is_self = models.BooleanField(_("this county"), default=False)
    value = models.DecimalField(_("value"), **VALUE)

    class Meta:
        verbose_name = _("peer county's value")
        verbose_name_plural = _("peer counties' values")
        ordering = ["indicator", "year", "month", "peer"]
        constraints = [
            models.UniqueConstraint(
                fields=["jurisdiction", "indicator", "year", "month", "peer"], name="peer_value_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.peer} {self.indicator} {self.value}"


class HeadlineIndicator(Reviewed):
    """One of a year's ten headline economic indicators (10项主要经济指标)."""

    jurisdiction = models.ForeignKey(
        "orgs.OrgUnit",
        verbose_name=_("county"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    position = models.PositiveSmallIntegerField(_("position"))
    name = models.CharField(_("name"), max_length=100)
    measure = models.CharField(_("unit of measure"), max_length=30)
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction.choices, default=Direction.HIGHER
    )
    target = models.DecimalField(_("annual target"), **VALUE)

    class Meta:
        verbose_name = _("headline indicator")
        verbose_name_plural = _("headline indicators")
        ordering = ["year", "position"]
        constraints = [
            models.UniqueConstraint(fields=["jurisdiction", "year", "position"], name="headline_position_once")
        ]

    def __str__(self) -> str:
        return self.name


class HeadlineValue(Reviewed):
    """A headline indicator in one quarter: actual, growth, prefecture average and the rank among peers."""

    indicator = models.ForeignKey(
        HeadlineIndicator,
        verbose_name=_("headline indicator"),
        on_delete=models.CASCADE,
        related_name="values",
    )
    quarter = models.PositiveSmallIntegerField(_("quarter"))
    actual = models.DecimalField(_("actual"), **VALUE)
    growth = models.DecimalField(_("growth (%)"), null=True, blank=True, **VALUE)
    prefecture_average = models.DecimalField(_("Loudi average"), null=True, blank=True, **VALUE)
    peer_rank = models.PositiveSmallIntegerField(_("rank among Loudi's counties"), null=True, blank=True)
    quarter_target = models.DecimalField(_("target to date"), null=True, blank=True, **VALUE)

    class Meta:
        verbose_name = _("headline indicator's quarter")
        verbose_name_plural = _("headline indicators' quarters")
        ordering = ["indicator", "quarter"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "quarter"], name="headline_value_once"),
            models.CheckConstraint(condition=Q(quarter__gte=1, quarter__lte=4), name="headline_quarter_1_4"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} Q{self.quarter}"

    @property
    def met(self) -> bool:
        target = self.quarter_target if self.quarter_target is not None else self.indicator.target
        if self.indicator.direction == Direction.LOWER:
            return self.actual <= target
        return self.actual >= target
