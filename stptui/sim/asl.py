"""Amazon States Language definitions: structural checks, and what a Task state calls.

`check_definition` finds what Step Functions' CreateStateMachine refuses (StartAt, States,
state types, Next/End, transitions and reachability, Retry/Catch fields, timeouts, the
nested machines of Parallel and Map), each with its data path inside the definition so that
`validate` gives file:line:col, and in Step Functions' own wording (`SCHEMA_VALIDATION_FAILED:
...`, `MISSING_TRANSITION_TARGET: ...`) where it is known. The data-flow fields of each state
are checked by `stptui.sim.asl_data.check_state`, those of JSONata states (their `{% %}`
expressions' syntax, where `$states.result` and `$states.errorOutput` may be read) by
`stptui.sim.asl_jsonata_data.check_state`. It also warns about what the simulator
does not run: Task integrations other than Lambda and
those of stptui.sim.asl_integrations (with `.waitForTaskToken` on Lambda, SQS, SNS,
EventBridge and the aws-sdk: ones: then a warning when the Parameters never pass
`$$.Task.Token`, or `$states.context.Task.Token` in a JSONata state's Arguments) and
stptui.sim.asl_jobs. A Map's Distributed Map fields are checked by
`stptui.sim.asl_distributed.check_map`.

`task_target` says which stack function a Task state invokes, resolving `Resource` as the
deployed template does (docs/fidelity.md, "Step Functions executions").
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from stptui.config.diagnostics import did_you_mean
from stptui.sim import asl_jsonata_data
from stptui.sim.asl_data import ASSIGN_TYPES, assigned_names, check_state, variable_refs
from stptui.sim.asl_distributed import check_map, is_distributed
from stptui.sim.asl_integrations import SIMULATED as SIMULATED_INTEGRATIONS
from stptui.sim.asl_jobs import RESOURCES as JOB_INTEGRATIONS
from stptui.sim.asl_jsonata import is_expression
from stptui.sim.asl_sdk import SIMULATED as SDK_INTEGRATIONS

Path = tuple[str | int, ...]
Kind = Literal[
    "schema",
    "transition",
    "unreachable",
    "not-simulated",
    "data",
    "error-name",
    "no-task-token",
    "variable",
    "jsonata",
    "jsonata-literal",
]

STATE_TYPES = ("Task", "Pass", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map")
# States that end by Next or End (Choice, Succeed and Fail do not take either).
_FLOW_TYPES = ("Task", "Pass", "Wait", "Parallel", "Map")
# States that may retry and catch.
_RETRYING_TYPES = ("Task", "Parallel", "Map")
JITTER_STRATEGIES = ("FULL", "NONE")
# A retrier's upper limits: "IntervalSeconds has a maximum value of 99999999", "MaxAttempts
# has a maximum value of 99999999" (developer guide, "Retrying after an error"), and a
# MaxDelaySeconds below 31622401 (a year and a day of seconds: AWS's own ASL language
# service, aws/amazon-states-language-service, refuses 31622401).
MAX_RETRY_SECONDS = 99_999_999
MAX_RETRY_ATTEMPTS = 99_999_999
MAX_DELAY_SECONDS = 31_622_400
# The Lambda service integration ("Invoke Lambda with Step Functions").
LAMBDA_INVOKE = "arn:aws:states:::lambda:invoke"
# Lambda's Invoke through the AWS SDK integration: its result is the API's response as is.
SDK_LAMBDA_INVOKE = "arn:aws:states:::aws-sdk:lambda:invoke"
_FUNCTION_ARN = re.compile(r"^arn:aws[\w-]*:lambda:[^:]*:[^:]*:function:([^:]+)(?::[^:]+)?$")
_LOGICAL_SUFFIX = "Function"
# The callback pattern ("Wait for a Callback with Task Token"): the integrations stptui runs
# that take the suffix, and the context path their Parameters pass the token with.
CALLBACK_SUFFIX = ".waitForTaskToken"
CALLBACK_INTEGRATIONS = (
    LAMBDA_INVOKE,
    "arn:aws:states:::sqs:sendMessage",
    "arn:aws:states:::sns:publish",
    "arn:aws:states:::events:putEvents",
)
TASK_TOKEN_PATH = "$$.Task.Token"
# A JSONata state passes the token from its context object.
JSONATA_TASK_TOKEN = re.compile(r"\$states\s*\.\s*context\s*\.\s*Task\s*\.\s*Token(?![\w$])")


@dataclass(frozen=True, slots=True)
class AslProblem:
    """One finding in a definition: where (a data path inside the definition), how bad,
    what kind, Step Functions' message, and how to fix it."""

    path: Path
    severity: Literal["error", "warning"]
    kind: Kind
    message: str
    hint: str | None = None


@dataclass(frozen=True, slots=True)
class TaskTarget:
    """What a Task state calls: `function` is the stack function it invokes (None when the
    resource is outside the stack or not simulated); `wrapped` is True for the
    `lambda:invoke` integration, whose result is the Invoke API's response."""

    function: str | None
    wrapped: bool
    resource: str
    why: str | None = None
    # A simulated service integration (stptui.sim.asl_integrations), when it is one.
    integration: str | None = None
    # `.waitForTaskToken`: the state waits for SendTaskSuccess / SendTaskFailure.
    callback: bool = False
    # The function is named at run time (`FunctionName.$`, an expression): `why` says so.
    dynamic: bool = False


