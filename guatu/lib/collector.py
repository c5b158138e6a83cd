"""CPython's cycle collector, tuned for a Guatu process (settings.GC_THRESHOLD).

The collector runs a young collection every 700 allocations (net of frees) and, every hundred of those, a full
one that walks every object the process holds. A Django process holds about 175,000 from its start on (modules,
URL patterns, compiled templates, translations) that will never be garbage, and a request allocates many
thousands: a 2,000-row workbook import spent a fifth of its time in collections that found nothing, a page a few
per cent. Memory is freed by reference counting as soon as it is unused, whatever this says; only reference
cycles wait for the collector.

`tune()` (guatu.ops's ready()) sets the young generation's threshold, and once the process has served its first
request (its URLs, views and templates loaded by then) moves everything it holds to the collector's permanent
generation (gc.freeze), which full collections no longer walk. Under gunicorn that is each worker, after the fork.
"""

from __future__ import annotations

import gc

from django.core.signals import request_finished

_UID = "guatu.lib.collector.freeze"


def tune(threshold: int) -> None:
    """A young collection every `threshold` allocations (0 leaves Python's default), and the freeze after the first
    request."""
    if threshold <= 0:
        return
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(threshold, older, oldest)
    request_finished.connect(_freeze_once, dispatch_uid=_UID)


def _freeze_once(**kwargs) -> None:
    request_finished.disconnect(dispatch_uid=_UID)
    gc.collect()  # what the start-up left as garbage is freed, not kept for ever
    gc.freeze()
