"""The payloads `invoke FUNCTION` is offered: for each trigger of the function, the event
that trigger delivers, made by the simulator's own builders (an SQS batch of one message,
an HTTP API request's event in its payload format, an S3 notification for a key its filter
takes, a schedule's envelope, what an EventBridge rule or an SNS subscription delivers for
an event its pattern or filter policy lets through, a Kinesis or DynamoDB stream's batch
of one record, a load balancer rule's request, a Kafka topic's record, a CloudWatch Logs
subscription's line, an alarm's going to ALARM, a WebSocket route's connect, message or
disconnect), as the Lambda console's test event templates are, but exact for this stack.
Building one changes nothing: no id is drawn from the simulation's id stream, no sequence
number or offset is taken, no connection is opened, nothing is traced, the clock stays
(completion runs at every key press). AppSync resolvers are offered none: the simulator
does not deliver to them. No user-interface library here.
"""

from __future__ import annotations

import ipaddress
import json
import re
from typing import TYPE_CHECKING, Any

from stptui.config.model import (
    CloudWatchLogTrigger,
    EventBusTrigger,
    HttpTrigger,
    S3Trigger,
    ScheduleTrigger,
    SnsTrigger,
    SqsTrigger,
    Trigger,
    WebSocketTrigger,
)
from stptui.jsontext import compact_json
from stptui.sim import patterns

if TYPE_CHECKING:
    from stptui.sim.engine import Simulator
    from stptui.sim.services.bus import BusRule
    from stptui.sim.services.table import TableSim
    from stptui.sim.services.topic import Subscription

# The id every example's ids are made of (a message's, an event's, a request's): fixed, so
# that an example is the same at every key press and draws nothing from the id stream.
EXAMPLE_ID = "00000000-0000-4000-8000-000000000000"
# A FIFO queue's example message group, and what a path variable (`{id}`, `{proxy+}`) of
# an HTTP route is filled with.
EXAMPLE_GROUP = "example"
PATH_VALUE = "example"
# The method an example request to a route of any method (ANY, `$default`) is sent with.
ANY_METHOD = "GET"
# An EventBridge rule's event: the source and detail-type when its pattern names none.
EVENT_SOURCE = "example.source"
EVENT_DETAIL_TYPE = "Example"
# The source of the events S3 puts on the default bus (a bucket's
# `enableEventBusNotifications`): a rule on them is offered what a bucket sends.
S3_SOURCE = "aws.s3"
_PATH_VARIABLE = re.compile(r"\{[^/{}]*\}")


def trigger_payloads(sim: Simulator, function: str) -> list[tuple[str, str]]:
    """(compact JSON, the menu's help line) of the event each trigger of `function`
    delivers, in the order of its `events`; none for a trigger no example is made for or
    whose event no value made here gets through (a pattern of `anything-but` alone)."""
    fn = sim.functions.get(function)
    out: list[tuple[str, str]] = []
    for trigger in fn.model.events if fn is not None else ():
        made = _example(sim, trigger)
        if made is None:
            continue
        event, about = made
        text = _as_text(event)
        if text is not None:
            out.append((text, about))
    return out


def async_payload(sim: Simulator, function: str) -> tuple[Any, str] | None:
    """(the event, parsed, its help line) the first trigger of `function` that invokes it
    asynchronously delivers: an S3 notification, an SNS subscription, an EventBridge rule,
    a schedule, a log subscription or an alarm (the events its destinations can be sent);
    None when it has none, or none of them is made an example of."""
    fn = sim.functions.get(function)
    for trigger in fn.model.events if fn is not None else ():
        if not (isinstance(trigger, _ASYNC_TRIGGERS) or trigger.type == "cloudwatch-alarm"):
            continue
        made = _example(sim, trigger)
        text = _as_text(made[0]) if made is not None else None
        if made is not None and text is not None:
            return json.loads(text), made[1]
    return None


# The triggers whose service invokes the function asynchronously (as do alarms' rules).
_ASYNC_TRIGGERS = (S3Trigger, SnsTrigger, EventBusTrigger, ScheduleTrigger, CloudWatchLogTrigger)


