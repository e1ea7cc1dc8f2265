"""How HTTP API events spell header names: payload format 2.0 lower-cases them all; a 1.0
event spells API Gateway's own headers capitalised, lower-cases `accept`, `accept-encoding`
and `via`, and keeps any other as the client sent it (captured HTTP API 1.0 events; see
docs/fidelity.md). Whatever reads a header does so without regard to case."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from stptui.commands import Session, execute
from stptui.sim.engine import Simulator
from stptui.sim.services.http import parse_headers
from tests.simkit import START, capture_inputs, make_sim

PKG = "packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: f.ts}}"


def fn(name: str, gateway: str, fmt: str) -> str:
    props = {"httpApiGatewayName": gateway, "method": "*", "path": "/echo", "payloadFormat": fmt}
    event = json.dumps({"type": "http-api-gateway", "properties": props})
    lines = [f"  {name}:", "    type: function", "    properties:", f"      {PKG}"]
    return "\n".join([*lines, "      events:", f"        - {event}"]) + "\n"


STACK = (
    "resources:\n"
    "  v1: {type: http-api-gateway}\n"
    "  v2: {type: http-api-gateway}\n" + fn("echo1", "v1", "1.0") + fn("echo2", "v2", "2.0")
)
GATEWAY_NAMES = [
    "Content-Length",
    "Host",
    "User-Agent",
    "X-Amzn-Trace-Id",
    "X-Forwarded-For",
    "X-Forwarded-Port",
    "X-Forwarded-Proto",
]


@pytest.fixture
def sim() -> Simulator:
    return make_sim(STACK)


def event_of(
    sim: Simulator, gateway: str, method: str = "GET", body: str | None = None, **kw: Any
) -> dict[str, Any]:
    """The event the function behind `gateway`'s /echo receives for one request."""
    seen = capture_inputs(sim, lambda inp: inp.event())
    sim.services["http"].call(method, "/echo", body, gateway=gateway, **kw)
    [event] = seen
    return event


# -- payload format 1.0 ----------------------------------------------------------------------


def test_1_0_spells_the_gateways_own_headers_capitalised(sim: Simulator) -> None:
    event = event_of(sim, "v1")
    assert sorted(event["headers"]) == GATEWAY_NAMES
    assert sorted(event["multiValueHeaders"]) == GATEWAY_NAMES
    assert event["headers"]["Host"] == sim.services["http"].apis["v1"].domain
    assert event["headers"]["X-Forwarded-Proto"] == "https"
    assert event["headers"]["X-Forwarded-Port"] == "443"


def test_1_0_always_has_a_content_length_zero_without_a_body(sim: Simulator) -> None:
    assert event_of(sim, "v1")["headers"]["Content-Length"] == "0"
    assert event_of(sim, "v1", "POST", "héllo")["headers"]["Content-Length"] == "6"


def test_1_0_keeps_the_clients_spelling_of_its_own_headers(sim: Simulator) -> None:
    sent = [("Content-Type", "application/json"), ("x-Api-KEY", "k"), ("cookie", "a=1")]
    headers = event_of(sim, "v1", "POST", "{}", headers=sent)["headers"]
    assert headers["Content-Type"] == "application/json"
    assert headers["x-Api-KEY"] == "k"
    assert headers["cookie"] == "a=1"
    assert "content-type" not in headers and "x-api-key" not in headers


def test_1_0_spells_the_stand_in_clients_content_type_as_curl_does(sim: Simulator) -> None:
    headers = event_of(sim, "v1", "POST", '{"n": 1}')["headers"]
    assert headers["Content-Type"] == "application/json"


def test_1_0_respells_gateway_headers_the_client_sent_in_lower_case(sim: Simulator) -> None:
    sent = [("user-agent", "curl/8.5.0"), ("host", "api.example.com")]
    event = event_of(sim, "v1", headers=sent)
    assert event["headers"]["User-Agent"] == "curl/8.5.0"
    assert event["headers"]["Host"] == "api.example.com"
    assert "user-agent" not in event["headers"] and "host" not in event["headers"]
    assert event["requestContext"]["identity"]["userAgent"] == "curl/8.5.0"


