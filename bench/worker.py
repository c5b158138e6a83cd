"""The benchmark's in-process half. bench/run.py runs it as a subprocess, one per database it prepared, with
GUATU_DATA_DIR (and DATABASE_URL for PostgreSQL) pointing at that database and DEBUG off. It reads its
parameters from a JSON file, writes its results to another, and prints progress to stderr.

    python bench/worker.py migrate  PARAMS.json OUT.json   # an empty, migrated database (the builds' template)
    python bench/worker.py build    PARAMS.json OUT.json   # guatu.demo.synth.build_province into it
    python bench/worker.py demo     PARAMS.json OUT.json   # `guatu demo` into it
    python bench/worker.py inproc   PARAMS.json OUT.json   # one province: what is measured in process (reads)
    python bench/worker.py import   PARAMS.json OUT.json   # one province: the workbook import (writes)
    python bench/worker.py pages    PARAMS.json OUT.json   # the demo county's pages with the test client
"""

from __future__ import annotations

import io
import json
import os
import sys
import time
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guatu.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from stats import measure, measure_in_turn  # noqa: E402

STARTED = time.monotonic()


def log(message: str) -> None:
    print(f"    {message} (+{time.monotonic() - STARTED:.0f} s)", file=sys.stderr, flush=True)


class QueryCounter:
    """Counts every statement sent to the database (session and user lookups included)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def count_queries(call) -> int:
    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        call()
    return counter.count


def timing(params: dict, call, **overrides):
    return measure(
        call,
        runs=overrides.get("runs", params["runs"]),
        warmups=overrides.get("warmups", params["warmups"]),
        budget_s=overrides.get("budget_s", params["budget_s"]),
        min_runs=params.get("min_runs", 3),
    )


# --- preparing databases ---------------------------------------------------------------------------------------


def _settle() -> None:
    """Statistics for the planner, and on SQLite a single file (WAL folded in) that can be copied as it is."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            cursor.execute("PRAGMA journal_mode=DELETE")
    connection.close()


def do_migrate(params: dict) -> dict:
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    _settle()
    return {"seconds": round(time.perf_counter() - started, 1)}


def do_build(params: dict) -> dict:
    from dataclasses import asdict

    from guatu.demo import synth

    result = synth.build_province(
        counties=params["counties"],
        projects_per_county=params["projects_per_county"],
        years=params["years"],
        seed=params["seed"],
        end_year=params["end_year"],
        progress=log,
    )
    _settle()
    return {**asdict(result), "password": synth.SYNTH_PASSWORD}


def do_demo(params: dict) -> dict:
    from django.core.management import call_command

    from guatu.demo import data

    started = time.perf_counter()
    out = io.StringIO()
    call_command("demo", force=True, stdout=out)  # --force: the demo users, with DEBUG off
    _settle()
    return {"seconds": round(time.perf_counter() - started, 1), "password": data.DEMO_PASSWORD}


# --- one province, in process ----------------------------------------------------------------------------------

# The floor of the investment summary: the one aggregate query the figures need, written by hand. Per level
# tag, over the scope's projects that are not cancelled and have a plan for the year: how many, their plans,
# and what their approved reports add up to from January to the month. Each project's sums are taken to whole
# cents (SQLite adds decimals in floating point; the inputs are whole cents), then added as integers.
FLOOR_SQL = """
WITH scope AS (
    SELECT p.id FROM {project} p
    JOIN {unit} loc ON loc.id = p.location_unit_id
    JOIN {unit} led ON led.id = p.lead_unit_id
    WHERE p.stage <> %(cancelled)s AND (loc.path LIKE %(prefix)s OR led.path LIKE %(prefix)s)
),
ytd AS (
    SELECT r.project_id, CAST(ROUND(SUM(r.amount) * 100) AS BIGINT) AS cents
    FROM {report} r JOIN scope s ON s.id = r.project_id
    WHERE r.status = %(approved)s AND r.year = %(year)s AND r.month <= %(month)s
    GROUP BY r.project_id
)
SELECT t.leveltag_id, COUNT(*), SUM(CAST(ROUND(a.amount * 100) AS BIGINT)), SUM(COALESCE(y.cents, 0))
FROM {tags} t
JOIN scope s ON s.id = t.project_id
JOIN {plan} a ON a.project_id = t.project_id AND a.year = %(year)s
LEFT JOIN ytd y ON y.project_id = t.project_id
GROUP BY t.leveltag_id
"""


