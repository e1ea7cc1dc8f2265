"""Step Functions workflow variables in JSONPath states ("Passing data between states with
variables"): Assign on the states that take it, in Catchers and Choice rules; what Assign
reads and when it is stored; `$name` references in every field that reads a path; scopes
of Parallel branches and Map iterations (and a Distributed Map's, which reads none); the
history's assigned variables; the limits; validation with file:line:col; and redrive."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stptui.commands import execute
from stptui.commands.result import render_plain
from stptui.sim import asl
from stptui.sim.asl_data import DataEnv, assign_values
from stptui.sim.services.state_machine import Execution
from tests.test_state_machine import open_stack, start, task


def run(tmp_path: Path, definition: dict[str, Any], payload: Any = None, **kw: Any) -> Execution:
    s = open_stack(tmp_path, definition, **kw)
    ex = start(s, payload)
    s.sim.run(10**7)
    return ex


def exits(ex: Execution) -> list[tuple[str, dict[str, str] | None]]:
    """(state, assigned variables) of every history line that exits a state or catches."""
    return [
        (h.state, h.assigned)
        for h in ex.history
        if h.what.endswith("StateExited") or h.what == "Caught"
    ]


def pass_state(nxt: str | None = None, **fields: Any) -> dict[str, Any]:
    flow: dict[str, Any] = {"Next": nxt} if nxt else {"End": True}
    return {"Type": "Pass", **fields, **flow}


def test_the_guides_example_stores_variables_that_a_later_state_reads(tmp_path: Path) -> None:
    # "Assign": {"productName": "product1", "count": 42, "available": true}; "$productName".
    definition = {
        "StartAt": "Store",
        "States": {
            "Store": pass_state(
                "Use", Assign={"productName": "product1", "count": 42, "available": True}
            ),
            "Use": pass_state(
                Parameters={"name.$": "$productName", "n.$": "States.MathAdd($count, 1)"}
            ),
        },
    }
    ex = run(tmp_path, definition)
    assert ex.status == "SUCCEEDED"
    assert ex.output == {"name": "product1", "n": 43}
    # assignedVariables: each value as JSON text (a string keeps its quotes).
    assert exits(ex)[0] == (
        "Store",
        {"productName": '"product1"', "count": "42", "available": "true"},
    )
    assert exits(ex)[1] == ("Use", None)


def test_assign_reads_the_result_and_the_variables_from_before_the_state(tmp_path: Path) -> None:
    definition = {
        "StartAt": "Init",
        "States": {
            "Init": pass_state("Step", Assign={"a": 1, "b": 2}),
            "Step": pass_state(
                "Show",
                Result={"answer": 42},
                ResultPath="$.r",
                OutputPath="$.r",
                # The swap happens "in parallel": each side reads the values before the state.
                Assign={"a.$": "$b", "b.$": "$a", "answer.$": "$.answer"},
            ),
            "Show": pass_state(Parameters={"a.$": "$a", "b.$": "$b", "answer.$": "$answer"}),
        },
    }
    ex = run(tmp_path, definition, {"input": True})
    assert ex.output == {"a": 2, "b": 1, "answer": 42}


@settings(max_examples=30, deadline=None)
@given(
    a=st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=5),
        lambda inner: st.lists(inner, max_size=3),
        max_leaves=5,
    ),
    b=st.integers() | st.text(max_size=5),
)
def test_a_swap_swaps_whatever_the_values(a: Any, b: Any) -> None:
    env = DataEnv({}, str, min, {"a": a, "b": b})
    assert assign_values({"a.$": "$b", "b.$": "$a"}, "S", {}, env) == {"a": b, "b": a}


def test_variables_are_read_in_every_path_field(tmp_path: Path) -> None:
    definition = {
        "StartAt": "Init",
        "States": {
            "Init": pass_state(
                "Wait",
                Assign={"doc": {"items": [1, 2, 3], "wait": 2, "flag": True, "code": "E1"}},
            ),
            "Wait": {"Type": "Wait", "SecondsPath": "$doc.wait", "Next": "Check"},
            "Check": {
                "Type": "Choice",
                "Choices": [{"Variable": "$doc.flag", "BooleanEquals": True, "Next": "Each"}],
                "Default": "Boom",
            },
            "Each": {
                "Type": "Map",
                "ItemsPath": "$doc.items",
                "ItemProcessor": {
                    "StartAt": "Double",
                    "States": {"Double": pass_state(Parameters={"v.$": "$"})},
                },
                "Next": "Out",
            },
            "Out": pass_state("Boom", InputPath="$doc", OutputPath="$.items"),
            "Boom": {"Type": "Fail", "ErrorPath": "$doc.code", "CausePath": "$doc.code"},
        },
    }
    s = open_stack(tmp_path, definition)
    ex = start(s, {})
    s.sim.run(10**7)
    assert (ex.status, ex.error, ex.cause) == ("FAILED", "E1", "E1")
    assert ex.stop_ms - ex.start_ms == 2000
    entered = list(dict.fromkeys(h.state for h in ex.history if h.what.endswith("StateEntered")))
    items = [f"Each/{i}/Double" for i in range(3)]
    assert entered == ["Init", "Wait", "Check", "Each", *items, "Out", "Boom"]


def test_an_unassigned_variable_fails_the_state_with_states_runtime(tmp_path: Path) -> None:
    definition = {"StartAt": "Use", "States": {"Use": pass_state(Parameters={"x.$": "$nope"})}}
    ex = run(tmp_path, definition)
    assert ex.error == "States.Runtime"
    assert "The variable '$nope' referenced by 'x.$: $nope' has not been assigned" in ex.cause


def test_the_choice_states_assign_applies_whichever_rule_matches(tmp_path: Path) -> None:
    # "You can also specify an Assign block at the state level, which applies regardless of
    # which choice rule matches" (Choice state page); the matching rule's value wins a name
    # both assign.
    definition = {
        "StartAt": "Check",
        "States": {
            "Check": {
                "Type": "Choice",
                "Choices": [
                    {
                        "Variable": "$.n",
                        "NumericEquals": 42,
                        "Assign": {"status": "CORRECT"},
                        "Next": "Done",
                    }
                ],
                "Assign": {"status": "INCORRECT", "guess.$": "$.n"},
                "Default": "Done",
            },
            "Done": pass_state(Parameters={"status.$": "$status"}),
        },
    }
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    right = run(tmp_path / "a", definition, {"n": 42})
    wrong = run(tmp_path / "b", definition, {"n": 7})
    assert right.output == {"status": "CORRECT"}
    assert exits(right)[0] == ("Check", {"status": '"CORRECT"', "guess": "42"})
    assert wrong.output == {"status": "INCORRECT"}
    assert exits(wrong)[0] == ("Check", {"status": '"INCORRECT"', "guess": "7"})


def test_a_catcher_assigns_from_the_error_output(tmp_path: Path) -> None:
    definition = {
        "StartAt": "Work",
        "States": {
            "Work": task(
                {"End": True},
                Assign={"outcome": "SUCCESS"},
                Catch=[
                    {
                        "ErrorEquals": ["States.ALL"],
                        "Assign": {"outcome.$": "$.Error"},
                        "ResultPath": None,
                        "Next": "Fallback",
                    }
                ],
            ),
            "Fallback": pass_state(Parameters={"outcome.$": "$outcome"}),
        },
    }
    behaviors = "behaviors:\n  work: {fail: {always: true, error: PaymentDeclined}}\n"
    ex = run(tmp_path, definition, behaviors=behaviors)
    assert ex.output == {"outcome": "PaymentDeclined"}
    assert ("Work", {"outcome": '"PaymentDeclined"'}) in exits(ex)


def test_a_state_that_fails_assigns_nothing(tmp_path: Path) -> None:
    definition = {
        "StartAt": "Init",
        "States": {
            "Init": pass_state("Try", Assign={"x": "before"}),
            "Try": task(
                {"Next": "Show"},
                ResultPath="$.a.b",
                Assign={"x": "after"},
                Catch=[{"ErrorEquals": ["States.ALL"], "ResultPath": None, "Next": "Show"}],
            ),
            "Show": pass_state(Parameters={"x.$": "$x"}),
        },
    }
    # ResultPath $.a.b through the string "s" fails the state: its Assign is not stored,
    # and the catcher goes on with the variable as it was.
    ex = run(tmp_path, definition, {"a": "s"})
    assert ex.output == {"x": "before"}


def test_branches_and_iterations_read_outer_variables_and_keep_their_own(tmp_path: Path) -> None:
    definition = {
        "StartAt": "Init",
        "States": {
            "Init": pass_state("Fan", Assign={"x": 42, "items": [1, 2]}),
            "Fan": {
                "Type": "Parallel",
                "Branches": [
                    {
                        "StartAt": "B",
                        "States": {
                            "B": pass_state("C", Assign={"inner.$": "$x"}),
                            "C": pass_state(Parameters={"inner.$": "$inner"}),
                        },
                    },
                    {
                        "StartAt": "M",
                        "States": {
                            "M": {
                                "Type": "Map",
                                "ItemsPath": "$items",
                                "ItemProcessor": {
                                    "StartAt": "I",
                                    "States": {
                                        "I": pass_state(
                                            Assign={"inner.$": "States.MathAdd($x, $.v)"},
                                            Parameters={"v.$": "$"},
                                        )
                                    },
                                },
                                "End": True,
                            }
                        },
                    },
                ],
                # The Parallel's own Assign is in the outer scope: it reads the result.
                "Assign": {"first.$": "$[0].inner"},
                "Next": "After",
            },
            "After": pass_state(Parameters={"first.$": "$first", "x.$": "$x"}),
        },
    }
    ex = run(tmp_path, definition)
    assert ex.status == "SUCCEEDED", ex.cause
    assert ex.output == {"first": 42, "x": 42}
    assigned = dict((state, a) for state, a in exits(ex) if a)
    assert assigned["Fan/0/B"] == {"inner": "42"}
    assert assigned["Fan/1/M/1/I"] == {"inner": "44"}


def test_an_inner_variable_is_not_visible_after_the_parallel(tmp_path: Path) -> None:
    definition = {
        "StartAt": "Fan",
        "States": {
            "Fan": {
                "Type": "Parallel",
                "Branches": [{"StartAt": "B", "States": {"B": pass_state(Assign={"inner": 1})}}],
                "Next": "After",
            },
            "After": pass_state(Parameters={"inner.$": "$inner"}),
        },
    }
    ex = run(tmp_path, definition)
    assert ex.error == "States.Runtime" and "'$inner'" in ex.cause


def test_a_variable_over_256_kib_fails_with_data_limit_exceeded(tmp_path: Path) -> None:
    # "up to 256 KiB per state": one Assign's values together.
    definition = {
        "StartAt": "Big",
        "States": {"Big": pass_state(Assign={"a.$": "$.blob"}, ResultPath=None)},
    }
    ex = run(tmp_path, definition, {"blob": "x" * 140_000})
    assert ex.status == "SUCCEEDED"
    definition["States"]["Big"]["Assign"] = {"a.$": "$.blob", "b.$": "$.blob"}
    (tmp_path / "b").mkdir()
    ex = run(tmp_path / "b", definition, {"blob": "x" * 140_000})
    assert ex.error == "States.DataLimitExceeded"
    assert "assigned variables with a size exceeding" in ex.cause


def test_a_redriven_execution_goes_on_with_the_variables_it_had(tmp_path: Path) -> None:
    definition = {
        "StartAt": "Init",
        "States": {
            "Init": pass_state("Work", Assign={"order": "o-1"}),
            "Work": task({"Next": "Show"}),
            "Show": pass_state(Parameters={"order.$": "$order"}),
        },
    }
    s = open_stack(tmp_path, definition)
    execute(s, "fail work next 1")
    ex = start(s, {}, "n")
    s.sim.run(10**7)
    assert ex.status == "FAILED"
    execute(s, "redrive-execution n")
    s.sim.run(10**7)
    assert ex.status == "SUCCEEDED"
    assert ex.output == {"order": "o-1"}
    # Init is not run again: the variable comes from before the stop.
    assert [h.state for h in ex.history if h.what == "PassStateEntered"] == ["Init", "Show"]


def test_show_execution_and_the_trace_show_the_assigned_variables(tmp_path: Path) -> None:
    definition = {"StartAt": "S", "States": {"S": pass_state(Assign={"n": 1, "who": "ann"})}}
    s = open_stack(tmp_path, definition)
    start(s, {}, "v")
    s.sim.run(10**7)
    text = render_plain(execute(s, "show execution v"))
    assert 'output 2 bytes; assigned $n = 1, $who = "ann"' in text
    (exited,) = [r for r in s.sim.trace.records if r.kind == "sfn.state.exited"]
    assert exited.data["assigned_variables"] == {"n": "1", "who": '"ann"'}
    text = render_plain(execute(s, "expect count sfn.state.exited flow == 1"))
    assert text.startswith("ok")


# --- validation -------------------------------------------------------------------------


def problems(definition: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [
        ("/".join(map(str, p.path)), p.severity, p.message)
        for p in asl.check_definition(definition)
    ]


def test_validation_refuses_bad_names_and_assign_where_aws_does() -> None:
    definition = {
        "StartAt": "A",
        "States": {
            "A": pass_state(
                "B",
                Assign={"states": 1, "1x": 2, "ok": 3, "ok.$": "$.y", "bad.$": "$.[", "z": 0},
            ),
            "B": {"Type": "Succeed", "Assign": {"x": 1}},
        },
    }
    found = problems(definition)
    assert (
        "States/A/Assign/states",
        "error",
        "The variable name 'states' is reserved ($states)",
    ) in found
    assert any(p[0] == "States/A/Assign/1x" and "not valid" in p[2] for p in found)
    assert any(p[0] == "States/A/Assign/ok.$" and "assigned twice" in p[2] for p in found)
    assert any(p[0] == "States/A/Assign/bad.$" for p in found)
    assert (
        "States/B/Assign",
        "error",
        "SCHEMA_VALIDATION_FAILED: Field 'Assign' is not supported by a Succeed state at "
        "/States/B/Assign",
    ) in found


def test_validation_of_scopes_and_references() -> None:
    inner = {"StartAt": "I", "States": {"I": pass_state(Assign={"x": 2, "own": 1})}}
    definition = {
        "StartAt": "A",
        "States": {
            "A": pass_state("P", Assign={"x": 1}),
            "P": {"Type": "Parallel", "Branches": [inner], "Next": "D"},
            "D": {
                "Type": "Map",
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                    "StartAt": "J",
                    "States": {"J": pass_state(Parameters={"x.$": "$x"})},
                },
                "Next": "E",
            },
            "E": pass_state(ResultPath="$ghost", Parameters={"a.$": "$own", "b.$": "$typo"}),
        },
    }
    found = problems(definition)
    shadow = [p for p in found if p[0] == "States/P/Branches/0/States/I/Assign/x"]
    assert shadow and shadow[0][1] == "error" and "outer scope" in shadow[0][2]
    blind = [p for p in found if p[0].endswith("States/J/Parameters/x.$")]
    assert blind and blind[0][1] == "warning" and "Distributed Map" in blind[0][2]
    refs = {p[0]: p for p in found if p[0].startswith("States/E/Parameters")}
    assert set(refs) == {"States/E/Parameters/a.$", "States/E/Parameters/b.$"}
    assert all(p[1] == "warning" for p in refs.values())
    assert any(p[0] == "States/E/ResultPath" and "not the variable $ghost" in p[2] for p in found)


def test_validate_reports_variable_problems_with_their_position(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    definition = {"StartAt": "A", "States": {"A": pass_state(Parameters={"a.$": "$typo"})}}
    open_stack(tmp_path, definition)
    from stptui.cli import main

    assert main(["validate", str(tmp_path / "stacktape.yml")]) == 0
    out = capsys.readouterr().out
    assert "stacktape.yml:9:" in out and "asl-variable" in out
    assert "reads the variable $typo, which no state of its scope or an outer one assigns" in out


def test_query_languages_mix_only_one_way_and_keep_their_own_fields() -> None:
    # A JSONata definition may not have a JSONPath state; each language refuses the other's
    # fields.
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "A",
        "States": {
            "A": pass_state("B", QueryLanguage="JSONPath"),
            "B": pass_state("C", InputPath="$.x", Output="{% $states.input %}"),
            "C": pass_state(QueryLanguage="XPath"),
        },
    }
    found = [p for p in problems(definition) if p[1] == "error"]
    assert [p[0] for p in found] == [
        "States/A/QueryLanguage",
        "States/B/InputPath",
        "States/C/QueryLanguage",
    ]
    assert "may not use JSONPath when the state machine's QueryLanguage is JSONata" in found[0][2]
    assert "The field 'InputPath' is not supported by a JSONata state" in found[1][2]
    jsonpath = {"StartAt": "A", "States": {"A": pass_state(Output={"a": 1})}}
    assert [p[2] for p in problems(jsonpath)] == [
        "SCHEMA_VALIDATION_FAILED: The field 'Output' is not supported by a JSONPath state at "
        "/States/A/Output"
    ]
