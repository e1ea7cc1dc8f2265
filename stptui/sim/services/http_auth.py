"""HTTP API authorizers and CORS, as API Gateway applies them to the routes Stacktape makes.

Sources: API Gateway developer guide, "Configure CORS for HTTP APIs", "Working with AWS Lambda
authorizers for HTTP APIs", "Controlling access to HTTP APIs with JWT authorizers";
Stacktape's compilation (`getCorsConfiguration`, `getHttpApiAuthorizerResource`):

* CORS (only with `cors.enabled`): AllowOrigins is `allowedOrigins` or `['*']`; AllowMethods
  `allowedMethods` or the gateway's event methods plus OPTIONS; AllowHeaders `allowedMethods`
  too (Stacktape's code reads that key for it), else its default header list;
  `allowedHeaders` is never read. A preflight (OPTIONS with `Origin` and
  `Access-Control-Request-Method`) that no route takes is answered by the gateway: 204, with
  the Access-Control-Allow-* headers when the origin, method and headers are allowed, without
  them when not. Other responses to a request with an allowed `Origin` get
  Access-Control-Allow-Origin (and Expose-Headers, Allow-Credentials); the integration's own
  `access-control-*` headers are dropped.
* Lambda authorizers: payload format 2.0, simple responses unless `iamResponse`, result TTL
  `cacheResultSeconds` (0: no caching), identity sources as written (none by default: the
  authorizer runs for every request). A missing or empty identity source is a 401 without
  invoking; `isAuthorized: false` or a policy that does not allow the routeArn a 403; a
  failed, throttled or malformed answer a 500.
* Cognito authorizers are JWT authorizers: issuer `https://cognito-idp.{region}.amazonaws.com/
  {poolId}`, audience the pool's app client id, identity `$request.header.Authorization`.
"""

from __future__ import annotations

import base64
import fnmatch
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from stptui.config.model import HttpApiGateway, WebServiceEntry

# Stacktape's AllowHeaders when `allowedMethods` is not written (getDefaultCorsConfiguration).
DEFAULT_CORS_HEADERS = (
    "Content-Type",
    "X-Amz-Date",
    "Authorization",
    "X-Api-Key",
    "X-Amz-Security-Token",
    "X-Amz-User-Agent",
)
UNAUTHORIZED = '{"message":"Unauthorized"}'
FORBIDDEN = '{"message":"Forbidden"}'
# JWT authorizers verify with RSA keys only ("Currently, only RSA-based algorithms are
# supported"); stptui cannot check the signature itself (it has no key), only the algorithm.
RSA_ALGORITHMS = frozenset({"RS256", "RS384", "RS512"})
_NUMERIC_CLAIMS = frozenset({"exp", "nbf", "iat", "auth_time"})


# -- CORS ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Cors:
    """An HTTP API's CorsConfiguration as Stacktape deploys it."""

    origins: tuple[str, ...]
    methods: tuple[str, ...]
    headers: tuple[str, ...]
    credentials: bool
    expose: tuple[str, ...]
    max_age: int | None


def cors_of(gateway: HttpApiGateway | WebServiceEntry, event_methods: list[str]) -> Cors | None:
    """The gateway's CORS configuration (a web-service's HTTP API has the service's), or
    None when CORS is not enabled. `event_methods` are the methods of its routes' events as
    written (`*` for any)."""
    cfg = gateway.cors
    if cfg is None:
        return None

    def strings(key: str) -> tuple[str, ...] | None:
        value = cfg.get(key)
        return tuple(str(v) for v in value) if isinstance(value, list) else None

    methods = strings("allowedMethods")
    default_methods = (*dict.fromkeys(event_methods), "OPTIONS")
    max_age = cfg.get("maxAge")
    return Cors(
        origins=strings("allowedOrigins") or ("*",),
        methods=methods or default_methods,
        headers=methods or DEFAULT_CORS_HEADERS,
        credentials=cfg.get("allowCredentials") is True,
        expose=strings("exposedResponseHeaders") or (),
        max_age=int(max_age) if isinstance(max_age, (int, float)) else None,
    )


def is_preflight(method: str, origin: str | None, request_method: str | None) -> bool:
    """A CORS preflight: OPTIONS with both `Origin` and `Access-Control-Request-Method`."""
    return method == "OPTIONS" and bool(origin) and bool(request_method)


def allowed_origin(cors: Cors, origin: str | None) -> str | None:
    """The Access-Control-Allow-Origin value for `origin`, or None when it is not allowed."""
    if not origin:
        return None
    if "*" in cors.origins:
        return "*"
    low = origin.lower()
    return origin if any(o.lower() == low for o in cors.origins) else None


