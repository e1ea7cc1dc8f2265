"""Stacktape's newest resource types (`websocket-api-gateway`, `kafka-cluster`, `appsync-api`,
`dsql-database`, `email-sender`) and the events they bring: known, checked against their
properties, `connectTo` targets with Stacktape's variables, drawn, and refused by commands.

Sources: packages/config/src/*.ts and the resource resolvers of stacktape/stacktape (see
stptui/config/normalize_*.py and envvars.py)."""

from __future__ import annotations

import json
from pathlib import Path
from textwrap import dedent

import pytest
from lintkit import PKG, found, load, one, where

from stptui.cli import main
from stptui.commands import CommandError, Session, execute
from stptui.config.envvars import workload_environment
from stptui.config.model import Function
from stptui.graph import build_graph, to_dot, to_json, to_mermaid, to_text
from stptui.tui import diagram as dg

NEWEST = """\
resources:
  realtime:
    type: websocket-api-gateway
    properties:
      routeSelectionExpression: $request.body.action
      logging: {retentionDays: 14, logClass: standard}
  events:
    type: kafka-cluster
    properties:
      dev: {remote: true}
  graph:
    type: appsync-api
    properties:
      authentication: {type: user-auth-pool, properties: {userAuthPoolName: users}}
      schemaFilePath: schema.graphql
      queryDepthLimit: 10
      logging: {fieldLogLevel: all}
  users:
    type: user-auth-pool
  ledger:
    type: dsql-database
    properties: {deletionProtection: true}
  mailer:
    type: email-sender
    properties: {identity: example.com}
  authorizer:
    type: function
    properties:
      {PKG}
  handler:
    type: function
    properties:
      {PKG}
      connectTo: [events, graph, ledger, mailer]
      events:
        - type: websocket-api-gateway
          properties:
            websocketApiGatewayName: realtime
            routeKey: $connect
            authorizer: {type: lambda, properties: {functionName: authorizer}}
        - type: websocket-api-gateway
          properties: {websocketApiGatewayName: realtime, routeKey: sendMessage}
        - type: appsync-api
          properties: {appsyncApiName: graph, field: Query.user}
        - type: kafka-topic
          properties: {kafkaClusterName: events, topicName: orders, startFrom: latest}
"""


def newest_text() -> str:
    return dedent(NEWEST).replace("{PKG}", PKG)


def errors(text: str) -> list[str]:
    return [d.format() for d in load(text).diagnostics if d.severity == "error"]


# -- known and checked -----------------------------------------------------------------------


