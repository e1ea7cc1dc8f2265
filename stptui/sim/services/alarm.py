"""CloudWatch alarms of the stack's functions, queues, HTTP APIs and application load balancers
(Stacktape `alarms`), and the `cloudwatch-alarm` events that invoke a function when one goes
to ALARM.

Metrics come from what the services already record: each alarm watches the trace records of
its resource as they are emitted (Lambda's invocations and their ends, SQS's sends, receives
and every other action on the queue, API Gateway's and a load balancer's requests and
responses) and adds them to the datapoint
of the period they fall in. An alarm is evaluated at the end of a period (periods start at
multiples of the period since the epoch), by stptui.sim.alarms, but only when needed: at the
end of a period that had data, and at the end of a period where its state would change with
no more data (missing data filling its evaluation range, a queue's metrics stopping six hours
after its last action). An idle alarm schedules nothing.

A state change is a trace record, a "CloudWatch Alarm State Change" event on the default bus
(where the stack's `cloudwatch-alarm` events and its own rules on `aws.cloudwatch` match it),
and, for ALARM and OK, one `alarm.notified` record per notification target: what Stacktape's
notification rule hands its notification function (nothing is sent).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from stptui.config.alarms import AlarmSpec, alb_container_targets, resolve_alarms
from stptui.config.diagnostics import did_you_mean
from stptui.config.model import DEFAULT_BUS, EventBusTrigger, Function, SqsTrigger
from stptui.sim import trace as tk
from stptui.sim.alarms import (
    ALARM,
    INITIAL_REASON,
    INSUFFICIENT_DATA,
    OK,
    STATES,
    Point,
    Rule,
    Verdict,
    cw_timestamp,
    evaluate,
    number_text,
    reason,
    reason_data,
    statistic_of,
)
from stptui.sim.clock import iso_ms
from stptui.sim.services.load_balancer import target_group_name

if TYPE_CHECKING:
    from stptui.sim.engine import Simulator

# SQS sends a queue's metrics "for queues that are active": one that holds messages, or that
# any action accessed in the last six hours (SQS developer guide, "Available CloudWatch
# metrics for Amazon SQS").
SQS_ACTIVE_MS = 6 * 3_600_000
_MINUTE_MS = 60_000
SOURCE = "aws.cloudwatch"
DETAIL_TYPE = "CloudWatch Alarm State Change"
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
        j = t // self.alarm.period_ms
        got = self.bins.get(j)
        if got is None:
            got = self.bins[j] = make()
        self.alarm.activity(j)
        return got


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
        self._bin(raw[0], lambda: [0, 0])[0] += 1

    def _err(self, raw: Raw) -> None:
        counts = self._bin(raw[0], lambda: [0, 0])
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
        return [(k, self.alarm.spec.resource, self._add) for k in self.kinds]

    def _add(self, raw: Raw) -> None:
        got = field(raw, self.sample_field)
        if isinstance(got, (int, float)):
            self._bin(raw[0], list).append(got)

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
        return [(tk.HTTP_RESPONSE, self.alarm.spec.resource, self._add)]

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
    start); one with a `reason` is ELB's own (its error pages, the default actions). The
    501 that stands in for a container is no status the container gave: it counts as a
    request only. A default action (no rule took the request) chose no target, so it is not
    in RequestCount ("only incremented for requests where the load balancer node was able to
    choose a target")."""

    def __init__(self, alarm: AlarmSim) -> None:
        super().__init__(alarm)
        lb = alarm.sim.services["load_balancers"].balancers[alarm.spec.resource]
        rules = [r for listener in lb.listeners.values() for r in listener.rules]
        self.containers = {r.target for r in rules if r.to_container}
        # Requests seen but not yet answered that are a container's or a default action's:
        # their response comes at the same instant, so these hold at most a few ids.
        self.stand_ins: set[str] = set()
        self.defaults: set[str] = set()

    def watches(self) -> list[Watch]:
        name = self.alarm.spec.resource
        return [(tk.HTTP_REQUEST, name, self._request), (tk.HTTP_RESPONSE, name, self._response)]

    def _request(self, raw: Raw) -> None:
        request_id = field(raw, "request_id")
        if field(raw, "route") is None:
            self.defaults.add(request_id)
        elif field(raw, "target") in self.containers:
            self.stand_ins.add(request_id)

    def _response(self, raw: Raw) -> None:
        request_id = field(raw, "request_id")
        status = field(raw, "status")
        status = status if isinstance(status, int) else 0
        names: list[tuple[str, float]] = []
        if request_id in self.defaults:
            self.defaults.discard(request_id)
            names.append(
                ("HTTP_Redirect_Count" if status < 400 else "HTTP_Fixed_Response_Count", 1)
            )
            names += _elb_codes(status)
        elif request_id in self.stand_ins:
            self.stand_ins.discard(request_id)
            names.append(("RequestCount", 1))
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


