"""GetExecutionHistory of Map and Parallel states (a Python handler's boto3 call): the events
AWS writes for them (MapStateStarted with its `length`, each iteration's
MapIterationStarted / Succeeded / Failed / Aborted with its `name` and `index`,
MapStateSucceeded / Failed / Aborted, and the Parallel ones), interleaved with the events of
the states they run, each linked by `previousEventId` to the event that led to it as AWS's
recorded histories link them; the lines `show execution` and the inspector show of them; and
their data kept only under --allow-code."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rich.text import Text

from stptui.commands import Session, execute
from stptui.sim.services.state_machine import lookup_machine
from stptui.tui.widgets.inspector_machines import state_machine_section
from tests import map_run_support
from tests.test_sfn_execution_history import history, run_one, session

# An item with "bad": true fails (error Bad); any other waits `hold` seconds.
CHECK = {
    "StartAt": "Check",
    "States": {
        "Check": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.bad", "BooleanEquals": True, "Next": "Bad"}],
            "Default": "Hold",
        },
        "Bad": {"Type": "Fail", "Error": "Bad", "Cause": "a bad item"},
        "Hold": {"Type": "Wait", "Seconds": 1, "End": True},
    },
}
ITEMS = [{"bad": False}, {"bad": True}, {"bad": False}]


def inline_map(**fields: Any) -> dict[str, Any]:
    return {
        "StartAt": "Each",
        "States": {"Each": {"Type": "Map", "ItemProcessor": CHECK, **fields, "End": True}},
    }


def links(events: list[dict[str, Any]]) -> list[tuple[int, int, str]]:
    """Each event's id, previousEventId and type."""
    return [(e["id"], e["previousEventId"], e["type"]) for e in events]


def test_a_map_of_three_items_one_at_a_time_fails_at_the_failing_iteration(
    tmp_path: Path,
) -> None:
    s = session(tmp_path, definition=inline_map(MaxConcurrency=1))
    events = history(s, run_one(s, ITEMS))["events"]
    # As AWS's recorded histories have them: an iteration starts from the last event of
    # the one before it; the Map fails from the failing iteration's last state, and the
    # third item never starts.
    assert links(events) == [
        (1, 0, "ExecutionStarted"),
        (2, 0, "MapStateEntered"),
        (3, 2, "MapStateStarted"),
        (4, 3, "MapIterationStarted"),
        (5, 4, "ChoiceStateEntered"),
        (6, 5, "ChoiceStateExited"),
        (7, 6, "WaitStateEntered"),
        (8, 7, "WaitStateExited"),
        (9, 8, "MapIterationSucceeded"),
        (10, 8, "MapIterationStarted"),
        (11, 10, "ChoiceStateEntered"),
        (12, 11, "ChoiceStateExited"),
        (13, 12, "FailStateEntered"),
        (14, 13, "MapIterationFailed"),
        (15, 13, "MapStateFailed"),
        (16, 15, "ExecutionFailed"),
    ]
    assert events[2]["mapStateStartedEventDetails"] == {"length": 3}
    assert events[3]["mapIterationStartedEventDetails"] == {"name": "Each", "index": 0}
    assert events[8]["mapIterationSucceededEventDetails"] == {"name": "Each", "index": 0}
    assert events[13]["mapIterationFailedEventDetails"] == {"name": "Each", "index": 1}
    assert "mapStateFailedEventDetails" not in events[14]
    # The first item waits 1 s; the second starts then, and fails at once.
    assert events[6]["timestamp"] < events[7]["timestamp"] == events[15]["timestamp"]


def test_a_failing_iteration_aborts_the_running_ones_and_a_catch_goes_on(tmp_path: Path) -> None:
    catch = [{"ErrorEquals": ["Bad"], "Next": "Caught"}]
    definition = inline_map(Catch=catch)
    definition["States"]["Each"]["Next"] = "Caught"
    del definition["States"]["Each"]["End"]
    definition["States"]["Caught"] = {"Type": "Pass", "End": True}
    s = session(tmp_path, definition=definition)
    events = history(s, run_one(s, ITEMS))["events"]
    assert links(events) == [
        (1, 0, "ExecutionStarted"),
        (2, 0, "MapStateEntered"),
        (3, 2, "MapStateStarted"),
        (4, 3, "MapIterationStarted"),
        (5, 3, "MapIterationStarted"),
        (6, 3, "MapIterationStarted"),
        (7, 4, "ChoiceStateEntered"),
        (8, 7, "ChoiceStateExited"),
        (9, 5, "ChoiceStateEntered"),
        (10, 9, "ChoiceStateExited"),
        (11, 6, "ChoiceStateEntered"),
        (12, 11, "ChoiceStateExited"),
        (13, 8, "WaitStateEntered"),
        (14, 10, "FailStateEntered"),
        (15, 14, "MapIterationFailed"),
        (16, 13, "MapIterationAborted"),
        (17, 12, "MapIterationAborted"),
        (18, 14, "MapStateFailed"),
        (19, 18, "PassStateEntered"),
        (20, 19, "PassStateExited"),
        (21, 20, "ExecutionSucceeded"),
    ]
    assert [e["mapIterationAbortedEventDetails"]["index"] for e in events[15:17]] == [0, 2]


