"""An example execution input for a state machine, read statically from its definition:
what the states reached with the execution's input unchanged read of it (a Choice's
`Variable`s, `InputPath`, `ItemsPath`, `Parameters`/`Arguments` values ending in `.$`, a
Wait's `TimestampPath`/`SecondsPath`, JSONata's `$states.input.x`), each given a value its
use takes (`BooleanEquals: true` -> true, `NumericGreaterThan: 100` -> 101, `IsPresent` ->
present, an items path -> a one-item list). The walk follows Pass, Wait and a Choice's first
rule (made to hold) to the first state whose output is no longer the input (a Task, unless
its ResultPath keeps the input). Deterministic, and it never raises: a definition it cannot
read gives `{}`. The start-execution dialog and Tab completion offer it, and an execution
that fails on a path its input lacks names one (`missing_input_hint`). `send QUEUE` is
offered what the machine's `sqs:sendMessage` Tasks send, where that is known without
running it (`sqs_messages`).
"""

from __future__ import annotations

import contextlib
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from stptui.jsontext import compact_json
from stptui.sim.asl_jsonpath import Index, JsonPath, Name, PathSyntaxError, parse_path

# Bounds on what the walk reads: states visited, nesting of Map and Parallel, an index a
# path may name (`$.items[3]` makes a list of four), and a path's depth.
MAX_STATES = 64
MAX_NESTING = 3
MAX_INDEX = 16
MAX_DEPTH = 16
# The values a field gets when its use says only that it is there, a string, a number, a
# timestamp (an ISO instant, as Step Functions' Timestamp comparisons and TimestampPath
# read one).
SOME_STRING = "example"
SOME_NUMBER = 1
SOME_INSTANT = "2024-01-01T00:00:00Z"
# A JSONPath reference inside an intrinsic function's arguments (`States.Format('{}',
# $.name)`), and JSONata's `$states.input.a.b` (with the literal it is compared to, if any).
_INTRINSIC_PATH = re.compile(r"(?<![\w$])\$(?:\.[A-Za-z_][\w-]*|\[\d+\])+")
_JSONATA_INPUT = re.compile(
    r"\$states\.input((?:\.[A-Za-z_]\w*)+)"
    r"(?:\s*(=|!=|>=|<=|>|<)\s*(-?\d+(?:\.\d+)?|'[^']*'|\"[^\"]*\"|true|false))?"
)
_INVALID_PATH = re.compile(r"Invalid path '([^']*)'")
# The forms of a Timestamp comparison's literal read (others get SOME_INSTANT).
_TIMESTAMP_FORMATS = ("%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M:%S.%fZ")


class _Example:
    """The input being built: values set at definite paths, the first one set winning."""

    def __init__(self) -> None:
        self.data: dict[str, Any] = {}
        # Prefixes (as segment tuples) a state's ResultPath wrote: a path under one reads a
        # result, not the execution's input.
        self.written: list[tuple[Name | Index, ...]] = []
        # The top-level states the walk reached: each one's input is the execution's.
        self.reached: list[str] = []

    def need(self, text: Any, value: Any, base: tuple[Name | Index, ...] = ()) -> None:
        """Ask for `value` at the path `text` (relative to `base`, an InputPath's)."""
        segments = _definite(text)
        if segments is None:
            return
        full = base + segments
        if not full or len(full) > MAX_DEPTH:
            return
        if any(full[: len(w)] == w for w in self.written):
            return
        _put(self.data, full, value)


def _definite(text: Any) -> tuple[Name | Index, ...] | None:
    """The segments of a `$.a[0].b` path of the input (None for a context, variable or
    indefinite path, or one that does not parse)."""
    if not isinstance(text, str) or not text.startswith("$"):
        return None
    try:
        path: JsonPath = parse_path(text)
    except (PathSyntaxError, RecursionError):
        return None
    if path.context or path.variable is not None or not path.definite:
        return None
    segments = tuple(s for s in path.segments if isinstance(s, Name | Index))
    if any(isinstance(s, Index) and not 0 <= s.index < MAX_INDEX for s in segments):
        return None
    return segments


def _put(data: Any, segments: tuple[Name | Index, ...], value: Any) -> None:
    """Set `value` at `segments` in `data`, making objects and lists on the way; a place
    already holding something else keeps it (the first use read wins)."""
    node = data
    for i, seg in enumerate(segments):
        last = i == len(segments) - 1
        nxt: Any = value if last else ([] if isinstance(segments[i + 1], Index) else {})
        if isinstance(seg, Name):
            if not isinstance(node, dict):
                return
            if seg.name not in node:
                node[seg.name] = nxt
            elif last:
                return
            node = node[seg.name]
        else:
            if not isinstance(node, list):
                return
            while len(node) <= seg.index:
                node.append(nxt if len(node) == seg.index else {})
            node = node[seg.index]


