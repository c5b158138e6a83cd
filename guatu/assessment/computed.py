"""Indicators Guatu computes from its own data, per unit and period (January to the month).

A scheme's computation reads each of them for all its units at once (`computed_values`): the four defined
here have a batch read (`FOR_UNITS`, a fixed number of queries whatever the number of units), and each of
their single-unit functions is its batch of one, so the two can never disagree. The figures of other apps
(attraction, chains, enterprises) are read unit by unit.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal
from functools import reduce
from operator import or_

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guatu.attraction import queries as attraction
from guatu.chains import queries as chains
from guatu.dispatch.models import Escalation, Problem, ProblemStatus
from guatu.enterprises.queries import request_satisfaction, requests_solved_on_time
from guatu.lib.lights import report_deadline
from guatu.lib.money import percent, round_half_up
from guatu.lib.periods import Period
from guatu.lib.progress import combined, completion_rate
from guatu.lights.services import rules_for
from guatu.orgs.models import JURISDICTION_KINDS, OrgUnit
from guatu.projects.models import AnnualPlan, Project
from guatu.projects.queries import progress_by_project
from guatu.reports.models import MonthlyReport, ReportStatus

HUNDRED = Decimal(100)

# A computed figure for many units at once: unit pk → value.
ForUnits = Callable[[Sequence[OrgUnit], Period], dict[int, Decimal | None]]


# Ids go to the database as a list (indexed lookups, where a path prefix match on either of a project's two
# units scans every project of the province) up to this many; SQLite takes at most 32,766 parameters in a
# statement, so a larger set (a province's scheme over its prefectures) goes as a subquery instead.
MAX_LISTED = 10_000


def _subtree(units: Sequence[OrgUnit]):
    """Every org unit at or below any of the units, pk → path: the subtree of their nearest common ancestor
    (one path prefix match on the org tree, a small table), narrowed here. Also what to filter by: their ids,
    or a subquery for very many."""
    paths = tuple(sorted({u.path for u in units}))
    common = os.path.commonprefix(paths)
    common = common[: common.rfind("/") + 1]  # whole path segments
    below = OrgUnit.objects.filter(path__startswith=common) if common else OrgUnit.objects.all()
    subtree = {pk: path for pk, path in below.values_list("pk", "path") if path.startswith(paths)}
    if len(subtree) <= MAX_LISTED:
        return subtree, list(subtree)
    return subtree, OrgUnit.objects.filter(reduce(or_, (Q(path__startswith=p) for p in paths))).values("pk")


@dataclass(frozen=True)
class _Projects:
    """The counted projects located in, or led by, any of some units or a unit below them (in_unit for many)."""

    rows: list[tuple[int, str, str]]  # pk, location unit's path, lead unit's path ("" outside the subtrees)
    ids: list[int] | QuerySet  # what `project_id__in` takes: the pks, or a subquery for very many

    def by_unit(self, units: Sequence[OrgUnit]) -> dict[int, list[int]]:
        """Per unit pk, the projects in_unit(unit) gives: each project goes to every unit whose path its
        location or lead unit's path starts with (its own unit and the units above, segment by segment)."""
        at_path: dict[str, list[int]] = {}
        for unit in units:
            at_path.setdefault(unit.path, []).append(unit.pk)
        above: dict[str, set[int]] = {}  # a unit's path → the units at or above it (many projects share one)

        def units_above(path: str) -> set[int]:
            if path not in above:
                found: set[int] = set()
                end = path.find("/")
                while end != -1:
                    found.update(at_path.get(path[: end + 1], ()))
                    end = path.find("/", end + 1)
                above[path] = found
            return above[path]

        out: dict[int, list[int]] = {unit.pk: [] for unit in units}
        for pk, location, lead in self.rows:
            for unit_pk in units_above(location) | units_above(lead):
                out[unit_pk].append(pk)
        return out


def _projects(units: Sequence[OrgUnit], **filters) -> _Projects:
    """Two queries: the units' subtree and the projects in it (by location or lead unit, both indexed)."""
    subtree, unit_ids = _subtree(units)
    projects = (
        Project.objects.counted()
        .filter(Q(location_unit_id__in=unit_ids) | Q(lead_unit_id__in=unit_ids), **filters)
        .order_by()
        .distinct()
    )
    rows = [
        (pk, subtree.get(location, ""), subtree.get(lead, ""))
        for pk, location, lead in projects.values_list("pk", "location_unit_id", "lead_unit_id")
    ]
    ids = [pk for pk, _location, _lead in rows]
    return _Projects(rows=rows, ids=ids if len(ids) <= MAX_LISTED else projects.values("pk"))


def _ancestor_ids(unit: OrgUnit) -> set[int]:
    return {int(part) for part in unit.path.strip("/").split("/")}