def test_a_distributed_maps_tolerated_failure_and_one_over_the_tolerance(tmp_path: Path) -> None:
    s = session(tmp_path, definition=map_run_support.DEFINITION)
    items = [{"fail": bad} for bad in (False, True, False)]
    events = history(s, run_one(s, items))["events"]
    # Its iterations are child executions (each with a history of its own): the parent's
    # has the run between the Map's start and its end.
    assert links(events) == [
        (1, 0, "ExecutionStarted"),
        (2, 0, "MapStateEntered"),
        (3, 2, "MapStateStarted"),
        (4, 3, "MapRunStarted"),
        (5, 4, "MapRunSucceeded"),
        (6, 5, "MapStateSucceeded"),
        (7, 5, "MapStateExited"),
        (8, 7, "ExecutionSucceeded"),
    ]
    assert events[2]["mapStateStartedEventDetails"] == {"length": 3}
    strict = json.loads(json.dumps(map_run_support.DEFINITION))
    del strict["States"]["Each"]["ToleratedFailureCount"]
    (tmp_path / "strict").mkdir()
    s = session(tmp_path / "strict", definition=strict)
    events = history(s, run_one(s, items))["events"]
    assert links(events)[3:] == [
        (4, 3, "MapRunStarted"),
        (5, 4, "MapRunFailed"),
        (6, 5, "MapStateFailed"),
        (7, 6, "ExecutionFailed"),
    ]


PARALLEL = {
    "StartAt": "Fan",
    "States": {
        "Fan": {
            "Type": "Parallel",
            "Branches": [
                {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}},
                {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 1, "End": True}}},
            ],
            "End": True,
        }
    },
}


def test_a_parallel_of_two_branches(tmp_path: Path) -> None:
    s = session(tmp_path, definition=PARALLEL)
    events = history(s, run_one(s))["events"]
    # Each branch's first event follows ParallelStateStarted; the Parallel's success and
    # its exit follow the last event of the branch that ended last.
    assert links(events) == [
        (1, 0, "ExecutionStarted"),
        (2, 0, "ParallelStateEntered"),
        (3, 2, "ParallelStateStarted"),
        (4, 3, "PassStateEntered"),
        (5, 4, "PassStateExited"),
        (6, 3, "WaitStateEntered"),
        (7, 6, "WaitStateExited"),
        (8, 7, "ParallelStateSucceeded"),
        (9, 7, "ParallelStateExited"),
        (10, 9, "ExecutionSucceeded"),
    ]
    assert not any(key.endswith("Details") for key in events[2])
    assert json.loads(events[8]["stateExitedEventDetails"]["output"]) == [{"n": 1}, {"n": 1}]


NESTED = {
    "StartAt": "Fan",
    "States": {
        "Fan": {
            "Type": "Parallel",
            "Branches": [
                {
                    "StartAt": "A",
                    "States": {
                        "A": {"Type": "Wait", "Seconds": 1, "Next": "F"},
                        "F": {"Type": "Fail", "Error": "E", "Cause": "c"},
                    },
                },
                {
                    "StartAt": "Each",
                    "States": {
                        "Each": {
                            "Type": "Map",
                            "ItemsPath": "$.items",
                            "ItemProcessor": {
                                "StartAt": "W",
                                "States": {"W": {"Type": "Wait", "Seconds": 5, "End": True}},
                            },
                            "End": True,
                        }
                    },
                },
            ],
            "Retry": [{"ErrorEquals": ["E"], "MaxAttempts": 1, "IntervalSeconds": 1}],
            "End": True,
        }
    },
}


def test_a_map_in_a_parallel_succeeds_inside_it(tmp_path: Path) -> None:
    definition = json.loads(json.dumps(NESTED))
    definition["States"]["Fan"]["Branches"][0]["States"] = {"A": {"Type": "Pass", "End": True}}
    s = session(tmp_path, definition=definition)
    events = history(s, run_one(s, {"items": [1, 2]}))["events"]
    assert links(events) == [
        (1, 0, "ExecutionStarted"),
        (2, 0, "ParallelStateEntered"),
        (3, 2, "ParallelStateStarted"),
        (4, 3, "PassStateEntered"),
        (5, 4, "PassStateExited"),
        (6, 3, "MapStateEntered"),
        (7, 6, "MapStateStarted"),
        (8, 7, "MapIterationStarted"),
        (9, 7, "MapIterationStarted"),
        (10, 8, "WaitStateEntered"),
        (11, 9, "WaitStateEntered"),
        (12, 10, "WaitStateExited"),
        (13, 12, "MapIterationSucceeded"),
        (14, 11, "WaitStateExited"),
        (15, 14, "MapIterationSucceeded"),
        (16, 15, "MapStateSucceeded"),
        (17, 15, "MapStateExited"),
        (18, 17, "ParallelStateSucceeded"),
        (19, 17, "ParallelStateExited"),
        (20, 19, "ExecutionSucceeded"),
    ]


