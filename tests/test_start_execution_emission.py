"""The startExecution emission and `context.start_execution`: a handler starts a Step
Functions execution with StartExecution's rules (input JSON of at most 256 KiB, name rules,
ExecutionAlreadyExists), refusals are `emission.failed` records with Step Functions' error,
the role needs connectTo the state machine, and `explain` of the request that started it
follows the chain into the execution."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from stptui.cli import main
from stptui.commands import Session, execute
from stptui.commands.session import SessionError
from stptui.config import load_stack_text
from stptui.sim import trace as tk
from stptui.sim.behavior import Behaviors
from stptui.sim.engine import Simulator
from stptui.sim.explain import explain
from stptui.sim.services.state_machine import lookup_machine
from tests.simkit import EXAMPLES, START, make_sim, records

PKG = "packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: p.ts}}"
ROLE = "arn:aws:sts::123456789012:assumed-role/sfe-dev-producer-us-east-1/sfe-dev-producer"
FLOW_ARN = "arn:aws:states:us-east-1:123456789012:stateMachine:sfe-dev-flow"
DEFINITION = {
    "StartAt": "Work",
    "States": {
        "Work": {
            "Type": "Task",
            "Resource": {"Fn::GetAtt": ["WorkerFunction", "Arn"]},
            "Next": "W",
        },
        "W": {"Type": "Wait", "Seconds": 60, "End": True},
    },
}


def stack(grant: str = "connectTo: [flow]") -> str:
    """`producer` (whose properties get `grant`), `worker`, and the state machine `flow`
    whose Task invokes worker and then waits a minute."""
    return f"""
serviceName: sfe
resources:
  worker:
    type: function
    properties:
      {PKG}
  producer:
    type: function
    properties:
      {PKG}
      {grant}
  flow:
    type: state-machine
    properties:
      definition: {json.dumps(DEFINITION)}
