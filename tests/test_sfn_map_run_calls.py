"""A Python handler's ListMapRuns and DescribeMapRun (boto3's `list_map_runs` and
`describe_map_run`): the Map Runs an execution's Distributed Maps started, and one run's
configuration, status, dates, redrives and counts of items and child executions by status,
as the API reference shapes them; the errors the API names (ExecutionDoesNotExist,
InvalidArn, InvalidToken, ResourceNotFound); and IAM, which checks ListMapRuns against the
execution's ARN and DescribeMapRun against the Map Run's, neither of which Stacktape's
`connectTo` a state machine grants."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from stptui.commands import Session, execute
from tests import map_run_support
from tests.map_run_support import DEFINITION, call, handlers, iso, start
from tests.simkit import START

FLOW = "arn:aws:states:us-east-1:123456789012:stateMachine:mr-dev-flow"
GRANT = """iamRoleStatements:
        - Effect: Allow
          Action: [states:ListMapRuns]
          Resource: ['arn:aws:states:us-east-1:123456789012:execution:mr-dev-flow:*']
        - Effect: Allow
          Action: [states:DescribeMapRun]
          Resource: ['arn:aws:states:us-east-1:123456789012:mapRun:mr-dev-flow/*']"""
HANDLERS = handlers(
    """\
        if op == "list":
            got = sfn.list_map_runs(**event["args"])
        elif op == "pages":
            pages = sfn.get_paginator("list_map_runs").paginate(**event["args"])
            got = [r["mapRunArn"] for page in pages for r in page["mapRuns"]]
        else:
            got = sfn.describe_map_run(mapRunArn=event["arn"])
