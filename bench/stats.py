"""Timing: warm-up, repeated runs, median and 95th percentile. Shared by the two halves of the benchmark."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def summarize(samples_ms: list[float], cpu_ms: list[float] | None = None) -> dict:
    """Median, p95 (nearest rank: with 20 runs the 19th fastest), min and max of timings in milliseconds."""
    ordered = sorted(samples_ms)
    n = len(ordered)
    rank = max(1, -(-95 * n // 100))  # ceil(0.95 n)
    result = {
        "median_ms": round(statistics.median(ordered), 2),
        "p95_ms": round(ordered[rank - 1], 2),
        "min_ms": round(ordered[0], 2),
        "max_ms": round(ordered[-1], 2),
        "runs": n,
    }
    if cpu_ms:
        result["cpu_median_ms"] = round(statistics.median(cpu_ms), 2)
    return result


def measure(
    call: Callable[[], object], *, runs: int, warmups: int, budget_s: float, min_runs: int = 3
) -> tuple[dict, object]:
    """Time `call` after `warmups` untimed calls: `runs` times, fewer (never under `min_runs`) when that
    many would take longer than `budget_s` at the first timed run's pace. Returns the summary and the last
    call's result.

    The CPU time is this process's: for an in-process measurement on SQLite nearly all of the work; for one
    through HTTP or on PostgreSQL only the client's share, so it is reported for the in-process figures."""
    return measure_in_turn(
        {"call": call}, runs=runs, warmups=warmups, budget_s=budget_s, min_runs=min_runs
    )["call"]


def measure_in_turn(
    calls: dict[str, Callable[[], object]], *, runs: int, warmups: int, budget_s: float, min_runs: int = 3
) -> dict[str, tuple[dict, object]]:
    """`measure` for several calls timed in turn, round by round (a, b, a, b, ...): each is measured under the
    same conditions as the others, so that a ratio of their medians (a figure against its floor) is not skewed by
    the machine's load changing between one series and the next. Fewer rounds (never under `min_runs`) when
    `runs` would take longer than `budget_s` at the first round's pace. Returns each call's summary and last
    result, by name."""
    results: dict[str, object] = dict.fromkeys(calls)
    for _ in range(warmups):
        for name, call in calls.items():
            results[name] = call()
    samples: dict[str, list[float]] = {name: [] for name in calls}
    cpu: dict[str, list[float]] = {name: [] for name in calls}
    count, rounds = runs, 0
    while rounds < count:
        round_started = time.perf_counter()
        for name, call in calls.items():
            started, started_cpu = time.perf_counter(), time.process_time()
            results[name] = call()
            samples[name].append((time.perf_counter() - started) * 1000)
            cpu[name].append((time.process_time() - started_cpu) * 1000)
        rounds += 1
        round_s = time.perf_counter() - round_started
        if rounds == 1 and round_s * runs > budget_s:
            count = min(runs, max(min_runs, int(budget_s // max(round_s, 0.001))))
    return {name: (summarize(samples[name], cpu[name]), results[name]) for name in calls}