def example_input(definition: Any) -> dict[str, Any]:
    """An input the machine's first states read without a missing path (see the module's
    docstring); `{}` when they read nothing of it, or the definition is not one."""
    example = _Example()
    # A definition too odd to read on: what was gathered so far stands.
    with contextlib.suppress(RecursionError, ValueError, TypeError, OverflowError):
        _walk(definition, example, 0)
    return example.data


def example_input_text(definition: Any) -> str:
    """`example_input` as compact JSON, the way the dialog and Tab completion offer it."""
    return compact_json(example_input(definition))


def sqs_messages(definition: Any, uuid: str) -> list[tuple[str, Any, str]]:
    """(state name, its QueueUrl as written, the MessageBody text it sends) of each
    `sqs:sendMessage` Task of `definition` (Parallel branches' and Map processors' too)
    whose body is known without running the machine: a body that reads nothing (no `.$`
    key, no JSONata expression); or, for a JSONPath Task the walk reaches with the
    execution's input (`example_input`'s walk), the body its InputPath and Parameters make
    of that example input, `States.UUID()` giving `uuid`. A body that reads the context
    object (`$$`), a variable or a path the example lacks is left out, as is a QueueUrl
    worked out at run time. Never raises."""
    from stptui.sim.asl_integrations import SQS_SEND

    example = _Example()
    with contextlib.suppress(RecursionError, ValueError, TypeError, OverflowError):
        _walk(definition, example, 0)
    out: list[tuple[str, Any, str]] = []
    for name, state, jsonata, top in _task_states(definition, 0, False):
        if state.get("Resource") != SQS_SEND:
            continue
        reached = top and not jsonata and name in example.reached
        made = _sqs_message(name, state, jsonata, example.data if reached else None, uuid)
        if made is not None:
            out.append((name, *made))
    return out


def _task_states(
    definition: Any, depth: int, jsonata: bool
) -> list[tuple[str, dict[str, Any], bool, bool]]:
    """(name, state, whether it is JSONata, whether it is a top-level state) of every Task
    of `definition` and of the branches and processors in it, to MAX_NESTING deep."""
    if not isinstance(definition, dict) or depth > MAX_NESTING:
        return []
    states = definition.get("States")
    if not isinstance(states, dict):
        return []
    jsonata = jsonata or definition.get("QueryLanguage") == "JSONata"
    out: list[tuple[str, dict[str, Any], bool, bool]] = []
    for name, state in states.items():
        if not isinstance(state, dict):
            continue
        its = jsonata or state.get("QueryLanguage") == "JSONata"
        kind = state.get("Type")
        if kind == "Task" and isinstance(name, str):
            out.append((name, state, its, depth == 0))
        elif kind == "Parallel" and isinstance(state.get("Branches"), list):
            for branch in state["Branches"]:
                out += _task_states(branch, depth + 1, its)
        elif kind == "Map":
            processor = state.get("ItemProcessor") or state.get("Iterator")
            out += _task_states(processor, depth + 1, its)
    return out


def _sqs_message(
    name: str, state: dict[str, Any], jsonata: bool, data: Any, uuid: str
) -> tuple[Any, str] | None:
    """(QueueUrl, MessageBody text) of one `sqs:sendMessage` Task (see `sqs_messages`);
    `data`: the execution's example input when the Task is given it, else None."""
    from stptui.sim.asl_data import DataEnv, StatesRuntimeError, state_input
    from stptui.sim.asl_integrations import message_text

    params = state.get("Arguments" if jsonata else "Parameters")
    if not isinstance(params, dict) or "QueueUrl" not in params or _reads(params["QueueUrl"]):
        return None
    if "MessageBody" in params and not _reads(params["MessageBody"]):
        return params["QueueUrl"], message_text(params["MessageBody"])
    if data is None or ("MessageBody.$" not in params and "MessageBody" not in params):
        return None
    # No context object: a body that reads one (`$$.Execution.Id`) is not known here.
    env = DataEnv({}, lambda: uuid, lambda low, _high: low)
    try:
        made = state_input(state, name, data, env)
    except (StatesRuntimeError, RecursionError, ValueError, TypeError, LookupError):
        return None
    if not isinstance(made, dict) or "MessageBody" not in made:
        return None
    return params["QueueUrl"], message_text(made["MessageBody"])


