"""Names and values written as YAML (`stptui.yamltext`: the starter file `stptui init`
writes, the YAML a hint offers) read back as themselves, under Stacktape's YAML 1.2 core
schema (stptui's loader) and PyYAML's 1.1 alike, in every place YAML may put them, and
are safe to print."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import yaml
from hypothesis import given
from hypothesis import strategies as st

from stptui.config import load_stack_text
from stptui.config.loader import parse_yaml
from stptui.starter import starter_file
from stptui.textsafe import ESCAPED
from stptui.yamltext import yaml_flow, yaml_key, yaml_number, yaml_string

# What YAML reads as something else than the text: indicators (`-`, `?`, `&`, `*`, `!`,
# `|`, `>`, `%`, `@`, a backquote) first, `: ` and ` #` inside, quotes and backslashes,
# the words YAML 1.1 reads as booleans or null, numbers, times, dates, the merge key,
# flow punctuation, line breaks YAML folds (NEL, LS, PS), controls, and what a terminal
# acts on or draws nothing (ESC, the C1 CSI, a right-to-left override, a tag character).
PIECES = st.sampled_from(
    [
        "-",
        "?",
        "&",
        "*",
        "!",
        "|",
        ">",
        "%",
        "@",
        "`",
        ": ",
        " #",
        "#",
        "'",
        '"',
        "\\",
        "yes",
        "no",
        "No",
        "null",
        "NULL",
        "~",
        "on",
        "y",
        "1",
        "0x1f",
        "0o7",
        "1e3",
        ".inf",
        "-.5",
        "1_000",
        "12:30",
        "2001-12-14",
        "<<",
        "=",
        ",",
        "[",
        "]",
        "{",
        "}",
        " ",
        "\t",
        "\n",
        "\r",
        "\x85",
        "\u2028",
        "\x00",
        "\x1b",
        "\x9b",
        "\u202e",
        "\U000e0041",
        "\ufeff",
        "中文",
        "Z\u0301",
        "a",
        "_",
        ".",
    ]
)
TEXT = st.lists(PIECES | st.text(max_size=3), max_size=6).map("".join)
VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=8,
)


def read_both(doc: str) -> list[object]:
    """`doc` as PyYAML's safe loader (YAML 1.1) and stptui's (the 1.2 core schema) read it."""
    return [yaml.safe_load(doc), parse_yaml(doc, "x.yml").data]


def same(a: object, b: object) -> bool:
    """Equal, a NaN equal to a NaN."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a):
        return math.isnan(b)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


@given(TEXT)
def test_a_name_or_value_reads_back_as_itself_wherever_yaml_puts_it(text: str) -> None:
    writers: list[Callable[[str], str]] = [yaml_string, yaml_key, yaml_flow]
    for write in writers:
        w = write(text)
        assert ESCAPED.search(w) is None, (write, w)
        places = [
            (f"k: {w}\n", {"k": text}),
            (f"{w}: 1\n", {text: 1}),
            (f"- {w}\n", [text]),
            (f"k: [{w}, x]\n", {"k": [text, "x"]}),
            (f"k: {{a: {w}}}\n", {"k": {"a": text}}),
            (f"k: {{{w}: a}}\n", {"k": {text: "a"}}),
        ]
        for doc, expected in places:
            assert read_both(doc) == [expected, expected], (write, doc)


@given(VALUES)
def test_a_json_value_reads_back_as_itself_in_both_schemas(value: object) -> None:
    w = yaml_flow(value)
    assert ESCAPED.search(w) is None
    for read in read_both(f"k: {w}\n"):
        assert isinstance(read, dict) and same(read["k"], value), (w, read)


def test_numbers_are_written_as_both_schemas_read_them() -> None:
    # YAML 1.1 reads `1e+21` as a string: a float is written with its point.
    assert yaml_number(1e21) == "1.0e+21"
    assert yaml_number(-1e-05) == "-1.0e-05"
    assert yaml_number(0.5) == "0.5" and yaml_number(3) == "3"
    assert [yaml_number(v) for v in (math.inf, -math.inf)] == [".inf", "-.inf"]
    assert yaml_number(math.nan) == ".nan"


def test_printable_non_ascii_is_written_as_it_is_and_what_acts_on_a_terminal_escaped() -> None:
    assert yaml_string("队列 Z\u0301") == '"队列 Z\u0301"'
    assert yaml_string("d\u202eead\x9b\x1b]8;;\x07\U000e0041") == (
        '"d\\u202eead\\x9b\\x1b]8;;\\x07\\U000e0041"'
    )
    assert yaml_key("on") == '"on"' and yaml_key("queue") == "queue"


def test_the_starter_file_writes_hostile_names_as_yaml_that_reads_back(tmp_path: Path) -> None:
    # A stack whose functions and queues are named with what YAML or a terminal reads
    # otherwise: each entry's key is its function's name, and the file prints as text.
    names = ["no", "-x: #y", "f\u202e\x9b[@click=app.quit]", "&a *b", "\U000e0041q"]
    resources = "".join(
        f"  {yaml_string(name)}:\n"
        "    type: function\n"
        "    properties:\n"
        "      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}\n"
        "      connectTo: [" + yaml_string(name + "q") + "]\n"
        f"  {yaml_string(name + 'q')}:\n"
        "    type: sqs-queue\n"
        for name in names
    )
    stack = load_stack_text(f"resources:\n{resources}", str(tmp_path / "stacktape.yml"))
    text = starter_file(stack).text
    assert ESCAPED.search(text) is None
    for read in read_both(text):
        assert isinstance(read, dict) and list(read["behaviors"]) == names
