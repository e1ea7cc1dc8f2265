"""`validate` reports, at file:line:col, what a deploy would refuse in an application load
balancer listener's `whitelistIps` and certificate, and a `dynamo-db-table` without a valid
`primaryKey` (which the simulator does not simulate)."""

from __future__ import annotations

from pathlib import Path

import pytest
from lintkit import SAMPLE_STACKS, codes, found, load, one, where

from stptui.commands import Session, execute
from stptui.commands.registry import CommandError
from stptui.config import load_stack
from stptui.sim.services.table import key_schema

CODES = ("whitelist-ip", "https-listener-certificate", "table-primary-key")


def listener(extra: str, lb_extra: str = "") -> str:
    """An application load balancer with one listener on 443 (its properties on line 6)."""
    return (
        "resources:\n  lb:\n    type: application-load-balancer\n    properties:\n"
        f"      listeners:\n        - {{port: 443, protocol: HTTPS, {extra}}}\n{lb_extra}"
    )


def table(primary_key: str) -> str:
    """A table whose `primaryKey` is the flow-style text `primary_key` (on line 5)."""
    return (
        "resources:\n  t:\n    type: dynamo-db-table\n    properties:\n"
        f"      primaryKey: {primary_key}\n"
    )


# -- whitelistIps ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "entry", ["203.0.113.7", "203.0.113.0/24", "10.0.0.0/8", "0.0.0.0/0", "198.51.100.42/32"]
)
def test_ipv4_addresses_and_blocks_are_accepted(entry: str) -> None:
    # A bare address is fine: Stacktape makes it a /32 block.
    assert found(listener(f"whitelistIps: ['{entry}']"), "whitelist-ip") == []


def test_text_that_is_no_address_is_an_error_at_its_entry() -> None:
    text = listener("whitelistIps: [10.0.0.0/8, office-vpn]")
    d = one(text, "whitelist-ip")
    assert where(d) == ("error", "s.yml", 6, text.splitlines()[5].index("office-vpn") + 1)
    assert "'office-vpn'" in d.message and "listener 443" in d.message
    assert d.hint is not None and "203.0.113.0/24" in d.hint


@pytest.mark.parametrize("entry", ["10.0.0.0/33", "300.1.2.3", "10.0.0", "1.2.3.4/x"])
def test_malformed_ipv4_is_an_error(entry: str) -> None:
    d = one(listener(f"whitelistIps: ['{entry}']"), "whitelist-ip")
    assert "not an IPv4 address or CIDR block" in d.message


@pytest.mark.parametrize("entry", ["2001:db8::1", "2001:db8::/32"])
def test_ipv6_is_an_error_because_the_rule_takes_ipv4_only(entry: str) -> None:
    d = one(listener(f"whitelistIps: ['{entry}']"), "whitelist-ip")
    assert "IPv6" in d.message and "CidrIp" in d.message


def test_each_bad_entry_is_reported() -> None:
    text = listener("whitelistIps: [a, 1.2.3.4, b]")
    assert [d.line for d in found(text, "whitelist-ip")] == [6, 6]


# -- HTTPS certificates ------------------------------------------------------------------


def test_https_without_certificates_or_domains_gets_the_default_domain_certificate() -> None:
    assert found(listener("whitelistIps: []"), "https-listener-certificate") == []


def test_https_with_custom_domains_gets_their_certificates() -> None:
    text = listener("whitelistIps: []", "      customDomains: [{domainName: api.example.com}]\n")
    assert found(text, "https-listener-certificate") == []


def test_empty_custom_certificate_arns_is_an_error_at_the_key() -> None:
    text = listener("customCertificateArns: []")
    d = one(text, "https-listener-certificate")
    assert where(d) == ("error", "s.yml", 6, text.splitlines()[5].index("[]") + 1)
    assert "empty customCertificateArns" in d.message
    assert d.hint is not None and "certificate ARN" in d.hint


def test_http_listener_needs_no_certificate() -> None:
    text = listener("customCertificateArns: []").replace("HTTPS", "HTTP")
    assert found(text, "https-listener-certificate") == []


NO_DNS = (
    "      customDomains:\n        - {domainName: a.example.com, disableDnsRecordCreation: true}\n"
)


def test_a_domain_without_dns_record_or_certificate_is_refused_at_the_domain() -> None:
    # Stacktape's validator refuses the domain (e118) before it picks listener certificates,
    # so the listener is not reported a second time.
    text = listener("whitelistIps: []", NO_DNS)
    d = one(text, "custom-domain-certificate")
    assert where(d) == ("error", "s.yml", 8, text.splitlines()[7].index("disableDns") + 1)
    assert "application-load-balancer lb" in d.message and "e118" in d.message
    assert found(text, "https-listener-certificate") == []


