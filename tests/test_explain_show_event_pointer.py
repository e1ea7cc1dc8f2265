"""`explain` of a message, event, request or object ends, as a batch job's chain does, with
the `show event` line of each function the chain invoked: a function consuming a queue is
no dead end for a user who wants to see what its handler got."""

from __future__ import annotations

from pathlib import Path

from stptui.commands import Session, execute
from stptui.sim import trace as tk
from stptui.sim.clock import parse_instant
from tests.simkit import records

SAMPLES = Path(__file__).resolve().parents[1] / "stptui" / "sample_stacks"
T0 = parse_instant("2026-01-05T08:00:00Z")


def _opened(stack: str) -> Session:
    return Session.open(SAMPLES / stack, start_ms=T0)


def _invocations(s: Session, function: str) -> list[str]:
    return [str(r.get("invocation_id")) for r in records(s.sim, tk.INVOCATION_STARTED, function)]


def _pointers(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("show event ")]


def test_a_message_a_function_consumed_points_at_the_newest_invocation_s_event() -> None:
    s = _opened("job-queue")
    message_id = execute(s, 'send jobQueue \'{"orderId": 2, "amount": 5000}\'').data["message_id"]
    execute(s, "advance 20m")
    *_, newest = _invocations(s, "worker")
    assert _pointers(execute(s, f"explain {message_id}").text) == [
        f"show event {newest} shows the event worker received (the newest of its 3 invocations)"
    ]
    # The line is one to type: it shows the message the worker got.
    shown = execute(s, f"show event {newest}").data["event"]
    assert shown["Records"][0]["messageId"] == message_id


def test_an_event_two_functions_got_points_at_each_function_s_event() -> None:
    s = _opened("event-driven")
    event_id = execute(s, "publish eventBus orders OrderShipped '{\"orderId\": 1}'").data[
        "event_id"
    ]
    execute(s, "advance 5m")
    [analytics] = _invocations(s, "analyticsService")
    *_, email = _invocations(s, "emailService")
    assert _pointers(execute(s, f"explain {event_id}").text) == [
        f"show event {analytics} shows the event analyticsService received",
        f"show event {email} shows the event emailService received "
        "(the newest of its 3 invocations)",
    ]


def test_a_request_points_at_the_api_s_and_the_consumer_s_events() -> None:
    s = _opened("job-queue")
    execute(s, 'http POST /jobs \'{"orderId": 1, "amount": 20}\'')
    execute(s, "advance 10s")
    [api] = _invocations(s, "api")
    [worker] = _invocations(s, "worker")
    assert _pointers(execute(s, "explain $last").text) == [
        f"show event {api} shows the event api received",
        f"show event {worker} shows the event worker received",
    ]


def test_an_invocation_s_own_explain_keeps_its_one_line() -> None:
    s = _opened("job-queue")
    execute(s, 'send jobQueue \'{"orderId": 1, "amount": 20}\'')
    execute(s, "advance 10s")
    [worker] = _invocations(s, "worker")
    assert _pointers(execute(s, f"explain {worker}").text) == [
        f"show event {worker} shows the event it received"
    ]
