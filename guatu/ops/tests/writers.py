"""The writers of the reliability tests (test_reliability.py): each runs in a process of its own and writes
through the application's services only, as a web worker or an import does.

They are forked from multiprocessing's fork server, which imports this module once: Django is set up there a
single time, and each writer starts from it in milliseconds instead of the two seconds a fresh interpreter
takes to import the project. A writer points the default connection at the database it is given (a file on
SQLite, the test database on PostgreSQL) with every other setting as the environment gives it (on SQLite: WAL,
IMMEDIATE transactions, the busy timeout), and talks to the test over a pipe: ("ready", what it read),
("ack", what committed), ("done", its outcome), or ("error", the traceback of what went wrong).
"""

from __future__ import annotations

import os
import signal
import time
import traceback
from collections.abc import Callable
from decimal import Decimal
from functools import wraps

import django
from django.apps import apps

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guatu.settings")
if not apps.ready:  # in the fork server: once, for every writer forked from it
    django.setup()

# After the setup above, which the models need; the fork server loads them once for every writer.
from django.core.exceptions import ValidationError  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from guatu.accounts.models import User  # noqa: E402
from guatu.audit import chain  # noqa: E402
from guatu.lib.periods import Period  # noqa: E402
from guatu.orgs.models import OrgUnit  # noqa: E402
from guatu.reports.models import MonthlyReport  # noqa: E402
from guatu.reports.services import ReportInput, report_update  # noqa: E402
from guatu.reports.workbook import reports_import_workbook  # noqa: E402


def writer(role: Callable) -> Callable:
    """A process target: `role(pipe, *args)` against database `name`, its outcome or traceback sent back."""

    @wraps(role)
    def run(pipe, name: str, *args) -> None:
        try:
            connection.close()  # none is open (the fork server never queries); this makes sure of it
            connection.settings_dict["NAME"] = name
            pipe.send(("done", role(pipe, *args)))
        except BaseException:
            pipe.send(("error", traceback.format_exc()))
            raise
        finally:
            connection.close()

    return run


def _wait_for_go(pipe) -> None:
    message = pipe.recv()
    if message != "go":
        raise RuntimeError(f"expected go, got {message!r}")


def saver_amount(report_id: int, saver: int) -> Decimal:
    """What saver `saver` types into report `report_id`: different for each saver, so the row shows who won."""
    return Decimal(f"{report_id}.{saver:02d}")


@writer
def save_reports(pipe, reporter_id: int, saver: int, report_ids: list[int]) -> dict[int, tuple[str, int]]:
    """Read every report (its version, as a form does when it opens), say so, wait for the go, then save each at
    the version read: report id → ("saved", new version) or ("refused", version read)."""
    reporter = User.objects.get(pk=reporter_id)
    reports = [MonthlyReport.objects.get(pk=pk) for pk in report_ids]
    pipe.send(("ready", {report.pk: report.version for report in reports}))
    _wait_for_go(pipe)
    outcomes = {}
    for report in reports:
        try:
            saved = report_update(
                report=report,
                data=ReportInput(amount=saver_amount(report.pk, saver)),
                expected_version=report.version,
                by=reporter,
            )
        except ValidationError as error:
            if set(error.message_dict) != {"version"}:
                raise
            outcomes[report.pk] = ("refused", report.version)
        else:
            outcomes[report.pk] = ("saved", saved.version)
    return outcomes


def stress_amount(worker: int, number: int) -> Decimal:
    return Decimal(worker * 1000 + number)


@writer
def read_then_write(pipe, reporter_id: int, report_id: int, worker: int, count: int) -> tuple[int, float]:
    """`count` transactions, each reading the shared report and then saving it at the version it read, with a
    read outside any transaction between them: the number committed, and the longest wait for a transaction to
    begin (for the record: the tests assert on no time)."""
    reporter = User.objects.get(pk=reporter_id)
    longest = 0.0

    def timed_begin(execute, sql, params, many, context):
        nonlocal longest
        started = time.monotonic()
        try:
            return execute(sql, params, many, context)
        finally:
            if sql.startswith("BEGIN"):
                longest = max(longest, time.monotonic() - started)

    pipe.send(("ready", None))
    _wait_for_go(pipe)
    with connection.execute_wrapper(timed_begin):
        for number in range(count):
            with transaction.atomic():
                report = MonthlyReport.objects.get(pk=report_id)
                report_update(
                    report=report,
                    data=ReportInput(amount=stress_amount(worker, number)),
                    expected_version=report.version,
                    by=reporter,
                )
            MonthlyReport.objects.filter(project_id=report.project_id).count()
    return count, longest


def _killed_at(statement: int, *, after: bool):
    """An execute wrapper that kills this process with SIGKILL just before (or just after) the database runs its
    `statement`-th statement, BEGIN and SAVEPOINT included."""
    seen = 0

    def wrapper(execute, sql, params, many, context):
        nonlocal seen
        seen += 1
        if seen == statement and not after:
            os.kill(os.getpid(), signal.SIGKILL)
        result = execute(sql, params, many, context)
        if seen == statement and after:
            os.kill(os.getpid(), signal.SIGKILL)
        return result

    return wrapper


@writer
def import_workbooks(
    pipe,
    reporter_id: int,
    unit_id: int,
    workbook: str,
    periods: list[str],
    kill_at: int | None = None,
    kill_after: bool = False,
) -> None:
    """Take the unit's filled-in workbook in for each month in turn (every row a report created and submitted, in
    one transaction, as an upload does), acknowledging each month once its import has returned; then wait to be
    killed. With `kill_at`, kill itself at that statement (counted from the first import)."""
    reporter = User.objects.get(pk=reporter_id)
    unit = OrgUnit.objects.get(pk=unit_id)
    with open(workbook, "rb") as file:
        data = file.read()
    wrapper = _killed_at(kill_at, after=kill_after) if kill_at else (lambda execute, *args: execute(*args))
    with connection.execute_wrapper(wrapper):
        for period in periods:
            reports_import_workbook(
                unit=unit, period=Period.parse(period), data=data, name="月报.xlsx", by=reporter, submit=True
            )
            pipe.send(("ack", period))
    pipe.send(("idle", None))
    pipe.recv()  # until killed


@writer
def verify_audit_chain(pipe) -> tuple[str, int, int]:
    """`guatu audit verify`'s walk of the hash chain: (what is broken, or "", seals checked, events pending)."""
    verification = chain.verify()
    return verification.why, verification.checked, verification.pending
