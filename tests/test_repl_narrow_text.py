"""The REPL's text in a narrow terminal: a line too long for the console wraps under its own
text (a hanging indent), so `help`'s two columns and an error's hint stay readable at 60
columns instead of running back to the left margin."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from prompt_toolkit.history import InMemoryHistory

from stptui.commands import CommandError, CommandResult, Session
from stptui.commands.result import make_console
from stptui.repl.app import Repl
from stptui.repl.printer import Printer
from stptui.sim.clock import parse_instant

ROOT = Path(__file__).resolve().parents[1]
STACK = ROOT / "stptui" / "sample_stacks" / "job-queue"


@pytest.fixture(autouse=True)
def no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")


def printed(width: int, text: str) -> list[str]:
    out = io.StringIO()
    Printer(make_console(file=out, width=width)).result(CommandResult(text))
    return [line.rstrip() for line in out.getvalue().splitlines()]


def test_help_keeps_its_two_columns_at_60_columns() -> None:
    out = io.StringIO()
    repl = Repl(
        Session.open(STACK, start_ms=parse_instant("2026-01-05T08:00:00Z")),
        console=make_console(file=out, width=60),
        history=InMemoryHistory(),
    )
    repl.run_line("help all")
    lines = out.getvalue().splitlines()
    i = next(i for i, line in enumerate(lines) if line.startswith("  invoke "))
    # The names' column is as wide as the longest name, `send-task-heartbeat`.
    assert lines[i].rstrip() == "  invoke               Invoke a function synchronously and"
    assert lines[i + 1].rstrip() == "                       run the clock until it returns."
    # Every line fits, and none but a topic's heading starts at the margin.
    assert all(len(line.rstrip()) <= 60 for line in lines)
    headings = [line for line in lines if line and not line.startswith(" ")]
    assert all(h.endswith(":") or h.startswith("Type `help") for h in headings), headings


def test_a_long_line_wraps_under_its_own_indent() -> None:
    text = "  BODY     " + "word " * 12 + "\n    hint: " + "more " * 12
    assert printed(40, text) == [
        "  BODY     word word word word word word",
        "           word word word word word word",
        "    hint: more more more more more more",
        "          more more more more more more",
    ]


def test_lines_that_fit_are_printed_as_they_are() -> None:
    text = "now 2026-01-05T08:00:10.000Z (+10 s)\n  -> worker"
    assert printed(60, text) == text.splitlines()


def test_an_indent_too_deep_for_the_terminal_wraps_at_the_margin() -> None:
    # Hanging under column 30 of a 36-column console would leave 6 columns a line.
    text = " " * 30 + "a long value that cannot fit here"
    lines = printed(36, text)
    assert lines[0].startswith(" " * 30 + "a")
    assert all(len(line) <= 36 for line in lines)
    assert any(not line.startswith(" ") for line in lines[1:])


def test_an_error_hint_hangs_under_its_text() -> None:
    out = io.StringIO()
    Printer(make_console(file=out, width=50)).error(
        CommandError("no queue named 'jobQeue'", "queues in this stack: " + "q, " * 12 + "z")
    )
    assert [line.rstrip() for line in out.getvalue().splitlines()] == [
        "error: no queue named 'jobQeue'",
        "    hint: queues in this stack: q, q, q, q, q, q,",
        "          q, q, q, q, q, q, z",
    ]


def test_an_option_with_its_value_is_one_first_column() -> None:
    text = "  --resources ARN,...  ARNs the event concerns, comma-separated"
    assert printed(50, text) == [
        "  --resources ARN,...  ARNs the event concerns,",
        "                       comma-separated",
    ]
