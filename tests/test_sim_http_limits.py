"""HTTP API size limits, as the client meets them (API Gateway developer guide, "Quotas for
HTTP APIs": a 10 MB payload, 10,240 bytes of request line and header values; Lambda's 6 MB
synchronous request and response payloads): the status and body the client gets, and
whether the function ran. Also the form of the request ids the gateway gives."""

from __future__ import annotations

import json
import re

import pytest

from stptui.sim import trace as tk
from stptui.sim.engine import Simulator
from stptui.sim.services.http import MAX_BODY_BYTES, MAX_HEAD_BYTES
from tests.simkit import START, make_sim, records

PKG = "packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: f.ts}}"
ROUTE = {"httpApiGatewayName": "api", "method": "POST", "path": "/echo", "payloadFormat": "2.0"}
STACK = (
    "resources:\n"
    "  api: {type: http-api-gateway}\n"
    "  echo:\n"
    "    type: function\n"
    "    properties:\n"
    f"      {PKG}\n"
    "      events:\n"
    f"        - {json.dumps({'type': 'http-api-gateway', 'properties': ROUTE})}\n"
)
# The body twice: a result twice the size of the request.
BEHAVIORS = """
behaviors:
  echo: {response: "{statusCode: `200`, body: join('', [body, body])}"}
"""
MB = 1024 * 1024


@pytest.fixture
def sim() -> Simulator:
    return make_sim(STACK, BEHAVIORS)


def post(sim: Simulator, path: str, body: str) -> object:
    return sim.services["http"].call("POST", path, body)


def test_a_body_over_the_10_mb_quota_is_a_413_from_the_gateway(sim: Simulator) -> None:
    resp = post(sim, "/echo", "x" * (MAX_BODY_BYTES + 1))
    assert (resp.status, resp.body) == (413, "HTTP content length exceeded 10485760 bytes.")
    assert ("content-type", "text; charset=utf-8") in resp.headers
    assert resp.route is None and resp.latency_ms == 0
    assert "10,485,761 bytes" in resp.reason
    # Refused before any route or function: traced as a request and its answer.
    assert not records(sim, tk.INVOCATION_STARTED)
    [request] = records(sim, tk.HTTP_REQUEST)
    assert request.get("route") is None
    [response] = records(sim, tk.HTTP_RESPONSE)
    assert response.get("status") == 413 and sim.clock.now == START


def test_a_body_of_exactly_10_mb_passes_the_quota(sim: Simulator) -> None:
    # It reaches the integration, whose 6 MB Invoke limit is what refuses it.
    resp = post(sim, "/echo", "x" * MAX_BODY_BYTES)
    assert resp.status == 500 and "RequestEntityTooLargeException" in resp.reason


def test_the_quota_applies_to_a_path_no_route_takes(sim: Simulator) -> None:
    assert post(sim, "/nowhere", "x" * (MAX_BODY_BYTES + 1)).status == 413


def test_a_result_over_lambdas_6_mb_is_a_500(sim: Simulator) -> None:
    resp = post(sim, "/echo", "x" * (3 * MB + 1024))
    assert (resp.status, resp.body) == (500, '{"message":"Internal Server Error"}')
    assert "the function returned 6,293,5" in resp.reason
    assert "the limit is 6,291,456" in resp.reason
    # The function ran: its invocation is what the response leads to.
    assert resp.invocation_id is not None
    assert records(sim, tk.INVOCATION_STARTED, "echo")


def test_a_result_under_lambdas_6_mb_is_the_response(sim: Simulator) -> None:
    resp = post(sim, "/echo", "x" * (3 * MB - 1024))
    assert (resp.status, len(resp.body), resp.reason) == (200, 6 * MB - 2048, None)


# -- the request line and headers: "Total combined size of request line and header values:
# 10240 bytes" (Quotas for HTTP APIs) -----------------------------------------------------


def head_budget(sim: Simulator, method: str, target: str) -> int:
    """What is left of the 10,240 bytes once the request line and the values of the headers
    the stand-in client always sends (Content-Length "0", Host, User-Agent) are counted."""
    domain = sim.services["http"].api(None).domain
    line = f"{method} {target} HTTP/1.1"
    return MAX_HEAD_BYTES - len(line) - len("0") - len(domain) - len("stptui")


def test_a_head_over_the_quota_is_refused_by_the_gateway(sim: Simulator) -> None:
    pad = "x" * (head_budget(sim, "POST", "/echo") + 1)
    resp = sim.services["http"].call("POST", "/echo", headers=[("x-pad", pad)])
    assert (resp.status, resp.body) == (431, "HTTP header is larger than 10240 bytes.")
    assert ("content-type", "text; charset=utf-8") in resp.headers
    assert resp.route is None and resp.latency_ms == 0
    assert "10,241 bytes" in resp.reason
    assert not records(sim, tk.INVOCATION_STARTED)
    [response] = records(sim, tk.HTTP_RESPONSE)
    assert response.get("status") == 431


def test_a_head_of_exactly_the_quota_reaches_the_function(sim: Simulator) -> None:
    pad = "x" * head_budget(sim, "POST", "/echo")
    resp = sim.services["http"].call("POST", "/echo", headers=[("x-pad", pad)])
    # The route takes it and the function runs (this behaviour needs a body to answer 200).
    assert resp.route == "POST /echo" and records(sim, tk.INVOCATION_STARTED, "echo")


def test_the_query_string_counts_as_part_of_the_request_line(sim: Simulator) -> None:
    query = "q=" + "y" * 10240
    resp = sim.services["http"].call("POST", f"/echo?{query}")
    assert resp.status == 431
    # Header names do not count, only values: many short headers stay well under it.
    many = [(f"x-header-number-{i:04d}", "1") for i in range(1000)]
    assert sim.services["http"].call("POST", "/echo", "a", headers=many).status == 200


def test_the_head_is_read_before_the_body(sim: Simulator) -> None:
    pad = "x" * (head_budget(sim, "POST", "/echo") + 1)
    big = "x" * (MAX_BODY_BYTES + 1)
    resp = sim.services["http"].call("POST", "/echo", big, headers=[("x-pad", pad)])
    assert resp.status == 431


# -- request ids: 16 characters of URL-safe base64, as `apigw-requestid` shows them ----------


def test_request_ids_are_url_safe_base64_of_eleven_bytes(sim: Simulator) -> None:
    ids = [post(sim, "/nowhere", "").request_id for _ in range(200)]
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{15}=", i) for i in ids), ids
    assert any(c in i for i in ids for c in "-_")


def test_the_content_type_the_client_gives_a_body_counts_as_it_is_sent(sim: Simulator) -> None:
    # A JSON body goes as application/json (16 bytes), text as text/plain; charset=utf-8.
    budget = head_budget(sim, "POST", "/echo") + len("0") - len("2") - len("application/json")
    http = sim.services["http"]
    at_quota = http.call("POST", "/echo", "{}", headers=[("x-pad", "x" * budget)])
    assert at_quota.status == 200
    over = http.call("POST", "/echo", "{}", headers=[("x-pad", "x" * (budget + 1))])
    assert over.status == 431 and "10,241 bytes" in over.reason
