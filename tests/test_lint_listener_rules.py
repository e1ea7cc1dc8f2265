"""`validate` refuses, at file:line:col, the application load balancer rules and listeners that
Stacktape or ELB refuse at deploy time, warns of conditions that never match, and checks a
stream event's `onFailure` type and a web-service's custom domains (Stacktape e118)."""

from __future__ import annotations

from pathlib import Path

import pytest
from lintkit import found, load, one, where

from stptui.config import ConfigError, load_stack
from stptui.config import normalize_schema as norm
from stptui.config.model import ALB_DEFAULT_LISTENER_PORT, ALB_DEFAULT_LISTENERS
from stptui.sim.services import load_balancer

RULE_CODES = (
    "alb-rule-conditions",
    "alb-rule-priority",
    "alb-condition-values",
    "alb-condition-invalid",
    "alb-condition-unmatchable",
    "stream-on-failure-type",
    "custom-domain-certificate",
)


def alb(event: str, lb: str = "{}") -> str:
    """A function with one `application-load-balancer` event (flow-style properties `event`,
    line 8) on the load balancer `lb` (its properties on line 11)."""
    return (
        "resources:\n  api:\n    type: function\n    properties:\n      {PKG}\n"
        "      events:\n        - type: application-load-balancer\n"
        f"          properties: {{loadBalancerName: lb, priority: 1, {event}}}\n"
        f"  lb:\n    type: application-load-balancer\n    properties: {lb}\n"
    )


def pos_of(text: str, needle: str) -> tuple[int, int]:
    """(line, column), 1-based, of the first `needle` in `text`."""
    for number, line in enumerate(text.splitlines(), 1):
        if needle in line:
            return number, line.index(needle) + 1
    raise AssertionError(f"{needle!r} not in the stack")


def rule_findings(text: str) -> list[str]:
    return [d.format() for d in load(text).diagnostics if d.code in RULE_CODES]


# -- 1. an event without conditions --------------------------------------------------------


def test_an_event_without_conditions_is_stacktapes_error_at_its_properties() -> None:
    text = alb("")
    d = one(text, "alb-rule-conditions")
    assert where(d) == ("error", "s.yml", 8, 11)
    assert d.resource == "api"
    assert d.message.startswith(
        'Error in workload: api. At least one of the "paths", "headers", "hosts", "methods", '
        '"queryParams" or "sourceIps" properties must be present when using loadBalancer '
        "event integration"
    )
    assert d.hint is not None and "paths: ['/*']" in d.hint


def test_a_misspelt_condition_is_unknown_and_leaves_the_rule_without_conditions() -> None:
    text = alb("path: ['/api/*']")
    unknown = one(text, "unknown-property")
    assert unknown.line == 8 and unknown.hint == "did you mean `paths`?"
    assert one(text, "alb-rule-conditions").line == 8


@pytest.mark.parametrize(
    "event",
    [
        "paths: ['/*']",
        "methods: [GET, POST]",
        "hosts: [api.example.com, '*.example.org']",
        "sourceIps: [10.0.0.0/16, '2001:db8::/32']",
        "headers: [{headerName: X-Tenant, values: [acme]}]",
        "queryParams: [{paramName: version, values: [v2]}]",
        "paths: ['*']",
        "paths: ['/a', '/b'], methods: [GET], hosts: [a.example.com], sourceIps: [1.2.3.4/32]",
    ],
)
def test_rules_elb_takes_have_no_finding(event: str) -> None:
    assert rule_findings(alb(event)) == []


# -- 2. priority ---------------------------------------------------------------------------


@pytest.mark.parametrize("priority", ["0", "50001", "1.5", "-3"])
def test_a_priority_outside_elbs_range_is_an_error(priority: str) -> None:
    text = alb("paths: ['/*']").replace("priority: 1,", f"priority: {priority},")
    d = one(text, "alb-rule-priority")
    assert where(d) == ("error", "s.yml", *pos_of(text, f"{priority},"))
    assert "from 1 to 50,000" in d.message


def test_the_highest_priority_elb_takes_is_fine() -> None:
    text = alb("paths: ['/*']").replace("priority: 1,", "priority: 50000,")
    assert rule_findings(text) == []


