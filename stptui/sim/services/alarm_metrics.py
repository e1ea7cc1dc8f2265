"""The metrics CloudWatch alarms watch (stptui.sim.services.alarm), one class per Stacktape
alarm trigger, each as Stacktape's resolver compiles it (`_utils/alarms/*` in its resource
resolvers): which trace records feed it, its datapoint of a period, and the metric queries
of the alarm's AWS shape (the state change event's `configuration.metrics`).

Each metric keeps per-period bins filled as records are emitted; Lambda's and API Gateway's
counts exist only for periods with traffic, SQS's while the queue is active, ELB's only when
non-zero, as AWS publishes them. A record counts in the period of the instant AWS stamps it
with: its own, but for Lambda's Invocations, Errors and Duration, which are stamped with the
instant the invocation was invoked and reach the alarm when it ends, possibly after that
period was evaluated (stptui.sim.services.alarm re-evaluates it).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from stptui.config.alarms import alb_container_targets
from stptui.config.model import SqsTrigger
from stptui.sim import trace as tk
from stptui.sim.alarms import statistic_of
from stptui.sim.services.load_balancer import HEAD_REFUSALS, target_group_name

if TYPE_CHECKING:
    from stptui.sim.engine import Simulator
    from stptui.sim.services.alarm import AlarmSim

# SQS sends a queue's metrics "for queues that are active": one that holds messages, or that
# any action accessed in the last six hours (SQS developer guide, "Available CloudWatch
# metrics for Amazon SQS").
SQS_ACTIVE_MS = 6 * 3_600_000
_MINUTE_MS = 60_000
# The record kinds of a queue: each is an action on it, two of them also SQS's counters.
_QUEUE_KINDS = (
    tk.MESSAGE_SENT,
    tk.MESSAGE_RECEIVED,
    tk.MESSAGE_RETURNED,
    tk.MESSAGE_DELETED,
    tk.MESSAGE_DEAD_LETTERED,
    tk.MESSAGE_EXPIRED,
    tk.MESSAGE_DEDUPLICATED,
    tk.MESSAGE_DELETE_STALE,
    tk.MESSAGE_VISIBILITY_CHANGED,
    tk.MESSAGE_VISIBILITY_REFUSED,
    tk.QUEUE_PURGED,
    tk.MESSAGE_REDRIVEN,
)
Raw = tuple[Any, ...]
Watch = tuple[str, str, Callable[[Raw], None]]


def field(raw: Raw, name: str) -> Any:
    """A field of an emitted record, packed or not (see stptui.sim.trace.Raw)."""
    if len(raw) == 4 and isinstance(raw[3], dict):
        return raw[3].get(name)
    names = raw[-1]
    return raw[3 + names.index(name)] if name in names else None


class Metric:
    """The datapoints of one alarm's metric (or metric math expression), period by period."""

    def __init__(self, alarm: AlarmSim) -> None:
        self.alarm = alarm
        self.bins: dict[int, Any] = {}

    def watches(self) -> list[Watch]:
        """(kind, resource, handler) for each record that feeds the metric."""
        return []

    def value(self, j: int) -> float | None:
        """Period j's datapoint (j complete)."""
        return self.quiet(j)

    def quiet(self, j: int) -> float | None:
        """Period j's datapoint if nothing happens in it: the services publish nothing."""
        return None

    def change_at(self) -> int | None:
        """When quiet datapoints change (a queue's metrics stop), if they will."""
        return None

    def steady(self) -> bool:
        """Whether quiet datapoints can be predicted (not while messages wait out a delay)."""
        return True

    def sample(self, j: int) -> None:
        """Take what is sampled at the end of period j (a queue's gauges)."""

    def metrics(self) -> list[dict[str, Any]]:
        """The alarm's `Metrics` as the state change event's `configuration` lists them."""
        return []

    def _bin(self, t: int, make: Callable[[], Any]) -> Any:
        """The bin of the period stamp `t` falls in, for data arriving now (`t` may be in an
        earlier period); a bin kept nowhere when no evaluation will read that period."""
        j = t // self.alarm.period_ms
        if not self.alarm.activity(j):
            return make()
        cause = self.alarm.service.cause
        if cause is not None:
            # What fed period j, for `explain`: the alarm's state change names it.
            self.alarm.causes.setdefault(j, {})[cause] = None
        got = self.bins.get(j)
        if got is None:
            got = self.bins[j] = make()
        return got


