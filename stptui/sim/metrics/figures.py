"""What `show metrics` reports: a figure (one statistic of one metric), a resource's figures,
and the metrics of each kind of resource under CloudWatch's own names."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from stptui.sim.alarms import statistic_of

COUNT = "Count"
MILLISECONDS = "Milliseconds"
BYTES = "Bytes"
# The statistics a time is summarised by, as CloudWatch names them.
DURATION_STATS = ("Average", "p50", "p95", "p99", "Maximum")
LATENCY_STATS = ("p50", "p95", "Maximum")
EXECUTION_STATS = ("Average", "p50", "p95", "Maximum")

Metric = tuple[str, str, str]  # (metric, statistic, unit)


def sums(*metrics: str) -> tuple[Metric, ...]:
    """Count metrics summed over the window, in the order given."""
    return tuple((m, "Sum", COUNT) for m in metrics)


# (metric, statistic, unit) of each kind of resource, in the order `show metrics` lists
# them. `NumberOfMessagesMovedToDLQ` and `SendToDeleteTime` are stptui's own: SQS publishes
# no metric for either.
QUEUE_METRICS: tuple[Metric, ...] = (
    *sums("NumberOfMessagesSent", "NumberOfMessagesReceived", "NumberOfMessagesDeleted"),
    *sums("NumberOfMessagesMovedToDLQ"),
    ("ApproximateNumberOfMessagesVisible", "Maximum", COUNT),
    ("ApproximateNumberOfMessagesNotVisible", "Maximum", COUNT),
    ("ApproximateNumberOfMessagesDelayed", "Maximum", COUNT),
    ("ApproximateAgeOfOldestMessage", "Maximum", MILLISECONDS),
    *(("SendToDeleteTime", s, MILLISECONDS) for s in LATENCY_STATS),
)
# Lambda's asynchronous invocation metrics, with the two of its invocation metrics that
# only a delivery or a stop raises: a function lists them when one has a datapoint in the
# window (stptui.sim.metrics.functions says when).
ASYNC_METRICS: tuple[Metric, ...] = (
    ("AsyncEventsReceived", "Sum", COUNT),
    *(("AsyncEventAge", s, MILLISECONDS) for s in EXECUTION_STATS),
    *sums("AsyncEventsDropped", "DestinationDeliveryFailures", "RecursiveInvocationsDropped"),
)
FUNCTION_METRICS: tuple[Metric, ...] = (
    *sums("Invocations", "Errors", "Throttles"),
    *(("Duration", s, MILLISECONDS) for s in DURATION_STATS),
    ("ConcurrentExecutions", "Maximum", COUNT),
    ("IteratorAge", "Maximum", MILLISECONDS),
    # A Kafka consumer's (stptui.sim.metrics.functions.offset_lags), in records.
    ("OffsetLag", "Maximum", COUNT),
    *ASYNC_METRICS,
)
HTTP_METRICS: tuple[Metric, ...] = (
    *sums("Count", "4xx", "5xx"),
    *(("Latency", s, MILLISECONDS) for s in LATENCY_STATS),
)
# AWS/ApplicationELB of a load balancer: its requests, its targets' and its own answers by
# status class, the default actions' answers, its targets' response times.
LB_METRICS: tuple[Metric, ...] = (
    *sums(
        "RequestCount",
        "HTTPCode_Target_2XX_Count",
        "HTTPCode_Target_3XX_Count",
        "HTTPCode_Target_4XX_Count",
        "HTTPCode_Target_5XX_Count",
        "HTTPCode_ELB_3XX_Count",
        "HTTPCode_ELB_4XX_Count",
        "HTTPCode_ELB_5XX_Count",
        "HTTP_Fixed_Response_Count",
        "HTTP_Redirect_Count",
    ),
    *(("TargetResponseTime", s, MILLISECONDS) for s in EXECUTION_STATS),
)
# AWS/Lambda's metrics of a function URL (dimension FunctionName), after the function's.
URL_METRICS: tuple[Metric, ...] = (
    *sums("UrlRequestCount", "Url4xxCount", "Url5xxCount"),
    *(("UrlRequestLatency", s, MILLISECONDS) for s in LATENCY_STATS),
)
# AWS/Events. A bus: the events put on it (PutEvents entries, replays aside) and those that
# matched a rule; a rule (dimension RuleName): its matches and its target's invocations.
BUS_METRICS: tuple[Metric, ...] = sums("PutEventsApproximateCallCount", "MatchedEvents")
RULE_METRICS: tuple[Metric, ...] = sums(
    "MatchedEvents",
    "TriggeredRules",
    "Invocations",
    "FailedInvocations",
    "InvocationsSentToDlq",
    "InvocationsFailedToBeSentToDlq",
)
# A schedule's rule matches no event: it is triggered by the clock. Stacktape gives a
# schedule trigger no dead-letter queue.
SCHEDULE_METRICS: tuple[Metric, ...] = sums("TriggeredRules", "Invocations", "FailedInvocations")
# AWS/SNS of a topic (dimension TopicName).
TOPIC_METRICS: tuple[Metric, ...] = sums(
    "NumberOfMessagesPublished",
    "NumberOfNotificationsDelivered",
    "NumberOfNotificationsFailed",
    "NumberOfNotificationsFilteredOut",
    "NumberOfNotificationsFilteredOut-MessageAttributes",
    "NumberOfNotificationsFilteredOut-NoMessageAttributes",
    "NumberOfNotificationsFilteredOut-InvalidAttributes",
    "NumberOfNotificationsRedrivenToDlq",
    "NumberOfNotificationsFailedToRedriveToDlq",
)

# AWS/States of a state machine (dimension StateMachineArn): its executions by how they
# ended, and ExecutionTime from the start to the close.
STATE_MACHINE_METRICS: tuple[Metric, ...] = (
    *sums(
        "ExecutionsStarted",
        "ExecutionsSucceeded",
        "ExecutionsFailed",
        "ExecutionsTimedOut",
        "ExecutionsAborted",
        "ExecutionsRedriven",
    ),
    *(("ExecutionTime", s, MILLISECONDS) for s in EXECUTION_STATS),
)
# A batch job runs under its own state machine: that machine's executions (each a job
# submitted) by AWS/States' names, then stptui's own count and times of the job's attempts
# (each one AWS Batch job), which AWS Batch publishes no metric for.
BATCH_JOB_METRICS: tuple[Metric, ...] = (
    *sums("ExecutionsStarted", "ExecutionsSucceeded", "ExecutionsFailed"),
    *sums("JobAttempts", "JobAttemptsFailed"),
    *(("JobAttemptDuration", s, MILLISECONDS) for s in LATENCY_STATS),
    *(("ExecutionTime", s, MILLISECONDS) for s in EXECUTION_STATS),
)

# What goes in: AWS/Kinesis of a stream; stptui's own count of the stream records a DynamoDB
# table writes (DynamoDB publishes none); the totals of AWS/Kafka's MessagesInPerSec and
# BytesInPerSec of a Kafka topic; S3's request metrics of a bucket, and what it stores.
STREAM_METRICS: tuple[Metric, ...] = (
    ("IncomingRecords", "Sum", COUNT),
    ("IncomingBytes", "Sum", BYTES),
)
TABLE_METRICS: tuple[Metric, ...] = sums("StreamRecordsWritten")
KAFKA_METRICS: tuple[Metric, ...] = (("MessagesIn", "Sum", COUNT), ("BytesIn", "Sum", BYTES))
BUCKET_METRICS: tuple[Metric, ...] = (
    *sums("PutRequests", "PostRequests", "DeleteRequests"),
    ("BytesUploaded", "Sum", BYTES),
    # S3's daily storage metrics, one datapoint a midnight: NumberOfObjects (StorageType
    # AllStorageTypes) and BucketSizeBytes (StorageType StandardStorage), by Average, the
    # statistic S3 documents for both.
    ("NumberOfObjects", "Average", COUNT),
    ("BucketSizeBytes", "Average", BYTES),
)

KIND_METRICS: dict[str, tuple[Metric, ...]] = {
    "queue": QUEUE_METRICS,
    "function": FUNCTION_METRICS,
    "function-url": FUNCTION_METRICS + URL_METRICS,
    "load-balancer": LB_METRICS,
    "http-api": HTTP_METRICS,
    "route": HTTP_METRICS,
    "event-bus": BUS_METRICS,
    "rule": RULE_METRICS,
    "schedule": SCHEDULE_METRICS,
    "topic": TOPIC_METRICS,
    "batch-job": BATCH_JOB_METRICS,
    "state-machine": STATE_MACHINE_METRICS,
    "stream": STREAM_METRICS,
    "table": TABLE_METRICS,
    "kafka-topic": KAFKA_METRICS,
    "bucket": BUCKET_METRICS,
}


@dataclass(frozen=True, slots=True)
class Periods:
    """`count` periods of `length` ms from `start` (CloudWatch aligns its datapoints to the
    request's start time). The last is closed: it holds the window's end, so a record at
    the end instant falls in it. The whole window is one period."""

    start: int
    length: int
    count: int

    @classmethod
    def of(cls, start: int, end: int, length: int | None = None) -> Periods:
        """The periods of [start, end] of `length` ms (one spanning it all when None)."""
        span = end - start
        if length is None:
            return cls(start, max(1, span), 1)
        return cls(start, length, max(1, -(-span // length)))

    def index(self, t: int) -> int:
        """The period an instant at or after `start` falls in."""
        return min((t - self.start) // self.length, self.count - 1)

    def starts(self) -> list[int]:
        """Each period's first instant."""
        return [self.start + i * self.length for i in range(self.count)]


@dataclass(slots=True)
class Figure:
    """One statistic of one metric over the window: None when it has no datapoint (no
    sample in the window), `at` the instant a maximum gauge was first reached. A time's
    figures keep its `samples` (shared, not copied), from which `expect` works out any
    other statistic of it (stptui.sim.metrics.statistics)."""

    metric: str
    statistic: str
    unit: str
    value: float | None
    at: int | None = None
    samples: Sequence[float] | None = None


@dataclass(slots=True)
class ResourceMetrics:
    """The figures of one resource (or, for an HTTP API's route, `resource` is `API ROUTE`);
    `now` holds a queue's replayed gauges at the window's end. `parent` is what a route or
    a rule is listed under: its HTTP API, its bus, or the workload a schedule triggers."""

    resource: str
    kind: str  # a key of KIND_METRICS
    figures: list[Figure] = field(default_factory=list)
    now: dict[str, int] = field(default_factory=dict)
    parent: str | None = None

    def figure(self, metric: str, statistic: str) -> Figure | None:
        """The figure of `metric` by `statistic`, if the resource has it."""
        return next(
            (f for f in self.figures if f.metric == metric and f.statistic == statistic), None
        )


@dataclass(slots=True)
class Metrics:
    """Every resource's figures over [start, end]. `dropped` records were dropped by the
    ring before the oldest kept, which is at `kept_from` (the figures count from there when
    it is later than the window's start asked for)."""

    start: int
    end: int
    dropped: int
    kept: int
    kept_from: int | None
    resources: dict[str, ResourceMetrics]


def samples(metric: str, values: list[float], stats: Iterable[str]) -> list[Figure]:
    """The statistics of a time's samples (None for each when there is none)."""
    return [Figure(metric, s, MILLISECONDS, statistic_of(values, s), None, values) for s in stats]


def counted(metrics: Sequence[Metric], values: Sequence[int]) -> list[Figure]:
    """Count figures (Sum) of the first len(values) metrics, in their order."""
    return [
        Figure(metric, stat, unit, n)
        for (metric, stat, unit), n in zip(metrics[: len(values)], values, strict=True)
    ]
