"""What an invocation's JMESPath expressions see: the AWS event, or one context per record.

Conditions (`fail.when`, `timeout.when`, `partial.when`, `emit[].when`) and emission fields
see, for an SQS-triggered invocation, one record at a time::

    {"body": <the body parsed as JSON, or the string when it is not JSON>,
     "record": <the SQS record>, "attributes": ..., "messageAttributes": ...}

A Kinesis-triggered invocation's expressions see one record at a time too::

    {"data": <the data decoded from base64, parsed as JSON when it is JSON>,
     "partitionKey": ..., "record": <the Kinesis record>}

and `partial` reports sequence numbers. So does a DynamoDB-stream-triggered one, whose
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
            elif self.inp.trigger == "kinesis":
                records = self.records()
                self._contexts = [(_sequence_number(r), _kinesis_context(r)) for r in records]
            elif self.is_sqs:
                self._contexts = [(_message_id(r), _record_context(r)) for r in self.records()]
            else:
                self._contexts = [(None, self.event())]
        return self._contexts


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