@pytest.mark.parametrize("listeners", ["", "      listeners: []\n"])
def test_the_default_https_listener_with_such_a_domain_is_refused_at_the_domain(
    listeners: str,
) -> None:
    # No listeners, or an empty list: Stacktape adds its defaults, HTTPS on 443 among them.
    text = "resources:\n  lb:\n    type: application-load-balancer\n    properties:\n"
    codes_found = codes(text + NO_DNS + listeners)
    assert codes_found == ["custom-domain-certificate"], codes_found


@pytest.mark.parametrize(
    "fix",
    [
        "        - {domainName: b.example.com}\n",
        "        - {domainName: b.example.com, disableDnsRecordCreation: true,"
        " customCertificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/x'}\n",
    ],
)
def test_domains_with_dns_records_or_certificates_are_accepted(fix: str) -> None:
    text = listener("whitelistIps: []", "      customDomains:\n" + fix)
    assert codes(text) == []


def test_listener_certificate_arns_win_over_domains() -> None:
    arns = "customCertificateArns: ['arn:aws:acm:eu-west-1:123456789012:certificate/x']"
    assert found(listener(arns, NO_DNS), "https-listener-certificate") == []


# -- dynamo-db-table primaryKey ----------------------------------------------------------


def test_a_table_without_primary_key_is_an_error_at_its_name() -> None:
    d = one("resources:\n  t:\n    type: dynamo-db-table\n", "table-primary-key")
    assert where(d) == ("error", "s.yml", 2, 3)
    assert "no primaryKey" in d.message
    assert d.hint is not None and "partitionKey: {name: id, type: string}" in d.hint


def test_dynamodb_letters_get_the_word_stacktape_takes() -> None:
    # Stacktape's newer docs write `type: S`; its schema's enum is string|number|binary.
    text = table("{partitionKey: {name: id, type: S}, sortKey: {name: at, type: N}}")
    diags = found(text, "table-primary-key")
    assert [(d.line, d.hint) for d in diags] == [
        (5, "write type: string"),
        (5, "write type: number"),
    ]
    assert "DynamoDB's letter for string" in diags[0].message
    assert diags[0].column == text.splitlines()[4].index("S}") + 1


@pytest.mark.parametrize(
    ("primary_key", "words"),
    [
        ("{sortKey: {name: at, type: number}}", "partitionKey of dynamo-db-table 't' is missing"),
        ("{partitionKey: id}", "is not a mapping"),
        ("{partitionKey: {type: string}}", "has no name"),
        ("{partitionKey: {name: '', type: string}}", "has the name ''"),
        ("{partitionKey: {name: id}}", "has no type"),
        ("{partitionKey: {name: id, type: strng}}", "has the type 'strng'"),
        ("{partitionKey: {name: id, type: string}, sortKey: {name: at, type: date}}", "'date'"),
        ("[id]", "not a mapping"),
    ],
)
def test_every_invalid_key_is_reported_and_not_simulated(primary_key: str, words: str) -> None:
    text = table(primary_key)
    diags = found(text, "table-primary-key")
    assert len(diags) == 1 and words in diags[0].message, [d.format() for d in diags]
    # What validate reports is exactly what the simulator refuses to simulate.
    assert key_schema(load(text).resources["t"]) is None


@pytest.mark.parametrize(
    "primary_key",
    [
        "{partitionKey: {name: id, type: string}}",
        "{partitionKey: {name: pk, type: binary}, sortKey: {name: sk, type: number}}",
    ],
)
def test_valid_keys_are_accepted_and_simulated(primary_key: str) -> None:
    text = table(primary_key)
    assert found(text, "table-primary-key") == []
    assert key_schema(load(text).resources["t"]) is not None


def test_put_item_refuses_the_table_validate_reports(tmp_path: Path) -> None:
    path = tmp_path / "stacktape.yml"
    path.write_text(table("{partitionKey: {name: id, type: S}}"), encoding="utf-8")
    assert [d.code for d in load_stack(path).diagnostics] == ["table-primary-key"]
    with pytest.raises(CommandError, match="no valid primaryKey"):
        execute(Session.open(path), 'put-item t \'{"id": {"S": "1"}}\'')


def test_sample_stacks_stay_clean() -> None:
    for path in SAMPLE_STACKS:
        assert not [d for d in load_stack(path).diagnostics if d.code in CODES], path


def test_a_valid_stack_with_all_three_has_no_finding() -> None:
    text = listener("whitelistIps: [203.0.113.7], customCertificateArns: ['arn:aws:acm:x']") + (
        "  t:\n    type: dynamo-db-table\n    properties:\n"
        "      primaryKey: {partitionKey: {name: id, type: string}}\n"
    )
    assert codes(text) == []
