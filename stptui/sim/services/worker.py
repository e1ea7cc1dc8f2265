"""Container workloads whose code polls SQS queues (a worker-service above all), through the
`poll` items of their behaviours (docs/behaviors.md, "Workers that poll queues").

Each item runs `concurrency` pollers, each a loop of the code's: ReceiveMessage (up to
`maxMessages`, with the item's `visibilityTimeout` or the queue's), then each message of the
batch in turn for the behaviour's `duration`, DeleteMessage after a message succeeds, and
the next ReceiveMessage at once.

* What happens to a message is the queue's own rule (stptui.sim.services.queue): one that
  failed, or that the worker still holds when its visibility timeout ends, is visible again
  then (it is *released* to the queue); the redrive policy moves it to the dead-letter queue
  on the receive after `maxReceiveCount`; FIFO groups stay blocked while one of their
  messages is in flight. A message processed after its timeout ended is still deleted with
  its receipt when nobody received it since (a standard queue takes that delete; a FIFO
  queue, or a newer receive, makes it `message.delete_stale`).
* On a FIFO queue a worker that fails a message leaves the rest of that message group's
  messages in the batch unprocessed (they return with it), as code that keeps a group's
  order must.
* An empty receive waits (long polling, `waitSeconds`) and polls again: nothing an observer
  sees. A waiting poller costs nothing here: it is woken when a message becomes visible and
  receives it at that instant, as a long poll returns as soon as a message arrives.
* Expressions see the message as the SDK returned it to this poller's receive
  (payloads.sdk_message with the receive's `AsReceived`: a later receive by another poller
  changes the queue's copy, not the one this poller holds) plus `body`, the body parsed
  when it is JSON, and `queue`. Emissions are made when a message succeeds, with the
  workload's role; log lines go into the container's log group.
* The `fail`, `succeed` and `slow` overrides of the workload, or of the polling container,
  decide each message as they decide a container's requests.
* A `heartbeat` calls ChangeMessageVisibility (the queue's `change_visibility`) on every
  message the poller still holds, every `every` from the receive, with `extendBy`: a long
  message stays hidden, and so do the ones waiting their turn. A call SQS refuses (the 12
  hours from the receive, a message received again meanwhile) is a
  `message.visibility_refused`, and that message gets no more beats. `onFailure` calls it
  once on a failed message (and, on a FIFO queue, on the rest of its group in the batch,
  which return with it), so that it returns after `visibilityTimeout` (0: at once).
* `pause WORKLOAD [--trigger QUEUE]` stops the pollers, as ECS stops a service's tasks
  (desired count 0, or StopTask): SIGTERM, then SIGKILL once the polling container's
  `stopTimeout` ends (Stacktape's default 2 s). The code is taken to handle SIGTERM as a
  worker should: it receives no more, finishes the message it is processing if it can
  before the SIGKILL, and leaves the rest of its batch (they return when their visibility
  timeout ends). A message still processing at the SIGKILL is a `container.message.failed`
  with `error` SIGKILL: not deleted, it returns when its visibility timeout ends.
  `resume` starts the pollers again: they receive at once. The queue goes on meanwhile:
  messages wait (and expire), and only a receive moves one to the dead-letter queue.
"""

from __future__ import annotations

from collections import deque
from contextlib import suppress
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from stptui import jsontext
from stptui.config.model import CONTAINER_STOP_TIMEOUT_S, SERVICE_CONTAINER_NAME
from stptui.sim import trace as tk
from stptui.sim.behavior import Outcome, format_duration
from stptui.sim.handler_logs import bounded_message
from stptui.sim.payloads import AsReceived, sdk_message
from stptui.sim.services.queue import VISIBLE, SqsError

if TYPE_CHECKING:
    from stptui.sim.behavior.declared import PollSpec
    from stptui.sim.engine import Simulator
    from stptui.sim.services.container import ContainerSim
    from stptui.sim.services.queue import Message, QueueSim

# How many handled messages each workload keeps for the Inspector; the trace keeps them all.
RECENT_MESSAGES = 200
# What the expressions of a polled message call its trigger; what `mapping.disabled` names.
TRIGGER = "poll"
# The `error` of a message its poller was still processing when the stopped task's
# container was killed.
KILLED = "SIGKILL"


