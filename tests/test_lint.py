"""Whole-stack checks (stptui.config.lint): one test per diagnostic, with its exact position."""

from __future__ import annotations

from pathlib import Path

import pytest
from lintkit import PKG, found, load, one, where
from workcount import CountWork

from stptui.config import load_stack, load_stack_text
from stptui.config.lint import lint_stack
from stptui.config.model import Stack

SAMPLES = Path(__file__).resolve().parent.parent / "stptui" / "sample_stacks"


# -- 1. references ---------------------------------------------------------------------------

REFERENCES = {
    "sqs queue": (
        """\
        resources:
          fn:
            type: function
            properties:
              {PKG}
              events:
                - type: sqs
                  properties: {sqsQueueName: jobQueue}
        """,
        8,
        38,
    ),
    "sqs queue arn via $ResourceParam": (
        """\
        resources:
          fn:
            type: function
            properties:
              {PKG}
              events:
                - type: sqs
                  properties:
                    sqsQueueArn: $ResourceParam('nope', 'arn')
        """,
        9,
        26,
    ),
    "event bus": (
        """\
        resources:
          fn:
            type: function
            properties:
              {PKG}
              events:
                - type: event-bus
                  properties:
                    eventBusName: appBus
                    eventPattern: {source: [a]}
        """,
        9,
        27,
    ),
    "sns topic": (
        """\
        resources:
          fn:
            type: function
            properties:
              {PKG}
              events:
                - type: sns
                  properties:
                    snsTopicName: alerts
        """,
        9,
        27,
    ),
    "http gateway": (
        """\
        resources:
          fn:
            type: function
            properties:
              {PKG}
              events:
                - type: http-api-gateway
                  properties:
                    httpApiGatewayName: gw
                    method: GET
                    path: /
        """,
        9,
        33,
    ),
    "redrive target": (
        """\
        resources:
          q:
            type: sqs-queue
            properties:
              redrivePolicy:
                targetSqsQueueName: dlq
                maxReceiveCount: 5
        """,
        6,
        29,
    ),
    "onDeliveryFailure queue": (
        """\
        resources:
          bus: {type: event-bus}
          fn:
            type: function
            properties:
              {PKG}
              events:
                - type: event-bus
                  properties:
                    eventBusName: bus
                    eventPattern: {source: [a]}
                    onDeliveryFailure:
                      sqsQueueName: failures
        """,
        13,
        29,
    ),
    "destination": (
        """\
        resources:
          fn:
            type: function
            properties:
              {PKG}
              destinations:
                onFailure: $ResourceParam('failed', 'arn')
        """,
        7,
        20,
    ),
    "connectTo": (
        """\
        resources:
          fn:
            type: function
            properties:
              {PKG}
              connectTo:
                - database
        """,
        7,
        11,
    ),
    "s3 bucketName": (
        """\
        resources:
          fn:
            type: function
            properties:
              {PKG}
              events:
                - type: s3
                  properties:
                    bucketName: uploadz
                    s3EventType: s3:ObjectCreated:*
        """,
        9,
        25,
    ),
    "$ResourceParam in environment": (
        """\
        resources:
          fn:
            type: function
            properties:
              {PKG}
              environment:
                - name: QUEUE_URL
                  value: $ResourceParam('jobQeue', 'url')
        """,
        8,
        18,
    ),
}


@pytest.mark.parametrize("case", REFERENCES, ids=list(REFERENCES))
def test_missing_reference_is_an_error_at_the_reference(case: str) -> None:
    text, line, column = REFERENCES[case]
    d = one(text, "missing-resource")
    assert where(d) == ("error", "s.yml", line, column)
    assert d.resource in ("fn", "q")
    stack = load(text)
    assert stack.resources  # the stack still loads
    assert stack.errors


def test_missing_reference_suggests_a_close_name() -> None:
    d = one(
        REFERENCES["$ResourceParam in environment"][0] + "  jobQueue: {type: sqs-queue}\n",
        "missing-resource",
    )
    assert d.hint == "did you mean 'jobQueue'?"


def test_wrong_resource_type() -> None:
    d = one(
        """\
        resources:
          uploads: {type: bucket}
          fn:
            type: function
            properties:
              {PKG}
              events:
                - type: sqs
                  properties: {sqsQueueName: uploads}
        """,
        "wrong-resource-type",
    )
    assert where(d) == ("error", "s.yml", 9, 38)
    assert "is a bucket, not an sqs-queue" in d.message


