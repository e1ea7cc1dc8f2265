"""Batch jobs as Stacktape deploys them: trigger function, state machine, linear retry waits,
timeouts, the STP_* environment, SQS triggers acknowledged at start, and the commands
(reference stacktape-config §2.3, aws-semantics §7)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from stptui.commands import CommandError, Session, execute
from stptui.sim import trace as tk
from stptui.sim.behavior import parse_override
from stptui.sim.clock import parse_instant
from stptui.sim.engine import SimError, Simulator
from stptui.sim.services.batch import submit_job
from tests.simkit import START, make_sim, records, seconds

CONTAINER = """      container: {packaging: {type: prebuilt-image, properties: {image: x}}}
      resources: {cpu: 1, memory: 1024}
"""

STACK = (
    """
resources:
  jobs: {type: sqs-queue}
  results: {type: sqs-queue}
  nightly:
    type: batch-job
    properties:
"""
    + CONTAINER
    + """      timeout: 3600
      retryConfig: {attempts: 3, retryIntervalSeconds: 60, retryIntervalMultiplier: 2}
      events:
        - type: schedule
          properties: {scheduleRate: 'cron(0 2 * * ? *)'}
  worker:
    type: batch-job
    properties:
      connectTo: [results]
"""
    + CONTAINER
    + """      timeout: 60
      retryConfig: {attempts: 2, retryIntervalSeconds: 30}
      events:
        - type: sqs
          properties: {sqsQueueName: jobs, batchSize: 10}
  single:
    type: batch-job
    properties:
"""
    + CONTAINER
    + """  helper:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: f.ts}}
