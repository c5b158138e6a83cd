"""The read-replica router (guatu/lib/dbrouter.py, docs/scaling.md).

The first part checks the router's rules in process, without a replica: it runs in every suite. The tests marked
`replica` run against a real primary and its streaming hot standby (`make test-replica`, which runs them under
scripts/with-replica.sh); without DATABASE_REPLICA_URL they are skipped.

How the test database reaches the standby. pytest-django creates `test_guatu` on the primary only: the
`replica` alias is a TEST MIRROR of `default` (guatu/settings.py), and Django 5.2 makes a mirror by giving it the
test database's NAME and nothing else, so it would connect to `test_guatu` on the standby's own server. That is
what the tests want, but not while the test databases are set up: the suite's `django_db_setup` (conftest.py)
writes to every connection (the migration records, the audit log's triggers), which a standby refuses. So during
setup the alias points at the primary (`django_db_modify_db_settings` below), and the `standby` fixture points
it back at the standby for each test: a real, separate connection to the standby's copy of the test database,
which the standby received through replication (CREATE DATABASE included). The tests commit (transaction=True)
and wait for the standby to replay what they committed; pytest-django empties the tables on the primary after
each test, and the standby replays that too.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
from decimal import Decimal

import dj_database_url
import psycopg
import pytest
import time_machine
from django.apps import apps
from django.db import DatabaseError, connections, router
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from psycopg.conninfo import make_conninfo

from guatu.audit.models import AuditEvent
from guatu.lib import dbrouter
from guatu.lib.dbrouter import PIN_COOKIE, PRIMARY, REPLICA, ReplicaPinMiddleware, ReplicaRouter
from guatu.projects.models import Project
from guatu.reports.models import MonthlyReport, ReportStatus
from guatu.testing import make_report

REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
SUMMARY = "/api/v1/investment/summary"
_SERVER = ("HOST", "PORT", "USER", "PASSWORD")
# Where a year-to-date figure is read from: the reports, or their roll-up (guatu/reports/rollups.py).
FIGURES = {"reports_monthlyreport", "reports_approvedtotal"}
REPLAY_POLLS = 1500  # × 20 ms: at most 30 s for the standby to replay what the primary wrote

needs_replica = pytest.mark.skipif(
    not REPLICA_URL,
    reason="needs a streaming replica: DATABASE_REPLICA_URL (run it with `make test-replica`)",
)


# --- the rules, in process (no replica needed) -------------------------------------------------------------


@pytest.fixture
def in_scope():
    """Reads as inside a decorated view, whether or not a replica is configured."""
    token = dbrouter._replica_scope.set(True)
    try:
        yield
    finally:
        dbrouter._replica_scope.reset(token)


def _model(label: str):
    return apps.get_model(label)


def test_reads_go_to_the_primary_outside_a_replica_scope():
    assert ReplicaRouter().db_for_read(Project) == PRIMARY


@pytest.mark.usefixtures("in_scope")
def test_inside_a_scope_reads_go_to_the_replica_but_sessions_users_audit_and_form_tokens_do_not():
    routing = ReplicaRouter()
    assert routing.db_for_read(Project) == REPLICA
    assert routing.db_for_read(MonthlyReport) == REPLICA
    for label in (
        "sessions.Session",
        "accounts.User",
        "auth.Group",
        "otp_totp.TOTPDevice",
        "audit.AuditEvent",
        "web.UsedFormToken",
    ):
        assert routing.db_for_read(_model(label)) == PRIMARY, label


@pytest.mark.usefixtures("in_scope")
def test_inside_a_scope_writes_and_reads_in_an_open_transaction_go_to_the_primary(monkeypatch):
    routing = ReplicaRouter()
    assert routing.db_for_write(Project) == PRIMARY
    monkeypatch.setattr(connections[PRIMARY], "in_atomic_block", True)
    assert routing.db_for_read(Project) == PRIMARY


@pytest.mark.usefixtures("in_scope")
def test_a_pinned_request_reads_from_the_primary_inside_a_scope():
    token = dbrouter._pinned.set(True)
    try:
        assert ReplicaRouter().db_for_read(Project) == PRIMARY
    finally:
        dbrouter._pinned.reset(token)


def test_migrations_run_on_the_primary_only_and_relations_between_the_two_are_allowed():
    routing = ReplicaRouter()
    assert routing.allow_migrate(PRIMARY, "projects") is True
    assert routing.allow_migrate(REPLICA, "projects") is False
    one, other = Project(), Project()
    one._state.db, other._state.db = PRIMARY, REPLICA
    assert routing.allow_relation(one, other) is True
    other._state.db = "elsewhere"
    assert routing.allow_relation(one, other) is None


def _middleware(seen: list):
    def view(request):
        seen.append(dbrouter._pinned.get())
        return HttpResponse("ok")

    return ReplicaPinMiddleware(view)


def test_an_unsafe_request_is_pinned_and_pins_the_next_requests_for_a_few_seconds(settings):
    settings.REPLICA_PIN_SECONDS = 5
    seen: list[bool] = []
    middleware, factory = _middleware(seen), RequestFactory()

    response = middleware(factory.post("/reports/1/approve/"))
    cookie = response.cookies[PIN_COOKIE]
    assert (cookie["max-age"], bool(cookie["httponly"]), cookie["samesite"]) == (5, True, "Lax")

    later = factory.get("/api/v1/investment/summary")
    later.COOKIES[PIN_COOKIE] = cookie.value
    middleware(later)
    with time_machine.travel(time.time() + 6):  # past the pin: the signed time has expired
        middleware(later)
    forged = factory.get("/api/v1/investment/summary")
    forged.COOKIES[PIN_COOKIE] = "1"
    middleware(forged)
    middleware(factory.get("/api/v1/investment/summary"))
    assert seen == [True, True, False, False, False]
    assert dbrouter._pinned.get() is False  # reset after each request


def test_a_safe_request_sets_no_pin_and_none_is_set_with_zero_seconds(settings):
    middleware, factory = _middleware([]), RequestFactory()
    assert PIN_COOKIE not in middleware(factory.get("/projects/")).cookies
    settings.REPLICA_PIN_SECONDS = 0
    assert PIN_COOKIE not in middleware(factory.post("/projects/new/")).cookies


@pytest.mark.skipif(bool(REPLICA_URL), reason="a replica is configured in this run")
def test_without_a_replica_the_decorator_changes_nothing(settings):
    assert REPLICA not in settings.DATABASES
    seen = []

    @dbrouter.replica_reads
    def view(request):
        seen.append(dbrouter.reading_from_replica())
        return HttpResponse("ok")

    view(RequestFactory().get("/"))
    assert seen == [False]
    assert view.__name__ == "view"


def test_ninja_operations_keep_their_parameters_under_the_decorator():
    """decorate_view wraps ninja's request handler, not the operation: the schema still has every parameter
    (battlemap/api.py's string annotations included, which ninja resolves in the operation's module)."""
    from guatu.api import api

    paths = api.get_openapi_schema()["paths"]
    for path in ("/api/v1/investment/summary", "/api/v1/battlemap"):
        names = {parameter["name"] for parameter in paths[path]["get"]["parameters"]}
        assert {"unit", "period"} <= names, path


_READ_SETTINGS = """import json, guatu.settings as s
print(json.dumps({"databases": sorted(s.DATABASES), "replica": s.DATABASES.get("replica"),
    "routers": getattr(s, "DATABASE_ROUTERS", []), "pinned": "guatu.lib.dbrouter.ReplicaPinMiddleware" in s.MIDDLEWARE,
    "pin_seconds": s.REPLICA_PIN_SECONDS}))"""


def settings_with(**env: str) -> tuple[int, dict | str]:
    """What the settings module makes of the databases in a fresh process with `env` (it reads the environment
    once, when imported), or the process's exit status and error."""
    with tempfile.TemporaryDirectory(prefix="guatu-replica-settings-") as data_dir:
        environment = {
            key: value
            for key, value in os.environ.items()
            if key not in {"DATABASE_URL", "DATABASE_REPLICA_URL", "REPLICA_PIN_SECONDS"}
        }
        environment.update(
            GUATU_DATA_DIR=data_dir,
            SECRET_KEY="replica-settings-test",
            **env,
        )
        done = subprocess.run(
            [sys.executable, "-c", _READ_SETTINGS],
            env=environment,
            capture_output=True,
            text=True,
            timeout=120,
        )
    return done.returncode, json.loads(done.stdout) if done.returncode == 0 else done.stderr