def _as_text(event: Any) -> str | None:
    """The payload as compact JSON: a rule's input is JSON text already (the function gets
    it parsed), None when it is not JSON (Lambda would refuse it)."""
    if isinstance(event, str):
        try:
            event = json.loads(event)
        except ValueError:
            return None
    return compact_json(event)


def _example(sim: Simulator, trigger: Trigger) -> tuple[Any, str] | None:
    """(the event `trigger` delivers now, its help line), or None."""
    # Imported here: commands.examples imports this module for its offers.
    from stptui.commands.examples import MESSAGE_BODY, SNS_MESSAGE

    if isinstance(trigger, SqsTrigger):
        queue = sim.queues.get(trigger.queue.target or "") if trigger.queue else None
        if queue is None:
            return None
        event = queue.example_event(EXAMPLE_ID, MESSAGE_BODY, EXAMPLE_GROUP)
        return event, f"the SQS event {queue.name} delivers (1 message)"
    if isinstance(trigger, HttpTrigger):
        return _http(sim, trigger, MESSAGE_BODY)
    if isinstance(trigger, S3Trigger):
        return _s3(sim, trigger)
    if isinstance(trigger, ScheduleTrigger):
        rules = sim.services["schedules"].by_owner.get(trigger.owner, [])
        rule = next((r for r in rules if r.trigger is trigger), None)
        if rule is None:
            return None
        return rule.example_event(EXAMPLE_ID), f"the event its schedule {rule.expression} sends"
    if isinstance(trigger, EventBusTrigger):
        return _event_bus(sim, trigger)
    if isinstance(trigger, SnsTrigger):
        return _sns(sim, trigger, SNS_MESSAGE)
    if trigger.type == "kinesis-stream":
        return _kinesis(sim, trigger)
    if trigger.type == "dynamo-db-stream":
        return _dynamodb(sim, trigger)
    if trigger.type == "application-load-balancer":
        return _load_balancer(sim, trigger, MESSAGE_BODY)
    if trigger.type == "kafka-topic":
        return _kafka(sim, trigger)
    if isinstance(trigger, CloudWatchLogTrigger):
        return _log(sim, trigger)
    if trigger.type == "cloudwatch-alarm":
        return _alarm(sim, trigger)
    if isinstance(trigger, WebSocketTrigger):
        return _websocket(sim, trigger, MESSAGE_BODY)
    return None


def _http(sim: Simulator, trigger: HttpTrigger, body: str) -> tuple[Any, str] | None:
    """The event of a request the route of `trigger` takes: its path with each variable
    filled, GET for a route of any method, a JSON body for a method that carries one."""
    path = trigger.api_path
    path = "/" if path.startswith("$") else _PATH_VARIABLE.sub(PATH_VALUE, path)
    method = ANY_METHOD if trigger.api_method == "ANY" else trigger.api_method
    sent = body if method in ("POST", "PUT", "PATCH") else None
    event = sim.services["http"].example_event(trigger, method, path, sent, EXAMPLE_ID)
    if event is None:
        return None
    gateway = trigger.gateway.target if trigger.gateway else ""
    version = event.get("version", "1.0")
    return event, f"the HTTP API event of {method} {path} on {gateway} (payload {version})"


def _s3(sim: Simulator, trigger: S3Trigger) -> tuple[Any, str] | None:
    """The notification's event for a key its filter takes (`incoming/example.txt`)."""
    from stptui.commands.examples import DEFAULT_KEY, KEY_STEM

    bucket = trigger.bucket.target if trigger.bucket else None
    if bucket is None:
        return None
    key = f"{trigger.prefix or ''}{KEY_STEM}{trigger.suffix or '.txt'}"
    if not (trigger.prefix or trigger.suffix):
        key = DEFAULT_KEY
    configuration = f"{trigger.owner}-s3-{trigger.index}"
    made = sim.services["buckets"].example_event(bucket, configuration, key, EXAMPLE_ID)
    if made is None:
        return None
    event, name = made
    return event, f"the S3 event {bucket} sends for {name} of {key}"


