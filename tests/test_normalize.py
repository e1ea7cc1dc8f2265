"""Raw config -> typed model (stptui.config.normalize): alternate spellings, diagnostics with
their positions, Stacktape's defaults, and the guide's snippets (tests/fixtures/seed)."""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from pathlib import Path
from textwrap import dedent
from typing import Any

import pytest

from stptui.config import load_stack, load_stack_text
from stptui.config.diagnostics import Diagnostic
from stptui.config.model import (
    BatchJob,
    Bucket,
    EventBus,
    EventBusTrigger,
    Function,
    HttpApiGateway,
    HttpTrigger,
    Queue,
    Ref,
    S3Trigger,
    ScheduleTrigger,
    SqsTrigger,
    Stack,
)

SEED = Path(__file__).resolve().parent / "fixtures" / "seed"
PKG = "packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}"


def load(text: str) -> Stack:
    """Load an inline stack; `{PKG}` stands for a minimal function packaging."""
    return load_stack_text(dedent(text).replace("{PKG}", PKG), "s.yml")


def with_code(stack: Stack, code: str) -> list[Diagnostic]:
    """The stack's diagnostics with `code`."""
    return [d for d in stack.diagnostics if d.code == code]


def summary(obj: Any) -> Any:
    """A model object as plain data, without what legitimately differs between spellings:
    raw `properties`, data paths, and how a reference was written (only its target counts)."""
    if isinstance(obj, Ref):
        return ("ref", obj.target)
    if is_dataclass(obj):
        return {
            f.name: summary(getattr(obj, f.name))
            for f in fields(obj)
            if f.name not in ("properties", "path")
        }
    if isinstance(obj, (list, tuple)):
        return [summary(x) for x in obj]
    if isinstance(obj, set):
        return sorted(obj)
    if isinstance(obj, dict):
        return {k: summary(v) for k, v in obj.items()}
    return obj


# -- alternate spellings (stacktape-config §8) -------------------------------------------------

QUEUE_T = """\
resources:
  dlq: {type: sqs-queue}
  q:
    type: sqs-queue
    properties:
      {KEY}: {VALUE}
"""
REDRIVE_T = """\
resources:
  dlq: {type: sqs-queue}
  q:
    type: sqs-queue
    properties:
      redrivePolicy:
        {KEY}: {VALUE}
        maxReceiveCount: 4
"""
SQS_QUEUE_T = """\
resources:
  q: {type: sqs-queue, properties: {visibilityTimeoutSeconds: 200}}
  fn:
    type: function
    properties:
      {PKG}
      events:
        - type: sqs
          properties:
            {KEY}: {VALUE}
            batchSize: 5
"""
SQS_WINDOW_T = """\
resources:
  q: {type: sqs-queue, properties: {visibilityTimeoutSeconds: 200}}
  fn:
    type: function
    properties:
      {PKG}
      events:
        - type: sqs
          properties:
            sqsQueueName: q
            {KEY}: {VALUE}
"""
SCHEDULE_T = """\
resources:
  fn:
    type: function
    properties:
      {PKG}
      events:
        - type: schedule
          properties:
            {KEY}: {VALUE}
"""
BUS_T = """\
resources:
  bus:
    type: event-bus
    properties:
      {KEY}: {VALUE}
"""
S3_T = """\
resources:
  uploads: {type: bucket}
  fn:
    type: function
    properties:
      {PKG}
      events:
        - type: s3
          properties:
            {BUCKET}
            {TYPES}
            {FILTER}
"""
S3_REAL = {
    "BUCKET": "bucketArn: $ResourceParam('uploads', 'arn')",
    "TYPES": "s3EventType: s3:ObjectCreated:*",
    "FILTER": "filterRule: {prefix: in/}",
}


def s3(**parts: str) -> str:
    """The S3 template with the real spelling except for the given parts."""
    text = S3_T
    for name, real in S3_REAL.items():
        text = text.replace("{" + name + "}", parts.get(name, real))
    return text


def keyed(template: str, key: str, value: str) -> str:
    return template.replace("{KEY}", key).replace("{VALUE}", value)


