"""Step Functions' JSONata expressions: literals vs `{% %}`, $states and variables, the functions
Step Functions adds, the virtual clock, determinism, undefined results, errors and the guards
that stop a runaway expression from an untrusted definition."""

from __future__ import annotations

import copy
import hashlib
import itertools
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from stptui.sim import asl_jsonata as jn
from stptui.sim.asl_jsonata import JsonataError, check, evaluate, is_expression

NOW_MS = 1_767_600_000_123  # 2026-01-05T08:00:00.123Z
INPUT = {"title": "Doctor", "n": None, "items": [1, 2, 3], "json": '{"foo": "bar"}'}


def stream() -> itertools.count:
    return itertools.count()


def ev(value: object, *, variables: dict | None = None, now_ms: int = NOW_MS, ids=None) -> object:
    counter = ids if ids is not None else stream()
    return evaluate(
        value,
        states={"input": INPUT, "context": {"State": {"Name": "Shape"}}},
        variables={"customerName": "María"} if variables is None else variables,
        now_ms=now_ms,
        draw=lambda: f"00000000-0000-4000-8000-{next(counter):012d}",
        field="Arguments",
    )


def fails(value: object, **kw) -> JsonataError:
    with pytest.raises(JsonataError) as info:
        ev(value, **kw)
    assert info.value.error == "States.QueryEvaluationError"
    return info.value


# -- literals and expressions ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("{% 1 %}", True),
        ("{%1%}", True),
        ("{% $states.input %}", True),
        (" {% 1 %}", False),  # AWS: no space before {% or after %}
        ("{% 1 %} ", False),
        ("$customerName", False),
        ("{%%}", True),
        ("{%}", False),
        (42, False),
        (None, False),
    ],
)
def test_only_a_whole_delimited_string_is_an_expression(value: object, expected: bool) -> None:
    assert is_expression(value) is expected


def test_the_guides_conversion_example_evaluates_expressions_and_keeps_literals() -> None:
    # The guide's JSONPath-to-JSONata sample: input {"title": "Doctor"}, $customerName "María".
    arguments = {
        "static": "Hello",
        "title": "{% $states.input.title %}",
        "name": "{% $customerName %}",
        "not-evaluated": "$customerName",
    }
    assert ev(arguments) == {
        "static": "Hello",
        "title": "Doctor",
        "name": "María",
        "not-evaluated": "$customerName",
    }


def test_expressions_anywhere_inside_nested_objects_and_arrays_are_evaluated() -> None:
    value = {"a": [{"b": "{% $states.input.items[1] %}"}, "x", 3, None, True], "c": {"d": []}}
    assert ev(value) == {"a": [{"b": 2}, "x", 3, None, True], "c": {"d": []}}


def test_the_input_is_not_mutated_and_the_result_shares_nothing_with_it() -> None:
    before = copy.deepcopy(INPUT)
    value = {"all": "{% $states.input %}"}
    out = ev(value)
    assert out == {"all": INPUT}
    out["all"]["items"].append(4)
    assert before == INPUT
    assert value == {"all": "{% $states.input %}"}


def test_states_context_and_workflow_variables_are_bound() -> None:
    assert ev("{% $states.context.State.Name %}") == "Shape"
    assert ev("{% $total * 2 %}", variables={"total": 21}) == 42
    assert ev("{% $missingNull = null %}", variables={"missingNull": None}) is True


def test_a_workflow_variable_hides_a_step_functions_function_of_the_same_name() -> None:
    assert ev("{% $uuid %}", variables={"uuid": "mine"}) == "mine"


# -- JSON shape of results ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{% 1 %}", 1),
        ("{% 1.5 %}", 1.5),
        ("{% 2.0 %}", 2),  # JSON.stringify(2.0) is "2"
        ("{% 4 / 2 %}", 2),
        ("{% 1e21 %}", 1e21),
        ("{% [1] %}", [1]),
        ("{% null %}", None),
        ("{% $states.input.n %}", None),
        ("{% {'a': $states.input.nothing, 'b': 1} %}", {"b": 1}),  # undefined keys vanish
        ("{% [1..3].($ * 2) %}", [2, 4, 6]),
    ],
)
def test_results_are_plain_json_with_integral_numbers_as_ints(text: str, expected: object) -> None:
    out = ev(text)
    assert out == expected
    assert type(out) is type(expected)
    assert json.loads(json.dumps(out)) == expected


