"""A function's code follows the batch job executions it started, as Stacktape's stacks do
(its starter python-video-transcoding-batch-job polls them): Step Functions' ListExecutions,
DescribeExecution and StopExecution on the job's state machine (`STP_{JOB}_STATE_MACHINE_ARN`),
with the grants Stacktape's `connectTo` gives, and the same calls on a state machine of the
stack."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from stptui.commands import CommandError, Session, execute
from stptui.sim import trace as tk
from tests.simkit import START, records

PKG = "packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: p.ts}}"
MACHINE = "arn:aws:states:us-east-1:123456789012:stateMachine:sj-dev-render-batch-state-machine"
EXECUTIONS = MACHINE.replace(":stateMachine:", ":execution:")
FLOW = "arn:aws:states:us-east-1:123456789012:stateMachine:sj-dev-flow"
STOP_GRANT = """iamRoleStatements:
        - Effect: Allow
          Action: [states:StopExecution]
          Resource: ['arn:aws:states:us-east-1:123456789012:execution:*']"""


def stack(grant: str = "connectTo: [render, flow]", extra: str = "") -> str:
    """`app` (whose role gets `grant` and `extra`), the batch job `render` (2 attempts 5 s
    apart) and the state machine `flow` (a 30 s Wait)."""
    return f"""
serviceName: sj
resources:
  app:
    type: function
    properties:
      {PKG}
      {grant}
      {extra}
  render:
    type: batch-job
    properties:
      container:
        packaging: {{type: stacktape-image-buildpack, properties: {{entryfilePath: j.ts}}}}
      resources: {{cpu: 1, memory: 2048}}
      retryConfig: {{attempts: 2, retryIntervalSeconds: 5}}
  flow:
    type: state-machine
    properties:
      definition:
        StartAt: Hold
        States: {{Hold: {{Type: Wait, Seconds: 30, End: true}}}}
"""


HANDLERS = """
import json
import os

import boto3

sfn = boto3.client("stepfunctions")
# Without connectTo the variable is not set: the ARN it would hold.
JOB = os.environ.get("STP_RENDER_STATE_MACHINE_ARN", "MACHINE")


def plain(value):
    # What the test reads back: the answer with its datetimes as ISO text.
    return json.loads(json.dumps(value, default=lambda d: d.isoformat()))


def handle(event, context):
    op = event["op"]
    try:
        if op == "start":
            body = {"triggerEvent": json.dumps(event["event"]), "jobName": event["name"]}
            got = sfn.start_execution(stateMachineArn=JOB, input=json.dumps(body))
        elif op == "start-flow":
            got = sfn.start_execution(stateMachineArn=event["machine"], input="{}")
        elif op == "list":
            got = sfn.list_executions(**event["args"])
        elif op == "pages":
            pages = sfn.get_paginator("list_executions").paginate(**event["args"])
            got = [e["name"] for page in pages for e in page["executions"]]
        elif op == "describe":
            got = sfn.describe_execution(executionArn=event["arn"])
        elif op == "redrive":
            got = sfn.redrive_execution(executionArn=event["arn"])
        elif op == "map-runs":
            got = sfn.list_map_runs(executionArn=event["arn"])
        else:
            got = sfn.stop_execution(executionArn=event["arn"], **event.get("args", {}))
    except sfn.exceptions.ClientError as exc:
        return {"error": exc.response["Error"]["Code"], "message": exc.response["Error"]["Message"],
                "class": type(exc).__name__}
    got = plain(got)
    if isinstance(got, dict):
        got.pop("ResponseMetadata", None)
    return got
"""


def session(tmp_path: Path, grant: str = "connectTo: [render, flow]", extra: str = "") -> Session:
    """`app` runs HANDLERS; each of the job's attempts runs 10 s."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "stacktape.yml").write_text(stack(grant, extra), encoding="utf-8")
    (tmp_path / "stptui.yml").write_text(
        "behaviors:\n  app:\n    handler: sj_app:handle\n  render: {duration: 10s}\n",
        encoding="utf-8",
    )
    (tmp_path / "sj_app.py").write_text(HANDLERS.replace("MACHINE", MACHINE), encoding="utf-8")
    return Session.open(tmp_path, start_ms=START, allow_code=True)