def _where(path: Path) -> str:
    return "/" + "/".join(str(p) for p in path)


def _schema(path: Path, text: str, hint: str | None = None) -> AslProblem:
    return AslProblem(
        path, "error", "schema", f"SCHEMA_VALIDATION_FAILED: {text} at {_where(path)}", hint
    )


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    # An int is always finite (and isfinite raises OverflowError on one past a double).
    if isinstance(value, float):
        return math.isfinite(value)
    return isinstance(value, int) and not isinstance(value, bool)


def check_definition(definition: Any) -> list[AslProblem]:
    """Every problem of a state machine definition, outermost first."""
    problems: list[AslProblem] = []
    if not isinstance(definition, dict):
        problems.append(_schema((), "The definition must be a JSON object"))
        return problems
    timeout = definition.get("TimeoutSeconds")
    if timeout is not None and (not _is_int(timeout) or timeout < 1):
        problems.append(
            _schema(
                ("TimeoutSeconds",),
                "The value for the field 'TimeoutSeconds' must be a positive integer",
            )
        )
    language = definition.get("QueryLanguage", JSONPATH)
    if language not in QUERY_LANGUAGES:
        problems.append(
            _schema(
                ("QueryLanguage",),
                "The value for the field 'QueryLanguage' must be one of JSONPath, JSONata",
            )
        )
        language = JSONPATH
    _check_machine(definition, (), problems, language)
    _check_scopes(definition, (), frozenset(), frozenset(), frozenset(), problems, language)
    return problems


def _check_scopes(
    machine: Mapping[str, Any],
    at: Path,
    outer: frozenset[str],
    readable: frozenset[str],
    hidden: frozenset[str],
    problems: list[AslProblem],
    language: str = "JSONPath",
) -> None:
    """Workflow variables by scope ("Passing data between states with variables"): the
    states of one States map share a scope; a Parallel branch or a Map iteration has its
    own, which reads the outer ones (a Distributed Map's does not) but may not assign a
    name an outer scope assigns. `outer` is what enclosing scopes assign, `readable` what
    this scope may read of them, `hidden` what a Distributed Map's iterations cannot;
    `language` is the definition's query language, which says how a state reads variables
    (JSONPath paths, or JSONata expressions) unless the state names its own."""
    states = machine.get("States")
    if not isinstance(states, dict):
        return
    own: set[str] = set()
    for name, state in states.items():
        if not isinstance(state, dict):
            continue
        for where, variable in assigned_names(state):
            own.add(variable)
            if variable in outer:
                problems.append(
                    AslProblem(
                        (*at, "States", name, *where),
                        "error",
                        "data",
                        f"The variable {variable!r} is assigned in an outer scope: a Parallel "
                        "branch or a Map iteration may not assign a variable of the same name "
                        "as one an outer scope assigns",
                        "give it another name here, and pass data out through the branch's "
                        "or iteration's output",
                    )
                )
    visible = readable | own
    for name, state in states.items():
        if not isinstance(state, dict):
            continue
        here = (*at, "States", name)
        told: set[str] = set()
        jsonata = state_language(state, language) == JSONATA
        refs = asl_jsonata_data.variable_refs(state) if jsonata else variable_refs(state)
        for where, variable in refs:
            if variable in visible or variable in told:
                continue
            told.add(variable)
            blind = variable in hidden
            problems.append(
                AslProblem(
                    (*here, *where),
                    "warning",
                    "variable",
                    f"State {name!r} reads the variable ${variable}, which "
                    + (
                        "a Distributed Map's iterations cannot read (it belongs to an outer scope)"
                        if blind
                        else "no state of its scope or an outer one assigns"
                    )
                    + (
                        # In JSONata it is undefined: `$exists($x)` still runs, most reads fail.
                        ": it is undefined there, and an expression that needs its value fails "
                        "with States.QueryEvaluationError"
                        if jsonata
                        else ": executions that reach it fail with States.Runtime"
                    ),
                    "pass the value in the Map's ItemSelector instead"
                    if blind
                    else f"assign ${variable} (an Assign field) in a state that runs before, "
                    "or fix the name",
                )
            )
        inner_outer = outer | own
        if state.get("Type") == "Parallel":
            for i, branch in enumerate(state.get("Branches") or []):
                if isinstance(branch, dict):
                    where = (*here, "Branches", i)
                    scope = frozenset(inner_outer)
                    _check_scopes(branch, where, scope, visible, hidden, problems, language)
        elif state.get("Type") == "Map":
            key = "ItemProcessor" if "ItemProcessor" in state else "Iterator"
            processor = state.get(key)
            if isinstance(processor, dict):
                if is_distributed(state):
                    # Its iterations are child executions: they read no outer variables.
                    unseen = frozenset(hidden | visible)
                    _check_scopes(
                        processor,
                        (*here, key),
                        frozenset(),
                        frozenset(),
                        unseen,
                        problems,
                        language,
                    )
                else:
                    scope = frozenset(inner_outer)
                    _check_scopes(
                        processor, (*here, key), scope, visible, hidden, problems, language
                    )


