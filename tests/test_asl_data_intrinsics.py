"""Intrinsic functions, with the worked examples of the AWS developer guide.

Source of every expected value unless a comment says otherwise: AWS Step Functions
Developer Guide, "Intrinsic functions for JSONPath states in Step Functions"
(https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html).
"""

from __future__ import annotations

from typing import Any

import pytest

from stptui.sim.asl_data import DataEnv, StatesRuntimeError, check_state, state_input

ENV = DataEnv(
    context={"Execution": {"Id": "arn:exec"}},
    uuid=lambda: "ca4c1140-dcc1-40cd-ad05-7b4aa23df4a8",
    random=lambda start, end: start + 1,
)


def run(expr: str, data: Any) -> Any:
    """The value of one `.$` field of a Pass state's Parameters."""
    state = {"Type": "Pass", "Parameters": {"out.$": expr}}
    assert check_state(state) == []
    return state_input(state, "P", data, ENV)["out"]


def failure(expr: str, data: Any) -> StatesRuntimeError:
    with pytest.raises(StatesRuntimeError) as info:
        state_input({"Type": "Pass", "Parameters": {"out.$": expr}}, "P", data, ENV)
    return info.value


def test_format_with_literal_and_path_templates() -> None:
    data = {"name": "Arnav", "template": "Hello, my name is {}."}
    assert run("States.Format('Hello, my name is {}.', $.name)", data) == "Hello, my name is Arnav."
    assert run("States.Format($.template, $.name)", data) == "Hello, my name is Arnav."


def test_format_renders_numbers_booleans_and_null_naturally() -> None:
    # The ASL spec's example: "Your name is Foo, we are in the year 2020".
    out = run(
        "States.Format('Your name is {}, we are in the year {}', $.name, 2020)", {"name": "Foo"}
    )
    assert out == "Your name is Foo, we are in the year 2020"
    assert run("States.Format('{} {} {}', true, null, 1.5)", {}) == "true null 1.5"


def test_format_escapes_are_literal_characters_not_placeholders() -> None:
    # "Reserved characters in intrinsic functions": \' \{ \} and \\ .
    assert run(r"States.Format('it\'s \{\} {} \\', $.x)", {"x": "ok"}) == "it's {} ok \\"


def test_format_refuses_an_object_value_and_a_wrong_count() -> None:
    err = failure("States.Format('{}', $.o)", {"o": {"a": 1}})
    assert err.error == "States.IntrinsicFailure"
    assert "array or object" in err.cause
    problems = check_state({"Type": "Pass", "Parameters": {"x.$": "States.Format('{} {}', $.a)"}})
    assert problems and "2 '{}' but 1" in problems[0][1]


def test_string_to_json_and_json_to_string() -> None:
    assert run("States.StringToJson($.s)", {"s": '{"foo": "bar"}'}) == {"foo": "bar"}
    # The ASL spec's example output: compact JSON text.
    out = run("States.JsonToString($.someJson)", {"someJson": {"name": "Foo", "year": 2020}})
    assert out == '{"name":"Foo","year":2020}'
    assert failure("States.StringToJson($.s)", {"s": "{nope"}).error == "States.IntrinsicFailure"


def test_array_functions() -> None:
    assert run("States.Array($.Id)", {"Id": 123456}) == [123456]
    assert run("States.Array('Foo', 2020, $.j, null)", {"j": {"r": "a"}}) == [
        "Foo",
        2020,
        {"r": "a"},
        None,
    ]
    arr = {"inputArray": [1, 2, 3, 4, 5, 6, 7, 8, 9], "lookingFor": 5, "index": 5}
    assert run("States.ArrayPartition($.inputArray,4)", arr) == [[1, 2, 3, 4], [5, 6, 7, 8], [9]]
    assert run("States.ArrayContains($.inputArray, $.lookingFor)", arr) is True
    assert run("States.ArrayRange(1, 9, 2)", {}) == [1, 3, 5, 7, 9]
    assert run("States.ArrayGetItem($.inputArray, $.index)", arr) == 6
    assert run("States.ArrayLength($.inputArray)", arr) == 9
    assert run("States.ArrayUnique($.a)", {"a": [1, 2, 3, 3, 3, 3, 3, 3, 4]}) == [1, 2, 3, 4]


def test_array_contains_and_unique_use_json_equality() -> None:
    # true is not 1 in JSON, although Python says True == 1.
    assert run("States.ArrayContains($.a, 1)", {"a": [True]}) is False
    assert run("States.ArrayUnique($.a)", {"a": [1, True, 1.0, {"k": 1}, {"k": 1}]}) == [
        1,
        True,
        {"k": 1},
    ]


