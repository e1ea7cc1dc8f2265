"""The terminal UI's launch draws the screen once, complete, after a few layouts: the main
screen holds its paints until the launch has settled (`stptui.tui.app.MainScreen`).
Textual drew a frame at each of the launch's layouts (six or seven, three of them for
resizes to the size the screen already had): five to nine frames, the first with an empty
Graph pane and no footer, each pane then drawn again as it filled itself for its width.

What the terminal shows is replayed cell by cell from what Textual writes, as bench_tui
measures the launch (item 9: its `TerminalSink` and `Terminal`)."""

from __future__ import annotations

import asyncio

import pytest
import tui_support  # noqa: F401  (pins the environment before Textual loads)
from test_benchmarks import load
from textual.screen import Screen
from tui_support import HANG_S, launched, screen_text, session

from stptui.tui import app as tui_app
from stptui.tui.app import StptuiApp

# The launch's layouts: the first, then those its widgets ask for as they fill themselves
# for their sizes (the Graph pane's diagram, the footer's keys, the queues' columns): four,
# five on a loaded machine when a request comes in after an update (it was six or seven).
MOST_LAYOUTS = 5


@pytest.mark.parametrize(
    ("name", "size"),
    [
        ("combined", (120, 36)),
        ("job-queue", (120, 36)),
        ("combined", (80, 24)),
        ("combined", (70, 22)),
    ],
)
def test_the_launch_draws_the_screen_once_and_complete(
    name: str, size: tuple[int, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    bench = load("bench_tui")
    # The hold is not cut short here, even on a loaded machine (tui_support).
    assert tui_app.LAUNCH_HOLD_LIMIT_S >= HANG_S
    # Each layout, and whether it was for a size (a resize, or the screen's first).
    layouts: list[bool] = []
    lay_out = Screen._refresh_layout

    def counted(self: Screen[object], size: object = None, scroll: bool = False) -> None:
        layouts.append(size is not None)
        lay_out(self, size, scroll)  # type: ignore[arg-type]

    monkeypatch.setattr(Screen, "_refresh_layout", counted)
    with bench.truecolor():
        app = StptuiApp(session(name))
    app.driver_class = bench.TerminalSink
    bench.TerminalSink.writes.clear()
    terminal = bench.Terminal()
    # The writes that changed the terminal's cells, the screen as drawn after them, whether
    # drawing it whole again changed any, and the layouts to the launch's frame.
    shown: list[str] = []
    drawn: list[str] = []
    again: list[bool] = []
    laid_out: list[bool] = []

    async def main() -> None:
        async with app.run_test(size=size, headless=False) as pilot:
            # Not paused first: Pilot's pause updates the screen itself, a layout of its own.
            await launched(app)
            laid_out.extend(layouts)
            await pilot.pause()
            shown.extend(data for _, _, data in bench.TerminalSink.writes if terminal.feed(data))
            bench.TerminalSink.writes.clear()
            drawn.append(screen_text(app))
            # Drawn whole again, the screen shows nothing other than the launch's frame did.
            app.screen.refresh()
            await pilot.pause()
            again.extend(terminal.feed(data) for _, _, data in bench.TerminalSink.writes)

    asyncio.run(main())
    frames = len(shown)
    assert frames == 1, f"the launch drew {frames} frames that changed the screen"
    assert not any(again), "the launch's frame differs from the screen drawn whole"
    # The frame is the panes filled: the Graph pane's diagram, the footer's keys.
    assert "nodes" in drawn[0] and "Quit" in drawn[0]
    # One for a size: the first (a resize to the size the screen has lays nothing out).
    assert sum(laid_out) == 1, f"{sum(laid_out)} layouts for a size"
    assert len(laid_out) <= MOST_LAYOUTS, f"{len(laid_out)} layouts to the launch's frame"
