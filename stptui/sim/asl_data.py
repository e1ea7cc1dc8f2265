"""Step Functions data flow (JSONPath query language), pure: what a state reads and writes.

InputPath, Parameters, ResultSelector, ResultPath and OutputPath; Choice rules with a
verdict per rule in words; Wait end times; Map items and item inputs; and the static checks
of these fields. Nothing here knows the simulator or the clock: the caller passes the raw
input, the result, the time and a `DataEnv` (context object, UUID and random streams).
Rules and their sources: docs/fidelity.md, "Step Functions data flow".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from stptui.sim.asl_intrinsics import (
    MAX_NESTING,
    ArgPathMissing,
    Call,
    IntrinsicEnv,
    IntrinsicSyntaxError,
    PathArg,
    call_depth,
    evaluate,
    looks_like_call,
    parse_call,
)
from stptui.sim.asl_jsonpath import (
    JsonPath,
    Name,
    PathNotFoundError,
    PathSyntaxError,
    PathWriteError,
    StatesRuntimeError,
    UnknownVariableError,
    compact_json,
    is_number,
    parse_path,
    parse_reference_path,
    read_path,
    source_of,
    write_path,
)

__all__ = [
    "DataEnv",
    "JsonataEnv",
    "RuleVerdict",
    "StatesRuntimeError",
    "assign_values",
    "catch_output",
    "check_state",
    "choose",
    "map_item_input",
    "map_items",
    "parse_timestamp_ms",
    "state_input",
    "state_output",
    "valid_variable_name",
    "wait_until_ms",
]

RUNTIME = "States.Runtime"
RESULT_PATH_FAILURE = "States.ResultPathMatchFailure"
NO_CHOICE = "States.NoChoiceMatched"
# States whose Parameters shape their own effective input (a Map's Parameters is the
# legacy name of ItemSelector: it shapes each item's input instead).
_PARAMETER_TYPES = ("Task", "Pass", "Parallel")
_RESULT_SELECTOR_TYPES = ("Task", "Map", "Parallel")
_RESULT_PATH_TYPES = ("Task", "Pass", "Map", "Parallel")


class DataEnv:
    """What data-flow evaluation may read besides the state's input: the context object,
    the id and random streams, and the workflow variables in scope (None: none assigned).

    `context` is the context object, or a function that makes it: a simulated execution
    passes the function, because most states never read the object (only `$$` paths, and
    JSONata's `$states.context`, do) and making it for every state entered (four objects,
    two timestamps) cost a Pass state a fifth of its transition. It is made once, when
    first read. An env is not changed once made (`with_context` makes another)."""

    __slots__ = ("_context", "random", "uuid", "variables")
    # Whether the state's query language is JSONata (a JsonataEnv): a class attribute, so
    # that a JSONPath state's env costs no more to make.
    jsonata: ClassVar[bool] = False

    def __init__(
        self,
        context: Mapping[str, Any] | Callable[[], Mapping[str, Any]],
        uuid: Callable[[], str],
        random: Callable[[int, int], int],
        variables: Mapping[str, Any] | None = None,
    ) -> None:
        self._context = context
        self.uuid = uuid
        self.random = random
        self.variables = variables

    @property
    def context(self) -> Mapping[str, Any]:
        """The context object (`$$`), made now if it was given as a function."""
        context = self._context
        if callable(context):
            context = self._context = context()
        return context

    def context_of(self) -> Mapping[str, Any]:
        """The context object (the `context` property, as a function to call)."""
        return self.context

    def with_context(self, context: Mapping[str, Any]) -> DataEnv:
        """This env with another context object."""
        return DataEnv(context, self.uuid, self.random, self.variables)


class JsonataEnv(DataEnv):
    """The DataEnv of a JSONata state (stptui.sim.asl_jsonata_data evaluates it): also the
    virtual time its `$now()` and `$millis()` read."""

    __slots__ = ("now_ms",)
    jsonata: ClassVar[bool] = True

    def __init__(
        self,
        context: Mapping[str, Any] | Callable[[], Mapping[str, Any]],
        uuid: Callable[[], str],
        random: Callable[[int, int], int],
        variables: Mapping[str, Any] | None = None,
        now_ms: int = 0,
    ) -> None:
        super().__init__(context, uuid, random, variables)
        self.now_ms = now_ms

    def with_context(self, context: Mapping[str, Any]) -> JsonataEnv:
        """This env with another context object."""
        return JsonataEnv(context, self.uuid, self.random, self.variables, self.now_ms)


@dataclass(frozen=True, slots=True)
class RuleVerdict:
    """One top-level Choice rule's evaluation: whether it matched and, in words, why
    (path, operator, expected and actual value), for the trace and `explain`."""

    index: int
    matched: bool
    reason: str
    next: str


def _prefix(name: str) -> str:
    # AWS adds "(entered at the event id #N)"; the simulator's states have no event ids.
    return f"An error occurred while executing the state '{name}'."


def _read(path_text: str, data: Any, env: DataEnv | None) -> Any:
    path = parse_path(path_text)
    if env is None:
        return read_path(path, source_of(path, data, {}, None))
    context = env.context if path.context else None
    return read_path(path, source_of(path, data, context, env.variables))


def _field_path(
    state: Mapping[str, Any], field: str, name: str, data: Any, env: DataEnv | None
) -> Any:
    """InputPath / OutputPath / ItemsPath: absent keeps `data`, null gives `{}`."""
    if field not in state:
        return data
    text = state[field]
    if text is None:
        return {}
    try:
        return _read(text, data, env)
    except (PathSyntaxError, PathNotFoundError) as exc:
        hint = f"{field} {text} names nothing in {compact_json(data)[:200]}"
        raise _invalid_path(name, text, exc, hint) from None


def _invalid_path(
    name: str, text: str, exc: PathSyntaxError | PathNotFoundError, hint: str = ""
) -> StatesRuntimeError:
    """The States.Runtime error of a path that does not parse, or that names nothing."""
    if isinstance(exc, UnknownVariableError):
        return _unassigned(name, text, exc)
    if isinstance(exc, PathSyntaxError):
        return StatesRuntimeError(RUNTIME, f"{_prefix(name)} Invalid path '{text}': {exc}")
    return StatesRuntimeError(
        RUNTIME,
        f"{_prefix(name)} Invalid path '{text}' : No results for path: {exc.path.normalized()}",
        hint=hint,
    )


def _input_path(state: Mapping[str, Any], name: str, raw_input: Any, env: DataEnv) -> Any:
    return _field_path(state, "InputPath", name, raw_input, env)


def _template(
    template: Any, name: str, data: Any, context: Mapping[str, Any] | None, env: DataEnv
) -> Any:
    """A payload template (Parameters, ResultSelector, ItemSelector) resolved against data.
    `context` is the context object `$$` reads; None: the env's (made only if read)."""
    if isinstance(template, dict):
        out: dict[str, Any] = {}
        for step, out_key, arg, key, value in _steps_of(template):
            if step is _READ or step is _READ_CONTEXT:
                # A definite path into the input (or the context object), walked here as
                # read_path walks it: what it does not find, _dynamic reads again, to fail
                # with Step Functions' error.
                if step is _READ_CONTEXT and context is None:
                    context = env.context
                node = data if step is _READ else context
                for seg in arg:
                    if type(seg) is str:
                        if isinstance(node, dict) and seg in node:
                            node = node[seg]
                            continue
                    elif isinstance(node, list) and -len(node) <= seg < len(node):
                        node = node[seg]
                        continue
                    node = _dynamic(value, key, name, data, context, env)
                    break
                out[out_key] = node
            elif step is _DYNAMIC_VALUE:
                out[out_key] = _dynamic(value, key, name, data, context, env)
            elif step is _NESTED:
                out[out_key] = _template(value, name, data, context, env)
            else:
                out[out_key] = value
        return out
    if isinstance(template, list):
        return [_template(v, name, data, context, env) for v in template]
    return template


