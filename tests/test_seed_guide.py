"""The guide's six snippets (tests/fixtures/seed, byte for byte), opened as a new user opens
them: typed in as a `stacktape.yml` with only what Stacktape itself needs beside them (the
`database` and `analyticsDb` they name without defining), then validated, drawn, given a
starter behaviours file and driven with the commands the guide's prose implies. Each test
is a claim of the guide, or of AWS and Stacktape where the guide says nothing or says
otherwise (docs/fidelity.md, "The seed guide against AWS and Stacktape")."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from stptui.cli import main
from stptui.commands import Session, execute
from stptui.commands.result import render_plain
from stptui.config.normalize_props import respelling_hint
from stptui.sim.clock import parse_instant

SEED = Path(__file__).resolve().parent / "fixtures" / "seed"
START = "2026-01-05T08:00:00Z"  # a Monday

# What the snippets name and never define: the least a deploy needs of each.
DATABASE = """
  database:
    type: relational-database
    properties:
      credentials:
        masterUserPassword: a-password
      engine:
        type: postgres
        properties:
          version: '16.4'
          primaryInstance:
            instanceSize: db.t3.micro
"""
ANALYTICS_DB = """
  analyticsDb:
    type: dynamo-db-table
    properties:
      primaryKey:
        partitionKey:
          name: eventId
          type: string
"""
SNIPPETS = (
    "scheduled-job",
    "job-queue",
    "webhook-processor",
    "file-processing",
    "batch-job",
    "event-driven",
)

# Every finding `validate` makes of each completed snippet: all of them true (the guide's
# spellings Stacktape's deployer rejects, and AWS's advice on queues), none an error.
FINDINGS = {
    "scheduled-job": [],
    "job-queue": [
        ("warning", "missing-gateway-name"),
        ("info", "max-receive-count-low"),
        ("info", "dlq-no-consumer"),
        ("info", "visibility-timeout-guidance"),
    ],
    "webhook-processor": [
        ("warning", "missing-gateway-name"),
        ("info", "queue-no-dlq"),
        ("info", "visibility-timeout-guidance"),
    ],
    "file-processing": [("warning", "alternate-spelling")] * 3,
    "batch-job": [("warning", "alternate-spelling")],
    "event-driven": [("warning", "missing-gateway-name")],
}


def typed_in(folder: Path, name: str, behaviors: str | None = None) -> Path:
    """The guide's snippet `name` as folder/stacktape.yml, completed with the resources it
    names; `behaviors` as folder/stptui.yml when given. The stack file."""
    text = (SEED / f"{name}.yml").read_text(encoding="utf-8") + DATABASE
    if name == "event-driven":
        text += ANALYTICS_DB
    stack = folder / "stacktape.yml"
    stack.write_text(text, encoding="utf-8")
    if behaviors is not None:
        (folder / "stptui.yml").write_text(behaviors, encoding="utf-8")
    return stack


def opened(folder: Path, name: str, behaviors: str | None = None) -> Session:
    return Session.open(typed_in(folder, name, behaviors), start_ms=parse_instant(START))


def run(session: Session, script: str) -> None:
    """Each line of `script`, as `stptui run` would; a failed `expect` raises."""
    for line in script.strip().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            execute(session, line.strip())


def shown(session: Session, line: str) -> str:
    return render_plain(execute(session, line))


# -- a new user's first commands ----------------------------------------------------------


@pytest.mark.parametrize("name", SNIPPETS)
def test_each_completed_snippet_has_only_true_findings(name: str, tmp_path: Path) -> None:
    session = opened(tmp_path, name)
    found = [(d.severity, d.code) for d in session.stack.diagnostics]
    assert found == FINDINGS[name]


@pytest.mark.parametrize("name", SNIPPETS)
def test_validate_graph_init_and_run_take_each_completed_snippet(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stack = str(typed_in(tmp_path, name))
    assert main(["validate", stack]) == 0
    assert main(["graph", stack]) == 0
    assert "(missing)" not in capsys.readouterr().out
    assert main(["init", stack]) == 0
    assert (tmp_path / "stptui.yml").is_file()
    script = tmp_path / "s.stp"
    script.write_text("advance 1d\nshow functions\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["run", stack, str(script), "--start", START]) == 0
    assert capsys.readouterr().err == ""


# -- Scheduled Job (Cron) -----------------------------------------------------------------


def test_the_daily_report_runs_at_9_am_utc_every_day_and_a_failed_run_is_retried_twice(
    tmp_path: Path,
) -> None:
    session = opened(tmp_path, "scheduled-job")
    run(
        session,
        """
        until 2026-01-05T09:00:00Z
        advance 1s
        expect count schedule.fired dailyReport == 1
        expect function.dailyReport.successes == 1
        fail dailyReport
        until 2026-01-06T09:00:00Z
        advance 4m
        expect count schedule.fired dailyReport == 2
        expect function.dailyReport.failures == 3
        expect count invocation.discarded dailyReport == 1
        """,
    )
    fires = [r.t for r in session.sim.trace.records if r.kind == "schedule.fired"]
    assert fires == [parse_instant("2026-01-05T09:00:00Z"), parse_instant("2026-01-06T09:00:00Z")]
    # The schedule invokes asynchronously: 1 and then 2 minutes after a failure.
    started = [
        r.t - fires[1]
        for r in session.sim.trace.records
        if r.kind == "invocation.started" and r.t >= fires[1]
    ]
    assert started == [0, 60_100, 180_200]


@pytest.mark.parametrize(
    ("expression", "fires"),
    [
        ("cron(0 9 * * ? *)", ["2026-01-05T09:00:00Z", "2026-01-06T09:00:00Z"]),
        ("cron(0 */2 * * ? *)", ["2026-01-05T10:00:00Z", "2026-01-05T12:00:00Z"]),
        ("cron(0 9 ? * MON *)", ["2026-01-05T09:00:00Z", "2026-01-12T09:00:00Z"]),
        ("rate(5 minutes)", ["2026-01-05T08:35:00Z", "2026-01-05T08:40:00Z"]),
    ],
)
def test_the_guides_common_cron_patterns_fire_when_it_says(
    expression: str, fires: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["schedule", expression, "-n", "2", "--after", "2026-01-05T08:30:00Z"]) == 0
    assert capsys.readouterr().out.split() == fires


# -- Job Queue with Retry -----------------------------------------------------------------

API_QUEUES_THE_BODY = """\
behaviors:
  api:
    emit:
      - send: {queue: jobQueue, body: body}
    response: "{statusCode: `202`, body: 'queued'}"
