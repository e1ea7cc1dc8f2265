"""Commands for the stack's WebSocket APIs: connect a client, send its messages, close it,
post to it as the backend does through the @connections management API, and list the
connections with what each client received."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from stptui.commands.handlers.base import (
    command,
    now_line,
    query_pairs,
    refuse_past_end,
    refuse_unquoted_json,
    unquoted_json_check,
)
from stptui.commands.registry import (
    CONNECTION,
    FLAG,
    KEY_VALUE,
    TEXT,
    WEBSOCKET_API,
    WS_HEADER,
    Arg,
    Call,
    CommandError,
    Option,
)
from stptui.commands.result import CommandResult
from stptui.commands.session import Session
from stptui.sim.behavior import format_duration
from stptui.sim.clock import MAX_MS, iso_ms
from stptui.sim.engine import Simulator
from stptui.sim.explain import cut
from stptui.sim.services.http import parse_headers
from stptui.sim.services.websocket import (
    CONNECT,
    DISCONNECT,
    MAX_INTEGRATION_MS,
    TOO_BIG,
    ConnectResult,
    InboxItem,
    SendResult,
    WebSocketError,
    WebSocketService,
    WsApi,
    WsRoute,
    missing_identity,
)
from stptui.textsafe import printable, quoted

_T = TypeVar("_T")
# How much of the last message a client received `show connections` prints.
INBOX_WIDTH = 40


def _service(sim: Simulator) -> WebSocketService:
    return sim.services["websocket"]


def _ws(fn: Callable[..., _T], *args: Any, **kwargs: Any) -> _T:
    """Call a WebSocket service method, turning its WebSocketError into a CommandError."""
    try:
        return fn(*args, **kwargs)
    except WebSocketError as exc:
        raise CommandError(str(exc), exc.hint) from None


def check_websocket_value(sim: Simulator, kind: str, value: str) -> None:
    """A CommandError when `value` names no WebSocket API (`kind` WEBSOCKET_API) or no open
    connection (CONNECTION, refused as its client sees it: a closed socket); the REPL's
    validator asks before Enter, and the TUI's WebSocket dialog."""
    service = _service(sim)
    if kind == WEBSOCKET_API:
        _ws(service.api, value)
    else:
        _ws(service.connection, value, client=True)


def _check_post_connection(sim: Simulator, connection_id: str) -> None:
    """`ws-post`'s check of its connection: the management API's GoneException (410)."""
    _ws(_service(sim).managed, connection_id, "PostToConnection")


def check_ws_post(sim: Simulator, connection_id: str, data: str) -> list[str]:
    """What `ws-post CONNECTION_ID DATA` would do, as the WebSocket dialog says it while it
    is typed, or the CommandError it would answer (GoneException, PayloadTooLargeException);
    changes nothing."""
    conn = _ws(_service(sim).check_post, connection_id, data)
    size = len(data.encode("utf-8", "surrogatepass"))
    return [
        f"PostToConnection through {printable(conn.api.name)}'s @connections API: "
        f"the client receives these {size:,} bytes as they are; no route runs"
    ]


def _check_post_call(sim: Simulator, call: Call) -> None:
    """`ws-post`'s own check of a bound line (data that lost its quotes, then its size),
    changing nothing; the command makes it first, and the REPL's check before Enter
    asks it."""
    refuse_unquoted_json(call, "data", "the data")
    check_ws_post(sim, call.args["connection_id"], call.args["data"])


def check_ws_disconnect(sim: Simulator, call: Call) -> None:
    """The CommandError `ws-disconnect` would answer, changing nothing: a client's closed
    socket, or with --server DeleteConnection's GoneException (410)."""
    if call.opts.get("server"):
        _ws(_service(sim).managed, call.args["connection_id"], "DeleteConnection")
    else:
        check_websocket_value(sim, CONNECTION, call.args["connection_id"])


def _room_on_clock(sim: Simulator, wait_ms: int, what: str) -> None:
    """Refuse, changing nothing, a request whose answer could come after the clock's end."""
    if sim.clock.now + wait_ms > MAX_MS:
        refuse_past_end(
            sim, f"{what} now could be answered as late as {iso_ms(sim.clock.now + wait_ms)}"
        )


