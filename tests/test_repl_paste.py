"""Several lines pasted at the REPL's prompt (a bracketed paste): Enter runs each command in
order, as a shell does; a mistake found before they run runs none, and a command that
fails stops the rest, which come back at the prompt. None is dropped or run as one garbled
command."""

from __future__ import annotations

import io
import signal
from pathlib import Path

import pytest
from prompt_toolkit.application import create_app_session
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput
from pygments.token import Error, Keyword

from stptui.commands import REGISTRY, Session
from stptui.commands.result import make_console
from stptui.repl.app import Repl
from stptui.repl.lexer import lexer_for
from stptui.repl.validator import check
from stptui.repl.words import commands_in
from stptui.sim.clock import parse_instant
from tests.replkit import complete

ROOT = Path(__file__).resolve().parents[1]
STACK = ROOT / "stptui" / "sample_stacks" / "job-queue"
T0 = parse_instant("2026-01-05T08:00:00Z")
CTRL_C = "\x03"
CTRL_D = "\x04"


def paste(text: str) -> str:
    """The keys a terminal sends for `text` pasted with bracketed paste on."""
    return f"\x1b[200~{text}\x1b[201~"


@pytest.fixture(autouse=True)
def state_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("NO_COLOR", "1")


def type_into(keys: str) -> tuple[Session, Repl, str]:
    session = Session.open(STACK, start_ms=T0)
    out = io.StringIO()
    with create_pipe_input() as inp, create_app_session(input=inp, output=DummyOutput()):
        repl = Repl(session, console=make_console(file=out, width=120))
        inp.send_text(keys)
        assert repl.run() == 0
    return session, repl, out.getvalue()


def test_pasted_lines_run_each_in_order() -> None:
    keys = paste("send jobQueue a\nsend jobQueue b\nadvance 5s\n") + "\r" + CTRL_D
    session, _, out = type_into(keys)
    assert session.log == ["send jobQueue a", "send jobQueue b", "advance 5s"]
    echoed = [line for line in out.splitlines() if line.startswith("> ")]
    assert echoed == ["> send jobQueue a", "> send jobQueue b", "> advance 5s"]
    # Each command's output follows its own echo.
    assert out.index("> send jobQueue b") < out.index("to jobQueue", out.index("> send jobQueue b"))
    assert session.sim.trace.count("message.deleted", "jobQueue") == 2


def test_a_pasted_json_body_over_lines_is_one_command() -> None:
    keys = paste("send jobQueue '{\n  \"orderId\": 1\n}'\nadvance 5s") + "\r" + CTRL_D
    session, _, _ = type_into(keys)
    assert session.log == ["send jobQueue '{\n  \"orderId\": 1\n}'", "advance 5s"]


def test_a_mistake_on_any_pasted_line_runs_none() -> None:
    text = "send jobQueue a\nadvance 5s\nsend jobQeue b"
    session = Session.open(STACK, start_ms=T0)
    problem = check(session, text)
    assert problem is not None
    assert problem.format() == "line 3: no queue named 'jobQeue' (did you mean jobQueue?)"
    assert problem.position == text.index("jobQeue")
    # Enter is refused; Ctrl-C drops the paste.
    session, _, _ = type_into(paste(text) + "\r" + CTRL_C + CTRL_D)
    assert session.log == [] and session.sim.trace.seq == 0


def test_a_command_that_fails_stops_the_rest_which_come_back_at_the_prompt() -> None:
    text = "send jobQueue a\nexpect queue.jobQueue.depth == 5\nadvance 5s\nshow queues"
    # The failed expect stops the paste; Enter at the prompt runs the two left.
    session, _, out = type_into(paste(text) + "\r" + "\r" + CTRL_D)
    assert "expectation failed: expected queue.jobQueue.depth == 5, actual 1" in out
    assert "2 more pasted commands not run: at the prompt to edit and run with Enter" in out
    assert session.log == ["send jobQueue a", "advance 5s"]
    assert "deadLetterQueue" in out.split("> show queues")[1]


def test_ctrl_c_drops_the_commands_that_came_back() -> None:
    text = "send jobQueue a\nexpect queue.jobQueue.depth == 9\nadvance 5s"
    session, _, _ = type_into(paste(text) + "\r" + CTRL_C + CTRL_D)
    assert session.log == ["send jobQueue a"]


def test_the_commands_of_a_paste() -> None:
    assert commands_in("a 1\n\n# note\nb 2 # why\n") == [(0, "a 1"), (12, "b 2 # why")]
    # A line break inside a quote, a bracket or after a backslash belongs to the command.
    assert commands_in("send q {\n1}\nx") == [(0, "send q {\n1}"), (12, "x")]
    assert commands_in("send q 'a\nb'\nx") == [(0, "send q 'a\nb'"), (13, "x")]
    assert commands_in("send q a\\\nb\nx") == [(0, "send q a\\\nb"), (12, "x")]
    # A `#` inside a word starts no comment, and a comment ends at its line.
    assert commands_in("send q a#{\nx") == [(0, "send q a#{\nx")]
    assert commands_in("send q # {\nx") == [(0, "send q # {"), (11, "x")]


def test_a_comment_line_pasted_before_a_command_leaves_it_to_run() -> None:
    session, _, _ = type_into(paste("# the first order\nsend jobQueue a\n") + "\r" + CTRL_D)
    assert session.log == ["send jobQueue a"]
    problem = check(Session.open(STACK, start_ms=T0), "# first\nsend jobQeue a")
    assert problem is not None and problem.position == len("# first\nsend ")
    assert problem.message == "no queue named 'jobQeue'"


def test_completion_and_highlighting_read_each_pasted_command_alone() -> None:
    session = Session.open(STACK, start_ms=T0)
    # The cursor is in the second command: `adva` is a command name, not send's body.
    assert complete(session, "send jobQueue a\nadva") == ["advance"]
    assert complete(session, "send jobQueue a\nsend ") == ["deadLetterQueue", "jobQueue"]
    lexer = lexer_for(REGISTRY.commands, session.stack.resources)()
    text = "send jobQueue a\nadvnce 5s\nshow queues"
    tokens = list(lexer.get_tokens_unprocessed(text))
    assert "".join(v for _, _, v in tokens) == text
    verbs = [(v, t) for _, t, v in tokens if t in (Keyword, Error)]
    # Each line's verb is a verb; the misspelt one is marked as the first would be.
    assert verbs == [("send", Keyword), ("advnce", Error), ("show", Keyword)]


def test_ctrl_c_between_two_pasted_commands_stops_the_rest(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    session = Session.open(STACK, start_ms=T0)
    out = io.StringIO()
    with create_pipe_input() as inp, create_app_session(input=inp, output=DummyOutput()):
        repl = Repl(session, console=make_console(file=out, width=120))
        echo = repl.printer.echo

        def echo_then_ctrl_c(line: str) -> None:
            # The person presses Ctrl-C as the second command is about to run.
            echo(line)
            if line == "advance 5s":
                signal.raise_signal(signal.SIGINT)

        monkeypatch.setattr(repl.printer, "echo", echo_then_ctrl_c)
        left = repl.run_text("send jobQueue a\nadvance 5s\nshow queues")
    assert session.log == ["send jobQueue a"]
    assert left == "advance 5s\nshow queues"
    assert "2 more pasted commands not run" in out.getvalue()
