"""Reading command lines: the tokenizer (shell rules, as `shlex.split` in POSIX mode, in
linear time), `#` comments at the start of a word only, script and piped input split at
"\\n" only, and what `expect` says when its line is incomplete."""

from __future__ import annotations

import io
import shlex
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pygments.token import Comment

from stptui.commands import REGISTRY, CommandError, Session, execute
from stptui.commands.registry import (
    ESCAPED_LINE_BREAK,
    command_text,
    open_quote,
    strip_comment,
    tokenize,
)
from stptui.commands.script import read_script, run_script, split_lines
from stptui.repl import run_piped
from stptui.repl.lexer import lexer_for
from stptui.sim.clock import parse_instant

ROOT = Path(__file__).resolve().parents[1]
JOB_QUEUE = ROOT / "stptui" / "sample_stacks" / "job-queue"
T0 = parse_instant("2026-01-05T08:00:00Z")

# Characters that matter to the rules (quotes, backslash, the four separators), characters
# a shell treats specially but shlex does not ($, `), and line breaks and spaces that are
# not separators (U+2028, NBSP, \v, \f, U+0085). No `#`: shlex.split ignores comments.
# No `$'` either: bash's ANSI-C quoting, which shlex does not read (tests/test_ansi_c_quoting).
LINE_TEXT = st.text(
    alphabet=st.sampled_from(list(" \t\r\n'\"\\$`ab{}:\u2028\xa0\x0b\x0c\x85é")), max_size=40
).filter(lambda line: "$'" not in line)


@pytest.fixture
def session() -> Session:
    return Session.open(JOB_QUEUE, start_ms=T0)


def split(line: str) -> list[str] | str:
    """The words of `line`, or the error message when it cannot be split."""
    try:
        return tokenize(line)
    except CommandError as exc:
        return exc.message


def shlex_split(line: str) -> list[str] | str:
    """What `shlex.split` made of `line`, as the language read it before."""
    try:
        return shlex.split(line)
    except ValueError as exc:
        return f"cannot split the line: {str(exc).lower()}"


def sent_bodies(session: Session) -> list[str]:
    """The bodies of the messages sent so far (none has been received yet)."""
    sim = session.sim
    return [
        sim.find_message(r.data["message_id"]).body
        for r in sim.trace.since(0)
        if r.kind == "message.sent"
    ]


# -- the tokenizer ---------------------------------------------------------------------------


@given(LINE_TEXT)
def test_tokenize_splits_as_shlex_split_did(line: str) -> None:
    assert split(line) == shlex_split(line)


@given(LINE_TEXT, st.text(max_size=20))
def test_a_comment_after_whitespace_is_dropped(line: str, comment: str) -> None:
    words = shlex_split(line)
    if isinstance(words, str):
        return  # a line that cannot be split: the `#` would be inside its quote
    assert split(f"{line} #{comment}") == words
    assert strip_comment(f"{line} #{comment}") == f"{line} "


@pytest.mark.parametrize(
    ("line", "words"),
    [
        ("send jobQueue a\\ #b", ["send", "jobQueue", "a #b"]),
        ("send jobQueue a\\ #b # a comment", ["send", "jobQueue", "a #b"]),
        ("send jobQueue abc#1", ["send", "jobQueue", "abc#1"]),
        ("send jobQueue 'a'#b", ["send", "jobQueue", "a#b"]),
        ("send jobQueue 'a # b' #c", ["send", "jobQueue", "a # b"]),
        ('send jobQueue "a # b"#c', ["send", "jobQueue", "a # b#c"]),
        ("send jobQueue \\#b", ["send", "jobQueue", "#b"]),
        ("#send jobQueue a", []),
        ("   # only a comment", []),
        # Only space, tab, CR and LF separate words (and so begin one): shlex's rule.
        ("send jobQueue a\xa0#b", ["send", "jobQueue", "a\xa0#b"]),
        ("send jobQueue a\x0c#b", ["send", "jobQueue", "a\x0c#b"]),
        ("send jobQueue a\t#b", ["send", "jobQueue", "a"]),
    ],
)
def test_a_comment_begins_only_at_the_start_of_a_word(line: str, words: list[str]) -> None:
    assert tokenize(line) == words