def test_an_expression_that_returns_nothing_fails_with_the_aws_wording() -> None:
    err = fails({"Input": {"pushLocation": "{% $states.input.pushLocation %}"}})
    assert err.cause == (
        "The JSONata expression '$states.input.pushLocation' specified for the field "
        "'Arguments/Input/pushLocation' returned nothing (undefined)."
    )


def test_a_function_result_is_not_json() -> None:
    assert "function" in fails("{% function($x) { $x } %}").cause


# -- Step Functions' functions ----------------------------------------------------------------


def test_partition_splits_into_chunks_the_last_one_shorter() -> None:
    assert ev("{% $partition([1,2,3,4,5,6,7,8,9], 3) %}") == [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
    assert ev("{% $partition([1,2,3,4], 3) %}") == [[1, 2, 3], [4]]
    assert ev("{% $partition([], 2) %}") == []


@pytest.mark.parametrize("size", ["0", "-1", "1.5", "'2'"])
def test_partition_wants_a_positive_integer_chunk_size(size: str) -> None:
    assert "$partition" in fails(f"{{% $partition([1,2], {size}) %}}").cause


def test_range_includes_the_end_and_counts_down_with_a_negative_step() -> None:
    assert ev("{% $range(0, 10, 2) %}") == [0, 2, 4, 6, 8, 10]
    assert ev("{% $range(0, 10, 3) %}") == [0, 3, 6, 9]  # LocalStack's AWS-recorded case
    assert ev("{% $range(1, 9, 9) %}") == [1]
    assert ev("{% $range(10, 0, -5) %}") == [10, 5, 0]


def test_range_refuses_a_zero_step_fractions_and_more_than_1000_items() -> None:
    assert "step must not be 0" in fails("{% $range(0, 10, 0) %}").cause
    assert "integer" in fails("{% $range(0, 1.5, 1) %}").cause
    assert "at most 1000" in fails("{% $range(0, 1000, 1) %}").cause
    assert len(ev("{% $range(1, 1000, 1) %}")) == 1000


@pytest.mark.parametrize("algorithm", ["MD5", "SHA-1", "SHA-256", "SHA-384", "SHA-512"])
def test_hash_gives_the_hex_digest_of_each_algorithm(algorithm: str) -> None:
    name = algorithm.replace("-", "").lower()
    expected = hashlib.new(name, b"input data").hexdigest()
    assert ev(f"{{% $hash('input data', '{algorithm}') %}}") == expected


def test_hash_refuses_an_unknown_algorithm_and_non_string_data() -> None:
    assert "MD5, SHA-1, SHA-256, SHA-384, SHA-512" in fails("{% $hash('x', 'SHA-3') %}").cause
    assert "must be a string" in fails("{% $hash(1, 'MD5') %}").cause


def test_random_is_in_0_to_1_repeatable_with_a_seed_and_drawn_from_the_stream_without() -> None:
    seeded = ev("{% $random(8) %}")
    assert seeded == ev("{% $random(8) %}")
    assert 0 <= seeded < 1
    a, b = ev(["{% $random() %}", "{% $random() %}"])
    assert a != b  # two draws from the stream
    assert [a, b] == ev(["{% $random() %}", "{% $random() %}"])  # same stream, same numbers
    assert "integer" in fails("{% $random('x') %}").cause


def test_uuid_comes_from_the_callers_id_stream() -> None:
    ids = stream()
    assert ev(["{% $uuid() %}", "{% $uuid() %}"], ids=ids) == [
        "00000000-0000-4000-8000-000000000000",
        "00000000-0000-4000-8000-000000000001",
    ]


def test_shuffle_is_deterministic() -> None:
    first = ev("{% $shuffle([1,2,3,4,5,6,7,8]) %}")
    assert sorted(first) == [1, 2, 3, 4, 5, 6, 7, 8]
    assert first == ev("{% $shuffle([1,2,3,4,5,6,7,8]) %}")


def test_parse_reads_json_text_strictly() -> None:
    assert ev("{% $parse($states.input.json) %}") == {"foo": "bar"}
    assert ev("{% $parse('null') = null %}") is True
    assert "is not JSON text" in fails("{% $parse('{foo}') %}").cause
    assert "is not JSON text" in fails("{% $parse('NaN') %}").cause


def test_eval_is_not_available() -> None:
    assert "use $parse" in fails("{% $eval('1 + 1') %}").cause


# -- the virtual clock ------------------------------------------------------------------------


def test_now_and_millis_read_the_virtual_clock() -> None:
    assert ev("{% $millis() %}") == NOW_MS
    assert ev("{% $now() %}") == "2026-01-05T08:00:00.123Z"
    assert ev("{% $now() %}", now_ms=0) == "1970-01-01T00:00:00.000Z"
    assert ev("{% $now('[Y0001]-[M01]-[D01]') %}") == "2026-01-05"


# -- errors and syntax ------------------------------------------------------------------------


def test_a_jsonata_type_error_names_the_expression_field_and_jsonata_code() -> None:
    cause = fails({"x": "{% 'a' + 1 %}"}).cause
    assert cause.startswith(
        "The JSONata expression ''a' + 1' specified for the field 'Arguments/x' threw an error"
    )
    assert "T2001" in cause


def test_user_error_function_fails_the_state_with_its_message() -> None:
    assert "order is empty" in fails("{% $error('order is empty') %}").cause


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("{% 1 + %}", "Unexpected end of expression"),
        ("$states.input.(", "S0"),
        ("{%   %}", "empty"),
        ("((((", "Expected )"),
        pytest.param("(" * 30000 + "1" + ")" * 30000, "too deeply", id="deep-parens"),
    ],
)
def test_check_reports_syntax_errors(text: str, found: str) -> None:
    message = check(text)
    assert message is not None
    assert found in message