@dataclass(slots=True)
class Handled:
    """One message a worker processed (or is processing: `ended` is None), for the views."""

    message_id: str
    queue: str
    container: str
    invocation_id: str
    receive_count: int
    started: int
    ended: int | None = None
    error: str | None = None


class WorkerPoll:
    """One `poll` item: `pollers` receive loops of one container on one queue."""

    def __init__(self, service: WorkerService, spec: PollSpec, queue: QueueSim) -> None:
        self.service = service
        self.sim = service.sim
        self.spec = spec
        self.queue = queue
        self.pollers = spec.concurrency
        self.idle = spec.concurrency  # pollers waiting in a receive
        # Messages its pollers received and have not finished with (the views' "in hand").
        self.held = 0
        self.visibility_ms = None if spec.visibility_s is None else spec.visibility_s * 1000
        self._wake: list[Any] | None = None
        self._poll_label = ("poll", queue.name, spec.workload)
        self.beat_label = ("heartbeat", queue.name, spec.workload)
        # `pause`: the pollers are stopped (no receive until `resume`).
        self.paused = False
        # The batches its pollers are processing, in the order they were received: a stop
        # finds them here.
        self.batches: dict[_Batch, None] = {}
        self.stop_ms = round(_stop_timeout_s(service.sim, spec) * 1000)
        queue.on_visible.append(self.wake)

    @property
    def busy(self) -> int:
        """Pollers processing a batch (a stopped poller finishing its message included)."""
        return len(self.batches)

    def wake(self) -> None:
        """A message became visible: waiting pollers receive at this instant (once every
        message that becomes visible now is there, so that one receive takes them)."""
        if self.idle and self._wake is None:
            self._wake = self.sim.clock.at(self.sim.clock.now, self._woken, None, self._poll_label)

    def _woken(self, _: Any) -> None:
        self._wake = None
        self.receive()

    def receive(self) -> None:
        """Every waiting poller receives, while messages are there for it."""
        q = self.queue
        counts = q.counts
        spec = self.spec
        while self.idle:
            before = counts[VISIBLE]
            if not before:
                return
            msgs = q.receive(spec.max_messages, self.visibility_ms, consumer=spec.workload)
            if not msgs:
                if counts[VISIBLE] < before:
                    continue  # the receive moved messages to the DLQ; others may be left
                return  # FIFO groups all blocked by messages in flight, or the in-flight limit
            self.idle -= 1
            self.held += len(msgs)
            # The messages after the first wait in the worker's hands: each returns when
            # its visibility timeout ends unless the worker deletes it first.
            for m in msgs[1:]:
                q.release(m, m.receipt)
            batch = _Batch(self, msgs)
            self.batches[batch] = None
            every = spec.heartbeat_every_ms
            if every is not None:
                batch.beat = self.sim.clock.at(
                    self.sim.clock.now + every, self.service.beat, batch, self.beat_label
                )
            self.service.start(batch, 0)

    def done(self, batch: _Batch) -> None:
        """A poller finished its batch: it receives again at once (a stopped one is gone)."""
        del self.batches[batch]
        if batch.stopping:
            return
        self.idle += 1
        self.receive()

    def stop(self) -> None:
        """`pause`: no receive from now on; the pollers processing a batch get SIGTERM, and
        SIGKILL once the container's stopTimeout ends (`WorkerService.kill`)."""
        self.paused = True
        self.idle = 0
        if self._wake is not None:
            self.sim.clock.cancel(self._wake)
            self._wake = None
        stopping = [b for b in self.batches if not b.stopping]
        for batch in stopping:
            batch.stopping = True
        if stopping:
            label = ("worker-stop", self.queue.name, self.spec.workload)
            self.sim.clock.at(self.sim.clock.now + self.stop_ms, self.service.kill, stopping, label)

    def start_again(self) -> None:
        """`resume`: new pollers, as many as the item runs, receive at once (a stopped
        poller still finishing its message is not one of them)."""
        self.paused = False
        self.idle = self.pollers
        self.wake()