def call(s: Session, **event: Any) -> Any:
    result = execute(s, f"invoke app '{json.dumps(event)}'")
    assert "response" in result.data, result.text
    return result.data["response"]


def start(s: Session, name: str) -> str:
    return call(s, op="start", name=name, event={"video": name})["executionArn"]


def test_list_executions_gives_the_jobs_executions_newest_first_in_pages(tmp_path: Path) -> None:
    s = session(tmp_path)
    arns = []
    for name in ("a", "b", "c"):
        arns.append(start(s, name))
        execute(s, "advance 1s")
    first = call(s, op="list", args={"stateMachineArn": MACHINE, "maxResults": 2})
    assert [e["executionArn"] for e in first["executions"]] == [arns[2], arns[1]]
    assert first["executions"][0] == {
        "executionArn": arns[2],
        "stateMachineArn": MACHINE,
        "name": arns[2].rsplit(":", 1)[1],
        "status": "RUNNING",
        # Each `invoke` takes 100 ms: the third call was made at 2.2 s.
        "startDate": "2026-01-05T08:00:02.200000+00:00",
    }
    rest = call(s, op="list", args={"stateMachineArn": MACHINE, "nextToken": first["nextToken"]})
    assert [e["executionArn"] for e in rest["executions"]] == [arns[0]]
    assert "nextToken" not in rest
    # boto3's paginator pages by nextToken.
    names = call(
        s, op="pages", args={"stateMachineArn": MACHINE, "PaginationConfig": {"PageSize": 1}}
    )
    assert names == [a.rsplit(":", 1)[1] for a in reversed(arns)]
    # The first has ended (10 s from its start); statusFilter lists only what matches.
    execute(s, "advance 7s")
    done = call(s, op="list", args={"stateMachineArn": MACHINE, "statusFilter": "SUCCEEDED"})
    assert [(e["executionArn"], e["stopDate"]) for e in done["executions"]] == [
        (arns[0], "2026-01-05T08:00:10+00:00")
    ]


def test_describe_execution_follows_an_execution_to_its_end(tmp_path: Path) -> None:
    s = session(tmp_path)
    arn = start(s, "clip-1")
    running = call(s, op="describe", arn=arn)
    assert running["status"] == "RUNNING"
    assert "stopDate" not in running and "output" not in running
    # The input as the caller gave it (json.dumps's spaces kept).
    assert (
        running["input"] == '{"triggerEvent": "{\\"video\\": \\"clip-1\\"}", "jobName": "clip-1"}'
    )
    assert running["inputDetails"] == {"included": True}
    execute(s, "advance 1m")
    ended = call(s, op="describe", arn=arn)
    assert (ended["status"], ended["stopDate"]) == ("SUCCEEDED", "2026-01-05T08:00:10+00:00")
    output = json.loads(ended["output"])
    assert (output["JobName"], output["Status"]) == ("clip-1", "SUCCEEDED")
    assert "error" not in ended


def test_describe_of_an_execution_the_trigger_started_gives_the_trigger_functions_input(
    tmp_path: Path,
) -> None:
    s = session(tmp_path)
    execute(s, "start-job render '{\"k\": 1}'")
    (submitted,) = records(s.sim, tk.BATCH_SUBMITTED, "render")
    described = call(s, op="describe", arn=submitted.get("execution_arn"))
    body = json.loads(described["input"])
    assert body["triggerEvent"] == '{"k":1}'
    assert body["jobName"].endswith(f"-{submitted.get('execution_id')}")


def test_an_execution_that_failed_at_its_first_task_says_why(tmp_path: Path) -> None:
    s = session(tmp_path)
    arn = call(s, op="start-flow", machine=MACHINE)["executionArn"]
    execute(s, "advance 1s")
    described = call(s, op="describe", arn=arn)
    assert (described["status"], described["error"]) == ("FAILED", "States.Runtime")
    assert described["cause"].startswith("An error occurred while executing the state 'onDemand1'")


