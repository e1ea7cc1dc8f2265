"""Where the UI's notes (Textual's toasts) appear and how long they stay. They came up at
the bottom right of every screen for 5 seconds: over the command line's field and output
(the line being typed was cut at 80x24), over the dialog field being typed in, and a
three-line reload note or a refused command's hint went before it was read."""

from __future__ import annotations

from functools import partial

import tui_support  # noqa: F401  (pins the environment before Textual loads)
from textual.geometry import Region
from textual.pilot import Pilot
from textual.widgets import Input
from textual.widgets._toast import Toast
from tui_one_app import Check, on_one_app
from tui_support import app_for, drawn_text, drive, wait_until

from stptui.tui.app import NOTE_MAX_S, NOTE_MIN_S, StptuiApp, note_timeout
from stptui.tui.screens.command_line import CommandLineScreen
from stptui.tui.screens.dialogs import TextDialog
from stptui.tui.screens.help import HelpScreen

RELOAD_NOTE = (
    "reloaded (stacktape.yml changed, stptui.yml unchanged): replayed 12 commands; now "
    "2026-01-05T08:20:00.000Z\nthe commands cause these records more or less often: "
    "invocation.failed 3 -> 0, message.dead_lettered 1 -> 0, invocation.succeeded 9 -> 12"
)
SIZES = [(80, 24), (100, 30)]


def at_each_size(app: StptuiApp, check: Check) -> None:
    """Run `check` at each of SIZES in turn, on one app: what it opened is closed with
    escape and its notes cleared before the terminal is resized (`on_one_app`)."""
    on_one_app(app, [(f"at {w}x{h}", (w, h), check) for w, h in SIZES], notifications=True)


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


def test_a_note_leaves_the_command_line_in_sight() -> None:
    async def check(pilot: Pilot[None], app: StptuiApp) -> None:
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

    at_each_size(app_for(), check)


def test_a_note_leaves_the_dialog_field_being_typed_in_in_sight() -> None:
    async def check(pilot: Pilot[None], app: StptuiApp) -> None:
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

    at_each_size(app_for(), check)


def _controls(app: StptuiApp) -> list[Region]:
    """The open dialog's repeat field and its run and cancel buttons, where drawn."""
    return [w.region for w in app.screen.query(".dialog-repeat, .dialog-run, .dialog-cancel")]


def test_a_note_already_up_leaves_a_dialogs_controls_in_sight() -> None:
    # The note of the action before stayed at the bottom right as the next dialog opened,
    # over its repeat field and its Send and Cancel buttons (80x24), for seconds.
    async def check(pilot: Pilot[None], app: StptuiApp, key: str, size: tuple[int, int]) -> None:
        app._notify_replacing("send", "sent message 7f3a2b1c to ordersQueue", title="sent")
        await _shown(pilot, app)
        await pilot.press(key)
        await wait_until(pilot, lambda: bool(_controls(app)), "the dialog's controls")
        controls = _controls(app)
        assert len(controls) == 3
        toasts = await _shown(pilot, app)
        for toast in toasts:
            for control in controls:
                assert not toast.overlaps(control), (toast, control)
        # Nor over the field the dialog opened on.
        focused = app.screen.focused
        assert focused is not None
        if key != "h" or size != (80, 24):
            assert not any(toast.overlaps(focused.region) for toast in toasts)

    # Each dialog at each size, in turn on one app (each opened with nothing else open).
    cases = [
        (f"{key} at {size}", size, partial(check, key=key, size=size))
        for size in SIZES
        for key in ("h", "P", "v")
    ]
    on_one_app(app_for("combined"), cases, notifications=True)


