"""Lambda function URLs: Stacktape's `url` read and checked, the 2.0 event a function URL
makes, its answers and refusals (AWS_IAM, throttle, failure, timeout, CORS), and `http`
reaching it (docs/fidelity.md "Function URLs")."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stptui.commands import CommandError, Session, execute
from stptui.config import load_stack_text
from stptui.sim import trace as tk
from stptui.sim.engine import SimError
from stptui.sim.services.http import HttpResponse
from tests.simkit import START, capture_inputs, make_sim, records

PACKAGING = "packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}"


def stack(*functions: str) -> str:
    """A stack of functions, each `NAME: PROPERTIES` (one YAML flow mapping line)."""
    lines = ["resources:"]
    for fn in functions:
        name, _, props = fn.partition(":")
        lines += [
            f"  {name}:",
            "    type: function",
            "    properties:",
            f"      {PACKAGING}",
            *(f"      {p.strip()}" for p in props.split(";") if p.strip()),
        ]
    return "\n".join(lines) + "\n"


BOT = stack("bot: url: {enabled: true}; timeout: 60")
REPORT = stack("report: url: {enabled: true, authMode: AWS_IAM}")


def call(sim: Any, method: str = "GET", path: str = "/", body: str | None = None, **kw: Any):
    """A request to the stack's function URL, run to its answer."""
    response: HttpResponse = sim.services["function_urls"].call(method, path, body, **kw)
    return response


# -- config ----------------------------------------------------------------------------------


def test_url_is_read_with_stacktapes_defaults_and_cdn_functions_get_one() -> None:
    s = load_stack_text(
        stack(
            "bot: url: {enabled: true}",
            "site: cdn: {enabled: true}",
            "off: url: {enabled: false}",
            "web: url: {enabled: true, cors: {enabled: true, allowedMethods: [GET]}}",
        ),
        "stacktape.yml",
    )
    fns = {fn.name: fn for fn in s.functions}
    assert fns["bot"].url is not None and fns["bot"].url.auth_type == "NONE"
    assert fns["bot"].url.cors_origins is None  # no CORS unless enabled
    assert fns["site"].url is not None and not fns["site"].url_enabled  # the CDN's origin
    assert fns["off"].url is None
    web = fns["web"].url
    assert web is not None
    # Stacktape's getLambdaUrl: AllowHeaders comes from allowedMethods too.
    assert (web.cors_origins, web.cors_methods, web.cors_headers) == (("*",), ("GET",), ("GET",))


def test_bad_url_settings_get_clear_diagnostics() -> None:
    s = load_stack_text(
        stack(
            "a: url: {enabled: true, authMode: IAM}",
            "b: url: {enabled: true, authType: NONE}",
            "c: url: {enabled: true, cors: {enabled: true, maxAge: 90000, allowedHeaders: [x]}}",
        ),
        "stacktape.yml",
    )
    found = {(d.code, d.resource): d for d in s.diagnostics}
    assert "did you mean 'AWS_IAM'" in (found["invalid-value", "a"].hint or "")
    assert "authMode" in (found["unknown-property", "b"].hint or "")
    assert "0-86400" in found["out-of-range", "c"].message
    assert found["ignored-property", "c"].severity == "warning"


# -- the event -------------------------------------------------------------------------------


