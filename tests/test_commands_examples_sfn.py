"""The example input a state machine is offered (the start-execution dialog's, Tab's at
`start-execution SM `) has what its first states read, so that it runs the first time.

`{}` was offered whatever the machine: on one whose first Choice reads `$.valid` the
execution failed at once with States.Runtime ("Invalid path '$.valid'"), and the hint said
to guard the rule, not what to start it with. Now the example is read statically from the
definition (`stptui.sim.asl_examples`), and an execution that fails on a path its input
lacks names the path and an input that has it, in start-execution's answer too."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from replkit import complete, metas
from test_state_machine_properties import any_definitions

from stptui.commands import Session, execute
from stptui.commands.examples import execution_example
from stptui.commands.registry import CommandError, quote_word
from stptui.sim.asl_examples import example_input, example_input_text
from stptui.sim.clock import parse_instant

T0 = parse_instant("2026-01-05T08:00:00Z")
REAL = Path(__file__).resolve().parents[1].parent / "shared" / "reference" / "real-stacks"
PKG = "packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}"


def session_of(tmp_path: Path, definition: dict[str, Any]) -> Session:
    """A session of a stack with one function (`work`, returning its event as declared in
    the behaviours file) and the state machine `flow` of `definition`."""
    stack = (
        "resources:\n"
        f"  work:\n    type: function\n    properties:\n      {PKG}\n"
        "  flow:\n    type: state-machine\n    properties:\n"
        f"      definition: {json.dumps(definition)}\n"
    )
    (tmp_path / "stacktape.yml").write_text(stack, encoding="utf-8")
    session = Session.open(tmp_path, start_ms=T0)
    assert not session.stack.errors, session.stack.errors
    return session


def run_example(session: Session) -> dict[str, Any]:
    """Start `flow` with its example input, run the clock on, and `show execution`'s data."""
    example = execution_example(session.sim, "flow")
    execute(session, f"start-execution flow {quote_word(example)} --name ex")
    execute(session, "advance 10m")
    return execute(session, "show execution ex").data


def first_branch(rule: dict[str, Any]) -> dict[str, Any]:
    """A machine whose Choice succeeds on its first rule and fails otherwise."""
    return {
        "StartAt": "Pick",
        "States": {
            "Pick": {"Type": "Choice", "Choices": [{**rule, "Next": "Took"}], "Default": "No"},
            "Took": {"Type": "Succeed"},
            "No": {"Type": "Fail", "Error": "Default"},
        },
    }


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ({"Variable": "$.valid", "BooleanEquals": True}, {"valid": True}),
        ({"Variable": "$.valid", "BooleanEquals": False}, {"valid": False}),
        ({"Variable": "$.order.amount", "NumericGreaterThan": 100}, {"order": {"amount": 101}}),
        ({"Variable": "$.n", "NumericLessThanEquals": 3}, {"n": 3}),
        ({"Variable": "$.kind", "StringEquals": "refund"}, {"kind": "refund"}),
        ({"Variable": "$.file", "StringMatches": "*.csv"}, {"file": ".csv"}),
        ({"Variable": "$.id", "IsPresent": True}, {"id": "example"}),
        ({"Variable": "$.id", "IsPresent": False}, {}),
        ({"Variable": "$.at", "IsTimestamp": True}, {"at": "2024-01-01T00:00:00Z"}),
        (
            {"Variable": "$.at", "TimestampGreaterThan": "2026-01-05T08:00:00Z"},
            {"at": "2026-01-06T08:00:00Z"},
        ),
        ({"Not": {"Variable": "$.kind", "StringEquals": "test"}}, {"kind": "testz"}),
        (
            {
                "And": [
                    {"Variable": "$.a", "IsNumeric": True},
                    {"Variable": "$.a", "NumericGreaterThanPath": "$.b"},
                ]
            },
            {"a": 2, "b": 1},
        ),
        ({"Variable": "$.a", "NumericGreaterThanPath": "$.b"}, {"a": 2, "b": 1}),
        (
            {"Or": [{"Variable": "$.x", "StringEquals": "y"}, {"Variable": "$.z", "IsNull": True}]},
            {"x": "y", "z": None},
        ),
        ({"Variable": "$$.Execution.Name", "StringEquals": "ex"}, {}),
    ],
)
def test_the_example_takes_a_choices_first_branch(
    tmp_path: Path, rule: dict[str, Any], expected: dict[str, Any]
) -> None:
    definition = first_branch(rule)
    assert example_input(definition) == expected
    data = run_example(session_of(tmp_path, definition))
    assert (data["status"], data["error"]) == ("SUCCEEDED", None)


