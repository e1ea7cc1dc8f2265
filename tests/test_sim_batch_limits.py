"""What AWS refuses of the job Stacktape's state machine submits for an attempt: the
SubmitJob payload over 30 KiB (AWS Batch quotas), and container overrides over 8,192
characters (ECS RunTask `overrides`), which the trigger event, passed whole as
`STP_TRIGGER_EVENT_DATA`, can exceed; and the flag Step Functions adds to the environment.
See docs/fidelity.md, "Batch jobs"."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from stptui.commands import CommandError, Session, execute
from stptui.config import load_stack_text
from stptui.jsontext import compact_json
from stptui.sim import trace as tk
from stptui.sim.behavior import Behaviors, parse_override
from stptui.sim.clock import parse_instant
from stptui.sim.engine import Simulator
from stptui.sim.payloads import json_string_sizes
from stptui.sim.services.batch import TriggerFailed
from tests.simkit import START, make_sim, records, seconds

CONTAINER = """      container: {packaging: {type: prebuilt-image, properties: {image: x}}}
      resources: {cpu: 1, memory: 1024}
"""

STACK = (
    """
resources:
  jobs: {type: sqs-queue}
  worker:
    type: batch-job
    properties:
"""
    + CONTAINER
    + """      retryConfig: {attempts: 2, retryIntervalSeconds: 30}
      events:
        - type: sqs
          properties: {sqsQueueName: jobs, batchSize: 10}
  single:
    type: batch-job
    properties:
"""
    + CONTAINER
)

BEHAVIORS = "behaviors:\n  worker: {duration: 5s, log: ['working']}\n  single: {duration: 5s}\n"

OVERRIDES_REASON = "Container Overrides length must be at most 8192"


def job_sim() -> Simulator:
    return make_sim(STACK, BEHAVIORS)


def start(sim: Simulator, job: str, event: object) -> str:
    return sim.services["batch"].start(job, event, "manual", "test")


def overrides_chars(sim: Simulator, event: object, attempts: int, attempt: int) -> int:
    """The length of the ContainerOverrides one attempt's SubmitJob carries, as JSON."""
    names = (
        "STP_TRIGGER_EVENT_DATA",
        "STP_MAXIMUM_ATTEMPTS",
        "STP_CURRENT_ATTEMPT",
        "AWS_REGION",
        "MANAGED_BY_AWS",
    )
    values = (compact_json(event), str(attempts), str(attempt), sim.region)
    values += ("STARTED_BY_STEP_FUNCTIONS",)
    env = [{"name": n, "value": v} for n, v in zip(names, values, strict=True)]
    return len(compact_json({"environment": env}))


def padded(sim: Simulator, chars: int) -> dict[str, str]:
    """An event whose attempt-1 overrides (of `single`, 1 attempt) are `chars` long."""
    base = overrides_chars(sim, {"pad": ""}, 1, 1)
    return {"pad": "x" * (chars - base)}


def test_stacktape_s_attempts_carry_the_flag_step_functions_adds() -> None:
    # Stacktape's state machine submits each attempt with `batch:submitJob.sync`, which adds
    # MANAGED_BY_AWS to the container's environment, as for any state machine's job.
    sim = job_sim()
    start(sim, "single", {"a": 1})
    [started] = records(sim, tk.BATCH_ATTEMPT_STARTED, "single")
    env = started.get("env")
    assert list(env) == [
        "STP_TRIGGER_EVENT_DATA",
        "STP_MAXIMUM_ATTEMPTS",
        "STP_CURRENT_ATTEMPT",
        "AWS_REGION",
        "MANAGED_BY_AWS",
    ]
    assert env["MANAGED_BY_AWS"] == "STARTED_BY_STEP_FUNCTIONS"


