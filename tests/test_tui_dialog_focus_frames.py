"""A tab inside a dialog repaints the field the focus leaves and the one it enters, not the
whole screen (`stptui.tui.screens.modal.QuickModal`: Textual's Screen repaints itself whole
when the focus moves, a frame drawn before either field had taken in the change), and the
terminal then shows the dialog as drawn whole: nothing the focus change restyled is left
out of the frame (a button's colours, a picker's border, a folded section's tint).

What the terminal shows is replayed cell by cell from what Textual writes, as bench_tui
measures a dialog (its `TerminalSink` and `Terminal`)."""

from __future__ import annotations

import asyncio
import re

import pytest
import tui_support  # noqa: F401  (pins the environment before Textual loads)
from test_benchmarks import load
from textual.widget import Widget
from tui_support import launched, session

from stptui.tui.app import StptuiApp
from stptui.tui.screens.dialogs import MoreFields

# Dialogs with each kind of stop: inputs, text areas, pickers, a checkbox, buttons, a folded
# section's title (`h`), the fast-forward's fields (`f`).
KEYS = ("s", "h", "P", "i", "f")
# More than any of these dialogs has stops: a round and then some.
TABS = 14
CURSOR_MOVE = re.compile(r"\x1b\[(\d+);\d+H")
# Any other escape sequence: a colour, the cursor shown or hidden.
ESCAPE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")


def rows_written(data: str) -> set[int]:
    """The screen rows that `data` writes characters on: a cursor move alone (the cursor put
    at the focused field's) writes none."""
    moves = list(CURSOR_MOVE.finditer(data))
    ends = [move.start() for move in moves[1:]] + [len(data)]
    return {
        int(move.group(1)) - 1
        for move, end in zip(moves, ends[: len(moves)], strict=True)
        if ESCAPE.sub("", data[move.end() : end]).strip("\r\n")
    }


def rows_of(widgets: list[Widget]) -> set[int]:
    """The screen rows the widgets cover."""
    return {y for w in widgets for y in range(w.region.y, w.region.bottom)}


def repainted(focused: Widget) -> list[Widget]:
    """What a focus change on `focused` may repaint: the field, and a folded section it is
    in (its tint follows `:focus-within`)."""
    return [focused, *(a for a in focused.ancestors if isinstance(a, MoreFields))]


@pytest.mark.parametrize("size", [(120, 36), (70, 22)])
def test_a_tab_repaints_the_fields_it_moves_between_and_leaves_the_dialog_as_drawn_whole(
    size: tuple[int, int],
) -> None:
    bench = load("bench_tui")
    with bench.truecolor():
        app = StptuiApp(session("combined"))
    app.driver_class = bench.TerminalSink
    terminal = bench.Terminal()
    problems: list[str] = []

    def written() -> tuple[bool, set[int]]:
        """Replay what was written since: whether a cell changed, and the rows written."""
        changed, rows = False, set()
        for _, _, data in bench.TerminalSink.writes:
            changed |= terminal.feed(data)
            rows.update(rows_written(data))
        bench.TerminalSink.writes.clear()
        return changed, rows

    async def main() -> None:
        async with app.run_test(size=size, headless=False) as pilot:
            await pilot.pause()
            await launched(app)
            for key in KEYS:
                await pilot.press(key)
                await pilot.pause()
                dialog = app.screen
                frame = dialog.query_one(".dialog-box", Widget)
                written()
                for tab in range(TABS):
                    left = dialog.focused
                    assert left is not None, f"{key}: nothing focused"
                    scroll, before = frame.scroll_y, repainted(left)
                    await pilot.press("tab")
                    await pilot.pause()
                    entered = dialog.focused
                    assert entered is not None and entered is not left, f"{key}: tab {tab}"
                    changed, rows = written()
                    where = f"{key} at {size}, tab {tab} to {entered!r}"
                    if not changed:
                        problems.append(f"{where}: the screen showed no change")
                    # A dialog scrolled to the field is repainted whole, as a scroll is.
                    allowed = rows_of(before + repainted(entered))
                    if frame.scroll_y == scroll and not rows <= allowed:
                        problems.append(f"{where}: wrote rows {sorted(rows - allowed)}")
                    # Drawn whole again, the screen shows nothing other than it did.
                    dialog.refresh()
                    await pilot.pause()
                    if written()[0]:
                        problems.append(f"{where}: drawn whole, it showed something else")
                await pilot.press("escape")
                await pilot.pause()

    asyncio.run(main())
    assert not problems, "\n".join(problems)
