"""Queues, event buses and SNS topics, and the `sqs`, `event-bus` and `sns` events.

A resource and the events that subscribe to it share their alternate spellings and
references (`sqsQueueName | sqsQueueArn`, `onDeliveryFailure`), so both are read here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from stptui.config.loader import DataPath
from stptui.config.model import (
    EventBus,
    EventBusTrigger,
    Queue,
    Ref,
    SnsTopic,
    SnsTrigger,
    SqsTrigger,
)
from stptui.config.normalize_props import (
    describe_value,
    written_key,
)
from stptui.config.normalize_schema import (
    ALARM_TRIGGERS,
    BOOL,
    BUS_PROPS,
    QUEUE_ALIASES,
    QUEUE_PROPS,
    REDRIVE_ALIASES,
    STR,
    TOPIC_PROPS,
    TRIGGER_PROPS,
    P,
)

if TYPE_CHECKING:
    from stptui.config.normalize import StackBuilder as _BuilderBase
else:
    _BuilderBase = object


class MessagingReaders(_BuilderBase):
    """Readers of queues, buses, topics and their events (a part of `normalize.StackBuilder`)."""

    def _queue(self, name: str, raw: dict[str, Any], path: DataPath) -> Queue:
        props = self.read_props(raw, path, QUEUE_PROPS, name, aliases=QUEUE_ALIASES)
        for alias, real in QUEUE_ALIASES.items():  # alternate spellings bypass the type check above
            if (
                alias in raw
                and real in props
                and not self.check_value(
                    QUEUE_PROPS[real], props[real], (*path, alias), alias, name
                )
            ):
                del props[real]
        q = Queue(name=name, type="sqs-queue", path=(path[0], path[1]), properties=raw)
        q.visibility_timeout_s = self.num(
            props, "visibilityTimeoutSeconds", q.visibility_timeout_s, q.defaults
        )
        q.retention_s = self.num(props, "messageRetentionPeriodSeconds", q.retention_s, q.defaults)
        q.delay_s = self.num(props, "delayMessagesSecond", q.delay_s, q.defaults)
        q.max_message_bytes = self.num(
            props, "maxMessageSizeBytes", q.max_message_bytes, q.defaults
        )
        q.long_polling_s = self.num(props, "longPollingSeconds", q.long_polling_s, q.defaults)
        q.fifo = bool(props.get("fifoEnabled", False))
        q.high_throughput = bool(props.get("fifoHighThroughput", False))
        q.content_based_dedup = bool(props.get("contentBasedDeduplication", False))
        for flag, code in (("contentBasedDeduplication", "e81"), ("fifoHighThroughput", "e81")):
            if props.get(flag) and not q.fifo:
                self.diag(
                    (*path, flag),
                    "error",
                    "fifo-only",
                    f"`{flag}` requires `fifoEnabled: true` (Stacktape {code})",
                    key=True,
                    resource=name,
                )
        rp = props.get("redrivePolicy")
        if isinstance(rp, dict):
            rpath = (*path, "redrivePolicy")
            rprops = self.read_props(
                rp,
                rpath,
                {
                    "targetSqsQueueName": STR,
                    "targetSqsQueueArn": STR,
                    "maxReceiveCount": P("int", lo=1, hi=1000),
                },
                name,
                aliases=REDRIVE_ALIASES,
                where=" in `redrivePolicy`",
            )
            q.redrive_target = self.name_or_arn(
                rprops,
                rp,
                ("targetSqsQueueName", "targetSqsQueueArn"),
                rpath,
                name,
                "redrivePolicy (Stacktape e112)",
            )
            if self.require(rprops, rp, "maxReceiveCount", rpath, name, "redrivePolicy"):
                q.max_receive_count = int(rprops["maxReceiveCount"])
        self._alarms(props, path, name, ALARM_TRIGGERS["sqs-queue"])
        self.statements(props, "policyStatements", path, name)
        events = props.get("events")
        if isinstance(events, list):
            for i, ev in enumerate(events):
                trig = self._trigger(
                    name,
                    ev,
                    (*path, "events", i),
                    i,
                    allowed=("event-bus",),
                    extra={"messageGroupId": STR},
                )
                if isinstance(trig, EventBusTrigger):
                    q.events.append(trig)
        return q

    def _bus(self, name: str, raw: dict[str, Any], path: DataPath) -> EventBus:
        raw = dict(raw)
        if "archive" in raw:
            self.diag(
                (*path, "archive"),
                "warning",
                "alternate-spelling",
                "`archive` is not Stacktape's spelling; the real property is `archivation`",
                key=True,
                resource=name,
                hint="write `archivation: {enabled: true, retentionDays: N}`",
            )
            arch = raw.pop("archive")
            if "archivation" not in raw:
                raw["archivation"] = arch if isinstance(arch, dict) else {"enabled": bool(arch)}
        props = self.read_props(raw, path, BUS_PROPS, name)
        bus = EventBus(name=name, type="event-bus", path=(path[0], path[1]), properties=raw)
        arch = props.get("archivation")
        if isinstance(arch, dict):
            apath = (*path, "archivation")
            ap = self.read_props(
                arch,
                apath,
                {"enabled": BOOL, "retentionDays": P("int", lo=1)},
                name,
                where=" in `archivation`",
            )
            self.require(ap, arch, "enabled", apath, name, "`archivation`")
            bus.archive_enabled = bool(ap.get("enabled", False))
            bus.archive_retention_days = ap.get("retentionDays")
        bus.event_source_name = props.get("eventSourceName")
        return bus

    def _topic(self, name: str, raw: dict[str, Any], path: DataPath) -> SnsTopic:
        props = self.read_props(raw, path, TOPIC_PROPS, name)
        t = SnsTopic(name=name, type="sns-topic", path=(path[0], path[1]), properties=raw)
        t.fifo = bool(props.get("fifoEnabled", False))
        t.content_based_dedup = bool(props.get("contentBasedDeduplication", False))
        if t.content_based_dedup and not t.fifo:
            self.diag(
                (*path, "contentBasedDeduplication"),
                "error",
                "fifo-only",
                "`contentBasedDeduplication` requires `fifoEnabled: true` (Stacktape e82)",
                key=True,
                resource=name,
            )
        return t

    def _t_sqs(
        self,
        owner: str,
        raw: dict[str, Any],
        props: dict[str, Any],
        path: DataPath,
        ppath: DataPath,
        index: int,
    ) -> SqsTrigger:
        t = SqsTrigger(type="sqs", owner=owner, index=index, path=path, properties=raw)
        t.queue = self.name_or_arn(
            props,
            raw,
            ("sqsQueueName", "sqsQueueArn"),
            ppath,
            owner,
            "an `sqs` event (Stacktape e84)",
        )
        if "batchSize" in props:
            t.batch_size = int(props["batchSize"])
        if "maxBatchWindowSeconds" in props and self.check_value(
            TRIGGER_PROPS["sqs"]["maxBatchWindowSeconds"],
            props["maxBatchWindowSeconds"],
            (*ppath, written_key(raw, "maxBatchWindowSeconds", "maxBatchWindowSeconds")),
            "maxBatchWindowSeconds",
            owner,
        ):
            t.max_batch_window_s = props["maxBatchWindowSeconds"]
        return t

    def _t_event_bus(
        self,
        owner: str,
        raw: dict[str, Any],
        props: dict[str, Any],
        path: DataPath,
        ppath: DataPath,
        index: int,
    ) -> EventBusTrigger:
        t = EventBusTrigger(type="event-bus", owner=owner, index=index, path=path, properties=raw)
        which = self.exactly_one(
            props,
            ("eventBusName", "eventBusArn", "useDefaultBus"),
            ppath,
            owner,
            "an `event-bus` event (Stacktape e83)",
        )
        if which == "eventBusName":
            t.bus = self.ref_by_name(props[which], (*ppath, which))
        elif which == "eventBusArn":
            t.bus = self.ref_by_arn(props[which], (*ppath, which))
        elif which == "useDefaultBus":
            t.use_default_bus = True
        if "eventPattern" in props:
            t.pattern = props["eventPattern"]
            if not t.pattern:
                self.diag(
                    (*ppath, "eventPattern"),
                    "error",
                    "missing-event-pattern",
                    "`eventPattern` is empty; EventBridge rejects an empty pattern",
                    resource=owner,
                )
        elif "eventPattern" not in raw:
            self.diag(
                ppath,
                "error",
                "missing-event-pattern",
                "an `event-bus` event needs `eventPattern`",
                resource=owner,
                hint="e.g. eventPattern: {source: [my.app]}",
            )
        t.on_delivery_failure = self._on_delivery_failure(props, ppath, owner)
        self._payload_options(props, ppath, owner)
        t.input, t.input_path, t.input_transformer = (
            props.get("input"),
            props.get("inputPath"),
            props.get("inputTransformer"),
        )
        t.message_group_id = props.get("messageGroupId")
        return t

    def _on_delivery_failure(
        self, props: dict[str, Any], ppath: DataPath, owner: str
    ) -> Ref | None:
        odf = props.get("onDeliveryFailure")
        if not isinstance(odf, dict):
            return None
        opath = (*ppath, "onDeliveryFailure")
        op = self.read_props(
            odf,
            opath,
            {"sqsQueueName": STR, "sqsQueueArn": STR},
            owner,
            where=" in `onDeliveryFailure`",
        )
        return self.name_or_arn(
            op,
            odf,
            ("sqsQueueName", "sqsQueueArn"),
            opath,
            owner,
            "onDeliveryFailure (Stacktape e109)",
        )

    def _t_sns(
        self,
        owner: str,
        raw: dict[str, Any],
        props: dict[str, Any],
        path: DataPath,
        ppath: DataPath,
        index: int,
    ) -> SnsTrigger:
        t = SnsTrigger(type="sns", owner=owner, index=index, path=path, properties=raw)
        t.topic = self.name_or_arn(
            props,
            raw,
            ("snsTopicName", "snsTopicArn"),
            ppath,
            owner,
            "an `sns` event (Stacktape e85)",
        )
        t.filter_policy = props.get("filterPolicy")
        written = raw.get("filterPolicy") if isinstance(raw, dict) else None
        if written is not None and "filterPolicy" not in props:
            # Written but refused (reported as wrong-type): simulating the subscription
            # without a policy would deliver what the config filters out. Stacktape refuses
            # the config, so SNS never gets a subscription: it delivers nothing, as an
            # `eventPattern` that is not a mapping matches nothing.
            t.filter_policy_error = (
                f"`filterPolicy` is {describe_value(written)}, not a mapping, so Stacktape refuses "
                "the config and the subscription delivers nothing (see `stptui validate`)"
            )
        t.on_delivery_failure = self._on_delivery_failure(props, ppath, owner)
        return t
