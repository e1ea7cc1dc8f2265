"""Property-based robustness and determinism of Step Functions, on generated definitions.

A definition is generated from every state type, with Retry and Catch, Choice rules,
Parameters with `.$` paths and intrinsic functions, nested Parallel and Map states, callback
(`.waitForTaskToken`) and `.sync` resources and Distributed Maps with an ItemReader, some of
it slightly wrong. Then:

- loading and linting the stack (`stptui validate`) never raises: a broken definition is
  diagnostics;
- an execution of a definition without errors never raises a Python exception (only States.*
  errors end it), ends within a bounded run of the clock or is stopped by stop-execution,
  after which nothing of it runs;
- the same commands on a fresh session give the same trace, and `save` then `load`
  reproduces it;
- stop-execution, redrive-execution and send-task-* at random points never raise, and every
  refusal leaves the trace and the state as they were.
"""

from __future__ import annotations

import json
import shlex
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stptui.commands import Session, execute
from stptui.commands.registry import CommandError
from stptui.commands.result import render_plain
from stptui.commands.session import trace_sha256
from stptui.config import load_stack_text
from stptui.sim.asl import transitions
from stptui.sim.asl_callbacks import tokens_of
from stptui.sim.clock import parse_instant
from stptui.sim.services.state_machine import (
    MAX_EXECUTION_MS,
    MAX_HISTORY_EVENTS,
    RETRY_NEVER_MS,
    lookup_machine,
)

T0 = parse_instant("2026-01-05T08:00:00Z")
PKG = "packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}"
STACK = f"""\
resources:
  jobs:
    type: sqs-queue
  alerts:
    type: sns-topic
  orders:
    type: event-bus
  data:
    type: bucket
  items:
    type: dynamo-db-table
    properties:
      primaryKey: {{partitionKey: {{name: id, type: string}}}}
  ok:
    type: function
    properties:
      {PKG}
  flaky:
    type: function
    properties:
      {PKG}
  slow:
    type: function
    properties:
      {PKG}
      timeout: 60
  render:
    type: batch-job
    properties:
      container:
        packaging: {{type: stacktape-image-buildpack, properties: {{entryfilePath: r.ts}}}}
      resources: {{cpu: 1, memory: 1024}}
  child:
    type: state-machine
    properties:
      definition: {{StartAt: P, States: {{P: {{Type: Pass, End: true}}}}}}
  flow:
    type: state-machine
    properties:
      definition: DEFINITION
"""
BEHAVIORS = """\
behaviors:
  ok: {duration: 100ms, response: "{v: `1`, list: [`1`, `2`]}"}
  flaky: {duration: 2s, fail: {rate: 0.5, error: Flaky}, response: "{v: `2`}"}
  slow: {duration: 20s}
"""
QUEUE_URL = "https://sqs.us-east-1.amazonaws.com/123456789012/app-dev-jobs"
JOB_DEF = "arn:aws:batch:us-east-1:123456789012:job-definition/app-dev-render-job-definition:1"
JOB_QUEUE = "arn:aws:batch:us-east-1:123456789012:job-queue/q"
CHILD_ARN = "arn:aws:states:us-east-1:123456789012:stateMachine:app-dev-child"
SFN = "arn:aws:states:::"

# -- definitions ------------------------------------------------------------------------

PATHS = (
    "$",
    "$.a",
    "$.n",
    "$.list",
    "$.list[0]",
    "$.obj.x",
    "$.list[*].x",
    "$..x",
    "$.list[?(@.x > 1)]",
    "$$.Execution.Name",
    "$$.State.RetryCount",
    "$$.Map.Item.Index",
)
INTRINSICS = (
    "States.Format('n={} a={}', $.n, $.a)",
    "States.ArrayLength($.list)",
    "States.MathAdd($.n, 1)",
    "States.UUID()",
    "States.MathRandom(1, 9)",
    "States.StringToJson($.s)",
    "States.JsonToString($.obj)",
    "States.Array($.a, 1, 'x')",
    "States.Hash($.a, 'SHA-256')",
    "States.ArrayRange(1, 9, 2)",
    "States.Base64Encode($.a)",
    "States.ArrayGetItem($.list, 0)",
    "States.ArrayContains($.list, 1)",
    "States.ArrayPartition($.list, 2)",
    "States.StringSplit($.a, ',')",
    "States.Format('{}', States.ArrayLength($.list))",
)
REFERENCE_PATHS = ("$.a", "$.n", "$.obj.x", "$.missing", "$.list[0]", "$$.Execution.Name")
literals = st.none() | st.booleans() | st.integers(-5, 5) | st.sampled_from(["x", "", "{}"])


