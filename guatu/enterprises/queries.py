"""Named reads for service to enterprises. Each takes what the gateway has already narrowed (or, for the
computed indicators and the chains' pages, whole units and chains) and runs a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

from django.db.models import Count, Exists, F, OuterRef, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from guatu.dispatch.models import SATISFIED_VALUES, Escalation, Problem, ProblemStatus
from guatu.enterprises.models import Enterprise, EnterpriseFigure
from guatu.lib.money import cents, percent, ratio
from guatu.lib.periods import Period
from guatu.orgs.models import OrgUnit

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class RequestFigures:
    """A set of enterprise requests (企业诉求): how many, how many closed, how many solved on time (closed by
    their deadline without ever escalating), how many closed with the firm satisfied or basically satisfied out
    of those closed with a satisfaction recorded; the two rates in %, half-up to two places (None when there is
    nothing to divide by)."""

    requests: int = 0
    closed: int = 0
    solved_on_time: int = 0
    satisfied: int = 0
    rated: int = 0

    @property
    def on_time_rate(self) -> Decimal | None:
        return percent(ratio(Decimal(self.solved_on_time), Decimal(self.requests)))

    @property
    def satisfaction_rate(self) -> Decimal | None:
        return percent(ratio(Decimal(self.satisfied), Decimal(self.rated)))


def _figure_aggregates() -> dict:
    closed = Q(status=ProblemStatus.CLOSED)
    return {
        "requests": Count("pk", distinct=True),
        "closed": Count("pk", filter=closed, distinct=True),
        "solved_on_time": Count(
            "pk", filter=closed & Q(escalated=False, closed_on__lte=F("deadline")), distinct=True
        ),
        "satisfied": Count("pk", filter=closed & Q(satisfaction__in=SATISFIED_VALUES), distinct=True),
        "rated": Count("pk", filter=closed & ~Q(satisfaction=""), distinct=True),
    }


def _annotated(requests):
    return requests.annotate(
        escalated=Exists(Escalation.objects.filter(problem=OuterRef("pk"))),
        closed_on=TruncDate("closed_at", tzinfo=timezone.get_current_timezone()),
    )


def in_period(requests, period: Period):
    """The requests raised from January to the end of the period's month (local time)."""
    start = datetime.combine(date(period.year, 1, 1), time.min, tzinfo=timezone.get_current_timezone())
    after = period.next()
    end = datetime.combine(date(after.year, after.month, 1), time.min, tzinfo=timezone.get_current_timezone())
    return requests.filter(raised_at__gte=start, raised_at__lt=end)


def request_figures(requests) -> RequestFigures:
    """The figures of a set of requests (a Problem queryset with `enterprise` set). One query."""
    row = _annotated(requests.requests().order_by()).aggregate(**_figure_aggregates())
    return RequestFigures(**row)


def request_figures_by(requests, field: str) -> dict[int | None, RequestFigures]:
    """The figures grouped by a foreign key (`assigned_unit`, `enterprise__chain`, `enterprise__unit`). One query."""
    rows = _annotated(requests.requests().order_by()).values(field).annotate(**_figure_aggregates())
    return {row.pop(field): RequestFigures(**row) for row in rows}


def unit_requests(unit: OrgUnit):
    """The requests assigned to a unit or a unit below it (what the unit answers for)."""
    return Problem.objects.requests().filter(assigned_unit__path__startswith=unit.path)


def requests_solved_on_time(unit: OrgUnit, period: Period) -> Decimal | None:
    """Computed indicator: share (%) of the enterprise requests assigned to the unit (or below) and raised from
    January to the month that were closed by their deadline without escalating."""
    return request_figures(in_period(unit_requests(unit), period)).on_time_rate


def request_satisfaction(unit: OrgUnit, period: Period) -> Decimal | None:
    """Computed indicator: share (%) of the closed requests assigned to the unit (or below), raised from January
    to the month, whose firm was satisfied or basically satisfied."""
    return request_figures(in_period(unit_requests(unit), period)).satisfaction_rate


@dataclass(frozen=True)
class EnterpriseFigures:
    """A chain's firms in one year: how many, above designated size, chain masters, their output and tax
    (万元), their requests raised that year and those solved on time."""

    enterprises: int = 0
    above_scale: int = 0
    masters: int = 0
    output: Decimal = ZERO
    tax: Decimal = ZERO
    requests: int = 0
    requests_solved_on_time: int = 0


