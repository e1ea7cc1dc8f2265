"""Application load balancers: listener rules in priority order, every condition type, the
Lambda target event, ELB's conversion of a function's result and its own answers (502, 503,
413, the default actions), container and batch job targets, and the `http` command's choice
between HTTP APIs and load balancers (docs/fidelity.md, "Application Load Balancers")."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from replkit import complete

from stptui.commands import CommandError, Session, execute
from stptui.repl.validator import check
from stptui.sim import trace as tk
from stptui.sim.engine import SimError, Simulator
from stptui.sim.explain import explain
from stptui.sim.services.load_balancer import (
    HEADER,
    HOST,
    METHOD,
    PATH,
    QUERY,
    SOURCE_IP,
    Condition,
    Listener,
    Request,
    Rule,
    convert,
    error_page,
    holds,
    target_group_name,
)
from tests.simkit import START, capture_inputs, make_sim, records

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "docs" / "examples" / "load-balancer.yml"
EXAMPLE_BEHAVIORS = ROOT / "docs" / "examples" / "load-balancer-behaviors.yml"
PACKAGING = "packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}"


def req(
    path: str = "/",
    *,
    method: str = "GET",
    query: tuple[tuple[str, str], ...] = (),
    headers: tuple[tuple[str, str], ...] = (),
    ip: str = "203.0.113.10",
) -> Request:
    return Request(method, path, query, headers, ip)


def cond(kind: str, *values: str, name: str | None = None) -> Condition:
    return Condition(kind, values, name)


# -- conditions ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("condition", "request_", "expected"),
    [
        # path-pattern: case-sensitive, `*` any run, `?` one character, the path only
        (cond(PATH, "/img/*"), req("/img/a/b.png"), True),
        (cond(PATH, "/img/*"), req("/IMG/a.png"), False),
        (cond(PATH, "/img/*"), req("/img"), False),
        (cond(PATH, "/v?/users"), req("/v2/users"), True),
        (cond(PATH, "/v?/users"), req("/v10/users"), False),
        (cond(PATH, "/search"), req("/search", query=(("q", "x"),)), True),
        (cond(PATH, "/a", "/b"), req("/b"), True),  # values are alternatives
        # host-header: case-insensitive, wildcards, the port aside
        (cond(HOST, "*.example.com"), req(headers=(("Host", "API.Example.com"),)), True),
        (cond(HOST, "*.example.com"), req(headers=(("host", "example.com"),)), False),
        (cond(HOST, "api.example.com"), req(headers=(("host", "api.example.com:8443"),)), True),
        (cond(HOST, "a?.example.com"), req(headers=(("host", "ab.example.com"),)), True),
        # http-request-method: exact, case-sensitive
        (cond(METHOD, "GET", "HEAD"), req(method="HEAD"), True),
        (cond(METHOD, "get"), req(method="GET"), False),
        # http-header: the name and the values without case, wildcards in the values
        (
            cond(HEADER, "*Chrome*", name="User-Agent"),
            req(headers=(("user-agent", "x chrome"),)),
            True,
        ),
        (cond(HEADER, "beta", name="X-Tenant"), req(headers=(("x-tenant", "gamma"),)), False),
        (cond(HEADER, "beta", name="X-Tenant"), req(), False),
        # query-string: key and value without case, wildcards, compared as sent (encoded)
        (cond(QUERY, "V1", name="version"), req(query=(("Version", "v1"),)), True),
        (cond(QUERY, "v*", name="version"), req(query=(("version", "v22"),)), True),
        (cond(QUERY, "a b", name="q"), req(query=(("q", "a%20b"),)), False),
        (cond(QUERY, "a%20b", name="q"), req(query=(("q", "a%20b"),)), True),
        (cond(QUERY, "1", name="page"), req(query=(("size", "1"),)), False),
        # source-ip: CIDR blocks, IPv4 and IPv6; a block that is not one matches nothing
        (cond(SOURCE_IP, "10.0.0.0/16"), req(ip="10.0.200.1"), True),
        (cond(SOURCE_IP, "10.0.0.0/16"), req(ip="10.1.0.1"), False),
        (cond(SOURCE_IP, "2001:db8::/32"), req(ip="2001:db8::7"), True),
        (cond(SOURCE_IP, "not-a-cidr", "198.51.100.7/32"), req(ip="198.51.100.7"), True),
        (cond(SOURCE_IP, "not-a-cidr"), req(ip="198.51.100.7"), False),
    ],
)
def test_each_condition_type(condition: Condition, request_: Request, expected: bool) -> None:
    assert holds(condition, request_) is expected


def rule(priority: int, target: str, *conditions: Condition) -> Rule:
    return Rule("lb", 443, priority, conditions, target, "function")


def test_all_conditions_of_a_rule_must_hold() -> None:
    both = rule(1, "x", cond(PATH, "/api/*"), cond(METHOD, "POST"))
    assert both.matches(req("/api/a", method="POST"))
    assert not both.matches(req("/api/a", method="GET"))
    assert not both.matches(req("/web", method="POST"))


def test_a_rule_without_conditions_takes_nothing() -> None:
    # Stacktape refuses to deploy one ("At least one of ... must be present").
    assert not rule(1, "x").matches(req("/"))


LISTENER_RULES = [
    rule(100, "catchAll", cond(PATH, "/*")),
    rule(10, "orders", cond(PATH, "/api/orders*"), cond(METHOD, "GET", "POST")),
    rule(5, "beta", cond(PATH, "/api/*"), cond(HEADER, "beta*", name="x-tenant")),
    rule(20, "admin", cond(PATH, "/admin/*"), cond(SOURCE_IP, "10.0.0.0/8")),
    rule(30, "v2", cond(QUERY, "2", name="v")),
]


@pytest.mark.parametrize(
    ("request_", "target"),
    [
        (req("/api/orders"), "orders"),
        (req("/api/orders", headers=(("X-Tenant", "Beta-3"),)), "beta"),  # 5 before 10
        (req("/api/orders", method="DELETE"), "catchAll"),
        (req("/admin/x", ip="10.2.3.4"), "admin"),
        (req("/admin/x"), "catchAll"),
        (req("/other", query=(("v", "2"),)), "v2"),  # 30 before the catch-all's 100
        (req("/api/orders", query=(("v", "2"),)), "orders"),  # 10 before 30
    ],
)
def test_the_lowest_priority_whose_conditions_hold_wins(request_: Request, target: str) -> None:
    listener = Listener(443, "HTTPS", rules=sorted(LISTENER_RULES, key=lambda r: r.priority))
    hit = listener.select(request_)
    assert hit is not None and hit.target == target


# Rules of a stack, as (priority, target, YAML of its conditions).
STACK_RULES = [
    (100, "catchAll", "paths: ['/*']"),
    (10, "orders", "paths: ['/api/orders*'], methods: [GET, POST]"),
    (5, "beta", "paths: ['/api/*'], headers: [{headerName: x-tenant, values: ['beta*']}]"),
    (20, "admin", "paths: ['/admin/*'], sourceIps: [10.0.0.0/8]"),
    (30, "v2", "queryParams: [{paramName: v, values: ['2']}]"),
]
PROBES = [
    ("GET", "/api/orders", [], None),
    ("GET", "/api/x", [("x-tenant", "BETA")], None),
    ("GET", "/admin/a", [], "10.9.9.9"),
    ("GET", "/z?V=2", [], None),
    ("PATCH", "/api/orders", [], None),
    ("GET", "/admin/a", [], None),
]


def rules_stack(order: list[int]) -> str:
    """A stack whose functions (one per rule) are written in `order`."""
    out = "resources:\n  lb: {type: application-load-balancer}\n"
    for i in order:
        priority, name, conditions = STACK_RULES[i]
        props = f"{{loadBalancerName: lb, priority: {priority}, {conditions}}}"
        out += (
            f"  {name}:\n    type: function\n    properties:\n      {PACKAGING}\n"
            f"      events: [{{type: application-load-balancer, properties: {props}}}]\n"
        )
    return out


def targets(sim: Simulator) -> list[str | None]:
    lbs = sim.services["load_balancers"]
    return [
        lbs.call(method, path, headers=headers, source_ip=ip).target
        for method, path, headers, ip in PROBES
    ]


EXPECTED_TARGETS = ["orders", "beta", "admin", "v2", "catchAll", "catchAll"]


@settings(max_examples=25, deadline=None)
@given(order=st.permutations(range(len(STACK_RULES))))
def test_rule_evaluation_does_not_depend_on_config_order(order: list[int]) -> None:
    # Whatever order the stack writes its workloads in, ELB tries rules by priority.
    assert targets(make_sim(rules_stack(order))) == EXPECTED_TARGETS


# -- the stack's load balancer ---------------------------------------------------------------


def stack(*, lb_props: str = "", events: str = "", extra: str = "") -> str:
    lb = f"  shopLb:\n    type: application-load-balancer\n{lb_props}"
    return (
        "serviceName: shop\nresources:\n"
        + lb
        + "  orders:\n    type: function\n    properties:\n"
        + f"      {PACKAGING}\n      timeout: 5\n      events:\n"
        + (
            events
            or "        - type: application-load-balancer\n"
            "          properties: {loadBalancerName: shopLb, priority: 10, paths: ['/api/*']}\n"
        )
        + extra
    )


BEHAVIORS = """
behaviors:
  orders:
    duration: 30ms
    response: >-
      {statusCode: `201`, statusDescription: '201 Created',
      headers: {"content-type": 'text/plain', "x-n": '7'}, body: 'made'}
