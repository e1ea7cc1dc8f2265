"""A batch job's trigger function invoked asynchronously (`sns`, `event-bus`, `schedule`,
`cloudwatch-log`) that fails because StartExecution refuses its input (over 256 KiB): Lambda
retries a failed asynchronous invocation twice, 1 and then 2 minutes later, every attempt
with the request id of the event (Lambda developer guide, "How Lambda handles errors and
retries with asynchronous invocation"); Stacktape gives the trigger function no retry
settings and no destination, so after the third failure the event is dropped. The service
that invoked it saw Lambda accept the event. docs/fidelity.md ("Batch jobs")."""

from __future__ import annotations

import json
import random
import string
from pathlib import Path

from stptui.commands import Session, execute
from stptui.commands.result import render_plain
from stptui.graph import build_graph
from stptui.sim import trace as tk
from stptui.tui.widgets.inspector_pane import describe_resource
from tests.simkit import START, records, seconds

STACK = """
resources:
  alerts: {type: sns-topic}
  bus: {type: event-bus}
  undelivered: {type: sqs-queue}
  single:
    type: batch-job
    properties:
      container: {packaging: {type: prebuilt-image, properties: {image: x}}}
      resources: {cpu: 1, memory: 1024}
      events:
        - type: sns
          properties:
            snsTopicName: alerts
            onDeliveryFailure: {sqsQueueName: undelivered}
        - type: event-bus
          properties:
            eventBusName: bus
            eventPattern: {source: [app]}
            onDeliveryFailure: {sqsQueueName: undelivered}
"""

# 70,000 quotes: the message is {"q":"\"\"..."} (140,007 characters, well under SNS's
# 256 KB), the SNS event holds it as a JSON string (each quote 4 characters), and the
# trigger function's input holds that event as a JSON string again (8): over 262,144 bytes.
QUOTES = json.dumps({"q": '"' * 70_000})


def session(tmp_path: Path) -> Session:
    (tmp_path / "stacktape.yml").write_text(STACK)
    return Session.open(tmp_path, start_ms=START)


def test_a_failed_trigger_on_an_sns_message_is_retried_twice_then_dropped(
    tmp_path: Path,
) -> None:
    s = session(tmp_path)
    execute(s, f"publish-sns alerts '{QUOTES}'")
    [delivered] = records(s.sim, tk.NOTIFICATION_DELIVERED, "alerts")
    event_id = delivered.get("delivery_id")
    execute(s, "advance 10m")
    sim = s.sim
    # Three attempts, at 0, 60 and 180 s, each failing the same way with the event's
    # request id (the one that would have named the execution).
    failed = records(sim, tk.BATCH_TRIGGER_FAILED, "single")
    assert seconds(sim, tk.BATCH_TRIGGER_FAILED, "single") == [0, 60, 180]
    assert {r.get("invocation_id") for r in failed} == {event_id}
    assert {r.get("error") for r in failed} == {"InvalidExecutionInput"}
    assert all(r.get("error_message").startswith("the input is 561,") for r in failed)
    retries = records(sim, tk.INVOCATION_RETRY_SCHEDULED, "single")
    assert [(r.get("event_id"), r.get("attempt")) for r in retries] == [
        (event_id, 2),
        (event_id, 3),
    ]
    assert [r.get("at") for r in retries] == [
        "2026-01-05T08:01:00.000Z",
        "2026-01-05T08:03:00.000Z",
    ]
    [dropped] = records(sim, tk.INVOCATION_DISCARDED, "single")
    assert dropped.t == START + 180_000
    assert dropped.data == {"event_id": event_id, "condition": "RetriesExhausted", "attempts": 3}
    # No execution ever started; SNS delivered the message (Lambda accepted the event), so
    # the subscription's dead-letter queue gets nothing.
    assert records(sim, tk.BATCH_SUBMITTED) == []
    assert records(sim, tk.NOTIFICATION_DELIVERY_FAILED) == []
    assert sim.queue_stats("undelivered")["depth"] == 0
    assert sim.clock.labelled(("async-retry",), "single") == []


