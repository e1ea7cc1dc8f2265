"""The stack as a graph: what triggers what, what may send where, and where failures go.

`build_graph(stack)` turns a typed `Stack` into a `networkx.MultiDiGraph`:

* one node per resource (id = resource name), plus nodes for what the config points at
  without defining: references to undefined resources (`missing`), resource names written
  where an ARN belongs (`<name> (not an ARN)`, also `missing`), the default event bus
  (`bus:default`), schedules (`schedule:<owner>:<n>`, n counting the owner's schedules from
  1 as `show schedules`, `fire`, `pause` and the rule's name do), the Kafka topics functions'
  `kafka-topic` events read (`kafka:<topic>`, named as the simulator names them; a
  self-managed event it cannot read, without `topicName` or a bootstrap server, from
  `kafka:<topic or ?> (not simulated)`), `aws:*` connectTo macros and ARNs outside the
  stack (`arn:...`). A reference written as a directive that did not resolve (`validate`
  reports it: the pre-3.x `$Param('videoBucket', 'Bucket::Arn')`, say) is drawn from the
  resource the directive names (`$ResourceParam`, `$Param`, `$GetParam`) when the stack has
  it, from a `missing` node of that name when it has not, else from one `unresolved` node
  (so is an unclosed one, `$Param('x'`, which Stacktape keeps as text);
  either way its edge carries the text as `unresolved` (no node is named after a directive,
  and the simulator does not wire such a reference);
* edges with a `kind`: `trigger`, `connect`, `redrive`, `delivery-failure`, `destination`,
  `bus-notification`, `hosts` (a `kafka-cluster` of the stack to a topic on it), `task` (a
  state machine's Task state invoking a stack function, sending to a queue, publishing to a
  topic, putting events on a bus, writing a table's item, submitting a batch job or
  starting another state machine's execution) and `read` (a Task state's
  `dynamodb:getItem`, a Distributed Map's ItemReader over a bucket), each resolved as the
  simulator resolves it. Edge keys are stable strings (`trigger:<index>`, `connect`,
  `redrive`, `hosts`, `destination:onFailure`, `task:<state>`, `read:<state>`, ...) so
  parallel edges stay distinct and the graph is the same on every build. Given a behaviours
  file's `poll` items (`PollEdge`), `polls` edges lead from each polled queue to the
  container workload whose code polls it (`polls:<container>`): the config alone cannot
  say that a worker's code reads a queue.

A resource with Stacktape `alarms` carries them as its node's `alarms` attribute (absent on
the others), and a function's `cloudwatch-alarm` event is a `trigger` edge from the
resource whose alarm it names (`via` `cloudwatch-alarm`, `alarm` the `resource.alarms.N`
it names; a name that is no alarm of the stack leads from a `missing` node).

Queries (`upstream`, `downstream`, `reachable_from_stimulus`, `neighbourhood`) and exports
(`to_text`, `to_mermaid`, `to_dot`, `to_json`) work on any graph built here, including the
subgraphs `neighbourhood` returns. Every name in the config is untrusted text: exports
escape it for their format and never let it change the structure of the output.
"""

from __future__ import annotations

import json
import math
import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

import networkx as nx
from rich.cells import cell_len

from stptui.config.alarms import AlarmSpec, resolve_alarms
from stptui.config.diagnostics import Position
from stptui.config.directives import (
    CfResourceParamValue,
    DirectiveCall,
    DirectiveSyntaxError,
    parse_directive,
)
from stptui.config.envvars import EnvEntry, env_var_name, environments, injected_params
from stptui.config.loader import DataPath
from stptui.config.model import (
    CONTAINER_SERVICE_TYPES,
    DATA_STORE_TYPES,
    DEFAULT_BUS,
    HTTP_PAYLOAD_FORMAT,
    SERVICE_CONTAINER_NAME,
    WEB_SERVICE_ROUTE_METHOD,
    WEB_SERVICE_ROUTE_PATH,
    AppSyncApi,
    AppSyncTrigger,
    BatchJob,
    Bucket,
    CloudWatchLogTrigger,
    Containerized,
    ContainerService,
    ContainerWorkload,
    EventBus,
    EventBusTrigger,
    Function,
    HttpApiGateway,
    HttpTrigger,
    KafkaTopicTrigger,
    Queue,
    Ref,
    Resource,
    S3Trigger,
    ScheduleTrigger,
    SnsTopic,
    SnsTrigger,
    SqsTrigger,
    Stack,
    StateMachine,
    Trigger,
    UserAuthPool,
    WebServiceEntry,
    WebSocketTrigger,
    Workload,
    schedule_node_id,
)
from stptui.textsafe import json_text

# -- vocabulary ------------------------------------------------------------------------------

TRIGGER = "trigger"
CONNECT = "connect"
REDRIVE = "redrive"
DELIVERY_FAILURE = "delivery-failure"
DESTINATION = "destination"
BUS_NOTIFICATION = "bus-notification"
TASK = "task"
READ = "read"
HOSTS = "hosts"
POLLS = "polls"
EDGE_KINDS: tuple[str, ...] = (
    TRIGGER,
    CONNECT,
    REDRIVE,
    DELIVERY_FAILURE,
    DESTINATION,
    BUS_NOTIFICATION,
    HOSTS,
    TASK,
    READ,
    POLLS,
)
# Edges along which a message, event, object or invocation actually travels (a record
# produced to a cluster travels through its topic, a polled queue's message to the worker
# that polls it). `connect` is only a permission (the code *may* use it), and `read` only
# fetches from its target, so neither is among them.
FLOW_KINDS: frozenset[str] = frozenset(
    {TRIGGER, REDRIVE, DELIVERY_FAILURE, DESTINATION, BUS_NOTIFICATION, HOSTS, TASK, POLLS}
)
# connectTo targets that come after the workload that connects to them in the layering: it
# fills the queue, it starts the state machine's executions.
_FED_BY_CONNECT: frozenset[str] = frozenset({"sqs-queue", "state-machine"})

DEFAULT_BUS_ID = "bus:default"
# The events whose trigger edge holds a stream mapping's settings (`_stream_settings`).
STREAM_VIAS = frozenset({"kinesis-stream", "dynamo-db-stream"})
KAFKA_TOPIC_KIND = "kafka-topic"
# A legacy Upstash topic is a resource of the stack, and the topic its readers read.
UPSTASH_TOPIC_KIND = "upstash-kafka-topic"
# The node edges of unresolved directives naming no resource of the stack come from.
UNRESOLVED_NODE = "unresolved"
# Directives whose first argument names a resource of the stack: today's `$ResourceParam`
# and its pre-3.x spellings, which `validate` refuses with the `$ResourceParam` to write.
_NAMING_DIRECTIVES = frozenset({"ResourceParam", "Param", "GetParam"})
# How a directive starts (`$ResourceParam(`), closed or not.
_DIRECTIVE_START = re.compile(r"\$[A-Za-z_]\w*\(")

# Node kinds that only start pipelines; they go in the first layer.
SOURCE_KINDS: frozenset[str] = frozenset(
    {
        "http-api-gateway",
        "schedule",
        "bucket",
        "event-bus",
        "sns-topic",
        "websocket-api-gateway",
        "appsync-api",
        "kafka-cluster",
        KAFKA_TOPIC_KIND,
    }
)
# connectTo targets the code can put work into: send, publish, put an object, invoke, start
# an execution.
SENDABLE_KINDS: frozenset[str] = frozenset(
    {"sqs-queue", "event-bus", "sns-topic", "bucket", "function", "batch-job", "state-machine"}
)
# Kinds drawn in the last layer unless something flows out of them.
_SINK_KINDS: frozenset[str] = DATA_STORE_TYPES | {
    "aws-service",
    "external",
    "missing",
    "email-sender",
}

Reach = Literal["triggers", "may-send"]


@dataclass(frozen=True, slots=True)
class PollEdge:
    """A queue that a container workload's code polls, as a behaviours file declares it
    (the config cannot say: a worker's code reads the queue itself). `pos` is where the
    `poll` item is written."""

    queue: str
    workload: str
    container: str
    pos: Position | None = None


# -- building --------------------------------------------------------------------------------


def build_graph(stack: Stack, polls: Iterable[PollEdge] = ()) -> nx.MultiDiGraph:
    """The graph of a stack: resources, what they reference, and every relationship; with
    `polls` (a behaviours file's `poll` items), a `polls` edge from each polled queue to
    the workload whose code polls it.

    Node attributes: `kind`, `label`, `props`, `file`, `line`, `column`, `missing`,
    `external`, `layer`, and `env` (a list of `{name, value, source}`) on functions, batch jobs
    and container workloads (with `container` too on a multi-container workload's).
    Edge attributes: `kind` plus the kind's own (see the module docstring and `EDGE_KINDS`),
    and the `file`/`line`/`column` where the relationship is written.
    """
    return _Builder(stack).build(polls)


