"""Bad input never crashes: every config ends in diagnostics or a clean ConfigError.

Each load runs through `load_checked`, which guards it against a hang (a generous timeout,
not a speed check), turns a ConfigError into a result, lets any other exception fail the
test, and checks that every diagnostic has a file and a plausible position. The same inputs
go through `stptui validate`, whose exit code must agree with the load. The inputs built to
blow up (huge files, alias bombs) bound the work of refusing them with `workcount`.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import random
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from textwrap import dedent

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from workcount import CountWork, hang_guard

from stptui.cli import main
from stptui.config import ConfigError, Diagnostic, Stack, load_stack, load_stack_text
from stptui.config import normalize_schema as norm
from stptui.config.diagnostics import sort_diagnostics
from stptui.config.model import UserAuthPool
from stptui.config.normalize import StackBuilder

REPO_ROOT = Path(__file__).resolve().parents[1]
SAMPLE_STACKS = sorted((REPO_ROOT / "stptui" / "sample_stacks").glob("*/stacktape.yml"))
# A hang guard, not a budget: loads here take milliseconds, and a load still running after
# this long is stuck (on a shared machine, slow is not a failure; stuck is).
HANG_S = 30.0
TESTS = Path(__file__).resolve().parent
FILE = "s.yml"
PKG = "{type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}"

Result = Stack | ConfigError


# -- helpers ---------------------------------------------------------------------------------


def diagnostics_of(result: Result) -> list[Diagnostic]:
    return [result.diagnostic] if isinstance(result, ConfigError) else list(result.diagnostics)


def check_positions(result: Result, text: str, file: str) -> None:
    """Every diagnostic names a file; positions in `file` lie inside the text."""
    last_line = len(text.splitlines()) + 1
    for d in diagnostics_of(result):
        assert d.file, d
        assert d.severity in ("error", "warning", "info"), d
        assert d.code and d.message, d
        if d.file == file and d.line is not None:
            assert 1 <= d.line <= last_line, (d, last_line)
            assert d.column is None or d.column >= 1, d


def guarded(fn, *args, **kwargs) -> Result:  # type: ignore[no-untyped-def]
    """Run a load under the hang guard; a ConfigError is a result, any other exception fails
    the test."""
    try:
        with hang_guard(HANG_S):
            result: Result = fn(*args, **kwargs)
    except ConfigError as exc:
        result = exc
    return result


def load_checked(text: str, file: str = FILE) -> Result:
    """`load_stack_text` under the hang guard, with every diagnostic well placed."""
    result = guarded(load_stack_text, text, file)
    check_positions(result, text, file)
    return result


def expected_exit(result: Result) -> int:
    if isinstance(result, ConfigError):
        return 2
    return 1 if result.errors else 0


def validate_exit(path: Path, capsys: pytest.CaptureFixture[str]) -> int:
    """`stptui validate PATH` in text and JSON; both must agree and the JSON must parse."""
    rc = main(["validate", str(path)])
    capsys.readouterr()
    rc_json = main(["validate", str(path), "--format", "json"])
    out = capsys.readouterr().out
    assert rc in (0, 1, 2)
    assert rc_json == rc
    parsed = json.loads(out)
    assert isinstance(parsed, list)
    assert all(isinstance(d, dict) and d.get("file") for d in parsed)
    return rc


def check_cli(
    data: str | bytes, tmp_path: Path, capsys: pytest.CaptureFixture[str], result: Result
) -> None:
    """Write the input to a stacktape.yml; `validate` exits as the load said it should."""
    path = tmp_path / "stacktape.yml"
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8", newline="")
    else:
        path.write_bytes(data)
    assert validate_exit(path, capsys) == expected_exit(result)


def codes(result: Result) -> set[str]:
    return {d.code for d in diagnostics_of(result)}


def error_codes(result: Result) -> set[str]:
    return {d.code for d in diagnostics_of(result) if d.severity == "error"}


# -- 1. malformed YAML -----------------------------------------------------------------------

FUNCTION_WITH = """\
resources:
  fn:
    type: function
    properties:
      packaging: {pkg}
      events:
        - type: http-api-gateway
          properties:
            path: /x
            method: {method}
