"""API Gateway WebSocket APIs: Stacktape's `websocket-api-gateway` resources, the routes its
functions' `websocket-api-gateway` events make, connections on the virtual clock, and the
@connections management API.

Rules (docs/fidelity.md "WebSocket APIs"; API Gateway developer guide, "WebSocket APIs";
Stacktape's websocket-api-gateways resolver and `validateWebsocketApiGatewayConfig`):

* Stacktape deploys the API with RouteSelectionExpression `routeSelectionExpression` (default
  `$request.body.action`) on the stage `default`, one route per event, a Lambda proxy
  integration whose timeout is the function's timeout + 0.5 s, at most 29 s, and, for
  `returnResponse: true`, a route response `$default` (a two-way route: the function's
  answer is sent back to the client). A `lambda` authorizer (REQUEST, identity
  `route.request.header.Authorization` unless `identitySources` says otherwise) guards the
  `$connect` route only.
* Connect: the authorizer (when there is one) decides first: a missing identity source is a
  401 without invoking it, a policy that does not allow the `$connect` method ARN a 403, a
  failed or malformed answer a 500. Then the `$connect` function: a failure is a 502, a
  result whose `statusCode` is not 2xx refuses the connection with that status. Without a
  `$connect` route the connection is accepted at once.
* Message: the selection expression is evaluated on the body read as JSON (the value is
  stringified); the route with that key is chosen, else `$default`; a body that is not JSON,
  or whose expression finds nothing, goes to `$default`; with no `$default` the gateway
  sends the client `{"message": "Forbidden", "connectionId":"...", "requestId":"..."}`.
  A function error or an integration timeout sends `Internal server error` (and `Endpoint
  request timed out`) in the same shape; a two-way route sends the function's `body` (or,
  for a result without `statusCode`, the result itself).
* A connection closes when the client closes it (1000), when it has been idle (no message
  from the client) for 10 minutes or open for 2 hours (1001 `Going away`), when the client
  sends a message over 128 KB (1009), or on DeleteConnection; `$disconnect` is then
  invoked, best effort, and its result ignored.
  PostToConnection and DeleteConnection on a closed or unknown connection raise
  GoneException (410); a client's send or close on one is refused as a closed socket.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from stptui import jsontext
from stptui.config.model import Function, WebSocketTrigger
from stptui.config.normalize_gateways import BODY_PATH, SELECTION_VARIABLE
from stptui.sim import trace as tk
from stptui.sim.clock import iso_ms
from stptui.sim.services import http_auth
from stptui.sim.services.http import (
    CLIENT_IP,
    all_values,
    function_failed,
    header_value,
    last_values,
    request_time,
)
from stptui.sim.services.http_auth import Verdict
from stptui.textsafe import quote_word, quoted, typed_names

if TYPE_CHECKING:
    from stptui.sim.behavior import Emission, Outcome
    from stptui.sim.engine import Simulator

STAGE = "default"  # Stacktape's WEBSOCKET_API_STAGE_NAME
DEFAULT_SELECTION = "$request.body.action"
DEFAULT_IDENTITY = ("route.request.header.Authorization",)
CONNECT, DISCONNECT, DEFAULT = "$connect", "$disconnect", "$default"
IDLE_TIMEOUT_MS = 10 * 60_000
MAX_DURATION_MS = 2 * 3_600_000
MAX_FRAME_BYTES = 32 * 1024
MAX_MESSAGE_BYTES = 128 * 1024
MAX_INTEGRATION_MS = 29_000
# Close codes (RFC 6455, 7.4.1) and the reasons $disconnect reports.
CLIENT_CLOSE = (1000, "")
GOING_AWAY = (1001, "Going away")
# A message over the payload quota closes the connection with 1009 (the quotas' page); the
# reason is RFC 6455's name for the code (a choice: AWS's text is not documented).
TOO_BIG = (1009, "Message Too Big")
FORBIDDEN = "Forbidden"
INTERNAL_ERROR = "Internal server error"
TIMED_OUT = "Endpoint request timed out"
WS_VERSION = "13"
# The empty headers of a $disconnect event besides `Host` (aws-powertools'
# apiGatewayWebSocketApiDisconnect.json, 2024; the same in other captures since 2022).
DISCONNECT_HEADERS = ("x-api-key", "X-Forwarded-For", "x-restapi")
WS_EXTENSIONS = "permessage-deflate; client_max_window_bits"


class WebSocketError(ValueError):
    """A request API Gateway (or the stand-in client) refuses: `code` is the AWS error
    (`GoneException`, `PayloadTooLargeException`) or None for the client's own mistakes."""

    def __init__(
        self,
        message: str,
        hint: str | None = None,
        code: str | None = None,
        *,
        word: str | None = None,
    ) -> None:
        super().__init__(message)
        self.hint = hint
        self.code = code
        # The name or id refused as given, when the refusal is about one (no such API).
        self.word = word


@dataclass(frozen=True, slots=True)
class WsRoute:
    """One route of a WebSocket API and the function behind it."""

    key: str
    target: str
    two_way: bool  # `returnResponse`: a route response sends the function's answer back


