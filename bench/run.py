"""Province-scale benchmark: build a large dataset fast, then time the summary, the API and the pages.

    .venv/bin/python bench/run.py                         # SQLite in a temporary folder
    scripts/with-postgres.sh .venv/bin/python bench/run.py   # a throwaway PostgreSQL 15 (make bench-postgres)

Environment: BENCH_PROJECTS (default 30000), BENCH_RUNS (timed runs per endpoint, default 20),
BENCH_PERIOD (default 2022-12), BENCH_KEEP=1 to keep the temporary data folder. With DATABASE_URL set,
the database must be empty: the benchmark refuses to write into a database that has org units.

Dataset: 1 province → 10 counties, each with 10 townships and 20 departments; projects spread over the
townships, led by a department of their county (one in five by the township itself), with 1-3 level tags,
a 2022 plan (one in ten phased by month), one support unit, and twelve monthly reports for 2022 (months
1-10 approved; November and December partly submitted, partly draft). Rows are written with bulk_create,
without audit events: this measures reads, not the write services.

For each persona (province reviewer, county reviewer, township reporter) and endpoint it prints the number
of SQL queries of one request (session and user included) and the median and 95th percentile wall time of
BENCH_RUNS requests after a warm-up request (fewer, at least 3, for an endpoint slower than a second), and
the median CPU time of this process.
Pages that do not answer 200 yet are listed as skipped.
"""

from __future__ import annotations

import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

PROJECTS = int(os.environ.get("BENCH_PROJECTS", "30000"))
RUNS = int(os.environ.get("BENCH_RUNS", "20"))
PERIOD = os.environ.get("BENCH_PERIOD", "2022-12")
YEAR = 2022
COUNTIES, TOWNSHIPS, DEPARTMENTS = 10, 10, 20
BATCH = 5000

_data_dir = os.environ.get("BENCH_DATA_DIR") or tempfile.mkdtemp(prefix="guatu-bench-")
os.environ["GUATU_DATA_DIR"] = _data_dir  # never the development database in var/
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guatu.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ["DEBUG"] = "false"

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import NoReverseMatch, reverse  # noqa: E402

from guatu.access import gateway  # noqa: E402
from guatu.accounts.models import Role, User  # noqa: E402
from guatu.investment.briefing import briefing_for  # noqa: E402
from guatu.investment.queries import investment_summary  # noqa: E402
from guatu.lib.periods import Period  # noqa: E402
from guatu.orgs.models import Leader, OrgUnit, OrgUnitKind  # noqa: E402
from guatu.projects.models import (  # noqa: E402
    AnnualPlan,
    Category,
    LevelTag,
    PlanMonth,
    Project,
    ProjectSupportUnit,
    Stage,
    Tier,
)
from guatu.reports.models import MonthlyReport, ReportStatus  # noqa: E402


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- building the dataset ---------------------------------------------------------------------------


def _units(kind: str, names: list[str], parent: OrgUnit | None) -> list[OrgUnit]:
    """Units under `parent`, with materialised paths built like guatu.orgs.services.orgunit_create."""
    units = OrgUnit.objects.bulk_create(
        OrgUnit(name=name, kind=kind, parent=parent, path=f"tmp-{kind}-{parent.pk if parent else 0}-{i}")
        for i, name in enumerate(names)
    )
    for unit in units:
        unit.path = f"{parent.path if parent else ''}{unit.pk}/"
    OrgUnit.objects.bulk_update(units, ["path"])
    return units


