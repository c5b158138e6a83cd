"""guatu.lib.bulk writes the rows bulk_create and save() write, value for value, on both databases: text, whole
numbers, decimals, moments, JSON, an address, foreign keys and NULLs; and sets the primary keys in the rows' order."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from guatu.audit.models import AuditEvent, AuditPending
from guatu.lib import bulk
from guatu.reports.models import MonthlyReport, ReportSource, ReportStatus

pytestmark = pytest.mark.django_db

AT = datetime(2022, 4, 24, 9, 30, 15, 123456, tzinfo=UTC)
FIELDS = ["at", "actor", "action", "object_type", "object_id", "project", "before", "after", "reason", "ip"]


def _events(world, tag: str) -> list[AuditEvent]:
    """Events with every kind of value: nested JSON with text and numbers, an address or none, a project or none,
    moments shared by several rows and one of their own."""
    return [
        AuditEvent(
            at=AT if n % 3 else AT + timedelta(seconds=n),
            actor=world.reporter if n % 2 else None,
            action=f"{tag}.test",
            object_type="monthlyreport",
            object_id=10_000_000_000 + n,
            project=world.project_a if n % 2 else None,
            before={} if n % 2 else {"amount": "12.30", "note": "旧值 “引号”", "n": [1, 2.5, None, True]},
            after={"amount": f"{n}.05", "status": "submitted"},
            reason="" if n % 4 else "原因\n第二行",
            ip="10.0.0.1" if n % 2 else None,
        )
        for n in range(7)
    ]


def _draft(world) -> MonthlyReport:
    return MonthlyReport.objects.create(
        project=world.project_a, year=2022, month=2, amount=Decimal("1.00"), updated_at=AT, filled_by=world.reporter
    )


def _rows(model, ids, fields):
    return list(model.objects.filter(pk__in=ids).order_by("pk").values_list(*fields))


def test_insert_writes_what_bulk_create_writes(world):
    ours, theirs = _events(world, "ours"), _events(world, "theirs")
    bulk.insert(ours)
    AuditEvent.objects.bulk_create(theirs)
    assert [event.pk for event in ours] == sorted(event.pk for event in ours)  # in the rows' order
    assert all(not event._state.adding for event in ours)
    mine = _rows(AuditEvent, [event.pk for event in ours], FIELDS)
    django = _rows(AuditEvent, [event.pk for event in theirs], FIELDS)
    assert [row[:2] + row[3:] for row in mine] == [row[:2] + row[3:] for row in django]  # all but the action
    assert AuditEvent.objects.get(pk=ours[1].pk).before == {}
    assert AuditEvent.objects.get(pk=ours[0].pk).before["note"] == "旧值 “引号”"


def test_insert_of_reports_with_decimals_and_the_named_fields(world):
    now = datetime(2022, 4, 3, 8, tzinfo=UTC)

    def report(project, amount, statistical):
        return MonthlyReport(
            project=project,
            year=2022,
            month=3,
            amount=Decimal(amount),
            statistical_amount=None if statistical is None else Decimal(statistical),
            source=ReportSource.WORKBOOK,
            status=ReportStatus.SUBMITTED,
            filled_by=world.reporter,
            submitted_at=now,
            updated_at=now,
        )

    ours = [report(world.project_a, "12345678.90", None), report(world.project_b, "0.01", "99999.99")]
    bulk.insert(ours)
    columns = [field.attname for field in MonthlyReport._meta.concrete_fields if not field.primary_key]
    written = _rows(MonthlyReport, [report.pk for report in ours], columns)
    assert written == [tuple(getattr(report, name) for name in columns) for report in ours]
    assert written[0][columns.index("amount")] == Decimal("12345678.90")


def test_insert_values_and_update(world):
    events = _events(world, "values")
    bulk.insert(events)
    bulk.insert_values(AuditPending, ["event"], ([event.pk] for event in events))
    assert set(AuditPending.objects.values_list("event_id", flat=True)) >= {event.pk for event in events}
    report = _draft(world)
    report.amount, report.problems, report.updated_at, report.version = Decimal("2.50"), "用地", AT, 7
    bulk.update([report], ["amount", "problems", "updated_at", "version"])
    again = MonthlyReport.objects.get(pk=report.pk)
    assert (again.amount, again.problems, again.updated_at, again.version) == (Decimal("2.50"), "用地", AT, 7)


def test_more_rows_than_one_statement_takes(world):
    events = [
        AuditEvent(at=AT, action="many.test", object_type="x", object_id=n, after={"n": n}) for n in range(2_345)
    ]
    bulk.insert(events)
    assert len({event.pk for event in events}) == 2_345
    stored = dict(AuditEvent.objects.filter(action="many.test").values_list("pk", "object_id"))
    assert all(stored[event.pk] == event.object_id for event in events)  # each key is its own row's


def test_its_statements_are_seen_and_its_errors_are_djangos(world):
    """On PostgreSQL the statements go through a cursor that binds on the server, wrapped as Django wraps its own:
    the tests' query counts see them, and a failing statement raises Django's IntegrityError."""
    events = _events(world, "seen")
    report = _draft(world)
    report.amount = Decimal("3.25")
    with CaptureQueriesContext(connection) as captured:
        bulk.insert(events, FIELDS)
        bulk.update([report], ["amount"])
        bulk.insert_values(AuditPending, ["event"], [[event.pk] for event in events])
    assert MonthlyReport.objects.get(pk=report.pk).amount == Decimal("3.25")
    # (an executemany is logged as "1 times: UPDATE ...")
    verbs = [next(word for word in query["sql"].split() if word in {"INSERT", "UPDATE"}) for query in captured]
    assert verbs == ["INSERT", "UPDATE", "INSERT"]
    with pytest.raises(IntegrityError), transaction.atomic():
        bulk.insert_values(AuditPending, ["event"], [[events[0].pk]])  # marked once already