@st.composite
def parameters(draw: st.DrawFn, token: bool = False) -> dict[str, Any]:
    """A Parameters/ResultSelector/ItemSelector object: literals, `.$` paths, intrinsics."""
    out: dict[str, Any] = {}
    for i in range(draw(st.integers(0, 3))):
        kind = draw(st.sampled_from(["path", "intrinsic", "literal", "nested"]))
        if kind == "path":
            out[f"p{i}.$"] = draw(st.sampled_from(PATHS))
        elif kind == "intrinsic":
            out[f"f{i}.$"] = draw(st.sampled_from(INTRINSICS))
        elif kind == "literal":
            out[f"l{i}"] = draw(literals)
        else:
            out[f"o{i}"] = {"in.$": draw(st.sampled_from(PATHS)), "k": draw(literals)}
    if token:
        out["token.$"] = "$$.Task.Token"
    return out


def _task_resource(draw: st.DrawFn, callback: bool = False) -> dict[str, Any]:
    """A Task's Resource and Parameters: a function, a service integration, a job, a nested
    execution, a callback (always, when `callback`), or one stptui does not run."""
    kind = (
        "callback"
        if callback
        else draw(
            st.sampled_from(
                [
                    "getatt",
                    "invoke",
                    "sqs",
                    "sns",
                    "events",
                    "put-item",
                    "get-item",
                    "callback",
                    "callback",
                    "batch",
                    "nested",
                    "callback",
                    "unsimulated",
                ]
            )
        )
    )
    fn = draw(st.sampled_from(["ok", "flaky", "slow"]))
    if kind == "getatt":
        return {"Resource": {"Fn::GetAtt": [fn.capitalize() + "Function", "Arn"]}}
    if kind == "invoke":
        payload = draw(st.sampled_from(["$", "$.obj", "$.missing"]))
        return {
            "Resource": SFN + "lambda:invoke",
            "Parameters": {"FunctionName": fn, "Payload.$": payload},
        }
    if kind == "sqs":
        return {
            "Resource": SFN + "sqs:sendMessage",
            "Parameters": {"QueueUrl": QUEUE_URL, "MessageBody": draw(parameters())},
        }
    if kind == "sns":
        return {
            "Resource": SFN + "sns:publish",
            "Parameters": {"TopicArn": "$ResourceParam('alerts', 'arn')", "Message.$": "$"},
        }
    if kind == "events":
        entry = {
            "EventBusName": "$ResourceParam('orders', 'arn')",
            "Source": "shop",
            "DetailType": "made",
            "Detail.$": "$",
        }
        return {"Resource": SFN + "events:putEvents", "Parameters": {"Entries": [entry]}}
    if kind in ("put-item", "get-item"):
        table = "$ResourceParam('items', 'name')"
        key = {"id": {"S.$": draw(st.sampled_from(["$.a", "$.n", "$$.Execution.Name"]))}}
        if kind == "put-item":
            return {
                "Resource": SFN + "dynamodb:putItem",
                "Parameters": {"TableName": table, "Item": key},
            }
        return {
            "Resource": SFN + "dynamodb:getItem",
            "Parameters": {"TableName": table, "Key": key},
        }
    if kind == "batch":
        return {
            "Resource": SFN + "batch:submitJob" + draw(st.sampled_from(["", ".sync"])),
            "Parameters": {"JobDefinition": JOB_DEF, "JobName": "r", "JobQueue": JOB_QUEUE},
        }
    if kind == "nested":
        suffix = draw(st.sampled_from(["", ".sync", ".sync:2"]))
        return {
            "Resource": SFN + "states:startExecution" + suffix,
            "Parameters": {"StateMachineArn": CHILD_ARN, "Input.$": "$"},
        }
    if kind == "callback":
        base = draw(st.sampled_from(["lambda:invoke", "sqs:sendMessage", "sns:publish"]))
        params: dict[str, Any]
        if base == "lambda:invoke":
            params = {"FunctionName": fn, "Payload": draw(parameters(token=True))}
            if draw(st.booleans()):
                params["InvocationType"] = "Event"
        elif base == "sqs:sendMessage":
            params = {"QueueUrl": QUEUE_URL, "MessageBody": draw(parameters(token=True))}
        else:
            params = {"TopicArn": "$ResourceParam('alerts', 'arn')", "Message.$": "$$.Task.Token"}
        out = {"Resource": SFN + base + ".waitForTaskToken", "Parameters": params}
        bounds = draw(st.sampled_from([(None, None), (None, 60), (5, 60), (30, None)]))
        for key, value in zip(("HeartbeatSeconds", "TimeoutSeconds"), bounds, strict=True):
            if value is not None:
                out[key] = value
        return out
    return {"Resource": SFN + "ecs:runTask", "Parameters": {"Cluster": "c"}}