@dataclass(slots=True)
class WsApi:
    """One WebSocket API: its identity, its selection expression and its routes."""

    name: str
    api_id: str
    domain: str
    selection: str
    routes: dict[str, WsRoute] = field(default_factory=dict)
    authorizer: str | None = None  # the function of the $connect route's lambda authorizer
    identity_sources: tuple[str, ...] = DEFAULT_IDENTITY

    def select(self, body: str) -> tuple[WsRoute | None, str | None]:
        """(the route a message goes to or None, the value its selection expression gave)."""
        value = selection_value(self.selection, body)
        if value is not None and value in self.routes and value not in (CONNECT, DISCONNECT):
            return self.routes[value], value
        return self.routes.get(DEFAULT), value


def selection_value(expression: str, body: str) -> str | None:
    """The route key a selection expression gives for a message, or None when it cannot be
    evaluated (the body is not JSON, or has nothing at a path it reads). Each
    `$request.body.a.b` or `${request.body.a.b}` in it reads the body, stringified (a string
    as it is, anything else as its JSON text), and the text around them stays as written
    (`${request.body.action}-v2`); `\\$` is a dollar sign. Variables API Gateway does not
    evaluate for WebSocket APIs (`validate` refuses them) stay as written."""
    text = expression.strip()
    parsed: list[Any] = []  # the body, parsed at the first variable that reads it
    out: list[str] = []
    pos = 0
    for match in SELECTION_VARIABLE.finditer(text):
        variable = match["braced"] if match["braced"] is not None else match["bare"]
        if not variable.startswith(BODY_PATH) or len(variable) == len(BODY_PATH):
            continue
        if not parsed:
            try:
                parsed.append(jsontext.loads(body))
            except ValueError:
                return None
        value = parsed[0]
        for part in variable[len(BODY_PATH) :].split("."):
            if not isinstance(value, dict) or part not in value:
                return None
            value = value[part]
        if value is None:
            return None
        out.append(text[pos : match.start()].replace("\\$", "$"))
        out.append(value if isinstance(value, str) else json.dumps(value, separators=(",", ":")))
        pos = match.end()
    out.append(text[pos:].replace("\\$", "$"))
    return "".join(out)


def short_id(uuid: str) -> str:
    """The API Gateway id (`BFaT_fALIAMCKug=`) made of a UUID of the id stream. URL-safe
    base64, as captured ids are: a connection id is a path segment of the @connections URL."""
    raw = bytes.fromhex(uuid.replace("-", ""))
    return base64.urlsafe_b64encode(raw[:11]).decode()


def selecting_body(expression: str, route_key: str) -> str | None:
    """A JSON message whose route selection by `expression` gives `route_key`: the value
    at the one `$request.body.PATH` it reads (the text around it taken off the key), or
    None when the expression reads no body path, several, or text around it that the key
    lacks."""
    text = expression.strip()
    found = [
        m
        for m in SELECTION_VARIABLE.finditer(text)
        if (m["braced"] if m["braced"] is not None else m["bare"]).startswith(BODY_PATH)
    ]
    if len(found) != 1:
        return None
    match = found[0]
    variable = match["braced"] if match["braced"] is not None else match["bare"]
    head = text[: match.start()].replace("\\$", "$")
    tail = text[match.end() :].replace("\\$", "$")
    if len(route_key) < len(head) + len(tail) or not (
        route_key.startswith(head) and route_key.endswith(tail)
    ):
        return None
    value: Any = route_key[len(head) : len(route_key) - len(tail)]
    for part in reversed(variable[len(BODY_PATH) :].split(".")):
        value = {part: value}
    return json.dumps(value, separators=(",", ":"))


def gateway_message(message: str, connection_id: str, request_id: str) -> str:
    """What API Gateway itself sends a client (no route, a failed integration), spaced as
    clients receive it."""
    return (
        f'{{"message": "{message}", "connectionId":"{connection_id}", "requestId":"{request_id}"}}'
    )


@dataclass(slots=True)
class InboxItem:
    """A message the client received: when, from whom (`route-response`, `gateway`,
    `management-api`) and its text."""

    t: int
    source: str
    data: str


@dataclass(slots=True)
class Connection:
    """One client connection and its lifecycle."""

    id: str
    api: WsApi
    connected_at: int
    headers: list[tuple[str, str]]
    query: list[tuple[str, str]]
    last_active: int = 0
    state: str = "connecting"  # connecting | open | refused | closed
    closed_at: int | None = None
    close_code: int | None = None
    close_reason: str | None = None
    authorizer: dict[str, Any] | None = None  # what the authorizer passed on
    inbox: list[InboxItem] = field(default_factory=list)
    idle_timer: list[Any] | None = None
    max_timer: list[Any] | None = None

    @property
    def open(self) -> bool:
        """Whether messages can flow (PostToConnection succeeds)."""
        return self.state == "open"


@dataclass(slots=True)
class ConnectResult:
    """The answer to a connection request: the connection when accepted, else the HTTP
    status the handshake was refused with and why."""

    connection: Connection
    request_id: str
    status: int = 101
    reason: str | None = None
    invocation_id: str | None = None
    done: bool = False


@dataclass(slots=True)
class SendResult:
    """What became of one message: the route and the messages the client got back."""

    connection: Connection
    request_id: str
    message_id: str
    route: WsRoute | None
    selected: str | None
    replies: list[InboxItem] = field(default_factory=list)
    invocation_id: str | None = None
    reason: str | None = None
    done: bool = False
    timer: list[Any] | None = None


