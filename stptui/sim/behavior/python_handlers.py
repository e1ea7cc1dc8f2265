"""Python handlers (`handler: module:function`, run only with `--allow-code`): the context they
receive and the call that turns what they did into an Outcome.

`fn(event, context)` receives a deep copy of the AWS-shaped event. `context` has
`function_name` (a function's AWS name), `function_version`, `memory_limit_in_mb`,
`aws_request_id`, `attempt`,
`now` (UTC datetime of the simulated time), `now_ms`, `random` (the simulator's seeded
generator; the `random` module, `datetime.now()`, `time.time()`, `uuid4()` ... are the
simulation's too while the handler runs: handler_clock),
`remaining_time_ms()` (alias `get_remaining_time_in_millis()`), `sleep(duration)` (adds
simulated time to the invocation, ms or a duration text), `send(queue, body, delay=None,
group=None, dedup_id=None, attributes=None)`, `publish(bus, source, detail_type, detail,
resources=None)`, `put_object(bucket, key, content)`, `restore_object(bucket, key, days,
tier="Standard", version_id=None)`, `invoke(function, payload)`, `put_record(stream, data,
partition_key=None)`, `produce(topic, value, key=None, headers=None, partition=None)`,
`put_item(table, item, condition=None, names=None, values=None, return_values="NONE")`,
`delete_item(table, key, return_values="NONE")`, `update_item(table, key, update,
names=None, values=None, condition=None, return_values="NONE")`,
`batch_write_item(table, requests)`, `transact_write_items(actions)` (all or none:
handler_transact), `delete_object(bucket, key, version_id=None)`,
`copy_object(bucket, key, source_bucket, source_key, source_version_id=None)`,
`delete_message(queue, receipt_handle)`, `start_execution(state_machine, input,
name=None)`, `send_task_success(state_machine, task_token, output=None)`,
`send_task_failure(state_machine, task_token, error=None, cause=None)`,
`send_task_heartbeat(state_machine, task_token)`,
`post_to_connection(connection_id, data, gateway=None)` and `log(text)`; and the reads
`get_object`, `head_object`, `list_objects`, `get_item`, `transact_get_items`,
`batch_get_item`, `query` and `scan`, which answer at once from the stack as it is when the
handler runs (handler_reads); `receive_message` and `change_message_visibility`, a poller's
calls of a queue, made at the call only.
`environment` is what `os.environ` holds while the handler runs (handler_env). A target is
named as the stack names it or by the URL, ARN or AWS name its STP_* variable holds
(handler_targets); while the handler runs, `import boto3` gives boto3_standin, whose
clients call these methods for it. A write happens when the handler makes it, as an SDK call
does: before any `sleep`, at the call (`Simulator.handler_call`: it answers as boto3 does,
and a refusal raises `ClientError`), after one at the start plus the time slept (scheduled
once the handler returns, never made if the invocation timed out first; it answers None).
What was written stays written whatever the invocation's end. A target that is not in the
stack (or has the wrong type) raises `BehaviorError` inside the handler. A `sleep` past the
timeout makes the outcome a timeout (logs kept). What the handler prints goes to the
invocation's log lines.
Hostile code: a method's arguments are read as the plain values they hold (`plain_args`: a
str subclass's own methods never reach the engine, and what the handler changes after a
call does not change it); the context's bookkeeping is private; a context kept past its
invocation raises BehaviorError; a KeyboardInterrupt the handler raises is its own, and
only the user's Ctrl-C (`user_interrupts`) stops the command; its `os._exit` ends the
handler, not stptui (handler_exits).
An exception gives errorType = its class name and errorMessage = `str(exc)`. Lambda's Python
runtime catches only Exception: what else the handler raises (SystemExit, KeyboardInterrupt,
a BaseException subclass), or its os._exit, ends the runtime's process, which Lambda reports
as `Runtime.ExitError` (`_process_end`). A batch job's program is its container's process:
its exit status decides the attempt (0 succeeds; another fails it as AWS Batch reports it,
`BatchExit`); a container workload's program that exits never answers its request, which
fails with that exit as its error. A return value
that is not JSON-serialisable gives `Runtime.MarshalError` (so do NaN, the infinities and a
value nested too deeply). For SQS events, a returned `{"batchItemFailures": [...]}` is read
by AWS's rules (below) when `reportBatchItemFailures` is on, and ignored (with a log line)
when it is off. Each Behaviors imports its handlers into fresh modules (see
`handler_modules`).

Partial batch responses (AWS rules)
-----------------------------------
A null response, a response without `batchItemFailures`, or an empty/null list: complete
success. A `batchItemFailures` that is not a list, an entry that is not an object, a missing,
null or empty `itemIdentifier`, or an id not in the batch: the whole batch fails -- the
outcome is a success whose `failed_item_ids` lists every message, with a log line saying why
(Lambda reports no function error; the event source mapping keeps every message).
"""

from __future__ import annotations

import copy
import dataclasses
import json
import math
import random
import traceback
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from stptui.config.aws_names import lambda_name
from stptui.config.model import Function
from stptui.config.permissions import ClientError, Denial, operation_name
from stptui.sim.behavior.contexts import InputViews
from stptui.sim.behavior.declared import WorkloadBehavior
from stptui.sim.behavior.durations import MAX_DURATION_MS, parse_duration
from stptui.sim.behavior.errors import BehaviorError, compact_json, shown
from stptui.sim.behavior.fields import normalise, own_gateways
from stptui.sim.behavior.handler_env import applied
from stptui.sim.behavior.handler_exits import (
    ProcessExit,
    ProcessExits,
    signal_words,
    user_interrupts,
    users_ctrl_c,
)
from stptui.sim.behavior.handler_logging import LogSink
from stptui.sim.behavior.handler_modules import Environment, HandlerModules, ended_by
from stptui.sim.behavior.handler_network import offline
from stptui.sim.behavior.outcome import Emission, EmissionKind, InvocationInput, Outcome, timed_out
from stptui.sim.clock import MAX_MS, datetime_of, iso_ms
from stptui.sim.ddbjson import item_to_plain
from stptui.sim.handler_logs import log_events

if TYPE_CHECKING:
    from stptui.sim.behavior.handler_executions import Executions
    from stptui.sim.behavior.handler_reads import Reads
    from stptui.sim.behavior.handler_transact import TransactAction
    from stptui.sim.behavior.runtime import Behaviors

# Lambda's largest response, in bytes, as its error message gives it (6 MB and 100 bytes).
MAX_RESPONSE_BYTES = 6_291_556
# ReceiveMessage's long poll waits at most 20 seconds (SQS API Reference, ReceiveMessage).
MAX_WAIT_S = 20


def batch_item_failures(
    response: Any, message_ids: list[str]
) -> tuple[list[str] | None, str | None]:
    """Read a handler's SQS response by Lambda's ReportBatchItemFailures rules.

    Returns (failed ids, problem). (None, None): no partial response (complete success);
    ([], None): an empty list (complete success); (ids, None): those messages failed;
    (every id, reason): an invalid response, which fails the whole batch.
    """
    if not isinstance(response, dict) or "batchItemFailures" not in response:
        return None, None
    items = response["batchItemFailures"]
    if items is None:
        return [], None
    if not isinstance(items, list):
        return list(message_ids), "batchItemFailures is not a list"
    batch = set(message_ids)
    failed: list[str] = []
    for item in items:
        if not isinstance(item, dict):
            return list(message_ids), f"a batchItemFailures entry is not an object: {item!r}"
        ident = item.get("itemIdentifier")
        if ident is None or ident == "":
            return list(message_ids), "an itemIdentifier is missing, null or empty"
        if ident not in batch:
            return list(message_ids), f"itemIdentifier {ident!r} is not a message of this batch"
        if ident not in failed:
            failed.append(ident)
    return failed, None