def test_explain_of_the_event_tells_every_attempt_and_the_drop(tmp_path: Path) -> None:
    s = session(tmp_path)
    execute(s, f"publish-sns alerts '{QUOTES}'")
    [delivered] = records(s.sim, tk.NOTIFICATION_DELIVERED, "alerts")
    event_id = delivered.get("delivery_id")
    # While a retry waits, the agenda says so.
    execute(s, "advance 30s")
    [(at, _)] = s.sim.clock.labelled(("async-retry",), "single")
    assert at == START + 60_000
    execute(s, "advance 10m")
    kinds = [line.split()[1] for line in execute(s, f"explain {event_id}").text.splitlines()]
    assert kinds == [
        "topic.published",
        "batch.trigger_failed",
        "invocation.retry_scheduled",
        "notification.delivered",
        "batch.trigger_failed",
        "invocation.retry_scheduled",
        "batch.trigger_failed",
        "invocation.discarded",
    ]


def test_an_eventbridge_event_whose_input_is_too_big_is_retried_then_dropped(
    tmp_path: Path,
) -> None:
    # 100,000 quotes in the detail: a 200 KB event (well under PutEvents' 1 MB and Lambda's
    # 1 MB asynchronous payload), twice as long as the trigger function's input.
    s = session(tmp_path)
    detail = json.dumps({"q": '"' * 100_000})
    execute(s, f"publish bus app Big '{detail}'")
    [matched] = records(s.sim, tk.EVENT_MATCHED, "bus")
    execute(s, "advance 10m")
    sim = s.sim
    assert seconds(sim, tk.BATCH_TRIGGER_FAILED, "single") == [0, 60, 180]
    [dropped] = records(sim, tk.INVOCATION_DISCARDED, "single")
    assert dropped.get("condition") == "RetriesExhausted"
    ids = {r.get("invocation_id") for r in records(sim, tk.BATCH_TRIGGER_FAILED, "single")}
    assert ids == {dropped.get("event_id")}
    assert {r.get("source") for r in records(sim, tk.BATCH_TRIGGER_FAILED)} == {
        matched.get("event_id")
    }
    # EventBridge delivered the event: nothing for the rule's dead-letter queue.
    assert records(sim, tk.EVENT_DELIVERY_FAILED) == []
    assert sim.queue_stats("undelivered")["depth"] == 0


def test_an_event_that_fits_starts_its_execution_at_once_with_nothing_to_retry(
    tmp_path: Path,
) -> None:
    s = session(tmp_path)
    execute(s, "publish-sns alerts small")
    [submitted] = records(s.sim, tk.BATCH_SUBMITTED, "single")
    assert submitted.t == START
    execute(s, "advance 10m")
    assert records(s.sim, tk.BATCH_TRIGGER_FAILED) == []
    assert records(s.sim, tk.INVOCATION_RETRY_SCHEDULED) == []


LOG_STACK = """
resources:
  app:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}
  digest:
    type: batch-job
    properties:
      container: {packaging: {type: prebuilt-image, properties: {image: x}}}
      resources: {cpu: 1, memory: 1024}
      events:
        - type: cloudwatch-log
          properties:
            logGroupArn: $ResourceParam('app', 'logGroupArn')
"""


def test_a_log_subscription_s_batch_too_big_for_the_trigger_is_retried_then_dropped(
    tmp_path: Path,
) -> None:
    # A log line of 250,000 characters that gzip cannot shrink much: the subscription's
    # `awslogs.data` (base64 of the gzipped batch) is then over 256 KiB, and CloudWatch Logs
    # invokes the trigger function asynchronously.
    (tmp_path / "stacktape.yml").write_text(LOG_STACK)
    s = Session.open(tmp_path, start_ms=START)
    rng = random.Random(7)
    alphabet = string.ascii_letters + string.digits + "!#$%&()*+,-./:;<=>?@[]^_{|}~"
    line = "".join(rng.choice(alphabet) for _ in range(250_000))
    execute(s, f"log app '{line}'")
    [delivered] = records(s.sim, tk.LOG_DELIVERED, "app")
    execute(s, "advance 10m")
    sim = s.sim
    assert seconds(sim, tk.BATCH_TRIGGER_FAILED, "digest") == [0, 60, 180]
    assert {r.get("trigger") for r in records(sim, tk.BATCH_TRIGGER_FAILED)} == {"cloudwatch-log"}
    [dropped] = records(sim, tk.INVOCATION_DISCARDED, "digest")
    assert dropped.get("event_id") in delivered.data.values()
    assert records(sim, tk.BATCH_SUBMITTED) == []


