"""Three-tier dispatch (三级调度): problems and their escalation, supervision orders (督办), meetings."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Tier(models.IntegerChoices):
    UNIT = 1, _("Tier 1: lead unit on site")  # 责任单位现场调度
    LEADER = 2, _("Tier 2: responsible leader")  # 责任领导协调调度
    PRINCIPAL = 3, _("Tier 3: principal leaders")  # 主要领导集中调度


class ProblemCategory(models.TextChoices):
    LAND = "land", _("Land")
    DEMOLITION = "demolition", _("Demolition")
    APPROVALS = "approvals", _("Approvals")
    FUNDS = "funds", _("Funds")
    UTILITIES = "utilities", _("Power and water")
    # An enterprise's requests (企业诉求); a project's problems use the ones above too.
    POWER = "power", _("Power supply")  # 用电
    FINANCING = "financing", _("Financing")  # 融资
    LABOUR = "labour", _("Labour")  # 用工
    PERMITS = "permits", _("Permits and licences")  # 证照办理
    LOGISTICS = "logistics", _("Transport and logistics")  # 物流运输
    POLICY = "policy", _("Policy support")  # 政策兑现
    OTHER = "other", _("Other")


class Satisfaction(models.TextChoices):
    """The firm's verdict on how its request was handled, recorded at closing (企业满意度)."""

    SATISFIED = "satisfied", _("Satisfied")  # 满意
    BASICALLY = "basically", _("Basically satisfied")  # 基本满意
    DISSATISFIED = "dissatisfied", _("Dissatisfied")  # 不满意


SATISFIED_VALUES = (Satisfaction.SATISFIED, Satisfaction.BASICALLY)


class ProblemStatus(models.TextChoices):
    RAISED = "raised", _("Raised")
    ASSIGNED = "assigned", _("Assigned")
    IN_HAND = "in_hand", _("In hand")
    VERIFIED = "verified", _("Verified")
    CLOSED = "closed", _("Closed")


OPEN_STATUSES = (ProblemStatus.RAISED, ProblemStatus.ASSIGNED, ProblemStatus.IN_HAND)


def requests_at_leader(leader_id: int, leader_unit_id: int) -> Q:
    """The enterprise requests a leader coordinates at tier 2 (dispatch.queries.tier_two_leader): those of the
    firms of a chain they are chief of, and those of firms without a chain chief looked after by their unit."""
    no_chief = Q(enterprise__chain__isnull=True) | Q(enterprise__chain__chief__isnull=True)
    return Q(enterprise__chain__chief_id=leader_id) | (no_chief & Q(enterprise__unit_id=leader_unit_id))


def of_jurisdiction(path: str, below: list[str] = ()) -> Q:
    """The problems whose jurisdiction (dispatch.queries.problem_jurisdiction, the same order of precedence: the
    project's, the enterprise's, the chain's, the meeting's, else the raiser's) lies under the unit at `path`,
    leaving out those under the jurisdictions at the paths in `below` (to keep a prefecture's own)."""
    no_project = Q(project__isnull=True)
    no_firm = no_project & Q(enterprise__isnull=True)
    no_chain = no_firm & Q(chain__isnull=True)
    no_meeting = no_chain & Q(meeting__isnull=True)

    def under(prefix: str) -> Q:
        return (
            Q(project__location_unit__path__startswith=prefix)
            | (no_project & Q(enterprise__jurisdiction__path__startswith=prefix))
            | (no_firm & Q(chain__jurisdiction__path__startswith=prefix))
            | (no_chain & Q(meeting__created_by__org_unit__path__startswith=prefix))
            | (no_meeting & Q(raised_by__org_unit__path__startswith=prefix))
        )

    mine = under(path)
    for prefix in below:
        mine &= ~under(prefix)
    return mine


class ProblemQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self, today):
        return self.open().filter(deadline__lt=today)

    def for_list(self):
        return self.select_related(
            "project__location_unit",
            "project__responsible_leader",
            "chain",
            "assigned_unit",
            "raised_by",
            "enterprise",
        )

    def requests(self):
        """Enterprise requests (企业诉求): the problems raised on a firm's behalf."""
        return self.filter(enterprise__isnull=False)