# How each entry of a payload template is resolved (see _steps_of).
_READ, _READ_CONTEXT, _DYNAMIC_VALUE, _NESTED, _CONSTANT = (
    "read",
    "read context",
    "dynamic",
    "nested",
    "constant",
)
_Step = tuple[str, Any, tuple[str | int, ...], Any, Any]
# A template's entries, worked out once per template. Keyed by the template's id, with the
# template kept in the entry (so that the id names it for as long as it is cached); a
# definition is not changed once loaded. A Map's ItemSelector and its iterations'
# Parameters are resolved for every item: telling `.$` keys from constants, and paths from
# calls, once per template spares that per item. Emptied when full.
_STEPS: dict[int, tuple[Any, tuple[_Step, ...]]] = {}
_STEPS_MAX = 4096


def _steps_of(template: dict[Any, Any]) -> tuple[_Step, ...]:
    """(step, output key, path, key, value) per entry of `template`, the step one of
    _READ (a definite path into the input: its names and indexes), _READ_CONTEXT (one
    into the context object), _DYNAMIC_VALUE (any other `.$` value: a call, a variable,
    a path to many nodes, or none that parses), _NESTED (a template inside this one) or
    _CONSTANT (a value taken as it is)."""
    if not template:
        return ()  # nothing to work out (and an empty `{}` made per call is not kept)
    cached = _STEPS.get(id(template))
    if cached is not None and cached[0] is template:
        return cached[1]
    steps: list[_Step] = []
    for key, value in template.items():
        if isinstance(key, str) and key.endswith(".$"):
            path = _definite_path(value)
            if path is None:
                steps.append((_DYNAMIC_VALUE, key[:-2], (), key, value))
            else:
                keys = tuple(s.name if isinstance(s, Name) else s.index for s in path.segments)
                step = _READ_CONTEXT if path.context else _READ
                steps.append((step, key[:-2], keys, key, value))
        elif isinstance(value, dict | list):
            steps.append((_NESTED, key, (), key, value))
        else:
            steps.append((_CONSTANT, key, (), key, value))
    if len(_STEPS) >= _STEPS_MAX:
        _STEPS.clear()
    _STEPS[id(template)] = (template, tuple(steps))
    return _STEPS[id(template)][1]


def _definite_path(value: Any) -> JsonPath | None:
    """The `.$` value as a definite path into the input or the context object, or None
    (a call, a variable, a path to many nodes, or no path at all: _dynamic resolves it)."""
    if not isinstance(value, str) or looks_like_call(value):
        return None
    try:
        path = parse_path(value)
    except PathSyntaxError:
        return None
    return path if path.definite and path.variable is None else None


def _dynamic(
    value: Any,
    key: str,
    name: str,
    data: Any,
    context: Mapping[str, Any] | None,
    env: DataEnv,
) -> Any:
    if not isinstance(value, str):
        raise StatesRuntimeError(
            RUNTIME, f"{_prefix(name)} The value for the field '{key}' must be a STRING"
        )
    try:
        parsed = _DYNAMIC.get(value) or _parse_dynamic(value)
        if isinstance(parsed, JsonPath):
            if parsed.context and context is None:
                context = env.context
            return read_path(parsed, source_of(parsed, data, context, env.variables))
        lazy = env.context_of if context is None else context
        return evaluate(parsed, IntrinsicEnv(data, lazy, env.uuid, env.random, env.variables))
    except UnknownVariableError as exc:
        raise _unassigned(name, f"{key}: {value}", exc) from None
    except (PathSyntaxError, IntrinsicSyntaxError) as exc:
        error = "States.IntrinsicFailure" if looks_like_call(value) else RUNTIME
        raise StatesRuntimeError(
            error, f"{_prefix(name)} The value for the field '{key}' is not valid: {exc}"
        ) from None
    except PathNotFoundError as exc:
        if context is None:
            context = env.context
        document = source_of(exc.path, data, context, env.variables)
        raise _missing(name, value, key, document) from None
    except ArgPathMissing as exc:
        raise _missing(name, exc.path.text, key, exc.document) from None
    except StatesRuntimeError as exc:
        raise StatesRuntimeError(exc.error, f"{_prefix(name)} {exc.cause}") from None


