"""API Gateway HTTP APIs: routes from the workloads' `http-api-gateway` events, AWS's route
selection, the Lambda proxy payloads (format 1.0 and 2.0) and the responses.

Rules (reference aws-semantics §8; stacktape-config §2.7, §3.2):

* Route selection: a full match of path and method (static segments and `{param}`; at the
  first segment where two routes differ a static segment beats a variable one), then the
  greedy `{proxy+}` routes (the longer static prefix first), then `$default`, else
  `404 {"message":"Not Found"}`. `ANY` (Stacktape's `method: '*'`) matches every method but
  loses to a route with the exact method on the same path. Paths match exactly: case
  counts, and a trailing or doubled slash makes another path (an empty segment, which no
  `{param}` takes); a greedy variable takes what follows its slash, even nothing
  (`/files/` is `/files/{proxy+}` with `proxy` empty, and `/` is `/{proxy+}`; `/files` is
  not). No route is implied: HEAD and OPTIONS take only their own, `ANY` and `$default`
  routes (OPTIONS a CORS preflight too), and a method no route takes is a 404, never a
  405; its reason names a route the path would match but for case or slashes.
* A route's payload format is its event's `payloadFormat`, else the gateway's, else 1.0.
  Format 2.0 lower-cases header names, joins duplicate headers and query parameters with
  commas and moves `cookie` headers into `cookies`. Format 1.0 keeps the last value in
  `headers` / `queryStringParameters` and every value in the `multiValue*` fields; its header
  names are spelt as captured events show: API Gateway's own (`Host`, `Content-Length`,
  `User-Agent`, `X-Amzn-Trace-Id`, `X-Forwarded-*`) capitalised, `accept`,
  `accept-encoding` and `via` lower-cased, any other as the client sent it, and names that
  differ only in case are one header, spelt as it first came. Both formats always carry a
  content length (`0` without a body), and list header names in code-point order (so 1.0's
  capitalised names come before its lower-case ones), as every captured event does; 2.0
  also lists its query parameters by name. Everything that reads a header ignores case.
* The integration sees the path URL-decoded (`rawPath`, `requestContext.http.path`; 1.0's
  `path`) as a live capture shows it (`api_path`): cut at a decoded `?`, then decoded a
  second time; a path whose first decoding leaves a `%` escaping nothing is refused, 400
  `{"message":"Bad Request"}`, before any route. Routes match the path as sent up to that
  `?`, each segment decoded once, as `pathParameters` are; `rawQueryString` is the query as
  sent, `queryStringParameters` decoded (`+` is a space). A body whose content type is not
  text/*, application/json, application/xml or application/javascript arrives
  base64-encoded with `isBase64Encoded: true`, in both formats; an empty body is no body
  (2.0 has no `body`, 1.0's is null), as on the wire. The stand-in client (the
  `http` command) sends a body without a content type as `application/json` when it is JSON,
  else as `text/plain; charset=utf-8`.
* The function is invoked synchronously. Format 2.0 infers a response without `statusCode`
  (200, `content-type: application/json`, the result's JSON as the body, a string as it
  is); format 1.0 makes no such inference and answers 500. A 2.0 response's `cookies`
  become `set-cookie` headers; in a 1.0 response a header named in both `headers` and
  `multiValueHeaders` takes only the latter's values. A function error, a timeout or a
  throttle is a 500 `{"message":"Internal Server Error"}`, and so is an event or a result
  over Lambda's 6 MB synchronous payload; a function that has not answered after the
  integration timeout of 30 s is a 503 `{"message":"Service Unavailable"}` at 30 s, while
  the invocation itself runs on. A body over the HTTP API's 10 MB payload quota is refused
  as it arrives, before any route: 413 `HTTP content length exceeded 10485760 bytes.`; so,
  before it, is a request line and header values over 10,240 bytes: 431 `HTTP header is
  larger than 10240 bytes.` Request ids are 11 bytes in URL-safe base64 (`cGMi_haHjoEEPmw=`).
* A route's authorizer (Lambda or Cognito JWT) decides before the integration, and a
  gateway with CORS enabled answers preflights no route takes and adds its CORS headers to
  responses (stptui.sim.services.http_auth).
* A batch job's route goes to its trigger function, which starts an execution and answers
  at once with Stacktape's 200 JSON body.
* A container's route (a `multi-container-workload` container's `http-api-gateway` event,
  stacktape-config §2.9) takes part in route selection like any other. Its private
  integration proxies the HTTP request itself to the container (`serve_container`, which
  every route to a container goes through): path and query as sent, the client's headers
  lower-cased with API Gateway's own (`x-amzn-trace-id`, `x-forwarded-*`, `forwarded`),
  the body as text. The container's answer is the client's (status, headers, body); a
  container that fails the request (resets the connection) gets the client a 503
  `{"message":"Service Unavailable"}`, as does one that has not answered after 30 s.
* A web-service with HTTP API load balancing (Stacktape's default) has an HTTP API of its
  own, `<service>.httpApiGateway`, whose one route `ANY /{proxy+}` goes to the service's
  container on port 3000 (payload format 1.0, the service's `cors`); its domain is made
  from the service's name, which Stacktape gives the nested API. `--gateway` takes the
  service's name too. The route takes every path, `/` too (its `proxy` empty).
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NoReturn
from urllib.parse import quote_plus, unquote, unquote_plus

from stptui import jsontext
from stptui.config.model import (
    HTTP_DEFAULT_ROUTE,
    HTTP_PAYLOAD_FORMAT,
    SERVICE_CONTAINER_NAME,
    WEB_SERVICE_LOAD_BALANCING,
    WEB_SERVICE_ROUTE_METHOD,
    WEB_SERVICE_ROUTE_PATH,
    ContainerWorkload,
    HttpAuthorizer,
    HttpTrigger,
    UserAuthPool,
    Workload,
)
from stptui.jsontext import compact_json
from stptui.sim import trace as tk
from stptui.sim.clock import http_date, iso_s
from stptui.sim.services import http_auth
from stptui.sim.services.function import SYNC_PAYLOAD_BYTES, event_too_large, result_too_large
from stptui.sim.services.http_auth import Cors, Verdict
from stptui.textsafe import printable, quote_word, typed_names

if TYPE_CHECKING:
    from collections.abc import Callable

    from stptui.sim.behavior import Outcome
    from stptui.sim.engine import Simulator
    from stptui.sim.services.container import ContainerAnswer, ContainerRequest

HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
INTEGRATION_TIMEOUT_MS = 30_000
MAX_BODY_BYTES = 10 * 1024 * 1024  # HTTP API payload quota
# "Total combined size of request line and header values: 10240 bytes" (HTTP API quotas).
MAX_HEAD_BYTES = 10240
DEFAULT_ROUTE = HTTP_DEFAULT_ROUTE
CLIENT_IP = "203.0.113.10"
USER_AGENT = "stptui"
PROTOCOL = "HTTP/1.1"
STAGE = "$default"
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_TOKEN = frozenset("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
# Request bodies an HTTP API passes to Lambda as text; any other (or no) content type is
# base64-encoded. AWS documents the mechanism but not the list: this is the split the
# ministack maintainers measured against AWS (ministack#766).
TEXT_MEDIA_PREFIX = "text/"
TEXT_MEDIA_TYPES = frozenset({"application/json", "application/xml", "application/javascript"})
# How payload format 1.0 spells the headers API Gateway sets itself, whatever the client
# sent (captured HTTP API 1.0 events, 2021-2024, from curl, Postman and Chrome over HTTP/2).
V1_GATEWAY_NAMES = {
    name.lower(): name
    for name in (
        "Content-Length",
        "Host",
        "User-Agent",
        "X-Amzn-Trace-Id",
        "X-Forwarded-For",
        "X-Forwarded-Port",
        "X-Forwarded-Proto",
    )
}
# Names the same events show lower-cased although curl, Postman and CloudFront capitalise them.
V1_LOWERED_NAMES = frozenset({"accept", "accept-encoding", "via"})
# What the stand-in client labels a body it is given without a content type; the second is
# also what an HTTP API labels a Lambda result with statusCode and no content-type.
JSON_MEDIA_TYPE = "application/json"
PLAIN_TEXT_TYPE = "text/plain; charset=utf-8"
_ESCAPES = re.compile(r"(?:%[0-9A-Fa-f]{2})+")
_PERCENT = 0x25
# Where an HTTP API cuts the path (a `?` once decoded), and a `%` that escapes nothing.
_ESCAPED_QUESTION = re.compile("%3F", re.IGNORECASE)
_STRAY_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")

NOT_FOUND = '{"message":"Not Found"}'
# The gateway's answer to a path it cannot decode (a capture gives the status only).
BAD_REQUEST = '{"message":"Bad Request"}'
INTERNAL_ERROR = '{"message":"Internal Server Error"}'
SERVICE_UNAVAILABLE = '{"message":"Service Unavailable"}'
# API Gateway's answer to a body over its 10 MB payload quota, as captured from an
# execute-api endpoint (koki-develop/lgtm-generator#10): plain text, not the JSON of its
# other answers, under this unusual content type.
TOO_LARGE = f"HTTP content length exceeded {MAX_BODY_BYTES} bytes."
TOO_LARGE_TYPE = "text; charset=utf-8"
# The message a client reported from API Gateway over the head quota (see docs/fidelity.md).
HEAD_TOO_LARGE = f"HTTP header is larger than {MAX_HEAD_BYTES} bytes."


# The forwarding headers API Gateway adds to every request it passes on, in order.
_FORWARDED = (
    ("X-Forwarded-For", CLIENT_IP),
    ("X-Forwarded-Port", "443"),
    ("X-Forwarded-Proto", "https"),
)


def request_time(ms: int) -> str:
    """API Gateway's request time: `12/Mar/2020:19:03:58 +0000` (English month names).

    Read from `iso_s`, which writes any instant (an invocation may end past the clock's
    last instant, year 9999)."""
    day, _, time_of_day = iso_s(ms).partition("T")
    year, month, day_of_month = day.rsplit("-", 2)
    return f"{day_of_month}/{_MONTHS[int(month) - 1]}/{year}:{time_of_day[:8]} +0000"


# -- routes ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Route:
    """One route of an HTTP API and the workload behind it."""

    gateway: str
    method: str  # an HTTP method or ANY
    path: str  # `/pets/{id}`, `/files/{proxy+}` or `$default`
    target: str
    target_type: str  # function | batch-job | multi-container-workload | container-workload
    payload_format: str | None  # None for a container: it gets the HTTP request itself
    container: str | None = None  # the container of a container workload that serves it
    container_port: int | None = None
    authorizer: HttpAuthorizer | None = None
    # The routeKey (`GET /pets/{id}`, `ANY /x` or `$default`), the path's segments (`/` has
    # none) and each segment's variable (`id`, `proxy+`; None for a static one): what every
    # request reads of its route, and of every route it is matched against, made once.
    key: str = field(init=False, compare=False)
    segments: tuple[str, ...] = field(init=False, compare=False)
    variables: tuple[str | None, ...] = field(init=False, compare=False)

    def __post_init__(self) -> None:
        key = DEFAULT_ROUTE if self.is_default else f"{self.method} {self.path}"
        segments = _segments(self.path)
        # The class is frozen: its derived fields are set once, here.
        object.__setattr__(self, "key", key)
        object.__setattr__(self, "segments", segments)
        object.__setattr__(self, "variables", tuple(_variable(seg) for seg in segments))

    @property
    def to_container(self) -> bool:
        """True for a route to a container of a container workload (served by
        `HttpService.serve_container`)."""
        return self.payload_format is None

    @property
    def is_default(self) -> bool:
        """True for the `$default` route."""
        return self.path == DEFAULT_ROUTE


def decoded_path(raw: str) -> str:
    """A request path as a function URL's `requestContext.http.path` gives it: every %XX
    escape decoded (as UTF-8) except %25, which stays encoded. (An HTTP API decodes its
    paths another way: `api_path`.)"""

    def decode(run: re.Match[str]) -> str:
        text = run.group(0)
        out: list[str] = []
        pending = bytearray()
        for i in range(0, len(text), 3):
            byte = int(text[i + 1 : i + 3], 16)
            if byte == _PERCENT:
                out.append(pending.decode("utf-8", "replace"))
                pending.clear()
                out.append(text[i : i + 3])
            else:
                pending.append(byte)
        out.append(pending.decode("utf-8", "replace"))
        return "".join(out)

    return _ESCAPES.sub(decode, raw)


def api_path(raw: str) -> tuple[str, str | None]:
    """The path of a request to an HTTP API: (the path as sent up to its first `%3F`, which
    routes match; the path the integration gets, or None when the gateway refuses it with a
    400). As a live capture shows (hotsock/voker `vokerhttp/testdata/ingress-paths.json`):
    the path is decoded, cut at a decoded `?` (the query as sent stays the query), then
    decoded again, so `%252F` arrives as `/` and `%2525` as `%`; a `%` that the first
    decoding leaves escaping nothing (`%25done`) is refused. Escapes that are not UTF-8
    become U+FFFD."""
    if "%" not in raw:
        return raw, raw
    cut = _ESCAPED_QUESTION.search(raw)
    if cut is not None:
        raw = raw[: cut.start()]
    once = unquote(raw, errors="replace")
    if "%" not in once:
        return raw, once
    if _STRAY_PERCENT.search(once):
        return raw, None
    return raw, unquote(once, errors="replace")


def head_bytes(
    method: str,
    raw_path: str,
    raw_query: str,
    given: list[tuple[str, str]],
    domain: str,
    body: str | None,
) -> int:
    """The bytes the HTTP API quota on "request line and header values" counts: the request
    line as sent (`POST /path?query HTTP/1.1`) and the value of every header the client
    sends, the stand-in client's own (Content-Length, a body's Content-Type, Host,
    User-Agent) included unless the request sets them; header names are not counted.

    Exact whenever it is over MAX_HEAD_BYTES. Under it, the content type the stand-in client
    gives a body (JSON's or plain text's) may be counted at the longer of the two: the
    verdict is the same, and most requests need not have their body parsed twice."""
    line = len(method) + len(raw_path.encode("utf-8", "surrogatepass")) + len(PROTOCOL) + 2
    if raw_query:
        line += 1 + len(raw_query.encode("utf-8", "surrogatepass"))
    sent = {name.lower() for name, _ in given}
    size = line + sum(len(value.encode("utf-8", "surrogatepass")) for _, value in given)
    if "content-length" not in sent:
        size += len(str(len(body.encode("utf-8", "surrogatepass")))) if body else 1
    if "host" not in sent:
        size += len(domain)
    if "user-agent" not in sent:
        size += len(USER_AGENT)
    if body and "content-type" not in sent:
        longest = size + max(len(PLAIN_TEXT_TYPE), len(JSON_MEDIA_TYPE))
        size = longest if longest <= MAX_HEAD_BYTES else size + len(media_type_of(body))
    return size


def is_text_body(headers: list[tuple[str, str]]) -> bool:
    """Whether an HTTP API passes the request body as text: its content type (parameters
    and case aside) is text/*, application/json, application/xml or application/javascript."""
    content_type = header_value(headers, "content-type") or ""
    media = content_type.split(";", 1)[0].strip().lower()
    return media.startswith(TEXT_MEDIA_PREFIX) or media in TEXT_MEDIA_TYPES


def header_value(headers: list[tuple[str, str]], name: str) -> str | None:
    """The first value of the header `name` (compared without case), or None."""
    wanted = name.lower()
    return next((value for n, value in headers if n.lower() == wanted), None)


def _segments(path: str) -> tuple[str, ...]:
    return () if path == "/" else tuple(path[1:].split("/"))


def _variable(segment: str) -> str | None:
    """The name of a `{name}` / `{name+}` segment, or None for a static one."""
    if len(segment) > 2 and segment[0] == "{" and segment[-1] == "}":
        return segment[1:-1]
    return None


def match(
    route: Route, method: str, segments: tuple[str, ...]
) -> tuple[Any, dict[str, str]] | None:
    """(rank, pathParameters) when `route` serves the request, else None.

    Ranks compare with `>`: full matches beat greedy ones, which beat `$default`; then, at
    the first segment where two routes differ, a static segment beats a variable one (and
    a longer static prefix wins among greedy routes); then an exact method beats ANY.
    `segments` are the request path's URL-decoded segments."""
    if route.is_default:
        return (0, (), 0), {}
    if route.method not in ("ANY", method):
        return None
    exact = 1 if route.method == method else 0
    params: dict[str, str] = {}
    ranks: list[int] = []
    route_segments = route.segments
    for i, name in enumerate(route.variables):
        if name is not None and name.endswith("+"):
            rest = segments[i:]
            if not rest and segments:
                # A greedy variable needs the slash after its prefix, but nothing after it:
                # `/files` is not taken by `/files/{proxy+}`, `/files/` is, and `/` (no
                # segments) by `/{proxy+}`, each with `proxy` empty, as captured events show
                # (docs/fidelity.md, HTTP API).
                return None
            params[name[:-1]] = "/".join(rest)
            return (1, tuple(ranks), exact), params
        if i >= len(segments):
            return None
        if name is not None:
            if segments[i] == "":
                return None
            params[name] = segments[i]
            ranks.append(1)
        elif route_segments[i] == segments[i]:
            ranks.append(2)
        else:
            return None
    if len(segments) != len(route_segments):
        return None
    return (2, tuple(ranks), exact), params


def function_failed(outcome: Outcome) -> str:
    """Why a gateway answered for itself when its function failed (the response's reason,
    which `explain` shows): a timeout in Lambda's words, as the invoke command and the
    trace quote them (docs/fidelity.md, "Timeouts"); else the error as Lambda reports it,
    its type and message (`KeyError: 'STP_JOB_QUEUE_QUEUE_URL'`: the type alone left the
    user to find which key in `explain`)."""
    if outcome.status == "timeout":
        return f"the function timed out: {outcome.error_type}: {outcome.error_message}"
    if outcome.error_message:
        return f"the function failed: {outcome.error_type}: {outcome.error_message}"
    return f"the function failed: {outcome.error_type}"


class HttpApi:
    """One HTTP API: its identity and its routes in config order."""

    def __init__(self, name: str, domain: str, payload_format: str) -> None:
        self.name = name
        self.domain = domain
        self.api_id = domain.split(".", 1)[0]
        self.payload_format = payload_format
        self.routes: list[Route] = []
        self.cors: Cors | None = None

    def select(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        """The route AWS picks for a request (and its path parameters), or None (404)."""
        segments = tuple(unquote(s) for s in _segments(path))
        best: tuple[Any, Route, dict[str, str]] | None = None
        for route in self.routes:
            hit = match(route, method, segments)
            if hit is not None and (best is None or hit[0] > best[0]):
                best = (hit[0], route, hit[1])
        return (best[1], best[2]) if best is not None else None

    def no_route(self, method: str, path: str) -> str:
        """Why no route took a request (the 404's reason, which `explain` shows): the
        routes whose path it has with another method, else the routes there are."""
        segments = tuple(unquote(s) for s in _segments(path))
        asked = f"{method} {printable(path)}"
        other = [r.key for r in self.routes if match(r, r.method, segments) is not None]
        if other:
            verb = "takes" if len(other) == 1 else "take"
            return f"no route matches {asked}: only {', '.join(other)} {verb} its path"
        near = self._near_miss(method, path)
        if near is not None:
            key, tidy = near
            return (
                f"no route matches {asked}: {key} would take {printable(tidy)} (paths match "
                "exactly: case, a trailing slash and a doubled slash count)"
            )
        keys = [r.key for r in self.routes]
        if not keys:
            return f"no route matches {asked}: the API has no routes"
        shown = ", ".join(keys[:NO_ROUTE_SHOWN])
        more = f" and {len(keys) - NO_ROUTE_SHOWN} more" if len(keys) > NO_ROUTE_SHOWN else ""
        return f"no route matches {asked}; its routes: {shown}{more}"

    def _near_miss(self, method: str, path: str) -> tuple[str, str] | None:
        """(a route's key, the path it would take) when `path` differs from a path the
        route takes only by the case of its letters, doubled slashes or a trailing slash,
        which serverless-offline and web frameworks forgive and an HTTP API does not."""
        tidy = re.sub("/{2,}", "/", path)
        if len(tidy) > 1:
            tidy = tidy.rstrip("/")
        folded = tuple(unquote(seg).lower() for seg in _segments(tidy))
        for route in self.routes:
            if route.is_default:
                continue
            twin = Route(
                route.gateway,
                route.method,
                route.path.lower(),
                route.target,
                route.target_type,
                route.payload_format,
            )
            if match(twin, method, folded) is not None:
                return route.key, _respelt(route, tidy)
        return None


def _respelt(route: Route, path: str) -> str:
    """`path` with each static segment spelt as `route` spells it (they match without case)."""
    segments = list(_segments(path))
    for i, name in enumerate(route.variables):
        if name is not None and name.endswith("+"):
            break
        if name is None and i < len(segments):
            segments[i] = route.segments[i]
    return "/" + "/".join(segments)


# How many of an API's routes a 404's reason lists.
NO_ROUTE_SHOWN = 5


# -- requests and responses ------------------------------------------------------------------


@dataclass(slots=True)
class HttpResponse:
    """What the client receives. `reason` says why the gateway answered by itself (404, a
    500 for a handler error or a malformed response, 503 for the integration timeout or a
    container that reset the connection)."""

    status: int
    headers: list[tuple[str, str]]
    body: str
    request_id: str
    latency_ms: int
    gateway: str
    route: str | None
    target: str | None
    reason: str | None = None
    invocation_id: str | None = None
    execution_id: str | None = None
    # The request line as the `http.request` record has it (the path as the client sent it).
    method: str = ""
    path: str = ""

    def record(self) -> dict[str, Any]:
        """The `http.response` record's fields: optional ones only when they are set. The
        request's method, path and route come first, as an access log line gives them
        beside the status, so that a count can pick a route's responses."""
        data: dict[str, Any] = {
            "request_id": self.request_id,
            "method": self.method,
            "path": self.path,
            "route": self.route,
            "status": self.status,
            "latency_ms": self.latency_ms,
        }
        if self.reason is not None:
            data["reason"] = self.reason
        # The ids that lead on to the invocation or execution (`explain` follows them).
        if self.invocation_id is not None:
            data["invocation_id"] = self.invocation_id
        if self.execution_id is not None:
            data["execution_id"] = self.execution_id
        return data


def await_response(sim: Simulator, ex: Any) -> HttpResponse:
    """Run the clock until `ex` (an HTTP API, load balancer or function URL exchange) has
    its response, which becomes the one `expect response` reads (`ClientAnswers.awaited`).

    The response comes from a scheduled event (the invocation's end or a timer), so
    stepping always reaches it; earlier events run first, as in time."""
    while ex.response is None and sim.clock.step():
        pass
    assert ex.response is not None
    sim.services["http"].answers.awaited = ex.response.request_id
    return ex.response


def still_awaited(sim: Simulator, ex: Any) -> bool:
    """Whether the client of `ex` (an HTTP API or load balancer exchange) still waits for
    the answer now arriving: False once it has had its timeout's answer; else True, the
    timeout's timer cancelled and dropped (the cancelled entry would still hold the
    exchange: a cycle)."""
    if ex.response is not None:
        return False
    if ex.timer is not None:
        sim.clock.cancel(ex.timer)
        ex.timer = None
    return True


def serve_timed(
    sim: Simulator,
    ex: Any,
    target: tuple[str, str, int | None, ContainerRequest],
    via: str,
    answered: Callable[[ContainerAnswer], None],
    timeout: tuple[int, Callable[[Any], None], str],
) -> None:
    """Pass the request of `ex` (an HTTP API or load balancer exchange) to a container,
    `target` its (workload, container, port, request), as front door `via` does: the
    client waits `timeout`'s milliseconds for it, then its callback answers (with `ex`; the
    clock entry's key is the timeout's name, `via` and the request id); `answered` gets
    the container's answer if it comes first, later ones run on unheard."""

    def done(answer: ContainerAnswer) -> None:
        if still_awaited(sim, ex):
            answered(answer)

    workload, container, port, request = target
    ex.invocation_id = sim.services["containers"].serve(
        workload, container, port, request, via=via, request_id=ex.request_id, done=done
    )
    if ex.response is None:
        ms, timed_out, name = timeout
        ex.timer = sim.clock.at(sim.clock.now + ms, timed_out, ex, (name, via, ex.request_id))


# How many answers `ClientAnswers` keeps whole: a `repeat` of requests must not hold every
# body it was sent back.
KEPT_ANSWERS = 256


class ClientAnswers:
    """The newest answers to HTTP requests (an HTTP API's, a load balancer's, a function
    URL's) as the client got them, by request id, and the request the last `http` command
    waited for: what `expect response` reads. The trace keeps no headers or bodies."""

    def __init__(self) -> None:
        self.by_id: dict[str, HttpResponse] = {}
        self.awaited: str | None = None
        # Answers dropped to keep KEPT_ANSWERS: an older request's answer is not there.
        self.dropped = 0

    def keep(self, response: HttpResponse) -> None:
        """Keep `response`, dropping the oldest kept past KEPT_ANSWERS."""
        self.by_id[response.request_id] = response
        if len(self.by_id) > KEPT_ANSWERS:
            del self.by_id[next(iter(self.by_id))]
            self.dropped += 1


def request_line(method: str, path: str, example: str) -> tuple[str, str, str]:
    """The `http` command's method and path as every HTTP entry (API, load balancer,
    function URL) takes them: (upper-case method, raw path, raw query string). SimError,
    its hint showing `example` as a path, on a method outside HTTP_METHODS, a path
    without its leading '/' or one with a fragment."""
    from stptui.sim.engine import SimError

    typed, method = method, method.upper()
    if method not in HTTP_METHODS:
        raise SimError(
            f"unknown HTTP method {method!r}", f"one of {', '.join(HTTP_METHODS)}", word=typed
        )
    raw_path, _, raw_query = path.partition("?")
    if not raw_path.startswith("/"):
        # `posts`: the same path with its slash; a word that is no path (a URL of another
        # host, text with spaces) gets the example.
        meant = f"/{path}" if raw_path and not re.search(r"\s|://", path) else None
        raise SimError(
            f"the path must start with '/', not {path!r}",
            f"did you mean {quote_word(meant)}?" if meant else f"e.g. {example}",
            word=path,
        )
    if "#" in path:
        # A URL's fragment is the client's own: curl, browsers and SDKs never send it, and a
        # `#` cannot be in a request's target (RFC 9110, 7.1), so no entry ever gets one.
        before = path.partition("#")[0]
        raise SimError(
            f"{path!r} has a '#', which begins the URL's fragment: HTTP clients do not send it",
            f"leave it off ({quote_word(before)}), or write %23 to send a '#' "
            f"({quote_word(path.replace('#', '%23'))})",
            word=path,
        )
    return method, raw_path, raw_query


def with_query(raw_query: str, query: list[tuple[str, str]] | None) -> str:
    """`raw_query` (the path's own query string) with the `--query` pairs after it,
    form-encoded."""
    if not query:
        return raw_query
    encoded = "&".join(f"{quote_plus(k)}={quote_plus(v)}" for k, v in query)
    return f"{raw_query}&{encoded}" if raw_query else encoded


@dataclass(slots=True)
class Exchange:
    """One request in flight (the response is set when it arrives)."""

    api: HttpApi
    method: str
    path: str  # as the integration sees it: URL-decoded (see api_path)
    request_id: str
    started: int
    route: Route | None
    raw_path: str = ""  # as the client sent it (the `http.request` record's)
    event: dict[str, Any] = field(default_factory=dict)
    response: HttpResponse | None = None
    timer: list[Any] | None = None
    invocation_id: str | None = None
    origin: str | None = None  # the request's Origin header (CORS)


def parse_headers(pairs: list[str]) -> list[tuple[str, str]]:
    """`name:value` words as (name as written, value) pairs; ValueError on a bad one."""
    out = []
    for pair in pairs:
        name, colon, value = pair.partition(":")
        name = name.strip()
        if not colon or not name or not set(name) <= _TOKEN:
            raise ValueError(f"--header needs NAME:VALUE with a valid header name, not {pair!r}")
        # "Field values containing CR, LF or NUL characters are invalid and dangerous"
        # (RFC 9110, 5.5): no client sends one, so no gateway or function ever gets one.
        value = value.strip()
        banned = [word for char, word in _BANNED_IN_VALUES.items() if char in value]
        if banned:
            raise ValueError(
                f"--header {name}: a header value cannot hold {' or '.join(banned)}, which no "
                "HTTP request can carry"
            )
        out.append((name, value))
    return out


_BANNED_IN_VALUES = {"\r": "a carriage return", "\n": "a line break", "\x00": "NUL"}


def parse_query(raw: str) -> list[tuple[str, str]]:
    """A query string's (name, value) pairs, URL-decoded, in order (blank values kept)."""
    out = []
    for part in raw.split("&"):
        if part:
            name, _, value = part.partition("=")
            out.append((unquote_plus(name), unquote_plus(value)))
    return out


def comma_joined(pairs: list[tuple[str, str]]) -> dict[str, str]:
    """The values of each name joined with commas, in the order given (payload format 2.0's
    headers and query parameters)."""
    out: dict[str, str] = {}
    for name, value in pairs:
        out[name] = f"{out[name]},{value}" if name in out else value
    return out


def last_values(pairs: list[tuple[str, str]]) -> dict[str, str]:
    """Each name's last value (a 1.0-style event's `headers`, `queryStringParameters`)."""
    return dict(pairs)


def all_values(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    """Each name's values in order (a 1.0-style event's `multiValueHeaders`,
    `multiValueQueryStringParameters`)."""
    out: dict[str, list[str]] = {}
    for name, value in pairs:
        out.setdefault(name, []).append(value)
    return out


def by_name(values: dict[str, Any]) -> dict[str, Any]:
    """`values` with its names in code-point order (`Host` before `accept`), as API Gateway
    lists request headers in every captured event, and 2.0's query parameters."""
    return {name: values[name] for name in sorted(values)}


def _v1_name(name: str) -> str:
    """A request header's name as a payload format 1.0 event spells it."""
    low = name.lower()
    if low in V1_GATEWAY_NAMES:
        return V1_GATEWAY_NAMES[low]
    return low if low in V1_LOWERED_NAMES else name


def _first_spelling(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """`pairs` with every name spelt as the first name equal to it without case."""
    spelling: dict[str, str] = {}
    return [(spelling.setdefault(name.lower(), name), value) for name, value in pairs]


class HttpService:
    """Every HTTP API of the stack; requests from the `http` command."""

    def __init__(self, sim: Simulator) -> None:
        self.sim = sim
        self.apis: dict[str, HttpApi] = {}
        # Lambda authorizers' cached verdicts: (gateway, route key, identity values) ->
        # (expiry ms, verdict). Stacktape makes one authorizer per route.
        self.auth_cache: dict[tuple[str, str, tuple[str, ...]], tuple[int, Verdict]] = {}
        # Every HTTP entry's answers, for `expect response`.
        self.answers = ClientAnswers()
        event_methods: dict[str, list[str]] = {}
        for gw in sim.stack.gateways:
            self.apis[gw.name] = HttpApi(
                gw.name, sim.resource_param(gw.name, "domain"), gw.payload_format
            )
            event_methods[gw.name] = []
        # Config order across functions, batch jobs and container workloads: it breaks ties.
        for w in sim.stack.resources.values():
            if not isinstance(w, (Workload, ContainerWorkload)):
                continue
            for trig in w.events:
                if not isinstance(trig, HttpTrigger) or trig.gateway is None:
                    continue
                api = self.apis.get(trig.gateway.target or "")
                if api is None:
                    continue
                container = isinstance(w, ContainerWorkload)
                event_methods[api.name].append(trig.method)
                api.routes.append(
                    Route(
                        api.name,
                        trig.api_method,
                        trig.api_path,
                        w.name,
                        w.type,
                        None if container else trig.payload_format or api.payload_format,
                        trig.container,
                        trig.container_port,
                        None if container else trig.authorizer,
                    )
                )
        for gw in sim.stack.gateways:
            self.apis[gw.name].cors = http_auth.cors_of(gw, event_methods[gw.name])
        # A web-service's own HTTP API: the service's name names it too (`--gateway web`).
        self.aliases: dict[str, str] = {}
        for entry in sim.stack.web_service_entries:
            if entry.type != WEB_SERVICE_LOAD_BALANCING:
                continue
            domain = sim.resource_param(entry.service, "domain", WEB_SERVICE_LOAD_BALANCING)
            api = self.apis[entry.name] = HttpApi(entry.name, domain, HTTP_PAYLOAD_FORMAT)
            api.routes.append(
                Route(
                    entry.name,
                    "ANY",
                    WEB_SERVICE_ROUTE_PATH,
                    entry.service,
                    "web-service",
                    None,
                    SERVICE_CONTAINER_NAME,
                    entry.container_port,
                )
            )
            api.cors = http_auth.cors_of(entry, [WEB_SERVICE_ROUTE_METHOD])
            self.aliases[entry.service] = entry.name

    def api(self, name: str | None) -> HttpApi:
        """The gateway a request goes to: `name`, or the stack's only one."""
        from stptui.config.diagnostics import did_you_mean, with_article
        from stptui.sim.engine import SimError

        names = typed_names(self.apis)
        if name is None:
            if len(self.apis) == 1:
                return next(iter(self.apis.values()))
            if not self.apis:
                raise SimError("this stack has no http-api-gateway")
            raise SimError(
                f"this stack has {len(self.apis)} HTTP API gateways; say which one",
                f"add --gateway NAME (one of {names})",
            )
        hit = self.apis.get(self.aliases.get(name, name))
        if hit is not None:
            return hit
        other = self.sim.stack.resources.get(name)
        if other is not None:
            hints = {
                "websocket-api-gateway": f"`ws-connect {quote_word(name)}` connects a client "
                f"to it; HTTP APIs: {names or '(none)'}",
                "appsync-api": f"stptui does not simulate appsync-apis; gateways it does: "
                f"{names or '(none)'}",
            }
            raise SimError(
                f"{name!r} is {with_article(other.type)}, not an http-api-gateway",
                hints.get(other.type, f"gateways: {names or '(none)'}"),
                word=name,
            )
        guess = did_you_mean(name, [*self.apis, *self.aliases])
        raise SimError(
            f"no http-api-gateway named {name!r}",
            f"did you mean {quote_word(guess)}?" if guess else f"gateways: {names or '(none)'}",
            word=name,
        )

    def _gateway_needed(self, method: str, path: str) -> NoReturn:
        """Refuse a request that names no gateway in a stack of several: with the gateways
        whose own route takes its path (no `{proxy+}` or `$default`: most gateways of a big
        stack have one), when some do, else with every gateway."""
        from stptui.sim.engine import SimError

        message = f"this stack has {len(self.apis)} HTTP API gateways; say which one"
        every = f"add --gateway NAME (one of {typed_names(self.apis)})"
        try:
            method, raw_path, _ = request_line(method, path, "/webhooks/github")
        except SimError:
            raise SimError(message, every) from None
        routed, _ = api_path(raw_path)
        taking = []
        for api in self.apis.values():
            hit = api.select(method, routed)
            route = hit[0] if hit is not None else None
            if route is not None and not route.is_default and "+" not in route.path:
                taking.append(api.name)
        if not taking or len(taking) == len(self.apis):
            raise SimError(message, every)
        raise SimError(
            message,
            f"{method} {printable(raw_path)} is a route of {typed_names(taking)}: add "
            f"--gateway {quote_word(taking[0])}",
        )

    # -- requests ------------------------------------------------------------------------

    def call(
        self,
        method: str,
        path: str,
        body: str | None = None,
        *,
        headers: list[tuple[str, str]] | None = None,
        query: list[tuple[str, str]] | None = None,
        gateway: str | None = None,
    ) -> HttpResponse:
        """Send a request and run the clock until its response (other due events run too)."""
        ex = self.start(method, path, body, headers=headers, query=query, gateway=gateway)
        return await_response(self.sim, ex)

    def start(
        self,
        method: str,
        path: str,
        body: str | None = None,
        *,
        headers: list[tuple[str, str]] | None = None,
        query: list[tuple[str, str]] | None = None,
        gateway: str | None = None,
    ) -> Exchange:
        """Send a request now; its `response` is set when it arrives. Raises SimError,
        changing nothing, on a bad method, path or gateway; a body over the payload quota
        is the gateway's 413."""
        if gateway is None and len(self.apis) > 1:
            self._gateway_needed(method, path)
        api = self.api(gateway)
        method, raw_path, raw_query = request_line(method, path, "/webhooks/github")
        raw_query = with_query(raw_query, query)
        size = len(body.encode("utf-8", "surrogatepass")) if body is not None else 0
        given = list(headers or [])
        head = head_bytes(method, raw_path, raw_query, given, api.domain, body)
        sim = self.sim
        now = sim.clock.now
        request_id = self._request_id()
        # A head or body over its quota is refused as it arrives, before any route is chosen.
        routed_path, path = api_path(raw_path)
        refused = head > MAX_HEAD_BYTES or path is None or size > MAX_BODY_BYTES
        selected = None if refused else api.select(method, routed_path)
        route, params = selected if selected is not None else (None, {})
        ex = Exchange(api, method, path or raw_path, request_id, now, route, raw_path)
        ex.origin = header_value(given, "origin")
        asked_method = header_value(given, "access-control-request-method")
        # A preflight that no route takes (only OPTIONS, ANY and $default routes can) is
        # answered by API Gateway itself; one that a route takes goes to its integration.
        preflight = (
            api.cors is not None
            and route is None
            and http_auth.is_preflight(method, ex.origin, asked_method)
        )
        sim.trace.emit(
            (
                now,
                tk.HTTP_REQUEST,
                api.name,
                {
                    "request_id": request_id,
                    "gateway": api.name,
                    "method": method,
                    "path": raw_path,
                    "route": route.key if route else None,
                    "target": route.target if route else None,
                },
            )
        )
        if head > MAX_HEAD_BYTES:
            why = (
                f"the request line and header values are {head:,} bytes; the HTTP API quota "
                f"is {MAX_HEAD_BYTES:,}"
            )
            self._respond(ex, 431, [("content-type", TOO_LARGE_TYPE)], HEAD_TOO_LARGE, why)
            return ex
        if path is None:
            why = (
                f"the path {printable(raw_path)!r}, once decoded, holds a % that escapes "
                "nothing: the gateway cannot decode it again"
            )
            self._respond(ex, 400, [("content-type", JSON_MEDIA_TYPE)], BAD_REQUEST, why)
            return ex
        if size > MAX_BODY_BYTES:
            why = f"the body is {size:,} bytes; the HTTP API payload quota is {MAX_BODY_BYTES:,}"
            self._respond(ex, 413, [("content-type", TOO_LARGE_TYPE)], TOO_LARGE, why)
            return ex
        if preflight and api.cors is not None:
            cors_headers, why = http_auth.preflight_headers(
                api.cors,
                ex.origin or "",
                asked_method or "",
                header_value(given, "access-control-request-headers"),
            )
            self._respond(ex, 204, cors_headers, "", why, cors=False)
            return ex
        if route is None:
            self._respond(
                ex,
                404,
                [("content-type", "application/json")],
                NOT_FOUND,
                api.no_route(method, routed_path),
            )
            return ex
        if route.to_container:
            container = route.container or SERVICE_CONTAINER_NAME
            request = self.container_request(ex, given, raw_path, raw_query, body)
            self.serve_container(ex, route.target, container, route.container_port, request)
            return ex
        request_headers = self._headers(api, given, body, now, request_id)
        if route.payload_format == "2.0":
            ex.event = self._event_v2(ex, route, params, request_headers, raw_query, body)
        else:
            ex.event = self._event_v1(ex, route, params, request_headers, raw_query, body)
        if route.authorizer is None:
            self._dispatch(ex, route)
        elif route.authorizer.type == "cognito":
            self._authorize_jwt(ex, route, request_headers, raw_query)
        else:
            v2 = ex.event if route.payload_format == "2.0" else None
            if v2 is None:
                v2 = self._event_v2(ex, route, params, request_headers, raw_query, body)
            self._authorize_lambda(ex, route, v2, request_headers, raw_query)
        return ex

    def _dispatch(self, ex: Exchange, route: Route) -> None:
        """Hand an (authorized) request to its integration."""
        if route.target_type == "batch-job":
            self._start_job(ex, route)
        else:
            self._invoke(ex, route)

    # -- authorizers -----------------------------------------------------------------------

    def _authorize_lambda(
        self,
        ex: Exchange,
        route: Route,
        v2: dict[str, Any],
        headers: list[tuple[str, str]],
        raw_query: str,
    ) -> None:
        """Run the route's Lambda authorizer (or use its cached verdict), then go on."""
        from stptui.sim.engine import SimError

        auth = route.authorizer
        assert auth is not None
        sim = self.sim
        function = auth.target.target if auth.target is not None else None
        values, missing = http_auth.identity_values(
            auth.identity_sources, headers, parse_query(raw_query), v2["requestContext"]
        )
        base = {"authorizer": "lambda", "function": function}
        if missing is not None:
            why = f"identity source {missing} is missing or empty; the authorizer is not invoked"
            self._authorized(ex, route, Verdict(401, why), base)
            return
        key = (ex.api.name, route.key, tuple(values))
        hit = self.auth_cache.get(key) if auth.cache_seconds > 0 else None
        if hit is not None and hit[0] > sim.clock.now:
            self._authorized(ex, route, hit[1], {**base, "cached": True})
            return
        arn = http_auth.route_arn(
            sim.stack.region, sim.account_id, ex.api.api_id, ex.method, v2["rawPath"]
        )
        event = {"version": "2.0", "type": "REQUEST", "routeArn": arn, "identitySource": values}
        for name in ("routeKey", "rawPath", "rawQueryString", "cookies", "headers"):
            if name in v2:
                event[name] = v2[name]
        for name in ("queryStringParameters", "requestContext", "pathParameters"):
            if name in v2:
                event[name] = v2[name]

        def done(outcome: Outcome, inv_id: str) -> None:
            record = {**base, "cached": False, "invocation_id": inv_id}
            if outcome.status != "success":
                why = f"the authorizer failed: {outcome.error_type}"
                self._authorized(ex, route, Verdict(500, why), record)
                return
            if auth.iam_response:
                verdict = http_auth.iam_verdict(outcome.response, arn)
            else:
                verdict = http_auth.simple_verdict(outcome.response)
            if auth.cache_seconds > 0 and verdict.status != 500:
                self.auth_cache[key] = (sim.clock.now + auth.cache_seconds * 1000, verdict)
            self._authorized(ex, route, verdict, record)

        if function is None or function not in sim.functions:
            why = f"the authorizer function {function!r} is not a function of this stack"
            self._authorized(ex, route, Verdict(500, why), base)
            return
        try:
            sim.invoke_sync(function, event, done, "http-authorizer")
        except SimError as exc:
            self._authorized(ex, route, Verdict(500, str(exc)), {**base, "cached": False})

    def _authorize_jwt(
        self, ex: Exchange, route: Route, headers: list[tuple[str, str]], raw_query: str
    ) -> None:
        """Validate the request's token as the route's JWT (Cognito) authorizer does."""
        auth = route.authorizer
        assert auth is not None
        pool = auth.target.target if auth.target is not None else None
        base: dict[str, Any] = {"authorizer": "jwt", "user_pool": pool}
        if pool is None or pool not in self.sim.stack.resources:
            self._authorized(ex, route, Verdict(500, f"no user-auth-pool {pool!r}"), base)
            return
        values, missing = http_auth.identity_values(
            auth.identity_sources, headers, parse_query(raw_query), {}
        )
        if missing is not None:
            self._authorized(ex, route, Verdict(401, f"no token: {missing} is missing"), base)
            return
        iss, client = self.pool_identity(pool)
        verdict, claims = http_auth.jwt_verdict(values[0], iss, client, self.sim.clock.now // 1000)
        if claims is not None:
            reason = verdict.reason + self._revoked_note(pool, claims)
            verdict = Verdict(None, reason, http_auth.claims_as_strings(claims))
        self._authorized(ex, route, verdict, base)

    def _revoked_note(self, pool: str, claims: dict[str, Any]) -> str:
        """What the trace adds to a valid token's verdict when the user pool has revoked it
        (a sign-out, RevokeToken): the authorizer checks signature, issuer, audience and
        expiry, never revocation, so the token is let in until it expires, a surprise
        users ask about."""
        from stptui.sim.clock import iso_ms, iso_s

        service = self.sim.services.get("user_pools")
        found = service.revocation(pool, claims.get("origin_jti")) if service else None
        if found is None:
            return ""
        # jwt_verdict let the token in, so its exp is a number of seconds.
        until = iso_s(int(claims["exp"]) * 1000)
        return (
            f"; its refresh token was revoked ({found.operation} at {iso_ms(found.at_ms)}), "
            f"but a JWT authorizer does not check revocation: accepted until its exp, {until}"
        )

    def token_header(
        self,
        method: str,
        path: str,
        gateway: str | None,
        claims: dict[str, Any],
        user: str | None = None,
    ) -> tuple[str, str]:
        """A header carrying an ID token that the user pool of the route `method path` would
        issue now (`claims` added), for the `http --jwt` option: (header name, value); with
        `user`, the token that user's last sign-in got (`http --user`). The pool is the
        route's cognito authorizer's, else the stack's only user-auth-pool."""
        from stptui.sim.cognito import CognitoError
        from stptui.sim.engine import SimError

        api = self.api(gateway)
        selected = api.select(method.upper(), path.partition("?")[0])
        auth = selected[0].authorizer if selected is not None else None
        if auth is not None and auth.type == "cognito" and auth.target is not None:
            pool = auth.target.target
            source = auth.identity_sources[0]
        else:
            pools = [
                r.name for r in self.sim.stack.resources.values() if r.type == "user-auth-pool"
            ]
            if len(pools) != 1:
                raise SimError(
                    "--jwt and --user need a route with a cognito authorizer, or a stack with one "
                    f"user-auth-pool (this one has {len(pools)})",
                    "send the token yourself with --header 'Authorization:Bearer TOKEN'",
                )
            pool, source = pools[0], "$request.header.Authorization"
        if pool is None or pool not in self.sim.stack.resources:
            raise SimError("the route's authorizer names no user-auth-pool of this stack")
        prefix = "$request.header."
        name = source[len(prefix) :] if source.startswith(prefix) else "Authorization"
        iss, client = self.pool_identity(pool)
        if user is not None:
            try:
                claims = self.sim.services["user_pools"].token_claims(pool, user)[1]
            except CognitoError as exc:
                raise SimError(f"{exc.code}: {exc.message}", exc.hint) from None
        found = self.sim.stack.resources[pool]
        # --jwt's token lives as long as the pool's ID tokens (`--user`'s carries its own exp).
        lifetime = found.id_token_s if isinstance(found, UserAuthPool) else 3600
        token = http_auth.mint_token(iss, client, self.sim.clock.now // 1000, claims, lifetime)
        return name, f"Bearer {token}"

    def pool_identity(self, pool: str) -> tuple[str, str]:
        """A user pool's token issuer and its app client's id (the JWT audience)."""
        pool_id = self.sim.resource_param(pool, "id")
        return http_auth.issuer(self.sim.stack.region, pool_id), self.sim.resource_param(
            pool, "clientId"
        )

    def _authorized(
        self, ex: Exchange, route: Route, verdict: Verdict, record: dict[str, Any]
    ) -> None:
        """Trace an authorizer's verdict; refuse the request, or pass on what the
        authorizer found (its context, or the token's claims) to the integration."""
        decisions = {None: "allow", 401: "unauthorized", 403: "deny", 500: "error"}
        data = {"request_id": ex.request_id, **record, "decision": decisions[verdict.status]}
        data["reason"] = verdict.reason
        self.sim.trace.emit((self.sim.clock.now, tk.HTTP_AUTHORIZATION, ex.api.name, data))
        if verdict.status == 401:
            headers = json_headers()
            if record["authorizer"] == "jwt":
                headers.append(("www-authenticate", http_auth.www_authenticate(verdict.reason)))
            self._respond(ex, 401, headers, http_auth.UNAUTHORIZED, verdict.reason)
            return
        if verdict.status == 403:
            self._respond(ex, 403, json_headers(), http_auth.FORBIDDEN, verdict.reason)
            return
        if verdict.status is not None:
            self._respond(ex, 500, json_headers(), INTERNAL_ERROR, verdict.reason)
            return
        assert route.authorizer is not None
        jwt = route.authorizer.type == "cognito"
        if route.payload_format == "2.0":
            value: Any = (
                {"jwt": {"claims": verdict.context, "scopes": None}}
                if jwt
                else {"lambda": verdict.context}
            )
        elif jwt:
            value = {"claims": verdict.context, "scopes": None}
        else:
            value = dict(verdict.context or {})
            if verdict.principal is not None:
                value["principalId"] = verdict.principal
        context = ex.event["requestContext"]
        ex.event["requestContext"] = {}
        for name, item in context.items():
            ex.event["requestContext"][name] = item
            if name == "apiId":  # AWS lists `authorizer` right after `apiId`
                ex.event["requestContext"]["authorizer"] = value
        self._dispatch(ex, route)

    def _invoke(self, ex: Exchange, route: Route) -> None:
        from stptui.sim.engine import SimError

        sim = self.sim

        def done(outcome: Outcome, inv_id: str) -> None:
            if not still_awaited(sim, ex):
                return  # the client already has its 503; the invocation ran on regardless
            ex.invocation_id = inv_id
            if outcome.status != "success":
                self._respond(ex, 500, json_headers(), INTERNAL_ERROR, function_failed(outcome))
                return
            too_large = result_too_large(outcome.response, SYNC_PAYLOAD_BYTES)
            if too_large is not None:
                # Lambda cannot return a result over its synchronous payload quota: the
                # Invoke fails, and the gateway answers as for any failed integration.
                self._respond(ex, 500, json_headers(), INTERNAL_ERROR, too_large)
                return
            status, headers, body, why = interpret(route.payload_format, outcome.response)
            self._respond(ex, status, labelled(headers), body, why)

        too_large = event_too_large(ex.event)
        if too_large is not None:
            # Lambda refuses the Invoke; the gateway answers for a failed integration.
            self._respond(ex, 500, json_headers(), INTERNAL_ERROR, too_large)
            return
        try:
            ex.invocation_id = sim.invoke_sync(route.target, ex.event, done, "http", measured=True)
        except SimError as exc:
            self._respond(ex, 500, json_headers(), INTERNAL_ERROR, str(exc))
            return
        ex.timer = sim.clock.at(
            sim.clock.now + INTEGRATION_TIMEOUT_MS,
            self._timed_out,
            ex,
            ("http-timeout", ex.api.name, ex.request_id),
        )

    def _timed_out(self, ex: Exchange, what: str = "function") -> None:
        ex.timer = None
        self._respond(
            ex,
            503,
            json_headers(),
            SERVICE_UNAVAILABLE,
            f"the {what} did not answer within the 30 s integration timeout",
        )

    def container_request(
        self,
        ex: Exchange,
        given: list[tuple[str, str]],
        raw_path: str,
        raw_query: str,
        body: str | None,
    ) -> ContainerRequest:
        """The HTTP request a private integration proxies to a container: the path and query
        as the client sent them, the client's headers and API Gateway's own (as a Lambda
        event's, `_headers`) with lower-case names, plus the RFC 7239 `forwarded` header an
        HTTP API adds for an HTTP integration (its `for`, `host` and `proto`), and the body."""
        from stptui.sim.services.container import ContainerRequest

        sent = self._headers(ex.api, given, body, ex.started, ex.request_id)
        headers = [(name.lower(), value) for name, value in sent]
        headers.append(("forwarded", f"for={CLIENT_IP};host={ex.api.domain};proto=https"))
        return ContainerRequest(ex.method, raw_path, raw_query, tuple(headers), body)

    def serve_container(
        self,
        ex: Exchange,
        workload: str,
        container: str,
        port: int | None,
        request: ContainerRequest,
    ) -> None:
        """Serve `ex` with `container` of container workload `workload` listening on `port`:
        the one way a route reaches a container (a multi-container workload's, a service's).
        The container's answer is the client's; a container that fails the request resets
        the connection, and the client gets 503 `Service Unavailable`, as it does when the
        container has not answered within the 30 s integration timeout (the container runs
        on: what it emits still happens)."""

        def answered(answer: ContainerAnswer) -> None:
            if answer.status is None:
                why = f"the container reset the connection ({answer.error})"
                self._respond(ex, 503, json_headers(), SERVICE_UNAVAILABLE, why)
                return
            self._respond(ex, answer.status, answer.headers, answer.body, None)

        serve_timed(
            self.sim,
            ex,
            (workload, container, port, request),
            ex.api.name,
            answered,
            (INTEGRATION_TIMEOUT_MS, self._container_timed_out, "http-timeout"),
        )

    def _container_timed_out(self, ex: Exchange) -> None:
        self._timed_out(ex, "container")

    def _start_job(self, ex: Exchange, route: Route) -> None:
        """What the job's trigger function does: start an execution, answer 200 at once (or
        fail, when StartExecution refuses its input: the gateway's 500)."""
        from stptui.sim.services.batch import TriggerFailed, submit_job

        try:
            eid = submit_job(self.sim, route.target, ex.event, "http-api-gateway", ex.request_id)
        except TriggerFailed as exc:
            why = f"the job's trigger function failed: {exc.message}"
            self._respond(ex, 500, json_headers(), INTERNAL_ERROR, why)
            return
        body = job_started_body(self.sim, route.target, eid)
        # The helper answers with `headers: {}`, which the gateway labels as for any function.
        self._respond(ex, 200, labelled([]), body, None, execution_id=eid)

    def _respond(
        self,
        ex: Exchange,
        status: int,
        headers: list[tuple[str, str]],
        body: str,
        reason: str | None,
        *,
        execution_id: str | None = None,
        cors: bool = True,
    ) -> None:
        sim = self.sim
        now = sim.clock.now
        if cors and ex.api.cors is not None:
            headers = http_auth.with_cors(ex.api.cors, ex.origin, headers)
        have = {name.lower() for name, _ in headers}
        extra = [
            ("content-length", str(body_bytes(body))),
            ("date", http_date(now)),
            ("apigw-requestid", ex.request_id),
        ]
        all_headers = headers + [(k, v) for k, v in extra if k not in have]
        ex.response = HttpResponse(
            status,
            all_headers,
            body,
            ex.request_id,
            now - ex.started,
            ex.api.name,
            ex.route.key if ex.route else None,
            ex.route.target if ex.route else None,
            reason,
            ex.invocation_id,
            execution_id,
            ex.method,
            ex.raw_path,
        )
        sim.trace.emit((now, tk.HTTP_RESPONSE, ex.api.name, ex.response.record()))
        self.answers.keep(ex.response)

    # -- payloads ------------------------------------------------------------------------

    def _request_id(self) -> str:
        """An API Gateway request id (`cGMi_haHjoEEPmw=`): 11 bytes in URL-safe base64, as
        captured `apigw-requestid` headers show them, from the simulation's id stream."""
        return request_id_of(self.sim.new_id())

    def example_event(
        self, trigger: HttpTrigger, method: str, path: str, body: str | None, uuid: str
    ) -> dict[str, Any] | None:
        """The event the route of `trigger` hands its function for a request `method path`
        with `body` sent now without headers, its request id made of `uuid`, built as a
        request's is (payload format 1.0 or 2.0) without sending one: no id is drawn and
        nothing is traced. None when the request would not reach that route (another route
        takes it, or the route is a container's). An authorizer's context is not in it."""
        api = self.apis.get(trigger.gateway.target or "") if trigger.gateway else None
        if api is None:
            return None
        selected = api.select(method, path)
        if selected is None:
            return None
        route, params = selected
        if route.target != trigger.owner or route.key != trigger.route_key or route.to_container:
            return None
        request_id = request_id_of(uuid)
        now = self.sim.clock.now
        ex = Exchange(api, method, path, request_id, now, route, path)
        headers = self._headers(api, [], body, now, request_id)
        if route.payload_format == "2.0":
            return self._event_v2(ex, route, params, headers, "", body)
        return self._event_v1(ex, route, params, headers, "", body)

    def _headers(
        self,
        api: HttpApi,
        given: list[tuple[str, str]],
        body: str | None,
        now: int,
        request_id: str,
    ) -> list[tuple[str, str]]:
        """The request's headers as the integration sees them, names as the client spelt
        them: what the client sent, plus what a client and API Gateway add unless the client
        set them. The stand-in client spells its own as curl does and labels a body without
        a content type as JSON when it is JSON, else as plain text, so that it reaches the
        function as text (see is_text_body). Either format always carries a content length,
        `0` without a body, as every captured event does (the Lambda guide's 2.0 event of a
        browser's GET has `content-length: 0`)."""
        trace_id = hashlib.sha256(request_id.encode()).hexdigest()[:24]
        length = str(len(body.encode("utf-8", "surrogatepass"))) if body else "0"
        trace = ("X-Amzn-Trace-Id", f"Root=1-{now // 1000:08x}-{trace_id}")
        if not given:
            # Most requests (every repetition of a load) set no header: the defaults, as
            # they are, without matching names.
            head = [("Content-Length", length)]
            if body:
                head.append(("Content-Type", media_type_of(body)))
            return [*head, ("Host", api.domain), ("User-Agent", USER_AGENT), trace, *_FORWARDED]
        defaults = [
            ("Content-Length", length),
            ("Content-Type", media_type_of(body)) if body else None,
            ("Host", api.domain),
            ("User-Agent", USER_AGENT),
            trace,
            *_FORWARDED,
        ]
        names = {name.lower() for name, _ in given}
        out: list[tuple[str, str]] = []
        for item in defaults:
            if item is None:
                continue
            low = item[0].lower()
            if low in names:
                out += [(n, v) for n, v in given if n.lower() == low]
            else:
                out.append(item)
        default_names = {item[0].lower() for item in defaults if item is not None}
        out += [(n, v) for n, v in given if n.lower() not in default_names]
        return out

    def _event_v2(
        self,
        ex: Exchange,
        route: Route,
        params: dict[str, str],
        headers: list[tuple[str, str]],
        raw_query: str,
        body: str | None,
    ) -> dict[str, Any]:
        """The payload format 2.0 event, keys in AWS's order; empty parts are left out, an
        empty body too: on the wire it is no body (`content-length: 0`), and the bodiless
        POST captured from an HTTP API has no `body` in 2.0 and `body: null` in 1.0."""
        headers = [(name.lower(), value) for name, value in headers]
        cookies = [
            c.strip() for n, v in headers if n == "cookie" for c in v.split(";") if c.strip()
        ]
        plain = [(n, v) for n, v in headers if n != "cookie"]
        query = parse_query(raw_query)
        event: dict[str, Any] = {
            "version": "2.0",
            "routeKey": route.key,
            "rawPath": ex.path,
            "rawQueryString": raw_query,
        }
        if cookies:
            event["cookies"] = cookies
        event["headers"] = by_name(comma_joined(plain))
        if query:
            event["queryStringParameters"] = by_name(comma_joined(query))
        event["requestContext"] = {
            "accountId": self.sim.account_id,
            "apiId": ex.api.api_id,
            "domainName": ex.api.domain,
            "domainPrefix": ex.api.api_id,
            "http": {
                "method": ex.method,
                "path": ex.path,
                "protocol": PROTOCOL,
                "sourceIp": CLIENT_IP,
                "userAgent": header_value(headers, "user-agent") or "",
            },
            "requestId": ex.request_id,
            "routeKey": route.key,
            "stage": STAGE,
            "time": request_time(ex.started),
            "timeEpoch": ex.started,
        }
        text, encoded = lambda_body(headers, body or None)
        if text is not None:
            event["body"] = text
        if params:
            event["pathParameters"] = params
        event["isBase64Encoded"] = encoded
        return event

    def _event_v1(
        self,
        ex: Exchange,
        route: Route,
        params: dict[str, str],
        headers: list[tuple[str, str]],
        raw_query: str,
        body: str | None,
    ) -> dict[str, Any]:
        """The payload format 1.0 event (REST-API-compatible), keys in AWS's order; an
        empty body is null, as no body is (see _event_v2)."""
        query = parse_query(raw_query)
        resource = route.path
        text, encoded = lambda_body(headers, body or None)
        spelt = _first_spelling([(_v1_name(name), value) for name, value in headers])
        return {
            "version": "1.0",
            "resource": resource,
            "path": ex.path,
            "httpMethod": ex.method,
            "headers": by_name(last_values(spelt)),
            "multiValueHeaders": by_name(all_values(spelt)),
            "queryStringParameters": last_values(query) if query else None,
            "multiValueQueryStringParameters": all_values(query) if query else None,
            "requestContext": {
                "accountId": self.sim.account_id,
                "apiId": ex.api.api_id,
                "domainName": ex.api.domain,
                "domainPrefix": ex.api.api_id,
                "extendedRequestId": ex.request_id,
                "httpMethod": ex.method,
                "identity": {
                    "accessKey": None,
                    "accountId": None,
                    "caller": None,
                    # In events captured from AWS (2021-2024), not in the guide's sample.
                    "cognitoAmr": None,
                    "cognitoAuthenticationProvider": None,
                    "cognitoAuthenticationType": None,
                    "cognitoIdentityId": None,
                    "cognitoIdentityPoolId": None,
                    "principalOrgId": None,
                    "sourceIp": CLIENT_IP,
                    "user": None,
                    "userAgent": header_value(headers, "user-agent") or "",
                    "userArn": None,
                },
                "path": ex.path,
                "protocol": PROTOCOL,
                "requestId": ex.request_id,
                "requestTime": request_time(ex.started),
                "requestTimeEpoch": ex.started,
                "resourceId": route.key,
                "resourcePath": resource,
                "stage": STAGE,
            },
            "pathParameters": params or None,
            "stageVariables": None,
            "body": text,
            "isBase64Encoded": encoded,
        }

    # -- views ---------------------------------------------------------------------------

    def listing(self) -> list[dict[str, Any]]:
        """Every route of every gateway, for `show routes`; a container's route also names
        the container and its port (its `payload_format` is None)."""
        out: list[dict[str, Any]] = []
        for api in self.apis.values():
            for r in api.routes:
                row: dict[str, Any] = {
                    "gateway": api.name,
                    "route": r.key,
                    "target": r.target,
                    "target_type": r.target_type,
                    "payload_format": r.payload_format,
                }
                if r.to_container:
                    row.update(container=r.container, container_port=r.container_port)
                if r.authorizer is not None:
                    target = r.authorizer.target
                    row["authorizer"] = r.authorizer.type + (
                        f" {target.target}" if target is not None and target.target else ""
                    )
                out.append(row)
        return out


def request_id_of(uuid: str) -> str:
    """An API Gateway request id made of an id of the simulation's id stream: its first 11
    bytes in URL-safe base64."""
    return base64.urlsafe_b64encode(bytes.fromhex(uuid.replace("-", ""))[:11]).decode()


def media_type_of(body: str) -> str:
    """The content type the stand-in client gives a body sent without one."""
    try:
        jsontext.loads(body)
    except ValueError:
        return PLAIN_TEXT_TYPE
    return JSON_MEDIA_TYPE


def lambda_body(headers: list[tuple[str, str]], body: str | None) -> tuple[str | None, bool]:
    """The event's (`body`, `isBase64Encoded`): the text itself for a text content type,
    else the base64 of its UTF-8 bytes."""
    if not body or is_text_body(headers):
        return body, False
    return base64.b64encode(body.encode("utf-8", "surrogatepass")).decode("ascii"), True


def job_started_body(sim: Simulator, job_name: str, execution_id: str) -> str:
    """The body of the answer of a batch job's trigger function, which has just started
    execution `execution_id`: Stacktape's helper Lambda answers with exactly these three
    fields, whichever HTTP entry (API or load balancer) called it."""
    job = sim.services["batch"].jobs[job_name]
    return compact_json(
        {
            "message": "Successfully started batch job state machine with name "
            f"{job.state_machine_arn.rsplit(':', 1)[-1]}-{execution_id}",
            "stateMachineName": f"{job.name_base}-{execution_id}",
            "stateMachineExecutionArn": job.running[execution_id].arn,
        }
    )


def json_headers() -> list[tuple[str, str]]:
    """The headers of an answer in JSON: a new list, which the caller may extend."""
    return [("content-type", JSON_MEDIA_TYPE)]


def labelled(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The headers an HTTP API sends with a Lambda result: the function's own, with
    `content-type: text/plain; charset=utf-8` when it named none, as HTTP APIs of both
    payload formats answered on AWS (docs/fidelity.md, HTTP API)."""
    if header_value(headers, "content-type") is not None:
        return headers
    return [*headers, ("content-type", PLAIN_TEXT_TYPE)]


def interpret(
    payload_format: str, result: Any
) -> tuple[int, list[tuple[str, str]], str, str | None]:
    """How API Gateway turns a function's result into a response: (status, headers, body,
    reason). `reason` is None when the result was used as the function meant it, and says
    what was wrong when it was not (the response is then a 500)."""
    if not (isinstance(result, dict) and "statusCode" in result):
        if payload_format == "2.0":
            text = result if isinstance(result, str) else compact_json(result)
            return 200, json_headers(), text, None
        return _malformed(
            "payload format 1.0 needs an object with statusCode "
            f"(the function returned {compact_json(result)[:80]})"
        )
    status = result["statusCode"]
    # ASCII digits: isdigit() alone takes `²`, which int() refuses, and `２００`.
    if isinstance(status, str) and status.isascii() and status.isdigit():
        status = int(status)
    if isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599:
        return _malformed(f"statusCode must be an HTTP status, not {compact_json(status)}")
    headers: list[tuple[str, str]] = []
    given = result.get("headers") or {}
    multi = (result.get("multiValueHeaders") or {}) if payload_format == "1.0" else {}
    if not isinstance(given, dict) or not isinstance(multi, dict):
        return _malformed("headers must be an object")
    # "If you specify values for both headers and multiValueHeaders, API Gateway merges them
    # into a single list. If the same key-value pair is specified in both, only the values
    # from multiValueHeaders will appear in the merged list" (API Gateway developer guide,
    # Lambda proxy output format).
    for name, values in multi.items():
        if not isinstance(values, list):
            return _malformed(f"multiValueHeaders {name!r} must be a list")
    # Other values of a name in both are all sent, the single one first, as an HTTP API
    # answered on AWS (docs/fidelity.md, HTTP API); only a pair given in both is sent once.
    multi_pairs = {(str(n).lower(), _scalar(v)) for n, vs in multi.items() for v in vs}
    for name, value in given.items():
        if isinstance(value, (dict, list)):
            return _malformed(f"header {name!r} must be a string")
        if (str(name).lower(), _scalar(value)) not in multi_pairs:
            headers.append((str(name), _scalar(value)))
    for name, values in multi.items():
        headers += [(str(name), _scalar(v)) for v in values]
    cookies = result.get("cookies") if payload_format == "2.0" else None
    if cookies is not None:
        if not isinstance(cookies, list):
            return _malformed("cookies must be a list of strings")
        headers += [("set-cookie", _scalar(c)) for c in cookies]
    body = result.get("body")
    if body is None:
        body = ""
    if not isinstance(body, str):
        return _malformed(f"body must be a string, not {type(body).__name__}")
    if result.get("isBase64Encoded") is True:
        try:
            raw = base64.b64decode(body, validate=True)
        except ValueError:
            return _malformed("isBase64Encoded is true but the body is not base64")
        body = binary_body(raw)
    return status, headers, body, None


class BinaryBody(str):
    """A response body of bytes that are no UTF-8 text: shown as `<N bytes of binary data>`,
    while its Content-Length is the N bytes the client receives (`body_bytes`)."""

    size: int


def binary_body(raw: bytes) -> str:
    """The body the client receives from `raw`: its text when it is UTF-8, else a
    BinaryBody that says how many bytes it is."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        body = BinaryBody(f"<{len(raw)} bytes of binary data>")
        body.size = len(raw)
        return body


def body_bytes(body: str) -> int:
    """The Content-Length of a response body: its UTF-8 bytes (lone surrogates kept, as
    sent), or a binary body's own bytes."""
    if isinstance(body, BinaryBody):
        return body.size
    return len(body.encode("utf-8", "surrogatepass"))


def _scalar(value: Any) -> str:
    """A header value as text (JSON's spelling for booleans and null)."""
    return value if isinstance(value, str) else compact_json(value)


def _malformed(why: str) -> tuple[int, list[tuple[str, str]], str, str]:
    return 500, json_headers(), INTERNAL_ERROR, f"malformed Lambda response: {why}"


def wire(sim: Simulator) -> None:
    """Build the gateways and their route tables."""
    sim.services["http"] = HttpService(sim)
