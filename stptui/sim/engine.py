"""The Simulator: wires service models from a Stack and exposes the actions and queries that
the command layer uses. It imports no UI code and draws randomness only from its own seeded
generators, so the same stack, behaviours, seed, start time and actions give the same trace.
"""

from __future__ import annotations

import binascii
import hashlib
import json
import random
from collections.abc import Callable
from typing import Any

from stptui.config.directives import fake_resource_param, stack_context
from stptui.config.model import SqsTrigger, Stack
from stptui.sim import trace as tk
from stptui.sim.behavior import Behaviors, Emission, Outcome
from stptui.sim.clock import ARG, LABEL, STOP_CHECK_MASK, Scheduler, T, iso_ms
from stptui.sim.invocation_events import new_ring
from stptui.sim.services.function import (
    ASYNC_PAYLOAD_BYTES,
    SYNC_PAYLOAD_BYTES,
    AsyncInvoker,
    FunctionSim,
    SqsEventSource,
    payload_bytes,
    request_too_large,
    unreserved_concurrency,
)
from stptui.sim.services.queue import QueueSim
from stptui.sim.trace import Trace
from stptui.textsafe import quote_word, typed_names

DEFAULT_START_MS = 1_767_600_000_000  # 2026-01-05T08:00:00Z, used by tests and docs

# Emission kinds whose AWS service carries Lambda's recursion count (SQS SendMessage, SNS
# Publish, asynchronous Invoke, and the S3 requests that notify: Lambda has stopped loops
# through S3 since October 2024); EventBridge PutEvents starts a new chain, and a bus drops
# the count of an event S3 puts on it.
TRACKED_EMISSIONS = frozenset(
    {"send", "notify", "invoke", "put", "copyObject", "deleteObject", "restoreObject"}
)


# Ids are drawn and formatted a block at a time, in C: a draw and a format per id would cost
# more than the rest of a message's life in the simulator. Blocks grow, so that a short
# session pays for few ids; the stream is the same whatever the sizes, because random bytes
# drawn in pieces (of whole 4-byte words) are the bytes drawn at once. They stop growing at
# 1,024: an id costs no more there than in a block of 4,096, and a run has made at most
# 1,024 ids it never uses, not 4,096 (a simulated year of two daily schedules drew 2,190
# ids and made 3,840, the last 1,650 for nothing).
_ID_BLOCKS = (256, 512, 1024)
# An id's 16 random bytes in hex with a dash after every 2 bytes are 40 characters,
# `xxxx-xxxx-xxxx-xxxx-xxxx-xxxx-xxxx-xxxx-`: a UUID's dashes are the ones at 9, 14, 19 and
# 24; those at 4, 29 and 34 go (marked, then deleted) and the last one ends the id. The
# version digit (the 13th, at 15) is 4; the variant digit (the 17th, at 20) is 8 to b, from
# the low two bits of the random digit.
_ID_VARIANT = bytes.maketrans(b"0123456789abcdef", b"89ab89ab89ab89ab")
_ID_ROW = 40
_ID_VERSION_AT = 15
_ID_VARIANT_AT = 20
_ID_DROPPED_AT = (4, 29, 34)
_ID_DROPPED = b"."


# How each kind of scheduled entry reads in the agenda (`subject` is an id or a name).
AGENDA_TEXT = {
    "delay": "message {subject} becomes visible",
    "visibility": "message {subject} becomes visible again (visibility timeout)",
    "retention": "the oldest message reaches the retention period",
    "invocation": "invocation {subject} ends",
    "handler-call": "{resource}'s invocation {subject} makes a call it made after a sleep",
    "poll": "{subject} polls {resource}",
    "worker-message": "{resource} finishes processing message {subject}",
    "heartbeat": "{subject} extends the visibility of the messages it holds from {resource}",
    "worker-stop": "{subject}'s stopTimeout ends: its stopped pollers of {resource} are killed",
    "batch-window": "{subject}'s batching window on {resource} closes",
    "scaling": "{subject} adds pollers for {resource}",
    "esm-retry": "{subject} retries a throttled batch from {resource}",
    "async": "event {subject} is invoked",
    "async-retry": "event {subject} is retried",
    "schedule": "{resource}'s schedule {subject} fires",
    "batch-attempt": "the running attempt of execution {subject} ends",
    "batch-retry": "execution {subject} starts its next attempt",
    "batch-start-failed": "execution {subject} fails at its first Task (States.Runtime)",
    "batch-job-failed": "AWS Batch fails job {subject} before its container starts",
    "http-timeout": "request {subject} reaches the 30 s integration timeout",
    "stream-poll": "{subject} reads {resource}",
    "stream-retry": "{subject} retries a batch from {resource}",
    "stream-retention": "the oldest record of {resource} reaches the retention period",
    "lifecycle": "{resource}'s lifecycle: {subject}",
    "restore": "{resource}: {subject}",
    "archive": "{subject}",
    "replay": "{subject}",
    "ws-timeout": "request {subject} reaches its WebSocket integration timeout",
    "ws-idle": "connection {subject} reaches the 10-minute idle timeout",
    "ws-max": "connection {subject} reaches the 2-hour connection limit",
    # The agenda shows the repeat's id beside this text already.
    "repeat": "{subject}",
}