def _event_bus(sim: Simulator, trigger: EventBusTrigger) -> tuple[Any, str] | None:
    """What the rule of `trigger` delivers for an event its pattern matches (`rule_event`)."""
    service = sim.services["buses"]
    rule = next(
        (r for bus in service.buses.values() for r in bus.rules if r.trigger is trigger), None
    )
    event = rule_event(sim, rule) if rule is not None else None
    if rule is None or event is None:
        return None
    delivered = rule.example_event(event)
    if delivered is None:
        return None
    about = f"({event['source']}, {event['detail-type']})"
    return delivered, f"the event the rule on {rule.bus.key} delivers {about}"


def rule_event(sim: Simulator, rule: BusRule) -> dict[str, Any] | None:
    """An event `rule` matches, made from the values its pattern names
    (`pattern_example`): for a pattern of S3's events (source `aws.s3`), the event a
    bucket that sends its events to the default bus puts there for an upload of a key the
    pattern takes (`example_key` when it names none); None when no value made here meets
    the pattern (`anything-but` alone). Nothing is drawn or traced."""
    from stptui.commands.examples import pattern_example
    from stptui.sim.services.bus import envelope

    if not isinstance(rule.pattern, dict):
        return None
    try:
        wanted = pattern_example(rule.pattern)
    except patterns.PatternError:
        return None
    if wanted is None:
        return None
    if wanted.get("source") == S3_SOURCE and rule.bus.account_default:
        return _s3_bus_event(sim, rule, wanted)
    # An empty prefix (`prefix: ''`, any source) names no source PutEvents takes.
    source = wanted.get("source") or EVENT_SOURCE
    detail_type = wanted.get("detail-type") or EVENT_DETAIL_TYPE
    detail = wanted.get("detail", {})
    if not (isinstance(source, str) and isinstance(detail_type, str)):
        return None
    resources = wanted.get("resources")
    resources = [resources] if isinstance(resources, str) else []
    return envelope(
        EXAMPLE_ID,
        source,
        detail_type,
        detail,
        resources,
        sim.clock.now,
        sim.account_id,
        sim.region,
    )


def _s3_bus_event(sim: Simulator, rule: BusRule, wanted: dict[str, Any]) -> dict[str, Any] | None:
    """The event the first bucket sending its events to the default bus puts there for an
    upload `rule` matches: of the key the pattern names, else the bucket's `example_key`."""
    from stptui.commands.examples import DEFAULT_KEY, KEY_STEM, example_key
    from stptui.sim.services.bus import envelope

    service = sim.services["buckets"]
    detail = wanted.get("detail")
    found = detail.get("object") if isinstance(detail, dict) else None
    named = found.get("key") if isinstance(found, dict) else None
    # A prefix's value, a suffix's, or a whole key: the first key made of it that matches.
    made = [f"{named}{DEFAULT_KEY}", f"{KEY_STEM}{named}", named] if named else []
    for name, bucket in service.buckets.items():
        for key in [k for k in made if isinstance(k, str)] + [example_key(bucket)]:
            entry = service.example_bus_entry(name, key, EXAMPLE_ID)
            if entry is None:
                break
            event = envelope(
                EXAMPLE_ID,
                entry["Source"],
                entry["DetailType"],
                entry["Detail"],
                entry["Resources"],
                sim.clock.now,
                sim.account_id,
                sim.region,
            )
            if rule.matcher is not None and rule.matcher.matches(event):
                return event
    return None


def _sns(sim: Simulator, trigger: SnsTrigger, message: str) -> tuple[Any, str] | None:
    """The SNS event of a message the subscription's filter policy lets through."""
    service = sim.services["topics"]
    sub = next(
        (s for t in service.topics.values() for s in t.subscriptions if s.trigger is trigger),
        None,
    )
    if sub is None or sub.refused is not None:
        return None
    made = sns_example_event(sim, sub, message)
    return None if made is None else (made[0], f"the SNS event {sub.topic.key} delivers")


