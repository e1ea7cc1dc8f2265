"""The stack graph: exact edges of every sample stack and seed snippet, each edge kind and
its attributes, the layering, the queries and the four exports (also with hostile names).

Expected edge sets were worked out by hand from the YAML files, not from the code.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from workcount import CountWork

from stptui.config import load_stack, load_stack_text
from stptui.config.envvars import env_var_name, snake_upper, workload_environment
from stptui.config.loader import LoadedYaml
from stptui.config.model import (
    EventBus,
    EventBusTrigger,
    Function,
    HttpApiGateway,
    HttpTrigger,
    Queue,
    Ref,
    SqsTrigger,
    Stack,
)
from stptui.graph import (
    DEFAULT_BUS_ID,
    EDGE_KINDS,
    POLLS,
    build_graph,
    downstream,
    edge_label,
    neighbourhood,
    reachable_from_stimulus,
    to_dot,
    to_json,
    to_mermaid,
    to_node_link,
    to_text,
    upstream,
)

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "stptui" / "sample_stacks"
SEED = Path(__file__).resolve().parent / "fixtures" / "seed"

Edge = tuple[str, str, str]


def _load(path: Path) -> Stack:
    # lint adds diagnostics only; the graph is built from the model either way.
    return load_stack(path, lint=False)


def _text(yaml: str) -> nx.MultiDiGraph:
    return build_graph(load_stack_text(yaml, "t.yml", lint=False))


def _edges(g: nx.MultiDiGraph) -> set[Edge]:
    return {(u, v, d["kind"]) for u, v, d in g.edges(data=True)}


def _line_of(text: str, needle: str, after: str = "") -> int:
    """1-based number of the first line of `text` containing `needle` (after the first line
    containing `after`)."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if after in line)
    return next(i for i, line in enumerate(lines, 1) if i > start and needle in line)


def _edge(g: nx.MultiDiGraph, u: str, v: str, kind: str) -> dict[str, Any]:
    found = [d for d in g.get_edge_data(u, v, default={}).values() if d["kind"] == kind]
    assert len(found) == 1, (u, v, kind, found)
    return found[0]


# -- the sample stacks, edge by edge -------------------------------------------------------

SCHEDULED: set[Edge] = {
    ("schedule:dailyReport:1", "dailyReport", "trigger"),
    ("dailyReport", "database", "connect"),
    ("dailyReport", "aws:ses", "connect"),
}
JOB_QUEUE: set[Edge] = {
    ("httpApi", "api", "trigger"),
    ("api", "jobQueue", "connect"),
    ("jobQueue", "worker", "trigger"),
    ("jobQueue", "deadLetterQueue", "redrive"),
    ("worker", "database", "connect"),
}
WEBHOOK: set[Edge] = {
    ("httpApi", "webhookReceiver", "trigger"),
    ("webhookReceiver", "database", "connect"),
    ("webhookReceiver", "notificationQueue", "connect"),
    ("notificationQueue", "notificationWorker", "trigger"),
    ("notificationWorker", "aws:ses", "connect"),
}
FILES: set[Edge] = {
    ("uploads", "fileProcessor", "trigger"),
    ("fileProcessor", "uploads", "connect"),
    ("fileProcessor", "database", "connect"),
}
BATCH: set[Edge] = {
    ("schedule:heavyJob:1", "heavyJob", "trigger"),
    ("heavyJob", "database", "connect"),
}
EVENTS: set[Edge] = {
    ("httpApi", "orderService", "trigger"),
    ("orderService", "database", "connect"),
    ("orderService", "eventBus", "connect"),
    ("eventBus", "emailService", "trigger"),
    ("emailService", "aws:ses", "connect"),
    ("eventBus", "analyticsService", "trigger"),
    ("analyticsService", "analyticsDb", "connect"),
}
SNS: set[Edge] = {
    ("worker", "alertsTopic", "connect"),
    ("alertsTopic", "alertHandler", "trigger"),
    ("alertHandler", "aws:ses", "connect"),
}
CONTAINER_JOBS: set[Edge] = {
    ("api.httpApiGateway", "api", "trigger"),  # the web service's own HTTP API
    ("api", "jobQueue", "connect"),
    ("jobQueue", "deadLetterQueue", "redrive"),
    ("worker", "jobQueue", "connect"),
    ("worker", "reports", "connect"),
}
SAMPLE_EDGES: dict[str, set[Edge]] = {
    "scheduled-job": SCHEDULED,
    "job-queue": JOB_QUEUE,
    "webhook-processor": WEBHOOK,
    "file-processing": FILES,
    "batch-job": BATCH,
    "event-driven": EVENTS,
    "container-jobs": CONTAINER_JOBS,
    "combined": SCHEDULED | JOB_QUEUE | WEBHOOK | FILES | BATCH | EVENTS | SNS,
}


def test_every_sample_stack_is_covered() -> None:
    on_disk = {p.parent.name for p in SAMPLES.glob("*/stacktape.yml")}
    assert on_disk == set(SAMPLE_EDGES)


@pytest.mark.parametrize("name", sorted(SAMPLE_EDGES))
def test_sample_stack_edges(name: str) -> None:
    g = build_graph(_load(SAMPLES / name / "stacktape.yml"))
    assert _edges(g) == SAMPLE_EDGES[name]
    assert len(g.edges) == len(SAMPLE_EDGES[name])  # no duplicate parallel edges
    # Samples define everything they reference.
    assert not [n for n, m in g.nodes(data="missing") if m]


@pytest.mark.parametrize("name", sorted(SAMPLE_EDGES))
def test_sample_workload_env_is_workload_environment(name: str) -> None:
    stack = _load(SAMPLES / name / "stacktape.yml")
    g = build_graph(stack)
    for w in stack.workloads:
        expected = [
            {"name": e.name, "value": e.value, "source": e.source}
            for e in workload_environment(stack, w)
        ]
        assert g.nodes[w.name]["env"] == expected


# -- the guide's snippets: missing resources and an implicit gateway --------------------------

SEED_CASES: dict[str, tuple[set[Edge], dict[str, tuple[int, int]]]] = {
    "scheduled-job": (SCHEDULED, {"database": (15, 11)}),
    "job-queue": (JOB_QUEUE, {"database": (46, 11)}),
    "webhook-processor": (WEBHOOK, {"database": (15, 11)}),
    "file-processing": (FILES, {"database": (25, 11)}),
    "batch-job": (BATCH, {"database": (18, 11)}),
    "event-driven": (EVENTS, {"database": (20, 11), "analyticsDb": (60, 11)}),
}


@pytest.mark.parametrize("name", sorted(SEED_CASES))
def test_seed_snippet_edges_and_missing_nodes(name: str) -> None:
    g = build_graph(_load(SEED / f"{name}.yml"))
    edges, missing = SEED_CASES[name]
    assert _edges(g) == edges
    found = {n: (d["line"], d["column"]) for n, d in g.nodes(data=True) if d["missing"]}
    assert found == missing
    for n in missing:
        d = g.nodes[n]
        assert d["kind"] == "missing"
        assert d["file"].endswith(f"{name}.yml")
        assert d["layer"] == max(layer for _, layer in g.nodes(data="layer"))


def test_seed_implicit_gateway_is_placed_at_its_first_route() -> None:
    g = build_graph(_load(SEED / "job-queue.yml"))
    gw = g.nodes["httpApi"]
    assert gw["kind"] == "http-api-gateway"
    assert gw["props"] == {"payload_format": "1.0", "implicit": True}
    assert (gw["line"], gw["column"]) == (13, 13)  # `path: /{proxy+}`, the route's first key


def test_seed_file_processing_alternate_spellings_become_the_same_trigger() -> None:
    g = build_graph(_load(SEED / "file-processing.yml"))
    d = _edge(g, "uploads", "fileProcessor", "trigger")
    assert d["via"] == "s3"
    assert d["event_types"] == ["s3:ObjectCreated:*"]
    assert (d["prefix"], d["suffix"]) == ("incoming/", None)


