"""Step Functions states with `QueryLanguage: JSONata` running ("Transforming data with
JSONata in Step Functions"): Arguments, Output and Assign on every state type that takes
them, the defaults, Choice Conditions, Wait/Fail/Task fields as expressions, Map Items and
ItemSelector, Catch's Output and Assign with `$states.errorOutput`, States.QueryEvaluationError
with Retry and Catch, where `$states.*` may be read (validate), mixed definitions, the task
token, determinism, graph edges and validate's positions (stptui.sim.asl_jsonata_data)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lintkit import found, one

from stptui.commands import Session
from stptui.config import load_stack_text
from stptui.graph import build_graph
from stptui.sim import asl
from stptui.sim.asl_jsonata_data import check_state
from stptui.sim.services.state_machine import Execution, ExecutionError, lookup_machine
from tests.test_graph_state_machines import chain, edges, integration_stack
from tests.test_state_machine import open_stack, start

ECHO = "behaviors:\n  work:\n    duration: 100ms\n    response: '@'\n"
LAMBDA_INVOKE = "arn:aws:states:::lambda:invoke"
WORK_ARN = "arn:aws:lambda:us-east-1:123456789012:function:app-dev-work"
# connectTo grants StartExecution, not SendTask*: a function that answers needs a statement.
GRANT = "iamRoleStatements: [{Effect: Allow, Resource: ['*'], Action: [states:SendTaskSuccess]}]"


def jsonata(states: dict[str, Any], start_at: str | None = None) -> dict[str, Any]:
    """A JSONata definition of `states` (the first one starts)."""
    return {"QueryLanguage": "JSONata", "StartAt": start_at or next(iter(states)), "States": states}


def run(tmp_path: Path, definition: dict[str, Any], payload: Any = None, **kw: Any) -> Execution:
    s = open_stack(tmp_path, definition, **kw)
    ex = start(s, payload)
    s.sim.run(10**7)
    return ex


def history(ex: Execution) -> list[tuple[str, str, str]]:
    return [(h.what, h.state, h.detail) for h in ex.history]


def test_the_guides_conversion_example_gives_the_same_request(tmp_path: Path) -> None:
    # The guide converts Parameters {"title.$": "$.title", "name.$": "$customerName"} to
    # Arguments {"title": "{% $states.input.title %}", "name": "{% $customerName %}"}; with
    # input {"title": "Doctor"} and customerName "María" both give the same JSON; a string
    # that is not {% %} is a literal.
    definition = jsonata(
        {
            "Remember": {"Type": "Pass", "Assign": {"customerName": "María"}, "Next": "Call"},
            "Call": {
                "Type": "Task",
                "Resource": LAMBDA_INVOKE,
                "Arguments": {
                    "FunctionName": "work",
                    "Payload": {
                        "static": "Hello",
                        "title": "{% $states.input.title %}",
                        "name": "{% $customerName %}",
                        "not-evaluated": "$customerName",
                    },
                },
                "Output": "{% $states.result.Payload %}",
                "End": True,
            },
        }
    )
    ex = run(tmp_path, definition, {"title": "Doctor"}, behaviors=ECHO)
    assert ex.status == "SUCCEEDED"
    assert ex.output == {
        "static": "Hello",
        "title": "Doctor",
        "name": "María",
        "not-evaluated": "$customerName",
    }


def test_a_task_with_a_function_arn_sends_its_arguments_and_outputs_its_result(
    tmp_path: Path,
) -> None:
    definition = jsonata(
        {
            "Work": {
                "Type": "Task",
                "Resource": WORK_ARN,
                "Arguments": {"id": "{% $states.input.order %}", "n": "{% 1 + 1 %}"},
                "End": True,
            }
        }
    )
    s = open_stack(tmp_path, definition, behaviors=ECHO)
    ex = start(s, {"order": "o-1"})
    s.sim.run(10**7)
    # Without Output a Task's output is its result: the function's response (its event).
    assert (ex.status, ex.output) == ("SUCCEEDED", {"id": "o-1", "n": 2})
    started = [r for r in s.sim.trace.records if r.kind == "sfn.task.started"]
    assert started[0].data["function"] == "work"


def test_without_arguments_a_task_sends_its_input_and_pass_choice_wait_output_theirs(
    tmp_path: Path,
) -> None:
    definition = jsonata(
        {
            "Keep": {"Type": "Pass", "Next": "Pick"},
            "Pick": {
                "Type": "Choice",
                "Choices": [{"Condition": "{% $states.input.go %}", "Next": "Pause"}],
                "Default": "Work",
            },
            "Pause": {"Type": "Wait", "Seconds": 1, "Next": "Work"},
            "Work": {"Type": "Task", "Resource": WORK_ARN, "End": True},
        }
    )
    ex = run(tmp_path, definition, {"go": True, "v": 7}, behaviors=ECHO)
    assert (ex.status, ex.output) == ("SUCCEEDED", {"go": True, "v": 7})
    sizes = [h.note for h in ex.history if h.what.endswith(("Entered", "Exited"))]
    assert len(set(sizes)) == 1  # the input passes through every state unchanged


def test_assign_and_output_read_the_variables_as_they_were_before_the_state(
    tmp_path: Path,
) -> None:
    definition = jsonata(
        {
            "Init": {"Type": "Pass", "Assign": {"n": 1}, "Next": "Step"},
            "Step": {
                "Type": "Pass",
                "Assign": {"n": "{% $n + 1 %}", "seen": "{% $states.input.x %}"},
                "Output": {"n": "{% $n %}", "x": "{% $states.input.x %}"},
                "Next": "Show",
            },
            "Show": {
                "Type": "Succeed",
                "Output": {"before": "{% $states.input.n %}", "n": "{% $n %}"},
            },
        }
    )
    ex = run(tmp_path, definition, {"x": "a"})
    assert ex.output == {"before": 1, "n": 2}
    step = next(h for h in ex.history if h.what == "PassStateExited" and h.state == "Step")
    assert step.assigned == {"n": "2", "seen": '"a"'}


def test_choice_conditions_pick_the_first_true_rule_and_assign_with_it(tmp_path: Path) -> None:
    definition = jsonata(
        {
            "Pick": {
                "Type": "Choice",
                "Choices": [
                    {"Condition": "{% $states.input.total > 100 %}", "Next": "Big"},
                    {
                        "Condition": "{% $states.input.total > 10 %}",
                        "Assign": {"size": "medium"},
                        "Next": "Done",
                    },
                ],
                "Default": "Done",
                "Output": {"total": "{% $states.input.total %}", "checked": True},
            },
            "Big": {"Type": "Fail", "Error": "TooBig"},
            "Done": {
                "Type": "Succeed",
                "Output": {"size": "{% $size %}", "in": "{% $states.input %}"},
            },
        }
    )
    ex = run(tmp_path, definition, {"total": 50})
    assert ex.output == {"size": "medium", "in": {"total": 50, "checked": True}}
    choice = next(h for h in ex.history if h.what == "Choice")
    assert choice.detail == (
        'rule 1 did not match: Condition "$states.input.total > 100" is false; '
        'rule 2 matched: Condition "$states.input.total > 10" is true -> Done'
    )


def test_a_condition_that_is_not_a_boolean_is_a_query_evaluation_error(tmp_path: Path) -> None:
    definition = jsonata(
        {
            "Pick": {
                "Type": "Choice",
                "Choices": [{"Condition": "{% $states.input.total %}", "Next": "Done"}],
                "Default": "Done",
            },
            "Done": {"Type": "Succeed"},
        }
    )
    ex = run(tmp_path, definition, {"total": 5})
    assert (ex.status, ex.error) == ("FAILED", "States.QueryEvaluationError")
    assert ex.cause == (
        "An error occurred while executing the state 'Pick'. The value of the field "
        "'Choices/0/Condition' must be a boolean (true or false), not 5"
    )
    # The history's EvaluationFailed event names the field, before the state fails.
    assert ("EvaluationFailed", "Pick", "States.QueryEvaluationError in Choices/0/Condition") in (
        history(ex)
    )


def test_no_true_condition_and_no_default_is_no_choice_matched(tmp_path: Path) -> None:
    definition = jsonata(
        {
            "Pick": {
                "Type": "Choice",
                "Choices": [{"Condition": "{% false %}", "Next": "Done"}],
            },
            "Done": {"Type": "Succeed"},
        }
    )
    ex = run(tmp_path, definition)
    assert ex.error == "States.NoChoiceMatched"


def test_an_undefined_result_fails_with_aws_cause_and_retry_and_catch_match_it(
    tmp_path: Path,
) -> None:
    definition = jsonata(
        {
            "Build": {
                "Type": "Task",
                "Resource": WORK_ARN,
                "Arguments": {"Input": {"pushLocation": "{% $states.input.pushLocation %}"}},
                "Retry": [{"ErrorEquals": ["States.QueryEvaluationError"], "MaxAttempts": 1}],
                "Catch": [
                    {
                        "ErrorEquals": ["States.ALL"],
                        "Output": {
                            "error": "{% $states.errorOutput.Error %}",
                            "order": "{% $states.input.order %}",
                        },
                        "Assign": {"why": "{% $states.errorOutput.Cause %}"},
                        "Next": "Handle",
                    }
                ],
                "End": True,
            },
            "Handle": {
                "Type": "Pass",
                "Output": {"in": "{% $states.input %}", "why": "{% $why %}"},
                "End": True,
            },
        }
    )
    ex = run(tmp_path, definition, {"order": "o-9"}, behaviors=ECHO)
    cause = (
        "An error occurred while executing the state 'Build'. The JSONata expression "
        "'$states.input.pushLocation' specified for the field 'Arguments/Input/pushLocation' "
        "returned nothing (undefined)."
    )
    assert ex.status == "SUCCEEDED"
    assert ex.output == {
        "in": {"error": "States.QueryEvaluationError", "order": "o-9"},
        "why": cause,
    }
    lines = [w for w, _, _ in history(ex)]
    # Evaluated, failed, retried once, evaluated and failed again, then caught.
    assert lines[2:8] == [
        "EvaluationFailed",
        "StateFailed",
        "Retry",
        "EvaluationFailed",
        "StateFailed",
        "Caught",
    ]


def test_a_catcher_without_output_passes_the_error_output(tmp_path: Path) -> None:
    definition = jsonata(
        {
            "Stop": {
                "Type": "Parallel",
                "Branches": [
                    {
                        "StartAt": "F",
                        "States": {"F": {"Type": "Fail", "Error": "Boom", "Cause": "why"}},
                    }
                ],
                "Catch": [{"ErrorEquals": ["Boom"], "Next": "After"}],
                "End": True,
            },
            "After": {"Type": "Succeed"},
        }
    )
    ex = run(tmp_path, definition)
    assert ex.output == {"Error": "Boom", "Cause": "why"}


def test_fail_wait_and_timeouts_take_expressions(tmp_path: Path) -> None:
    definition = jsonata(
        {
            "Pause": {"Type": "Wait", "Seconds": "{% $states.input.wait %}", "Next": "Work"},
            "Work": {
                "Type": "Task",
                "Resource": WORK_ARN,
                "TimeoutSeconds": "{% $states.input.limit %}",
                "Catch": [{"ErrorEquals": ["States.Timeout"], "Next": "Stop"}],
                "End": True,
            },
            "Stop": {
                "Type": "Fail",
                "Error": "{% 'Late.' & $states.input.Error %}",
                "Cause": "{% 'after ' & $string($millis()) %}",
            },
        }
    )
    slow = "behaviors:\n  work:\n    duration: 5s\n"
    s = open_stack(tmp_path, definition, behaviors=slow)
    ex = start(s, {"wait": 3, "limit": 1})
    s.sim.run(10**7)
    assert (ex.status, ex.error) == ("FAILED", "Late.States.Timeout")
    # Waited 3 s, then the task's 1 s timeout: $millis() reads the virtual clock.
    assert ex.cause == f"after {ex.start_ms + 4000}"
    assert ex.stop_ms == ex.start_ms + 4000


def test_a_wait_timestamp_and_a_bad_seconds_value(tmp_path: Path) -> None:
    definition = jsonata(
        {
            "Until": {"Type": "Wait", "Timestamp": "{% $states.input.at %}", "Next": "Done"},
            "Done": {"Type": "Succeed"},
        }
    )
    s = open_stack(tmp_path, definition)
    ex = start(s, {"at": "2026-01-05T09:00:00Z"})
    s.sim.run(10**7)
    assert ex.status == "SUCCEEDED"
    assert ex.stop_ms - ex.start_ms == 3_600_000
    bad = jsonata(
        {
            "Pause": {"Type": "Wait", "Seconds": "{% $states.input.wait %}", "Next": "Done"},
            "Done": {"Type": "Succeed"},
        }
    )
    (tmp_path / "bad").mkdir()
    ex = run(tmp_path / "bad", bad, {"wait": "soon"})
    assert ex.error == "States.QueryEvaluationError"
    assert "The value of the field 'Seconds' must be an integer from 0 to 99999999" in str(ex.cause)


def test_map_items_item_selector_and_max_concurrency(tmp_path: Path) -> None:
    definition = jsonata(
        {
            "Each": {
                "Type": "Map",
                "Items": "{% $states.input.orders[status = 'open'] %}",
                "ItemSelector": {
                    "index": "{% $states.context.Map.Item.Index %}",
                    "id": "{% $states.context.Map.Item.Value.id %}",
                    "shop": "{% $states.input.shop %}",
                },
                "MaxConcurrency": "{% $states.input.lanes %}",
                "ItemProcessor": {
                    "StartAt": "Work",
                    "States": {"Work": {"Type": "Task", "Resource": WORK_ARN, "End": True}},
                },
                "Output": {
                    "done": "{% $count($states.result) %}",
                    "ids": "{% $states.result.id %}",
                },
                "End": True,
            }
        }
    )
    orders = [
        {"id": "a", "status": "open"},
        {"id": "b", "status": "closed"},
        {"id": "c", "status": "open"},
        {"id": "d", "status": "open"},
    ]
    s = open_stack(tmp_path, definition, behaviors=ECHO)
    ex = start(s, {"orders": orders, "shop": "s1", "lanes": 1})
    s.sim.run(10**7)
    assert ex.output == {"done": 3, "ids": ["a", "c", "d"]}
    # MaxConcurrency 1: the iterations run one after another, 100 ms each.
    assert ex.stop_ms - ex.start_ms == 300
    first = next(r for r in s.sim.trace.records if r.kind == "sfn.task.started")
    assert first.data["state"] == "Each/0/Work"


def test_map_items_that_are_no_array_fail(tmp_path: Path) -> None:
    definition = jsonata(
        {
            "Each": {
                "Type": "Map",
                "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}},
                "End": True,
            }
        }
    )
    ex = run(tmp_path, definition, {"not": "a list"})
    assert ex.error == "States.QueryEvaluationError"
    assert "'Items' must be a JSON array" in str(ex.cause)


def test_parallel_arguments_shape_the_branches_input(tmp_path: Path) -> None:
    branch = {"StartAt": "B", "States": {"B": {"Type": "Pass", "End": True}}}
    definition = jsonata(
        {
            "Fan": {
                "Type": "Parallel",
                "Arguments": {"k": "{% $states.input.k * 10 %}"},
                "Branches": [branch, branch],
                "Assign": {"first": "{% $states.result[0].k %}"},
                "Output": "{% $states.result %}",
                "Next": "Done",
            },
            "Done": {
                "Type": "Succeed",
                "Output": {"first": "{% $first %}", "all": "{% $states.input %}"},
            },
        }
    )
    ex = run(tmp_path, definition, {"k": 2})
    assert ex.output == {"first": 20, "all": [{"k": 20}, {"k": 20}]}


def test_a_distributed_map_tolerates_failures_up_to_an_expression(tmp_path: Path) -> None:
    definition = jsonata(
        {
            "Each": {
                "Type": "Map",
                "Items": "{% $states.input.n %}",
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                    "StartAt": "Work",
                    "States": {"Work": {"Type": "Task", "Resource": WORK_ARN, "End": True}},
                },
                "ToleratedFailureCount": "{% $states.input.tolerate %}",
                "Output": {"ok": "{% $count($states.result) %}"},
                "End": True,
            }
        }
    )
    behaviors = "behaviors:\n  work:\n    fail:\n      when: '@ == `2`'\n    response: '@'\n"
    s = open_stack(tmp_path, definition, behaviors=behaviors)
    tolerated = start(s, {"n": [1, 2, 3], "tolerate": 1}, name="tolerated")
    strict = start(s, {"n": [1, 2, 3], "tolerate": 0}, name="strict")
    s.sim.run(10**7)
    assert (tolerated.status, tolerated.output) == ("SUCCEEDED", {"ok": 2})
    assert strict.error == "States.ExceedToleratedFailureThreshold"


def test_a_mixed_definition_runs_a_jsonata_state_between_jsonpath_ones(tmp_path: Path) -> None:
    definition = {
        "StartAt": "Path",
        "States": {
            "Path": {"Type": "Pass", "Assign": {"answer.$": "$.a"}, "Next": "Ata"},
            "Ata": {
                "Type": "Pass",
                "QueryLanguage": "JSONata",
                "Assign": {"old": "{% $answer %}", "answer": 18},
                "Output": {"foo": "foobar", "bar": "{% $states.input %}"},
                "Next": "Back",
            },
            "Back": {
                "Type": "Pass",
                "Parameters": {"foo.$": "$.foo", "old.$": "$old", "answer.$": "$answer"},
                "End": True,
            },
        },
    }
    ex = run(tmp_path, definition, {"a": 42})
    assert ex.output == {"foo": "foobar", "old": 42, "answer": 18}


def test_the_task_token_is_in_the_context_of_a_callback_task(tmp_path: Path) -> None:
    definition = jsonata(
        {
            "Ask": {
                "Type": "Task",
                "Resource": LAMBDA_INVOKE + ".waitForTaskToken",
                "Arguments": {
                    "FunctionName": "work",
                    "Payload": {"token": "{% $states.context.Task.Token %}", "n": 2},
                },
                "Output": {"answer": "{% $states.result %}"},
                "End": True,
            }
        }
    )
    # The function answers the task whose token its event carries.
    behaviors = (
        "behaviors:\n  work:\n    duration: 100ms\n    emit:\n      - sendTaskSuccess:\n"
        "          stateMachine: flow\n          token: token\n"
        "          output: '{got: n}'\n"
    )
    s = open_stack(tmp_path, definition, behaviors=behaviors, work=GRANT)
    ex = start(s)
    s.sim.run(10**7)
    assert (ex.status, ex.output) == ("SUCCEEDED", {"answer": {"got": 2}})
    waiting = next(r for r in s.sim.trace.records if r.kind == "sfn.task.waiting")
    answered = next(r for r in s.sim.trace.records if r.kind == "sfn.task.callback")
    assert answered.data["token"] == waiting.data["token"]


def test_uuid_and_random_are_the_same_in_two_runs_and_differ_between_states(
    tmp_path: Path,
) -> None:
    definition = jsonata(
        {
            "A": {
                "Type": "Pass",
                "Output": {"a": "{% $uuid() %}", "r": "{% $random() %}"},
                "Next": "B",
            },
            "B": {
                "Type": "Pass",
                "Output": {"a": "{% $states.input.a %}", "b": "{% $uuid() %}"},
                "End": True,
            },
        }
    )
    outputs = []
    for run_dir in ("one", "two"):
        (tmp_path / run_dir).mkdir()
        outputs.append(run(tmp_path / run_dir, definition).output)
    assert outputs[0] == outputs[1]
    assert outputs[0]["a"] != outputs[0]["b"]


@settings(max_examples=25, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers(-1000, 1000) | st.text(max_size=5),
        lambda kids: (
            st.lists(kids, max_size=3) | st.dictionaries(st.text(max_size=3), kids, max_size=3)
        ),
        max_leaves=10,
    )
)
def test_output_of_states_input_is_the_input_unchanged(payload: Any) -> None:
    from stptui.sim.asl_data import DataEnv
    from stptui.sim.asl_jsonata_data import output

    env = DataEnv({}, lambda: "id", lambda a, b: a)
    state = {"Type": "Pass", "Output": "{% $states.input %}"}
    assert output(state, "P", payload, payload, env) == payload


# -- where $states.result and $states.errorOutput may be read; validate ----------------------


@pytest.mark.parametrize(
    ("state", "where", "words"),
    [
        (
            {"Type": "Task", "Resource": WORK_ARN, "Arguments": {"x": "{% $states.result %}"}},
            ("Arguments", "x"),
            "$states.result is not available here",
        ),
        (
            {"Type": "Pass", "Output": "{% $states.result.x %}"},
            ("Output",),
            "$states.result is not available here",
        ),
        (
            {"Type": "Task", "Resource": WORK_ARN, "Output": "{% $states.errorOutput %}"},
            ("Output",),
            "$states.errorOutput is not available here",
        ),
        (
            {"Type": "Map", "Items": "{% $states.result %}"},
            ("Items",),
            "$states.result is not available here",
        ),
        (
            {"Type": "Pass", "Output": "{% $states.input.( %}"},
            ("Output",),
            "JSONata syntax error",
        ),
    ],
)
def test_states_fields_are_read_only_where_aws_makes_them_available(
    state: dict[str, Any], where: tuple[str, ...], words: str
) -> None:
    problems = check_state(state)
    assert [p for p, _ in problems] == [where]
    assert words in problems[0][1]


def test_result_and_error_output_are_readable_where_aws_says() -> None:
    for kind in ("Task", "Parallel", "Map"):
        state = {
            "Type": kind,
            "Output": "{% $states.result %}",
            "Assign": {"r": "{% $states.result %}"},
            "Catch": [
                {
                    "ErrorEquals": ["States.ALL"],
                    "Output": "{% $states.errorOutput %}",
                    "Assign": {"e": "{% $states.errorOutput.Error %}"},
                    "Next": "X",
                }
            ],
        }
        assert check_state(state) == [], kind


def test_a_definition_aws_would_refuse_cannot_start(tmp_path: Path) -> None:
    definition = jsonata({"P": {"Type": "Pass", "Output": "{% $states.result %}", "End": True}})
    s = open_stack(tmp_path, definition)
    with pytest.raises(ExecutionError, match=r"InvalidDefinition: flow: \$states\.result"):
        start(s)


def test_validate_gives_the_line_and_column_of_a_syntax_error() -> None:
    text = """\
