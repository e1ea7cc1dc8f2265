"""Pilot tests: a terminal resized while the app runs, or short. The footer's palette key
follows the width across 160 columns both ways, a dialog keeps the field being typed in
on screen when the terminal shrinks under it, and the command line's output fits its box
(and so scrolls to its end) on a short terminal."""

from __future__ import annotations

import pytest
import tui_support  # noqa: F401  (pins the environment before Textual loads)
from textual.containers import VerticalScroll
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets._footer import FooterKey
from tui_support import app_for, drive

from stptui.tui.app import StptuiApp
from stptui.tui.widgets.footer import StableFooter


def footer_keys(app: StptuiApp) -> list[str]:
    """The keys the footer shows, the palette's as `palette`."""
    keys = app.query_one(StableFooter).query(FooterKey)
    return [
        "palette" if k.has_class("-command-palette") else k.description for k in keys if k.display
    ]


def footer_letters(app: StptuiApp) -> list[str]:
    """The keys the footer shows, by key (a dialog's key may show without its words)."""
    return [k.key for k in app.query_one(StableFooter).query(FooterKey) if k.display]


def test_the_palette_key_follows_a_resize_across_160_columns() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        assert footer_keys(app)[-1] == "palette"
        await pilot.resize_terminal(120, 36)
        await pilot.pause()
        # Narrow: no palette key, and every key of the stack fits without it.
        shown = footer_keys(app)
        assert "palette" not in shown
        assert shown[-5:] == ["Fast-forward", "Send", "Invoke", "HTTP", "Log"]
        await pilot.resize_terminal(200, 40)
        await pilot.pause()
        assert footer_keys(app)[-1] == "palette"

    drive(app_for(), script, size=(200, 40))


def test_a_resize_under_a_dialog_reaches_the_main_screens_footer() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press("s")
        await pilot.resize_terminal(120, 36)
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert "palette" not in footer_keys(app)
        assert footer_keys(app)[-1] == "Log"

    drive(app_for(), script, size=(200, 40))


def test_a_dialog_keeps_the_focused_field_in_sight_when_the_terminal_shrinks() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press("p")
        field = app.screen.focused
        assert field is not None and field.id == "publish-source"
        await pilot.resize_terminal(40, 12)
        await pilot.pause()
        await pilot.pause()
        assert app.screen.region.contains_region(field.region), field.region
        await pilot.press(*"shop")
        # The keys go to the field in sight (its prefilled source was selected, so replaced).
        assert field.value == "shop"  # type: ignore[attr-defined]

    drive(app_for("event-driven"), script, size=(200, 60))


@pytest.mark.parametrize("rows", [20, 30, 40])
def test_the_command_lines_output_fits_its_box_on_a_short_terminal(rows: int) -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press("colon", *"help all", "enter")
        output = app.screen.query_one("#command-output", VerticalScroll)
        box = output.parent
        assert isinstance(box, Widget)
        # Inside the box's border, so that its last row is on screen once scrolled to.
        assert output.region.bottom <= box.region.bottom - 1, (output.region, box.region)
        assert output.max_scroll_y > 0

    drive(app_for(), script, size=(100, rows))