def test_1_0_lower_cases_accept_accept_encoding_and_via(sim: Simulator) -> None:
    sent = [("Accept", "*/*"), ("Accept-Encoding", "gzip"), ("Via", "1.1 proxy")]
    headers = event_of(sim, "v1", headers=sent)["headers"]
    assert (headers["accept"], headers["accept-encoding"], headers["via"]) == (
        "*/*",
        "gzip",
        "1.1 proxy",
    )
    assert not {"Accept", "Accept-Encoding", "Via"} & set(headers)


def test_1_0_joins_names_that_differ_only_in_case_under_the_first(sim: Simulator) -> None:
    sent = [("X-Tag", "a"), ("x-tag", "b"), ("X-TAG", "c")]
    event = event_of(sim, "v1", headers=sent)
    assert event["headers"]["X-Tag"] == "c"
    assert event["multiValueHeaders"]["X-Tag"] == ["a", "b", "c"]
    names = set(event["headers"]) | set(event["multiValueHeaders"])
    assert not {"x-tag", "X-TAG"} & names


# -- payload format 2.0 ----------------------------------------------------------------------


def test_2_0_lower_cases_every_name_and_adds_a_zero_length_without_a_body(sim: Simulator) -> None:
    sent = [("Content-Type", "text/plain"), ("X-Tag", "a"), ("x-tag", "b")]
    event = event_of(sim, "v2", headers=sent)
    headers = event["headers"]
    assert all(name == name.lower() for name in headers)
    assert headers["content-type"] == "text/plain" and headers["x-tag"] == "a,b"
    assert headers["content-length"] == "0"


def test_2_0_finds_cookie_and_user_agent_headers_in_any_case(sim: Simulator) -> None:
    sent = [("COOKIE", "a=1; b=2"), ("User-Agent", "curl/8.5.0")]
    event = event_of(sim, "v2", headers=sent)
    assert event["cookies"] == ["a=1", "b=2"]
    assert "cookie" not in event["headers"]
    assert event["requestContext"]["http"]["userAgent"] == "curl/8.5.0"


# -- reading headers without regard to case --------------------------------------------------


@pytest.mark.parametrize("gateway", ["v1", "v2"])
@pytest.mark.parametrize("name", ["Content-Type", "content-type", "CONTENT-TYPE"])
def test_the_content_type_decides_base64_in_any_case(
    sim: Simulator, gateway: str, name: str
) -> None:
    binary = event_of(sim, gateway, "POST", "ab", headers=[(name, "application/octet-stream")])
    assert binary["isBase64Encoded"] is True
    assert binary["body"] == base64.b64encode(b"ab").decode()
    text = event_of(sim, gateway, "POST", "ab", headers=[(name, "Text/CSV")])
    assert text["isBase64Encoded"] is False and text["body"] == "ab"


def test_a_client_content_type_in_any_case_replaces_the_stand_in_default(
    sim: Simulator,
) -> None:
    headers = event_of(sim, "v1", "POST", "{}", headers=[("content-TYPE", "text/csv")])["headers"]
    assert headers["content-TYPE"] == "text/csv"
    assert "Content-Type" not in headers


# -- the command -----------------------------------------------------------------------------


def test_parse_headers_keeps_the_spelling_of_each_name() -> None:
    assert parse_headers(["Content-Type: text/csv", "x-a:1"]) == [
        ("Content-Type", "text/csv"),
        ("x-a", "1"),
    ]


def test_the_http_command_hands_a_1_0_function_the_headers_as_typed(tmp_path: Path) -> None:
    (tmp_path / "stacktape.yml").write_text(STACK)
    session = Session.open(tmp_path, start_ms=START)
    seen = capture_inputs(session.sim, lambda inp: inp.event())
    execute(session, "http POST /echo 'a,b' --gateway v1 --header 'Content-Type: text/csv'")
    [event] = seen
    assert event["headers"]["Content-Type"] == "text/csv"
    assert event["body"] == "a,b" and event["isBase64Encoded"] is False
