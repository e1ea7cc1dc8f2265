"""Step Functions' `aws-sdk:eventbridge:startReplay`, `describeReplay` and `cancelReplay` on
the stack's bus archives (stptui.sim.asl_sdk over stptui.sim.services.bus_archive): the
API's request and response shapes, the replay they start reaching the bus's rules, their
refusals under EventBridge's error names (which change nothing), and what `validate` and
the graph make of them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from stptui.commands import Session, execute
from stptui.config import load_stack_text
from stptui.graph import build_graph
from stptui.sim import trace as tk
from stptui.sim.clock import parse_instant
from stptui.sim.services.state_machine import Execution, lookup_machine
from tests.test_graph_state_machines import edges

T0 = parse_instant("2026-01-05T08:00:00Z")
PKG = "packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}"
STACK = f"""\
resources:
  orders:
    type: event-bus
    properties:
      archivation: {{enabled: true, retentionDays: 7}}
  other:
    type: event-bus
  billing:
    type: function
    properties:
      {PKG}
      events:
        - type: event-bus
          properties: {{eventBusName: orders, eventPattern: {{source: [shop]}}}}
  audit:
    type: function
    properties:
      {PKG}
      events:
        - type: event-bus
          properties: {{eventBusName: orders, eventPattern: {{source: [shop]}}}}
  flow:
    type: state-machine
    properties:
      definition: DEFINITION
"""
ARCHIVE = "$ResourceParam('orders', 'archiveArn')"
BUS = "$ResourceParam('orders', 'arn')"
START = "arn:aws:states:::aws-sdk:eventbridge:startReplay"
DESCRIBE = "arn:aws:states:::aws-sdk:eventbridge:describeReplay"
CANCEL = "arn:aws:states:::aws-sdk:eventbridge:cancelReplay"


def stack_text(states: list[tuple[str, dict[str, Any]]]) -> str:
    """A definition of `states` in order, each Task catching every error into `$.error`."""
    machine: dict[str, Any] = {"StartAt": states[0][0], "States": {}}
    for i, (name, state) in enumerate(states):
        nxt = {"Next": states[i + 1][0]} if i + 1 < len(states) else {"End": True}
        machine["States"][name] = {**state, **nxt}
    return STACK.replace("DEFINITION", json.dumps(machine))


def task(resource: str, params: dict[str, Any], out: str) -> dict[str, Any]:
    catch = [{"ErrorEquals": ["States.ALL"], "ResultPath": f"$.{out}", "Next": "Done"}]
    return {
        "Type": "Task",
        "Resource": resource,
        "Parameters": params,
        "ResultPath": f"$.{out}",
        "Catch": catch,
    }


def start(name: str = "fix-1", out: str = "started", **params: Any) -> dict[str, Any]:
    request = {
        "ReplayName": name,
        "EventSourceArn": ARCHIVE,
        "EventStartTime": "2026-01-05T07:00:00Z",
        "EventEndTime": "2026-01-05T08:30:00Z",
        "Destination": {"Arn": BUS},
        **params,
    }
    return task(START, {k: v for k, v in request.items() if v is not None}, out)


DONE = ("Done", {"Type": "Pass"})


def open_flow(tmp_path: Path, *states: tuple[str, dict[str, Any]]) -> Session:
    (tmp_path / "stacktape.yml").write_text(stack_text([*states, DONE]), encoding="utf-8")
    (tmp_path / "stptui.yml").write_text("behaviors: {}\n", encoding="utf-8")
    return Session.open(tmp_path, start_ms=T0)


def archived(s: Session, *minutes: int) -> None:
    """Publish one event to `orders` at each of these minutes from T0, and wait until they
    are all in the archive (10 minutes after the last)."""
    now = 0
    for minute in minutes:
        execute(s, f"advance {minute - now}m") if minute > now else None
        execute(s, f"publish orders shop Placed '{{\"m\": {minute}}}'")
        now = minute
    execute(s, "advance 10m")


def run(s: Session) -> Execution:
    ex = lookup_machine(s.sim, "flow").start({}, "e1")
    execute(s, "advance 10m")
    return ex


def replayed(s: Session, target: str) -> int:
    """How many replayed events matched `target`'s rule."""
    ids = {
        r.get("event_id")
        for r in s.sim.trace.records
        if r.kind == tk.EVENT_PUBLISHED and r.get("replay") == "fix-1"
    }
    return sum(
        1
        for r in s.sim.trace.records
        if r.kind == tk.EVENT_MATCHED and r.get("event_id") in ids and r.get("target") == target
    )


