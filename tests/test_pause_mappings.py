"""`pause FUNCTION --trigger SOURCE` and `resume`: an event source mapping disabled and
enabled again (UpdateEventSourceMapping `Enabled`), for SQS, Kinesis, DynamoDB and Kafka
mappings (stptui.sim.mappings; docs/simulating.md, "Stopping a consumer")."""

from __future__ import annotations

from pathlib import Path

import pytest

from stptui.commands import CommandError, Session, complete_values, execute
from stptui.commands.registry import MAPPING_SOURCE, PAUSABLE
from stptui.repl.candidates import candidates
from stptui.repl.validator import check
from stptui.sim import trace as tk
from stptui.sim.clock import parse_instant
from stptui.sim.mappings import MappingRef, all_mappings
from tests.simkit import records

ROOT = Path(__file__).resolve().parents[1]
START = parse_instant("2026-01-05T08:00:00Z")
PACKAGING = "packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}"

STACK = f"""
serviceName: pausemap
resources:
  jobs:
    type: sqs-queue
    properties:
      visibilityTimeoutSeconds: 30
      messageRetentionPeriodSeconds: 600
  clicks:
    type: kinesis-stream
    properties:
      retentionPeriodHours: 24
      capacityMode: PROVISIONED
      shardCount: 1
  worker:
    type: function
    properties:
      {PACKAGING}
      timeout: 10
      events:
        - type: sqs
          properties: {{sqsQueueName: jobs, batchSize: 1}}
        - type: schedule
          properties: {{scheduleRate: rate(1 minute)}}
  reader:
    type: function
    properties:
      {PACKAGING}
      events:
        - type: kinesis-stream
          properties: {{kinesisStreamName: clicks, batchSize: 10}}
  plain:
    type: function
    properties:
      {PACKAGING}
"""

BEHAVIORS = """
behaviors:
  worker: {duration: 2s}
  reader: {duration: 100ms}
"""


@pytest.fixture
def session(tmp_path: Path) -> Session:
    (tmp_path / "stacktape.yml").write_text(STACK)
    (tmp_path / "stptui.yml").write_text(BEHAVIORS)
    return Session.open(tmp_path, start_ms=START)


def run(session: Session, *lines: str) -> str:
    return "\n".join(execute(session, line).text for line in lines)


def sqs_ids(session: Session, kind: str) -> list[str]:
    """The message ids of the worker's SQS invocations (started records), in order."""
    recs = records(session.sim, kind, "worker")
    return [i for r in recs if r.get("trigger") == "sqs" for i in r.get("message_ids")]


def sent_id(text: str) -> str:
    return text.split()[2]


def test_the_backlog_grows_while_disabled_and_drains_after_resume(session: Session) -> None:
    first = sent_id(run(session, "send jobs one"))
    run(session, "advance 500ms", "pause worker --trigger jobs")
    later = [sent_id(run(session, f"send jobs m{i}")) for i in range(3)]
    run(session, "advance 10s")
    # The batch in hand at the pause finished and was deleted; nothing else was read.
    assert sqs_ids(session, tk.INVOCATION_STARTED) == [first]
    assert [r.get("message_id") for r in records(session.sim, tk.MESSAGE_DELETED)] == [first]
    assert session.sim.queue_stats("jobs")["visible"] == 3
    queue_page = run(session, "show queue jobs")
    assert "worker's event source mapping is disabled" in queue_page
    assert "[mapping disabled: `resume worker --trigger jobs`]" in run(
        session, "show function worker"
    )
    run(session, "resume worker --trigger jobs", "advance 1m")
    assert sqs_ids(session, tk.INVOCATION_STARTED) == [first, *later]
    assert session.sim.queue_stats("jobs")["visible"] == 0
    assert "disabled" not in run(session, "show queue jobs")


def test_messages_that_reach_retention_while_disabled_are_gone(session: Session) -> None:
    run(session, "pause worker --trigger jobs")
    gone = sent_id(run(session, "send jobs old"))
    run(session, "advance 9m")
    kept = sent_id(run(session, "send jobs new"))
    run(session, "advance 2m")  # the first passes its 10 minutes of retention
    assert [r.get("message_id") for r in records(session.sim, tk.MESSAGE_EXPIRED)] == [gone]
    run(session, "resume worker --trigger jobs", "advance 1m")
    assert sqs_ids(session, tk.INVOCATION_STARTED) == [kept]