def _check_machine(
    machine: Mapping[str, Any], at: Path, problems: list[AslProblem], language: str = "JSONPath"
) -> None:
    """StartAt, States and every state of one (possibly nested) machine; `language` is the
    query language its states have unless they name one (the definition's)."""
    states = machine.get("States")
    start = machine.get("StartAt")
    missing = [f for f in ("StartAt", "States") if f not in machine]
    if missing:
        problems.append(_schema(at, f"These fields are required: [{', '.join(missing)}]"))
    if not isinstance(states, dict) or not states:
        if "States" in machine:
            problems.append(_schema((*at, "States"), "The field 'States' should be non-empty"))
        return
    if "StartAt" in machine and (not isinstance(start, str) or start not in states):
        problems.append(
            AslProblem(
                (*at, "StartAt"),
                "error",
                "transition",
                f"MISSING_TRANSITION_TARGET: Missing 'Next' target: {start} at "
                f"{_where((*at, 'StartAt'))}",
                _names_hint(start, states),
            )
        )
    for name, state in states.items():
        _check_state(name, state, (*at, "States", name), states, problems, language)
    reachable = _reachable(start, states)
    for name in states:
        if name not in reachable and isinstance(start, str) and start in states:
            where = (*at, "States", name)
            problems.append(
                AslProblem(
                    where,
                    "error",
                    "unreachable",
                    f'MISSING_TRANSITION_TARGET: State "{name}" is not reachable. at '
                    f"{_where(where)}",
                    "make a Next, Default or Catch of another state lead to it, or remove it",
                )
            )


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _names_hint(target: Any, states: Mapping[str, Any]) -> str:
    from stptui.config.diagnostics import did_you_mean

    guess = did_you_mean(str(target), list(states)) if isinstance(target, str) else None
    if guess:
        return f"did you mean {guess!r}?"
    return f"states here: {', '.join(states)}"


def transitions(state: Mapping[str, Any]) -> list[tuple[Path, Any]]:
    """Every state name a state may go to, with the data path (inside the state) naming it."""
    out: list[tuple[Path, Any]] = []
    if "Next" in state:
        out.append((("Next",), state["Next"]))
    if state.get("Type") == "Choice":
        for i, rule in enumerate(state.get("Choices") or []):
            if isinstance(rule, dict) and "Next" in rule:
                out.append((("Choices", i, "Next"), rule["Next"]))
        if "Default" in state:
            out.append((("Default",), state["Default"]))
    for i, catcher in enumerate(state.get("Catch") or []):
        if isinstance(catcher, dict) and "Next" in catcher:
            out.append((("Catch", i, "Next"), catcher["Next"]))
    return out


def _reachable(start: Any, states: Mapping[str, Any]) -> set[str]:
    seen: set[str] = set()
    todo = [start] if isinstance(start, str) else []
    while todo:
        name = todo.pop()
        if name in seen or name not in states:
            continue
        seen.add(name)
        state = states[name]
        if isinstance(state, dict):
            todo.extend(t for _, t in transitions(state) if isinstance(t, str))
    return seen