class _Builder:
    """Adds nodes and edges for one stack; remembers where each synthetic node is first used."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.g = nx.MultiDiGraph(file=stack.file, stack_name=stack.stack_name)
        # (category, key) -> node id, for nodes that are not resources.
        self.ids: dict[tuple[str, str], str] = {}
        # node -> (line, column, file) of its earliest reference, for nodes placed by use.
        self.first_use: dict[str, tuple[int, int, str]] = {}
        self.injected: dict[str, list[EnvEntry]] = {}
        self.edge_ids: set[tuple[str, str, str]] = set()
        self.edges: list[tuple[str, str, str]] = []  # (u, v, kind), for the layering
        self.value_marks = stack.source.value_marks
        # The topic each simulated `kafka-topic` event reads, by (owner, index): the name
        # the simulator gives it, and its identity (see `_kafka_topics`).
        self.kafka: dict[tuple[str, int], tuple[str, tuple[str, str, tuple[str, ...], str]]] = {}
        self.alarms: dict[str, AlarmSpec] = {}  # by `resource.alarms.N`
        # (where, node, text) of each reference written as a directive that did not resolve:
        # the edge drawn to or from `node` for it (its path starts with `where`) says so.
        self.unresolved: list[tuple[DataPath, str, str]] = []

    def build(self, polls: Iterable[PollEdge] = ()) -> nx.MultiDiGraph:
        for res in self.stack.resources.values():
            self._add_resource(res)
        self._kafka_topics()
        self._alarms()
        for res in self.stack.resources.values():
            if isinstance(res, Workload):
                for trig in res.events:
                    self._trigger(trig)
                for ref in res.connect_to:
                    self._connect(res, ref)
                if isinstance(res, Function):
                    self._destination(res, "onSuccess", res.on_success)
                    self._destination(res, "onFailure", res.on_failure)
            elif isinstance(res, Queue):
                for trig in res.events:
                    self._trigger(trig)
                self._redrive(res)
            elif isinstance(res, Bucket) and res.event_bus_notifications:
                self._bus_notification(res)
            elif isinstance(res, StateMachine):
                self._tasks(res)
            elif isinstance(res, UserAuthPool):
                self._hooks(res)
            elif isinstance(res, Containerized):
                if isinstance(res, ContainerWorkload):
                    for trig in res.events:  # ingress: routes and load balancers into containers
                        self._trigger(trig)
                elif isinstance(res, ContainerService) and res.entry is not None:
                    self._entry_edges(res.entry)
                for ref in res.connect_to:
                    self._connect(res, ref)
        for poll in polls:
            self._poll(poll)
        for node, (line, column, file) in self.first_use.items():
            self.g.nodes[node].update(file=file, line=line, column=column)
        _assign_layers(self.g, self.edges)
        return self.g

    # -- nodes --

    def _add_resource(self, res: Resource) -> None:
        pos = self.stack.pos(res.path, key=True)
        attrs: dict[str, Any] = {
            "kind": res.type,
            "label": res.name,
            "props": _props(res),
            "file": pos.file,
            "line": pos.line,
            "column": pos.column,
            "missing": False,
            "external": False,
            "layer": 0,
        }
        if isinstance(res, Workload | Containerized):
            attrs["env"] = self._environment(res)
        self.g.add_node(res.name, **attrs)
        if isinstance(res, ContainerService) and res.entry is not None:
            self._add_entry(res.entry)

    def _add_entry(self, entry: WebServiceEntry) -> None:
        """The HTTP API or load balancer Stacktape makes for a web-service: a node of its
        own (`web.httpApiGateway`), next to the service's, where `loadBalancing` is written."""
        pos = self.stack.pos(entry.path, key=True)
        props: dict[str, Any] = {"service": entry.service}
        if entry.type == "http-api-gateway":
            props["payload_format"] = HTTP_PAYLOAD_FORMAT
        if entry.ports:
            props["listeners"] = ", ".join(f"{p.port} {p.protocol}" for p in entry.ports)
        self.g.add_node(
            entry.name,
            kind=entry.type,
            label=entry.name,
            props=props,
            file=pos.file,
            line=pos.line,
            column=pos.column,
            missing=False,
            external=False,
            layer=0,
        )

    def _entry_edges(self, entry: WebServiceEntry) -> None:
        """The ingress event Stacktape gives the service's container: the HTTP API's route,
        the load balancer's rule, or one per network load balancer port."""
        base: dict[str, Any] = {
            "via": entry.type,
            "owner": entry.service,
            "container": SERVICE_CONTAINER_NAME,
        }
        if entry.type == "http-api-gateway":
            base.update(method=WEB_SERVICE_ROUTE_METHOD, path=WEB_SERVICE_ROUTE_PATH)
        ports = [(p.port, p.container_port) for p in entry.ports] or [(None, entry.container_port)]
        for i, (listener, container_port) in enumerate(ports):
            attrs = {**base, "index": i, "container_port": container_port}
            if listener is not None:
                attrs["listener_port"] = listener
            self._edge(entry.name, entry.service, f"trigger:{i}", TRIGGER, entry.path, **attrs)

    def _alarms(self) -> None:
        """Each resource's alarms, as Stacktape compiles them, on its node (`alarms`: a
        list of `{reference, name, trigger, simulated}`); nodes without any have none."""
        for spec in resolve_alarms(self.stack):
            self.alarms[spec.reference] = spec
            self.g.nodes[spec.resource].setdefault("alarms", []).append(
                {
                    "reference": spec.reference,
                    "name": spec.aws_name,
                    "trigger": spec.trigger,
                    "simulated": spec.simulated,
                }
            )

    def _environment(self, w: Workload | Containerized) -> list[dict[str, Any]]:
        """`envvars.environments`, sharing each connected resource's entries; on a container
        workload each entry names its container, and a config entry that replaced a connectTo
        variable names the resources it `overrides`."""
        return [
            {"name": e.name, "value": e.value, "source": e.source}
            | ({"overrides": list(e.overrides)} if e.overrides else {})
            | ({} if container is None else {"container": container})
            for container, env in environments(self.stack, w, self.injected)
            for e in env
        ]

    def _synthetic(self, category: str, key: str, base_id: str, ref_path: Any, **attrs: Any) -> str:
        """The node for a non-resource thing, created on first use and placed at that use."""
        node = self.ids.get((category, key))
        if node is None:
            node = base_id
            n = 2
            # A resource with an invalid name (reported by normalize) may take any id.
            while node in self.g:
                node = f"{base_id}#{n}"
                n += 1
            self.ids[(category, key)] = node
            attrs.setdefault("props", {})
            attrs.setdefault("missing", False)
            attrs.setdefault("external", True)
            self.g.add_node(node, layer=0, file=self.stack.file, line=1, column=1, **attrs)
        self._note_use(node, ref_path)
        return node

    def _note_use(self, node: str, path: Any) -> None:
        pos = self.stack.pos(path)
        here = (pos.line, pos.column, pos.file)
        seen = self.first_use.get(node)
        # A use in the config itself comes before one inside a `$File` include.
        if seen is None or self._use_rank(here) < self._use_rank(seen):
            self.first_use[node] = here

    def _use_rank(self, use: tuple[int, int, str]) -> tuple[bool, int, int]:
        line, column, file = use
        return (file != self.stack.file, line, column)

    def _ref(self, ref: Ref | None) -> str | None:
        """The node a reference points at (creating missing/external/macro nodes)."""
        if ref is None:
            return None
        resources = self.stack.resources
        if ref.target is not None:
            target = ref.target
            if target in resources:
                res = resources[target]
                if isinstance(res, HttpApiGateway) and res.implicit:
                    self._note_use(target, ref.path)  # it is written nowhere: show its first route
                return target
            call = _unresolved_directive(target)
            if call is not False:  # a directive left as text where a name belongs
                return self._unresolved(call, target, ref.path)
            return self._missing(target, ref.path)
        raw = str(ref.raw)
        if ref.by == "macro":
            known = raw == "aws:ses"
            return self._synthetic(
                "aws",
                raw,
                raw,
                ref.path,
                kind="aws-service",
                label=raw,
                props={"grants": "ses:*" if known else "nothing (not a Stacktape macro)"},
            )
        if isinstance(ref.raw, CfResourceParamValue):
            return self._cf_resource(ref.raw, ref.path)
        if raw.startswith("arn:"):
            service = raw.split(":")[2] if raw.count(":") >= 2 else ""
            return self._synthetic(
                "arn", raw, raw, ref.path, kind="external", label=raw, props={"service": service}
            )
        if raw in resources:
            # A name written where an ARN belongs (lint's `arn-expected`): AWS and the
            # simulator find nothing there, so the edge leads to a missing node, not to the
            # resource of that name.
            label = f"{raw} (not an ARN)"
            return self._synthetic(
                "not-an-arn",
                raw,
                label,
                ref.path,
                kind="missing",
                label=label,
                missing=True,
                external=False,
            )
        call = _unresolved_directive(raw)
        if call is not False:
            return self._unresolved(call, raw, ref.path)
        return self._missing(raw, ref.path)

    def _unresolved(self, call: DirectiveCall | None, raw: str, path: DataPath) -> str:
        """The node a reference written as an unresolved directive is drawn from: the stack's
        resource the directive names, a missing node of that name, or the one `unresolved`
        node."""
        named = call.args[0] if call is not None and call.name in _NAMING_DIRECTIVES else None
        if isinstance(named, str) and named in self.stack.resources:
            node = named
        elif isinstance(named, str) and named:
            node = self._missing(named, path)  # as `$ResourceParam` of it would be drawn
        else:
            node = self._synthetic(
                "unresolved",
                "",
                UNRESOLVED_NODE,
                path,
                kind="missing",
                label=UNRESOLVED_NODE,
                missing=True,
                external=False,
            )
        self.unresolved.append((path, node, raw))
        return node

    def _cf_resource(self, value: CfResourceParamValue, path: Any) -> str:
        """The node of a `$CfResourceParam(logicalId, attr)` reference: the raw CloudFormation
        resource under `cloudformationResources`, or else an outside node (the logical id may
        be one Stacktape generates, which the config does not list)."""
        cfn_type = self.stack.cloudformation_resources.get(value.logical_id)
        if cfn_type is None:
            text = str(value)
            return self._synthetic(
                "arn", text, text, path, kind="external", label=text, props={"service": "cf"}
            )
        return self._synthetic(
            "cf",
            value.logical_id,
            f"cf:{value.logical_id}",
            path,
            kind="cloudformation-resource",
            label=value.logical_id,
            props={"cfn_type": cfn_type} if cfn_type else {},
            external=False,
        )

    def _missing(self, name: str, path: Any) -> str:
        return self._synthetic(
            "missing", name, name, path, kind="missing", label=name, missing=True, external=False
        )

    def _default_bus(self, path: Any) -> str:
        # A bus of the stack named `default` is another bus (`{stack}-default` in AWS), drawn
        # as the resource node `default`: the label keeps the two apart.
        shadowed = self.stack.default_bus_key != DEFAULT_BUS
        label = "default (account)" if shadowed else "default"
        return self._synthetic(
            "bus", "default", DEFAULT_BUS_ID, path, kind="event-bus", label=label
        )

    # -- edges --

    def _edge(self, u: str, v: str, key: str, kind: str, where: Any, **attrs: Any) -> None:
        ident = (u, v, key)
        if ident in self.edge_ids:
            return  # the same relationship written twice: keep the first
        self.edge_ids.add(ident)
        self.edges.append((u, v, kind))
        for path, node, raw in self.unresolved:
            if node in (u, v) and path[: len(where)] == where:
                attrs["unresolved"] = raw
                break
        mark = self.value_marks.get(where)  # the common case, without building a Position
        file = self.stack.file
        if mark is None:
            # Not written in the config itself: an ancestor's line, or a `$File` include's.
            pos = self.stack.pos(where)
            mark, file = (pos.line, pos.column), pos.file
        self.g.add_edge(u, v, key=key, kind=kind, file=file, line=mark[0], column=mark[1], **attrs)

    def _schedule_number(self, t: ScheduleTrigger) -> int:
        """`t`'s place among its owner's schedules, from 1: the number the simulator's rule
        and the commands use, so that one numbering is seen everywhere."""
        owner = self.stack.resources.get(t.owner)
        events = getattr(owner, "events", None) or [t]
        schedules = [e for e in events if isinstance(e, ScheduleTrigger)]
        return next((n for n, e in enumerate(schedules, 1) if e is t), 1)

    def _trigger(self, t: Trigger) -> None:
        attrs: dict[str, Any] = {"via": t.type, "owner": t.owner, "index": t.index}
        in_container = isinstance(self.stack.resources.get(t.owner), ContainerWorkload)
        source: str | None = None
        if isinstance(t, SqsTrigger):
            source = self._ref(t.queue)
            attrs.update(batch_size=t.batch_size, batch_window_s=t.max_batch_window_s)
        elif isinstance(t, ScheduleTrigger):
            number = self._schedule_number(t)
            source = self._synthetic(
                "schedule",
                f"{t.owner}:{number}",
                schedule_node_id(t.owner, number),
                (*t.path, "properties", "scheduleRate"),
                kind="schedule",
                label=t.rate,
                props={"expression": t.rate},
                external=False,
                owner=t.owner,
                index=t.index,
                number=number,
            )
            attrs["expression"] = t.rate
        elif isinstance(t, S3Trigger):
            source = self._ref(t.bucket)
            attrs.update(event_types=list(t.event_types), prefix=t.prefix, suffix=t.suffix)
        elif isinstance(t, EventBusTrigger):
            source = self._default_bus(t.path) if t.use_default_bus else self._ref(t.bus)
            attrs["pattern"] = t.pattern
            if t.message_group_id is not None:
                attrs["message_group_id"] = t.message_group_id
            self._delivery_failure(source, t, t.on_delivery_failure)
        elif isinstance(t, SnsTrigger):
            source = self._ref(t.topic)
            attrs["filter_policy"] = t.filter_policy
            self._delivery_failure(source, t, t.on_delivery_failure)
        elif isinstance(t, HttpTrigger):
            source = self._ref(t.gateway)
            gateway = self.stack.resources.get(source or "")
            fallback = (
                gateway.payload_format
                if isinstance(gateway, HttpApiGateway)
                else HTTP_PAYLOAD_FORMAT
            )
            attrs.update(method=t.method, path=t.route_path)
            if not in_container:  # a container gets the HTTP request, not a Lambda event
                attrs["payload_format"] = t.payload_format or fallback
            if t.authorizer is not None:
                auth = t.authorizer
                self._authorizer(source, t, auth.target, "http-authorizer", auth.type)
        elif isinstance(t, WebSocketTrigger):
            source = self._ref(t.gateway)
            attrs["route_key"] = t.route_key
            if t.authorizer_function is not None:
                self._authorizer(source, t, t.authorizer_function, "websocket-authorizer")
        elif isinstance(t, AppSyncTrigger):
            source = self._ref(t.api)
            attrs["field"] = t.field_name
        elif isinstance(t, KafkaTopicTrigger):
            topic = self._kafka_topic_node(t)
            if topic is not None and self.g.nodes[topic].get("kind") == UPSTASH_TOPIC_KIND:
                source = topic
                attrs["topic"] = topic
            elif topic is not None:
                source = topic
                # customKafkaConfiguration's topicName too, which the model keeps raw.
                attrs["topic"] = self.g.nodes[topic]["props"]["topic"]
            elif t.cluster is not None:  # not simulated (a cluster outside the stack)
                source = self._ref(t.cluster)
                attrs["topic"] = t.topic
            elif t.upstash is not None:  # an Upstash topic the stack lacks
                source = self._ref(t.upstash)
            elif isinstance(t.properties.get("customKafkaConfiguration"), dict):
                # Not simulated (no topicName or no bootstrap server): drawn all the same.
                source = self._unsimulated_topic(t)
                if "topic" in self.g.nodes[source]["props"]:
                    attrs["topic"] = self.g.nodes[source]["props"]["topic"]
        elif isinstance(t, CloudWatchLogTrigger):
            # A subscription filter: the log group's owner feeds the subscriber.
            source = self._ref(t.log_group)
            attrs.update(log_group=t.group, filter=t.filter_pattern)
        elif t.type == "cloudwatch-alarm":
            source = self._alarm_source(t, attrs)
        else:
            source = self._ref(self._generic_source(t))
            if t.type in STREAM_VIAS:
                attrs.update(_stream_settings(t.properties))
            self._stream_failure(t)
        if in_container:
            attrs.update(container=t.container, container_port=t.container_port)
        if source is not None:
            self._edge(source, t.owner, f"trigger:{t.index}", TRIGGER, t.path, **attrs)

    def _kafka_topics(self) -> None:
        """Name the topics the functions' `kafka-topic` events read as the simulator names
        them (`kafka.topic_groups`): a name two distinct topics share gets `@` and where each
        lives."""
        functions = {w.name for w in self.stack.workloads if isinstance(w, Function)}
        if not any(
            isinstance(t, KafkaTopicTrigger)
            for w in self.stack.workloads
            if w.name in functions
            for t in w.events
        ):
            return
        # Lazily: the simulator's Kafka module is needed only by a stack that reads a topic.
        from stptui.sim.services import kafka

        self.kafka = {
            (owner, trig.index): (g.name, (g.topic, g.cluster, tuple(g.servers), g.upstash))
            for g in kafka.topic_groups(self.stack, functions)
            for _, owner, trig in g.events
        }

    def _kafka_topic_node(self, t: KafkaTopicTrigger) -> str | None:
        """The node of the topic a simulated `kafka-topic` event reads, made at its first
        reader: outside the stack on self-managed brokers, or on the stack's cluster (with
        a `hosts` edge from it); a legacy Upstash topic is its resource's own node."""
        found = self.kafka.get((t.owner, t.index))
        if found is None:
            return None
        name, (topic, cluster, servers, upstash) = found
        if upstash:
            return upstash
        ppath = (*t.path, "properties")
        props: dict[str, Any] = {"topic": topic}
        if cluster:
            props["cluster"] = cluster
            where = (*ppath, "topicName")
        else:
            props["bootstrap_servers"] = ",".join(servers)
            where = (*ppath, "customKafkaConfiguration", "topicName")
        node = self._synthetic(
            "kafka",
            name,
            f"kafka:{name}",
            where,
            kind=KAFKA_TOPIC_KIND,
            label=name,
            props=props,
            external=not cluster,
        )
        if cluster:
            self._edge(cluster, node, HOSTS, HOSTS, (*ppath, "kafkaClusterName"), topic=topic)
        return node

    def _unsimulated_topic(self, t: KafkaTopicTrigger) -> str:
        """The node of a self-managed `kafka-topic` event the simulator cannot read (its
        `customKafkaConfiguration` lacks `topicName` or a bootstrap server), so that the
        function still shows what triggers it: `kafka:NAME (not simulated)`, one per
        event, with the field it lacks."""
        custom = t.properties.get("customKafkaConfiguration")
        custom = custom if isinstance(custom, dict) else {}
        topic = custom.get("topicName")
        topic = topic if isinstance(topic, str) and topic else None
        lacks = "bootstrapServers" if topic else "topicName"
        name = f"{topic or '?'} (not simulated)"
        return self._synthetic(
            "kafka-unsimulated",
            f"{t.owner}:{t.index}",
            f"kafka:{name}",
            (*t.path, "properties"),
            kind=KAFKA_TOPIC_KIND,
            label=name,
            props={
                **({"topic": topic} if topic else {}),
                "not_simulated": f"customKafkaConfiguration has no {lacks}",
            },
        )

    def _alarm_source(self, t: Trigger, attrs: dict[str, Any]) -> str | None:
        """The node a `cloudwatch-alarm` event is triggered from: the resource whose alarm
        its `alarmName` names (as the simulator resolves it, `resource.alarms.N`), else a
        missing node of that name; None when it names nothing."""
        name = t.properties.get("alarmName")
        if not isinstance(name, str):
            return None
        attrs["alarm"] = name
        spec = self.alarms.get(name)
        if spec is None:
            return self._missing(name, (*t.path, "properties", "alarmName"))
        return spec.resource

    def _authorizer(
        self,
        gateway: str | None,
        t: HttpTrigger | WebSocketTrigger,
        target: Ref | None,
        via: str,
        kind: str = "lambda",
    ) -> None:
        """The authorizer that decides before the route `t` (an HTTP API's) or on `$connect`
        (a WebSocket API's), keyed by the route's owner and index and placed where the
        authorizer is named. A `lambda` one is a function the gateway invokes: an edge from
        the gateway to it (without it the function looked triggered by nothing, though every
        request to the route invokes it). A `cognito` one is a JWT authorizer that takes the
        tokens a user pool issues: an edge from the pool to the gateway whose route it
        guards (`show routes` names both kinds in its `authorizer` column)."""
        node = self._ref(target)
        if gateway is None or node is None or target is None:
            return
        u, v = (node, gateway) if kind == "cognito" else (gateway, node)
        self._edge(
            u,
            v,
            f"authorizer:{t.owner}:{t.index}",
            TRIGGER,
            target.path,
            via=via,
            owner=t.owner,
            index=t.index,
            route_key=t.route_key,
            authorizer=kind,
        )

    def _generic_source(self, t: Trigger) -> Ref | None:
        """The source of an integration the model keeps raw (streams, load balancers)."""
        ppath = (*t.path, "properties")
        for key in ("kinesisStreamName", "loadBalancerName"):
            value = t.properties.get(key)
            if isinstance(value, str):
                return Ref(raw=value, path=(*ppath, key), target=value, by="name")
        value = t.properties.get("streamArn")
        if isinstance(value, str):
            target = getattr(value, "resource", None)  # a $ResourceParam(...) value
            # A $CfResourceParam(...) value stays one: it is drawn from the CloudFormation
            # resource it names (as an `onFailure` destination of the same kind is).
            raw = value if isinstance(value, CfResourceParamValue) else str(value)
            return Ref(raw=raw, path=(*ppath, "streamArn"), target=target, by="arn")
        return None

    def _delivery_failure(self, source: str | None, t: Trigger, dlq: Ref | None) -> None:
        target = self._ref(dlq)
        if source is None or target is None or dlq is None:
            return
        self._edge(
            source,
            target,
            f"delivery-failure:{t.owner}:{t.index}",
            DELIVERY_FAILURE,
            dlq.path,
            rule_owner=t.owner,
            rule_index=t.index,
        )

    def _connect(self, w: Workload | Containerized, ref: Ref) -> None:
        target = self._ref(ref)
        if target is None:
            return
        res = self.stack.resources.get(target)
        env = [env_var_name(res.name, p) for p in injected_params(res)] if res else []
        self._edge(w.name, target, "connect", CONNECT, ref.path, env=env)

    def _poll(self, poll: PollEdge) -> None:
        """A `polls` edge, placed where the behaviours file writes the item."""
        if poll.queue not in self.g or poll.workload not in self.g:
            return  # the behaviours file named something else: it reported that
        ident = (poll.queue, poll.workload, f"polls:{poll.container}")
        if ident in self.edge_ids:
            return
        self.edge_ids.add(ident)
        self.edges.append((poll.queue, poll.workload, POLLS))
        pos = poll.pos or self.stack.pos(self.stack.resources[poll.workload].path, key=True)
        self.g.add_edge(
            poll.queue,
            poll.workload,
            key=ident[2],
            kind=POLLS,
            container=poll.container,
            file=pos.file,
            line=pos.line,
            column=pos.column,
        )

    def _hooks(self, pool: UserAuthPool) -> None:
        """A trigger edge from a user pool to each function its `hooks` name (Cognito
        invokes them synchronously), labelled with the hook."""
        for index, (hook, ref) in enumerate(pool.hooks.items()):
            target = self._ref(ref)
            if target is not None:
                owner = ref.target or target
                self._edge(
                    pool.name,
                    target,
                    f"hook:{hook}",
                    TRIGGER,
                    ref.path,
                    via="user-auth-pool",
                    owner=owner,
                    index=index,
                    hook=hook,
                )

    def _destination(self, fn: Function, condition: str, ref: Ref | None) -> None:
        target = self._ref(ref)
        if target is not None and ref is not None:
            self._edge(
                fn.name,
                target,
                f"destination:{condition}",
                DESTINATION,
                ref.path,
                condition=condition,
            )

    def _tasks(self, machine: StateMachine) -> None:
        """An edge to each stack resource a state names (nested in Parallel branches and
        Map processors too), found as the simulator finds it (`asl_targets.named_targets`):
        a `task` edge to what a Task state invokes, sends to, publishes to, puts events on,
        writes an item to, submits a job to or starts an execution of, and a `read` edge to
        the table a `dynamodb:getItem` reads and the bucket a Distributed Map's ItemReader
        reads. A target outside the stack, or only known at run time, has no edge."""
        # Lazily, as lint_state_machines does: only a stack with a state machine needs it.
        from stptui.sim import asl_targets

        for named in asl_targets.named_targets(self.stack, machine.definition):
            name = asl_targets.state_name(named.path)
            where = (*machine.definition_path, *named.path, *named.where)
            if named.target == asl_targets.DEFAULT_BUS:
                target = self._default_bus(where)
            else:
                target = named.target
            attrs: dict[str, Any] = {
                "state": name,
                "action": named.action,
                "integration": named.resource,
            }
            if named.waits is not None:
                attrs["waits"] = named.waits
            kind = READ if named.action in asl_targets.READ_ACTIONS else TASK
            self._edge(machine.name, target, f"{kind}:{name}", kind, where, **attrs)

    def _stream_failure(self, t: Trigger) -> None:
        """A Kinesis or DynamoDB stream event's `onFailure`: where the event source mapping
        sends the record of a batch it gives up on, drawn as the workload's destination."""
        failure = t.properties.get("onFailure") if t.type.endswith("-stream") else None
        arn = failure.get("arn") if isinstance(failure, dict) else None
        if not isinstance(arn, str):
            return
        path = (*t.path, "properties", "onFailure", "arn")
        ref = Ref(raw=arn, path=path, target=getattr(arn, "resource", None), by="arn")
        target = self._ref(ref)
        if target is not None:
            self._edge(
                t.owner,
                target,
                f"destination:onFailure:{t.index}",
                DESTINATION,
                path,
                condition="onFailure",
                via=t.type,
            )

    def _redrive(self, q: Queue) -> None:
        target = self._ref(q.redrive_target)
        if target is not None and q.redrive_target is not None:
            self._edge(
                q.name,
                target,
                "redrive",
                REDRIVE,
                q.redrive_target.path,
                max_receive_count=q.max_receive_count,
            )

    def _bus_notification(self, b: Bucket) -> None:
        path = (*b.path, "properties", "enableEventBusNotifications")
        bus = self._default_bus(path)
        self._edge(b.name, bus, "bus-notification", BUS_NOTIFICATION, path)


