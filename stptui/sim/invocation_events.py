"""The events the newest invocations received, kept to be shown (`show event ID`).

Starting an invocation appends one tuple to a bounded ring, (invocation id, function, caller,
the values its `invocation.started` record names): the caller builds its event on demand,
with the builder the handler's event comes from, so a run that never asks builds nothing
more. Two callers change after the invocation starts: an SQS batch's messages (a later
receive, a move to a dead-letter queue) and a stream batch's records (a partial failure or
an expiry cuts them); their event is built here as it was when the invocation started.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING, Any

from stptui.sim.payloads import AsReceived, sqs_record
from stptui.sim.services.function import SqsBatch
from stptui.sim.services.stream import StreamBatch

if TYPE_CHECKING:
    from stptui.sim.engine import Simulator
    from stptui.sim.services.queue import Message, QueueSim

# How many invocations' events a simulation keeps (the newest): as many as the HTTP
# answers `expect response` reads, so a `repeat` of sends does not hold every event.
KEPT_EVENTS = 256

# (invocation id, function name, caller, the `extra` values of its started record)
Kept = tuple[str, str, Any, tuple[Any, ...]]


def new_ring() -> deque[Kept]:
    """An empty ring of KEPT_EVENTS kept events."""
    return deque(maxlen=KEPT_EVENTS)


def kept_event(sim: Simulator, invocation_id: str) -> Kept | None:
    """The kept entry of the invocation `invocation_id`, None when it is not (or no longer)
    kept."""
    for entry in sim.invocation_events:
        if entry[0] == invocation_id:
            return entry
    return None


def event_of(sim: Simulator, entry: Kept) -> Any:
    """The event the invocation of `entry` received, as its handler got it."""
    _inv, _name, caller, extra = entry
    kind = type(caller)
    if kind is SqsBatch:
        q = caller.esm.queue
        return {
            "Records": [
                sqs_record(m, q, sim.region, _as_received(m, q, r))
                for m, r in zip(caller.msgs, caller.receipts, strict=True)
            ]
        }
    if kind is StreamBatch:
        seqs = set(extra[2])
        records = [r for r in caller.first_records if r.sequence_number in seqs]
        return caller.consumer.stream.event(records, caller.consumer)
    return caller.event()


def _as_received(msg: Message, queue: QueueSim, receipt: int) -> AsReceived:
    """The message as the receive `receipt` gave it from `queue`: every receive counts in
    both, so the receive count then was the receipt; a move to a dead-letter queue since
    changed its source ARN and deduplication id, kept as they were in the queue it left."""
    dlq_source_arn, dedup_id = msg.dlq_source_arn, msg.dedup_id
    if msg.queue is not queue:
        for left, arn, dedup in getattr(msg, "earlier", ()):
            if left == queue.arn:
                dlq_source_arn, dedup_id = arn, dedup
                break
    return AsReceived(receipt, receipt, dlq_source_arn, dedup_id)