def _reads(value: Any, depth: int = 0) -> bool:
    """Whether a Parameters or Arguments value reads anything when the state runs: a `.$`
    key (JSONPath), a `{% ... %}` expression (JSONata); too deep to tell counts as one."""
    if depth > MAX_DEPTH:
        return True
    if isinstance(value, str):
        return value.strip().startswith("{%")
    if isinstance(value, dict):
        return any(
            (isinstance(k, str) and k.endswith(".$")) or _reads(v, depth + 1)
            for k, v in value.items()
        )
    if isinstance(value, list):
        return any(_reads(v, depth + 1) for v in value)
    return False


def _walk(definition: Any, example: _Example, depth: int) -> None:
    if not isinstance(definition, dict) or depth > MAX_NESTING:
        return
    states = definition.get("States")
    if not isinstance(states, dict):
        return
    jsonata = definition.get("QueryLanguage") == "JSONata"
    name = definition.get("StartAt")
    seen: set[str] = set()
    while isinstance(name, str) and name not in seen and len(seen) < MAX_STATES:
        seen.add(name)
        state = states.get(name)
        if not isinstance(state, dict):
            return
        if depth == 0:
            example.reached.append(name)
        name = _state(state, example, depth, jsonata or state.get("QueryLanguage") == "JSONata")


def _state(state: dict[str, Any], example: _Example, depth: int, jsonata: bool) -> Any:
    """Gather what one state reads of the input; the next state's name when its output is
    still the input, else None."""
    kind = state.get("Type")
    if jsonata:
        _jsonata_reads(state, example)
        if kind == "Choice":
            first = _first_rule(state)
            return first.get("Next") if first is not None else state.get("Default")
        if kind == "Map":
            _need_list(example, (), state, depth)
        if kind in ("Pass", "Wait") and "Output" not in state:
            return state.get("Next")
        return None
    base = _definite(state.get("InputPath", "$"))
    if base is None:
        return None  # a null or indefinite InputPath: the state reads none of the input
    if "InputPath" in state:
        example.need(state["InputPath"], {})
    for field in ("Parameters", "ItemSelector"):
        _parameter_reads(state.get(field), example, base, 0)
    for field in ("TimeoutSecondsPath", "HeartbeatSecondsPath", "SecondsPath"):
        example.need(state.get(field), 60 if field != "SecondsPath" else 1, base)
    example.need(state.get("TimestampPath"), SOME_INSTANT, base)
    for field in ("ErrorPath", "CausePath"):
        example.need(state.get(field), SOME_STRING, base)
    if kind == "Choice":
        first = _first_rule(state)
        if first is None:
            return state.get("Default")
        _rule_reads(first, example, base, True, 0)
        return first.get("Next")
    if kind == "Map":
        _need_list(example, base, state, depth)
    elif kind == "Parallel":
        for branch in state.get("Branches") or ():
            _walk(branch, example, depth + 1)
    keeps = "OutputPath" not in state and "ResultSelector" not in state
    if kind in ("Pass", "Wait") and keeps:
        if kind == "Pass" and ("Parameters" in state or "Result" in state):
            return _kept(state, example)
        return state.get("Next")
    if kind in ("Task", "Map", "Parallel") and keeps:
        return _kept(state, example)
    return None


def _kept(state: dict[str, Any], example: _Example) -> Any:
    """The next state when the state's ResultPath keeps its input (null, or a field of it,
    which later paths under it read as the result's), else None."""
    if "ResultPath" not in state:
        return None
    result_path = state["ResultPath"]
    if result_path is None:
        return state.get("Next")
    segments = _definite(result_path)
    if not segments:
        return None
    example.written.append(segments)
    return state.get("Next")


def _first_rule(state: dict[str, Any]) -> dict[str, Any] | None:
    choices = state.get("Choices")
    if isinstance(choices, list) and choices and isinstance(choices[0], dict):
        return choices[0]
    return None


def _need_list(example: _Example, base: tuple[Name | Index, ...], state: dict, depth: int) -> None:
    """A Map's items: a one-item list, the item what its processor's first states read."""
    processor = state.get("ItemProcessor") or state.get("Iterator")
    item = _Example()
    if "ItemSelector" not in state and "Parameters" not in state:
        _walk(processor, item, depth + 1)
    if state.get("QueryLanguage") == "JSONata" or "Items" in state:
        return  # JSONata's Items is an expression: its reads were gathered as one
    if "ItemReader" in state:
        return  # a distributed Map reading S3: its items are not the input's
    example.need(state.get("ItemsPath", "$"), [item.data], base)


