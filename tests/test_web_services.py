"""A web-service's own entry point, as Stacktape compiles it from `loadBalancing`: an HTTP
API (`ANY /{proxy+}` to its container on port 3000, the service's CORS), an application
load balancer (Stacktape's listeners and its one rule), or a network load balancer (TCP,
drawn but not sent HTTP); `http` reaches it by the service's name, the graph draws it."""

from __future__ import annotations

import functools
import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stptui.commands import CommandError, Session, execute
from stptui.config import load_stack_text
from stptui.config.model import ContainerService, NlbPort
from stptui.graph import build_graph, to_dot, to_json, to_mermaid, to_text
from stptui.sim.clock import parse_instant

START = parse_instant("2026-01-05T08:00:00Z")
EXAMPLES = Path(__file__).resolve().parents[1] / "docs" / "examples"

SERVICE = """\
  {name}:
    type: web-service
    properties:
      packaging:
        type: stacktape-image-buildpack
        properties: {{entryfilePath: src/server.ts}}
      resources: {{cpu: 0.25, memory: 512}}
{extra}"""


def stack_text(*services: tuple[str, str]) -> str:
    body = "".join(SERVICE.format(name=name, extra=extra) for name, extra in services)
    return f"serviceName: shop\nresources:\n{body}"


def open_session(tmp_path: Path, text: str) -> Session:
    (tmp_path / "stacktape.yml").write_text(text)
    return Session.open(tmp_path / "stacktape.yml", start_ms=START)


def entry_of(text: str, name: str = "web") -> object:
    stack = load_stack_text(text, "stacktape.yml")
    res = stack.resources[name]
    assert isinstance(res, ContainerService)
    return res.entry


# -- the model -------------------------------------------------------------------------------


def test_default_load_balancing_is_an_http_api_named_by_its_reference() -> None:
    entry = entry_of(stack_text(("web", "")))
    assert entry is not None
    assert (entry.type, entry.name, entry.service, entry.container_port) == (
        "http-api-gateway",
        "web.httpApiGateway",
        "web",
        3000,
    )
    assert entry.cors is None  # no `cors`, or `enabled` not true: the API has none


def test_cors_is_the_http_apis_only_when_enabled() -> None:
    on = entry_of(stack_text(("web", "      cors: {enabled: true, allowedOrigins: [a.io]}\n")))
    off = entry_of(stack_text(("web", "      cors: {enabled: false}\n")))
    assert on is not None and on.cors == {"enabled": True, "allowedOrigins": ["a.io"]}
    assert off is not None and off.cors is None


def test_an_application_load_balancer_keeps_the_domains_stacktape_makes_records_for() -> None:
    extra = """\
      loadBalancing: {type: application-load-balancer}
      customDomains:
        - domainName: own.example.com
          disableDnsRecordCreation: true
          customCertificateArn: arn:aws:acm:us-east-1:123456789012:certificate/x
        - domainName: shop.example.com
"""
    entry = entry_of(stack_text(("web", extra)))
    assert entry is not None
    assert (entry.name, entry.container_port) == ("web.loadBalancer", 3000)
    assert entry.custom_domains == ("shop.example.com",)


def test_network_load_balancer_ports_default_their_container_port_and_protocol() -> None:
    extra = """\
      loadBalancing:
        type: network-load-balancer
        properties:
          ports:
            - {port: 8883, containerPort: 1883}
            - {port: 9000, protocol: TCP}
            - {port: 9000}
"""
    entry = entry_of(stack_text(("web", extra)))
    assert entry is not None
    assert (entry.name, entry.container_port) == ("web.networkLoadBalancer", None)
    # The repeated 9000 is Stacktape's refusal (lint reports it): one listener, not two.
    assert entry.ports == (NlbPort(8883, 1883, "TLS"), NlbPort(9000, 9000, "TCP"))


@pytest.mark.parametrize(
    "extra",
    [
        "      loadBalancing: {type: classic}\n",  # not a type Stacktape has
        "      loadBalancing: application-load-balancer\n",  # not a mapping
        # The newer docs' shape: the service joins a gateway of the stack, makes none.
        "      loadBalancing:\n        type: http-api-gateway\n"
        "        properties: {httpApiGatewayName: api}\n",
    ],
)
def test_no_entry_for_a_load_balancing_stacktape_would_not_make_one_of(extra: str) -> None:
    assert entry_of(stack_text(("web", extra))) is None


# -- the HTTP API ----------------------------------------------------------------------------


