"""Whole-stack checks Stacktape's deployer makes (stptui.config.lint): the event types each
workload type accepts, the VPC a function needs for EFS mounts and VPC-only connectTo targets,
a custom artifact's handler and runtime (stacktape-config §6.9), and container workloads'
HTTP routes checked like functions' routes."""

from __future__ import annotations

from pathlib import Path

import pytest
from lintkit import SAMPLE_STACKS, codes, found, one, where

from stptui.config import load_stack
from stptui.config.lint import BATCH_JOB_EVENT_TYPES, FUNCTION_EVENT_TYPES

DEPLOYER_CODES = (
    "event-not-accepted",
    "volume-mounts-need-vpc",
    "connect-to-needs-vpc",
    "custom-artifact-handler",
    "custom-artifact-runtime",
)


# -- event types per workload type -----------------------------------------------------------

JOB = """\
resources:
  job:
    type: batch-job
    properties:
      container: {packaging: {type: prebuilt-image, properties: {image: alpine}}}
      resources: {cpu: 1, memory: 1024}
      events:
        - type: %s
          properties: %s
"""

FN = """\
resources:
  fn:
    type: function
    properties:
      {PKG}
      events:
        - type: %s
          properties: %s
"""

KAFKA = "{customKafkaConfiguration: {bootstrapServers: [b:9092], topicName: t}}"


@pytest.mark.parametrize(
    ("etype", "props"), [("kafka-topic", KAFKA), ("cloudwatch-alarm", "{alarmName: a}")]
)
def test_a_function_only_event_on_a_batch_job_is_an_error_at_its_type(
    etype: str, props: str
) -> None:
    d = one(JOB % (etype, props), "event-not-accepted")
    assert where(d) == ("error", "s.yml", 8, 17)
    assert d.resource == "job"
    assert f"a batch-job cannot have a `{etype}` event" in d.message
    # The message lists what the schema does allow, and the hint points to a function.
    assert "event-bus" in d.message and "kafka-topic" not in d.message.split("only ")[1]
    assert d.hint is not None and "function" in d.hint and "StartExecution" in d.hint


@pytest.mark.parametrize(
    ("etype", "props"), [("kafka-topic", KAFKA), ("cloudwatch-alarm", "{alarmName: a}")]
)
def test_a_function_takes_the_events_a_batch_job_cannot(etype: str, props: str) -> None:
    assert "event-not-accepted" not in codes(FN % (etype, props))


@pytest.mark.parametrize("etype", ["network-load-balancer", "service-connect", "workload-internal"])
@pytest.mark.parametrize("text", [FN, JOB], ids=["function", "batch-job"])
def test_a_container_ingress_event_on_a_function_or_job_is_an_error(etype: str, text: str) -> None:
    d = one(text % (etype, "{containerPort: 80}"), "event-not-accepted")
    assert d.severity == "error"
    assert d.hint is not None and "multi-container-workload" in d.hint


def test_every_schema_event_type_of_a_batch_job_is_accepted() -> None:
    # The event types normalize reads in full, each written validly, raise no finding.
    texts = {
        "schedule": "{scheduleRate: rate(1 hour)}",
        "event-bus": "{useDefaultBus: true, eventPattern: {source: [a]}}",
        "cloudwatch-log": "{logGroupArn: 'arn:aws:logs:us-east-1:1:log-group:g'}",
        "dynamo-db-stream": "{streamArn: 'arn:aws:dynamodb:us-east-1:1:table/t/stream/s'}",
    }
    for etype, props in texts.items():
        assert etype in BATCH_JOB_EVENT_TYPES
        assert "event-not-accepted" not in codes(JOB % (etype, props)), etype
    assert BATCH_JOB_EVENT_TYPES < FUNCTION_EVENT_TYPES


def test_an_unknown_event_type_is_reported_once_by_normalize() -> None:
    found_codes = codes(JOB % ("kafka", "{}"))
    assert "unknown-trigger-type" in found_codes
    assert "event-not-accepted" not in found_codes