resources:
  flow:
    type: state-machine
    properties:
      definition:
        QueryLanguage: JSONata
        StartAt: P
        States:
          P:
            Type: Pass
            Output:
              total: "{% $sum($states.input.items.price %}"
            End: true
"""
    d = one(text, "asl-jsonata")
    assert d.severity == "error"
    assert d.message.startswith("JSONata syntax error")
    assert (d.line, d.column) == (12, 22)


def test_validate_checks_choice_rules_and_waits_of_jsonata_states() -> None:
    definition = jsonata(
        {
            "Pick": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.x", "BooleanEquals": True, "Next": "Pause"}],
                "Default": "Pause",
            },
            "Pause": {"Type": "Wait", "Seconds": "5", "Next": "Done"},
            "Done": {"Type": "Succeed"},
        }
    )
    problems = [p for p in asl.check_definition(definition) if p.kind == "jsonata"]
    assert [p.path for p in problems] == [
        ("States", "Pick", "Choices", 0),
        ("States", "Pause", "Seconds"),
    ]
    assert "needs a Condition" in problems[0].message
    assert "(JSONPath rules such as Variable, BooleanEquals are not)" in problems[0].message


def test_each_language_refuses_the_others_catcher_fields() -> None:
    definition = jsonata(
        {
            "Work": {
                "Type": "Task",
                "Resource": WORK_ARN,
                "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.e", "Next": "Done"}],
                "Next": "Done",
            },
            "Done": {"Type": "Pass", "Result": 1, "End": True},
        }
    )
    messages = {p.path: p.message for p in asl.check_definition(definition)}
    assert (
        "not supported by a catcher of a JSONata state"
        in messages[("States", "Work", "Catch", 0, "ResultPath")]
    )
    assert (
        "The field 'Result' is not supported by a JSONata state"
        in messages[("States", "Done", "Result")]
    )


def test_a_callback_task_that_never_passes_its_token_is_warned_about() -> None:
    definition = jsonata(
        {
            "Ask": {
                "Type": "Task",
                "Resource": LAMBDA_INVOKE + ".waitForTaskToken",
                "Arguments": {"FunctionName": "work", "Payload": "{% $states.input %}"},
                "End": True,
            }
        }
    )
    warned = [p for p in asl.check_definition(definition) if p.kind == "no-task-token"]
    assert warned and "$states.context.Task.Token" in warned[0].message
    definition["States"]["Ask"]["Arguments"]["Payload"] = "{% $states.context.Task.Token %}"
    assert not [p for p in asl.check_definition(definition) if p.kind == "no-task-token"]


def test_a_jsonata_tasks_arguments_get_the_same_graph_edges(tmp_path: Path) -> None:
    definition = chain(
        {
            "Send": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sqs:sendMessage",
                "Arguments": {
                    "QueueUrl": "$ResourceParam('jobs', 'url')",
                    "MessageBody": "{% $states.input %}",
                },
            },
            "Later": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sns:publish",
                "Arguments": {"TopicArn": "{% $states.input.topic %}", "Message": "x"},
            },
        }
    )
    definition["QueryLanguage"] = "JSONata"
    g = build_graph(load_stack_text(integration_stack(definition), "stacktape.yml"))
    # The constant QueueUrl names the queue; a TopicArn chosen at run time names nothing.
    assert edges(g) == [("flow", "jobs", "task", "sends(Send)")]
    assert not found(integration_stack(definition), "asl-task-target")


def test_validate_warns_about_a_variable_an_expression_reads_that_nothing_assigns() -> None:
    # Found in the expression's parse tree: $string is a function, $t bound by the block,
    # $orderId assigned before, a Map iteration reads the outer $orderId; $totl (a typo) and
    # $rate are assigned nowhere.
    text = """\
