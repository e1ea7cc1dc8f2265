"""A Python handler's GetExecutionHistory (boto3's `get_execution_history` and its
paginator), DescribeStateMachine and DescribeStateMachineForExecution: the events of an
execution as the API reference shapes them (ids, timestamps as datetimes, each type's
`*EventDetails` with its input or output), made from the history the simulator keeps;
paged, reversed, without data; AWS's errors; IAM on the execution's ARN, which Stacktape's
`connectTo` does not grant; and a Map Run's child execution's own history."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from stptui.commands import Session, execute
from stptui.sim.clock import datetime_of
from stptui.sim.services.state_machine import lookup_machine
from tests import map_run_support
from tests.simkit import START

PKG = "packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: p.py}}"
ACCOUNT = "arn:aws:states:us-east-1:123456789012"
FLOW = f"{ACCOUNT}:stateMachine:hs-dev-flow"
EXECUTIONS = f"{ACCOUNT}:execution:hs-dev-flow"
WORK = "arn:aws:lambda:us-east-1:123456789012:function:hs-dev-work"
ROLE = "arn:aws:iam::123456789012:role/hs-dev-StpGlobalStateMachineRole-DBEIXHWQ356D"
GRANT = f"""iamRoleStatements:
        - Effect: Allow
          Action: [states:GetExecutionHistory, states:DescribeStateMachineForExecution]
          Resource: ['{EXECUTIONS}:*', '{ACCOUNT}:execution:hs-dev-flow/*']
        - Effect: Allow
          Action: [states:DescribeStateMachine]
          Resource: ['{FLOW}']"""
# A Pass, a Task invoking `work` by its ARN (LambdaFunction* events), and a lambda:invoke
# Task whose ResultSelector keeps the Payload (its TaskSucceeded gives the whole result).
DEFINITION = {
    "StartAt": "Prepare",
    "States": {
        "Prepare": {"Type": "Pass", "Parameters": {"order.$": "$.n"}, "Next": "Check"},
        "Check": {"Type": "Task", "Resource": WORK, "TimeoutSeconds": 30, "Next": "Invoke"},
        "Invoke": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": WORK, "Payload.$": "$"},
            "ResultSelector": {"answer.$": "$.Payload"},
            "End": True,
        },
    },
}
HANDLERS = """
import json

import boto3

sfn = boto3.client("stepfunctions")


def plain(value):
    return json.loads(json.dumps(value, default=lambda d: d.isoformat()))


def handle(event, context):
    op = event["op"]
    try:
        if op == "start":
            got = sfn.start_execution(stateMachineArn=event["machine"],
                                      input=json.dumps(event["input"]))
        elif op == "history":
            got = sfn.get_execution_history(**event["args"])
        elif op == "pages":
            pages = sfn.get_paginator("get_execution_history").paginate(**event["args"])
            got = [[e["id"] for e in page["events"]] for page in pages]
        elif op == "types":
            got = sfn.get_execution_history(**event["args"])
            got["events"] = [e["type"] for e in got["events"]]
        elif op == "machine":
            got = sfn.describe_state_machine(stateMachineArn=event["arn"])
        else:
            got = sfn.describe_state_machine_for_execution(executionArn=event["arn"])
    except sfn.exceptions.ClientError as exc:
        return {"error": exc.response["Error"]["Code"], "message": exc.response["Error"]["Message"],
                "class": type(exc).__name__}
    got = plain(got)
    if isinstance(got, dict):
        got.pop("ResponseMetadata", None)
    return got
"""


def session(tmp_path: Path, grant: str = GRANT, definition: Any = DEFINITION) -> Session:
    """`app` runs HANDLERS with `grant` and connectTo `flow` (StartExecution); `work`
    answers the event it got, after 1 s."""
    (tmp_path / "stacktape.yml").write_text(
        f"""
serviceName: hs
resources:
  app:
    type: function
    properties:
      {PKG}
      connectTo: [flow]
      {grant}
  work:
    type: function
    properties:
      {PKG}
  jobs:
    type: sqs-queue
  flow:
    type: state-machine
    properties:
      definition: {json.dumps(definition)}
