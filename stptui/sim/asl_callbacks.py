"""Step Functions' callback tasks: task tokens, and SendTaskSuccess / SendTaskFailure /
SendTaskHeartbeat.

A Task state whose Resource ends in `.waitForTaskToken` ("Wait for a Callback with Task
Token") gets a token in its context object (`$$.Task.Token`), makes its call, and then waits
on the virtual clock for a worker to answer with the token: SendTaskSuccess ends the state
with the output given, SendTaskFailure fails it with the error and cause given, and
SendTaskHeartbeat restarts its HeartbeatSeconds. `TaskTokens` is the simulation's record of
every token it issued; the waiting itself (timers, Retry and Catch) is the state machine's.
docs/fidelity.md ("Step Functions callback tasks") lists the sources and the choices made.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from stptui import jsontext
from stptui.sim.asl_data import DataEnv
from stptui.textsafe import quote_word

if TYPE_CHECKING:
    from stptui.sim.behavior import Emission
    from stptui.sim.clock import Entry
    from stptui.sim.engine import Simulator
    from stptui.sim.services.state_machine import Execution, Flow, MachineSim

# A token is this many random bytes in base64: 640 characters, the length of the tokens
# Step Functions hands out (several hundred characters; SendTaskSuccess takes up to 2,048).
TOKEN_BYTES = 480
TOKEN_LENGTH = 640
_TOKEN_TEXT = re.compile(f"[A-Za-z0-9+/]{{{TOKEN_LENGTH}}}")
# How many characters of a token listings show, and the fewest a command takes as a prefix.
SHORT = 16
MIN_PREFIX = 8
# SendTaskSuccess `output`: at most 256 KiB; SendTaskFailure's and StopExecution's `error`
# 256 and `cause` 32,768 characters (the API references' length constraints).
MAX_OUTPUT_BYTES = 262_144
MAX_ERROR = 256
MAX_CAUSE = 32_768
ANSWERS = ("sendTaskSuccess", "sendTaskFailure", "sendTaskHeartbeat")


def error_cause_refusal(error: str | None, cause: str | None) -> tuple[str, str] | None:
    """The ValidationException (message, hint) of an `error` or `cause` over its length
    limit, as SendTaskFailure and StopExecution refuse it; None when both fit."""
    if error is not None and len(error) > MAX_ERROR:
        return (
            f"ValidationException: the error is {len(error):,} characters; at most {MAX_ERROR}",
            "give a short error name, and the details as the cause",
        )
    if cause is not None and len(cause) > MAX_CAUSE:
        return (
            f"ValidationException: the cause is {len(cause):,} characters; at most {MAX_CAUSE:,}",
            "shorten the cause",
        )
    return None


class TaskTokenError(Exception):
    """A SendTask* request Step Functions refuses (its error name is the first word of the
    message), with a hint."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint


@dataclass(slots=True, eq=False)
class WaitingTask:
    """One attempt of a callback Task state and the token it waits for. It is open while its
    flow is still at that attempt (`flow_token`) and the execution runs; an answer, a
    timeout, a retry, a catch or the execution's end closes it."""

    token: str
    machine: MachineSim
    flow: Flow
    flow_token: int
    name: str
    state: Mapping[str, Any]
    raw: Any
    env: DataEnv
    retries: int
    since_ms: int
    heartbeat: Entry | None = None
    answered: bool = False
    # False while the call that hands the token out is being made (a Lambda handler that
    # runs as it is invoked may answer at once): answers are then kept in `early` and take
    # effect once the wait is recorded, so that the trace shows the call, the wait, then
    # the answer, as the history does.
    armed: bool = True
    early: list[Callable[[], None]] = field(default_factory=list)

    @property
    def open(self) -> bool:
        """Whether the task still waits for its token."""
        flow = self.flow
        return (
            not self.answered
            and flow.alive
            and flow.token == self.flow_token
            and flow.ex.status == "RUNNING"
        )

    @property
    def execution(self) -> Execution:
        """The execution the task belongs to."""
        return self.flow.ex

    @property
    def shown(self) -> str:
        """The state's name as the trace shows it (with its Parallel/Map label)."""
        return self.flow.label + self.name


def short(token: str) -> str:
    """A token cut for listings: its first characters and an ellipsis."""
    return token[:SHORT] + "…"


def with_token(env: DataEnv, token: str) -> DataEnv:
    """`env` with the context object's `Task.Token` set, as Step Functions sets it for a
    callback task."""
    return env.with_context({**env.context, "Task": {"Token": token}})