class HandlerContext:
    """The `context` a Python handler receives: Lambda's usual fields plus simulator hooks."""

    # What the handler returns through is kept under private names, read only by
    # run_handler: a handler that sets `context.logs = None` raises AttributeError in itself.
    __slots__ = (
        "_behaviors",
        "_chain",
        "_denied",
        "_emissions",
        "_ended",
        "_invocation",
        "_later",
        "_logs",
        "_reads",
        "_role",
        "_sim",
        "_slept_ms",
        "_timeout_ms",
        "_workload",
        "attempt",
        "aws_request_id",
        "environment",
        "function_version",
        "memory_limit_in_mb",
        "now_ms",
        "random",
    )

    def __init__(
        self,
        behaviors: Behaviors,
        inp: InvocationInput,
        rng: random.Random,
        memory_mb: int | None,
    ) -> None:
        self._behaviors = behaviors
        self._timeout_ms = inp.timeout_ms
        self._role = inp.role
        self._workload = inp.function
        self._sim = inp.sim
        self._invocation = inp.invocation_id
        self._chain = inp.chain
        self._reads: Reads | None = None
        self.function_version = "$LATEST"
        self.memory_limit_in_mb = memory_mb
        self.aws_request_id = inp.request_id
        self.attempt = inp.attempt
        self.now_ms = inp.now_ms
        self.random = rng
        self._slept_ms = 0
        # Outside a simulation only: the calls, collected (a simulation carries them out).
        self._emissions: list[Emission] = []
        self._denied: list[tuple[Emission, str]] = []
        # The calls made after a sleep: (ms slept before it, the call, the role's refusal).
        self._later: list[tuple[int, Emission, str | None]] = []
        self._logs: list[str] = []
        # Set when the handler has returned: a thread it started, or a module global that
        # kept the context, would otherwise write into whatever the simulation does later.
        self._ended = False
        # What `os.environ` holds while the handler runs (handler_env), as a dict of its own.
        self.environment: dict[str, str] = {}

    @property
    def function_name(self) -> str:
        """Lambda's `function_name`: the function's AWS name (`app-dev-worker`); a batch
        job's or container's behaviour keeps the name the stack gives it (`web.app`)."""
        stack = self._behaviors.stack
        if isinstance(stack.resources.get(self._workload), Function):
            return lambda_name(stack.stack_name, self._workload)
        return self._workload

    @property
    def slept_ms(self) -> int:
        """The simulated milliseconds the handler has slept."""
        return self._slept_ms

    @property
    def now(self) -> datetime:
        """The simulated time as a UTC datetime (at most the clock's last instant: an
        invocation started near the end of the clock's range can outrun it)."""
        return datetime_of(min(self.now_ms, MAX_MS))

    def remaining_time_ms(self) -> int:
        """Milliseconds left before the timeout (a large number when there is none)."""
        if self._timeout_ms <= 0:
            return MAX_DURATION_MS
        return max(0, self._timeout_ms - self._slept_ms)

    def get_remaining_time_in_millis(self) -> int:
        """Lambda's spelling of `remaining_time_ms`."""
        return self.remaining_time_ms()

    def sleep(self, duration: int | float | str) -> None:
        """Spend simulated time: whole milliseconds, or a duration text such as `2s`."""
        if isinstance(duration, str):
            try:
                ms = parse_duration(duration)
            except BehaviorError as exc:
                raise BehaviorError(f"sleep: {exc}", exc.hint) from None
        elif isinstance(duration, int) and not isinstance(duration, bool):
            ms = duration
        elif isinstance(duration, float) and math.isfinite(duration) and duration.is_integer():
            ms = int(duration)
        else:
            raise BehaviorError(
                f"sleep needs whole milliseconds or a duration text, not {shown(duration)}",
                'e.g. context.sleep(500) or context.sleep("2s")',
            )
        if ms < 0:
            raise BehaviorError("sleep needs a duration of at least 0")
        if self._slept_ms + ms > MAX_DURATION_MS:
            raise BehaviorError("sleep: an invocation cannot sleep past the 3650-day limit")
        self._slept_ms += ms
        self.now_ms += ms

    def log(self, text: Any) -> None:
        """Add a line to the invocation's log."""
        # str() gives what `__str__` returns, which may be a str subclass: kept as plain text.
        self._logs.append(str.__str__(str(text)))

    def send(
        self,
        queue: str,
        body: Any,
        delay: int | None = None,
        group: str | None = None,
        dedup_id: str | None = None,
        attributes: dict[str, str | int | float] | None = None,
    ) -> dict[str, Any] | None:
        """SQS SendMessage, made at the call (or at the start plus the time slept)."""
        values = {
            "body": body,
            "delay": delay,
            "group": group,
            "dedupId": dedup_id,
            "attributes": attributes,
        }
        return self._emit("send", queue, values)

    def publish(
        self,
        bus: str,
        source: str,
        detail_type: str,
        detail: Any,
        resources: list[str] | None = None,
    ) -> dict[str, Any] | None:
        """EventBridge PutEvents with one entry (`bus` may be `default`); `resources` are the
        event's `resources`, ARNs (none by default)."""
        values = {"source": source, "detailType": detail_type, "detail": detail}
        if resources is not None:
            values["resources"] = resources
        return self._emit("publish", bus, values)

    def _publish_at(
        self,
        bus: str,
        source: str,
        detail_type: str,
        detail: Any,
        resources: list[str] | None,
        time_ms: int,
    ) -> dict[str, Any] | None:
        """PutEvents with one entry whose Time is `time_ms` (epoch milliseconds): the
        event's `time` (boto3's `put_events` with an entry's Time)."""
        values = {"source": source, "detailType": detail_type, "detail": detail}
        if resources is not None:
            values["resources"] = resources
        values["time"] = time_ms
        return self._emit("publish", bus, values)

    def notify(
        self,
        topic: str,
        message: Any,
        subject: str | None = None,
        attributes: dict[str, Any] | None = None,
        group: str | None = None,
        dedup_id: str | None = None,
        structure: str | None = None,
    ) -> dict[str, Any] | None:
        """SNS Publish; a message that is not text is sent as JSON. `group` and `dedup_id`
        are the MessageGroupId and MessageDeduplicationId a FIFO topic needs; `structure`
        "json" (MessageStructure) makes the message a JSON object of one message per
        protocol, of which subscribers get the `lambda` one (else the `default` one)."""
        values = {
            "message": message,
            "subject": subject,
            "group": group,
            "dedupId": dedup_id,
            "attributes": attributes,
        }
        if structure is not None:
            values["structure"] = structure
        return self._emit("notify", topic, values)

    def put_object(self, bucket: str, key: str, content: Any) -> dict[str, Any] | None:
        """S3 PutObject; content that is not text is written as JSON."""
        return self._emit("put", bucket, {"key": key, "content": content})

    def _put_object_in_parts(self, bucket: str, key: str, content: str) -> dict[str, Any] | None:
        """S3's CreateMultipartUpload, UploadPart and CompleteMultipartUpload of `content`
        (boto3's managed upload of a file at or past its multipart threshold): one object,
        whose event is ObjectCreated:CompleteMultipartUpload. Each call needs s3:PutObject,
        as PutObject does."""
        return self._emit("put", bucket, {"key": key, "content": content, "multipart": True})

    def restore_object(
        self,
        bucket: str,
        key: str,
        days: int,
        tier: str = "Standard",
        version_id: str | None = None,
    ) -> dict[str, Any] | None:
        """S3 RestoreObject of an archived object: a copy readable for `days` days."""
        values = {"key": key, "days": days, "tier": tier, "versionId": version_id}
        return self._emit("restoreObject", bucket, values)

    def invoke(self, function: str, payload: Any) -> dict[str, Any] | None:
        """An asynchronous Lambda invoke."""
        return self._emit("invoke", function, {"payload": payload})

    def put_record(
        self, stream: str, data: Any, partition_key: str | None = None
    ) -> dict[str, Any] | None:
        """Kinesis PutRecord; data that is not text is written as JSON."""
        return self._emit("putRecord", stream, {"data": data, "partitionKey": partition_key})

    def produce(
        self,
        topic: str,
        value: Any,
        key: str | None = None,
        headers: dict[str, str] | None = None,
        partition: int | None = None,
    ) -> dict[str, Any] | None:
        """Produce a record to a Kafka topic, named as `show kafka-topics` names it: a value
        that is not text is written as JSON, None is a null value (a tombstone); `key` picks
        the partition (murmur2) unless `partition` is given; `headers` map names to text."""
        values = {"value": value, "key": key, "headers": headers, "partition": partition}
        return self._emit("produce", topic, values)

    def put_item(
        self,
        table: str,
        item: dict[str, Any],
        condition: str | None = None,
        names: dict[str, str] | None = None,
        values: dict[str, Any] | None = None,
        return_values: str = "NONE",
    ) -> dict[str, Any] | None:
        """DynamoDB PutItem of a plain JSON item (marshalled as DocumentClient does), made
        only when `condition` (a ConditionExpression) holds for the item stored:
        `condition="attribute_not_exists(pk)"` writes an item only once. `return_values`
        ALL_OLD answers the item it replaced as `Attributes` (plain JSON)."""
        fields = {"item": item, "condition": condition, "names": names, "values": values}
        return self._item_write("putItem", table, fields, return_values)

    def delete_item(
        self, table: str, key: dict[str, Any], return_values: str = "NONE"
    ) -> dict[str, Any] | None:
        """DynamoDB DeleteItem by a plain JSON key; `return_values` ALL_OLD answers the item
        deleted as `Attributes` (plain JSON)."""
        return self._item_write("deleteItem", table, {"key": key}, return_values)

    def update_item(
        self,
        table: str,
        key: dict[str, Any],
        update: str,
        names: dict[str, str] | None = None,
        values: dict[str, Any] | None = None,
        condition: str | None = None,
        return_values: str = "NONE",
    ) -> dict[str, Any] | None:
        """DynamoDB UpdateItem by a plain JSON key; `values` are plain JSON, marshalled.
        `return_values` (ALL_OLD, UPDATED_OLD, ALL_NEW, UPDATED_NEW) answers the item, or
        the attributes the update names, as `Attributes` (plain JSON): the counter pattern
        `update="ADD n :one", return_values="UPDATED_NEW"` reads the new count."""
        fields = {"key": key, "update": update, "names": names, "values": values}
        return self._item_write(
            "updateItem", table, {**fields, "condition": condition}, return_values
        )

    def _item_write(
        self, kind: EmissionKind, table: str, fields: dict[str, Any], returns: Any
    ) -> dict[str, Any] | None:
        """A DynamoDB write, with the item its ReturnValues asks for as plain JSON."""
        answer = self._emit(kind, table, {**fields, "returnValues": returns})
        if returns not in (None, "NONE") and answer is None:
            # Made after a sleep (or outside a simulation): there is no item to answer with.
            raise BehaviorError(
                f"{operation_name(kind)}: ReturnValues {returns} needs the write made at the "
                "call, and after context.sleep it is made at its instant, once the handler "
                "has returned",
                "read the item with get_item, or write before sleeping",
            )
        if answer is not None and "Attributes" in answer:
            answer = {**answer, "Attributes": item_to_plain(answer["Attributes"])}
        return answer

    def batch_write_item(self, table: str, requests: list[dict[str, Any]]) -> dict[str, Any]:
        """DynamoDB BatchWriteItem of at most 25 requests to one table, each
        `{"PutRequest": {"Item": item}}` or `{"DeleteRequest": {"Key": key}}` in plain JSON:
        all are checked before any is written (a bad one, or two of one key, refuses the
        batch, as DynamoDB does), then each is a put or delete of its own in the trace."""
        # Lazily: only a handler that writes batches needs the module.
        from stptui.sim.behavior.handler_batch import batch_writes, check_batch

        self._check_running()
        (table, requests) = plain_args("context.batch_write_item", table, requests)
        name = self._behaviors.check_target("putItem", table)
        writes = batch_writes(requests)
        denial = self._behaviors.permissions.check(
            self._role, "batchWriteItem", name, {}, self.aws_request_id
        )
        if denial is not None:
            # One refused call, recorded as a refused put_item is: by its first request
            # (the error names dynamodb:BatchWriteItem).
            kind, values = writes[0]
            self._refused(Emission(kind, name, values), denial)
        emitted = [
            (kind, normalise(kind, values, "context.batch_write_item")) for kind, values in writes
        ]
        if self._sim is not None:
            check_batch(self._sim, name, emitted)
        for kind, values in writes:
            self._emit(kind, name, values, "batchWriteItem")
        return {"UnprocessedItems": {}}

    def transact_write_items(self, actions: list[dict[str, Any]]) -> dict[str, Any]:
        """DynamoDB TransactWriteItems of at most 100 actions, each `{"Put": {...}}`,
        `{"Update": {...}}`, `{"Delete": {...}}` or `{"ConditionCheck": {...}}` keyed as
        DynamoDB's request (TableName, Item or Key, ConditionExpression, ...) with plain JSON
        values: all are checked first, then every write is made at the call, or none is. A
        condition that does not hold raises TransactionCanceledException, whose response's
        CancellationReasons give each action's reason in AWS's shape (items in DynamoDB
        JSON). Made at the call only: after `sleep` it raises BehaviorError."""
        # Lazily: only a handler that writes transactions needs the module.
        from stptui.sim.behavior.handler_transact import (
            check_transaction,
            denied,
            transact_actions,
        )

        self._check_running()
        (actions,) = plain_args("context.transact_write_items", actions)
        parsed = [
            dataclasses.replace(a, table=self._behaviors.check_target("putItem", a.table))
            for a in transact_actions(actions)
        ]
        writes: list[Emission] = []
        for action in parsed:
            denial = self._behaviors.permissions.check(
                self._role, action.kind, action.table, {}, self.aws_request_id
            )
            write = _transact_write(action)
            if denial is not None:
                if write is not None and self._sim is not None:
                    self._sim.emission_refused(self._role, self._invocation, write, str(denial))
                raise denied(denial, "TransactWriteItems")
            if write is not None:
                writes.append(write)
        sim = self._sim
        if sim is None:
            self._emissions.extend(writes)
            return {}
        if self._slept_ms:
            raise BehaviorError(
                "TransactWriteItems: stptui makes a transaction at the call only, and after "
                "context.sleep a write is made at its instant, once the handler has returned",
                "make the transaction before sleeping",
            )
        reasons = check_transaction(sim, parsed)
        if any(r["Code"] != "None" for r in reasons):
            from stptui.sim.behavior.handler_transact import cancelled

            error = cancelled(reasons)
            for write in writes:
                sim.emission_refused(self._role, self._invocation, write, str(error))
            raise error
        from stptui.sim.engine import SimError

        for write in writes:
            try:
                sim.handler_call(self._role, self._invocation, write, self._chain)
            except SimError as exc:  # checked above: a write the checks missed is a bug
                raise refusal(write.kind, str(exc)) from None
        return {}

    def transact_get_items(self, gets: list[dict[str, Any]]) -> list[dict[str, Any] | None]:
        """DynamoDB TransactGetItems of at most 100 `{"Get": {"TableName": t, "Key": key}}`
        (plain JSON keys): each item as plain JSON, or None, in the order asked."""
        from stptui.sim.behavior.handler_transact import MAX_TRANSACT_ITEMS, get_requests

        (gets,) = plain_args("context.transact_get_items", gets)
        reader = self._reader()
        pairs = get_requests(gets, "TransactGetItems", "transactItems", MAX_TRANSACT_ITEMS)
        return reader.get_items(pairs, "getItem", "TransactGetItems")

    def batch_get_item(self, request_items: dict[str, list[Any]]) -> dict[str, Any]:
        """DynamoDB BatchGetItem of at most 100 plain JSON keys over the tables named
        (`{table: [key, ...]}`): `Responses` lists each table's items found (plain JSON, in
        the order asked), `UnprocessedKeys` is empty. Two equal keys of one table are
        DynamoDB's ValidationException."""
        from stptui.sim.behavior.handler_transact import batch_get_pairs

        (request_items,) = plain_args("context.batch_get_item", request_items)
        reader = self._reader()
        pairs = batch_get_pairs(request_items)
        items = reader.get_items(pairs, "batchGetItem", "BatchGetItem")
        responses: dict[str, list[dict[str, Any]]] = {t: [] for t in request_items}
        for (table, _), item in zip(pairs, items, strict=True):
            if item is not None:
                responses[table].append(item)
        return {"Responses": responses, "UnprocessedKeys": {}}

    # -- S3 objects and SQS messages: calls a behaviours file does not make

    def delete_object(
        self, bucket: str, key: str, version_id: str | None = None
    ) -> dict[str, Any] | None:
        """S3 DeleteObject, as the `delete` command makes it: a delete marker in a versioned
        bucket, the object removed otherwise; `version_id` deletes that version for good
        (s3:DeleteObjectVersion). Answers DeleteMarker and VersionId as boto3 does."""
        values = {"key": key, "versionId": version_id}
        permission = None if version_id is None else "deleteObjectVersion"
        return self._emit("deleteObject", bucket, values, permission)

    def copy_object(
        self,
        bucket: str,
        key: str,
        source_bucket: str,
        source_key: str,
        source_version_id: str | None = None,
    ) -> dict[str, Any] | None:
        """S3 CopyObject of `source_bucket`/`source_key` (a version of it) to `bucket`/`key`:
        an ObjectCreated:Copy; s3:GetObject on the source and s3:PutObject on the copy."""
        return self._copy(bucket, key, source_bucket, source_key, source_version_id, False)

    def _copy_object_in_parts(
        self, bucket: str, key: str, source_bucket: str, source_key: str, version: str | None
    ) -> dict[str, Any] | None:
        """S3's multipart copy (CreateMultipartUpload, UploadPartCopy of each part,
        CompleteMultipartUpload: boto3's managed copy of a source at or past its multipart
        threshold), whose event is ObjectCreated:CompleteMultipartUpload; the permissions
        CopyObject needs."""
        return self._copy(bucket, key, source_bucket, source_key, version, True)

    def _copy(
        self,
        bucket: str,
        key: str,
        source_bucket: str,
        source_key: str,
        source_version_id: str | None,
        in_parts: bool,
    ) -> dict[str, Any] | None:
        from stptui.sim.behavior.handler_reads import client_error

        self._check_running()
        (source_bucket, source_key, source_version_id) = plain_args(
            "context.copy_object", source_bucket, source_key, source_version_id
        )
        try:
            source = self._behaviors.check_target("copyObject", source_bucket)
        except BehaviorError as exc:
            raise client_error(
                "NoSuchBucket", f"The specified bucket does not exist ({exc})", "CopyObject"
            ) from None
        read = "getObject" if source_version_id is None else "getObjectVersion"
        fields = {"key": source_key}
        denial = self._behaviors.permissions.check(
            self._role, read, source, fields, self.aws_request_id
        )
        if denial is not None:
            raise ClientError(Denial(denial.code, denial.message, "CopyObject"))
        values = {
            "key": key,
            "sourceBucket": source,
            "sourceKey": source_key,
            "sourceVersionId": source_version_id,
        }
        if in_parts:
            values["multipart"] = True
        return self._emit("copyObject", bucket, values)

    def delete_message(self, queue: str, receipt_handle: str) -> dict[str, Any] | None:
        """SQS DeleteMessage by the receipt handle of a receive (an SQS record's
        `receiptHandle`): an older handle, or one of a message already deleted, deletes
        nothing and is no error; one the queue never gave out is ReceiptHandleIsInvalid."""
        return self._emit("deleteMessage", queue, {"receiptHandle": receipt_handle})

    def receive_message(
        self,
        queue: str,
        max_messages: int = 1,
        visibility_timeout: int | None = None,
        wait_seconds: int | None = None,
    ) -> list[dict[str, Any]]:
        """SQS ReceiveMessage by a handler that polls a queue itself: up to `max_messages`
        (1-10) visible messages, put in flight for `visibility_timeout` seconds (None: the
        queue's), each returning to the queue when it ends unless deleted; each message as
        the SDK answers a receive asking for every attribute. The receive is the queue's own
        (`message.received` records naming this workload as the consumer; a message past
        maxReceiveCount goes to the dead-letter queue). When no message is visible, a long
        poll (`wait_seconds` 1-20; None: the queue's `longPollingSeconds`) spends its whole
        wait, as `sleep` does, and answers none: the simulation does not run while the
        handler does, so no message can arrive meanwhile. Made at the call only: after
        `sleep` (or a long poll that waited) it raises BehaviorError."""
        from stptui.sim.payloads import sdk_message
        from stptui.sim.services.queue import MAX_VISIBILITY_S

        queue, max_messages, visibility_timeout, wait_seconds = self._queue_call(
            "receive_message",
            "receiveMessage",
            queue,
            max_messages,
            visibility_timeout,
            wait_seconds,
        )
        for name, value, low, high in (
            ("MaxNumberOfMessages", max_messages, 1, 10),
            ("VisibilityTimeout", visibility_timeout, 0, MAX_VISIBILITY_S),
            ("WaitTimeSeconds", wait_seconds, 0, MAX_WAIT_S),
        ):
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, int):
                raise BehaviorError(
                    f"receive_message: {name} must be a whole number, not {shown(value)}"
                )
            if not low <= value <= high:
                # SQS words its long poll's range differently from the others'.
                reason = (
                    f"Must be >= {low} and <= {high}, if provided."
                    if name == "WaitTimeSeconds"
                    else f"Must be between {low} and {high}, if provided."
                )
                raise ClientError(
                    Denial(
                        "InvalidParameterValue",
                        f"Value {shown(value)} for parameter {name} is invalid. Reason: {reason}",
                        "ReceiveMessage",
                    )
                )
        assert self._sim is not None
        q = self._sim.queues[queue]
        vt = None if visibility_timeout is None else visibility_timeout * 1000
        msgs = q.receive(max_messages, vt, consumer=self._workload)
        if not msgs:
            if wait_seconds is None:
                # The queue's ReceiveMessageWaitTimeSeconds (Stacktape's longPollingSeconds).
                config = self._behaviors.stack.resources.get(queue)
                wait_seconds = getattr(config, "long_polling_s", 0)
            if wait_seconds:
                self.sleep(wait_seconds * 1000)
        for msg in msgs:
            # In the handler's hands: each returns when its timeout ends unless deleted.
            q.release(msg, msg.receipt)
        return [sdk_message(m, q) for m in msgs]

    def change_message_visibility(
        self, queue: str, receipt_handle: str, visibility_timeout: int
    ) -> None:
        """SQS ChangeMessageVisibility by the receipt handle of a receive: the message stays
        hidden `visibility_timeout` seconds from now (0: visible at once). Made at the call
        only: after `sleep` it raises BehaviorError."""
        from stptui.sim.engine import SimError
        from stptui.sim.services.queue import SqsError

        queue, handle, timeout = self._queue_call(
            "change_message_visibility",
            "changeMessageVisibility",
            queue,
            receipt_handle,
            visibility_timeout,
        )
        if not isinstance(handle, str):
            raise BehaviorError(
                "change_message_visibility: the receipt handle must be a string, not "
                f"{shown(handle)}"
            )
        if isinstance(timeout, bool) or not isinstance(timeout, int):
            raise BehaviorError(
                "change_message_visibility: the visibility timeout must be whole seconds, not "
                f"{shown(timeout)}"
            )
        assert self._sim is not None
        try:
            self._sim.queues[queue].change_visibility_by_handle(handle, timeout, self._workload)
        except SqsError as exc:
            message = str(exc).partition(": ")[2]
            raise ClientError(Denial(exc.code, message, "ChangeMessageVisibility")) from None
        except SimError as exc:
            from stptui.sim.behavior.handler_reads import client_error

            code, _, message = str(exc).partition(": ")
            raise client_error(code, message, "ChangeMessageVisibility") from None

    def _queue_call(self, call: str, kind: str, queue: Any, *args: Any) -> tuple[Any, ...]:
        """A queue call a simulation answers at once (ReceiveMessage,
        ChangeMessageVisibility): its arguments as plain values with the queue's stptui name
        first, once the role allows it; BehaviorError outside a simulation or after a
        sleep."""
        self._check_running()
        queue, *rest = plain_args(f"context.{call}", queue, *args)
        name = self._behaviors.check_target("send", queue)
        denial = self._behaviors.permissions.check(self._role, kind, name, {}, self.aws_request_id)
        if denial is not None:
            raise ClientError(denial)
        if self._sim is None:
            raise BehaviorError(f"{call}: there is no simulation, so no queue to call here")
        if self._slept_ms:
            raise BehaviorError(
                f"{call}: stptui makes it at the call only, and after context.sleep (or a "
                "long poll that waited) a call is made at its instant, once the handler has "
                "returned",
                "poll the queue before sleeping, and end the handler after an empty long poll",
            )
        return (name, *rest)

    def start_execution(
        self, state_machine: str, input: Any = None, name: str | None = None
    ) -> dict[str, Any] | None:
        """Step Functions StartExecution: `input` is JSON text (as boto3 takes it) or any
        JSON value; `name` None gives a generated one. A batch job (its name, or the state
        machine ARN its STP_*_STATE_MACHINE_ARN holds) starts that job's state machine."""
        return self._emit("startExecution", state_machine, {"input": input, "name": name})

    def describe_execution(
        self, execution_arn: str, included_data: str | None = None
    ) -> dict[str, Any]:
        """Step Functions DescribeExecution of an execution of a state machine of the stack
        or of a batch job's (its STP_*_STATE_MACHINE_ARN), shaped as boto3's answer;
        `included_data` METADATA_ONLY leaves its input and output out."""
        arn, included = plain_args("describe_execution", execution_arn, included_data)
        return self._executions("describe_execution").describe(arn, included)

    def list_executions(
        self,
        state_machine_arn: str | None = None,
        status_filter: str | None = None,
        max_results: int | None = None,
        next_token: str | None = None,
        map_run_arn: str | None = None,
        redrive_filter: str | None = None,
    ) -> dict[str, Any]:
        """Step Functions ListExecutions: one page, the newest execution first, of a state
        machine's executions or (`map_run_arn`) a Map Run's child executions."""
        args = plain_args(
            "list_executions",
            state_machine_arn,
            status_filter,
            max_results,
            next_token,
            map_run_arn,
            redrive_filter,
        )
        return self._executions("list_executions").list(*args)

    def list_map_runs(
        self,
        execution_arn: str,
        max_results: int | None = None,
        next_token: str | None = None,
    ) -> dict[str, Any]:
        """Step Functions ListMapRuns: one page of the Map Runs the execution's Distributed
        Maps started, the most recent first."""
        args = plain_args("list_map_runs", execution_arn, max_results, next_token)
        return self._executions("list_map_runs").list_map_runs(*args)

    def describe_map_run(self, map_run_arn: str) -> dict[str, Any]:
        """Step Functions DescribeMapRun: a Map Run's status, configuration and counts of
        items and child executions, shaped as boto3's answer."""
        (arn,) = plain_args("describe_map_run", map_run_arn)
        return self._executions("describe_map_run").describe_map_run(arn)

    def get_execution_history(
        self,
        execution_arn: str,
        max_results: int | None = None,
        reverse_order: bool | None = None,
        next_token: str | None = None,
        include_execution_data: bool | None = None,
    ) -> dict[str, Any]:
        """Step Functions GetExecutionHistory: one page of the execution's events (a Map
        Run's child execution's too), the oldest first unless `reverse_order`, shaped as
        boto3's answer; `include_execution_data` False leaves their input and output out."""
        args = plain_args(
            "get_execution_history",
            execution_arn,
            max_results,
            reverse_order,
            next_token,
            include_execution_data,
        )
        return self._executions("get_execution_history").history(*args)

    def describe_state_machine(self, state_machine_arn: str) -> dict[str, Any]:
        """Step Functions DescribeStateMachine of a state machine of the stack: its
        definition (JSON text), role, type, status and settings, shaped as boto3's."""
        (arn,) = plain_args("describe_state_machine", state_machine_arn)
        return self._executions("describe_state_machine").describe_state_machine(arn)

    def describe_state_machine_for_execution(self, execution_arn: str) -> dict[str, Any]:
        """Step Functions DescribeStateMachineForExecution: the state machine the execution
        ran (a Map Run's child: its Map's item processor, with `mapRunArn` and `label`)."""
        (arn,) = plain_args("describe_state_machine_for_execution", execution_arn)
        calls = self._executions("describe_state_machine_for_execution")
        return calls.describe_state_machine_for_execution(arn)

    def stop_execution(
        self, execution_arn: str, error: str | None = None, cause: str | None = None
    ) -> dict[str, Any]:
        """Step Functions StopExecution: a running execution ends ABORTED now (a batch job's
        running attempt is terminated). Made at the call only: after `sleep` it raises
        BehaviorError."""
        args = plain_args("stop_execution", execution_arn, error, cause)
        calls = self._executions("stop_execution")
        if self._slept_ms:
            raise BehaviorError(
                "stop_execution: stptui makes it at the call only, and after context.sleep a "
                "call is made at its instant, once the handler has returned",
                "stop the execution before sleeping",
            )
        return calls.stop(*args)

    def redrive_execution(self, execution_arn: str) -> dict[str, Any]:
        """Step Functions RedriveExecution: an unsuccessful execution (a batch job's too)
        runs on from where it stopped, as `redrive-execution` does. Made at the call only:
        after `sleep` it raises BehaviorError."""
        (arn,) = plain_args("redrive_execution", execution_arn)
        calls = self._executions("redrive_execution")
        if self._slept_ms:
            raise BehaviorError(
                "redrive_execution: stptui makes it at the call only, and after context.sleep "
                "a call is made at its instant, once the handler has returned",
                "redrive the execution before sleeping",
            )
        return calls.redrive(arn)

    def _executions(self, call: str) -> Executions:
        """The execution calls, in a simulation only."""
        self._check_running()
        if self._sim is None:
            raise BehaviorError(f"{call}: there is no simulation, so no execution to call here")
        from stptui.sim.behavior.handler_executions import Executions

        return Executions(self._behaviors, self._sim, self._role, self.aws_request_id)

    def send_task_success(
        self, state_machine: str, task_token: str, output: Any = None
    ) -> dict[str, Any] | None:
        """Step Functions SendTaskSuccess for a task of `state_machine`: `output` is JSON
        text (as boto3 takes it) or any JSON value (None: `{}`)."""
        return self._emit("sendTaskSuccess", state_machine, {"token": task_token, "output": output})

    def send_task_failure(
        self,
        state_machine: str,
        task_token: str,
        error: str | None = None,
        cause: str | None = None,
    ) -> dict[str, Any] | None:
        """Step Functions SendTaskFailure for a task of `state_machine`."""
        fields = {"token": task_token, "error": error, "cause": cause}
        return self._emit("sendTaskFailure", state_machine, fields)

    def send_task_heartbeat(self, state_machine: str, task_token: str) -> dict[str, Any] | None:
        """Step Functions SendTaskHeartbeat for a task of `state_machine`."""
        return self._emit("sendTaskHeartbeat", state_machine, {"token": task_token})

    def post_to_connection(
        self, connection_id: str, data: Any, gateway: str | None = None
    ) -> dict[str, Any] | None:
        """API Gateway PostToConnection through `gateway`'s @connections API (None: the
        WebSocket API this function's routes are on); data that is not text is sent as
        JSON. A closed connection's GoneException is an `emission.failed` record."""
        if gateway is None:
            gateway = self._own_gateway()
        return self._emit(
            "postToConnection", gateway, {"connectionId": connection_id, "data": data}
        )

    # -- reads: answered at once, from the stack as it is when the handler runs

    def _reader(self) -> Reads:
        self._check_running()
        if self._reads is None:
            # Lazily: only a handler that reads needs the module.
            from stptui.sim.behavior.handler_reads import Reads

            self._reads = Reads(self._behaviors, self._sim, self._role, self.aws_request_id)
        return self._reads

    def get_object(self, bucket: str, key: str, version_id: str | None = None) -> bytes:
        """S3 GetObject: the object's bytes, as boto3's `Body.read()` gives them."""
        return self._reader().get_object(*plain_args("get_object", bucket, key, version_id))

    def head_object(self, bucket: str, key: str, version_id: str | None = None) -> dict[str, Any]:
        """S3 HeadObject: the object's metadata, keyed as boto3's response is."""
        return self._reader().head_object(*plain_args("head_object", bucket, key, version_id))

    def list_objects(
        self, bucket: str, prefix: str = "", max_keys: int = 1000, start_after: str | None = None
    ) -> dict[str, Any]:
        """S3 ListObjectsV2: keys under `prefix` in UTF-8 binary order, shaped as boto3's."""
        return self._reader().list_objects(
            *plain_args("list_objects", bucket, prefix, max_keys, start_after)
        )

    def get_item(self, table: str, key: dict[str, Any]) -> dict[str, Any] | None:
        """DynamoDB GetItem by a plain JSON key: the item as plain JSON, or None."""
        return self._reader().get_item(*plain_args("get_item", table, key))

    def query(
        self,
        table: str,
        key_condition: str,
        values: dict[str, Any] | None = None,
        names: dict[str, str] | None = None,
        index: str | None = None,
        limit: int | None = None,
        forward: bool = True,
        filter: str | None = None,
        start_key: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """DynamoDB Query (of a secondary index with `index`): Items as plain JSON, Count,
        ScannedCount and, when it stopped early, LastEvaluatedKey."""
        args = (table, key_condition, values, names, index, limit, forward, filter, start_key)
        return self._reader().query(*plain_args("query", *args))

    def scan(
        self,
        table: str,
        filter: str | None = None,
        values: dict[str, Any] | None = None,
        names: dict[str, str] | None = None,
        limit: int | None = None,
        start_key: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """DynamoDB Scan, shaped as `query`'s answer."""
        return self._reader().scan(
            *plain_args("scan", table, filter, values, names, limit, start_key)
        )

    def _own_gateway(self) -> str:
        """The one WebSocket API this function's `websocket-api-gateway` events name."""
        own = own_gateways(self._behaviors.stack, self._workload)
        if len(own) != 1:
            which = f"routes on {', '.join(own)}" if own else "no websocket-api-gateway event"
            raise BehaviorError(
                f"post_to_connection: {self._workload} has {which}; name the gateway",
                'e.g. context.post_to_connection(connection_id, data, gateway="chatApi")',
            )
        return own[0]

    def _check_running(self) -> None:
        if self._ended:
            raise BehaviorError(
                f"invocation {self._invocation or self.aws_request_id} of {self._workload} has "
                "ended: its context makes no more calls",
                "call the context (and boto3) in the handler, before it returns, not from a "
                "thread it leaves running or a context kept for later",
            )

    def _refused(self, emission: Emission, denial: Denial) -> NoReturn:
        """The role's refusal of a call: its `emission.failed` (collected outside a
        simulation, at the call's instant after a sleep), then ClientError. IAM's refusal
        does not depend on the stack's state, so the handler sees it at the call, as on AWS,
        even when the record waits for the instant the handler slept to."""
        sim = self._sim
        if sim is None:
            self._denied.append((emission, str(denial)))
        elif self._slept_ms:
            self._later.append((self._slept_ms, emission, str(denial)))
        else:
            sim.emission_refused(self._role, self._invocation, emission, str(denial))
        raise ClientError(denial)

    def _emit(
        self,
        kind: EmissionKind,
        target: str,
        values: dict[str, Any],
        permission: str | None = None,
    ) -> dict[str, Any] | None:
        """Make one write: at the call when the handler has not slept (its answer returned, a
        refusal raised as ClientError), else kept for its instant (returns None).
        `permission` is the call IAM checks when it is not `kind` (DeleteObject of a
        version: s3:DeleteObjectVersion)."""
        self._check_running()
        # Plain copies: the engine keeps what a call carries, so a str subclass's own
        # methods or what the handler changes after the call must not reach it.
        target, values = plain_args(f"context.{kind}", target, values)
        # stptui's name of the target, which may be named by its URL, ARN or AWS name.
        target = self._behaviors.check_target(kind, target)
        fields = normalise(kind, values, f"context.{kind}")
        emission = Emission(kind, target, fields)
        denial = self._behaviors.permissions.check(
            self._role, permission or kind, target, fields, self.aws_request_id
        )
        if denial is not None:
            self._refused(emission, denial)
        sim = self._sim
        if sim is None:
            # Outside a simulation (a behaviour decided on its own): collected.
            self._emissions.append(emission)
            return None
        if self._slept_ms:
            # Made at start + the time slept: scheduled once the handler has returned, and
            # only if the invocation was still running then.
            self._later.append((self._slept_ms, emission, None))
            return None
        from stptui.sim.engine import SimError

        try:
            return sim.handler_call(self._role, self._invocation, emission, self._chain)
        except SimError as exc:
            # The SDK call throws in the handler, which may catch it; uncaught, it fails
            # the invocation as any exception does. It carries AWS's words, which the
            # handler's code may match on, where stptui's message is its own.
            raise refusal(kind, exc.aws or str(exc)) from None


def _transact_write(action: TransactAction) -> Emission | None:
    """The write emission of a transaction's action (None: a ConditionCheck writes nothing).
    A delete's condition was checked with the whole transaction, and DeleteItem's emission
    carries none."""
    if action.kind == "conditionCheckItem":
        return None
    fields = action.fields
    if action.kind == "deleteItem":
        fields = {"key": fields["key"]}
    return Emission(action.kind, action.table, fields)  # type: ignore[arg-type]


def plain_args(call: str, *args: Any) -> tuple[Any, ...]:
    """A context method's arguments rebuilt of Python's own types, read through their own
    methods: a subclass of str, int, float, bytes, bytearray, list, tuple or dict (whose
    methods a handler may have replaced) becomes the plain value it holds, and every list,
    tuple and dict is a copy (a cycle stays a cycle, for compact_json to name). Anything
    else is kept, for the call's checks to refuse. BehaviorError for a value nested past
    Python's limit."""
    try:
        return tuple(_plain(arg, {}) for arg in args)
    except RecursionError:
        raise BehaviorError(f"{call}: not JSON: nested too deeply") from None


_EXACT = frozenset({str, int, float, bool, bytes, type(None)})


def _plain(value: Any, memo: dict[int, Any]) -> Any:
    kind = type(value)
    if kind in _EXACT:
        return value
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, int):
        return int.__int__(value)
    if isinstance(value, float):
        return float.__float__(value)
    if isinstance(value, bytes):
        return bytes.__bytes__(value)
    if isinstance(value, bytearray):
        return bytearray.copy(value)
    done = memo.get(id(value))
    if done is not None:
        return done
    if isinstance(value, dict):
        out: dict[Any, Any] = {}
        memo[id(value)] = out
        for key, item in dict.items(value):
            out[_plain(key, memo)] = _plain(item, memo)
        return out
    if isinstance(value, list):
        items: list[Any] = []
        memo[id(value)] = items
        items.extend(_plain(item, memo) for item in list.copy(value))
        return items
    if isinstance(value, tuple):
        # A tuple cannot hold itself without a list or dict between, which the memo has.
        return tuple(_plain(item, memo) for item in tuple.__iter__(value))
    return value


def refusal(kind: EmissionKind, error: str) -> ClientError:
    """A service's refusal of a handler's call (`Code: message`, as the services word
    them) as the ClientError boto3 raises, of botocore's class for a modelled code."""
    from stptui.sim.behavior.handler_reads import client_error

    code, _, message = error.partition(": ")
    if not code.replace(".", "").isidentifier() or not message:
        code, message = "ValidationException", error
    return client_error(code, message, operation_name(kind))


# The triggers of code that Lambda does not run (a batch job's container, a container
# workload's serving a request or a message its poller received): Lambda's runtime, its
# log format and response size limit do not apply to them.
NOT_LAMBDA = frozenset({"batch", "container", "poll"})


def run_handler(
    behaviors: Behaviors,
    modules: HandlerModules | None,
    b: WorkloadBehavior,
    inp: InvocationInput,
    rng: random.Random,
    duration: int,
    data: InputViews,
) -> Outcome:
    """Call a Python handler and turn what it did into an Outcome."""
    assert b.handler is not None and modules is not None
    # Loaded with the handler's modules (HandlerModules), not when stptui starts; from the
    # submodule, not the package, whose `from` import runs importlib's _handle_fromlist.
    from stptui.sim.behavior.boto3_standin.invocation import acting_for
    from stptui.sim.behavior.handler_clock import running

    handler, own, logs = b.handler, None, modules.session_logging
    exits: list[int] = []  # its os._exit's status, or minus a signal's number (ProcessExits)
    if inp.execution_env is not None:
        # A function's execution environment runs its own modules (Lambda's init phase), and
        # so does a batch attempt's container or a container workload's (its process's start).
        environment = behaviors.environment(inp.function, inp.execution_env, inp.now_ms)
        failure = environment.failure
        if failure is not None and inp.trigger not in NOT_LAMBDA:
            return _init_failed(environment, inp)
        handler, own, logs = environment.handler, environment.modules, environment.logging
        if failure is not None:
            # The container's process ended as it imported the module: the attempt (or the
            # request) ends so.
            handler = ended_by(failure)
            if isinstance(failure, ProcessExit):
                exits.append(failure.code & 0xFF if failure.code >= 0 else failure.code)
    ctx = HandlerContext(behaviors, inp, rng, b.memory_mb)
    ctx.environment, os_form = behaviors.handler_environments.of(inp)
    event = copy.deepcopy(data.event())  # the handler must not change the engine's records
    sink = LogSink()
    error: BaseException | None = None
    result: Any = None
    try:
        # A handler's print() and logging would write over the TUI: they go to the
        # invocation's log, as Lambda's runtime sends them to CloudWatch. The boto3
        # stand-in's clients act for this invocation while it runs.
        with (
            # The environment's own logging settings: Lambda's runtime's for a function, Python's
            # defaults for a batch job's or container's process.
            logs.running(sink, lambda: ctx.now_ms, ctx.aws_request_id),  # sleep moves it on
            applied(os_form),
            offline(),
            acting_for(ctx),
            user_interrupts(),
            ProcessExits(exits),
            # Innermost: the set-up above reads the real clock; the handler the simulated one.
            running(lambda: ctx.now_ms, rng, ctx.sleep),
        ):
            result = modules.call(handler, event, ctx, modules=own)
    except KeyboardInterrupt as exc:
        if users_ctrl_c():
            raise  # the user's Ctrl-C stops the command, as it would any slow command
        # The handler's own: the REPL and the terminal UI take Ctrl-C themselves while a
        # command runs, and it would end the user's session.
        error = exc
    except BaseException as exc:  # SystemExit, or a handler's own BaseException subclass
        error = exc
    finally:
        ctx._ended = True
    lines = [*ctx._logs, *sink.finish()]
    total = duration + ctx.slept_ms
    expired = inp.timeout_ms > 0 and total > inp.timeout_ms
    exited = False
    exit_reason: str | None = None
    if not expired and (exits or (error is not None and not isinstance(error, Exception))):
        if inp.trigger == "batch":
            # A batch job's program is its container's process: AWS Batch reads the status
            # it exits with (0 succeeds, any other fails the attempt).
            status, stderr = _process_status(error, exits, modules.base)
            lines += stderr
            error = None if status == 0 else BatchExit(status)
        elif inp.trigger in NOT_LAMBDA:
            # A container workload's program serving a request: a process that ends, with
            # any status, never answers it (os._exit's status as sys.exit's).
            error = SystemExit(_process_status(None, exits, modules.base)[0]) if exits else error
        else:
            # Lambda's Python runtime catches only Exception: anything else ends its process.
            exited = True
            exit_reason, stderr = _process_end(error, exits, modules.base)
            lines += stderr
    logs = log_events(lines)
    if ctx._later and inp.sim is not None:
        # Lambda stops the runtime at the timeout: a call the handler made after sleeping to
        # that instant or past it was never made.
        sim = inp.sim
        for slept, emission, denial in ctx._later:
            if not expired or slept < inp.timeout_ms:
                at = inp.now_ms + slept
                sim.handler_call_later(at, inp.role, inp.invocation_id, emission, inp.chain, denial)
    if expired:
        out = timed_out(inp)
        out.logs = logs
        return out
    if exited:
        return Outcome(
            total,
            "error",
            RUNTIME_EXIT_ERROR,
            runtime_exit_message(inp.request_id, exit_reason),
            logs=logs,
            denied=ctx._denied,
            resets=True,
        )
    if isinstance(error, BatchExit):
        return Outcome(
            total,
            "error",
            BATCH_EXIT_ERROR,
            batch_exit_message(error.status),
            logs=logs,
            denied=ctx._denied,
            exit_code=error.status,
        )
    if error is not None:
        # A class's __name__ may be a str subclass, whose methods the engine must not call.
        error_type, message = str.__str__(type(error).__name__), _message(error)
        frames = handler_frames(error, modules.base)
        size = _error_response_bytes(error_type, message, inp.request_id, frames)
        if size > MAX_RESPONSE_BYTES and inp.trigger not in NOT_LAMBDA:
            # The runtime posts the error response through the Runtime API, which takes
            # no more than a response: Lambda reports the size instead of the error.
            error_type, message = "Function.ResponseSizeTooLarge", _too_large(size)
            frames = ()
        return Outcome(
            total,
            "error",
            error_type,
            message,
            logs=logs,
            denied=ctx._denied,
            stack_trace=frames,
        )
    try:
        text = compact_json(result, "the return value")
    except BehaviorError as exc:
        return Outcome(
            total,
            "error",
            "Runtime.MarshalError",
            f"Unable to marshal response: {exc}",
            logs=logs,
            denied=ctx._denied,
        )
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_RESPONSE_BYTES and inp.trigger not in NOT_LAMBDA:
        # The runtime cannot hand Lambda the response: the invocation fails (the calls
        # the handler made stay made).
        return Outcome(
            total,
            "error",
            "Function.ResponseSizeTooLarge",
            _too_large(size),
            logs=logs,
            denied=ctx._denied,
        )
    response = json.loads(text)
    out = Outcome(
        total,
        "success",
        response=response,
        emissions=ctx._emissions,
        logs=logs,
        denied=ctx._denied,
    )
    if data.is_sqs and isinstance(response, dict) and "batchItemFailures" in response:
        if not b.rbif:
            done = (
                "moves past the whole batch"
                if inp.trigger != "sqs"
                # Stacktape's sqs event has no property for it: say how to simulate it on.
                else "deletes the whole batch (Stacktape does not enable it: "
                "`reportBatchItemFailures: true` in the behaviours file simulates a stack "
                "whose overrides do)"
            )
            logs.append(
                f"batchItemFailures ignored: ReportBatchItemFailures is not enabled, "
                f"so Lambda {done}"
            )
        else:
            ids = [i for i, _ in data.contexts() if i is not None]
            failed, problem = batch_item_failures(response, ids)
            out.failed_item_ids = failed
            if problem is not None:
                logs.append(f"invalid batchItemFailures ({problem}): the whole batch fails")
    return out


# What Lambda reports when a function's runtime process exits (see _process_end).
RUNTIME_EXIT_ERROR = "Runtime.ExitError"


# What the Python runtime logs (a root logger WARNING record) before the `[ERROR]` line of
# an init phase that an exception ended: awslambdaric's `lambda_unhandled_exception_warning_
# message`, which its current `run` logs for init errors only ("Move unhandled exception
# warning message to init errors", #189, 2025; a handler's exception had it from #120, 2024).
LAMBDA_UNHANDLED_WARNING = (
    "LAMBDA_WARNING: Unhandled exception. The most likely cause is an issue in the function "
    "code. However, in rare cases, a Lambda runtime update can cause unexpected function "
    "behavior. For functions using managed runtimes, runtime updates can be triggered by a "
    "function change, or can be applied automatically. To determine if the runtime has been "
    "updated, check the runtime version in the INIT_START log entry. If this error correlates "
    "with a change in the runtime version, you may be able to mitigate this error by "
    "temporarily rolling back to the previous runtime version. For more information, see "
    "https://docs.aws.amazon.com/lambda/latest/dg/runtimes-update.html"
)


def init_failure(
    error: BaseException, module: str, base: Path, at_ms: int
) -> tuple[str, str | None, list[str]]:
    """How Lambda's Python runtime reports an init phase (the import of `module`) that
    `error` ended at `at_ms`: (errorType, the reason Lambda gives for a runtime exit or the
    runtime's errorMessage, the lines written). awslambdaric's `_get_handler` reports an
    ImportError as `Runtime.ImportModuleError`, a SyntaxError as
    `Runtime.UserCodeSyntaxError`, a missing handler as `Runtime.HandlerNotFound`, another
    Exception by its class; `run` logs LAMBDA_UNHANDLED_WARNING (a record of no request)
    and the `[ERROR]` line, and exits; what is not an Exception ends the process as in a
    handler (`_process_end`): `Runtime.ExitError`, with no warning."""
    if isinstance(error, Exception):
        message = _message(error)
        if isinstance(error, AttributeError) and message.startswith("Handler '"):
            error_type = "Runtime.HandlerNotFound"
        elif isinstance(error, ImportError):
            error_type, message = (
                "Runtime.ImportModuleError",
                f"Unable to import module '{module}': {message}",
            )
        elif isinstance(error, SyntaxError):
            error_type, message = (
                "Runtime.UserCodeSyntaxError",
                f"Syntax error in module '{module}': {message}",
            )
        else:
            error_type = str.__str__(type(error).__name__)
        frames = handler_frames(error, base)
        trace = "".join(["Traceback (most recent call last):\n", *frames]) if frames else ""
        warning = f"[WARNING]\t{iso_ms(at_ms)}\t\t{LAMBDA_UNHANDLED_WARNING}"
        error_line = f"[ERROR] {error_type}: {message}\n{trace}".rstrip("\n")
        return error_type, message, [warning, error_line]
    exits: list[int] = []
    if isinstance(error, ProcessExit):
        exits.append(error.code & 0xFF if error.code >= 0 else error.code)
    reason, lines = _process_end(error, exits, base)
    return RUNTIME_EXIT_ERROR, reason, lines


def _init_failed(environment: Environment, inp: InvocationInput) -> Outcome:
    """The outcome of an invocation whose execution environment's init phase failed: its
    handler never ran; Lambda answers the init's error (Runtime.ExitError for an exit)."""
    if environment.error_type == RUNTIME_EXIT_ERROR:
        message = runtime_exit_message(inp.request_id, environment.reason)
    else:
        message = environment.reason or ""
    return Outcome(0, "error", environment.error_type, message, resets=True)


def runtime_exit_message(request_id: str, reason: str | None) -> str:
    """Lambda's errorMessage for a runtime process that ended before it answered: `reason`
    as Go words a process's end (`exit status 1`, `signal: interrupt`), None for a clean
    exit (status 0), which gives no reason (docs/fidelity.md, "Cold starts")."""
    if reason is None:
        return f"RequestId: {request_id} Error: Runtime exited without providing a reason"
    return f"RequestId: {request_id} Error: Runtime exited with error: {reason}"


# What a batch job's attempt fails with when its program exits with a status other than 0:
# the error Step Functions' `batch:submitJob.sync` task reports for a FAILED job, and the
# job's statusReason (docs/fidelity.md, "Batch jobs").
BATCH_EXIT_ERROR = "States.TaskFailed"


class BatchExit(Exception):
    """A batch job's program that exited with a status other than 0."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


def batch_exit_message(status: int) -> str:
    """The attempt's error message: AWS Batch's statusReason and the container's exitCode."""
    return f"Essential container in task exited (exitCode {status})"


# SIGINT's number: Python ends itself with it after an uncaught KeyboardInterrupt.
_SIGINT = 2


def _process_end(
    error: BaseException | None, exits: list[int], base: Path
) -> tuple[str | None, list[str]]:
    """How the Python runtime's process ends (`_process_status`): the reason Lambda gives
    (None for status 0) and what the interpreter wrote to stderr, which Lambda logs."""
    status, lines = _process_status(error, exits, base)
    if exits and exits[0] < 0:
        return signal_words(-exits[0]), lines
    if not exits and isinstance(error, KeyboardInterrupt):
        return "signal: interrupt", lines
    return (None if status == 0 else f"exit status {status}"), lines


def _process_status(
    error: BaseException | None, exits: list[int], base: Path
) -> tuple[int, list[str]]:
    """How a Python process ends when its code raised what is not an Exception (SystemExit,
    KeyboardInterrupt, a BaseException subclass) or called `os._exit`: its exit status and
    the lines the interpreter writes to stderr as it exits (CPython's handling of an
    uncaught exception; docs/fidelity.md, "Cold starts"). A process that a signal ended
    (SIGINT, or one the code sent itself: `exits` holds minus its number) has the status a
    container runtime reports for it, 128 + its number."""
    if exits:
        return (128 - exits[0] if exits[0] < 0 else exits[0]), []
    if isinstance(error, SystemExit):
        return _system_exit_status(error)
    # Printed with its traceback; the handler's frames only, as for an error line.
    assert error is not None
    lines = ["Traceback (most recent call last):"]
    lines += [ln for frame in handler_frames(error, base) for ln in frame.splitlines()]
    lines += _exception_lines(error)
    if isinstance(error, KeyboardInterrupt):
        return 128 + _SIGINT, lines
    return 1, lines


def _system_exit_status(error: SystemExit) -> tuple[int, list[str]]:
    """The exit status of a process ended by an uncaught `error`, and what it prints: None
    exits 0; an int its low 8 bits (255 past a C long); anything else is printed and
    exits 1. The code is read from the exception's own slot, not a subclass's property."""
    code = _SYSTEM_EXIT_CODE.__get__(error, SystemExit)
    if code is None:
        return 0, []
    if isinstance(code, int):
        value = int.__int__(code)
        return (value & 0xFF if -(2**63) <= value < 2**63 else 255), []
    try:
        text = str.__str__(str(code))
    except Exception:
        return 1, []
    return 1, text.splitlines()


_SYSTEM_EXIT_CODE = SystemExit.__dict__["code"]


def _exception_lines(error: BaseException) -> list[str]:
    """The last lines of an uncaught exception's traceback (`mod.Name: message`, as
    `traceback.format_exception_only` gives them), or its class's name when they cannot
    be made (an exception whose own methods raise)."""
    try:
        text = "".join(traceback.format_exception_only(type(error), error))
        return str.__str__(text).splitlines()
    except Exception:
        return [str.__str__(type(error).__name__)]


def _message(error: BaseException) -> str:
    """`str(error)`, Lambda's errorMessage; an exception whose own `__str__` raises (or
    returns what is not text) gets a message that says so, not a traceback of stptui."""
    try:
        message = str(error)
    except Exception as exc:
        return f"<str() of the exception raised {type(exc).__name__}>"
    # str() of a subclass's `__str__` result: the engine keeps it as plain text.
    return str.__str__(message)


def _too_large(size: int) -> str:
    """Lambda's message for a response (or error response) of `size` bytes over the limit."""
    return (
        f"Response payload size ({size} bytes) exceeded maximum allowed payload size "
        f"({MAX_RESPONSE_BYTES} bytes)."
    )


def _error_response_bytes(
    error_type: str, message: str, request_id: str, frames: tuple[str, ...]
) -> int:
    """The size of the Python runtime's error response for an exception, as compact JSON
    (`{errorMessage, errorType, requestId, stackTrace}`, the stack being `frames`), or 0 for
    a message and frames too short to come near MAX_RESPONSE_BYTES, which are not measured."""
    # JSON writes a character in at most 6 bytes (`\u001f`): a short message always fits.
    chars = len(message) + len(error_type) + sum(len(f) + 3 for f in frames)
    if 6 * chars + 1024 < MAX_RESPONSE_BYTES:
        return 0
    text = json.dumps(
        {
            "errorMessage": message,
            "errorType": error_type,
            "requestId": request_id,
            "stackTrace": list(frames),
        },
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return len(text.encode("utf-8", "surrogatepass"))


# Where Lambda puts a function's code: the folder its frames' files are named in.
TASK_ROOT = "/var/task"
# stptui's own folder: its frames (the handler's call, a context method that raised) are the
# runtime's, not the handler's, even when the handlers' folder holds a checkout of stptui.
_OWN_FOLDER = Path(__file__).resolve().parents[2]


def task_path(filename: str, base: Path) -> str | None:
    """`filename` as Lambda's task root names it (`/var/task/pkg/mod.py`) when it is a file
    in the handlers' folder `base` (stptui's own files excepted); None otherwise."""
    root = base.resolve()
    path = Path(filename).resolve()
    if not path.is_relative_to(root) or path.is_relative_to(_OWN_FOLDER):
        return None
    return f"{TASK_ROOT}/{path.relative_to(root).as_posix()}"


def handler_frames(error: BaseException, base: Path) -> tuple[str, ...]:
    """The traceback of a handler's exception as Lambda's Python runtime gives it
    (`traceback.format_list`: `  File "...", line N, in name` and the line), keeping only
    the frames of files in the handlers' folder `base`, named as they would be in Lambda's
    task root (`/var/task/pkg/mod.py`). The standard library's and installed packages'
    frames are left out: their paths and line numbers are this machine's Python's, and the
    same handler files must give the same lines everywhere (docs/fidelity.md)."""
    root = base.resolve()
    kept: list[traceback.FrameSummary] = []
    for frame in traceback.extract_tb(error.__traceback__):
        if frame.filename.startswith("<"):
            continue  # code without a file (`<string>`, `<frozen ...>`)
        name = task_path(frame.filename, root)
        if name is None:
            continue
        kept.append(traceback.FrameSummary(name, frame.lineno, frame.name, line=frame.line))
    return tuple(traceback.format_list(kept))
