"""Nothing of an execution is recorded after its end: once the trace has its
`sfn.execution.succeeded/failed/timed_out/aborted` record and its history its
`ExecutionSucceeded/Failed/TimedOut/Aborted` event, only a redrive (`ExecutionRedriven`)
may follow, as in AWS, where the terminal event is the last of the history.

The paths that wrote after the end: a Lambda Task whose Python handler stops its own
execution as it is invoked (the handler runs at the invoke, before the task's record), in
a `lambda:invoke`, a direct function ARN, a callback task, a Parallel branch, a Map
iteration, or a nested `.sync` execution that stops its parent. And a callback task whose
function answers its token at once: the token is live before the function runs.
"""

from __future__ import annotations

import json
import shlex
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings

from stptui.commands import Session, execute
from stptui.sim import trace as tk
from stptui.sim.services.state_machine import lookup_machine
from tests.simkit import START
from tests.test_state_machine_properties import (
    _valid,
    actions,
    drive,
    inputs,
    machines,
    stack_text,
)

TERMINAL = {
    tk.SFN_EXECUTION_SUCCEEDED,
    tk.SFN_EXECUTION_FAILED,
    tk.SFN_EXECUTION_TIMED_OUT,
    tk.SFN_EXECUTION_ABORTED,
}
TERMINAL_EVENTS = {"ExecutionSucceeded", "ExecutionFailed", "ExecutionTimedOut", "ExecutionAborted"}
FLOW = "arn:aws:states:us-east-1:123456789012:stateMachine:app-dev-flow"
PKG = "packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: w.py}}"
GRANT = """iamRoleStatements:
        - Effect: Allow
          Action: [states:StopExecution, states:ListExecutions, states:SendTaskSuccess,
                   states:SendTaskFailure, states:SendTaskHeartbeat]
          Resource: ['*']"""
HANDLERS = f"""
import boto3

sfn = boto3.client("stepfunctions")


def stop(event, context):
    # Stops its own execution (the ARN its Payload carries), or every running one of flow.
    arns = [event["arn"]] if isinstance(event, dict) and "arn" in event else [
        e["executionArn"]
        for e in sfn.list_executions(stateMachineArn="{FLOW}", statusFilter="RUNNING")[
            "executions"
        ]
    ]
    for arn in arns:
        sfn.stop_execution(executionArn=arn, error="Stopped", cause="by its own task")
    return {{"v": 3}}


def answer(event, context):
    # Answers the token its Payload carries at once, as the event's `how` says.
    token = event.get("token") if isinstance(event, dict) else None
    how = event.get("how", "success") if isinstance(event, dict) else "success"
    if token is not None:
        if how == "failure":
            sfn.send_task_failure(taskToken=token, error="Nope", cause="said the worker")
        elif how == "twice":
            sfn.send_task_heartbeat(taskToken=token)
            sfn.send_task_success(taskToken=token, output='{{"first": true}}')
            try:
                sfn.send_task_success(taskToken=token, output='{{"second": true}}')
            except sfn.exceptions.TaskTimedOut:
                return {{"refused": True}}
        else:
            sfn.send_task_success(taskToken=token, output='{{"answered": true}}')
            if how.startswith("then-stop"):
                sfn.stop_execution(executionArn=event["arn"], error="Done", cause="answered")
            if how == "then-stop-raise":
                raise RuntimeError("after the answer and the stop")
    return {{"v": 1}}
"""


def after_the_end(records: list[Any], histories: dict[str, list[Any]]) -> list[str]:
    """What an execution recorded after its end, other than a redrive, in the trace
    (records of the execution's ARN) and in its history."""
    bad = []
    ended: set[str] = set()
    for r in records:
        arn = r.data.get("execution_arn")
        if arn is None:
            continue
        if r.kind == tk.SFN_EXECUTION_REDRIVEN:
            ended.discard(arn)
        elif arn in ended:
            bad.append(f"trace: {r.kind} {r.data.get('state', '')} after the end of {arn}")
        if r.kind in TERMINAL:
            ended.add(arn)
    for name, history in histories.items():
        over = False
        for event in history:
            if event.what == "ExecutionRedriven":
                over = False
            elif over:
                bad.append(f"history of {name}: {event.what} {event.state} after its end")
            if event.what in TERMINAL_EVENTS:
                over = True
    return bad


