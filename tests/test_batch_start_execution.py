"""A function's code starts a batch job as Stacktape's docs tell it to: StartExecution of the
job's state machine (`STP_{JOB}_STATE_MACHINE_ARN`, granted by `connectTo`) with the input
`{"triggerEvent": "<JSON text>", "jobName": ...}` its trigger function gives. A
`startExecution` emission naming the job, or boto3's `start_execution` with that ARN, starts
the execution; the state machine reads `$.jobName` and `$.triggerEvent` as Stacktape wrote
it, so an input without them fails the execution at its first Task (States.Runtime, which
Stacktape's Catch does not catch) and no attempt runs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from stptui.cli import main
from stptui.commands import Session, execute
from stptui.commands.handlers.buckets_http_jobs import show_jobs
from stptui.config import load_stack_text
from stptui.graph import build_graph
from stptui.sim import trace as tk
from stptui.sim.behavior import Behaviors
from stptui.sim.engine import Simulator
from stptui.sim.explain import explain
from stptui.starter import starter_file
from tests.simkit import handler_session, make_sim, records

PKG = "packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: p.ts}}"
MACHINE = "arn:aws:states:us-east-1:123456789012:stateMachine:sj-dev-render-batch-state-machine"
EXECUTIONS = MACHINE.replace(":stateMachine:", ":execution:")
ROLE = "arn:aws:sts::123456789012:assumed-role/sj-dev-trigger-us-east-1/sj-dev-trigger"
# The input Stacktape's trigger function gives, made by JMESPath from the event.
STACKTAPE_INPUT = "\"{triggerEvent: to_string(@), jobName: 'render-1'}\""


def stack(grant: str = "connectTo: [render]", spot: bool = False) -> str:
    """`trigger` (whose properties get `grant`) and the batch job `render`: 2 attempts, 5 s
    apart."""
    return f"""
serviceName: sj
resources:
  trigger:
    type: function
    properties:
      {PKG}
      {grant}
  render:
    type: batch-job
    properties:
      container:
        packaging: {{type: stacktape-image-buildpack, properties: {{entryfilePath: j.ts}}}}
      resources: {{cpu: 1, memory: 2048}}
      useSpotInstances: {str(spot).lower()}
      retryConfig: {{attempts: 2, retryIntervalSeconds: 5}}
