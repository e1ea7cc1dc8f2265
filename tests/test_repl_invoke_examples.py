"""Tab at `invoke FUNCTION `: the payloads invoked on the function before (newest first),
then, for each of its triggers, the event that trigger delivers, built by the simulator's
own builders, so that its shape is the one the function gets when the trigger fires; then
`{}`. Completing draws no id, traces nothing and moves no clock."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from json_shape import key_paths
from replkit import complete, completions, metas, tabbed
from sim_state import assert_changes_nothing, sim_state

from stptui.commands import Session, execute
from stptui.commands.examples import KAFKA_VALUE, LOG_LINES, MESSAGE_BODY, STREAM_DATA
from stptui.commands.registry import quote_word
from stptui.repl.candidates import candidates
from stptui.sim.clock import parse_instant
from stptui.sim.invocation_events import event_of
from stptui.sim.logs import decode_awslogs

SAMPLES = Path(__file__).resolve().parents[1] / "stptui" / "sample_stacks"
T0 = parse_instant("2026-01-05T08:00:00Z")


@pytest.fixture
def combined() -> Session:
    return Session.open(SAMPLES / "combined", start_ms=T0)


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


def test_completing_changes_nothing_in_the_simulation(combined: Session) -> None:
    def look() -> None:
        for name in list(combined.sim.functions):
            complete(combined, f"invoke {name} ")

    assert_changes_nothing(
        combined,
        Session.open(SAMPLES / "combined", start_ms=T0),
        look,
        [f"send jobQueue '{MESSAGE_BODY}'", "upload uploads incoming/a.txt", "advance 1m"],
    )


EXAMPLES = Path(__file__).resolve().parents[1] / "docs" / "examples"


@pytest.mark.parametrize(
    ("stack", "function", "about", "fire"),
    [
        (
            "commands-stack.yml",
            "clickProcessor",
            "the Kinesis event clicks delivers (1 record)",
            f"put-record clicks '{STREAM_DATA}'",
        ),
        (
            "commands-stack.yml",
            "cartAudit",
            "the DynamoDB stream event of carts (an INSERT)",
            """put-item carts '{"id": {"S": "example"}}'""",
        ),
        (
            "load-balancer.yml",
            "orders",
            "the ALB event of GET /api/orders on mainLb (priority 10 on :443)",
            "http GET /api/orders --gateway mainLb",
        ),
        (
            "load-balancer.yml",
            "betaApi",
            "the ALB event of GET /api/example on mainLb (priority 5 on :443)",
            "http GET /api/example --gateway mainLb --header x-tenant:betaexample",
        ),
        (
            "load-balancer.yml",
            "admin",
            "the ALB event of GET /admin/example on mainLb (priority 20 on :443)",
            "http GET /admin/example --gateway mainLb --source-ip 10.0.0.0",
        ),
    ],
)
def test_invoke_offers_what_streams_and_load_balancers_deliver(
    stack: str, function: str, about: str, fire: str
) -> None:
    session = Session.open(EXAMPLES / stack, start_ms=T0)
    line = f"invoke {function} "
    before = sim_state(session)
    example = offered(session, line, about)
    assert sim_state(session) == before  # nothing drawn, kept or traced
    execute(session, fire)
    execute(session, "advance 1s")
    delivered = received(session, function)
    assert key_paths(example) == key_paths(delivered)
    # What differs is what the firing drew: the ids, the sequence number, the trace id.
    now = offered(session, line, about)
    execute(session, tabbed_with(session, line, about))
    assert received(session, function) == now


def test_the_stream_and_load_balancer_examples_fit_their_trigger() -> None:
    session = Session.open(EXAMPLES / "commands-stack.yml", start_ms=T0)
    kinesis = offered(session, "invoke clickProcessor ", "the Kinesis event")["Records"]
    # One record, on the shard its partition key's hash falls in, with the sequence number
    # the next record put there gets.
    execute(session, f"put-record clicks '{STREAM_DATA}'")
    put = next(r for r in session.sim.trace.since(0) if r.kind == "stream.record_put").data
    assert [r["eventID"] for r in kinesis] == [f"{put['shard']}:{put['sequence_number']}"]
    assert base64.b64decode(kinesis[0]["kinesis"]["data"]).decode() == STREAM_DATA
    ddb = offered(session, "invoke cartAudit ", "the DynamoDB stream event")["Records"][0]
    assert ddb["dynamodb"]["Keys"] == ddb["dynamodb"]["NewImage"] == {"id": {"S": "example"}}
    assert "OldImage" not in ddb["dynamodb"]  # an INSERT on a NEW_AND_OLD_IMAGES stream
    alb = Session.open(EXAMPLES / "load-balancer.yml", start_ms=T0)
    beta = offered(alb, "invoke betaApi ", "the ALB event")
    assert beta["headers"]["x-tenant"] == "betaexample"  # the rule's `beta*` header
    admin = offered(alb, "invoke admin ", "the ALB event")
    assert admin["headers"]["x-forwarded-for"] == "10.0.0.0"  # in its sourceIps block


def test_a_rule_shadowed_by_a_lower_priority_is_offered_no_event(tmp_path: Path) -> None:
    # The orders rule (10) made to take every GET under /api/, betaApi's (now 50) after it:
    # the request betaApi's conditions make reaches orders, so betaApi is offered none.
    stack = (EXAMPLES / "load-balancer.yml").read_text()
    shadowing = stack.replace("priority: 5\n", "priority: 50\n").replace(
        "paths: [/api/orders, /api/orders/*]", "paths: [/api/*]"
    )
    (tmp_path / "stacktape.yml").write_text(shadowing)
    session = Session.open(tmp_path / "stacktape.yml", start_ms=T0)

    def abouts(function: str) -> list[str]:
        return [c.meta for c in candidates(session, f"invoke {function} ")]

    assert not any(a.startswith("the ALB event") for a in abouts("betaApi")), abouts("betaApi")
    assert any(a.startswith("the ALB event") for a in abouts("orders"))


def without_authorizer(paths: set[str]) -> set[str]:
    """Key paths but what a WebSocket authorizer's answer adds (its context and principal:
    the example cannot know them)."""
    return {p for p in paths if not p.startswith(".requestContext.authorizer")}


@pytest.mark.parametrize(
    ("stack", "function", "about", "fire"),
    [
        (
            "kafka-orders.yml",
            "orderWorker",
            "the Kafka event order-events delivers (1 record)",
            f"produce order-events '{KAFKA_VALUE}'",
        ),
        (
            "kafka-orders.yml",
            "auditor",
            "the Kafka event audit delivers (1 record)",
            f"produce audit '{KAFKA_VALUE}'",
        ),
        (
            "log-alerts.yml",
            "alerter",
            f"the CloudWatch Logs event of {LOG_LINES[0]!r} logged by payments",
            f"log payments '{LOG_LINES[0]}'",
        ),
        (
            "log-alerts.yml",
            "errorCounter",
            f"the CloudWatch Logs event of {LOG_LINES[1]!r} logged by payments",
            f"log payments '{LOG_LINES[1]}'",
        ),
    ],
)
def test_invoke_offers_what_kafka_and_log_subscriptions_deliver(
    stack: str, function: str, about: str, fire: str
) -> None:
    session = Session.open(EXAMPLES / stack, start_ms=T0)
    line = f"invoke {function} "
    before = sim_state(session)
    example = offered(session, line, about)
    assert sim_state(session) == before  # nothing drawn, kept or traced
    execute(session, fire)
    execute(session, "advance 3s")
    delivered = received(session, function)
    assert key_paths(example) == key_paths(delivered)
    if "awslogs" in example:
        # The data's shape too, and the line it carries.
        assert key_paths(decode_awslogs(example)) == key_paths(decode_awslogs(delivered))
        assert decode_awslogs(example) == decode_awslogs(delivered)
    else:
        # The same record, at the partition and offset it got.
        assert example == delivered
    now = offered(session, line, about)
    execute(session, tabbed_with(session, line, about))
    assert received(session, function) == now


def test_a_log_example_is_a_line_the_filter_passes(tmp_path: Path) -> None:
    # A filter neither of `log`'s example lines passes is given its own words; one that
    # passes no such line is offered none.
    stack = (EXAMPLES / "log-alerts.yml").read_text()
    (tmp_path / "stacktape.yml").write_text(
        stack.replace("'?ERROR ?\"Status: timeout\"'", "'\"Task timed out\" -retry'").replace(
            """'{ $.level = "ERROR" }'""", "'[ip, user, status=404]'"
        )
    )
    session = Session.open(tmp_path / "stacktape.yml", start_ms=T0)
    alerter = offered(session, "invoke alerter ", "the CloudWatch Logs event")
    assert decode_awslogs(alerter)["logEvents"][0]["message"] == "Task timed out"
    abouts = [c.meta for c in candidates(session, "invoke errorCounter ")]
    assert not any(a.startswith("the CloudWatch Logs event") for a in abouts), abouts


def test_invoke_offers_the_event_of_an_alarm_going_to_alarm() -> None:
    session = Session.open(EXAMPLES / "alarms.yml", start_ms=T0)
    line, about = "invoke pager ", "the event of jobsDlq.alarms.0 going "
    before = sim_state(session)
    first = offered(session, line, about)
    assert sim_state(session) == before
    assert first["detail"]["state"]["value"] == "ALARM"
    assert first["detail"]["previousState"]["value"] == "INSUFFICIENT_DATA"
    # Evaluated once (OK, with its reason data), it is offered the change from there.
    execute(session, "advance 1m")
    example = offered(session, line, "the event of jobsDlq.alarms.0 going OK -> ALARM")
    execute(session, "set-alarm-state jobsDlq.alarms.0 ALARM")
    execute(session, "advance 1s")
    delivered = received(session, "pager")
    assert key_paths(example) == key_paths(delivered)
    # In ALARM already, no change comes and nothing is delivered: none is offered.
    abouts = [c.meta for c in candidates(session, line)]
    assert not any(a.startswith(about) for a in abouts), abouts
    execute(session, "set-alarm-state jobsDlq.alarms.0 OK")
    now = offered(session, line, "the event of jobsDlq.alarms.0 going OK -> ALARM")
    execute(session, "set-alarm-state jobsDlq.alarms.0 ALARM")
    execute(session, "advance 1s")
    # What differs is what the change drew: the event's id.
    assert {**received(session, "pager"), "id": now["id"]} == now


def test_invoke_offers_what_each_websocket_route_delivers() -> None:
    session = Session.open(
        EXAMPLES / "chat.yml", behaviors_path=EXAMPLES / "chat-behaviors.yml", start_ms=T0
    )
    abouts = {
        "onConnect": "the WebSocket $connect event of realtime",
        "onDisconnect": "the WebSocket $disconnect event of realtime",
        "sendMessage": 'the WebSocket sendMessage event of realtime for the message {"action"',
        "fallback": "the WebSocket $default event of realtime for the message {",
    }
    before = sim_state(session)
    examples = {f: offered(session, f"invoke {f} ", a) for f, a in abouts.items()}
    assert sim_state(session) == before  # no connection opened, no id drawn
    assert not session.sim.services["websocket"].connections
    # $connect carries what the authorizer's identity source reads.
    assert examples["onConnect"]["queryStringParameters"] == {"token": "example"}
    assert examples["sendMessage"]["body"] == '{"action":"sendMessage"}'
    conn = execute(session, "ws-connect realtime --query token=t-1").data["connection_id"]
    execute(session, f"ws-send {conn} '{examples['sendMessage']['body']}'")
    execute(session, f"ws-send {conn} '{examples['fallback']['body']}'")
    execute(session, f"ws-disconnect {conn}")
    execute(session, "advance 1s")
    for function, example in examples.items():
        delivered = received(session, function)
        assert without_authorizer(key_paths(example)) == without_authorizer(key_paths(delivered)), (
            function
        )
        now = offered(session, f"invoke {function} ", abouts[function])
        execute(session, tabbed_with(session, f"invoke {function} ", abouts[function]))
        assert received(session, function) == now


def test_a_websocket_message_example_is_a_body_its_selection_expression_picks(
    tmp_path: Path,
) -> None:
    # The value at the path the expression reads, the text around it taken off the key.
    stack = (EXAMPLES / "chat.yml").read_text()
    (tmp_path / "stacktape.yml").write_text(
        stack.replace(
            "  realtime:\n    type: websocket-api-gateway\n",
            "  realtime:\n    type: websocket-api-gateway\n    properties:\n"
            "      routeSelectionExpression: ${request.body.msg.kind}-v2\n",
        ).replace("routeKey: sendMessage", "routeKey: chat-v2")
    )
    session = Session.open(tmp_path / "stacktape.yml", start_ms=T0)
    example = offered(session, "invoke sendMessage ", "the WebSocket chat-v2 event")
    assert example["body"] == '{"msg":{"kind":"chat"}}'
    api = session.sim.services["websocket"].apis["realtime"]
    assert api.select(example["body"])[0].key == "chat-v2"
