"""Handlers that produce to Kafka topics: the `produce` emission and a Python handler's
`context.produce`, checked when the behaviours file loads, made through the topic's own
produce (partitioning, headers, size limits), traced with the invocation as its source, and
Stacktape's Kafka starter end to end (docs/examples/kafka-starter*.yml)."""

from __future__ import annotations

import base64
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from simkit import START, capture_inputs

from stptui.commands import Session, execute
from stptui.commands.session import SessionError
from stptui.sim import trace as tk
from stptui.sim.explain import explain
from stptui.sim.services.kafka import SELF_MANAGED_MAX_BYTES, KafkaTopic, partition_of_key
from stptui.sim.trace import Record

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "docs" / "examples"
PACKAGING = "packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}"
AUTH = "{type: BASIC_AUTH, properties: {authenticationSecretArn: 'arn:aws:secretsmanager:x'}}"

# An HTTP API whose `producer` is the function under test; `orderWorker` reads `order-events`
# on self-managed brokers; two topics called `audit` (on the stack's MSK cluster and on other
# brokers) are told apart as `audit@events` and `audit@b-9.example.com:9092`.
STACK = f"""\
serviceName: shop
resources:
  api:
    type: http-api-gateway
  alerts:
    type: sns-topic
  events:
    type: kafka-cluster
  producer:
    type: function
    properties:
      {PACKAGING}
      events:
        - type: http-api-gateway
          properties: {{httpApiGatewayName: api, path: '/orders/{{id}}', method: POST}}
  orderWorker:
    type: function
    properties:
      {PACKAGING}
      events:
        - type: kafka-topic
          properties:
            customKafkaConfiguration:
              bootstrapServers: [b-1.example.com:9092]
              topicName: order-events
              authentication: {AUTH}
            batchSize: 10
            maxBatchWindowSeconds: 1
  auditor:
    type: function
    properties:
      {PACKAGING}
      events:
        - type: kafka-topic
          properties: {{kafkaClusterName: events, topicName: audit}}
        - type: kafka-topic
          properties:
            customKafkaConfiguration:
              bootstrapServers: [b-9.example.com:9092]
              topicName: audit
              authentication: {AUTH}
"""


def session(tmp_path: Path, behaviors: str, *, allow_code: bool = False) -> Session:
    (tmp_path / "stacktape.yml").write_text(STACK, encoding="utf-8")
    sidecar = tmp_path / "stptui.yml"
    sidecar.write_text(textwrap.dedent(behaviors), encoding="utf-8")
    return Session.open(
        tmp_path / "stacktape.yml", behaviors_path=sidecar, start_ms=START, allow_code=allow_code
    )


def producing(tmp_path: Path, *items: str) -> Session:
    """`producer` with these emit items (one line each)."""
    lines = "".join(f"      {item}\n" for item in items)
    return session(tmp_path, f"behaviors:\n  producer:\n    emit:\n{lines}")


def of(s: Session, kind: str) -> list[Record]:
    return [r for r in s.sim.trace.records if r.kind == kind]


def order(s: Session, order_id: str, body: str = "{}") -> None:
    execute(s, f"http POST /orders/{order_id} '{body}'")


def topic(s: Session, name: str = "order-events") -> KafkaTopic:
    return s.sim.services["kafka"][name]


# -- produced at run time


def test_keyed_records_go_to_their_keys_partition_in_order_and_name_the_invocation(
    tmp_path: Path,
) -> None:
    s = producing(
        tmp_path,
        "- produce: {topic: order-events, value: body, key: pathParameters.id}",
    )
    for i, key in enumerate(["c-1", "c-2", "c-1", "c-3", "c-1"]):
        order(s, key, f'{{"n": {i}}}')
    produced = of(s, tk.KAFKA_RECORD_PRODUCED)
    assert [r.data["key"] for r in produced] == ["c-1", "c-2", "c-1", "c-3", "c-1"]
    for r in produced:
        assert r.data["partition"] == partition_of_key(r.data["key"].encode(), 3)
    same_key = [r.data["offset"] for r in produced if r.data["key"] == "c-1"]
    assert same_key == sorted(same_key) and len(set(same_key)) == 3
    started = {
        r.data["invocation_id"] for r in of(s, tk.INVOCATION_STARTED) if r.resource == "producer"
    }
    sources = [r.data["source"].split(":") for r in produced]
    assert all(fn == "producer" and inv in started for fn, inv in sources)
    assert len({inv for _, inv in sources}) == 5
    # The consumer group reads every record once, a batch per partition.
    execute(s, "advance 5s")
    read = [
        i
        for r in of(s, tk.INVOCATION_STARTED)
        if r.resource == "orderWorker"
        for i in r.data["record_ids"]
    ]
    assert sorted(read) == sorted(r.data["record_id"] for r in produced)


