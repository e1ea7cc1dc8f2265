"""Step Functions data flow: InputPath, Parameters, ResultSelector, ResultPath, OutputPath,
Catch, Choice, Wait and Map, against the AWS developer guide's worked examples.

Pages (https://docs.aws.amazon.com/step-functions/latest/dg/...):
  concepts-input-output-filtering.html  "Processing input and output in Step Functions"
  input-output-inputpath-params.html    "InputPath, Parameters and ResultSelector"
  input-output-resultpath.html          "Specifying state output using ResultPath"
  input-output-example.html             "OutputPath"
  state-choice.html                     "Choice workflow state"
  state-wait.html                       "Wait workflow state"
  state-map-inline.html / amazon-states-language-map-state.html  "Map state"
  input-output-contextobject.html       "Context object"
"""

from __future__ import annotations

from typing import Any

import pytest

from stptui.sim.asl_data import (
    DataEnv,
    StatesRuntimeError,
    catch_output,
    check_state,
    choose,
    map_item_input,
    map_items,
    parse_timestamp_ms,
    state_input,
    state_output,
    wait_until_ms,
)

CONTEXT = {
    "Execution": {"Id": "arn:aws:states:us-east-1:123456789012:execution:sm:e1", "Input": {}},
    "State": {"Name": "S", "EnteredTime": "2019-03-26T20:14:13.192Z", "RetryCount": 0},
    "StateMachine": {"Id": "arn:aws:states:us-east-1:123456789012:stateMachine:sm"},
}
ENV = DataEnv(context=CONTEXT, uuid=lambda: "u", random=lambda a, b: a)


def raises(fn: Any, *args: Any) -> StatesRuntimeError:
    with pytest.raises(StatesRuntimeError) as info:
        fn(*args)
    return info.value


# --- InputPath, Parameters, ResultSelector, ResultPath, OutputPath -----------------------

INPUTPATH_EXAMPLE = {
    "comment": "Example for InputPath.",
    "dataset1": {"val1": 1, "val2": 2, "val3": 3},
    "dataset2": {"val1": "a", "val2": "b", "val3": "c"},
}


def test_input_path_selects_part_of_the_input() -> None:
    # "InputPath, Parameters and ResultSelector": InputPath "$.dataset2".
    state = {"Type": "Task", "InputPath": "$.dataset2"}
    assert state_input(state, "T", INPUTPATH_EXAMPLE, ENV) == {
        "val1": "a",
        "val2": "b",
        "val3": "c",
    }


def test_input_path_null_gives_an_empty_object() -> None:
    # "Processing input and output": a null InputPath passes {}.
    assert state_input({"Type": "Task", "InputPath": None}, "T", {"a": 1}, ENV) == {}


def test_parameters_resolve_paths_and_keep_static_values() -> None:
    # "InputPath, Parameters and ResultSelector", the Parameters example.
    data = {
        "comment": "Example for Parameters.",
        "product": {
            "details": {"color": "blue", "size": "small", "material": "cotton"},
            "availability": "in stock",
            "sku": "2317",
            "cost": "$23",
        },
    }
    state = {
        "Type": "Task",
        "Parameters": {
            "comment": "Selecting what I care about.",
            "MyDetails": {
                "size.$": "$.product.details.size",
                "exists.$": "$.product.availability",
                "StaticValue": "foo",
            },
        },
    }
    assert state_input(state, "T", data, ENV) == {
        "comment": "Selecting what I care about.",
        "MyDetails": {"size": "small", "exists": "in stock", "StaticValue": "foo"},
    }


def test_parameters_read_the_context_object() -> None:
    # "Context object": "$$." paths read the context, not the input.
    state = {"Type": "Pass", "Parameters": {"name.$": "$$.State.Name", "id.$": "$$.Execution.Id"}}
    assert state_input(state, "S", {}, ENV) == {"name": "S", "id": CONTEXT["Execution"]["Id"]}


def test_parameters_run_after_input_path() -> None:
    state = {"Type": "Task", "InputPath": "$.dataset1", "Parameters": {"v.$": "$.val2"}}
    assert state_input(state, "T", INPUTPATH_EXAMPLE, ENV) == {"v": 2}


