"""A JSONPath Task's `TimeoutSecondsPath` and `HeartbeatSecondsPath`, and a Map's
`MaxConcurrencyPath`: reference paths into the state's input, which "must select fields whose
values are positive integers" (Task) and "a field whose value is a non-negative integer" (Map
state, developer guide). Accepted by `validate` before, they were ignored at run time: the
task ran without a timeout, the Map without a limit."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import pytest

from stptui.commands import Session, execute
from stptui.sim.asl import check_definition
from stptui.sim.services.state_machine import Execution, lookup_machine
from tests.simkit import START

PKG = "packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}"


def run(definition: dict[str, Any], payload: Any) -> Execution:
    """An execution of `definition` with `payload`, run for 10 minutes; the function `work`
    runs 5 s."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "stacktape.yml").write_text(
            f"resources:\n  work:\n    type: function\n    properties:\n      {PKG}\n"
            "  flow:\n    type: state-machine\n    properties:\n"
            f"      definition: {json.dumps(definition)}\n",
            encoding="utf-8",
        )
        (folder / "stptui.yml").write_text("behaviors:\n  work: {duration: 5s}\n", encoding="utf-8")
        s = Session.open(folder, start_ms=START)
        ex = lookup_machine(s.sim, "flow").start(payload)
        execute(s, "advance 10m")
        return ex


def task(**fields: Any) -> dict[str, Any]:
    state = {
        "Type": "Task",
        "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": {"FunctionName": "work", "Payload": {}},
        "End": True,
        **fields,
    }
    return {"StartAt": "Work", "States": {"Work": state}}


def test_timeout_seconds_path_ends_the_task_at_the_inputs_value() -> None:
    ex = run(task(TimeoutSecondsPath="$.limit"), {"limit": 2})
    assert (ex.status, ex.error, ex.stop_ms) == ("FAILED", "States.Timeout", START + 2000)
    # A longer one lets the 5 s function finish.
    assert run(task(TimeoutSecondsPath="$.limit"), {"limit": 60}).status == "SUCCEEDED"


def test_heartbeat_seconds_path_ends_the_task_at_the_inputs_value() -> None:
    ex = run(task(HeartbeatSecondsPath="$.beat", TimeoutSeconds=60), {"beat": 3})
    assert (ex.error, ex.stop_ms) == ("States.HeartbeatTimeout", START + 3000)


@pytest.mark.parametrize("value", [0, -1, 1.5, "2", True, None])
def test_a_timeout_path_to_anything_but_a_positive_integer_is_a_runtime_error(value: Any) -> None:
    ex = run(task(TimeoutSecondsPath="$.limit"), {"limit": value})
    assert (ex.status, ex.error, ex.stop_ms) == ("FAILED", "States.Runtime", START)
    assert ex.cause == (
        "An error occurred while executing the state 'Work'. The value of TimeoutSecondsPath "
        f"$.limit is not valid for TimeoutSeconds: {json.dumps(value, separators=(',', ':'))}"
    )


def test_a_timeout_path_that_selects_nothing_is_a_runtime_error() -> None:
    ex = run(task(TimeoutSecondsPath="$.limit"), {})
    assert ex.error == "States.Runtime"
    assert "No results for path: $['limit']" in str(ex.cause)


def each(**fields: Any) -> dict[str, Any]:
    hold = {"StartAt": "Hold", "States": {"Hold": {"Type": "Wait", "Seconds": 2, "End": True}}}
    state = {"Type": "Map", "ItemsPath": "$.items", "ItemProcessor": hold, "End": True, **fields}
    return {"StartAt": "Each", "States": {"Each": state}}


def test_max_concurrency_path_limits_the_iterations_at_once() -> None:
    items = [1, 2, 3, 4]
    # Two at once: two rounds of 2 s.
    ex = run(each(MaxConcurrencyPath="$.limit"), {"limit": 2, "items": items})
    assert (ex.status, ex.stop_ms) == ("SUCCEEDED", START + 4000)
    # 0 is no limit: all at once.
    assert run(each(MaxConcurrencyPath="$.limit"), {"limit": 0, "items": items}).stop_ms == (
        START + 2000
    )


def test_a_negative_max_concurrency_path_value_is_a_runtime_error() -> None:
    ex = run(each(MaxConcurrencyPath="$.limit"), {"limit": -1, "items": [1]})
    assert (ex.status, ex.error) == ("FAILED", "States.Runtime")
    assert "MaxConcurrencyPath $.limit is not valid for MaxConcurrency: -1" in str(ex.cause)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"TimeoutSeconds": 5, "TimeoutSecondsPath": "$.t"},
            "A Task state may have 'TimeoutSeconds' or 'TimeoutSecondsPath', not both",
        ),
        (
            {"HeartbeatSecondsPath": "beat"},
            "The value for the field 'HeartbeatSecondsPath' must be a valid ReferencePath: "
            "'beat' does not start with '$'",
        ),
    ],
)
def test_validate_checks_the_task_path_fields(fields: dict[str, Any], message: str) -> None:
    (problem,) = check_definition(task(**fields))
    assert (problem.severity, problem.message) == ("error", message)


def test_validate_checks_max_concurrency_path() -> None:
    (both,) = check_definition(each(MaxConcurrency=1, MaxConcurrencyPath="$.c"))
    assert both.message == "A Map state may have 'MaxConcurrency' or 'MaxConcurrencyPath', not both"
    (bad,) = check_definition(each(MaxConcurrencyPath="$.c[?(@.x)]"))
    assert bad.message.startswith(
        "The value for the field 'MaxConcurrencyPath' must be a valid ReferencePath"
    )
    assert check_definition(each(MaxConcurrencyPath="$$.Execution.Input.c")) == []