def test_a_receive_before_the_pause_still_counts(session: Session) -> None:
    """The batch read at the pause fails: it returns after its visibility timeout and waits
    with its receive count of 1; the next receive, after resume, is its second."""
    execute(session, "fail worker next 1")
    msg = sent_id(run(session, "send jobs x"))
    run(session, "advance 100ms", "pause worker --trigger jobs", "advance 5m")
    assert session.sim.queues["jobs"].messages[msg].receive_count == 1
    run(session, "resume worker --trigger jobs", "advance 10s")
    received = [r.get("receive_count") for r in records(session.sim, tk.MESSAGE_RECEIVED)]
    assert received == [1, 2]


def put(session: Session, data: str) -> str:
    return run(session, f"put-record clicks '{data}'").split()[2]


def stream_batches(session: Session) -> list[list[str]]:
    return [
        r.get("sequence_numbers") for r in records(session.sim, tk.INVOCATION_STARTED, "reader")
    ]


def test_a_stream_mapping_keeps_its_position(session: Session) -> None:
    read = [put(session, f'{{"n": {i}}}') for i in range(2)]
    run(session, "advance 5s", "pause reader --trigger clicks")
    waiting = [put(session, f'{{"n": {i}}}') for i in range(2, 5)]
    run(session, "advance 1h")
    assert stream_batches(session) == [read]
    run(session, "resume reader --trigger clicks", "advance 5s")
    # From the kept position: the records put while disabled, none read twice or skipped.
    assert stream_batches(session) == [read, waiting]


def test_stream_records_past_retention_while_disabled_expire(session: Session) -> None:
    run(session, "pause reader --trigger clicks")
    put(session, '{"n": 1}')
    run(session, "advance 25h")
    assert len(records(session.sim, tk.STREAM_RECORD_EXPIRED)) == 1
    run(session, "resume reader --trigger clicks", "advance 5s")
    assert stream_batches(session) == []


def test_a_paused_schedule_and_a_paused_mapping_do_not_interfere(session: Session) -> None:
    sim = session.sim
    run(session, "pause worker")  # the schedules only
    msg = sent_id(run(session, "send jobs a"))
    run(session, "advance 3m")
    assert sqs_ids(session, tk.INVOCATION_STARTED) == [msg]
    assert records(sim, tk.SCHEDULE_FIRED) == []
    run(session, "resume worker", "pause worker --trigger jobs")
    run(session, "send jobs b", "advance 3m")
    # The schedule fires again; the mapping, disabled, reads nothing.
    assert len(records(sim, tk.SCHEDULE_FIRED)) == 3
    assert sqs_ids(session, tk.INVOCATION_STARTED) == [msg]
    # `resume worker` alone is the schedules': the mapping stays disabled.
    assert "already resumed" in run(session, "resume worker")
    assert sim.queue_stats("jobs")["visible"] == 1


def test_pause_and_resume_are_in_the_trace(session: Session) -> None:
    run(session, "pause worker --trigger jobs", "pause worker --trigger jobs")
    run(session, "resume reader --trigger clicks", "resume worker --trigger jobs")
    got = [
        (r.kind, r.resource, r.get("source"), r.get("trigger"))
        for r in records(session.sim)
        if r.kind in (tk.MAPPING_DISABLED, tk.MAPPING_ENABLED)
    ]
    # "already disabled" and "already enabled" change nothing and write nothing.
    assert got == [
        (tk.MAPPING_DISABLED, "worker", "jobs", "sqs"),
        (tk.MAPPING_ENABLED, "worker", "jobs", "sqs"),
    ]