# `.$` values parsed, by their text: a path or an intrinsic call. A Map's ItemSelector and
# its iterations' Parameters resolve the same values for every item; this spares telling
# paths from calls, and parsing them, each time. Emptied when full.
_DYNAMIC: dict[str, JsonPath | Call] = {}
_DYNAMIC_MAX = 4096


def _parse_dynamic(value: str) -> JsonPath | Call:
    parsed: JsonPath | Call = parse_call(value) if looks_like_call(value) else parse_path(value)
    if len(_DYNAMIC) >= _DYNAMIC_MAX:
        _DYNAMIC.clear()
    _DYNAMIC[value] = parsed
    return parsed


def _unassigned(name: str, where: str, exc: UnknownVariableError) -> StatesRuntimeError:
    """The States.Runtime error of a reference to a variable no state has assigned yet."""
    variable = f"${exc.path.variable}"
    return StatesRuntimeError(
        RUNTIME,
        f"{_prefix(name)} The variable '{variable}' referenced by '{where}' has not been assigned",
        hint=f"assign {variable} (an Assign field) in a state that runs before this one, "
        "in this flow or an outer one",
    )


def _missing(name: str, path: str, key: str, document: Any) -> StatesRuntimeError:
    return StatesRuntimeError(
        RUNTIME,
        f"{_prefix(name)} The JSONPath '{path}' specified for the field '{key}' could not be "
        f"found in the input '{compact_json(document)}'",
        hint=f"add the key to the input, or read it with a path that exists ({key} {path})",
    )


def state_input(state: Mapping[str, Any], name: str, raw_input: Any, env: DataEnv) -> Any:
    """The effective input of a Task, Pass, Parallel or Map state (InputPath, then Parameters
    with `.$` keys resolved against the input, `$$.` against the context, intrinsic functions
    evaluated). Choice, Wait, Succeed and Fail apply InputPath only. `name` is the state's name
    (for AWS's error causes). A Map's Parameters is its legacy ItemSelector: it shapes each
    item (map_item_input), not the Map's own input."""
    data = _input_path(state, name, raw_input, env)
    if state.get("Type") in _PARAMETER_TYPES and "Parameters" in state:
        data = _template(state["Parameters"], name, data, None, env)
    return data


# A Fail state's ErrorPath and CausePath: a reference path into the state's input, or one
# of the intrinsic functions that return a string ("Fail workflow state").
FAIL_PATH_INTRINSICS = (
    "States.Format",
    "States.JsonToString",
    "States.ArrayGetItem",
    "States.Base64Encode",
    "States.Base64Decode",
    "States.Hash",
    "States.UUID",
)


def fail_fields(
    state: Mapping[str, Any], name: str, raw_input: Any, env: DataEnv
) -> tuple[Any, Any]:
    """A Fail state's error and cause: its Error and Cause, or what its ErrorPath and
    CausePath give from its input. "When resolved, the reference path must select a field
    that contains a string value": anything else is States.Runtime."""
    out: list[Any] = []
    for field, path_field in (("Error", "ErrorPath"), ("Cause", "CausePath")):
        if path_field not in state:
            out.append(state.get(field))
            continue
        text = state[path_field]
        value = _dynamic(text, path_field, name, raw_input, None, env)
        if not isinstance(value, str):
            raise StatesRuntimeError(
                RUNTIME,
                f"{_prefix(name)} The {path_field} '{text}' must select a string, not "
                f"{_describe(value)}",
                hint=f"point {path_field} at a string field, or build one with States.Format",
            )
        out.append(value)
    return out[0], out[1]


def _result_path(path_text: Any, raw_input: Any, result: Any) -> Any:
    """ResultPath (a state's or a Catcher's) placing `result` into a copy of `raw_input`."""
    if path_text is None:
        return raw_input
    if path_text == "$":
        return result  # the default, and the commonest: the result is the output
    try:
        path = parse_reference_path(path_text)
        if path.variable is not None:
            raise PathSyntaxError("ResultPath writes into the input, not a variable")
        return write_path(path, raw_input, result)
    except (PathSyntaxError, PathWriteError):
        raise StatesRuntimeError(
            RESULT_PATH_FAILURE,
            f"Unable to apply ReferencePath {path_text} to input {compact_json(raw_input)}",
            hint=f"ResultPath {path_text} must lead through objects of the input",
        ) from None


def state_output(
    state: Mapping[str, Any], name: str, raw_input: Any, result: Any, env: DataEnv
) -> Any:
    """The state's output: ResultSelector (Task, Map, Parallel), ResultPath (default `$`,
    null keeps the input and discards the result, a path merges into a copy of the raw input,
    creating objects as AWS does), then OutputPath. For Pass, `result` is the state's Result
    or, without one, its effective input (the caller passes it). Choice, Wait and Succeed
    have no result: their output is OutputPath applied to their effective input."""
    kind = state.get("Type")
    if kind in _RESULT_PATH_TYPES:
        if kind in _RESULT_SELECTOR_TYPES and "ResultSelector" in state:
            result = _template(state["ResultSelector"], name, result, None, env)
        output = _result_path(state.get("ResultPath", "$"), raw_input, result)
    else:
        output = _input_path(state, name, raw_input, env)
    return _field_path(state, "OutputPath", name, output, env)


# --- workflow variables ----------------------------------------------------------------