def test_the_multi_step_workflows_choice_after_a_pass_gets_its_field(tmp_path: Path) -> None:
    # Stacktape's multi-step-workflow starter's Choice, reached with the input unchanged.
    definition = {
        "StartAt": "Note",
        "States": {
            "Note": {"Type": "Pass", "Next": "IsValid"},
            "IsValid": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.valid", "BooleanEquals": True, "Next": "Process"}],
                "Default": "Failed",
            },
            "Process": {
                "Type": "Task",
                "Resource": {"Fn::GetAtt": ["WorkFunction", "Arn"]},
                "Parameters": {"id.$": "$.order.id", "note.$": "States.Format('{}', $.who)"},
                "ResultPath": "$.result",
                "Next": "Done?",
            },
            # A path under the task's ResultPath reads its result, not the input.
            "Done?": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.result", "IsNull": True, "Next": "Done"}],
                "Default": "Done",
            },
            "Done": {"Type": "Succeed"},
            "Failed": {"Type": "Fail", "Error": "WorkflowFailed"},
        },
    }
    assert example_input_text(definition) == (
        '{"valid":true,"order":{"id":"example"},"who":"example"}'
    )
    data = run_example(session_of(tmp_path, definition))
    assert (data["status"], data["error"]) == ("SUCCEEDED", None)


def test_items_paths_wait_paths_and_input_paths(tmp_path: Path) -> None:
    definition = {
        "StartAt": "Hold",
        "States": {
            "Hold": {"Type": "Wait", "TimestampPath": "$.when", "Next": "Each"},
            "Each": {
                "Type": "Map",
                "InputPath": "$.batch",
                "ItemsPath": "$.rows",
                "ItemProcessor": {
                    "StartAt": "Big?",
                    "States": {
                        "Big?": {
                            "Type": "Choice",
                            "Choices": [
                                {"Variable": "$.size", "NumericGreaterThan": 5, "Next": "Ok"}
                            ],
                            "Default": "Bad",
                        },
                        "Ok": {"Type": "Succeed"},
                        "Bad": {"Type": "Fail", "Error": "Small"},
                    },
                },
                "End": True,
            },
        },
    }
    assert example_input(definition) == {
        "when": "2024-01-01T00:00:00Z",
        "batch": {"rows": [{"size": 6}]},
    }
    data = run_example(session_of(tmp_path, definition))
    assert (data["status"], data["error"]) == ("SUCCEEDED", None)


def test_a_jsonata_condition_on_the_input(tmp_path: Path) -> None:
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "Pick",
        "States": {
            "Pick": {
                "Type": "Choice",
                "Choices": [{"Condition": "{% $states.input.amount > 100 %}", "Next": "Took"}],
                "Default": "No",
            },
            "Took": {"Type": "Succeed"},
            "No": {"Type": "Fail", "Error": "Default"},
        },
    }
    assert example_input(definition) == {"amount": 101}
    data = run_example(session_of(tmp_path, definition))
    assert (data["status"], data["error"]) == ("SUCCEEDED", None)


@settings(max_examples=150, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(definition=any_definitions())
def test_the_example_never_raises_and_is_the_same_each_time(definition: Any) -> None:
    text = example_input_text(definition)
    assert isinstance(json.loads(text), dict)
    assert example_input_text(definition) == text


@pytest.mark.parametrize(
    "definition",
    [
        None,
        [],
        {"StartAt": "A", "States": {"A": {"Type": "Choice", "Choices": [{"Not": None}]}}},
        {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "A"}}},
        {
            "StartAt": "A",
            "States": {
                "A": {
                    "Type": "Choice",
                    "Choices": [{"Variable": "$[", "IsPresent": True, "Next": "A"}],
                }
            },
        },
        {"StartAt": "A", "States": {"A": {"Type": "Task", "Parameters": {"x.$": "$.a[99999]"}}}},
        {
            "StartAt": "A",
            "States": {"A": {"Type": "Wait", "SecondsPath": "$.a", "InputPath": "$.a.b"}},
        },
        {
            "StartAt": "A",
            "States": {
                "A": {
                    "Type": "Choice",
                    "Choices": [
                        {
                            "Variable": "$.t",
                            "TimestampLessThan": "9999-12-31T23:59:59Z",
                            "Next": "A",
                        }
                    ],
                }
            },
        },
    ],
)
def test_odd_definitions_give_an_example_without_raising(definition: Any) -> None:
    assert isinstance(json.loads(example_input_text(definition)), dict)