def chain_enterprise_figures(chain_ids: list[int], year: int) -> dict[int, EnterpriseFigures]:
    """Per chain (every id asked for, zeros when it has no firms): its firms and their figures of `year`. Three
    queries whatever the number of chains."""
    ids = list(chain_ids)
    counts = {
        row["chain"]: row
        for row in Enterprise.objects.filter(chain__in=ids)
        .order_by()
        .values("chain")
        .annotate(
            enterprises=Count("pk"),
            above_scale=Count("pk", filter=Q(above_scale=True)),
            masters=Count("pk", filter=Q(is_chain_master=True)),
        )
    }
    money = {
        row["enterprise__chain"]: row
        for row in EnterpriseFigure.objects.filter(enterprise__chain__in=ids, year=year)
        .order_by()
        .values("enterprise__chain")
        .annotate(output=Sum("output"), tax=Sum("tax"))
    }
    start = datetime.combine(date(year, 1, 1), time.min, tzinfo=timezone.get_current_timezone())
    end = datetime.combine(date(year + 1, 1, 1), time.min, tzinfo=timezone.get_current_timezone())
    asked_by_chain = request_figures_by(
        Problem.objects.filter(enterprise__chain__in=ids, raised_at__gte=start, raised_at__lt=end),
        "enterprise__chain",
    )
    figures = {}
    for pk in ids:
        count, amounts, asked = counts.get(pk, {}), money.get(pk, {}), asked_by_chain.get(pk, RequestFigures())
        figures[pk] = EnterpriseFigures(
            enterprises=count.get("enterprises", 0),
            above_scale=count.get("above_scale", 0),
            masters=count.get("masters", 0),
            output=cents(amounts.get("output")),
            tax=cents(amounts.get("tax")),
            requests=asked.requests,
            requests_solved_on_time=asked.solved_on_time,
        )
    return figures


def enterprises_for_list(enterprises, filters: dict):
    """The enterprise list's filters (unit subtree, chain, above-scale, chain master), with open request counts."""
    if filters.get("unit") is not None:
        enterprises = enterprises.in_unit(filters["unit"])
    if filters.get("chain") is not None:
        enterprises = enterprises.filter(chain=filters["chain"])
    if filters.get("above_scale") is not None:
        enterprises = enterprises.filter(above_scale=filters["above_scale"])
    if filters.get("is_chain_master") is not None:
        enterprises = enterprises.filter(is_chain_master=filters["is_chain_master"])
    return enterprises.for_list().annotate(
        request_count=Count("requests", distinct=True),
        open_requests=Count(
            "requests",
            filter=Q(
                requests__status__in=(ProblemStatus.RAISED, ProblemStatus.ASSIGNED, ProblemStatus.IN_HAND)
            ),
            distinct=True,
        ),
    )


def enterprise_requests(enterprise: Enterprise):
    """A firm's requests, open ones first, with the unit they are assigned to."""
    from guatu.dispatch.queries import open_first

    return open_first(enterprise.requests.select_related("assigned_unit"))


def request_figure_rows(requests) -> tuple[list[tuple], list[tuple]]:
    """The figures page's two tables: (unit, figures) per assigned unit in tree order, and (chain, figures) per
    firm's chain; requests not yet assigned, or of firms without a chain, under None. Four queries."""
    from guatu.projects.models import IndustryChain

    by_unit = request_figures_by(requests, "assigned_unit")
    by_chain = request_figures_by(requests, "enterprise__chain")
    units = {unit.pk: unit for unit in OrgUnit.objects.filter(pk__in=[pk for pk in by_unit if pk])}
    chains = {chain.pk: chain for chain in IndustryChain.objects.filter(pk__in=[pk for pk in by_chain if pk])}
    unit_rows = sorted(
        ((units.get(pk), figures) for pk, figures in by_unit.items()),
        key=lambda row: (row[0] is None, row[0].path if row[0] else ""),
    )
    chain_rows = sorted(
        ((chains.get(pk), figures) for pk, figures in by_chain.items()),
        key=lambda row: (row[0] is None, (row[0].sort_order, row[0].pk) if row[0] else (0, 0)),
    )
    return unit_rows, chain_rows


def enterprise_history(enterprise: Enterprise):
    """The firm's audit events and those of its yearly figures, oldest first. One query."""
    from guatu.audit.models import AuditEvent

    figures = EnterpriseFigure.objects.filter(enterprise=enterprise).values("pk")
    return (
        AuditEvent.objects.filter(
            Q(object_type="enterprise", object_id=enterprise.pk)
            | Q(object_type="enterprisefigure", object_id__in=figures)
        )
        .select_related("actor")
        .order_by("at", "id")
    )
