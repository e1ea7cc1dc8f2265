"""A Python handler's ListExecutions of a Map Run (boto3's `list_executions(mapRunArn=...)`
and its paginator) and DescribeExecution of the child executions it lists: the children
that started, newest first, as the API reference shapes an ExecutionListItem of a Map Run
(`mapRunArn`, `itemCount`), each one describable; `statusFilter` and `redriveFilter`; the
errors the API names; and IAM, which checks ListExecutions against the Map Run's ARN and
DescribeExecution against the child's."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from stptui.commands import Session, execute
from tests import map_run_support
from tests.map_run_support import call, handlers, iso, start
from tests.simkit import START

CHILDREN = "arn:aws:states:us-east-1:123456789012:stateMachine:mr-dev-flow/Rows"
GRANT = """iamRoleStatements:
        - Effect: Allow
          Action: [states:ListMapRuns, states:DescribeExecution, states:StopExecution]
          Resource: ['arn:aws:states:us-east-1:123456789012:execution:mr-dev-flow*']
        - Effect: Allow
          Action: [states:ListExecutions]
          Resource: ['arn:aws:states:us-east-1:123456789012:mapRun:mr-dev-flow/*',
                     'arn:aws:states:us-east-1:123456789012:stateMachine:mr-dev-flow']"""
HANDLERS = handlers(
    """\
        if op == "runs":
            got = sfn.list_map_runs(executionArn=event["arn"])
        elif op == "list":
            got = sfn.list_executions(**event["args"])
        elif op == "pages":
            pages = sfn.get_paginator("list_executions").paginate(**event["args"])
            got = [e["executionArn"] for page in pages for e in page["executions"]]
        elif op == "stop":
            got = sfn.stop_execution(executionArn=event["arn"])
        else:
            got = sfn.describe_execution(executionArn=event["arn"])