"""


def sidecar(fields: str) -> str:
    return f"behaviors:\n  trigger:\n    emit:\n      - startExecution: {fields}\n"


def run(sim: Simulator, event: object) -> None:
    sim.invoke_async("trigger", event, "invoke", "test")
    sim.advance(60_000)


def test_an_emission_starts_the_job_with_the_trigger_event_and_job_name_it_gives() -> None:
    sim = make_sim(stack(), sidecar(f"{{stateMachine: render, input: {STACKTAPE_INPUT}}}"))
    run(sim, {"video": "a.mp4"})
    (inv,) = records(sim, tk.INVOCATION_SUCCEEDED, "trigger")
    (submitted,) = records(sim, tk.BATCH_SUBMITTED, "render")
    eid = submitted.get("execution_id")
    assert submitted.get("trigger") == "startExecution"
    assert submitted.get("source") == f"trigger:{inv.get('invocation_id')}"
    # StartExecution without a name: the execution is named by a generated UUID.
    assert submitted.get("execution_arn") == f"{EXECUTIONS}:{eid}"
    (attempt,) = records(sim, tk.BATCH_ATTEMPT_STARTED, "render")
    assert attempt.get("env")["STP_TRIGGER_EVENT_DATA"] == '{"video":"a.mp4"}'
    assert records(sim, tk.BATCH_SUCCEEDED, "render")
    assert not records(sim, tk.EMISSION_FAILED)
    # `show jobs` lists it with the jobName the input gave, and who started it.
    (job,) = show_jobs(sim).data
    (recent,) = job["recent"]
    assert (recent["job_name"], recent["trigger"], recent["status"]) == (
        "render-1",
        "startExecution",
        "SUCCEEDED",
    )
    # `explain` of the execution names the invocation that started it.
    chain = explain(sim.trace, eid)
    kinds = [(r.kind, r.resource) for r in chain.records]
    assert kinds[:3] == [
        (tk.INVOCATION_STARTED, "trigger"),
        (tk.INVOCATION_SUCCEEDED, "trigger"),
        (tk.BATCH_SUBMITTED, "render"),
    ]
    assert kinds[-1] == (tk.BATCH_SUCCEEDED, "render")


@pytest.mark.parametrize(
    ("event", "cause"),
    [
        # gpu-inference-api's trigger passes the request body as the whole input.
        (
            {"prompt": "hi"},
            "The JSONPath '$.jobName' specified for the field 'JobName.$' could not be found "
            'in the input \'{"prompt":"hi"}\'',
        ),
        (
            {"jobName": "render-1"},
            "The JSONPath '$.triggerEvent' specified for the field 'Value.$' could not be "
            'found in the input \'{"jobName":"render-1"}\'',
        ),
        (
            {"jobName": "render-1", "triggerEvent": {"k": 1}},
            "The Parameters could not be used to start the Task: [The value for the field "
            "'Value' must be a STRING]",
        ),
        (
            {"jobName": 7, "triggerEvent": "{}"},
            "The Parameters could not be used to start the Task: [The value for the field "
            "'JobName' must be a STRING]",
        ),
        (
            [1, 2],
            "The JSONPath '$.jobName' specified for the field 'JobName.$' could not be found "
            "in the input '[1,2]'",
        ),
    ],
)
def test_an_input_the_first_task_cannot_read_fails_the_execution_with_no_attempt(
    event: object, cause: str
) -> None:
    sim = make_sim(stack(), sidecar("{stateMachine: render, input: '@'}"))
    run(sim, event)
    (submitted,) = records(sim, tk.BATCH_SUBMITTED, "render")
    (failed,) = records(sim, tk.BATCH_FAILED, "render")
    assert failed.t == submitted.t
    assert failed.get("execution_id") == submitted.get("execution_id")
    assert (failed.get("attempts"), failed.get("error")) == (0, "States.Runtime")
    assert failed.get("error_message") == (
        f"An error occurred while executing the state 'onDemand1'. {cause}"
    )
    # States.Runtime is not caught by Stacktape's Catch of States.ALL: nothing is retried.
    assert not records(sim, tk.BATCH_ATTEMPT_STARTED)
    # StartExecution itself succeeded: the handler saw no error.
    assert records(sim, tk.INVOCATION_SUCCEEDED, "trigger")
    assert not records(sim, tk.EMISSION_FAILED)


def test_the_agenda_says_the_execution_fails_at_its_first_task() -> None:
    sim = make_sim(stack(), sidecar("{stateMachine: render}"))
    sim.invoke_async("trigger", {}, "invoke", "test")
    while not records(sim, tk.BATCH_SUBMITTED):
        assert sim.step() == 1
    eid = records(sim, tk.BATCH_SUBMITTED)[0].get("execution_id")
    what = [text for _, _, _, text in sim.agenda()]
    assert what == [f"execution {eid} fails at its first Task (States.Runtime)"]


def test_a_spot_jobs_first_state_is_named_spot1() -> None:
    sim = make_sim(stack(spot=True), sidecar("{stateMachine: render}"))
    run(sim, {})
    (failed,) = records(sim, tk.BATCH_FAILED, "render")
    assert failed.get("error_message").startswith(
        "An error occurred while executing the state 'spot1'. The JSONPath '$.jobName'"
    )
    assert failed.get("error_message").endswith("in the input '{}'")


def test_a_job_name_aws_batch_refuses_fails_every_attempt_and_is_retried() -> None:
    fields = "{stateMachine: render, input: \"{triggerEvent: '{}', jobName: 'my job'}\"}"
    sim = make_sim(stack(), sidecar(fields))
    run(sim, {})
    started = records(sim, tk.BATCH_ATTEMPT_STARTED, "render")
    assert [r.get("batch_job_id") for r in started] == [None, None], "SubmitJob made no job"
    failures = records(sim, tk.BATCH_ATTEMPT_FAILED, "render")
    assert [f.get("error") for f in failures] == ["Batch.AWSBatchException"] * 2
    assert failures[0].get("error_message").startswith("Job name 'my job' is not valid")
    assert started[1].t - started[0].t == 5_000
    (failed,) = records(sim, tk.BATCH_FAILED, "render")
    assert failed.get("attempts") == 2


def test_the_jobs_name_counts_toward_submit_jobs_30_kib() -> None:
    # The same event fits with a short jobName and not with one of 128 characters: 7,540
    # characters of 4 UTF-8 bytes each (30,160 bytes) stay under the overrides' 8,192
    # characters and come within 127 bytes of SubmitJob's 30,720.
    event = json.dumps({"b": "\U0001f600" * 7_540}, ensure_ascii=False)
    for name, fits in (("j", True), ("j" * 128, False)):
        body = json.dumps({"triggerEvent": event, "jobName": name}, ensure_ascii=False)
        sim = make_sim(stack(), sidecar("{stateMachine: render, input: body}"))
        run(sim, {"body": body})
        errors = [r.get("error") for r in records(sim, tk.BATCH_ATTEMPT_FAILED, "render")]
        assert errors == ([] if fits else ["Batch.ClientException"] * 2), name


def test_without_connect_to_the_call_is_access_denied_on_the_jobs_state_machine() -> None:
    sim = make_sim(stack(grant=""), sidecar(f"{{stateMachine: render, input: {STACKTAPE_INPUT}}}"))
    sim.invoke_async("trigger", {}, "invoke", "test")
    sim.advance(600_000)
    message = (
        f"User: {ROLE} is not authorized to perform: states:StartExecution on resource: "
        f"{MACHINE} because no identity-based policy allows the states:StartExecution action"
    )
    failed = records(sim, tk.INVOCATION_FAILED, "trigger")[0]
    assert (failed.get("error"), failed.get("error_message")) == ("AccessDeniedException", message)
    refused = records(sim, tk.EMISSION_FAILED, "trigger")[0]
    assert refused.get("error").startswith(f"AccessDeniedException: {message} (stptui.yml:4:9")
    assert not records(sim, tk.BATCH_SUBMITTED)


def test_an_iam_statement_on_the_state_machine_arn_grants_it_too() -> None:
    grant = (
        "iamRoleStatements: [{Action: ['states:StartExecution'], "
        "Resource: [\"$ResourceParam('render', 'stateMachineArn')\"]}]"
    )
    sim = make_sim(
        stack(grant=grant), sidecar(f"{{stateMachine: render, input: {STACKTAPE_INPUT}}}")
    )
    run(sim, {})
    assert records(sim, tk.BATCH_SUBMITTED, "render")


def test_an_input_over_256_kib_is_refused_and_starts_nothing() -> None:
    sim = make_sim(stack(), sidecar("{stateMachine: render, input: '@'}"))
    run(sim, {"blob": "x" * 262_144})
    (refused,) = records(sim, tk.EMISSION_FAILED, "trigger")
    assert refused.get("error").startswith(
        "InvalidExecutionInput: the input is 262,155 bytes; an execution's input is at most "
        "262,144 (256 KiB)"
    )
    assert not records(sim, tk.BATCH_SUBMITTED)


def test_input_that_is_not_json_is_invalid_execution_input() -> None:
    sim = make_sim(stack(), sidecar("{stateMachine: render, input: body}"))
    run(sim, {"body": "not json"})
    (refused,) = records(sim, tk.EMISSION_FAILED, "trigger")
    assert refused.get("error").startswith(
        "InvalidExecutionInput: Invalid State Machine Execution Input: "
    )
    assert not records(sim, tk.BATCH_SUBMITTED)


def test_a_name_names_the_execution_once_per_state_machine() -> None:
    fields = f"{{stateMachine: render, input: {STACKTAPE_INPUT}, name: \"'nightly'\"}}"
    sidecar_text = sidecar(fields) + "  render: {duration: 10s}\n"
    sim = make_sim(stack(), sidecar_text)
    sim.invoke_async("trigger", {"n": 1}, "invoke", "test")
    sim.advance(1_000)
    (submitted,) = records(sim, tk.BATCH_SUBMITTED, "render")
    assert submitted.get("execution_arn") == f"{EXECUTIONS}:nightly"
    # Running, same input: StartExecution answers with that execution, and starts none.
    sim.invoke_async("trigger", {"n": 1}, "invoke", "test")
    sim.advance(1_000)
    assert len(records(sim, tk.BATCH_SUBMITTED, "render")) == 1
    assert not records(sim, tk.EMISSION_FAILED)
    sim.invoke_async("trigger", {"n": 2}, "invoke", "test")
    sim.advance(1_000)
    (refused,) = records(sim, tk.EMISSION_FAILED, "trigger")
    assert refused.get("error").startswith(
        f"ExecutionAlreadyExists: Execution Already Exists: '{EXECUTIONS}:nightly'"
    )


HANDLERS = """
import json
import os

