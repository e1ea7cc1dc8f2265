"""What an invocation's JMESPath expressions see: the AWS event, or one context per record.

Conditions (`fail.when`, `timeout.when`, `partial.when`, `emit[].when`) and emission fields
see, for an SQS-triggered invocation, one record at a time::

    {"body": <the body parsed as JSON, or the string when it is not JSON>,
     "record": <the SQS record>, "attributes": ..., "messageAttributes": ...}

A Kinesis-triggered invocation's expressions see one record at a time too::

    {"data": <the data decoded from base64, parsed as JSON when it is JSON>,
     "partitionKey": ..., "record": <the Kinesis record>}

and `partial` reports sequence numbers. A Kafka-triggered one's see one record at a time,
its key, value and headers decoded from Lambda's base64 and byte lists (Kafka takes no
partial batch response, so nothing is reported per record)::

    {"value": <the value decoded, parsed as JSON when it is JSON>, "key": <text or null>,
     "headers": {name: text}, "topic": ..., "partition": ..., "offset": ..., "record": ...}

So does a DynamoDB-stream-triggered one, whose
expressions see each stream record with its key and images turned into plain JSON
(`{"N": "5"}` becomes 5)::

    {"eventName": "INSERT" | "MODIFY" | "REMOVE", "keys": {...},
     "newImage": {...} or null, "oldImage": {...} or null, "record": <the stream record>}

`fail.when` and `timeout.when` hold when they hold for any record. For every other trigger
(S3, EventBridge, schedule, HTTP, SNS, direct invoke, batch) they see the AWS event itself:
`detail.amount`, `Records[0].s3.object.key`, `pathParameters.provider`.

`InputViews` builds these lazily, once per invocation: most decisions need none of them.
"""

from __future__ import annotations

import base64
from contextlib import suppress
from typing import Any

from stptui import jsontext
from stptui.sim.behavior.outcome import InvocationInput
from stptui.sim.ddbjson import item_to_plain

# The triggers whose event is a batch of records, read one record at a time.
BATCH_TRIGGERS = frozenset({"sqs", "kinesis", "dynamodb"})


class InputViews:
    """Lazy views of an invocation's input: the event and the per-record JMESPath contexts."""

    __slots__ = ("_contexts", "_event", "_records", "inp")

    def __init__(self, inp: InvocationInput) -> None:
        self.inp = inp
        self._event: dict[str, Any] | None = None
        self._records: list[dict[str, Any]] | None = None
        self._contexts: list[tuple[str | None, Any]] | None = None

    def event(self) -> dict[str, Any]:
        if self._event is None:
            self._event = self.inp.event()
        return self._event

    def records(self) -> list[dict[str, Any]]:
        if self._records is None:
            if self.inp.sqs_records is not None:
                self._records = self.inp.sqs_records()
            else:
                records = self.event().get("Records")
                self._records = records if isinstance(records, list) else []
        return self._records

    @property
    def is_sqs(self) -> bool:
        """A batch of records: SQS messages, Kinesis or DynamoDB stream records (one
        context per record)."""
        return self.inp.trigger in BATCH_TRIGGERS

    def contexts(self) -> list[tuple[str | None, Any]]:
        """(messageId, data) per SQS record, (sequenceNumber, data) per Kinesis or DynamoDB
        stream record; one (None, event) for everything else."""
        if self._contexts is None:
            if self.inp.trigger == "dynamodb":
                records = self.records()
                self._contexts = [(_ddb_sequence_number(r), _ddb_context(r)) for r in records]
            elif self.inp.trigger == "kafka":
                self._contexts = [(None, _kafka_context(r)) for r in _kafka_records(self.event())]
            elif self.inp.trigger == "kinesis":
                records = self.records()
                self._contexts = [(_sequence_number(r), _kinesis_context(r)) for r in records]
            elif self.is_sqs:
                self._contexts = [(_message_id(r), _record_context(r)) for r in self.records()]
            else:
                self._contexts = [(None, self.event())]
        return self._contexts


def _kafka_records(event: dict[str, Any]) -> list[dict[str, Any]]:
    """A Kafka event's records, partition after partition (its `records` is a map of
    `topic-partition` to that partition's records in offset order)."""
    grouped = event.get("records")
    if not isinstance(grouped, dict):
        return []
    return [r for rs in grouped.values() if isinstance(rs, list) for r in rs]


