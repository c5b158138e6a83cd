"""The audit log's tamper evidence and retention: events sealed into a hash chain once their transaction commits;
a changed, removed or smuggled-in record named by `guatu audit verify`; UPDATE and early DELETE refused by the
database itself (both databases); the retention purge keeps everything younger than the floor."""

from datetime import timedelta
from io import StringIO
from types import SimpleNamespace

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from guatu.accounts.models import User
from guatu.audit import chain, guards
from guatu.audit.models import AuditChainHead, AuditEvent, AuditPending, AuditSeal
from guatu.audit.services import audit_event, audit_record, audit_records
from guatu.reports import workbook as report_workbook
from guatu.testing import PASSWORD, make_world

pytestmark = pytest.mark.django_db


def _write(world, n: int, *, days_ago: int = 0) -> list[AuditEvent]:
    at = timezone.now() - timedelta(days=days_ago)
    return [
        audit_record(actor=world.reviewer, action="user.update", obj=world.reviewer, after={"n": i}, at=at)
        for i in range(n)
    ]


@pytest.fixture
def bare(db):
    """A reviewer and no other audit record, for the purge: the chain starts with what the test writes."""
    return SimpleNamespace(reviewer=User.objects.create_user("auditor", password=PASSWORD))


def _verify() -> str:
    out = StringIO()
    call_command("audit", "verify", stdout=out)
    return out.getvalue()


@pytest.fixture
def guarded(db):
    """Both guards in place, as the migration leaves them in production (the SQLite test database goes without
    the DELETE guard: conftest.py); put back inside this test's transaction, so rolled back with it."""
    guards.install(deletes=True, updates=True)


def _as_attacker(sql: str, params: list) -> None:
    """What someone with the database's keys could do: drop the guards, change a row."""
    guards.drop()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.mark.django_db(transaction=True)
def test_events_are_sealed_once_their_transaction_commits():
    world = make_world()  # committed, and sealed as it commits
    with transaction.atomic():
        written = _write(world, 3)
        assert not AuditSeal.objects.filter(event__in=written).exists(), "not before the commit"
        assert len([entry for entry in connection.run_on_commit if entry[1] is chain._seal_after_commit]) == 1
    seals = list(AuditSeal.objects.filter(event__in=written).order_by("pk"))
    assert [seal.event_id for seal in seals] == [event.pk for event in written]
    assert all(later.prev_hash == earlier.hash for earlier, later in zip(seals, seals[1:], strict=False))
    assert AuditChainHead.objects.get().last_hash == seals[-1].hash
    assert not AuditPending.objects.filter(event__in=written).exists()
    assert "审计日志完整" in _verify()


def test_a_changed_record_is_named_as_the_first_break(world):
    events = _write(world, 5)
    chain.seal_pending()
    assert chain.verify().ok
    _as_attacker("UPDATE audit_auditevent SET reason = %s WHERE id = %s", ["改过", events[2].pk])
    with pytest.raises(CommandError) as caught:
        _verify()
    message = str(caught.value)
    assert f"记录 #{events[2].pk}" in message and "内容与封存时不同" in message


def test_a_removed_record_breaks_the_chain_at_the_next(world):
    events = _write(world, 4)
    chain.seal_pending()
    _as_attacker("DELETE FROM audit_auditseal WHERE event_id = %s", [events[1].pk])
    _as_attacker("DELETE FROM audit_auditevent WHERE id = %s", [events[1].pk])
    result = chain.verify()
    assert not result.ok and result.broken_event == events[2] and "删除" in result.why


def test_a_record_written_around_the_application_is_found(world):
    _write(world, 2)
    chain.seal_pending()
    stray = AuditEvent.objects.create(
        at=timezone.now(), action="report.approve", object_type="monthlyreport", object_id=1
    )
    result = chain.verify()
    assert not result.ok and result.broken_event == stray and "不在链上" in result.why


def test_a_rewritten_chain_head_is_found(world):
    _write(world, 2)
    chain.seal_pending()
    AuditChainHead.objects.update(last_hash="f" * 64)
    assert "链头" in chain.verify().why


def test_the_database_refuses_to_change_or_remove_a_recent_record(world, guarded):
    event = _write(world, 1)[0]
    chain.seal_pending()
    for attempt in (
        lambda: AuditEvent.objects.filter(pk=event.pk).update(reason="改过"),
        lambda: AuditEvent.objects.filter(pk=event.pk).delete(),
        lambda: AuditSeal.objects.filter(event=event).update(hash="0" * 64),
        lambda: AuditSeal.objects.filter(event=event).delete(),
    ):
        with pytest.raises(DatabaseError), transaction.atomic():
            attempt()
    assert AuditEvent.objects.get(pk=event.pk).reason == "" and AuditSeal.objects.filter(event=event).exists()


