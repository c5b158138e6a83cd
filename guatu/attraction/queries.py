"""Reads of the investment-attraction pipeline: the list, a lead's page, the late-start lights and the figures
per responsible unit and per chain (contract performance, funds in place), each in a fixed number of queries.

Contract performance rate (履约率) of a period (January to a month of a year): of the leads signed by the
period's end whose promised start falls in that year on or before the period's end (dropped ones included:
a dropped contract is one not performed), the share that started on or before the period's end, in percent,
half-up to two decimals; None when no promised start fell due (a rate of nothing is undefined, not 0).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, Q, Sum

from guatu import clock
from guatu.attraction.models import FundsInPlace, Lead, LeadStatus
from guatu.lib.lights import Light, RuleSet, start_missed_light
from guatu.lib.money import cents, percent, ratio
from guatu.lib.periods import Period
from guatu.lights.services import rules_for
from guatu.orgs.models import OrgUnit

ZERO = Decimal("0.00")
YI = Decimal(10000)  # 1亿元 in 万元
TEN_YI = Decimal(100000)  # 10亿元 in 万元


def period_start(period: Period) -> date:
    return date(period.year, 1, 1)


def period_end(period: Period) -> date:
    """The last day of the period's month."""
    following = period.next()
    return date(following.year, following.month, 1) - timedelta(days=1)


def performance_rate(performed: int, due: int) -> Decimal | None:
    """履约率 (%): performed ÷ due, half-up to two decimals; None when nothing fell due."""
    return percent(ratio(Decimal(performed), Decimal(due)))


def late_start_light(lead: Lead, rules: RuleSet, today: date | None = None) -> Light | None:
    """A signed (or registered) lead not started by its promised start date: yellow, red after the
    jurisdiction's `start_missed_red_after_months` (the projects' start-missed rule, guatu.lib.lights)."""
    if not lead.awaiting_start:
        return None
    as_of = today or clock.today()
    return start_missed_light(lead.promised_start, lead.started_on, as_of, rules)


def late_start_lights(leads: list[Lead], today: date | None = None) -> dict[int, Light]:
    """The late-start light of each lead that has one, with the rules of each lead's jurisdiction (one
    query per jurisdiction among the leads: one for a county's list)."""
    rules: dict[int, RuleSet] = {}
    lights = {}
    for lead in leads:
        if not lead.awaiting_start:
            continue
        if lead.jurisdiction_id not in rules:
            rules[lead.jurisdiction_id] = rules_for(lead.jurisdiction)
        light = late_start_light(lead, rules[lead.jurisdiction_id], today)
        if light is not None:
            lights[lead.pk] = light
    return lights


@dataclass(frozen=True)
class LeadFigures:
    """The pipeline's figures for a set of leads and a period (January to the month). Amounts in 万元."""

    leads: int = 0  # leads on record (any state)
    signed: int = 0  # signed in the year to the period's end
    signed_amount: Decimal = ZERO  # their contract amounts
    signed_over_1yi: int = 0  # of them, contracts of 1亿元 (10,000 万元) or more
    signed_over_10yi: int = 0  # of them, contracts of 10亿元 (100,000 万元) or more
    started: int = 0  # started in the year to the period's end
    due: int = 0  # promised start in the year to the period's end (the rate's denominator)
    performed: int = 0  # of them, started by the period's end
    funds_domestic: Decimal = ZERO  # funds in place from outside the province, January to the month
    funds_foreign: Decimal = ZERO  # foreign funds in place, January to the month

    @property
    def performance_rate(self) -> Decimal | None:
        return performance_rate(self.performed, self.due)

    @property
    def funds_total(self) -> Decimal:
        return self.funds_domestic + self.funds_foreign


def _figures(leads, key: str, period: Period) -> dict[int, LeadFigures]:
    """Figures of `leads` grouped by `key` (a lead field: "chain", "responsible_unit"): two queries."""
    first, last = period_start(period), period_end(period)
    signed = Q(signed_on__gte=first, signed_on__lte=last)
    due = Q(signed_on__lte=last, promised_start__gte=first, promised_start__lte=last)
    rows = (
        leads.order_by()
        .values(key)
        .annotate(
            n=Count("pk"),
            signed=Count("pk", filter=signed),
            signed_amount=Sum("contract_amount", filter=signed),
            over_1yi=Count("pk", filter=signed & Q(contract_amount__gte=YI)),
            over_10yi=Count("pk", filter=signed & Q(contract_amount__gte=TEN_YI)),
            started=Count("pk", filter=Q(started_on__gte=first, started_on__lte=last)),
            due=Count("pk", filter=due),
            performed=Count("pk", filter=due & Q(started_on__lte=last)),
        )
    )
    funds = (
        FundsInPlace.objects.filter(lead__in=leads.values("pk"), year=period.year, month__lte=period.month)
        .order_by()
        .values(f"lead__{key}")
        .annotate(domestic=Sum("domestic"), foreign=Sum("foreign"))
    )
    money = {row[f"lead__{key}"]: (cents(row["domestic"]), cents(row["foreign"])) for row in funds}
    figures = {}
    for row in rows:
        domestic, foreign = money.get(row[key], (ZERO, ZERO))
        figures[row[key]] = LeadFigures(
            leads=row["n"],
            signed=row["signed"],
            signed_amount=cents(row["signed_amount"]),
            signed_over_1yi=row["over_1yi"],
            signed_over_10yi=row["over_10yi"],
            started=row["started"],
            due=row["due"],
            performed=row["performed"],
            funds_domestic=domestic,
            funds_foreign=foreign,
        )
    return figures