def test_a_container_event_of_a_wrong_type_is_reported_once_by_normalize() -> None:
    text = """\
    resources:
      app:
        type: multi-container-workload
        properties:
          containers:
            - name: web
              packaging: {type: prebuilt-image, properties: {image: nginx}}
              events:
                - type: kafka-topic
                  properties: {containerPort: 80}
          resources: {cpu: 0.25, memory: 512}
    """
    found_codes = codes(text)
    assert "invalid-trigger" in found_codes
    assert "event-not-accepted" not in found_codes


@pytest.mark.parametrize("rtype", ["web-service", "private-service", "worker-service"])
def test_events_on_a_service_are_an_error_at_the_key(rtype: str) -> None:
    text = f"""\
    resources:
      api:
        type: {rtype}
        properties:
          packaging: {{type: prebuilt-image, properties: {{image: nginx}}}}
          resources: {{cpu: 0.25, memory: 512}}
          events:
            - type: http-api-gateway
              properties: {{containerPort: 80}}
    """
    d = one(text, "event-not-accepted")
    assert where(d) == ("error", "s.yml", 7, 7)
    assert d.resource == "api"
    assert f"a {rtype} has no `events`" in d.message
    assert d.hint is not None and "remove `events`" in d.hint


@pytest.mark.parametrize("rtype", ["multi-container-workload", "container-workload"])
def test_events_directly_under_a_container_workload_are_an_error(rtype: str) -> None:
    text = f"""\
    resources:
      app:
        type: {rtype}
        properties:
          containers:
            - name: web
              packaging: {{type: prebuilt-image, properties: {{image: nginx}}}}
          resources: {{cpu: 0.25, memory: 512}}
          events:
            - type: workload-internal
              properties: {{containerPort: 80}}
    """
    d = one(text, "event-not-accepted")
    assert where(d) == ("error", "s.yml", 9, 7)
    assert "containers[].events" in d.message


# -- VPC ----------------------------------------------------------------------------------------

MOUNTS = """\
resources:
  fn:
    type: function
    properties:
      {PKG}
%s      volumeMounts:
        - type: efs
          properties: {efsFilesystemName: files, mountPath: /mnt/data}
  files:
    type: efs-filesystem
"""


@pytest.mark.parametrize("join", ["", "      joinDefaultVpc: false\n"])
def test_volume_mounts_outside_the_vpc_are_an_error_at_the_key(join: str) -> None:
    d = one(MOUNTS % join, "volume-mounts-need-vpc")
    line = 6 if not join else 7
    assert where(d) == ("error", "s.yml", line, 7)
    assert d.resource == "fn"
    assert "When using volumeMounts, the property joinDefaultVpc must be set to true" in d.message
    assert d.hint is not None and "joinDefaultVpc: true" in d.hint


def test_volume_mounts_in_the_vpc_are_fine() -> None:
    assert not found(MOUNTS % "      joinDefaultVpc: true\n", "volume-mounts-need-vpc")


def test_an_empty_volume_mounts_list_still_needs_the_vpc() -> None:
    # Stacktape tests `volumeMounts && !joinDefaultVpc`, and an empty list is truthy there.
    text = """\
    resources:
      fn:
        type: function
        properties:
          {PKG}
          volumeMounts: []
    """
    assert one(text, "volume-mounts-need-vpc").line == 6


REDIS = "  cache:\n    type: redis-cluster\n    properties: {instanceSize: cache.t3.micro}\n"


def connect(target: str, extra: str = "", join: str = "") -> str:
    return (
        "resources:\n  fn:\n    type: function\n    properties:\n      {PKG}\n"
        f"{join}      connectTo:\n        - files\n        - {target}\n"
        "  files:\n    type: bucket\n" + extra
    )


def db(mode: str | None) -> str:
    access = f"      accessibility: {{accessibilityMode: {mode}}}\n" if mode else ""
    return (
        "  cache:\n    type: relational-database\n    properties:\n"
        "      engine: {type: postgres, properties: {version: '16', primaryInstance: "
        "{instanceSize: db.t4g.micro}}}\n" + access
    )


def test_a_redis_cluster_in_connect_to_needs_the_vpc() -> None:
    d = one(connect("cache", REDIS), "connect-to-needs-vpc")
    assert where(d) == ("error", "s.yml", 8, 11)
    assert d.resource == "fn"
    assert d.message == (
        "Function fn can not connect to the following resources, unless it is connected to a "
        "VPC: cache of type redis-cluster"
    )
    assert d.hint is not None and d.hint.startswith("set joinDefaultVpc: true")


