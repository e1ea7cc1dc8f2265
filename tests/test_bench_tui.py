"""bench_tui's dialog figures are what a terminal shows: its `Terminal` replays Textual's
writes cell by cell (a frame written again, unchanged, changes nothing), and an opening
ends with the dialog drawn, not with Pilot's wait for the app to go idle."""

from __future__ import annotations

import asyncio

import tui_support  # noqa: F401  (pins the environment before Textual loads)
from test_benchmarks import load


def test_the_terminal_counts_a_change_only_where_a_cell_shows_something_else() -> None:
    bench = load("bench_tui")
    terminal = bench.Terminal()
    frame = "\x1b[1;1H\x1b[1;31mab\x1b[0m\n\x1b[2;3Hc"
    assert terminal.feed(frame)
    assert terminal.cells[0, 0] == ("a", "\x1b[1;31m") and terminal.cells[2, 1] == ("c", "")
    assert not terminal.feed(frame)
    # The same character in another colour, or another one in the same colour, is a change.
    assert terminal.feed("\x1b[1;2H\x1b[32mb")
    assert terminal.feed("\x1b[1;2H\x1b[32mx")
    # A wide character takes two columns: what follows it is written after both.
    assert terminal.feed("\x1b[0m\x1b[3;1H日x")
    assert terminal.cells[2, 2] == ("x", "")


def test_an_opening_ends_with_the_dialogs_last_change_before_pilot_returns() -> None:
    bench = load("bench_tui")
    times = asyncio.run(bench.dialog_times(("s",), rounds=2, tabs=2))
    assert len(times.opening) == len(times.closing) == 2
    assert len(times.tabbing) == 4
    for shown in times.opening + times.tabbing + times.closing:
        assert 0 < shown.first <= shown.last < shown.pilot
        assert shown.frames >= 1 and shown.cpu > 0 and shown.sent > 0
    # A tab writes the fields it moves between; an opening, the whole dialog.
    assert max(t.sent for t in times.tabbing) < min(t.sent for t in times.opening)
