"""Event buses (stptui.sim.services.bus): PutEvents validation, routing to the rules of one
bus with matched / unmatched explanations, delivery to functions and queues (FIFO groups),
target input, delivery-failure DLQs with AWS's attributes, behaviour emissions and Lambda
destinations to a bus (aws-semantics §3, §4; stacktape-config §2.5, §3.2, §5)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from stptui.commands import CommandError, Session, execute
from stptui.config.model import Ref
from stptui.sim import trace as tk
from stptui.sim.engine import SimError
from stptui.sim.services.bus import MAX_ENTRY_BYTES, TargetInput, render_template
from tests.simkit import START, make_sim, records

PACKAGING = "packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}"

STACK = f"""
resources:
  eventBus:
    type: event-bus
  capture:
    type: sqs-queue
  dlq:
    type: sqs-queue
  ordersQueue:
    type: sqs-queue
    properties:
      fifoEnabled: true
      contentBasedDeduplication: true
      events:
        - type: event-bus
          properties:
            eventBusName: eventBus
            eventPattern: {{source: [orders]}}
            messageGroupId: all-orders
  strictQueue:
    type: sqs-queue
    properties:
      fifoEnabled: true
      events:
        - type: event-bus
          properties:
            eventBusName: eventBus
            eventPattern: {{detail-type: [OrderCreated]}}
            messageGroupId: strict
            onDeliveryFailure: {{sqsQueueName: dlq}}
  emailService:
    type: function
    properties:
      connectTo: [capture]
      {PACKAGING}
      events:
        - type: event-bus
          properties:
            eventBusName: eventBus
            eventPattern:
              source: [orders]
              detail-type: [OrderCreated, OrderShipped]
            onDeliveryFailure: {{sqsQueueName: dlq}}
  bigSpender:
    type: function
    properties:
      connectTo: [capture]
      {PACKAGING}
      events:
        - type: event-bus
          properties:
            eventBusName: eventBus
            eventPattern: {{detail: {{amount: [{{numeric: [">", 100]}}]}}}}
            inputPath: $.detail
  pinger:
    type: function
    properties:
      connectTo: [capture]
      {PACKAGING}
      events:
        - type: event-bus
          properties:
            useDefaultBus: true
            eventPattern: {{source: [my.app]}}
            inputTransformer:
              inputPathsMap: {{who: $.detail.who, n: $.detail.n}}
              inputTemplate: '{{"greeting": "hello <who>", "n": <n>,
                "rule": <aws.events.rule-arn>}}'
  partnerWatcher:
    type: function
    properties:
      {PACKAGING}
      events:
        - type: event-bus
          properties:
            eventBusArn: arn:aws:events:us-east-1:999999999999:event-bus/partner
            eventPattern: {{source: [partner]}}
  orderService:
    type: function
    properties:
      connectTo: [eventBus]
      {PACKAGING}
      destinations:
        onSuccess: $ResourceParam('eventBus', 'arn')
        onFailure: $ResourceParam('eventBus', 'arn')
  resultWatcher:
    type: function
    properties:
      connectTo: [capture]
      {PACKAGING}
      events:
        - type: event-bus
          properties:
            eventBusName: eventBus
            eventPattern: {{source: [lambda]}}
"""

# Every function copies the event it received into `capture`; orderService publishes.
BEHAVIORS = """
behaviors:
  emailService:
    emit: [{send: {queue: capture, body: "@"}}]
  bigSpender:
    emit: [{send: {queue: capture, body: "@"}}]
  pinger:
    emit: [{send: {queue: capture, body: "@"}}]
  resultWatcher:
    emit: [{send: {queue: capture, body: "@"}}]
  orderService:
    fail: {when: "fail"}
    response: "{orderId: orderId}"
    emit:
      - publish: {bus: eventBus, source: "'orders'", detailType: "'OrderCreated'",
                  detail: "{orderId: orderId, amount: amount}"}
