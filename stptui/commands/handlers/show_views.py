"""Which of `show`'s views have nothing to show in a stack, and why: completion offers the
views a stack has something for (`Arg.unavailable`), and `show` itself still answers every
view, with the message its view gives when empty."""

from __future__ import annotations

from typing import TYPE_CHECKING

from stptui.sim.metrics import measured

if TYPE_CHECKING:
    from stptui.sim.engine import Simulator


def empty_views(sim: Simulator) -> dict[str, str]:
    """The views of `show` this simulation has nothing for, each with why (`this stack has
    no Kinesis streams`): a resource's views where the stack has none of its kind, the
    schedules, replays, logs, alarms and metrics where none are. The agenda, the graph and
    the trace are never empty in that way."""
    s = sim.services
    batch = s.get("batch")
    jobs = batch.jobs if batch is not None else {}
    buckets = s.get("buckets")
    alarms = s.get("alarms")
    buses = s["buses"]
    routes = any(api.routes for api in s["http"].apis.values()) or s["function_urls"].urls
    # (has something, the views it is for, why they are empty otherwise), in `show`'s order.
    table: list[tuple[object, tuple[str, ...], str]] = [
        (sim.queues, ("queues", "queue", "message"), "this stack has no SQS queues"),
        (sim.functions, ("functions", "function"), "this stack has no functions"),
        (sim.functions or jobs, ("event",), "this stack has no function or batch job"),
        (s["schedules"].rules, ("schedules",), "this stack has no schedules"),
        (
            # The account's default bus is in every stack: worth a view once a rule is on it.
            any(not bus.account_default or bus.rules for bus in buses.buses.values()),
            ("buses", "bus"),
            "this stack has no event bus, and no rule on the default one",
        ),
        (
            buses.replays,
            ("replays",),
            "no event bus of this stack has an archive (`archivation`), so none replays",
        ),
        (s["topics"].topics, ("topics",), "this stack has no SNS topics"),
        (buckets.buckets if buckets else {}, ("buckets", "bucket"), "this stack has no buckets"),
        (routes, ("routes",), "this stack has no HTTP API routes or function URLs"),
        (jobs, ("jobs", "job"), "this stack has no batch jobs"),
        (s["containers"].workloads, ("containers",), "this stack has no container workloads"),
        (s.get("streams"), ("streams", "stream"), "this stack has no Kinesis streams"),
        (s.get("kafka"), ("kafka-topics", "kafka-topic"), "this stack has no Kafka topics"),
        (
            s["load_balancers"].balancers,
            ("rules",),
            "this stack has no application load balancers",
        ),
        (s.get("tables"), ("tables", "table"), "this stack has no DynamoDB tables"),
        (
            s.get("state_machines"),
            ("executions", "execution"),
            "this stack has no state machines",
        ),
        (s["logs"].groups, ("logs",), "no workload of this stack has a log group"),
        (alarms.alarms if alarms else {}, ("alarms",), "this stack has no alarms"),
        (s["websocket"].apis, ("connections",), "this stack has no WebSocket APIs"),
        (s["user_pools"].pools, ("users",), "this stack has no user pools"),
        (measured(sim), ("metrics",), "this stack has nothing `show metrics` measures"),
    ]
    return {view: why for present, views, why in table if not present for view in views}
