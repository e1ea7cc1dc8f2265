"""SNS topics (stptui.sim.services.topic): Publish validation, filter policies on message
attributes (delivered or filtered, with the reason), the SNS event a Lambda subscriber
receives, subscription DLQs and Lambda destinations to a topic (stacktape-config §2.8, §3.2)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from stptui.commands import CommandError, Session, execute
from stptui.sim import trace as tk
from stptui.sim.engine import SimError
from stptui.sim.services.topic import policy_problems
from tests.simkit import START, make_sim, records

PACKAGING = "packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}"


def subscriber(name: str, policy: str | None = None, extra: str = "") -> str:
    policy_line = f"\n            filterPolicy: {policy}" if policy else ""
    return f"""
  {name}:
    type: function
    properties:
      {PACKAGING}
      events:
        - type: sns
          properties:
            snsTopicName: alerts{policy_line}{extra}"""


STACK = (
    """
resources:
  alerts:
    type: sns-topic
  ordered:
    type: sns-topic
    properties: {fifoEnabled: true}
  capture:
    type: sqs-queue
  dlq:
    type: sqs-queue"""
    + subscriber(
        "pager",
        "{severity: [high, critical]}",
        "\n            onDeliveryFailure: {sqsQueueName: dlq}",
    )
    + subscriber("auditor")
    + "\n      connectTo: [capture]"
    + subscriber("bigOrders", "{amount: [{numeric: ['>=', 100]}], region: [{prefix: eu-}]}")
    + subscriber("vip", "{tags: [vip]}")
    + subscriber("untraced", "{trace: [{exists: false}]}")
    + subscriber("notCanary", "{env: [{anything-but: [canary]}]}")
    + """
  reporter:
    type: function
    properties:
      """
    + PACKAGING
    + """
      destinations:
        onSuccess: $ResourceParam('alerts', 'arn')
"""
)

BEHAVIORS = """
behaviors:
  auditor:
    emit: [{send: {queue: capture, body: "@"}}]
  reporter:
    response: "{done: `true`}"
