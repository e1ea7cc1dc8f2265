"""Pilot tests: a huge output in the command line (`show message` of a large body, a long
`show trace`) or the HTTP dialog (an echoed body) is laid out only in part, says what it
left out, and ctrl+o shows all of it on a page that draws only the lines on screen."""

from __future__ import annotations

import json
from pathlib import Path

import tui_support  # noqa: F401  (pins the environment before Textual loads)
from rich.console import Console, RenderableType
from textual.pilot import Pilot
from textual.widgets import Input, Select, Static, TextArea
from tui_support import app_for, drive, echo_session, wait_until

from stptui.commands import CommandResult
from stptui.tui.app import StptuiApp
from stptui.tui.screens.command_line import CommandLineScreen
from stptui.tui.screens.dialogs import HttpDialog
from stptui.tui.screens.output_page import (
    OUTPUT_CHARS,
    OUTPUT_LINES,
    OUTPUT_ROWS,
    OutputPage,
    shortened,
)
from stptui.tui.widgets.line_views import TextView

BODY = json.dumps({"blob": "x" * 200_000, "end": "THE-END"})


def test_shortened_keeps_a_short_result_and_cuts_a_long_one_with_a_note() -> None:
    small = CommandResult("ok", table=(["a"], [["1"]]))
    assert shortened(small) == (small, "")
    text = "y" * (OUTPUT_CHARS + 5)
    cut, note = shortened(CommandResult(text))
    assert cut.text == text[:OUTPUT_CHARS]
    assert note == "… 5 more characters not shown: ctrl+o shows the whole output"
    lines = "\n".join(f"l{i}" for i in range(OUTPUT_LINES + 10))
    cut, note = shortened(CommandResult(lines))
    assert cut.text.count("\n") == OUTPUT_LINES - 1
    assert "(10 more lines)" in note
    rows = [[str(i)] for i in range(OUTPUT_ROWS + 3)]
    cut, note = shortened(CommandResult(table=(["n"], rows)))
    assert cut.table is not None and len(cut.table[1]) == OUTPUT_ROWS
    assert note.startswith("… 3 more rows not shown")


async def run_line(pilot: Pilot[None], app: StptuiApp, line: str) -> CommandLineScreen:
    """Open the command line and run `line` in it."""
    await pilot.press("colon")
    screen = app.screen
    assert isinstance(screen, CommandLineScreen)
    screen.query_one(Input).value = line
    await pilot.press("enter")
    return screen


def plain(renderable: RenderableType) -> str:
    """`renderable` as the text a 100-column view shows."""
    console = Console(width=100, color_system=None)
    with console.capture() as captured:
        console.print(renderable)
    return captured.get()


async def page_text(pilot: Pilot[None], page: OutputPage) -> TextView:
    """The page's view, once its text is in (it goes in after the page is laid out)."""
    view = page.query_one(TextView)
    await wait_until(pilot, lambda: bool(view.text.plain), "the page's text")
    return view


def test_a_huge_message_body_is_shown_in_part_and_whole_on_its_page() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        sent = app.run_command(f"send jobQueue '{BODY}'")
        mid = sent.data["message_id"]
        screen = await run_line(pilot, app, f"show message {mid}")
        shown = plain(screen.query_one("#command-result", Static).content)
        # The whole body was laid out: a second for 1 MB, and again at each resize.
        assert shown.startswith(f"message {mid}") and len(shown) < OUTPUT_CHARS + 1000
        assert "THE-END" not in shown
        assert shown.rstrip().endswith("more characters not shown: ctrl+o shows the whole output")
        await pilot.press("ctrl+o")
        page = app.screen
        assert isinstance(page, OutputPage)
        view = await page_text(pilot, page)
        assert "x" * 200_000 in view.text.plain and "THE-END" in view.text.plain
        await pilot.press("end")
        await pilot.wait_for_animation()
        drawn = [view.render_line(y).text for y in range(view.size.height)]
        assert any("THE-END" in line for line in drawn)
        await pilot.press("escape")
        assert app.screen is screen

    drive(app_for(), script)


def test_a_long_listing_is_cut_to_its_first_rows() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        for i in range(OUTPUT_ROWS + 50):
            app.session.sim.send("jobQueue", f'{{"n": {i}}}')
        screen = await run_line(pilot, app, f"show trace {OUTPUT_ROWS + 50}")
        shown = plain(screen.query_one("#command-result", Static).content)
        assert "… 50 more rows not shown: ctrl+o shows the whole output" in shown
        await pilot.press("ctrl+o")
        page = app.screen
        assert isinstance(page, OutputPage)
        view = await page_text(pilot, page)
        assert view.text.plain.count("message.sent") == OUTPUT_ROWS + 50

    drive(app_for(), script)


def test_ctrl_o_before_any_output_does_nothing() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press("colon", "ctrl+o")
        assert isinstance(app.screen, CommandLineScreen)

    drive(app_for(), script)


def test_a_huge_http_response_is_shown_in_part_and_whole_on_its_page(tmp_path: Path) -> None:

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press("h", "ctrl+o")
        dialog = app.screen
        assert isinstance(dialog, HttpDialog)  # no response yet: nothing to open
        dialog.query_one("#http-method", Select).value = "POST"
        dialog.query_one("#http-path", Input).value = "/echo"
        dialog.query_one("#http-body", TextArea).text = BODY
        await pilot.press("ctrl+s")
        shown = plain(dialog.query_one("#http-response", Static).content)
        assert shown.startswith("HTTP 200") and "THE-END" not in shown
        assert len(shown) < OUTPUT_CHARS + 1000
        assert "more line) not shown: ctrl+o shows the whole output" in shown
        await pilot.press("ctrl+o")
        page = app.screen
        assert isinstance(page, OutputPage)
        assert BODY in (await page_text(pilot, page)).text.plain
        await pilot.press("escape")
        assert app.screen is dialog

    drive(StptuiApp(echo_session(tmp_path)), script)
