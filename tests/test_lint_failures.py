"""Where an event its function fails ends up (stptui.config.lint_failures), and the simulator
showing the same: a consumed queue without a dead-letter queue (`queue-no-dlq`), a stream
event retried until its records expire (`stream-retries-forever`), an `onDeliveryFailure`
queue taken for the function's own failures (`delivery-failure-not-function-failure`)."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import pytest
from lintkit import PKG, codes, found, one, where

from stptui.commands import Session, execute
from stptui.commands.result import render_plain
from stptui.sim.clock import parse_instant

T0 = parse_instant("2026-01-05T08:00:00Z")

# -- queue-no-dlq ------------------------------------------------------------------------------

CONSUMED = """\
resources:
  jobs:
    type: sqs-queue
    properties: {visibilityTimeoutSeconds: 120}
  worker:
    type: function
    properties:
      {PKG}
      events:
        - type: sqs
          properties: {sqsQueueName: jobs}
"""


def test_a_consumed_queue_without_a_dead_letter_queue_says_what_a_poison_message_costs() -> None:
    d = one(CONSUMED, "queue-no-dlq")
    assert where(d) == ("info", "s.yml", 2, 3)
    assert d.resource == "jobs"
    # Every 2 minutes for the 4 default days: 345,600 / 120 receives.
    assert d.message == (
        "queue 'jobs' has no dead-letter queue (no redrivePolicy, no maxReceiveCount): a "
        "message worker fails is received again every 2 minutes (its visibility timeout) "
        "until its retention ends after 4 days (the default), some 2,880 times, each a "
        "failed invocation"
    )
    assert d.hint == (
        "add `redrivePolicy: {targetSqsQueueName: jobsDlq, maxReceiveCount: 5}` to jobs and a "
        "queue `jobsDlq: {type: sqs-queue}`; `explain MESSAGE_ID` shows a failing message's "
        "receives"
    )


def test_a_dead_letter_queue_written_but_not_redriven_to_is_named_in_both_hints() -> None:
    # `jobsDead` was in the stack, unused: the hints said to add a new `jobsDlq` and to give
    # `jobsDead` a consumer, when the one line missing is the redrivePolicy.
    stack = CONSUMED + "  jobsDead: {type: sqs-queue}\n"
    d = one(stack, "queue-no-dlq")
    assert d.hint == (
        "add `redrivePolicy: {targetSqsQueueName: jobsDead, maxReceiveCount: 5}` to jobs: its "
        "queue 'jobsDead', which nothing reads or redrives to, looks meant for it; `explain "
        "MESSAGE_ID` shows a failing message's receives"
    )
    idle = one(stack, "queue-no-consumer")
    assert idle.hint == (
        "add `- type: sqs` with `sqsQueueName: jobsDead` to a function's events; as a "
        "dead-letter queue, name it in a queue's redrivePolicy: {targetSqsQueueName: "
        "jobsDead, maxReceiveCount: 5}"
    )
    # A queue not named as one, or a FIFO one for a standard queue, is not taken for it.
    for other in (
        "  archive: {type: sqs-queue}\n",
        "  jobsDlq: {type: sqs-queue, properties: {fifoEnabled: true}}\n",
    ):
        assert "looks meant" not in (one(CONSUMED + other, "queue-no-dlq").hint or "")
    fixed = stack.replace(
        "properties: {visibilityTimeoutSeconds: 120}",
        "properties:\n      visibilityTimeoutSeconds: 120\n"
        "      redrivePolicy: {targetSqsQueueName: jobsDead, maxReceiveCount: 5}",
    )
    assert not {"queue-no-dlq", "queue-no-consumer"} & set(codes(fixed))


def test_the_fix_the_hint_gives_is_a_valid_config_without_the_finding() -> None:
    fixed = CONSUMED.replace(
        "properties: {visibilityTimeoutSeconds: 120}",
        "properties:\n      visibilityTimeoutSeconds: 120\n"
        "      redrivePolicy: {targetSqsQueueName: jobsDlq, maxReceiveCount: 5}\n"
        "  jobsDlq: {type: sqs-queue}",
    )
    # The DLQ nobody reads is advice of its own; nothing else is new, and nothing is wrong.
    assert codes(fixed) == ["dlq-no-consumer"]


def test_a_written_retention_and_a_fifo_queue_change_the_words() -> None:
    text = """\
    resources:
      orders:
        type: sqs-queue
        properties: {fifoEnabled: true, messageRetentionPeriodSeconds: 3600}
      ordersDlq: {type: function, properties: {{PKG}}}
      worker:
        type: function
        properties:
          {PKG}
          events:
            - {type: sqs, properties: {sqsQueueName: orders}}
    """
    d = one(text, "queue-no-dlq")
    assert "every 30 seconds (its visibility timeout) until its retention ends after 1 hour, " in (
        d.message
    )
    assert "(the default)" not in d.message
    assert d.message.endswith(
        "some 120 times, each a failed invocation; its message group waits behind it all that time"
    )
    # `ordersDlq` is taken (by a function): the hint names a free one, FIFO like its source.
    assert "`ordersDlq2: {type: sqs-queue, properties: {fifoEnabled: true}}`" in (d.hint or "")
    assert "targetSqsQueueName: ordersDlq2," in (d.hint or "")


@pytest.mark.parametrize(
    "redrive",
    [
        "redrivePolicy: {targetSqsQueueName: dlq, maxReceiveCount: 5}",
        # A dead-letter queue outside the stack takes the poison message out as well.
        "redrivePolicy: {targetSqsQueueArn: 'arn:aws:sqs:us-east-1:123456789012:x', "
        "maxReceiveCount: 5}",
    ],
)
def test_a_queue_with_a_redrive_policy_is_not_reported(redrive: str) -> None:
    text = CONSUMED.replace("{visibilityTimeoutSeconds: 120}", "{" + redrive + "}")
    text += "  dlq: {type: sqs-queue}\n"
    assert not found(text, "queue-no-dlq")


def test_only_a_function_s_failures_come_back() -> None:
    # A batch job's trigger deletes the batch once the job started: a failing job is not a
    # failing receive. An unconsumed queue has its own warning.
    job = """\
    resources:
      jobs: {type: sqs-queue}
      job:
        type: batch-job
        properties:
          container: {packaging: {type: prebuilt-image, properties: {image: alpine}}}
          resources: {cpu: 1, memory: 1024}
          events:
            - {type: sqs, properties: {sqsQueueName: jobs}}
      idle: {type: sqs-queue}
    """
    assert "queue-no-dlq" not in codes(job)
    assert "queue-no-consumer" in codes(job)


def _session(tmp_path: Path, stack: str, behaviors: str) -> Session:
    (tmp_path / "stacktape.yml").write_text(dedent(stack).replace("{PKG}", PKG))
    (tmp_path / "stptui.yml").write_text(dedent(behaviors))
    return Session.open(tmp_path, start_ms=T0)


def test_the_simulator_receives_the_poison_message_as_the_finding_says(tmp_path: Path) -> None:
    s = _session(tmp_path, CONSUMED, "behaviors:\n  worker:\n    fail: {always: true}\n")
    execute(s, "send jobs '{\"n\": 1}'")
    execute(s, "advance 1h")
    # Received at 0, 2, 4 ... 58 min (the next just after the hour): every visibility
    # timeout, and never moved anywhere.
    assert s.sim.function_stats("worker")["failures"] == 30
    assert s.sim.queue_stats("jobs")["depth"] == 1
    text = render_plain(execute(s, "show queue jobs"))
    assert (
        "no dead-letter queue: a message worker fails is received again until its retention "
        "ends; `explain ID` says why it is still here"
    ) in text.splitlines()


def test_show_queue_says_nothing_of_a_dead_letter_queue_a_queue_has(tmp_path: Path) -> None:
    stack = CONSUMED.replace(
        "{visibilityTimeoutSeconds: 120}",
        "{visibilityTimeoutSeconds: 120, redrivePolicy: {targetSqsQueueName: dlq, "
        "maxReceiveCount: 5}}",
    )
    stack += "  dlq: {type: sqs-queue}\n  idle: {type: sqs-queue}\n"
    s = _session(tmp_path, stack, "behaviors: {}\n")
    assert "no dead-letter queue" not in render_plain(execute(s, "show queue jobs"))
    # Nor does a queue nothing consumes: nothing fails its messages.
    assert "no dead-letter queue" not in render_plain(execute(s, "show queue idle"))


# -- stream-retries-forever --------------------------------------------------------------------

KINESIS = """\
resources:
  clicks:
    type: kinesis-stream
    properties: {retentionPeriodHours: 48}
  reader:
    type: function
    properties:
      {PKG}
      events:
        - type: kinesis-stream
          properties:
            kinesisStreamName: clicks