def test_array_arguments_round_fractions_to_the_nearest_integer() -> None:
    # ArrayRange and ArrayPartition: "If you specify a non-integer value ... Step Functions
    # will round it off to the nearest integer" (a half towards positive infinity, as Java).
    assert run("States.ArrayRange(1.5, 4.4, 0.6)", {}) == [2, 3, 4]
    assert run("States.ArrayRange(-1.5, 1, 1)", {}) == [-1, 0, 1]
    assert run("States.ArrayPartition($.a, 1.5)", {"a": [1, 2, 3]}) == [[1, 2], [3]]
    assert "must not be 0" in failure("States.ArrayRange(1, 3, 0.4)", {}).cause
    assert "positive integer, not 0" in failure("States.ArrayPartition($.a, 0.4)", {"a": [1]}).cause
    # ArrayGetItem's index: the guide is silent; rounded the same way (a choice).
    assert run("States.ArrayGetItem($.a, 0.5)", {"a": ["x", "y"]}) == "y"
    assert "must be an integer" in failure("States.ArrayGetItem($.a, '0')", {"a": [1]}).cause


def test_array_range_limits_and_steps() -> None:
    assert run("States.ArrayRange(10, 1, -3)", {}) == [10, 7, 4, 1]
    assert len(run("States.ArrayRange(1, 1000, 1)", {})) == 1000
    err = failure("States.ArrayRange(1, 1001, 1)", {})
    assert err.error == "States.IntrinsicFailure" and "at most 1000" in err.cause
    assert "must not be 0" in failure("States.ArrayRange(1, 3, 0)", {}).cause


def test_array_partition_and_get_item_refuse_bad_arguments() -> None:
    assert "positive" in failure("States.ArrayPartition($.a, 0)", {"a": [1]}).cause
    assert "outside the array" in failure("States.ArrayGetItem($.a, 3)", {"a": [1]}).cause
    assert "must be an array" in failure("States.ArrayLength($.a)", {"a": "x"}).cause


def test_base64_round_trip_and_limit() -> None:
    assert (
        run("States.Base64Encode($.input)", {"input": "Data to encode"}) == "RGF0YSB0byBlbmNvZGU="
    )
    # The guide prints "Decoded data" for this input; the bytes decode to "Data to encode".
    assert run("States.Base64Decode($.b)", {"b": "RGF0YSB0byBlbmNvZGU="}) == "Data to encode"
    # "a data string of up to 10,000 characters" for both; exactly 10,000 is allowed.
    assert run("States.Base64Encode($.s)", {"s": "x" * 10_000}).startswith("eHh4")
    assert "at most 10000" in failure("States.Base64Encode($.s)", {"s": "x" * 10_001}).cause
    assert "at most 10000" in failure("States.Base64Decode($.s)", {"s": "QUFB" * 2501}).cause
    assert failure("States.Base64Decode($.s)", {"s": "not base64!"}).error == (
        "States.IntrinsicFailure"
    )


@pytest.mark.parametrize(
    ("algorithm", "digest"),
    [
        ("MD5", "812f45842bc6d66ee14572ce20db8e86"),
        ("SHA-1", "aaff4a450a104cd177d28d18d74485e8cae074b7"),
        ("SHA-256", "b4a697a057313163aee33cd8d40c66e9f0f177e00cac2de32475ffff6169c3e3"),
    ],
)
def test_hash(algorithm: str, digest: str) -> None:
    # The guide's SHA-1 example of "input data" prints these 40 hex digits less one "4".
    out = run("States.Hash($.Data, $.Algorithm)", {"Data": "input data", "Algorithm": algorithm})
    assert out == digest


def test_hash_sha384_sha512_lengths_and_limits() -> None:
    assert len(run("States.Hash('a', 'SHA-384')", {})) == 96
    assert len(run("States.Hash('a', 'SHA-512')", {})) == 128
    # "10,000 characters or less": the limit itself is allowed.
    assert len(run("States.Hash($.s, 'MD5')", {"s": "x" * 10_000})) == 32
    assert "at most 10000" in failure("States.Hash($.s, 'MD5')", {"s": "x" * 10_001}).cause
    assert "must be one of" in failure("States.Hash('a', $.alg)", {"alg": "SHA-2"}).cause


