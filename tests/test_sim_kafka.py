"""Kafka topics read by functions' `kafka-topic` events: the event Lambda builds (self-managed
and MSK), partitioning by key, batching by size and window, in-order retries per partition,
each function its own consumer group, and the `produce` / `show kafka-topic` commands."""

from __future__ import annotations

import base64
import ctypes
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from simkit import START, capture_inputs, make_sim, records

from stptui.commands import Session, execute
from stptui.commands.registry import CommandError
from stptui.sim import trace as tk
from stptui.sim.services.kafka import PARTITIONS, murmur2, partition_of_key

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "docs" / "examples" / "kafka-orders.yml"
PACKAGING = "packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}"


def custom(topic: str = "orders", servers: str = "[b-1.example.com:9092]", extra: str = "") -> str:
    """A `kafka-topic` event on self-managed brokers, as Stacktape's docs write one."""
    return (
        "        - type: kafka-topic\n"
        "          properties:\n"
        "            customKafkaConfiguration:\n"
        f"              bootstrapServers: {servers}\n"
        f"              topicName: {topic}\n"
        "              authentication:\n"
        "                type: BASIC_AUTH\n"
        "                properties: {authenticationSecretArn: 'arn:aws:secretsmanager:x'}\n"
        + "".join(f"            {line}\n" for line in extra.splitlines() if line)
    )


def fn(name: str, *events: str, extra: str = "") -> str:
    return (
        f"  {name}:\n    type: function\n    properties:\n      {PACKAGING}\n"
        + "".join(f"      {line}\n" for line in extra.splitlines() if line)
        + "      events:\n"
        + "".join(events)
    )


def stack(*functions: str) -> str:
    return "resources:\n" + "".join(functions)


def started(sim, name: str | None = None) -> list[list[str]]:
    """The record ids of each batch invocation, in order."""
    return [r.data["record_ids"] for r in records(sim, tk.INVOCATION_STARTED, name)]


def at(sim, kind: str) -> list[int]:
    """Milliseconds since START of each record of `kind`."""
    return [r.t - START for r in records(sim, kind)]


# -- partitioning ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "signed"),
    [
        # Kafka's own UtilsTest.testMurmur2 vectors (Java's signed 32-bit results).
        ("21", -973932308),
        ("foobar", -790332482),
        ("a-little-bit-long-string", -985981536),
        ("a-little-bit-longer-string", -1486304829),
        ("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971),
        ("abc", 479470107),
    ],
)
def test_murmur2_is_kafkas(text: str, signed: int) -> None:
    assert ctypes.c_int32(murmur2(text.encode())).value == signed


@settings(max_examples=40, deadline=None)
@given(st.lists(st.text(min_size=1, max_size=12), min_size=1, max_size=12))
def test_a_key_always_lands_on_its_murmur2_partition_at_growing_offsets(keys: list[str]) -> None:
    sim = make_sim(stack(fn("reader", custom())))
    topic = sim.services["kafka"]["orders"]
    placed: dict[str, set[int]] = {}
    for key in keys:
        rec = topic.produce(b"v", key.encode("utf-8", "surrogatepass"))
        placed.setdefault(key, set()).add(rec.shard.index)
        assert rec.shard.index == partition_of_key(key.encode("utf-8", "surrogatepass"), 3)
    assert all(len(parts) == 1 for parts in placed.values())
    # Offsets count from 0 in each partition, with no gap.
    for part in topic.partitions:
        assert [r.offset for r in part.records] == list(range(len(part.records)))


def test_records_without_a_key_go_round_robin() -> None:
    sim = make_sim(stack(fn("reader", custom())))
    topic = sim.services["kafka"]["orders"]
    parts = [topic.produce(b"v").shard.index for _ in range(7)]
    assert parts == [0, 1, 2, 0, 1, 2, 0]
    assert PARTITIONS == 3


# -- the event -------------------------------------------------------------------------------