# id -> (alias text, real text, resource, line, column, real spelling named in the message)
ALIASES: dict[str, tuple[str, str, str, int, int, str]] = {
    **{
        f"queue {alias}": (
            keyed(QUEUE_T, alias, value),
            keyed(QUEUE_T, real, value),
            "q",
            6,
            7,
            real,
        )
        for alias, real, value in [
            ("fifoQueue", "fifoEnabled", "true"),
            ("delayMessageSeconds", "delayMessagesSecond", "5"),
            ("delaySeconds", "delayMessagesSecond", "5"),
            ("longPollingWaitTimeSeconds", "longPollingSeconds", "10"),
            ("receiveMessageWaitTimeSeconds", "longPollingSeconds", "10"),
            ("messageRetentionPeriod", "messageRetentionPeriodSeconds", "600"),
            ("visibilityTimeout", "visibilityTimeoutSeconds", "90"),
        ]
    },
    **{
        f"redrivePolicy {alias}": (
            keyed(REDRIVE_T, alias, value),
            keyed(REDRIVE_T, real, value),
            "q",
            7,
            9,
            real,
        )
        for alias, real, value in [
            ("deadLetterQueueName", "targetSqsQueueName", "dlq"),
            ("deadLetterQueue", "targetSqsQueueName", "dlq"),
            ("deadLetterTargetArn", "targetSqsQueueArn", "$ResourceParam('dlq', 'arn')"),
            ("deadLetterQueueArn", "targetSqsQueueArn", "$ResourceParam('dlq', 'arn')"),
        ]
    },
    "sqs queueName": (
        keyed(SQS_QUEUE_T, "queueName", "q"),
        keyed(SQS_QUEUE_T, "sqsQueueName", "q"),
        "fn",
        10,
        13,
        "sqsQueueName",
    ),
    **{
        f"sqs {alias}": (
            keyed(SQS_WINDOW_T, alias, "5"),
            keyed(SQS_WINDOW_T, "maxBatchWindowSeconds", "5"),
            "fn",
            11,
            13,
            "maxBatchWindowSeconds",
        )
        for alias in (
            "maxBatchingWindowSeconds",
            "maxBatchingWindow",
            "maximumBatchingWindowInSeconds",
        )
    },
    **{
        f"schedule {alias}": (
            keyed(SCHEDULE_T, alias, "rate(5 minutes)"),
            keyed(SCHEDULE_T, "scheduleRate", "rate(5 minutes)"),
            "fn",
            9,
            13,
            "scheduleRate",
        )
        for alias in ("rate", "schedule")
    },
    "bus archive mapping": (
        keyed(BUS_T, "archive", "{enabled: true, retentionDays: 7}"),
        keyed(BUS_T, "archivation", "{enabled: true, retentionDays: 7}"),
        "bus",
        5,
        7,
        "archivation",
    ),
    "bus archive boolean": (
        keyed(BUS_T, "archive", "true"),
        keyed(BUS_T, "archivation", "{enabled: true}"),
        "bus",
        5,
        7,
        "archivation",
    ),
    "s3 bucketName": (s3(BUCKET="bucketName: uploads"), s3(), "fn", 10, 13, "bucketArn"),
    "s3 s3Events": (
        s3(TYPES="s3Events: [s3:ObjectCreated:*]"),
        s3(),
        "fn",
        11,
        13,
        "s3EventType",
    ),
    "s3 filterRules with type": (
        s3(FILTER="filterRules: [{type: prefix, value: in/}]"),
        s3(),
        "fn",
        12,
        13,
        "filterRule",
    ),
    "s3 filterRules with name, prefix and suffix": (
        s3(FILTER="filterRules: [{name: Prefix, value: in/}, {name: suffix, value: .csv}]"),
        s3(FILTER="filterRule: {prefix: in/, suffix: .csv}"),
        "fn",
        12,
        13,
        "filterRule",
    ),
    "environment as a map": (
        """\
        resources:
          fn:
            type: function
            properties:
              {PKG}
              environment:
                LEVEL: info
                RETRIES: 3
                DEBUG: false
        """,
        """\
        resources:
          fn:
            type: function
            properties:
              {PKG}
              environment:
                - {name: LEVEL, value: info}
                - {name: RETRIES, value: 3}
                - {name: DEBUG, value: false}
        """,
        "fn",
        6,
        7,
        "list of {name, value}",
    ),
    "accessControl.allowAccessTo": (
        """\
        resources:
          q: {type: sqs-queue}
          fn:
            type: function
            properties:
              {PKG}
              accessControl:
                allowAccessTo: [q]
        """,
        """\
        resources:
          q: {type: sqs-queue}
          fn:
            type: function
            properties:
              {PKG}
              connectTo: [q]
        """,
        "fn",
        7,
        7,
        "`connectTo`",
    ),
    "batch-job top-level packaging": (
        """\
        resources:
          job:
            type: batch-job
            properties:
              packaging: {type: prebuilt-image, properties: {image: alpine}}
              resources: {cpu: 1, memory: 512}
        """,
        """\
        resources:
          job:
            type: batch-job
            properties:
              container:
                packaging: {type: prebuilt-image, properties: {image: alpine}}
              resources: {cpu: 1, memory: 512}
        """,
        "job",
        5,
        7,
        "`container`",
    ),
    "batch-job top-level environment": (
        """\
        resources:
          job:
            type: batch-job
            properties:
              container:
                packaging: {type: prebuilt-image, properties: {image: alpine}}
              environment: [{name: MODE, value: full}]
              resources: {cpu: 1, memory: 512}
        """,
        """\
        resources:
          job:
            type: batch-job
            properties:
              container:
                packaging: {type: prebuilt-image, properties: {image: alpine}}
                environment: [{name: MODE, value: full}]
              resources: {cpu: 1, memory: 512}
        """,
        "job",
        7,
        7,
        "`container`",
    ),
}


@pytest.mark.parametrize("case", ALIASES, ids=list(ALIASES))
def test_alternate_spelling_loads_like_the_real_one_with_a_warning(case: str) -> None:
    alias_text, real_text, name, line, column, real = ALIASES[case]
    alias, canonical = load(alias_text), load(real_text)
    assert summary(alias.resources[name]) == summary(canonical.resources[name])
    assert not alias.errors and not canonical.errors
    (warning,) = with_code(alias, "alternate-spelling")
    assert (warning.severity, warning.file, warning.line, warning.column) == (
        "warning",
        "s.yml",
        line,
        column,
    )
    assert real in warning.message
    assert warning.resource == name
    assert with_code(canonical, "alternate-spelling") == []


def test_alternate_spellings_really_change_the_model() -> None:
    # Guards the comparison above against passing because nothing was read at all.
    q = load(keyed(QUEUE_T, "delayMessageSeconds", "5")).resources["q"]
    assert isinstance(q, Queue) and q.delay_s == 5 and "delayMessagesSecond" not in q.defaults
    (t,) = load(s3(FILTER="filterRules: [{name: suffix, value: .csv}]")).resources["fn"].events
    assert isinstance(t, S3Trigger) and (t.prefix, t.suffix) == (None, ".csv")
    env = load(ALIASES["environment as a map"][0]).resources["fn"]
    assert [(v.name, v.value) for v in env.environment] == [
        ("LEVEL", "info"),
        ("RETRIES", "3"),
        ("DEBUG", "false"),
    ]
    bus = load(keyed(BUS_T, "archive", "{enabled: true, retentionDays: 7}")).resources["bus"]
    assert isinstance(bus, EventBus) and (bus.archive_enabled, bus.archive_retention_days) == (
        True,
        7,
    )


def test_alternate_and_real_spelling_together_conflict() -> None:
    stack = load(
        """\
        resources:
          q:
            type: sqs-queue
            properties:
              fifoQueue: true
              fifoEnabled: false
        """
    )
    (d,) = with_code(stack, "conflicting-spelling")
    assert (d.severity, d.line, d.column) == ("error", 5, 7)
    assert "keep `fifoEnabled`" in d.message


def test_alternate_spelling_with_a_wrong_value_type() -> None:
    stack = load(keyed(QUEUE_T, "delayMessageSeconds", "soon"))
    (d,) = with_code(stack, "wrong-type")
    assert (d.line, d.column) == (6, 28)
    q = stack.resources["q"]
    assert isinstance(q, Queue) and q.delay_s == 0


def test_accesscontrol_entries_keep_their_own_positions() -> None:
    stack = load(
        """\
        resources:
          fn:
            type: function
            properties:
              {PKG}
              accessControl:
                allowAccessTo:
                  - nothere
        """
    )
    (d,) = with_code(stack, "missing-resource")
    assert (d.line, d.column) == (8, 13)


# -- routes without httpApiGatewayName ---------------------------------------------------------

ROUTE = """\
  api:
    type: function
    properties:
      {PKG}
      events:
        - type: http-api-gateway
          properties:
            method: GET
            path: /
"""


def test_route_without_gateway_binds_to_the_only_gateway() -> None:
    stack = load("resources:\n  gw: {type: http-api-gateway}\n" + ROUTE)
    (t,) = stack.resources["api"].events
    assert isinstance(t, HttpTrigger) and t.gateway is not None and t.gateway.target == "gw"
    (d,) = with_code(stack, "missing-gateway-name")
    assert (d.severity, d.line, d.column) == ("warning", 10, 13)
    assert "httpApiGatewayName: gw" in (d.hint or "")
    assert "httpApi" not in stack.resources
    assert not stack.errors