def sns_example_event(
    sim: Simulator, sub: Subscription, message: str
) -> tuple[dict[str, Any], dict[str, dict[str, str]]] | None:
    """The Lambda event SNS makes for `sub` of `message` published now with attributes its
    filter policy lets through (made from the values the policy names, `pattern_example`),
    and those attributes as published; None when no such attributes can be made. Nothing
    is drawn or traced."""
    from stptui.commands.examples import pattern_example
    from stptui.sim.services.topic import (
        SnsError,
        lambda_attributes,
        lambda_event,
        read_attributes,
    )

    policy = sub.policy if isinstance(sub.policy, dict) else {}
    try:
        attrs = read_attributes(pattern_example(policy) or {})
    except (SnsError, patterns.PatternError):
        return None
    if sub.filtered_reason(attrs):
        return None
    event = lambda_event(
        sim, sub, EXAMPLE_ID, message, None, lambda_attributes(attrs), sim.clock.now
    )
    return event, attrs


def _kinesis(sim: Simulator, trigger: Trigger) -> tuple[Any, str] | None:
    """The event of a batch of one record, the put-record dialog's example data put with
    the default partition key, as the mapping hands it to the function."""
    from stptui.commands.examples import STREAM_DATA
    from stptui.sim.services.stream import DEFAULT_PARTITION_KEY, stream_of

    name = stream_of(sim, trigger)
    if name is None:
        return None
    stream = sim.services["streams"][name]
    consumer = next((c for c in stream.consumers if c.target == trigger.owner), None)
    if consumer is None:
        return None
    data = STREAM_DATA.encode()
    event = stream.example_event(consumer, data, DEFAULT_PARTITION_KEY)
    return event, f"the Kinesis event {name} delivers (1 record)"


def _dynamodb(sim: Simulator, trigger: Trigger) -> tuple[Any, str] | None:
    """The event of the INSERT of an item that holds only its key attributes, each
    `example` (a number 1), as the table's stream hands it to the function."""
    from stptui.sim.services.table import table_of

    table = table_of(sim.services.get("tables", {}), trigger)
    if table is None or table.stream is None:
        return None
    keys = example_keys(table)
    event = table.stream.example_event(keys, keys, EXAMPLE_ID)
    return event, f"the DynamoDB stream event of {table.name} (an INSERT)"


def example_keys(table: TableSim) -> dict[str, Any]:
    """The key attributes of `table`'s example item (DynamoDB JSON), each `example`."""
    return {name: {kind: _KEY_VALUES[kind]} for name, kind in table.key}


# A key attribute's example value, by its DynamoDB type (a binary's is `example` in base64).
_KEY_VALUES = {"S": PATH_VALUE, "N": "1", "B": "ZXhhbXBsZQ=="}


def _load_balancer(sim: Simulator, trigger: Trigger, body: str) -> tuple[Any, str] | None:
    """The event of a request the listener rule of `trigger` takes: each condition's first
    value, a wildcard's `*` filled with `example` and its `?` with `x`, the first address
    of a source block; GET when no method is named, a JSON body for a method that carries
    one. None when a rule of lower priority takes that request first."""
    from stptui.commands.examples import BODY_METHODS
    from stptui.sim.services import load_balancer as alb

    service = sim.services.get("load_balancers")
    rule = next(
        (
            r
            for lb in (service.balancers.values() if service is not None else ())
            for listener in lb.listeners.values()
            for r in listener.rules
            if r.trigger is trigger
        ),
        None,
    )
    if rule is None or rule.to_container:
        return None
    method, path, source_ip = ANY_METHOD, "/", alb.CLIENT_IP
    headers: list[tuple[str, str]] = []
    query: list[tuple[str, str]] = []
    for cond in rule.conditions:
        first = _fill(cond.values[0]) if cond.values else ""
        if cond.kind == alb.METHOD:
            method = cond.values[0] if cond.values else method
        elif cond.kind == alb.PATH:
            path = first
        elif cond.kind == alb.HOST:
            headers.append(("host", first))
        elif cond.kind == alb.HEADER:
            headers.append((cond.name or "", first))
        elif cond.kind == alb.QUERY:
            query.append((_fill(cond.name or ""), first))
        elif cond.kind == alb.SOURCE_IP:
            source_ip = _first_address(cond.values[0]) if cond.values else source_ip
    sent = body if method in BODY_METHODS else None
    req = alb.Request(method, path, tuple(query), tuple(headers), source_ip)
    event = service.example_event(rule, req, sent, EXAMPLE_ID)
    if event is None:
        return None
    return event, f"the ALB event of {method} {path} on {rule.load_balancer} ({rule.key})"


