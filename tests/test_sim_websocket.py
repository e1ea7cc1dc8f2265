"""WebSocket APIs (stptui.sim.services.websocket and the ws-* commands): route selection,
the proxy events of each event type, $connect refusals and the authorizer, two-way routes,
the idle and 2-hour limits on the virtual clock, GoneException, determinism and the
commands' refusals."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stptui.commands import Session, execute
from stptui.commands.registry import CommandError
from stptui.sim import trace as tk
from stptui.sim.services.websocket import (
    IDLE_TIMEOUT_MS,
    MAX_DURATION_MS,
    WsApi,
    WsRoute,
    gateway_message,
    selection_value,
)
from tests.simkit import START, capture_inputs, make_sim, records

ROOT = Path(__file__).resolve().parents[1]
CHAT = ROOT / "docs" / "examples" / "chat.yml"
CHAT_BEHAVIORS = ROOT / "docs" / "examples" / "chat-behaviors.yml"
FIRST = "Ro9qGRMCRkecAoY="  # the first connection chat.yml opens (seeded ids)

PACKAGING = "packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}"


def _stack(routes: dict[str, str], *, expression: str | None = None, extra: str = "") -> str:
    """A stack with one WebSocket API `ws` and a function per route key (`name: key`)."""
    props = f"\n    properties: {{routeSelectionExpression: '{expression}'}}" if expression else ""
    out = [f"resources:\n  ws:\n    type: websocket-api-gateway{props}"]
    for name, key in routes.items():
        out.append(
            f"  {name}:\n    type: function\n    properties:\n      {PACKAGING}\n"
            f"      timeout: 60\n      events:\n        - type: websocket-api-gateway\n"
            f"          properties: {{websocketApiGatewayName: ws, routeKey: '{key}'{extra}}}"
        )
    return "\n".join(out) + "\n"


def _chat() -> Session:
    return Session.open(CHAT, behaviors_path=CHAT_BEHAVIORS, start_ms=START)


# -- route selection -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "body", "value"),
    [
        ("$request.body.action", '{"action": "join"}', "join"),
        ("$request.body.action", '{"action": 7}', "7"),
        ("$request.body.action", '{"action": true}', "true"),
        ("$request.body.action", '{"action": {"a": 1}}', '{"a":1}'),
        ("$request.body.action", '{"action": null}', None),
        ("$request.body.action", '{"other": "join"}', None),
        ("$request.body.action", "not json", None),
        ("$request.body.action", '["action"]', None),
        ("$request.body.action", '{"action": NaN}', None),
        ("$request.body.msg.type", '{"msg": {"type": "chat"}}', "chat"),
        ("${request.body.action}", '{"action": "join"}', "join"),
        ("fixed", '{"action": "join"}', "fixed"),
        # Templates: each variable read, the text around it kept (AWS's own example form).
        ("${request.body.action}-beta", '{"action": "join"}', "join-beta"),
        ("${request.body.action}-${request.body.v}", '{"action": "join", "v": 2}', "join-2"),
        ("${request.body.action}-${request.body.v}", '{"action": "join"}', None),
        ("\\$default", "{}", "$default"),
    ],
)
def test_the_selection_expression_reads_the_body(
    expression: str, body: str, value: str | None
) -> None:
    assert selection_value(expression, body) == value


def _api(*keys: str) -> WsApi:
    api = WsApi("ws", "abc", "abc.example", "$request.body.action")
    api.routes = {k: WsRoute(k, f"fn{i}", False) for i, k in enumerate(keys)}
    return api


@pytest.mark.parametrize(
    ("keys", "body", "chosen"),
    [
        (("join", "$default"), '{"action": "join"}', "join"),
        (("join", "$default"), '{"action": "leave"}', "$default"),
        (("join", "$default"), "hello", "$default"),
        (("join",), '{"action": "leave"}', None),
        (("join",), "hello", None),
        # A message never reaches a lifecycle route, whatever its action says.
        (("$connect", "$disconnect", "$default"), '{"action": "$connect"}', "$default"),
        (("$connect",), '{"action": "$disconnect"}', None),
    ],
)
def test_route_selection(keys: tuple[str, ...], body: str, chosen: str | None) -> None:
    route, _ = _api(*keys).select(body)
    assert (route.key if route else None) == chosen


def test_a_message_no_route_takes_gets_forbidden() -> None:
    sim = make_sim(_stack({"joiner": "join"}))
    ws = sim.services["websocket"]
    conn = ws.connect(None).connection
    result = ws.send(conn.id, '{"action": "leave"}')
    assert result.route is None
    assert [r.data for r in result.replies] == [
        gateway_message("Forbidden", conn.id, result.request_id)
    ]
    assert result.replies[0].data.startswith('{"message": "Forbidden", "connectionId":"')
    assert not records(sim, tk.INVOCATION_STARTED)


# -- payloads --------------------------------------------------------------------------------


def test_the_events_of_each_event_type_have_api_gateways_shape() -> None:
    sim = make_sim(_stack({"c": "$connect", "d": "$disconnect", "m": "$default"}))
    events = capture_inputs(sim, lambda inp: inp.event())
    ws = sim.services["websocket"]
    conn = ws.connect(None, [("X-Client", "web")], [("room", "a"), ("room", "b")]).connection
    sim.advance(1000)
    ws.send(conn.id, "hello")
    ws.disconnect(conn.id)
    connect, message, disconnect = events
    assert list(connect) == [
        "headers",
        "multiValueHeaders",
        "queryStringParameters",
        "multiValueQueryStringParameters",
        "requestContext",
        "isBase64Encoded",
    ]
    assert connect["headers"]["X-Client"] == "web"
    assert connect["headers"]["Sec-WebSocket-Version"] == "13"
    assert connect["headers"]["Host"] == ws.apis["ws"].domain
    assert connect["queryStringParameters"] == {"room": "b"}
    assert connect["multiValueQueryStringParameters"] == {"room": ["a", "b"]}
    ctx = connect["requestContext"]
    assert ctx["routeKey"] == "$connect" and ctx["eventType"] == "CONNECT"
    assert ctx["stage"] == "default" and ctx["messageDirection"] == "IN"
    assert ctx["connectionId"] == conn.id and ctx["connectedAt"] == START
    assert ctx["apiId"] == ws.apis["ws"].api_id
    assert "messageId" not in ctx and "disconnectStatusCode" not in ctx

    assert list(message) == ["requestContext", "body", "isBase64Encoded"]
    mctx = message["requestContext"]
    assert mctx["eventType"] == "MESSAGE" and mctx["routeKey"] == "$default"
    assert mctx["messageId"] and mctx["requestTimeEpoch"] == START + 100 + 1000
    assert mctx["connectedAt"] == START and mctx["identity"] == {"sourceIp": "203.0.113.10"}
    assert message["body"] == "hello" and message["isBase64Encoded"] is False

    # Captured $disconnect events carry these four headers, three empty (aws-powertools
    # tests/events/apiGatewayWebSocketApiDisconnect.json, 2024).
    assert list(disconnect) == [
        "headers",
        "multiValueHeaders",
        "requestContext",
        "isBase64Encoded",
    ]
    host = ws.apis["ws"].domain
    assert disconnect["headers"] == {
        "Host": host,
        "x-api-key": "",
        "X-Forwarded-For": "",
        "x-restapi": "",
    }
    assert disconnect["multiValueHeaders"] == {k: [v] for k, v in disconnect["headers"].items()}
    dctx = disconnect["requestContext"]
    assert dctx["eventType"] == "DISCONNECT" and dctx["routeKey"] == "$disconnect"
    assert (dctx["disconnectStatusCode"], dctx["disconnectReason"]) == (1000, "")
    assert list(dctx).index("disconnectStatusCode") < list(dctx).index("eventType")


def test_identity_names_a_user_agent_only_when_the_client_sent_one() -> None:
    # The captured $connect of a client that sent no User-Agent has `identity: {sourceIp}`
    # (aws-powertools tests/events/apiGatewayWebSocketApiConnect.json); `userAgent` is "the
    # User-Agent of the API caller" ($context.identity.userAgent).
    sim = make_sim(_stack({"c": "$connect", "d": "$disconnect", "m": "$default"}))
    events = capture_inputs(sim, lambda inp: inp.event()["requestContext"]["identity"])
    ws = sim.services["websocket"]
    plain = ws.connect(None).connection
    ws.disconnect(plain.id)
    agent = ws.connect(None, [("User-Agent", "wscat/6.0")]).connection
    ws.send(agent.id, "hi")
    ws.disconnect(agent.id)
    ip = {"sourceIp": "203.0.113.10"}
    with_agent = {"userAgent": "wscat/6.0", **ip}
    assert events == [ip, ip, with_agent, ip, with_agent]


def test_ids_are_url_safe_so_the_connections_url_can_name_them() -> None:
    # Captured ids (`BFaT_fALIAMCKug=`, aws-powertools tests/events/apiGatewayWebSocketApi*)
    # use base64's URL-safe alphabet: the id is a path segment of @connections/{id}.
    sim = make_sim(_stack({"m": "$default"}))
    ws = sim.services["websocket"]
    ids = []
    for _ in range(100):
        conn = ws.connect(None).connection
        sent = ws.send(conn.id, "hi")
        ids += [conn.id, sent.request_id, sent.message_id]
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{15}=", i) for i in ids), ids
    assert any(c in i for i in ids for c in "-_")  # not only the letters both alphabets share


# -- $connect --------------------------------------------------------------------------------


def test_a_connect_function_that_answers_non_2xx_refuses_the_connection() -> None:
    sim = make_sim(
        _stack({"c": "$connect", "m": "$default"}),
        'behaviors:\n  c:\n    response: "{statusCode: `401`}"\n',
    )
    ws = sim.services["websocket"]
    result = ws.connect(None)
    assert (result.status, result.connection.state) == (401, "refused")
    # A client has no GoneException to see (only @connections calls get one): its socket
    # was never open.
    with pytest.raises(ValueError, match="refused at \\$connect: the client's socket was never"):
        ws.send(result.connection.id, "hi")
    assert not records(sim, tk.WS_MESSAGE)


def test_a_failing_connect_function_refuses_with_502_and_no_connect_route_accepts() -> None:
    sim = make_sim(_stack({"c": "$connect"}), "behaviors:\n  c:\n    fail: true\n")
    assert sim.services["websocket"].connect(None).status == 502
    sim = make_sim(_stack({"m": "$default"}))
    result = sim.services["websocket"].connect(None)
    assert (result.reason, result.connection.state, sim.clock.now) == (None, "open", START)


def test_the_authorizer_decides_and_its_context_reaches_every_route() -> None:
    session = _chat()
    events = capture_inputs(session.sim, lambda inp: (inp.function, inp.event()))
    assert "401" in execute(session, "ws-connect realtime").text
    assert not events  # no identity source: the authorizer is not invoked
    assert "403" in execute(session, "ws-connect realtime --query token=bad").text
    out = execute(session, "ws-connect realtime --query token=t-1")
    conn = out.data["connection_id"]
    execute(session, f'ws-send {conn} \'{{"action": "sendMessage"}}\'')
    by_fn = {fn: ev for fn, ev in events}
    auth = by_fn["gatekeeper"]
    assert auth["type"] == "REQUEST"
    assert auth["methodArn"].endswith("/default/$connect")
    assert auth["queryStringParameters"] == {"token": "t-1"}
    expected = {"room": "lobby", "principalId": "user-1"}
    assert by_fn["onConnect"]["requestContext"]["authorizer"] == expected
    assert by_fn["sendMessage"]["requestContext"]["authorizer"] == expected
    decisions = [r.data["decision"] for r in records(session.sim, tk.WS_AUTHORIZATION)]
    assert decisions == ["unauthorized", "deny", "allow"]


# -- two-way routes, failures, the integration timeout ----------------------------------------


def test_a_two_way_route_sends_the_answer_back_and_a_one_way_route_does_not() -> None:
    session = _chat()
    execute(session, "ws-connect realtime --query token=t-1")
    two = execute(session, f'ws-send {FIRST} \'{{"action": "sendMessage", "n": 1}}\'')
    assert two.data["received"] == ['echo: {"action": "sendMessage", "n": 1}']
    one = execute(session, f"ws-send {FIRST} plain")
    assert one.data["route"] == "$default" and one.data["received"] == []
    failed = execute(session, f"ws-send {FIRST} crash")
    assert json.loads(failed.data["received"][0]) == {
        "message": "Internal server error",
        "connectionId": FIRST,
        "requestId": failed.data["request_id"],
    }


def test_a_slow_function_meets_the_29_s_integration_timeout() -> None:
    sim = make_sim(_stack({"m": "$default"}), "behaviors:\n  m:\n    duration: 40s\n")
    ws = sim.services["websocket"]
    conn = ws.connect(None).connection
    result = ws.send(conn.id, "hi")
    assert sim.clock.now == START + 29_000
    assert json.loads(result.replies[0].data)["message"] == "Endpoint request timed out"


# -- the clock -------------------------------------------------------------------------------


def test_an_idle_connection_closes_after_10_minutes_with_going_away() -> None:
    sim = make_sim(_stack({"d": "$disconnect", "m": "$default"}))
    events = capture_inputs(sim, lambda inp: inp.event())
    ws = sim.services["websocket"]
    conn = ws.connect(None).connection
    sim.advance(5 * 60_000)
    ws.send(conn.id, "still here")
    sent_at = sim.clock.now - 100  # the $default function ran its 100 ms
    sim.advance(IDLE_TIMEOUT_MS - 1000)
    assert conn.open
    sim.advance(60_000)
    assert conn.state == "closed" and conn.closed_at == sent_at + IDLE_TIMEOUT_MS
    (closed,) = records(sim, tk.WS_DISCONNECTED)
    assert (closed.data["status_code"], closed.data["reason"]) == (1001, "idle for 10 minutes")
    ctx = events[-1]["requestContext"]
    assert (ctx["disconnectStatusCode"], ctx["disconnectReason"]) == (1001, "Going away")


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=9 * 60), min_size=1, max_size=30))
def test_a_connection_closes_at_its_first_limit(gaps_s: list[int]) -> None:
    """Whatever the client's rhythm, the connection closes exactly when it has been idle for
    10 minutes or open for 2 hours, whichever comes first."""
    sim = make_sim(_stack({"m": "$default"}), "behaviors:\n  m:\n    duration: 0ms\n")
    ws = sim.services["websocket"]
    conn = ws.connect(None).connection
    last = START
    for gap in gaps_s:
        if sim.clock.now + gap * 1000 >= START + MAX_DURATION_MS:
            break
        sim.advance(gap * 1000)
        ws.send(conn.id, "ping")
        last = sim.clock.now
    sim.advance(MAX_DURATION_MS + IDLE_TIMEOUT_MS)
    assert conn.closed_at == min(last + IDLE_TIMEOUT_MS, START + MAX_DURATION_MS)


def test_a_busy_connection_closes_at_2_hours() -> None:
    sim = make_sim(_stack({"m": "$default"}), "behaviors:\n  m:\n    duration: 0ms\n")
    ws = sim.services["websocket"]
    conn = ws.connect(None).connection
    for _ in range(13):
        sim.advance(9 * 60_000)
        ws.send(conn.id, "ping")
    sim.advance(60 * 60_000)
    assert conn.closed_at == START + MAX_DURATION_MS
    assert records(sim, tk.WS_DISCONNECTED)[0].data["reason"] == "open for 2 hours"


# -- the management API ----------------------------------------------------------------------


def test_posting_to_a_closed_connection_is_gone_and_changes_nothing() -> None:
    session = _chat()
    execute(session, "ws-connect realtime --query token=t-1")
    execute(session, f"ws-post {FIRST} hello")
    execute(session, f"ws-disconnect {FIRST} --server")
    before = len(session.sim.trace.records)
    with pytest.raises(CommandError, match="GoneException") as err:
        execute(session, f"ws-post {FIRST} again")
    assert "PostToConnection answers GoneException (410)" in (err.value.hint or "")
    with pytest.raises(CommandError, match="GoneException") as err:
        execute(session, f"ws-disconnect {FIRST} --server")
    assert "DeleteConnection answers GoneException (410)" in (err.value.hint or "")
    # The client closing it again: no 410 reaches a client, its socket is just closed.
    with pytest.raises(CommandError) as err:
        execute(session, f"ws-disconnect {FIRST}")
    assert "GoneException" not in err.value.message
    assert err.value.message == (
        f"connection {FIRST} closed at 2026-01-05T08:00:00.030Z (the backend called "
        "DeleteConnection): the client's socket is closed"
    )
    assert (err.value.hint or "").startswith("ws-connect opens a new one")
    with pytest.raises(CommandError, match="the client's socket is closed"):
        execute(session, f"ws-send {FIRST} hi")
    assert len(session.sim.trace.records) == before
    conn = session.sim.services["websocket"].connections[FIRST]
    assert [i.data for i in conn.inbox] == ["hello"]
    assert conn.close_reason == "the backend called DeleteConnection"


# -- determinism, explain, bad commands ------------------------------------------------------


def _run_chat(tmp_path: Path, name: str) -> str:
    from stptui.cli import main

    trace = tmp_path / name
    argv = [
        "run",
        str(CHAT),
        str(ROOT / "docs/examples/chat.stp"),
        "--behaviors",
        str(CHAT_BEHAVIORS),
        "--start",
        "2026-01-05T08:00:00Z",
        "--trace",
        str(trace),
    ]
    assert main(argv) == 0
    return trace.read_text(encoding="utf-8")


def test_the_same_session_writes_the_same_trace(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run_chat(tmp_path, "a.jsonl") == _run_chat(tmp_path, "b.jsonl")


def test_explain_of_a_connection_follows_its_requests_and_invocations() -> None:
    session = _chat()
    execute(session, "ws-connect realtime --query token=t-1")
    execute(session, f'ws-send {FIRST} \'{{"action": "sendMessage"}}\'')
    text = execute(session, f"explain {FIRST}").text
    for kind in ("ws.connect", "ws.authorization", "ws.connected", "ws.message", "ws.received"):
        assert kind in text
    assert "invocation.succeeded" in text and "sendMessage" in text


def test_explain_of_a_connection_reaches_a_one_way_routes_invocation() -> None:
    # $default is one-way: nothing comes back to name the invocation but the message itself.
    session = _chat()
    execute(session, "ws-connect realtime --query token=t-1")
    execute(session, f'ws-send {FIRST} \'{{"action": "typing"}}\'')
    chain = [line for line in execute(session, f"explain {FIRST}").text.splitlines()]
    assert any("invocation.succeeded" in line and "fallback" in line for line in chain)


@pytest.mark.parametrize(
    ("line", "message", "hint"),
    [
        ("ws-connect realtme", "no websocket-api-gateway named 'realtme'", "did you mean"),
        ("ws-connect onConnect", "'onConnect' is a function", "WebSocket APIs: realtime"),
        ("ws-connect --query token", "--query needs NAME=VALUE", "token=t-1"),
        ("ws-connect --header nocolon", "--header needs NAME:VALUE", "x-client:web"),
        ("ws-send nope hi", "no connection 'nope'", "no connection is open"),
        ("ws-disconnect nope", "no connection 'nope'", "no connection is open"),
        ("ws-disconnect nope --server", "GoneException: no connection", "DeleteConnection"),
        ("ws-post nope hi", "GoneException: no connection", "PostToConnection"),
        ("show connections nope", "no websocket-api-gateway named 'nope'", "realtime"),
    ],
)
def test_a_bad_command_changes_nothing_and_says_the_fix(line: str, message: str, hint: str) -> None:
    session = _chat()
    before = (len(session.sim.trace.records), session.sim.clock.now)
    with pytest.raises(CommandError) as err:
        execute(session, line)
    assert message in str(err.value) and hint in (err.value.hint or "")
    assert (len(session.sim.trace.records), session.sim.clock.now) == before


def test_a_message_over_128_kb_closes_the_connection_with_1009() -> None:
    # "If a larger message (or larger frame size) is received, the connection is closed with
    # code 1009" (API Gateway guide, "Quotas for configuring and running a WebSocket API").
    session = _chat()
    events = capture_inputs(session.sim, lambda inp: (inp.function, inp.event()))
    execute(session, "ws-connect realtime --query token=t-1")
    out = execute(session, f"ws-send {FIRST} {'x' * (128 * 1024 + 1)}")
    assert "131,073 bytes" in out.text and "closed the connection (code 1009)" in out.text
    assert "$disconnect invoked" in out.text
    assert not records(session.sim, tk.WS_MESSAGE)  # no route takes it
    (closed,) = records(session.sim, tk.WS_DISCONNECTED)
    assert closed.data["status_code"] == 1009
    function, event = events[-1]
    ctx = event["requestContext"]
    assert function == "onDisconnect"
    assert (ctx["disconnectStatusCode"], ctx["disconnectReason"]) == (1009, "Message Too Big")
    assert out.data["reason"] and out.data["route"] is None
    # The connection is gone: the client's socket is closed.
    with pytest.raises(CommandError, match="is closed"):
        execute(session, f"ws-send {FIRST} hi")


def test_a_message_of_exactly_128_kb_is_routed() -> None:
    session = _chat()
    execute(session, "ws-connect realtime --query token=t-1")
    execute(session, f"ws-send {FIRST} {'x' * (128 * 1024)}")
    (message,) = records(session.sim, tk.WS_MESSAGE)
    assert (message.data["route"], message.data["size"]) == ("$default", 128 * 1024)
    assert not records(session.sim, tk.WS_DISCONNECTED)


def test_show_connections_lists_state_age_idle_and_inbox() -> None:
    session = _chat()
    execute(session, "ws-connect realtime --query token=t-1")
    execute(session, f'ws-send {FIRST} \'{{"action": "sendMessage"}}\'')
    execute(session, "advance 1m")
    out = execute(session, "show connections realtime")
    assert out.table is not None
    headers, rows = out.table
    row: dict[str, Any] = dict(zip(headers, rows[0], strict=True))
    assert row["state"] == "open" and row["inbox"] == "1"
    assert row["idle"].startswith("1 min") and row["last received"].startswith(
        "management-api: echo"
    )
    session_without = Session.open(ROOT / "docs/examples/commands-stack.yml", start_ms=START)
    assert "no websocket-api-gateway" in execute(session_without, "show connections").text


@pytest.mark.parametrize("verb", ["ws-send {} hi", "ws-disconnect {}", "ws-post {} hi"])
def test_a_mistyped_connection_id_gets_a_did_you_mean_and_changes_nothing(verb: str) -> None:
    session = _chat()
    execute(session, "ws-connect realtime --query token=t-1")
    before = (len(session.sim.trace.records), session.sim.clock.now)
    typo = FIRST[:-2] + "X="
    with pytest.raises(CommandError, match="no connection") as err:
        execute(session, verb.format(typo))
    # Only the backend's @connections call is answered GoneException; a client is not.
    assert err.value.message.startswith("GoneException: ") == verb.startswith("ws-post")
    assert f"did you mean {FIRST}?" in (err.value.hint or "")
    assert (len(session.sim.trace.records), session.sim.clock.now) == before


def test_an_unknown_connection_id_names_a_few_open_connections_not_all() -> None:
    session = Session.open(CHAT, behaviors_path=CHAT_BEHAVIORS, start_ms=START)
    for _ in range(40):
        execute(session, "ws-connect realtime --query token=t-1")
    long_id = "Q" * 5000
    with pytest.raises(CommandError) as err:
        execute(session, f"ws-send {long_id} hi")
    hint = err.value.hint or ""
    assert hint.count("=") == 5 and "and 35 more (show connections)" in hint
    # The id typed is echoed cut, not whole.
    assert len(str(err.value)) < 200


def test_a_post_over_128_kb_says_how_to_fit() -> None:
    session = _chat()
    execute(session, "ws-connect realtime --query token=t-1")
    with pytest.raises(CommandError, match="PayloadTooLargeException") as err:
        execute(session, f"ws-post {FIRST} {'x' * (128 * 1024 + 1)}")
    assert "post a smaller message" in (err.value.hint or "")


def test_an_answer_after_the_2_hour_close_says_why_nothing_came_back(tmp_path: Path) -> None:
    # sendMessage answers with a body here (the docs example's echoes through @connections).
    behaviors = tmp_path / "b.yml"
    behaviors.write_text(
        CHAT_BEHAVIORS.read_text().replace(
            'response: "{statusCode: `200`}"', "response: \"{statusCode: `200`, body: 'ok'}\""
        )
    )
    session = Session.open(CHAT, behaviors_path=behaviors, start_ms=START)
    execute(session, "ws-connect realtime --query token=t-1")
    conn = session.sim.services["websocket"].connections[FIRST]
    while conn.connected_at + MAX_DURATION_MS - session.sim.clock.now > 9 * 60_000:
        execute(session, "advance 9m")
        execute(session, f"ws-send {FIRST} ping")
    left = conn.connected_at + MAX_DURATION_MS - session.sim.clock.now
    execute(session, f"advance {left - 5}ms")
    out = execute(session, f'ws-send {FIRST} \'{{"action": "sendMessage"}}\'')
    assert "the connection closed (open for 2 hours) before the answer" in out.text
    assert out.data["received"] == []