def test_the_event_is_a_function_urls_payload_format_2() -> None:
    sim = make_sim(BOT)
    seen = capture_inputs(sim, lambda inp: (inp.event(), inp.request_id))
    url = sim.resource_param("bot", "url")
    resp = call(
        sim,
        "POST",
        "/hook/a%20b?x=1&x=2",
        '{"update_id": 1}',
        headers=[("Cookie", "a=1; b=2"), ("X-Telegram-Bot-Api-Secret-Token", "s")],
    )
    event, request_id = seen[0]
    assert resp.status == 200
    url_id = url.removeprefix("https://").split(".")[0]
    assert re.fullmatch(r"[a-z0-9]{32}", url_id)
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
        "isBase64Encoded",
    ]
    # A live capture (hotsock/voker, vokerhttp/testdata/functionurl-request.json): rawPath
    # keeps the path as sent, still percent-encoded, where http.path has it decoded; the
    # cookie header stays in `headers` beside `cookies` (an HTTP API takes it out).
    assert (event["routeKey"], event["rawPath"], event["rawQueryString"]) == (
        "$default",
        "/hook/a%20b",
        "x=1&x=2",
    )
    assert event["requestContext"]["http"]["path"] == "/hook/a b"
    assert event["cookies"] == ["a=1", "b=2"]
    assert event["headers"]["cookie"] == "a=1; b=2"
    assert event["queryStringParameters"] == {"x": "1,2"}
    assert event["headers"]["x-telegram-bot-api-secret-token"] == "s"
    assert event["headers"]["host"] == f"{url_id}.lambda-url.us-east-1.on.aws"
    assert event["headers"]["content-type"] == "application/json"
    ctx = event["requestContext"]
    assert ctx["accountId"] == "anonymous" and "authorizer" not in ctx
    assert (ctx["apiId"], ctx["domainPrefix"]) == (url_id, url_id)
    assert (ctx["routeKey"], ctx["stage"], ctx["timeEpoch"]) == ("$default", "$default", START)
    # The request id is the invocation's: the handler's, the trace's and the client's.
    assert ctx["requestId"] == request_id == resp.request_id
    assert ("x-amzn-requestid", request_id) in resp.headers
    assert (event["body"], event["isBase64Encoded"]) == ('{"update_id": 1}', False)


def test_the_query_is_decoded_as_a_live_capture_shows() -> None:
    # hotsock/voker vokerhttp/testdata/functionurl-request.json: a literal `+` is a space,
    # `%2B` a plus, repeated keys joined with commas, rawQueryString left as sent.
    sim = make_sim(BOT)
    seen = capture_inputs(sim, lambda inp: inp.event())
    raw = "repeat=one&repeat=two&redirect=https%3A%2F%2Fexample.com%2Fa%2Fb&literalPlus=a+b"
    call(sim, "GET", f"/capture/space%20value?{raw}&encodedPlus=a%2Bb&empty=")
    event = seen[0]
    assert event["rawQueryString"] == f"{raw}&encodedPlus=a%2Bb&empty="
    assert event["queryStringParameters"] == {
        "empty": "",
        "encodedPlus": "a+b",
        "literalPlus": "a b",
        "redirect": "https://example.com/a/b",
        "repeat": "one,two",
    }
    assert (event["rawPath"], event["requestContext"]["http"]["path"]) == (
        "/capture/space%20value",
        "/capture/space value",
    )


@settings(max_examples=40, deadline=None)
@given(
    segments=st.lists(st.text(min_size=1, max_size=8), max_size=3),
    value=st.text(max_size=10),
)
def test_any_path_reaches_the_function_as_sent(segments: list[str], value: str) -> None:
    sim = make_sim(BOT)
    seen = capture_inputs(sim, lambda inp: inp.event())
    path = "/" + "/".join(quote(s, safe="") for s in segments)
    resp = call(sim, "GET", path, query=[("q", value)])
    assert resp.status == 200 and resp.route == "$default"
    assert seen[0]["rawPath"] == path
    # Decoded, but for %25, which stays encoded (a choice; see docs/fidelity.md).
    decoded = "/" + "/".join(s.replace("%", "%25") for s in segments)
    assert seen[0]["requestContext"]["http"]["path"] == decoded
    assert seen[0]["queryStringParameters"] == {"q": value}


# -- answers -----------------------------------------------------------------------------------


def test_results_are_mapped_as_lambda_maps_them() -> None:
    behaviours = """\
behaviors:
  bot:
    response: "'Hello, world!'"
  cookie:
    response: "{statusCode: `201`, cookies: ['a=1; Max-Age=60'], body: 'made'}"
  broken:
    response: "{statusCode: `200`, body: `5`}"
"""
    sim = make_sim(
        stack(
            "bot: url: {enabled: true}",
            "cookie: url: {enabled: true}",
            "broken: url: {enabled: true}",
        ),
        behaviours,
    )
    hello = call(sim, function="bot")
    # A string is the body itself, without JSON's quotes (AWS answers `"hello"` with 5 bytes).
    assert (hello.status, hello.body) == (200, "Hello, world!")
    assert ("content-type", "application/json") in hello.headers
    assert ("content-length", "13") in hello.headers
    made = call(sim, function="cookie")
    assert (made.status, made.body) == (201, "made")
    assert ("set-cookie", "a=1; Max-Age=60") in made.headers
    # A response that names no content type is sent as application/json.
    assert [v for n, v in made.headers if n == "content-type"] == ["application/json"]
    broken = call(sim, function="broken")
    assert broken.status == 502 and "malformed Lambda response" in (broken.reason or "")
    assert broken.body == "Internal Server Error"