# -- 4. condition values -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("event", "needle", "words", "hint"),
    [
        ("sourceIps: [203.0.113.7]", "203.0.113.7", "not a CIDR block", "203.0.113.7/32"),
        ("sourceIps: ['2001:db8::1']", "'2001:db8::1'", "not a CIDR block", "2001:db8::1/128"),
        ("sourceIps: [10.0.0.0/33]", "10.0.0.0/33", "not a CIDR block", "CIDR block, e.g."),
        ("methods: [get]", "get", "'get' is not one ELB takes", "write it as 'GET'"),
        ("paths: ['/users/{id}']", "'/users/{id}'", "'{' '}'", "'/users/*'"),
        ("hosts: ['api.example.com:8080']", "'api.example", "not a host name", "'api.example.com'"),
        ("hosts: [localhost]", "localhost", "not a host name", "at least one '.'"),
        ("headers: [{headerName: Host, values: [a.com]}]", "Host", "Host header", "`hosts`"),
        ("paths: []", "[]", "`paths` is empty", "remove paths"),
    ],
)
def test_a_condition_value_elb_refuses_is_an_error_at_the_value(
    event: str, needle: str, words: str, hint: str
) -> None:
    text = alb(event)
    d = one(text, "alb-condition-invalid")
    assert where(d) == ("error", "s.yml", *pos_of(text, needle))
    assert words in d.message
    assert d.hint is not None and hint in d.hint


def test_a_path_pattern_over_128_characters_is_an_error() -> None:
    d = one(alb(f"paths: ['/{'a' * 128}']"), "alb-condition-invalid")
    assert "129 characters" in d.message


@pytest.mark.parametrize(
    ("event", "words", "hint"),
    [
        ("paths: ['api/*']", "does not start with '/'", "write it as '/api/*'"),
        ("methods: [PSOT]", "no standard method", "did you mean 'POST'?"),
    ],
)
def test_a_condition_that_never_matches_is_a_warning(event: str, words: str, hint: str) -> None:
    d = one(alb(event), "alb-condition-unmatchable")
    assert d.severity == "warning" and words in d.message and d.hint == hint


def test_more_than_five_condition_values_is_an_error_at_the_sixth() -> None:
    text = alb("paths: [/a, /b, /c], methods: [GET, POST], hosts: [x.example.com]")
    d = one(text, "alb-condition-values")
    assert where(d) == ("error", "s.yml", *pos_of(text, "x.example.com"))
    assert "6 condition values" in d.message
    assert "A rule can only have '5' condition values" in d.message


def test_header_and_query_values_count_too_and_five_is_fine() -> None:
    five = alb("paths: [/a, /b], headers: [{headerName: X-A, values: [1, 2]}], methods: [GET]")
    assert rule_findings(five) == []
    six = five.replace("methods: [GET]", "queryParams: [{paramName: q, values: [x, y]}]")
    assert one(six, "alb-condition-values").column == pos_of(six, "y]")[1]


def test_a_header_entry_without_its_name_is_a_missing_property() -> None:
    d = one(alb("headers: [{values: [a]}]"), "missing-property")
    assert d.line == 8 and "headerName" in d.message


# -- the load balancer's own listeners -----------------------------------------------------


@pytest.mark.parametrize(
    ("listener", "code", "words"),
    [
        ("{port: 8080, protocol: TCP}", "invalid-value", "TCP"),
        ("{port: 0, protocol: HTTP}", "out-of-range", "`port` is 0"),
        ("{protocol: HTTP}", "missing-property", "port"),
        ("{port: 80, protocol: HTTP, defaultActon: {}}", "unknown-property", "defaultActon"),
    ],
)
def test_a_listener_stacktape_refuses_is_an_error(listener: str, code: str, words: str) -> None:
    text = alb("paths: ['/*']", f"{{listeners: [{listener}]}}")
    d = next(d for d in found(text, code) if d.resource == "lb")
    assert d.severity == "error" and d.line == 11 and words in d.message


def test_an_unknown_load_balancer_property_is_an_error_with_a_suggestion() -> None:
    d = one(alb("paths: ['/*']", "{interfaces: internal}"), "unknown-property")
    assert d.line == 11 and d.hint == "did you mean `interface`?"


