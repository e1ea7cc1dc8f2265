"""JSONPath as Step Functions (Jayway JsonPath) reads it, and reference paths.

Sources: AWS Step Functions Developer Guide, "Using JSONPath paths" and "Reference paths"
(https://docs.aws.amazon.com/step-functions/latest/dg/amazon-states-language-paths.html):
paths use Jayway JsonPath; a reference path identifies a single node, "using only dot (.)
and square bracket ([ ]) notation", without "@ , : ?" or functions such as length().
"""

from __future__ import annotations

from typing import Any

import pytest

from stptui.sim.asl_jsonpath import (
    PathNotFoundError,
    PathSyntaxError,
    PathWriteError,
    parse_path,
    parse_reference_path,
    read_path,
    write_path,
)

# The guide's "Using JSONPath paths" input.
DOC: dict[str, Any] = {
    "foo": 123,
    "bar": ["a", "b", "c"],
    "car": {"cdr": True},
}
STORE: dict[str, Any] = {
    "store": {
        "book": [
            {"category": "reference", "author": "Nigel Rees", "price": 8.95},
            {"category": "fiction", "author": "Evelyn Waugh", "price": 12.99},
            {"category": "fiction", "author": "Herman Melville", "price": 8.99, "isbn": "0-553"},
        ],
        "bicycle": {"color": "red", "price": 19.95},
    }
}


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("$.foo", 123),
        ("$.bar", ["a", "b", "c"]),
        ("$.car.cdr", True),
        ("$['car']['cdr']", True),
        ('$["car"].cdr', True),
        ("$.bar[0]", "a"),
        ("$.bar[-1]", "c"),
        ("$", DOC),
    ],
)
def test_definite_paths_give_the_bare_value(path: str, value: Any) -> None:
    # The guide: "$.foo" => 123, "$.bar" => ["a", "b", "c"], "$.car.cdr" => true.
    assert read_path(parse_path(path), DOC) == value


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("$.bar[*]", ["a", "b", "c"]),
        ("$.bar[0,2]", ["a", "c"]),
        ("$.bar[1:]", ["b", "c"]),
        ("$.bar[:2]", ["a", "b"]),
        ("$.bar[-2:]", ["b", "c"]),
        ("$['foo','car']", [123, {"cdr": True}]),
        ("$.*", [123, ["a", "b", "c"], {"cdr": True}]),
        ("$.nothing[*]", []),
    ],
)
def test_indefinite_paths_give_a_list_of_matches(path: str, value: Any) -> None:
    assert read_path(parse_path(path), DOC) == value


def test_deep_scan_and_filters_as_jayway() -> None:
    assert read_path(parse_path("$..author"), STORE) == [
        "Nigel Rees",
        "Evelyn Waugh",
        "Herman Melville",
    ]
    assert read_path(parse_path("$.store..price"), STORE) == [8.95, 12.99, 8.99, 19.95]
    cheap = read_path(parse_path("$.store.book[?(@.price < 10)].author"), STORE)
    assert cheap == ["Nigel Rees", "Herman Melville"]
    with_isbn = read_path(parse_path("$..book[?(@.isbn)].author"), STORE)
    assert with_isbn == ["Herman Melville"]
    both = "$.store.book[?(@.category == 'fiction' && @.price > 10)].author"
    assert read_path(parse_path(both), STORE) == ["Evelyn Waugh"]
    either = '$.store.book[?(@.price > 12 || @.author == "Nigel Rees")].price'
    assert read_path(parse_path(either), STORE) == [8.95, 12.99]


def test_missing_definite_path_raises_with_jayways_normalized_path() -> None:
    with pytest.raises(PathNotFoundError) as info:
        read_path(parse_path("$.car.nope[0]"), DOC)
    assert str(info.value) == "No results for path: $['car']['nope'][0]"
    with pytest.raises(PathNotFoundError):
        read_path(parse_path("$.bar[3]"), DOC)
    with pytest.raises(PathNotFoundError):
        read_path(parse_path("$.foo.x"), DOC)


def test_context_paths_are_marked() -> None:
    path = parse_path("$$.Execution.Id")
    assert path.context
    assert read_path(path, {"Execution": {"Id": "e"}}) == "e"


@pytest.mark.parametrize(
    "text",
    ["foo", "$.", "$.a[", "$.a['b]", "$.a.length()", "$[?(x)]", "$.a b", "$.a[1:2:3]"],
)
def test_syntax_errors(text: str) -> None:
    with pytest.raises(PathSyntaxError):
        parse_path(text)


@pytest.mark.parametrize("text", ["$", "$.a", "$.a[0]", "$['a b'].c", "$$.Map.Item.Value"])
def test_reference_paths(text: str) -> None:
    assert parse_reference_path(text).definite


@pytest.mark.parametrize("text", ["$.a[*]", "$..a", "$.a[0,1]", "$.a[0:1]", "$.a[?(@.b)]", "$.*"])
def test_not_reference_paths(text: str) -> None:
    with pytest.raises(PathSyntaxError) as info:
        parse_reference_path(text)
    assert "not a reference path" in str(info.value)


def test_write_creates_objects_and_replaces_array_items() -> None:
    assert write_path(parse_path("$.a.b"), {}, 1) == {"a": {"b": 1}}
    assert write_path(parse_path("$.a[1]"), {"a": [0, 0]}, 9) == {"a": [0, 9]}
    assert write_path(parse_path("$"), {"x": 1}, [2]) == [2]
    for path, doc in (("$.a[2]", {"a": [0]}), ("$.a.b", {"a": 1}), ("$.a", "str"), ("$.a[0]", {})):
        with pytest.raises(PathWriteError):
            write_path(parse_path(path), doc, 1)