"""


def make() -> object:
    return make_sim(STACK, BEHAVIORS, allow_errors=True)


def captured(sim) -> list[object]:
    return [json.loads(m.body) for m in sim.queues["capture"].listing(1000)]


def buses(sim):
    return sim.services["buses"]


def rule_of(sim, owner: str):
    return next(r for b in buses(sim).buses.values() for r in b.rules if r.owner == owner)


ENVELOPE_KEYS = {
    "version",
    "id",
    "detail-type",
    "source",
    "account",
    "time",
    "region",
    "resources",
    "detail",
}


def test_publish_routes_to_matching_rules_and_explains_the_others() -> None:
    sim = make()
    event_id = buses(sim).publish("eventBus", "orders", "OrderCreated", '{"orderId": 1}')
    (pub,) = records(sim, tk.EVENT_PUBLISHED)
    assert pub.resource == "eventBus"
    assert pub.data == {
        "event_id": event_id,
        "bus": "eventBus",
        "event_source": "orders",
        "detail_type": "OrderCreated",
        "origin": "command",
        "rules_matched": 3,
    }
    matched = {r.get("target") for r in records(sim, tk.EVENT_MATCHED)}
    assert matched == {"ordersQueue", "strictQueue", "emailService"}
    unmatched = {r.get("target"): r.get("explanation") for r in records(sim, tk.EVENT_UNMATCHED)}
    # Rules of other buses (pinger: default, partnerWatcher: external) are never consulted.
    assert set(unmatched) == {"bigSpender", "resultWatcher"}
    assert unmatched["resultWatcher"][0] == "1 of 1 condition failed: source"
    assert any("source" in line and "orders" in line for line in unmatched["resultWatcher"][1:])
    assert "detail.amount" in unmatched["bigSpender"][0]
    assert all(r.get("event_id") == event_id for r in records(sim, tk.EVENT_UNMATCHED))


def test_functions_get_the_envelope_asynchronously() -> None:
    sim = make()
    event_id = buses(sim).publish(
        "eventBus", "orders", "OrderShipped", '{"orderId": 7}', ["arn:aws:s3:::b/k"]
    )
    # Lambda queues the event first: nothing runs before the clock moves.
    assert records(sim, tk.INVOCATION_STARTED, "emailService") == []
    sim.advance(1000)
    (start,) = records(sim, tk.INVOCATION_STARTED, "emailService")
    assert start.get("trigger") == "event-bus" and start.get("source") == event_id
    (event,) = captured(sim)
    assert set(event) == ENVELOPE_KEYS
    assert event["version"] == "0" and event["id"] == event_id
    assert event["detail-type"] == "OrderShipped" and event["source"] == "orders"
    assert event["account"] == sim.account_id and event["region"] == sim.region
    assert event["time"] == "2026-01-05T08:00:00Z"
    assert event["resources"] == ["arn:aws:s3:::b/k"]
    assert event["detail"] == {"orderId": 7}


def test_a_fifo_queue_target_gets_the_event_in_its_message_group() -> None:
    sim = make()
    event_id = buses(sim).publish("eventBus", "orders", "Anything", "{}")
    (msg,) = sim.queues["ordersQueue"].listing()
    assert msg.group == "all-orders"
    body = json.loads(msg.body)
    assert body["id"] == event_id and set(body) == ENVELOPE_KEYS
    sent = records(sim, tk.MESSAGE_SENT, "ordersQueue")
    assert sent[0].get("source") == event_id


def test_a_standard_queue_target_gets_the_rules_group_as_a_fair_queue_tenant() -> None:
    sim = make_sim(
        "resources:\n  eventBus: {type: event-bus}\n  fair:\n    type: sqs-queue\n"
        "    properties:\n      events:\n        - type: event-bus\n          properties:\n"
        "            eventBusName: eventBus\n            eventPattern: {source: [orders]}\n"
        "            messageGroupId: tenant-1\n"
    )
    buses(sim).publish("eventBus", "orders", "Anything", "{}")
    buses(sim).publish("eventBus", "orders", "Anything", "{}")
    # Still a standard queue: two events with one group are two messages, not deduplicated.
    assert [m.group for m in sim.queues["fair"].listing()] == ["tenant-1", "tenant-1"]


def test_input_path_and_transformer_shape_what_the_target_receives() -> None:
    sim = make()
    buses(sim).publish("eventBus", "shop", "Big", '{"amount": 250, "id": "x"}')
    buses(sim).publish("default", "my.app", "Ping", '{"who": "ada", "n": 3}')
    sim.advance(1000)
    assert {"amount": 250, "id": "x"} in captured(sim)
    assert {
        "greeting": "hello ada",
        "n": 3,
        "rule": rule_of(sim, "pinger").arn,
    } in captured(sim)
    # A rule on the default bus has no bus in its ARN; on a custom bus it has.
    assert ":rule/app-dev-pinger-event-bus-1" in rule_of(sim, "pinger").arn
    assert ":rule/app-dev-eventBus/app-dev-bigSpender-event-bus-1" in rule_of(sim, "bigSpender").arn


def test_render_template_is_json_aware() -> None:
    values = {"s": 'say "hi"', "o": {"a": [1]}, "n": 2.5}
    assert render_template('{"s": <s>, "o": <o>, "n": <n>}', values) == (
        '{"s": "say \\"hi\\"", "o": {"a":[1]}, "n": 2.5}'
    )
    # Inside a string AWS inserts the raw value, unescaped.
    assert render_template('"<n> and <o>"', values) == '"2.5 and {"a":[1]}"'
    assert render_template('"\\"<n>\\" <unknown>"', values) == '"\\"2.5\\" <unknown>"'


def test_delivery_failure_sends_the_original_event_to_the_dlq_with_attributes() -> None:
    sim = make()
    # strictQueue is FIFO without content-based deduplication: SQS refuses EventBridge's
    # message, an error no retry can fix, so it goes straight to the DLQ.
    event_id = buses(sim).publish("eventBus", "shop", "OrderCreated", '{"n": 1}')
    (failed,) = records(sim, tk.EVENT_DELIVERY_FAILED)
    rule = rule_of(sim, "strictQueue")
    assert failed.get("target") == "strictQueue" and failed.get("rule") == rule.name
    assert failed.get("error_code") == "INVALID_PARAMETER"
    assert failed.get("dlq") == "dlq"
    (msg,) = sim.queues["dlq"].listing()
    assert failed.get("dlq_message_id") == msg.id
    assert json.loads(msg.body)["id"] == event_id
    assert set(msg.attrs) == {
        "RULE_ARN",
        "TARGET_ARN",
        "ERROR_CODE",
        "ERROR_MESSAGE",
        "EXHAUSTED_RETRY_CONDITION",
        "RETRY_ATTEMPTS",
    }
    assert msg.attrs["RULE_ARN"] == rule.arn
    assert msg.attrs["TARGET_ARN"] == sim.queues["strictQueue"].arn
    assert msg.attrs["ERROR_CODE"] == "INVALID_PARAMETER"
    assert "deduplication" in msg.attrs["ERROR_MESSAGE"]
    assert msg.attrs["RETRY_ATTEMPTS"] == "0"
    assert msg.attrs["EXHAUSTED_RETRY_CONDITION"] == "MaximumRetryAttempts"
    assert sim.queues["strictQueue"].depth == 0


def test_a_dlq_that_cannot_take_the_event_is_named_with_the_reason() -> None:
    # The record names the DLQ and says why nothing reached it: a FIFO queue (EventBridge's
    # DLQ must be standard) and an ARN outside the simulation; no dlq_message_id either time.
    cases = [
        (Ref("strictQueue", ("dlq",), "strictQueue"), "strictQueue", "FIFO queue"),
        (
            Ref("arn:aws:sqs:eu-west-1:123456789012:elsewhere", ("dlq",), None, "arn"),
            "arn:aws:sqs:eu-west-1:123456789012:elsewhere",
            "outside the simulation",
        ),
    ]
    for dlq, named, why in cases:
        sim = make()
        rule_of(sim, "strictQueue").dlq = dlq
        buses(sim).publish("eventBus", "shop", "OrderCreated", '{"n": 1}')
        (failed,) = records(sim, tk.EVENT_DELIVERY_FAILED)
        assert failed.get("dlq") == named
        assert why in failed.get("dlq_error") and failed.get("dlq_message_id") is None
        assert sim.queues["dlq"].depth == 0 and sim.queues["strictQueue"].depth == 0


def test_a_missing_target_function_is_no_resource() -> None:
    sim = make()
    del sim.functions["emailService"]  # the function was deleted after the rule was made
    buses(sim).publish("eventBus", "orders", "OrderShipped", '{"orderId": 1}')
    (failed,) = records(sim, tk.EVENT_DELIVERY_FAILED)
    assert failed.get("error_code") == "NO_RESOURCE"
    (msg,) = sim.queues["dlq"].listing()
    assert msg.attrs["TARGET_ARN"] == sim.arn("emailService")
    assert msg.attrs["ERROR_CODE"] == "NO_RESOURCE"


@pytest.mark.parametrize(
    ("bus", "source", "detail_type", "detail", "message"),
    [
        ("eventBus", "", "T", "{}", "Source is a required argument"),
        ("eventBus", "s", "", "{}", "DetailType is a required argument"),
        ("eventBus", "s", "T", "", "Detail is a required argument"),
        ("eventBus", "s", "T", "[1, 2]", "MalformedDetail"),
        ("eventBus", "s", "T", '"text"', "MalformedDetail"),
        ("eventBus", "s", "T", "{not json", "MalformedDetail"),
        ("eventBus", "s", "T" * 129, "{}", "at most 128"),
        ("eventBus", "s", "T", json.dumps({"x": "y" * MAX_ENTRY_BYTES}), "at most 1,048,576"),
        ("evntBus", "s", "T", "{}", "no event bus named 'evntBus'"),
        ("capture", "s", "T", "{}", "is an sqs-queue, not an event bus"),
    ],
)
def test_invalid_put_events_change_nothing(
    bus: str, source: str, detail_type: str, detail: str, message: str
) -> None:
    sim = make()
    with pytest.raises(SimError, match=message):
        buses(sim).publish(bus, source, detail_type, detail)
    assert sim.trace.seq == 0
    # Not even the id stream moved: the next event gets the id a fresh simulation gives.
    fresh = make()
    assert buses(sim).publish("default", "a", "b", "{}") == buses(fresh).publish(
        "default", "a", "b", "{}"
    )


def test_the_largest_entry_allowed_is_accepted() -> None:
    sim = make()
    overhead = len("s") + len("T") + len('{"x":""}')
    detail = json.dumps({"x": "y" * (MAX_ENTRY_BYTES - overhead)}, separators=(",", ":"))
    buses(sim).publish("eventBus", "s", "T", detail)
    assert len(records(sim, tk.EVENT_PUBLISHED)) == 1


def test_a_behaviour_publish_goes_through_the_bus() -> None:
    sim = make()
    sim.invoke_async("orderService", {"orderId": 5, "amount": 500}, "invoke", "test")
    sim.advance(1000)
    pubs = records(sim, tk.EVENT_PUBLISHED, "eventBus")
    emitted = next(p for p in pubs if p.get("event_source") == "orders")
    inv = records(sim, tk.INVOCATION_STARTED, "orderService")[0].get("invocation_id")
    assert emitted.get("origin") == f"orderService:{inv}"
    assert emitted.get("detail_type") == "OrderCreated"
    assert {"orderId": 5, "amount": 500} in captured(sim)  # bigSpender's inputPath
    assert sim.function_stats("emailService")["successes"] == 1


def test_lambda_destinations_to_a_bus() -> None:
    sim = make()
    sim.invoke_async("orderService", {"orderId": 5, "amount": 1}, "invoke", "test")
    sim.advance(1000)
    results = [e for e in captured(sim) if e.get("source") == "lambda"]
    (success,) = results
    assert success["detail-type"] == "Lambda Function Invocation Result - Success"
    assert success["resources"] == [
        sim.arn("eventBus"),
        f"{sim.functions['orderService'].arn}:$LATEST",
    ]
    detail = success["detail"]
    assert detail["requestContext"]["condition"] == "Success"
    assert detail["requestPayload"] == {"orderId": 5, "amount": 1}
    assert detail["responsePayload"] == {"orderId": 5}
    assert records(sim, tk.DESTINATION_DELIVERED, "orderService")[0].get("target") == "eventBus"

    sim.invoke_async("orderService", {"orderId": 6, "fail": True}, "invoke", "test")
    sim.advance(10 * 60_000)
    failure = [e for e in captured(sim) if e.get("source") == "lambda"][-1]
    assert failure["detail-type"] == "Lambda Function Invocation Result - Failure"
    assert failure["detail"]["requestContext"]["condition"] == "RetriesExhausted"
    assert failure["detail"]["requestContext"]["approximateInvokeCount"] == 3


def test_an_external_bus_keeps_its_rules_and_can_be_published_to_by_arn() -> None:
    sim = make()
    arn = "arn:aws:events:us-east-1:999999999999:event-bus/partner"
    bus = buses(sim).bus(arn)
    assert bus.external and [r.owner for r in bus.rules] == ["partnerWatcher"]
    buses(sim).publish(arn, "partner", "Hello", "{}")
    assert [r.get("target") for r in records(sim, tk.EVENT_MATCHED)] == ["partnerWatcher"]


def test_an_invalid_pattern_is_kept_and_matches_nothing() -> None:
    stack = f"""
