"""stptui's property tables against Stacktape's JSON schema.

`SCHEMA` is the list of property names of each object stptui reads, as Stacktape's
`@generated/schemas/config-schema.json` (stacktape/stacktape, commit `SCHEMA_COMMIT`) has
them; every one of those objects is `additionalProperties: false`, so the deployer rejects any
other name. The tables must hold exactly these names: a missing one would be a false
`unknown-property` error on a valid config, an extra one a mistake let through.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from stptui.config import Stack, load_stack_text
from stptui.config import normalize_schema as norm

SCHEMA_COMMIT = "c80796efc3952fe4a253b26e56cc72346f7458a3"

_EVENT_BUS_INTEGRATION = {
    "eventBusArn",
    "eventBusName",
    "useDefaultBus",
    "eventPattern",
    "onDeliveryFailure",
    "input",
    "inputPath",
    "inputTransformer",
}
_HTTP_INTEGRATION = {"httpApiGatewayName", "method", "path", "authorizer", "payloadFormat"}
SCHEMA: dict[str, set[str]] = {
    # The root, plus `region` from the newer types/stacktape-config/_root.d.ts (69ac010e).
    "root": {
        "region",
        "serviceName",
        "providerConfig",
        "variables",
        "budgetControl",
        "hooks",
        "scripts",
        "directives",
        "deploymentConfig",
        "stackConfig",
        "resources",
        "cloudformationResources",
    },
    "resource": {"type", "properties", "overrides"},
    "event": {"type", "properties"},
    "LambdaFunctionProps": {
        "packaging",
        "events",
        "environment",
        "runtime",
        "architecture",
        "memory",
        "timeout",
        "joinDefaultVpc",
        "tags",
        "destinations",
        "logging",
        "provisionedConcurrency",
        "reservedConcurrency",
        "layers",
        "deployment",
        "alarms",
        "disabledGlobalAlarms",
        "url",
        "cdn",
        "storage",
        "volumeMounts",
        "connectTo",
        "iamRoleStatements",
    },
    "LambdaFunctionDestinations": {"onSuccess", "onFailure"},
    "EnvironmentVar": {"name", "value"},
    "BatchJobProps": {
        "container",
        "resources",
        "timeout",
        "useSpotInstances",
        "logging",
        "retryConfig",
        "events",
        "connectTo",
        "iamRoleStatements",
    },
    "BatchJobContainer": {"packaging", "environment"},
    "BatchJobResources": {"cpu", "memory", "gpu"},
    "BatchJobRetryConfiguration": {"attempts", "retryIntervalSeconds", "retryIntervalMultiplier"},
    "SqsQueueProps": {
        "delayMessagesSecond",
        "maxMessageSizeBytes",
        "messageRetentionPeriodSeconds",
        "longPollingSeconds",
        "visibilityTimeoutSeconds",
        "fifoEnabled",
        "fifoHighThroughput",
        "contentBasedDeduplication",
        "redrivePolicy",
        "alarms",
        "disabledGlobalAlarms",
        "policyStatements",
        "events",
    },
    "SqsQueueRedrivePolicy": {"targetSqsQueueName", "targetSqsQueueArn", "maxReceiveCount"},
    "SqsQueueEventBusIntegrationProps": {"messageGroupId", *_EVENT_BUS_INTEGRATION},
    "EventBusProps": {"eventSourceName", "archivation"},
    "EventBusArchivation": {"enabled", "retentionDays"},
    "BucketProps": {
        "directoryUpload",
        "accessibility",
        "cors",
        "versioning",
        "encryption",
        "lifecycleRules",
        "enableEventBusNotifications",
        "cdn",
    },
    "HttpApiGatewayProps": {
        "payloadFormat",
        "cors",
        "logging",
        "customDomains",
        "cdn",
        "alarms",
        "disabledGlobalAlarms",
    },
    "SnsTopicProps": {"smsDisplayName", "fifoEnabled", "contentBasedDeduplication"},
    "ScheduleIntegrationProps": {"scheduleRate", "input", "inputPath", "inputTransformer"},
    "EventInputTransformer": {"inputPathsMap", "inputTemplate"},
    "SqsIntegrationProps": {"sqsQueueName", "sqsQueueArn", "batchSize", "maxBatchWindowSeconds"},
    "S3IntegrationProps": {"bucketArn", "s3EventType", "filterRule"},
    "S3FilterRule": {"prefix", "suffix"},
    "EventBusIntegrationProps": _EVENT_BUS_INTEGRATION,
    "EventBusOnDeliveryFailure": {"sqsQueueArn", "sqsQueueName"},
    "SnsIntegrationProps": {"snsTopicName", "snsTopicArn", "filterPolicy", "onDeliveryFailure"},
    "HttpApiIntegrationProps": _HTTP_INTEGRATION,
    "ContainerWorkloadHttpApiIntegrationProps": {"containerPort", *_HTTP_INTEGRATION},
}
LAMBDA_RUNTIMES = {
    "dotnet6",
    "dotnet7",
    "java11",
    "java17",
    "java8",
    "java8.al2",
    "nodejs18.x",
    "nodejs20.x",
    "nodejs22.x",
    "nodejs24.x",
    "provided.al2",
    "provided.al2023",
    "python3.10",
    "python3.11",
    "python3.12",
    "python3.13",
    "python3.8",
    "python3.9",
    "ruby3.2",
}
HTTP_METHODS = {"*", "DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"}
S3_EVENT_TYPES = {
    "s3:ObjectCreated:*",
    "s3:ObjectCreated:CompleteMultipartUpload",
    "s3:ObjectCreated:Copy",
    "s3:ObjectCreated:Post",
    "s3:ObjectCreated:Put",
    "s3:ObjectRemoved:*",
    "s3:ObjectRemoved:Delete",
    "s3:ObjectRemoved:DeleteMarkerCreated",
    "s3:ObjectRestore:*",
    "s3:ObjectRestore:Completed",
    "s3:ObjectRestore:Post",
    "s3:ReducedRedundancyLostObject",
    "s3:Replication:*",
    "s3:Replication:OperationFailedReplication",
    "s3:Replication:OperationMissedThreshold",
    "s3:Replication:OperationNotTracked",
    "s3:Replication:OperationReplicatedAfterThreshold",
}

TABLES: dict[str, tuple[object, str]] = {
    "TOP_LEVEL": (norm.TOP_LEVEL, "root"),
    "RESOURCE_KEYS": (norm.RESOURCE_KEYS, "resource"),
    "EVENT_KEYS": (norm.EVENT_KEYS, "event"),
    "FUNCTION_PROPS": (norm.FUNCTION_PROPS, "LambdaFunctionProps"),
    "BATCH_PROPS": (norm.BATCH_PROPS, "BatchJobProps"),
    "QUEUE_PROPS": (norm.QUEUE_PROPS, "SqsQueueProps"),
    "BUS_PROPS": (norm.BUS_PROPS, "EventBusProps"),
    "BUCKET_PROPS": (norm.BUCKET_PROPS, "BucketProps"),
    "GATEWAY_PROPS": (norm.GATEWAY_PROPS, "HttpApiGatewayProps"),
    "TOPIC_PROPS": (norm.TOPIC_PROPS, "SnsTopicProps"),
    "schedule": (norm.TRIGGER_PROPS["schedule"], "ScheduleIntegrationProps"),
    "sqs": (norm.TRIGGER_PROPS["sqs"], "SqsIntegrationProps"),
    "s3": (norm.TRIGGER_PROPS["s3"], "S3IntegrationProps"),
    "event-bus": (norm.TRIGGER_PROPS["event-bus"], "EventBusIntegrationProps"),
    "sns": (norm.TRIGGER_PROPS["sns"], "SnsIntegrationProps"),
    "http-api-gateway": (norm.TRIGGER_PROPS["http-api-gateway"], "HttpApiIntegrationProps"),
}


@pytest.mark.parametrize("table", list(TABLES))
def test_table_holds_exactly_the_schema_names(table: str) -> None:
    names, definition = TABLES[table]
    assert set(names) == SCHEMA[definition]  # type: ignore[call-overload]


def test_every_event_table_is_checked() -> None:
    assert set(norm.TRIGGER_PROPS) <= set(TABLES)


def test_enums_match_the_schema() -> None:
    # `dotnet8` and `ruby3.3` are accepted by the deployer at a later HEAD than the schema.
    assert set(norm.RUNTIMES) == LAMBDA_RUNTIMES | {"dotnet8", "ruby3.3"}
    assert set(norm.TRIGGER_PROPS["http-api-gateway"]["method"].enum or ()) == HTTP_METHODS
    assert set(norm.S3_EVENT_TYPES) == S3_EVENT_TYPES


# -- behaviour: a config that uses every name the schema allows ------------------------------


def _all(definition: str, **values: Any) -> dict[str, Any]:
    """Every property of a schema object, null unless given: a wrong type is reported, but
    under its own code, never as an unknown property."""
    return {name: values.get(name) for name in sorted(SCHEMA[definition])}


def _every_name_config() -> str:
    def event(etype: str, definition: str, **values: Any) -> dict[str, Any]:
        return {"type": etype, "properties": _all(definition, **values)}

    transformer = _all("EventInputTransformer")
    on_failure = _all("EventBusOnDeliveryFailure")
    events = [
        event("schedule", "ScheduleIntegrationProps", inputTransformer=transformer),
        event("sqs", "SqsIntegrationProps"),
        event("s3", "S3IntegrationProps", filterRule=_all("S3FilterRule")),
        event(
            "event-bus",
            "EventBusIntegrationProps",
            inputTransformer=transformer,
            onDeliveryFailure=on_failure,
        ),
        event("sns", "SnsIntegrationProps", onDeliveryFailure=on_failure),
        event("http-api-gateway", "HttpApiIntegrationProps"),
    ]
    env = [_all("EnvironmentVar")]
    doc = _all("root", resources=None)
    doc["resources"] = {
        "fn": {
            "type": "function",
            "properties": _all(
                "LambdaFunctionProps",
                events=events,
                environment=env,
                destinations=_all("LambdaFunctionDestinations"),
            ),
            "overrides": {},
        },
        "job": {
            "type": "batch-job",
            "properties": _all(
                "BatchJobProps",
                events=events,
                container=_all("BatchJobContainer", environment=env),
                resources=_all("BatchJobResources"),
                retryConfig=_all("BatchJobRetryConfiguration"),
            ),
        },
        "q": {
            "type": "sqs-queue",
            "properties": _all(
                "SqsQueueProps",
                redrivePolicy=_all("SqsQueueRedrivePolicy"),
                events=[
                    event(
                        "event-bus",
                        "SqsQueueEventBusIntegrationProps",
                        inputTransformer=transformer,
                        onDeliveryFailure=on_failure,
                    )
                ],
            ),
        },
        "bus": {
            "type": "event-bus",
            "properties": _all("EventBusProps", archivation=_all("EventBusArchivation")),
        },
        "b": {"type": "bucket", "properties": _all("BucketProps")},
        "api": {"type": "http-api-gateway", "properties": _all("HttpApiGatewayProps")},
        "t": {"type": "sns-topic", "properties": _all("SnsTopicProps")},
        "web": {
            "type": "multi-container-workload",
            "properties": {
                "containers": [
                    {
                        "name": "app",
                        "events": [
                            event("http-api-gateway", "ContainerWorkloadHttpApiIntegrationProps")
                        ],
                    }
                ],
            },
        },
    }
    return json.dumps(doc, indent=1)


def _load(text: str) -> Stack:
    return load_stack_text(text, "s.yml")


def test_every_schema_name_is_accepted() -> None:
    stack = _load(_every_name_config())
    assert stack.resources["fn"].type == "function"  # the config was read in full
    unknown = [d.format() for d in stack.diagnostics if d.code == "unknown-property"]
    assert unknown == []


def test_a_misspelt_name_anywhere_is_an_error_with_a_suggestion() -> None:
    """One misspelt property in each object read: each is an error naming the real one."""
    text = _every_name_config()
    doc = json.loads(text)
    fn = doc["resources"]["fn"]["properties"]
    job = doc["resources"]["job"]["properties"]
    q = doc["resources"]["q"]["properties"]
    container_event = doc["resources"]["web"]["properties"]["containers"][0]["events"][0]
    # misspelt name -> (the object it is put in, the real name the hint must suggest)
    misspelt: dict[str, tuple[dict[str, Any], str]] = {
        "budgetControll": (doc, "budgetControl"),
        "destinationz": (fn, "destinations"),
        "onSucces": (fn["destinations"], "onSuccess"),
        "valeu": (fn["environment"][0], "value"),
        "packagin": (job["container"], "packaging"),
        "gpus": (job["resources"], "gpu"),
        "attempt": (job["retryConfig"], "attempts"),
        "maxReceiveCounts": (q["redrivePolicy"], "maxReceiveCount"),
        "retentionDay": (doc["resources"]["bus"]["properties"]["archivation"], "retentionDays"),
        "inputTemplat": (fn["events"][0]["properties"]["inputTransformer"], "inputTemplate"),
        "suffx": (fn["events"][2]["properties"]["filterRule"], "suffix"),
        "sqsQueueArm": (fn["events"][3]["properties"]["onDeliveryFailure"], "sqsQueueArn"),
        "messageGroupID": (q["events"][0]["properties"], "messageGroupId"),
        "containerPorts": (container_event["properties"], "containerPort"),
    }
    for name, (holder, _) in misspelt.items():
        holder[name] = None
    stack = _load(json.dumps(doc, indent=1))
    unknown = [d for d in stack.diagnostics if d.code == "unknown-property"]
    found = {d.message.split("`")[1]: d for d in unknown}
    assert set(found) == set(misspelt)
    for name, d in found.items():
        assert d.severity == "error", d.format()
        assert d.hint == f"did you mean `{misspelt[name][1]}`?", d.format()
        assert d.line is not None


# -- behaviour: names stptui used to accept that the schema does not have ---------------------

FN = (
    "resources:\n  fn:\n    type: function\n    properties:\n"
    "      packaging: {type: custom-artifact, properties: {packagePath: a.zip}}\n"
)
JOB = (
    "resources:\n  job:\n    type: batch-job\n    properties:\n"
    "      container: {packaging: {type: prebuilt-image, properties: {image: a}}}\n"
    "      resources: {cpu: 1, memory: 1024}\n"
)


@pytest.mark.parametrize(
    "text",
    [
        "resources:\n  b:\n    type: bucket\n    properties:\n      tags: []\n",
        JOB + "      alarms: []\n",
        JOB + "      disabledGlobalAlarms: []\n",
        JOB + "      tags: []\n",
        "resources:\n  fn:\n    type: function\n    propertes: {}\n",
        FN + "      events:\n        - {type: sqs, properties: {sqsQueueArn: a}, filter: x}\n",
    ],
    ids=["bucket tags", "job alarms", "job disabledGlobalAlarms", "job tags", "resource", "event"],
)
def test_names_outside_the_schema_are_errors(text: str) -> None:
    stack = _load(text)
    (d,) = [d for d in stack.diagnostics if d.code == "unknown-property"]
    assert d.severity == "error"
    assert d in stack.errors  # so `stptui validate` exits 1, as the deployer refuses it


def test_top_level_budget_control_and_region_are_accepted() -> None:
    stack = _load(
        "region: eu-west-1\nbudgetControl: {limit: 100}\nresources:\n  q: {type: sqs-queue}\n"
    )
    assert [d.code for d in stack.diagnostics if d.severity == "error"] == []
    assert not [d for d in stack.diagnostics if d.code == "unknown-property"]


@pytest.mark.parametrize(("runtime", "ok"), [("dotnet7", True), ("java21", False)])
def test_runtimes_follow_the_schema(runtime: str, ok: bool) -> None:
    stack = _load(FN + f"      runtime: {runtime}\n")
    errors = [d for d in stack.diagnostics if d.code == "invalid-value"]
    assert (errors == []) is ok, [d.format() for d in stack.diagnostics]


def test_archivation_needs_enabled() -> None:
    stack = _load(
        "resources:\n  bus:\n    type: event-bus\n    properties:\n"
        "      archivation: {retentionDays: 7}\n"
    )
    (d,) = [d for d in stack.diagnostics if d.code == "missing-property"]
    assert d.severity == "error"
    assert "`enabled`" in d.message
    assert (d.line, d.column) == (5, 20)
