"""Where the UI's notes (Textual's toasts) appear and how long they stay. They came up at
the bottom right of every screen for 5 seconds: over the command line's field and output
(the line being typed was cut at 80x24), over the dialog field being typed in, and a
three-line reload note or a refused command's hint went before it was read."""

from __future__ import annotations

import pytest
import tui_support  # noqa: F401  (pins the environment before Textual loads)
from textual.geometry import Region
from textual.pilot import Pilot
from textual.widgets import Input
from textual.widgets._toast import Toast
from tui_support import app_for, drive, wait_until

from stptui.tui.app import NOTE_MAX_S, NOTE_MIN_S, StptuiApp, note_timeout
from stptui.tui.screens.command_line import CommandLineScreen

RELOAD_NOTE = (
    "reloaded (stacktape.yml changed, stptui.yml unchanged): replayed 12 commands; now "
    "2026-01-05T08:20:00.000Z\nthe commands cause these records more or less often: "
    "invocation.failed 3 -> 0, message.dead_lettered 1 -> 0, invocation.succeeded 9 -> 12"
)
SIZES = [(80, 24), (100, 30)]


def _toasts(app: StptuiApp) -> list[Region]:
    return [toast.region for toast in app.screen.query(Toast) if toast.region.area]


async def _shown(pilot: Pilot[None], app: StptuiApp) -> list[Region]:
    await wait_until(pilot, lambda: bool(_toasts(app)), "a note on the screen")
    return _toasts(app)


def test_a_note_stays_as_long_as_it_takes_to_read() -> None:
    # A word read in 0.3 s (200 words a minute), after 2 s to notice the note; never less
    # than Textual's 5 s (10 s for an error: it says what to fix), never more than 30 s.
    assert note_timeout("copied 1195ab03", "message id", "information") == NOTE_MIN_S
    assert note_timeout(RELOAD_NOTE, "stacktape.yml changed on disk: reloaded", "information") > 10
    assert note_timeout("no such queue", "command refused", "error") == 10
    assert note_timeout("word " * 1000, "", "warning") == NOTE_MAX_S

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        # Both ways a note is made: `notify`, and the note that replaces its command's last.
        app.notify(RELOAD_NOTE, title="reloaded", markup=False)
        app._notify_replacing("reload", RELOAD_NOTE, title="reloaded")
        await pilot.pause()
        timeouts = [note.timeout for note in app._notifications]
        assert timeouts == [note_timeout(RELOAD_NOTE, "reloaded", "information")] * 2

    drive(app_for(), script, notifications=True)


@pytest.mark.parametrize("size", SIZES)
def test_a_note_leaves_the_command_line_in_sight(size: tuple[int, int]) -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        # A note already up as the line opens moves to its top too.
        app.notify("copied 1195ab03", title="message id", markup=False)
        await pilot.pause()
        await pilot.press("colon")
        await pilot.pause()
        line = app.screen
        assert isinstance(line, CommandLineScreen)
        app.run_command("show queues")
        line.query_one("#command-input", Input).value = "show queues"
        await pilot.press("enter")
        await pilot.pause()
        box = line.query_one("#command-input").parent
        assert box is not None
        for toast in await _shown(pilot, app):
            assert not toast.overlaps(box.region), (toast, box.region)
        app.clear_notifications()
        app._notify_replacing("reload", RELOAD_NOTE, title="stacktape.yml changed: reloaded")
        for toast in await _shown(pilot, app):
            assert not toast.overlaps(box.region), (toast, box.region)

    drive(app_for(), script, size=size, notifications=True)


@pytest.mark.parametrize("size", SIZES)
def test_a_note_leaves_the_dialog_field_being_typed_in_in_sight(size: tuple[int, int]) -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press("s")
        await pilot.pause()
        fields = list(app.screen.query(Input))
        for field in (fields[-1], fields[0]):  # the last field (repeat), then the first
            field.focus()
            await pilot.pause()
            app.clear_notifications()
            app.notify(RELOAD_NOTE, title="stacktape.yml changed: reloaded", markup=False)
            for toast in await _shown(pilot, app):
                assert not toast.overlaps(field.region), (toast, field.region)

    drive(app_for(), script, size=size, notifications=True)
