"""`$File('x.ini')` reads an .ini file by the rules of the npm `ini` package Stacktape uses."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stptui.config.directives import DirectiveContext
from stptui.config.inifile import parse_ini
from tests.test_directives import prop


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # keys before any section sit at the top; sections of the same name merge
        (
            "a = 1\n[s]\nb=2\n[t]\nc=3\n[s]\nd=4\n",
            {"a": "1", "s": {"b": "2", "d": "4"}, "t": {"c": "3"}},
        ),
        # the last value of a key wins
        ("a=1\na=2\n", {"a": "2"}),
        # an unquoted value ends at the first `;` or `#` that is not escaped
        ("a = x ; note\nb = y#z\nc = p\\;q\\#r\n", {"a": "x", "b": "y", "c": "p;q#r"}),
        # other backslashes stay as written
        ("path = C:\\dir\\n\n", {"path": "C:\\dir\\n"}),
        # quoted values are read as JSON where they are JSON; single quotes are dropped first
        (
            "a = \"x ; y\"\nb = '\"q\"'\nc = '123'\nd = \"123\"\ne = 'it'\n",
            {"a": "x ; y", "b": "q", "c": 123, "d": "123", "e": "it"},
        ),
        # true, false and null are JSON values, even quoted; a key without `=` is true
        (
            'a = true\nb = "false"\nc = null\nflag\n',
            {"a": True, "b": False, "c": None, "flag": True},
        ),
        # `key[]` collects a list; a plain key after it keeps appending
        ("xs[] = 1\nxs[] = 2\nxs = 3\n", {"xs": ["1", "2", "3"]}),
        # a dotted section nests; `\.` keeps a literal dot
        (
            "[a.b]\nx=1\n[a]\ny=2\n[c\\.d]\nz=3\n",
            {"a": {"y": "2", "b": {"x": "1"}}, "c.d": {"z": "3"}},
        ),
        # comment lines, blank lines and CRLF line ends
        ("; top\r\n# also\r\n\r\n   \r\n[s]\r\nk=v\r\n", {"s": {"k": "v"}}),
        # indented lines are lines of their own (no continuation lines), and a line that
        # starts with `=` or holds an unclosed `[` is read as the package reads it
        ("a=1\n  b = 2\n=skipped\n[open\n", {"a": "1", "b": "2", "[open": True}),
        # `__proto__` is refused as a key and as a section
        ("__proto__ = 1\n[__proto__]\nk=v\n[ok]\nk=v\n", {"ok": {"k": "v"}}),
    ],
)
def test_ini_rules(text: str, expected: dict[str, object]) -> None:
    assert parse_ini(text) == expected


def test_ini_value_edges_use_javascripts_idea_of_space() -> None:
    # U+FEFF is space to JavaScript's trim, U+001F is not (Python's strip disagrees on both).
    assert parse_ini("a = \ufeffx\ufeff\nb = \x1fy\x1f\n") == {"a": "x", "b": "\x1fy\x1f"}


def test_file_directive_reads_ini_as_stacktape_does(tmp_path: Path) -> None:
    (tmp_path / "app.ini").write_text(
        "[db]\nhost = h ; primary\nport = 5432\nreplicas[] = r1\nreplicas[] = r2\n"
    )
    ctx = DirectiveContext(config_dir=tmp_path)
    assert prop("$File('app.ini').db.host", ctx) == ("h", [])
    assert prop("$File('app.ini').db.replicas", ctx) == (["r1", "r2"], [])


@given(st.text(alphabet=st.sampled_from("ab=[].;#\\'\" \t\r\n\u2028\ufeff_proto"), max_size=60))
def test_ini_never_fails(text: str) -> None:
    # The package skips what it cannot read, so no file is "not a valid INI file".
    result = parse_ini(text)
    assert isinstance(result, dict)