resources:
  flow:
    type: state-machine
    properties:
      definition:
        QueryLanguage: JSONata
        StartAt: Remember
        States:
          Remember:
            Type: Pass
            Assign: {orderId: "{% $states.input.id %}", total: 5}
            Next: Each
          Each:
            Type: Map
            Items: "{% $states.input.items %}"
            ItemProcessor:
              StartAt: Line
              States:
                Line:
                  Type: Pass
                  Output: "{% $string($orderId) & ($t := 2; $t * $rate) %}"
                  End: true
            Next: Pick
          Pick:
            Type: Choice
            Choices:
              - Condition: "{% $totl > 1 %}"
                Next: Done
            Default: Done
          Done:
            Type: Succeed
"""
    diags = found(text, "asl-variable")
    assert [(d.line, d.column, d.severity) for d in diags] == [
        (21, 27, "warning"),
        (27, 28, "warning"),
    ]
    assert "reads the variable $rate" in diags[0].message
    assert "reads the variable $totl" in diags[1].message
    assert "States.QueryEvaluationError" in diags[1].message


def test_validate_warns_about_a_read_before_the_blocks_own_binding(tmp_path: Path) -> None:
    text = """\
resources:
  flow:
    type: state-machine
    properties:
      definition:
        QueryLanguage: JSONata
        StartAt: Early
        States:
          Early:
            Type: Pass
            Output: "{% ($d := $n * 2; $n := 1; $d) %}"
            Next: Late
          Late:
            Type: Pass
            Output: "{% ($m := 1; $m + 1) %}"
            End: true
