"""Stacktape `alarms` resolved per resource, as Stacktape compiles them into CloudWatch alarms.

Each alarm gets the AWS name, metric, statistic, comparison, threshold, evaluation settings and
missing-data treatment that Stacktape's compilers write (stacktape/stacktape,
`resource-resolvers/_utils/alarms/`: index.ts, utils.ts and one module per trigger), so that the
simulator can evaluate it and views can show it. Reading the config (normalize_sections.py) has
already reported malformed alarms; what is malformed here is left out, not reported again.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from stptui.config.aws_names import cloudwatch_alarm_name
from stptui.config.loader import DataPath
from stptui.config.model import ContainerService, ContainerWorkload, Stack
from stptui.config.normalize_names import pascal_case

# The types whose alarms the simulator evaluates; a relational database's are listed, marked
# not simulated (and so is a load balancer alarm whose metric is not measured:
# `not_simulated`). A web service's are evaluated on the HTTP API or load balancer Stacktape
# makes for it (`AlarmSpec.entry`), as a stand-alone one's are.
SIMULATED_TYPES = ("function", "sqs-queue", "http-api-gateway", "application-load-balancer")
ALARM_TYPES = (*SIMULATED_TYPES, "relational-database", "web-service")

# The load balancer metrics an `application-load-balancer-custom` alarm can watch in the
# simulator: the ones its requests and responses make (ELB's and the targets' status codes,
# the requests, the fixed responses and redirects of default actions, the targets' response
# times). The rest (connections, bytes, LCUs, TLS, authentication, health, zones) it has no
# model of.
ALB_MEASURED_METRICS = (
    "RequestCount",
    "HTTPCode_ELB_3XX_Count",
    "HTTPCode_ELB_4XX_Count",
    "HTTPCode_ELB_5XX_Count",
    "HTTPCode_ELB_500_Count",
    "HTTPCode_ELB_502_Count",
    "HTTPCode_ELB_503_Count",
    "HTTPCode_ELB_504_Count",
    "HTTPCode_Target_2XX_Count",
    "HTTPCode_Target_3XX_Count",
    "HTTPCode_Target_4XX_Count",
    "HTTPCode_Target_5XX_Count",
    "HTTP_Fixed_Response_Count",
    "HTTP_Redirect_Count",
    "TargetResponseTime",
)

# The comparisons Stacktape's `comparisonOperator` takes (`TriggerWithCustomComparison`).
COMPARISON_OPERATORS = (
    "GreaterThanThreshold",
    "GreaterThanOrEqualToThreshold",
    "LessThanThreshold",
    "LessThanOrEqualToThreshold",
)

# `defaultComparisonOperators` of utils.ts: every trigger but the two free-storage/memory ones
# alarms above its threshold.
_LESS_THAN_DEFAULT = ("database-free-storage", "database-free-memory")

# `defaultStatFunctions` of utils.ts (Stacktape's words), and `statFunctionMapping` to AWS's.
DEFAULT_STATISTICS = {
    "lambda-duration": "avg",
    "database-connection-count": "avg",
    "database-cpu-utilization": "avg",
    "database-free-storage": "min",
    "database-read-latency": "avg",
    "database-write-latency": "avg",
    "database-free-memory": "avg",
    "http-api-gateway-latency": "avg",
    "sqs-queue-received-messages-count": "avg",
    "application-load-balancer-custom": "avg",
}
AWS_STATISTICS = {
    "avg": "Average",
    "max": "Maximum",
    "min": "Minimum",
    "sum": "Sum",
    "p90": "p90",
    "p95": "p95",
    "p99": "p99",
}

# Each trigger's threshold property; `sqs-queue-not-empty` has none (its threshold is 0).
THRESHOLD_PROPERTIES = {
    "lambda-error-rate": "thresholdPercent",
    "lambda-duration": "thresholdMilliseconds",
    "sqs-queue-received-messages-count": "thresholdCount",
    "http-api-gateway-error-rate": "thresholdPercent",
    "http-api-gateway-latency": "thresholdMilliseconds",
    "database-read-latency": "thresholdSeconds",
    "database-write-latency": "thresholdSeconds",
    "database-cpu-utilization": "thresholdPercent",
    "database-free-storage": "thresholdMB",
    "database-free-memory": "thresholdMB",
    "database-connection-count": "thresholdCount",
    "application-load-balancer-error-rate": "thresholdPercent",
    "application-load-balancer-unhealthy-targets": "thresholdPercent",
    "application-load-balancer-custom": "threshold",
}

# `TreatMissingData` as each compiler writes it; a trigger not listed writes none, so AWS's
# default `missing` applies (sqs-queue-not-empty has `breaching` commented out).
TREAT_MISSING = {
    "lambda-error-rate": "notBreaching",
    "lambda-duration": "notBreaching",
    "sqs-queue-received-messages-count": "breaching",
    "http-api-gateway-error-rate": "notBreaching",
    "http-api-gateway-latency": "notBreaching",
    "application-load-balancer-error-rate": "notBreaching",
    "application-load-balancer-unhealthy-targets": "notBreaching",
}

# `measuringUnits` of utils.ts: how a threshold reads in a notification.
UNITS = {
    "lambda-error-rate": "%",
    "lambda-duration": "ms",
    "http-api-gateway-error-rate": "%",
    "http-api-gateway-latency": "ms",
    "database-cpu-utilization": "%",
    "database-free-storage": "MB",
    "database-free-memory": "MB",
    "database-read-latency": "s",
    "database-write-latency": "s",
    "application-load-balancer-error-rate": "%",
    "application-load-balancer-unhealthy-targets": "%",
}

# The compilers that pass their statistic to getAlarmDescription (the HTTP API latency one
# does not).
_DESCRIBED_WITH_STAT = ("lambda-duration", "sqs-queue-received-messages-count")

# Stacktape's defaults (`alarm.evaluation?.period || 60`, `evaluationPeriods || 1`).
DEFAULT_PERIOD_S = 60
DEFAULT_EVALUATION_PERIODS = 1

# What PutMetricAlarm takes (CloudWatch API reference): a Period of "10, 20, 30, and any
# multiple of 60"; Period x EvaluationPeriods "can't be more than 604,800 seconds", nor
# 86,400 "for alarms with a period of less than one hour"; DatapointsToAlarm at least 1 and
# no more than EvaluationPeriods ("DatapointsToAlarm must be less than or equal to
# EvaluationPeriods"). Stacktape passes the `evaluation` values through unchecked, so an
# alarm outside these stops the deployment.
SUB_MINUTE_PERIODS = (10, 20, 30)
MAX_RANGE_S = 604_800
MAX_SHORT_RANGE_S = 86_400

# What a notification target is sent to, by its type: the property that names the recipient.
_RECIPIENT = {
    "slack": "conversationId",
    "ms-teams": "webhookUrl",
    "email": "recipient",
    "discord": "webhookUrl",
    "webhook": "url",
    "slack-app": "channel",
}


@dataclass(slots=True)
class NotificationTarget:
    """One of an alarm's `notificationTargets`: its channel and who receives it."""

    channel: str
    recipient: str