resources:
  fn:
    type: function
    properties:
      {PACKAGING}
      events:
        - type: event-bus
          properties:
            useDefaultBus: true
            eventPattern: {{source: orders}}
"""
    sim = make_sim(stack, allow_errors=True)
    rule = rule_of(sim, "fn")
    assert rule.error == '"source" must be an object or an array'
    buses(sim).publish("default", "orders", "T", "{}")
    (rec,) = records(sim, tk.EVENT_UNMATCHED)
    assert rec.get("explanation") == [f"the rule's pattern is invalid: {rule.error}"]


# -- commands ------------------------------------------------------------------------------


@pytest.fixture
def session(tmp_path: Path) -> Session:
    (tmp_path / "stacktape.yml").write_text(STACK)
    (tmp_path / "stptui.yml").write_text(BEHAVIORS)
    return Session.open(tmp_path / "stacktape.yml", start_ms=START)


def test_publish_command_reports_matches_and_explanations(session: Session) -> None:
    result = execute(session, "publish eventBus orders OrderCancelled '{\"orderId\": 3}'")
    lines = result.text.splitlines()
    assert lines[0].startswith("published event ") and lines[0].endswith("1 of 5 rules matched")
    assert "  -> ordersQueue" in lines
    assert any(line.startswith("  no match emailService") for line in lines)
    assert result.data["matched"] == ["ordersQueue"]
    assert {u["target"] for u in result.data["unmatched"]} == {
        "strictQueue",
        "emailService",
        "bigSpender",
        "resultWatcher",
    }
    assert session.log == ["publish eventBus orders OrderCancelled '{\"orderId\": 3}'"]
    default = execute(session, "publish default my.app Ping --resources arn:a,arn:b")
    assert default.data["matched"] == ["pinger"]
    (event,) = [r for r in default.records if r.kind == tk.EVENT_PUBLISHED]
    assert event.get("rules_matched") == 1


def test_the_publish_command_may_stand_in_for_an_aws_service(session: Session) -> None:
    # Code's PutEvents may not use an `aws.` source (NotAuthorizedForSourceException); the
    # command may, so that a rule on an AWS service's events can be tried (docs/fidelity.md).
    result = execute(session, "publish eventBus aws.ec2 'EC2 Instance State-change Notification'")
    (event,) = [r for r in result.records if r.kind == tk.EVENT_PUBLISHED]
    assert event.get("event_source") == "aws.ec2"


def test_publish_command_failure_changes_nothing(session: Session) -> None:
    before = session.sim.trace.seq
    with pytest.raises(CommandError, match="MalformedDetail") as err:
        execute(session, "publish eventBus orders T '[1]'")
    assert "JSON object" in (err.value.hint or "")
    with pytest.raises(CommandError, match="no event bus named"):
        execute(session, "publish nowhere orders T")
    assert session.sim.trace.seq == before and session.log == []


def test_publish_says_whether_the_entry_or_the_whole_request_failed(session: Session) -> None:
    # An invalid entry is answered in PutEvents' response (FailedEntryCount, the entry's
    # ErrorCode and ErrorMessage, HTTP 200); an entry over the size limit fails the request.
    with pytest.raises(CommandError) as err:
        execute(session, "publish eventBus '' OrderCreated")
    assert str(err.value) == (
        "PutEvents put nothing: its entry failed (FailedEntryCount 1) with InvalidArgument: "
        "Parameter Source is not valid. Reason: Source is a required argument."
    )
    big = "x" * (1024 * 1024)
    with pytest.raises(CommandError) as err:
        execute(session, f'publish eventBus orders T \'{{"a": "{big}"}}\'')
    assert str(err.value).startswith(
        "PutEvents refused the whole request: ValidationException: Total size of the entries"
    )
    assert session.log == []


def test_show_buses_lists_rules_patterns_targets(session: Session) -> None:
    result = execute(session, "show buses")
    assert result.table is not None
    headers, rows = result.table
    assert headers == ["bus", "rule", "target", "pattern", "input", "dlq / problems"]
    by_target = {row[2]: row for row in rows}
    assert by_target["emailService"][0] == "eventBus"
    assert json.loads(by_target["emailService"][3]) == {
        "source": ["orders"],
        "detail-type": ["OrderCreated", "OrderShipped"],
    }
    assert by_target["emailService"][5] == "dlq"
    assert by_target["ordersQueue"][4] == "event, group all-orders"
    assert by_target["pinger"][0] == "default" and by_target["pinger"][4] == "inputTransformer"
    assert "outside the stack" in by_target["partnerWatcher"][0]


DIRECTIVE_STACK = """
serviceName: d
resources:
  up: {type: bucket}
  bus: {type: event-bus}
  inbox:
    type: sqs-queue
    properties:
      events:
        - type: event-bus
          properties:
            eventBusName: bus
            eventPattern:
              resources: ["$ResourceParam('up', 'arn')"]
            inputTransformer:
              inputPathsMap: {who: $.detail.who}
              inputTemplate: {greeting: hello, who: <who>}
