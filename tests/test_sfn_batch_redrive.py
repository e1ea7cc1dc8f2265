"""RedriveExecution of an execution of a batch job's state machine.

Stacktape deploys the job's state machine as a STANDARD workflow (`StateMachineType:
'STANDARD'`, stacktape `batch-jobs/utils.ts`, `getBatchStateMachine`), so Step Functions
takes RedriveExecution for its FAILED and ABORTED executions, and the redrive "continues the
failed execution from the unsuccessful step" (RedriveExecution API reference): the attempt's
Task it was stopped in, the Wait before the next attempt, or, after the last attempt, the
`fail` state its Catch led to.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from stptui.commands import CommandError, Session, execute
from stptui.sim import trace as tk
from tests.simkit import START, records
from tests.test_batch_execution_calls import MACHINE, call, session

STACK = """
resources:
  render:
    type: batch-job
    properties:
      container:
        packaging: {type: stacktape-image-buildpack, properties: {entryfilePath: j.ts}}
      resources: {cpu: 1, memory: 2048}
      retryConfig: {attempts: 2, retryIntervalSeconds: 5}
"""


def job_session(tmp_path: Path, behavior: str = "{duration: 10s}") -> Session:
    """The job `render`: 2 attempts, 5 s apart; each attempt runs as `behavior` says."""
    (tmp_path / "stacktape.yml").write_text(STACK, encoding="utf-8")
    (tmp_path / "stptui.yml").write_text(f"behaviors:\n  render: {behavior}\n", encoding="utf-8")
    return Session.open(tmp_path, start_ms=START)


def start(s: Session) -> str:
    execute(s, "start-job render '{}'")
    return records(s.sim, tk.BATCH_SUBMITTED, "render")[-1].get("execution_id")


def attempts(s: Session) -> list[tuple[float, int]]:
    """(seconds since START, attempt) of every attempt started."""
    return [
        ((r.t - START) / 1000, r.get("attempt"))
        for r in records(s.sim, tk.BATCH_ATTEMPT_STARTED, "render")
    ]


def test_an_execution_stopped_during_an_attempt_runs_that_attempt_again(tmp_path: Path) -> None:
    s = job_session(tmp_path)
    eid = start(s)
    execute(s, "advance 3s")
    execute(s, f"stop-execution {eid}")
    execute(s, "advance 1m")
    result = execute(s, f"redrive-execution {eid}")
    assert result.text == f"redrove execution {eid} of batch job render (redrive 1, RUNNING)"
    (redriven,) = records(s.sim, tk.BATCH_REDRIVEN, "render")
    assert (redriven.get("redrive_count"), redriven.get("attempt")) == (1, 1)
    execute(s, "advance 1m")
    # Attempt 1 again (a new AWS Batch job, STP_CURRENT_ATTEMPT 1), which succeeds.
    assert attempts(s) == [(0.0, 1), (63.0, 1)]
    (succeeded,) = records(s.sim, tk.BATCH_SUCCEEDED, "render")
    assert succeeded.t == START + 73_000
    job_ex = s.sim.services["batch"].find(eid)
    assert (job_ex.status, job_ex.redrive_count) == ("SUCCEEDED", 1)
    # Succeeded now: nothing to redrive.
    with pytest.raises(CommandError, match="ExecutionNotRedrivable: Execution is SUCCEEDED"):
        execute(s, f"redrive-execution {eid}")


def test_an_execution_stopped_in_the_wait_waits_again_then_runs_the_next_attempt(
    tmp_path: Path,
) -> None:
    s = job_session(tmp_path, "{duration: 10s, fail: {rate: 1, error: Boom}}")
    eid = start(s)
    execute(s, "advance 12s")  # attempt 1 failed at 10 s; the 5 s Wait runs
    execute(s, f"stop-execution {eid}")
    # No attempt ran in the Wait: none is terminated.
    assert [r.get("error") for r in records(s.sim, tk.BATCH_ATTEMPT_FAILED, "render")] == ["Boom"]
    execute(s, "advance 1m")
    execute(s, f"redrive-execution {eid}")
    (redriven,) = records(s.sim, tk.BATCH_REDRIVEN, "render")
    assert redriven.get("attempt") == 2
    execute(s, "advance 1m")
    # The Wait again in full (5 s from the redrive at 72 s), then attempt 2, the last.
    assert attempts(s) == [(0.0, 1), (77.0, 2)]
    (failed,) = records(s.sim, tk.BATCH_FAILED, "render")[-1:]
    assert (failed.t, failed.get("attempts")) == (START + 87_000, 2)


def test_an_execution_that_failed_after_its_last_attempt_fails_again_at_once(
    tmp_path: Path,
) -> None:
    s = job_session(tmp_path, "{duration: 10s, fail: {rate: 1, error: Boom}}")
    eid = start(s)
    execute(s, "advance 1m")
    before = attempts(s)
    assert before == [(0.0, 1), (15.0, 2)]
    execute(s, f"redrive-execution {eid}")
    # Stacktape's last Catch leads to its `fail` state: that is what runs again.
    assert attempts(s) == before
    (redriven,) = records(s.sim, tk.BATCH_REDRIVEN, "render")
    assert redriven.get("attempt") is None
    ended = records(s.sim, tk.BATCH_FAILED, "render")
    assert [(r.t, r.get("attempts"), r.get("error")) for r in ended] == [
        (START + 25_000, 2, "Boom"),
        (START + 60_000, 2, "Boom"),
    ]
    job_ex = s.sim.services["batch"].find(eid)
    assert (job_ex.status, job_ex.redrive_count) == ("FAILED", 1)
    # It can be redriven again (to the same end), as long as it is within 14 days.
    execute(s, "advance 15d")
    with pytest.raises(CommandError, match="Execution redrivable period exceeded"):
        execute(s, f"redrive-execution {eid}")


def test_a_running_execution_is_not_redrivable_and_nothing_changes(tmp_path: Path) -> None:
    s = job_session(tmp_path)
    eid = start(s)
    count = len(s.sim.trace.records)
    with pytest.raises(CommandError, match="ExecutionNotRedrivable: Execution is RUNNING"):
        execute(s, f"redrive-execution {eid}")
    assert len(s.sim.trace.records) == count


def test_describe_execution_says_whether_a_jobs_execution_is_redrivable(tmp_path: Path) -> None:
    s = session(tmp_path)
    arn = call(s, op="start", name="clip", event={"v": 1})["executionArn"]
    running = call(s, op="describe", arn=arn)
    assert (running["redriveCount"], running["redriveStatus"]) == (0, "NOT_REDRIVABLE")
    assert running["redriveStatusReason"] == "Execution is RUNNING and cannot be redriven"
    execute(s, f"stop-execution {arn}")
    stopped = call(s, op="describe", arn=arn)
    assert stopped["redriveStatus"] == "REDRIVABLE"
    assert "redriveStatusReason" not in stopped
    execute(s, f"redrive-execution {arn}")
    again = call(s, op="describe", arn=arn)
    assert (again["status"], again["redriveCount"]) == ("RUNNING", 1)
    listed = call(s, op="list", args={"stateMachineArn": MACHINE})["executions"][0]
    assert listed["redriveCount"] == 1
    assert "redriveDate" in listed


def test_a_redriven_execution_is_counted_once_with_its_redrive(tmp_path: Path) -> None:
    s = job_session(tmp_path)
    eid = start(s)
    execute(s, "advance 3s")
    execute(s, f"stop-execution {eid}")
    execute(s, f"redrive-execution {eid}")
    running = execute(s, "show jobs")
    assert f"render: execution {eid} (manual), attempt 1 of 2, redrive 1" in running.text
    execute(s, "advance 1m")
    # One execution, which failed (aborted) and, redriven, succeeded: it counts once, as
    # succeeded; `expect` figures (from the trace) and `show jobs` agree.
    for figure, value in (
        ("submitted", 1),
        ("succeeded", 1),
        ("failed", 0),
        ("running", 0),
        ("redriven", 1),
    ):
        execute(s, f"expect job.render.{figure} == {value}")
    (shown,) = execute(s, "show jobs").data
    assert {k: shown[k] for k in ("submitted", "succeeded", "failed", "redriven")} == {
        "submitted": 1,
        "succeeded": 1,
        "failed": 0,
        "redriven": 1,
    }
    assert shown["recent"][0]["redrive_count"] == 1