def test_json_merge_is_shallow_and_deep_must_be_false() -> None:
    data = {"json1": {"a": {"a1": 1, "a2": 2}, "b": 2}, "json2": {"a": {"a3": 1, "a4": 2}, "c": 3}}
    out = run("States.JsonMerge($.json1, $.json2, false)", data)
    assert out == {"a": {"a3": 1, "a4": 2}, "b": 2, "c": 3}
    problems = check_state(
        {"Type": "Pass", "Parameters": {"o.$": "States.JsonMerge($.a, $.b, true)"}}
    )
    assert problems and "shallow" in problems[0][1]
    assert "shallow" in failure("States.JsonMerge($.a, $.a, $.d)", {"a": {}, "d": True}).cause


def test_math_random_draws_from_env_and_a_seed_is_repeatable() -> None:
    assert run("States.MathRandom($.start, $.end)", {"start": 1, "end": 999}) == 2
    first = run("States.MathRandom(1, 999, 7)", {})
    assert first == run("States.MathRandom(1, 999, 7)", {})
    assert 1 <= first <= 998


def test_math_random_excludes_the_end_and_rounds_its_bounds() -> None:
    # "a random number between the specified start number (inclusive) and end number
    # (exclusive)"; non-integer bounds are rounded to the nearest integer.
    seen = {run(f"States.MathRandom(0, 2, {seed})", {}) for seed in range(40)}
    assert seen == {0, 1}
    assert {run(f"States.MathRandom(0.6, 2.4, {seed})", {}) for seed in range(10)} == {1}
    # An empty range gives its start (a choice: the guide does not say).
    assert run("States.MathRandom(5, 5)", {}) == 5


def test_math_add_and_rounding() -> None:
    assert run("States.MathAdd($.value1, $.step)", {"value1": 111, "step": -1}) == 110
    # "If you specify a non-integer value ... Step Functions will round it off to the nearest
    # integer": as Java's Math.round, a half towards positive infinity.
    assert run("States.MathAdd(1.5, 1)", {}) == 3
    assert "must be an integer" in failure("States.MathAdd('1', 1)", {}).cause


@pytest.mark.parametrize(
    ("first", "second", "total"),
    [
        # Sums AWS returned, recorded by LocalStack's AWS-validated test_math_add.
        (-9, 3, -6),
        (1.49, 1.5, 3),
        (1.5, 1.51, 4),
        (-1.49, -1.5, -2),
        (-1.5, -1.51, -3),
        # Java's Math.round on the double's exact value.
        (-2.5, 0, -2),
        (2.5, 0, 3),
        (0.49999999999999994, 0, 0),
    ],
)
def test_math_add_rounds_fractions_as_aws_does(first: float, second: float, total: int) -> None:
    data = {"a": first, "b": second}
    assert run("States.MathAdd($.a, $.b)", data) == total


def test_math_add_arguments_must_fit_a_java_int() -> None:
    # "You must specify integer values in the range of -2147483648 and 2147483647."
    assert run("States.MathAdd(2147483647, -2147483648)", {}) == -1
    err = failure("States.MathAdd($.n, 1)", {"n": 2147483648})
    assert err.error == "States.IntrinsicFailure"
    assert "between -2147483648 and 2147483647, not 2147483648" in err.cause
    assert "not -2147483649" in failure("States.MathAdd(1, -2147483649)", {}).cause
    # Rounded first: 2147483647.4 is 2147483647.
    assert run("States.MathAdd(2147483647.4, 0)", {}) == 2147483647
    # Only the arguments are limited: the sum is returned whole (a choice).
    assert run("States.MathAdd(2147483647, 1)", {}) == 2147483648


def test_string_split_uses_each_delimiter_character() -> None:
    data = {"inputString": "1,2,3,4,5", "splitter": ","}
    assert run("States.StringSplit($.inputString, $.splitter)", data) == ["1", "2", "3", "4", "5"]
    assert run("States.StringSplit('This.is+a,,test', '.+,')", {}) == ["This", "is", "a", "test"]