class _Batch:
    """The messages one receive returned, processed in order by one poller."""

    __slots__ = (
        "beat",
        "current",
        "failed_groups",
        "given_up",
        "msgs",
        "poll",
        "processing",
        "seen",
        "stopping",
        "timer",
    )

    def __init__(self, poll: WorkerPoll, msgs: list[Message]) -> None:
        self.poll = poll
        self.msgs = msgs
        # Each message as this receive returned it: a later message of the batch may be
        # received again by another poller (or moved to the DLQ) before its turn, and this
        # poller still holds the receive's copy: its receipt handle and receive count.
        self.seen = [AsReceived.of(m) for m in msgs]
        self.failed_groups: set[str] = set()
        # The message being processed: it and the ones after it are in the poller's hands.
        self.current = 0
        # The heartbeat's next clock entry (None: no heartbeat, or the batch is done), and
        # the messages it stopped extending because SQS refused a call on them.
        self.beat: list[Any] | None = None
        self.given_up: set[int] = set()
        # The message being processed and the clock entry of its end (None between two).
        self.processing: _Processing | None = None
        self.timer: list[Any] | None = None
        # Its poller was stopped (`pause`): it starts no other message of the batch.
        self.stopping = False

    def in_hand(self) -> list[int]:
        """The indexes of the messages the poller still holds and may extend: the one it
        processes and those waiting their turn (not those of a FIFO group that failed)."""
        msgs, failed, given_up = self.msgs, self.failed_groups, self.given_up
        return [
            i
            for i in range(self.current, len(msgs))
            if i not in given_up and (msgs[i].group or "") not in failed
        ]


@dataclass(slots=True)
class _Processing:
    """A message being processed: what its end needs."""

    batch: _Batch
    index: int
    handled: Handled
    outcome: Outcome


class QueuePollers:
    """A workload's pollers of one queue (its `poll` items that read it): what `pause
    WORKLOAD [--trigger QUEUE]` stops and `resume` starts again, as stptui.sim.mappings
    disables and enables an event source mapping."""

    __slots__ = ("polls",)

    def __init__(self, polls: list[WorkerPoll]) -> None:
        self.polls = polls

    @property
    def disabled(self) -> bool:
        """Whether they are stopped."""
        return all(p.paused for p in self.polls)

    def set_disabled(self, disabled: bool) -> None:
        """Stop the pollers (`WorkerPoll.stop`), or start them again."""
        for poll in self.polls:
            if disabled and not poll.paused:
                poll.stop()
            elif not disabled and poll.paused:
                poll.start_again()


