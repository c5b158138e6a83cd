"""The benchmark's own arithmetic and report, on made-up results: quick, no database, no timing asserted."""

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import report  # noqa: E402
from stats import measure, measure_in_turn, summarize  # noqa: E402


def test_median_and_nearest_rank_p95():
    stats = summarize([float(n) for n in range(20, 0, -1)])
    assert (stats["median_ms"], stats["p95_ms"], stats["min_ms"], stats["max_ms"], stats["runs"]) == (
        10.5,
        19.0,
        1.0,
        20.0,
        20,
    )
    assert summarize([3.0])["p95_ms"] == 3.0


def test_calls_measured_in_turn_alternate_round_by_round():
    order = []
    timed = measure_in_turn(
        {"floor": lambda: order.append("floor") or "f", "figure": lambda: order.append("figure") or "x"},
        runs=3,
        warmups=1,
        budget_s=3600,
    )
    assert order == ["floor", "figure"] * 4  # one warm-up round, three timed
    assert {name: (summary["runs"], result) for name, (summary, result) in timed.items()} == {
        "floor": (3, "f"),
        "figure": (3, "x"),
    }


def test_a_run_over_its_budget_is_cut_short_but_not_below_min_runs():
    calls = []
    summary, result = measure(lambda: calls.append(time.sleep(0.01)) or len(calls), runs=20, warmups=1, budget_s=0.001)
    assert (summary["runs"], result, len(calls)) == (3, 4, 4)  # one warm-up, then min_runs


def _figure(median_ms, **extra):
    return {"median_ms": median_ms, "p95_ms": median_ms, "runs": 5, **extra}


def _results(**overrides):
    size = {
        "label": "16×",
        "counties": 16,
        "projects": 800,
        "reports": 19200,
        "figures": {
            "summary_root": _figure(120),
            "floor_root": _figure(70, same_as_api=True, totals={}),
            "summary_county": _figure(40),
            "list": _figure(60),
            "list_queries": {"count": 8},
            "battlemap_root": _figure(300),
            "battlemap_county": _figure(70),
            "scoring_county": _figure(90),
            "scoring_province": _figure(9000),
            "import": _figure(4000, rows=2000),
            "openpyxl": _figure(1000),
            "bulletin": _figure(2000),
        },
    }
    small = {**size, "label": "1×", "figures": {**size["figures"], "list_queries": {"count": 8}}}
    results = {
        "database": "sqlite",
        "label": "SQLite",
        "quick": False,
        "date": "2026-12-24T10:00:00+08:00",
        "sizes": [small, size],
        "demo": {"pages": [{"label": "lights", "url": "/lights/", "user": "r", "queries": 9, **_figure(45)}]},
        "load": {
            "summary_county": {
                "rps": 350.0,
                "p50_ms": 80,
                "p99_ms": 200.0,
                "max_ms": 300,
                "errors": 0,
                "non2xx": 0,
                "socket_errors": 0,
            },
            "battlemap_county": {
                "rps": 90.0,
                "p50_ms": 300,
                "p99_ms": 900.0,
                "max_ms": 990,
                "errors": 0,
                "non2xx": 0,
                "socket_errors": 0,
            },
            "rss_mb": {"1": 120.0, "2": 130.0},
        },
    }
    results.update(overrides)
    return results


def test_each_target_against_its_limit():
    verdicts = {row["key"]: row["pass"] for row in report.evaluate(_results())}
    assert verdicts == {
        "demo_pages": True,
        "summary_root": True,
        "summary_root_floor": True,
        "summary_county": False,
        "list": True,
        "list_queries": True,
        "battlemap_root": True,
        "battlemap_county": True,
        "scoring_county": True,
        "scoring_province": True,
        "import": True,
        "import_floor": False,
        "bulletin": True,
        "wrk_summary": True,
        "wrk_battlemap": False,
        "memory": True,
    }


def test_floor_totals_that_differ_from_the_api_miss_and_missing_figures_are_not_measured():
    results = _results()
    results["sizes"][-1]["figures"]["floor_root"]["same_as_api"] = False
    del results["load"]
    verdicts = {row["key"]: row["pass"] for row in report.evaluate(results)}
    assert verdicts["summary_root_floor"] is False
    assert verdicts["wrk_summary"] is None and verdicts["memory"] is None


def test_the_generated_part_is_replaced_and_the_rest_kept(tmp_path):
    doc = tmp_path / "performance.md"
    doc.write_text(
        f"# Performance\n\nHand-written.\n\n{report.BEGIN}\nold\n{report.END}\n\n## History\n\nKept.\n"
    )
    report.write_markdown(doc, {"sqlite": _results(), "postgres": None})
    first = doc.read_text()
    report.write_markdown(doc, {"sqlite": _results(), "postgres": None})
    assert doc.read_text() == first
    assert first.startswith("# Performance\n\nHand-written.\n\n") and first.endswith("## History\n\nKept.\n")
    assert (
        "\nold\n" not in first
        and "make bench-postgres" in first
        and "| summary API, one county | ≤ 30 ms |" in first
    )
