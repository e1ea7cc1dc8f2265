"""The metrics of the requests a stack answers, from `http.request` and `http.response`:
API Gateway's of each HTTP API and route, Elastic Load Balancing's (AWS/ApplicationELB) of
each application load balancer, and Lambda's function URL metrics of each function with a
URL. Which answers are ELB's own and which its targets' is the alarms' reading
(stptui.sim.services.alarm_metrics.AlbTraffic)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from stptui.config.diagnostics import did_you_mean
from stptui.config.model import HttpApiGateway
from stptui.config.normalize_names import pascal_case
from stptui.sim import trace as tk
from stptui.sim.metrics.figures import (
    EXECUTION_STATS,
    HTTP_METRICS,
    LATENCY_STATS,
    LB_METRICS,
    URL_METRICS,
    Figure,
    ResourceMetrics,
    counted,
    samples,
)
from stptui.sim.services.alarm_metrics import field as raw_field
from stptui.sim.services.load_balancer import HEAD_REFUSALS
from stptui.textsafe import quote_word

if TYPE_CHECKING:
    from stptui.sim.engine import Simulator

_HTTP_KINDS = (tk.HTTP_REQUEST, tk.HTTP_RESPONSE)
# The columns of a load balancer's counts, in LB_METRICS' order.
_LB_COLUMN = {
    "RequestCount": 0,
    "HTTPCode_Target_2XX_Count": 1,
    "HTTPCode_Target_3XX_Count": 2,
    "HTTPCode_Target_4XX_Count": 3,
    "HTTPCode_Target_5XX_Count": 4,
    "HTTPCode_ELB_3XX_Count": 5,
    "HTTPCode_ELB_4XX_Count": 6,
    "HTTPCode_ELB_5XX_Count": 7,
    "HTTP_Fixed_Response_Count": 8,
    "HTTP_Redirect_Count": 9,
}


def load_balancers(sim: Simulator) -> list[str]:
    """The stack's application load balancers (a network one answers no HTTP)."""
    service = sim.services.get("load_balancers")
    return [] if service is None else list(service.balancers)


def function_urls(sim: Simulator) -> list[str]:
    """The functions that have a URL."""
    service = sim.services.get("function_urls")
    return [] if service is None else list(service.urls)


def detailed_routes(sim: Simulator) -> list[str]:
    """The routes API Gateway publishes per-route metrics of (those with detailed metrics
    on: HttpApiGateway.route_has_detailed_metrics), each named `API ROUTE_KEY`."""
    http = sim.services.get("http")
    out: list[str] = []
    for name, api in ({} if http is None else http.apis).items():
        gateway = sim.stack.resources.get(name)
        if isinstance(gateway, HttpApiGateway):  # a web service's own API has Stacktape's
            out += [
                f"{name} {r.key}" for r in api.routes if gateway.route_has_detailed_metrics(r.key)
            ]
    return out


def route_refusal(sim: Simulator, api: str, route: str) -> tuple[str, str]:
    """Why `API ROUTE` names no route whose metrics CloudWatch has, and what to do: the API
    has no such route, or the route's stage publishes no per-route metrics."""
    keys = [r.key for r in sim.services["http"].apis[api].routes]
    if route not in keys:
        guess = did_you_mean(route, keys)
        return (
            f"HTTP API {api} has no route {route!r}",
            f"did you mean {quote_word(f'{api} {guess}')}?"
            if guess
            else f"its routes: {', '.join(keys)}",
        )
    gateway = sim.stack.resources.get(api)
    if not isinstance(gateway, HttpApiGateway):
        how = f"{api} is a web service's HTTP API, whose stage Stacktape makes without them"
    elif gateway.route_detailed_metrics.get(route) is False:
        how = f"the RouteSettings of {api}'s `overrides` turn them off for {route}"
    else:
        stage = f"{pascal_case(api)}Stage"
        how = (
            f"Stacktape's stage sets none; turn them on with `overrides: {{{stage}: "
            "{DefaultRouteSettings: {DetailedMetricsEnabled: true}}}` on "
            f"{api} (or per route, RouteSettings)"
        )
    return (
        f"CloudWatch has no metrics of {api}'s route {route}: API Gateway publishes per-route "
        "metrics (ApiId, Stage, Method and Resource) only with detailed metrics on",
        f"{how}; `show metrics {quote_word(api)}` lists its routes' figures all the same",
    )


