"""Step Functions state machines: STANDARD executions on the virtual clock.

An execution walks its definition one state at a time. A Task invokes a stack function
synchronously (its simulated behaviour decides how long it runs and how it ends), calls a
queue, topic, bus or table through stptui.sim.asl_integrations, or submits a batch job or
starts a nested execution through stptui.sim.asl_jobs (waiting for it with `.sync`); a
`.waitForTaskToken` Task then waits for its token's answer (stptui.sim.asl_callbacks); Retry waits
IntervalSeconds x BackoffRate^n (capped by MaxDelaySeconds, FULL jitter drawn from the
simulation's rng) before the next attempt; Catch sends the error output on; Wait, retries and
timeouts are clock entries, so `advance` fast-forwards them. Parallel runs its branches and
Map its iterations (up to MaxConcurrency at once) as child flows; the first failure stops the
others. A DISTRIBUTED Map runs a Map Run of child executions that tolerates failures up to its
threshold (its items, batches and tolerance are stptui.sim.asl_distributed's). RedriveExecution
runs an unsuccessful execution on from the states each flow was in when it stopped, keeping
what its Parallel and Map states' children had finished. Data flow (paths, Parameters,
Choice rules, Wait times) is stptui.sim.asl_data's; that of `QueryLanguage: JSONata` states
(Arguments, Output, Assign, Conditions and the other `{% %}` fields) is
stptui.sim.asl_jsonata_data's: which states are JSONata is worked out once per machine.
docs/fidelity.md ("Step Functions executions") lists the sources and the choices made.
"""

from __future__ import annotations

import json
import re
from collections import ChainMap, deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, TypeVar

from stptui import jsontext
from stptui.config.aws_names import state_machines_role_name
from stptui.config.model import StateMachine
from stptui.sim import (
    asl,
    asl_callbacks,
    asl_distributed,
    asl_examples,
    asl_integrations,
    asl_jobs,
    asl_jsonata_data,
    asl_sdk,
)
from stptui.sim import trace as tk
from stptui.sim.asl_data import (
    DataEnv,
    JsonataEnv,
    StatesRuntimeError,
    assign_values,
    catch_output,
    choose,
    fail_fields,
    map_item_input,
    map_items,
    state_input,
    state_output,
    wait_until_ms,
)
from stptui.sim.asl_jsonpath import compact_json, json_bytes, json_text, utf8_bytes
from stptui.sim.clock import MAX_MS, datetime_of, http_date, iso_ms
from stptui.textsafe import quote_word, quoted

if TYPE_CHECKING:
    from stptui.sim.behavior import Emission, Outcome
    from stptui.sim.clock import Entry, Scheduler
    from stptui.sim.engine import Simulator
    from stptui.sim.services.function import FunctionSim