# -- 3. the default listeners are one constant, shared with the simulator ------------------


def test_the_linter_and_the_simulator_share_stacktapes_default_listeners() -> None:
    assert load_balancer.DEFAULT_LISTENERS is ALB_DEFAULT_LISTENERS
    assert load_balancer.HTTPS_PORT == ALB_DEFAULT_LISTENER_PORT == 443
    d = one(alb("paths: ['/*'], listenerPort: 80"), "listener-port")
    assert "its default ones: 80, redirected, and 443" in d.message


# -- 5. a stream event's onFailure ---------------------------------------------------------

STREAM = """\
resources:
  clicks: {type: kinesis-stream}
  failed: {type: sqs-queue}
  alerts: {type: sns-topic}
  reader:
    type: function
    properties:
      {PKG}
      events:
        - type: kinesis-stream
          properties:
            kinesisStreamName: clicks
            onFailure: {arn: ARN, type: TYPE}
"""


@pytest.mark.parametrize(
    ("arn", "kind", "fix"),
    [
        ("\"$ResourceParam('failed', 'arn')\"", "sns", "set type: sqs"),
        ("\"$ResourceParam('alerts', 'arn')\"", "sqs", "set type: sns"),
        ("'arn:aws:sns:eu-west-1:123456789012:x'", "sqs", "set type: sns"),
    ],
)
def test_an_on_failure_type_that_is_not_its_destinations_kind_is_an_error(
    arn: str, kind: str, fix: str
) -> None:
    text = STREAM.replace("ARN", arn).replace("TYPE", kind)
    d = one(text, "stream-on-failure-type")
    assert where(d) == ("error", "s.yml", *pos_of(text, f"{kind}}}"))
    assert d.resource == "reader" and d.hint == fix


def test_an_on_failure_of_the_right_kind_has_no_finding() -> None:
    text = STREAM.replace("ARN", "\"$ResourceParam('alerts', 'arn')\"").replace("TYPE", "sns")
    assert rule_findings(text) == []
    dynamo = text.replace("kinesis-stream\n", "dynamo-db-stream\n").replace(
        "type: sns}", "type: sqs}"
    )
    assert found(dynamo, "stream-on-failure-type")


# -- 6. a web-service's custom domain (e118) ------------------------------------------------

WEB = """\
resources:
  web:
    type: web-service
    properties:
      packaging: {type: prebuilt-image, properties: {image: nginx}}
      resources: {cpu: 0.25, memory: 512}
      customDomains:
        - domainName: api.example.com
          disableDnsRecordCreation: true
"""


def test_a_custom_domain_without_dns_record_needs_its_own_certificate_e118() -> None:
    d = one(WEB, "custom-domain-certificate")
    assert where(d) == ("error", "s.yml", 9, 11)
    assert "'api.example.com'" in d.message and "e118" in d.message
    with_cert = WEB + "          customCertificateArn: arn:aws:acm:us-east-1:1:certificate/x\n"
    assert rule_findings(with_cert) == []


# -- real configs ---------------------------------------------------------------------------