# -- nodes ------------------------------------------------------------------------------------


def test_job_queue_nodes() -> None:
    g = build_graph(_load(SAMPLES / "job-queue" / "stacktape.yml"))
    assert list(g) == ["httpApi", "api", "jobQueue", "deadLetterQueue", "worker", "database"]
    worker = g.nodes["worker"]
    assert worker["kind"] == "function"
    assert worker["label"] == "worker"
    assert worker["props"] == {"timeout_s": 300, "memory_mb": 1024}
    assert (worker["line"], worker["column"]) == (48, 3)
    assert worker["file"].endswith("job-queue/stacktape.yml")
    assert worker["missing"] is False and worker["external"] is False
    assert g.nodes["jobQueue"]["props"] == {
        "visibility_timeout_s": 300,
        "fifo": False,
        "max_receive_count": 3,
    }
    assert g.nodes["deadLetterQueue"]["props"] == {"visibility_timeout_s": 30, "fifo": False}
    assert g.nodes["httpApi"]["props"] == {"payload_format": "1.0"}
    assert g.nodes["database"]["props"] == {"engine": "postgres"}
    assert "env" not in g.nodes["jobQueue"]
    env = g.nodes["api"]["env"]
    assert [e["name"] for e in env] == [
        "STP_JOB_QUEUE_ARN",
        "STP_JOB_QUEUE_URL",
        "STP_JOB_QUEUE_NAME",
        "NODE_OPTIONS",  # src/api.ts is built by Stacktape's buildpack (reference §4.3)
    ]
    assert [e["source"] for e in env] == ["jobQueue", "jobQueue", "jobQueue", "stacktape"]
    assert env[2]["value"] == "job-queue-demo-dev-jobQueue"


def test_batch_job_and_schedule_nodes() -> None:
    g = build_graph(_load(SAMPLES / "batch-job" / "stacktape.yml"))
    assert g.nodes["heavyJob"]["props"] == {
        "cpu": 4,
        "memory_mb": 8192,
        "attempts": 3,
        "timeout_s": 3600,
    }
    assert g.nodes["heavyJob"]["env"][0] == {
        "name": "CHUNK_SIZE",
        "value": "1000",
        "source": "config",
    }
    sched = g.nodes["schedule:heavyJob:1"]
    assert sched["kind"] == "schedule"
    assert sched["label"] == "cron(0 2 * * ? *)"
    assert (sched["owner"], sched["index"]) == ("heavyJob", 0)
    assert (sched["line"], sched["column"]) == (32, 27)
    d = _edge(g, "schedule:heavyJob:1", "heavyJob", "trigger")
    assert d["expression"] == "cron(0 2 * * ? *)"
    assert d["via"] == "schedule"


def test_aws_ses_node() -> None:
    g = build_graph(_load(SAMPLES / "scheduled-job" / "stacktape.yml"))
    ses = g.nodes["aws:ses"]
    assert ses["kind"] == "aws-service"
    assert ses["external"] is True
    assert (ses["line"], ses["column"]) == (25, 11)
    assert _edge(g, "dailyReport", "aws:ses", "connect")["env"] == []


# -- every edge kind and its attributes ----------------------------------------------------

ALL_KINDS = """
resources:
  appBus:
    type: event-bus
    properties:
      archivation: {enabled: true}
  alerts: {type: sns-topic}
  uploads:
    type: bucket
    properties:
      enableEventBusNotifications: true
  jobQueue:
    type: sqs-queue
    properties:
      redrivePolicy: {targetSqsQueueName: jobDlq, maxReceiveCount: 5}
  jobDlq: {type: sqs-queue}
  ruleDlq: {type: sqs-queue}
  fanout:
    type: sqs-queue
    properties:
      fifoEnabled: true
      events:
        - type: event-bus
          properties:
            eventBusName: appBus
            eventPattern: {source: [app]}
            messageGroupId: g1
            onDeliveryFailure: {sqsQueueName: ruleDlq}
  api:
    type: http-api-gateway
    properties: {payloadFormat: '2.0'}
  worker:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: w.ts}}
      timeout: 60
      memory: 512
      destinations:
        onSuccess: $ResourceParam('jobQueue', 'arn')
        onFailure: arn:aws:sqs:eu-west-1:999999999999:elsewhere
      connectTo: [jobQueue, appBus, aws:ses, nothingHere]
      events:
        - type: sqs
          properties: {sqsQueueName: jobQueue, batchSize: 5, maxBatchWindowSeconds: 2}
        - type: s3
          properties:
            bucketArn: $ResourceParam('uploads', 'arn')
            s3EventType: s3:ObjectCreated:*
            filterRule: {prefix: in/, suffix: .csv}
        - type: event-bus
          properties:
            eventBusName: appBus
            eventPattern: {source: [app], detail-type: [Made]}
            onDeliveryFailure: {sqsQueueName: ruleDlq}
        - type: event-bus
          properties:
            useDefaultBus: true
            eventPattern: {source: [aws.s3]}
        - type: schedule
          properties: {scheduleRate: rate(5 minutes)}
        - type: http-api-gateway
          properties: {httpApiGatewayName: api, method: POST, path: /jobs}
        - type: http-api-gateway
          properties: {httpApiGatewayName: api, method: GET, path: /jobs, payloadFormat: '2.0'}
        - type: sns
          properties:
            snsTopicName: alerts
            filterPolicy: {severity: [high]}
            onDeliveryFailure: {sqsQueueName: ruleDlq}
        - type: kafka-topic
          properties: {kafkaClusterName: broker, topicName: orders}
  broker: {type: kafka-cluster}
  nightly:
    type: batch-job
    properties:
      container:
        packaging: {type: prebuilt-image, properties: {image: alpine:3}}
      resources: {cpu: 2, memory: 4096}
      retryConfig: {attempts: 2}
      events:
        - type: sqs
          properties: {sqsQueueName: fanout}
      connectTo: [alerts]
  flow:
    type: state-machine
    properties:
      definition:
        StartAt: Work
        States:
          Work: {Type: Task, Resource: "$ResourceParam('worker', 'arn')", Next: Each}
          Each:
            Type: Map
            ItemReader:
              Resource: arn:aws:states:::s3:listObjectsV2
              Parameters: {Bucket: "$ResourceParam('uploads', 'name')"}
            ItemProcessor:
              ProcessorConfig: {Mode: DISTRIBUTED, ExecutionType: STANDARD}
              StartAt: Pass
              States: {Pass: {Type: Pass, End: true}}
            End: true
"""


@pytest.fixture(scope="module")
def every_kind() -> nx.MultiDiGraph:
    return _text(ALL_KINDS)


def test_every_edge_kind_is_built(every_kind: nx.MultiDiGraph) -> None:
    g = every_kind
    arn = "arn:aws:sqs:eu-west-1:999999999999:elsewhere"
    assert _edges(g) == {
        ("jobQueue", "jobDlq", "redrive"),
        ("appBus", "fanout", "trigger"),
        ("appBus", "ruleDlq", "delivery-failure"),
        ("uploads", DEFAULT_BUS_ID, "bus-notification"),
        ("worker", "jobQueue", "destination"),
        ("worker", arn, "destination"),
        ("worker", "jobQueue", "connect"),
        ("worker", "appBus", "connect"),
        ("worker", "aws:ses", "connect"),
        ("worker", "nothingHere", "connect"),
        ("jobQueue", "worker", "trigger"),
        ("uploads", "worker", "trigger"),
        ("appBus", "worker", "trigger"),
        (DEFAULT_BUS_ID, "worker", "trigger"),
        ("schedule:worker:1", "worker", "trigger"),
        ("api", "worker", "trigger"),
        ("alerts", "worker", "trigger"),
        ("alerts", "ruleDlq", "delivery-failure"),
        ("fanout", "nightly", "trigger"),
        ("nightly", "alerts", "connect"),
        ("flow", "worker", "task"),
        ("flow", "uploads", "read"),
        ("broker", "kafka:orders", "hosts"),
        ("kafka:orders", "worker", "trigger"),
    }
    # `polls` edges come from a behaviours file, not the config (tests/test_sim_workers.py).
    assert {d["kind"] for _, _, d in g.edges(data=True)} == set(EDGE_KINDS) - {POLLS}


