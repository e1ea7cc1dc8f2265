"""Application Load Balancers: the listener rules made of the workloads'
`application-load-balancer` events, ELB's rule evaluation, the Lambda target event and how
ELB turns a function's result (or failure) into the client's response.

Rules (docs/fidelity.md, "Application Load Balancers", has the sources):

* Listeners: a load balancer without `listeners` has Stacktape's two, HTTP on 80 (its
  default action a 301 redirect to HTTPS) and HTTPS on 443 (no default action); custom
  `listeners` replace them. A listener without a `defaultAction` answers a request no rule
  takes with Stacktape's fixed response: 500, text/plain, "Internal server error. Please
  setup default load balancer action or appropriate rule". An event is a rule on the
  listener at 443 when the load balancer has Stacktape's listeners, on its `listenerPort`
  when it has custom ones; Stacktape refuses any other event (e44, e46), so it makes no rule.
* Each event is one rule. A listener tries its rules in priority order, lowest first, and
  the first whose conditions all hold takes the request; the values of one condition are
  alternatives. path-pattern is case-sensitive and sees the path as sent, without the
  query; host-header (port aside), http-header (its name and values) and query-string are
  compared without case; http-request-method exactly; `*` matches any run of characters
  and `?` one, in every condition but the method and source-ip, which takes CIDR blocks.
  Query keys and values are compared as sent, URL-encoded.
* A function target gets ELB's event: `requestContext.elb.targetGroupArn` (the target
  group Stacktape makes per load balancer and workload), `httpMethod`, `path` and
  `queryStringParameters` as sent (nothing URL-decoded; the last of repeated keys),
  `headers` with lower-case names (the last of repeated ones; X-Amzn-Trace-Id gets ELB's
  `Root`, or its `Self` next to the client's `Root`), `body` ("" without one;
  base64 unless its type is text/*, JSON, XML or JavaScript) and `isBase64Encoded`.
  Stacktape leaves multi-value headers off, so there are no `multiValue*` fields.
* The function is invoked synchronously and ELB waits until it answers or times out. Its
  result needs an integer `statusCode`; `statusDescription`, `headers` (string values),
  `body` (a string) and `isBase64Encoded` are optional, but not null. Without a content type
  in `headers` the client gets application/octet-stream. Hop-by-hop headers (Connection,
  Transfer-Encoding ...) are not passed on, and ELB computes Content-Length itself. ELB
  answers by itself, with its HTML error page: 413 for a request body over 1 MB, 502 for a
  malformed result, a result over 1 MB, a function error or a timeout, 503 when the
  function is throttled. Before any rule, ELB reads the head within its HTTP/1.x limits
  (`head_refusal`): a request line over 16 K is its 414, a header line over 16 K or the
  whole head over 64 K its 400.
* A batch job's rule goes to its trigger function, which starts an execution and answers
  200 with Stacktape's JSON body.
* A container's rule forwards the HTTP request itself to the container (`serve_container`,
  which every rule to a container goes through): path and query as sent, the headers as
  ELB forwards them (lower-cased), the body. The container's answer is the client's; a
  container that fails the request (resets the connection) is ELB's 502, one that has not
  answered within the load balancer's idle timeout (60 s) ELB's 504.
* A web-service with `application-load-balancer` load balancing has a load balancer of its
  own, `<service>.loadBalancer`, with Stacktape's two listeners and one rule on 443,
  priority 3, path `*`, forwarding to the service's container on port 3000; its DNS name
  is made from the service's name, which Stacktape gives the nested load balancer. One
  with `network-load-balancer` load balancing has a TCP one, `<service>.networkLoadBalancer`,
  which takes no HTTP request in stptui. `--gateway` takes the service's name too.
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from stptui.config.aws_names import build_resource_name
from stptui.config.model import (
    ALB_DEFAULT_LISTENER_PORT,
    ALB_DEFAULT_LISTENERS,
    SERVICE_CONTAINER_NAME,
    WEB_SERVICE_RULE_PATHS,
    WEB_SERVICE_RULE_PRIORITY,
    ContainerWorkload,
    Trigger,
    WebServiceEntry,
    Workload,
)
from stptui.jsontext import compact_json
from stptui.sim import trace as tk
from stptui.sim.clock import http_date
from stptui.sim.services.http import (
    CLIENT_IP,
    PROTOCOL,
    USER_AGENT,
    HttpResponse,
    await_response,
    binary_body,
    body_bytes,
    function_failed,
    job_started_body,
    lambda_body,
    media_type_of,
    request_line,
    serve_timed,
    with_query,
)
from stptui.textsafe import printable, quote_word, typed_names

if TYPE_CHECKING:
    from stptui.sim.behavior import Outcome
    from stptui.sim.clock import Entry
    from stptui.sim.engine import Simulator
    from stptui.sim.services.container import ContainerAnswer, ContainerRequest

ALB = "application-load-balancer"
NLB = "network-load-balancer"
# Stacktape's listeners for a load balancer without `listeners`, and the port of an event
# without `listenerPort` (config-manager/utils/application-load-balancers.ts).
HTTPS_PORT = ALB_DEFAULT_LISTENER_PORT
HTTP_PORT = 80
DEFAULT_LISTENERS = ALB_DEFAULT_LISTENERS
# The redirect of the default HTTP listener (Stacktape: statusCode HTTP_301, protocol HTTPS).
DEFAULT_REDIRECT = {"statusCode": "HTTP_301", "protocol": "HTTPS"}
# What a listener without a default action answers when no rule takes a request
# (Stacktape's getDefaultActionForListener).
NO_RULE_STATUS = 500
NO_RULE_TYPE = "text/plain"
NO_RULE_BODY = (
    "Internal server error. Please setup default load balancer action or appropriate rule"
)
# ELB's Lambda limits: "The maximum size of the request body that you can send to a Lambda
# function is 1 MB" and "The maximum size of the response JSON ... is 1 MB".
MAX_LAMBDA_BYTES = 1024 * 1024
# ELB's HTTP/1.x header limits ("HTTP header limits", hard limits): "Request line: 16 K",
# "Single header: 16 K", "Whole header: 64 K"; each line counted with its CRLF.
MAX_REQUEST_LINE_BYTES = 16 * 1024
MAX_HEADER_LINE_BYTES = 16 * 1024
MAX_WHOLE_HEAD_BYTES = 64 * 1024
# The statuses of those refusals, which come before any rule (no listener's default action
# answers with them: Stacktape's is a redirect or a fixed 500).
HEAD_REFUSALS = (400, 414)
# The longest a request can wait: ELB waits for the function, whose timeout is at most 900 s.
MAX_WAIT_MS = 900_000
# How long ELB waits for a container's answer: the load balancer's idle timeout, 60 s by
# default (Stacktape sets no other), after which the client gets ELB's 504.
IDLE_TIMEOUT_MS = 60_000
# The condition kinds, as ListenerRule names them, in the order Stacktape writes them.
PATH, HEADER, METHOD, HOST, SOURCE_IP, QUERY = (
    "path-pattern",
    "http-header",
    "http-request-method",
    "host-header",
    "source-ip",
    "query-string",
)
_REASONS = {
    301: "Moved Permanently",
    302: "Found",
    400: "Bad Request",
    413: "Request Entity Too Large",
    414: "Request-URI Too Large",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Temporarily Unavailable",
    504: "Gateway Time-out",
}
ELB_SERVER = "awselb/2.0"
_PROTOCOL_PORTS = {"https": str(HTTPS_PORT), "http": str(HTTP_PORT)}
# The request headers ELB writes itself, whatever the client sent in them.
_ELB_SETS = frozenset(
    ("x-amzn-trace-id", "x-forwarded-for", "x-forwarded-port", "x-forwarded-proto")
)
# What the client gets when the function's `headers` name no content type (users behind ALBs
# with multi-value headers off report `application/octet-stream`).
DEFAULT_RESPONSE_TYPE = "application/octet-stream"
# Response headers of the function ELB does not pass on: "The load balancer does not honor
# hop-by-hop headers, such as Connection or Transfer-Encoding" (the rest of RFC 2616's
# hop-by-hop list is a choice), and Content-Length, which "the load balancer computes".
_NOT_PASSED_ON = frozenset(
    (
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "content-length",
    )
)
# The result fields ELB refuses as JSON null (a missing one is fine).
_NOT_NULL = ("statusDescription", "headers", "body", "isBase64Encoded")
# A target group's name is at most 32 characters (Stacktape's awsResourceNames
# .lambdaTargetGroup cuts a longer one and ends it in a 6-digit shake256 hash).
TARGET_GROUP_NAME_MAX = 32


def error_page(status: int) -> str:
    """The HTML page ELB answers with by itself (an error or a redirect)."""
    title = f"{status} {_REASONS.get(status, '')}".rstrip()
    return (
        f"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n"
        f"<center><h1>{title}</h1></center>\r\n</body>\r\n</html>\r\n"
    )


def trace_header(sent: str | None, own: str) -> str:
    """The X-Amzn-Trace-Id ELB forwards, `own` being its `Root=1-{time}-{id}`: its own when
    the client sent none; with the client's `Root`, a `Self` field inserted first (a client's
    `Self` is updated instead); the client's other fields kept. ELB's guide does not say what
    it does with a header that has neither field: stptui puts its `Root` first."""
    if sent is None:
        return own
    value = own.split("=", 1)[1]
    fields = [f for f in sent.split(";") if f]
    names = [f.split("=", 1)[0] for f in fields]
    if "Self" in names:
        return ";".join(f"Self={value}" if f.startswith("Self=") else f for f in fields)
    first = f"Self={value}" if "Root" in names else own
    return ";".join([first, *fields])


def target_group_name(stack_name: str, load_balancer: str, workload: str) -> str:
    """The name Stacktape gives a function's target group on a load balancer:
    `{stack}-{load balancer}-{workload}`, cut to 32 characters with a hash at the end."""
    return build_resource_name(f"{stack_name}-{load_balancer}-{workload}", TARGET_GROUP_NAME_MAX)


def head_refusal(
    method: str, raw_path: str, raw_query: str, sent: list[tuple[str, str]]
) -> tuple[int, str] | None:
    """ELB's answer to a request line or headers over its HTTP/1.x limits, as (status, why),
    or None. Each line is counted in UTF-8 with its CRLF: the request line (`GET /a?b
    HTTP/1.1`) over 16 K is a 414, a header line (`Name: value`) over 16 K or the request
    line and header lines together over 64 K a 400. `sent` are the headers the client
    sends (ELB's own are added after)."""
    target = f"{raw_path}?{raw_query}" if raw_query else raw_path
    line = len(f"{method} {target} {PROTOCOL}".encode("utf-8", "surrogatepass")) + 2
    if line > MAX_REQUEST_LINE_BYTES:
        why = f"the request line is {line:,} bytes with its CRLF; ELB takes at most 16 K"
        return 414, why
    whole = line
    for name, value in sent:
        size = len(f"{name}: {value}".encode("utf-8", "surrogatepass")) + 2
        if size > MAX_HEADER_LINE_BYTES:
            why = (
                f"the header line {printable(name)!r} is {size:,} bytes with its CRLF; ELB "
                "takes at most 16 K a header"
            )
            return 400, why
        whole += size
    if whole > MAX_WHOLE_HEAD_BYTES:
        why = f"the request line and headers are {whole:,} bytes; ELB takes at most 64 K"
        return 400, why
    return None


# -- conditions ------------------------------------------------------------------------------


@lru_cache(maxsize=512)
def wildcard(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    """ELB's match evaluation: `*` is any run of characters, `?` exactly one, the rest is
    literal; the whole value must match."""
    body = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(body, re.DOTALL | (re.IGNORECASE if ignore_case else 0))


@dataclass(frozen=True, slots=True)
class Condition:
    """One condition of a rule: its kind, its alternatives, and for http-header the header's
    name, for query-string the key."""

    kind: str
    values: tuple[str, ...]
    name: str | None = None

    def describe(self) -> str:
        """`path-pattern /api/*`, `http-header X-Tenant: acme | beta`."""
        shown = " | ".join(self.values)
        if self.kind == HEADER:
            return f"{HEADER} {self.name}: {shown}"
        if self.kind == QUERY:
            return f"{QUERY} {' | '.join(f'{self.name}={v}' for v in self.values)}"
        return f"{self.kind} {shown}"


@dataclass(frozen=True, slots=True)
class Request:
    """What the rules look at: the method, the path and query as sent, the headers (names
    as sent) and the connection's source address."""

    method: str
    path: str
    query: tuple[tuple[str, str], ...]
    headers: tuple[tuple[str, str], ...]
    source_ip: str

    def header(self, name: str) -> list[str]:
        """Every value of header `name` (its name compared without case)."""
        wanted = name.lower()
        return [value for n, value in self.headers if n.lower() == wanted]


def holds(cond: Condition, req: Request) -> bool:
    """Whether one condition holds for a request: any of its values matches."""
    if cond.kind == METHOD:
        return req.method in cond.values
    if cond.kind == PATH:
        return any(wildcard(v, False).fullmatch(req.path) for v in cond.values)
    if cond.kind == HOST:
        hosts = req.header("host")
        host = _without_port(hosts[-1]) if hosts else ""
        return any(wildcard(v, True).fullmatch(host) for v in cond.values)
    if cond.kind == HEADER:
        sent = req.header(cond.name or "")
        return any(wildcard(v, True).fullmatch(s) for v in cond.values for s in sent)
    if cond.kind == QUERY:
        key = wildcard(cond.name or "", True)
        return any(
            key.fullmatch(k) and wildcard(v, True).fullmatch(value)
            for k, value in req.query
            for v in cond.values
        )
    return _in_cidrs(req.source_ip, cond.values)


def _without_port(host: str) -> str:
    """A Host header's name without its `:port` (an IPv6 literal keeps its brackets)."""
    if host.startswith("["):
        return host.split("]", 1)[0] + "]"
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def _in_cidrs(ip: str, blocks: tuple[str, ...]) -> bool:
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return False
    for block in blocks:
        try:
            if address in ipaddress.ip_network(block, strict=False):
                return True
        except ValueError:
            continue  # a block ELB would refuse at deploy time matches nothing
    return False


# -- rules and listeners ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Rule:
    """One listener rule: an `application-load-balancer` event of a workload."""

    load_balancer: str
    listener_port: int
    priority: int
    conditions: tuple[Condition, ...]
    target: str
    target_type: str  # function | batch-job | multi-container-workload | container-workload
    target_group_arn: str | None = None  # a function's or a batch job's target group
    container: str | None = None
    container_port: int | None = None
    trigger: Trigger | None = None  # the event it was made of (a web service's has none)

    @property
    def key(self) -> str:
        """How the rule is named in the trace and in responses: `priority 10 on :443`."""
        return f"priority {self.priority} on :{self.listener_port}"

    @property
    def to_container(self) -> bool:
        """True for a rule that forwards to a container (`serve_container` serves it)."""
        return self.container is not None or self.target_type not in ("function", "batch-job")

    def paths_for(self, method: str | None) -> list[str]:
        """The rule's path patterns, if it takes `method` (any method when None)."""
        for cond in self.conditions:
            if cond.kind == METHOD and method is not None and method.upper() not in cond.values:
                return []
        return [v for cond in self.conditions if cond.kind == PATH for v in cond.values]

    def matches(self, req: Request) -> bool:
        """Whether every condition holds (a rule without conditions takes nothing: Stacktape
        refuses to deploy one)."""
        return bool(self.conditions) and all(holds(c, req) for c in self.conditions)


@dataclass(slots=True)
class Listener:
    """One listener: its port and protocol, its default action and its rules by priority."""

    port: int
    protocol: str  # HTTP | HTTPS
    redirect: dict[str, Any] | None = None  # the default action's redirect, if it has one
    allowed_ips: tuple[str, ...] | None = None  # `whitelistIps`: who may connect
    rules: list[Rule] = field(default_factory=list)

    def select(self, req: Request) -> Rule | None:
        """The rule that takes a request: the lowest priority whose conditions all hold."""
        return next((rule for rule in self.rules if rule.matches(req)), None)


class LoadBalancer:
    """One application load balancer: its host name, its listeners by port and whether they
    are its own `listeners` (else Stacktape's two)."""

    def __init__(
        self, name: str, domain: str, listeners: dict[int, Listener], custom: bool = False
    ) -> None:
        self.name = name
        self.domain = domain
        self.listeners = listeners
        self.custom = custom

    def listener(self, port: int | None) -> Listener:
        """The listener a request reaches: `port`, or the only one, or the HTTPS one on 443
        when there are several; SimError when the port is not one of them."""
        from stptui.sim.engine import SimError

        ports = ", ".join(str(p) for p in self.listeners)
        if port is None:
            if len(self.listeners) == 1:
                return next(iter(self.listeners.values()))
            if HTTPS_PORT in self.listeners:
                return self.listeners[HTTPS_PORT]
            raise SimError(
                f"{self.name!r} listens on ports {ports}; say which one",
                f"add --port PORT (one of {ports})",
            )
        hit = self.listeners.get(port)
        if hit is None:
            raise SimError(
                f"{self.name!r} has no listener on port {port}", f"its listeners: {ports}"
            )
        return hit


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _strings(value: Any) -> tuple[str, ...]:
    """The strings of a list as written (anything else in it is known only at deploy)."""
    if not isinstance(value, list):
        return ()
    return tuple(v for v in value if isinstance(v, str))


def conditions_of(props: dict[str, Any]) -> tuple[Condition, ...]:
    """An event's conditions, in the order Stacktape writes them into the rule: paths,
    one per header, methods, hosts, source IPs, one per query parameter."""
    out: list[Condition] = []
    if paths := _strings(props.get("paths")):
        out.append(Condition(PATH, paths))
    for entry in props.get("headers") or []:
        if isinstance(entry, dict) and isinstance(entry.get("headerName"), str):
            out.append(Condition(HEADER, _strings(entry.get("values")), entry["headerName"]))
    if methods := _strings(props.get("methods")):
        out.append(Condition(METHOD, methods))
    if hosts := _strings(props.get("hosts")):
        out.append(Condition(HOST, hosts))
    if ips := _strings(props.get("sourceIps")):
        out.append(Condition(SOURCE_IP, ips))
    for entry in props.get("queryParams") or []:
        if isinstance(entry, dict) and isinstance(entry.get("paramName"), str):
            out.append(Condition(QUERY, _strings(entry.get("values")), entry["paramName"]))
    return tuple(out)


def _listeners(props: dict[str, Any]) -> dict[int, Listener]:
    written = props.get("listeners")
    entries = written if isinstance(written, list) and written else list(DEFAULT_LISTENERS)
    out: dict[int, Listener] = {}
    for entry in entries:
        if not isinstance(entry, dict) or not _is_int(entry.get("port")):
            continue
        action = entry.get("defaultAction")
        redirect = None
        if isinstance(action, dict) and action.get("type") == "redirect":
            given = action.get("properties")
            redirect = dict(given) if isinstance(given, dict) else dict(DEFAULT_REDIRECT)
        protocol = entry.get("protocol")
        allowed = entry.get("whitelistIps")
        out.setdefault(
            entry["port"],
            Listener(
                entry["port"],
                protocol if protocol in ("HTTP", "HTTPS") else "HTTPS",
                redirect,
                _strings(allowed) if isinstance(allowed, list) else None,
            ),
        )
    return out


# -- requests --------------------------------------------------------------------------------


@dataclass(slots=True)
class AlbExchange:
    """One request in flight (the response is set when it arrives)."""

    lb: LoadBalancer
    listener: Listener
    request: Request
    request_id: str
    started: int
    rule: Rule | None
    event: dict[str, Any] = field(default_factory=dict)
    response: HttpResponse | None = None
    invocation_id: str | None = None
    timer: Entry | None = None


class LoadBalancerService:
    """Every application load balancer of the stack; requests from the `http` command."""

    def __init__(self, sim: Simulator) -> None:
        self.sim = sim
        self.balancers: dict[str, LoadBalancer] = {}
        self.network: list[str] = []
        for res in sim.stack.resources.values():
            if res.type == ALB:
                domains = _strings(res.properties.get("customDomains"))
                written = res.properties.get("listeners")
                self.balancers[res.name] = LoadBalancer(
                    res.name,
                    domains[0] if domains else self._dns_name(res.name, res.properties),
                    _listeners(res.properties),
                    isinstance(written, list) and bool(written),
                )
            elif res.type == NLB:
                self.network.append(res.name)
        # A web-service's own load balancer: the service's name names it too. Made first, so
        # that another workload's event naming it (`web.loadBalancer`) is one of its rules.
        self.aliases: dict[str, str] = {}
        self.entries: dict[str, WebServiceEntry] = {}
        for entry in sim.stack.web_service_entries:
            if entry.type == ALB:
                self._add_web_service(entry)
            elif entry.type == NLB:
                self.network.append(entry.name)
            else:
                continue
            self.aliases[entry.service] = entry.name
            self.entries[entry.name] = entry
        for res in sim.stack.resources.values():
            if isinstance(res, (Workload, ContainerWorkload)):
                for trig in res.events:
                    if trig.type == ALB:
                        self._add_rule(res, trig)
        for lb in self.balancers.values():
            for listener in lb.listeners.values():
                listener.rules.sort(key=lambda rule: rule.priority)

    def _dns_name(self, name: str, props: dict[str, Any]) -> str:
        """The load balancer's DNS name, in AWS's shape (`internal-` for an internal one)."""
        digits = int(hashlib.sha256(f"{self.sim.stack.stack_name}/{name}".encode()).hexdigest(), 16)
        prefix = "internal-" if props.get("interface") == "internal" else ""
        lb_name = f"{self.sim.stack.stack_name}-{name}"[:21].rstrip("-")
        return f"{prefix}{lb_name}-{digits % 10**10}.{self.sim.region}.elb.amazonaws.com"

    def _add_web_service(self, entry: WebServiceEntry) -> None:
        """The load balancer Stacktape makes for a web-service: its default listeners (80
        redirected to HTTPS, and 443), and the service's rule on 443 (priority 3, path `*`)
        to its container's port."""
        domains = entry.custom_domains
        # Stacktape writes these listeners into the nested load balancer: they are its own
        # `listeners`, so another workload's event on it must name its `listenerPort`.
        lb = LoadBalancer(
            entry.name,
            domains[0] if domains else self._dns_name(entry.service, {}),
            _listeners({}),
            custom=True,
        )
        lb.listeners[HTTPS_PORT].rules.append(
            Rule(
                entry.name,
                HTTPS_PORT,
                WEB_SERVICE_RULE_PRIORITY,
                (Condition(PATH, WEB_SERVICE_RULE_PATHS),),
                entry.service,
                "web-service",
                None,
                SERVICE_CONTAINER_NAME,
                entry.container_port,
            )
        )
        self.balancers[entry.name] = lb

    def _add_rule(self, owner: Workload | ContainerWorkload, trig: Trigger) -> None:
        props = trig.properties
        lb = self.balancers.get(props.get("loadBalancerName"))  # type: ignore[arg-type]
        written = props.get("listenerPort")
        port = written or HTTPS_PORT
        priority = props.get("priority")
        if lb is None or not _is_int(port) or port not in lb.listeners or not _is_int(priority):
            return  # the linter reports it; AWS would not deploy it
        if (written is None) == lb.custom:
            # Stacktape refuses a listenerPort without custom listeners (e44) and an event
            # without one when there are (e46): `validate` reports it, nothing is deployed.
            return
        arn = None
        if not isinstance(owner, ContainerWorkload):
            name = target_group_name(self.sim.stack.stack_name, lb.name, owner.name)
            suffix = hashlib.sha256(name.encode()).hexdigest()[:16]
            arn = (
                f"arn:aws:elasticloadbalancing:{self.sim.region}:{self.sim.account_id}:"
                f"targetgroup/{name}/{suffix}"
            )
        lb.listeners[port].rules.append(
            Rule(
                lb.name,
                port,
                priority,
                conditions_of(props),
                owner.name,
                owner.type,
                arn,
                trig.container,
                trig.container_port,
                trig,
            )
        )

    def balancer(self, name: str | None) -> LoadBalancer:
        """The load balancer a request goes to: `name`, or the stack's only one."""
        from stptui.config.diagnostics import did_you_mean
        from stptui.sim.engine import SimError

        names = typed_names(self.balancers)
        if name is None:
            if len(self.balancers) == 1:
                return next(iter(self.balancers.values()))
            raise SimError(
                f"this stack has {len(self.balancers)} application load balancers; say which one",
                f"add --gateway NAME (one of {names})",
            )
        name = self.aliases.get(name, name)
        hit = self.balancers.get(name)
        if hit is not None:
            return hit
        entry = self.entries.get(name)
        if entry is not None:
            listeners = ", ".join(f"{p.port} {p.protocol}" for p in entry.ports) or "none"
            raise SimError(
                f"web-service {entry.service!r} is load-balanced by a network load balancer "
                f"({name}; listeners: {listeners}), which forwards TCP connections: stptui "
                "sends no HTTP request through it",
                "give the service loadBalancing: {type: application-load-balancer} (or "
                "http-api-gateway) to send it HTTP requests here",
            )
        if name in self.network:
            raise SimError(
                f"{name!r} is a network-load-balancer: stptui does not simulate TCP load balancing",
                f"application load balancers it does: {names or '(none)'}",
                word=name,
            )
        guess = did_you_mean(name, [*self.balancers, *self.aliases])
        raise SimError(
            f"no application-load-balancer named {name!r}",
            f"did you mean {quote_word(guess)}?"
            if guess
            else f"load balancers: {names or '(none)'}",
            word=name,
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
        load_balancer: str | None = None,
        port: int | None = None,
        source_ip: str | None = None,
    ) -> HttpResponse:
        """Send a request and run the clock until its response (other due events run too)."""
        ex = self.start(
            method,
            path,
            body,
            headers=headers,
            query=query,
            load_balancer=load_balancer,
            port=port,
            source_ip=source_ip,
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
        load_balancer: str | None = None,
        port: int | None = None,
        source_ip: str | None = None,
    ) -> AlbExchange:
        """Send a request now; its `response` is set when it arrives. Raises SimError,
        changing nothing, on a bad method, path, source address, port or load balancer."""
        from stptui.sim.engine import SimError

        lb = self.balancer(load_balancer)
        listener = lb.listener(port)
        method, raw_path, raw_query = request_line(method, path, "/api/orders")
        ip = source_ip or CLIENT_IP
        try:
            ipaddress.ip_address(ip)
        except ValueError:
            raise SimError(
                f"--source-ip must be an IPv4 or IPv6 address, not {ip!r}",
                "e.g. 198.51.100.7",
                word=ip,
            ) from None
        if listener.allowed_ips is not None and not _in_cidrs(ip, listener.allowed_ips):
            # The listener's security group drops the connection: no HTTP answer at all.
            raise SimError(
                f"the listener on port {listener.port} of {lb.name!r} admits only "
                f"{', '.join(listener.allowed_ips) or 'no one'} (whitelistIps); a connection "
                f"from {ip} times out",
                "send it from an admitted address with --source-ip",
            )
        raw_query = with_query(raw_query, query)
        sim = self.sim
        now = sim.clock.now
        request_id = self._trace_id(now)
        given = list(headers or [])
        client = self._client_headers(lb, given, body)
        refusal = head_refusal(method, raw_path, raw_query, client)
        sent = self._headers(listener, given, client, ip, request_id)
        req = Request(method, raw_path, _query_pairs(raw_query), tuple(sent), ip)
        # A head over ELB's limits is refused as it is read, before any rule.
        rule = listener.select(req) if refusal is None else None
        ex = AlbExchange(lb, listener, req, request_id, now, rule)
        sim.trace.emit(
            (
                now,
                tk.HTTP_REQUEST,
                lb.name,
                {
                    "request_id": request_id,
                    "gateway": lb.name,
                    "method": method,
                    "path": raw_path,
                    "route": rule.key if rule else None,
                    "target": rule.target if rule else None,
                    "listener_port": listener.port,
                },
            )
        )
        if refusal is not None:
            self._elb_error(ex, *refusal)
        elif rule is None:
            self._default_action(ex, raw_query)
        elif rule.to_container:
            container = rule.container or SERVICE_CONTAINER_NAME
            request = self.container_request(ex, raw_query, body)
            self.serve_container(ex, rule.target, container, rule.container_port, request)
        elif body is not None and len(body.encode("utf-8", "surrogatepass")) > MAX_LAMBDA_BYTES:
            why = "the request body is over 1 MB, the most ELB sends to a Lambda function"
            self._elb_error(ex, 413, f"{why} (LambdaRequestTooLarge)")
        else:
            ex.event = self._event(ex, rule, raw_query, body)
            if rule.target_type == "batch-job":
                self._start_job(ex, rule)
            else:
                self._invoke(ex, rule)
        return ex

    def _trace_id(self, now: int, request_id: str | None = None) -> str:
        """The request's X-Amzn-Trace-Id, which ELB logs as its trace_id: stptui's request
        id for it, from the simulation's id stream unless given."""
        digits = (request_id or self.sim.new_id()).replace("-", "")[:24]
        return f"Root=1-{now // 1000:08x}-{digits}"

    def example_event(
        self, rule: Rule, req: Request, body: str | None, request_id: str
    ) -> dict[str, Any] | None:
        """The event the function of `rule` gets for `req` (the client's method, path,
        query, headers and address) sent now, as `start` makes it with `request_id`, or
        None when the listener would not hand it to `rule` (another rule takes it first, a
        condition fails, the listener does not admit the address). Nothing is drawn or
        traced (`invoke`'s offers)."""
        lb = self.balancers[rule.load_balancer]
        listener = lb.listeners[rule.listener_port]
        if listener.allowed_ips is not None and not _in_cidrs(req.source_ip, listener.allowed_ips):
            return None
        given = list(req.headers)
        client = self._client_headers(lb, given, body)
        trace_id = self._trace_id(self.sim.clock.now, request_id)
        sent = self._headers(listener, given, client, req.source_ip, trace_id)
        forwarded = Request(req.method, req.path, req.query, tuple(sent), req.source_ip)
        if listener.select(forwarded) is not rule:
            return None
        ex = AlbExchange(lb, listener, forwarded, trace_id, self.sim.clock.now, rule)
        raw_query = "&".join(f"{k}={v}" for k, v in req.query)
        return self._event(ex, rule, raw_query, body)

    @staticmethod
    def _client_headers(
        lb: LoadBalancer, given: list[tuple[str, str]], body: str | None
    ) -> list[tuple[str, str]]:
        """The headers the client sends: the stand-in client's Host, User-Agent and, for a
        body, its length and type, unless given, then those given."""
        names = {name.lower() for name, _ in given}
        client = [
            ("host", lb.domain),
            ("user-agent", USER_AGENT),
            ("content-length", str(len(body.encode("utf-8", "surrogatepass")))) if body else None,
            ("content-type", media_type_of(body)) if body else None,
        ]
        return [item for item in client if item is not None and item[0] not in names] + given

    @staticmethod
    def _headers(
        listener: Listener,
        given: list[tuple[str, str]],
        client: list[tuple[str, str]],
        ip: str,
        trace_id: str,
    ) -> list[tuple[str, str]]:
        """The request's headers as ELB forwards them: what the client sent (`client`, of
        which `given` are the command's), then ELB's own: X-Amzn-Trace-Id (see
        `trace_header`), X-Forwarded-For (the client's value, then the source address),
        -Port and -Proto."""
        forwarded = [v for n, v in given if n.lower() == "x-forwarded-for"]
        traces = [v for n, v in given if n.lower() == "x-amzn-trace-id"]
        out = [(n, v) for n, v in client if n.lower() not in _ELB_SETS]
        out.append(("x-amzn-trace-id", trace_header(traces[-1] if traces else None, trace_id)))
        out += [
            ("x-forwarded-for", ", ".join([*forwarded, ip])),
            ("x-forwarded-port", str(listener.port)),
            ("x-forwarded-proto", listener.protocol.lower()),
        ]
        return out

    def _event(
        self, ex: AlbExchange, rule: Rule, raw_query: str, body: str | None
    ) -> dict[str, Any]:
        """ELB's event for a Lambda target (multi-value headers off), keys in AWS's order."""
        headers = [(name.lower(), value) for name, value in ex.request.headers]
        text, encoded = lambda_body(headers, body)
        return {
            "requestContext": {"elb": {"targetGroupArn": rule.target_group_arn}},
            "httpMethod": ex.request.method,
            "path": ex.request.path,
            "queryStringParameters": dict(ex.request.query),
            "headers": {name: value for name, value in sorted(dict(headers).items())},
            "body": text or "",
            "isBase64Encoded": encoded,
        }

    def _invoke(self, ex: AlbExchange, rule: Rule) -> None:
        from stptui.sim.engine import SimError

        sim = self.sim

        def done(outcome: Outcome, inv_id: str) -> None:
            ex.invocation_id = inv_id
            if outcome.status == "timeout":
                self._elb_error(ex, 502, function_failed(outcome))
                return
            if outcome.status != "success":
                self._elb_error(ex, 502, f"{function_failed(outcome)} (LambdaUnhandled)")
                return
            converted = convert(outcome.response)
            if isinstance(converted, str):
                self._elb_error(ex, 502, converted)
                return
            status, description, headers, text = converted
            if not any(name.lower() == "content-type" for name, _ in headers):
                headers = [*headers, ("content-type", DEFAULT_RESPONSE_TYPE)]
            self._respond(ex, status, headers, text, None, description=description)

        try:
            ex.invocation_id = sim.invoke_sync(rule.target, ex.event, done, "http")
        except SimError as exc:
            if str(exc).startswith("TooManyRequestsException"):
                self._elb_error(ex, 503, f"{exc} (LambdaThrottling)")
            else:
                self._elb_error(ex, 502, str(exc))

    def _start_job(self, ex: AlbExchange, rule: Rule) -> None:
        """What the job's trigger function does: start an execution, answer 200 at once (or
        fail, when StartExecution refuses its input: ELB's 502, as for any failed function)."""
        from stptui.sim.services.batch import TriggerFailed, submit_job

        try:
            eid = submit_job(self.sim, rule.target, ex.event, ALB, ex.request_id)
        except TriggerFailed as exc:
            why = f"the job's trigger function failed: {exc.message} (LambdaUnhandled)"
            self._elb_error(ex, 502, why)
            return
        body = job_started_body(self.sim, rule.target, eid)
        self._respond(ex, 200, [], body, None, execution_id=eid)

    @staticmethod
    def container_request(ex: AlbExchange, raw_query: str, body: str | None) -> ContainerRequest:
        """The HTTP request ELB forwards to a container target: the path and query as sent,
        the headers as ELB forwards them (`_headers`) with lower-case names, the body."""
        from stptui.sim.services.container import ContainerRequest

        req = ex.request
        headers = tuple((name.lower(), value) for name, value in req.headers)
        return ContainerRequest(req.method, req.path, raw_query, headers, body)

    def serve_container(
        self,
        ex: AlbExchange,
        workload: str,
        container: str,
        port: int | None,
        request: ContainerRequest,
    ) -> None:
        """Serve `ex` with `container` of container workload `workload` listening on `port`:
        the one way a rule reaches a container (a multi-container workload's, a service's).
        The container's answer is the client's, as it wrote it; a container that fails the
        request resets the connection, ELB's 502; one that has not answered within the idle
        timeout gets the client ELB's 504 (the container runs on)."""

        def answered(answer: ContainerAnswer) -> None:
            if answer.status is None:
                self._elb_error(ex, 502, f"the target reset the connection ({answer.error})")
                return
            self._respond(ex, answer.status, answer.headers, answer.body, None)

        serve_timed(
            self.sim,
            ex,
            (workload, container, port, request),
            ex.lb.name,
            answered,
            (IDLE_TIMEOUT_MS, self._idle_timed_out, "alb-idle-timeout"),
        )

    def _idle_timed_out(self, ex: AlbExchange) -> None:
        ex.timer = None
        why = "the target did not answer within the load balancer's 60 s idle timeout"
        self._elb_error(ex, 504, why)

    def _default_action(self, ex: AlbExchange, raw_query: str) -> None:
        """No rule took the request: the listener's redirect, or Stacktape's fixed 500."""
        redirect = ex.listener.redirect
        if redirect is None:
            headers = [("content-type", NO_RULE_TYPE), ("server", ELB_SERVER)]
            why = f"no rule of the listener on port {ex.listener.port} matches: its default action"
            self._respond(ex, NO_RULE_STATUS, headers, NO_RULE_BODY, why)
            return
        status = 302 if redirect.get("statusCode") == "HTTP_302" else 301
        location = _redirect_location(redirect, ex, raw_query)
        headers = [
            ("server", ELB_SERVER),
            ("content-type", "text/html"),
            ("location", location),
        ]
        why = f"the listener on port {ex.listener.port} redirects (its default action)"
        self._respond(ex, status, headers, error_page(status), why)

    def _elb_error(self, ex: AlbExchange, status: int, why: str) -> None:
        headers = [("server", ELB_SERVER), ("content-type", "text/html")]
        self._respond(ex, status, headers, error_page(status), why)

    def _respond(
        self,
        ex: AlbExchange,
        status: int,
        headers: list[tuple[str, str]],
        body: str,
        reason: str | None,
        *,
        description: str | None = None,
        execution_id: str | None = None,
    ) -> None:
        sim = self.sim
        now = sim.clock.now
        have = {name.lower() for name, _ in headers}
        extra = [
            ("date", http_date(now)),
            ("content-length", str(body_bytes(body))),
        ]
        rule = ex.rule
        ex.response = HttpResponse(
            status,
            [*[(k, v) for k, v in extra if k not in have], *headers],
            body,
            ex.request_id,
            now - ex.started,
            ex.lb.name,
            rule.key if rule else None,
            rule.target if rule else None,
            reason,
            ex.invocation_id,
            execution_id,
            ex.request.method,
            ex.request.path,
        )
        data = ex.response.record()
        if description is not None:
            data["description"] = description
        sim.trace.emit((now, tk.HTTP_RESPONSE, ex.lb.name, data))
        sim.services["http"].answers.keep(ex.response)

    # -- views ---------------------------------------------------------------------------

    def listing(self) -> list[dict[str, Any]]:
        """Every listener of every load balancer with its rules in priority order, for
        `show rules`."""
        out: list[dict[str, Any]] = []
        for lb in self.balancers.values():
            for listener in lb.listeners.values():
                default = (
                    f"redirect {_redirect_text(listener.redirect)}"
                    if listener.redirect is not None
                    else f"fixed {NO_RULE_STATUS} {NO_RULE_TYPE}"
                )
                out.append(
                    {
                        "load_balancer": lb.name,
                        "port": listener.port,
                        "protocol": listener.protocol,
                        "default_action": default,
                        "rules": [
                            {
                                "priority": rule.priority,
                                "conditions": [c.describe() for c in rule.conditions],
                                "target": rule.target,
                                "target_type": rule.target_type,
                                "container": rule.container,
                                "container_port": rule.container_port,
                                "target_group_arn": rule.target_group_arn,
                            }
                            for rule in listener.rules
                        ],
                    }
                )
        return out


def _query_pairs(raw: str) -> tuple[tuple[str, str], ...]:
    """A query string's (key, value) pairs as sent: nothing URL-decoded."""
    pairs = []
    for part in raw.split("&"):
        if part:
            key, _, value = part.partition("=")
            pairs.append((key, value))
    return tuple(pairs)


def _redirect_location(redirect: dict[str, Any], ex: AlbExchange, raw_query: str) -> str:
    """The Location of a redirect action: each part the action leaves out keeps the
    request's (`#{part}` in a part is the request's part), except the port when the action
    changes the protocol: it is then the new protocol's. A port that is its protocol's
    default (443 for HTTPS, 80 for HTTP) is left out of the URL."""
    hosts = ex.request.header("host")
    original = {
        "protocol": ex.listener.protocol,
        "host": _without_port(hosts[-1]) if hosts else ex.lb.domain,
        "port": str(ex.listener.port),
        "path": ex.request.path.lstrip("/"),
        "query": raw_query,
    }
    defaults = {"protocol": "#{protocol}", "host": "#{host}", "port": "#{port}"}
    defaults |= {"path": "/#{path}", "query": "#{query}"}

    def part(name: str) -> str:
        value = redirect.get(name)
        text = str(value) if isinstance(value, (str, int)) else defaults[name]
        for key, got in original.items():
            text = text.replace(f"#{{{key}}}", got)
        return text

    protocol = part("protocol").lower()
    changed = protocol != ex.listener.protocol.lower()
    port = part("port")
    if "port" not in redirect and changed:
        port = _PROTOCOL_PORTS.get(protocol, port)
    port_text = "" if _PROTOCOL_PORTS.get(protocol) == port else f":{port}"
    query = part("query")
    return f"{protocol}://{part('host')}{port_text}{part('path')}" + (f"?{query}" if query else "")


def _redirect_text(redirect: dict[str, Any]) -> str:
    status = "302" if redirect.get("statusCode") == "HTTP_302" else "301"
    parts = [
        f"{k}={redirect[k]}" for k in ("protocol", "host", "port", "path", "query") if k in redirect
    ]
    return f"{status} {' '.join(parts)}".rstrip()


def convert(result: Any) -> tuple[int, str | None, list[tuple[str, str]], str] | str:
    """How ELB turns a function's result into the response: (status, statusDescription,
    headers, body), or, when it cannot, why (the client then gets a 502)."""
    bad = "malformed Lambda response (LambdaInvalidResponse): "
    size = len(compact_json(result).encode("utf-8", "surrogatepass"))
    if size > MAX_LAMBDA_BYTES:
        return f"the function's response is {size:,} bytes, over 1 MB (LambdaResponseTooLarge)"
    if not isinstance(result, dict):
        return bad + f"it must be an object with a statusCode, not {compact_json(result)[:80]}"
    status = result.get("statusCode")
    if not _is_int(status) or not 100 <= status <= 599:
        return bad + f"statusCode must be an integer HTTP status, not {compact_json(status)[:40]}"
    nulls = [key for key in _NOT_NULL if key in result and result[key] is None]
    if nulls:
        return bad + f"{nulls[0]} is null (leave it out instead)"
    description = result.get("statusDescription")
    if description is not None and not isinstance(description, str):
        return bad + "statusDescription must be a string"
    given = result.get("headers", {})
    if not isinstance(given, dict):
        return bad + "headers must be an object"
    headers: list[tuple[str, str]] = []
    for name, value in given.items():
        if not isinstance(value, str):
            return bad + f"header {name!r} must be a string, not {compact_json(value)[:40]}"
        if str(name).lower() not in _NOT_PASSED_ON:
            headers.append((str(name), value))
    body = result.get("body", "")
    if not isinstance(body, str):
        return bad + f"body must be a string, not {type(body).__name__}"
    if result.get("isBase64Encoded") is True:
        try:
            raw = base64.b64decode(body, validate=True)
        except ValueError:
            return bad + "isBase64Encoded is true but the body is not base64"
        body = binary_body(raw)
    return status, description, headers, body


def wire(sim: Simulator) -> None:
    """Build the application load balancers and their listener rules."""
    sim.services["load_balancers"] = LoadBalancerService(sim)