def test_a_self_managed_batch_is_lambdas_kafka_event() -> None:
    sim = make_sim(
        stack(fn("reader", custom(servers="[b-1.example.com:9092, b-2.example.com:9092]")))
    )
    events = capture_inputs(sim, lambda inp: inp.event())
    topic = sim.services["kafka"]["orders"]
    key = b"customer-1"
    part = partition_of_key(key, 3)
    topic.produce(b'{"n": 1}', key, [("source", b"web"), ("source", b"\x00\xff")])
    topic.produce(b"two", None, [], part)
    sim.advance(1000)
    assert events == [
        {
            "eventSource": "SelfManagedKafka",
            "bootstrapServers": "b-1.example.com:9092,b-2.example.com:9092",
            "records": {
                f"orders-{part}": [
                    {
                        "topic": "orders",
                        "partition": part,
                        "offset": 0,
                        "timestamp": START,
                        "timestampType": "CREATE_TIME",
                        "key": base64.b64encode(key).decode(),
                        "value": base64.b64encode(b'{"n": 1}').decode(),
                        "headers": [{"source": [119, 101, 98]}, {"source": [0, -1]}],
                    },
                    {
                        "topic": "orders",
                        "partition": part,
                        "offset": 1,
                        "timestamp": START,
                        "timestampType": "CREATE_TIME",
                        "value": base64.b64encode(b"two").decode(),
                        "headers": [],
                    },
                ]
            },
        }
    ]


def test_a_cluster_batch_is_lambdas_msk_event() -> None:
    text = "resources:\n  events:\n    type: kafka-cluster\n" + fn(
        "auditor",
        "        - type: kafka-topic\n"
        "          properties: {kafkaClusterName: events, topicName: audit}\n",
    )
    sim = make_sim(text)
    events = capture_inputs(sim, lambda inp: inp.event())
    sim.services["kafka"]["audit"].produce(b"x", None, [], 1)
    sim.advance(1000)
    (event,) = events
    assert list(event) == ["eventSource", "eventSourceArn", "bootstrapServers", "records"]
    assert event["eventSource"] == "aws:kafka"
    assert event["eventSourceArn"] == sim.arn("events")
    assert event["eventSourceArn"].startswith("arn:aws:kafka:")
    assert event["bootstrapServers"] == sim.resource_param("events", "bootstrapServers")
    assert list(event["records"]) == ["audit-1"]


def test_an_event_without_a_topic_is_not_simulated() -> None:
    text = stack(
        fn("reader", "        - type: kafka-topic\n          properties: {batchSize: 5}\n")
    )
    sim = make_sim(text, allow_errors=True)
    assert sim.services["kafka"] == {}


# -- batching --------------------------------------------------------------------------------


def test_a_batch_goes_when_it_is_full_or_its_window_ends() -> None:
    sim = make_sim(stack(fn("reader", custom(extra="batchSize: 3\nmaxBatchWindowSeconds: 2"))))
    topic = sim.services["kafka"]["orders"]
    for n in range(7):
        topic.produce(str(n).encode(), None, [], 0)
    sim.advance(10_000)
    assert started(sim) == [
        ["orders-0@0", "orders-0@1", "orders-0@2"],
        ["orders-0@3", "orders-0@4", "orders-0@5"],
        ["orders-0@6"],
    ]
    # Full batches go at once (the second when the first is done); the last waits its 2 s.
    assert at(sim, tk.INVOCATION_STARTED) == [0, 100, 2200]


def test_the_default_window_is_half_a_second_and_zero_means_none() -> None:
    sim = make_sim(
        stack(fn("reader", custom()), fn("eager", custom(extra="maxBatchWindowSeconds: 0")))
    )
    sim.services["kafka"]["orders"].produce(b"v")
    sim.advance(1000)
    times = {r.resource: r.t - START for r in records(sim, tk.INVOCATION_STARTED)}
    assert times == {"reader": 500, "eager": 0}


# -- errors and ordering ---------------------------------------------------------------------


def test_a_failing_batch_blocks_only_its_partition_and_order_holds() -> None:
    session = Session.open(EXAMPLE, start_ms=START)
    execute(session, "fail orderWorker next 2")
    for n, key in enumerate(["customer-1", "customer-1", "customer-2", "customer-1"]):
        execute(session, f"produce order-events '{{\"n\": {n}}}' --key {key}")
    execute(session, "advance 1m")
    sim = session.sim
    one = partition_of_key(b"customer-1", 3)
    two = partition_of_key(b"customer-2", 3)
    assert one != two
    batches = started(sim, "orderWorker")
    first = [f"order-events-{one}@{i}" for i in range(3)]
    # The full batch of customer-1 is retried whole until it succeeds; customer-2's goes
    # when its window ends, while customer-1's is still failing.
    assert batches.count(first) == 3
    assert [f"order-events-{two}@0"] in batches
    commits = [
        (r.data["partition"], r.data["offset"]) for r in records(sim, tk.KAFKA_OFFSET_COMMITTED)
    ]
    assert commits == [(two, 1), (one, 3)]
    retried = records(sim, tk.KAFKA_BATCH_RETRIED)
    assert [r.data["retries"] for r in retried] == [1, 2]
    assert [r.t - START for r in retried] == [100, 1200]
    # Every record reached the function in offset order within its partition.
    seen = [rid for batch in batches for rid in batch if rid.startswith(f"order-events-{one}@")]
    assert seen == first * 3