def test_destination_to_a_bucket_is_the_wrong_type() -> None:
    d = one(
        """\
        resources:
          b: {type: bucket}
          fn:
            type: function
            properties:
              {PKG}
              destinations:
                onSuccess: $ResourceParam('b', 'arn')
        """,
        "wrong-resource-type",
    )
    assert where(d) == ("error", "s.yml", 8, 20)
    assert "sqs-queue or sns-topic or function or event-bus" in d.message


def test_a_destination_written_as_an_event_is_refused_with_the_arn_to_give() -> None:
    # Stacktape's newer guide shows `onSuccess: {type: sqs, properties: {sqsQueueName: ...}}`;
    # its schema takes an ARN (a string) only.
    d = one(
        """\
        resources:
          done: {type: sqs-queue}
          fn:
            type: function
            properties:
              {PKG}
              destinations:
                onSuccess:
                  type: sqs
                  properties: {sqsQueueName: done}
        """,
        "wrong-type",
    )
    assert where(d) == ("error", "s.yml", 9, 11)
    assert d.message == "`onSuccess` must be a string (the destination's ARN), not a mapping"
    assert d.hint == "onSuccess: $ResourceParam('done', 'arn')"


def test_connect_to_an_unsupported_type() -> None:
    d = one(
        """\
        resources:
          gw: {type: http-api-gateway}
          fn:
            type: function
            properties:
              {PKG}
              connectTo: [gw, aws:ses, aws:s3]
        """,
        "connect-to-unsupported",
    )
    assert where(d) == ("error", "s.yml", 7, 19)
    assert d.message == "Resource type http-api-gateway cannot be scoped by connectTo ('gw')"


def test_connect_to_macros_and_child_resources_are_not_references() -> None:
    stack = load(
        """\
        resources:
          web: {type: nextjs-web, properties: {appDirectory: web}}
          fn:
            type: function
            properties:
              {PKG}
              connectTo: [aws:ses, aws:s3, web.bucket]
        """
    )
    codes = {d.code for d in stack.diagnostics}
    assert "missing-resource" not in codes
    assert "connect-to-unsupported" not in codes


def test_resource_param_with_an_unknown_parameter_lists_the_valid_ones() -> None:
    d = one(
        """\
        resources:
          bus: {type: event-bus}
          fn:
            type: function
            properties:
              {PKG}
              environment:
                - {name: BUS, value: "$ResourceParam('bus', 'name')"}
        """,
        "unknown-resource-param",
    )
    assert where(d) == ("error", "s.yml", 8, 30)
    assert "valid: arn" in d.message


def test_resource_param_http_api_url_is_valid() -> None:
    stack = load(
        """\
        resources:
          gw: {type: http-api-gateway}
          fn:
            type: function
            properties:
              {PKG}
              environment:
                - {name: API, value: "$ResourceParam('gw', 'url')"}
        """
    )
    assert not stack.errors


def test_arn_property_given_a_url() -> None:
    d = one(
        """\
        resources:
          q: {type: sqs-queue}
          fn:
            type: function
            properties:
              {PKG}
              events:
                - type: sqs
                  properties: {sqsQueueArn: "$ResourceParam('q', 'url')"}
        """,
        "not-an-arn",
    )
    assert where(d) == ("warning", "s.yml", 9, 37)


# -- 2. schedules ----------------------------------------------------------------------------


def test_invalid_schedule_rate() -> None:
    d = one(
        """\
        resources:
          fn:
            type: function
            properties:
              {PKG}
              events:
                - type: schedule
                  properties:
                    scheduleRate: rate(1 minutes)
        """,
        "invalid-schedule",
    )
    assert where(d) == ("error", "s.yml", 9, 27)
    from stptui.sim.schedules import validate_schedule

    assert d.message == f"invalid scheduleRate: {validate_schedule('rate(1 minutes)')}"


# -- 3. visibility timeout -------------------------------------------------------------------

VT_STACK = """\
resources:
  q:
    type: sqs-queue
    properties:
      visibilityTimeoutSeconds: {vt}
  fn:
    type: function
    properties:
      {PKG}
      timeout: 60
      events:
        - type: sqs
          properties:
            sqsQueueName: q
"""


