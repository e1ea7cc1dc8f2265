"""HTTP API route selection and the request body, audited against what users of
serverless-offline and LocalStack find differs from AWS (API Gateway developer guide, "Working
with routes for HTTP APIs"; the captured events docs/fidelity.md cites): trailing and double
slashes, case, encoded `{param}` values, a greedy variable with nothing after its slash, HEAD
and OPTIONS without routes, a method no route takes and the 404's reason for a near miss; an
empty body, the query as a live capture decodes it, and a malformed response."""

from __future__ import annotations

from typing import Any

import pytest

from stptui.sim.engine import Simulator
from tests.simkit import capture_inputs, http_route_function, make_sim

STACK = (
    "resources:\n"
    "  api: {type: http-api-gateway}\n"
    "  v1: {type: http-api-gateway}\n"
    + http_route_function("pets", "api", "GET", "/pets", "2.0")
    + http_route_function("pet", "api", "GET", "/pets/{id}", "2.0")
    + http_route_function("files", "api", "*", "/files/{proxy+}", "2.0")
    + http_route_function("create", "api", "POST", "/orders", "2.0")
    + http_route_function("files1", "v1", "*", "/handler/{proxy+}", "1.0")
    + http_route_function("badStatus", "api", "GET", "/bad/status", "2.0")
    + http_route_function("badBody", "api", "GET", "/bad/body", "2.0")
)
BEHAVIORS = """
behaviors:
  files1: {response: "{statusCode: `200`, body: 'ok'}"}
  badStatus: {response: "{statusCode: 'OK', body: 'fine'}"}
  badBody: {response: "{statusCode: `200`, body: {a: `1`}}"}
"""


@pytest.fixture
def sim() -> Simulator:
    return make_sim(STACK, BEHAVIORS)


def send(
    sim: Simulator, method: str, path: str, body: str | None = None, gateway: str = "api"
) -> tuple[Any, dict[str, Any] | None]:
    """The response and the event the function received (None when none ran)."""
    seen = capture_inputs(sim, lambda inp: inp.event())
    resp = sim.services["http"].call(method, path, body, gateway=gateway)
    return resp, seen[0] if seen else None


# -- paths -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/pets/",  # a trailing slash is another path
        "//pets",  # so is a doubled slash: an empty first segment
        "/Pets",  # paths are case-sensitive
        "/PETS",
    ],
)
def test_a_path_that_differs_from_the_route_by_a_slash_or_case_is_a_404(
    sim: Simulator, path: str
) -> None:
    resp, event = send(sim, "GET", path)
    assert (resp.status, resp.body, resp.route, event) == (
        404,
        '{"message":"Not Found"}',
        None,
        None,
    )


def test_an_encoded_slash_in_a_parameter_stays_in_its_segment(sim: Simulator) -> None:
    resp, event = send(sim, "GET", "/pets/a%2Fb%20c")
    assert resp.route == "GET /pets/{id}"
    assert event is not None and event["pathParameters"] == {"id": "a/b c"}
    assert event["rawPath"] == "/pets/a/b c"


def test_an_empty_segment_is_no_parameter(sim: Simulator) -> None:
    assert send(sim, "GET", "/pets//")[0].status == 404


def test_a_greedy_variable_takes_an_empty_remainder_after_its_slash(sim: Simulator) -> None:
    # As the event captured from an HTTP API (mantil-io/go-lambda-examples, 2022) for a POST
    # to `/handler/` on the route `ANY /handler/{proxy+}`: pathParameters.proxy is "".
    resp, event = send(sim, "POST", "/handler/", gateway="v1")
    assert (resp.status, resp.route) == (200, "ANY /handler/{proxy+}")
    assert event is not None and event["pathParameters"] == {"proxy": ""}
    assert (event["path"], event["resource"]) == ("/handler/", "/handler/{proxy+}")
    assert event["requestContext"]["resourceId"] == "ANY /handler/{proxy+}"
    resp, event = send(sim, "GET", "/files/")
    assert event is not None and event["pathParameters"] == {"proxy": ""}
    assert send(sim, "GET", "/files/a/b/")[1]["pathParameters"] == {"proxy": "a/b/"}  # type: ignore[index]


def test_a_greedy_variable_needs_the_slash_after_its_prefix(sim: Simulator) -> None:
    resp, event = send(sim, "GET", "/files")
    assert (resp.status, event) == (404, None)


def test_the_root_is_taken_by_a_greedy_root_route() -> None:
    # A browser opening the root of an HTTP API whose one route is `ANY /{proxy+}` (captured,
    # rioastamal/workshop-serverless, 2023): routeKey `ANY /{proxy+}`, rawPath `/`, proxy "".
    sim = make_sim(
        "resources:\n  api: {type: http-api-gateway}\n"
        + http_route_function("app", "api", "*", "/{proxy+}", "2.0")
    )
    resp, event = send(sim, "GET", "/")
    assert (resp.status, resp.route) == (200, "ANY /{proxy+}")
    assert event is not None and event["pathParameters"] == {"proxy": ""}
    assert (event["rawPath"], event["requestContext"]["http"]["path"]) == ("/", "/")