def _props(res: Resource) -> dict[str, Any]:
    """The few properties worth showing next to a node's name."""
    if isinstance(res, Function):
        props: dict[str, Any] = {"timeout_s": res.timeout_s, "memory_mb": res.memory_mb}
        if res.runtime:
            props["runtime"] = res.runtime
        if res.reserved_concurrency is not None:
            props["reserved_concurrency"] = res.reserved_concurrency
        if res.url_enabled:
            props["url"] = True
        return props
    if isinstance(res, BatchJob):
        props = {"cpu": res.cpu, "memory_mb": res.memory_mb, "attempts": res.attempts}
        if res.timeout_s is not None:
            props["timeout_s"] = res.timeout_s
        if res.gpu:
            props["gpu"] = res.gpu
        if res.use_spot:
            props["spot"] = True
        return props
    if isinstance(res, Queue):
        props = {"visibility_timeout_s": res.visibility_timeout_s, "fifo": res.fifo}
        if res.max_receive_count is not None:
            props["max_receive_count"] = res.max_receive_count
        if res.delay_s:
            props["delay_s"] = res.delay_s
        return props
    if isinstance(res, HttpApiGateway):
        props = {"payload_format": res.payload_format}
        if res.implicit:
            props["implicit"] = True
        return props
    if isinstance(res, EventBus):
        return {"archive": True} if res.archive_enabled else {}
    if isinstance(res, Bucket):
        return {"event_bus_notifications": True} if res.event_bus_notifications else {}
    if isinstance(res, SnsTopic):
        return {"fifo": res.fifo}
    if isinstance(res, AppSyncApi):
        return {"auth": res.authentication} if res.authentication else {}
    engine = res.properties.get("engine")
    if res.type == "relational-database" and isinstance(engine, dict):
        engine_type = engine.get("type")
        return {"engine": engine_type} if isinstance(engine_type, str) else {}
    return {}


