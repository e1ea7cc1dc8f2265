"""EventBridge's metrics (AWS/Events) of each bus, each rule on it and each schedule's rule,
and SNS's (AWS/SNS) of each topic, counted from the trace."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from stptui.sim import trace as tk
from stptui.sim.metrics.figures import (
    BUS_METRICS,
    RULE_METRICS,
    SCHEDULE_METRICS,
    TOPIC_METRICS,
    ResourceMetrics,
    counted,
)
from stptui.sim.services.alarm_metrics import field as raw_field

if TYPE_CHECKING:
    from stptui.sim.engine import Simulator

# The columns of a rule's counts, in RULE_METRICS' order (a schedule's are a subset).
_MATCHED, _TRIGGERED, _INVOKED, _FAILED, _TO_DLQ, _NOT_TO_DLQ = range(6)
# The columns of a topic's counts, in TOPIC_METRICS' order.
(
    _PUBLISHED,
    _DELIVERED,
    _FAILED_SNS,
    _FILTERED,
    _BY_ATTRS,
    _NO_ATTRS,
    _INVALID_ATTRS,
    _REDRIVEN,
    _NOT_REDRIVEN,
) = range(9)
# The reasons of a `notification.filtered` record that are no filter policy's verdict: SNS
# would have refused the subscription itself (stptui.sim.services.topic.filtered_reason).
_NO_SUBSCRIPTION = ("no subscription: ", "the filter policy is invalid")


def buses(sim: Simulator) -> dict[str, str]:
    """The buses measured, by key: the stack's own, and the default bus when a rule of the
    stack is on it (every stack has one, most never use it)."""
    out: dict[str, str] = {}
    service = sim.services.get("buses")
    if service is None:
        return out
    for key, bus in service.buses.items():
        if not bus.external and (bus.rules or not bus.account_default):
            out[key] = "event-bus"
    return out


def rules(sim: Simulator) -> dict[str, tuple[str, str]]:
    """Each rule's AWS name -> (kind, parent): `rule` on a measured bus, `schedule` of the
    workload it triggers."""
    out: dict[str, tuple[str, str]] = {}
    service = sim.services.get("buses")
    if service is not None:
        for key, bus in service.buses.items():
            if not bus.external:
                for rule in bus.rules:
                    out.setdefault(rule.name, ("rule", key))
    schedules = sim.services.get("schedules")
    if schedules is not None:
        for sched in schedules.rules:
            out.setdefault(sched.name, ("schedule", sched.owner))
    return out


def topics(sim: Simulator) -> list[str]:
    """The stack's own topics (not those outside it a trigger names by ARN)."""
    service = sim.services.get("topics")
    if service is None:
        return []
    return [key for key, topic in service.topics.items() if not topic.external]


def event_metrics(sim: Simulator, raws: Any, start: int) -> dict[str, ResourceMetrics]:
    """Each measured bus's and rule's counts of the records from `start` on."""
    bus_kinds = buses(sim)
    rule_kinds = rules(sim)
    bus_counts = {key: [0, 0] for key in bus_kinds}  # put, matched a rule
    rule_counts = {name: [0] * len(RULE_METRICS) for name in rule_kinds}
    for raw in raws:
        kind = raw[1]
        if raw[0] < start:
            continue
        if kind == tk.EVENT_PUBLISHED:
            counts = bus_counts.get(raw[2])
            if counts is not None:
                # A replay puts no event: it sends archived ones to its rules again.
                counts[0] += raw_field(raw, "replay") is None
                counts[1] += (raw_field(raw, "rules_matched") or 0) > 0
        elif kind == tk.EVENT_MATCHED:
            row = rule_counts.get(raw_field(raw, "rule"))
            if row is not None:
                row[_MATCHED] += 1
                row[_TRIGGERED] += 1
                row[_INVOKED] += 1
        elif kind == tk.SCHEDULE_FIRED:
            row = rule_counts.get(raw_field(raw, "rule"))
            if row is not None:
                row[_TRIGGERED] += 1
                row[_INVOKED] += 1
        elif kind == tk.EVENT_DELIVERY_FAILED:
            row = rule_counts.get(raw_field(raw, "rule"))
            if row is not None:
                row[_FAILED] += 1
                row[_TO_DLQ] += raw_field(raw, "dlq_message_id") is not None
                row[_NOT_TO_DLQ] += raw_field(raw, "dlq_error") is not None
    out = {
        key: ResourceMetrics(key, "event-bus", counted(BUS_METRICS, counts))
        for key, counts in bus_counts.items()
    }
    for name, (kind, parent) in rule_kinds.items():
        row = rule_counts[name]
        if kind == "schedule":
            figures = counted(SCHEDULE_METRICS, [row[_TRIGGERED], row[_INVOKED], row[_FAILED]])
        else:
            figures = counted(RULE_METRICS, row)
        out[name] = ResourceMetrics(name, kind, figures, parent=parent)
    return out


def topic_metrics(sim: Simulator, raws: Any, start: int) -> dict[str, ResourceMetrics]:
    """Each topic's published messages and its subscriptions' deliveries, failures and
    filtered-out messages from `start` on."""
    counts = {key: [0] * len(TOPIC_METRICS) for key in topics(sim)}
    for raw in raws:
        kind = raw[1]
        if raw[0] < start or not kind.startswith(("topic.", "notification.")):
            continue
        row = counts.get(raw[2])
        if row is None:
            continue  # a bucket's `notification.*` records, or a topic outside the stack
        if kind == tk.TOPIC_PUBLISHED:
            row[_PUBLISHED] += 1
        elif kind == tk.NOTIFICATION_DELIVERED:
            row[_DELIVERED] += 1
        elif kind == tk.NOTIFICATION_DELIVERY_FAILED:
            row[_FAILED_SNS] += 1
            row[_REDRIVEN] += raw_field(raw, "dlq_message_id") is not None
            row[_NOT_REDRIVEN] += raw_field(raw, "dlq_error") is not None
        elif kind == tk.NOTIFICATION_FILTERED:
            reason = raw_field(raw, "reason") or [""]
            if not str(reason[0]).startswith(_NO_SUBSCRIPTION):
                # Stacktape's filter policies are all of scope MessageAttributes; a message
                # with no attributes, or with attributes the policy cannot read, is one of
                # them too, counted again by its cause.
                row[_FILTERED] += 1
                row[_BY_ATTRS] += 1
                row[_NO_ATTRS] += raw_field(raw, "has_attributes") is False
                row[_INVALID_ATTRS] += raw_field(raw, "invalid_attributes") is True
    return {
        key: ResourceMetrics(key, "topic", counted(TOPIC_METRICS, row))
        for key, row in counts.items()
    }
