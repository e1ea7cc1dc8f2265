"""Handlers posting to WebSocket connections: the `postToConnection` emission (load-time
checks, the default gateway, run-time delivery through PostToConnection, GoneException as an
`emission.failed`), a Python handler's `context.post_to_connection`, the role's
`execute-api:ManageConnections`, and determinism."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stptui.commands import Session, execute
from stptui.config import load_stack_text
from stptui.sim import trace as tk
from stptui.sim.behavior import Behaviors
from tests.simkit import START, records

ROOT = Path(__file__).resolve().parents[1]
CHAT = ROOT / "docs" / "examples" / "chat.yml"
CHAT_BEHAVIORS = ROOT / "docs" / "examples" / "chat-behaviors.yml"
FIRST = "Ro9qGRMCRkecAoY="  # the first connection chat.yml opens (seeded ids)
PACKAGING = "packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}"

# Two APIs: `chat` routes `say` and `both` (which also has a route on `lobby`); `worker`
# has no route and connects to `chat`; `loner` has neither.
STACK = f"""\
resources:
  chat:
    type: websocket-api-gateway
  lobby:
    type: websocket-api-gateway
  jobs:
    type: sqs-queue
  say:
    type: function
    properties:
      {PACKAGING}
      events:
        - type: websocket-api-gateway
          properties: {{websocketApiGatewayName: chat, routeKey: $default}}
  both:
    type: function
    properties:
      {PACKAGING}
      events:
        - type: websocket-api-gateway
          properties: {{websocketApiGatewayName: chat, routeKey: both}}
        - type: websocket-api-gateway
          properties: {{websocketApiGatewayName: lobby, routeKey: $default}}
  worker:
    type: function
    properties:
      {PACKAGING}
      connectTo: [chat]
  loner:
    type: function
    properties:
      {PACKAGING}