def test_a_note_leaves_a_dialogs_top_field_being_typed_in_in_sight() -> None:
    # The HTTP dialog opens on its path, at its top: a note that comes as it is typed in
    # goes where it does not cover it (the bottom, at 80x24), long or short; one that comes
    # as its body is typed in goes to the top, over neither the body nor the controls.
    async def check(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press("h")
        await pilot.pause()
        path = app.screen.query_one("#http-path")
        assert app.screen.focused is path
        for note in ("copied 1195ab03", RELOAD_NOTE):
            app.clear_notifications()
            await wait_until(pilot, lambda: not _toasts(app), "the notes gone")
            app.notify(note, title="stacktape.yml changed: reloaded", markup=False)
            for toast in await _shown(pilot, app):
                assert not toast.overlaps(path.region), (toast, path.region)
        body = app.screen.query_one("#http-body")
        body.focus()
        app.clear_notifications()
        await wait_until(pilot, lambda: not _toasts(app), "the notes gone")
        app.notify("copied 1195ab03", title="message id", markup=False)
        for toast in await _shown(pilot, app):
            for region in (body.region, *_controls(app)):
                assert not toast.overlaps(region), (toast, region)

    at_each_size(app_for("combined"), check)


# Longer than any of these tests takes: a note gone went because of the key.
LONG_NOTE_S = 120


async def _cleared(pilot: Pilot[None], app: StptuiApp) -> None:
    await pilot.pause()
    assert not app._notifications
    await wait_until(pilot, lambda: not _toasts(app), "the notes gone")


def test_ctrl_l_takes_the_notes_off_the_panes_and_is_in_the_help() -> None:
    # A note stays the 5-30 s it takes to read, 40 columns of an 80x24 terminal; a click
    # was the only way to close it sooner.
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        app.notify(
            RELOAD_NOTE, title="stacktape.yml changed: reloaded", markup=False, timeout=LONG_NOTE_S
        )
        app.notify("copied 1195ab03", title="message id", markup=False, timeout=LONG_NOTE_S)
        assert len(await _shown(pilot, app)) == 2
        screen = app.screen
        await pilot.press("ctrl+l")
        await _cleared(pilot, app)
        assert app.screen is screen and not app._notifications
        # Nothing else changed: the clock still stands and a new note shows as ever.
        assert not app.live.running
        app.notify("copied 1195ab03", title="message id", markup=False, timeout=LONG_NOTE_S)
        await _shown(pilot, app)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        body = " ".join(drawn_text(app.screen.query_one("#help-body")).split())
        assert "ctrl+l Clear notes Take every note (toast) off the screen now" in body
        # The help is a page over the panes: the key clears there too.
        await pilot.press("ctrl+l")
        await _cleared(pilot, app)
        assert isinstance(app.screen, HelpScreen)

    drive(app_for(), script, size=(80, 24), notifications=True)


def test_ctrl_l_in_a_dialog_clears_the_notes_and_escape_still_closes_it() -> None:
    # The note of the action before moves to the dialog's top as it opens, over its first
    # fields at 80x24; ctrl+l takes it away and leaves the dialog as it was, what was typed
    # and the field being typed in included; escape then closes the dialog.
    async def check(pilot: Pilot[None], app: StptuiApp, key: str) -> None:
        app.notify("sent message 7f3a2b1c to ordersQueue", title="sent", timeout=LONG_NOTE_S)
        await _shown(pilot, app)
        await pilot.press(key)
        await wait_until(pilot, lambda: bool(_controls(app)), "the dialog's controls")
        dialog = app.screen
        focused = dialog.focused
        assert focused is not None
        await pilot.press(*"42")
        typed = getattr(focused, "value", None) or getattr(focused, "text", None)
        await _shown(pilot, app)
        await pilot.press("ctrl+l")
        await _cleared(pilot, app)
        assert app.screen is dialog and dialog.focused is focused
        assert (getattr(focused, "value", None) or getattr(focused, "text", None)) == typed
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is not dialog, "the dialog closed")

    # Each dialog in turn on one app: nothing it typed is run, its notes cleared.
    cases = [(key, (80, 24), partial(check, key=key)) for key in ("s", "h")]
    on_one_app(app_for("combined"), cases, notifications=True)


def test_ctrl_l_on_the_command_line_and_the_explain_page_keeps_them_open() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        app.run_command("send jobQueue '{\"amount\": 1}'")
        app.run_command("advance 5s")
        await pilot.press("3", "home", "e")
        page = app.screen
        assert isinstance(page, TextDialog)
        app.notify(
            RELOAD_NOTE, title="stacktape.yml changed: reloaded", markup=False, timeout=LONG_NOTE_S
        )
        await _shown(pilot, app)
        await pilot.press("ctrl+l")
        await _cleared(pilot, app)
        assert app.screen is page
        await pilot.press("escape")
        await pilot.press("colon")
        await pilot.pause()
        line = app.screen
        assert isinstance(line, CommandLineScreen)
        field = line.query_one("#command-input", Input)
        await pilot.press(*"show q")
        app.notify("copied 1195ab03", title="message id", markup=False, timeout=LONG_NOTE_S)
        await _shown(pilot, app)
        await pilot.press("ctrl+l")
        await _cleared(pilot, app)
        assert app.screen is line and field.value == "show q"

    drive(app_for(), script, size=(80, 24), notifications=True)


# A FIFO send's note and a step's, as they read: together 12 rows of an 80x24 screen.
FIFO_NOTE = (
    "sent message 7f3a2b1c to orders.fifo (group customer-42, deduplication id "
    "order-1001): the group's next message waits until this one is deleted"
)
STEP_NOTE = (
    "stepped to 2026-01-05T08:00:01.250Z: processOrder ran (batch of 1 from orders.fifo), "
    "0 records waiting"
)


def test_notes_piled_up_never_cover_the_field_a_dialog_is_typed_in() -> None:
    # Two notes up as the `b` dialog opened covered its `how` field (rows 11 to 13 at
    # 80x24) for their 5 to 8 seconds wherever they went: the older one now gives way.
    async def check(pilot: Pilot[None], app: StptuiApp) -> None:
        app.notify(FIFO_NOTE, title="sent", markup=False)
        app.notify(STEP_NOTE, title="step", markup=False)
        await wait_until(pilot, lambda: len(_toasts(app)) == 2, "both notes up")
        await pilot.press("b")
        await wait_until(
            pilot, lambda: bool(app.screen.query("#override-how")), "the override dialog"
        )
        how = app.screen.query_one("#override-how")
        assert app.screen.focused is how
        await pilot.pause()
        toasts = await _shown(pilot, app)
        assert not any(toast.overlaps(how.region) for toast in toasts), (toasts, how.region)
        # The newest note is the one kept.
        assert [note.message for note in app._notifications][-1] == STEP_NOTE
        # A third note as the field is typed in: still off it.
        await pilot.press(*"next 2")
        app.notify(FIFO_NOTE, title="sent", markup=False)
        await pilot.pause()
        toasts = await _shown(pilot, app)
        assert not any(toast.overlaps(how.region) for toast in toasts), (toasts, how.region)

    at_each_size(app_for("combined"), check)