"""


def test_a_pattern_holding_a_directive_matches_what_it_resolves_to() -> None:
    sim = make_sim(DIRECTIVE_STACK)
    arn = sim.resource_param("up", "arn")
    buses = sim.services["buses"]
    buses.publish("bus", "app", "T", {"who": "ann"}, [arn])
    buses.publish("bus", "app", "T", {"who": "bob"}, ["arn:aws:s3:::other"])
    # An object inputTemplate is sent as its JSON text, as Stacktape sends it.
    assert [json.loads(m.body) for m in sim.queue("inbox").listing()] == [
        {"greeting": "hello", "who": "ann"}
    ]


TEMPLATE_STACK = """
resources:
  bus: {type: event-bus}
  inbox:
    type: sqs-queue
    properties:
      events:
        - type: event-bus
          properties:
            eventBusName: bus
            eventPattern: {source: [app]}
            inputTransformer:
              inputPathsMap: {who: $.detail.who, n: $.detail.n, gone: $.detail.nothing}
              inputTemplate: |-
                {
                  "zeta" : <who>,
                  "alpha": [ 1.50, <n> ],
                  "said": "hi <who>, <gone>!",
                  "gone": <gone>
                }
  notes:
    type: sqs-queue
    properties:
      events:
        - type: event-bus
          properties:
            eventBusName: bus
            eventPattern: {source: [app]}
            inputTransformer:
              inputPathsMap: {who: $.detail.who}
              inputTemplate: "<who>  was  here"
