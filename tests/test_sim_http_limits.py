"""HTTP API size limits, as the client meets them (API Gateway developer guide, "Quotas for
HTTP APIs": a 10 MB payload; Lambda's 6 MB synchronous request and response payloads): the
status and body the client gets, and whether the function ran."""

from __future__ import annotations

import json

import pytest

from stptui.sim import trace as tk
from stptui.sim.engine import Simulator
from stptui.sim.services.http import MAX_BODY_BYTES
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