def preflight_headers(
    cors: Cors, origin: str, request_method: str, request_headers: str | None
) -> tuple[list[tuple[str, str]], str]:
    """The gateway's answer to a preflight: (its Access-Control-* headers, why). The headers
    are empty when the origin, the method or one of the headers is not allowed."""
    allow_origin = allowed_origin(cors, origin)
    if allow_origin is None:
        return [], f"CORS preflight: origin {origin!r} is not allowed"
    methods = {m.upper() for m in cors.methods}
    if "*" not in methods and request_method.upper() not in methods:
        return [], f"CORS preflight: method {request_method!r} is not allowed"
    asked = [h.strip().lower() for h in (request_headers or "").split(",") if h.strip()]
    allowed = {h.lower() for h in cors.headers}
    refused = [h for h in asked if "*" not in allowed and h not in allowed]
    if refused:
        return [], f"CORS preflight: header {refused[0]!r} is not allowed"
    out = [("access-control-allow-origin", allow_origin)]
    if cors.credentials:
        out.append(("access-control-allow-credentials", "true"))
    out.append(("access-control-allow-methods", ",".join(cors.methods)))
    if asked:
        out.append(("access-control-allow-headers", ",".join(asked)))
    if cors.max_age is not None:
        out.append(("access-control-max-age", str(cors.max_age)))
    return out, "CORS preflight answered by API Gateway"


def with_cors(
    cors: Cors, origin: str | None, headers: list[tuple[str, str]]
) -> list[tuple[str, str]]:
    """A response's headers under CORS: the integration's `access-control-*` headers are
    ignored, and an allowed origin gets the configured ones."""
    out = [(n, v) for n, v in headers if not n.lower().startswith("access-control-")]
    allow_origin = allowed_origin(cors, origin)
    if allow_origin is None:
        return out
    out.append(("access-control-allow-origin", allow_origin))
    if cors.credentials:
        out.append(("access-control-allow-credentials", "true"))
    if cors.expose:
        out.append(("access-control-expose-headers", ",".join(cors.expose)))
    return out


# -- Lambda authorizers ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Verdict:
    """An authorizer's decision: `status` None to let the request through, else the
    gateway's answer (401, 403, 500); `context` what reaches the integration's event."""

    status: int | None
    reason: str
    context: dict[str, Any] | None = None
    principal: str | None = None


def route_arn(region: str, account: str, api_id: str, method: str, raw_path: str) -> str:
    """The routeArn a Lambda authorizer is given and an IAM policy is matched against."""
    return f"arn:aws:execute-api:{region}:{account}:{api_id}/$default/{method}/{raw_path[1:]}"


def simple_verdict(result: Any) -> Verdict:
    """A simple response (`EnableSimpleResponses`): `{isAuthorized, context?}`."""
    if not isinstance(result, dict) or not isinstance(result.get("isAuthorized"), bool):
        return Verdict(500, "malformed authorizer response: needs a boolean isAuthorized")
    context = result.get("context")
    if context is not None and not isinstance(context, dict):
        return Verdict(500, "malformed authorizer response: context must be an object")
    if not result["isAuthorized"]:
        return Verdict(403, "the authorizer answered isAuthorized: false")
    return Verdict(None, "the authorizer answered isAuthorized: true", context)


def iam_verdict(result: Any, arn: str) -> Verdict:
    """An IAM policy response: an explicit Deny of execute-api:Invoke on the routeArn wins,
    else an Allow lets the request through, else it is refused (403)."""
    policy = result.get("policyDocument") if isinstance(result, dict) else None
    statements = policy.get("Statement") if isinstance(policy, dict) else None
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list) or not all(isinstance(s, dict) for s in statements):
        return Verdict(500, "malformed authorizer response: needs policyDocument.Statement")
    context = result.get("context")
    if context is not None and not isinstance(context, dict):
        return Verdict(500, "malformed authorizer response: context must be an object")
    principal = result.get("principalId")
    principal = principal if isinstance(principal, str) else None
    effects = [str(s.get("Effect")) for s in statements if _applies(s, arn)]
    if "Deny" in effects:
        return Verdict(403, f"the authorizer's policy denies execute-api:Invoke on {arn}")
    if "Allow" not in effects:
        return Verdict(403, f"the authorizer's policy does not allow execute-api:Invoke on {arn}")
    return Verdict(None, f"the authorizer's policy allows {arn}", context, principal)


def _applies(statement: dict[str, Any], arn: str) -> bool:
    def listed(key: str) -> list[str]:
        value = statement.get(key)
        return [value] if isinstance(value, str) else [v for v in value or [] if isinstance(v, str)]

    actions = [a.lower() for a in listed("Action")]
    if not any(fnmatch.fnmatchcase("execute-api:invoke", a) for a in actions):
        return False
    return any(fnmatch.fnmatchcase(arn, r) for r in listed("Resource"))


def identity_values(
    sources: tuple[str, ...],
    headers: list[tuple[str, str]],
    query: list[tuple[str, str]],
    context: dict[str, Any],
) -> tuple[list[str], str | None]:
    """The values of a route's identity sources, and the first missing or empty one (None
    when all are there). Several values of one header or parameter are joined by commas."""
    values: list[str] = []
    for source in sources:
        if source.startswith("$request."):
            kind, _, name = source[len("$request.") :].partition(".")
        else:  # $context.NAME, $stageVariables.NAME
            kind, _, name = source[1:].partition(".")
        if kind == "header":
            found = [v for n, v in headers if n.lower() == name.lower()]
        elif kind == "querystring":
            found = [v for n, v in query if n == name]
        elif kind == "context":
            value: Any = context
            for part in name.split("."):
                value = value.get(part) if isinstance(value, dict) else None
            found = [str(value)] if value is not None and not isinstance(value, dict) else []
        else:  # $stageVariables: the $default stage has none
            found = []
        joined = ",".join(found)
        if not joined:
            return values, source
        values.append(joined)
    return values, None


