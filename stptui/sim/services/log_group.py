"""CloudWatch Logs log groups of the stack's functions, batch jobs and containers, and the
subscription filters (`cloudwatch-log` events) that deliver their lines.

A function's group holds what Lambda writes for each invocation (START, the handler's lines,
the runtime's error line, END, REPORT, which ends in `Status: timeout` after a timeout) in
the log stream of the execution environment that ran it, after that environment's init phase
(INIT_START, then what the handler module printed as it was imported, for the first one), and
the lines the `log` command writes. A batch job's group holds what each attempt's container
prints (its behaviour's `log` lines or its Python handler's lines, with no line of AWS's own)
in the stream of that container. An invocation's or attempt's lines are kept as one entry
and made into text only when someone reads them or a subscription filter needs them, so a
stack without subscriptions pays one append per invocation, and one per attempt that printed
anything.

When an invocation or attempt ends (or `log` writes a line), each subscription filter of the
group matches the new events (a function's init phase's with its first invocation's:
`log.matched` / `log.skipped` with the reason) and delivers the ones that pass at once, one
delivery per filter: `{"awslogs": {"data": ...}}`, invoked asynchronously (or a batch job
started with it). A subscriber's own lines may come back to it (AWS does not stop that loop);
a chain of LOOP_LIMIT deliveries in a row, each caused by the lines of an invocation the
previous one caused, is stopped with `log.loop_stopped`.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from stptui.config.aws_names import lambda_name
from stptui.config.model import SERVICE_CONTAINER_NAME, CloudWatchLogTrigger
from stptui.sim import trace as tk
from stptui.sim.log_patterns import FilterPattern, FilterPatternError, compile_filter
from stptui.sim.logs import (
    LAMBDA_PREFIX,
    LOOP_LIMIT,
    batch_group_name,
    batch_stream_name,
    container_group_key,
    container_group_name,
    ecs_stream_name,
    encode_awslogs,
    end_line,
    error_line,
    event_id,
    init_start_line,
    report_line,
    start_line,
    stream_name,
    subscription_data,
)
from stptui.sim.services.function import RUNTIME_EXITS, log_cause
from stptui.textsafe import typed_names

if TYPE_CHECKING:
    from stptui.sim.behavior import Outcome
    from stptui.sim.engine import Simulator
    from stptui.sim.services.function import Caller

# How many entries (an invocation's lines, or one written line) a group keeps for `show`.
RECENT_ENTRIES = 1_000
# PutLogEvents: an event is at most 1,048,576 bytes of UTF-8 with its 26 bytes of overhead.
MAX_WRITTEN_BYTES = 1_048_576 - 26
# The container key of the stream a batch job's `log` line goes into before its first attempt.
WRITTEN_CONTAINER = "log"


@dataclass(frozen=True, slots=True)
class LogEvent:
    """One log event: its id, time, stream, text, and the invocation or batch job
    execution that wrote it (both None for a line the `log` command wrote)."""

    id: str
    timestamp: int
    stream: str
    message: str
    invocation_id: str | None = None
    execution_id: str | None = None


@dataclass(slots=True)
class LogSubscription:
    """One subscription filter: its name, its subscriber and its compiled pattern (None with
    `error` when CloudWatch Logs would refuse the pattern: it delivers nothing)."""

    name: str
    subscriber: str
    pattern: FilterPattern | None
    error: str | None = None
    trigger: CloudWatchLogTrigger | None = None  # the `cloudwatch-log` event it was made of


def writes_error_line(outcome: Outcome) -> bool:
    """Whether an invocation's lines end in the runtime's error line: a failure's do; a
    timeout writes no line of its own, Lambda says so only in the REPORT line, and neither
    does a runtime that exited (its REPORT line names the error) (docs/fidelity.md,
    "CloudWatch Logs")."""
    return outcome.status == "error" and not outcome.resets


class LogGroupSim:
    """One log group: its streams, its recent events and its subscription filters.

    A function's group has a stream per execution environment; a batch job's (`batch`) a
    stream per attempt's container; a container workload's container's (`task_stream` its one
    task's stream) that one stream."""

    def __init__(
        self,
        sim: Simulator,
        owner: str,
        name: str,
        memory_mb: int,
        python: bool,
        batch: bool = False,
        task_stream: str | None = None,
        init_start: str | None = None,
    ) -> None:
        self.sim = sim
        self.owner = owner
        self.name = name
        self.memory_mb = memory_mb
        self.python = python
        self.batch = batch
        self.task_stream = task_stream
        # A function's INIT_START line, which each new execution environment writes first.
        self.init_start = init_start
        self.subscriptions: list[LogSubscription] = []
        # ("inv", started, ended, request_id, invocation_id, env, outcome, first_seq,
        #  init_ms: the init phase's duration on a cold start, else None, reinit_ms: the
        #  suppressed init's in an environment Lambda reset, else 0),
        # ("init", started, stream or a function's environment, lines, first_seq),
        # ("job", started, container key, execution_id, outcome, first_seq),
        # ("ctr", started, ended, invocation_id, outcome, first_seq) or ("line", LogEvent);
        # oldest first.
        self.entries: deque[tuple[Any, ...]] = deque(maxlen=RECENT_ENTRIES)
        self.seq = 0  # events written so far: the low bits of their ids
        # The ids `seq` skipped: a failure's error line that was not written (a timeout's, a
        # runtime exit's). Counted rather than the lines, so that an invocation counts once.
        self.skipped = 0
        # When each execution environment was made, in creation order: its stream is named
        # only when read (an invocation pays no hash), see `stream`.
        self.created: list[int] = []
        self._named: dict[int, str] = {}
        self.free: list[int] = []  # environments not running an invocation
        # How many environments have run the init phase: all made so far, as each new one
        # runs an invocation at once.
        self.initialised = 0
        # The stream `log` lines go into before the function has any execution environment:
        # one of their own, as a writer's other than Lambda's (no INIT_START begins it).
        self.written_stream: str | None = None
        # The init phase's entries of each environment whose invocation is running (a failed
        # init and its retry are two): their lines are delivered with that invocation's. Kept
        # by a group with subscription filters only (they are wired once, at the start).
        self._undelivered: dict[int, list[tuple[Any, ...]]] = {}
        # A batch job's containers so far (each its own stream, named only when read: an
        # attempt pays no hash) and the key of the newest, where a `log` line goes.
        self.containers = 0
        self.newest: str | None = None

    @property
    def lines(self) -> int:
        """How many lines (events) the group holds."""
        return self.seq - self.skipped

    @property
    def stream_count(self) -> int:
        """How many log streams the group has."""
        if self.task_stream is not None:
            return 1
        if self.batch:
            return self.containers
        return len(self.created) + (self.written_stream is not None)

    # -- execution environments ----------------------------------------------------------

    def begin(self, now: int) -> int:
        """The execution environment an invocation starting now runs in: the one freed most
        recently, else a new one (with its own log stream)."""
        if self.free:
            return self.free.pop()
        self.created.append(now)
        return len(self.created) - 1

    def stream(self, env: int) -> str:
        """The log stream of execution environment `env`."""
        name = self._named.get(env)
        if name is None:
            name = stream_name(self.created[env], f"{self.sim.seed}:{self.name}:{env}")
            self._named[env] = name
        return name

    def invocation(
        self,
        invocation_id: str,
        request_id: str,
        started: int,
        ended: int,
        env: int,
        outcome: Outcome,
        caller: Caller,
        init_ms: int | None = None,
        reinit_ms: int = 0,
    ) -> None:
        """An invocation `caller` started ended: keep its lines, free its environment,
        deliver. `init_ms` is the init phase's duration when it was the environment's first
        (a cold start, whose REPORT line says so); `reinit_ms` the init phase's that it ran
        before its handler in an environment Lambda reset (a suppressed init, which the
        lines do not name: REPORT's Duration holds it, `started` being the handler's
        start)."""
        seq = self.seq
        entry = (
            "inv",
            started,
            ended,
            request_id,
            invocation_id,
            env,
            outcome,
            seq,
            init_ms,
            reinit_ms,
        )
        # START, END, REPORT and the handler's lines; a failure's event ends in an error
        # line (its sequence number taken even where none is written).
        if outcome.status == "success":
            self.seq = seq + 3 + len(outcome.logs)
        else:
            self.seq = seq + 4 + len(outcome.logs)
            if not writes_error_line(outcome):
                self.skipped += 1
        self.entries.append(entry)
        self.free.append(env)
        if self.subscriptions:
            # A new environment's init lines, or a reset one's (a suppressed init's import).
            inits = self._undelivered.pop(env, None)
            events = self._events(entry)
            if inits is not None:
                events = [e for init in inits for e in self._events(init)] + events
            self.sim.services["logs"].deliver(self, events, log_cause(caller))

    def init(self, stream: str | int, started: int, lines: list[str]) -> None:
        """What a new execution environment wrote in its init phase (a function's INIT_START
        line, and what the handler module printed and logged as it was imported), in
        `stream`, a batch attempt's container's or a container workload's task's, or (an
        int) a function's execution environment, whose stream is named only when read, as
        an invocation's is; made by an invocation (attempt) at `started`: before its own
        lines, stamped then. Each of `lines` is one event's message as it is (a function's
        end in a line break, as Lambda sends them; a container's do not). A function's are
        delivered with its environment's first invocation's lines, when it ends, as one
        stream's lines are; a container's at once."""
        entry = ("init", started, stream, lines, self.seq)
        self.seq += len(lines)
        self.entries.append(entry)
        if not self.subscriptions:
            return
        if isinstance(stream, int):
            self._undelivered.setdefault(stream, []).append(entry)
        else:
            self.sim.services["logs"].deliver(self, self._events(entry), None)

    # -- a batch job's containers ----------------------------------------------------------

    def container(self, key: str) -> None:
        """A batch job's attempt started a container (`key` names it): a new log stream."""
        self.containers += 1
        self.newest = key

    def container_stream(self, key: str) -> str:
        """The log stream of the container `key` names."""
        return batch_stream_name(f"{self.sim.seed}:{self.name}:{key}")

    def attempt(
        self, execution_id: str, key: str, started: int, outcome: Outcome, cause: str
    ) -> None:
        """A batch job's attempt ended (or was terminated): keep what its container printed,
        stamped at its start, and deliver. `cause` is its execution's id, for the loop
        guard."""
        count = len(outcome.logs)
        if not count:
            return
        entry = ("job", started, key, execution_id, outcome, self.seq)
        self.seq += count
        self.entries.append(entry)
        if self.subscriptions:
            self.sim.services["logs"].deliver(self, self._events(entry), cause)

    def served(self, invocation_id: str, started: int, ended: int, outcome: Outcome) -> None:
        """A container served a request (invocation `invocation_id`): keep what it printed,
        stamped at the request's start, in its task's stream, and deliver."""
        count = len(outcome.logs)
        if not count:
            return
        entry = ("ctr", started, ended, invocation_id, outcome, self.seq)
        self.seq += count
        self.entries.append(entry)
        if self.subscriptions:
            self.sim.services["logs"].deliver(self, self._events(entry), invocation_id)

    def write(self, message: str, now: int) -> LogEvent:
        """Write one line into the group: in the stream of a function's newest environment,
        of a batch job's newest container, or of a container workload's task; before a
        function's first environment or a batch job's first attempt, in a stream of its own
        (an environment's stream starts with its INIT_START line, which the line would
        precede, and writing a line makes no environment: its first invocation is still a
        cold start)."""
        ev = self.next_line(message, now)
        if self.task_stream is None and self.batch and self.newest is None:
            self.container(WRITTEN_CONTAINER)
        elif self.task_stream is None and not self.batch and not self.created:
            self.written_stream = ev.stream
        self.seq += 1
        self.entries.append(("line", ev))
        return ev

    def next_line(self, message: str, now: int) -> LogEvent:
        """The event `write` would make of `message` now (its id, stream and time), keeping
        nothing (`invoke`'s offers)."""
        if self.task_stream is not None:
            stream = self.task_stream
        elif self.batch:
            stream = self.container_stream(self.newest or WRITTEN_CONTAINER)
        elif self.created:
            stream = self.stream(len(self.created) - 1)
        else:
            stream = self.written_stream or stream_name(now, f"{self.sim.seed}:{self.name}:log")
        return LogEvent(event_id(now, self.seq), now, stream, message)

    # -- reading -------------------------------------------------------------------------

    def _events(self, entry: tuple[Any, ...]) -> list[LogEvent]:
        if entry[0] == "line":
            return [entry[1]]
        if entry[0] == "ctr":
            # What a container prints, as the awslogs driver sends it: each line an event.
            _, started, _, inv_id, outcome, seq = entry
            stream = self.task_stream or ""
            return [
                LogEvent(event_id(started, seq + i), started, stream, text, inv_id)
                for i, text in enumerate(outcome.logs)
            ]
        if entry[0] == "init":
            _, started, stream, lines, seq = entry
            if isinstance(stream, int):
                stream = self.stream(stream)
            return [
                LogEvent(event_id(started, seq + i), started, stream, text)
                for i, text in enumerate(lines)
            ]
        if entry[0] == "job":
            # The awslogs driver sends each line without its newline, all stamped (by
            # stptui's choice) at the attempt's start, as a function's handler lines are.
            _, started, key, execution_id, outcome, seq = entry
            stream = self.container_stream(key)
            return [
                LogEvent(event_id(started, seq + i), started, stream, text, None, execution_id)
                for i, text in enumerate(outcome.logs)
            ]
        _, started, ended, rid, inv_id, env, outcome, seq, init_ms, reinit_ms = entry
        stream = self.stream(env)
        lines = [(started, start_line(rid))]
        lines += [(started, text + "\n") for text in outcome.logs]
        timed_out = outcome.status == "timeout"
        if writes_error_line(outcome):
            error = error_line(
                self.python,
                ended,
                rid,
                outcome.error_type or "Error",
                outcome.error_message or "",
                outcome.stack_trace,
            )
            lines.append((ended, error))
        lines.append((ended, end_line(rid)))
        report = report_line(
            rid,
            ended - started + reinit_ms,
            self.memory_mb,
            timed_out=timed_out,
            init_ms=init_ms,
            exited=outcome.error_type if outcome.error_type in RUNTIME_EXITS else None,
        )
        lines.append((ended, report))
        return [
            LogEvent(event_id(t, seq + i), t, stream, text, inv_id)
            for i, (t, text) in enumerate(lines)
        ]

    def recent(self, limit: int) -> list[LogEvent]:
        """The group's newest `limit` events kept, in time order (ties in the order they
        were written).

        Entries are kept in the order they ended, so an entry's events are no later than
        its end and the entries before it end no later: reading back from the newest, the
        entries left unread once `limit` events are at least as late as the next one's end
        hold none of the newest (the Inspector asks on every redraw; making the events of a
        thousand invocations took longer than a key press may)."""
        if limit <= 0:
            return []
        chunks: list[list[LogEvent]] = []
        stamps: list[int] = []
        for entry in reversed(self.entries):
            kind = entry[0]
            # A batch attempt's lines, and the init phase's, are all stamped at its start.
            end = (
                entry[1].timestamp
                if kind == "line"
                else entry[1]
                if kind in ("job", "init")
                else entry[2]
            )
            if len(stamps) >= limit and end <= sorted(stamps)[-limit]:
                break
            chunk = self._events(entry)
            chunks.append(chunk)
            stamps += [ev.timestamp for ev in chunk]
        events = [ev for chunk in reversed(chunks) for ev in chunk]
        events.sort(key=lambda ev: ev.timestamp)
        return events[-limit:]