def test_visibility_timeout_below_function_timeout_quotes_aws() -> None:
    d = one(VT_STACK.replace("{vt}", "30"), "visibility-timeout-too-short")
    assert where(d) == ("error", "s.yml", 14, 27)
    assert d.message.startswith(
        "Queue visibility timeout: 30 seconds is less than Function timeout: 60 seconds"
    )
    assert d.resource == "fn"
    assert "line 5" in (d.hint or "")


def test_visibility_timeout_equal_is_allowed_but_below_guidance() -> None:
    stack = load(VT_STACK.replace("{vt}", "60"))
    assert not stack.errors
    (d,) = [d for d in stack.diagnostics if d.code == "visibility-timeout-guidance"]
    assert where(d) == ("info", "s.yml", 14, 27)
    assert not found(VT_STACK.replace("{vt}", "360"), "visibility-timeout-guidance")


def test_batch_job_consumer_uses_its_trigger_function_timeout() -> None:
    text = """\
    resources:
      q:
        type: sqs-queue
        properties: {visibilityTimeoutSeconds: 5}
      job:
        type: batch-job
        properties:
          container: {packaging: {type: prebuilt-image, properties: {image: alpine}}}
          resources: {cpu: 1, memory: 1024}
          events:
            - type: sqs
              properties: {sqsQueueName: q}
    """
    d = one(text, "visibility-timeout-too-short")
    assert d.message.startswith(
        "Queue visibility timeout: 5 seconds is less than Function timeout: 10 seconds"
    )
    assert (d.line, d.column) == (12, 38)


def test_low_max_receive_count_is_info() -> None:
    d = one(
        """\
        resources:
          q:
            type: sqs-queue
            properties:
              visibilityTimeoutSeconds: 120
              redrivePolicy: {targetSqsQueueName: dlq, maxReceiveCount: 2}
          dlq: {type: sqs-queue}
          fn:
            type: function
            properties:
              {PKG}
              events:
                - type: sqs
                  properties: {sqsQueueName: q}
        """,
        "max-receive-count-low",
    )
    assert where(d) == ("info", "s.yml", 6, 65)


def test_batching_window_effective_visibility_timeout_note() -> None:
    d = one(
        """\
        resources:
          q: {type: sqs-queue, properties: {visibilityTimeoutSeconds: 120}}
          fn:
            type: function
            properties:
              {PKG}
              events:
                - type: sqs
                  properties:
                    sqsQueueName: q
                    maxBatchWindowSeconds: 110
        """,
        "effective-visibility-timeout",
    )
    assert where(d) == ("info", "s.yml", 11, 36)
    assert "window + timeout + 30 s = 160 s" in d.message


# -- 4. redrive cycles -----------------------------------------------------------------------


def test_redrive_cycle_reported_once() -> None:
    d = one(
        """\
        resources:
          a:
            type: sqs-queue
            properties:
              redrivePolicy: {targetSqsQueueName: b, maxReceiveCount: 5}
          b:
            type: sqs-queue
            properties:
              redrivePolicy: {targetSqsQueueName: a, maxReceiveCount: 5}
        """,
        "redrive-cycle",
    )
    assert where(d) == ("error", "s.yml", 5, 43)
    assert d.message == "redrive cycle: a -> b -> a"


def test_redrive_to_itself_is_a_cycle() -> None:
    d = one(
        """\
        resources:
          a:
            type: sqs-queue
            properties:
              redrivePolicy: {targetSqsQueueName: a, maxReceiveCount: 5}
        """,
        "redrive-cycle",
    )
    assert (d.line, d.column, d.message) == (5, 43, "redrive cycle: a -> a")


def test_redrive_chain_without_cycle_is_fine() -> None:
    text = """\
    resources:
      a: {type: sqs-queue, properties: {redrivePolicy: {targetSqsQueueName: b, maxReceiveCount: 5}}}
      b: {type: sqs-queue, properties: {redrivePolicy: {targetSqsQueueName: c, maxReceiveCount: 5}}}
      c: {type: sqs-queue}
    """
    assert not found(text, "redrive-cycle")


# -- 5. FIFO / standard ----------------------------------------------------------------------


