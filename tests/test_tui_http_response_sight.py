"""The HTTP dialog's response, under the form on a narrow terminal, is scrolled wholly into
sight once sent, with the key sent as a terminal sends it: no idle waits around it (Pilot's
press has them, see `send_key`). Sent so at 60x20, the response ended one row below the
dialog's box: it was scrolled into sight before the box's scrollbar came, which narrowed
the form, re-wrapped it a row taller and moved the response down."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import tui_support  # noqa: F401  (pins the environment before Textual loads)
from textual.containers import VerticalScroll
from textual.pilot import Pilot
from textual.widgets import Input, Select, TextArea
from tui_one_app import screen_opened
from tui_support import (
    app_for,
    drawn_text,
    drive,
    echo_session,
    resized_to,
    send_key,
    settled,
    wait_until,
)

from stptui.tui.app import StptuiApp
from stptui.tui.screens.dialogs import HttpDialog
from stptui.tui.screens.invoke_dialog import InvokeDialog


async def sent(pilot: Pilot[None], app: StptuiApp, dialog: HttpDialog) -> VerticalScroll:
    """Send the dialog's request with a terminal's ctrl+s; its frame, settled on the
    response."""
    box = dialog.query_one(".dialog-box", VerticalScroll)
    before = len(app.session.log)
    send_key(app, "ctrl+s")
    await wait_until(pilot, lambda: len(app.session.log) > before, "the request sent")
    response = dialog.query_one("#http-response")
    await wait_until(
        pilot, lambda: re.search(r"HTTP \d{3}", drawn_text(response)), "the response drawn"
    )
    await settled(pilot, box, "the HTTP dialog with its response")
    return box


@pytest.mark.parametrize("size", [(60, 20), (70, 22), (80, 24)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_response_sent_with_a_terminal_key_ends_in_sight(size: tuple[int, int]) -> None:
    """The whole response in the box, the form scrolled up the least that shows it."""

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        screen = await screen_opened(pilot, app, "h", HttpDialog, ".dialog-box")
        box = await sent(pilot, app, screen)
        response = screen.query_one("#http-response")
        view = box.scrollable_content_region
        where = (response.region, view, box.scroll_offset.y, box.max_scroll_y)
        assert box.can_view_entire(response), where
        # The least scroll that shows it: its last row on the box's last row, or the box
        # scrolled to its end.
        assert response.region.bottom == view.bottom or box.scroll_offset.y == box.max_scroll_y
        assert box.scroll_offset.y > 0, where

    drive(app_for("combined"), script, size=size)


@pytest.mark.parametrize("size", [(60, 20), (70, 22)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_invoke_dialogs_answer_ends_in_sight(size: tuple[int, int]) -> None:
    """The invoke dialog's answer, under the form, is kept in sight as the HTTP response
    is (`DialogFrame.keep`): once scrolled, the dialog's scrollbar could still come."""

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        screen = await screen_opened(pilot, app, "v", InvokeDialog, ".dialog-box")
        box = screen.query_one(".dialog-box", VerticalScroll)
        sent = len(app.session.log)
        send_key(app, "ctrl+s")
        await wait_until(pilot, lambda: len(app.session.log) > sent, "the invocation run")
        answer = screen.query_one("#invoke-answer-box")
        await wait_until(pilot, lambda: bool(answer.region.area), "the answer laid out")
        await settled(pilot, box, "the invoke dialog with its answer")
        where = (answer.region, box.scrollable_content_region, box.scroll_offset.y)
        assert box.can_view_entire(answer), where
        assert box.scroll_offset.y > 0, where

    drive(app_for("combined"), script, size=size)


def test_a_long_response_is_in_sight_from_its_first_line(tmp_path: Path) -> None:
    """A response longer than its box (which scrolls) comes into sight with its box
    whole, read from the status line."""

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        dialog = await screen_opened(pilot, app, "h", HttpDialog, ".dialog-box")
        dialog.query_one("#http-method", Select).value = "POST"
        dialog.query_one("#http-path", Input).value = "/echo"
        lines = {f"line{n}": "word " * 12 for n in range(40)}
        dialog.query_one("#http-body", TextArea).text = json.dumps(lines, indent=1)
        box = await sent(pilot, app, dialog)
        answer = dialog.query_one("#http-response-box", VerticalScroll)
        assert answer.max_scroll_y > 0, "the response fits its box: not a long one"
        assert box.can_view_entire(answer), (answer.region, box.scrollable_content_region)
        # The box at its top: the response's first line, the status, under its label.
        assert answer.scroll_offset.y == 0
        assert drawn_text(dialog.query_one("#http-response")).startswith("HTTP 200")

    drive(StptuiApp(echo_session(tmp_path)), script, size=(60, 20))


def test_the_response_scrolled_away_from_is_let_go(tmp_path: Path) -> None:
    """Once the dialog is scrolled back to the form, a layout that follows (the terminal
    made shorter) keeps the focused field in sight, not the response."""

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        dialog = await screen_opened(pilot, app, "h", HttpDialog, ".dialog-box")
        path = dialog.query_one("#http-path", Input)
        box = await sent(pilot, app, dialog)
        assert not box.can_view_entire(path), "the form's top in sight with the response"
        send_key(app, "pageup")
        await wait_until(pilot, lambda: box.scroll_offset.y == 0, "the dialog scrolled up")
        await settled(pilot, box, "the HTTP dialog scrolled up")
        assert dialog.focused is path and box.can_view_entire(path)
        await resized_to(pilot, app, (60, 18))
        await settled(pilot, box, "the HTTP dialog at 60x18")
        assert box.can_view_entire(path), (path.region, box.scrollable_content_region)

    drive(app_for("combined"), script, size=(60, 20))
