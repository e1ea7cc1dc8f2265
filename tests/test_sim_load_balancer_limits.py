"""Application load balancers' size limits, as the client meets them: ELB's HTTP/1.x header
limits ("HTTP header limits": request line 16 K, single header 16 K, whole header 64 K;
the troubleshooting guide's 400 and 414) and a Lambda target's 1 MB request body ("Lambda
functions as targets"): the status and page the client gets, and whether the function ran
(docs/fidelity.md, "Application Load Balancers")."""

from __future__ import annotations

import pytest

from stptui.sim import trace as tk
from stptui.sim.engine import Simulator
from stptui.sim.metrics import compute
from stptui.sim.services.load_balancer import (
    MAX_HEADER_LINE_BYTES,
    MAX_LAMBDA_BYTES,
    MAX_REQUEST_LINE_BYTES,
    MAX_WHOLE_HEAD_BYTES,
    error_page,
)
from tests.simkit import make_sim, records

PACKAGING = "packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}"
STACK = f"""\
serviceName: shop
resources:
  shopLb:
    type: application-load-balancer
  orders:
    type: function
    properties:
      {PACKAGING}
      events:
        - type: application-load-balancer
          properties: {{loadBalancerName: shopLb, priority: 10, paths: ['/api/*']}}
"""
BEHAVIORS = """
behaviors:
  orders:
    response: "{statusCode: `200`, body: 'ok'}"
"""


@pytest.fixture
def sim() -> Simulator:
    return make_sim(STACK, BEHAVIORS)


def call(sim: Simulator, method: str, path: str, body: str | None = None, **kw: object):  # type: ignore[no-untyped-def]
    return sim.services["load_balancers"].call(method, path, body, **kw)


def refused_by_elb(sim: Simulator, resp: object, status: int) -> None:
    """ELB's own page, before any rule: no rule, no invocation, at once."""
    assert resp.status == status  # type: ignore[attr-defined]
    assert ("server", "awselb/2.0") in resp.headers  # type: ignore[attr-defined]
    assert ("content-type", "text/html") in resp.headers  # type: ignore[attr-defined]
    assert resp.body == error_page(status)  # type: ignore[attr-defined]
    assert resp.route is None and resp.latency_ms == 0  # type: ignore[attr-defined]
    assert not records(sim, tk.INVOCATION_STARTED)


def pad_for_line(method: str, path: str, size: int) -> str:
    """A query that makes the request line `size` bytes with its CRLF."""
    bare = len(f"{method} {path}?q= HTTP/1.1") + 2
    return "q=" + "x" * (size - bare)


# -- the request line: 16 K ----------------------------------------------------------------


def test_a_request_line_over_16_k_is_elbs_414(sim: Simulator) -> None:
    query = pad_for_line("GET", "/api/x", MAX_REQUEST_LINE_BYTES + 1)
    resp = call(sim, "GET", f"/api/x?{query}")
    refused_by_elb(sim, resp, 414)
    assert "<title>414 Request-URI Too Large</title>" in resp.body
    assert "16,385 bytes" in resp.reason
    [request] = records(sim, tk.HTTP_REQUEST)
    assert request.get("route") is None


def test_a_request_line_of_exactly_16_k_reaches_the_function(sim: Simulator) -> None:
    query = pad_for_line("GET", "/api/x", MAX_REQUEST_LINE_BYTES)
    resp = call(sim, "GET", f"/api/x?{query}")
    assert (resp.status, resp.body) == (200, "ok")
    assert records(sim, tk.INVOCATION_STARTED, "orders")


# -- a single header: 16 K, and all of them: 64 K ------------------------------------------