"""

# name -> (text, the ConfigError code; None when the text loads into a Stack; "*" when either a
# Stack with diagnostics or a ConfigError is a clean answer)
MALFORMED: dict[str, tuple[str, str | None]] = {
    "unclosed flow sequence": ("resources: {a: [1, 2\n", "yaml-syntax"),
    "unclosed flow mapping": ("resources: {a: {type: function\n", "yaml-syntax"),
    "unclosed quote": ("serviceName: 'abc\nresources: {}\n", "yaml-syntax"),
    "bad indentation": (
        "resources:\n  a:\n    type: function\n   properties: {}\n",
        "yaml-syntax",
    ),
    "tab indentation": ("resources:\n\ta:\n\t\ttype: function\n", "yaml-syntax"),
    "a lone alias star": ("*\n", "yaml-syntax"),
    "undefined alias": ("resources: *nope\n", "yaml-syntax"),
    "unquoted method star": (FUNCTION_WITH.format(pkg=PKG, method="*"), "yaml-syntax"),
    "at sign starts a plain scalar": ("serviceName: @scope/app\nresources: {}\n", "yaml-syntax"),
    "backtick starts a plain scalar": ("serviceName: `app`\nresources: {}\n", "yaml-syntax"),
    "two documents": ("resources: {}\n---\nresources: {}\n", "yaml-syntax"),
    "binary garbage": ("\x00\x01\x02\x03\xff\xfe garbage", "yaml-syntax"),
    "byte order mark": ("\ufeffresources:\n  q:\n    type: sqs-queue\n", None),
    "a key without a value in a flow mapping": ("resources: {a, b: }\n", None),
    "duplicate keys": ("resources: {}\nresources: {}\n", None),
    "only a comment": ("# nothing here\n", None),
    "empty": ("", None),
    "directive line": ("%YAML 1.1\n---\nresources: {}\n", None),
    "bad directive line": ("%YAML 9.9\n---\nresources: {}\n", "yaml-syntax"),
    "CR line ends": ("resources:\r  q:\r    type: sqs-queue\r", None),
    "unicode line separator": ("resources:\u2028  q: {type: sqs-queue}\n", "*"),
    "recursive alias in a sequence": ("a: &a [*a]\nresources: {}\n", "yaml-recursive-alias"),
    "recursive alias in a mapping": ("a: &a {b: *a}\nresources: {}\n", "yaml-recursive-alias"),
    "recursive merge key": ("a: &a {<<: *a}\nresources: {}\n", "yaml-recursive-alias"),
    "merge of a scalar": ("resources:\n  a: {<<: 1, type: sqs-queue}\n", None),
    "complex key": ("resources:\n  [a, b]: {type: sqs-queue}\n", None),
    "null and number keys": ("resources:\n  ~: {type: sqs-queue}\n  1: {type: sqs-queue}\n", None),
    "10,000 open brackets": ("[" * 10_000, "yaml-syntax|yaml-too-deep"),
    "10,000 balanced brackets": ("[" * 10_000 + "]" * 10_000, "yaml-syntax|yaml-too-deep"),
    "300 nested flow mappings": ("a: " + "{b: " * 300 + "1" + "}" * 300, "yaml-too-deep"),
    "10,000 nested block sequences": ("- " * 10_000 + "x\n", "yaml-syntax|yaml-too-deep"),
    "150 nested lists is fine": ("resources: " + "[" * 150 + "]" * 150 + "\n", None),
    # A YAML 1.2 scalar resolver meets these; they must never reach int()/float() unchecked.
    "explicit !!int tag on text": (
        "resources:\n  q:\n    type: sqs-queue\n    properties:\n"
        "      visibilityTimeoutSeconds: !!int abc\n",
        "*",
    ),
    "explicit !!int tag on a bad octal": ("resources: {}\nx: !!int 0o9\n", "*"),
    "explicit !!int tag on 0x": ("resources: {}\nx: !!int 0x\n", "*"),
    "explicit !!int tag on a float": ("resources: {}\nx: !!int 1.5\n", "*"),
    "explicit !!float tag on text": ("resources: {}\nx: !!float abc\n", "*"),
    "explicit !!int tag on a key": ("resources: {}\n!!int abc: 1\n", "*"),
    "explicit !!bool and !!null on text": ("resources: {}\nx: !!bool maybe\ny: !!null z\n", "*"),
    "an integer of 5,000 digits": ("resources: {}\nx: " + "9" * 5000 + "\n", "*"),
    "a key of 5,000 digits": ("resources: {}\n" + "9" * 5000 + ": 1\n", "*"),
    "a hex integer of 5,000 digits": ("resources: {}\nx: 0x" + "f" * 5000 + "\n", "*"),
    "special floats": (
        "resources:\n  q:\n    type: sqs-queue\n    properties:\n"
        "      visibilityTimeoutSeconds: .nan\n      delayMessagesSecond: -.inf\n"
        "      longPollingSeconds: 1e400\n",
        None,
    ),
}


@pytest.mark.parametrize("name", list(MALFORMED))
def test_malformed_yaml_ends_cleanly(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text, expected = MALFORMED[name]
    result = load_checked(text)
    if expected is None:
        assert isinstance(result, Stack), result
    elif expected == "*" and isinstance(result, Stack):
        assert result.diagnostics, "read without a single diagnostic"
    elif expected == "*":
        assert result.diagnostic.code.startswith("yaml-"), result.diagnostic
    else:
        assert isinstance(result, ConfigError), [d.format() for d in diagnostics_of(result)]
        assert result.diagnostic.code in expected.split("|"), result.diagnostic
        assert result.diagnostic.severity == "error"
    check_cli(text, tmp_path, capsys, result)


def test_syntax_errors_point_at_the_problem() -> None:
    unclosed = load_checked("resources:\n  q: {type: sqs-queue\n")
    assert isinstance(unclosed, ConfigError)
    assert (unclosed.diagnostic.line, unclosed.diagnostic.file) == (3, FILE)
    star = load_checked(FUNCTION_WITH.format(pkg=PKG, method="*"))
    assert isinstance(star, ConfigError)
    assert (star.diagnostic.line, star.diagnostic.column) == (10, 22)
    tab = load_checked("resources:\n\ta: 1\n")
    assert isinstance(tab, ConfigError)
    assert tab.diagnostic.line == 2


def test_crlf_line_ends_point_at_the_same_lines_and_columns() -> None:
    # Windows line ends: each CRLF is one line break, in the parser's marks and in the
    # positions the directives compute from the text themselves.
    text = (
        "resources:\n  q:\n    type: sqs-queu\n  f:\n    type: function\n"
        "    properties:\n      packaging: " + PKG + "\n      memory: $Nope()\n"
    )
    lf, crlf = load_checked(text), load_checked(text.replace("\n", "\r\n"))
    assert isinstance(lf, Stack) and isinstance(crlf, Stack)
    found = [(d.code, d.line, d.column) for d in crlf.diagnostics]
    assert found == [(d.code, d.line, d.column) for d in lf.diagnostics]
    assert ("unknown-type", 3, 11) in found and ("directive-unknown", 8, 15) in found


def test_quoted_star_method_is_fine() -> None:
    stack = load_checked(FUNCTION_WITH.format(pkg=PKG, method="'*'"))
    assert isinstance(stack, Stack)
    assert not stack.errors, [d.format() for d in stack.errors]


def test_byte_order_mark_in_a_file_is_ignored(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sample = SAMPLE_STACKS[0]
    plain = guarded(load_stack, sample)
    path = tmp_path / "stacktape.yml"
    path.write_bytes(b"\xef\xbb\xbf" + sample.read_bytes())
    with_bom = guarded(load_stack, path)
    assert isinstance(plain, Stack) and isinstance(with_bom, Stack)
    assert list(with_bom.resources) == list(plain.resources)
    assert [(d.code, d.line, d.column) for d in with_bom.diagnostics] == [
        (d.code, d.line, d.column) for d in plain.diagnostics
    ]
    assert validate_exit(path, capsys) == expected_exit(plain)


@pytest.mark.parametrize(
    "data",
    [
        b"resources:\n  q:\n    type: sqs-queue\n    description: caf\xe9\n",
        b"\xff\xfe\x00r\x00e\x00s",
        bytes(range(256)),
    ],
    ids=["latin-1 byte", "utf-16 bom", "all bytes"],
)
def test_non_utf8_file_is_refused(
    data: bytes, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "stacktape.yml"
    path.write_bytes(data)
    result = guarded(load_stack, path)
    assert isinstance(result, ConfigError)
    assert result.diagnostic.code == "file-encoding"
    assert result.diagnostic.file == str(path)
    assert validate_exit(path, capsys) == 2


# -- 2. wrong types at every level -----------------------------------------------------------

LEVELS: dict[str, tuple[str, str]] = {
    # name -> (text, an error code that must be reported)
    "top level is a list": ("- resources\n- {}\n", "wrong-type"),
    "top level is a string": ("just some text\n", "wrong-type"),
    "top level is a number": ("42\n", "wrong-type"),
    "top level is null": ("null\n", "empty-config"),
    "top level is true": ("true\n", "wrong-type"),
    "no resources": ("serviceName: app\n", "missing-property"),
    "resources is a list": ("resources:\n  - q\n", "wrong-type"),
    "resources is a string": ("resources: q\n", "wrong-type"),
    "resources is null": ("resources:\n", "wrong-type"),
    "resources is a number": ("resources: 3\n", "wrong-type"),
    "a resource is a string": ("resources:\n  q: sqs-queue\n", "wrong-type"),
    "a resource is a list": ("resources:\n  q: [sqs-queue]\n", "wrong-type"),
    "a resource is null": ("resources:\n  q:\n", "wrong-type"),
    "a resource is a number": ("resources:\n  q: 1\n", "wrong-type"),
    "type is missing": ("resources:\n  q:\n    properties: {}\n", "missing-property"),
    "type is a number": ("resources:\n  q:\n    type: 7\n", "wrong-type"),
    "type is a list": ("resources:\n  q:\n    type: [sqs-queue]\n", "wrong-type"),
    "type is null": ("resources:\n  q:\n    type:\n", "wrong-type"),
    "type is unknown": ("resources:\n  q:\n    type: sqs-queu\n", "unknown-type"),
    "properties is a list": (
        "resources:\n  q:\n    type: sqs-queue\n    properties: [1]\n",
        "wrong-type",
    ),
    "properties is a string": (
        "resources:\n  q:\n    type: sqs-queue\n    properties: none\n",
        "wrong-type",
    ),
    "resource name is not alphanumeric": ("resources:\n  my-queue: {type: sqs-queue}\n", ""),
    "events is a string": (
        f"resources:\n  fn:\n    type: function\n    properties:\n      packaging: {PKG}\n"
        "      events: sqs\n",
        "wrong-type",
    ),
    "events is a mapping": (
        f"resources:\n  fn:\n    type: function\n    properties:\n      packaging: {PKG}\n"
        "      events: {type: sqs}\n",
        "wrong-type",
    ),
    "queue events is a string": (
        "resources:\n  q:\n    type: sqs-queue\n    properties:\n      events: x\n",
        "wrong-type",
    ),
}
for _kind, _literal in {
    "string": "sqs",
    "list": "[sqs]",
    "null": "null",
    "number": "3",
    "boolean": "false",
}.items():
    LEVELS[f"an event entry is a {_kind}"] = (
        f"resources:\n  fn:\n    type: function\n    properties:\n      packaging: {PKG}\n"
        f"      events:\n        - {_literal}\n",
        "wrong-type",
    )
    LEVELS[f"a queue event entry is a {_kind}"] = (
        f"resources:\n  q:\n    type: sqs-queue\n    properties:\n      events:\n"
        f"        - {_literal}\n",
        "wrong-type",
    )
    if _kind == "string":
        continue  # a string is the right type for `type`; the rest are not
    LEVELS[f"an event type is a {_kind}"] = (
        f"resources:\n  fn:\n    type: function\n    properties:\n      packaging: {PKG}\n"
        f"      events:\n        - type: {_literal}\n",
        "wrong-type",
    )
    if _kind != "null":
        LEVELS[f"event properties is a {_kind}"] = (
            f"resources:\n  fn:\n    type: function\n    properties:\n      packaging: {PKG}\n"
            f"      events:\n        - type: sqs\n          properties: {_literal}\n",
            "wrong-type",
        )
LEVELS["an event without type"] = (
    f"resources:\n  fn:\n    type: function\n    properties:\n      packaging: {PKG}\n"
    "      events:\n        - properties: {sqsQueueName: q}\n",
    "missing-property",
)
LEVELS["an unknown event type"] = (
    f"resources:\n  fn:\n    type: function\n    properties:\n      packaging: {PKG}\n"
    "      events:\n        - type: schedul\n",
    "unknown-trigger-type",
)
LEVELS["a non-event-bus event on a queue"] = (
    "resources:\n  q:\n    type: sqs-queue\n    properties:\n      events:\n"
    "        - type: sqs\n          properties: {sqsQueueName: q}\n",
    "invalid-trigger",
)

ENVIRONMENTS = {
    "a string": "FOO=bar",
    "a number": "3",
    "an entry that is a string": "[FOO]",
    "an entry that is a list": "[[FOO, bar]]",
    "an entry that is null": "[null]",
    "an entry that is a number": "[5]",
    "an entry without name": "[{value: x}]",
    "an entry without value": "[{name: FOO}]",
    "a numeric name": "[{name: 12345, value: x}]",
    "a list name": "[{name: [a], value: x}]",
    "a mapping value": "[{name: FOO, value: {a: 1}}]",
    "a list value": "[{name: FOO, value: [1]}]",
    "a null value": "[{name: FOO, value: null}]",
    "a misspelt key": "[{nama: FOO, value: x}]",
    "a map with a list value": "{FOO: [1]}",
    "a map with a mapping value": "{FOO: {a: 1}}",
    "a map with a null value": "{FOO: null}",
}
for _what, _env in ENVIRONMENTS.items():
    LEVELS[f"function environment is {_what}"] = (
        f"resources:\n  fn:\n    type: function\n    properties:\n      packaging: {PKG}\n"
        f"      environment: {_env}\n",
        "" if _what == "a misspelt key" else "wrong-type|missing-property",
    )
    LEVELS[f"batch job environment is {_what}"] = (
        "resources:\n  job:\n    type: batch-job\n    properties:\n"
        f"      container:\n        packaging: {PKG}\n        environment: {_env}\n"
        "      resources: {cpu: 1, memory: 1024}\n",
        "" if _what == "a misspelt key" else "wrong-type|missing-property",
    )


@pytest.mark.parametrize("name", list(LEVELS))
def test_wrong_shapes_give_diagnostics(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text, code = LEVELS[name]
    result = load_checked(text)
    assert isinstance(result, Stack), result
    assert result.diagnostics, "no diagnostic at all"
    if code:
        assert error_codes(result) & set(code.split("|")), [d.format() for d in result.diagnostics]
    else:
        assert any(d.severity in ("error", "warning") for d in result.diagnostics)
    check_cli(text, tmp_path, capsys, result)


# -- 3. every schema property given a value of the wrong type, programmatically ---------------

# One YAML literal per kind of value; `ACCEPTS` says which of them each schema kind takes.
LITERALS = {
    "null": "null",
    "bool": "true",
    "int": "7",
    "float": "1.5",
    "str": "'some text'",
    "list": "[a, 1]",
    "dict": "{a: 1}",
}
ACCEPTS = {
    "int": {"int"},
    "num": {"int", "float"},
    "str": {"str"},
    "bool": {"bool"},
    "list": {"list"},
    "dict": {"dict"},
    "scalar": {"str", "int", "float", "bool"},
    "any": set(LITERALS),
}

# Resource type -> (its schema, the properties it needs to be otherwise valid).
RESOURCE_SCHEMAS: dict[str, tuple[dict[str, norm.P], dict[str, str]]] = {
    "function": (norm.FUNCTION_PROPS, {"packaging": PKG}),
    "batch-job": (
        norm.BATCH_PROPS,
        {"container": f"{{packaging: {PKG}}}", "resources": "{cpu: 1, memory: 1024}"},
    ),
    "sqs-queue": (norm.QUEUE_PROPS, {}),
    "event-bus": (norm.BUS_PROPS, {}),
    "bucket": (norm.BUCKET_PROPS, {}),
    "http-api-gateway": (norm.GATEWAY_PROPS, {}),
    "sns-topic": (norm.TOPIC_PROPS, {}),
    "relational-database": (
        norm.RELATIONAL_DATABASE_PROPS,
        {"credentials": "{masterUserPassword: pw}", "engine": "{type: aurora-mysql-serverless}"},
    ),
    "redis-cluster": (
        norm.REDIS_PROPS,
        {"defaultUserPassword": "a-long-password", "instanceSize": "cache.t4g.micro"},
    ),
    "web-app-firewall": (norm.FIREWALL_PROPS, {"scope": "cdn"}),
    "websocket-api-gateway": (norm.WEBSOCKET_API_GATEWAY_PROPS, {}),
    "kinesis-stream": (norm.KINESIS_STREAM_PROPS, {}),
    "application-load-balancer": (norm.ALB_PROPS, {}),
    "network-load-balancer": (norm.NLB_PROPS, {"listeners": "[{port: 80, protocol: TCP}]"}),
    "kafka-cluster": (norm.KAFKA_CLUSTER_PROPS, {}),
    "appsync-api": (norm.APPSYNC_API_PROPS, {"authentication": "{type: aws-iam}"}),
    "dsql-database": (norm.DSQL_DATABASE_PROPS, {}),
    "email-sender": (norm.EMAIL_SENDER_PROPS, {"identity": "example.com"}),
    "state-machine": (
        norm.STATE_MACHINE_PROPS,
        {"definition": "{StartAt: A, States: {A: {Type: Succeed}}}"},
    ),
    "dynamo-db-table": (
        norm.DYNAMO_TABLE_PROPS,
        {"primaryKey": "{partitionKey: {name: id, type: string}}"},
    ),
    "hosting-bucket": (norm.HOSTING_BUCKET_PROPS, {"uploadDirectoryPath": "dist"}),
    "user-auth-pool": (norm.USER_AUTH_POOL_PROPS, {}),
    "edge-lambda-function": (norm.EDGE_LAMBDA_FUNCTION_PROPS, {"packaging": PKG}),
    "custom-resource-definition": (norm.CUSTOM_RESOURCE_DEFINITION_PROPS, {"packaging": PKG}),
    "deployment-script": (
        norm.DEPLOYMENT_SCRIPT_PROPS,
        {"trigger": "after:deploy", "packaging": PKG},
    ),
    "custom-resource-instance": (
        norm.CUSTOM_RESOURCE_INSTANCE_PROPS,
        {"definitionName": "d", "resourceProperties": "{a: 1}"},
    ),
    "aws-cdk-construct": (norm.AWS_CDK_CONSTRUCT_PROPS, {"entryfilePath": "c.ts"}),
    "bastion": (norm.BASTION_PROPS, {}),
    "upstash-redis": (norm.UPSTASH_REDIS_PROPS, {}),
    "efs-filesystem": (norm.EFS_FILESYSTEM_PROPS, {}),
    "mongo-db-atlas-cluster": (norm.MONGO_DB_ATLAS_CLUSTER_PROPS, {"clusterTier": "M10"}),
    "open-search-domain": (norm.OPEN_SEARCH_DOMAIN_PROPS, {}),
    "convex": (norm.CONVEX_PROPS, {"appDirectory": "./convex"}),
    "agentcore-runtime": (norm.AGENTCORE_RUNTIME_PROPS, {"packaging": "{type: prebuilt-image}"}),
    "agentcore-memory": (norm.AGENTCORE_MEMORY_PROPS, {}),
    "agentcore-gateway": (norm.AGENTCORE_GATEWAY_PROPS, {}),
    "agentcore-browser": (norm.AGENTCORE_BROWSER_PROPS, {}),
    "agentcore-code-interpreter": (norm.TABLE_ONLY_TYPES["agentcore-code-interpreter"][0], {}),
    **{
        rtype: (table, {"appDirectory": "."} if required else {})
        for rtype, (table, required) in norm.WEB_APP_TYPES.items()
    },
}
IMG = "{type: prebuilt-image, properties: {image: nginx}}"
# Not among the builders: containers are read by their own readers.
CONTAINER_SCHEMAS: dict[str, tuple[dict[str, norm.P], dict[str, str]]] = {
    "web-service": (norm.WEB_SERVICE_PROPS, {"packaging": IMG}),
    "private-service": (norm.PRIVATE_SERVICE_PROPS, {"packaging": IMG}),
    "worker-service": (norm.WORKER_SERVICE_PROPS, {"packaging": IMG}),
    "multi-container-workload": (
        norm.WORKLOAD_PROPS,
        {"containers": f"[{{name: a, packaging: {IMG}}}]"},
    ),
}
# Trigger type -> the properties a valid event of that type needs (targets defined below).
TRIGGER_BASES: dict[str, dict[str, str]] = {
    "schedule": {"scheduleRate": "rate(1 hour)"},
    "sqs": {"sqsQueueName": "q"},
    "s3": {"bucketArn": "$ResourceParam('b', 'arn')", "s3EventType": "'s3:ObjectCreated:*'"},
    "event-bus": {"eventBusName": "bus", "eventPattern": "{source: [x]}"},
    "sns": {"snsTopicName": "t"},
    "http-api-gateway": {"httpApiGatewayName": "api", "method": "GET", "path": "/x"},
}
# The events of the newest types, read from `norm.NEWER_TRIGGERS` (newer than the schema
# snapshot that `norm.TRIGGER_PROPS` holds exactly).
NEWER_TRIGGER_BASES: dict[str, dict[str, str]] = {
    "websocket-api-gateway": {"websocketApiGatewayName": "ws", "routeKey": "$connect"},
    "appsync-api": {"appsyncApiName": "gql", "field": "Query.user"},
    "kinesis-stream": {"kinesisStreamName": "ks"},
    "dynamo-db-stream": {"streamArn": "arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/1"},
    "kafka-topic": {"kafkaClusterName": "kc", "topicName": "t"},
}
TRIGGER_TARGETS = (
    "  q: {type: sqs-queue}\n  b: {type: bucket}\n  bus: {type: event-bus}\n"
    "  t: {type: sns-topic}\n  api: {type: http-api-gateway}\n"
    "  ws: {type: websocket-api-gateway}\n"
    "  gql: {type: appsync-api, properties: {authentication: {type: aws-iam}}}\n"
    "  ks: {type: kinesis-stream}\n"
    "  kc: {type: kafka-cluster}\n"
)


def test_every_schema_is_covered() -> None:
    """A new modelled type, trigger or schema table must get a case here."""
    modelled = set(StackBuilder._BUILDERS) | set(norm.TABLE_ONLY_TYPES)
    assert set(RESOURCE_SCHEMAS) == modelled
    assert set(TRIGGER_BASES) == set(norm.TRIGGER_PROPS)
    assert set(NEWER_TRIGGER_BASES) == set(norm.NEWER_TRIGGERS)
    tables = {
        name
        for name, value in vars(norm).items()
        if name.endswith("_PROPS") and isinstance(value, dict)
    }
    covered = {"FUNCTION_PROPS", "BATCH_PROPS", "QUEUE_PROPS", "BUS_PROPS", "BUCKET_PROPS"}
    covered |= {"GATEWAY_PROPS", "TOPIC_PROPS", "TRIGGER_PROPS", "PAYLOAD_PROPS"}
    covered |= {"RELATIONAL_DATABASE_PROPS", "REDIS_PROPS", "FIREWALL_PROPS", "WORKLOAD_PROPS"}
    covered |= {"WEB_SERVICE_PROPS", "PRIVATE_SERVICE_PROPS", "WORKER_SERVICE_PROPS"}
    covered |= {"SIMPLE_SERVICE_PROPS", "CONTAINER_PROPS", "SIDE_CONTAINER_PROPS", "CDN_PROPS"}
    covered |= {"ALARM_PROPS", "WEBSOCKET_API_GATEWAY_PROPS", "KAFKA_CLUSTER_PROPS"}
    covered |= {"APPSYNC_API_PROPS", "DSQL_DATABASE_PROPS", "EMAIL_SENDER_PROPS"}
    covered |= {"STATE_MACHINE_PROPS"}
    # The types stptui does not simulate, read for their property names and value types.
    covered |= {"DYNAMO_TABLE_PROPS", "HOSTING_BUCKET_PROPS", "USER_AUTH_POOL_PROPS"}
    covered |= {"EDGE_LAMBDA_FUNCTION_PROPS", "CUSTOM_RESOURCE_DEFINITION_PROPS"}
    covered |= {"DEPLOYMENT_SCRIPT_PROPS", "CUSTOM_RESOURCE_INSTANCE_PROPS"}
    covered |= {"AWS_CDK_CONSTRUCT_PROPS", "BASTION_PROPS", "UPSTASH_REDIS_PROPS"}
    covered |= {"EFS_FILESYSTEM_PROPS", "MONGO_DB_ATLAS_CLUSTER_PROPS", "OPEN_SEARCH_DOMAIN_PROPS"}
    covered |= {"CONVEX_PROPS", "AGENTCORE_RUNTIME_PROPS", "AGENTCORE_MEMORY_PROPS"}
    covered |= {"AGENTCORE_GATEWAY_PROPS", "AGENTCORE_BROWSER_PROPS"}
    covered |= {"SSR_WEB_PROPS", "NEXTJS_WEB_PROPS"}
    # Checked at its place (an application load balancer's `cdn`) by
    # tests/test_config_every_type.py.
    covered |= {"ALB_CDN_PROPS"}
    # The events read without a table of their own (container ingress, alarm events):
    # checked at their places by tests/test_config_every_type.py.
    covered |= {"OPAQUE_TRIGGER_PROPS"}
    covered |= {"WEBSOCKET_EVENT_PROPS", "APPSYNC_EVENT_PROPS"}
    covered |= {"KINESIS_STREAM_PROPS", "KINESIS_EVENT_PROPS", "DYNAMO_STREAM_EVENT_PROPS"}
    covered |= {"_STREAM_EVENT_PROPS", "ALB_PROPS", "NLB_PROPS"}
    # Checked property by property by tests/test_lint_network_load_balancers.py.
    covered |= {"NLB_LISTENER_PROPS"}
    # Checked property by property by tests/test_lint_listener_rules.py.
    covered |= {"ALB_EVENT_PROPS", "ALB_LISTENER_PROPS"}
    # Checked property by property at their places by tests/test_config_nested_sections.py.
    covered |= {"BUCKET_CDN_PROPS", "IAM_STATEMENT_PROPS", "BUCKET_POLICY_STATEMENT_PROPS"}
    covered |= {"SQS_POLICY_STATEMENT_PROPS"}
    # The kafka-topic event's table is covered here; its custom source's and `vpc`'s by
    # tests/test_kafka_config.py.
    covered |= {"KAFKA_EVENT_PROPS", "CUSTOM_KAFKA_PROPS", "KAFKA_VPC_PROPS"}
    assert tables <= covered, tables - covered
    for schema, _ in RESOURCE_SCHEMAS.values():
        for spec in schema.values():
            assert set(spec.kind.split("|")) <= set(ACCEPTS), spec


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _bad_values(spec: norm.P) -> list[tuple[str, str, str]]:
    """(description, YAML literal, expected code) for values `spec` must reject."""
    accepted = set().union(*(ACCEPTS[k] for k in spec.kind.split("|")))
    out = [(f"a {tag}", lit, "wrong-type") for tag, lit in LITERALS.items() if tag not in accepted]
    if spec.enum is not None:
        out.append(("a value outside the enum", "'not-a-valid-choice'", "invalid-value"))
    if spec.lo is not None:
        low = spec.lo - 1 if "int" in spec.kind else spec.lo - 0.5
        out.append(("a value below the range", _number(low), "out-of-range"))
    if spec.hi is not None:
        out.append(("a value above the range", _number(spec.hi + 1), "out-of-range"))
    return out


def _schema_cases() -> list[tuple[str, str, str, str, norm.P]]:
    """(id, text before the property, its indentation, property, spec) for every schema."""
    cases: list[tuple[str, str, str, str, norm.P]] = []
    for rtype, (schema, base) in {**RESOURCE_SCHEMAS, **CONTAINER_SCHEMAS}.items():
        for prop, spec in schema.items():
            if spec.kind == "any":
                continue  # checked by its own reader (a dynamo-db-table's key, a pool's hooks)
            others = "".join(f"      {k}: {v}\n" for k, v in base.items() if k != prop)
            head = f"resources:\n  r:\n    type: {rtype}\n    properties:\n{others}"
            cases.append((f"{rtype}.{prop}", head, " " * 6, prop, spec))
    for prop, spec in norm.TOP_LEVEL.items():
        head = "" if prop == "resources" else "resources: {}\n"
        cases.append((f"top.{prop}", head, "", prop, spec))
    bases = {**TRIGGER_BASES, **NEWER_TRIGGER_BASES}
    newer = {etype: schema for etype, (schema, _) in norm.NEWER_TRIGGERS.items()}
    for etype, schema in {**norm.TRIGGER_PROPS, **newer}.items():
        for prop, spec in schema.items():
            base = bases[etype]
            others = "".join(f"            {k}: {v}\n" for k, v in base.items() if k != prop)
            head = (
                f"resources:\n{TRIGGER_TARGETS}  fn:\n    type: function\n    properties:\n"
                f"      packaging: {PKG}\n      events:\n        - type: {etype}\n"
                f"          properties:\n{others}"
            )
            cases.append((f"event.{etype}.{prop}", head, " " * 12, prop, spec))
    return cases


SCHEMA_CASES = _schema_cases()


@pytest.mark.parametrize(
    ("head", "pad", "prop", "spec"),
    [c[1:] for c in SCHEMA_CASES],
    ids=[c[0] for c in SCHEMA_CASES],
)
def test_wrong_typed_property_is_reported_at_its_value(
    head: str,
    pad: str,
    prop: str,
    spec: norm.P,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    bad = _bad_values(spec)
    assert bad, f"{prop}: a schema kind that takes anything ({spec.kind}) cannot be tested"
    for what, literal, code in bad:
        text = f"{head}{pad}{prop}: {literal}\n"
        line, column = text.count("\n"), len(pad) + len(prop) + 3
        result = load_checked(text)
        assert isinstance(result, Stack), (what, result)
        hits = [d for d in result.diagnostics if d.code == code and d.severity == "error"]
        assert any((d.line, d.column) == (line, column) for d in hits), (
            what,
            text,
            [d.format() for d in result.diagnostics],
        )
        assert any(prop in d.message for d in hits), (what, [d.format() for d in hits])
        if code == "out-of-range":  # bounds read as written: 1209600, not 1.2096e+06
            assert not any(re.search(r"\de[+-]?\d", d.message) for d in hits), [
                d.message for d in hits
            ]
        check_cli(text, tmp_path, capsys, result)


NESTED: dict[str, tuple[str, str, str | None]] = {
    # name -> (type of resource `r`, its properties, an error code that must be reported on
    # `r`; "" for any error or warning on `r`; None for "no crash" only)
    "redrivePolicy.maxReceiveCount is a string": (
        "sqs-queue",
        "redrivePolicy: {targetSqsQueueName: q, maxReceiveCount: three}",
        "wrong-type",
    ),
    "redrivePolicy target is a number": (
        "sqs-queue",
        "redrivePolicy: {targetSqsQueueName: 5, maxReceiveCount: 3}",
        "wrong-type",
    ),
    "redrivePolicy names both targets": (
        "sqs-queue",
        "redrivePolicy: {targetSqsQueueName: q, targetSqsQueueArn: x, maxReceiveCount: 3}",
        "exactly-one-of",
    ),
    "retryConfig.attempts is a list": (
        "batch-job",
        f"container: {{packaging: {PKG}}}\n      resources: {{cpu: 1, memory: 1}}\n"
        "      retryConfig: {attempts: [3]}",
        "wrong-type",
    ),
    "batch resources.cpu is a string": (
        "batch-job",
        f"container: {{packaging: {PKG}}}\n      resources: {{cpu: lots, memory: 1}}",
        "wrong-type",
    ),
    "container.packaging is a string": (
        "batch-job",
        "container: {packaging: docker}\n      resources: {cpu: 1, memory: 1}",
        "wrong-type",
    ),
    "archivation.enabled is a string": (
        "event-bus",
        "archivation: {enabled: 'yes', retentionDays: 1}",
        "wrong-type",
    ),
    "destinations.onFailure is a number": (
        "function",
        f"packaging: {PKG}\n      destinations: {{onFailure: 3}}",
        "",
    ),
    "connectTo entry is a mapping": (
        "function",
        f"packaging: {PKG}\n      connectTo: [{{a: 1}}]",
        "wrong-type",
    ),
    "s3 filterRule is a string": (
        "function",
        f"packaging: {PKG}\n      events: [{{type: s3, properties: "
        "{bucketArn: 'arn:aws:s3:::x', s3EventType: 's3:ObjectCreated:*', filterRule: x}}]",
        "wrong-type",
    ),
    "s3 filterRule list of junk": (
        "function",
        f"packaging: {PKG}\n      events: [{{type: s3, properties: "
        "{bucketArn: 'arn:aws:s3:::x', s3EventType: [1, null], filterRules: [5, {type: 1}]}}]",
        "invalid-value",
    ),
    "inputTransformer.inputTemplate is a list": (
        "function",
        f"packaging: {PKG}\n      events: [{{type: schedule, properties: "
        "{scheduleRate: rate(1 hour), inputTransformer: {inputTemplate: [1]}}}]",
        "wrong-type",
    ),
    "onDeliveryFailure.sqsQueueName is a list": (
        "function",
        f"packaging: {PKG}\n      events: [{{type: sns, properties: "
        "{snsTopicArn: 'arn:aws:sns:us-east-1:1:t', onDeliveryFailure: {sqsQueueName: [q]}}}]",
        "wrong-type",
    ),
    "schedule rate is nonsense": (
        "function",
        f"packaging: {PKG}\n      events: [{{type: schedule, properties: "
        "{scheduleRate: 'cron(99 99 99 99 99 99)'}}]",
        "",
    ),
    "event pattern is a list": (
        "function",
        f"packaging: {PKG}\n      events: [{{type: event-bus, properties: "
        "{useDefaultBus: true, eventPattern: [source]}}]",
        "wrong-type",
    ),
    # EventBridge pattern validation (sim/patterns.py) is not wired into the config layer yet;
    # until it is, only "no crash" is asserted for malformed matchers.
    "event pattern with junk matchers": (
        "function",
        f"packaging: {PKG}\n      events: [{{type: event-bus, properties: "
        "{useDefaultBus: true, eventPattern: {source: [{prefix: {a: 1}}], detail: [[[]]]}}}]",
        None,
    ),
    "huge numbers": (
        "batch-job",
        f"container: {{packaging: {PKG}}}\n      resources: {{cpu: 1e300, memory: 1e300}}\n"
        "      timeout: 1e300\n      retryConfig: {retryIntervalSeconds: 1e300}",
        None,
    ),
}


@pytest.mark.parametrize("name", list(NESTED))
def test_nested_wrong_values_are_reported(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rtype, body, code = NESTED[name]
    text = (
        f"resources:\n  q: {{type: sqs-queue}}\n  r:\n    type: {rtype}\n    properties:\n"
        f"      {body}\n"
    )
    result = load_checked(text)
    assert isinstance(result, Stack), result
    on_r = [d for d in result.diagnostics if d.resource == "r"]
    if code:
        assert code in {d.code for d in on_r if d.severity == "error"}, [
            d.format() for d in result.diagnostics
        ]
    elif code is not None:
        assert any(d.severity in ("error", "warning") for d in on_r), [
            d.format() for d in result.diagnostics
        ]
    check_cli(text, tmp_path, capsys, result)


# -- 4. size, alias bombs ----------------------------------------------------------------------


def test_ten_megabyte_file_is_refused_fast(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "stacktape.yml"
    line = "# " + "x" * 98 + "\n"
    path.write_text("resources: {}\n" + line * (10 * 1024 * 1024 // len(line)), encoding="utf-8")
    # Refused on its size alone, before anything reads or parses it: 286 steps for the file
    # and 51 for the text, whatever their size, and a few KB allocated. Reading it, even only
    # up to the 4 MB limit, would allocate that much; parsing it, millions of steps.
    with pytest.raises(ConfigError) as refused, CountWork(max_steps=1_000, memory=True) as work:
        load_stack(path)
    assert work.peak_bytes < 1024 * 1024, work
    result = refused.value
    assert result.diagnostic.code == "file-too-large"
    assert result.diagnostic.file == str(path)
    text = path.read_text(encoding="utf-8")
    with pytest.raises(ConfigError) as refused, CountWork(max_steps=1_000, memory=True) as work:
        load_stack_text(text, "big.yml")
    assert work.peak_bytes < 1024 * 1024, work
    text_result = refused.value
    assert text_result.diagnostic.code == "file-too-large"
    assert validate_exit(path, capsys) == 2


def billion_laughs(levels: int = 9, width: int = 9) -> str:
    lines = [f"a0: &a0 [{', '.join(['lol'] * width)}]"]
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * width)}]")
    lines.append(f"resources: {{q: {{type: sqs-queue, properties: {{tags: *a{levels - 1}}}}}}}")
    return "\n".join(lines) + "\n"


def test_alias_bomb_is_refused_in_time() -> None:
    # The loader sizes the alias expansion before building anything: about 3,000 steps to
    # refuse 9**9 values (expanding them would take billions).
    with CountWork(max_steps=10_000):
        result = load_checked(billion_laughs())
    assert isinstance(result, ConfigError), "a 9**9-value document was accepted"
    assert result.diagnostic.severity == "error"
    assert "alias" in result.diagnostic.message.lower()
    assert result.diagnostic.line is not None


_BOMB_PROBE = """
import re, sys
sys.path.insert(0, sys.argv[2])
from workcount import CountWork
from stptui.cli import main