def test_overrides_of_8192_characters_run_and_one_more_fails_the_attempt() -> None:
    sim = job_sim()
    start(sim, "single", padded(sim, 8192))
    sim.run(60_000)
    assert len(records(sim, tk.BATCH_SUCCEEDED, "single")) == 1
    sim = job_sim()
    eid = start(sim, "single", padded(sim, 8193))
    sim.run(60_000)
    [failed] = records(sim, tk.BATCH_ATTEMPT_FAILED, "single")
    assert failed.data == {
        "execution_id": eid,
        "attempt": 1,
        "error": "States.TaskFailed",
        "error_message": OVERRIDES_REASON,
        "timeout": False,
        "duration_ms": 0,
        "retry_at": None,
    }
    assert failed.t == START
    [final] = records(sim, tk.BATCH_FAILED, "single")
    assert (final.get("attempts"), final.get("error")) == (1, "States.TaskFailed")


def test_escaped_quotes_count_toward_the_overrides() -> None:
    # The event is a JSON string inside the overrides' JSON: each `"` in it is written `\"`.
    sim = job_sim()
    quotes = {"q": '"' * 4000}  # 4,000 characters of JSON text, 8,000 once escaped
    assert len(compact_json(quotes)) < 8192 < overrides_chars(sim, quotes, 1, 1)
    start(sim, "single", quotes)
    sim.run(60_000)
    [failed] = records(sim, tk.BATCH_ATTEMPT_FAILED, "single")
    assert failed.get("error_message") == OVERRIDES_REASON


def test_a_refused_attempt_runs_no_container_and_is_retried_by_the_state_machine() -> None:
    sim = job_sim()
    job = sim.services["batch"].jobs["worker"]
    job.overrides.append(parse_override(["fail", "worker", "next", "1"]))
    eid = start(sim, "worker", {"blob": "y" * 9000})
    sim.run(600_000)
    # Stacktape's Catch on States.ALL takes the failed task to the 30 s wait, then attempt 2,
    # which the same event fails the same way: the execution fails after 2 attempts.
    assert seconds(sim, tk.BATCH_ATTEMPT_STARTED, "worker") == [0, 30]
    failed = records(sim, tk.BATCH_ATTEMPT_FAILED, "worker")
    assert [(r.get("error_message"), r.get("duration_ms")) for r in failed] == [
        (OVERRIDES_REASON, 0)
    ] * 2
    assert [r.get("retry_at") for r in failed] == ["2026-01-05T08:00:30.000Z", None]
    [final] = records(sim, tk.BATCH_FAILED, "worker")
    assert final.get("execution_id") == eid
    # No container ran: the behaviour was not consulted (its `fail next 1` is still there),
    # it logged nothing, and the job's log group has no stream.
    assert [o.used_up for o in job.overrides] == [False]
    assert records(sim, tk.HANDLER_LOG, "worker") == []
    assert job.logs is not None and job.logs.containers == 0
    # Each attempt was still a job AWS Batch accepted (it has an id) and an attempt counted.
    ids = [r.get("batch_job_id") for r in records(sim, tk.BATCH_ATTEMPT_STARTED, "worker")]
    assert all(isinstance(i, str) for i in ids) and len(set(ids)) == 2
    assert job.counts == {"submitted": 1, "succeeded": 0, "failed": 1}


def test_ten_sqs_messages_make_a_trigger_event_too_big_for_one_job() -> None:
    # The default batch of 10 records of 300-character bodies: the event's JSON, escaped,
    # is over 8,192 characters, so every attempt fails although the messages were acknowledged
    # when the execution started. A batch of 1 fits.
    sim = job_sim()
    for i in range(10):
        sim.send("jobs", json.dumps({"n": i, "text": "z" * 280}))
    sim.run(600_000)
    [submitted] = records(sim, tk.BATCH_SUBMITTED, "worker")
    assert len(submitted.get("message_ids")) == 10
    assert sim.queue_stats("jobs")["depth"] == 0
    assert {r.get("error_message") for r in records(sim, tk.BATCH_ATTEMPT_FAILED)} == {
        OVERRIDES_REASON
    }
    assert len(records(sim, tk.BATCH_FAILED, "worker")) == 1
    sim = make_sim(STACK.replace("batchSize: 10", "batchSize: 1"), BEHAVIORS)
    for i in range(10):
        sim.send("jobs", json.dumps({"n": i, "text": "z" * 280}))
    sim.run(600_000)
    assert len(records(sim, tk.BATCH_SUCCEEDED, "worker")) == 10
    assert records(sim, tk.BATCH_ATTEMPT_FAILED, "worker") == []


