"""Step Functions callback tasks (`.waitForTaskToken`): the token in the context object and
in what the call sends, the wait on the virtual clock, SendTaskSuccess / SendTaskFailure /
SendTaskHeartbeat from commands and from handlers, HeartbeatSeconds and TimeoutSeconds, the
refusals (which change nothing), permissions and validate (stptui.sim.asl_callbacks)."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from session_checks import refused

from stptui.commands import Session, complete_values, execute
from stptui.commands.registry import TASK_TOKEN
from stptui.config import load_stack_text
from stptui.sim.asl_callbacks import TOKEN_LENGTH, tokens_of
from stptui.sim.clock import parse_instant
from stptui.sim.services.state_machine import Execution, lookup_machine

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "docs" / "examples" / "workflow-callback.yml"
T0 = parse_instant("2026-01-05T08:00:00Z")
PKG = "packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}"
STACK = f"""\
resources:
  jobs:
    type: sqs-queue
  alerts:
    type: sns-topic
  orders:
    type: event-bus
  worker:
    type: function
    properties:
      {PKG}
      events:
        - type: sqs
          properties: {{sqsQueueName: jobs, batchSize: 1}}
      WORKER_EXTRA
  pager:
    type: function
    properties:
      {PKG}
      events:
        - type: sns
          properties: {{snsTopicName: alerts}}
  auditor:
    type: function
    properties:
      {PKG}
      events:
        - type: event-bus
          properties:
            eventBusName: orders
            eventPattern: {{source: [shop]}}
  flow:
    type: state-machine
    properties:
      definition: DEFINITION
  other:
    type: state-machine
    properties:
      definition: {{StartAt: P, States: {{P: {{Type: Pass, End: true}}}}}}