# What the generated states fail with: Flaky (the flaky function), Broken (Fail states),
# timeouts, and errors a retrier names that nothing raises.
ERRORS = ("States.TaskFailed", "States.Timeout", "Flaky", "Broken", "Lambda.Unknown")


@st.composite
def retriers(draw: st.DrawFn) -> list[dict[str, Any]]:
    out = []
    count = draw(st.integers(1, 2))
    for i in range(count):
        # States.ALL only alone, in the last retrier (as `validate` demands).
        names = [*ERRORS, *["States.ALL"] * 4] if i == count - 1 else ERRORS
        retrier: dict[str, Any] = {
            "ErrorEquals": [draw(st.sampled_from(names))],
            "MaxAttempts": draw(st.sampled_from([1, 2, 3, 0])),
            # Huge rates and the longest intervals are valid: their waits must not overflow.
            "IntervalSeconds": draw(st.sampled_from([1, 2, 30, 99_999_999])),
            "BackoffRate": draw(st.sampled_from([1, 1.5, 2.0, 1e300, 10**400])),
        }
        if draw(st.booleans()):
            retrier["MaxDelaySeconds"] = draw(st.sampled_from([1, 5]))
        if draw(st.booleans()):
            retrier["JitterStrategy"] = draw(st.sampled_from(["FULL", "NONE"]))
        out.append(retrier)
    return out


def _choice_rule(draw: st.DrawFn, depth: int = 0) -> dict[str, Any]:
    if depth < 2 and draw(st.integers(0, 4)) == 0:
        op = draw(st.sampled_from(["And", "Or", "Not"]))
        if op == "Not":
            return {"Not": _choice_rule(draw, depth + 1)}
        return {op: [_choice_rule(draw, depth + 1) for _ in range(draw(st.integers(1, 2)))]}
    variable = draw(st.sampled_from(["$.n", "$.a", "$.flag", "$.missing", "$.ts", "$.list"]))
    op, value = draw(
        st.sampled_from(
            [
                ("NumericGreaterThan", 1),
                ("NumericEquals", 0),
                ("StringEquals", "x"),
                ("StringMatches", "a*"),
                ("BooleanEquals", True),
                ("IsPresent", True),
                ("IsNumeric", False),
                ("IsNull", True),
                ("NumericLessThanPath", "$.n"),
                ("StringEqualsPath", "$.a"),
                ("TimestampLessThan", "2026-01-05T09:00:00Z"),
            ]
        )
    )
    return {"Variable": variable, op: value}


def _io(draw: st.DrawFn, state: dict[str, Any], *fields: str) -> None:
    """Some of the state's InputPath, ResultPath, OutputPath, ResultSelector."""
    for key in fields:
        if draw(st.integers(0, 3)) != 0:
            continue
        if key == "ResultSelector":
            state[key] = draw(parameters())
        elif key == "ResultPath":
            state[key] = draw(st.sampled_from([None, "$", "$.r", "$.obj.r"]))
        else:
            state[key] = draw(st.sampled_from(["$", "$", "$", "$.obj", "$.missing", None]))