"""


@pytest.fixture
def sim() -> Simulator:
    return make_sim(stack(), BEHAVIORS)


def call(sim: Simulator, method: str, path: str, body: str | None = None, **kw: object):  # type: ignore[no-untyped-def]
    return sim.services["load_balancers"].call(method, path, body, **kw)


def test_the_event_has_elbs_exact_shape(sim: Simulator) -> None:
    seen = capture_inputs(sim, lambda inp: inp.event())
    call(
        sim,
        "POST",
        "/api/orders?item=a%20b&item=c&flag",
        '{"n": 1}',
        headers=[("X-Custom", "one"), ("x-custom", "two"), ("Cookie", "a=1")],
    )
    event = seen[0]
    assert list(event) == [
        "requestContext",
        "httpMethod",
        "path",
        "queryStringParameters",
        "headers",
        "body",
        "isBase64Encoded",
    ]
    arn = event["requestContext"]["elb"]["targetGroupArn"]
    assert re.fullmatch(
        r"arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/"
        r"shop-dev-shopLb-orders/[0-9a-f]{16}",
        arn,
    )
    assert event["requestContext"] == {"elb": {"targetGroupArn": arn}}
    assert event["httpMethod"] == "POST"
    assert event["path"] == "/api/orders"
    # As sent: not URL-decoded; the last of repeated keys; a bare key has "".
    assert event["queryStringParameters"] == {"item": "c", "flag": ""}
    headers = event["headers"]
    assert list(headers) == sorted(headers)  # lower-case names, in order
    assert headers["x-custom"] == "two"  # the last of repeated headers
    assert headers["cookie"] == "a=1"
    assert headers["content-type"] == "application/json"
    assert headers["content-length"] == "8"
    assert headers["x-forwarded-for"] == "203.0.113.10"
    assert headers["x-forwarded-port"] == "443"
    assert headers["x-forwarded-proto"] == "https"
    assert re.fullmatch(r"Root=1-[0-9a-f]{8}-[0-9a-f]{24}", headers["x-amzn-trace-id"])
    assert headers["host"].endswith(".us-east-1.elb.amazonaws.com")
    assert event["body"] == '{"n": 1}'
    assert event["isBase64Encoded"] is False
    assert "multiValueHeaders" not in event  # Stacktape leaves multi-value headers off


def test_the_event_without_query_or_body_and_with_a_binary_type(sim: Simulator) -> None:
    seen = capture_inputs(sim, lambda inp: inp.event())
    call(sim, "GET", "/api/x")
    call(sim, "PUT", "/api/x", "raw", headers=[("content-type", "application/octet-stream")])
    assert seen[0]["queryStringParameters"] == {}
    assert (seen[0]["body"], seen[0]["isBase64Encoded"]) == ("", False)
    assert (seen[1]["body"], seen[1]["isBase64Encoded"]) == ("cmF3", True)


def test_path_and_query_reach_the_function_still_encoded(sim: Simulator) -> None:
    # A live capture (hotsock/voker vokerhttp/testdata/alb-request.json): ELB decodes
    # neither the path nor the query, not even a `+`.
    seen = capture_inputs(sim, lambda inp: inp.event())
    call(sim, "GET", "/api/space%20value?literalPlus=a+b&encodedPlus=a%2Bb&r=https%3A%2F%2Fx")
    assert seen[0]["path"] == "/api/space%20value"
    assert seen[0]["queryStringParameters"] == {
        "literalPlus": "a+b",
        "encodedPlus": "a%2Bb",
        "r": "https%3A%2F%2Fx",
    }
    # The response record repeats its request's line: the path as sent, the rule matched.
    [request] = records(sim, tk.HTTP_REQUEST)
    [response] = records(sim, tk.HTTP_RESPONSE)
    line = ("method", "path", "route")
    assert [response.get(k) for k in line] == [request.get(k) for k in line]
    assert response.get("path") == "/api/space%20value"


@pytest.mark.parametrize(
    ("sent", "forwarded"),
    [
        # ELB's request tracing guide: a Root gets a Self inserted before it, a Self is
        # updated, other fields are kept; without the header ELB makes a Root.
        (
            "Root=1-67891233-abcdef012345678912345678",
            "Self={own};Root=1-67891233-abcdef012345678912345678",
        ),
        (
            "Root=1-67891233-abcdef012345678912345678;CalledFrom=app",
            "Self={own};Root=1-67891233-abcdef012345678912345678;CalledFrom=app",
        ),
        ("Self=1-1-old;Root=1-2-r", "Self={own};Root=1-2-r"),
        ("CalledFrom=app", "Root={own};CalledFrom=app"),
        (None, "Root={own}"),
    ],
)
def test_elb_adds_its_own_trace_id_to_the_clients(
    sim: Simulator, sent: str | None, forwarded: str
) -> None:
    seen = capture_inputs(sim, lambda inp: inp.event()["headers"]["x-amzn-trace-id"])
    headers = [("X-Amzn-Trace-Id", sent)] if sent is not None else []
    resp = call(sim, "GET", "/api/x", headers=headers)
    own = resp.request_id.removeprefix("Root=")
    assert re.fullmatch(r"1-[0-9a-f]{8}-[0-9a-f]{24}", own)
    assert seen == [forwarded.format(own=own)]


def test_x_forwarded_for_keeps_the_clients_and_adds_the_source(sim: Simulator) -> None:
    seen = capture_inputs(sim, lambda inp: inp.event()["headers"]["x-forwarded-for"])
    call(sim, "GET", "/api/x", headers=[("X-Forwarded-For", "1.2.3.4")], source_ip="10.0.0.9")
    assert seen == ["1.2.3.4, 10.0.0.9"]


def test_a_target_group_name_is_cut_to_32_characters_with_a_hash() -> None:
    assert target_group_name("shop-dev", "lb", "orders") == "shop-dev-lb-orders"
    long = target_group_name("a-very-long-project-production", "publicLb", "ordersApi")
    assert len(long) == 32
    # Stacktape's buildResourceName: the first 25 characters, `-`, 3 bytes of shake256.
    full = b"a-very-long-project-production-publicLb-ordersApi"
    assert long == f"a-very-long-project-produ-{hashlib.shake_256(full).hexdigest(3)}"


def test_a_response_is_converted_as_elb_does(sim: Simulator) -> None:
    resp = call(sim, "POST", "/api/orders")
    assert resp.status == 201
    assert resp.body == "made"
    assert ("content-type", "text/plain") in resp.headers
    assert ("x-n", "7") in resp.headers
    assert ("content-length", "4") in resp.headers
    assert resp.latency_ms == 30
    response = records(sim, tk.HTTP_RESPONSE)[0]
    assert response.get("description") == "201 Created"
    assert response.get("invocation_id") == resp.invocation_id


@pytest.mark.parametrize(
    ("result", "why"),
    [
        (None, "must be an object with a statusCode"),
        ("ok", "must be an object with a statusCode"),
        ({"body": "x"}, "statusCode must be an integer"),
        ({"statusCode": "200"}, "statusCode must be an integer"),
        ({"statusCode": 99}, "statusCode must be an integer"),
        ({"statusCode": 200, "body": {"a": 1}}, "body must be a string"),
        ({"statusCode": 200, "headers": ["a"]}, "headers must be an object"),
        ({"statusCode": 200, "headers": {"a": ["b"]}}, "header 'a' must be a string"),
        # Users behind ALBs: a number or boolean header value is a 502 (jeremydaly/lambda-api
        # #117, pwrdrvr/lambda-dispatch #52), and so is a null field (aws/aws-lambda-go #438,
        # awslabs/aws-lambda-go-api-proxy #79, aws/aws-lambda-dotnet #507).
        ({"statusCode": 200, "headers": {"content-length": 4}}, "must be a string, not 4"),
        ({"statusCode": 200, "headers": {"x-ok": True}}, "must be a string, not true"),
        ({"statusCode": 200, "body": None}, "body is null"),
        ({"statusCode": 200, "headers": None}, "headers is null"),
        ({"statusCode": 301, "statusDescription": None}, "statusDescription is null"),
        ({"statusCode": 200, "isBase64Encoded": None}, "isBase64Encoded is null"),
        ({"statusCode": 200, "statusDescription": 7}, "statusDescription must be a string"),
        ({"statusCode": 200, "body": "!!", "isBase64Encoded": True}, "not base64"),
        ({"statusCode": 200, "body": "x" * (1024 * 1024)}, "over 1 MB (LambdaResponseTooLarge)"),
    ],
)
def test_a_result_elb_cannot_use_is_a_502(result: object, why: str) -> None:
    converted = convert(result)
    assert isinstance(converted, str) and why in converted


def test_a_response_without_a_content_type_is_application_octet_stream() -> None:
    # Users with multi-value headers off get application/octet-stream when `headers` has no
    # content type (aws/serverless-java-container #347, micronaut-projects/micronaut-core
    # #9160, CodeGenieApp/serverless-express #435).
    sim = make_sim(
        stack(),
        'behaviors:\n  orders: {response: \'{statusCode: `200`, body: `"hi"`, '
        'multiValueHeaders: {"Content-Type": [`"text/plain"`]}}\'}\n',
    )
    resp = call(sim, "GET", "/api/x")
    assert resp.status == 200
    assert [v for k, v in resp.headers if k == "content-type"] == ["application/octet-stream"]
    typed = call(make_sim(stack(), BEHAVIORS), "GET", "/api/x")
    assert [v for k, v in typed.headers if k == "content-type"] == ["text/plain"]


def test_convert_keeps_what_elb_keeps() -> None:
    assert convert({"statusCode": 204}) == (204, None, [], "")
    assert convert({"statusCode": 200, "body": "aGk=", "isBase64Encoded": True}) == (
        200,
        None,
        [],
        "hi",
    )
    # Without multi-value headers, ELB does not read multiValueHeaders.
    assert convert({"statusCode": 200, "multiValueHeaders": {"a": ["1", "2"]}})[2] == []


def test_elb_computes_the_length_and_drops_hop_by_hop_headers() -> None:
    # ELB guide, "Respond to the load balancer": "The load balancer does not honor hop-by-hop
    # headers, such as Connection or Transfer-Encoding. You can omit the Content-Length
    # header because the load balancer computes it before sending responses to clients."
    sim = make_sim(
        stack(),
        'behaviors:\n  orders: {response: \'{statusCode: `200`, body: `"made"`, headers: '
        '{"Content-Length": `"999"`, Connection: `"close"`, "Transfer-Encoding": `"chunked"`,'
        ' "Keep-Alive": `"timeout=5"`, "Content-Type": `"text/plain"`}}\'}\n',
    )
    resp = call(sim, "GET", "/api/x")
    assert resp.status == 200 and resp.body == "made"
    names = [name.lower() for name, _ in resp.headers]
    assert [v for k, v in resp.headers if k.lower() == "content-length"] == ["4"]
    assert not {"connection", "transfer-encoding", "keep-alive"} & set(names)
    assert ("Content-Type", "text/plain") in resp.headers


def test_a_binary_body_is_as_long_as_its_bytes() -> None:
    # Bytes that are no UTF-8 text are shown as a count, but the client receives them all:
    # the Content-Length ELB computes is theirs (before, the words' 24 bytes).
    sim = make_sim(
        stack(),
        'behaviors:\n  orders: {response: \'{statusCode: `200`, body: `"/9j/4AAQSkY="`, '
        "isBase64Encoded: `true`}'}\n",
    )
    resp = call(sim, "GET", "/api/x")
    assert (resp.status, resp.body) == (200, "<8 bytes of binary data>")
    assert [v for k, v in resp.headers if k.lower() == "content-length"] == ["8"]


def test_elbs_own_error_page() -> None:
    page = error_page(502)
    assert page == (
        "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
        "<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n"
    )
    assert len(page.encode()) == 122


def elb_error(resp: object, status: int) -> None:
    assert resp.status == status  # type: ignore[attr-defined]
    assert ("server", "awselb/2.0") in resp.headers  # type: ignore[attr-defined]
    assert ("content-type", "text/html") in resp.headers  # type: ignore[attr-defined]
    assert resp.body == error_page(status)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("behavior", "status", "why", "latency"),
    [
        ("{duration: 10ms}", 502, "LambdaInvalidResponse", 10),
        (
            "{duration: 10ms, fail: {always: true, error: Boom}}",
            502,
            "Boom: simulated failure (always) (LambdaUnhandled)",
            10,
        ),
        (
            "{duration: 1m}",
            502,
            "the function timed out: Sandbox.Timedout: Task timed out after 5.00 seconds",
            5000,
        ),
    ],
)
def test_function_failures_are_elb_502s(behavior: str, status: int, why: str, latency: int) -> None:
    sim = make_sim(stack(), f"behaviors:\n  orders: {behavior}\n")
    resp = call(sim, "GET", "/api/x")
    elb_error(resp, status)
    assert why in (resp.reason or "")
    # ELB waits for the function, up to its timeout (5 s here): no 30 s integration limit.
    assert resp.latency_ms == latency


def test_a_throttled_function_is_a_503() -> None:
    sim = make_sim(
        stack(extra="").replace("timeout: 5", "timeout: 5\n      reservedConcurrency: 1"),
        "behaviors:\n  orders: {duration: 1s, response: '{statusCode: `200`}'}\n",
    )
    lbs = sim.services["load_balancers"]
    first = lbs.start("GET", "/api/a")
    second = lbs.start("GET", "/api/b")
    assert second.response is not None
    elb_error(second.response, 503)
    assert "LambdaThrottling" in (second.response.reason or "")
    sim.clock.run_until(START + 2000)
    assert first.response is not None and first.response.status == 200


def test_a_request_body_over_1_mb_is_a_413_and_invokes_nothing(sim: Simulator) -> None:
    resp = call(sim, "POST", "/api/x", "x" * (1024 * 1024 + 1))
    elb_error(resp, 413)
    assert records(sim, tk.INVOCATION_STARTED) == []


def test_no_rule_on_443_is_stacktapes_fixed_500(sim: Simulator) -> None:
    resp = call(sim, "GET", "/nothing")
    assert resp.status == 500
    assert (
        resp.body
        == "Internal server error. Please setup default load balancer action or appropriate rule"
    )
    assert ("content-type", "text/plain") in resp.headers
    assert resp.route is None and resp.target is None
    assert records(sim, tk.HTTP_REQUEST)[0].get("route") is None


def test_port_80_redirects_to_https_keeping_host_path_and_query(sim: Simulator) -> None:
    resp = call(sim, "GET", "/api/x?a=1", port=80, headers=[("host", "shop.example.com")])
    assert resp.status == 301
    assert ("location", "https://shop.example.com/api/x?a=1") in resp.headers
    assert resp.body == error_page(301)
    assert records(sim, tk.INVOCATION_STARTED) == []  # rules are on 443 only


@pytest.mark.parametrize(
    ("lb_props", "port", "code"),
    [
        # Stacktape refuses a listenerPort on a load balancer with only its default listeners
        # (e44), and an event without one when the load balancer has custom listeners (e46).
        ("", "listenerPort: 443, ", "e44"),
        ("    properties:\n      listeners: [{port: 443, protocol: HTTPS}]\n", "", "e46"),
    ],
)
def test_an_event_stacktape_refuses_makes_no_rule(lb_props: str, port: str, code: str) -> None:
    events = (
        "        - type: application-load-balancer\n"
        f"          properties: {{loadBalancerName: shopLb, {port}priority: 10, paths: ['/*']}}\n"
    )
    sim = make_sim(stack(lb_props=lb_props, events=events), BEHAVIORS, allow_errors=True)
    assert any(code in d.message for d in sim.stack.errors)  # what validate says
    resp = call(sim, "GET", "/x", port=443)
    assert (resp.status, resp.route) == (500, None)  # the listener's default action
    assert records(sim, tk.INVOCATION_STARTED) == []
    assert all(not lst["rules"] for lst in sim.services["load_balancers"].listing())


CUSTOM = """    properties:
      customDomains: [api.shop.com]
      listeners:
        - port: 8080
          protocol: HTTP
          defaultAction:
            type: redirect
            properties: {protocol: HTTPS, port: 8443, path: '/moved/#{path}', statusCode: HTTP_302}
        - port: 9000
          protocol: HTTP
          whitelistIps: [10.0.0.0/8]