def _id_block(rng: random.Random, n: int) -> list[str]:
    """The next `n` UUID-v4-shaped ids of a stream, last first (so that `pop` takes them in
    order): hexlify places the dashes, and each fixed column is set in one strided copy."""
    out = bytearray(binascii.hexlify(rng.randbytes(16 * n), b"-", 2))
    out[_ID_VERSION_AT::_ID_ROW] = b"4" * n
    out[_ID_VARIANT_AT::_ID_ROW] = out[_ID_VARIANT_AT::_ID_ROW].translate(_ID_VARIANT)
    dropped = _ID_DROPPED * n
    for at in _ID_DROPPED_AT:
        out[at::_ID_ROW] = dropped
    # The last id has no dash after it (hexlify puts them between bytes): n - 1 newlines.
    out[_ID_ROW - 1 :: _ID_ROW] = b"\n" * (n - 1)
    ids = out.translate(None, _ID_DROPPED).decode("ascii").split("\n")
    ids.reverse()
    return ids


class _SyncCall:
    """The caller of a RequestResponse invocation: its payload and the waiting `done`."""

    __slots__ = ("done", "payload")

    sqs_records = None
    # A synchronous invoke comes from a command or an HTTP API: it starts a chain of requests.
    chain = 1

    def __init__(self, payload: Any, done: Callable[[Outcome, str], None]) -> None:
        self.payload = payload
        self.done = done

    def event(self) -> Any:
        """The payload the handler receives."""
        return self.payload


class SimError(ValueError):
    """An action the simulation cannot take, with an optional suggestion. `word` is the
    name or value it refuses, as given, when the refusal is about one (no queue of that
    name): a front end shows where it was typed. `aws` is the service's refusal in AWS's
    own words (`Code: message`) when the message is stptui's clearer one: what a handler's
    SDK call raises, since its code may match on it."""

    def __init__(
        self,
        message: str,
        hint: str | None = None,
        *,
        word: str | None = None,
        aws: str | None = None,
    ) -> None:
        super().__init__(message)
        self.hint = hint
        self.word = word
        self.aws = aws


def check_payload_size(payload: Any, limit: int) -> None:
    """Raise SimError with Lambda's RequestEntityTooLargeException when the Invoke request
    (the payload as compact JSON) is larger than `limit` bytes."""
    size = payload_bytes(payload)
    if size > limit:
        raise SimError(
            request_too_large(size, limit),
            "send a smaller payload, or put the data in S3 and send its key",
        )


