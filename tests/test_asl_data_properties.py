"""Invariants of Step Functions data flow, checked on generated documents."""

from __future__ import annotations

import contextlib
import copy
import re
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from stptui.sim.asl_data import DataEnv, check_state, state_input, state_output, string_matches
from stptui.sim.asl_intrinsics import ARITY, IntrinsicSyntaxError, parse_call
from stptui.sim.asl_jsonpath import (
    PathSyntaxError,
    PathWriteError,
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