def test_records_without_a_key_go_round_robin_and_partition_picks_one(tmp_path: Path) -> None:
    s = producing(
        tmp_path,
        "- produce: {topic: order-events, value: pathParameters.id}",
        "- produce: {topic: order-events, value: \"'pinned'\", key: \"'k'\", partition: 2}",
    )
    for i in range(4):
        order(s, f"o-{i}")
    produced = of(s, tk.KAFKA_RECORD_PRODUCED)
    free = [r for r in produced if r.data["key"] is None]
    pinned = [r for r in produced if r.data["key"] == "k"]
    assert [r.data["partition"] for r in free] == [0, 1, 2, 0]
    # A partition asked for wins over the key's, and leaves the round robin where it was.
    assert [r.data["partition"] for r in pinned] == [2, 2, 2, 2]
    # The third keyless record took partition 2's offset 2 between them.
    assert [r.data["offset"] for r in pinned] == [0, 1, 3, 4]


def test_value_key_and_headers_reach_the_consumer_as_lambda_sends_them(tmp_path: Path) -> None:
    s = producing(
        tmp_path,
        '- produce: {topic: order-events, value: "{id: pathParameters.id, n: `2`}", '
        "key: '`42`', headers: \"{source: 'web', order: pathParameters.id}\"}",
    )
    events = capture_inputs(s.sim, lambda inp: inp.event() if inp.trigger == "kafka" else None)
    order(s, "o-7")
    execute(s, "advance 5s")
    (event,) = [e for e in events if e is not None]
    (batch,) = event["records"].values()
    (rec,) = batch
    # JSON values are compact JSON, a number key is its text, headers keep the map's order.
    assert base64.b64decode(rec["value"]) == b'{"id":"o-7","n":2}'
    assert base64.b64decode(rec["key"]) == b"42"
    assert rec["headers"] == [{"source": list(b"web")}, {"order": list(b"o-7")}]
    (produced,) = of(s, tk.KAFKA_RECORD_PRODUCED)
    size = len(b'{"id":"o-7","n":2}') + 2 + len("sourceweb") + len("ordero-7")
    assert produced.data["size"] == size


def test_a_consumers_expressions_see_each_record_decoded(tmp_path: Path) -> None:
    # A stream processor: orderWorker relays each paid order's id to `audit`, keyed as it
    # came. Its expressions see one record at a time, value parsed, key and headers as text.
    s = session(
        tmp_path,
        """\
        behaviors:
          producer:
            emit:
              - produce:
                  topic: order-events
                  value: body
                  key: pathParameters.id
                  headers: "{kind: pathParameters.id == 'c-2' && 'unpaid' || 'paid'}"
          orderWorker:
            emit:
              - produce:
                  topic: audit@events
                  value: value.id
                  key: key
                  when: "headers.kind == 'paid' && partition == record.partition"
        """,
    )
    order(s, "c-1", '{"id": "o-1"}')
    order(s, "c-2", '{"id": "o-2"}')
    execute(s, "advance 5s")
    relayed = topic(s, "audit@events")
    got = sorted((r.key, r.value) for p in relayed.partitions for r in p.records)
    assert got == [(b"c-1", b"o-1")]


def test_a_record_over_the_brokers_limit_is_an_emission_failed_and_nothing_is_produced(
    tmp_path: Path,
) -> None:
    s = producing(
        tmp_path,
        "- produce: {topic: order-events, value: body}",
        "- produce: {topic: order-events, value: pathParameters.id}",
    )
    order(s, "o-1", '"' + "x" * SELF_MANAGED_MAX_BYTES + '"')
    (failed,) = of(s, tk.EMISSION_FAILED)
    assert failed.data["emission"] == "produce"
    assert failed.data["target"] == "order-events"
    assert failed.data["error"].startswith("MESSAGE_TOO_LARGE: the record is 1,048,590 bytes;")
    assert failed.data["error"].endswith("stptui.yml:4:9: producer.emit[0].produce)")
    # As for a refused PutRecord: the invocation succeeded and its other emission happened.
    assert [r.resource for r in of(s, tk.INVOCATION_SUCCEEDED)] == ["producer"]
    (produced,) = of(s, tk.KAFKA_RECORD_PRODUCED)
    assert produced.data["size"] == 3
    assert [len(p.records) for p in topic(s).partitions] == [1, 0, 0]