# -- JWT (Cognito) authorizers ---------------------------------------------------------------


def issuer(region: str, pool_id: str) -> str:
    """A Cognito user pool's token issuer, the JWT authorizer's `Issuer`."""
    return f"https://cognito-idp.{region}.amazonaws.com/{pool_id}"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def mint_token(
    iss: str, client_id: str, now_s: int, claims: dict[str, Any], lifetime_s: int = 3600
) -> str:
    """An ID token as the pool would issue it (RS256, `kid`), for `now_s`, expiring
    `lifetime_s` later (the pool's ID token validity, an hour by default); `claims` add to
    or replace its claims. The signature is a stand-in: stptui has no key to sign with."""
    header = {"kid": hashlib.sha256(iss.encode()).hexdigest()[:43], "alg": "RS256"}
    payload: dict[str, Any] = {
        "sub": claims.get("sub", "00000000-0000-4000-8000-000000000000"),
        "aud": client_id,
        "token_use": "id",
        "auth_time": now_s,
        "iss": iss,
        "exp": now_s + lifetime_s,
        "iat": now_s,
    }
    payload.update(claims)
    head = _b64url(json.dumps(header, separators=(",", ":")).encode())
    body = _b64url(json.dumps(payload, separators=(",", ":")).encode())
    signature = _b64url(hashlib.sha256(f"{head}.{body}".encode()).digest())
    return f"{head}.{body}.{signature}"


def claim_value(text: str, name: str) -> Any:
    """A `--jwt` claim's value: a number for the time claims, else the text."""
    if name in _NUMERIC_CLAIMS:
        try:
            return int(text)
        except ValueError:
            raise ValueError(f"claim {name!r} must be a number of seconds, not {text!r}") from None
    return text


def jwt_verdict(
    token_text: str, iss: str, client_id: str, now_s: int
) -> tuple[Verdict, dict[str, Any] | None]:
    """Validate a JWT as an HTTP API JWT authorizer does (the signature aside): (the
    verdict, the token's claims when it is valid)."""
    token = token_text.strip()
    if token[:7].lower() == "bearer ":
        token = token[7:].strip()
    parts = token.split(".")
    if len(parts) != 3:
        return Verdict(401, "the token is not a JWT (three base64url parts)"), None
    try:
        header = json.loads(_unb64url(parts[0]))
        claims = json.loads(_unb64url(parts[1]))
    except ValueError:
        return Verdict(401, "the token's header or payload is not base64url JSON"), None
    if not isinstance(header, dict) or not isinstance(claims, dict):
        return Verdict(401, "the token's header and payload must be JSON objects"), None
    if header.get("alg") not in RSA_ALGORITHMS:
        return Verdict(401, f"the token's alg {header.get('alg')!r} is not RS256/384/512"), None
    if not isinstance(header.get("kid"), str):
        return Verdict(401, "the token's header has no kid"), None
    if claims.get("iss") != iss:
        return Verdict(401, f"the token's iss {claims.get('iss')!r} is not {iss!r}"), None
    aud = claims.get("aud")
    if aud is not None:
        auds = aud if isinstance(aud, list) else [aud]
        if client_id not in auds:
            return Verdict(401, f"the token's aud {aud!r} is not the client {client_id!r}"), None
    elif claims.get("client_id") != client_id:
        return Verdict(401, f"the token has no aud, and client_id is not {client_id!r}"), None
    exp = claims.get("exp")
    if not _number(exp) or now_s >= exp:
        return Verdict(401, f"the token has expired (exp {exp!r}, now {now_s})"), None
    for name in ("nbf", "iat"):
        value = claims.get(name)
        if value is not None and (not _number(value) or value > now_s):
            return Verdict(401, f"the token's {name} {value!r} is after now ({now_s})"), None
    return Verdict(None, "the token is valid (its signature is not checked)"), claims


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def claims_as_strings(claims: dict[str, Any]) -> dict[str, str]:
    """Claims as an HTTP API hands them to the integration: every value a string, a list as
    `[a b]`, as captured events show (`"cognito:groups": "[admin staff]"`)."""

    def text(value: Any) -> str:
        if isinstance(value, str):
            return value
        if isinstance(value, list):
            return "[" + " ".join(text(v) for v in value) + "]"
        return json.dumps(value, separators=(",", ":"))

    return {name: text(value) for name, value in claims.items()}


def www_authenticate(reason: str) -> str:
    """The `www-authenticate` header of a JWT authorizer's 401."""
    safe = reason.replace('"', "'")
    return f'Bearer scope="" error="invalid_token" error_description="{safe}"'
