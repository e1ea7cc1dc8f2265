"""Lambda's metrics of each function, from the trace. What counts as an Error, a Throttle or
a Duration is the alarms' (stptui.sim.services.alarm_metrics); when it counts is Lambda's:
an invocation's Invocations, Errors and Duration are stamped with the instant it was
invoked, not the instant it ended ("the timestamp on an error metric reflects when the
function was invoked, not when the error occurred", Lambda developer guide, "Types of
metrics for Lambda functions").

Asynchronous invocation (same guide, "Asynchronous invocation metrics"): AsyncEventsReceived
counts the events Lambda queued, stamped when it queued them (an attempt whose `age_ms` is
0, or a stop by recursive loop detection, which only a first attempt meets);
AsyncEventAge samples each attempt Lambda invoked, retries included, by the `age_ms` its
`invocation.started` carries (throttled attempts are no invocations); AsyncEventsDropped
counts `invocation.discarded`, an event given up whether or not it then went to an
on-failure destination; DestinationDeliveryFailures counts the onSuccess and onFailure
deliveries that failed (a stream mapping's too); RecursiveInvocationsDropped the
invocations recursive loop detection stopped (SQS batches too). These are listed only for
a function that has a datapoint of one of them in the window: CloudWatch has none for a
function that nothing reached asynchronously."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from stptui.sim import trace as tk
from stptui.sim.metrics.figures import (
    ASYNC_METRICS,
    COUNT,
    DURATION_STATS,
    EXECUTION_STATS,
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
# What the asynchronous counts count: the index of each in a period's counts.
_RECEIVED, _DROPPED, _DELIVERY_FAILED, _STOPPED = range(4)
_DESTINATIONS = ("onSuccess", "onFailure")


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
    # received, dropped, destination deliveries failed, recursive invocations stopped
    async_counts = {n: [[0, 0, 0, 0] for _ in range(count)] for n in names}
    # (AsyncEventAge, the instant the attempt was invoked) of each asynchronous attempt.
    event_ages: dict[str, list[list[tuple[int, int]]]] = {
        n: [[] for _ in range(count)] for n in names
    }
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
            if t < start:
                continue
            numbers = raw_field(raw, "sequence_numbers")
            if numbers:
                put = put_at.get((raw_field(raw, "stream"), numbers[-1]))
                if put is not None:
                    ages[fn][periods.index(t)].append((t - put, t))
            age = raw_field(raw, "age_ms")
            if age is not None:  # an attempt of an asynchronous event
                i = periods.index(t)
                event_ages[fn][i].append((age, t))
                async_counts[fn][i][_RECEIVED] += age == 0
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
        elif t < start:
            continue
        elif kind == tk.INVOCATION_THROTTLED:
            i = periods.index(t)
            sums[fn][i][2] += 1
            # An asynchronous event's first attempt was throttled: Lambda queued it now.
            async_counts[fn][i][_RECEIVED] += raw_field(raw, "age_ms") == 0
        elif kind == tk.INVOCATION_DISCARDED:
            async_counts[fn][periods.index(t)][_DROPPED] += 1
        elif kind == tk.INVOCATION_RECURSION_STOPPED:
            counts = async_counts[fn][periods.index(t)]
            counts[_STOPPED] += 1
            # Lambda stops an event before its first attempt (its chain never changes), so
            # an asynchronous one was queued at this instant.
            counts[_RECEIVED] += raw_field(raw, "event_id") is not None
        elif kind == tk.EMISSION_FAILED and raw_field(raw, "emission") in _DESTINATIONS:
            async_counts[fn][periods.index(t)][_DELIVERY_FAILED] += 1
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
        # The asynchronous figures of every period, or of none: the window has a datapoint
        # of one of them.
        asynchronous = any(event_ages[fn]) or any(map(any, async_counts[fn]))
        series: list[ResourceMetrics] = []
        for i in range(count):
            figures = counted(FUNCTION_METRICS, sums[fn][i])
            figures += samples("Duration", durations[fn][i], DURATION_STATS)
            figures.append(Figure("ConcurrentExecutions", "Maximum", COUNT, *peaks[i]))
            if ages[fn][i]:
                age, at = max(ages[fn][i], key=lambda a: a[0])
                figures.append(Figure("IteratorAge", "Maximum", MILLISECONDS, age, at))
            if asynchronous:
                figures += _async_figures(async_counts[fn][i], event_ages[fn][i])
            series.append(ResourceMetrics(fn, "function", figures))
        out[fn] = series
    return out


def _async_figures(counts: list[int], event_ages: list[tuple[int, int]]) -> list[Figure]:
    """A period's asynchronous figures, in ASYNC_METRICS' order: AsyncEventAge's Maximum
    with the instant it was first reached, as a gauge's."""
    received, dropped, delivery_failed, stopped = counts
    ages = [float(age) for age, _ in event_ages]
    figures = [Figure("AsyncEventsReceived", "Sum", COUNT, received)]
    figures += samples("AsyncEventAge", ages, EXECUTION_STATS[:-1])
    if event_ages:
        oldest, at = max(event_ages, key=lambda a: a[0])  # the first of equal ages
        figures.append(Figure("AsyncEventAge", "Maximum", MILLISECONDS, oldest, at))
    else:
        figures.append(Figure("AsyncEventAge", "Maximum", MILLISECONDS, None))
    figures += counted(ASYNC_METRICS[-3:], (dropped, delivery_failed, stopped))
    return figures
