"""Lambda function URLs: the HTTPS endpoint a function with `url` (or a `cdn`) gets, its
request event, its answer and its own refusals.

Rules (Lambda developer guide, "Invoking Lambda function URLs", "Creating and managing
Lambda function URLs", "Security and auth model"; Stacktape's `getLambdaUrl`):

* The endpoint is `https://<url-id>.lambda-url.<region>.on.aws/` and takes every path:
  there are no routes. The function gets payload format 2.0 with the function URL's own
  values: `routeKey` and `stage` are the placeholder `$default`, `apiId` and `domainPrefix`
  the url-id, `requestId` the invocation's request id (the `x-amzn-requestid` header and the
  handler's `context.aws_request_id`); no `pathParameters` or `stageVariables`. Under auth
  type NONE `requestContext.accountId` is `anonymous` (as captured events show); under
  AWS_IAM it is the caller's account and `requestContext.authorizer.iam` the caller.
  Headers, cookies, the query and a binary body are read as an HTTP API's 2.0 event reads
  them, but for two things live captures show: `rawPath` is the path as sent, still
  percent-encoded (`requestContext.http.path` has it decoded), and the `cookie` header
  stays in `headers` beside `cookies`.
* AWS_IAM: a request without a SigV4 signature is refused before the function runs, 403
  `{"Message":"Forbidden. ..."}` with `x-amzn-ErrorType: AccessDeniedException`. The `http`
  command's `--signed` stands for a request signed by a user of the stack's own account.
* The function is invoked synchronously with no gateway timeout of its own: the function's
  timeout is the limit. Its result is mapped as the guide says, with the details that
  responses recorded from AWS show (LocalStack's AWS-validated `TestLambdaURL` snapshots):
  an object with `statusCode` is the response (`headers`, `cookies` as `set-cookie`,
  `isBase64Encoded`; `content-type: application/json` unless its headers name one;
  `multiValueHeaders` is not read); a string is a 200 `application/json` whose body is the
  string itself, without quotes; anything else a 200 `application/json` whose body is the
  result's compact JSON. A function error, a timeout or a result Lambda cannot use is a 502
  with the body `Internal Server Error`; a throttle (reserved concurrency) a 429; a request
  event over 6 MB a 413 (`x-amzn-ErrorType: RequestEntityTooLargeException`); a result over
  6 MB (200 MB with response streaming) a 502.
* CORS (only when Stacktape configures it, see FunctionUrlConfig): Lambda answers a preflight
  itself and adds the configured headers to every response, replacing the function's own.
  With `allowCredentials` and the origin `*`, the request's Origin is echoed (a browser
  refuses credentials with `*`).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from stptui.config.model import FunctionUrlConfig
from stptui.jsontext import compact_json
from stptui.sim import trace as tk
from stptui.sim.clock import http_date
from stptui.sim.services import http_auth
from stptui.sim.services.function import SYNC_PAYLOAD_BYTES, event_too_large, result_too_large
from stptui.sim.services.http import (
    CLIENT_IP,
    PROTOCOL,
    USER_AGENT,
    HttpResponse,
    await_response,
    body_bytes,
    by_name,
    comma_joined,
    decoded_path,
    function_failed,
    header_value,
    interpret,
    json_headers,
    lambda_body,
    media_type_of,
    parse_query,
    request_line,
    request_time,
    with_query,
)
from stptui.sim.services.http_auth import Cors
from stptui.textsafe import quote_word, typed_names

if TYPE_CHECKING:
    from stptui.sim.behavior import Outcome
    from stptui.sim.engine import Simulator

DEFAULT = "$default"  # routeKey and stage: placeholders a function URL does not use
ANONYMOUS = "anonymous"  # requestContext.accountId of a request to an auth type NONE URL
# A streamed response may be 200 MB: "RESPONSE_STREAM ... The maximum response payload size is
# 200 MB" (Lambda API reference, FunctionUrlConfig `InvokeMode`; 20 MB before 31 July 2025,
# as Stacktape's `responseStreamEnabled` docs still say).
STREAMED_RESPONSE_BYTES = 200 * 1024 * 1024
FORBIDDEN = json.dumps(
    {
        "Message": "Forbidden. For troubleshooting Function URL authorization issues, see: "
        "https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html"
    },
    separators=(",", ":"),
)
# The body of a 502: plain text, as AWS answers it (LocalStack's AWS-validated
# test_lambda_url_invocation_exception), under the URL's default JSON content type.
INTERNAL_ERROR = "Internal Server Error"
THROTTLED = '{"Message":"Rate Exceeded."}'
TOO_LARGE = (
    '{"Message":"Request must be smaller than 6291456 bytes for the InvokeFunction operation"}'
)
# The TLS headers a function URL adds to the request (captured events).
TLS_HEADERS = (
    ("x-amzn-tls-cipher-suite", "ECDHE-RSA-AES128-GCM-SHA256"),
    ("x-amzn-tls-version", "TLSv1.2"),
)
# The stand-in IAM user whose signature `--signed` stands for.
SIGNER_NAME = "stptui"


@dataclass(frozen=True, slots=True)
class FunctionUrl:
    """One function's URL: where it answers and how Stacktape configured it."""

    function: str
    url: str  # https://<url-id>.lambda-url.<region>.on.aws/
    config: FunctionUrlConfig
    cors: Cors | None

    @property
    def domain(self) -> str:
        """`<url-id>.lambda-url.<region>.on.aws`."""
        return self.url.removeprefix("https://").rstrip("/")

    @property
    def url_id(self) -> str:
        """The url-id (the event's `apiId` and `domainPrefix`)."""
        return self.domain.split(".", 1)[0]


