"""Reserved concurrency as Lambda shares the account's concurrency: a function with reserved
concurrency has it to itself, and the functions without any share what is left
(Lambda developer guide, "Configuring reserved concurrency for a function")."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from stptui.commands import Session, execute
from stptui.config import load_stack_text
from stptui.sim import trace as tk
from stptui.sim.engine import SimError, Simulator
from tests.simkit import START, make_sim, records

PKG = "packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: f.ts}}"

TWO = f"""
resources:
  jobs: {{type: sqs-queue}}
  critical:
    type: function
    properties:
      {PKG}
      reservedConcurrency: 100
  bulk:
    type: function
    properties:
      {PKG}
      events: [{{type: sqs, properties: {{sqsQueueName: jobs}}}}]
"""
SLOW = "behaviors:\n  critical: {duration: 10s}\n  bulk: {duration: 10s}\n"


def started_at_start(sim: Simulator, name: str) -> int:
    """How many invocations of `name` started at the first instant."""
    return sum(1 for r in records(sim, tk.INVOCATION_STARTED, name) if r.t == START)


def test_functions_without_reserved_concurrency_share_what_the_reservations_leave() -> None:
    # 1,000 for the account, 100 of it reserved for `critical`: `bulk` gets 900 at most.
    sim = make_sim(TWO, SLOW)
    for i in range(1_000):
        sim.invoke_async("bulk", {"n": i}, "invoke", "test")
    sim.advance(0)
    assert started_at_start(sim, "bulk") == 900
    throttled = [r for r in records(sim, tk.INVOCATION_THROTTLED, "bulk") if r.t == START]
    assert len(throttled) == 100
    # The throttled events wait in the asynchronous queue and run once room is made.
    sim.advance(60_000)
    assert sim.function_stats("bulk")["successes"] == 1_000


def test_a_reserved_function_keeps_its_concurrency_while_the_others_fill_theirs() -> None:
    sim = make_sim(TWO, SLOW)
    for i in range(1_000):
        sim.invoke_async("bulk", {"n": i}, "invoke", "test")
    for i in range(101):
        sim.invoke_async("critical", {"n": i}, "invoke", "test")
    sim.advance(0)
    # Its 100 are its own, whatever the others run; the 101st is over its own limit.
    assert started_at_start(sim, "critical") == 100
    assert started_at_start(sim, "bulk") == 900
    [throttled] = [r for r in records(sim, tk.INVOCATION_THROTTLED, "critical")]
    assert throttled.get("retry_in_ms") == 1_000


def test_an_sqs_consumer_is_throttled_at_the_unreserved_pool() -> None:
    # The event source mapping's invocations take the same pool: 900 async invocations of
    # `bulk` leave none for its own queue's batches, which its pollers then retry.
    sim = make_sim(TWO, SLOW)
    for i in range(900):
        sim.invoke_async("bulk", {"n": i}, "invoke", "test")
    sim.send("jobs", json.dumps({"n": 1}))
    sim.advance(0)
    [throttled] = [r for r in records(sim, tk.INVOCATION_THROTTLED, "bulk") if r.t == START]
    assert throttled.get("trigger") == "sqs"


STREAM = f"""
resources:
  clicks: {{type: kinesis-stream}}
  critical:
    type: function
    properties:
      {PKG}
      reservedConcurrency: 100
  bulk:
    type: function
    properties:
      {PKG}
  reader:
    type: function
    properties:
      {PKG}
      events:
        - type: kinesis-stream
          properties: {{kinesisStreamName: clicks, startingPosition: TRIM_HORIZON}}
"""


def test_a_stream_reader_is_throttled_at_the_unreserved_pool() -> None:
    sim = make_sim(STREAM, SLOW)
    for i in range(900):
        sim.invoke_async("bulk", {"n": i}, "invoke", "test")
    sim.services["streams"]["clicks"].put(b'{"n": 1}', "k")
    sim.advance(0)
    throttled = records(sim, tk.INVOCATION_THROTTLED, "reader")
    assert throttled and throttled[0].t == START


@pytest.mark.parametrize(
    ("reserved", "unreserved"),
    [("reservedConcurrency: 100", "900 left unreserved"), ("", "1,000")],
)
def test_show_function_names_the_pool_an_unreserved_function_shares(
    tmp_path: Path, reserved: str, unreserved: str
) -> None:
    stack = TWO.replace("reservedConcurrency: 100", reserved)
    path = tmp_path / "stacktape.yml"
    path.write_text(stack)
    session = Session.open(path, start_ms=START)
    text = execute(session, "show function bulk").text
    assert f"no reserved concurrency (shares the account's {unreserved})" in text


def test_validate_warns_when_reservations_leave_under_100_unreserved() -> None:
    stack = load_stack_text(
        TWO.replace("reservedConcurrency: 100", "reservedConcurrency: 950"), "s.yml"
    )
    [d] = [d for d in stack.diagnostics if d.code == "reserved-concurrency-over-account"]
    assert d.severity == "warning"
    assert "950" in d.message and "100" in d.message


def test_a_throttled_sync_invoke_gives_lambdas_reason() -> None:
    # Invoke's TooManyRequestsException says "Rate Exceeded." with a Reason: the function's
    # own reservation, or the account's concurrency (Lambda API reference, Invoke, Errors).
    sim = make_sim(TWO, SLOW)
    for i in range(100):
        sim.invoke_async("critical", {"n": i}, "invoke", "test")
    for i in range(900):
        sim.invoke_async("bulk", {"n": i}, "invoke", "test")
    sim.advance(0)
    with pytest.raises(SimError) as reserved:
        sim.invoke_sync("critical", {}, lambda outcome, _id: None)
    assert str(reserved.value) == (
        "TooManyRequestsException: Rate Exceeded. "
        "(Reason: ReservedFunctionConcurrentInvocationLimitExceeded)"
    )
    with pytest.raises(SimError) as account:
        sim.invoke_sync("bulk", {}, lambda outcome, _id: None)
    assert str(account.value) == (
        "TooManyRequestsException: Rate Exceeded. (Reason: ConcurrentInvocationLimitExceeded)"
    )
    assert "900" in (account.value.hint or "")
