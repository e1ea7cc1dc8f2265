"""`$ResourceParam` and connectTo's `STP_*` variables give the same value for the same
parameter of the same resource, in the shape AWS gives it."""

from __future__ import annotations

import re

import pytest

from stptui.config import load_stack_text
from stptui.config.envvars import env_var_name, workload_environment

STACK = """
resources:
  site:
    type: hosting-bucket
    properties:
      uploadDirectoryPath: ./dist
      hostingContentType: static-website
  shop:
    type: hosting-bucket
    properties:
      uploadDirectoryPath: ./dist
      hostingContentType: single-page-app
      customDomains: [{domainName: shop.example.com}, {domainName: www.shop.example.com}]
  files:
    type: efs-filesystem
  old:
    type: efs-storage
  worker:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: w.py}}
      connectTo: [site, shop, files, old]
      environment:
"""
# (resource, parameter) pairs connectTo injects for the resources above.
PARAMS = [
    ("site", "name"),
    ("site", "arn"),
    ("site", "cdnUrl"),
    ("site", "cdnDomain"),
    ("site", "cdnCanonicalUrl"),
    ("shop", "name"),
    ("shop", "arn"),
    ("shop", "cdnDomain"),
    ("shop", "cdnCustomDomains"),
    ("shop", "cdnCustomDomainUrls"),
    ("files", "id"),
    ("files", "arn"),
    ("old", "id"),
    ("old", "arn"),
]


def _env() -> dict[str, str]:
    entries = "".join(
        f"        - {{name: P{i}, value: \"$ResourceParam('{r}', '{p}')\"}}\n"
        for i, (r, p) in enumerate(PARAMS)
    )
    stack = load_stack_text(STACK + entries, "s.yml")
    assert not stack.errors, [d.format() for d in stack.errors]
    return {e.name: e.value for e in workload_environment(stack, stack.resources["worker"])}


@pytest.mark.parametrize(("i", "resource", "param"), [(i, *rp) for i, rp in enumerate(PARAMS)])
def test_resource_param_equals_the_connect_to_variable(i: int, resource: str, param: str) -> None:
    env = _env()
    assert env[f"P{i}"] == env[env_var_name(resource, param)]


def test_a_hosting_bucket_has_a_cloudfront_cdn_and_its_custom_domains() -> None:
    env = _env()
    values = {rp: env[f"P{i}"] for i, rp in enumerate(PARAMS)}
    assert re.fullmatch(r"https://d[0-9a-z]{13}\.cloudfront\.net", values["site", "cdnUrl"])
    assert values["shop", "cdnCustomDomainUrls"] == (
        "https://shop.example.com, https://www.shop.example.com"
    )
    assert values["site", "arn"] == f"arn:aws:s3:::{values['site', 'name']}"


def test_an_efs_filesystem_has_a_file_system_id_and_arn() -> None:
    env = _env()
    values = {rp: env[f"P{i}"] for i, rp in enumerate(PARAMS)}
    for name in ("files", "old"):  # `efs-storage` is the older name of the type
        fs_id = values[name, "id"]
        assert re.fullmatch(r"fs-[0-9a-f]{17}", fs_id), fs_id
        assert values[name, "arn"] == (
            f"arn:aws:elasticfilesystem:us-east-1:123456789012:file-system/{fs_id}"
        )
    assert values["files", "id"] != values["old", "id"]


# -- the newest types --------------------------------------------------------------------------

NEWEST = """
variables: {domain: example.com}
resources:
  chat:
    type: websocket-api-gateway
    properties:
      customDomains: [{domainName: ws.example.com}, {domainName: ws2.example.com}]
  plainChat:
    type: websocket-api-gateway
  events:
    type: kafka-cluster
  graph:
    type: appsync-api
    properties:
      authentication: {type: api-key, properties: {expiresAt: '2030-01-01'}}
      customDomain: {domainName: api.example.com}
  plainGraph:
    type: appsync-api
    properties:
      authentication: {type: aws-iam}
  ledger:
    type: dsql-database
  mail:
    type: email-sender
    properties: {identity: $Var().domain}
  ownMail:
    type: email-sender
    properties: {identity: team@example.com, manageIdentity: false, configurationSetName: mine}
  worker:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: w.py}}
      connectTo: [chat, plainChat, events, graph, plainGraph, ledger, mail, ownMail]
      environment:
"""
# Every parameter connectTo injects for the resources above (envvars._newest_params).
NEWEST_PARAMS = [
    *[("chat", p) for p in ("customDomains", "customDomainUrl", "customDomainUrls", "apiId")],
    *[("chat", p) for p in ("url", "managementEndpoint", "canonicalDomain")],
    *[("plainChat", p) for p in ("apiId", "url", "managementEndpoint", "canonicalDomain")],
    *[("events", p) for p in ("arn", "name", "bootstrapServers")],
    *[("graph", p) for p in ("apiKey", "customDomainUrl", "apiId", "arn", "url", "realtimeUrl")],
    *[("plainGraph", p) for p in ("apiId", "arn", "url", "realtimeUrl")],
    *[("ledger", p) for p in ("endpoint", "port", "databaseName", "username", "region")],
    *[("ledger", p) for p in ("id", "arn")],
    *[("mail", p) for p in ("identity", "identityArn", "region", "configurationSetName")],
    ("mail", "feedbackTopicArn"),
    *[("ownMail", p) for p in ("identity", "identityArn", "region", "configurationSetName")],
]


