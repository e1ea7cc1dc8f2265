"""A dialog's first frame is the dialog as it stays: its first field drawn focused, with
what its focus selects selected (the send dialog's example body, the HTTP path's route
parameter). The focus used to reach the field after that frame, and the dialog was drawn a
second time 20-40 ms later (half the time it took to open). And a dialog's closing shows
the footer's keys at once, not in a frame of their own 30-50 ms after the panes.

These tests read Textual's frames as they are written (`App._display`, the compositor's
update): Textual is pinned, and a version that changes them fails here, not silently."""

from __future__ import annotations

import io

import pytest
import tui_support  # noqa: F401  (pins the environment before Textual loads)
from rich.console import Console
from textual.app import App
from textual.geometry import Region
from textual.pilot import Pilot
from textual.screen import Screen
from textual.strip import Strip
from textual.widget import Widget
from tui_support import app_for, drive, example_session

from stptui.tui.app import StptuiApp
from stptui.tui.screens.dialogs import CommandDialog

CONSOLE = Console(color_system="truecolor", force_terminal=True, file=io.StringIO(), width=300)
Frames = list[tuple[Screen[object], list[Strip]]]


def rows_of(screen: Screen[object]) -> list[Strip]:
    """The screen's rows as it draws them now."""
    return [Strip.join(line) for line in screen._compositor.render_update(full=True).strips]


def cells(rows: list[Strip], region: Region) -> list[str]:
    """The cells of `region` in `rows`: characters, colours and attributes."""
    return [rows[y].crop(region.x, region.right).render(CONSOLE) for y in region.line_range]


@pytest.fixture
def frames(monkeypatch: pytest.MonkeyPatch) -> Frames:
    """Each frame written: the screen drawn and its rows as drawn then."""
    seen: Frames = []
    display = App._display

    def kept(self: App[object], screen: Screen[object], renderable: object) -> None:
        if renderable is not None and not self._batch_count:
            seen.append((screen, rows_of(screen)))
        display(self, screen, renderable)

    monkeypatch.setattr(App, "_display", kept)
    return seen


@pytest.mark.parametrize(
    ("stack", "key", "field", "selected"),
    [
        ("combined", "s", "#send-body", '{"orderId": 1, "amount": 20}'),
        ("combined", "p", "#publish-source", None),
        ("combined", "u", "#upload-key", None),
        ("combined", "h", "#http-path", "{proxy+}"),
        ("combined", "b", "#override-how", None),
        ("chat", "w", "#ws-query", None),
    ],
)
def test_a_dialogs_first_frame_is_the_dialog_as_it_stays(
    frames: Frames, stack: str, key: str, field: str, selected: str | None
) -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        frames.clear()
        await pilot.press(key)
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, CommandDialog)
        assert dialog.focused is dialog.query_one(field)
        if selected is not None:
            assert dialog.focused.selected_text == selected  # type: ignore[union-attr]
        first = next(rows for screen, rows in frames if screen is dialog)
        # The dialog's own cells (the screen below, dimmed, may change under it).
        box = dialog.query(".dialog-box").first(Widget).region
        assert cells(first, box) == cells(rows_of(dialog), box)

    app = StptuiApp(example_session(stack)) if stack == "chat" else app_for(stack)
    drive(app, script)


def test_closing_a_dialog_shows_the_footer_in_the_panes_first_frame(frames: Frames) -> None:
    """The footer is hidden under a dialog; back on top, the main screen's first frame
    had the row empty, and the keys came in a frame of their own 30-50 ms later."""

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        main = app.screen
        await pilot.press("s")
        await pilot.pause()
        frames.clear()
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is main
        footer = Region(0, app.size.height - 1, app.size.width, 1)
        first = next(rows for screen, rows in frames if screen is main)
        assert "Quit" in first[footer.y].text
        assert cells(first, footer) == cells(rows_of(main), footer)

    drive(app_for("combined"), script)
