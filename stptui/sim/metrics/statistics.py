"""Any CloudWatch statistic of a metric `show metrics` reports, for `expect metric...`: Sum,
Average, Minimum, Maximum, SampleCount and percentiles (pNN, pNN.NN), wherever what the
trace replays defines it. The table shows a few statistics of each metric; the others
follow from how the service publishes the metric's datapoints:

- a time (Duration, Latency, SendToDeleteTime, ExecutionTime ...) is one sample per
  invocation, request, message or execution: every statistic, from its samples;
- a count Lambda, API Gateway or ELB publishes per request: one sample per request, 1 or,
  for an outcome (Lambda's Errors, API Gateway's 4xx and 5xx), 0 or 1 per request of its
  denominator ("the Average statistic represents the 4XXError error rate ... the
  denominator corresponds to the Count metric", API Gateway developer guide);
- SQS's counts are published once a minute per queue: one sample per minute of the window;
- a gauge (a queue's depths and age, ConcurrentExecutions, IteratorAge, OffsetLag) is the
  Maximum of the level the replay follows at every instant: no sampling instants, no other
  statistic;
- any other count is the Sum of what its service publishes in batches the replay does not
  model: Sum only.

Refusals name the statistics that are offered.
"""

from __future__ import annotations

import re
import weakref
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from stptui.sim.alarms import statistic_of
from stptui.sim.metrics.figures import KIND_METRICS, LB_METRICS, Periods, ResourceMetrics
from stptui.sim.metrics.queues import queue_series

if TYPE_CHECKING:
    from stptui.sim.engine import Simulator

# CloudWatch's statistics by name; a percentile is written pNN or pNN.NN.
NAMED = ("Sum", "Average", "Minimum", "Maximum", "SampleCount")
PERCENTILE = re.compile(r"p(\d{1,2})(\.\d{1,2})?")
ALL = (*NAMED, "pNN", "pNN.NN")
MINUTE_MS = 60_000

# The counts published one sample per request, with the count whose requests they are
# sampled on (itself when each of its samples is 1).
_PER_REQUEST: dict[str, dict[str, str]] = {
    "function": {"Invocations": "Invocations", "Errors": "Invocations", "Throttles": "Throttles"},
    "http-api": {"Count": "Count", "4xx": "Count", "5xx": "Count"},
    # "Minimum, Maximum, and Average all return 1" (ELB: CloudWatch metrics for your ALB).
    "load-balancer": {m: m for m, s, _ in LB_METRICS if s == "Sum"},
}
_PER_REQUEST["function-url"] = _PER_REQUEST["function"]
_PER_REQUEST["route"] = _PER_REQUEST["http-api"]
# SQS's counts, published once a minute (stptui's own NumberOfMessagesMovedToDLQ is not).
_PER_MINUTE = ("NumberOfMessagesSent", "NumberOfMessagesReceived", "NumberOfMessagesDeleted")
_GAUGES = (
    "ApproximateNumberOfMessagesVisible",
    "ApproximateNumberOfMessagesNotVisible",
    "ApproximateNumberOfMessagesDelayed",
    "ApproximateAgeOfOldestMessage",
    "ConcurrentExecutions",
    "IteratorAge",
    "OffsetLag",
)


class StatisticRefused(Exception):
    """A statistic the metric does not define here: why, and the statistics it offers."""

    def __init__(self, reason: str, offered: tuple[str, ...]) -> None:
        super().__init__(reason)
        self.reason = reason
        self.offered = offered


def is_statistic(stat: str) -> bool:
    """Whether `stat` is a statistic CloudWatch knows (Sum ... SampleCount, pNN, pNN.NN)."""
    return stat in NAMED or PERCENTILE.fullmatch(stat) is not None


def model(kind: str, metric: str) -> str:
    """How `metric` of a resource of `kind` is sampled: samples (a time), request, minute,
    gauge or sum (see the module's docstring)."""
    if metric in _GAUGES:
        return "gauge"
    if metric in _PER_REQUEST.get(kind, {}):
        return "request"
    if kind == "queue" and metric in _PER_MINUTE:
        return "minute"
    if any(m == metric and s != "Sum" for m, s, _ in KIND_METRICS.get(kind, ())):
        return "samples"
    return "sum"


def offered(kind: str, metric: str) -> tuple[str, ...]:
    """The statistics `expect` may ask of `metric` of a `kind` (pNN standing for any
    percentile)."""
    sampled = model(kind, metric)
    if sampled == "gauge":
        return ("Maximum",)
    if sampled == "sum":
        return ("Sum",)
    return ALL


def suggested(kind: str, metric: str) -> tuple[str, ...]:
    """A few statistics completion offers besides those `show metrics` lists: what a
    question about the metric most often asks (a rate, the count of samples)."""
    sampled = model(kind, metric)
    if sampled == "samples":
        return ("Minimum", "SampleCount", "Sum", "p90", "p99.9")
    if sampled == "request":
        return ("Average", "SampleCount")
    if sampled == "minute":
        return ("Average", "Minimum", "Maximum", "SampleCount")
    return ()


