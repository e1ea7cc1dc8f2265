"""Bash's ANSI-C quoting `$'...'` in the command language: its escapes as bash reads them,
the escapes refused with their column and a hint, and the round trip of any text through
the quoted form that completion, dialogs, the session log and recorded scripts write."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from pygments.token import String
from test_command_lines import sent_bodies

from stptui.commands import REGISTRY, CommandError, Session, execute
from stptui.commands.quoting import ansi_c_quoted, decode, field_text, field_value
from stptui.commands.registry import format_line, open_quote, quote_word, tokenize
from stptui.commands.script import read_script, run_script
from stptui.repl.lexer import lexer_for
from stptui.repl.validator import check
from stptui.repl.words import read_words
from stptui.sim.clock import parse_instant
from stptui.textsafe import ESCAPED

ROOT = Path(__file__).resolve().parents[1]
JOB_QUEUE = ROOT / "stptui" / "sample_stacks" / "job-queue"
T0 = parse_instant("2026-01-05T08:00:00Z")


@pytest.fixture
def session() -> Session:
    return Session.open(JOB_QUEUE, start_ms=T0)


# -- reading ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "word"),
    [
        (r"$'a\tb'", "a\tb"),
        (r"$'\n\r\a\b\f\v'", "\n\r\a\b\f\v"),
        (r"$'\e[31m\E'", "\x1b[31m\x1b"),
        (r"$'\\ \' \" \?'", "\\ ' \" ?"),
        (r"$'\x41\x4g'", "A\x04g"),  # one or two hex digits, as many as there are
        (r"$'\x41B'", "AB"),
        (r"$'\u202e'", "\u202e"),
        (r"$'\u41'", "A"),
        (r"$'\U0001F600'", "\U0001f600"),
        (r"$'\0'", "\x00"),
        (r"$'\101\0101'", "A\x081"),  # bash's \nnn: at most three octal digits
        (r"$'\cA\c[\c?'", "\x01\x1b\x7f"),
        ("$'é\u00a0'", "é\u00a0"),  # anything else is itself
        (r"a$'\t'b", "a\tb"),  # one part of a word
        (r"'$'\t", "$t"),  # inside single quotes, `$` is itself; then `\t` is a plain `t`
        (r"$x", "$x"),  # a `$` not before `'` is a plain character
        (r'"$\'x"', "$\\'x"),  # inside double quotes too
    ],
)
def test_escapes_read_as_bash_reads_them(typed: str, word: str) -> None:
    assert tokenize(f"send q {typed}") == ["send", "q", word]


@pytest.mark.parametrize(
    ("typed", "message", "column", "hint"),
    [
        (r"$'\q'", "\\q is no escape", 17, "write \\\\ for a backslash itself"),
        (r"$'ab\x'", "\\x needs one or two hex digits", 19, "\\x1b"),
        (r"$'\u'", "\\u needs one to four hex digits", 17, "\\u202e"),
        # Braces (`\u{41}` in JavaScript and Rust) are no part of bash's escape.
        (r"$'\u{41}'", "\\u needs one to four hex digits", 17, "braces: write \\u0041"),
        (r"$'\u{1F600}x'", "\\u needs one", 17, "braces: write \\U0001f600"),
        # A pair written as UTF-16 writes it (JSON's, JavaScript's form): the code point.
        (r"$'\ud83d\ude00'", "\\ud83d\\ude00 is a surrogate pair", 17, "\\U0001f600"),
        (r"$'\U00110000'", "\\U00110000 is past U+10FFFF", 17, "10ffff"),
        (r"$'\400'", "\\400 is past \\377", 17, "\\u0100"),
        (r"$'\c1'", "\\c needs a letter", 17, "\\cA"),
        ("$'a\\\nb'", "a backslash before a line break is no escape", 18, "\\n"),
    ],
)
def test_an_escape_that_names_no_character_is_refused_at_its_column(
    session: Session, typed: str, message: str, column: int, hint: str
) -> None:
    line = f"send jobQueue {typed}"
    assert line[column - 1] == "\\"
    with pytest.raises(CommandError) as info:
        execute(session, line)
    assert message in info.value.message
    assert f"(column {column})" in info.value.message
    assert hint in (info.value.hint or "")
    assert sent_bodies(session) == [] and session.log == []


def test_the_repl_checks_an_escape_as_it_is_typed(session: Session) -> None:
    problem = check(session, r"send jobQueue $'ok\q'", final=False)
    assert problem is not None
    assert "\\q is no escape" in problem.message and problem.position == 18
    assert check(session, r"send jobQueue $'ok\t'") is None


def test_an_open_ansi_c_quote_goes_on_on_the_next_line(session: Session, tmp_path: Path) -> None:
    assert open_quote(r"send q $'a\'b") == "$'"
    assert read_words(r"send q $'a\'b").open
    with pytest.raises(CommandError) as info:
        tokenize("send q $'abc")
    assert "the $' at column 8 is never closed" in (info.value.hint or "")
    path = tmp_path / "s.stp"
    path.write_text("send jobQueue $'{\\t\\'a\\':\n1}'\nsend jobQueue b\n", encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    assert run_script(session, read_script(str(path)), "s.stp", out, err) == 0, err.getvalue()
    assert sent_bodies(session) == ["{\t'a':\n1}", "b"]


def test_the_highlighter_shows_an_ansi_c_string_as_one_string() -> None:
    lexer = lexer_for(REGISTRY.commands, ["jobQueue"])()
    tokens = [(t, v) for t, v in lexer.get_tokens(r"send jobQueue $'it\'s # no comment'")]
    assert (String.Escape, r"$'it\'s # no comment'") in tokens


# -- writing: any text round-trips -----------------------------------------------------------

# Text rich in what quoting must get right: quotes, backslashes, `$`, escapes' letters and
# digits, separators, controls and invisible characters, lone surrogates (a high one before a
# low one too), and any character at all.
HARD = st.text(
    alphabet=st.sampled_from(
        list("'\"\\$ #\t\n\r\x00\x1b\x7f\x9b\u202e\u2028\ufeffaxu0\xa0é\ud83d\ude00\udcff")
    )
    | st.characters(),
    max_size=30,
)


def test_a_name_holding_a_lone_surrogate_is_typed_back_as_it_is_shown() -> None:
    # Python reads an undecodable byte of a file name as one (U+DC80-U+DCFF); stptui shows
    # it as its escape, and that escape, typed, is the name.
    quoted = quote_word("key\udcff")
    assert quoted == "$'key\\udcff'"
    assert ESCAPED.search(quoted) is None
    assert tokenize(f"upload uploads {quoted} --content x") == [
        "upload",
        "uploads",
        "key\udcff",
        "--content",
        "x",
    ]
    # A high surrogate before a low one is two code units, not the character they pair to.
    assert quote_word("\ud83d\ude00") == "$'\\ud83d\\U0000de00'"
    assert tokenize(quote_word("\ud83d\ude00")) == ["\ud83d\ude00"]


@given(HARD)
def test_the_quoted_form_of_any_text_reads_back_as_it(word: str) -> None:
    quoted = quote_word(word)
    assert tokenize(quoted) == [word]
    # What the completion, a dialog or the log writes shows every character, on one line.
    assert ESCAPED.search(quoted) is None and "\n" not in quoted and "\t" not in quoted
    assert decode(ansi_c_quoted(word)[2:-1]) == word


@given(HARD)
@example("$'x'")  # a key that is itself a whole $'...' is quoted, not read as one
@example("a\u202erch/\x1b]8;;http://e.vil/\x07r.csv")
def test_a_field_s_text_for_any_value_reads_back_as_it(value: str) -> None:
    # What the restore dialog puts into its key field: printable, on one line, the value.
    text = field_text(value)
    assert field_value(text) == value
    assert ESCAPED.search(text) is None and "\n" not in text and "\t" not in text
    if ESCAPED.search(value) is not None:
        assert text == quote_word(value)  # as completion offers it


def test_a_field_reads_a_whole_ansi_c_quote_and_nothing_else() -> None:
    assert field_value(r"$'a\tb'") == "a\tb"
    assert field_value("reports/2025.csv") == "reports/2025.csv"
    # Only a quote that is the whole field: a `$'` inside a key is the key's own.
    assert field_value(r"x$'a\tb'") == r"x$'a\tb'"
    assert field_value(r"$'a'b'") == r"$'a'b'"


@given(st.lists(HARD, max_size=4), st.lists(HARD, max_size=2))
def test_a_line_a_dialog_writes_reads_back_as_its_values(
    values: list[str], opts: list[str]
) -> None:
    line = format_line("send", values, [("--delay", v) for v in opts])
    options = [w for v in opts for w in ("--delay", v)]
    if any(v.startswith("--") for v in values):
        assert tokenize(line) == ["send", *options, "--", *values]
    else:
        assert tokenize(line) == ["send", *values, *options]


@given(st.lists(HARD, min_size=1, max_size=4))
def test_read_words_reads_quoted_words_as_tokenize_does(words: list[str]) -> None:
    line = " ".join(quote_word(w) for w in words)
    assert [w.text for w in read_words(line).words] == tokenize(line) == words


@given(st.text(alphabet="ab\\\"' $nt#\t", max_size=14))
@example('x "a\\d"')  # inside double quotes a backslash before `d` stays
@example('"\\\'"')
def test_read_words_reads_any_line_tokenize_reads_as_it_does(line: str) -> None:
    # What the REPL completes and checks as it is typed is what runs.
    try:
        words = tokenize(line)
    except CommandError:
        return
    assert [w.text for w in read_words(line).words] == words


# -- the session log and recorded scripts ----------------------------------------------------


def test_a_logged_line_writes_invisible_characters_as_escapes(session: Session) -> None:
    execute(session, "send jobQueue 'pay\u202eload' --delay 1s")
    execute(session, "send jobQueue $'tab\\there'")
    execute(session, "send jobQueue 'plain\ttab'")
    assert session.log == [
        "send jobQueue $'pay\\u202eload' --delay 1s",
        "send jobQueue $'tab\\there'",  # as typed
        "send jobQueue 'plain\ttab'",  # as typed: nothing in it is hidden
    ]


def test_a_recorded_script_replays_the_same_bytes(session: Session, tmp_path: Path) -> None:
    script = tmp_path / "run.stp"
    execute(session, f"record {script}")
    execute(session, "send jobQueue 'a\u202eb\u2028c\rd'")
    execute(session, "send jobQueue $'\\u2066x\\n'")
    text = script.read_text(encoding="utf-8")
    assert "send jobQueue $'a\\u202eb\\u2028c\\rd'\n" in text
    assert ESCAPED.search(text) is None
    again = Session.open(JOB_QUEUE, start_ms=T0)
    out, err = io.StringIO(), io.StringIO()
    assert run_script(again, read_script(str(script)), "run.stp", out, err) == 0, err.getvalue()
    assert sent_bodies(again) == sent_bodies(session) == ["a\u202eb\u2028c\rd", "\u2066x\n"]


def test_a_saved_session_loads_the_same_bodies(session: Session, tmp_path: Path) -> None:
    execute(session, "send jobQueue $'\\u202e\\x7f'")
    saved = session.save(tmp_path / "s.json")
    again = Session.open(JOB_QUEUE, start_ms=T0)
    execute(again, f"load {saved}")
    assert sent_bodies(again) == ["\u202e\x7f"]
