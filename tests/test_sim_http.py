"""HTTP APIs: AWS's route priority, the payload formats 1.0 and 2.0, the response rules
(inferred 200, 500 on errors and malformed responses, 503 after 30 s) and the `http` command
(reference aws-semantics §8, stacktape-config §2.7)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from stptui.commands import CommandError, Session, execute
from stptui.sim import trace as tk
from stptui.sim.engine import SimError, Simulator
from stptui.sim.services.http import HttpApi, Route, interpret, request_time
from tests.simkit import START, capture_inputs, make_sim, records

# -- route priority --------------------------------------------------------------------------


def api(*routes: tuple[str, str, str]) -> HttpApi:
    """A gateway whose routes are (method, path, target), in this order."""
    gw = HttpApi("api", "abc123.execute-api.us-east-1.amazonaws.com", "2.0")
    gw.routes = [Route("api", m, p, t, "function", "2.0") for m, p, t in routes]
    return gw


PETS = api(
    ("ANY", "/{proxy+}", "greedyRoot"),
    ("GET", "/pets/{proxy+}", "greedyPets"),
    ("ANY", "/pets/{kind}/{id}", "anyMethod"),
    ("GET", "/pets/{kind}/{id}", "anyPet"),
    ("GET", "/pets/dog/{id}", "dogById"),
    ("GET", "/pets/dog/1", "static"),
    ("POST", "/pets/cat/{id}", "catPost"),
    ("GET", "/pets/{kind}/1", "kindOne"),
    ("ANY", "/orders", "ordersAny"),
    ("GET", "/orders", "ordersGet"),
    ("GET", "/", "root"),
    ("ANY", "$default", "fallback"),
)


@pytest.mark.parametrize(
    ("method", "path", "target", "params"),
    [
        ("GET", "/pets/dog/1", "static", {}),  # all static beats everything
        ("GET", "/pets/dog/2", "dogById", {"id": "2"}),
        ("GET", "/pets/cat/1", "kindOne", {"kind": "cat"}),  # static 3rd segment wins
        ("GET", "/pets/cat/2", "anyPet", {"kind": "cat", "id": "2"}),  # exact method > ANY
        ("DELETE", "/pets/cat/2", "anyMethod", {"kind": "cat", "id": "2"}),
        ("POST", "/pets/cat/2", "catPost", {"id": "2"}),
        ("GET", "/pets/dog/a%20b", "dogById", {"id": "a b"}),  # parameters are URL-decoded
        ("GET", "/pets/dog/1/photos", "greedyPets", {"proxy": "dog/1/photos"}),
        ("POST", "/pets/dog/1/photos", "greedyRoot", {"proxy": "pets/dog/1/photos"}),
        ("GET", "/pets", "greedyRoot", {"proxy": "pets"}),  # /pets/{proxy+} needs a segment
        ("GET", "/orders", "ordersGet", {}),
        ("PUT", "/orders", "ordersAny", {}),
        ("GET", "/", "root", {}),
        ("POST", "/", "greedyRoot", {"proxy": ""}),  # the root's slash is /{proxy+}'s
    ],
)
def test_route_priority(method: str, path: str, target: str, params: dict[str, str]) -> None:
    selected = PETS.select(method, path)
    assert selected is not None
    route, got = selected
    assert (route.target, got) == (target, params)


def test_static_beats_variable_at_the_first_segment_where_routes_differ() -> None:
    gw = api(("GET", "/pets/{kind}/1", "kindOne"), ("GET", "/pets/dog/{id}", "dogById"))
    assert gw.select("GET", "/pets/dog/1")[0].target == "dogById"  # type: ignore[index]


def test_the_longer_static_prefix_wins_among_greedy_routes() -> None:
    gw = api(("GET", "/{proxy+}", "root"), ("GET", "/a/{proxy+}", "a"), ("GET", "/a/b/{x+}", "ab"))
    assert gw.select("GET", "/a/b/c")[0].target == "ab"  # type: ignore[index]
    assert gw.select("GET", "/a/c")[0].target == "a"  # type: ignore[index]
    assert gw.select("GET", "/c")[0].target == "root"  # type: ignore[index]


def test_among_greedy_routes_the_path_decides_before_the_method() -> None:
    # "ANY" matches the methods not defined "for a resource": a GET route of a shorter
    # greedy path is another resource, so the longer path's ANY route takes a GET under it.
    gw = api(("GET", "/{proxy+}", "root"), ("ANY", "/x/{proxy+}", "x"), ("GET", "/x/y", "xy"))
    assert gw.select("GET", "/x/z")[0].target == "x"  # type: ignore[index]
    assert gw.select("GET", "/x/y")[0].target == "xy"  # type: ignore[index]
    assert gw.select("POST", "/x/y")[0].target == "x"  # type: ignore[index]
    assert gw.select("GET", "/y/x")[0].target == "root"  # type: ignore[index]
    assert gw.select("POST", "/y/x") is None


def test_no_route_and_no_default_is_none() -> None:
    gw = api(("GET", "/pets/{id}", "pet"))
    assert gw.select("GET", "/pets") is None
    assert gw.select("GET", "/pets/1/2") is None
    assert gw.select("POST", "/pets/1") is None
    assert gw.select("GET", "/pets/") is None  # an empty segment is no {id}


def test_route_keys() -> None:
    assert Route("a", "ANY", "/x/{proxy+}", "f", "function", "2.0").key == "ANY /x/{proxy+}"
    assert Route("a", "ANY", "$default", "f", "function", "2.0").key == "$default"


# -- a stack with routes ---------------------------------------------------------------------

PKG = "packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: f.ts}}"


def fn(name: str, *routes: dict[str, Any], timeout: int = 10, extra: str = "") -> str:
    lines = [f"  {name}:", "    type: function", "    properties:", f"      {PKG}"]
    lines.append(f"      timeout: {timeout}")
    if extra:
        lines.append(extra)
    lines.append("      events:")
    for props in routes:
        lines.append(f"        - {json.dumps({'type': 'http-api-gateway', 'properties': props})}")
    return "\n".join(lines) + "\n"


def route(gateway: str, method: str, path: str, fmt: str | None = None) -> dict[str, Any]:
    props = {"httpApiGatewayName": gateway, "method": method, "path": path}
    if fmt:
        props["payloadFormat"] = fmt
    return props


JOB_ROUTE = route("api2", "POST", "/jobs")
STACK = (
    "resources:\n"
    "  api: {type: http-api-gateway}\n"
    "  api2:\n"
    "    type: http-api-gateway\n"
    "    properties: {payloadFormat: '2.0'}\n"
    + fn(
        "items",
        route("api", "POST", "/items/{id}", "2.0"),
        route("api", "GET", "/files/{proxy+}", "2.0"),
    )
    + fn("legacy", route("api", "*", "/legacy/{name}"))
    + fn("bare", route("api", "GET", "/bare"))
    + fn("inferred", route("api2", "GET", "/infer"))
    + fn("text", route("api2", "GET", "/text"))
    + fn("cookies", route("api2", "GET", "/cookie"))
    + fn("broken", route("api2", "GET", "/broken"))
    + fn("slow", route("api2", "GET", "/slow"), timeout=60, extra="      reservedConcurrency: 1")
    + fn("exact", route("api2", "GET", "/exact"), timeout=60)
    + "  report:\n"
    "    type: batch-job\n"
    "    properties:\n"
    "      container: {packaging: {type: prebuilt-image, properties: {image: x}}}\n"
    "      resources: {cpu: 1, memory: 1024}\n"
    "      events:\n"
    f"        - {json.dumps({'type': 'http-api-gateway', 'properties': JOB_ROUTE})}\n"
)

BEHAVIORS = """
behaviors:
  items: {response: "{seen: rawPath}"}
  legacy:
    response: >-
      {statusCode: `201`, headers: {"x-a": 'b'}, multiValueHeaders: {"x-m": ['1', '2']},
       body: 'made'}
  inferred: {response: "{ok: `true`}"}
  text: {response: "'plain words'"}
  cookies: {response: "{statusCode: `200`, cookies: ['a=1', 'b=2'], body: 'c'}"}
  broken: {fail: {always: true, error: Boom}}
  slow: {duration: 45s, response: "{statusCode: `200`, body: 'late'}"}
  exact: {duration: 30s, response: "{statusCode: `200`, body: 'just in time'}"}
