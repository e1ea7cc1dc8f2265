"""CloudWatch's metrics of a run, computed from the trace on demand (`show metrics`, `expect
metric...`): SQS's counts and gauges of each queue, Lambda's of each function, API Gateway's
of each HTTP API and route.

Nothing here runs while the simulation does: the figures are replayed from the records
still in the trace's ring when asked for (design rule 5), so the hot path pays nothing. A
queue's gauges (ApproximateNumberOfMessagesVisible ...) are replayed message by message;
when the ring has dropped its oldest records, the messages that were already in a queue
are taken from the records that name them and from the queue as it is now, so that the
replayed depth now is always the queue's own. What counts as an Error, a Throttle or a
Duration, and the percentile method, are the alarms' (stptui.sim.services.alarm_metrics,
stptui.sim.alarms.statistic_of).
"""

from __future__ import annotations

import heapq
import weakref
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from stptui.sim import trace as tk
from stptui.sim.alarms import statistic_of
from stptui.sim.services.alarm_metrics import field as raw_field

if TYPE_CHECKING:
    from stptui.sim.engine import Simulator

COUNT = "Count"
MILLISECONDS = "Milliseconds"
# The statistics a time is summarised by, as CloudWatch names them.
DURATION_STATS = ("Average", "p50", "p95", "p99", "Maximum")
LATENCY_STATS = ("p50", "p95", "Maximum")

# (metric, statistic, unit) of each kind of resource, in the order `show metrics` lists
# them. `NumberOfMessagesMovedToDLQ` and `SendToDeleteTime` are stptui's own: SQS publishes
# no metric for either.
QUEUE_METRICS: tuple[tuple[str, str, str], ...] = (
    ("NumberOfMessagesSent", "Sum", COUNT),
    ("NumberOfMessagesReceived", "Sum", COUNT),
    ("NumberOfMessagesDeleted", "Sum", COUNT),
    ("NumberOfMessagesMovedToDLQ", "Sum", COUNT),
    ("ApproximateNumberOfMessagesVisible", "Maximum", COUNT),
    ("ApproximateNumberOfMessagesNotVisible", "Maximum", COUNT),
    ("ApproximateNumberOfMessagesDelayed", "Maximum", COUNT),
    ("ApproximateAgeOfOldestMessage", "Maximum", MILLISECONDS),
    *(("SendToDeleteTime", s, MILLISECONDS) for s in LATENCY_STATS),
)
FUNCTION_METRICS: tuple[tuple[str, str, str], ...] = (
    ("Invocations", "Sum", COUNT),
    ("Errors", "Sum", COUNT),
    ("Throttles", "Sum", COUNT),
    *(("Duration", s, MILLISECONDS) for s in DURATION_STATS),
    ("ConcurrentExecutions", "Maximum", COUNT),
    ("IteratorAge", "Maximum", MILLISECONDS),
)
HTTP_METRICS: tuple[tuple[str, str, str], ...] = (
    ("Count", "Sum", COUNT),
    ("4xx", "Sum", COUNT),
    ("5xx", "Sum", COUNT),
    *(("Latency", s, MILLISECONDS) for s in LATENCY_STATS),
)

_DELAYED, _VISIBLE, _IN_FLIGHT = 0, 1, 2
# The records that name a message already in the queue, and the state each finds it in:
# a message first named by one of these when the ring has dropped older records was in the
# queue before the oldest record kept.
_FOUND_IN = {
    tk.MESSAGE_RECEIVED: _VISIBLE,
    tk.MESSAGE_DEAD_LETTERED: _VISIBLE,
    tk.MESSAGE_REDRIVEN: _VISIBLE,
    tk.MESSAGE_EXPIRED: _VISIBLE,
    tk.MESSAGE_RETURNED: _IN_FLIGHT,
    tk.MESSAGE_DELETED: _IN_FLIGHT,
    tk.MESSAGE_VISIBILITY_CHANGED: _IN_FLIGHT,
}
_QUEUE_KINDS = frozenset((tk.MESSAGE_SENT, tk.QUEUE_PURGED, *_FOUND_IN, tk.MESSAGE_DELETE_STALE))
_ENDED = (tk.INVOCATION_SUCCEEDED, tk.INVOCATION_FAILED)
_PUT_KINDS = (tk.STREAM_RECORD_PUT, tk.ITEM_PUT, tk.ITEM_UPDATED, tk.ITEM_DELETED)