def test_start_describe_and_cancel_in_the_apis_shapes(tmp_path: Path) -> None:
    s = open_flow(
        tmp_path,
        ("Start", start(Description="after the billing fix")),
        ("Wait", {"Type": "Wait", "Seconds": 5}),
        ("Describe", task(DESCRIBE, {"ReplayName": "fix-1"}, "described")),
        ("Cancel", task(CANCEL, {"ReplayName": "fix-1"}, "cancelled")),
    )
    archived(s, 0, 0, 2)
    ex = run(s)
    out = ex.output
    arn = "arn:aws:events:us-east-1:123456789012:replay/fix-1"
    # StartReplay: the replay is STARTING when the call returns.
    assert out["started"] == {
        "ReplayArn": arn,
        "ReplayStartTime": "2026-01-05T08:12:00Z",
        "State": "STARTING",
    }
    # DescribeReplay, after its two minutes of events were replayed (one a second).
    archive_arn = s.sim.resource_param("orders", "archiveArn")
    assert out["described"] == {
        "Description": "after the billing fix",
        "Destination": {"Arn": s.sim.resource_param("orders", "arn")},
        "EventEndTime": "2026-01-05T08:30:00Z",
        "EventLastReplayedTime": "2026-01-05T08:02:00Z",
        "EventSourceArn": archive_arn,
        "EventStartTime": "2026-01-05T07:00:00Z",
        "ReplayArn": arn,
        "ReplayEndTime": "2026-01-05T08:12:02Z",
        "ReplayName": "fix-1",
        "ReplayStartTime": "2026-01-05T08:12:00Z",
        "State": "COMPLETED",
    }
    # CancelReplay of a COMPLETED replay: EventBridge's IllegalStatusException.
    assert out["cancelled"]["Error"] == "EventBridge.IllegalStatusException"
    # The three archived events reached both rules again, as `replay` sends them.
    assert (replayed(s, "billing"), replayed(s, "audit")) == (3, 3)
    [called] = [r.data for r in s.sim.trace.records if r.kind == tk.SFN_TASK_CALLED][:1]
    assert (called["integration"], called["target"]) == (
        "aws-sdk:eventbridge:startReplay",
        "orders",
    )
    assert execute(s, "show replays").data[0]["replay"] == "fix-1"


def test_cancel_stops_a_running_replay_and_filter_arns_choose_the_rules(tmp_path: Path) -> None:
    (tmp_path / "probe").mkdir()
    probe = open_flow(tmp_path / "probe", ("Start", start()))
    [billing] = [
        r.arn for r in probe.sim.services["buses"].bus("orders").rules if "billing" in r.name
    ]
    s = open_flow(
        tmp_path,
        ("Start", start(Destination={"Arn": BUS, "FilterArns": [billing]})),
        ("Wait", {"Type": "Wait", "Seconds": 1}),
        ("Cancel", task(CANCEL, {"ReplayName": "fix-1"}, "cancelled")),
        ("Describe", task(DESCRIBE, {"ReplayName": "fix-1"}, "described")),
    )
    archived(s, 0, 1, 2)
    ex = run(s)
    # The first minute was replayed a second after the start; the cancel came then.
    assert ex.output["cancelled"] == {
        "ReplayArn": "arn:aws:events:us-east-1:123456789012:replay/fix-1",
        "State": "CANCELLING",
    }
    described = ex.output["described"]
    assert described["State"] == "CANCELLING"
    assert described["Destination"]["FilterArns"] == [billing]
    assert "ReplayEndTime" not in described
    assert (replayed(s, "billing"), replayed(s, "audit")) == (1, 0)
    assert execute(s, "show replays").data[0]["state"] == "CANCELLED"