%s"""


def test_a_stream_event_without_a_retry_limit_blocks_its_shard_until_records_expire() -> None:
    d = one(KINESIS % "", "stream-retries-forever")
    assert where(d) == ("info", "s.yml", 11, 11)  # the event's `properties`
    assert d.message == (
        "a batch reader fails is retried until its records expire (stream 'clicks' keeps them "
        "48 hours; no maximumRetryAttempts, so Lambda's default, -1): one bad record stops its "
        "shard that long, the later records waiting behind it"
    )
    assert d.hint == (
        "set `maximumRetryAttempts: 3` and `bisectBatchOnFunctionError: true` on the event, "
        "and `onFailure: {type: sqs, arn: $ResourceParam('readerFailed', 'arn')}` with that "
        "queue to keep what is given up; in stptui, `show stream clicks` shows the retries of "
        "the batch blocking each shard"
    )


def test_an_on_failure_destination_without_a_retry_limit_gets_nothing() -> None:
    text = (
        KINESIS
        % (
            "            maximumRetryAttempts: -1\n"
            "            onFailure: {type: sqs, arn: \"$ResourceParam('failed', 'arn')\"}\n"
        )
        + "  failed: {type: sqs-queue}\n"
    )
    d = one(text, "stream-retries-forever")
    assert where(d) == ("info", "s.yml", 13, 35)  # the -1 written
    assert "maximumRetryAttempts is -1)" in d.message
    assert d.message.endswith(
        "; its onFailure destination gets only a batch whose retries are used up, so it gets none"
    )
    assert "onFailure:" not in (d.hint or "")


@pytest.mark.parametrize("limit", ["0", "3", "10000"])
def test_a_retry_limit_is_not_reported(limit: str) -> None:
    assert not found(
        KINESIS % f"            maximumRetryAttempts: {limit}\n", "stream-retries-forever"
    )


def test_a_table_stream_keeps_records_a_day() -> None:
    text = """\
    resources:
      orders:
        type: dynamo-db-table
        properties:
          primaryKey: {partitionKey: {name: id, type: string}}
          streamType: NEW_IMAGE
      audit:
        type: function
        properties:
          {PKG}
          events:
            - type: dynamo-db-stream
              properties: {streamArn: "$ResourceParam('orders', 'streamArn')"}
    """
    d = one(text, "stream-retries-forever")
    assert "(a DynamoDB stream keeps them 24 hours;" in d.message
    assert "`show table orders`" in (d.hint or "")


def test_the_simulator_keeps_retrying_the_failing_batch(tmp_path: Path) -> None:
    s = _session(tmp_path, KINESIS % "", "behaviors:\n  reader:\n    fail: {always: true}\n")
    execute(s, "put-record clicks '{\"n\": 1}' --partition-key a")
    execute(s, "advance 1h")
    assert s.sim.function_stats("reader")["failures"] > 100  # once a second, still going
    assert "stream.batch_discarded" not in {r.kind for r in s.sim.trace.records}


# -- delivery-failure-not-function-failure -------------------------------------------------------

SNS = """\
resources:
  topic: {type: sns-topic}
  failed: {type: sqs-queue}
  notify:
    type: function
    properties:
      {PKG}