def test_parameters_path_may_be_indefinite() -> None:
    # The ASL spec's example: "$.vals[0]" and "$.vals[3:]".
    state = {"Type": "Pass", "Parameters": {"first.$": "$.vals[0]", "last3.$": "$.vals[3:]"}}
    out = state_input(state, "P", {"vals": [0, 10, 20, 30, 40, 50]}, ENV)
    assert out == {"first": 0, "last3": [30, 40, 50]}


def test_choice_and_wait_ignore_parameters() -> None:
    state = {"Type": "Wait", "Seconds": 1, "Parameters": {"a": 1}, "InputPath": "$.x"}
    assert state_input(state, "W", {"x": {"y": 1}}, ENV) == {"y": 1}


def test_map_parameters_shape_items_not_the_map_input() -> None:
    state = {"Type": "Map", "Parameters": {"v.$": "$$.Map.Item.Value"}}
    assert state_input(state, "M", {"items": [1]}, ENV) == {"items": [1]}


def test_missing_parameters_path_fails_with_aws_cause() -> None:
    # A real execution's history (aws-cdk issue threads quote it):
    # "The JSONPath '$.JobName' specified for the field 'JobName.$' could not be found in the
    # input '{}'".
    state = {"Type": "Task", "Parameters": {"JobName.$": "$.JobName"}}
    err = raises(state_input, state, "Glue StartJobRun", {}, ENV)
    assert err.error == "States.Runtime"
    assert err.cause == (
        "An error occurred while executing the state 'Glue StartJobRun'. The JSONPath "
        "'$.JobName' specified for the field 'JobName.$' could not be found in the input '{}'"
    )


def test_missing_input_path_fails_with_jayway_wording() -> None:
    err = raises(state_input, {"Type": "Task", "InputPath": "$.a.b"}, "T", {"a": {}}, ENV)
    assert err.error == "States.Runtime"
    assert err.cause.endswith("Invalid path '$.a.b' : No results for path: $['a']['b']")


RESULTPATH_INPUT = {
    "comment": "This is a test of the input and output of a Task state.",
    "details": "Default example",
    "who": "AWS Step Functions",
}


def test_result_path_default_replaces_the_input() -> None:
    out = state_output({"Type": "Task"}, "T", RESULTPATH_INPUT, "Hello, AWS Step Functions!", ENV)
    assert out == "Hello, AWS Step Functions!"


def test_result_path_adds_the_result_to_the_input() -> None:
    # "Specifying state output using ResultPath": ResultPath "$.taskresult".
    state = {"Type": "Task", "ResultPath": "$.taskresult"}
    out = state_output(state, "T", RESULTPATH_INPUT, "Hello, AWS Step Functions!", ENV)
    assert out == {**RESULTPATH_INPUT, "taskresult": "Hello, AWS Step Functions!"}


def test_result_path_null_discards_the_result() -> None:
    state = {"Type": "Task", "ResultPath": None}
    assert state_output(state, "T", RESULTPATH_INPUT, "x", ENV) == RESULTPATH_INPUT


def test_result_path_updates_a_node_and_creates_missing_objects() -> None:
    # "Use ResultPath to update a node in the input with the result".
    state = {"Type": "Task", "ResultPath": "$.master.detail"}
    out = state_output(state, "T", {"master": {"detail": [1, 2, 3]}}, 6, ENV)
    assert out == {"master": {"detail": 6}}
    state = {"Type": "Task", "ResultPath": "$.a.b.c"}
    assert state_output(state, "T", {"x": 1}, 2, ENV) == {"x": 1, "a": {"b": {"c": 2}}}


def test_result_path_does_not_change_the_callers_input() -> None:
    raw = {"a": {"b": 1}}
    state_output({"Type": "Task", "ResultPath": "$.a.c"}, "T", raw, 2, ENV)
    assert raw == {"a": {"b": 1}}


def test_result_path_through_a_non_object_is_a_match_failure() -> None:
    err = raises(state_output, {"Type": "Task", "ResultPath": "$.a.b"}, "T", {"a": "s"}, 1, ENV)
    assert err.error == "States.ResultPathMatchFailure"
    assert err.cause == 'Unable to apply ReferencePath $.a.b to input {"a":"s"}'


