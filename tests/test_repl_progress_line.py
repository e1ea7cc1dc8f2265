"""The REPL's progress line shows the typed line as text: an escape sequence pasted into a
command (say in its comment) is shown as `\\x1b`, never sent to the terminal."""

from __future__ import annotations

import io
from pathlib import Path

from rich.console import Console

import stptui
from stptui.commands import Session
from stptui.repl.app import Progress
from stptui.repl.toolbar import Toolbar
from stptui.sim.clock import parse_instant

SAMPLE = Path(stptui.__file__).parent / "sample_stacks" / "job-queue"


def test_the_progress_line_shows_escapes_and_line_breaks_as_text() -> None:
    session = Session.open(SAMPLE, start_ms=parse_instant("2026-01-05T08:00:00Z"))
    out = io.StringIO()
    # No colour: any ESC in the output came from the line itself.
    console = Console(file=out, width=200, color_system=None)
    line = "advance 30d  # \x1b[2J\x1b]0;owned\x07\nsecond"
    console.print(Progress(console, Toolbar(session), line, None).render())
    shown = out.getvalue()
    assert "\x1b" not in shown and "\x07" not in shown
    assert "advance 30d  # \\x1b[2J\\x1b]0;owned\\x07\\nsecond" in shown
    assert shown.count("\n") == 1


def test_the_progress_line_keeps_the_command_and_percentage_at_80_columns() -> None:
    """At 80 columns the command and how far it has come are shown (the figures are cut
    first), and the line leaves two columns free: a `^C` echoed after a full line would
    wrap it, and the line's erasure would leave the line above on the screen."""
    session = Session.open(SAMPLE, start_ms=parse_instant("2026-01-05T08:00:00Z"))
    for width in (60, 80, 120):
        out = io.StringIO()
        console = Console(file=out, width=width, color_system=None)
        until = session.sim.clock.now + 30 * 86_400_000
        console.print(Progress(console, Toolbar(session), "advance 30d", until).render())
        shown = out.getvalue().rstrip("\n")
        assert shown.startswith("advance 30d ") and "  0% 2026-01-05 08:00:00.000Z" in shown
        assert len(shown.rstrip()) <= width - 2 and "\n" not in shown


def test_a_long_typed_command_is_cut_and_the_figures_still_show() -> None:
    session = Session.open(SAMPLE, start_ms=parse_instant("2026-01-05T08:00:00Z"))
    out = io.StringIO()
    console = Console(file=out, width=80, color_system=None)
    line = "repeat 100000 --every 1s send jobQueue '{\"orderId\": 1}'"
    console.print(Progress(console, Toolbar(session), line, None).render())
    shown = out.getvalue().rstrip()
    assert shown.startswith("repeat 100000 --ev… 2026-01-05 08:00:00.000Z 0 events")
