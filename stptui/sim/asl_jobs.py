"""Step Functions' integrations that run jobs: AWS Batch and nested executions.

A Task state whose Resource is `arn:aws:states:::batch:submitJob` submits the stack batch
job's definition to AWS Batch (stptui.sim.services.batch runs it: behaviours, `fail`,
`slow`, attempts and the trace as for any trigger); `states:startExecution` starts an
execution of one of the stack's state machines. The request-response forms end the state
with the API's response at once (SubmitJob's JobArn/JobId/JobName, StartExecution's
ExecutionArn/StartDate). The `.sync` forms wait for the job or execution to end: the task's
output is then the job as DescribeJobs gives it, or the execution as DescribeExecution gives
it (`.sync:2`: its Output parsed as JSON); a job or execution that does not succeed fails
the task with `States.TaskFailed` and that same description, as JSON text, for its cause.
A waiting task that ends first (TimeoutSeconds, StopExecution, a failed Parallel branch)
terminates the job (TerminateJob) or stops the execution, as Step Functions does.
AWS's limits on a job's size hold for the request a task sends: over 30 KiB it fails with
`Batch.ClientException`; container overrides over 8,192 characters fail the job it makes.
docs/fidelity.md ("Step Functions: Batch jobs and nested executions") lists the sources and
the choices made.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from stptui import jsontext
from stptui.config.normalize_schema import MIN_ATTEMPT_DURATION_S
from stptui.jsontext import compact_json
from stptui.sim.asl_data import StatesRuntimeError
from stptui.sim.asl_integrations import TargetKind, shown, target_name

if TYPE_CHECKING:
    from stptui.sim.engine import Simulator
    from stptui.sim.services.batch import Execution as JobExecution
    from stptui.sim.services.state_machine import Execution

_PREFIX = "arn:aws:states:::"
BATCH_SUBMIT = _PREFIX + "batch:submitJob"
BATCH_SUBMIT_SYNC = BATCH_SUBMIT + ".sync"
SFN_START = _PREFIX + "states:startExecution"
SFN_START_SYNC = SFN_START + ".sync"
SFN_START_SYNC2 = SFN_START + ".sync:2"
RESOURCES = (BATCH_SUBMIT, BATCH_SUBMIT_SYNC, SFN_START, SFN_START_SYNC, SFN_START_SYNC2)
# The forms whose task waits for the job or the execution to end.
SYNC = (BATCH_SUBMIT_SYNC, SFN_START_SYNC, SFN_START_SYNC2)
# Logical-id suffixes of `Ref`/`Fn::GetAtt` forms: a choice, as for the other integrations.
JOB_DEFINITION = TargetKind("JobDefinition", "batch-job", "JobDefinition")
STATE_MACHINE = TargetKind("StateMachineArn", "state-machine", "StateMachine")
# SubmitJob's required fields (AWS Batch API reference).
_REQUIRED = ("JobDefinition", "JobName", "JobQueue")
# retryStrategy.attempts 1 to 10 (aws-semantics §7).
MAX_JOB_ATTEMPTS = 10
# The reason Step Functions gives TerminateJob is not documented: our wording.
TERMINATE_REASON = "Terminated by AWS Step Functions: the task waiting for the job ended"
# Executions that start executions at one instant, one inside the other, at most this deep:
# stptui's guard against a machine that starts itself forever without the clock moving.
MAX_SAME_INSTANT_NESTING = 25

# What a `.sync` task is told when its job or execution ends: (None, output) on success,
# ("States.TaskFailed", cause) otherwise.
Done = Callable[[str | None, Any], None]


@dataclass(frozen=True, slots=True)
class Started:
    """A submitted job or started execution: the API's response, the id `explain` follows
    (the job's id, the execution's ARN), the stack resource, and how to cancel the wait."""

    result: dict[str, Any]
    delivered: str
    target: str
    cancel: Callable[[], None]


def is_sync(resource: str) -> bool:
    """Whether a Task of this resource waits for its job or execution to end."""
    return resource in SYNC


def known_jobs(sim: Simulator) -> dict[str, tuple[str, ...]]:
    """The stack's batch jobs with the literal forms of their job definition (see
    `definition_forms`)."""
    service = sim.services.get("batch")
    jobs = service.jobs if service else {}
    return {name: definition_forms(job.definition_arn) for name, job in jobs.items()}


def definition_forms(arn: str) -> tuple[str, ...]:
    """The forms SubmitJob takes of the job definition whose ARN (with its revision) is
    `arn`: the ARN and the name, each with and without the revision (Stacktape's own state
    machine gives the ARN without it)."""
    named = arn.rsplit("/", 1)[-1]
    return (arn, arn.rsplit(":", 1)[0], named, named.rsplit(":", 1)[0])


def known_machines(sim: Simulator) -> dict[str, tuple[str, ...]]:
    """The stack's simulated state machines with their ARN and AWS name."""
    machines = sim.services.get("state_machines", {})
    return {name: (m.arn, m.aws_name) for name, m in machines.items()}