@pytest.mark.parametrize(
    ("params", "error", "words"),
    [
        ({"EventSourceArn": BUS}, "EventBridge.ValidationException", "Archive"),
        (
            {"EventSourceArn": "$ResourceParam('other', 'arn')"},
            "EventBridge.ValidationException",
            "does not exist",
        ),
        (
            {"Destination": {"Arn": "$ResourceParam('other', 'arn')"}},
            "EventBridge.ValidationException",
            "Cross event bus replay is not permitted",
        ),
        (
            {"Destination": {"Arn": BUS, "FilterArns": ["arn:aws:events:x:1:rule/nope"]}},
            "EventBridge.ResourceNotFoundException",
            "Rule nope does not exist",
        ),
        (
            {"EventEndTime": "2026-01-05T07:00:00Z"},
            "EventBridge.ValidationException",
            "EventStartTime must be before EventEndTime",
        ),
        ({"ReplayName": "bad name"}, "EventBridge.ValidationException", "regular expression"),
    ],
)
def test_refused_starts_fail_with_eventbridges_error_and_start_nothing(
    tmp_path: Path, params: dict[str, Any], error: str, words: str
) -> None:
    s = open_flow(tmp_path, ("Start", start(**params)))
    archived(s, 0)
    ex = run(s)
    assert ex.output["started"]["Error"] == error
    assert words in ex.output["started"]["Cause"]
    assert s.sim.services["buses"].replays.replays == {}


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"EventStartTime": "yesterday"}, "must be a TIMESTAMP"),
        ({"EventEndTime": True}, "must be a TIMESTAMP"),
        ({"EventEndTime": 1e30}, "must be a TIMESTAMP"),
        ({"Destination": None}, "The field 'Destination' is required but was missing"),
        ({"Destination": {"Arn": BUS, "Rules": []}}, "'Rules' is not supported in Destination"),
        ({"Extra": 1}, "The field 'Extra' is not supported by startReplay"),
    ],
)
def test_requests_that_do_not_fit_the_shape_are_states_runtime(
    tmp_path: Path, params: dict[str, Any], words: str
) -> None:
    # States.Runtime is no error a Catch of States.ALL takes: the execution fails.
    s = open_flow(tmp_path, ("Start", start(**params)))
    ex = run(s)
    assert (ex.status, ex.error) == ("FAILED", "States.Runtime")
    assert words in str(ex.cause)
    assert s.sim.services["buses"].replays.replays == {}


def test_a_name_stays_taken_and_an_unknown_replay_is_not_found(tmp_path: Path) -> None:
    s = open_flow(
        tmp_path,
        ("Start", start()),
        ("Again", start(out="again")),
        ("Describe", task(DESCRIBE, {"ReplayName": "nope"}, "described")),
    )
    archived(s, 0)
    ex = run(s)
    assert ex.output["started"]["State"] == "STARTING"
    assert ex.output["again"] == {
        "Error": "EventBridge.ResourceAlreadyExistsException",
        "Cause": "Replay fix-1 already exists.",
    }
    assert len(s.sim.services["buses"].replays.replays) == 1


def test_times_may_be_epoch_seconds(tmp_path: Path) -> None:
    seven = parse_instant("2026-01-05T07:00:00Z") // 1000
    s = open_flow(
        tmp_path,
        ("Start", start(EventStartTime=seven, EventEndTime=seven + 5400)),
        ("Describe", task(DESCRIBE, {"ReplayName": "fix-1"}, "described")),
    )
    archived(s, 0)
    ex = run(s)
    described = ex.output["described"]
    assert (described["EventStartTime"], described["EventEndTime"]) == (
        "2026-01-05T07:00:00Z",
        "2026-01-05T08:30:00Z",
    )


def test_validate_no_longer_warns_and_the_graph_draws_the_replay() -> None:
    text = stack_text(
        [
            ("Start", start()),
            ("Describe", task(DESCRIBE, {"ReplayName": "fix-1"}, "d")),
            ("Cancel", task(CANCEL, {"ReplayName": "fix-1"}, "c")),
            ("Wrong", start(out="w", EventSourceArn=BUS)),
            DONE,
        ]
    )
    stack = load_stack_text(text, "stacktape.yml")
    warned = [d.message for d in stack.diagnostics if d.code == "asl-task-target"]
    # Only the bus's own ARN, which names no archive, is warned about.
    assert len(warned) == 1 and "'Wrong'" in warned[0]
    assert "names no archive of a bus (`archivation`)" in warned[0]
    assert not [d for d in stack.diagnostics if d.code == "asl-not-simulated"]
    # StartReplay's edge goes to the bus whose rules the replay reaches; DescribeReplay and
    # CancelReplay name a replay, no resource of the stack.
    assert [e for e in edges(build_graph(stack)) if e[0] == "flow"] == [
        ("flow", "orders", "task", "replays(Start)")
    ]
