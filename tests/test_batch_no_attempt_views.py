"""A batch job's execution that starts no container, as the commands show it: one that made
no attempt (a function's StartExecution whose input Stacktape's state machine cannot read
fails at its first Task, States.Runtime, or is stopped before that), and one every attempt
of which AWS refused (SubmitJob over 30 KiB, container overrides over 8,192 characters), or
a job a user's state machine submitted that AWS Batch failed before its container started.
Each view says so and why; none says a container read what none read. (The Inspector's
recent attempts: tests/test_tui_inspector_values.py.)"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from replkit import metas

from stptui.commands import CommandError, Session, execute
from stptui.commands.result import render_plain
from stptui.sim import trace as tk
from tests.simkit import START, records
from tests.test_state_machine_jobs import open_flow, submit

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