"""
)


def job_sim(behaviors: str | None = None) -> Simulator:
    return make_sim(STACK, behaviors)


def start(sim: Simulator, job: str, event: object = None, trigger: str = "manual") -> str:
    return sim.services["batch"].start(job, {} if event is None else event, trigger, "test")


def test_attempts_wait_interval_times_attempt_times_multiplier() -> None:
    sim = job_sim("behaviors:\n  nightly: {duration: 10s, fail: true}\n")
    eid = start(sim, "nightly")
    sim.run(86_400_000)
    # Attempt 1 at 0 fails at 10 s; wait 60*1*2 = 120 s; attempt 2 at 130 s fails at 140 s;
    # wait 60*2*2 = 240 s; attempt 3 at 380 s fails at 390 s: the execution fails.
    assert seconds(sim, tk.BATCH_ATTEMPT_STARTED, "nightly") == [0, 130, 380]
    failed = records(sim, tk.BATCH_ATTEMPT_FAILED, "nightly")
    assert [(r.t - START) / 1000 for r in failed] == [10, 140, 390]
    assert [r.get("retry_at") for r in failed] == [
        "2026-01-05T08:02:10.000Z",
        "2026-01-05T08:06:20.000Z",
        None,
    ]
    [final] = records(sim, tk.BATCH_FAILED, "nightly")
    assert (final.get("execution_id"), final.get("attempts"), final.get("error")) == (
        eid,
        3,
        "Error",
    )
    assert (final.t - START) / 1000 == 390
    assert sim.services["batch"].jobs["nightly"].counts == {
        "submitted": 1,
        "succeeded": 0,
        "failed": 1,
    }


def test_the_wait_is_linear_as_in_stacktape_s_code_not_exponential() -> None:
    # The docs promise "5s, 10s, 20s" for 5 and 2; the state machine waits 10, 20, 30 s.
    sim = make_sim(
        "resources:\n  j:\n    type: batch-job\n    properties:\n"
        + CONTAINER
        + "      retryConfig: {attempts: 4, retryIntervalSeconds: 5, retryIntervalMultiplier: 2}\n",
        "behaviors:\n  j: {duration: 1s, fail: true}\n",
    )
    job = sim.services["batch"].jobs["j"]
    assert [job.retry_wait_ms(i) for i in (1, 2, 3)] == [10_000, 20_000, 30_000]
    start(sim, "j")
    sim.run(3_600_000)
    assert seconds(sim, tk.BATCH_ATTEMPT_STARTED, "j") == [0, 11, 32, 63]


def test_a_later_attempt_can_succeed() -> None:
    sim = job_sim("behaviors:\n  nightly: {duration: 10s, fail: {first: 1}}\n")
    eid = start(sim, "nightly")
    sim.run(86_400_000)
    [ok] = records(sim, tk.BATCH_SUCCEEDED, "nightly")
    assert ok.data == {"execution_id": eid, "attempt": 2, "duration_ms": 10_000}
    assert (ok.t - START) / 1000 == 140
    assert records(sim, tk.BATCH_FAILED) == []


def test_the_default_is_one_attempt_and_no_timeout() -> None:
    sim = job_sim("behaviors:\n  single: {duration: 3d, fail: true}\n")
    start(sim, "single")
    sim.run(7 * 86_400_000)
    [failed] = records(sim, tk.BATCH_ATTEMPT_FAILED, "single")
    assert failed.get("retry_at") is None and failed.get("timeout") is False
    assert failed.get("duration_ms") == 3 * 86_400_000  # no timeout cuts it short
    assert len(records(sim, tk.BATCH_FAILED, "single")) == 1


def test_a_timeout_of_0_is_none_as_stacktape_reads_it() -> None:
    # `Timeout: workload.timeout ? {AttemptDurationSeconds: workload.timeout} : undefined`
    # (Stacktape's batch-jobs/utils.ts): 0 is falsy, so the job deploys without a timeout.
    sim = make_sim(
        STACK.replace("timeout: 3600", "timeout: 0"), "behaviors:\n  nightly: {duration: 2h}\n"
    )
    start(sim, "nightly")
    sim.run(86_400_000)
    [ok] = records(sim, tk.BATCH_SUCCEEDED, "nightly")
    assert ok.get("duration_ms") == 2 * 3_600_000


@pytest.mark.parametrize("timeout", [1, 59, 59.0])
def test_a_timeout_under_aws_batchs_minimum_is_an_error_that_offers_0(timeout: float) -> None:
    sim = make_sim(STACK.replace("timeout: 3600", f"timeout: {timeout}"), allow_errors=True)
    [error] = [d for d in sim.stack.errors if d.code == "out-of-range"]
    assert error.message == (
        f"`timeout` is {int(timeout)}; allowed: at least 60, AWS Batch's minimum, or 0 for none"
    )


def test_a_timed_out_attempt_ends_at_the_timeout_and_stacktape_retries_it() -> None:
    # Each attempt is its own Batch job; the state machine's Catch on States.ALL retries a
    # timed-out one like any other failure (AWS Batch's own retryStrategy would not).
    sim = job_sim("behaviors:\n  worker: {duration: 2m}\n")
    start(sim, "worker")
    sim.run(3_600_000)
    failed = records(sim, tk.BATCH_ATTEMPT_FAILED, "worker")
    assert [(r.t - START) / 1000 for r in failed] == [60, 150]
    assert [(r.get("error"), r.get("timeout")) for r in failed] == [("Timeout", True)] * 2
    assert failed[0].get("error_message") == "Job attempt duration exceeded timeout"
    assert seconds(sim, tk.BATCH_ATTEMPT_STARTED, "worker") == [0, 90]


def test_with_aws_batch_s_rule_a_timed_out_attempt_is_not_retried() -> None:
    sim = job_sim("behaviors:\n  worker: {duration: 2m}\n")
    sim.services["batch"].retry_timed_out = False
    start(sim, "worker")
    sim.run(3_600_000)
    [failed] = records(sim, tk.BATCH_ATTEMPT_FAILED, "worker")
    assert failed.get("timeout") is True and failed.get("retry_at") is None
    [final] = records(sim, tk.BATCH_FAILED, "worker")
    assert (final.get("attempts"), final.get("error")) == (1, "Timeout")
    # A failure that is not a timeout is still retried.
    sim = job_sim("behaviors:\n  worker: {duration: 1s}\n")
    sim.services["batch"].retry_timed_out = False
    sim.services["batch"].jobs["worker"].overrides.append(
        parse_override(["fail", "worker", "next", "1"])
    )
    start(sim, "worker")
    sim.run(3_600_000)
    assert seconds(sim, tk.BATCH_ATTEMPT_STARTED, "worker") == [0, 31]
    assert len(records(sim, tk.BATCH_SUCCEEDED, "worker")) == 1


def test_every_attempt_gets_the_stp_environment() -> None:
    sim = job_sim("behaviors:\n  nightly: {duration: 1s, fail: true}\n")
    event = {"orderId": 7, "note": "café"}
    start(sim, "nightly", event)
    sim.run(3_600_000)
    envs = [r.get("env") for r in records(sim, tk.BATCH_ATTEMPT_STARTED, "nightly")]
    assert [e["STP_CURRENT_ATTEMPT"] for e in envs] == ["1", "2", "3"]
    assert {e["STP_MAXIMUM_ATTEMPTS"] for e in envs} == {"3"}
    assert {e["AWS_REGION"] for e in envs} == {sim.region}
    # JSON.stringify of the raw trigger event: compact, non-ASCII kept.
    assert {e["STP_TRIGGER_EVENT_DATA"] for e in envs} == {'{"orderId":7,"note":"café"}'}
    batch_ids = [r.get("batch_job_id") for r in records(sim, tk.BATCH_ATTEMPT_STARTED)]
    assert len(set(batch_ids)) == 3  # each attempt is its own AWS Batch job


def test_an_sqs_triggered_job_acknowledges_the_messages_when_it_starts() -> None:
    sim = job_sim("behaviors:\n  worker: {duration: 50s, fail: true}\n")
    ids = [sim.send("jobs", f'{{"n": {i}}}') for i in range(3)]
    sim.advance(1)
    # One trigger-function invocation for the batch: one execution; the batch is deleted at
    # once, so the queue sees success although every attempt of the job will fail.
    [submitted] = records(sim, tk.BATCH_SUBMITTED, "worker")
    assert submitted.t == START and submitted.get("trigger") == "sqs"
    assert submitted.get("message_ids") == ids and submitted.get("queue") == "jobs"
    deleted = records(sim, tk.MESSAGE_DELETED, "jobs")
    assert [r.get("message_id") for r in deleted] == ids and {r.t for r in deleted} == {START}
    assert sim.queue_stats("jobs")["depth"] == 0
    sim.run(3_600_000)
    assert len(records(sim, tk.BATCH_FAILED, "worker")) == 1
    assert len(records(sim, tk.MESSAGE_RECEIVED, "jobs")) == 3  # never redelivered
    env = records(sim, tk.BATCH_ATTEMPT_STARTED, "worker")[0].get("env")
    event = json.loads(env["STP_TRIGGER_EVENT_DATA"])
    assert [r["messageId"] for r in event["Records"]] == ids
    assert event["Records"][0]["eventSource"] == "aws:sqs"


def test_behaviour_conditions_see_the_trigger_event_and_emissions_happen_on_success() -> None:
    sim = job_sim(
        """
