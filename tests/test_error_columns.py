"""Errors about one word of a command line say where that word was typed: `file:line:col`
in `stptui run` (and a `source`d script's own line and column), the column in a JUnit
report's message, a caret under the word in the REPL, the word selected in the terminal
UI's command line. Columns count from 1, in characters as typed."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import tui_support  # noqa: F401  (pins the environment before Textual loads)
from rich.cells import cell_len
from textual.pilot import Pilot
from textual.widgets import Input
from tui_support import app_for, drive

from stptui.commands import CommandError, Session, execute
from stptui.commands.registry import Located
from stptui.commands.result import make_console
from stptui.commands.script import ScriptOptions, read_script, run_from_files, run_script
from stptui.repl.printer import Printer, caret_lines
from stptui.tui.app import StptuiApp
from stptui.tui.screens.command_line import CommandLineScreen

ROOT = Path(__file__).resolve().parents[1]
STACK = ROOT / "stptui" / "sample_stacks" / "job-queue" / "stacktape.yml"


@pytest.fixture
def session() -> Session:
    return Session.open(str(STACK))


def refused(session: Session, line: str) -> CommandError:
    """The error `line` is refused with; the simulation and its log are left as they were."""
    seq, log = session.sim.trace.seq, list(session.log)
    with pytest.raises(CommandError) as info:
        execute(session, line)
    assert (session.sim.trace.seq, session.log) == (seq, log)
    return info.value


def column(session: Session, line: str) -> int | None:
    """The 1-based column `line`'s error names, None for an error about the whole line."""
    located = refused(session, line).located
    if located is None:
        return None
    breaks, col = located.where()
    assert breaks == 0
    return col


def at(line: str, word: str) -> int:
    """The 1-based column of the first `word` in `line` (how the tests name columns)."""
    return line.index(word) + 1


# -- each kind of error about one word ---------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "word"),
    [
        ("send jobQuue hi", "jobQuue"),  # a name that is not in the stack
        ("invoke jobQueue", "jobQueue"),  # a name of another kind
        ("repeat 3 send nope hi", "nope"),  # in the command a repeat runs
        ("expect queue.jobQueue.depth == 0 --since 5q", "5q"),  # a bad duration
        ("advance 5x", "5x"),
        ("send jobQueue hi --delay 1500ms", "1500ms"),  # a bad value
        ("step abc", "abc"),
        ("http FETCH /", "FETCH"),
        ("until 2026-13-01", "2026-13-01"),
        ("send jobQueue hi --dely 1s", "--dely"),  # an unknown option
        ("sned jobQueue hi", "sned"),  # an unknown command
        ("help sned", "sned"),
        ("expect count message.sentt == 1", "message.sentt"),
        ("fail worker sometimes", "sometimes"),  # a word of an override's grammar
        ("cancel-repeat repeat-9", "repeat-9"),
        ("send jobQueue hi there", "there"),  # a word no argument takes
        ("succeed worker now", "now"),
        ("send jobQueue hi --delay 901s", "901s"),  # over SQS's 900 s
        ("send jobQueue hi --delay=16m", "16m"),
        ("fail worker next 3 4", "4"),  # an override's grammar
        ("fail worker next", "next"),
        ("fail worker always now", "now"),
        ("fail worker rate 0.3 0.4 0.5", "0.4"),
        ("fail worker rate", "rate"),
        ("fail worker when", "when"),
        ("fail worker when 'a ||'", "'a ||'"),
    ],
)
def test_an_error_about_one_word_names_its_column(session: Session, line: str, word: str) -> None:
    assert column(session, line) == at(line, word)


@pytest.mark.parametrize(
    ("line", "word"),
    [
        ("fire dailyReport 9", "9"),  # a schedule's index out of range
        ("pause dailyReport 2", "2"),
        ("fire schedule:dailyReport:9", "schedule:dailyReport:9"),
    ],
)
def test_a_schedule_index_out_of_range_names_its_column(line: str, word: str) -> None:
    combined = Session.open(str(ROOT / "stptui" / "sample_stacks" / "combined"))
    assert column(combined, line) == at(line, word)


def test_a_name_inside_a_path_is_pointed_at_where_it_is_in_the_path(session: Session) -> None:
    line = "expect queue.nope.depth == 0"
    assert column(session, line) == at(line, "nope")


def test_the_value_of_an_option_written_with_equals_is_pointed_at_after_it(
    session: Session,
) -> None:
    line = "send jobQueue hi --delay=5x"
    assert column(session, line) == at(line, "5x")


def test_an_option_given_twice_is_pointed_at_the_second_time(session: Session) -> None:
    line = "send jobQueue hi --delay 1s --delay 2s"
    assert column(session, line) == line.rindex("--delay") + 1