"""
QUEUE_URL = "https://sqs.us-east-1.amazonaws.com/123456789012/app-dev-jobs"
GRANT = """iamRoleStatements:
        - Action: [states:SendTaskSuccess, states:SendTaskFailure, states:SendTaskHeartbeat]
          Resource: ['*']"""


def stack_text(state: dict[str, Any], worker_extra: str = "") -> str:
    machine = {"StartAt": "Wait", "States": {"Wait": {**state, "End": True}}}
    return STACK.replace("DEFINITION", json.dumps(machine)).replace("WORKER_EXTRA", worker_extra)


def send_task(**extra: Any) -> dict[str, Any]:
    """An SQS callback task whose message carries the order and the token."""
    return {
        "Type": "Task",
        "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
        "Parameters": {
            "QueueUrl": QUEUE_URL,
            "MessageBody": {"orderId.$": "$.id", "taskToken.$": "$$.Task.Token"},
        },
        **extra,
    }


def open_flow(
    tmp_path: Path, state: dict[str, Any], behaviors: str = "behaviors: {}\n", extra: str = ""
) -> Session:
    (tmp_path / "stacktape.yml").write_text(stack_text(state, extra), encoding="utf-8")
    (tmp_path / "stptui.yml").write_text(behaviors, encoding="utf-8")
    return Session.open(tmp_path, start_ms=T0)


def start(s: Session, name: str = "e1", payload: Any = None) -> Execution:
    return lookup_machine(s.sim, "flow").start({"id": "o-1"} if payload is None else payload, name)


def records(s: Session, kind: str) -> list[dict[str, Any]]:
    return [r.data for r in s.sim.trace.records if r.kind == kind]


def the_token(s: Session) -> str:
    (waiting,) = records(s, "sfn.task.waiting")
    return str(waiting["token"])


# -- the wait and the answers -----------------------------------------------------------------


def test_the_message_carries_the_token_and_the_answer_is_the_states_result(
    tmp_path: Path,
) -> None:
    s = open_flow(tmp_path, send_task(ResultPath="$.approval"))
    ex = start(s)
    token = the_token(s)
    assert len(token) == TOKEN_LENGTH
    # The queued message holds the token the state waits for; the worker then gets it.
    (sent,) = records(s, "sfn.task.called")
    body = s.sim.queue("jobs").messages[sent["delivered_id"]].body
    assert json.loads(body) == {"orderId": "o-1", "taskToken": token}
    s.sim.advance(60_000)
    assert ex.status == "RUNNING"
    (started,) = records(s, "invocation.started")
    assert started["message_ids"] == [sent["delivered_id"]]
    out = execute(s, "send-task-success e1 '{\"approved\": true}'")
    assert out.data["taskToken"] == token
    assert ex.status == "SUCCEEDED"
    assert ex.output == {"id": "o-1", "approval": {"approved": True}}
    (answer,) = records(s, "sfn.task.callback")
    assert answer == {
        "execution_arn": ex.arn,
        "state": "Wait",
        "token": token,
        "outcome": "success",
        "error": None,
        "source": "command",
    }
    assert [h.what for h in ex.history][-4:] == [
        "TaskSubmitted",
        "TaskSucceeded",
        "TaskStateExited",
        "ExecutionSucceeded",
    ]


def test_a_failure_goes_through_retry_and_catch_with_a_new_token_per_attempt(
    tmp_path: Path,
) -> None:
    state = send_task(
        Retry=[{"ErrorEquals": ["Busy"], "IntervalSeconds": 1, "MaxAttempts": 1}],
        Catch=[{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Caught"}],
    )
    machine = {
        "StartAt": "Wait",
        "States": {"Wait": {**state, "End": True}, "Caught": {"Type": "Pass", "End": True}},
    }
    (tmp_path / "stacktape.yml").write_text(
        STACK.replace("DEFINITION", json.dumps(machine)).replace("WORKER_EXTRA", ""), "utf-8"
    )
    s = Session.open(tmp_path, start_ms=T0)
    ex = start(s)
    first = the_token(s)
    execute(s, "send-task-failure e1 --error Busy --cause 'try later'")
    # The old token is closed; the retry, a second later, waits for a new one.
    err = refused(s, f"send-task-success {first}")
    assert str(err).startswith("TaskTimedOut:")
    s.sim.advance(1_000)
    second = records(s, "sfn.task.waiting")[-1]["token"]
    assert second != first
    execute(s, f"send-task-failure {second[:10]} --error Rejected --cause no")
    assert ex.status == "SUCCEEDED"
    assert ex.output["error"] == {"Error": "Rejected", "Cause": "no"}


def test_lambda_callback_waits_for_the_token_not_the_functions_result(tmp_path: Path) -> None:
    state = {
        "Type": "Task",
        "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
        "Parameters": {
            "FunctionName": "pager",
            "Payload": {"token.$": "$$.Task.Token"},
        },
    }
    s = open_flow(tmp_path, state)
    ex = start(s)
    s.sim.advance(10_000)
    (called,) = records(s, "sfn.task.started")
    done = [r["invocation_id"] for r in records(s, "invocation.succeeded")]
    assert called["invocation_id"] in done
    assert ex.status == "RUNNING"
    execute(s, "send-task-success e1 '\"done\"'")
    assert ex.status == "SUCCEEDED" and ex.output == "done"


def test_a_function_error_fails_a_request_response_lambda_callback(tmp_path: Path) -> None:
    state = {
        "Type": "Task",
        "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
        "Parameters": {"FunctionName": "pager", "Payload": {"token.$": "$$.Task.Token"}},
    }
    behaviors = "behaviors:\n  pager: {fail: {always: true, error: Boom}}\n"
    s = open_flow(tmp_path, state, behaviors)
    ex = start(s)
    s.sim.advance(10_000)
    assert ex.status == "FAILED" and ex.error == "Boom"
    assert str(refused(s, "send-task-success e1")).startswith("execution e1 has no task waiting")


def test_an_event_lambda_callback_is_invoked_asynchronously(tmp_path: Path) -> None:
    state = {
        "Type": "Task",
        "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
        "Parameters": {
            "FunctionName": "pager",
            "InvocationType": "Event",
            "Payload": {"token.$": "$$.Task.Token"},
        },
    }
    behaviors = "behaviors:\n  pager: {fail: {always: true, error: Boom}}\n"
    s = open_flow(tmp_path, state, behaviors)
    ex = start(s)
    s.sim.advance(10_000)
    # The function's errors are Lambda's to retry: the state still waits for its token.
    assert ex.status == "RUNNING"
    assert records(s, "invocation.failed")


@pytest.mark.parametrize(
    ("resource", "params", "consumer"),
    [
        (
            "sns:publish",
            {"TopicArn": "alerts", "Message": {"token.$": "$$.Task.Token"}},
            "pager",
        ),
        (
            "events:putEvents",
            {
                "Entries": [
                    {
                        "EventBusName": "orders",
                        "Source": "shop",
                        "DetailType": "Order",
                        "Detail": {"token.$": "$$.Task.Token"},
                    }
                ]
            },
            "auditor",
        ),
    ],
)
def test_sns_and_eventbridge_callbacks_deliver_the_token(
    tmp_path: Path, resource: str, params: dict[str, Any], consumer: str
) -> None:
    state = {
        "Type": "Task",
        "Resource": f"arn:aws:states:::{resource}.waitForTaskToken",
        "Parameters": params,
    }
    s = open_flow(tmp_path, state)
    ex = start(s)
    s.sim.advance(5_000)
    assert ex.status == "RUNNING"
    assert any(
        r.kind == "invocation.succeeded" and r.resource == consumer for r in s.sim.trace.records
    )
    (called,) = records(s, "sfn.task.called")
    assert called["integration"] == f"{resource}.waitForTaskToken"
    execute(s, "send-task-success e1")
    assert ex.status == "SUCCEEDED" and ex.output == {}


# -- HeartbeatSeconds and TimeoutSeconds ---------------------------------------------------


def test_a_missing_heartbeat_fails_the_state_and_states_timeout_catches_it(
    tmp_path: Path,
) -> None:
    state = send_task(
        HeartbeatSeconds=60,
        Catch=[
            {"ErrorEquals": ["States.TaskFailed"], "Next": "Wrong"},
            {"ErrorEquals": ["States.Timeout"], "Next": "Late"},
        ],
    )
    machine = {
        "StartAt": "Wait",
        "States": {
            "Wait": {**state, "End": True},
            "Wrong": {"Type": "Fail", "Error": "Wrong"},
            "Late": {"Type": "Fail", "Error": "Late"},
        },
    }
    (tmp_path / "stacktape.yml").write_text(
        STACK.replace("DEFINITION", json.dumps(machine)).replace("WORKER_EXTRA", ""), "utf-8"
    )
    s = Session.open(tmp_path, start_ms=T0)
    ex = start(s)
    s.sim.advance(50_000)
    execute(s, "send-task-heartbeat e1")
    s.sim.advance(59_999)
    assert ex.status == "RUNNING"
    s.sim.advance(1)
    assert ex.status == "FAILED" and ex.error == "Late"
    assert records(s, "sfn.task.failed")[-1]["error"] == "States.HeartbeatTimeout"
    assert s.sim.clock.now == T0 + 110_000


def test_timeout_seconds_bounds_the_wait_whatever_the_heartbeats(tmp_path: Path) -> None:
    s = open_flow(tmp_path, send_task(HeartbeatSeconds=30, TimeoutSeconds=100))
    ex = start(s)
    for _ in range(3):
        s.sim.advance(25_000)
        execute(s, "send-task-heartbeat e1")
    s.sim.advance(24_999)
    assert ex.status == "RUNNING"
    s.sim.advance(1)
    assert ex.status == "FAILED" and ex.error == "States.Timeout"


@settings(max_examples=25, deadline=None)
@given(gaps=st.lists(st.integers(min_value=1, max_value=59), max_size=6))
def test_heartbeats_within_heartbeat_seconds_keep_the_task_waiting(gaps: list[int]) -> None:
    # The task fails exactly HeartbeatSeconds after its last heartbeat (or its start).
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "stacktape.yml").write_text(
            stack_text(send_task(HeartbeatSeconds=60)), encoding="utf-8"
        )
        s = Session.open(Path(tmp) / "stacktape.yml", start_ms=T0)
    ex = start(s)
    for gap in gaps:
        s.sim.advance(gap * 1000)
        assert ex.status == "RUNNING"
        execute(s, "send-task-heartbeat e1")
    last = s.sim.clock.now
    s.sim.advance(120_000)
    assert ex.status == "FAILED" and ex.error == "States.HeartbeatTimeout"
    assert ex.stop_ms == last + 60_000


# -- naming the task, and the refusals ------------------------------------------------------


def test_refusals_name_aws_errors_and_change_nothing(tmp_path: Path) -> None:
    s = open_flow(tmp_path, send_task())
    start(s)
    token = the_token(s)
    assert str(refused(s, "send-task-success nosuch")).startswith("InvalidToken:")
    made_up = "A" * TOKEN_LENGTH
    assert str(refused(s, f"send-task-success {made_up}")).startswith("TaskDoesNotExist:")
    err = refused(s, "send-task-success e1 '{not json}'")
    assert str(err).startswith("InvalidOutput:")
    assert str(refused(s, f"send-task-failure e1 --error {'E' * 257}")).startswith(
        "ValidationException:"
    )
    execute(s, f"send-task-success {token[:8]}")
    err = refused(s, f"send-task-heartbeat {token}")
    assert str(err).startswith("TaskTimedOut:")
    assert "already closed" in str(err.hint)


def test_an_execution_with_several_waiting_tasks_needs_the_token(tmp_path: Path) -> None:
    branch = {"StartAt": "Wait", "States": {"Wait": {**send_task(), "End": True}}}
    state = {"Type": "Parallel", "Branches": [branch, branch]}
    s = open_flow(tmp_path, state)
    ex = start(s)
    tokens = [r["token"] for r in records(s, "sfn.task.waiting")]
    assert len(set(tokens)) == 2
    err = refused(s, "send-task-success e1")
    assert "has 2 tasks waiting" in str(err) and tokens[0][:16] in str(err)
    assert sorted(complete_values(s, TASK_TOKEN)) == sorted(t[:16] for t in tokens)
    shown = execute(s, "show execution e1")
    assert [w["taskToken"] for w in shown.data["waiting"]] == tokens
    assert tokens[0] in shown.text  # whole, to be copied
    execute(s, f"send-task-success {tokens[0][:16]} '1'")
    execute(s, f"send-task-success {tokens[1]} '2'")
    assert ex.status == "SUCCEEDED" and ex.output == [1, 2]


def test_completion_and_explain_show_the_waiting_task(tmp_path: Path) -> None:
    s = open_flow(tmp_path, send_task())
    start(s)
    assert complete_values(s, TASK_TOKEN) == ["e1"]
    token = the_token(s)
    why = execute(s, "explain e1").text
    assert f"Wait waits for task token {token[:16]}…" in why
    execute(s, "stop-execution e1")
    assert complete_values(s, TASK_TOKEN) == []
    assert str(refused(s, f"send-task-success {token}")).startswith("TaskTimedOut:")


def test_tokens_are_deterministic(tmp_path: Path) -> None:
    made = []
    for _ in range(2):
        s = open_flow(tmp_path, send_task())
        start(s)
        made.append(the_token(s))
    assert made[0] == made[1]
    assert made[0] != tokens_of(s.sim).issue()


# -- handlers answering, and their permissions ----------------------------------------------

WORKER = """behaviors:
  worker:
    emit:
      - sendTaskSuccess:
          stateMachine: flow
          token: body.taskToken
          output: "{handled: body.orderId}"