"""


def sidecar(fields: str) -> str:
    return f"behaviors:\n  producer:\n    emit:\n      - startExecution: {fields}\n"


def produce(sim: Simulator, payload: object) -> None:
    sim.invoke_async("producer", payload, "invoke", "test")
    sim.advance(1_000)


# What follows a refused call's error: where the behaviours file declares the item.
ORIGIN = re.compile(r" \(stptui\.yml:4:9: producer\.emit\[0\]\.startExecution\)$")


def refusals(sim: Simulator) -> list[str]:
    """The services' errors of the refused calls, each checked to name the item's place."""
    errors = [r.get("error") for r in records(sim, tk.EMISSION_FAILED, "producer")]
    assert all(ORIGIN.search(e) for e in errors), errors
    return [ORIGIN.sub("", e) for e in errors]


def test_an_emission_starts_an_execution_with_its_input_and_name() -> None:
    sim = make_sim(
        stack(), sidecar("{stateMachine: flow, input: '@', name: \"join('-', ['o', id])\"}")
    )
    produce(sim, {"id": "7", "amount": 3})
    machine = lookup_machine(sim, "flow")
    ex = machine.executions["o-7"]
    assert ex.input == {"id": "7", "amount": 3}
    assert ex.arn == "arn:aws:states:us-east-1:123456789012:execution:sfe-dev-flow:o-7"
    (started,) = records(sim, tk.SFN_EXECUTION_STARTED, "flow")
    (inv,) = records(sim, tk.INVOCATION_SUCCEEDED, "producer")
    assert started.get("source") == f"producer:{inv.get('invocation_id')}"
    # The execution goes on: its Task invokes worker.
    assert records(sim, tk.INVOCATION_STARTED, "worker")
    assert not refusals(sim)


def test_without_input_the_execution_gets_an_empty_object_and_a_uuid_name() -> None:
    sim = make_sim(stack(), sidecar("{stateMachine: flow}"))
    produce(sim, {"id": "1"})
    (ex,) = lookup_machine(sim, "flow").executions.values()
    assert ex.input == {}
    assert len(ex.name) == 36 and ex.name.count("-") == 4


def test_a_string_input_is_read_as_the_json_text_the_sdk_sends() -> None:
    sim = make_sim(stack(), sidecar("{stateMachine: flow, input: body}"))
    produce(sim, {"body": '{"orderId": "o-1"}'})
    (ex,) = lookup_machine(sim, "flow").executions.values()
    assert ex.input == {"orderId": "o-1"}


def test_input_that_is_not_json_is_refused_with_invalid_execution_input() -> None:
    sim = make_sim(stack(), sidecar("{stateMachine: flow, input: body}"))
    produce(sim, {"body": "not json"})
    (error,) = refusals(sim)
    assert error.startswith("InvalidExecutionInput: Invalid State Machine Execution Input: ")
    assert not lookup_machine(sim, "flow").executions
    assert records(sim, tk.INVOCATION_SUCCEEDED, "producer"), "the invocation still succeeded"


def test_input_nested_past_the_json_limit_is_refused_not_a_crash() -> None:
    sim = make_sim(stack(), sidecar("{stateMachine: flow, input: body}"))
    produce(sim, {"body": "[" * 5000 + "]" * 5000})
    (error,) = refusals(sim)
    assert error.startswith("InvalidExecutionInput: Invalid State Machine Execution Input: ")
    assert "nests more than" in error


def test_input_over_256_kib_is_refused() -> None:
    sim = make_sim(stack(), sidecar("{stateMachine: flow, input: '@'}"))
    produce(sim, {"blob": "x" * 262_144})
    (error,) = refusals(sim)
    assert error == (
        "InvalidExecutionInput: the input is 262,155 bytes; an execution's input is at most "
        "262,144 (256 KiB)"
    )
    assert not lookup_machine(sim, "flow").executions


def test_a_name_used_before_is_execution_already_exists_unless_same_input_and_running() -> None:
    sim = make_sim(stack(), sidecar("{stateMachine: flow, input: '@', name: \"'fixed'\"}"))
    produce(sim, {"n": 1})
    produce(sim, {"n": 1})  # running, same input: StartExecution returns the same execution
    assert not refusals(sim)
    assert len(records(sim, tk.SFN_EXECUTION_STARTED, "flow")) == 1
    produce(sim, {"n": 2})
    (error,) = refusals(sim)
    assert error == f"ExecutionAlreadyExists: Execution Already Exists: '{FLOW_ARN}:fixed'".replace(
        ":stateMachine:", ":execution:"
    )
    sim.advance(120_000)  # the first one ends; its name stays taken
    produce(sim, {"n": 1})
    assert len(refusals(sim)) == 2


def test_a_name_from_the_input_that_breaks_the_rules_is_invalid_name() -> None:
    sim = make_sim(stack(), sidecar("{stateMachine: flow, name: id}"))
    produce(sim, {"id": "a b"})
    assert refusals(sim) == ["InvalidName: Invalid Name: 'a b'"]


def test_without_connect_to_the_call_is_access_denied() -> None:
    sim = make_sim(stack(grant=""), sidecar("{stateMachine: flow}"))
    sim.invoke_async("producer", {}, "invoke", "test")
    sim.advance(600_000)
    message = (
        f"User: {ROLE} is not authorized to perform: states:StartExecution on resource: "
        f"{FLOW_ARN} because no identity-based policy allows the states:StartExecution action"
    )
    failed = records(sim, tk.INVOCATION_FAILED, "producer")[0]
    assert (failed.get("error"), failed.get("error_message")) == ("AccessDeniedException", message)
    assert refusals(sim)[0] == f"AccessDeniedException: {message}"
    assert not records(sim, tk.SFN_EXECUTION_STARTED)


def test_an_iam_role_statement_grants_it_too() -> None:
    grant = "iamRoleStatements: [{Action: ['states:StartExecution'], Resource: ['*']}]"
    sim = make_sim(stack(grant=grant), sidecar("{stateMachine: flow}"))
    produce(sim, {})
    assert records(sim, tk.SFN_EXECUTION_STARTED, "flow")


@pytest.mark.parametrize(
    ("fields", "code", "message", "column"),
    [
        ("{stateMachine: flw}", "behavior-unknown-target", "did you mean 'flow'?", 40),
        ("{stateMachine: worker}", "behavior-wrong-target-type", "needs a state-machine", 40),
        ("{stateMachine: flow, name: \"'a b'\"}", "behavior-bad-value", "InvalidName", 52),
        ("{stateMachine: flow, name: 5}", "behavior-bad-value", "name is text", 52),
        ("{stateMachine: flow, inptu: '@'}", "behavior-unknown-key", "inptu", 46),
    ],
)
def test_the_behaviours_file_is_checked_at_load_with_line_and_column(
    fields: str, code: str, message: str, column: int
) -> None:
    st = load_stack_text(stack(), "stacktape.yml")
    _, diags = Behaviors.from_text(sidecar(fields), "stptui.yml", st)
    (diag,) = [d for d in diags if d.severity == "error"]
    assert diag.code == code and message in diag.message, diag.format()
    assert (diag.line, diag.column) == (4, column)


def test_validate_warns_about_a_start_execution_the_role_does_not_allow(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "stacktape.yml").write_text(stack(grant=""), encoding="utf-8")
    (tmp_path / "stptui.yml").write_text(sidecar("{stateMachine: flow}"), encoding="utf-8")
    assert main(["validate", str(tmp_path / "stacktape.yml")]) == 0
    out = capsys.readouterr().out
    assert "warning emission-not-permitted [producer]" in out
    assert "does not allow states:StartExecution on 'flow'" in out
    assert "hint: add flow to producer's connectTo: `connectTo: [flow]`" in out


HANDLERS = """
import json


