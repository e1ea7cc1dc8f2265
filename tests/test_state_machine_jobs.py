"""Step Functions' batch:submitJob(.sync) and states:startExecution(.sync, .sync:2)
integrations (stptui.sim.asl_jobs): what the task returns, how a job's or a nested
execution's end reaches it, and how a task that ends first cancels what it waits for."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stptui.commands import Session, execute
from stptui.commands.result import render_plain
from stptui.config import load_stack_text
from stptui.jsontext import compact_json
from stptui.sim.clock import parse_instant
from stptui.sim.explain import explain
from stptui.sim.services.batch import submit_request_sizes
from stptui.sim.services.state_machine import Execution, lookup_machine

T0 = parse_instant("2026-01-05T08:00:00Z")
PKG = "packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}"
STACK = f"""\
resources:
  report:
    type: function
    properties:
      {PKG}
  render:
    type: batch-job
    properties:
      container:
        packaging: {{type: stacktape-image-buildpack, properties: {{entryfilePath: r.ts}}}}
      resources: {{cpu: 2, memory: 7800}}
  child:
    type: state-machine
    properties:
      definition: CHILD
  flow:
    type: state-machine
    properties:
      definition: DEFINITION
"""
JOB_DEF = "arn:aws:batch:us-east-1:123456789012:job-definition/app-dev-render-job-definition:1"
CHILD_ARN = "arn:aws:states:us-east-1:123456789012:stateMachine:app-dev-child"
QUEUE = "arn:aws:batch:us-east-1:123456789012:job-queue/q"
PASS_CHILD = {"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": {"ok": 1}, "End": True}}}
TASK_CHILD = {
    "StartAt": "Work",
    "States": {
        "Work": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": "report"},
            "End": True,
        }
    },
}


def open_flow(tmp_path: Path, state: dict[str, Any], child: dict[str, Any] = PASS_CHILD) -> Session:
    machine = {"StartAt": "T", "States": {"T": {"Type": "Task", "End": True, **state}}}
    text = STACK.replace("DEFINITION", json.dumps(machine)).replace("CHILD", json.dumps(child))
    (tmp_path / "stacktape.yml").write_text(text, encoding="utf-8")
    (tmp_path / "stptui.yml").write_text("behaviors: {}\n", encoding="utf-8")
    return Session.open(tmp_path, start_ms=T0)


def submit(sync: bool = True, **params: Any) -> dict[str, Any]:
    return {
        "Resource": "arn:aws:states:::batch:submitJob" + (".sync" if sync else ""),
        "Parameters": {"JobDefinition": JOB_DEF, "JobName": "r-1", "JobQueue": QUEUE, **params},
    }


def start_child(suffix: str = ".sync", **params: Any) -> dict[str, Any]:
    return {
        "Resource": "arn:aws:states:::states:startExecution" + suffix,
        "Parameters": {"StateMachineArn": CHILD_ARN, **params},
    }


def run(s: Session, ms: int = 10_000, payload: Any = None) -> Execution:
    ex = lookup_machine(s.sim, "flow").start({} if payload is None else payload, "e1")
    s.sim.advance(ms)
    return ex


def kinds(s: Session, kind: str) -> list[dict[str, Any]]:
    return [r.data for r in s.sim.trace.records if r.kind == kind]


def test_submit_job_request_response_returns_the_job_at_once(tmp_path: Path) -> None:
    s = open_flow(tmp_path, submit(sync=False))
    ex = lookup_machine(s.sim, "flow").start({}, "e1")
    assert ex.status == "SUCCEEDED"  # it did not wait for the job
    job_id = ex.output["JobId"]
    assert ex.output == {
        "JobArn": f"arn:aws:batch:us-east-1:123456789012:job/{job_id}",
        "JobId": job_id,
        "JobName": "r-1",
    }
    s.sim.advance(1_000)
    assert [r["execution_id"] for r in kinds(s, "batch.succeeded")] == [job_id]


def test_submit_job_sync_output_is_the_described_job(tmp_path: Path) -> None:
    state = submit(
        Parameters={"day": "mon"},
        ContainerOverrides={"Environment": [{"Name": "DAY", "Value": "mon"}]},
        Timeout={"AttemptDurationSeconds": 600},
    )
    s = open_flow(tmp_path, state)
    ex = run(s)
    assert ex.status == "SUCCEEDED"
    job = ex.output
    assert list(job) == sorted(job)  # alphabetical, as AWS's JSON is
    assert job["Status"] == "SUCCEEDED"
    assert job["StatusReason"] == "Essential container in task exited"
    assert job["JobDefinition"] == JOB_DEF and job["JobQueue"] == QUEUE
    assert job["Parameters"] == {"day": "mon"}
    assert job["RetryStrategy"] == {"Attempts": 1}
    assert job["Timeout"] == {"AttemptDurationSeconds": 600}
    assert job["Container"]["Environment"] == [
        {"Name": "DAY", "Value": "mon"},
        {"Name": "MANAGED_BY_AWS", "Value": "STARTED_BY_STEP_FUNCTIONS"},
    ]
    assert job["Container"]["ExitCode"] == 0
    assert {"Type": "VCPU", "Value": "2"} in job["Container"]["ResourceRequirements"]
    (attempt,) = job["Attempts"]
    assert attempt["StoppedAt"] - attempt["StartedAt"] == 100  # the default behaviour
    assert job["CreatedAt"] == T0 and job["StoppedAt"] == T0 + 100
    # The container saw the overrides; the record names the execution it ran for.
    (started,) = kinds(s, "batch.attempt.started")
    assert started["env"]["DAY"] == "mon"
    assert kinds(s, "batch.submitted")[0]["execution_arn"] == ex.arn


def test_a_failed_job_fails_the_task_with_the_job_as_its_cause(tmp_path: Path) -> None:
    s = open_flow(tmp_path, submit(RetryStrategy={"Attempts": 2}))
    execute(s, "fail render")
    ex = run(s)
    assert ex.status == "FAILED" and ex.error == "States.TaskFailed"
    cause = json.loads(ex.cause or "")
    assert cause["Status"] == "FAILED"
    assert [a["Container"]["ExitCode"] for a in cause["Attempts"]] == [1, 1]
    # AWS Batch retries at once: the second attempt starts as the first ends.
    first, second = cause["Attempts"]
    assert second["StartedAt"] == first["StoppedAt"]


def test_retry_strategy_attempts_let_a_flaky_job_pass(tmp_path: Path) -> None:
    s = open_flow(tmp_path, submit(RetryStrategy={"Attempts": 3}))
    execute(s, "fail render next 2")
    ex = run(s)
    assert ex.status == "SUCCEEDED"
    assert len(ex.output["Attempts"]) == 3


@settings(max_examples=25, deadline=None)
@given(attempts=st.integers(1, 10), failures=st.integers(0, 12))
def test_attempts_run_and_verdict_follow_retry_strategy(attempts: int, failures: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        s = open_flow(Path(tmp), submit(RetryStrategy={"Attempts": attempts}))
        if failures:
            execute(s, f"fail render next {failures}")
        ex = run(s, 60_000)
    assert len(kinds(s, "batch.attempt.started")) == min(failures + 1, attempts)
    assert ex.status == ("SUCCEEDED" if failures < attempts else "FAILED")


def test_an_attempt_that_times_out_is_not_retried(tmp_path: Path) -> None:
    state = submit(RetryStrategy={"Attempts": 3}, Timeout={"AttemptDurationSeconds": 60})
    s = open_flow(tmp_path, state)
    execute(s, "slow render 5m")
    ex = run(s, 600_000)
    assert ex.status == "FAILED"
    cause = json.loads(ex.cause or "")
    assert [a["StatusReason"] for a in cause["Attempts"]] == [
        "Job attempt duration exceeded timeout"
    ]


def test_task_timeout_terminates_the_job(tmp_path: Path) -> None:
    s = open_flow(tmp_path, {**submit(), "TimeoutSeconds": 60})
    execute(s, "slow render 1h")
    ex = run(s, 2 * 3_600_000)
    assert ex.status == "FAILED" and ex.error == "States.Timeout"
    (failed,) = kinds(s, "batch.failed")
    assert failed["error"] == "JobTerminated"
    assert not kinds(s, "batch.succeeded")  # the job's own end never came


def test_stopping_the_execution_terminates_the_job(tmp_path: Path) -> None:
    s = open_flow(tmp_path, submit())
    execute(s, "slow render 1h")
    ex = run(s, 1_000)
    execute(s, "stop-execution e1")
    assert ex.status == "ABORTED"
    assert [r["error"] for r in kinds(s, "batch.failed")] == ["JobTerminated"]
    s.sim.advance(2 * 3_600_000)
    assert not kinds(s, "batch.succeeded")


def test_refused_submissions(tmp_path: Path) -> None:
    caught = {
        **submit(JobDefinition="nope"),
        "Catch": [{"ErrorEquals": ["Batch.AWSBatchException"], "Next": "Done"}],
    }
    machine = {
        "StartAt": "T",
        "States": {"T": {"Type": "Task", "Next": "Done", **caught}, "Done": {"Type": "Succeed"}},
    }
    (tmp_path / "a").mkdir()
    s = open_flow(tmp_path / "a", submit())
    sm = lookup_machine(s.sim, "flow")
    sm.definition = machine
    assert sm.start({}, "caught").status == "SUCCEEDED"
    # A missing required field is a task that cannot start: States.Runtime, uncatchable.
    (tmp_path / "b").mkdir()
    params = submit()
    del params["Parameters"]["JobQueue"]
    s = open_flow(tmp_path / "b", params)
    ex = run(s)
    assert ex.error == "States.Runtime"
    assert "The field 'JobQueue' is required" in (ex.cause or "")


@pytest.mark.parametrize(
    ("definition", "runs"),
    [
        # Stacktape's own state machine writes the ARN without its revision.
        ("arn:aws:batch:us-east-1:123456789012:job-definition/app-dev-render-job-definition", 1),
        ("app-dev-render-job-definition:1", 1),
        ("app-dev-render-job-definition", 1),
        # `{stack}-{job}` is not the job definition's name: Stacktape appends -job-definition.
        ("arn:aws:batch:us-east-1:123456789012:job-definition/app-dev-render:1", 0),
        ("app-dev-render", 0),
    ],
)
def test_job_definition_names_are_stacktapes(tmp_path: Path, definition: str, runs: int) -> None:
    s = open_flow(tmp_path, submit(JobDefinition=definition))
    ex = run(s)
    assert len(kinds(s, "batch.succeeded")) == runs
    if runs:
        assert ex.output["JobDefinition"] == JOB_DEF  # DescribeJobs gives the full ARN
    else:
        assert ex.error == "Batch.AWSBatchException"
        assert f"JobDefinition {definition} does not exist" in (ex.cause or "")


def test_start_execution_request_response_and_sync_forms(tmp_path: Path) -> None:
    s = open_flow(tmp_path, start_child("", Input={"a": 1}, Name="kid"))
    ex = run(s)
    assert ex.output == {
        "ExecutionArn": CHILD_ARN.replace(":stateMachine:", ":execution:") + ":kid",
        "StartDate": T0,
    }
    for suffix, output in ((".sync", '{"ok":1}'), (".sync:2", {"ok": 1})):
        (tmp_path / suffix).mkdir()
        s = open_flow(tmp_path / suffix, start_child(suffix, Input='{"a": 1}'))
        ex = run(s)
        assert ex.status == "SUCCEEDED", ex.cause
        described = ex.output
        assert described["Output"] == output
        assert described["Input"] == '{"a":1}'
        assert described["Status"] == "SUCCEEDED"
        assert described["InputDetails"] == {"Included": True}


def test_sync_waits_for_the_child_and_a_failed_child_fails_the_task(tmp_path: Path) -> None:
    s = open_flow(tmp_path, start_child(".sync:2"), TASK_CHILD)
    execute(s, "fail report")
    ex = run(s)
    assert ex.status == "FAILED" and ex.error == "States.TaskFailed"
    cause = json.loads(ex.cause or "")
    assert cause["Status"] == "FAILED" and cause["Error"] == "Error"
    assert "Output" not in cause


def test_stopping_the_parent_stops_a_sync_child(tmp_path: Path) -> None:
    s = open_flow(tmp_path, start_child(".sync", Name="kid"), TASK_CHILD)
    execute(s, "slow report 1m")
    ex = run(s, 1_000)
    execute(s, "stop-execution e1")
    child = lookup_machine(s.sim, "child").executions["kid"]
    assert ex.status == "ABORTED" and child.status == "ABORTED"


def test_a_child_name_in_use_is_a_typed_error(tmp_path: Path) -> None:
    s = open_flow(tmp_path, start_child("", Name="kid", Input={"n": 2}))
    lookup_machine(s.sim, "child").start({"n": 1}, "kid")
    ex = run(s)
    assert ex.error == "StepFunctions.ExecutionAlreadyExistsException"


def test_a_machine_that_starts_itself_at_one_instant_is_stopped(tmp_path: Path) -> None:
    flow_arn = CHILD_ARN.replace("child", "flow")
    s = open_flow(tmp_path, start_child("", StateMachineArn=flow_arn))
    run(s)
    failed = [e for e in lookup_machine(s.sim, "flow").executions.values() if e.error]
    assert len(failed) == 1 and failed[0].error == "States.Runtime"


def test_explain_links_the_execution_the_job_and_the_child(tmp_path: Path) -> None:
    s = open_flow(tmp_path, submit())
    ex = run(s)
    job_id = ex.output["JobId"]
    kinds_seen = {r.kind for r in explain(s.sim.trace, job_id).records}
    assert {"sfn.execution.started", "batch.succeeded", "sfn.execution.succeeded"} <= kinds_seen
    text = render_plain(execute(s, "show execution e1"))
    # The history names the job it submitted, the id `explain` and `show event` take.
    assert f"batch:submitJob.sync on render ({job_id})" in text


def test_validate_warns_only_about_what_does_not_run(tmp_path: Path) -> None:
    def warnings(state: dict[str, Any]) -> list[str]:
        machine = {"StartAt": "T", "States": {"T": {"Type": "Task", "End": True, **state}}}
        text = STACK.replace("DEFINITION", json.dumps(machine))
        text = text.replace("CHILD", json.dumps(PASS_CHILD))
        stack = load_stack_text(text, "stacktape.yml")
        return [d.message for d in stack.diagnostics if d.code == "asl-task-target"]

    assert warnings(submit()) == []
    assert warnings(start_child(".sync:2")) == []
    assert warnings(
        {**submit(), "Parameters": {**submit()["Parameters"], "JobDefinition": "other"}}
    )
    assert warnings(start_child(StateMachineArn="arn:aws:states:::nope"))
    assert warnings({"Resource": "arn:aws:states:::ecs:runTask.sync"})
    # validate takes the forms the simulation runs: Stacktape's ARN without its revision,
    # not `{stack}-{job}`.
    assert warnings(submit(JobDefinition=JOB_DEF.rsplit(":", 1)[0])) == []
    assert warnings(submit(JobDefinition="app-dev-render")) == [
        "Task state 'T' of 'flow': JobDefinition app-dev-render names no batch-job of this "
        "stack; executions fail when they reach it"
    ]


# -- AWS Batch's limits on the request a Task sends ---------------------------------------

FLAG = {"name": "MANAGED_BY_AWS", "value": "STARTED_BY_STEP_FUNCTIONS"}


def request_bytes(parameters: dict[str, str]) -> int:
    """The SubmitJob request `submit(Parameters=parameters)` sends, in AWS Batch's JSON names
    with the flag Step Functions adds, in UTF-8 bytes."""
    request = {
        "jobDefinition": JOB_DEF,
        "jobName": "r-1",
        "jobQueue": QUEUE,
        "parameters": parameters,
        "containerOverrides": {"environment": [FLAG]},
    }
    return len(compact_json(request).encode())


@pytest.mark.parametrize("char", ["x", "é"])
def test_a_submit_job_over_30_kib_is_a_client_exception_and_makes_no_job(
    tmp_path: Path, char: str
) -> None:
    room = 30 * 1024 - request_bytes({"pad": ""})
    fits = char * (room // len(char.encode()))
    assert request_bytes({"pad": fits}) == 30 * 1024 - room % len(char.encode())
    (tmp_path / "a").mkdir()
    s = open_flow(tmp_path / "a", submit(Parameters={"pad": fits}))
    assert run(s).status == "SUCCEEDED"
    over = fits + char
    kib = -(-request_bytes({"pad": over}) // 1024)
    caught = {
        **submit(Parameters={"pad": over}),
        "Catch": [{"ErrorEquals": ["Batch.ClientException"], "Next": "Done"}],
    }
    (tmp_path / "b").mkdir()
    s = open_flow(tmp_path / "b", submit(Parameters={"pad": over}))
    ex = run(s)
    assert ex.error == "Batch.ClientException"
    assert ex.cause == f"Job size must be less than 30 KiB, got {kib} KiB"
    assert not kinds(s, "batch.submitted")  # AWS Batch made no job
    sm = lookup_machine(s.sim, "flow")
    sm.definition = {
        "StartAt": "T",
        "States": {"T": {"Type": "Task", "Next": "Done", **caught}, "Done": {"Type": "Succeed"}},
    }
    assert sm.start({}, "caught").status == "SUCCEEDED"


def test_parameters_taken_from_the_input_count_toward_the_30_kib(tmp_path: Path) -> None:
    # SubmitJob's `Parameters` (what AWS Batch substitutes into the definition's `Ref::`
    # placeholders) are part of the request: measured as the task sends them, its values
    # read from the execution's input, up to the byte.
    room = 30 * 1024 - request_bytes({"pad": ""})
    state = submit(**{"Parameters.$": "$.params"})
    for name, pad, status in (("a", "x" * room, "SUCCEEDED"), ("b", "x" * (room + 1), "FAILED")):
        (tmp_path / name).mkdir()
        s = open_flow(tmp_path / name, state)
        ex = run(s, payload={"params": {"pad": pad}})
        assert ex.status == status
        assert (ex.error, ex.cause) == (
            (None, None)
            if status == "SUCCEEDED"
            else ("Batch.ClientException", "Job size must be less than 30 KiB, got 31 KiB")
        )


def test_the_sdk_form_refuses_a_submit_job_over_30_kib_alike(tmp_path: Path) -> None:
    pad = "x" * (30 * 1024 - request_bytes({"pad": ""}) + 1)
    state = {
        "Resource": "arn:aws:states:::aws-sdk:batch:submitJob",
        "Parameters": {
            "JobDefinition": JOB_DEF,
            "JobName": "r-1",
            "JobQueue": QUEUE,
            "Parameters": {"pad": pad},
        },
    }
    s = open_flow(tmp_path, state)
    ex = run(s)
    assert ex.error == "Batch.ClientException"
    assert ex.cause == "Job size must be less than 30 KiB, got 31 KiB"
    assert not kinds(s, "batch.submitted")


def overrides_chars(command: list[str]) -> int:
    """The ContainerOverrides `{"Command": command}` as ECS counts them, with the flag."""
    return len(compact_json({"command": command, "environment": [FLAG]}))


def test_overrides_of_8192_characters_run_and_one_more_fails_the_job(tmp_path: Path) -> None:
    fits = ["echo", "x" * (8192 - overrides_chars(["echo", ""]))]
    assert overrides_chars(fits) == 8192
    (tmp_path / "a").mkdir()
    s = open_flow(tmp_path / "a", submit(ContainerOverrides={"Command": fits}))
    assert run(s).status == "SUCCEEDED"
    (tmp_path / "b").mkdir()
    over = {"Command": ["echo", fits[1] + "x"]}
    s = open_flow(tmp_path / "b", submit(ContainerOverrides=over, RetryStrategy={"Attempts": 3}))
    ex = run(s)
    assert ex.error == "States.TaskFailed"
    job = json.loads(ex.cause or "")
    assert job["Status"] == "FAILED"
    assert job["StatusReason"] == "Container Overrides length must be at most 8192"
    # AWS Batch made the job but started no container: no attempt, no retry, no behaviour.
    assert job["Attempts"] == [] and "StartedAt" not in job
    assert job["StoppedAt"] == T0
    assert not kinds(s, "batch.succeeded")
    (failed,) = kinds(s, "batch.failed")
    assert failed["execution_id"] == job["JobId"]


def test_escaped_quotes_and_the_environment_count_toward_the_overrides(tmp_path: Path) -> None:
    # 4,100 quotes are 8,200 characters escaped, over 8,192; 4,100 x's fit.
    for name, value, status in (("a", "x" * 4100, "SUCCEEDED"), ("b", '"' * 4100, "FAILED")):
        (tmp_path / name).mkdir()
        env = [{"Name": "BIG", "Value": value}]
        s = open_flow(tmp_path / name, submit(ContainerOverrides={"Environment": env}))
        assert run(s).status == status


def test_a_request_response_submit_gets_its_job_id_and_the_job_fails(tmp_path: Path) -> None:
    over = {"Command": ["x" * 8192]}
    s = open_flow(tmp_path, submit(sync=False, ContainerOverrides=over))
    ex = run(s)
    assert ex.status == "SUCCEEDED"  # SubmitJob accepted it: the failure comes later
    assert [r["execution_id"] for r in kinds(s, "batch.failed")] == [ex.output["JobId"]]


def _camel(value: Any, maps: frozenset[str] = frozenset({"Parameters", "Tags"})) -> Any:
    """The request in AWS Batch's JSON names: a lower-case first letter on every field name,
    but not on the keys of the string maps a user names."""
    if isinstance(value, list):
        return [_camel(v) for v in value]
    if not isinstance(value, dict):
        return value
    return {k[:1].lower() + k[1:]: v if k in maps else _camel(v) for k, v in value.items()}


_TEXT = st.text(max_size=20)


@settings(max_examples=50, deadline=None)
@given(
    parameters=st.dictionaries(_TEXT, _TEXT, max_size=3),
    command=st.none() | st.lists(_TEXT, max_size=3),
    env=st.lists(st.tuples(_TEXT, _TEXT), max_size=3),
    tags=st.none() | st.dictionaries(_TEXT, _TEXT, max_size=2),
)
def test_the_measured_request_is_aws_batch_s_json_with_the_flag(
    parameters: dict[str, str],
    command: list[str] | None,
    env: list[tuple[str, str]],
    tags: dict[str, str] | None,
) -> None:
    overrides: dict[str, Any] = {"Environment": [{"Name": n, "Value": v} for n, v in env]}
    if command is not None:
        overrides["Command"] = command
    params = {**submit()["Parameters"], "Parameters": parameters}
    params["ContainerOverrides"] = overrides
    if tags is not None:
        params["Tags"] = tags
    sent = _camel(params)
    sent["containerOverrides"]["environment"].append(FLAG)
    expected = (
        len(compact_json(sent).encode()),
        len(compact_json(sent["containerOverrides"])),
    )
    assert submit_request_sizes(params) == expected


def test_a_behaviour_outlasting_a_submitted_job_s_own_timeout_times_out(tmp_path: Path) -> None:
    # The job's definition has no timeout, so its behaviour (2 minutes, every attempt the
    # same) succeeds when a trigger starts it; the job this state machine submits has
    # AttemptDurationSeconds 60, which cuts the same behaviour off.
    s = open_flow(tmp_path, submit(Timeout={"AttemptDurationSeconds": 60}))
    (tmp_path / "stptui.yml").write_text("behaviors:\n  render: {duration: 2m}\n", "utf-8")
    execute(s, "reload")
    ex = run(s, 600_000)
    assert ex.status == "FAILED"
    (failed,) = kinds(s, "batch.attempt.failed")
    assert (failed["timeout"], failed["duration_ms"]) == (True, 60_000)
    s.sim.services["batch"].start("render", {}, "manual", "test")
    s.sim.advance(600_000)
    (ok,) = kinds(s, "batch.succeeded")
    assert ok["duration_ms"] == 120_000


def test_a_submitted_job_gets_no_timeout_from_the_jobs_own(tmp_path: Path) -> None:
    # Stacktape writes a job's `timeout` into its own state machine's SubmitJob (`Timeout:
    # workload.timeout ? {AttemptDurationSeconds} : undefined`), not into the job definition
    # (batch-jobs/utils.ts): a SubmitJob of that definition without Timeout has none.
    s = open_flow(tmp_path, submit())
    (tmp_path / "stacktape.yml").write_text(
        (tmp_path / "stacktape.yml")
        .read_text()
        .replace("memory: 7800}", "memory: 7800}\n      timeout: 60")
    )
    (tmp_path / "stptui.yml").write_text("behaviors:\n  render: {duration: 2m}\n", "utf-8")
    execute(s, "reload")
    ex = run(s, 600_000)
    assert ex.status == "SUCCEEDED"
    assert "Timeout" not in ex.output
    assert kinds(s, "batch.succeeded")[0]["duration_ms"] == 120_000
    # Stacktape's own state machine passes the job's timeout, which cuts the same run off.
    s.sim.services["batch"].start("render", {}, "manual", "test")
    s.sim.advance(600_000)
    (failed,) = kinds(s, "batch.attempt.failed")
    assert (failed["timeout"], failed["duration_ms"]) == (True, 60_000)


def test_a_submitted_job_whose_program_exits_3_lists_exit_code_3(tmp_path: Path) -> None:
    # AWS Batch: "The exit code for the job attempt. A non-zero exit code is considered
    # failed" (AttemptContainerDetail); the program's own status, not 1.
    open_flow(tmp_path, submit())  # writes the stack; the session below runs the program
    (tmp_path / "r.py").write_text(
        "import sys\n\ndef handler(event, context):\n    sys.exit(3)\n", encoding="utf-8"
    )
    (tmp_path / "stptui.yml").write_text('behaviors:\n  render: {handler: "r:handler"}\n')
    s = Session.open(tmp_path, start_ms=T0, allow_code=True)
    ex = run(s)
    assert ex.status == "FAILED" and ex.error == "States.TaskFailed"
    cause = json.loads(ex.cause or "")
    assert cause["StatusReason"] == "Essential container in task exited"
    assert [a["Container"]["ExitCode"] for a in cause["Attempts"]] == [3]