def test_an_escaped_space_before_a_hash_sends_it(session: Session) -> None:
    execute(session, "send jobQueue a\\ #b")
    execute(session, "send jobQueue c\\ #d # a comment")
    assert sent_bodies(session) == ["a #b", "c #d"]
    assert session.log == ["send jobQueue a\\ #b", "send jobQueue c\\ #d"]


def test_the_highlighter_finds_the_same_comments() -> None:
    lexer = lexer_for(REGISTRY.commands, ["jobQueue"])()
    for line, comment in [
        ("send jobQueue a\\ #b # c", "# c"),
        ("send jobQueue abc#1 'x'#y", None),
        ("send jobQueue 'a' #c", "#c"),
    ]:
        found = [v for t, v in lexer.get_tokens(line) if t in Comment]
        assert found == ([comment] if comment else []), line


def test_strip_comment_and_open_quote_follow_the_same_rules() -> None:
    assert strip_comment("send q a\\ #b # c") == "send q a\\ #b "
    assert strip_comment("send q 'x # y") == "send q 'x # y"
    assert open_quote("send q 'x # y") == "'"
    assert open_quote("send q a\\ #b 'c") == "'"
    assert open_quote("send q a #b 'c") is None
    assert open_quote("x' # it's done", "'") is None
    assert open_quote('x\\" # ', '"') == '"'
    assert open_quote('x\\" # "', '"') is None
    assert open_quote("ends in a backslash\\", '"') == '"'
    # A backslash outside quotes at the end escapes the line break: the command goes on.
    assert open_quote("send q a\\") == ESCAPED_LINE_BREAK
    assert open_quote("send q a\\\\") is None


@pytest.mark.parametrize(
    ("line", "error"),
    [
        ("send q 'abc", "no closing quotation"),
        ('send q "abc', "no closing quotation"),
        ('send q "abc\\\\', "no closing quotation"),
        ('send q "abc\\"', "no closing quotation"),
        ('send q "abc\\', "no escaped character"),
        ("send q abc\\", "no escaped character"),
    ],
)
def test_unfinished_lines_give_the_errors_they_gave(line: str, error: str) -> None:
    with pytest.raises(CommandError) as info:
        tokenize(line)
    assert info.value.message == f"cannot split the line: {error}"
    # The hint says which quote is open, or what the backslash at the end does.
    quote = next((c for c in line if c in "'\""), "")
    expected = f"the {quote} at column" if quote else "a backslash at the end escapes nothing"
    assert info.value.hint and info.value.hint.startswith(expected)