def test_a_partition_the_topic_lacks_is_refused_when_produced(tmp_path: Path) -> None:
    s = producing(
        tmp_path,
        "- produce: {topic: order-events, value: body, partition: 'to_number(pathParameters.id)'}",
    )
    order(s, "7")
    (failed,) = of(s, tk.EMISSION_FAILED)
    assert failed.data["error"].startswith(
        "UNKNOWN_TOPIC_OR_PARTITION: order-events has no partition 7"
    )
    assert not of(s, tk.KAFKA_RECORD_PRODUCED)


def test_a_null_value_is_a_tombstone_lambda_delivers_without_value(tmp_path: Path) -> None:
    # A constant null and an expression that finds null both make a tombstone, as a client
    # library's `value: null` does; the consumer's expressions see `value` null.
    s = session(
        tmp_path,
        """\
        behaviors:
          producer:
            emit:
              - produce: {topic: order-events, value: null, key: pathParameters.id}
              - produce: {topic: order-events, value: body.missing}
          orderWorker:
            emit:
              - produce:
                  topic: audit@events
                  value: "value == null && 'deleted' || 'kept'"
                  key: key
        """,
    )
    events = capture_inputs(s.sim, lambda inp: inp.event() if inp.trigger == "kafka" else None)
    order(s, "c-1", '{"id": "o-1"}')
    assert not of(s, tk.EMISSION_FAILED)
    keyed, keyless = of(s, tk.KAFKA_RECORD_PRODUCED)
    assert (keyed.data["key"], keyed.data["size"], keyed.data["tombstone"]) == ("c-1", 3, True)
    assert (keyless.data["key"], keyless.data["size"], keyless.data["tombstone"]) == (
        None,
        0,
        True,
    )
    execute(s, "advance 5s")
    delivered = [
        rec
        for e in events
        if e is not None and e["eventSource"] == "SelfManagedKafka"
        for batch in e["records"].values()
        for rec in batch
    ]
    assert len(delivered) == 2
    # Lambda leaves out `value` for a tombstone, as it leaves out `key` for a keyless record.
    assert all("value" not in rec for rec in delivered)
    assert sorted("key" in rec for rec in delivered) == [False, True]
    relayed = topic(s, "audit@events")
    assert sorted(r.value for p in relayed.partitions for r in p.records) == [
        b"deleted",
        b"deleted",
    ]


def test_a_field_that_does_not_fit_at_run_time_fails_the_invocation_with_its_place(
    tmp_path: Path,
) -> None:
    s = producing(tmp_path, "- produce: {topic: order-events, value: body, headers: body}")
    order(s, "o-1", '"text"')
    (failed,) = of(s, tk.INVOCATION_FAILED)
    assert failed.data["error"] == "BehaviorError"
    message = failed.data["error_message"]
    assert "stptui.yml:4:62: producer.emit[0].produce.headers: must be a map" in message
    assert "`body` found a string" in message
    assert not of(s, tk.KAFKA_RECORD_PRODUCED)


