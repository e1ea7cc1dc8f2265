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


def queue_metrics(
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
        figures = counted(QUEUE_METRICS, queue.sums)
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
        figures += samples("SendToDeleteTime", to_delete[name], LATENCY_STATS)
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