"""


def _load(behaviors: str, stack_text: str = STACK) -> list[str]:
    stack = load_stack_text(stack_text, "stacktape.yml")
    assert not stack.errors, [d.format() for d in stack.errors]
    _, diags = Behaviors.from_text(textwrap.dedent(behaviors), "stptui.yml", stack)
    return [f"{d.code}: {d.message} | {d.hint}" for d in diags]


def _item(fn: str, fields: str) -> str:
    return f"behaviors:\n  {fn}:\n    emit:\n      - postToConnection: {fields}\n"


# -- load time -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fn", "fields", "code", "words"),
    [
        ("loner", "{connectionId: cid, data: body}", "behavior-missing-key", "no websocket-api"),
        ("both", "{connectionId: cid, data: body}", "behavior-missing-key", "chat, lobby"),
        (
            "say",
            "{gateway: chatt, connectionId: cid, data: body}",
            "behavior-unknown-target",
            "did you mean 'chat'",
        ),
        (
            "say",
            "{gateway: jobs, connectionId: cid, data: body}",
            "behavior-wrong-target-type",
            "'jobs' is an sqs-queue",
        ),
        ("say", "{data: body}", "behavior-missing-key", "needs `connectionId`"),
        ("say", "{connectionId: cid}", "behavior-missing-key", "needs `data`"),
        ("say", "{connectionId: 5, data: body}", "behavior-bad-value", "connection id is"),
        ("say", "{connectionId: cid, data: null}", "behavior-bad-value", "needs Data"),
        ("say", "{connectionId: cid, data: body, dta: 1}", "behavior-unknown-key", "dta"),
    ],
)
def test_the_file_refuses_a_post_it_cannot_make(
    fn: str, fields: str, code: str, words: str
) -> None:
    diags = _load(_item(fn, fields))
    assert len(diags) == 1, diags
    assert diags[0].startswith(code) and words in diags[0], diags


def test_a_post_defaults_to_the_functions_own_api_and_others_name_theirs() -> None:
    assert _load(_item("say", "{connectionId: requestContext.connectionId, data: body}")) == []
    assert _load(_item("both", "{gateway: lobby, connectionId: cid, data: body}")) == []
    assert _load(_item("worker", "{gateway: chat, connectionId: cid, data: body}")) == []


def test_validate_warns_of_a_post_the_role_does_not_allow() -> None:
    from stptui.config.permissions import emission_diagnostics

    stack = load_stack_text(STACK, "stacktape.yml")
    text = _item("loner", "{gateway: chat, connectionId: cid, data: body}")
    behaviors, diags = Behaviors.from_text(text, "stptui.yml", stack)
    assert diags == []
    warnings = emission_diagnostics(stack, behaviors.emit_sites())
    assert [w.code for w in warnings] == ["emission-not-permitted"]
    assert "execute-api:ManageConnections" in warnings[0].message
    assert warnings[0].hint == "add chat to loner's connectTo: `connectTo: [chat]`"
    # Its own API (a route handler) and an API in connectTo need no statement.
    for fn in ("say", "worker"):
        text = _item(fn, "{gateway: chat, connectionId: cid, data: body}")
        behaviors, _ = Behaviors.from_text(text, "stptui.yml", stack)
        assert emission_diagnostics(stack, behaviors.emit_sites()) == []


# -- run time --------------------------------------------------------------------------------


def _chat() -> Session:
    return Session.open(CHAT, behaviors_path=CHAT_BEHAVIORS, start_ms=START)


def test_send_message_echoes_to_its_sender_through_the_management_api() -> None:
    s = _chat()
    execute(s, "ws-connect realtime --query token=t-1")
    out = execute(s, f'ws-send {FIRST} \'{{"action": "sendMessage", "text": "hi"}}\'')
    echo = 'echo: {"action": "sendMessage", "text": "hi"}'
    assert out.data["received"] == [echo]
    conn = s.sim.services["websocket"].connections[FIRST]
    assert [(i.source, i.data) for i in conn.inbox] == [("management-api", echo)]
    (received,) = records(s.sim, tk.WS_RECEIVED)
    (succeeded,) = records(s.sim, tk.INVOCATION_SUCCEEDED, "sendMessage")
    assert received.data["source"] == "management-api"
    assert received.data["invocation_id"] == succeeded.data["invocation_id"]
    assert received.t == succeeded.t  # made when the invocation ends
    assert records(s.sim, tk.EMISSION_FAILED) == []


def test_a_post_to_a_closed_connection_is_gone_and_the_invocation_still_succeeds() -> None:
    s = _chat()
    execute(s, "ws-connect realtime --query token=t-1")
    execute(s, f"ws-disconnect {FIRST}")
    event = json.dumps({"requestContext": {"connectionId": FIRST}, "body": "late"})
    execute(s, f"invoke sendMessage '{event}'")
    (failed,) = records(s.sim, tk.EMISSION_FAILED, "sendMessage")
    assert failed.data["emission"] == "postToConnection"
    assert failed.data["target"] == "realtime"
    assert failed.data["error"].startswith(f"GoneException: connection {FIRST} closed at")
    assert failed.data["error"].endswith("sendMessage.emit[0].postToConnection)")
    assert records(s.sim, tk.INVOCATION_FAILED, "sendMessage") == []
    assert s.sim.services["websocket"].connections[FIRST].inbox == []


def test_an_unknown_connection_is_gone_too() -> None:
    s = _chat()
    event = json.dumps({"requestContext": {"connectionId": "nope"}, "body": "x"})
    execute(s, f"invoke sendMessage '{event}'")
    (failed,) = records(s.sim, tk.EMISSION_FAILED, "sendMessage")
    assert failed.data["error"].startswith("GoneException: no connection 'nope'")


def test_a_connectionid_the_event_lacks_fails_the_invocation_with_the_fix() -> None:
    s = _chat()
    execute(s, 'invoke sendMessage \'{"body": "x"}\'')
    (failed,) = records(s.sim, tk.INVOCATION_FAILED, "sendMessage")
    assert failed.data["error"] == "BehaviorError"
    message = failed.data["error_message"]
    assert "sendMessage.emit[0].postToConnection.connectionId: a connecti" in message
    assert 'add when: "requestContext.connectionId"' in message


def _handler_session(tmp_path: Path, code: str, fn: str = "say") -> Session:
    (tmp_path / "ws_handlers.py").write_text(textwrap.dedent(code), encoding="utf-8")
    (tmp_path / "stacktape.yml").write_text(STACK, encoding="utf-8")
    (tmp_path / "stptui.yml").write_text(
        f"behaviors:\n  {fn}:\n    handler: ws_handlers:{fn}\n", encoding="utf-8"
    )
    return Session.open(
        tmp_path / "stacktape.yml",
        behaviors_path=tmp_path / "stptui.yml",
        start_ms=START,
        allow_code=True,
    )


def test_a_python_handler_posts_to_its_own_api_and_to_a_named_one(tmp_path: Path) -> None:
    code = """
        def say(event, context):
            me = event["requestContext"]["connectionId"]
            context.post_to_connection(me, {"echo": event["body"]})
            context.post_to_connection(me, "plain", gateway="chat")
            return {"statusCode": 200}
    """
    s = _handler_session(tmp_path, code)
    execute(s, "ws-connect chat")
    cid = next(iter(s.sim.services["websocket"].connections))
    out = execute(s, f"ws-send {cid} hello")
    assert out.data["received"] == ['{"echo":"hello"}', "plain"]


def test_a_python_handlers_post_to_a_connection_of_another_api_is_gone(tmp_path: Path) -> None:
    code = """
        def both(event, context):
            me = event["requestContext"]["connectionId"]
            context.post_to_connection(me, "hi", gateway="lobby")
    """
    s = _handler_session(tmp_path, code, "both")
    execute(s, "ws-connect chat")
    cid = next(iter(s.sim.services["websocket"].connections))
    execute(s, f'ws-send {cid} \'{{"action": "both"}}\'')
    (failed,) = records(s.sim, tk.EMISSION_FAILED, "both")
    assert failed.data["error"].startswith(f"GoneException: no connection '{cid}' on lobby")
    # The call raised in the handler (botocore's GoneException class), which did not catch
    # it: the invocation failed, and the route answered the client API Gateway's error.
    (ended,) = records(s.sim, tk.INVOCATION_FAILED, "both")
    assert ended.data["error"] == "GoneException"
    inbox = s.sim.services["websocket"].connections[cid].inbox
    assert [json.loads(i.data)["message"] for i in inbox] == ["Internal server error"]


def test_a_python_handler_without_an_api_of_its_own_must_name_one(tmp_path: Path) -> None:
    code = """
        def loner(event, context):
            context.post_to_connection("abc", "hi")
    """
    s = _handler_session(tmp_path, code, "loner")
    execute(s, "invoke loner '{}'")
    (failed,) = records(s.sim, tk.INVOCATION_FAILED, "loner")
    assert failed.data["error"] == "BehaviorError"
    assert (
        "loner has no websocket-api-gateway event; name the gateway"
        in (failed.data["error_message"])
    )


def test_a_python_handler_refused_by_its_role_gets_access_denied(tmp_path: Path) -> None:
    code = """
        def loner(event, context):
            context.post_to_connection("abc", "hi", gateway="chat")
    """
    s = _handler_session(tmp_path, code, "loner")
    execute(s, "invoke loner '{}'")
    (failed,) = records(s.sim, tk.INVOCATION_FAILED, "loner")
    assert failed.data["error"] == "ClientError"
    (refused,) = records(s.sim, tk.EMISSION_FAILED, "loner")
    assert (
        "execute-api:ManageConnections on resource: arn:aws:execute-api:" in (refused.data["error"])
    )
    assert (
        refused.data["error"]
        .split(" on resource: ")[1]
        .split(" ")[0]
        .endswith("/default/POST/@connections/abc")
    )


# -- determinism -----------------------------------------------------------------------------


def _chat_trace() -> list[str]:
    s = _chat()
    execute(s, "ws-connect realtime --query token=t-1")
    for text in ("one", "two"):
        execute(s, f'ws-send {FIRST} \'{{"action": "sendMessage", "text": "{text}"}}\'')
    execute(s, f"ws-disconnect {FIRST}")
    execute(s, f'invoke sendMessage \'{{"requestContext": {{"connectionId": "{FIRST}"}}}}\'')
    return [json.dumps([r.t, r.kind, r.resource, r.data], default=str) for r in records(s.sim)]


def test_the_same_commands_give_the_same_trace() -> None:
    assert _chat_trace() == _chat_trace()


@settings(max_examples=20, deadline=None)
@given(st.text(st.characters(exclude_categories=("Cs",)), max_size=40))
def test_the_client_receives_exactly_the_text_posted(text: str) -> None:
    s = _chat()
    execute(s, "ws-connect realtime --query token=t-1")
    body = json.dumps({"action": "sendMessage", "text": text})
    s.sim.services["websocket"].send(FIRST, body)
    s.sim.advance(1_000)
    conn = s.sim.services["websocket"].connections[FIRST]
    assert [i.data for i in conn.inbox] == [f"echo: {body}"]