@dataclass(slots=True)
class AlarmSpec:
    """One alarm of one resource, as Stacktape compiles it."""

    resource: str
    resource_type: str
    index: int
    path: DataPath
    trigger: str
    stp_name: str  # `LambdaErrorRateForWorker0`: Stacktape's name, and its logical id's start
    aws_name: str  # `{stack}-{stp_name}` (cut at 255): the CloudWatch alarm's AlarmName
    threshold: float
    comparison: str
    statistic: str | None  # AWS's word (`Average`), None for a metric math alarm
    period_s: int
    evaluation_periods: int
    datapoints_to_alarm: int
    treat_missing: str
    description: str
    targets: list[NotificationTarget] = field(default_factory=list)
    metric: str | None = None  # an `application-load-balancer-custom` alarm's metric
    # Why the simulator does not evaluate it although its type is simulated (None: it does).
    not_simulated: str | None = None
    # A web service's alarm: the HTTP API or load balancer Stacktape puts it on
    # (`web.httpApiGateway`), whose trace records feed its metric.
    entry: str | None = None
    # What CloudWatch refuses of its `evaluation`: (the key at fault, why), in key order.
    refusals: list[tuple[str, str]] = field(default_factory=list)

    @property
    def why_not_simulated(self) -> str | None:
        """Why the simulator does not evaluate it: CloudWatch refuses its evaluation, or its
        metric is not simulated (None when neither holds)."""
        if self.refusals:
            return f"CloudWatch refuses it: {self.refusals[0][1]}"
        return self.not_simulated

    @property
    def measured(self) -> str:
        """The resource whose trace records feed the metric: the alarm's own, or a web
        service's HTTP API or load balancer."""
        return self.entry or self.resource

    @property
    def reference(self) -> str:
        """How a `cloudwatch-alarm` event names it: `worker.alarms.0`."""
        return f"{self.resource}.alarms.{self.index}"

    @property
    def simulated(self) -> bool:
        """Whether the simulator evaluates it (its resource type's metrics are simulated, and
        so is its own metric)."""
        simulated_type = self.resource_type in SIMULATED_TYPES or self.entry is not None
        return simulated_type and self.why_not_simulated is None

    @property
    def unit(self) -> str:
        """The threshold's unit in Stacktape's notifications (`%`, `ms`, or none)."""
        return UNITS.get(self.trigger, "")


