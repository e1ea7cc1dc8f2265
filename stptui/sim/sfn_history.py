"""GetExecutionHistory's events (API reference, HistoryEvent) of an execution, made from the
history lines the state machine keeps for it (stptui.sim.services.state_machine's
HistoryEvent: the lines `show execution` and the inspector's History show), when asked.

One line gives the events AWS writes for it: a state entered or exited its
`*StateEntered` / `*StateExited`; a Task's call its `TaskScheduled` and `TaskStarted`
(`LambdaFunctionScheduled` and `LambdaFunctionStarted` for a Task whose Resource is the
function's ARN), its end `TaskSucceeded` / `TaskFailed` / `TaskTimedOut` (or the
`LambdaFunction*` ones), written before the state's exit or failure; a Map's or
Parallel's start, end, failure and abort (`MapStateStarted`, `ParallelStateSucceeded`...)
and each Map iteration's (`MapIterationStarted`...); a Distributed Map's run
`MapRunStarted` / `MapRunSucceeded` / `MapRunFailed` / `MapRunRedriven`; the execution's
start, redrive and end theirs. stptui's own lines (Retry, Caught, Choice, StateFailed of a
state that made no call) give none. Each event names the one that led to it
(`previousEventId`), as AWS's recorded histories do. docs/fidelity.md ("Step Functions
GetExecutionHistory and DescribeStateMachine") has the sources and the choices.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from stptui.jsontext import compact_json
from stptui.sim.clock import datetime_of
from stptui.sim.services.state_machine import TaskExit

if TYPE_CHECKING:
    from stptui.sim.services.state_machine import Execution, HistoryEvent, MapRun

_STATES = "arn:aws:states:::"
_TIMEOUTS = ("States.Timeout", "States.HeartbeatTimeout")
# A Task's limits as TaskScheduledEventDetails names them (a JSONata state's, when they are
# expressions, are left out: the history line does not keep what they evaluated to).
_LIMITS = (("TimeoutSeconds", "timeoutInSeconds"), ("HeartbeatSeconds", "heartbeatInSeconds"))
# Each event type's details key (HistoryEvent's members), by the event types' prefixes.
_DETAILS = {
    "ExecutionStarted": "executionStartedEventDetails",
    "ExecutionSucceeded": "executionSucceededEventDetails",
    "ExecutionFailed": "executionFailedEventDetails",
    "ExecutionAborted": "executionAbortedEventDetails",
    "ExecutionTimedOut": "executionTimedOutEventDetails",
    "ExecutionRedriven": "executionRedrivenEventDetails",
    "TaskScheduled": "taskScheduledEventDetails",
    "TaskStarted": "taskStartedEventDetails",
    "TaskSubmitted": "taskSubmittedEventDetails",
    "TaskSucceeded": "taskSucceededEventDetails",
    "TaskFailed": "taskFailedEventDetails",
    "TaskTimedOut": "taskTimedOutEventDetails",
    "LambdaFunctionScheduled": "lambdaFunctionScheduledEventDetails",
    "LambdaFunctionSucceeded": "lambdaFunctionSucceededEventDetails",
    "LambdaFunctionFailed": "lambdaFunctionFailedEventDetails",
    "LambdaFunctionTimedOut": "lambdaFunctionTimedOutEventDetails",
    "MapStateStarted": "mapStateStartedEventDetails",
    "MapIterationStarted": "mapIterationStartedEventDetails",
    "MapIterationSucceeded": "mapIterationSucceededEventDetails",
    "MapIterationFailed": "mapIterationFailedEventDetails",
    "MapIterationAborted": "mapIterationAbortedEventDetails",
    "MapRunStarted": "mapRunStartedEventDetails",
    "MapRunFailed": "mapRunFailedEventDetails",
    "MapRunRedriven": "mapRunRedrivenEventDetails",
}
# The events of a Map or Parallel state (its iterations' apart): its start, its success,
# and the failure or abort that follows the state's own last event.
_STARTED = ("MapStateStarted", "ParallelStateStarted")
_SUCCEEDED = ("MapStateSucceeded", "ParallelStateSucceeded")
_CHAINED = ("MapStateFailed", "ParallelStateFailed", "MapStateAborted", "ParallelStateAborted")
# The detail members that are execution data, which includeExecutionData=False leaves out.
DATA_KEYS = ("input", "inputDetails", "output", "outputDetails")


def _data(key: str, value: Any) -> dict[str, Any]:
    """`key` (input or output) as JSON text, with its `...Details` (never truncated)."""
    return {key: compact_json(value), f"{key}Details": {"truncated": False}}


def _error(pair: Any) -> dict[str, Any]:
    """An (error, cause) pair as the details' `error` and `cause`, each when given."""
    error, cause = pair if isinstance(pair, tuple) else (None, None)
    out = {}
    if error is not None:
        out["error"] = error
    if cause is not None:
        out["cause"] = cause
    return out


