"""Pilot tests of the dialogs' repeat field: `3 every 1s` in the send dialog makes
`repeat 3 --every 1s send ...`, whose repetitions number the body through `{i}` as the
clock advances; a repeat value that cannot be read, or that `repeat` refuses, is shown in
the dialog and changes nothing; the HTTP dialog repeated makes that many requests and
closes on repeat's summary."""

from __future__ import annotations

import json
from pathlib import Path

import tui_support  # noqa: F401  (pins the environment before Textual loads)
from textual.pilot import Pilot
from textual.widgets import Input, Label, Select, TextArea
from tui_support import START, app_for, drawn_text, drive, echo_session, records_of

from stptui.commands import CommandError, CommandResult, execute
from stptui.commands.handlers.repeat import REPEATABLE
from stptui.tui.app import StptuiApp
from stptui.tui.screens.dialogs import (
    REPEAT_LABEL,
    CommandDialog,
    FireDialog,
    HttpDialog,
    PublishDialog,
    PutRecordDialog,
    SendDialog,
    UploadDialog,
    repeat_prefix,
)
from stptui.tui.screens.log_dialog import LogLineDialog
from stptui.tui.widgets.agenda_pane import AgendaPane

# A queue of the combined stack that nothing consumes: what is sent stays to be read.
UNREAD = "deadLetterQueue"


def error_of(app: StptuiApp) -> str:
    """The open dialog's error line, as drawn, its lines joined by spaces."""
    dialog = app.screen
    assert isinstance(dialog, CommandDialog)
    return " ".join(drawn_text(dialog.query_one(f"#{dialog.PREFIX}-error")).split())


def bodies(app: StptuiApp, queue: str) -> list[object]:
    """The JSON bodies of the messages waiting in `queue`, oldest first."""
    return [json.loads(m.body) for m in app.session.sim.queues[queue].listing()]


def test_repeat_prefix_reads_n_or_n_every_d() -> None:
    assert repeat_prefix("") == repeat_prefix(" 1 ") == ""
    assert repeat_prefix("100") == "repeat 100"
    assert repeat_prefix(" 100  every 50ms ") == "repeat 100 --every 50ms"
    for bad in ("100 evry 50ms", "100 every", "every 5s", "3 4"):
        try:
            repeat_prefix(bad)
        except CommandError as exc:
            assert "N every D" in exc.format()
        else:
            raise AssertionError(bad)


def test_send_repeated_every_second_numbers_each_message() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press("s")
        dialog = app.screen
        assert isinstance(dialog, SendDialog)
        dialog.query_one("#send-queue", Select).value = UNREAD
        dialog.query_one("#send-body", TextArea).text = '{"n": {i}}'
        await pilot.pause()
        # Not JSON until {i} is a number: the dialog says what makes it one.
        assert "repeat field" in error_of(app)
        dialog.query_one("#send-repeat", Input).value = "3 every 1s"
        await pilot.pause()
        assert error_of(app) == ""
        await pilot.press("ctrl+s")
        assert not isinstance(app.screen, CommandDialog)
        assert app.session.log == [f"repeat 3 --every 1s send {UNREAD} '{{\"n\": {{i}}}}'"]
        # The first now; the agenda shows the rest waiting on the clock.
        assert bodies(app, UNREAD) == [{"n": 1}]
        agenda = " ".join(drawn_text(app.query_one(AgendaPane)).split())
        assert "repeat-1" in agenda
        execute(app.session, "advance 2s")
        assert bodies(app, UNREAD) == [{"n": 1}, {"n": 2}, {"n": 3}]

    drive(app_for("combined"), script, notifications=True)


def test_the_notification_is_repeats_summary() -> None:
    notes: list[str] = []

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press("s")
        app.screen.query_one("#send-queue", Select).value = UNREAD
        app.screen.query_one("#send-repeat", Input).value = "4"
        await pilot.press("ctrl+s")
        notes.extend(str(n.message) for n in app._notifications)

    drive(app_for("combined"), script, notifications=True)
    assert any(n.startswith("repeat-1: 4 × send") and "4 accepted" in n for n in notes), notes


def test_a_bad_repeat_is_refused_in_place_and_changes_nothing() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press("s")
        field = app.screen.query_one("#send-repeat", Input)
        for bad, said in (
            ("3 evry 1s", "cannot read '3 evry 1s' as N or N every D"),
            ("0", "repeat N must be a whole number of at least 1"),
            ("3 every 0ms", "--every must be at least 1 ms"),
        ):
            field.value = bad
            await pilot.press("ctrl+s")
            assert isinstance(app.screen, SendDialog), bad
            assert said in error_of(app) and "hint:" in error_of(app), error_of(app)
            assert field.value == bad
        s = app.session
        assert s.log == [] and s.sim.trace.seq == 0 and s.sim.clock.now == START

    drive(app_for("combined"), script)


def test_http_repeated_five_times_makes_five_requests_and_closes(tmp_path: Path) -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press("h")
        dialog = app.screen
        assert isinstance(dialog, HttpDialog)
        dialog.query_one("#http-method", Select).value = "POST"
        dialog.query_one("#http-path", Input).value = "/echo"
        dialog.query_one("#http-body", TextArea).text = "hello {i}"
        dialog.query_one("#http-repeat", Input).value = "5"
        await pilot.press("ctrl+s")
        assert not isinstance(app.screen, CommandDialog)
        assert app.session.log == ["repeat 5 http POST /echo 'hello {i}'"]
        execute(app.session, "run")
        assert len(records_of(app.session, "http.request")) == 5
        assert len(records_of(app.session, "http.response")) == 5

    drive(StptuiApp(echo_session(tmp_path)), script)


def test_only_dialogs_whose_command_repeat_runs_have_the_field() -> None:
    repeated = (SendDialog, PutRecordDialog, PublishDialog, UploadDialog, HttpDialog, FireDialog)
    assert [d.COMMAND for d in repeated] == [
        "send",
        "put-record",
        "publish",
        "upload",
        "http",
        "fire",
    ]
    assert all(d.COMMAND in REPEATABLE for d in repeated)
    s = app_for("combined").session

    def never(line: str) -> CommandResult:
        raise AssertionError(line)

    assert SendDialog(s, None, never).repeatable
    # A dialog that names no command (its field would be new to it) has none.
    assert not LogLineDialog(s, None, never).repeatable


def test_the_repeat_field_keeps_the_first_field_focused_at_80x24() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        for key, first in (("s", "send-body"), ("p", "publish-source"), ("h", "http-path")):
            await pilot.press(key)
            dialog = app.screen
            assert isinstance(dialog, CommandDialog)
            assert app.focused is not None and app.focused.id == first
            frame = dialog.query_one(".dialog-box")
            assert frame.scroll_y == 0
            # Tabbed to, the repeat field and its label are scrolled into sight.
            dialog.query_one(f"#{dialog.PREFIX}-repeat").focus()
            await pilot.pause()
            await pilot.wait_for_scheduled_animations()
            field = dialog.query_one(f"#{dialog.PREFIX}-repeat")
            assert frame.region.contains_region(field.region)
            labels = [str(label.render()) for label in dialog.query(Label)]
            assert REPEAT_LABEL in labels
            await pilot.press("escape")

    drive(app_for("combined"), script, size=(80, 24))