def alarm_name(trigger: str, resource: str, index: int) -> str:
    """Stacktape's name of a resource's alarm (`getStpNameForAlarm`): the trigger and the
    resource in PascalCase, then the alarm's index (`LambdaErrorRateForWorker0`)."""
    return f"{pascal_case(trigger)}For{pascal_case(resource)}{index}"


def _number(value: Any) -> float | None:
    """A finite number as a float (YAML's `.inf` and `.nan` are none: JSON, and so
    CloudFormation, cannot carry them)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _positive_int(value: Any, default: int) -> int:
    """A whole number Stacktape would use, or the default it falls back to (`|| 1`); a
    value CloudWatch refuses (see `evaluation_refusals`) gives the default too."""
    number = _number(value)
    if number is None or number < 1:
        return default
    return int(number)


def _whole(value: float) -> str | None:
    """Why a count is not one CloudWatch takes (a whole number, at least 1), or None."""
    if value != int(value) or value < 1:
        return "is not a whole number of at least 1"
    return None


def evaluation_refusals(evaluation: dict[str, Any]) -> list[tuple[str, str]]:
    """What PutMetricAlarm refuses of the Period, EvaluationPeriods and DatapointsToAlarm
    Stacktape makes of an alarm's `evaluation`: (the key at fault, why). Values of the wrong
    type are the schema's to report; Stacktape's `|| 60` and `|| 1` turn 0 into its
    defaults, but `breachedPeriods` is passed as written."""
    out: list[tuple[str, str]] = []
    raw_period = _number(evaluation.get("period"))
    period = raw_period or float(DEFAULT_PERIOD_S)
    if period != int(period) or (
        period not in SUB_MINUTE_PERIODS and (period <= 0 or period % 60 != 0)
    ):
        out.append(
            (
                "period",
                f"`period` {_threshold_text(period)} is not 10, 20, 30 or a multiple of 60 seconds",
            )
        )
    raw_periods = _number(evaluation.get("evaluationPeriods"))
    periods = raw_periods or float(DEFAULT_EVALUATION_PERIODS)
    why = _whole(periods)
    if why is not None:
        out.append(("evaluationPeriods", f"`evaluationPeriods` {_threshold_text(periods)} {why}"))
    breached = _number(evaluation.get("breachedPeriods"))
    if breached is not None:
        why = _whole(breached)
        if why is not None:
            out.append(("breachedPeriods", f"`breachedPeriods` {_threshold_text(breached)} {why}"))
        elif breached > periods:
            out.append(
                (
                    "breachedPeriods",
                    f"`breachedPeriods` {_threshold_text(breached)} is more than "
                    f"`evaluationPeriods` {_threshold_text(periods)} (DatapointsToAlarm must "
                    "be less than or equal to EvaluationPeriods)",
                )
            )
    short = period < 3600
    limit = MAX_SHORT_RANGE_S if short else MAX_RANGE_S
    if not out and period * periods > limit:
        within = "one day, with a period under an hour" if short else "seven days"
        out.append(
            (
                "evaluationPeriods" if raw_periods else "period",
                f"`period` x `evaluationPeriods` is {int(period * periods):,} seconds, more "
                f"than the {limit:,} ({within}) an alarm may evaluate",
            )
        )
    return out


def _targets(alarm: dict[str, Any]) -> list[NotificationTarget]:
    out = []
    for key in ("notificationTargets", "notificationChannels"):
        raw = alarm.get(key)
        for target in raw if isinstance(raw, list) else []:
            if not isinstance(target, dict) or not isinstance(target.get("type"), str):
                continue
            channel = target["type"]
            props = target.get("properties")
            recipient = props.get(_RECIPIENT.get(channel, "")) if isinstance(props, dict) else None
            out.append(NotificationTarget(channel, recipient if isinstance(recipient, str) else ""))
    return out


def _spec(stack: Stack, resource: Any, index: int, alarm: Any) -> AlarmSpec | None:
    if not isinstance(alarm, dict) or not isinstance(alarm.get("trigger"), dict):
        return None
    trigger = alarm["trigger"]
    kind = trigger.get("type")
    if not isinstance(kind, str):
        return None
    props = trigger.get("properties")
    props = props if isinstance(props, dict) else {}
    if kind == "sqs-queue-not-empty":
        threshold: float | None = 0.0
    else:
        threshold = _number(props.get(THRESHOLD_PROPERTIES.get(kind, "")))
    if threshold is None:
        return None  # reported when the config was read
    default_cmp = "LessThanThreshold" if kind in _LESS_THAN_DEFAULT else "GreaterThanThreshold"
    comparison = props.get("comparisonOperator") if kind != "sqs-queue-not-empty" else None
    if comparison not in COMPARISON_OPERATORS:
        # A comparison Stacktape does not take was reported when the config was read; the
        # default stands in for it, as the default statistic does for an unknown one.
        comparison = default_cmp
    stat_word = props.get("statistic") if kind != "sqs-queue-not-empty" else None
    if not isinstance(stat_word, str) or stat_word not in AWS_STATISTICS:
        stat_word = DEFAULT_STATISTICS.get(kind)
    statistic = AWS_STATISTICS[stat_word] if stat_word else None
    evaluation = alarm.get("evaluation")
    evaluation = evaluation if isinstance(evaluation, dict) else {}
    periods = _positive_int(evaluation.get("evaluationPeriods"), DEFAULT_EVALUATION_PERIODS)
    # DatapointsToAlarm is `breachedPeriods`; CloudWatch uses EvaluationPeriods without it.
    datapoints = _positive_int(evaluation.get("breachedPeriods"), periods)
    stp_name = alarm_name(kind, resource.name, index)
    metric = props.get("metric") if kind == "application-load-balancer-custom" else None
    metric = metric if isinstance(metric, str) else None
    description = alarm.get("description")
    if not isinstance(description, str) or not description:
        # getAlarmDescription, or getCustomAlarmDescription (the metric for the trigger, and
        # always the statistic) for a custom alarm (shared/naming/utils.ts).
        described_stat = kind in _DESCRIBED_WITH_STAT or metric is not None
        stat_text = f" {statistic}" if statistic and described_stat else ""
        description = (
            f"Monitors{stat_text} {metric or kind} of {resource.name} in stack "
            f"{stack.stack_name}. Triggered when {comparison} ({_threshold_text(threshold)})."
        )
    entry = resource.entry if isinstance(resource, ContainerService) else None
    return AlarmSpec(
        resource=resource.name,
        resource_type=resource.type,
        index=index,
        path=(*resource.path, "properties", "alarms", index),
        trigger=kind,
        stp_name=stp_name,
        aws_name=cloudwatch_alarm_name(stack.stack_name, stp_name),
        threshold=threshold,
        comparison=comparison,
        statistic=statistic,
        period_s=_positive_int(evaluation.get("period"), DEFAULT_PERIOD_S),
        evaluation_periods=periods,
        datapoints_to_alarm=datapoints,
        treat_missing=TREAT_MISSING.get(kind, "missing"),
        description=description,
        targets=_targets(alarm),
        metric=metric,
        not_simulated=_not_simulated(stack, resource.name, kind, metric, props),
        entry=entry.name if entry is not None else None,
        refusals=evaluation_refusals(evaluation),
    )


def alb_container_targets(stack: Stack, load_balancer: str) -> list[str]:
    """The container workloads an application load balancer forwards to (its events'
    owners), in config order: the target groups whose health Stacktape's
    unhealthy-targets alarm watches (Lambda targets are not among them). A web service's
    load balancer forwards to the service's own container first."""
    res = stack.resources.get(load_balancer)
    own = [res] if isinstance(res, ContainerService) and res.entry is not None else []
    names = {load_balancer, *(r.entry.name for r in own if r.entry is not None)}
    return [r.name for r in own] + [
        res.name
        for res in stack.of_type(ContainerWorkload)
        if any(
            t.type == "application-load-balancer" and t.properties.get("loadBalancerName") in names
            for t in res.events
        )
    ]