@dataclass(slots=True)
class Figure:
    """One statistic of one metric over the window: None when it has no datapoint (no
    sample in the window), `at` the instant a maximum gauge was first reached."""

    metric: str
    statistic: str
    unit: str
    value: float | None
    at: int | None = None


@dataclass(slots=True)
class ResourceMetrics:
    """The figures of one resource (or, for an HTTP API's route, `resource` is `API ROUTE`);
    `now` holds a queue's replayed gauges at the window's end."""

    resource: str
    kind: str  # queue, function, http-api, route
    figures: list[Figure] = field(default_factory=list)
    now: dict[str, int] = field(default_factory=dict)

    def figure(self, metric: str, statistic: str) -> Figure | None:
        """The figure of `metric` by `statistic`, if the resource has it."""
        return next(
            (f for f in self.figures if f.metric == metric and f.statistic == statistic), None
        )


@dataclass(slots=True)
class Metrics:
    """Every resource's figures over [start, end]. `dropped` records were dropped by the
    ring before the oldest kept, which is at `kept_from` (the figures count from there when
    it is later than the window's start asked for)."""

    start: int
    end: int
    dropped: int
    kept: int
    kept_from: int | None
    resources: dict[str, ResourceMetrics]


def metric_names(kind: str) -> tuple[tuple[str, str, str], ...]:
    """The (metric, statistic, unit) triples a kind of resource has."""
    return {"queue": QUEUE_METRICS, "function": FUNCTION_METRICS}.get(kind, HTTP_METRICS)


def measured(sim: Simulator) -> dict[str, str]:
    """The resources `show metrics` measures, by name: queue, function or http-api."""
    out = {name: "queue" for name in sim.queues}
    out.update({name: "function" for name in sim.functions})
    http = sim.services.get("http")
    if http is not None:
        out.update({name: "http-api" for name in http.apis})
    return out


# The last computation: `expect` and completion read several figures of one state, which
# one replay answers. Its simulator is held weakly (a `load` replaces it), with what the
# figures depend on: the trace (a caller may give the simulator a new one) and its newest
# record, the clock and the window.
_CACHE: list[tuple[weakref.ref[Simulator], tuple[int, int, int, int], Metrics]] = []


def compute(sim: Simulator, since_ms: int | None = None) -> Metrics:
    """The figures of every measured resource over the last `since_ms` of virtual time
    (all the time the trace still holds when None)."""
    trace = sim.trace
    trace.settle()
    now = sim.clock.now
    key = (id(trace), trace.seq, now, -1 if since_ms is None else since_ms)
    if _CACHE and _CACHE[0][0]() is sim and _CACHE[0][1] == key:
        return _CACHE[0][2]
    ring = trace.records
    raws = ring._raw
    dropped = ring.first_seq - 1
    kept_from = raws[0][0] if raws else None
    start = sim.start_ms if since_ms is None else max(sim.start_ms, now - since_ms)
    if dropped and kept_from is not None:
        start = max(start, kept_from)
    resources = _queues(sim, raws, start, now, seeded=dropped > 0)
    resources.update(_functions(sim, raws, start, now))
    resources.update(_http(sim, raws, start))
    result = Metrics(start, now, dropped, len(raws), kept_from, resources)
    _CACHE[:] = [(weakref.ref(sim), key, result)]
    return result


def _samples(metric: str, values: list[float], stats: Iterable[str]) -> list[Figure]:
    return [Figure(metric, s, MILLISECONDS, statistic_of(values, s)) for s in stats]


# -- queues ------------------------------------------------------------------------------------


