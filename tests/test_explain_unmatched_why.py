"""`explain` of a request whose event reached no consumer starts with why: the bus's rules
that did not match it and the condition each failed (the question a developer brings when
`POST /orders` should end in a consumer of the bus and does not)."""

from __future__ import annotations

from pathlib import Path

from stptui.commands import Session, execute
from stptui.sim import trace as tk
from tests.simkit import START

# An HTTP route queues an order; the queue's consumer announces it on a bus, whose rule
# invokes `shipOrder` for the source `orders`.
STACK = """\
resources:
  api: {type: http-api-gateway}
  orderQueue: {type: sqs-queue}
  bus: {type: event-bus}
  takeOrder:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}
      connectTo: [orderQueue]
      events:
        - type: http-api-gateway
          properties: {httpApiGatewayName: api, path: /orders, method: POST}
  processOrder:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: b.ts}}
      connectTo: [bus]
      events:
        - type: sqs
          properties: {sqsQueueName: orderQueue}
  shipOrder:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: c.ts}}
      events:
        - type: event-bus
          properties:
            eventBusName: bus
            eventPattern: {source: [orders], detail-type: [OrderProcessed]}
"""

BEHAVIORS = """\
behaviors:
  takeOrder:
    response: "{statusCode: `202`, body: 'queued'}"
    emit:
      - send: {queue: orderQueue, body: body}
  processOrder:
    emit:
      - publish: {bus: bus, source: "'%s'", detailType: "'OrderProcessed'", detail: {ok: true}}
"""


def _posted(tmp_path: Path, source: str) -> tuple[Session, str]:
    """A session whose `POST /orders` ran to its end, with the source processOrder publishes
    with; and the request's id."""
    (tmp_path / "stacktape.yml").write_text(STACK, encoding="utf-8")
    (tmp_path / "stptui.yml").write_text(BEHAVIORS % source, encoding="utf-8")
    session = Session.open(tmp_path, start_ms=START)
    execute(session, "http POST /orders '{\"orderId\": 1}'")
    execute(session, "advance 1m")
    request = next(r for r in session.sim.trace.records if r.kind == tk.HTTP_REQUEST)
    return session, str(request.get("request_id"))


def test_the_requests_chain_says_first_why_its_event_reached_no_consumer(
    tmp_path: Path,
) -> None:
    session, request_id = _posted(tmp_path, "order-service")
    lines = execute(session, f"explain {request_id}").text.splitlines()
    event = next(r for r in session.sim.trace.records if r.kind == tk.EVENT_PUBLISHED)
    assert lines[0] == (
        f"why: event {event.get('event_id')} (source order-service, detail-type "
        "OrderProcessed) that processOrder published on bus matched no rule, so no target "
        "received it; shipOrder's rule failed on source: expected "
        '"orders", got "order-service"'
    )
    # The event's own id asks the same question.
    assert execute(session, f"explain {event.get('event_id')}").text.splitlines()[0] == lines[0]


def test_no_why_line_when_the_event_reached_its_consumer(tmp_path: Path) -> None:
    session, request_id = _posted(tmp_path, "orders")
    text = execute(session, f"explain {request_id}").text
    assert "event.matched" in text
    assert not text.startswith("why:")


def test_a_bus_without_rules_is_said_to_have_none(tmp_path: Path) -> None:
    (tmp_path / "stacktape.yml").write_text(STACK.split("  shipOrder:")[0], encoding="utf-8")
    (tmp_path / "stptui.yml").write_text(BEHAVIORS % "orders", encoding="utf-8")
    session = Session.open(tmp_path, start_ms=START)
    execute(session, "http POST /orders '{\"orderId\": 1}'")
    execute(session, "advance 1m")
    request = next(r for r in session.sim.trace.records if r.kind == tk.HTTP_REQUEST)
    first = execute(session, f"explain {request.get('request_id')}").text.splitlines()[0]
    assert first.startswith("why: event ")
    assert first.endswith(
        "that processOrder published on bus matched no rule, so no target received it; bus "
        "has no rule"
    )


