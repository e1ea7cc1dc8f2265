"""The trace: every observable step of a simulation, and the sinks that receive it.

Records are cheap, slotted objects; turning one into JSON (ISO time, key order) happens only
in a sink that needs it, so a headless run pays for what it keeps and nothing else. The
trace is the source of truth for views, `expect`, statistics and exports (design rule 5).
"""

from __future__ import annotations

import json
from collections import Counter, deque
from collections.abc import Callable, Container, Iterator, Sequence
from itertools import islice
from operator import itemgetter
from typing import Any, Protocol, overload

from stptui.sim.clock import iso_ms
from stptui.sim.payloads import Deferred, resolve
from stptui.textsafe import json_text

# Record kinds (docs/trace-format.md lists each with its fields).
MESSAGE_SENT = "message.sent"
MESSAGE_RECEIVED = "message.received"
MESSAGE_RETURNED = "message.returned"
MESSAGE_DELETED = "message.deleted"
MESSAGE_DEAD_LETTERED = "message.dead_lettered"
MESSAGE_EXPIRED = "message.expired"
MESSAGE_DEDUPLICATED = "message.deduplicated"
MESSAGE_DELETE_STALE = "message.delete_stale"
MESSAGE_VISIBILITY_CHANGED = "message.visibility_changed"
MESSAGE_VISIBILITY_REFUSED = "message.visibility_refused"
QUEUE_PURGED = "queue.purged"
MESSAGE_REDRIVEN = "message.redriven"
INVOCATION_STARTED = "invocation.started"
INVOCATION_SUCCEEDED = "invocation.succeeded"
INVOCATION_FAILED = "invocation.failed"
INVOCATION_THROTTLED = "invocation.throttled"
INVOCATION_RETRY_SCHEDULED = "invocation.retry_scheduled"
INVOCATION_DISCARDED = "invocation.discarded"
INVOCATION_RECURSION_STOPPED = "invocation.recursion_stopped"
DESTINATION_DELIVERED = "destination.delivered"
EMISSION_FAILED = "emission.failed"
HANDLER_LOG = "handler.log"
BEHAVIOR_OVERRIDDEN = "behavior.overridden"
# Schedules, event buses and SNS topics (stptui.sim.services.schedule, .bus, .topic).
SCHEDULE_FIRED = "schedule.fired"
SCHEDULE_PAUSED = "schedule.paused"
SCHEDULE_RESUMED = "schedule.resumed"
# Event source mappings disabled and enabled again (stptui.sim.mappings).
MAPPING_DISABLED = "mapping.disabled"
MAPPING_ENABLED = "mapping.enabled"
EVENT_PUBLISHED = "event.published"
EVENT_MATCHED = "event.matched"
EVENT_UNMATCHED = "event.unmatched"
EVENT_DELIVERY_FAILED = "event.delivery_failed"
# EventBridge archives and replays (stptui.sim.services.bus_archive).
EVENT_ARCHIVED = "event.archived"
EVENT_ARCHIVE_EXPIRED = "event.archive_expired"
REPLAY_STARTED = "replay.started"
REPLAY_CANCELLING = "replay.cancelling"
REPLAY_CANCELLED = "replay.cancelled"
REPLAY_COMPLETED = "replay.completed"
TOPIC_PUBLISHED = "topic.published"
TOPIC_DEDUPLICATED = "topic.deduplicated"
NOTIFICATION_DELIVERED = "notification.delivered"
NOTIFICATION_FILTERED = "notification.filtered"
NOTIFICATION_DELIVERY_FAILED = "notification.delivery_failed"
# Buckets, HTTP APIs and batch jobs (stptui.sim.services.bucket, .http, .batch).
OBJECT_CREATED = "object.created"
OBJECT_DELETED = "object.deleted"
NOTIFICATION_MATCHED = "notification.matched"
NOTIFICATION_SKIPPED = "notification.skipped"
MULTIPART_INITIATED = "multipart.initiated"
LIFECYCLE_EXPIRED = "lifecycle.expired"
LIFECYCLE_TRANSITIONED = "lifecycle.transitioned"
LIFECYCLE_ABORTED = "lifecycle.aborted"
RESTORE_INITIATED = "restore.initiated"
RESTORE_UPGRADED = "restore.upgraded"
RESTORE_EXTENDED = "restore.extended"
RESTORE_COMPLETED = "restore.completed"
RESTORE_EXPIRED = "restore.expired"
HTTP_REQUEST = "http.request"
HTTP_RESPONSE = "http.response"
HTTP_AUTHORIZATION = "http.authorization"
# Container workloads answering HTTP requests (stptui.sim.services.container).
CONTAINER_REQUEST = "container.request"
CONTAINER_RESPONSE = "container.response"
CONTAINER_FAILED = "container.failed"
CONTAINER_MESSAGE_PROCESSED = "container.message.processed"
CONTAINER_MESSAGE_FAILED = "container.message.failed"
BATCH_SUBMITTED = "batch.submitted"
BATCH_ATTEMPT_STARTED = "batch.attempt.started"
BATCH_ATTEMPT_FAILED = "batch.attempt.failed"
BATCH_SUCCEEDED = "batch.succeeded"
BATCH_FAILED = "batch.failed"
BATCH_TRIGGER_FAILED = "batch.trigger_failed"
BATCH_REDRIVEN = "batch.redriven"
# Kinesis data streams and their event source mappings (stptui.sim.services.stream).
STREAM_RECORD_PUT = "stream.record_put"
STREAM_RECORD_EXPIRED = "stream.record_expired"
STREAM_BATCH_RETRIED = "stream.batch_retried"
STREAM_BATCH_BISECTED = "stream.batch_bisected"
STREAM_BATCH_DISCARDED = "stream.batch_discarded"
STREAM_FAILURE_DELIVERED = "stream.failure_delivered"
# Kafka topics read by `kafka-topic` events, and their mappings (stptui.sim.services.kafka).
KAFKA_RECORD_PRODUCED = "kafka.record_produced"
KAFKA_RECORD_EXPIRED = "kafka.record_expired"
KAFKA_BATCH_RETRIED = "kafka.batch_retried"
KAFKA_OFFSET_COMMITTED = "kafka.offset_committed"
# DynamoDB table writes (stptui.sim.services.table); a table's stream uses the stream.* kinds.
ITEM_PUT = "item.put"
ITEM_DELETED = "item.deleted"
ITEM_UPDATED = "item.updated"
# Step Functions executions (stptui.sim.services.state_machine).
SFN_EXECUTION_STARTED = "sfn.execution.started"
SFN_EXECUTION_SUCCEEDED = "sfn.execution.succeeded"
SFN_EXECUTION_FAILED = "sfn.execution.failed"
SFN_EXECUTION_TIMED_OUT = "sfn.execution.timed_out"
SFN_EXECUTION_ABORTED = "sfn.execution.aborted"
SFN_STATE_ENTERED = "sfn.state.entered"
SFN_STATE_EXITED = "sfn.state.exited"
SFN_TASK_STARTED = "sfn.task.started"
SFN_TASK_FAILED = "sfn.task.failed"
SFN_TASK_CALLED = "sfn.task.called"
SFN_TASK_WAITING = "sfn.task.waiting"
SFN_TASK_CALLBACK = "sfn.task.callback"
SFN_CHOICE = "sfn.choice"
SFN_RETRY = "sfn.retry"
SFN_CAUGHT = "sfn.caught"
SFN_EXECUTION_REDRIVEN = "sfn.execution.redriven"
SFN_MAP_RUN_STARTED = "sfn.map_run.started"
SFN_MAP_RUN_ENDED = "sfn.map_run.ended"
# CloudWatch Logs groups and subscription filters (stptui.sim.services.log_group).
LOG_WRITTEN = "log.written"
LOG_MATCHED = "log.matched"
LOG_SKIPPED = "log.skipped"
LOG_DELIVERED = "log.delivered"
LOG_DELIVERY_FAILED = "log.delivery_failed"
LOG_LOOP_STOPPED = "log.loop_stopped"
# CloudWatch alarms (stptui.sim.services.alarm).
ALARM_STATE_CHANGED = "alarm.state_changed"
ALARM_NOTIFIED = "alarm.notified"
# WebSocket APIs (stptui.sim.services.websocket).
WS_CONNECT = "ws.connect"
WS_AUTHORIZATION = "ws.authorization"
WS_CONNECTED = "ws.connected"
WS_REFUSED = "ws.refused"
WS_MESSAGE = "ws.message"
WS_RECEIVED = "ws.received"
WS_DISCONNECTED = "ws.disconnected"
# Load on the clock: the `repeat` command (stptui.commands.handlers.repeat).
REPEAT_STARTED = "repeat.started"
REPEAT_REFUSED = "repeat.refused"
REPEAT_COMPLETED = "repeat.completed"
REPEAT_CANCELLED = "repeat.cancelled"
# Cognito user pools and their hooks (stptui.sim.services.user_pool).
USER_SIGNED_UP = "user.signed_up"
USER_CONFIRMED = "user.confirmed"
USER_CREATED = "user.created"
USER_SIGNED_IN = "user.signed_in"
USER_REFUSED = "user.refused"
USER_FORGOT_PASSWORD = "user.forgot_password"
USER_PASSWORD_RESET = "user.password_reset"
USER_ADDED_TO_GROUP = "user.added_to_group"
USER_REMOVED_FROM_GROUP = "user.removed_from_group"
USER_CHALLENGE_ANSWERED = "user.challenge_answered"
USER_TOKENS_REVOKED = "user.tokens_revoked"
# Every kind above (the module's upper-case dotted names), for views that lay kinds out in
# a column, such as `explain`.
KINDS = tuple(
    v for k, v in dict(globals()).items() if k.isupper() and isinstance(v, str) and "." in v
)

