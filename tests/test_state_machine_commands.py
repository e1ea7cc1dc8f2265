"""The state machine commands on docs/examples/workflow.yml: start-execution (JSON or @FILE
input, --name), stop-execution, show executions / execution, explain, expect figures and
completion; every refusal says what to do and changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from session_checks import refused

from stptui.commands import Session, complete_values, execute
from stptui.commands.registry import EXECUTION, STATE_MACHINE
from stptui.sim.clock import parse_instant

ROOT = Path(__file__).resolve().parents[1]
WORKFLOW = ROOT / "docs" / "examples" / "workflow.yml"
T0 = parse_instant("2026-01-05T08:00:00Z")


@pytest.fixture
def s() -> Session:
    return Session.open(
        WORKFLOW, behaviors_path=WORKFLOW.with_name("workflow-behaviors.yml"), start_ms=T0
    )


def test_names_of_state_machines_get_a_did_you_mean(s: Session) -> None:
    err = refused(s, "start-execution orderFlw '{}'")
    assert str(err) == "no state-machine named 'orderFlw'"
    assert err.hint == "did you mean orderFlow?"
    err = refused(s, "start-execution checkOrder '{}'")
    assert str(err) == "'checkOrder' is a function, not a state-machine"


def test_the_input_must_be_json(s: Session) -> None:
    err = refused(s, "start-execution orderFlow '{orderId: 1}'")
    assert str(err).startswith("InvalidExecutionInput: the input is not JSON")
    assert "@FILE" in str(err.hint)
    err = refused(s, "start-execution orderFlow @/nonexistent/input.json")
    assert str(err).startswith("cannot read '/nonexistent/input.json'")


def test_the_input_may_come_from_a_file(s: Session, tmp_path: Path) -> None:
    source = tmp_path / "order.json"
    source.write_text('{"orderId": "o-9", "amount": 10}', encoding="utf-8")
    out = execute(s, f"start-execution orderFlow @{source} --name from-file")
    assert out.data["status"] == "RUNNING"
    execute(s, "advance 1m")
    shown = execute(s, "show execution from-file")
    assert shown.data["input"] == {"orderId": "o-9", "amount": 10}
    assert shown.data["status"] == "SUCCEEDED"


def test_show_and_expect_follow_the_executions(s: Session) -> None:
    assert "no executions of any state machine yet" in execute(s, "show executions").text
    execute(s, 'start-execution orderFlow \'{"orderId": "o-1", "amount": 1}\' --name a1')
    execute(s, 'start-execution orderFlow \'{"orderId": "o-2", "amount": 999}\' --name b2')
    listing = execute(s, "show executions orderFlow")
    assert listing.table is not None
    assert [row[1:3] for row in listing.table[1]] == [["a1", "RUNNING"], ["b2", "RUNNING"]]
    execute(s, "advance 2m")
    assert execute(s, "expect state_machine.orderFlow.started == 2").data["ok"]
    assert execute(s, "expect state_machine.orderFlow.succeeded == 1").data["ok"]
    history = execute(s, "show execution a1").data["history"]
    assert [h["event"] for h in history if h["state"] == "IsPayable"] == [
        "ChoiceStateEntered",
        "Choice",
        "ChoiceStateExited",
    ]
    assert "Retry" in {h["event"] for h in history}
    why = execute(s, "explain b2").text
    assert "IsPayable -> OrderFailed: rule 1 did not match" in why
    assert "invocation.succeeded" in why  # the invocation its task made


def test_expect_paths_refuse_what_is_not_there(s: Session) -> None:
    err = refused(s, "expect state_machine.orderFlow.runing == 0")
    assert err.hint == "did you mean state_machine.orderFlow.running?"
    err = refused(s, "expect state_machine.orderFlw.running == 0")
    assert err.hint == "did you mean orderFlow?"


def test_executions_are_named_by_name_prefix_or_arn(s: Session) -> None:
    execute(s, "start-execution orderFlow '{\"amount\": 1}' --name night-1")
    execute(s, "start-execution orderFlow '{\"amount\": 2}' --name night-2")
    err = refused(s, "show execution night")
    assert str(err) == "'night' names 2 executions"
    arn = execute(s, "show execution night-2").data["executionArn"]
    assert execute(s, f"show execution {arn}").data["name"] == "night-2"
    err = refused(s, "stop-execution day-1")
    assert (str(err), err.hint) == ("no execution 'day-1'", "`show executions` lists them")
    refused(s, "show execution")


def test_stop_execution_of_a_finished_one_is_refused(s: Session) -> None:
    execute(s, "start-execution orderFlow '{\"amount\": 900}' --name over")
    execute(s, "advance 1s")
    err = refused(s, "stop-execution over")
    assert (str(err), err.hint) == (
        "execution 'over' is already FAILED",
        "only a RUNNING execution can be stopped",
    )


def test_an_invalid_definition_cannot_be_started(tmp_path: Path) -> None:
    (tmp_path / "stacktape.yml").write_text(
        "resources:\n"
        "  flow:\n"
        "    type: state-machine\n"
        "    properties:\n"
        "      definition: {StartAt: A, States: {A: {Type: Pass, Next: B}}}\n",
        encoding="utf-8",
    )
    s = Session.open(tmp_path, start_ms=T0)
    err = refused(s, "start-execution flow")
    assert "MISSING_TRANSITION_TARGET: Missing 'Next' target: B" in str(err)
    assert err.hint == "`stptui validate` lists every problem of the definition"


def test_completion_offers_state_machines_and_executions(s: Session) -> None:
    assert complete_values(s, STATE_MACHINE) == ["orderFlow"]
    execute(s, "start-execution orderFlow '{}' --name first")
    execute(s, "start-execution orderFlow '{}' --name second")
    assert complete_values(s, EXECUTION) == ["second", "first"]


FLOW_AFTER_A_TASK = """
resources:
  validate:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: v.ts}}
  flow:
    type: state-machine
    properties:
      definition:
        StartAt: Validate
        States:
          Validate:
            Type: Task
            Resource: {"Fn::GetAtt": [ValidateFunction, Arn]}
            Next: IsValid
          IsValid:
            Type: Choice
            Choices: [{Variable: $.valid, BooleanEquals: true, Next: Done}]
            Default: Done
          Done: {Type: Succeed}