def test_a_path_the_input_lacks_is_named_with_an_input_that_has_it(tmp_path: Path) -> None:
    definition = first_branch({"Variable": "$.order.amount", "NumericGreaterThan": 100})
    session = session_of(tmp_path, definition)
    started = execute(session, "start-execution flow '{\"note\": 1}' --name bare")
    wanted = (
        "the execution's input has no $.order.amount: start it with an input that has it, "
        'e.g. {"note":1,"order":{"amount":101}}'
    )
    # Said where the input was typed, and by `show execution` and `explain`.
    assert started.data["status"] == "FAILED"
    assert "  error: States.Runtime\n  hint: " + wanted in started.text
    assert execute(session, "show execution bare").data["hint"].startswith(wanted)
    assert f"  hint: {wanted}" in execute(session, "explain bare").text
    # The input the hint gives runs.
    execute(session, 'start-execution flow \'{"note":1,"order":{"amount":101}}\' --name ok')
    assert execute(session, "show execution ok").data["status"] == "SUCCEEDED"


def test_a_path_a_task_result_lacks_keeps_the_tasks_hint(tmp_path: Path) -> None:
    # The Choice reads the function's result (null: no `response` declared), not the input.
    definition = {
        "StartAt": "Validate",
        "States": {
            "Validate": {
                "Type": "Task",
                "Resource": {"Fn::GetAtt": ["WorkFunction", "Arn"]},
                "Next": "IsValid",
            },
            "IsValid": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.valid", "BooleanEquals": True, "Next": "Done"}],
                "Default": "Done",
            },
            "Done": {"Type": "Succeed"},
        },
    }
    session = session_of(tmp_path, definition)
    assert execution_example(session.sim, "flow") == "{}"
    data = run_example(session)
    assert data["error"] == "States.Runtime"
    assert "declares no `response`" in data["hint"]
    assert "execution's input" not in data["hint"]


def test_tab_at_start_execution_offers_the_machines_example(tmp_path: Path) -> None:
    session = session_of(tmp_path, first_branch({"Variable": "$.valid", "BooleanEquals": True}))
    example = quote_word('{"valid":true}')
    assert complete(session, "start-execution flow ") == [example]
    assert metas(session, "start-execution flow ") == {
        example: "an input with what its first states read"
    }
    # An input given before comes first.
    execute(session, 'start-execution flow \'{"valid": true, "n": 2}\'')
    offered = complete(session, "start-execution flow ")
    assert offered == [quote_word('{"valid": true, "n": 2}'), example]


REAL_MACHINES = sorted(
    p
    for p in (REAL.rglob("*.yml") if REAL.is_dir() else ())
    if "state-machine" in p.read_text(encoding="utf-8", errors="replace")
)


@pytest.mark.skipif(not REAL.is_dir(), reason=f"no real-stacks folder at {REAL}")
@pytest.mark.parametrize("path", REAL_MACHINES, ids=lambda p: p.name[:60])
def test_real_machines_examples_run_without_a_missing_input_path(path: Path) -> None:
    try:
        session = Session.open(path, start_ms=T0)
    except Exception as exc:  # a stack this does not open has nothing to run
        pytest.skip(f"does not open: {exc}")
    for name in session.sim.services.get("state_machines", {}):
        example = execution_example(session.sim, name)
        try:
            execute(session, f"start-execution {name} {quote_word(example)} --name ex-{name}")
        except CommandError:
            continue  # an invalid definition: StartExecution refuses any input
        execute(session, "advance 10m")
        data = execute(session, f"show execution ex-{name}").data
        assert "execution's input has no" not in (data.get("hint") or ""), (name, example)


def test_the_answer_state_machines_md_shows_is_the_commands(tmp_path: Path) -> None:
    page = (Path(__file__).resolve().parents[1] / "docs" / "state-machines.md").read_text()
    lead = "<!-- start-execution hint -->\n```\n"
    shown = page[page.index(lead) + len(lead) :].split("```", 1)[0]
    session = session_of(tmp_path, first_branch({"Variable": "$.valid", "BooleanEquals": True}))
    assert execute(session, "start-execution flow '{}' --name n").text + "\n" == shown