"""
CUSTOM_EVENTS = """        - type: application-load-balancer
          properties: {loadBalancerName: shopLb, listenerPort: 9000, priority: 1, paths: ['/*']}
"""


def test_custom_listeners_their_default_actions_and_allowed_addresses() -> None:
    sim = make_sim(stack(lb_props=CUSTOM, events=CUSTOM_EVENTS), BEHAVIORS)
    with pytest.raises(SimError, match="listens on ports 8080, 9000; say which one") as info:
        call(sim, "GET", "/x")
    assert info.value.hint == "add --port PORT (one of 8080, 9000)"
    with pytest.raises(SimError, match="no listener on port 443"):
        call(sim, "GET", "/x", port=443)
    with pytest.raises(SimError, match=r"admits only 10\.0\.0\.0/8 \(whitelistIps\)") as info:
        call(sim, "GET", "/x", port=9000)
    assert info.value.hint == "send it from an admitted address with --source-ip"
    assert sim.trace.seq == 0  # refused requests leave no trace
    moved = call(sim, "GET", "/old/page?q=1", port=8080)
    assert moved.status == 302
    assert ("location", "https://api.shop.com:8443/moved/old/page?q=1") in moved.headers
    ok = call(sim, "GET", "/x", port=9000, source_ip="10.1.2.3")
    assert (ok.status, ok.route) == (201, "priority 1 on :9000")


def test_a_bad_method_or_path_is_refused_and_changes_nothing(sim: Simulator) -> None:
    with pytest.raises(SimError, match="unknown HTTP method 'FETCH'") as info:
        call(sim, "fetch", "/api/orders")
    assert info.value.hint == "one of GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS"
    with pytest.raises(SimError, match="the path must start with '/', not 'api/orders'") as info:
        call(sim, "POST", "api/orders", query=[("q", "1")])
    assert info.value.hint == "did you mean /api/orders?"
    assert sim.trace.seq == 0
    # No id was drawn either: the next request is the first request of a new session.
    first = call(make_sim(stack(), BEHAVIORS), "POST", "/api/orders")
    after = call(sim, "POST", "/api/orders")
    assert (after.request_id, after.status) == (first.request_id, 201)


CONTAINER_AND_JOB = """  web:
    type: multi-container-workload
    properties:
      resources: {cpu: 0.25, memory: 512}
      containers:
        - name: app
          packaging: {type: stacktape-image-buildpack, properties: {entryfilePath: s.ts}}
          events:
            - type: application-load-balancer
              properties: {loadBalancerName: shopLb, containerPort: 3000, priority: 50, paths: ['/*']}
  report:
    type: batch-job
    properties:
      container: {packaging: {type: prebuilt-image, properties: {image: x}}}
      resources: {cpu: 1, memory: 1024}
      events:
        - type: application-load-balancer
          properties: {loadBalancerName: shopLb, priority: 20, paths: ['/reports'], methods: [POST]}