def start(
    sim: Simulator, resource: str, params: Any, source: str, parent: Execution, done: Done
) -> Started:
    """Call `resource` with `params` (the state's effective input) for execution `parent`.
    `done` hears a `.sync` call's end, never before this returns. Raises StatesRuntimeError
    with Step Functions' error name when the call is refused."""
    if not isinstance(params, dict):
        raise StatesRuntimeError(
            "States.Runtime", f"the Parameters of {resource} must be an object"
        )
    if resource in (BATCH_SUBMIT, BATCH_SUBMIT_SYNC):
        return _submit_job(sim, params, source, parent, done if is_sync(resource) else None)
    sync = done if is_sync(resource) else None
    return _start_execution(sim, params, source, parent, sync, resource == SFN_START_SYNC2)


# -- AWS Batch ----------------------------------------------------------------------------


def _bad_parameters(params: Mapping[str, Any], problem: str) -> StatesRuntimeError:
    """Parameters a task cannot start with: States.Runtime, in Step Functions' wording."""
    text = json.dumps(params, separators=(",", ":"), default=str)
    return StatesRuntimeError(
        "States.Runtime",
        f"The Parameters '{text}' could not be used to start the Task: [{problem}]",
    )


def _batch_refused(message: str) -> StatesRuntimeError:
    return StatesRuntimeError("Batch.AWSBatchException", message)


