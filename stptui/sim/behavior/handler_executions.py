"""A Python handler's calls on Step Functions executions: `context.describe_execution`,
`list_executions`, `stop_execution`, `redrive_execution`, `get_execution_history`,
`list_map_runs` and `describe_map_run` (boto3's too), of a batch job's state machine (the
one Stacktape runs its attempts with, named by `STP_{JOB}_STATE_MACHINE_ARN`) or of a state
machine of the stack; and `describe_state_machine` and
`describe_state_machine_for_execution` of a state machine of the stack.

Each is made at the call, from the state the simulation is in while the handler runs, and
leaves no record of its own (a stop writes the execution's end, a redrive its
ExecutionRedriven). DescribeExecution and ListExecutions answer for a Map Run's child
executions too (stptui.sim.behavior.handler_map_runs). IAM checks DescribeExecution,
StopExecution, RedriveExecution, ListMapRuns, GetExecutionHistory and
DescribeStateMachineForExecution against the execution's ARN, ListExecutions and
DescribeStateMachine against the state machine's (ListExecutions of a Map Run's children:
the Map Run's) and DescribeMapRun against the Map Run's (stptui.config.permissions).
Answers are shaped as boto3's: camelCase keys, dates as datetimes. docs/fidelity.md ("A
function's code follows a batch job's executions", "Step Functions GetExecutionHistory and
DescribeStateMachine") has the sources and the choices.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from stptui.config.permissions import ClientError
from stptui.sim.behavior.errors import BehaviorError, shown
from stptui.sim.behavior.handler_reads import client_error
from stptui.sim.clock import datetime_of

if TYPE_CHECKING:
    from stptui.sim.behavior.runtime import Behaviors
    from stptui.sim.engine import Simulator
    from stptui.sim.services.batch import BatchJobSim
    from stptui.sim.services.batch import Execution as JobExecution
    from stptui.sim.services.state_machine import Execution, MachineSim, MapRun

# ListExecutions' page: 100 unless maxResults asks for 1 to 1,000 (0 means the default).
DEFAULT_PAGE = 100
MAX_PAGE = 1000
STATUSES = ("RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED", "PENDING_REDRIVE")
# ListExecutions' `redriveFilter` (API reference: REDRIVEN | NOT_REDRIVEN).
REDRIVE_FILTERS = ("REDRIVEN", "NOT_REDRIVEN")
_TOKEN_PREFIX = "stptui-executions:"
_HISTORY_TOKEN_PREFIX = "stptui-history:"
# DescribeExecution's `includedData` (API reference: ALL_DATA | METADATA_ONLY).
INCLUDED_DATA = ("ALL_DATA", "METADATA_ONLY")


@dataclass(frozen=True, slots=True)
class _Machine:
    """A state machine a handler may name: stptui's resource name, its ARN, and either the
    batch job whose attempts it runs or the simulated state machine."""

    name: str
    arn: str
    job: BatchJobSim | None
    machine: MachineSim | None

    @property
    def executions_arn(self) -> str:
        return self.arn.replace(":stateMachine:", ":execution:", 1)


def _machines(sim: Simulator) -> list[_Machine]:
    out: list[_Machine] = []
    batch = sim.services.get("batch")
    for job in batch.jobs.values() if batch is not None else ():
        out.append(_Machine(job.name, job.state_machine_arn, job, None))
    for machine in sim.services.get("state_machines", {}).values():
        out.append(_Machine(machine.name, machine.arn, None, machine))
    return out


def _machine(sim: Simulator, arn: str, operation: str, what: str) -> _Machine:
    """The state machine (or batch job's) of the stack whose ARN is `arn`; else AWS's
    InvalidArn for a malformed or other resource's ARN, or StateMachineDoesNotExist
    (naming `what` the stack was searched for)."""
    found = next((m for m in _machines(sim) if m.arn == arn), None)
    if found is not None:
        return found
    parts = arn.split(":")
    if len(parts) < 7 or parts[:3] != ["arn", "aws", "states"]:
        raise client_error("InvalidArn", f"Invalid Arn: '{arn}'", operation)
    if parts[5] != "stateMachine":
        raise client_error(
            "InvalidArn",
            f"Invalid Arn: 'Resource type not valid in this context: {parts[5]}'",
            operation,
        )
    raise client_error(
        "StateMachineDoesNotExist",
        f"State Machine Does Not Exist: '{arn}' (stptui: no {what} of the stack has that ARN)",
        operation,
    )


def _child(m: _Machine, arn: str, operation: str) -> tuple[MapRun, Execution, int]:
    """The Map Run child execution `arn` of state machine `m` (see
    `handler_map_runs.find_child`); AWS's ExecutionDoesNotExist when it has none."""
    from stptui.sim.behavior import handler_map_runs

    assert m.machine is not None
    found = handler_map_runs.find_child(m.machine, arn)
    if found is None:
        raise _not_found(arn, operation)
    return found


def _text(value: Any, what: str, call: str) -> str:
    if not isinstance(value, str) or not value:
        raise BehaviorError(f"{call}: {what} must be a non-empty string, not {shown(value)}")
    return value


class Executions:
    """The execution calls of one invocation (its role and request id)."""

    def __init__(self, behaviors: Behaviors, sim: Simulator, role: str, request_id: str) -> None:
        self._behaviors = behaviors
        self._sim = sim
        self._role = role
        self._request_id = request_id

    def _check(self, kind: str, target: str, fields: dict[str, Any]) -> None:
        denial = self._behaviors.permissions.check(
            self._role, kind, target, fields, self._request_id
        )
        if denial is not None:
            raise ClientError(denial)

    def _by_execution(self, arn: Any, operation: str) -> tuple[_Machine, str]:
        """The state machine an execution ARN is of, and the execution's name: InvalidArn
        for an ARN that is not an execution's, ExecutionDoesNotExist for one of a state
        machine the stack does not have."""
        arn = _text(arn, "executionArn", operation)
        parts = arn.split(":")
        if len(parts) != 8 or parts[:3] != ["arn", "aws", "states"] or parts[5] != "execution":
            kind = parts[5] if len(parts) > 5 and parts[:3] == ["arn", "aws", "states"] else None
            why = f"Resource type not valid in this context: {kind}" if kind else arn
            raise client_error("InvalidArn", f"Invalid Arn: '{why}'", operation)
        prefix = arn.rsplit(":", 1)[0]
        for m in _machines(self._sim):
            if m.executions_arn == prefix:
                return m, parts[7]
        if "/" in parts[6] and self._child_machine(arn) is not None:
            raise BehaviorError(
                f"{operation}: {arn} is a child execution of a Distributed Map's run; stptui "
                "runs it as a flow of its parent and does not model this call on it",
                "call it on the parent execution (DescribeExecution and ListExecutions with "
                "mapRunArn answer for the children)",
            )
        raise client_error(
            "ExecutionDoesNotExist",
            f"Execution Does Not Exist: '{arn}' (stptui: no state machine or batch job of the "
            "stack has that execution ARN's state machine)",
            operation,
        )

    def describe(self, arn: Any, included_data: Any = None) -> dict[str, Any]:
        """DescribeExecution; `included_data` METADATA_ONLY leaves out the input and the
        output (their `...Details` then say `included: false`)."""
        operation = "DescribeExecution"
        if included_data is not None and included_data not in INCLUDED_DATA:
            if not isinstance(included_data, str):
                raise BehaviorError(
                    f"{operation}: includedData must be a string, not {shown(included_data)}"
                )
            raise client_error(
                "ValidationException",
                f"1 validation error detected: Value '{included_data}' at 'includedData' "
                "failed to satisfy constraint: Member must satisfy enum value set: "
                f"[{', '.join(INCLUDED_DATA)}]",
                operation,
            )
        child = self._child_machine(arn)
        if child is not None:
            self._check("describeExecution", child.name, {"executionArn": arn})
            out = self._describe_child(child, arn, operation)
        else:
            out = self._describe_own(arn, operation)
        if included_data == "METADATA_ONLY":
            for field in ("input", "output"):
                if out.pop(field, None) is not None:
                    out[f"{field}Details"] = {"included": False}
        return out

    def _child_machine(self, arn: Any) -> _Machine | None:
        """The state machine of the stack whose Map Runs' child executions `arn` would be
        one of (`...:execution:STATE_MACHINE/LABEL:NAME`), or None for any other ARN."""
        parts = arn.split(":") if isinstance(arn, str) else []
        if len(parts) != 8 or parts[:3] != ["arn", "aws", "states"] or parts[5] != "execution":
            return None
        name, slash, label = parts[6].partition("/")
        if not slash or not label:
            return None
        prefix = f"{':'.join(parts[:5])}:stateMachine:{name}"
        return next((m for m in _machines(self._sim) if m.arn == prefix and m.machine), None)

    def _describe_child(self, m: _Machine, arn: str, operation: str) -> dict[str, Any]:
        from stptui.sim.behavior import handler_map_runs

        return handler_map_runs.describe_child(*_child(m, arn, operation))

    def _describe_own(self, arn: Any, operation: str) -> dict[str, Any]:
        m, name = self._by_execution(arn, operation)
        self._check("describeExecution", m.name, {"executionArn": arn})
        if m.job is not None:
            job_ex = _job_execution(m.job, arn)
            if job_ex is None:
                raise _not_found(arn, operation)
            out = _describe_job_execution(m.job, job_ex, self._sim.clock.now)
        else:
            assert m.machine is not None
            ex = m.machine.executions.get(name)
            if ex is None or ex.arn != arn:
                raise _not_found(arn, operation)
            out = _describe_machine_execution(ex, self._sim.clock.now)
        return out

    def list(
        self,
        arn: Any,
        status_filter: Any,
        max_results: Any,
        next_token: Any,
        map_run_arn: Any = None,
        redrive_filter: Any = None,
    ) -> dict[str, Any]:
        """ListExecutions of a state machine (`arn`) or of a Map Run (`map_run_arn`, its
        child executions): newest first, a page of `max_results` (0 or None: 100),
        `status_filter` and `redrive_filter` (REDRIVEN, NOT_REDRIVEN) applied."""
        operation = "ListExecutions"
        if (arn is None) == (map_run_arn is None):
            # One of the two, never both (API reference); LocalStack's wording for neither.
            why = (
                "Must provide a StateMachine ARN or MapRun ARN"
                if arn is None
                else "Only one of stateMachineArn and mapRunArn may be given"
            )
            raise client_error(
                "ValidationException", f"1 validation error detected: {why}", operation
            )
        if map_run_arn is not None:
            return self._list_children(
                map_run_arn, status_filter, max_results, next_token, redrive_filter
            )
        arn = _text(arn, "stateMachineArn", operation)
        found = _machine(self._sim, arn, operation, "state machine or batch job")
        problems = _filter_problems(status_filter, redrive_filter)
        size = _page_size(max_results, operation, problems)
        if status_filter == "PENDING_REDRIVE":
            raise client_error(
                "ValidationException",
                "1 validation error detected: statusFilter PENDING_REDRIVE needs a mapRunArn, "
                "not a stateMachineArn",
                operation,
            )
        self._check("listExecutions", found.name, {})
        items = _filtered(_newest_first(found), status_filter, redrive_filter)
        return _page(items, "executions", "executionArn", size, next_token, operation)

    def _list_children(
        self,
        arn: Any,
        status_filter: Any,
        max_results: Any,
        next_token: Any,
        redrive_filter: Any,
    ) -> dict[str, Any]:
        """ListExecutions of a Map Run: its child executions that started."""
        from stptui.sim.behavior import handler_map_runs

        operation = "ListExecutions"
        m = self._map_run_machine(arn, operation)
        size = _page_size(max_results, operation, _filter_problems(status_filter, redrive_filter))
        self._check("listExecutions", m.name, {"mapRunArn": arn})
        found = None if m.machine is None else handler_map_runs.find(m.machine, arn)
        if found is None:
            raise client_error("ResourceNotFound", f"Resource not found: '{arn}'", operation)
        items = _filtered(handler_map_runs.child_items(*found), status_filter, redrive_filter)
        return _page(items, "executions", "executionArn", size, next_token, operation)

    def list_map_runs(self, arn: Any, max_results: Any, next_token: Any) -> dict[str, Any]:
        """ListMapRuns: the Map Runs the execution's Distributed Maps started, the most
        recent first, a page of `max_results` (0 or None: 100). A batch job's state machine
        has no Map state: its executions have none."""
        operation = "ListMapRuns"
        m, name = self._by_execution(arn, operation)
        size = _page_size(max_results, operation, [])
        self._check("listMapRuns", m.name, {"executionArn": arn})
        if m.job is not None:
            if _job_execution(m.job, arn) is None:
                raise _not_found(arn, operation)
            return {"mapRuns": []}
        assert m.machine is not None
        ex = m.machine.executions.get(name)
        if ex is None or ex.arn != arn:
            raise _not_found(arn, operation)
        from stptui.sim.behavior.handler_map_runs import list_item

        items = [list_item(run, ex) for run in reversed(ex.map_runs.values())]
        return _page(items, "mapRuns", "mapRunArn", size, next_token, operation)

    def _map_run_machine(self, arn: Any, operation: str) -> _Machine:
        """The state machine a Map Run ARN is of: InvalidArn for an ARN that is not a Map
        Run's, ResourceNotFound for one of a state machine the stack does not have."""
        arn = _text(arn, "mapRunArn", operation)
        parts = arn.split(":")
        if (
            len(parts) != 8
            or parts[:3] != ["arn", "aws", "states"]
            or parts[5] != "mapRun"
            or "/" not in parts[6]
        ):
            kind = parts[5] if len(parts) > 5 and parts[:3] == ["arn", "aws", "states"] else None
            why = f"Resource type not valid in this context: {kind}" if kind else arn
            raise client_error("InvalidArn", f"Invalid Arn: '{why}'", operation)
        machine_arn = f"{':'.join(parts[:5])}:stateMachine:{parts[6].partition('/')[0]}"
        m = next((m for m in _machines(self._sim) if m.arn == machine_arn), None)
        if m is None:
            raise client_error(
                "ResourceNotFound",
                f"Resource not found: '{arn}' (stptui: no state machine of the stack has that "
                "Map Run ARN's state machine)",
                operation,
            )
        return m

    def describe_map_run(self, arn: Any) -> dict[str, Any]:
        """DescribeMapRun: a Map Run's configuration, status, dates, redrives and counts
        of items and child executions by status."""
        from stptui.sim.behavior import handler_map_runs

        operation = "DescribeMapRun"
        m = self._map_run_machine(arn, operation)
        self._check("describeMapRun", m.name, {"mapRunArn": arn})
        found = None if m.machine is None else handler_map_runs.find(m.machine, arn)
        if found is None:
            raise client_error("ResourceNotFound", f"Resource not found: '{arn}'", operation)
        return handler_map_runs.describe(*found)

    def history(
        self,
        arn: Any,
        max_results: Any = None,
        reverse_order: Any = None,
        next_token: Any = None,
        include_execution_data: Any = None,
    ) -> dict[str, Any]:
        """GetExecutionHistory: one page (`max_results`, 0 or None: 100) of the execution's
        events (stptui.sim.sfn_history), the oldest first or (`reverse_order`) the newest
        first; `include_execution_data` False leaves out their input and output. A Map
        Run's child execution has its own. A batch job's executions are not modelled."""
        from stptui.sim import sfn_history

        operation = "GetExecutionHistory"
        for what, value in (
            ("reverseOrder", reverse_order),
            ("includeExecutionData", include_execution_data),
        ):
            if value is not None and not isinstance(value, bool):
                raise BehaviorError(
                    f"{operation}: {what} must be True or False, not {shown(value)}"
                )
        size = _page_size(max_results, operation, [])
        child = self._child_machine(arn)
        if child is not None:
            from stptui.sim.behavior import handler_map_runs

            self._check("getExecutionHistory", child.name, {"executionArn": arn})
            events = handler_map_runs.child_history(*_child(child, arn, operation))
        else:
            m, name = self._by_execution(arn, operation)
            self._check("getExecutionHistory", m.name, {"executionArn": arn})
            if m.job is not None:
                if _job_execution(m.job, arn) is None:
                    raise _not_found(arn, operation)
                raise BehaviorError(
                    f"{operation}: {arn} is an execution of the state machine Stacktape runs "
                    f"batch job {m.name}'s attempts with; stptui does not model its history",
                    "DescribeExecution answers its status, input and output",
                )
            assert m.machine is not None
            ex = m.machine.executions.get(name)
            if ex is None or ex.arn != arn:
                raise _not_found(arn, operation)
            events = sfn_history.execution_events(ex)
        reverse = bool(reverse_order)
        if reverse:
            events.reverse()
        start = 0
        if next_token is not None:
            start = _history_token_start(next_token, arn, reverse, len(events))
            if start is None:
                raise client_error(
                    "InvalidToken", f"Invalid Token: '{shown(next_token)}'", operation
                )
        page = events[start : start + size]
        if include_execution_data is False:
            for event in page:
                for key, details in event.items():
                    if key.endswith("EventDetails"):
                        event[key] = {
                            k: v for k, v in details.items() if k not in sfn_history.DATA_KEYS
                        }
        out: dict[str, Any] = {"events": page}
        if start + size < len(events):
            out["nextToken"] = _history_token(arn, reverse, start + size)
        return out

    def describe_state_machine(self, arn: Any) -> dict[str, Any]:
        """DescribeStateMachine of a state machine of the stack: its definition as JSON
        text, role, type, status, creation date and logging and tracing settings."""
        operation = "DescribeStateMachine"
        arn = _text(arn, "stateMachineArn", operation)
        m = _machine(self._sim, arn, operation, "state machine")
        self._check("describeStateMachine", m.name, {})
        machine = self._simulated(m, operation)
        out = {"stateMachineArn": machine.arn, "name": machine.aws_name, "status": "ACTIVE"}
        out.update(_machine_settings(machine.definition, machine.role_arn))
        out["type"] = "STANDARD"
        out["creationDate"] = datetime_of(self._sim.start_ms)
        return out

    def describe_state_machine_for_execution(self, arn: Any) -> dict[str, Any]:
        """DescribeStateMachineForExecution: the state machine an execution ran, as
        DescribeStateMachine gives it (with `updateDate`); a Map Run's child execution's
        is its Map's item processor, with the run's ARN and the Map's label."""
        operation = "DescribeStateMachineForExecution"
        child = self._child_machine(arn)
        created = datetime_of(self._sim.start_ms)
        if child is not None:
            from stptui.sim.behavior import handler_map_runs

            self._check("describeStateMachineForExecution", child.name, {"executionArn": arn})
            run, ex, _ = _child(child, arn, operation)
            processor = handler_map_runs.processor(run, ex)
            out = {"stateMachineArn": run.machine_arn, "name": ex.machine.aws_name}
            out.update(_machine_settings(processor, ex.machine.role_arn))
            out["updateDate"] = created
            out["mapRunArn"] = run.arn
            out["label"] = run.machine_arn.rpartition("/")[2]
            return out
        m, name = self._by_execution(arn, operation)
        self._check("describeStateMachineForExecution", m.name, {"executionArn": arn})
        machine = self._simulated(m, operation)
        ex = machine.executions.get(name)
        if ex is None or ex.arn != arn:
            raise _not_found(arn, operation)
        out = {"stateMachineArn": machine.arn, "name": machine.aws_name}
        out.update(_machine_settings(machine.definition, machine.role_arn))
        out["updateDate"] = created
        return out

    @staticmethod
    def _simulated(m: _Machine, operation: str) -> MachineSim:
        """The simulated state machine `m` is; a batch job's is not modelled here."""
        if m.machine is None:
            raise BehaviorError(
                f"{operation}: {m.arn} is the state machine Stacktape runs batch job "
                f"{m.name}'s attempts with; stptui does not model its definition",
                "describe a state machine of the stack, or the job's executions "
                "(DescribeExecution)",
            )
        return m.machine

    def stop(self, arn: Any, error: Any, cause: Any) -> dict[str, Any]:
        """StopExecution: a running execution ends ABORTED now; an ended one is left as it
        is, and its stop date answered."""
        from stptui.sim.asl_callbacks import error_cause_refusal

        operation = "StopExecution"
        m, name = self._by_execution(arn, operation)
        for what, value in (("error", error), ("cause", cause)):
            if value is not None and not isinstance(value, str):
                raise BehaviorError(f"{operation}: {what} must be a string, not {shown(value)}")
        refusal = error_cause_refusal(error, cause)
        if refusal is not None:
            raise client_error("ValidationException", refusal[0].partition(": ")[2], operation)
        self._check("stopExecution", m.name, {"executionArn": arn})
        now = self._sim.clock.now
        if m.job is not None:
            job_ex = _job_execution(m.job, arn)
            if job_ex is None:
                raise _not_found(arn, operation)
            if job_ex.status == "RUNNING":
                if job_ex.pending is None:
                    # Only while its own attempt's handler runs: the attempt has not started.
                    raise BehaviorError(
                        f"{operation}: {arn} is the execution whose attempt runs this handler; "
                        "stptui cannot stop it from inside",
                        "stop it from another function, or end the attempt with an error",
                    )
                self._sim.services["batch"].stop_execution(job_ex, error, cause)
            return {
                "stopDate": datetime_of(job_ex.ended_at if job_ex.ended_at is not None else now)
            }
        assert m.machine is not None
        ex = m.machine.executions.get(name)
        if ex is None or ex.arn != arn:
            raise _not_found(arn, operation)
        if ex.status == "RUNNING":
            m.machine.stop_execution(ex, error, cause)
        return {"stopDate": datetime_of(ex.stop_ms if ex.stop_ms is not None else now)}

    def redrive(self, arn: Any) -> dict[str, Any]:
        """RedriveExecution, as the `redrive-execution` command makes it: an unsuccessful
        execution (a batch job's too) runs on from where it stopped, under the same ARN;
        ExecutionNotRedrivable with Step Functions' reason for any other."""
        from stptui.sim.engine import SimError
        from stptui.sim.services.state_machine import ExecutionError

        operation = "RedriveExecution"
        m, name = self._by_execution(arn, operation)
        self._check("redriveExecution", m.name, {"executionArn": arn})
        try:
            if m.job is not None:
                job_ex = _job_execution(m.job, arn)
                if job_ex is None:
                    raise _not_found(arn, operation)
                self._sim.services["batch"].redrive(job_ex)
                return {"redriveDate": datetime_of(job_ex.redrive_ms or self._sim.clock.now)}
            assert m.machine is not None
            ex = m.machine.executions.get(name)
            if ex is None or ex.arn != arn:
                raise _not_found(arn, operation)
            m.machine.redrive(ex)
            return {"redriveDate": datetime_of(ex.redrive_ms or self._sim.clock.now)}
        except (ExecutionError, SimError) as exc:
            code, _, message = str(exc).partition(": ")
            if code != "ExecutionNotRedrivable":
                # The simulation's own refusal (an AWS Batch job a state machine submitted
                # is not an execution): the redrive API refuses it as not redrivable.
                code, message = "ExecutionNotRedrivable", str(exc)
            raise client_error(code, message, operation) from None


def _filter_problems(status_filter: Any, redrive_filter: Any) -> list[str]:
    """ListExecutions' ValidationException lines for a `statusFilter` or `redriveFilter`
    outside its enum."""
    problems = []
    for what, value, allowed in (
        ("statusFilter", status_filter, STATUSES),
        ("redriveFilter", redrive_filter, REDRIVE_FILTERS),
    ):
        if value is None or value in allowed:
            continue
        if not isinstance(value, str):
            raise BehaviorError(f"ListExecutions: {what} must be a string, not {shown(value)}")
        problems.append(
            f"Value '{value}' at '{what}' failed to satisfy constraint: "
            f"Member must satisfy enum value set: [{', '.join(allowed)}]"
        )
    return problems


def _filtered(
    items: list[dict[str, Any]], status_filter: Any, redrive_filter: Any
) -> list[dict[str, Any]]:
    if status_filter is not None:
        items = [i for i in items if i["status"] == status_filter]
    if redrive_filter is not None:
        redriven = redrive_filter == "REDRIVEN"
        items = [i for i in items if bool(i.get("redriveCount")) == redriven]
    return items


def _page_size(max_results: Any, operation: str, problems: list[str]) -> int:
    """The page size `maxResults` asks for (0 or None: 100), or the ValidationException of
    it and of the `problems` found before it."""
    if max_results is not None:
        if isinstance(max_results, bool) or not isinstance(max_results, int):
            raise BehaviorError(
                f"{operation}: maxResults must be a whole number, not {shown(max_results)}"
            )
        if not 0 <= max_results <= MAX_PAGE:
            bound = (
                f"less than or equal to {MAX_PAGE}"
                if max_results > MAX_PAGE
                else "greater than or equal to 0"
            )
            problems.append(
                f"Value '{shown(max_results)}' at 'maxResults' failed to satisfy constraint: "
                f"Member must have value {bound}"
            )
    if problems:
        n = len(problems)
        raise client_error(
            "ValidationException",
            f"{n} validation error{'s' if n > 1 else ''} detected: " + "; ".join(problems),
            operation,
        )
    return max_results or DEFAULT_PAGE


def _page(
    items: list[dict[str, Any]], key: str, arn_key: str, size: int, next_token: Any, operation: str
) -> dict[str, Any]:
    """One page of `items` under `key`, from the item `next_token` names (by its
    `arn_key`), with the token of the next page while there are more."""
    start = 0
    if next_token is not None:
        after = _token_arn(next_token)
        start = next((n for n, i in enumerate(items) if i[arn_key] == after), -1)
        if start < 0:
            raise client_error("InvalidToken", f"Invalid Token: '{shown(next_token)}'", operation)
    out: dict[str, Any] = {key: items[start : start + size]}
    if start + size < len(items):
        out["nextToken"] = _token(items[start + size][arn_key])
    return out


def _machine_settings(definition: Any, role_arn: str) -> dict[str, Any]:
    """What DescribeStateMachine and DescribeStateMachineForExecution both give of a state
    machine Stacktape deployed: its definition as the JSON text Stacktape sends (compact,
    keys in order), its role, and the settings CloudFormation leaves at their defaults
    (logging OFF, tracing disabled)."""
    from stptui.jsontext import compact_json

    return {
        "definition": compact_json(definition),
        "roleArn": role_arn,
        "loggingConfiguration": {"level": "OFF", "includeExecutionData": False},
        "tracingConfiguration": {"enabled": False},
    }


def _history_token(arn: str, reverse: bool, start: int) -> str:
    # Opaque, as AWS's: the execution, the order and the first event of the next page.
    text = f"{_HISTORY_TOKEN_PREFIX}{'r' if reverse else 'f'}{start}:{arn}"
    return base64.urlsafe_b64encode(text.encode()).decode()


def _history_token_start(token: Any, arn: str, reverse: bool, count: int) -> int | None:
    """Where the page a GetExecutionHistory token names starts, or None for a token not
    made for this execution in this order (AWS: "Keep all other arguments unchanged")."""
    text = _token_text(token)
    if text is None or not text.startswith(_HISTORY_TOKEN_PREFIX):
        return None
    head, _, named = text[len(_HISTORY_TOKEN_PREFIX) :].partition(":")
    if named != arn or head[:1] != ("r" if reverse else "f") or not head[1:].isdigit():
        return None
    start = int(head[1:])
    return start if start <= count else None


def _not_found(arn: str, operation: str) -> ClientError:
    return client_error("ExecutionDoesNotExist", f"Execution Does Not Exist: '{arn}'", operation)


def _token(arn: str) -> str:
    # Opaque to the caller, as AWS's are: the ARN of the first execution of the next page.
    return base64.urlsafe_b64encode((_TOKEN_PREFIX + arn).encode()).decode()


def _token_arn(token: Any) -> str | None:
    text = _token_text(token)
    if text is None or not text.startswith(_TOKEN_PREFIX):
        return None
    return text[len(_TOKEN_PREFIX) :]


def _token_text(token: Any) -> str | None:
    """The text a page token of ours encodes (URL-safe base64 of UTF-8); None for a value
    that is not one (a caller's token is opaque, so anything may come back)."""
    if not isinstance(token, str):
        return None
    try:
        return base64.urlsafe_b64decode(token.encode()).decode()
    except ValueError:
        return None


def _job_executions(job: BatchJobSim) -> list[JobExecution]:
    """The executions of the job's state machine stptui keeps, in the order they started (a
    job a user's state machine submitted is AWS Batch's, not one of them)."""
    return [ex for ex in job.recent if ex.direct is None]


def _job_execution(job: BatchJobSim, arn: str) -> JobExecution | None:
    return next((ex for ex in _job_executions(job) if ex.arn == arn), None)


def _job_item(job: BatchJobSim, ex: JobExecution) -> dict[str, Any]:
    item: dict[str, Any] = {
        "executionArn": ex.arn,
        "stateMachineArn": job.state_machine_arn,
        "name": ex.arn.rsplit(":", 1)[1],
        "status": ex.status,
        "startDate": datetime_of(ex.submitted_at),
    }
    _stop_and_redrive(item, ex.ended_at, ex)
    return item


def _machine_item(ex: Execution) -> dict[str, Any]:
    item: dict[str, Any] = {
        "executionArn": ex.arn,
        "stateMachineArn": ex.machine.arn,
        "name": ex.name,
        "status": ex.status,
        "startDate": datetime_of(ex.start_ms),
    }
    _stop_and_redrive(item, ex.stop_ms, ex)
    return item


def _stop_and_redrive(
    item: dict[str, Any], stop_ms: int | None, ex: Execution | JobExecution
) -> None:
    """ListExecutions' optional fields of an item: when the execution stopped (`stop_ms`),
    how often and when it was last redriven."""
    if stop_ms is not None:
        item["stopDate"] = datetime_of(stop_ms)
    if ex.redrive_count:
        item["redriveCount"] = ex.redrive_count
    if ex.redrive_ms is not None:
        item["redriveDate"] = datetime_of(ex.redrive_ms)


def _newest_first(m: _Machine) -> list[dict[str, Any]]:
    """Every execution as ListExecutions lists it, the most recent first (of two started at
    one instant, the one started later)."""
    if m.job is not None:
        job = m.job
        return [_job_item(job, ex) for ex in reversed(_job_executions(job))]
    assert m.machine is not None
    return [_machine_item(ex) for ex in reversed(m.machine.executions.values())]


def _describe_job_execution(job: BatchJobSim, ex: JobExecution, now: int) -> dict[str, Any]:
    """DescribeExecution of an execution of Stacktape's state machine for the job."""
    out = _job_item(job, ex)
    out["input"] = job.execution_input(ex)
    out["inputDetails"] = {"included": True}
    if ex.status == "SUCCEEDED":
        from stptui.jsontext import compact_json

        # The last attempt's `batch:submitJob.sync` result (no ResultPath) passes through
        # the Succeed state: the job as DescribeJobs gives it, of which stptui gives the
        # request and the outcome.
        out["output"] = compact_json(
            {
                "JobDefinition": job.definition_arn,
                "JobName": job.job_name(ex),
                "JobQueue": job.queue_arn,
                "Status": "SUCCEEDED",
                "StoppedAt": ex.ended_at,
            }
        )
        out["outputDetails"] = {"included": True}
    # Stacktape's Fail state names no error or cause: only States.Runtime and StopExecution
    # give them.
    if ex.status == "ABORTED" or ex.error == "States.Runtime":
        _error_and_cause(out, ex)
    from stptui.sim.services.batch import redrive_status

    _redrive_details(out, ex.redrive_count, redrive_status(ex, now))
    return out


def _describe_machine_execution(ex: Execution, now: int) -> dict[str, Any]:
    """DescribeExecution of an execution of a state machine of the stack."""
    from stptui.jsontext import compact_json
    from stptui.sim.services.state_machine import redrive_status

    out = _machine_item(ex)
    out["input"] = compact_json(ex.input)
    out["inputDetails"] = {"included": True}
    if ex.status == "SUCCEEDED":
        out["output"] = compact_json(ex.output)
        out["outputDetails"] = {"included": True}
    _error_and_cause(out, ex)
    _redrive_details(out, ex.redrive_count, redrive_status(ex, now))
    return out


def _error_and_cause(out: dict[str, Any], ex: Execution | JobExecution) -> None:
    """DescribeExecution's `error` and `cause`, each when the execution has one."""
    if ex.error is not None:
        out["error"] = ex.error
    if ex.cause is not None:
        out["cause"] = ex.cause


def _redrive_details(out: dict[str, Any], count: int, redrive: tuple[str, str | None]) -> None:
    """DescribeExecution's redrive fields: `count` redrives so far, and the (status,
    reason) a `redrive_status` gives (the reason only when there is one)."""
    out["redriveCount"] = count
    status, reason = redrive
    out["redriveStatus"] = status
    if reason is not None:
        out["redriveStatusReason"] = reason