def test_a_batch_is_retried_until_its_records_expire(tmp_path: Path) -> None:
    # Each attempt times out after 15 minutes: a week of retries is some 670 attempts.
    text = stack(fn("reader", custom(), extra="timeout: 900"))
    (tmp_path / "stacktape.yml").write_text(text, encoding="utf-8")
    session = Session.open(tmp_path / "stacktape.yml", start_ms=START)
    execute(session, "slow reader 1h")
    execute(session, "produce orders poison --partition 0")
    sim = session.sim
    sim.advance(8 * 86_400_000)
    (expired,) = records(sim, tk.KAFKA_RECORD_EXPIRED)
    assert expired.data == {"record_id": "orders-0@0", "partition": 0, "offset": 0}
    assert expired.t - START == 7 * 86_400_000
    last = records(sim, tk.INVOCATION_STARTED)[-1]
    assert last.t <= expired.t
    assert records(sim, tk.KAFKA_OFFSET_COMMITTED) == []
    retried = records(sim, tk.KAFKA_BATCH_RETRIED)
    assert len(retried) == len(records(sim, tk.INVOCATION_STARTED)) > 600
    assert {r.data["retries"] for r in retried} == set(range(1, len(retried) + 1))


def test_each_function_is_its_own_consumer_group() -> None:
    sim = make_sim(stack(fn("a", custom()), fn("b", custom())))
    assert list(sim.services["kafka"]) == ["orders"]
    sim.services["kafka"]["orders"].produce(b"v", b"k")
    sim.advance(1000)
    assert sorted(r.resource for r in records(sim, tk.KAFKA_OFFSET_COMMITTED)) == ["a", "b"]


def test_same_named_topics_elsewhere_are_told_apart() -> None:
    sim = make_sim(stack(fn("a", custom()), fn("b", custom(servers="[other.example.com:9092]"))))
    assert list(sim.services["kafka"]) == [
        "orders@b-1.example.com:9092",
        "orders@other.example.com:9092",
    ]


def test_bootstrap_lists_that_share_a_broker_read_one_topic() -> None:
    # The same brokers in another order, or a subset of them, name the same cluster: no
    # event may be dropped or read a topic of its own (a, listing both brokers, once was).
    both = "[b-1.example.com:9092, b-2.example.com:9092]"
    sim = make_sim(
        stack(
            fn("a", custom(servers=both)),
            fn("b", custom(servers="[b-2.example.com:9092, b-1.example.com:9092]")),
            fn("d", custom(servers="[b-1.example.com:9092]")),
        )
    )
    (topic,) = sim.services["kafka"].values()
    assert topic.name == "orders"
    assert [c.target for c in topic.consumers] == ["a", "b", "d"]
    events = capture_inputs(sim, lambda inp: (inp.function, inp.event()["bootstrapServers"]))
    topic.produce(b"v", b"k")
    sim.advance(1000)
    # Each mapping's event names the servers its own event lists.
    assert sorted(events) == [
        ("a", "b-1.example.com:9092,b-2.example.com:9092"),
        ("b", "b-2.example.com:9092,b-1.example.com:9092"),
        ("d", "b-1.example.com:9092"),
    ]


def test_an_event_without_bootstrap_servers_is_not_simulated() -> None:
    # It once named its topic after its first server, and a list without one failed. The
    # empty list is a `validate` error now (tests/test_kafka_config.py); the simulator still
    # opens such a stack without a traceback.
    text = stack(fn("a", custom(servers="[]")), fn("b", custom(servers="[b:9092]")))
    sim = make_sim(text, allow_errors=True)
    (topic,) = sim.services["kafka"].values()
    assert [c.target for c in topic.consumers] == ["b"]