def test_a_submit_job_over_30_kib_is_refused_before_any_job_exists() -> None:
    sim = job_sim()
    eid = start(sim, "worker", {"blob": "é" * 20_000})  # 40,000 bytes of UTF-8
    sim.run(600_000)
    started = records(sim, tk.BATCH_ATTEMPT_STARTED, "worker")
    # SubmitJob answered ClientException: no AWS Batch job, so no id; the environment the
    # request carried is still shown.
    assert [r.get("batch_job_id") for r in started] == [None, None]
    assert started[0].get("env")["STP_TRIGGER_EVENT_DATA"].startswith('{"blob":"éé')
    failed = records(sim, tk.BATCH_ATTEMPT_FAILED, "worker")
    assert [(r.get("error"), r.get("error_message")) for r in failed] == [
        ("Batch.ClientException", "Job size must be less than 30 KiB, got 40 KiB")
    ] * 2
    [final] = records(sim, tk.BATCH_FAILED, "worker")
    assert (final.get("execution_id"), final.get("error")) == (eid, "Batch.ClientException")


def submit_job_verdict(sim: Simulator, eid: str, event: object, attempt: int) -> str | None:
    """What AWS says of the SubmitJob `worker`'s attempt `attempt` of execution `eid` sends
    for `event`, measured here from the whole request: the error, or None when it runs."""
    job = sim.services["batch"].jobs["worker"]
    names = ("STP_TRIGGER_EVENT_DATA", "STP_MAXIMUM_ATTEMPTS", "STP_CURRENT_ATTEMPT")
    values = (compact_json(event), str(job.attempts), str(attempt))
    env = [{"name": n, "value": v} for n, v in zip(names, values, strict=True)]
    env += [
        {"name": "AWS_REGION", "value": sim.region},
        {"name": "MANAGED_BY_AWS", "value": "STARTED_BY_STEP_FUNCTIONS"},
    ]
    overrides = {"environment": env}
    request = {
        "jobName": f"{job.job_name_base}-{eid}",
        "jobQueue": job.queue_arn,
        "jobDefinition": job.definition_arn.rsplit(":", 1)[0],
        "containerOverrides": overrides,
    }
    if len(compact_json(request).encode()) > 30 * 1024:
        return "Batch.ClientException"
    if len(compact_json(overrides)) > 8192:
        return "States.TaskFailed"
    return None


def longest_fit(sim: Simulator, eid: str, prefix: str, fill: str) -> int:
    """The most `fill` characters an event `{"pad": prefix + ...}` may hold for attempt 1's
    whole request to pass both limits (`submit_job_verdict`)."""
    low, high = 0, 40_000
    while low < high:
        mid = (low + high + 1) // 2
        if submit_job_verdict(sim, eid, {"pad": prefix + fill * mid}, 1) is None:
            low = mid
        else:
            high = mid - 1
    return low