class WorkerService:
    """Every `poll` item of the behaviours file, with the workloads' recent messages."""

    def __init__(self, sim: Simulator) -> None:
        self.sim = sim
        self.polls: list[WorkerPoll] = []
        self.recent: dict[str, deque[Handled]] = {}
        # Messages processed so far by each behaviour: a `first: N` rule counts them.
        self._nth: dict[str, int] = {}
        containers = sim.services["containers"].workloads
        for spec in sim.behaviors.polls():
            queue = sim.queues.get(spec.queue)
            if queue is None or spec.workload not in containers:
                continue  # refused when the file was read
            self.polls.append(WorkerPoll(self, spec, queue))
            self.recent.setdefault(spec.workload, deque(maxlen=RECENT_MESSAGES))

    def pollers(self) -> dict[tuple[str, str], QueuePollers]:
        """Each workload's pollers of each queue, by (workload, queue), in the file's order."""
        groups: dict[tuple[str, str], list[WorkerPoll]] = {}
        for p in self.polls:
            groups.setdefault((p.spec.workload, p.queue.name), []).append(p)
        return {key: QueuePollers(polls) for key, polls in groups.items()}

    def of_workload(self, workload: str) -> list[WorkerPoll]:
        """The polls of one workload, in the file's order."""
        return [p for p in self.polls if p.spec.workload == workload]

    def of_queue(self, queue: str) -> list[WorkerPoll]:
        """The polls that read one queue."""
        return [p for p in self.polls if p.queue.name == queue]

    def start(self, batch: _Batch, index: int) -> None:
        """Process message `index` of the batch now, or, past its end (or once its poller
        was stopped), free the poller."""
        poll = batch.poll
        if batch.stopping:
            # SIGTERM: the rest of the batch is left; it returns when its visibility timeout
            # ends (each was released at the receive).
            poll.held -= len(batch.msgs) - index
            index = len(batch.msgs)
        while index < len(batch.msgs) and poll.queue.fifo:
            group = batch.msgs[index].group or ""
            if group not in batch.failed_groups:
                break
            index += 1  # its group failed earlier in the batch: it returns unprocessed
            poll.held -= 1
        batch.current = index
        if index >= len(batch.msgs):
            if batch.beat is not None:
                self.sim.clock.cancel(batch.beat)
                batch.beat = None
            poll.done(batch)
            return
        sim = self.sim
        now = sim.clock.now
        spec = poll.spec
        msg = batch.msgs[index]
        seen = batch.seen[index]
        ws: ContainerSim = sim.services["containers"].workloads[spec.workload]
        inv_id = sim.new_id()
        nth = self._nth[spec.key] = self._nth.get(spec.key, 0) + 1
        handled = Handled(msg.id, poll.queue.name, spec.container, inv_id, seen.receive_count, now)
        self.recent[spec.workload].append(handled)
        queue = poll.queue
        outcome = sim.services["containers"].decide(
            ws,
            spec.key,
            spec.container,
            seen.receive_count,
            nth,
            TRIGGER,
            lambda: message_view(msg, queue, seen),
            inv_id,
            now,
        )
        for line in outcome.logs:
            sim.trace.emit(
                (now, tk.HANDLER_LOG, spec.workload, {"invocation_id": inv_id, "text": line})
            )
        if outcome.status != "success" or now + outcome.duration_ms > msg.visible_at:
            # It will not be deleted in time: it returns when its visibility timeout ends (and
            # may be received again while this poller still holds it, as on AWS).
            poll.queue.release(msg, seen.receipt)
        batch.processing = processing = _Processing(batch, index, handled, outcome)
        batch.timer = sim.clock.at(
            now + outcome.duration_ms,
            self._end,
            processing,
            ("worker-message", spec.workload, msg.id),
        )

    def _end(self, p: _Processing) -> None:
        sim = self.sim
        now = sim.clock.now
        batch, handled, outcome = p.batch, p.handled, p.outcome
        batch.processing = batch.timer = None
        poll = batch.poll
        spec = poll.spec
        msg = batch.msgs[p.index]
        handled.ended = now
        poll.held -= 1
        for emission, error in outcome.denied:
            sim.emission_refused(spec.workload, handled.invocation_id, emission, error)
        base = {
            "message_id": msg.id,
            "queue": poll.queue.name,
            "invocation_id": handled.invocation_id,
            "container": spec.container,
            "receive_count": handled.receive_count,
            "duration_ms": now - handled.started,
        }
        if outcome.status == "success":
            sim.trace.emit((now, tk.CONTAINER_MESSAGE_PROCESSED, spec.workload, base))
            for emission in outcome.emissions:
                sim.apply_emission(spec.workload, handled.invocation_id, emission)
            poll.queue.delete(msg, batch.seen[p.index].receipt, consumer=spec.workload)
        else:
            error = outcome.error_type or "Error"
            message, size = bounded_message(outcome.error_message or "")
            handled.error = error
            failed: dict[str, Any] = {**base, "error": error, "error_message": message}
            if size is not None:
                failed["error_message_bytes"] = size
            sim.trace.emit((now, tk.CONTAINER_MESSAGE_FAILED, spec.workload, failed))
            if spec.failure_visibility_s is not None:
                # The failed message, and on a FIFO queue the rest of its group in the batch
                # (which return unprocessed with it): handed back after the chosen timeout.
                group = msg.group or ""
                given_back = [p.index]
                if poll.queue.fifo:
                    given_back += [
                        i
                        for i in batch.in_hand()
                        if i > p.index and (batch.msgs[i].group or "") == group
                    ]
                for i in given_back:
                    self._change_visibility(batch, i, spec.failure_visibility_s)
            if poll.queue.fifo:
                batch.failed_groups.add(msg.group or "")
        self._logs(spec.workload, handled, outcome)
        self.start(batch, p.index + 1)

    def kill(self, batches: list[_Batch]) -> None:
        """SIGKILL: the stopTimeout of the pollers stopped at one `pause` ended. A message
        one of them still processes ends unfinished (not deleted, nothing emitted): it
        returns when its visibility timeout ends, as do the rest of its batch."""
        sim = self.sim
        now = sim.clock.now
        for batch in batches:
            p = batch.processing
            if p is None:
                continue  # it finished its message in time, and left
            if batch.timer is not None:
                sim.clock.cancel(batch.timer)
            batch.processing = batch.timer = None
            poll, handled = batch.poll, p.handled
            msg = batch.msgs[p.index]
            handled.ended = now
            handled.error = KILLED
            stop_s = format_duration(poll.stop_ms)
            killed = {
                "message_id": msg.id,
                "queue": poll.queue.name,
                "invocation_id": handled.invocation_id,
                "container": poll.spec.container,
                "receive_count": handled.receive_count,
                "duration_ms": now - handled.started,
                "error": KILLED,
                "error_message": (
                    f"the task was stopped (pause) and its container's stopTimeout of "
                    f"{stop_s} ended before the message did"
                ),
            }
            sim.trace.emit((now, tk.CONTAINER_MESSAGE_FAILED, poll.spec.workload, killed))
            poll.queue.release(msg, batch.seen[p.index].receipt)
            self._logs(poll.spec.workload, handled, p.outcome)
            poll.held -= 1
            self.start(batch, p.index + 1)

    def beat(self, batch: _Batch) -> None:
        """A heartbeat: ChangeMessageVisibility with `extendBy` on each message in hand, and
        the next beat `every` later."""
        batch.beat = None
        spec = batch.poll.spec
        extend_s = spec.heartbeat_extend_s
        every = spec.heartbeat_every_ms
        if extend_s is None or every is None:
            return
        for i in batch.in_hand():
            self._change_visibility(batch, i, extend_s)
        batch.beat = self.sim.clock.at(
            self.sim.clock.now + every, self.beat, batch, batch.poll.beat_label
        )

    def _change_visibility(self, batch: _Batch, index: int, timeout_s: int) -> None:
        """ChangeMessageVisibility on message `index` of the batch with this poller's receipt;
        a refusal is recorded, and the message is extended no more."""
        poll = batch.poll
        msg = batch.msgs[index]
        workload = poll.spec.workload
        try:
            poll.queue.change_visibility(msg, batch.seen[index].receipt, timeout_s, workload)
        except SqsError as exc:
            batch.given_up.add(index)
            refused = {
                "message_id": msg.id,
                "timeout_s": timeout_s,
                "error": exc.code,
                "error_message": str(exc).partition(": ")[2],
                "consumer": workload,
            }
            now = self.sim.clock.now
            self.sim.trace.emit((now, tk.MESSAGE_VISIBILITY_REFUSED, poll.queue.name, refused))

    def _logs(self, workload: str, handled: Handled, outcome: Outcome) -> None:
        ws = self.sim.services["containers"].workloads[workload]
        group = ws.logs.get(handled.container)
        if group is not None and outcome.logs and handled.ended is not None:
            group.served(handled.invocation_id, handled.started, handled.ended, outcome)


def _stop_timeout_s(sim: Simulator, spec: PollSpec) -> float:
    """The `stopTimeout` of the container that polls (Stacktape's default when unset)."""
    ws = sim.services["containers"].workloads[spec.workload]
    for c in ws.model.container_specs:
        if (c.name or SERVICE_CONTAINER_NAME) == spec.container:
            return c.stop_timeout_s
    return CONTAINER_STOP_TIMEOUT_S


def message_view(msg: Message, queue: QueueSim, seen: AsReceived | None = None) -> dict[str, Any]:
    """What a polled message's expressions see: the message as the SDK returned it to the
    receive `seen` (default: its latest), `body` (the body parsed when it is JSON, else the
    text) and the `queue`'s name."""
    view = sdk_message(msg, queue, seen)
    body: Any = msg.body
    with suppress(ValueError):
        body = jsontext.loads(msg.body)
    view["body"] = body
    view["queue"] = queue.name
    return view


def wire(sim: Simulator) -> None:
    """The pollers of every `poll` item (after the container workloads they run in)."""
    sim.services["workers"] = WorkerService(sim)