@st.composite
def machines(draw: st.DrawFn, depth: int = 0, distributed: bool = False) -> dict[str, Any]:
    """A (possibly nested) machine of 1 to 4 states; most transitions go forward."""
    n = draw(st.integers(1, 4 if depth == 0 else 2))
    names = [f"S{i}" for i in range(n)]
    states: dict[str, Any] = {}
    for i, name in enumerate(names):
        later = names[i + 1 :]

        def target(later: list[str] = later) -> str:
            # A loop back now and then (Choice loops end by the history limit or a Wait).
            if later and draw(st.integers(0, 19)):
                return draw(st.sampled_from(later))
            return draw(st.sampled_from(names))

        types = ["Pass", "Task", "Choice", "Wait", "Succeed", "Fail"]
        if depth < 2:
            types += ["Parallel", "Map"]
        # A third of the machines wait for a callback first: the answers need a waiting task.
        callback_first = depth == 0 and i == 0 and draw(st.integers(0, 2)) == 0
        stype = "Task" if callback_first else draw(st.sampled_from(types))
        state: dict[str, Any] = {"Type": stype}
        if stype == "Pass":
            if draw(st.booleans()):
                state["Result"] = draw(literals)
            elif draw(st.booleans()):
                state["Parameters"] = draw(parameters())
            _io(draw, state, "InputPath", "ResultPath", "OutputPath")
        elif stype == "Task":
            state.update(_task_resource(draw, callback_first))
            if "HeartbeatSeconds" not in state and draw(st.integers(0, 3)) == 0:
                state["TimeoutSeconds"] = draw(st.sampled_from([1, 10, 10**30]))
            _io(draw, state, "InputPath", "ResultSelector", "ResultPath", "OutputPath")
        elif stype == "Choice":
            rules = [_choice_rule(draw) for _ in range(draw(st.integers(1, 2)))]
            state["Choices"] = [{**rule, "Next": target()} for rule in rules]
            if draw(st.booleans()):
                state["Default"] = target()
        elif stype == "Wait":
            state.update(
                draw(
                    st.sampled_from(
                        [
                            {"Seconds": 0},
                            {"Seconds": 5},
                            {"Seconds": 3600},
                            {"SecondsPath": "$.n"},
                            {"Timestamp": "2026-01-05T08:30:00Z"},
                            {"TimestampPath": "$.ts"},
                        ]
                    )
                )
            )
        elif stype == "Fail":
            if draw(st.booleans()):
                state["Error"], state["Cause"] = "Broken", "it broke"
            else:
                state["ErrorPath"] = draw(st.sampled_from(REFERENCE_PATHS))
                state["CausePath"] = draw(st.sampled_from(REFERENCE_PATHS))
        elif stype == "Parallel":
            state["Branches"] = [draw(machines(depth + 1)) for _ in range(draw(st.integers(1, 2)))]
            _io(draw, state, "InputPath", "ResultSelector", "ResultPath")
        elif stype == "Map":
            dist = draw(st.integers(0, 2)) == 0
            processor = draw(machines(depth + 1, dist))
            state["ItemProcessor"] = processor
            state["ItemsPath"] = draw(st.sampled_from(["$.list", "$.list", "$.obj", "$.missing"]))
            if draw(st.booleans()):
                state["ItemSelector"] = {"v.$": "$$.Map.Item.Value", "i.$": "$$.Map.Item.Index"}
            state["MaxConcurrency"] = draw(st.sampled_from([0, 1, 2]))
            if dist:
                if draw(st.booleans()):
                    del state["ItemsPath"]
                    state["ItemReader"] = {
                        "Resource": SFN + "s3:getObject",
                        "ReaderConfig": {"InputType": "JSON"},
                        "Parameters": {
                            "Bucket": "$ResourceParam('data', 'name')",
                            "Key": "items.json",
                        },
                    }
                if draw(st.booleans()):
                    state["ToleratedFailureCount"] = draw(st.integers(0, 2))
                if draw(st.booleans()):
                    state["ItemBatcher"] = {"MaxItemsPerBatch": 2}
        if stype in ("Task", "Parallel", "Map"):
            if draw(st.booleans()):
                state["Retry"] = draw(retriers())
            if draw(st.integers(0, 2)) == 0:
                catcher: dict[str, Any] = {"ErrorEquals": ["States.ALL"], "Next": target()}
                if draw(st.booleans()):
                    catcher["ResultPath"] = "$.error"
                state["Catch"] = [catcher]
        if stype in ("Pass", "Task", "Wait", "Parallel", "Map"):
            if later and draw(st.integers(0, 3)):
                state["Next"] = later[0] if draw(st.booleans()) else target()
            elif not later and draw(st.integers(0, 9)) == 0:
                state["Next"] = draw(st.sampled_from(names))
            else:
                state["End"] = True
        states[name] = state
    # States nothing leads to are dropped: an unreachable state is an error of its own,
    # which the mutations below make on purpose.
    seen, todo = set(), [names[0]]
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo += [t for _, t in transitions(states[name])]
    states = {name: state for name, state in states.items() if name in seen}
    machine: dict[str, Any] = {"StartAt": names[0], "States": states}
    if distributed:
        machine["ProcessorConfig"] = {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}
    elif depth == 0 and draw(st.integers(0, 3)) == 0:
        machine["TimeoutSeconds"] = draw(st.sampled_from([30, 7200, 10**30]))
    return machine