"""

ALL = {"pager", "auditor", "bigOrders", "vip", "untraced", "notCanary"}


def make():
    return make_sim(STACK, BEHAVIORS)


def topics(sim):
    return sim.services["topics"]


def delivered(sim) -> set[str]:
    return {r.get("target") for r in records(sim, tk.NOTIFICATION_DELIVERED)}


def filtered(sim) -> dict[str, list[str]]:
    return {r.get("target"): r.get("reason") for r in records(sim, tk.NOTIFICATION_FILTERED)}


def test_a_message_without_attributes_reaches_only_policy_free_and_exists_false() -> None:
    sim = make()
    mid = topics(sim).publish("alerts", "hello")
    (pub,) = records(sim, tk.TOPIC_PUBLISHED)
    assert pub.data == {
        "message_id": mid,
        "topic": "alerts",
        "origin": "command",
        "subscriptions_matched": 2,
    }
    # anything-but never matches a missing attribute; exists:false does.
    assert delivered(sim) == {"auditor", "untraced"}
    reasons = filtered(sim)
    assert set(reasons) == ALL - {"auditor", "untraced"}
    assert reasons["pager"][0] == "1 of 1 condition failed: severity"
    assert "missing" in " ".join(reasons["pager"][1:])


def test_exact_numeric_prefix_and_array_attributes() -> None:
    sim = make()
    topics(sim).publish(
        "alerts",
        "order",
        attributes={
            "severity": "critical",
            "amount": 150,
            "region": "eu-west-1",
            "tags": ["new", "vip"],
            "trace": "t-1",
            "env": "prod",
        },
    )
    assert delivered(sim) == ALL - {"untraced"}
    assert list(filtered(sim)) == ["untraced"]


def test_filtered_reasons_name_the_failing_clause() -> None:
    sim = make()
    topics(sim).publish(
        "alerts", "x", attributes={"severity": "low", "amount": 99, "region": "us-east-1"}
    )
    reasons = filtered(sim)
    assert reasons["pager"][0] == "1 of 1 condition failed: severity"
    assert reasons["bigOrders"][0] == "2 of 2 conditions failed: amount, region"
    assert any("amount" in line for line in reasons["bigOrders"][1:])


def test_a_string_attribute_that_looks_numeric_is_not_a_number() -> None:
    sim = make()
    topics(sim).publish("alerts", "x", attributes={"amount": "150", "region": "eu-1"})
    assert "bigOrders" in filtered(sim)
    sim2 = make()
    topics(sim2).publish("alerts", "x", attributes={"amount": 150, "region": "eu-1"})
    assert "bigOrders" in delivered(sim2)


def test_anything_but_filters_the_listed_value() -> None:
    sim = make()
    topics(sim).publish("alerts", "x", attributes={"env": "canary"})
    assert "notCanary" in filtered(sim)


def test_the_lambda_event_has_snss_shape() -> None:
    sim = make()
    mid = topics(sim).publish(
        "alerts", "the body", subject="Hi", attributes={"severity": "high", "n": 3, "l": ["a"]}
    )
    sim.advance(1000)
    (start,) = records(sim, tk.INVOCATION_STARTED, "auditor")
    assert start.get("trigger") == "sns" and start.get("source") == mid
    (event,) = [json.loads(m.body) for m in sim.queues["capture"].listing()]
    assert set(event) == {"Records"}
    (record,) = event["Records"]
    assert set(record) == {"EventSource", "EventVersion", "EventSubscriptionArn", "Sns"}
    assert record["EventSource"] == "aws:sns" and record["EventVersion"] == "1.0"
    topic = topics(sim).topic("alerts")
    sub = next(s for s in topic.subscriptions if s.owner == "auditor")
    assert record["EventSubscriptionArn"] == sub.arn and sub.arn.startswith(topic.arn + ":")
    sns = record["Sns"]
    assert set(sns) == {
        "Type",
        "MessageId",
        "TopicArn",
        "Subject",
        "Message",
        "Timestamp",
        "SignatureVersion",
        "Signature",
        "SigningCertUrl",
        "UnsubscribeUrl",
        "MessageAttributes",
    }
    assert sns["Type"] == "Notification" and sns["MessageId"] == mid
    assert sns["TopicArn"] == sim.arn("alerts") and sns["Subject"] == "Hi"
    assert sns["Message"] == "the body" and sns["Timestamp"] == "2026-01-05T08:00:00.000Z"
    assert sns["SignatureVersion"] == "1"
    assert sub.arn in sns["UnsubscribeUrl"]
    # Number and String.Array reach Lambda as String (SNS developer guide, data types).
    assert sns["MessageAttributes"] == {
        "severity": {"Type": "String", "Value": "high"},
        "n": {"Type": "String", "Value": "3"},
        "l": {"Type": "String", "Value": '["a"]'},
    }


def test_no_subject_is_null() -> None:
    sim = make()
    topics(sim).publish("alerts", "x")
    sim.advance(1000)
    (event,) = [json.loads(m.body) for m in sim.queues["capture"].listing()]
    assert event["Records"][0]["Sns"]["Subject"] is None


def test_a_failed_delivery_goes_to_the_subscription_dlq() -> None:
    sim = make()
    del sim.functions["pager"]  # the endpoint is gone: a client-side error, no retries
    mid = topics(sim).publish("alerts", "down", attributes={"severity": "high"})
    (failed,) = records(sim, tk.NOTIFICATION_DELIVERY_FAILED)
    assert failed.get("target") == "pager" and failed.get("error_code") == "NO_RESOURCE"
    (msg,) = sim.queues["dlq"].listing()
    assert failed.get("dlq_message_id") == msg.id
    body = json.loads(msg.body)
    assert body["MessageId"] == mid and body["Message"] == "down"
    assert msg.attrs == {"severity": "high"}


def test_the_dlq_body_is_the_json_sns_sends_an_sqs_endpoint() -> None:
    # The SQS/HTTP form, not the Lambda record's: SigningCertURL and UnsubscribeURL, and "If no
    # Subject was specified, then this name-value pair does not appear" (SNS developer guide,
    # HTTP/HTTPS notification JSON format); no MessageAttributes without attributes (the
    # guide's SQS example of a message-body-scoped payload has none).
    sim = make()
    del sim.functions["pager"]
    topics(sim).publish("alerts", "down", attributes={"severity": "high"})
    topics(sim).publish("alerts", "down again", subject="Pager", attributes={"severity": "high"})
    bare, titled = (json.loads(m.body) for m in sim.queues["dlq"].listing())
    assert list(bare) == [
        "Type",
        "MessageId",
        "TopicArn",
        "Message",
        "Timestamp",
        "SignatureVersion",
        "Signature",
        "SigningCertURL",
        "UnsubscribeURL",
        "MessageAttributes",
    ]
    assert list(titled)[3] == "Subject" and titled["Subject"] == "Pager"
    sub = next(s for s in topics(sim).topic("alerts").subscriptions if s.owner == "pager")
    assert bare["UnsubscribeURL"].endswith(f"SubscriptionArn={sub.arn}")
    assert bare["SigningCertURL"].startswith("https://sns.")


def test_a_dlq_body_without_attributes_has_no_message_attributes() -> None:
    stack = STACK.replace("{severity: [high, critical]}", "{}")
    sim = make_sim(stack, BEHAVIORS)
    del sim.functions["pager"]
    topics(sim).publish("alerts", "down")
    (msg,) = sim.queues["dlq"].listing()
    assert "MessageAttributes" not in json.loads(msg.body)
    assert msg.attrs == {}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"message": ""}, "Empty message"),
        ({"message": "x" * (256 * 1024 + 1)}, "Message too long"),
        ({"message": "x", "subject": "two\nlines"}, "Subject must be"),
        ({"message": "x", "subject": "s" * 101}, "Subject must be"),
        ({"message": "x", "attributes": {"AWS.x": "1"}}, "not a valid message attribute name"),
        (
            {"message": "x", "attributes": {"a": ""}},
            "must contain non-empty message attribute value",
        ),
        ({"message": "x", "attributes": {"a": 1e127}}, "ParameterValueInvalid"),
        ({"message": "x", "dedup_id": "d"}, "standard topic"),
        ({"message": "x", "subject": "bell\x07"}, "Subject must be"),
    ],
)
def test_invalid_publish_changes_nothing(kwargs: dict, message: str) -> None:
    sim = make()
    text = kwargs.pop("message")
    with pytest.raises(SimError, match=message):
        topics(sim).publish("alerts", text, **kwargs)
    assert sim.trace.seq == 0


def test_fifo_topics_need_a_group_and_a_dedup_id() -> None:
    sim = make()
    with pytest.raises(SimError, match="message group id") as err:
        topics(sim).publish("ordered", "x")
    # Both missing: the hint names both, so that its line is not refused for the second.
    assert err.value.hint == "publish-sns ordered MESSAGE --group G --dedup-id ID"
    with pytest.raises(SimError, match="message group id") as err:
        topics(sim).publish("ordered", "x", dedup_id="d")
    assert err.value.hint == "publish-sns ordered MESSAGE --group G"
    with pytest.raises(SimError, match="deduplication id"):
        topics(sim).publish("ordered", "x", group="g")
    topics(sim).publish("ordered", "x", group="g", dedup_id="d")
    assert topics(sim).topic("ordered").name == "app-dev-ordered.fifo"


def test_policy_problems_follow_snss_own_limits() -> None:
    assert policy_problems({"a": ["x"]}) == []
    assert policy_problems({"a": {"b": ["x"]}}) == [
        "FilterPolicy: Filter policy scope MessageAttributes does not support nested filter policy"
    ]
    six = {k: ["x"] for k in "abcdef"}
    assert policy_problems(six) == ["FilterPolicy: Filter policy can not have more than 5 keys"]
    many = {"a": list(range(20)), "b": list(range(10))}
    assert policy_problems(many) == ["FilterPolicy: Filter policy is too complex"]
    assert policy_problems({"a": [{"wildcard": "x*"}]}) == [
        "FilterPolicy: Unrecognized match type wildcard"
    ]
    assert policy_problems("[1]") == ["FilterPolicy: the policy must be a JSON object"]


def test_an_invalid_policy_filters_everything_and_says_why() -> None:
    stack = STACK.replace("{tags: [vip]}", "{tags: {nested: [vip]}}")
    sim = make_sim(stack, BEHAVIORS, allow_errors=True)  # validate reports the policy too
    topics(sim).publish("alerts", "x", attributes={"tags": ["vip"]})
    assert filtered(sim)["vip"] == [
        "the filter policy is invalid: FilterPolicy: Filter policy scope MessageAttributes "
        "does not support nested filter policy"
    ]


def test_an_empty_filter_policy_is_no_filter() -> None:
    # SetSubscriptionAttributes with FilterPolicy "{}" removes the policy (SNS developer
    # guide, "Use SetSubscriptionAttributes"); a subscription without one gets every message.
    stack = STACK.replace("{tags: [vip]}", "{}")
    sim = make_sim(stack, BEHAVIORS)  # validate finds nothing wrong with it either
    topics(sim).publish("alerts", "hello")
    assert "vip" in delivered(sim)
    assert "vip" not in filtered(sim)
    assert policy_problems({}) == [] and policy_problems("{}") == []


def test_lambda_destination_to_a_topic() -> None:
    sim = make()
    sim.invoke_async("reporter", {"x": 1}, "invoke", "test")
    sim.advance(1000)
    (pub,) = records(sim, tk.TOPIC_PUBLISHED)
    inv = records(sim, tk.INVOCATION_STARTED, "reporter")[0]
    assert pub.get("origin") == "reporter:onSuccess"
    captured = [json.loads(m.body) for m in sim.queues["capture"].listing()]
    record = json.loads(captured[0]["Records"][0]["Sns"]["Message"])
    assert record["requestContext"]["condition"] == "Success"
    assert record["requestContext"]["requestId"] == inv.get("event_id")
    assert record["responsePayload"] == {"done": True}


# -- commands ------------------------------------------------------------------------------


@pytest.fixture
def session(tmp_path: Path) -> Session:
    (tmp_path / "stacktape.yml").write_text(STACK)
    (tmp_path / "stptui.yml").write_text(BEHAVIORS)
    return Session.open(tmp_path / "stacktape.yml", start_ms=START)


def test_publish_sns_command(session: Session) -> None:
    result = execute(
        session,
        "publish-sns alerts 'disk full' --attr severity=high --attr amount=120 "
        "--attr region=eu-1 --attr env=prod --attr tags='[\"vip\"]' --subject Disk",
    )
    assert result.text.splitlines()[0].endswith("delivered to 6")
    assert set(result.data["delivered"]) == ALL
    assert result.data["filtered"] == []
    low = execute(session, "publish-sns alerts x --attr severity=low")
    assert "  filtered out for pager:" in low.text.splitlines()
    assert len(session.log) == 2


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("publish-sns nowhere x", "no SNS topic named 'nowhere'"),
        ("publish-sns capture x", "is an sqs-queue, not an SNS topic"),
        ("publish-sns alerts x --attr tags='[oops'", "is not a JSON array"),
        ("publish-sns alerts x --attr novalue", "NAME=VALUE"),
        ("publish-sns ordered x", "message group id"),
    ],
)
def test_bad_publish_sns_changes_nothing(session: Session, line: str, message: str) -> None:
    with pytest.raises(CommandError, match=message):
        execute(session, line)
    assert session.sim.trace.seq == 0 and session.log == []


def test_show_topics(session: Session) -> None:
    result = execute(session, "show topics")
    assert result.table is not None
    headers, rows = result.table
    assert headers == ["topic", "subscriber", "filter policy", "dlq / problems"]
    by_sub = {row[1]: row for row in rows}
    assert json.loads(by_sub["pager"][2]) == {"severity": ["high", "critical"]}
    assert by_sub["pager"][3] == "dlq"
    assert by_sub["auditor"][2] == ""
    assert ["ordered (FIFO)", "(no subscriptions)", "", ""] in rows


NOTIFIER = """
resources:
  alerts: {type: sns-topic}
  inbox: {type: sqs-queue}
  watcher:
    type: function
    properties:
      connectTo: [alerts]
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: w.ts}}
      events: [{type: sqs, properties: {sqsQueueName: inbox}}]
  pager:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: p.ts}}
      events:
        - type: sns
          properties: {snsTopicName: alerts, filterPolicy: {severity: [high]}}