def histories(s: Session) -> dict[str, list[Any]]:
    """Every execution's history, by `machine/name`."""
    return {
        f"{m.name}/{ex.name}": ex.history
        for m in s.sim.services["state_machines"].values()
        for ex in m.executions.values()
    }


def assert_nothing_after_the_end(s: Session) -> None:
    bad = after_the_end(list(s.sim.trace.records), histories(s))
    assert bad == [], bad


BEHAVIORS = "behaviors:\n  worker: {handler: w:stop}\n  answerer: {handler: w:answer}\n"


def session(
    folder: Path, definition: dict[str, Any], extra: str = "", behaviors: str = BEHAVIORS
) -> Session:
    """`worker` (handler `stop`) and `answerer` (handler `answer`), both allowed to stop and
    answer, the state machine `flow` with `definition`, and the resources `extra` adds."""
    stack = f"""
resources:
  worker:
    type: function
    properties:
      {PKG}
      {GRANT}
  answerer:
    type: function
    properties:
      {PKG}
      {GRANT}
  flow:
    type: state-machine
    properties:
      definition: {json.dumps(definition)}
{extra}"""
    (folder / "stacktape.yml").write_text(stack, encoding="utf-8")
    (folder / "stptui.yml").write_text(behaviors, encoding="utf-8")
    (folder / "w.py").write_text(HANDLERS, encoding="utf-8")
    return Session.open(folder, start_ms=START, allow_code=True)


def run(
    tmp_path: Path, definition: dict[str, Any], extra: str = "", behaviors: str = BEHAVIORS
) -> Session:
    s = session(tmp_path, definition, extra, behaviors)
    execute(s, "start-execution flow '{\"items\": [1, 2, 3]}' --name e1")
    execute(s, "advance 10m")
    return s


def kinds(s: Session, arn: str) -> list[str]:
    return [r.kind for r in s.sim.trace.records if r.data.get("execution_arn") == arn]


INVOKE = {
    "Type": "Task",
    "Resource": "arn:aws:states:::lambda:invoke",
    "Parameters": {"FunctionName": "worker", "Payload": {"arn.$": "$$.Execution.Id"}},
    "TimeoutSeconds": 30,
    "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 5}],
    "Next": "After",
}
AFTER = {"Type": "Pass", "End": True}


def test_a_handler_that_stops_its_own_execution_ends_its_record(tmp_path: Path) -> None:
    s = run(tmp_path, {"StartAt": "Work", "States": {"Work": INVOKE, "After": AFTER}})
    ex = lookup_machine(s.sim, "flow").executions["e1"]
    assert (ex.status, ex.error, ex.cause) == ("ABORTED", "Stopped", "by its own task")
    # The state was entered, then the execution ended: no task record after it, no timer
    # (TimeoutSeconds) or retry that fires later.
    assert kinds(s, ex.arn) == [
        tk.SFN_EXECUTION_STARTED,
        tk.SFN_STATE_ENTERED,
        tk.SFN_EXECUTION_ABORTED,
    ]
    assert ex.history[-1].what == "ExecutionAborted"
    # The invocation the task made still ran to its end.
    (started,) = [r for r in s.sim.trace.records if r.kind == tk.INVOCATION_STARTED]
    assert started.resource == "worker"
    assert_nothing_after_the_end(s)


