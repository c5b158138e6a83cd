"""Reliability under concurrency and crashes, against a database outside the test transaction, with writer
processes that write through the application's own services (writers.py): on SQLite a file copy of the test
database (WAL, IMMEDIATE transactions, as in production), on PostgreSQL the test database itself.

Files go with the `workdir` fixture and committed rows with the transactional test's flush, whatever the outcome.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import re
import signal
import sqlite3
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from dataclasses import dataclass, field
from decimal import Decimal
from multiprocessing import forkserver
from pathlib import Path
from unittest import mock

import dj_database_url
import pytest
from django.db import connection, transaction
from openpyxl import Workbook

import guatu
from guatu.accounts.models import Role, User
from guatu.lib.periods import Period
from guatu.ops.tests import writers
from guatu.orgs.models import OrgUnit, OrgUnitKind
from guatu.projects.models import Project
from guatu.reports import workbook
from guatu.reports.services import ReportInput, report_create
from guatu.testing import make_project, make_unit, make_user

TIMEOUT = 120  # seconds for any one message or exit of a writer: generous, for a busy machine
ON_SQLITE = connection.vendor == "sqlite"
# multiprocessing's bookkeeping of its children is not thread-safe: a start in one thread polls the exit of
# another thread's writer and can take its exit status. One thread at a time starts, kills or joins a writer.
FORKING = threading.RLock()


@pytest.fixture(scope="session")
def forks():
    """multiprocessing's fork server, started once with writers.py (Django set up) loaded; on the module path
    whatever the working folder, since the fork server does not take the test's sys.path."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["guatu.ops.tests.writers", "pytest"])
    root = str(Path(guatu.__file__).resolve().parent.parent)
    with mock.patch.dict(
        os.environ, PYTHONPATH=os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))
    ):
        forkserver.ensure_running()
    return context


class Writer:
    """A writer process and the test's end of its pipe."""

    def __init__(self, context, target, database: str, *args):
        self.pipe, theirs = context.Pipe()
        with FORKING:
            self.process = context.Process(target=target, args=(theirs, database, *args), daemon=True)
            self.process.start()
        theirs.close()  # the writer holds the only other end: its death ends the pipe

    def receive(self) -> tuple[str, object]:
        """The writer's next message; EOFError once it has died and everything it sent is read (OSError if it
        died in the middle of a message)."""
        if not self.pipe.poll(TIMEOUT):
            pytest.fail(f"writer {self.process.pid} said nothing for {TIMEOUT} seconds")
        kind, value = self.pipe.recv()
        if kind == "error":
            pytest.fail(f"writer {self.process.pid} failed:\n{value}")
        return kind, value

    def expect(self, kind: str):
        got, value = self.receive()
        assert got == kind, (got, value)
        return value

    def finish(self):
        """Its outcome, once it has exited on its own."""
        outcome = self.expect("done")
        assert self.exitcode() == 0
        return outcome

    def kill(self) -> None:
        with FORKING:
            self.process.kill()

    def exitcode(self) -> int | None:
        with FORKING:
            self.process.join(TIMEOUT)
            return self.process.exitcode

    def stop(self) -> None:
        """Killed if still running, and the pipe closed: for `finally`."""
        with FORKING:
            if self.process.is_alive():
                self.process.kill()
                self.process.join(TIMEOUT)
        self.pipe.close()


@dataclass
class Town:
    """A township with a reporter and projects of its own."""

    unit: OrgUnit
    reporter: User
    projects: list[Project] = field(default_factory=list)


def make_town(
    county, number: int, *, projects: int = 0, start_year: int = 2000, end_year: int = 2020
) -> Town:
    unit = make_unit(f"可靠性测试镇{number}", OrgUnitKind.TOWNSHIP, county)
    town = Town(unit=unit, reporter=make_user(f"reliability{number}", unit, Role.REPORTER))
    town.projects = [
        make_project(location=unit, plan=None, start_year=start_year, end_year=end_year)
        for _ in range(projects)
    ]
    return town


def database_name(database) -> str:
    return dj_database_url.parse(database.url)["NAME"]