@pytest.mark.parametrize(
    ("line", "message", "hint"),
    [
        (
            "pause worker --trigger clicks",
            "worker has no event source mapping from clicks",
            "its mappings read jobs: e.g. pause worker --trigger jobs",
        ),
        (
            "pause plain --trigger jobs",
            "plain has no event source mapping (an sqs, kinesis-stream, dynamo-db-stream or "
            "kafka-topic event)",
            "--trigger names the queue, stream, table or Kafka topic a mapping reads",
        ),
        (
            "resume reader",
            "reader has no schedule: resume reader alone resumes schedules",
            "its event source mappings read clicks: resume reader --trigger clicks",
        ),
        (
            "pause worker 1 --trigger jobs",
            "pause --trigger names a workload's event source mapping, not a schedule",
            "pause FUNCTION --trigger SOURCE, or pause FUNCTION [INDEX] for its schedules",
        ),
        (
            "pause nobody --trigger jobs",
            "no function, batch job or container workload named nobody",
            "`show functions` lists the functions; `show jobs` the batch jobs; "
            "`show containers` the container workloads",
        ),
    ],
)
def test_a_bad_target_is_refused_and_changes_nothing(
    session: Session, line: str, message: str, hint: str
) -> None:
    before = len(session.sim.trace.records)
    with pytest.raises(CommandError) as info:
        execute(session, line)
    assert (info.value.message, info.value.hint) == (message, hint)
    assert len(session.sim.trace.records) == before
    assert not any(m.disabled for m in _refs(session))


def _refs(session: Session) -> list[MappingRef]:
    return all_mappings(session.sim)


def test_undo_and_load_replay_the_pause(session: Session, tmp_path: Path) -> None:
    run(session, "pause worker --trigger jobs", "send jobs a", "advance 1m")
    saved = tmp_path / "down.stps"
    run(session, f"save {saved}", "resume worker --trigger jobs")
    run(session, "undo")
    assert [m.disabled for m in _refs(session) if m.workload == "worker"] == [True]
    run(session, f"load {saved}", "advance 1m")
    assert session.sim.queue_stats("jobs")["visible"] == 1
    assert sqs_ids(session, tk.INVOCATION_STARTED) == []


def test_completion_offers_the_consumers_and_their_sources(session: Session) -> None:
    offered = complete_values(session, PAUSABLE)
    # The scheduled workload and its schedule's id first, then the consumers without one.
    assert offered == ["worker", "schedule:worker:1", "reader"]
    assert complete_values(session, MAPPING_SOURCE, [(PAUSABLE, "reader")]) == ["clicks"]
    assert complete_values(session, MAPPING_SOURCE, [(PAUSABLE, "worker")]) == ["jobs"]


def test_a_kafka_mapping_is_paused_by_its_topic_node(tmp_path: Path) -> None:
    stack = f"""
serviceName: pausekafka
resources:
  orders:
    type: function
    properties:
      {PACKAGING}
      events:
        - type: kafka-topic
          properties:
            customKafkaConfiguration:
              bootstrapServers: [broker-1.example.com:9092]
              topicName: orders
              authentication:
                type: SASL_SCRAM_512_AUTH
                properties: {{authenticationSecretArn: arn:aws:secretsmanager:eu-west-1:123456789012:secret:k}}
"""
    (tmp_path / "stacktape.yml").write_text(stack)
    session = Session.open(tmp_path, start_ms=START)
    assert not [d for d in session.diagnostics if d.severity == "error"]
    topic = complete_values(session, MAPPING_SOURCE, [(PAUSABLE, "orders")])[0]
    assert topic.startswith("kafka:")
    bare = topic.removeprefix("kafka:")
    assert "disabled" in run(session, f"pause orders --trigger {bare}")
    # `show function` names the topic by its graph node, as --trigger takes it.
    assert f"[mapping disabled: `resume orders --trigger {topic}`]" in run(
        session, "show function orders"
    )
    run(session, f"produce {bare} '{{\"id\": 1}}'", "advance 10s")
    assert records(session.sim, tk.INVOCATION_STARTED, "orders") == []
    run(session, f"resume orders --trigger {topic}", "advance 10s")
    assert len(records(session.sim, tk.INVOCATION_STARTED, "orders")) == 1


@pytest.mark.parametrize(
    "line", ["pause worker --trigger clicks", "resume reader --trigger jobs", "pause nobody"]
)
def test_the_repl_refuses_before_enter_what_the_run_refuses(session: Session, line: str) -> None:
    problem = check(session, line, final=True)
    with pytest.raises(CommandError) as info:
        execute(session, line)
    assert problem is not None, f"{line!r} passes the validator but the run refuses it"
    assert (problem.message, problem.hint) == (info.value.message, info.value.hint)


def test_the_repl_completes_the_trigger_of_the_function_typed(session: Session) -> None:
    assert check(session, "pause reader --trigger clicks", final=True) is None
    offered = candidates(session, "resume worker --trigger ")
    assert [(c.text, c.meta) for c in offered] == [("jobs", "sqs event source mapping")]
    run(session, "pause worker --trigger jobs")
    offered = candidates(session, "resume worker --trigger j")
    assert [c.meta for c in offered] == ["sqs event source mapping, disabled"]