def test_edge_keys_are_distinct_and_deterministic(every_kind: nx.MultiDiGraph) -> None:
    g = every_kind
    assert set(g["api"]["worker"]) == {"trigger:5", "trigger:6"}
    assert set(g["appBus"]["ruleDlq"]) == {
        "delivery-failure:fanout:0",
        "delivery-failure:worker:2",
    }
    assert set(g["worker"]["jobQueue"]) == {"connect", "destination:onSuccess"}
    again = _text(ALL_KINDS)
    assert list(again.edges(keys=True)) == list(g.edges(keys=True))
    assert to_json(again) == to_json(g)


def test_trigger_attributes(every_kind: nx.MultiDiGraph) -> None:
    g = every_kind
    sqs = g["jobQueue"]["worker"]["trigger:0"]
    assert (sqs["via"], sqs["batch_size"], sqs["batch_window_s"]) == ("sqs", 5, 2)
    assert (sqs["owner"], sqs["index"]) == ("worker", 0)
    assert g["fanout"]["nightly"]["trigger:0"]["batch_size"] == 10  # Stacktape's default
    assert g["fanout"]["nightly"]["trigger:0"]["batch_window_s"] is None
    s3 = g["uploads"]["worker"]["trigger:1"]
    assert (s3["event_types"], s3["prefix"], s3["suffix"]) == (
        ["s3:ObjectCreated:*"],
        "in/",
        ".csv",
    )
    bus = g["appBus"]["worker"]["trigger:2"]
    assert bus["pattern"] == {"source": ["app"], "detail-type": ["Made"]}
    assert g[DEFAULT_BUS_ID]["worker"]["trigger:3"]["pattern"] == {"source": ["aws.s3"]}
    queue_rule = g["appBus"]["fanout"]["trigger:0"]
    assert (queue_rule["pattern"], queue_rule["message_group_id"]) == ({"source": ["app"]}, "g1")
    assert queue_rule["owner"] == "fanout"
    assert g["schedule:worker:1"]["worker"]["trigger:4"]["expression"] == "rate(5 minutes)"
    post = g["api"]["worker"]["trigger:5"]
    assert (post["method"], post["path"], post["payload_format"]) == ("POST", "/jobs", "2.0")
    get = g["api"]["worker"]["trigger:6"]
    assert (get["method"], get["payload_format"]) == ("GET", "2.0")
    assert g["alerts"]["worker"]["trigger:7"]["filter_policy"] == {"severity": ["high"]}
    # Every edge points at where it is written.
    assert all(isinstance(d["line"], int) and d["line"] > 1 for _, _, d in g.edges(data=True))
    assert (sqs["line"], sqs["column"]) == (_line_of(ALL_KINDS, "- type: sqs", "  worker:"), 11)


def test_other_edge_attributes(every_kind: nx.MultiDiGraph) -> None:
    g = every_kind
    assert g["jobQueue"]["jobDlq"]["redrive"]["max_receive_count"] == 5
    df = g["alerts"]["ruleDlq"]["delivery-failure:worker:7"]
    assert (df["rule_owner"], df["rule_index"]) == ("worker", 7)
    assert g["appBus"]["ruleDlq"]["delivery-failure:fanout:0"]["rule_owner"] == "fanout"
    assert g["worker"]["jobQueue"]["destination:onSuccess"]["condition"] == "onSuccess"
    arn = "arn:aws:sqs:eu-west-1:999999999999:elsewhere"
    assert g["worker"][arn]["destination:onFailure"]["condition"] == "onFailure"
    assert g["worker"]["jobQueue"]["connect"]["env"] == [
        "STP_JOB_QUEUE_ARN",
        "STP_JOB_QUEUE_URL",
        "STP_JOB_QUEUE_NAME",
    ]
    assert g["worker"]["appBus"]["connect"]["env"] == ["STP_APP_BUS_ARN", "STP_APP_BUS_ARCHIVE_ARN"]
    assert g["worker"]["nothingHere"]["connect"]["env"] == []
    assert g["nightly"]["alerts"]["connect"]["env"] == ["STP_ALERTS_ARN", "STP_ALERTS_NAME"]
    note = g["uploads"][DEFAULT_BUS_ID]["bus-notification"]
    assert note["line"] == _line_of(ALL_KINDS, "enableEventBusNotifications")


def test_synthetic_nodes(every_kind: nx.MultiDiGraph) -> None:
    g = every_kind
    bus = g.nodes[DEFAULT_BUS_ID]
    assert (bus["kind"], bus["label"], bus["external"], bus["missing"]) == (
        "event-bus",
        "default",
        True,
        False,
    )
    # Placed at its first use: the bucket's enableEventBusNotifications.
    assert bus["line"] == _line_of(ALL_KINDS, "enableEventBusNotifications")
    arn = g.nodes["arn:aws:sqs:eu-west-1:999999999999:elsewhere"]
    assert (arn["kind"], arn["external"], arn["props"]) == ("external", True, {"service": "sqs"})
    missing = g.nodes["nothingHere"]
    assert (missing["kind"], missing["missing"]) == ("missing", True)
    assert missing["line"] == _line_of(ALL_KINDS, "nothingHere")
    assert g.nodes["nightly"]["props"] == {"cpu": 2, "memory_mb": 4096, "attempts": 2}
    assert g.nodes["worker"]["props"] == {"timeout_s": 60, "memory_mb": 512}
    assert g.nodes["appBus"]["props"] == {"archive": True}
    assert g.nodes["uploads"]["props"] == {"event_bus_notifications": True}
    assert g.nodes["fanout"]["props"]["fifo"] is True
    assert g.nodes["api"]["props"] == {"payload_format": "2.0"}


def test_default_bus_only_when_used() -> None:
    g = build_graph(_load(SAMPLES / "combined" / "stacktape.yml"))
    assert DEFAULT_BUS_ID not in g
    g = _text(
        """
resources:
  f:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: f.ts}}
      events:
        - type: event-bus
          properties: {useDefaultBus: true, eventPattern: {source: [x]}}
"""
    )
    assert _edges(g) == {(DEFAULT_BUS_ID, "f", "trigger")}


def test_missing_trigger_sources_and_dlqs() -> None:
    text = """
resources:
  q:
    type: sqs-queue
    properties:
      redrivePolicy: {targetSqsQueueName: gone, maxReceiveCount: 2}
  f:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: f.ts}}
      events:
        - type: sqs
          properties: {sqsQueueName: nope}
        - type: sns
          properties: {snsTopicArn: 'arn:aws:sns:us-east-1:1:t'}
"""
    g = _text(text)
    assert _edges(g) == {
        ("q", "gone", "redrive"),
        ("nope", "f", "trigger"),
        ("arn:aws:sns:us-east-1:1:t", "f", "trigger"),
    }
    assert g.nodes["gone"]["missing"] and g.nodes["nope"]["missing"]
    assert g.nodes["gone"]["line"] == _line_of(text, "targetSqsQueueName: gone")
    assert g.nodes["nope"]["line"] == _line_of(text, "sqsQueueName: nope")


OLD_SYNTAX = """
resources:
  videos: {type: bucket}
  jobs: {type: sqs-queue}
  transcode:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: f.ts}}
      destinations:
        onFailure: $GetParam('jobs', 'Queue::Arn')
      events:
        - type: s3
          properties:
            bucketArn: $Param('videos', 'Bucket::Arn')
            s3EventType: s3:ObjectCreated:*
            filterRule: {prefix: raw/}
        - type: s3
          properties:
            bucketArn: $Param('archive', 'Bucket::Arn')
            s3EventType: s3:ObjectCreated:*
        - type: sqs
          properties:
            sqsQueueArn: $Nonsense('jobs')
        - type: sns
          properties:
            snsTopicArn: $Other()
"""


