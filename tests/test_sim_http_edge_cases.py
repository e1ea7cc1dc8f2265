"""HTTP API edge cases of the Lambda proxy payloads and responses (reference aws-semantics §8;
API Gateway developer guide, http-api-develop-integrations-lambda.md): cookies, repeated
query parameters, the raw query string, the `$default` route, and the responses a function
may give (cookies, multiValueHeaders, a bare value, a base64 body)."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from stptui.sim.engine import Simulator
from tests.simkit import capture_inputs, http_route_function, make_sim

STACK = (
    "resources:\n"
    "  v2: {type: http-api-gateway}\n"
    "  v1: {type: http-api-gateway}\n"
    + http_route_function("echo2", "v2", "GET", "/echo", "2.0")
    + http_route_function("fallback2", "v2", "*", "*", "2.0")
    + http_route_function("echo1", "v1", "GET", "/echo", "1.0")
    + http_route_function("fallback1", "v1", "*", "*", "1.0")
    + http_route_function("text", "v2", "GET", "/text", "2.0")
    + http_route_function("number", "v2", "GET", "/number", "2.0")
    + http_route_function("object", "v2", "GET", "/object", "2.0")
    + http_route_function("cookies2", "v2", "GET", "/cookies", "2.0")
    + http_route_function("cookies1", "v1", "GET", "/cookies", "1.0")
    + http_route_function("multi2", "v2", "GET", "/multi", "2.0")
    + http_route_function("multi1", "v1", "GET", "/multi", "1.0")
    + http_route_function("binary", "v2", "GET", "/binary", "2.0")
    + http_route_function("binary1", "v1", "GET", "/binary", "1.0")
    + http_route_function("created2", "v2", "GET", "/created", "2.0")
    + http_route_function("created1", "v1", "GET", "/created", "1.0")
    + http_route_function("encoded2", "v2", "GET", "/encoded", "2.0")
    + http_route_function("typed1", "v1", "GET", "/typed", "1.0")
)

PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n").decode()
BEHAVIORS = f"""
behaviors:
  text: {{response: "'hello'"}}
  number: {{response: "`5`"}}
  object: {{response: "{{message: 'hi', body: 'not the body'}}"}}
  cookies2: {{response: "{{statusCode: `200`, cookies: ['a=1; Path=/', 'b=2'], body: 'c'}}"}}
  cookies1: {{response: "{{statusCode: `200`, cookies: ['a=1'], body: 'c'}}"}}
  multi2:
    response: "{{statusCode: `200`, headers: {{\\"x-a\\": '1'}},
      multiValueHeaders: {{\\"x-b\\": ['2', '3']}}, body: 'm'}}"
  multi1:
    response: "{{statusCode: `200`, headers: {{\\"X-A\\": '1', \\"x-b\\": '9', \\"x-c\\": '2'}},
      multiValueHeaders: {{\\"x-b\\": ['2', '3'], \\"x-c\\": ['2', '3']}}, body: 'm'}}"
  binary:
    response: "{{statusCode: `200`, headers: {{\\"content-type\\": 'text/plain'}},
      body: 'aGVsbG8=', isBase64Encoded: `true`}}"
  binary1:
    response: "{{statusCode: `200`, body: '{PNG}', isBase64Encoded: `true`}}"
  created2: {{response: "{{statusCode: `201`, body: 'Created'}}"}}
  created1: {{response: "{{statusCode: `201`, body: 'Created'}}"}}
  encoded2: {{response: "{{statusCode: `200`, body: 'aGVsbG8=', isBase64Encoded: `true`}}"}}
  typed1:
    response: "{{statusCode: `200`, multiValueHeaders: {{\\"Content-Type\\": ['application/xml']}},
      body: '<a/>'}}"