def test_route_without_gateway_and_none_in_the_stack_gets_an_implicit_one() -> None:
    stack = load("resources:\n" + ROUTE)
    gw = stack.resources["httpApi"]
    assert isinstance(gw, HttpApiGateway) and gw.implicit and gw.payload_format == "1.0"
    (t,) = stack.resources["api"].events
    assert isinstance(t, HttpTrigger) and t.gateway is not None and t.gateway.target == "httpApi"
    (d,) = with_code(stack, "missing-gateway-name")
    assert (d.severity, d.line, d.column) == ("warning", 9, 13)
    assert "(implicit)" in d.message
    assert not stack.errors


def test_implicit_gateway_name_avoids_taken_names() -> None:
    stack = load("resources:\n  httpApi: {type: sqs-queue}\n" + ROUTE)
    assert isinstance(stack.resources["httpApi2"], HttpApiGateway)


def test_route_without_gateway_and_several_gateways_is_an_error() -> None:
    stack = load(
        "resources:\n  a: {type: http-api-gateway}\n  b: {type: http-api-gateway}\n" + ROUTE
    )
    (d,) = with_code(stack, "missing-property")
    assert (d.severity, d.line, d.column) == ("error", 11, 13)
    assert "a, b" in (d.hint or "")


# -- every normalize diagnostic, with its position ---------------------------------------------

FN = """\
resources:
  fn:
    type: function
    properties:
      {PKG}
"""