def invoked_at(raw: Raw) -> int:
    """When an ended invocation (`invocation.succeeded` or `.failed`) was invoked: the instant
    Lambda stamps its Invocations, Errors and Duration with ("the timestamp on an error metric
    reflects when the function was invoked, not when the error occurred"). Its duration is
    the time from its start to this record."""
    duration = field(raw, "duration_ms")
    return raw[0] - int(duration) if isinstance(duration, (int, float)) else raw[0]


def _stat(
    mid: str,
    namespace: str,
    name: str,
    dims: dict[str, str],
    period: int,
    stat: str,
    *,
    returns: bool,
    label: str | None = None,
) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": mid,
        "metricStat": {
            "metric": {"dimensions": dims, "name": name, "namespace": namespace},
            "period": period,
            "stat": stat,
        },
        "returnData": returns,
    }
    if label is not None:
        item["label"] = label
    return item


def _expression(mid: str, expression: str, label: str) -> dict[str, Any]:
    return {"expression": expression, "id": mid, "label": label, "returnData": True}


class Rate(Metric):
    """A percentage of counts per period, `[all, errors]`: no datapoint for a period with
    none (metric math on missing inputs gives none)."""

    def value(self, j: int) -> float | None:
        counts = self.bins.get(j)
        if not counts or not counts[0]:
            return None
        return counts[1] / counts[0] * 100


class LambdaErrorRate(Rate):
    """`( error_count / invocations ) * 100` of Lambda's Errors and Invocations (Sum), which
    Lambda publishes only for periods with invocations: no invocation, no datapoint."""

    def watches(self) -> list[Watch]:
        fn = self.alarm.spec.resource
        return [(tk.INVOCATION_SUCCEEDED, fn, self._ok), (tk.INVOCATION_FAILED, fn, self._err)]

    def _ok(self, raw: Raw) -> None:
        self._bin(invoked_at(raw), lambda: [0, 0])[0] += 1

    def _err(self, raw: Raw) -> None:
        counts = self._bin(invoked_at(raw), lambda: [0, 0])
        counts[0] += 1
        counts[1] += 1

    def metrics(self) -> list[dict[str, Any]]:
        dims = self.alarm.function_dimensions()
        p = self.alarm.spec.period_s
        return [
            _stat("error_count", "AWS/Lambda", "Errors", dims, p, "Sum", returns=False),
            _stat("invocations", "AWS/Lambda", "Invocations", dims, p, "Sum", returns=False),
            _expression(
                "lambda_error_rate",
                "( error_count / invocations ) * 100",
                "Lambda error rate percentage",
            ),
        ]


class Samples(Metric):
    """A statistic of samples (Lambda's Duration, API Gateway's Latency) per period."""

    kinds: tuple[str, ...] = ()
    sample_field = ""
    namespace = ""
    metric_name = ""

    def watches(self) -> list[Watch]:
        return [(k, self.alarm.spec.measured, self._add) for k in self.kinds]

    def _add(self, raw: Raw) -> None:
        got = field(raw, self.sample_field)
        if isinstance(got, (int, float)):
            self._bin(self.stamp(raw), list).append(got)

    def stamp(self, raw: Raw) -> int:
        """The instant a sample is stamped with: its record's (a request's answer)."""
        return raw[0]

    def value(self, j: int) -> float | None:
        return statistic_of(self.bins.get(j, ()), self.alarm.spec.statistic or "Average")

    def metrics(self) -> list[dict[str, Any]]:
        spec = self.alarm.spec
        stat = spec.statistic or "Average"
        label = f"{stat} {' '.join(spec.trigger.split('-'))} over last {spec.period_s} seconds"
        dims = self.alarm.dimensions()
        mid = self.metric_name.lower()
        return [
            _stat(
                mid,
                self.namespace,
                self.metric_name,
                dims,
                spec.period_s,
                stat,
                returns=True,
                label=label,
            )
        ]