def _jurisdictions(units: Sequence[OrgUnit]) -> dict[int, OrgUnit]:
    """gateway.jurisdiction of each unit (pk → its jurisdiction), in one query for them all (none when each
    unit is a jurisdiction itself)."""
    wanted = set().union(*(_ancestor_ids(u) for u in units if u.kind not in JURISDICTION_KINDS))
    found = list(OrgUnit.objects.filter(pk__in=wanted, kind__in=JURISDICTION_KINDS)) if wanted else []
    out = {}
    for unit in units:
        if unit.kind in JURISDICTION_KINDS:
            out[unit.pk] = unit
            continue
        ancestors = _ancestor_ids(unit)
        above = [j for j in found if j.pk in ancestors]
        out[unit.pk] = max(above, key=lambda j: j.path) if above else unit  # the nearest has the longest path
    return out


def project_investment_rates(units: Sequence[OrgUnit], period: Period) -> dict[int, Decimal | None]:
    """Key-project investment completion rate (%) of the projects located in or led by each unit: the
    investment summary's "county" row for the unit's projects (guatu.investment.queries), that is those
    projects' progress_by_project taken together (lib.progress.combined). Four queries."""
    listed = _projects(units, tags__code="county", plans__year=period.year)
    progress = progress_by_project(listed.ids, period)
    members = listed.by_unit(units)
    rates = {}
    for unit in units:
        together = combined(period.month, [progress[pk] for pk in members[unit.pk]])
        # the one completion-rate rule (guatu.lib.progress)
        rates[unit.pk] = percent(completion_rate(together.ytd_completed, together.annual_plan))
    return rates


def project_investment_rate(unit: OrgUnit, period: Period) -> Decimal | None:
    """Key-project investment completion rate (%) of the projects located in or led by the unit."""
    return project_investment_rates([unit], period)[unit.pk]


def _submitted_by_deadline(period: Period, rules) -> Q:
    """Reports of January to the period's month submitted by their month's deadline: the jurisdiction's
    `report_deadline_day` of the following month (lib.lights.report_deadline), to the end of that day."""
    zone = timezone.get_current_timezone()
    by_deadline = Q()
    for month in range(1, period.month + 1):
        day_after = report_deadline(period.year, month, rules) + timedelta(days=1)
        by_deadline |= Q(month=month, submitted_at__lt=datetime.combine(day_after, time.min, tzinfo=zone))
    return by_deadline


def reports_on_time_rates(units: Sequence[OrgUnit], period: Period) -> dict[int, Decimal | None]:
    """Share (%) of the monthly reports due so far that were submitted by their deadline and are approved.

    A report is due each month for each counted project of the unit (located in or led by it) with a plan
    for the year. The deadline is the one the warning lights use for "no report by the deadline" (the
    jurisdiction's `report_deadline_day` of the following month, DOMAIN §2: around the 5th), to the end of
    that day, local time. `submitted_at` is the last submission: a report returned and submitted again
    after the deadline is late. Three queries, and two per jurisdiction of the units (a scheme's units have
    one).
    """
    projects = _projects(units)
    members = projects.by_unit(units)
    plans = Counter(
        AnnualPlan.objects.filter(year=period.year, project_id__in=projects.ids).values_list(
            "project_id", flat=True
        )
    )
    due = {unit.pk: sum(plans[pk] for pk in members[unit.pk]) * period.month for unit in units}
    owed = [unit for unit in units if due[unit.pk]]
    rates: dict[int, Decimal | None] = {unit.pk: None for unit in units}
    if not owed:
        return rates
    jurisdictions = _jurisdictions(owed)
    grouped: dict[int, tuple[OrgUnit, list[OrgUnit]]] = {}  # the units by their jurisdiction's deadline rules
    for unit in owed:
        home = jurisdictions[unit.pk]
        grouped.setdefault(home.pk, (home, []))[1].append(unit)
    for home, members_of_home in grouped.values():
        on_time = dict(
            MonthlyReport.objects.filter(
                project_id__in=projects.ids,
                year=period.year,
                month__lte=period.month,
                status=ReportStatus.APPROVED,
            )
            .filter(_submitted_by_deadline(period, rules_for(home)))
            .order_by()
            .values("project")
            .annotate(reports=Count("pk"))
            .values_list("project", "reports")
        )
        for unit in members_of_home:
            done = sum(on_time.get(pk, 0) for pk in members[unit.pk])
            rates[unit.pk] = round_half_up(Decimal(done) / Decimal(due[unit.pk]) * HUNDRED, 2)
    return rates


def reports_on_time(unit: OrgUnit, period: Period) -> Decimal | None:
    """Share (%) of the monthly reports due so far that were submitted by their deadline and are approved
    (reports_on_time_rates)."""
    return reports_on_time_rates([unit], period)[unit.pk]