def test_unresolved_directives_draw_from_the_resource_they_name() -> None:
    # A pre-3.x `$Param('videos', 'Bucket::Arn')` (an error `validate` reports) draws its
    # trigger from `videos`; a named resource the stack lacks is a missing node of that
    # name; a directive naming none comes from the one `unresolved` node. No node is named
    # after a directive, and each such edge carries the directive it was written with.
    g = _text(OLD_SYNTAX)
    assert _edges(g) == {
        ("videos", "transcode", "trigger"),
        ("archive", "transcode", "trigger"),
        ("unresolved", "transcode", "trigger"),
        ("transcode", "jobs", "destination"),
    }
    assert not [n for n in g if "$" in n or "(" in n]
    assert g.nodes["archive"]["missing"] and g.nodes["unresolved"]["missing"]
    assert not g.nodes["videos"]["missing"] and not g.nodes["jobs"]["missing"]
    written = sorted((u, d["unresolved"]) for u, _, d in g.edges(data=True) if u != "transcode")
    assert written == [
        ("archive", "$Param('archive', 'Bucket::Arn')"),
        ("unresolved", "$Nonsense('jobs')"),
        ("unresolved", "$Other()"),
        ("videos", "$Param('videos', 'Bucket::Arn')"),
    ]
    assert _edge(g, "transcode", "jobs", "destination")["unresolved"] == (
        "$GetParam('jobs', 'Queue::Arn')"
    )
    text = to_text(g).splitlines()
    assert (
        "  videos --s3(s3:ObjectCreated:*, prefix raw/)--> transcode "
        "[unresolved $Param('videos', 'Bucket::Arn')]"
    ) in text
    assert (
        "  transcode --destination(onFailure)--> jobs [unresolved $GetParam('jobs', 'Queue::Arn')]"
    ) in text
    assert "unresolved (missing)" in text
    label = edge_label(_edge(g, "videos", "transcode", "trigger"))
    assert label.endswith("[unresolved $Param('videos', 'Bucket::Arn')]")


UNCLOSED = """
serviceName: app
resources:
  jobs: {type: sqs-queue}
  worker:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: f.ts}}
      connectTo: [$Param('x', jobs]
      destinations:
        onFailure: $ResourceParam('jobs', 'arn'
      environment:
        - name: QUEUE
          value: $ResourceParam('jobs', 'arn'
      events:
        - type: sqs
          properties:
            sqsQueueName: $GetParam('jobs'
"""


def test_unclosed_directives_are_reported_and_name_no_node() -> None:
    """An unclosed directive is literal text to Stacktape (no resource has that name):
    validate says so where it is written, and the graph draws it from (or to) the one
    `unresolved` node, as it draws a directive too malformed to parse, never from a node
    named after the broken text; the env value makes no edge."""
    stack = load_stack_text(UNCLOSED, "t.yml")
    incomplete = sorted(
        (d.line, d.message.split('"')[1])
        for d in stack.diagnostics
        if d.code == "directive-incomplete"
    )
    assert incomplete == [
        (9, "$Param('x'"),
        (11, "$ResourceParam('jobs', 'arn'"),
        (14, "$ResourceParam('jobs', 'arn'"),
        (18, "$GetParam('jobs'"),
    ]
    hints = {d.hint for d in stack.diagnostics if d.code == "missing-resource"}
    assert hints == {
        "end the directive with its closing ')': $Param('x')",
        "end the directive with its closing ')': $GetParam('jobs')",
    }
    g = build_graph(stack)
    assert sorted(g.nodes) == ["jobs", "unresolved", "worker"]
    assert _edges(g) == {
        ("worker", "jobs", "connect"),
        ("worker", "unresolved", "connect"),
        ("worker", "unresolved", "destination"),
        ("unresolved", "worker", "trigger"),
    }
    assert _edge(g, "worker", "unresolved", "connect")["unresolved"] == "$Param('x'"
    assert _edge(g, "unresolved", "worker", "trigger")["unresolved"] == "$GetParam('jobs'"


def test_resolved_references_carry_no_unresolved_mark() -> None:
    g = _text(
        OLD_SYNTAX.replace("$Param('videos', 'Bucket::Arn')", "$ResourceParam('videos', 'arn')")
    )
    assert ("videos", "transcode", "trigger") in _edges(g)
    assert "unresolved" not in _edge(g, "videos", "transcode", "trigger")


def test_missing_node_is_placed_at_its_earliest_reference() -> None:
    g = _text(
        """
resources:
  a:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: f.ts}}
      connectTo: [db]
  b:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: f.ts}}
      connectTo: [db]
"""
    )
    # Line 1 of the text is empty: `connectTo: [db]` of `a` is line 7, `db` at column 19.
    assert (g.nodes["db"]["line"], g.nodes["db"]["column"]) == (7, 19)


# -- layers -------------------------------------------------------------------------------


def test_layers_follow_the_pipeline() -> None:
    g = build_graph(_load(SAMPLES / "job-queue" / "stacktape.yml"))
    layers = dict(g.nodes(data="layer"))
    assert layers == {
        "httpApi": 0,
        "api": 1,
        "jobQueue": 2,
        "worker": 3,
        "deadLetterQueue": 4,
        "database": 4,
    }


def test_layers_sources_first_sinks_last() -> None:
    g = build_graph(_load(SAMPLES / "combined" / "stacktape.yml"))
    layer = dict(g.nodes(data="layer"))
    for source in ("httpApi", "uploads", "eventBus", "alertsTopic", "schedule:dailyReport:1"):
        assert layer[source] == 0
    last = max(layer.values())
    for sink in ("database", "analyticsDb", "deadLetterQueue", "aws:ses"):
        assert layer[sink] == last
    for u, v, d in g.edges(data=True):
        if d["kind"] == "trigger":
            assert layer[u] < layer[v], (u, v)


def test_layers_of_a_cycle_are_shared() -> None:
    g = _text(
        """
resources:
  q:
    type: sqs-queue
    properties:
      redrivePolicy: {targetSqsQueueName: dlq, maxReceiveCount: 2}
  dlq: {type: sqs-queue}
  f:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: f.ts}}
      connectTo: [q]
      events:
        - type: sqs
          properties: {sqsQueueName: q}
  g:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: f.ts}}
      destinations:
        onFailure: $ResourceParam('f', 'arn')
      events:
        - type: schedule
          properties: {scheduleRate: rate(1 hour)}
"""
    )
    layer = dict(g.nodes(data="layer"))
    assert layer["schedule:g:1"] == 0
    assert layer["g"] == 1
    assert layer["q"] == layer["f"] == 2  # f refills q, q triggers f
    assert layer["dlq"] == 3


# -- queries ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def combined() -> nx.MultiDiGraph:
    return build_graph(_load(SAMPLES / "combined" / "stacktape.yml"))


def test_downstream_and_upstream(combined: nx.MultiDiGraph) -> None:
    g = combined
    assert downstream(g, "jobQueue") == ["deadLetterQueue", "worker"]
    assert downstream(g, "httpApi") == ["api", "webhookReceiver", "orderService"]
    assert downstream(g, "worker") == []  # connect edges are not flow
    assert upstream(g, "worker") == ["jobQueue"]
    assert upstream(g, "deadLetterQueue") == ["jobQueue"]
    assert upstream(g, "alertHandler") == ["alertsTopic"]
    assert upstream(g, "jobQueue") == []


def test_queries_follow_destinations_and_delivery_failures(every_kind: nx.MultiDiGraph) -> None:
    g = every_kind
    arn = "arn:aws:sqs:eu-west-1:999999999999:elsewhere"
    assert set(downstream(g, "alerts")) == {"worker", "ruleDlq", "jobQueue", arn, "jobDlq"}
    assert set(upstream(g, "ruleDlq")) == {"appBus", "alerts"}
    assert set(downstream(g, "uploads")) >= {DEFAULT_BUS_ID, "worker"}