def _not_simulated(
    stack: Stack, resource: str, kind: str, metric: str | None, props: dict[str, Any]
) -> str | None:
    """Why a load balancer alarm is not evaluated, or None when it is."""
    owner = stack.resources[resource]
    if isinstance(owner, ContainerService) and owner.entry is None:
        # Stacktape puts a web service's alarms on the HTTP API or load balancer it makes
        # for the service; stptui makes none for a `loadBalancing` it cannot read, or one
        # that attaches the service to a gateway or load balancer (the newer docs' shape).
        return "stptui makes no HTTP API or load balancer of this web-service's loadBalancing"
    if kind == "application-load-balancer-custom" and metric not in ALB_MEASURED_METRICS:
        # The metrics it does measure are listed in docs/simulating.md: a reason fits in
        # one column of `show alarms`.
        return f"its metric {metric!r} is not one the simulator measures"
    if kind == "application-load-balancer-unhealthy-targets":
        targets = alb_container_targets(stack, resource)
        only = props.get("onlyIncludeTargets")
        if isinstance(only, list):
            targets = [t for t in targets if t in only]
        if not targets:
            # getApplicationLoadBalancerUnhealthyTargetsAlarm throws e127: the alarm needs a
            # container workload behind the load balancer, so it is never deployed.
            return (
                f"no container workload is a target of {resource!r}"
                f"{' among onlyIncludeTargets' if isinstance(only, list) else ''}; "
                "Stacktape refuses to deploy this alarm (e127)"
            )
    return None


