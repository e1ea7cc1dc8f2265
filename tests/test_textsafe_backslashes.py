"""A value with a real U+202E and one with the six characters `\\u202e` never print alike:
`textsafe.shown` writes a backslash that would read as an escape twice, on every surface
that shows keys, bodies and records' fields."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from stptui.commands import Session, execute
from stptui.commands.result import render_plain
from stptui.sim.clock import parse_instant
from stptui.textsafe import ESCAPED, one_line, printable, shown

ROOT = Path(__file__).resolve().parents[1]
COMBINED = ROOT / "stptui" / "sample_stacks" / "combined"
T0 = parse_instant("2026-01-05T08:00:00Z")

_ESCAPE = re.compile(r"\\(?:\\|x([0-9a-f]{2})|u([0-9a-f]{4})|(n)|(t))")


def read_back(text: str) -> str:
    """What `one_line` wrote, read as a person reads it: `\\\\` a backslash, `\\xHH` and
    `\\uHHHH` the character, `\\n` and `\\t` a line break and a tab, any other backslash
    itself."""

    def one(m: re.Match[str]) -> str:
        hex2, hex4, newline, tab = m.groups()
        if hex2 or hex4:
            return chr(int(hex2 or hex4, 16))
        return "\n" if newline else "\t" if tab else "\\"

    return _ESCAPE.sub(one, text)


# Text rich in backslashes, the letters of escapes, hex digits and what is escaped.
TRICKY = st.text(
    alphabet=st.sampled_from(list("\\xu0123abef\n\t\x1b\x9b\u202e\"' é")) | st.characters()
)


@given(TRICKY)
def test_a_value_shown_on_one_line_reads_back_as_it_is(value: str) -> None:
    written = one_line(value)
    assert read_back(written) == value
    assert ESCAPED.search(written) is None and "\n" not in written


@given(TRICKY, TRICKY)
def test_two_values_never_show_alike(a: str, b: str) -> None:
    if a != b:
        assert one_line(a) != one_line(b)
        assert shown(a) != shown(b)


@given(TRICKY)
def test_the_last_safeguard_leaves_a_shown_value_as_it_is(value: str) -> None:
    assert printable(shown(value)) == shown(value)


def test_backslashes_that_cannot_read_as_escapes_show_once() -> None:
    assert shown('{"a": "x\\"y"}') == '{"a": "x\\"y"}'
    assert shown("a\\ b") == "a\\ b"
    assert shown("\\u202e") == "\\\\u202e"
    assert shown("\u202e") == "\\u202e"


def test_a_key_with_the_override_and_one_with_its_text_print_apart() -> None:
    session = Session.open(COMBINED, start_ms=T0)
    real = execute(session, "upload uploads $'a\\u202eb' --content x")
    text = execute(session, "upload uploads 'a\\u202eb' --content x")
    real_line = render_plain(real, with_records=True).splitlines()
    text_line = render_plain(text, with_records=True).splitlines()
    # The confirmation line, and each record's `key=` field.
    assert real_line[0].startswith("ObjectCreated:Put uploads/a\\u202eb: ")
    assert text_line[0].startswith("ObjectCreated:Put uploads/a\\\\u202eb: ")
    assert any(" key=a\\u202eb " in line for line in real_line)
    assert any(" key=a\\\\u202eb " in line for line in text_line)
    listing = render_plain(execute(session, "show bucket uploads"))
    keys = [line.split()[0] for line in listing.splitlines() if line.startswith("a")]
    assert sorted(keys) == ["a\\\\u202eb", "a\\u202eb"]
    chains = render_plain(execute(session, "explain $'uploads/a\\u202eb'"))
    assert "a\\u202eb" in chains and "a\\\\u202eb" not in chains