"""


def test_a_json_template_is_delivered_minified_in_its_own_key_order() -> None:
    # "The JSON that is passed to the target is minified" (EventBridge user guide, input
    # transformation, Common Issues); a path that finds nothing gives "" inside and outside
    # quotes (localstack's AWS-recorded snapshot of an input template JSON).
    sim = make_sim(TEMPLATE_STACK)
    sim.services["buses"].publish("bus", "app", "T", {"who": "ann", "n": 3})
    (msg,) = sim.queue("inbox").listing()
    assert msg.body == '{"zeta":"ann","alpha":[1.50,3],"said":"hi ann, !","gone":""}'
    # Text that is not JSON goes as it was filled, spaces and all.
    (note,) = sim.queue("notes").listing()
    assert note.body == '"ann"  was  here'


def test_an_entry_over_the_old_256_kb_limit_is_put() -> None:
    # EventBridge takes entries of up to 1 MB since January 2026.
    sim = make()
    event_id = buses(sim).publish("eventBus", "s", "T", json.dumps({"x": "y" * 1_000_000}))
    (pub,) = records(sim, tk.EVENT_PUBLISHED)
    assert pub.get("event_id") == event_id


PREDEFINED_STACK = """
resources:
  bus: {type: event-bus}
  inbox:
    type: sqs-queue
    properties:
      events:
        - type: event-bus
          properties:
            eventBusName: bus
            eventPattern: {source: [app]}
            inputTransformer:
              inputTemplate: '{"originalEvent": <aws.events.event>,
                "originalEventJson": <aws.events.event.json>,
                "said": "<aws.events.rule-name> at <aws.events.event.ingestion-time>"}'
