"""One resource's metrics period by period (`show metrics RESOURCE --period D`): a handful
of its kind's key figures in each period of the window, as CloudWatch's datapoints of one
period each.

Queues and functions are replayed once with the periods (their gauges carry from one
period into the next: the level a period opens with is its first sample), so that each
gauge's Maximum over the periods is the window's and each Sum adds up to the window's.
The other kinds count records that need no state from before them, or only the requests
(or executions) still open: their family's function is given the records a period at a
time, with what is open carried over. Like `compute`, nothing here runs while the
simulation does.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass, field
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from stptui.sim.metrics.events import event_metrics, topic_metrics
from stptui.sim.metrics.figures import KIND_METRICS, Figure, Metric, Periods, ResourceMetrics
from stptui.sim.metrics.functions import function_series
from stptui.sim.metrics.jobs import batch_job_metrics, state_machine_metrics
from stptui.sim.metrics.queues import queue_series
from stptui.sim.metrics.stores import store_metrics
from stptui.sim.metrics.web import http_metrics, load_balancer_metrics

if TYPE_CHECKING:
    from stptui.sim.engine import Simulator

# The most periods one `--period` shows: a longer table is no curve a person reads.
MAX_PERIODS = 1_000

_QUEUE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("NumberOfMessagesSent", "Sum"),
    ("NumberOfMessagesReceived", "Sum"),
    ("NumberOfMessagesDeleted", "Sum"),
    ("NumberOfMessagesMovedToDLQ", "Sum"),
    ("ApproximateNumberOfMessagesVisible", "Maximum"),
    ("ApproximateNumberOfMessagesNotVisible", "Maximum"),
    ("ApproximateAgeOfOldestMessage", "Maximum"),
)
_FUNCTION_COLUMNS: tuple[tuple[str, str], ...] = (
    ("Invocations", "Sum"),
    ("Errors", "Sum"),
    ("Throttles", "Sum"),
    ("Duration", "p95"),
    ("ConcurrentExecutions", "Maximum"),
)
# ... then, of a Kafka consumer, its greatest offset lag ...
_KAFKA_COLUMNS: tuple[tuple[str, str], ...] = (("OffsetLag", "Maximum"),)
# ... and, after them, of a function the window has asynchronous figures of.
_ASYNC_COLUMNS: tuple[tuple[str, str], ...] = (
    ("AsyncEventsReceived", "Sum"),
    ("AsyncEventAge", "Maximum"),
    ("AsyncEventsDropped", "Sum"),
)
_HTTP_COLUMNS: tuple[tuple[str, str], ...] = (
    ("Count", "Sum"),
    ("4xx", "Sum"),
    ("5xx", "Sum"),
    ("Latency", "p95"),
)
# The time statistic shown after the Sum figures of the other kinds that have one.
_TIME_COLUMN = {
    "load-balancer": ("TargetResponseTime", "p95"),
    "batch-job": ("ExecutionTime", "p95"),
    "state-machine": ("ExecutionTime", "p95"),
}


@dataclass(slots=True)
class Series:
    """One resource's chosen figures (`columns`) in each of `periods`: `rows[i]` holds the
    figures of the period that starts at `periods.start + i * periods.length`."""

    resource: str
    kind: str
    periods: Periods
    columns: list[Metric]
    rows: list[list[Figure]]
    # An HTTP API's routes (by route key) that answered a request in the window: each
    # one's figures per period, as `rows`, None in a period where it answered none.
    routes: dict[str, list[list[Figure] | None]] = field(default_factory=dict)


def columns(kind: str, asynchronous: bool = False, kafka: bool = False) -> list[Metric]:
    """The (metric, statistic, unit) a kind's series shows, in order; a function's with
    its offset lag when it reads a Kafka topic (`kafka`), and its asynchronous figures
    when `asynchronous`."""
    known = {(m, s): u for m, s, u in KIND_METRICS[kind]}
    if kind == "queue":
        chosen = _QUEUE_COLUMNS
    elif kind in ("function", "function-url"):
        chosen = _FUNCTION_COLUMNS + (_KAFKA_COLUMNS if kafka else ())
        chosen += _ASYNC_COLUMNS if asynchronous else ()
    elif kind in ("http-api", "route"):
        chosen = _HTTP_COLUMNS
    else:
        chosen = tuple((m, s) for m, s, _ in KIND_METRICS[kind] if s == "Sum")
        if kind in _TIME_COLUMN:
            chosen += (_TIME_COLUMN[kind],)
    return [(m, s, known[(m, s)]) for m, s in chosen]


def series(sim: Simulator, name: str, kind: str, periods: Periods, raws: Any) -> Series:
    """The figures of `name` (a resource `measured` gives `kind`) in each of `periods`,
    replayed from `raws`, the records the trace keeps; the last period ends now."""
    end = sim.clock.now
    dropped = sim.trace.records.first_seq - 1
    routes: dict[str, list[list[Figure] | None]] = {}
    if kind == "queue":
        found = queue_series(sim, raws, periods, end, seeded=dropped > 0, only=name)[name]
    elif kind in ("function", "function-url"):
        found = function_series(sim, raws, periods, name)[name]
    else:
        each = _sliced(sim, kind, periods, raws)
        found = [got.get(name) or ResourceMetrics(name, kind) for got in each]
    # A function that nothing reached asynchronously has no such figures: no columns of "-".
    asynchronous = any(res.figure("AsyncEventsReceived", "Sum") for res in found)
    kafka = any(res.figure("OffsetLag", "Maximum") for res in found)
    chosen = columns(kind, asynchronous, kafka)
    if kind == "http-api":
        routes = _routes(name, each, chosen)
    rows = [[_figure(res, metric, stat, unit) for metric, stat, unit in chosen] for res in found]
    return Series(name, kind, periods, chosen, rows, routes)


def _routes(
    api: str, each: list[dict[str, ResourceMetrics]], chosen: list[Metric]
) -> dict[str, list[list[Figure] | None]]:
    """The figures of `api`'s routes in each period (None where one answered nothing),
    of the routes that answered a request in some period, in route key order."""
    keys = sorted(
        {k for got in each for k, res in got.items() if res.parent == api and _answered(res)}
    )
    return {
        key.partition(" ")[2]: [
            [_figure(got[key], m, s, u) for m, s, u in chosen]
            if key in got and _answered(got[key])
            else None
            for got in each
        ]
        for key in keys
    }


def _answered(res: ResourceMetrics) -> bool:
    """Whether a route's Count in a period is above 0."""
    count = res.figure("Count", "Sum")
    return count is not None and bool(count.value)


