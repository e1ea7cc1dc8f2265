"""The sections read against the tables added for them: `cdn` and `alarms` beyond web services,
alarm notification targets and triggers, `logging.logForwarding`, IAM statements, a lambda
buildpack's `languageSpecificConfig` and a container's `loadBalancerHealthCheck`.

Every property of each table is written at its real place with a value of the wrong type (or
outside its enum) and must be reported there; every property with a good value must pass.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from stptui.config import Stack, load_stack_text
from stptui.config import normalize_schema as norm

PKG = "{type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}"
IMG = "{type: prebuilt-image, properties: {image: nginx}}"
FN = f"    type: function\n    properties:\n      packaging: {PKG}\n"
# The codes a table's check gives a bad or unknown property.
SCHEMA_CODES = {"wrong-type", "invalid-value", "unknown-property", "missing-property"}


@dataclass(frozen=True)
class Place:
    """Where a table's properties are written: the text before them, their indentation and
    the required properties (written unless the one under test is one of them)."""

    head: str
    pad: int
    required: dict[str, str]


def _alarm(trigger: str) -> str:
    return f"      alarms:\n        - trigger: {trigger}\n"


LAMBDA_TRIGGER = "{type: lambda-error-rate, properties: {thresholdPercent: 5}}"
PLACES: dict[str, tuple[Place, dict[str, norm.P]]] = {
    "function cdn": (Place(f"resources:\n  r:\n{FN}      cdn:\n", 8, {}), norm.CDN_PROPS),
    "gateway cdn": (
        Place("resources:\n  r:\n    type: http-api-gateway\n    properties:\n      cdn:\n", 8, {}),
        norm.CDN_PROPS,
    ),
    "bucket cdn": (
        Place("resources:\n  r:\n    type: bucket\n    properties:\n      cdn:\n", 8, {}),
        norm.BUCKET_CDN_PROPS,
    ),
    "function alarm": (
        Place(f"resources:\n  r:\n{FN}      alarms:\n        -\n", 10, {"trigger": LAMBDA_TRIGGER}),
        norm.ALARM_PROPS,
    ),
    "queue alarm": (
        Place(
            "resources:\n  r:\n    type: sqs-queue\n    properties:\n      alarms:\n        -\n",
            10,
            {"trigger": "{type: sqs-queue-not-empty}"},
        ),
        norm.ALARM_PROPS,
    ),
    "function iamRoleStatements": (
        Place(f"resources:\n  r:\n{FN}      iamRoleStatements:\n        -\n", 10, {}),
        norm.IAM_STATEMENT_PROPS,
    ),
    "worker iamRoleStatements": (
        Place(
            f"resources:\n  r:\n    type: worker-service\n    properties:\n      packaging: {IMG}\n"
            "      resources: {cpu: 0.25, memory: 512}\n      iamRoleStatements:\n        -\n",
            10,
            {},
        ),
        norm.IAM_STATEMENT_PROPS,
    ),
    "bucket accessPolicyStatements": (
        Place(
            "resources:\n  r:\n    type: bucket\n    properties:\n      accessibility:\n"
            "        accessibilityMode: private\n        accessPolicyStatements:\n          -\n",
            12,
            {},
        ),
        norm.BUCKET_POLICY_STATEMENT_PROPS,
    ),
    "queue policyStatements": (
        Place(
            "resources:\n  r:\n    type: sqs-queue\n    properties:\n      policyStatements:\n"
            "        -\n",
            10,
            {},
        ),
        norm.SQS_POLICY_STATEMENT_PROPS,
    ),
    "loadBalancerHealthCheck": (
        Place(
            "resources:\n  r:\n    type: multi-container-workload\n    properties:\n"
            "      resources: {cpu: 0.25, memory: 512}\n      containers:\n        - name: c\n"
            f"          packaging: {IMG}\n          loadBalancerHealthCheck:\n",
            12,
            {},
        ),
        norm.SERVICE_NESTED["loadBalancerHealthCheck"][0],
    ),
}
# Required properties written where the table is the object under test.
REQUIRED = {
    "function cdn": {"enabled": "true"},
    "gateway cdn": {"enabled": "true"},
    "bucket cdn": {"enabled": "true"},
    "function iamRoleStatements": {"Resource": "['*']"},
    "worker iamRoleStatements": {"Resource": "['*']"},
    "bucket accessPolicyStatements": {"Resource": "['*']", "Principal": "'*'"},
    "queue policyStatements": {
        "Effect": "Allow",
        "Action": "[sqs:SendMessage]",
        "Principal": "'*'",
    },
}

# Typed objects: place name -> (text before `properties`, its indentation, the types' tables).
_TYPED_HEAD = {
    "logForwarding": (f"resources:\n  r:\n{FN}      logging:\n        logForwarding:\n", 10),
    "notification target": (
        f"resources:\n  r:\n{FN}{_alarm(LAMBDA_TRIGGER)}          notificationTargets:\n"
        "            -\n",
        14,
    ),
}
for _rtype, _triggers in norm.ALARM_TRIGGERS.items():
    _body = FN if _rtype == "function" else f"    type: {_rtype}\n    properties:\n"
    if _rtype == "relational-database":
        _body += "      credentials: {masterUserPassword: pw}\n"
        _body += "      engine: {type: aurora-mysql-serverless}\n"
    _TYPED_HEAD[f"{_rtype} trigger"] = (
        f"resources:\n  r:\n{_body}      alarms:\n        - trigger:\n",
        12,
    )
TYPED: dict[str, dict[str, norm.PackagingType]] = {
    "logForwarding": norm.LOG_FORWARDING,
    "notification target": norm.NOTIFICATION_TARGETS,
    **{f"{rtype} trigger": triggers for rtype, triggers in norm.ALARM_TRIGGERS.items()},
}
_GOOD_BY_NAME = {
    "trigger": LAMBDA_TRIGGER,
    "evaluation": "{period: 60, evaluationPeriods: 2, breachedPeriods: 1}",
    "Principal": "'*'",
    "Condition": "{StringEquals: {'aws:SourceAccount': '123456789012'}}",
}


def _typed_places() -> dict[str, tuple[Place, dict[str, norm.P]]]:
    """Each type of each typed object as a place of its own: `type: X` then `properties:`."""
    out: dict[str, tuple[Place, dict[str, norm.P]]] = {}
    for name, types in TYPED.items():
        head, pad = _TYPED_HEAD[name]
        for kind, shape in types.items():
            text = f"{head}{' ' * pad}type: {kind}\n{' ' * pad}properties:\n"
            out[f"{name} {kind}"] = (Place(text, pad + 2, {}), shape.props)
            REQUIRED[f"{name} {kind}"] = {k: _good(shape.props[k], k) for k in shape.required}
    return out


def _language_places() -> dict[str, tuple[Place, dict[str, norm.P]]]:
    ext = {v: k for k, v in reversed(norm.LANGUAGE_BY_EXTENSION.items())}
    out = {}
    for language, table in norm.LANGUAGE_SPECIFIC_CONFIGS.items():
        head = (
            "resources:\n  r:\n    type: function\n    properties:\n      packaging:\n"
            "        type: stacktape-lambda-buildpack\n        properties:\n"
            f"          entryfilePath: src/main{ext[language]}\n          languageSpecificConfig:\n"
        )
        out[f"languageSpecificConfig {language}"] = (Place(head, 12, {}), table)
    return out


def _good(spec: norm.P, name: str = "") -> str:
    """A YAML literal `spec` accepts."""
    if name in _GOOD_BY_NAME:
        return _GOOD_BY_NAME[name]
    if spec.enum is not None:
        return repr(spec.enum[0]) if isinstance(spec.enum[0], str) else str(spec.enum[0])
    kind = spec.kind.split("|")[0]
    return {
        "str": "text",
        "num": "1",
        "int": "1",
        "bool": "true",
        "list": "[]",
        "dict": "{}",
        "any": "'*'",
    }[kind]


def _bad(spec: norm.P) -> str | None:
    """A YAML literal `spec` refuses, or None when it takes anything."""
    if spec.enum is not None:
        return "'not-a-valid-choice'" if "str" in spec.kind else "999"
    kind = spec.kind.split("|")[0]
    return {
        "str": "[1]",
        "num": "'x'",
        "int": "'x'",
        "bool": "'yes'",
        "list": "'x'",
        "dict": "'x'",
    }.get(kind)


ALL_PLACES = {**PLACES, **_typed_places(), **_language_places()}


def _text(place_name: str, lines: dict[str, str]) -> str:
    place, _ = ALL_PLACES[place_name]
    required = {**place.required, **REQUIRED.get(place_name, {})}
    body = {**{k: v for k, v in required.items() if k not in lines}, **lines}
    pad = " " * place.pad
    return place.head + "".join(f"{pad}{k}: {v}\n" for k, v in body.items())


def _schema_errors(stack: Stack) -> list[str]:
    return [d.format() for d in stack.errors if d.code in SCHEMA_CODES]


BAD_CASES = [
    (name, prop, bad)
    for name, (_, table) in ALL_PLACES.items()
    for prop, spec in table.items()
    if (bad := _bad(spec)) is not None
]


@pytest.mark.parametrize(
    ("place", "prop", "bad"), BAD_CASES, ids=[f"{p}.{q}" for p, q, _ in BAD_CASES]
)
def test_a_bad_value_is_reported_at_its_line_and_column(place: str, prop: str, bad: str) -> None:
    text = _text(place, {prop: bad})
    stack = load_stack_text(text, "s.yml")
    line = text.splitlines().index(f"{' ' * ALL_PLACES[place][0].pad}{prop}: {bad}") + 1
    column = ALL_PLACES[place][0].pad + len(prop) + 3
    hits = [
        d
        for d in stack.errors
        if d.code in ("wrong-type", "invalid-value") and (d.line, d.column) == (line, column)
    ]
    assert hits and prop in hits[0].message, [d.format() for d in stack.diagnostics]
    assert hits[0].file == "s.yml" and hits[0].resource == "r"


# Good values that differ by place.
GOOD_AT = {"queue alarm": {"trigger": "{type: sqs-queue-not-empty}"}}


@pytest.mark.parametrize("place", sorted(p for p, (_, t) in ALL_PLACES.items() if t))
def test_every_name_of_the_table_with_a_good_value_passes(place: str) -> None:
    _, table = ALL_PLACES[place]
    good = {prop: _good(spec, prop) for prop, spec in table.items()}
    text = _text(place, {**good, **GOOD_AT.get(place, {})})
    assert _schema_errors(load_stack_text(text, "s.yml")) == [], text


@pytest.mark.parametrize("place", sorted(p for p, (_, t) in ALL_PLACES.items() if t))
def test_a_misspelt_name_gets_the_real_one_as_hint(place: str) -> None:
    _, table = ALL_PLACES[place]
    real = max(table, key=len)
    wrong = real[:-1] + ("X" if real[-1] != "X" else "Y")
    text = _text(place, {wrong: _good(table[real], real)})
    stack = load_stack_text(text, "s.yml")
    hits = [d for d in stack.errors if d.code == "unknown-property" and f"`{wrong}`" in d.message]
    assert hits, [d.format() for d in stack.diagnostics]
    assert (
        hits[0].line
        == text.splitlines().index(
            f"{' ' * ALL_PLACES[place][0].pad}{wrong}: {_good(table[real], real)}"
        )
        + 1
    )
    assert f"`{real}`" in (hits[0].hint or ""), hits[0].format()


# -- behaviour a user meets --------------------------------------------------------------------


def _load(body: str) -> Stack:
    return load_stack_text("resources:\n" + body, "s.yml")


def test_an_alarm_trigger_of_another_resource_type_is_refused_with_the_types_it_can_have() -> None:
    stack = _load(f"  r:\n{FN}" + _alarm("{type: sqs-queue-not-empty}"))
    (d,) = [d for d in stack.errors if d.code == "invalid-value"]
    assert (d.line, d.column) == (7, 27)
    assert "lambda-error-rate, lambda-duration" in d.message


def test_a_queue_not_empty_trigger_needs_no_properties_and_a_latency_one_its_threshold() -> None:
    stack = _load(
        "  q:\n    type: sqs-queue\n    properties:\n      alarms:\n"
        "        - trigger: {type: sqs-queue-not-empty}\n"
        "        - trigger: {type: sqs-queue-received-messages-count, properties: {statistic: p99}}\n"
    )
    assert [(d.code, d.line, d.message) for d in stack.errors] == [
        (
            "missing-property",
            7,
            "`sqs-queue-received-messages-count` trigger needs `thresholdCount`",
        )
    ]


def test_a_misspelt_notification_target_property_is_named() -> None:
    stack = _load(
        f"  r:\n{FN}{_alarm(LAMBDA_TRIGGER)}          notificationTargets:\n"
        "            - type: slack\n              properties: {webhookUrl: x}\n"
    )
    got = sorted((d.code, d.message) for d in stack.errors)
    assert got == [
        ("missing-property", "`slack` notification target needs `accessToken`"),
        ("missing-property", "`slack` notification target needs `conversationId`"),
        ("unknown-property", "unknown property `webhookUrl` in a `slack` notification target"),
    ]


def test_newer_docs_notification_channels_are_read_with_their_slack_app_type() -> None:
    stack = _load(
        f"  r:\n{FN}{_alarm(LAMBDA_TRIGGER)}          notificationChannels:\n"
        "            - type: slack-app\n              properties: {channel: '#alerts'}\n"
        "            - type: webhook\n              properties: {ur: https://x}\n"
    )
    assert [(d.code, d.line) for d in stack.errors] == [("unknown-property", 12)]


def test_an_iam_statement_needs_resource_a_list_of_actions_and_allow_or_deny() -> None:
    stack = _load(
        f"  r:\n{FN}      iamRoleStatements:\n"
        "        - Effect: allow\n          Action: s3:GetObject\n"
    )
    got = sorted((d.code, d.line, d.message, d.hint) for d in stack.errors)
    assert got == [
        ("invalid-value", 7, "`Effect` is 'allow'; allowed: Allow, Deny", "did you mean 'Allow'?"),
        ("missing-property", 7, "`iamRoleStatements[0]` needs `Resource`", None),
        ("wrong-type", 8, "`Action` must be a list, not the string 's3:GetObject'", None),
    ]


def test_a_bucket_policy_statement_needs_a_principal_an_iam_role_statement_takes_none() -> None:
    stack = _load(
        "  b:\n    type: bucket\n    properties:\n      accessibility:\n"
        "        accessibilityMode: private\n        accessPolicyStatements:\n"
        "          - {Action: ['s3:GetObject'], Resource: ['*']}\n"
        f"  r:\n{FN}      iamRoleStatements:\n        - {{Principal: '*', Resource: ['*']}}\n"
    )
    got = sorted((d.code, d.line, d.message) for d in stack.errors)
    assert got == [
        ("missing-property", 8, "`accessPolicyStatements[0]` needs `Principal`"),
        ("unknown-property", 14, "unknown property `Principal` in `iamRoleStatements[0]`"),
    ]


def test_log_forwarding_is_checked_on_every_logging() -> None:
    stack = _load(
        f"  r:\n{FN}      logging:\n        logForwarding: {{type: datadog}}\n"
        "  api:\n    type: http-api-gateway\n    properties:\n      logging:\n"
        "        logForwarding: {type: highlight, properties: {projectID: p}}\n"
    )
    got = sorted((d.code, d.line, d.message) for d in stack.errors)
    assert got == [
        ("missing-property", 7, "`logForwarding` of type 'datadog' needs `properties`"),
        ("unknown-property", 12, "unknown property `projectID` in a `highlight` logForwarding"),
    ]


def test_a_language_option_of_another_language_is_a_warning_a_bad_version_an_error() -> None:
    stack = _load(
        "  r:\n    type: function\n    properties:\n      packaging:\n"
        "        type: stacktape-lambda-buildpack\n        properties:\n"
        "          entryfilePath: src/app.py\n          languageSpecificConfig:\n"
        "            pythonVersion: 3.10\n            nodeVersion: 20\n"
    )
    got = [(d.severity, d.code, d.line) for d in stack.diagnostics]
    assert got == [("error", "invalid-value", 10), ("warning", "ignored-property", 11)]
    assert "3.1;" in stack.diagnostics[0].message
    assert "'src/app.py'" in stack.diagnostics[1].message


def test_minify_is_a_node_option_too() -> None:
    stack = _load(
        "  r:\n    type: function\n    properties:\n      packaging:\n"
        "        type: stacktape-lambda-buildpack\n        properties:\n"
        "          entryfilePath: src/app.ts\n"
        "          languageSpecificConfig: {nodeVersion: 24, minify: true}\n"
    )
    assert stack.diagnostics == []


@pytest.mark.parametrize(("written", "hint"), [("false", "true"), ("true", "false")])
def test_the_older_invalidate_after_deploy_is_read_with_its_opposite(
    written: str, hint: str
) -> None:
    stack = _load(
        "  b:\n    type: bucket\n    properties:\n"
        f"      cdn: {{enabled: true, invalidateAfterDeploy: {written}}}\n"
    )
    (d,) = stack.diagnostics
    assert (d.severity, d.code, d.line) == ("warning", "alternate-spelling", 5)
    assert d.hint == f"write `disableInvalidationAfterDeploy: {hint}`"


def test_both_invalidation_spellings_conflict() -> None:
    stack = _load(
        "  g:\n    type: http-api-gateway\n    properties:\n      cdn:\n        enabled: true\n"
        "        invalidateAfterDeploy: true\n        disableInvalidationAfterDeploy: true\n"
    )
    assert [(d.code, d.line) for d in stack.errors] == [("conflicting-spelling", 7)]


def test_only_a_bucket_cdn_rewrites_routes_for_a_single_page_app() -> None:
    stack = _load(
        "  b:\n    type: bucket\n    properties:\n"
        "      cdn: {enabled: true, rewriteRoutesForSinglePageApp: true}\n"
        f"  r:\n{FN}      cdn: {{enabled: true, rewriteRoutesForSinglePageApp: true}}\n"
    )
    assert [(d.code, d.line) for d in stack.errors] == [("unknown-property", 10)]


def test_a_cdn_route_rewrite_on_a_gateway_is_checked_like_a_web_services() -> None:
    stack = _load(
        "  g:\n    type: http-api-gateway\n    properties:\n      cdn:\n        enabled: true\n"
        "        routeRewrites:\n          - path: /a\n            routeTo: {type: bukcet}\n"
    )
    (d,) = stack.errors
    assert (d.code, d.line, d.hint) == ("invalid-value", 9, "did you mean 'bucket'?")


# -- the tables against their sources ----------------------------------------------------------

# alarms.d.ts (09ba1d4f): each resource type's triggers -> (properties, required ones).
_CMP, _STAT = {"comparisonOperator"}, {"comparisonOperator", "statistic"}
SOURCE_TRIGGERS = {
    "function": {
        "lambda-error-rate": ({"thresholdPercent"} | _CMP, {"thresholdPercent"}),
        "lambda-duration": ({"thresholdMilliseconds"} | _STAT, {"thresholdMilliseconds"}),
    },
    "sqs-queue": {
        "sqs-queue-received-messages-count": ({"thresholdCount"} | _STAT, {"thresholdCount"}),
        "sqs-queue-not-empty": (set(), set()),
    },
    "relational-database": {
        "database-read-latency": ({"thresholdSeconds"} | _STAT, {"thresholdSeconds"}),
        "database-write-latency": ({"thresholdSeconds"} | _STAT, {"thresholdSeconds"}),
        "database-cpu-utilization": ({"thresholdPercent"} | _STAT, {"thresholdPercent"}),
        "database-free-storage": ({"thresholdMB"} | _STAT, {"thresholdMB"}),
        "database-free-memory": ({"thresholdMB"} | _STAT, {"thresholdMB"}),
        "database-connection-count": ({"thresholdCount"} | _STAT, {"thresholdCount"}),
    },
    "http-api-gateway": {
        "http-api-gateway-error-rate": ({"thresholdPercent"} | _CMP, {"thresholdPercent"}),
        "http-api-gateway-latency": ({"thresholdMilliseconds"} | _STAT, {"thresholdMilliseconds"}),
    },
    # ApplicationLoadBalancerAlarm's triggers (alarms.d.ts, fec08833).
    "application-load-balancer": {
        "application-load-balancer-error-rate": ({"thresholdPercent"} | _CMP, {"thresholdPercent"}),
        "application-load-balancer-unhealthy-targets": (
            {"thresholdPercent", "onlyIncludeTargets"} | _CMP,
            {"thresholdPercent"},
        ),
        "application-load-balancer-custom": (
            {"metric", "threshold"} | _STAT,
            {"metric", "threshold"},
        ),
    },
}
# user-integrations.d.ts (fec08833) and packages/config/src/user-integrations.ts (82ce9777).
SOURCE_TARGETS = {
    "slack": ({"conversationId", "accessToken"}, {"conversationId", "accessToken"}),
    "ms-teams": ({"webhookUrl"}, {"webhookUrl"}),
    "email": ({"sender", "recipient"}, {"sender", "recipient"}),
    "discord": ({"webhookUrl"}, {"webhookUrl"}),
    "webhook": ({"url", "secret", "headers"}, {"url"}),
}
# log-forwarding.d.ts (5bb1eb5b).
SOURCE_FORWARDING = {
    "http-endpoint": (
        {"endpointUrl", "gzipEncodingEnabled", "parameters", "retryDuration", "accessKey"},
        {"endpointUrl"},
    ),
    "highlight": ({"projectId", "endpointUrl"}, {"projectId"}),
    "datadog": ({"apiKey", "endpointUrl"}, {"apiKey"}),
}


def _shapes(types: dict[str, norm.PackagingType]) -> dict[str, tuple[set[str], set[str]]]:
    return {k: (set(t.props), set(t.required)) for k, t in types.items()}


def test_the_typed_tables_hold_exactly_their_sources_names() -> None:
    assert {k: _shapes(v) for k, v in norm.ALARM_TRIGGERS.items()} == SOURCE_TRIGGERS
    assert _shapes(norm.NOTIFICATION_TARGETS) == SOURCE_TARGETS
    assert _shapes(norm.LOG_FORWARDING) == SOURCE_FORWARDING
    assert set(norm.IAM_STATEMENT_PROPS) == {"Sid", "Effect", "Action", "Condition", "Resource"}
    assert set(norm.BUCKET_POLICY_STATEMENT_PROPS) == set(norm.IAM_STATEMENT_PROPS) | {"Principal"}
    assert set(norm.SQS_POLICY_STATEMENT_PROPS) == {"Effect", "Action", "Condition", "Principal"}
    assert set(norm.BUCKET_CDN_PROPS) == set(norm.CDN_PROPS) | {
        "rewriteRoutesForSinglePageApp",
        "disableUrlNormalization",
    }