# What AWS answers for each result (LocalStack's AWS-validated TestLambdaURL snapshots, and
# re:Post for a list of Set-Cookie values): (result, status, body, content-type).
ANSWERS = [
    ({"hello": "world"}, 200, '{"hello":"world"}', "application/json"),
    ({"statusCode": 200, "body": "body123"}, 200, "body123", "application/json"),
    (["hello", 3, True], 200, '["hello",3,true]', "application/json"),
    ("hello", 200, "hello", "application/json"),
    (3, 200, "3", "application/json"),
    (3.1, 200, "3.1", "application/json"),
    (True, 200, "true", "application/json"),
    (None, 200, "null", "application/json"),
    ({"statusCode": "404", "headers": {"Content-Type": "text/html"}}, 404, "", "text/html"),
]


def test_each_kind_of_result_gets_the_answer_aws_gives() -> None:
    from stptui.sim.services.function_url import answer

    for result, status, body, media in ANSWERS:
        got_status, headers, got_body, why = answer(result)
        assert (got_status, got_body, why) == (status, body, None), result
        assert [v for n, v in headers if n.lower() == "content-type"] == [media], result


def test_a_list_header_is_sent_as_one_bracketed_value_and_multi_value_headers_are_ignored() -> None:
    from stptui.sim.services.function_url import answer

    status, headers, _, why = answer(
        {
            "statusCode": 200,
            "headers": {"Set-Cookie": ["a=1; Secure", "b=2"]},
            "multiValueHeaders": {"x-many": ["1", "2"]},
        }
    )
    assert (status, why) == (200, None)
    assert ("Set-Cookie", "[a=1; Secure, b=2]") in headers
    assert not [n for n, _ in headers if n.lower() == "x-many"]


def test_a_request_without_a_body_has_no_content_length() -> None:
    sim = make_sim(BOT)
    seen = capture_inputs(sim, lambda inp: inp.event())
    call(sim, "GET", "/")
    call(sim, "POST", "/", "{}")
    assert "content-length" not in seen[0]["headers"] and "body" not in seen[0]
    assert seen[1]["headers"]["content-length"] == "2"


def test_failures_and_timeouts_are_502_at_the_functions_own_timeout() -> None:
    sim = make_sim(
        stack("bot: url: {enabled: true}; timeout: 60", "bad: url: {enabled: true}"),
        "behaviors:\n  bot: {duration: 90s}\n  bad: {fail: true}\n",
    )
    slow = call(sim, function="bot")
    # No 30 s integration timeout: the function's 60 s is the limit.
    assert (slow.status, slow.latency_ms) == (502, 60_000)
    assert slow.body == "Internal Server Error"
    assert slow.reason == (
        "the function timed out: Sandbox.Timedout: Task timed out after 60.00 seconds"
    )
    failed = call(sim, function="bad")
    assert failed.status == 502 and failed.invocation_id is not None


def test_a_throttled_function_is_a_429() -> None:
    sim = make_sim(stack("bot: url: {enabled: true}; reservedConcurrency: 0"))
    resp = call(sim, "POST", "/hook%20a")
    assert resp.status == 429
    assert ("x-amzn-errortype", "TooManyRequestsException") in resp.headers
    assert records(sim, tk.INVOCATION_THROTTLED, "bot")
    # Its `http.response` repeats the request's line, as the `http.request` record has it.
    [response] = records(sim, tk.HTTP_RESPONSE, "bot")
    assert [response.get(k) for k in ("method", "path", "route", "status")] == [
        "POST",
        "/hook%20a",
        "$default",
        429,
    ]


def test_an_event_over_6_mb_is_refused_without_invoking() -> None:
    # As a client of a function URL captured it (a 10 MB upload): 413, the error type in a
    # header, Invoke's message as JSON.
    sim = make_sim(BOT)
    resp = call(sim, "POST", "/", "x" * (6 * 1024 * 1024))
    assert resp.status == 413
    assert resp.body == (
        '{"Message":"Request must be smaller than 6291456 bytes for the InvokeFunction operation"}'
    )
    assert ("x-amzn-errortype", "RequestEntityTooLargeException") in resp.headers
    assert ("content-type", "application/json") in resp.headers
    assert not records(sim, tk.INVOCATION_STARTED)


