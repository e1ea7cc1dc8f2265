"""Nested objects of functions, batch jobs, buckets and HTTP API gateways, checked against
Stacktape's schema (types/stacktape-config/functions.d.ts, batch-jobs.d.ts, buckets.d.ts,
http-api-gateways.d.ts of stacktape/stacktape): logging, function URLs, deployments, CORS,
bucket accessibility and lifecycle rules. Before, any value was accepted there."""

from __future__ import annotations

import json
from typing import Any

import pytest

from stptui.config import Stack, load_stack_text
from stptui.config import normalize_schema as norm
from stptui.config.model import BatchJob, Function

PKG = {"type": "stacktape-lambda-buildpack", "properties": {"entryfilePath": "a.ts"}}
IMAGE = {"packaging": {"type": "prebuilt-image", "properties": {"image": "a"}}}
RETENTION = {1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1827, 3653}
LOGGING = {"disabled", "retentionDays", "logForwarding"}
CORS = {"allowedOrigins", "allowedHeaders", "allowedMethods", "exposedResponseHeaders", "maxAge"}
SCHEMA: dict[str, tuple[set[str], set[str]]] = {
    "logging": (LOGGING, set()),
    "gateway logging": (LOGGING | {"format"}, set()),
    "url": ({"enabled", "cors", "authMode", "responseStreamEnabled"}, {"enabled"}),
    "cors": (CORS | {"enabled", "allowCredentials"}, {"enabled"}),
    # LambdaUrlCorsConfig: the same names (its maxAge has AWS::Lambda::Url's range).
    "url cors": (CORS | {"enabled", "allowCredentials"}, {"enabled"}),
    "deployment": (
        {"strategy", "beforeAllowTrafficFunction", "afterTrafficShiftFunction"},
        {"strategy"},
    ),
    "accessibility": ({"accessibilityMode", "accessPolicyStatements"}, {"accessibilityMode"}),
    "bucket cors": ({"enabled", "corsRules"}, {"enabled"}),
    "corsRules": (CORS, set()),
}
RULE_BASE = {"prefix", "tags"}
LIFECYCLE: dict[str, tuple[set[str], set[str]]] = {
    "expiration": (RULE_BASE | {"daysAfterUpload"}, {"daysAfterUpload"}),
    "non-current-version-expiration": (
        RULE_BASE | {"daysAfterVersioned"},
        {"daysAfterVersioned"},
    ),
    "class-transition": (
        RULE_BASE | {"daysAfterUpload", "storageClass"},
        {"daysAfterUpload", "storageClass"},
    ),
    "non-current-version-class-transition": (
        RULE_BASE | {"daysAfterVersioned", "storageClass"},
        {"daysAfterVersioned", "storageClass"},
    ),
    "abort-incomplete-multipart-upload": (
        RULE_BASE | {"daysAfterInitiation"},
        {"daysAfterInitiation"},
    ),
}


def test_tables_hold_exactly_the_schema_names() -> None:
    assert {k: (set(p), set(r)) for k, (p, r) in norm.NESTED.items()} == SCHEMA
    assert {k: (set(p), set(r)) for k, (p, r) in norm.LIFECYCLE_RULES.items()} == LIFECYCLE
    assert set(norm.LOG_RETENTION_DAYS) == RETENTION


def _stack(resources: dict[str, Any]) -> Stack:
    return load_stack_text(json.dumps({"resources": resources}, indent=1), "s.yml")


def _fn(**props: Any) -> dict[str, Any]:
    return {"type": "function", "properties": {"packaging": PKG, **props}}


def _errors(stack: Stack) -> list[tuple[str, str]]:
    return [(d.code, d.message) for d in stack.diagnostics if d.severity == "error"]