def _check_state(
    name: str,
    state: Any,
    at: Path,
    states: Mapping[str, Any],
    problems: list[AslProblem],
    language: str = "JSONPath",
) -> None:
    if not isinstance(state, dict):
        problems.append(_schema(at, "The state must be a JSON object"))
        return
    stype = state.get("Type")
    if "Type" not in state:
        problems.append(_schema(at, "These fields are required: [Type]"))
        return
    if stype not in STATE_TYPES:
        guess = did_you_mean(str(stype), STATE_TYPES)
        problems.append(
            _schema(
                (*at, "Type"),
                f"The value for the field 'Type' must be one of {', '.join(STATE_TYPES)}",
                f"did you mean {guess!r}?" if guess else None,
            )
        )
        return
    if "Assign" in state and stype not in ASSIGN_TYPES:
        problems.append(
            _schema((*at, "Assign"), f"Field 'Assign' is not supported by a {stype} state")
        )
    allowed = STATE_FIELDS[stype]
    for field in state:
        if field not in allowed and field not in _CHECKED_ELSEWHERE:
            owners = [t for t in STATE_TYPES if field in STATE_FIELDS[t]]
            if owners:
                hint: str | None = f"{field} is a field of {_and(owners)} states"
            else:
                guess = did_you_mean(str(field), sorted(allowed))
                hint = f"did you mean {guess!r}?" if guess else None
            problems.append(
                _schema(
                    (*at, str(field)), f"Field '{field}' is not supported by a {stype} state", hint
                )
            )
    _check_language(state, at, language, problems)
    jsonata = state_language(state, language) == JSONATA
    if stype in _FLOW_TYPES:
        has_next, has_end = "Next" in state, state.get("End") is True
        if has_next == has_end:
            which = "both 'Next' and 'End'" if has_next else "'Next' or 'End: true'"
            problems.append(
                _schema(
                    at,
                    f"A {stype} state must have exactly one of 'Next' and 'End'",
                    f"state {name!r} has {which}",
                )
            )
    elif "Next" in state or "End" in state:
        field = "Next" if "Next" in state else "End"
        problems.append(
            _schema((*at, field), f"Field '{field}' is not supported by a {stype} state")
        )
    for path, target in transitions(state):
        if not isinstance(target, str) or target not in states:
            problems.append(
                AslProblem(
                    (*at, *path),
                    "error",
                    "transition",
                    f"MISSING_TRANSITION_TARGET: Missing 'Next' target: {target} at "
                    f"{_where((*at, *path))}",
                    _names_hint(target, states),
                )
            )
    if stype == "Choice":
        choices = state.get("Choices")
        if not isinstance(choices, list) or not choices:
            problems.append(_schema((*at, "Choices"), "The field 'Choices' should be non-empty"))
    if stype == "Fail":
        for a, b in (("Error", "ErrorPath"), ("Cause", "CausePath")):
            if a in state and b in state:
                problems.append(_schema(at, f"A Fail state may have '{a}' or '{b}', not both"))
    if stype in _RETRYING_TYPES:
        _check_retry(state.get("Retry"), (*at, "Retry"), problems)
        _check_catch(state.get("Catch"), (*at, "Catch"), problems)
    elif "Retry" in state or "Catch" in state:
        field = "Retry" if "Retry" in state else "Catch"
        problems.append(
            _schema((*at, field), f"Field '{field}' is not supported by a {stype} state")
        )
    if stype == "Task":
        _check_task(name, state, at, problems, jsonata)
    if stype == "Parallel":
        branches = state.get("Branches")
        if not isinstance(branches, list) or not branches:
            problems.append(_schema((*at, "Branches"), "The field 'Branches' should be non-empty"))
        else:
            for i, branch in enumerate(branches):
                if isinstance(branch, dict):
                    _check_machine(branch, (*at, "Branches", i), problems, language)
                else:
                    problems.append(_schema((*at, "Branches", i), "A branch must be an object"))
    if stype == "Map":
        key = "ItemProcessor" if "ItemProcessor" in state else "Iterator"
        processor = state.get(key)
        if not isinstance(processor, dict):
            problems.append(_schema(at, "These fields are required: [ItemProcessor]"))
        else:
            _check_machine(processor, (*at, key), problems, language)
        for path, kind, text, hint in check_map(state):
            if kind == "schema":
                problems.append(_schema((*at, *path), text, hint))
            else:
                problems.append(AslProblem((*at, *path), "warning", "not-simulated", text, hint))
        limit = state.get("MaxConcurrency")
        if limit is not None and not is_expression(limit) and (not _is_int(limit) or limit < 0):
            problems.append(
                _schema(
                    (*at, "MaxConcurrency"),
                    "The value for the field 'MaxConcurrency' must be a non-negative integer",
                )
            )
    if jsonata:
        refused: set[Path] = set()
        for path, message in asl_jsonata_data.check_state(state):
            refused.add(path)
            problems.append(AslProblem((*at, *path), "error", "jsonata", message, _JSONATA_HINT))
        for path, message in asl_jsonata_data.literal_lookalikes(state):
            if path not in refused:  # the error at the same field says enough
                problems.append(
                    AslProblem((*at, *path), "warning", "jsonata-literal", message, _LITERAL_HINT)
                )
        for path, message in asl_jsonata_data.refused_regexes(state):
            problems.append(
                AslProblem((*at, *path), "warning", "not-simulated", message, _REGEX_HINT)
            )
        return
    for path, message in check_state(state):
        problems.append(AslProblem((*at, *path), "error", "data", message))


_JSONATA_HINT = (
    "Step Functions refuses the definition when it is created: fix the expression "
    "({% ... %}, JSONata 2.0 syntax; $states.input, $states.result, $states.errorOutput, "
    "$states.context and variables as $name)"
)


_REGEX_HINT = (
    "make the repeated part and what follows it inside the loop exclusive, e.g. "
    "(\\d+\\.)+ rather than (\\d+\\.?)+, or a single loop: (\\w|\\s)+ rather than (\\w+\\s?)+"
)
_LITERAL_HINT = (
    "write the whole string as one expression, with nothing outside the marks: "
    '"{% $states.input.id %}", or "{% \'Order \' & $states.input.id %}" to join text; '
    "or, if the text is meant literally, leave out the {% and %}"
)


def state_language(state: Mapping[str, Any], inherited: str) -> str:
    """The query language a state uses: its own QueryLanguage, else the definition's."""
    own = state.get("QueryLanguage")
    return own if own in QUERY_LANGUAGES else inherited