# The same question of an SNS topic whose one subscription has a filter policy.
SNS_STACK = """\
resources:
  api: {type: http-api-gateway}
  alerts: {type: sns-topic}
  front:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}
      connectTo: [alerts]
      events:
        - type: http-api-gateway
          properties: {httpApiGatewayName: api, path: /orders, method: POST}
  pager:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: b.ts}}
      events:
        - type: sns
          properties: {snsTopicName: alerts, filterPolicy: {kind: [order]}}
"""


def _notified(tmp_path: Path, attributes: str) -> tuple[Session, str]:
    (tmp_path / "stacktape.yml").write_text(SNS_STACK, encoding="utf-8")
    (tmp_path / "stptui.yml").write_text(
        "behaviors:\n  front:\n    response: \"{statusCode: `200`, body: 'ok'}\"\n"
        f"    emit:\n      - notify: {{topic: alerts, message: body{attributes}}}\n",
        encoding="utf-8",
    )
    session = Session.open(tmp_path, start_ms=START)
    execute(session, "http POST /orders '{\"orderId\": 1}'")
    execute(session, "advance 1m")
    request = next(r for r in session.sim.trace.records if r.kind == tk.HTTP_REQUEST)
    return session, str(request.get("request_id"))


def test_a_message_no_subscription_took_is_said_why_too(tmp_path: Path) -> None:
    session, request_id = _notified(tmp_path, "")
    lines = execute(session, f"explain {request_id}").text.splitlines()
    message = next(r for r in session.sim.trace.records if r.kind == tk.TOPIC_PUBLISHED)
    assert lines[0] == (
        f"why: message {message.get('message_id')} that front published on alerts matched no "
        "subscription, so no target received it; pager's subscription failed on kind: "
        'missing (expected "order")'
    )
    delivered = tmp_path / "delivered"
    delivered.mkdir()
    session, request_id = _notified(delivered, ", attributes: {kind: order}")
    assert not execute(session, f"explain {request_id}").text.startswith("why:")


def test_a_handler_whose_behaviour_emits_nothing_is_said_to_have_sent_nothing(
    tmp_path: Path,
) -> None:
    # The first thing a first-time user meets: without `emit`, processOrder publishes
    # nothing, and the chain ended at its invocation with nothing to say why.
    (tmp_path / "stacktape.yml").write_text(STACK, encoding="utf-8")
    (tmp_path / "stptui.yml").write_text(BEHAVIORS.split("  processOrder:")[0], encoding="utf-8")
    session = Session.open(tmp_path, start_ms=START)
    execute(session, "http POST /orders '{\"orderId\": 1}'")
    execute(session, "advance 1m")
    request = next(r for r in session.sim.trace.records if r.kind == tk.HTTP_REQUEST)
    lines = execute(session, f"explain {request.get('request_id')}").text.splitlines()
    assert lines[0] == (
        "why: processOrder ran and sent nothing on: its behaviour declares no `emit` (its "
        "connectTo allows bus), and a handler sends only what its `emit` items or its Python "
        "handler send (`stptui init` writes them, commented out)"
    )
    # takeOrder's emit reached the queue: the line names only the handler where it stops.
    assert "takeOrder" not in lines[0]


def test_a_handler_whose_targets_trigger_nothing_gets_no_such_line(tmp_path: Path) -> None:
    # A bus without rules: processOrder sending nothing there stops no pipeline.
    (tmp_path / "stacktape.yml").write_text(STACK.split("  shipOrder:")[0], encoding="utf-8")
    (tmp_path / "stptui.yml").write_text(BEHAVIORS.split("  processOrder:")[0], encoding="utf-8")
    session = Session.open(tmp_path, start_ms=START)
    execute(session, "http POST /orders '{\"orderId\": 1}'")
    execute(session, "advance 1m")
    request = next(r for r in session.sim.trace.records if r.kind == tk.HTTP_REQUEST)
    text = execute(session, f"explain {request.get('request_id')}").text
    assert "processOrder" in text
    assert not text.startswith("why:")