# The data fields each kind's records may have, in the order they come (optional ones
# included, as docs/trace-format.md lists them): `expect count KIND FIELD=VALUE` checks a
# FIELD against this before any record of the kind exists, and completion offers it.
# tests/test_trace_kind_fields.py runs the demos and more to prove it exact.
_OBJECT_FIELDS = (
    "bucket",
    "key",
    "size",
    "etag",
    "sequencer",
    "event",
    "request_id",
    "source",
    "version_id",
)
KIND_FIELDS: dict[str, tuple[str, ...]] = {
    REPEAT_STARTED: ("command", "count", "every_ms", "last"),
    REPEAT_REFUSED: ("i", "command", "error"),
    REPEAT_COMPLETED: ("ran", "refused"),
    REPEAT_CANCELLED: ("ran", "refused", "left"),
    USER_SIGNED_UP: ("username", "alias", "sub", "user_status", "code_delivery", "invocation_ids"),
    USER_CONFIRMED: ("username", "alias", "sub", "via", "invocation_ids"),
    USER_CREATED: (
        "username",
        "alias",
        "sub",
        "user_status",
        "via",
        "code_delivery",
        "invocation_ids",
    ),
    USER_SIGNED_IN: (
        "username",
        "alias",
        "sub",
        "challenge",
        "claims_added",
        "claims_suppressed",
        "invocation_ids",
        "flow",
    ),
    USER_FORGOT_PASSWORD: (
        "username",
        "alias",
        "sub",
        "user_status",
        "code_delivery",
        "invocation_ids",
    ),
    USER_PASSWORD_RESET: ("username", "alias", "sub", "via", "invocation_ids"),
    USER_ADDED_TO_GROUP: ("username", "alias", "sub", "group", "groups"),
    USER_REMOVED_FROM_GROUP: ("username", "alias", "sub", "group", "groups"),
    USER_CHALLENGE_ANSWERED: (
        "username",
        "alias",
        "sub",
        "challenge",
        "answer_correct",
        "invocation_ids",
    ),
    USER_TOKENS_REVOKED: ("username", "alias", "sub", "operation", "origin_jtis"),
    USER_REFUSED: (
        "operation",
        "username",
        "alias",
        "sub",
        "hook",
        "error",
        "message",
        "invocation_ids",
    ),
    WS_CONNECT: ("connection_id", "request_id", "route", "target"),
    WS_AUTHORIZATION: (
        "connection_id",
        "request_id",
        "function",
        "invocation_id",
        "decision",
        "reason",
    ),
    WS_CONNECTED: ("connection_id", "request_id", "invocation_id"),
    WS_REFUSED: ("connection_id", "request_id", "status", "reason", "invocation_id"),
    WS_MESSAGE: (
        "connection_id",
        "request_id",
        "message_id",
        "route",
        "target",
        "selected",
        "size",
        "invocation_id",
    ),
    WS_RECEIVED: ("connection_id", "source", "size", "request_id", "invocation_id", "reason"),
    WS_DISCONNECTED: (
        "connection_id",
        "request_id",
        "status_code",
        "reason",
        "duration_ms",
        "invocation_id",
    ),
    MESSAGE_SENT: ("message_id", "source", "group", "dedup_id", "delay_ms"),
    MESSAGE_RECEIVED: ("message_id", "receive_count", "consumer"),
    MESSAGE_RETURNED: ("message_id", "receive_count"),
    MESSAGE_DELETED: ("message_id", "consumer"),
    MESSAGE_DEAD_LETTERED: ("message_id", "target", "receive_count"),
    MESSAGE_EXPIRED: ("message_id", "receive_count"),
    MESSAGE_DEDUPLICATED: ("message_id", "dedup_id", "source"),
    MESSAGE_DELETE_STALE: ("message_id", "consumer"),
    MESSAGE_VISIBILITY_CHANGED: ("message_id", "timeout_s", "visible_at", "consumer"),
    MESSAGE_VISIBILITY_REFUSED: ("message_id", "timeout_s", "error", "error_message", "consumer"),
    QUEUE_PURGED: ("count",),
    MESSAGE_REDRIVEN: ("message_id", "target", "new_message_id"),
    INVOCATION_STARTED: (
        "invocation_id",
        "trigger",
        "attempt",
        "queue",
        "message_ids",
        "event_id",
        "source",
        "age_ms",
        "stream",
        "shard",
        "sequence_numbers",
        "topic",
        "partition",
        "record_ids",
    ),
    INVOCATION_SUCCEEDED: (
        "invocation_id",
        "duration_ms",
        "batch_item_failures",
        "init_ms",
        "suppressed_init_ms",
    ),
    INVOCATION_FAILED: (
        "invocation_id",
        "duration_ms",
        "error",
        "error_message",
        "timeout",
        "error_message_bytes",
        "init_ms",
        "suppressed_init_ms",
    ),
    INVOCATION_THROTTLED: (
        "trigger",
        "queue",
        "message_ids",
        "event_id",
        "retry_in_ms",
        "age_ms",
        "stream",
        "shard",
        "sequence_numbers",
        "topic",
        "partition",
        "record_ids",
    ),
    INVOCATION_RETRY_SCHEDULED: ("event_id", "attempt", "at"),
    INVOCATION_DISCARDED: ("event_id", "condition", "attempts"),
    INVOCATION_RECURSION_STOPPED: (
        "trigger",
        "queue",
        "message_ids",
        "event_id",
        "chain",
        "error",
        "error_message",
    ),
    DESTINATION_DELIVERED: ("event_id", "destination", "target", "delivered_id"),
    EMISSION_FAILED: ("invocation_id", "event_id", "emission", "target", "error"),
    HANDLER_LOG: ("invocation_id", "execution_id", "text"),
    BEHAVIOR_OVERRIDDEN: ("override", "active"),
    SCHEDULE_FIRED: ("rule", "expression", "event_id", "origin"),
    SCHEDULE_PAUSED: ("rule",),
    SCHEDULE_RESUMED: ("rule", "next"),
    MAPPING_DISABLED: ("source", "trigger"),
    MAPPING_ENABLED: ("source", "trigger"),
    EVENT_PUBLISHED: (
        "event_id",
        "bus",
        "event_source",
        "detail_type",
        "origin",
        "rules_matched",
        "replay",
        "replay_of",
    ),
    EVENT_MATCHED: ("event_id", "rule", "target"),
    EVENT_UNMATCHED: ("event_id", "rule", "target", "explanation"),
    EVENT_DELIVERY_FAILED: (
        "event_id",
        "rule",
        "target",
        "error_code",
        "error",
        "dlq",
        "dlq_message_id",
        "dlq_error",
    ),
    EVENT_ARCHIVED: ("event_id", "archive", "size", "expires"),
    EVENT_ARCHIVE_EXPIRED: ("event_id", "archive", "size"),
    REPLAY_STARTED: ("replay", "archive", "event_start", "event_end", "rules", "events"),
    REPLAY_CANCELLING: ("replay", "replayed", "events"),
    REPLAY_CANCELLED: ("replay", "replayed", "events"),
    REPLAY_COMPLETED: ("replay", "replayed", "last_replayed"),
    TOPIC_PUBLISHED: (
        "message_id",
        "topic",
        "origin",
        "subscriptions_matched",
        "group",
        "dedup_id",
        "sequence_number",
    ),
    TOPIC_DEDUPLICATED: ("message_id", "dedup_id", "origin"),
    NOTIFICATION_DELIVERED: ("message_id", "target", "delivery_id"),
    NOTIFICATION_FILTERED: (
        "message_id",
        "target",
        "reason",
        "has_attributes",
        "invalid_attributes",
    ),
    NOTIFICATION_DELIVERY_FAILED: (
        "message_id",
        "target",
        "error_code",
        "error",
        "dlq",
        "dlq_message_id",
        "dlq_error",
    ),
    OBJECT_CREATED: (*_OBJECT_FIELDS, "tags"),
    OBJECT_DELETED: (*_OBJECT_FIELDS, "reason"),
    NOTIFICATION_MATCHED: (
        "key",
        "event",
        "target",
        "configuration",
        "request_id",
        "event_id",
        "execution_id",
    ),
    NOTIFICATION_SKIPPED: ("key", "event", "target", "configuration", "request_id", "reason"),
    MULTIPART_INITIATED: ("bucket", "key", "upload_id", "source"),
    LIFECYCLE_EXPIRED: (
        "bucket",
        "key",
        "size",
        "storage_class",
        "event",
        "rule",
        "request_id",
        "version_id",
        "reason",
    ),
    LIFECYCLE_TRANSITIONED: (
        "bucket",
        "key",
        "from_class",
        "storage_class",
        "rule",
        "request_id",
        "version_id",
        "reason",
    ),
    LIFECYCLE_ABORTED: ("bucket", "key", "upload_id", "rule", "reason"),
    RESTORE_INITIATED: (
        "bucket",
        "key",
        "storage_class",
        "tier",
        "days",
        "completes_at",
        "status",
        "request_id",
        "source",
        "version_id",
    ),
    RESTORE_UPGRADED: (
        "bucket",
        "key",
        "from_tier",
        "tier",
        "completes_at",
        "source",
        "version_id",
    ),
    RESTORE_EXTENDED: (
        "bucket",
        "key",
        "days",
        "expiry",
        "previous_expiry",
        "status",
        "source",
        "version_id",
    ),
    RESTORE_COMPLETED: (
        "bucket",
        "key",
        "storage_class",
        "tier",
        "days",
        "expiry",
        "request_id",
        "version_id",
    ),
    RESTORE_EXPIRED: ("bucket", "key", "storage_class", "request_id", "version_id"),
    HTTP_REQUEST: ("request_id", "gateway", "method", "path", "route", "target", "listener_port"),
    HTTP_RESPONSE: (
        "request_id",
        "method",
        "path",
        "route",
        "status",
        "latency_ms",
        "reason",
        "invocation_id",
        "execution_id",
        "description",
    ),
    CONTAINER_REQUEST: (
        "request_id",
        "invocation_id",
        "container",
        "port",
        "via",
        "method",
        "path",
    ),
    CONTAINER_RESPONSE: ("request_id", "invocation_id", "container", "status", "duration_ms"),
    CONTAINER_MESSAGE_PROCESSED: (
        "message_id",
        "queue",
        "invocation_id",
        "container",
        "receive_count",
        "duration_ms",
    ),
    CONTAINER_MESSAGE_FAILED: (
        "message_id",
        "queue",
        "invocation_id",
        "container",
        "receive_count",
        "duration_ms",
        "error",
        "error_message",
        "error_message_bytes",
    ),
    CONTAINER_FAILED: (
        "request_id",
        "invocation_id",
        "container",
        "error",
        "error_message",
        "error_message_bytes",
        "duration_ms",
    ),
    HTTP_AUTHORIZATION: (
        "request_id",
        "authorizer",
        "function",
        "user_pool",
        "cached",
        "invocation_id",
        "decision",
        "reason",
    ),
    BATCH_SUBMITTED: (
        "execution_id",
        "execution_arn",
        "trigger",
        "source",
        "attempts",
        "request_id",
        "queue",
        "message_ids",
        "stream",
        "shard",
        "sequence_numbers",
    ),
    BATCH_ATTEMPT_STARTED: ("execution_id", "attempt", "batch_job_id", "env"),
    BATCH_ATTEMPT_FAILED: (
        "execution_id",
        "attempt",
        "error",
        "error_message",
        "timeout",
        "duration_ms",
        "retry_at",
        "error_message_bytes",
    ),
    BATCH_SUCCEEDED: ("execution_id", "attempt", "duration_ms"),
    BATCH_FAILED: ("execution_id", "attempts", "error", "error_message"),
    BATCH_REDRIVEN: ("execution_id", "execution_arn", "redrive_count", "attempt"),
    BATCH_TRIGGER_FAILED: (
        "invocation_id",
        "trigger",
        "source",
        "error",
        "error_message",
        "queue",
        "message_ids",
        "stream",
        "shard",
        "sequence_numbers",
    ),
    STREAM_RECORD_PUT: ("sequence_number", "shard", "partition_key", "size", "source"),
    STREAM_RECORD_EXPIRED: ("sequence_number", "shard"),
    STREAM_BATCH_RETRIED: (
        "stream",
        "shard",
        "sequence_numbers",
        "invocation_id",
        "retries",
        "at",
    ),
    STREAM_BATCH_BISECTED: (
        "stream",
        "shard",
        "sequence_numbers",
        "invocation_id",
        "split_at",
        "at",
    ),
    STREAM_BATCH_DISCARDED: (
        "stream",
        "shard",
        "sequence_numbers",
        "invocation_id",
        "condition",
        "attempts",
    ),
    STREAM_FAILURE_DELIVERED: ("invocation_id", "target", "delivered_id"),
    KAFKA_RECORD_PRODUCED: (
        "record_id",
        "partition",
        "offset",
        "key",
        "size",
        "source",
        "tombstone",
    ),
    KAFKA_RECORD_EXPIRED: ("record_id", "partition", "offset"),
    KAFKA_BATCH_RETRIED: ("topic", "partition", "record_ids", "invocation_id", "retries", "at"),
    KAFKA_OFFSET_COMMITTED: ("topic", "partition", "offset", "invocation_id"),
    ITEM_PUT: ("key", "event_name", "size", "sequence_number", "shard", "source"),
    ITEM_DELETED: ("key", "sequence_number", "shard", "source"),
    ITEM_UPDATED: ("key", "event_name", "size", "sequence_number", "shard", "source"),
    SFN_EXECUTION_STARTED: ("execution_arn", "name", "input_bytes", "source"),
    SFN_EXECUTION_SUCCEEDED: ("execution_arn", "duration_ms", "output_bytes"),
    SFN_EXECUTION_FAILED: ("execution_arn", "duration_ms", "error", "cause"),
    SFN_EXECUTION_TIMED_OUT: ("execution_arn", "duration_ms", "error", "cause"),
    SFN_EXECUTION_ABORTED: ("execution_arn", "duration_ms", "error", "cause"),
    SFN_STATE_ENTERED: ("execution_arn", "state", "type", "input_bytes"),
    SFN_STATE_EXITED: ("execution_arn", "state", "type", "output_bytes", "assigned_variables"),
    SFN_TASK_STARTED: ("execution_arn", "state", "function", "invocation_id"),
    SFN_TASK_FAILED: ("execution_arn", "state", "error", "invocation_id"),
    SFN_TASK_CALLED: ("execution_arn", "state", "integration", "target", "delivered_id"),
    SFN_TASK_WAITING: ("execution_arn", "state", "token", "heartbeat_s", "timeout_s"),
    SFN_TASK_CALLBACK: ("execution_arn", "state", "token", "outcome", "error", "source"),
    SFN_CHOICE: ("execution_arn", "state", "next", "verdicts"),
    SFN_RETRY: ("execution_arn", "state", "error", "attempt", "delay_ms", "at"),
    SFN_CAUGHT: ("execution_arn", "state", "error", "next", "assigned_variables"),
    SFN_EXECUTION_REDRIVEN: ("execution_arn", "redrive_count"),
    SFN_MAP_RUN_STARTED: ("execution_arn", "state", "map_run_arn", "items", "child_executions"),
    SFN_MAP_RUN_ENDED: ("execution_arn", "state", "map_run_arn", "status", "succeeded", "failed"),
    LOG_WRITTEN: ("group", "stream", "log_event_id", "message", "source"),
    LOG_MATCHED: (
        "group",
        "filter",
        "subscriber",
        "log_event_id",
        "stream",
        "message",
        "invocation_id",
        "execution_id",
    ),
    LOG_SKIPPED: (
        "group",
        "filter",
        "subscriber",
        "log_event_id",
        "stream",
        "message",
        "invocation_id",
        "execution_id",
        "reason",
    ),
    LOG_DELIVERED: (
        "group",
        "filter",
        "subscriber",
        "stream",
        "log_event_ids",
        "count",
        "delivered_id",
    ),
    LOG_DELIVERY_FAILED: ("group", "filter", "subscriber", "log_event_ids", "error"),
    LOG_LOOP_STOPPED: ("group", "filter", "subscriber", "log_event_ids", "depth", "reason"),
    ALARM_STATE_CHANGED: (
        "alarm",
        "reference",
        "previous",
        "state",
        "reason",
        "origin",
        "event_id",
        "why",
        "cause_ids",
    ),
    ALARM_NOTIFIED: ("alarm", "state", "channel", "recipient", "event_id"),
}