def test_result_selector_then_result_path_then_output_path() -> None:
    # "InputPath, Parameters and ResultSelector": ResultSelector reads the result.
    state = {
        "Type": "Task",
        "ResultSelector": {"ClusterId.$": "$.output.ClusterId", "ResourceType.$": "$.resourceType"},
        "ResultPath": "$.EMROutput",
        "OutputPath": "$.EMROutput",
    }
    result = {"resourceType": "elasticmapreduce", "output": {"ClusterId": "AKIAIOSFODNN7EXAMPLE"}}
    out = state_output(state, "T", {"in": 1}, result, ENV)
    assert out == {"ClusterId": "AKIAIOSFODNN7EXAMPLE", "ResourceType": "elasticmapreduce"}


def test_pass_has_no_result_selector() -> None:
    state = {"Type": "Pass", "ResultSelector": {"x": 1}, "ResultPath": "$.r"}
    assert state_output(state, "P", {}, {"y": 2}, ENV) == {"r": {"y": 2}}


def test_output_path_missing_is_a_runtime_error_and_null_gives_empty() -> None:
    err = raises(state_output, {"Type": "Task", "OutputPath": "$.nope"}, "T", {}, {}, ENV)
    assert err.error == "States.Runtime" and "No results for path: $['nope']" in err.cause
    assert state_output({"Type": "Task", "OutputPath": None}, "T", {}, {"a": 1}, ENV) == {}


def test_choice_and_wait_output_is_their_filtered_input() -> None:
    state = {"Type": "Wait", "Seconds": 1, "InputPath": "$.a", "OutputPath": "$.b"}
    assert state_output(state, "W", {"a": {"b": 7}}, None, ENV) == 7


def test_catch_output_places_the_error_output() -> None:
    # "Handling errors": a Catcher's ResultPath "$.error-info" keeps the input.
    error = {"Error": "States.TaskFailed", "Cause": "boom"}
    out = catch_output({"ResultPath": "$.error-info"}, "T", {"a": 1}, error, ENV)
    assert out == {"a": 1, "error-info": error}
    assert catch_output({}, "T", {"a": 1}, error, ENV) == error
    assert catch_output({"ResultPath": None}, "T", {"a": 1}, error, ENV) == {"a": 1}
    err = raises(catch_output, {"ResultPath": "$.a.b"}, "T", {"a": 1}, error, ENV)
    assert err.error == "States.ResultPathMatchFailure"


# --- Choice -------------------------------------------------------------------------------

GUIDE_CHOICE = {
    "Type": "Choice",
    "Choices": [
        {"Not": {"Variable": "$.type", "StringEquals": "Private"}, "Next": "Public"},
        {"Variable": "$.value", "NumericEquals": 0, "Next": "ValueIsZero"},
        {
            "And": [
                {"Variable": "$.value", "NumericGreaterThanEquals": 20},
                {"Variable": "$.value", "NumericLessThan": 30},
            ],
            "Next": "ValueInTwenties",
        },
    ],
    "Default": "DefaultState",
}


def test_guide_choice_example_goes_to_value_in_twenties() -> None:
    # "Choice workflow state": input {"type": "Private", "value": 22} -> ValueInTwenties.
    nxt, verdicts = choose(GUIDE_CHOICE, "ChoiceStateX", {"type": "Private", "value": 22}, ENV)
    assert nxt == "ValueInTwenties"
    assert [v.matched for v in verdicts] == [False, False, True]
    assert verdicts[0].reason.startswith('Not: the inner rule holds: $.type is "Private"')
    assert verdicts[1].reason == "$.value is 22; NumericEquals wants 0"
    assert verdicts[2].next == "ValueInTwenties"


def test_and_says_which_inner_rule_failed_and_default_is_taken() -> None:
    nxt, verdicts = choose(GUIDE_CHOICE, "C", {"type": "Private", "value": 35}, ENV)
    assert nxt == "DefaultState"
    assert verdicts[2].reason == (
        "And: rule 2 of 2 fails: $.value is 35; NumericLessThan wants less than 30"
    )