def test_settings_add_the_replica_router_and_pin_only_with_database_replica_url():
    assert settings_with()[1] == {
        "databases": ["default"],
        "replica": None,
        "routers": [],
        "pinned": False,
        "pin_seconds": 5,
    }
    status, found = settings_with(
        DATABASE_URL="postgres://guatu:pw@127.0.0.1:5432/guatu",
        DATABASE_REPLICA_URL="postgres://guatu:pw@127.0.0.1:5433/guatu",
        REPLICA_PIN_SECONDS="8",
    )
    assert status == 0, found
    assert (found["databases"], found["routers"], found["pinned"], found["pin_seconds"]) == (
        ["default", "replica"],
        ["guatu.lib.dbrouter.ReplicaRouter"],
        True,
        8,
    )
    replica = found["replica"]
    assert (replica["PORT"], replica["NAME"], replica["TEST"]) == (5433, "guatu", {"MIRROR": "default"})


def test_a_replica_of_another_kind_of_database_stops_the_start():
    # DATABASE_URL unset: the default database is SQLite
    status, error = settings_with(DATABASE_REPLICA_URL="postgres://guatu:pw@127.0.0.1:5433/guatu")
    assert status != 0 and "DATABASE_REPLICA_URL" in error


# --- against a real standby ---------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings):
    """While the test databases are set up, the replica alias points at the primary (see the module's
    docstring); the `standby` fixture points it at the standby for each test."""
    if REPLICA in connections.settings:
        primary = connections[PRIMARY].settings_dict
        connections[REPLICA].settings_dict.update({key: primary[key] for key in _SERVER})
    return django_db_modify_db_settings


