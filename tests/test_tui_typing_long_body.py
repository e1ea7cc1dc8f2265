"""Typing into a body of one very long line (a minified 1 MB JSON): a key costs about what
it costs in a short body, as far as Textual allows.

Textual worked out where the wrapped line breaks again on every key and mapped the cursor
through the line cut into all its rows (20,000 rich Texts a key for 1 MB); a field with a
line over LONG_LINE characters is not wrapped (and says so). A JSON body's check parses
the whole body: past JSON_CHECK_NOW characters it waits until typing stops, and the
command checks it when run, refusing invalid JSON with the same message.

The work is counted, not timed: rich Texts made and JSON parses done while keys are typed."""

from __future__ import annotations

import cProfile
import pstats
from pathlib import Path

import tui_support  # noqa: F401  (pins the environment before Textual loads)
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import TextArea
from tui_support import app_for, drawn_text, drive, echo_session, screen_text, wait_until

from stptui.tui.app import StptuiApp
from stptui.tui.screens.dialogs import CommandDialog
from stptui.tui.widgets.fields import LONG_LINE, UNWRAPPED_NOTE

KEYS = ("a", "b", "c", "backspace", "d")


def calls(profile: cProfile.Profile, file: str, name: str) -> int:
    """How many times `name` of the module file ending `file` ran while `profile` ran."""
    stats = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    return sum(
        count
        for (path, _, func), (_, count, *_) in stats.items()
        if func == name and path.replace("\\", "/").endswith(file)
    )


def typing_work(folder: Path, body: str) -> tuple[int, bool, str | None]:
    """Texts made while KEYS are typed at the end of the HTTP dialog's body holding
    `body`; whether the body wraps, and its border's note, after."""
    folder.mkdir()
    seen: list[tuple[int, bool, str | None]] = []

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press("h")
        area = app.screen.query_one("#http-body", TextArea)
        area.load_text(body)
        area.move_cursor(area.document.end)
        app.screen.set_focus(area)
        await pilot.pause()
        profile = cProfile.Profile()
        profile.enable()
        await pilot.press(*KEYS)
        profile.disable()
        assert area.text == body + "abd"
        note = None if area.border_subtitle is None else str(area.border_subtitle)
        seen.append((calls(profile, "rich/text.py", "__init__"), area.soft_wrap, note))

    drive(StptuiApp(echo_session(folder)), script)
    return seen[0]


def test_a_key_typed_into_a_1_mb_line_does_no_more_work_than_into_1_kb(tmp_path: Path) -> None:
    small, small_wraps, small_note = typing_work(tmp_path / "small", "x" * 1000)
    large, large_wraps, large_note = typing_work(tmp_path / "large", "x" * 1_000_000)
    assert small_wraps and small_note is None
    # Not tens of thousands of pieces a key: the short body's work, give or take a row.
    assert large <= small + 50, (small, large)
    assert not large_wraps and large_note == UNWRAPPED_NOTE


def test_the_long_line_is_drawn_scrolled_to_the_cursor_and_wraps_again_when_gone() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press("h")
        area = app.screen.query_one("#http-body", TextArea)
        app.screen.set_focus(area)
        await pilot.pause()
        # A paste past the limit, typed at the end of a shorter line.
        area.insert("y" * (LONG_LINE - 5))
        assert area.soft_wrap
        area.insert("z" * 10 + "END")
        await pilot.pause()
        assert not area.soft_wrap
        assert UNWRAPPED_NOTE in screen_text(app)
        rows = [area.render_line(y).text for y in range(area.size.height)]
        assert any("zzzEND" in row for row in rows), rows
        # Undone, the line is short again: the field wraps it.
        area.undo()
        await pilot.pause()
        assert area.soft_wrap and area.border_subtitle is None
        area.select_all()
        area.insert("short\n" + "w" * (LONG_LINE + 1))
        await pilot.pause()
        assert not area.soft_wrap
        area.delete((1, 0), area.document.end)
        await pilot.pause()
        assert area.soft_wrap

    drive(app_for("webhook-processor"), script)


def send_typing(body: str, delay: float) -> tuple[int, str, str]:
    """JSON parses while KEYS are typed at the end of the send dialog's body holding
    `body` (checked `delay` seconds after the last key); the error shown after a short
    pause, and after ctrl+s."""
    seen: list[tuple[int, str, str]] = []

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press("s")
        dialog = app.screen
        assert isinstance(dialog, CommandDialog)
        dialog.json_check_delay = delay
        area = dialog.query_one("#send-body", TextArea)
        area.load_text(body)
        area.move_cursor(area.document.end)
        await pilot.pause()
        profile = cProfile.Profile()
        profile.enable()
        await pilot.press(*KEYS)
        profile.disable()
        error = dialog.query_one("#send-error")
        typed = shown_error(error)
        await pilot.press("ctrl+s")
        assert app.screen is dialog  # refused
        seen.append((calls(profile, "stptui/jsontext.py", "loads"), typed, shown_error(error)))

    drive(app_for(), script)
    return seen[0]


def shown_error(error: Widget) -> str:
    """A dialog's error line as drawn, its rows joined (it wraps at the dialog's width)."""
    return " ".join(drawn_text(error).split())


def test_a_long_json_body_is_checked_when_typing_stops_and_when_sent() -> None:
    # Invalid either way: the keys typed go after the closing brace.
    small = send_typing('{"a": "' + "x" * 1000 + '"}', delay=60)
    large = send_typing('{"a": "' + "x" * 1_000_000 + '"}', delay=60)
    # A short body is checked as each key changes it.
    assert small[0] == len(KEYS) and "not valid JSON" in small[1]
    # A long one is not parsed while typed...
    assert large[0] == 0 and large[1] == ""
    # ...and refused when sent, with the same message.
    assert large[2].startswith("not valid JSON: Extra data")
    assert large[2] == small[2].replace("1010", "1000010").replace("1009", "1000009")


def test_a_long_json_body_shows_its_problem_once_typing_stops() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press("s")
        area = app.screen.query_one("#send-body", TextArea)
        area.load_text('{"a": "' + "x" * 100_000 + '"}')
        area.move_cursor(area.document.end)
        await pilot.pause()
        await pilot.press("x")
        error = app.screen.query_one("#send-error")
        # The check's timer fires JSON_CHECK_DELAY after the key: however late a loaded
        # machine runs it, it comes.
        await wait_until(pilot, lambda: "not valid JSON" in drawn_text(error), "the check")

    drive(app_for(), script)