# id -> (text, code, severity, line, column, text in the message or hint)
DIAGNOSTICS: dict[str, tuple[str, str, str, int, int, str]] = {
    "empty file": ("", "empty-config", "error", 1, 1, "needs `resources`"),
    "top level not a mapping": ("- a\n- b\n", "wrong-type", "error", 1, 1, "not a list"),
    "no resources": ("serviceName: x\n", "missing-property", "error", 1, 1, "no `resources`"),
    "resources a list": ("resources:\n  - a\n", "wrong-type", "error", 2, 3, "`resources`"),
    "unknown top-level key": (
        "resorces: {}\nresources: {}\n",
        "unknown-property",
        "error",
        1,
        1,
        "did you mean `resources`?",
    ),
    "bad serviceName": (
        "serviceName: 1app\nresources: {}\n",
        "invalid-name",
        "error",
        1,
        14,
        "serviceName",
    ),
    "resource not a mapping": (
        "resources:\n  q: 5\n",
        "wrong-type",
        "error",
        2,
        6,
        "must be a mapping",
    ),
    "resource without type": (
        "resources:\n  q: {properties: {}}\n",
        "missing-property",
        "error",
        2,
        6,
        "has no `type`",
    ),
    "type not a string": ("resources:\n  q: {type: 5}\n", "wrong-type", "error", 2, 13, "`type`"),
    "unknown key on a resource": (
        "resources:\n  q: {type: sqs-queue, propertis: {}}\n",
        "unknown-property",
        "error",
        2,
        24,
        "did you mean `properties`?",
    ),
    "properties a string": (
        "resources:\n  q: {type: sqs-queue, properties: hello}\n",
        "wrong-type",
        "error",
        2,
        36,
        "the string 'hello'",
    ),
    "unknown type": (
        "resources:\n  q: {type: sqs-queues}\n",
        "unknown-type",
        "error",
        2,
        13,
        "did you mean 'sqs-queue'?",
    ),
    "legacy type": (
        "resources:\n  w: {type: container-workload, properties: {}}\n",
        "legacy-type",
        "warning",
        2,
        13,
        "multi-container-workload",
    ),
    "invalid name": (
        "resources:\n  my-queue: {type: sqs-queue}\n",
        "invalid-name",
        "error",
        2,
        3,
        "rename it to 'myQueue'",
    ),
    "invalid name with accents": (
        "resources:\n  caf\u00e9-queue: {type: sqs-queue}\n",
        "invalid-name",
        "error",
        2,
        3,
        "rename it to 'cafeQueue'",
    ),
    "invalid name with underscore": (
        "resources:\n  my_queue: {type: sqs-queue}\n",
        "invalid-name",
        "error",
        2,
        3,
        "alphanumeric",
    ),
    "names equal but for case": (
        "resources:\n  jobs: {type: sqs-queue}\n  Jobs: {type: sqs-queue}\n",
        "duplicate-name",
        "error",
        3,
        3,
        "differ only in case",
    ),
    "missing packaging": (
        "resources:\n  fn:\n    type: function\n    properties:\n      timeout: 5\n",
        "missing-property",
        "error",
        5,
        7,
        "needs `packaging`",
    ),
    "events not a list": (
        FN + "      events: {type: sqs}\n",
        "wrong-type",
        "error",
        6,
        15,
        "`events` must be a list",
    ),
    "event not a mapping": (
        FN + "      events: [5]\n",
        "wrong-type",
        "error",
        6,
        16,
        "an event must be a mapping",
    ),
    "event without type": (
        FN + "      events: [{properties: {}}]\n",
        "missing-property",
        "error",
        6,
        16,
        "string `type`",
    ),
    "event properties not a mapping": (
        FN + "      events: [{type: sqs, properties: [1]}]\n",
        "wrong-type",
        "error",
        6,
        40,
        "event `properties` must be a mapping",
    ),
    "unknown event type": (
        FN + "      events: [{type: sqss}]\n",
        "unknown-trigger-type",
        "error",
        6,
        23,
        "did you mean 'sqs'?",
    ),
    "unknown key on an event": (
        FN + "      events: [{type: schedule, propertes: {}}]\n",
        "unknown-property",
        "error",
        6,
        33,
        "`type` and `properties`",
    ),
    "timeout not an integer": (
        FN + "      timeout: abc\n",
        "wrong-type",
        "error",
        6,
        16,
        "`timeout` must be an integer, not the string 'abc'",
    ),
    "timeout a fraction": (
        FN + "      timeout: 1.5\n",
        "wrong-type",
        "error",
        6,
        16,
        "an integer",
    ),
    "boolean given a string": (
        "resources:\n  q: {type: sqs-queue, properties: {fifoEnabled: 'yes'}}\n",
        "wrong-type",
        "error",
        2,
        50,
        "true or false",
    ),
    "alternate spelling queueName not a string": (
        FN + "      events:\n        - type: sqs\n          properties: {queueName: 5}\n",
        "wrong-type",
        "error",
        8,
        35,
        "`queueName` must be a string",
    ),
    "alternate spelling rate not a string": (
        FN + "      events:\n        - type: schedule\n          properties: {rate: 5}\n",
        "wrong-type",
        "error",
        8,
        30,
        "`rate` must be a string",
    ),
    "memory out of range": (
        FN + "      memory: 64\n",
        "out-of-range",
        "error",
        6,
        15,
        "128-10240",
    ),
    "timeout above 900": (
        FN + "      timeout: 901\n",
        "out-of-range",
        "error",
        6,
        16,
        "1-900",
    ),
    "batch job timeout under AWS Batch's 60 s minimum": (
        "resources:\n  j:\n    type: batch-job\n    properties:\n"
        "      container: {imageConfig: {filePath: a.ts}}\n      timeout: 30\n",
        "out-of-range",
        "error",
        6,
        16,
        "at least 60",
    ),
    "visibility timeout out of range": (
        "resources:\n  q: {type: sqs-queue, properties: {visibilityTimeoutSeconds: 50000}}\n",
        "out-of-range",
        "error",
        2,
        63,
        "0-43200",
    ),
    "runtime not in the enum": (
        FN + "      runtime: nodejs99.x\n",
        "invalid-value",
        "error",
        6,
        16,
        "did you mean",
    ),
    "http method not in the enum": (
        FN + "      events:\n        - type: http-api-gateway\n"
        "          properties: {method: FETCH, path: /}\n",
        "invalid-value",
        "error",
        8,
        32,
        "allowed: GET, POST",
    ),
    "route path without slash": (
        FN + "      events:\n        - type: http-api-gateway\n"
        "          properties: {method: GET, path: jobs}\n",
        "invalid-value",
        "error",
        8,
        43,
        "must start with '/'",
    ),
    "s3 event type unknown": (
        "resources:\n  b: {type: bucket}\n" + FN.removeprefix("resources:\n") + "      events:\n"
        "        - type: s3\n          properties:\n"
        "            bucketArn: $ResourceParam('b', 'arn')\n"
        "            s3EventType: s3:ObjectCreated\n",
        "invalid-value",
        "error",
        11,
        26,
        "did you mean 's3:ObjectCreated:*'?",
    ),
    "two prefix rules": (
        "resources:\n  b: {type: bucket}\n" + FN.removeprefix("resources:\n") + "      events:\n"
        "        - type: s3\n          properties:\n"
        "            bucketArn: $ResourceParam('b', 'arn')\n"
        "            s3EventType: s3:ObjectCreated:*\n"
        "            filterRules: [{type: prefix, value: a}, {type: prefix, value: b}]\n",
        "invalid-value",
        "error",
        12,
        53,
        "Cannot specify more than one prefix rule in a filter.",
    ),
    "unknown property with did-you-mean": (
        FN + "      timout: 30\n",
        "unknown-property",
        "error",
        6,
        7,
        "did you mean `timeout`?",
    ),
    "missing scheduleRate": (
        FN + "      events:\n        - type: schedule\n          properties: {input: {}}\n",
        "missing-property",
        "error",
        8,
        23,
        "needs `scheduleRate`",
    ),
    "missing eventPattern": (
        FN
        + "      events:\n        - type: event-bus\n          properties: {useDefaultBus: true}\n",
        "missing-event-pattern",
        "error",
        8,
        23,
        "needs `eventPattern`",
    ),
    "empty eventPattern": (
        FN + "      events:\n        - type: event-bus\n"
        "          properties: {useDefaultBus: true, eventPattern: {}}\n",
        "missing-event-pattern",
        "error",
        8,
        59,
        "empty",
    ),
    "missing s3EventType": (
        FN + "      events:\n        - type: s3\n"
        "          properties: {bucketArn: 'arn:aws:s3:::x'}\n",
        "missing-property",
        "error",
        8,
        23,
        "needs `s3EventType`",
    ),
    "missing route path": (
        FN
        + "      events:\n        - type: http-api-gateway\n          properties: {method: GET}\n",
        "missing-property",
        "error",
        8,
        23,
        "needs `path`",
    ),
    "batch job without container": (
        "resources:\n  job:\n    type: batch-job\n"
        "    properties: {timeout: 5, resources: {cpu: 1, memory: 512}}\n",
        "missing-property",
        "error",
        4,
        17,
        "needs `container`",
    ),
    "batch job without cpu": (
        "resources:\n  job:\n    type: batch-job\n    properties:\n"
        "      container: {packaging: {type: prebuilt-image, properties: {image: a}}}\n"
        "      resources: {memory: 512}\n",
        "missing-property",
        "error",
        6,
        18,
        "needs `cpu`",
    ),
    "redrivePolicy without maxReceiveCount": (
        "resources:\n  d: {type: sqs-queue}\n  q:\n    type: sqs-queue\n    properties:\n"
        "      redrivePolicy: {targetSqsQueueName: d}\n",
        "missing-property",
        "error",
        6,
        22,
        "needs `maxReceiveCount`",
    ),
    "environment entry without value": (
        FN + "      environment: [{name: A}]\n",
        "missing-property",
        "error",
        6,
        21,
        "needs `value`",
    ),
    "sqs event with neither name nor arn": (
        FN + "      events:\n        - type: sqs\n          properties: {batchSize: 5}\n",
        "exactly-one-of",
        "error",
        8,
        23,
        "e84",
    ),
    "sqs event with name and arn": (
        "resources:\n  q: {type: sqs-queue}\n" + FN.removeprefix("resources:\n") + "      events:\n"
        "        - type: sqs\n"
        "          properties: {sqsQueueName: q, sqsQueueArn: 'arn:aws:sqs:us-east-1:1:x'}\n",
        "exactly-one-of",
        "error",
        9,
        41,
        "not `sqsQueueName` and `sqsQueueArn`",
    ),
    "event-bus with name and default bus": (
        "resources:\n  b: {type: event-bus}\n" + FN.removeprefix("resources:\n") + "      events:\n"
        "        - type: event-bus\n"
        "          properties:\n            eventBusName: b\n            useDefaultBus: true\n"
        "            eventPattern: {source: [a]}\n",
        "exactly-one-of",
        "error",
        11,
        13,
        "e83",
    ),
    # Stacktape's `sns` event takes exactly one of snsTopicName and snsTopicArn (e85), and
    # its onDeliveryFailure exactly one of sqsQueueName and sqsQueueArn (e109).
    "sns event with neither name nor arn": (
        FN + "      events:\n        - type: sns\n          properties: {filterPolicy: {a: [b]}}\n",
        "exactly-one-of",
        "error",
        8,
        23,
        "e85",
    ),
    "sns event with name and arn": (
        "resources:\n  t: {type: sns-topic}\n" + FN.removeprefix("resources:\n") + "      events:\n"
        "        - type: sns\n"
        "          properties: {snsTopicName: t, snsTopicArn: 'arn:aws:sns:us-east-1:1:x'}\n",
        "exactly-one-of",
        "error",
        9,
        41,
        "e85",
    ),
    "sns onDeliveryFailure without queue": (
        "resources:\n  t: {type: sns-topic}\n" + FN.removeprefix("resources:\n") + "      events:\n"
        "        - type: sns\n"
        "          properties: {snsTopicName: t, onDeliveryFailure: {}}\n",
        "exactly-one-of",
        "error",
        9,
        60,
        "e109",
    ),
    "redrivePolicy without target": (
        "resources:\n  q:\n    type: sqs-queue\n    properties:\n"
        "      redrivePolicy: {maxReceiveCount: 3}\n",
        "exactly-one-of",
        "error",
        5,
        22,
        "e112",
    ),
    "onDeliveryFailure without queue": (
        FN + "      events:\n        - type: event-bus\n          properties:\n"
        "            useDefaultBus: true\n            eventPattern: {source: [a]}\n"
        "            onDeliveryFailure: {}\n",
        "exactly-one-of",
        "error",
        11,
        32,
        "e109",
    ),
    "input and inputPath": (
        FN + "      events:\n        - type: schedule\n"
        "          properties: {scheduleRate: rate(1 hour), input: {}, inputPath: $.x}\n",
        "at-most-one-of",
        "error",
        8,
        63,
        "at most one of",
    ),
    "contentBasedDeduplication without fifo": (
        "resources:\n  q: {type: sqs-queue, properties: {contentBasedDeduplication: true}}\n",
        "fifo-only",
        "error",
        2,
        37,
        "e81",
    ),
    "fifoHighThroughput without fifo": (
        "resources:\n  q: {type: sqs-queue, properties: {fifoHighThroughput: true}}\n",
        "fifo-only",
        "error",
        2,
        37,
        "e81",
    ),
    "topic contentBasedDeduplication without fifo": (
        "resources:\n  t: {type: sns-topic, properties: {contentBasedDeduplication: true}}\n",
        "fifo-only",
        "error",
        2,
        37,
        "e82",
    ),
    "queue event other than event-bus": (
        "resources:\n  q: {type: sqs-queue, properties: {events: [{type: schedule}]}}\n",
        "invalid-trigger",
        "error",
        2,
        53,
        "only event-bus",
    ),
    "unknown aws macro": (
        FN + "      connectTo: [aws:s3]\n",
        "unknown-aws-macro",
        "warning",
        6,
        19,
        "only 'aws:ses' exists",
    ),
    "duplicate YAML key": (
        "resources:\n  q: {type: sqs-queue}\n  q: {type: bucket}\n",
        "yaml-duplicate-key",
        "error",
        3,
        3,
        "duplicate key 'q'",
    ),
}