def peak_kib():  # VmHWM belongs to this process image (ru_maxrss survives fork and exec)
    with open("/proc/self/status") as f:
        return int(re.search(r"VmHWM:\\s+(\\d+)", f.read()).group(1))

import stptui.config, stptui.config.loader, stptui.config.normalize, stptui.config.lint
before = peak_kib()
with CountWork(max_steps=int(sys.argv[3])) as work:
    rc = main(["validate", sys.argv[1]])
print(rc, work.steps, peak_kib() - before)
"""


# `stptui validate` of the bomb: 28,000 steps in a fresh process, lazy imports included;
# expanding the aliases before refusing them would take billions.
BOMB_CLI_STEPS = 100_000


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")
def test_alias_bomb_is_refused_by_validate_without_big_memory(tmp_path: Path) -> None:
    """A 300-byte document must not take hundreds of MB (or millions of steps) to be refused."""
    path = tmp_path / "stacktape.yml"
    path.write_text(billion_laughs(), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", _BOMB_PROBE, str(path), str(TESTS), str(BOMB_CLI_STEPS)],
        capture_output=True,
        text=True,
        timeout=60,  # a hang guard: the probe takes well under a second
        check=False,
        cwd=REPO_ROOT,
    )
    assert done.returncode == 0, done.stderr[-3000:]  # the probe's own traceback, if any
    rc, steps, grown_kib = done.stdout.split()
    assert int(rc) == 2
    assert "alias" in done.stderr
    assert int(steps) <= BOMB_CLI_STEPS  # the probe stops (and fails) at the bound
    grown_mb = int(grown_kib) / 1024
    assert grown_mb < 100, (
        f"peak memory grew by {grown_mb:.0f} MB to refuse {path.stat().st_size} bytes"
    )


_DEEP_PROBE = """
import contextlib, io, sys
from stptui.cli import main