def test_a_batch_jobs_queue_mapping_is_paused_too() -> None:
    session = Session.open(ROOT / "docs" / "examples" / "batch-trigger-size.yml", start_ms=START)
    run(session, "pause makeThumbnails --trigger uploads", "send uploads small", "advance 1m")
    assert records(session.sim, tk.BATCH_SUBMITTED) == []
    assert session.sim.queue_stats("uploads")["visible"] == 1
    run(session, "resume makeThumbnails --trigger uploads", "advance 1s")
    assert session.sim.queue_stats("uploads")["visible"] == 0
    assert len(records(session.sim, tk.BATCH_SUBMITTED)) == 1


def test_a_table_streams_mapping_keeps_its_position() -> None:
    session = Session.open(
        ROOT / "docs" / "examples" / "cart-audit.yml", start_ms=START, default_behaviors=False
    )
    put_item = 'put-item carts \'{"cartId": {"S": "%s"}}\''
    run(session, "pause cartAudit --trigger carts", put_item % "c-1", "advance 1h")
    assert records(session.sim, tk.INVOCATION_STARTED, "cartAudit") == []
    run(session, "resume cartAudit --trigger carts", put_item % "c-2", "advance 5s")
    started = records(session.sim, tk.INVOCATION_STARTED, "cartAudit")
    # One batch, from the kept position: the record written while disabled, then the new.
    assert [len(r.get("sequence_numbers")) for r in started] == [2]


def test_a_stream_batch_failing_at_the_pause_is_retried_on_resume(session: Session) -> None:
    execute(session, "fail reader next 1")
    seq = put(session, '{"n": 1}')
    run(session, "advance 50ms", "pause reader --trigger clicks", "advance 1h")
    # The attempt in flight at the pause ended (failed); its retry waits for the resume.
    assert stream_batches(session) == [[seq]]
    run(session, "resume reader --trigger clicks", "advance 5s")
    assert stream_batches(session) == [[seq], [seq]]
    assert records(session.sim, tk.INVOCATION_SUCCEEDED, "reader") != []


def test_a_batch_the_window_still_gathers_is_let_go(tmp_path: Path) -> None:
    stack = f"""
serviceName: pausewindow
resources:
  jobs:
    type: sqs-queue
    properties: {{visibilityTimeoutSeconds: 60}}
  worker:
    type: function
    properties:
      {PACKAGING}
      timeout: 5
      events:
        - type: sqs
          properties: {{sqsQueueName: jobs, batchSize: 5, maxBatchWindowSeconds: 10}}
"""
    (tmp_path / "stacktape.yml").write_text(stack)
    session = Session.open(tmp_path, start_ms=START)
    msg = sent_id(run(session, "send jobs a"))
    run(session, "advance 2s", "pause worker --trigger jobs", "advance 2m")
    # Received into the window, never invoked: back in the queue after its visibility timeout.
    assert sqs_ids(session, tk.INVOCATION_STARTED) == []
    assert session.sim.queue_stats("jobs")["visible"] == 1
    run(session, "resume worker --trigger jobs", "advance 1m")
    # Gathered again from scratch: one invocation, the message once, its second receive.
    assert sqs_ids(session, tk.INVOCATION_STARTED) == [msg]
    assert session.sim.queues["jobs"].messages == {}
    received = [r.get("receive_count") for r in records(session.sim, tk.MESSAGE_RECEIVED)]
    assert received == [1, 2]


def test_a_stream_batch_failing_while_paused_is_retried_after_a_quick_resume(
    session: Session,
) -> None:
    # Found by tests/test_mapping_pause_properties.py: the batch in flight at the pause
    # failed, its retry was due a poll later, and a resume before then left the retry's
    # timer doing nothing: the record was never read again (until it expired, a day on).
    execute(session, "fail reader next 1")
    seq = put(session, '{"n": 1}')
    run(session, "advance 50ms", "pause reader --trigger clicks", "advance 100ms")
    run(session, "resume reader --trigger clicks", "advance 1m")
    assert stream_batches(session) == [[seq], [seq]]
    assert len(records(session.sim, tk.INVOCATION_SUCCEEDED, "reader")) == 1