# -- layers ----------------------------------------------------------------------------------


def _assign_layers(g: nx.MultiDiGraph, edges: Iterable[tuple[str, str, str]] | None = None) -> None:
    """Set each node's `layer`: sources first, the pipeline in flow order, sinks last.

    Longest-path layering over the flow edges plus `connect` edges into queues and state
    machines (so a producer comes before the queue it fills, a starter before the state
    machine whose executions it starts); the members of a cycle share one layer (networkx's
    condensation). Dead-letter queues nothing consumes, data stores, services and missing
    nodes that nothing flows out of go after everything else.
    """
    kinds: dict[str, str] = dict(g.nodes(data="kind"))
    succ: dict[str, list[str]] = {n: [] for n in g}
    dead_letter: set[str] = set()
    has_out: set[str] = set()
    listed = list(g.edges(data="kind") if edges is None else edges)
    # A worker's connectTo of the queue it polls is for reading it: the queue comes first.
    polled = {(v, u) for u, v, kind in listed if kind == POLLS}
    for u, v, kind in listed:
        if kind == CONNECT and (u, v) in polled:
            continue
        if kind in FLOW_KINDS:
            has_out.add(u)
            if kind in (REDRIVE, DELIVERY_FAILURE):
                dead_letter.add(v)
        elif not (kind == CONNECT and kinds[v] in _FED_BY_CONNECT):
            continue
        succ[u].append(v)
    sinks = {
        n
        for n, k in kinds.items()
        if n not in has_out and (k in _SINK_KINDS or (n in dead_letter and k == "sqs-queue"))
    }
    layers = _longest_path_layers(
        {n: [v for v in vs if v not in sinks] for n, vs in succ.items() if n not in sinks},
        lambda n: 0 if kinds[n] in SOURCE_KINDS else 1,
    )
    last = max(layers.values(), default=-1) + 1
    for n, attrs in g.nodes(data=True):
        attrs["layer"] = last if n in sinks else layers[n]


