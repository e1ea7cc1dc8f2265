"""`validate` reports, at file:line:col, what Stacktape or AWS would refuse in a network load
balancer (its schema, TLS certificates, whitelists, custom domains) and in a web-service's
own load balancing ports."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lintkit import SAMPLE_STACKS, codes, found, one, where

from stptui.config import load_stack
from stptui.config import normalize_schema as norm

CODES = (
    "tls-listener-certificate",
    "custom-domain-certificate",
    "duplicate-listener-port",
    "whitelist-ip",
)
BROKER = (
    "  broker:\n    type: multi-container-workload\n    properties:\n"
    "      resources: {cpu: 0.25, memory: 512}\n      containers:\n"
    "        - name: broker\n"
    "          packaging: {type: stacktape-image-buildpack, properties: {entryfilePath: b.ts}}\n"
    "          events:\n"
    "            - type: network-load-balancer\n"
    "              properties: {containerPort: 8883, loadBalancerName: nlb, listenerPort: 8883}\n"
)


def nlb(listener: str, extra: str = "") -> str:
    """A network load balancer whose one listener (line 6) a container serves."""
    return (
        "resources:\n  nlb:\n    type: network-load-balancer\n    properties:\n"
        f"      listeners:\n        - {{port: 8883, {listener}}}\n{extra}" + BROKER
    )


def col(text: str, line: int, fragment: str) -> int:
    """The 1-based column of `fragment` on a 1-based line of `text`."""
    return text.splitlines()[line - 1].index(fragment) + 1


@pytest.mark.parametrize(
    "listener",
    [
        "protocol: TLS",
        "protocol: TCP",
        "protocol: TCP, customCertificateArns: []",
        "protocol: TLS, customCertificateArns: ['arn:aws:acm:eu-west-1:123456789012:certificate/x']",
        "protocol: TLS, whitelistIps: [203.0.113.7, 198.51.100.0/24]",
    ],
)
def test_listeners_stacktape_deploys_are_accepted(listener: str) -> None:
    assert codes(nlb(listener)) == []


def test_a_tls_listener_with_empty_certificate_arns_is_an_error_at_them() -> None:
    text = nlb("protocol: TLS, customCertificateArns: []")
    d = one(text, "tls-listener-certificate")
    assert where(d) == ("error", "s.yml", 6, col(text, 6, "[]"))
    assert "TLS listener 8883 of network-load-balancer 'nlb'" in d.message
    assert d.hint is not None and "certificate ARN" in d.hint


def test_an_ipv6_whitelist_entry_is_an_error_as_for_an_application_load_balancer() -> None:
    text = nlb("protocol: TCP, whitelistIps: ['2001:db8::/32', office]")
    diags = found(text, "whitelist-ip")
    assert [(d.line, d.column) for d in diags] == [
        (6, col(text, 6, "'2001")),
        (6, col(text, 6, "office")),
    ]
    assert "network-load-balancer 'nlb'" in diags[0].message and "IPv6" in diags[0].message


@pytest.mark.parametrize(
    ("listener", "code", "fragment"),
    [
        ("protocol: HTTP", "invalid-value", "HTTP"),
        ("protocol: tls", "invalid-value", "tls"),
        ("whitelistIps: []", "missing-property", "{port"),
        ("protocol: TCP, certificateArns: [x]", "unknown-property", "certificateArns"),
    ],
)
def test_the_schema_of_a_listener_is_checked(listener: str, code: str, fragment: str) -> None:
    text = nlb(listener)
    d = one(text, code)
    assert (d.line, d.column) == (6, col(text, 6, fragment)), d.format()


@pytest.mark.parametrize("prop", sorted(norm.NLB_LISTENER_PROPS))
def test_each_listener_property_of_the_wrong_type_is_an_error_at_it(prop: str) -> None:
    value = "'text'" if norm.NLB_LISTENER_PROPS[prop].kind != "str" else "[a]"
    text = nlb("protocol: TCP").replace(
        "{port: 8883, protocol: TCP}", f"{{port: 8883, {prop}: {value}}}"
    )
    if prop != "protocol":
        text = text.replace(f"{prop}: {value}", f"protocol: TCP, {prop}: {value}")
    d = one(text, "wrong-type")
    assert (d.line, d.column, prop in d.message) == (6, col(text, 6, value), True), d.format()


@pytest.mark.parametrize("port", [0, 65536])
def test_a_listener_port_outside_what_elb_takes_is_an_error(port: int) -> None:
    text = nlb("protocol: TCP").replace("port: 8883, protocol", f"port: {port}, protocol")
    d = one(text, "out-of-range")
    assert (d.line, d.message) == (6, f"`port` is {port}; allowed: 1-65535")


def test_a_network_load_balancer_needs_listeners() -> None:
    text = "resources:\n  nlb:\n    type: network-load-balancer\n    properties:\n      interface: internal\n"
    d = one(text, "missing-property")
    assert (d.line, "needs `listeners`" in d.message) == (5, True)


NO_DNS = "      customDomains:\n        - {domainName: mqtt.example.com, disableDnsRecordCreation: true}\n"


@pytest.mark.parametrize("lb_type", ["network-load-balancer", "application-load-balancer"])
def test_a_domain_without_dns_record_or_certificate_is_refused_on_load_balancers(
    lb_type: str,
) -> None:
    text = nlb("protocol: TLS", NO_DNS).replace(
        "network-load-balancer\n    prop", f"{lb_type}\n    prop"
    )
    d = one(text, "custom-domain-certificate")
    assert where(d) == ("error", "s.yml", 8, col(text, 8, "disableDns"))
    assert f"{lb_type} nlb" in d.message and "e118" in d.message
    # The TLS listener is not reported a second time: Stacktape stops at the domain.
    assert found(text, "tls-listener-certificate") == []


def test_a_domain_with_its_own_certificate_is_accepted() -> None:
    domain = NO_DNS.replace("true}", "true, customCertificateArn: 'arn:aws:acm:x'}")
    assert codes(nlb("protocol: TLS", domain)) == []


def web_service(ports: list[int]) -> str:
    """A web-service on network load balancing with these ports (the first on line 11)."""
    return (
        "resources:\n  game:\n    type: web-service\n    properties:\n"
        "      packaging: {type: stacktape-image-buildpack, properties: {entryfilePath: g.ts}}\n"
        "      resources: {cpu: 0.25, memory: 512}\n"
        "      loadBalancing:\n        type: network-load-balancer\n        properties:\n"
        "          ports:\n"
        + "".join(f"            - {{port: {p}, protocol: TCP}}\n" for p in ports)
    )


def test_a_port_a_web_service_lists_twice_is_an_error_at_the_second() -> None:
    text = web_service([7777, 7778, 7777])
    d = one(text, "duplicate-listener-port")
    assert where(d) == ("error", "s.yml", 13, col(text, 13, "7777"))
    assert "first at line 11" in d.message and "two listeners on one port" in d.message


def test_a_web_service_port_outside_what_elb_takes_is_an_error() -> None:
    d = one(web_service([70000]), "out-of-range")
    assert (d.line, d.message) == (11, "`port` is 70000; allowed: 1-65535")


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=6), min_size=1, max_size=8))
def test_every_repeat_of_a_web_service_port_is_reported_once(ports: list[int]) -> None:
    text = web_service([7000 + p for p in ports])
    repeats = [11 + i for i, p in enumerate(ports) if p in ports[:i]]
    assert [d.line for d in found(text, "duplicate-listener-port")] == repeats


def test_sample_stacks_stay_clean() -> None:
    for path in SAMPLE_STACKS:
        assert not [d for d in load_stack(path).diagnostics if d.code in CODES], path
