"""SQS's metrics of each queue, replayed message by message from the trace.

When the ring has dropped its oldest records, the messages that were already in a queue
are taken from the records that name them and from the queue as it is now, so that the
replayed depth now is always the queue's own."""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from stptui.sim import trace as tk
from stptui.sim.metrics.figures import (
    COUNT,
    LATENCY_STATS,
    MILLISECONDS,
    QUEUE_METRICS,
    Figure,
    Periods,
    ResourceMetrics,
    counted,
    samples,
)
from stptui.sim.services.alarm_metrics import field as raw_field

if TYPE_CHECKING:
    from stptui.sim.engine import Simulator

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
# "After a message is received three times (or more) and not processed", a standard queue
# moves it to the back and ApproximateAgeOfOldestMessage leaves it out until it is
# processed (SQS developer guide, "Available CloudWatch metrics for Amazon SQS").
_POISON_RECEIVES = 3


class _Queue:
    """One queue's replayed state: its messages' states, and per period the gauges' maxima
    and the counts."""

    __slots__ = ("counts", "fifo", "maxima", "messages", "name", "periods", "sums")

    def __init__(self, name: str, fifo: bool, periods: Periods) -> None:
        self.name = name
        self.fifo = fifo
        self.periods = periods
        self.messages: dict[str, int] = {}
        self.counts = [0, 0, 0]  # delayed, visible, in flight
        # -1: each period's first sample sets each, 0 included, with the instant it opens.
        self.maxima: list[list[tuple[int, int | None]]] = [
            [(-1, None), (-1, None), (-1, None)] for _ in range(periods.count)
        ]
        # sent, received, deleted, moved to the DLQ
        self.sums = [[0, 0, 0, 0] for _ in range(periods.count)]

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

    def count(self, t: int, column: int) -> None:
        self.sums[self.periods.index(t)][column] += 1

    def sample(self, t: int) -> None:
        maxima = self.maxima[self.periods.index(t)]
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


def queue_metrics(
    sim: Simulator, raws: Any, start: int, end: int, *, seeded: bool, only: str | None = None
) -> dict[str, ResourceMetrics]:
    """Replay every queue's messages through the kept records; `seeded` (the ring dropped
    records) starts each queue with the messages it held before them. The figures of the
    queue `only` alone when given."""
    found = queue_series(sim, raws, Periods.of(start, end), end, seeded=seeded, only=only)
    return {name: series[0] for name, series in found.items()}


def queue_series(
    sim: Simulator,
    raws: Any,
    periods: Periods,
    end: int,
    *,
    seeded: bool,
    only: str | None = None,
) -> dict[str, list[ResourceMetrics]]:
    """Every queue's figures in each of `periods` (their last ends at `end`), or the queue
    `only`'s alone: every queue is still replayed (a message moves between queues, to a
    dead-letter queue, and keeps the instant it was sent), but only its figures are made,
    which are most of the cost on a stack of hundreds of queues."""
    found = _found(sim, raws) if seeded else {}
    replay = _replay_queues(sim, raws, periods, end, found, ghosts={}, only=only)
    if seeded:
        # A purge that deleted more messages than the replay knew of deleted messages that
        # no kept record names: they were in the queue from before the oldest record kept
        # until the purge. Replay again with them there.
        ghosts = replay[1]
        if ghosts:
            replay = _replay_queues(sim, raws, periods, end, found, ghosts=ghosts, only=only)
    return replay[0]