class LambdaDuration(Samples):
    """Lambda's Duration of each invocation, by the alarm's statistic."""

    kinds = (tk.INVOCATION_SUCCEEDED, tk.INVOCATION_FAILED)
    sample_field = "duration_ms"
    namespace = "AWS/Lambda"
    metric_name = "Duration"

    def stamp(self, raw: Raw) -> int:
        return invoked_at(raw)


class HttpLatency(Samples):
    """API Gateway's Latency of each request, by the alarm's statistic."""

    kinds = (tk.HTTP_RESPONSE,)
    sample_field = "latency_ms"
    namespace = "AWS/ApiGateway"
    metric_name = "Latency"


class HttpErrorRate(Rate):
    """`( ( error_4xx_count + error_5xx_count ) / all_count ) * 100` of API Gateway's 4xx,
    5xx and Count (Sum), published for periods with requests."""

    def watches(self) -> list[Watch]:
        return [(tk.HTTP_RESPONSE, self.alarm.spec.measured, self._add)]

    def _add(self, raw: Raw) -> None:
        status = field(raw, "status")
        counts = self._bin(raw[0], lambda: [0, 0])
        counts[0] += 1
        if isinstance(status, int) and 400 <= status <= 599:
            counts[1] += 1

    def metrics(self) -> list[dict[str, Any]]:
        dims = self.alarm.dimensions()
        p = self.alarm.spec.period_s
        return [
            _stat("error_4xx_count", "AWS/ApiGateway", "4xx", dims, p, "Sum", returns=False),
            _stat("error_5xx_count", "AWS/ApiGateway", "5xx", dims, p, "Sum", returns=False),
            _stat("all_count", "AWS/ApiGateway", "Count", dims, p, "Sum", returns=False),
            _expression(
                "http_api_gateway_error_rate",
                "( ( error_4xx_count + error_5xx_count ) / all_count ) * 100",
                "Http api gateway error(4xx/5xx) rate percentage",
            ),
        ]


class QueueMetric(Metric):
    """SQS metrics of one queue: published while the queue is active (it holds messages, was
    acted on in the last six hours, or a Lambda event source mapping polls it)."""

    def __init__(self, alarm: AlarmSim) -> None:
        super().__init__(alarm)
        sim = alarm.sim
        self.queue = sim.queues[alarm.spec.resource]
        # An `sqs` event of a function or batch job is an event source mapping, polling.
        self.polled = any(
            isinstance(t, SqsTrigger) and t.queue is not None and t.queue.target == self.queue.name
            for w in sim.stack.workloads
            for t in w.events
        )
        # Creating the queue is its first action: the simulation's start.
        self.last_action = sim.clock.now
        self.gauge = 0  # ApproximateNumberOfMessagesVisible + NotVisible at the last sample
        self.depth = 0

    def watches(self) -> list[Watch]:
        name = self.queue.name
        out: list[Watch] = [(k, name, self._act) for k in _QUEUE_KINDS]
        # A message moved to this dead-letter queue is an action on it, but not one that
        # NumberOfMessagesSent counts ("messages moved to a DLQ are not counted").
        out += [(tk.MESSAGE_DEAD_LETTERED, src.name, self._moved) for src in self.queue.sources]
        return out

    def _counts(self) -> list[int]:
        return [0, 0, 0]  # received, sent, gauge sampled at the period's end

    def _act(self, raw: Raw) -> None:
        self.last_action = raw[0]
        counts = self._bin(raw[0], self._counts)
        if raw[1] == tk.MESSAGE_SENT:
            counts[1] += 1
        elif raw[1] == tk.MESSAGE_RECEIVED:
            counts[0] += 1
            self._received(raw[0])

    def _received(self, t: int) -> None:
        """A receive at `t` (the minute counts of the received-messages alarm)."""

    def _moved(self, raw: Raw) -> None:
        if field(raw, "target") == self.queue.name:
            self.last_action = raw[0]
            self._bin(raw[0], self._counts)

    def active(self, j: int) -> bool:
        """Whether SQS publishes the queue's metrics for period j."""
        end = (j + 1) * self.alarm.period_ms
        return self.polled or self.depth > 0 or end - self.last_action <= SQS_ACTIVE_MS

    def change_at(self) -> int | None:
        if self.polled or self.depth > 0:
            return None
        return self.last_action + SQS_ACTIVE_MS

    def steady(self) -> bool:
        return self.queue.delayed_count == 0

    def sample(self, j: int) -> None:
        q = self.queue
        self.gauge = q.visible_count + q.in_flight_count
        self.depth = q.depth
        counts = self.bins.get(j)
        if counts is not None:
            counts[2] = self.gauge

    def dimensions(self) -> dict[str, str]:
        """The queue's dimension: its AWS name."""
        return {"QueueName": self.queue.arn.rsplit(":", 1)[-1]}


