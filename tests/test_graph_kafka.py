"""The Kafka topics functions' `kafka-topic` events read, in the graph: a node per topic the
simulator simulates (named as it names them), an edge to each function that reads it, and a
`hosts` edge from the stack's `kafka-cluster` a topic is on."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st
from simkit import make_sim
from tui_support import EXAMPLES

from stptui.config import load_stack, load_stack_text
from stptui.graph import (
    HOSTS,
    KAFKA_TOPIC_KIND,
    TRIGGER,
    build_graph,
    downstream,
    kafka_topic_nodes,
    to_dot,
    to_json,
    to_mermaid,
    to_text,
    upstream,
)
from stptui.tui import diagram as dg

FUNCTION = """\
  {name}:
    type: function
    properties:
      packaging: {{type: stacktape-lambda-buildpack, properties: {{entryfilePath: a.ts}}}}
      events:
{events}"""
ON_CLUSTER = """\
        - type: kafka-topic
          properties: {{kafkaClusterName: {cluster}, topicName: {topic}}}
"""
SELF_MANAGED = """\
        - type: kafka-topic
          properties:
            customKafkaConfiguration: {{bootstrapServers: [{server}], topicName: {topic}}}
"""


def test_the_example_stacks_topics_are_nodes_with_edges_to_their_readers() -> None:
    g = build_graph(load_stack(EXAMPLES / "kafka-orders.yml", lint=False))
    orders, audit = g.nodes["kafka:order-events"], g.nodes["kafka:audit"]
    assert (orders["kind"], orders["label"], orders["external"]) == (
        KAFKA_TOPIC_KIND,
        "order-events",
        True,
    )
    assert orders["props"] == {
        "topic": "order-events",
        "bootstrap_servers": "broker-1.example.com:9092,broker-2.example.com:9092",
    }
    # A topic on the stack's cluster is the stack's: the cluster hosts it.
    assert (audit["external"], audit["props"]) == (False, {"topic": "audit", "cluster": "events"})
    edges = {(u, v, k, d["kind"]) for u, v, k, d in g.edges(keys=True, data=True)}
    assert edges == {
        ("kafka:order-events", "orderWorker", "trigger:0", TRIGGER),
        ("events", "kafka:audit", "hosts", HOSTS),
        ("kafka:audit", "auditor", "trigger:0", TRIGGER),
    }
    assert g["kafka:order-events"]["orderWorker"]["trigger:0"]["topic"] == "order-events"
    # Placed where the config writes the topic's name; layered in flow order.
    text = (EXAMPLES / "kafka-orders.yml").read_text(encoding="utf-8")
    line = next(i for i, s in enumerate(text.splitlines(), 1) if "topicName: order-events" in s)
    assert orders["line"] == line
    layers = {n: g.nodes[n]["layer"] for n in g}
    assert layers["kafka:order-events"] == layers["events"] == 0
    assert layers["events"] < layers["kafka:audit"] < layers["auditor"]
    # Records produced to the cluster reach the topic's reader.
    assert sorted(downstream(g, "events")) == ["auditor", "kafka:audit"]
    assert upstream(g, "orderWorker") == ["kafka:order-events"]
    assert kafka_topic_nodes(g) == {"order-events": "kafka:order-events", "audit": "kafka:audit"}


def test_the_exports_and_the_diagram_draw_topics_and_the_hosts_edge() -> None:
    g = build_graph(load_stack(EXAMPLES / "kafka-orders.yml", lint=False))
    text = to_text(g)
    assert "events --hosts(audit)--> kafka:audit" in text
    assert "kafka:order-events --kafka(order-events)--> orderWorker" in text
    assert "kafka:order-events (kafka-topic, external)" in text
    assert '[["order-events<br/>kafka-topic"]]' in to_mermaid(g)
    assert "shape=cds" in to_dot(g) and 'label="hosts&#40;audit&#41;"' in to_dot(g)
    assert json.loads(to_json(g))["nodes"]
    d = dg.layout(g)
    box = d.boxes["kafka:audit"]
    title = "".join(d.chars[box.y + 1][box.x : box.x + box.width])
    assert "≋ audit" in title
    assert "hosts topic" in "".join("".join(row) for row in d.chars)


def test_a_topic_the_simulator_cannot_read_keeps_the_event_as_written() -> None:
    # A cluster outside the stack: no topic node, the edge from what the event names.
    yaml = "resources:\n" + FUNCTION.format(
        name="reader", events=ON_CLUSTER.format(cluster="elsewhere", topic="t")
    )
    g = build_graph(load_stack_text(yaml, "t.yml", lint=False))
    assert kafka_topic_nodes(g) == {}
    assert g["elsewhere"]["reader"]["trigger:0"]["topic"] == "t"
    assert g.nodes["elsewhere"]["missing"]


def test_a_self_managed_event_without_a_topic_or_broker_is_still_drawn() -> None:
    # The simulator reads neither (docs/fidelity.md: drawn, not simulated): the function
    # must still show what triggers it, from a node saying what the event lacks.
    events = (
        "        - type: kafka-topic\n"
        "          properties: {customKafkaConfiguration: {topicName: orders}}\n"
        "        - type: kafka-topic\n"
        "          properties: {customKafkaConfiguration: {bootstrapServers: ['b:9092']}}\n"
    )
    yaml = "resources:\n" + FUNCTION.format(name="reader", events=events)
    g = build_graph(load_stack_text(yaml, "t.yml", lint=False))
    assert sorted(upstream(g, "reader")) == [
        "kafka:? (not simulated)",
        "kafka:orders (not simulated)",
    ]
    no_brokers = g.nodes["kafka:orders (not simulated)"]
    assert no_brokers["kind"] == KAFKA_TOPIC_KIND
    assert no_brokers["props"] == {
        "topic": "orders",
        "not_simulated": "customKafkaConfiguration has no bootstrapServers",
    }
    assert g.nodes["kafka:? (not simulated)"]["props"] == {
        "not_simulated": "customKafkaConfiguration has no topicName"
    }
    assert "kafka:orders (not simulated) --kafka(orders)--> reader" in to_text(g)
    # Not topics the simulator has: `m` and the live counts leave them alone.
    assert kafka_topic_nodes(g) == {}


readers = st.lists(
    st.tuples(
        st.sampled_from(["orders", "audit"]),
        st.one_of(
            st.sampled_from(["c1", "c2", "gone"]).map(lambda c: ("cluster", c)),
            st.sampled_from(["b1:9092", "b2:9092"]).map(lambda s: ("servers", s)),
        ),
    ),
    min_size=1,
    max_size=5,
)


@settings(max_examples=40, deadline=None)
@given(readers)
def test_the_graph_names_every_topic_as_the_simulator_does(
    events: list[tuple[str, tuple[str, str]]],
) -> None:
    # Topics that share a name on different clusters or brokers get `@` and where each is,
    # in the graph exactly as in the simulator (whose names `produce` and `show` take).
    functions = []
    for i, (topic, (how, where)) in enumerate(events):
        if how == "cluster":
            event = ON_CLUSTER.format(cluster=where, topic=topic)
        else:
            event = SELF_MANAGED.format(server=where, topic=topic)
        functions.append(FUNCTION.format(name=f"fn{i}", events=event))
    yaml = "resources:\n  c1: {type: kafka-cluster}\n  c2: {type: kafka-cluster}\n"
    yaml += "".join(functions)
    sim = make_sim(yaml, allow_errors=True)
    g = build_graph(sim.stack)
    nodes = kafka_topic_nodes(g)
    assert set(nodes) == set(sim.services["kafka"])
    for name, topic in sim.services["kafka"].items():
        readers_of = {v for _, v, k in g.out_edges(nodes[name], data="kind") if k == TRIGGER}
        assert readers_of == {c.target for c in topic.consumers}
        hosts = {u for u, _, k in g.in_edges(nodes[name], data="kind") if k == HOSTS}
        assert hosts == ({topic.cluster} if topic.cluster else set())


def test_a_legacy_upstash_topic_is_its_resources_node() -> None:
    # Stacktape's Kafka starter: the consumer reads the stack's upstash-kafka-topic, so the
    # trigger comes from that resource (no `kafka:` node of its own), which `produce` and
    # the TUI's produce dialog know by the resource's name, as the simulator does.
    stack = load_stack(EXAMPLES / "kafka-starter.yml")
    g = build_graph(stack)
    assert g["kafkaTopic"]["kafkaConsumer"]["trigger:0"]["topic"] == "kafkaTopic"
    assert not [n for n in g.nodes if str(n).startswith("kafka:")]
    sim = make_sim((EXAMPLES / "kafka-starter.yml").read_text(), allow_errors=True)
    assert kafka_topic_nodes(g) == {"kafkaTopic": "kafkaTopic"}
    assert set(sim.services["kafka"]) == {"kafkaTopic"}
