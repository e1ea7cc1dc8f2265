"""Step Functions executions on the virtual clock: Task states invoking the stack's functions,
Retry (defaults, backoff, MaxDelaySeconds, jitter), Catch, Choice, Wait, Fail, Parallel, Map,
task and execution timeouts, the context object, the lambda:invoke result, the payload
limit, execution names, StopExecution, and identical traces after save/load."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from stptui.commands import Session, execute
from stptui.commands.registry import CommandError
from stptui.commands.result import render_plain
from stptui.commands.session import trace_sha256
from stptui.sim.clock import iso_ms, parse_instant
from stptui.sim.services.state_machine import Execution, lookup_machine

T0 = parse_instant("2026-01-05T08:00:00Z")
PKG = "packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}"


def open_stack(
    tmp_path: Path, definition: dict[str, Any], behaviors: str = "behaviors: {}\n", **fns: str
) -> Session:
    """A session of a stack with the functions `fns` (name -> extra properties YAML) and
    a state machine `flow` with `definition`."""
    names = fns or {"work": ""}
    lines = ["resources:"]
    for name, extra in names.items():
        lines += [f"  {name}:", "    type: function", "    properties:", f"      {PKG}"]
        if extra:
            lines.append(f"      {extra}")
    lines += [
        "  flow:",
        "    type: state-machine",
        "    properties:",
        f"      definition: {json.dumps(definition)}",
    ]
    (tmp_path / "stacktape.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (tmp_path / "stptui.yml").write_text(behaviors, encoding="utf-8")
    return Session.open(tmp_path, start_ms=T0)


def start(s: Session, payload: Any = None, name: str | None = None) -> Execution:
    return lookup_machine(s.sim, "flow").start({} if payload is None else payload, name)


def task(next_or_end: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "Type": "Task",
        "Resource": {"Fn::GetAtt": ["WorkFunction", "Arn"]},
        **next_or_end,
        **extra,
    }


def kinds(s: Session, prefix: str = "sfn.") -> list[tuple[str, str, str]]:
    """(time, kind, state) of every record whose kind starts with `prefix`."""
    return [
        (iso_ms(r.t)[11:23], r.kind, str(r.data.get("state", "")))
        for r in s.sim.trace.records
        if r.kind.startswith(prefix)
    ]


def test_a_task_returns_the_functions_response_and_retries_with_backoff(tmp_path: Path) -> None:
    definition = {
        "StartAt": "Work",
        "States": {
            "Work": task(
                {"End": True},
                Retry=[{"ErrorEquals": ["States.TaskFailed"], "IntervalSeconds": 2}],
                ResultPath="$.result",
            )
        },
    }
    behaviors = "behaviors:\n  work: {duration: 1s, fail: {first: 2}, response: '{ok: `true`}'}\n"
    s = open_stack(tmp_path, definition, behaviors)
    ex = start(s, {"id": 7})
    s.sim.run(10**7)
    assert ex.status == "SUCCEEDED"
    assert ex.output == {"id": 7, "result": {"ok": True}}
    # Default BackoffRate 2.0: 2 s, then 4 s, after each 1 s attempt.
    retries = [r.data for r in s.sim.trace.records if r.kind == "sfn.retry"]
    assert [(r["attempt"], r["delay_ms"], r["at"][11:23]) for r in retries] == [
        (2, 2000, "08:00:03.000"),
        (3, 4000, "08:00:08.000"),
    ]
    assert ex.stop_ms == T0 + 9000


def test_retries_stop_at_max_attempts_then_catch_with_result_path(tmp_path: Path) -> None:
    definition = {
        "StartAt": "Work",
        "States": {
            "Work": task(
                {"Next": "Done"},
                Retry=[{"ErrorEquals": ["Boom"], "MaxAttempts": 1, "IntervalSeconds": 1}],
                Catch=[{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Bad"}],
            ),
            "Done": {"Type": "Succeed"},
            "Bad": {"Type": "Fail", "Error": "WorkFailed", "Cause": "gave up"},
        },
    }
    behaviors = "behaviors:\n  work: {fail: {always: true, error: Boom, message: no luck}}\n"
    s = open_stack(tmp_path, definition, behaviors)
    ex = start(s, {"id": 1})
    s.sim.run(10**7)
    assert (ex.status, ex.error, ex.cause) == ("FAILED", "WorkFailed", "gave up")
    assert s.sim.function_stats("work")["invocations"] == 2
    caught = [r.data for r in s.sim.trace.records if r.kind == "sfn.caught"]
    assert [(c["error"], c["next"]) for c in caught] == [("Boom", "Bad")]
    entered_bad = next(
        r for r in s.sim.trace.records if r.kind == "sfn.state.entered" and r.data["state"] == "Bad"
    )
    # The input of Bad is the raw input with the error output at $.error.
    bad_input = {
        "id": 1,
        # A Node.js function's error response (its entry is a.ts): no JavaScript runs, so
        # its trace is empty.
        "error": {
            "Error": "Boom",
            "Cause": '{"errorType":"Boom","errorMessage":"no luck","trace":[]}',
        },
    }
    assert entered_bad.data["input_bytes"] == len(json.dumps(bad_input))


def test_states_task_failed_does_not_match_a_task_timeout(tmp_path: Path) -> None:
    definition = {
        "StartAt": "Work",
        "States": {
            "Work": task(
                {"End": True},
                TimeoutSeconds=2,
                Retry=[{"ErrorEquals": ["States.TaskFailed"]}],
                Catch=[{"ErrorEquals": ["States.Timeout"], "Next": "Late"}],
            ),
            "Late": {"Type": "Pass", "Result": "late", "End": True},
        },
    }
    s = open_stack(tmp_path, definition, "behaviors:\n  work: {duration: 5s}\n")
    ex = start(s)
    s.sim.run(10**7)
    assert (ex.status, ex.output) == ("SUCCEEDED", "late")
    assert not any(r.kind == "sfn.retry" for r in s.sim.trace.records)
    failed = [r.data["error"] for r in s.sim.trace.records if r.kind == "sfn.task.failed"]
    assert failed == ["States.Timeout"]
    assert ex.stop_ms == T0 + 2000  # the function's own end, at 5 s, is not waited for


def test_a_function_timeout_is_sandbox_timedout_with_lambdas_response_as_cause(
    tmp_path: Path,
) -> None:
    # The function's own timeout (2 s) is not the Task's: the error is Lambda's errorType,
    # which a catcher of States.Timeout does not match, and the cause is the response
    # Invoke answers, naming the request.
    definition = {
        "StartAt": "Work",
        "States": {
            "Work": task(
                {"End": True},
                Catch=[
                    {"ErrorEquals": ["States.Timeout"], "Next": "Late"},
                    {"ErrorEquals": ["Sandbox.Timedout"], "Next": "TimedOut"},
                ],
            ),
            "Late": {"Type": "Pass", "Result": "late", "End": True},
            "TimedOut": {"Type": "Pass", "End": True},
        },
    }
    s = open_stack(tmp_path, definition, "behaviors:\n  work: {duration: 5s}\n", work="timeout: 2")
    ex = start(s)
    s.sim.run(10**7)
    failed = next(r for r in s.sim.trace.records if r.kind == "sfn.task.failed")
    request_id = failed.data["invocation_id"]
    assert ex.status == "SUCCEEDED"
    assert ex.output == {
        "Error": "Sandbox.Timedout",
        "Cause": json.dumps(
            {
                "errorMessage": f"RequestId: {request_id} Error: Task timed out after 2.00 seconds",
                "errorType": "Sandbox.Timedout",
            },
            separators=(",", ":"),
        ),
    }
    assert ex.stop_ms == T0 + 2000
    # States.TaskFailed matches it, as any error but the Task's own timeouts.
    caught = {
        "StartAt": "Work",
        "States": {
            "Work": task(
                {"End": True}, Catch=[{"ErrorEquals": ["States.TaskFailed"], "Next": "Late"}]
            ),
            "Late": {"Type": "Pass", "Result": "late", "End": True},
        },
    }
    where = tmp_path / "taskfailed"
    where.mkdir()
    s2 = open_stack(where, caught, "behaviors:\n  work: {duration: 5s}\n", work="timeout: 2")
    ex2 = start(s2)
    s2.sim.run(10**7)
    assert (ex2.status, ex2.output) == ("SUCCEEDED", "late")


def test_max_delay_caps_backoff_and_full_jitter_is_seeded(tmp_path: Path) -> None:
    retrier = {
        "ErrorEquals": ["States.ALL"],
        "IntervalSeconds": 10,
        "BackoffRate": 3,
        "MaxAttempts": 4,
        "MaxDelaySeconds": 40,
    }
    definition = {"StartAt": "Work", "States": {"Work": task({"End": True}, Retry=[retrier])}}
    behaviors = "behaviors:\n  work: {duration: 0ms, fail: true}\n"
    s = open_stack(tmp_path, definition, behaviors)
    start(s)
    s.sim.run(10**8)
    delays = [r.data["delay_ms"] for r in s.sim.trace.records if r.kind == "sfn.retry"]
    assert delays == [10_000, 30_000, 40_000, 40_000]
    jittered = {**retrier, "JitterStrategy": "FULL"}
    runs = []
    for n in range(2):
        where = tmp_path / f"j{n}"
        where.mkdir()
        s2 = open_stack(
            where,
            {**definition, "States": {"Work": task({"End": True}, Retry=[jittered])}},
            behaviors,
        )
        start(s2)
        s2.sim.run(10**8)
        runs.append([r.data["delay_ms"] for r in s2.sim.trace.records if r.kind == "sfn.retry"])
    assert runs[0] == runs[1]
    assert all(0 <= d <= cap for d, cap in zip(runs[0], delays, strict=True))
    assert runs[0] != delays


def test_wait_fast_forwards_and_the_execution_timeout_ends_it(tmp_path: Path) -> None:
    definition = {
        "StartAt": "Nap",
        "TimeoutSeconds": 60,
        "States": {
            "Nap": {"Type": "Wait", "SecondsPath": "$.seconds", "Next": "Done"},
            "Done": {"Type": "Succeed"},
        },
    }
    s = open_stack(tmp_path, definition)
    short = start(s, {"seconds": 30})
    long = start(s, {"seconds": 90})
    execute(s, "advance 45s")
    assert (short.status, short.stop_ms) == ("SUCCEEDED", T0 + 30_000)
    assert long.status == "RUNNING"
    execute(s, "advance 1m")
    assert (long.status, long.error, long.stop_ms) == ("TIMED_OUT", "States.Timeout", T0 + 60_000)
    # The Wait of the timed-out execution never ends.
    exits = [k for k in kinds(s) if k[1] == "sfn.state.exited" and k[2] == "Nap"]
    assert exits == [("08:00:30.000", "sfn.state.exited", "Nap")]


def test_choice_traces_every_verdict_and_no_match_without_default_fails(tmp_path: Path) -> None:
    definition = {
        "StartAt": "Pick",
        "States": {
            "Pick": {
                "Type": "Choice",
                "Choices": [
                    {"Variable": "$.n", "NumericGreaterThan": 10, "Next": "Big"},
                    {"Variable": "$.n", "NumericLessThan": 0, "Next": "Negative"},
                ],
            },
            "Big": {"Type": "Succeed"},
            "Negative": {"Type": "Succeed"},
        },
    }
    s = open_stack(tmp_path, definition)
    neg = start(s, {"n": -1})
    mid = start(s, {"n": 5})
    choices = [r.data for r in s.sim.trace.records if r.kind == "sfn.choice"]
    assert choices[0]["next"] == "Negative"
    assert [v.split(":")[0] for v in choices[0]["verdicts"]] == [
        "rule 1 did not match",
        "rule 2 matched",
    ]
    assert neg.status == "SUCCEEDED"
    assert (mid.status, mid.error) == ("FAILED", "States.NoChoiceMatched")


def test_parallel_collects_results_and_one_failure_stops_the_other_branches(
    tmp_path: Path,
) -> None:
    def branch(state: dict[str, Any]) -> dict[str, Any]:
        return {"StartAt": "S", "States": {"S": state}}

    ok = {
        "StartAt": "Fan",
        "States": {
            "Fan": {
                "Type": "Parallel",
                "End": True,
                "Branches": [
                    branch({"Type": "Pass", "Result": "a", "End": True}),
                    branch({"Type": "Pass", "Result": "b", "End": True}),
                ],
            }
        },
    }
    s = open_stack(tmp_path, ok)
    ex = start(s)
    assert (ex.status, ex.output) == ("SUCCEEDED", ["a", "b"])
    failing = {
        "StartAt": "Fan",
        "States": {
            "Fan": {
                "Type": "Parallel",
                "End": True,
                "Branches": [
                    branch({"Type": "Wait", "Seconds": 10, "End": True}),
                    branch({"Type": "Fail", "Error": "Nope", "Cause": "branch 1"}),
                ],
            }
        },
    }
    other = tmp_path / "failing"
    other.mkdir()
    s = open_stack(other, failing)
    ex = start(s)
    execute(s, "advance 1m")
    assert (ex.status, ex.error, ex.cause) == ("FAILED", "Nope", "branch 1")
    assert ("00:00:10.000", "sfn.state.exited", "Fan/0/S") not in kinds(s)
    assert ex.stop_ms == T0


def test_map_runs_at_most_max_concurrency_iterations_at_once(tmp_path: Path) -> None:
    definition = {
        "StartAt": "Each",
        "States": {
            "Each": {
                "Type": "Map",
                "ItemsPath": "$.items",
                "MaxConcurrency": 2,
                "End": True,
                "ItemProcessor": {"StartAt": "W", "States": {"W": task({"End": True})}},
            }
        },
    }
    behaviors = "behaviors:\n  work: {duration: 1s, response: '@'}\n"
    s = open_stack(tmp_path, definition, behaviors)
    ex = start(s, {"items": [1, 2, 3]})
    s.sim.run(10**7)
    assert (ex.status, ex.output) == ("SUCCEEDED", [1, 2, 3])
    started = [k[0] for k in kinds(s) if k[1] == "sfn.task.started"]
    assert started == ["08:00:00.000", "08:00:00.000", "08:00:01.000"]
    assert ex.stop_ms == T0 + 2000


def test_lambda_invoke_wraps_the_response_as_the_invoke_api_does(tmp_path: Path) -> None:
    definition = {
        "StartAt": "Call",
        "States": {
            "Call": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": "work", "Payload": {"who.$": "$$.Execution.Name"}},
                "End": True,
            }
        },
    }
    behaviors = "behaviors:\n  work: {response: '{hello: who}'}\n"
    s = open_stack(tmp_path, definition, behaviors)
    ex = start(s, name="run-1")
    s.sim.run(10**7)
    out = ex.output
    assert list(out) == [
        "ExecutedVersion",
        "Payload",
        "SdkHttpMetadata",
        "SdkResponseMetadata",
        "StatusCode",
    ]
    assert out["Payload"] == {"hello": "run-1"}
    assert (out["StatusCode"], out["ExecutedVersion"]) == (200, "$LATEST")
    inv = next(r for r in s.sim.trace.records if r.kind == "sfn.task.started")
    assert out["SdkResponseMetadata"] == {"RequestId": inv.data["invocation_id"]}
    assert out["SdkHttpMetadata"]["HttpStatusCode"] == 200
    assert out["SdkHttpMetadata"]["HttpHeaders"]["Content-Length"] == str(len('{"hello":"run-1"}'))


@pytest.mark.parametrize("named", ["work", "app-dev-work"])
def test_lambda_invoke_takes_a_function_name_from_the_input_without_a_warning(
    tmp_path: Path, named: str
) -> None:
    # Lambda's FunctionName is the deployed name (app-dev-work here); the stack's own name is
    # accepted too. Named at run time, it is checked when the execution reaches the state.
    definition = {
        "StartAt": "Call",
        "States": {
            "Call": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName.$": "$.fn", "Payload": {}},
                "End": True,
            }
        },
    }
    s = open_stack(tmp_path, definition, "behaviors:\n  work: {response: '`7`'}\n")
    assert not [d for d in s.diagnostics if d.code == "asl-task-target"]
    ex = start(s, {"fn": named})
    s.sim.run(10**7)
    assert (ex.status, ex.output["Payload"]) == ("SUCCEEDED", 7)
    missing = start(s, {"fn": "app-dev-nothing"})
    s.sim.run(10**7)
    assert (missing.status, missing.error) == ("FAILED", "States.Runtime")
    assert "FunctionName app-dev-nothing is no function of this stack" in missing.cause


def test_execution_names_are_unique_unless_the_same_input_is_still_running(
    tmp_path: Path,
) -> None:
    definition = {"StartAt": "Nap", "States": {"Nap": {"Type": "Wait", "Seconds": 5, "End": True}}}
    s = open_stack(tmp_path, definition)
    first = execute(s, "start-execution flow '{\"a\": 1}' --name order-1")
    again = execute(s, "start-execution flow '{\"a\": 1}' --name order-1")
    assert again.data["executionArn"] == first.data["executionArn"]
    # Nothing new starts, and the answer says so rather than "started".
    assert first.text.startswith("started execution order-1 of flow (RUNNING)")
    assert again.text.splitlines()[0] == (
        "execution order-1 of flow is already RUNNING with this input: StartExecution returns "
        "it and starts nothing"
    )
    with pytest.raises(CommandError, match="ExecutionAlreadyExists") as info:
        execute(s, "start-execution flow '{\"a\": 2}' --name order-1")
    assert "pick another --name" in str(info.value.hint)
    assert first.data["executionArn"].endswith(":execution:app-dev-flow:order-1")
    with pytest.raises(CommandError, match="InvalidName"):
        execute(s, "start-execution flow '{}' --name 'has space'")
    assert len(lookup_machine(s.sim, "flow").executions) == 1


def test_stop_execution_aborts_and_drops_its_timers(tmp_path: Path) -> None:
    definition = {
        "StartAt": "Nap",
        "States": {
            "Nap": {"Type": "Wait", "Seconds": 30, "Next": "Done"},
            "Done": {"Type": "Succeed"},
        },
    }
    s = open_stack(tmp_path, definition)
    execute(s, "start-execution flow --name n1")
    execute(s, "advance 10s")
    done = execute(s, "stop-execution n1 --error Cancelled --cause 'by hand'")
    assert done.data["status"] == "ABORTED"
    execute(s, "advance 1m")
    assert [k[1] for k in kinds(s)][-1] == "sfn.execution.aborted"
    assert s.sim.pending() == 0
    with pytest.raises(CommandError, match="already ABORTED"):
        execute(s, "stop-execution n1")


def test_an_unsimulated_integration_fails_the_task_naming_it(tmp_path: Path) -> None:
    definition = {
        "StartAt": "Send",
        "States": {
            "Send": {
                "Type": "Task",
                "Resource": "arn:aws:states:::ecs:runTask.sync",
                "End": True,
            }
        },
    }
    s = open_stack(tmp_path, definition)
    ex = start(s)
    assert (ex.status, ex.error) == ("FAILED", "States.Runtime")
    assert "arn:aws:states:::ecs:runTask.sync is not simulated" in str(ex.cause)


def test_a_loop_of_pass_states_fails_at_the_history_limit(tmp_path: Path) -> None:
    definition = {
        "StartAt": "A",
        "States": {"A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Pass", "Next": "A"}},
    }
    s = open_stack(tmp_path, definition)
    ex = start(s)
    assert (ex.status, ex.error) == ("FAILED", "States.Runtime")
    assert "maximum number of history events" in str(ex.cause)


def test_history_lines_give_byte_counts_in_words_with_thousands_separators(
    tmp_path: Path,
) -> None:
    # The lines that enter and leave states keep only their byte count; `show execution`
    # reads them in the same words as every other line.
    definition = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
    s = open_stack(tmp_path, definition)
    payload = {"note": "x" * 1500}
    size = len(json.dumps(payload))
    ex = start(s, payload, name="big")
    assert [(h.what, h.detail) for h in ex.history] == [
        ("ExecutionStarted", f"input {size:,} bytes"),
        ("PassStateEntered", f"input {size:,} bytes"),
        ("PassStateExited", f"output {size:,} bytes"),
        ("ExecutionSucceeded", f"output {size:,} bytes"),
    ]
    shown = render_plain(execute(s, "show execution big"))
    assert re.search(rf"PassStateEntered +P +input {size:,} bytes", shown)


def test_save_and_load_replay_executions_in_flight_identically(tmp_path: Path) -> None:
    definition = {
        "StartAt": "Work",
        "States": {
            "Work": task(
                {"Next": "Nap"},
                Retry=[{"ErrorEquals": ["States.ALL"], "JitterStrategy": "FULL"}],
            ),
            "Nap": {"Type": "Wait", "Seconds": 20, "End": True},
        },
    }
    behaviors = "behaviors:\n  work: {duration: {min: 100ms, max: 900ms}, fail: {rate: 0.5}}\n"
    s = open_stack(tmp_path, definition, behaviors)
    for n in range(3):
        execute(s, f"start-execution flow '{{\"n\": {n}}}'")
    execute(s, "advance 3s")
    target = tmp_path / "saved.json"
    execute(s, f"save {target}")
    other = Session.open(tmp_path, start_ms=T0)
    execute(other, f"load {target}")
    assert trace_sha256(other.sim.trace) == trace_sha256(s.sim.trace)
    for session in (s, other):
        execute(session, "advance 1m")
    assert trace_sha256(other.sim.trace) == trace_sha256(s.sim.trace)
    statuses = [ex.status for ex in lookup_machine(other.sim, "flow").executions.values()]
    assert "RUNNING" not in statuses


def test_a_throttled_invoke_is_lambda_too_many_requests_and_can_be_retried(
    tmp_path: Path,
) -> None:
    definition = {
        "StartAt": "Work",
        "States": {
            "Work": task(
                {"End": True},
                Retry=[{"ErrorEquals": ["Lambda.TooManyRequestsException"], "MaxAttempts": 1}],
            )
        },
    }
    s = open_stack(
        tmp_path,
        definition,
        "behaviors:\n  work: {duration: 500ms}\n",
        work="reservedConcurrency: 1",
    )
    first, second = start(s), start(s)
    s.sim.run(10**7)
    assert (first.status, second.status) == ("SUCCEEDED", "SUCCEEDED")
    failed = [r.data for r in s.sim.trace.records if r.kind == "sfn.task.failed"]
    assert [(f["error"], f["invocation_id"]) for f in failed] == [
        ("Lambda.TooManyRequestsException", None)
    ]
    assert second.stop_ms == T0 + 1500  # retried 1 s later, when the first had ended


def test_fail_state_reads_error_and_cause_from_its_input(tmp_path: Path) -> None:
    definition = {
        "StartAt": "Stop",
        "States": {"Stop": {"Type": "Fail", "ErrorPath": "$.code", "CausePath": "$.why"}},
    }
    s = open_stack(tmp_path, definition)
    ex = start(s, {"code": "Refused", "why": "limit reached"})
    assert (ex.status, ex.error, ex.cause) == ("FAILED", "Refused", "limit reached")


def test_the_context_object_is_the_one_of_the_states_entry_when_read_later(
    tmp_path: Path,
) -> None:
    # The context object is made when a `$$` path first reads it: a Task's ResultSelector
    # reads it when the function answers, 2 s after the state was entered, and still sees
    # the state's EnteredTime, name and retry count, and the execution's.
    definition = {
        "StartAt": "Work",
        "States": {
            "Work": task(
                {"End": True},
                ResultSelector={
                    "entered.$": "$$.State.EnteredTime",
                    "state.$": "$$.State.Name",
                    "retries.$": "$$.State.RetryCount",
                    "execution.$": "$$.Execution.Name",
                    "started.$": "$$.Execution.StartTime",
                    "result.$": "$",
                },
            )
        },
    }
    s = open_stack(tmp_path, definition, "behaviors:\n  work:\n    duration: 2s\n")
    ex = start(s, {"n": 1}, name="later")
    execute(s, "advance 5s")
    assert ex.status == "SUCCEEDED"
    assert ex.output == {
        "entered": "2026-01-05T08:00:00.000Z",
        "state": "Work",
        "retries": 0,
        "execution": "later",
        "started": "2026-01-05T08:00:00.000Z",
        "result": None,
    }


def test_an_intrinsic_function_reads_the_context_object_only_where_its_argument_says(
    tmp_path: Path,
) -> None:
    # `$.n` reads the input and `$$.Execution.Name` the context object, in one Parameters.
    definition = {
        "StartAt": "Name",
        "States": {
            "Name": {
                "Type": "Pass",
                "Parameters": {
                    "text.$": "States.Format('{} of {}', $.n, $$.Execution.Name)",
                    "next.$": "States.MathAdd($.n, 1)",
                },
                "End": True,
            }
        },
    }
    s = open_stack(tmp_path, definition)
    ex = start(s, {"n": 41}, name="run-7")
    assert ex.output == {"text": "41 of run-7", "next": 42}