def test_an_attempt_that_fails_for_good_fails_the_execution_with_no_error_named(
    tmp_path: Path,
) -> None:
    s = session(tmp_path)
    execute(s, "fail render next 2")
    arn = start(s, "x")
    execute(s, "advance 1m")
    described = call(s, op="describe", arn=arn)
    # Stacktape's Fail state names no Error or Cause.
    assert described["status"] == "FAILED"
    assert "error" not in described and "cause" not in described and "output" not in described


def test_connect_to_does_not_allow_stop_execution_on_the_execution(tmp_path: Path) -> None:
    s = session(tmp_path)
    arn = start(s, "keep")
    refused = call(s, op="stop", arn=arn)
    assert refused["error"] == "AccessDeniedException"
    assert refused["message"].endswith(
        f"is not authorized to perform: states:StopExecution on resource: {arn} because no "
        "identity-based policy allows the states:StopExecution action"
    )
    execute(s, "advance 1m")
    assert records(s.sim, tk.BATCH_SUCCEEDED, "render")


def test_stop_execution_aborts_it_and_terminates_the_running_attempt(tmp_path: Path) -> None:
    s = session(tmp_path, extra=STOP_GRANT)
    arn = start(s, "cut")
    execute(s, "advance 4s")
    answer = call(s, op="stop", arn=arn, args={"error": "UserCancelled", "cause": "by request"})
    assert answer == {"stopDate": "2026-01-05T08:00:04.100000+00:00"}
    (attempt,) = records(s.sim, tk.BATCH_ATTEMPT_FAILED, "render")
    assert (attempt.get("error"), attempt.get("duration_ms"), attempt.get("retry_at")) == (
        "JobTerminated",
        4_100,
        None,
    )
    (failed,) = records(s.sim, tk.BATCH_FAILED, "render")
    assert (failed.get("error"), failed.get("error_message")) == (
        "ExecutionAborted",
        "UserCancelled: by request",
    )
    execute(s, "advance 1m")
    # Not retried, and the attempt's end never comes.
    assert len(records(s.sim, tk.BATCH_ATTEMPT_STARTED, "render")) == 1
    assert not records(s.sim, tk.BATCH_SUCCEEDED, "render")
    described = call(s, op="describe", arn=arn)
    assert (described["status"], described["error"], described["cause"]) == (
        "ABORTED",
        "UserCancelled",
        "by request",
    )
    assert described["stopDate"] == "2026-01-05T08:00:04.100000+00:00"
    # Stopping it again changes nothing and answers when it stopped.
    assert call(s, op="stop", arn=arn) == {"stopDate": "2026-01-05T08:00:04.100000+00:00"}
    assert len(records(s.sim, tk.BATCH_FAILED, "render")) == 1


def test_stopping_during_the_retry_wait_ends_it_with_no_attempt_terminated(
    tmp_path: Path,
) -> None:
    s = session(tmp_path, extra=STOP_GRANT)
    execute(s, "fail render next 1")
    arn = start(s, "w")
    execute(s, "advance 12s")  # attempt 1 failed at 10 s; attempt 2 waits until 15 s
    call(s, op="stop", arn=arn)
    execute(s, "advance 1m")
    assert len(records(s.sim, tk.BATCH_ATTEMPT_STARTED, "render")) == 1
    assert [r.get("error") for r in records(s.sim, tk.BATCH_FAILED, "render")] == [
        "ExecutionAborted"
    ]
    assert call(s, op="describe", arn=arn)["status"] == "ABORTED"


def test_without_connect_to_reads_are_access_denied(tmp_path: Path) -> None:
    s = session(tmp_path)
    arn = start(s, "mine")
    s2 = session(tmp_path / "other", grant="")
    refused = call(s2, op="list", args={"stateMachineArn": MACHINE})
    assert (refused["error"], refused["class"]) == ("AccessDeniedException", "ClientError")
    assert f"states:ListExecutions on resource: {MACHINE} " in refused["message"]
    refused = call(s2, op="describe", arn=arn)
    assert f"states:DescribeExecution on resource: {arn} " in refused["message"]


