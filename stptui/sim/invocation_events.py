"""The events the newest invocations received, kept to be shown (`show event ID`), and the
trigger event a batch job's execution hands its attempts' containers.

Starting an invocation appends one tuple to a bounded ring, (invocation id, function, caller,
the values its `invocation.started` record names): the caller builds its event on demand,
with the builder the handler's event comes from, so a run that never asks builds nothing
more. Two callers change after the invocation starts: an SQS batch's messages (a later
receive, a move to a dead-letter queue) and a stream batch's records (a partial failure or
an expiry cuts them); their event is built here as it was when the invocation started.

A batch job's container gets no event: it reads the text of STP_TRIGGER_EVENT_DATA, which
every attempt of an execution of Stacktape's state machine gets the same (`Execution.
event_json`). The executions each job keeps (`show jobs`, `BatchJobSim.recent`) are found
here by any id `explain` takes for them: the execution's id, ARN or name, or the AWS Batch job
id of one of its attempts. An AWS Batch job a user's state machine submitted is kept there
too (`Execution.direct`): its containers get no trigger event, only its SubmitJob's
environment, and its one id is both its execution's and its AWS Batch job's.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING, Any

from stptui.sim import trace as tk
from stptui.sim.payloads import AsReceived, sqs_record
from stptui.sim.services.function import SqsBatch
from stptui.sim.services.stream import StreamBatch
from stptui.sim.trace_index import trace_index

if TYPE_CHECKING:
    from stptui.sim.engine import Simulator
    from stptui.sim.services.batch import Execution
    from stptui.sim.services.queue import Message, QueueSim
    from stptui.sim.trace import Record

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
                sqs_record(m, q, sim.region, _as_received(m, q, r)) for m, r in caller.taken
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


def batch_executions(sim: Simulator) -> list[Execution]:
    """The executions the batch jobs keep, oldest first per job: those of Stacktape's state
    machines and the AWS Batch jobs a user's state machine submitted (`Execution.direct`)."""
    batch = sim.services.get("batch")
    if batch is None:
        return []
    return [ex for job in batch.jobs.values() for ex in job.recent]


def _names(ex: Execution, key: str) -> bool:
    """Whether `key` is the id, ARN or name of `ex`; a submitted job only by its id (its
    ARN is the submitting execution's, which may have submitted others)."""
    if key == ex.id:
        return True
    return ex.direct is None and (key == ex.arn or key == ex.arn.rsplit(":", 1)[1])


def batch_execution(sim: Simulator, key: str) -> Execution | None:
    """The kept batch job execution that `key` names exactly: its id, ARN or name (an AWS
    Batch job a state machine submitted: its job id), or the AWS Batch job id of one of its
    attempts (its `batch.attempt.started` record's); None otherwise."""
    if not key:
        return None
    kept = batch_executions(sim)
    for ex in kept:
        if _names(ex, key):
            return ex
    index = trace_index(sim.trace)
    for rec in index.records(index.of_id(key)):
        if rec.kind == tk.BATCH_ATTEMPT_STARTED and rec.get("batch_job_id") == key:
            # Not again by the trace: a submitted job's attempts carry its own id, found
            # above when it is kept.
            execution_id = str(rec.get("execution_id"))
            return next((ex for ex in kept if ex.id == execution_id), None)
    return None


def batch_executions_starting(sim: Simulator, start: str) -> list[Execution]:
    """The kept batch job executions (of either kind) whose id starts with `start`."""
    return [ex for ex in batch_executions(sim) if ex.id.startswith(start)] if start else []


def ran_no_attempt(ex: Execution) -> bool:
    """Whether `ex` is a function's StartExecution whose input Stacktape's state machine could
    not read (no string `jobName` and `triggerEvent`): it failed before any container ran."""
    return ex.input_text is not None and ex.given_job_name is None


def jobs_led_to(sim: Simulator, records: list[Record]) -> list[Execution]:
    """The kept batch job executions that `records` (a chain) started, in the order they
    started, that `show event` shows: those of Stacktape's state machines whose containers
    read a trigger event, and the AWS Batch jobs a user's state machine submitted."""
    found: list[Execution] = []
    for rec in records:
        if rec.kind != tk.BATCH_SUBMITTED:
            continue
        ex = batch_execution(sim, str(rec.get("execution_id")))
        if ex is None or ex in found:
            continue
        if ex.direct is not None or not ran_no_attempt(ex):
            found.append(ex)
    return found


def executions_led_to(
    sim: Simulator, records: list[Record], submitted: bool = False
) -> list[Execution]:
    """The executions of `jobs_led_to` whose containers read a trigger event; with
    `submitted`, the AWS Batch jobs a user's state machine submitted instead."""
    return [ex for ex in jobs_led_to(sim, records) if (ex.direct is not None) == submitted]


def no_container(sim: Simulator, ex: Execution) -> bool:
    """Whether AWS refused the job of every attempt `ex` made, so that no container of it
    started (`BatchService.no_container`)."""
    return sim.services["batch"].no_container(ex) is not None


def show_event_lines(sim: Simulator, records: list[Record]) -> list[str]:
    """The `show event` lines `explain` ends a chain with for the newest three batch job
    executions it started: what their containers read, a trigger event or what a state
    machine's SubmitJob gave them (or was to give them, when none started)."""
    lines = []
    for ex in jobs_led_to(sim, records)[-3:]:
        if no_container(sim, ex):
            lines.append(
                f"show event {ex.id} shows the STP_TRIGGER_EVENT_DATA its attempts passed on "
                "(no container started)"
                if ex.direct is None
                else f"show event {ex.id} shows the environment and parameters its SubmitJob "
                "gave (no container started)"
            )
        elif ex.direct is None:
            lines.append(f"show event {ex.id} shows the STP_TRIGGER_EVENT_DATA its attempts read")
        else:
            lines.append(
                f"show event {ex.id} shows the environment and parameters its SubmitJob gave "
                "its containers"
            )
    return lines


# How many functions' `show event` lines `explain` ends a chain with (the latest three).
POINTED_FUNCTIONS = 3


def invoked_lines(sim: Simulator, records: list[Record]) -> list[str]:
    """The `show event` lines `explain` ends the chain of a message, event, request or
    object with: for each function it invoked whose event is kept, its newest invocation
    (the one whose event a last receive or retry gave), the latest POINTED_FUNCTIONS
    functions in the order of those invocations."""
    newest: dict[str, tuple[int, str]] = {}
    counts: dict[str, int] = {}
    for i, rec in enumerate(records):
        if rec.kind != tk.INVOCATION_STARTED:
            continue
        counts[rec.resource] = counts.get(rec.resource, 0) + 1
        invocation_id = str(rec.get("invocation_id"))
        if kept_event(sim, invocation_id) is not None:
            newest[rec.resource] = (i, invocation_id)
    lines = []
    for function, (_i, invocation_id) in sorted(newest.items(), key=lambda kv: kv[1][0]):
        n = counts[function]
        of = f" (the newest of its {n} invocations)" if n > 1 else ""
        lines.append(f"show event {invocation_id} shows the event {function} received{of}")
    return lines[-POINTED_FUNCTIONS:]


def event_ids(sim: Simulator) -> list[str]:
    """Every id `show event` shows, as Tab offers them: the kept invocations, newest first,
    then the kept batch job executions of either kind, newest first."""
    executions = sorted(reversed(batch_executions(sim)), key=lambda ex: -ex.submitted_at)
    return [entry[0] for entry in reversed(sim.invocation_events)] + [ex.id for ex in executions]