%s      events:
        - type: sns
          properties:
            snsTopicName: topic
            onDeliveryFailure: {sqsQueueName: failed}
"""


def test_on_delivery_failure_without_an_on_failure_destination_is_explained() -> None:
    d = one(SNS % "", "delivery-failure-not-function-failure")
    assert where(d) == ("info", "s.yml", 12, 13)
    assert d.message == (
        "onDeliveryFailure sends 'failed' only the events SNS cannot hand to notify "
        "(throttling, a missing permission); an event notify fails is retried twice by Lambda "
        "(about 1 and 3 minutes after its first attempt: Stacktape sets no "
        "MaximumRetryAttempts) and then dropped, as notify has no destinations.onFailure"
    )
    assert (d.hint or "").startswith(
        "to keep the events notify fails, add `destinations: {onFailure: "
        "$ResourceParam('failed', 'arn')}` to notify's properties"
    )


def test_an_event_bus_rule_says_eventbridge() -> None:
    text = """\
    resources:
      failed: {type: sqs-queue}
      fn:
        type: function
        properties:
          {PKG}
          events:
            - type: event-bus
              properties:
                useDefaultBus: true
                eventPattern: {source: [shop]}
                onDeliveryFailure: {sqsQueueName: failed}
    """
    d = one(text, "delivery-failure-not-function-failure")
    assert "only the events EventBridge cannot hand to fn" in d.message


def test_an_on_failure_destination_covers_the_function_s_failures() -> None:
    text = SNS % "      destinations: {onFailure: \"$ResourceParam('failed', 'arn')\"}\n"
    assert not found(text, "delivery-failure-not-function-failure")


def test_explain_says_why_the_event_is_nowhere(tmp_path: Path) -> None:
    s = _session(
        tmp_path, SNS % "", "behaviors:\n  notify:\n    fail: {always: true, error: Bad}\n"
    )
    execute(s, "publish-sns topic hello")
    execute(s, "advance 5m")
    assert s.sim.queue_stats("failed")["depth"] == 0  # SNS delivered it: nothing to dead-letter
    lines = render_plain(execute(s, "explain 21f87f34")).splitlines()
    assert lines[0] == (
        "why: dropped after 3 attempts (RetriesExhausted); notify failed with Bad: simulated "
        "failure (always); notify has no destinations.onFailure, so Lambda kept nothing of the "
        "event (its onDeliveryFailure queue gets only what could not be delivered to it)"
    )
    # With a destination the record is kept, and explain has no such line.
    with_destination = tmp_path / "b"
    with_destination.mkdir()
    s = _session(
        with_destination,
        SNS % "      destinations: {onFailure: \"$ResourceParam('failed', 'arn')\"}\n",
        "behaviors:\n  notify:\n    fail: {always: true, error: Bad}\n",
    )
    execute(s, "publish-sns topic hello")
    execute(s, "advance 5m")
    assert s.sim.queue_stats("failed")["depth"] == 1
    assert not render_plain(execute(s, "explain 21f87f34")).startswith("why:")


def test_a_stream_outside_the_stack_or_without_retention_keeps_records_a_day_by_default() -> None:
    d = one(
        KINESIS.replace("    properties: {retentionPeriodHours: 48}\n", "") % "",
        "stream-retries-forever",
    )
    assert "(stream 'clicks' keeps them 24 hours by default;" in d.message
    outside = KINESIS.replace(
        "kinesisStreamName: clicks",
        "streamArn: 'arn:aws:kinesis:us-east-1:123456789012:stream/other'",
    )
    d = one(outside % "", "stream-retries-forever")
    assert "(the stream keeps them 24 hours by default;" in d.message
    assert "`show stream STREAM`" in (d.hint or "")


def test_the_stream_fix_the_hint_gives_is_a_valid_config_without_the_finding() -> None:
    fixed = (
        KINESIS
        % (
            "            maximumRetryAttempts: 3\n"
            "            bisectBatchOnFunctionError: true\n"
            "            onFailure: {type: sqs, arn: \"$ResourceParam('readerFailed', 'arn')\"}\n"
        )
        + "  readerFailed: {type: sqs-queue}\n"
    )
    # What is left is advice about the new queue nobody reads.
    assert codes(fixed) == ["failure-destination-no-consumer"]