def problems_closed_on_time_rates(units: Sequence[OrgUnit], period: Period) -> dict[int, Decimal | None]:
    """Share (%) of the problems assigned to each unit in the year that were closed without ever escalating.
    One query."""
    counts = {unit.pk: [0, 0] for unit in units}  # total, good
    problems = (
        Problem.objects.filter(assigned_unit_id__in=[u.pk for u in units], raised_at__year=period.year)
        .annotate(escalated=Exists(Escalation.objects.filter(problem=OuterRef("pk"))))
        .order_by()
        .values_list("assigned_unit_id", "status", "escalated")
    )
    for unit_pk, status, escalated in problems:
        counts[unit_pk][0] += 1
        counts[unit_pk][1] += status == ProblemStatus.CLOSED and not escalated
    return {
        unit_pk: round_half_up(Decimal(good) / Decimal(total) * HUNDRED, 2) if total else None
        for unit_pk, (total, good) in counts.items()
    }


def problems_closed_on_time(unit: OrgUnit, period: Period) -> Decimal | None:
    """Share (%) of the problems assigned to the unit that were closed without escalation."""
    return problems_closed_on_time_rates([unit], period)[unit.pk]


def checklist_points_shares(units: Sequence[OrgUnit], period: Period) -> dict[int, Decimal | None]:
    """Share (%) of the prefecture's points the county expects on the checklist rows each unit leads: the rows
    of the unit's own county's checklist, never another county's. One or two queries."""
    from guatu.assessment.models import ChecklistRow

    jurisdictions = _jurisdictions(units)
    rows: dict[int, list[tuple[Decimal, Decimal]]] = {unit.pk: [] for unit in units}
    for lead, county, weight, points in (
        ChecklistRow.objects.approved()
        .filter(year=period.year, lead_unit_id__in=[u.pk for u in units], expected_points__isnull=False)
        .values_list("lead_unit_id", "jurisdiction_id", "prefecture_weight", "expected_points")
    ):
        if county == jurisdictions[lead].pk:
            rows[lead].append((weight, points))
    shares = {}
    for unit_pk, led in rows.items():
        weights = sum((weight for weight, _points in led), Decimal(0))
        shares[unit_pk] = (
            round_half_up(sum((points for _weight, points in led), Decimal(0)) / weights * HUNDRED, 2)
            if weights
            else None
        )
    return shares


def checklist_points(unit: OrgUnit, period: Period) -> Decimal | None:
    """Share (%) of the prefecture's points the county expects on the checklist rows this unit leads."""
    return checklist_points_shares([unit], period)[unit.pk]


COMPUTED: dict[str, tuple[str, Callable[[OrgUnit, Period], Decimal | None]]] = {
    "project_investment_rate": (_("Key-project investment completion rate"), project_investment_rate),
    "reports_on_time": (_("Monthly reports submitted by the deadline and approved"), reports_on_time),
    "problems_closed_on_time": (_("Problems closed without escalation"), problems_closed_on_time),
    "checklist_points": (_("Expected points on the responsibility checklist"), checklist_points),
    "requests_solved_on_time": (_("Enterprise requests solved on time"), requests_solved_on_time),
    "request_satisfaction": (_("Enterprises satisfied with how their requests were handled"), request_satisfaction),
    "attraction_funds_in_place": (_("Investment attraction: funds in place (10k yuan)"), attraction.funds_in_place),
    "attraction_signed_over_1yi": (
        _("Investment attraction: projects signed of 100 million yuan or more"),
        attraction.signed_over_1yi,
    ),
    "attraction_signed_over_10yi": (
        _("Investment attraction: projects signed of 1 billion yuan or more"),
        attraction.signed_over_10yi,
    ),
    "attraction_performance_rate": (
        _("Investment attraction: contract performance rate"),
        attraction.lead_performance_rate,
    ),
    "chains_output_rate": (_("Industry chains led: output value against the targets"), chains.lead_chains_output_rate),
    "chains_investment_rate": (
        _("Industry chains led: project investment against the targets"),
        chains.lead_chains_investment_rate,
    ),
    "chains_started_rate": (
        _("Industry chains led: investment projects started against the targets"),
        chains.lead_chains_started_rate,
    ),
}


FOR_UNITS: dict[str, ForUnits] = {
    "project_investment_rate": project_investment_rates,
    "reports_on_time": reports_on_time_rates,
    "problems_closed_on_time": problems_closed_on_time_rates,
    "checklist_points": checklist_points_shares,
}


def computed_values(key: str, units: Sequence[OrgUnit], period: Period) -> dict[int, Decimal | None]:
    """The computed indicator `key` for each of the units (pk → value): its batch read where it has one,
    else unit by unit."""
    if not units:
        return {}
    many = FOR_UNITS.get(key)
    if many is not None:
        return many(units, period)
    one = COMPUTED[key][1]
    return {unit.pk: one(unit, period) for unit in units}