def state_of(definition: Mapping[str, Any], shown: str) -> Mapping[str, Any] | None:
    """The state a history line names (`Fan/0/Work`: state Work of branch 0 of the
    Parallel state Fan, or of item 0 of the Map state Fan), or None."""
    parts = shown.split("/")
    states: Any = definition.get("States")
    try:
        for at in range(0, len(parts) - 1, 2):
            owner = states[parts[at]]
            if owner.get("Type") == "Parallel":
                states = owner["Branches"][int(parts[at + 1])]["States"]
            else:
                processor = owner.get("ItemProcessor") or owner.get("Iterator")
                states = processor["States"]
        state = states[parts[-1]]
    except (KeyError, IndexError, TypeError, ValueError, AttributeError):
        return None
    return state if isinstance(state, Mapping) else None


class _Call:
    """The call a Task state made that has not ended yet: how its events are named."""

    __slots__ = ("lambda_arn", "resource", "resource_type")

    def __init__(self, state: Mapping[str, Any] | None) -> None:
        resource = state.get("Resource") if state is not None else None
        text = resource if isinstance(resource, str) else ""
        self.lambda_arn: str | None = None
        self.resource_type = ""
        self.resource = ""
        if text.startswith(_STATES):
            parts = text[len(_STATES) :].split(":")
            cut = 2 if parts[0] == "aws-sdk" else 1
            self.resource_type = ":".join(parts[:cut])
            self.resource = ":".join(parts[cut:])
        else:
            # A Task whose Resource is the function's ARN: the LambdaFunction* events.
            self.lambda_arn = text

    def named(self) -> dict[str, Any]:
        return {"resourceType": self.resource_type, "resource": self.resource}