def test_redrive_target_of_the_other_queue_type() -> None:
    d = one(
        """\
        resources:
          orders:
            type: sqs-queue
            properties:
              fifoEnabled: true
              redrivePolicy:
                targetSqsQueueName: dlq
                maxReceiveCount: 5
          dlq: {type: sqs-queue}
        """,
        "redrive-fifo-mismatch",
    )
    assert where(d) == ("error", "s.yml", 7, 29)
    assert d.resource == "orders"


FIFO_CONSUMER = """\
resources:
  q: {type: sqs-queue, properties: {fifoEnabled: true, visibilityTimeoutSeconds: 200}}
  fn:
    type: function
    properties:
      {PKG}
      events:
        - type: sqs
          properties:
            sqsQueueName: q
            {extra}
"""


def test_fifo_batch_size_above_ten() -> None:
    d = one(FIFO_CONSUMER.replace("{extra}", "batchSize: 11"), "fifo-batch-size")
    assert where(d) == ("error", "s.yml", 11, 24)


def test_fifo_batch_window_is_not_allowed() -> None:
    d = one(FIFO_CONSUMER.replace("{extra}", "maxBatchWindowSeconds: 5"), "fifo-batch-window")
    assert where(d) == ("error", "s.yml", 11, 36)


def test_sns_event_on_a_fifo_topic() -> None:
    d = one(
        """\
        resources:
          t: {type: sns-topic, properties: {fifoEnabled: true}}
          fn:
            type: function
            properties:
              {PKG}
              events:
                - type: sns
                  properties: {snsTopicName: t}
        """,
        "sns-fifo-topic",
    )
    assert where(d) == ("error", "s.yml", 9, 38)
    assert "e86" in d.message


def test_fifo_queue_bus_subscription_needs_message_group_id() -> None:
    text = """\
    resources:
      bus: {type: event-bus}
      q:
        type: sqs-queue
        properties:
          fifoEnabled: true
          events:
            - type: event-bus
              properties:
                eventBusName: bus
                eventPattern: {source: [a]}
    """
    d = one(text, "fifo-message-group-id")
    assert where(d) == ("error", "s.yml", 9, 11)
    ok = text + "            messageGroupId: all\n"
    assert not found(ok, "fifo-message-group-id")


def test_a_rules_message_group_id_is_at_most_100_characters() -> None:
    # SqsParameters.MessageGroupId: "Maximum length of 100" (EventBridge API reference;
    # CloudFormation's AWS::Events::Rule SqsParameters), fewer than the 128 SQS takes, and
    # for a standard queue's group too.
    text = """\
    resources:
      bus: {type: event-bus}
      q:
        type: sqs-queue
        properties:
          events:
            - type: event-bus
              properties:
                eventBusName: bus
                eventPattern: {source: [a]}
                messageGroupId: GROUP
    """
    d = one(text.replace("GROUP", "g" * 101), "message-group-id-too-long")
    assert where(d) == ("error", "s.yml", 11, 29)
    assert "101 characters" in d.message and "at most 100" in d.message
    assert not found(text.replace("GROUP", "g" * 100), "message-group-id-too-long")


def test_delivery_failure_queue_must_be_standard() -> None:
    d = one(
        """\
        resources:
          bus: {type: event-bus}
          dlq: {type: sqs-queue, properties: {fifoEnabled: true}}
          fn:
            type: function
            properties:
              {PKG}
              events:
                - type: event-bus
                  properties:
                    eventBusName: bus
                    eventPattern: {source: [a]}
                    onDeliveryFailure: {sqsQueueName: dlq}
        """,
        "delivery-failure-fifo",
    )
    assert where(d) == ("error", "s.yml", 13, 47)


@pytest.mark.parametrize(
    ("target", "fifo"),
    [
        ("dlq: {type: sqs-queue, properties: {fifoEnabled: true}}", True),
        ("dlq: {type: sns-topic, properties: {fifoEnabled: true}}", True),
        ("dlq: {type: sqs-queue}", False),
    ],
)
def test_a_destination_must_be_a_standard_queue_or_topic(target: str, fifo: bool) -> None:
    text = f"""\
        resources:
          {target}
          fn:
            type: function
            properties:
              {{PKG}}
              destinations:
                onFailure: "$ResourceParam('dlq', 'arn')"
        """
    if not fifo:
        assert not found(text, "destination-fifo")
        return
    d = one(text, "destination-fifo")
    assert where(d) == ("error", "s.yml", 8, 20)