def test_a_direct_function_task_and_a_callback_task_stop_the_same_way(tmp_path: Path) -> None:
    direct = {
        "Type": "Task",
        "Resource": "$ResourceParam('worker', 'arn')",
        "Parameters": {"arn.$": "$$.Execution.Id"},
        "End": True,
    }
    callback = {
        "Type": "Task",
        "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
        "Parameters": {
            "FunctionName": "worker",
            "Payload": {"arn.$": "$$.Execution.Id", "token.$": "$$.Task.Token"},
        },
        "HeartbeatSeconds": 5,
        "End": True,
    }
    for i, state in enumerate((direct, callback)):
        folder = tmp_path / str(i)
        folder.mkdir()
        s = run(folder, {"StartAt": "Work", "States": {"Work": state}})
        ex = lookup_machine(s.sim, "flow").executions["e1"]
        assert ex.status == "ABORTED"
        assert kinds(s, ex.arn)[-1] == tk.SFN_EXECUTION_ABORTED
        assert_nothing_after_the_end(s)


def test_a_branch_or_iteration_that_stops_the_execution_stops_its_siblings(
    tmp_path: Path,
) -> None:
    wait = {"StartAt": "Hold", "States": {"Hold": {"Type": "Wait", "Seconds": 5, "End": True}}}
    stopper = {"StartAt": "Work", "States": {"Work": {**INVOKE, "Next": "After"}, "After": AFTER}}
    parallel = {"Type": "Parallel", "Branches": [wait, stopper, wait], "End": True}
    each = {
        "Type": "Map",
        "ItemsPath": "$.items",
        "ItemSelector": {"i.$": "$$.Map.Item.Value"},
        "ItemProcessor": stopper,
        "End": True,
    }
    for i, state in enumerate((parallel, each)):
        folder = tmp_path / str(i)
        folder.mkdir()
        s = run(folder, {"StartAt": "Fan", "States": {"Fan": state}})
        ex = lookup_machine(s.sim, "flow").executions["e1"]
        assert ex.status == "ABORTED"
        assert_nothing_after_the_end(s)


def test_a_nested_execution_that_stops_its_parent_ends_with_it(tmp_path: Path) -> None:
    # The child's task (its Payload names no execution) stops every running execution of
    # flow: its parent, as the child starts.
    work = {**INVOKE, "Parameters": {"FunctionName": "worker", "Payload": {}}}
    child = {"StartAt": "Work", "States": {"Work": work, "After": AFTER}}
    extra = f"""  child:
    type: state-machine
    properties:
      definition: {json.dumps(child)}
"""
    nested = {
        "Type": "Task",
        "Resource": "arn:aws:states:::states:startExecution.sync:2",
        "Parameters": {
            "StateMachineArn": FLOW.replace("flow", "child"),
            "Input": {"k": 1},
        },
        "End": True,
    }
    s = run(tmp_path, {"StartAt": "Nest", "States": {"Nest": nested}}, extra)
    parent = lookup_machine(s.sim, "flow").executions["e1"]
    assert parent.status == "ABORTED"
    assert kinds(s, parent.arn)[-1] == tk.SFN_EXECUTION_ABORTED
    # The child it waited for is stopped with it, as the end of a `.sync` task stops it.
    (child_ex,) = lookup_machine(s.sim, "child").executions.values()
    assert child_ex.status == "ABORTED"
    assert_nothing_after_the_end(s)


def callback_machine(how: str) -> dict[str, Any]:
    state = {
        "Type": "Task",
        "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
        "Parameters": {
            "FunctionName": "answerer",
            "Payload": {"token.$": "$$.Task.Token", "how": how},
        },
        "HeartbeatSeconds": 5,
        "Catch": [{"ErrorEquals": ["Nope"], "ResultPath": "$.error", "Next": "After"}],
        "Next": "After",
    }
    return {"StartAt": "Work", "States": {"Work": state, "After": AFTER}}