@pytest.mark.parametrize("case", DIAGNOSTICS, ids=list(DIAGNOSTICS))
def test_normalize_diagnostic_with_position(case: str) -> None:
    text, code, severity, line, column, words = DIAGNOSTICS[case]
    stack = load(text)
    hits = with_code(stack, code)
    assert len(hits) == 1, [d.format() for d in stack.diagnostics]
    d = hits[0]
    assert (d.severity, d.file, d.line, d.column) == (severity, "s.yml", line, column)
    assert words in d.message + " " + (d.hint or "")


def test_resource_diagnostics_name_their_resource() -> None:
    stack = load(FN + "      timeout: abc\n      timout: 3\n")
    assert {d.resource for d in stack.diagnostics} == {"fn"}


def test_bad_values_fall_back_to_defaults_and_keep_the_rest() -> None:
    stack = load(FN + "      timeout: abc\n      memory: 2048\n")
    fn = stack.resources["fn"]
    assert isinstance(fn, Function)
    assert (fn.timeout_s, fn.memory_mb) == (20, 2048)
    assert "timeout" in fn.defaults and "memory" not in fn.defaults


def test_bad_resources_are_kept_as_opaque_or_dropped() -> None:
    stack = load("resources:\n  a: 5\n  b: {type: sqs-queues}\n  c: {type: sqs-queue}\n")
    assert "a" not in stack.resources
    assert stack.resources["b"].type == "sqs-queues"
    assert isinstance(stack.resources["c"], Queue)


# -- Stacktape's defaults ----------------------------------------------------------------------


def test_defaults() -> None:
    stack = load(
        """\
        resources:
          q: {type: sqs-queue}
          gw: {type: http-api-gateway}
          fn:
            type: function
            properties:
              {PKG}
              events:
                - {type: sqs, properties: {sqsQueueName: q}}
                - type: http-api-gateway
                  properties: {httpApiGatewayName: gw, method: GET, path: /}
          job:
            type: batch-job
            properties:
              container: {packaging: {type: prebuilt-image, properties: {image: alpine}}}
              resources: {cpu: 1, memory: 512}
        """
    )
    fn, q, gw, job = (stack.resources[n] for n in ("fn", "q", "gw", "job"))
    assert isinstance(fn, Function)
    assert (fn.timeout_s, fn.memory_mb) == (20, 1024)
    assert {"timeout", "memory", "runtime"} <= fn.defaults
    assert isinstance(q, Queue)
    assert (q.visibility_timeout_s, q.retention_s, q.delay_s, q.fifo) == (30, 345_600, 0, False)
    assert {"visibilityTimeoutSeconds", "messageRetentionPeriodSeconds"} <= q.defaults
    sqs, http = fn.events
    assert isinstance(sqs, SqsTrigger) and sqs.batch_size == 10 and sqs.max_batch_window_s is None
    assert isinstance(gw, HttpApiGateway) and gw.payload_format == "1.0"
    assert "payloadFormat" in gw.defaults
    assert isinstance(http, HttpTrigger) and http.payload_format is None and http.method == "GET"
    assert isinstance(job, BatchJob)
    assert (job.attempts, job.retry_interval_s, job.retry_multiplier, job.timeout_s) == (
        1,
        0,
        1,
        None,
    )
    assert {"attempts", "retryIntervalSeconds", "retryIntervalMultiplier", "timeout"} <= (
        job.defaults
    )


def test_written_values_are_not_defaults() -> None:
    stack = load(
        """\
        resources:
          q: {type: sqs-queue, properties: {visibilityTimeoutSeconds: 30}}
          gw: {type: http-api-gateway, properties: {payloadFormat: '2.0'}}
          fn:
            type: function
            properties:
              {PKG}
              timeout: 20
              memory: 512
              runtime: python3.12
          job:
            type: batch-job
            properties:
              container: {packaging: {type: prebuilt-image, properties: {image: alpine}}}
              resources: {cpu: 2, memory: 4096}
              timeout: 600
              retryConfig: {attempts: 3, retryIntervalSeconds: 10}
        """
    )
    fn, q, gw, job = (stack.resources[n] for n in ("fn", "q", "gw", "job"))
    assert isinstance(fn, Function) and not {"timeout", "memory", "runtime"} & fn.defaults
    assert fn.memory_mb == 512 and fn.runtime == "python3.12"
    assert isinstance(q, Queue) and "visibilityTimeoutSeconds" not in q.defaults
    assert isinstance(gw, HttpApiGateway) and gw.payload_format == "2.0" and not gw.defaults
    assert isinstance(job, BatchJob)
    assert (job.attempts, job.retry_interval_s, job.retry_multiplier) == (3, 10, 1)
    assert job.defaults == {"retryIntervalMultiplier"}
    assert (job.cpu, job.memory_mb, job.timeout_s) == (2, 4096, 600)