def test_boolean_verdict_reads_as_the_brief_says() -> None:
    state = {
        "Type": "Choice",
        "Choices": [{"Variable": "$.valid", "BooleanEquals": True, "Next": "Ok"}],
        "Default": "No",
    }
    nxt, verdicts = choose(state, "C", {"valid": False}, ENV)
    assert nxt == "No"
    assert verdicts[0].reason == "$.valid is false; BooleanEquals wants true"


def test_no_match_without_default_is_no_choice_matched() -> None:
    state = {"Type": "Choice", "Choices": [{"Variable": "$.a", "NumericEquals": 1, "Next": "X"}]}
    err = raises(choose, state, "C", {"a": 2}, ENV)
    assert err.error == "States.NoChoiceMatched"
    assert "add a Default" in err.hint


def test_missing_variable_is_runtime_error_unless_is_present() -> None:
    # Rule evaluation of a missing path: "Invalid path '$.x': The choice state's condition
    # path references an invalid value." (States.Runtime).
    state = {
        "Type": "Choice",
        "Choices": [{"Variable": "$.amount", "NumericGreaterThan": 1, "Next": "X"}],
    }
    err = raises(choose, state, "C", {}, ENV)
    assert err.error == "States.Runtime"
    assert err.cause.endswith(
        "Invalid path '$.amount': The choice state's condition path references an invalid value."
    )
    assert "$.amount is missing (IsPresent would be false)" in err.hint
    guarded = {
        "Type": "Choice",
        "Choices": [
            {
                "And": [
                    {"Variable": "$.amount", "IsPresent": True},
                    {"Variable": "$.amount", "NumericGreaterThan": 1},
                ],
                "Next": "X",
            }
        ],
        "Default": "D",
    }
    nxt, verdicts = choose(guarded, "C", {}, ENV)
    assert nxt == "D"
    assert verdicts[0].reason == "And: rule 1 of 2 fails: $.amount is missing; IsPresent wants true"


def test_type_mismatch_never_matches() -> None:
    # "Step Functions doesn't attempt to match a numeric field to a string value."
    state = {
        "Type": "Choice",
        "Choices": [{"Variable": "$.n", "NumericEquals": 5, "Next": "X"}],
        "Default": "D",
    }
    nxt, verdicts = choose(state, "C", {"n": "5"}, ENV)
    assert nxt == "D"
    assert verdicts[0].reason == '$.n is "5", not a number; NumericEquals wants a number'
    nxt, _ = choose(state, "C", {"n": True}, ENV)
    assert nxt == "D"


@pytest.mark.parametrize(
    ("rule", "data", "matched"),
    [
        ({"StringEquals": "MyString"}, "MyString", True),
        ({"StringGreaterThan": "MyStringABC"}, "MyStringABD", True),
        ({"StringLessThanEquals": "b"}, "b", True),
        ({"StringGreaterThanEquals": "b"}, "a", False),
        ({"NumericEquals": 1}, 1.0, True),
        ({"NumericLessThanEquals": 2}, 3, False),
        ({"BooleanEquals": False}, False, True),
        ({"TimestampEquals": "2001-01-01T12:00:00Z"}, "2001-01-01T13:00:00+01:00", True),
        ({"TimestampGreaterThan": "2001-01-01T12:00:00Z"}, "2001-01-01T12:00:00.5Z", True),
        ({"TimestampLessThan": "2001-01-01T12:00:00Z"}, "2001-01-01t11:00:00Z", False),
        ({"StringEquals": "2001-01-01T12:00:00Z"}, "2001-01-01T12:00:00Z", True),
        ({"IsNull": True}, None, True),
        ({"IsNumeric": True}, True, False),
        ({"IsString": True}, "x", True),
        ({"IsBoolean": False}, 1, True),
        ({"IsTimestamp": True}, "2016-08-18T17:33:00Z", True),
        ({"IsTimestamp": True}, "2016-08-18 17:33:00Z", False),
        ({"IsPresent": False}, 0, False),
        ({"StringMatches": "log-*.txt"}, "log-2024-01.txt", True),
        ({"StringMatches": "log-*.txt"}, "log-1.txt.gz", False),
        ({"StringMatches": "*"}, "", True),
        ({"StringMatches": "a\\*b"}, "a*b", True),
        ({"StringMatches": "a\\*b"}, "axxb", False),
        ({"StringMatches": "a\\\\*"}, "a\\xyz", True),
        ({"StringMatches": "a.c"}, "abc", False),
    ],
)
def test_operators(rule: dict[str, Any], data: Any, matched: bool) -> None:
    state = {
        "Type": "Choice",
        "Choices": [{"Variable": "$.v", **rule, "Next": "Yes"}],
        "Default": "No",
    }
    assert check_state(state) == []
    nxt, verdicts = choose(state, "C", {"v": data}, ENV)
    assert (nxt == "Yes") is matched, verdicts[0].reason