@pytest.mark.parametrize(
    ("resource", "code", "words"),
    [
        (_fn(logging={"retentionDays": 15}), "invalid-value", "`retentionDays` is 15; allowed: 1,"),
        (_fn(logging={"retention": 14}), "unknown-property", "`retention` in `logging`"),
        (_fn(url={"enabled": True, "authMode": "PUBLIC"}), "invalid-value", "`authMode`"),
        (_fn(url={"authMode": "NONE"}), "missing-property", "`url` needs `enabled`"),
        (
            _fn(url={"enabled": True, "cors": {"enabled": True, "allowedMethods": ["FETCH"]}}),
            "invalid-value",
            "`allowedMethods[0]` is 'FETCH'",
        ),
        (_fn(deployment={"strategy": "Canary"}), "invalid-value", "`strategy` is 'Canary'"),
        (
            {
                "type": "batch-job",
                "properties": {
                    "container": IMAGE,
                    "resources": {"cpu": 1, "memory": 1024},
                    "logging": {"retentionDays": 100},
                },
            },
            "invalid-value",
            "`retentionDays` is 100",
        ),
        (
            {"type": "http-api-gateway", "properties": {"logging": {"format": "TEXT"}}},
            "invalid-value",
            "`format` is 'TEXT'; allowed: CLF, JSON, XML, CSV",
        ),
        (
            {"type": "http-api-gateway", "properties": {"cors": {"allowedOrigins": ["*"]}}},
            "missing-property",
            "`cors` needs `enabled`",
        ),
        (
            {"type": "bucket", "properties": {"accessibility": {"accessibilityMode": "vpc"}}},
            "invalid-value",
            "`accessibilityMode` is 'vpc'; allowed: private, public-read-write, public-read",
        ),
        (
            {
                "type": "bucket",
                "properties": {
                    "cors": {"enabled": True, "corsRules": [{"allowedMethods": ["OPTIONS"]}]}
                },
            },
            "invalid-value",
            "`allowedMethods[0]` is 'OPTIONS'",
        ),
        (
            {
                "type": "bucket",
                "properties": {"lifecycleRules": [{"properties": {"daysAfterUpload": 3}}]},
            },
            "missing-property",
            "a lifecycle rule needs `type`",
        ),
        (
            {
                "type": "bucket",
                "properties": {
                    "lifecycleRules": [{"type": "expire", "properties": {"daysAfterUpload": 3}}]
                },
            },
            "invalid-value",
            "`type` is 'expire'",
        ),
        (
            {
                "type": "bucket",
                "properties": {
                    "lifecycleRules": [
                        {"type": "class-transition", "properties": {"daysAfterUpload": 30}}
                    ]
                },
            },
            "missing-property",
            "`class-transition` rule needs `storageClass`",
        ),
    ],
)
def test_a_value_outside_the_schema_is_an_error(
    resource: dict[str, Any], code: str, words: str
) -> None:
    stack = _stack({"r": resource})
    errors = _errors(stack)
    assert len(errors) == 1, errors
    assert errors[0][0] == code
    assert words in errors[0][1]
    d = next(d for d in stack.diagnostics if d.severity == "error")
    assert d.line is not None and d.line > 3  # at the nested value, not the resource


def test_a_misspelt_required_property_is_reported_once() -> None:
    rule = {"type": "expiration", "properties": {"daysAfterUplaod": 3}}
    stack = _stack({"b": {"type": "bucket", "properties": {"lifecycleRules": [rule]}}})
    (d,) = [d for d in stack.diagnostics if d.severity == "error"]
    assert (d.code, d.hint) == ("unknown-property", "did you mean `daysAfterUpload`?")


def test_a_wrongly_typed_flag_does_not_switch_logging_off_or_the_url_on() -> None:
    stack = _stack(
        {
            "fn": _fn(logging={"disabled": "yes"}, url={"enabled": "yes"}),
            "job": {
                "type": "batch-job",
                "properties": {
                    "container": IMAGE,
                    "resources": {"cpu": 1, "memory": 1024},
                    "logging": {"disabled": "yes"},
                },
            },
        }
    )
    fn, job = stack.resources["fn"], stack.resources["job"]
    assert isinstance(fn, Function) and isinstance(job, BatchJob)
    assert (fn.logging_disabled, fn.url_enabled, job.logging_disabled) == (False, False, False)
    assert [c for c, _ in _errors(stack)] == ["wrong-type"] * 3


def test_every_schema_name_with_a_valid_value_is_accepted() -> None:
    cors = {
        "enabled": True,
        "allowedOrigins": ["*"],
        "allowedHeaders": ["Content-Type"],
        "allowedMethods": ["GET", "*"],
        "allowCredentials": False,
        "exposedResponseHeaders": [],
        "maxAge": 60,
    }
    logging = {
        "disabled": False,
        "retentionDays": 3653,
        "logForwarding": {"type": "datadog", "properties": {"apiKey": "key"}},
    }
    rule_values = {"prefix": "a/", "tags": [], "storageClass": "GLACIER"}
    rules = [
        {"type": t, "properties": {n: rule_values.get(n, 1) for n in names}}
        for t, (names, _) in LIFECYCLE.items()
    ]
    stack = _stack(
        {
            "fn": _fn(
                logging=logging,
                url={
                    "enabled": True,
                    "cors": cors,
                    "authMode": "AWS_IAM",
                    "responseStreamEnabled": True,
                },
                deployment={
                    "strategy": "Linear10PercentEvery10Minutes",
                    "beforeAllowTrafficFunction": "check",
                    "afterTrafficShiftFunction": "check",
                },
            ),
            "check": _fn(),
            "job": {
                "type": "batch-job",
                "properties": {
                    "container": IMAGE,
                    "resources": {"cpu": 1, "memory": 1024},
                    "logging": logging,
                },
            },
            "api": {
                "type": "http-api-gateway",
                "properties": {"logging": {**logging, "format": "CSV"}, "cors": cors},
            },
            "b": {
                "type": "bucket",
                "properties": {
                    "versioning": True,
                    "accessibility": {
                        "accessibilityMode": "public-read-write",
                        "accessPolicyStatements": [],
                    },
                    "cors": {
                        "enabled": True,
                        "corsRules": [
                            {k: v for k, v in cors.items() if k in SCHEMA["corsRules"][0]}
                        ],
                    },
                    "lifecycleRules": rules,
                },
            },
        }
    )
    assert _errors(stack) == []
    assert len(stack.resources) == 5