def test_a_word_no_argument_takes_is_pointed_at_not_the_body_that_reads_the_same(
    session: Session,
) -> None:
    line = "send jobQueue hi hi"
    assert column(session, line) == line.rindex("hi") + 1


def test_a_value_that_is_also_the_command_name_is_the_value(session: Session) -> None:
    line = "send send hi"
    assert column(session, line) == at(line, "send hi")


def test_an_error_about_the_whole_line_has_no_column(session: Session) -> None:
    assert column(session, "send jobQueue") is None  # a missing argument
    assert column(session, "expect queue.jobQueue.depth == 3") is None  # an expectation


# -- columns are characters as typed -----------------------------------------------------------


@pytest.mark.parametrize(
    "before",
    [
        "'it'\\''s'",  # quotes and an escaped quote between them
        '"say \\"hi\\""',  # escapes inside double quotes
        "$'\\e[31m\\u202e\\t'",  # an ANSI-C quoted word
        "'héllo wörld'",  # non-ASCII characters, one column each
        "日本語",  # wide characters are one column each too
    ],
)
def test_columns_count_the_characters_typed_before_the_word(session: Session, before: str) -> None:
    line = f"send jobQueue {before} --dely 1s"
    assert column(session, line) == at(line, "--dely")


def test_a_quoted_word_is_pointed_at_its_opening_quote(session: Session) -> None:
    line = "send jobQueue hi --delay $'5\\x71'"
    assert column(session, line) == at(line, "$'")


def test_leading_spaces_count(session: Session) -> None:
    line = "   \tsned q"
    assert column(session, line) == 5


def test_json_errors_point_at_the_character_where_the_reader_stopped(session: Session) -> None:
    line = """invoke worker '{"orderId": x}'"""
    assert column(session, line) == at(line, "x}")
    # Inside double quotes each escaped quote is two characters typed for one read.
    line = r'invoke worker "{\"orderId\": x}"'
    assert column(session, line) == at(line, "x}")
    line = r"invoke worker $'{\"orderId\":\t x}'"
    assert column(session, line) == at(line, "x}")
    # JSON that ends too early: the column is just past the word.
    line = """start-execution nope '{"a": 1'"""
    assert column(session, line) == at(line, "nope")  # the name is checked first
    line = """invoke worker '{"a": 1' --async"""
    assert column(session, line) == at(line, " --async")


def test_a_line_that_cannot_be_split_points_at_the_escape_or_the_open_quote(
    session: Session,
) -> None:
    line = "send jobQueue $'ab\\q'"
    assert column(session, line) == at(line, "\\q")
    line = "send jobQueue 'abc"
    assert column(session, line) == at(line, "'abc")


# -- stptui run ------------------------------------------------------------------------------


def run(session: Session, path: Path) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run_script(session, read_script(str(path)), path.name, out, err)
    return code, err.getvalue()


def test_run_names_line_and_column_as_compilers_do(session: Session, tmp_path: Path) -> None:
    script = tmp_path / "s.stp"
    script.write_text("advance 1s\n  \tsend jobQeue hi\n")
    assert run(session, script) == (
        2,
        "s.stp:2:9: error: no queue named 'jobQeue'\n    hint: did you mean jobQueue?\n",
    )


def test_run_keeps_line_alone_for_an_error_about_the_whole_line(
    session: Session, tmp_path: Path
) -> None:
    script = tmp_path / "s.stp"
    script.write_text("advance 1s\nsend jobQueue\n")
    code, err = run(session, script)
    assert (code, err.splitlines()[0]) == (2, "s.stp:2: error: send needs BODY")


def test_run_names_the_line_a_word_of_a_command_over_several_lines_is_on(
    session: Session, tmp_path: Path
) -> None:
    script = tmp_path / "s.stp"
    script.write_text('# an order\n  invoke worker \'{"orderId": 7,\n\t  "amount": 20,}\'\n')
    code, err = run(session, script)
    assert code == 2
    assert err.startswith("s.stp:3:17: error: InvalidRequestContentException: ")


def test_a_sourced_error_names_its_own_file_line_and_column(
    session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "inner.stp").write_text("advance 1s\n    advance 5q\n")
    (tmp_path / "outer.stp").write_text("advance 1s\nsource inner.stp\n")
    code, err = run(session, tmp_path / "outer.stp")
    assert code == 2
    # As a compiler names a line of an included file: a note at the line that sources it,
    # then the line at fault, at its own place, which a CI problem matcher marks.
    assert err.splitlines()[:2] == [
        "outer.stp:2: note: sources inner.stp",
        "inner.stp:2:13: error: advance: unknown unit 'q' in '5q'; use ms, s, m, h or d",
    ]