# A character JSON writes as itself, two that it escapes, and ones that UTF-8 writes in 2, 3
# and 4 bytes: the quotes and backslashes meet the 8,192 characters first, the emoji (one
# character, four bytes) SubmitJob's 30 KiB, and x's after all but one of those emoji meet
# it to the byte.
@pytest.mark.parametrize(
    ("emoji", "fill"),
    [*((False, c) for c in ("x", '"', "\\", "é", "€", "😀")), (True, "x")],
)
def test_every_attempt_is_refused_exactly_when_its_whole_request_is_over_a_limit(
    emoji: bool, fill: str
) -> None:
    # The job measures the part of each request that is the same for every execution once,
    # and lets an event shorter than what is left of every limit through without measuring
    # it again: the longest event that fits must run, and one character more be refused as
    # measuring its whole request says.
    sim = job_sim()
    probe = start(sim, "worker", {})
    prefix = "😀" * (longest_fit(sim, probe, "", "😀") - 1) if emoji else ""
    most = longest_fit(sim, probe, prefix, fill)
    for n in (most, most + 1):
        event = {"pad": prefix + fill * n}
        sim = job_sim()
        eid = start(sim, "worker", event)
        sim.run(600_000)
        failed = [r.get("error") for r in records(sim, tk.BATCH_ATTEMPT_FAILED, "worker")]
        expected = [submit_job_verdict(sim, eid, event, i) for i in (1, 2)]
        assert failed == ([] if expected[0] is None else expected)
    by_bytes = emoji or fill == "😀"
    assert expected[0] == ("Batch.ClientException" if by_bytes else "States.TaskFailed")


HTTP_STACK = (
    """
resources:
  api: {type: http-api-gateway}
  single:
    type: batch-job
    properties:
"""
    + CONTAINER
    + """      events:
        - type: http-api-gateway
          properties: {httpApiGatewayName: api, method: POST, path: /jobs}
"""
)


def test_the_trigger_function_answers_200_for_an_execution_whose_job_aws_refuses(
    tmp_path: Path,
) -> None:
    # The trigger function only starts the execution: it answers before the attempt fails.
    (tmp_path / "stacktape.yml").write_text(HTTP_STACK)
    session = Session.open(tmp_path, start_ms=START)
    body = json.dumps({"blob": "b" * 9000})
    execute(session, f"http POST /jobs '{body}'")
    sim = session.sim
    sim.run(60_000)
    [response] = records(sim, tk.HTTP_RESPONSE)
    [failed] = records(sim, tk.BATCH_FAILED, "single")
    assert response.get("status") == 200
    assert response.get("execution_id") == failed.get("execution_id")
    assert failed.get("error") == "States.TaskFailed"
    kinds = [r.kind for r in records(sim) if r.kind.startswith(("http.", "batch."))]
    assert kinds.index(tk.BATCH_ATTEMPT_FAILED) > kinds.index(tk.HTTP_RESPONSE)


# -- the trigger function's StartExecution: an input of at most 256 KiB ----------------------

QUEUE_STACK = (
    """
resources:
  dlq: {type: sqs-queue}
  jobs:
    type: sqs-queue
    properties:
      visibilityTimeoutSeconds: 60
      redrivePolicy: {targetSqsQueueName: dlq, maxReceiveCount: 2}
  worker:
    type: batch-job
    properties:
"""
    + CONTAINER
    + """      events:
        - type: sqs
          properties: {sqsQueueName: jobs, batchSize: 10}
"""
)


def test_an_sqs_batch_too_big_to_start_an_execution_stays_in_the_queue() -> None:
    # Ten messages of 30,000 characters: StartExecution refuses the trigger function's
    # input, the function fails, and the mapping leaves the batch for its visibility
    # timeout; the redrive policy moves it after its second receive.
    sim = make_sim(QUEUE_STACK)
    ids = [sim.send("jobs", "m" * 30_000) for _ in range(10)]
    sim.advance(1)
    [failed] = records(sim, tk.BATCH_TRIGGER_FAILED, "worker")
    assert failed.get("error") == "InvalidExecutionInput"
    assert failed.get("error_message").startswith("the input is 30")
    assert failed.get("message_ids") == ids and failed.get("queue") == "jobs"
    assert records(sim, tk.BATCH_SUBMITTED) == [] and records(sim, tk.MESSAGE_DELETED) == []
    assert sim.queue_stats("jobs")["in_flight"] == 10
    sim.run(600_000)
    assert seconds(sim, tk.BATCH_TRIGGER_FAILED, "worker") == [0, 60]
    assert sim.queue_stats("dlq")["depth"] == 10
    assert records(sim, tk.BATCH_SUBMITTED) == []