class SqsNotEmpty(QueueMetric):
    """`received + visible + not_visible + sent` (each Sum; the gauges sampled once, at the
    period's end)."""

    def value(self, j: int) -> float | None:
        counts = self.bins.get(j)
        if counts is None:
            return self.quiet(j)
        if not self.active(j):
            return None
        return float(counts[0] + counts[1] + counts[2])

    def quiet(self, j: int) -> float | None:
        return float(self.gauge) if self.active(j) else None

    def metrics(self) -> list[dict[str, Any]]:
        dims = self.dimensions()
        p = self.alarm.spec.period_s
        out = [
            _stat(mid, "AWS/SQS", name, dims, p, "Sum", returns=False)
            for mid, name in (
                ("received", "NumberOfMessagesReceived"),
                ("visible", "ApproximateNumberOfMessagesVisible"),
                ("not_visible", "ApproximateNumberOfMessagesNotVisible"),
                ("sent", "NumberOfMessagesSent"),
            )
        ]
        out.append(
            _expression(
                "sqs_queue_not_empty",
                "received + visible + not_visible + sent",
                "Messages in the queue (received + visible + not_visible + sent)",
            )
        )
        return out


class SqsReceived(QueueMetric):
    """NumberOfMessagesReceived by the alarm's statistic over the period's one-minute
    datapoints (a minute without a receive is 0 while the queue is active)."""

    def __init__(self, alarm: AlarmSim) -> None:
        super().__init__(alarm)
        self.minutes: dict[int, int] = {}

    def _received(self, t: int) -> None:
        minute = t // _MINUTE_MS
        self.minutes[minute] = self.minutes.get(minute, 0) + 1

    def value(self, j: int) -> float | None:
        if not self.active(j):
            return None
        per = self.alarm.period_ms // _MINUTE_MS or 1
        first = j * self.alarm.period_ms // _MINUTE_MS
        values = [self.minutes.get(first + i, 0) for i in range(per)]
        return statistic_of(values, self.alarm.spec.statistic or "Average")

    def quiet(self, j: int) -> float | None:
        return 0.0 if self.active(j) else None

    def prune(self, before: int) -> None:
        """Forget minutes before period `before`."""
        edge = before * self.alarm.period_ms // _MINUTE_MS
        for minute in [m for m in self.minutes if m < edge]:
            del self.minutes[minute]

    def metrics(self) -> list[dict[str, Any]]:
        spec = self.alarm.spec
        stat = spec.statistic or "Average"
        label = f"{stat} {' '.join(spec.trigger.split('-'))} over last {spec.period_s} seconds"
        return [
            _stat(
                "number_of_messages_received",
                "AWS/SQS",
                "NumberOfMessagesReceived",
                self.dimensions(),
                spec.period_s,
                stat,
                returns=True,
                label=label,
            )
        ]