# "The following state types support Assign to declare and assign values to variables:
# Pass, Task, Map, Parallel, Choice, Wait" (developer guide, "Passing data between states
# with variables"); a Catcher and a top-level Choice rule take it too.
ASSIGN_TYPES = ("Pass", "Task", "Map", "Parallel", "Choice", "Wait")
# "Step Functions defines a single reserved variable called $states".
RESERVED_VARIABLE = "states"
# "The maximum length of a variable name is 80" (Unicode identifier rules).
MAX_VARIABLE_NAME = 80


def variable_name(key: str) -> str:
    """The variable an Assign key names: the key without its `.$` suffix."""
    return key[:-2] if key.endswith(".$") else key


def assign_values(assign: Mapping[str, Any], name: str, data: Any, env: DataEnv) -> dict[str, Any]:
    """The values an Assign field gives its variables, not yet stored: literal values as
    they are, `.$` keys read (paths, `$name` variables, intrinsic functions) from `data` (the
    state's result, or its input for Choice and Wait; the error output in a Catcher) and
    from the variables as they were before the state, so every assignment of one Assign
    sees the same values ("in parallel"). `name` is the state's (for AWS's causes)."""
    values: dict[str, Any] = {}
    for key, value in assign.items():
        if key.endswith(".$"):
            values[key[:-2]] = _dynamic(value, key, name, data, None, env)
        elif isinstance(value, dict | list):
            values[key] = _template(value, name, data, None, env)
        else:
            values[key] = value
    return values


def catch_output(
    catcher: Mapping[str, Any],
    name: str,
    raw_input: Any,
    error_output: dict[str, str],
    env: DataEnv,
) -> Any:
    """A Catcher's ResultPath applied to the error output `{"Error": ..., "Cause": ...}`."""
    return _result_path(catcher.get("ResultPath", "$"), raw_input, error_output)


# --- timestamps -------------------------------------------------------------------------

# RFC 3339 with the guide's restrictions: an uppercase T between date and time, an
# uppercase Z (or a numeric offset) for the zone.
_TIMESTAMP = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})\Z"
)


def parse_timestamp_ms(text: Any) -> int | None:
    """Epoch milliseconds of a Step Functions timestamp, or None when it is not one."""
    if not isinstance(text, str) or not _TIMESTAMP.match(text):
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    delta = moment - datetime.fromisoformat("1970-01-01T00:00:00+00:00")
    return delta.days * 86_400_000 + delta.seconds * 1000 + delta.microseconds // 1000


# --- Choice -----------------------------------------------------------------------------

_TYPES = {"String": "a string", "Numeric": "a number", "Boolean": "a boolean",
          "Timestamp": "a timestamp"}  # fmt: skip
_COMPARATORS = ("Equals", "LessThan", "GreaterThan", "LessThanEquals", "GreaterThanEquals")
_WORDS = {
    "Equals": "",
    "LessThan": "less than ",
    "GreaterThan": "greater than ",
    "LessThanEquals": "at most ",
    "GreaterThanEquals": "at least ",
}
VALUE_OPERATORS: dict[str, tuple[str, str]] = {
    f"{kind}{cmp}": (kind, cmp)
    for kind in ("String", "Numeric", "Timestamp")
    for cmp in _COMPARATORS
}
VALUE_OPERATORS["BooleanEquals"] = ("Boolean", "Equals")
PATH_OPERATORS = {f"{op}Path": spec for op, spec in VALUE_OPERATORS.items()}
TEST_OPERATORS = ("IsNull", "IsPresent", "IsNumeric", "IsString", "IsBoolean", "IsTimestamp")
ALL_OPERATORS = (*VALUE_OPERATORS, *PATH_OPERATORS, *TEST_OPERATORS, "StringMatches")
_BOOLEAN_OPERATORS = ("And", "Or", "Not")


def _describe(value: Any) -> str:
    text = compact_json(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _of_kind(kind: str, value: Any) -> bool:
    if kind == "String":
        return isinstance(value, str)
    if kind == "Numeric":
        return is_number(value)
    if kind == "Boolean":
        return isinstance(value, bool)
    return parse_timestamp_ms(value) is not None


def _java_order(a: str, b: str) -> int:
    # Java's String.compareTo compares UTF-16 code units, not code points.
    ua, ub = a.encode("utf-16-be"), b.encode("utf-16-be")
    return (ua > ub) - (ua < ub)


def _compare(kind: str, cmp: str, actual: Any, expected: Any) -> bool:
    if kind == "String":
        order = _java_order(actual, expected)
    elif kind == "Timestamp":
        a, e = parse_timestamp_ms(actual), parse_timestamp_ms(expected)
        assert a is not None and e is not None
        order = (a > e) - (a < e)
    elif kind == "Numeric":
        order = (actual > expected) - (actual < expected)
    else:
        order = 0 if actual is expected else 1
    return {
        "Equals": order == 0,
        "LessThan": order < 0,
        "GreaterThan": order > 0,
        "LessThanEquals": order <= 0,
        "GreaterThanEquals": order >= 0,
    }[cmp]


def string_matches(value: str, pattern: str) -> bool:
    """StringMatches: `*` matches any run of characters; `\\*` is a literal star and `\\\\` a
    literal backslash; no other character is special."""
    tokens: list[str | None] = []  # None is a wildcard
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern) and pattern[i + 1] in "*\\":
            tokens.append(pattern[i + 1])
            i += 2
        else:
            tokens.append(None if ch == "*" else ch)
            i += 1
    # Iterative glob matching (back to the last star on a mismatch): no regex, so a pattern
    # with many stars cannot take exponential time on a long value.
    t = v = 0
    star, mark = -1, 0
    while v < len(value):
        if t < len(tokens) and tokens[t] is not None and tokens[t] == value[v]:
            t += 1
            v += 1
        elif t < len(tokens) and tokens[t] is None:
            star, mark = t, v
            t += 1
        elif star >= 0:
            t = star + 1
            mark += 1
            v = mark
        else:
            return False
    while t < len(tokens) and tokens[t] is None:
        t += 1
    return t == len(tokens)