def test_string_order_is_javas_utf16_order() -> None:
    # "To understand the behavior of string comparisons, see the Java compareTo
    # documentation": U+FF5E sorts after U+1F600 (a surrogate pair starting 0xD83D).
    state = {
        "Type": "Choice",
        "Choices": [{"Variable": "$.v", "StringGreaterThan": "\U0001f600", "Next": "Yes"}],
        "Default": "No",
    }
    assert choose(state, "C", {"v": "\uff5e"}, ENV)[0] == "Yes"


def test_path_operators_compare_two_values_of_the_input() -> None:
    state = {
        "Type": "Choice",
        "Choices": [{"Variable": "$.a", "NumericLessThanPath": "$.b", "Next": "Yes"}],
        "Default": "No",
    }
    nxt, verdicts = choose(state, "C", {"a": 5, "b": 3}, ENV)
    assert nxt == "No"
    assert verdicts[0].reason == "$.a is 5; NumericLessThanPath wants less than $.b (3)"
    assert choose(state, "C", {"a": 1, "b": 3}, ENV)[0] == "Yes"
    err = raises(choose, state, "C", {"a": 1}, ENV)
    assert "Invalid path '$.b'" in err.cause


def test_or_and_not_say_which_rule_decided() -> None:
    state = {
        "Type": "Choice",
        "Choices": [
            {
                "Or": [
                    {"Variable": "$.x", "StringEquals": "a"},
                    {"Not": {"Variable": "$.y", "IsNull": True}},
                ],
                "Next": "Yes",
            }
        ],
        "Default": "No",
    }
    nxt, verdicts = choose(state, "C", {"x": "b", "y": 1}, ENV)
    assert nxt == "Yes"
    assert verdicts[0].reason == (
        "Or: rule 2 of 2 holds: Not: the inner rule fails: $.y is 1; IsNull is false, wants true"
    )
    nxt, verdicts = choose(state, "C", {"x": "b", "y": None}, ENV)
    assert nxt == "No"
    assert verdicts[0].reason.startswith('Or: none of 2 rules holds: [1] $.x is "b"')


def test_choice_rules_stop_at_the_first_match_and_read_context() -> None:
    state = {
        "Type": "Choice",
        "Choices": [
            {"Variable": "$$.State.Name", "StringEquals": "S", "Next": "First"},
            {"Variable": "$.missing", "IsNull": True, "Next": "Never"},
        ],
    }
    nxt, verdicts = choose(state, "S", {}, ENV)
    assert nxt == "First" and len(verdicts) == 1


def test_choice_applies_input_path_first() -> None:
    state = {
        "Type": "Choice",
        "InputPath": "$.inner",
        "Choices": [{"Variable": "$.ok", "BooleanEquals": True, "Next": "Yes"}],
    }
    assert choose(state, "C", {"inner": {"ok": True}}, ENV)[0] == "Yes"


# --- Wait ---------------------------------------------------------------------------------


def test_wait_seconds_and_seconds_path() -> None:
    assert wait_until_ms({"Type": "Wait", "Seconds": 10}, "W", {}, 5_000) == 15_000
    state = {"Type": "Wait", "SecondsPath": "$.delay"}
    assert wait_until_ms(state, "W", {"delay": 3}, 0) == 3_000
    err = raises(wait_until_ms, state, "W", {"delay": -1}, 0)
    assert err.error == "States.Runtime" and "integer from 0 to 99999999" in err.cause
    # "Wait workflow state": "an integer value from 0 to 99999999".
    assert wait_until_ms(state, "W", {"delay": 99_999_999}, 0) == 99_999_999_000
    assert "99999999" in raises(wait_until_ms, state, "W", {"delay": 100_000_000}, 0).cause
    assert raises(wait_until_ms, state, "W", {"delay": 1.5}, 0).error == "States.Runtime"
    err = raises(wait_until_ms, state, "W", {}, 0)
    assert "No results for path: $['delay']" in err.cause


