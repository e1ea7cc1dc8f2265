"""Lambda's metrics of each function, from the trace. What counts as an Error, a Throttle or
a Duration is the alarms' (stptui.sim.services.alarm_metrics); when it counts is Lambda's:
an invocation's Invocations, Errors and Duration are stamped with the instant it was
invoked, not the instant it ended ("the timestamp on an error metric reflects when the
function was invoked, not when the error occurred", Lambda developer guide, "Types of
metrics for Lambda functions")."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from stptui.sim import trace as tk
from stptui.sim.metrics.figures import (
    COUNT,
    DURATION_STATS,
    FUNCTION_METRICS,
    MILLISECONDS,
    Figure,
    Periods,
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
    found = function_series(sim, raws, Periods.of(start, end))
    return {name: series[0] for name, series in found.items()}


def function_series(
    sim: Simulator, raws: Any, periods: Periods
) -> dict[str, list[ResourceMetrics]]:
    """Each function's figures in each of `periods`."""
    start, count = periods.start, periods.count
    names = set(sim.functions)
    # invocations, errors, throttles
    sums = {n: [[0, 0, 0] for _ in range(count)] for n in names}
    durations: dict[str, list[list[float]]] = {n: [[] for _ in range(count)] for n in names}
    ages: dict[str, list[list[tuple[int, int]]]] = {n: [[] for _ in range(count)] for n in names}
    # (t, +1 or -1) of each start and end, and the ids started, for ConcurrentExecutions.
    steps: dict[str, list[tuple[int, int]]] = {n: [] for n in names}
    started: dict[str, dict[str, int]] = {n: {} for n in names}
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
            started[fn][raw_field(raw, "invocation_id")] = t
            numbers = raw_field(raw, "sequence_numbers")
            if numbers and t >= start:
                put = put_at.get((raw_field(raw, "stream"), numbers[-1]))
                if put is not None:
                    ages[fn][periods.index(t)].append((t - put, t))
        elif kind in _ENDED:
            invoked = started[fn].pop(raw_field(raw, "invocation_id"), None)
            steps[fn].append((t, -1))
            if invoked is None:
                # Started before the oldest record kept, so before the window: its figures
                # are stamped then, outside it.
                before[fn] += 1
            elif invoked >= start:
                i = periods.index(invoked)
                sums[fn][i][0] += 1
                sums[fn][i][1] += kind == tk.INVOCATION_FAILED
                got = raw_field(raw, "duration_ms")
                if isinstance(got, (int, float)):
                    durations[fn][i].append(got)
        elif kind == tk.INVOCATION_THROTTLED and t >= start:
            sums[fn][periods.index(t)][2] += 1
    bounds = periods.starts()
    out: dict[str, list[ResourceMetrics]] = {}
    for fn in sorted(names, key=list(sim.functions).index):
        # Running now but started before the oldest record kept: running throughout.
        running = before[fn] + max(0, sim.functions[fn].running - len(started[fn]))
        # Each period's greatest concurrency, from the level it opens with.
        peaks: list[tuple[int, int | None]] = [(0, None)] * count
        opened = 0
        for t, delta in steps[fn]:
            while opened < count and bounds[opened] <= t:
                peaks[opened] = (running, bounds[opened])
                opened += 1
            running += delta
            if t >= start:
                i = periods.index(t)
                if running > peaks[i][0]:
                    peaks[i] = (running, t)
        for i in range(opened, count):
            peaks[i] = (running, bounds[i])
        series: list[ResourceMetrics] = []
        for i in range(count):
            figures = counted(FUNCTION_METRICS, sums[fn][i])
            figures += samples("Duration", durations[fn][i], DURATION_STATS)
            figures.append(Figure("ConcurrentExecutions", "Maximum", COUNT, *peaks[i]))
            if ages[fn][i]:
                age, at = max(ages[fn][i], key=lambda a: a[0])
                figures.append(Figure("IteratorAge", "Maximum", MILLISECONDS, age, at))
            series.append(ResourceMetrics(fn, "function", figures))
        out[fn] = series
    return out