def _operator_of(rule: Mapping[str, Any]) -> list[str]:
    return [k for k in rule if k in ALL_OPERATORS or k in _BOOLEAN_OPERATORS]


def _invalid_choice_path(name: str, path: str) -> StatesRuntimeError:
    return StatesRuntimeError(
        RUNTIME,
        f"{_prefix(name)} Invalid path '{path}': The choice state's condition path "
        "references an invalid value.",
        hint=f"{path} is missing (IsPresent would be false); guard the rule with "
        f'{{"Variable": "{path}", "IsPresent": true}} in an And, or add the key to the input',
    )


def _evaluate(rule: Any, name: str, data: Any, env: DataEnv) -> tuple[bool, str]:
    """Whether a (possibly nested) rule holds, and why, in words."""
    if not isinstance(rule, Mapping):
        raise StatesRuntimeError(RUNTIME, f"{_prefix(name)} A choice rule must be an object")
    if "And" in rule or "Or" in rule:
        op = "And" if "And" in rule else "Or"
        if not isinstance(rule[op], list) or not rule[op]:
            raise StatesRuntimeError(
                RUNTIME, f"{_prefix(name)} The value of {op} must be a non-empty array of rules"
            )
        seen: list[str] = []
        for i, inner in enumerate(rule[op], 1):
            holds, why = _evaluate(inner, name, data, env)
            if op == "And" and not holds:
                return False, f"And: rule {i} of {len(rule[op])} fails: {why}"
            if op == "Or" and holds:
                return True, f"Or: rule {i} of {len(rule[op])} holds: {why}"
            seen.append(f"[{i}] {why}")
        if op == "And":
            return True, f"And: all {len(rule[op])} rules hold: " + "; ".join(seen)
        return False, f"Or: none of {len(rule[op])} rules holds: " + "; ".join(seen)
    if "Not" in rule:
        holds, why = _evaluate(rule["Not"], name, data, env)
        return not holds, f"Not: the inner rule {'holds' if holds else 'fails'}: {why}"
    variable = rule.get("Variable", "")
    ops = [k for k in rule if k in ALL_OPERATORS]
    if not ops:
        raise StatesRuntimeError(RUNTIME, f"{_prefix(name)} A choice rule has no comparison")
    op = ops[0]
    expected = rule[op]
    try:
        present, actual = True, _read(variable, data, env)
    except UnknownVariableError as exc:
        raise _unassigned(name, f"Variable: {variable}", exc) from None
    except PathNotFoundError:
        present, actual = False, None
    except PathSyntaxError:
        raise _invalid_choice_path(name, variable) from None
    if op == "IsPresent":
        holds = present == expected
        state = "present" if present else "missing"
        return holds, f"{variable} is {state}; IsPresent wants {_describe(expected)}"
    if not present:
        raise _invalid_choice_path(name, variable)
    shown = f"{variable} is {_describe(actual)}"
    if op in TEST_OPERATORS:
        test = {
            "IsNull": actual is None,
            "IsNumeric": is_number(actual),
            "IsString": isinstance(actual, str),
            "IsBoolean": isinstance(actual, bool),
            "IsTimestamp": parse_timestamp_ms(actual) is not None,
        }[op]
        return test == expected, f"{shown}; {op} is {_describe(test)}, wants {_describe(expected)}"
    if op == "StringMatches":
        if not isinstance(actual, str):
            return False, f"{shown}, not a string; StringMatches wants a string"
        holds = string_matches(actual, expected)
        verb = "matches" if holds else "does not match"
        return holds, f"{shown}; it {verb} StringMatches {_describe(expected)}"
    if op in PATH_OPERATORS:
        kind, cmp = PATH_OPERATORS[op]
        try:
            expected = _read(expected, data, env)
        except UnknownVariableError as exc:
            raise _unassigned(name, f"{op}: {rule[op]}", exc) from None
        except (PathNotFoundError, PathSyntaxError):
            raise _invalid_choice_path(name, rule[op]) from None
        wanted = f"{_WORDS[cmp]}{rule[op]} ({_describe(expected)})"
    else:
        kind, cmp = VALUE_OPERATORS[op]
        wanted = f"{_WORDS[cmp]}{_describe(expected)}"
    if not _of_kind(kind, actual):
        return False, f"{shown}, not {_TYPES[kind]}; {op} wants {_TYPES[kind]}"
    if not _of_kind(kind, expected):
        return False, f"{shown}; {op} compares with {_describe(expected)}, not {_TYPES[kind]}"
    holds = _compare(kind, cmp, actual, expected)
    return holds, f"{shown}; {op} wants {wanted}" + (" (holds)" if holds else "")


def choose(
    state: Mapping[str, Any], name: str, raw_input: Any, env: DataEnv
) -> tuple[str, list[RuleVerdict]]:
    """A Choice state's next state, and the verdicts of the rules it evaluated (in order,
    stopping at the first match). Falls back to Default; without one raises
    StatesRuntimeError("States.NoChoiceMatched", AWS's cause)."""
    data = _input_path(state, name, raw_input, env)
    verdicts: list[RuleVerdict] = []
    for index, rule in enumerate(state.get("Choices") or []):
        matched, reason = _evaluate(rule, name, data, env)
        verdicts.append(RuleVerdict(index, matched, reason, str(rule.get("Next", ""))))
        if matched:
            return str(rule.get("Next", "")), verdicts
    return choice_default(state, name, "no rule matched"), verdicts


def choice_default(state: Mapping[str, Any], name: str, why: str) -> str:
    """The Choice's Default, taken when no rule matched (`why` says so in the hint); without
    one, StatesRuntimeError("States.NoChoiceMatched", AWS's cause)."""
    if "Default" in state:
        return str(state["Default"])
    raise StatesRuntimeError(
        NO_CHOICE,
        f"{_prefix(name)} Failed to transition out of the state. The state does not point to "
        "a next state.",
        hint=f"{why} and the Choice has no Default; add a Default state",
    )