"""


def test_max_receive_count_3_is_three_receives_then_the_dead_letter_queue(
    tmp_path: Path,
) -> None:
    # The guide's comment says "Retry 3 times, then DLQ": SQS moves the message once it has
    # been received maxReceiveCount times, the first try and two retries.
    session = opened(tmp_path, "job-queue", API_QUEUES_THE_BODY)
    run(
        session,
        """
        fail worker
        http POST /orders '{"type": "process-order", "orderId": 123}'
        advance 20m
        expect function.worker.failures == 3
        expect count message.received jobQueue == 3
        expect count message.dead_lettered jobQueue == 1
        expect queue.deadLetterQueue.depth == 1
        """,
    )
    t0 = next(r.t for r in session.sim.trace.records if r.kind == "message.sent")
    received = [r.t - t0 for r in session.sim.trace.records if r.kind == "message.received"]
    moved = [r.t - t0 for r in session.sim.trace.records if r.kind == "message.dead_lettered"]
    # visibilityTimeoutSeconds: 300 between receives; the move is on the 4th receive.
    assert (received, moved) == ([0, 300_000, 600_000], [900_000])


def test_the_worker_takes_one_job_at_a_time(tmp_path: Path) -> None:
    session = opened(tmp_path, "job-queue")
    run(
        session,
        """
        repeat 3 send jobQueue '{"orderId": {i}}'
        advance 1s
        expect count invocation.started worker == 3
        """,
    )
    batches = [
        r.data["message_ids"] for r in session.sim.trace.records if r.kind == "invocation.started"
    ]
    assert [len(ids) for ids in batches] == [1, 1, 1]


def test_the_api_gets_stacktapes_queue_variables_not_the_guides(tmp_path: Path) -> None:
    text = shown(opened(tmp_path, "job-queue"), "show function api")
    assert "connectTo jobQueue: STP_JOB_QUEUE_ARN STP_JOB_QUEUE_URL STP_JOB_QUEUE_NAME" in text
    assert "STP_JOB_QUEUE_QUEUE_URL" not in text


# -- Webhook Processor --------------------------------------------------------------------


def test_the_webhook_route_takes_post_for_any_provider_and_nothing_else(
    tmp_path: Path,
) -> None:
    # A handler that returns nothing is a 500 under payload format 1.0 (Stacktape's
    # default), so the receiver answers as `stptui init` writes it.
    answers = 'behaviors:\n  webhookReceiver:\n    response: "{statusCode: `200`}"\n'
    session = opened(tmp_path, "webhook-processor", answers)
    assert shown(session, "http POST /webhooks/stripe '{}'").startswith("HTTP 200")
    assert shown(session, "http POST /webhooks/github '{}'").startswith("HTTP 200")
    assert shown(session, "http GET /webhooks/stripe").startswith("HTTP 404")
    assert shown(session, "http POST /webhooks").startswith("HTTP 404")
    run(session, "expect function.webhookReceiver.invocations == 2")


def test_the_notification_worker_takes_stacktapes_default_batches_of_ten(tmp_path: Path) -> None:
    # The guide's sqs event sets no batchSize: Stacktape passes none, so Lambda's default of
    # 10 applies; a failed batch comes back whole after the 30 s visibility timeout.
    session = opened(tmp_path, "webhook-processor")
    run(
        session,
        """
        fail notificationWorker next 1
        repeat 12 send notificationQueue '{"n": {i}}'
        advance 1s
        expect count invocation.started notificationWorker == 2
        advance 30s
        expect count invocation.started notificationWorker == 3
        expect queue.notificationQueue.depth == 0
        """,
    )
    sizes = [
        len(r.data["message_ids"])
        for r in session.sim.trace.records
        if r.kind == "invocation.started"
    ]
    assert sizes == [10, 2, 10]


# -- File Processing Pipeline -------------------------------------------------------------


def test_every_object_created_under_incoming_starts_the_processor_and_nothing_else_does(
    tmp_path: Path,
) -> None:
    session = opened(tmp_path, "file-processing")
    run(
        session,
        """
        upload uploads incoming/a.csv --content 'id'
        upload uploads incoming/b.csv --size 2GiB --op multipart
        upload uploads incoming/c.csv --op copy
        upload uploads drafts/d.csv --content 'id'
        upload uploads Incoming/e.csv --content 'id'
        advance 1s
        expect function.fileProcessor.invocations == 3
        expect count notification.skipped uploads == 2
        """,
    )


def test_a_failed_file_is_retried_twice_as_s3_invokes_asynchronously(tmp_path: Path) -> None:
    session = opened(tmp_path, "file-processing")
    run(
        session,
        """
        fail fileProcessor
        upload uploads incoming/a.csv --content 'id'
        advance 4m
        expect function.fileProcessor.failures == 3
        expect count invocation.discarded fileProcessor == 1
        """,
    )


# -- Long-Running Batch Jobs --------------------------------------------------------------


def test_the_2_am_job_runs_once_a_day_and_a_failed_run_is_not_retried(tmp_path: Path) -> None:
    # The guide's job has no retryConfig: Stacktape's default is one attempt.
    session = opened(tmp_path, "batch-job")
    run(
        session,
        """
        fail heavyJob next 1
        until 2026-01-06T02:00:00Z
        advance 1h
        expect count schedule.fired heavyJob == 1
        expect job.heavyJob.attempts == 1
        expect count batch.failed heavyJob == 1
        until 2026-01-07T02:00:00Z
        advance 1h
        expect count schedule.fired heavyJob == 2
        expect count batch.succeeded heavyJob == 1
        """,
    )
    fired = [r.t for r in session.sim.trace.records if r.kind == "schedule.fired"]
    assert fired == [parse_instant("2026-01-06T02:00:00Z"), parse_instant("2026-01-07T02:00:00Z")]


def test_a_job_past_its_hour_is_stopped_at_the_hour(tmp_path: Path) -> None:
    session = opened(tmp_path, "batch-job")
    run(
        session,
        """
        slow heavyJob 90m
        start-job heavyJob
        advance 2h
        expect count batch.failed heavyJob error=Timeout == 1
        """,
    )
    (failed,) = [r for r in session.sim.trace.records if r.kind == "batch.attempt.failed"]
    assert failed.data["duration_ms"] == 3_600_000


# -- Event-Driven Architecture ------------------------------------------------------------


def test_the_email_service_gets_order_created_and_shipped_from_orders_only(tmp_path: Path) -> None:
    session = opened(tmp_path, "event-driven")
    run(
        session,
        """
        publish eventBus orders OrderCreated '{"orderId": 123, "userId": 456}'
        publish eventBus orders OrderShipped '{"orderId": 123}'
        publish eventBus orders OrderCancelled '{"orderId": 123}'
        publish eventBus billing OrderCreated '{"orderId": 123}'
        advance 1s
        expect function.emailService.invocations == 2
        """,
    )


def test_the_analytics_service_gets_every_event_of_its_bus_and_no_other(tmp_path: Path) -> None:
    # `prefix: ''` matches any source; "all events" are the custom bus's, not the default
    # bus's, where a rule on eventBus never sees anything.
    session = opened(tmp_path, "event-driven")
    run(
        session,
        """
        publish eventBus orders OrderCreated '{"orderId": 123}'
        publish eventBus billing InvoicePaid '{"invoiceId": 9}'
        publish eventBus aws.partner/x Anything '{}'
        publish default orders OrderCreated '{"orderId": 124}'
        advance 1s
        expect function.analyticsService.invocations == 3
        """,
    )


def test_order_service_publishes_with_the_bus_arn_stacktape_gives_it(tmp_path: Path) -> None:
    # The guide's code reads process.env.STP_EVENT_BUS_NAME, which Stacktape does not set;
    # STP_EVENT_BUS_ARN is set, and PutEvents takes an ARN as EventBusName.
    session = opened(tmp_path, "event-driven")
    text = shown(session, "show function orderService")
    assert "connectTo eventBus: STP_EVENT_BUS_ARN\n" in text
    assert "STP_EVENT_BUS_NAME" not in text
    arn = "arn:aws:events:us-east-1:123456789012:event-bus/app-dev-eventBus"
    assert "2 of 2 rules matched" in shown(session, f"publish {arn} orders OrderCreated '{{}}'")


def test_the_hints_on_the_guides_s3_spellings_are_the_lines_to_write(tmp_path: Path) -> None:
    # `bucketName: uploads` is no `bucketArn: uploads`: each hint is the real property in
    # the shape it takes, so the snippet with each key replaced by its hint has no finding.
    session = opened(tmp_path, "file-processing")
    hints = {
        d.message.split("`")[1]: d.hint
        for d in session.stack.diagnostics
        if d.code == "alternate-spelling"
    }
    assert hints == {
        "bucketName": "write `bucketArn: $ResourceParam('uploads', 'arn')` instead "
        "(Stacktape's deployer rejects `bucketName`)",
        "s3Events": "write `s3EventType: s3:ObjectCreated:*` instead "
        "(Stacktape's deployer rejects `s3Events`)",
        "filterRules": "write `filterRule: {prefix: incoming/}` instead "
        "(Stacktape's deployer rejects `filterRules`)",
    }
    stack = tmp_path / "stacktape.yml"
    config = yaml.safe_load(stack.read_text(encoding="utf-8"))
    event = config["resources"]["fileProcessor"]["properties"]["events"][0]["properties"]
    for key, hint in hints.items():
        del event[key]
        event.update(yaml.safe_load(hint.split("`")[1]))
    stack.write_text(yaml.safe_dump(config), encoding="utf-8")
    fixed = Session.open(stack, start_ms=parse_instant(START))
    assert fixed.stack.diagnostics == []


@pytest.mark.parametrize(
    ("key", "name", "value"),
    [
        ("bucketName", "bucketArn", "up loads"),
        ("s3Events", "s3EventType", ["s3:ObjectCreated:Everything"]),
        ("filterRules", "filterRule", [{"type": "prefix", "value": "a: b"}]),
        ("bucketName", "bucketArn", ["uploads"]),
        ("s3Events", "s3EventType", ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"]),
        ("filterRules", "filterRule", [{"type": "prefix", "value": "a/"}, {"type": "prefix"}]),
        ("filterRules", "filterRule", [{"type": "contains", "value": "a"}]),
        ("fifoQueue", "fifoEnabled", True),
    ],
)
def test_a_spelling_whose_real_shape_cannot_be_written_out_gets_the_rename(
    key: str, name: str, value: object
) -> None:
    assert respelling_hint(key, name, value) == (
        f"rename `{key}` to `{name}` (Stacktape's deployer rejects `{key}`)"
    )