@pytest.mark.parametrize("text", ["{% $states.input.title %}", "$x.y", "{% $range(1, 3, 1) %}"])
def test_check_accepts_good_expressions(text: str) -> None:
    assert check(text) is None


def test_a_syntax_error_met_at_run_time_fails_the_state() -> None:
    assert "could not be parsed" in fails("{% 1 + %}").cause


# -- runaway guards ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("($f := function($n) { $n = 0 ? 0 : 1 + $f($n - 1) }; $f(100000))", "levels deep"),
        ("($f := function() { $f() + 1 }; $f())", "levels deep"),
        ("[1..900000].($ * 2)", "was stopped"),
        ("$sum([1..900000])", "was stopped"),
        ("$count([1..200000].[1..200000])", "was stopped"),
        ("[1..100000000]", "D2014"),
        ("($f := function($s, $n) { $n = 0 ? $s : $f($s & $s, $n - 1) }; $f('a', 60))", "string"),
        (
            "($f := function($o, $n) { $n = 0 ? $o : $f({'a': $o, 'b': $o}, $n - 1) };"
            " $string($f(1, 60)))",
            "larger than",
        ),
        ("$pad('', 1000000000)", "$pad"),
    ],
)
def test_a_runaway_expression_is_stopped_with_a_clear_error(text: str, found: str) -> None:
    cause = fails(f"{{% {text} %}}").cause
    assert found in cause


def test_the_step_limit_is_counted_not_timed() -> None:
    # The same expression is stopped at the same point every time.
    text = "{% ($f := function($n) { $n = 0 ? 0 : $f($n - 1) }; $f(10000000)) %}"
    cause = fails(text).cause
    assert cause == fails(text).cause
    assert f"{jn.MAX_STEPS:,} steps" in cause


def test_a_heavy_but_reasonable_expression_still_runs() -> None:
    items = [{"id": i, "price": i % 7} for i in range(2000)]
    out = evaluate(
        "{% $sum($states.input.items[price > 3].price) %}",
        states={"input": {"items": items}},
        variables={},
        now_ms=0,
        draw=lambda: "x",
    )
    assert out == sum(i % 7 for i in range(2000) if i % 7 > 3)


# -- properties --------------------------------------------------------------------------------