class _Queue:
    """One queue's replayed state: its messages' states, and the gauges' maxima."""

    __slots__ = ("counts", "fifo", "maxima", "messages", "name", "sums")

    def __init__(self, name: str, fifo: bool) -> None:
        self.name = name
        self.fifo = fifo
        self.messages: dict[str, int] = {}
        self.counts = [0, 0, 0]  # delayed, visible, in flight
        # -1: the window's first sample sets each, 0 included, with the instant it opens.
        self.maxima: list[tuple[int, int | None]] = [(-1, None), (-1, None), (-1, None)]
        # sent, received, deleted, moved to the DLQ
        self.sums = [0, 0, 0, 0]

    def add(self, mid: str, state: int) -> None:
        self.messages[mid] = state
        self.counts[state] += 1

    def move(self, mid: str, state: int) -> None:
        old = self.messages.get(mid)
        if old is None:
            self.add(mid, state)
            return
        self.counts[old] -= 1
        self.messages[mid] = state
        self.counts[state] += 1

    def remove(self, mid: str) -> bool:
        old = self.messages.pop(mid, None)
        if old is None:
            return False
        self.counts[old] -= 1
        return True

    def sample(self, t: int) -> None:
        maxima = self.maxima
        for i, n in enumerate(self.counts):
            if n > maxima[i][0]:
                maxima[i] = (n, t)


def _found(sim: Simulator, raws: Iterable[tk.Raw]) -> dict[str, dict[str, int]]:
    """The messages each queue held before the oldest record kept, with their state then:
    those a record names before any record adds them, and those in the queue now that no
    kept record added (they were left alone throughout, or named only by such records)."""
    found: dict[str, dict[str, int]] = {name: {} for name in sim.queues}
    arrived: set[tuple[str, str]] = set()
    for raw in raws:
        kind = raw[1]
        if kind not in _QUEUE_KINDS or kind == tk.QUEUE_PURGED:
            continue
        q = raw[2]
        mid = raw_field(raw, "message_id")
        if kind == tk.MESSAGE_SENT:
            arrived.add((q, mid))
            continue
        if kind == tk.MESSAGE_DEAD_LETTERED:
            arrived.add((raw_field(raw, "target"), mid))
        state = _FOUND_IN.get(kind)
        if state is not None and (q, mid) not in arrived and q in found:
            found[q].setdefault(mid, state)
    for name, queue in sim.queues.items():
        for mid, msg in queue.messages.items():
            if (name, mid) not in arrived and mid not in found[name]:
                found[name][mid] = (
                    _DELAYED
                    if msg.state_name == "delayed"
                    else (_IN_FLIGHT if msg.state_name == "in_flight" else _VISIBLE)
                )
    return found


def _queues(
    sim: Simulator, raws: Any, start: int, end: int, *, seeded: bool
) -> dict[str, ResourceMetrics]:
    """Replay every queue's messages through the kept records; `seeded` (the ring dropped
    records) starts each queue with the messages it held before them."""
    found = _found(sim, raws) if seeded else {}
    replay = _replay_queues(sim, raws, start, end, found, ghosts={})
    if seeded:
        # A purge that deleted more messages than the replay knew of deleted messages that
        # no kept record names: they were in the queue from before the oldest record kept
        # until the purge. Replay again with them there.
        ghosts = replay[1]
        if ghosts:
            replay = _replay_queues(sim, raws, start, end, found, ghosts=ghosts)
    return replay[0]