def _standby_server() -> dict:
    """The standby's server settings, as DATABASE_REPLICA_URL gives them (with its own database name)."""
    return dj_database_url.parse(REPLICA_URL)


def _standby_conninfo(name: str) -> str:
    server = _standby_server()
    return make_conninfo(
        host=server["HOST"],
        port=server["PORT"],
        user=server["USER"],
        password=server["PASSWORD"],
        dbname=name,
    )


def wait_for_replay() -> None:
    """Until the standby has replayed everything the primary has written so far (bounded: fails after
    REPLAY_POLLS polls). Asked on the standby's own database, which exists before the test database does."""
    with connections[PRIMARY].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_insert_lsn()")
        (target,) = cursor.fetchone()
    with psycopg.connect(_standby_conninfo(_standby_server()["NAME"]), autocommit=True) as standby:
        for _ in range(REPLAY_POLLS):
            (done,) = standby.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target]).fetchone()
            if done:
                return
            time.sleep(0.02)
    pytest.fail(f"the standby did not replay the primary's WAL up to {target}")


@pytest.fixture
def standby():
    """The replica alias connected to the standby's copy of the test database, for one test."""
    replica = connections[REPLICA]
    during_setup = {key: replica.settings_dict[key] for key in _SERVER}
    server = _standby_server()
    replica.close()
    replica.settings_dict.update({key: server[key] for key in _SERVER})
    try:
        wait_for_replay()
        with replica.cursor() as cursor:
            cursor.execute("SELECT pg_is_in_recovery(), current_database()")
            assert cursor.fetchone() == (True, connections[PRIMARY].settings_dict["NAME"])
        yield replica
    finally:
        try:
            with replica.cursor() as cursor:
                cursor.execute("SELECT pg_wal_replay_resume()")  # a test that paused replay and failed
        finally:
            replica.close()
            replica.settings_dict.update(during_setup)


_TABLE = re.compile(r'(?:FROM|JOIN|UPDATE|INTO)\s+"(\w+)"', re.IGNORECASE)


def tables(captured: CaptureQueriesContext) -> set[str]:
    return {name for query in captured.captured_queries for name in _TABLE.findall(query["sql"])}


def primary_only_tables() -> set[str]:
    return {
        model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_label in dbrouter.PRIMARY_ONLY_APPS
    }


def county_ytd(response) -> Decimal:
    assert response.status_code == 200, response.content
    (row,) = [row for row in response.json()["rows"] if row["tag"] == "county"]
    return Decimal(row["ytd_completed"])