def _message_id(record: dict[str, Any]) -> str | None:
    mid = record.get("messageId") if isinstance(record, dict) else None
    return mid if isinstance(mid, str) else None


def _sequence_number(record: dict[str, Any]) -> str | None:
    kinesis = record.get("kinesis") if isinstance(record, dict) else None
    seq = kinesis.get("sequenceNumber") if isinstance(kinesis, dict) else None
    return seq if isinstance(seq, str) else None


def _ddb_sequence_number(record: dict[str, Any]) -> str | None:
    change = record.get("dynamodb") if isinstance(record, dict) else None
    seq = change.get("SequenceNumber") if isinstance(change, dict) else None
    return seq if isinstance(seq, str) else None


def _ddb_context(record: dict[str, Any]) -> dict[str, Any]:
    """The JMESPath input for one DynamoDB stream record: its key and images as plain JSON
    (an image the stream's view type leaves out is null)."""
    change = record.get("dynamodb") if isinstance(record, dict) else None
    change = change if isinstance(change, dict) else {}
    return {
        "eventName": record.get("eventName") if isinstance(record, dict) else None,
        "keys": item_to_plain(change.get("Keys")),
        "newImage": item_to_plain(change.get("NewImage")),
        "oldImage": item_to_plain(change.get("OldImage")),
        "record": record,
    }


def _kinesis_context(record: dict[str, Any]) -> dict[str, Any]:
    """The JMESPath input for one Kinesis record: its data decoded from base64, as JSON when
    it is UTF-8 JSON, else as text (bytes that are not UTF-8 stay base64)."""
    kinesis = record.get("kinesis") if isinstance(record, dict) else None
    kinesis = kinesis if isinstance(kinesis, dict) else {}
    raw = kinesis.get("data")
    data: Any = raw
    if isinstance(raw, str):
        try:
            data = base64.b64decode(raw, validate=True).decode("utf-8")
        except ValueError:
            data = raw
        else:
            with suppress(ValueError):
                data = jsontext.loads(data)
    return {"data": data, "partitionKey": kinesis.get("partitionKey"), "record": record}


def _decoded_text(raw: Any) -> Any:
    """Lambda's base64 of some bytes, as text when they are UTF-8 (else the base64 itself)."""
    if not isinstance(raw, str):
        return raw
    try:
        return base64.b64decode(raw, validate=True).decode("utf-8")
    except ValueError:
        return raw


def _kafka_context(record: dict[str, Any]) -> dict[str, Any]:
    """The JMESPath input for one Kafka record: its value decoded (as JSON when it is UTF-8
    JSON), its key as text (null without one) and its headers as an object of names to text,
    the last of a repeated name winning as Kafka's `Headers.lastHeader` does (a value that
    is not UTF-8 stays Lambda's list of byte values)."""
    record = record if isinstance(record, dict) else {}
    raw = record.get("value")
    value = _decoded_text(raw)
    if isinstance(value, str) and value is not raw:  # decoded: JSON when it is JSON
        with suppress(ValueError):
            value = jsontext.loads(value)
    headers: dict[str, Any] = {}
    for header in record.get("headers") or ():
        for name, octets in header.items() if isinstance(header, dict) else ():
            try:
                # Lambda's values are Java's signed bytes: -61 is the byte 0xC3.
                headers[name] = bytes(b & 0xFF for b in octets).decode("utf-8")
            except (TypeError, ValueError):
                headers[name] = octets
    return {
        "value": value,
        "key": _decoded_text(record.get("key")),
        "headers": headers,
        "topic": record.get("topic"),
        "partition": record.get("partition"),
        "offset": record.get("offset"),
        "record": record,
    }


def _record_context(record: dict[str, Any]) -> dict[str, Any]:
    """The JMESPath input for one SQS record: its body parsed as JSON when it is JSON (and
    not NaN, an infinity or nested beyond `jsontext.MAX_DEPTH`: such a body stays text)."""
    raw = record.get("body") if isinstance(record, dict) else None
    body: Any = raw
    if isinstance(raw, str):
        try:
            body = jsontext.loads(raw)
        except ValueError:
            body = raw
    return {
        "body": body,
        "record": record,
        "attributes": record.get("attributes") if isinstance(record, dict) else None,
        "messageAttributes": record.get("messageAttributes") if isinstance(record, dict) else None,
    }