class TaskTokens:
    """Every task token the simulation issued, open or closed."""

    def __init__(self, sim: Simulator) -> None:
        self.sim = sim
        self.tasks: dict[str, WaitingTask] = {}
        # The tasks answered before their wait was recorded (pruned once armed).
        self._early: list[WaitingTask] = []

    def issue(self) -> str:
        """A new token: opaque, deterministic (drawn from the simulation's id stream)."""
        seed = self.sim.new_id().encode("ascii")
        blob = b"".join(
            hashlib.sha256(seed + bytes([i])).digest() for i in range(TOKEN_BYTES // 32)
        )
        return base64.b64encode(blob).decode("ascii")

    def answered_early(self, ex: Execution) -> WaitingTask | None:
        """The task of `ex` whose handler answered its token (or sent a heartbeat) while
        the call that handed the token out is still being made: its answers wait for the
        wait's record."""
        self._early = [t for t in self._early if not t.armed]
        return next((t for t in self._early if t.execution is ex), None)

    def waiting(self, ex: Execution | None = None) -> list[WaitingTask]:
        """The open tasks (of one execution), oldest first."""
        return [t for t in self.tasks.values() if t.open and (ex is None or t.execution is ex)]

    # -- the API: exact tokens, as a worker sends them --------------------------------

    def lookup(self, token: str) -> WaitingTask:
        """The open task of `token`, or Step Functions' refusal: InvalidToken for text that
        is no token, TaskDoesNotExist for a token never issued, TaskTimedOut for a task
        already closed."""
        task = self.tasks.get(token)
        if task is None:
            if not _TOKEN_TEXT.fullmatch(token):
                raise TaskTokenError(
                    f"InvalidToken: Invalid token: {_cut(token)!r} is not a task token",
                    "a token is the 640 characters of base64 that $$.Task.Token gave the "
                    "worker; `show execution` lists the waiting ones",
                )
            raise TaskTokenError(
                "TaskDoesNotExist: no task was ever given this token",
                "`show execution EXECUTION` lists the tokens its tasks wait for",
            )
        if not task.open:
            raise TaskTokenError(
                "TaskTimedOut: Task Timed Out: 'Provided task does not exist anymore'",
                f"the task {task.shown!r} of execution {task.execution.name} was already "
                "closed (answered, timed out, retried, caught or its execution ended)",
            )
        return task

    def resolve(self, text: str) -> WaitingTask:
        """What a command names: a token, an execution (its name or ARN, or a unique start
        of its name) with exactly one waiting task, or a unique start of a waiting task's
        token (8 characters or more). A token is tried first, then an execution by its
        exact name, then a start of a token, then a start of an execution's name."""
        from stptui.sim.engine import SimError
        from stptui.sim.services.state_machine import find_execution

        if text in self.tasks:
            return self.lookup(text)
        machines = self.sim.services.get("state_machines", {})
        every = [ex for m in machines.values() for ex in m.executions.values()]
        exact = [ex for ex in every if text in (ex.name, ex.arn)]
        if len(exact) == 1:
            return self._of_execution(exact[0])
        if len(text) >= MIN_PREFIX:
            found = [t for t in self.tasks.values() if t.token.startswith(text)]
            if len(found) > 1:
                found = [t for t in found if t.open] or found
            if len(found) == 1:
                return self.lookup(found[0].token)
            if found:
                raise TaskTokenError(f"{text!r} starts {len(found)} tokens", "give more of it")
        if _TOKEN_TEXT.fullmatch(text):
            return self.lookup(text)
        try:
            return self._of_execution(find_execution(self.sim, text))
        except SimError as exc:
            if not str(exc).startswith("no execution"):
                raise TaskTokenError(str(exc), exc.hint) from None
        waiting = self.waiting()
        hint = (
            "waiting: " + ", ".join(f"{t.execution.name} ({t.shown})" for t in waiting[:5])
            if waiting
            else "no task waits for a token now"
        )
        raise TaskTokenError(
            f"InvalidToken: {_cut(text)!r} is no task token, execution or start of a token",
            hint,
        )

    def _of_execution(self, ex: Execution) -> WaitingTask:
        """The one task of `ex` that waits for a token."""
        mine = self.waiting(ex)
        if len(mine) == 1:
            return mine[0]
        if not mine:
            raise TaskTokenError(
                f"execution {ex.name} has no task waiting for a token ({ex.status})",
                f"`show execution {quote_word(ex.name)}` shows where it is",
            )
        listed = ", ".join(f"{t.shown} ({short(t.token)})" for t in mine[:5])
        raise TaskTokenError(
            f"execution {ex.name} has {len(mine)} tasks waiting for a token: {listed}",
            "give the start of the token of the one to answer",
        )

    # -- the answers -------------------------------------------------------------------

    def succeed(self, task: WaitingTask, output: str, source: str) -> None:
        """SendTaskSuccess: the state ends with `output` (JSON text) as its result."""
        result = _output(output)
        task.answered = True
        if not task.armed:
            self._defer(task, lambda: self._succeeded(task, result, source))
            return
        self._succeeded(task, result, source)

    def _defer(self, task: WaitingTask, answer: Callable[[], None]) -> None:
        """Keep `answer` until the task's wait is recorded."""
        if not task.early:
            self._early.append(task)
        task.early.append(answer)

    @staticmethod
    def _succeeded(task: WaitingTask, result: Any, source: str) -> None:
        machine, flow = task.machine, task.flow
        _stop_timers(task)
        machine.answered(task, "success", None, source)
        machine.task_result(flow, task.name, task.state, task.raw, result, task.env, task.retries)

    def fail(self, task: WaitingTask, error: str | None, cause: str | None, source: str) -> None:
        """SendTaskFailure: the state fails with `error` and `cause` (Retry and Catch apply)."""
        refusal = error_cause_refusal(error, cause)
        if refusal is not None:
            raise TaskTokenError(*refusal)
        task.answered = True
        if not task.armed:
            self._defer(task, lambda: self._failed(task, error, cause, source))
            return
        self._failed(task, error, cause, source)

    @staticmethod
    def _failed(task: WaitingTask, error: str | None, cause: str | None, source: str) -> None:
        _stop_timers(task)
        task.machine.answered(task, "failure", error or "", source)
        task.machine.task_failed(
            task.flow, task.name, task.state, task.raw, error or "", cause or "", task.retries
        )

    def beat(self, task: WaitingTask, source: str) -> None:
        """SendTaskHeartbeat: the HeartbeatSeconds clock starts again (TimeoutSeconds does
        not: it bounds the whole wait)."""
        if not task.armed:
            self._defer(task, lambda: self.beat(task, source))
            return
        task.machine.answered(task, "heartbeat", None, source)
        if task.heartbeat is not None:
            self.sim.clock.cancel(task.heartbeat)
            if task.heartbeat in task.flow.timers:
                task.flow.timers.remove(task.heartbeat)
            task.heartbeat = task.machine.heartbeat_timer(task)


def _stop_timers(task: WaitingTask) -> None:
    """The state's timers (HeartbeatSeconds, TimeoutSeconds) end with its wait."""
    task.flow.cancel_timers(task.machine.sim.clock)
    task.heartbeat = None


def _cut(text: str) -> str:
    return text if len(text) <= 40 else text[:39] + "…"


def _output(text: str) -> Any:
    """SendTaskSuccess's output: JSON text of at most 256 KiB (InvalidOutput otherwise)."""
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_OUTPUT_BYTES:
        raise TaskTokenError(
            f"InvalidOutput: the output is {size:,} bytes; at most {MAX_OUTPUT_BYTES:,} (256 KiB)",
            "send a reference (an S3 key, an id) instead of the data itself",
        )
    try:
        return jsontext.loads(text)
    except ValueError as exc:
        raise TaskTokenError(
            f"InvalidOutput: Invalid Output: the output is not JSON: {exc}",
            "the output is JSON text, e.g. '{\"approved\": true}'",
        ) from None


def tokens_of(sim: Simulator) -> TaskTokens:
    """The simulation's task tokens (made on first use)."""
    found = sim.services.get("task_tokens")
    if found is None:
        found = sim.services["task_tokens"] = TaskTokens(sim)
    return found


def answer_emission(sim: Simulator, emission: Emission, source: str) -> None:
    """A handler's sendTaskSuccess / sendTaskFailure / sendTaskHeartbeat emission, as the
    API does it (a SimError with Step Functions' error text). The token must be of a task of
    the state machine the emission names: that is the resource its role's grant covers."""
    from stptui.sim.engine import SimError

    tokens = tokens_of(sim)
    fields = emission.fields
    try:
        task = tokens.lookup(fields["token"])
        if task.machine.name != emission.target:
            raise TaskTokenError(
                f"the token is of a task of {task.machine.name}, not of {emission.target}",
                f"name {task.machine.name} as the emission's stateMachine",
            )
        if emission.kind == "sendTaskSuccess":
            tokens.succeed(task, fields["output"], source)
        elif emission.kind == "sendTaskFailure":
            tokens.fail(task, fields.get("error"), fields.get("cause"), source)
        else:
            tokens.beat(task, source)
    except TaskTokenError as exc:
        raise SimError(str(exc), exc.hint) from None


def wire(sim: Simulator) -> None:
    """Register the token service and the answers' emission handlers."""
    tokens_of(sim)
    for kind in ANSWERS:
        sim.emission_handlers[kind] = lambda e, src: answer_emission(sim, e, src)