@dataclass(slots=True)
class UrlExchange:
    """One request to a function URL in flight (the response is set when it arrives)."""

    url: FunctionUrl
    method: str
    request_id: str
    started: int
    origin: str | None
    raw_path: str = ""  # as the client sent it (the `http.request` record's)
    event: dict[str, Any] = field(default_factory=dict)
    response: HttpResponse | None = None
    invocation_id: str | None = None


def cors_of(config: FunctionUrlConfig) -> Cors | None:
    """The URL's CORS configuration in the form API Gateway's CORS code reads, or None."""
    if config.cors_origins is None:
        return None
    return Cors(
        origins=config.cors_origins,
        methods=config.cors_methods,
        headers=config.cors_headers,
        credentials=config.cors_credentials,
        expose=config.cors_expose,
        max_age=config.cors_max_age,
    )


class FunctionUrlService:
    """Every function URL of the stack; requests from the `http` command."""

    def __init__(self, sim: Simulator) -> None:
        self.sim = sim
        self.urls: dict[str, FunctionUrl] = {}
        for fn in sim.stack.functions:
            if fn.url is not None:
                self.urls[fn.name] = FunctionUrl(
                    fn.name, sim.resource_param(fn.name, "url"), fn.url, cors_of(fn.url)
                )

    def url(self, name: str | None) -> FunctionUrl:
        """The function URL a request goes to: `name`'s, or the stack's only one. SimError
        (listing the choices) otherwise."""
        from stptui.config.diagnostics import did_you_mean
        from stptui.sim.engine import SimError

        names = typed_names(self.urls) or "(none)"
        if name is None:
            if len(self.urls) == 1:
                return next(iter(self.urls.values()))
            if not self.urls:
                raise SimError(
                    "this stack has no function URLs",
                    "a function gets one with `url: {enabled: true}`",
                )
            raise SimError(
                f"this stack has {len(self.urls)} function URLs; say which one",
                f"add --url FN (one of {names})",
            )
        hit = self.urls.get(name)
        if hit is not None:
            return hit
        if name in self.sim.functions:
            raise SimError(
                f"function {name!r} has no URL",
                f"give it `url: {{enabled: true}}`; functions with one: {names}",
                word=name,
            )
        guess = did_you_mean(name, self.urls)
        raise SimError(
            f"no function URL of a function named {name!r}",
            f"did you mean {quote_word(guess)}?" if guess else f"functions with a URL: {names}",
            word=name,
        )

    def by_host(self, host: str) -> FunctionUrl | None:
        """The function URL whose domain is `host` (any case), or None."""
        low = host.lower()
        return next((u for u in self.urls.values() if u.domain == low), None)

    # -- requests ------------------------------------------------------------------------

    def call(
        self,
        method: str,
        path: str,
        body: str | None = None,
        *,
        headers: list[tuple[str, str]] | None = None,
        query: list[tuple[str, str]] | None = None,
        function: str | None = None,
        signed: bool = False,
    ) -> HttpResponse:
        """Send a request and run the clock until its response (other due events run too)."""
        ex = self.start(
            method, path, body, headers=headers, query=query, function=function, signed=signed
        )
        return await_response(self.sim, ex)

    def start(
        self,
        method: str,
        path: str,
        body: str | None = None,
        *,
        headers: list[tuple[str, str]] | None = None,
        query: list[tuple[str, str]] | None = None,
        function: str | None = None,
        signed: bool = False,
    ) -> UrlExchange:
        """Send a request now; its `response` is set when it arrives. Raises SimError,
        changing nothing, on a bad method, path or function."""
        url = self.url(function)
        method, raw_path, raw_query = request_line(method, path, "/webhook")
        raw_query = with_query(raw_query, query)
        sim = self.sim
        now = sim.clock.now
        given = list(headers or [])
        ex = UrlExchange(url, method, sim.new_id(), now, header_value(given, "origin"), raw_path)
        sim.trace.emit(
            (
                now,
                tk.HTTP_REQUEST,
                url.function,
                {
                    "request_id": ex.request_id,
                    "gateway": url.function,
                    "method": method,
                    "path": raw_path,
                    "route": DEFAULT,
                    "target": url.function,
                },
            )
        )
        asked_method = header_value(given, "access-control-request-method")
        if url.cors is not None and http_auth.is_preflight(method, ex.origin, asked_method):
            # Lambda answers a preflight itself, before authentication: a browser does not
            # sign one (stptui's choice of status: 200, see docs/fidelity.md).
            cors_headers, why = http_auth.preflight_headers(
                url.cors,
                ex.origin or "",
                asked_method or "",
                header_value(given, "access-control-request-headers"),
            )
            why = why.replace("answered by API Gateway", "answered by the function URL")
            cors_headers = _echo_origin(url.cors, ex.origin, cors_headers)
            self._respond(ex, 200, cors_headers, "", why, cors=False)
            return ex
        if url.config.auth_type == "AWS_IAM":
            decision = "allow" if signed else "deny"
            reason = (
                f"signed (SigV4) by {self._signer()['userArn']}, which may invoke it"
                if signed
                else "auth type AWS_IAM: the request is not signed with SigV4"
            )
            sim.trace.emit(
                (
                    now,
                    tk.HTTP_AUTHORIZATION,
                    url.function,
                    {
                        "request_id": ex.request_id,
                        "authorizer": "AWS_IAM",
                        "decision": decision,
                        "reason": reason,
                    },
                )
            )
            if not signed:
                refused = [("x-amzn-errortype", "AccessDeniedException")]
                self._respond(ex, 403, json_headers() + refused, FORBIDDEN, reason)
                return ex
        # Under auth type NONE Lambda does not check a signature, and the event names no
        # caller (its accountId is `anonymous`), signed or not.
        signed = signed and url.config.auth_type == "AWS_IAM"
        ex.event = self._event(ex, raw_path, raw_query, given, body, signed)
        self._invoke(ex)
        return ex

    def _invoke(self, ex: UrlExchange) -> None:
        from stptui.sim.engine import SimError

        sim = self.sim
        url = ex.url
        too_large = event_too_large(ex.event)
        if too_large is not None:
            refused = [("x-amzn-errortype", "RequestEntityTooLargeException")]
            self._respond(ex, 413, json_headers() + refused, TOO_LARGE, too_large)
            return

        def done(outcome: Outcome, inv_id: str) -> None:
            ex.invocation_id = inv_id
            if outcome.status != "success":
                self._respond(ex, 502, json_headers(), INTERNAL_ERROR, function_failed(outcome))
                return
            limit = STREAMED_RESPONSE_BYTES if url.config.streaming else SYNC_PAYLOAD_BYTES
            too_large = result_too_large(outcome.response, limit)
            if too_large is not None:
                self._respond(ex, 502, json_headers(), INTERNAL_ERROR, too_large)
                return
            status, headers, body, why = answer(outcome.response)
            self._respond(ex, status, headers, body, why)

        try:
            sim.invoke_sync(url.function, ex.event, done, "function-url", ex.request_id)
        except SimError as exc:
            # A throttle (TooManyRequestsException): the only refusal left at this point.
            throttled = [("x-amzn-errortype", "TooManyRequestsException")]
            self._respond(ex, 429, json_headers() + throttled, THROTTLED, str(exc))

    def _respond(
        self,
        ex: UrlExchange,
        status: int,
        headers: list[tuple[str, str]],
        body: str,
        reason: str | None,
        *,
        cors: bool = True,
    ) -> None:
        sim = self.sim
        now = sim.clock.now
        if cors and ex.url.cors is not None:
            headers = _echo_origin(
                ex.url.cors, ex.origin, http_auth.with_cors(ex.url.cors, ex.origin, headers)
            )
        have = {name.lower() for name, _ in headers}
        extra = [
            ("content-length", str(body_bytes(body))),
            ("date", http_date(now)),
            ("x-amzn-requestid", ex.request_id),
        ]
        ex.response = HttpResponse(
            status,
            headers + [(k, v) for k, v in extra if k not in have],
            body,
            ex.request_id,
            now - ex.started,
            ex.url.function,
            DEFAULT,
            ex.url.function,
            reason,
            ex.invocation_id,
            method=ex.method,
            path=ex.raw_path,
        )
        sim.trace.emit((now, tk.HTTP_RESPONSE, ex.url.function, ex.response.record()))
        sim.services["http"].answers.keep(ex.response)

    # -- the event -------------------------------------------------------------------------

    def _signer(self) -> dict[str, Any]:
        """`requestContext.authorizer.iam` of a request `--signed` sends: a user of the
        stack's own account, with ids made from the account (the same in every session)."""
        account = self.sim.account_id
        digest = hashlib.sha256(f"{account}/{SIGNER_NAME}".encode()).hexdigest().upper()
        user_id = f"AIDA{digest[:17]}"
        return {
            "accessKey": f"AKIA{digest[17:33]}",
            "accountId": account,
            "callerId": user_id,
            "cognitoIdentity": None,
            "principalOrgId": None,
            "userArn": f"arn:aws:iam::{account}:user/{SIGNER_NAME}",
            "userId": user_id,
        }

    def _event(
        self,
        ex: UrlExchange,
        raw_path: str,
        raw_query: str,
        given: list[tuple[str, str]],
        body: str | None,
        signed: bool,
    ) -> dict[str, Any]:
        """The payload format 2.0 event of a function URL, keys in the order of captured
        events; empty parts are left out."""
        url = ex.url
        headers = self._headers(url, given, body, ex.started, ex.request_id)
        cookies = [
            c.strip() for n, v in headers if n == "cookie" for c in v.split(";") if c.strip()
        ]
        event: dict[str, Any] = {
            "version": "2.0",
            "routeKey": DEFAULT,
            # As sent, still percent-encoded (an HTTP API decodes it): live captures.
            "rawPath": raw_path,
            "rawQueryString": raw_query,
        }
        if cookies:
            event["cookies"] = cookies
        # Unlike an HTTP API, a function URL leaves the cookie header in `headers` too.
        event["headers"] = by_name(comma_joined(headers))
        query = parse_query(raw_query)
        if query:
            event["queryStringParameters"] = by_name(comma_joined(query))
        context: dict[str, Any] = {
            "accountId": self.sim.account_id if signed else ANONYMOUS,
            "apiId": url.url_id,
        }
        if signed:
            context["authentication"] = None
            context["authorizer"] = {"iam": self._signer()}
        context.update(
            {
                "domainName": url.domain,
                "domainPrefix": url.url_id,
                "http": {
                    "method": ex.method,
                    "path": decoded_path(raw_path),
                    "protocol": PROTOCOL,
                    "sourceIp": CLIENT_IP,
                    "userAgent": header_value(headers, "user-agent") or "",
                },
                "requestId": ex.request_id,
                "routeKey": DEFAULT,
                "stage": DEFAULT,
                "time": request_time(ex.started),
                "timeEpoch": ex.started,
            }
        )
        event["requestContext"] = context
        text, encoded = lambda_body(headers, body)
        if text is not None:
            event["body"] = text
        event["isBase64Encoded"] = encoded
        return event

    def _headers(
        self,
        url: FunctionUrl,
        given: list[tuple[str, str]],
        body: str | None,
        now: int,
        request_id: str,
    ) -> list[tuple[str, str]]:
        """The request's headers as the function sees them (lower-case names): what the
        client sent, plus what a client and Lambda add unless the client set them. The
        stand-in client labels a body without a content type as JSON when it is JSON, else
        as plain text, as for an HTTP API."""
        trace_id = hashlib.sha256(request_id.encode()).hexdigest()[:24]
        # A request without a body has no content-length (the captured GET events).
        length = [] if body is None else [("content-length", str(body_bytes(body)))]
        defaults: list[tuple[str, str]] = [
            *length,
            ("host", url.domain),
            ("user-agent", USER_AGENT),
            *TLS_HEADERS,
            ("x-amzn-trace-id", f"Root=1-{now // 1000:08x}-{trace_id}"),
            ("x-forwarded-for", CLIENT_IP),
            ("x-forwarded-port", "443"),
            ("x-forwarded-proto", "https"),
        ]
        if body:
            defaults.append(("content-type", media_type_of(body)))
        sent = [(name.lower(), value) for name, value in given]
        names = {name for name, _ in sent}
        return [item for item in defaults if item[0] not in names] + sent

    # -- views ---------------------------------------------------------------------------

    def listing(self) -> list[dict[str, Any]]:
        """Every function URL, for `show routes`: the function, its URL, auth type and CORS."""
        return [
            {
                "function": u.function,
                "url": u.url,
                "auth_type": u.config.auth_type,
                "cors": u.cors is not None,
                "invoke_mode": "RESPONSE_STREAM" if u.config.streaming else "BUFFERED",
            }
            for u in self.urls.values()
        ]