def floor_query(unit, period):
    from guatu.orgs.models import OrgUnit
    from guatu.projects.models import AnnualPlan, LevelTag, Project, Stage
    from guatu.reports.models import MonthlyReport, ReportStatus

    sql = FLOOR_SQL.format(
        project=connection.ops.quote_name(Project._meta.db_table),
        unit=connection.ops.quote_name(OrgUnit._meta.db_table),
        report=connection.ops.quote_name(MonthlyReport._meta.db_table),
        tags=connection.ops.quote_name(Project.tags.through._meta.db_table),
        plan=connection.ops.quote_name(AnnualPlan._meta.db_table),
    )
    args = {
        "cancelled": Stage.CANCELLED.value,
        "prefix": unit.path + "%",
        "approved": ReportStatus.APPROVED.value,
        "year": period.year,
        "month": period.month,
    }
    codes = dict(LevelTag.objects.values_list("pk", "code"))

    def run():
        with connection.cursor() as cursor:
            cursor.execute(sql, args)
            return cursor.fetchall()

    return run, codes


def _period_measured():
    """The last month of the data's last year whose reports are all approved (the synthetic province leaves
    its last two months under review): the month a summary of complete figures is read for."""
    from django.db.models import Max, Min

    from guatu.lib.periods import Period
    from guatu.reports.models import MonthlyReport, ReportStatus

    year = MonthlyReport.objects.aggregate(year=Max("year"))["year"]
    pending = (
        MonthlyReport.objects.filter(year=year)
        .exclude(status=ReportStatus.APPROVED)
        .aggregate(m=Min("month"))["m"]
    )
    last = MonthlyReport.objects.filter(year=year).aggregate(m=Max("month"))["m"]
    month = (pending - 1) if pending else last
    return Period(year, month) if month >= 1 else Period(year - 1, 12)


def _list_filters(user, period) -> tuple[str, int]:
    """The project list's filters: the level tag and the stage with the most of the reader's projects (so that
    the first page is full, 50 rows), and the month. Returns the query string and how many projects match."""
    from urllib.parse import urlencode

    from django.db.models import Count

    from guatu.access import gateway
    from guatu.projects.models import Project, Stage

    visible = gateway.visible_projects(user).counted()
    tag = (
        Project.tags.through.objects.filter(project__in=visible.values("pk"))
        .values("leveltag__code")
        .annotate(n=Count("project_id"))
        .order_by("-n", "leveltag__code")
        .first()
    )
    stage = (
        visible.exclude(stage=Stage.CANCELLED).values("stage").annotate(n=Count("pk")).order_by("-n").first()
    )
    query = {"tag": tag["leveltag__code"], "stage": stage["stage"], "period": str(period)}
    matching = visible.filter(tags__code=query["tag"], stage=query["stage"]).count()
    if matching < 50:
        query.pop("stage")
        matching = visible.filter(tags__code=query["tag"]).count()
    return urlencode(query), matching


def guarded(out: dict, key: str, call) -> None:
    """out[key] = call(), or {"error": ...} when it fails: one broken figure does not cost the others."""
    try:
        out[key] = call()
    except Exception as exc:  # noqa: BLE001 - recorded and reported, never hidden
        import traceback

        traceback.print_exc()
        out[key] = {"error": f"{type(exc).__name__}: {exc}"[:500]}
        log(f"{key}: FAILED ({type(exc).__name__}: {exc})")


