"""Fidelity questions settled by AWS's samples, captured events and measurements (each test
names its source; docs/fidelity.md cites them): what an HTTP API adds to and how it orders
a request's headers, what a FIFO queue does with a per-message delay, how PutEvents refuses
an entry that is too large, and how SNS compares a Number attribute written in another
form."""

from __future__ import annotations

import json
from typing import Any

import pytest

from stptui.sim import trace as tk
from stptui.sim.engine import SimError
from stptui.sim.payloads import NumberText
from stptui.sim.services.bus import MAX_ENTRY_BYTES
from tests.simkit import capture_inputs, make_sim, records

PKG = "packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: f.ts}}"


def _route(name: str, fmt: str, method: str, path: str) -> str:
    props = {"httpApiGatewayName": "api", "method": method, "path": path, "payloadFormat": fmt}
    event = json.dumps({"type": "http-api-gateway", "properties": props})
    return f"  {name}:\n    type: function\n    properties:\n      {PKG}\n      events: [{event}]\n"


HTTP_STACK = (
    "resources:\n  api: {type: http-api-gateway}\n"
    + _route("v1", "1.0", "GET", "/calculate")
    + _route("v2", "2.0", "*", "/{param1}/{param2}/hello")
    + _route("browse", "2.0", "GET", "/page")
)


def http_event(method: str, path: str, body: str | None = None, **kw: Any) -> dict[str, Any]:
    """The event a request to HTTP_STACK hands its function."""
    sim = make_sim(HTTP_STACK)
    seen = capture_inputs(sim, lambda inp: inp.event())
    sim.services["http"].call(method, path, body, gateway="api", **kw)
    [event] = seen
    return event


# -- HTTP API: a content length on every request -------------------------------------------


def test_2_0_gives_a_request_without_a_body_a_content_length_of_zero() -> None:
    # The Lambda developer guide's 2.0 event (sample-apps/nodejs-apig/event-v2.json), a
    # browser's GET, which sends no Content-Length, has "content-length": "0"; so has the
    # 2.0 twin of mantil-io/go-lambda-examples' bodiless curl POST.
    event = http_event("GET", "/page")
    assert event["headers"]["content-length"] == "0"
    assert "body" not in event


# -- HTTP API: header names in code-point order --------------------------------------------


def test_1_0_lists_headers_as_the_captured_postman_get_does() -> None:
    # craigchiang/technical-assessment-lambda events/GetEvent.json (HTTP API, payload 1.0,
    # Postman 7.32, 2023): Postman sends User-Agent, Accept, Postman-Token, Host,
    # Accept-Encoding; the event lists them sorted, capitalised names before lower-case ones.
    sent = [
        ("User-Agent", "PostmanRuntime/7.32.2"),
        ("Accept", "*/*"),
        ("Postman-Token", "c41553f5-94e0-4bc9-9bc1-2a1a845a4230"),
        ("Accept-Encoding", "gzip, deflate, br"),
    ]
    event = http_event("GET", "/calculate?numbers=1", headers=sent)
    expected = [
        "Content-Length",
        "Host",
        "Postman-Token",
        "User-Agent",
        "X-Amzn-Trace-Id",
        "X-Forwarded-For",
        "X-Forwarded-Port",
        "X-Forwarded-Proto",
        "accept",
        "accept-encoding",
    ]
    assert list(event["headers"]) == expected
    assert list(event["multiValueHeaders"]) == expected


def test_2_0_lists_headers_and_query_parameters_as_the_captured_curl_post_does() -> None:
    # note.kiriukun.com, 2021-06-27: `curl -X POST -H 'Content-Type: application/json'
    # -H 'X-Foo: bar' -H 'X-Baz: eee' -H 'X-Baz: ff,f' -d '{"zzz":123}'
    # '.../xxx/yyy/hello?hoge=hg&piyo=py&fuga=aaa&fuga=b,bb'` to an HTTP API with payload 2.0.
    sent = [
        ("User-Agent", "curl/7.68.0"),
        ("Accept", "*/*"),
        ("Content-Type", "application/json"),
        ("X-Foo", "bar"),
        ("X-Baz", "eee"),
        ("X-Baz", "ff,f"),
    ]
    event = http_event(
        "POST", "/xxx/yyy/hello?hoge=hg&piyo=py&fuga=aaa&fuga=b,bb", '{"zzz":123}', headers=sent
    )
    assert list(event["headers"]) == [
        "accept",
        "content-length",
        "content-type",
        "host",
        "user-agent",
        "x-amzn-trace-id",
        "x-baz",
        "x-foo",
        "x-forwarded-for",
        "x-forwarded-port",
        "x-forwarded-proto",
    ]
    assert event["headers"]["x-baz"] == "eee,ff,f"
    assert event["headers"]["content-length"] == "11"
    assert event["queryStringParameters"] == {"fuga": "aaa,b,bb", "hoge": "hg", "piyo": "py"}
    assert list(event["queryStringParameters"]) == ["fuga", "hoge", "piyo"]
    assert event["rawQueryString"] == "hoge=hg&piyo=py&fuga=aaa&fuga=b,bb"


