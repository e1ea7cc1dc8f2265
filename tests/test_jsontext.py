"""Strict JSON reading (stptui.jsontext) and what the commands do with JSON only Python's
lax parser accepts: NaN, infinities, numbers beyond a double, documents nested too deeply."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stptui import jsontext
from stptui.commands import CommandError, Session, execute
from stptui.sim.clock import parse_instant

SAMPLES = Path(__file__).resolve().parent.parent / "stptui" / "sample_stacks"


def nested(levels: int) -> str:
    return '{"a":' * levels + "1" + "}" * levels


@pytest.mark.parametrize("text", ["NaN", '{"m": Infinity}', "[-Infinity]", '{"n": 1e400}'])
def test_what_only_python_reads_as_json_is_refused(text: str) -> None:
    with pytest.raises(jsontext.JsonLimitError):
        jsontext.loads(text)


def test_nesting_is_limited_and_brackets_inside_strings_do_not_count() -> None:
    assert jsontext.loads(nested(jsontext.MAX_DEPTH)) is not None
    with pytest.raises(jsontext.JsonLimitError, match="more than 100 levels"):
        jsontext.loads(nested(jsontext.MAX_DEPTH + 1))
    with pytest.raises(jsontext.JsonLimitError):
        jsontext.loads("[" * 100_000)  # far past the recursion limit: refused, not a crash
    text = json.dumps({"s": "[[[[{{{{" * 50, "list": [[1]]})
    assert jsontext.depth(text) == 3 and jsontext.loads(text)["list"] == [[1]]
    with pytest.raises(ValueError):
        jsontext.loads("{bad")


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=20,
)


def nesting(value: object) -> int:
    if isinstance(value, list):
        return 1 + max(map(nesting, value), default=0)
    if isinstance(value, dict):
        return 1 + max(map(nesting, value.values()), default=0)
    return 0


@given(json_values)
def test_json_within_the_limits_reads_as_json_does(value: object) -> None:
    text = json.dumps(value)
    assert jsontext.loads(text) == json.loads(text)
    assert jsontext.depth(text) == nesting(value)


@pytest.fixture
def session() -> Session:
    return Session.open(SAMPLES / "combined", start_ms=parse_instant("2026-01-05T08:00:00Z"))


def test_a_deeply_nested_body_is_delivered_as_text(session: Session) -> None:
    # The job queue's worker has conditions on the body: a body too deep to read as JSON is
    # the text it is, and the run goes on (it used to end in a RecursionError).
    execute(session, f"send jobQueue '{nested(1000)}'")
    out = execute(session, "advance 10s")
    assert out.text.startswith("now 2026-01-05T08:00:10.000Z")
    assert session.sim.function_stats("worker")["invocations"] >= 1


@pytest.mark.parametrize(
    ("line", "why"),
    [
        (f"publish eventBus orders OrderCreated '{nested(1000)}'", "more than 100 levels"),
        ("publish eventBus orders OrderCreated '{\"m\": NaN}'", "NaN is not a JSON number"),
        ("invoke orderService '{\"n\": 1e400}'", "1e400 is out of range"),
        (f"start-job heavyJob '{nested(500)}'", "more than 100 levels"),
    ],
)
def test_json_arguments_only_python_would_read_change_nothing(
    session: Session, line: str, why: str
) -> None:
    before = session.sim.trace.seq
    with pytest.raises(CommandError) as refused:
        execute(session, line)
    assert why in f"{refused.value} {refused.value.hint}"
    assert session.sim.trace.seq == before


@given(st.text(alphabet='ab "\\\\{}:,', max_size=40))
def test_runs_cover_the_text_and_strings_are_quoted(text: str) -> None:
    parts = list(jsontext.runs(text))
    assert "".join(run for _, run, _ in parts) == text
    assert all(text[at : at + len(run)] == run for at, run, _ in parts)
    assert all(run.startswith('"') for _, run, is_string in parts if is_string)
    # outside strings there is no quote: every quote opens or closes a string run
    assert all('"' not in run for _, run, is_string in parts if not is_string)


def test_runs_honour_escapes() -> None:
    assert list(jsontext.runs('{"a\\"b": "c"}')) == [
        (0, "{", False),
        (1, '"a\\"b"', True),
        (7, ": ", False),
        (9, '"c"', True),
        (12, "}", False),
    ]