"""
)


def session(tmp_path: Path, grant: str = GRANT) -> Session:
    """`app` runs HANDLERS with `grant`; `flow` is DEFINITION."""
    return map_run_support.session(tmp_path, grant, "mrc_app", HANDLERS)


def children(s: Session, run_arn: str, **args: Any) -> list[dict[str, Any]]:
    got = call(s, op="list", args={"mapRunArn": run_arn, **args})
    assert "executions" in got, got
    return got["executions"]


def test_a_map_runs_children_are_listed_as_they_start_newest_first(tmp_path: Path) -> None:
    s = session(tmp_path)
    ex = start(s, {1})
    (run_arn,) = ex.map_runs
    # MaxConcurrency 2: children 0 and 1 start, 1 fails at once (tolerated) and 2 takes its
    # place; 3 and 4 have not started: Step Functions has not made them yet.
    first = children(s, run_arn)
    assert [c["status"] for c in first] == ["RUNNING", "FAILED", "RUNNING"]
    newest = first[0]
    name = newest["name"]
    assert newest == {
        "executionArn": f"arn:aws:states:us-east-1:123456789012:execution:mr-dev-flow/Rows:{name}",
        "stateMachineArn": CHILDREN,
        "name": name,
        "status": "RUNNING",
        "startDate": iso(START),
        "mapRunArn": run_arn,
        "itemCount": 1,
    }
    assert first[1]["stopDate"] == iso(START)
    execute(s, "advance 10s")
    # 0 and 2 ended at 10 s; 3 and 4 started then (not when the run did), so they are newest.
    later = children(s, run_arn)
    assert len(later) == 5
    assert [c["startDate"] for c in later[:2]] == [iso(START + 10_000)] * 2
    assert later[2:] == [
        {**c, "status": "SUCCEEDED", "stopDate": iso(START + 10_000)}
        if c["status"] == "RUNNING"
        else c
        for c in first
    ]
    assert [c["name"] for c in children(s, run_arn, statusFilter="SUCCEEDED")] == [
        first[0]["name"],
        first[2]["name"],
    ]
    assert children(s, run_arn, redriveFilter="REDRIVEN") == []
    # Pages of 2 by nextToken, and boto3's paginator over them.
    page = call(s, op="list", args={"mapRunArn": run_arn, "maxResults": 2})
    assert page["executions"] == later[:2] and "nextToken" in page
    every = call(s, op="pages", args={"mapRunArn": run_arn, "maxResults": 2})
    assert every == [c["executionArn"] for c in later]
    # The parent's own listing still lists the parent only.
    (own,) = call(s, op="list", args={"stateMachineArn": ex.machine.arn})["executions"]
    assert own["executionArn"] == ex.arn and "mapRunArn" not in own


def test_every_listed_child_is_describable(tmp_path: Path) -> None:
    s = session(tmp_path)
    ex = start(s, {1})
    (run_arn,) = ex.map_runs
    execute(s, "advance 30s")
    assert ex.status == "SUCCEEDED"
    listed = children(s, run_arn)
    for item in listed:
        got = call(s, op="describe", arn=item["executionArn"])
        same = {k: v for k, v in item.items() if k != "itemCount"}
        assert {k: got[k] for k in same} == same
    failed = next(c for c in listed if c["status"] == "FAILED")
    bad = call(s, op="describe", arn=failed["executionArn"])
    assert (bad["input"], bad["error"], bad["cause"]) == (
        '{"n":1,"fail":true}',
        "Bad",
        "a bad item",
    )
    # The run tolerated the failure and succeeded: nothing reruns it.
    assert (bad["redriveStatus"], bad["redriveCount"]) == ("NOT_REDRIVABLE", 0)
    assert "output" not in bad
    ok = call(s, op="describe", arn=listed[0]["executionArn"])
    assert ok["output"] == ok["input"] and ok["outputDetails"] == {"included": True}
    assert ok["redriveStatusReason"] == "Execution is SUCCEEDED and cannot be redriven"


def test_a_failed_runs_children_are_redriven_with_it(tmp_path: Path) -> None:
    s = session(tmp_path)
    ex = start(s, {1, 2})
    execute(s, "advance 1m")
    assert ex.status == "FAILED"
    (run_arn,) = ex.map_runs
    before = {c["name"]: c for c in children(s, run_arn)}
    aborted = next(c for c in before.values() if c["status"] == "ABORTED")
    assert aborted["stopDate"] == iso(START)
    got = call(s, op="describe", arn=aborted["executionArn"])
    assert (got["status"], got["redriveStatus"]) == ("ABORTED", "REDRIVABLE_BY_MAP_RUN")
    execute(s, f"redrive-execution {ex.name}")
    # The redrive resumes the unsuccessful children under their names and start dates.
    after = {c["name"]: c for c in children(s, run_arn)}
    assert after.keys() == before.keys()
    redriven = children(s, run_arn, redriveFilter="REDRIVEN")
    assert len(redriven) == 3 and children(s, run_arn, redriveFilter="NOT_REDRIVEN") == []
    for c in redriven:
        assert c["startDate"] == before[c["name"]]["startDate"]
        assert (c["redriveCount"], c["redriveDate"]) == (1, iso(ex.redrive_ms or 0))
    again = call(s, op="describe", arn=aborted["executionArn"])
    assert again["redriveCount"] == 1


def test_refusals_are_the_errors_the_api_names(tmp_path: Path) -> None:
    s = session(tmp_path)
    ex = start(s, set())
    (run_arn,) = ex.map_runs

    def error(**args: Any) -> tuple[str, str]:
        got = call(s, op="list", args=args)
        return got["error"], got["message"]

    code, message = error(mapRunArn=run_arn, stateMachineArn=ex.machine.arn)
    assert code == "ValidationException" and "stateMachineArn and mapRunArn" in message
    assert error() == (
        "ValidationException",
        "1 validation error detected: Must provide a StateMachine ARN or MapRun ARN",
    )
    code, message = error(mapRunArn=run_arn, redriveFilter="SOMETIMES")
    assert code == "ValidationException"
    assert "Member must satisfy enum value set: [REDRIVEN, NOT_REDRIVEN]" in message
    code, message = error(stateMachineArn=ex.machine.arn, statusFilter="PENDING_REDRIVE")
    assert code == "ValidationException" and "mapRunArn" in message
    assert error(mapRunArn=ex.arn) == (
        "InvalidArn",
        "Invalid Arn: 'Resource type not valid in this context: execution'",
    )
    unknown = run_arn.rsplit(":", 1)[0] + ":00000000-0000-0000-0000-000000000000"
    assert error(mapRunArn=unknown) == ("ResourceNotFound", f"Resource not found: '{unknown}'")
    token = call(s, op="list", args={"mapRunArn": run_arn, "nextToken": "xyz"})
    assert token["error"] == "InvalidToken"
    # Children 2 to 4 have not started: no execution of that ARN exists yet.
    listed = {c["executionArn"] for c in children(s, run_arn)}
    pending = next(c["Id"] for c in ex.map_runs[run_arn].executions if c["Id"] not in listed)
    nope = call(s, op="describe", arn=pending)
    assert (nope["error"], nope["class"]) == ("ExecutionDoesNotExist", "ExecutionDoesNotExist")
    # A child is a flow of its parent: stopping it alone is not modelled, and says so.
    result = execute(s, f"invoke app '{json.dumps({'op': 'stop', 'arn': sorted(listed)[0]})}'")
    assert "child execution of a Distributed Map's run" in result.text


def test_connect_to_alone_grants_neither_call(tmp_path: Path) -> None:
    s = session(tmp_path, grant="connectTo: [flow]")
    ex = start(s, set())
    (run_arn,) = ex.map_runs
    (child, *_) = ex.map_runs[run_arn].executions
    listed = call(s, op="list", args={"mapRunArn": run_arn})
    assert listed["error"] == "AccessDeniedException"
    assert f"states:ListExecutions on resource: {run_arn} " in listed["message"]
    described = call(s, op="describe", arn=child["Id"])
    assert described["error"] == "AccessDeniedException"
    assert f"states:DescribeExecution on resource: {child['Id']} " in described["message"]
    # Its own executions' calls are granted as before.
    assert "executions" in call(s, op="list", args={"stateMachineArn": ex.machine.arn})