def _replay_queues(
    sim: Simulator,
    raws: Any,
    start: int,
    end: int,
    found: dict[str, dict[str, int]],
    ghosts: dict[str, int],
) -> tuple[dict[str, ResourceMetrics], dict[str, int]]:
    queues = {name: _Queue(name, q.fifo) for name, q in sim.queues.items()}
    # SentTimestamp and the enqueue time retention and age count from, by message id.
    sent_at: dict[str, int] = {}
    enqueued: dict[str, int] = {}
    delays: list[tuple[int, int, str, str]] = []  # (visible at, order, queue, message id)
    for name, held in found.items():
        live = sim.queues[name].messages
        for mid, state in held.items():
            queues[name].add(mid, state)
            msg = live.get(mid)
            if msg is not None:
                sent_at[mid] = msg.sent_at
                enqueued[mid] = msg.enqueued_at
                if state == _DELAYED:
                    delays.append((msg.visible_at, len(delays), name, mid))
    heapq.heapify(delays)
    for name, n in ghosts.items():
        for i in range(n):
            queues[name].add(f"\0ghost-{i}", _VISIBLE)
    oldest: dict[str, tuple[int, int | None]] = {name: (0, None) for name in queues}
    to_delete: dict[str, list[float]] = {name: [] for name in queues}
    new_ghosts: dict[str, int] = {}
    purged: set[str] = set()
    entered = False

    def left(q: str, mid: str, t: int) -> None:
        """The message left queue q at t: a candidate for its oldest message's age."""
        enq = enqueued.get(mid)
        if enq is not None and t >= start and t - enq > oldest[q][0]:
            oldest[q] = (t - enq, t)

    def release_delays(until: int) -> None:
        while delays and delays[0][0] <= until:
            at, _, q, mid = heapq.heappop(delays)
            queue = queues[q]
            if queue.messages.get(mid) == _DELAYED:
                queue.move(mid, _VISIBLE)
                if at >= start:
                    queue.sample(at)

    for raw in raws:
        kind = raw[1]
        if kind not in _QUEUE_KINDS:
            continue
        t = raw[0]
        if not entered and t >= start:
            # The gauges as the window opens count too (a queue full before it).
            release_delays(start)
            entered = True
            for queue in queues.values():
                queue.sample(start)
        if delays:
            release_delays(t)
        queue = queues.get(raw[2])
        if queue is None:
            continue
        counting = t >= start
        if kind == tk.QUEUE_PURGED:
            count = raw_field(raw, "count") or 0
            known = len(queue.messages)
            if count > known and queue.name not in purged:
                new_ghosts[queue.name] = count - known
            purged.add(queue.name)
            for mid in list(queue.messages):
                left(queue.name, mid, t)
                queue.remove(mid)
            continue
        mid = raw_field(raw, "message_id")
        if kind == tk.MESSAGE_SENT:
            sent_at[mid] = enqueued[mid] = t
            delay = raw_field(raw, "delay_ms")
            if delay:
                queue.add(mid, _DELAYED)
                heapq.heappush(delays, (t + delay, len(delays), queue.name, mid))
            else:
                queue.add(mid, _VISIBLE)
            if counting:
                queue.sums[0] += 1
        elif kind == tk.MESSAGE_RECEIVED:
            queue.move(mid, _IN_FLIGHT)
            if counting:
                queue.sums[1] += 1
        elif kind == tk.MESSAGE_RETURNED:
            queue.move(mid, _VISIBLE)
        elif kind == tk.MESSAGE_DELETED:
            left(queue.name, mid, t)
            queue.remove(mid)
            if counting:
                queue.sums[2] += 1
                if mid in sent_at:
                    to_delete[queue.name].append(t - sent_at[mid])
        elif kind == tk.MESSAGE_DEAD_LETTERED:
            left(queue.name, mid, t)
            queue.remove(mid)
            if counting:
                queue.sums[3] += 1
            target = queues.get(raw_field(raw, "target"))
            if target is not None:
                # A FIFO dead-letter queue resets the enqueue time; a standard one keeps it
                # (unknown when its send was dropped, unless the message is still there).
                if target.fifo:
                    enqueued[mid] = t
                elif mid not in enqueued and (live := sim.find_message(mid)) is not None:
                    enqueued[mid] = live.enqueued_at
                target.add(mid, _VISIBLE)
                if counting:
                    target.sample(t)
        elif kind in (tk.MESSAGE_EXPIRED, tk.MESSAGE_REDRIVEN):
            left(queue.name, mid, t)
            queue.remove(mid)
        else:
            continue  # a stale delete or a visibility change: the counts stay
        if counting:
            queue.sample(t)
    if not entered:
        release_delays(start)
        for queue in queues.values():
            queue.sample(start)
    release_delays(end)
    out: dict[str, ResourceMetrics] = {}
    for name, queue in queues.items():
        for mid in queue.messages:
            left(name, mid, end)
        figures = [
            Figure(metric, "Sum", COUNT, n)
            for (metric, _, _), n in zip(QUEUE_METRICS[:4], queue.sums, strict=True)
        ]
        gauges = (_VISIBLE, _IN_FLIGHT, _DELAYED)
        for (metric, _, _), i in zip(QUEUE_METRICS[4:7], gauges, strict=True):
            value, at = queue.maxima[i]
            figures.append(Figure(metric, "Maximum", COUNT, value, at))
        age, at = oldest[name]
        figures.append(
            Figure(
                "ApproximateAgeOfOldestMessage",
                "Maximum",
                MILLISECONDS,
                age if at is not None else None,
                at,
            )
        )
        figures += _samples("SendToDeleteTime", to_delete[name], LATENCY_STATS)
        out[name] = ResourceMetrics(
            name,
            "queue",
            figures,
            now={
                "visible": queue.counts[_VISIBLE],
                "in_flight": queue.counts[_IN_FLIGHT],
                "delayed": queue.counts[_DELAYED],
                "depth": len(queue.messages),
            },
        )
    return out, new_ghosts


