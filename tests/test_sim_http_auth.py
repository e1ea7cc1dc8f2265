"""HTTP API authorizers (Lambda and Cognito JWT) and CORS, as API Gateway applies them to the
routes Stacktape compiles (docs/fidelity.md, HTTP API rows)."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stptui.config import load_stack_text
from stptui.sim import trace as tk
from stptui.sim.engine import Simulator
from stptui.sim.services import http_auth
from tests.simkit import START, capture_inputs, make_sim, records

PACK = "packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}"


def stack(*, cors: str = "", authorizer: str = "", fmt: str = "2.0", method: str = "GET") -> str:
    auth = f"\n            authorizer: {authorizer}" if authorizer else ""
    return f"""resources:
  api:
    type: http-api-gateway
    properties:
      payloadFormat: '{fmt}'{cors}
  pool: {{type: user-auth-pool}}
  gate:
    type: function
    properties:
      {PACK}
  app:
    type: function
    properties:
      {PACK}
      events:
        - type: http-api-gateway
          properties:
            httpApiGatewayName: api
            path: /items/{{id}}
            method: {method}{auth}
"""


LAMBDA = "{type: lambda, properties: {functionName: gate, identitySources: [$request.header.key]}}"


def gate(response: str, **extra: str) -> str:
    more = "".join(f"\n    {k}: {v}" for k, v in extra.items())
    app = "  app:\n    response: '{statusCode: `200`}'\n"
    return f"behaviors:\n  gate:\n    duration: 10ms\n    response: {response!r}{more}\n{app}"


def call(sim: Simulator, method: str = "GET", path: str = "/items/1", **headers: str) -> Any:
    pairs = [(k.replace("_", "-"), v) for k, v in headers.items()]
    return sim.services["http"].call(method, path, headers=pairs)


def decisions(sim: Simulator) -> list[str]:
    return [str(r.data["decision"]) for r in records(sim, tk.HTTP_AUTHORIZATION)]


# -- Lambda authorizers ----------------------------------------------------------------------


def test_missing_identity_source_is_401_without_invoking_the_authorizer() -> None:
    sim = make_sim(stack(authorizer=LAMBDA), gate("{isAuthorized: `true`}"))
    resp = call(sim)
    assert (resp.status, resp.body) == (401, '{"message":"Unauthorized"}')
    assert sim.functions["gate"].invocations == 0
    assert sim.functions["app"].invocations == 0
    assert decisions(sim) == ["unauthorized"]


def test_simple_response_allows_denies_and_passes_its_context() -> None:
    verdict = "{isAuthorized: headers.key == 'ok', context: {tenant: 'acme', n: `1`}}"
    sim = make_sim(stack(authorizer=LAMBDA), gate(verdict))
    events = capture_inputs(sim, lambda inp: (inp.function, inp.event()))
    denied = call(sim, key="bad")
    assert (denied.status, denied.body) == (403, '{"message":"Forbidden"}')
    assert call(sim, key="ok").status == 200
    auth_event = events[0][1]
    assert list(auth_event)[:4] == ["version", "type", "routeArn", "identitySource"]
    assert auth_event["type"] == "REQUEST" and auth_event["identitySource"] == ["bad"]
    api_id = sim.services["http"].apis["api"].api_id
    assert auth_event["routeArn"].endswith(f":{api_id}/$default/GET/items/1")
    assert "body" not in auth_event
    app_event = next(e for fn, e in events if fn == "app")
    ctx = app_event["requestContext"]
    assert list(ctx)[:3] == ["accountId", "apiId", "authorizer"]
    assert ctx["authorizer"] == {"lambda": {"tenant": "acme", "n": 1}}


def test_payload_1_0_gets_the_context_itself() -> None:
    sim = make_sim(
        stack(authorizer=LAMBDA, fmt="1.0"), gate("{isAuthorized: `true`, context: {a: 'b'}}")
    )
    events = capture_inputs(sim, lambda inp: inp.event())
    call(sim, key="k")
    assert events[-1]["requestContext"]["authorizer"] == {"a": "b"}


def test_authorizer_failure_and_malformed_answer_are_500() -> None:
    sim = make_sim(stack(authorizer=LAMBDA), gate("{allowed: `true`}"))
    assert call(sim, key="k").status == 500
    assert "isAuthorized" in str(records(sim, tk.HTTP_AUTHORIZATION)[-1].data["reason"])
    sim = make_sim(stack(authorizer=LAMBDA), gate("{isAuthorized: `true`}", fail="true"))
    assert call(sim, key="k").status == 500
    assert decisions(sim) == ["error"]
    assert sim.functions["app"].invocations == 0


IAM = (
    "{type: lambda, properties: {functionName: gate, iamResponse: true, "
    "identitySources: [$request.header.key]}}"
)


def policy(effect: str, resource: str) -> str:
    return (
        "{principalId: 'u1', policyDocument: {Version: '2012-10-17', Statement: [{Action: "
        f"'execute-api:Invoke', Effect: '{effect}', Resource: ['{resource}']}}]}}, "
        "context: {role: 'admin'}}"
    )


@pytest.mark.parametrize(
    ("effect", "resource", "status"),
    [
        ("Allow", "arn:aws:execute-api:*:*:*/$default/GET/items/*", 200),
        ("Allow", "arn:aws:execute-api:*:*:*/$default/POST/*", 403),
        ("Deny", "*", 403),
    ],
)
def test_iam_response_is_evaluated_against_the_route_arn(
    effect: str, resource: str, status: int
) -> None:
    sim = make_sim(stack(authorizer=IAM, fmt="1.0"), gate(policy(effect, resource)))
    events = capture_inputs(sim, lambda inp: inp.event())
    assert call(sim, key="k").status == status
    if status == 200:
        assert events[-1]["requestContext"]["authorizer"] == {"role": "admin", "principalId": "u1"}


def test_cached_verdict_is_used_until_the_ttl_ends_on_the_virtual_clock() -> None:
    cached = LAMBDA.replace("]}}", "], cacheResultSeconds: 60}}")
    sim = make_sim(stack(authorizer=cached), gate("{isAuthorized: `true`}"))
    call(sim, key="a")
    call(sim, key="a")
    call(sim, key="b")  # another identity: its own verdict
    assert sim.functions["gate"].invocations == 2
    sim.advance(60_000)
    call(sim, key="a")
    assert sim.functions["gate"].invocations == 3
    cached_flags = [r.data["cached"] for r in records(sim, tk.HTTP_AUTHORIZATION)]
    assert cached_flags == [False, True, False, False]


def test_no_caching_without_cache_result_seconds() -> None:
    sim = make_sim(stack(authorizer=LAMBDA), gate("{isAuthorized: `true`}"))
    call(sim, key="a")
    call(sim, key="a")
    assert sim.functions["gate"].invocations == 2


def test_lambda_authorizer_without_identity_sources_runs_for_every_request() -> None:
    bare = "{type: lambda, properties: {functionName: gate}}"
    sim = make_sim(stack(authorizer=bare), gate("{isAuthorized: `true`}"))
    assert call(sim).status == 200
    assert sim.functions["gate"].invocations == 1


# -- JWT (cognito) authorizers ---------------------------------------------------------------

COGNITO = "{type: cognito, properties: {userPoolName: pool}}"


def token(sim: Simulator, **claims: Any) -> str:
    iss, client = sim.services["http"].pool_identity("pool")
    return http_auth.mint_token(iss, client, sim.clock.now // 1000, claims)


def test_valid_token_with_or_without_bearer_reaches_the_event_as_string_claims() -> None:
    sim = make_sim(stack(authorizer=COGNITO))
    events = capture_inputs(sim, lambda inp: inp.event())
    tok = token(sim, sub="u1", **{"cognito:groups": ["admin", "staff"]})
    assert call(sim, Authorization=f"Bearer {tok}").status == 200
    assert call(sim, Authorization=tok).status == 200
    jwt = events[-1]["requestContext"]["authorizer"]["jwt"]
    assert jwt["scopes"] is None
    assert jwt["claims"]["cognito:groups"] == "[admin staff]"
    assert jwt["claims"]["exp"] == str(START // 1000 + 3600)


def _forge(header: dict[str, Any], claims: dict[str, Any]) -> str:
    def part(obj: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    return f"{part(header)}.{part(claims)}.sig"


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"exp": START // 1000}, "expired"),
        ({"nbf": START // 1000 + 10}, "nbf"),
        ({"iss": "https://elsewhere"}, "iss"),
        ({"aud": "other-client"}, "aud"),
    ],
)
def test_invalid_claims_are_401_with_the_reason(change: dict[str, Any], why: str) -> None:
    sim = make_sim(stack(authorizer=COGNITO))
    resp = call(sim, Authorization=token(sim, **change))
    assert (resp.status, resp.body) == (401, '{"message":"Unauthorized"}')
    assert why in str(resp.reason)
    assert any(n == "www-authenticate" for n, _ in resp.headers)
    assert sim.functions["app"].invocations == 0


def test_client_id_counts_only_without_aud_and_alg_must_be_rsa() -> None:
    sim = make_sim(stack(authorizer=COGNITO))
    iss, client = sim.services["http"].pool_identity("pool")
    now = START // 1000
    access = {"iss": iss, "client_id": client, "exp": now + 60, "token_use": "access"}
    assert call(sim, Authorization=_forge({"alg": "RS256", "kid": "k"}, access)).status == 200
    assert call(sim, Authorization=_forge({"alg": "HS256", "kid": "k"}, access)).status == 401
    assert call(sim, Authorization=_forge({"alg": "RS256"}, access)).status == 401
    assert call(sim, Authorization="not-a-jwt").status == 401


@given(st.text(max_size=60))
def test_any_text_as_a_token_is_refused_without_an_error(text: str) -> None:
    verdict, claims = http_auth.jwt_verdict(text, "https://iss", "client", 1_000)
    assert verdict.status == 401 and claims is None


def test_http_jwt_option_mints_a_token_for_the_routes_pool(tmp_path: Any) -> None:
    from stptui.commands import CommandError, Session, execute

    (tmp_path / "stacktape.yml").write_text(stack(authorizer=COGNITO), encoding="utf-8")
    session = Session.open(tmp_path / "stacktape.yml", start_ms=START)
    assert "HTTP 200" in execute(session, "http GET /items/1 --jwt sub=u1").text
    assert "HTTP 401" in execute(session, "http GET /items/1 --jwt exp=0").text
    with pytest.raises(CommandError, match="number of seconds"):
        execute(session, "http GET /items/1 --jwt exp=soon")
    with pytest.raises(CommandError, match="CLAIM=VALUE"):
        execute(session, "http GET /items/1 --jwt sub")


def test_a_request_without_a_token_gets_the_options_that_send_one(tmp_path: Any) -> None:
    from stptui.commands import Session, execute

    # The 401 said the header was missing, not how stptui sends a token.
    (tmp_path / "stacktape.yml").write_text(stack(authorizer=COGNITO), encoding="utf-8")
    session = Session.open(tmp_path / "stacktape.yml", start_ms=START)
    text = execute(session, "http GET /items/1").text
    assert "HTTP 401" in text
    assert "\nhint: send a token of the route's user pool: --jwt sub=user-1 " in text
    assert "--user EMAIL sends the one a user's `sign-in` got\n" in text
    # A token that is there but bad is no case for it: the reason says what is wrong.
    assert "hint:" not in execute(session, "http GET /items/1 --jwt exp=0").text


# -- CORS ------------------------------------------------------------------------------------

CORS = (
    "\n      cors: {enabled: true, allowedOrigins: [https://a.example], allowCredentials: true,"
    " exposedResponseHeaders: [x-id], maxAge: 60}"
)
PREFLIGHT = {"origin": "https://a.example", "access_control_request_method": "GET"}


def test_preflight_no_route_takes_is_answered_by_the_gateway() -> None:
    sim = make_sim(stack(cors=CORS))
    resp = call(sim, "OPTIONS", **PREFLIGHT, access_control_request_headers="Content-Type")
    assert resp.status == 204 and resp.route is None and resp.body == ""
    got = dict(resp.headers)
    assert got["access-control-allow-origin"] == "https://a.example"
    assert got["access-control-allow-methods"] == "GET,OPTIONS"
    assert got["access-control-allow-headers"] == "content-type"
    assert got["access-control-allow-credentials"] == "true"
    assert got["access-control-max-age"] == "60"
    assert sim.functions["app"].invocations == 0


@pytest.mark.parametrize(
    ("extra", "refused"),
    [
        ({"origin": "https://b.example"}, "origin"),
        ({"access_control_request_method": "DELETE"}, "method"),
        ({"access_control_request_headers": "x-secret"}, "header"),
    ],
)
def test_refused_preflight_is_204_without_cors_headers(extra: dict[str, str], refused: str) -> None:
    sim = make_sim(stack(cors=CORS))
    resp = call(sim, "OPTIONS", **{**PREFLIGHT, **extra})
    assert resp.status == 204
    assert not [n for n, _ in resp.headers if n.startswith("access-control-")]
    assert refused in str(resp.reason)


def test_any_route_takes_the_preflight_with_its_authorizer() -> None:
    sim = make_sim(
        stack(cors=CORS, method="'*'", authorizer=LAMBDA), gate("{isAuthorized: `true`}")
    )
    resp = call(sim, "OPTIONS", **PREFLIGHT)
    assert resp.status == 401 and resp.route == "ANY /items/{id}"
    # The gateway's own 401 still carries the CORS headers for the allowed origin.
    assert dict(resp.headers)["access-control-allow-origin"] == "https://a.example"


def test_options_without_cors_headers_is_an_ordinary_request() -> None:
    sim = make_sim(stack(cors=CORS))
    assert call(sim, "OPTIONS").status == 404


def test_cors_headers_replace_the_integrations_own() -> None:
    response = "{statusCode: `200`, headers: {\"Access-Control-Allow-Origin\": '*', x: 'y'}}"
    sim = make_sim(stack(cors=CORS), f"behaviors:\n  app:\n    response: {json.dumps(response)}\n")
    got = call(sim, origin="https://a.example").headers
    assert ("access-control-allow-origin", "https://a.example") in got
    assert ("access-control-expose-headers", "x-id") in got
    assert not [v for n, v in got if n == "Access-Control-Allow-Origin"]
    other = call(sim, origin="https://b.example").headers
    assert not [n for n, _ in other if n.lower().startswith("access-control-")]


def test_stacktape_takes_allowed_headers_from_allowed_methods() -> None:
    cors = "\n      cors: {enabled: true, allowedMethods: [GET, POST], allowedHeaders: [x-a]}"
    loaded = load_stack_text(stack(cors=cors), "stacktape.yml")
    assert [d.code for d in loaded.diagnostics if d.severity == "warning"] == ["ignored-property"]
    sim = make_sim(stack(cors=cors))
    plain = call(sim, "OPTIONS", **PREFLIGHT)
    assert dict(plain.headers)["access-control-allow-origin"] == "*"
    # AllowHeaders is [GET, POST]: neither allowedHeaders' x-a nor content-type gets through.
    for header in ("x-a", "content-type"):
        refused = call(sim, "OPTIONS", **PREFLIGHT, access_control_request_headers=header)
        assert "header" in str(refused.reason)


# -- validate --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("authorizer", "code"),
    [
        ("{type: lambda, properties: {functionName: gat}}", "missing-resource"),
        ("{type: cognito, properties: {userPoolName: gate}}", "wrong-resource-type"),
        (
            "{type: lambda, properties: {functionName: gate, cacheResultSeconds: 30}}",
            "invalid-value",
        ),
        (
            "{type: cognito, properties: {userPoolName: pool, identitySources: [Authorization]}}",
            "invalid-value",
        ),
    ],
)
def test_validate_checks_the_authorizer(authorizer: str, code: str) -> None:
    loaded = load_stack_text(stack(authorizer=authorizer), "stacktape.yml")
    assert code in [d.code for d in loaded.errors]
