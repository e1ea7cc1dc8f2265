"""RedriveExecution: an unsuccessful execution runs on from the states that did not succeed
(only the failed branches and iterations of a Parallel or Map), with its TimeoutSeconds
started again, `$$.Execution.RedriveCount`, an ExecutionRedriven history event; and every
refusal (RUNNING, SUCCEEDED, 14 days after the stop, before the launch of redrive) is
ExecutionNotRedrivable with Step Functions' reason, changing nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from session_checks import refused

from stptui.commands import Session, execute
from stptui.commands.session import trace_sha256
from stptui.sim.clock import parse_instant
from tests.test_state_machine import T0, kinds, open_stack, start, task


def entered(s: Session, state: str) -> int:
    """How many times `state` (as the trace shows it) was entered."""
    return sum(1 for k in kinds(s) if k[1] == "sfn.state.entered" and k[2] == state)


def two_steps() -> dict[str, Any]:
    return {
        "StartAt": "Prepare",
        "States": {
            "Prepare": {"Type": "Pass", "Result": {"n": 1}, "Next": "Work"},
            "Work": task(
                {"End": True},
                Parameters={"n.$": "$.n", "redrives.$": "$$.Execution.RedriveCount"},
            ),
        },
    }


def test_a_redrive_reruns_the_failed_task_with_its_input_and_not_what_succeeded(
    tmp_path: Path,
) -> None:
    s = open_stack(tmp_path, two_steps(), "behaviors:\n  work: {response: '@'}\n")
    execute(s, "fail work next 1")
    ex = start(s, name="run-1")
    execute(s, "advance 1m")
    assert ex.status == "FAILED"
    out = execute(s, "redrive-execution run-1")
    assert out.text.startswith("redrove execution run-1 of flow (redrive 1, RUNNING)")
    execute(s, "advance 1m")
    assert (ex.status, ex.output) == ("SUCCEEDED", {"n": 1, "redrives": 1})
    assert entered(s, "Prepare") == 1
    assert entered(s, "Work") == 2
    events = [h.what for h in ex.history]
    assert events[events.index("ExecutionFailed") + 1] == "ExecutionRedriven"
    assert execute(s, "expect state_machine.flow.redriven == 1").data["ok"]
    shown = execute(s, "show execution run-1")
    assert "redriven: 1x, last at" in shown.text
    assert shown.data["redriveStatus"] == "NOT_REDRIVABLE"
    assert shown.data["redriveStatusReason"] == "Execution is SUCCEEDED and cannot be redriven"
    assert [k[1] for k in kinds(s, "sfn.execution.")].count("sfn.execution.redriven") == 1


def test_refusals_say_why_as_step_functions_does(tmp_path: Path) -> None:
    definition = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 5, "End": True}}}
    s = open_stack(tmp_path, definition)
    start(s, name="w")
    err = refused(s, "redrive-execution w")
    assert str(err) == "ExecutionNotRedrivable: Execution is RUNNING and cannot be redriven"
    execute(s, "advance 10s")
    err = refused(s, "redrive-execution w")
    assert str(err) == "ExecutionNotRedrivable: Execution is SUCCEEDED and cannot be redriven"
    start(s, name="stopped")
    execute(s, "stop-execution stopped")
    execute(s, "advance 14d")
    shown = execute(s, "show execution stopped").data
    assert (shown["status"], shown["redriveStatus"]) == ("ABORTED", "REDRIVABLE")
    execute(s, "advance 1ms")
    err = refused(s, "redrive-execution stopped")
    assert str(err) == "ExecutionNotRedrivable: Execution redrivable period exceeded"
    assert "start a new execution" in str(err.hint)


def test_an_execution_started_before_redrive_existed_is_not_redrivable(tmp_path: Path) -> None:
    definition = {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "E"}}}
    open_stack(tmp_path, definition)
    s = Session.open(tmp_path, start_ms=parse_instant("2023-11-14T23:59:59Z"))
    start(s, name="old")
    err = refused(s, "redrive-execution old")
    assert "started before the launch of RedriveExecution" in str(err)


def test_only_the_failed_branch_of_a_parallel_runs_again(tmp_path: Path) -> None:
    definition = {
        "StartAt": "Fan",
        "States": {
            "Fan": {
                "Type": "Parallel",
                "End": True,
                "Branches": [
                    {"StartAt": "A", "States": {"A": task({"End": True})}},
                    {
                        "StartAt": "B",
                        "States": {
                            "B": task(
                                {"End": True}, Resource={"Fn::GetAtt": ["OtherFunction", "Arn"]}
                            )
                        },
                    },
                ],
            }
        },
    }
    behaviors = "behaviors:\n  work: {response: '`1`'}\n  other: {response: '`2`'}\n"
    s = open_stack(tmp_path, definition, behaviors, work="", other="")
    execute(s, "fail other next 1")
    ex = start(s)
    execute(s, "advance 1m")
    assert ex.status == "FAILED"
    execute(s, f"redrive-execution {ex.name}")
    execute(s, "advance 1m")
    assert (ex.status, ex.output) == ("SUCCEEDED", [1, 2])
    assert (entered(s, "Fan/0/A"), entered(s, "Fan/1/B")) == (1, 2)


def test_only_the_failed_iterations_of_a_map_run_again(tmp_path: Path) -> None:
    definition = {
        "StartAt": "Each",
        "States": {
            "Each": {
                "Type": "Map",
                "ItemsPath": "$.items",
                "End": True,
                "ItemProcessor": {"StartAt": "W", "States": {"W": task({"End": True})}},
            }
        },
    }
    behaviors = "behaviors:\n  work: {duration: 1s, response: '@'}\n"
    s = open_stack(tmp_path, definition, behaviors)
    execute(s, "fail work when '@ == `2`'")
    ex = start(s, {"items": [1, 2, 3]})
    execute(s, "advance 1m")
    assert ex.status == "FAILED"
    execute(s, "succeed work")
    execute(s, f"redrive-execution {ex.name}")
    execute(s, "advance 1m")
    assert (ex.status, ex.output) == ("SUCCEEDED", [1, 2, 3])
    # At 1 s iteration 0 succeeded, then 1 failed and stopped 2: 1 and 2 run again.
    assert [entered(s, f"Each/{i}/W") for i in range(3)] == [1, 2, 2]


def test_a_map_keeps_the_iterations_that_succeeded(tmp_path: Path) -> None:
    definition = {
        "StartAt": "Each",
        "States": {
            "Each": {
                "Type": "Map",
                "End": True,
                "MaxConcurrency": 1,
                "ItemProcessor": {"StartAt": "W", "States": {"W": task({"End": True})}},
            }
        },
    }
    s = open_stack(tmp_path, definition, "behaviors:\n  work: {response: '@'}\n")
    execute(s, "fail work when '@ == `2`'")
    ex = start(s, [1, 2, 3])
    execute(s, "advance 1m")
    assert ex.status == "FAILED"
    execute(s, "succeed work")
    execute(s, f"redrive-execution {ex.name}")
    execute(s, "advance 1m")
    assert (ex.status, ex.output) == ("SUCCEEDED", [1, 2, 3])
    assert [entered(s, f"Each/{i}/W") for i in range(3)] == [1, 2, 1]


def test_the_execution_timeout_starts_again(tmp_path: Path) -> None:
    definition = {
        "TimeoutSeconds": 5,
        "StartAt": "W",
        "States": {"W": {"Type": "Wait", "Seconds": 10, "End": True}},
    }
    s = open_stack(tmp_path, definition)
    ex = start(s)
    execute(s, "advance 1m")
    assert (ex.status, ex.stop_ms) == ("TIMED_OUT", T0 + 5000)
    execute(s, f"redrive-execution {ex.name}")
    execute(s, "advance 1m")
    assert (ex.status, ex.stop_ms) == ("TIMED_OUT", T0 + 60_000 + 5000)
    assert ex.redrive_count == 1


def test_an_aborted_execution_resumes_and_replays_identically(tmp_path: Path) -> None:
    s = open_stack(tmp_path, two_steps(), "behaviors:\n  work: {duration: 5s, response: '@'}\n")
    execute(s, "start-execution flow '{\"a\": 1}' --name r")
    execute(s, "advance 1s")
    execute(s, "stop-execution r --error Oops")
    execute(s, "redrive-execution r")
    execute(s, "advance 1m")
    assert execute(s, "show execution r").data["output"] == {"n": 1, "redrives": 1}
    saved = tmp_path / "s.json"
    execute(s, f"save {saved}")
    again = Session.open(tmp_path, start_ms=T0)
    execute(again, f"load {saved}")
    assert trace_sha256(again.sim.trace) == trace_sha256(s.sim.trace)
