"""The key-project library: projects, their tags, the "five ones", milestones and annual plans."""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, Q
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext_lazy as _

from guatu import clock
from guatu.orgs.models import OrgUnit

MONEY = {"max_digits": 14, "decimal_places": 2}  # 万元, to the cent (0.01 万元 = 100 元)


class LevelTag(models.Model):
    """A key-project list a project can be on (省重点 / 娄底市重点 / 市本级重点 / 重大); lists overlap."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=50)
    bulletin_label = models.CharField(
        _("bulletin label"), max_length=50, help_text=_("How bulletins name the list, e.g. 省重点项目")
    )
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)
    in_bulletin = models.BooleanField(_("in the bulletin sentence"), default=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("level tag")
        verbose_name_plural = _("level tags")
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return self.name


class ChainKind(models.TextChoices):
    MAIN = "main", _("Main industry chain")  # 主导产业链
    AUXILIARY = "auxiliary", _("Auxiliary industry chain")  # 配套产业链


class IndustryChain(models.Model):
    """An industrial chain (产业链) of a jurisdiction, with its chain chief (链长) and lead department; its
    work team, targets, policies and follow-through live in guatu.chains (链长制)."""

    jurisdiction = models.ForeignKey(
        OrgUnit,
        verbose_name=_("jurisdiction"),
        on_delete=models.PROTECT,
        related_name="industry_chains",
        help_text=_("The county, prefecture or province owning the chain"),
    )
    name = models.CharField(_("name"), max_length=50)
    kind = models.CharField(_("chain kind"), max_length=20, choices=ChainKind.choices, default=ChainKind.MAIN)
    chief = models.ForeignKey(
        "orgs.Leader", verbose_name=_("chain chief"), null=True, blank=True, on_delete=models.PROTECT
    )
    lead_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("lead unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("industry chain")
        verbose_name_plural = _("industry chains")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["jurisdiction", "name"], name="chain_name_unique_in_jurisdiction"),
        ]

    def __str__(self) -> str:
        return self.name


class Stage(models.TextChoices):
    PLANNING = "planning", _("Planning")  # 谋划
    PRELIMINARY = "preliminary", _("Preliminary work")  # 前期
    NEW = "new", _("Newly started")  # 新开工
    CONTINUING = "continuing", _("Continuing")  # 续建
    COMPLETED = "completed", _("Completed / in production")  # 竣工投产
    CANCELLED = "cancelled", _("Cancelled")


class Tier(models.TextChoices):
    RESERVE = "reserve", _("Reserve (5-year)")  # 储备库
    ROLLING = "rolling", _("Rolling (3-year)")  # 滚动库
    IMPLEMENTATION = "implementation", _("Implementation (this year)")  # 实施库


class Category(models.TextChoices):
    INDUSTRY = "industry", _("Industrial development")  # 产业发展
    INFRASTRUCTURE = "infrastructure", _("Infrastructure")  # 基础设施
    LIVELIHOOD = "livelihood", _("Social livelihood")  # 社会民生
    ECOLOGY = "ecology", _("Ecology and environment")  # 生态环保


class ProjectQuerySet(models.QuerySet):
    def counted(self) -> "ProjectQuerySet":
        """Projects that count in roll-ups: cancelled ones never do."""
        return self.exclude(stage=Stage.CANCELLED)

    def in_unit(self, unit: OrgUnit) -> "ProjectQuerySet":
        """Projects located in, or led by, the unit or any unit below it.

        The subtree's unit ids come from one indexed prefix match on the unit paths, as a subquery; the projects
        are then found through their unit indexes. (A prefix match on the projects' joined units instead reads
        every project: a county of a 24,000-project province took 78 ms that way, 10-25 ms this way.)"""
        # A union, not an OR of the two: PostgreSQL estimates an OR of two subqueries at most of the table and
        # then reads every project's tags, plans and totals (a county's summary 128 ms; 18 ms as a union).
        within = Q(pk__in=_subtree_projects(unit))
        if unit.parent_id is None:
            # A root that is the only tree holds every project: the database sees that once, not per project.
            # The test comes first, so that the database stops there and never builds the union's list of the
            # whole table (an OR is evaluated from the left: the province's battle map on SQLite, 24,400
            # projects, 655 → 458 ms in process with the test first).
            within = ~Exists(OrgUnit.objects.filter(parent__isnull=True).exclude(pk=unit.pk)) | within
        return self.filter(within)

    def for_list(self) -> "ProjectQuerySet":
        return self.select_related("location_unit", "lead_unit", "responsible_leader", "chain").prefetch_related(
            "tags"
        )

    def for_detail(self) -> "ProjectQuerySet":
        return self.for_list().prefetch_related(
            "support_links__unit", "task_force", "milestones", "plans__months"
        )


def _subtree_projects(unit: OrgUnit) -> RawSQL:
    """The ids of the projects located in or led by a unit of `unit`'s subtree: the union of two indexed look-ups
    through the subtree's unit ids (one prefix match on the unit paths). Written once as SQL rather than built
    from three querysets: a page embeds the reader's scope in most of its queries, and Django compiled the
    querysets again for each (about 1 ms a query: a county's battle map embeds it in a dozen)."""
    project, orgunit = Project._meta.db_table, OrgUnit._meta.db_table
    units = f'SELECT "id" FROM "{orgunit}" WHERE "path" LIKE %s'  # nosec B608: table names from the models
    sql = (
        f'SELECT "id" FROM "{project}" WHERE "location_unit_id" IN ({units}) '  # nosec B608: as above
        f'UNION SELECT "id" FROM "{project}" WHERE "lead_unit_id" IN ({units})'  # nosec B608: as above
    )
    prefix = unit.path + "%"  # a path is digits and slashes (OrgUnit.save): nothing in it is a LIKE wildcard
    return RawSQL(sql, [prefix, prefix])  # nosec B611: the SQL is fixed text, the path a bound parameter


class Project(models.Model):
    code = models.CharField(
        _("project code"),
        max_length=24,
        unique=True,
        null=True,
        blank=True,
        help_text=_("National investment-project code, YYYY-AAAAAA-II-TT-NNNNNN"),
    )
    name = models.CharField(_("name"), max_length=200)
    tags = models.ManyToManyField(LevelTag, verbose_name=_("level tags"), blank=True, related_name="projects")
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, default=Stage.PLANNING)
    tier = models.CharField(_("library tier"), max_length=20, choices=Tier.choices, default=Tier.RESERVE)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    chain = models.ForeignKey(
        IndustryChain, verbose_name=_("industry chain"), null=True, blank=True, on_delete=models.PROTECT
    )
    location_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("location"), on_delete=models.PROTECT, related_name="located_projects"
    )
    owner = models.CharField(_("owner"), max_length=200, help_text=_("Project owner (业主单位)"))
    scope = models.TextField(_("construction scope"), blank=True)
    start_year = models.PositiveSmallIntegerField(_("start year"))
    end_year = models.PositiveSmallIntegerField(_("end year"))
    total_investment = models.DecimalField(_("total investment (10k yuan)"), **MONEY)
    prior_completed = models.DecimalField(
        _("completed before tracking (10k yuan)"),
        default=Decimal("0"),
        help_text=_("Investment completed before the first month reported in Guatu"),
        **MONEY,
    )
    # The "five ones" (五个一): one leader, one lead unit, one task force, one promotion plan; support units
    # after the lead unit make the responsibility chain.
    responsible_leader = models.ForeignKey(
        "orgs.Leader",
        verbose_name=_("responsible leader"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="projects",
    )
    lead_unit = models.ForeignKey(OrgUnit, verbose_name=_("lead unit"), on_delete=models.PROTECT, related_name="led_projects")
    contact_name = models.CharField(_("contact"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    # A cancelled project keeps the stage it had, so that restoring it puts it back where it was.
    stage_before_cancel = models.CharField(
        _("stage before cancellation"), max_length=20, choices=Stage.choices, blank=True
    )
    # Incremented by every save: a form carries the version it was read at, so a stale save is refused.
    version = models.PositiveIntegerField(default=1)
    # From the app's clock (guatu.clock), not auto_now's real one: set by the services that write projects.
    created_at = models.DateTimeField(_("created"), default=clock.now)
    updated_at = models.DateTimeField(_("updated"), default=clock.now)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(end_year__gte=models.F("start_year")), name="project_years_ordered"),
            models.CheckConstraint(condition=Q(total_investment__gte=0), name="project_total_nonnegative"),
            models.CheckConstraint(condition=Q(prior_completed__gte=0), name="project_prior_nonnegative"),
        ]
        indexes = [models.Index(fields=["stage"], name="project_stage_idx")]

    def __str__(self) -> str:
        return self.name


class ProjectSupportUnit(models.Model):
    """A support unit (配合单位) at its place in the project's responsibility chain."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="support_links")
    unit = models.ForeignKey(OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(_("position"))

    class Meta:
        ordering = ["project", "position"]
        constraints = [
            models.UniqueConstraint(fields=["project", "unit"], name="support_unit_once"),
            models.UniqueConstraint(fields=["project", "position"], name="support_unit_position_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.unit}"


class TaskForceMember(models.Model):
    """A member of the project's task force (工作专班)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="task_force")
    name = models.CharField(_("name"), max_length=50)
    duty = models.CharField(_("duty"), max_length=100, blank=True)
    unit = models.ForeignKey(OrgUnit, verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["project", "position", "id"]

    def __str__(self) -> str:
        return self.name


class MilestoneKind(models.TextChoices):
    APPROVAL = "approval", _("Project approval / filing")  # 立项审批备案
    LAND = "land", _("Land use")  # 用地
    PLANNING = "planning", _("Planning permit")  # 规划许可
    ENVIRONMENT = "environment", _("Environmental assessment")  # 环评
    ENERGY = "energy", _("Energy review")  # 能评
    CONSTRUCTION = "construction", _("Construction permit")  # 施工许可
    START = "start", _("Construction start")  # 开工
    COMPLETION = "completion", _("Completion")  # 竣工
    OTHER = "other", _("Other")


class Milestone(models.Model):
    """A step of the promotion plan (推进计划), including the pre-construction approvals (两个前期)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    kind = models.CharField(_("kind"), max_length=20, choices=MilestoneKind.choices)
    name = models.CharField(_("name"), max_length=100)
    planned_date = models.DateField(_("planned date"))
    actual_date = models.DateField(_("actual date"), null=True, blank=True)
    document_no = models.CharField(_("document no."), max_length=100, blank=True)
    attachment = models.FileField(_("attachment"), upload_to="milestones/%Y/%m/", max_length=150, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["project", "position", "planned_date"]

    def __str__(self) -> str:
        return self.name


def phased_field(month: int) -> str:
    """The AnnualPlan column of the phased plan's cumulative amount through `month` (1-12): phased_01..phased_12."""
    return f"phased_{month:02d}"


class AnnualPlan(models.Model):
    """A project's investment plan for one year (年度计划投资), optionally phased by month.

    phased_01..phased_12 are the phased months (PlanMonth) added up through each month, NULL when the plan is not
    phased: a roll-up the province's sums read in the pass over the plans they make anyway, instead of reading
    the months of every plan (guatu.projects.phasing keeps them equal to the months and checks them)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="plans")
    year = models.PositiveSmallIntegerField(_("year"))
    amount = models.DecimalField(_("annual plan (10k yuan)"), **MONEY)
    version = models.PositiveIntegerField(default=1)
    phased_01 = models.DecimalField(null=True, blank=True, editable=False, **MONEY)
    phased_02 = models.DecimalField(null=True, blank=True, editable=False, **MONEY)
    phased_03 = models.DecimalField(null=True, blank=True, editable=False, **MONEY)
    phased_04 = models.DecimalField(null=True, blank=True, editable=False, **MONEY)
    phased_05 = models.DecimalField(null=True, blank=True, editable=False, **MONEY)
    phased_06 = models.DecimalField(null=True, blank=True, editable=False, **MONEY)
    phased_07 = models.DecimalField(null=True, blank=True, editable=False, **MONEY)
    phased_08 = models.DecimalField(null=True, blank=True, editable=False, **MONEY)
    phased_09 = models.DecimalField(null=True, blank=True, editable=False, **MONEY)
    phased_10 = models.DecimalField(null=True, blank=True, editable=False, **MONEY)
    phased_11 = models.DecimalField(null=True, blank=True, editable=False, **MONEY)
    phased_12 = models.DecimalField(null=True, blank=True, editable=False, **MONEY)

    class Meta:
        verbose_name = _("annual plan")
        ordering = ["project", "year"]
        constraints = [
            models.UniqueConstraint(fields=["project", "year"], name="annual_plan_once_a_year"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="annual_plan_nonnegative"),
        ]
        indexes = [models.Index(fields=["year", "project"], name="annual_plan_year_idx")]

    def __str__(self) -> str:
        return f"{self.year}: {self.amount}"


class PlanMonth(models.Model):
    """The part of an annual plan phased into one month; a phased plan's months add up to its amount."""

    plan = models.ForeignKey(AnnualPlan, on_delete=models.CASCADE, related_name="months")
    month = models.PositiveSmallIntegerField(_("month"), validators=[MinValueValidator(1), MaxValueValidator(12)])
    amount = models.DecimalField(_("planned (10k yuan)"), **MONEY)

    class Meta:
        ordering = ["plan", "month"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "month"], name="plan_month_once"),
            models.CheckConstraint(condition=Q(month__gte=1, month__lte=12), name="plan_month_in_year"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="plan_month_nonnegative"),
        ]

    def __str__(self) -> str:
        return f"{self.month}: {self.amount}"