def get_counted(client, url, data=None):
    """GET `url`, and the queries it ran on the primary and on the replica."""
    with (
        CaptureQueriesContext(connections[PRIMARY]) as primary,
        CaptureQueriesContext(connections[REPLICA]) as replica,
    ):
        response = client.get(url, data or {})
    return response, primary, replica


@pytest.mark.replica
@needs_replica
@pytest.mark.django_db(transaction=True, databases=[PRIMARY, REPLICA])
def test_dashboards_and_lists_read_from_the_replica(client, world, standby):
    make_report(world.project_a, "2022-03", "300", reporter=world.reporter, reviewer=world.reviewer)
    wait_for_replay()
    client.force_login(world.reviewer)

    response, primary, replica = get_counted(client, SUMMARY, {"unit": world.city.pk, "period": "2022-03"})
    assert county_ytd(response) == Decimal("300")
    assert "projects_project" in tables(replica) and FIGURES & tables(replica)
    assert tables(primary) <= primary_only_tables()  # the session and the user, nothing of the figures

    response, primary, replica = get_counted(client, reverse("projects:list"), {"period": "2022-03"})
    assert response.status_code == 200
    assert world.project_a.name in response.content.decode()
    assert "projects_project" in tables(replica)
    assert tables(primary) <= primary_only_tables()


@pytest.mark.replica
@needs_replica
@pytest.mark.django_db(transaction=True, databases=[PRIMARY, REPLICA])
def test_a_saved_report_is_shown_from_the_primary_while_the_standby_lags(client, world, standby):
    """The standby is held back (replay paused), so it is as far behind as a replica can be: the reviewer who
    just approved sees the new figure (pinned to the primary), someone else sees the standby's, until replay."""
    wait_for_replay()
    with standby.cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_pause()")

    reporter = client
    reporter.force_login(world.reporter)
    form = {
        "amount": "456.78",
        "statistical_amount": "",
        "physical_progress": "主体完工",
        "problems": "",
        "next_month_plan": "设备安装",
        "version": "",
        "submit": "1",
    }
    saved = reporter.post(reverse("reports:edit", args=[world.project_a.pk, "2022-03"]), form)
    assert saved.status_code == 302 and PIN_COOKIE in saved.cookies
    report = MonthlyReport.objects.get(project=world.project_a, year=2022, month=3)
    assert report.status == ReportStatus.SUBMITTED

    reviewer = Client()
    reviewer.force_login(world.reviewer)
    approved = reviewer.post(reverse("reports:approve", args=[report.pk]), {"version": report.version})
    assert approved.status_code == 302 and PIN_COOKIE in approved.cookies

    query = {"unit": world.city.pk, "period": "2022-03"}
    response, primary, replica = get_counted(reviewer, SUMMARY, query)
    assert county_ytd(response) == Decimal("456.78")  # the approver sees it at once
    assert replica.captured_queries == []
    assert FIGURES & tables(primary)

    other = Client()
    other.force_login(world.city_admin)
    response, primary, replica = get_counted(other, SUMMARY, query)
    assert county_ytd(response) == Decimal("0")  # from the standby, which has not replayed the approval
    assert FIGURES & tables(replica)

    with standby.cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_resume()")
    wait_for_replay()
    response, primary, replica = get_counted(other, SUMMARY, query)
    assert county_ytd(response) == Decimal("456.78")
    assert FIGURES & tables(replica)


@pytest.mark.replica
@needs_replica
@pytest.mark.django_db(transaction=True, databases=[PRIMARY, REPLICA])
def test_the_standby_refuses_writes_and_writes_in_a_scope_go_to_the_primary(world, standby):
    wait_for_replay()
    with pytest.raises(DatabaseError, match="read-only transaction"):
        Project.objects.using(REPLICA).filter(pk=world.project_a.pk).update(name="改在备库")
    with pytest.raises(DatabaseError, match="read-only transaction"), standby.cursor() as cursor:
        cursor.execute("CREATE TABLE replica_probe (id integer)")

    with dbrouter.using_replica() as on_standby:
        assert on_standby
        assert router.db_for_write(Project) == PRIMARY
        assert router.db_for_read(Project) == REPLICA
        assert router.db_for_read(AuditEvent) == PRIMARY
        Project.objects.filter(pk=world.project_a.pk).update(name="改在主库")  # a write: to the primary
    assert Project.objects.using(PRIMARY).get(pk=world.project_a.pk).name == "改在主库"