def test_wait_timestamp_truncates_to_the_second_and_past_ends_now() -> None:
    # "Wait workflow state": the guide's timestamp 2016-03-14T01:59:00Z; AWS counts a
    # timestamp to the second.
    expected = 1_457_920_740_000
    state = {"Type": "Wait", "Timestamp": "2016-03-14T01:59:00Z"}
    assert wait_until_ms(state, "W", {}, 0) == expected
    state = {"Type": "Wait", "TimestampPath": "$.expirydate"}
    assert wait_until_ms(state, "W", {"expirydate": "2016-03-14T01:59:00.999Z"}, 0) == expected
    assert wait_until_ms(state, "W", {"expirydate": "2016-03-14T01:59:00Z"}, expected + 5) == (
        expected + 5
    )
    err = raises(wait_until_ms, state, "W", {"expirydate": "2016-03-14 01:59:00Z"}, 0)
    assert "RFC3339" in err.cause


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("2016-08-18T17:33:00Z", True),
        ("2016-08-18T17:33:00.123456Z", True),
        ("2016-08-18T17:33:00+02:00", True),
        ("2016-08-18t17:33:00Z", False),
        ("2016-08-18T17:33:00z", False),
        ("2016-08-18T17:33:00", False),
        ("2016-02-30T17:33:00Z", False),
        ("2016-08-18T17:33Z", False),
        (20160818, False),
    ],
)
def test_timestamp_format(text: Any, ok: bool) -> None:
    assert (parse_timestamp_ms(text) is not None) is ok


# --- Map ------------------------------------------------------------------------------------


def test_map_items_path_and_item_selector() -> None:
    # "Map state": ItemsPath selects the array; ItemSelector reads $$.Map.Item.*.
    state = {
        "Type": "Map",
        "InputPath": "$.detail",
        "ItemsPath": "$.shipped",
        "ItemSelector": {
            "parcel.$": "$$.Map.Item.Value",
            "index.$": "$$.Map.Item.Index",
            "courier.$": "$.delivery-partner",
        },
    }
    raw = {"detail": {"delivery-partner": "UQS", "shipped": [{"prod": "R31"}, {"prod": "S39"}]}}
    effective = state_input(state, "M", raw, ENV)
    items = map_items(state, "M", effective, ENV)
    assert items == [{"prod": "R31"}, {"prod": "S39"}]
    assert map_item_input(state, "M", effective, items[1], 1, ENV) == {
        "parcel": {"prod": "S39"},
        "index": 1,
        "courier": "UQS",
    }


def test_map_legacy_parameters_and_no_selector() -> None:
    legacy = {"Type": "Map", "Parameters": {"v.$": "$$.Map.Item.Value"}}
    assert map_item_input(legacy, "M", {}, 5, 0, ENV) == {"v": 5}
    assert map_item_input({"Type": "Map"}, "M", {}, 5, 0, ENV) == 5


def test_map_items_not_an_array() -> None:
    err = raises(map_items, {"Type": "Map", "ItemsPath": "$.x"}, "M", {"x": {"a": 1}}, ENV)
    assert err.error == "States.Runtime"
    assert "must point to a JSON array" in err.cause


# --- check_state ------------------------------------------------------------------------


def test_check_state_paths() -> None:
    state = {
        "Type": "Task",
        "InputPath": "$.a[",
        "ResultPath": "$.a[*]",
        "OutputPath": "$.ok",
        "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$$.x", "Next": "F"}],
    }
    problems = dict(check_state(state))
    assert set(problems) == {("InputPath",), ("ResultPath",), ("Catch", 0, "ResultPath")}
    assert "valid JSONPath" in problems[("InputPath",)]
    assert "valid ReferencePath" in problems[("ResultPath",)]


def test_check_state_parameters_value_must_be_path_or_call() -> None:
    state = {"Type": "Pass", "Parameters": {"a": [{"b.$": 3}], "c.$": "not a path"}}
    problems = dict(check_state(state))
    assert set(problems) == {("Parameters", "a", 0, "b.$"), ("Parameters", "c.$")}
    assert "valid JSONPath or a valid intrinsic function call" in problems[("Parameters", "c.$")]