def do_inproc(params: dict) -> dict:
    from guatu.accounts.models import User
    from guatu.assessment.models import Scheme
    from guatu.assessment.queries import gather_inputs
    from guatu.assessment.services import compute
    from guatu.bulletins.build import build_bulletin
    from guatu.demo.synth import assessment_period
    from guatu.lib.periods import Period
    from guatu.orgs.models import OrgUnit
    from guatu.projects.models import Project
    from guatu.reports.models import MonthlyReport

    synth = params["synth"]
    province = OrgUnit.objects.get(pk=synth["province_pk"])
    county = OrgUnit.objects.get(pk=synth["county_pk"])
    reader = User.objects.get(username=synth["province_reviewer"])
    period = _period_measured()
    query, matching = _list_filters(reader, period)
    out: dict = {
        "period": str(period),
        "projects": Project.objects.count(),
        "counted_projects": Project.objects.counted().count(),
        "county_projects": Project.objects.in_unit(county).counted().count(),
        "reports": MonthlyReport.objects.count(),
        "list_query": query,
        "list_matching": matching,
    }

    # The floor of the summary, for the province and the county.
    def floor(unit):
        run, codes = floor_query(unit, period)
        stats, rows = timing(params, run)
        log(f"floor query, {unit.name}: {stats['median_ms']:.1f} ms")
        return {
            **stats,
            "totals": {codes[tag]: [int(n), int(plan or 0), int(done or 0)] for tag, n, plan, done in rows},
        }

    guarded(out, "floor_root", lambda: floor(province))
    guarded(out, "floor_county", lambda: floor(county))

    # The project list: the number of queries of one request, and the rows its first page shows.
    def list_queries():
        client = Client()
        client.force_login(reader)
        url = f"/projects/?{query}"
        first = client.get(url)
        if first.status_code != 200:
            raise RuntimeError(f"GET {url} answered {first.status_code}")
        count = count_queries(lambda: client.get(url))
        log(f"project list: {count} queries, {matching} matching projects")
        return {"count": count, "rows": first.content.decode().count('<tr data-project="')}

    guarded(out, "list_queries", list_queries)

    # The battle map's own SQL: its statements captured once, then run alone on a bare cursor, one after the
    # other (what the database needs for it; the figure through gunicorn adds the Python that builds and reads
    # them, and runs its three groups of reads side by side: guatu.lib.parallel).
    def battlemap_sql(user, unit):
        from django.test import override_settings

        from guatu.battlemap.api import payload

        statements = []

        def capture(execute, sql, sql_params, many, context):
            statements.append((sql, sql_params))
            return execute(sql, sql_params, many, context)

        with override_settings(GUATU_PARALLEL_READS=1), connection.execute_wrapper(capture):
            payload(user, unit, period)

        def run():
            with connection.cursor() as cursor:
                for sql, sql_params in statements:
                    cursor.execute(sql, sql_params)
                    cursor.fetchall()

        stats, _ = timing(params, run)
        log(f"battle map's {len(statements)} queries alone, {unit.name}: {stats['median_ms']:.1f} ms")
        return {**stats, "queries": len(statements)}

    county_reader = User.objects.get(username=synth["county_reviewer"])
    guarded(out, "battlemap_root_sql", lambda: battlemap_sql(reader, province))
    guarded(out, "battlemap_county_sql", lambda: battlemap_sql(county_reader, county))

    # Scoring: one county's scheme, then every scheme of the province (gather the inputs, score; no snapshot
    # is written, so the runs can repeat).
    score_period = Period(*assessment_period(tuple(int(x) for x in synth["last_period"].split("-"))))
    schemes = list(
        Scheme.objects.filter(jurisdiction__path__startswith=province.path, year=score_period.year)
        .select_related("jurisdiction")
        .order_by("pk")
    )
    out["score_period"], out["schemes"] = str(score_period), len(schemes)
    own = next((s for s in schemes if s.jurisdiction_id == county.pk), None)

    def score(scheme):
        return compute(scheme.definition, gather_inputs(scheme, score_period), score_period)

    def score_county():
        if own is None:
            return {"skipped": "no scheme for the county in the synthetic data"}
        stats, result = timing(params, lambda: score(own))
        log(f"scoring one county scheme: {stats['median_ms']:.0f} ms")
        return {**stats, "units": sum(len(group["units"]) for group in result["groups"])}

    def score_province():
        if not schemes:
            return {"skipped": "no scheme in the synthetic data"}
        stats, _ = timing(
            params,
            lambda: [score(s) for s in schemes],
            warmups=params["heavy_warmups"],
            budget_s=params["budget_s"] * 2,
        )
        log(f"scoring {len(schemes)} schemes: {stats['median_ms']:.0f} ms")
        return {**stats, "schemes": len(schemes)}

    guarded(out, "scoring_county", score_county)
    guarded(out, "scoring_province", score_province)

    # The county's monthly bulletin as .docx.
    def bulletin():
        stats, built = timing(
            params, lambda: build_bulletin(county, period, fmt="docx"), warmups=params["heavy_warmups"]
        )
        log(f"bulletin .docx: {stats['median_ms']:.0f} ms, {len(built.content)} bytes")
        return {**stats, "bytes": len(built.content)}

    guarded(out, "bulletin", bulletin)
    return out