for path in sys.argv[1:]:
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        rc = main(["validate", path])
    print(rc, err.getvalue().splitlines()[0] if err.getvalue() else "")
"""


def test_a_million_levels_of_nesting_are_refused_not_a_crash(tmp_path: Path) -> None:
    # PyYAML's C parser before 6.0.4 (libyaml 0.2.5) had no nesting limit and built nodes
    # recursively in C: these files, well under the size limit, ended it with a segmentation
    # fault, which no `except` catches (pyproject.toml asks for pyyaml>=6.0.4).
    files = {
        "flow sequences": "resources: " + "[" * 1_000_000 + "]" * 1_000_000 + "\n",
        "flow mappings": "resources: " + "{a: " * 400_000 + "1" + "}" * 400_000 + "\n",
        "block sequences": "resources:\n  " + "- " * 1_000_000 + "x\n",
    }
    paths = []
    for i, text in enumerate(files.values()):
        paths.append(tmp_path / f"deep{i}.yml")
        paths[-1].write_text(text, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", _DEEP_PROBE, *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=60,  # a hang guard: the three take well under a second
        check=False,
        cwd=REPO_ROOT,
    )
    # A signal is a negative exit: -11 is the segmentation fault.
    assert done.returncode == 0, f"exit {done.returncode}: {done.stderr[-3000:]}"
    # Pure-Python PyYAML (no libyaml) gets no position: its recursion limit stops it.
    refused = re.compile(r"deep\d\.yml(:\d+:\d+)?: error yaml-(syntax|too-deep): ")
    for name, line in zip(files, done.stdout.splitlines(), strict=True):
        rc, _, first = line.partition(" ")
        assert rc == "2" and refused.search(first), (name, line)


_OLD_LIBYAML_PROBE = """
import contextlib, io, sys
import yaml._yaml
yaml._yaml.get_version = lambda: (0, 2, 5)  # as PyYAML built against Debian 12's libyaml
from yaml.parser import Parser
from stptui.cli import main
from stptui.config import loader

