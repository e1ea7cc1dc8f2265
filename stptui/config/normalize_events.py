"""An event as a whole: its `type` and `properties`, the reader its type has; and the events
that need no resource family of their own: `schedule`, `kinesis-stream`, `dynamo-db-stream`,
`kafka-topic`, `cloudwatch-log` (read in log_events.py), and an `application-load-balancer`
event's properties.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from stptui.config.diagnostics import did_you_mean, indefinite_article
from stptui.config.loader import DataPath
from stptui.config.log_events import cloudwatch_log_trigger
from stptui.config.model import (
    TRIGGER_TYPES,
    KafkaTopicTrigger,
    ScheduleTrigger,
    Trigger,
)
from stptui.config.normalize_props import (
    describe_value,
    written_key,
)
from stptui.config.normalize_schema import (
    ALB_CONDITION_ENTRIES,
    ALB_EVENT_PROPS,
    ANY,
    CUSTOM_KAFKA_PROPS,
    CUSTOM_KAFKA_REQUIRED,
    DICT,
    EVENT_KEYS,
    KAFKA_AUTHENTICATIONS,
    KAFKA_EVENT_PROPS,
    KAFKA_EVENT_SOURCES,
    KAFKA_LEGACY_SOURCE,
    KAFKA_TOPIC_NAME,
    KAFKA_VPC_PROPS,
    NEWER_TRIGGERS,
    OPAQUE_TRIGGER_PROPS,
    OPAQUE_TRIGGER_REQUIRED,
    STR,
    TRIGGER_ALIASES,
    TRIGGER_PROPS,
    UNEXPOSED_EVENT_SETTINGS,
    P,
)

if TYPE_CHECKING:
    from stptui.config.normalize import StackBuilder as _BuilderBase
else:
    _BuilderBase = object


# Other tools' and docs' words for an event type (`sns-integration` in some of Stacktape's
# own docs, `cron`, `eventbridge`), which no spelling of Stacktape's type is close enough to.
_TRIGGER_WORDS = {
    "cron": "schedule",
    "rate": "schedule",
    "eventbridge": "event-bus",
    "event-bridge": "event-bus",
    "http": "http-api-gateway",
    "api-gateway": "http-api-gateway",
    "kinesis": "kinesis-stream",
    "dynamodb": "dynamo-db-stream",
    "kafka": "kafka-topic",
    "alb": "application-load-balancer",
    "websocket": "websocket-api-gateway",
}
# Endings a type is written with elsewhere (`sns-integration`, `sqs-event`).
_TRIGGER_ENDINGS = ("-integration", "-event", "-trigger", "-subscription", "-notification")


def trigger_guess(written: str) -> str | None:
    """The event type `written` means: the closest spelling, else the type under another
    tool's word or with an ending of its own (`sns-integration`: `sns`)."""
    guess = did_you_mean(written, TRIGGER_TYPES)
    if guess is not None:
        return guess
    word = written.lower()
    for ending in _TRIGGER_ENDINGS:
        word = word.removesuffix(ending)
    if word in TRIGGER_TYPES:
        return word
    return _TRIGGER_WORDS.get(word)