"""


def test_the_predefined_event_variables_have_the_shapes_aws_delivers() -> None:
    # Recorded against AWS (localstack `test_events_inputs.snapshot.json`,
    # test_input_transformer_predefined_variables): <aws.events.event> is the event without
    # `detail`, its detail-type under the key `detailType`, in the order AWS wrote it;
    # <aws.events.event.json> is the whole event as a target without input gets it.
    sim = make_sim(PREDEFINED_STACK)
    event_id = sim.services["buses"].publish("bus", "app", "T", {"n": 1}, ["arn:aws:s3:::b"])
    (msg,) = sim.queue("inbox").listing()
    body = json.loads(msg.body)
    assert list(body["originalEvent"].items()) == [
        ("id", event_id),
        ("account", sim.account_id),
        ("detailType", "T"),
        ("time", "2026-01-05T08:00:00Z"),
        ("source", "app"),
        ("region", sim.region),
        ("resources", ["arn:aws:s3:::b"]),
        ("version", "0"),
    ]
    assert list(body["originalEventJson"]) == [
        "version",
        "id",
        "detail-type",
        "source",
        "account",
        "time",
        "region",
        "resources",
        "detail",
    ]
    assert body["originalEventJson"]["detail"] == {"n": 1}
    rule = next(r for r in sim.services["buses"].buses["bus"].rules)
    assert body["said"] == f"{rule.name} at 2026-01-05T08:00:00Z"


def test_an_input_path_may_use_bracket_notation_but_input_paths_map_may_not() -> None:
    # Target.InputPath: "You may use JSON dot notation or bracket notation"; InputPathsMap:
    # "You must use JSON dot notation, not bracket notation" (EventBridge API reference).
    stack = """