behaviors:
  worker:
    duration: 1s
    fail: {when: "Records[0].body == 'bad'", error: BadInput}
    emit:
      - send: {queue: results, body: "Records[0].body"}
"""
    )
    sim.send("jobs", "bad")
    sim.run(3_600_000)
    sim.send("jobs", "good")
    sim.run(3_600_000)
    errors = [r.get("error") for r in records(sim, tk.BATCH_ATTEMPT_FAILED, "worker")]
    assert errors == ["BadInput", "BadInput"]
    [sent] = records(sim, tk.MESSAGE_SENT, "results")
    ok = records(sim, tk.BATCH_SUCCEEDED, "worker")[0]
    assert sent.get("source") == f"worker:{ok.get('execution_id')}"


def test_the_schedule_hook_starts_the_2_am_job() -> None:
    sim = job_sim()
    sim.until(parse_instant("2026-01-06T02:00:00Z"))
    [submitted] = records(sim, tk.BATCH_SUBMITTED, "nightly")
    assert submitted.get("trigger") == "schedule"
    assert submitted.t == parse_instant("2026-01-06T02:00:00Z")
    event = json.loads(
        records(sim, tk.BATCH_ATTEMPT_STARTED)[0].get("env")["STP_TRIGGER_EVENT_DATA"]
    )
    assert event["detail-type"] == "Scheduled Event"


def test_submit_job_is_the_hook_for_other_event_sources() -> None:
    sim = job_sim()
    eid = submit_job(sim, "single", {"a": 1}, "sns", "topic:x", {"message_id": "m"})
    [submitted] = records(sim, tk.BATCH_SUBMITTED, "single")
    assert submitted.get("execution_id") == eid
    assert (submitted.get("trigger"), submitted.get("source")) == ("sns", "topic:x")
    assert submitted.get("message_id") == "m"
    # Stacktape's state machine `{stack}-{job}-batch-state-machine`; the trigger function
    # names the execution `kebabCase(`${job}-${stack}`).slice(0, 40)` and its request id.
    assert submitted.get("execution_arn") == (
        "arn:aws:states:us-east-1:123456789012:execution:"
        f"app-dev-single-batch-state-machine:single-app-dev-{eid}"
    )
    with pytest.raises(SimError, match="is a function, not a batch job"):
        submit_job(sim, "helper", {}, "sns", "x")
    with pytest.raises(SimError, match="no batch job named 'nightlee'") as info:
        submit_job(sim, "nightlee", {}, "sns", "x")
    assert info.value.hint == "did you mean nightly?"


# -- commands --------------------------------------------------------------------------------


@pytest.fixture
def session(tmp_path: Path) -> Session:
    (tmp_path / "stacktape.yml").write_text(STACK)
    (tmp_path / "stptui.yml").write_text("behaviors:\n  nightly: {duration: 10s, fail: true}\n")
    return Session.open(tmp_path, start_ms=START)


def test_start_job_and_show_jobs(session: Session) -> None:
    out = execute(session, "start-job nightly '{\"day\": 5}'")
    eid = out.data["execution_id"]
    assert out.text == (
        f"started execution {eid} of nightly: attempt 1 of 3 running\n"
        "arn:aws:states:us-east-1:123456789012:execution:"
        f"app-dev-nightly-batch-state-machine:nightly-app-dev-{eid}"
    )
    env = out.records[-1].get("env")
    assert env["STP_TRIGGER_EVENT_DATA"] == '{"day":5}'
    shown = execute(session, "show jobs")
    assert shown.text == f"nightly: execution {eid} (manual), attempt 1 of 3"
    row = next(r for r in shown.table[1] if r[0] == "nightly")  # type: ignore[index]
    assert row == [
        "nightly",
        "1",
        "1",
        "0",
        "0",
        "3",
        "2 min, 4 min",
        "1 h",
        "10 s; always fails (Error)",
    ]
    execute(session, "run")
    nightly = next(d for d in execute(session, "show jobs").data if d["job"] == "nightly")
    assert (nightly["failed"], nightly["running"], nightly["retry_waits_ms"]) == (
        1,
        [],
        [120_000, 240_000],
    )
    assert nightly["job_definition_arn"] == (
        "arn:aws:batch:us-east-1:123456789012:job-definition/app-dev-nightly-job-definition:1"
    )
    assert nightly["state_machine_arn"] == (
        "arn:aws:states:us-east-1:123456789012:stateMachine:app-dev-nightly-batch-state-machine"
    )
    assert nightly["job_queue_arn"] == (
        "arn:aws:batch:us-east-1:123456789012:job-queue/app-dev-batch-onDemand--job-queue"
    )
    assert nightly["recent"] == [
        {
            "execution_id": eid,
            "job_name": f"nightly-app-dev-{eid}",
            "trigger": "manual",
            "source": "command",
            "status": "FAILED",
            "attempts": 3,
            "submitted": "2026-01-05T08:00:00.000Z",
            "ended": "2026-01-05T08:06:30.000Z",
            "error": "Error",
            "error_message": "simulated failure (always)",
            "redrive_count": 0,
        }
    ]
    assert nightly["redriven"] == 0
    assert session.log[0] == "start-job nightly '{\"day\": 5}'"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("start-job nightlee", "no batch job named 'nightlee'"),
        ("start-job helper", "'helper' is a function, not a batch job"),
        ("start-job", "start-job needs JOB"),
    ],
)
def test_bad_start_job_commands_change_nothing(session: Session, line: str, message: str) -> None:
    before = (session.sim.trace.seq, list(session.log))
    with pytest.raises(CommandError, match=message):
        execute(session, line)
    assert (session.sim.trace.seq, list(session.log)) == before


def test_a_batching_window_holds_a_jobs_messages_until_it_closes() -> None:
    sim = make_sim(STACK.replace("batchSize: 10}", "batchSize: 10, maxBatchWindowSeconds: 10}"))
    first = sim.send("jobs", "a")
    sim.advance(3_000)
    second = sim.send("jobs", "b")
    sim.advance(1)
    # Both are received (in flight) as soon as they are visible; the job starts when the
    # window closes, 10 s after the first, and the helper deletes the batch then.
    assert seconds(sim, tk.MESSAGE_RECEIVED, "jobs") == [0, 3]
    assert sim.queue_stats("jobs")["in_flight"] == 2
    assert records(sim, tk.BATCH_SUBMITTED, "worker") == []
    sim.advance(10_000)
    [submitted] = records(sim, tk.BATCH_SUBMITTED, "worker")
    assert submitted.t == START + 10_000 and submitted.get("message_ids") == [first, second]
    assert seconds(sim, tk.MESSAGE_DELETED, "jobs") == [10, 10]