def test_refusals_are_step_functions_errors(tmp_path: Path) -> None:
    s = session(tmp_path)
    start(s, "one")
    missing = call(s, op="describe", arn=f"{EXECUTIONS}:nope")
    assert (missing["error"], missing["class"], missing["message"]) == (
        "ExecutionDoesNotExist",
        "ExecutionDoesNotExist",
        f"Execution Does Not Exist: '{EXECUTIONS}:nope'",
    )
    wrong = call(s, op="describe", arn=MACHINE)
    assert (wrong["error"], wrong["message"]) == (
        "InvalidArn",
        "Invalid Arn: 'Resource type not valid in this context: stateMachine'",
    )
    too_many = call(s, op="list", args={"stateMachineArn": MACHINE, "maxResults": 1001})
    assert too_many["error"] == "ValidationException"
    assert "Member must have value less than or equal to 1000" in too_many["message"]
    status = call(s, op="list", args={"stateMachineArn": MACHINE, "statusFilter": "DONE"})
    assert "Member must satisfy enum value set: [RUNNING, SUCCEEDED" in status["message"]
    token = call(s, op="list", args={"stateMachineArn": MACHINE, "nextToken": "xyz"})
    assert token["error"] == "InvalidToken"
    nothing = call(s, op="list", args={"stateMachineArn": MACHINE + "x"})
    assert nothing["error"] == "StateMachineDoesNotExist"


def test_the_same_calls_follow_a_state_machines_executions(tmp_path: Path) -> None:
    s = session(tmp_path, extra=STOP_GRANT)
    first = call(s, op="start-flow", machine=FLOW)["executionArn"]
    execute(s, "advance 1s")
    second = call(s, op="start-flow", machine=FLOW)["executionArn"]
    listed = call(s, op="list", args={"stateMachineArn": FLOW})
    assert [e["executionArn"] for e in listed["executions"]] == [second, first]
    described = call(s, op="describe", arn=first)
    assert (described["status"], described["input"]) == ("RUNNING", "{}")
    assert call(s, op="stop", arn=second, args={"error": "E"}) == {
        "stopDate": "2026-01-05T08:00:01.400000+00:00"
    }
    execute(s, "advance 1m")
    ended = call(s, op="describe", arn=first)
    assert (ended["status"], ended["output"]) == ("SUCCEEDED", "{}")
    stopped = call(s, op="describe", arn=second)
    assert (stopped["status"], stopped["error"]) == ("ABORTED", "E")


REDRIVE_GRANT = """iamRoleStatements:
        - Effect: Allow
          Action: [states:StopExecution, states:RedriveExecution]
          Resource: ['arn:aws:states:us-east-1:123456789012:execution:*']"""


def test_connect_to_does_not_allow_redrive_execution(tmp_path: Path) -> None:
    # getStatementsForAccessingStateMachine grants StartExecution, StopExecution,
    # ListExecutions and DescribeExecution: not RedriveExecution.
    s = session(tmp_path, extra=STOP_GRANT)
    arn = call(s, op="start-flow", machine=FLOW)["executionArn"]
    call(s, op="stop", arn=arn)
    refused = call(s, op="redrive", arn=arn)
    assert (refused["error"], refused["class"]) == ("AccessDeniedException", "ClientError")
    assert refused["message"].endswith(
        f"is not authorized to perform: states:RedriveExecution on resource: {arn} because "
        "no identity-based policy allows the states:RedriveExecution action"
    )
    assert call(s, op="describe", arn=arn)["status"] == "ABORTED"
    assert not records(s.sim, tk.SFN_EXECUTION_REDRIVEN)


def test_redrive_execution_runs_a_stopped_execution_on_as_the_command_does(
    tmp_path: Path,
) -> None:
    s = session(tmp_path, extra=REDRIVE_GRANT)
    arn = call(s, op="start-flow", machine=FLOW)["executionArn"]
    execute(s, "advance 10s")
    call(s, op="stop", arn=arn)
    execute(s, "advance 5s")
    assert call(s, op="redrive", arn=arn) == {"redriveDate": "2026-01-05T08:00:15.200000+00:00"}
    described = call(s, op="describe", arn=arn)
    assert (described["status"], described["redriveCount"]) == ("RUNNING", 1)
    execute(s, "advance 1m")
    assert call(s, op="describe", arn=arn)["status"] == "SUCCEEDED"
    # Step Functions' refusals: a SUCCEEDED execution, one of no execution, a batch job's
    # that is running.
    done = call(s, op="redrive", arn=arn)
    assert (done["error"], done["class"], done["message"]) == (
        "ExecutionNotRedrivable",
        "ExecutionNotRedrivable",
        "Execution is SUCCEEDED and cannot be redriven",
    )
    missing = call(s, op="redrive", arn=FLOW.replace(":stateMachine:", ":execution:") + ":nope")
    assert (missing["error"], missing["class"]) == ("ExecutionDoesNotExist",) * 2
    job = start(s, "r")
    running = call(s, op="redrive", arn=job)
    assert running["message"] == "Execution is RUNNING and cannot be redriven"