"""


def test_a_path_into_the_null_a_function_returned_gets_a_hint_to_declare_its_response(
    tmp_path: Path,
) -> None:
    stack = tmp_path / "stacktape.yml"
    stack.write_text(FLOW_AFTER_A_TASK, encoding="utf-8")
    # Without a `response`, validate returns null, which becomes IsValid's whole input.
    bare = Session.open(stack, start_ms=T0)
    execute(bare, "start-execution flow '{\"valid\": true}' --name n")
    execute(bare, "advance 1m")
    shown = execute(bare, "show execution n")
    assert shown.data["error"] == "States.Runtime"
    assert "declares no `response`" in shown.data["hint"]
    assert "  hint: the state's input is null" in shown.text
    assert "  hint: the state's input is null" in execute(bare, "explain n").text
    # Declaring what the function returns makes the same execution succeed, with no hint.
    sidecar = tmp_path / "stptui.yml"
    sidecar.write_text("behaviors:\n  validate: {response: '{valid: `true`}'}\n")
    s = Session.open(stack, behaviors_path=sidecar, start_ms=T0)
    execute(s, "start-execution flow '{\"valid\": true}' --name n")
    execute(s, "advance 1m")
    shown = execute(s, "show execution n")
    assert (shown.data["status"], shown.data["hint"]) == ("SUCCEEDED", None)


def test_a_batch_jobs_execution_id_is_named_as_one() -> None:
    # Batch jobs run in executions of their own (`start-job` says "started execution ID");
    # the id given to `show execution` gets what it names and where to look instead.
    s = Session.open(ROOT / "docs" / "examples" / "commands-stack.yml", start_ms=T0)
    eid = execute(s, "start-job heavyJob").data["execution_id"]
    err = refused(s, f"show execution {eid[:8]}")
    assert str(err) == f"{eid[:8]!r} is an execution of batch job heavyJob, not of a state machine"
    assert err.hint == (
        f"`explain {eid[:8]}` shows its attempts; `show job heavyJob` lists its executions"
    )
    # `stop-execution` stops it, as StopExecution of the job's state machine does.
    assert execute(s, f"stop-execution {eid}").data["status"] == "ABORTED"
    # A stack without state machines does not suggest starting an execution of one.
    err = refused(s, "show execution abc")
    assert (str(err), err.hint) == ("no execution 'abc'", "this stack has no state machines")
    # Its executions' list says where the batch jobs' runs are.
    assert execute(s, "show executions").text == (
        "this stack has no state machines; its batch jobs run in state machines Stacktape "
        "makes for them: show jobs"
    )


def test_an_unknown_execution_of_a_stack_with_state_machines(s: Session) -> None:
    assert refused(s, "show execution nope").hint == "start one with start-execution"
    execute(s, "start-execution orderFlow '{}' --name first")
    assert refused(s, "show execution nope").hint == "`show executions` lists them"
