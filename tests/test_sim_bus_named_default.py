"""A stack's event bus named `default` is not the account's default bus: Stacktape names it
`{stack}-default` in AWS, so both exist and neither's events reach the other's rules. In
stptui the resource name keeps its meaning (commands, behaviours, connectTo, eventBusName),
and the account's bus is named by its ARN; what names the account's bus in AWS
(`useDefaultBus`, S3's EventBridge notifications, alarms' state changes, PutEvents'
`EventBusName: default` in a state machine) still reaches it (docs/fidelity.md, EventBridge).
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from stptui.cli import main
from stptui.commands import Session, execute
from stptui.config import load_stack_text
from stptui.graph import build_graph
from stptui.sim import trace as tk
from stptui.sim.engine import Simulator
from tests.simkit import START, make_sim, records

DEMO = Path(__file__).resolve().parents[1] / "stptui" / "sample_stacks" / "event-driven"
ACCOUNT_BUS = "arn:aws:events:us-east-1:123456789012:event-bus/default"
PKG = "packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}"

STACK = f"""
serviceName: shop
resources:
  default:
    type: event-bus
    properties:
      archivation: {{enabled: true}}
  mine:
    type: sqs-queue
    properties:
      events:
        - type: event-bus
          properties:
            eventBusName: default
            eventPattern: {{source: [shop, aws.s3]}}
  theirs:
    type: sqs-queue
    properties:
      events:
        - type: event-bus
          properties:
            useDefaultBus: true
            eventPattern: {{source: [shop, aws.s3]}}
  uploads:
    type: bucket
    properties:
      enableEventBusNotifications: true
  publisher:
    type: function
    properties:
      {PKG}
      connectTo: [default]
"""

PUBLISHER = """
behaviors:
  publisher:
    emit:
      - publish: {bus: default, source: "'shop'", detailType: "'Made'", detail: "`{}`"}
"""


def delivered(sim: Simulator, queue: str) -> int:
    """How many events the buses delivered to `queue`."""
    return len([r for r in records(sim, tk.EVENT_MATCHED) if r.get("target") == queue])


def session(tmp_path: Path, stack: str = STACK, behaviors: str = "behaviors: {}\n") -> Session:
    """A session of `stack` with the sidecar `behaviors`, at START."""
    (tmp_path / "stacktape.yml").write_text(stack, encoding="utf-8")
    (tmp_path / "stptui.yml").write_text(behaviors, encoding="utf-8")
    return Session.open(tmp_path / "stacktape.yml", start_ms=START)


def test_the_event_driven_demo_runs_with_its_bus_named_default(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stack = tmp_path / "event-driven"
    shutil.copytree(DEMO, stack)
    for name in ("stacktape.yml", "stptui.yml"):
        path = stack / name
        path.write_text(re.sub(r"\beventBus\b", "default", path.read_text()))
    demo = (stack / "demo.stp").read_text()
    # The demo's own line for the account's default bus names it by its ARN: `default` is
    # the stack's bus now.
    account_line = "publish default orders OrderCreated"
    assert account_line in demo
    demo = demo.replace(account_line, f"publish {ACCOUNT_BUS} orders OrderCreated")
    (stack / "demo.stp").write_text(re.sub(r"\beventBus\b", "default", demo))
    code = main(["run", str(stack), str(stack / "demo.stp"), "--start", "2026-01-05T08:00:00Z"])
    out, err = capsys.readouterr()
    assert code == 0, f"{err}\n{out[-2000:]}"
    # No diagnostic: the bus is valid, and orderService's connectTo grants it PutEvents.
    assert err == ""
    assert "AccessDenied" not in out


def test_events_on_the_account_bus_and_the_stack_bus_named_default_stay_apart() -> None:
    sim = make_sim(STACK)
    buses = sim.services["buses"]
    buses.publish("default", "shop", "T", "{}")
    assert (delivered(sim, "mine"), delivered(sim, "theirs")) == (1, 0)
    buses.publish(ACCOUNT_BUS, "shop", "T", "{}")
    assert (delivered(sim, "mine"), delivered(sim, "theirs")) == (1, 1)
    # The stack's bus by its AWS name and ARN, as PutEvents takes them.
    buses.publish("shop-dev-default", "shop", "T", "{}")
    buses.publish(
        "arn:aws:events:us-east-1:123456789012:event-bus/shop-dev-default", "shop", "T", "{}"
    )
    assert (delivered(sim, "mine"), delivered(sim, "theirs")) == (3, 1)
    # Each rule is on its own bus: `rule/BUS/NAME` on the stack's, `rule/NAME` on the default.
    (mine,) = buses.buses["default"].rules
    (theirs,) = buses.buses[ACCOUNT_BUS].rules
    assert "rule/shop-dev-default/" in mine.arn
    assert theirs.arn.endswith(f":rule/{theirs.name}")
    assert buses.buses[ACCOUNT_BUS].name == "default"
    assert buses.buses["default"].name == "shop-dev-default"


def test_the_publish_command_names_each_bus_and_says_how_to_reach_the_other(
    tmp_path: Path,
) -> None:
    s = session(tmp_path)
    mine = execute(s, "publish default shop T")
    assert mine.data["bus"] == "default" and mine.data["matched"] == ["mine"]
    assert mine.text.startswith("published event ")
    assert " on default (the stack's bus shop-dev-default, not the account's default bus)" in (
        mine.text
    )
    theirs = execute(s, f"publish {ACCOUNT_BUS} shop T")
    assert theirs.data["bus"] == ACCOUNT_BUS and theirs.data["matched"] == ["theirs"]
    help_text = execute(s, "help publish").text
    assert "ARN" in help_text and "named `default`" in help_text


def test_s3_event_bus_notifications_go_to_the_account_bus_not_the_stack_bus(
    tmp_path: Path,
) -> None:
    s = session(tmp_path)
    execute(s, "upload uploads a.txt --content x")
    execute(s, "advance 1s")
    assert (delivered(s.sim, "mine"), delivered(s.sim, "theirs")) == (0, 1)


def test_a_behaviour_publishing_to_default_reaches_the_stack_bus_its_connect_to_grants(
    tmp_path: Path,
) -> None:
    s = session(tmp_path, behaviors=PUBLISHER)
    assert not [d.format() for d in s.diagnostics]
    result = execute(s, "invoke publisher")
    execute(s, "advance 1s")
    assert "AccessDenied" not in result.text
    assert (delivered(s.sim, "mine"), delivered(s.sim, "theirs")) == (1, 0)


def test_validate_says_nothing_of_a_bus_named_default() -> None:
    stack = load_stack_text(STACK, "stacktape.yml")
    assert [d.format() for d in stack.diagnostics if "default" in d.message] == []


def test_the_graph_draws_the_stack_bus_and_the_account_bus_as_two_nodes() -> None:
    g = build_graph(load_stack_text(STACK, "stacktape.yml"))
    assert g.has_edge("default", "mine") and g.has_edge("bus:default", "theirs")
    assert g.has_edge("uploads", "bus:default") and not g.has_edge("uploads", "default")
    assert g.nodes["default"]["label"] != g.nodes["bus:default"]["label"]


def test_state_machine_put_events_default_is_the_account_bus_and_the_stack_bus_by_name() -> None:
    entries = [
        {"Source": "shop", "DetailType": "ToAccount", "Detail": {}},
        {"EventBusName": "default", "Source": "shop", "DetailType": "ToAccount", "Detail": {}},
        {"EventBusName": "shop-dev-default", "Source": "shop", "DetailType": "Own", "Detail": {}},
        {
            "EventBusName": "$ResourceParam('default', 'arn')",
            "Source": "shop",
            "DetailType": "Own",
            "Detail": {},
        },
    ]
    definition = {
        "StartAt": "Put",
        "States": {
            "Put": {
                "Type": "Task",
                "Resource": "arn:aws:states:::events:putEvents",
                "Parameters": {"Entries": entries},
                "End": True,
            }
        },
    }
    text = (
        STACK
        + f"""
  flow:
    type: state-machine
    properties:
      definition: {json.dumps(definition)}