# -- functions --------------------------------------------------------------------------------


def _functions(sim: Simulator, raws: Any, start: int, end: int) -> dict[str, ResourceMetrics]:
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
        figures = [
            Figure(metric, "Sum", COUNT, n)
            for (metric, _, _), n in zip(FUNCTION_METRICS[:3], sums[fn], strict=True)
        ]
        figures += _samples("Duration", durations[fn], DURATION_STATS)
        figures.append(Figure("ConcurrentExecutions", "Maximum", COUNT, peak[0], peak[1]))
        if ages[fn]:
            age, at = max(ages[fn], key=lambda a: a[0])
            figures.append(Figure("IteratorAge", "Maximum", MILLISECONDS, age, at))
        out[fn] = ResourceMetrics(fn, "function", figures)
    return out


# -- HTTP APIs --------------------------------------------------------------------------------


def _http(sim: Simulator, raws: Any, start: int) -> dict[str, ResourceMetrics]:
    http = sim.services.get("http")
    if http is None:
        return {}
    apis = set(http.apis)
    routes: dict[str, str | None] = {}  # request id -> route key
    # (api or `api route`) -> [count, 4xx, 5xx], latencies
    sums: dict[str, list[int]] = {name: [0, 0, 0] for name in apis}
    latencies: dict[str, list[float]] = {name: [] for name in apis}
    for raw in raws:
        kind = raw[1]
        if raw[2] not in apis or kind not in (tk.HTTP_REQUEST, tk.HTTP_RESPONSE):
            continue
        request_id = raw_field(raw, "request_id")
        if kind == tk.HTTP_REQUEST:
            routes[request_id] = raw_field(raw, "route")
            continue
        route = routes.pop(request_id, None)
        if raw[0] < start:
            continue
        status = raw_field(raw, "status")
        latency = raw_field(raw, "latency_ms")
        for key in (raw[2], *([f"{raw[2]} {route}"] if route else [])):
            counts = sums.setdefault(key, [0, 0, 0])
            counts[0] += 1
            if isinstance(status, int):
                counts[1] += 400 <= status <= 499
                counts[2] += 500 <= status <= 599
            if isinstance(latency, (int, float)):
                latencies.setdefault(key, []).append(latency)
    out: dict[str, ResourceMetrics] = {}
    for key in sorted(sums, key=lambda k: (k.split(" ", 1)[0], " " in k, k)):
        figures = [
            Figure(metric, "Sum", COUNT, n)
            for (metric, _, _), n in zip(HTTP_METRICS[:3], sums[key], strict=True)
        ]
        figures += _samples("Latency", latencies.get(key, []), LATENCY_STATS)
        out[key] = ResourceMetrics(key, "route" if " " in key else "http-api", figures)
    return out