# "Maximum input or output size for a task, state, or execution: 256 KiB of data as a UTF-8
# encoded string" (Step Functions quotas).
MAX_PAYLOAD_BYTES = 262_144
# How deeply a state's output may nest (arrays and objects): a deeper one fails the state
# with States.DataLimitExceeded. AWS documents no such limit; it is stptui's, because a loop
# that nests its data one level per turn (`ResultPath: $.r` back to itself) would otherwise
# exhaust Python's recursion in whatever copies or writes the data next. Within it, every
# walk of the data stays far inside that recursion (docs/fidelity.md).
MAX_DATA_DEPTH = 200
# Retrier defaults (Amazon States Language: "Retrying after an error").
DEFAULT_MAX_ATTEMPTS = 3
DEFAULT_INTERVAL_S = 1
DEFAULT_BACKOFF_RATE = 2.0
# An execution's longest run without TimeoutSeconds: one year (Step Functions quotas).
MAX_EXECUTION_MS = 365 * 24 * 3_600_000
# A retry due later than this never runs: an execution ends within a year of its start
# (redriven or not), so longer waits are all scheduled at this one, which keeps the
# arithmetic of huge BackoffRates and IntervalSeconds finite.
RETRY_NEVER_MS = MAX_EXECUTION_MS + 24 * 3_600_000
# "Maximum execution history size: 25,000 events" (Step Functions quotas); counted here in
# the simulator's own history lines. The cause is AWS's, as users report it (loads/ardere#86).
MAX_HISTORY_EVENTS = 25_000
HISTORY_LIMIT_CAUSE = "The execution reached the maximum number of history events (25000)."
# The history's failure events hold an error of at most 256 characters and a cause of at
# most 32,768 (TaskFailedEventDetails, ExecutionFailedEventDetails); a function's error
# response, or a Fail state's ErrorPath and CausePath, may give more: cut to those.
MAX_ERROR_CHARS = 256
MAX_CAUSE_CHARS = 32_768
# "In this mode, the Map state supports up to 40 concurrent iterations" (Using Map state in
# Inline mode): whatever MaxConcurrency says, 0 ("no limit") included.
MAX_INLINE_CONCURRENCY = 40
# The fields by which a Task's output may hold less than its whole result (the connector's
# output); ResultPath only with null. Without them the output holds the result whole.
_NARROWING = frozenset(("ResultSelector", "OutputPath", "Output"))
_STATES_RESOURCE = "arn:aws:states:::"
# An error and a cause, each a str, or None where a Fail state gives none.
_Error = TypeVar("_Error", str, str | None)
_Cause = TypeVar("_Cause", str, str | None)
# Execution names: 1 to 80 characters, none of whitespace, brackets, wildcards, special
# characters or control characters (StartExecution: `name`).
MAX_NAME_CHARS = 80
_BAD_NAME = re.compile(r"[\s<>{}\[\]?*\"#%\\^|~`$&,;:/\x00-\x1f\x7f-\x9f]")
# Error names that no retrier or catcher matches through States.ALL (Error names: "States.ALL
# ... can't catch the States.DataLimitExceeded terminal error or Runtime error types"), but
# for a Task's result over the payload quota: AWS reports that as the task's failure, which
# States.ALL catches (its recorded histories; docs/fidelity.md).
_TERMINAL_ERRORS = ("States.Runtime", "States.DataLimitExceeded")
# The names of the packed fields of sfn.state.entered and sfn.state.exited (trace.Raw), and
# the history's event names by state type (made once, not per line).
_ENTERED_FIELDS = ("execution_arn", "state", "type", "input_bytes")
_EXITED_FIELDS = ("execution_arn", "state", "type", "output_bytes")
# A state that assigned variables: its exit record also has them, as the history's
# StateExited event does (`assignedVariables`: each name's value as JSON text).
_EXITED_ASSIGNED_FIELDS = (*_EXITED_FIELDS, "assigned_variables")
# "the workflow stores the returned API data (up to 256 KiB per state) in a variable"
# (developer guide, "Passing data between states with variables"): what one Assign stores.
MAX_ASSIGN_BYTES = 262_144
_STATE_TYPES = ("Task", "Pass", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map")
_ENTERED = {t: f"{t}StateEntered" for t in _STATE_TYPES}
_EXITED = {t: f"{t}StateExited" for t in _STATE_TYPES}
RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED = (
    "RUNNING",
    "SUCCEEDED",
    "FAILED",
    "TIMED_OUT",
    "ABORTED",
)
STATUSES = (RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED)
# RedriveExecution (API reference): an unsuccessful execution can be redriven for 14 days
# after it stopped, if its history has fewer than 24,999 events (room for ExecutionRedriven
# and one more) and it was started on or after the launch of redrive (2023-11-15).
REDRIVE_PERIOD_MS = 14 * 24 * 3_600_000
MAX_REDRIVE_HISTORY = 24_999
REDRIVE_LAUNCH_MS = 1_700_006_400_000  # 2023-11-15T00:00:00Z
REDRIVABLE, NOT_REDRIVABLE = "REDRIVABLE", "NOT_REDRIVABLE"


class ExecutionError(Exception):
    """A StartExecution or StopExecution request Step Functions refuses (its error name is
    the first word of the message), with a hint."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint


@dataclass(slots=True)
class HistoryEvent:
    """One line of an execution's history: what happened to which state, and when.

    `note` is the detail, or, for the lines that enter and leave states (most of a long
    history), just the byte count the detail gives (a Map iteration's line: its index):
    few histories are ever read, so the words are made when someone reads `detail`. `data`
    is what GetExecutionHistory's event holds of it (stptui.sim.sfn_history): the input a
    state or execution started with, the output it ended with (a Task's with its result:
    TaskExit), the parameters a task sent, an (error, cause) pair; a reference, never a copy
    (nothing changes a state's data in place). Kept only when Python handlers run
    (MachineSim.keep_data): nothing else reads it, and a loop's data would otherwise outlive
    it in every history."""

    t: int
    what: str
    state: str
    note: str | int
    data: Any = None

    @property
    def detail(self) -> str:
        """The detail in words, e.g. `input 1,024 bytes`."""
        return self.words()

    def words(self) -> str:
        """The note in words (a byte count as `output 1,024 bytes`, a Map iteration's
        index as `item 3`)."""
        note = self.note
        if isinstance(note, str):
            return note
        if self.what.startswith("MapIteration"):
            return f"item {note}"
        word = "input" if self.what.endswith(("Entered", "Started")) else "output"
        return f"{word} {note:,} bytes"

    @property
    def assigned(self) -> dict[str, str] | None:
        """The variables the state assigned (None: none)."""
        return None


@dataclass(frozen=True, slots=True)
class TaskExit:
    """A Task state's output and the result it was made from, when they differ (a
    ResultSelector, ResultPath or OutputPath): GetExecutionHistory's TaskSucceeded event
    gives the result, its TaskStateExited the output."""

    output: Any
    result: Any


@dataclass(slots=True)
class AssignedEvent(HistoryEvent):
    """A history line that exits a state (or catches its error) whose Assign stored
    variables: StateExitedEventDetails' `assignedVariables`, each value as JSON text. A
    class of its own, so that the lines of a workflow without variables stay as small."""

    variables: dict[str, str] = field(default_factory=dict)

    @property
    def detail(self) -> str:
        """The detail in words, then the variables assigned (`; assigned $n = 1`)."""
        shown = ", ".join(f"${k} = {_cut(v)}" for k, v in self.variables.items())
        return f"{self.words()}; assigned {shown}"

    @property
    def assigned(self) -> dict[str, str] | None:
        """The variables the state assigned."""
        return self.variables


def _cut(text: str) -> str:
    return text if len(text) <= 40 else text[:39] + "…"


@dataclass(slots=True)
class Execution:
    """One execution of a state machine."""

    machine: MachineSim
    name: str
    arn: str
    input: Any
    start_ms: int
    source: str
    status: str = RUNNING
    stop_ms: int | None = None
    output: Any = None
    error: str | None = None
    cause: str | None = None
    history: list[HistoryEvent] = field(default_factory=list)
    timer: Entry | None = None
    root: Flow | None = None
    # stptui's advice for runtime errors, by (error, cause): never part of AWS's cause.
    hints: dict[tuple[str, str], str] = field(default_factory=dict)
    # The execution whose `states:startExecution` task started this one, if any.
    started_by: Execution | None = None
    # What hears this execution end: the `.sync` tasks that wait for it.
    waiters: list[Callable[[Execution], None]] = field(default_factory=list)
    # RedriveExecution: how many times, and when last.
    redrive_count: int = 0
    redrive_ms: int | None = None
    # Its Distributed Maps' runs, by Map Run ARN, in the order they started (ListMapRuns,
    # DescribeMapRun).
    map_runs: dict[str, MapRun] = field(default_factory=dict)

    @property
    def hint(self) -> str:
        """What to change when the execution failed with a runtime error ("" otherwise)."""
        return self.hints.get((self.error or "", self.cause or ""), "")

    def variables(self) -> Mapping[str, Any]:
        """The workflow variables of the execution's top-level scope, read-only: their
        values now while it runs, their last values once it has ended (empty until a
        state assigns one). A Parallel branch's or Map iteration's own are not in it."""
        root = self.root
        if root is None or root.variables is None:
            return MappingProxyType({})
        return MappingProxyType(root.variables)

    def nested_variables(self, limit: int) -> list[tuple[str, str, Mapping[str, Any]]]:
        """The running Parallel branches' and Map iterations' own workflow variables (those
        their states assigned, not the outer ones they read), read-only: (the flow's label
        without its last `/`, e.g. `Fan/1` or `Each/0/Inner/2`, "Parallel branch" or "Map
        iteration", its variables), outer scopes before the ones inside them, in the order
        they started. At most `limit` + 1 (one more says there are more); empty once the
        execution has ended (its branches and iterations have too)."""
        out: list[tuple[str, str, Mapping[str, Any]]] = []
        if self.root is None or self.status != RUNNING:
            return out
        # Each flow with what it is to its parent; children pushed in reverse, so that an
        # explicit stack visits them in order.
        todo: list[tuple[Flow, str]] = [(self.root, "")]
        while todo and len(out) <= limit:
            flow, kind = todo.pop()
            if kind and flow.variables:
                out.append((flow.label.rstrip("/"), kind, MappingProxyType(flow.variables)))
            if not flow.children:
                continue
            owner = flow.states.get(flow.fan.state) if flow.fan is not None else None
            inner = "Parallel branch" if _type_of(owner) == "Parallel" else "Map iteration"
            todo.extend((child, inner) for child in reversed(flow.children))
        return out


def _type_of(state: Any) -> Any:
    return state.get("Type") if isinstance(state, Mapping) else None


@dataclass(slots=True)
class Timer:
    """A clock entry of a flow: the end of a Wait, the next attempt of a retried state, or
    a Task's TimeoutSeconds. It does nothing when its flow has moved on (`token` differs)."""

    what: str
    flow: Flow
    token: int
    state_name: str
    state: Mapping[str, Any]
    raw: Any
    retries: int


def _timer_text(timer: Timer) -> str:
    return f"{timer.what} of state {timer.flow.label}{timer.state_name} ({timer.flow.ex.name})"


def _timeout_text(ex: Execution) -> str:
    return f"TimeoutSeconds of execution {ex.name}"


@dataclass(slots=True)
class Fan:
    """The child flows a Parallel or Map state of a flow started (by job index) and the
    results of those that succeeded: what a redrive keeps, and where it resumes the rest."""

    state: str
    children: dict[int, Flow] = field(default_factory=dict)
    results: dict[int, Any] = field(default_factory=dict)
    # When each child with a result stopped (a Map Run's ResultWriter reports it).
    stops: dict[int, int] = field(default_factory=dict)
    # A Distributed Map's run: its ARN and its child executions' context (a redrive of
    # the run keeps both).
    map_run: tuple[str, list[dict[str, Any]]] | None = None


@dataclass(slots=True)
class MapRun:
    """A Distributed Map's run: its ARN, the state (as shown), its failure tolerance and
    how many items each child execution got (a failed batch fails all its items); and what
    DescribeMapRun answers of it: when it started and stopped, its status, its
    MaxConcurrency, its redrives and where each child execution is."""

    arn: str
    state: str
    tolerance: asl_distributed.Tolerance
    sizes: list[int]
    # The Map's effective input (its ResultWriter's `.$` Parameters read it) and the ARN
    # its child executions' records name as their state machine.
    effective: Any = None
    machine_arn: str = ""
    # The children that failed: their {Error, Cause} and when they stopped.
    errors: dict[int, tuple[Any, int]] = field(default_factory=dict)
    # The items of the children that failed so far, counted as each fails (summing them
    # again at every failure made a run with many tolerated failures quadratic).
    failed_items: int = 0
    start_ms: int = 0
    stop_ms: int | None = None
    status: str = RUNNING
    # The Map's MaxConcurrency as the state gives it (0: none given).
    max_concurrency: int = 0
    redrive_count: int = 0
    redrive_ms: int | None = None
    # The children launched (by index) and those with a result: the run's Fan, kept here
    # for DescribeMapRun's counts; and whether its ResultWriter wrote them.
    fan: Fan | None = None
    written: bool = False
    # Each child execution's context object ($$.Execution: Id, Name, Input, StartTime,
    # RedriveCount), by index: what ListExecutions and DescribeExecution answer of it.
    executions: list[dict[str, Any]] = field(default_factory=list)
    # When each child started (a child MaxConcurrency holds back starts when launched), and
    # each redriven child's last redrive.
    started: dict[int, int] = field(default_factory=dict)
    redriven: dict[int, int] = field(default_factory=dict)

    def fail(self, index: int, failed: set[int]) -> bool:
        """Child `index` failed: add it to `failed`; whether the failed children's items
        now exceed the tolerated failures."""
        if index not in failed:
            failed.add(index)
            self.failed_items += self.sizes[index]
        return self.tolerance.exceeded(self.failed_items)

    def outcome(self, ex: Execution) -> tuple[str, int | None]:
        """Its status and stop instant: as it ended, or ABORTED when its execution (`ex`)
        ended while it ran (Step Functions aborts a Map Run its execution outlives)."""
        if self.status == RUNNING and ex.status != RUNNING:
            return ABORTED, ex.stop_ms
        return self.status, self.stop_ms

    def children(self, ex: Execution) -> list[str]:
        """Each child execution's status, by index: PENDING (not started), RUNNING,
        SUCCEEDED, FAILED, or ABORTED (running when the run failed or the execution
        ended)."""
        fan = self.fan
        launched = fan.children if fan is not None else {}
        results = fan.results if fan is not None else {}
        ended = self.status != RUNNING or ex.status != RUNNING
        out = []
        for i in range(len(self.sizes)):
            if i in results:
                out.append("SUCCEEDED")
            elif i in self.errors:
                out.append("FAILED")
            elif i in launched:
                out.append("ABORTED" if ended else RUNNING)
            else:
                out.append("PENDING")
        return out


class Flow:
    """One (possibly nested) machine running inside an execution: the execution itself, a
    Parallel branch or a Map iteration. `label` prefixes its states' names in the trace
    (`Fan/0/Work` is state Work of branch 0 of the Parallel state Fan)."""

    # Slotted: a Map makes one per item, and its states read and set these at every
    # transition.
    __slots__ = (
        "alive",
        "at",
        "children",
        "done",
        "ex",
        "execution",
        "fan",
        "label",
        "limits",
        "map_item",
        "outer",
        "redo_fan",
        "retry_counts",
        "scope",
        "start",
        "states",
        "timers",
        "token",
        "variables",
        "waits",
    )

    def __init__(
        self,
        ex: Execution,
        machine: Mapping[str, Any],
        label: str,
        done: Callable[[Flow, bool, Any], None],
        map_item: dict[str, Any] | None = None,
        execution: dict[str, Any] | None = None,
        outer: Mapping[str, Any] | None = None,
    ) -> None:
        self.ex = ex
        # Workflow variables: those this flow's states assigned (None until one does), and
        # what its states read: its own over the outer scopes' (`outer`, read-only: a
        # Parallel branch or Map iteration reads the variables of the flows around it).
        self.variables: dict[str, Any] | None = None
        self.outer = outer
        self.scope: Mapping[str, Any] | None = outer
        # The context object's `Execution` of a Distributed Map's child execution (None:
        # the execution's own).
        self.execution = execution
        # The state entered last and its raw input: where a redrive resumes this flow.
        self.at: tuple[str, Any] | None = None
        # The children of its current Parallel or Map state; and, on a redrive, those of
        # the flow it continues, for that state to keep what succeeded.
        self.fan: Fan | None = None
        self.redo_fan: Fan | None = None
        self.states: Mapping[str, Any] = machine.get("States") or {}
        self.start: str = machine.get("StartAt", "")
        self.label = label
        self.done = done
        self.map_item = map_item
        self.alive = True
        # Each state entry or attempt bumps the token: a callback of an earlier one (a late
        # invocation, a cancelled timer) sees a different token and does nothing.
        self.token = 0
        self.timers: list[Entry] = []
        # Insertion-ordered, as a set: a Map of 10,000 items removes each as it ends.
        self.children: dict[Flow, None] = {}
        # Attempts made so far by each retrier of the current state (by its index).
        self.retry_counts: dict[int, int] = {}
        # How to cancel what the current `.sync` task waits for (a batch job, an execution).
        self.waits: list[Callable[[], None]] = []
        # A JSONata Task's TimeoutSeconds and HeartbeatSeconds, evaluated for the current
        # attempt (None: the state's literal values hold).
        self.limits: dict[str, int | None] | None = None

    def assign(self, values: Mapping[str, Any]) -> None:
        """Store assigned variables in this flow's own scope."""
        if self.variables is None:
            self.variables = {}
            # A ChainMap reads the dict as it changes: built once, when the first is stored.
            self.scope = (
                self.variables if self.outer is None else ChainMap(self.variables, self.outer)
            )
        self.variables.update(values)

    def stop(self, sim: Simulator) -> None:
        """End this flow and its children now: their timers are dropped, a job or execution
        a `.sync` task waits for is terminated, and whatever they invoked is left to finish
        unheard."""
        self.alive = False
        self.token += 1
        # Each flow of a Map stops as its item ends, most with nothing armed, awaited or
        # running: then nothing is cleared.
        if self.timers:
            self.cancel_timers(sim.clock)
        if self.waits:
            self.cancel_waits()
        if self.children:
            for child in self.children:
                child.stop(sim)
            self.children.clear()

    def cancel_timers(self, clock: Scheduler) -> None:
        """Cancel the timers armed for the current state (a retry's wait, TimeoutSeconds,
        HeartbeatSeconds): whatever ends the state or its attempt first makes them moot."""
        for entry in self.timers:
            clock.cancel(entry)
        self.timers.clear()

    def cancel_waits(self) -> None:
        """Terminate the job or stop the execution the current task waits for (Step
        Functions does when the task ends first)."""
        waits, self.waits = self.waits, []
        for cancel in waits:
            cancel()


def _function_error(
    fn: FunctionSim, outcome: Outcome, request_id: str, optimized: bool
) -> tuple[str, str]:
    """The error and cause a Task state fails with when function `fn` fails (invocation
    `request_id`): the function's error type (`Error` when it has none), and as cause the
    error response Invoke answers (the runtime's, or Lambda's own for a timeout). A direct
    task (the function's ARN as Resource) gives its text as the runtime wrote it;
    `lambda:invoke` (`optimized`) parses the Payload and writes it again, compact (AWS's
    histories, docs/fidelity.md "Step Functions")."""
    error = outcome.error_type or "Error"
    if optimized:
        return error, compact_json(fn.error_response(outcome, request_id))
    return error, fn.error_text(outcome, request_id)


class MachineSim:
    """One state machine of the stack and its executions."""

    def __init__(self, sim: Simulator, model: StateMachine) -> None:
        self.sim = sim
        self.name = model.name
        self.definition: dict[str, Any] = model.definition or {}
        self.arn = sim.resource_param(model.name, "arn")
        self.aws_name = sim.resource_param(model.name, "name")
        role = state_machines_role_name(sim.stack.stack_name)
        self.role_arn = f"arn:aws:iam::{sim.account_id}:role/{role}"
        self.executions: dict[str, Execution] = {}
        # Whether the history keeps each line's data: only GetExecutionHistory reads it, and
        # only a Python handler (--allow-code) calls that. Without, a loop's data is freed
        # as it moves on (benchmarks/bench_state_machines.py: a history's bytes an event).
        self.keep_data = sim.behaviors.has_code()
        self.problems = [p for p in asl.check_definition(model.definition) if p.severity == "error"]
        # The states whose query language is JSONata, by id (the definition keeps every state
        # alive): a set lookup per state entry, empty for a JSONPath machine.
        self.jsonata: frozenset[int] = frozenset(
            id(s) for s in asl.jsonata_states(model.definition)
        )
        self.functions = {f.name: sim.arn(f.name) for f in sim.stack.functions}
        # What each Task state calls, by the id of its state (the definition keeps every
        # state alive, so an id names one state): resolving it scans the stack's functions.
        self._targets: dict[int, asl.TaskTarget] = {}
        self._due: deque[tuple[Flow, str, Any, int | None]] = deque()
        self._draining = False
        # What waits for the transitions due at this instant: a handler's stop that
        # followed its early answer (_stop_after_answer).
        self._then: deque[Callable[[], None]] = deque()
        self._timer_label = ("execution", self.name, _timer_text)
        self._timeout_label = ("execution", self.name, _timeout_text)

    # -- StartExecution / StopExecution -------------------------------------------------

    def start(self, raw_input: Any, name: str | None = None, source: str = "command") -> Execution:
        """StartExecution: a new RUNNING execution that enters its first state now. A name
        already used is ExecutionAlreadyExists, unless it is a running execution started
        with the same input (then that one is returned, as AWS does)."""
        sim = self.sim
        if self.problems:
            first = self.problems[0]
            raise ExecutionError(
                f"InvalidDefinition: {self.name}: {first.message}",
                "`stptui validate` lists every problem of the definition",
            )
        size = json_bytes(raw_input)
        check_input_size(size)
        if name is not None:
            check_execution_name(name)
            old = self.executions.get(name)
            if old is not None:
                if old.status == RUNNING and old.input == raw_input:
                    return old
                raise ExecutionError(
                    f"ExecutionAlreadyExists: Execution Already Exists: '{old.arn}'",
                    "names are unique per state machine for 90 days; pick another --name or "
                    "leave it out for a generated one",
                )
        else:
            name = sim.new_id()
        now = sim.clock.now
        arn = self.arn.replace(":stateMachine:", ":execution:", 1) + ":" + name
        ex = Execution(self, name, arn, raw_input, now, source)
        self.executions[name] = ex
        sim.trace.emit(
            (
                now,
                tk.SFN_EXECUTION_STARTED,
                self.name,
                {"execution_arn": arn, "name": name, "input_bytes": size, "source": source},
            )
        )
        self._history(ex, "ExecutionStarted", "", size, raw_input)
        self._arm_timeout(ex)
        ex.root = Flow(ex, self.definition, "", self._root_done)
        self._enter(ex.root, ex.root.start, raw_input, size)
        return ex

    def _arm_timeout(self, ex: Execution) -> None:
        """The execution's deadline: TimeoutSeconds from now (a redrive starts it again),
        but never later than a year from its start (the longest an execution runs)."""
        now = self.sim.clock.now
        timeout = self.definition.get("TimeoutSeconds")
        at = ex.start_ms + MAX_EXECUTION_MS
        if isinstance(timeout, int):
            at = min(at, now + timeout * 1000)
        # In the background: a deadline alone does not keep `run` going.
        ex.timer = self.sim.clock.at(
            min(at, MAX_MS), self._timed_out, ex, self._timeout_label, background=True
        )

    def redrive(self, ex: Execution) -> None:
        """RedriveExecution: the execution runs again from the states that did not succeed,
        with their inputs; what succeeded is kept (in Parallel and Map states too)."""
        status, reason = redrive_status(ex, self.sim.clock.now)
        if status != REDRIVABLE:
            raise ExecutionError(
                f"ExecutionNotRedrivable: {reason}",
                "only a FAILED, TIMED_OUT or ABORTED execution can be redriven, within 14 days "
                "of its stop; start a new execution instead",
            )
        old = ex.root
        now = self.sim.clock.now
        ex.redrive_count += 1
        ex.redrive_ms = now
        ex.status, ex.stop_ms, ex.error, ex.cause, ex.output = RUNNING, None, None, None, None
        self._emit(
            tk.SFN_EXECUTION_REDRIVEN,
            {"execution_arn": ex.arn, "redrive_count": ex.redrive_count},
        )
        self._history(ex, "ExecutionRedriven", "", f"redrive {ex.redrive_count}", ex.redrive_count)
        self._arm_timeout(ex)
        ex.root = Flow(ex, self.definition, "", self._root_done)
        if old is None:
            self._enter(ex.root, ex.root.start, ex.input)
        else:
            self._resume(ex.root, old)

    def _resume(self, flow: Flow, old: Flow) -> None:
        """Run `flow` on from where `old` stopped: its last state again, with its input."""
        name, raw = old.at if old.at is not None else (flow.start, flow.ex.input)
        flow.redo_fan = old.fan
        # The flow goes on with the variables it had assigned when the execution stopped.
        if old.variables is not None:
            flow.assign(old.variables)
        self._enter(flow, name, raw)

    def stop_execution(self, ex: Execution, error: str | None, cause: str | None) -> None:
        """StopExecution: the execution ends ABORTED now, with the error and cause given."""
        # The request's fields are validated before the execution is looked at, as AWS does.
        refusal = asl_callbacks.error_cause_refusal(error, cause)
        if refusal is not None:
            raise ExecutionError(*refusal)
        if ex.status != RUNNING:
            raise ExecutionError(
                f"execution {ex.name!r} is already {ex.status}",
                "only a RUNNING execution can be stopped",
            )
        answered = asl_callbacks.tokens_of(self.sim).answered_early(ex)
        if answered is not None:
            # The handler the task's call runs answered its token, then stopped the
            # execution: the answer took effect when SendTaskSuccess returned, so the stop
            # follows it (and whatever the answer ran on to at that instant).
            answered.early.append(lambda: self._stop_after_answer(ex, error, cause))
            return
        self._close(ex, ABORTED, error, cause)

    def _stop_after_answer(self, ex: Execution, error: str | None, cause: str | None) -> None:
        """A stop that followed an early answer, made once the transitions the answer set
        off at this instant are: as a worker's stop after its SendTaskSuccess is. The
        execution may have ended meanwhile, and a stop of an ended one changes nothing."""

        def stop() -> None:
            if ex.status == RUNNING:
                self._close(ex, ABORTED, error, cause)

        if self._draining:
            self._then.append(stop)
        else:
            stop()

    # -- the run --------------------------------------------------------------------------

    def _env(self, flow: Flow, state_name: str, retry_count: int, jsonata: bool = False) -> DataEnv:
        now = self.sim.clock.now

        def context() -> dict[str, Any]:
            # Made when a `$$` path (or $states.context) first reads it, with the instant
            # the state was entered: most states never read it.
            return self._context(flow, state_name, retry_count, now)

        if jsonata:
            return JsonataEnv(context, self.sim.new_id, self._random, flow.scope, now)
        return DataEnv(context, self.sim.new_id, self._random, flow.scope)

    def _context(self, flow: Flow, state_name: str, retry_count: int, now: int) -> dict[str, Any]:
        """The context object of state `state_name` of `flow`, entered at `now`."""
        ex = flow.ex
        context: dict[str, Any] = {
            "Execution": {
                "Id": ex.arn,
                "Input": ex.input,
                "Name": ex.name,
                "RoleArn": self.role_arn,
                "StartTime": iso_ms(ex.start_ms),
                "RedriveCount": ex.redrive_count,
            },
            "State": {
                "EnteredTime": iso_ms(now),
                "Name": state_name,
                "RetryCount": retry_count,
            },
            "StateMachine": {"Id": self.arn, "Name": self.aws_name},
        }
        if ex.redrive_ms is not None:
            context["Execution"]["RedriveTime"] = iso_ms(ex.redrive_ms)
        if flow.execution is not None:
            context["Execution"] = flow.execution
        if flow.map_item is not None:
            context["Map"] = {"Item": flow.map_item}
        return context

    def _random(self, start: int, end: int) -> int:
        """States.MathRandom's draw from the simulation's seeded stream."""
        return self.sim.rng.randrange(start, end) if end > start else start

    def _history(
        self, ex: Execution, what: str, state: str, detail: str | int, data: Any = None
    ) -> None:
        """Add a line to the history; an int `detail` is a byte count, `data` what
        GetExecutionHistory gives of it (see HistoryEvent)."""
        kept = data if self.keep_data else None
        ex.history.append(HistoryEvent(self.sim.clock.now, what, state, detail, kept))

    def _emit(self, kind: str, data: dict[str, Any]) -> None:
        self.sim.trace.emit((self.sim.clock.now, kind, self.name, data))

    def _enter(self, flow: Flow, name: str, raw_input: Any, size: int | None = None) -> None:
        """Enter state `name` of `flow` with `raw_input` (`size` its JSON bytes, when the
        caller knows it): now, after the transitions already due at this instant (a queue,
        not recursion: Pass and Choice states may loop)."""
        self._due.append((flow, name, raw_input, size))
        if self._draining:
            return
        self._draining = True
        try:
            while True:
                while self._due:
                    self._enter_now(*self._due.popleft())
                if not self._then:
                    break
                self._then.popleft()()
        finally:
            self._draining = False

    def _enter_now(self, flow: Flow, name: str, raw_input: Any, size: int | None) -> None:
        ex = flow.ex
        if not flow.alive or ex.status != RUNNING:
            return
        if len(ex.history) >= MAX_HISTORY_EVENTS:
            ex.hints[("States.Runtime", HISTORY_LIMIT_CAUSE)] = (
                f"a loop of states that never ends, or one longer than {MAX_HISTORY_EVENTS:,} "
                "history events allow: end it, or start a new execution to go on"
            )
            self._close(ex, FAILED, "States.Runtime", HISTORY_LIMIT_CAUSE)
            return
        flow.token += 1
        # Most states are entered with no retry counted and no timer armed: then there is
        # nothing to forget or cancel, and no new dict to make.
        if flow.retry_counts:
            flow.retry_counts = {}
        if flow.timers:
            flow.cancel_timers(self.sim.clock)
        flow.at = (name, raw_input)
        flow.fan = None
        if flow.redo_fan is not None and flow.redo_fan.state != name:
            flow.redo_fan = None
        state = flow.states[name]
        shown = flow.label + name
        stype = state["Type"]
        if size is None:
            size = json_bytes(raw_input)
        now = self.sim.clock.now
        self.sim.trace.emit(
            (now, tk.SFN_STATE_ENTERED, self.name, ex.arn, shown, stype, size, _ENTERED_FIELDS)
        )
        what = _ENTERED.get(stype) or f"{stype}StateEntered"
        kept = raw_input if self.keep_data else None
        ex.history.append(HistoryEvent(now, what, shown, size, kept))
        self._run_state(flow, name, state, raw_input, 0)

    def _run_state(
        self, flow: Flow, name: str, state: Mapping[str, Any], raw: Any, retries: int
    ) -> None:
        """Run one attempt of a state (retries is how many came before)."""
        jsonata = id(state) in self.jsonata
        env = self._env(flow, name, retries, jsonata)
        stype = state["Type"]
        try:
            if stype == "Pass":
                if jsonata:
                    result = raw  # a JSONata Pass has no Result: its Output shapes the input
                elif "Result" in state:
                    result = state["Result"]
                else:
                    result = state_input(state, name, raw, env)
                self._exit(flow, name, state, raw, result, env)
            elif stype == "Succeed":
                if jsonata:
                    out = asl_jsonata_data.output(state, name, raw, raw, env)
                else:
                    effective = state_input(state, name, raw, env)
                    out = state_output(_output_only(state), name, effective, effective, env)
                self._finish_flow(flow, name, state, out)
            elif stype == "Fail":
                self._fail_state(flow, name, state, raw, env)
            elif stype == "Choice":
                self._choice(flow, name, state, raw, env)
            elif stype == "Wait":
                now = self.sim.clock.now
                if jsonata:
                    until = asl_jsonata_data.wait_until_ms(state, name, raw, now, env)
                else:
                    until = wait_until_ms(state, name, raw, now, env)
                self._later(until, Timer("wait", flow, flow.token, name, state, raw, 0))
            elif stype == "Task":
                self._task(flow, name, state, raw, env, retries)
            elif stype == "Parallel":
                self._parallel(flow, name, state, raw, env, retries)
            else:
                self._map(flow, name, state, raw, env, retries)
        except StatesRuntimeError as exc:
            self._failed(flow, name, state, raw, exc, retries)

    def _failed(
        self,
        flow: Flow,
        name: str,
        state: Mapping[str, Any],
        raw: Any,
        exc: StatesRuntimeError,
        retries: int,
    ) -> None:
        """A state attempt raised `exc`: keep its hint, record a JSONata evaluation failure
        as the history's EvaluationFailed event (with the field, its `location`), then its
        Retry and Catch."""
        hint = NULL_INPUT_HINT if raw is None else exc.hint
        if flow is flow.ex.root and exc.error == "States.Runtime" and raw == flow.ex.input:
            # A path the execution's own input lacks: say which, and an input that has it.
            missing = asl_examples.missing_input_hint(self.definition, raw, exc.cause)
            hint = f"{missing}; {hint}" if missing and hint else missing or hint
        if hint:
            flow.ex.hints[within_limits(exc.error, exc.cause)] = hint
        if isinstance(exc, asl_jsonata_data.QueryEvaluationFailure):
            self._history(
                flow.ex, "EvaluationFailed", flow.label + name, f"{exc.error} in {exc.location}"
            )
        self._state_error(flow, name, state, raw, exc.error, exc.cause, retries)

    def _later(self, at: int, timer: Timer) -> Entry:
        """Run `timer` at `at` (now, if that is past), unless its flow moves on first."""
        sim = self.sim
        entry = sim.clock.at(max(at, sim.clock.now), self._due_timer, timer, self._timer_label)
        timer.flow.timers.append(entry)
        return entry

    def _due_timer(self, timer: Timer) -> None:
        flow, name, state, raw = timer.flow, timer.state_name, timer.state, timer.raw
        if not flow.alive or flow.token != timer.token:
            return
        if timer.what == "retry":
            flow.token += 1
            self._run_state(flow, name, state, raw, timer.retries)
        elif timer.what == "wait":
            self._waited(flow, name, state, raw)
        else:
            # A task that went HeartbeatSeconds without a heartbeat fails with its own
            # error name (Error names: States.HeartbeatTimeout).
            error = "States.HeartbeatTimeout" if timer.what == "heartbeat" else "States.Timeout"
            self.task_failed(flow, name, state, raw, error, "", timer.retries)

    def _waited(self, flow: Flow, name: str, state: Mapping[str, Any], raw: Any) -> None:
        jsonata = id(state) in self.jsonata
        env = self._env(flow, name, 0, jsonata)
        try:
            result = raw if jsonata else state_input(state, name, raw, env)
            self._exit(flow, name, state, raw, result, env)
        except StatesRuntimeError as exc:
            self._failed(flow, name, state, raw, exc, 0)

    def _fail_state(
        self, flow: Flow, name: str, state: Mapping[str, Any], raw: Any, env: DataEnv
    ) -> None:
        if env.jsonata:
            error, cause = asl_jsonata_data.fail_fields(state, name, raw, env)
        else:
            error, cause = fail_fields(state, name, raw, env)
        error, cause = within_limits(error, cause)
        flow.stop(self.sim)
        flow.done(flow, False, {"Error": error, "Cause": cause})

    def _choice(
        self, flow: Flow, name: str, state: Mapping[str, Any], raw: Any, env: DataEnv
    ) -> None:
        jsonata = env.jsonata
        if jsonata:
            target, verdicts = asl_jsonata_data.choose(state, name, raw, env)
        else:
            target, verdicts = choose(state, name, raw, env)
        words = [
            f"rule {v.index + 1} {'matched' if v.matched else 'did not match'}: {v.reason}"
            for v in verdicts
        ]
        if not any(v.matched for v in verdicts):
            words.append(f"Default: {target}")
        shown = flow.label + name
        self._emit(
            tk.SFN_CHOICE,
            {"execution_arn": flow.ex.arn, "state": shown, "next": target, "verdicts": words},
        )
        self._history(flow.ex, "Choice", shown, "; ".join(words) + f" -> {target}")
        # The Choice's own Assign "applies regardless of which choice rule matches" (Choice
        # state page); the rule that matched assigns its variables too, its value winning a
        # name both assign (as AWS's recorded histories show). A JSONata rule's Output, when
        # it has one, makes the output in place of the state's.
        matched = verdicts[-1].index if verdicts and verdicts[-1].matched else None
        rule = None if matched is None else state["Choices"][matched]
        if jsonata:
            values = self._jsonata_assign(name, state, raw, env, field="Assign")
            if rule is not None:
                field = f"Choices/{matched}/Assign"
                values = _merged(values, self._jsonata_assign(name, rule, raw, env, field=field))
            if rule is not None and "Output" in rule:
                where = f"Choices/{matched}/Output"
                out = asl_jsonata_data.evaluate(rule["Output"], where, name, raw, env)
            else:
                out = asl_jsonata_data.output(state, name, raw, raw, env)
        else:
            effective = state_input(state, name, raw, env)
            values = self._assign_values(name, state, effective, env)
            if rule is not None:
                values = _merged(values, self._assign_values(name, rule, effective, env))
            out = state_output(_output_only(state), name, effective, effective, env)
        if values is not None:
            self._check_assigned(name, values)
        assigned = self._commit(flow, values)
        self._enter(flow, target, out, self._leave(flow, name, state, out, None, assigned))

    def _exit(
        self,
        flow: Flow,
        name: str,
        state: Mapping[str, Any],
        raw: Any,
        result: Any,
        env: DataEnv,
        task: bool = False,
    ) -> None:
        """The state produced `result`: apply its output processing and move on. Its Assign
        reads `result` (the raw result of a Task, Map or Parallel, a Pass's result, a Wait's
        effective input) with the variables as they were, and is stored once the output is
        made (a state that fails assigns nothing). A JSONata state's Assign and Output read
        `$states.input` and, for a Task, Parallel or Map, `$states.result`. `task`: the
        output holds the Task's whole result, so an output over 256 KiB may be a result over
        it (then the DataLimitExceeded cause names the resource, as AWS's does)."""
        if env.jsonata:
            readable = asl_jsonata_data.result_of(state, result)
            values = self._jsonata_assign(name, state, raw, env, result=readable)
            out = asl_jsonata_data.output(state, name, raw, result, env)
        else:
            values = self._assign_values(name, state, result, env)
            out = state_output(state, name, raw, result, env)
        text = json_text(out)
        size = utf8_bytes(text)
        if size > MAX_PAYLOAD_BYTES:
            if task:
                result_size = size if out is result else json_bytes(result)
                if result_size > MAX_PAYLOAD_BYTES:
                    raise data_limit_exceeded(self._task_label(state), result_size, result=True)
            raise data_limit_exceeded(name, size)
        # Counting brackets is fast; only an output with many of them needs the exact depth.
        if (
            text.count("[") + text.count("{") > MAX_DATA_DEPTH
            and jsontext.depth(text) > MAX_DATA_DEPTH
        ):
            raise StatesRuntimeError(
                "States.DataLimitExceeded",
                f"The state/task '{name}' returned a result nested more than "
                f"{MAX_DATA_DEPTH} levels deep (stptui's limit: a state that nests its data "
                "once more on every turn of a loop never stops growing)",
            )
        assigned = self._commit(flow, values)
        # A Task's result, where its output is not it, for the history's TaskSucceeded.
        data = None
        if self.keep_data and out is not result and state["Type"] == "Task":
            data = TaskExit(out, result)
        if state.get("End") is True:
            self._finish_flow(flow, name, state, out, size, assigned, data)
            return
        self._leave(flow, name, state, out, size, assigned, data)
        self._enter(flow, state["Next"], out, size)

    def _assign_values(
        self, name: str, owner: Mapping[str, Any], data: Any, env: DataEnv
    ) -> dict[str, Any] | None:
        """The values `owner`'s Assign (a state's, a Choice rule's or a Catcher's) gives,
        read from `data`; None without one. Over 256 KiB in all: States.DataLimitExceeded."""
        assign = owner.get("Assign")
        if not assign:
            return None
        values = assign_values(assign, name, data, env)
        self._check_assigned(name, values)
        return values

    def _jsonata_assign(
        self, name: str, owner: Mapping[str, Any], raw: Any, env: DataEnv, **readable: Any
    ) -> dict[str, Any] | None:
        """A JSONata Assign's values (`readable`: the result or error output it may read,
        and the field's name), held to the same 256 KiB as a JSONPath one."""
        values = asl_jsonata_data.assign(owner, name, raw, env, **readable)
        if values is not None:
            self._check_assigned(name, values)
        return values

    @staticmethod
    def _check_assigned(name: str, values: dict[str, Any]) -> None:
        size = json_bytes(values)
        if size > MAX_ASSIGN_BYTES:
            raise StatesRuntimeError(
                "States.DataLimitExceeded",
                f"The state/task '{name}' assigned variables with a size exceeding the maximum "
                f"number of bytes service limit ({size:,} > {MAX_ASSIGN_BYTES:,}).",
            )

    @staticmethod
    def _commit(flow: Flow, values: dict[str, Any] | None) -> dict[str, str] | None:
        """Store assigned values in `flow`'s scope; each one's JSON text, for the record."""
        if values is None:
            return None
        flow.assign(values)
        return {k: compact_json(v) for k, v in values.items()}

    def _leave(
        self,
        flow: Flow,
        name: str,
        state: Mapping[str, Any],
        out: Any,
        size: int | None = None,
        assigned: dict[str, str] | None = None,
        data: Any = None,
    ) -> int:
        """Record that the state exited with `out` (`size` its JSON bytes, if known) having
        assigned `assigned` (`data`: what the history line keeps, when not `out`: a
        TaskExit); returns that size, which the next state's input has too."""
        shown = flow.label + name
        if size is None:
            size = json_bytes(out)
        stype = state["Type"]
        now = self.sim.clock.now
        arn = flow.ex.arn
        if assigned is None:
            self.sim.trace.emit(
                (now, tk.SFN_STATE_EXITED, self.name, arn, shown, stype, size, _EXITED_FIELDS)
            )
        else:
            self.sim.trace.emit(
                (
                    now,
                    tk.SFN_STATE_EXITED,
                    self.name,
                    arn,
                    shown,
                    stype,
                    size,
                    assigned,
                    _EXITED_ASSIGNED_FIELDS,
                )
            )
        what = _EXITED.get(stype) or f"{stype}StateExited"
        if data is None and self.keep_data:
            data = out
        if assigned is None:
            flow.ex.history.append(HistoryEvent(now, what, shown, size, data))
        else:
            flow.ex.history.append(AssignedEvent(now, what, shown, size, data, assigned))
        return size

    def _finish_flow(
        self,
        flow: Flow,
        name: str,
        state: Mapping[str, Any],
        out: Any,
        size: int | None = None,
        assigned: dict[str, str] | None = None,
        data: Any = None,
    ) -> None:
        self._leave(flow, name, state, out, size, assigned, data)
        flow.stop(self.sim)
        flow.done(flow, True, out)

    # -- errors: Retry and Catch ----------------------------------------------------------

    def _state_error(
        self,
        flow: Flow,
        name: str,
        state: Mapping[str, Any],
        raw: Any,
        error: str,
        cause: str,
        retries: int,
        *,
        result_too_large: bool = False,
    ) -> None:
        """A state attempt failed with `error`: retry it, catch it, or fail the flow
        (`result_too_large`: as error_matches takes it)."""
        if not flow.alive:
            return
        error, cause = within_limits(error, cause)
        shown = flow.label + name
        ex = flow.ex
        self._history(ex, "StateFailed", shown, f"{error}: {cause}", (error, cause))
        # The iterations or branches still running are aborted (after what runs in them).
        self._abort_lines(flow, whole=False)
        flow.cancel_timers(self.sim.clock)
        for child in flow.children:
            child.stop(self.sim)
        flow.children.clear()
        flow.token += 1
        flow.cancel_waits()
        counts = flow.retry_counts
        for i, retrier in enumerate(state.get("Retry") or []):
            if not error_matches(
                retrier.get("ErrorEquals") or [], error, result_too_large=result_too_large
            ):
                continue
            done = counts.get(i, 0)
            if done >= retrier.get("MaxAttempts", DEFAULT_MAX_ATTEMPTS):
                break
            counts[i] = done + 1
            delay = retry_delay_ms(retrier, done, self.sim.rng)
            at = self.sim.clock.now + delay
            self._emit(
                tk.SFN_RETRY,
                {
                    "execution_arn": ex.arn,
                    "state": shown,
                    "error": error,
                    "attempt": retries + 2,
                    "delay_ms": delay,
                    "at": iso_ms(at),
                },
            )
            self._history(ex, "Retry", shown, f"{error}: attempt {retries + 2} in {delay} ms")
            self._later(at, Timer("retry", flow, flow.token, name, state, raw, retries + 1))
            return
        stype = state["Type"]
        if stype in ("Map", "Parallel"):
            # Written once no retrier runs it again (a retry starts it again).
            self._history(ex, f"{stype}StateFailed", shown, "")
        error_output = {"Error": error, "Cause": cause}
        for catcher in state.get("Catch") or []:
            if not error_matches(
                catcher.get("ErrorEquals") or [], error, result_too_large=result_too_large
            ):
                continue
            jsonata = id(state) in self.jsonata
            env = self._env(flow, name, retries, jsonata)
            try:
                # A Catcher's Assign reads the error output, in the scope of the state's
                # flow (for a Parallel or Map, the outer one).
                if jsonata:
                    values = asl_jsonata_data.catch_assign(catcher, name, raw, error_output, env)
                    if values is not None:
                        self._check_assigned(name, values)
                    out = asl_jsonata_data.catch_output(catcher, name, raw, error_output, env)
                else:
                    values = self._assign_values(name, catcher, error_output, env)
                    out = catch_output(catcher, name, raw, error_output, env)
            except StatesRuntimeError as exc:
                if isinstance(exc, asl_jsonata_data.QueryEvaluationFailure):
                    self._history(ex, "EvaluationFailed", shown, f"{exc.error} in {exc.location}")
                error_output = {"Error": exc.error, "Cause": exc.cause}
                break
            assigned = self._commit(flow, values)
            caught = {"execution_arn": ex.arn, "state": shown, "error": error}
            caught["next"] = catcher["Next"]
            if assigned is not None:
                caught["assigned_variables"] = assigned
            self._emit(tk.SFN_CAUGHT, caught)
            detail = f"{error} -> {catcher['Next']}"
            if assigned is None:
                self._history(ex, "Caught", shown, detail)
            else:
                ex.history.append(
                    AssignedEvent(self.sim.clock.now, "Caught", shown, detail, None, assigned)
                )
            self._enter(flow, catcher["Next"], out)
            return
        flow.stop(self.sim)
        flow.done(flow, False, error_output)

    # -- Task ----------------------------------------------------------------------------

    def _task(
        self,
        flow: Flow,
        name: str,
        state: Mapping[str, Any],
        raw: Any,
        env: DataEnv,
        retries: int,
    ) -> None:
        from stptui.sim.engine import SimError

        sim = self.sim
        target = self._targets.get(id(state))
        if target is None:
            target = self._targets[id(state)] = asl.task_target(state, self.functions)
        task_token = None
        if target.callback:
            # Each attempt of a callback task gets its own token, in the context object
            # before Parameters are evaluated (they pass it on with `$$.Task.Token`).
            task_token = asl_callbacks.tokens_of(sim).issue()
            env = asl_callbacks.with_token(env, task_token)
        if env.jsonata:
            # Its timeouts may be expressions of the input: evaluated for each attempt.
            flow.limits = asl_jsonata_data.task_limits(state, name, raw, env)
            effective = asl_jsonata_data.arguments(state, name, raw, env)
        else:
            flow.limits = _path_limits(state, name, raw, env)
            effective = state_input(state, name, raw, env)
        if target.wrapped and isinstance(effective, dict):
            # FunctionName may come from the input (`FunctionName.$`).
            resolved = {**state, "Parameters": {"FunctionName": effective.get("FunctionName")}}
            target = asl.task_target(resolved, self.functions)
        if target.integration in asl_jobs.RESOURCES:
            self._job_task(flow, name, state, raw, env, retries, target.integration, effective)
            return
        if target.integration is not None and task_token is not None:
            self._callback_integration(
                flow, name, state, raw, env, retries, target.integration, effective, task_token
            )
            return
        if target.integration is not None:
            self._integration(flow, name, state, raw, env, retries, target.integration, effective)
            return
        if target.function is None:
            raise StatesRuntimeError(
                "States.Runtime",
                f"An error occurred while executing the state '{name}': {target.why} "
                "(stptui simulates Task states that invoke the stack's functions)",
            )
        payload = effective
        if target.wrapped:
            payload = effective.get("Payload", {}) if isinstance(effective, dict) else {}
        size = json_bytes(payload)
        if size > MAX_PAYLOAD_BYTES:
            raise StatesRuntimeError(
                "States.DataLimitExceeded",
                f"The state/task '{name}' has an input with a size exceeding the maximum "
                f"number of bytes service limit ({size:,} > {MAX_PAYLOAD_BYTES:,}).",
            )
        if task_token is not None:
            self._callback_lambda(
                flow, name, state, raw, env, retries, target.function, effective, task_token
            )
            return
        token = flow.token
        shown = flow.label + name
        function = target.function

        def done(outcome: Outcome, inv_id: str) -> None:
            if not flow.alive or flow.token != token:
                return  # timed out, stopped or failed meanwhile: the result is not heard
            flow.cancel_timers(sim.clock)
            if target.resource == asl.SDK_LAMBDA_INVOKE:
                # The SDK's Invoke answers a function error too: the task succeeds.
                failed = None
                if outcome.status != "success":
                    failed = sim.function(function).error_response(outcome, inv_id)
                result = asl_sdk.invoke_response(outcome.response, failed)
                self.task_result(flow, name, state, raw, result, env, retries)
                return
            if outcome.status == "success":
                result = outcome.response
                if target.wrapped:
                    result = lambda_invoke_result(inv_id, outcome.response, sim.clock.now)
                self.task_result(flow, name, state, raw, result, env, retries)
                return
            fn = sim.function(function)
            error, cause = _function_error(fn, outcome, inv_id, target.wrapped)
            self.task_failed(flow, name, state, raw, error, cause, retries, inv_id)

        try:
            inv_id = sim.invoke_sync(target.function, payload, done, "step-functions")
        except SimError as exc:
            # The one refusal of a synchronous invoke that can reach here (the function and
            # the payload size were checked): a throttle, named as Step Functions names it.
            error = "Lambda.TooManyRequestsException"
            self.task_failed(flow, name, state, raw, error, str(exc), retries)
            return
        if not flow.alive or flow.token != token:
            return  # the handler, run as it started, ended the execution: nothing follows
        # What the history's event shows as sent: lambda:invoke's Parameters, a direct
        # task's payload.
        sent = effective if target.wrapped else payload
        self._invoked(flow.ex, shown, "TaskScheduled", target.function, inv_id, sent)
        self._task_timeout(flow, token, name, state, raw, retries, heartbeat=True)

    def _integration(
        self,
        flow: Flow,
        name: str,
        state: Mapping[str, Any],
        raw: Any,
        env: DataEnv,
        retries: int,
        resource: str,
        params: Any,
    ) -> None:
        """A request-response service integration: the call is made now, through the
        simulated service, and the state ends with its result or its error."""
        shown = flow.label + name
        token = flow.token
        called = self._call(flow, name, state, raw, retries, resource, params)
        if called is None or not flow.alive or flow.token != token:
            return
        result, delivered, target = called
        self._called(flow.ex, shown, resource, target, delivered)
        self._history(flow.ex, "TaskSucceeded", shown, f"{resource} on {target}", params)
        self.task_result(flow, name, state, raw, result, env, retries)

    def _job_task(
        self,
        flow: Flow,
        name: str,
        state: Mapping[str, Any],
        raw: Any,
        env: DataEnv,
        retries: int,
        resource: str,
        params: Any,
    ) -> None:
        """A batch job or nested execution (stptui.sim.asl_jobs): submitted or started now;
        a request-response task ends with the API's response, a `.sync` one waits for the
        job or execution to end (or for its TimeoutSeconds)."""
        shown = flow.label + name
        token = flow.token
        sim = self.sim
        holder: list[asl_jobs.Started] = []

        def done(error: str | None, value: Any) -> None:
            if not flow.alive or flow.token != token:
                return  # the task ended first (timeout, stop): its job was cancelled
            flow.waits.clear()
            flow.cancel_timers(sim.clock)
            if error is None:
                self._history(flow.ex, "TaskSucceeded", shown, f"{resource} ended")
                self.task_result(flow, name, state, raw, value, env, retries)
                return
            delivered = holder[0].delivered if holder else None
            self.task_failed(flow, name, state, raw, error, str(value), retries, delivered)

        source = f"{self.name}:{flow.ex.name}"
        try:
            started = asl_jobs.start(sim, resource, params, source, flow.ex, done)
        except StatesRuntimeError as exc:
            if exc.error == "States.Runtime":
                raise
            self.task_failed(flow, name, state, raw, exc.error, exc.cause, retries)
            return
        if not flow.alive or flow.token != token:
            # What it started ended this execution as it started (a nested execution's
            # function stopped it): nothing more is recorded, and a `.sync` task's job or
            # execution is cancelled as the execution's end cancels what it waits for.
            if asl_jobs.is_sync(resource):
                started.cancel()
            return
        holder.append(started)
        self._called(flow.ex, shown, resource, started.target, started.delivered)
        if not asl_jobs.is_sync(resource):
            detail = f"{resource} on {started.target}"
            self._history(flow.ex, "TaskSucceeded", shown, detail, params)
            self.task_result(flow, name, state, raw, started.result, env, retries)
            return
        # The job's id, or the nested execution's name (its ARN's last part), which
        # `explain` and `show execution` take (AWS's history gives them in TaskSubmitted).
        made = f" ({started.delivered.rsplit(':', 1)[-1]})" if started.delivered else ""
        detail = f"{resource} on {started.target}{made}"
        self._history(flow.ex, "TaskScheduled", shown, detail, params)
        flow.waits.append(started.cancel)
        self._task_timeout(flow, token, name, state, raw, retries, heartbeat=True)

    # -- callback tasks (.waitForTaskToken) ----------------------------------------------

    def _callback_integration(
        self,
        flow: Flow,
        name: str,
        state: Mapping[str, Any],
        raw: Any,
        env: DataEnv,
        retries: int,
        resource: str,
        params: Any,
        token: str,
    ) -> None:
        """`sqs:sendMessage`, `sns:publish` or `events:putEvents` with `.waitForTaskToken`:
        the call is made now; a refused call fails the state, a delivered one waits."""
        shown = flow.label + name
        attempt = flow.token
        called = self._call(flow, name, state, raw, retries, resource, params)
        if called is None or not flow.alive or flow.token != attempt:
            return
        _, delivered, target = called
        self._called(flow.ex, shown, state["Resource"], target, delivered)
        self._history(flow.ex, "TaskSubmitted", shown, f"{resource} on {target}", params)
        self._wait_for_token(flow, name, state, raw, env, retries, token)

    def _callback_lambda(
        self,
        flow: Flow,
        name: str,
        state: Mapping[str, Any],
        raw: Any,
        env: DataEnv,
        retries: int,
        function: str,
        effective: Any,
        token: str,
    ) -> None:
        """`lambda:invoke.waitForTaskToken`: the function is invoked as InvocationType says
        (RequestResponse by default, or Event); the state waits for the token, not for the
        function's result, though a function error fails it."""
        from stptui.sim.engine import SimError

        sim = self.sim
        params = effective if isinstance(effective, dict) else {}
        payload = params.get("Payload", {})
        shown = flow.label + name
        attempt = flow.token

        def done(outcome: Outcome, inv_id: str) -> None:
            if not flow.alive or flow.token != attempt or outcome.status == "success":
                return  # answered, timed out or stopped meanwhile; or it waits on
            error, cause = _function_error(sim.function(function), outcome, inv_id, True)
            self.task_failed(flow, name, state, raw, error, cause, retries, inv_id)

        # The token is live before the function runs: its handler may answer it at once
        # (the answer takes effect once the wait is recorded, see _wait_for_token).
        task = self._token_task(flow, name, state, raw, env, retries, token)
        task.armed = False
        try:
            if params.get("InvocationType") == "Event":
                source = f"{self.name}:{flow.ex.name}"
                inv_id = sim.invoke_async(function, payload, "step-functions", source)
            else:
                inv_id = sim.invoke_sync(function, payload, done, "step-functions")
        except SimError as exc:
            error = "Lambda.TooManyRequestsException"
            if "TooManyRequests" not in str(exc):
                error = "Lambda." + str(exc).split(":", 1)[0]
            self.task_failed(flow, name, state, raw, error, str(exc), retries)
            return
        if not flow.alive or flow.token != attempt:
            return  # the handler, run as it started, ended the execution: nothing follows
        self._invoked(flow.ex, shown, "TaskSubmitted", function, inv_id, params)
        self._wait_for_token(flow, name, state, raw, env, retries, token, task)

    def _wait_for_token(
        self,
        flow: Flow,
        name: str,
        state: Mapping[str, Any],
        raw: Any,
        env: DataEnv,
        retries: int,
        token: str,
        task: asl_callbacks.WaitingTask | None = None,
    ) -> None:
        """The state waits for its token, bounded by HeartbeatSeconds and TimeoutSeconds
        (`task`: its waiting task, when it was registered before the call was made); an
        answer the call's handler sent meanwhile then takes effect."""
        if task is None:
            task = self._token_task(flow, name, state, raw, env, retries, token)
        heartbeat = _limit(flow, state, "HeartbeatSeconds")
        timeout = _limit(flow, state, "TimeoutSeconds")
        if isinstance(heartbeat, int):
            task.heartbeat = self.heartbeat_timer(task)
        self._task_timeout(flow, flow.token, name, state, raw, retries)
        self._emit(
            tk.SFN_TASK_WAITING,
            {
                "execution_arn": flow.ex.arn,
                "state": flow.label + name,
                "token": token,
                "heartbeat_s": heartbeat if isinstance(heartbeat, int) else None,
                "timeout_s": timeout if isinstance(timeout, int) else None,
            },
        )
        task.armed = True
        early, task.early = task.early, []
        for answer in early:
            answer()

    def _token_task(
        self,
        flow: Flow,
        name: str,
        state: Mapping[str, Any],
        raw: Any,
        env: DataEnv,
        retries: int,
        token: str,
    ) -> asl_callbacks.WaitingTask:
        """Register the task that waits for `token` (its answers are taken from now on)."""
        now = self.sim.clock.now
        task = asl_callbacks.WaitingTask(
            token, self, flow, flow.token, name, state, raw, env, retries, now
        )
        asl_callbacks.tokens_of(self.sim).tasks[token] = task
        return task

    def heartbeat_timer(self, task: asl_callbacks.WaitingTask) -> Entry:
        """The clock entry that fails `task` with States.HeartbeatTimeout HeartbeatSeconds
        from now."""
        at = self.sim.clock.now + int(_limit(task.flow, task.state, "HeartbeatSeconds") or 0) * 1000
        timer = Timer(
            "heartbeat", task.flow, task.flow_token, task.name, task.state, task.raw, task.retries
        )
        return self._later(at, timer)

    def answered(
        self, task: asl_callbacks.WaitingTask, outcome: str, error: str | None, source: str
    ) -> None:
        """Record a SendTaskSuccess, SendTaskFailure or SendTaskHeartbeat for `task`."""
        self._emit(
            tk.SFN_TASK_CALLBACK,
            {
                "execution_arn": task.execution.arn,
                "state": task.shown,
                "token": task.token,
                "outcome": outcome,
                "error": error,
                "source": source,
            },
        )
        if outcome != "heartbeat":  # a heartbeat makes no history event (SendTaskHeartbeat)
            what = "TaskSucceeded" if outcome == "success" else "TaskFailed"
            detail = f"SendTask{'Success' if outcome == 'success' else 'Failure'} from {source}"
            self._history(task.execution, what, task.shown, detail)

    def _task_timeout(
        self,
        flow: Flow,
        token: int,
        name: str,
        state: Mapping[str, Any],
        raw: Any,
        retries: int,
        *,
        heartbeat: bool = False,
    ) -> None:
        """Arm the Task state's `TimeoutSeconds`, if it has one, for the attempt whose flow
        token is `token` (a later attempt or state makes it stale); with `heartbeat`, its
        `HeartbeatSeconds` too, for an attempt nothing can send a heartbeat for (a Lambda
        invoke, a `.sync` job or execution): one still running that long after it starts
        fails with States.HeartbeatTimeout. A Lambda function has no task token to call
        SendTaskHeartbeat with, and a `.sync` task's job does not send one by itself
        (SendTaskHeartbeat: "optionally Task states using the job run pattern"); a callback
        task's heartbeat timer is armed, and reset by each heartbeat, elsewhere."""
        limits = [("TimeoutSeconds", "task timeout")]
        if heartbeat:
            limits.append(("HeartbeatSeconds", "heartbeat"))
        for limit, what in limits:
            seconds = _limit(flow, state, limit)
            if isinstance(seconds, int):
                at = self.sim.clock.now + seconds * 1000
                self._later(at, Timer(what, flow, token, name, state, raw, retries))

    def _call(
        self,
        flow: Flow,
        name: str,
        state: Mapping[str, Any],
        raw: Any,
        retries: int,
        resource: str,
        params: Any,
    ) -> tuple[Any, str | None, str] | None:
        """Make a Task state's service integration call now: (result, what it delivered,
        target), or None when the service refused it (the state has failed with its error).
        A States.Runtime error (bad Parameters) is raised for the caller's state."""
        source = f"{self.name}:{flow.ex.name}"
        try:
            arns = (flow.ex.arn, self.arn)
            return asl_integrations.call(self.sim, resource, params, source, arns)
        except StatesRuntimeError as exc:
            if exc.error == "States.Runtime":
                raise
            self.task_failed(flow, name, state, raw, exc.error, exc.cause, retries)
            return None

    def _invoked(
        self, ex: Execution, shown: str, event: str, function: str, inv_id: str, sent: Any
    ) -> None:
        """Record that a Task state invoked `function` with `sent` (its parameters): its
        trace record and history event (`TaskScheduled` when the state waits for the
        result, `TaskSubmitted` for a token)."""
        self._emit(
            tk.SFN_TASK_STARTED,
            {
                "execution_arn": ex.arn,
                "state": shown,
                "function": function,
                "invocation_id": inv_id,
            },
        )
        self._history(ex, event, shown, f"invoked {function} ({inv_id})", sent)

    def _called(
        self, ex: Execution, shown: str, resource: str, target: str | None, delivered: Any
    ) -> None:
        """Record that a Task state's service integration call on `target` succeeded."""
        self._emit(
            tk.SFN_TASK_CALLED,
            {
                "execution_arn": ex.arn,
                "state": shown,
                "integration": resource.removeprefix("arn:aws:states:::"),
                "target": target,
                "delivered_id": delivered,
            },
        )

    def task_result(
        self,
        flow: Flow,
        name: str,
        state: Mapping[str, Any],
        raw: Any,
        result: Any,
        env: DataEnv,
        retries: int,
    ) -> None:
        """A task ended with `result`: its output processing, then the next state. A result
        over 256 KiB fails the task, whatever ResultSelector, OutputPath or a null
        ResultPath would keep of it ("When the output of a connector is larger than payload
        size quota", Handling errors). Without those the output holds the whole result, so
        only the output is measured: the result is, when the output is too large."""
        try:
            if _NARROWING.isdisjoint(state) and ("ResultPath" not in state or state["ResultPath"]):
                self._exit(flow, name, state, raw, result, env, task=True)
                return
            size = json_bytes(result)
            if size > MAX_PAYLOAD_BYTES:
                raise data_limit_exceeded(self._task_label(state), size, result=True)
            self._exit(flow, name, state, raw, result, env)
        except ResultTooLarge as exc:
            # The connector's output: the task's own failure (AWS's TaskFailed), which the
            # wildcards match, unlike the terminal error of a state's output.
            flow.ex.hints[within_limits(exc.error, exc.cause)] = exc.hint
            self.task_failed(
                flow, name, state, raw, exc.error, exc.cause, retries, result_too_large=True
            )
        except StatesRuntimeError as exc:
            self._failed(flow, name, state, raw, exc, retries)

    def _task_label(self, state: Mapping[str, Any]) -> str:
        """What AWS's DataLimitExceeded cause names for a Task's result: the service of a
        Step Functions integration (`lambda` for `lambda:invoke`, `aws-sdk:s3` for an SDK
        integration), else the resource as deployed (a function's ARN)."""
        resource = state.get("Resource")
        if isinstance(resource, str) and resource.startswith(_STATES_RESOURCE):
            parts = resource[len(_STATES_RESOURCE) :].split(":")
            return ":".join(parts[:2]) if parts[0] == "aws-sdk" else parts[0]
        function = asl.task_target(state, self.functions).function
        if function is not None:
            return self.functions[function]
        return resource if isinstance(resource, str) else compact_json(resource)

    def task_failed(
        self,
        flow: Flow,
        name: str,
        state: Mapping[str, Any],
        raw: Any,
        error: str,
        cause: str,
        retries: int,
        invocation_id: str | None = None,
        *,
        result_too_large: bool = False,
    ) -> None:
        """A task failed with `error`: recorded, then its Retry and Catch (`result_too_large`:
        its result was over 256 KiB, a failure the wildcards match)."""
        if not flow.alive:
            return  # its execution ended first: nothing is recorded after its end
        self._emit(
            tk.SFN_TASK_FAILED,
            {
                "execution_arn": flow.ex.arn,
                "state": flow.label + name,
                "error": error,
                "invocation_id": invocation_id,
            },
        )
        self._state_error(
            flow, name, state, raw, error, cause, retries, result_too_large=result_too_large
        )

    # -- Parallel and Map ----------------------------------------------------------------

    def _parallel(
        self,
        flow: Flow,
        name: str,
        state: Mapping[str, Any],
        raw: Any,
        env: DataEnv,
        retries: int,
    ) -> None:
        if env.jsonata:
            effective = asl_jsonata_data.arguments(state, name, raw, env)
        else:
            effective = state_input(state, name, raw, env)
        branches = state["Branches"]
        self._fan_out(
            flow,
            name,
            state,
            raw,
            env,
            retries,
            [
                (branch, f"{flow.label}{name}/{i}/", effective, None)
                for i, branch in enumerate(branches)
            ],
            0,
        )

    def _map(
        self,
        flow: Flow,
        name: str,
        state: Mapping[str, Any],
        raw: Any,
        env: DataEnv,
        retries: int,
    ) -> None:
        jsonata = env.jsonata
        # A JSONata Map has no InputPath: its items and ItemSelector read its input.
        effective = raw if jsonata else state_input(state, name, raw, env)
        processor = state.get("ItemProcessor") or state.get("Iterator") or {}
        if asl_distributed.is_distributed(state):
            self._distributed_map(flow, name, state, raw, env, retries, effective, processor)
            return
        if jsonata:
            items = asl_jsonata_data.map_items(state, name, raw, env)
            item_input = asl_jsonata_data.map_item_input
        else:
            items = map_items(state, name, effective, env)
            item_input = map_item_input
        jobs = []
        for i, item in enumerate(items):
            data = item_input(state, name, effective, item, i, env)
            jobs.append((processor, f"{flow.label}{name}/{i}/", data, {"Index": i, "Value": item}))
        limit = _max_concurrency(state, name, raw, env)
        limit = min(limit, MAX_INLINE_CONCURRENCY) if limit else MAX_INLINE_CONCURRENCY
        self._fan_out(flow, name, state, raw, env, retries, jobs, limit)

    def _distributed_map(
        self,
        flow: Flow,
        name: str,
        state: Mapping[str, Any],
        raw: Any,
        env: DataEnv,
        retries: int,
        effective: Any,
        processor: Mapping[str, Any],
    ) -> None:
        """A DISTRIBUTED Map: a Map Run whose items (from its input or its ItemReader, a
        bucket of the stack) are selected, batched, and each run as a child execution; its
        result is their outputs; failures beyond the tolerated ones fail it."""
        sim = self.sim
        items = asl_distributed.read_items(sim, state, name, effective, env)
        item_input = asl_jsonata_data.map_item_input if env.jsonata else map_item_input
        selected = [item_input(state, name, effective, v, i, env) for i, v in enumerate(items)]
        batches = asl_distributed.batches(state, name, effective, selected, env)
        tolerance = asl_distributed.tolerance(state, name, effective, env, len(selected))
        label = state.get("Label") or name
        prefix = f"arn:aws:states:{sim.region}:{sim.account_id}"
        jobs = [
            (processor, f"{flow.label}{name}/{i}/", d, None) for i, (d, _) in enumerate(batches)
        ]
        redo = flow.redo_fan.map_run if flow.redo_fan is not None else None
        if redo is not None and len(redo[1]) == len(jobs):
            run_arn, executions = redo
            what = "MapRunRedriven"
        else:
            what = "MapRunStarted"
            run_arn = f"{prefix}:mapRun:{self.aws_name}/{label}:{sim.new_id()}"
            executions = []
            for data, _ in batches:
                child = sim.new_id()
                executions.append(
                    {
                        "Id": f"{prefix}:execution:{self.aws_name}/{label}:{child}",
                        "Input": data,
                        "Name": child,
                        "RoleArn": self.role_arn,
                        "StartTime": iso_ms(sim.clock.now),
                        "RedriveCount": 0,
                    }
                )
        shown = flow.label + name
        self._emit(
            tk.SFN_MAP_RUN_STARTED,
            {
                "execution_arn": flow.ex.arn,
                "state": shown,
                "map_run_arn": run_arn,
                "items": len(selected),
                "child_executions": len(jobs),
            },
        )
        # MapStateStarted's length: the items of its input; none read yet with an
        # ItemReader (LocalStack's recordings of AWS's histories).
        if "ItemReader" in state:
            self._history(flow.ex, "MapStateStarted", shown, "items from its ItemReader", 0)
        else:
            self._started_line(flow.ex, state, shown, len(selected))
        detail = f"{len(selected)} items in {len(jobs)} executions"
        self._history(flow.ex, what, shown, detail, run_arn)
        configured = _max_concurrency(state, name, raw, env)
        limit = configured or asl_distributed.DEFAULT_MAX_CONCURRENCY
        run = MapRun(
            run_arn,
            shown,
            tolerance,
            [n for _, n in batches],
            effective,
            f"{prefix}:stateMachine:{self.aws_name}/{label}",
            start_ms=sim.clock.now,
            max_concurrency=configured,
            executions=executions,
        )
        before = flow.ex.map_runs.get(run_arn)
        if before is not None:
            # A redrive of the run: the same Map Run, started when it first did, its
            # children with their starts and redrives.
            run.start_ms = before.start_ms
            run.redrive_count, run.redrive_ms = before.redrive_count + 1, sim.clock.now
            run.started, run.redriven = before.started, before.redriven
        flow.ex.map_runs[run_arn] = run
        self._fan_out(flow, name, state, raw, env, retries, jobs, limit, run, executions)

    def _fan_out(
        self,
        flow: Flow,
        name: str,
        state: Mapping[str, Any],
        raw: Any,
        env: DataEnv,
        retries: int,
        jobs: list[tuple[Mapping[str, Any], str, Any, dict[str, Any] | None]],
        limit: int,
        run: MapRun | None = None,
        executions: list[dict[str, Any]] | None = None,
    ) -> None:
        """Run `jobs` (machine, label, input, map item) as child flows, at most `limit` at
        once (0: all); the results, in job order, are the state's result. A Map Run (`run`,
        with each child's `executions` context) tolerates failures up to its threshold and
        leaves failed children out of the result. On a redrive (the flow's `redo_fan`) the
        children that succeeded keep their results and the others resume."""
        results: list[Any] = [None] * len(jobs)
        fan = Fan(name)
        # An INLINE Map's iterations have history lines (a Distributed Map's children are
        # executions, with histories of their own). Each iteration's two (half of such a
        # Map's lines) name the Map and the item's index (their note), objects its other
        # lines share; appended here, not through _history: they have no data to keep.
        is_map = state["Type"] == "Map"
        shown = flow.label + name
        history, clock = flow.ex.history, self.sim.clock
        if run is None:
            self._started_line(flow.ex, state, shown, len(jobs))
        if run is not None:
            run.fan = fan
            if executions is not None:
                fan.map_run = (run.arn, executions)
        flow.fan = fan
        redo, flow.redo_fan = flow.redo_fan, None
        pending = list(range(len(jobs)))
        if redo is not None:
            for i, value in redo.results.items():
                results[i] = value
                fan.results[i] = value
            fan.stops.update(redo.stops)
            pending = [i for i in pending if i not in redo.results]
        left = len(pending)
        failed: set[int] = set()
        token = flow.token

        def finish() -> None:
            out = results
            try:
                if run is not None:
                    out = [r for i, r in enumerate(results) if i not in failed]
                    self._map_run_ended(flow, run, "SUCCEEDED", len(jobs) - len(failed), failed)
                    if "ResultWriter" in state:
                        out = self._write_results(name, state, env, run, fan, executions)
                        if not flow.alive or flow.token != token:
                            return  # what the write set off ended the execution
                self._history(flow.ex, f"{state['Type']}StateSucceeded", shown, "")
                self._exit(flow, name, state, raw, out, env)
            except StatesRuntimeError as exc:
                self._failed(flow, name, state, raw, exc, retries)

        def child_done(child: Flow, ok: bool, value: Any) -> None:
            nonlocal left
            if not flow.alive or flow.token != token:
                return
            flow.children.pop(child, None)
            index = child_index[id(child)]
            if not ok:
                if run is None:
                    if is_map:
                        self._history(flow.ex, "MapIterationFailed", shown, index)
                    self._state_error(
                        flow, name, state, raw, str(value["Error"]), str(value["Cause"]), retries
                    )
                    return
                run.errors[index] = (value, self.sim.clock.now)
                if run.fail(index, failed):
                    self._map_run_ended(flow, run, "FAILED", len(fan.results), failed)
                    if "ResultWriter" in state:
                        try:
                            self._write_results(name, state, env, run, fan, executions)
                        except StatesRuntimeError as exc:
                            # The write failing as well: the state fails with that error,
                            # after the EvaluationFailed line a JSONata failure writes.
                            self._failed(flow, name, state, raw, exc, retries)
                            return
                    error, cause = asl_distributed.EXCEEDED, asl_distributed.EXCEEDED_CAUSE
                    self._state_error(flow, name, state, raw, error, cause, retries)
                    return
            else:
                if run is None and is_map:
                    history.append(HistoryEvent(clock.now, "MapIterationSucceeded", shown, index))
                results[index] = value
                fan.results[index] = value
                fan.stops[index] = self.sim.clock.now
            left -= 1
            if left == 0:
                finish()
                return
            launch()

        child_index: dict[int, int] = {}
        queue = deque(pending)

        def launch() -> None:
            while queue and (limit == 0 or len(flow.children) < limit):
                index = queue.popleft()
                machine, label, data, item = jobs[index]
                context = executions[index] if executions is not None else flow.execution
                # A Distributed Map's child executions read no outer variables.
                outer = flow.scope if run is None else None
                child = Flow(flow.ex, machine, label, child_done, item, context, outer)
                child_index[id(child)] = index
                fan.children[index] = child
                flow.children[child] = None
                old = redo.children.get(index) if redo is not None else None
                if run is not None:
                    self._child_started(run, index, context, old is not None)
                elif is_map:
                    history.append(HistoryEvent(clock.now, "MapIterationStarted", shown, index))
                if old is not None:
                    self._resume(child, old)
                else:
                    self._enter(child, child.start, data)
                if not flow.alive or flow.token != token:
                    return

        if left == 0:
            finish()
            return
        launch()

    def _started_line(
        self, ex: Execution, state: Mapping[str, Any], shown: str, count: int
    ) -> None:
        """The history line of a Map (`count` its items) or Parallel (`count` branches)
        that starts its iterations or branches: GetExecutionHistory's MapStateStarted
        (its `length`) or ParallelStateStarted."""
        if state["Type"] == "Map":
            words = f"{count} item{'s' * (count != 1)}"
            self._history(ex, "MapStateStarted", shown, words, count)
        else:
            words = f"{count} branch{'es' * (count != 1)}"
            self._history(ex, "ParallelStateStarted", shown, words)

    def _abort_lines(self, flow: Flow, *, whole: bool) -> None:
        """The history lines of stopping `flow`'s running children: the Map and Parallel
        states running in each, then a Map's MapIterationAborted for each; and (`whole`)
        the state's own MapStateAborted or ParallelStateAborted. A Distributed Map's
        children are executions, aborted with its run."""
        fan = flow.fan
        if not flow.children or fan is None or fan.map_run is not None:
            return
        stype = flow.states[fan.state]["Type"]
        shown = flow.label + fan.state
        running = flow.children
        for index, child in fan.children.items():
            if child not in running:
                continue
            self._abort_lines(child, whole=True)
            if stype == "Map":
                self._history(flow.ex, "MapIterationAborted", shown, index)
        if whole:
            self._history(flow.ex, f"{stype}StateAborted", shown, "")

    def _child_started(
        self, run: MapRun, index: int, context: dict[str, Any], redriven: bool
    ) -> None:
        """A Map Run's child execution starts now, or resumes (`redriven`) as a redrive of
        its run redrives it: its StartTime, or its RedriveCount, as its context object and
        DescribeExecution give them."""
        now = self.sim.clock.now
        if redriven:
            context["RedriveCount"] = context.get("RedriveCount", 0) + 1
            run.redriven[index] = now
        else:
            context["StartTime"] = iso_ms(now)
            run.started[index] = now

    def _write_results(
        self,
        name: str,
        state: Mapping[str, Any],
        env: DataEnv,
        run: MapRun,
        fan: Fan,
        executions: list[dict[str, Any]] | None,
    ) -> Any:
        """The Map's ResultWriter applied to its run's children (succeeded, failed, or
        pending: not finished when the run failed): the Map's result."""
        children = []
        for i, ex in enumerate(executions or []):
            if i in fan.results:
                child = asl_distributed.ChildResult(
                    ex, "SUCCEEDED", fan.results[i], fan.stops.get(i)
                )
            elif i in run.errors:
                value, stop = run.errors[i]
                child = asl_distributed.ChildResult(ex, "FAILED", value, stop)
            else:
                child = asl_distributed.ChildResult(ex, "PENDING")
            children.append(child)
        out = asl_distributed.write_results(
            self.sim, state, name, run.effective, env, run.arn, run.machine_arn, children
        )
        run.written = True
        return out

    def _map_run_ended(
        self, flow: Flow, run: MapRun, status: str, succeeded: int, failed: set[int]
    ) -> None:
        run.status, run.stop_ms = status, self.sim.clock.now
        self._emit(
            tk.SFN_MAP_RUN_ENDED,
            {
                "execution_arn": flow.ex.arn,
                "state": run.state,
                "map_run_arn": run.arn,
                "status": status,
                "succeeded": succeeded,
                "failed": len(failed),
            },
        )
        what = "MapRunSucceeded" if status == "SUCCEEDED" else "MapRunFailed"
        self._history(
            flow.ex,
            what,
            run.state,
            f"child executions: {succeeded} succeeded, {len(failed)} failed",
            run.arn,
        )

    # -- the end of an execution ---------------------------------------------------------

    def _root_done(self, flow: Flow, ok: bool, value: Any) -> None:
        ex = flow.ex
        if ex.status != RUNNING:
            return
        if ok:
            self._close(ex, SUCCEEDED, None, None, value)
        else:
            self._close(ex, FAILED, value.get("Error"), value.get("Cause"))

    def _timed_out(self, ex: Execution) -> None:
        ex.timer = None
        if ex.status == RUNNING:
            self._close(ex, TIMED_OUT, "States.Timeout", None)

    def figures(self) -> dict[str, int]:
        """How many executions were started, and how many are in each status now."""
        out = {"started": len(self.executions)}
        for status in STATUSES:
            out[status.lower()] = sum(1 for ex in self.executions.values() if ex.status == status)
        out["redriven"] = sum(ex.redrive_count for ex in self.executions.values())
        return out

    def _close(
        self,
        ex: Execution,
        status: str,
        error: str | None,
        cause: str | None,
        output: Any = None,
    ) -> None:
        sim = self.sim
        now = sim.clock.now
        ex.status, ex.stop_ms, ex.error, ex.cause, ex.output = status, now, error, cause, output
        if ex.timer is not None:
            sim.clock.cancel(ex.timer)
            ex.timer = None
        if ex.root is not None:
            self._abort_lines(ex.root, whole=True)
            ex.root.stop(sim)
        data: dict[str, Any] = {"execution_arn": ex.arn, "duration_ms": now - ex.start_ms}
        if status == SUCCEEDED:
            kind = tk.SFN_EXECUTION_SUCCEEDED
            data["output_bytes"] = json_bytes(output)
            what = "ExecutionSucceeded"
        else:
            kind = {
                FAILED: tk.SFN_EXECUTION_FAILED,
                TIMED_OUT: tk.SFN_EXECUTION_TIMED_OUT,
                ABORTED: tk.SFN_EXECUTION_ABORTED,
            }[status]
            data["error"] = error
            data["cause"] = cause
            what = {
                FAILED: "ExecutionFailed",
                TIMED_OUT: "ExecutionTimedOut",
                ABORTED: "ExecutionAborted",
            }[status]
        sim.trace.emit((now, kind, self.name, data))
        detail = data["output_bytes"] if status == SUCCEEDED else str(error)
        self._history(ex, what, "", detail, output if status == SUCCEEDED else (error, cause))
        waiters, ex.waiters = ex.waiters, []
        for waiter in waiters:
            waiter(ex)


# A path into a null input fails; the null is most often a Task function that returns
# nothing because its behaviour declares no `response`.
NULL_INPUT_HINT = (
    "the state's input is null: the state before it gave null (a Task whose function "
    "declares no `response` in the behaviours file returns null)"
)


def _merged(first: dict[str, Any] | None, then: dict[str, Any] | None) -> dict[str, Any] | None:
    """Two Assigns' values as one, `then`'s winning a name both give; None if neither."""
    if first is None or then is None:
        return then if first is None else first
    return {**first, **then}


def _output_only(state: Mapping[str, Any]) -> dict[str, Any]:
    """The output processing of a state without a result (Choice, Succeed): OutputPath."""
    return {"OutputPath": state.get("OutputPath", "$")}


def _limit(flow: Flow, state: Mapping[str, Any], field: str) -> int | None:
    """A Task's TimeoutSeconds or HeartbeatSeconds for the current attempt: a JSONata
    state's evaluated value, else the literal one."""
    limits = flow.limits
    value = limits.get(field) if limits is not None else state.get(field)
    return value if isinstance(value, int) else None


def _max_concurrency(state: Mapping[str, Any], name: str, raw: Any, env: DataEnv) -> int:
    """A Map's MaxConcurrency (0: no limit); a JSONata state's may be an expression."""
    if env.jsonata:
        value = asl_jsonata_data.setting(
            state,
            "MaxConcurrency",
            name,
            raw,
            env,
            asl_jsonata_data.non_negative,
            "a non-negative integer",
        )
    elif "MaxConcurrencyPath" in state:
        value = _path_setting(state, "MaxConcurrency", name, raw, env, minimum=0)
    else:
        value = state.get("MaxConcurrency")
    return value if isinstance(value, int) else 0


def _path_setting(
    state: Mapping[str, Any], key: str, name: str, raw: Any, env: DataEnv, *, minimum: int
) -> int:
    """The value the state's `{key}Path` reference path selects in its input: an integer
    of at least `minimum` ("When resolved, the reference path must select a field whose
    value is a non-negative integer", Map; "positive integers", Task), else States.Runtime."""
    path = state[key + "Path"]
    value = state_input({"Type": "Task", "InputPath": path}, name, raw, env)
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise StatesRuntimeError(
            "States.Runtime",
            f"An error occurred while executing the state '{name}'. The value of {key}Path "
            f"{path} is not valid for {key}: {compact_json(value)[:100]}",
        )
    return value


def _path_limits(
    state: Mapping[str, Any], name: str, raw: Any, env: DataEnv
) -> dict[str, int | None] | None:
    """A JSONPath Task's TimeoutSeconds and HeartbeatSeconds for this attempt when either is
    given by path (TimeoutSecondsPath, HeartbeatSecondsPath: positive integers from the
    state's input); None when both are literal (or absent)."""
    if "TimeoutSecondsPath" not in state and "HeartbeatSecondsPath" not in state:
        return None
    limits: dict[str, int | None] = {}
    for key in ("TimeoutSeconds", "HeartbeatSeconds"):
        if key + "Path" in state:
            limits[key] = _path_setting(state, key, name, raw, env, minimum=1)
        else:
            value = state.get(key)
            limits[key] = value if isinstance(value, int) else None
    return limits


def within_limits(error: _Error, cause: _Cause) -> tuple[_Error, _Cause]:
    """`error` and `cause` (None: a Fail state without one) cut to what the history's
    failure events hold, 256 and 32,768 characters (**a choice**: AWS documents the limits,
    not what it does with longer texts)."""
    if error is not None and len(error) > MAX_ERROR_CHARS:
        error = error[:MAX_ERROR_CHARS]
    if cause is not None and len(cause) > MAX_CAUSE_CHARS:
        cause = cause[:MAX_CAUSE_CHARS]
    return error, cause


class ResultTooLarge(StatesRuntimeError):
    """States.DataLimitExceeded for a Task's result (the connector's output), which fails
    the task itself, not only its state."""


def data_limit_exceeded(who: str, size: int, *, result: bool = False) -> StatesRuntimeError:
    """States.DataLimitExceeded for a state's output, or a Task's `result` (the connector's
    output: ResultTooLarge), of `size` bytes from `who` (the state's name, or the Task's
    resource): AWS's cause word for word, the sizes in the hint."""
    kind = ResultTooLarge if result else StatesRuntimeError
    return kind(
        "States.DataLimitExceeded",
        f"The state/task '{who}' returned a result with a size exceeding the maximum number "
        "of bytes service limit.",
        hint=f"the {'result' if result else 'output'} is {size:,} bytes; a state's input and "
        f"output are at most {MAX_PAYLOAD_BYTES:,} (256 KiB): keep large data elsewhere (S3, "
        "a table) and pass its key",
    )


def redrive_status(ex: Execution, now: int) -> tuple[str, str | None]:
    """DescribeExecution's redriveStatus and redriveStatusReason at `now`: whether
    RedriveExecution would accept the execution, and AWS's reason when it would not."""
    if ex.status in (RUNNING, SUCCEEDED):
        return NOT_REDRIVABLE, f"Execution is {ex.status} and cannot be redriven"
    if ex.start_ms < REDRIVE_LAUNCH_MS:
        return NOT_REDRIVABLE, "Execution was started before the launch of RedriveExecution"
    if len(ex.history) >= MAX_REDRIVE_HISTORY:
        return NOT_REDRIVABLE, "Execution history event limit exceeded"
    if now - ex.start_ms >= MAX_EXECUTION_MS:
        return NOT_REDRIVABLE, "Execution has exceeded the max execution time"
    if ex.stop_ms is not None and now - ex.stop_ms > REDRIVE_PERIOD_MS:
        return NOT_REDRIVABLE, "Execution redrivable period exceeded"
    return REDRIVABLE, None


def check_execution_name(name: str) -> None:
    """Refuse a name StartExecution refuses: a length outside 1 to 80 is the API's
    ValidationException (its length constraint, checked first), a character it does not
    take InvalidName."""
    if not 1 <= len(name) <= MAX_NAME_CHARS:
        bound = f"less than or equal to {MAX_NAME_CHARS}" if name else "greater than or equal to 1"
        raise ExecutionError(
            f"ValidationException: 1 validation error detected: Value {quoted(name)} at 'name' "
            f"failed to satisfy constraint: Member must have length {bound}",
            f"a name has 1 to {MAX_NAME_CHARS} characters: letters, digits, - and _",
        )
    if _BAD_NAME.search(name):
        raise ExecutionError(
            f"InvalidName: Invalid Name: {quoted(name)}",
            "a name has 1 to 80 characters: letters, digits, - and _ (no spaces, brackets, "
            "wildcards or punctuation such as : / $ &)",
        )


def error_matches(names: list[str], error: str, *, result_too_large: bool = False) -> bool:
    """Whether a retrier's or catcher's ErrorEquals matches `error`: by name, `States.ALL`
    (any error but the terminal ones), `States.Timeout` (also States.HeartbeatTimeout),
    `States.TaskFailed` (any but the timeouts and the terminal ones). `result_too_large`:
    the error is States.DataLimitExceeded for a Task's result over 256 KiB, a task failure
    that the wildcards match (AWS's histories), unlike a state's output or input over it."""
    if error in names:
        return True
    if error in _TERMINAL_ERRORS and not result_too_large:
        return False
    if "States.ALL" in names:
        return True
    # A heartbeat timeout is a timeout: States.Timeout names both ("a Task state either ran
    # longer than the TimeoutSeconds value, or failed to send a heartbeat ..."), and
    # States.TaskFailed matches neither.
    if error == "States.HeartbeatTimeout":
        return "States.Timeout" in names
    return "States.TaskFailed" in names and error != "States.Timeout"


def retry_delay_ms(retrier: Mapping[str, Any], done: int, rng: Any) -> int:
    """The wait before retry number `done + 1`: IntervalSeconds x BackoffRate^done, at most
    MaxDelaySeconds; with JitterStrategy FULL a uniform draw between 0 and that. A wait
    longer than any execution can last is RETRY_NEVER_MS (the retry never comes)."""
    interval = retrier.get("IntervalSeconds", DEFAULT_INTERVAL_S)
    rate = retrier.get("BackoffRate", DEFAULT_BACKOFF_RATE)
    ms: int | None
    try:
        seconds = interval * rate**done
        cap = retrier.get("MaxDelaySeconds")
        if isinstance(cap, int):
            seconds = min(seconds, cap)
        ms = round(seconds * 1000)
    except OverflowError:
        ms = None  # past a double: a BackoffRate of 1e300, an IntervalSeconds of 400 digits
    if retrier.get("JitterStrategy") == "FULL":
        # One draw, whatever the wait: the seeded stream stays the same either way.
        share = rng.random()
        try:
            ms = round(share * ms) if ms is not None else (0 if share == 0 else None)
        except OverflowError:
            ms = None
    return RETRY_NEVER_MS if ms is None else min(ms, RETRY_NEVER_MS)


def lambda_invoke_result(request_id: str, payload: Any, now_ms: int) -> dict[str, Any]:
    """The result of an `arn:aws:states:::lambda:invoke` task: Lambda's Invoke response
    with the function's output parsed into Payload ("Invoke Lambda with Step Functions")."""
    body = json.dumps(payload, separators=(",", ":"))
    headers = {
        "Connection": "keep-alive",
        "Content-Length": str(len(body.encode("utf-8", "surrogatepass"))),
        "Content-Type": "application/json",
        "Date": http_date(now_ms),
        "X-Amz-Executed-Version": "$LATEST",
        "x-amzn-Remapped-Content-Length": "0",
        "x-amzn-RequestId": request_id,
    }
    return {
        "ExecutedVersion": "$LATEST",
        "Payload": payload,
        "SdkHttpMetadata": {
            "AllHttpHeaders": {k: [v] for k, v in headers.items()},
            "HttpHeaders": headers,
            "HttpStatusCode": 200,
        },
        "SdkResponseMetadata": {"RequestId": request_id},
        "StatusCode": 200,
    }


def lookup_machine(sim: Simulator, name: str) -> MachineSim:
    """The state machine called `name`, or a SimError with a did-you-mean."""
    from stptui.sim.services.stream import lookup_named

    invalid = (
        f"{name!r} has no valid definition, so it is not simulated",
        "`stptui validate` says what is wrong with it",
    )
    machines = sim.services["state_machines"]
    return lookup_named(
        sim,
        machines,
        name,
        "state-machine",
        "state machines in this stack",
        {"state-machine": invalid},
    )


def find_execution(sim: Simulator, text: str) -> Execution:
    """The execution an id names: its ARN, its name, or a unique prefix of its name."""
    from stptui.sim.engine import SimError

    machines: dict[str, MachineSim] = sim.services.get("state_machines", {})
    every = [ex for m in machines.values() for ex in m.executions.values()]
    exact = [ex for ex in every if text in (ex.arn, ex.name)]
    if len(exact) == 1:
        return exact[0]
    # An empty word starts every name: it names none, however few executions there are.
    found = exact or [ex for ex in every if text and ex.name.startswith(text)]
    if len(found) == 1:
        return found[0]
    if not found:
        job = _batch_job_of(sim, text)
        if job is not None:
            # Stacktape runs a batch job's attempts in an execution of its own state machine,
            # and `start-job` says "started execution ID": the id is a fair thing to try here.
            raise SimError(
                f"{quoted(text)} is an execution of batch job {job}, not of a state machine",
                f"`explain {quote_word(text)}` shows its attempts; "
                f"`show job {quote_word(job)}` lists its executions",
                word=text,
            )
        if text in machines:
            hint = f"{quoted(text)} is a state machine: show executions {quote_word(text)}"
        elif every:
            hint = "`show executions` lists them"
        elif machines:
            hint = "start one with start-execution"
        else:
            hint = "this stack has no state machines"
        raise SimError(f"no execution {quoted(text)}", hint, word=text)
    raise SimError(
        f"{quoted(text)} names {len(found)} executions",
        "give more of the name, or the ARN: " + ", ".join(ex.name for ex in found[:5]),
        word=text,
    )


def _batch_job_of(sim: Simulator, text: str) -> str | None:
    """The batch job one of whose recent executions `text` names (its id, a unique start of
    it, or its ARN), or None."""
    batch = sim.services.get("batch")
    if batch is None or not text:
        return None
    jobs = {
        job.name
        for job in batch.jobs.values()
        for ex in (*job.running.values(), *job.recent)
        if text == ex.arn or ex.id.startswith(text)
    }
    return jobs.pop() if len(jobs) == 1 else None


def check_input_size(size: int) -> None:
    """StartExecution's limit on the input, `size` bytes of JSON text."""
    if size > MAX_PAYLOAD_BYTES:
        raise ExecutionError(
            f"InvalidExecutionInput: the input is {size:,} bytes; an execution's input is "
            f"at most {MAX_PAYLOAD_BYTES:,} (256 KiB)",
            "pass a reference (an S3 key, an id) instead of the data itself",
        )


def execution_input(text: str) -> Any:
    """StartExecution's input text read as JSON, after its size check (ExecutionError)."""
    check_input_size(len(text.encode("utf-8", "surrogatepass")))
    try:
        return jsontext.loads(text)
    except ValueError as exc:
        raise ExecutionError(
            f"InvalidExecutionInput: Invalid State Machine Execution Input: '{exc}'",
            "the input must be JSON text: pass an object, or JSON.stringify it",
        ) from None


def start_execution_emission(sim: Simulator, emission: Emission, source: str) -> dict[str, Any]:
    """A handler's `startExecution` emission, as StartExecution does it: the input text read
    as JSON, then `MachineSim.start`'s rules (a SimError with Step Functions' error text);
    StartExecution's answer (boto3 reads `startDate` as a datetime)."""
    from stptui.sim.engine import SimError

    machine = lookup_machine(sim, emission.target)
    try:
        raw = execution_input(emission.fields["input"])
        execution = machine.start(raw, emission.fields["name"], source)
    except ExecutionError as exc:
        raise SimError(str(exc), exc.hint) from None
    started = datetime_of(execution.start_ms)
    return {"executionArn": execution.arn, "startDate": started}


def wire(sim: Simulator) -> None:
    """Build the stack's state machines (those with a definition), in config order."""
    machines: dict[str, MachineSim] = {}
    sim.services["state_machines"] = machines
    # The startExecution emission is taken by the batch service (a batch job's state machine
    # or this service's), wired for every stack: see `batch.start_execution_emission`.
    asl_callbacks.wire(sim)
    for res in sim.stack.resources.values():
        if isinstance(res, StateMachine) and res.definition is not None:
            machines[res.name] = MachineSim(sim, res)