def test_redrive_execution_runs_a_failed_batch_job_execution_again(tmp_path: Path) -> None:
    s = session(tmp_path, extra=REDRIVE_GRANT)
    execute(s, "fail render next 2")
    arn = start(s, "twice")
    execute(s, "advance 1m")
    assert call(s, op="describe", arn=arn)["status"] == "FAILED"
    assert "redriveDate" in call(s, op="redrive", arn=arn)
    assert len(records(s.sim, tk.BATCH_REDRIVEN, "render")) == 1


def test_stop_execution_at_the_prompt_stops_a_batch_jobs_execution(tmp_path: Path) -> None:
    s = session(tmp_path)
    execute(s, "start-job render '{}'")
    (submitted,) = records(s.sim, tk.BATCH_SUBMITTED, "render")
    eid = submitted.get("execution_id")
    execute(s, "advance 3s")
    result = execute(s, f"stop-execution {eid[:8]} --error Cancelled")
    assert result.text == f"stopped execution {eid} of batch job render (ABORTED)"
    assert result.data["status"] == "ABORTED"
    (attempt,) = records(s.sim, tk.BATCH_ATTEMPT_FAILED, "render")
    assert attempt.get("error") == "JobTerminated"
    # Once it has ended it cannot be stopped again.
    with pytest.raises(CommandError, match="is already ABORTED"):
        execute(s, f"stop-execution {eid}")


def test_an_attempt_cannot_stop_its_own_execution_from_inside(tmp_path: Path) -> None:
    grant = "iamRoleStatements: [{Effect: Allow, Action: ['states:*'], Resource: ['*']}]"
    text = stack().replace("      retryConfig:", f"      {grant}\n      retryConfig:")
    (tmp_path / "stacktape.yml").write_text(text, encoding="utf-8")
    (tmp_path / "stptui.yml").write_text(
        "behaviors:\n  render:\n    handler: sj_job:handle\n", encoding="utf-8"
    )
    (tmp_path / "sj_job.py").write_text(
        "import boto3\n\nsfn = boto3.client('stepfunctions')\n\n\n"
        "def handle(event, context):\n"
        f"    page = sfn.list_executions(stateMachineArn='{MACHINE}')\n"
        "    sfn.stop_execution(executionArn=page['executions'][0]['executionArn'])\n",
        encoding="utf-8",
    )
    s = Session.open(tmp_path, start_ms=START, allow_code=True)
    execute(s, "start-job render '{}'")
    execute(s, "advance 1m")
    failures = records(s.sim, tk.BATCH_ATTEMPT_FAILED, "render")
    assert [f.get("error") for f in failures] == ["BehaviorError"] * 2
    assert "stptui cannot stop it from inside" in failures[0].get("error_message")


def test_a_batch_jobs_execution_has_no_map_runs(tmp_path: Path) -> None:
    grant = """iamRoleStatements:
        - Effect: Allow
          Action: [states:ListMapRuns]
          Resource: ['arn:aws:states:us-east-1:123456789012:execution:*']"""
    s = session(tmp_path, extra=grant)
    arn = start(s, "clip")
    # Stacktape's state machine for the job has no Map state: an empty list, not an error.
    assert call(s, op="map-runs", arn=arn) == {"mapRuns": []}
    gone = call(s, op="map-runs", arn=arn.rsplit(":", 1)[0] + ":nope")
    assert gone["error"] == "ExecutionDoesNotExist"
