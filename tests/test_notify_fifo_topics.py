"""A handler's SNS Publish to a FIFO topic: `notify`'s `group` and `dedupId` (and a Python
handler's `context.notify(..., group=, dedup_id=)`, Step Functions' `sns:publish`), read,
checked and refused as `send`'s are for FIFO queues, with SNS's own rules (Publish API
reference: MessageGroupId required on FIFO topics, MessageDeduplicationId unless the topic
has content-based deduplication, each 1-128 letters, digits or punctuation)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from stptui.config import load_stack_text
from stptui.config.model import Stack
from stptui.sim import trace as tk
from stptui.sim.behavior import Behaviors
from stptui.sim.engine import Simulator
from stptui.sim.services.state_machine import lookup_machine
from stptui.starter import starter_file
from tests.simkit import make_sim, records

PACKAGING = "packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}"

STACK = f"""
serviceName: app
resources:
  orderEvents:
    type: sns-topic
    properties: {{fifoEnabled: true}}
  dedupEvents:
    type: sns-topic
    properties: {{fifoEnabled: true, contentBasedDeduplication: true}}
  alerts:
    type: sns-topic
  placeOrder:
    type: function
    properties:
      {PACKAGING}
      connectTo: [orderEvents, dedupEvents, alerts]
"""

ORDERED = """
behaviors:
  placeOrder:
    emit:
      - notify:
          topic: orderEvents
          message: "@"
          group: customerId
          dedupId: "join('-', ['order', to_string(orderId)])"