def test_check_state_choice_rules() -> None:
    state = {
        "Type": "Choice",
        "Choices": [
            {"Variable": "$.a", "StringEquals": "x", "NumericEquals": 1, "Next": "X"},
            {"Variable": "$.a", "StringEquals": "x"},
            {"Not": {"Variable": "$.a", "IsNull": True, "Next": "X"}, "Next": "X"},
            {"Variable": "$.a", "TimestampEquals": "2001-01-01 12:00:00", "Next": "X"},
            {"Variable": "$.a", "NumericEqualsPath": "$.b[0:1]", "Next": "X"},
            {"StringEquals": "x", "Next": "X"},
            {"And": [], "Next": "X"},
            {"Variable": "$.a", "IsPresent": "yes", "Next": "X"},
        ],
    }
    problems = check_state(state)
    where = [p[0] for p in problems]
    assert where == [
        ("Choices", 0),
        ("Choices", 1),
        ("Choices", 2, "Not", "Next"),
        ("Choices", 3, "TimestampEquals"),
        ("Choices", 4, "NumericEqualsPath"),
        ("Choices", 5),
        ("Choices", 6, "And"),
        ("Choices", 7, "IsPresent"),
    ]
    assert "found: StringEquals, NumericEquals" in problems[0][1]
    assert check_state({"Type": "Choice", "Choices": []}) == [
        (("Choices",), "A Choice state needs a non-empty Choices array")
    ]


def test_check_state_wait() -> None:
    assert check_state({"Type": "Wait", "Seconds": 1}) == []
    problems = check_state({"Type": "Wait", "Seconds": 1, "Timestamp": "2016-03-14T01:59:00Z"})
    assert problems == [
        (
            (),
            "A Wait state must have exactly one of Seconds, Timestamp, SecondsPath or "
            "TimestampPath (found: Seconds, Timestamp)",
        )
    ]
    assert check_state({"Type": "Wait"})[0][1].endswith("(found: none)")
    assert [p[0] for p in check_state({"Type": "Wait", "SecondsPath": "$.a[*]"})] == [
        ("SecondsPath",)
    ]
    assert [p[0] for p in check_state({"Type": "Wait", "Seconds": -1})] == [("Seconds",)]
    assert [p[0] for p in check_state({"Type": "Wait", "Seconds": 10**8})] == [("Seconds",)]
    assert [p[0] for p in check_state({"Type": "Wait", "Timestamp": "soon"})] == [("Timestamp",)]


def test_check_state_map_items_path_is_a_reference_path() -> None:
    assert [p[0] for p in check_state({"Type": "Map", "ItemsPath": "$..x"})] == [("ItemsPath",)]
    assert (
        check_state(
            {"Type": "Map", "ItemsPath": "$.x", "ItemSelector": {"v.$": "$$.Map.Item.Value"}}
        )
        == []
    )


# --- hostile input ----------------------------------------------------------------------


def test_malformed_rules_at_run_time_are_runtime_errors_not_crashes() -> None:
    for rule in ("x", {"And": "x", "Next": "N"}, {"Variable": "$.a", "Next": "N"}):
        state = {"Type": "Choice", "Choices": [rule], "Default": "D"}
        assert raises(choose, state, "C", {"a": 1}, ENV).error == "States.Runtime"


def test_number_literal_beyond_a_double_is_a_static_problem() -> None:
    state = {"Type": "Pass", "Parameters": {"x.$": "States.Array(1e999)"}}
    problems = check_state(state)
    assert [p[0] for p in problems] == [("Parameters", "x.$")]
    assert "not a number a double can hold" in problems[0][1]
    assert raises(state_input, state, "P", {}, ENV).error == "States.IntrinsicFailure"


def test_string_matches_with_many_stars_on_a_long_value() -> None:
    state = {
        "Type": "Choice",
        "Choices": [{"Variable": "$.v", "StringMatches": "*a*a*a*a*a*a*a*b", "Next": "Y"}],
        "Default": "N",
    }
    assert choose(state, "C", {"v": "a" * 5000}, ENV)[0] == "N"
