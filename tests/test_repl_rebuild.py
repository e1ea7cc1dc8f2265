"""The REPL's `undo`, `redo`, `reload` and `load`: a progress line for a long one, and Ctrl-C,
which cancels it, says so and leaves the session exactly as it was."""

from __future__ import annotations

import io
import signal
from collections.abc import Callable
from pathlib import Path

import pytest
from rich.console import Console

from stptui.commands import RebuildCancelled, RebuildProgress, Session, execute
from stptui.commands import rebuild as rebuild_module
from stptui.commands.result import make_console
from stptui.commands.session import trace_sha256
from stptui.repl.app import Progress, Repl
from stptui.repl.toolbar import Toolbar
from stptui.sim.clock import parse_instant

STACK = Path(__file__).resolve().parents[1] / "stptui" / "sample_stacks" / "job-queue"
T0 = parse_instant("2026-01-05T08:00:00Z")
LINES = ["repeat 2000 send jobQueue '{\"orderId\": {i}}'", "advance 1m", "send jobQueue x"]


def loaded() -> Session:
    session = Session.open(STACK, start_ms=T0)
    for line in LINES:
        execute(session, line)
    return session


@pytest.mark.parametrize(
    "press",
    [
        pytest.param(lambda r: signal.raise_signal(signal.SIGINT), id="sigint"),
        pytest.param(lambda r: r.interrupt(), id="interrupt"),
    ],
)
def test_ctrl_c_during_an_undo_cancels_it_and_says_so(
    press: Callable[[Repl], None], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rebuild_module, "PROGRESS_EVERY_S", 0.0)
    session = loaded()
    sim, digest, log = session.sim, trace_sha256(session.sim.trace), list(session.log)
    handler = signal.getsignal(signal.SIGINT)
    out = io.StringIO()
    repl = Repl(session, console=make_console(file=out, width=120))
    seen: list[RebuildProgress] = []
    original = Progress.rebuilding

    def rebuilding(self: Progress, progress: RebuildProgress) -> None:
        seen.append(progress)
        # Inside the repeat of 2,000: Ctrl-C there, not between two lines.
        if 0 < progress.done < 2000:
            press(repl)
        original(self, progress)

    monkeypatch.setattr(Progress, "rebuilding", rebuilding)
    assert repl.run_line("undo") is None
    assert "undo cancelled: the session is as it was" in out.getvalue()
    assert seen and seen[0].text() == "undoing: replaying 0 of 2,001 commands"
    assert session.sim is sim and trace_sha256(session.sim.trace) == digest
    assert session.log == log
    assert signal.getsignal(signal.SIGINT) is handler
    # And the next undo, left alone, runs to its end.
    monkeypatch.setattr(Progress, "rebuilding", original)
    assert repl.run_line("undo") is not None
    assert session.log == LINES[:2]


def test_the_progress_line_of_a_rebuild_says_how_far_and_how_to_cancel() -> None:
    session = Session.open(STACK, start_ms=T0)
    out = io.StringIO()
    console = Console(file=out, width=200, color_system=None)
    line = Progress(console, Toolbar(session), "undo", None)
    line.rebuilding(RebuildProgress("undo", 3120, 10004))
    console.print(line.render())
    shown = out.getvalue()
    assert "undoing: replaying 3,120 of 10,004 commands Ctrl-C cancels" in shown
    assert " 31%" in shown


def test_the_guide_shows_the_progress_line_and_the_cancel_as_they_are() -> None:
    guide = (Path(__file__).resolve().parents[1] / "docs" / "repl.md").read_text("utf-8")
    session = Session.open(STACK, start_ms=T0)
    out = io.StringIO()
    console = Console(file=out, width=100, color_system=None)
    line = Progress(console, Toolbar(session), "undo", None)
    line.rebuilding(RebuildProgress("undo", 3120, 10004))
    console.print(line.render())
    assert f"\n{out.getvalue()}" in guide
    cancelled = RebuildCancelled("undo").format()
    assert f"\nerror: {cancelled}\n" in guide


def test_ctrl_c_during_a_redo_cancels_it_and_what_to_redo_stays(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(rebuild_module, "PROGRESS_EVERY_S", 0.0)
    session = loaded()
    execute(session, "undo")
    sim, digest = session.sim, trace_sha256(session.sim.trace)
    out = io.StringIO()
    repl = Repl(session, console=make_console(file=out, width=120))
    seen: list[RebuildProgress] = []
    original = Progress.rebuilding

    def rebuilding(self: Progress, progress: RebuildProgress) -> None:
        seen.append(progress)
        if 0 < progress.done < 2000:
            repl.interrupt()
        original(self, progress)

    monkeypatch.setattr(Progress, "rebuilding", rebuilding)
    assert repl.run_line("redo") is None
    assert "redo cancelled: the session is as it was" in out.getvalue()
    # The log kept (a repeat of 2,000 and an advance) and the line to apply again.
    assert seen and seen[0].text() == "redoing: replaying 0 of 2,002 commands"
    assert session.sim is sim and trace_sha256(session.sim.trace) == digest
    assert session.log == LINES[:2] and session.undone == [LINES[2]]
    monkeypatch.setattr(Progress, "rebuilding", original)
    result = repl.run_line("redo")
    assert result is not None and result.text.startswith("redid 1 command")
    assert session.log == LINES
