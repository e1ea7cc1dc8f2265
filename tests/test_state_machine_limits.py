"""Step Functions' size and count limits, each where a user can reach it in a simulation, and
what Step Functions does there: an error or cause longer than the history's fields hold, a
Task's result (the connector's output) over 256 KiB whatever ResultSelector keeps of it (a
task failure that States.ALL catches), a state's output over it (a Parallel's or Map's
gathered results too; terminal, past States.ALL), the 25,000-event history, the 256 KiB
execution input and the 80-character name at their edges, an INLINE Map's 40 iterations at
once, a Wait past the execution's year.

Sources: the Step Functions API reference (TaskFailedEventDetails, ExecutionFailedEventDetails:
`error` at most 256 characters, `cause` 32,768; StartExecution's `name`), the developer
guide's "Handling errors" (States.DataLimitExceeded), "Using Map state in Inline mode" and
"Step Functions service quotas", AWS's execution histories recorded in localstack/localstack's
tests/aws/services/stepfunctions/v2/error_handling/test_states_errors.snapshot.json (2024),
and what users report of AWS (loads/ardere#86, wolfeidau/buildkite-serverless-agent#37,
csenkey/stockara's docs/steering/features/daily-pipeline-resilience/requirements.md).
docs/fidelity.md, "Step Functions: the audit against the guide", lists the other limits'
tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from test_state_machine import open_stack, start, task

from stptui.commands import CommandError, execute
from stptui.sim.asl import check_definition
from stptui.sim.services.state_machine import ExecutionError, lookup_machine

# "The state/task '...' returned a result with a size exceeding the maximum number of bytes
# service limit.": AWS's cause, word for word, in the histories recorded against it.
TOO_BIG = "The state/task '{}' returned a result with a size exceeding the maximum number of "
TOO_BIG += "bytes service limit."


def _failing(error: str, message: str) -> str:
    return f"behaviors:\n  work: {{fail: {{always: true, error: {error}, message: {message}}}}}\n"


@pytest.mark.parametrize("caught", [True, False])
def test_a_functions_error_and_cause_longer_than_the_history_holds_are_cut(
    tmp_path: Path, caught: bool
) -> None:
    # TaskFailedEventDetails and ExecutionFailedEventDetails hold an error of at most 256
    # characters and a cause of at most 32,768; a function's errorType and error response
    # have no such bound. Before this audit both went on whole (a 40,345-character cause).
    states: dict[str, Any] = {"Work": task({"End": True})}
    if caught:
        states["Work"]["Catch"] = [{"ErrorEquals": ["States.ALL"], "Next": "Saved"}]
        states["Saved"] = {"Type": "Pass", "End": True}
    definition = {"StartAt": "Work", "States": states}
    s = open_stack(tmp_path, definition, _failing("E" * 300, "m" * 40_000))
    ex = start(s)
    s.sim.run(10**7)
    if caught:
        assert ex.status == "SUCCEEDED"
        error, cause = ex.output["Error"], ex.output["Cause"]
    else:
        assert ex.status == "FAILED"
        error, cause = ex.error, ex.cause
    assert error == "E" * 256
    # The start of the function's error response, as far as the field holds.
    assert len(cause) == 32_768
    assert cause.startswith('{"errorType":"' + "E" * 300 + '","errorMessage":"mmm')
    if not caught:
        (failed,) = [r.data for r in s.sim.trace.records if r.kind == "sfn.execution.failed"]
        assert (failed["error"], failed["cause"]) == (error, cause)


def test_a_fail_states_error_and_cause_from_its_paths_are_cut_to_the_limits(
    tmp_path: Path,
) -> None:
    branch = {
        "StartAt": "Stop",
        "States": {"Stop": {"Type": "Fail", "ErrorPath": "$.code", "CausePath": "$.why"}},
    }
    definition = {
        "StartAt": "Fan",
        "States": {
            "Fan": {
                "Type": "Parallel",
                "Branches": [branch],
                "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.e", "Next": "Stop"}],
                "Next": "Stop",
            },
            "Stop": {"Type": "Fail", "ErrorPath": "$.e.Error", "CausePath": "$.e.Cause"},
        },
    }
    s = open_stack(tmp_path, definition)
    ex = start(s, {"code": "C" * 1000, "why": "w" * 100_000})
    s.sim.run(10**7)
    # The branch's Fail state failed with the cut texts, the Parallel's catcher saw those.
    assert (ex.status, ex.error, ex.cause) == ("FAILED", "C" * 256, "w" * 32_768)


def test_a_task_result_over_256_kib_fails_the_task_whatever_result_selector_keeps(
    tmp_path: Path,
) -> None:
    # "States.DataLimitExceeded ... When the output of a connector is larger than payload
    # size quota" (Handling errors): the result is measured before ResultSelector makes it
    # small. Before this audit only the state's output was measured, so this succeeded.
    definition = {
        "StartAt": "Work",
        "States": {
            "Work": task({"End": True}, ResultSelector={"kept.$": "$.id"}),
        },
    }
    behaviors = "behaviors:\n  work: {response: {id: 7, data: " + "x" * 300_000 + "}}\n"
    s = open_stack(tmp_path, definition, behaviors)
    ex = start(s)
    s.sim.run(10**7)
    arn = "arn:aws:lambda:us-east-1:123456789012:function:app-dev-work"
    # AWS names the function's ARN for a direct task (its recorded LambdaFunctionFailed).
    assert (ex.status, ex.error, ex.cause) == (
        "FAILED",
        "States.DataLimitExceeded",
        TOO_BIG.format(arn),
    )
    assert ex.hint.startswith("the result is 300,0") and "262,144" in ex.hint


def test_an_output_over_256_kib_names_the_state_unless_the_result_alone_is_over(
    tmp_path: Path,
) -> None:
    # With ResultPath into the input, the output holds the whole result: a result over
    # 256 KiB is the connector's (its resource named), a result under it that makes the
    # output too large is the state's (its name).
    definition = {"StartAt": "Work", "States": {"Work": task({"End": True}, ResultPath="$.r")}}
    arn_cause = TOO_BIG.format("arn:aws:lambda:us-east-1:123456789012:function:app-dev-work")
    for given, data, cause in [
        ({}, "x" * 300_000, arn_cause),
        ({"big": "y" * 200_000}, "x" * 100_000, TOO_BIG.format("Work")),
    ]:
        behaviors = "behaviors:\n  work: {response: {data: " + data + "}}\n"
        s = open_stack(tmp_path, definition, behaviors)
        ex = start(s, given)
        s.sim.run(10**7)
        assert (ex.error, ex.cause) == ("States.DataLimitExceeded", cause)


def test_lambda_invoke_names_lambda_in_the_cause_of_a_result_over_256_kib(
    tmp_path: Path,
) -> None:
    definition = {
        "StartAt": "Work",
        "States": {
            "Work": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": "work", "Payload.$": "$"},
                "ResultSelector": {"code.$": "$.StatusCode"},
                "End": True,
            }
        },
    }
    behaviors = "behaviors:\n  work: {response: {data: " + "x" * 300_000 + "}}\n"
    s = open_stack(tmp_path, definition, behaviors)
    ex = start(s)
    s.sim.run(10**7)
    assert (ex.error, ex.cause) == ("States.DataLimitExceeded", TOO_BIG.format("lambda"))


def test_a_pass_states_output_over_256_kib_fails_with_awss_cause_and_the_size_as_a_hint(
    tmp_path: Path,
) -> None:
    # AWS's recorded history of a Pass state whose Result is 257 KiB: ExecutionFailed with
    # States.DataLimitExceeded and that cause, naming the state. The sizes are stptui's
    # advice, shown apart from the cause.
    definition = {
        "StartAt": "State_1",
        "States": {"State_1": {"Type": "Pass", "Result": {"Arg1": "a" * 263_168}, "End": True}},
    }
    s = open_stack(tmp_path, definition)
    ex = start(s)
    s.sim.run(10**7)
    assert (ex.status, ex.error, ex.cause) == (
        "FAILED",
        "States.DataLimitExceeded",
        TOO_BIG.format("State_1"),
    )
    assert ex.hint.startswith("the output is 263,180 bytes")


def test_the_history_limit_fails_with_awss_cause_and_the_advice_as_a_hint(
    tmp_path: Path,
) -> None:
    # What users see when a Standard execution reaches 25,000 events (loads/ardere#86):
    # States.Runtime, "The execution reached the maximum number of history events (25000)."
    definition = {
        "StartAt": "A",
        "States": {"A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Pass", "Next": "A"}},
    }
    s = open_stack(tmp_path, definition)
    ex = start(s)
    assert (ex.status, ex.error, ex.cause) == (
        "FAILED",
        "States.Runtime",
        "The execution reached the maximum number of history events (25000).",
    )
    assert "loop" in ex.hint
    shown = execute(s, f"show execution {ex.name}").text
    assert "loop" in shown
    # RedriveExecution needs fewer than 24,999 events (room for ExecutionRedriven).
    with pytest.raises(CommandError) as info:
        execute(s, f"redrive-execution {ex.name}")
    assert str(info.value.message) == (
        "ExecutionNotRedrivable: Execution history event limit exceeded"
    )


@pytest.mark.parametrize("length", [0, 1, 80, 81])
def test_an_execution_names_length_is_checked_before_its_characters(
    tmp_path: Path, length: int
) -> None:
    # StartExecution's `name`: "Minimum length of 1. Maximum length of 80." A length outside
    # is the API's ValidationException, as users quote it ("Value 'xxx' at 'name' failed to
    # satisfy constraint: Member must have length less than or equal to 80",
    # wolfeidau/buildkite-serverless-agent#37); InvalidName is for the characters. Before
    # this audit both were InvalidName.
    definition = {"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}}
    s = open_stack(tmp_path, definition)
    machine = lookup_machine(s.sim, "flow")
    if 1 <= length <= 80:
        assert machine.start({}, "n" * length).name == "n" * length
        return
    with pytest.raises(ExecutionError) as info:
        machine.start({}, "n" * length)
    bound = "less than or equal to 80" if length else "greater than or equal to 1"
    assert str(info.value).startswith("ValidationException: 1 validation error detected: ")
    assert str(info.value).endswith(
        f"at 'name' failed to satisfy constraint: Member must have length {bound}"
    )
    with pytest.raises(ExecutionError, match=r"^InvalidName: Invalid Name: 'a b'"):
        machine.start({}, "a b")


def test_an_execution_input_of_exactly_256_kib_is_taken_and_one_byte_more_is_not(
    tmp_path: Path,
) -> None:
    definition = {"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}}
    s = open_stack(tmp_path, definition)
    # Measured as stptui measures state data: the JSON text with `json.dumps`'s spacing.
    payload = {"x": "y" * (262_144 - len(json.dumps({"x": ""})))}
    machine = lookup_machine(s.sim, "flow")
    ex = machine.start(payload, "edge")
    s.sim.run(10**7)
    assert ex.status == "SUCCEEDED"
    bigger = json.dumps({"x": payload["x"] + "y"})
    with pytest.raises(CommandError, match="InvalidExecutionInput: the input is 262,145 bytes"):
        execute(s, f"start-execution flow '{bigger}'")


@pytest.mark.parametrize("max_concurrency", [0, 100])
def test_an_inline_map_runs_at_most_40_iterations_at_once(
    tmp_path: Path, max_concurrency: int
) -> None:
    # "In this mode, the Map state supports up to 40 concurrent iterations" (Using Map state
    # in Inline mode): MaxConcurrency 0 ("no limit") and 100 both run 40 at a time. Before
    # this audit all 50 ran at once and the Map ended after one second.
    definition = {
        "StartAt": "Each",
        "States": {
            "Each": {
                "Type": "Map",
                "MaxConcurrency": max_concurrency,
                "End": True,
                "ItemProcessor": {"StartAt": "W", "States": {"W": task({"End": True})}},
            }
        },
    }
    behaviors = "behaviors:\n  work: {duration: 1s, response: '@'}\n"
    s = open_stack(tmp_path, definition, behaviors)
    ex = start(s, list(range(50)))
    s.sim.run(10**7)
    assert (ex.status, ex.output) == ("SUCCEEDED", list(range(50)))
    started = [r.t - ex.start_ms for r in s.sim.trace.records if r.kind == "sfn.task.started"]
    assert started == [0] * 40 + [1000] * 10
    assert ex.stop_ms == ex.start_ms + 2000


@pytest.mark.parametrize(
    ("value", "refused"), [(0, False), (10_000, False), (-1, True), (1.5, True)]
)
def test_validate_refuses_a_max_concurrency_that_is_no_non_negative_integer(
    value: Any, refused: bool
) -> None:
    processor = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
    state = {"Type": "Map", "MaxConcurrency": value, "End": True, "ItemProcessor": processor}
    problems = check_definition({"StartAt": "M", "States": {"M": state}})
    assert [p.path[-1] for p in problems if p.severity == "error"] == (
        ["MaxConcurrency"] if refused else []
    )


def test_a_parallels_or_maps_gathered_results_over_256_kib_fail_the_state(
    tmp_path: Path,
) -> None:
    # Each branch's or iteration's output is under the limit; the array they make is not:
    # the Parallel's or Map's own output fails it, its name in AWS's cause.
    big = {"Type": "Pass", "Result": "x" * 150_000, "End": True}
    branch = {"StartAt": "B", "States": {"B": big}}
    for state in (
        {"Type": "Parallel", "Branches": [branch, branch], "End": True},
        {"Type": "Map", "ItemProcessor": branch, "End": True},
    ):
        s = open_stack(tmp_path, {"StartAt": "Gather", "States": {"Gather": state}})
        ex = start(s, [1, 2])
        s.sim.run(10**7)
        assert (ex.status, ex.error, ex.cause) == (
            "FAILED",
            "States.DataLimitExceeded",
            TOO_BIG.format("Gather"),
        )


def test_a_task_result_over_256_kib_is_recorded_as_the_tasks_failure(tmp_path: Path) -> None:
    # AWS's recorded history: TaskFailed (LambdaFunctionFailed for a function's ARN) with
    # States.DataLimitExceeded, so the trace has the task's failure, as for a function error.
    definition = {"StartAt": "Work", "States": {"Work": task({"End": True})}}
    behaviors = "behaviors:\n  work: {response: {data: " + "x" * 300_000 + "}}\n"
    s = open_stack(tmp_path, definition, behaviors)
    ex = start(s)
    s.sim.run(10**7)
    failed = [r.data for r in s.sim.trace.records if r.kind == "sfn.task.failed"]
    assert [(f["state"], f["error"]) for f in failed] == [("Work", "States.DataLimitExceeded")]
    assert ex.hint.startswith("the result is 300,0")


def test_a_wait_until_a_timestamp_past_the_year_ends_timed_out_at_the_year(
    tmp_path: Path,
) -> None:
    # "Maximum open time for an execution: 1 year" (quotas): a Wait until 9999 does not
    # outlive it, as a Seconds of 99999999 does not.
    wait = {"Type": "Wait", "Timestamp": "9999-12-31T23:59:59Z", "End": True}
    s = open_stack(tmp_path, {"StartAt": "W", "States": {"W": wait}})
    ex = start(s)
    execute(s, "advance 400d")
    assert (ex.status, ex.error) == ("TIMED_OUT", "States.Timeout")
    assert ex.stop_ms - ex.start_ms == 365 * 24 * 3_600_000


_ARN = "arn:aws:lambda:us-east-1:123456789012:function:app-dev-work"
_LAMBDA_INVOKE = {
    "Resource": "arn:aws:states:::lambda:invoke",
    "Parameters": {"FunctionName": "work", "Payload.$": "$"},
}


@pytest.mark.parametrize(("resource", "named"), [({}, _ARN), (_LAMBDA_INVOKE, "lambda")])
def test_states_all_catches_a_task_result_over_256_kib_as_awss_histories_show(
    tmp_path: Path, resource: dict[str, Any], named: str
) -> None:
    # AWS's recorded histories (localstack's test_states_errors.snapshot.json, 2024): a
    # function returning more than 256 KiB, a States.ALL catcher: TaskFailed (or
    # LambdaFunctionFailed) with States.DataLimitExceeded, then the catcher's state, and the
    # execution SUCCEEDED with the error output. The guide's note says States.ALL cannot.
    definition = {
        "StartAt": "Work",
        "States": {
            "Work": task(
                {"Next": "Done"},
                **resource,
                Catch=[{"ErrorEquals": ["States.ALL"], "Next": "Handle"}],
            ),
            "Done": {"Type": "Succeed"},
            "Handle": {"Type": "Pass", "End": True},
        },
    }
    behaviors = "behaviors:\n  work: {response: {data: " + "x" * 300_000 + "}}\n"
    s = open_stack(tmp_path, definition, behaviors)
    ex = start(s)
    s.sim.run(10**7)
    assert (ex.status, ex.output) == (
        "SUCCEEDED",
        {"Error": "States.DataLimitExceeded", "Cause": TOO_BIG.format(named)},
    )
    caught = [r.data for r in s.sim.trace.records if r.kind == "sfn.caught"]
    assert [(c["state"], c["next"]) for c in caught] == [("Work", "Handle")]


def test_states_all_cannot_catch_a_states_output_or_input_over_256_kib(tmp_path: Path) -> None:
    # "A terminal error that can't be caught by the States.ALL error type" (Handling errors),
    # as a user's production history has it for a Parallel whose gathered branch results
    # were too large (csenkey/stockara, 2026). A task's result under the limit whose
    # ResultPath makes the output too large, and a task input too large after Parameters,
    # are the state's too: neither States.ALL retrier nor catcher acts on them.
    recover = {
        "Retry": [{"ErrorEquals": ["States.ALL"]}],
        "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}],
    }
    branch = {
        "StartAt": "B",
        "States": {"B": {"Type": "Pass", "Result": "x" * 150_000, "End": True}},
    }
    big = "behaviors:\n  work: {response: {data: " + "x" * 100_000 + "}}\n"
    cases: list[tuple[dict[str, Any], Any, str]] = [
        ({"Type": "Parallel", "Branches": [branch, branch], **recover}, [1], ""),
        (task({}, ResultPath="$.r", **recover), {"big": "y" * 200_000}, big),
        (
            task({}, Parameters={"a.$": "$.big", "b.$": "$.big"}, **recover),
            {"big": "y" * 150_000},
            "",
        ),
    ]
    for state, given, behaviors in cases:
        definition = {
            "StartAt": "S",
            "States": {"S": {**state, "End": True}, "Caught": {"Type": "Succeed"}},
        }
        s = open_stack(tmp_path, definition, behaviors)
        ex = start(s, given)
        s.sim.run(10**8)
        assert (ex.status, ex.error) == ("FAILED", "States.DataLimitExceeded")
        assert not [r for r in s.sim.trace.records if r.kind in ("sfn.caught", "sfn.retry")]


def test_a_task_result_over_256_kib_is_retried_by_states_all_and_caught_by_task_failed(
    tmp_path: Path,
) -> None:
    # A choice where AWS's histories show a States.ALL catcher only: the oversized result is
    # the task's failure, so a States.ALL retrier retries it and States.TaskFailed (a
    # wildcard for any error but States.Timeout, Handling errors) catches it.
    definition = {
        "StartAt": "Work",
        "States": {
            "Work": task(
                {"End": True},
                Retry=[{"ErrorEquals": ["States.ALL"], "MaxAttempts": 1}],
                Catch=[{"ErrorEquals": ["States.TaskFailed"], "Next": "Handle"}],
            ),
            "Handle": {"Type": "Pass", "End": True},
        },
    }
    behaviors = "behaviors:\n  work: {response: {data: " + "x" * 300_000 + "}}\n"
    s = open_stack(tmp_path, definition, behaviors)
    ex = start(s)
    s.sim.run(10**7)
    assert (ex.status, ex.output["Error"]) == ("SUCCEEDED", "States.DataLimitExceeded")
    assert s.sim.function_stats("work")["invocations"] == 2
