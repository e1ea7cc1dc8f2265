"""`.waitForTaskToken` on the AWS SDK integrations stptui runs: the call is made with the
token, the state waits for SendTaskSuccess / SendTaskFailure, a refused call fails it at
once; `aws-sdk:lambda:invoke` and the optimized `dynamodb:*` integrations (which AWS lists
as request-response only) keep their `validate` warning."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from stptui.commands import execute
from stptui.config import load_stack_text
from tests.test_state_machine_callbacks import open_flow, records, stack_text, start, the_token

SDK = "arn:aws:states:::aws-sdk:"


def sdk_task(api: str, params: dict[str, Any]) -> dict[str, Any]:
    return {"Type": "Task", "Resource": f"{SDK}{api}.waitForTaskToken", "Parameters": params}


def sqs_task(queue: str = "jobs") -> dict[str, Any]:
    body = "States.Format('token {}', $$.Task.Token)"
    return sdk_task("sqs:sendMessage", {"QueueUrl": queue, "MessageBody.$": body})


def test_an_sdk_send_message_carries_the_token_and_waits_for_the_answer(tmp_path: Path) -> None:
    s = open_flow(tmp_path, sqs_task())
    ex = start(s)
    token = the_token(s)
    (sent,) = records(s, "sfn.task.called")
    assert sent["integration"] == "aws-sdk:sqs:sendMessage.waitForTaskToken"
    body = s.sim.queue("jobs").messages[sent["delivered_id"]].body
    assert body == f"token {token}"
    s.sim.advance(60_000)
    assert ex.status == "RUNNING"  # the SDK's response does not end the state
    execute(s, "send-task-success e1 '{\"done\": 1}'")
    assert (ex.status, ex.output) == ("SUCCEEDED", {"done": 1})


def test_a_failure_answer_fails_the_sdk_task(tmp_path: Path) -> None:
    task = sdk_task("sns:publish", {"TopicArn": "alerts", "Message.$": "$$.Task.Token"})
    s = open_flow(tmp_path, task)
    ex = start(s)
    execute(s, "send-task-failure e1 --error Rejected --cause no")
    assert (ex.status, ex.error, ex.cause) == ("FAILED", "Rejected", "no")


def test_a_refused_sdk_call_fails_at_once_without_waiting(tmp_path: Path) -> None:
    s = open_flow(tmp_path, sqs_task("no-such-queue"))
    ex = start(s)
    assert ex.status == "FAILED"
    assert str(ex.error).startswith("Sqs.")
    assert records(s, "sfn.task.waiting") == []


def test_validate_accepts_sdk_callbacks_and_warns_for_the_others() -> None:
    def warnings(state: dict[str, Any]) -> list[str]:
        found = load_stack_text(stack_text(state)).diagnostics
        return [d.code for d in found if d.code.startswith("asl-")]

    assert warnings(sqs_task()) == []
    lam = sdk_task("lambda:invoke", {"FunctionName": "worker", "Payload.$": "$$.Task.Token"})
    ddb = {
        "Type": "Task",
        "Resource": "arn:aws:states:::dynamodb:putItem.waitForTaskToken",
        "Parameters": {"TableName": "t", "Item": {"k": {"S.$": "$$.Task.Token"}}},
    }
    # Both are named as integrations stptui does not run (an execution reaching one fails).
    assert warnings(lam) == warnings(ddb) == ["asl-task-target"]