# -- the guide's snippets, verbatim (tests/fixtures/seed) --------------------------------------


def seed(name: str) -> Stack:
    return load_stack(SEED / f"{name}.yml")


def missing(stack: Stack) -> list[tuple[str, int | None, int | None]]:
    """(message word, line, column) of every error; the seeds' only errors are missing refs."""
    assert {d.code for d in stack.errors} <= {"missing-resource"}
    return [(d.message.split("'")[1], d.line, d.column) for d in stack.errors]


def test_seed_scheduled_job() -> None:
    stack = seed("scheduled-job")
    fn = stack.resources["dailyReport"]
    assert isinstance(fn, Function) and fn.timeout_s == 300
    (t,) = fn.events
    assert isinstance(t, ScheduleTrigger) and t.rate == "cron(0 9 * * ? *)"
    assert [(r.raw, r.by) for r in fn.connect_to] == [("database", "name"), ("aws:ses", "macro")]
    assert missing(stack) == [("database", 15, 11)]


def test_seed_job_queue() -> None:
    stack = seed("job-queue")
    q, dlq, worker, api = (
        stack.resources[n] for n in ("jobQueue", "deadLetterQueue", "worker", "api")
    )
    assert isinstance(q, Queue) and isinstance(dlq, Queue)
    assert q.visibility_timeout_s == 300 and q.max_receive_count == 3
    assert q.redrive_target is not None and q.redrive_target.target == "deadLetterQueue"
    assert isinstance(worker, Function) and worker.timeout_s == 300
    (t,) = worker.events
    assert isinstance(t, SqsTrigger) and t.batch_size == 1
    assert t.queue is not None and t.queue.target == "jobQueue"
    (route,) = api.events
    assert isinstance(route, HttpTrigger)
    assert (route.method, route.route_path) == ("*", "/{proxy+}")
    assert route.gateway is not None and route.gateway.target == "httpApi"
    assert isinstance(stack.resources["httpApi"], HttpApiGateway)
    assert [r.target for r in api.connect_to] == ["jobQueue"]
    assert not with_code(stack, "visibility-timeout-too-short")  # 300 s vs 300 s is allowed
    assert missing(stack) == [("database", 46, 11)]


def test_seed_webhook_processor() -> None:
    stack = seed("webhook-processor")
    receiver, worker = stack.resources["webhookReceiver"], stack.resources["notificationWorker"]
    (route,) = receiver.events
    assert isinstance(route, HttpTrigger)
    assert (route.method, route.route_path) == ("POST", "/webhooks/{provider}")
    (t,) = worker.events
    assert isinstance(t, SqsTrigger) and t.queue is not None
    assert (t.queue.target, t.batch_size) == ("notificationQueue", 10)
    assert [r.target for r in receiver.connect_to] == ["database", "notificationQueue"]
    assert missing(stack) == [("database", 15, 11)]


def test_seed_file_processing() -> None:
    stack = seed("file-processing")
    assert isinstance(stack.resources["uploads"], Bucket)
    fn = stack.resources["fileProcessor"]
    assert isinstance(fn, Function) and (fn.timeout_s, fn.memory_mb) == (300, 2048)
    (t,) = fn.events
    assert isinstance(t, S3Trigger) and t.bucket is not None and t.bucket.target == "uploads"
    assert (t.event_types, t.prefix, t.suffix) == (["s3:ObjectCreated:*"], "incoming/", None)
    warned = [(d.line, d.message.split("`")[1]) for d in with_code(stack, "alternate-spelling")]
    assert warned == [(17, "bucketName"), (18, "s3Events"), (20, "filterRules")]
    assert missing(stack) == [("database", 25, 11)]


def test_seed_batch_job() -> None:
    stack = seed("batch-job")
    job = stack.resources["heavyJob"]
    assert isinstance(job, BatchJob)
    assert (job.cpu, job.memory_mb, job.timeout_s) == (4, 8192, 3600)
    assert job.packaging_type == "stacktape-image-buildpack"
    (t,) = job.events
    assert isinstance(t, ScheduleTrigger) and t.rate == "cron(0 2 * * ? *)"
    (d,) = with_code(stack, "alternate-spelling")
    assert (d.line, d.column) == (5, 7)
    assert missing(stack) == [("database", 18, 11)]


def test_seed_event_driven() -> None:
    stack = seed("event-driven")
    assert isinstance(stack.resources["eventBus"], EventBus)
    order, email, analytics = (
        stack.resources[n] for n in ("orderService", "emailService", "analyticsService")
    )
    (route,) = order.events
    assert isinstance(route, HttpTrigger)
    assert (route.method, route.route_path) == ("*", "/orders/{proxy+}")
    (e1,) = email.events
    (e2,) = analytics.events
    assert isinstance(e1, EventBusTrigger) and isinstance(e2, EventBusTrigger)
    assert e1.bus is not None and e1.bus.target == "eventBus" and not e1.use_default_bus
    assert e1.pattern == {"source": ["orders"], "detail-type": ["OrderCreated", "OrderShipped"]}
    assert e2.pattern == {"source": [{"prefix": ""}]}
    assert [r.by for r in email.connect_to] == ["macro"]
    assert missing(stack) == [("database", 20, 11), ("analyticsDb", 60, 11)]


@pytest.mark.parametrize("path", sorted(SEED.glob("*.yml")), ids=lambda p: p.stem)
def test_every_seed_loads_with_only_missing_reference_errors(path: Path) -> None:
    stack = load_stack(path)
    assert stack.resources
    assert stack.errors and {d.code for d in stack.errors} == {"missing-resource"}
    assert all(d.resource and d.line and d.column for d in stack.errors)


@pytest.mark.parametrize("path", ["'*'", "$default"])
def test_a_catch_all_route_path_is_stacktapes_default_route(path: str) -> None:
    stack = load(
        FN + "      events:\n        - type: http-api-gateway\n"
        f"          properties: {{method: GET, path: {path}}}\n"
    )
    assert not [d for d in stack.diagnostics if d.code == "invalid-value"]
    assert stack.resources["fn"].events[0].route_path == path.strip("'")