# --- one province: the workbook import (writes) ----------------------------------------------------------------

IMPORT_ROWS = 2000


def _workbook(head: list, rows: list, meta: list, amounts: list[Decimal]) -> bytes:
    """The template's heading rows, the given rows of it (values as the template wrote them) with the month's
    amount filled in, and its hidden sheet naming the unit and month: what a unit sends back, cut to the rows
    it filled."""
    from openpyxl import Workbook

    from guatu.reports import workbook as wb

    book = Workbook()
    sheet = book.active
    sheet.title = wb.SHEET
    for values in head:
        sheet.append(values)
    amount_column = wb._column("amount") - 1
    for values, amount in zip(rows, amounts, strict=True):
        values = list(values)
        values[amount_column] = float(amount)
        sheet.append(values)
    hidden = book.create_sheet(wb.META_SHEET)
    for values in meta:
        hidden.append(values)
    hidden.sheet_state = "hidden"
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def do_import(params: dict) -> dict:
    from openpyxl import load_workbook

    from guatu.accounts.models import Role, User
    from guatu.lib.periods import Period
    from guatu.orgs.models import OrgUnit
    from guatu.reports import workbook as wb
    from guatu.reports.models import EDITABLE_STATUSES, MonthlyReport

    synth = params["synth"]
    period = Period.parse(synth["last_period"])  # the month still being reported: drafts and returned reports
    province = OrgUnit.objects.get(pk=synth["province_pk"])
    # A reporter for the whole province: the one unit of the synthetic data with 2,000 projects and more.
    reporter, _created = User.objects.get_or_create(
        username="bench_reporter", defaults={"role": Role.REPORTER, "org_unit": province}
    )
    started = time.perf_counter()
    template = wb.build_template(province, period)
    log(
        f"report template of the province for {period}: {len(template)} bytes in {time.perf_counter() - started:.1f} s"
    )

    editable = set(
        MonthlyReport.objects.filter(
            year=period.year, month=period.month, status__in=EDITABLE_STATUSES
        ).values_list("project_id", flat=True)
    )
    reported = set(
        MonthlyReport.objects.filter(year=period.year, month=period.month).values_list(
            "project_id", flat=True
        )
    )
    source = load_workbook(io.BytesIO(template), read_only=True)
    head = [list(values) for values in source[wb.SHEET].iter_rows(max_row=wb.HEADER_ROW, values_only=True)]
    meta = [list(values) for values in source[wb.META_SHEET].iter_rows(values_only=True)]
    id_column = wb._column("project_id") - 1
    rows = []
    for values in source[wb.SHEET].iter_rows(min_row=wb.FIRST_ROW, values_only=True):
        pk = values[id_column]
        if pk in editable or (pk is not None and pk not in reported):
            rows.append(values)
            if len(rows) == IMPORT_ROWS:
                break
    source.close()
    # Two fillings of the same rows: each import after the first changes every row (2,000 updates).
    first = [Decimal(100 + i % 900) + Decimal("0.25") for i in range(len(rows))]
    second = [amount + 1 for amount in first]
    books = [_workbook(head, rows, meta, first), _workbook(head, rows, meta, second)]
    out = {"rows": len(rows), "bytes": len(books[0]), "period": str(period)}

    def parse():
        book = load_workbook(io.BytesIO(books[0]), read_only=True)
        count = sum(1 for _row in book[wb.SHEET].iter_rows(values_only=True))
        book.close()
        return count

    turn = {"n": 0}

    def run_import():
        data = books[turn["n"] % 2]
        turn["n"] += 1
        result = wb.reports_import_workbook(
            unit=province, period=period, data=data, name="bench.xlsx", by=reporter
        )
        return result.counts()

    parse()  # warm-up
    started = time.perf_counter()
    counts = run_import()  # the first: creates what was not reported yet, updates the drafts
    out["first"] = {"ms": round((time.perf_counter() - started) * 1000, 1), **counts}
    log(f"first import: {out['first']}")
    # The import and its floor in turn, run by run: their ratio is of two figures taken under the same load.
    timed = measure_in_turn(
        {"openpyxl": parse, "import": run_import},
        runs=params["runs"],
        warmups=0,
        budget_s=params["budget_s"] * 2,
        min_runs=params.get("min_runs", 3),
    )
    out["openpyxl"], _count = timed["openpyxl"]
    out["import"], counts = timed["import"]
    out["import"]["counts"] = counts
    log(f"openpyxl read-only parse of {len(rows)} rows: {out['openpyxl']['median_ms']:.0f} ms")
    log(f"import of {len(rows)} rows: {out['import']['median_ms']:.0f} ms ({counts})")
    return out