def jsonata_states(definition: Any) -> list[Mapping[str, Any]]:
    """Every state of a definition (nested machines included) whose query language is
    JSONata: its own QueryLanguage, else the definition's."""
    if not isinstance(definition, dict):
        return []
    inherited = definition.get("QueryLanguage", JSONPATH)
    out: list[Mapping[str, Any]] = []

    def walk(machine: Any) -> None:
        states = machine.get("States") if isinstance(machine, dict) else None
        if not isinstance(states, dict):
            return
        for state in states.values():
            if not isinstance(state, dict):
                continue
            if state_language(state, inherited) == JSONATA:
                out.append(state)
            for branch in state.get("Branches") or []:
                walk(branch)
            for key in ("ItemProcessor", "Iterator"):
                walk(state.get(key))

    walk(definition)
    return out


# The query languages ("Transforming data with JSONata in Step Functions"): JSONPath is the
# default; a JSONPath definition may have JSONata states, a JSONata one no JSONPath state.
JSONPATH, JSONATA = "JSONPath", "JSONata"
QUERY_LANGUAGES = (JSONPATH, JSONATA)
# Fields only JSONPath states take, and fields only JSONata states take.
JSONPATH_FIELDS = (
    "Parameters",
    "Result",
    "InputPath",
    "ResultPath",
    "ResultSelector",
    "OutputPath",
    "ItemsPath",
    "SecondsPath",
    "TimestampPath",
    "ErrorPath",
    "CausePath",
    "TimeoutSecondsPath",
    "HeartbeatSecondsPath",
    "MaxConcurrencyPath",
)
JSONATA_FIELDS = ("Arguments", "Output", "Items")
# The fields each state type takes, in either query language (Amazon States Language and
# the developer guide's page of each state type; Task's Credentials, Map's ItemReader,
# ItemBatcher, ResultWriter, Label and tolerated failures from the Distributed Map pages).
# CreateStateMachine refuses any other ("SCHEMA_VALIDATION_FAILED: Field 'ResultPath' is
# not supported at /States/...", as users report it: sam-goodwin/functionless#308).
_COMMON_FIELDS = frozenset({"Type", "Comment", "QueryLanguage"})
_IO_FIELDS = frozenset({"InputPath", "OutputPath", "Output"})
_RESULT_FIELDS = frozenset({"ResultPath", "ResultSelector", "Retry", "Catch"})
STATE_FIELDS: dict[str, frozenset[str]] = {
    "Pass": _COMMON_FIELDS
    | _IO_FIELDS
    | {"Next", "End", "Assign", "Parameters", "Result", "ResultPath"},
    "Task": _COMMON_FIELDS
    | _IO_FIELDS
    | _RESULT_FIELDS
    | {
        "Next",
        "End",
        "Assign",
        "Resource",
        "Parameters",
        "Arguments",
        "TimeoutSeconds",
        "TimeoutSecondsPath",
        "HeartbeatSeconds",
        "HeartbeatSecondsPath",
        "Credentials",
    },
    "Choice": _COMMON_FIELDS | _IO_FIELDS | {"Choices", "Default", "Assign"},
    "Wait": _COMMON_FIELDS
    | _IO_FIELDS
    | {"Next", "End", "Assign", "Seconds", "SecondsPath", "Timestamp", "TimestampPath"},
    "Succeed": _COMMON_FIELDS | _IO_FIELDS,
    "Fail": _COMMON_FIELDS | {"Error", "ErrorPath", "Cause", "CausePath"},
    "Parallel": _COMMON_FIELDS
    | _IO_FIELDS
    | _RESULT_FIELDS
    | {"Next", "End", "Assign", "Branches", "Parameters", "Arguments"},
    "Map": _COMMON_FIELDS
    | _IO_FIELDS
    | _RESULT_FIELDS
    | {
        "Next",
        "End",
        "Assign",
        "ItemProcessor",
        "Iterator",
        "ItemsPath",
        "Items",
        "ItemSelector",
        "Parameters",
        "ItemReader",
        "ItemBatcher",
        "ResultWriter",
        "MaxConcurrency",
        "MaxConcurrencyPath",
        "ToleratedFailureCount",
        "ToleratedFailureCountPath",
        "ToleratedFailurePercentage",
        "ToleratedFailurePercentagePath",
        "Label",
    },
}
# Fields a state type does not take that other checks already name (one message each).
_CHECKED_ELSEWHERE = frozenset({"Assign", "Next", "End", "Retry", "Catch"})