@pytest.mark.parametrize(
    ("etype", "written", "missing"),
    [
        ("application-load-balancer", "priority: 1", "loadBalancerName"),
        ("application-load-balancer", "loadBalancerName: alb", "priority"),
        ("network-load-balancer", "listenerPort: 80", "loadBalancerName"),
    ],
)
def test_load_balancer_events_need_their_required_properties(
    etype: str, written: str, missing: str
) -> None:
    # A network load balancer needs listeners of its own (not this test's concern).
    lb = f"{{type: {etype}}}"
    if etype == "network-load-balancer":
        lb = f"{{type: {etype}, properties: {{listeners: [{{port: 80, protocol: TCP}}]}}}}"
    text = f"""\
resources:
  alb: {lb}
  fn:
    type: function
    properties:
      packaging: {{type: stacktape-lambda-buildpack, properties: {{entryfilePath: a.ts}}}}
      events:
        - type: {etype}
          properties:
            {written}
"""
    found = [
        (d.severity, d.line, d.message)
        for d in load_stack_text(text).diagnostics
        if d.code == "missing-property"
    ]
    article = "an" if etype.startswith("a") else "a"
    assert found == [("error", 10, f"{article} `{etype}` event needs `{missing}`")]


def test_a_misspelt_key_is_one_error_not_also_the_key_it_was_taken_for_missing() -> None:
    # Old-syntax `Type:`, `topicArn` for `snsTopicArn`: each was two errors for one mistake,
    # the second ("has no `type`", "set one of `snsTopicName`, `snsTopicArn`") at the
    # mapping's line, which read as a second thing to mend.
    stack = load_stack_text(
        dedent(
            """\
            resources:
              alerts: {type: sns-topic}
              gw:
                Type: http-api-gateway
              notify:
                type: function
                properties:
                  packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}
                  events:
                    - type: sns
                      properties:
                        topicArn: $ResourceParam('alerts', 'arn')
            """
        ),
        "s.yml",
    )
    shown = [(d.code, d.line, d.hint) for d in stack.errors]
    assert shown == [
        (
            "unknown-property",
            4,
            "`Type` is an older Stacktape's capitalised key: write `type`: until then its "
            "properties go unchecked",
        ),
        ("unknown-property", 12, "did you mean `snsTopicArn`?"),
    ]
    # With nothing taken for it, a missing key is still reported.
    bare = load_stack_text("resources:\n  gw: {properties: {}}\n", "s.yml")
    assert [d.code for d in bare.errors] == ["missing-property"]


def test_older_shapes_get_todays_written_out_as_one_error() -> None:
    # An older Stacktape's `packageConfig: {filePath}` and an authorizer's properties beside
    # its `type`: "did you mean `packaging`?" and "known: properties, type" left the shape to
    # find, and a second error ("needs `packaging`", "needs `properties`") said it again.
    stack = load_stack_text(
        dedent(
            """\
            resources:
              pool: {type: user-auth-pool}
              gw: {type: http-api-gateway}
              api:
                type: function
                properties:
                  packageConfig:
                    filePath: src/lambdas/get posts.ts
                  events:
                    - type: http-api-gateway
                      properties:
                        httpApiGatewayName: gw
                        path: /posts
                        method: GET
                        authorizer:
                          type: cognito
                          userPoolName: pool
            """
        ),
        "s.yml",
    )
    assert [(d.code, d.line, d.hint) for d in stack.errors] == [
        (
            "unknown-property",
            7,
            "`packageConfig` is an older Stacktape's; today's is packaging: {type: "
            'stacktape-lambda-buildpack, properties: {entryfilePath: "src/lambdas/get posts.ts"}}',
        ),
        (
            "unknown-property",
            17,
            "`userPoolName` goes under `properties`: {type: cognito, properties: "
            "{userPoolName: ...}}",
        ),
    ]
    # `file.ts:handler` named the handler as well: today's `handlerFunction`.
    handler = load_stack_text(
        "resources:\n  fn:\n    type: function\n    properties:\n"
        "      packageConfig: {filePath: 'src/scrape.ts:handler'}\n",
        "s.yml",
    )
    assert [d.hint for d in handler.errors] == [
        "`packageConfig` is an older Stacktape's; today's is packaging: {type: "
        "stacktape-lambda-buildpack, properties: {entryfilePath: src/scrape.ts, "
        "handlerFunction: handler}}"
    ]
    # A batch job's `container.imageConfig`: a Dockerfile's context, or a buildpack's file.
    for image, today in (
        (
            "{buildContextPath: ./transcoder, command: ['run.py']}",
            '{type: custom-dockerfile, properties: {buildContextPath: ./transcoder, command: ["run.py"]}}',
        ),
        (
            "{filePath: src/job.ts}",
            "{type: stacktape-image-buildpack, properties: {entryfilePath: src/job.ts}}",
        ),
    ):
        job = load_stack_text(
            "resources:\n  job:\n    type: batch-job\n    properties:\n"
            f"      container: {{imageConfig: {image}}}\n"
            "      resources: {cpu: 1, memory: 2048}\n",
            "s.yml",
        )
        assert [d.hint for d in job.errors] == [
            f"`imageConfig` is an older Stacktape's; today's is packaging: {today}"
        ]


@pytest.mark.parametrize(
    ("top", "hint"),
    [
        ("stackName: nest-api\n", "; write serviceName: nest-api"),
        ("stackName: my api\n", '; write serviceName: "my api"'),
        ("stackName: [a]\n", "; write serviceName: NAME"),
        ("serviceName: shop\nstackName: shop\n", ", which is set: remove `stackName`"),
    ],
)
def test_an_older_stacktapes_stack_name_is_written_as_todays_service_name(
    top: str, hint: str
) -> None:
    # Older Stacktape examples begin `stackName: ...`; "did you mean `serviceName`?" left
    # the user to wonder whether the two are the same thing.
    stack = load_stack_text(f"{top}resources:\n  q: {{type: sqs-queue}}\n", "s.yml")
    line = top.splitlines().index(next(t for t in top.splitlines() if t.startswith("stack")))
    assert [(d.code, d.line, d.column, d.hint) for d in stack.errors] == [
        (
            "unknown-property",
            line + 1,
            1,
            f"`stackName` is an older Stacktape's name for `serviceName`{hint}",
        )
    ]


def test_an_older_stacktapes_capitalised_resource_keys_are_named_as_such() -> None:
    # "did you mean `type`?" read as a typo, and did not say that the resource's own
    # problems would show only once its type was read.
    stack = load_stack_text(
        "resources:\n  q:\n    Type: sqs-queue\n    Properties: {delayy: 1}\n", "s.yml"
    )
    assert [(d.line, d.hint) for d in stack.errors] == [
        (
            3,
            "`Type` is an older Stacktape's capitalised key: write `type`: until then its "
            "properties go unchecked",
        ),
        (4, "`Properties` is an older Stacktape's capitalised key: write `properties`"),
    ]
    both = load_stack_text("resources:\n  q:\n    type: sqs-queue\n    Type: sqs-queue\n", "s.yml")
    assert [d.hint for d in both.errors] == [
        "`Type` is an older Stacktape's capitalised key, and `type` is set: remove `Type`"
    ]


