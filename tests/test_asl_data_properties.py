"""Invariants of Step Functions data flow, checked on generated documents."""

from __future__ import annotations

import contextlib
import copy
import json
import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stptui.sim.asl_data import DataEnv, check_state, state_input, state_output, string_matches
from stptui.sim.asl_intrinsics import ARITY, IntrinsicSyntaxError, parse_call
from stptui.sim.asl_jsonpath import (
    PathNotFoundError,
    PathSyntaxError,
    PathWriteError,
    StatesRuntimeError,
    compact_json,
    json_bytes,
    json_text,
    parse_path,
    parse_reference_path,
    read_path,
    write_path,
)

ENV = DataEnv(context={}, uuid=lambda: "u", random=lambda a, b: a)

keys = st.text(alphabet="abcxyz_", min_size=1, max_size=6)
scalars = st.none() | st.booleans() | st.integers(-1000, 1000) | st.text(max_size=8)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4),
    max_leaves=12,
)
objects = st.dictionaries(keys, json_values, max_size=5)


@settings(max_examples=40, deadline=None)
@given(raw=objects, key=keys, result=json_values)
def test_result_path_then_reading_it_gives_the_result_and_keeps_other_keys(
    raw: dict[str, Any], key: str, result: Any
) -> None:
    state = {"Type": "Task", "ResultPath": f"$.{key}"}
    out = state_output(state, "T", raw, result, ENV)
    assert read_path(parse_path(f"$.{key}"), out) == result
    assert {k: v for k, v in out.items() if k != key} == {k: v for k, v in raw.items() if k != key}


@settings(max_examples=80, deadline=None)
@given(raw=objects, data=st.data(), result=json_values)
def test_a_result_path_write_leaves_the_input_as_it_was(
    raw: dict[str, Any], data: st.DataObject, result: Any
) -> None:
    # The output shares what the write does not touch with the input (no deep copy): the
    # input, which earlier states' records and the context object still hold, never changes.
    # The path leads into the input's own objects and arrays, then one step more.
    steps: list[str | int] = []
    node: Any = raw
    while isinstance(node, dict | list) and node and data.draw(st.booleans()):
        if isinstance(node, dict):
            step: str | int = data.draw(st.sampled_from(sorted(node)))
        else:
            step = data.draw(st.integers(0, len(node) - 1))
        steps.append(step)
        node = node[step]
    steps.append(data.draw(keys | st.integers(0, 3)))
    text = "$" + "".join(f"[{s}]" if isinstance(s, int) else f".{s}" for s in steps)
    before = copy.deepcopy(raw)
    try:
        out = write_path(parse_reference_path(text), raw, result)
    except PathWriteError:
        assert raw == before
        return
    assert raw == before
    assert read_path(parse_path(text), out) == result
    # Writing into an independent copy gives the same document.
    assert write_path(parse_reference_path(text), copy.deepcopy(raw), result) == out


@settings(max_examples=40, deadline=None)
@given(value=json_values)
def test_json_to_string_then_string_to_json_round_trips(value: Any) -> None:
    state = {
        "Type": "Pass",
        "Parameters": {"s.$": "States.JsonToString($.v)"},
    }
    text = state_input(state, "P", {"v": value}, ENV)["s"]
    back = state_input(
        {"Type": "Pass", "Parameters": {"v.$": "States.StringToJson($.s)"}}, "P", {"s": text}, ENV
    )
    assert back["v"] == value


@settings(max_examples=40, deadline=None)
@given(items=st.lists(json_values, max_size=20), size=st.integers(1, 7))
def test_array_partition_concatenated_is_the_input(items: list[Any], size: int) -> None:
    state = {"Type": "Pass", "Parameters": {"p.$": f"States.ArrayPartition($.a, {size})"}}
    chunks = state_input(state, "P", {"a": items}, ENV)["p"]
    assert [x for chunk in chunks for x in chunk] == items
    assert all(len(c) == size for c in chunks[:-1])
    assert all(0 < len(c) <= size for c in chunks)


@settings(max_examples=40, deadline=None)
@given(text=st.text(max_size=40))
def test_base64_round_trips(text: str) -> None:
    enc = state_input(
        {"Type": "Pass", "Parameters": {"e.$": "States.Base64Encode($.t)"}}, "P", {"t": text}, ENV
    )
    dec = state_input(
        {"Type": "Pass", "Parameters": {"d.$": "States.Base64Decode($.e)"}}, "P", enc, ENV
    )
    assert dec["d"] == text


@settings(max_examples=40, deadline=None)
@given(text=st.text(alphabet="ab*\\", max_size=10))
def test_string_matches_a_pattern_without_wildcards_is_equality(text: str) -> None:
    # Escaping every * and \ leaves no wildcard: the pattern matches only the text itself.
    pattern = re.sub(r"([*\\])", r"\\\1", text)
    assert string_matches(text, pattern)
    assert not string_matches(text + "x", pattern)


