"""CloudWatch's metrics of a run, computed from the trace on demand (`show metrics`, `expect
metric...`): SQS's counts and gauges of each queue, Lambda's of each function (and its URL),
API Gateway's of each HTTP API and route, ELB's of each load balancer, Step Functions' of
each state machine and batch job (with its attempts), EventBridge's of each bus, rule and
schedule, SNS's of each topic, and what goes into each Kinesis stream, DynamoDB table
stream, Kafka topic and bucket.

Nothing here runs while the simulation does: the figures are replayed from the records
still in the trace's ring when asked for (design rule 5), so the hot path pays nothing. One
module per family of services: queues, functions, web (HTTP APIs, load balancers, function
URLs), jobs (batch jobs and state machines), events (buses, rules, schedules, topics),
stores (streams, tables, Kafka topics, buckets); `figures` holds what they report, `periods`
one resource's figures period by period. `compute` gives every resource's figures (`show
metrics`), `figures_of` one resource's (`expect metric...`, the REPL's menu), its family's
alone replayed. The percentile method is the alarms'
(stptui.sim.alarms.statistic_of).
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any

from stptui.sim.metrics.events import buses, event_metrics, rules, topic_metrics, topics
from stptui.sim.metrics.figures import (
    HTTP_METRICS,
    KIND_METRICS,
    Figure,
    Metric,
    Metrics,
    ResourceMetrics,
)
from stptui.sim.metrics.functions import function_metrics
from stptui.sim.metrics.jobs import (
    batch_job_metrics,
    batch_jobs,
    state_machine_metrics,
    state_machines,
)
from stptui.sim.metrics.queues import queue_metrics
from stptui.sim.metrics.stores import store_metrics, stores
from stptui.sim.metrics.web import (
    detailed_routes,
    function_url_figures,
    function_urls,
    http_metrics,
    load_balancer_metrics,
    load_balancers,
)

if TYPE_CHECKING:
    from stptui.sim.engine import Simulator

__all__ = [
    "Figure",
    "Metrics",
    "ResourceMetrics",
    "compute",
    "figures_of",
    "kind_of",
    "measured",
    "metric_names",
    "window",
]


def metric_names(kind: str) -> tuple[Metric, ...]:
    """The (metric, statistic, unit) triples a kind of resource has."""
    return KIND_METRICS.get(kind, HTTP_METRICS)


# What `measured` found for the simulator it last read (held weakly: a `load` replaces it).
# Its services are wired when it is made, so the answer holds for its life; `expect` and
# the REPL's menu of metric paths ask it again for every path.
_MEASURED: list[tuple[weakref.ref[Simulator], dict[str, str]]] = []


def measured(sim: Simulator) -> dict[str, str]:
    """The resources `show metrics` measures, by name, with their kind: queue, function
    (function-url: one with a URL, which has its URL's metrics too), http-api,
    load-balancer, batch-job, state-machine, event-bus, rule (by its AWS name), schedule (a
    schedule's rule), topic, stream, table (one with a stream), kafka-topic or bucket."""
    if _MEASURED and _MEASURED[0][0]() is sim:
        return _MEASURED[0][1]
    out = _measured(sim)
    _MEASURED[:] = [(weakref.ref(sim), out)]
    return out


def _measured(sim: Simulator) -> dict[str, str]:
    out = {name: "queue" for name in sim.queues}
    out.update({name: "function" for name in sim.functions})
    out.update({name: "function-url" for name in function_urls(sim)})
    http = sim.services.get("http")
    if http is not None:
        out.update({name: "http-api" for name in http.apis})
    out.update({name: "load-balancer" for name in load_balancers(sim)})
    out.update({name: "batch-job" for name in batch_jobs(sim)})
    out.update({name: "state-machine" for name in state_machines(sim)})
    out.update(buses(sim))
    out.update({name: "topic" for name in topics(sim)})
    for name, kind in stores(sim).items():
        # A Kafka topic is named by its topic name, which a resource's name may be too.
        out.setdefault(name, kind)
    # A rule is named by AWS's name, which no resource name can take (it holds the stack's).
    for name, (kind, _) in rules(sim).items():
        out.setdefault(name, kind)
    return out


def kind_of(sim: Simulator, name: str) -> str | None:
    """The kind of what `name` names for `show metrics` and `expect metric...`: a measured
    resource's, `route` for an HTTP API's route CloudWatch has metrics of (`API ROUTE_KEY`,
    detailed metrics on), None for anything else."""
    found = measured(sim).get(name)
    if found is None and " " in name and name in detailed_routes(sim):
        return "route"
    return found


def window(sim: Simulator, since_ms: int | None) -> tuple[Any, int, int, int | None]:
    """The records the trace keeps (oldest first), the window's start (the last `since_ms`
    of virtual time, or all; never before the oldest record kept when older ones were
    dropped), how many were dropped, and the instant of the oldest kept. The trace must be
    settled."""
    ring = sim.trace.records
    raws = ring.raw
    dropped = ring.first_seq - 1
    kept_from = raws[0][0] if raws else None
    now = sim.clock.now
    start = sim.start_ms if since_ms is None else max(sim.start_ms, now - since_ms)
    if dropped and kept_from is not None:
        start = max(start, kept_from)
    return raws, start, dropped, kept_from


# The last computation: `expect` and completion read several figures of one state, which
# one replay answers. Its simulator is held weakly (a `load` replaces it), with what the
# figures depend on: the trace (a caller may give the simulator a new one) and its newest
# record, the clock and the window.
_CACHE: list[tuple[weakref.ref[Simulator], tuple[int, int, int, int], Metrics]] = []


def _key(sim: Simulator, since_ms: int | None) -> tuple[int, int, int, int]:
    """What the figures of a window depend on (the trace must be settled)."""
    trace = sim.trace
    return (id(trace), trace.seq, sim.clock.now, -1 if since_ms is None else since_ms)


def compute(sim: Simulator, since_ms: int | None = None) -> Metrics:
    """The figures of every measured resource over the last `since_ms` of virtual time
    (all the time the trace still holds when None), each resource followed by the routes
    or rules listed under it."""
    sim.trace.settle()
    now = sim.clock.now
    key = _key(sim, since_ms)
    if _CACHE and _CACHE[0][0]() is sim and _CACHE[0][1] == key:
        return _CACHE[0][2]
    raws, start, dropped, kept_from = window(sim, since_ms)
    found = queue_metrics(sim, raws, start, now, seeded=dropped > 0)
    found.update(function_metrics(sim, raws, start, now))
    _add_url_figures(sim, raws, start, found)
    for family in _WHOLE_FAMILIES:
        found.update(_family(sim, family, raws, start, now))
    for name, res in _family(sim, "stores", raws, start, now).items():
        found.setdefault(name, res)
    result = Metrics(start, now, dropped, len(raws), kept_from, _grouped(found))
    _CACHE[:] = [(weakref.ref(sim), key, result)]
    return result


def _add_url_figures(
    sim: Simulator, raws: Any, start: int, found: dict[str, ResourceMetrics]
) -> None:
    """Give each function of `found` that has a URL its URL's figures after its own."""
    for name, figures in function_url_figures(sim, raws, start).items():
        if name in found:
            found[name].kind = "function-url"
            found[name].figures += figures


def _grouped(found: dict[str, ResourceMetrics]) -> dict[str, ResourceMetrics]:
    """The resources in their order, each followed by those listed under it."""
    children: dict[str, list[ResourceMetrics]] = {}
    for res in found.values():
        if res.parent is not None and res.parent in found:
            children.setdefault(res.parent, []).append(res)
    out: dict[str, ResourceMetrics] = {}
    for key, res in found.items():
        if res.parent is None or res.parent not in found:
            out[key] = res
            out.update((child.resource, child) for child in children.get(key, ()))
    return out


# What `figures_of` computed of one state (as `_CACHE`'s key): each resource's figures it
# was asked for, and the families it computed whole, by kind.
_ONE: list[
    tuple[
        weakref.ref[Simulator],
        tuple[int, int, int, int],
        dict[str, ResourceMetrics | None],
        dict[str, dict[str, ResourceMetrics]],
    ]
] = []


def figures_of(
    sim: Simulator, name: str, since_ms: int | None = None
) -> tuple[ResourceMetrics | None, int, int]:
    """The figures of `name` (a measured resource or a route, by `kind_of`) as `compute`
    gives them over the same window (None where it gives none), with the window's start
    and end. Only its family is replayed, and of a queue or function only its own figures
    made: the REPL's menu describes a dozen metric paths of one resource at each new state,
    and all of a stack of 2,000 resources took some 30 ms."""
    sim.trace.settle()
    now = sim.clock.now
    key = _key(sim, since_ms)
    raws, start, dropped, _ = window(sim, since_ms)
    if _CACHE and _CACHE[0][0]() is sim and _CACHE[0][1] == key:
        return _CACHE[0][2].resources.get(name), start, now
    if not (_ONE and _ONE[0][0]() is sim and _ONE[0][1] == key):
        _ONE[:] = [(weakref.ref(sim), key, {}, {})]
    known, families = _ONE[0][2], _ONE[0][3]
    if name in known:
        return known[name], start, now
    kind = kind_of(sim, name) or ""
    if kind == "queue":
        found = queue_metrics(sim, raws, start, now, seeded=dropped > 0, only=name)
    elif kind in ("function", "function-url"):
        found = function_metrics(sim, raws, start, now, only=name)
        if kind == "function-url":
            _add_url_figures(sim, raws, start, found)
    else:
        family = _FAMILIES.get(kind, "stores")
        found = families.get(family)
        if found is None:
            found = families[family] = _family(sim, family, raws, start, now)
    known[name] = found.get(name)
    return known[name], start, now


# The families computed whole (`_family`) after the queues and functions, in `compute`'s
# order; the stores' last, whose figures do not replace another family's.
_WHOLE_FAMILIES = ("http", "load-balancer", "batch-job", "state-machine", "events", "topic")
# The family whose function computes each kind's figures, as `compute` calls them.
_FAMILIES = {
    "http-api": "http",
    "route": "http",
    "load-balancer": "load-balancer",
    "batch-job": "batch-job",
    "state-machine": "state-machine",
    "event-bus": "events",
    "rule": "events",
    "schedule": "events",
    "topic": "topic",
}


def _family(
    sim: Simulator, family: str, raws: Any, start: int, now: int
) -> dict[str, ResourceMetrics]:
    """Every resource's figures of one family of `_FAMILIES` (a store's otherwise)."""
    if family == "http":
        return http_metrics(sim, raws, start)
    if family == "load-balancer":
        return load_balancer_metrics(sim, raws, start)
    if family == "batch-job":
        return batch_job_metrics(sim, raws, start)
    if family == "state-machine":
        return state_machine_metrics(sim, raws, start)
    if family == "events":
        return event_metrics(sim, raws, start)
    if family == "topic":
        return topic_metrics(sim, raws, start)
    return store_metrics(sim, raws, start, now)
