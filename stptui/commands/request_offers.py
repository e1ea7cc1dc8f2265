"""What `http`'s `--header` and `--port` and `ws-connect`'s `--header` may be, as completion
offers them, each with the menu's help line: the headers the stack reads of the request the
words before name (its load balancer rules' header and host conditions, its routes' Lambda
authorizers' identity sources, the origins its CORS configuration allows; a WebSocket API's
`$connect` authorizer's identity sources), then the headers most requests (handshakes)
carry; the ports the load balancers listen on. Read from the simulation, which built them
from the config; no user-interface library here.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from stptui.commands import registry as kinds
from stptui.commands.names import given
from stptui.sim.engine import SimError

if TYPE_CHECKING:
    from stptui.sim.engine import Simulator
    from stptui.sim.services.http import HttpApi
    from stptui.sim.services.load_balancer import LoadBalancer

# Headers most requests carry, as `--header` takes them (`NAME:VALUE`, or `NAME:` where the
# value is the user's own), each with what it does.
COMMON_HEADERS = (
    ("content-type:application/json", "the body is JSON"),
    ("content-type:text/plain", "the body is plain text"),
    ("accept:application/json", "asks for a JSON answer"),
    ("authorization:", "credentials: type them after the colon"),
    ("origin:https://app.example.com", "a web page's origin: the answer's CORS headers"),
)
# Headers of a WebSocket handshake a client may set (the rest, Host and the Sec-WebSocket
# key, version and extensions, the client and API Gateway set), each with what it does.
HANDSHAKE_HEADERS = (
    ("authorization:", "credentials: type them after the colon"),
    ("sec-websocket-protocol:", "the subprotocols the client asks for: type them"),
    ("origin:https://app.example.com", "a web page's origin, which a browser sends"),
    ("user-agent:", "the client's name: the $connect event's identity.userAgent"),
)
# What a CORS preflight carries besides its origin: the method the page means to send.
PREFLIGHT_HEADER = "access-control-request-method:"
# How an authorizer's identity source names a header of the request.
_HEADER_SOURCE = "$request.header."
# What a `*` of a host condition is sent as, where a host name's label cannot be empty.
_HOST_LABEL = "www"


def header_offers(sim: Simulator, before: Sequence[tuple[str, str]]) -> dict[str, str]:
    """The `--header` values offered after the words `before` (the method, path,
    `--gateway`, `--url` and headers typed), each with its help line: the headers the
    stack reads of that request (`x-tenant:beta`, a rule's condition on it), then the
    common ones (COMMON_HEADERS); a header whose name is given already is left out."""
    method = given(before, kinds.HTTP_METHOD)
    path = (given(before, kinds.ROUTE_PATH) or "").partition("?")[0] or None
    found: list[tuple[str, str]] = []
    if given(before, kinds.FUNCTION_URL) is None:
        found += _rule_headers(sim, before, method, path)
        found += _api_headers(sim, before, method, path)
    found += COMMON_HEADERS
    if method is not None and method.upper() == "OPTIONS":
        found.append((f"{PREFLIGHT_HEADER}GET", "a CORS preflight: the method asked for"))
    return _untyped(found, before, kinds.HTTP_HEADER)


def ws_header_offers(sim: Simulator, before: Sequence[tuple[str, str]]) -> dict[str, str]:
    """The `ws-connect --header` values offered after the words `before` (the gateway and
    the headers typed), each with its help line: the headers the `$connect` authorizer of
    the API reads (its identity sources; every API's when none is named), then the
    handshake headers a client may set (HANDSHAKE_HEADERS); a header whose name is given
    already is left out."""
    from stptui.sim.services.websocket import HEADER_SOURCE

    service = sim.services["websocket"]
    gateway = given(before, kinds.WEBSOCKET_API)
    apis = list(service.apis.values()) if gateway is None else [service.apis.get(gateway)]
    found: list[tuple[str, str]] = []
    for api in apis:
        if api is None or api.authorizer is None:
            continue
        for source in api.identity_sources:
            if source.lower().startswith(HEADER_SOURCE):
                name = source[len(HEADER_SOURCE) :].lower()
                about = f"read by {api.name}'s authorizer {api.authorizer}: type the value"
                found.append((f"{name}:", about))
    return _untyped([*found, *HANDSHAKE_HEADERS], before, kinds.WS_HEADER)


def _untyped(
    found: list[tuple[str, str]], before: Sequence[tuple[str, str]], kind: str
) -> dict[str, str]:
    """`found`'s headers with the first reason given for each, but those whose name a word
    of `kind` in `before` gives already."""
    out: dict[str, str] = {}
    for header, about in found:
        out.setdefault(header, about)
    typed = {value.partition(":")[0].strip().lower() for k, value in before if k == kind}
    return {k: v for k, v in out.items() if k.partition(":")[0] not in typed}


def port_offers(sim: Simulator, before: Sequence[tuple[str, str]]) -> dict[str, str]:
    """The `--port` values offered after the words `before`: the ports the load balancer
    `--gateway` names listens on (every application load balancer's without it), in the
    order of its listeners, each with its protocol, its rules or default action, and
    whether a request without `--port` goes to it. Without `--gateway` on a stack with an
    HTTP API, which then takes the request, the help line says which `--gateway` the port
    needs."""
    out: dict[str, list[str]] = {}
    for lb, needs in _balancers(sim, given(before, kinds.HTTP_ENTRY)):
        try:
            taken = lb.listener(None).port
        except SimError:
            taken = None  # several listeners, none on 443: --port is needed
        for port, listener in lb.listeners.items():
            n = len(listener.rules)
            default = (
                "redirects to HTTPS" if listener.redirect is not None else "no rules (a fixed 500)"
            )
            rules = f"{n} rule{'s' * (n != 1)}" if n else default
            about = f"{listener.protocol} listener of {lb.name}: {rules}"
            about += ", the one without --port" * (port == taken)
            out.setdefault(str(port), []).append(about + (f" (--gateway {lb.name})" * needs))
    return {port: "; ".join(abouts) for port, abouts in out.items()}


def _balancers(sim: Simulator, gateway: str | None) -> Iterator[tuple[LoadBalancer, bool]]:
    """The load balancers a request with `--gateway` `gateway` may go to, each with whether
    it needs `--gateway` named (without it the stack's HTTP API takes the request)."""
    lbs = sim.services["load_balancers"]
    if gateway is not None:
        lb = lbs.balancers.get(lbs.aliases.get(gateway, gateway))
        if lb is not None:
            yield lb, False
        return
    needs = bool(sim.services["http"].apis)
    for lb in lbs.balancers.values():
        yield lb, needs


def _rule_headers(
    sim: Simulator, before: Sequence[tuple[str, str]], method: str | None, path: str | None
) -> Iterator[tuple[str, str]]:
    """A header each load balancer rule that may take the request has a condition on (an
    http-header or host condition): a value that meets it, with the rule it reaches."""
    from stptui.sim.services.load_balancer import HEADER, HOST, METHOD, PATH, wildcard

    for lb, needs in _balancers(sim, given(before, kinds.HTTP_ENTRY)):
        for listener in lb.listeners.values():
            for rule in listener.rules:
                conds = rule.conditions
                if method is not None and any(
                    c.kind == METHOD and method.upper() not in c.values for c in conds
                ):
                    continue
                if path is not None and any(
                    c.kind == PATH and not any(wildcard(v, False).fullmatch(path) for v in c.values)
                    for c in conds
                ):
                    continue
                about = f"rule {rule.priority} of {lb.name}:{listener.port} → {rule.target}"
                about += f" (--gateway {lb.name})" * needs
                for c in conds:
                    if c.kind in (HEADER, HOST) and c.values:
                        name = (c.name or "").lower() if c.kind == HEADER else "host"
                        value = _meeting(c.values[0], host=c.kind == HOST)
                        if name and wildcard(c.values[0], True).fullmatch(value):
                            yield f"{name}:{value}", about


def _meeting(pattern: str, host: bool) -> str:
    """A value that a condition's wildcard pattern (`*`, `?`) matches: `beta*` -> `beta`,
    `*.example.com` -> `www.example.com` for a host, `v?` -> `v1`."""
    if host and pattern.startswith("*."):
        pattern = _HOST_LABEL + pattern[1:]
    return pattern.replace("*", "").replace("?", "1")


def _apis(sim: Simulator, gateway: str | None) -> list[HttpApi]:
    """The HTTP APIs a request with `--gateway` `gateway` may go to: the one it names, or,
    without it, every one (the stack's HTTP API takes a request that names none)."""
    http = sim.services["http"]
    if gateway is None:
        return list(http.apis.values())
    api = http.apis.get(http.aliases.get(gateway, gateway))
    return [api] if api is not None else []


def _api_headers(
    sim: Simulator, before: Sequence[tuple[str, str]], method: str | None, path: str | None
) -> Iterator[tuple[str, str]]:
    """The headers an HTTP API reads of the request: the identity sources of the Lambda
    authorizers of the routes that may take it (`NAME:`, the value the user's), and the
    origins its CORS configuration allows by name."""
    for api in _apis(sim, given(before, kinds.HTTP_ENTRY)):
        if method is not None and path is not None:
            found = api.select(method.upper(), path)
            routes = [found[0]] if found is not None else []
        else:
            routes = api.routes
        for route in routes:
            auth = route.authorizer
            if auth is None:
                continue
            target = auth.target.target if auth.target is not None else "?"
            if auth.type == "cognito":
                # The JWT its pool issues: `--user` or `--jwt` sends one (and refuses this).
                about = f"read by {api.name}'s cognito authorizer: --user or --jwt sends a token"
                yield "authorization:", about
                continue
            for source in auth.identity_sources:
                if source.lower().startswith(_HEADER_SOURCE):
                    name = source[len(_HEADER_SOURCE) :].lower()
                    yield f"{name}:", f"read by {api.name}'s authorizer {target}: type the value"
        if api.cors is not None:
            for origin in api.cors.origins:
                if origin != "*":
                    yield (
                        f"origin:{origin}",
                        f"an origin the CORS configuration of {api.name} allows",
                    )