# --- Wait and Map ---------------------------------------------------------------------


# "You must specify time as an integer value from 0 to 99999999" (Wait workflow state).
MAX_WAIT_SECONDS = 99_999_999


def _wait_seconds_ok(value: Any) -> bool:
    return is_number(value) and 0 <= value <= MAX_WAIT_SECONDS and int(value) == value


def wait_until_ms(
    state: Mapping[str, Any],
    name: str,
    raw_input: Any,
    now_ms: int,
    env: DataEnv | None = None,
) -> int:
    """When a Wait state ends (Seconds, SecondsPath, Timestamp, TimestampPath), as epoch ms.
    A timestamp counts to the second (AWS truncates its milliseconds); one in the past ends
    the wait at once. `env` gives the workflow variables its paths may name."""
    # The Wait API has no context object: a `$$` path reads an empty one.
    env = None if env is None else env.with_context({})
    data = _field_path(state, "InputPath", name, raw_input, env)
    if "Seconds" in state or "SecondsPath" in state:
        field = "Seconds" if "Seconds" in state else "SecondsPath"
        seconds = (
            state["Seconds"] if field == "Seconds" else _wait_read(state, field, name, data, env)
        )
        if not _wait_seconds_ok(seconds):
            raise StatesRuntimeError(
                RUNTIME,
                f"{_prefix(name)} The {field} field must be an integer from 0 to "
                f"{MAX_WAIT_SECONDS}, not {_describe(seconds)}",
            )
        return now_ms + int(seconds) * 1000
    if "Timestamp" in state or "TimestampPath" in state:
        field = "Timestamp" if "Timestamp" in state else "TimestampPath"
        given = field == "Timestamp"
        text = state["Timestamp"] if given else _wait_read(state, field, name, data, env)
        moment = parse_timestamp_ms(text)
        if moment is None:
            raise StatesRuntimeError(
                RUNTIME,
                f"{_prefix(name)} The {field} field must be an RFC3339 timestamp such as "
                f"2016-08-18T17:33:00Z, not {_describe(text)}",
            )
        return max(now_ms, moment - moment % 1000)
    raise StatesRuntimeError(
        RUNTIME,
        f"{_prefix(name)} A Wait state needs Seconds, SecondsPath, Timestamp or TimestampPath",
    )


def _wait_read(
    state: Mapping[str, Any], field: str, name: str, data: Any, env: DataEnv | None
) -> Any:
    text = state[field]
    try:
        # Wait has no context object: a `$$` path reads an empty one.
        path = parse_reference_path(text)
        variables = env.variables if env is not None else None
        return read_path(path, source_of(path, data, {}, variables))
    except (PathSyntaxError, PathNotFoundError) as exc:
        raise _invalid_path(name, text, exc) from None


def map_items(state: Mapping[str, Any], name: str, data: Any, env: DataEnv) -> list[Any]:
    """A Map state's items: ItemsPath (default `$`) on its effective input `data` (InputPath
    already applied: applied again, a Map with `InputPath: $.batch` looked for
    `$.batch.batch`); not an array -> StatesRuntimeError as AWS raises it."""
    items = _field_path(state, "ItemsPath", name, data, env) if "ItemsPath" in state else data
    if not isinstance(items, list):
        raise StatesRuntimeError(
            RUNTIME,
            f"{_prefix(name)} Invalid path '{state.get('ItemsPath', '$')}': The Map state's "
            f"ItemsPath must point to a JSON array, not {_describe(items)}",
            hint="point ItemsPath at the array to iterate over",
        )
    return items


def map_item_input(
    state: Mapping[str, Any], name: str, effective_input: Any, item: Any, index: int, env: DataEnv
) -> Any:
    """One Map iteration's input: ItemSelector (or the legacy Parameters) with
    `$$.Map.Item.Value` / `$$.Map.Item.Index`; without either, the item itself."""
    selector_field = "ItemSelector" if "ItemSelector" in state else "Parameters"
    if selector_field not in state:
        return item
    context = {**env.context, "Map": {"Item": {"Index": index, "Value": item}}}
    return _template(state[selector_field], name, effective_input, context, env)


# --- static checks ----------------------------------------------------------------------

Problem = tuple[tuple[str | int, ...], str]


def _check_path(
    value: Any, where: tuple[str | int, ...], reference: bool, context: bool
) -> Iterator[Problem]:
    """A path field: JSONPath (or a reference path); `context` says whether `$$` (and a
    `$name` variable) may start it: only ResultPath, which writes, takes neither."""
    field = str(where[-1])
    kind = "ReferencePath" if reference else "JSONPath"
    if not isinstance(value, str):
        yield where, f"The value for the field '{field}' must be a valid {kind}"
        return
    try:
        path = parse_reference_path(value) if reference else parse_path(value)
    except PathSyntaxError as exc:
        yield where, f"The value for the field '{field}' must be a valid {kind}: {exc}"
        return
    if path.context and not context:
        yield where, f"The value for the field '{field}' must be a path into the input, not $$"
    elif path.variable is not None and not context:
        yield (
            where,
            f"The value for the field '{field}' must be a path into the input, not the "
            f"variable ${path.variable}",
        )


def _check_template(template: Any, where: tuple[str | int, ...]) -> Iterator[Problem]:
    if isinstance(template, dict):
        for key, value in template.items():
            here = (*where, key)
            if isinstance(key, str) and key.endswith(".$"):
                yield from _check_dynamic(value, here, key)
            else:
                yield from _check_template(value, here)
    elif isinstance(template, list):
        for i, value in enumerate(template):
            yield from _check_template(value, (*where, i))


