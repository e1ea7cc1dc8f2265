"""The trace: every observable step of a simulation, and the sinks that receive it.

Records are cheap, slotted objects; turning one into JSON (ISO time, key order) happens only
in a sink that needs it, so a headless run pays for what it keeps and nothing else. The
trace is the source of truth for views, `expect`, statistics and exports (design rule 5).
"""

from __future__ import annotations

import json
from collections import Counter, deque
from collections.abc import Callable, Iterator
from typing import IO, Any

from stptui.sim.clock import iso_ms

# Record kinds (docs/trace-format.md lists each with its fields).
MESSAGE_SENT = "message.sent"
MESSAGE_RECEIVED = "message.received"
MESSAGE_RETURNED = "message.returned"
MESSAGE_DELETED = "message.deleted"
MESSAGE_DEAD_LETTERED = "message.dead_lettered"
MESSAGE_EXPIRED = "message.expired"
MESSAGE_DEDUPLICATED = "message.deduplicated"
MESSAGE_DELETE_STALE = "message.delete_stale"
QUEUE_PURGED = "queue.purged"
MESSAGE_REDRIVEN = "message.redriven"
INVOCATION_STARTED = "invocation.started"
INVOCATION_SUCCEEDED = "invocation.succeeded"
INVOCATION_FAILED = "invocation.failed"
INVOCATION_THROTTLED = "invocation.throttled"
INVOCATION_RETRY_SCHEDULED = "invocation.retry_scheduled"
INVOCATION_DISCARDED = "invocation.discarded"
DESTINATION_DELIVERED = "destination.delivered"
EMISSION_FAILED = "emission.failed"
HANDLER_LOG = "handler.log"
HANDLER_SKIPPED = "handler.skipped"
BEHAVIOR_OVERRIDDEN = "behavior.overridden"
CLOCK_ADVANCED = "clock.advanced"


class Record:
    """One trace record: when, what kind, on which resource, and the kind's own fields."""

    __slots__ = ("data", "kind", "resource", "seq", "t")

    def __init__(self, seq: int, t: int, kind: str, resource: str, data: dict[str, Any]) -> None:
        self.seq = seq
        self.t = t
        self.kind = kind
        self.resource = resource
        self.data = data

    def get(self, key: str, default: Any = None) -> Any:
        """A field of the record's data."""
        return self.data.get(key, default)

    def to_json(self) -> dict[str, Any]:
        """The documented JSON form: `seq`, `t` (ISO-8601 UTC, ms), `kind`, `resource`, fields."""
        return {
            "seq": self.seq,
            "t": iso_ms(self.t),
            "kind": self.kind,
            "resource": self.resource,
            **self.data,
        }

    def to_line(self) -> str:
        """One JSON Lines line (no newline), keys in the documented order."""
        return json.dumps(self.to_json(), ensure_ascii=False, separators=(",", ":"), default=str)

    def __repr__(self) -> str:
        return f"Record({self.seq}, {iso_ms(self.t)}, {self.kind}, {self.resource}, {self.data!r})"


Subscriber = Callable[[Record], None]


class Trace:
    """Receives records; keeps a ring buffer, per-kind counters and subscribers."""

    def __init__(self, ring_size: int = 200_000) -> None:
        self.records: deque[Record] = deque(maxlen=ring_size)
        self.counts: Counter[tuple[str, str]] = Counter()
        self.kind_counts: Counter[str] = Counter()
        self.subscribers: list[Subscriber] = []
        self.seq = 0

    def emit(self, t: int, kind: str, resource: str, data: dict[str, Any]) -> Record:
        """Record one step and hand it to every subscriber."""
        self.seq += 1
        rec = Record(self.seq, t, kind, resource, data)
        self.records.append(rec)
        self.counts[(kind, resource)] += 1
        self.kind_counts[kind] += 1
        for sub in self.subscribers:
            sub(rec)
        return rec

    def subscribe(self, fn: Subscriber) -> Callable[[], None]:
        """Call `fn` for every new record; returns a function that unsubscribes."""
        self.subscribers.append(fn)
        return lambda: self.subscribers.remove(fn) if fn in self.subscribers else None

    def count(self, kind: str, resource: str | None = None) -> int:
        """How many records of `kind` (on `resource`, when given) were emitted in all."""
        if resource is None:
            return self.kind_counts[kind]
        return self.counts[(kind, resource)]

    def since(self, seq: int) -> Iterator[Record]:
        """Records still in the ring with a sequence number above `seq`, oldest first."""
        if not self.records or self.records[-1].seq <= seq:
            return iter(())
        first = self.records[0].seq
        start = max(0, seq - first + 1)
        return (self.records[i] for i in range(start, len(self.records)))

    def tail(self, n: int) -> list[Record]:
        """The last `n` records."""
        n = max(0, min(n, len(self.records)))
        return [self.records[i] for i in range(len(self.records) - n, len(self.records))]


class JsonlWriter:
    """A subscriber that writes each record as a JSON line to a text stream."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream

    def __call__(self, rec: Record) -> None:
        self.stream.write(rec.to_line())
        self.stream.write("\n")
