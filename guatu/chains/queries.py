"""Reads of the chain chief system: a chain's targets against its actuals for a year up to a month, and what
the chain page lists. Each read takes a fixed number of queries, however many chains or rows.

Actuals come from where each figure is kept, never recomputed here: the firms' output, tax and above-scale
count from `guatu.enterprises.queries.chain_enterprise_figures`; contracts signed, leads started and funds in
place from `guatu.attraction.queries.chain_lead_figures`; the chain's projects' investment completed from the
one year-to-date read, `guatu.projects.queries.ytd_completed_by_project`."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from guatu.chains.models import COUNTED, ChainTarget, Metric, metric_unit
from guatu.lib.money import percent, ratio, round_half_up
from guatu.lib.periods import Period
from guatu.projects.models import IndustryChain, Stage
from guatu.projects.queries import ytd_completed_by_project

ZERO = Decimal("0")


@dataclass(frozen=True)
class TargetLine:
    """One metric of a chain for the year: its target (None when the plan sets none) and the actual to date."""

    metric: str
    target: Decimal | None
    actual: Decimal

    @property
    def label(self) -> str:
        return str(Metric(self.metric).label)

    @property
    def unit(self) -> str:
        return metric_unit(self.metric)

    @property
    def rate(self) -> Decimal | None:
        """The completion rate in per cent, rounded half-up to two places; None without a (non-zero) target."""
        return percent(ratio(self.actual, self.target)) if self.target else None


@dataclass(frozen=True)
class ChainFigures:
    chain: IndustryChain
    period: Period
    lines: list[TargetLine]

    def line(self, metric: str) -> TargetLine:
        return next(line for line in self.lines if line.metric == metric)

    @property
    def headline(self) -> TargetLine:
        """The figure a list shows for the chain: its output value against the target."""
        return self.line(Metric.OUTPUT)


def investment_by_chain(chain_ids: list[int], period: Period) -> dict[int, Decimal]:
    """The investment the chains' projects (cancelled ones never count) completed in the year to the month, from
    their approved reports. One query."""
    rows = (
        ytd_completed_by_project(period)
        .filter(project__chain_id__in=chain_ids)
        .exclude(project__stage=Stage.CANCELLED)
        .values_list("project__chain_id", "total")
        .order_by()
    )
    totals: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for chain_id, total in rows:
        totals[chain_id] += round_half_up(Decimal(total or 0), 2)
    return {pk: totals[pk] for pk in chain_ids}


def actuals_by_chain(chain_ids: list[int], period: Period) -> dict[int, dict[str, Decimal]]:
    """Per chain id, the actual of every metric for the period's year, January to its month."""
    from guatu.attraction.queries import chain_lead_figures
    from guatu.enterprises.queries import chain_enterprise_figures

    firms = chain_enterprise_figures(chain_ids, period.year)
    leads = chain_lead_figures(chain_ids, period)
    investment = investment_by_chain(chain_ids, period)
    return {
        pk: {
            Metric.OUTPUT: firms[pk].output,
            Metric.TAX: firms[pk].tax,
            Metric.ABOVE_SCALE: Decimal(firms[pk].above_scale),
            Metric.INVESTMENT: investment[pk],
            Metric.SIGNED: leads[pk].signed_amount,
            Metric.FUNDS: leads[pk].funds_domestic + leads[pk].funds_foreign,
            Metric.STARTED: Decimal(leads[pk].started),
        }
        for pk in chain_ids
    }


def chain_figures(chains: list[IndustryChain], period: Period) -> dict[int, ChainFigures]:
    """Per chain id: every metric's target for the period's year against its actual to the period's month."""
    ids = [chain.pk for chain in chains]
    targets: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for chain_id, metric, target in ChainTarget.objects.filter(chain_id__in=ids, year=period.year).values_list(
        "chain_id", "metric", "target"
    ):
        targets[chain_id][metric] = target
    actuals = actuals_by_chain(ids, period)
    return {
        chain.pk: ChainFigures(
            chain=chain,
            period=period,
            lines=[
                TargetLine(metric=metric, target=targets[chain.pk].get(metric), actual=actuals[chain.pk][metric])
                for metric in Metric.values
            ],
        )
        for chain in chains
    }