def _check_dynamic(value: Any, where: tuple[str | int, ...], key: str) -> Iterator[Problem]:
    message = (
        f"The value for the field '{key}' must be a valid JSONPath or a valid intrinsic "
        "function call"
    )
    if not isinstance(value, str):
        yield where, message
    elif looks_like_call(value):
        try:
            call = parse_call(value)
        except IntrinsicSyntaxError as exc:
            yield where, f"{message}: {exc}"
            return
        if call_depth(call) > MAX_NESTING:
            yield where, f"{message}: intrinsic functions nest at most {MAX_NESTING} deep"
    else:
        try:
            parse_path(value)
        except PathSyntaxError as exc:
            yield where, f"{message}: {exc}"


def _check_assign(assign: Any, where: tuple[str | int, ...]) -> Iterator[Problem]:
    """An Assign field: an object whose keys name variables (Unicode identifiers of at most
    80 characters, not the reserved `states`, each once), its `.$` values paths or
    intrinsic functions, its other values JSON (templates with `.$` keys at any depth)."""
    if not isinstance(assign, dict):
        yield where, "The value for the field 'Assign' must be a JSON object"
        return
    seen: set[str] = set()
    for key, value in assign.items():
        here = (*where, key)
        variable = variable_name(key)
        problem = valid_variable_name(variable)
        if problem is not None:
            yield here, problem
        elif variable in seen:
            yield here, f"The variable {variable!r} is assigned twice in one Assign"
        seen.add(variable)
        if key.endswith(".$"):
            yield from _check_dynamic(value, here, key)
        else:
            yield from _check_template(value, here)


def valid_variable_name(variable: str) -> str | None:
    """Why `variable` cannot name a workflow variable (not a Unicode identifier of at most
    80 characters, or the reserved `states`), or None."""
    if not variable.isidentifier() or len(variable) > MAX_VARIABLE_NAME:
        return (
            f"The variable name {variable!r} is not valid: a variable name is a Unicode "
            f"identifier (a letter or _, then letters, digits or _) of at most "
            f"{MAX_VARIABLE_NAME} characters"
        )
    if variable == RESERVED_VARIABLE:
        return "The variable name 'states' is reserved ($states)"
    return None


def _check_rule(rule: Any, where: tuple[str | int, ...], top: bool) -> Iterator[Problem]:
    if not isinstance(rule, dict):
        yield where, "A choice rule must be an object"
        return
    if "Assign" in rule:
        if top:
            yield from _check_assign(rule["Assign"], (*where, "Assign"))
        else:
            yield (
                (*where, "Assign"),
                "Assign is allowed only in a top-level choice rule, not inside And, Or or Not",
            )
    if top and not isinstance(rule.get("Next"), str):
        yield where, "A top-level choice rule needs a Next field naming a state"
    if not top and "Next" in rule:
        yield (
            (*where, "Next"),
            "Next is allowed only in a top-level choice rule, not inside And, Or or Not",
        )
    ops = _operator_of(rule)
    if len(ops) != 1:
        found = ", ".join(ops) if ops else "none"
        yield where, f"A choice rule must have exactly one comparison operator (found: {found})"
        return
    op = ops[0]
    here = (*where, op)
    if op in ("And", "Or"):
        if not isinstance(rule[op], list) or not rule[op]:
            yield here, f"The value of {op} must be a non-empty array of choice rules"
            return
        for i, inner in enumerate(rule[op]):
            yield from _check_rule(inner, (*here, i), False)
        return
    if op == "Not":
        yield from _check_rule(rule[op], here, False)
        return
    if "Variable" not in rule:
        yield where, f"A choice rule with {op} needs a Variable"
    else:
        yield from _check_path(rule["Variable"], (*where, "Variable"), True, True)
    value = rule[op]
    if op in PATH_OPERATORS:
        yield from _check_path(value, here, True, True)
    elif op in TEST_OPERATORS:
        if not isinstance(value, bool):
            yield here, f"The value of {op} must be true or false"
    elif op == "StringMatches":
        if not isinstance(value, str):
            yield here, "The value of StringMatches must be a string"
    else:
        kind, _cmp = VALUE_OPERATORS[op]
        if not _of_kind(kind, value):
            extra = " (RFC3339 with uppercase T and Z, e.g. 2016-08-18T17:33:00Z)"
            yield (
                here,
                f"The value of {op} must be {_TYPES[kind]}"
                + (extra if kind == "Timestamp" else ""),
            )


def check_state(state: Mapping[str, Any]) -> list[tuple[tuple[str | int, ...], str]]:
    """Static problems in one state's data-flow fields, each with its data path inside the
    state (so validate can give file:line:col) and AWS's own message where one is known:
    invalid reference paths (InputPath, OutputPath, ResultPath, Choice Variable, *Path
    operands, SecondsPath, TimestampPath, ItemsPath, a Task's TimeoutSecondsPath and
    HeartbeatSecondsPath, a Map's MaxConcurrencyPath, each also given literally: refused), a
    `.$` value that is neither a path nor
    an intrinsic call, unknown intrinsic functions or wrong argument counts, malformed Choice
    rules (no or two comparison operators, a top-level rule without Next, a nested rule with
    Next, a bad timestamp literal), a Wait with none or more than one of Seconds/Timestamp/
    SecondsPath/TimestampPath."""
    problems: list[Problem] = []
    for field in ("InputPath", "OutputPath"):
        if state.get(field) is not None:
            problems.extend(_check_path(state[field], (field,), False, True))
    if state.get("ResultPath") is not None:
        problems.extend(_check_path(state["ResultPath"], ("ResultPath",), True, False))
    for field in ("Parameters", "ResultSelector", "ItemSelector"):
        if field in state:
            problems.extend(_check_template(state[field], (field,)))
    if "Assign" in state:
        problems.extend(_check_assign(state["Assign"], ("Assign",)))
    for i, catcher in enumerate(state.get("Catch") or []):
        if isinstance(catcher, dict) and catcher.get("ResultPath") is not None:
            where = ("Catch", i, "ResultPath")
            problems.extend(_check_path(catcher["ResultPath"], where, True, False))
        if isinstance(catcher, dict) and "Assign" in catcher:
            problems.extend(_check_assign(catcher["Assign"], ("Catch", i, "Assign")))
    kind = state.get("Type")
    if kind == "Choice":
        choices = state.get("Choices")
        if not isinstance(choices, list) or not choices:
            problems.append((("Choices",), "A Choice state needs a non-empty Choices array"))
        else:
            for i, rule in enumerate(choices):
                problems.extend(_check_rule(rule, ("Choices", i), True))
    elif kind == "Wait":
        problems.extend(_check_wait(state))
    elif kind == "Fail":
        problems.extend(_check_fail_paths(state))
    elif kind == "Map" and "ItemsPath" in state:
        problems.extend(_check_path(state["ItemsPath"], ("ItemsPath",), True, True))
    settings = {"Task": ("TimeoutSeconds", "HeartbeatSeconds"), "Map": ("MaxConcurrency",)}
    for key in settings.get(str(kind), ()):
        if key + "Path" not in state:
            continue
        if key in state:
            problems.append(((key,), f"A {kind} state may have '{key}' or '{key}Path', not both"))
        problems.extend(_check_path(state[key + "Path"], (key + "Path",), True, True))
    return problems