class AlbTraffic(Metric):
    """What a load balancer's requests publish, from its `http.request` and `http.response`
    records: each response counts in the metrics it adds to (`counted`), each as a sample
    (1 for a count, seconds for TargetResponseTime), in the period it is answered in.

    A response without a `reason` is the target's (a function's result, a batch job's
    start, a container's answer); one with a `reason` is ELB's own (its error pages, the
    default actions, its refusal of a head over its limits). A default action (no rule took
    the request) or such a refusal chose no target, so it is not in RequestCount ("only
    incremented for requests where the load balancer node was able to choose a target")."""

    def __init__(self, alarm: AlarmSim) -> None:
        super().__init__(alarm)
        # Requests seen but not yet answered that are a default action's: their response
        # comes at the same instant, so this holds at most a few ids.
        self.defaults: set[str] = set()

    def watches(self) -> list[Watch]:
        name = self.alarm.spec.measured
        return [(tk.HTTP_REQUEST, name, self._request), (tk.HTTP_RESPONSE, name, self._response)]

    def _request(self, raw: Raw) -> None:
        request_id = field(raw, "request_id")
        if field(raw, "route") is None:
            self.defaults.add(request_id)

    def _response(self, raw: Raw) -> None:
        request_id = field(raw, "request_id")
        status = field(raw, "status")
        status = status if isinstance(status, int) else 0
        names: list[tuple[str, float]] = []
        if request_id in self.defaults:
            self.defaults.discard(request_id)
            # A head ELB refused before any rule is unrouted too, but no default action's.
            if status not in HEAD_REFUSALS:
                names.append(
                    ("HTTP_Redirect_Count" if status < 400 else "HTTP_Fixed_Response_Count", 1)
                )
            names += _elb_codes(status)
        elif field(raw, "reason") is not None:
            names += [("RequestCount", 1), *_elb_codes(status)]
        else:
            latency = field(raw, "latency_ms")
            names += [("RequestCount", 1), (f"HTTPCode_Target_{status // 100}XX_Count", 1)]
            if isinstance(latency, (int, float)):
                names.append(("TargetResponseTime", latency / 1000))
        self.counted(raw[0], names)

    def counted(self, t: int, samples: list[tuple[str, float]]) -> None:
        """One response's samples, by metric name."""

    def dimensions(self) -> dict[str, str]:
        """The load balancer's dimension: its LoadBalancerFullName."""
        return {"LoadBalancer": alb_full_name(self.alarm.sim, self.alarm.spec.resource)}


def _elb_codes(status: int) -> list[tuple[str, float]]:
    """The HTTPCode_ELB_* counts an answer of ELB's own adds to."""
    if not 300 <= status <= 599:
        return []
    out: list[tuple[str, float]] = [(f"HTTPCode_ELB_{status // 100}XX_Count", 1)]
    if status in (500, 502, 503, 504):
        out.append((f"HTTPCode_ELB_{status}_Count", 1))
    return out


def alb_full_name(sim: Simulator, name: str) -> str:
    """A load balancer's LoadBalancerFullName (`app/NAME/ID`), its metrics' dimension."""
    lb_name = f"{sim.stack.stack_name}-{name}"[:32].rstrip("-")
    digest = hashlib.sha256(f"{sim.stack.stack_name}/{name}".encode()).hexdigest()[:16]
    return f"app/{lb_name}/{digest}"


class AlbErrorRate(AlbTraffic):
    """`( ( error_4xx_count + error_5xx_count ) / all_count ) * 100` of the load balancer's
    HTTPCode_Target_4XX_Count, HTTPCode_Target_5XX_Count and RequestCount (Sum). ELB reports
    a count only for a period where it is not zero, and metric math has no result where an
    operand has no datapoint: a period has a datapoint only when targets answered both a 4xx
    and a 5xx in it. ELB's own errors (a failed function's 502) are not targets' codes."""

    def counted(self, t: int, samples: list[tuple[str, float]]) -> None:
        counts = self._bin(t, lambda: [0, 0, 0])
        for name, _ in samples:
            if name == "RequestCount":
                counts[0] += 1
            elif name == "HTTPCode_Target_4XX_Count":
                counts[1] += 1
            elif name == "HTTPCode_Target_5XX_Count":
                counts[2] += 1

    def value(self, j: int) -> float | None:
        counts = self.bins.get(j)
        if not counts or not all(counts):
            return None
        return (counts[1] + counts[2]) / counts[0] * 100

    def metrics(self) -> list[dict[str, Any]]:
        dims = self.dimensions()
        p = self.alarm.spec.period_s
        ns = "AWS/ApplicationELB"
        return [
            _stat(
                "error_4xx_count", ns, "HTTPCode_Target_4XX_Count", dims, p, "Sum", returns=False
            ),
            _stat(
                "error_5xx_count", ns, "HTTPCode_Target_5XX_Count", dims, p, "Sum", returns=False
            ),
            _stat("all_count", ns, "RequestCount", dims, p, "Sum", returns=False),
            _expression(
                "application_load_balancer_error_rate",
                "( ( error_4xx_count + error_5xx_count ) / all_count ) * 100",
                "Application load balancer error(4xx/5xx) rate percentage",
            ),
        ]