""",
        encoding="utf-8",
    )
    (tmp_path / "stptui.yml").write_text(
        "behaviors:\n  app:\n    handler: hs_app:handle\n"
        "  work: {duration: 1s, response: '{seen: @}'}\n",
        encoding="utf-8",
    )
    (tmp_path / "hs_app.py").write_text(HANDLERS, encoding="utf-8")
    return Session.open(tmp_path, start_ms=START, allow_code=True)


def call(s: Session, **event: Any) -> Any:
    """What `app` answered to `event`."""
    result = execute(s, f"invoke app '{json.dumps(event)}'")
    assert "response" in result.data, result.text
    return result.data["response"]


def iso(ms: int) -> str:
    return datetime_of(ms).isoformat()


def run_one(s: Session, value: Any = None) -> str:
    """The ARN of an execution of `flow` that `app` started with `{"n": 1}` (or `value`),
    run to its end."""
    got = call(s, op="start", machine=FLOW, input={"n": 1} if value is None else value)
    execute(s, "advance 1m")
    return str(got["executionArn"])


def history(s: Session, arn: str, **args: Any) -> Any:
    return call(s, op="history", args={"executionArn": arn, **args})


FORWARD = [
    "ExecutionStarted",
    "PassStateEntered",
    "PassStateExited",
    "TaskStateEntered",
    "LambdaFunctionScheduled",
    "LambdaFunctionStarted",
    "LambdaFunctionSucceeded",
    "TaskStateExited",
    "TaskStateEntered",
    "TaskScheduled",
    "TaskStarted",
    "TaskSucceeded",
    "TaskStateExited",
    "ExecutionSucceeded",
]


def test_a_handler_reads_the_history_of_the_execution_it_started(tmp_path: Path) -> None:
    s = session(tmp_path)
    arn = run_one(s)
    events = history(s, arn)["events"]
    assert [e["type"] for e in events] == FORWARD
    # Each event follows the one before it, but the first state's: AWS's histories link it
    # to no event (0), as they do ExecutionStarted.
    links = [(e["id"], e["previousEventId"]) for e in events]
    assert links == [(1, 0), (2, 0)] + [(n, n - 1) for n in range(3, 15)]
    started, *_ = events
    assert started["timestamp"] == iso(START)
    assert started["executionStartedEventDetails"] == {
        "input": '{"n":1}',
        "inputDetails": {"truncated": False},
        "roleArn": ROLE,
    }
    assert events[2]["stateExitedEventDetails"] == {
        "name": "Prepare",
        "output": '{"order":1}',
        "outputDetails": {"truncated": False},
    }
    # The function's task: its payload and timeout, then its answer 1 s later.
    assert events[4]["lambdaFunctionScheduledEventDetails"] == {
        "resource": WORK,
        "input": '{"order":1}',
        "inputDetails": {"truncated": False},
        "timeoutInSeconds": 30,
    }
    assert "lambdaFunctionStartedEventDetails" not in events[5]
    assert events[6]["timestamp"] == iso(START + 1000)
    assert events[6]["lambdaFunctionSucceededEventDetails"]["output"] == '{"seen":{"order":1}}'
    # lambda:invoke: its parameters; the task's result is Invoke's whole response, the
    # state's output what its ResultSelector kept of it.
    scheduled = events[9]["taskScheduledEventDetails"]
    assert scheduled == {
        "resourceType": "lambda",
        "resource": "invoke",
        "region": "us-east-1",
        "parameters": json.dumps(
            {"FunctionName": WORK, "Payload": {"seen": {"order": 1}}}, separators=(",", ":")
        ),
    }
    assert events[10]["taskStartedEventDetails"] == {"resourceType": "lambda", "resource": "invoke"}
    result = json.loads(events[11]["taskSucceededEventDetails"]["output"])
    assert result["StatusCode"] == 200 and result["Payload"] == {"seen": {"seen": {"order": 1}}}
    exited = events[12]["stateExitedEventDetails"]
    assert json.loads(exited["output"]) == {"answer": {"seen": {"seen": {"order": 1}}}}
    assert events[13]["timestamp"] == iso(START + 2000)
    assert events[13]["executionSucceededEventDetails"]["output"] == exited["output"]
    assert "nextToken" not in history(s, arn)


def test_reverse_order_gives_the_newest_first(tmp_path: Path) -> None:
    s = session(tmp_path)
    arn = run_one(s)
    forward = history(s, arn)["events"]
    assert history(s, arn, reverseOrder=True)["events"] == forward[::-1]
    assert history(s, arn, reverseOrder=False)["events"] == forward


def test_pages_by_max_results_and_with_the_paginator(tmp_path: Path) -> None:
    s = session(tmp_path)
    arn = run_one(s)
    first = history(s, arn, maxResults=5)
    assert [e["id"] for e in first["events"]] == [1, 2, 3, 4, 5]
    second = history(s, arn, maxResults=5, nextToken=first["nextToken"])
    assert [e["id"] for e in second["events"]] == [6, 7, 8, 9, 10]
    pages = call(s, op="pages", args={"executionArn": arn, "PaginationConfig": {"PageSize": 5}})
    assert pages == [[1, 2, 3, 4, 5], [6, 7, 8, 9, 10], [11, 12, 13, 14]]
    backwards = call(
        s,
        op="pages",
        args={"executionArn": arn, "reverseOrder": True, "PaginationConfig": {"PageSize": 6}},
    )
    assert backwards == [[14, 13, 12, 11, 10, 9], [8, 7, 6, 5, 4, 3], [2, 1]]
    capped = call(s, op="pages", args={"executionArn": arn, "PaginationConfig": {"MaxItems": 3}})
    assert capped == [[1, 2, 3]]
    # 0 asks for the default page of 100: the whole history.
    assert len(history(s, arn, maxResults=0)["events"]) == 14


def test_without_execution_data_no_input_or_output_is_given(tmp_path: Path) -> None:
    s = session(tmp_path)
    arn = run_one(s)
    full = history(s, arn)["events"]
    bare = history(s, arn, includeExecutionData=False)["events"]
    assert [e["type"] for e in bare] == FORWARD
    text = json.dumps(bare)
    assert '"input"' not in text and '"output"' not in text and 'Details": {"truncated' not in text
    assert bare[0]["executionStartedEventDetails"] == {"roleArn": ROLE}
    assert bare[2]["stateExitedEventDetails"] == {"name": "Prepare"}
    # What is not the execution's data stays: the task's parameters, resource, timeout.
    assert bare[9]["taskScheduledEventDetails"] == full[9]["taskScheduledEventDetails"]
    assert bare[4]["lambdaFunctionScheduledEventDetails"] == {
        "resource": WORK,
        "timeoutInSeconds": 30,
    }


def test_refusals_are_the_errors_the_api_names(tmp_path: Path) -> None:
    s = session(tmp_path)
    arn = run_one(s)
    missing = history(s, f"{EXECUTIONS}:nope")
    assert (missing["error"], missing["class"]) == (
        "ExecutionDoesNotExist",
        "ExecutionDoesNotExist",
    )
    assert missing["message"] == f"Execution Does Not Exist: '{EXECUTIONS}:nope'"
    wrong = history(s, FLOW)
    assert (wrong["error"], wrong["message"]) == (
        "InvalidArn",
        "Invalid Arn: 'Resource type not valid in this context: stateMachine'",
    )
    for token in ("garbage", history(s, arn, maxResults=2, reverseOrder=True)["nextToken"]):
        # A token of the reverse order is not one of this order ("keep all other arguments
        # unchanged").
        bad = history(s, arn, maxResults=2, nextToken=token)
        assert (bad["error"], bad["class"]) == ("InvalidToken", "InvalidToken")
    big = history(s, arn, maxResults=1001)
    assert big["error"] == "ValidationException"
    assert "Member must have value less than or equal to 1000" in big["message"]


def test_an_express_execution_arn_is_refused(tmp_path: Path) -> None:
    # Stacktape deploys STANDARD state machines only; an EXPRESS execution's ARN (its
    # `express` resource type), which GetExecutionHistory does not support, is refused.
    s = session(tmp_path)
    got = history(s, f"{ACCOUNT}:express:hs-dev-flow:e1:0b8e2f3a")
    assert (got["error"], got["message"]) == (
        "InvalidArn",
        "Invalid Arn: 'Resource type not valid in this context: express'",
    )


def test_connect_to_alone_does_not_grant_the_history(tmp_path: Path) -> None:
    s = session(tmp_path, grant="")
    arn = run_one(s)
    for got, action, resource in (
        (history(s, arn), "GetExecutionHistory", arn),
        (call(s, op="machine", arn=FLOW), "DescribeStateMachine", FLOW),
        (call(s, op="for-execution", arn=arn), "DescribeStateMachineForExecution", arn),
    ):
        assert got["error"] == "AccessDeniedException", got
        assert f"states:{action} on resource: {resource}" in got["message"]


def test_a_failed_function_task_and_its_retry(tmp_path: Path) -> None:
    definition = json.loads(json.dumps(DEFINITION))
    definition["States"]["Check"]["Retry"] = [
        {"ErrorEquals": ["States.ALL"], "MaxAttempts": 1, "IntervalSeconds": 2}
    ]
    s = session(tmp_path, definition=definition)
    execute(s, "fail work next 1")
    arn = run_one(s)
    events = history(s, arn)["events"]
    assert [e["type"] for e in events][3:10] == [
        "TaskStateEntered",
        "LambdaFunctionScheduled",
        "LambdaFunctionStarted",
        "LambdaFunctionFailed",
        "LambdaFunctionScheduled",
        "LambdaFunctionStarted",
        "LambdaFunctionSucceeded",
    ]
    failed = events[6]
    assert failed["timestamp"] == iso(START + 1000)
    assert set(failed["lambdaFunctionFailedEventDetails"]) == {"error", "cause"}
    # The retry 2 s later, answered 1 s after that.
    assert events[7]["timestamp"] == iso(START + 3000)
    assert events[9]["timestamp"] == iso(START + 4000)
    assert events[-1]["type"] == "ExecutionSucceeded"


def test_a_map_runs_child_execution_has_its_own_history(tmp_path: Path) -> None:
    s = session(tmp_path, definition=map_run_support.DEFINITION)
    arn = run_one(s, [{"n": 0, "fail": True}, {"n": 1, "fail": False}])
    (ex,) = lookup_machine(s.sim, "flow").executions.values()
    (run,) = ex.map_runs.values()
    # The parent's history has the run, not its children's states.
    assert [e["type"] for e in history(s, arn)["events"]] == [
        "ExecutionStarted",
        "MapStateEntered",
        "MapStateStarted",
        "MapRunStarted",
        "MapRunSucceeded",
        "MapStateSucceeded",
        "MapStateExited",
        "ExecutionSucceeded",
    ]
    assert history(s, arn)["events"][3]["mapRunStartedEventDetails"] == {"mapRunArn": run.arn}
    failed, held = (context["Id"] for context in run.executions)
    events = history(s, failed)["events"]
    assert [e["type"] for e in events] == [
        "ExecutionStarted",
        "ChoiceStateEntered",
        "ChoiceStateExited",
        "FailStateEntered",
        "ExecutionFailed",
    ]
    assert events[0]["executionStartedEventDetails"]["input"] == '{"n":0,"fail":true}'
    assert events[1]["stateEnteredEventDetails"]["name"] == "Check"
    assert events[-1]["executionFailedEventDetails"] == {"error": "Bad", "cause": "a bad item"}
    events = history(s, held)["events"]
    assert [e["type"] for e in events][-3:] == [
        "WaitStateEntered",
        "WaitStateExited",
        "ExecutionSucceeded",
    ]
    assert events[-1]["timestamp"] == iso(START + 10_000)
    assert events[-1]["executionSucceededEventDetails"]["output"] == '{"n":1,"fail":false}'
    assert history(s, held, reverseOrder=True, maxResults=1)["events"] == events[-1:]
    unknown = history(s, held.rpartition(":")[0] + ":nope")
    assert unknown["error"] == "ExecutionDoesNotExist"


def test_describe_state_machine_and_the_one_an_execution_ran(tmp_path: Path) -> None:
    s = session(tmp_path)
    arn = run_one(s)
    machine = call(s, op="machine", arn=FLOW)
    assert machine == {
        "stateMachineArn": FLOW,
        "name": "hs-dev-flow",
        "status": "ACTIVE",
        "definition": machine["definition"],
        "roleArn": ROLE,
        "loggingConfiguration": {"level": "OFF", "includeExecutionData": False},
        "tracingConfiguration": {"enabled": False},
        "type": "STANDARD",
        "creationDate": iso(START),
    }
    assert json.loads(machine["definition"]) == DEFINITION
    ran = call(s, op="for-execution", arn=arn)
    assert ran == {
        **{k: v for k, v in machine.items() if k not in ("status", "type", "creationDate")},
        "updateDate": iso(START),
    }
    missing = call(s, op="machine", arn=FLOW + "x")
    assert missing["error"] == "StateMachineDoesNotExist"
    assert call(s, op="machine", arn=arn)["error"] == "InvalidArn"
    assert call(s, op="for-execution", arn=f"{EXECUTIONS}:nope")["error"] == (
        "ExecutionDoesNotExist"
    )


def test_a_child_executions_state_machine_is_its_maps_item_processor(tmp_path: Path) -> None:
    s = session(tmp_path, definition=map_run_support.DEFINITION)
    run_one(s, [{"n": 0, "fail": False}])
    (ex,) = lookup_machine(s.sim, "flow").executions.values()
    (run,) = ex.map_runs.values()
    got = call(s, op="for-execution", arn=run.executions[0]["Id"])
    assert got["stateMachineArn"] == f"{FLOW}/Rows"
    assert (got["mapRunArn"], got["label"]) == (run.arn, "Rows")
    assert json.loads(got["definition"]) == map_run_support.CHILD


def test_a_service_integration_and_a_callback_task(tmp_path: Path) -> None:
    queue = "$ResourceParam('jobs', 'url')"
    definition = {
        "StartAt": "Send",
        "States": {
            "Send": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sqs:sendMessage",
                "Parameters": {"QueueUrl": queue, "MessageBody": "hello"},
                "ResultPath": "$.sent",
                "Next": "Ask",
            },
            "Ask": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                "Parameters": {"QueueUrl": queue, "MessageBody.$": "$$.Task.Token"},
                "HeartbeatSeconds": 60,
                "End": True,
            },
        },
    }
    s = session(tmp_path, definition=definition)
    arn = call(s, op="start", machine=FLOW, input={"n": 1})["executionArn"]
    execute(s, "advance 5s")
    execute(s, f"send-task-success {arn.rpartition(':')[2]} '{{\"ok\": true}}'")
    events = history(s, arn)["events"]
    assert [e["type"] for e in events] == [
        "ExecutionStarted",
        "TaskStateEntered",
        "TaskScheduled",
        "TaskStarted",
        "TaskSucceeded",
        "TaskStateExited",
        "TaskStateEntered",
        "TaskScheduled",
        "TaskStarted",
        "TaskSubmitted",
        "TaskSucceeded",
        "TaskStateExited",
        "ExecutionSucceeded",
    ]
    send = events[2]["taskScheduledEventDetails"]
    assert (send["resourceType"], send["resource"]) == ("sqs", "sendMessage")
    assert json.loads(send["parameters"])["MessageBody"] == "hello"
    # The task's result is SendMessage's answer; the state's output has it under `sent`.
    result = json.loads(events[4]["taskSucceededEventDetails"]["output"])
    assert set(result) >= {"MessageId", "MD5OfMessageBody"}
    assert json.loads(events[5]["stateExitedEventDetails"]["output"])["sent"] == result
    ask = events[7]["taskScheduledEventDetails"]
    assert (ask["resource"], ask["heartbeatInSeconds"]) == ("sendMessage.waitForTaskToken", 60)
    assert events[9]["taskSubmittedEventDetails"] == {
        "resourceType": "sqs",
        "resource": "sendMessage.waitForTaskToken",
    }
    answered = events[10]
    # Started as the handler ran; answered after its invocation's 100 ms and `advance 5s`.
    assert (events[0]["timestamp"], answered["timestamp"]) == (iso(START), iso(START + 5100))
    assert answered["taskSucceededEventDetails"]["output"] == '{"ok":true}'