def _longest_path_layers(succ: dict[str, list[str]], base: Callable[[str], int]) -> dict[str, int]:
    """layer(v) = max(base(v), layer(u) + 1 for each edge u -> v), cycles collapsed.

    Kahn's algorithm does the usual acyclic stack in linear time without building another
    graph; only when a cycle is left does networkx condense the remainder.
    """
    indegree = dict.fromkeys(succ, 0)
    for vs in succ.values():
        for v in vs:
            indegree[v] += 1
    layer = {n: base(n) for n in succ}
    ready = deque(n for n, d in indegree.items() if d == 0)
    while ready:
        u = ready.popleft()
        for v in succ[u]:
            layer[v] = max(layer[v], layer[u] + 1)
            indegree[v] -= 1
            if indegree[v] == 0:
                ready.append(v)
    rest = [n for n, d in indegree.items() if d > 0]
    if not rest:
        return layer
    # Every node left is on a cycle or after one; the layers found so far are lower bounds.
    flow = nx.DiGraph()
    flow.add_nodes_from(rest)
    flow.add_edges_from((u, v) for u in rest for v in succ[u])
    cond = nx.condensation(flow)
    for c in nx.topological_sort(cond):
        members = cond.nodes[c]["members"]
        level = max(
            [
                *(layer[n] for n in members),
                *(layer[next(iter(cond.nodes[p]["members"]))] + 1 for p in cond.predecessors(c)),
            ]
        )
        for n in members:
            layer[n] = level
    return layer


# -- queries ---------------------------------------------------------------------------------


def kafka_topic_nodes(g: nx.MultiDiGraph) -> dict[str, str]:
    """The node of each Kafka topic, by the name the simulator knows it by (its label; a
    legacy Upstash topic is its resource, known by the resource's name); the topics it does
    not simulate (`not_simulated` among their props) are left out."""
    return {
        n if attrs.get("kind") == UPSTASH_TOPIC_KIND else str(attrs.get("label")): n
        for n, attrs in g.nodes(data=True)
        if attrs.get("kind") in (KAFKA_TOPIC_KIND, UPSTASH_TOPIC_KIND)
        and "not_simulated" not in attrs.get("props", {})
    }


def kafka_topic_name(g: nx.MultiDiGraph, node: str | None) -> str | None:
    """The name the simulator knows the Kafka topic drawn as `node` by: a topic node's
    label (the node is `kafka:NAME`), a legacy Upstash topic's resource name; None for a
    node that is no Kafka topic. (A topic the simulator lacks has no entry under it.)"""
    attrs = g.nodes.get(node) if node is not None else None
    if attrs is None:
        return None
    kind = attrs.get("kind")
    if kind == KAFKA_TOPIC_KIND:
        return str(attrs.get("label"))
    return node if kind == UPSTASH_TOPIC_KIND else None


def _check(g: nx.MultiDiGraph, node: str) -> None:
    if node not in g:
        raise nx.NodeNotFound(f"no node {node!r} in the graph")


def _in_graph_order(g: nx.MultiDiGraph, nodes: Iterable[str]) -> list[str]:
    wanted = set(nodes)
    return [n for n in g if n in wanted]


