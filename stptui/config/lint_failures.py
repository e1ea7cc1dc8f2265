"""Whole-stack checks of where an event goes when its function fails it: a queue a function
consumes with no dead-letter queue (a poison message is received until its retention ends),
a stream event that retries a failing batch until its records expire (its shard waits all
that time), and an `onDeliveryFailure` queue on a function that has no `destinations.onFailure`
(the queue gets only what EventBridge or SNS could not deliver; what the function fails is
dropped after Lambda's two retries).

Each is AWS's documented behaviour with Stacktape's defaults, simulated as such, and none
is wrong in itself: they are `info`, with the YAML that changes it and the command of
stptui that shows it happening.

`FailureChecks` is a part of the linter (`lint.Linter` inherits it): its methods report
through the linter's `report` and read the stack it indexed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from stptui.config.directives import ResourceParamValue
from stptui.config.model import (
    EventBusTrigger,
    Function,
    Queue,
    SnsTrigger,
    Trigger,
)
from stptui.textsafe import named, quote_word
from stptui.yamltext import yaml_key

if TYPE_CHECKING:
    from stptui.config.lint import Linter as _LinterBase
else:
    _LinterBase = object

# The least maxReceiveCount AWS advises for a queue a Lambda function reads (aws-semantics
# §2): what `max-receive-count-low` checks, and what `queue-no-dlq` suggests.
MIN_GUIDED_RECEIVE_COUNT = 5
# A DynamoDB stream keeps a record 24 hours ("data in the stream is retained for 24 hours",
# DynamoDB developer guide, Streams); a Kinesis stream `retentionPeriodHours`, 24 by default
# (Stacktape passes none, AWS's default applies).
STREAM_RETENTION_HOURS = 24
_UNITS = ((86_400, "day"), (3_600, "hour"), (60, "minute"), (1, "second"))


def _span(seconds: int) -> str:
    """A whole number of seconds in the largest unit that divides it: `4 days`, `90
    seconds`, `1 hour`."""
    for size, unit in _UNITS:
        if seconds >= size and seconds % size == 0:
            n = seconds // size
            return f"{n} {unit}" + ("" if n == 1 else "s")
    return f"{seconds} seconds"


def _retry_attempts(value: Any) -> int | None:
    """A stream event's `maximumRetryAttempts` as Lambda reads it: -1 (the default, written
    or not) for no limit; None when it is not a number this check can read (a directive)."""
    if value is None:
        return -1
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value


class FailureChecks(_LinterBase):
    """The linter's checks of what becomes of an event its function fails."""

    def check_failure_handling(self, queues: list[Queue]) -> None:
        """Each queue a function consumes has a dead-letter queue; each stream event stops
        retrying a failing batch; each `onDeliveryFailure` of a function's event is backed by
        an on-failure destination for the events the function fails."""
        for q in queues:
            self._check_dead_letter_queue(q)
        for fn in self.stack.functions:
            for t in fn.events:
                if t.type in ("kinesis-stream", "dynamo-db-stream"):
                    self._check_stream_retries(fn, t)
                elif isinstance(t, (EventBusTrigger, SnsTrigger)):
                    self._check_delivery_failure_scope(fn, t)

    def _check_dead_letter_queue(self, q: Queue) -> None:
        if q.redrive_target is not None:
            return  # in the stack or outside it: someone takes failed messages out
        readers = [
            t.owner
            for t in self.consumers.get(q.name, [])
            if isinstance(self.res.get(t.owner), Function)
        ]
        # A batch job's trigger deletes the messages once it started the job: what fails is
        # the job, not the receive, so only a function's failures come back.
        if not readers:
            return
        vt, retention = q.visibility_timeout_s, q.retention_s
        default = " (the default)" if "messageRetentionPeriodSeconds" in q.defaults else ""
        every = f"every {_span(vt)} (its visibility timeout)" if vt else "at once"
        times = f", some {retention // vt:,} times," if vt else ""
        fifo = "; its message group waits behind it all that time" if q.fifo else ""
        dlq = self._free_name(f"{q.name}Dlq")
        fifo_dlq = ", properties: {fifoEnabled: true}" if q.fifo else ""
        redrive = (
            f"add `redrivePolicy: {{targetSqsQueueName: {yaml_key(dlq)}, maxReceiveCount: "
            f"{MIN_GUIDED_RECEIVE_COUNT}}}` to {named(q.name)} and a queue `{yaml_key(dlq)}: "
            f"{{type: sqs-queue"
            f"{fifo_dlq}}}`"
        )
        if (idle := self._idle_dead_letter_queue(q)) is not None:
            # `dlq` written, nothing pointed at it: the redrivePolicy is what is missing.
            redrive = (
                f"add `redrivePolicy: {{targetSqsQueueName: {yaml_key(idle)}, maxReceiveCount: "
                f"{MIN_GUIDED_RECEIVE_COUNT}}}` to {named(q.name)}: its queue {idle!r}, which "
                "nothing reads or redrives to, looks meant for it"
            )
        self.report(
            q.path,
            "info",
            "queue-no-dlq",
            f"queue {q.name!r} has no dead-letter queue (no redrivePolicy, no "
            f"maxReceiveCount): a message {named(readers[0])} fails is received again {every} "
            f"until its retention ends after {_span(retention)}{default}{times} each a failed "
            f"invocation{fifo}",
            resource=q.name,
            key=True,
            hint=f"{redrive}; `explain MESSAGE_ID` shows a failing message's receives",
        )

    def _idle_dead_letter_queue(self, q: Queue) -> str | None:
        """The one queue of the stack, of `q`'s kind (FIFO or standard), that is named as a
        dead-letter queue (`dlq`, `ordersDeadLetters`) and that nothing reads, redrives to
        or sends to through a redrive: the one `q` was likely meant to redrive to."""
        targets = {o.redrive_target.target for o in self.stack.of_type(Queue) if o.redrive_target}
        idle = [
            o.name
            for o in self.stack.of_type(Queue)
            if o is not q
            and o.fifo == q.fifo
            and o.redrive_target is None
            and o.name not in targets
            and not self.consumers.get(o.name)
            and any(w in o.name.lower() for w in ("dlq", "dead"))
        ]
        return idle[0] if len(idle) == 1 else None

    def _free_name(self, name: str) -> str:
        """`name`, or `name2`, `name3` ... when a resource of the stack has it."""
        if name not in self.res:
            return name
        n = 2
        while f"{name}{n}" in self.res:
            n += 1
        return f"{name}{n}"

    def _check_stream_retries(self, fn: Function, t: Trigger) -> None:
        props = t.properties
        if _retry_attempts(props.get("maximumRetryAttempts")) != -1:
            return
        source, kept, show = self._stream_retention(t)
        failure = props.get("onFailure")
        destination = (
            "; its onFailure destination gets only a batch whose retries are used up, so it "
            "gets none"
            if isinstance(failure, dict)
            else ""
        )
        path, key = (
            ((*t.path, "properties", "maximumRetryAttempts"), False)
            if "maximumRetryAttempts" in props
            else ((*t.path, "properties"), True)
        )
        on_failure = (
            ""
            if isinstance(failure, dict)
            else f", and `onFailure: {{type: sqs, arn: $ResourceParam({fn.name + 'Failed'!r}, "
            "'arn')}` with that queue to keep what is given up"
        )
        setting = (
            "maximumRetryAttempts is -1"
            if "maximumRetryAttempts" in props
            else "no maximumRetryAttempts, so Lambda's default, -1"
        )
        self.report(
            path,
            "info",
            "stream-retries-forever",
            f"a batch {named(fn.name)} fails is retried until its records expire ({source} keeps "
            f"them {kept}; {setting}): one bad record stops its shard that long, the "
            f"later records waiting behind it{destination}",
            resource=fn.name,
            key=key,
            hint=f"set `maximumRetryAttempts: 3` and `bisectBatchOnFunctionError: true` on the "
            f"event{on_failure}; in stptui, {show} shows the retries of the batch blocking "
            "each shard",
        )

    def _stream_retention(self, t: Trigger) -> tuple[str, str, str]:
        """The stream a stream event reads, how long it keeps a record (`48 hours`, `24
        hours by default`), and the `show` command of stptui that shows its readers."""
        props = t.properties
        if t.type == "dynamo-db-stream":
            arn = props.get("streamArn")
            table = arn.resource if isinstance(arn, ResourceParamValue) else None
            show = (
                f"`show table {quote_word(table)}`" if table in self.res else "`show table TABLE`"
            )
            return "a DynamoDB stream", f"{STREAM_RETENTION_HOURS} hours", show
        name = props.get("kinesisStreamName")
        arn = props.get("streamArn")
        if isinstance(arn, ResourceParamValue):
            name = arn.resource
        stream = self.res.get(name) if isinstance(name, str) else None
        default = f"{STREAM_RETENTION_HOURS} hours by default"
        if stream is None or stream.type != "kinesis-stream":
            return "the stream", default, "`show stream STREAM`"
        hours = stream.properties.get("retentionPeriodHours")
        kept = (
            default if isinstance(hours, bool) or not isinstance(hours, int) else (f"{hours} hours")
        )
        return f"stream {stream.name!r}", kept, f"`show stream {quote_word(stream.name)}`"

    def _check_delivery_failure_scope(self, fn: Function, t: EventBusTrigger | SnsTrigger) -> None:
        ref = t.on_delivery_failure
        if ref is None or fn.on_failure is not None:
            return
        service = "EventBridge" if isinstance(t, EventBusTrigger) else "SNS"
        queue = ref.target or ref.raw
        target = f"$ResourceParam({ref.target!r}, 'arn')" if ref.target else ref.raw
        self.report(
            (*t.path, "properties", "onDeliveryFailure"),
            "info",
            "delivery-failure-not-function-failure",
            f"onDeliveryFailure sends {queue!r} only the events {service} cannot hand to "
            f"{named(fn.name)} (throttling, a missing permission); an event {named(fn.name)} fails "
            "is retried twice by Lambda (about 1 and 3 minutes after its first attempt: Stacktape "
            f"sets no MaximumRetryAttempts) and then dropped, as {named(fn.name)} has no "
            "destinations.onFailure",
            resource=fn.name,
            key=True,
            hint=f"to keep the events {named(fn.name)} fails, add `destinations: {{onFailure: "
            f"{target}}}` to {named(fn.name)}'s properties (Lambda sends an invocation record with "
            "the event as requestPayload); in stptui, `explain ID` of the event shows the "
            "three attempts and the drop",
        )
