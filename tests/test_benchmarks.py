"""The benchmark scripts measure what they say: the event-source benchmark's counts come from
the year it times, and its floor does exactly that much work."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, BENCHMARKS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def test_the_year_benchmark_counts_the_year_it_times() -> None:
    bench = load("bench_event_sources")
    _, events, fires = bench.year_of_schedules()
    assert fires == 730  # the 9 AM report and the 2 AM job, every day of 2026
    counted_events, records, ids = bench.year_work()
    assert counted_events == events == 1825
    # Per day: 7 records for the report's fire and invocation, the job's fire, submission,
    # attempt and success; 6 ids (2 events, an async event, an invocation, an execution and
    # its Batch job).
    assert (records, ids) == (7 * 365, 6 * 365)
    plan = bench.floor_plan(events, records, ids)
    assert len(plan) == events
    assert sum(len(r) for r, _ in plan) == records and sum(len(i) for _, i in plan) == ids
    assert {len(r) for r, _ in plan} == {1, 2}  # evenly: one or two records a step
