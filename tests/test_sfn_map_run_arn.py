"""A Distributed Map's Map Run ARN: `arn:aws:states:REGION:ACCOUNT:mapRun:STATE_MACHINE/
LABEL:ID` (its child executions' ARNs are `...:execution:STATE_MACHINE/LABEL:NAME`), in the
`sfn.map_run.*` records and in `show execution`, with the run's status: SUCCEEDED or FAILED
as it ended, RUNNING again when a redrive reruns it, ABORTED when the execution ended
first."""

from __future__ import annotations

import re
from pathlib import Path

from stptui.commands import execute
from stptui.commands.result import render_plain
from stptui.sim.services.state_machine import lookup_machine
from tests.test_state_machine_distributed import distributed, items, open_stack, run

RUN_ARN = re.compile(
    r"arn:aws:states:us-east-1:123456789012:mapRun:app-dev-flow/Rows:[0-9a-f-]{36}"
)


def test_show_execution_names_each_map_run_and_its_status(tmp_path: Path) -> None:
    s = open_stack(tmp_path, distributed(Label="Rows"))
    ex = run(s, items(3, {1}))
    assert ex.status == "FAILED"
    shown = execute(s, f"show execution {ex.name}")
    (one,) = shown.data["mapRuns"]
    assert RUN_ARN.fullmatch(one["mapRunArn"])
    assert (one["state"], one["status"]) == ("Each", "FAILED")
    assert f"  map run: Each FAILED, {one['mapRunArn']}" in render_plain(shown)
    # The redrive reruns the same Map Run (MapRunRedriven): one ARN still, and the item that
    # failed fails it again.
    execute(s, f"redrive-execution {ex.name}")
    again = execute(s, f"show execution {ex.name}").data["mapRuns"]
    assert [(r["mapRunArn"], r["status"]) for r in again] == [(one["mapRunArn"], "FAILED")]


def test_a_map_run_the_execution_outlives_is_aborted(tmp_path: Path) -> None:
    slow = {"StartAt": "Hold", "States": {"Hold": {"Type": "Wait", "Seconds": 30, "End": True}}}
    s = open_stack(tmp_path, distributed(slow, Label="Rows"))
    ex = lookup_machine(s.sim, "flow").start([1, 2])
    running = execute(s, f"show execution {ex.name}").data["mapRuns"]
    assert [r["status"] for r in running] == ["RUNNING"]
    execute(s, f"stop-execution {ex.name}")
    (stopped,) = execute(s, f"show execution {ex.name}").data["mapRuns"]
    assert (stopped["status"], stopped["stopDate"]) == ("ABORTED", running[0]["startDate"])