def test_a_failing_branch_aborts_the_map_in_the_other_and_a_retry_starts_again(
    tmp_path: Path,
) -> None:
    s = session(tmp_path, definition=NESTED)
    events = history(s, run_one(s, {"items": [1, 2]}))["events"]
    attempt = [
        "ParallelStateStarted",
        "WaitStateEntered",
        "MapStateEntered",
        "MapStateStarted",
        "MapIterationStarted",
        "MapIterationStarted",
        "WaitStateEntered",
        "WaitStateEntered",
        "WaitStateExited",
        "FailStateEntered",
        "MapIterationAborted",
        "MapIterationAborted",
        "MapStateAborted",
    ]
    assert [e["type"] for e in events] == [
        "ExecutionStarted",
        "ParallelStateEntered",
        *attempt,
        *attempt,
        "ParallelStateFailed",
        "ExecutionFailed",
    ]
    # The retry starts from the failed branch's last event, its branches from that start;
    # the failure follows the failing branch's last event too.
    assert links(events)[14:17] == [
        (15, 6, "MapStateAborted"),
        (16, 12, "ParallelStateStarted"),
        (17, 16, "WaitStateEntered"),
    ]
    assert links(events)[-2:] == [(29, 25, "ParallelStateFailed"), (30, 29, "ExecutionFailed")]
    assert [e["mapIterationAbortedEventDetails"]["index"] for e in events[12:14]] == [0, 1]


def test_stopping_the_execution_aborts_its_running_map(tmp_path: Path) -> None:
    s = session(tmp_path, definition=inline_map())
    execute(s, "start-execution flow '[{\"bad\": false}]'")
    (ex,) = lookup_machine(s.sim, "flow").executions.values()
    execute(s, f"stop-execution {ex.name}")
    assert [h.what for h in ex.history][-4:] == [
        "WaitStateEntered",
        "MapIterationAborted",
        "MapStateAborted",
        "ExecutionAborted",
    ]


def test_show_execution_lists_the_lines_and_keeps_no_data_without_code(tmp_path: Path) -> None:
    s = session(tmp_path, definition=inline_map(MaxConcurrency=1))
    (tmp_path / "plain").mkdir()
    for name in ("stacktape.yml", "stptui.yml", "hs_app.py"):
        (tmp_path / "plain" / name).write_text((tmp_path / name).read_text())
    plain = Session.open(tmp_path / "plain", start_ms=s.sim.clock.now)
    for each in (s, plain):
        execute(each, 'start-execution flow \'[{"bad": false}, {"bad": false}]\'')
        execute(each, "advance 1m")
    (ex,) = lookup_machine(plain.sim, "flow").executions.values()
    shown = execute(plain, f"show execution {ex.name}")
    assert shown.table is not None
    rows = [(row[1], row[2], row[3]) for row in shown.table[1]]
    assert rows[2:4] == [
        ("MapStateStarted", "Each", "2 items"),
        ("MapIterationStarted", "Each", "item 0"),
    ]
    # The iteration's states follow, named by the Map, the item's index and their own name.
    assert rows[4] == ("ChoiceStateEntered", "Each/0/Check", "input 14 bytes")
    assert ("MapIterationSucceeded", "Each", "item 1") in rows
    assert rows[-3:-1] == [
        ("MapStateSucceeded", "Each", ""),
        ("MapStateExited", "Each", "output 32 bytes"),
    ]
    # The history keeps no data without --allow-code (nothing could read it).
    assert all(h.data is None for h in ex.history)
    (kept,) = lookup_machine(s.sim, "flow").executions.values()
    assert [h.data for h in kept.history if h.what == "MapStateStarted"] == [2]


def test_the_inspector_shows_the_iterations_and_their_failure_in_colour(tmp_path: Path) -> None:
    s = session(tmp_path, definition=inline_map(MaxConcurrency=1))
    execute(s, 'start-execution flow \'[{"bad": false}, {"bad": true}]\'')
    execute(s, "advance 1m")
    text = Text()
    state_machine_section(text, s.sim, "flow")
    lines = text.plain.splitlines()
    shown = [line.split(" ", 1)[1] for line in lines if " Each" in line and "Iteration" in line]
    assert shown == [
        "MapIterationStarted Each item 0",
        "MapIterationSucceeded Each item 0",
        "MapIterationStarted Each item 1",
        "MapIterationFailed Each item 1",
    ]
    styled = {text.plain[span.start : span.end]: span.style for span in text.spans}
    assert styled["MapIterationFailed"] == styled["MapStateFailed"] == "red"