def _check_language(
    state: Mapping[str, Any], at: Path, inherited: str, problems: list[AslProblem]
) -> None:
    """A state's QueryLanguage (its own, else the definition's) and the fields it allows."""
    own = state.get("QueryLanguage")
    if own is not None and own not in QUERY_LANGUAGES:
        problems.append(
            _schema(
                (*at, "QueryLanguage"),
                "The value for the field 'QueryLanguage' must be one of JSONPath, JSONata",
            )
        )
        return
    if own == JSONPATH and inherited == JSONATA:
        problems.append(
            _schema(
                (*at, "QueryLanguage"),
                "A state may not use JSONPath when the state machine's QueryLanguage is JSONata",
                "remove the state's QueryLanguage, or make the definition's JSONPath (the "
                "default) and set JSONata on the states that use it",
            )
        )
        return
    language = own or inherited
    refused = JSONPATH_FIELDS if language == JSONATA else JSONATA_FIELDS
    # A Catcher's output is placed by ResultPath (JSONPath) or made by Output (JSONata).
    catch_field = "ResultPath" if language == JSONATA else "Output"
    catchers = state.get("Catch")
    for i, catcher in enumerate(catchers if isinstance(catchers, list) else []):
        if isinstance(catcher, dict) and catch_field in catcher:
            problems.append(
                _schema(
                    (*at, "Catch", i, catch_field),
                    f"The field '{catch_field}' is not supported by a catcher of a {language} "
                    "state",
                    "a JSONata catcher takes Output and Assign; a JSONPath one ResultPath and "
                    "Assign",
                )
            )
    for field_name in refused:
        if field_name in state:
            problems.append(
                _schema(
                    (*at, field_name),
                    f"The field '{field_name}' is not supported by a {language} state",
                    "JSONata states take Arguments, Output, Assign and {% %} expressions; "
                    "JSONPath states take Parameters, InputPath, ResultSelector, ResultPath "
                    "and OutputPath",
                )
            )


def _check_task(
    name: str,
    state: Mapping[str, Any],
    at: Path,
    problems: list[AslProblem],
    jsonata: bool = False,
) -> None:
    if "Resource" not in state:
        problems.append(_schema(at, "These fields are required: [Resource]"))
    for field in ("TimeoutSeconds", "HeartbeatSeconds"):
        value = state.get(field)
        if jsonata and is_expression(value):
            continue  # its value is known when the task starts
        if value is not None and (not _is_int(value) or value < 1):
            problems.append(
                _schema(
                    (*at, field), f"The value for the field '{field}' must be a positive integer"
                )
            )
    request = request_field(state)
    check = passes_jsonata_token if jsonata else passes_task_token
    passes = check(state.get(request))
    if callback_base(state.get("Resource")) is not None and not passes:
        token = "$states.context.Task.Token" if jsonata else TASK_TOKEN_PATH
        example = (
            '"taskToken": "{% $states.context.Task.Token %}"'
            if jsonata
            else f'"taskToken.$": "{TASK_TOKEN_PATH}"'
        )
        problems.append(
            AslProblem(
                (*at, request) if request in state else (*at, "Resource"),
                "warning",
                "no-task-token",
                f"Task state {name!r} waits for a task token that its {request} never pass "
                f"on ({token}): no worker can answer it, so it waits until its "
                "TimeoutSeconds (or HeartbeatSeconds) end it",
                f"pass the token, e.g. in the message or payload: {example}",
            )
        )
    timeout, heartbeat = state.get("TimeoutSeconds"), state.get("HeartbeatSeconds")
    if _is_int(timeout) and _is_int(heartbeat) and heartbeat >= timeout:
        problems.append(
            _schema(
                (*at, "HeartbeatSeconds"),
                "The value for the field 'HeartbeatSeconds' must be smaller than the value "
                "for the field 'TimeoutSeconds'",
            )
        )


# Step Functions' predefined error names (developer guide, "Error names").
PREDEFINED_ERRORS = (
    "States.ALL",
    "States.DataLimitExceeded",
    "States.ExceedToleratedFailureThreshold",
    "States.HeartbeatTimeout",
    "States.Http.Socket",
    "States.IntrinsicFailure",
    "States.ItemReaderFailed",
    "States.NoChoiceMatched",
    "States.ParameterPathFailure",
    "States.Permissions",
    "States.QueryEvaluationError",
    "States.ResultPathMatchFailure",
    "States.ResultWriterFailed",
    "States.Runtime",
    "States.TaskFailed",
    "States.Timeout",
)


def _misspelt_error(name: str) -> str | None:
    """For a name that looks like a predefined error but is not one (`States.Timout`, or a
    prefix close to `States` as in `State.ALL`), the predefined name it most likely means
    ("" when none is close); None for a custom name or a predefined one."""
    prefix, dot, rest = name.partition(".")
    if not dot or name in PREDEFINED_ERRORS:
        return None
    if prefix != "States" and difflib.SequenceMatcher(None, prefix.lower(), "states").ratio() < 0.8:
        return None
    return did_you_mean("States." + rest, PREDEFINED_ERRORS) or ""


def _check_error_names(errors: list[Any], at: Path, problems: list[AslProblem]) -> None:
    for i, name in enumerate(errors):
        if not isinstance(name, str):
            continue
        meant = _misspelt_error(name)
        if meant is None:
            continue
        what = (
            f"{name!r} is not a predefined error of Step Functions"
            if name.startswith("States.")
            else f"{name!r} is a custom error name that looks like a predefined one"
        )
        problems.append(
            AslProblem(
                (*at, "ErrorEquals", i),
                "warning",
                "error-name",
                f"{what}: it matches only an error of exactly that name, which nothing raises "
                "unless a function throws one",
                f"did you mean {meant!r}?" if meant else "the predefined names start with States.",
            )
        )