# -- 6. batch limits -------------------------------------------------------------------------

STD_CONSUMER = FIFO_CONSUMER.replace("fifoEnabled: true, ", "")


def test_batch_size_above_ten_needs_a_window() -> None:
    d = one(STD_CONSUMER.replace("{extra}", "batchSize: 100"), "batch-window-required")
    assert where(d) == ("error", "s.yml", 11, 24)
    extra = "batchSize: 100\n            maxBatchWindowSeconds: 1"
    assert not load(STD_CONSUMER.replace("{extra}", extra)).errors


@pytest.mark.parametrize(
    ("extra", "column"),
    [
        ("batchSize: 10001", 24),
        ("batchSize: 0", 24),
        ("maxBatchWindowSeconds: 301", 36),
    ],
)
def test_batch_size_and_window_ranges(extra: str, column: int) -> None:
    # The ranges are per-property facts, reported once by normalize (lint does not repeat them).
    d = one(STD_CONSUMER.replace("{extra}", extra), "out-of-range")
    assert where(d) == ("error", "s.yml", 11, column)


def test_a_batching_window_is_whole_seconds() -> None:
    # "You can configure MaximumBatchingWindowInSeconds to any value from 0 seconds to 300
    # seconds in increments of seconds" (Lambda API reference, CreateEventSourceMapping):
    # CloudFormation refuses 1.5, so `validate` does; 2.0 is the whole number 2.
    stack = STD_CONSUMER.replace(
        "{extra}", "batchSize: 100\n            maxBatchWindowSeconds: 1.5"
    )
    d = one(stack, "wrong-type")
    assert where(d) == ("error", "s.yml", 12, 36)
    # The window is written: no second error says it is missing.
    assert [e.code for e in load(stack).errors] == ["wrong-type"]
    assert "`maxBatchWindowSeconds` must be an integer, not the number 1.5" in d.message
    extra = "batchSize: 100\n            maxBatchWindowSeconds: 2.0"
    assert not load(STD_CONSUMER.replace("{extra}", extra)).errors


# -- 7. consumers ----------------------------------------------------------------------------


def test_queue_without_consumer_is_a_warning() -> None:
    d = one(
        """\
        resources:
          lonely: {type: sqs-queue}
        """,
        "queue-no-consumer",
    )
    assert where(d) == ("warning", "s.yml", 2, 3)
    assert d.resource == "lonely"


def test_a_queue_a_function_connects_to_is_still_unconsumed_and_the_warning_says_why() -> None:
    # A function's code may poll the queue (boto3's receive_message in a Python handler),
    # but a producer connects the same way: stptui cannot tell, so it warns and says so.
    d = one(
        f"""\
        resources:
          jobs: {{type: sqs-queue}}
          fn: {{type: function, properties: {{{PKG}, connectTo: [jobs]}}}}
        """,
        "queue-no-consumer",
    )
    assert d.message.endswith(
        "(the code of fn, which connects to it, may receive from it: stptui cannot see what "
        "code calls, so that is not counted)"
    )
    lonely = one("resources:\n  lonely: {type: sqs-queue}\n", "queue-no-consumer")
    assert lonely.message.endswith("and it is no dead-letter queue")


def test_queue_polled_by_a_worker_service_is_consumed() -> None:
    text = """\
    resources:
      q: {type: sqs-queue}
      w: {type: worker-service, properties: {connectTo: [q]}}
    """
    assert not found(text, "queue-no-consumer")


def test_dead_letter_queue_without_consumer_is_info() -> None:
    d = one(
        """\
        resources:
          q:
            type: sqs-queue
            properties:
              redrivePolicy: {targetSqsQueueName: dlq, maxReceiveCount: 5}
          dlq: {type: sqs-queue}
          fn:
            type: function
            properties:
              {PKG}
              events:
                - {type: sqs, properties: {sqsQueueName: q}}
        """,
        "dlq-no-consumer",
    )
    assert where(d) == ("info", "s.yml", 6, 3)
    assert "has no consumer; messages stay until you redrive them" in d.message