def _strings(params: Mapping[str, Any], value: Any, field: str) -> dict[str, str]:
    """A map of strings (SubmitJob's `Parameters`), or the task's States.Runtime."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _bad_parameters(params, f"The value for the field '{field}' must be an OBJECT")
    for key, item in value.items():
        if not isinstance(item, str):
            raise _bad_parameters(params, f"The value for the field '{key}' must be a STRING")
    return dict(value)


def _environment(params: Mapping[str, Any], overrides: Any) -> dict[str, str]:
    """ContainerOverrides.Environment as a name -> value map (a later name wins)."""
    if overrides is None:
        return {}
    if not isinstance(overrides, dict):
        raise _bad_parameters(
            params, "The value for the field 'ContainerOverrides' must be an OBJECT"
        )
    entries = overrides.get("Environment") or []
    if not isinstance(entries, list):
        raise _bad_parameters(params, "The value for the field 'Environment' must be an ARRAY")
    env: dict[str, str] = {}
    for entry in entries:
        name = entry.get("Name") if isinstance(entry, dict) else None
        value = entry.get("Value") if isinstance(entry, dict) else None
        if not isinstance(name, str) or not isinstance(value, str):
            raise _bad_parameters(
                params, "each Environment entry needs a STRING Name and a STRING Value"
            )
        env[name] = value
    return env


def _attempts(value: Any) -> int:
    if value is None:
        return 1
    attempts = value.get("Attempts", 1) if isinstance(value, dict) else None
    if not isinstance(attempts, int) or isinstance(attempts, bool):
        raise _batch_refused("RetryStrategy.Attempts must be an integer from 1 to 10")
    if not 1 <= attempts <= MAX_JOB_ATTEMPTS:
        raise _batch_refused(f"RetryStrategy.Attempts must be from 1 to 10, not {attempts}")
    return attempts


def _timeout_s(value: Any) -> int | None:
    if value is None:
        return None
    seconds = value.get("AttemptDurationSeconds") if isinstance(value, dict) else None
    if not isinstance(seconds, int) or isinstance(seconds, bool):
        raise _batch_refused("Timeout.AttemptDurationSeconds must be an integer of at least 60")
    if seconds < MIN_ATTEMPT_DURATION_S:
        raise _batch_refused(f"Timeout.AttemptDurationSeconds must be at least 60, not {seconds}")
    return seconds


def _submit_job(
    sim: Simulator, params: dict[str, Any], source: str, parent: Execution, done: Done | None
) -> Started:
    from stptui.sim.services import batch

    for name in _REQUIRED:
        if name not in params:
            raise _bad_parameters(params, f"The field '{name}' is required but was missing")
    job_name, queue = params["JobName"], params["JobQueue"]
    for name, value in (("JobName", job_name), ("JobQueue", queue)):
        if not isinstance(value, str):
            raise _bad_parameters(params, f"The value for the field '{name}' must be a STRING")
    value = params["JobDefinition"]
    target = target_name(value, JOB_DEFINITION, known_jobs(sim))
    if target is None:
        raise _batch_refused(f"JobDefinition {shown(value)} does not exist")
    refused = batch.job_name_problem(job_name)
    if refused is not None:
        raise _batch_refused(refused)
    service = sim.services["batch"]
    job = service.jobs[target]
    request = batch.DirectJob(
        job_name,
        queue,
        job.definition_arn,
        _strings(params, params.get("Parameters"), "Parameters"),
        _environment(params, params.get("ContainerOverrides")),
        _attempts(params.get("RetryStrategy")),
        # Stacktape's job definition has no Timeout: the job's `timeout` is only in the
        # SubmitJob of its own state machine (batch-jobs/utils.ts), so this one has none.
        _timeout_s(params.get("Timeout")),
    )
    # AWS's limits on the request as the integration sends it (stptui.sim.services.batch):
    # SubmitJob refuses it whole, or ECS will not start a container for its overrides.
    payload, overrides = batch.submit_request_sizes(params)
    if payload > batch.MAX_SUBMIT_JOB_BYTES:
        raise StatesRuntimeError("Batch.ClientException", batch.job_size_message(payload))
    if overrides > batch.MAX_OVERRIDES_CHARS:
        request.refused = batch.OVERRIDES_REASON
    if done is not None:

        def on_end(ex: JobExecution) -> None:
            described = describe_job(sim, ex)
            if ex.status == "SUCCEEDED":
                done(None, described)
            else:
                done("States.TaskFailed", compact_json(described))

        request.on_end = on_end
    job_id = service.submit(target, request, params, source, parent.arn)
    ex = job.running[job_id]  # its first attempt's end, or its failure, is due: it runs
    result = {"JobArn": _job_arn(sim, job_id), "JobId": job_id, "JobName": job_name}
    return Started(result, job_id, target, lambda: service.terminate(ex, TERMINATE_REASON))


def _job_arn(sim: Simulator, job_id: str) -> str:
    return f"arn:aws:batch:{sim.region}:{sim.account_id}:job/{job_id}"


def _number(value: float) -> str:
    return f"{value:g}"


def describe_job(sim: Simulator, ex: JobExecution) -> dict[str, Any]:
    """The job as DescribeJobs gives it to a `.sync` task: PascalCase keys in alphabetical
    order, times in epoch milliseconds (the fields the simulator knows; see fidelity.md)."""
    direct = ex.direct
    assert direct is not None  # only a submitted job is described
    job = sim.services["batch"].jobs[ex.job]
    model = job.model
    # Each attempt's container has the log stream `show logs JOB` lists its lines under
    # (none when the job's logging is disabled: no log group).
    streams = [
        None if job.logs is None or r.log_key is None else job.logs.container_stream(r.log_key)
        for r in direct.history
    ]
    attempts = []
    for record, stream in zip(direct.history, streams, strict=True):
        container: dict[str, Any] = {}
        if record.exit_code is not None:
            container["ExitCode"] = record.exit_code
        if stream is not None:
            container["LogStreamName"] = stream
        attempts.append(
            {
                "Container": container,
                "StartedAt": record.started_at,
                "StatusReason": record.reason,
                "StoppedAt": record.stopped_at,
            }
        )
    requirements = [
        {"Type": "MEMORY", "Value": str(model.memory_mb)},
        {"Type": "VCPU", "Value": _number(model.cpu)},
    ]
    if model.gpu:
        requirements.insert(0, {"Type": "GPU", "Value": str(model.gpu)})
    details: dict[str, Any] = {
        "Environment": [{"Name": k, "Value": v} for k, v in direct.env().items()],
    }
    # The job's container is its newest attempt's (keys in alphabetical order, as recorded).
    last = direct.history[-1] if direct.history else None
    if last is not None and last.exit_code is not None:
        details["ExitCode"] = last.exit_code
    if streams and streams[-1] is not None:
        details["LogStreamName"] = streams[-1]
    details["ResourceRequirements"] = requirements
    out: dict[str, Any] = {
        "Attempts": attempts,
        "Container": details,
        "CreatedAt": ex.submitted_at,
        "DependsOn": [],
        "JobArn": _job_arn(sim, ex.id),
        "JobDefinition": direct.definition,
        "JobId": ex.id,
        "JobName": direct.name,
        "JobQueue": direct.queue,
        "Parameters": direct.parameters,
        "RetryStrategy": {"Attempts": direct.attempts},
    }
    if direct.history:
        out["StartedAt"] = direct.history[0].started_at
    out["Status"] = ex.status
    if direct.status_reason is not None:
        out["StatusReason"] = direct.status_reason
    if ex.ended_at is not None:
        out["StoppedAt"] = ex.ended_at
    if direct.timeout_s:
        out["Timeout"] = {"AttemptDurationSeconds": direct.timeout_s}
    return out


# -- nested executions --------------------------------------------------------------------


def _sfn_error(code: str) -> str:
    """The optimized integration's name for a refused StartExecution: `StepFunctions.` and
    the API's error code with `Exception` (StepFunctions.ExecutionAlreadyExistsException)."""
    return "StepFunctions." + code + ("" if code.endswith("Exception") else "Exception")