class _Builder:
    """The events of one execution's lines, in order, each linked to the event that led to
    it (`previousEventId`) as AWS's recorded histories link them: within its own flow (the
    execution, a branch, an iteration: the label its states' names start with)."""

    def __init__(self, ex: Execution, region: str, root: str = "") -> None:
        self.definition = ex.machine.definition
        self.role_arn = ex.machine.role_arn
        self.region = region
        self.runs = list(ex.map_runs.values())
        self.out: list[tuple[int, str, dict[str, Any] | None, int]] = []
        self.calls: dict[str, _Call] = {}
        # The flow of the line being read, and the execution's own (a Map Run child's label).
        self.root = root
        self.flow = root
        # Each flow's last event; each Map or Parallel state's (by its shown name) started
        # event, and the event its next iteration or first branch event follows.
        self.last: dict[str, int] = {}
        self.started_at: dict[str, int] = {}
        self.source: dict[str, int] = {}
        # A Map whose iteration failed: the last event of that iteration.
        self.failed_at: dict[str, int] = {}

    def add(
        self,
        t: int,
        kind: str,
        details: dict[str, Any] | None = None,
        prev: int | None = None,
        *,
        chain: bool = True,
    ) -> int:
        """Add an event of the current flow, after its last one (or `prev`); `chain`: the
        flow's next event follows it. Its id."""
        n = len(self.out) + 1
        self.out.append((t, kind, details, self.prev_of(self.flow) if prev is None else prev))
        if chain:
            self.last[self.flow] = n
        return n

    def prev_of(self, flow: str) -> int:
        """The event the next one of `flow` follows: its last; a branch's first follows its
        Parallel's ParallelStateStarted; the execution's first state follows none (0)."""
        got = self.last.get(flow, 0)
        if flow == self.root:
            return got
        owner = flow[:-1].rsplit("/", 1)[0]
        # An event from before the owner started (again: a retry, a loop) is no predecessor.
        start = self.started_at.get(owner, 0)
        return got if got > start else self.source.get(owner, start)

    def state(self, shown: str) -> Mapping[str, Any] | None:
        return state_of(self.definition, shown)

    def started(self, t: int, value: Any) -> None:
        details = {**_data("input", value), "roleArn": self.role_arn}
        self.flow = self.root
        self.add(t, "ExecutionStarted", details, 0, chain=False)

    def line(self, h: HistoryEvent, name: str) -> None:
        """The events of line `h` (its state's own name `name`)."""
        what, t, data = h.what, h.t, h.data
        self.flow = h.state[: h.state.rfind("/") + 1] or self.root
        if what.startswith("MapIteration"):
            self.iteration(h)
        elif what in _STARTED:
            n = self.add(t, what, {"length": data} if isinstance(data, int) else None)
            self.started_at[h.state] = self.source[h.state] = n
        elif what in _SUCCEEDED:
            # It follows the last event of what ran last in it; so does the state's exit.
            latest = len(self.out)
            self.add(t, what, None, latest, chain=False)
            self.last[self.flow] = latest
        elif what in _CHAINED:
            self.add(t, what)
        elif what == "ExecutionStarted":
            self.started(t, data)
        elif what == "ExecutionRedriven":
            self.add(t, what, {"redriveCount": data})
        elif what == "ExecutionSucceeded":
            self.add(t, what, _data("output", data))
        elif what.startswith("Execution"):
            self.add(t, what, _error(data))
        elif what.endswith("StateEntered"):
            self.add(t, what, {"name": name, **_data("input", data)})
        elif what.endswith("StateExited"):
            output, result = (
                (data.output, data.result) if isinstance(data, TaskExit) else (data,) * 2
            )
            self.ended(h.state, t, ok=True, value=result)
            details = {"name": name, **_data("output", output)}
            if h.assigned is not None:
                details["assignedVariables"] = dict(h.assigned)
                details["assignedVariablesDetails"] = {"truncated": False}
            self.add(t, what, details)
        elif what in ("TaskScheduled", "TaskSubmitted") or (
            what == "TaskSucceeded" and h.state not in self.calls
        ):
            self.scheduled(h, what)
        elif what == "StateFailed":
            if h.state in self.started_at:
                # A Map or Parallel fails from the last event of the iteration or branch
                # that failed: its MapStateFailed, or its next start on a retry, follows it.
                self.last[self.flow] = self.failed_at.pop(h.state, len(self.out))
            self.ended(h.state, t, ok=False, value=data)
        elif what.startswith("MapRun"):
            self.map_run(h)

    def iteration(self, h: HistoryEvent) -> None:
        """A Map iteration's start or end (its line names the Map, its note the index)."""
        shown, index = h.state, h.note
        flow = f"{shown}/{index}/"
        details = {"name": _own_name(shown), "index": index}
        if h.what == "MapIterationStarted":
            self.last[flow] = self.add(h.t, h.what, details, self.source.get(shown, 0), chain=False)
            return
        inner = self.prev_of(flow)
        self.add(h.t, h.what, details, inner, chain=False)
        if h.what != "MapIterationAborted":
            # The next iteration starts from the end of this one's states.
            self.source[shown] = inner
        if h.what == "MapIterationFailed":
            self.failed_at[shown] = inner

    def scheduled(self, h: HistoryEvent, what: str) -> None:
        """A Task's call: scheduled and started (and, for a callback, submitted)."""
        state = self.state(h.state)
        call = self.calls[h.state] = _Call(state)
        limits = {}
        for key, member in _LIMITS:
            value = state.get(key) if state is not None else None
            if isinstance(value, int) and not isinstance(value, bool):
                limits[member] = value
        if call.lambda_arn is not None:
            details = {"resource": call.lambda_arn, **_data("input", h.data)}
            if "timeoutInSeconds" in limits:
                details["timeoutInSeconds"] = limits["timeoutInSeconds"]
            self.add(h.t, "LambdaFunctionScheduled", details)
            self.add(h.t, "LambdaFunctionStarted")
            return
        self.add(
            h.t,
            "TaskScheduled",
            {
                **call.named(),
                "region": self.region,
                "parameters": compact_json(h.data),
                **limits,
            },
        )
        self.add(h.t, "TaskStarted", call.named())
        if what == "TaskSubmitted":
            self.add(h.t, "TaskSubmitted", call.named())

    def ended(self, shown: str, t: int, *, ok: bool, value: Any) -> None:
        """The end of the call state `shown` made, if one is waiting: with `value` (its
        result, or an (error, cause) pair)."""
        call = self.calls.pop(shown, None)
        if call is None:
            return
        family = "Task" if call.lambda_arn is None else "LambdaFunction"
        named = call.named() if call.lambda_arn is None else {}
        if ok:
            self.add(t, f"{family}Succeeded", {**named, **_data("output", value)})
            return
        error = value[0] if isinstance(value, tuple) else None
        outcome = "TimedOut" if error in _TIMEOUTS else "Failed"
        self.add(t, f"{family}{outcome}", {**named, **_error(value)})

    def map_run(self, h: HistoryEvent) -> None:
        arn = h.data if isinstance(h.data, str) else ""
        if h.what == "MapRunStarted":
            self.add(h.t, "MapRunStarted", {"mapRunArn": arn})
        elif h.what == "MapRunRedriven":
            run = next((r for r in self.runs if r.arn == arn), None)
            count = run.redrive_count if run is not None else 0
            self.add(h.t, "MapRunRedriven", {"mapRunArn": arn, "redriveCount": count})
        elif h.what == "MapRunSucceeded":
            self.add(h.t, "MapRunSucceeded")
        else:
            self.add(h.t, "MapRunFailed", {})

    def events(self) -> list[dict[str, Any]]:
        """The events made so far, numbered from 1, each naming the one it follows."""
        out = []
        for n, (t, kind, details, prev) in enumerate(self.out, 1):
            event: dict[str, Any] = {
                "timestamp": datetime_of(t),
                "type": kind,
                "id": n,
                "previousEventId": prev,
            }
            key = _DETAILS.get(kind) or _state_details(kind)
            if details is not None and key is not None:
                event[key] = details
            out.append(event)
        return out