def chain_lead_figures(chain_ids: list[int], period: Period, *, leads=None) -> dict[int, LeadFigures]:
    """Per chain id: the figures of the leads on it (every chain asked for is in the answer); `leads` narrows
    them (the gateway's visible_leads for a page). Two queries."""
    leads = Lead.objects.all() if leads is None else leads
    found = _figures(leads.filter(chain_id__in=chain_ids), "chain", period)
    return {pk: found.get(pk, LeadFigures()) for pk in chain_ids}


def unit_lead_figures(units: list[OrgUnit], period: Period, *, leads=None) -> dict[int, LeadFigures]:
    """Per unit id: the figures of the leads the unit itself is responsible for; `leads` narrows them. Two
    queries."""
    ids = [unit.pk for unit in units]
    leads = Lead.objects.all() if leads is None else leads
    found = _figures(leads.filter(responsible_unit_id__in=ids), "responsible_unit", period)
    return {pk: found.get(pk, LeadFigures()) for pk in ids}


def unit_total(unit: OrgUnit, period: Period) -> LeadFigures:
    """The figures of every lead the unit or a unit below it is responsible for (a county: all of its)."""
    return lead_totals(Lead.objects.in_unit(unit), period)


def lead_totals(leads, period: Period) -> LeadFigures:
    """The figures of a set of leads taken together (the battle map passes the gateway's, in one unit). Two
    queries."""
    total = LeadFigures()
    for figures in _figures(leads, "jurisdiction", period).values():
        total = _add(total, figures)
    return total


def lead_status_counts(leads) -> dict[str, int]:
    """How many of the leads are in each state (every state present, 0 when none). One query."""
    counts = dict(leads.order_by().values_list("status").annotate(n=Count("pk")))
    return {status: counts.get(status, 0) for status in LeadStatus.values}


def _add(a: LeadFigures, b: LeadFigures) -> LeadFigures:
    return LeadFigures(**{name: getattr(a, name) + getattr(b, name) for name in LeadFigures.__dataclass_fields__})


# --- computed indicators for assessment schemes (guatu.assessment.computed.COMPUTED) -----------------------------


def funds_in_place(unit: OrgUnit, period: Period) -> Decimal | None:
    """Funds actually in place (实际到位资金, 万元, domestic from outside the province plus foreign), January to
    the month, of the leads the unit (or a unit below it) is responsible for."""
    return unit_total(unit, period).funds_total


def signed_over_1yi(unit: OrgUnit, period: Period) -> Decimal | None:
    """Projects signed in the year to the month with a contract of 1亿元 (10,000 万元) or more."""
    return Decimal(unit_total(unit, period).signed_over_1yi)


def signed_over_10yi(unit: OrgUnit, period: Period) -> Decimal | None:
    """Projects signed in the year to the month with a contract of 10亿元 (100,000 万元) or more."""
    return Decimal(unit_total(unit, period).signed_over_10yi)


def lead_performance_rate(unit: OrgUnit, period: Period) -> Decimal | None:
    """Contract performance rate (履约率, %) of the unit's leads: see this module's docstring."""
    return unit_total(unit, period).performance_rate


# --- the list and the detail page --------------------------------------------------------------------------------


def lead_list(leads, *, status: str = "", unit: OrgUnit | None = None, chain_id: int | None = None, late: bool = False):
    """The leads (already narrowed by the gateway) with the list's filters; `late`: signed or registered leads
    whose promised start has passed."""
    leads = leads.for_list()
    if status:
        leads = leads.filter(status=status)
    if unit is not None:
        leads = leads.in_unit(unit)
    if chain_id is not None:
        leads = leads.filter(chain_id=chain_id)
    if late:
        leads = leads.start_overdue(clock.today())
    return leads.order_by("-id")


def funds_by_month(lead: Lead) -> list[FundsInPlace]:
    return list(lead.funds.order_by("year", "month"))