class EndsAtInstant(tuple[str, ...]):
    """The names of a packed record's fields (see `Raw`) whose last value is an instant,
    packed as integer milliseconds and written as ISO-8601 text (`iso_ms`) when the record is
    read: a retried stream batch's `at`, which a Deferred would cost an object per attempt."""

    __slots__ = ()


# The names of packed fields (see `Raw`), in the order the values come.
MESSAGE_ID_FIELDS = ("message_id",)
RECEIVE_FIELDS = ("message_id", "receive_count")
SENT_FIELDS = ("message_id", "source")
STARTED_FIELDS = ("invocation_id", "trigger", "attempt")
SQS_STARTED_FIELDS = (*STARTED_FIELDS, "queue", "message_ids")
ASYNC_STARTED_FIELDS = (*STARTED_FIELDS, "event_id", "source", "age_ms")
KINESIS_STARTED_FIELDS = (*STARTED_FIELDS, "stream", "shard", "sequence_numbers")
SUCCEEDED_FIELDS = ("invocation_id", "duration_ms")
FAILED_FIELDS = ("invocation_id", "duration_ms", "error", "error_message", "timeout")


def format_value(value: Any) -> str:
    """A record field as text: strings as they are, everything else as compact JSON (its
    control characters as JSON escapes: `textsafe.json_text`)."""
    if isinstance(value, str):
        return value
    return json_text(value, separators=(",", ":"), default=str)