@pytest.mark.parametrize(
    ("text", "delimiters", "pieces"),
    [
        # The cases LocalStack recorded on AWS (test_string_operations.snapshot.json):
        # spaces are kept, runs of delimiters and delimiters at either end give no piece.
        (" ", ",", [" "]),
        (" , ", ",", [" ", " "]),
        (", , ,", ",", [" ", " "]),
        (",,,,", ",", []),
        ("split on T and \nnew line", "T\n", ["split on ", " and ", "new line"]),
        # What follows from them (Java's StringTokenizer, docs/fidelity.md): an empty string
        # has no piece, and no delimiter leaves the string whole.
        ("", ",", []),
        ("a,b", "", ["a,b"]),
        ("", "", []),
    ],
)
def test_string_split_edges(text: str, delimiters: str, pieces: list[str]) -> None:
    data = {"text": text, "delimiters": delimiters}
    assert run("States.StringSplit($.text, $.delimiters)", data) == pieces


def test_uuid_comes_from_env() -> None:
    assert run("States.UUID()", {}) == "ca4c1140-dcc1-40cd-ad05-7b4aa23df4a8"


def test_nested_calls_and_context_paths() -> None:
    # The guide's nine-deep example, shortened: split an ARN twice and format the pieces.
    data = {"ImageRecipe": {"Arn": "arn:aws:imagebuilder:r:1:image-recipe/my.recipe/1.0.0"}}
    expr = (
        "States.Format('{}.{}', States.ArrayGetItem(States.StringSplit(States.ArrayGetItem("
        "States.StringSplit($.ImageRecipe.Arn, '/'), 1), '.'), 0), States.ArrayGetItem("
        "States.StringSplit(States.ArrayGetItem(States.StringSplit($.ImageRecipe.Arn, '/'), 1),"
        " '.'), 1))"
    )
    assert run(expr, data) == "my.recipe"
    assert run("States.Format('{}', $$.Execution.Id)", {}) == "arn:exec"


def test_paths_with_brackets_and_commas_are_one_argument() -> None:
    assert run("States.Array($['a,b'], $.c[1])", {"a,b": 1, "c": [0, 2]}) == [1, 2]


@pytest.mark.parametrize(
    ("expr", "words"),
    [
        ("States.Formatt('x')", "did you mean 'States.Format'"),
        ("States.UUID(1)", "takes 0 argument"),
        ("States.ArrayRange(1, 2)", "takes 3 argument"),
        ("States.MathRandom(1)", "takes 2 to 3 argument"),
        ("States.JsonMerge($.a, $.b)", "takes 3 argument"),
        ("States.Format('a\\b')", "backslash"),
        ("States.Array(", "expected"),
        ("States.JsonToString('x')", "takes a path"),
        ("States.Hash('a', 'SHA-2')", "must be one of"),
        ("$.a[", "valid JSONPath"),
        (
            "States.Array(" * 11 + ")" * 11,
            "nest at most 10",
        ),
    ],
)
def test_check_state_reports_malformed_calls(expr: str, words: str) -> None:
    problems = check_state({"Type": "Task", "Parameters": {"p": {"x.$": expr}}})
    assert len(problems) == 1
    where, message = problems[0]
    assert where == ("Parameters", "p", "x.$")
    assert words in message


def test_ten_nested_calls_are_allowed() -> None:
    expr = "States.Array(" * 10 + ")" * 10
    assert check_state({"Type": "Pass", "Parameters": {"x.$": expr}}) == []


def test_missing_path_argument_is_states_runtime_with_aws_wording() -> None:
    err = failure("States.Array($.nope)", {"a": 1})
    assert err.error == "States.Runtime"
    assert err.cause == (
        "An error occurred while executing the state 'P'. The JSONPath '$.nope' specified "
        "for the field 'out.$' could not be found in the input '{\"a\":1}'"
    )


def test_math_random_start_after_end_fails() -> None:
    assert "greater than the end" in failure("States.MathRandom(5, 1)", {}).cause


def test_data_flow_modules_are_pure() -> None:
    # Data flow imports no simulator, clock, UI or I/O module: only its siblings, jsontext
    # and the standard library.
    import ast
    import sys
    from pathlib import Path

    allowed = {"stptui.jsontext", "stptui.sim.asl_jsonpath", "stptui.sim.asl_intrinsics"}
    for name in ("asl_data", "asl_intrinsics", "asl_jsonpath"):
        source = Path(__file__).parent.parent / "stptui" / "sim" / f"{name}.py"
        for node in ast.walk(ast.parse(source.read_text())):
            modules = []
            if isinstance(node, ast.Import):
                modules = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                modules = [node.module]
                if node.module == "stptui":
                    modules = [f"stptui.{a.name}" for a in node.names]
            for module in modules:
                top = module.split(".")[0]
                assert module in allowed or (top != "stptui" and top in sys.stdlib_module_names), (
                    f"{name} imports {module}"
                )
