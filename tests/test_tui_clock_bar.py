"""The clock bar at any width: the clock's state whole, the stack's name last, shortened
with an ellipsis when part of it fits, and never a word lost to a wrapped line."""

from __future__ import annotations

import asyncio

import pytest
import tui_support  # noqa: F401  (pins the environment before Textual loads)
from textual.app import App, ComposeResult
from textual.pilot import Pilot
from tui_support import START, app_for, drive

from stptui.tui.app import StptuiApp
from stptui.tui.widgets.clock_bar import MIN_NAME_CELLS, ClockBar, ClockState, clock_line

CLOCK = "2026-01-05 08:00:00.000 UTC   ⏸ paused   speed 1x  events 0"
NAME = "job-queue-demo-dev"


def state(
    stack: str = NAME, *, running: bool = False, speed: str = "1x", events: int = 0
) -> ClockState:
    """The bar's state at the fixed start instant."""
    return ClockState(stack, START, running, speed, events)


class BarApp(App[None]):
    """A clock bar alone."""

    def compose(self) -> ComposeResult:
        yield ClockBar()


def shown_on_a_bar(width: int) -> str:
    """The text a mounted clock bar shows on a terminal `width` columns wide."""

    async def main() -> str:
        app = BarApp()
        async with app.run_test(size=(width, 3)) as pilot:
            bar = app.query_one(ClockBar)
            bar.show(stack=NAME, now_ms=START, running=False, speed="1x", events=0)
            await pilot.pause()
            return bar.render_line(0).text

    return asyncio.run(main())


@pytest.mark.parametrize(
    ("width", "expected"),
    [
        (120, f"{CLOCK}  stptui {NAME}"),
        # Room for part of the name: it ends in an ellipsis, the clock is untouched.
        (80, f"{CLOCK}  stptui job-queue…"),
        # No room for the name: the gaps narrow so that the event count stays whole.
        (60, "2026-01-05 08:00:00.000 UTC  ⏸ paused  speed 1x events 0"),
        # At 40 columns: the seconds, the state's symbol, the speed and the count.
        (40, "2026-01-05 08:00:00  ⏸  1x 0 events"),
    ],
)
def test_a_mounted_bar_keeps_the_clock_whole_and_shortens_the_name(
    width: int, expected: str
) -> None:
    assert shown_on_a_bar(width).strip() == expected


def test_the_name_is_whole_when_it_fits_and_shortened_when_only_part_does() -> None:
    fits = len(f"{CLOCK}  stptui {NAME}")
    assert clock_line(state(), fits).plain == f"{CLOCK}  stptui {NAME}"
    assert clock_line(state(), fits - 1).plain == f"{CLOCK}  stptui job-queue-demo-d…"
    least = len(f"{CLOCK}  stptui ") + MIN_NAME_CELLS
    assert clock_line(state(), least).plain == f"{CLOCK}  stptui job…"


def test_the_name_is_left_out_with_its_label_when_hardly_any_of_it_fits() -> None:
    width = len(f"{CLOCK}  stptui ") + MIN_NAME_CELLS - 1
    assert clock_line(state(), width).plain == CLOCK
    # A name shorter than a stub still shows whole where it fits.
    assert clock_line(state("ab"), len(f"{CLOCK}  stptui ab")).plain == f"{CLOCK}  stptui ab"


@pytest.mark.parametrize(
    ("width", "expected"),
    [
        (66, "2026-01-05 08:00:00.000 UTC  ▶ running  speed 3600x events 12,345"),
        (62, "2026-01-05 08:00:00.000  ▶ running  speed 3600x events 12,345"),
        (58, "2026-01-05 08:00:00  ▶ running  speed 3600x events 12,345"),
        # Then the state's word and `speed` (a 40-column terminal keeps the rest whole).
        (43, "2026-01-05 08:00:00  ▶  3600x 12,345 events"),
        # Narrower than the shortest form: cut at the end, marked as cut.
        (40, "2026-01-05 08:00:00  ▶  3600x 12,345 ev…"),
    ],
)
def test_a_narrow_bar_sheds_gaps_then_the_zone_then_milliseconds(width: int, expected: str) -> None:
    line = clock_line(state(running=True, speed="3600x", events=12_345), width)
    assert line.plain == expected
    assert line.cell_len <= width


def test_a_name_is_text_with_its_control_characters_shown() -> None:
    hostile = "q[bold]x[/foo][@click=app.quit]\x1b[31m"
    line = clock_line(state(hostile), 200)
    assert line.plain.endswith("stptui q[bold]x[/foo][@click=app.quit]\\x1b[31m")
    # Wide characters count as two cells: the shortened name still fits the width.
    wide = clock_line(state("名前" * 20), 90)
    assert wide.cell_len <= 90 and wide.plain.endswith("…")


def test_the_app_fits_the_bar_again_when_the_terminal_is_resized() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        bar = app.query_one(ClockBar)
        assert bar.render_line(0).text.strip().endswith("stptui job-queue…")
        await pilot.resize_terminal(120, 30)
        await pilot.pause()
        assert bar.render_line(0).text.strip().endswith(f"stptui {NAME}")

    drive(app_for("job-queue"), script, size=(80, 24))