REAL = Path(__file__).resolve().parents[1].parent / "shared" / "reference" / "real-stacks"
_MCW = "docs-generated/@generated__llm-docs__config-reference__multi-container-workload__"
# Each hand-checked: the 13 container events without a condition (Stacktape's
# getConditionsForListenerRule throws), a rule of 10 condition values (2 paths, 2 methods,
# 2 hosts, 2 header values, a query value and a source IP), and a web-service domain with
# `disableDnsRecordCreation` and no certificate (e118).
REAL_FINDINGS = {
    (_MCW + name, "alb-rule-conditions", 13)
    for name in (
        "containerworkloadcontainer.md__2.yml",
        "containerworkloaddeploymentconfig.md__1.yml",
        "containerworkloaddeploymentconfig.md__2.yml",
        "containerworkloaddeploymentconfig.md__3.yml",
        "containerworkloaddeploymentconfig.md__4.yml",
        "containerworkloadprops.md__1.yml",
        "containerworkloadprops.md__3.yml",
        "loadbalancerhealthcheck.md__1.yml",
        "loadbalancerhealthcheck.md__2.yml",
        "loadbalancerhealthcheck.md__3.yml",
        "loadbalancerhealthcheck.md__4.yml",
        "loadbalancerhealthcheck.md__5.yml",
    )
} | {
    (
        "docs/docs___new-docs__compute__multi-container-workload.mdx__7.yml",
        "alb-rule-conditions",
        12,
    ),
    (
        "docs-generated/@generated__llm-docs__config-reference__events__"
        "applicationloadbalancerintegrationprops.md__1.yml",
        "alb-condition-values",
        26,
    ),
    (
        "docs-generated/@generated__llm-docs__config-reference__helpers__"
        "domainconfiguration.md__3.yml",
        "custom-domain-certificate",
        14,
    ),
    # Stacktape's own examples of a load balancer's customDomains, which its validators
    # (validateApplicationLoadBalancerConfig, validateNetworkLoadBalancerConfig) refuse (e118).
    (
        "docs-generated/@generated__llm-docs__config-reference__application-load-balancer__"
        "applicationloadbalancerprops.md__3.yml",
        "custom-domain-certificate",
        8,
    ),
    (
        "docs-generated/@generated__llm-docs__config-reference__network-load-balancer__"
        "networkloadbalancerprops.md__2.yml",
        "custom-domain-certificate",
        8,
    ),
}


@pytest.mark.skipif(not REAL.is_dir(), reason=f"no real-stacks folder at {REAL}")
def test_the_new_checks_find_exactly_the_hand_checked_mistakes_of_real_configs() -> None:
    got = set()
    for path in sorted(REAL.rglob("*")):
        if not path.is_file() or path.suffix not in (".yml", ".yaml"):
            continue
        try:
            stack = load_stack(path)
        except ConfigError:
            continue
        rel = path.relative_to(REAL).as_posix()
        got |= {(rel, d.code, d.line) for d in stack.diagnostics if d.code in RULE_CODES}
    assert got == REAL_FINDINGS


@pytest.mark.parametrize(
    ("name", "code", "words"),
    [
        ("clickz", "missing-resource", "did you mean 'clicks'?"),
        ("failed", "wrong-resource-type", "is an sqs-queue, not a kinesis-stream"),
    ],
)
def test_a_kinesis_stream_name_naming_no_stream_is_an_error(
    name: str, code: str, words: str
) -> None:
    text = STREAM.replace("kinesisStreamName: clicks", f"kinesisStreamName: {name}")
    text = text.replace("ARN", "\"$ResourceParam('failed', 'arn')\"").replace("TYPE", "sqs")
    d = one(text, code)
    line, column = pos_of(text, f"kinesisStreamName: {name}")
    assert where(d) == ("error", "s.yml", line, column + len("kinesisStreamName: "))
    assert d.resource == "reader" and words in d.format()


@pytest.mark.parametrize("prop", sorted(norm.ALB_EVENT_PROPS))
def test_each_event_property_of_the_wrong_type_is_an_error(prop: str) -> None:
    value = "'text'" if norm.ALB_EVENT_PROPS[prop].kind != "str" else "[a]"
    event = {"loadBalancerName": "lb", "priority": "1", "paths": "['/*']", prop: value}
    written = ", ".join(f"{k}: {v}" for k, v in event.items())
    text = alb("").replace("{loadBalancerName: lb, priority: 1, }", "{" + written + "}")
    assert any(d.code == "wrong-type" and prop in d.message for d in load(text).diagnostics)


@pytest.mark.parametrize("prop", sorted(norm.ALB_LISTENER_PROPS))
def test_each_listener_property_of_the_wrong_type_is_an_error(prop: str) -> None:
    value = "'text'" if norm.ALB_LISTENER_PROPS[prop].kind != "str" else "[a]"
    listener = {"port": "443", "protocol": "HTTPS", prop: value}
    written = ", ".join(f"{k}: {v}" for k, v in listener.items())
    text = alb("paths: ['/*']", f"{{listeners: [{{{written}}}]}}")
    assert any(d.code == "wrong-type" and prop in d.message for d in load(text).diagnostics)