@pytest.mark.parametrize(("streaming", "status"), [(False, 502), (True, 200)])
def test_a_result_over_6_mb_is_a_502_unless_the_url_streams(streaming: bool, status: int) -> None:
    # Lambda returns at most 6 MB from a synchronous invoke; a streamed response may be
    # bigger (200 MB: docs/fidelity.md, "Function URLs").
    url = "{enabled: true" + (", responseStreamEnabled: true}" if streaming else "}")
    sim = make_sim(
        stack(f"bot: url: {url}"),
        "behaviors:\n  bot: {response: \"{statusCode: `200`, body: join('', [body, body])}\"}\n",
    )
    resp = call(sim, "POST", "/", "x" * (3 * 1024 * 1024 + 1024))
    assert resp.status == status and resp.invocation_id is not None
    if not streaming:
        assert resp.body == "Internal Server Error"
        assert "the limit is 6,291,456" in resp.reason


def test_a_bad_method_or_path_is_refused_and_changes_nothing() -> None:
    sim = make_sim(BOT)
    with pytest.raises(SimError, match="unknown HTTP method 'FETCH'") as info:
        call(sim, "fetch", "/webhook")
    assert info.value.hint == "one of GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS"
    with pytest.raises(SimError, match="the path must start with '/', not 'webhook'") as info:
        call(sim, "GET", "webhook", query=[("q", "1")])
    assert info.value.hint == "did you mean /webhook?"
    assert sim.trace.seq == 0
    # No id was drawn either: the next request is the first request of a new session.
    first = call(make_sim(BOT), "GET", "/webhook", query=[("q", "a b")])
    after = call(sim, "GET", "/webhook", query=[("q", "a b")])
    assert after.request_id == first.request_id
    assert after.status == 200


# -- AWS_IAM -----------------------------------------------------------------------------------


def test_aws_iam_refuses_an_unsigned_request_before_the_function_runs() -> None:
    sim = make_sim(REPORT)
    resp = call(sim)
    assert resp.status == 403
    assert json.loads(resp.body)["Message"].startswith("Forbidden.")
    assert ("x-amzn-errortype", "AccessDeniedException") in resp.headers
    assert not records(sim, tk.INVOCATION_STARTED)
    [auth] = records(sim, tk.HTTP_AUTHORIZATION, "report")
    assert (auth.data["authorizer"], auth.data["decision"]) == ("AWS_IAM", "deny")


def test_a_signed_request_carries_the_caller() -> None:
    sim = make_sim(REPORT)
    seen = capture_inputs(sim, lambda inp: inp.event())
    assert call(sim, signed=True).status == 200
    ctx = seen[0]["requestContext"]
    iam = ctx["authorizer"]["iam"]
    assert ctx["accountId"] == iam["accountId"] == sim.account_id
    assert iam["userArn"] == f"arn:aws:iam::{sim.account_id}:user/stptui"
    assert re.fullmatch(r"AKIA[0-9A-Z]{16}", iam["accessKey"])
    assert ctx["authentication"] is None


# -- CORS --------------------------------------------------------------------------------------


def test_cors_answers_preflights_itself_and_overrides_the_functions_headers() -> None:
    sim = make_sim(
        stack(
            "web: url: {enabled: true, authMode: AWS_IAM, "
            "cors: {enabled: true, allowedOrigins: ['https://app.example.com']}}"
        ),
        "behaviors:\n  web:\n    response: >-\n"
        "      {statusCode: `200`, headers: {\"access-control-allow-origin\": '*'}, body: 'x'}\n",
    )
    origin = ("origin", "https://app.example.com")
    pre = call(sim, "OPTIONS", "/", headers=[origin, ("access-control-request-method", "PUT")])
    assert pre.status == 200 and pre.invocation_id is None
    assert ("access-control-allow-origin", "https://app.example.com") in pre.headers
    assert not records(sim, tk.INVOCATION_STARTED)
    resp = call(sim, "GET", "/", headers=[origin], signed=True)
    allowed = [v for n, v in resp.headers if n == "access-control-allow-origin"]
    assert allowed == ["https://app.example.com"]  # the function's `*` is replaced