# --- the demo county's pages -----------------------------------------------------------------------------------


def do_pages(params: dict) -> dict:
    from django.db.models import Count

    from guatu.accounts.models import User
    from guatu.assessment.models import ResultSnapshot, SnapshotStatus
    from guatu.orgs.models import OrgUnit
    from guatu.projects.models import Project

    reviewer = User.objects.get(username="demo_reviewer")
    admin = User.objects.get(username="demo_admin")
    project = Project.objects.annotate(n=Count("reports")).order_by("-n", "pk").first()
    snapshot = (
        ResultSnapshot.objects.filter(status=SnapshotStatus.PUBLISHED)
        .order_by("-year", "-month", "pk")
        .first()
    )
    pages = [
        ("project list", "/projects/", reviewer),
        ("project detail", f"/projects/{project.pk}/", reviewer),
        ("investment summary", "/investment/summary/", reviewer),
        ("lights", "/lights/", reviewer),
        ("dispatch: problems", "/dispatch/problems/", reviewer),
        ("review queue", "/reports/review/", reviewer),
    ]
    if snapshot is not None:
        unit_name = snapshot.results["groups"][0]["units"][0]["unit"]
        unit = OrgUnit.objects.filter(
            name=unit_name, path__startswith=snapshot.scheme.jurisdiction.path
        ).first()
        if unit is not None:
            pages.append(
                (
                    "score card",
                    f"/assessment/schemes/{snapshot.scheme_id}/{snapshot.year:04d}-{snapshot.month:02d}/card/{unit.pk}/",
                    admin,
                )
            )
    out = []
    for label, url, user in pages:
        client = Client()
        client.force_login(user)
        status = client.get(url).status_code
        if status != 200:
            out.append({"label": label, "url": url, "user": user.username, "error": f"HTTP {status}"})
            log(f"{label}: HTTP {status}")
            continue
        queries = count_queries(lambda client=client, url=url: client.get(url))
        stats, _ = timing(params, lambda client=client, url=url: client.get(url))
        out.append({"label": label, "url": url, "user": user.username, "queries": queries, **stats})
        log(f"{label}: {stats['median_ms']:.1f} ms, {queries} queries")
    return {"pages": out}


def do_province(params: dict) -> dict:
    """The in-process figures of a province in two halves (bench/run.py WorkerSession): the reads, then "READY"
    on stdout; after "go" on stdin (the HTTP measurements are done), the workbook import."""
    Path(params["first_file"]).write_text(json.dumps(do_inproc(params), ensure_ascii=False, default=str))
    connection.close()  # no connection held while gunicorn serves the same database
    print("READY", flush=True)
    if sys.stdin.readline().strip() != "go":
        return {"error": "stopped before the import"}
    try:
        return do_import(params)
    except Exception as exc:  # noqa: BLE001 - reported to bench/run.py, which records it
        import traceback

        traceback.print_exc()
        return {"error": f"{type(exc).__name__}: {exc}"}


COMMANDS = {
    "province": do_province,
    "migrate": do_migrate,
    "build": do_build,
    "demo": do_demo,
    "inproc": do_inproc,
    "import": do_import,
    "pages": do_pages,
}


def main() -> int:
    command, params_file, out_file = sys.argv[1:4]
    params = json.loads(Path(params_file).read_text())
    try:
        result = COMMANDS[command](params)
        result["vendor"] = connection.vendor
    finally:
        connection.close()
    Path(out_file).write_text(json.dumps(result, ensure_ascii=False, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
