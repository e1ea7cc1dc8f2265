"""SQS queues: standard and FIFO, visibility, redrive to a DLQ, delay, retention, dedup.

Rules (reference aws-semantics §1): the visibility timeout counts from the receive; a message
is returned at most maxReceiveCount times and moves to the DLQ on the receive attempt after
that (lazily: no receive, no move), keeping its MessageId and receive count; FIFO groups
block while a message of the group is in flight; FIFO sends are deduplicated for 5 minutes.
A standard queue given a message group id is a fair queue: the id is kept and reported, with
no ordering or deduplication (docs/fidelity.md, SQS, "Fair queues").
"""

from __future__ import annotations

import hashlib
import heapq
import re
from collections import deque
from collections.abc import Callable
from itertools import islice
from operator import attrgetter
from typing import TYPE_CHECKING, Any

from stptui.sim import trace as tk
from stptui.sim.behavior.errors import shown
from stptui.sim.clock import FN, IDLE, LABEL, Idle, iso_ms
from stptui.sim.payloads import (
    NUMBER_ATTRIBUTE_RULE,
    NumberText,
    message_attributes,
    number_attribute_fault,
    receipt_handle,
    sqs_event,
)
from stptui.textsafe import quote_word

if TYPE_CHECKING:
    from stptui.sim.engine import Simulator

# Message states.
# NEW marks a message not yet counted in any state (between creation and placement).
DELAYED, VISIBLE, INFLIGHT, DELETED, EXPIRED, NEW = range(6)
# The form of the receipt handles the queue gives out (payloads.receipt_handle): one of a
# message no longer in the queue is a handle SQS issued, not an invalid one.
_HANDLE = re.compile(r"[0-9a-f]{64}==")
STATE_NAMES = ("delayed", "visible", "in_flight", "deleted", "expired", "new")

DEDUP_WINDOW_MS = 5 * 60 * 1000
# How many messages may be in flight at once: a receive beyond this returns nothing until
# some are deleted or return. About 120,000 for a standard queue (ChangeMessageVisibility API
# reference, OverLimit) and 120,000 for FIFO too ("Amazon SQS FIFO queue quotas"; it was
# 20,000 until AWS raised it).
INFLIGHT_LIMIT = 120_000
MAX_DELAY_S = 900
# PurgeQueue: "only one PurgeQueue operation on a queue is allowed every 60 seconds" (the time
# SQS may take to delete the messages); another within it is PurgeQueueInProgress.
PURGE_INTERVAL_MS = 60_000
# ChangeMessageVisibility: 0 to 43,200 s, and the message's whole visibility timeout, counted
# from the ReceiveMessage that returned its receipt, may not pass 12 hours (aws-semantics §1.2).
MAX_VISIBILITY_S = 43_200