print("pure" if issubclass(loader._Loader, Parser) else "C")
err = io.StringIO()
with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
    rc = main(["validate", sys.argv[1]])
print(rc, err.getvalue().splitlines()[0])
"""


def test_a_libyaml_without_a_nesting_limit_is_not_used(tmp_path: Path) -> None:
    # libyaml bounds nesting (1,000 levels) from 0.2.6 on; PyYAML built against an older one
    # (a distribution's package, a source build) composes nodes recursively in C, and a
    # million `[` overflow the C stack. The pure-Python parser stops at the recursion limit.
    path = tmp_path / "deep.yml"
    path.write_text("resources: " + "[" * 1_000_000 + "]" * 1_000_000 + "\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", _OLD_LIBYAML_PROBE, str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=REPO_ROOT,
    )
    assert done.returncode == 0, f"exit {done.returncode}: {done.stderr[-3000:]}"
    parser, result = done.stdout.splitlines()
    assert parser == "pure"
    assert result.startswith("2 ") and "deep.yml: error yaml-too-deep: " in result, result


def test_many_aliases_below_the_limit_still_load() -> None:
    """Aliases are legitimate YAML: a modest amount of reuse is accepted, not refused."""
    text = dedent(
        """\
        x-common: &common
          timeout: 30
          memory: 512
        resources:
          a:
            type: function
            properties:
              <<: *common
              packaging: {PKG}
          b:
            type: function
            properties:
              <<: *common
              packaging: {PKG}
        """
    ).replace("{PKG}", PKG)
    result = load_checked(text)
    assert isinstance(result, Stack)
    assert result.resources["a"].timeout_s == 30  # type: ignore[attr-defined]
    assert result.resources["b"].memory_mb == 512  # type: ignore[attr-defined]


# -- 5. directives -----------------------------------------------------------------------------

DIRECTIVES = {
    "unbalanced quote": "$Var('abc)",
    "unbalanced parenthesis": "$Format('{}', $Stage()",
    "extra parenthesis": "$Stage())",
    "unknown name": "$Nope()",
    "lower-case name": "$stage()",
    "empty": "$()",
    "huge nesting": "$Format(" * 3000 + ")" * 3000,
    "deep but balanced": "$Format('{}', " * 40 + "$Stage()" + ")" * 40,
    "very long argument": "$Format('" + "x" * 20_000 + "')",
    "unknown variable": "$Var().nope",
    "path into a scalar": "$Stage().a.b.c",
    "resource param of nothing": "$ResourceParam('zz', 'arn')",
    "resource param, bad param": "$ResourceParam('q', 'colour')",
    "file outside the project": "$File('/etc/passwd')",
    "file that is a directory": "$File('.')",
    "code file": "$File('evil.py')",
    "custom directive": "$MyCustom('a')",
}


@pytest.mark.parametrize("name", list(DIRECTIVES))
def test_bad_directives_are_diagnosed(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    directive = DIRECTIVES[name]
    text = (
        "variables: {a: x}\nresources:\n  q: {type: sqs-queue}\n  fn:\n    type: function\n"
        f"    properties:\n      packaging: {PKG}\n      description: {json.dumps(directive)}\n"
        f"      environment:\n        - name: X\n          value: {json.dumps(directive)}\n"
    )
    result = load_checked(text)
    assert isinstance(result, Stack), result
    found = [
        d
        for d in result.diagnostics
        if d.code != "unknown-property" and d.severity in ("error", "warning") and d.line in (8, 11)
    ]
    assert {d.line for d in found} == {8, 11}, [d.format() for d in result.diagnostics]
    check_cli(text, tmp_path, capsys, result)


def test_var_chains_and_cycles_end(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    chain = "".join(f"  v{i}: $Var().v{i + 1}\n" for i in range(500))
    cycle = "  c0: $Var().c1\n  c1: $Var().c0\n"
    # Each level doubles: without a cap this is 2**40 evaluations.
    doubling = "  d0: x\n" + "".join(
        f"  d{i}: $Format('{{}}{{}}', $Var().d{i - 1}, $Var().d{i - 1})\n" for i in range(1, 41)
    )
    text = (
        f"variables:\n{chain}  v500: x\n{cycle}{doubling}resources:\n  fn:\n    type: function\n"
        f"    properties:\n      packaging: {PKG}\n      description: $Var().v0\n"
        "      timeout: $Var().c0\n      environment:\n        - name: D\n"
        "          value: $Var().d40\n"
    )
    result = load_checked(text)
    assert isinstance(result, Stack)
    assert "directive-cycle" in codes(result), [d.format() for d in result.diagnostics]
    check_cli(text, tmp_path, capsys, result)


# -- 6. custom tags never run code ------------------------------------------------------------


def test_cloudformation_short_tags_are_read_as_data(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = dedent(
        """\
        resources:
          q: {type: sqs-queue}
        cloudformationResources:
          Topic:
            Type: AWS::SNS::Topic
            Properties:
              TopicName: !Ref TopicNameParam
              Arn: !GetAtt Queue.Arn
              Joined: !Join [',', [a, b]]
              Sub: !Sub '${AWS::Region}'
        """
    )
    result = load_checked(text)
    assert isinstance(result, Stack)
    tags = [d for d in result.diagnostics if d.code == "yaml-unknown-tag"]
    assert [d.line for d in tags] == [7, 8, 9, 10]
    assert all(d.severity == "warning" for d in tags)
    check_cli(text, tmp_path, capsys, result)


@pytest.mark.parametrize(
    "template",
    [
        '!!python/object/apply:os.system ["touch {marker}"]',
        '!!python/object/apply:subprocess.call [["touch", "{marker}"]]',
        '!!python/object/new:subprocess.Popen [["touch", "{marker}"]]',
        "!!python/name:os.system",
        "!!python/object/apply:builtins.exec [\"open('{marker}', 'w').close()\"]",
    ],
)
def test_python_tags_never_execute(
    template: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    marker = tmp_path / "hacked"
    payload = template.replace("{marker}", str(marker))
    text = f"resources:\n  q:\n    type: sqs-queue\n    properties:\n      tags: {payload}\n"
    result = load_checked(text)
    assert not marker.exists(), "a YAML tag ran code"
    assert isinstance(result, Stack)
    tags = [d for d in result.diagnostics if d.code == "yaml-unknown-tag"]
    assert tags and tags[0].line == 5 and tags[0].severity == "warning"
    top = load_checked(payload + "\n")
    assert not marker.exists()
    assert any(d.severity in ("error", "warning") for d in diagnostics_of(top))
    check_cli(text, tmp_path, capsys, result)
    assert not marker.exists(), "a YAML tag ran code through `stptui validate`"


# -- 7. random mutations of the sample stacks ------------------------------------------------

SAMPLE_TEXTS = [p.read_text(encoding="utf-8") for p in SAMPLE_STACKS]
SPECIAL = "{}[]:'\"&*!|>%@#,?-\t\n\r\\`$()<=~"
SCALARS = st.one_of(
    st.text(
        alphabet=st.one_of(st.sampled_from(SPECIAL), st.characters(codec="utf-8")), max_size=12
    ),
    st.integers(min_value=-(10**12), max_value=10**12).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(
        [
            "true", "false", "null", "~", "yes", "no", "on", "''", '""', "[]", "{}", ".nan",
            "-.inf", "1e400", "0x1F", "0o17", "0b101", "1_000", "*", "&a", "*a", "!Ref x",
            "@x", "`x", "%x", "|", ">", "- a", "? a", "$Stage()", "$Var().x", "$Format(",
            "$ResourceParam('q', 'arn')", "$File('x.json')", "\x1b[31mred", "\u202e", "\ufeff",
        ]
    ),
)  # fmt: skip
_SCALAR_LINE = re.compile(r"^(\s*(?:- )?[^:#\s][^:#]*:\s+)(\S.*)$")
# The strategies `mutated_stack` draws from, made once: made inside it, each was made and
# checked again at every draw (`st.characters(codec=...)` works out its intervals), a third
# of the time of the thousands of examples.
SAMPLE_TEXT = st.sampled_from(SAMPLE_TEXTS)
MUTATIONS = st.integers(min_value=1, max_value=4)
OPS = st.sampled_from(["delete", "duplicate", "swap", "indent", "scalar", "insert"])
INDENT_DELTA = st.integers(min_value=-4, max_value=4)
JUNK = st.text(
    alphabet=st.one_of(st.sampled_from(SPECIAL), st.characters(codec="utf-8")),
    min_size=1,
    max_size=6,
)


@st.composite
def mutated_stack(draw: st.DrawFn) -> str:
    lines = draw(SAMPLE_TEXT).split("\n")
    for _ in range(draw(MUTATIONS)):
        op = draw(OPS)
        i = draw(st.integers(min_value=0, max_value=len(lines) - 1))
        if op == "delete" and len(lines) > 1:
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, lines[i])
        elif op == "swap":
            j = draw(st.integers(min_value=0, max_value=len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "indent":
            delta = draw(INDENT_DELTA)
            stripped = lines[i].lstrip(" ")
            width = max(0, len(lines[i]) - len(stripped) + delta)
            lines[i] = " " * width + stripped
        elif op == "scalar":
            candidates = [k for k, line in enumerate(lines) if _SCALAR_LINE.match(line)]
            if candidates:
                k = draw(st.sampled_from(candidates))
                match = _SCALAR_LINE.match(lines[k])
                assert match
                lines[k] = match.group(1) + draw(SCALARS)
        else:
            pos = draw(st.integers(min_value=0, max_value=len(lines[i])))
            lines[i] = lines[i][:pos] + draw(JUNK) + lines[i][pos:]
    return "\n".join(lines)


@settings(
    max_examples=1500,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(text=mutated_stack())
def test_random_mutations_of_sample_stacks_never_crash(text: str) -> None:
    result = load_checked(text, "stacktape.yml")
    if isinstance(result, ConfigError):
        assert result.diagnostic.severity == "error"
        assert result.diagnostic.file == "stacktape.yml"
    else:
        # A Stack: whatever the mutation did, its diagnostics are sorted and serialisable.
        assert result.diagnostics == sort_diagnostics(result.diagnostics)
        for d in result.diagnostics:
            assert d.format()
            json.dumps(d.to_json())


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(text=mutated_stack())
def test_validate_exit_code_on_mutated_stacks(text: str) -> None:
    """`stptui validate` on a mutated file exits 0/1/2 exactly as the load says."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "stacktape.yml"
        path.write_text(text, encoding="utf-8", newline="")
        result = guarded(load_stack, path)
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            rc = main(["validate", str(path), "--format", "json"])
        assert rc == expected_exit(result)
        assert len(json.loads(out.getvalue())) == len(diagnostics_of(result))


