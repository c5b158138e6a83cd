"""Tamper evidence for the audit log: a hash chain over the events, in the order they were sealed.

Every event is written with an `AuditPending` row in the writer's own transaction. Once that transaction has
committed, the sealer (`seal_pending`, run by `transaction.on_commit`, and by `guatu audit seal` for anything a
crash left behind) takes the chain head's row lock, and for each pending event in id order writes an
`AuditSeal`: hash = SHA-256(previous hash, the event's canonical content). Sealing after the commit, under one
lock, gives the chain a single order even when writers commit out of id order, and keeps the writers'
transactions free of the lock.

`verify()` walks the seals in order, recomputing each hash from the stored event: the first seal whose event
was changed, removed or put out of place is named, with its event. The head's hash can be written down
(`guatu audit verify` prints it) to prove later that nothing was rewritten wholesale.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import connection, transaction

from guatu.audit.models import AuditChainHead, AuditEvent, AuditPending, AuditSeal
from guatu.lib import bulk

GENESIS = "0" * 64
BATCH = 2000
# The events one sealing transaction takes: as many as the largest write makes (a 5,000-row report import that
# submits every row: two events a row and one for the file), so that a write is sealed in one transaction.
SEAL_BATCH = 12_000


# Every stored field of an event, in the order the chain hashes them.
CONTENT = (
    "pk",
    "at",
    "actor_id",
    "action",
    "object_type",
    "object_id",
    "project_id",
    "before",
    "after",
    "reason",
    "ip",
)


def canonical(event: AuditEvent) -> bytes:
    """The event's content as the chain hashes it: every stored field, in a fixed order and form."""
    return _canonical([getattr(event, name) for name in CONTENT])


def _canonical(values: list) -> bytes:
    """canonical() of an event's CONTENT values, as read with values_list (the sealer reads thousands)."""
    at = values[1]
    values[1] = at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ") if at else ""
    return json.dumps(values, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str).encode()


def link(prev_hash: str, event: AuditEvent) -> str:
    return _link(prev_hash, canonical(event))


def _link(prev_hash: str, content: bytes) -> str:
    return hashlib.sha256(prev_hash.encode() + b"\n" + content).hexdigest()


def mark_pending(*events: AuditEvent) -> None:
    """Called in the writer's transaction for the events it wrote (audit_record, bulk loaders): they wait for
    their seals, which are written once the transaction has committed (one sealer per transaction)."""
    bulk.insert_values(AuditPending, ["event"], ([event.pk] for event in events))
    registered = getattr(connection, "run_on_commit", [])
    if not any(entry[1] is _seal_after_commit for entry in registered):
        transaction.on_commit(_seal_after_commit)


def _seal_after_commit() -> None:
    seal_pending()


def _head() -> AuditChainHead:
    head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        AuditChainHead.objects.get_or_create(pk=1)
        head = AuditChainHead.objects.select_for_update().get(pk=1)
    return head


def seal_pending() -> int:
    """Seal every committed event still waiting, in id order; the number sealed."""
    sealed = 0
    while True:
        with transaction.atomic():
            head = _head()
            ids = list(
                AuditPending.objects.order_by("event_id").values_list("event_id", flat=True)[:SEAL_BATCH]
            )
            if not ids:
                return sealed
            seals, prev, pending = [], head.last_hash, set(ids)
            # Read by range when the waiting events are (nearly) one run of ids, as a batch's are: a list of two
            # thousand ids costs more to send than the few others the range skips. An event a crash left waiting
            # long ago is read by its id, not by a range over everything written since.
            dense = ids[-1] - ids[0] < 2 * len(ids)
            events = AuditEvent.objects.filter(
                **({"pk__gte": ids[0], "pk__lte": ids[-1]} if dense else {"pk__in": ids})
            )
            events = events.order_by("pk")
            for values in events.values_list(*CONTENT):
                if values[0] in pending:
                    digest = _link(prev, _canonical(list(values)))
                    seals.append((values[0], prev, digest))
                    prev = digest
            bulk.insert_values(AuditSeal, ["event", "prev_hash", "hash"], seals)
            AuditPending.objects.filter(event_id__in=ids).delete()
            head.last_hash, head.sealed = prev, head.sealed + len(seals)
            head.save(update_fields=["last_hash", "sealed"])
            sealed += len(seals)
        if len(ids) < SEAL_BATCH:
            return sealed  # the last batch: whatever waits now was committed after this one was read