@pytest.mark.parametrize("mode", ["vpc", "scoping-workloads-in-vpc"])
def test_a_vpc_only_database_in_connect_to_needs_the_vpc(mode: str) -> None:
    d = one(connect("cache", db(mode)), "connect-to-needs-vpc")
    assert d.line == 8
    assert f"cache of type relational-database (accessibilityMode: {mode})" in d.message


@pytest.mark.parametrize("mode", [None, "internet", "whitelisted-ips-only"])
def test_a_database_reachable_from_outside_needs_no_vpc(mode: str | None) -> None:
    assert not found(connect("cache", db(mode)), "connect-to-needs-vpc")


def test_a_function_in_the_vpc_may_connect_to_redis() -> None:
    text = connect("cache", REDIS, join="      joinDefaultVpc: true\n")
    assert not found(text, "connect-to-needs-vpc")


def test_a_batch_job_may_connect_to_redis() -> None:
    # Batch jobs (like containers) always run in the VPC.
    text = JOB.split("      events:")[0] + "      connectTo: [cache]\n" + REDIS
    assert not found(text, "connect-to-needs-vpc")


ATLAS = "  cache:\n    type: mongo-db-atlas-cluster\n    properties: {clusterTier: M10}\n"


def test_an_atlas_cluster_closed_to_the_internet_needs_the_vpc() -> None:
    provider = "providerConfig:\n  mongoDbAtlas:\n    accessibility: {accessibilityMode: vpc}\n"
    d = one(connect("cache", ATLAS) + provider, "connect-to-needs-vpc")
    assert d.line == 8
    assert 'only allow connections from "vpc": "cache"' in d.message
    assert d.hint is not None and "accessibilityMode: internet" in d.hint


def test_an_atlas_cluster_open_to_the_internet_needs_no_vpc() -> None:
    assert not found(connect("cache", ATLAS), "connect-to-needs-vpc")


# -- custom artifacts ---------------------------------------------------------------------------


def artifact(pack_props: str, runtime: str = "      runtime: nodejs22.x\n") -> str:
    return (
        "resources:\n  fn:\n    type: function\n    properties:\n      packaging:\n"
        "        type: custom-artifact\n" + pack_props + runtime
    )


def test_a_custom_artifact_without_a_handler_is_an_error() -> None:
    text = artifact("        properties:\n          packagePath: dist/fn.zip\n")
    d = one(text, "custom-artifact-handler")
    assert where(d) == ("error", "s.yml", 7, 9)
    assert d.message == (
        "Lambda function fn must have handler property specified when using custom-artifact "
        "packaging type. (Stacktape e10)"
    )
    assert d.hint is not None and "handler: index.js:handler" in d.hint


@pytest.mark.parametrize(
    ("handler", "suggestion"),
    [("index.handler", "index:handler"), ("'dist/main.js:'", "dist/main.js:handler")],
)
def test_a_handler_not_written_file_colon_function_is_an_error(
    handler: str, suggestion: str
) -> None:
    text = artifact(
        f"        properties:\n          packagePath: dist/fn.zip\n          handler: {handler}\n"
    )
    d = one(text, "custom-artifact-handler")
    assert where(d) == ("error", "s.yml", 9, 20)
    assert "has invalid format. (Stacktape e102)" in d.message
    assert d.hint is not None and d.hint.endswith(f"e.g. {suggestion}")


def test_a_custom_artifact_without_a_runtime_is_an_error_at_its_type() -> None:
    text = artifact(
        "        properties: {packagePath: dist/fn.zip, handler: 'index.js:handler'}\n", runtime=""
    )
    d = one(text, "custom-artifact-runtime")
    assert where(d) == ("error", "s.yml", 6, 15)
    assert "must set runtime when using custom-artifact packaging type" in d.message
    assert d.hint is not None and "runtime: nodejs22.x" in d.hint