"""
NOTIFIER_BEHAVIORS = """
behaviors:
  watcher:
    emit:
      - notify:
          topic: alerts
          message: body
          subject: "'order alert'"
          attributes: "{severity: body.level}"
"""


def test_a_notify_emission_publishes_through_the_topic_and_its_filter_policy() -> None:
    sim = make_sim(NOTIFIER, NOTIFIER_BEHAVIORS)
    sim.send("inbox", '{"level": "high", "orderId": 1}')
    sim.send("inbox", '{"level": "low", "orderId": 2}')
    sim.run(60_000)
    published = records(sim, tk.TOPIC_PUBLISHED, "alerts")
    assert len(published) == 2
    assert all(r.get("origin", "").startswith("watcher:") for r in published)
    assert sim.function_stats("pager")["successes"] == 1
    assert len(records(sim, tk.NOTIFICATION_FILTERED, "alerts")) == 1


@pytest.mark.parametrize("written", ['\'{"tags": ["vip"]}\'', "[vip]", "'tags=vip'", "5"])
def test_a_filter_policy_that_is_not_a_mapping_delivers_nothing_and_says_why(
    written: str,
) -> None:
    """A `validate` error; `run` still opens the stack, but the subscription must not be
    simulated as one without a policy, which delivered every message before."""
    stack = STACK.replace("{tags: [vip]}", written)
    sim = make_sim(stack, BEHAVIORS, allow_errors=True)
    assert [d.code for d in sim.stack.errors] == ["wrong-type"]
    topics(sim).publish("alerts", "x", attributes={"tags": ["other"]})
    topics(sim).publish("alerts", "y", attributes={"tags": ["vip"]})
    assert "vip" not in delivered(sim)
    (reason,) = filtered(sim)["vip"]
    assert reason.startswith("the filter policy is invalid: `filterPolicy` is ")
    assert reason.endswith(
        ", not a mapping, so Stacktape refuses the config and the subscription delivers "
        "nothing (see `stptui validate`)"
    )
    # The other subscriptions are untouched.
    assert "auditor" in delivered(sim)


def test_more_than_ten_attributes_reach_a_lambda_subscription() -> None:
    # SNS limits a message to 10 attributes only "when Raw Message Delivery is enabled" for
    # an SQS subscription (SNS developer guide, message attributes); a Lambda one takes more.
    sim = make()
    attributes = {f"a{i}": str(i) for i in range(12)}
    topics(sim).publish("alerts", "x", attributes=attributes)
    sim.advance(1000)
    (event,) = [json.loads(m.body) for m in sim.queues["capture"].listing()]
    assert len(event["Records"][0]["Sns"]["MessageAttributes"]) == 12


def test_a_policy_sns_refuses_inside_a_dollar_or_delivers_nothing() -> None:
    # SNS checks every `$or` branch when the subscription is made: a refused policy makes no
    # subscription, so nothing is delivered, whatever the message.
    policy = "{tags: [vip], $or: [{env: [{anything-but: {wildcard: 'x*'}}]}, {n: [1]}]}"
    sim = make_sim(STACK.replace("{tags: [vip]}", policy), BEHAVIORS, allow_errors=True)
    topics(sim).publish("alerts", "x", attributes={"tags": ["vip"], "n": 1})
    assert filtered(sim)["vip"] == [
        "the filter policy is invalid: FilterPolicy: Unsupported anything-but pattern: wildcard"
    ]