def test_a_header_line_over_16_k_is_elbs_400(sim: Simulator) -> None:
    # `X-Pad: ` is 7 bytes and the CRLF 2: a value of 16,375 bytes fills the line.
    fits = MAX_HEADER_LINE_BYTES - len("X-Pad: ") - 2
    ok = call(sim, "GET", "/api/x", headers=[("X-Pad", "v" * fits)])
    assert ok.status == 200
    resp = call(sim, "GET", "/api/x", headers=[("X-Pad", "v" * (fits + 1))])
    assert resp.status == 400 and "<title>400 Bad Request</title>" in resp.body
    assert "'X-Pad' is 16,385 bytes" in resp.reason
    # The cookie is a header like any other.
    cookie = call(sim, "GET", "/api/x", headers=[("Cookie", "a=" + "1" * 16_400)])
    assert cookie.status == 400


def test_headers_together_over_64_k_are_elbs_400(sim: Simulator) -> None:
    # Five headers of 16,000 bytes each are each allowed, together over 64 K.
    big = [(f"X-Part-{i}", "v" * 16_000) for i in range(5)]
    resp = call(sim, "GET", "/api/x", headers=big)
    refused_by_elb(sim, resp, 400)
    assert "ELB takes at most 64 K" in resp.reason
    # Four are under it: the request, its own headers included, reaches the function.
    assert call(sim, "GET", "/api/x", headers=big[:4]).status == 200
    assert MAX_WHOLE_HEAD_BYTES == 65_536


def test_the_request_line_is_read_before_the_headers_and_the_body(sim: Simulator) -> None:
    query = pad_for_line("POST", "/api/x", MAX_REQUEST_LINE_BYTES + 1)
    headers = [("X-Pad", "v" * MAX_HEADER_LINE_BYTES)]
    resp = call(sim, "POST", f"/api/x?{query}", "x" * (MAX_LAMBDA_BYTES + 1), headers=headers)
    assert resp.status == 414
    # Headers over the limit are answered before the body is weighed for the function.
    resp = call(sim, "POST", "/api/x", "x" * (MAX_LAMBDA_BYTES + 1), headers=headers)
    assert resp.status == 400


def test_a_head_over_the_limits_is_refused_on_any_listener(sim: Simulator) -> None:
    # The HTTP listener's redirect is an action, taken only once the head was read.
    query = pad_for_line("GET", "/api/x", MAX_REQUEST_LINE_BYTES + 1)
    assert call(sim, "GET", f"/api/x?{query}", port=80).status == 414


# -- a Lambda target's body: 1 MB ----------------------------------------------------------


def test_a_body_of_exactly_1_mb_reaches_the_function_and_one_byte_more_is_a_413(
    sim: Simulator,
) -> None:
    ok = call(sim, "POST", "/api/x", "x" * MAX_LAMBDA_BYTES)
    assert ok.status == 200
    over = call(sim, "POST", "/api/x", "x" * (MAX_LAMBDA_BYTES + 1))
    assert over.status == 413 and over.body == error_page(413)
    assert "LambdaRequestTooLarge" in over.reason
    assert len(records(sim, tk.INVOCATION_STARTED)) == 1


def test_a_refused_head_counts_as_elbs_4xx_and_no_request(sim: Simulator) -> None:
    # CloudWatch: RequestCount counts only requests for which a target was chosen, and
    # HTTPCode_ELB_4XX_Count the client errors ELB answers itself ("malformed or
    # incomplete" requests); a refusal is no listener's fixed response.
    call(sim, "GET", "/api/x")
    call(sim, "GET", "/api/x", headers=[("X-Pad", "v" * MAX_HEADER_LINE_BYTES)])
    call(sim, "GET", "/nothing")  # the listener's fixed 500
    res = compute(sim).resources["shopLb"]
    figures = {(f.metric, f.statistic): f.value for f in res.figures}
    assert figures[("RequestCount", "Sum")] == 1
    assert figures[("HTTPCode_ELB_4XX_Count", "Sum")] == 1
    assert figures[("HTTP_Fixed_Response_Count", "Sum")] == 1
    assert figures[("HTTPCode_ELB_5XX_Count", "Sum")] == 1