def test_reachable_from_stimulus(combined: nx.MultiDiGraph) -> None:
    g = combined
    assert reachable_from_stimulus(g, "jobQueue") == {
        "deadLetterQueue": "triggers",
        "worker": "triggers",
        "alertsTopic": "may-send",
        "alertHandler": "may-send",
    }
    assert reachable_from_stimulus(g, "httpApi") == {
        "api": "triggers",
        "webhookReceiver": "triggers",
        "orderService": "triggers",
        "jobQueue": "may-send",
        "notificationQueue": "may-send",
        "eventBus": "may-send",
        "deadLetterQueue": "may-send",
        "worker": "may-send",
        "notificationWorker": "may-send",
        "emailService": "may-send",
        "analyticsService": "may-send",
        "alertsTopic": "may-send",
        "alertHandler": "may-send",
    }
    # An upload reaches the processor; its write-back to the same bucket is the start itself.
    assert reachable_from_stimulus(g, "uploads") == {"fileProcessor": "triggers"}
    # Invoking a workload directly: what its code may send.
    assert reachable_from_stimulus(g, "api") == {
        "jobQueue": "may-send",
        "deadLetterQueue": "may-send",
        "worker": "may-send",
        "alertsTopic": "may-send",
        "alertHandler": "may-send",
    }
    assert reachable_from_stimulus(g, "database") == {}


def test_triggers_win_over_may_send(every_kind: nx.MultiDiGraph) -> None:
    reach = reachable_from_stimulus(every_kind, "jobQueue")
    assert reach["worker"] == "triggers"
    assert reach["jobDlq"] == "triggers"
    assert reach["appBus"] == "may-send"
    assert reach["fanout"] == "may-send"
    assert reach["nightly"] == "may-send"
    assert "jobQueue" not in reach
    assert "nothingHere" not in reach and "aws:ses" not in reach


def test_neighbourhood(combined: nx.MultiDiGraph) -> None:
    g = combined
    one = neighbourhood(g, "jobQueue", 1)
    assert set(one) == {"jobQueue", "api", "worker", "deadLetterQueue"}
    assert _edges(one) == {
        ("api", "jobQueue", "connect"),
        ("jobQueue", "worker", "trigger"),
        ("jobQueue", "deadLetterQueue", "redrive"),
    }
    two = neighbourhood(g, "jobQueue", 2)
    assert set(two) == {
        "jobQueue",
        "api",
        "worker",
        "deadLetterQueue",
        "httpApi",
        "database",
        "alertsTopic",
    }
    assert set(neighbourhood(g, "jobQueue", 0)) == {"jobQueue"}
    # A copy: exports work on it and changing it leaves the stack graph alone.
    assert "jobQueue --sqs(batch 1)--> worker" in to_text(one)
    one.remove_node("worker")
    assert "worker" in g


def test_queries_reject_unknown_nodes(combined: nx.MultiDiGraph) -> None:
    for query in (upstream, downstream, reachable_from_stimulus, neighbourhood):
        with pytest.raises(nx.NodeNotFound):
            query(combined, "noSuchThing")


# -- exports --------------------------------------------------------------------------------


def test_to_text(combined: nx.MultiDiGraph) -> None:
    text = to_text(combined)
    lines = text.splitlines()
    for expected in (
        "jobQueue (sqs-queue, visibility 300s, maxReceiveCount 3)",
        "  jobQueue --sqs(batch 1)--> worker",
        "  jobQueue --redrive(after 3)--> deadLetterQueue",
        "  api ..connect..> jobQueue [STP_JOB_QUEUE_ARN STP_JOB_QUEUE_URL STP_JOB_QUEUE_NAME]",
        "  worker ..connect..> alertsTopic [STP_ALERTS_TOPIC_ARN STP_ALERTS_TOPIC_NAME]",
        "  httpApi --http(POST /webhooks/{provider})--> webhookReceiver",
        "  uploads --s3(s3:ObjectCreated:*, prefix incoming/)--> fileProcessor",
        '  alertsTopic --sns(filter {"severity":["high"]})--> alertHandler',
        '  eventBus --event-bus({"source":["orders"],"detail-type":["OrderCreated",'
        '"OrderShipped"]})--> emailService',
        "  schedule:dailyReport:1 --schedule(cron(0 9 * * ? *))--> dailyReport",
        "  dailyReport ..connect..> aws:ses",
        "heavyJob (batch-job, timeout 3600s, memory 8192MB, cpu 4, attempts 3)",
        "worker (function, timeout 300s, memory 1024MB)",
        "database (relational-database, postgres)",
    ):
        assert expected in lines, expected
    assert lines[0] == "stack background-jobs-demo-dev: 23 nodes, 28 edges"
    # Grouped by layer: sources before the workloads they trigger, stores at the end.
    assert lines.index("httpApi (http-api-gateway, payload 1.0)") < lines.index(
        "api (function, timeout 20s, memory 1024MB)"
    )
    assert lines[-1].startswith("aws:ses (aws-service")


def test_to_text_folds_a_connect_lines_variables_to_the_terminals_width(
    combined: nx.MultiDiGraph,
) -> None:
    whole = to_text(combined).splitlines()
    folded = to_text(combined, width=80).splitlines()
    # A database's five variables made a line of 150 columns; at 80 they go on under it.
    assert max(len(line) for line in whole if "..connect..>" in line) > 140
    start = folded.index("  dailyReport ..connect..> database")
    assert folded[start + 1 : start + 3] == [
        "      [STP_DATABASE_CONNECTION_STRING STP_DATABASE_JDBC_CONNECTION_STRING",
        "       STP_DATABASE_HOST STP_DATABASE_PORT STP_DATABASE_DB_NAME]",
    ]
    # A line that fits stays whole, and every connect line now fits.
    assert "  fileProcessor ..connect..> uploads [STP_UPLOADS_NAME STP_UPLOADS_ARN]" in folded
    connect = [i for i, line in enumerate(folded) if "..connect..>" in line]
    assert all(len(folded[i]) <= 80 for i in connect)
    # Folding adds line breaks and nothing else: joined, the lines read as the whole ones.
    assert _squeezed(folded) == _squeezed(whole)
    assert to_text(combined, width=1000).splitlines() == whole


# A trigger line as folding writes it: its settings in parentheses after its target.
_SETTINGS = re.compile(r"^(  .* --[a-z0-9-]+)(\(.*\))(--> .*)$")


def _squeezed(lines: list[str]) -> str:
    """The lines without the white space, a trigger's settings put after its target as
    folding puts them: what folding must not change."""
    return "".join("".join(_SETTINGS.sub(r"\1\3\2", line).split()) for line in lines)


def test_to_text_folds_a_trigger_lines_pattern_under_its_edge(
    combined: nx.MultiDiGraph,
) -> None:
    whole = to_text(combined).splitlines()
    edge = (
        '  eventBus --event-bus({"source":["orders"],"detail-type":["OrderCreated",'
        '"OrderShipped"]})--> emailService'
    )
    assert edge in whole and len(edge) > 100
    # The edge on its line, the pattern under it; each of the pattern's fields on a line
    # of its own when the whole does not fit, then its lists' values.
    for width, pattern in (
        (80, ['      ({"source":["orders"],"detail-type":["OrderCreated","OrderShipped"]})']),
        (
            60,
            [
                '      ({"source":["orders"],',
                '       "detail-type":["OrderCreated","OrderShipped"]})',
            ],
        ),
        (
            40,
            [
                '      ({"source":["orders"],',
                '       "detail-type":["OrderCreated",',
                '       "OrderShipped"]})',
            ],
        ),
    ):
        folded = to_text(combined, width).splitlines()
        start = folded.index("  eventBus --event-bus--> emailService")
        assert folded[start + 1 : start + 1 + len(pattern)] == pattern, width
    # Settings that are no JSON break after a comma: an S3 event's types and prefix.
    folded = to_text(combined, 40).splitlines()
    start = folded.index("  uploads --s3--> fileProcessor")
    assert folded[start + 1 : start + 3] == [
        "      (s3:ObjectCreated:*,",
        "       prefix incoming/)",
    ]
    # An edge that fits stays whole; so does the whole listing when the width allows it.
    assert "  jobQueue --sqs(batch 1)--> worker" in folded
    assert to_text(combined, max(len(line) for line in whole)).splitlines() == whole