def test_an_older_stacktapes_top_level_outputs_are_written_under_stack_config() -> None:
    # The hint listed the known top-level keys, stackConfig among eleven.
    stack = load_stack_text(
        "outputs:\n  values:\n    - {name: url, value: x}\nresources:\n  q: {type: sqs-queue}\n",
        "s.yml",
    )
    assert [(d.code, d.line, d.column, d.hint) for d in stack.errors] == [
        (
            "unknown-property",
            1,
            1,
            "`outputs` is an older Stacktape's; today's is "
            "stackConfig: {outputs: [{name: NAME, value: VALUE}]}",
        )
    ]


@pytest.mark.parametrize(
    ("written", "meant"),
    [
        # Some of Stacktape's own docs write `sns-integration`; other tools say `cron`.
        ("sns-integration", "sns"),
        ("sqs-event", "sqs"),
        ("cron", "schedule"),
        ("eventbridge", "event-bus"),
        ("sqss", "sqs"),
    ],
)
def test_an_event_type_in_other_words_gets_the_type_meant(written: str, meant: str) -> None:
    stack = load(f"""
        resources:
          fn:
            type: function
            properties:
              {{PKG}}
              events: [{{type: {written}}}]
        """)
    (d,) = stack.errors
    assert (d.code, d.message, d.hint) == (
        "unknown-trigger-type",
        f"unknown event type {written!r}",
        f"did you mean {meant!r}?",
    )


OWN = "a hosting-bucket always has a CDN, whose settings are its own properties"


@pytest.mark.parametrize(
    ("cdn", "hint"),
    [
        (
            "{customDomains: [{domainName: myapp.com}]}",
            f"{OWN}: move `customDomains` up one level, beside `uploadDirectoryPath`",
        ),
        (
            "{edgeFunctions: {onRequest: auth}, cachingOptions: {}}",
            f"{OWN}: move `edgeFunctions` up one level, beside `uploadDirectoryPath`",
        ),
        ("{cachingOptions: {}}", f"remove it: {OWN}"),
    ],
)
def test_a_hosting_buckets_cdn_is_its_own_properties_one_level_up(cdn: str, hint: str) -> None:
    # Some of Stacktape's doc examples wrap a hosting bucket's customDomains and
    # edgeFunctions in a `cdn`, as a bucket's are; the deployer refuses it, and the list of
    # known properties left the user to guess why.
    stack = load_stack_text(
        "resources:\n  site:\n    type: hosting-bucket\n    properties:\n"
        f"      uploadDirectoryPath: ./dist\n      cdn: {cdn}\n",
        "s.yml",
    )
    assert [(d.code, d.line, d.column, d.hint) for d in stack.errors] == [
        ("unknown-property", 6, 7, hint)
    ]


@pytest.mark.parametrize(
    ("old", "today"),
    [
        ("{syncDirectory: ./public}", "{directoryPath: ./public}"),
        ("{syncDirectory: my site}", '{directoryPath: "my site"}'),
        ("{}", "{directoryPath: FOLDER}"),
    ],
)
def test_a_buckets_auto_sync_is_written_as_todays_directory_upload(old: str, today: str) -> None:
    # Older Stacktape examples sync a folder with `autoSync: {syncDirectory}`; the list of
    # known properties the hint gave left the user to find which one it became, and that
    # its key inside is renamed too.
    stack = load_stack_text(
        f"resources:\n  site:\n    type: bucket\n    properties:\n      autoSync: {old}\n",
        "s.yml",
    )
    assert [(d.code, d.line, d.column, d.hint) for d in stack.errors] == [
        (
            "unknown-property",
            5,
            7,
            f"`autoSync` is an older Stacktape's; today's is directoryUpload: {today} "
            "(it replaces the bucket's contents on deploy)",
        )
    ]
    # Written as the hint says, the bucket has no error.
    fixed = load_stack_text(
        "resources:\n  site:\n    type: bucket\n    properties:\n"
        "      directoryUpload: {directoryPath: ./public}\n",
        "s.yml",
    )
    assert fixed.errors == []


@pytest.mark.parametrize("kind", ["container-workload", "multi-container-workload"])
def test_a_workloads_container_image_config_is_written_as_todays_packaging(kind: str) -> None:
    # An older Stacktape's container workload (its examples): the legacy type read
    # `needs packaging` at the container and said nothing of `imageConfig`, today's type
    # said both, the second with a list of known keys. One error now, at `imageConfig`.
    stack = load_stack_text(
        "resources:\n  web:\n"
        f"    type: {kind}\n"
        "    properties:\n"
        "      containers:\n"
        "        - name: api\n"
        "          imageConfig: {filePath: src/main.ts}\n"
        "        - name: side\n"
        "          imageConfig: {buildContextPath: ./side}\n"
        "      resources: {cpu: 0.25, memory: 512}\n",
        "s.yml",
    )
    assert [(d.code, d.line, d.column, d.hint) for d in stack.errors] == [
        (
            "unknown-property",
            7,
            11,
            "`imageConfig` is an older Stacktape's; today's is packaging: {type: "
            "stacktape-image-buildpack, properties: {entryfilePath: src/main.ts}}",
        ),
        (
            "unknown-property",
            9,
            11,
            "`imageConfig` is an older Stacktape's; today's is packaging: {type: "
            "custom-dockerfile, properties: {buildContextPath: ./side}}",
        ),
    ]


@pytest.mark.parametrize(
    ("written", "hint_has"),
    [
        ("deadLetterQueue: jobs", "destinations: {onFailure: $ResourceParam('jobs', 'arn')}"),
        ("onError: arn:aws:sqs:us-east-1:1:jobs", "$ResourceParam('QUEUE', 'arn')"),
        ("maximumRetryAttempts: 0", "Lambda's apply (2 retries, events kept up to 6 hours)"),
    ],
)
def test_another_tools_failure_setting_on_a_function_says_where_stacktape_takes_it(
    written: str, hint_has: str
) -> None:
    # SAM's DeadLetterQueue, the Serverless Framework's onError, an EventInvokeConfig's
    # retries: "known: alarms, architecture, ..." left the user to guess `destinations`.
    stack = load(
        f"""\
resources:
  jobs: {{type: sqs-queue}}
  worker:
    type: function
    properties:
      {PKG}
      {written}
"""
    )
    [error] = stack.errors
    assert (error.code, error.line) == ("unknown-property", 7)
    assert hint_has in (error.hint or "")