@settings(max_examples=60, deadline=None)
@given(raw=objects)
def test_input_path_dollar_and_absent_are_the_identity(raw: dict[str, Any]) -> None:
    assert state_input({"Type": "Task", "InputPath": "$"}, "T", raw, ENV) == raw
    assert state_output({"Type": "Task", "ResultPath": None}, "T", raw, 1, ENV) == raw


path_text = st.text(alphabet="$.[]'\"*?@()<=>!&|,:-0123456789abc \\", max_size=24)


@settings(max_examples=150, deadline=None)
@given(text=path_text)
def test_any_path_text_parses_or_is_a_syntax_error(text: str) -> None:
    try:
        path = parse_path(text)
    except PathSyntaxError:
        return
    if not path.definite:
        assert isinstance(read_path(path, {"a": [1, {"b": 2}], "c": "x"}), list)


call_text = st.sampled_from(sorted(ARITY)).flatmap(
    lambda name: st.text(alphabet="States.Array()'{}\\,$.a[0] 1e999-tn", max_size=30).map(
        lambda rest: f"{name}({rest}"
    )
)


@settings(max_examples=150, deadline=None)
@given(text=call_text)
def test_any_call_text_parses_or_is_a_syntax_error(text: str) -> None:
    with contextlib.suppress(IntrinsicSyntaxError):
        parse_call(text)


@settings(max_examples=60, deadline=None)
@given(
    state=st.dictionaries(
        st.sampled_from(
            ["Type", "InputPath", "ResultPath", "Choices", "Parameters", "Seconds", "ItemsPath"]
        ),
        json_values,
    )
)
def test_check_state_never_raises(state: dict[str, Any]) -> None:
    for kind in ("Choice", "Wait", "Map", "Task"):
        problems = check_state({**state, "Type": kind})
        assert all(isinstance(where, tuple) and isinstance(msg, str) for where, msg in problems)


# A definite path: names and indexes (negative ones too), into documents of any shape.
path_steps = st.lists(
    st.one_of(keys.map(lambda k: f".{k}"), st.integers(-3, 3).map(lambda i: f"[{i}]")),
    max_size=3,
)


@settings(max_examples=150, deadline=None)
@given(raw=json_values, steps=path_steps, context_path=st.booleans())
def test_a_definite_parameters_path_reads_what_read_path_reads_or_fails_naming_it(
    raw: Any, steps: list[str], context_path: bool
) -> None:
    # Parameters walk a definite path themselves (not through read_path); whatever read_path
    # finds they find, and where it finds nothing the state fails with States.Runtime.
    text = ("$$" if context_path else "$") + "".join(steps)
    env = DataEnv(context={"c": raw}, uuid=lambda: "u", random=lambda a, b: a)
    document = {"c": raw} if context_path else raw
    state = {"Type": "Pass", "Parameters": {"v.$": text, "k": 1}}
    try:
        expected = read_path(parse_path(text), document)
    except PathNotFoundError:
        with pytest.raises(StatesRuntimeError) as caught:
            state_input(state, "P", raw, env)
        assert caught.value.error == "States.Runtime"
        assert f"The JSONPath '{text}' specified for the field 'v.$'" in caught.value.cause
        return
    assert state_input(state, "P", raw, env) == {"v": expected, "k": 1}


def test_templates_made_one_after_another_are_each_resolved_by_their_own_keys() -> None:
    # What a template resolves to is worked out once per template: a template made after
    # another was dropped (Python may place it where the first was) is its own.
    for i in range(50):
        template = {f"k{i}.$": f"$.a{i % 3}", "n": i}
        state = {"Type": "Pass", "Parameters": template}
        assert state_input(state, "P", {"a0": 0, "a1": 1, "a2": 2}, ENV) == {
            f"k{i}": i % 3,
            "n": i,
        }
        del template, state


@settings(max_examples=100, deadline=None)
@given(value=json_values | st.text())
def test_json_text_and_json_bytes_are_json_dumps_and_its_utf8_length(value: Any) -> None:
    text = json.dumps(value, ensure_ascii=False)
    assert json_text(value) == text
    assert json_bytes(value) == len(text.encode("utf-8", "surrogatepass"))
    assert compact_json(value) == json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def test_json_text_refuses_what_json_dumps_refuses_and_then_encodes_as_before() -> None:
    # The one encoder remembers the objects it is inside of (a circular one is refused):
    # after a value it cannot encode, it has forgotten them, so that the same list, fixed,
    # is not mistaken for a circular one.
    items: list[Any] = [1, {"a": {2}}]
    with pytest.raises(TypeError, match="set is not JSON serializable"):
        json_text(items)
    items[1] = {"a": "é\ud800"}
    assert json_text(items) == '[1, {"a": "é\ud800"}]'
    assert json_bytes(items) == len('[1, {"a": "é\ud800"}]'.encode("utf-8", "surrogatepass"))
    loop: list[Any] = []
    loop.append(loop)
    with pytest.raises(ValueError, match="Circular reference"):
        json_text(loop)
    assert json_text([[], {}]) == "[[], {}]"