def check_ws_connect(
    sim: Simulator, gateway: str | None, headers: list[str], query: list[str]
) -> tuple[WsApi, list[tuple[str, str]], list[tuple[str, str]]]:
    """The API, headers and query `ws-connect GATEWAY --header ... --query ...` would
    connect with, or the CommandError it would answer; changes nothing. The command makes
    this check, and the TUI's WebSocket dialog as it is typed."""
    api = _ws(_service(sim).api, gateway)
    try:
        pairs = parse_headers(headers)
    except ValueError as exc:
        raise CommandError(str(exc), "e.g. --header 'x-client:web'") from None
    params = query_pairs(query, "e.g. --query token=t-1")
    _room_on_clock(sim, 2 * MAX_INTEGRATION_MS, "a connection")
    return api, pairs, params


def _check_connect_call(sim: Simulator, call: Call) -> None:
    """`ws-connect`'s own check of a bound line (its headers and query), changing nothing;
    the REPL's check before Enter asks it."""
    check_ws_connect(
        sim, call.args["gateway"], call.opts.get("header", []), call.opts.get("query", [])
    )


def connect_plan_lines(
    api: WsApi, headers: list[tuple[str, str]], query: list[tuple[str, str]]
) -> list[str]:
    """What API Gateway does first with a connection request, as the WebSocket dialog says
    before it runs: the authorizer's identity source it lacks (a 401 without invoking
    it), or who decides, in order. Names are the config's, made printable."""
    connect = api.routes.get(CONNECT)
    then = f"then $connect -> {printable(connect.target)}" if connect else "then accepted"
    if api.authorizer is None:
        return [f"no authorizer; {then}" if connect else "no $connect route: accepted at once"]
    missing = missing_identity(api.identity_sources, headers, query)
    if missing is not None:
        return [
            f"refused 401: identity source {missing} is missing or empty; "
            f"the authorizer {printable(api.authorizer)} is not invoked"
        ]
    return [f"the authorizer {printable(api.authorizer)} decides; {then}"]


def check_ws_send(
    sim: Simulator, connection_id: str, message: str
) -> tuple[WsRoute | None, str | None]:
    """(the route `ws-send CONNECTION_ID MESSAGE` would take or None, the value the
    selection expression gives), or the CommandError it would answer; changes nothing.
    The command makes this check, and the TUI's WebSocket dialog as the message is typed."""
    conn = _ws(_service(sim).check_message, connection_id, message)
    _room_on_clock(sim, MAX_INTEGRATION_MS, "a message")
    return conn.api.select(message)


def route_plan_lines(sim: Simulator, connection_id: str, message: str) -> list[str]:
    """Where `ws-send` would route `message`, as the WebSocket dialog says it while it is
    typed: the selection expression's value, the route and its function, whether an
    answer comes back. Raises the command's CommandError when it would refuse."""
    route, selected = check_ws_send(sim, connection_id, message)
    api = _service(sim).connection(connection_id).api
    too_big = WebSocketService.too_big(message)
    if too_big is not None:
        runs = "runs" if DISCONNECT in api.routes else "has no route"
        return [f"{too_big}: API Gateway closes the connection (code 1009)", f"$disconnect {runs}"]
    expression = api.selection
    value = (
        f"{expression} is {quoted(selected)}"
        if selected is not None
        else f"{expression} finds nothing in it"
    )
    if route is None:
        return [value, "no route: the gateway answers Forbidden"]
    back = "two-way: the answer comes back" if route.two_way else "one-way: no answer back"
    return [value, f"{route.key} -> {printable(route.target)} ({back})"]


def api_data(sim: Simulator, gateway: str) -> dict[str, Any]:
    """A WebSocket API's route selection expression, its `$connect` authorizer (function
    and identity sources, or None) and its routes (`route`, `target`, `two_way`), in the
    order its functions' events declare them: what the TUI's Inspector shows."""
    api = _ws(_service(sim).api, gateway)
    return {
        "gateway": api.name,
        "selection": api.selection,
        "authorizer": api.authorizer,
        "identity_sources": list(api.identity_sources),
        "routes": [
            {"route": r.key, "target": r.target, "two_way": r.two_way} for r in api.routes.values()
        ],
    }


def _received(items: list[InboxItem]) -> list[str]:
    return [f"received ({item.source}): {item.data}" for item in items]