def test_produce_is_not_an_iam_call_so_no_connect_to_is_needed(tmp_path: Path) -> None:
    (tmp_path / "stacktape.yml").write_text(STACK, encoding="utf-8")
    (tmp_path / "stptui.yml").write_text(
        "behaviors:\n  producer:\n    emit:\n      - produce: {topic: order-events, value: body}\n",
        encoding="utf-8",
    )
    done = subprocess.run(
        [sys.executable, "-m", "stptui", "validate", str(tmp_path / "stacktape.yml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert "emission-not-permitted" not in done.stdout + done.stderr
    assert done.returncode == 0, done.stdout + done.stderr


# -- refused when the behaviours file loads


@pytest.mark.parametrize(
    ("item", "line_col", "code", "message", "hint"),
    [
        (
            "{topic: order-event, value: body}",
            (4, 26),
            "behavior-unknown-target",
            "no Kafka topic named 'order-event' in the stack; did you mean 'order-events'?",
            "Kafka topics: order-events, audit@events, audit@b-9.example.com:9092",
        ),
        (
            "{topic: audit, value: body}",
            (4, 26),
            "behavior-unknown-target",
            "2 Kafka topics are called 'audit', on different clusters: "
            "audit@b-9.example.com:9092, audit@events",
            "name one as `show kafka-topics` does",
        ),
        (
            "{topic: alerts, value: body}",
            (4, 26),
            "behavior-wrong-target-type",
            "'alerts' is an sns-topic; produce needs a Kafka topic",
            "- notify: {topic: alerts, message: body}",
        ),
        (
            "{topic: events, value: body}",
            (4, 26),
            "behavior-wrong-target-type",
            "'events' is a kafka-cluster; produce needs a Kafka topic",
            "Kafka topics: order-events",
        ),
        (
            "{topic: order-events}",
            (4, 18),
            "behavior-missing-key",
            "produce needs `value`",
            None,
        ),
        (
            "{topic: order-events, value: body, keys: x}",
            (4, 53),
            "behavior-unknown-key",
            "did you mean 'key'",
            None,
        ),
        (
            "{topic: order-events, value: body, headers: [a]}",
            (4, 62),
            "behavior-bad-value",
            "headers: must be a map of header names to text, not an array",
            "headers: '{user: pathParameters.user}'",
        ),
        (
            "{topic: order-events, value: body, headers: {n: 1}}",
            (4, 62),
            "behavior-bad-value",
            "headers.n: must be text, not a number (1)",
            "to_string",
        ),
        (
            "{topic: order-events, value: body, partition: 3}",
            (4, 64),
            "behavior-bad-value",
            "order-events has no partition 3: every simulated topic has 3",
            "a partition from 0 to 2",
        ),
        (
            "{topic: order-events, value: body, partition: '`5`'}",
            (4, 64),
            "behavior-bad-value",
            "order-events has no partition 5",
            None,
        ),
        (
            "{topic: order-events, value: body, partition: -1}",
            (4, 64),
            "behavior-bad-value",
            "partition: must be a whole number, at least 0, not a number (-1)",
            None,
        ),
        (
            "{topic: order-events, value: body, partition: 1.5}",
            (4, 64),
            "behavior-bad-value",
            "partition: must be a whole number, at least 0",
            None,
        ),
        (
            "{topic: order-events, value: body, key: '`[1]`'}",
            (4, 58),
            "behavior-bad-value",
            "key: must be a string",
            None,
        ),
    ],
)
def test_the_behaviours_file_refuses_a_bad_produce_with_its_place_and_fix(
    tmp_path: Path,
    item: str,
    line_col: tuple[int, int],
    code: str,
    message: str,
    hint: str | None,
) -> None:
    with pytest.raises(SessionError) as caught:
        producing(tmp_path, f"- produce: {item}")
    diags = [d for d in caught.value.diagnostics if d.severity == "error"]
    assert len(diags) == 1, [d.format() for d in diags]
    (diag,) = diags
    assert diag.code == code
    assert (diag.line, diag.column) == line_col
    assert message in diag.message
    if hint is not None:
        assert hint in (diag.hint or "")


def test_a_stack_without_kafka_topics_says_so(tmp_path: Path) -> None:
    (tmp_path / "stacktape.yml").write_text(
        f"resources:\n  worker:\n    type: function\n    properties:\n      {PACKAGING}\n",
        encoding="utf-8",
    )
    (tmp_path / "stptui.yml").write_text(
        "behaviors:\n  worker:\n    emit:\n      - produce: {topic: orders, value: '@'}\n",
        encoding="utf-8",
    )
    with pytest.raises(SessionError) as caught:
        Session.open(tmp_path / "stacktape.yml", behaviors_path=tmp_path / "stptui.yml")
    (diag,) = [d for d in caught.value.diagnostics if d.severity == "error"]
    assert diag.message == "no Kafka topic named 'orders' in the stack"
    assert "this stack has no Kafka topic" in (diag.hint or "")


# -- Python handlers


def test_a_python_handler_produces_with_context_produce(tmp_path: Path) -> None:
    (tmp_path / "kafka_handlers.py").write_text(
        textwrap.dedent(
            """
            import json

            def api(event, context):
                order = json.loads(event["body"])
                context.produce("order-events", order, key=order["customer"],
                                headers={"kind": "order"})
                context.produce("audit@events", "seen", partition=1)
                context.produce("audit@events", None, key=order["customer"])
                return {"statusCode": 202}

            def wrong(event, context):
                try:
                    context.produce("order-event", "x")
                except Exception as exc:
                    context.produce("audit@b-9.example.com:9092", f"{type(exc).__name__}: {exc}")

            def bad_header(event, context):
                context.produce("order-events", "x", headers={"n": 1})
            """
        ),
        encoding="utf-8",
    )
    s = session(
        tmp_path,
        """
        behaviors:
          producer: {handler: kafka_handlers:api}
          orderWorker: {handler: kafka_handlers:wrong}
          auditor: {handler: kafka_handlers:bad_header}
        """,
        allow_code=True,
    )
    order(s, "o-1", '{"customer": "c-9", "total": 5}')
    first, second, tombstone = of(s, tk.KAFKA_RECORD_PRODUCED)
    assert (first.resource, first.data["key"]) == ("order-events", "c-9")
    # None is a null value: a tombstone of its key, held with no value bytes.
    assert (tombstone.data["tombstone"], tombstone.data["size"]) == (True, 3)
    assert "tombstone" not in first.data
    (gone,) = [r for p in topic(s, "audit@events").partitions for r in p.records if r.key]
    assert gone.value is None
    assert first.data["partition"] == partition_of_key(b"c-9", 3)
    (held,) = [r for p in topic(s).partitions for r in p.records]
    assert held.value == b'{"customer":"c-9","total":5}'
    assert held.headers == [("kind", b"order")]
    assert (second.resource, second.data["partition"]) == ("audit@events", 1)
    assert first.data["source"] == second.data["source"]
    assert first.data["source"].startswith("producer:")
    execute(s, "advance 5s")
    # An unknown topic raises BehaviorError with the did-you-mean (caught, its text is
    # produced), a header that is not text its FieldError; uncaught, it fails the invocation.
    (caught,) = topic(s, "audit@b-9.example.com:9092").partitions[0].records
    assert caught.value.decode() == (
        "BehaviorError: no Kafka topic named 'order-event' in the stack; "
        "did you mean 'order-events'?"
    )
    failed = [r for r in of(s, tk.INVOCATION_FAILED) if r.resource == "auditor"]
    assert failed and {r.data["error"] for r in failed} == {"FieldError"}
    assert "context.produce.headers.n: must be text" in failed[0].data["error_message"]


# -- Stacktape's starter, end to end


def starter() -> Session:
    return Session.open(
        EXAMPLES / "kafka-starter.yml",
        behaviors_path=EXAMPLES / "kafka-starter-behaviors.yml",
        start_ms=START,
    )


def test_the_starter_produces_the_path_parameter_and_explain_follows_it_to_the_consumer() -> None:
    s = starter()
    events = capture_inputs(s.sim, lambda inp: inp.event() if inp.trigger == "kafka" else None)
    out = execute(s, "http GET /produce/hello")
    assert out.data["status"] == 200
    execute(s, "http GET /produce/world")
    execute(s, "advance 15s")
    consumed = [e for e in events if e is not None]
    values = [
        base64.b64decode(rec["value"])
        for e in consumed
        for batch in e["records"].values()
        for rec in batch
    ]
    assert sorted(values) == [b"hello", b"world"]
    assert all(e["eventSource"] == "SelfManagedKafka" for e in consumed)
    first = of(s, tk.KAFKA_RECORD_PRODUCED)[0].data["record_id"]
    chain = [(r.kind, r.resource) for r in explain(s.sim.trace, first).records]
    assert chain[0] == (tk.HTTP_REQUEST, "mainApiGateway")
    assert (tk.INVOCATION_STARTED, "kafkaProducer") in chain
    assert (tk.KAFKA_RECORD_PRODUCED, "kafkaTopic") in chain
    assert chain[-1] == (tk.KAFKA_OFFSET_COMMITTED, "kafkaConsumer")
    # From the request, too: the request leads to the record and on to its batch.
    chain = [(r.kind, r.resource) for r in explain(s.sim.trace, out.data["request_id"]).records]
    assert (tk.KAFKA_OFFSET_COMMITTED, "kafkaConsumer") in chain


def test_the_same_requests_give_the_same_trace() -> None:
    def run() -> list[str]:
        s = starter()
        for word in ("a", "b", "c", "a", "d"):
            execute(s, f"http GET /produce/{word}")
            execute(s, "advance 3s")
        execute(s, "advance 20s")
        return [r.to_line() for r in s.sim.trace.records]

    assert run() == run()


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(keys=st.lists(st.text(min_size=1, max_size=12), min_size=1, max_size=6))
def test_every_key_lands_where_the_produce_command_puts_it(tmp_path: Path, keys: list[str]) -> None:
    # The emission and the command share the topic's partitioner: the same key, the same
    # partition, whatever its text.
    s = producing(tmp_path, "- produce: {topic: order-events, value: \"'v'\", key: body.k}")
    for key in keys:
        s.sim.invoke_async("producer", {"body": {"k": key}}, "invoke", "test")
    execute(s, "advance 1s")
    produced = of(s, tk.KAFKA_RECORD_PRODUCED)
    assert [r.data["key"] for r in produced] == keys
    for r, key in zip(produced, keys, strict=True):
        expected = partition_of_key(key.encode("utf-8", "surrogatepass"), 3)
        assert r.data["partition"] == expected