class EventReaders(_BuilderBase):
    """An event's dispatch, schedule and stream events (a part of `normalize.StackBuilder`)."""

    def _trigger(
        self,
        owner: str,
        ev: Any,
        path: DataPath,
        index: int,
        allowed: tuple[str, ...] | None,
        *,
        holder: str = "a queue's `events`",
        extra: dict[str, P] | None = None,
    ) -> Trigger | None:
        """One event of `owner`. `allowed` limits its types (`holder` names what is limited
        in the message); `extra` adds properties the holder allows beyond the event's own
        (a queue subscription's `messageGroupId`, a container's `containerPort`)."""
        if not isinstance(ev, dict):
            self.diag(
                path,
                "error",
                "wrong-type",
                "an event must be a mapping with `type` and `properties`, not "
                f"{describe_value(ev)}",
                resource=owner,
            )
            return None
        for key in ev:
            if key not in EVENT_KEYS:
                self.diag(
                    (*path, key),
                    "error",
                    "unknown-property",
                    f"unknown key `{key}` on an event",
                    key=True,
                    resource=owner,
                    hint="an event has only `type` and `properties`",
                )
        etype = ev.get("type")
        if not isinstance(etype, str):
            self.diag(
                path,
                "error",
                "missing-property" if "type" not in ev else "wrong-type",
                "an event needs a string `type`",
                resource=owner,
            )
            return None
        raw = ev.get("properties", {})
        ppath = (*path, "properties")
        if raw is None:
            raw = {}
        if not isinstance(raw, dict):
            self.diag(
                ppath,
                "error",
                "wrong-type",
                f"event `properties` must be a mapping, not {describe_value(raw)}",
                resource=owner,
            )
            raw = {}
        if allowed is not None and etype not in allowed:
            self.diag(
                (*path, "type"),
                "error",
                "invalid-trigger",
                f"{holder} take only {', '.join(allowed)}, not {etype!r}",
                resource=owner,
            )
            return None
        if etype not in TRIGGER_TYPES:
            guess = trigger_guess(etype)
            self.diag(
                (*path, "type"),
                "error",
                "unknown-trigger-type",
                f"unknown event type {etype!r}",
                resource=owner,
                hint=f"did you mean {guess!r}?" if guess else None,
            )
            return Trigger(type=etype, owner=owner, index=index, path=path, properties=raw)
        if etype in NEWER_TRIGGERS:
            spec, required = NEWER_TRIGGERS[etype]
            what = f"{indefinite_article(etype)} `{etype}` event"
            props = self.read_props(
                raw,
                ppath,
                spec,
                owner,
                where=f" in {what}",
                unexposed=UNEXPOSED_EVENT_SETTINGS.get(etype),
            )
            self.require_all(props, raw, spec, required, ppath, owner, what)
            reader = getattr(self, "_t_" + etype.replace("-", "_"))
            return reader(owner, raw, props, path, ppath, index)
        spec = TRIGGER_PROPS.get(etype)
        if spec is None:
            # Read without a schema (not simulated), but their required properties still are.
            what = f"{indefinite_article(etype)} `{etype}` event"
            for key in OPAQUE_TRIGGER_REQUIRED.get(etype, ()):
                self.require(raw, raw, key, ppath, owner, what)
            if etype == "application-load-balancer":
                self._alb_event_props(owner, raw, ppath, what, extra)
            if etype in OPAQUE_TRIGGER_PROPS:
                # A container's `containerPort` is checked by its reader (_container_port).
                table = {**OPAQUE_TRIGGER_PROPS[etype], **dict.fromkeys(extra or (), ANY)}
                self.read_props(raw, ppath, table, owner, where=f" in {what}")
            if etype == "cloudwatch-log":
                return cloudwatch_log_trigger(self, owner, raw, path, ppath, index)
            return Trigger(type=etype, owner=owner, index=index, path=path, properties=raw)
        if extra:
            spec = {**spec, **extra}
        props = self.read_props(
            raw,
            ppath,
            spec,
            owner,
            aliases=TRIGGER_ALIASES.get(etype),
            where=f" in {indefinite_article(etype)} `{etype}` event",
        )
        return getattr(self, "_t_" + etype.replace("-", "_"))(owner, raw, props, path, ppath, index)

    def _alb_event_props(
        self,
        owner: str,
        raw: dict[str, Any],
        ppath: DataPath,
        what: str,
        extra: dict[str, P] | None,
    ) -> None:
        """An `application-load-balancer` event's properties and its header and query
        conditions, by Stacktape's types (the event stays a plain Trigger). A container's
        `containerPort` (in `extra`) is checked by its reader (_container_port), once."""
        table = {**ALB_EVENT_PROPS, **dict.fromkeys(extra or (), ANY)}
        props = self.read_props(raw, ppath, table, owner, where=f" in {what}")
        for key, (name, spec) in ALB_CONDITION_ENTRIES.items():
            entries = props.get(key)
            for i, entry in enumerate(entries if isinstance(entries, list) else []):
                epath = (*ppath, key, i)
                if not self.check_value(DICT, entry, epath, f"{key}[{i}]", owner):
                    continue
                got = self.read_props(entry, epath, spec, owner, where=f" in {key}[{i}]")
                self.require_all(got, entry, spec, (name, "values"), epath, owner, f"{key}[{i}]")

    def _payload_options(self, props: dict[str, Any], ppath: DataPath, owner: str) -> None:
        given = [k for k in ("input", "inputPath", "inputTransformer") if k in props]
        if len(given) > 1:
            self.diag(
                (*ppath, given[1]),
                "error",
                "at-most-one-of",
                "set at most one of `input`, `inputPath` and `inputTransformer`, not "
                f"{' and '.join(given)}",
                key=True,
                resource=owner,
            )
        tr = props.get("inputTransformer")
        if isinstance(tr, dict):
            tp = self.read_props(
                tr,
                (*ppath, "inputTransformer"),
                {"inputPathsMap": DICT, "inputTemplate": P("str|dict")},
                owner,
                where=" in `inputTransformer`",
            )
            self.require(
                tp, tr, "inputTemplate", (*ppath, "inputTransformer"), owner, "`inputTransformer`"
            )

    def _t_schedule(
        self,
        owner: str,
        raw: dict[str, Any],
        props: dict[str, Any],
        path: DataPath,
        ppath: DataPath,
        index: int,
    ) -> ScheduleTrigger:
        t = ScheduleTrigger(type="schedule", owner=owner, index=index, path=path, properties=raw)
        if self.require(props, raw, "scheduleRate", ppath, owner, "a `schedule` event"):
            # An alternate spelling (`rate:`) reaches here without read_props' type check.
            spath = (*ppath, written_key(raw, "scheduleRate", "scheduleRate"))
            if self.check_value(STR, props["scheduleRate"], spath, spath[-1], owner):
                t.rate = props["scheduleRate"]
        self._payload_options(props, ppath, owner)
        t.input, t.input_path, t.input_transformer = (
            props.get("input"),
            props.get("inputPath"),
            props.get("inputTransformer"),
        )
        return t

    def _t_kinesis_stream(
        self,
        owner: str,
        raw: dict[str, Any],
        props: dict[str, Any],
        path: DataPath,
        ppath: DataPath,
        index: int,
    ) -> Trigger:
        what = "a `kinesis-stream` event"
        self.exactly_one(props, ("kinesisStreamName", "streamArn"), ppath, owner, what)
        # Stacktape refuses both (resolveKinesisEvents, functions/events/kinesis/index.ts).
        self.exactly_one(
            props, ("consumerArn", "autoCreateConsumer"), ppath, owner, what, required=False
        )
        self._stream_on_failure(props, ppath, owner, what)
        return Trigger(type="kinesis-stream", owner=owner, index=index, path=path, properties=raw)

    def _t_dynamo_db_stream(
        self,
        owner: str,
        raw: dict[str, Any],
        props: dict[str, Any],
        path: DataPath,
        ppath: DataPath,
        index: int,
    ) -> Trigger:
        self._stream_on_failure(props, ppath, owner, "a `dynamo-db-stream` event")
        return Trigger(type="dynamo-db-stream", owner=owner, index=index, path=path, properties=raw)

    def _stream_on_failure(
        self, props: dict[str, Any], ppath: DataPath, owner: str, what: str
    ) -> None:
        """`onFailure` is `DestinationOnFailure`: an `arn` and a `type` of sns or sqs."""
        failure = props.get("onFailure")
        if not isinstance(failure, dict):
            return
        fpath = (*ppath, "onFailure")
        spec = {"arn": STR, "type": P("str", enum=("sns", "sqs"))}
        checked = self.read_props(failure, fpath, spec, owner, where=f" in {what}'s onFailure")
        self.require_all(checked, failure, spec, ("arn", "type"), fpath, owner, "onFailure")

    def _t_kafka_topic(
        self,
        owner: str,
        raw: dict[str, Any],
        props: dict[str, Any],
        path: DataPath,
        ppath: DataPath,
        index: int,
    ) -> KafkaTopicTrigger:
        """A `kafka-topic` event, by `KafkaTopicIntegrationProps` (checked against
        KAFKA_EVENT_PROPS): exactly one source; the topic name inside a custom source, beside
        a cluster; `vpc` with a custom source only. A `kafkaClusterName` is a reference to the
        stack's cluster, an `upstashKafkaTopic` one to its (legacy) Upstash topic."""
        t = KafkaTopicTrigger(
            type="kafka-topic", owner=owner, index=index, path=path, properties=raw
        )
        what = "a `kafka-topic` event"
        sources = (*KAFKA_EVENT_SOURCES, KAFKA_LEGACY_SOURCE)
        # A source written with the wrong type was reported already: not "set one of".
        required = not any(k in raw for k in sources)
        source = self.exactly_one(props, sources, ppath, owner, what, required=required)
        if source == "customKafkaConfiguration":
            self._custom_kafka(t, props[source], (*ppath, source), owner)
        elif source is not None:
            ref = self.ref_by_name(props[source], (*ppath, source))
            if source == "kafkaClusterName":
                t.cluster = ref
            elif source == KAFKA_LEGACY_SOURCE:
                t.upstash = ref
        clustered = source in ("kafkaClusterName", "mskClusterArn")
        if clustered:
            self.require_all(props, raw, KAFKA_EVENT_PROPS, ("topicName",), ppath, owner, what)
            if "topicName" in props:
                t.topic = self._kafka_topic_name(props["topicName"], (*ppath, "topicName"), owner)
        elif source is not None and not clustered and "topicName" in props:
            inside = "inside `customKafkaConfiguration`" if source != KAFKA_LEGACY_SOURCE else ""
            self.diag(
                (*ppath, "topicName"),
                "error",
                "unknown-property",
                f"`topicName` is not a property of {what} with `{source}`",
                key=True,
                resource=owner,
                hint=f"write it {inside}"
                if inside
                else "the Upstash topic resource is the topic; remove `topicName`",
            )
        if "vpc" in props:
            vpath = (*ppath, "vpc")
            if source is not None and source != "customKafkaConfiguration":
                self.diag(
                    vpath,
                    "error",
                    "unknown-property",
                    f"`vpc` is not a property of {what} with `{source}`",
                    key=True,
                    resource=owner,
                    hint="only a `customKafkaConfiguration` source takes a `vpc`",
                )
            else:
                got = self.read_props(
                    props["vpc"], vpath, KAFKA_VPC_PROPS, owner, where=" in `vpc`"
                )
                self.require_all(
                    got,
                    props["vpc"],
                    KAFKA_VPC_PROPS,
                    tuple(KAFKA_VPC_PROPS),
                    vpath,
                    owner,
                    "`vpc`",
                )
                for key in KAFKA_VPC_PROPS:
                    self.items(got, key, vpath, owner, STR)
        return t

    def _custom_kafka(
        self, t: KafkaTopicTrigger, raw: dict[str, Any], path: DataPath, owner: str
    ) -> None:
        """`customKafkaConfiguration`: its bootstrap servers (each `host:port`), its topic
        and its authentication."""
        what = "`customKafkaConfiguration`"
        props = self.read_props(raw, path, CUSTOM_KAFKA_PROPS, owner, where=f" in {what}")
        self.require_all(props, raw, CUSTOM_KAFKA_PROPS, CUSTOM_KAFKA_REQUIRED, path, owner, what)
        servers = props.get("bootstrapServers")
        if isinstance(servers, list):
            good: list[str] = []
            for i, server in enumerate(servers):
                spath = (*path, "bootstrapServers", i)
                if not self.check_value(STR, server, spath, f"bootstrapServers[{i}]", owner):
                    continue
                host, _, port = server.rpartition(":")
                # isdigit() alone takes `²`, which int() refuses.
                if (
                    not host
                    or not (port.isascii() and port.isdigit())
                    or not 1 <= int(port) <= 65535
                ):
                    self.diag(
                        spath,
                        "error",
                        "invalid-value",
                        f"bootstrap server {server!r} is not `host:port`",
                        resource=owner,
                        hint="write each broker as host:port, e.g. broker-1.example.com:9092",
                    )
                    continue
                good.append(server)
            if not servers:
                self.diag(
                    (*path, "bootstrapServers"),
                    "error",
                    "invalid-value",
                    "`bootstrapServers` is empty; Lambda needs at least one broker",
                    resource=owner,
                )
            t.brokers = tuple(good)
        if "topicName" in props:
            t.topic = self._kafka_topic_name(props["topicName"], (*path, "topicName"), owner)
        if "authentication" in props:
            self.typed_object(
                props["authentication"],
                (*path, "authentication"),
                owner,
                "authentication",
                KAFKA_AUTHENTICATIONS,
            )

    def _kafka_topic_name(self, name: str, path: DataPath, owner: str) -> str | None:
        """`name` when Kafka and Lambda take it as a topic name; otherwise reported, None."""
        if KAFKA_TOPIC_NAME.match(name):
            return name
        if not name:
            why = "is empty"
        elif len(name) > 249:
            why = f"is {len(name)} characters long (at most 249)"
        elif name.startswith("."):
            why = "starts with `.`"
        else:
            bad = sorted({c for c in name if not (c.isascii() and (c.isalnum() or c in "._-"))})
            why = "has " + ", ".join(repr(c) for c in bad)
        self.diag(
            path,
            "error",
            "invalid-value",
            f"Kafka topic name {name!r} {why}",
            resource=owner,
            hint="a topic name is 1-249 of a-z, A-Z, 0-9, `.`, `_` and `-`, not starting with `.`",
        )
        return None