def _walk(start: str, step: Callable[[str], Iterator[str]]) -> set[str]:
    seen: set[str] = set()
    todo = deque([start])
    while todo:
        for nxt in step(todo.popleft()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    seen.discard(start)
    return seen


def _flow_out(g: nx.MultiDiGraph, node: str) -> Iterator[str]:
    for _, v, kind in g.out_edges(node, data="kind"):
        if kind in FLOW_KINDS:
            yield v


def _flow_in(g: nx.MultiDiGraph, node: str) -> Iterator[str]:
    for u, _, kind in g.in_edges(node, data="kind"):
        if kind in FLOW_KINDS:
            yield u


def _sends(g: nx.MultiDiGraph, node: str) -> Iterator[str]:
    """Where a workload's code may put work: its connectTo targets that accept some."""
    for _, v, kind in g.out_edges(node, data="kind"):
        if kind == CONNECT and g.nodes[v].get("kind") in SENDABLE_KINDS:
            yield v


def downstream(g: nx.MultiDiGraph, node: str) -> list[str]:
    """Every node that something arriving at `node` flows on to (trigger, redrive,
    delivery-failure, destination, bus-notification and task edges; not connect or read), in
    graph order."""
    _check(g, node)
    return _in_graph_order(g, _walk(node, lambda n: _flow_out(g, n)))


def upstream(g: nx.MultiDiGraph, node: str) -> list[str]:
    """Every node whose traffic can flow into `node` (the reverse of `downstream`)."""
    _check(g, node)
    return _in_graph_order(g, _walk(node, lambda n: _flow_in(g, n)))


def reachable_from_stimulus(g: nx.MultiDiGraph, node: str) -> dict[str, Reach]:
    """What a message, event, upload, request or invocation into `node` can reach.

    "triggers": reached along configured flow edges (it will happen, or happens on failure).
    "may-send": reached only because a workload on the way is connected to a queue, bus,
    topic, bucket, function, batch job or state machine, so its code may send there (and
    what that then triggers). `node` itself is not in the result. Order: discovery order.
    """
    _check(g, node)
    result: dict[str, Reach] = {}
    definite = deque([node])
    seen = {node}
    while definite:
        for nxt in _flow_out(g, definite.popleft()):
            if nxt not in seen:
                seen.add(nxt)
                result[nxt] = "triggers"
                definite.append(nxt)
    maybe = deque([node, *result])
    while maybe:
        current = maybe.popleft()
        steps = list(_sends(g, current))
        if current not in result or result[current] == "may-send":
            steps += _flow_out(g, current)
        for nxt in steps:
            if nxt not in seen:
                seen.add(nxt)
                result[nxt] = "may-send"
                maybe.append(nxt)
    return result


# The resource types whose code (or, a state machine's, whose states) the simulator runs.
RUNNING_TYPES: frozenset[str] = frozenset(
    ("function", "batch-job", "state-machine", "multi-container-workload", *CONTAINER_SERVICE_TYPES)
)


def sets_work_off(g: nx.MultiDiGraph, node: str) -> bool:
    """Whether work put into `node` (a message, an upload, an item) runs a resource of
    RUNNING_TYPES for sure, along flow edges (what `reachable_from_stimulus` calls
    "triggers"): an upload to a bucket nothing is notified of does not. It stops at the
    first, as a stack of hundreds of queues asks it of each."""
    _check(g, node)
    seen = {node}
    todo = [node]
    while todo:
        for nxt in _flow_out(g, todo.pop()):
            if nxt in seen:
                continue
            if g.nodes[nxt].get("kind") in RUNNING_TYPES:
                return True
            seen.add(nxt)
            todo.append(nxt)
    return False


def neighbourhood(g: nx.MultiDiGraph, node: str, radius: int = 1) -> nx.MultiDiGraph:
    """A copy of the subgraph within `radius` edges of `node`, ignoring direction."""
    _check(g, node)
    seen = {node}
    frontier = [node]
    for _ in range(max(radius, 0)):
        nxt: list[str] = []
        for n in frontier:
            for m in (*g.successors(n), *g.predecessors(n)):
                if m not in seen:
                    seen.add(m)
                    nxt.append(m)
        frontier = nxt
    return g.subgraph(seen).copy()


# -- safe text -------------------------------------------------------------------------------


def _clean(text: object) -> str:
    """Text for a terminal: control and format characters shown as escapes, never emitted."""
    s = str(text)
    if s.isprintable():
        return s
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in s)


_SAFE = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ._-/:,+=@*'?!$^~")


def _entities(text: object, style: str) -> str:
    """Every character outside a small safe set as a numeric entity (`#n;` or `&#n;`)."""
    s = str(text)
    prefix = "#" if style == "mermaid" else "&#"
    return "".join(c if c in _SAFE else f"{prefix}{ord(c)};" for c in s)


def _compact(value: Any, limit: int = 72) -> str:
    text = json_text(_jsonable(value), separators=(",", ":"))
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _unresolved_directive(raw: str) -> DirectiveCall | Literal[False] | None:
    """What a reference's text is when it is a directive left unresolved (the config's
    directives resolve before the graph is built, so one still here failed): its call, or
    None when it is too malformed to parse (an unclosed `$Param('x'` among them, which
    `validate` reports as `directive-incomplete`); False when the text is no directive."""
    try:
        call = parse_directive(raw)
    except DirectiveSyntaxError:
        return None
    if call is None:
        # Stacktape keeps an unclosed directive as text; no resource name starts `$Name(`,
        # so it is drawn as the other broken directives, never as a node named after it.
        return None if _DIRECTIVE_START.match(raw) else False
    return call


# -- descriptions shared by the exports --


def _node_summary(attrs: dict[str, Any]) -> str:
    """`kind, key props` for a node, e.g. `sqs-queue, visibility 300s, maxReceiveCount 3`."""
    if attrs.get("missing"):
        return "missing"
    parts = [str(attrs.get("kind", "?"))]
    p = attrs.get("props") or {}
    names = (
        ("timeout_s", "timeout {}s"),
        ("memory_mb", "memory {}MB"),
        ("cpu", "cpu {}"),
        ("attempts", "attempts {}"),
        ("gpu", "gpu {}"),
        ("runtime", "{}"),
        ("reserved_concurrency", "reserved {}"),
        ("visibility_timeout_s", "visibility {}s"),
        ("max_receive_count", "maxReceiveCount {}"),
        ("delay_s", "delay {}s"),
        ("payload_format", "payload {}"),
        ("expression", "{}"),
        ("engine", "{}"),
        ("grants", "grants {}"),
        ("cfn_type", "{}"),
        ("auth", "auth {}"),
        ("service", "of {}"),
        ("listeners", "listeners {}"),
    )
    for key, fmt in names:
        if key in p and p[key] is not None:
            parts.append(fmt.format(p[key]))
    for flag in ("fifo", "spot", "url", "implicit", "archive", "event_bus_notifications"):
        if p.get(flag) is True:
            parts.append(flag.replace("_", " "))
    if attrs.get("external") and attrs.get("kind") != "external":
        parts.append("external")
    alarms = alarm_count(attrs)
    if alarms:
        parts.append(alarms)
    return ", ".join(parts)


def alarm_count(attrs: dict[str, Any]) -> str:
    """`1 alarm`, `3 alarms` for a node with Stacktape `alarms`; empty for one without."""
    n = len(attrs.get("alarms") or ())
    return f"{n} alarm{'s' * (n != 1)}" if n else ""


def _trigger_label(d: dict[str, Any]) -> str:
    label = _via_label(d)
    if "container" not in d:
        return label
    # Which container (and port) of a container workload receives the traffic.
    where = f"container {d.get('container') or '?'}"
    if d.get("container_port") is not None:
        where += f":{d['container_port']}"
    return f"{label[:-1]}, {where})" if label.endswith(")") else f"{label}({where})"


def _stream_settings(props: dict[str, Any]) -> dict[str, Any]:
    """A `kinesis-stream` or `dynamo-db-stream` event's mapping settings as the simulator
    applies them (`stream.Settings`: Lambda's defaults for what the event leaves out), in
    the edge's attributes; its `onFailure` is an edge of its own (`_stream_failure`)."""
    # Imported here: the simulator's stream module is needed only by a stack with a stream.
    from stptui.sim.services.stream import Settings

    s = Settings(props)
    return {
        "batch_size": s.batch_size,
        "batch_window_s": props["maxBatchWindowSeconds"] if s.window_ms else None,
        "starting_position": "LATEST" if s.latest else "TRIM_HORIZON",
        "parallelization_factor": s.parallel,
        "maximum_retry_attempts": None if s.max_retries < 0 else s.max_retries,
        "bisect_batch_on_function_error": s.bisect,
        "enhanced_fan_out": s.push,
    }


def _batching(d: dict[str, Any]) -> list[str]:
    """`batch N` and `window Ns` of a mapping's edge, as an SQS and a stream edge say them."""
    bits = [f"batch {d.get('batch_size')}"]
    if d.get("batch_window_s") is not None:
        bits.append(f"window {d['batch_window_s']}s")
    return bits


def _stream_label(via: str, d: dict[str, Any]) -> str:
    """`kinesis-stream(batch 100, window 5s, from LATEST, parallel 2, 3 retries, bisect)`:
    the batch always, the other settings when they are not Lambda's defaults (TRIM_HORIZON,
    parallelization 1, retries until the records expire, no bisection, shared throughput)."""
    bits = _batching(d)
    if d.get("starting_position") == "LATEST":
        bits.append("from LATEST")
    if (d.get("parallelization_factor") or 1) > 1:
        bits.append(f"parallel {d['parallelization_factor']}")
    retries = d.get("maximum_retry_attempts")
    if retries is not None:
        bits.append(f"{retries} retr{'y' if retries == 1 else 'ies'}")
    if d.get("bisect_batch_on_function_error"):
        bits.append("bisect")
    if d.get("enhanced_fan_out"):
        bits.append("fan-out")
    return f"{via}({', '.join(bits)})"