def test_the_jobs_page_and_the_inspector_list_each_failed_trigger_with_its_executions(
    tmp_path: Path,
) -> None:
    # The failed trigger started no execution; its page said nothing of it, so the
    # message seemed lost. Each attempt is listed, when, by which trigger, and why.
    s = session(tmp_path)
    execute(s, f"publish-sns alerts '{QUOTES}'")
    [delivered] = records(s.sim, tk.NOTIFICATION_DELIVERED, "alerts")
    request_id = delivered.get("delivery_id")
    message_id = records(s.sim, tk.TOPIC_PUBLISHED, "alerts")[0].get("message_id")
    execute(s, "advance 10m")
    execute(s, "publish-sns alerts small")
    [submitted] = records(s.sim, tk.BATCH_SUBMITTED, "single")
    eid = submitted.get("execution_id")
    execute(s, "advance 1m")
    result = execute(s, "show job single")
    lines = render_plain(result).splitlines()
    assert lines[2] == (
        "1 execution: 1 succeeded, 0 failed, 0 running; 3 failed triggers (no execution started)"
    )
    assert lines[3].startswith("latest 1 execution and 3 failed triggers, newest first")
    why = "InvalidExecutionInput: the input is 561,244 bytes; an execu…"
    rows = [line.split(maxsplit=7) for line in lines[5:]]
    assert [row[:5] for row in rows] == [
        [eid, "sns", "SUCCEEDED", "1", "of"],
        [request_id, "sns", "trigger", "failed", "-"],
        [request_id, "sns", "trigger", "failed", "-"],
        [request_id, "sns", "trigger", "failed", "-"],
    ]
    assert [row[5] for row in rows[1:]] == [
        "2026-01-05T08:03:00.000Z",
        "2026-01-05T08:01:00.000Z",
        "2026-01-05T08:00:00.000Z",
    ]
    assert all(row[6:] == ["-", why] for row in rows[1:])
    assert result.data["failed_triggers"][0] == {
        "request_id": request_id,
        "trigger": "sns",
        "source": message_id,
        "at": "2026-01-05T08:03:00.000Z",
        "error": "InvalidExecutionInput",
        "error_message": "the input is 561,244 bytes; an execution's input is at most "
        "262,144 (256 KiB)",
    }
    page = describe_resource(
        "single", s.stack, build_graph(s.stack), s.sim, list(s.sim.trace.records), START
    ).plain
    recent = page[page.index("Recent attempts") :].splitlines()[1:5]
    assert [line.split(maxsplit=1)[1] for line in recent] == [
        "attempt 1 succeeded in 100 ms",
        *[
            "sns trigger failed, no execution started InvalidExecutionInput: the input is "
            f"561,244 bytes; an execution's input is at most… (from {message_id})"
        ]
        * 3,
    ]


def test_the_jobs_table_counts_failed_triggers_beside_the_failed_executions(
    tmp_path: Path,
) -> None:
    # `show jobs` said 0 failed while `show job` listed three failures of the trigger.
    s = session(tmp_path)
    before = render_plain(execute(s, "show jobs")).splitlines()
    assert before[0].split() == [
        "job",
        "running",
        "started",
        "succeeded",
        "failed",
        "attempts",
        "waits",
        "timeout",
        "behaviour",
    ]
    assert before[1].split()[:6] == ["single", "0", "0", "0", "0", "1"]
    execute(s, f"publish-sns alerts '{QUOTES}'")
    execute(s, "advance 10m")
    execute(s, "publish-sns alerts small")
    execute(s, "advance 1m")
    result = execute(s, "show jobs")
    row = render_plain(result).splitlines()[1]
    # Started 1, succeeded 1, failed none of them; the three failed triggers as `show job`
    # counts them.
    assert row.split()[:9] == ["single", "0", "1", "1", "0;", "3", "failed", "triggers", "1"]
    [job] = result.data
    assert (job["failed"], job["triggers_failed"]) == (0, 3)
    page = render_plain(execute(s, "show job single")).splitlines()[2]
    assert page.endswith("; 3 failed triggers (no execution started)")