def counted_metric(metric: str) -> bool:
    """Whether a metric counts firms or projects (shown without decimals) rather than amounts in 万元."""
    return metric in COUNTED


@dataclass(frozen=True)
class ChainLists:
    """What a chain page lists, each narrowed to what the reader may see."""

    team: list
    targets: list
    enterprises: list  # with `.year_figure`: the firm's EnterpriseFigure of the year, or None
    projects: list  # with `.progress`: its year to date against its plan, or None
    leads: list
    problems: list
    policies: list
    follow_through: list


def chain_lists(user, chain: IndustryChain, period: Period) -> ChainLists:
    """The chain's lists for the page. A fixed number of queries, however many rows."""
    from django.db.models import Prefetch

    from guatu.access import gateway
    from guatu.enterprises.models import EnterpriseFigure
    from guatu.projects.queries import progress_by_project

    enterprises = list(
        gateway.visible_enterprises(user)
        .filter(chain=chain)
        .select_related("unit")
        .prefetch_related(
            Prefetch("figures", queryset=EnterpriseFigure.objects.filter(year=period.year), to_attr="year_figures")
        )
        .order_by("-is_chain_master", "-above_scale", "name")
    )
    for firm in enterprises:
        firm.year_figure = firm.year_figures[0] if firm.year_figures else None
    projects = list(
        gateway.visible_projects(user).filter(chain=chain).select_related("location_unit").order_by("stage", "name")
    )
    progress = progress_by_project([project.pk for project in projects], period)
    for project in projects:
        project.progress = progress.get(project.pk)
        project.rate = percent(project.progress.completion_rate) if project.progress else None
    return ChainLists(
        team=list(chain.team.select_related("unit")),
        targets=list(chain.targets.order_by("-year", "metric")),
        enterprises=enterprises,
        projects=projects,
        leads=list(gateway.visible_leads(user).filter(chain=chain).select_related("responsible_unit").order_by("-id")),
        problems=list(
            gateway.visible_problems(user).filter(chain=chain).select_related("assigned_unit").order_by("-id")
        ),
        policies=list(chain.policies.all()),
        follow_through=list(chain.follow_through.all()),
    )


def chain_history(chain: IndustryChain):
    """The chain's audit events and those of its work team, targets, policies and follow-through, the deleted
    ones too (a part's first event names its chain), oldest first. One query."""
    from django.db.models import Q

    from guatu.audit.models import AuditEvent
    from guatu.chains.models import FollowThrough, Policy, TeamMember

    wanted = Q(object_type=IndustryChain._meta.model_name, object_id=chain.pk)
    for model in (TeamMember, ChainTarget, Policy, FollowThrough):
        object_type = model._meta.model_name
        parts = AuditEvent.objects.filter(object_type=object_type, action__endswith=".create", after__chain=chain.pk)
        wanted |= Q(object_type=object_type, object_id__in=parts.values("object_id"))
    return AuditEvent.objects.filter(wanted).select_related("actor").order_by("at", "id")


# --- computed indicators for assessment schemes (guatu.assessment.computed): a lead department's chains


def lead_chains_rate(unit, period: Period, metric: str) -> Decimal | None:
    """The completion (%) of a metric's targets of the chains `unit` is the lead department of: their actuals
    to the period's month over their targets of its year, summed over the chains that set one, rounded
    half-up to two places; None when the unit leads no chain with such a target."""
    chains = list(IndustryChain.objects.filter(lead_unit=unit, targets__year=period.year, targets__metric=metric))
    if not chains:
        return None
    lines = [figures.line(metric) for figures in chain_figures(chains, period).values()]
    return percent(ratio(sum((line.actual for line in lines), ZERO), sum((line.target for line in lines), ZERO)))


def lead_chains_output_rate(unit, period: Period) -> Decimal | None:
    """Output value of the chains the unit leads against their targets (%)."""
    return lead_chains_rate(unit, period, Metric.OUTPUT)


def lead_chains_investment_rate(unit, period: Period) -> Decimal | None:
    """Investment completed by the projects of the chains the unit leads against their targets (%)."""
    return lead_chains_rate(unit, period, Metric.INVESTMENT)


def lead_chains_started_rate(unit, period: Period) -> Decimal | None:
    """Investment projects started on the chains the unit leads against their targets (%)."""
    return lead_chains_rate(unit, period, Metric.STARTED)