"""
)


def session(tmp_path: Path, grant: str = GRANT, definition: Any = DEFINITION) -> Session:
    """`app` runs HANDLERS with `grant`; `flow` is `definition`."""
    return map_run_support.session(tmp_path, grant, "mr_app", HANDLERS, definition)


def test_describe_map_run_counts_items_and_child_executions_as_they_run(tmp_path: Path) -> None:
    s = session(tmp_path)
    ex = start(s, {1})
    (listed,) = call(s, op="list", args={"executionArn": ex.arn})["mapRuns"]
    run_arn = listed["mapRunArn"]
    assert run_arn.startswith("arn:aws:states:us-east-1:123456789012:mapRun:mr-dev-flow/Rows:")
    # The state machine that started the run, not its children's `.../Rows` one.
    assert listed == {
        "executionArn": ex.arn,
        "mapRunArn": run_arn,
        "stateMachineArn": FLOW,
        "startDate": iso(START),
    }
    running = call(s, op="describe", arn=run_arn)
    # MaxConcurrency 2: children 0 and 1 start; 1 fails at once (tolerated), 2 takes its
    # place; 3 and 4 wait for a slot.
    assert running["executionCounts"] == {
        "pending": 2,
        "running": 2,
        "succeeded": 0,
        "failed": 1,
        "timedOut": 0,
        "aborted": 0,
        "total": 5,
        "resultsWritten": 0,
        "failuresNotRedrivable": 0,
        "pendingRedrive": 0,
    }
    assert running["itemCounts"] == running["executionCounts"]
    assert {k: running[k] for k in ("status", "maxConcurrency", "toleratedFailureCount")} == {
        "status": "RUNNING",
        "maxConcurrency": 2,
        "toleratedFailureCount": 1,
    }
    assert running["toleratedFailurePercentage"] == 0.0
    assert "stopDate" not in running and running["redriveCount"] == 0
    execute(s, "advance 1m")
    done = call(s, op="describe", arn=run_arn)
    assert done["status"] == "SUCCEEDED" and ex.status == "SUCCEEDED"
    assert done["stopDate"] == iso(START + 20_000)
    counts = done["executionCounts"]
    assert (counts["succeeded"], counts["failed"], counts["pending"], counts["running"]) == (
        4,
        1,
        0,
        0,
    )
    (ended,) = call(s, op="list", args={"executionArn": ex.arn})["mapRuns"]
    assert ended["stopDate"] == iso(START + 20_000)


def test_a_batched_runs_item_counts_weigh_each_child_by_its_items(tmp_path: Path) -> None:
    definition = json.loads(json.dumps(DEFINITION))
    each = definition["States"]["Each"]
    each["ItemBatcher"] = {"MaxItemsPerBatch": 2}
    del each["MaxConcurrency"], each["ToleratedFailureCount"]
    each["ToleratedFailurePercentage"] = 50
    each["ItemProcessor"] = {
        "StartAt": "Done",
        "States": {"Done": {"Type": "Pass", "End": True}},
        "ProcessorConfig": {"Mode": "DISTRIBUTED"},
    }
    s = session(tmp_path, definition=definition)
    ex = start(s, set())
    execute(s, "advance 1s")
    (listed,) = call(s, op="list", args={"executionArn": ex.arn})["mapRuns"]
    got = call(s, op="describe", arn=listed["mapRunArn"])
    # 5 items in batches of 2: 3 child executions; no MaxConcurrency given answers 0.
    assert (got["executionCounts"]["total"], got["itemCounts"]["total"]) == (3, 5)
    assert (got["executionCounts"]["succeeded"], got["itemCounts"]["succeeded"]) == (3, 5)
    assert (got["maxConcurrency"], got["toleratedFailurePercentage"]) == (0, 50.0)


def test_a_run_that_fails_aborts_its_running_children_and_a_redrive_counts(
    tmp_path: Path,
) -> None:
    s = session(tmp_path)
    ex = start(s, {1, 2})
    execute(s, "advance 1m")
    assert ex.status == "FAILED"
    (listed,) = call(s, op="list", args={"executionArn": ex.arn})["mapRuns"]
    failed = call(s, op="describe", arn=listed["mapRunArn"])
    # Children 1 and 2 failed (more than the one tolerated) while 0 ran: it is aborted,
    # and 3 and 4 never started.
    counts = failed["executionCounts"]
    assert failed["status"] == "FAILED"
    assert {k: counts[k] for k in ("failed", "aborted", "pending", "running")} == {
        "failed": 2,
        "aborted": 1,
        "pending": 2,
        "running": 0,
    }
    assert failed["stopDate"] == iso(START)
    execute(s, "advance 1m")
    execute(s, f"redrive-execution {ex.name}")
    # The same Map Run again (its start kept), whose failed children fail again at once.
    again = call(s, op="describe", arn=listed["mapRunArn"])
    assert (again["status"], again["redriveCount"]) == ("FAILED", 1)
    assert again["redriveDate"] == again["stopDate"] == iso(ex.redrive_ms or 0)
    assert again["startDate"] == iso(START)


def test_a_run_its_execution_outlives_is_aborted(tmp_path: Path) -> None:
    s = session(tmp_path)
    ex = start(s, set())
    execute(s, "advance 2s")
    execute(s, f"stop-execution {ex.name}")
    (listed,) = call(s, op="list", args={"executionArn": ex.arn})["mapRuns"]
    got = call(s, op="describe", arn=listed["mapRunArn"])
    assert (got["status"], got["stopDate"]) == ("ABORTED", iso(START + 2_000))
    assert (got["executionCounts"]["aborted"], got["executionCounts"]["pending"]) == (2, 3)
    assert listed["stopDate"] == iso(START + 2_000)


def test_list_map_runs_pages_the_runs_newest_first(tmp_path: Path) -> None:
    twice = {
        "StartAt": "First",
        "States": {
            "First": {**DEFINITION["States"]["Each"], "End": False, "Next": "Second"},
            "Second": {**DEFINITION["States"]["Each"], "Label": "Again", "ResultPath": None},
        },
    }
    twice["States"]["First"].pop("End")
    twice["States"]["First"]["ResultPath"] = None
    s = session(tmp_path, definition=twice)
    ex = start(s, set(), n=2)
    execute(s, "advance 1m")
    assert ex.status == "SUCCEEDED"
    arns = list(ex.map_runs)
    assert [a.split(":")[6] for a in arns] == ["mr-dev-flow/Rows", "mr-dev-flow/Again"]
    page = call(s, op="list", args={"executionArn": ex.arn, "maxResults": 1})
    assert [r["mapRunArn"] for r in page["mapRuns"]] == [arns[1]]
    rest = call(s, op="list", args={"executionArn": ex.arn, "nextToken": page["nextToken"]})
    assert [r["mapRunArn"] for r in rest["mapRuns"]] == [arns[0]] and "nextToken" not in rest
    assert call(s, op="pages", args={"executionArn": ex.arn, "maxResults": 1}) == arns[::-1]


def test_refusals_are_the_errors_the_api_names(tmp_path: Path) -> None:
    s = session(tmp_path)
    ex = start(s, set())
    execute(s, "advance 1m")
    (listed,) = call(s, op="list", args={"executionArn": ex.arn})["mapRuns"]
    missing = ex.arn.rsplit(":", 1)[0] + ":nope"
    gone = call(s, op="list", args={"executionArn": missing})
    assert (gone["error"], gone["class"]) == ("ExecutionDoesNotExist", "ExecutionDoesNotExist")
    bad = call(s, op="list", args={"executionArn": FLOW})
    assert (bad["error"], bad["class"]) == ("InvalidArn", "InvalidArn")
    token = call(s, op="list", args={"executionArn": ex.arn, "nextToken": "xyz"})
    assert token["error"] == "InvalidToken"
    size = call(s, op="list", args={"executionArn": ex.arn, "maxResults": 1001})
    assert size["error"] == "ValidationException"
    unknown = listed["mapRunArn"].rsplit(":", 1)[0] + ":00000000-0000-0000-0000-000000000000"
    nf = call(s, op="describe", arn=unknown)
    assert (nf["error"], nf["class"]) == ("ResourceNotFound", "ResourceNotFound")
    assert unknown in nf["message"]
    wrong = call(s, op="describe", arn=ex.arn)
    assert wrong["error"] == "InvalidArn"
    assert wrong["message"] == "Invalid Arn: 'Resource type not valid in this context: execution'"


def test_connect_to_alone_grants_neither_call(tmp_path: Path) -> None:
    s = session(tmp_path, grant="connectTo: [flow]")
    ex = start(s, set())
    execute(s, "advance 1m")
    listed = call(s, op="list", args={"executionArn": ex.arn})
    assert listed["error"] == "AccessDeniedException"
    assert f"states:ListMapRuns on resource: {ex.arn} " in listed["message"]
    (run_arn,) = ex.map_runs
    described = call(s, op="describe", arn=run_arn)
    assert described["error"] == "AccessDeniedException"
    assert f"states:DescribeMapRun on resource: {run_arn} " in described["message"]