class WebSocketService:
    """Every WebSocket API of the stack and every connection made to them."""

    def __init__(self, sim: Simulator) -> None:
        self.sim = sim
        self.apis: dict[str, WsApi] = {}
        self.connections: dict[str, Connection] = {}
        # The integration timeout of each request waiting for its function, by request id.
        self._timers: dict[str, list[Any]] = {}
        for res in sim.stack.resources.values():
            if res.type != "websocket-api-gateway":
                continue
            expression = res.properties.get("routeSelectionExpression")
            domain = sim.resource_param(res.name, "canonicalDomain").split(",", 1)[0]
            self.apis[res.name] = WsApi(
                res.name,
                sim.resource_param(res.name, "apiId"),
                domain,
                expression if isinstance(expression, str) else DEFAULT_SELECTION,
            )
        for fn in sim.stack.of_type(Function):
            for t in fn.events:
                if not isinstance(t, WebSocketTrigger) or t.gateway is None or not t.route_key:
                    continue
                api = self.apis.get(t.gateway.target or "")
                if api is None or t.route_key in api.routes:
                    continue  # `validate` reports both; the first route stands
                api.routes[t.route_key] = WsRoute(t.route_key, fn.name, t.return_response)
                if t.route_key == CONNECT and t.authorizer_function is not None:
                    api.authorizer = t.authorizer_function.target
                    auth = t.properties.get("authorizer")
                    props = auth.get("properties") if isinstance(auth, dict) else None
                    sources = props.get("identitySources") if isinstance(props, dict) else None
                    if isinstance(sources, list) and sources:
                        api.identity_sources = tuple(str(s) for s in sources)

    # -- lookups ---------------------------------------------------------------------------

    def api(self, name: str | None) -> WsApi:
        """The gateway `name` names, or the stack's only one."""
        from stptui.config.diagnostics import did_you_mean

        names = typed_names(self.apis) or "(none)"
        if name is None:
            if len(self.apis) == 1:
                return next(iter(self.apis.values()))
            if not self.apis:
                raise WebSocketError("this stack has no websocket-api-gateway")
            raise WebSocketError(
                f"this stack has {len(self.apis)} WebSocket APIs; say which one",
                f"one of {names}",
            )
        hit = self.apis.get(name)
        if hit is not None:
            return hit
        other = self.sim.stack.resources.get(name)
        if other is not None:
            raise WebSocketError(
                f"{quoted(name)} is a {other.type}, not a websocket-api-gateway",
                f"WebSocket APIs: {names}",
                word=name,
            )
        guess = did_you_mean(name, self.apis)
        raise WebSocketError(
            f"no websocket-api-gateway named {quoted(name)}",
            f"did you mean {quote_word(guess)}?" if guess else f"WebSocket APIs: {names}",
            word=name,
        )

    def connection(
        self, connection_id: str, *, open_only: bool = True, client: bool = False
    ) -> Connection:
        """The connection with this id; WebSocketError for one that is closed, refused or
        unknown (when `open_only`). The management API answers that with GoneException
        (410); a `client` has no such answer, only a socket that is closed or was never
        opened, and its refusal says so."""
        from stptui.config.diagnostics import did_you_mean

        conn = self.connections.get(connection_id)
        if conn is not None and (conn.open or not open_only):
            return conn
        live = [c.id for c in self.connections.values() if c.open]
        look = _open_hint(live)
        gone = "" if client else "GoneException: "
        code = None if client else "GoneException"
        if conn is None:
            # A mistyped id is the likelier mistake than a connection API Gateway forgot.
            guess = did_you_mean(connection_id, live or self.connections)
            raise WebSocketError(
                f"{gone}no connection {quoted(connection_id)}",
                f"did you mean {quote_word(guess)}?" if guess else look,
                code,
            )
        how = {
            "refused": "was refused at $connect",
            "closed": f"closed at {iso_ms(conn.closed_at or 0)} ({conn.close_reason})",
        }.get(conn.state, "is not open yet")
        if client:
            # What a client sees: its socket is closed (or never opened); no 410 reaches it.
            never = conn.state == "refused"
            socket = "was never open" if never else "is closed"
            raise WebSocketError(
                f"connection {connection_id} {how}: the client's socket {socket}",
                f"ws-connect opens a new one; {look}",
            )
        raise WebSocketError(f"{gone}connection {connection_id} {how}", look, code)

    # -- ids and events --------------------------------------------------------------------

    def _short_id(self) -> str:
        """An API Gateway id (`BFaT_fALIAMCKug=`: a connection, request or message id), from
        the simulation's id stream."""
        return short_id(self.sim.new_id())

    def _context(
        self, conn: Connection, route_key: str, event_type: str, request_id: str, **extra: Any
    ) -> dict[str, Any]:
        """A proxy event's `requestContext`, keys in the order captured events list them."""
        now = self.sim.clock.now
        ctx: dict[str, Any] = {}
        if conn.authorizer is not None:
            ctx["authorizer"] = conn.authorizer
        ctx["routeKey"] = route_key
        if "message_id" in extra:
            ctx["messageId"] = extra["message_id"]
        if "close" in extra:
            ctx["disconnectStatusCode"] = extra["close"][0]
        ctx["eventType"] = event_type
        ctx["extendedRequestId"] = request_id
        ctx["requestTime"] = request_time(now)
        ctx["messageDirection"] = "IN"
        if "close" in extra:
            ctx["disconnectReason"] = extra["close"][1]
        ctx["stage"] = STAGE
        ctx["connectedAt"] = conn.connected_at
        ctx["requestTimeEpoch"] = now
        identity = {"sourceIp": CLIENT_IP}
        # The upgrade request's User-Agent, when its client sent one (a captured $connect
        # without one has none); message events name only the address.
        agent = header_value(conn.headers, "user-agent")
        if event_type != "MESSAGE" and agent is not None:
            identity = {"userAgent": agent, **identity}
        ctx["identity"] = identity
        ctx["requestId"] = request_id
        ctx["domainName"] = conn.api.domain
        ctx["connectionId"] = conn.id
        ctx["apiId"] = conn.api.api_id
        return ctx

    def _handshake_headers(
        self, api: WsApi, given: list[tuple[str, str]], request_id: str
    ) -> list[tuple[str, str]]:
        """The upgrade request's headers: the client's, and what a client and API Gateway
        add unless the client set them (a WebSocket key derived from the request id)."""
        digest = hashlib.sha256(request_id.encode()).digest()
        now_s = self.sim.clock.now // 1000
        defaults = [
            ("Host", api.domain),
            ("Sec-WebSocket-Extensions", WS_EXTENSIONS),
            ("Sec-WebSocket-Key", base64.b64encode(digest[:16]).decode()),
            ("Sec-WebSocket-Version", WS_VERSION),
            ("X-Amzn-Trace-Id", f"Root=1-{now_s:08x}-{digest.hex()[:24]}"),
            ("X-Forwarded-For", CLIENT_IP),
            ("X-Forwarded-Port", "443"),
            ("X-Forwarded-Proto", "https"),
        ]
        names = {n.lower() for n, _ in given}
        return [d for d in defaults if d[0].lower() not in names] + list(given)

    def _connect_event(self, conn: Connection, request_id: str) -> dict[str, Any]:
        event: dict[str, Any] = {
            "headers": last_values(conn.headers),
            "multiValueHeaders": all_values(conn.headers),
        }
        if conn.query:
            event["queryStringParameters"] = last_values(conn.query)
            event["multiValueQueryStringParameters"] = all_values(conn.query)
        event["requestContext"] = self._context(conn, CONNECT, "CONNECT", request_id)
        event["isBase64Encoded"] = False
        return event

    # -- connect ---------------------------------------------------------------------------

    def connect(
        self,
        gateway: str | None,
        headers: list[tuple[str, str]] | None = None,
        query: list[tuple[str, str]] | None = None,
    ) -> ConnectResult:
        """Open a connection and run the clock until API Gateway accepts or refuses it."""
        result = self.start_connect(gateway, headers, query)
        while not result.done and self.sim.clock.step():
            pass
        return result

    def start_connect(
        self,
        gateway: str | None,
        headers: list[tuple[str, str]] | None = None,
        query: list[tuple[str, str]] | None = None,
    ) -> ConnectResult:
        """Ask for a connection and return at once: the authorizer and the $connect route
        run as the clock carries them, and the trace records the answer (`ws.connected`
        or `ws.refused`). A refusal that needs no function (a missing identity source)
        and an API without a $connect route answer before it returns (`done`)."""
        api = self.api(gateway)
        sim = self.sim
        now = sim.clock.now
        request_id = self._short_id()
        conn = Connection(self._short_id(), api, now, [], list(query or []), last_active=now)
        conn.headers = self._handshake_headers(api, list(headers or []), request_id)
        self.connections[conn.id] = conn
        result = ConnectResult(conn, request_id)
        route = api.routes.get(CONNECT)
        sim.trace.emit(
            (
                now,
                tk.WS_CONNECT,
                api.name,
                {
                    "connection_id": conn.id,
                    "request_id": request_id,
                    "route": CONNECT if route else None,
                    "target": route.target if route else None,
                },
            )
        )
        if api.authorizer is not None:
            self._authorize(result)
        else:
            self._connect_route(result)
        return result

    def _authorize(self, result: ConnectResult) -> None:
        """The $connect route's Lambda authorizer: a REQUEST authorizer answering with an IAM
        policy for the `$connect` method ARN."""
        from stptui.sim.engine import SimError

        sim = self.sim
        conn = result.connection
        api = conn.api
        function = api.authorizer
        missing = missing_identity(api.identity_sources, conn.headers, conn.query)
        base: dict[str, Any] = {"connection_id": conn.id, "request_id": result.request_id}
        base["function"] = function
        if missing is not None:
            why = f"identity source {missing} is missing or empty; the authorizer is not invoked"
            self._authorized(result, Verdict(401, why), base)
            return
        arn = (
            f"arn:aws:execute-api:{sim.stack.region}:{sim.account_id}:{api.api_id}/"
            f"{STAGE}/{CONNECT}"
        )
        event: dict[str, Any] = {"type": "REQUEST", "methodArn": arn}
        connect_event = self._connect_event(conn, result.request_id)
        for name in ("headers", "multiValueHeaders"):
            event[name] = connect_event[name]
        for name in ("queryStringParameters", "multiValueQueryStringParameters"):
            if name in connect_event:
                event[name] = connect_event[name]
        event["stageVariables"] = {}
        event["requestContext"] = connect_event["requestContext"]

        def done(outcome: Outcome, inv_id: str) -> None:
            record = {**base, "invocation_id": inv_id}
            if outcome.status != "success":
                why = f"the authorizer failed: {outcome.error_type}"
                self._authorized(result, Verdict(500, why), record)
                return
            self._authorized(result, http_auth.iam_verdict(outcome.response, arn), record)

        if function is None or function not in sim.functions:
            why = f"the authorizer function {function!r} is not a function of this stack"
            self._authorized(result, Verdict(500, why), base)
            return
        try:
            sim.invoke_sync(function, event, done, "websocket-authorizer")
        except SimError as exc:
            self._authorized(result, Verdict(500, str(exc)), base)

    def _authorized(self, result: ConnectResult, verdict: Verdict, record: dict[str, Any]) -> None:
        decisions = {None: "allow", 401: "unauthorized", 403: "deny", 500: "error"}
        data = {**record, "decision": decisions[verdict.status], "reason": verdict.reason}
        conn = result.connection
        self.sim.trace.emit((self.sim.clock.now, tk.WS_AUTHORIZATION, conn.api.name, data))
        if verdict.status is not None:
            self._refuse(result, verdict.status, verdict.reason)
            return
        # The authorizer's context (and principal) reach every later event of the connection.
        context = dict(verdict.context or {})
        if verdict.principal is not None:
            context["principalId"] = verdict.principal
        conn.authorizer = context
        self._connect_route(result)

    def _connect_route(self, result: ConnectResult) -> None:
        """Invoke the $connect route's function (if any) and accept or refuse."""
        from stptui.sim.engine import SimError

        sim = self.sim
        conn = result.connection
        route = conn.api.routes.get(CONNECT)
        if route is None:
            self._accept(result)
            return
        event = self._connect_event(conn, result.request_id)

        def done(outcome: Outcome, inv_id: str) -> None:
            if result.done:
                return  # refused at the integration timeout; the invocation ran on
            self._cancel(result)
            result.invocation_id = inv_id
            if outcome.status != "success":
                self._refuse(result, 502, f"the $connect function failed: {outcome.error_type}")
                return
            status = _status_of(outcome.response)
            if status is not None and not 200 <= status <= 299:
                self._refuse(result, status, f"the $connect function answered {status}")
                return
            self._accept(result)

        try:
            result.invocation_id = sim.invoke_sync(route.target, event, done, "websocket")
        except SimError as exc:
            self._refuse(result, 500, str(exc))
            return
        timer = sim.clock.at(
            sim.clock.now + self._integration_ms(route),
            lambda _: self._refuse(result, 504, "the $connect integration timed out"),
            None,
            ("ws-timeout", conn.api.name, result.request_id),
        )
        self._timers[result.request_id] = timer

    def _cancel(self, result: ConnectResult | SendResult) -> None:
        timer = self._timers.pop(result.request_id, None)
        if timer is not None:
            self.sim.clock.cancel(timer)

    def _integration_ms(self, route: WsRoute) -> int:
        """Stacktape's integration timeout: the function's timeout + 0.5 s, at most 29 s."""
        return min(self.sim.functions[route.target].timeout_ms + 500, MAX_INTEGRATION_MS)

    def _accept(self, result: ConnectResult) -> None:
        sim = self.sim
        now = sim.clock.now
        conn = result.connection
        result.done = True
        conn.state = "open"
        conn.last_active = now
        conn.idle_timer = self._arm_idle(conn)
        conn.max_timer = sim.clock.at(
            conn.connected_at + MAX_DURATION_MS,
            self._expire,
            conn,
            ("ws-max", conn.api.name, conn.id),
            background=True,
        )
        data = {"connection_id": conn.id, "request_id": result.request_id}
        if result.invocation_id is not None:
            data["invocation_id"] = result.invocation_id
        sim.trace.emit((now, tk.WS_CONNECTED, conn.api.name, data))

    def _refuse(self, result: ConnectResult, status: int, reason: str) -> None:
        self._cancel(result)
        result.done = True
        result.status = status
        result.reason = reason
        conn = result.connection
        conn.state = "refused"
        conn.closed_at = self.sim.clock.now
        conn.close_reason = f"refused with {status}"
        data = {"connection_id": conn.id, "request_id": result.request_id, "status": status}
        data["reason"] = reason
        if result.invocation_id is not None:
            data["invocation_id"] = result.invocation_id
        self.sim.trace.emit((self.sim.clock.now, tk.WS_REFUSED, conn.api.name, data))

    # -- timers ----------------------------------------------------------------------------

    def _arm_idle(self, conn: Connection) -> list[Any]:
        """The idle timeout, from the connection's last message from the client. Background
        work: an open connection is no work in progress for `run`."""
        return self.sim.clock.at(
            conn.last_active + IDLE_TIMEOUT_MS,
            self._idle,
            conn,
            ("ws-idle", conn.api.name, conn.id),
            background=True,
        )

    def _idle(self, conn: Connection) -> None:
        conn.idle_timer = None
        self._close(conn, GOING_AWAY, "idle for 10 minutes")

    def _expire(self, conn: Connection) -> None:
        conn.max_timer = None
        self._close(conn, GOING_AWAY, "open for 2 hours")

    # -- messages --------------------------------------------------------------------------

    def check_message(self, connection_id: str, body: str) -> Connection:
        """The open connection a client would send `body` on; WebSocketError when the
        connection is gone. Changes nothing: `send` makes this check, and the TUI's
        WebSocket dialog as it is typed. A message over the size quota is no refusal: a
        client sends it, and API Gateway closes the connection (`too_big`)."""
        return self.connection(connection_id, client=True)

    @staticmethod
    def too_big(body: str) -> str | None:
        """How far `body` is over the 128 KB quota, for which API Gateway closes the
        connection a client sent it on (code 1009), or None when it is within it."""
        size = len(body.encode("utf-8", "surrogatepass"))
        if size <= MAX_MESSAGE_BYTES:
            return None
        return (
            f"the message is {size:,} bytes, over the {MAX_MESSAGE_BYTES:,} a WebSocket API takes"
        )

    def send(self, connection_id: str, body: str) -> SendResult:
        """A message from the client: route it, invoke its function and run the clock until
        the function has answered (or the gateway has)."""
        result = self.start_send(connection_id, body)
        while not result.done and self.sim.clock.step():
            pass
        return result

    def start_send(self, connection_id: str, body: str) -> SendResult:
        """A message from the client, routed and its function invoked, returning at once:
        the clock carries the invocation, and the trace records what the client gets back
        (`ws.received`). A message no route takes, or whose function cannot be invoked, is
        answered by the gateway before it returns (`done`)."""
        from stptui.sim.engine import SimError

        conn = self.check_message(connection_id, body)
        size = len(body.encode("utf-8", "surrogatepass"))
        sim = self.sim
        now = sim.clock.now
        request_id = self._short_id()
        message_id = self._short_id()
        too_big = self.too_big(body)
        if too_big is not None:
            # No route takes it: the gateway closes the connection ($disconnect runs).
            result = SendResult(conn, request_id, message_id, None, None, done=True)
            result.reason = f"{too_big}: API Gateway closed the connection (code 1009)"
            self._close(conn, TOO_BIG, "the client sent a message over 128 KB")
            return result
        route, selected = conn.api.select(body)
        result = SendResult(conn, request_id, message_id, route, selected)
        conn.last_active = now
        if conn.idle_timer is not None:
            sim.clock.cancel(conn.idle_timer)
        conn.idle_timer = self._arm_idle(conn)
        message = {
            "connection_id": conn.id,
            "request_id": request_id,
            "message_id": message_id,
            "route": route.key if route else None,
            "target": route.target if route else None,
            "selected": selected,
            "size": size,
        }
        if route is None:
            sim.trace.emit((now, tk.WS_MESSAGE, conn.api.name, message))
            why = (
                f"no route {selected!r} and no $default route"
                if selected is not None
                else "the selection expression found nothing and there is no $default route"
            )
            self._gateway_reply(result, FORBIDDEN, why)
            return result
        event = self._message_event(conn, route.key, request_id, message_id, body)

        def done(outcome: Outcome, inv_id: str) -> None:
            if result.done:
                return
            self._cancel(result)
            result.invocation_id = inv_id
            if outcome.status != "success":
                self._gateway_reply(result, INTERNAL_ERROR, function_failed(outcome))
                return
            result.done = True
            data = _response_data(outcome.response) if route.two_way else None
            if data is not None and conn.open:
                result.replies.append(self._deliver(conn, data, "route-response", result))
            elif route.two_way and data is not None:
                result.reason = f"the connection closed ({conn.close_reason}) before the answer"

        try:
            result.invocation_id = sim.invoke_sync(route.target, event, done, "websocket")
        except SimError as exc:
            sim.trace.emit((now, tk.WS_MESSAGE, conn.api.name, message))
            self._gateway_reply(result, INTERNAL_ERROR, str(exc))
            return result
        # Written once the invocation has its id, so that `explain` of the connection
        # reaches what a one-way route's function did (nothing else names it).
        message["invocation_id"] = result.invocation_id
        sim.trace.emit((now, tk.WS_MESSAGE, conn.api.name, message))
        self._timers[request_id] = sim.clock.at(
            now + self._integration_ms(route),
            lambda _: self._gateway_reply(result, TIMED_OUT, "the integration timed out"),
            None,
            ("ws-timeout", conn.api.name, request_id),
        )
        return result

    def _message_event(
        self, conn: Connection, route_key: str, request_id: str, message_id: str, body: str
    ) -> dict[str, Any]:
        """The event a message route's function gets for `body`."""
        return {
            "requestContext": self._context(
                conn, route_key, "MESSAGE", request_id, message_id=message_id
            ),
            "body": body,
            "isBase64Encoded": False,
        }

    def _gateway_reply(self, result: SendResult, message: str, why: str) -> None:
        """API Gateway answers a message itself (no route, a failed integration)."""
        self._cancel(result)
        result.done = True
        result.reason = why
        conn = result.connection
        if conn.open:
            data = gateway_message(message, conn.id, result.request_id)
            result.replies.append(self._deliver(conn, data, "gateway", result, why))

    def _deliver(
        self,
        conn: Connection,
        data: str,
        source: str,
        result: SendResult | None = None,
        reason: str | None = None,
        invocation_id: str | None = None,
    ) -> InboxItem:
        item = InboxItem(self.sim.clock.now, source, data)
        conn.inbox.append(item)
        record: dict[str, Any] = {"connection_id": conn.id, "source": source}
        record["size"] = len(data.encode("utf-8", "surrogatepass"))
        if result is not None:
            record["request_id"] = result.request_id
            if result.invocation_id is not None:
                record["invocation_id"] = result.invocation_id
        if invocation_id is not None:
            record["invocation_id"] = invocation_id
        if reason is not None:
            record["reason"] = reason
        self.sim.trace.emit((item.t, tk.WS_RECEIVED, conn.api.name, record))
        return item

    # -- closing ---------------------------------------------------------------------------

    def disconnect(self, connection_id: str) -> Connection:
        """The client closes the connection (close code 1000)."""
        conn = self.connection(connection_id, client=True)
        self._close(conn, CLIENT_CLOSE, "the client closed the connection")
        return conn

    def _close(self, conn: Connection, close: tuple[int, str], why: str) -> None:
        """Close an open connection now and invoke $disconnect (best effort)."""
        from stptui.sim.engine import SimError

        sim = self.sim
        now = sim.clock.now
        for timer in (conn.idle_timer, conn.max_timer):
            if timer is not None:
                sim.clock.cancel(timer)
        conn.idle_timer = conn.max_timer = None
        conn.state = "closed"
        conn.closed_at = now
        conn.close_code, conn.close_reason = close[0], why
        request_id = self._short_id()
        route = conn.api.routes.get(DISCONNECT)
        data: dict[str, Any] = {"connection_id": conn.id, "request_id": request_id}
        data |= {"status_code": close[0], "reason": why, "duration_ms": now - conn.connected_at}
        if route is not None:
            event = self._disconnect_event(conn, request_id, close)
            # $disconnect is best effort: its answer and its failure reach no one, and a
            # throttle (traced as invocation.throttled) leaves the close as it is.
            with contextlib.suppress(SimError):
                data["invocation_id"] = sim.invoke_sync(
                    route.target, event, lambda outcome, inv_id: None, "websocket"
                )
        sim.trace.emit((now, tk.WS_DISCONNECTED, conn.api.name, data))

    def _disconnect_event(
        self, conn: Connection, request_id: str, close: tuple[int, str]
    ) -> dict[str, Any]:
        """The event the $disconnect route's function gets when `conn` closes with `close`."""
        # The headers captured $disconnect events carry: API Gateway's, not the client's.
        headers = [("Host", conn.api.domain)] + [(n, "") for n in DISCONNECT_HEADERS]
        return {
            "headers": last_values(headers),
            "multiValueHeaders": all_values(headers),
            "requestContext": self._context(
                conn, DISCONNECT, "DISCONNECT", request_id, close=close
            ),
            "isBase64Encoded": False,
        }

    # -- examples --------------------------------------------------------------------------

    def example_event(self, route: WsRoute, body: str, uuid: str) -> dict[str, Any] | None:
        """The event `route`'s function gets now on a connection of its API opened now
        (ids made of `uuid`, none drawn; no connection is opened, nothing traced: `invoke`'s
        offers): `$connect`'s for a handshake that carries each identity source of the
        API's authorizer (`example`), `$disconnect`'s for the client closing it (1000), a
        message route's for `body`, or None when `body` goes to another route. The
        authorizer's context is not in it: only its answer makes it."""
        api = next(a for a in self.apis.values() if a.routes.get(route.key) is route)
        now = self.sim.clock.now
        ident = short_id(uuid)
        headers, query = identity_example(api.identity_sources if api.authorizer else ())
        conn = Connection(ident, api, now, [], query, last_active=now)
        conn.headers = self._handshake_headers(api, headers, ident)
        if route.key == CONNECT:
            return self._connect_event(conn, ident)
        if route.key == DISCONNECT:
            return self._disconnect_event(conn, ident, CLIENT_CLOSE)
        if api.select(body)[0] is not route:
            return None
        return self._message_event(conn, route.key, ident, ident, body)

    # -- the @connections management API -----------------------------------------------------

    def post_to_connection(
        self,
        connection_id: str,
        data: str,
        gateway: str | None = None,
        invocation_id: str | None = None,
    ) -> InboxItem:
        """PostToConnection: send `data` to a connected client. Through `gateway`'s
        endpoint, a connection of another API is unknown there: GoneException. A handler's
        call names its `invocation_id`, which the `ws.received` record keeps."""
        conn = self.check_post(connection_id, data, gateway)
        return self._deliver(conn, data, "management-api", invocation_id=invocation_id)

    def check_post(self, connection_id: str, data: str, gateway: str | None = None) -> Connection:
        """The open connection PostToConnection would post `data` to; WebSocketError as the
        management API answers (GoneException, PayloadTooLargeException). Changes nothing:
        `post_to_connection` makes this check, and the TUI's WebSocket dialog as it is typed."""
        conn = self.managed(connection_id, "PostToConnection")
        if gateway is not None and conn.api.name != gateway:
            raise WebSocketError(
                f"GoneException: no connection {connection_id!r} on {gateway} "
                f"(it is a connection of {conn.api.name})",
                f"post through {conn.api.name}'s @connections API",
                "GoneException",
            )
        size = len(data.encode("utf-8", "surrogatepass"))
        if size > MAX_MESSAGE_BYTES:
            raise WebSocketError(
                f"PayloadTooLargeException: {size:,} bytes; PostToConnection takes at most "
                f"{MAX_MESSAGE_BYTES:,}",
                "post a smaller message, or put the data in a bucket and post its key",
                code="PayloadTooLargeException",
            )
        return conn

    def on_emission(self, emission: Emission, source: str) -> None:
        """A postToConnection emission or a Python handler's call: API Gateway's refusals
        (GoneException, PayloadTooLargeException) are SimErrors."""
        from stptui.sim.engine import SimError

        f = emission.fields
        try:
            self.post_to_connection(
                f["connectionId"], f["data"], emission.target, source.split(":", 1)[1]
            )
        except WebSocketError as exc:
            raise SimError(str(exc), exc.hint) from None

    def delete_connection(self, connection_id: str) -> Connection:
        """DeleteConnection: close the connection from the backend."""
        conn = self.managed(connection_id, "DeleteConnection")
        self._close(conn, CLIENT_CLOSE, "the backend called DeleteConnection")
        return conn

    def managed(self, connection_id: str, action: str) -> Connection:
        """The open connection a management API call names; GoneException (410) when it is
        closed or unknown."""
        try:
            return self.connection(connection_id)
        except WebSocketError as exc:
            gone = f"{action} answers GoneException (410) for a closed connection"
            # A did-you-mean for a mistyped id stays: it is the fix.
            exc.hint = f"{exc.hint} {gone}" if (exc.hint or "").startswith("did you") else gone
            raise

    # -- views -----------------------------------------------------------------------------

    def listing(self, gateway: str | None = None) -> list[Connection]:
        """The connections (of one gateway, or all), oldest first."""
        return [c for c in self.connections.values() if gateway is None or c.api.name == gateway]