def _check_errors(errors: Any, at: Path, last: bool, problems: list[AslProblem]) -> None:
    if not isinstance(errors, list) or not errors:
        problems.append(_schema(at, "The field 'ErrorEquals' should be non-empty"))
        return
    _check_error_names(errors, at, problems)
    if "States.ALL" in errors and (len(errors) != 1 or not last):
        problems.append(
            _schema(
                at,
                "Error name 'States.ALL' must appear alone in ErrorEquals and in the last "
                "retrier or catcher",
                "move the States.ALL entry to the end, on its own",
            )
        )


def _check_retry(retry: Any, at: Path, problems: list[AslProblem]) -> None:
    if retry is None:
        return
    if not isinstance(retry, list):
        problems.append(_schema(at, "The field 'Retry' must be an array"))
        return
    for i, retrier in enumerate(retry):
        where = (*at, i)
        if not isinstance(retrier, dict):
            problems.append(_schema(where, "A retrier must be an object"))
            continue
        _check_errors(retrier.get("ErrorEquals"), where, i == len(retry) - 1, problems)
        checks = (
            (
                "MaxAttempts",
                lambda v: _is_int(v) and 0 <= v <= MAX_RETRY_ATTEMPTS,
                f"an integer from 0 to {MAX_RETRY_ATTEMPTS}",
            ),
            (
                "IntervalSeconds",
                lambda v: _is_int(v) and 1 <= v <= MAX_RETRY_SECONDS,
                f"an integer from 1 to {MAX_RETRY_SECONDS}",
            ),
            (
                "MaxDelaySeconds",
                lambda v: _is_int(v) and 1 <= v <= MAX_DELAY_SECONDS,
                f"an integer from 1 to {MAX_DELAY_SECONDS}",
            ),
            ("BackoffRate", lambda v: _is_number(v) and v >= 1.0, "a number >= 1.0"),
            ("JitterStrategy", lambda v: v in JITTER_STRATEGIES, "FULL or NONE"),
        )
        for field, ok, what in checks:
            if field in retrier and not ok(retrier[field]):
                problems.append(
                    _schema((*where, field), f"The value for the field '{field}' must be {what}")
                )


def _check_catch(catch: Any, at: Path, problems: list[AslProblem]) -> None:
    if catch is None:
        return
    if not isinstance(catch, list):
        problems.append(_schema(at, "The field 'Catch' must be an array"))
        return
    for i, catcher in enumerate(catch):
        where = (*at, i)
        if not isinstance(catcher, dict):
            problems.append(_schema(where, "A catcher must be an object"))
            continue
        _check_errors(catcher.get("ErrorEquals"), where, i == len(catch) - 1, problems)
        if "Next" not in catcher:
            problems.append(_schema(where, "These fields are required: [Next]"))


def logical_function_id(name: str) -> str:
    """The CloudFormation logical id Stacktape gives a function's Lambda (`validateInput`
    -> `ValidateInputFunction`)."""
    from stptui.config.normalize_names import pascal_case

    return pascal_case(name) + _LOGICAL_SUFFIX


def task_target(state: Mapping[str, Any], functions: Mapping[str, str]) -> TaskTarget:
    """Which stack function a Task state invokes. `functions` maps each function's name to
    its ARN. `Resource` may be `Fn::GetAtt: [<Name>Function, Arn]`, `$ResourceParam(fn,
    'arn')` (already resolved to the ARN), a literal function ARN, or the `lambda:invoke`
    integration with `Parameters.FunctionName` (any of those forms, or the function's name)."""
    resource = state.get("Resource")
    callback = callback_base(resource)
    if callback is not None:
        resource = callback
    if resource in (LAMBDA_INVOKE, SDK_LAMBDA_INVOKE) or (
        isinstance(resource, str) and resource.startswith(LAMBDA_INVOKE + ".")
    ):
        kind = SDK_LAMBDA_INVOKE if resource == SDK_LAMBDA_INVOKE else LAMBDA_INVOKE
        params = state.get(request_field(state))
        if is_expression(params):
            why = "the Arguments are evaluated at run time"
            return TaskTarget(None, True, kind, why, None, bool(callback), dynamic=True)
        name = params.get("FunctionName") if isinstance(params, dict) else None
        if name is None and isinstance(params, dict) and "FunctionName.$" in params:
            why = "FunctionName.$ is read at run time"
            return TaskTarget(None, True, kind, why, None, bool(callback), dynamic=True)
        if is_expression(name):
            why = "FunctionName is evaluated at run time"
            return TaskTarget(None, True, kind, why, None, bool(callback), dynamic=True)
        fn = _function_of(name, functions)
        why = None if fn else f"FunctionName {_shown(name)} is no function of this stack"
        invocation = params.get("InvocationType") if isinstance(params, dict) else None
        if kind == SDK_LAMBDA_INVOKE and invocation not in (None, "RequestResponse"):
            # Only the synchronous Invoke is simulated through the SDK integration.
            fn, why = None, f"InvocationType {_shown(invocation)} of {kind} is not simulated"
        return TaskTarget(fn, True, kind, why, None, bool(callback))
    if (
        resource in SIMULATED_INTEGRATIONS
        or resource in JOB_INTEGRATIONS
        or resource in SDK_INTEGRATIONS
    ):
        return TaskTarget(None, False, resource, None, resource, bool(callback))
    if isinstance(resource, str) and resource.startswith("arn:aws:states:::"):
        return TaskTarget(
            None,
            False,
            resource,
            f"the integration {resource} is not simulated (only Lambda, sqs:sendMessage, "
            "sns:publish, events:putEvents, dynamodb:putItem/getItem/updateItem/deleteItem, "
            "batch:submitJob(.sync) and states:startExecution(.sync, .sync:2); the first four "
            "also with .waitForTaskToken; and the aws-sdk: integrations docs/state-machines.md "
            "lists, also with .waitForTaskToken but aws-sdk:lambda:invoke)",
        )
    fn = _function_of(resource, functions)
    why = None if fn else f"Resource {_shown(resource)} is no function of this stack"
    return TaskTarget(fn, False, _shown(resource), why)