def _parameter_reads(value: Any, example: _Example, base: tuple, depth: int) -> None:
    """The input paths a Parameters-like template reads: values of `.$` keys, and paths in
    the intrinsic functions they call."""
    if depth > MAX_DEPTH:
        return
    if isinstance(value, list):
        for item in value:
            _parameter_reads(item, example, base, depth + 1)
        return
    if not isinstance(value, dict):
        return
    for key, inner in value.items():
        if isinstance(key, str) and key.endswith(".$") and isinstance(inner, str):
            if inner.startswith("States."):
                for path in _INTRINSIC_PATH.findall(inner):
                    example.need(path, SOME_STRING, base)
            else:
                example.need(inner, SOME_STRING, base)
        else:
            _parameter_reads(inner, example, base, depth + 1)


def _jsonata_reads(state: dict[str, Any], example: _Example) -> None:
    """JSONata's `$states.input.a.b` in any of the state's strings, with the literal it is
    compared to when it is (`> 100` -> 101); the first Choice rule's Condition first."""
    texts: list[str] = []
    first = _first_rule(state)
    if first is not None and isinstance(first.get("Condition"), str):
        texts.append(first["Condition"])
    for key in ("Arguments", "Items", "ItemSelector", "Seconds", "Timestamp", "Output"):
        _strings(state.get(key), texts, 0)
    for text in texts:
        for names, op, literal in _JSONATA_INPUT.findall(text):
            example.need("$" + names, _jsonata_value(op, literal))


def _strings(value: Any, out: list[str], depth: int) -> None:
    if depth > MAX_DEPTH:
        return
    if isinstance(value, str):
        out.append(value)
    elif isinstance(value, dict):
        for inner in value.values():
            _strings(inner, out, depth + 1)
    elif isinstance(value, list):
        for inner in value:
            _strings(inner, out, depth + 1)


def _jsonata_value(op: str, literal: str) -> Any:
    if not literal:
        return SOME_STRING
    if literal in ("true", "false"):
        value: Any = literal == "true"
        return value if op != "!=" else not value
    if literal[0] in "'\"":
        text = literal[1:-1]
        return text if op in ("=", ">=", "<=") else text + "x" if op in (">", "!=") else ""
    number = float(literal) if "." in literal else int(literal)
    return {">": number + 1, "<": number - 1, "!=": number + 1}.get(op, number)


def _rule_reads(rule: Any, example: _Example, base: tuple, holds: bool, depth: int) -> None:
    """Ask for the values that make a Choice rule hold (`holds`) or not."""
    if not isinstance(rule, dict) or depth > MAX_DEPTH:
        return
    if isinstance(rule.get("Not"), dict):
        _rule_reads(rule["Not"], example, base, not holds, depth + 1)
        return
    for combinator in ("And", "Or"):
        parts = rule.get(combinator)
        if isinstance(parts, list):
            # Every part made to hold (or not) holds an And and an Or alike (or fails both).
            # A comparison's value first: the first value asked for a field is kept, and a
            # type check (`IsNumeric`) takes the value a comparison gave it.
            for part in sorted(parts, key=_is_type_check):
                _rule_reads(part, example, base, holds, depth + 1)
            return
    variable = rule.get("Variable")
    for op, operand in rule.items():
        if op in ("Variable", "Next", "Comment"):
            continue
        if op.endswith("Path") and op != "Path":
            example.need(variable, _path_value(op, holds, True), base)
            example.need(operand, _path_value(op, holds, False), base)
        else:
            value = _comparison_value(op, operand, holds)
            if value is not _LEFT_OUT:
                example.need(variable, value, base)
        return


_LEFT_OUT = object()


def _is_type_check(rule: Any) -> bool:
    """Whether a rule only checks its field's presence or type (`IsPresent`, `IsString`)."""
    return isinstance(rule, dict) and any(str(k).startswith("Is") for k in rule)