def _mutate(draw: st.DrawFn, definition: dict[str, Any]) -> dict[str, Any]:
    """The definition with one slight mistake of the kind people make."""
    states = definition["States"]
    name = draw(st.sampled_from(sorted(states)))
    state = states[name]
    how = draw(
        st.sampled_from(
            [
                "type",
                "next",
                "no-end",
                "retry",
                "all-first",
                "start",
                "timeout",
                "path",
                "intrinsic",
                "not-object",
                "heartbeat",
                "choices",
                "branches",
                "tolerated",
                "huge",
            ]
        )
    )
    if how == "type":
        state["Type"] = draw(st.sampled_from(["Tsk", 3, None, "Map "]))
    elif how == "next":
        state["Next"] = draw(st.sampled_from(["Nowhere", 7, None, ""]))
    elif how == "no-end":
        state.pop("End", None)
        state.pop("Next", None)
    elif how == "retry":
        state["Retry"] = draw(
            st.sampled_from(
                [
                    {"ErrorEquals": ["States.ALL"]},
                    [{"ErrorEquals": []}],
                    [{"ErrorEquals": ["X"], "BackoffRate": 0.5, "MaxAttempts": -1}],
                    [{"ErrorEquals": ["X"], "IntervalSeconds": 1.5, "JitterStrategy": "ALL"}],
                ]
            )
        )
    elif how == "all-first":
        state["Catch"] = [
            {"ErrorEquals": ["States.ALL"], "Next": name},
            {"ErrorEquals": ["X"], "Next": name},
        ]
    elif how == "start":
        definition["StartAt"] = draw(st.sampled_from(["", "s0", 0, None]))
    elif how == "timeout":
        state["TimeoutSeconds"] = draw(st.sampled_from([0, -1, 1.5, "10", True]))
    elif how == "path":
        state["InputPath"] = draw(st.sampled_from(["a.b", "$.[", "$$$", "$.a[?(@.x >)]", 5]))
    elif how == "intrinsic":
        state["Parameters"] = {
            "x.$": draw(st.sampled_from(["States.Format(", "States.Nope(1)", "States.UUID(1)"]))
        }
    elif how == "not-object":
        states[name] = draw(st.sampled_from([None, [], "Pass", 1]))
    elif how == "heartbeat":
        state["HeartbeatSeconds"], state["TimeoutSeconds"] = 60, 30
    elif how == "choices":
        state["Choices"] = draw(st.sampled_from([[], [{"Next": name}], "x"]))
    elif how == "branches":
        state["Branches"] = draw(st.sampled_from([[], [{}], [{"StartAt": "A", "States": {}}]]))
    elif how == "huge":
        # Numbers past a double, in every numeric field (math.isfinite raised on them).
        field = draw(
            st.sampled_from(
                [
                    "TimeoutSeconds",
                    "HeartbeatSeconds",
                    "MaxConcurrency",
                    "ToleratedFailureCount",
                    "ToleratedFailurePercentage",
                    "Seconds",
                ]
            )
        )
        state[field] = draw(st.sampled_from([10**400, -(10**400), 1e308]))
        state["Retry"] = [{"ErrorEquals": ["X"], "BackoffRate": 10**400, "MaxAttempts": 10**400}]
    else:
        state["ToleratedFailurePercentage"] = draw(st.sampled_from([101, -1, "5"]))
    return definition


@st.composite
def any_definitions(draw: st.DrawFn) -> Any:
    """A definition, valid or with one slight mistake, or not a machine at all."""
    if draw(st.integers(0, 9)) == 0:
        return draw(st.sampled_from([None, [], "x", {}, {"StartAt": "A"}, {"States": {}}]))
    definition = draw(machines())
    if draw(st.booleans()):
        definition = _mutate(draw, definition)
    return definition


# Inputs have the fields the paths read (a path to an absent one is a States.Runtime that
# would end most executions at their first state), with values of every kind.
inputs = st.fixed_dictionaries(
    {
        "a": st.sampled_from(["x", "a,b", "", "ünï"]),
        "n": st.integers(-2, 5) | st.sampled_from([1.5, 10**20]),
        "list": st.lists(
            st.integers(0, 3) | st.fixed_dictionaries({"x": st.integers(0, 3)}), max_size=4
        ),
        "obj": st.fixed_dictionaries({"x": st.integers(0, 3) | st.text(max_size=3)}),
        "flag": st.booleans(),
        "ts": st.sampled_from(["2026-01-05T08:00:10Z", "2026-01-05T10:00:00Z", "soon"]),
    },
    optional={"s": st.sampled_from(['{"k": 1}', "[1, 2]", "not json", "1e999"])},
)


def stack_text(definition: Any) -> str:
    # JSON is YAML: the definition goes in as it would from a JSON file.
    return STACK.replace("DEFINITION", json.dumps(definition))


# -- validate ---------------------------------------------------------------------------