def sqlite_check(database, pragma: str) -> list[tuple]:
    """An SQLite PRAGMA check with the plain driver, given the REGEXP function that Django's connections have
    (CHECK constraints use it, and integrity_check evaluates them)."""

    def regexp(pattern, value):
        return None if pattern is None or value is None else bool(re.search(pattern, str(value)))

    with closing(sqlite3.connect(database_name(database), timeout=TIMEOUT)) as handle:
        handle.create_function("REGEXP", 2, regexp, deterministic=True)
        return handle.execute(f"PRAGMA {pragma}").fetchall()


def json_value(value) -> dict:
    return json.loads(value) if isinstance(value, str) else value


def amount(value) -> Decimal:
    """A stored amount as read with the plain driver (a float on SQLite, a Decimal on PostgreSQL)."""
    return Decimal(str(value)).quantize(Decimal("0.01"))


# ------------------------------------------------------------------------------------------------ lost updates


def test_of_two_saves_from_the_same_version_one_wins_and_the_other_is_refused(forks, test_database):
    """100 pairs of saves, each pair two reporters of the township saving one draft report at the version both
    read before either saved, all pairs at once from four processes through `report_update`: in every pair one
    save wins and the other is refused as stale (the service's ValidationError on `version`), and every report
    ends at version 2 holding exactly its winner's figures, with one change in its trail, by the winner. No save
    is lost and none overwrites another silently."""
    county = make_unit("冷水江市", OrgUnitKind.COUNTY)
    town = make_town(county, 1, projects=1, start_year=2010, end_year=2018)
    reporters = [town.reporter, make_user("reliability1b", town.unit, Role.REPORTER)]
    with transaction.atomic():  # one commit, one seal of the audit chain: a quicker setup
        reports = [
            report_create(
                project=town.projects[0],
                period=Period(2010 + number // 12, number % 12 + 1),
                data=ReportInput(amount=Decimal(0)),
                by=town.reporter,
            ).pk
            for number in range(100)
        ]
    savers = 4  # saver s saves as reporters[s % 2]; report n is saved by savers n % 4 and (n + 1) % 4
    pairs = {pk: (number % savers, (number + 1) % savers) for number, pk in enumerate(reports)}
    database = test_database()
    processes = []
    try:
        for saver in range(savers):
            mine = [pk for pk, pair in pairs.items() if saver in pair]
            by = reporters[saver % 2].pk
            processes.append(Writer(forks, writers.save_reports, database_name(database), by, saver, mine))
        read = [process.expect("ready") for process in processes]
        assert {version for versions in read for version in versions.values()} == {1}
        for process in processes:
            process.pipe.send("go")
        outcomes = [process.finish() for process in processes]
    finally:
        for process in processes:
            process.stop()

    winners = {}
    for pk, pair in pairs.items():
        results = sorted((outcomes[saver][pk], saver) for saver in pair)
        assert [result for result, _saver in results] == [("refused", 1), ("saved", 2)], (pk, results)
        winners[pk] = results[1][1]
    listed = ", ".join(map(str, reports))
    rows = database.query(f"SELECT id, version, amount FROM reports_monthlyreport WHERE id IN ({listed})")
    assert {pk: (version, amount(value)) for pk, version, value in rows} == {
        pk: (2, writers.saver_amount(pk, saver)) for pk, saver in winners.items()
    }
    changes = database.query(
        "SELECT object_id, actor_id, after FROM audit_auditevent "
        f"WHERE action = 'report.update' AND object_id IN ({listed})"
    )
    assert sorted((pk, actor, json_value(after)["amount"]) for pk, actor, after in changes) == sorted(
        (pk, reporters[saver % 2].pk, str(writers.saver_amount(pk, saver))) for pk, saver in winners.items()
    )


# ------------------------------------------------------------------------------------------- SQLite under load


@pytest.mark.skipif(not ON_SQLITE, reason="SQLite's single writer is what this tests; PostgreSQL locks rows")
def test_eight_processes_of_read_then_write_transactions_all_commit_on_sqlite(forks, test_database):
    """8 processes × 50 transactions that each read the one shared report and then save it at the version they
    read (with a read outside any transaction between them), all started at once on one SQLite file: every
    transaction commits, none meets "database is locked" (IMMEDIATE transactions queue on the busy timeout
    instead of failing when a reader turns writer), and the report has taken all 400 saves, one after another."""
    county = make_unit("冷水江市", OrgUnitKind.COUNTY)
    town = make_town(county, 1, projects=1)
    report = report_create(
        project=town.projects[0],
        period=Period(2020, 1),
        data=ReportInput(amount=Decimal(0)),
        by=town.reporter,
    )
    database = test_database()
    processes, count = [], 50
    try:
        for worker in range(1, 9):
            processes.append(
                Writer(
                    forks,
                    writers.read_then_write,
                    database_name(database),
                    town.reporter.pk,
                    report.pk,
                    worker,
                    count,
                )
            )
        for process in processes:
            process.expect("ready")
        for process in processes:
            process.pipe.send("go")
        outcomes = [process.finish() for process in processes]
    finally:
        for process in processes:
            process.stop()
    waits = ", ".join(f"{wait:.2f}s" for _count, wait in outcomes)
    print(f"longest wait for a transaction to begin, per process: {waits}")
    assert [committed for committed, _wait in outcomes] == [count] * 8
    assert database.query(f"SELECT version FROM reports_monthlyreport WHERE id = {report.pk}") == [
        (1 + 8 * count,)
    ]
    saved = database.query(
        f"SELECT after FROM audit_auditevent WHERE action = 'report.update' AND object_id = {report.pk}"
    )
    assert sorted(Decimal(json_value(after)["amount"]) for (after,) in saved) == sorted(
        writers.stress_amount(worker, number) for worker in range(1, 9) for number in range(count)
    )
    assert sqlite_check(database, "integrity_check") == [("ok",)]


# --------------------------------------------------------------------------------------------------- crashes

ROWS_PER_IMPORT = 4
# Where a writer may kill itself: within about three imports (one of four rows runs 83 statements).
STATEMENTS = 250
# 20 writers killed: four towns importing side by side, five writers each, one after another.
CHAINS, RUNS = 4, 5


def filled_workbook(town: Town, path: Path) -> str:
    """A filled-in report workbook of the town's projects, as a reporter pastes rows into a fresh workbook (no
    template sheet naming a month, so the same file serves every month)."""
    book = Workbook()
    sheet = book.active
    sheet.title = workbook.SHEET
    sheet.append(
        [workbook.HEADERS["project_id"], workbook.HEADERS["amount"], workbook.HEADERS["physical_progress"]]
    )
    for number, project in enumerate(town.projects, 1):
        sheet.append([project.pk, 100 + number, "主体施工"])
    book.save(path)
    return str(path)


@dataclass
class KillPlan:
    """Where a writer dies: at its `statement`-th SQL statement (before it runs, or just after), or, when that is
    None, by the test's SIGKILL `delay` seconds after its `acks`-th acknowledged import."""

    statement: int | None = None
    after: bool = False
    acks: int = 0
    delay: float = 0.0


def kill_plans(rng: random.Random) -> list[KillPlan]:
    plans = []
    for run in range(RUNS):
        if run % 2 == 0:
            plans.append(KillPlan(statement=rng.randint(1, STATEMENTS), after=rng.random() < 0.5))
        else:
            plans.append(KillPlan(acks=rng.randint(0, 2), delay=rng.uniform(0, 0.05)))
    return plans


def imports_of(database, town: Town) -> tuple[set[str], list[str]]:
    """The months whose import is in the database, each checked whole: every row's report present and submitted,
    its creation and submission in the trail, and the file's own audit event, once. And the months named by
    import events."""
    projects = ", ".join(str(project.pk) for project in town.projects)
    months = {}
    for year, month, reports, submitted in database.query(
        "SELECT year, month, count(*), sum(CASE WHEN status = 'submitted' THEN 1 ELSE 0 END) "
        f"FROM reports_monthlyreport WHERE project_id IN ({projects}) GROUP BY year, month"
    ):
        months[f"{year:04d}-{month:02d}"] = (reports, submitted)
    assert months == {period: (ROWS_PER_IMPORT, ROWS_PER_IMPORT) for period in months}, "a partial import"
    for action in ("report.create", "report.submit"):
        [(events,)] = database.query(
            f"SELECT count(*) FROM audit_auditevent WHERE action = '{action}' AND project_id IN ({projects})"
        )
        assert events == ROWS_PER_IMPORT * len(months), ("a partial import's trail", action, events, months)
    imported = database.query(
        "SELECT after FROM audit_auditevent WHERE action = 'report.workbook_import' "
        f"AND object_type = 'orgunit' AND object_id = {town.unit.pk}"
    )
    return set(months), sorted(json_value(after)["period"] for (after,) in imported)


def run_chain(forks, database, town: Town, path: str, plans: list[KillPlan]) -> None:
    """The town's writers one after another, each importing a year's months until it is killed as planned, each
    starting on what the killed one left; after each, every acknowledged month is there and no import is partial."""
    acknowledged: set[str] = set()
    for run, plan in enumerate(plans):
        periods = [f"{2000 + run}-{month:02d}" for month in range(1, 13)]
        process = Writer(
            forks,
            writers.import_workbooks,
            database_name(database),
            town.reporter.pk,
            town.unit.pk,
            path,
            periods,
            plan.statement,
            plan.after,
        )
        try:
            acks = [process.expect("ack") for _ in range(plan.acks if plan.statement is None else 0)]
            if plan.statement is None:
                time.sleep(plan.delay)  # not a wait for anything: where in the next import the kill lands
                process.kill()
            while True:  # whatever it acknowledged before it died
                try:
                    kind, value = process.receive()
                except (EOFError, OSError):  # OSError: killed while sending, which acknowledges nothing
                    break
                if kind == "idle":  # done with its months before its kill point: killed idle
                    process.kill()
                else:
                    acks.append(value)
            assert process.exitcode() == -signal.SIGKILL, (town.unit.name, run, plan)
        finally:
            process.stop()
        acknowledged.update(acks)
        present, imported = imports_of(database, town)
        print(f"{town.unit.name} run {run}: acknowledged {len(acks)}, months present {len(present)}")
        assert acknowledged <= present, ("acknowledged but lost", sorted(acknowledged - present), plan)
        assert imported == sorted(present), ("an import event without its reports, or twice", imported)
        if ON_SQLITE:
            assert sqlite_check(database, "integrity_check") == [("ok",)], (town.unit.name, run, plan)


@pytest.mark.skipif(not ON_SQLITE, reason="the embedded database's crash safety; PostgreSQL's WAL is its own")
def test_writers_killed_anywhere_leave_a_sound_database_with_every_acknowledged_import_whole(
    forks, test_database, workdir
):
    """Four towns import their monthly report workbook month after month side by side, each import (four
    reports created and submitted, the file's audit event) one transaction through the real import; 20 writers
    are killed with SIGKILL, five per town one after another, half at a random SQL statement (BEGIN, SAVEPOINT,
    an insert, the audit chain's sealing after the commit, ...) and half by the test at a random moment. After
    every kill the SQLite file passes `PRAGMA integrity_check`, every month a writer acknowledged (after its
    commit) is there, and every month is wholly there or wholly absent; at the end no row points at a missing
    row and the audit chain still verifies. The kill points come from a seeded RNG: the seed is printed, and
    RELIABILITY_SEED=<seed> replays the same plans."""
    seed = int(os.environ.get("RELIABILITY_SEED") or random.SystemRandom().randrange(10**6))
    print(f"RELIABILITY_SEED={seed}")
    rng = random.Random(seed)
    county = make_unit("冷水江市", OrgUnitKind.COUNTY)
    towns = [make_town(county, number, projects=ROWS_PER_IMPORT) for number in range(1, CHAINS + 1)]
    paths = [filled_workbook(town, workdir / f"town{number}.xlsx") for number, town in enumerate(towns, 1)]
    plans = [kill_plans(rng) for _town in towns]
    print(*(f"{town.unit.name}: {plan}" for town, plan in zip(towns, plans, strict=True)), sep="\n")
    database = test_database()

    with ThreadPoolExecutor(max_workers=CHAINS) as pool:
        chains = [
            pool.submit(run_chain, forks, database, town, path, plan)
            for town, path, plan in zip(towns, paths, plans, strict=True)
        ]
        for chain in chains:
            chain.result()

    if ON_SQLITE:
        assert sqlite_check(database, "integrity_check") == [("ok",)]
        assert sqlite_check(database, "foreign_key_check") == []
    checker = Writer(forks, writers.verify_audit_chain, database_name(database))
    try:
        why, checked, _pending = checker.finish()
    finally:
        checker.stop()
    assert (why, checked > 0) == ("", True)