@dataclass
class Verification:
    checked: int
    head_hash: str
    pending: int
    broken_seal: AuditSeal | None = None
    broken_event: AuditEvent | None = None
    why: str = ""

    @property
    def ok(self) -> bool:
        return not self.why


def verify() -> Verification:
    """Recompute the chain from the first kept seal (older ones may have been purged: the first kept seal's
    `prev_hash` is where the walk starts) to the head. Two queries per thousand seals."""
    prev: str | None = None
    checked, last, after = 0, None, 0
    while True:
        seals = list(AuditSeal.objects.filter(pk__gt=after).order_by("pk")[:BATCH])
        if not seals:
            break
        events = AuditEvent.objects.in_bulk([seal.event_id for seal in seals])
        for seal in seals:
            if prev is not None and seal.prev_hash != prev:
                return _broken(checked, seal, "此前的记录被删除、插入或改动过")
            event = events.get(seal.event_id)
            if event is None:
                return _broken(checked, seal, "该记录已被删除")
            if link(seal.prev_hash, event) != seal.hash:
                return _broken(checked, seal, "该记录的内容与封存时不同", event)
            prev, last, checked = seal.hash, seal, checked + 1
        after = seals[-1].pk
    head = AuditChainHead.objects.filter(pk=1).first()
    head_hash = head.last_hash if head else GENESIS
    if last is not None and head_hash != last.hash:
        return _broken(checked, last, "链头与最后一条封存记录不符")
    outside = AuditEvent.objects.filter(seal__isnull=True).exclude(
        pk__in=AuditPending.objects.values("event_id")
    )
    stray = outside.order_by("pk").first()
    if stray is not None:
        return _broken(checked, None, f"有 {outside.count()} 条记录不在链上（未经程序写入）", stray)
    return Verification(checked=checked, head_hash=head_hash, pending=AuditPending.objects.count())


def _event(pk: int) -> AuditEvent | None:
    return AuditEvent.objects.filter(pk=pk).first()


def _broken(checked: int, seal: AuditSeal | None, why: str, event: AuditEvent | None = None) -> Verification:
    head = AuditChainHead.objects.filter(pk=1).first()
    return Verification(
        checked=checked,
        head_hash=head.last_hash if head else GENESIS,
        pending=AuditPending.objects.count(),
        broken_seal=seal,
        broken_event=event or (_event(seal.event_id) if seal else None),
        why=why,
    )


def remove_and_rechain(events) -> int:
    """Delete these events and chain the rest again from the start: for `guatu demo --reset` only, which removes
    the demo's own trail (inside guards.deletion_allowed()). Nothing else ever removes an event but the
    retention purge, which keeps the chain (its first kept seal is where verification starts)."""
    AuditSeal.objects.all().delete()
    AuditPending.objects.all().delete()
    removed = events.delete()[0]
    AuditChainHead.objects.update_or_create(pk=1, defaults={"last_hash": GENESIS, "sealed": 0})
    AuditPending.objects.bulk_create(
        [AuditPending(event_id=pk) for pk in AuditEvent.objects.order_by("pk").values_list("pk", flat=True)],
        batch_size=BATCH,
    )
    transaction.on_commit(_seal_after_commit)
    return removed


def _first_kept(before: datetime) -> int:
    """The first seal of an event at or after `before`: everything sealed earlier may go."""
    keep = AuditSeal.objects.filter(event__at__gte=before).order_by("pk").values_list("pk", flat=True).first()
    if keep is None:
        keep = (AuditSeal.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    return keep


def purgeable(before: datetime) -> int:
    return AuditSeal.objects.filter(pk__lt=_first_kept(before)).count()


def purge(before: datetime) -> tuple[int, int]:
    """Remove the chain's oldest stretch of events, up to the first one at or after `before`: a prefix of the
    chain, so that what is kept still verifies from its first seal (an old event sealed after a young one waits
    for the next purge). Returns (events removed, first kept seal)."""
    keep = _first_kept(before)
    with transaction.atomic():
        old = list(AuditSeal.objects.filter(pk__lt=keep).values_list("event_id", flat=True))
        AuditSeal.objects.filter(pk__lt=keep).delete()
        removed = 0
        for start in range(0, len(old), BATCH):
            removed += (
                AuditEvent.objects.filter(pk__in=old[start : start + BATCH])
                .delete()[1]
                .get("audit.AuditEvent", 0)
            )
    return removed, keep