def _figure(res: ResourceMetrics, metric: str, stat: str, unit: str) -> Figure:
    got = res.figure(metric, stat)
    return got if got is not None else Figure(metric, stat, unit, None)


def _family(sim: Simulator, kind: str) -> Callable[[Any, int], dict[str, ResourceMetrics]]:
    """The function that counts `kind`'s figures of records from a start on, holding across
    calls what is still open (requests unanswered, executions running)."""
    if kind in ("http-api", "route"):
        routes: dict[str, str | None] = {}
        return lambda raws, start: http_metrics(sim, raws, start, routes)
    if kind == "load-balancer":
        defaults: set[str] = set()
        return lambda raws, start: load_balancer_metrics(sim, raws, start, defaults)
    if kind == "batch-job":
        submitted: dict[str, int] = {}
        return lambda raws, start: batch_job_metrics(sim, raws, start, submitted)
    if kind == "state-machine":
        return lambda raws, start: state_machine_metrics(sim, raws, start)
    if kind in ("event-bus", "rule", "schedule"):
        return lambda raws, start: event_metrics(sim, raws, start)
    if kind == "topic":
        return lambda raws, start: topic_metrics(sim, raws, start)
    return lambda raws, start: store_metrics(sim, raws, start)


def _sliced(
    sim: Simulator, kind: str, periods: Periods, raws: Any
) -> list[dict[str, ResourceMetrics]]:
    """Each period's figures of every resource of `kind`'s family (an HTTP API's routes
    among them), its family's function given the records of one period at a time (the
    first also those before the window, for what they open)."""
    count = _family(sim, kind)
    records = list(raws)
    at = itemgetter(0)
    bounds = periods.starts()
    cuts = [0, *(bisect_left(records, b, key=at) for b in bounds[1:]), len(records)]
    return [count(records[cuts[i] : cuts[i + 1]], first) for i, first in enumerate(bounds)]
