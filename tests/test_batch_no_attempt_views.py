"""A batch job's execution that starts no container, as the commands show it: one that made
no attempt (a function's StartExecution whose input Stacktape's state machine cannot read
fails at its first Task, States.Runtime, or is stopped before that), and one every attempt
of which AWS refused (SubmitJob over 30 KiB, container overrides over 8,192 characters), or
a job a user's state machine submitted that AWS Batch failed before its container started
(DescribeJobs lists no attempt of it). Each view says so and why; none says a container read
what none read. (The Inspector's recent attempts: tests/test_tui_inspector_values.py.)"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from replkit import metas

from stptui.commands import CommandError, Session, execute
from stptui.commands.result import render_plain
from stptui.graph import build_graph
from stptui.sim import trace as tk
from stptui.tui.widgets.inspector_pane import describe_resource
from tests.simkit import START, records
from tests.test_state_machine_jobs import open_flow, run, submit

STACK = """\
resources:
  trigger:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: p.ts}}
      connectTo: [render]
  render:
    type: batch-job
    properties:
      container:
        packaging: {type: stacktape-image-buildpack, properties: {entryfilePath: j.ts}}
      resources: {cpu: 1, memory: 2048}
      retryConfig: {attempts: 2, retryIntervalSeconds: 5}
"""
# The function passes its own event as the input: no `jobName`, no `triggerEvent`.
BEHAVIOUR = """\
behaviors:
  trigger:
    emit:
      - startExecution: {stateMachine: render, input: '@'}