def _replay_queues(
    sim: Simulator,
    raws: Any,
    periods: Periods,
    end: int,
    found: dict[str, dict[str, int]],
    ghosts: dict[str, int],
    only: str | None = None,
) -> tuple[dict[str, list[ResourceMetrics]], dict[str, int]]:
    start = periods.start
    queues = {name: _Queue(name, q.fifo, periods) for name, q in sim.queues.items()}
    # SentTimestamp and the enqueue time retention and age count from, by message id.
    sent_at: dict[str, int] = {}
    enqueued: dict[str, int] = {}
    delays: list[tuple[int, int, str, str]] = []  # (visible at, order, queue, message id)
    # With several periods, each queue's (enqueue time, message id), oldest first, so that
    # the age of its oldest message is sampled as each period opens (stale entries are
    # skipped then): a message waiting across periods is old in each.
    waiting: dict[str, list[tuple[int, str]]] | None = (
        {name: [] for name in queues} if periods.count > 1 else None
    )

    def wait(q: str, mid: str) -> None:
        if waiting is not None and (enq := enqueued.get(mid)) is not None:
            heapq.heappush(waiting[q], (enq, mid))

    for name, held in found.items():
        live = sim.queues[name].messages
        for mid, state in held.items():
            queues[name].add(mid, state)
            msg = live.get(mid)
            if msg is not None:
                sent_at[mid] = msg.sent_at
                # Returned after its third receive: a poison pill, received again or not.
                returns = msg.receive_count - (state == _IN_FLIGHT)
                poison = not queues[name].fifo and returns >= _POISON_RECEIVES
                if not poison:
                    enqueued[mid] = msg.enqueued_at
                    wait(name, mid)
                if state == _DELAYED:
                    delays.append((msg.visible_at, len(delays), name, mid))
    heapq.heapify(delays)
    for name, n in ghosts.items():
        for i in range(n):
            queues[name].add(f"\0ghost-{i}", _VISIBLE)
    oldest: dict[str, list[tuple[int, int | None]]] = {
        name: [(0, None)] * periods.count for name in queues
    }
    to_delete: dict[str, list[list[float]]] = {
        name: [[] for _ in range(periods.count)] for name in queues
    }
    new_ghosts: dict[str, int] = {}
    purged: set[str] = set()
    bounds = periods.starts()
    opened = 0  # the periods whose first instant the replay has passed

    def aged(q: str, age: int, t: int) -> None:
        i = periods.index(t)
        if age > oldest[q][i][0]:
            oldest[q][i] = (age, t)

    def left(q: str, mid: str, t: int) -> None:
        """The message left queue q at t: a candidate for its oldest message's age."""
        enq = enqueued.get(mid)
        if enq is not None and t >= start:
            aged(q, t - enq, t)

    def release_delays(until: int) -> None:
        while delays and delays[0][0] <= until:
            at, _, q, mid = heapq.heappop(delays)
            queue = queues[q]
            if queue.messages.get(mid) == _DELAYED:
                queue.move(mid, _VISIBLE)
                if at >= start:
                    queue.sample(at)

    def open_periods(until: int) -> None:
        """Sample the gauges as each period up to `until` opens (a queue full before it
        counts in it)."""
        nonlocal opened
        while opened < len(bounds) and bounds[opened] <= until:
            at = bounds[opened]
            release_delays(at)
            for queue in queues.values():
                queue.sample(at)
                heap = waiting[queue.name] if waiting is not None else None
                while heap and (
                    queue.messages.get(heap[0][1]) is None or enqueued.get(heap[0][1]) != heap[0][0]
                ):
                    heapq.heappop(heap)
                if heap:
                    aged(queue.name, at - heap[0][0], at)
            opened += 1

    for raw in raws:
        kind = raw[1]
        if kind not in _QUEUE_KINDS:
            continue
        t = raw[0]
        if opened < len(bounds) and t >= bounds[opened]:
            open_periods(t)
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
            wait(queue.name, mid)
            delay = raw_field(raw, "delay_ms")
            if delay:
                queue.add(mid, _DELAYED)
                heapq.heappush(delays, (t + delay, len(delays), queue.name, mid))
            else:
                queue.add(mid, _VISIBLE)
            if counting:
                queue.count(t, 0)
        elif kind == tk.MESSAGE_RECEIVED:
            queue.move(mid, _IN_FLIGHT)
            if counting:
                queue.count(t, 1)
        elif kind == tk.MESSAGE_RETURNED:
            queue.move(mid, _VISIBLE)
            if not queue.fifo and (raw_field(raw, "receive_count") or 0) >= _POISON_RECEIVES:
                # A poison pill: aged until now, left out of the age from here on.
                left(queue.name, mid, t)
                enqueued.pop(mid, None)
        elif kind == tk.MESSAGE_DELETED:
            left(queue.name, mid, t)
            queue.remove(mid)
            if counting:
                queue.count(t, 2)
                if mid in sent_at:
                    to_delete[queue.name][periods.index(t)].append(t - sent_at[mid])
        elif kind == tk.MESSAGE_DEAD_LETTERED:
            left(queue.name, mid, t)
            queue.remove(mid)
            if counting:
                queue.count(t, 3)
            target = queues.get(raw_field(raw, "target"))
            if target is not None:
                # A dead-letter queue's age counts from the move, standard or FIFO: a
                # standard one keeps the enqueue time for retention, but its metric
                # "indicates when the message moved to the dead-letter queue, not when the
                # message was originally sent" (SQS developer guide, "Setting-up
                # dead-letter queue retention in Amazon SQS").
                enqueued[mid] = t
                target.add(mid, _VISIBLE)
                wait(target.name, mid)
                if counting:
                    target.sample(t)
        elif kind in (tk.MESSAGE_EXPIRED, tk.MESSAGE_REDRIVEN):
            left(queue.name, mid, t)
            queue.remove(mid)
        elif kind == tk.MESSAGE_DELETE_STALE:
            # A standard queue answers a stale receipt's DeleteMessage with success, and SQS
            # counts "every successful deletion operation that uses a valid receipt handle,
            # including duplicate deletions" (SQS developer guide, NumberOfMessagesDeleted);
            # a FIFO queue refuses it. Nothing leaves the queue.
            if counting and not queue.fifo:
                queue.count(t, 2)
            continue
        else:
            continue  # a visibility change: the counts stay
        if counting:
            queue.sample(t)
    open_periods(end)
    release_delays(end)
    out: dict[str, list[ResourceMetrics]] = {}
    gauges = (_VISIBLE, _IN_FLIGHT, _DELAYED)
    for name, queue in queues.items():
        if only is not None and name != only:
            continue
        for mid in queue.messages:
            left(name, mid, end)
        series: list[ResourceMetrics] = []
        for i in range(periods.count):
            figures = counted(QUEUE_METRICS, queue.sums[i])
            for (metric, _, _), g in zip(QUEUE_METRICS[4:7], gauges, strict=True):
                value, at = queue.maxima[i][g]
                figures.append(Figure(metric, "Maximum", COUNT, value, at))
            age, at = oldest[name][i]
            figures.append(
                Figure(
                    "ApproximateAgeOfOldestMessage",
                    "Maximum",
                    MILLISECONDS,
                    age if at is not None else None,
                    at,
                )
            )
            figures += samples("SendToDeleteTime", to_delete[name][i], LATENCY_STATS)
            series.append(ResourceMetrics(name, "queue", figures))
        series[-1].now = {
            "visible": queue.counts[_VISIBLE],
            "in_flight": queue.counts[_IN_FLIGHT],
            "delayed": queue.counts[_DELAYED],
            "depth": len(queue.messages),
        }
        out[name] = series
    return out, new_ghosts