def _threshold_text(value: float) -> str:
    """A threshold as JavaScript writes a number into a template (`5`, `0.5`)."""
    return str(int(value)) if value == int(value) else repr(value)


def resolve_alarms(stack: Stack) -> list[AlarmSpec]:
    """Every alarm of the stack's resources, in config order. Global alarms (set in the
    Stacktape console, not in the config) are not known here."""
    out: list[AlarmSpec] = []
    for res in stack.resources.values():
        if res.type not in ALARM_TYPES:
            continue
        alarms = res.properties.get("alarms")
        for i, alarm in enumerate(alarms if isinstance(alarms, list) else []):
            spec = _spec(stack, res, i, alarm)
            if spec is not None and spec.trigger.startswith(_trigger_prefix(res)):
                out.append(spec)
    return out


def _trigger_prefix(resource: Any) -> str:
    """The start of the triggers a resource's alarms may have. A web service's are those of
    its load balancing (`validateWebServiceConfig`, e80: `loadBalancing.type`, by default
    `http-api-gateway`); the others are reported by lint."""
    if resource.type != "web-service":
        return _TRIGGER_PREFIXES[resource.type]
    balancing = resource.properties.get("loadBalancing")
    kind = balancing.get("type") if isinstance(balancing, dict) else None
    return f"{kind if isinstance(kind, str) else 'http-api-gateway'}-"


# A resource's alarms are those of its type (`resourceTypesForAlarmType`).
_TRIGGER_PREFIXES = {
    "function": "lambda-",
    "sqs-queue": "sqs-queue-",
    "http-api-gateway": "http-api-gateway-",
    "relational-database": "database-",
    "application-load-balancer": "application-load-balancer-",
}