def callback_base(resource: Any) -> str | None:
    """The integration a `.waitForTaskToken` resource calls (`arn:aws:states:::sqs:sendMessage`
    for `...sqs:sendMessage.waitForTaskToken`), when it is one stptui runs; None otherwise."""
    if not isinstance(resource, str) or not resource.endswith(CALLBACK_SUFFIX):
        return None
    base = resource.removesuffix(CALLBACK_SUFFIX)
    # AWS SDK integrations take the suffix too (the "Discover service integration patterns"
    # table: Request Response and Wait for Callback, not Run a Job). aws-sdk:lambda:invoke is
    # left out: its function error is a response, which a callback would have to ignore.
    if base in SDK_INTEGRATIONS and base != SDK_LAMBDA_INVOKE:
        return base
    return base if base in CALLBACK_INTEGRATIONS else None


def passes_task_token(value: Any) -> bool:
    """Whether Parameters pass the task token somewhere: a `.$` field whose path is
    `$$.Task.Token`, or an intrinsic function reading it (`States.Format('{}',
    $$.Task.Token)`), at any depth."""
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str) and key.endswith(".$") and isinstance(item, str):
                if TASK_TOKEN_PATH in item:
                    return True
            elif passes_task_token(item):
                return True
        return False
    if isinstance(value, list):
        return any(passes_task_token(item) for item in value)
    return False


def passes_jsonata_token(value: Any) -> bool:
    """Whether a JSONata state's Arguments read `$states.context.Task.Token` in one of their
    expressions."""
    if isinstance(value, str):
        return is_expression(value) and JSONATA_TASK_TOKEN.search(value) is not None
    if isinstance(value, dict):
        return any(passes_jsonata_token(item) for item in value.values())
    if isinstance(value, list):
        return any(passes_jsonata_token(item) for item in value)
    return False


def request_field(state: Mapping[str, Any]) -> str:
    """The field holding a Task's request: `Arguments` in a JSONata state that has them,
    else `Parameters`."""
    return "Arguments" if "Arguments" in state and "Parameters" not in state else "Parameters"


def _shown(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {v}" for k, v in value.items()) + "}"
    return str(value)


def _function_of(value: Any, functions: Mapping[str, str]) -> str | None:
    """The stack function `value` names: by Fn::GetAtt of its logical id, its ARN, its
    deployed name or its name in the stack."""
    if isinstance(value, dict) and len(value) == 1:
        ((key, arg),) = value.items()
        if key == "Fn::GetAtt":
            parts = arg.split(".", 1) if isinstance(arg, str) else arg
            if isinstance(parts, list) and len(parts) == 2 and parts[1] == "Arn":
                return next((n for n in functions if logical_function_id(n) == parts[0]), None)
        if key == "Ref" and isinstance(arg, str):
            return next((n for n in functions if logical_function_id(n) == arg), None)
        return None
    if not isinstance(value, str):
        return None
    named = getattr(value, "resource", None)
    if isinstance(named, str) and getattr(value, "param", None) == "arn":
        return named if named in functions else None
    match = _FUNCTION_ARN.match(value)
    if match:
        return next((n for n, arn in functions.items() if arn.endswith(":" + match[1])), None)
    if value in functions:
        return value
    # The deployed function's own name, as Lambda's FunctionName takes it.
    return next((n for n, arn in functions.items() if arn.endswith(":function:" + value)), None)


def lambda_function_targets(definition: Any) -> list[tuple[Path, Mapping[str, Any]]]:
    """Every Task state of a definition, nested machines included, with its data path."""
    out: list[tuple[Path, Mapping[str, Any]]] = []

    def walk(machine: Any, at: Path) -> None:
        states = machine.get("States") if isinstance(machine, dict) else None
        if not isinstance(states, dict):
            return
        for name, state in states.items():
            if not isinstance(state, dict):
                continue
            where = (*at, "States", name)
            if state.get("Type") == "Task":
                out.append((where, state))
            for i, branch in enumerate(state.get("Branches") or []):
                walk(branch, (*where, "Branches", i))
            for key in ("ItemProcessor", "Iterator"):
                if isinstance(state.get(key), dict):
                    walk(state[key], (*where, key))

    walk(definition, ())
    return out