def _check_fail_paths(state: Mapping[str, Any]) -> Iterator[Problem]:
    for field in ("ErrorPath", "CausePath"):
        if field not in state:
            continue
        value = state[field]
        if isinstance(value, str) and looks_like_call(value):
            try:
                call = parse_call(value)
            except IntrinsicSyntaxError as exc:
                yield (field,), f"The value for the field '{field}' is not valid: {exc}"
                continue
            if call.name not in FAIL_PATH_INTRINSICS:
                yield (
                    (field,),
                    f"The value for the field '{field}' may call only an intrinsic function "
                    f"that returns a string ({', '.join(FAIL_PATH_INTRINSICS)}), not "
                    f"{call.name}",
                )
        else:
            yield from _check_path(value, (field,), True, True)


def _check_wait(state: Mapping[str, Any]) -> Iterator[Problem]:
    given = [f for f in ("Seconds", "Timestamp", "SecondsPath", "TimestampPath") if f in state]
    if len(given) != 1:
        yield (
            (),
            (
                "A Wait state must have exactly one of Seconds, Timestamp, SecondsPath or "
                f"TimestampPath (found: {', '.join(given) or 'none'})"
            ),
        )
    for field in given:
        value = state[field]
        if field == "Seconds" and not _wait_seconds_ok(value):
            yield (
                (field,),
                (
                    "The value for the field 'Seconds' must be an integer from 0 to "
                    f"{MAX_WAIT_SECONDS}"
                ),
            )
        elif field == "Timestamp" and parse_timestamp_ms(value) is None:
            yield (
                (field,),
                (
                    "The value for the field 'Timestamp' must be an RFC3339 timestamp with an "
                    "uppercase T and Z, such as 2016-08-18T17:33:00Z"
                ),
            )
        elif field.endswith("Path"):
            yield from _check_path(value, (field,), True, True)


# --- variables a state assigns and reads (for the scope checks of stptui.sim.asl) --------

# A state's fields that hold nested machines (their variables belong to an inner scope).
_NESTED_MACHINES = ("Branches", "ItemProcessor", "Iterator")
# Fields whose objects are templates: only their `.$` keys hold paths.
_TEMPLATES = ("Parameters", "ResultSelector", "ItemSelector", "Assign", "BatchInput")


def assigned_names(state: Mapping[str, Any]) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """Every variable a state assigns, with the data path of its Assign key: its own
    Assign, its Catchers' and its top-level Choice rules'."""
    fields: list[tuple[tuple[str | int, ...], Any]] = [(("Assign",), state.get("Assign"))]
    for key in ("Catch", "Choices"):
        entries = state.get(key)
        for i, entry in enumerate(entries if isinstance(entries, list) else []):
            if isinstance(entry, dict):
                fields.append(((key, i, "Assign"), entry.get("Assign")))
    for where, assign in fields:
        if isinstance(assign, dict):
            for key in assign:
                if isinstance(key, str):
                    yield (*where, key), variable_name(key)


def variable_refs(state: Mapping[str, Any]) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """Every `$name` variable a state's fields read (paths, `.$` values, intrinsic function
    arguments), with the data path of the field; nested machines are left out."""
    for key, value in state.items():
        if key not in _NESTED_MACHINES:
            yield from _refs(value, (key,), key in _TEMPLATES)


def _refs(
    value: Any, where: tuple[str | int, ...], template: bool
) -> Iterator[tuple[tuple[str | int, ...], str]]:
    key = where[-1]
    if isinstance(value, str) and isinstance(key, str):
        # A `.$` value anywhere; outside templates also a `...Path` field or a Choice Variable
        # (ResultPath writes, so it never reads a variable).
        is_path = key.endswith(".$") or (
            not template and (key == "Variable" or key.endswith("Path")) and key != "ResultPath"
        )
        if is_path:
            for name in _path_variables(value):
                yield where, name
    elif isinstance(value, dict):
        for inner, item in value.items():
            inside = template or inner in _TEMPLATES
            yield from _refs(item, (*where, inner), inside)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _refs(item, (*where, i), template)


def _path_variables(text: str) -> Iterator[str]:
    try:
        parsed: JsonPath | Call = parse_call(text) if looks_like_call(text) else parse_path(text)
    except (PathSyntaxError, IntrinsicSyntaxError):
        return  # reported by check_state
    todo: list[Any] = [parsed]
    while todo:
        item = todo.pop()
        if isinstance(item, JsonPath):
            if item.variable is not None:
                yield item.variable
        elif isinstance(item, Call):
            todo.extend(arg.path if isinstance(arg, PathArg) else arg for arg in item.args)