_METRICS: dict[str, type[Metric]] = {
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


class AlarmSim:
    """One simulated alarm: its state, its metric and its next evaluation."""

    def __init__(self, service: AlarmService, spec: AlarmSpec) -> None:
        self.service = service
        self.sim = service.sim
        self.spec = spec
        sim = self.sim
        self.arn = f"arn:aws:cloudwatch:{sim.region}:{sim.account_id}:alarm:{spec.aws_name}"
        self.period_ms = spec.period_s * 1000
        self.rule = Rule(
            spec.threshold,
            spec.comparison,
            spec.evaluation_periods,
            spec.datapoints_to_alarm,
            spec.treat_missing,
        )
        self.state = INSUFFICIENT_DATA
        self.reason = INITIAL_REASON
        self.reason_data: str | None = None
        self.changed_ms = self.sim.clock.now
        self.first_period = self.sim.clock.now // self.period_ms
        self.evaluated: int | None = None  # the last period evaluated
        self.last_verdict: Verdict | None = None
        self.entry: list[Any] | None = None
        self.entry_end = 0
        # The datapoints of the periods of recent evaluation ranges, fixed when evaluated: a
        # queue's gauges are sampled then, and later samples must not rewrite the past.
        self.memo: dict[int, float | None] = {}
        self.metric = _METRICS[spec.trigger](self)
        self._label = ("alarm", spec.resource, spec.aws_name)

    # -- metric data -------------------------------------------------------------------

    def activity(self, j: int) -> None:
        """Period j has data: evaluate at its end (if nothing sooner is due)."""
        self.schedule(j)

    def point(self, j: int) -> Point:
        """Period j's datapoint; missing before the simulation started."""
        start = j * self.period_ms
        if j < self.first_period:
            return Point(start, None)
        if j in self.memo:
            return Point(start, self.memo[j])
        return Point(start, self.metric.value(j))

    def window(self, j: int) -> list[Point]:
        """The evaluation range ending with period j, oldest first."""
        size = self.rule.range_size
        return [self.point(i) for i in range(j - size + 1, j + 1)]

    def function_dimensions(self) -> dict[str, str]:
        """Lambda's dimensions as Stacktape writes them: FunctionName and Resource."""
        name = self.sim.functions[self.spec.resource].arn.rsplit(":", 1)[-1]
        return {"FunctionName": name, "Resource": name}

    def dimensions(self) -> dict[str, str]:
        """The metric's dimensions (a function's, an HTTP API's ApiId, a queue's name)."""
        if self.spec.resource_type == "function":
            return self.function_dimensions()
        if isinstance(self.metric, (QueueMetric, AlbTraffic)):
            return self.metric.dimensions()
        domain = self.sim.resource_param(self.spec.resource, "domain")
        return {"ApiId": domain.split(".", 1)[0]}

    # -- scheduling --------------------------------------------------------------------

    def schedule(self, j: int) -> None:
        """Evaluate at the end of period j, unless an evaluation is due sooner."""
        end = (j + 1) * self.period_ms
        if self.entry is not None and self.entry_end <= end:
            return
        clock = self.sim.clock
        if self.entry is not None:
            clock.cancel(self.entry)
        self.entry = clock.at(end, self._evaluate, j, self._label, background=True)
        self.entry_end = end

    def plan(self, k: int) -> None:
        """After period k: the next evaluation, at the end of the first period whose data
        or quiet (dataless) datapoints would change the state; none when none would."""
        bins = self.metric.bins
        if bins.get(k + 1) is not None or bins.get(k) is not None or not self.metric.steady():
            # Data in period k likely means data in k + 1 (a busy function): evaluating at its
            # end costs one evaluation, where searching the quiet periods first costs several
            # each period. If k + 1 stays quiet, that evaluation plans as below.
            self.schedule(k + 1)
            return
        size = self.rule.range_size
        candidates = list(range(k + 1, k + size + 1))
        change = self.metric.change_at()
        if change is not None:
            first = max(change // self.period_ms, k + 1)
            candidates += [j for j in range(first, first + size + 1) if j > k + size]
        state = self.state
        for j in candidates:
            verdict = evaluate(self.window(j), self.rule, state)
            if verdict.state != state:
                self.schedule(j)
                return

    def _evaluate(self, k: int) -> None:
        self.entry = None
        metric = self.metric
        size = self.rule.range_size
        # Periods since the last evaluation had no data: their datapoints are the quiet ones
        # as things stood, before this period's sample.
        for j in range(max(k - size + 1, self.first_period), k):
            if j not in self.memo:
                self.memo[j] = metric.value(j)
        metric.sample(k)
        self.memo[k] = metric.value(k)
        verdict = evaluate(self.window(k), self.rule, self.state)
        self.evaluated = k
        self.last_verdict = verdict
        if verdict.state != self.state:
            self.change(
                verdict.state,
                reason(verdict, self.rule, self.state),
                reason_data(
                    verdict, self.rule, self.sim.clock.now, self.spec.period_s, self.spec.statistic
                ),
                "evaluation",
                self.why(k, verdict),
            )
        # Data older than the evaluation range is never read again.
        edge = k - size + 1
        for j in [j for j in metric.bins if j < edge]:
            del metric.bins[j]
        for j in [j for j in self.memo if j < edge]:
            del self.memo[j]
        if isinstance(metric, SqsReceived):
            metric.prune(edge)
        self.plan(k)

    def why(self, k: int, verdict: Verdict) -> list[str]:
        """The datapoints of an evaluation, one line each, for `explain`."""
        spec = self.spec
        used = {p.start_ms for p in verdict.evaluated}
        filled = {p.start_ms for p in verdict.evaluated if p.value is None}
        cmp_word = {
            "GreaterThanThreshold": ">",
            "GreaterThanOrEqualToThreshold": ">=",
            "LessThanThreshold": "<",
            "LessThanOrEqualToThreshold": "<=",
        }[spec.comparison]
        lines = [
            f"{spec.datapoints_to_alarm} of {spec.evaluation_periods} datapoints "
            f"{cmp_word} {number_text(spec.threshold)} to alarm, period {spec.period_s} s, "
            f"missing data {spec.treat_missing}; the last {self.rule.range_size} periods:"
        ]
        for p in self.window(k):
            if p.value is None:
                text = "missing"
                verdict_word = (
                    f"filled as {spec.treat_missing}" if p.start_ms in filled else "not used"
                )
            else:
                text = number_text(p.value)
                breach = self.rule.breaches(p.value)
                verdict_word = "breaching" if breach else "not breaching"
                if p.start_ms not in used:
                    verdict_word += " (not used)"
            lines.append(f"  {iso_ms(p.start_ms)}  {text}  {verdict_word}")
        return lines

    # -- state changes -----------------------------------------------------------------

    def change(
        self, state: str, why_text: str, data: str | None, origin: str, why: list[str]
    ) -> str:
        """Go to `state`: the trace record, the state change event on the default bus, and
        Stacktape's notifications for ALARM and OK. Returns the event's id."""
        sim = self.sim
        now = sim.clock.now
        event_id = sim.new_id()
        previous = {"reason": self.reason}
        if self.reason_data is not None:
            previous["reasonData"] = self.reason_data
        previous["timestamp"] = cw_timestamp(self.changed_ms)
        previous["value"] = self.state
        current: dict[str, Any] = {"reason": why_text}
        if data is not None:
            current["reasonData"] = data
        current["timestamp"] = cw_timestamp(now)
        current["value"] = state
        record = {
            "alarm": self.spec.aws_name,
            "reference": self.spec.reference,
            "previous": self.state,
            "state": state,
            "reason": why_text,
            "origin": origin,
            "event_id": event_id,
            "why": why,
        }
        sim.trace.emit((now, tk.ALARM_STATE_CHANGED, self.spec.resource, record))
        self.state, self.reason, self.reason_data, self.changed_ms = state, why_text, data, now
        detail = {
            "alarmName": self.spec.aws_name,
            "configuration": {
                "description": self.spec.description,
                "metrics": self.metric.metrics(),
            },
            "previousState": previous,
            "state": current,
        }
        entry = {
            "Source": SOURCE,
            "DetailType": DETAIL_TYPE,
            "Detail": detail,
            "Resources": [self.arn],
        }
        sim.services["buses"].publish_event(
            DEFAULT_BUS, entry, origin=self.spec.aws_name, event_id=event_id
        )
        if state in (ALARM, OK):
            # Stacktape's notification rule matches ALARM and OK (alarms/index.ts) and hands
            # the event to its notification function, which posts to each target.
            for target in self.spec.targets:
                sim.trace.emit(
                    (
                        now,
                        tk.ALARM_NOTIFIED,
                        self.spec.resource,
                        {
                            "alarm": self.spec.aws_name,
                            "state": state,
                            "channel": target.channel,
                            "recipient": target.recipient,
                            "event_id": event_id,
                        },
                    )
                )
        return event_id

    def set_state(self, state: str, text: str) -> str | None:
        """SetAlarmState: the state holds until the next evaluation, which comes at the end
        of the current period. Returns the event id, None when the state is unchanged."""
        now = self.sim.clock.now
        self.schedule(now // self.period_ms)
        if state == self.state:
            return None
        return self.change(state, text, None, "set-alarm-state", [])

    def recent(self, count: int) -> list[Point]:
        """The datapoints of the last `count` complete periods, oldest first."""
        last = self.sim.clock.now // self.period_ms - 1
        return [self.point(j) for j in range(last - count + 1, last + 1)]


class AlarmService:
    """Every alarm of the stack, the trace tap that feeds their metrics, and the rules of the
    stack's `cloudwatch-alarm` events."""

    def __init__(self, sim: Simulator) -> None:
        self.sim = sim
        self.specs = resolve_alarms(sim.stack)
        self.alarms: dict[str, AlarmSim] = {}
        for spec in self.specs:
            if spec.simulated and self._resource_simulated(spec):
                self.alarms[spec.aws_name] = AlarmSim(self, spec)
        self.by_reference = {a.spec.reference: a for a in self.alarms.values()}
        self.unresolved: list[tuple[str, str]] = []  # (function, alarmName) naming no alarm
        self._watch: dict[str, dict[str, list[Callable[[Raw], None]]]] = {}
        for alarm in self.alarms.values():
            for kind, resource, handler in alarm.metric.watches():
                self._watch.setdefault(kind, {}).setdefault(resource, []).append(handler)
        if self._watch:
            self._tap()
        for alarm in self.alarms.values():
            alarm.plan(alarm.first_period - 1)
        self._event_rules()

    def _resource_simulated(self, spec: AlarmSpec) -> bool:
        sim = self.sim
        if spec.resource_type == "function":
            return spec.resource in sim.functions
        if spec.resource_type == "sqs-queue":
            return spec.resource in sim.queues
        if spec.resource_type == "application-load-balancer":
            return spec.resource in sim.services["load_balancers"].balancers
        return True

    def _tap(self) -> None:
        """Feed the alarms' metrics with each record as it is emitted: one dict lookup per
        record, on stacks with alarms only."""
        trace = self.sim.trace
        append = trace.emit
        watch = self._watch

        def emit(raw: Raw) -> None:
            append(raw)
            by_resource = watch.get(raw[1])
            if by_resource is not None:
                handlers = by_resource.get(raw[2])
                if handlers is not None:
                    for handler in handlers:
                        handler(raw)

        trace.emit = emit

    def _event_rules(self) -> None:
        """A rule on the default bus per `cloudwatch-alarm` event, as Stacktape compiles it
        (functions/events/cloudwatch-alarm): the state change of the named alarm to ALARM."""
        from stptui.sim.services.bus import BusRule, rule_arn, rule_name

        buses = self.sim.services["buses"]
        default = buses.buses[DEFAULT_BUS]
        for fn in self.sim.stack.of_type(Function):
            triggers = [t for t in fn.events if t.type == "cloudwatch-alarm"]
            for n, trig in enumerate(triggers, 1):
                ref = trig.properties.get("alarmName")
                alarm = self.by_reference.get(ref) if isinstance(ref, str) else None
                if alarm is None:
                    self.unresolved.append((fn.name, str(ref)))
                    continue
                pattern = {
                    "source": [SOURCE],
                    "detail-type": [DETAIL_TYPE],
                    "resources": [alarm.arn],
                    "detail": {"state": {"value": [ALARM]}},
                }
                bus_trigger = EventBusTrigger(
                    "event-bus",
                    fn.name,
                    trig.index,
                    trig.path,
                    use_default_bus=True,
                    pattern=pattern,
                )
                rule = BusRule(self.sim, default, fn.name, n, bus_trigger)
                rule.name = rule_name(self.sim, fn.name, "cloudwatch-alarm", n)
                rule.arn = rule_arn(self.sim, None, rule.name)
                default.rules.append(rule)

    def alarm(self, name: str) -> AlarmSim:
        """The alarm `name` names: its AWS name, Stacktape name or `resource.alarms.N`;
        SimError otherwise, listing them."""
        from stptui.sim.engine import SimError

        for alarm in self.alarms.values():
            if name in (alarm.spec.aws_name, alarm.spec.stp_name, alarm.spec.reference):
                return alarm
        listed = ", ".join(a.spec.reference for a in self.alarms.values())
        other = next((s for s in self.specs if name in (s.aws_name, s.stp_name, s.reference)), None)
        if other is not None:
            why = f": {other.not_simulated}" if other.not_simulated else ""
            raise SimError(
                f"alarm {name!r} of {other.resource_type} {other.resource!r} is not simulated{why}",
                f"simulated alarms: {listed}" if listed else "this stack has no simulated alarms",
            )
        guess = did_you_mean(name, [n for a in self.alarms.values() for n in _names(a.spec)])
        raise SimError(
            f"no alarm named {name!r}",
            f"did you mean {guess!r}?"
            if guess
            else f"alarms: {listed} (or their AWS names)"
            if listed
            else "this stack has no alarms",
        )

    def check_state(self, name: str, state: str, text: str) -> AlarmSim:
        """The alarm SetAlarmState would set to `state` with reason `text`, or the SimError
        it would answer (an unknown alarm or state, a reason too short or too long);
        changes nothing."""
        from stptui.sim.engine import SimError

        alarm = self.alarm(name)
        if state not in STATES:
            # StateValue is case-sensitive: `alarm` is refused, with the word it meant.
            guess = did_you_mean(state, STATES)
            raise SimError(
                f"{state!r} is not an alarm state",
                f"did you mean {guess!r}? StateValue is one of {', '.join(STATES)}"
                if guess
                else f"StateValue is one of {', '.join(STATES)}",
            )
        if not text or len(text) > 1023:
            raise SimError(
                "StateReason must be 1 to 1023 characters long",
                "give --reason a shorter text" if text else "give --reason TEXT",
            )
        return alarm

    def set_state(self, name: str, state: str, text: str) -> str | None:
        """SetAlarmState on the alarm `name` (SimError for an unknown alarm or state)."""
        return self.check_state(name, state, text).set_state(state, text)


def _names(spec: AlarmSpec) -> tuple[str, str, str]:
    """The names `set-alarm-state` takes for an alarm: its chain, AWS and Stacktape names."""
    return (spec.reference, spec.aws_name, spec.stp_name)


def wire(sim: Simulator) -> None:
    """Build the alarms, their metrics' tap and the `cloudwatch-alarm` rules."""
    sim.services["alarms"] = AlarmService(sim)
