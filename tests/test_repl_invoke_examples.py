"""Tab at `invoke FUNCTION `: the payloads invoked on the function before (newest first),
then, for each of its triggers, the event that trigger delivers, built by the simulator's
own builders, so that its shape is the one the function gets when the trigger fires; then
`{}`. Completing draws no id, traces nothing and moves no clock."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from replkit import complete, completions, metas, tabbed

from stptui.commands import Session, execute
from stptui.commands.examples import MESSAGE_BODY
from stptui.commands.registry import quote_word
from stptui.repl.candidates import candidates
from stptui.sim.clock import parse_instant
from stptui.sim.invocation_events import event_of

SAMPLES = Path(__file__).resolve().parents[1] / "stptui" / "sample_stacks"
T0 = parse_instant("2026-01-05T08:00:00Z")


@pytest.fixture
def combined() -> Session:
    return Session.open(SAMPLES / "combined", start_ms=T0)


def key_paths(value: Any, at: str = "") -> set[str]:
    """Every key path of a JSON value (`Records[].s3.object.key`): its shape."""
    if isinstance(value, dict):
        out = {at}
        for key, inner in value.items():
            out |= key_paths(inner, f"{at}.{key}")
        return out
    if isinstance(value, list):
        return {at} | {p for item in value for p in key_paths(item, f"{at}[]")}
    return {at}


def received(session: Session, function: str) -> Any:
    """The event the newest invocation of `function` received."""
    entry = next(e for e in reversed(session.sim.invocation_events) if e[1] == function)
    return event_of(session.sim, entry)


def offered(session: Session, line: str, about: str) -> Any:
    """The payload offered at `line` whose help line starts with `about`, parsed."""
    found = [c.text for c in candidates(session, line) if c.meta.startswith(about)]
    assert len(found) == 1, [c.meta for c in candidates(session, line)]
    return json.loads(found[0])


def tabbed_with(session: Session, line: str, about: str) -> str:
    """The line Tab makes of `line` with the offer whose help line starts with `about`."""
    lines = tabbed(session, line)
    metas_in_order = [c.display_meta_text for c in completions(session, line)]
    return next(t for t, m in zip(lines, metas_in_order, strict=True) if m.startswith(about))


@pytest.mark.parametrize(
    ("function", "about", "fire"),
    [
        (
            "worker",
            "the SQS event jobQueue delivers (1 message)",
            f"send jobQueue '{MESSAGE_BODY}'",
        ),
        (
            "api",
            "the HTTP API event of GET /example on httpApi (payload 1.0)",
            "http GET /example",
        ),
        (
            "webhookReceiver",
            "the HTTP API event of POST /webhooks/example on httpApi (payload 1.0)",
            f"http POST /webhooks/example '{MESSAGE_BODY}'",
        ),
        (
            "fileProcessor",
            "the S3 event uploads sends for ObjectCreated:Put of incoming/example.txt",
            "upload uploads incoming/example.txt",
        ),
        ("dailyReport", "the event its schedule cron(0 9 * * ? *) sends", "fire dailyReport"),
        (
            "emailService",
            "the event the rule on eventBus delivers (orders, OrderCreated)",
            "publish eventBus orders OrderCreated '{}'",
        ),
        (
            "alertHandler",
            "the SNS event alertsTopic delivers",
            "publish-sns alertsTopic '{\"orderId\": 1}' --attr severity=high",
        ),
    ],
)
def test_invoke_offers_the_event_each_trigger_delivers(
    combined: Session, function: str, about: str, fire: str
) -> None:
    line = f"invoke {function} "
    example = offered(combined, line, about)
    execute(combined, fire)
    execute(combined, "advance 1s")
    delivered = received(combined, function)
    # The shape the function gets when the trigger fires, key for key.
    assert key_paths(example) == key_paths(delivered)
    # Typed as offered, the line runs and the function gets exactly that event.
    now = offered(combined, line, about)  # made at the clock's new time
    execute(combined, tabbed_with(combined, line, about))
    assert received(combined, function) == now


def test_the_examples_fit_their_trigger(combined: Session) -> None:
    # The key the S3 filter takes, the route's own resource, the schedule's rule, the
    # attribute the subscription's filter policy asks for.
    s3 = offered(combined, "invoke fileProcessor ", "the S3 event")["Records"][0]
    assert s3["eventName"] == "ObjectCreated:Put"
    assert s3["s3"]["object"]["key"] == "incoming/example.txt"
    api = offered(combined, "invoke api ", "the HTTP API event")
    assert (api["resource"], api["pathParameters"]) == ("/{proxy+}", {"proxy": "example"})
    sns = offered(combined, "invoke alertHandler ", "the SNS event")["Records"][0]["Sns"]
    assert sns["MessageAttributes"] == {"severity": {"Type": "String", "Value": "high"}}
    cron = offered(combined, "invoke dailyReport ", "the event its schedule")
    assert cron["detail-type"] == "Scheduled Event"
    assert cron["time"] == "2026-01-05T08:00:00Z"  # the clock's now


def test_earlier_payloads_come_first_then_the_triggers_then_empty(combined: Session) -> None:
    execute(combined, "invoke worker '{\"a\": 1}'")
    execute(combined, "invoke worker '{\"a\": 2}'")
    execute(combined, "invoke api '{\"b\": 1}'")
    offers = list(metas(combined, "invoke worker ").items())
    assert offers[0] == (quote_word('{"a": 2}'), "invoked on this function before")
    assert offers[1] == (quote_word('{"a": 1}'), "invoked on this function before")
    assert offers[2][1] == "the SQS event jobQueue delivers (1 message)"
    assert offers[3] == ("{}", "an empty event: what invoke sends without a PAYLOAD")
    # A function without triggers is offered its earlier payloads and `{}`.
    assert complete(combined, "invoke api '")[0] == quote_word('{"b": 1}')


def lines(session: Session) -> list[str]:
    return [r.to_line() for r in session.sim.trace.since(0)]


def _state(session: Session) -> tuple[Any, ...]:
    sim = session.sim
    return sim.ids_issued, sim.clock.now, lines(session), sim.clock.peek()


def test_completing_changes_nothing_in_the_simulation(combined: Session) -> None:
    other = Session.open(SAMPLES / "combined", start_ms=T0)
    before = _state(combined)
    functions = list(combined.sim.functions)
    for name in functions:
        complete(combined, f"invoke {name} ")
    assert _state(combined) == before
    # The same commands afterwards give the same trace and the same ids as without it.
    for session in (combined, other):
        execute(session, f"send jobQueue '{MESSAGE_BODY}'")
        execute(session, "upload uploads incoming/a.txt")
        execute(session, "advance 1m")
    assert lines(combined) == lines(other)


def test_a_key_press_at_invoke_is_about_as_fast_as_at_send(combined: Session) -> None:
    def per_press(line: str) -> float:
        start = time.perf_counter()
        for n in range(20):
            # A new state each time (the offers are kept per state): a command runs between.
            execute(combined, f"advance {n + 1}ms")
            complete(combined, line)
        return (time.perf_counter() - start) / 20

    send, invoke = per_press("send jobQueue "), per_press("invoke api ")
    # Both well under a frame; the HTTP event is the largest built.
    assert invoke < 0.05, (send, invoke)