"""
    )
    sim = make_sim(text)
    from stptui.sim.services.state_machine import lookup_machine

    ex = lookup_machine(sim, "flow").start({}, "e1")
    sim.advance(10_000)
    assert ex.status == "SUCCEEDED", ex.cause
    assert (delivered(sim, "mine"), delivered(sim, "theirs")) == (2, 2)
    g = build_graph(load_stack_text(text, "stacktape.yml"))
    assert g.has_edge("flow", "default") and g.has_edge("flow", "bus:default")


def test_the_stack_bus_named_default_is_archived_and_replays_to_its_own_rules(
    tmp_path: Path,
) -> None:
    s = session(tmp_path)
    execute(s, "publish default shop T")
    execute(s, f"publish {ACCOUNT_BUS} shop T")
    execute(s, "advance 11m")  # an event reaches the archive 10 minutes after the bus
    execute(s, "replay default --from 2026-01-05T07:59:00Z --to 2026-01-05T08:00:30Z")
    execute(s, "advance 10m")
    assert (delivered(s.sim, "mine"), delivered(s.sim, "theirs")) == (2, 1)
    listed = {b["bus"]: b["name"] for b in execute(s, "show buses").data}
    assert listed == {"default": "shop-dev-default", ACCOUNT_BUS: "default"}
    assert "archive" in execute(s, "show bus default").text
    assert "no archive" in execute(s, f"show bus {ACCOUNT_BUS}").text


def test_an_alarms_state_change_goes_to_the_account_bus_and_pages_through_it(
    tmp_path: Path,
) -> None:
    examples = Path(__file__).resolve().parents[1] / "docs" / "examples"
    text = (examples / "alarms.yml").read_text()
    # A bus of the stack named `default` whose rule takes every event: no state change
    # reaches it, and the pager's `cloudwatch-alarm` rule on the account's bus still fires.
    text = text.replace(
        "resources:\n",
        "resources:\n  default: {type: event-bus}\n  everything:\n    type: sqs-queue\n"
        "    properties:\n      events:\n        - type: event-bus\n          properties:\n"
        "            eventBusName: default\n            eventPattern: {source: [{prefix: ''}]}\n",
        1,
    )
    (tmp_path / "stacktape.yml").write_text(text)
    s = Session.open(
        tmp_path / "stacktape.yml",
        behaviors_path=examples / "alarms-behaviors.yml",
        start_ms=START,
    )
    execute(s, "set-alarm-state jobsDlq.alarms.0 ALARM --reason drill")
    execute(s, "advance 1s")
    published = records(s.sim, tk.EVENT_PUBLISHED)
    assert [r.resource for r in published] == [ACCOUNT_BUS]
    assert delivered(s.sim, "everything") == 0
    assert [r.resource for r in records(s.sim, tk.INVOCATION_STARTED)] == ["pager"]
