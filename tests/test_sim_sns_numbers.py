"""SNS Number message attributes: Publish takes what SNS takes (38 significant digits, a
magnitude from 1e-128 to 1e126) and refuses the rest with SNS's error code; filter policies
compare numbers only within numeric matching's range, -1e9 to 1e9 with five decimal places
(docs/fidelity.md, SNS)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from stptui.commands import CommandError, Session, execute
from stptui.sim import trace as tk
from stptui.sim.engine import SimError
from stptui.sim.payloads import NumberText
from stptui.sim.services.topic import compile_filter_policy
from tests.simkit import START, make_sim, records

PACKAGING = "packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}"
STACK = f"""
resources:
  orders: {{type: sns-topic}}
  capture: {{type: sqs-queue}}
  everything:
    type: function
    properties:
      connectTo: [capture]
      {PACKAGING}
      events: [{{type: sns, properties: {{snsTopicName: orders}}}}]
  large:
    type: function
    properties:
      {PACKAGING}
      events:
        - type: sns
          properties: {{snsTopicName: orders, filterPolicy: {{amount: [{{numeric: [">", 100]}}]}}}}
  notFive:
    type: function
    properties:
      {PACKAGING}
      events:
        - type: sns
          properties: {{snsTopicName: orders, filterPolicy: {{amount: [{{anything-but: [5]}}]}}}}
"""
BEHAVIORS = "behaviors:\n  everything:\n    emit: [{send: {queue: capture, body: '@'}}]\n"


def _publish(amount: Any) -> tuple[Any, dict[str, str]]:
    """The simulation after publishing `amount`, and which subscribers it reached."""
    sim = make_sim(STACK, BEHAVIORS)
    sim.services["topics"].publish("orders", "order", attributes={"amount": amount})
    sim.advance(1000)
    reached = {r.get("target"): "delivered" for r in records(sim, tk.NOTIFICATION_DELIVERED)}
    for r in records(sim, tk.NOTIFICATION_FILTERED):
        reached[r.get("target")] = "\n".join(r.get("reason"))
    return sim, reached


@pytest.mark.parametrize(
    "amount",
    [
        1e10,
        -2_000_000_000,
        NumberText("12345678901234567890123456789012345678"),
        NumberText("1e126"),
        NumberText("-1e-128"),
        NumberText("0.000000000001"),
    ],
)
def test_publish_takes_numbers_beyond_the_filter_range(amount: Any) -> None:
    sim, _ = _publish(amount)
    (event,) = [json.loads(m.body) for m in sim.queues["capture"].listing()]
    attr = event["Records"][0]["Sns"]["MessageAttributes"]["amount"]
    # A Lambda subscription receives a Number as String, its text unchanged.
    assert attr == {"Type": "String", "Value": str(amount)}


@pytest.mark.parametrize(
    ("amount", "why"),
    [
        (NumberText("1e127"), "outside what SNS takes"),
        (NumberText("1e-129"), "outside what SNS takes"),
        (NumberText("123456789012345678901234567890123456789"), "outside what SNS takes"),
        (float("nan"), "Could not cast message attribute 'amount' value to number."),
        (float("inf"), "Could not cast message attribute 'amount' value to number."),
    ],
)
def test_publish_refuses_what_sns_refuses_with_its_error_code(amount: Any, why: str) -> None:
    sim = make_sim(STACK, BEHAVIORS)
    with pytest.raises(SimError, match="ParameterValueInvalid") as err:
        sim.services["topics"].publish("orders", "order", attributes={"amount": amount})
    assert why in str(err.value)
    assert sim.trace.seq == 0


def test_a_number_beyond_the_filter_range_matches_no_numeric_condition() -> None:
    _, reached = _publish(NumberText("2e9"))
    assert reached["everything"] == "delivered"
    # Not a number SNS can compare: `> 100` does not hold, and it is not the number 5.
    assert "outside SNS's filter range" in reached["large"]
    assert reached["notFive"] == "delivered"


def test_numbers_compare_to_five_decimal_places() -> None:
    # 100.000004 rounds to 100.00000, which is not above 100; 100.00001 is.
    assert _publish(NumberText("100.000004"))[1]["large"] != "delivered"
    assert _publish(NumberText("100.00001"))[1]["large"] == "delivered"
    assert _publish(NumberText("999999999.5"))[1]["large"] == "delivered"


@pytest.mark.parametrize("number", [1_000_000_001, -2e9, 0.000001, 1.123456])
def test_a_policy_number_outside_numeric_matchings_range_is_refused(number: float) -> None:
    _, _, problems = compile_filter_policy({"amount": [{"numeric": [">", number]}]})
    assert problems and "outside numeric matching's range" in problems[0]
    _, _, problems = compile_filter_policy({"amount": [{"anything-but": [number]}]})
    assert problems


def test_the_command_keeps_the_number_as_written(tmp_path: Any) -> None:
    (tmp_path / "stacktape.yml").write_text(STACK, encoding="utf-8")
    (tmp_path / "stptui.yml").write_text(BEHAVIORS, encoding="utf-8")
    session = Session.open(tmp_path, start_ms=START)
    execute(session, "publish-sns orders order --attr amount=1.50e10")
    execute(session, "advance 1s")
    (msg,) = session.sim.queues["capture"].listing()
    attr = json.loads(msg.body)["Records"][0]["Sns"]["MessageAttributes"]["amount"]
    assert attr == {"Type": "String", "Value": "1.50e10"}
    with pytest.raises(CommandError, match="ParameterValueInvalid"):
        execute(session, "publish-sns orders order --attr amount=1e200")
