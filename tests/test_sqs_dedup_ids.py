"""SQS's MessageDeduplicationId is 1 to 128 "alphanumeric characters (a-z, A-Z, 0-9) and
punctuation" (SendMessage API reference), as MessageGroupId is: every way a message reaches a
FIFO queue (the `send` command, a behaviour's `send`, Step Functions' sqs:sendMessage and its
SDK form) refuses another with SQS's InvalidParameterValue message and changes nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from stptui.commands import CommandError, Session, execute
from stptui.sim import trace as tk
from stptui.sim.engine import SimError
from stptui.sim.services.state_machine import lookup_machine
from tests.simkit import START, make_sim, records

PACKAGING = "packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}"

STACK = f"""
serviceName: app
resources:
  orders:
    type: sqs-queue
    properties: {{fifoEnabled: true}}
  byContent:
    type: sqs-queue
    properties: {{fifoEnabled: true, contentBasedDeduplication: true}}
  placeOrder:
    type: function
    properties:
      {PACKAGING}
      connectTo: [orders]
"""

REASON = (
    "MessageDeduplicationId can only include alphanumeric and punctuation characters. "
    "1 to 128 in length."
)


@pytest.mark.parametrize("dedup_id", ["order 17", "order\t17", "commande-é", "x" * 129, ""])
@pytest.mark.parametrize("queue", ["orders", "byContent"])
def test_a_dedup_id_outside_sqs_characters_is_refused_and_changes_nothing(
    queue: str, dedup_id: str
) -> None:
    sim = make_sim(STACK)
    seq = sim.trace.seq
    if queue == "orders" and dedup_id == "":
        # An empty id on a queue that needs one is the missing id's refusal.
        with pytest.raises(SimError, match="give a deduplication id"):
            sim.send(queue, "x", group="g", dedup_id=dedup_id)
    else:
        with pytest.raises(SimError) as refused:
            sim.send(queue, "x", group="g", dedup_id=dedup_id)
        message = str(refused.value)
        assert message.startswith("InvalidParameterValue: Value ")
        assert message.endswith(
            f"for parameter MessageDeduplicationId is invalid. Reason: {REASON}"
        )
        assert "letters, digits and punctuation" in (refused.value.hint or "")
    assert sim.trace.seq == seq
    assert sim.queue_stats(queue)["depth"] == 0


def test_every_punctuation_mark_aws_lists_is_a_dedup_id_character() -> None:
    sim = make_sim(STACK)
    punctuation = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
    sim.send("orders", "x", group="g", dedup_id="aZ09" + punctuation)
    sim.send("orders", "y", group="g", dedup_id="d" * 128)
    assert sim.queue_stats("orders")["depth"] == 2


def test_the_send_command_refuses_it_with_a_hint(tmp_path: Path) -> None:
    (tmp_path / "stacktape.yml").write_text(STACK)
    session = Session.open(tmp_path, start_ms=START)
    with pytest.raises(CommandError) as refused:
        execute(session, "send orders hi --group g --dedup-id 'order 17'")
    assert str(refused.value) == (
        f"InvalidParameterValue: Value order 17 for parameter MessageDeduplicationId is "
        f"invalid. Reason: {REASON}"
    )
    assert refused.value.hint == (
        "use 1 to 128 letters, digits and punctuation marks: no space, no other character"
    )
    assert session.sim.queue_stats("orders")["depth"] == 0


def test_the_missing_id_hint_quotes_the_group_as_it_must_be_typed(tmp_path: Path) -> None:
    (tmp_path / "stacktape.yml").write_text(STACK)
    session = Session.open(tmp_path, start_ms=START)
    with pytest.raises(CommandError) as refused:
        execute(session, "send orders hi --group '#1'")
    hint = refused.value.hint or ""
    assert hint == "send orders BODY --group '#1' --dedup-id ID"
    # The line the hint gives is taken once its ID is filled in.
    execute(session, hint.replace("BODY", "hi").replace(" ID", " d-1"))
    assert session.sim.queue_stats("orders")["depth"] == 1


def test_a_behaviours_send_with_such_an_id_fails_its_emission() -> None:
    behaviors = """
behaviors:
  placeOrder:
    emit:
      - send:
          queue: orders
          body: "@"
          group: "'g'"
          dedupId: "join(' ', ['order', to_string(id)])"
"""
    sim = make_sim(STACK, behaviors)
    sim.invoke_async("placeOrder", {"id": 7}, "invoke", "test")
    sim.advance(1000)
    [failure] = records(sim, tk.EMISSION_FAILED)
    assert f"Value order 7 for parameter MessageDeduplicationId is invalid. Reason: {REASON}" in (
        failure.get("error")
    )
    assert sim.queue_stats("orders")["depth"] == 0


@pytest.mark.parametrize(
    ("resource", "error"),
    [
        ("arn:aws:states:::sqs:sendMessage", "SQS.InvalidParameterValue"),
        ("arn:aws:states:::aws-sdk:sqs:sendMessage", "Sqs.InvalidParameterValueException"),
    ],
)
def test_step_functions_send_message_with_such_an_id_fails_the_task(
    resource: str, error: str
) -> None:
    definition = {
        "StartAt": "Send",
        "States": {
            "Send": {
                "Type": "Task",
                "Resource": resource,
                "Parameters": {
                    "QueueUrl": "$ResourceParam('orders', 'url')",
                    "MessageBody": "m",
                    "MessageGroupId": "g",
                    "MessageDeduplicationId": "order 7",
                },
                "End": True,
            }
        },
    }
    stack = STACK + (
        "  flow:\n    type: state-machine\n    properties:\n"
        f"      definition: {json.dumps(definition)}\n"
    )
    sim = make_sim(stack)
    execution = lookup_machine(sim, "flow").start({}, "e1")
    sim.advance(1000)
    assert execution.status == "FAILED"
    assert execution.error == error
    assert REASON in (execution.cause or "")
    assert sim.queue_stats("orders")["depth"] == 0
