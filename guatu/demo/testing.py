"""The demo for the test suite: loaded through the services the first time in a worker and database, and after
that put back as it was by bulk insert (like guatu.testing.restore_world), which takes about a second where the
services take seven to twenty. The demo's own tests of loading, resetting and deleting call the services
themselves; this is for tests that need the demo loaded to read it (the bulletin, the demo's figures)."""

from __future__ import annotations

from dataclasses import dataclass
from io import StringIO

from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.utils import translation

from guatu import clock
from guatu.testing import max_ids


@dataclass
class _DemoRows:
    rows: list[tuple[type, list[dict]]]  # every row the load wrote, per model
    head_before: tuple[str, int]  # the audit chain's head before the load, and after it
    head_after: tuple[str, int]
    output: str  # what the load printed


_SNAPSHOTS: dict[tuple, _DemoRows] = {}


def _head() -> tuple[str, int]:
    """The audit chain's head as (last hash, events sealed); no head row is the empty chain (chain.GENESIS)."""
    from guatu.audit.chain import GENESIS
    from guatu.audit.models import AuditChainHead

    return AuditChainHead.objects.filter(pk=1).values_list("last_hash", "sealed").first() or (GENESIS, 0)


def _restore(snapshot: _DemoRows) -> bool:
    from guatu.audit.models import AuditChainHead

    try:
        with transaction.atomic():
            for model, found in snapshot.rows:
                model.objects.bulk_create([model(**row) for row in found])
            last_hash, sealed = snapshot.head_after
            AuditChainHead.objects.update_or_create(pk=1, defaults={"last_hash": last_hash, "sealed": sealed})
    except IntegrityError:
        return False
    return True


def run_demo(*args) -> str:
    """`guatu demo ARGS`, in English; what it printed."""
    out = StringIO()
    with translation.override("en"):
        call_command("demo", *args, stdout=out)
    return out.getvalue()


def demo_loaded() -> str:
    """`guatu demo` (run_demo), or the rows an earlier run wrote in this worker, database and day put back, and
    what it printed then. Only outside a test's transaction (a
    module's or package's fixture, a transactional test): the audit chain is sealed on commit. Loads through
    the services again whenever the database is not as it was before that first load (the audit chain's head
    has moved, or a kept row's key is taken)."""
    from guatu.audit.models import AuditChainHead, AuditPending

    key = (connection.vendor, connection.settings_dict["NAME"], clock.today())
    snapshot = _SNAPSHOTS.get(key)
    if snapshot is not None and _head() == snapshot.head_before and _restore(snapshot):
        return snapshot.output
    before, head_before = max_ids(), _head()
    output = run_demo()
    rows = []
    for model, top in before.items():
        if model in (AuditChainHead, AuditPending):
            continue
        names = [field.attname for field in model._meta.concrete_fields]
        found = list(model.objects.filter(pk__gt=top).order_by("pk").values(*names))
        if found:
            rows.append((model, found))
    if not AuditPending.objects.exists():  # every event sealed: the kept rows are a whole, verifiable chain
        _SNAPSHOTS[key] = _DemoRows(rows=rows, head_before=head_before, head_after=_head(), output=output)
    return output