def _status_of(result: Any) -> int | None:
    """A proxy result's status code, or None when it has none."""
    if not isinstance(result, dict) or "statusCode" not in result:
        return None
    status = result["statusCode"]
    # ASCII digits: isdigit() alone takes `²`, which int() refuses, and `２００`.
    if isinstance(status, str) and status.isascii() and status.isdigit():
        return int(status)
    if isinstance(status, int) and not isinstance(status, bool):
        return status
    return 500  # an unreadable status is no success


def _response_data(result: Any) -> str | None:
    """What a two-way route sends the client: a proxy result's `body`, or a result without
    `statusCode` as it is (a string) or as JSON; None (nothing sent) for no result."""
    if result is None:
        return None
    if isinstance(result, dict) and "statusCode" in result:
        body = result.get("body")
        if body is None or body == "":
            return None
        return body if isinstance(body, str) else json.dumps(body, separators=(",", ":"))
    return result if isinstance(result, str) else json.dumps(result, separators=(",", ":"))


def missing_identity(
    sources: tuple[str, ...], headers: list[tuple[str, str]], query: list[tuple[str, str]]
) -> str | None:
    """The first of a WebSocket authorizer's identity sources (`route.request.header.X`,
    `route.request.querystring.X`) that the request lacks or leaves empty, else None."""
    translated = tuple(s.replace("route.request.", "$request.", 1) for s in sources)
    _, missing = http_auth.identity_values(translated, headers, query, {})
    return None if missing is None else missing.replace("$request.", "route.request.", 1)