# `json.dumps` with options makes an encoder at each call: a third of the time of encoding a
# long trace's lines (`--trace`, the digest `save` records).
_line_json = json.JSONEncoder(ensure_ascii=True, separators=(",", ":"), default=str).encode


class Record:
    """One trace record: when, what kind, on which resource, and the kind's own fields."""

    __slots__ = ("data", "kind", "resource", "seq", "t")

    def __init__(self, seq: int, t: int, kind: str, resource: str, *fields: Any) -> None:
        """`fields` is the record's dict, or packed values followed by their names (`Raw`):
        so `Record(seq, *raw)` makes the record of any emitted tuple."""
        self.seq = seq
        self.t = t
        self.kind = kind
        self.resource = resource
        if len(fields) == 1:
            self.data: dict[str, Any] = fields[0]
            return
        # Packed fields become a dict here, when someone looks; zipping the names with all
        # the fields stops before the names themselves. A Deferred field is built now.
        names = fields[-1]
        data = dict(zip(names, fields, strict=False))
        if Deferred in map(type, fields):
            data = {k: resolve(v) for k, v in data.items()}
        if type(names) is EndsAtInstant:
            last = names[-1]
            data[last] = iso_ms(data[last])
        self.data = data

    def get(self, key: str, default: Any = None) -> Any:
        """A field of the record's data."""
        return self.data.get(key, default)

    def to_json(self) -> dict[str, Any]:
        """The documented JSON form: `seq`, `t` (ISO-8601 UTC, ms), `kind`, `resource`, fields."""
        return {
            "seq": self.seq,
            "t": iso_ms(self.t),
            "kind": self.kind,
            "resource": self.resource,
            **self.data,
        }

    def to_line(self) -> str:
        """One JSON Lines line (no newline), keys in the documented order."""
        return _line_json(self.to_json())

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Record):
            return NotImplemented
        return (self.seq, self.t, self.kind, self.resource, self.data) == (
            other.seq,
            other.t,
            other.kind,
            other.resource,
            other.data,
        )

    def __hash__(self) -> int:
        return hash((self.seq, self.kind))

    def __repr__(self) -> str:
        return f"Record({self.seq}, {iso_ms(self.t)}, {self.kind}, {self.resource}, {self.data!r})"