"""


@pytest.fixture
def sim() -> Simulator:
    return make_sim(STACK, BEHAVIORS)


def request(sim: Simulator, gateway: str, path: str, **kw: Any) -> tuple[Any, dict[str, Any]]:
    """The response and the event the function received."""
    seen = capture_inputs(sim, lambda inp: inp.event())
    resp = sim.services["http"].call("GET", path, gateway=gateway, **kw)
    return resp, seen[0] if seen else {}


def values(resp: Any, name: str) -> list[str]:
    return [v for n, v in resp.headers if n.lower() == name]


# -- requests --------------------------------------------------------------------------------


def test_2_0_moves_every_cookie_header_into_cookies(sim: Simulator) -> None:
    headers = [("Cookie", "a=1; b=2"), ("cookie", "c=3"), ("x-other", "y")]
    _, event = request(sim, "v2", "/echo", headers=headers)
    assert event["cookies"] == ["a=1", "b=2", "c=3"]
    assert "cookie" not in event["headers"] and event["headers"]["x-other"] == "y"


def test_1_0_has_no_cookies_field_and_keeps_the_cookie_header(sim: Simulator) -> None:
    _, event = request(sim, "v1", "/echo", headers=[("cookie", "a=1; b=2")])
    assert "cookies" not in event
    assert event["headers"]["cookie"] == "a=1; b=2"
    assert event["multiValueHeaders"]["cookie"] == ["a=1; b=2"]


def test_repeated_query_parameters_are_comma_joined_in_2_0(sim: Simulator) -> None:
    _, event = request(sim, "v2", "/echo?tag=a&tag=b&one=1&tag=c")
    assert event["queryStringParameters"] == {"tag": "a,b,c", "one": "1"}
    assert "multiValueQueryStringParameters" not in event


def test_repeated_query_parameters_are_listed_in_1_0(sim: Simulator) -> None:
    _, event = request(sim, "v1", "/echo?tag=a&tag=b&one=1&tag=c")
    assert event["multiValueQueryStringParameters"] == {"tag": ["a", "b", "c"], "one": ["1"]}
    assert event["queryStringParameters"] == {"tag": "c", "one": "1"}


def test_raw_query_string_is_as_sent_and_the_parameters_decoded(sim: Simulator) -> None:
    raw = "q=%E2%9C%93+x&path=a%2Fb&flag"
    _, event = request(sim, "v2", f"/echo?{raw}")
    assert event["rawQueryString"] == raw
    assert event["queryStringParameters"] == {"q": "✓ x", "path": "a/b", "flag": ""}


def test_the_default_route_in_2_0(sim: Simulator) -> None:
    _, event = request(sim, "v2", "/nothing/here?x=1")
    assert event["routeKey"] == "$default"
    assert event["requestContext"]["routeKey"] == "$default"
    # "$default route: the integration receives the full request path".
    assert event["rawPath"] == "/nothing/here"
    assert event["requestContext"]["http"]["path"] == "/nothing/here"
    assert "pathParameters" not in event


def test_the_default_route_in_1_0(sim: Simulator) -> None:
    # As captured from AWS: resource, resourcePath and resourceId are all "$default".
    _, event = request(sim, "v1", "/nothing/here")
    assert event["resource"] == "$default" and event["path"] == "/nothing/here"
    ctx = event["requestContext"]
    assert (ctx["resourcePath"], ctx["resourceId"]) == ("$default", "$default")
    assert event["pathParameters"] is None


# -- responses -------------------------------------------------------------------------------


def test_2_0_response_cookies_become_set_cookie_headers(sim: Simulator) -> None:
    resp, _ = request(sim, "v2", "/cookies")
    assert (resp.status, resp.body) == (200, "c")
    assert values(resp, "set-cookie") == ["a=1; Path=/", "b=2"]


def test_1_0_response_cookies_are_not_a_field_of_its_format(sim: Simulator) -> None:
    resp, _ = request(sim, "v1", "/cookies")
    assert resp.status == 200 and values(resp, "set-cookie") == []


def test_2_0_response_multi_value_headers_are_not_a_field_of_its_format(sim: Simulator) -> None:
    resp, _ = request(sim, "v2", "/multi")
    assert values(resp, "x-a") == ["1"] and values(resp, "x-b") == []


def test_1_0_response_merges_headers_with_multi_value_headers_as_captured(sim: Simulator) -> None:
    # Captured from an HTTP API with payload 1.0 (aws/aws-lambda-dotnet, LambdaTestTool-v2
    # snapshot V1_CombinesSingleAndMultiValueHeadersHttpV1.json, 2025): `Combined-Header`
    # in both maps with other values arrived as `single-value, multi-value1, multi-value2`.
    # The guide drops only "the same key-value pair" given in both.
    resp, _ = request(sim, "v1", "/multi")
    assert values(resp, "x-a") == ["1"]
    assert values(resp, "x-b") == ["9", "2", "3"]
    assert values(resp, "x-c") == ["2", "3"]


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/text", "hello"),  # the guide's "Hello from Lambda!" example: the string itself
        ("/number", "5"),
        ("/object", '{"message":"hi","body":"not the body"}'),  # no statusCode: all of it
    ],
)
def test_2_0_a_result_without_status_code_is_a_200_json_body(
    sim: Simulator, path: str, body: str
) -> None:
    resp, _ = request(sim, "v2", path)
    assert (resp.status, resp.body, resp.reason) == (200, body, None)
    assert values(resp, "content-type") == ["application/json"]
    # The headers an HTTP API sent for the string "Hello from lambda" (aws/aws-lambda-dotnet,
    # LambdaTestTool-v2 `V2_TestCanInferJsonType`, run against AWS), `connection` aside.
    names = sorted(name for name, _ in resp.headers)
    assert names == ["apigw-requestid", "content-length", "content-type", "date"]


def test_a_base64_response_is_decoded_for_the_client(sim: Simulator) -> None:
    resp, _ = request(sim, "v2", "/binary")
    assert (resp.status, resp.body) == (200, "hello")
    assert values(resp, "content-type") == ["text/plain"]


@pytest.mark.parametrize(
    ("gateway", "path", "body"),
    [("v2", "/created", "Created"), ("v1", "/created", "Created"), ("v2", "/encoded", "hello")],
)
def test_a_result_with_status_code_and_no_content_type_is_plain_text(
    sim: Simulator, gateway: str, path: str, body: str
) -> None:
    # Captured from HTTP APIs of both payload formats (aws/aws-lambda-dotnet, LambdaTestTool-v2
    # snapshots V2_SetsCorrectStatusCode, V1_APIHeadersHttpV1, V2_SetsBodyBase64, 2025): a
    # result with statusCode and no content-type is sent `text/plain; charset=utf-8`.
    resp, _ = request(sim, gateway, path)
    assert (resp.body, values(resp, "content-type")) == (body, ["text/plain; charset=utf-8"])


def test_a_content_type_the_result_names_is_kept(sim: Simulator) -> None:
    resp, _ = request(sim, "v1", "/typed")
    assert values(resp, "content-type") == ["application/xml"]


def test_a_base64_response_that_is_not_text_is_shown_as_bytes(sim: Simulator) -> None:
    resp, _ = request(sim, "v1", "/binary")
    assert (resp.status, resp.body) == (200, "<8 bytes of binary data>")
    # The client receives the 8 bytes, not the words that stand for them.
    assert values(resp, "content-length") == ["8"]