def same_named_topics(tmp_path: Path) -> Session:
    """A stack reading `orders` on self-managed brokers and on its own MSK cluster."""
    cluster = fn(
        "m",
        "        - type: kafka-topic\n          properties:\n"
        "            kafkaClusterName: events\n            topicName: orders\n",
    )
    text = "resources:\n  events:\n    type: kafka-cluster\n" + fn("a", custom()) + cluster
    (tmp_path / "stacktape.yml").write_text(text, encoding="utf-8")
    return Session.open(tmp_path / "stacktape.yml", start_ms=START)


def test_same_named_topics_have_record_ids_of_their_own(tmp_path: Path) -> None:
    session = same_named_topics(tmp_path)
    events = capture_inputs(session.sim, lambda inp: inp.event())
    one = execute(session, "produce orders@b-1.example.com:9092 v --partition 0").data
    two = execute(session, "produce orders@events v --partition 0").data
    assert one["record_id"] == "orders@b-1.example.com:9092-0@0"
    assert two["record_id"] == "orders@events-0@0"
    execute(session, "advance 5s")
    # Lambda still keys the batch by the topic's own name.
    assert [list(e["records"]) for e in events] == [["orders-0"], ["orders-0"]]
    text = execute(session, "explain orders@events-0@0").text
    assert "orders@b-1" not in text
    *rows, pointer = text.splitlines()
    assert [line.split()[2] for line in rows] == ["orders@events", "m", "m", "m"]
    assert pointer.startswith("show event ") and pointer.endswith("the event m received")


def test_a_name_two_topics_share_is_refused_saying_which(tmp_path: Path) -> None:
    session = same_named_topics(tmp_path)
    with pytest.raises(CommandError) as err:
        execute(session, "produce orders v")
    assert err.value.message == (
        "2 Kafka topics are called 'orders', on different clusters: "
        "orders@b-1.example.com:9092, orders@events"
    )
    assert "orders@b-1.example.com:9092" in (err.value.hint or "")
    assert list(session.sim.trace.records) == []


def test_the_same_commands_give_the_same_trace() -> None:
    def run() -> list[str]:
        session = Session.open(EXAMPLE, start_ms=START)
        for line in (EXAMPLE.parent / "kafka-orders.stp").read_text().splitlines():
            if line and not line.startswith("#") and not line.startswith("expect"):
                execute(session, line)
        return [json.dumps(r.to_json()) for r in session.sim.trace.records]

    assert run() == run()


# -- commands --------------------------------------------------------------------------------


@pytest.fixture
def session() -> Session:
    return Session.open(EXAMPLE, start_ms=START)


@pytest.mark.parametrize(
    ("line", "message", "hint"),
    [
        ("produce order-evnts x", "no Kafka topic named 'order-evnts'", "mean order-events?"),
        ("produce nothing-like-it x", "no Kafka topic named", "audit, order-events"),
        ("produce orderWorker x", "'orderWorker' is a function", None),
        ("produce order-events x --partition 3", "UNKNOWN_TOPIC_OR_PARTITION", "0 to 2"),
        ("produce order-events x --partition -1", "--partition must be a whole number", "0 to 2"),
        ("produce order-events x --partition 1.5", "--partition must be a whole number", "0 to 2"),
        ("produce x order-events", "no Kafka topic named 'x'", "TOPIC comes before VALUE"),
        ("produce order-events x --header novalue", "--header needs KEY=VALUE", None),
        ("produce order-events x --header =v", "--header needs KEY=VALUE", None),
        ("produce order-events x --tombstone", "a tombstone has no value", "--tombstone alone"),
        ("produce order-events", "produce needs VALUE, or --tombstone", "--tombstone --key"),
        ("produce order-events --tombstone --partition 3", "UNKNOWN_TOPIC_OR_PARTITION", None),
        ("show kafka-topic", "show kafka-topic needs a Kafka topic name", "kafka-topics"),
        ("show kafka-topic ordres", "no Kafka topic named 'ordres'", None),
    ],
)
def test_bad_commands_are_refused_and_change_nothing(
    session: Session, line: str, message: str, hint: str | None
) -> None:
    before = [r.to_json() for r in session.sim.trace.records]
    with pytest.raises(CommandError) as err:
        execute(session, line)
    assert message in err.value.message
    if hint is not None:
        assert hint in (err.value.hint or "")
    assert [r.to_json() for r in session.sim.trace.records] == before
    assert session.sim.services["kafka"]["order-events"].held() == 0