def test_a_callback_function_that_answers_its_token_at_once_ends_the_task(
    tmp_path: Path,
) -> None:
    s = run(tmp_path, callback_machine("success"))
    ex = lookup_machine(s.sim, "flow").executions["e1"]
    # Before, the token was not yet known when the handler ran: TaskDoesNotExist.
    assert (ex.status, ex.output) == ("SUCCEEDED", {"answered": True})
    # The call, the wait, then the answer, at the instant the execution started.
    assert kinds(s, ex.arn) == [
        tk.SFN_EXECUTION_STARTED,
        tk.SFN_STATE_ENTERED,
        tk.SFN_TASK_STARTED,
        tk.SFN_TASK_WAITING,
        tk.SFN_TASK_CALLBACK,
        tk.SFN_STATE_EXITED,
        tk.SFN_STATE_ENTERED,
        tk.SFN_STATE_EXITED,
        tk.SFN_EXECUTION_SUCCEEDED,
    ]
    assert ex.stop_ms == START
    whats = [e.what for e in ex.history]
    assert whats.index("TaskSubmitted") < whats.index("TaskSucceeded")


def test_a_callback_function_may_fail_its_token_and_a_second_answer_is_refused(
    tmp_path: Path,
) -> None:
    (tmp_path / "f").mkdir()
    failed = run(tmp_path / "f", callback_machine("failure"))
    ex = lookup_machine(failed.sim, "flow").executions["e1"]
    assert ex.status == "SUCCEEDED"
    assert ex.output["error"] == {"Error": "Nope", "Cause": "said the worker"}
    (tmp_path / "t").mkdir()
    twice = run(tmp_path / "t", callback_machine("twice"))
    ex = lookup_machine(twice.sim, "flow").executions["e1"]
    # The first answer wins; the second is refused (TaskTimedOut), as AWS refuses a token
    # already answered, though both were sent before the wait was recorded.
    assert ex.output == {"first": True}
    records = twice.sim.trace.records
    assert [r.data["outcome"] for r in records if r.kind == tk.SFN_TASK_CALLBACK] == [
        "heartbeat",
        "success",
    ]


def test_a_callback_function_that_answers_then_stops_its_execution_keeps_both(
    tmp_path: Path,
) -> None:
    # The answer lands when SendTaskSuccess returns, the stop after it: the task ends with
    # the answer, the execution goes on to its Wait, and the stop aborts it there.
    machine = callback_machine("then-stop")
    machine["States"]["Work"]["Parameters"]["Payload"]["arn.$"] = "$$.Execution.Id"
    machine["States"]["After"] = {"Type": "Wait", "Seconds": 30, "End": True}
    s = run(tmp_path, machine)
    ex = lookup_machine(s.sim, "flow").executions["e1"]
    assert (ex.status, ex.error, ex.cause) == ("ABORTED", "Done", "answered")
    assert kinds(s, ex.arn) == [
        tk.SFN_EXECUTION_STARTED,
        tk.SFN_STATE_ENTERED,
        tk.SFN_TASK_STARTED,
        tk.SFN_TASK_WAITING,
        tk.SFN_TASK_CALLBACK,
        tk.SFN_STATE_EXITED,
        tk.SFN_STATE_ENTERED,
        tk.SFN_EXECUTION_ABORTED,
    ]
    whats = [e.what for e in ex.history]
    assert whats.index("TaskSucceeded") < whats.index("WaitStateEntered")
    assert whats[-1] == "ExecutionAborted" and ex.stop_ms == START
    assert_nothing_after_the_end(s)
    # A handler that raises after both: its invocation ends after the answer closed the
    # task, so the function's error is not heard, and the stop still follows the answer.
    (tmp_path / "r").mkdir()
    raising = callback_machine("then-stop-raise")
    raising["States"]["Work"]["Parameters"]["Payload"]["arn.$"] = "$$.Execution.Id"
    raising["States"]["After"] = machine["States"]["After"]
    s = run(tmp_path / "r", raising)
    ex = lookup_machine(s.sim, "flow").executions["e1"]
    assert (ex.status, ex.error) == ("ABORTED", "Done")
    assert kinds(s, ex.arn)[-3:] == [
        tk.SFN_STATE_EXITED,
        tk.SFN_STATE_ENTERED,
        tk.SFN_EXECUTION_ABORTED,
    ]
    # With nothing to wait for after the task, the execution ends with the answer first:
    # the stop then finds it SUCCEEDED and leaves it so.
    (tmp_path / "p").mkdir()
    machine["States"]["After"] = AFTER
    s = run(tmp_path / "p", machine)
    ex = lookup_machine(s.sim, "flow").executions["e1"]
    assert (ex.status, ex.output) == ("SUCCEEDED", {"answered": True})
    assert_nothing_after_the_end(s)