Subscriber = Callable[[Record], None]
# A record as emitted: `(t, kind, resource, fields)` with a dict of fields, or, on the
# simulator's busiest paths, packed: `(t, kind, resource, *values, names)`, such as
# `(t, MESSAGE_RECEIVED, queue, message_id, receive_count, RECEIVE_FIELDS)`. Packing costs
# no dict to build and free, and most records of a long run are never looked at; a Record
# always holds a dict. A packed value may be a Deferred, built when its Record is, and the
# last value of names given as EndsAtInstant is an instant written as ISO text then. Its
# sequence number is its position in the trace.
Raw = tuple[Any, ...]
_KIND = itemgetter(1)
_RESOURCE = itemgetter(2)
# How many emitted records may wait to be settled by `Trace.bound`.
PENDING_BOUND = 4096


def _records_at(first: int, raw: Sequence[Raw], index: int | slice) -> Record | list[Record]:
    """The Record (or, for a slice, Records) at `index` of `raw`, a run of raw records whose
    first has sequence number `first`: Sequence indexing for RecordRing and RecordRun."""
    if isinstance(index, slice):
        return [Record(first + i, *raw[i]) for i in range(*index.indices(len(raw)))]
    if index < 0:
        index += len(raw)
    if not 0 <= index < len(raw):
        raise IndexError("record index out of range")
    return Record(first + index, *raw[index])


