"""What a new user meets in the first hour, at 80x24: a refusal that wraps in a dialog or
the command line goes on under its own text (the hint under the hint's words), not at the
margin, where the wrapped part read as a line of its own; the help opens without rendering
its tables again for each layout; the read-only pages say how they close; `n` pressed
again replaces its note; and a stack without queues lists no message heads."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import tui_support  # noqa: F401  (pins the environment before Textual loads)
from rich.console import Console, ConsoleOptions, RenderResult
from rich.table import Table
from textual.pilot import Pilot
from textual.widgets import Input, Static
from tui_one_app import on_one_app, screen_opened, send_keys, steps_at
from tui_support import (
    app_for,
    drawn_text,
    drive,
    echo_session,
    screen_text,
    settled,
    slept_until,
    wait_until,
)

from stptui.sim.clock import iso_ms
from stptui.tui.app import StptuiApp
from stptui.tui.screens.dialogs import SendDialog, TextDialog
from stptui.tui.screens.help import HelpScreen
from stptui.tui.widgets.queues_pane import MessageList, QueueTable

HINT = "    hint: "


def error_lines(app: StptuiApp, selector: str) -> list[str]:
    """The rows a Static of the current screen draws, without trailing blanks."""
    rows = drawn_text(app.screen.query_one(selector, Static)).split("\n")
    return [row.rstrip() for row in rows if row.strip()]


async def hint_drawn(pilot: Pilot[None], app: StptuiApp, selector: str) -> None:
    """Wait until the refusal in `selector` draws its hint: it is drawn in the app's own
    time (a dialog may lay out again for it), not after a count of pauses."""
    await wait_until(
        pilot,
        lambda: any(r.startswith(HINT) for r in error_lines(app, selector)),
        "the refusal's hint",
    )


async def a_dialogs_refusal_wraps_under_its_hint_at_80_columns(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    log, now = list(app.session.log), app.session.sim.clock.now
    await pilot.press("s")
    assert isinstance(app.screen, SendDialog)
    app.screen.query_one("#send-delay", Input).value = "{bad"
    await pilot.press("ctrl+s")
    await hint_drawn(pilot, app, "#send-error")
    rows = error_lines(app, "#send-error")
    assert rows[0] == "--delay: cannot read '{bad' as a duration (stuck at '{bad')"
    hint = next(i for i, row in enumerate(rows) if row.startswith(HINT))
    # The hint is longer than the dialog is wide: its end goes on under its words.
    assert len(rows) > hint + 1, rows
    for row in rows[hint + 1 :]:
        assert row.startswith(" " * len(HINT)) and row[len(HINT)] != " ", rows
    assert "1d" in rows[-1]
    # Refused: nothing ran, and the dialog stays open to fix the field.
    assert app.session.log == log and app.session.sim.clock.now == now
    assert isinstance(app.screen, SendDialog)


async def the_command_lines_refusal_wraps_under_its_first_line(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    line = "upload uploads k --size '" + " ".join("abcdefghijklmnopqrstuvwxyz") + "'"
    log = list(app.session.log)
    await pilot.press("colon")
    await pilot.press(*line, "enter")
    await hint_drawn(pilot, app, "#command-result")
    rows = error_lines(app, "#command-result")
    assert rows[0].startswith("--size must be a whole number of bytes")
    hint = next(i for i, row in enumerate(rows) if row.startswith(HINT))
    # The message wrapped: its second row is indented, and the hint comes after it.
    assert hint >= 2 and all(row.startswith("  ") for row in rows[1:hint]), rows
    assert rows[hint] == f"{HINT}e.g. --size 2048, --size 5MB, --size 6GiB"
    assert app.session.log == log


async def the_help_renders_its_tables_once_as_it_opens(pilot: Pilot[None], app: StptuiApp) -> None:
    rendered: list[int] = []
    render = Table.__rich_console__

    def counted(table: Table, console: Console, options: ConsoleOptions) -> RenderResult:
        rendered.append(options.max_width)
        return render(table, console, options)

    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(Table, "__rich_console__", counted)
        await help_twice(pilot, app, rendered)


async def help_twice(pilot: Pilot[None], app: StptuiApp, rendered: list[int]) -> None:
    """Open the help and close it, twice: each time its tables rendered once."""
    for _ in range(2):
        await pilot.press("question_mark")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, HelpScreen)
        # Each group's table, once, at one width: Textual lays the page out five times
        # as it opens, and rendering every table each time took most of a second.
        assert len(rendered) == len(screen.groups) and len(set(rendered)) == 1
        assert "Leave stptui" in drawn_text(screen.query_one("#help-body"))
        await pilot.press("escape")
        await pilot.pause()
        rendered.clear()


async def the_read_only_pages_say_how_they_close(pilot: Pilot[None], app: StptuiApp) -> None:
    app.run_command("send jobQueue '{\"orderId\": 1}'")
    # A modal hides the footer: each page's border says which keys close it.
    for key, page in (("e", TextDialog), ("question_mark", HelpScreen)):
        await pilot.press(key)
        await pilot.pause()
        assert isinstance(app.screen, page)
        assert "escape" in str(app.screen.query_one(".dialog-box, VerticalScroll").border_subtitle)
        assert "scroll, escape" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, page)


def test_refusals_wrap_under_their_hint_and_the_help_and_pages_say_how_they_close() -> None:
    """On one app of the combined stack at 80x24, the refusals first (nothing run)."""
    checks = [
        a_dialogs_refusal_wraps_under_its_hint_at_80_columns,
        the_command_lines_refusal_wraps_under_its_first_line,
        the_help_renders_its_tables_once_as_it_opens,
        the_read_only_pages_say_how_they_close,
    ]
    on_one_app(app_for("combined"), steps_at((80, 24), checks))


def test_a_refusal_made_before_its_line_has_had_its_turn_is_laid_out_whole() -> None:
    """A widget hands Textual the layout its change asks for in a turn of its own, and
    Textual takes a change made before that turn for the one asked for. On a loaded
    machine the dialog's error line, resized as the dialog opened, waited for its turn
    while the screen was laid out again (the delay typed) and ctrl+s set the refusal: the
    refusal was laid out at the height worked out for the empty line, one row, and its
    hint never drawn (the check above failed so, once in a full run). Here the line's
    turn is held until the refusal is set, so the order is the same on every run."""

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        dialog = await screen_opened(pilot, app, "s", SendDialog, "#send-error")
        error = dialog.query_one("#send-error", Static)
        delay = dialog.query_one("#send-delay", Input)
        layouts = 0

        def laid_out(_screen: object) -> None:
            nonlocal layouts
            layouts += 1

        dialog.screen_layout_refresh_signal.subscribe(dialog, laid_out, immediate=True)
        turn = asyncio.Event()
        # Run in the line's own turn, it holds the line's messages behind it until set.
        error.call_later(turn.wait)
        try:
            # What a resize of the line asks (its virtual size is a layout's reactive).
            error.refresh(layout=True)
            delay.focus()
            before = layouts
            send_keys(app, *"{bad")
            await slept_until(lambda: delay.value == "{bad" and layouts > before, "delay laid out")
            send_keys(app, "ctrl+s")
            await slept_until(lambda: bool(error.content), "the refusal set")
        finally:
            # Else the app, closing, would wait for the line for good.
            turn.set()
        await settled(pilot, error, "the refusal")
        rows = error_lines(app, "#send-error")
        assert rows[0] == "--delay: cannot read '{bad' as a duration (stuck at '{bad')", rows
        assert any(row.startswith(HINT) for row in rows), rows
        assert isinstance(app.screen, SendDialog) and app.session.log == []

    drive(app_for("job-queue"), script, size=(80, 24))


def test_e_before_any_record_on_a_scheduled_stack_points_at_the_clock() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press("e")
        await pilot.pause()
        # The combined stack's schedules are due: running the clock makes records.
        assert [n.message for n in app._notifications] == [
            "no trace records yet: space runs the clock, n the next event"
        ]
        await pilot.press("n", "e")
        await pilot.pause()
        assert isinstance(app.screen, TextDialog)

    drive(app_for("combined"), script, size=(120, 36), notifications=True)


def test_n_pressed_again_replaces_its_note_rather_than_stacking_them() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        app.run_command("send jobQueue '{}'")
        await pilot.press("n", "n", "n", "n")
        await pilot.pause()
        steps = [n.message for n in app._notifications if n.message.startswith("ran ")]
        # One note, the last step's: the older ones said where the clock no longer is.
        assert len(steps) == 1, steps
        assert steps[0].startswith(f"ran 1 event; now {iso_ms(app.session.sim.clock.now)}")
        assert app.session.log[1:] == ["step"] * 4
        # A note of another kind stays beside it.
        await pilot.press("e")
        await pilot.pause()
        await pilot.press("escape", "r")
        await pilot.pause()
        messages = [n.message for n in app._notifications]
        assert len(messages) == 2 and messages[0] == steps[0]

    drive(app_for("combined"), script, size=(80, 24), notifications=True)


def test_a_narrow_stack_without_queues_has_no_queues_pane_to_show(
    tmp_path: Path,
) -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press("2")
        await pilot.pause()
        # Not shown, as beside the others (test_tui_pane_fit.py): no strip's `2 Queues`
        # (read as a count), nor the heads of a message list that can never have a row.
        shown = screen_text(app)
        assert app.current_pane == "1" and "Queues" not in shown and "recv" not in shown
        assert not app.query_one(MessageList).region and not app.query_one(QueueTable).region
        # Tab goes round the panes shown, the Queues pane not among them.
        await pilot.press("tab", "tab", "tab", "tab")
        assert app.current_pane != "2" and "Queues" not in screen_text(app)

    drive(StptuiApp(echo_session(tmp_path)), script, size=(80, 24))

    async def with_queues(pilot: Pilot[None], app: StptuiApp) -> None:
        assert app.query_one(MessageList).display
        assert "recv" in screen_text(app)

    drive(app_for("job-queue"), with_queues, size=(120, 36))