@command(
    "ws-connect",
    "messages",
    "Connect a client to a WebSocket API and run the clock until it is accepted or refused.",
    args=(Arg("GATEWAY", WEBSOCKET_API, "the websocket-api-gateway", optional=True),),
    options=(
        Option("--header", WS_HEADER, "a header of the upgrade request", "NAME:VALUE", repeat=True),
        Option("--query", KEY_VALUE, "a query string parameter", "NAME=VALUE", repeat=True),
    ),
    examples=(
        "ws-connect realtime --query token=t-1",
        "ws-connect realtime --query token=t-1 --header 'x-client:web'",
        "ws-connect --query token=nope",
    ),
    details=(
        "The $connect route's Lambda authorizer decides first (a missing identity source is "
        "401 without invoking it, a policy that does not allow the connection 403), then "
        "the $connect function: a failure refuses the connection with 502, an answer whose "
        "statusCode is not 2xx with that status. The connection then stays open until the "
        "client closes it (`ws-disconnect`), 10 minutes pass without a message from it, or "
        "2 hours have passed; $disconnect is invoked then.\n"
        "Under `repeat` (a connection per repetition) it does not wait: it prints the "
        "connection's id, and the clock runs the authorizer and $connect; the trace records "
        "the answer (ws.connected, ws.refused)."
    ),
    check_call=_check_connect_call,
    changes_state=True,
)
def cmd_ws_connect(session: Session, call: Call) -> CommandResult:
    """ws-connect [GATEWAY] [--header NAME:VALUE ...] [--query NAME=VALUE ...]"""
    sim = session.sim
    api, headers, query = check_ws_connect(
        sim, call.args["gateway"], call.opts.get("header", []), call.opts.get("query", [])
    )
    if call.detached:
        return _connect_started(_service(sim).start_connect(api.name, headers, query))
    started = sim.clock.now
    result = _service(sim).connect(api.name, headers, query)
    conn = result.connection
    if result.reason is None:
        text = f"connected {conn.id} to {api.name}"
    else:
        # The refused connection's id is what `explain` follows to its authorizer's verdict.
        text = f"refused {conn.id}: HTTP {result.status} ({api.name})\ngateway: {result.reason}"
    return CommandResult(
        f"{text}\n{now_line(sim, started)}",
        data={
            "gateway": api.name,
            "connection_id": conn.id,
            "connected": result.reason is None,
            "status": result.status,
            "reason": result.reason,
            "request_id": result.request_id,
            "invocation_id": result.invocation_id,
        },
    )


def _connect_started(result: ConnectResult) -> CommandResult:
    """What a detached `ws-connect` (one `repeat` runs) answers: the connection asked for;
    API Gateway's answer comes as the clock runs, in the trace (`ws.connected`,
    `ws.refused`), unless it needed no function and is already given."""
    conn = result.connection
    if not result.done:
        text = f"connecting {conn.id} to {conn.api.name}"
    elif result.reason is None:
        text = f"connected {conn.id} to {conn.api.name}"
    else:
        text = f"refused {conn.id}: HTTP {result.status} ({conn.api.name})"
    return CommandResult(
        text,
        data={
            "gateway": conn.api.name,
            "connection_id": conn.id,
            "request_id": result.request_id,
            "connected": result.done and result.reason is None,
            "status": result.status if result.done else None,
            "reason": result.reason,
        },
    )


def _send_started(result: SendResult) -> CommandResult:
    """What a detached `ws-send` (one `repeat` runs) answers: the message is routed and its
    function invoked; what the client gets back comes as the clock runs, in the trace
    (`ws.received`)."""
    conn = result.connection
    route = result.route
    via = "no route" if route is None else f"{route.key} -> {route.target}"
    return CommandResult(
        f"sent message {result.message_id} on {conn.id} ({conn.api.name}: {via})",
        data={
            "connection_id": conn.id,
            "route": route.key if route else None,
            "target": route.target if route else None,
            "selected": result.selected,
            "request_id": result.request_id,
            "message_id": result.message_id,
            "invocation_id": result.invocation_id,
            "reason": result.reason,
        },
    )


_check_ws_send = unquoted_json_check("message", "the message")


