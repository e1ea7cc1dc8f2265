"""Step Functions data flow of JSONata states (`QueryLanguage: JSONata`), pure.

What a JSONata state reads and writes: `Arguments` (a Task's request, a Parallel's branch
input), `Output` (default: the result of a Task, Parallel or Map, else the input), `Assign`,
a Catcher's `Output` and `Assign` (`$states.errorOutput`), Choice rules' `Condition`, a
Wait's `Seconds`/`Timestamp`, a Fail's `Error`/`Cause`, a Map's `Items` and `ItemSelector`,
and the numeric fields that take an expression (`TimeoutSeconds`, `MaxConcurrency` ...).
Every `{% %}` string is evaluated by stptui.sim.asl_jsonata with `$states` bound to the
state's input, its context object (`DataEnv.context`, the one a JSONPath `$$` reads) and,
where Step Functions makes them readable, its result or error output. Failures are
StatesRuntimeError("States.QueryEvaluationError", ...) naming the state and the field.

`check_state` is what Step Functions refuses when the definition is created: a syntax
error in an expression, `$states.result` or `$states.errorOutput` read where they are not
available, Choice rules and Wait fields of the wrong shape. Rules and their sources:
docs/fidelity.md, "Step Functions: JSONata states".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from stptui.sim import asl_jsonata
from stptui.sim.asl_data import (
    MAX_WAIT_SECONDS,
    DataEnv,
    RuleVerdict,
    StatesRuntimeError,
    choice_default,
    parse_timestamp_ms,
    valid_variable_name,
)
from stptui.sim.asl_jsonpath import compact_json

QUERY_EVALUATION_ERROR = asl_jsonata.QUERY_EVALUATION_ERROR
# "For Task, Parallel, and Map states: $states.result refers to the API or sub-workflow's
# raw result if successful" (developer guide, "Transforming data with JSONata").
RESULT_TYPES = ("Task", "Parallel", "Map")
# States whose Arguments shape a request: a Task's for its API, a Parallel's for its branches.
ARGUMENT_TYPES = ("Task", "Parallel")
# The fields of a state that Step Functions evaluates (strings in them that are `{% %}`),
# and where `$states.result` may be read: the Output and Assign of a state with a result.
_EVALUATED = (
    "Arguments",
    "Output",
    "Assign",
    "Items",
    "ItemSelector",
    "Error",
    "Cause",
    "Seconds",
    "Timestamp",
    "TimeoutSeconds",
    "HeartbeatSeconds",
    "MaxConcurrency",
    "ToleratedFailureCount",
    "ToleratedFailurePercentage",
    "ItemReader",
    "ItemBatcher",
    "ResultWriter",
)
_READS_RESULT = ("Output", "Assign")
# The fields of a JSONata Choice rule that hold expressions.
_RULE_FIELDS = ("Condition", "Assign", "Output")
# A `$states.result` / `$states.errorOutput` reference (a longer name is another field).
_RESULT_REF = re.compile(r"\$states\s*\.\s*result(?![\w$])")
_ERROR_OUTPUT_REF = re.compile(r"\$states\s*\.\s*errorOutput(?![\w$])")
_NONE = object()

Path = tuple[str | int, ...]
Problem = tuple[Path, str]


class QueryEvaluationFailure(StatesRuntimeError):
    """A JSONata evaluation that failed: the error names `location`, the field inside the
    state (the history's EvaluationFailed event has it)."""

    def __init__(self, cause: str, location: str, *, hint: str = "") -> None:
        super().__init__(QUERY_EVALUATION_ERROR, cause, hint=hint)
        self.location = location


def _prefix(name: str) -> str:
    # AWS adds "(entered at the event id #N)"; the simulator's states have no event ids.
    return f"An error occurred while executing the state '{name}'."


def _states(raw: Any, env: DataEnv, result: Any, error_output: Any) -> dict[str, Any]:
    """The `$states` of one evaluation: the input and context always, the result or the
    error output where the field can read them."""
    states: dict[str, Any] = {"input": raw, "context": env.context}
    if result is not _NONE:
        states["result"] = result
    if error_output is not _NONE:
        states["errorOutput"] = error_output
    return states


def has_expression(value: Any) -> bool:
    """Whether a `{% %}` string sits anywhere in `value`."""
    if isinstance(value, str):
        return asl_jsonata.is_expression(value)
    if isinstance(value, dict):
        return any(has_expression(v) for v in value.values())
    if isinstance(value, list):
        return any(has_expression(v) for v in value)
    return False


def _copy(value: Any) -> Any:
    # A field without expressions is a constant of the definition: its value is a copy, so
    # that nothing downstream can change the definition through it.
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def evaluate(
    value: Any,
    field: str,
    name: str,
    raw: Any,
    env: DataEnv,
    *,
    result: Any = _NONE,
    error_output: Any = _NONE,
) -> Any:
    """`value` (a field of state `name`) with its expressions evaluated against the state's
    input `raw`, its context and variables and, when given, its result or error output."""
    if not has_expression(value):
        return _copy(value)
    try:
        return asl_jsonata.evaluate(
            value,
            states=_states(raw, env, result, error_output),
            variables=env.variables or {},
            now_ms=getattr(env, "now_ms", 0),
            draw=env.uuid,
            field=field,
        )
    except asl_jsonata.JsonataError as exc:
        raise QueryEvaluationFailure(f"{_prefix(name)} {exc.cause}", field) from None


def _wrong(name: str, field: str, value: Any, wanted: str) -> QueryEvaluationFailure:
    text = compact_json(value)
    shown = text if len(text) <= 80 else text[:77] + "..."
    return QueryEvaluationFailure(
        f"{_prefix(name)} The value of the field '{field}' must be {wanted}, not {shown}",
        field,
        hint=f"make the expression of {field} give {wanted}",
    )


# -- Arguments, Output, Assign --------------------------------------------------------------


def arguments(state: Mapping[str, Any], name: str, raw: Any, env: DataEnv) -> Any:
    """A Task's request or a Parallel's branch input: its Arguments evaluated, or, without
    them, the state's input."""
    if "Arguments" not in state:
        return raw
    return evaluate(state["Arguments"], "Arguments", name, raw, env)


def output(state: Mapping[str, Any], name: str, raw: Any, result: Any, env: DataEnv) -> Any:
    """The state's output: its Output evaluated, or its default: the result of a Task,
    Parallel or Map, the input of the others. `result` is _NONE for a state without one."""
    readable = result if state.get("Type") in RESULT_TYPES else _NONE
    if "Output" not in state:
        return raw if readable is _NONE else readable
    return evaluate(state["Output"], "Output", name, raw, env, result=readable)


def assign(
    owner: Mapping[str, Any],
    name: str,
    raw: Any,
    env: DataEnv,
    *,
    result: Any = _NONE,
    error_output: Any = _NONE,
    field: str = "Assign",
) -> dict[str, Any] | None:
    """The values `owner`'s Assign (a state's, a Choice rule's or a Catcher's) gives, read
    with the variables as they were before the state, as JSONPath Assign does; None without
    one."""
    fields = owner.get("Assign")
    if not fields:
        return None
    values = evaluate(fields, field, name, raw, env, result=result, error_output=error_output)
    return values if isinstance(values, dict) else None


def result_of(state: Mapping[str, Any], result: Any) -> Any:
    """What `$states.result` is in a state's Output and Assign: the result of a Task,
    Parallel or Map; nothing for the other states."""
    return result if state.get("Type") in RESULT_TYPES else _NONE


def catch_output(
    catcher: Mapping[str, Any], name: str, raw: Any, error_output: Any, env: DataEnv
) -> Any:
    """A Catcher's Output (with `$states.errorOutput`), by default the error output."""
    if "Output" not in catcher:
        return error_output
    return evaluate(catcher["Output"], "Catch/Output", name, raw, env, error_output=error_output)


def catch_assign(
    catcher: Mapping[str, Any], name: str, raw: Any, error_output: Any, env: DataEnv
) -> dict[str, Any] | None:
    """A Catcher's Assign, which reads `$states.errorOutput`."""
    return assign(catcher, name, raw, env, error_output=error_output, field="Catch/Assign")


# -- numbers and times --------------------------------------------------------------------


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def setting(
    fields: Mapping[str, Any],
    key: str,
    name: str,
    raw: Any,
    env: DataEnv,
    ok: Callable[[Any], bool],
    wanted: str,
) -> Any:
    """A numeric field given literally or as an expression (`TimeoutSeconds`,
    `MaxConcurrency`, `ToleratedFailureCount` ...): its value, or None when absent. An
    expression whose value `ok` refuses fails with States.QueryEvaluationError."""
    if key not in fields:
        return None
    value = fields[key]
    if not asl_jsonata.is_expression(value):
        return value
    value = evaluate(value, key, name, raw, env)
    if not ok(value):
        raise _wrong(name, key, value, wanted)
    return value


def positive(value: Any) -> bool:
    """A positive integer (TimeoutSeconds, HeartbeatSeconds)."""
    return _is_int(value) and value >= 1


def non_negative(value: Any) -> bool:
    """A non-negative integer (MaxConcurrency, ToleratedFailureCount)."""
    return _is_int(value) and value >= 0


def task_limits(
    state: Mapping[str, Any], name: str, raw: Any, env: DataEnv
) -> dict[str, int | None]:
    """A Task's TimeoutSeconds and HeartbeatSeconds, evaluated for this attempt."""
    what = "a positive integer"
    return {
        key: setting(state, key, name, raw, env, positive, what)
        for key in ("TimeoutSeconds", "HeartbeatSeconds")
    }


def wait_until_ms(state: Mapping[str, Any], name: str, raw: Any, now_ms: int, env: DataEnv) -> int:
    """When a JSONata Wait ends: `Seconds` (an integer from 0 to 99999999) or `Timestamp`
    (RFC 3339, counted to the second), each literal or an expression."""
    if "Seconds" in state:
        seconds = evaluate(state["Seconds"], "Seconds", name, raw, env)
        if not (_is_int(seconds) and 0 <= seconds <= MAX_WAIT_SECONDS):
            raise _wrong(name, "Seconds", seconds, f"an integer from 0 to {MAX_WAIT_SECONDS}")
        return now_ms + seconds * 1000
    text = evaluate(state.get("Timestamp"), "Timestamp", name, raw, env)
    moment = parse_timestamp_ms(text)
    if moment is None:
        raise _wrong(name, "Timestamp", text, "an RFC3339 timestamp such as 2016-08-18T17:33:00Z")
    return max(now_ms, moment - moment % 1000)


def fail_fields(state: Mapping[str, Any], name: str, raw: Any, env: DataEnv) -> tuple[Any, Any]:
    """A Fail state's Error and Cause, literal or evaluated; an expression must give a
    string."""
    out: list[Any] = []
    for key in ("Error", "Cause"):
        value = state.get(key)
        if asl_jsonata.is_expression(value):
            value = evaluate(value, key, name, raw, env)
            if not isinstance(value, str):
                raise _wrong(name, key, value, "a string")
        out.append(value)
    return out[0], out[1]


# -- Choice ---------------------------------------------------------------------------------


def choose(
    state: Mapping[str, Any], name: str, raw: Any, env: DataEnv
) -> tuple[str, list[RuleVerdict]]:
    """A JSONata Choice's next state and the verdicts of the rules it evaluated, in order,
    stopping at the first whose Condition is true. A Condition must give a boolean
    (States.QueryEvaluationError otherwise). No match and no Default: States.NoChoiceMatched."""
    verdicts: list[RuleVerdict] = []
    for index, rule in enumerate(state.get("Choices") or []):
        field = f"Choices/{index}/Condition"
        condition = rule.get("Condition")
        value = evaluate(condition, field, name, raw, env)
        if not isinstance(value, bool):
            raise _wrong(name, field, value, "a boolean (true or false)")
        text = condition[2:-2].strip() if asl_jsonata.is_expression(condition) else condition
        reason = f"Condition {compact_json(text)} is {compact_json(value)}"
        target = str(rule.get("Next", ""))
        verdicts.append(RuleVerdict(index, value, reason, target))
        if value:
            return target, verdicts
    return choice_default(state, name, "no Condition was true"), verdicts


# -- Map ------------------------------------------------------------------------------------


def map_items(state: Mapping[str, Any], name: str, raw: Any, env: DataEnv) -> list[Any]:
    """A Map's items: its Items (a JSON array, or an expression giving one), by default the
    state's input, which must then be an array."""
    if "Items" not in state:
        items = raw
        if not isinstance(items, list):
            raise _wrong(name, "Items", items, "a JSON array (the Map's input, without Items)")
        return items
    items = evaluate(state["Items"], "Items", name, raw, env)
    if not isinstance(items, list):
        raise _wrong(name, "Items", items, "a JSON array")
    return items


def map_item_input(
    state: Mapping[str, Any], name: str, raw: Any, item: Any, index: int, env: DataEnv
) -> Any:
    """One iteration's input: the ItemSelector evaluated with `$states.context.Map.Item`'s
    Index and Value (and `$states.input` the Map's input), or the item itself."""
    if "ItemSelector" not in state:
        return item
    context = {**env.context, "Map": {"Item": {"Index": index, "Value": item}}}
    return evaluate(state["ItemSelector"], "ItemSelector", name, raw, env.with_context(context))


# -- static checks --------------------------------------------------------------------------


def _expressions(value: Any, where: Path) -> Iterator[tuple[Path, str]]:
    """Every `{% %}` string inside a field's value, with its data path."""
    if isinstance(value, str):
        if asl_jsonata.is_expression(value):
            yield where, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _expressions(item, (*where, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _expressions(item, (*where, i))


def _expression_fields(state: Mapping[str, Any]) -> Iterator[tuple[Path, Any]]:
    """Every field of a JSONata state that Step Functions evaluates, with its data path: the
    state's own, its Catchers' Output and Assign, its Choice rules' Condition, Assign and
    Output."""
    for key in _EVALUATED:
        if key in state:
            yield (key,), state[key]
    for group, keys in (("Catch", ("Output", "Assign")), ("Choices", _RULE_FIELDS)):
        entries = state.get(group)
        for i, entry in enumerate(entries if isinstance(entries, list) else []):
            if isinstance(entry, dict):
                for key in keys:
                    if key in entry:
                        yield (group, i, key), entry[key]


def variable_refs(state: Mapping[str, Any]) -> Iterator[tuple[Path, str]]:
    """Every workflow variable a JSONata state's expressions read (`$name`, found in each
    expression's parse tree), with the data path of the string that reads it."""
    for where, value in _expression_fields(state):
        for path, text in _expressions(value, where):
            for name in sorted(asl_jsonata.variable_refs(text)):
                yield path, name


def _check_expressions(
    value: Any, where: Path, result: bool, error_output: bool
) -> Iterator[Problem]:
    for path, text in _expressions(value, where):
        problem = asl_jsonata.check(text)
        if problem is not None:
            yield path, problem
            continue
        body = text[2:-2]
        if not result and _RESULT_REF.search(body):
            yield (
                path,
                "$states.result is not available here: only the Output and Assign of a Task, "
                "Parallel or Map state read it (a Catcher reads $states.errorOutput)",
            )
        if not error_output and _ERROR_OUTPUT_REF.search(body):
            yield (
                path,
                "$states.errorOutput is not available here: only a Catcher's Output and "
                "Assign read it",
            )


def _strings(value: Any, where: Path) -> Iterator[tuple[Path, str]]:
    """Every string inside a field's value, with its data path."""
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, (*where, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _strings(item, (*where, i))


def literal_lookalikes(state: Mapping[str, Any]) -> list[Problem]:
    """Strings of a JSONata state's evaluated fields that Step Functions takes as literals
    but that look meant as expressions (`asl_jsonata.lookalike`): it accepts the definition,
    and the state then passes the text on as it is, so `validate` only warns. A Choice
    rule's Condition is left out: a string there that is no expression is refused anyway."""
    problems: list[Problem] = []
    for where, value in _expression_fields(state):
        if where[0] == "Choices" and where[-1] == "Condition":
            continue
        for path, text in _strings(value, where):
            why = asl_jsonata.lookalike(text)
            if why is not None:
                shown = compact_json(text if len(text) <= 60 else text[:57] + "...")
                problems.append(
                    (
                        path,
                        f"The string {shown} {why}: Step Functions evaluates a string only "
                        "when the whole of it is one {% ... %} expression, so this one is "
                        "passed on as literal text",
                    )
                )
    return problems


def refused_regexes(state: Mapping[str, Any]) -> list[Problem]:
    """The regular expressions in a JSONata state's expressions that the simulator will not
    run (they can backtrack for hours; asl_jsonata_regex): AWS accepts them, and an
    execution fails with States.QueryEvaluationError when one is used."""
    return [
        (path, f"{why}; executions fail with States.QueryEvaluationError when it is used")
        for where, value in _expression_fields(state)
        for path, text in _expressions(value, where)
        for why in asl_jsonata.refused_regexes(text)
    ]


def _check_assign_names(assign: Any, where: Path) -> Iterator[Problem]:
    if not isinstance(assign, dict):
        yield where, "The value for the field 'Assign' must be a JSON object"
        return
    for key in assign:
        problem = valid_variable_name(key)
        if problem is not None:
            yield (*where, key), problem


def check_state(state: Mapping[str, Any]) -> list[Problem]:
    """Static problems of one JSONata state, each with its data path inside the state: an
    expression that does not parse, `$states.result` read outside the Output and Assign of a
    Task, Parallel or Map, `$states.errorOutput` outside a Catcher's Output and Assign, a
    Choice rule without a Condition (or with JSONPath operators), a Wait without exactly one
    of Seconds and Timestamp, literal values of the wrong type, and bad variable names."""
    problems: list[Problem] = []
    kind = state.get("Type")
    has_result = kind in RESULT_TYPES
    for key in _EVALUATED:
        if key in state:
            readable = has_result and key in _READS_RESULT
            problems.extend(_check_expressions(state[key], (key,), readable, False))
    if "Assign" in state:
        problems.extend(_check_assign_names(state["Assign"], ("Assign",)))
    catchers = state.get("Catch")
    for i, catcher in enumerate(catchers if isinstance(catchers, list) else []):
        if not isinstance(catcher, dict):
            continue
        for key in ("Output", "Assign"):
            if key in catcher:
                problems.extend(_check_expressions(catcher[key], ("Catch", i, key), False, True))
        if "Assign" in catcher:
            problems.extend(_check_assign_names(catcher["Assign"], ("Catch", i, "Assign")))
    if kind == "Choice":
        problems.extend(_check_choices(state))
    elif kind == "Wait":
        problems.extend(_check_wait(state))
    return problems


def _check_choices(state: Mapping[str, Any]) -> Iterator[Problem]:
    choices = state.get("Choices")
    if not isinstance(choices, list) or not choices:
        yield ("Choices",), "A Choice state needs a non-empty Choices array"
        return
    for i, rule in enumerate(choices):
        where: Path = ("Choices", i)
        if not isinstance(rule, dict):
            yield where, "A choice rule must be an object"
            continue
        if "Condition" not in rule:
            others = [k for k in rule if k not in ("Next", "Assign", "Comment", "Output")]
            extra = f" (JSONPath rules such as {', '.join(others)} are not)" if others else ""
            yield (
                where,
                "A choice rule of a JSONata state needs a Condition: a JSONata expression "
                f"that gives true or false{extra}",
            )
        else:
            condition = rule["Condition"]
            if not isinstance(condition, bool) and not asl_jsonata.is_expression(condition):
                yield (
                    (*where, "Condition"),
                    "The value for the field 'Condition' must be a JSONata expression "
                    "({% ... %}) or a boolean",
                )
            yield from _check_expressions(condition, (*where, "Condition"), False, False)
        if not isinstance(rule.get("Next"), str):
            yield where, "A top-level choice rule needs a Next field naming a state"
        if "Assign" in rule:
            yield from _check_expressions(rule["Assign"], (*where, "Assign"), False, False)
            yield from _check_assign_names(rule["Assign"], (*where, "Assign"))
        if "Output" in rule:
            yield from _check_expressions(rule["Output"], (*where, "Output"), False, False)


def _check_wait(state: Mapping[str, Any]) -> Iterator[Problem]:
    given = [f for f in ("Seconds", "Timestamp") if f in state]
    if len(given) != 1:
        yield (
            (),
            "A JSONata Wait state must have exactly one of Seconds or Timestamp (found: "
            f"{', '.join(given) or 'none'})",
        )
    seconds = state.get("Seconds")
    if (
        "Seconds" in state
        and not asl_jsonata.is_expression(seconds)
        and not (_is_int(seconds) and 0 <= seconds <= MAX_WAIT_SECONDS)
    ):
        yield (
            ("Seconds",),
            "The value for the field 'Seconds' must be an integer from 0 to "
            f"{MAX_WAIT_SECONDS}, or a JSONata expression",
        )
    stamp = state.get("Timestamp")
    if (
        "Timestamp" in state
        and not asl_jsonata.is_expression(stamp)
        and parse_timestamp_ms(stamp) is None
    ):
        yield (
            ("Timestamp",),
            "The value for the field 'Timestamp' must be an RFC3339 timestamp with an "
            "uppercase T and Z, such as 2016-08-18T17:33:00Z, or a JSONata expression",
        )


__all__ = [
    "QUERY_EVALUATION_ERROR",
    "QueryEvaluationFailure",
    "arguments",
    "assign",
    "catch_assign",
    "catch_output",
    "check_state",
    "choose",
    "evaluate",
    "fail_fields",
    "literal_lookalikes",
    "map_item_input",
    "map_items",
    "output",
    "refused_regexes",
    "result_of",
    "setting",
    "task_limits",
    "variable_refs",
    "wait_until_ms",
]