def test_the_junit_message_ends_with_the_column(tmp_path: Path) -> None:
    (tmp_path / "inner.stp").write_text("send jobQeue hi\n")
    # A kind is judged at its line's turn; a queue's name before the run, in a sourced
    # script too.
    (tmp_path / "outer.stp").write_text("  expect count message.sentt == 0\n")
    (tmp_path / "again.stp").write_text(f"source {tmp_path}/inner.stp\n")
    for script, message in [
        ("outer.stp", "unknown trace record kind 'message.sentt' (column 16)"),
        ("again.stp", "no queue named 'jobQeue' (column 6)"),
    ]:
        report = tmp_path / f"{script}.xml"
        opts = ScriptOptions(str(STACK), 0, script=str(tmp_path / script), junit=str(report))
        assert run_from_files(opts, io.StringIO(), io.StringIO()) == 2
        error = ET.parse(report).getroot().find("testsuite/testcase/error")
        assert error is not None and error.get("message") == message


# -- the REPL's caret --------------------------------------------------------------------------


def printed(session: Session, line: str, width: int = 80) -> list[str]:
    out = io.StringIO()
    printer = Printer(make_console(file=out, width=width, color_system=None))
    printer.error(refused(session, line))
    return out.getvalue().splitlines()


def test_the_repl_shows_the_line_with_a_caret_under_the_word(session: Session) -> None:
    assert printed(session, "send jobQuue hi") == [
        "error: no queue named 'jobQuue'",
        "    send jobQuue hi",
        "         ^~~~~~~",
        "    hint: did you mean jobQueue?",
    ]
    # An error about the whole line has none: the message and its hint.
    lines = printed(session, "send jobQueue")
    assert lines[0] == "error: send needs BODY" and lines[1].startswith("    hint: ")
    assert not any("^" in line for line in lines)


def caret(line: str, start: int, point: int, end: int, width: int = 80) -> tuple[str, str]:
    return caret_lines(Located(line, start, point, end), width)


def test_the_caret_stays_under_its_word_past_wide_characters_tabs_and_escapes() -> None:
    # 日本 takes four cells; the tab goes to column 8; ESC shows as \x1b, four cells.
    line = "send 日本 \t\x1b --dely"
    shown, under = caret(line, line.index("--"), line.index("--"), len(line))
    assert shown == "send 日本 \\x1b --dely".replace(" \\x1b", "       \\x1b")
    assert under.index("^") == cell_len(shown[: shown.index("--dely")])
    assert under.endswith("^~~~~~")
    assert "\x1b" not in shown and "\t" not in shown


def test_the_caret_marks_a_json_fault_inside_its_word() -> None:
    line = """invoke worker '{"a": x}'"""
    shown, under = caret(line, line.index("'"), line.index("x"), len(line))
    assert shown == line
    assert under == " " * line.index("'") + "~" * (line.index("x") - line.index("'")) + "^~~"


def test_the_caret_is_on_the_line_of_a_command_over_several_the_fault_is_on() -> None:
    line = """invoke worker '{"a": 1,\n  }'"""
    shown, under = caret(line, line.index("'"), line.index("}"), len(line))
    assert (shown, under) == ("  }'", "~~^~")


def test_a_long_line_is_cut_around_the_fault() -> None:
    line = "send jobQueue " + "x" * 300 + " --dely 1s " + "y" * 300
    shown, under = caret(line, line.index("--"), line.index("--"), line.index("--") + 6, 60)
    assert len(shown) <= 60 and shown.startswith("…") and shown.endswith("…")
    assert shown[under.index("^") :].startswith("--dely")


def test_markup_in_the_line_is_shown_as_typed(session: Session) -> None:
    lines = printed(session, "send '[bold red]x[/]' hi")
    assert lines[1] == "    send '[bold red]x[/]' hi"
    assert lines[2] == "         ^~~~~~~~~~~~~~~~"


# -- the terminal UI's command line ------------------------------------------------------------


def test_the_command_line_selects_the_word_at_fault() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press("colon", *" send jobQuue hi", "enter")
        assert isinstance(app.screen, CommandLineScreen)
        field = app.screen.query_one("#command-input", Input)
        assert field.value == " send jobQuue hi"
        assert field.selected_text == "jobQuue"
        # Typed over, the name is replaced and the line runs.
        await pilot.press(*"jobQueue", "enter")
        assert app.session.sim.queues["jobQueue"].messages
        # JSON that does not parse: the cursor goes where its reader stopped.
        line = """invoke worker '{"a": x}'"""
        field.value = line
        await pilot.press("enter")
        assert field.value == line and field.cursor_position == line.index("x}")
        assert not field.selected_text

    drive(app_for(), script)