@command(
    "ws-send",
    "messages",
    "Send a message from a connected client and run the clock until its route has answered.",
    args=(
        Arg("CONNECTION_ID", CONNECTION, "the connection, as ws-connect printed it"),
        Arg("MESSAGE", TEXT, "the message, quoted as one word (JSON selects the route)"),
    ),
    examples=(
        """ws-send Ro9qGRMCRkecAoY= '{"action": "sendMessage", "text": "hi"}'""",
        "ws-send Ro9qGRMCRkecAoY= 'plain text goes to $default'",
    ),
    details=(
        "The route is chosen as API Gateway does: the API's route selection expression "
        "(Stacktape's default `$request.body.action`) is read from the message as JSON; "
        "the route with that key takes it, else $default; a message that is not JSON goes "
        "to $default. With no route, the gateway sends the client a Forbidden message. A "
        "two-way route (`returnResponse: true`) sends the function's answer back; what the "
        "function posts to the connection (a postToConnection) is shown as it arrives. On a "
        "closed or unknown connection nothing is sent: the client's socket is closed (only "
        "the backend's @connections calls get GoneException). A message over 128 KB "
        "(131,072 bytes) takes no route: API Gateway closes the connection with code 1009 "
        "and $disconnect runs.\n"
        "Under `repeat` it does not wait: the message is routed and its function invoked, "
        "and the clock carries it; the trace records what the client gets back "
        "(ws.received). A repetition on a connection closed meanwhile is refused "
        "(repeat.refused) and the load goes on."
    ),
    check_call=_check_ws_send,
    changes_state=True,
    body_file="MESSAGE",
)
def cmd_ws_send(session: Session, call: Call) -> CommandResult:
    """ws-send CONNECTION_ID MESSAGE"""
    sim = session.sim
    _check_ws_send(sim, call)
    check_ws_send(sim, call.args["connection_id"], call.args["message"])
    service = _service(sim)
    if call.detached:
        return _send_started(
            _ws(service.start_send, call.args["connection_id"], call.args["message"])
        )
    before = len(service.connection(call.args["connection_id"]).inbox)
    started = sim.clock.now
    result = _ws(service.send, call.args["connection_id"], call.args["message"])
    # What the client got meanwhile: the route's answer, and what the function posted
    # through @connections (a postToConnection emission), in the order they arrived.
    received = result.connection.inbox[before:]
    conn = result.connection
    route = result.route
    if route is None and conn.close_code == TOO_BIG[0]:
        # Over the quota: no route took it, and the gateway closed the connection.
        invoked = "invoked" if DISCONNECT in conn.api.routes else "has no route"
        lines = [f"{conn.api.name}: {result.reason}; $disconnect {invoked}"]
    else:
        via = "no route" if route is None else f"{route.key} -> {route.target}"
        chosen = "" if result.selected is None else f", selection {quoted(result.selected)}"
        # The message's request id is what `explain` follows to its route's invocation.
        lines = [f"{conn.api.name}: {via}{chosen}", f"request {result.request_id}"]
        if result.reason is not None:
            lines.append(f"gateway: {result.reason}")
        lines += _received(received)
        if not received:
            lines.append(
                "no message back"
                + ("" if result.route and result.route.two_way else " (a one-way route)")
            )
    lines.append(now_line(sim, started))
    return CommandResult(
        "\n".join(lines),
        data={
            "connection_id": conn.id,
            "route": result.route.key if result.route else None,
            "target": result.route.target if result.route else None,
            "selected": result.selected,
            "request_id": result.request_id,
            "message_id": result.message_id,
            "invocation_id": result.invocation_id,
            "received": [item.data for item in received],
            "reason": result.reason,
        },
    )


@command(
    "ws-disconnect",
    "messages",
    "Close a connection, as its client does (close code 1000) or, with --server, as the "
    "backend does (@connections DeleteConnection); its $disconnect route is invoked.",
    args=(Arg("CONNECTION_ID", CONNECTION, "the connection, as ws-connect printed it"),),
    options=(Option("--server", FLAG, "close it through the management API's DeleteConnection"),),
    examples=("ws-disconnect Ro9qGRMCRkecAoY=",),
    details=(
        "On a connection that is already closed (or was refused) nothing changes: the "
        "client finds its socket closed; with --server, DeleteConnection answers "
        "GoneException (410)."
    ),
    check_call=check_ws_disconnect,
    changes_state=True,
)
def cmd_ws_disconnect(session: Session, call: Call) -> CommandResult:
    """ws-disconnect CONNECTION_ID [--server]"""
    service = _service(session.sim)
    close = service.delete_connection if call.opts.get("server") else service.disconnect
    conn = _ws(close, call.args["connection_id"])
    age = format_duration(session.sim.clock.now - conn.connected_at)
    invoked = "invoked" if "$disconnect" in conn.api.routes else "has no route"
    return CommandResult(
        f"closed {conn.id} after {age} ({conn.close_reason}); $disconnect {invoked}",
        data={"connection_id": conn.id, "gateway": conn.api.name, "reason": conn.close_reason},
    )