"""
    [diag] = found(text, "asl-variable")
    assert (diag.line, diag.severity) == (11, "warning")
    assert "State 'Early' reads the variable $n" in diag.message
    # As the warning says, $n is undefined where it is read: the expression gives nothing.
    (tmp_path / "stacktape.yml").write_text(text, encoding="utf-8")
    session = Session.open(tmp_path)
    ex = lookup_machine(session.sim, "flow").start({})
    session.sim.advance(1_000)
    assert (ex.status, ex.error) == ("FAILED", "States.QueryEvaluationError")


def test_a_matching_choice_rules_output_is_the_states_output(tmp_path: Path) -> None:
    # A JSONata Choice rule takes Next, Assign and Output (LocalStack's grammar and
    # evaluation); without a rule's Output the state's Output (or input) is passed on.
    choice = {
        "Type": "Choice",
        "Choices": [
            {
                "Condition": "{% $states.input.n > 1 %}",
                "Output": {"big": "{% $states.input.n %}"},
                "Next": "Done",
            },
            {"Condition": "{% $states.input.n = 1 %}", "Next": "Done"},
        ],
        "Default": "Done",
        "Output": {"state": "{% $states.input.n %}"},
    }
    definition = jsonata({"Pick": choice, "Done": {"Type": "Succeed"}})
    assert run(tmp_path, definition, {"n": 5}).output == {"big": 5}
    assert run(tmp_path, definition, {"n": 1}).output == {"state": 1}
    assert run(tmp_path, definition, {"n": 0}).output == {"state": 0}


def test_validate_checks_a_choice_rules_output_expressions() -> None:
    rule = {"Condition": "{% true %}", "Next": "Done", "Output": "{% $states.result %}"}
    problems = check_state({"Type": "Choice", "Choices": [rule]})
    assert problems == [
        (
            ("Choices", 0, "Output"),
            "$states.result is not available here: only the Output and Assign of a Task, "
            "Parallel or Map state read it (a Catcher reads $states.errorOutput)",
        )
    ]


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("{% $states.input.id", "starts with {% but does not end with %}"),
        ("$states.input.id %}", "ends with %} but does not start with {%"),
        (" {% $states.input.id %}", "has whitespace before {% or after %}"),
        ("{% $states.input.id %}\n", "has whitespace before {% or after %}"),
        ("Order {% $states.input.id %} shipped", "has {% ... %} inside other text"),
    ],
)
def test_a_string_that_looks_like_an_expression_is_a_literal_and_validate_warns(
    tmp_path: Path, text: str, why: str
) -> None:
    # Step Functions evaluates only a whole `{% ... %}`: these go through as text.
    definition = jsonata({"P": {"Type": "Pass", "Output": {"id": text}, "End": True}})
    assert run(tmp_path, definition, {"id": "o-1"}).output == {"id": text}
    (problem,) = asl.check_definition(definition)
    assert (problem.kind, problem.severity) == ("jsonata-literal", "warning")
    assert problem.path == ("States", "P", "Output", "id")
    assert why in problem.message and "passed on as literal text" in problem.message
    assert problem.hint is not None and "{% 'Order ' & $states.input.id %}" in problem.hint


@pytest.mark.parametrize(
    "value",
    ["{% $states.input.id %}", "plain text", "100%", "{ % not marks % }", 5, None],
)
def test_expressions_and_ordinary_literals_get_no_lookalike_warning(value: Any) -> None:
    definition = jsonata({"P": {"Type": "Pass", "Output": {"id": value}, "End": True}})
    assert asl.check_definition(definition) == []


def test_a_lookalike_where_a_field_is_refused_anyway_gets_only_the_error() -> None:
    # A Wait's Seconds and a Choice's Condition already say they need an expression.
    definition = jsonata(
        {
            "Pick": {
                "Type": "Choice",
                "Choices": [{"Condition": "{% true", "Next": "Pause"}],
                "Default": "Pause",
            },
            "Pause": {"Type": "Wait", "Seconds": "{% 5", "Next": "Done"},
            "Done": {"Type": "Succeed"},
        }
    )
    assert {p.kind for p in asl.check_definition(definition)} == {"jsonata"}


def test_validate_reports_a_lookalike_at_its_line_and_column() -> None:
    text = """\
