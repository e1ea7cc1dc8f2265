"""Pilot tests: control characters pasted into any text field of the TUI (a dialog's body
editor, a one-line field, the command line, the events filter) never reach the terminal,
and the command gets exactly what the field shows (`stptui.tui.widgets.fields`)."""

from __future__ import annotations

import pytest
import tui_support  # noqa: F401  (pins the environment before Textual loads)
from textual import events
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Input, TextArea
from tui_support import app_for, drawn_text, drive, wait_until

from stptui.textsafe import printable
from stptui.tui.app import StptuiApp
from stptui.tui.widgets.fields import DROPPED, clean_typed

# An ESC sequence that clears the screen, one that recolours, a BEL, a C1 CSI, a
# right-to-left override, a zero-width space, a byte-order mark and a lone carriage return.
HOSTILE = '{"note": "\x1b[2J\x1b[31mred\x07\x9b1m\u202eevil\u200b\ufeffok",\r"n": 1}'
CLEAN = '{"note": "[2J[31mred1mevilok",\n"n": 1}'


def test_the_dropped_characters_are_those_printable_escapes_but_tab_and_newline() -> None:
    for code in range(0x3000):
        ch = chr(code)
        escaped = printable(ch) != ch
        assert bool(DROPPED.match(ch)) == (escaped and ch not in "\t\n"), hex(code)
    assert clean_typed(HOSTILE) == CLEAN
    assert clean_typed("a\r\nb\rc\td") == "a\nb\nc\td"


def field_text(widget: Widget) -> str:
    """What a text field holds."""
    return widget.text if isinstance(widget, TextArea) else widget.value  # type: ignore[attr-defined]


async def paste(pilot: Pilot[None], app: StptuiApp, text: str) -> None:
    """Paste `text` as a terminal does (the app hands it to the focused widget), and wait
    until the field has taken it."""
    field = app.screen.focused
    assert field is not None
    before = field_text(field)
    app.post_message(events.Paste(text))
    await wait_until(pilot, lambda: field_text(field) != before, f"{field!r} taking the paste")


def no_controls(widget: Widget) -> None:
    """What `widget` draws holds no character a terminal would act on."""
    drawn = drawn_text(widget)
    assert not DROPPED.search(drawn), repr(drawn)


def test_a_paste_into_the_send_body_shows_and_sends_no_control_character() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press("s")
        area = app.screen.query_one("#send-body", TextArea)
        area.text = ""
        await paste(pilot, app, HOSTILE)
        assert area.text == CLEAN
        no_controls(area)
        await pilot.press("ctrl+s")
        sim = app.session.sim
        (message,) = sim.queues["jobQueue"].listing()
        assert message.body == CLEAN

    drive(app_for(), script)


@pytest.mark.parametrize(
    ("key", "field"),
    [("s", "#send-delay"), ("p", "#publish-source"), ("u", "#upload-key")],
)
def test_a_paste_into_a_one_line_dialog_field_keeps_no_control_character(
    key: str, field: str
) -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press(key)
        widget = app.screen.query_one(field, Input)
        widget.focus()
        await pilot.pause()
        await paste(pilot, app, "\x1b[31mred\x07")
        assert widget.value == "[31mred"
        no_controls(widget)

    drive(app_for("combined"), script)


def test_a_paste_into_the_upload_content_and_http_body_is_cleaned() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        for key, field in (("u", "#upload-content"), ("h", "#http-body")):
            await pilot.press(key)
            area = app.screen.query_one(field, TextArea)
            area.focus()
            await pilot.pause()
            await paste(pilot, app, "line\x1b]0;title\x07\r\nnext")
            assert area.text == "line]0;title\nnext"
            no_controls(area)
            await pilot.press("escape")

    drive(app_for("combined"), script)


def test_a_paste_into_the_command_line_and_the_filter_is_cleaned() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press("colon")
        line = app.screen.query_one("#command-input", Input)
        await paste(pilot, app, "show\x1b[2J queues")
        assert line.value == "show[2J queues"
        no_controls(line)
        await pilot.press("escape", "slash")
        flt = app.query_one("#event-filter", Input)
        await paste(pilot, app, "job\x08\x08\x08dead")
        assert flt.value == "jobdead"

    drive(app_for(), script)