"""


def no_attempt_session(tmp_path: Path) -> Session:
    """A session on STACK with BEHAVIOUR in `tmp_path`: each `invoke trigger` starts an
    execution of `render` that fails at its first Task, before any attempt."""
    (tmp_path / "stacktape.yml").write_text(STACK, encoding="utf-8")
    (tmp_path / "stptui.yml").write_text(BEHAVIOUR, encoding="utf-8")
    return Session.open(tmp_path, start_ms=START)


def _execution_id(s: Session) -> str:
    return str(records(s.sim, tk.BATCH_SUBMITTED, "render")[-1].get("execution_id"))


def test_an_execution_that_made_no_attempt_is_shown_so_by_each_command(tmp_path: Path) -> None:
    s = no_attempt_session(tmp_path)
    execute(s, "invoke trigger '{\"a\": 1}'")
    eid = _execution_id(s)
    # Its first Task fails at this instant, after the command: it runs and has made none.
    assert f"render: execution {eid} (startExecution), no attempt started yet" in (
        execute(s, "show jobs").text.splitlines()
    )
    execute(s, "advance 1s")
    shown = render_plain(execute(s, "show job render"))
    row = next(line for line in shown.splitlines() if line.startswith(eid))
    assert row.split()[1:4] == ["startExecution", "FAILED", "0"]
    assert row.endswith("States.Runtime: An error occurred while executing the state…")
    explained = execute(s, f"explain {eid}").text.splitlines()
    assert explained[-2].endswith(
        f"batch.failed                  render   execution_id={eid} attempts=0 "
        "error=States.Runtime error_message=An error occurred while executing the state "
        "'onDemand1'. The JSONPath '$.jobName' specified for the field 'JobName.$' could not "
        "be found in the input '{\"a\":1}'"
    )
    # `show event` has no text a container read to show: it says why, and Tab says so first.
    with pytest.raises(CommandError) as err:
        execute(s, f"show event {eid}")
    assert str(err.value) == (
        f"execution {eid} of render ran no attempt: its input had no jobName and triggerEvent "
        "strings for Stacktape's state machine to pass on"
    )
    assert err.value.hint == f"explain {eid} says why it failed"
    assert metas(s, "show event ")[eid] == "execution of batch job render, ran no attempt"


BIG = {
    # Over the overrides' 8,192 characters: AWS Batch makes each job and fails it.
    "overrides": (
        {"blob": "y" * 9000},
        "States.TaskFailed: Container Overrides length must be at most 8192",
    ),
    # 40,000 bytes of UTF-8: SubmitJob refuses each job.
    "submit": (
        {"blob": "é" * 20_000},
        "Batch.ClientException: Job size must be less than 30 KiB, got 40 KiB",
    ),
}


@pytest.mark.parametrize("case", sorted(BIG))
def test_an_execution_whose_every_job_aws_refused_says_no_container_read_it(
    tmp_path: Path, case: str
) -> None:
    event, why = BIG[case]
    s = no_attempt_session(tmp_path)
    execute(s, f"start-job render '{json.dumps(event, ensure_ascii=False)}'")
    eid = _execution_id(s)
    execute(s, "advance 1m")
    result = execute(s, f"show event {eid}")
    head, _, body = result.text.partition("\n")
    text = json.dumps(event, ensure_ascii=False, separators=(",", ":"))
    assert head == (
        f"no container of execution {eid} of render started: AWS refused the job of each of "
        f"its 2 attempts ({why}). The STP_TRIGGER_EVENT_DATA they passed on "
        f"({len(text):,} characters):"
    )
    assert body == text == result.data["text"]
    assert execute(s, f"explain {eid}").text.splitlines()[-1] == (
        f"show event {eid} shows the STP_TRIGGER_EVENT_DATA its attempts passed on "
        "(no container started)"
    )
    assert metas(s, "show event ")[eid] == "execution of batch job render, no container started"


def test_a_submitted_job_aws_batch_failed_first_says_no_container_started(
    tmp_path: Path,
) -> None:
    s = open_flow(tmp_path, submit(ContainerOverrides={"Command": ["x" * 8192]}))
    execute(s, "start-execution flow '{}'")
    execute(s, "advance 10s")
    (failed,) = records(s.sim, tk.BATCH_FAILED, "render")
    job_id = failed.get("execution_id")
    lines = execute(s, f"show event {job_id}").text.splitlines()
    assert lines[0].endswith(
        "so its containers got no STP_TRIGGER_EVENT_DATA (only Stacktape's own state machine of "
        "render sets it). No container of it started: AWS Batch failed it first (Container "
        "Overrides length must be at most 8192). What that SubmitJob gave it:"
    )
    assert lines[1].startswith('  environment: {"MANAGED_BY_AWS":')
    assert execute(s, f"explain {job_id}").text.splitlines()[-1] == (
        f"show event {job_id} shows the environment and parameters its SubmitJob gave "
        "(no container started)"
    )


def recent_attempts(s: Session, job: str) -> list[str]:
    """The Inspector's recent attempts of `job`, each without its time."""
    page = describe_resource(
        job, s.stack, build_graph(s.stack), s.sim, list(s.sim.trace.records), s.start_ms
    ).plain
    section = page[page.index("Recent attempts") : page.index("Log group")]
    return [" ".join(line.split()[1:]) for line in section.splitlines()[1:] if line.strip()]


def test_a_submitted_job_aws_batch_failed_first_has_no_attempt_in_any_view(
    tmp_path: Path,
) -> None:
    # AWS Batch makes the job and fails it before its container starts: DescribeJobs lists
    # no attempt, and its RetryStrategy retries nothing.
    overrides = {"Command": ["x" * 8192]}
    s = open_flow(tmp_path, submit(ContainerOverrides=overrides, RetryStrategy={"Attempts": 3}))
    flow = run(s)
    described = json.loads(flow.cause or "")
    assert (described["Status"], described["Attempts"]) == ("FAILED", [])
    reason = "Container Overrides length must be at most 8192"
    assert described["StatusReason"] == reason
    (failed,) = records(s.sim, tk.BATCH_FAILED, "render")
    job_id = failed.get("execution_id")
    assert failed.data == {
        "execution_id": job_id,
        "attempts": 0,
        "error": "States.TaskFailed",
        "error_message": reason,
    }
    assert not records(s.sim, tk.BATCH_ATTEMPT_STARTED)
    assert not records(s.sim, tk.BATCH_ATTEMPT_FAILED)
    shown = render_plain(execute(s, "show job render"))
    row = next(line for line in shown.splitlines() if line.startswith(job_id))
    assert row.split()[1:6] == ["step-functions", "FAILED", "0", "of", "3"]
    assert row.endswith(f"States.TaskFailed: {reason[:40]}…")
    assert execute(s, "show job render").data["latest"][0]["attempts"] == 0
    assert recent_attempts(s, "render") == [
        f"step-functions failed, no attempt started States.TaskFailed: {reason}"
    ]
    # The job's figures count no attempt either.
    assert execute(s, "expect metric.render.JobAttempts.Sum == 0").text.startswith("ok")
    assert execute(s, "expect metric.render.ExecutionsFailed.Sum == 1").text.startswith("ok")