def _kafka(sim: Simulator, trigger: Trigger) -> tuple[Any, str] | None:
    """The event of a batch of one record, the produce dialog's example value produced
    without a key (on the partition round-robin gives it, at the offset it gets)."""
    from stptui.commands.examples import KAFKA_VALUE

    for topic in sim.services.get("kafka", {}).values():
        consumer = next((c for c in topic.consumers if c.made_of is trigger), None)
        if consumer is not None:
            event = topic.example_event(consumer, KAFKA_VALUE.encode())
            return event, f"the Kafka event {topic.name} delivers (1 record)"
    return None


def _log(sim: Simulator, trigger: CloudWatchLogTrigger) -> tuple[Any, str] | None:
    """The event of one line written into the log group now (`log`): the first of
    LOG_LINES the subscription's filter passes, else the filter's own words; None when it
    passes neither."""
    from stptui.commands.examples import LOG_LINES

    service = sim.services.get("logs")
    found = next(
        (
            (group, sub)
            for group in (service.groups.values() if service is not None else ())
            for sub in group.subscriptions
            if sub.trigger is trigger
        ),
        None,
    )
    if found is None:
        return None
    group, sub = found
    for line in (*LOG_LINES, _filter_words(trigger.filter_pattern)):
        event = service.example_event(group, sub, line) if line else None
        if event is not None:
            return event, f"the CloudWatch Logs event of {line!r} logged by {group.owner}"
    return None


# What a term filter pattern's words are written with, which a line matching it lacks.
_FILTER_MARKS = re.compile(r'[?"]|(?:^|\s)-\S*')


def _filter_words(pattern: str) -> str:
    """A term filter pattern's words as one line (`?ERROR ?"Status: timeout"` -> `ERROR
    Status: timeout`): a line each of its terms is in, its excluded terms (`-word`) left
    out."""
    return " ".join(_FILTER_MARKS.sub(" ", pattern).split())


def _alarm(sim: Simulator, trigger: Trigger) -> tuple[Any, str] | None:
    """The event of the alarm going to ALARM now from the state it is in, as
    `set-alarm-state ALARM` sets it; none while it is in ALARM (no change comes)."""
    from stptui.commands.handlers.alarms import DEFAULT_REASON

    service = sim.services.get("alarms")
    made = service.example_event(trigger, EXAMPLE_ID, DEFAULT_REASON) if service else None
    if made is None:
        return None
    alarm, event = made
    return event, f"the event of {alarm.spec.reference} going {alarm.state} -> ALARM"


def _websocket(sim: Simulator, trigger: WebSocketTrigger, body: str) -> tuple[Any, str] | None:
    """The event of the route on a connection opened now: `$connect`'s with each of the
    authorizer's identity sources `example`, `$disconnect`'s when the client closes it, a
    message route's for a body that selects it (`$default`'s: the example body)."""
    from stptui.sim.services.websocket import DEFAULT, selecting_body

    service = sim.services.get("websocket")
    api = service.apis.get(trigger.gateway.target or "") if service and trigger.gateway else None
    route = api.routes.get(trigger.route_key or "") if api is not None else None
    if route is None or route.target != trigger.owner:
        return None
    if route.key.startswith("$") and route.key != DEFAULT:
        event = service.example_event(route, "", EXAMPLE_ID)
        return event, f"the WebSocket {route.key} event of {api.name}"
    sent = body if route.key == DEFAULT else selecting_body(api.selection, route.key)
    event = service.example_event(route, sent, EXAMPLE_ID) if sent is not None else None
    if event is None:
        return None
    return event, f"the WebSocket {route.key} event of {api.name} for the message {sent}"


def _fill(pattern: str) -> str:
    """A value an ELB wildcard matches: `*` made `example`, `?` made `x`."""
    return pattern.replace("*", PATH_VALUE).replace("?", "x")


def _first_address(block: str) -> str:
    """The first address of a CIDR block (the block's own text when it is not one: the
    rule then takes no request, and nothing is offered)."""
    try:
        return str(ipaddress.ip_network(block, strict=False).network_address)
    except ValueError:
        return block