def build(rng: random.Random) -> dict:
    province = _units(OrgUnitKind.PROVINCE, ["基准省"], None)[0]
    counties = _units(OrgUnitKind.COUNTY, [f"基准县{c:02d}" for c in range(1, COUNTIES + 1)], province)
    townships, departments, leaders = {}, {}, {}
    for county in counties:
        townships[county.pk] = _units(
            OrgUnitKind.TOWNSHIP, [f"{county.name}第{t:02d}镇" for t in range(1, TOWNSHIPS + 1)], county
        )
        departments[county.pk] = _units(
            OrgUnitKind.DEPARTMENT, [f"{county.name}第{d:02d}局" for d in range(1, DEPARTMENTS + 1)], county
        )
        leaders[county.pk] = Leader.objects.bulk_create(
            Leader(name=f"{county.name}领导{n}", post="副市长", org_unit=county) for n in range(1, 6)
        )

    tags = LevelTag.objects.bulk_create(
        [
            LevelTag(code="province", name="省重点", bulletin_label="省重点项目", sort_order=1),
            LevelTag(code="prefecture", name="市州重点", bulletin_label="市州重点项目", sort_order=2),
            LevelTag(code="county", name="县市重点", bulletin_label="县市重点项目", sort_order=3),
            LevelTag(
                code="major", name="重大项目", bulletin_label="重大项目", sort_order=4, in_bulletin=False
            ),
        ]
    )
    province_tag, prefecture_tag, county_tag, major_tag = tags

    reporter_of = {}
    for county in counties:
        reporter_of[county.pk] = User.objects.create(
            username=f"bench-reporter-{county.pk}", role=Role.REPORTER, org_unit=townships[county.pk][0]
        )
    personas = {
        "province reviewer": User.objects.create(
            username="bench-province", role=Role.REVIEWER, org_unit=province
        ),
        "county reviewer": User.objects.create(
            username="bench-county", role=Role.REVIEWER, org_unit=departments[counties[0].pk][0]
        ),
        "township reporter": reporter_of[counties[0].pk],
    }

    started = time.perf_counter()
    categories = list(Category.values)
    projects = []
    for i in range(PROJECTS):
        county = counties[i % COUNTIES]
        township = townships[county.pk][(i // COUNTIES) % TOWNSHIPS]
        lead = township if i % 5 == 0 else rng.choice(departments[county.pk])
        total = Decimal(rng.randrange(5_000, 500_000))
        projects.append(
            Project(
                code=f"{YEAR - 1}-431381-{i % 90 + 10:02d}-01-{i:06d}",
                name=f"{township.name}基准项目{i:05d}",
                stage=Stage.CANCELLED if i % 50 == 7 else rng.choice([Stage.NEW, Stage.CONTINUING]),
                tier=Tier.IMPLEMENTATION,
                category=categories[i % len(categories)],
                location_unit=township,
                lead_unit=lead,
                owner=f"基准业主{i % 997}有限公司",
                start_year=YEAR - 1,
                end_year=YEAR + 1,
                total_investment=total,
                prior_completed=(total * Decimal("0.2")).quantize(Decimal("0.01")),
                responsible_leader=rng.choice(leaders[county.pk]),
            )
        )
    Project.objects.bulk_create(projects, batch_size=BATCH)
    log(f"  {len(projects)} projects in {time.perf_counter() - started:.1f} s")

    started = time.perf_counter()
    Through = Project.tags.through
    links, plans, supports = [], [], []
    for i, project in enumerate(projects):
        chosen = [county_tag]
        if i % 100 == 0:
            chosen.append(province_tag)
        if i % 10 == 0:
            chosen.append(prefecture_tag)
        if i % 20 == 3:
            chosen.append(major_tag)
        links += [Through(project_id=project.pk, leveltag_id=tag.pk) for tag in chosen]
        plans.append(
            AnnualPlan(project_id=project.pk, year=YEAR, amount=Decimal(rng.randrange(1_000, 60_000)))
        )
        county_pk = counties[i % COUNTIES].pk
        support = rng.choice(departments[county_pk])
        if support.pk == project.lead_unit_id:
            support = departments[county_pk][(departments[county_pk].index(support) + 1) % DEPARTMENTS]
        supports.append(ProjectSupportUnit(project_id=project.pk, unit=support, position=1))
    Through.objects.bulk_create(links, batch_size=BATCH)
    AnnualPlan.objects.bulk_create(plans, batch_size=BATCH)
    ProjectSupportUnit.objects.bulk_create(supports, batch_size=BATCH)
    phased = []
    for plan in plans[::10]:
        month_share = (plan.amount / 12).quantize(Decimal("0.01"))
        amounts = [month_share] * 11 + [plan.amount - month_share * 11]
        phased += [PlanMonth(plan_id=plan.pk, month=m, amount=a) for m, a in enumerate(amounts, 1)]
    PlanMonth.objects.bulk_create(phased, batch_size=BATCH)
    log(
        f"  {len(links)} tag links, {len(plans)} plans ({len(phased)} phased months), {len(supports)} support "
        f"units in {time.perf_counter() - started:.1f} s"
    )

    started = time.perf_counter()
    reviewer = personas["province reviewer"]
    count = 0
    for start in range(0, len(projects), 1000):
        reports = []
        for i, project in enumerate(projects[start : start + 1000], start):
            plan = plans[i].amount
            filler_id = reporter_of[counties[i % COUNTIES].pk].pk
            for month in range(1, 13):
                if month <= 10:
                    status = ReportStatus.APPROVED
                elif month == 11:
                    status = ReportStatus.SUBMITTED if i % 10 == 0 else ReportStatus.APPROVED
                else:
                    status = [ReportStatus.APPROVED, ReportStatus.SUBMITTED, ReportStatus.DRAFT][i % 3]
                at = datetime(YEAR, month, 28, 2, 0, tzinfo=UTC)
                reports.append(
                    MonthlyReport(
                        project_id=project.pk,
                        year=YEAR,
                        month=month,
                        amount=(plan * Decimal(rng.randrange(40, 130)) / 1200).quantize(Decimal("0.01")),
                        physical_progress="主体工程施工中",
                        status=status,
                        filled_by_id=filler_id,
                        submitted_at=at if status != ReportStatus.DRAFT else None,
                        reviewed_by_id=reviewer.pk if status == ReportStatus.APPROVED else None,
                        reviewed_at=at if status == ReportStatus.APPROVED else None,
                        updated_at=at,
                    )
                )
        MonthlyReport.objects.bulk_create(reports, batch_size=BATCH)
        count += len(reports)
    log(f"  {count} monthly reports in {time.perf_counter() - started:.1f} s")

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    connection.close()  # measure on a fresh connection, as a request would
    return {"province": province, "personas": personas}


# --- measuring -----------------------------------------------------------------------------------------


class QueryCounter:
    """Counts every statement sent; survives the connection being closed and reopened between requests."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def measure(call: Callable[[], object]) -> tuple[int, float, float, float, int]:
    """(queries of one call, median ms, p95 ms, median CPU ms of this process, runs) after a warm-up call.

    Wall time is what a reader waits; this process's CPU time is less disturbed by other load on the
    machine (for SQLite it is nearly all the work; for PostgreSQL the server's share is not in it). An
    endpoint slower than a second is timed fewer times (at least 3), to keep the whole run in minutes.
    """
    counter = QueryCounter()
    started = time.perf_counter()
    with connection.execute_wrapper(counter):
        call()
    warm_up = time.perf_counter() - started
    runs = RUNS if warm_up < 1 else max(3, min(RUNS, int(10 / warm_up)))
    timings, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        call()
        timings.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    timings.sort()
    p95 = timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))]
    return counter.count, statistics.median(timings), p95, statistics.median(cpu), runs


def _get(client: Client, url: str) -> Callable[[], object]:
    def call():
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"GET {url} answered {response.status_code}")
        return response

    return call


def _url(name: str, query: str = "") -> str | None:
    try:
        return reverse(name) + query
    except NoReverseMatch:
        return None


def run_benchmarks(world: dict) -> list[tuple]:
    period = Period.parse(PERIOD)
    results = []
    for persona, user in world["personas"].items():
        visible = gateway.visible_projects(user)
        unit = gateway.default_unit(user)
        scope = f"{persona} ({visible.count()} projects)"
        log(f"- {scope}")

        def summary(user=user, unit=unit):
            return investment_summary(gateway.visible_projects(user).in_unit(unit), period)

        results.append((scope, "investment_summary()", "function", *measure(summary)))
        client = Client()
        client.force_login(user)
        endpoints = [
            ("GET /api/v1/investment/summary", f"/api/v1/investment/summary?period={PERIOD}"),
            ("investment summary page", _url("investment:summary", f"?period={PERIOD}")),
            ("project list, first page", _url("projects:list")),
            ("review queue", _url("reports:review_queue") if gateway.is_reviewer(user) else None),
        ]
        for label, url in endpoints:
            if url is None:
                continue
            status = client.get(url).status_code
            if status != 200:
                results.append((scope, label, f"skipped: HTTP {status}", None, None, None, None, None))
                continue
            results.append((scope, label, url, *measure(_get(client, url))))
    province = world["province"]
    results.append(
        (
            "whole province",
            "briefing_for() (guatu briefing)",
            "function",
            *measure(lambda: briefing_for(province, period)),
        )
    )
    return results


def main() -> int:
    vendor = connection.vendor
    if OrgUnit.objects.exists() if _has_tables() else False:
        log("The database already has org units: the benchmark only writes into an empty database.")
        return 1
    log(f"Database: {vendor}; data folder {_data_dir}")
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    log(f"Migrated in {time.perf_counter() - started:.1f} s. Building {PROJECTS} projects...")
    started = time.perf_counter()
    world = build(random.Random(YEAR))
    build_seconds = time.perf_counter() - started
    log(f"Dataset built in {build_seconds:.1f} s. Measuring ({RUNS} runs each)...")
    results = run_benchmarks(world)

    print()
    print(
        f"Guatu benchmark: {vendor}, {PROJECTS} projects, {MonthlyReport.objects.count()} reports, period {PERIOD}, "
        f"{RUNS} runs, dataset built in {build_seconds:.0f} s"
    )
    print()
    print("| reader | endpoint | queries | median ms | p95 ms | CPU ms | runs |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for scope, label, detail, queries, median, p95, cpu, runs in results:
        if queries is None:
            print(f"| {scope} | {label} ({detail}) | | | | | |")
        else:
            print(f"| {scope} | {label} | {queries} | {median:.0f} | {p95:.0f} | {cpu:.0f} | {runs} |")
    return 0


def _has_tables() -> bool:
    return OrgUnit._meta.db_table in connection.introspection.table_names()


if __name__ == "__main__":
    try:
        sys.exit(main())
    finally:
        connection.close()
        if not os.environ.get("BENCH_KEEP") and not os.environ.get("BENCH_DATA_DIR"):
            shutil.rmtree(_data_dir, ignore_errors=True)