def _via_label(d: dict[str, Any]) -> str:
    via = d.get("via", "")
    if via == "sqs":
        return f"sqs({', '.join(_batching(d))})"
    if via in STREAM_VIAS and "batch_size" in d:
        return _stream_label(via, d)
    if via == "http-api-gateway":
        # The route key as API Gateway writes it (`show routes`, a request's `routeKey`):
        # Stacktape's `method: '*'` is the route `ANY`.
        method = d.get("method")
        return f"http({'ANY' if method == '*' else method} {d.get('path')})"
    if via == "network-load-balancer" and d.get("listener_port") is not None:
        return f"{via}(:{d['listener_port']})"
    if via == "schedule":
        return f"schedule({d.get('expression')})"
    if via == "s3":
        bits = [" ".join(d.get("event_types") or [])]
        if d.get("prefix") is not None:
            bits.append(f"prefix {d['prefix']}")
        if d.get("suffix") is not None:
            bits.append(f"suffix {d['suffix']}")
        return f"s3({', '.join(b for b in bits if b)})"
    if via == "event-bus":
        return f"event-bus({_compact(d.get('pattern'))})"
    if via == "sns":
        fp = d.get("filter_policy")
        return f"sns(filter {_compact(fp)})" if fp else "sns"
    if via == "websocket-api-gateway":
        return f"websocket({d.get('route_key')})"
    if via in ("websocket-authorizer", "http-authorizer"):
        return f"authorizer(of {d.get('owner')} {d.get('route_key')})"
    if via == "appsync-api":
        return f"appsync({d.get('field')})"
    if via == "user-auth-pool":
        return f"hook({d.get('hook')})"
    if via == "kafka-topic" and d.get("topic") is not None:
        return f"kafka({d['topic']})"
    if via == "cloudwatch-alarm" and d.get("alarm") is not None:
        return f"cloudwatch-alarm({d['alarm']})"
    if via == "cloudwatch-log":
        # The subscription filter decides which lines are delivered: empty passes them all.
        fp = d.get("filter")
        return f"cloudwatch-log(filter {fp})" if isinstance(fp, str) and fp.strip() else via
    return str(via)


def edge_label(d: dict[str, Any]) -> str:
    """A short description of an edge, e.g. `sqs(batch 1)` or `redrive(after 3)`; an edge of
    a reference whose directive did not resolve ends in `[unresolved $Param(...)]`."""
    label = _kind_label(d)
    unresolved = d.get("unresolved")
    return label if unresolved is None else f"{label} [unresolved {unresolved}]"


def _kind_label(d: dict[str, Any]) -> str:
    kind = d.get("kind")
    if kind == TRIGGER:
        return _trigger_label(d)
    if kind == REDRIVE:
        return f"redrive(after {d.get('max_receive_count')})"
    if kind == DELIVERY_FAILURE:
        return f"delivery-failure(rule of {d.get('rule_owner')})"
    if kind == DESTINATION:
        return f"destination({d.get('condition')})"
    if kind in (TASK, READ):
        return _state_label(d)
    if kind == HOSTS:
        return f"hosts({d.get('topic')})"
    if kind == POLLS:
        return f"polls(container {d.get('container')})"
    return str(kind)


def _state_label(d: dict[str, Any]) -> str:
    """`task(ChargeCard)` for a function a state invokes, else what the state does to its
    target: `sends(Ship)`, `starts-execution(Child, sync:2)`, `reads-items(Each)`."""
    action = d.get("action")
    head = "task" if action in (None, "invokes") else str(action)
    waits = d.get("waits")
    return f"{head}({d.get('state')}{'' if waits is None else f', {waits}'})"


def _text_order(g: nx.MultiDiGraph) -> list[str]:
    index = {n: i for i, n in enumerate(g)}
    return sorted(g, key=lambda n: (g.nodes[n].get("layer", 0), index[n]))


# -- exports ---------------------------------------------------------------------------------


# How far in a folded line goes on: a connect edge's variables, a trigger's settings or
# pattern, the rest of a long node line. Where that would leave fewer than MIN_FOLD_ROOM
# cells (a narrow terminal), NARROW_INDENT.
ENV_INDENT = 6
NARROW_INDENT = 4
MIN_FOLD_ROOM = 20
# Where `_fill` may break a line, coarsest first: after a comma, at a space, and inside
# JSON between a key, a colon and an opening bracket (`"detail":` `{` `"status":` `[`).
_COMMAS, _SPACES, _JSON = range(3)


def to_text(g: nx.MultiDiGraph, width: int | None = None) -> str:
    """A terminal-readable listing: each node with kind and key properties, then its edges.

    Nodes come in layer order (sources first). Lines look like
    `jobQueue --sqs(batch 1)--> worker`, `jobQueue --redrive(after 3)--> deadLetterQueue`
    and `api ..connect..> jobQueue [STP_JOB_QUEUE_ARN STP_JOB_QUEUE_URL STP_JOB_QUEUE_NAME]`.
    With `width` (a terminal's), a line longer than that is folded: an edge keeps its
    source, arrow and target on its line (`eventBus --event-bus--> onOrder`) and what the
    edge carries, a connect's variables in `[...]`, a trigger's settings or pattern in
    `(...)`, goes on under it, ENV_INDENT in, as much to a line as fits (`_fill`); a
    database's five names made a line of 150 columns, an event pattern one of 107, which a
    terminal of 80 broke mid-word. Without it each edge is one line, as a pipe to grep
    wants it.
    """
    n, e = len(g), len(g.edges)
    lines = [
        f"stack {_clean(g.graph.get('stack_name', ''))}: "
        f"{n} node{'' if n == 1 else 's'}, {e} edge{'' if e == 1 else 's'}"
    ]
    if width is not None:
        lines = _fill(lines[0], "", _indent(width), width)
    for n in _text_order(g):
        attrs = g.nodes[n]
        node = f"{_clean(n)} ({_clean(_node_summary(attrs))})"
        lines += [node] if width is None else _fill(node, "", _indent(width), width)
        for _, v, d in g.out_edges(n, data=True):
            target = _clean(v) + (" (missing)" if g.nodes[v].get("missing") else "")
            unresolved = d.get("unresolved")
            if unresolved is not None:
                target += f" [unresolved {_clean(unresolved)}]"
            connect = d.get("kind") == CONNECT
            if connect:
                env = d.get("env") or []
                head = f"{_clean(n)} ..connect..> {target}"
                carried = f"[{' '.join(_clean(e) for e in env)}]" if env else None
                whole = f"  {head} {carried}" if carried else f"  {head}"
            else:
                label = _clean(_kind_label(d))
                whole = f"  {_clean(n)} --{label}--> {target}"
            if width is None or cell_len(whole) <= width:
                lines.append(whole)
                continue
            if not connect:
                via, paren, settings = label.partition("(")
                carried = paren + settings if paren and settings.endswith(")") else None
                head = f"{_clean(n)} --{via}--> {target}" if carried else whole[2:]
            lines += _folded_edge(head, carried, width)
    return "\n".join(lines) + "\n"


def _indent(width: int) -> str:
    return " " * (ENV_INDENT if width - ENV_INDENT >= MIN_FOLD_ROOM else NARROW_INDENT)


def _folded_edge(head: str, carried: str | None, width: int) -> list[str]:
    """An edge's line too long for `width`: `  SOURCE --VIA--> TARGET` (broken at spaces if
    even that is too long), then what it carries (`[NAMES]`, `(SETTINGS)`), indented, its
    lines after the first one more, past the bracket."""
    indent = _indent(width)
    lines = _fill(head, "  ", indent, width, _SPACES)
    if carried is not None:
        lines += _fill(carried, indent, indent + " ", width)
    return lines


def _fill(text: str, first: str, rest: str, width: int, level: int = _COMMAS) -> list[str]:
    """`text` on lines of at most `width` cells, the first begun with `first`, the others
    with `rest`. It breaks after a comma where it can, else at a space, else inside JSON
    between a key and its value or after an opening bracket: each piece that fits on a
    line of its own starts one when it does not fit on the line before, and a piece too
    long for any line is broken at the next finer kind of place. Never inside a quoted
    string, nor a name: a piece that cannot be broken and is longer than a line has a line
    of its own, as long as it is (the terminal wraps it, and copies it whole)."""
    lines: list[str] = []
    line, fresh = first, True

    def place(piece: str, sep: str, level: int) -> None:
        nonlocal line, fresh
        if not fresh:
            if cell_len(line) + cell_len(sep + piece) <= width:
                line += sep + piece
                return
            lines.append(line)
            line, fresh = rest, True
        if cell_len(line) + cell_len(piece) <= width or level == _JSON:
            line, fresh = line + piece, False
            return
        for finer in range(level, _JSON + 1):
            parts = _pieces(piece, finer)
            if len(parts) > 1:
                break
        for part, between in parts:
            place(part, between, finer)

    for piece, sep in _pieces(text, level):
        place(piece, sep, level)
    return [*lines, line]


