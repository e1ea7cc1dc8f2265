"""Lambda's metrics of each function, from the trace. What counts as an Error, a Throttle or
a Duration is the alarms' (stptui.sim.services.alarm_metrics)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from stptui.sim import trace as tk
from stptui.sim.metrics.figures import (
    COUNT,
    DURATION_STATS,
    FUNCTION_METRICS,
    MILLISECONDS,
    Figure,
    ResourceMetrics,
    counted,
    samples,
)
from stptui.sim.services.alarm_metrics import field as raw_field

if TYPE_CHECKING:
    from stptui.sim.engine import Simulator

_ENDED = (tk.INVOCATION_SUCCEEDED, tk.INVOCATION_FAILED)
_PUT_KINDS = (tk.STREAM_RECORD_PUT, tk.ITEM_PUT, tk.ITEM_UPDATED, tk.ITEM_DELETED)


def function_metrics(sim: Simulator, raws: Any, start: int, end: int) -> dict[str, ResourceMetrics]:
    """Each function's invocations, errors, throttles, durations, greatest concurrency and
    (a stream consumer's) iterator age over [start, end]."""
    names = set(sim.functions)
    sums = {n: [0, 0, 0] for n in names}  # invocations, errors, throttles
    durations: dict[str, list[float]] = {n: [] for n in names}
    ages: dict[str, list[tuple[int, int]]] = {n: [] for n in names}
    # (t, +1 or -1) of each start and end, and the ids started, for ConcurrentExecutions.
    steps: dict[str, list[tuple[int, int]]] = {n: [] for n in names}
    started: dict[str, set[str]] = {n: set() for n in names}
    before = dict.fromkeys(names, 0)  # invocations running before the oldest record kept
    put_at: dict[tuple[str, str], int] = {}
    for raw in raws:
        kind = raw[1]
        if kind in _PUT_KINDS:
            seq_number = raw_field(raw, "sequence_number")
            if seq_number is not None:
                put_at[(raw[2], seq_number)] = raw[0]
            continue
        fn = raw[2]
        if fn not in names:
            continue
        t = raw[0]
        if kind == tk.INVOCATION_STARTED:
            steps[fn].append((t, 1))
            started[fn].add(raw_field(raw, "invocation_id"))
            numbers = raw_field(raw, "sequence_numbers")
            if numbers and t >= start:
                put = put_at.get((raw_field(raw, "stream"), numbers[-1]))
                if put is not None:
                    ages[fn].append((t - put, t))
        elif kind in _ENDED:
            iid = raw_field(raw, "invocation_id")
            if iid in started[fn]:
                started[fn].discard(iid)
                steps[fn].append((t, -1))
            else:
                before[fn] += 1
                steps[fn].append((t, -1))
            if t >= start:
                sums[fn][0] += 1
                sums[fn][1] += kind == tk.INVOCATION_FAILED
                got = raw_field(raw, "duration_ms")
                if isinstance(got, (int, float)):
                    durations[fn].append(got)
        elif kind == tk.INVOCATION_THROTTLED and t >= start:
            sums[fn][2] += 1
    out: dict[str, ResourceMetrics] = {}
    for fn in sorted(names, key=list(sim.functions).index):
        # Running now but started before the oldest record kept: running throughout.
        running = before[fn] + max(0, sim.functions[fn].running - len(started[fn]))
        peak: tuple[int, int | None] = (0, None)
        for t, delta in steps[fn]:
            if t >= start and peak[1] is None:
                peak = (running, start)
            running += delta
            if t >= start and running > peak[0]:
                peak = (running, t)
        if peak[1] is None:
            peak = (running, start)
        figures = counted(FUNCTION_METRICS, sums[fn])
        figures += samples("Duration", durations[fn], DURATION_STATS)
        figures.append(Figure("ConcurrentExecutions", "Maximum", COUNT, peak[0], peak[1]))
        if ages[fn]:
            age, at = max(ages[fn], key=lambda a: a[0])
            figures.append(Figure("IteratorAge", "Maximum", MILLISECONDS, age, at))
        out[fn] = ResourceMetrics(fn, "function", figures)
    return out