"""


@pytest.fixture
def sim() -> Simulator:
    return make_sim(STACK, BEHAVIORS)


def capture(sim: Simulator) -> list[dict[str, Any]]:
    """Every event a handler receives, as it sees it."""
    return capture_inputs(sim, lambda inp: inp.event())


def call(sim: Simulator, method: str, path: str, body: str | None = None, **kw: Any) -> Any:
    return sim.services["http"].call(method, path, body, **kw)


def test_payload_format_2_0(sim: Simulator) -> None:
    seen = capture(sim)
    resp = call(
        sim,
        "POST",
        "/items/42?a=1&a=2",
        '{"n": 1}',
        headers=[
            ("x-multi", "a"),
            ("x-multi", "b"),
            ("cookie", "s=1; t=2"),
            ("content-type", "application/json"),
        ],
        query=[("b", "x y")],
        gateway="api",
    )
    [event] = seen
    assert list(event) == [
        "version",
        "routeKey",
        "rawPath",
        "rawQueryString",
        "cookies",
        "headers",
        "queryStringParameters",
        "requestContext",
        "body",
        "pathParameters",
        "isBase64Encoded",
    ]
    assert event["version"] == "2.0"
    assert event["routeKey"] == "POST /items/{id}"
    assert event["rawPath"] == "/items/42"
    assert event["rawQueryString"] == "a=1&a=2&b=x+y"
    assert event["cookies"] == ["s=1", "t=2"]
    headers = event["headers"]
    assert headers["x-multi"] == "a,b"  # duplicates comma-joined
    assert "cookie" not in headers
    assert headers["content-type"] == "application/json"
    assert all(name == name.lower() for name in headers)
    assert headers["host"] == sim.services["http"].apis["api"].domain
    assert event["queryStringParameters"] == {"a": "1,2", "b": "x y"}
    assert event["pathParameters"] == {"id": "42"}
    assert event["body"] == '{"n": 1}'
    assert event["isBase64Encoded"] is False
    ctx = event["requestContext"]
    assert list(ctx) == [
        "accountId",
        "apiId",
        "domainName",
        "domainPrefix",
        "http",
        "requestId",
        "routeKey",
        "stage",
        "time",
        "timeEpoch",
    ]
    assert ctx["stage"] == "$default"
    assert ctx["routeKey"] == "POST /items/{id}"
    assert ctx["domainName"] == f"{ctx['apiId']}.execute-api.{sim.region}.amazonaws.com"
    assert ctx["http"] == {
        "method": "POST",
        "path": "/items/42",
        "protocol": "HTTP/1.1",
        "sourceIp": ctx["http"]["sourceIp"],
        "userAgent": "stptui",
    }
    assert ctx["time"] == "05/Jan/2026:08:00:00 +0000"
    assert ctx["timeEpoch"] == START
    assert ctx["requestId"] == resp.request_id
    # 2.0 without statusCode: 200, JSON, the result as the body.
    assert (resp.status, resp.body) == (200, '{"seen":"/items/42"}')
    assert ("content-type", "application/json") in resp.headers


def test_payload_format_2_0_leaves_out_empty_parts_and_fills_greedy_parameters(
    sim: Simulator,
) -> None:
    seen = capture(sim)
    call(sim, "GET", "/files/a/b%20c.txt", gateway="api")
    [event] = seen
    assert event["pathParameters"] == {"proxy": "a/b c.txt"}
    assert event["rawQueryString"] == ""
    for absent in ("cookies", "queryStringParameters", "body"):
        assert absent not in event


def test_the_path_arrives_url_decoded(sim: Simulator) -> None:
    # HTTP APIs decode the path before the integration sees it, in rawPath (2.0) and path
    # (1.0) alike (hono#2156, middleapi/standard-server#93). The query string stays as it
    # was sent.
    seen = capture(sim)
    call(sim, "GET", "/files/a%40b/c%20d.txt?q=x%20y+z", gateway="api")
    call(sim, "DELETE", "/legacy/caf%C3%A9", gateway="api")
    v2, v1 = seen
    assert v2["rawPath"] == "/files/a@b/c d.txt"
    assert v2["requestContext"]["http"]["path"] == v2["rawPath"]
    assert v2["pathParameters"] == {"proxy": "a@b/c d.txt"}
    assert v2["rawQueryString"] == "q=x%20y+z"
    assert v2["queryStringParameters"] == {"q": "x y z"}
    assert v1["path"] == v1["requestContext"]["path"] == "/legacy/café"
    assert v1["pathParameters"] == {"name": "café"}


# What an HTTP API ($default route, payload 2.0) handed its function for each path sent,
# captured on AWS on July 10, 2026 (hotsock/voker `vokerhttp/testdata/ingress-paths.json`,
# sent with the query `marker=path-probe&value=a%3Fb%25c%23d&repeat=one&repeat=two`).
CAPTURED_PATHS = [
    ("/capture/plain", "/capture/plain"),
    ("/capture/space%20value", "/capture/space value"),
    ("/capture/question%3Fvalue", "/capture/question"),
    ("/capture/hash%23value", "/capture/hash#value"),
    ("/capture/slash%2Fvalue", "/capture/slash/value"),
    ("/capture/unicode-%CE%BB-%E4%B8%96%E7%95%8C", "/capture/unicode-λ-世界"),
    ("/capture/literal%252Fvalue", "/capture/literal/value"),
    ("/capture/literal%253Fvalue", "/capture/literal?value"),
    ("/capture/literal%2525value", "/capture/literal%value"),
]
PROBE_QUERY = "marker=path-probe&value=a%3Fb%25c%23d&repeat=one&repeat=two"
# The probe's API: one `$default` route (Stacktape's `path: '*'`), payload format 2.0.
PROBE_STACK = (
    "resources:\n"
    "  probe:\n"
    "    type: http-api-gateway\n"
    "    properties: {payloadFormat: '2.0'}\n" + fn("echo", route("probe", "*", "*"))
)


@pytest.mark.parametrize(("sent", "handed"), CAPTURED_PATHS)
def test_the_path_is_cut_at_a_decoded_question_mark_and_decoded_twice(
    sent: str, handed: str
) -> None:
    sim = make_sim(PROBE_STACK)
    seen = capture(sim)
    resp = call(sim, "GET", f"{sent}?{PROBE_QUERY}")
    assert resp.status == 200 and resp.route == "$default"
    [event] = seen
    assert (event["rawPath"], event["requestContext"]["http"]["path"]) == (handed, handed)
    # The query is the one sent: what followed the decoded `?` is not added to it.
    assert event["rawQueryString"] == PROBE_QUERY
    assert event["queryStringParameters"]["value"] == "a?b%c#d"


def test_routes_match_the_path_up_to_its_decoded_question_mark(sim: Simulator) -> None:
    seen = capture(sim)
    assert call(sim, "DELETE", "/legacy/caf%C3%A9%3Fx=1", gateway="api").status == 201
    assert seen[0]["path"] == "/legacy/café"
    assert seen[0]["pathParameters"] == {"name": "café"}
    # What followed the `?` is not a segment: `GET /bare` takes `/bare%3F/more`.
    assert call(sim, "GET", "/bare%3F/more", gateway="api").route == "GET /bare"


def test_a_path_the_gateway_cannot_decode_twice_is_a_400(sim: Simulator) -> None:
    # AWS refused `/capture/percent%25done` with a 400 (the same capture): decoded once it
    # is `/capture/percent%done`, whose `%do` escapes nothing. A `%` that escapes nothing as
    # sent is refused the same way (a choice: no capture shows one).
    for sent in ("/files/percent%25done", "/files/a%zz/b", "/files/b%"):
        resp = call(sim, "GET", sent, gateway="api")
        assert (resp.status, resp.body, resp.route) == (400, '{"message":"Bad Request"}', None)
        assert ("content-type", "application/json") in resp.headers
        assert "escapes nothing" in resp.reason
    assert not records(sim, tk.INVOCATION_STARTED)
    # An escape that is not UTF-8 is decoded to U+FFFD (a choice) and routed.
    seen = capture(sim)
    assert call(sim, "GET", "/files/caf%E9", gateway="api").status == 200
    assert seen[0]["rawPath"] == "/files/caf\ufffd"


@pytest.mark.parametrize(
    ("content_type", "binary"),
    [
        ("application/json", False),
        ("application/json; charset=utf-8", False),
        ("Text/CSV", False),
        ("application/xml", False),
        ("application/javascript", False),
        ("application/octet-stream", True),
        ("application/x-www-form-urlencoded", True),
        ("image/png", True),
        ("application/vnd.api+json", True),
    ],
)
def test_a_body_is_base64_encoded_unless_its_content_type_is_text(
    sim: Simulator, content_type: str, binary: bool
) -> None:
    # HTTP APIs pass text/*, application/json, application/xml and application/javascript
    # bodies as text and base64-encode every other (ministack#766, verified against AWS;
    # floci#2172; aws-samples/php-examples-for-aws-lambda#34), in both payload formats.
    seen = capture(sim)
    headers = [("content-type", content_type)]
    call(sim, "POST", "/items/1", "a=1&b=é", headers=headers, gateway="api")
    call(sim, "POST", "/legacy/x", "a=1&b=é", headers=headers, gateway="api")
    for event in seen:
        assert event["isBase64Encoded"] is binary
        assert event["body"] == ("YT0xJmI9w6k=" if binary else "a=1&b=é")


def test_the_stand_in_client_labels_a_body_it_sends_without_a_content_type(
    sim: Simulator,
) -> None:
    seen = capture(sim)
    call(sim, "POST", "/items/1", '{"n": 1}', gateway="api")
    call(sim, "POST", "/items/2", "plain words", gateway="api")
    call(sim, "GET", "/files/x", gateway="api")
    json_body, text_body, no_body = seen
    assert json_body["headers"]["content-type"] == "application/json"
    assert json_body["body"] == '{"n": 1}' and json_body["isBase64Encoded"] is False
    assert text_body["headers"]["content-type"] == "text/plain; charset=utf-8"
    assert text_body["isBase64Encoded"] is False
    assert "content-type" not in no_body["headers"]


def test_payload_format_1_0(sim: Simulator) -> None:
    seen = capture(sim)
    resp = call(
        sim,
        "DELETE",
        "/legacy/x?q=1&q=2",
        headers=[("X-Multi", "a"), ("x-multi", "b")],
        gateway="api",
    )
    [event] = seen
    assert list(event) == [
        "version",
        "resource",
        "path",
        "httpMethod",
        "headers",
        "multiValueHeaders",
        "queryStringParameters",
        "multiValueQueryStringParameters",
        "requestContext",
        "pathParameters",
        "stageVariables",
        "body",
        "isBase64Encoded",
    ]
    assert event["version"] == "1.0"
    assert event["resource"] == "/legacy/{name}"
    assert event["path"] == "/legacy/x"
    assert event["httpMethod"] == "DELETE"
    # One header whatever the case, spelt as it first came: the last value, then all.
    assert event["headers"]["X-Multi"] == "b"
    assert event["multiValueHeaders"]["X-Multi"] == ["a", "b"]
    assert event["queryStringParameters"] == {"q": "2"}
    assert event["multiValueQueryStringParameters"] == {"q": ["1", "2"]}
    assert event["pathParameters"] == {"name": "x"}
    assert event["stageVariables"] is None
    assert event["body"] is None
    ctx = event["requestContext"]
    assert ctx["httpMethod"] == "DELETE" and ctx["stage"] == "$default"
    assert ctx["resourcePath"] == "/legacy/{name}"
    assert ctx["identity"]["sourceIp"] and ctx["identity"]["userAgent"] == "stptui"
    assert ctx["requestTimeEpoch"] == START
    # A 1.0 response is used as given, multiValueHeaders included.
    assert resp.status == 201 and resp.body == "made"
    assert [h for h in resp.headers if h[0].startswith("x-")] == [
        ("x-a", "b"),
        ("x-m", "1"),
        ("x-m", "2"),
    ]


def test_payload_1_0_without_query_or_parameters_has_nulls(sim: Simulator) -> None:
    seen = capture(sim)
    call(sim, "GET", "/bare", gateway="api")
    event = seen[0]
    assert event["queryStringParameters"] is None
    assert event["multiValueQueryStringParameters"] is None
    assert event["pathParameters"] is None


def test_the_effective_payload_format(sim: Simulator) -> None:
    formats = {r["route"]: r["payload_format"] for r in sim.services["http"].listing()}
    assert formats["POST /items/{id}"] == "2.0"  # the event's own
    assert formats["ANY /legacy/{name}"] == "1.0"  # Stacktape's default
    assert formats["GET /infer"] == "2.0"  # the gateway's


# -- responses -------------------------------------------------------------------------------


def test_format_1_0_does_not_infer_a_response(sim: Simulator) -> None:
    resp = call(sim, "GET", "/bare", gateway="api")
    assert (resp.status, resp.body) == (500, '{"message":"Internal Server Error"}')
    assert "payload format 1.0 needs an object with statusCode" in resp.reason


def test_format_2_0_infers_200_json(sim: Simulator) -> None:
    resp = call(sim, "GET", "/infer", gateway="api2")
    assert (resp.status, resp.body, resp.reason) == (200, '{"ok":true}', None)
    resp = call(sim, "GET", "/text", gateway="api2")
    assert (resp.status, resp.body) == (200, "plain words")
    resp = call(sim, "GET", "/cookie", gateway="api2")
    assert [v for n, v in resp.headers if n == "set-cookie"] == ["a=1", "b=2"]


def test_a_handler_error_is_a_500(sim: Simulator) -> None:
    resp = call(sim, "GET", "/broken", gateway="api2")
    assert (resp.status, resp.body) == (500, '{"message":"Internal Server Error"}')
    # Lambda's errorType and errorMessage, as `explain` and the `http` line show it.
    assert resp.reason == "the function failed: Boom: simulated failure (always)"
    assert resp.latency_ms == 100


def test_a_handler_that_times_out_before_30_s_is_a_500_at_its_timeout() -> None:
    # Lambda answers the timeout (FunctionError Unhandled) before the gateway's 30 s: the
    # client gets the 500 of any failed integration, at the function's 10 s timeout.
    sim = make_sim(
        STACK, BEHAVIORS.replace("{fail: {always: true, error: Boom}}", "{timeout: true}")
    )
    resp = call(sim, "GET", "/broken", gateway="api2")
    assert (resp.status, resp.body) == (500, '{"message":"Internal Server Error"}')
    assert resp.reason == (
        "the function timed out: Sandbox.Timedout: Task timed out after 10.00 seconds"
    )
    assert resp.latency_ms == 10_000


def test_a_handler_slower_than_30_s_is_a_503_at_30_s(sim: Simulator) -> None:
    resp = call(sim, "GET", "/slow", gateway="api2")
    assert (resp.status, resp.body) == (503, '{"message":"Service Unavailable"}')
    assert resp.latency_ms == 30_000 and sim.clock.now == START + 30_000
    # The invocation itself goes on and succeeds at 45 s.
    assert sim.function_stats("slow")["running"] == 1
    sim.run(60_000)
    [done] = records(sim, tk.INVOCATION_SUCCEEDED, "slow")
    assert done.t == START + 45_000
    assert [r.get("status") for r in records(sim, tk.HTTP_RESPONSE)] == [503]


def test_a_handler_answering_at_exactly_30_s_is_in_time(sim: Simulator) -> None:
    resp = call(sim, "GET", "/exact", gateway="api2")
    assert (resp.status, resp.body, resp.latency_ms) == (200, "just in time", 30_000)
    assert sim.clock.agenda() == []  # the 30 s timer was cancelled


def test_a_throttled_function_is_a_500(sim: Simulator) -> None:
    call(sim, "GET", "/slow", gateway="api2")  # 503 at 30 s; still running until 45 s
    resp = call(sim, "GET", "/slow", gateway="api2")
    assert resp.status == 500 and "TooManyRequestsException" in resp.reason
    assert len(records(sim, tk.INVOCATION_THROTTLED, "slow")) == 1


def test_an_event_over_lambdas_6_mb_is_a_500_without_an_invocation(sim: Simulator) -> None:
    body = "x" * (6 * 1024 * 1024)  # the body alone fits the HTTP API's 10 MB, the event not
    resp = call(sim, "GET", "/text", body, gateway="api2")
    assert (resp.status, resp.body) == (500, '{"message":"Internal Server Error"}')
    assert "RequestEntityTooLargeException" in resp.reason
    assert not records(sim, tk.INVOCATION_STARTED)
    assert call(sim, "GET", "/text", "x" * 1000, gateway="api2").status == 200


def test_no_route_is_a_404(sim: Simulator) -> None:
    resp = call(sim, "GET", "/nowhere", gateway="api2")
    assert (resp.status, resp.body, resp.route) == (404, '{"message":"Not Found"}', None)
    [request] = records(sim, tk.HTTP_REQUEST)
    assert request.get("route") is None and request.get("target") is None


def test_trace_records(sim: Simulator) -> None:
    resp = call(sim, "GET", "/infer", gateway="api2")
    [request] = records(sim, tk.HTTP_REQUEST)
    [response] = records(sim, tk.HTTP_RESPONSE)
    assert request.resource == "api2"
    assert request.data == {
        "request_id": resp.request_id,
        "gateway": "api2",
        "method": "GET",
        "path": "/infer",
        "route": "GET /infer",
        "target": "inferred",
    }
    invocation = records(sim, tk.INVOCATION_STARTED, "inferred")[0].get("invocation_id")
    # The response repeats its request's line, as an access log line does.
    assert response.data == {
        "request_id": resp.request_id,
        "method": "GET",
        "path": "/infer",
        "route": "GET /infer",
        "status": 200,
        "latency_ms": 100,
        "invocation_id": invocation,
    }
    header = dict(resp.headers)
    assert header["apigw-requestid"] == resp.request_id
    assert header["content-length"] == str(len(resp.body))
    assert header["date"] == "Mon, 05 Jan 2026 08:00:00 GMT"


def test_a_batch_job_route_starts_an_execution_and_answers_200_at_once(sim: Simulator) -> None:
    resp = call(sim, "POST", "/jobs", '{"day": 5}', gateway="api2")
    assert resp.status == 200 and resp.latency_ms == 0
    body = json.loads(resp.body)
    eid = resp.execution_id
    # The helper's STATE_MACHINE_NAME is the state machine's (`{stack}-{job}-batch-state-
    # machine`); the execution is named `kebabCase(`${job}-${stack}`).slice(0, 40)` + id.
    assert body == {
        "message": "Successfully started batch job state machine with name "
        f"app-dev-report-batch-state-machine-{eid}",
        "stateMachineName": f"report-app-dev-{eid}",
        "stateMachineExecutionArn": "arn:aws:states:us-east-1:123456789012:execution:"
        f"app-dev-report-batch-state-machine:report-app-dev-{eid}",
    }
    # The helper answers `headers: {}`, so the HTTP API labels the body as it labels any
    # result with statusCode and no content-type (see docs/fidelity.md, HTTP API).
    assert dict(resp.headers)["content-type"] == "text/plain; charset=utf-8"
    [submitted] = records(sim, tk.BATCH_SUBMITTED, "report")
    assert submitted.get("trigger") == "http-api-gateway"
    assert submitted.get("execution_id") == resp.execution_id
    env = records(sim, tk.BATCH_ATTEMPT_STARTED)[0].get("env")
    assert json.loads(env["STP_TRIGGER_EVENT_DATA"])["body"] == '{"day": 5}'


@pytest.mark.parametrize(
    ("result", "fmt", "status", "why"),
    [
        ({"statusCode": "204"}, "1.0", 204, None),  # a numeric string is read as a number
        # ... in payload 2.0 too, as the SAM CLI reads it (docs/fidelity.md, HTTP API).
        ({"statusCode": "201", "body": "made"}, "2.0", 201, None),
        ({"statusCode": " 201"}, "2.0", 500, "statusCode must be an HTTP status"),
        ({"statusCode": "201.0"}, "2.0", 500, "statusCode must be an HTTP status"),
        ({"statusCode": "abc"}, "2.0", 500, "statusCode must be an HTTP status"),
        ({"statusCode": 700}, "2.0", 500, "statusCode must be an HTTP status"),
        # AWS answered statusCode 0 with its 500 in both formats (aws/aws-lambda-dotnet,
        # LambdaTestTool-v2 `V1_HandlesZeroStatusCode`, `V2_HandlesZeroStatusCode`).
        ({"statusCode": 0, "body": "{}"}, "2.0", 500, "statusCode must be an HTTP status"),
        ({"statusCode": 0, "body": "{}"}, "1.0", 500, "statusCode must be an HTTP status"),
        ({"statusCode": 200, "body": {"a": 1}}, "2.0", 500, "body must be a string"),
        ({"statusCode": 200, "headers": ["x"]}, "1.0", 500, "headers must be an object"),
        ({"statusCode": 200, "body": "aGk=", "isBase64Encoded": True}, "2.0", 200, None),
        ({"statusCode": 200, "body": "!!", "isBase64Encoded": True}, "2.0", 500, "not base64"),
        (None, "2.0", 200, None),
        (None, "1.0", 500, "needs an object with statusCode"),
        ("text", "1.0", 500, "needs an object with statusCode"),
    ],
)
def test_response_interpretation(result: Any, fmt: str, status: int, why: str | None) -> None:
    got_status, _, body, reason = interpret(fmt, result)
    assert got_status == status
    if why is None:
        assert reason is None
    else:
        assert why in reason  # type: ignore[operator]
    if result is None and fmt == "2.0":
        assert body == "null"
    if isinstance(result, dict) and result.get("isBase64Encoded") and status == 200:
        assert body == "hi"


def test_request_time_is_locale_independent() -> None:
    assert request_time(1_583_348_638_390) == "04/Mar/2020:19:03:58 +0000"


def test_gateway_selection(sim: Simulator) -> None:
    with pytest.raises(SimError, match="2 HTTP API gateways") as info:
        call(sim, "GET", "/infer")
    # The gateway whose route takes the request is named (api has none for it).
    assert info.value.hint == "GET /infer is a route of api2: add --gateway api2"
    with pytest.raises(SimError, match="no http-api-gateway named 'ap3'") as info:
        call(sim, "GET", "/infer", gateway="ap3")
    assert info.value.hint == "did you mean api?"
    # a resource of another kind is named as what it is, not "no gateway named"
    other = next(n for n, r in sim.stack.resources.items() if r.type != "http-api-gateway")
    with pytest.raises(SimError, match=f"'{other}' is an? [a-z-]+, not an http-api-gateway"):
        call(sim, "GET", "/infer", gateway=other)
    with pytest.raises(SimError, match="unknown HTTP method"):
        call(sim, "FETCH", "/infer", gateway="api2")
    with pytest.raises(SimError, match="must start with '/'") as info:
        call(sim, "GET", "infer", gateway="api2")
    # The same path with its slash; a word that is no path gets an example.
    assert info.value.hint == "did you mean /infer?"
    with pytest.raises(SimError, match="must start with '/'") as info:
        call(sim, "GET", "ftp://host/infer", gateway="api2")
    assert info.value.hint == "e.g. /webhooks/github"
    assert sim.trace.seq == 0


def test_another_kind_of_api_is_named_as_such() -> None:
    sim = make_sim(
        "resources:\n  api: {type: http-api-gateway}\n  realtime: {type: websocket-api-gateway}\n"
        "  graph: {type: appsync-api, properties: {authentication: {type: aws-iam}}}\n"
    )
    with pytest.raises(SimError, match="'realtime' is a websocket-api-gateway") as info:
        call(sim, "GET", "/", gateway="realtime")
    assert info.value.hint == "`ws-connect realtime` connects a client to it; HTTP APIs: api"
    with pytest.raises(SimError, match="'graph' is an appsync-api") as info:
        call(sim, "GET", "/", gateway="graph")
    assert info.value.hint == "stptui does not simulate appsync-apis; gateways it does: api"


# -- the command -----------------------------------------------------------------------------


@pytest.fixture
def session(tmp_path: Path) -> Session:
    (tmp_path / "stacktape.yml").write_text(STACK)
    (tmp_path / "stptui.yml").write_text(BEHAVIORS)
    return Session.open(tmp_path, start_ms=START)


def test_the_http_command_prints_status_headers_and_body(session: Session) -> None:
    out = execute(session, "http get /legacy/x --gateway api --header 'X-Test: 1' --query a=b")
    lines = out.text.splitlines()
    assert lines[0] == "HTTP 201  (api: ANY /legacy/{name} -> legacy, 100 ms)"
    assert "x-a: b" in lines and "" in lines
    assert lines[-2:] == ["made", "now 2026-01-05T08:00:00.100Z (+100 ms)"]
    assert out.data["status"] == 201 and out.data["target"] == "legacy"
    out = execute(session, "http GET /bare --gateway api")
    assert out.text.splitlines()[1].startswith("gateway: malformed Lambda response")
    assert session.log[-1] == "http GET /bare --gateway api"
    routes = execute(session, "show routes")
    assert ["api", "POST /items/{id}", "items (function)", "2.0"] in routes.table[1]  # type: ignore[index]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("http GET /infer", "2 HTTP API gateways"),
        ("http GET /infer --gateway api2 --header nocolon", "--header needs NAME:VALUE"),
        ("http GET /infer --gateway api2 --header 'bad name:1'", "--header needs NAME:VALUE"),
        ("http GET /infer --gateway api2 --query novalue", "--query needs NAME=VALUE"),
        ("http BREW /infer --gateway api2", "unknown HTTP method 'BREW'"),
    ],
)
def test_bad_http_commands_fail_and_change_nothing(
    session: Session, line: str, message: str
) -> None:
    before = (session.sim.trace.seq, session.sim.clock.now, list(session.log))
    with pytest.raises(CommandError, match=re.escape(message)):
        execute(session, line)
    assert (session.sim.trace.seq, session.sim.clock.now, list(session.log)) == before


def test_a_request_to_one_of_several_gateways_names_those_whose_route_takes_it() -> None:
    # A stack of many services (a monorepo's) has a gateway each, most with a `{proxy+}`
    # route; the refusal listed every gateway, the one that has `POST /orders` among them.
    fn = "packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}"
    routes = {
        "ordersApi": ("POST", "/orders"),
        "postsApi": ("GET", "/posts"),
        "blogApi": ("GET", "/posts"),
        "siteApi": ("*", "/{proxy+}"),
    }
    text = "resources:\n" + "".join(
        f"  {gw}: {{type: http-api-gateway}}\n"
        f"  {gw}Fn:\n    type: function\n    properties:\n      {fn}\n"
        "      events:\n        - type: http-api-gateway\n"
        f"          properties: {{httpApiGatewayName: {gw}, method: '{m}', path: '{p}'}}\n"
        for gw, (m, p) in routes.items()
    )
    sim = make_sim(text)
    http = sim.services["http"]
    refusals = {}
    for method, path in (("post", "/orders"), ("GET", "/posts?page=2"), ("GET", "/about")):
        with pytest.raises(SimError) as info:
            http.call(method, path)
        assert str(info.value) == "this stack has 4 HTTP API gateways; say which one"
        refusals[path] = info.value.hint
    assert refusals == {
        "/orders": "POST /orders is a route of ordersApi: add --gateway ordersApi",
        "/posts?page=2": "GET /posts is a route of postsApi, blogApi: add --gateway postsApi",
        # Only a greedy route takes it: every gateway, as before.
        "/about": "add --gateway NAME (one of ordersApi, postsApi, blogApi, siteApi)",
    }
    assert sim.trace.seq == 0  # refused before anything happened