def test_a_request_reaches_the_services_container_through_its_own_http_api(
    tmp_path: Path,
) -> None:
    s = open_session(tmp_path, stack_text(("web", "")))
    got = execute(s, "http POST /orders/7 '{\"a\": 1}'")
    assert (got.data["status"], got.data["route"], got.data["target"]) == (
        200,
        "ANY /{proxy+}",
        "web",
    )
    assert got.data["gateway"] == "web.httpApiGateway"
    [served] = [r.to_json() for r in s.sim.trace.records if r.kind == "container.request"]
    assert (served["resource"], served["container"], served["port"]) == (
        "web",
        "service-container",
        3000,
    )
    for flag in ("--gateway web", "--gateway web.httpApiGateway"):
        assert execute(s, f"http GET /x {flag}").data["route"] == "ANY /{proxy+}"
    rows = execute(s, "show routes").table[1]
    assert rows == [
        [
            "web.httpApiGateway",
            "ANY /{proxy+}",
            "web (web-service, container service-container:3000)",
            "-",
        ]
    ]


def test_the_root_path_goes_to_the_container() -> None:
    # `ANY /{proxy+}` takes `/` with `proxy` empty, as an HTTP API captured answering a
    # browser at its root shows (docs/fidelity.md, HTTP API); the container gets `/`.
    s = Session.open(
        EXAMPLES / "web-service.yml",
        behaviors_path=EXAMPLES / "web-service-behaviors.yml",
        start_ms=START,
    )
    got = execute(s, "http GET /")
    assert (got.data["status"], got.data["route"], got.data["target"]) == (
        200,
        "ANY /{proxy+}",
        "web",
    )
    assert json.loads(got.data["body"]) == {"path": "/", "proto": "https"}
    assert "hint:" not in got.text


def test_the_http_help_says_the_services_route_takes_the_root(tmp_path: Path) -> None:
    # The help said `/` was a 404 after the simulator was fixed to serve it: a user read
    # the help, then saw a 200.
    s = open_session(tmp_path, stack_text(("web", "")))
    text = execute(s, "help http").text
    assert "ANY /{proxy+}, which takes every path, / too" in text
    assert "does not match (404)" not in text
    assert execute(s, "http GET /").data["status"] == 200


@functools.cache
def property_session() -> Session:
    """One session for every example: a request changes no route, and each is answered."""
    return open_session(Path(tempfile.mkdtemp()), stack_text(("web", "")))


@settings(max_examples=30, deadline=None)
@given(st.lists(st.text("abcxyz-._~0123", min_size=1, max_size=6), min_size=1, max_size=4))
def test_every_path_below_the_root_goes_to_the_container(segments: list[str]) -> None:
    got = execute(property_session(), f"http GET /{'/'.join(segments)}")
    assert (got.data["status"], got.data["route"], got.data["target"]) == (
        200,
        "ANY /{proxy+}",
        "web",
    )


def test_the_services_cors_answers_on_its_http_api(tmp_path: Path) -> None:
    s = open_session(
        tmp_path,
        stack_text(("web", "      cors: {enabled: true, allowedOrigins: [https://a.io]}\n")),
    )
    got = execute(s, "http GET /x --header origin:https://a.io")
    assert ["access-control-allow-origin", "https://a.io"] in got.data["headers"]
    other = execute(s, "http GET /x --header origin:https://b.io")
    assert all(h[0] != "access-control-allow-origin" for h in other.data["headers"])


def test_several_entries_need_a_gateway_and_the_error_lists_them(tmp_path: Path) -> None:
    s = open_session(tmp_path, stack_text(("web", ""), ("admin", "")))
    with pytest.raises(CommandError) as err:
        execute(s, "http GET /x")
    assert "web.httpApiGateway, admin.httpApiGateway" in (err.value.hint or "")
    assert execute(s, "http GET /x --gateway admin").data["target"] == "admin"
    with pytest.raises(CommandError) as err:
        execute(s, "http GET /x --gateway admn")
    assert "did you mean" in (err.value.hint or "")
    # The refused requests changed nothing: the one sent wrote its request and response, and
    # the container's.
    assert s.sim.trace.seq == 4


# -- load balancers --------------------------------------------------------------------------


ALB = "      loadBalancing: {type: application-load-balancer}\n"
NLB = """\
      loadBalancing:
        type: network-load-balancer
        properties:
          ports: [{port: 8883, containerPort: 1883}]
"""


def test_an_application_load_balancer_of_its_own_with_stacktapes_listeners_and_rule(
    tmp_path: Path,
) -> None:
    s = open_session(tmp_path, stack_text(("web", ALB)))
    rules = execute(s, "show rules").data
    assert [(lis["load_balancer"], lis["port"], lis["default_action"]) for lis in rules] == [
        ("web.loadBalancer", 80, "redirect 301 protocol=HTTPS"),
        ("web.loadBalancer", 443, "fixed 500 text/plain"),
    ]
    assert [
        (r["priority"], r["conditions"], r["target"], r["container_port"])
        for r in rules[1]["rules"]
    ] == [(3, ["path-pattern *"], "web", 3000)]
    got = execute(s, "http GET /")  # the only entry: no flag; `*` takes the root too
    assert (got.data["status"], got.data["route"]) == (200, "priority 3 on :443")
    moved = execute(s, "http GET /a?b=1 --gateway web --port 80")
    assert moved.data["status"] == 301
    location = dict(map(tuple, moved.data["headers"]))["location"]
    assert location.startswith("https://shop-dev-web-") and location.endswith("/a?b=1")