# -- the property ---------------------------------------------------------------------------

# The generated machines (test_state_machine_properties) on its stack, where `slow` now runs a
# Python handler that stops every running execution of flow, and `ok` one that answers the
# token its Payload carries at once.
PROPERTY_HANDLERS = (
    HANDLERS
    + "\n\ndef ok(event, context):\n    answer(event, context)\n"
    + "    return {'v': 1, 'list': [1, 2]}\n"
)


def _property_session(folder: Path, definition: dict[str, Any]) -> Session:
    text = stack_text(definition)
    for fn in ("ok", "slow"):
        text = text.replace(
            f"  {fn}:\n    type: function\n    properties:\n",
            f"  {fn}:\n    type: function\n    properties:\n      {GRANT}\n",
        )
    (folder / "stacktape.yml").write_text(text, encoding="utf-8")
    (folder / "stptui.yml").write_text(
        "behaviors:\n"
        "  ok: {handler: w:ok}\n"
        '  flaky: {duration: 2s, fail: {rate: 0.5, error: Flaky}, response: "{v: `2`}"}\n'
        "  slow: {handler: w:stop}\n",
        encoding="utf-8",
    )
    (folder / "w.py").write_text(PROPERTY_HANDLERS, encoding="utf-8")
    return Session.open(folder, start_ms=START, allow_code=True)


@settings(max_examples=80, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(definition=machines().filter(_valid), payload=inputs, program=actions)
def test_nothing_is_recorded_after_an_executions_end(
    definition: dict[str, Any], payload: dict[str, Any], program: list[tuple[Any, ...]]
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        s = _property_session(folder, definition)
        drive(s, payload, program)
        execute(s, "advance 1d")
        for ex in list(lookup_machine(s.sim, "flow").executions.values()):
            if ex.status == "RUNNING":
                execute(s, f"stop-execution {shlex.quote(ex.name)}")
        execute(s, "advance 2d")
        assert_nothing_after_the_end(s)


def test_a_sync_batch_job_whose_container_stops_the_execution_is_terminated(
    tmp_path: Path,
) -> None:
    job_def = "arn:aws:batch:us-east-1:123456789012:job-definition/app-dev-render-job-definition:1"
    submit = {
        "Type": "Task",
        "Resource": "arn:aws:states:::batch:submitJob.sync",
        "Parameters": {
            "JobDefinition": job_def,
            "JobName": "r",
            "JobQueue": "arn:aws:batch:us-east-1:123456789012:job-queue/q",
        },
        "End": True,
    }
    extra = f"""  render:
    type: batch-job
    properties:
      container:
        packaging: {{type: stacktape-image-buildpack, properties: {{entryfilePath: j.ts}}}}
      resources: {{cpu: 1, memory: 2048}}
      {GRANT}
"""
    # The job's container runs `stop` too: it stops the execution that submitted it.
    behaviors = BEHAVIORS + "  render: {handler: w:stop}\n"
    s = run(tmp_path, {"StartAt": "Job", "States": {"Job": submit}}, extra, behaviors)
    ex = lookup_machine(s.sim, "flow").executions["e1"]
    assert ex.status == "ABORTED"
    assert kinds(s, ex.arn)[-1] == tk.SFN_EXECUTION_ABORTED
    # The job the ended task waited for is terminated, as at any end of a `.sync` task.
    (attempt,) = [r for r in s.sim.trace.records if r.kind == tk.BATCH_ATTEMPT_FAILED]
    assert attempt.get("error") == "JobTerminated"
    assert_nothing_after_the_end(s)