def test_cors_with_credentials_echoes_the_origin_for_a_wildcard() -> None:
    sim = make_sim(
        stack(
            "web: url: {enabled: true, cors: {enabled: true, allowCredentials: true, maxAge: 60}}",
            "open: url: {enabled: true, cors: {enabled: true}}",
        )
    )
    origin = ("origin", "https://app.example.com")
    asked = ("access-control-request-method", "POST")
    pre = call(sim, "OPTIONS", "/", headers=[origin, asked], function="web")
    # A browser refuses credentials with `*`: Lambda names the origin instead.
    assert ("access-control-allow-origin", "https://app.example.com") in pre.headers
    assert ("access-control-allow-credentials", "true") in pre.headers
    assert ("access-control-max-age", "60") in pre.headers
    resp = call(sim, "GET", "/", headers=[origin], function="web")
    assert ("access-control-allow-origin", "https://app.example.com") in resp.headers
    # Without credentials the wildcard stays, and without an Origin no CORS header is sent.
    assert ("access-control-allow-origin", "*") in call(
        sim, headers=[origin], function="open"
    ).headers
    bare = call(sim, "OPTIONS", "/", function="open")
    assert bare.invocation_id is not None  # no Origin: not a preflight, the function answers
    assert not [n for n, _ in bare.headers if n.startswith("access-control-")]


# -- the `http` command ------------------------------------------------------------------------


def session_of(tmp_path: Path, text: str, behaviours: str | None = None) -> Session:
    (tmp_path / "stacktape.yml").write_text(text, encoding="utf-8")
    if behaviours is not None:
        (tmp_path / "stptui.yml").write_text(behaviours, encoding="utf-8")
    return Session.open(tmp_path, start_ms=START)


def refusal(session: Session, line: str) -> CommandError:
    before = len(session.sim.trace.records)
    try:
        execute(session, line)
    except CommandError as exc:
        assert len(session.sim.trace.records) == before  # nothing changed
        return exc
    raise AssertionError(f"{line!r} was not refused")


def test_http_reaches_the_only_function_url_without_a_flag(tmp_path: Path) -> None:
    session = session_of(tmp_path, BOT, "behaviors:\n  bot: {response: '{ok: `true`}'}\n")
    result = execute(session, "http POST /telegram '{\"update_id\": 1}'")
    assert result.text.startswith("HTTP 200  (bot function URL, 100 ms)")
    assert result.data["body"] == '{"ok":true}'
    url = session.sim.resource_param("bot", "url")
    again = execute(session, f"http GET {url}status?x=1")
    assert again.data["status"] == 200
    routes = execute(session, "show routes")
    assert routes.table is not None
    assert routes.table[1] == [
        ["bot (function URL)", "any path, auth NONE", "bot (function)", "2.0"]
    ]


def test_http_says_which_function_urls_there_are(tmp_path: Path) -> None:
    session = session_of(
        tmp_path, stack("bot: url: {enabled: true}", "alerts: url: {enabled: true}", "plain:")
    )
    exc = refusal(session, "http GET /")
    assert "2 function URLs" in exc.message and "bot, alerts" in (exc.hint or "")
    assert "has no URL" in refusal(session, "http GET / --url plain").message
    assert "did you mean bot?" in (refusal(session, "http GET / --url bto").hint or "")
    assert "not the URL of a function" in refusal(session, "http GET https://x.example/").message
    # A URL urllib cannot split is refused as such, not a traceback.
    assert "not a well-formed URL" in refusal(session, "http GET 'https://[::1/x'").message
    url = session.sim.resource_param("bot", "url")
    assert "port 443 only" in refusal(session, f"http GET {url[:-1]}:8443/").message
    assert "not a well-formed URL" in refusal(session, f"http GET {url[:-1]}:x/").message
    assert "--jwt applies to" in refusal(session, "http GET / --url bot --jwt -").message


def test_signed_needs_a_function_url(tmp_path: Path) -> None:
    text = "resources:\n  api: {type: http-api-gateway}\n" + BOT.removeprefix("resources:\n")
    session = session_of(tmp_path, text)
    exc = refusal(session, "http GET / --signed")
    assert "--signed applies to a function URL" in exc.message
    # With an HTTP API in the stack, --url picks the function URL.
    assert execute(session, "http GET / --url bot").data["target"] == "bot"


def test_completion_offers_function_urls(tmp_path: Path) -> None:
    from stptui.commands import complete_values
    from stptui.commands import registry as r

    session = session_of(tmp_path, stack("bot: url: {enabled: true}", "plain:"))
    assert complete_values(session, r.FUNCTION_URL) == ["bot"]
    assert session.sim.resource_param("bot", "url") in complete_values(session, r.ROUTE_PATH)