def _nesting(parent: Execution, now: int) -> int:
    """How many executions, one started by the other, began at this instant above `parent`."""
    depth = 0
    ex: Execution | None = parent
    while ex is not None and ex.start_ms == now:
        depth += 1
        ex = ex.started_by
    return depth


def _start_execution(
    sim: Simulator,
    params: dict[str, Any],
    source: str,
    parent: Execution,
    done: Done | None,
    parsed: bool,
) -> Started:
    from stptui.sim.services.state_machine import RUNNING, ExecutionError

    value = params.get("StateMachineArn")
    target = target_name(value, STATE_MACHINE, known_machines(sim))
    if target is None:
        raise StatesRuntimeError(
            _sfn_error("StateMachineDoesNotExist"),
            f"State Machine Does Not Exist: '{shown(value)}'",
        )
    raw = params.get("Input")
    if isinstance(raw, str):
        try:
            raw = jsontext.loads(raw)
        except ValueError as exc:
            raise StatesRuntimeError(
                _sfn_error("InvalidExecutionInput"),
                f"Invalid State Machine Execution Input: '{exc}'",
            ) from None
    elif raw is None:
        raw = {}
    name = params.get("Name")
    if name is not None and not isinstance(name, str):
        raise StatesRuntimeError(_sfn_error("InvalidName"), f"Invalid Name: '{shown(name)}'")
    if _nesting(parent, sim.clock.now) >= MAX_SAME_INSTANT_NESTING:
        raise StatesRuntimeError(
            "States.Runtime",
            f"{MAX_SAME_INSTANT_NESTING} executions started one another at the same instant; "
            "stptui stops the chain here (a state machine that starts itself without waiting)",
        )
    machine = sim.services["state_machines"][target]
    try:
        child = machine.start(raw, name, source)
    except ExecutionError as exc:
        code, _, message = str(exc).partition(": ")
        raise StatesRuntimeError(_sfn_error(code), message or str(exc)) from None
    if child.started_by is None and child is not parent:
        child.started_by = parent
    if done is not None:

        def ended(ex: Execution) -> None:
            described = describe_execution(ex, parsed)
            if ex.status == "SUCCEEDED":
                done(None, described)
            else:
                done("States.TaskFailed", compact_json(described))

        if child.status == RUNNING:
            child.waiters.append(ended)
        else:
            # It ended while it started (only Pass-like states): tell the task at this
            # instant, after it has recorded the call.
            sim.clock.at(sim.clock.now, ended, child, ("execution", target, _child_text))

    def cancel() -> None:
        if child.status == RUNNING:
            machine.stop_execution(child, None, None)

    result = {"ExecutionArn": child.arn, "StartDate": child.start_ms}
    return Started(result, child.arn, target, cancel)


def _child_text(ex: Execution) -> str:
    return f"end of nested execution {ex.name}"


def describe_execution(ex: Execution, parsed: bool) -> dict[str, Any]:
    """The execution as DescribeExecution gives it to a `.sync` task: Input and Output as
    JSON text (`parsed`, for `.sync:2`: Output as JSON), dates in epoch milliseconds, keys
    in alphabetical order."""
    out: dict[str, Any] = {}
    if ex.cause is not None:
        out["Cause"] = ex.cause
    if ex.error is not None:
        out["Error"] = ex.error
    out["ExecutionArn"] = ex.arn
    out["Input"] = compact_json(ex.input)
    out["InputDetails"] = {"Included": True}
    out["Name"] = ex.name
    if ex.status == "SUCCEEDED":
        out["Output"] = ex.output if parsed else compact_json(ex.output)
        out["OutputDetails"] = {"Included": True}
    out["StartDate"] = ex.start_ms
    out["StateMachineArn"] = ex.machine.arn
    out["Status"] = ex.status
    if ex.stop_ms is not None:
        out["StopDate"] = ex.stop_ms
    return out