def test_delivery_failure_queue_without_consumer_is_info() -> None:
    text = """\
    resources:
      topic: {type: sns-topic}
      failed: {type: sqs-queue}
      fn:
        type: function
        properties:
          {PKG}
          events:
            - type: sns
              properties:
                snsTopicName: topic
                onDeliveryFailure: {sqsQueueName: failed}
    """
    d = one(text, "dlq-no-consumer")
    assert where(d) == ("info", "s.yml", 3, 3)
    assert not found(text, "queue-no-consumer")


def test_failure_destination_queue_without_consumer_is_info() -> None:
    text = """\
    resources:
      failed: {type: sqs-queue}
      fn:
        type: function
        properties:
          {PKG}
          destinations: {onFailure: "$ResourceParam('failed', 'arn')"}
    """
    d = one(text, "failure-destination-no-consumer")
    assert where(d) == ("info", "s.yml", 2, 3)
    # Lambda sends it invocation records, not failed messages: it is no dead-letter queue.
    assert d.message == (
        "queue 'failed' (onFailure destination of fn) has no consumer; the invocation records "
        "Lambda sends for failed asynchronous invocations stay there until something reads them"
    )
    assert not found(text, "queue-no-consumer")
    assert not found(text, "dlq-no-consumer")


def test_a_fifo_failure_destination_is_not_called_a_dead_letter_queue() -> None:
    text = """\
    resources:
      orders: {type: sqs-queue, properties: {fifoEnabled: true}}
      worker:
        type: function
        properties:
          {PKG}
          destinations: {onFailure: "$ResourceParam('orders', 'arn')"}
    """
    assert one(text, "destination-fifo").line == 7
    d = one(text, "failure-destination-no-consumer")
    assert "dead-letter" not in d.message
    assert d.message.startswith("queue 'orders' (onFailure destination of worker)")


def test_a_dead_letter_queue_that_is_also_a_failure_destination_says_both() -> None:
    d = one(
        """\
        resources:
          q:
            type: sqs-queue
            properties:
              redrivePolicy: {targetSqsQueueName: dlq, maxReceiveCount: 5}
          dlq: {type: sqs-queue}
          fn:
            type: function
            properties:
              {PKG}
              events:
                - {type: sqs, properties: {sqsQueueName: q}}
              destinations: {onFailure: "$ResourceParam('dlq', 'arn')"}
        """,
        "dlq-no-consumer",
    )
    assert d.message == (
        "dead-letter queue 'dlq' (for q; also the onFailure destination of fn) has no "
        "consumer; messages stay until you redrive them"
    )


def test_second_consumer_of_a_queue_is_a_warning() -> None:
    d = one(
        """\
        resources:
          q: {type: sqs-queue}
          a:
            type: function
            properties:
              {PKG}
              events:
                - {type: sqs, properties: {sqsQueueName: q}}
          b:
            type: function
            properties:
              {PKG}
              events:
                - {type: sqs, properties: {sqsQueueName: q}}
        """,
        "queue-multiple-consumers",
    )
    assert where(d) == ("warning", "s.yml", 14, 50)
    assert d.resource == "b"
    assert "'a', line 8" in d.message


# -- 8. HTTP ---------------------------------------------------------------------------------


def test_payload_formats_of_one_function_must_agree() -> None:
    d = one(
        """\
        resources:
          gw: {type: http-api-gateway, properties: {payloadFormat: '2.0'}}
          fn:
            type: function
            properties:
              {PKG}
              events:
                - type: http-api-gateway
                  properties: {httpApiGatewayName: gw, method: GET, path: /a}
                - type: http-api-gateway
                  properties:
                    httpApiGatewayName: gw
                    method: GET
                    path: /b
                    payloadFormat: '1.0'
        """,
        "payload-format-mismatch",
    )
    assert where(d) == ("error", "s.yml", 15, 28)


def test_gateway_payload_format_applies_and_defaults_to_1_0() -> None:
    text = """\
    resources:
      g1: {type: http-api-gateway}
      g2: {type: http-api-gateway, properties: {payloadFormat: '2.0'}}
      fn:
        type: function
        properties:
          {PKG}
          events:
            - {type: http-api-gateway, properties: {httpApiGatewayName: g1, method: GET, path: /a}}
            - {type: http-api-gateway, properties: {httpApiGatewayName: g2, method: GET, path: /b}}
    """
    d = one(text, "payload-format-mismatch")
    assert (d.line, d.column) == (10, 36)
    assert "2.0" in d.message and "1.0" in d.message