"""


def test_a_worker_answers_with_the_token_from_the_message(tmp_path: Path) -> None:
    s = open_flow(tmp_path, send_task(ResultPath="$.r"), WORKER, GRANT)
    ex = start(s)
    s.sim.advance(5_000)
    assert ex.status == "SUCCEEDED" and ex.output == {"id": "o-1", "r": {"handled": "o-1"}}
    (answer,) = records(s, "sfn.task.callback")
    assert answer["source"].startswith("worker:")


def test_connect_to_a_state_machine_does_not_allow_answering(tmp_path: Path) -> None:
    s = open_flow(tmp_path, send_task(), WORKER, "connectTo: [flow]")
    ex = start(s)
    s.sim.advance(5_000)
    assert ex.status == "RUNNING"
    failed = records(s, "invocation.failed")
    assert failed and failed[0]["error"] == "AccessDeniedException"
    assert "states:SendTaskSuccess on resource: arn:aws:states:" in failed[0]["error_message"]


def test_a_token_of_another_state_machine_is_refused(tmp_path: Path) -> None:
    worker = WORKER.replace("stateMachine: flow", "stateMachine: other")
    s = open_flow(tmp_path, send_task(), worker, GRANT)
    ex = start(s)
    s.sim.advance(5_000)
    assert ex.status == "RUNNING"
    (refusal,) = records(s, "emission.failed")
    assert "not of other" in refusal["error"]


# -- validate -------------------------------------------------------------------------------


def test_validate_warns_when_the_token_is_not_passed(tmp_path: Path) -> None:
    state = send_task()
    state["Parameters"]["MessageBody"] = {"orderId.$": "$.id"}
    diags = load_stack_text(stack_text(state)).diagnostics
    (warning,) = [d for d in diags if d.code.startswith("asl-")]
    assert (warning.code, warning.severity) == ("asl-no-task-token", "warning")
    assert '"taskToken.$": "$$.Task.Token"' in str(warning.hint)
    ok = load_stack_text(stack_text(send_task())).diagnostics
    assert not [d for d in ok if d.code.startswith("asl-")]


def test_the_example_runs_as_documented() -> None:
    s = Session.open(
        EXAMPLE, behaviors_path=EXAMPLE.with_name("workflow-callback-behaviors.yml"), start_ms=T0
    )
    for line in EXAMPLE.with_suffix(".stp").read_text("utf-8").splitlines():
        if line and not line.startswith("#"):
            execute(s, line)
    machine = lookup_machine(s.sim, "orderApproval")
    assert machine.executions["small"].output["shipment"] == {"trackingId": "T-1"}
    assert machine.executions["big"].error == "NotApproved"


def test_validate_warns_that_connect_to_does_not_allow_answering(tmp_path: Path) -> None:
    from stptui.config.permissions import emission_diagnostics
    from stptui.sim.behavior import Behaviors

    stack = load_stack_text(stack_text(send_task(), "connectTo: [flow]"))
    (tmp_path / "stptui.yml").write_text(WORKER, "utf-8")
    behaviors, _ = Behaviors.load(tmp_path / "stptui.yml", stack)
    (diag,) = emission_diagnostics(stack, behaviors.emit_sites())
    assert diag.code == "emission-not-permitted"
    assert "states:SendTaskSuccess" in diag.message
    assert "connectTo flow does not grant" in str(diag.hint)
    assert "iamRoleStatements" in str(diag.hint)


def test_a_python_handler_answers_through_its_context(tmp_path: Path) -> None:
    (tmp_path / "answer.py").write_text(
        "import json\n\n"
        "def handle(event, context):\n"
        "    body = json.loads(event['Records'][0]['body'])\n"
        "    context.send_task_heartbeat('flow', body['taskToken'])\n"
        "    context.send_task_success('flow', body['taskToken'], {'by': 'python'})\n",
        encoding="utf-8",
    )
    (tmp_path / "stacktape.yml").write_text(stack_text(send_task(), GRANT), encoding="utf-8")
    (tmp_path / "stptui.yml").write_text(
        "behaviors:\n  worker: {handler: 'answer:handle'}\n", encoding="utf-8"
    )
    s = Session.open(tmp_path, start_ms=T0, allow_code=True)
    ex = start(s)
    s.sim.advance(5_000)
    assert ex.status == "SUCCEEDED" and ex.output == {"by": "python"}
    assert [r["outcome"] for r in records(s, "sfn.task.callback")] == ["heartbeat", "success"]