@command(
    "ws-post",
    "messages",
    "Post a message to a connection as the backend does (@connections PostToConnection).",
    args=(
        Arg(
            "CONNECTION_ID",
            CONNECTION,
            "the connection, as ws-connect printed it",
            check=_check_post_connection,
        ),
        Arg("DATA", TEXT, "the message, quoted as one word"),
    ),
    examples=("""ws-post Ro9qGRMCRkecAoY= '{"from": "server"}'""",),
    details=(
        "A closed or unknown connection answers GoneException (410), as the management "
        "API does, and nothing changes; so does data over 128 KB "
        "(PayloadTooLargeException)."
    ),
    check_call=_check_post_call,
    changes_state=True,
    body_file="DATA",
)
def cmd_ws_post(session: Session, call: Call) -> CommandResult:
    """ws-post CONNECTION_ID DATA"""
    _check_post_call(session.sim, call)
    item = _ws(
        _service(session.sim).post_to_connection,
        call.args["connection_id"],
        call.args["data"],
    )
    return CommandResult(
        f"posted {len(item.data.encode('utf-8', 'surrogatepass')):,} bytes to "
        f"{call.args['connection_id']}",
        data={"connection_id": call.args["connection_id"], "data": item.data},
    )


def _state(entry: dict[str, Any]) -> str:
    """A connection's state as `show connections` says it: closed ones say when and why."""
    if entry["state"] == "closed" and entry["closed_at"] is not None:
        return f"closed {iso_ms(entry['closed_at'])} ({entry['close_reason']})"
    if entry["state"] == "refused":
        return entry["close_reason"] or "refused"
    return str(entry["state"])


def connection_data(sim: Simulator, gateway: str | None = None) -> list[dict[str, Any]]:
    """The connections `show connections` lists (of `gateway` only, when given), oldest
    first, as its data: per connection its id, gateway, state, when it connected, was
    last active and closed (ms), its close code and reason, and what its client received
    (`inbox`, oldest first). The TUI's Inspector shows the same."""
    service = _service(sim)
    if gateway is not None:
        _ws(service.api, gateway)
    return [
        {
            "connection_id": conn.id,
            "gateway": conn.api.name,
            "state": conn.state,
            "connected_at": conn.connected_at,
            "last_active": conn.last_active,
            "closed_at": conn.closed_at,
            "close_code": conn.close_code,
            "close_reason": conn.close_reason,
            "inbox": [{"t": i.t, "source": i.source, "data": i.data} for i in conn.inbox],
        }
        for conn in service.listing(gateway)
    ]


def connection_cells(entry: dict[str, Any], now: int) -> list[str]:
    """One connection of `connection_data` as `show connections` writes it at `now`: its
    id, gateway, state, age, idle time (open ones), messages received and the last one
    (its source and its first INBOX_WIDTH characters). Untrusted text is the caller's to
    make printable."""
    end = entry["closed_at"] if entry["closed_at"] is not None else now
    last = entry["inbox"][-1] if entry["inbox"] else None
    return [
        entry["connection_id"],
        entry["gateway"],
        _state(entry),
        format_duration(end - entry["connected_at"]),
        format_duration(now - entry["last_active"]) if entry["state"] == "open" else "",
        str(len(entry["inbox"])),
        "" if last is None else f"{last['source']}: {cut(last['data'], INBOX_WIDTH)}",
    ]


def show_connections(sim: Simulator, gateway: str | None) -> CommandResult:
    """`show connections [GATEWAY]`: every connection (of one gateway), its state, age, idle
    time, how many messages its client received and the last of them."""
    service = _service(sim)
    data = connection_data(sim, gateway)
    headers = ["connection", "gateway", "state", "age", "idle", "inbox", "last received"]
    rows = [connection_cells(entry, sim.clock.now) for entry in data]
    if not service.apis:
        return CommandResult("this stack has no websocket-api-gateway", data=data)
    if not rows:
        where = gateway or ", ".join(service.apis)
        return CommandResult(f"no connections to {where}; ws-connect opens one", data=data)
    return CommandResult("", table=(headers, rows), data=data)