# A line wider than the width may only be one thing that cannot be broken: a name, a
# quoted string, with the brackets and the comma or colon around it.
_ONE_TOKEN = re.compile(r'[(\[{]*("[^"]*"|[^\s,"]+)[:)\]},]*')


@pytest.mark.parametrize("width", [100, 80, 60, 40, 24, 12, 1])
@pytest.mark.parametrize("stack", ["combined", "container-jobs", "event-driven"])
def test_to_text_fits_every_line_to_the_width_but_an_unbreakable_token(
    stack: str, width: int
) -> None:
    g = build_graph(_load(SAMPLES / stack / "stacktape.yml"))
    whole = to_text(g).splitlines()
    folded = to_text(g, width).splitlines()
    over = [line for line in folded if len(line) > width]
    assert all(_ONE_TOKEN.fullmatch(line.strip()) for line in over), over
    # No string of a pattern is cut, and nothing but white space is added or taken away.
    assert all(line.count('"') % 2 == 0 for line in folded)
    assert _squeezed(folded) == _squeezed(whole)
    # A line goes on deeper than an edge's two spaces: a node's line starts each node.
    assert sum(not line.startswith(" ") for line in folded) == len(g) + 1


def test_to_text_folding_keeps_untrusted_text_text() -> None:
    g = _text(
        """
resources:
  bus: {type: event-bus}
  handler:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: h.ts}}
      events:
        - type: event-bus
          properties:
            eventBusName: bus
            eventPattern:
              source: ["[b]x[/]", "a\\u001b[2J", "a, \\"b\\", c"]
              detail-type: [Made]
"""
    )
    whole = to_text(g).splitlines()
    for width in (40, 30, 12):
        folded = to_text(g, width)
        assert "\x1b" not in folded and '"a\\u001b[2J",' in folded
        lines = [line.strip() for line in folded.splitlines()]
        assert '({"source":["[b]x[/]",' in lines or (width < 20 and '"[b]x[/]",' in lines)
        # The string with commas and escaped quotes in it is never cut.
        assert '"a, \\"b\\", c"' in folded
        assert _squeezed(folded.splitlines()) == _squeezed(whole)


def test_to_text_flags_missing_nodes() -> None:
    text = to_text(build_graph(_load(SEED / "job-queue.yml")))
    assert "database (missing)" in text.splitlines()
    assert "  worker ..connect..> database (missing)" in text.splitlines()
    assert "httpApi (http-api-gateway, payload 1.0, implicit)" in text.splitlines()


def test_edge_labels() -> None:
    assert edge_label({"kind": "trigger", "via": "sqs", "batch_size": 10, "batch_window_s": 2}) == (
        "sqs(batch 10, window 2s)"
    )
    assert edge_label({"kind": "redrive", "max_receive_count": 3}) == "redrive(after 3)"
    assert edge_label({"kind": "destination", "condition": "onFailure"}) == (
        "destination(onFailure)"
    )
    assert edge_label({"kind": "delivery-failure", "rule_owner": "f"}) == (
        "delivery-failure(rule of f)"
    )
    assert edge_label({"kind": "bus-notification"}) == "bus-notification"


_MERMAID_NODE = re.compile(
    r'^    (n\d+)(\[\[|\[\(|\(\[|\{\{|\[|\(|>)"([^"]*)"(\]\]|\)\]|\]\)|\}\}|\]|\))$'
)
_MERMAID_EDGE = re.compile(r'^    (n\d+) (-->|-\.->|==>|--x|--o)(?:\|"([^"]*)"\|)? (n\d+)$')
_LABEL_UNSAFE = re.compile(r'["\[\]{}()<>|`;%\\\n#&]')
_ENTITY = re.compile(r"#\d+;")


def _check_mermaid(text: str, g: nx.MultiDiGraph) -> dict[str, str]:
    """Parse-ish check: node and edge lines only, labels safe, every endpoint declared."""
    lines = text.splitlines()
    assert lines[0] == "flowchart LR"
    declared: dict[str, str] = {}
    arrows: list[str] = []
    pairs = {"[[": "]]", "[(": ")]", "([": "])", "{{": "}}", "[": "]", "(": ")", ">": "]"}
    for line in lines[1:]:
        if m := _MERMAID_NODE.match(line):
            node_id, opening, label, closing = m.groups()
            assert pairs[opening] == closing, line
            assert not _LABEL_UNSAFE.search(_ENTITY.sub("", label.replace("<br/>", ""))), line
            declared[node_id] = label
        elif m := _MERMAID_EDGE.match(line):
            u, arrow, label, v = m.groups()
            assert u in declared and v in declared, line
            assert label is None or not _LABEL_UNSAFE.search(_ENTITY.sub("", label)), line
            arrows.append(arrow)
        elif line.startswith("    classDef missing "):
            pass
        else:
            assert re.match(r"^    class (n\d+)(,n\d+)* missing$", line), line
    assert len(declared) == len(g)
    assert len(arrows) == len(g.edges)
    return declared


def test_to_mermaid(combined: nx.MultiDiGraph) -> None:
    text = to_mermaid(combined)
    declared = _check_mermaid(text, combined)
    assert '    n4[["jobQueue<br/>sqs-queue"]]' in text.splitlines()
    assert "jobQueue<br/>sqs-queue" in declared.values()
    lines = text.splitlines()
    assert '    n4 ==>|"redrive#40;after 3#41;"| n5' in lines  # jobQueue -> deadLetterQueue
    assert '    n4 -->|"sqs#40;batch 1#41;"| n6' in lines  # jobQueue -> worker
    assert "    n3 -.-> n4" in lines  # api ..connect..> jobQueue
    assert text == to_mermaid(combined)


def test_to_mermaid_every_arrow_style(every_kind: nx.MultiDiGraph) -> None:
    text = to_mermaid(every_kind)
    _check_mermaid(text, every_kind)
    arrows = set(re.findall(r"^    n\d+ (\S+?)(?:\||\s)", text, flags=re.M))
    assert arrows == {"-->", "-.->", "==>", "--x", "--o"}


def test_to_mermaid_marks_missing_nodes() -> None:
    g = build_graph(_load(SEED / "event-driven.yml"))
    text = to_mermaid(g)
    _check_mermaid(text, g)
    ids = {n: f"n{i}" for i, n in enumerate(g)}
    assert f"    class {ids['database']},{ids['analyticsDb']} missing" in text.splitlines()


_DOT_NODE = re.compile(r'^    (n\d+) \[label="((?:[^"\\]|\\n)*)", shape=[a-z0-9]+(, [^\]]*)?\];$')
_DOT_EDGE = re.compile(r'^    (n\d+) -> (n\d+) \[style=[a-z]+(?:, label="((?:[^"\\]|\\n)*)")?\];$')