class SqsError(ValueError):
    """A request SQS itself would reject, with AWS's error code. `aws` is SQS's own message
    when `message` is stptui's clearer one: a handler's SDK call gets SQS's."""

    def __init__(
        self, code: str, message: str, hint: str | None = None, *, aws: str | None = None
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.hint = hint
        self.aws = None if aws is None else f"{code}: {aws}"


def delay_error(delay_s: int) -> SqsError | None:
    """SQS's refusal of a message delay of `delay_s` seconds, or None when it is allowed."""
    if 0 <= delay_s <= MAX_DELAY_S:
        return None
    return SqsError("InvalidParameterValue", f"delay must be 0-900 seconds, not {shown(delay_s)}")


_ID = attrgetter("id")

# The `timer` of a released message waiting for its visibility timeout to end. It is not a
# clock entry: one entry per queue serves all of them (see QueueSim.release), so that tens of
# thousands of failed messages do not each sit in the scheduler's heap. A path that takes
# such a message away (a delete, an expiry, a purge) tells the queue (`_forget_return`), so
# that the shared entry stops counting as work when the last message it waits for goes.
_RETURNING: list[Any] = [0, 0, None, None, None, False]

# SQS allows #x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF. The class
# lists the complement of those ranges (a str holds nothing above U+10FFFF): the negated
# class `[^...]` is the same set but costs re about 20 ms to compile at every start-up.
_BAD_BODY_CHAR = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# MessageGroupId and MessageDeduplicationId: "alphanumeric characters (a-z, A-Z, 0-9) and
# punctuation", 1 to 128 of them (SendMessage API reference): the printable ASCII characters
# other than the space.
_ID_TEXT = re.compile("[!-~]{1,128}")
_ID_HINT = "use 1 to 128 letters, digits and punctuation marks: no space, no other character"
# Message attribute names (SendMessage API reference, MessageAttributes): letters, digits,
# `_`, `-` and `.`, at most 256 of them; `.` neither first, last nor doubled (checked apart,
# for their own messages); not AWS.* or Amazon.* in any casing. At most 10 per message.
_ATTR_NAME = re.compile(r"[A-Za-z0-9_\-.]{1,256}")
# Every rule above in one match, so that a valid name (nearly every one) costs one call:
# the rules one by one (`_refuse_attribute_name`) only say which a refused name breaks.
_VALID_NAME = re.compile(r"(?!(?i:aws|amazon)\.)(?!\.)(?!.*\.\.)[A-Za-z0-9_\-.]{1,256}(?<!\.)")
MAX_ATTRIBUTES = 10


def _check_id(parameter: str, value: str) -> None:
    """Refuse a MessageGroupId or MessageDeduplicationId SQS refuses, in its words (AWS's
    answer to a deduplication id with a character outside the set, as callers report it)."""
    if not _ID_TEXT.fullmatch(value):
        raise SqsError(
            "InvalidParameterValue",
            f"Value {value} for parameter {parameter} is invalid. Reason: {parameter} can only "
            "include alphanumeric and punctuation characters. 1 to 128 in length.",
            hint=_ID_HINT,
        )


class Message:
    """One SQS message, living in exactly one queue at a time."""

    # SenderId: every message of a simulation is sent by the same (fake) principal.
    sender_id = "AIDAIENQZJOLO23YVJ4VO"

    __slots__ = (
        "attrs",
        "body",
        "chain",
        "dedup_id",
        "dlq_source_arn",
        "earlier",
        "enqueued_at",
        "expiry_seq",
        "first_receive_at",
        "group",
        "id",
        "queue",
        "receipt",
        "receive_count",
        "received_at",
        "return_seq",
        "sent_at",
        "seq_number",
        "size",
        "state",
        "timer",
        "visible_at",
    )

    def __init__(
        self, mid: str, body: str, queue: QueueSim, now: int, attrs: dict[str, Any] | None
    ) -> None:
        # `expiry_seq` (order among messages expiring at the same instant) is set when the
        # queue starts tracking the message's retention, `visible_at` when it is placed.
        self.id = mid
        self.body = body
        self.queue = queue
        self.sent_at = now  # SentTimestamp: never changes
        self.enqueued_at = now  # retention counts from here
        self.receive_count = 0
        self.first_receive_at: int | None = None
        self.state = NEW
        self.receipt = 0
        # When the newest receive happened: ChangeMessageVisibility's 12 hours count from it.
        self.received_at = 0
        self.attrs = attrs
        self.group: str | None = None
        self.dedup_id: str | None = None
        self.seq_number: str | None = None
        self.dlq_source_arn: str | None = None
        self.size = len(body)
        # A clock entry (a delay), _RETURNING, or None. `return_seq` is set with _RETURNING.
        self.timer: list[Any] | None = None

    @property
    def state_name(self) -> str:
        """The message's state as a word: delayed, visible, in_flight, deleted, expired."""
        return STATE_NAMES[self.state]


def validate_attributes(attrs: dict[str, Any]) -> int:
    """Check message attributes by SendMessage's rules and return at most how many bytes they
    add to the message's size (`attributes_size` counts them exactly); raise SqsError
    (InvalidParameterValue, or InvalidMessageContents for a character a body may not hold)
    for attributes SQS refuses. The messages are those SQS emulators reproduce (AWS does not
    document its texts); the command line's `--attr` checks the same rules first.

    Every send with attributes comes here, so the common case costs a few calls: a valid
    name is one match (`_VALID_NAME`), and text is measured in characters (UTF-8 takes at
    most 4 bytes for one; a name and a data type at most 256 ASCII bytes each)."""
    if len(attrs) > MAX_ATTRIBUTES:
        raise SqsError(
            "InvalidParameterValue",
            f"Number of message attributes [{len(attrs)}] exceeds the allowed maximum "
            f"[{MAX_ATTRIBUTES}].",
            f"send at most {MAX_ATTRIBUTES} attributes; put the rest in the body",
        )
    bound = 0
    for name, value in attrs.items():
        if not _VALID_NAME.fullmatch(name):
            _refuse_attribute_name(name)
        cls = value.__class__
        text = value if cls in _PLAIN_TEXT else _attribute_text(value)
        # A NumberText was checked where it was made (`NumberText`): only a handler's
        # numbers are checked here.
        if cls in _NUMBERS and (refused := number_refusal(name, text)) is not None:
            raise refused
        if not text:
            kind = message_attributes({name: value})[name]["dataType"]
            raise SqsError(
                "InvalidParameterValue",
                f"Message (user) attribute {name!r} must contain a non-empty value of type "
                f"{kind!r}.",
                "give the attribute a value, or leave it out",
            )
        # "For string data types, the Value attribute has the same restrictions on the
        # content as the message body" (MessageAttributeValue, SQS API reference).
        if _BAD_BODY_CHAR.search(text):
            raise SqsError(
                "InvalidMessageContents",
                f"message attribute {name!r} holds characters SQS does not allow (control "
                "characters or unpaired surrogates)",
            )
        bound += 512 + 4 * len(text)
    return bound


def attributes_size(attrs: dict[str, Any]) -> int:
    """The bytes message attributes add to a message's size: each name, data type and value
    in UTF-8 ("All parts of the message attribute, including Name, Type, and Value, are part
    of the message size restriction", MessageAttributeValue, SQS API reference)."""
    return sum(
        len(name)
        + len(attr["dataType"])
        + len(attr["stringValue"].encode("utf-8", "surrogatepass"))
        for name, attr in message_attributes(attrs).items()
    )


# SendMessageBatch: "The maximum allowed individual message size and the maximum total
# payload size (the sum of the individual lengths of all of the batched messages) are both
# 1 MiB" (SendMessageBatch API reference), whatever the queue's own maximum.
BATCH_MAX_BYTES = 1_048_576


def _batch_entry_bytes(entry: dict[str, Any]) -> int:
    """The UTF-8 length of one SendMessageBatch entry's body and well-formed String or Number
    attributes, each counting its name, type and value (MessageAttributeValue); a malformed
    attribute fails its own entry later."""
    body = entry.get("MessageBody")
    total = len(body.encode("utf-8", "surrogatepass")) if isinstance(body, str) else 0
    attrs = entry.get("MessageAttributes")
    for name, attr in attrs.items() if isinstance(attrs, dict) else ():
        kind = attr.get("DataType") if isinstance(attr, dict) else None
        value = attr.get("StringValue") if isinstance(attr, dict) else None
        if isinstance(kind, str) and isinstance(value, str):
            total += sum(len(t.encode("utf-8", "surrogatepass")) for t in (name, kind, value))
    return total


def batch_too_long(entries: list[dict[str, Any]]) -> str | None:
    """SQS's refusal of a SendMessageBatch whose messages (in the API's shape) are over
    1 MiB together, whole and before any is sent (the words are moto's: AWS documents only
    the code, BatchRequestTooLong); None when the batch is within it."""
    total = sum(_batch_entry_bytes(e) for e in entries)
    if total <= BATCH_MAX_BYTES:
        return None
    return (
        f"Batch requests cannot be longer than {BATCH_MAX_BYTES} bytes. You have sent "
        f"{total} bytes."
    )


# Attribute values that are their own text (a plain String, a Number as its sender wrote
# it); anything else (a number, a labelled type) goes through `_attribute_text`.
_PLAIN_TEXT = frozenset({str, NumberText})


# A handler's numbers, sent as Number attributes (a bool is a String attribute, as
# `message_attributes` types it).
_NUMBERS = frozenset({int, float})


def number_refusal(name: str, text: str) -> SqsError | None:
    """The SqsError SQS answers `text` as the value of the Number attribute `name` with, or
    None when it takes it."""
    fault = number_attribute_fault(text)
    if fault == "not a number":
        return SqsError(
            "InvalidParameterValue",
            f"Can't cast the value of message (user) attribute '{name}' to a number.",
            "send digits with an optional sign, point and exponent (`-1.5e3`), or make the "
            "attribute a String",
        )
    if fault is not None:
        return SqsError(
            "InvalidParameterValue",
            f"The Number {text[:24]} of message (user) attribute '{name}' is out of range.",
            NUMBER_ATTRIBUTE_RULE,
        )
    return None


def _attribute_text(value: Any) -> str:
    return value if isinstance(value, str) else str(value)


def _refuse_attribute_name(name: str) -> None:
    """Raise SqsError saying why SQS refuses `name` (one `_VALID_NAME` does not match)."""
    problem = None
    if not _ATTR_NAME.fullmatch(name):
        problem = (
            f"Message (user) attribute name {name!r} is invalid: 1 to 256 letters, digits, "
            "'_', '-' or '.'."
        )
    elif name.lower().startswith(("aws.", "amazon.")):
        problem = (
            "You can't use message attribute names beginning with 'AWS.' or 'Amazon'. "
            "These strings are reserved for internal use."
        )
    elif name.startswith("."):
        problem = "Message (user) attribute name must not begin with character '.'."
    elif name.endswith("."):
        problem = "Message (user) attribute name must not end with character '.'."
    elif ".." in name:
        problem = "Message (user) attribute name must not have successive '.' characters."
    if problem is not None:
        raise SqsError("InvalidParameterValue", problem, "rename the attribute")


def _check_visibility_timeout(timeout_s: int) -> None:
    """ChangeMessageVisibility's check of its VisibilityTimeout, made before the receipt is
    looked at: SqsError (InvalidParameterValue) out of 0-43,200 s."""
    if not 0 <= timeout_s <= MAX_VISIBILITY_S:
        raise SqsError(
            "InvalidParameterValue",
            f"Value {shown(timeout_s)} for parameter VisibilityTimeout is invalid. "
            f"Reason: Must be between 0 and {MAX_VISIBILITY_S}.",
            f"give 0 to {MAX_VISIBILITY_S} seconds",
        )


class QueueSim:
    """The simulated state of one SQS queue."""

    def __init__(
        self,
        sim: Simulator,
        name: str,
        arn: str,
        url: str,
        *,
        visibility_s: int,
        retention_s: int,
        delay_s: int,
        max_bytes: int,
        fifo: bool,
        content_dedup: bool,
        dedup_per_group: bool = False,
    ) -> None:
        self.sim = sim
        self.name = name
        self.arn = arn
        self.url = url
        self.visibility_ms = visibility_s * 1000
        self.inflight_limit = INFLIGHT_LIMIT
        self.retention_ms = retention_s * 1000
        self.delay_ms = delay_s * 1000
        self.max_bytes = max_bytes
        self.fifo = fifo
        self.content_dedup = content_dedup
        # Stacktape's fifoHighThroughput sets DeduplicationScope=messageGroup: a dedup id
        # then repeats only within its group.
        self.dedup_per_group = dedup_per_group
        self.dlq: QueueSim | None = None
        self.max_receive_count: int | None = None
        self.sources: list[QueueSim] = []  # queues that redrive into this one
        self.visible: deque[Message] = deque()  # standard queues
        self.groups: dict[str, deque[Message]] = {}  # FIFO: group -> available messages
        self.blocked: dict[str, int] = {}  # FIFO: group -> messages in flight
        self.messages: dict[str, Message] = {}  # every live message, by id
        self.counts = [0, 0, 0]  # delayed, visible, in flight
        # Messages by expiry time, then arrival: a deque while they arrive in that order (a
        # send is always the newest; no object per message), and a heap for the few that
        # arrive older (a standard DLQ keeps a moved message's enqueue time).
        self._expiry: deque[Message] = deque()
        self._expiry_late: list[tuple[int, int, Message]] = []
        self._expiry_timer: list[Any] | None = None
        self._expiry_seq = 0
        # dedup id (or (group, dedup id)) -> (expires at, message id, sequence number)
        self._dedup: dict[Any, tuple[int, str, str | None]] = {}
        self._fifo_seq = 0
        self.on_visible: list[Callable[[], None]] = []  # consumers to wake
        self._delay_label = ("delay", name, _ID)
        self._idle_label = ("visibility", name, "")
        # Released messages by the end of their visibility timeout, then release order: a
        # deque while they come in that order (a fixed timeout counted from each receive),
        # a heap for the few that do not; one clock entry, at the soonest.
        # Deleted messages stay in them until they reach a front; when no waiting message is
        # left the clock entry becomes background work, kept aside as `_idle_return`
        # (`_forget_return`), and `_return_timer` is armed exactly while messages wait.
        self._returns: deque[Message] = deque()
        self._returns_late: list[tuple[int, int, Message]] = []
        self._return_seq = 0
        self._return_timer: list[Any] | None = None
        self._idle_return: list[Any] | None = None
        # When the last PurgeQueue was accepted: SQS takes one per queue every 60 s.
        self._purged_at: int | None = None

    # -- queries -----------------------------------------------------------------------

    @property
    def delayed_count(self) -> int:
        """Messages waiting out a delay."""
        return self.counts[DELAYED]

    @property
    def visible_count(self) -> int:
        """Messages available to a receive."""
        return self.counts[VISIBLE]

    @property
    def in_flight_count(self) -> int:
        """Messages received and not yet deleted or returned."""
        return self.counts[INFLIGHT]

    @property
    def depth(self) -> int:
        """Every message the queue holds (delayed + visible + in flight)."""
        return len(self.messages)

    def oldest_age_ms(self, now: int) -> int | None:
        """Age of the oldest message (by enqueue time), or None when empty."""
        # Retention is the same for every message of a queue, so the first live message in
        # expiry order is the oldest.
        msg = self._next_to_expire()
        return None if msg is None else now - msg.enqueued_at

    def next_expiry(self) -> int | None:
        """When the oldest message reaches the retention period (None when empty)."""
        msg = self._next_to_expire()
        return None if msg is None else msg.enqueued_at + self.retention_ms

    def _live(self, msg: Message) -> bool:
        return msg.queue is self and msg.id in self.messages

    def _next_to_expire(self) -> Message | None:
        """The live message that expires first (dropping gone ones from the front)."""
        ordered, late = self._expiry, self._expiry_late
        while ordered and not self._live(ordered[0]):
            ordered.popleft()
        while late and not self._live(late[0][2]):
            heapq.heappop(late)
        if not late:
            return ordered[0] if ordered else None
        head = late[0][2]
        if ordered and (ordered[0].enqueued_at, ordered[0].expiry_seq) < (
            head.enqueued_at,
            head.expiry_seq,
        ):
            return ordered[0]
        return head

    def listing(self, limit: int = 100) -> list[Message]:
        """Up to `limit` messages in receive order: visible first, then delayed and in flight."""
        if self.fifo:
            vis = list(islice((m for g in self.groups.values() for m in g), limit))
        else:
            vis = list(islice(self.visible, limit))
        if len(vis) >= limit:
            return vis
        rest = heapq.nsmallest(
            limit - len(vis),
            (m for m in self.messages.values() if m.state != VISIBLE),
            key=lambda m: (m.visible_at, m.id),
        )
        return vis + rest

    def example_event(self, message_id: str, body: str, group: str) -> dict[str, Any]:
        """The SQS event a mapping of this queue hands its function for one message with
        `body`, sent now and received once (`group` is a FIFO message's group), as a receive
        would give it: the queue and the simulation are left as they were."""
        msg = Message(message_id, body, self, self.sim.clock.now, None)
        msg.receive_count = msg.receipt = 1
        msg.first_receive_at = msg.sent_at
        if self.fifo:
            msg.group = group
            msg.dedup_id = hashlib.sha256(body.encode("utf-8", "surrogatepass")).hexdigest()
            msg.seq_number = f"{18_000_000_000_000_000_000 + self._fifo_seq + 1:020d}"
        return sqs_event([msg], self, self.sim.region)

    # -- state changes -----------------------------------------------------------------

    def _set_state(self, msg: Message, state: int) -> None:
        old = msg.state
        if old <= INFLIGHT:
            self.counts[old] -= 1
        msg.state = state
        if state <= INFLIGHT:
            self.counts[state] += 1

    def validate_send(
        self,
        body: str,
        delay_s: int | None,
        group: str | None,
        dedup_id: str | None,
        attrs: dict[str, Any] | None = None,
    ) -> None:
        """Raise SqsError for a send SQS would reject (nothing changes)."""
        if type(body) is not str or not body:
            # SQS takes an empty MessageBody for a missing one: AWS's code and words (see
            # docs/fidelity.md, SQS).
            raise SqsError(
                "MissingParameter", "The request must contain the parameter MessageBody."
            )
        # "All parts of the message attribute, including Name, Type, and Value, are part of
        # the message size restriction" (MessageAttributeValue, SQS API reference).
        attr_bound = validate_attributes(attrs) if attrs else 0
        # A character is at most 4 UTF-8 bytes: only long bodies need encoding to measure.
        if len(body) * 4 + attr_bound > self.max_bytes:
            size = len(body.encode("utf-8", "surrogatepass"))
            if attrs:
                size += attributes_size(attrs)
            if size > self.max_bytes:
                raise SqsError(
                    "InvalidParameterValue",
                    f"the message is {size:,} bytes; queue {self.name} allows at most "
                    f"{self.max_bytes:,}",
                )
        # Printable ASCII, the common case, is allowed; only other bodies need the search.
        if not (body.isascii() and body.isprintable()) and _BAD_BODY_CHAR.search(body):
            raise SqsError(
                "InvalidMessageContents",
                "the body holds characters SQS does not allow (control characters or unpaired "
                "surrogates)",
            )
        if delay_s is not None and (refused := delay_error(delay_s)) is not None:
            raise refused
        if self.fifo:
            # "When you set FifoQueue, you can't set DelaySeconds per message" (SendMessage API
            # reference); SQS refuses a positive one with this message and takes 0.
            if delay_s:
                raise SqsError(
                    "InvalidParameterValue",
                    f"Value {shown(delay_s)} for parameter DelaySeconds is invalid. Reason: The "
                    "request include parameter that is not valid for this queue type.",
                    hint="a FIFO queue delays every message by its delayMessagesSecond; "
                    "send without --delay",
                )
            if not group:
                raise SqsError(
                    "MissingParameter",
                    f"{self.name} is a FIFO queue: every message needs a message group id",
                    # Both options at once when both are missing, so that the line the hint
                    # gives is not refused in turn for its deduplication id.
                    hint=f"send {quote_word(self.name)} BODY --group GROUP"
                    + ("" if dedup_id or self.content_dedup else " --dedup-id ID"),
                    aws="The request must contain the parameter MessageGroupId.",
                )
            # The group is checked first, so that the hint below never repeats a bad one.
            _check_id("MessageGroupId", group)
            if not dedup_id and not self.content_dedup:
                raise SqsError(
                    "InvalidParameterValue",
                    f"{self.name} has no content-based deduplication: give a deduplication id",
                    hint=f"send {quote_word(self.name)} BODY --group {quote_word(group)} "
                    "--dedup-id ID",
                    aws="The queue should either have ContentBasedDeduplication enabled or "
                    "MessageDeduplicationId provided explicitly",
                )
            if dedup_id is not None:
                _check_id("MessageDeduplicationId", dedup_id)
            return
        if dedup_id is not None:
            # A standard queue takes a MessageGroupId (fair queues, below) but still refuses a
            # deduplication id, with this message (AWS's, as SendMessage callers report it).
            raise SqsError(
                "InvalidParameterValue",
                f"Value {dedup_id} for parameter MessageDeduplicationId is invalid. Reason: The "
                "request include parameter that is not valid for this queue type.",
                hint=f"{self.name} is a standard queue: deduplication ids are for FIFO queues",
            )
        # On a standard queue a group id makes it a fair queue: the id names the message's
        # tenant, with no ordering and no deduplication (SendMessage API reference).
        if group is not None:
            _check_id("MessageGroupId", group)

    # `send` and `send_message` take their options by position too: CPython 3.11 calls a
    # function with keyword-only defaults, or with keyword arguments, the slow way (each
    # default looked up by name), and a script or a handler may send a million messages.
    def send(
        self,
        body: str,
        delay_s: int | None = None,
        group: str | None = None,
        dedup_id: str | None = None,
        attrs: dict[str, Any] | None = None,
        source: str = "command",
    ) -> str:
        """SendMessage: returns the MessageId (the original one for a FIFO duplicate)."""
        return self.send_message(body, delay_s, group, dedup_id, attrs, source)[0]

    def send_message(
        self,
        body: str,
        delay_s: int | None = None,
        group: str | None = None,
        dedup_id: str | None = None,
        attrs: dict[str, Any] | None = None,
        source: str = "command",
    ) -> tuple[str, bool, str | None]:
        """SendMessage: the MessageId, whether the message was a FIFO duplicate (the id is
        then the original message's), for a caller that says which it was without reading
        the trace back, and a FIFO queue's SequenceNumber (the original's for a duplicate;
        None on a standard queue)."""
        self.validate_send(body, delay_s, group, dedup_id, attrs)
        sim = self.sim
        now = sim.clock.now
        if self.fifo:
            key = dedup_id or hashlib.sha256(body.encode("utf-8", "surrogatepass")).hexdigest()
            scope = (group, key) if self.dedup_per_group else key
            hit = self._dedup.get(scope)
            if hit is not None and hit[0] > now:
                sim.trace.emit(
                    (
                        now,
                        tk.MESSAGE_DEDUPLICATED,
                        self.name,
                        {"message_id": hit[1], "dedup_id": key, "source": source},
                    )
                )
                return hit[1], True, hit[2]
        ready = sim.ids_ready  # `Simulator.new_id`'s commonest case, inlined
        msg = Message(ready.pop() if ready else sim.new_id(), body, self, now, attrs)
        # Lambda's recursion count travels with the message (its AWSTraceHeader on AWS).
        msg.chain = sim.chain
        # A standard queue keeps a group id too (a fair queue's tenant): it travels with the
        # message into its receives, Lambda records and dead-letter queue.
        msg.group = group
        if self.fifo:
            msg.dedup_id = key
            self._fifo_seq += 1
            msg.seq_number = f"{18_000_000_000_000_000_000 + self._fifo_seq:020d}"
            # The number too: a duplicate answers it after the original is gone.
            self._dedup[scope] = (now + DEDUP_WINDOW_MS, msg.id, msg.seq_number)
            if len(self._dedup) > 4096:
                self._dedup = {k: v for k, v in self._dedup.items() if v[0] > now}
        self.messages[msg.id] = msg
        # A FIFO queue's own delay applies even to a send that says DelaySeconds 0.
        delay_ms = self.delay_ms if delay_s is None or self.fifo else delay_s * 1000
        if group is None and not delay_ms:
            sim.trace.emit((now, tk.MESSAGE_SENT, self.name, msg.id, source, tk.SENT_FIELDS))
        else:
            data: dict[str, Any] = {"message_id": msg.id, "source": source}
            if group is not None:
                data["group"] = group
            if dedup_id is not None:
                # The id the sender gave (a FIFO queue's), which `explain` takes: the
                # sender has it in hand, not the message id SQS made up.
                data["dedup_id"] = dedup_id
            if delay_ms:
                data["delay_ms"] = delay_ms
            sim.trace.emit((now, tk.MESSAGE_SENT, self.name, data))
        sim.trace.bound()
        self._track_expiry(msg)
        if delay_ms > 0:
            self._set_state(msg, DELAYED)
            msg.visible_at = now + delay_ms
            msg.timer = sim.clock.at(msg.visible_at, self._delay_over, msg, self._delay_label)
        else:
            # `_make_visible`, written out: one call less for every message sent.
            self._place_visible(msg, False)
            for wake in self.on_visible:
                wake()
        return msg.id, False, msg.seq_number

    def _delay_over(self, msg: Message) -> None:
        msg.timer = None
        if msg.state == DELAYED:
            self._make_visible(msg, False)

    def _make_visible(self, msg: Message, returned: bool) -> None:
        self._place_visible(msg, returned)
        for wake in self.on_visible:
            wake()

    def _place_visible(self, msg: Message, returned: bool) -> None:
        """Make `msg` visible, without waking the consumers (`_make_visible` does both)."""
        old = msg.state
        if old <= INFLIGHT:
            self.counts[old] -= 1
        msg.state = VISIBLE
        self.counts[VISIBLE] += 1
        msg.visible_at = self.sim.clock.now
        if self.fifo:
            g = self.groups.get(msg.group or "")
            if g is None:
                g = self.groups[msg.group or ""] = deque()
            if returned:
                # A returned message takes back its place in its group: before every message
                # that arrived after it (`expiry_seq` is the queue's arrival order), so a
                # batch that returns message by message comes back in order, not reversed.
                at = 0
                for other in g:
                    if other.expiry_seq > msg.expiry_seq:
                        break
                    at += 1
                g.insert(at, msg)
            else:
                g.append(msg)
        else:
            self.visible.append(msg)

    # -- retention ---------------------------------------------------------------------

    def _track_expiry(self, msg: Message) -> None:
        at = msg.enqueued_at + self.retention_ms
        self._expiry_seq += 1
        msg.expiry_seq = self._expiry_seq
        ordered = self._expiry
        timer = self._expiry_timer
        if not ordered or ordered[-1].enqueued_at <= msg.enqueued_at:
            ordered.append(msg)
            # The newest message expires last: an armed timer is already soon enough.
            if timer is not None:
                return
        else:
            heapq.heappush(self._expiry_late, (msg.enqueued_at, msg.expiry_seq, msg))
            if timer is not None:
                if timer[0] <= at:
                    return
                self.sim.clock.cancel(timer)
        self._expiry_timer = self.sim.clock.at(
            at, self._expire_due, None, ("retention", self.name, ""), background=True
        )

    def _expire_due(self, _: Any) -> Idle | None:
        """The retention check: every message due expires. It stays armed when the message
        it was set for goes (moving it at every delete would cost a long run a heap entry
        a message); finding none due, it re-arms for the oldest left and answers IDLE: no
        event (Scheduler.at), so `step` goes on to that message's expiry."""
        self._expiry_timer = None
        now = self.sim.clock.now
        idle = True
        while True:
            msg = self._next_to_expire()
            if msg is None or msg.enqueued_at + self.retention_ms > now:
                break
            self._expire(msg)
            idle = False
        if msg is not None:
            self._expiry_timer = self.sim.clock.at(
                msg.enqueued_at + self.retention_ms,
                self._expire_due,
                None,
                ("retention", self.name, ""),
                background=True,
            )
        return IDLE if idle else None

    def _emptied(self) -> None:
        """The queue holds no message now: its retention check, and the entry left for
        released messages that are all gone (`_forget_return`), would find nothing, so they
        are cancelled rather than left to run (four days on, for retention) as events that
        write nothing; the gone messages kept for them are dropped. The next send arms a new
        check, the next release a new entry."""
        clock = self.sim.clock
        timer = self._expiry_timer
        if timer is not None:
            self._expiry_timer = None
            clock.cancel(timer)
        self._expiry.clear()
        self._expiry_late.clear()
        idle = self._idle_return
        if idle is not None:
            self._idle_return = None
            clock.cancel(idle)

    def _expire(self, msg: Message) -> None:
        held = msg.state == INFLIGHT
        freed = held and self.counts[INFLIGHT] == self.inflight_limit
        self._detach(msg)
        self._set_state(msg, EXPIRED)
        self.sim.trace.emit(
            (
                self.sim.clock.now,
                tk.MESSAGE_EXPIRED,
                self.name,
                {"message_id": msg.id, "receive_count": msg.receive_count},
            )
        )
        if freed:
            self._wake_freed()
        elif held and self.fifo:
            # Its group was blocked only while the message was in flight.
            self._wake_for(msg.group or "")

    def _detach(self, msg: Message) -> None:
        """Remove a live message from every structure (its state is set by the caller)."""
        del self.messages[msg.id]
        timer = msg.timer
        if timer is not None:
            msg.timer = None
            if timer is _RETURNING:
                self._forget_return()
            else:
                self.sim.clock.cancel(timer)
        if msg.state == VISIBLE:
            if self.fifo:
                g = self.groups[msg.group or ""]
                g.remove(msg)
                if not g:
                    del self.groups[msg.group or ""]
            else:
                self.visible.remove(msg)
        elif msg.state == INFLIGHT and self.fifo:
            self._unblock(msg.group or "")
        if not self.messages:
            self._emptied()

    def _wake_for(self, group: str) -> None:
        """A FIFO group may have been unblocked: when messages of it wait and none is in
        flight, idle consumers are told they can receive them now, as after a return."""
        if group in self.groups and group not in self.blocked:
            for wake in self.on_visible:
                wake()

    def _unblock(self, group: str) -> None:
        n = self.blocked.get(group, 0) - 1
        if n > 0:
            self.blocked[group] = n
        else:
            self.blocked.pop(group, None)

    # -- receive / delete / return -----------------------------------------------------

    def receive(
        self,
        max_n: int,
        visibility_ms: int | None = None,
        max_bytes: int | None = None,
        consumer: str | None = None,
    ) -> list[Message]:
        """ReceiveMessage for up to `max_n` messages (DLQ moves happen here, lazily).
        `consumer` names a container workload that polls the queue itself: its receives'
        records say so (Lambda's event source mappings' do not)."""
        now = self.sim.clock.now
        vt = self.visibility_ms if visibility_ms is None else visibility_ms
        if not self.fifo:
            return self.receive_standard(max_n, now, vt, max_bytes, consumer)
        out: list[Message] = []
        budget = max_bytes
        while len(out) < max_n and self.counts[INFLIGHT] < self.inflight_limit:
            msg = self._next_candidate(out)
            if msg is None:
                break
            if budget is not None and out and msg.size > budget:
                break
            if (
                self.max_receive_count is not None
                and msg.receive_count >= self.max_receive_count
                and self.dlq
            ):
                self._take(msg)
                self._move_to_dlq(msg)
                continue
            self._take(msg)
            self._set_state(msg, INFLIGHT)
            msg.receive_count += 1
            if msg.first_receive_at is None:
                msg.first_receive_at = now
            msg.visible_at = now + vt
            msg.received_at = now
            msg.receipt += 1
            if self.fifo:
                self.blocked[msg.group or ""] = self.blocked.get(msg.group or "", 0) + 1
            if budget is not None:
                budget -= msg.size
            received = {"message_id": msg.id, "receive_count": msg.receive_count}
            if consumer is not None:
                received["consumer"] = consumer
            self.sim.trace.emit((now, tk.MESSAGE_RECEIVED, self.name, received))
            out.append(msg)
        return out

    def receive_standard(
        self, max_n: int, now: int, vt: int, budget: int | None, consumer: str | None = None
    ) -> list[Message]:
        """`receive` on a standard queue at `now` with visibility `vt`: the hot path of a busy
        worker queue, written out flat (the FIFO loop has the same effects plus groups)."""
        visible = self.visible
        counts = self.counts
        emit = self.sim.trace.emit
        name = self.name
        mrc = self.max_receive_count if self.dlq is not None else None
        limit = self.inflight_limit
        out: list[Message] = []
        while visible and len(out) < max_n and counts[INFLIGHT] < limit:
            msg = visible[0]
            if budget is not None:
                if out and msg.size > budget:
                    break
                budget -= msg.size
            visible.popleft()
            if mrc is not None and msg.receive_count >= mrc:
                if budget is not None:
                    budget += msg.size
                self._move_to_dlq(msg)
                continue
            counts[VISIBLE] -= 1
            counts[INFLIGHT] += 1
            msg.state = INFLIGHT
            msg.receive_count += 1
            if msg.first_receive_at is None:
                msg.first_receive_at = now
            msg.visible_at = now + vt
            msg.received_at = now
            msg.receipt += 1
            if consumer is None:
                emit((now, tk.MESSAGE_RECEIVED, name, msg.id, msg.receive_count, tk.RECEIVE_FIELDS))
            else:
                emit(
                    (
                        now,
                        tk.MESSAGE_RECEIVED,
                        name,
                        {
                            "message_id": msg.id,
                            "receive_count": msg.receive_count,
                            "consumer": consumer,
                        },
                    )
                )
            out.append(msg)
        return out

    def _next_candidate(self, taken: list[Message]) -> Message | None:
        if not self.fifo:
            return self.visible[0] if self.visible else None
        # FIFO: the head of the first group that is not blocked by a message in flight
        # elsewhere; a batch may take several messages of one group, in order.
        taken_groups = {m.group for m in taken}
        for group, g in self.groups.items():
            if group in self.blocked and group not in taken_groups:
                continue
            return g[0]
        return None

    def _take(self, msg: Message) -> None:
        """Pop a visible message off the head of its list."""
        if self.fifo:
            g = self.groups[msg.group or ""]
            g.popleft()
            if not g:
                del self.groups[msg.group or ""]
        else:
            self.visible.popleft()

    def _move_to_dlq(self, msg: Message) -> None:
        dlq = self.dlq
        assert dlq is not None
        now = self.sim.clock.now
        del self.messages[msg.id]
        if not self.messages:
            self._emptied()
        self.counts[VISIBLE] -= 1
        self.sim.trace.emit(
            (
                now,
                tk.MESSAGE_DEAD_LETTERED,
                self.name,
                {"message_id": msg.id, "target": dlq.name, "receive_count": msg.receive_count},
            )
        )
        # What a move changes, as it was in each queue left (by ARN): `show event` builds
        # the records of this queue's batches from them (`invocation_events`). Unset until
        # the first move, so that a message that never moves pays nothing.
        moves = msg.earlier if hasattr(msg, "earlier") else []
        moves.append((self.arn, msg.dlq_source_arn, msg.dedup_id))
        msg.earlier = moves
        msg.queue = dlq
        msg.dlq_source_arn = self.arn
        if dlq.fifo:
            # FIFO DLQs reset the enqueue time and use the MessageId as deduplication id.
            msg.enqueued_at = now
            msg.dedup_id = msg.id
        dlq.messages[msg.id] = msg
        msg.state = NEW
        dlq._track_expiry(msg)
        dlq._make_visible(msg, False)

    def delete(self, msg: Message, receipt: int, consumer: str | None = None) -> bool:
        """DeleteMessage with the receipt of a receive; False when the receipt is stale.
        `consumer` names a container workload that deletes what it polled (in the record).

        A standard queue also deletes a message whose visibility timeout has ended, as long
        as nobody has received it since (its receipt is still the newest); a FIFO queue
        refuses that delete (aws-semantics §1.2)."""
        state = msg.state  # read once: every consumer's every message comes here
        messages = self.messages
        sim = self.sim
        if (
            (state != INFLIGHT and (state != VISIBLE or self.fifo))
            or msg.queue is not self
            or msg.receipt != receipt
            or msg.id not in messages
        ):
            stale = {"message_id": msg.id}
            if consumer is not None:
                stale["consumer"] = consumer
            sim.trace.emit((sim.clock.now, tk.MESSAGE_DELETE_STALE, self.name, stale))
            return False
        del messages[msg.id]
        if state == VISIBLE:  # its timeout ended and nobody received it since (see above)
            self.visible.remove(msg)
            self.counts[VISIBLE] -= 1
            freed = False
        else:
            # In flight, its timer is None or _RETURNING (a message handed to its consumer
            # that will outlive its timeout, or one after the first of a worker's batch).
            if msg.timer is not None:
                msg.timer = None
                self._forget_return()
            if self.fifo:
                self._unblock(msg.group or "")
            counts = self.counts
            held = counts[INFLIGHT]
            counts[INFLIGHT] = held - 1
            # The delete takes the queue back under its in-flight limit.
            freed = held == self.inflight_limit
        if not messages:
            self._emptied()
        msg.state = DELETED
        if consumer is None:
            sim.trace.emit(
                (sim.clock.now, tk.MESSAGE_DELETED, self.name, msg.id, tk.MESSAGE_ID_FIELDS)
            )
        else:
            deleted = {"message_id": msg.id, "consumer": consumer}
            sim.trace.emit((sim.clock.now, tk.MESSAGE_DELETED, self.name, deleted))
            if self.fifo and not freed:
                # A worker's or a handler's DeleteMessage unblocks the group for every
                # consumer (a Lambda mapping's own delete is followed by its next poll).
                self._wake_for(msg.group or "")
        if freed:
            self._wake_freed()
        return True

    def _wake_freed(self) -> None:
        """The queue went back under its in-flight limit: pollers that found it full
        (whoever's delete or expiry freed the place) may take what waits, at once."""
        if self.counts[VISIBLE]:
            for wake in self.on_visible:
                wake()

    def delete_by_handle(self, handle: str, consumer: str) -> None:
        """DeleteMessage by a receipt handle, as a Python handler's `sqs.delete_message`
        makes it (`consumer`: the workload). The newest receive's handle deletes the
        message; an older one, or one of a message already gone, is answered with success
        and deletes nothing ("If you use an old ReceiptHandle, the request will succeed, but
        the message might not be deleted", DeleteMessage API reference); a handle the queue
        never gave out is ReceiptHandleIsInvalid (SimError)."""
        from stptui.sim.engine import SimError

        found = self.by_handle(handle)
        if found is not None:
            self.delete(found[0], found[1], consumer=consumer)
            return
        if not _HANDLE.fullmatch(handle):
            raise SimError(
                f'ReceiptHandleIsInvalid: The input receipt handle "{handle}" is not a valid '
                "receipt handle.",
                "delete with the receiptHandle of the SQS record the handler was given",
            )

    def by_handle(self, handle: str) -> tuple[Message, int] | None:
        """The message a receipt handle was given out for and the receive it is of (the
        newest receive first), or None when the queue has no such handle."""
        received = [m for m in self.messages.values() if m.receipt]
        for msg in received:
            if receipt_handle(msg) == handle:
                return msg, msg.receipt
        for msg in received:
            for n in range(msg.receipt - 1, 0, -1):
                if receipt_handle(msg, n) == handle:
                    return msg, n
        return None

    def change_visibility_by_handle(self, handle: str, timeout_s: int, consumer: str) -> None:
        """ChangeMessageVisibility by a receipt handle, as a Python handler's
        `sqs.change_message_visibility` makes it: `change_visibility` of the message the
        handle names (SqsError for a timeout out of range, an older receive's handle or one
        of a message gone); a handle the queue never gave out is ReceiptHandleIsInvalid
        (SimError)."""
        from stptui.sim.engine import SimError

        _check_visibility_timeout(timeout_s)
        found = self.by_handle(handle)
        if found is not None:
            self.change_visibility(found[0], found[1], timeout_s, consumer)
            return
        if not _HANDLE.fullmatch(handle):
            raise SimError(
                f'ReceiptHandleIsInvalid: The input receipt handle "{handle}" is not a valid '
                "receipt handle.",
                "change the visibility with the ReceiptHandle a receive gave",
            )
        raise SqsError(
            "InvalidParameterValue",
            f"Value {handle} for parameter ReceiptHandle is invalid. Reason: Message does not "
            "exist or is not available for visibility timeout change.",
            "the message was deleted or moved since this receive",
        )

    def release(self, msg: Message, receipt: int) -> None:
        """The consumer gave up on the message: it returns when its visibility timeout ends."""
        if (
            msg.queue is not self
            or msg.receipt != receipt
            or msg.state != INFLIGHT
            or msg.timer is not None
        ):
            return
        msg.timer = _RETURNING
        self._return_seq += 1
        msg.return_seq = self._return_seq
        returns = self._returns
        at = msg.visible_at
        if not returns or returns[-1].visible_at <= at:
            returns.append(msg)
        else:
            heapq.heappush(self._returns_late, (at, msg.return_seq, msg))
        timer = self._return_timer
        if timer is None:
            idle = self._idle_return
            if idle is not None:
                self._idle_return = None
                if idle[FN] is not None and idle[0] <= at:
                    # The entry left when the messages it waited for were deleted waits for
                    # this one now, in its old place (so `advance` runs what it ran before).
                    self.sim.clock.set_background(idle, False)
                    idle[LABEL] = None
                    self._return_timer = idle
                    return
                self.sim.clock.cancel(idle)
        elif timer[0] > at:
            self.sim.clock.cancel(timer)
        else:
            return
        # No label: Simulator.agenda lists each waiting message from `upcoming_returns`.
        self._return_timer = self.sim.clock.at(at, self._returns_due)

    def change_visibility(
        self, msg: Message, receipt: int, timeout_s: int, consumer: str | None = None
    ) -> int | None:
        """ChangeMessageVisibility with the receipt of a receive: the message stays hidden for
        `timeout_s` seconds from now and returns then unless it is deleted or changed again
        (0: visible at once, its FIFO group unblocked); its receive count is kept. Like
        `release`, it leaves the message to return by itself at the new end. Returns the time
        it becomes visible; None when the message is no longer in flight (its timeout ended
        and nobody received it since), which SQS answers with success and no change.
        `consumer` names a worker that made the call (in the record).

        Raises SqsError (InvalidParameterValue), changing nothing, for a timeout out of
        0-43,200 s, a receipt that is not the message's newest (deleted, moved to the DLQ or
        received again since), or a timeout that would end more than 12 hours after the
        receive that gave the receipt."""
        now = self.sim.clock.now
        _check_visibility_timeout(timeout_s)
        if msg.queue is not self or msg.id not in self.messages or msg.receipt != receipt:
            raise SqsError(
                "InvalidParameterValue",
                f"Value (the receipt handle of message {msg.id}) for parameter ReceiptHandle "
                "is invalid. Reason: Message does not exist or is not available for "
                "visibility timeout change.",
                "only the newest receive's receipt handle of a message still in the queue "
                "changes its visibility",
            )
        if msg.state != INFLIGHT:
            return None
        at = now + timeout_s * 1000
        if at - msg.received_at > MAX_VISIBILITY_S * 1000:
            raise SqsError(
                "InvalidParameterValue",
                f"Value {shown(timeout_s)} for parameter VisibilityTimeout is invalid. Reason: "
                f"Total VisibilityTimeout for the message is beyond the limit [{MAX_VISIBILITY_S} "
                "seconds].",
                f"the 12 hours count from the receive at {iso_ms(msg.received_at)}: give at "
                f"most {max(0, (msg.received_at + MAX_VISIBILITY_S * 1000 - now) // 1000)} s",
            )
        self._unschedule_return(msg)
        msg.visible_at = at
        changed: dict[str, Any] = {
            "message_id": msg.id,
            "timeout_s": timeout_s,
            "visible_at": iso_ms(at),
        }
        if consumer is not None:
            changed["consumer"] = consumer
        emit = self.sim.trace.emit
        emit((now, tk.MESSAGE_VISIBILITY_CHANGED, self.name, changed))
        if timeout_s:
            self.release(msg, receipt)
            return at
        # Visible at once: the message is back in the queue as when its timeout ends.
        emit((now, tk.MESSAGE_RETURNED, self.name, msg.id, msg.receive_count, tk.RECEIVE_FIELDS))
        if self.fifo:
            self._unblock(msg.group or "")
        self._make_visible(msg, True)
        return at

    def _unschedule_return(self, msg: Message) -> None:
        """Take a released message out of the returns waiting for their timeout (a
        ChangeMessageVisibility moves its end). A linear search: these calls are few next to
        the returns, which stay a deque for them."""
        if msg.timer is not _RETURNING:
            return
        msg.timer = None
        try:
            self._returns.remove(msg)
        except ValueError:
            late = self._returns_late
            for i, entry in enumerate(late):
                if entry[2] is msg:
                    late[i] = late[-1]
                    late.pop()
                    heapq.heapify(late)
                    break
        self._forget_return()

    def _forget_return(self) -> None:
        """One waiting message will not return (deleted, expired, purged, or its timeout
        moved). When none is left, the deleted messages queued for their return are
        dropped and the queue's clock entry becomes background work: `run` goes quiet when
        the last message is deleted, not when its timeout would have ended. The entry stays
        where it is, labelled for the agenda (it runs, finding nothing: no event, if the
        clock gets there), to wait for the next message released; when the queue empties, `_emptied`
        cancels it. Dropping the gone messages from the fronts is work each of them costs
        once, as when the entry runs."""
        timer = self._return_timer
        if timer is not None and self._next_return() is None:
            self.sim.clock.set_background(timer, True)
            # Unlabelled while it stands for waiting messages (the agenda lists each of them);
            # left standing for none, it says so, as `step` may still run it.
            timer[LABEL] = self._idle_label
            self._return_timer = None
            self._idle_return = timer

    def _next_return(self) -> Message | None:
        """The waiting message whose timeout ends first, at the front of the deque or the
        late heap (dropping from both fronts the messages deleted or expired meanwhile)."""
        returns, late = self._returns, self._returns_late
        while returns and returns[0].timer is not _RETURNING:
            returns.popleft()
        while late and late[0][2].timer is not _RETURNING:
            heapq.heappop(late)
        if not late:
            return returns[0] if returns else None
        head = late[0][2]
        if returns and (returns[0].visible_at, returns[0].return_seq) < (
            head.visible_at,
            head.return_seq,
        ):
            return returns[0]
        return head

    def _returns_due(self, _: Any) -> Idle | None:
        """Every waiting message whose visibility timeout has ended becomes visible again, in
        the order the timeouts end (ties: in release order). Finding none due (the entry
        left for messages deleted since, `_forget_return`, or one whose first message's
        timeout was moved), it answers IDLE: no event (Scheduler.at), so `step` goes on to
        what happens next, re-armed for the next waiting message if one is left."""
        self._return_timer = None
        # The entry left standing for deleted messages is this one, now run.
        self._idle_return = None
        now = self.sim.clock.now
        emit = self.sim.trace.emit
        returns = self._returns
        fifo = self.fifo
        counts = self.counts
        visible = self.visible
        name = self.name
        msg: Message | None = None
        returned = False
        while True:
            msg = self._next_return()
            if msg is None or msg.visible_at > now:
                break
            if returns and returns[0] is msg:
                returns.popleft()
            else:
                heapq.heappop(self._returns_late)
            msg.timer = None
            emit((now, tk.MESSAGE_RETURNED, name, msg.id, msg.receive_count, tk.RECEIVE_FIELDS))
            returned = True
            if fifo:
                self._unblock(msg.group or "")
                self._place_visible(msg, True)
            else:
                # `_place_visible` of a standard queue's message in flight, written out: a
                # week of retries returns every message thousands of times.
                counts[INFLIGHT] -= 1
                counts[VISIBLE] += 1
                msg.state = VISIBLE
                msg.visible_at = now
                visible.append(msg)
        if returned:
            # Waking is idempotent until the poll runs: once for all the messages returned
            # now wakes each consumer as waking it after the first one did.
            for wake in self.on_visible:
                wake()
        if msg is not None:
            self._return_timer = self.sim.clock.at(msg.visible_at, self._returns_due)
        return None if returned else IDLE

    def waiting_returns(self) -> int:
        """How many released messages wait for their visibility timeout to end."""
        late = sum(1 for e in self._returns_late if e[2].timer is _RETURNING)
        return late + sum(1 for m in self._returns if m.timer is _RETURNING)

    def returns_beyond_clock(self) -> int:
        """How many more things the waiting returns stand for than the scheduler counts: it
        holds one entry for all of them. (The entry left in place when every one of them was
        deleted counts as itself: the agenda lists it as a visibility check.)"""
        return self.waiting_returns() - (self._return_timer is not None)

    def upcoming_returns(self, limit: int) -> list[tuple[int, str]]:
        """The next `limit` released messages to become visible again: (time, message id)."""
        live = (m for m in self._returns if m.timer is _RETURNING)
        ordered = list(islice(live, limit))
        late = heapq.nsmallest(limit, (e for e in self._returns_late if e[2].timer is _RETURNING))
        merged = heapq.merge(
            ((m.visible_at, m.return_seq, m) for m in ordered), late, key=lambda e: e[:2]
        )
        return [(at, m.id) for at, _, m in islice(merged, limit)]

    # -- operations on the whole queue -------------------------------------------------

    def purge(self) -> int:
        """PurgeQueue: delete every message; returns how many. Raises SqsError with SQS's
        PurgeQueueInProgress (and changes nothing) within 60 s of the last purge."""
        now = self.sim.clock.now
        if self._purged_at is not None and now - self._purged_at < PURGE_INTERVAL_MS:
            wait_ms = self._purged_at + PURGE_INTERVAL_MS - now
            wait = f"{wait_ms // 1000}s" if wait_ms % 1000 == 0 else f"{wait_ms}ms"
            raise SqsError(
                "PurgeQueueInProgress",
                f"Only one PurgeQueue operation on {self.name} is allowed every 60 seconds.",
                f"the queue was purged at {iso_ms(self._purged_at)}; `advance {wait}`, "
                "then purge again",
            )
        self._purged_at = now
        n = 0
        for msg in list(self.messages.values()):
            self._detach(msg)
            self._set_state(msg, DELETED)
            n += 1
        self.sim.trace.emit((now, tk.QUEUE_PURGED, self.name, {"count": n}))
        return n

    def redrive_to(
        self, target: QueueSim | Callable[[Message], QueueSim], limit: int | None = None
    ) -> list[tuple[str, str]]:
        """StartMessageMoveTask: visible messages move as new messages to `target` (a
        DestinationArn), or each to the queue `target` gives it (without one, each
        message's own source queue).

        Returns (old id, new id) pairs. In-flight and delayed messages stay."""
        target_of = (lambda _: target) if isinstance(target, QueueSim) else target
        moved: list[tuple[str, str]] = []
        while (limit is None or len(moved) < limit) and self.counts[VISIBLE] > 0:
            msg = self._next_candidate([])
            if msg is None:
                break
            target = target_of(msg)
            self._take(msg)
            del self.messages[msg.id]
            if not self.messages:
                self._emptied()
            self.counts[VISIBLE] -= 1
            msg.state = DELETED
            kw: dict[str, Any] = {}
            if target.fifo:
                kw = {"group": msg.group or "redrive", "dedup_id": msg.id}
            elif msg.group is not None:
                kw = {"group": msg.group}
            new_id = target.send(msg.body, attrs=msg.attrs, source=f"redrive:{self.name}", **kw)
            self.sim.trace.emit(
                (
                    self.sim.clock.now,
                    tk.MESSAGE_REDRIVEN,
                    self.name,
                    {"message_id": msg.id, "target": target.name, "new_message_id": new_id},
                )
            )
            moved.append((msg.id, new_id))
        return moved