_atoms = st.sampled_from(
    [
        *("1", "2.5", "'a'", "null", "true", "$states.input", "$states.input.items", "$v"),
        *("[]", "{}", "$x", "$", "$$", "nothing", "$states.input.title", "[1..3]", "$uuid()"),
        "$random()",
    ]
)
_ops = st.sampled_from(["+", "-", "*", "/", "%", "&", "=", "!=", "<", "and", "or", "..", "."])
_funcs = st.sampled_from(
    [
        *("$string", "$number", "$count", "$sum", "$keys", "$partition", "$hash", "$parse"),
        *("$range", "$uppercase", "$split", "$join", "$append", "$reverse", "$sort", "$exists"),
        "$eval",
    ]
)


def _exprs() -> st.SearchStrategy[str]:
    return st.recursive(
        _atoms,
        lambda inner: st.one_of(
            st.tuples(inner, _ops, inner).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
            st.tuples(_funcs, st.lists(inner, max_size=3)).map(
                lambda t: f"{t[0]}({', '.join(t[1])})"
            ),
            st.lists(inner, max_size=3).map(lambda xs: "[" + ", ".join(xs) + "]"),
            inner.map(lambda x: "{'k': " + x + "}"),
            st.tuples(inner, inner).map(lambda t: f"{t[0]}[{t[1]}]"),
        ),
        max_leaves=8,
    )


@settings(max_examples=150, deadline=None)
@given(_exprs(), st.booleans())
def test_evaluate_raises_nothing_but_jsonata_error_and_returns_json(text: str, cut: bool) -> None:
    # A truncated expression is a syntax error; it too must end in JsonataError, not a traceback.
    source = text[: len(text) // 2] if cut else text
    try:
        out = ev(f"{{% {source} %}}", variables={"v": {"a": [1, None]}})
    except JsonataError as exc:
        assert exc.error == "States.QueryEvaluationError"
        assert exc.cause.startswith("The JSONata expression ")
    else:
        assert json.loads(json.dumps(out, allow_nan=False)) == out
    message = check(source)
    assert message is None or isinstance(message, str)


_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**53), 2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8).filter(lambda s: not is_expression(s)),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4)
    ),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None)
@given(_json)
def test_a_value_without_expressions_comes_back_as_an_equal_copy(value: object) -> None:
    before = copy.deepcopy(value)
    out = ev(value)
    assert out == before
    assert value == before
    if isinstance(value, list | dict) and value:
        assert out is not value


def test_the_functions_table_of_the_state_machines_page_holds() -> None:
    page = Path(__file__).resolve().parents[1] / "docs" / "state-machines.md"
    section = page.read_text().split("## JSONata functions", 1)[1]
    rows = re.findall(r"^\| [^|]+ \| `([^`]+)` \| `([^`]+)` \|$", section, re.M)
    assert len(rows) == 7
    for expression, result in rows:
        assert ev(f"{{% {expression} %}}") == json.loads(result), expression


# -- the variables an expression reads (for validate's asl-variable warning) ------------------


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("{% $orderId %}", {"orderId"}),
        ("{% $order.items[0].sku %}", {"order"}),  # a path from a variable: the variable
        ("{% $string($total) %}", {"total"}),  # $string is a function, $total a variable
        ("{% $map($xs, $string) %}", {"xs"}),  # a function passed as a value
        ("{% $partition($rows, 2) & $uuid() %}", {"rows"}),  # Step Functions' own functions
        ("{% $notAFunction(1) %}", set()),  # a called name is a function: variables hold JSON
        ("{% $states.input.a & $states.context.Execution.Id %}", set()),
        ("{% $ & $$.a %}", set()),
        ("{% ($t := $states.input.n; $t * $rate) %}", {"rate"}),  # bound by the block
        ("{% $reduce($l, function($acc, $v) { $acc + $v + $z }) %}", {"l", "z"}),
        ("{% items@$i#$j.($i.price * $j * $k) %}", {"k"}),  # focus and index bindings
        ("{% $x[$y > 1]{$key: $value} %}", {"x", "y", "key", "value"}),  # filters, grouping
        ("{% $a ? $b : $c %}", {"a", "b", "c"}),
        ("{% '$quoted' & \"$too\" %}", set()),  # text that spells a name is a string
        ("{% $naïve & $名前 %}", {"naïve", "名前"}),
        ("{% $states.input.( %}", set()),  # does not parse: reported as a syntax error
    ],
)
def test_variable_refs_reads_the_parse_tree_not_the_text(text: str, names: set[str]) -> None:
    assert jn.variable_refs(text) == names