def _state_details(kind: str) -> str | None:
    if kind.endswith("StateEntered"):
        return "stateEnteredEventDetails"
    if kind.endswith("StateExited"):
        return "stateExitedEventDetails"
    return None


def _region(ex: Execution) -> str:
    return ex.arn.split(":")[3]


def _own_name(shown: str, prefix: str = "") -> str:
    return shown[len(prefix) :].rsplit("/", 1)[-1]


def execution_events(ex: Execution) -> list[dict[str, Any]]:
    """GetExecutionHistory's events of `ex`, the oldest first: its lines, but those of
    the child executions its Distributed Maps' runs started (each has a history of its
    own: child_events)."""
    children = tuple(f"{run.state}/" for run in ex.map_runs.values())
    builder = _Builder(ex, _region(ex))
    for h in ex.history:
        if children and h.state.startswith(children):
            continue
        builder.line(h, _own_name(h.state))
    return builder.events()


def child_events(
    run: MapRun,
    ex: Execution,
    index: int,
    status: str,
    stop_ms: int | None,
) -> list[dict[str, Any]]:
    """GetExecutionHistory's events of child execution `index` of Map Run `run` of `ex`:
    its start (when the run started it, with its input), its states' lines, and its end
    (`status` at `stop_ms`)."""
    prefix = f"{run.state}/{index}/"
    context = run.executions[index]
    builder = _Builder(ex, _region(ex), prefix)
    builder.role_arn = context.get("RoleArn", builder.role_arn)
    builder.started(run.started[index], context["Input"])
    for h in ex.history:
        if h.state.startswith(prefix):
            builder.line(h, _own_name(h.state, prefix))
    if stop_ms is not None:
        builder.flow = prefix
        if status == "SUCCEEDED":
            fan = run.fan
            output = fan.results.get(index) if fan is not None else None
            builder.add(stop_ms, "ExecutionSucceeded", _data("output", output))
        elif status == "FAILED":
            value = run.errors[index][0]
            pair = (value.get("Error"), value.get("Cause"))
            builder.add(stop_ms, "ExecutionFailed", _error(pair))
        elif status == "ABORTED":
            builder.add(stop_ms, "ExecutionAborted", {})
    return builder.events()