class AlbCustom(AlbTraffic):
    """The custom alarm's metric by its statistic over the period's samples; a period without
    one has no datapoint (ELB reports these metrics only when they are not zero)."""

    def counted(self, t: int, samples: list[tuple[str, float]]) -> None:
        wanted = self.alarm.spec.metric
        values = [v for name, v in samples if name == wanted]
        if values:
            self._bin(t, list).extend(values)

    def value(self, j: int) -> float | None:
        return statistic_of(self.bins.get(j, ()), self.alarm.spec.statistic or "Average")

    def metrics(self) -> list[dict[str, Any]]:
        spec = self.alarm.spec
        stat = spec.statistic or "Average"
        name = spec.metric or ""
        return [
            _stat(
                spec.trigger.replace("-", "_"),
                "AWS/ApplicationELB",
                name,
                self.dimensions(),
                spec.period_s,
                stat,
                returns=True,
            )
        ]


class AlbUnhealthyTargets(Metric):
    """`MAX([IF((unhealthy_i + healthy_i) > 0, (unhealthy_i / (unhealthy_i + healthy_i)) * 100,
    0), ...])` over the target groups of the container workloads behind the load balancer.
    Containers are not simulated, so no health check fails: every period's datapoint is 0
    (ELB reports host counts each minute while health checks are on)."""

    def quiet(self, j: int) -> float | None:
        return 0.0

    def targets(self) -> list[str]:
        """The container workloads whose target groups the alarm watches."""
        spec = self.alarm.spec
        stack = self.alarm.sim.stack
        only = (
            stack.resources[spec.resource]
            .properties["alarms"][spec.index]["trigger"]
            .get("properties", {})
            .get("onlyIncludeTargets")
        )
        found = alb_container_targets(stack, spec.resource)
        return [t for t in found if not isinstance(only, list) or t in only]

    def metrics(self) -> list[dict[str, Any]]:
        sim = self.alarm.sim
        spec = self.alarm.spec
        lb_dim = alb_full_name(sim, spec.resource)
        p = spec.period_s
        out: list[dict[str, Any]] = []
        parts = []
        for i, workload in enumerate(self.targets()):
            group = target_group_name(sim.stack.stack_name, spec.resource, workload)
            digest = hashlib.sha256(group.encode()).hexdigest()[:16]
            dims = {"LoadBalancer": lb_dim, "TargetGroup": f"targetgroup/{group}/{digest}"}
            ns = "AWS/ApplicationELB"
            out += [
                _stat(
                    f"unhealthy_{i}", ns, "UnHealthyHostCount", dims, p, "Average", returns=False
                ),
                _stat(f"healthy_{i}", ns, "HealthyHostCount", dims, p, "Average", returns=False),
            ]
            u, h = f"unhealthy_{i}", f"healthy_{i}"
            parts.append(f"IF(({u} + {h}) > 0, ({u} / ({u} + {h})) * 100, 0)")
        out.append(
            _expression(
                "application_load_balancer_unhealthy_targets",
                f"MAX([{', '.join(parts)}])",
                "Application load balancer unhealthy targets percentage (max across target groups)",
            )
        )
        return out


# The metric each trigger type watches, by the trigger's type.
METRICS: dict[str, type[Metric]] = {
    "lambda-error-rate": LambdaErrorRate,
    "lambda-duration": LambdaDuration,
    "http-api-gateway-error-rate": HttpErrorRate,
    "http-api-gateway-latency": HttpLatency,
    "sqs-queue-not-empty": SqsNotEmpty,
    "sqs-queue-received-messages-count": SqsReceived,
    "application-load-balancer-error-rate": AlbErrorRate,
    "application-load-balancer-custom": AlbCustom,
    "application-load-balancer-unhealthy-targets": AlbUnhealthyTargets,
}
