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
function that nothing reached asynchronously.

OffsetLag (same guide, "Event source mapping metrics"): of a Kafka event source mapping,
"the difference in offset between the last record written to a topic and the last record
that your function's consumer group processed", at the topic level: the sum over the
topic's partitions of the end offset less the group's committed offset. A gauge, replayed
from `kafka.record_produced` and `kafka.offset_committed` at every instant; a function
reading several topics has one mapping each, and its Maximum is the greatest of theirs."""

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


def function_metrics(
    sim: Simulator, raws: Any, start: int, end: int, only: str | None = None
) -> dict[str, ResourceMetrics]:
    """Each function's invocations, errors, throttles, durations, greatest concurrency and
    (a stream consumer's) iterator age over [start, end]; of the function `only` alone
    when given."""
    found = function_series(sim, raws, Periods.of(start, end), only)
    return {name: series[0] for name, series in found.items()}


def function_series(
    sim: Simulator, raws: Any, periods: Periods, only: str | None = None
) -> dict[str, list[ResourceMetrics]]:
    """Each function's figures in each of `periods`; of the function `only` alone when
    given (a function's figures read its own records only, so they are the same either
    way: the REPL's menu reads one function's of a stack of thousands)."""
    start, count = periods.start, periods.count
    names = set(sim.functions) if only is None else {only} & sim.functions.keys()
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
    lags = offset_lags(sim, raws, periods)
    out: dict[str, list[ResourceMetrics]] = {}
    for fn in (fn for fn in sim.functions if fn in names):
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
            if fn in lags:
                figures.append(Figure("OffsetLag", "Maximum", COUNT, *lags[fn][i]))
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


def _offset(record_id: str) -> int:
    """The offset a Kafka record id (`{topic}-{partition}@{offset}`) names."""
    return int(record_id.rpartition("@")[2])


def offset_lags(
    sim: Simulator, raws: Any, periods: Periods
) -> dict[str, list[tuple[int, int | None]]]:
    """Each Kafka consumer function's greatest OffsetLag in each period, with the instant
    it was first reached: of each of its mappings, the sum over the topic's partitions of
    the end offset less its consumer group's committed offset, a gauge each period opens
    with. When the ring dropped older records, a partition's end offset before the oldest
    kept is the offset of the first record kept that was produced to it (or its end now);
    a group's committed offset is that of the first batch kept that it committed, read
    from its invocation's first record (or its commit now)."""
    topics = sim.services.get("kafka", {})
    # (function, topic) -> that mapping's committed offset by partition
    mappings: dict[tuple[str, str], list[int]] = {
        (consumer.target, name): [0] * len(topic.shards)
        for name, topic in topics.items()
        for consumer in topic.consumers
    }
    if not mappings:
        return {}
    ends = {name: [0] * len(topic.shards) for name, topic in topics.items()}
    if sim.trace.records.first_seq > 1:
        _seed_offsets(sim, raws, ends, mappings)
    readers: dict[str, list[tuple[str, str]]] = {}
    for key in mappings:
        readers.setdefault(key[1], []).append(key)
    count, start = periods.count, periods.start
    bounds = periods.starts()
    lag = {
        key: sum(e - c for e, c in zip(ends[key[1]], mappings[key], strict=True))
        for key in mappings
    }
    functions = sorted({fn for fn, _ in mappings})
    peaks: dict[str, list[tuple[int, int | None]]] = {fn: [(0, None)] * count for fn in functions}
    opened = 0

    def open_until(t: int) -> None:
        nonlocal opened
        while opened < count and bounds[opened] <= t:
            for fn in functions:
                level = max(v for (f, _), v in lag.items() if f == fn)
                peaks[fn][opened] = (level, bounds[opened])
            opened += 1

    for raw in raws:
        kind = raw[1]
        if kind == tk.KAFKA_RECORD_PRODUCED:
            topic = raw[2]
            partition = raw_field(raw, "partition")
            row = ends.get(topic)
            if row is None:
                continue
            open_until(raw[0])
            offset = raw_field(raw, "offset") + 1
            grew = offset - row[partition]
            row[partition] = max(row[partition], offset)
            changed = [(key, grew) for key in readers.get(topic, ())] if grew > 0 else []
        elif kind == tk.KAFKA_OFFSET_COMMITTED:
            key = (raw[2], raw_field(raw, "topic"))
            commits = mappings.get(key)
            if commits is None:
                continue
            open_until(raw[0])
            partition = raw_field(raw, "partition")
            offset = raw_field(raw, "offset")
            changed = [(key, commits[partition] - offset)]
            commits[partition] = offset
        else:
            continue
        t = raw[0]
        for key, delta in changed:
            lag[key] += delta
            if t >= start and delta > 0:
                i = periods.index(t)
                if lag[key] > peaks[key[0]][i][0]:
                    peaks[key[0]][i] = (lag[key], t)
    open_until(bounds[-1])
    return peaks


def _seed_offsets(
    sim: Simulator,
    raws: Any,
    ends: dict[str, list[int]],
    mappings: dict[tuple[str, str], list[int]],
) -> None:
    """The end and committed offsets as they stood before the oldest record kept (see
    `offset_lags`), written into `ends` and `mappings`."""
    topics = sim.services["kafka"]
    for name, topic in topics.items():
        ends[name] = [part.next_offset for part in topic.shards]
        for consumer in topic.consumers:
            commits = mappings[(consumer.target, name)]
            for index in range(len(commits)):
                commits[index] = consumer.commits.get(index, 0)
    seen_end: set[tuple[str, int]] = set()
    seen_commit: set[tuple[str, str, int]] = set()
    first_read: dict[str, int] = {}  # invocation id -> its batch's first offset
    for raw in raws:
        kind = raw[1]
        if kind == tk.KAFKA_RECORD_PRODUCED and raw[2] in ends:
            where = (raw[2], raw_field(raw, "partition"))
            if where not in seen_end:
                seen_end.add(where)
                ends[where[0]][where[1]] = raw_field(raw, "offset")
        elif kind == tk.INVOCATION_STARTED and raw_field(raw, "trigger") == "kafka":
            ids = raw_field(raw, "record_ids")
            if ids:
                first_read[raw_field(raw, "invocation_id")] = _offset(ids[0])
        elif kind == tk.KAFKA_OFFSET_COMMITTED:
            topic, partition = raw_field(raw, "topic"), raw_field(raw, "partition")
            commits = mappings.get((raw[2], topic))
            if commits is None or (raw[2], topic, partition) in seen_commit:
                continue
            seen_commit.add((raw[2], topic, partition))
            read = first_read.get(raw_field(raw, "invocation_id"))
            commits[partition] = raw_field(raw, "offset") if read is None else read