def http_metrics(
    sim: Simulator, raws: Any, start: int, routes: dict[str, str | None] | None = None
) -> dict[str, ResourceMetrics]:
    """Each HTTP API's, and each of its routes', requests answered from `start` on.
    `routes` (request id -> route key) carries the requests still unanswered from one call
    to the next when the records are given a slice at a time."""
    http = sim.services.get("http")
    if http is None:
        return {}
    apis = set(http.apis)
    routes = {} if routes is None else routes
    # (api or `api route`) -> [count, 4xx, 5xx], latencies
    # A route CloudWatch has metrics of (detailed metrics on) is listed with zeros too.
    listed = [*apis, *detailed_routes(sim)]
    sums: dict[str, list[int]] = {name: [0, 0, 0] for name in listed}
    latencies: dict[str, list[float]] = {name: [] for name in listed}
    for raw in raws:
        kind = raw[1]
        if raw[2] not in apis or kind not in _HTTP_KINDS:
            continue
        request_id = raw_field(raw, "request_id")
        if kind == tk.HTTP_REQUEST:
            routes[request_id] = raw_field(raw, "route")
            continue
        route = routes.pop(request_id, None)
        if raw[0] < start:
            continue
        status = raw_field(raw, "status")
        latency = raw_field(raw, "latency_ms")
        for key in (raw[2], *([f"{raw[2]} {route}"] if route else [])):
            counts = sums.setdefault(key, [0, 0, 0])
            counts[0] += 1
            if isinstance(status, int):
                counts[1] += 400 <= status <= 499
                counts[2] += 500 <= status <= 599
            if isinstance(latency, (int, float)):
                latencies.setdefault(key, []).append(latency)
    out: dict[str, ResourceMetrics] = {}
    for key in sorted(sums, key=lambda k: (k.split(" ", 1)[0], " " in k, k)):
        figures = counted(HTTP_METRICS, sums[key])
        figures += samples("Latency", latencies.get(key, []), LATENCY_STATS)
        api, _, route = key.partition(" ")
        out[key] = ResourceMetrics(
            key, "route" if route else "http-api", figures, parent=api if route else None
        )
    return out


def _lb_counts(status: int, unrouted: bool, default_action: bool, elb: bool) -> list[str]:
    """The counts one load balancer answer adds to: a default action's (no rule took the
    request, so no target was chosen: not in RequestCount), ELB's own error page (a head it
    refused before any rule is not in RequestCount either), or a target's answer."""
    names: list[str] = []
    if default_action:
        names.append("HTTP_Redirect_Count" if status < 400 else "HTTP_Fixed_Response_Count")
    elif not unrouted:
        names.append("RequestCount")
    if default_action or elb:
        if 300 <= status <= 599:
            names.append(f"HTTPCode_ELB_{status // 100}XX_Count")
    elif 200 <= status <= 599:
        names.append(f"HTTPCode_Target_{status // 100}XX_Count")
    return names


def load_balancer_metrics(
    sim: Simulator, raws: Any, start: int, defaults: set[str] | None = None
) -> dict[str, ResourceMetrics]:
    """Each application load balancer's requests and answers from `start` on, and its
    targets' response times. `defaults` (the unanswered requests a default action answers)
    carries them from one call to the next when the records are given a slice at a time."""
    counts = {name: [0] * len(_LB_COLUMN) for name in load_balancers(sim)}
    times: dict[str, list[float]] = {name: [] for name in counts}
    defaults = set() if defaults is None else defaults
    for raw in raws:
        kind = raw[1]
        row = counts.get(raw[2])
        if row is None or kind not in _HTTP_KINDS:
            continue
        request_id = raw_field(raw, "request_id")
        if kind == tk.HTTP_REQUEST:
            if raw_field(raw, "route") is None:
                defaults.add(request_id)
            continue
        unrouted = request_id in defaults
        defaults.discard(request_id)
        if raw[0] < start:
            continue
        status = raw_field(raw, "status")
        status = status if isinstance(status, int) else 0
        # A head ELB refuses is read before any rule: unrouted, but no default action's.
        default_action = unrouted and status not in HEAD_REFUSALS
        elb = raw_field(raw, "reason") is not None
        for name in _lb_counts(status, unrouted, default_action, elb):
            row[_LB_COLUMN[name]] += 1
        latency = raw_field(raw, "latency_ms")
        if not (default_action or elb) and isinstance(latency, (int, float)):
            times[raw[2]].append(latency)
    return {
        name: ResourceMetrics(
            name,
            "load-balancer",
            counted(LB_METRICS, row) + samples("TargetResponseTime", times[name], EXECUTION_STATS),
        )
        for name, row in counts.items()
    }


def function_url_figures(sim: Simulator, raws: Any, start: int) -> dict[str, list[Figure]]:
    """The URL metrics of each function with a URL (Lambda publishes them under the
    function's name), of the requests answered from `start` on."""
    counts = {name: [0, 0, 0] for name in function_urls(sim)}  # requests, 4xx, 5xx
    latencies: dict[str, list[float]] = {name: [] for name in counts}
    for raw in raws:
        if raw[1] != tk.HTTP_RESPONSE or raw[0] < start:
            continue
        row = counts.get(raw[2])
        if row is None:
            continue
        status = raw_field(raw, "status")
        row[0] += 1
        if isinstance(status, int):
            row[1] += 400 <= status <= 499
            row[2] += 500 <= status <= 599
        latency = raw_field(raw, "latency_ms")
        if isinstance(latency, (int, float)):
            latencies[raw[2]].append(latency)
    return {
        name: counted(URL_METRICS, row)
        + samples("UrlRequestLatency", latencies[name], LATENCY_STATS)
        for name, row in counts.items()
    }
