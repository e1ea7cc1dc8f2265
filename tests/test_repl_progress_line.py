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