def _newest_values() -> tuple[dict[tuple[str, str], str], dict[str, str]]:
    """The $ResourceParam value of each of NEWEST_PARAMS, and the worker's environment."""
    entries = "".join(
        f"        - {{name: P{i}, value: \"$ResourceParam('{r}', '{p}')\"}}\n"
        for i, (r, p) in enumerate(NEWEST_PARAMS)
    )
    stack = load_stack_text(NEWEST + entries, "s.yml", region="eu-west-1")
    assert not stack.errors, [d.format() for d in stack.errors]
    env = {e.name: e.value for e in workload_environment(stack, stack.resources["worker"])}
    return {rp: env[f"P{i}"] for i, rp in enumerate(NEWEST_PARAMS)}, env


def test_connect_to_injects_exactly_the_newest_types_parameters_listed() -> None:
    _, env = _newest_values()
    injected = {k for k in env if k.startswith("STP_")}
    assert injected == {env_var_name(r, p) for r, p in NEWEST_PARAMS}


@pytest.mark.parametrize(("resource", "param"), NEWEST_PARAMS)
def test_a_newest_types_resource_param_equals_its_connect_to_variable(
    resource: str, param: str
) -> None:
    values, env = _newest_values()
    assert values[resource, param] == env[env_var_name(resource, param)]


SHAPES = {
    ("plainChat", "url"): r"wss://[0-9a-z]{10}\.execute-api\.eu-west-1\.amazonaws\.com/default",
    ("plainChat", "managementEndpoint"): (
        r"https://[0-9a-z]{10}\.execute-api\.eu-west-1\.amazonaws\.com/default"
    ),
    ("plainChat", "canonicalDomain"): r"[0-9a-z]{10}\.execute-api\.eu-west-1\.amazonaws\.com",
    ("chat", "url"): r"wss://ws\.example\.com",
    ("chat", "customDomainUrls"): r"wss://ws\.example\.com, wss://ws2\.example\.com",
    ("chat", "canonicalDomain"): (
        r"d-[0-9a-z]{10}\.execute-api\.eu-west-1\.amazonaws\.com,"
        r"d-[0-9a-z]{10}\.execute-api\.eu-west-1\.amazonaws\.com"
    ),
    ("events", "name"): r"app-dev-events",
    ("events", "arn"): (
        r"arn:aws:kafka:eu-west-1:123456789012:cluster/app-dev-events/"
        r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}-s1"
    ),
    ("events", "bootstrapServers"): (
        r"boot-[0-9a-z]{8}\.c1\.kafka-serverless\.eu-west-1\.amazonaws\.com:9098"
    ),
    ("plainGraph", "apiId"): r"[0-9a-z]{26}",
    ("plainGraph", "url"): r"https://[0-9a-z]{26}\.appsync-api\.eu-west-1\.amazonaws\.com/graphql",
    ("plainGraph", "realtimeUrl"): (
        r"wss://[0-9a-z]{26}\.appsync-realtime-api\.eu-west-1\.amazonaws\.com/graphql"
    ),
    ("graph", "url"): r"https://api\.example\.com/graphql",
    ("graph", "realtimeUrl"): r"wss://api\.example\.com/graphql/realtime",
    ("graph", "apiKey"): r"da2-[0-9a-z]{26}",
    ("ledger", "endpoint"): r"[0-9a-z]{26}\.dsql\.eu-west-1\.on\.aws",
    ("ledger", "port"): r"5432",
    ("ledger", "databaseName"): r"postgres",
    ("ledger", "username"): r"admin",
    ("ledger", "region"): r"eu-west-1",
    ("mail", "identity"): r"example\.com",
    ("mail", "identityArn"): r"arn:aws:ses:eu-west-1:123456789012:identity/example\.com",
    ("mail", "configurationSetName"): r"stacktape-email-[0-9a-f]{20}",
    ("mail", "feedbackTopicArn"): (
        r"arn:aws:sns:eu-west-1:123456789012:stacktape-email-feedback-[0-9a-f]{20}"
    ),
    ("ownMail", "identityArn"): r"arn:aws:ses:eu-west-1:123456789012:identity/team@example\.com",
    ("ownMail", "configurationSetName"): r"mine",
}


@pytest.mark.parametrize(("resource", "param"), sorted(SHAPES))
def test_a_newest_types_value_has_the_shape_aws_gives_it(resource: str, param: str) -> None:
    values, _ = _newest_values()
    assert re.fullmatch(SHAPES[resource, param], values[resource, param]), values[resource, param]


def test_the_newest_types_ids_are_the_ones_their_urls_and_arns_name() -> None:
    values, _ = _newest_values()
    api = values["plainChat", "apiId"]
    assert values["plainChat", "url"] == f"wss://{api}.execute-api.eu-west-1.amazonaws.com/default"
    assert values["plainGraph", "arn"].endswith(f":apis/{values['plainGraph', 'apiId']}")
    cluster = values["ledger", "id"]
    assert values["ledger", "endpoint"].startswith(f"{cluster}.")
    assert values["ledger", "arn"] == f"arn:aws:dsql:eu-west-1:123456789012:cluster/{cluster}"
    # A managed identity's set and topic share the identity's hash.
    digest = values["mail", "configurationSetName"].rsplit("-", 1)[1]
    assert values["mail", "feedbackTopicArn"].endswith(f"stacktape-email-feedback-{digest}")