"""


def test_a_container_rule_is_served_by_the_container() -> None:
    sim = make_sim(stack(extra=CONTAINER_AND_JOB), BEHAVIORS)
    resp = call(sim, "GET", "/home")
    assert (resp.status, resp.body, resp.target, resp.reason) == (200, "", "web", None)
    (served,) = records(sim, tk.CONTAINER_REQUEST)
    assert (served.get("container"), served.get("port"), served.get("via")) == (
        "app",
        3000,
        "shopLb",
    )
    assert resp.invocation_id == served.get("invocation_id")


def test_a_batch_job_rule_starts_an_execution() -> None:
    sim = make_sim(stack(extra=CONTAINER_AND_JOB), BEHAVIORS)
    resp = call(sim, "POST", "/reports")
    assert resp.status == 200 and resp.execution_id is not None
    assert json.loads(resp.body)["stateMachineName"].endswith(resp.execution_id)
    submitted = records(sim, tk.BATCH_SUBMITTED)[0]
    assert (submitted.get("trigger"), submitted.get("execution_id")) == (
        "application-load-balancer",
        resp.execution_id,
    )


def test_a_batch_job_rule_whose_trigger_function_fails_is_a_502() -> None:
    # 300,000 bytes of body: the trigger function's StartExecution input is over 256 KiB,
    # so the function fails and ELB answers for a failed Lambda target.
    sim = make_sim(stack(extra=CONTAINER_AND_JOB), BEHAVIORS)
    resp = call(sim, "POST", "/reports", "r" * 300_000)
    assert resp.status == 502 and resp.execution_id is None
    assert "trigger function failed: InvalidExecutionInput" in (resp.reason or "")
    assert records(sim, tk.BATCH_SUBMITTED) == []
    [failed] = records(sim, tk.BATCH_TRIGGER_FAILED, "report")
    assert failed.get("trigger") == "application-load-balancer"


def test_explain_follows_the_request_to_the_invocation(sim: Simulator) -> None:
    resp = call(sim, "GET", "/api/x")
    chain = explain(sim.trace, resp.request_id)
    kinds = [r.kind for r in chain.records]
    assert kinds[0] == tk.HTTP_REQUEST and tk.INVOCATION_STARTED in kinds
    assert kinds[-1] == tk.HTTP_RESPONSE


# -- the http command ------------------------------------------------------------------------


@pytest.fixture
def shop() -> Session:
    return Session.open(EXAMPLE, behaviors_path=EXAMPLE_BEHAVIORS, start_ms=START)


def test_http_reaches_the_load_balancer_of_a_stack_without_an_http_api(shop: Session) -> None:
    out = execute(shop, "http GET /api/orders?page=2")
    assert out.data["status"] == 200
    assert out.data["gateway"] == "mainLb" and out.data["route"] == "priority 10 on :443"
    assert json.loads(out.data["body"]) == {"path": "/api/orders", "query": {"page": "2"}}
    assert out.text.splitlines()[0] == "HTTP 200  (mainLb: priority 10 on :443 -> orders, 40 ms)"
    beta = execute(shop, "http GET /api/orders --header 'x-tenant:Beta-7'")
    assert beta.data["target"] == "betaApi"
    admin = execute(shop, "http GET /admin/stats --source-ip 10.0.4.2")
    assert admin.data["target"] == "admin"
    outside = execute(shop, "http GET /admin/stats")
    assert outside.data["target"] == "web" and outside.data["status"] == 403  # its behaviour
    none = execute(shop, "http GET /x --port 80")
    assert none.data["status"] == 301 and "no rule" in none.text.splitlines()[0]


@pytest.mark.parametrize(
    ("line", "message", "hint"),
    [
        (
            "http GET / --gateway mainlb",
            "no http-api-gateway or application-load-balancer named 'mainlb'",
            "did you mean mainLb?",
        ),
        (
            "http GET / --gateway orders",
            "'orders' is a function, not an http-api-gateway or application-load-balancer",
            "one of mainLb",
        ),
        (
            "http GET / --port 8080",
            "'mainLb' has no listener on port 8080",
            "its listeners: 80, 443",
        ),
        ("http GET / --port http", "--port must be a port number", "e.g. --port 443"),
        ("http GET / --source-ip 10.0.0", "--source-ip must be an IPv4 or IPv6 address", None),
    ],
)
def test_bad_http_input_changes_nothing(
    shop: Session, line: str, message: str, hint: str | None
) -> None:
    with pytest.raises(CommandError) as info:
        execute(shop, line)
    assert message in info.value.message
    if hint is not None:
        assert info.value.hint == hint
    assert shop.sim.trace.seq == 0


BOTH = """resources:
  api: {type: http-api-gateway}
  lb: {type: application-load-balancer}
  tcp: {type: network-load-balancer, properties: {listeners: [{port: 5432, protocol: TCP}]}}
  fn:
    type: function
    properties:
      PACKAGING
      events:
        - {type: http-api-gateway, properties: {httpApiGatewayName: api, path: /x, method: GET}}
        - {type: application-load-balancer, properties: {loadBalancerName: lb, priority: 1, paths: [/x]}}