def answer(result: Any) -> tuple[int, list[tuple[str, str]], str, str | None]:
    """How Lambda turns a function's result into the URL's response: (status, headers, body,
    reason). A string is a 200 JSON response of the string itself; another result without
    `statusCode` a 200 JSON response of the result's JSON; one with it is read as an HTTP
    API's 2.0 response is, with `content-type: application/json` unless it names one; one
    Lambda cannot read is a 502."""
    if isinstance(result, str):
        # AWS answers `"hello"` with the body `hello` (content-length 5), not the JSON text
        # the guide's string example shows.
        return 200, json_headers(), result, None
    if not (isinstance(result, dict) and "statusCode" in result):
        return 200, json_headers(), compact_json(result), None
    status, headers, body, why = interpret("2.0", _listed_headers(result))
    if why is not None:
        return 502, json_headers(), INTERNAL_ERROR, why
    if header_value(headers, "content-type") is None:
        headers = json_headers() + headers
    return status, headers, body, None


def _listed_headers(result: dict[str, Any]) -> dict[str, Any]:
    """`result` with each list in `headers` written as one value, `[a, b]`: a function URL
    does not refuse a list (as API Gateway does) but sends it so, as clients report for a
    list of Set-Cookie values (AWS re:Post, "Lambda function URL not returning multiple
    cookies")."""
    given = result.get("headers")
    if not isinstance(given, dict) or not any(isinstance(v, list) for v in given.values()):
        return result
    flat = {
        name: "[" + ", ".join(_item(v) for v in value) + "]" if isinstance(value, list) else value
        for name, value in given.items()
    }
    return {**result, "headers": flat}


def _item(value: Any) -> str:
    """One element of a listed header value as text (JSON's spelling but for strings)."""
    return value if isinstance(value, str) else compact_json(value)


def _echo_origin(
    cors: Cors, origin: str | None, headers: list[tuple[str, str]]
) -> list[tuple[str, str]]:
    """`headers` with `access-control-allow-origin: *` made the request's Origin when the URL
    allows credentials: Lambda echoes the origin then, as probes of deployed URLs show
    (LeanerCloud/CUDly#390), since a browser refuses credentials with `*`."""
    if not (cors.credentials and origin and "*" in cors.origins):
        return headers
    return [
        (name, origin if name == "access-control-allow-origin" else value)
        for name, value in headers
    ]


def wire(sim: Simulator) -> None:
    """Build the stack's function URLs."""
    sim.services["function_urls"] = FunctionUrlService(sim)