resources:
  bus: {type: event-bus}
  inbox:
    type: sqs-queue
    properties:
      events:
        - type: event-bus
          properties:
            eventBusName: bus
            eventPattern: {source: [app]}
            inputPath: "$['detail'][\\"order-id\\"].lines[1]"
"""
    sim = make_sim(stack)
    rule = next(iter(sim.services["buses"].buses["bus"].rules))
    assert rule.input.problems == []
    sim.services["buses"].publish("bus", "app", "T", {"order-id": {"lines": ["a", {"n": 2}]}})
    # A path that finds nothing delivers JSON null (a choice: AWS does not document it).
    sim.services["buses"].publish("bus", "app", "T", {"other": 1})
    assert [m.body for m in sim.queue("inbox").listing()] == ['{"n":2}', "null"]
    mapped = TargetInput(
        None, None, {"inputPathsMap": {"o": "$['detail']"}, "inputTemplate": "<o>"}
    )
    assert mapped.problems == [
        "inputPathsMap.o: JSON path \"$['detail']\": cannot read \"['detail']\" "
        "(dot notation, [N] and * only)"
    ]


def test_the_event_time_is_the_put_instant_cut_to_whole_seconds() -> None:
    # "time": RFC 3339 without a fraction (reference §4.1): 08:00:01.999 is written 08:00:01Z,
    # not rounded up.
    sim = make()
    sim.advance(1999)
    buses(sim).publish("eventBus", "orders", "OrderShipped", "{}")
    sim.advance(1000)
    (event,) = captured(sim)
    assert event["time"] == "2026-01-05T08:00:01Z"