def test_the_purge_keeps_everything_younger_than_the_retention_and_the_chain_verifies(bare, guarded):
    very_old, old, recent = _write(bare, 2, days_ago=400), _write(bare, 2, days_ago=200), _write(bare, 2)
    chain.seal_pending()
    out = StringIO()
    call_command("audit", "purge", "--dry-run", stdout=out)
    assert "2 条记录" in out.getvalue() and AuditEvent.objects.filter(pk=very_old[0].pk).exists()
    call_command("audit", "purge", stdout=StringIO())  # the default: 365 days
    kept = set(AuditEvent.objects.values_list("pk", flat=True))
    assert not kept & {e.pk for e in very_old} and {e.pk for e in old + recent} <= kept
    with pytest.raises(CommandError, match="至少保存 184 天"):
        call_command("audit", "purge", "--days", "100")
    call_command("audit", "purge", "--days", "184", stdout=StringIO())
    kept = set(AuditEvent.objects.values_list("pk", flat=True))
    assert not kept & {e.pk for e in old} and {e.pk for e in recent} <= kept
    purges = AuditEvent.objects.filter(action="audit.purge").order_by("pk")
    assert [event.after["removed"] for event in purges] == [2, 2]
    assert "审计日志完整" in _verify()


def test_an_old_record_sealed_after_a_young_one_waits_for_the_next_purge(bare, guarded):
    """The purge takes a prefix of the chain, so that what is kept still verifies from its first seal."""
    recent, old = _write(bare, 1), _write(bare, 1, days_ago=400)
    chain.seal_pending()
    call_command("audit", "purge", stdout=StringIO())
    assert AuditEvent.objects.filter(pk__in=[recent[0].pk, old[0].pk]).count() == 2
    assert chain.verify().ok


@pytest.mark.parametrize("waiting", [[0, 1, 3], [0, 11]], ids=["one-run-of-ids", "far-apart"])
def test_the_sealer_seals_exactly_the_waiting_events_in_order(world, waiting):
    """The sealer reads a batch's events by their range of ids when they are nearly one run, and by their ids
    when they lie far apart (one left waiting by a crash, the rest written since): either way it seals the
    waiting ones, in id order, and none of the others in between."""
    chain.seal_pending()
    written = _write(world, 12)
    kept = {written[i].pk for i in waiting}
    AuditPending.objects.exclude(event_id__in=kept).delete()  # the others: sealed elsewhere, say
    head = AuditChainHead.objects.get().last_hash
    assert chain.seal_pending() == len(kept)
    seals = list(AuditSeal.objects.filter(event__in=written).order_by("pk"))
    assert [seal.event_id for seal in seals] == sorted(kept)
    assert seals[0].prev_hash == head
    for earlier, later in zip(seals, seals[1:], strict=False):
        assert later.prev_hash == earlier.hash
    for seal in seals:
        assert seal.hash == chain.link(seal.prev_hash, AuditEvent.objects.get(pk=seal.event_id))
    assert not AuditPending.objects.exists()


def _pending_reads(queries) -> int:
    return sum(
        1 for query in queries if "audit_auditpending" in query["sql"] and query["sql"].startswith("SELECT")
    )


@pytest.mark.parametrize(("written", "reads"), [(29, 1), (31, 2)])
def test_a_write_is_sealed_in_batches_of_seal_batch(world, monkeypatch, written, reads):
    """One sealing transaction takes up to SEAL_BATCH events, and a batch read short of it ends the run: fewer
    events than that are sealed in one transaction (the store's BATCH is no limit on it)."""
    chain.seal_pending()
    monkeypatch.setattr(chain, "SEAL_BATCH", 30)
    events = audit_records(
        [
            audit_event(actor=world.reviewer, action="user.update", obj=world.reviewer, after={"n": i})
            for i in range(written)
        ]
    )
    with CaptureQueriesContext(connection) as captured:
        assert chain.seal_pending() == written
    assert _pending_reads(captured.captured_queries) == reads
    assert AuditSeal.objects.filter(event__in=events).count() == written
    assert not AuditPending.objects.exists()


def test_the_largest_import_is_sealed_in_one_transaction():
    """A 5,000-row report import that submits every row writes two events a row and one for the file."""
    assert chain.SEAL_BATCH > 2 * report_workbook.MAX_ROWS + 1