# -- methods ---------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_a_method_no_route_takes_is_a_404_not_a_405(sim: Simulator, method: str) -> None:
    # As a live probe of an HTTP API answered PUT, DELETE and PATCH on a path with GET and
    # POST routes (2026, docs/fidelity.md): the gateway's 404, its headers date,
    # content-type, content-length and apigw-requestid (and the connection's), no Allow.
    resp, event = send(sim, method, "/pets")
    assert (resp.status, resp.body, event) == (404, '{"message":"Not Found"}', None)
    assert resp.reason == f"no route matches {method} /pets: only GET /pets takes its path"
    headers = dict(resp.headers)
    assert sorted(headers) == ["apigw-requestid", "content-length", "content-type", "date"]
    assert (headers["content-type"], headers["content-length"]) == ("application/json", "23")


@pytest.mark.parametrize("method", ["HEAD", "OPTIONS"])
def test_head_and_options_take_no_get_route_of_their_own(sim: Simulator, method: str) -> None:
    resp, event = send(sim, method, "/pets")
    assert (resp.status, event) == (404, None)
    # An ANY route takes them both, as it takes every method.
    resp, event = send(sim, method, "/files/x")
    assert (resp.route, event is not None) == ("ANY /files/{proxy+}", True)


# -- bodies ----------------------------------------------------------------------------------


def test_an_empty_body_arrives_as_no_body(sim: Simulator) -> None:
    # On the wire an empty body is no body (`content-length: 0`): the captured bodiless POST
    # (mantil-io/go-lambda-examples) has `body: null` in 1.0 and no `body` in 2.0.
    for body in (None, ""):
        _, event = send(sim, "POST", "/orders", body)
        assert event is not None and "body" not in event
        assert (event["isBase64Encoded"], event["headers"]["content-length"]) == (False, "0")
        assert "content-type" not in event["headers"]
        _, event = send(sim, "POST", "/handler/x", body, gateway="v1")
        assert event is not None and (event["body"], event["isBase64Encoded"]) == (None, False)


def test_a_body_is_passed_as_sent(sim: Simulator) -> None:
    _, event = send(sim, "POST", "/orders", " ")
    assert event is not None and (event["body"], event["isBase64Encoded"]) == (" ", False)


def test_the_query_is_decoded_as_a_live_capture_shows(sim: Simulator) -> None:
    # hotsock/voker `apigwv2-request.json` (an HTTP API, payload 2.0, 2026): `+` is a space,
    # `%2B` a plus, `empty=` an empty value, a repeated name comma-joined; the raw query as sent.
    raw = "repeat=one&repeat=two&redirect=https%3A%2F%2Fexample.com%2Fa&literalPlus=a+b"
    raw += "&encodedPlus=a%2Bb&empty="
    _, event = send(sim, "GET", f"/pets?{raw}")
    assert event is not None and event["rawQueryString"] == raw
    assert event["queryStringParameters"] == {
        "empty": "",
        "encodedPlus": "a+b",
        "literalPlus": "a b",
        "redirect": "https://example.com/a",
        "repeat": "one,two",
    }


@pytest.mark.parametrize(
    ("path", "why"),
    [
        ("/bad/status", 'statusCode must be an HTTP status, not "OK"'),
        ("/bad/body", "body must be a string, not dict"),
    ],
)
def test_a_malformed_response_is_the_gateways_500(sim: Simulator, path: str, why: str) -> None:
    resp, _ = send(sim, "GET", path)
    assert (resp.status, resp.body) == (500, '{"message":"Internal Server Error"}')
    assert ("content-type", "application/json") in resp.headers
    assert resp.reason == f"malformed Lambda response: {why}"


@pytest.mark.parametrize(
    ("path", "would"),
    [
        ("/pets/", "GET /pets would take /pets"),
        ("//pets", "GET /pets would take /pets"),
        ("/Pets/", "GET /pets would take /pets"),
        ("/PETS/Rex", "GET /pets/{id} would take /pets/Rex"),
    ],
)
def test_the_404_of_a_near_miss_names_the_route_that_would_take_it(
    sim: Simulator, path: str, would: str
) -> None:
    # serverless-offline and most web frameworks forgive these; an HTTP API does not, so the
    # gateway's reason (which `http` and `explain` show) says which route the user meant.
    resp, _ = send(sim, "GET", path)
    assert resp.status == 404
    assert resp.reason == (
        f"no route matches GET {path}: {would} (paths match exactly: case, a trailing slash "
        "and a doubled slash count)"
    )


def test_a_404_that_is_no_near_miss_lists_the_routes(sim: Simulator) -> None:
    resp, _ = send(sim, "GET", "/owners/")
    assert resp.reason is not None and resp.reason.startswith("no route matches GET /owners/; its")