def test_sample_stacks_are_valid_baselines() -> None:
    """The mutation test starts from stacks that load without errors."""
    assert len(SAMPLE_TEXTS) >= 6
    for path, text in zip(SAMPLE_STACKS, SAMPLE_TEXTS, strict=True):
        result = load_checked(text, str(path))
        assert isinstance(result, Stack)
        assert not result.errors, [d.format() for d in result.errors]


def test_mutations_are_not_trivial() -> None:
    """Sanity check of the mutator: it produces texts that differ and some that fail."""
    rng = random.Random(7)
    lines = SAMPLE_TEXTS[0].split("\n")
    broken = 0
    for _ in range(50):
        copy = list(lines)
        i = rng.randrange(len(copy))
        copy[i] = copy[i][:3] + rng.choice("{}[]:'\"&*!|>%@") + copy[i][3:]
        text = "\n".join(copy)
        assert text != SAMPLE_TEXTS[0]
        result = load_checked(text)
        broken += isinstance(result, ConfigError) or bool(result.errors)
    assert broken > 0


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero here")
def test_a_device_or_a_fifo_is_refused_without_reading_it(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.yml"
    os.mkfifo(fifo)
    for path in (Path("/dev/zero"), fifo):
        result = guarded(load_stack, path)
        assert isinstance(result, ConfigError), path
        assert result.diagnostic.code == "file-unreadable"
        assert result.diagnostic.message == "not a regular file"


def test_a_diagnostic_keeps_its_fields_on_its_own_line() -> None:
    # A resource name is the config's text: a line break in it must not print as a second,
    # made-up diagnostic.
    stack = load_stack_text(
        'resources:\n  "ok\\nstacktape.yml:1:1: info all-good: fine\\n": {type: sqs-queue}\n',
        "stacktape.yml",
    )
    lines = [line for d in stack.diagnostics for line in d.format().splitlines()]
    assert lines and not any(line.startswith("stacktape.yml:1:1: info") for line in lines)
    assert any("ok\\nstacktape.yml:1:1: info all-good: fine\\n" in line for line in lines)


def test_variables_that_nest_each_other_are_cut_at_the_nesting_limit() -> None:
    # Six variables of 190 levels, each holding the next: 6 KB that nest 1,140 levels deep
    # once substituted. The graph and its exports used to end in a RecursionError.
    from stptui import graph

    levels, count = 190, 6
    variables = [
        f"  v{k}: "
        + "{a: " * levels
        + (f"$Var().v{k + 1}" if k < count - 1 else "x")
        + "}" * levels
        for k in range(count)
    ]
    text = "\n".join(
        [
            "variables:",
            *variables,
            "resources:",
            "  fn:",
            "    type: function",
            "    properties:",
            "      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}",
            "      environment:",
            "        - {name: DEEP, value: $Var().v0}",
        ]
    )
    stack = load_stack_text(text, "stacktape.yml")
    deep = [d for d in stack.diagnostics if d.code == "directive-nesting"]
    assert deep and all("once variables are substituted" in d.message for d in deep)
    assert any(d.line == count + 8 for d in deep)  # at the environment entry that uses it
    g = graph.build_graph(stack)
    assert "fn" in graph.to_text(g) and json.loads(graph.to_json(g))


# -- 8. digits of other scripts where a number is read ----------------------------------------

KAFKA_PORT = f"""\
resources:
  ingest:
    type: function
    properties:
      packaging: {PKG}
      events:
        - type: kafka-topic
          properties:
            customKafkaConfiguration:
              bootstrapServers: ["broker.example.com:PORT"]
              topicName: orders
              authentication:
                type: SASL_SCRAM_512_AUTH
                properties:
                  authenticationSecretArn: arn:aws:secretsmanager:eu-west-1:1:secret:k
"""
POOL_BOUND = """\
resources:
  users:
    type: user-auth-pool
    properties:
      schema:
        - {{name: seats, attributeDataType: Number, numberMinValue: "{bound}"}}
"""


@pytest.mark.parametrize("port", ["²", "９０９２"])
def test_a_port_in_other_digits_is_no_bootstrap_server(port: str) -> None:
    # str.isdigit() is True for `²`, which int() refuses: the grammar-aware fuzzer's
    # superscript ended `validate` in a traceback. A port is ASCII digits, as Kafka reads one.
    result = load_checked(KAFKA_PORT.replace("PORT", port))
    assert isinstance(result, Stack)
    assert any(
        d.code == "invalid-value" and "is not `host:port`" in d.message for d in result.errors
    ), [d.format() for d in result.diagnostics]


@pytest.mark.parametrize("bound", ["²", "１０"])
def test_a_schema_bound_in_other_digits_is_not_applied(bound: str) -> None:
    result = load_checked(POOL_BOUND.format(bound=bound))
    assert isinstance(result, Stack)
    pool = result.resources["users"]
    assert isinstance(pool, UserAuthPool)
    assert pool.attribute_rules["custom:seats"].min_value is None