def test_duplicate_route_on_one_gateway() -> None:
    d = one(
        """\
        resources:
          gw: {type: http-api-gateway}
          a:
            type: function
            properties:
              {PKG}
              events:
                - type: http-api-gateway
                  properties: {httpApiGatewayName: gw, method: POST, path: /jobs}
          b:
            type: function
            properties:
              {PKG}
              events:
                - type: http-api-gateway
                  properties:
                    httpApiGatewayName: gw
                    method: POST
                    path: /jobs
        """,
        "duplicate-route",
    )
    assert where(d) == ("error", "s.yml", 19, 19)
    assert "'a' (line 8)" in d.message


def test_http_route_longer_than_integration_timeout() -> None:
    d = one(
        """\
        resources:
          gw: {type: http-api-gateway}
          fn:
            type: function
            properties:
              {PKG}
              timeout: 60
              events:
                - type: http-api-gateway
                  properties: {httpApiGatewayName: gw, method: GET, path: /}
        """,
        "http-timeout",
    )
    assert where(d) == ("info", "s.yml", 7, 16)


# -- 9. S3 -----------------------------------------------------------------------------------

S3_STACK = """\
resources:
  up: {type: bucket}
  a:
    type: function
    properties:
      {PKG}
      events:
        - type: s3
          properties:
            bucketArn: $ResourceParam('up', 'arn')
            s3EventType: "{t1}"
            filterRule: {f1}
  b:
    type: function
    properties:
      {PKG}
      events:
        - type: s3
          properties:
            bucketArn: $ResourceParam('up', 'arn')
            s3EventType: "{t2}"
            filterRule: {f2}
"""


def s3_stack(t1: str, f1: str, t2: str, f2: str) -> str:
    return S3_STACK.replace("{t1}", t1).replace("{f1}", f1).replace("{t2}", t2).replace("{f2}", f2)


def test_overlapping_s3_notifications_on_one_bucket() -> None:
    text = s3_stack("s3:ObjectCreated:*", "{prefix: in/}", "s3:ObjectCreated:Put", "{prefix: in/x}")
    d = one(text, "s3-notification-overlap")
    assert where(d) == ("error", "s.yml", 19, 11)
    assert d.message.startswith(
        "Configurations overlap. Configurations on the same bucket cannot share a common "
        "event type."
    )
    assert d.resource == "b"


@pytest.mark.parametrize(
    ("t1", "f1", "t2", "f2", "overlap"),
    [
        ("s3:ObjectCreated:*", "{prefix: a/}", "s3:ObjectRemoved:*", "{prefix: a/}", False),
        ("s3:ObjectCreated:Put", "{}", "s3:ObjectCreated:Copy", "{}", False),
        ("s3:ObjectCreated:Put", "{prefix: a/}", "s3:ObjectCreated:Put", "{prefix: b/}", False),
        ("s3:ObjectCreated:Put", "{suffix: .jpg}", "s3:ObjectCreated:Put", "{suffix: .png}", False),
        ("s3:ObjectCreated:Put", "{suffix: jpg}", "s3:ObjectCreated:Put", "{suffix: pg}", True),
        ("s3:ObjectCreated:Put", "{}", "s3:ObjectCreated:Put", "{prefix: b/}", True),
        (
            "s3:ObjectCreated:Put",
            "{prefix: a/, suffix: .csv}",
            "s3:ObjectCreated:Put",
            "{prefix: a/, suffix: .json}",
            False,
        ),
    ],
)
def test_s3_overlap_rules(t1: str, f1: str, t2: str, f2: str, overlap: bool) -> None:
    assert bool(found(s3_stack(t1, f1, t2, f2), "s3-notification-overlap")) is overlap


# -- a clean stack, the samples, speed ---------------------------------------------------------