def test_a_network_load_balancer_is_refused_clearly_and_changes_nothing(tmp_path: Path) -> None:
    s = open_session(tmp_path, stack_text(("mqtt", NLB)))
    for line in (
        "http GET /",
        "http GET / --gateway mqtt",
        "http GET / --gateway mqtt.networkLoadBalancer",
    ):
        with pytest.raises(CommandError) as err:
            execute(s, line)
        assert "web-service 'mqtt' is load-balanced by a network load balancer" in str(err.value)
        assert "8883 TLS" in str(err.value)
    assert s.sim.trace.seq == 0 and s.log == []


def test_an_http_api_stays_the_default_next_to_a_services_load_balancer(tmp_path: Path) -> None:
    s = open_session(tmp_path, stack_text(("web", ""), ("shop", ALB)))
    got = execute(s, "http GET /x")
    assert got.data["gateway"] == "web.httpApiGateway"
    assert "--gateway NAME sends it to a load balancer (shop.loadBalancer)" in got.text
    assert execute(s, "http GET /x --gateway shop").data["gateway"] == "shop.loadBalancer"


# -- the graph -------------------------------------------------------------------------------


def test_the_graph_draws_each_entry_and_its_route_into_the_service() -> None:
    text = stack_text(("web", ""), ("shop", ALB), ("mqtt", NLB))
    g = build_graph(load_stack_text(text, "stacktape.yml"))
    edges = {(u, v, d["via"], d.get("container_port")) for u, v, d in g.edges(data=True)}
    assert edges == {
        ("web.httpApiGateway", "web", "http-api-gateway", 3000),
        ("shop.loadBalancer", "shop", "application-load-balancer", 3000),
        ("mqtt.networkLoadBalancer", "mqtt", "network-load-balancer", 1883),
    }
    assert g.nodes["web.httpApiGateway"]["kind"] == "http-api-gateway"
    assert g.nodes["web.httpApiGateway"]["line"] == 3  # the service's own key
    assert "web.httpApiGateway --http(ANY /{proxy+}, container service-container:3000)--> web" in (
        to_text(g)
    )
    assert "network-load-balancer(:8883, container service-container:1883)" in to_text(g)
    assert "shop.loadBalancer" in to_mermaid(g) and "shop.loadBalancer" in to_dot(g)
    links = json.loads(to_json(g))["edges"]
    assert {(link["source"], link["target"]) for link in links} == {(u, v) for u, v, *_ in edges}


def test_the_docs_examples_validate_clean() -> None:
    for name in ("web-service.yml", "web-service-alb.yml"):
        stack = load_stack_text((EXAMPLES / name).read_text(), name)
        assert stack.diagnostics == [], name


# -- other workloads on a web-service's own load balancer ------------------------------------


WORKER = """\
  admin:
    type: multi-container-workload
    properties:
      resources: {{cpu: 0.25, memory: 512}}
      containers:
        - name: app
          packaging: {{type: prebuilt-image, properties: {{image: nginx}}}}
          events:
            - type: application-load-balancer
              properties:
                loadBalancerName: {lb}
                priority: 1
                containerPort: 8080
                paths: [/admin/*]
{port}"""


def test_another_workloads_rule_on_the_services_load_balancer(tmp_path: Path) -> None:
    text = stack_text(("web", ALB)) + WORKER.format(
        lb="web.loadBalancer", port="                listenerPort: 443\n"
    )
    assert load_stack_text(text, "stacktape.yml").errors == []
    s = open_session(tmp_path, text)
    assert execute(s, "http GET /admin/x").data["target"] == "admin"  # priority 1 before 3
    assert execute(s, "http GET /shop").data["target"] == "web"


@pytest.mark.parametrize(
    ("balancing", "lb", "port", "code", "words"),
    [
        # Stacktape writes the nested load balancer's listeners: an event must name one.
        (ALB, "web.loadBalancer", "", "listener-port", "must name one in `listenerPort`"),
        (ALB, "web.loadBalancer", "                listenerPort: 8443\n", "listener-port", "8443"),
        ("", "web.loadBalancer", "", "missing-resource", "makes http-api-gateway"),
    ],
)
def test_an_event_on_a_services_load_balancer_is_checked(
    balancing: str, lb: str, port: str, code: str, words: str
) -> None:
    text = stack_text(("web", balancing)) + WORKER.format(lb=lb, port=port)
    found = [d for d in load_stack_text(text, "stacktape.yml").errors if d.code == code]
    assert len(found) == 1 and words in found[0].message