def test_a_record_too_large_for_the_broker_is_refused(session: Session) -> None:
    big = "x" * 1_048_589
    with pytest.raises(CommandError, match="MESSAGE_TOO_LARGE"):
        execute(session, f"produce order-events {big}")
    assert session.sim.services["kafka"]["order-events"].held() == 0
    # The cluster's MSK Serverless topic takes up to 8 MiB.
    execute(session, f"produce audit {big}")


def test_a_tombstone_is_a_record_lambda_delivers_without_a_value(session: Session) -> None:
    events = capture_inputs(session.sim, lambda inp: inp.event())
    result = execute(session, "produce order-events --tombstone --key customer-1")
    part = partition_of_key(b"customer-1", PARTITIONS)
    assert result.text == (
        f"produced tombstone order-events-{part}@0: partition {part}, offset 0 of "
        "order-events (key 'customer-1')"
    )
    assert result.data["tombstone"] is True
    # Kafka takes a keyless tombstone too.
    other = (part + 1) % PARTITIONS
    execute(session, f"produce order-events --tombstone --partition {other}")
    # An empty value is a value, not a tombstone.
    execute(session, "produce order-events '' --key customer-1")
    produced = records(session.sim, tk.KAFKA_RECORD_PRODUCED)
    assert [r.data.get("tombstone") for r in produced] == [True, True, None]
    assert [r.data["size"] for r in produced] == [len("customer-1"), 0, len("customer-1")]
    execute(session, "advance 5s")
    delivered = [rec for e in events for batch in e["records"].values() for rec in batch]
    tombstones = [rec for rec in delivered if "value" not in rec]
    assert len(tombstones) == 2
    assert [rec["value"] for rec in delivered if "value" in rec] == [""]
    shown = execute(session, "show kafka-topic order-events")
    assert f"partition {part}: offsets 0..1 (2 records, 1 tombstone), next offset 2" in shown.text
    assert f"partition {other}: offsets 0..0 (1 record, 1 tombstone)" in shown.text
    assert shown.data["partitions"][part]["tombstones"] == 1
    explained = execute(session, f"explain order-events-{part}@0").text
    assert explained.splitlines()[0].endswith("source=command tombstone=true")


def test_show_kafka_topic_gives_offsets_and_committed_offsets(session: Session) -> None:
    execute(session, "produce order-events a --partition 1")
    execute(session, "produce order-events b --partition 1")
    execute(session, "advance 5s")
    execute(session, "produce order-events c --partition 1")
    result = execute(session, "show kafka-topic order-events")
    assert "partition 1: offsets 0..2 (3 records), next offset 3" in result.text
    assert "partition 0: no records, next offset 0" in result.text
    assert result.table is not None
    headers, rows = result.table
    assert headers == ["consumer", "partition", "committed", "lag", "in flight", "retries"]
    assert ["orderWorker", "1", "2", "1", "0", "0"] in rows
    listing = execute(session, "show kafka-topics")
    assert listing.table is not None
    assert [row[:2] for row in listing.table[1]] == [
        ["order-events", "SelfManagedKafka"],
        ["audit", "aws:kafka"],
    ]


def test_explain_follows_a_record_to_its_commit(session: Session) -> None:
    execute(session, "produce order-events a --key k")
    execute(session, "advance 5s")
    rid = records(session.sim, tk.KAFKA_RECORD_PRODUCED)[0].data["record_id"]
    text = execute(session, f"explain {rid}").text
    *rows, pointer = text.splitlines()
    assert [line.split()[1] for line in rows] == [
        "kafka.record_produced",
        "invocation.started",
        "invocation.succeeded",
        "kafka.offset_committed",
    ]
    assert pointer.startswith("show event ")


@pytest.mark.parametrize(
    ("key", "message", "hint"),
    [
        (
            "order-events-0@1",
            "partition 0 of order-events has no record at offset 1 yet",
            "its next offset is 1",
        ),
        ("order-events-7@0", "order-events has no partition 7", "its partitions are 0 to 2"),
        ("audit-2@0", "partition 2 of audit has no record at offset 0 yet", "next offset is 0"),
    ],
)
def test_explain_of_a_record_never_produced_says_what_the_topic_holds(
    session: Session, key: str, message: str, hint: str
) -> None:
    execute(session, "produce order-events a --partition 0")
    with pytest.raises(CommandError) as err:
        execute(session, f"explain {key}")
    assert err.value.message == message
    assert hint in (err.value.hint or "")