@pytest.mark.parametrize(
    ("text", "names"),
    [
        # A block's `:=` binds from there on: read before it, the name is the variable.
        ("{% ($x; $x := 1) %}", {"x"}),
        ("{% ($x := 1; $x) %}", set()),
        ("{% ($x := $x + 1) %}", {"x"}),  # the value is evaluated before the name is bound
        ("{% ($a := $b; $b := 2; $a + $b) %}", {"b"}),
        # Nested blocks: an outer binding reaches in, an inner one does not reach out.
        ("{% ($x := 1; ($x + 1)) %}", set()),
        ("{% (($x := 1); $x) %}", {"x"}),
        ("{% ($y := (($x := 1); $x)) %}", {"x"}),
        ("{% (($x := 1; $x); $x) %}", {"x"}),
        # A function's parameters bind in its body only.
        ("{% (function($v) { $v * 2 })($v) %}", {"v"}),
        ("{% $map($xs, function($v, $i) { $v + $i }) %}", {"xs"}),
        # A function definition's body sees what its block binds, before or after it (it
        # runs when called); what the body binds stays in the body.
        ("{% ($f := function() { $z }; $z := 2; $f()) %}", set()),
        ("{% ($f := function($n) { $n + $y }; $f(1)) %}", {"y"}),
        ("{% ($set := function() { $x := 1 }; $set(); $x) %}", {"x"}),
        ("{% ($f := function($n) { $n = 0 ? 0 : $f($n - 1) }; $f(3)) %}", set()),
        ("{% ($g := function($n) { $map([$n], $g) }; $g(1)) %}", set()),
        # A binding outside any block binds in the frame around it.
        ("{% [$x := 1, $x] %}", set()),
    ],
)
def test_variable_refs_follows_the_order_jsonata_binds_in(text: str, names: set[str]) -> None:
    assert jn.variable_refs(text) == names


# Expressions that read `$v` only where they bind it first, and each with the read moved
# before the binding: jsonata-python's own evaluation says which `$v` each one reads.
_ORDERED = [
    ("($v := 1; $v)", "($w := $v; $v := 1; $w)"),
    ("($v := 1; ($v))", "(($v := 1); $v)"),
    ("($v := 1; [$v, 2])", "($w := [$v, 2]; $v := 1; $w)"),
    ("($v := 1; $v := $v + 1)", "($v := $v & '!')"),
    ("($f := function($v) { $v }; $f(1))", "($f := function($w) { $v }; $f(1))"),
]


@pytest.mark.parametrize(("bound", "unbound"), _ORDERED)
def test_variable_refs_agrees_with_the_engine_on_which_v_is_read(bound: str, unbound: str) -> None:
    lib = jn._library()
    for text, reads_outer in ((bound, False), (unbound, True)):
        frame = lib.Jsonata(text).create_frame()
        frame.bind("v", "outer")
        value = lib.Jsonata(text).evaluate(None, frame)
        assert ("outer" in json.dumps(value)) is reads_outer, text
        assert jn.variable_refs("{% " + text + " %}") == ({"v"} if reads_outer else set())


@settings(max_examples=60, derandomize=True)
@given(
    name=st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,12}", fullmatch=True).filter(
        lambda n: n not in jn.ADDED_FUNCTIONS and n != "states"
    )
)
def test_a_variable_read_is_found_wherever_it_sits_and_a_binding_hides_it(name: str) -> None:
    # A name of one of JSONata's own functions ($count, $string) is that function.
    assume(name not in jn._library().Jsonata.static_frame.bindings)
    # Read as a value, a path, an argument or an array item, it is a variable read...
    for shape in ("${n}", "${n}.a[0]", "$count(${n})", "[1, ${n}]", "{{'k': ${n}}}"):
        assert jn.variable_refs("{% " + shape.format(n=name) + " %}") == {name}
    # ...but not where the expression binds it itself, nor where it calls it.
    assert jn.variable_refs(f"{{% (${name} := 1; ${name} + 1) %}}") == set()
    assert jn.variable_refs(f"{{% function(${name}) {{ ${name} }} %}}") == set()
    assert jn.variable_refs(f"{{% ${name}(1) %}}") == set()
    # ...and where it reads it before its own binding, the variable is read after all.
    assert jn.variable_refs(f"{{% (${name}; ${name} := 1) %}}") == {name}
    assert jn.variable_refs(f"{{% ((${name} := 1); ${name}) %}}") == {name}