def test_1_0_keeps_the_query_parameters_in_the_order_sent() -> None:
    # A choice: no capture of a 1.0 event with several query parameters was found.
    event = http_event("GET", "/calculate?z=1&a=2&z=3")
    assert list(event["queryStringParameters"]) == ["z", "a"]
    assert event["multiValueQueryStringParameters"] == {"z": ["1", "3"], "a": ["2"]}


# -- SQS: a FIFO queue takes no per-message delay ------------------------------------------

FIFO = """
resources:
  orders:
    type: sqs-queue
    properties: {fifoEnabled: true, contentBasedDeduplication: true, delayMessagesSecond: 30}
"""


def test_a_fifo_queue_refuses_a_per_message_delay_with_sqs_message() -> None:
    # LocalStack's SQS FifoQueue.put (its tests are validated against AWS) and other
    # emulators answer with this text; the API reference: "When you set FifoQueue, you can't
    # set DelaySeconds per message."
    sim = make_sim(FIFO)
    with pytest.raises(SimError) as err:
        sim.send("orders", "x", group="g", delay_s=5)
    assert str(err.value) == (
        "InvalidParameterValue: Value 5 for parameter DelaySeconds is invalid. Reason: The "
        "request include parameter that is not valid for this queue type."
    )
    assert sim.trace.seq == 0


def test_a_fifo_queue_delays_a_message_sent_with_delay_zero_by_its_own_delay() -> None:
    # "FIFO queues always use the queue level setting for 'DelaySeconds'" (LocalStack's
    # FifoQueue.put): DelaySeconds 0 is accepted, and the queue's 30 s still apply.
    sim = make_sim(FIFO)
    sim.send("orders", "x", group="g", delay_s=0)
    queue = sim.queue("orders")
    assert (queue.delayed_count, queue.visible_count) == (1, 0)
    [sent] = records(sim, tk.MESSAGE_SENT)
    assert sent.get("delay_ms") == 30_000
    sim.advance(30_000)
    assert (queue.delayed_count, queue.visible_count) == (0, 1)


# -- EventBridge: an entry over the size limit fails the whole request ----------------------

BUS = "resources:\n  bus: {type: event-bus}\n"


def _detail_of(entry_bytes: int) -> str:
    """A Detail that makes an entry with Source `s` and DetailType `T` this many bytes."""
    padding = entry_bytes - len('{"x":""}') - 2
    return json.dumps({"x": "y" * padding}, separators=(",", ":"))


def test_put_events_refuses_an_entry_over_1_mib_as_a_validation_exception() -> None:
    # Measured on AWS on 2026-03-28 (the public lab "Amazon EventBridge 1MB 事件负载实测"):
    # an entry of 1,048,576 bytes is accepted; one of 1,048,577 fails the request with
    # "ValidationException: Total size of the entries in the request is over the limit.",
    # the message LocalStack's events provider gives as well.
    sim = make_sim(BUS)
    buses = sim.services["buses"]
    buses.publish("bus", "s", "T", _detail_of(MAX_ENTRY_BYTES))
    with pytest.raises(SimError) as err:
        buses.publish("bus", "s", "T", _detail_of(MAX_ENTRY_BYTES + 1))
    assert str(err.value).startswith(
        "ValidationException: Total size of the entries in the request is over the limit. "
    )
    assert "1,048,577 bytes" in str(err.value)


# -- SNS: a Number attribute is compared by its value, delivered as written -----------------

SNS = f"""
resources:
  prices: {{type: sns-topic}}
  exact:
    type: function
    properties:
      {PKG}
      events:
        - type: sns
          properties:
            snsTopicName: prices
            filterPolicy: {{price_usd: [{{numeric: ["=", 301.5]}}]}}
"""


def test_a_number_attribute_matches_by_value_and_arrives_as_written() -> None:
    # SNS developer guide, "Numeric value matching": {"numeric": ["=", 301.5]} matches
    # {"Type": "Number", "Value": 3.015e2}. SNS does not rewrite the value it delivers.
    sim = make_sim(SNS)
    seen = capture_inputs(sim, lambda inp: inp.event())
    sim.services["topics"].publish("prices", "m", attributes={"price_usd": NumberText("3.015e2")})
    sim.advance(1000)
    [event] = seen
    attr = event["Records"][0]["Sns"]["MessageAttributes"]["price_usd"]
    assert attr == {"Type": "String", "Value": "3.015e2"}