def _comparison_value(op: str, operand: Any, holds: bool) -> Any:
    """A value for which `Variable op operand` is `holds` (a value of the operator's type
    when no better one is known)."""
    if op == "IsPresent":
        return SOME_STRING if bool(operand) == holds else _LEFT_OUT
    if op.startswith("Is"):
        typed = {
            "IsNull": None,
            "IsBoolean": True,
            "IsNumeric": SOME_NUMBER,
            "IsString": SOME_STRING,
            "IsTimestamp": SOME_INSTANT,
        }
        if op not in typed:
            return SOME_STRING
        if bool(operand) == holds:
            return typed[op]
        return SOME_NUMBER if op in ("IsString", "IsTimestamp", "IsNull") else SOME_STRING
    if op == "BooleanEquals":
        return bool(operand) == holds if isinstance(operand, bool) else holds
    if op.startswith("Numeric") and isinstance(operand, int | float):
        if not isinstance(operand, bool):
            return _ordered(op.removeprefix("Numeric"), operand, holds, 1)
        return SOME_NUMBER
    if op.startswith("String") and isinstance(operand, str):
        if op == "StringMatches":
            text = operand.replace("\\*", "\0").replace("*", "").replace("\0", "*")
            text = text.replace("\\\\", "\\")
            return text if holds else text + "\1"
        return _ordered(op.removeprefix("String"), operand, holds, "z")
    if op.startswith("Timestamp") and isinstance(operand, str):
        return _timestamp(op.removeprefix("Timestamp"), operand, holds)
    if op.startswith("Numeric"):
        return SOME_NUMBER
    if op.startswith("Timestamp"):
        return SOME_INSTANT
    return SOME_STRING


def _ordered(relation: str, operand: Any, holds: bool, step: Any) -> Any:
    """A value in `relation` to `operand` (or not): numbers step by 1, strings by a letter
    (the empty string is below any other)."""
    above = operand + step
    below = operand - step if not isinstance(operand, str) else ""
    pairs = {
        "Equals": (operand, above),
        "GreaterThan": (above, operand),
        "GreaterThanEquals": (operand, below),
        "LessThan": (below, operand),
        "LessThanEquals": (operand, above),
    }
    pair = pairs.get(relation)
    return operand if pair is None else pair[0 if holds else 1]


def _timestamp(relation: str, operand: str, holds: bool) -> str:
    moment = None
    for form in _TIMESTAMP_FORMATS:
        try:
            moment = datetime.strptime(operand, form).replace(tzinfo=UTC)
            break
        except ValueError:
            continue
    if moment is None:
        return SOME_INSTANT
    step = timedelta(days=1)
    try:
        above, below = moment + step, moment - step
    except OverflowError:
        return operand
    chosen = {
        "Equals": moment if holds else above,
        "GreaterThan": above if holds else moment,
        "GreaterThanEquals": moment if holds else below,
        "LessThan": below if holds else moment,
        "LessThanEquals": moment if holds else above,
    }.get(relation, moment)
    return chosen.strftime("%Y-%m-%dT%H:%M:%SZ")


def _path_value(op: str, holds: bool, variable: bool) -> Any:
    """Values for a `...Path` comparison of two input fields: the variable's side above
    the other's for GreaterThan, below for LessThan, the same for Equals."""
    kind = op.removesuffix("Path")
    if kind.startswith("Numeric"):
        low, high = 1, 2
    elif kind.startswith("Timestamp"):
        low, high = SOME_INSTANT, "2024-01-02T00:00:00Z"
    elif kind.startswith("Boolean"):
        return variable or holds
    else:
        low, high = "a", "b"
    relation = re.sub(r"^(Numeric|String|Timestamp)", "", kind)
    greater = relation.startswith("GreaterThan")
    less = relation.startswith("LessThan")
    if (greater and holds) or (less and not holds):
        return high if variable else low
    if (less and holds) or (greater and not holds):
        return low if variable else high
    return low if variable or holds else high


def missing_input_hint(definition: Any, execution_input: Any, cause: str) -> str:
    """For a States.Runtime cause naming a path (`Invalid path '$.x'`) that the execution's
    input lacks: a hint naming it and an input that has it (the example's fields added to
    the input given), or "" when the example cannot fill the path either."""
    found = _INVALID_PATH.search(cause or "")
    segments = _definite(found.group(1)) if found else None
    if not segments:
        return ""
    fuller = _merged(execution_input, example_input(definition))
    if not _has(fuller, segments) or _has(execution_input, segments):
        return ""
    return (
        f"the execution's input has no {found.group(1)}: start it with an input that has it, "
        f"e.g. {compact_json(fuller)}"
    )


def _merged(given: Any, example: Any) -> Any:
    """`given` with the example's fields it lacks added (a given value always stays)."""
    if not isinstance(given, dict) or not isinstance(example, dict):
        return given if given is not None or example is None else example
    out = dict(given)
    for key, value in example.items():
        out[key] = _merged(out[key], value) if key in out else value
    return out


def _has(data: Any, segments: tuple[Name | Index, ...]) -> bool:
    node = data
    for seg in segments:
        if isinstance(seg, Name) and isinstance(node, dict) and seg.name in node:
            node = node[seg.name]
        elif isinstance(seg, Index) and isinstance(node, list) and 0 <= seg.index < len(node):
            node = node[seg.index]
        else:
            return False
    return True