import boto3

sfn = boto3.client("stepfunctions")


def start(event, context):
    # Stacktape's trigger function's input, json.dumps with its spaces: the container gets
    # the text as it was given.
    got = sfn.start_execution(
        stateMachineArn=os.environ["STP_RENDER_STATE_MACHINE_ARN"],
        input=json.dumps({"triggerEvent": json.dumps(event), "jobName": "render-py"}),
    )
    return {"arn": got["executionArn"], "date": got["startDate"].isoformat()}


def bare(event, context):
    got = sfn.start_execution(
        stateMachineArn=os.environ["STP_RENDER_STATE_MACHINE_ARN"], input=json.dumps(event)
    )
    return got["executionArn"]


def wrong(event, context):
    sfn.start_execution(stateMachineArn=MACHINE.replace("render", "rendr"), input="{}")


MACHINE = os.environ["STP_RENDER_STATE_MACHINE_ARN"]
"""


def python_session(tmp_path: Path, handler: str) -> Session:
    return handler_session(
        tmp_path,
        stack(),
        {"trigger": f"sj_handlers:{handler}"},
        {"sj_handlers.py": HANDLERS},
    )


def test_a_python_handler_starts_the_job_by_its_state_machine_arn(tmp_path: Path) -> None:
    s = python_session(tmp_path, "start")
    result = execute(s, 'invoke trigger \'{"video": "b.mp4"}\'')
    execute(s, "advance 1m")
    (submitted,) = records(s.sim, tk.BATCH_SUBMITTED, "render")
    assert result.data["response"] == {
        "arn": submitted.get("execution_arn"),
        "date": "2026-01-05T08:00:00+00:00",
    }
    (attempt,) = records(s.sim, tk.BATCH_ATTEMPT_STARTED, "render")
    assert attempt.get("env")["STP_TRIGGER_EVENT_DATA"] == '{"video": "b.mp4"}'
    assert records(s.sim, tk.BATCH_SUCCEEDED, "render")


def test_a_python_handler_passing_its_event_as_the_input_starts_a_job_that_fails(
    tmp_path: Path,
) -> None:
    # What gpu-inference-api's trigger does: the call succeeds, the execution fails.
    s = python_session(tmp_path, "bare")
    result = execute(s, 'invoke trigger \'{"prompt": "hi"}\'')
    execute(s, "advance 1m")
    (submitted,) = records(s.sim, tk.BATCH_SUBMITTED, "render")
    assert result.data["response"] == submitted.get("execution_arn")
    (failed,) = records(s.sim, tk.BATCH_FAILED, "render")
    assert failed.get("error") == "States.Runtime"
    assert not records(s.sim, tk.BATCH_ATTEMPT_STARTED)


def test_a_python_handler_naming_no_state_machine_is_told_the_jobs_arns(tmp_path: Path) -> None:
    s = python_session(tmp_path, "wrong")
    execute(s, "invoke trigger '{}'")
    (failed,) = records(s.sim, tk.INVOCATION_FAILED, "trigger")
    assert failed.get("error") == "BehaviorError"
    assert failed.get("error_message").endswith(
        "the stack has no state-machine; and the batch jobs, by their state machine's ARN: "
        f"render ({MACHINE})"
    )


def test_the_behaviours_file_takes_a_batch_job_as_a_state_machine() -> None:
    st = load_stack_text(stack(), "stacktape.yml")
    _, diags = Behaviors.from_text(sidecar("{stateMachine: render}"), "stptui.yml", st)
    assert not diags, [d.format() for d in diags]


def test_another_emission_naming_a_batch_job_says_how_code_starts_one() -> None:
    st = load_stack_text(stack(), "stacktape.yml")
    text = "behaviors:\n  trigger:\n    emit:\n      - invoke: {function: render, payload: '@'}\n"
    _, diags = Behaviors.from_text(text, "stptui.yml", st)
    (diag,) = [d for d in diags if d.severity == "error"]
    assert (diag.code, diag.message) == (
        "behavior-wrong-target-type",
        "'render' is a batch-job; invoke needs a function",
    )
    assert diag.hint == (
        "code starts a batch job with `startExecution: {stateMachine: render, input: "
        "\"{triggerEvent: to_string(@), jobName: 'my-job'}\"}`; `start-job render` at the "
        "prompt"
    )


def test_validate_warns_about_a_start_of_a_job_the_role_does_not_allow(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "stacktape.yml").write_text(stack(grant=""), encoding="utf-8")
    (tmp_path / "stptui.yml").write_text(sidecar("{stateMachine: render}"), encoding="utf-8")
    assert main(["validate", str(tmp_path / "stacktape.yml")]) == 0
    out = capsys.readouterr().out
    assert "does not allow states:StartExecution on 'render'" in out
    assert "hint: add render to trigger's connectTo: `connectTo: [render]`" in out


def test_the_graph_draws_the_function_to_job_connect_edge() -> None:
    st = load_stack_text(stack(), "stacktape.yml")
    edges = build_graph(st).get_edge_data("trigger", "render") or {}
    assert [d.get("kind") for d in edges.values()] == ["connect"]


def test_stptui_init_writes_the_start_of_a_connected_job_which_runs_uncommented() -> None:
    st = load_stack_text(stack(), "stacktape.yml")
    text = starter_file(st).text
    line = (
        '    #   - startExecution: {stateMachine: render, input: "{triggerEvent: '
        "to_string(@), jobName: 'render'}\"}\n"
    )
    assert line in text
    uncommented = text.replace("    # emit:\n" + line, "    emit:\n" + line.replace("#", " ", 1))
    sim = make_sim(stack(), uncommented)
    run(sim, {"video": "c.mp4"})
    (attempt,) = records(sim, tk.BATCH_ATTEMPT_STARTED, "render")
    assert attempt.get("env")["STP_TRIGGER_EVENT_DATA"] == '{"video":"c.mp4"}'
    assert show_jobs(sim).data[0]["recent"][0]["job_name"] == "render"