def _pieces(text: str, level: int) -> list[tuple[str, str]]:
    """`text` cut where `_fill` may break it at `level`: (piece, what stands between it and
    the one before when both are on one line). Commas are cut at the outermost depth of
    brackets that has one (each member of a pattern, before the values in its lists), so
    cutting a piece at `_COMMAS` again reaches the next depth. Text in double quotes (a
    JSON string, its escapes included) is never cut."""
    outside = list(_unquoted(text))
    cuts: list[tuple[int, int, str]] = []  # (end of a piece, start of the next, between)
    if level == _COMMAS:
        # A comma that ends the text cuts nothing, and so does not count.
        commas = [(i, depth) for i, char, depth in outside if char == "," and i + 1 < len(text)]
        outermost = min((depth for _, depth in commas), default=0)
        for i, depth in commas:
            if depth == outermost:
                spaced = text.startswith(" ", i + 1)
                cuts.append((i + 1, i + 1 + spaced, " " if spaced else ""))
    elif level == _SPACES:
        cuts = [(i, i + 1, " ") for i, char, _ in outside if char == " "]
    else:
        cuts = [
            (i + 1, i + 1, "")
            for i, char, _ in outside
            if char in ":[{" and text[i + 1 : i + 2] in ('"', "[", "{")
        ]
    pieces, start, sep = [], 0, ""
    for end, following, between in cuts:
        if end < len(text):
            pieces.append((text[start:end], sep))
            start, sep = following, between
    return [*pieces, (text[start:], sep)]


def _unquoted(text: str) -> Iterator[tuple[int, str, int]]:
    """Each character of `text` outside double quotes, with its index and how many
    brackets are open around it."""
    depth, quoted, escaped = 0, False, False
    for i, char in enumerate(text):
        if quoted:
            escaped, quoted = (False, True) if escaped else (char == "\\", char != '"')
            continue
        if char == '"':
            quoted = True
            continue
        if char in ")]}":
            depth -= 1
        yield i, char, depth
        if char in "([{":
            depth += 1


# Mermaid node shapes by kind: (open, close) around the quoted label.
_MERMAID_SHAPES: dict[str, tuple[str, str]] = {
    "function": ("[", "]"),
    "batch-job": ("[", "]"),
    "sqs-queue": ("[[", "]]"),
    "event-bus": ("{{", "}}"),
    "sns-topic": ("{{", "}}"),
    "http-api-gateway": ("([", "])"),
    "websocket-api-gateway": ("([", "])"),
    "appsync-api": ("([", "])"),
    "kafka-cluster": ("[[", "]]"),
    KAFKA_TOPIC_KIND: ("[[", "]]"),
    "schedule": ("(", ")"),
    "bucket": ("[(", ")]"),
    "external": (">", "]"),
    "aws-service": (">", "]"),
}
_MERMAID_ARROWS: dict[str, str] = {
    TRIGGER: "-->",
    CONNECT: "-.->",
    REDRIVE: "==>",
    DELIVERY_FAILURE: "--x",
    DESTINATION: "--o",
    BUS_NOTIFICATION: "-->",
    HOSTS: "-->",
    TASK: "-->",
    READ: "-.->",
}


def _short_ids(g: nx.MultiDiGraph) -> dict[str, str]:
    # Synthetic ids keep untrusted names (and words like `end`) out of the syntax entirely.
    return {n: f"n{i}" for i, n in enumerate(g)}


def _mermaid_edge_label(d: dict[str, Any]) -> str | None:
    kind = d.get("kind")
    if kind == CONNECT:
        return None
    if kind == BUS_NOTIFICATION:
        return "S3 events"
    return edge_label(d)


def to_mermaid(g: nx.MultiDiGraph) -> str:
    """A Mermaid `flowchart LR`: `-->` triggers and tasks, `-.->` connect and (labelled)
    reads, `==>` redrive, `--x` delivery failure, `--o` destination; missing nodes dashed.
    Labels are quoted and every character outside a safe set is written as a Mermaid entity
    (`#34;`)."""
    ids = _short_ids(g)
    lines = ["flowchart LR"]
    for n, attrs in g.nodes(data=True):
        kind = str(attrs.get("kind", ""))
        if kind in _SINK_KINDS and kind not in ("external", "aws-service"):
            opening, closing = ("[(", ")]") if kind != "missing" else ("[", "]")
        else:
            opening, closing = _MERMAID_SHAPES.get(kind, ("[", "]"))
        label = f"{_entities(attrs.get('label', n), 'mermaid')}<br/>{_entities(kind, 'mermaid')}"
        if attrs.get("alarms"):
            label += f"<br/>{_entities(alarm_count(attrs), 'mermaid')}"
        lines.append(f'    {ids[n]}{opening}"{label}"{closing}')
    for u, v, d in g.edges(data=True):
        arrow = _MERMAID_ARROWS.get(str(d.get("kind")), "-->")
        text = _mermaid_edge_label(d)
        middle = f'{arrow}|"{_entities(text, "mermaid")}"|' if text else arrow
        lines.append(f"    {ids[u]} {middle} {ids[v]}")
    missing = [ids[n] for n, m in g.nodes(data="missing") if m]
    if missing:
        lines.append("    classDef missing stroke-dasharray: 5 5,stroke:#c00")
        lines.append(f"    class {','.join(missing)} missing")
    return "\n".join(lines) + "\n"


_DOT_SHAPES: dict[str, str] = {
    "function": "box",
    "batch-job": "box3d",
    "sqs-queue": "cds",
    "event-bus": "hexagon",
    "sns-topic": "hexagon",
    "http-api-gateway": "house",
    "websocket-api-gateway": "house",
    "appsync-api": "house",
    "kafka-cluster": "cds",
    KAFKA_TOPIC_KIND: "cds",
    "schedule": "ellipse",
    "bucket": "folder",
    "external": "note",
    "aws-service": "note",
    "missing": "box",
}
_DOT_STYLES: dict[str, str] = {
    TRIGGER: "solid",
    CONNECT: "dashed",
    REDRIVE: "bold",
    DELIVERY_FAILURE: "bold",
    DESTINATION: "dotted",
    BUS_NOTIFICATION: "solid",
    HOSTS: "solid",
    TASK: "solid",
    READ: "dashed",
}


def to_dot(g: nx.MultiDiGraph) -> str:
    """Graphviz DOT (`digraph`, left to right, one rank per layer). Ids are synthetic
    (`n0`, `n1`, ...); labels are quoted with every unsafe character as an `&#n;` entity."""
    ids = _short_ids(g)
    lines = [
        "digraph stack {",
        "    graph [rankdir=LR];",
        '    node [fontname="Helvetica"];',
        '    edge [fontname="Helvetica", fontsize=10];',
    ]
    for n, attrs in g.nodes(data=True):
        kind = str(attrs.get("kind", ""))
        shape = _DOT_SHAPES.get(kind, "cylinder" if kind in _SINK_KINDS else "box")
        label = f"{_entities(attrs.get('label', n), 'dot')}\\n{_entities(kind, 'dot')}"
        if attrs.get("alarms"):
            label += f"\\n{_entities(alarm_count(attrs), 'dot')}"
        extra = ', style=dashed, color="red"' if attrs.get("missing") else ""
        lines.append(f'    {ids[n]} [label="{label}", shape={shape}{extra}];')
    by_layer: dict[int, list[str]] = {}
    for n, layer in g.nodes(data="layer"):
        by_layer.setdefault(int(layer or 0), []).append(ids[n])
    for layer in sorted(by_layer):
        lines.append(f"    {{ rank=same; {'; '.join(by_layer[layer])}; }}")
    for u, v, d in g.edges(data=True):
        kind = str(d.get("kind"))
        style = _DOT_STYLES.get(kind, "solid")
        text = "" if kind == CONNECT else _entities(_mermaid_edge_label(d) or "", "dot")
        label = f', label="{text}"' if text else ""
        lines.append(f"    {ids[u]} -> {ids[v]} [style={style}{label}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _jsonable(value: Any) -> Any:
    """`value` as plain JSON data: str subclasses to str, tuples/sets to lists, no NaN."""
    if type(value) is str or value is None or type(value) is bool:
        return value
    if isinstance(value, str):  # ResourceParamValue, Placeholder
        return str(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted((_jsonable(v) for v in value), key=repr)
    return str(value)


def to_node_link(g: nx.MultiDiGraph) -> dict[str, Any]:
    """networkx node-link data (`edges="edges"`) with every value made JSON-serialisable."""
    return _jsonable(nx.node_link_data(g, edges="edges"))  # type: ignore[no-any-return]


def to_json(g: nx.MultiDiGraph, *, indent: int | None = 2) -> str:
    """`to_node_link` as JSON text; `nx.node_link_graph(json.loads(s), edges="edges")` reads it
    back."""
    return json.dumps(to_node_link(g), indent=indent, ensure_ascii=True, allow_nan=False)


__all__ = [
    "BUS_NOTIFICATION",
    "CONNECT",
    "DEFAULT_BUS_ID",
    "DELIVERY_FAILURE",
    "DESTINATION",
    "EDGE_KINDS",
    "FLOW_KINDS",
    "HOSTS",
    "KAFKA_TOPIC_KIND",
    "POLLS",
    "READ",
    "REDRIVE",
    "TASK",
    "TRIGGER",
    "PollEdge",
    "alarm_count",
    "build_graph",
    "downstream",
    "edge_label",
    "kafka_topic_name",
    "kafka_topic_nodes",
    "neighbourhood",
    "reachable_from_stimulus",
    "to_dot",
    "to_json",
    "to_mermaid",
    "to_node_link",
    "to_text",
    "upstream",
]