@settings(max_examples=200, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(definition=any_definitions())
def test_validate_never_raises_only_diagnostics(definition: Any) -> None:
    stack = load_stack_text(stack_text(definition))
    for d in stack.diagnostics:
        assert d.severity in ("error", "warning", "info")
        assert d.message and d.code
    errors = [d for d in stack.diagnostics if d.severity == "error"]
    machine_errors = [d for d in errors if d.resource == "flow"]
    # Only the generated definition may be wrong: the rest of the stack is valid.
    assert machine_errors == errors, [d.format() for d in errors]


# -- executions -------------------------------------------------------------------------

answers = st.one_of(
    st.tuples(
        st.just("send-task-success"),
        st.sampled_from(["e1", "e2", "TOKEN", "TOKEN8"]),
        st.sampled_from(['{"ok": true}', "[1]", "null", "{bad", '"x"']),
    ),
    st.tuples(
        st.just("send-task-failure"),
        st.sampled_from(["e1", "TOKEN"]),
        st.sampled_from(["Flaky", "States.Timeout", "", "x" * 300]),
    ),
    st.tuples(st.just("send-task-heartbeat"), st.sampled_from(["e1", "TOKEN", "nope"])),
)
actions = st.lists(
    st.one_of(
        answers,
        answers,
        st.tuples(st.just("advance"), st.sampled_from(["100ms", "2s", "30s", "10m", "2h"])),
        st.tuples(st.just("step"), st.integers(1, 8)),
        st.tuples(st.just("stop-execution"), st.sampled_from(["e1", "e2", "e"])),
        st.tuples(st.just("redrive-execution"), st.sampled_from(["e1", "e2"])),
        st.tuples(st.just("start-execution"), st.sampled_from(["e1", "e2"])),
        st.tuples(
            st.just("upload"),
            st.sampled_from(['[{"x": 1}, {"x": 2}, {"x": 3}]', '{"x": 1}', "[", "[]"]),
        ),
    ),
    max_size=8,
)


def _line(s: Session, action: tuple[Any, ...], payload: Any) -> str:
    """The command line of one generated action, naming a waiting task's token as asked."""
    kind = action[0]
    if kind in ("advance", "step"):
        return f"{kind} {action[1]}"
    if kind == "upload":
        return f"upload data items.json --content {shlex.quote(action[1])}"
    if kind == "start-execution":
        return f"start-execution flow {shlex.quote(json.dumps(payload))} --name {action[1]}"
    target = action[1]
    if target.startswith("TOKEN"):
        waiting = tokens_of(s.sim).waiting()
        every = list(tokens_of(s.sim).tasks)
        token = waiting[0].token if waiting else (every[-1] if every else "A" * 640)
        target = token[:8] if target == "TOKEN8" else token
    if kind == "send-task-success":
        return f"send-task-success {target} {shlex.quote(action[2])}"
    if kind == "send-task-failure":
        return f"send-task-failure {target} --error {shlex.quote(action[2])} --cause because"
    if kind == "stop-execution":
        return f"stop-execution {target} --error Cancelled --cause 'by the test'"
    return f"{kind} {target}"


def state_of(s: Session) -> tuple[Any, ...]:
    """What a refused command must leave as it was: the trace, the clock, every execution,
    every task token and the log of commands."""
    executions = tuple(
        (ex.name, ex.status, len(ex.history), ex.redrive_count, json.dumps(ex.output))
        for m in s.sim.services["state_machines"].values()
        for ex in m.executions.values()
    )
    tasks = tuple((t.token, t.open) for t in tokens_of(s.sim).tasks.values())
    return (trace_sha256(s.sim.trace), s.sim.clock.now, executions, tasks, tuple(s.log))


def drive(s: Session, payload: Any, program: list[tuple[Any, ...]]) -> list[str]:
    """Start execution e1 and run the program; every refusal must change nothing. Returns
    the lines that applied."""
    applied = []
    start = f"start-execution flow {shlex.quote(json.dumps(payload))} --name e1"
    # Uploads the program begins with come first: an ItemReader then has its object.
    first = 0
    while first < len(program) and program[first][0] == "upload":
        first += 1
    for action in [*program[:first], None, *program[first:]]:
        # Each line is made when it runs: a token named is one issued by then.
        line = start if action is None else _line(s, action, payload)
        before = state_of(s)
        try:
            execute(s, line)
        except CommandError:
            assert state_of(s) == before, f"the refused {line!r} changed the simulation"
        else:
            applied.append(line)
    return applied


def _ends_or_stops(s: Session) -> None:
    """Every execution ends within a bounded run of the clock, or stop-execution ends it;
    after that nothing of it runs."""
    machine = lookup_machine(s.sim, "flow")
    execute(s, "advance 3h")
    for ex in machine.executions.values():
        assert len(ex.history) <= MAX_HISTORY_EVENTS + 10
        if ex.status == "RUNNING":
            execute(s, f"stop-execution {ex.name}")
            assert ex.status == "ABORTED"
    seen = len(list(s.sim.trace.records))
    execute(s, "advance 2d")
    arns = {ex.arn for ex in machine.executions.values()}
    later = [r for r in list(s.sim.trace.records)[seen:] if r.data.get("execution_arn") in arns]
    assert later == [], [r.kind for r in later]


def _open(folder: Path, definition: Any) -> Session:
    (folder / "stacktape.yml").write_text(stack_text(definition), encoding="utf-8")
    (folder / "stptui.yml").write_text(BEHAVIORS, encoding="utf-8")
    return Session.open(folder, start_ms=T0)


def _valid(definition: Any) -> bool:
    stack = load_stack_text(stack_text(definition))
    return not [d for d in stack.diagnostics if d.severity == "error"]


@settings(max_examples=60, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(
    definition=machines().filter(_valid),
    payload=inputs,
    program=actions,
)
def test_executions_never_raise_are_deterministic_and_survive_save_and_load(
    definition: dict[str, Any], payload: dict[str, Any], program: list[tuple[Any, ...]]
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        s = _open(folder, definition)
        applied = drive(s, payload, program)
        # Whatever happened, the views of it render.
        for name in lookup_machine(s.sim, "flow").executions:
            render_plain(execute(s, f"show execution {name}"))
            render_plain(execute(s, f"explain {name}"))
        render_plain(execute(s, "show executions"))
        first = [r.to_json() for r in s.sim.trace.records]
        # The same commands on a fresh session: the same trace, record for record.
        again = _open(folder, definition)
        for line in applied:
            execute(again, line)
        assert [r.to_json() for r in again.sim.trace.records] == first
        # save then load replays the log to the same trace (load checks its digest).
        saved = s.save(folder / "run.json")
        restored = Session.restore(saved)
        assert trace_sha256(restored.sim.trace) == trace_sha256(s.sim.trace)
        _ends_or_stops(s)
        for ex in lookup_machine(s.sim, "flow").executions.values():
            # Error and cause are strings as AWS reports them (a Fail state's ErrorPath to a
            # number made the error that number).
            assert ex.error is None or isinstance(ex.error, str), ex.error
            assert ex.cause is None or isinstance(ex.cause, str), ex.cause


# -- what the properties found -------------------------------------------------------------


def _run_once(definition: dict[str, Any], payload: Any) -> Any:
    with tempfile.TemporaryDirectory() as tmp:
        s = _open(Path(tmp), definition)
        execute(s, f"start-execution flow {shlex.quote(json.dumps(payload))} --name e1")
        execute(s, "advance 1h")
        return lookup_machine(s.sim, "flow").executions["e1"]


def test_a_loop_that_nests_its_data_deeper_each_turn_fails_instead_of_crashing() -> None:
    # Found by the property above: each turn wrote the state's input under $.r, and near
    # 1,000 levels copying it exhausted Python's recursion (a RecursionError out of
    # start-execution). The state fails with States.DataLimitExceeded at 200 levels.
    loop = {"Type": "Pass", "ResultPath": "$.r", "Next": "Grow"}
    ex = _run_once({"StartAt": "Grow", "States": {"Grow": loop}}, {})
    assert (ex.status, ex.error) == ("FAILED", "States.DataLimitExceeded")
    assert "nested more than 200 levels deep" in ex.cause
    # The same through an intrinsic, and a Wait between turns: the clock moves, same end.
    wrap = {"Type": "Pass", "Parameters": {"v.$": "States.Array($)"}, "Next": "Rest"}
    rest = {"Type": "Wait", "Seconds": 1, "Next": "Wrap"}
    ex = _run_once({"StartAt": "Wrap", "States": {"Wrap": wrap, "Rest": rest}}, {})
    assert (ex.status, ex.error) == ("FAILED", "States.DataLimitExceeded")


def test_nesting_within_the_limit_still_runs() -> None:
    state = {"Type": "Pass", "ResultPath": "$.r", "End": True}
    deep: Any = {}
    for _ in range(99):
        deep = {"d": deep}
    ex = _run_once({"StartAt": "P", "States": {"P": state}}, deep)
    assert ex.status == "SUCCEEDED"


def fail_state(**fields: Any) -> dict[str, Any]:
    return {"StartAt": "F", "States": {"F": {"Type": "Fail", **fields}}}


def test_a_fail_states_error_path_must_select_a_string() -> None:
    # Found by the property above: ErrorPath to a number ended the execution with the error
    # 1 (an int), and CausePath to an object with that object as its cause.
    payload = {"n": 1, "obj": {"x": 1}, "code": "Broken", "why": "it broke"}
    ex = _run_once(fail_state(ErrorPath="$.n", CausePath="$.why"), payload)
    assert (ex.status, ex.error) == ("FAILED", "States.Runtime")
    assert ex.cause == (
        "An error occurred while executing the state 'F'. The ErrorPath '$.n' must select a "
        "string, not 1"
    )
    ex = _run_once(fail_state(ErrorPath="$.code", CausePath="$.obj"), payload)
    assert "The CausePath '$.obj' must select a string, not {\"x\":1}" in ex.cause
    ex = _run_once(fail_state(ErrorPath="$.code", CausePath="$.why"), payload)
    assert (ex.error, ex.cause) == ("Broken", "it broke")


def test_a_fail_states_error_path_may_be_a_string_intrinsic() -> None:
    # "You can also specify CausePath using an intrinsic function that returns a string";
    # it was read as a path and failed with "does not start with '$'".
    definition = fail_state(
        ErrorPath="States.Format('Order.{}', $.kind)",
        CausePath="States.Format('order {} failed', $$.Execution.Name)",
    )
    assert _valid(definition)
    ex = _run_once(definition, {"kind": "Rejected"})
    assert (ex.error, ex.cause) == ("Order.Rejected", "order e1 failed")


def test_validate_refuses_error_paths_that_cannot_give_a_string() -> None:
    for fields, words in (
        ({"ErrorPath": "States.ArrayLength($.list)"}, "may call only an intrinsic function"),
        ({"CausePath": "$.list[*]"}, "must be a valid ReferencePath"),
        ({"ErrorPath": "States.Format("}, "is not valid"),
        ({"CausePath": 5}, "must be a valid ReferencePath"),
    ):
        stack = load_stack_text(stack_text(fail_state(**fields)))
        errors = [d for d in stack.diagnostics if d.severity == "error"]
        assert [d.code for d in errors] == ["asl-data-flow"], fields
        assert words in errors[0].message, errors[0].message


def _retried(**retrier: Any) -> dict[str, Any]:
    """A Parallel whose one branch fails with X, retried by `retrier`."""
    branch = {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "X"}}}
    state = {
        "Type": "Parallel",
        "Branches": [branch],
        "Retry": [{"ErrorEquals": ["X"], **retrier}],
        "End": True,
    }
    return {"StartAt": "P", "States": {"P": state}}


@pytest.mark.parametrize(
    "retrier",
    [
        {"BackoffRate": 10**400, "MaxAttempts": 3},
        {"BackoffRate": 1e300, "MaxAttempts": 3, "JitterStrategy": "FULL"},
        {"IntervalSeconds": 99_999_999, "BackoffRate": 10**400},
        {"IntervalSeconds": 99_999_999, "BackoffRate": 10**400, "JitterStrategy": "FULL"},
    ],
)
def test_a_retry_wait_past_a_double_is_a_retry_that_never_comes(retrier: dict[str, Any]) -> None:
    # Found by the properties: an IntervalSeconds of 10**400 (before validate held it to
    # 99999999) or a BackoffRate as large raised OverflowError converting to a float, out
    # of start-execution or advance.
    definition = _retried(**retrier)
    assert _valid(definition)
    with tempfile.TemporaryDirectory() as tmp:
        s = _open(Path(tmp), definition)
        execute(s, "start-execution flow '{}' --name e1")
        execute(s, "advance 400d")
        ex = lookup_machine(s.sim, "flow").executions["e1"]
        delays = [r.data["delay_ms"] for r in s.sim.trace.records if r.kind == "sfn.retry"]
    assert delays[-1] == RETRY_NEVER_MS
    # The execution's year ends first: TIMED_OUT, a year after its start.
    assert (ex.status, ex.stop_ms - ex.start_ms) == ("TIMED_OUT", MAX_EXECUTION_MS)


def test_timeout_seconds_past_a_year_still_ends_the_execution_at_a_year() -> None:
    wait = {"Type": "Wait", "Seconds": 99_999_999, "End": True}
    definition = {"StartAt": "W", "TimeoutSeconds": 10**30, "States": {"W": wait}}
    with tempfile.TemporaryDirectory() as tmp:
        s = _open(Path(tmp), definition)
        execute(s, "start-execution flow '{}' --name e1")
        execute(s, "advance 400d")
        ex = lookup_machine(s.sim, "flow").executions["e1"]
    assert (ex.status, ex.stop_ms - ex.start_ms) == ("TIMED_OUT", MAX_EXECUTION_MS)


def test_validate_checks_numbers_past_a_double_without_raising() -> None:
    # math.isfinite(10**400) raises OverflowError: validate raised it.
    ok = _retried(BackoffRate=10**400)
    assert _valid(ok)
    bad = _retried()
    bad["States"]["P"]["Retry"][0]["BackoffRate"] = -(10**400)
    stack = load_stack_text(stack_text(bad))
    assert [d.code for d in stack.diagnostics if d.severity == "error"] == ["asl-schema"]
    processor = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
    processor["ProcessorConfig"] = {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}
    many = {"Type": "Map", "ItemProcessor": processor, "End": True}
    many["ToleratedFailurePercentage"] = 10**400
    stack = load_stack_text(stack_text({"StartAt": "M", "States": {"M": many}}))
    errors = [d.message for d in stack.diagnostics if d.severity == "error"]
    assert any("'ToleratedFailurePercentage' must be a number from 0 to 100" in e for e in errors)