def test_multi_megabyte_lines_are_split() -> None:
    # shlex took minutes on lines like these (it grew each word a character at a time).
    size = 8 * 1024 * 1024
    assert tokenize(f"http POST /jobs '{'a' * size}'") == ["http", "POST", "/jobs", "a" * size]
    escaped = 'x\\"y\\\\' * (size // 32)
    assert tokenize(f'send q "{escaped}" tail')[2:] == ['x"y\\' * (size // 32), "tail"]
    assert tokenize("send q " + "a\\ " * (size // 32)) == ["send", "q", "a " * (size // 32)]
    assert split(f"send q '{'a' * size}") == "cannot split the line: no closing quotation"


def test_a_one_mebibyte_body_goes_through_a_script(session: Session, tmp_path: Path) -> None:
    body = '{"data": "' + "a" * (1024 * 1024 - 12) + '"}'
    script = tmp_path / "big.stp"
    script.write_text(f"send jobQueue '{body}'\nexpect queue.jobQueue.depth == 1\n")
    out, err = io.StringIO(), io.StringIO()
    assert run_script(session, read_script(str(script)), str(script), out, err) == 0, err
    assert sent_bodies(session) == [body]


# -- lines -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "lines"),
    [
        ("", []),
        ("a", ["a"]),
        ("a\n", ["a"]),
        ("a\n\nb", ["a", "", "b"]),
        ("a\r\nb\r\n", ["a\r", "b\r"]),
        ("a\rb\n", ["a\rb"]),
        ("a\r\r\n", ["a\r\r"]),
        (
            "a\u2028b\u2029c\x85d\x0be\x0cf\x1cg\x1dh\x1ei\n",
            ["a\u2028b\u2029c\x85d\x0be\x0cf\x1cg\x1dh\x1ei"],
        ),
    ],
)
def test_split_lines_splits_at_newline_only(text: str, lines: list[str]) -> None:
    assert list(split_lines([text])) == lines
    # The same lines when the text comes in pieces, however it was cut.
    for cut in range(len(text) + 1):
        assert list(split_lines([text[:cut], text[cut:]])) == lines


SCRIPT = (
    "# a note\u2028send jobQueue injected\n"
    'send jobQueue \'{"t": "a\u2028b"}\'\r\n'
    "send jobQueue 'c\rd\x85e'\n"
    "send jobQueue 'f\r\ng'\r\n"
    "expect queue.jobQueue.depth == 3\r\n"
)
# The "\r\n" inside a quoted body is data, as a recording writes it; the others end lines.
BODIES = ['{"t": "a\u2028b"}', "c\rd\x85e", "f\r\ng"]
# An error on the fourth line as an editor counts lines (str.splitlines counted a ninth).
BAD = "# a\u2028b\u2029c\nadvance 1s # \x0c \x1c \x85\n\r\nsend jobQeue x\r\n"


def test_a_script_file_is_split_at_newline_only(session: Session, tmp_path: Path) -> None:
    script = tmp_path / "s.stp"
    script.write_bytes(SCRIPT.encode("utf-8"))
    out, err = io.StringIO(), io.StringIO()
    assert run_script(session, read_script(str(script)), "s.stp", out, err) == 0, err.getvalue()
    assert sent_bodies(session) == BODIES
    assert "injected" not in out.getvalue()


def test_a_script_file_reports_the_line_an_editor_shows(session: Session, tmp_path: Path) -> None:
    script = tmp_path / "bad.stp"
    script.write_bytes(BAD.encode("utf-8"))
    out, err = io.StringIO(), io.StringIO()
    assert run_script(session, read_script(str(script)), "bad.stp", out, err) == 2
    assert err.getvalue().startswith("bad.stp:4:6: error: no queue named 'jobQeue'")


def test_piped_repl_input_is_split_at_newline_only(session: Session) -> None:
    stdin = io.TextIOWrapper(io.BytesIO(SCRIPT.encode("utf-8")), encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    assert run_piped(session, stdin, out, err) == 0, err.getvalue()
    assert sent_bodies(session) == BODIES
    assert "injected" not in out.getvalue()


def test_piped_repl_input_reports_the_line_an_editor_shows(session: Session) -> None:
    stdin = io.TextIOWrapper(io.BytesIO(BAD.encode("utf-8")), encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    assert run_piped(session, stdin, out, err) == 2
    assert err.getvalue().startswith("<stdin>:4:6: error: no queue named 'jobQeue'")


# -- expect ----------------------------------------------------------------------------------

USAGE = "usage: expect PATH ... OP VALUE"


@pytest.mark.parametrize(
    ("line", "message", "hint"),
    [
        ("expect", "expect needs PATH", USAGE),
        ("expect == 0", "expect needs PATH", USAGE),
        # A path and nothing after it: the line completed with the path's value now.
        (
            "expect queue.jobQueue.depth",
            "expect needs OP",
            "add a comparison and a value, e.g. with the value now: "
            "expect queue.jobQueue.depth == 0",
        ),
        (
            "expect queue.jobQueue",
            "'queue.jobQueue' needs a statistic after it",
            "one of queue.jobQueue.visible, queue.jobQueue.in_flight, queue.jobQueue.delayed, "
            "queue.jobQueue.depth",
        ),
        # A value with no comparison before it: the line with `==` there.
        (
            "expect queue.jobQueue.depth 0",
            "expect needs OP",
            "put a comparison before the value: expect queue.jobQueue.depth == 0",
        ),
        (
            "expect count message.sent 1",
            "expect needs OP",
            "put a comparison before the value: expect count message.sent == 1",
        ),
        (
            "expect count message.sent jobQueue 1",
            "expect needs OP",
            "put a comparison before the value: expect count message.sent jobQueue == 1",
        ),
        (
            "expect time 2026-01-05T08:00:00Z",
            "expect needs OP",
            "put a comparison before the value: expect time == 2026-01-05T08:00:00Z",
        ),
        # A last word that is no value gets no `==` before it.
        (
            "expect count message.sent jobQueue",
            "expect needs OP",
            "add a comparison and a value, e.g. with the value now: "
            "expect count message.sent jobQueue == 0",
        ),
        ("expect queue.jobQueue.depth ==", "expect needs VALUE", USAGE),
        ("expect count message.sent ==", "expect needs VALUE", USAGE),
        ("expect count message.sent jobQueue >=", "expect needs VALUE", USAGE),
        (
            "expect queue.jobQueue.depth == 1 2",
            "expect: unexpected 2",
            "write just `expect queue.jobQueue.depth == 1`",
        ),
        (
            "expect count message.sent == 1 2 3",
            "expect: unexpected 2 3",
            "write just `expect count message.sent == 1`",
        ),
        # A word of comparison characters is a misspelt OP, not a missing one.
        ("expect queue.jobQueue.depth =! 0", "unknown comparison '=!'", "did you mean !=?"),
        ("expect queue.jobQueue.depth !! 0", "unknown comparison '!!'", "use one of"),
    ],
)
def test_expect_says_what_is_missing_or_extra(
    session: Session, line: str, message: str, hint: str
) -> None:
    with pytest.raises(CommandError) as info:
        execute(session, line)
    assert info.value.message == message
    assert (info.value.hint or "").startswith(hint)


def test_expect_still_reads_every_form(session: Session) -> None:
    for line in (
        "expect queue.jobQueue.depth == 0",
        "expect count message.sent == 0",
        "expect count message.sent jobQueue <= 0",
        "expect time == 2026-01-05T08:00:00Z",
    ):
        assert execute(session, line).data["ok"] is True, line


def test_completion_splits_words_where_the_tokenizer_does() -> None:
    from stptui.repl.words import read_words

    for line in ("send q a\xa0b", "send q a\u2028b c", "send\tq  'x y' z"):
        assert [w.text for w in read_words(line).words] == tokenize(line)


# -- what of a line is the command (what logs, recordings and scripts keep) -----------------


@given(LINE_TEXT | LINE_TEXT.map(lambda s: s + " # note"))
def test_the_command_text_reads_as_the_same_words_as_the_line(line: str) -> None:
    assert split(command_text(line)) == split(line)


@pytest.mark.parametrize(
    ("line", "text"),
    [
        ("  send q a  # note", "send q a"),
        ("send q café\xa0", "send q café\xa0"),  # a no-break space is data, not a separator
        ("send q a\u2028\t", "send q a\u2028"),
        ("send q abc\\ ", "send q abc\\ "),  # the escaped space is the body's last character
        ("send q abc\\\\ ", "send q abc\\\\"),  # an escaped backslash, then a separator
        ("send q 'a b'\r\n", "send q 'a b'"),
    ],
)
def test_the_command_text_drops_only_comments_and_separators(line: str, text: str) -> None:
    assert command_text(line) == text


@pytest.mark.parametrize(
    ("typed", "body"),
    [
        ("send jobQueue café\xa0", "café\xa0"),
        ("send jobQueue abc\\ ", "abc "),
        ("send jobQueue 'x'\u2028", "x\u2028"),
    ],
)
def test_what_a_session_logs_replays_to_the_same_body(typed: str, body: str) -> None:
    live = Session.open(JOB_QUEUE, start_ms=T0)
    execute(live, typed)
    assert sent_bodies(live) == [body]
    again = Session.open(JOB_QUEUE, start_ms=T0)
    for line in live.log:
        execute(again, line)
    assert sent_bodies(again) == [body]


@pytest.mark.parametrize(
    ("script", "bodies"),
    [
        ("send jobQueue abc\xa0\n", ["abc\xa0"]),
        # A backslash before the line break escapes it, as in a line typed in the REPL.
        ("send jobQueue {a\\\nb}\nsend jobQueue c\n", ["{a\nb}", "c"]),
        ("send jobQueue {a\\\r\nb}\r\n", ["{a\nb}"]),
        ("send jobQueue a\\\n\\\nb\n", ["a\n\nb"]),
    ],
)
def test_a_script_keeps_data_at_line_ends(
    session: Session, tmp_path: Path, script: str, bodies: list[str]
) -> None:
    path = tmp_path / "s.stp"
    path.write_bytes(script.encode("utf-8"))
    out, err = io.StringIO(), io.StringIO()
    assert run_script(session, read_script(str(path)), "s.stp", out, err) == 0, err.getvalue()
    assert sent_bodies(session) == bodies


def test_a_backslash_on_the_last_line_is_still_an_error(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "s.stp"
    path.write_text("send jobQueue a\\\n", encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    assert run_script(session, read_script(str(path)), "s.stp", out, err) == 2
    assert "no escaped character" in err.getvalue()
    assert sent_bodies(session) == []