"""


def stack() -> Stack:
    return load_stack_text(STACK, "stacktape.yml")


def diagnostics(text: str) -> list[tuple[str, int, int, str]]:
    _, diags = Behaviors.from_text(text, "stptui.yml", stack())
    return [(d.code, d.line, d.column, d.message) for d in diags]


def notify(fields: str) -> str:
    return f"behaviors:\n  placeOrder:\n    emit:\n      - notify: {{{fields}}}\n"


def run_orders(behaviors: str, *orders: dict) -> Simulator:
    sim = make_sim(STACK, behaviors)
    for order in orders:
        sim.invoke_async("placeOrder", order, "invoke", "test")
        sim.advance(1000)
    return sim


def failures(sim: Simulator) -> list[str]:
    return [r.get("error") for r in records(sim, tk.EMISSION_FAILED)]


# -- the behaviours file -----------------------------------------------------------------------


def test_a_notify_to_a_fifo_topic_without_a_group_is_an_error_at_its_line() -> None:
    found = diagnostics(notify("topic: orderEvents, message: '@', dedupId: orderId"))
    assert found == [
        (
            "behavior-fifo-group",
            4,
            17,
            "orderEvents is a FIFO topic: notify needs `group` (the MessageGroupId)",
        )
    ]


def test_a_notify_to_a_fifo_topic_without_a_dedup_id_is_an_error_unless_content_based() -> None:
    found = diagnostics(notify("topic: orderEvents, message: '@', group: customerId"))
    assert found == [
        (
            "behavior-fifo-dedup",
            4,
            17,
            "orderEvents is a FIFO topic without content-based deduplication: notify needs "
            "`dedupId` (AWS rejects the message otherwise)",
        )
    ]
    assert diagnostics(notify("topic: dedupEvents, message: '@', group: customerId")) == []


def test_group_and_dedup_id_are_notify_fields_and_a_standard_topic_needs_neither() -> None:
    assert diagnostics(ORDERED) == []
    assert diagnostics(notify("topic: alerts, message: '@'")) == []
    assert diagnostics(notify("topic: alerts, message: '@', group: customerId")) == []


def test_a_constant_group_that_is_not_text_is_refused_as_sends_is() -> None:
    found = diagnostics(notify("topic: orderEvents, message: '@', group: [1], dedupId: orderId"))
    assert [(code, message) for code, _, _, message in found] == [
        (
            "behavior-bad-value",
            "placeOrder.emit[0].notify.group: must be a string, not an array of 1 value",
        )
    ]


# -- publishing --------------------------------------------------------------------------------


def test_notifications_with_a_group_are_published_in_order_with_their_group() -> None:
    sim = run_orders(
        ORDERED,
        {"customerId": "c-1", "orderId": 1},
        {"customerId": "c-2", "orderId": 2},
        {"customerId": "c-1", "orderId": 3},
    )
    assert failures(sim) == []
    published = records(sim, tk.TOPIC_PUBLISHED, "orderEvents")
    assert [r.get("group") for r in published] == ["c-1", "c-2", "c-1"]
    started = [r.get("invocation_id") for r in records(sim, tk.INVOCATION_STARTED)]
    assert [r.get("origin") for r in published] == [f"placeOrder:{i}" for i in started]


def test_a_group_that_finds_nothing_is_refused_by_sns() -> None:
    sim = run_orders(ORDERED, {"orderId": 1})
    assert records(sim, tk.TOPIC_PUBLISHED) == []
    (error,) = failures(sim)
    assert error.startswith(
        "InvalidParameter: app-dev-orderEvents.fifo is a FIFO topic: every message needs a "
        "message group id (stptui.yml:5:9: placeOrder.emit[0].notify)"
    )


@pytest.mark.parametrize(
    ("order", "name"),
    [
        ({"customerId": "c 1", "orderId": 1}, "MessageGroupId"),
        ({"customerId": "c" * 129, "orderId": 1}, "MessageGroupId"),
        ({"customerId": "c-1", "orderId": "é"}, "MessageDeduplicationId"),
    ],
)
def test_ids_sns_refuses_are_refused_with_its_rule(order: dict, name: str) -> None:
    sim = run_orders(ORDERED, order)
    assert records(sim, tk.TOPIC_PUBLISHED) == []
    (error,) = failures(sim)
    assert error.startswith(f"InvalidParameter: {name} must be 1-128 letters, digits or punct")


def test_a_number_group_is_sent_as_text() -> None:
    sim = run_orders(ORDERED, {"customerId": 42, "orderId": 1})
    (published,) = records(sim, tk.TOPIC_PUBLISHED)
    assert published.get("group") == "42"


def test_a_standard_topic_takes_a_group_and_refuses_a_dedup_id() -> None:
    grouped = notify("topic: alerts, message: '@', group: customerId")
    sim = run_orders(grouped, {"customerId": "c-1"})
    assert failures(sim) == []
    assert [r.get("group") for r in records(sim, tk.TOPIC_PUBLISHED)] == ["c-1"]
    deduplicated = notify("topic: alerts, message: '@', dedupId: customerId")
    sim = run_orders(deduplicated, {"customerId": "c-1"})
    assert records(sim, tk.TOPIC_PUBLISHED) == []
    (error,) = failures(sim)
    assert "app-dev-alerts is a standard topic: a deduplication id is for FIFO topics" in error


def test_a_content_deduplicated_topic_needs_only_the_group() -> None:
    sim = run_orders(
        notify("topic: dedupEvents, message: '@', group: customerId"), {"customerId": "c"}
    )
    assert failures(sim) == []
    assert len(records(sim, tk.TOPIC_PUBLISHED, "dedupEvents")) == 1


# -- a Python handler, Step Functions and the starter file -------------------------------------


def test_a_python_handler_notifies_a_fifo_topic_with_group_and_dedup_id(tmp_path: Path) -> None:
    from stptui.commands import Session
    from stptui.sim.clock import parse_instant

    (tmp_path / "stacktape.yml").write_text(STACK, encoding="utf-8")
    (tmp_path / "stptui.yml").write_text(
        "behaviors:\n  placeOrder: {handler: orders:handle}\n", encoding="utf-8"
    )
    (tmp_path / "orders.py").write_text(
        "def handle(event, context):\n"
        "    context.notify('orderEvents', event, group=event.get('customerId'),\n"
        "                   dedup_id=f\"order-{event['orderId']}\")\n",
        encoding="utf-8",
    )
    session = Session.open(
        tmp_path, start_ms=parse_instant("2026-01-05T08:00:00Z"), allow_code=True
    )
    sim = session.sim
    for order in ({"customerId": "c-1", "orderId": 1}, {"orderId": 2}):
        sim.invoke_async("placeOrder", order, "invoke", "test")
        sim.advance(1000)
    assert [r.get("group") for r in records(sim, tk.TOPIC_PUBLISHED)] == ["c-1"]
    (error,) = failures(sim)
    assert "is a FIFO topic: every message needs a message group id" in error


def test_step_functions_sns_publish_takes_the_group_and_dedup_id(tmp_path: Path) -> None:
    def machine(params: dict) -> str:
        definition = {
            "StartAt": "Notify",
            "States": {
                "Notify": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::sns:publish",
                    "Parameters": params,
                    "End": True,
                }
            },
        }
        return (
            STACK
            + "  flow:\n    type: state-machine\n    properties:\n"
            + (f"      definition: {json.dumps(definition)}\n")
        )

    arn = "$ResourceParam('orderEvents', 'arn')"
    ok = machine(
        {"TopicArn": arn, "Message": "m", "MessageGroupId": "g", "MessageDeduplicationId": "d"}
    )
    sim = make_sim(ok)
    execution = lookup_machine(sim, "flow").start({}, "e1")
    sim.advance(1000)
    assert execution.status == "SUCCEEDED", execution.cause
    assert [r.get("group") for r in records(sim, tk.TOPIC_PUBLISHED)] == ["g"]
    sim = make_sim(machine({"TopicArn": arn, "Message": "m"}))
    execution = lookup_machine(sim, "flow").start({}, "e1")
    sim.advance(1000)
    assert execution.status == "FAILED"
    assert execution.error == "SNS.InvalidParameter"


def test_the_starter_file_notifies_a_fifo_topic_with_a_group_and_dedup_id() -> None:
    text = starter_file(stack()).text
    assert (
        'notify: {topic: orderEvents, message: "@", group: "\'placeholder-group\'", '
        "dedupId: \"'placeholder-id'\"}" in text
    )
    assert 'notify: {topic: dedupEvents, message: "@", group: "\'placeholder-group\'"}' in text
    assert 'notify: {topic: alerts, message: "@"}' in text