def test_a_complete_custom_artifact_and_a_buildpack_need_nothing_more() -> None:
    complete = artifact(
        "        properties: {packagePath: dist/fn.zip, handler: 'bootstrap:handler'}\n"
    )
    buildpack = "resources:\n  fn:\n    type: function\n    properties:\n      {PKG}\n"
    for text in (complete, buildpack):
        assert not [c for c in codes(text) if c in DEPLOYER_CODES]


# -- container workloads' HTTP routes -----------------------------------------------------------

CONTAINER = """\
resources:
  api:
    type: http-api-gateway
  files:
    type: bucket
  app:
    type: multi-container-workload
    properties:
      containers:
        - name: web
          packaging: {type: prebuilt-image, properties: {image: nginx}}
          events:
            - type: http-api-gateway
              properties:
                httpApiGatewayName: %s
                containerPort: 80
                method: GET
                path: /orders
      resources: {cpu: 0.25, memory: 512}
"""


def test_a_container_route_to_an_unknown_gateway_is_an_error() -> None:
    d = one(CONTAINER % "apii", "missing-resource")
    assert where(d) == ("error", "s.yml", 15, 37)
    assert d.resource == "app"
    assert d.message == (
        "httpApiGatewayName 'apii' is not a resource in this stack (expected http-api-gateway)"
    )
    assert d.hint == "did you mean 'api'?"


def test_a_container_route_to_a_bucket_is_an_error() -> None:
    d = one(CONTAINER % "files", "wrong-resource-type")
    assert where(d) == ("error", "s.yml", 15, 37)
    assert "'files' is a bucket, not an http-api-gateway" in d.message


def test_a_container_route_to_its_gateway_is_fine() -> None:
    assert not [c for c in codes(CONTAINER % "api") if c.endswith(("resource", "route"))]


FN_ROUTE = """\
  fn:
    type: function
    properties:
      {PKG}
      events:
        - type: http-api-gateway
          properties: {httpApiGatewayName: api, method: %s, path: /orders}
"""


def test_a_function_route_a_container_already_declares_is_a_duplicate() -> None:
    d = one(CONTAINER % "api" + FN_ROUTE % "GET", "duplicate-route")
    assert where(d) == ("error", "s.yml", 26, 68)
    assert d.resource == "fn"
    assert d.message == (
        "route GET /orders on gateway 'api' is already declared by 'app.web' (line 13)"
    )
    assert d.hint == "change the method or path of one of the two routes"


def test_a_container_route_a_function_already_declares_is_a_duplicate() -> None:
    fn_first = CONTAINER.replace("resources:\n", "resources:\n" + FN_ROUTE % "GET", 1)
    d = one(fn_first % "api", "duplicate-route")
    assert where(d) == ("error", "s.yml", 25, 23)
    assert d.resource == "app"
    assert "already declared by 'fn' (line 7)" in d.message


def test_two_container_workloads_declaring_one_route_are_a_duplicate() -> None:
    second = CONTAINER.split("  app:\n", 1)[1].replace("  app", "  app2")
    d = one(CONTAINER % "api" + "  app2:\n" + second % "api", "duplicate-route")
    assert d.resource == "app2"
    assert "already declared by 'app.web'" in d.message


def test_different_methods_on_one_path_are_no_duplicate() -> None:
    assert not found(CONTAINER % "api" + FN_ROUTE % "POST", "duplicate-route")


# -- the shipped stacks -------------------------------------------------------------------------


@pytest.mark.parametrize("path", SAMPLE_STACKS, ids=lambda p: p.parent.name)
def test_sample_stacks_raise_none_of_these_findings(path: Path) -> None:
    stack = load_stack(path)
    assert not [d.format() for d in stack.diagnostics if d.code in DEPLOYER_CODES]
    assert not [d.format() for d in stack.errors]


@pytest.mark.parametrize("rtype", ["multi-container-workload", "container-workload"])
def test_a_queue_a_container_workload_connects_to_has_a_consumer(rtype: str) -> None:
    # Containers poll through connectTo; the legacy type name polls like today's.
    text = f"""\
resources:
  jobs: {{type: sqs-queue}}
  app:
    type: {rtype}
    properties:
      containers:
        - name: worker
          packaging: {{type: prebuilt-image, properties: {{image: alpine}}}}
      connectTo: [jobs]
"""
    assert "queue-no-consumer" not in codes(text)
