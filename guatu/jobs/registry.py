"""Kinds of background job: what each builds, under which name.

An app declares a kind in its `jobs.py` (found at start-up, as admin.py is):

    @job_kind("bulletin", label=_("Progress bulletin"))
    def build(job, progress) -> JobOutput:
        progress(10, _("Reading the figures"))
        ...
        return JobOutput(filename="2022年3月项目推进通报.docx", content=data, content_type=DOCX)

`job.params` holds the JSON values given to `job_start`, `job.unit` and `job.requested_by` the unit and the
user the job is for. `progress(percent, step)` records how far it is (the page shows it while it runs).
A builder raises `JobError` with a message for the user when the job cannot be done (no data for the month);
any other exception fails the job with a general message and its traceback in the log.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from django.utils.functional import Promise


@dataclass(frozen=True)
class JobOutput:
    filename: str  # the name the user downloads, may be Chinese ("2022年3月项目推进通报.docx")
    content: bytes
    content_type: str


class Progress(Protocol):
    def __call__(self, percent: int, step: str) -> None: ...


class JobError(Exception):
    """A job that cannot be done, with the reason to show its requester (translated)."""


@dataclass(frozen=True)
class JobKind:
    kind: str
    label: str | Promise
    build: Callable[..., JobOutput]
    # Whether the requester must see the whole unit (every project of it), as unit-wide figures such as a
    # bulletin's need; checked when the job is started and again at download (gateway.get_visible_job).
    whole_unit: bool = False


_KINDS: dict[str, JobKind] = {}


def job_kind(kind: str, *, label: str | Promise, whole_unit: bool = False):
    """Register the decorated `build(job, progress) -> JobOutput` as the builder of `kind`."""
    if not kind or len(kind) > 40 or not kind.replace("_", "").replace("-", "").isalnum():
        raise ValueError(f"job kind {kind!r}: use up to 40 letters, digits, '-' or '_'")

    def register(build: Callable[..., JobOutput]) -> Callable[..., JobOutput]:
        existing = _KINDS.get(kind)
        if existing is not None and existing.build.__qualname__ != build.__qualname__:
            raise ValueError(f"job kind {kind!r} is already registered by {existing.build.__module__}")
        _KINDS[kind] = JobKind(kind=kind, label=label, build=build, whole_unit=whole_unit)
        return build

    return register


def get_kind(kind: str) -> JobKind | None:
    return _KINDS.get(kind)


def kind_label(kind: str) -> str:
    found = _KINDS.get(kind)
    return str(found.label) if found else kind