# What an example handshake sends for each identity source of an authorizer.
IDENTITY_VALUE = "example"
HEADER_SOURCE = "route.request.header."
QUERY_SOURCE = "route.request.querystring."


def identity_example(
    sources: tuple[str, ...],
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(headers, query parameters) of a handshake that carries each of an authorizer's
    identity sources, each `example` (a source of another kind, a context or stage
    variable, is the gateway's own)."""
    headers = [
        (s[len(HEADER_SOURCE) :], IDENTITY_VALUE) for s in sources if s.startswith(HEADER_SOURCE)
    ]
    query = [
        (s[len(QUERY_SOURCE) :], IDENTITY_VALUE) for s in sources if s.startswith(QUERY_SOURCE)
    ]
    return headers, query


# How many open connections an unknown id's hint names before pointing at the listing.
HINT_CONNECTIONS = 5


def _open_hint(live: list[str]) -> str:
    """The open connections a refusal names: a few, then where the rest are listed (a
    thousand ids in one hint is no help)."""
    if not live:
        return "no connection is open"
    shown = ", ".join(live[:HINT_CONNECTIONS])
    if len(live) <= HINT_CONNECTIONS:
        return f"open connections: {shown}"
    return f"open connections: {shown} and {len(live) - HINT_CONNECTIONS:,} more (show connections)"


def wire(sim: Simulator) -> None:
    """Build the WebSocket APIs and their routes (no ids or timers are made here)."""
    service = sim.services["websocket"] = WebSocketService(sim)
    sim.emission_handlers["postToConnection"] = service.on_emission
