"""A function's `kafka-topic` event read by Stacktape's property table (every shape real configs
use), Lambda's ranges and topic-name rules, duplicate mappings, the legacy
`upstash-kafka-topic` type of Stacktape's Kafka starter (its connectTo variables and its
topic simulated), and one clear warning for `partial` on a Kafka-triggered function."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lintkit import PKG, codes, found, load, one, where
from simkit import make_sim, records

from stptui.config import load_stack_text
from stptui.config.envvars import workload_environment
from stptui.sim import trace as tk
from stptui.sim.behavior import Behaviors

STARTER = (
    Path(__file__).resolve().parents[1].parent
    / "shared"
    / "reference"
    / "real-stacks"
    / "github"
    / "stacktape__starter-kafka-stream-processing__stacktape.yml"
)
AUTH = "{type: BASIC_AUTH, properties: {authenticationSecretArn: arn:aws:secretsmanager:x}}"


def custom(servers: str = "[b1:9092, b2:9092]", topic: str = "orders", extra: str = "") -> str:
    """A `kafka-topic` event on self-managed brokers."""
    return (
        "        - type: kafka-topic\n"
        "          properties:\n"
        "            customKafkaConfiguration:\n"
        f"              bootstrapServers: {servers}\n"
        f"              topicName: {topic!r}\n"
        f"              authentication: {AUTH}\n"
        + "".join(f"            {x}\n" for x in extra.split(";") if x)
    )


def fn(*events: str, before: str = "") -> str:
    """A stack with a kafka-cluster `c` and a function `f` with `events`."""
    return (
        "resources:\n  c:\n    type: kafka-cluster\n" + before + "  f:\n    type: function\n"
        "    properties:\n      {PKG}\n      events:\n"
        # custom() writes its own indentation; an inline event starts at `- type`.
         + "".join(e if e.startswith(" ") else textwrap.indent(e, " " * 8) + "\n" for e in events)
    )


# -- the property table -------------------------------------------------------------------------


def test_a_misspelled_key_in_the_source_is_an_error_with_its_real_name() -> None:
    # Before: the event was kept as written, and a `topicname` silently left it unsimulated.
    text = custom().replace("topicName", "topicname")
    d = one(fn(text), "unknown-property")
    assert where(d) == ("error", "s.yml", 13, 15)
    assert "`topicname` in `customKafkaConfiguration`" in d.message
    assert d.hint == "did you mean `topicName`?"
    assert "missing-property" not in codes(fn(text))


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("batchSize: 0", "`batchSize` is 0; allowed: 1-10000"),
        ("batchSize: 20000", "`batchSize` is 20000; allowed: 1-10000"),
        ("maxBatchWindowSeconds: 301", "`maxBatchWindowSeconds` is 301; allowed: 0-300"),
    ],
)
def test_lambdas_ranges(extra: str, message: str) -> None:
    d = one(fn(custom(extra=extra)), "out-of-range")
    assert (d.severity, d.line, d.message) == ("error", 15, message)


def test_the_edges_of_the_ranges_pass() -> None:
    text = fn(custom(extra="batchSize: 10000;maxBatchWindowSeconds: 300"))
    assert load(text).errors == []
    assert load(fn(custom(extra="batchSize: 1;maxBatchWindowSeconds: 0"))).errors == []


def test_an_unknown_event_property_gets_did_you_mean() -> None:
    d = one(fn(custom(extra="batchsize: 5")), "unknown-property")
    assert (d.line, d.hint) == (15, "did you mean `batchSize`?")


@pytest.mark.parametrize(
    "extra",
    [
        "maximumRetryAttempts: 3",
        "onFailure: {arn: x, type: sqs}",
        "bisectBatchOnFunctionError: true",
    ],
)
def test_lambdas_kafka_error_controls_are_not_stacktapes(extra: str) -> None:
    # kafka-retry-configurations lists them for provisioned-mode mappings; Stacktape's
    # KafkaTopicIntegrationProps has none, so its deployer refuses them.
    d = one(fn(custom(extra=extra)), "unknown-property")
    assert d.severity == "error"
    assert "does not expose Lambda's Kafka error handling controls" in (d.hint or "")
    assert "read again until it succeeds or its records expire" in (d.hint or "")


@pytest.mark.parametrize(
    ("topic", "why"),
    [
        ("bad topic!", "has ' ', '!'"),
        (".hidden", "starts with `.`"),
        ("x" * 250, "is 250 characters long (at most 249)"),
        ("", "is empty"),
    ],
)
def test_an_illegal_topic_name_is_an_error(topic: str, why: str) -> None:
    d = one(fn(custom(topic=topic)), "invalid-value")
    assert (d.severity, d.line, d.column) == ("error", 13, 26)
    assert d.message.endswith(why)


@given(st.text(alphabet="abcXYZ019._-", min_size=1, max_size=249))
def test_kafkas_characters_are_a_legal_name_unless_it_starts_with_a_dot(topic: str) -> None:
    errors = load(fn(custom(topic=topic))).errors
    assert [d.code for d in errors] == (["invalid-value"] if topic.startswith(".") else [])


def test_a_bootstrap_server_needs_a_port_and_the_list_a_broker() -> None:
    d = one(fn(custom(servers="[b1:9092, b2]")), "invalid-value")
    assert (d.line, d.column) == (12, 43)
    assert "'b2' is not `host:port`" in d.message
    assert found(fn(custom(servers="[]")), "invalid-value")[0].message.startswith(
        "`bootstrapServers` is empty"
    )


def test_authentication_is_checked_by_its_type() -> None:
    text = fn(custom()).replace("BASIC_AUTH", "MTLS")
    d = one(text, "unknown-property")
    assert "authenticationSecretArn" in d.message
    assert "needs `clientCertificate`" in one(text, "missing-property").message
    missing = fn(custom()).replace(f"              authentication: {AUTH}\n", "")
    assert "needs `authentication`" in one(missing, "missing-property").message


def test_every_shape_real_configs_use_loads_clean() -> None:
    events = (
        custom(),
        "- type: kafka-topic\n  properties: {kafkaClusterName: c, topicName: audit, "
        "startFrom: earliest, consumerGroupId: g}",
        "- type: kafka-topic\n  properties: {mskClusterArn: 'arn:aws:kafka:eu-west-1:1:cluster/"
        "x/y', topicName: t, startFrom: latest}",
        custom(topic="v", extra="vpc: {securityGroupIds: [sg-1], subnetIds: [subnet-1]}"),
        "- type: kafka-topic\n  properties: {upstashKafkaTopic: u, batchSize: 5}",
    )
    before = "  u:\n    type: upstash-kafka-topic\n"
    stack = load(fn(*events, before=before))
    assert stack.errors == []
    assert [d.code for d in stack.diagnostics] == ["legacy-type"]


@pytest.mark.parametrize(
    ("props", "code", "text"),
    [
        ("{batchSize: 5}", "exactly-one-of", "set one of `customKafkaConfiguration`"),
        ("{kafkaClusterName: c}", "missing-property", "needs `topicName`"),
        ("{kafkaClusterName: c, topicName: t, vpc: {}}", "unknown-property", "`vpc` is not"),
        ("{kafkaClusterName: c, topicName: t, startFrom: oldest}", "invalid-value", "startFrom"),
        ("{kafkaClusterName: c, mskClusterArn: a, topicName: t}", "exactly-one-of", "not"),
    ],
)
def test_the_shapes_rules(props: str, code: str, text: str) -> None:
    d = one(fn(f"- type: kafka-topic\n  properties: {props}"), code)
    assert d.severity == "error"
    assert text in d.message


def test_a_second_mapping_of_the_same_topic_and_brokers_is_refused() -> None:
    text = fn(custom(), custom(servers="[b2:9092, b1:9092]"))
    d = one(text, "duplicate-kafka-mapping")
    assert where(d) == ("error", "s.yml", 15, 11)
    assert "topic 'orders' on the same bootstrap servers (events[0])" in d.message
    assert "ResourceConflictException" in d.message
    # Another topic, or other brokers, is another mapping.
    assert not found(fn(custom(), custom(topic="other")), "duplicate-kafka-mapping")
    assert not found(fn(custom(), custom(servers="[b3:9092]")), "duplicate-kafka-mapping")
    cluster = "- type: kafka-topic\n  properties: {kafkaClusterName: c, topicName: t}"
    assert one(fn(cluster, cluster), "duplicate-kafka-mapping").line == 11


# -- the legacy upstash-kafka-topic -----------------------------------------------------------

needs_starter = pytest.mark.skipif(not STARTER.is_file(), reason="no real-stacks folder")


@needs_starter
def test_stacktapes_kafka_starter_loads_with_one_warning() -> None:
    stack = load_stack_text(STARTER.read_text(encoding="utf-8"), "stacktape.yml")
    # Before: `unknown-type` for `upstash-kafka-topic`.
    assert [(d.severity, d.code, d.line) for d in stack.diagnostics] == [
        ("warning", "legacy-type", 12)
    ]
    assert "has no successor" in stack.diagnostics[0].message
    env = {e.name: e.value for e in workload_environment(stack, stack.resources["kafkaProducer"])}
    # The names the starter's own code reads (src/kafka-producer.ts, src/services/kafka.ts).
    assert env["STP_KAFKA_TOPIC_TOPIC_NAME"] == "app-dev-kafkaTopic"
    assert env["STP_KAFKA_TOPIC_TCP_ENDPOINT"].endswith("-kafka.upstash.io:9092")
    assert {"STP_KAFKA_TOPIC_USERNAME", "STP_KAFKA_TOPIC_PASSWORD"} <= set(env)
    assert env["STP_KAFKA_TOPIC_REST_URL"].startswith("https://")


@needs_starter
def test_the_starters_topic_is_simulated_and_read_by_its_consumer() -> None:
    sim = make_sim(STARTER.read_text(encoding="utf-8"))
    topic = sim.services["kafka"]["kafkaTopic"]
    assert (topic.topic, topic.source) == ("app-dev-kafkaTopic", "SelfManagedKafka")
    topic.produce(b"hello")
    sim.advance(11_000)
    started = records(sim, tk.INVOCATION_STARTED, "kafkaConsumer")
    assert [r.data["record_ids"] for r in started] == [["kafkaTopic-0@0"]]


def test_an_upstash_topic_nothing_reads_is_still_a_topic() -> None:
    text = fn(custom(), before="  u:\n    type: upstash-kafka-topic\n").replace("{PKG}", PKG)
    assert sorted(make_sim(text).services["kafka"]) == ["orders", "u"]


def test_an_upstash_reference_must_name_one() -> None:
    d = one(fn("- type: kafka-topic\n  properties: {upstashKafkaTopic: nope}"), "missing-resource")
    assert "expected upstash-kafka-topic" in d.message


# -- partial on a Kafka-triggered function ---------------------------------------------------


def test_partial_on_kafka_gets_one_clear_warning() -> None:
    stack = load(fn(custom()))
    _, diags = Behaviors.from_text("behaviors:\n  f:\n    partial: {rate: 0.5}\n", "b.yml", stack)
    # Before: `behavior-partial-not-sqs` ("no sqs event") and `behavior-partial-ignored`, whose
    # reportBatchItemFailures hint does not apply to Kafka.
    assert [(d.severity, d.code, d.line) for d in diags] == [
        ("warning", "behavior-partial-not-sqs", 3)
    ]
    # kafka-retry-configurations: Lambda takes a Kafka partial batch response only from a
    # provisioned-mode mapping with ReportBatchItemFailures, which Stacktape never sets.
    assert "Stacktape's kafka-topic event sets no ReportBatchItemFailures" in diags[0].message
    assert "provisioned-mode" in diags[0].message
    assert "reportBatchItemFailures" not in (diags[0].hint or "")
