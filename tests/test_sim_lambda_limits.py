"""What Lambda answers for an invocation that went wrong outside the handler's code: a
Python handler that returns more than 6,291,556 bytes fails with
Function.ResponseSizeTooLarge, a timed-out asynchronous event's destination record carries
Lambda's own timeout message, and an Invoke over 6 MB (synchronous) or 1 MB (asynchronous)
is refused with RequestEntityTooLargeException (docs/fidelity.md, Lambda)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from stptui.commands import CommandError, Session, execute
from stptui.sim import trace as tk
from tests.simkit import START, make_sim, records

STACK = """
resources:
  api: {type: http-api-gateway}
  report:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: report.py}}
      events:
        - type: http-api-gateway
          properties: {httpApiGatewayName: api, path: /report, method: GET, payloadFormat: '2.0'}
"""
HANDLERS = """
def big(event, context):
    return {"statusCode": 200, "body": "x" * int(event["queryStringParameters"]["n"])}
"""
SIDECAR = "behaviors:\n  report:\n    handler: limits_report_handlers:big\n"


def _session(tmp_path: Path) -> Session:
    (tmp_path / "stacktape.yml").write_text(STACK, encoding="utf-8")
    (tmp_path / "stptui.yml").write_text(SIDECAR, encoding="utf-8")
    (tmp_path / "limits_report_handlers.py").write_text(HANDLERS, encoding="utf-8")
    return Session.open(tmp_path, start_ms=START, allow_code=True)


def test_a_response_over_6_mb_fails_the_invocation(tmp_path: Path) -> None:
    session = _session(tmp_path)
    result = execute(session, "http GET /report?n=7000000")
    assert result.text.startswith("HTTP 500")
    (failed,) = records(session.sim, tk.INVOCATION_FAILED)
    assert failed.get("error") == "Function.ResponseSizeTooLarge"
    assert failed.get("error_message") == (
        "Response payload size (7000028 bytes) exceeded maximum allowed payload size "
        "(6291556 bytes)."
    )


def test_a_response_just_under_the_limit_is_answered(tmp_path: Path) -> None:
    session = _session(tmp_path)
    result = execute(session, "http GET /report?n=6000000")
    assert result.text.startswith("HTTP 200")


ASYNC = """
resources:
  failures: {type: sqs-queue}
  slow:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: s.py}}
      timeout: 3
      destinations: {onFailure: "$ResourceParam('failures', 'arn')"}
"""


def test_a_timed_out_event_reaches_its_destination_with_lambdas_timeout_message() -> None:
    sim = make_sim(ASYNC, "behaviors:\n  slow: {duration: 10s}\n")
    event_id = sim.invoke_async("slow", {"n": 1}, "invoke", "test")
    sim.run(3_600_000)
    (msg,) = sim.queues["failures"].listing()
    record = json.loads(msg.body)
    assert record["responseContext"]["functionError"] == "Unhandled"
    # Lambda, not the runtime, writes a timeout's response: Sandbox.Timedout, and a message
    # naming the request, as Invoke answers in reports from 2025 on (older ones show a
    # single message starting with the instant, which stptui used to give).
    assert record["responsePayload"] == {
        "errorType": "Sandbox.Timedout",
        "errorMessage": f"RequestId: {event_id} Error: Task timed out after 3.00 seconds",
    }


ASYNC_BIG = """
resources:
  failures: {type: sqs-queue}
  exporter:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: e.py}}
      destinations: {onFailure: "$ResourceParam('failures', 'arn')"}
"""
BIG_HANDLERS = """
def export(event, context):
    return "x" * event["n"]
"""


def test_an_async_event_whose_response_is_too_large_gets_lambdas_error_response(
    tmp_path: Path,
) -> None:
    (tmp_path / "stacktape.yml").write_text(ASYNC_BIG, encoding="utf-8")
    (tmp_path / "stptui.yml").write_text(
        "behaviors:\n  exporter:\n    handler: limits_big_handlers:export\n", encoding="utf-8"
    )
    (tmp_path / "limits_big_handlers.py").write_text(BIG_HANDLERS, encoding="utf-8")
    session = Session.open(tmp_path, start_ms=START, allow_code=True)
    sim = session.sim
    event_id = sim.invoke_async("exporter", {"n": 7_000_000}, "invoke", "test")
    sim.run(3_600_000)
    # A function error like any other: retried twice, then the on-failure destination.
    assert len(records(sim, tk.INVOCATION_FAILED, "exporter")) == 3
    (msg,) = sim.queues["failures"].listing()
    record = json.loads(msg.body)
    assert record["requestContext"]["requestId"] == event_id
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["responseContext"]["functionError"] == "Unhandled"
    # Lambda, not the Python runtime, refuses the response: its error has no requestId or
    # stackTrace (the body Invoke answers with, as moto and users record it).
    assert record["responsePayload"] == {
        "errorMessage": "Response payload size (7000002 bytes) exceeded maximum allowed "
        "payload size (6291556 bytes).",
        "errorType": "Function.ResponseSizeTooLarge",
    }


RELAY = """
resources:
  relay:
    type: function
    properties:
      connectTo: [sink]
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: r.ts}}
  sink:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: s.ts}}
"""
RELAY_BEHAVIORS = 'behaviors:\n  relay:\n    emit: [{invoke: {function: sink, payload: "@"}}]\n'


def test_an_asynchronous_invoke_over_1_mb_is_refused_and_one_under_it_runs() -> None:
    sim = make_sim(RELAY, RELAY_BEHAVIORS)
    sim.invoke_async("relay", {"x": "y" * 1_100_000}, "invoke", "test")
    sim.invoke_async("relay", {"x": "y" * 1_000_000}, "invoke", "test")
    sim.run(60_000)
    (failed,) = records(sim, tk.EMISSION_FAILED)
    assert failed.get("error").startswith(
        "RequestEntityTooLargeException: Request must be smaller than 1048576 bytes"
    )
    assert len(records(sim, tk.INVOCATION_STARTED, "sink")) == 1


def test_a_synchronous_invoke_over_6_mb_is_refused_and_changes_nothing(tmp_path: Path) -> None:
    (tmp_path / "stacktape.yml").write_text(RELAY, encoding="utf-8")
    session = Session.open(tmp_path, start_ms=START)
    with pytest.raises(CommandError, match="RequestEntityTooLargeException"):
        execute(session, "invoke sink '\"" + "y" * 6_300_000 + "\"'")
    assert session.sim.trace.seq == 0