class RecordRing(Sequence[Record]):
    """The most recent records, kept as plain tuples and turned into Records on access.

    Building a Record object per step costs as much as a whole heap step; most records of a
    long headless run are never looked at, so they stay tuples until someone reads them. A
    record's sequence number is not stored: it follows from its position in the ring."""

    def __init__(self, maxlen: int, settle: Callable[[], None] = lambda: None) -> None:
        # The records kept, oldest first, as emitted: what readers that make no Record read
        # (the trace's queries, its index, metrics), having settled first (`settle`).
        self.raw: deque[Raw] = deque(maxlen=maxlen)
        self.total = 0  # records ever added: the sequence number of the newest
        # Settles the trace: numbers and keeps the records emitted since it last did.
        self.settle = settle

    def extend_raw(self, raws: list[Raw]) -> None:
        """Keep `raws`, the records the trace settles, after those kept."""
        self.raw.extend(raws)
        self.total += len(raws)

    @property
    def first_seq(self) -> int:
        """The sequence number of the oldest record kept (one past the newest when empty)."""
        self.settle()
        return self.total - len(self.raw) + 1

    def __len__(self) -> int:
        self.settle()
        return len(self.raw)

    @overload
    def __getitem__(self, index: int) -> Record: ...
    @overload
    def __getitem__(self, index: slice) -> list[Record]: ...
    def __getitem__(self, index: int | slice) -> Record | list[Record]:
        return _records_at(self.first_seq, self.raw, index)

    def __iter__(self) -> Iterator[Record]:
        seq = self.first_seq
        for raw in list(self.raw):
            yield Record(seq, *raw)
            seq += 1

    @property
    def maxlen(self) -> int | None:
        """How many records the ring keeps."""
        return self.raw.maxlen

    def of_kinds(self, kinds: Container[str], last: int, per_resource: int) -> list[Record]:
        """The newest `per_resource` records of `kinds` of each resource among the last
        `last`, oldest first: only those are made into Records (a view rebuilt after an
        undo keeps a few hundred of 20,000)."""
        self.settle()
        raw = self.raw
        first = self.total - len(raw) + 1
        start = max(0, len(raw) - last)
        counts: Counter[str] = Counter()
        kept: list[Record] = []
        # Newest first (a deque is slow to index in its middle, quick to walk).
        for i, r in zip(range(len(raw) - 1, start - 1, -1), reversed(raw), strict=False):
            if r[1] in kinds and counts[r[2]] < per_resource:
                counts[r[2]] += 1
                kept.append(Record(first + i, *r))
        kept.reverse()
        return kept