def _check_dot(text: str, g: nx.MultiDiGraph) -> None:
    """Parse-ish check: balanced braces, quoted strings closed, every endpoint declared."""
    lines = text.splitlines()
    assert lines[0] == "digraph stack {" and lines[-1] == "}"
    declared: set[str] = set()
    edges = 0
    for line in lines[1:-1]:
        if m := _DOT_NODE.match(line):
            declared.add(m.group(1))
            assert "\\" not in m.group(2).replace("\\n", "")
        elif m := _DOT_EDGE.match(line):
            assert m.group(1) in declared and m.group(2) in declared, line
            edges += 1
        elif re.match(r"^    \{ rank=same; (n\d+; )+\}$", line):
            assert all(i in declared for i in re.findall(r"n\d+", line))
        else:
            assert re.match(r"^    (graph|node|edge) \[[^\]]*\];$", line), line
    outside = re.sub(r'"(?:[^"\\]|\\.)*"', '""', text)
    assert outside.count("{") == outside.count("}")
    assert outside.count("[") == outside.count("]")
    assert outside.count('"') % 2 == 0
    assert len(declared) == len(g) and edges == len(g.edges)


def test_to_dot(combined: nx.MultiDiGraph, every_kind: nx.MultiDiGraph) -> None:
    text = to_dot(combined)
    _check_dot(text, combined)
    assert '    n4 [label="jobQueue\\nsqs-queue", shape=cds];' in text.splitlines()
    assert '    n4 -> n5 [style=bold, label="redrive&#40;after 3&#41;"];' in text.splitlines()
    assert "    n3 -> n4 [style=dashed];" in text.splitlines()
    _check_dot(to_dot(every_kind), every_kind)
    g = build_graph(_load(SEED / "event-driven.yml"))
    _check_dot(to_dot(g), g)
    assert 'style=dashed, color="red"' in to_dot(g)


def test_to_json_round_trips(combined: nx.MultiDiGraph, every_kind: nx.MultiDiGraph) -> None:
    for g in (combined, every_kind):
        text = to_json(g)
        data = json.loads(text)
        assert set(data) >= {"directed", "multigraph", "graph", "nodes", "edges"}
        back = nx.node_link_graph(data, edges="edges")
        assert isinstance(back, nx.MultiDiGraph)
        assert list(back) == list(g)
        assert list(back.edges(keys=True)) == list(g.edges(keys=True))
        for n, attrs in g.nodes(data=True):
            assert back.nodes[n] == json.loads(json.dumps(attrs))
        for u, v, k, attrs in g.edges(keys=True, data=True):
            assert back[u][v][k] == json.loads(json.dumps(attrs))
        assert to_json(back) == text
    assert to_node_link(combined)["graph"]["stack_name"] == "background-jobs-demo-dev"


def test_to_json_converts_non_json_values() -> None:
    g = nx.MultiDiGraph()
    g.add_node("a", kind="x", props={"n": float("nan"), "s": {3, 1}, "t": (1, 2), 4: object})
    text = to_json(g)  # allow_nan=False: would raise on a NaN left in
    props = json.loads(text)["nodes"][0]["props"]
    assert props["n"] == "nan"
    assert props["s"] == [1, 3]
    assert props["t"] == [1, 2]
    assert props["4"] == str(object)


# -- hostile names --------------------------------------------------------------------------

HOSTILE = """
resources:
  "[bold red]x[/]":
    type: sqs-queue
    properties:
      redrivePolicy: {targetSqsQueueName: 'a"b', maxReceiveCount: 2}
  'a"b': {type: sqs-queue}
  end: {type: sns-topic}
  "x;y%%z\\\\":
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: f.ts}}
      connectTo: ["<script>alert(1)</script>", "line\\nbreak\\u001b[31m"]
      events:
        - type: sqs
          properties: {sqsQueueName: "[bold red]x[/]"}
        - type: sns
          properties: {snsTopicName: end, filterPolicy: {"k\\"]": ["|v|"]}}
        - type: schedule
          properties: {scheduleRate: 'cron(0 9 * * ? *) "]) --> n0'}
"""


@pytest.fixture(scope="module")
def hostile() -> nx.MultiDiGraph:
    return _text(HOSTILE)


def test_hostile_names_are_graph_data(hostile: nx.MultiDiGraph) -> None:
    g = hostile
    fn = "x;y%%z\\"
    assert _edges(g) == {
        ("[bold red]x[/]", 'a"b', "redrive"),
        (fn, "<script>alert(1)</script>", "connect"),
        (fn, "line\nbreak\x1b[31m", "connect"),
        ("[bold red]x[/]", fn, "trigger"),
        ("end", fn, "trigger"),
        (f"schedule:{fn}:1", fn, "trigger"),
    }
    assert g.nodes["<script>alert(1)</script>"]["missing"] is True


def test_hostile_names_do_not_break_text(hostile: nx.MultiDiGraph) -> None:
    text = to_text(hostile)
    assert "\x1b" not in text
    assert "  x;y%%z\\ ..connect..> line\\nbreak\\x1b[31m (missing)" in text.splitlines()
    assert '  [bold red]x[/] --redrive(after 2)--> a"b' in text.splitlines()
    assert all(line.isprintable() for line in text.splitlines())


def test_hostile_names_do_not_break_mermaid(hostile: nx.MultiDiGraph) -> None:
    text = to_mermaid(hostile)
    declared = _check_mermaid(text, hostile)
    assert "#91;bold red#93;x#91;/#93;<br/>sqs-queue" in declared.values()
    assert "end<br/>sns-topic" in declared.values()  # a label, never an id
    assert "\x1b" not in text


def test_hostile_names_do_not_break_dot(hostile: nx.MultiDiGraph) -> None:
    text = to_dot(hostile)
    _check_dot(text, hostile)
    assert "a&#34;b\\nsqs-queue" in text
    assert "x;y&#37;&#37;z&#92;" in text.replace("&#59;", ";")


def test_hostile_names_round_trip_through_json(hostile: nx.MultiDiGraph) -> None:
    back = nx.node_link_graph(json.loads(to_json(hostile)), edges="edges")
    assert list(back) == list(hostile)
    assert _edges(back) == _edges(hostile)


# -- speed --------------------------------------------------------------------------------


def _big_stack(n: int) -> str:
    """`n` pipelines (API route -> producer -> queue -> worker -> DLQ, plus a bus rule):
    4n + 2 resources."""
    pack = "{type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}"
    out = ["resources:", "  bus: {type: event-bus}", "  httpApi: {type: http-api-gateway}"]
    for i in range(n):
        out += [
            f"  q{i}:",
            "    type: sqs-queue",
            "    properties:",
            f"      redrivePolicy: {{targetSqsQueueName: dlq{i}, maxReceiveCount: 3}}",
            f"  dlq{i}: {{type: sqs-queue}}",
            f"  w{i}:",
            "    type: function",
            "    properties:",
            f"      packaging: {pack}",
            f"      connectTo: [q{(i + 1) % n}, bus]",
            "      events:",
            f"        - {{type: sqs, properties: {{sqsQueueName: q{i}}}}}",
            "        - type: event-bus",
            f"          properties: {{eventBusName: bus, eventPattern: {{source: [s{i}]}}}}",
            f"  p{i}:",
            "    type: function",
            "    properties:",
            f"      packaging: {pack}",
            f"      connectTo: [q{i}]",
            "      events:",
            "        - type: http-api-gateway",
            f"          properties: {{httpApiGatewayName: httpApi, method: GET, path: /p{i}}}",
        ]
    return "\n".join(out)