def test_a_batch_just_small_enough_starts_and_is_deleted() -> None:
    sim = make_sim(QUEUE_STACK)
    for _ in range(10):
        sim.send("jobs", "m" * 20_000)
    sim.advance(1)
    assert records(sim, tk.BATCH_TRIGGER_FAILED) == []
    assert len(records(sim, tk.MESSAGE_DELETED, "jobs")) == 10
    # Its job is another matter: the SubmitJob is over 30 KiB.
    sim.run(60_000)
    [final] = records(sim, tk.BATCH_FAILED, "worker")
    assert final.get("error") == "Batch.ClientException"


def test_an_http_trigger_too_big_for_start_execution_is_a_500(tmp_path: Path) -> None:
    (tmp_path / "stacktape.yml").write_text(HTTP_STACK)
    session = Session.open(tmp_path, start_ms=START)
    body = json.dumps({"blob": "b" * 300_000})
    execute(session, f"http POST /jobs '{body}'")
    [response] = records(session.sim, tk.HTTP_RESPONSE)
    assert response.get("status") == 500
    assert "trigger function failed: InvalidExecutionInput" in response.get("reason")
    [failed] = records(session.sim, tk.BATCH_TRIGGER_FAILED, "single")
    assert failed.get("trigger") == "http-api-gateway"
    assert records(session.sim, tk.BATCH_SUBMITTED) == []


def test_start_job_with_an_input_over_256_kib_is_refused_and_changes_nothing(
    tmp_path: Path,
) -> None:
    (tmp_path / "stacktape.yml").write_text(HTTP_STACK)
    session = Session.open(tmp_path, start_ms=START)
    before = len(records(session.sim))
    payload = json.dumps({"blob": "c" * 262_100})
    with pytest.raises(CommandError, match="InvalidExecutionInput: the input is 262,") as info:
        execute(session, f"start-job single '{payload}'")
    assert "S3 key" in (info.value.hint or "")
    assert len(records(session.sim)) == before


@pytest.mark.parametrize("extra", [-1, 0, 1])
def test_start_job_s_check_and_the_trigger_function_agree_at_the_limit(extra: int) -> None:
    # The largest event whose input fits, one character less and one more: `start-job`'s
    # check refuses exactly the events the trigger function fails on.
    sim = job_sim()
    service = sim.services["batch"]
    fits = 262_144 - len(compact_json({"triggerEvent": compact_json({"p": ""}), "jobName": ""}))
    fits -= len(f"single-app-dev-{'0' * 36}")
    event = {"p": "x" * (fits + extra)}
    refused = service.input_error("single", event)
    assert (refused is not None) == (extra > 0)
    try:
        service.start("single", event, "manual", "test")
    except TriggerFailed as exc:
        assert exc.message == refused
        assert len(records(sim, tk.BATCH_TRIGGER_FAILED, "single")) == 1
    else:
        assert refused is None and len(records(sim, tk.BATCH_SUBMITTED, "single")) == 1


SCHEDULED = (
    """
resources:
  nightly:
    type: batch-job
    properties:
"""
    + CONTAINER
    + """      events:
        - type: schedule
          properties: {scheduleRate: 'rate(1 day)'}
"""
)


@pytest.mark.parametrize("start", ["1970-01-01T00:00:00Z", "9999-12-28T23:30:00Z"])
def test_a_schedules_unbuilt_envelope_has_the_sizes_of_the_built_one(start: str) -> None:
    # A schedule's envelopes are measured once and the size given to the rest unbuilt
    # (payloads.Deferred.json_sizes): that holds only if every envelope is as long, from
    # the first year of the clock to the last.
    stack = load_stack_text(SCHEDULED, "stacktape.yml")
    sim = Simulator(stack, Behaviors.load(None, stack)[0], start_ms=parse_instant(start))
    sim.advance(3 * 86_400_000)
    executions = list(sim.services["batch"].jobs["nightly"].recent)
    assert len(executions) == 3
    for ex in executions:
        assert ex.event_sizes() == json_string_sizes(compact_json(ex.event))