def test_an_execution_stopped_before_its_first_task_failed_made_no_attempt(
    tmp_path: Path,
) -> None:
    # The first Task fails at the instant the execution starts, after the command that
    # started it: a stop at that instant finds it running, with no attempt made.
    s = no_attempt_session(tmp_path)
    execute(s, "invoke trigger '{\"a\": 1}'")
    eid = _execution_id(s)
    assert execute(s, f"stop-execution {eid}").text == (
        f"stopped execution {eid} of batch job render (ABORTED)"
    )
    execute(s, "advance 1s")
    (aborted,) = records(s.sim, tk.BATCH_FAILED, "render")
    assert (aborted.get("attempts"), aborted.get("error")) == (0, "ExecutionAborted")

    def row() -> list[str]:
        shown = render_plain(execute(s, "show job render"))
        return next(line for line in shown.splitlines() if line.startswith(eid)).split()

    assert row()[1:5] == ["startExecution", "ABORTED", "0", "of"]
    # A redrive runs the first Task again, which fails as it would have.
    execute(s, f"redrive-execution {eid}")
    assert row()[1:8] == ["startExecution", "FAILED", "(redriven", "1x)", "0", "of", "2"]
    assert "States.Runtime:" in row()
    assert not records(s.sim, tk.BATCH_ATTEMPT_STARTED)


@pytest.mark.parametrize("case", sorted(BIG))
def test_start_job_says_its_first_attempt_failed_before_any_container_started(
    tmp_path: Path, case: str
) -> None:
    # AWS refuses the first attempt's job at the instant the command starts it: the answer
    # says so, and when the next attempt starts, as the trace then shows.
    event, why = BIG[case]
    s = no_attempt_session(tmp_path)
    result = execute(s, f"start-job render '{json.dumps(event, ensure_ascii=False)}'")
    eid = _execution_id(s)
    error, _, message = why.partition(": ")
    assert result.text.splitlines()[0] == (
        f"started execution {eid} of render: attempt 1 of 2 failed at once, no container "
        f"started (AWS refused its job: {why}); attempt 2 starts at 2026-01-05T08:00:05.000Z"
    )
    assert result.data["first_attempt"] == {
        "error": error,
        "error_message": message,
        "retry_at": "2026-01-05T08:00:05.000Z",
    }
    execute(s, "advance 1m")
    failed = records(s.sim, tk.BATCH_ATTEMPT_FAILED, "render")
    assert [(r.t - START, r.get("error"), r.get("retry_at")) for r in failed] == [
        (0, error, "2026-01-05T08:00:05.000Z"),
        (5000, error, None),
    ]


def test_start_job_says_when_its_only_attempt_failing_fails_the_execution(
    tmp_path: Path,
) -> None:
    (tmp_path / "stacktape.yml").write_text(STACK.replace("attempts: 2", "attempts: 1"))
    s = Session.open(tmp_path, start_ms=START)
    result = execute(s, f"start-job render '{json.dumps(BIG['overrides'][0])}'")
    eid = _execution_id(s)
    assert result.text.splitlines()[0] == (
        f"started execution {eid} of render: attempt 1 of 1 failed at once, no container "
        f"started (AWS refused its job: {BIG['overrides'][1]}); it was the last, so the "
        "execution fails"
    )
    assert result.data["first_attempt"]["retry_at"] is None
    execute(s, "advance 1s")
    (failed,) = records(s.sim, tk.BATCH_FAILED, "render")
    assert (failed.t, failed.get("attempts")) == (START, 1)
    # An event that fits: its attempt runs.
    result = execute(s, "start-job render '{\"n\": 1}'")
    assert result.text.splitlines()[0].endswith(": attempt 1 of 1 running")
    assert "first_attempt" not in result.data