class RecordRun(Sequence[Record]):
    """Consecutive records taken from the ring at one moment, turned into Records on access.

    What a command caused: `advance 7d` of a failing consumer causes a million records, of
    which the REPL shows the first and last dozen; building a Record for each would cost a
    second. The raw tuples are copied when the run is taken, so records the ring drops
    later stay readable here."""

    __slots__ = ("_first", "_raw")

    def __init__(self, first: int, raw: list[Raw]) -> None:
        self._first = first
        self._raw = raw

    def __len__(self) -> int:
        return len(self._raw)

    @overload
    def __getitem__(self, index: int) -> Record: ...
    @overload
    def __getitem__(self, index: slice) -> list[Record]: ...
    def __getitem__(self, index: int | slice) -> Record | list[Record]:
        return _records_at(self._first, self._raw, index)

    def __iter__(self) -> Iterator[Record]:
        first = self._first
        for i, raw in enumerate(self._raw):
            yield Record(first + i, *raw)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence):
            return NotImplemented
        return list(self) == list(other)

    __hash__ = None  # type: ignore[assignment]  # equal to lists, which do not hash

    def __repr__(self) -> str:
        return f"RecordRun({list(self)!r})"


class Trace:
    """Receives records; keeps a ring of recent ones, per-kind counters and subscribers.

    `emit((t, kind, resource, data))` (or a packed `Raw`) is a bare list append, the
    cheapest thing Python can do per step: records are numbered, counted, kept and handed
    to subscribers in bulk when the trace settles. Every query settles first, and so does
    the scheduler, every few thousand events and whenever it stops, so subscribers see each
    step's records in order before control returns to whoever ran the simulation."""

    def __init__(self, ring_size: int = 200_000) -> None:
        self.records = RecordRing(ring_size, self.settle)
        self._pending: list[Raw] = []
        self.emit: Callable[[Raw], None] = self._pending.append
        self._counts: Counter[tuple[str, str]] = Counter()
        self.subscribers: list[Subscriber] = []
        # Where each id's records are, for `explain` and `show message`: made by the first
        # of them to read it, and kept up to date by reads (stptui.sim.trace_index.TraceIndex).
        self.index: Any = None

    @property
    def seq(self) -> int:
        """The sequence number of the newest record (0 before any)."""
        return self.records.total + len(self._pending)

    def settle(self) -> None:
        """Number, count and keep the records emitted since the last call, and hand them
        to every subscriber, in order."""
        pending = self._pending
        if not pending:
            return
        ring = self.records
        first = ring.total + 1
        ring.extend_raw(pending)
        # Zipped rather than one itemgetter(1, 2): zip reuses its pair while the counter
        # already holds that key, so the pairs of the commonest records cost no allocation.
        self._counts.update(zip(map(_KIND, pending), map(_RESOURCE, pending), strict=True))
        if self.subscribers:
            batch = [Record(first + i, *raw) for i, raw in enumerate(pending)]
            pending.clear()
            subscribers = list(self.subscribers)
            for rec in batch:
                for sub in subscribers:
                    sub(rec)
        else:
            pending.clear()

    def bound(self) -> None:
        """Settle when many records wait: for actions taken outside the scheduler's loop
        (a script sending a million messages), which nothing else would settle."""
        if len(self._pending) >= PENDING_BOUND:
            self.settle()

    @property
    def counts(self) -> dict[tuple[str, str], int]:
        """How many records of each (kind, resource) were emitted in all."""
        self.settle()
        return self._counts

    def subscribe(self, fn: Subscriber) -> Callable[[], None]:
        """Call `fn` for every new record; returns a function that unsubscribes."""
        self.settle()
        self.subscribers.append(fn)
        return lambda: self.subscribers.remove(fn) if fn in self.subscribers else None

    def count(self, kind: str, resource: str | None = None) -> int:
        """How many records of `kind` (on `resource`, when given) were emitted in all."""
        counts = self.counts
        if resource is None:
            return sum(n for (k, _), n in counts.items() if k == kind)
        return counts.get((kind, resource), 0)

    def since(self, seq: int) -> Iterator[Record]:
        """Records still in the ring with a sequence number above `seq`, oldest first."""
        ring = self.records
        first = ring.first_seq
        raw = ring.raw
        start = max(0, seq - first + 1)
        return (Record(first + i, *raw[i]) for i in range(start, len(raw)))

    def run_since(self, seq: int) -> RecordRun:
        """`since(seq)` as a sequence whose Records are made when read (see RecordRun)."""
        ring = self.records
        first = ring.first_seq
        raw = ring.raw
        count = max(0, len(raw) - max(0, seq - first + 1))
        # Taken from the newest end: a command's records are the ring's last ones, and
        # indexing a deque far from its ends walks it.
        taken = list(islice(reversed(raw), count))
        taken.reverse()
        return RecordRun(first + len(raw) - count, taken)

    def newest(self, resource: str, kinds: frozenset[str]) -> Iterator[Record]:
        """The records of `kinds` on `resource` still in the ring, newest first; the others
        are passed over without being made into Records."""
        ring = self.records
        raw = ring.raw
        last = ring.first_seq + len(raw) - 1
        for back, r in enumerate(reversed(raw)):
            if r[2] == resource and r[1] in kinds:
                yield Record(last - back, *r)

    def tail(self, n: int) -> list[Record]:
        """The last `n` records."""
        ring = self.records
        first = ring.first_seq
        raw = ring.raw
        n = max(0, min(n, len(raw)))
        return [Record(first + i, *raw[i]) for i in range(len(raw) - n, len(raw))]


class Writable(Protocol):
    """A text stream, or anything that writes text as one does."""

    def write(self, text: str, /) -> object:
        """Write `text`."""
        ...


class JsonlWriter:
    """A subscriber that writes each record as a JSON line to a text stream."""

    def __init__(self, stream: Writable) -> None:
        self.stream = stream

    def __call__(self, rec: Record) -> None:
        self.stream.write(rec.to_line())
        self.stream.write("\n")