def start(event, context):
    context.start_execution("flow", json.dumps({"id": event["id"]}), name="py-" + event["id"])
    context.start_execution("flow", {"id": event["id"], "again": True})
    return "ok"


def missing(event, context):
    context.start_execution("flw", {})
"""


def handler_sim(tmp_path: Path, handler: str) -> Simulator:
    (tmp_path / "sfe_handlers.py").write_text(HANDLERS, encoding="utf-8")
    st = load_stack_text(stack(), "stacktape.yml")
    text = f"behaviors:\n  producer: {{handler: 'sfe_handlers:{handler}'}}\n"
    behaviors, diags = Behaviors.from_text(
        text, str(tmp_path / "stptui.yml"), st, allow_code=True, base_dir=tmp_path
    )
    assert not diags
    sim = Simulator(st, behaviors, seed=0, start_ms=START)
    produce(sim, {"id": "9"})
    return sim


def test_a_python_handler_starts_executions_with_context_start_execution(tmp_path: Path) -> None:
    sim = handler_sim(tmp_path, "start")
    executions = lookup_machine(sim, "flow").executions
    assert executions["py-9"].input == {"id": "9"}
    assert [ex.input for name, ex in executions.items() if name != "py-9"] == [
        {"id": "9", "again": True}
    ]


def test_a_python_handler_naming_no_state_machine_fails_with_a_did_you_mean(
    tmp_path: Path,
) -> None:
    sim = handler_sim(tmp_path, "missing")
    failed = records(sim, tk.INVOCATION_FAILED, "producer")[0]
    assert failed.get("error") == "BehaviorError"
    assert "no state-machine named 'flw' in the stack; did you mean 'flow'?" in failed.get(
        "error_message"
    )


def test_explain_of_the_http_request_follows_into_the_named_execution() -> None:
    s = Session.open(
        EXAMPLES / "workflow.yml",
        behaviors_path=EXAMPLES / "workflow-behaviors.yml",
        start_ms=START,
    )
    execute(s, 'http POST /orders/o-7 \'{"orderId": "o-7", "amount": 80}\'')
    execute(s, "advance 1m")
    (request,) = records(s.sim, tk.HTTP_REQUEST, "ordersApi")
    chain = explain(s.sim.trace, request.get("request_id"))
    kinds = [(r.kind, r.resource) for r in chain.records]
    assert (tk.SFN_EXECUTION_STARTED, "orderFlow") in kinds
    assert (tk.INVOCATION_SUCCEEDED, "writeReceipt") in kinds, "the chain reaches the last task"
    assert kinds[-1] == (tk.SFN_EXECUTION_SUCCEEDED, "orderFlow")


def test_same_commands_give_the_same_trace() -> None:
    def run() -> list[str]:
        s = Session.open(
            EXAMPLES / "workflow.yml",
            behaviors_path=EXAMPLES / "workflow-behaviors.yml",
            start_ms=START,
        )
        for line in (
            'http POST /orders/a \'{"orderId": "a", "amount": 1}\'',
            'http POST /orders/a \'{"orderId": "a", "amount": 2}\'',
            "advance 2m",
        ):
            execute(s, line)
        return [json.dumps(r.to_json()) for r in s.sim.trace.records]

    assert run() == run()


def test_a_bad_behaviours_file_is_refused_when_the_session_opens(tmp_path: Path) -> None:
    (tmp_path / "stacktape.yml").write_text(stack(), encoding="utf-8")
    side = tmp_path / "stptui.yml"
    side.write_text(sidecar("{stateMachine: flw}"), encoding="utf-8")
    with pytest.raises(SessionError) as caught:
        Session.open(tmp_path / "stacktape.yml", behaviors_path=side, start_ms=START)
    assert "did you mean 'flow'?" in caught.value.diagnostics[0].message