def _why(sampled: str) -> str:
    """Why a metric sampled so defines only the statistics it offers."""
    if sampled == "gauge":
        return (
            "it is a gauge: stptui follows its level at every instant, so only its Maximum is "
            "defined (its other statistics depend on when AWS samples it)"
        )
    if sampled == "samples":
        return "stptui keeps no samples of it, only the statistics `show metrics` lists"
    return (
        "it is a count stptui keeps as its Sum only (its other statistics depend on how its "
        "datapoints are batched, which stptui does not model)"
    )


def _sum(res: ResourceMetrics, metric: str) -> int:
    found = res.figure(metric, "Sum")
    return 0 if found is None or found.value is None else int(found.value)


def _of(values: Sequence[float], stat: str) -> float | None:
    if stat == "SampleCount":
        return float(len(values))
    return statistic_of(values, stat)


def statistic(
    sim: Simulator, res: ResourceMetrics, metric: str, stat: str, start: int, end: int
) -> float | None:
    """`stat` of `metric` of `res` over the window [start, end] its figures were computed
    over (None without a datapoint; SampleCount is 0 then). A StatisticRefused when the
    metric does not define `stat`."""
    sampled = model(res.kind, metric)
    allowed = offered(res.kind, metric)
    if not is_statistic(stat):
        raise StatisticRefused(f"{stat!r} is no CloudWatch statistic", allowed)
    if allowed != ALL and stat not in allowed:
        raise StatisticRefused(_why(sampled), allowed)
    if sampled in ("gauge", "sum"):
        found = res.figure(metric, stat)
        return None if found is None else found.value
    if sampled == "samples":
        if all(f.metric != metric for f in res.figures):
            # Not published for this resource (a function nothing invoked asynchronously
            # has no AsyncEventAge): no datapoint.
            return None
        kept = [f.samples for f in res.figures if f.metric == metric and f.samples is not None]
        if not kept:
            # A time whose figures were made without their samples.
            shown = tuple(f.statistic for f in res.figures if f.metric == metric)
            raise StatisticRefused(_why(sampled), shown)
        return _of(kept[0], stat)
    if sampled == "request":
        ones = _sum(res, metric)
        requests = _sum(res, _PER_REQUEST[res.kind][metric])
        return _of([1] * ones + [0] * max(0, requests - ones), stat)
    return _of(minute_sums(sim, res.resource, metric, start, end), stat)


@dataclass(frozen=True, slots=True)
class _Minutes(Periods):
    """The minutes of a window that hold a record, as periods: a replay over them counts
    what each of those minutes counts, and the window's other minutes count 0. A window
    of a month has 43,200 minutes and few of them busy; the replay's cost per period
    (each queue's figures) is paid only for these."""

    firsts: tuple[int, ...] = ()

    def index(self, t: int) -> int:
        """The busy minute `t` falls in (the one before it for an instant in an idle one:
        only a gauge is sampled there, and no count is read of it)."""
        return max(0, bisect_right(self.firsts, t) - 1)

    def starts(self) -> list[int]:
        """Each busy minute's first instant."""
        return list(self.firsts)


# The last minute replays: a window's busy minutes, and each queue's figures in them of
# the queues asked of, for the other statistics and metrics asked of the same state:
# completion describes a dozen paths of a queue at once. Its simulator is held weakly, as
# `compute`'s cache holds it.
_MINUTES: list[
    tuple[
        weakref.ref[Simulator],
        tuple[int, int, int, int],
        _Minutes,
        dict[str, list[ResourceMetrics]],
    ]
] = []


def minute_sums(sim: Simulator, queue: str, metric: str, start: int, end: int) -> list[int]:
    """`metric` (one of SQS's counts) of `queue` in each minute of [start, end] from its
    start, the last cut short by the end: the datapoints SQS publishes a minute each. The
    busy minutes come first, then the idle ones' zeros (a statistic ignores the order)."""
    trace = sim.trace
    raws = trace.records.raw
    whole = Periods.of(start, end, MINUTE_MS)
    key = (id(trace), trace.seq, start, end)
    if not _MINUTES or _MINUTES[0][0]() is not sim or _MINUTES[0][1] != key:
        busy = sorted(
            {whole.start + whole.index(raw[0]) * MINUTE_MS for raw in raws if raw[0] >= start}
        )
        minutes = _Minutes(start, MINUTE_MS, max(1, len(busy)), tuple(busy or [start]))
        _MINUTES[:] = [(weakref.ref(sim), key, minutes, {})]
    _, _, periods, known = _MINUTES[0]
    if queue not in known:
        # Every queue is replayed (a message moves between queues); only this one's
        # figures are made, most of the cost on a stack of hundreds of queues.
        seeded = trace.records.first_seq > 1
        known.update(queue_series(sim, raws, periods, end, seeded=seeded, only=queue))
    busy_sums = [_sum(minute, metric) for minute in known[queue]]
    return busy_sums + [0] * (whole.count - len(busy_sums))