def test_a_stack_of_every_newest_type_validates_clean(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "stacktape.yml"
    path.write_text(newest_text())
    assert main(["validate", str(path)]) == 0
    out = capsys.readouterr().out
    assert "unknown-type" not in out and "unknown-trigger-type" not in out
    assert "0 errors, 0 warnings" in out


@pytest.mark.parametrize(
    ("rtype", "body", "typo", "real"),
    [
        ("websocket-api-gateway", "", "routeSelectionExpresion: x", "routeSelectionExpression"),
        ("kafka-cluster", "", "devv: {remote: true}", "dev"),
        ("appsync-api", "authentication: {type: aws-iam}", "xrayEnable: true", "xrayEnabled"),
        ("dsql-database", "", "deletionProtect: true", "deletionProtection"),
        ("email-sender", "identity: example.com", "manageIdentities: false", "manageIdentity"),
    ],
)
def test_a_misspelt_property_is_an_error_with_the_real_name(
    rtype: str, body: str, typo: str, real: str
) -> None:
    lines = "".join(f"      {line}\n" for line in (body, typo) if line)
    text = f"resources:\n  r:\n    type: {rtype}\n    properties:\n{lines}"
    d = one(text, "unknown-property")
    assert where(d) == ("error", "s.yml", text.count("\n"), 7)
    assert d.hint == f"did you mean `{real}`?"


@pytest.mark.parametrize(
    ("props", "code", "needle"),
    [
        ("authentication: {type: aws-iam}\n      queryDepthLimit: 100", "out-of-range", "0-75"),
        (
            "authentication: {type: aws-iam}\n      logging: {fieldLogLevel: warn}",
            "invalid-value",
            "all",
        ),
        ("authentication: {type: oauth}", "invalid-value", "api-key"),
        ("authentication: {type: api-key}", "missing-property", "`properties`"),
        (
            "authentication: {type: user-auth-pool, properties: {}}",
            "missing-property",
            "userAuthPoolName",
        ),
        (
            "schemaFilePath: ''\n      authentication: {type: aws-iam}",
            "invalid-value",
            "schemaFilePath",
        ),
        ("xrayEnabled: true", "missing-property", "authentication"),
    ],
)
def test_appsync_api_values_and_required_properties(props: str, code: str, needle: str) -> None:
    text = f"resources:\n  gql:\n    type: appsync-api\n    properties:\n      {props}\n"
    hits = found(text, code)
    assert hits and any(needle in d.message for d in hits), [d.format() for d in hits]


def test_other_newest_values_are_checked() -> None:
    ws = "resources:\n  ws:\n    type: websocket-api-gateway\n    properties:\n"
    assert found(ws + "      logging: {retentionDays: 2}\n", "invalid-value")
    assert found(ws + "      routeSelectionExpression: '  '\n", "invalid-value")
    assert found(ws + "      customDomains: [{certificate: x}]\n", "unknown-property")
    dsql = "resources:\n  db:\n    type: dsql-database\n    properties: {kmsKeyArn: 5}\n"
    assert one(dsql, "wrong-type").message.startswith("`kmsKeyArn` must be a string")
    mail = "resources:\n  m:\n    type: email-sender\n    properties: {manageIdentity: false}\n"
    assert "needs `identity`" in one(mail, "missing-property").message


def test_kafka_cluster_and_email_sender_take_no_overrides() -> None:
    text = "resources:\n  k:\n    type: kafka-cluster\n    overrides: {KCluster: {A: 1}}\n"
    d = one(text, "unknown-property")
    assert where(d) == ("error", "s.yml", 4, 5)
    assert "kafka-cluster takes no `overrides`" in d.message
    assert not found(text, "override-target")


# -- events ----------------------------------------------------------------------------------

HANDLER = """\
resources:
  realtime: {{type: websocket-api-gateway}}
  api: {{type: http-api-gateway}}
  {name}:
    type: {kind}
    properties:
      {body}
      events:
        - type: websocket-api-gateway
          properties:
            {event}
"""


def handler(event: str, kind: str = "function", name: str = "fn") -> str:
    body = (
        PKG
        if kind == "function"
        else ("container: {" + PKG + "}\n      resources: {cpu: 1, memory: 1024}")
    )
    return HANDLER.format(name=name, kind=kind, body=body, event=event)


def test_a_websocket_event_naming_a_missing_gateway_is_an_error_at_its_value() -> None:
    text = handler("websocketApiGatewayName: realtme\n            routeKey: sendMessage")
    d = one(text, "missing-resource")
    assert where(d) == ("error", "s.yml", 11, 38)
    assert "expected websocket-api-gateway" in d.message
    assert d.hint == "did you mean 'realtime'?"


def test_a_websocket_event_naming_an_http_api_is_the_wrong_type() -> None:
    text = handler("websocketApiGatewayName: api\n            routeKey: sendMessage")
    d = one(text, "wrong-resource-type")
    assert "is an http-api-gateway, not a websocket-api-gateway" in d.message


@pytest.mark.parametrize(
    ("event", "needle"),
    [
        ("routeKey: $conect", "did you mean '$connect'?"),
        ("routeKey: ' send'", "blanks"),
        ("routeKey: send\n            authorizer: {type: aws-iam}", "only the $connect route"),
        ("routeKey: $disconnect\n            returnResponse: true", "lifecycle route"),
        (
            "routeKey: $connect\n            authorizer: {type: lambda, properties: "
            "{functionName: fn, identitySources: [header.Auth]}}",
            "route.request.header",
        ),
        ("routeKey: $connect\n            authorizer: {type: jwt}", "aws-iam, lambda"),
    ],
)
def test_websocket_route_rules(event: str, needle: str) -> None:
    text = handler("websocketApiGatewayName: realtime\n            " + event)
    hits = found(text, "invalid-value")
    assert any(needle in d.message or needle in (d.hint or "") for d in hits), [
        d.format() for d in load(text).diagnostics
    ]


def test_a_missing_route_key_is_required() -> None:
    d = one(handler("websocketApiGatewayName: realtime"), "missing-property")
    assert "needs `routeKey`" in d.message


def test_a_lambda_authorizer_must_name_a_function() -> None:
    text = handler(
        "websocketApiGatewayName: realtime\n            routeKey: $connect\n"
        "            authorizer: {type: lambda, properties: {functionName: realtime}}"
    )
    d = one(text, "wrong-resource-type")
    assert "authorizer functionName 'realtime' is a websocket-api-gateway" in d.message


def test_two_handlers_of_one_route_key_are_a_duplicate_route() -> None:
    text = dedent(
        """\
        resources:
          realtime: {type: websocket-api-gateway}
          a:
            type: function
            properties:
              {PKG}
              events:
                - type: websocket-api-gateway
                  properties: {websocketApiGatewayName: realtime, routeKey: send}
          b:
            type: function
            properties:
              {PKG}
              events:
                - type: websocket-api-gateway
                  properties: {websocketApiGatewayName: realtime, routeKey: send}
        """
    )
    d = one(text, "duplicate-route")
    assert d.resource == "b" and "already handled by 'a' (line 8)" in d.message
    assert (d.line, d.column) == (16, 69)


def test_appsync_event_references_fields_and_duplicates() -> None:
    text = dedent(
        """\
        resources:
          gql:
            type: appsync-api
            properties:
              authentication: {type: user-auth-pool, properties: {userAuthPoolName: pool}}
          a:
            type: function
            properties:
              {PKG}
              events:
                - {type: appsync-api, properties: {appsyncApiName: gql, field: Query.user}}
                - {type: appsync-api, properties: {appsyncApiName: gq, field: Query.order}}
                - {type: appsync-api, properties: {appsyncApiName: gql, field: user}}
          b:
            type: function
            properties:
              {PKG}
              events: [{type: appsync-api, properties: {appsyncApiName: gql, field: Query.user}}]
        """
    )
    stack = load(text)
    by_code = {d.code: d for d in stack.diagnostics}
    pool = [d for d in stack.diagnostics if d.code == "missing-resource" and d.resource == "gql"]
    assert pool and "userAuthPoolName 'pool'" in pool[0].message
    api = [d for d in stack.diagnostics if d.code == "missing-resource" and d.resource == "a"]
    assert api and (api[0].line, api[0].hint) == (12, "did you mean 'gql'?")
    assert "not written as Type.field" in by_code["invalid-value"].message
    assert "already resolved by 'a'" in by_code["duplicate-resolver"].message


def test_a_batch_job_takes_no_websocket_event() -> None:
    text = handler(
        "websocketApiGatewayName: realtime\n            routeKey: send", kind="batch-job"
    )
    assert (
        "a batch-job cannot have a `websocket-api-gateway` event"
        in one(text, "event-not-accepted").message
    )


def test_a_kafka_topic_names_its_cluster_and_the_legacy_shape_its_upstash_topic() -> None:
    # The legacy `upstashKafkaTopic` names an `upstash-kafka-topic` of the stack (once kept
    # opaque; tests/test_kafka_config.py has its own checks).
    text = dedent(
        """\
        resources:
          bus: {type: kafka-cluster}
          legacy: {type: upstash-kafka-topic}
          fn:
            type: function
            properties:
              {PKG}
              events:
                - type: kafka-topic
                  properties: {kafkaClusterName: buss, topicName: t, startFrom: latest}
                - {type: kafka-topic, properties: {upstashKafkaTopic: legacy, batchSize: 5}}
        """
    )
    assert [d.code for d in load(text).diagnostics if d.severity == "error"] == ["missing-resource"]
    assert one(text, "missing-resource").hint == "did you mean 'bus'?"


# -- connectTo -------------------------------------------------------------------------------


def names(text: str, fn: str = "handler") -> list[str]:
    stack = load(text)
    res = stack.resources[fn]
    assert isinstance(res, Function)
    return [e.name for e in workload_environment(stack, res) if e.name != "NODE_OPTIONS"]


def test_connect_to_injects_each_newest_types_variables() -> None:
    assert names(newest_text()) == [
        "STP_EVENTS_ARN",
        "STP_EVENTS_NAME",
        "STP_EVENTS_BOOTSTRAP_SERVERS",
        "STP_GRAPH_API_ID",
        "STP_GRAPH_ARN",
        "STP_GRAPH_URL",
        "STP_GRAPH_REALTIME_URL",
        "STP_LEDGER_ENDPOINT",
        "STP_LEDGER_PORT",
        "STP_LEDGER_DATABASE_NAME",
        "STP_LEDGER_USERNAME",
        "STP_LEDGER_REGION",
        "STP_LEDGER_ID",
        "STP_LEDGER_ARN",
        "STP_MAILER_IDENTITY",
        "STP_MAILER_IDENTITY_ARN",
        "STP_MAILER_REGION",
        "STP_MAILER_CONFIGURATION_SET_NAME",
        "STP_MAILER_FEEDBACK_TOPIC_ARN",
        # The handler's websocket events connect it to its gateway without a connectTo.
        "STP_REALTIME_API_ID",
        "STP_REALTIME_URL",
        "STP_REALTIME_MANAGEMENT_ENDPOINT",
        "STP_REALTIME_CANONICAL_DOMAIN",
    ]
    assert "STP_REALTIME_URL" not in names(newest_text(), "authorizer")


CONNECTED = """\
resources:
  t:
    type: {kind}
    properties: {props}
  fn:
    type: function
    properties:
      {PKG}
      connectTo: [t]
"""


@pytest.mark.parametrize(
    ("kind", "props", "expected"),
    [
        (
            "websocket-api-gateway",
            "{customDomains: [{domainName: ws.example.com}]}",
            "CUSTOM_DOMAINS CUSTOM_DOMAIN_URL CUSTOM_DOMAIN_URLS API_ID URL MANAGEMENT_ENDPOINT "
            "CANONICAL_DOMAIN",
        ),
        (
            "appsync-api",
            "{authentication: {type: api-key, properties: {expiresAt: '2027-01-31T00:00:00Z'}},"
            " customDomain: {domainName: gql.example.com}}",
            "API_KEY CUSTOM_DOMAIN_URL API_ID ARN URL REALTIME_URL",
        ),
        (
            "email-sender",
            "{identity: a@b.c, manageIdentity: false}",
            "IDENTITY IDENTITY_ARN REGION",
        ),
        (
            "email-sender",
            "{identity: a@b.c, manageIdentity: false, configurationSetName: cs}",
            "IDENTITY IDENTITY_ARN REGION CONFIGURATION_SET_NAME",
        ),
    ],
)
def test_connect_to_variables_follow_the_targets_properties(
    kind: str, props: str, expected: str
) -> None:
    text = CONNECTED.format(kind=kind, props=props, PKG=PKG)
    assert errors(text) == []
    assert names(text, "fn") == [f"STP_T_{p}" for p in expected.split()]


def test_a_gateway_in_connect_to_and_in_events_is_injected_once() -> None:
    text = newest_text().replace("[events, graph,", "[realtime, events, graph,")
    got = names(text)
    assert got.count("STP_REALTIME_URL") == 1 and got[0] == "STP_REALTIME_API_ID"


# -- graph, diagram and commands ------------------------------------------------------------


def test_the_graph_draws_the_newest_types_and_their_edges() -> None:
    g = build_graph(load(newest_text()))
    text = to_text(g)
    for line in (
        "realtime (websocket-api-gateway)",
        "realtime --websocket($connect)--> handler",
        "realtime --websocket(sendMessage)--> handler",
        "realtime --authorizer(of handler $connect)--> authorizer",
        "graph (appsync-api, auth user-auth-pool)",
        "graph --appsync(Query.user)--> handler",
        # The topic the event reads is a node of its own, on the cluster that hosts it.
        "events --hosts(orders)--> kafka:orders",
        "kafka:orders --kafka(orders)--> handler",
        "handler ..connect..> ledger [STP_LEDGER_ENDPOINT STP_LEDGER_PORT",
        "handler ..connect..> mailer [STP_MAILER_IDENTITY",
        "ledger (dsql-database)",
        "mailer (email-sender)",
    ):
        assert line in text, text
    # Gateways and the cluster start pipelines; the database and the sender end them.
    layers = dict(g.nodes(data="layer"))
    assert layers["realtime"] == layers["graph"] == layers["events"] == 0
    assert layers["ledger"] == layers["mailer"] == max(layers.values())
    nodes = {n["id"]: n for n in json.loads(to_json(g))["nodes"]}
    assert nodes["realtime"]["kind"] == "websocket-api-gateway"
    assert "shape=house" in to_dot(g) and "websocket-api-gateway" in to_mermaid(g)


def test_the_tui_diagram_draws_every_newest_type() -> None:
    g = build_graph(load(newest_text()))
    diagram = dg.layout(g)
    drawn = diagram.text()
    for name in ("realtime", "events", "graph", "ledger", "mailer", "handler"):
        assert name in drawn and name in diagram.boxes
    edges = {(e.source, e.target, e.kind) for e in diagram.edges if e.cells}
    assert {
        ("realtime", "handler", "trigger"),
        ("graph", "handler", "trigger"),
        ("events", "kafka:orders", "hosts"),
        ("kafka:orders", "handler", "trigger"),
        ("handler", "ledger", "connect"),
    } <= edges


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("send events hello", "'events' is a kafka-cluster, not a queue"),
        ("invoke realtime", "'realtime' is a websocket-api-gateway, not a function"),
        ("invoke graph", "'graph' is an appsync-api, not a function"),
        ("http GET /", "this stack has no http-api-gateway"),
        (
            "http GET / --gateway realtime",
            "'realtime' is a websocket-api-gateway, not an http-api-gateway",
        ),
        ("publish-sns mailer hi", "'mailer' is an email-sender, not an SNS topic"),
        ("delete ledger k", "'ledger' is a dsql-database, not a bucket"),
        ("fail realtime", "'realtime' is a websocket-api-gateway, not a function or batch job"),
    ],
)
def test_commands_refuse_the_newest_types_clearly(tmp_path: Path, line: str, message: str) -> None:
    (tmp_path / "stacktape.yml").write_text(newest_text())
    session = Session.open(tmp_path / "stacktape.yml")
    with pytest.raises(CommandError) as caught:
        execute(session, line)
    assert message in str(caught.value)