class Simulator:
    """A deterministic discrete-event simulation of one stack."""

    def __init__(
        self,
        stack: Stack,
        behaviors: Behaviors | None = None,
        *,
        seed: int = 0,
        start_ms: int = DEFAULT_START_MS,
        trace: Trace | None = None,
    ) -> None:
        self.stack = stack
        self.seed = seed
        self.start_ms = start_ms
        self.trace = trace or Trace()
        # Looked up at each call: a caller may swap the trace for a fresh one.
        self.clock = Scheduler(start_ms, lambda: self.trace.settle())
        self.rng = random.Random(seed)
        self._id_rng = random.Random(f"ids:{seed}")
        # Ids drawn and not yet handed out, the next last (`new_id` pops them; the busiest
        # caller, FunctionSim.start, pops them itself).
        self.ids_ready: list[str] = []
        self._id_blocks = 0
        self._ids_made = 0
        self.behaviors = behaviors or Behaviors.load(None, stack)[0]
        host = self.behaviors.run_host()
        if host is not None:
            self.clock.host = host
        self.region = stack.region
        self.account_id = stack.account_id
        # Invocations running of the functions without reserved concurrency, and how many
        # the account's reservations leave them (set once the functions are made).
        self.unreserved_running = 0
        self.unreserved_limit = 0
        # The chain count (Lambda recursive loop detection) of the invocation whose
        # emission is being carried out, 0 outside one: what SQS messages and asynchronous
        # invokes made now carry. Set only by `carry_out`, so that nothing on the busy
        # paths passes it along.
        self.chain = 0
        # The newest invocations' callers, to build the event each received on demand
        # (`show event`): FunctionSim.start appends to it.
        self.invocation_events = new_ring()
        self.queues: dict[str, QueueSim] = {}
        self.functions: dict[str, FunctionSim] = {}
        self.async_invokers: dict[str, AsyncInvoker] = {}
        self.event_sources: list[SqsEventSource] = []
        # Emission kinds served by event-source services (buses, buckets) register here.
        # Each returns the call's answer keyed as boto3's response (None: nothing to tell).
        self.emission_handlers: dict[str, Callable[[Emission, str], dict[str, Any] | None]] = {}
        # Event-source service objects by name ("schedules", "buses", "buckets", "http",
        # "topics", "batch"), for the commands and views that drive or show them.
        self.services: dict[str, Any] = {}
        # Destination / delivery targets by resource type, for types served by services.
        # Each returns the id of the event or message it made of the record, when it has one.
        self.destination_handlers: dict[
            str, Callable[[str, str, str, dict[str, Any]], str | None]
        ] = {}
        self._ctx = stack_context(stack)
        self._wire()

    # -- wiring ------------------------------------------------------------------------

    def arn(self, name: str) -> str:
        """The (fake, well-formed) ARN of an in-stack resource."""
        res = self.stack.resources[name]
        return fake_resource_param(self._ctx, name, "arn", res.type)

    def resource_param(self, name: str, param: str, rtype: str | None = None) -> str:
        """The (fake, well-formed) value of `$ResourceParam(name, param)` for an in-stack
        resource: a bucket's `name`, an HTTP API's `domain`, a job's `stateMachineArn`.
        `rtype` gives the type of a resource Stacktape nests under `name` (a web-service's
        HTTP API carries the service's own name)."""
        kind = rtype or self.stack.resources[name].type
        return fake_resource_param(self._ctx, name, param, kind)

    def _wire(self) -> None:
        for q in self.stack.queues:
            self.queues[q.name] = QueueSim(
                self,
                q.name,
                self.arn(q.name),
                fake_resource_param(self._ctx, q.name, "url", q.type),
                visibility_s=q.visibility_timeout_s,
                retention_s=q.retention_s,
                delay_s=q.delay_s,
                max_bytes=q.max_message_bytes,
                fifo=q.fifo,
                content_dedup=q.content_based_dedup,
                dedup_per_group=q.high_throughput,
            )
        self.emission_handlers["deleteMessage"] = self._delete_message
        for q in self.stack.queues:
            target = q.redrive_target.target if q.redrive_target else None
            if target in self.queues and q.max_receive_count is not None:
                sim_q = self.queues[q.name]
                sim_q.dlq = self.queues[target]
                sim_q.max_receive_count = q.max_receive_count
                self.queues[target].sources.append(sim_q)
        for fn in self.stack.functions:
            fsim = FunctionSim(self, fn, self.arn(fn.name))
            self.functions[fn.name] = fsim
            self.async_invokers[fn.name] = AsyncInvoker(self, fsim)
        self.unreserved_limit = unreserved_concurrency(self.stack.functions)
        for fn in self.stack.functions:
            for trig in fn.events:
                if isinstance(trig, SqsTrigger) and trig.queue and trig.queue.target in self.queues:
                    self.event_sources.append(
                        SqsEventSource(
                            self,
                            self.queues[trig.queue.target],
                            self.functions[fn.name],
                            trig.batch_size,
                            trig.max_batch_window_s,
                        )
                    )
        # Event sources (schedules, buses, buckets, HTTP, topics, batch jobs) each wire
        # themselves; the order is fixed so that ids and timers are created identically.
        from stptui.sim.services import event_source_wirers

        for wire in event_source_wirers():
            wire(self)

    # -- identity and randomness -------------------------------------------------------

    def new_id(self) -> str:
        """A UUID-v4-shaped id from the simulation's own id stream (not the behaviour rng)."""
        ids = self.ids_ready
        if not ids:
            size = _ID_BLOCKS[min(self._id_blocks, len(_ID_BLOCKS) - 1)]
            self._id_blocks += 1
            self._ids_made += size
            ids.extend(_id_block(self._id_rng, size))
        return ids.pop()

    @property
    def ids_issued(self) -> int:
        """How many ids the simulation has handed out so far (the id stream's position)."""
        return self._ids_made - len(self.ids_ready)

    def drew_random(self) -> bool:
        """Whether anything has drawn from the seeded generator so far (a behaviour's `rate`
        or duration range, `fail F rate P`, a retry's jitter): what happened may then differ
        on another seed. Ids come from a stream of their own and do not count."""
        return self.rng.getstate() != random.Random(self.seed).getstate()

    # -- lookups -----------------------------------------------------------------------

    def queue(self, name: str) -> QueueSim:
        """The queue called `name`, or a SimError with a did-you-mean."""
        return self._lookup(self.queues, name, "queue")

    def function(self, name: str) -> FunctionSim:
        """The function called `name`, or a SimError with a did-you-mean."""
        return self._lookup(self.functions, name, "function")

    def workload(self, name: str) -> Any:
        """The function or batch job called `name` (the commands that take a FUNCTION take
        either: overrides, `log`, `show logs`), or a SimError whose did-you-mean and list
        look at both kinds."""
        batch = self.services.get("batch")
        jobs: dict[str, Any] = batch.jobs if batch is not None else {}
        hit = self.functions.get(name) or jobs.get(name)
        if hit is not None:
            return hit
        from stptui.config.diagnostics import did_you_mean, with_article

        workloads = [*self.functions, *jobs]
        listed = (
            f"functions and batch jobs in this stack: {typed_names(sorted(workloads))}"
            if workloads
            else "this stack has no functions or batch jobs"
        )
        other = self.stack.resources.get(name)
        if other is not None:
            raise SimError(
                f"{name!r} is {with_article(other.type)}, not a function or batch job",
                listed,
                word=name,
            )
        guess = did_you_mean(name, workloads)
        raise SimError(
            f"no function or batch job named {name!r}",
            f"did you mean {quote_word(guess)}?" if guess else listed,
            word=name,
        )

    def override_target(self, name: str) -> Any:
        """What the `fail`, `succeed` and `slow` overrides of `name` go to: a function or
        batch job, or a container workload's `(ContainerSim, None)` (every container) or
        `(ContainerSim, container)` for `WORKLOAD.CONTAINER`; else a SimError whose
        did-you-mean and list look at all three."""
        svc = self.services.get("containers")
        containers: dict[str, Any] = svc.workloads if svc is not None else {}
        if not containers:
            return self.workload(name)
        batch = self.services.get("batch")
        jobs: dict[str, Any] = batch.jobs if batch is not None else {}
        hit = self.functions.get(name) or jobs.get(name)
        if hit is not None:
            return hit
        ws = containers.get(name)
        if ws is not None:
            return ws, None
        head, dot, container = name.partition(".")
        ws = containers.get(head) if dot else None
        if ws is not None:
            if container in ws.containers:
                return ws, container
            from stptui.config.diagnostics import did_you_mean

            guess = did_you_mean(container, ws.containers)
            raise SimError(
                f"{head} has no container named {container!r}",
                f"did you mean {quote_word(f'{head}.{guess}')}?"
                if guess
                else f"its containers: {typed_names(ws.containers)}",
                word=name,
            )
        from stptui.config.diagnostics import did_you_mean, with_article

        names = [*self.functions, *jobs]
        for ws in containers.values():
            names.append(ws.name)
            names += [f"{ws.name}.{c}" for c in ws.containers]
        listed = f"workloads in this stack: {typed_names(sorted(names))}"
        other = self.stack.resources.get(name)
        if other is not None:
            raise SimError(
                f"{name!r} is {with_article(other.type)}, not a function, batch job or "
                "container workload",
                listed,
                word=name,
            )
        guess = did_you_mean(name, names)
        raise SimError(
            f"no function, batch job or container workload named {name!r}",
            f"did you mean {quote_word(guess)}?" if guess else listed,
            word=name,
        )

    def _lookup(self, table: dict[str, Any], name: str, what: str) -> Any:
        hit = table.get(name)
        if hit is not None:
            return hit
        from stptui.config.diagnostics import did_you_mean, with_article

        # A FIFO queue or topic goes by its stack name; AWS's name adds `.fifo`.
        guess = name[: -len(".fifo")] if name.endswith(".fifo") else None
        if guess not in table:
            guess = did_you_mean(name, table)
        other = self.stack.resources.get(name)
        if other is not None:
            raise SimError(
                f"{name!r} is {with_article(other.type)}, not {with_article(what)}",
                _choices(what, table),
                word=name,
            )
        raise SimError(
            f"no {what} named {name!r}",
            f"did you mean {quote_word(guess)}?" if guess else _choices(what, table),
            word=name,
        )

    # -- actions -----------------------------------------------------------------------

    def send(
        self,
        queue: str,
        body: str,
        *,
        delay_s: int | None = None,
        group: str | None = None,
        dedup_id: str | None = None,
        attrs: dict[str, Any] | None = None,
        source: str = "command",
    ) -> str:
        """SendMessage to a queue; returns the MessageId."""
        return self.send_message(
            queue, body, delay_s=delay_s, group=group, dedup_id=dedup_id, attrs=attrs, source=source
        )[0]

    def send_message(
        self,
        queue: str,
        body: str,
        *,
        delay_s: int | None = None,
        group: str | None = None,
        dedup_id: str | None = None,
        attrs: dict[str, Any] | None = None,
        source: str = "command",
    ) -> tuple[str, bool, str | None]:
        """SendMessage to a queue: the MessageId, whether a FIFO queue took the message for
        a duplicate (the id is then the original message's), and a FIFO queue's
        SequenceNumber (the original's for a duplicate)."""
        from stptui.sim.services.queue import SqsError

        q = self.queue(queue)
        try:
            # By position: see QueueSim.send.
            return q.send_message(body, delay_s, group, dedup_id, attrs, source)
        except SqsError as exc:
            raise SimError(str(exc), exc.hint, aws=exc.aws) from None

    def invoke_async(self, function: str, event: Any, trigger: str, source: str) -> str:
        """Invoke a function asynchronously (Event invocation type); returns the event id."""
        self.function(function)
        return self.async_invokers[function].submit(event, trigger, source)

    def invoke_sync(
        self,
        function: str,
        payload: Any,
        done: Callable[[Outcome, str], None],
        trigger: str = "invoke",
        request_id: str | None = None,
        *,
        measured: bool = False,
    ) -> str:
        """Start a RequestResponse invocation now; `done` gets the outcome when it ends.
        `request_id` is the request id the handler sees, when the caller made it first (a
        function URL's event carries it); by default the invocation's own id. `measured`
        says the caller has already held the payload to SYNC_PAYLOAD_BYTES (and answered
        a larger one its own way), so that a request's event is not sized twice.

        A throttled synchronous invocation fails at once with TooManyRequestsException."""
        fn = self.function(function)
        if not measured:
            check_payload_size(payload, SYNC_PAYLOAD_BYTES)
        if fn.throttled():
            self.trace.emit(
                (self.clock.now, tk.INVOCATION_THROTTLED, fn.name, {"trigger": trigger})
            )
            # Lambda's words, and the Reason its error carries (Lambda API reference, Invoke).
            if fn.reserved is not None:
                reason = "ReservedFunctionConcurrentInvocationLimitExceeded"
                hint = (
                    f"{function} runs at most {fn.reserved:,} at once (its reservedConcurrency): "
                    "wait for running invocations to finish, or raise it"
                )
            else:
                reason = "ConcurrentInvocationLimitExceeded"
                hint = (
                    f"the functions without reservedConcurrency share {self.unreserved_limit:,} "
                    "of the account's concurrency: wait for running invocations to finish, or "
                    "reserve concurrency for this function"
                )
            raise SimError(f"TooManyRequestsException: Rate Exceeded. (Reason: {reason})", hint)
        inv_id, _ = fn.start(trigger, 1, _SyncCall(payload, done), request_id=request_id)
        return inv_id

    def apply_emission(
        self, function: str, invocation_id: str, emission: Emission, chain: int = 0
    ) -> None:
        """Carry out what a behaviour emitted when its invocation succeeded, or a Python
        handler's call made after a `context.sleep` (at its instant): a refusal is an
        `emission.failed` record.

        `chain` is the invocation's count in its chain of requests (0 for a batch job,
        which Lambda does not track): SQS sends, SNS publishes, asynchronous invokes and S3
        writes carry it on, as the X-Ray trace header does on AWS; EventBridge does not."""
        try:
            self.carry_out(function, invocation_id, emission, chain)
        except SimError as exc:
            self.emission_refused(function, invocation_id, emission, str(exc))

    def handler_call(
        self, function: str, invocation_id: str, emission: Emission, chain: int = 0
    ) -> dict[str, Any]:
        """A Python handler's write, made at the call: carried out now, its answer (keyed
        as boto3's response) returned; a refusal is an `emission.failed` record and raises
        the SimError, which the handler's `context` turns into a ClientError. What the write
        starts at once runs inside the call (a StartExecution's Task may invoke another
        handler): a state machine runs the states its executions enter in turn, so a loop of
        handlers that start each other nests one deep, not without end."""
        try:
            answer = self.carry_out(function, invocation_id, emission, chain)
        except SimError as exc:
            self.emission_refused(function, invocation_id, emission, str(exc))
            raise
        if emission.kind == "send":
            # SendMessage answers the body's MD5 too: worked out only for a handler's call.
            body = emission.fields["body"].encode("utf-8", "surrogatepass")
            answer["MD5OfMessageBody"] = hashlib.md5(body, usedforsecurity=False).hexdigest()
        return answer

    def handler_call_later(
        self,
        at_ms: int,
        function: str,
        invocation_id: str,
        emission: Emission,
        chain: int = 0,
        denial: str | None = None,
    ) -> None:
        """A Python handler's write made after it slept: carried out at `at_ms` (or, when
        the role refused it, `denial` recorded then), as `apply_emission` does it."""
        self.clock.at(
            at_ms,
            self._call_later,
            (function, invocation_id, emission, chain, denial),
            ("handler-call", function, invocation_id),
        )

    def _call_later(self, arg: tuple[str, str, Emission, int, str | None]) -> None:
        function, invocation_id, emission, chain, denial = arg
        if denial is not None:
            self.emission_refused(function, invocation_id, emission, denial)
        else:
            self.apply_emission(function, invocation_id, emission, chain)

    def _delete_message(self, emission: Emission, source: str) -> None:
        """A Python handler's `deleteMessage`: DeleteMessage by receipt handle."""
        consumer = source.partition(":")[0]
        self.queues[emission.target].delete_by_handle(emission.fields["receiptHandle"], consumer)

    def carry_out(
        self, function: str, invocation_id: str, emission: Emission, chain: int = 0
    ) -> dict[str, Any]:
        """Carry out one emission through its service (SimError when refused); returns the
        service's answer keyed as boto3's response, with only the keys stptui knows truly
        (`{}` for a call whose answer holds nothing a handler uses)."""
        source = f"{function}:{invocation_id}"
        outer = self.chain
        self.chain = chain if emission.kind in TRACKED_EMISSIONS else 0
        try:
            if emission.kind == "send":
                f = emission.fields
                # A body is text already (behavior.fields.normalise); None is a request without
                # one, which the queue refuses with SQS's MissingParameter.
                delay = f.get("delay")
                message_id, _, number = self.send_message(
                    emission.target,
                    f.get("body"),
                    delay_s=int(delay) if isinstance(delay, (int, float)) else None,
                    group=f.get("group"),
                    dedup_id=f.get("dedupId"),
                    attrs=f.get("attributes"),
                    source=source,
                )
                # A FIFO queue's answer has the message's sequence number too (a duplicate's
                # is the original's).
                if number is not None:
                    return {"MessageId": message_id, "SequenceNumber": number}
                return {"MessageId": message_id}
            if emission.kind == "invoke":
                payload = emission.fields.get("payload")
                check_payload_size(payload, ASYNC_PAYLOAD_BYTES)
                self.invoke_async(emission.target, payload, "invoke", source)
                # Invoke with the Event type answers 202 and an empty payload.
                return {"StatusCode": 202}
            handler = self.emission_handlers.get(emission.kind)
            if handler is None:
                raise SimError(f"{emission.kind} emissions need the {emission.kind} service model")
            return handler(emission, source) or {}
        finally:
            # An emission carried out while a handler runs may be made within another.
            self.chain = outer

    def emission_refused(
        self, function: str, invocation_id: str, emission: Emission, error: str
    ) -> None:
        """Record that something a handler emitted was not carried out, and why: the
        service's error, then, for an emission of the behaviours file, where it is written
        (and, for a whole message that found null, what found it and the fix)."""
        if emission.origin is not None:
            error = f"{error} ({emission.origin})"
        data = {
            "invocation_id": invocation_id,
            "emission": emission.kind,
            "target": emission.target,
            "error": error,
        }
        self.trace.emit((self.clock.now, tk.EMISSION_FAILED, function, data))

    def deliver_destination(
        self, function: str, which: str, target: str, record: dict[str, Any], event_id: str
    ) -> None:
        """Send the invocation record of asynchronous event `event_id` to an onSuccess or
        onFailure destination in the stack. The trace links the event to what the record
        became (`delivered_id`: the message or event made of it), so `explain` follows it;
        a `target` that names no resource of the stack (an ARN as written) is an
        `emission.failed`."""
        now = self.clock.now
        res = self.stack.resources.get(target)
        kind = res.type if res else ""
        source = f"{function}:{which}"
        error = ""
        delivered: str | None = None
        # Lambda delivers with the function's role: Stacktape allows every destination, but
        # a Deny in the function's iamRoleStatements refuses the delivery.
        denial = self.behaviors.permissions.delivery_denial(function, target, event_id)
        try:
            if res is None:
                # AWS delivers to it (another stack's queue, a CloudFormation resource's
                # topic); the simulation cannot, so the trace says so.
                error = f"{target} names no resource the simulation runs"
            elif denial is not None:
                error = str(denial)
            elif target in self.queues:
                # A queue can refuse the record (too large, a FIFO queue wanting a group):
                # Lambda then drops it, and the run goes on.
                delivered = self.send(
                    target, json.dumps(record, separators=(",", ":")), source=source
                )
            elif target in self.functions:
                # Lambda invokes a function destination asynchronously, within that limit.
                check_payload_size(record, ASYNC_PAYLOAD_BYTES)
                delivered = self.invoke_async(target, record, "destination", source)
            elif (handler := self.destination_handlers.get(kind)) is not None:
                delivered = handler(function, which, target, record)
            else:
                error = f"destinations of type {kind} are not simulated"
        except SimError as exc:
            error = str(exc)
        if error:
            data = {"event_id": event_id, "emission": which, "target": target, "error": error}
            self.trace.emit((now, tk.EMISSION_FAILED, function, data))
            return
        data = {"event_id": event_id, "destination": which, "target": target}
        if delivered is not None:
            data["delivered_id"] = delivered
        self.trace.emit((now, tk.DESTINATION_DELIVERED, function, data))

    # -- time --------------------------------------------------------------------------

    def advance(self, ms: int, should_stop: Callable[[], bool] | None = None) -> bool:
        """Run everything due in the next `ms` milliseconds (False when stopped early)."""
        return self.clock.run_until(self.clock.now + ms, should_stop)

    def until(self, t_ms: int, should_stop: Callable[[], bool] | None = None) -> bool:
        """Run everything due up to the instant `t_ms`."""
        if t_ms < self.clock.now:
            raise SimError("that instant is in the simulation's past", "time only moves forward")
        return self.clock.run_until(t_ms, should_stop)

    def step(
        self, n: int = 1, limit: int | None = None, should_stop: Callable[[], bool] | None = None
    ) -> int:
        """Run the next `n` scheduled events, stopping before one due after `limit` when it
        is given, or when `should_stop` says so (asked every STOP_CHECK_EVERY events);
        returns how many ran. Raises ClockStalled as `run` does (the events run stay run)."""
        with self.clock.host:
            return self._steps(n, limit, should_stop)

    def _steps(self, n: int, limit: int | None, should_stop: Callable[[], bool] | None) -> int:
        clock = self.clock
        ran = 0
        while ran < n:
            # Checked before the next event, never after the last: `step N` then replays a
            # run that stopped as a suspected loop after N events without stopping itself.
            if ran:
                if not clock.events_run & STOP_CHECK_MASK:
                    clock.check_moving()
                if should_stop is not None and not ran & STOP_CHECK_MASK and should_stop():
                    break
            if not clock.step(limit):
                break
            ran += 1
        return ran

    def run(self, max_ms: int, should_stop: Callable[[], bool] | None = None) -> bool:
        """Run until only recurring work (schedule fires, retention) is pending, at most
        `max_ms` of simulated time; True when it went quiet."""
        return self.clock.run_until_quiet(self.clock.now + max_ms, should_stop)

    def pending(self) -> int:
        """How many things are scheduled to happen: the scheduler's live entries, with each
        message waiting for its visibility timeout counted on its own (a queue's waiting
        messages share one entry)."""
        return self.clock.pending() + sum(q.returns_beyond_clock() for q in self.queues.values())

    def agenda(self, limit: int = 50) -> list[tuple[int, str, str, str]]:
        """What happens next, soonest first: (time, kind, resource, description)."""
        entries = self.clock.agenda(limit)
        # Released messages share one clock entry per queue; each is listed on its own.
        for q in self.queues.values():
            entries += [(t, ("visibility", q.name, mid)) for t, mid in q.upcoming_returns(limit)]
        entries.sort(key=lambda e: e[0])
        return [
            (t, kind, resource, self.describe(t, kind, resource, subject))
            for t, (kind, resource, subject) in entries[:limit]
        ]

    def describe(self, t: int, kind: str, resource: str, subject: str) -> str:
        """An agenda entry's words: what the entry due at `t` does, as things stand."""
        template = AGENDA_TEXT.get(kind, "{kind} {subject}")
        queue = self.queues.get(resource) if kind in ("retention", "visibility") else None
        if queue is not None and kind == "retention":
            # The check stays armed when the message it was set for goes (only emptying the
            # queue cancels it): say what it will find as things stand.
            due = queue.next_expiry()
            if due is not None and due != t:
                template = f"a retention check (the oldest message expires at {iso_ms(due)})"
        elif queue is not None and not subject:
            # The queue's entry for released messages, left in place when the last of them
            # was deleted (see QueueSim._forget_return).
            template = "a visibility check (no released message waits for its timeout now)"
        return template.format(kind=kind, subject=subject, resource=resource)

    def last_step(self) -> tuple[int, str, str, str] | None:
        """What the event `step` ran last was, as the agenda words it: (time, kind,
        resource, description), or None for an entry without a label."""
        entry = self.clock.last_step
        if entry is None or entry[LABEL] is None:
            return None
        kind, resource, subject = entry[LABEL]
        if callable(subject):
            subject = subject(entry[ARG])
        return entry[T], kind, resource, self.describe(entry[T], kind, resource, subject)

    # -- queries -----------------------------------------------------------------------

    def queue_stats(self, name: str) -> dict[str, int]:
        """Counts for one queue: visible, in_flight, delayed, depth."""
        q = self.queue(name)
        return {
            "visible": q.visible_count,
            "in_flight": q.in_flight_count,
            "delayed": q.delayed_count,
            "depth": q.depth,
        }

    def function_stats(self, name: str) -> dict[str, int]:
        """Counts for one function, computed from the trace (plus what is running now)."""
        fn = self.function(name)
        count = self.trace.count
        return {
            "invocations": count(tk.INVOCATION_STARTED, name),
            "successes": count(tk.INVOCATION_SUCCEEDED, name),
            "failures": count(tk.INVOCATION_FAILED, name),
            "throttles": count(tk.INVOCATION_THROTTLED, name),
            "running": fn.running,
        }

    def find_message(self, message_id: str) -> Any:
        """The live message with this id, in whichever queue holds it (or None)."""
        for q in self.queues.values():
            msg = q.messages.get(message_id)
            if msg is not None:
                return msg
        return None


def _choices(what: str, table: dict[str, Any]) -> str:
    if not table:
        return f"this stack has no {what}s"
    return f"{what}s in this stack: {typed_names(sorted(table))}"