# -- regular expressions that backtrack catastrophically ---------------------------------------

CATASTROPHIC = [
    r"(a+)+$",
    r"(a*)*b",
    r"(\w+\s?)+$",
    r"(a|b+)*c",
    r"(x+x+)+y",
    r"(\d+\.?)+$",
    r"(a+){1,100}$",
    r"^(a{1,2})+$",
    r"(\s*\w+)*$",
]
SANE = [
    r"(\d+\.)+\d+",
    r"([a-z]+-)*[a-z]+",
    r"(\s*,\s*\w+)*",
    r"(\w+\.)*\w+",
    r"a+b+c+",
    r"(a+){2}",
    r"(foo|bar)*",
    r"\d{3}-\d{4}",
    r"[^,]+(,[^,]+)*",
    r"(\w|\s)+$",
]


@pytest.mark.parametrize("pattern", CATASTROPHIC)
def test_a_pattern_that_can_backtrack_for_hours_is_refused_when_used(pattern: str) -> None:
    text = "{% $contains($states.input.title, /" + pattern + "/) %}"
    assert check(text) is None, "AWS accepts the definition: it is no syntax error"
    (why,) = jn.refused_regexes(text)
    assert why.startswith(f"the regular expression /{pattern}/ can backtrack")
    err = fails(text)
    assert err.error == "States.QueryEvaluationError"
    assert "was stopped: the regular expression" in err.cause
    assert "a limit of this simulator" in err.cause


@pytest.mark.parametrize("pattern", SANE)
def test_a_sane_pattern_runs_on_pythons_re_unchanged(pattern: str) -> None:
    subject = "v1.2.3, a-b-c, foo.bar.baz 555-1234 aaabbbccc"
    text = "{% $match('" + subject + "', /" + pattern + "/).match %}"
    assert jn.refused_regexes(text) == []
    expected = [m.group() for m in re.finditer(pattern, subject)]
    got = ev(text)
    assert (got if isinstance(got, list) else [got]) == expected


def test_a_refused_pattern_cannot_hang_a_run() -> None:
    # Before the refusal this evaluation backtracked for hours; the subprocess bounds the test
    # itself, so the suite can never hang.
    script = (
        "from stptui.sim.asl_jsonata import JsonataError, evaluate\n"
        "try:\n"
        "    evaluate('{% $match($states.input, /(a+)+$/) %}', states={'input': 'a' * 64 + '!'},"
        " variables={}, now_ms=0, draw=lambda: 'x')\n"
        "except JsonataError as exc:\n"
        "    print(exc.error)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.stdout.strip() == "States.QueryEvaluationError", done.stderr


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab.+*?()|", min_size=1, max_size=10))
@example("(?a)")
def test_risk_answers_every_pattern_re_compiles_and_refuses_nested_repeats_of_one_letter(
    pattern: str,
) -> None:
    from stptui.sim import asl_jsonata_regex as rx

    try:
        re.compile(pattern)
    except re.error:
        return
    why = rx.risk(pattern)
    flags = type("Flags", (), {"case_insensitive": False, "multiline": False})()
    compiled = rx.compile_pattern(pattern, flags)
    if why is None:
        # What is not refused is Python's own pattern: its results cannot change.
        assert compiled == re.compile(pattern)
    else:
        assert why.startswith("can backtrack")
        assert isinstance(compiled, rx.RefusedPattern)
    # A loop of a loop over one letter is refused whatever stands beside it (unless wrapping
    # makes the pattern invalid: inline flags such as `(?a)` must open the whole pattern).
    beside = f"(?:{pattern})|(a+)+$"
    try:
        re.compile(beside)
    except re.error:
        return
    assert rx.risk(beside) is not None