class Problem(models.Model):
    """A problem raised on a project, an industry chain, an enterprise's behalf (企业诉求) or at a meeting
    (议定事项), handled tier by tier."""

    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("project"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="problems",
    )
    chain = models.ForeignKey(
        "projects.IndustryChain",
        verbose_name=_("industry chain"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="problems",
    )
    report = models.ForeignKey(
        "reports.MonthlyReport",
        verbose_name=_("raised from report"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="raised_problems",
    )
    meeting = models.ForeignKey(
        "dispatch.Meeting",
        verbose_name=_("decided at meeting"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="decided_items",
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("enterprise"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="requests",
    )
    description = models.TextField(_("description"))
    category = models.CharField(
        pgettext_lazy("problem", "category"), max_length=20, choices=ProblemCategory.choices
    )
    tier = models.PositiveSmallIntegerField(_("tier"), choices=Tier.choices, default=Tier.UNIT)
    status = models.CharField(
        _("status"), max_length=20, choices=ProblemStatus.choices, default=ProblemStatus.RAISED
    )
    assigned_unit = models.ForeignKey(
        "orgs.OrgUnit",
        verbose_name=_("assigned unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_problems",
    )
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    required_outcome = models.TextField(_("required outcome"), blank=True)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("raised by"), on_delete=models.PROTECT, related_name="+"
    )
    raised_at = models.DateTimeField(_("raised"))
    closed_at = models.DateTimeField(pgettext_lazy("time", "closed"), null=True, blank=True)
    satisfaction = models.CharField(
        _("enterprise's satisfaction"), max_length=20, choices=Satisfaction.choices, blank=True
    )
    version = models.PositiveIntegerField(default=1)

    objects = ProblemQuerySet.as_manager()

    class Meta:
        verbose_name = _("problem")
        verbose_name_plural = _("problems")
        ordering = ["deadline", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(project__isnull=False)
                | Q(chain__isnull=False)
                | Q(meeting__isnull=False)
                | Q(enterprise__isnull=False),
                name="problem_has_subject",
            ),
            models.CheckConstraint(
                condition=Q(satisfaction="") | Q(enterprise__isnull=False, status="closed"),
                name="problem_satisfaction_of_closed_request",
            ),
            models.CheckConstraint(condition=Q(tier__gte=1, tier__lte=3), name="problem_tier_1_to_3"),
        ]
        indexes = [models.Index(fields=["status", "deadline"], name="problem_open_deadline_idx")]

    def __str__(self) -> str:
        return self.description[:40]


class ProblemFeedback(models.Model):
    """What the assigned unit reports on its handling (反馈), with an optional attachment."""

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="feedback")
    text = models.TextField(_("feedback"))
    attachment = models.FileField(_("attachment"), upload_to="problems/%Y/%m/", blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("time"))

    class Meta:
        ordering = ["problem", "at", "id"]

    def __str__(self) -> str:
        return self.text[:40]


class Escalation(models.Model):
    """One step up the tiers because a deadline was missed; one per problem and missed deadline."""

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="escalations")
    from_tier = models.PositiveSmallIntegerField(choices=Tier.choices)
    to_tier = models.PositiveSmallIntegerField(choices=Tier.choices)
    deadline_missed = models.DateField(_("deadline missed"))
    new_deadline = models.DateField(_("new deadline"))
    at = models.DateTimeField(_("time"))
    reason = models.TextField(_("reason"))

    class Meta:
        ordering = ["problem", "at"]
        constraints = [
            models.UniqueConstraint(
                fields=["problem", "deadline_missed"], name="escalation_once_per_deadline"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.problem_id}: {self.from_tier}→{self.to_tier}"


class SupervisionStatus(models.TextChoices):
    ISSUED = "issued", _("Issued")
    RESPONDED = "responded", _("Responded")
    CLOSED = "closed", _("Closed")


class SupervisionOrderQuerySet(models.QuerySet):
    def overdue(self, today):
        return self.filter(status=SupervisionStatus.ISSUED, deadline__lt=today)


class SupervisionOrder(models.Model):
    """A supervision order (督办单) with a number, a deadline and a required written response."""

    number = models.CharField(_("number"), max_length=50, unique=True)
    problem = models.ForeignKey(
        Problem,
        verbose_name=_("problem"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="orders",
    )
    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("project"),
        on_delete=models.PROTECT,
        related_name="supervision_orders",
    )
    addressee = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("addressed to"), on_delete=models.PROTECT, related_name="+"
    )
    requirement = models.TextField(_("requirement"))
    deadline = models.DateField(pgettext_lazy("supervision order", "deadline"))
    status = models.CharField(
        _("status"), max_length=20, choices=SupervisionStatus.choices, default=SupervisionStatus.ISSUED
    )
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField(_("issued"))
    response = models.TextField(_("written response"), blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    responded_at = models.DateTimeField(_("responded"), null=True, blank=True)

    objects = SupervisionOrderQuerySet.as_manager()

    class Meta:
        verbose_name = _("supervision order")
        verbose_name_plural = _("supervision orders")
        ordering = ["deadline", "id"]

    def __str__(self) -> str:
        return self.number


class Meeting(models.Model):
    """A dispatch meeting: tier 1 convened by a unit, tiers 2-3 by a leader; its agenda is a snapshot."""

    tier = models.PositiveSmallIntegerField(_("tier"), choices=Tier.choices)
    date = models.DateField(_("date"))
    title = models.CharField(pgettext_lazy("meeting", "title"), max_length=200)
    convenor = models.ForeignKey(
        "orgs.Leader",
        verbose_name=_("convenor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    convenor_unit = models.ForeignKey(
        "orgs.OrgUnit",
        verbose_name=_("convening unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    attendees = models.ManyToManyField(
        "orgs.Leader", verbose_name=_("attending leaders"), blank=True, related_name="+"
    )
    attendee_units = models.ManyToManyField(
        "orgs.OrgUnit", verbose_name=_("attending units"), blank=True, related_name="+"
    )
    agenda = models.JSONField(_("agenda"), default=list)
    minutes = models.TextField(_("minutes"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("dispatch meeting")
        verbose_name_plural = _("dispatch meetings")
        ordering = ["-date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(convenor__isnull=False) | Q(convenor_unit__isnull=False),
                name="meeting_has_convenor",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class MeetingDecisionQuerySet(models.QuerySet):
    def for_list(self):
        return (
            self.select_related("responsible_unit", "project", "problem")
            .prefetch_related("support_units")
            .order_by("position", "pk")
        )


class MeetingDecision(models.Model):
    """A decided item of a meeting (会议议定事项), recorded after it: what was decided, the unit responsible
    (牵头单位) and those supporting it (配合单位), the deadline; the minutes (会议纪要) list them in order."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("dispatch meeting"), on_delete=models.PROTECT, related_name="decisions"
    )
    position = models.PositiveSmallIntegerField(_("item number"))
    text = models.CharField(_("decided item"), max_length=1000)
    responsible_unit = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("responsible unit"), on_delete=models.PROTECT, related_name="+"
    )
    support_units = models.ManyToManyField(
        "orgs.OrgUnit", verbose_name=_("support units"), blank=True, related_name="+"
    )
    deadline = models.DateField(pgettext_lazy("decided item", "deadline"))
    problem = models.ForeignKey(
        Problem,
        verbose_name=_("problem"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="meeting_decisions",
    )
    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("project"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="meeting_decisions",
    )
    version = models.PositiveIntegerField(default=1)

    objects = MeetingDecisionQuerySet.as_manager()

    class Meta:
        verbose_name = _("decided item")
        verbose_name_plural = _("decided items")
        ordering = ["meeting", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "position"], name="decision_position_once_per_meeting"
            ),
            models.CheckConstraint(condition=Q(position__gte=1), name="decision_position_from_1"),
        ]

    def __str__(self) -> str:
        return self.text[:40]
