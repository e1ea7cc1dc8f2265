"""An audit of Step Functions against the developer guide, behaviour by behaviour, where no
other test already showed it: the guide's own retry scenario (each retrier counts and backs
off on its own), MaxAttempts 0, what States.ALL cannot catch, the order of catchers and the
error output, the retriers' limits, every Choice operator, the argument checks of the
intrinsic functions, the Wait paths' invalid values, and HeartbeatSeconds on tasks that
nothing sends heartbeats for.

Sources: AWS Step Functions Developer Guide, "Handling errors in Step Functions workflows"
(concepts-error-handling), "Choice workflow state", "Wait workflow state", "Intrinsic
functions for JSONPath states", the ASL specification (states-language.net);
docs/fidelity.md lists the other tests of the audit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from test_state_machine import T0, open_stack, start, task
from test_state_machine_jobs import kinds as job_records
from test_state_machine_jobs import open_flow, submit
from test_state_machine_jobs import run as run_flow

from stptui.commands import Session, execute
from stptui.sim.asl import check_definition
from stptui.sim.asl_data import DataEnv, StatesRuntimeError, check_state, choose, state_input
from stptui.sim.services.state_machine import lookup_machine

ENV = DataEnv(context={}, uuid=lambda: "u", random=lambda start, end: start)


def retries(s: Session) -> list[tuple[str, int]]:
    """(error, delay_ms) of every retry of the execution."""
    return [
        (r.data["error"], r.data["delay_ms"]) for r in s.sim.trace.records if r.kind == "sfn.retry"
    ]


def test_the_specs_retry_scenario_counts_and_backs_off_each_retrier_alone(
    tmp_path: Path,
) -> None:
    # The ASL specification's scenario: a task fails with ErrorA, ErrorB, ErrorC, ErrorB ...
    # "The first two errors match the first retrier and cause waits of one and two seconds.
    # The third error matches the second retrier and causes a wait of five seconds. The
    # fourth error would match the first retrier but its MaxAttempts ceiling of two retries
    # has already been reached", so the catcher takes it. The developer guide tells the same
    # scenario with a fourth wait of 4 s and a limit "for that particular error (ErrorB)";
    # stptui follows the specification (docs/fidelity.md says why).
    (tmp_path / "errors.py").write_text(
        "NAMES = ['ErrorA', 'ErrorB', 'ErrorC', 'ErrorB', 'ErrorB']\n"
        "CALLS = []\n\n"
        "class ErrorA(Exception):\n    pass\n\n"
        "class ErrorB(Exception):\n    pass\n\n"
        "class ErrorC(Exception):\n    pass\n\n"
        "def handle(event, context):\n"
        "    CALLS.append(1)\n"
        "    raise globals()[NAMES[len(CALLS) - 1]]('attempt %d' % len(CALLS))\n",
        encoding="utf-8",
    )
    definition = {
        "StartAt": "X",
        "States": {
            "X": task(
                {"Next": "Y"},
                Retry=[
                    {
                        "ErrorEquals": ["ErrorA", "ErrorB"],
                        "IntervalSeconds": 1,
                        "BackoffRate": 2.0,
                        "MaxAttempts": 2,
                    },
                    {"ErrorEquals": ["ErrorC"], "IntervalSeconds": 5},
                ],
                Catch=[{"ErrorEquals": ["States.ALL"], "Next": "Z"}],
            ),
            "Y": {"Type": "Succeed"},
            "Z": {"Type": "Pass", "End": True},
        },
    }
    open_stack(tmp_path, definition, "behaviors:\n  work: {handler: 'errors:handle'}\n")
    s = Session.open(tmp_path, start_ms=T0, allow_code=True)
    ex = lookup_machine(s.sim, "flow").start({})
    s.sim.run(10**8)
    assert retries(s) == [("ErrorA", 1000), ("ErrorB", 2000), ("ErrorC", 5000)]
    caught = [r.data for r in s.sim.trace.records if r.kind == "sfn.caught"]
    assert [(c["error"], c["next"]) for c in caught] == [("ErrorB", "Z")]
    assert ex.status == "SUCCEEDED"
    assert ex.output["Error"] == "ErrorB"


def test_max_attempts_zero_never_retries_while_states_all_retries_the_rest(
    tmp_path: Path,
) -> None:
    # The guide's "retries any error except States.Timeout" example, with the defaults
    # (IntervalSeconds 1, MaxAttempts 3, BackoffRate 2.0) on the States.ALL retrier.
    retry = [{"ErrorEquals": ["States.Timeout"], "MaxAttempts": 0}, {"ErrorEquals": ["States.ALL"]}]
    definition = {
        "StartAt": "W",
        "States": {"W": task({"End": True}, TimeoutSeconds=1, Retry=retry)},
    }
    slow = open_stack(tmp_path, definition, "behaviors:\n  work: {duration: 5s}\n")
    ex = start(slow)
    slow.sim.run(10**8)
    assert (ex.status, ex.error, retries(slow)) == ("FAILED", "States.Timeout", [])
    where = tmp_path / "failing"
    where.mkdir()
    failing = open_stack(where, definition, "behaviors:\n  work: {fail: true}\n")
    ex = start(failing)
    failing.sim.run(10**8)
    assert [d for _, d in retries(failing)] == [1000, 2000, 4000]
    assert failing.sim.function_stats("work")["invocations"] == 4
    assert ex.status == "FAILED"


def test_states_all_neither_retries_nor_catches_states_runtime(tmp_path: Path) -> None:
    # "The States.ALL error type ... can't catch the States.DataLimitExceeded terminal error
    # or Runtime error types" (Error names). A `.$` path that names nothing is States.Runtime.
    definition = {
        "StartAt": "W",
        "States": {
            "W": task(
                {"Next": "Caught"},
                Parameters={"x.$": "$.missing"},
                Retry=[{"ErrorEquals": ["States.ALL"]}],
                Catch=[{"ErrorEquals": ["States.ALL"], "Next": "Caught"}],
            ),
            "Caught": {"Type": "Succeed"},
        },
    }
    s = open_stack(tmp_path, definition)
    ex = start(s, {"id": 1})
    s.sim.run(10**8)
    assert (ex.status, ex.error) == ("FAILED", "States.Runtime")
    assert retries(s) == []
    assert not [r for r in s.sim.trace.records if r.kind == "sfn.caught"]
    assert s.sim.function_stats("work")["invocations"] == 0


def test_catchers_are_scanned_in_order_and_the_error_output_replaces_the_input(
    tmp_path: Path,
) -> None:
    # "Step Functions scans through the catchers in the order listed"; without ResultPath a
    # catcher's ResultPath "defaults to $, which selects and overwrites the entire input".
    definition = {
        "StartAt": "W",
        "States": {
            "W": task(
                {"End": True},
                Catch=[
                    {"ErrorEquals": ["States.TaskFailed"], "Next": "First"},
                    {"ErrorEquals": ["Boom"], "ResultPath": "$.error", "Next": "Second"},
                ],
            ),
            "First": {"Type": "Pass", "End": True},
            "Second": {"Type": "Pass", "End": True},
        },
    }
    behaviors = "behaviors:\n  work: {fail: {always: true, error: Boom, message: no luck}}\n"
    s = open_stack(tmp_path, definition, behaviors)
    ex = start(s, {"k": 1})
    s.sim.run(10**8)
    cause = '{"errorType":"Boom","errorMessage":"no luck","trace":[]}'
    assert ex.output == {"Error": "Boom", "Cause": cause}
    # The same error caught by a ResultPath catcher keeps the input beside the error output.
    definition["States"]["W"]["Catch"] = definition["States"]["W"]["Catch"][::-1]
    where = tmp_path / "second"
    where.mkdir()
    s = open_stack(where, definition, behaviors)
    ex = start(s, {"k": 1})
    s.sim.run(10**8)
    assert ex.output == {"k": 1, "error": {"Error": "Boom", "Cause": cause}}


def test_a_parallel_state_retries_a_failed_branch_with_its_own_retrier(tmp_path: Path) -> None:
    # "Task, Parallel and Map states can have a field named Retry"; a branch's error is the
    # Parallel's error.
    branch = {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "E1", "Cause": "c"}}}
    retrier = {"ErrorEquals": ["E1"], "MaxAttempts": 2, "IntervalSeconds": 3}
    parallel = {"Type": "Parallel", "Branches": [branch], "Retry": [retrier], "End": True}
    s = open_stack(tmp_path, {"StartAt": "P", "States": {"P": parallel}})
    ex = start(s)
    s.sim.run(10**8)
    assert retries(s) == [("E1", 3000), ("E1", 6000)]
    assert (ex.status, ex.error, ex.cause) == ("FAILED", "E1", "c")


def _retrier_problems(**fields: Any) -> list[str]:
    state = {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:f", "End": True}
    state["Retry"] = [{"ErrorEquals": ["A"], **fields}]
    return [p.message for p in check_definition({"StartAt": "S", "States": {"S": state}})]


def test_a_retriers_fields_are_held_to_their_documented_ranges() -> None:
    # "IntervalSeconds has a maximum value of 99999999", "MaxAttempts has a maximum value
    # of 99999999" (Retrying after an error); AWS's ASL language service refuses a
    # MaxDelaySeconds of 31622401.
    assert _retrier_problems(IntervalSeconds=99_999_999, MaxAttempts=99_999_999) == []
    assert _retrier_problems(MaxDelaySeconds=31_622_400, MaxAttempts=0, BackoffRate=1) == []
    assert _retrier_problems(IntervalSeconds=100_000_000) == [
        "SCHEMA_VALIDATION_FAILED: The value for the field 'IntervalSeconds' must be an integer "
        "from 1 to 99999999 at /States/S/Retry/0/IntervalSeconds"
    ]
    assert _retrier_problems(MaxAttempts=100_000_000) == [
        "SCHEMA_VALIDATION_FAILED: The value for the field 'MaxAttempts' must be an integer "
        "from 0 to 99999999 at /States/S/Retry/0/MaxAttempts"
    ]
    assert _retrier_problems(MaxDelaySeconds=31_622_401) == [
        "SCHEMA_VALIDATION_FAILED: The value for the field 'MaxDelaySeconds' must be an integer "
        "from 1 to 31622400 at /States/S/Retry/0/MaxDelaySeconds"
    ]


# Every comparison operator of the Choice state page, with a value that matches and one
# that does not (the Path variants compare with $.other).
OPERATORS = [
    ("StringEquals", "b", "b", "c"),
    ("StringLessThan", "b", "a", "b"),
    ("StringGreaterThan", "b", "c", "b"),
    ("StringLessThanEquals", "b", "b", "c"),
    ("StringGreaterThanEquals", "b", "b", "a"),
    ("NumericEquals", 2, 2.0, 3),
    ("NumericLessThan", 2, 1, 2),
    ("NumericGreaterThan", 2, 3, 2),
    ("NumericLessThanEquals", 2, 2, 3),
    ("NumericGreaterThanEquals", 2, 2, 1),
    ("BooleanEquals", True, True, False),
    (
        "TimestampEquals",
        "2026-01-05T08:00:00Z",
        "2026-01-05T09:00:00+01:00",
        "2026-01-05T08:00:01Z",
    ),
    ("TimestampLessThan", "2026-01-05T08:00:00Z", "2026-01-05T07:59:59Z", "2026-01-05T08:00:00Z"),
    (
        "TimestampGreaterThan",
        "2026-01-05T08:00:00Z",
        "2026-01-05T08:00:01Z",
        "2026-01-05T08:00:00Z",
    ),
    (
        "TimestampLessThanEquals",
        "2026-01-05T08:00:00Z",
        "2026-01-05T08:00:00Z",
        "2026-01-05T09:00:00Z",
    ),
    (
        "TimestampGreaterThanEquals",
        "2026-01-05T08:00:00Z",
        "2026-01-05T08:00:00Z",
        "2026-01-04T08:00:00Z",
    ),
]


@pytest.mark.parametrize(("operator", "operand", "yes", "no"), OPERATORS)
@pytest.mark.parametrize("path", [False, True])
def test_every_comparison_operator_and_its_path_form(
    operator: str, operand: Any, yes: Any, no: Any, path: bool
) -> None:
    rule = {"Variable": "$.v", "Next": "Yes"}
    rule.update({operator + "Path": "$.other"} if path else {operator: operand})
    state = {"Type": "Choice", "Choices": [rule], "Default": "No"}
    assert check_state(state) == []
    assert choose(state, "C", {"v": yes, "other": operand}, ENV)[0] == "Yes"
    assert choose(state, "C", {"v": no, "other": operand}, ENV)[0] == "No"


@pytest.mark.parametrize(
    ("rule", "data", "matched"),
    [
        # And/Or/Not combine; "IsPresent" guards a missing field; "Default" takes no match.
        (
            {
                "And": [
                    {"Variable": "$.a", "IsPresent": True},
                    {"Variable": "$.a", "NumericGreaterThan": 1},
                ]
            },
            {},
            False,
        ),
        (
            {"Or": [{"Variable": "$.a", "IsNull": True}, {"Variable": "$.a", "IsString": True}]},
            {"a": None},
            True,
        ),
        ({"Not": {"Variable": "$.a", "IsNumeric": True}}, {"a": "1"}, True),
        ({"Variable": "$.a", "IsBoolean": True}, {"a": False}, True),
        ({"Variable": "$.a", "IsTimestamp": True}, {"a": "2026-01-05T08:00:00.250Z"}, True),
        ({"Variable": "$.a", "IsTimestamp": False}, {"a": "2026-01-05"}, True),
        ({"Variable": "$.a", "StringMatches": "*.log"}, {"a": "x.log"}, True),
        ({"Variable": "$.a", "StringMatches": "a\\*"}, {"a": "a*"}, True),
        ({"Variable": "$.a", "StringMatches": "a\\*"}, {"a": "ab"}, False),
    ],
)
def test_boolean_combinations_type_tests_and_string_matches(
    rule: dict[str, Any], data: Any, matched: bool
) -> None:
    state = {"Type": "Choice", "Choices": [{**rule, "Next": "Yes"}], "Default": "No"}
    assert check_state(state) == []
    assert (choose(state, "C", data, ENV)[0] == "Yes") is matched


# What each intrinsic function refuses at run time, and the error: the ASL specification
# names States.IntrinsicFailure for a failed intrinsic; a path that names nothing is
# States.Runtime, as for any `.$` path.
INTRINSIC_FAILURES = [
    ("States.ArrayGetItem($.a, 3)", "index 3 is outside the array"),
    ("States.ArrayGetItem($.s, 0)", "the first argument must be an array"),
    ("States.ArrayLength($.s)", "the argument must be an array"),
    ("States.ArrayContains($.s, 1)", "the first argument must be an array"),
    ("States.ArrayUnique($.s)", "the argument must be an array"),
    ("States.ArrayPartition($.a, 0)", "the chunk size must be a positive integer"),
    ("States.ArrayRange(1, 1001, 1)", "at most 1000 are allowed"),
    ("States.ArrayRange(1, 5, 0)", "the step must not be 0"),
    ("States.StringToJson($.bad)", "is not JSON text"),
    ("States.StringToJson($.n)", "the argument must be a string"),
    ("States.Base64Encode($.big)", "at most 10000 are allowed"),
    ("States.Base64Decode('@@@')", "is not Base64"),
    ("States.Hash($.n, 'MD5')", "the data must be a string"),
    ("States.Hash($.big, 'MD5')", "at most 10000 are allowed"),
    ("States.JsonMerge($.o, $.a, false)", "the first two arguments must be objects"),
    ("States.MathAdd($.n, $.s)", "the second number must be an integer"),
    ("States.MathRandom(10, 1)", "the start 10 is greater than the end 1"),
    ("States.StringSplit($.n, ',')", "the string must be a string"),
    ("States.Format('{}', $.o)", "must not be an array or object"),
]


@pytest.mark.parametrize(("expr", "words"), INTRINSIC_FAILURES)
def test_an_intrinsics_bad_argument_is_states_intrinsic_failure(expr: str, words: str) -> None:
    data = {"a": [1, 2, 3], "s": "a,b", "n": 5, "o": {"x": 1}, "big": "x" * 10_001, "bad": "{x"}
    state = {"Type": "Pass", "Parameters": {"out.$": expr}}
    assert check_state(state) == []
    with pytest.raises(StatesRuntimeError) as info:
        state_input(state, "P", data, ENV)
    assert info.value.error == "States.IntrinsicFailure"
    assert f"Invalid arguments in {expr.split('(')[0]}: " in info.value.cause
    assert words in info.value.cause


@pytest.mark.parametrize(
    ("wait", "data", "words"),
    [
        ({"SecondsPath": "$.v"}, {"v": -1}, "must be an integer from 0 to 99999999, not -1"),
        ({"SecondsPath": "$.v"}, {"v": 1.5}, "must be an integer from 0 to 99999999, not 1.5"),
        ({"SecondsPath": "$.v"}, {"v": "5"}, 'must be an integer from 0 to 99999999, not "5"'),
        ({"TimestampPath": "$.v"}, {"v": "tomorrow"}, "must be an RFC3339 timestamp"),
        ({"TimestampPath": "$.v"}, {"v": 5}, "must be an RFC3339 timestamp"),
        ({"SecondsPath": "$.missing"}, {}, "No results for path: $['missing']"),
    ],
)
def test_a_wait_path_with_an_invalid_value_fails_with_states_runtime(
    tmp_path: Path, wait: dict[str, str], data: Any, words: str
) -> None:
    s = open_stack(
        tmp_path, {"StartAt": "W", "States": {"W": {"Type": "Wait", **wait, "End": True}}}
    )
    ex = start(s, data)
    s.sim.run(10**8)
    assert (ex.status, ex.error) == ("FAILED", "States.Runtime")
    assert words in str(ex.cause)


def test_heartbeat_seconds_ends_a_lambda_task_that_runs_longer(tmp_path: Path) -> None:
    # A function has no task token, so nothing sends SendTaskHeartbeat for it: a task with
    # HeartbeatSeconds fails with States.HeartbeatTimeout when its function runs longer
    # (Error names: "A Task state failed to send a heartbeat for a period longer than the
    # HeartbeatSeconds value"), and States.Timeout's retrier matches it.
    retry = [{"ErrorEquals": ["States.Timeout"], "MaxAttempts": 1}]
    definition = {
        "StartAt": "W",
        "States": {"W": task({"End": True}, HeartbeatSeconds=2, TimeoutSeconds=60, Retry=retry)},
    }
    s = open_stack(tmp_path, definition, "behaviors:\n  work: {duration: 5s}\n")
    ex = start(s)
    s.sim.run(10**8)
    assert (ex.status, ex.error) == ("FAILED", "States.HeartbeatTimeout")
    assert retries(s) == [("States.HeartbeatTimeout", 1000)]
    # Attempts at 0 s and 3 s, each ended 2 s in: the execution fails at 5 s.
    assert ex.stop_ms == T0 + 5000
    quick = tmp_path / "quick"
    quick.mkdir()
    s = open_stack(quick, definition, "behaviors:\n  work: {duration: 1s}\n")
    ex = start(s)
    s.sim.run(10**8)
    assert ex.status == "SUCCEEDED"


def test_heartbeat_seconds_ends_a_sync_batch_job_and_terminates_it(tmp_path: Path) -> None:
    # A `.sync` job does not heartbeat by itself (SendTaskHeartbeat: "optionally Task states
    # using the job run pattern"); the task fails and Step Functions terminates the job.
    s = open_flow(tmp_path, {**submit(), "HeartbeatSeconds": 60})
    execute(s, "slow render 1h")
    ex = run_flow(s, 2 * 3_600_000)
    assert (ex.status, ex.error) == ("FAILED", "States.HeartbeatTimeout")
    assert ex.stop_ms == T0 + 60_000
    assert [r["error"] for r in job_records(s, "batch.failed")] == ["JobTerminated"]