class LogService:
    """Every log group of the stack and the deliveries of their subscription filters."""

    def __init__(self, sim: Simulator) -> None:
        self.sim = sim
        self.groups: dict[str, LogGroupSim] = {}
        # How far down a chain of subscription deliveries each delivery is (by the id of
        # the asynchronous event or execution it made), for the loop guard.
        self.depth: dict[str, int] = {}
        stack = sim.stack
        for fn in stack.functions:
            if fn.logging_disabled:
                continue
            fsim = sim.functions[fn.name]
            group = LogGroupSim(
                sim,
                fn.name,
                LAMBDA_PREFIX + _physical(sim, fn.name),
                fn.memory_mb,
                fsim.python,
                init_start=init_start_line(fsim.runtime, sim.region),
            )
            self.groups[fn.name] = group
            fsim.logs = group
        jobs = sim.services["batch"].jobs
        for job in stack.batch_jobs:
            if not job.logging_disabled:
                # Stacktape's batchJobLogGroup, named by the job's name in the config.
                name = batch_group_name(stack.stack_name, job.name)
                group = LogGroupSim(sim, job.name, name, job.memory_mb, False, batch=True)
                self.groups[job.name] = group
                jobs[job.name].logs = group
        # The container log groups `logging: {disabled: true}` leaves out, by group key.
        self.disabled_containers: set[str] = set()
        for ws in sim.services["containers"].workloads.values():
            disabled = {
                spec.name or SERVICE_CONTAINER_NAME
                for spec in ws.model.container_specs
                if spec.logging_disabled
            }
            for container in ws.containers:
                key = container_group_key(ws.name, ws.containers, container)
                if container in disabled:
                    self.disabled_containers.add(key)
                    continue
                # Stacktape's containerLogGroup; one per container, each served by the task.
                name = container_group_name(stack.stack_name, ws.name, container)
                stream = ecs_stream_name(container, ws.task_id)
                group = LogGroupSim(sim, ws.name, name, 0, False, task_stream=stream)
                self.groups[key] = group
                ws.logs[container] = group
        for w in stack.workloads:
            for t in w.events:
                if not isinstance(t, CloudWatchLogTrigger) or t.log_group is None:
                    continue
                key = t.log_group.target or ""
                ws = sim.services["containers"].workloads.get(key)
                if ws is not None and t.group_container is not None:
                    key = container_group_key(ws.name, ws.containers, t.group_container)
                group = self.groups.get(key)
                if group is None:
                    continue
                try:
                    pattern: FilterPattern | None = compile_filter(t.filter_pattern)
                    error = None
                except FilterPatternError as exc:
                    pattern, error = None, str(exc)
                name = f"{_physical(sim, w.name)}-cloudwatch-log-{t.index}"
                group.subscriptions.append(LogSubscription(name, w.name, pattern, error, t))

    def group(self, name: str) -> LogGroupSim:
        """The log group of function or batch job `name` (or of a container workload's
        container: `WORKLOAD`, or `WORKLOAD.CONTAINER` when it has several), or a SimError
        saying why none: the same answer as any command that takes a workload, or that its
        logging is off."""
        from stptui.sim.engine import SimError

        hit = self.groups.get(name)
        if hit is not None:
            return hit
        workloads = self.sim.services["containers"].workloads
        ws = workloads.get(name)
        if ws is not None and len(ws.containers) > 1:
            names = typed_names(f"{name}.{c}" for c in ws.containers)
            raise SimError(
                f"{name} has {len(ws.containers)} containers, each with its own log group",
                f"name one: {names}",
            )
        head, _, container = name.partition(".")
        one = workloads.get(head)
        if one is not None and len(one.containers) == 1 and container in one.containers:
            # `web.service-container`: a one-container workload's group goes by its name.
            return self.group(head)
        # Raises for a name that is no function, batch job or container workload (or for a
        # container the workload lacks).
        self.sim.override_target(name)
        if name in self.disabled_containers and container:
            raise SimError(
                f"container {container} of {head} has logging disabled: it has no log group",
                f"remove `logging: {{disabled: true}}` from {head}'s container {container} "
                "to give it one",
            )
        raise SimError(
            f"{name} has logging disabled: it has no log group",
            f"remove `logging: {{disabled: true}}` from {name} to give it one",
        )

    def disabled(self, name: str) -> bool:
        """Whether `name` (a function, batch job, or a container's group key) writes no log
        lines because its `logging` is disabled."""
        if name in self.groups:
            return False
        batch = self.sim.services.get("batch")
        jobs = batch.jobs if batch is not None else {}
        return name in self.sim.functions or name in jobs or name in self.disabled_containers

    def write(self, owner: str, message: str, source: str = "command") -> LogEvent:
        """Write `message` as one log event into `owner`'s group now and deliver it."""
        from stptui.sim.engine import SimError

        group = self.group(owner)
        size = len(message.encode("utf-8", "surrogatepass"))
        if not message:
            raise SimError(
                "a log event needs a message of at least one character", "write some text"
            )
        if size > MAX_WRITTEN_BYTES:
            raise SimError(
                f"a log event is at most {MAX_WRITTEN_BYTES:,} bytes of UTF-8, not {size:,}",
                "write a shorter line",
            )
        now = self.sim.clock.now
        ev = group.write(message, now)
        data = {
            "group": group.name,
            "stream": ev.stream,
            "log_event_id": ev.id,
            "message": message,
            "source": source,
        }
        self.sim.trace.emit((now, tk.LOG_WRITTEN, owner, data))
        if group.subscriptions:
            self.deliver(group, [ev], None)
        return ev

    def deliver(self, group: LogGroupSim, events: list[LogEvent], cause: str | None) -> None:
        """Match `events` (of one stream) against each of the group's filters; deliver the
        ones that pass. `cause` is the asynchronous event or execution id that started the
        invocation that wrote them, for the loop guard."""
        from stptui.sim.services.bus import DeliveryError, deliver_to_workload

        sim = self.sim
        now = sim.clock.now
        emit = sim.trace.emit
        depth = self.depth.get(cause, 0) + 1 if cause is not None else 1
        for sub in group.subscriptions:
            passed: list[LogEvent] = []
            for ev in events:
                data = {
                    "group": group.name,
                    "filter": sub.name,
                    "subscriber": sub.subscriber,
                    "log_event_id": ev.id,
                    "stream": ev.stream,
                    "message": ev.message,
                }
                if ev.invocation_id is not None:
                    data["invocation_id"] = ev.invocation_id
                elif ev.execution_id is not None:
                    data["execution_id"] = ev.execution_id
                if sub.pattern is None:
                    data["reason"] = f"the filter pattern is invalid: {sub.error}"
                    emit((now, tk.LOG_SKIPPED, group.owner, data))
                elif sub.pattern.matches(ev.message):
                    passed.append(ev)
                    emit((now, tk.LOG_MATCHED, group.owner, data))
                else:
                    data["reason"] = sub.pattern.explain(ev.message).reasons
                    emit((now, tk.LOG_SKIPPED, group.owner, data))
            if not passed:
                continue
            ids = [ev.id for ev in passed]
            base = {"group": group.name, "filter": sub.name, "subscriber": sub.subscriber}
            if depth > LOOP_LIMIT:
                stopped = {
                    **base,
                    "log_event_ids": ids,
                    "depth": depth,
                    "reason": f"{depth - 1} deliveries in a row were caused by lines of "
                    "invocations the previous delivery caused: stptui stops the loop "
                    "(AWS does not)",
                }
                emit((now, tk.LOG_LOOP_STOPPED, group.owner, stopped))
                continue
            try:
                delivered = deliver_to_workload(
                    sim,
                    sub.subscriber,
                    self.delivery(group, sub, passed),
                    trigger="cloudwatch-log",
                    origin=group.name,
                )
            except DeliveryError as exc:
                failed = {**base, "log_event_ids": ids, "error": exc.message}
                emit((now, tk.LOG_DELIVERY_FAILED, group.owner, failed))
                continue
            self.depth[delivered] = depth
            done = {
                **base,
                "stream": passed[0].stream,
                "log_event_ids": ids,
                "count": len(ids),
                "delivered_id": delivered,
            }
            emit((now, tk.LOG_DELIVERED, group.owner, done))

    def delivery(
        self, group: LogGroupSim, sub: LogSubscription, events: list[LogEvent]
    ) -> dict[str, Any]:
        """The event `sub` hands its subscriber for `events` (of one stream) of `group`:
        `{"awslogs": {"data": ...}}`."""
        doc = subscription_data(
            self.sim.account_id,
            group.name,
            events[0].stream,
            [sub.name],
            [(ev.id, ev.timestamp, ev.message) for ev in events],
        )
        return encode_awslogs(doc)

    def example_event(
        self, group: LogGroupSim, sub: LogSubscription, message: str
    ) -> dict[str, Any] | None:
        """The event `sub` delivers for `message` written into `group` now (`write`), or
        None when its filter does not pass it (or is invalid). Nothing is kept, drawn or
        traced (`invoke`'s offers)."""
        if sub.pattern is None or not sub.pattern.matches(message):
            return None
        return self.delivery(group, sub, [group.next_line(message, self.sim.clock.now)])


def _physical(sim: Simulator, name: str) -> str:
    return lambda_name(sim.stack.stack_name, name)


def wire(sim: Simulator) -> None:
    """Build the log groups and their subscription filters."""
    sim.services["logs"] = LogService(sim)