def _big_model(n: int) -> Stack:
    """The stack `_big_stack(n)` describes, built directly as model objects: the speed test
    measures the graph, not the YAML parser."""
    stack = Stack(file="big.yml", source=LoadedYaml("big.yml", None))
    res = stack.resources
    res["bus"] = EventBus(name="bus", type="event-bus", path=("resources", "bus"))
    res["httpApi"] = HttpApiGateway(
        name="httpApi", type="http-api-gateway", path=("resources", "httpApi")
    )

    def ref(target: str, *path: str | int) -> Ref:
        return Ref(raw=target, path=path, target=target)

    # The YAML's packaging: Stacktape gives its JS/TS functions NODE_OPTIONS.
    pack = {"type": "stacktape-lambda-buildpack", "properties": {"entryfilePath": "a.ts"}}

    for i in range(n):
        q, dlq, w, p = f"q{i}", f"dlq{i}", f"w{i}", f"p{i}"
        wp, pp = ("resources", w, "properties"), ("resources", p, "properties")
        res[q] = Queue(
            name=q,
            type="sqs-queue",
            path=("resources", q),
            redrive_target=ref(dlq, "resources", q, "properties", "redrivePolicy"),
            max_receive_count=3,
        )
        res[dlq] = Queue(name=dlq, type="sqs-queue", path=("resources", dlq))
        res[w] = Function(
            name=w,
            type="function",
            path=("resources", w),
            properties={"packaging": pack},
            connect_to=[
                ref(f"q{(i + 1) % n}", *wp, "connectTo", 0),
                ref("bus", *wp, "connectTo", 1),
            ],
            events=[
                SqsTrigger(
                    type="sqs", owner=w, index=0, path=(*wp, "events", 0), queue=ref(q, *wp)
                ),
                EventBusTrigger(
                    type="event-bus",
                    owner=w,
                    index=1,
                    path=(*wp, "events", 1),
                    bus=ref("bus", *wp),
                    pattern={"source": [f"s{i}"]},
                ),
            ],
        )
        res[p] = Function(
            name=p,
            type="function",
            path=("resources", p),
            properties={"packaging": pack},
            connect_to=[ref(q, *pp, "connectTo", 0)],
            events=[
                HttpTrigger(
                    type="http-api-gateway",
                    owner=p,
                    index=0,
                    path=(*pp, "events", 0),
                    gateway=ref("httpApi", *pp),
                    method="GET",
                    route_path=f"/p{i}",
                )
            ],
        )
    return stack


def test_big_model_matches_the_loaded_config() -> None:
    loaded = build_graph(load_stack_text(_big_stack(5), "big.yml", lint=False))
    built = build_graph(_big_model(5))
    assert _edges(built) == _edges(loaded)
    assert dict(built.nodes(data="layer")) == dict(loaded.nodes(data="layer"))
    assert [d["env"] for _, d in built.nodes(data=True) if "env" in d] == [
        d["env"] for _, d in loaded.nodes(data=True) if "env" in d
    ]


# Measured: 461 steps (calls, built-in calls and lines) per resource at every size; the bound
# is three times that. A context built per workload once made 2,000 resources ten times
# slower: work quadratic in the stack.
GRAPH_STEPS_PER_RESOURCE = 1_400


def _build_steps(groups: int) -> CountWork:
    """The work of building the graph of `_big_model(groups)`, counted on a second build so
    that caches shared across builds (env-var names) are warm whatever ran before."""
    stack = _big_model(groups)
    build_graph(stack)
    with CountWork(max_steps=GRAPH_STEPS_PER_RESOURCE * len(stack.resources)) as work:
        build_graph(stack)
    return work


def test_two_thousand_resources_build_quickly() -> None:
    stack = _big_model(500)
    assert len(stack.resources) == 2002
    g = build_graph(stack)
    assert len(g.edges) == 3500
    assert g.nodes["w0"]["layer"] == g.nodes["q1"]["layer"]  # one big cycle through the queues
    assert g.nodes["httpApi"]["layer"] == 0
    # Work, not time: counted at 502 and 1,002 resources (counting slows the build about ten
    # times), it stays within a linear bound, and doubling the stack doubles it (2.0 measured;
    # quadratic work would make it nearer 4).
    half, full = _build_steps(125), _build_steps(250)
    assert full.steps < 2.2 * half.steps, (half, full)


def test_stream_triggers_come_from_their_stream() -> None:
    g = _text(
        """
resources:
  table:
    type: dynamo-db-table
    properties:
      primaryKey: {partitionKey: {name: id, type: string}}
      streamType: NEW_IMAGE
  events: {type: kinesis-stream}
  f:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: f.ts}}
      events:
        - type: dynamo-db-stream
          properties:
            streamArn: $ResourceParam('table', 'streamArn')
        - type: kinesis-stream
          properties: {kinesisStreamName: events}
"""
    )
    assert _edges(g) == {("table", "f", "trigger"), ("events", "f", "trigger")}
    assert g["table"]["f"]["trigger:0"]["via"] == "dynamo-db-stream"
    # Something flows out of the table, so it is not put with the sinks.
    assert g.nodes["table"]["layer"] < g.nodes["f"]["layer"]


def test_stream_edges_show_their_batch_settings_as_sqs_edges_do() -> None:
    # An SQS edge says its batch and window; a stream's mapping has more that change what
    # the reader gets (where it starts, parallel lanes, retries, bisection): the edge says
    # them too, as the simulator applies them, in text, Mermaid and the edge's data.
    g = _text(
        """
resources:
  table:
    type: dynamo-db-table
    properties:
      primaryKey: {partitionKey: {name: id, type: string}}
      streamType: NEW_IMAGE
  clicks: {type: kinesis-stream}
  jobs: {type: sqs-queue}
  f:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: f.ts}}
      events:
        - type: dynamo-db-stream
          properties:
            streamArn: $ResourceParam('table', 'streamArn')
        - type: kinesis-stream
          properties:
            kinesisStreamName: clicks
            batchSize: 20
            maxBatchWindowSeconds: 5
            startingPosition: LATEST
            parallelizationFactor: 2
            maximumRetryAttempts: 1
            bisectBatchOnFunctionError: true
            autoCreateConsumer: true
        - type: sqs
          properties: {sqsQueueName: jobs, batchSize: 5, maxBatchWindowSeconds: 2}
"""
    )
    text = to_text(g).splitlines()
    # Lambda's defaults where the event says nothing (batch 100, TRIM_HORIZON, no window).
    assert "  table --dynamo-db-stream(batch 100)--> f" in text
    kinesis = (
        "kinesis-stream(batch 20, window 5s, from LATEST, parallel 2, 1 retry, bisect, fan-out)"
    )
    assert f"  clicks --{kinesis}--> f" in text
    assert "  jobs --sqs(batch 5, window 2s)--> f" in text
    assert kinesis.replace("(", "#40;").replace(")", "#41;") in to_mermaid(g)
    edge = g["clicks"]["f"]["trigger:1"]
    assert (edge["starting_position"], edge["maximum_retry_attempts"]) == ("LATEST", 1)
    assert g["table"]["f"]["trigger:0"]["maximum_retry_attempts"] is None  # until expiry


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet="abcXYZ019._ -", max_size=12),
    st.sampled_from(["arn", "url", "logGroupArn", "cdnCustomDomainUrls", "readerHost", "x1Y"]),
)
def test_env_names_match_envvars(ref: str, param: str) -> None:
    # env_var_name composes names per part for speed; it must agree with Stacktape's rule.
    assert env_var_name(ref, param) == snake_upper(f"STP_{ref.replace('.', '_')}_{param}")


def test_stream_on_failure_is_the_readers_destination() -> None:
    # A Kinesis or DynamoDB stream event's onFailure is where the mapping sends the record
    # of a batch it gives up on: the queue shows downstream of the reader, not as an orphan.
    g = _text(
        """
resources:
  clicks: {type: kinesis-stream}
  failed: {type: sqs-queue}
  reader:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: r.ts}}
      events:
        - type: kinesis-stream
          properties:
            kinesisStreamName: clicks
            onFailure: {arn: "$ResourceParam('failed', 'arn')", type: sqs}
        - type: kinesis-stream
          properties:
            kinesisStreamName: clicks
            onFailure: {arn: "arn:aws:sns:eu-west-1:123456789012:alerts", type: sns}
"""
    )
    arn = "arn:aws:sns:eu-west-1:123456789012:alerts"
    assert _edges(g) == {
        ("clicks", "reader", "trigger"),
        ("reader", "failed", "destination"),
        ("reader", arn, "destination"),
    }
    edge = g["reader"]["failed"]["destination:onFailure:0"]
    assert (edge["condition"], edge["via"]) == ("onFailure", "kinesis-stream")
    assert "failed" in downstream(g, "clicks")