def test_clean_stack_has_no_errors() -> None:
    stack = load(
        """\
        resources:
          jobs:
            type: sqs-queue
            properties:
              visibilityTimeoutSeconds: 180
              redrivePolicy: {targetSqsQueueName: jobsDlq, maxReceiveCount: 5}
          jobsDlq: {type: sqs-queue}
          api: {type: http-api-gateway}
          bus: {type: event-bus}
          worker:
            type: function
            properties:
              {PKG}
              timeout: 30
              connectTo: [jobs, bus]
              events:
                - {type: sqs, properties: {sqsQueueName: jobs, batchSize: 5}}
                - type: http-api-gateway
                  properties: {httpApiGatewayName: api, method: POST, path: /jobs}
                - type: schedule
                  properties: {scheduleRate: rate(5 minutes)}
                - type: event-bus
                  properties:
                    eventBusName: bus
                    eventPattern: {source: [app]}
                    onDeliveryFailure: {sqsQueueName: jobsDlq}
        """
    )
    assert [d.format() for d in stack.errors] == []
    assert [d.code for d in stack.diagnostics if d.severity == "warning"] == []


@pytest.mark.parametrize("name", sorted(p.name for p in SAMPLES.iterdir() if p.is_dir()))
def test_sample_stacks_have_no_errors_or_warnings(name: str) -> None:
    stack = load_stack(SAMPLES / name)
    assert [d.format() for d in stack.diagnostics if d.severity != "info"] == []


def _big_stack(groups: int) -> Stack:
    """A stack of 4 resources per group (queue, DLQ, function with three triggers, bus) + 2."""
    lines = ["resources:", "  gw: {type: http-api-gateway}", "  up: {type: bucket}"]
    for i in range(groups):
        lines += [
            f"  q{i}: {{type: sqs-queue, properties: {{visibilityTimeoutSeconds: 120, "
            f"redrivePolicy: {{targetSqsQueueName: d{i}, maxReceiveCount: 5}}}}}}",
            f"  d{i}: {{type: sqs-queue}}",
            f"  w{i}:",
            "    type: function",
            "    properties:",
            f"      {PKG}",
            f"      connectTo: [q{(i + 1) % groups}]",
            "      events:",
            f"        - {{type: sqs, properties: {{sqsQueueName: q{i}}}}}",
            f"        - {{type: http-api-gateway, properties: {{httpApiGatewayName: gw, "
            f"method: GET, path: /r{i}}}}}",
            f"        - {{type: s3, properties: {{bucketArn: \"$ResourceParam('up', 'arn')\", "
            f"s3EventType: 's3:ObjectCreated:*', filterRule: {{prefix: p{i}/}}}}}}",
            f"  b{i}: {{type: event-bus}}",
        ]
    return load_stack_text("\n".join(lines) + "\n", "big.yml", lint=False)


# Measured: 240 steps (calls, built-in calls and lines) per resource at every size; the bound
# is three times that.
LINT_STEPS_PER_RESOURCE = 720


def _lint_steps(stack: Stack) -> CountWork:
    """The work of linting `stack` (a second time), failing past the linear bound."""
    lint_stack(stack)  # warm up imports and the schedule cache, which are not per-stack work
    with CountWork(max_steps=LINT_STEPS_PER_RESOURCE * len(stack.resources)) as work:
        lint_stack(stack)
    return work


def test_lint_of_2000_resources_is_fast() -> None:
    stack = _big_stack(500)
    assert len(stack.resources) == 2002
    assert not [d for d in lint_stack(stack) if d.severity == "error"]
    # Work, not time: within a linear bound at 1,002 and 2,002 resources, and doubling the
    # stack doubles it (2.0 measured; work quadratic in the stack would make it nearer 4).
    half, full = _lint_steps(_big_stack(250)), _lint_steps(stack)
    assert full.steps < 2.2 * half.steps, (half, full)


def test_an_event_bus_named_default_is_valid_and_its_connect_to_grants_it() -> None:
    # Stacktape names it `STACK-default` in AWS: another bus than the account's `default`,
    # which the simulator keeps apart (test_sim_bus_named_default.py). Nothing to say.
    stack = """\
    resources:
      default: {type: event-bus}
      shop:
        type: function
        properties:
          {PKG}
          connectTo: [default]
          events:
            - type: event-bus
              properties: {eventBusName: default, eventPattern: {source: [shop]}}
    """
    assert [d.format() for d in load(stack).diagnostics] == []