resources:
  flow:
    type: state-machine
    properties:
      definition:
        QueryLanguage: JSONata
        StartAt: P
        States:
          P:
            Type: Pass
            Assign:
              orderId: "{% $states.input.id"
            End: true
"""
    d = one(text, "asl-jsonata-literal")
    assert d.severity == "warning"
    assert (d.line, d.column) == (12, 24)
    assert d.message.startswith('The string "{% $states.input.id" starts with {%')


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="{%} $ab\n", max_size=12))
def test_a_lookalike_is_never_an_expression_and_always_has_a_mark(text: str) -> None:
    from stptui.sim import asl_jsonata

    why = asl_jsonata.lookalike(text)
    if asl_jsonata.is_expression(text) or ("{%" not in text and "%}" not in text):
        assert why is None
    else:
        # A string with a mark that is no expression is flagged unless its only mark is a
        # `%}` before any `{%` in the middle of other text (e.g. `a %} b {% c`).
        stripped = text.strip()
        if stripped.startswith("{%") or stripped.endswith("%}"):
            assert why is not None


def test_a_regex_that_can_backtrack_for_hours_is_warned_about_and_fails_when_used(
    tmp_path: Path,
) -> None:
    check_it = "{% $contains($states.input.text, /(\\w+\\s?)+$/) %}"
    definition = jsonata({"P": {"Type": "Pass", "Output": {"ok": check_it}, "End": True}})
    (problem,) = asl.check_definition(definition)
    assert (problem.kind, problem.severity) == ("not-simulated", "warning")
    assert problem.path == ("States", "P", "Output", "ok")
    assert "executions fail with States.QueryEvaluationError" in problem.message
    # AWS accepts the definition: the execution starts, and the state fails when it runs.
    ex = run(tmp_path, definition, {"text": "a sentence of words that never ends!"})
    assert ex.status == "FAILED" and ex.error == "States.QueryEvaluationError"
    assert "/(\\w+\\s?)+$/ can backtrack" in (ex.cause or "")