""".replace("PACKAGING", PACKAGING)


def both(tmp_path: Path) -> Session:
    (tmp_path / "stacktape.yml").write_text(BOTH)
    return Session.open(tmp_path / "stacktape.yml", start_ms=START)


def test_with_both_kinds_the_http_api_stays_the_default_and_says_so(tmp_path: Path) -> None:
    session = both(tmp_path)
    out = execute(session, "http GET /x")
    assert out.data["gateway"] == "api"
    assert "note: sent to the HTTP API; --gateway NAME sends it to a load balancer (lb)" in out.text
    via_lb = execute(session, "http GET /x --gateway lb")
    assert via_lb.data["gateway"] == "lb" and via_lb.data["route"] == "priority 1 on :443"
    with pytest.raises(CommandError) as info:
        execute(session, "http GET /x --source-ip 10.0.0.1")
    assert (
        info.value.message == "--source-ip applies to a load balancer's requests, not an HTTP API's"
    )
    with pytest.raises(CommandError) as info:
        execute(session, "http GET /x --gateway tcp")
    assert "network-load-balancer: stptui does not simulate TCP" in info.value.message


def test_repl_completes_and_validates_load_balancers(tmp_path: Path) -> None:
    session = both(tmp_path)
    assert complete(session, "http GET /x --gateway ") == ["api", "lb"]
    assert "/x" in complete(session, "http GET ")
    assert check(session, "http GET /x --gateway lb") is None
    problem = check(session, "http GET /x --gateway lbb")
    assert problem is not None and "did you mean lb?" in problem.format()
    shown = execute(session, "show rules")
    assert shown.data[1]["rules"][0]["conditions"] == ["path-pattern /x"]


def test_show_rules_lists_rules_in_priority_order(shop: Session) -> None:
    out = execute(shop, "show rules")
    https = next(lis for lis in out.data if lis["port"] == 443)
    assert [r["priority"] for r in https["rules"]] == [5, 10, 20, 100]
    assert https["default_action"] == "fixed 500 text/plain"
    assert https["rules"][0]["conditions"] == [
        "path-pattern /api/*",
        "http-header x-tenant: beta*",
    ]


def test_same_commands_same_trace() -> None:
    lines = ["http GET /api/orders", "http POST /api/orders/1 '{}'", "http GET /nope --port 80"]
    traces = []
    for _ in range(2):
        session = Session.open(EXAMPLE, behaviors_path=EXAMPLE_BEHAVIORS, start_ms=START)
        for line in lines:
            execute(session, line)
        traces.append([r.to_json() for r in session.sim.trace.records])
    assert traces[0] == traces[1]


def test_a_network_load_balancer_is_named_as_not_simulated(tmp_path: Path) -> None:
    (tmp_path / "stacktape.yml").write_text(
        "resources:\n"
        "  tcp:\n"
        "    type: network-load-balancer\n"
        "    properties: {listeners: [{port: 5432, protocol: TCP}]}\n"
    )
    session = Session.open(tmp_path / "stacktape.yml", start_ms=START)
    with pytest.raises(CommandError) as info:
        execute(session, "http GET /")
    assert info.value.message == (
        "'tcp' is a network-load-balancer: stptui does not simulate TCP load balancing"
    )
    assert info.value.hint == "application load balancers it does: (none)"
